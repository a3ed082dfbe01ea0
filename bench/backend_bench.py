"""``--sparql-backend``: what answering pages and queries from Oxigraph server costs.

Two servers on the same MWG release, one worker each, side by side: ``mwg-graph serve`` on the
release's own store, and ``mwg-graph serve --sparql-backend`` on Oxigraph server (PyPI
``oxigraph``) holding the published release.

- **Pages, first view and after.** Each page once (nothing of the release read yet: every lookup
  goes to the store, in prefetch batches), then ``REPEATS`` more times (the rendered page and the
  lookups are kept per release), sequentially.
- **SPARQL.** ``QUERIES`` small queries, each new (a literal numbers it, so the result cache
  never answers), one at a time: the backend adds two reads of the release record per query (before
  and after its answer) to the query itself.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import requests

from mwg_graph.build.release import build
from mwg_graph.config import from_env

from .report import stamp, table, write_section

PAGES = [
    "/?lang=en",
    "/doc/province/th-10?lang=en",
    "/doc/organization/hrdf?lang=th",
    "/doc/province/th-50.ttl",
    "/browse/organization/?lang=en",
    "/def?lang=en",
]
REPEATS = 20
QUERIES = 200
QUERY = (  # a different literal each time: the result cache ignores comments and whitespace
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?name ?run WHERE { "
    '<https://w3id.org/mwg/id/province/th-10> skos:prefLabel ?name BIND("{n}" AS ?run) }'
)


def _ms(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return 1000 * statistics.median(ordered), 1000 * ordered[int(0.95 * (len(ordered) - 1))]


def _page_times(url: str, session: requests.Session) -> dict[str, tuple[float, float]]:
    found = {}
    for path in PAGES:
        started = time.perf_counter()
        first = session.get(url + path, timeout=120)
        cold = time.perf_counter() - started
        assert first.status_code == 200, (path, first.status_code)
        warm = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            assert session.get(url + path, timeout=60).status_code == 200
            warm.append(time.perf_counter() - started)
        found[path] = (1000 * cold, _ms(warm)[0])
    return found


def _query_times(url: str, session: requests.Session, tag: str) -> tuple[float, float]:
    took = []
    for n in range(QUERIES):
        query = QUERY.replace("{n}", f"{tag} {n}")
        started = time.perf_counter()
        response = session.get(
            url + "/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        took.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return _ms(took)


def main() -> str:
    from tests.conftest import (
        publish_release,
        start_oxigraph,
        start_server,
        stop_oxigraph,
        stop_server,
    )

    work = Path(tempfile.mkdtemp(prefix="mwg-bench-backend-"))
    settings = replace(from_env(environ={}, dist_dir=work / "dist"), workers=1)
    build(settings)
    oxigraph = start_oxigraph(work / "oxigraph")
    servers = {}
    try:
        published = publish_release(settings, oxigraph.store, oxigraph.update)
        assert published.returncode == 0, published.stderr
        servers["local store"] = start_server(settings, work / "local.log")
        env = {"MWG_SPARQL_BACKEND": oxigraph.query}
        servers["--sparql-backend"] = start_server(settings, work / "backend.log", env)
        pages, queries = {}, {}
        with requests.Session() as session:
            for name, server in servers.items():
                pages[name] = _page_times(server.url, session)
                queries[name] = _query_times(server.url, session, name)
    finally:
        for server in servers.values():
            stop_server(server)
        stop_oxigraph(oxigraph)
    local, backend = "local store", "--sparql-backend"
    page_rows = [
        f"| `{path}` | {pages[local][path][0]:.0f} | {pages[local][path][1]:.1f} "
        f"| {pages[backend][path][0]:.0f} | {pages[backend][path][1]:.1f} |"
        for path in PAGES
    ]
    query_rows = [
        f"| {name} | {queries[name][0]:.1f} | {queries[name][1]:.1f} |" for name in (local, backend)
    ]
    body = (
        "## An existing triple store as the backend (`--sparql-backend`)\n\n"
        + stamp("python -m bench backend")
        + "\nThe MWG release; one worker per server; Oxigraph server on the same machine. Pages: "
        f"the first view, then the median of {REPEATS} (ms):\n\n"
        + table(
            ["page", "local: first", "local: after", "backend: first", "backend: after"],
            page_rows,
        )
        + f"\n{QUERIES} new small queries one at a time (ms; the backend adds two reads of the "
        "release record to each):\n\n" + table(["server", "p50", "p95"], query_rows)
    )
    write_section("backend", body)
    return body
