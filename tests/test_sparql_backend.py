"""An existing triple store as the backend: ``mwg-graph publish`` and ``--sparql-backend``.

The store is the real Oxigraph server (PyPI ``oxigraph``), started on a free loopback port. What is
expected comes from the release's own dump (``mwg.nt``) and from the SPARQL 1.1 Protocol, never
from the code under test.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from rdflib import Graph

from mwg_graph.config import Settings

from .conftest import (
    OxigraphServer,
    RunningServer,
    free_port,
    publish_release,
    start_backed_server,
    start_oxigraph,
    stop_oxigraph,
    stop_server,
)

TSV = {"Accept": "text/tab-separated-values"}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FOREIGN = "http://example.org/someone-elses-graph"


def _graph_iri(settings: Settings) -> str:
    return settings.base_iri + "id/dataset/mwg"  # the dataset's IRI, as VoID names it


def _ask_store(oxigraph: OxigraphServer, query: str) -> str:
    response = requests.post(oxigraph.query, data={"query": query}, headers=TSV, timeout=60)
    assert response.status_code == 200, response.text
    return response.text


def _count(oxigraph: OxigraphServer, graph: str) -> int:
    text = _ask_store(oxigraph, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(text.splitlines()[1].split("^^")[0].strip('"'))


def _store_graph(oxigraph: OxigraphServer, graph: str) -> Graph:
    response = requests.get(
        oxigraph.store, params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="nt")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory) -> Iterator[OxigraphServer]:
    running = start_oxigraph(tmp_path_factory.mktemp("oxigraph-db"))
    yield running
    stop_oxigraph(running)


def _second_release(settings: Settings, tmp: Path, extra_triples: int) -> Settings:
    """A copy of the release with some triples gone and others added, as the next build makes."""
    current = (settings.dist_dir / "current").resolve()
    dist = tmp / "dist-next"
    release = dist / "releases" / (current.name + "-next")
    release.mkdir(parents=True)
    for name in ("mwg.nt", "release.json"):
        shutil.copy(current / name, release / name)
    lines = (release / "mwg.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = lines[10:]  # ten facts gone
    added = [
        f'<{settings.base_iri}id/theme/t{i}> <{RDFS_LABEL}> "t{i}" .\n'
        for i in range(extra_triples)
    ]
    (release / "mwg.nt").write_text("".join(kept + added), encoding="utf-8")
    info = json.loads((release / "release.json").read_text(encoding="utf-8"))
    info["version"] += "-next"
    info["triples"] = len(kept) + len(added)
    (release / "release.json").write_text(json.dumps(info), encoding="utf-8")
    (dist / "current").symlink_to(release.relative_to(dist))
    return replace(settings, dist_dir=dist)


def test_publish_loads_the_release_as_one_named_graph(built_settings, oxigraph):
    published = publish_release(built_settings, oxigraph.store)
    assert published.returncode == 0, published.stderr
    expected = Graph().parse(built_settings.dist_dir / "current" / "mwg.nt", format="nt")
    in_store = _store_graph(oxigraph, _graph_iri(built_settings))
    assert len(in_store) == len(expected)
    assert set(in_store) == set(expected)  # the dump has no blank nodes: the very same triples
    # Nothing went into the store's default graph.
    assert _ask_store(oxigraph, "ASK { ?s ?p ?o }").strip().endswith("false")


def test_a_second_publish_replaces_the_graph(built_settings, oxigraph, tmp_path):
    assert publish_release(built_settings, oxigraph.store).returncode == 0
    following = _second_release(built_settings, tmp_path, extra_triples=5)
    published = publish_release(following, oxigraph.store)
    assert published.returncode == 0, published.stderr
    expected = Graph().parse(following.dist_dir / "current" / "mwg.nt", format="nt")
    in_store = _store_graph(oxigraph, _graph_iri(built_settings))
    # Exactly the new release: the removed facts are gone (no union), none twice (no duplicates).
    assert set(in_store) == set(expected)
    assert _count(oxigraph, _graph_iri(built_settings)) == len(expected)


def test_readers_never_see_an_empty_or_half_graph_while_publishing(
    built_settings, oxigraph, tmp_path
):
    graph = _graph_iri(built_settings)
    assert publish_release(built_settings, oxigraph.store, oxigraph.update).returncode == 0
    old = _count(oxigraph, graph)
    following = _second_release(built_settings, tmp_path, extra_triples=5_000)
    new = old - 10 + 5_000
    seen: list[int] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            seen.append(_count(oxigraph, graph))

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        published = publish_release(following, oxigraph.store, oxigraph.update)
    finally:
        done.set()
        reader.join()
    assert published.returncode == 0, published.stderr
    seen.append(_count(oxigraph, graph))
    assert len(seen) >= 2
    assert set(seen) <= {old, new}, f"a reader saw {sorted(set(seen) - {old, new})} triples"
    assert seen[-1] == new
    assert "false" in _ask_store(
        oxigraph, "ASK { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), 'staging')) }"
    )


def test_an_unreachable_store_is_a_clear_error(built_settings):
    store = f"http://127.0.0.1:{free_port()}/store"
    published = publish_release(built_settings, store)
    assert published.returncode == 1
    assert "publish failed" in published.stderr
    assert f"cannot reach {store}" in published.stderr
    assert "Traceback" not in published.stderr


def test_a_refusing_store_is_a_clear_error(built_settings, oxigraph):
    store = oxigraph.url + "/no-such-service"
    published = publish_release(built_settings, store)
    assert published.returncode == 1
    assert f"the graph store at {store} refused the graph <{_graph_iri(built_settings)}>" in (
        published.stderr
    )
    assert "HTTP 404" in published.stderr
    assert "Traceback" not in published.stderr


# -- /sparql answering from the store -----------------------------------------------------------


@pytest.fixture(scope="module")
def backed(built_settings, tmp_path_factory) -> Iterator[tuple[RunningServer, OxigraphServer]]:
    settings = replace(built_settings, workers=1, max_rows=50)
    running, oxigraph = start_backed_server(settings, tmp_path_factory.mktemp("backed"))
    # Someone else's data in the same store: in its default graph and in a graph of its own.
    for target in ({"default": ""}, {"graph": FOREIGN}):
        response = requests.put(
            oxigraph.store,
            params=target,
            data=b'<http://example.org/secret> <http://example.org/p> "secret" .\n',
            headers={"Content-Type": "application/n-triples"},
        )
        assert response.status_code in (201, 204)
    yield running, oxigraph
    stop_server(running)
    stop_oxigraph(oxigraph)


def _select(server: RunningServer, query: str, **params) -> list[dict]:
    response = server.get(
        "/sparql",
        params={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_the_backend_answers_with_the_release(backed, release_graph):
    server, _ = backed
    rows = _select(server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert int(rows[0]["n"]["value"]) == len(release_graph)
    rows = _select(server, "SELECT ?name { province:th-10 skos:prefLabel ?name }")
    names = {(r["name"]["value"], r["name"].get("xml:lang")) for r in rows}
    expected = {
        (str(o), o.language)
        for o in release_graph.objects(
            next(s for s in release_graph.subjects() if str(s).endswith("id/province/th-10")),
            next(p for p in release_graph.predicates() if str(p).endswith("core#prefLabel")),
        )
    }
    assert names == expected


@pytest.mark.parametrize(
    "query, params",
    [
        ("SELECT * { ?s ?p 'secret' }", {}),
        ("SELECT * FROM <" + FOREIGN + "> { ?s ?p ?o }", {}),
        ("SELECT * FROM NAMED <" + FOREIGN + "> { GRAPH ?g { ?s ?p ?o } }", {}),
        ("SELECT * { GRAPH ?g { ?s ?p 'secret' } }", {}),
        ("SELECT * { ?s ?p ?o }", {"default-graph-uri": FOREIGN}),
        ("SELECT * { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": FOREIGN}),
    ],
)
def test_other_graphs_in_the_store_are_never_read(backed, query, params):
    server, _ = backed
    assert _select(server, query, **params) == []


def test_from_our_own_graph_is_the_release(backed, built_settings):
    server, _ = backed
    graph = _graph_iri(built_settings)
    rows = _select(server, f"SELECT * FROM <{graph}> {{ ?s ?p ?o }} LIMIT 1")
    assert len(rows) == 1  # where a FROM naming another graph of the store gives none (above)


def test_caps_and_guards_stay_ours(backed):
    server, _ = backed
    response = server.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"}, headers=TSV)
    assert response.status_code == 200
    assert response.headers["MWG-Results-Truncated"].startswith("true")
    assert len(response.text.splitlines()) == 1 + 50
    for query in (
        "INSERT DATA { <a:b> <a:c> <a:d> }",
        "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
    ):
        refused = server.get("/sparql", params={"query": query})
        assert refused.status_code == 403, refused.text
    broken = server.get("/sparql", params={"query": "SELECT * { ?s ?p }"})
    assert broken.status_code == 400
    assert "1:" in broken.text  # the position of the error, from our own parser


def test_an_unreachable_backend_is_a_clean_502(built_settings, tmp_path):
    # The server is ready only while its backend holds the release (/healthz), so the store
    # goes away once the server is up.
    settings = replace(built_settings, workers=1)
    running, oxigraph = start_backed_server(settings, tmp_path)
    stop_oxigraph(oxigraph)
    dead = oxigraph.query
    try:
        response = running.get("/sparql", params={"query": "ASK {}"}, headers=TSV)
        assert response.status_code == 502
        assert "error id" in response.text
        assert dead not in response.text and "Traceback" not in response.text
    finally:
        stop_server(running)
