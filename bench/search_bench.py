"""The name index: its build time, its load time, and the cost of one query (``/search``,
``/reconcile``) in process, on the real data/ — the queries are those of tests/test_search.py."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from mwg_graph.build.load import load_data
from mwg_graph.config import from_env
from mwg_graph.iris import Iris
from mwg_graph.names import Index
from mwg_graph.search_index import INDEX_FILE, build_entries, write_search_index

from .report import stamp, table, write_section

ROUNDS = 200


def main() -> str:
    from tests.test_search import CASES

    settings = from_env(environ={})
    graph, iris = load_data(settings), Iris(settings.base_iri)
    started = time.perf_counter()
    build_entries(graph, iris)  # the first call loads PyThaiNLP's dictionary
    first_build = time.perf_counter() - started
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        write_search_index(Path(folder), graph, iris)
        build = time.perf_counter() - started
        path = Path(folder) / INDEX_FILE
        size = path.stat().st_size
        started = time.perf_counter()
        index = Index.from_entries(json.loads(path.read_text(encoding="utf-8"))["entries"])
        load = time.perf_counter() - started
    queries = [q for q, _ in CASES]
    medians: dict[str, float] = {}
    for query in queries:
        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            index.find(query)
            times.append((time.perf_counter() - started) * 1e6)
        medians[query] = statistics.median(times)
    slowest = max(medians, key=medians.__getitem__)
    typical = statistics.median(medians.values())
    rows = [
        f"| build the index (first: loads PyThaiNLP) | {first_build * 1000:.0f} ms |",
        f"| build and write `{INDEX_FILE}` again | {build * 1000:.0f} ms ({size / 1024:.0f} KiB) |",
        f"| load it in a server process | {load * 1000:.1f} ms ({len(index.names)} names) |",
        f"| one query: median over the {len(queries)} queries | {typical:.0f} µs |",
        f"| one query: the slowest (“{slowest}”) | {medians[slowest]:.0f} µs |",
    ]
    body = (
        "## Name index: search and reconciliation\n\n"
        + stamp("python -m bench search")
        + f"\n{len(queries)} queries (tests/test_search.py), each timed {ROUNDS} times (its median "
        "kept, so other processes on the machine weigh little), in process (no HTTP): the matcher "
        "alone, as `/search` and `/reconcile` call it.\n\n" + table(["step", "time"], rows)
    )
    write_section("search", body)
    return body
