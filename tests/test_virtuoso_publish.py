"""``mwg-graph publish`` into Debian's Virtuoso (``virtuoso-opensource`` 7.2.5) on loopback.

Virtuoso takes the release through the SPARQL 1.1 Graph Store HTTP Protocol and the ``MOVE`` of
SPARQL Update. ``--sparql-backend`` on it does not work (README, "Hosting": its TSV is not SPARQL
1.1 TSV). What the store must hold is read back from it with SPARQL JSON results and compared with
the release's own dump.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from rdflib import Graph

from .conftest import publish_release
from .virtuoso import VirtuosoServer, start_virtuoso, stop_virtuoso

DCAT_VERSION = "http://www.w3.org/ns/dcat#version"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory) -> Iterator[VirtuosoServer]:
    running = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield running
    stop_virtuoso(running)


def _select(virtuoso: VirtuosoServer, query: str) -> list[dict]:
    response = requests.post(virtuoso.query, data={"query": query}, headers=JSON, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def _triples_in(virtuoso: VirtuosoServer, graph: str) -> int:
    rows = _select(virtuoso, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


def _record(virtuoso: VirtuosoServer, base: str) -> list[str]:
    record = f"<{base}id/dataset/mwg> <{DCAT_VERSION}> ?v"
    rows = _select(virtuoso, f"SELECT ?v {{ GRAPH <{base}graph/release> {{ {record} }} }}")
    return sorted(row["v"]["value"] for row in rows)


def _release(built_settings) -> tuple[str, Graph]:
    current = built_settings.dist_dir / "current"
    version = json.loads((current / "release.json").read_text(encoding="utf-8"))["version"]
    return version, Graph().parse(current / "mwg.nt", format="nt")


@pytest.mark.parametrize("with_update", [True, False], ids=["staged-and-moved", "put"])
def test_publish_into_virtuoso(virtuoso, built_settings, with_update):
    base = built_settings.base_iri
    version, dump = _release(built_settings)
    update = virtuoso.query if with_update else ""
    for _ in range(2):  # the second publish replaces the graph: never twice the triples
        published = publish_release(built_settings, virtuoso.store, update)
        assert published.returncode == 0, published.stderr
        assert _triples_in(virtuoso, base + "id/dataset/mwg") == len(dump)
    assert _record(virtuoso, base) == [version]
    names = _select(
        virtuoso,
        f"SELECT ?n {{ GRAPH <{base}id/dataset/mwg> {{ <{base}id/province/th-10> "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?n } }",
    )
    assert {(r["n"]["value"], r["n"].get("xml:lang")) for r in names} == {
        ("กรุงเทพมหานคร", "th"),
        ("Bangkok", "en"),
    }
    staging = _select(
        virtuoso,
        "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), '{base}graph/staging')) }}",
    )
    assert staging == []
