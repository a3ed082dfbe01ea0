"""Pages and documents answer from the ``--sparql-backend`` store, and only from the release served.

The store is the real Oxigraph server (PyPI ``oxigraph``). To tell the store's facts from the
local release's, the test changes a fact in the store after publishing (Bangkok's English name);
a page that read the local release would still say "Bangkok". What the store must hold is written
here from the SPARQL 1.1 Update text, never taken from the code under test.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
import requests
from rdflib import Graph, Literal, URIRef

from .conftest import (
    OxigraphServer,
    RunningServer,
    publish_release,
    start_oxigraph,
    start_server,
    stop_oxigraph,
    stop_server,
)

STORE_ONLY_NAME = "Krung Thep, as the store says"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
DCAT_VERSION = "http://www.w3.org/ns/dcat#version"
TSV = {"Accept": "text/tab-separated-values"}


def _update(oxigraph: OxigraphServer, update: str) -> None:
    response = requests.post(oxigraph.update, data={"update": update}, timeout=60)
    assert response.status_code in (200, 204), response.text


def _record(oxigraph: OxigraphServer, base: str) -> list[str]:
    """The versions the store's release record names, asked of the store itself."""
    record = f"<{base}id/dataset/mwg> <{DCAT_VERSION}> ?v"
    query = f"SELECT ?v {{ GRAPH <{base}graph/release> {{ {record} }} }}"
    response = requests.post(oxigraph.query, data={"query": query}, headers=TSV, timeout=60)
    assert response.status_code == 200, response.text
    return sorted(line.split("^^")[0].strip('"') for line in response.text.splitlines()[1:])


def _set_record(oxigraph: OxigraphServer, base: str, version: str) -> None:
    graph = f"{base}graph/release"
    _update(
        oxigraph,
        f"DROP SILENT GRAPH <{graph}> ; INSERT DATA {{ GRAPH <{graph}> {{ "
        f'<{base}id/dataset/mwg> <{DCAT_VERSION}> "{version}" }} }}',
    )


@pytest.fixture(scope="module")
def version(built_settings) -> str:
    info = (built_settings.dist_dir / "current" / "release.json").read_text(encoding="utf-8")
    return json.loads(info)["version"]


@pytest.fixture(scope="module")
def store_and_server(
    built_settings, tmp_path_factory
) -> Iterator[tuple[OxigraphServer, RunningServer]]:
    """Oxigraph holding the release with Bangkok renamed in the store only; our server on it."""
    tmp = tmp_path_factory.mktemp("backend-pages")
    settings = replace(built_settings, workers=1)
    oxigraph = start_oxigraph(tmp / "oxigraph")
    try:
        published = publish_release(settings, oxigraph.store, oxigraph.update)
        assert published.returncode == 0, published.stderr
        base = settings.base_iri
        bangkok = f"<{base}id/province/th-10>"
        _update(
            oxigraph,
            f"WITH <{base}id/dataset/mwg> DELETE {{ {bangkok} <{SKOS_PREF}> ?n }} "
            f'INSERT {{ {bangkok} <{SKOS_PREF}> "{STORE_ONLY_NAME}"@en }} '
            f'WHERE {{ {bangkok} <{SKOS_PREF}> ?n FILTER(lang(?n) = "en") }}',
        )
        env = {"MWG_SPARQL_BACKEND": oxigraph.query}
        server = start_server(settings, tmp / "server.log", env)
    except BaseException:
        stop_oxigraph(oxigraph)
        raise
    yield oxigraph, server
    stop_server(server)
    stop_oxigraph(oxigraph)


def test_publish_records_the_release_it_loaded(store_and_server, built_settings, version):
    oxigraph, _ = store_and_server
    assert _record(oxigraph, built_settings.base_iri) == [version]


def test_publish_without_an_update_endpoint_records_it_too(built_settings, version, tmp_path):
    oxigraph = start_oxigraph(tmp_path / "oxigraph")
    try:
        _set_record(oxigraph, built_settings.base_iri, "an-older-release")
        published = publish_release(built_settings, oxigraph.store)
        assert published.returncode == 0, published.stderr
        assert _record(oxigraph, built_settings.base_iri) == [version]
    finally:
        stop_oxigraph(oxigraph)


def test_a_page_shows_the_stores_facts(store_and_server):
    _, server = store_and_server
    page = server.get("/doc/province/th-10", params={"lang": "en"})
    assert page.status_code == 200, page.text
    assert STORE_ONLY_NAME in page.text
    assert ">Bangkok<" not in page.text  # the local release's name for it


@pytest.mark.parametrize("suffix, rdf_format", [(".ttl", "turtle"), (".nt", "nt")])
def test_a_document_holds_the_stores_facts(store_and_server, built_settings, suffix, rdf_format):
    _, server = store_and_server
    response = server.get("/doc/province/th-10" + suffix)
    assert response.status_code == 200, response.text
    graph = Graph().parse(data=response.text, format=rdf_format)
    bangkok = URIRef(built_settings.base_iri + "id/province/th-10")
    names = set(graph.objects(bangkok, URIRef(SKOS_PREF)))
    assert Literal(STORE_ONLY_NAME, lang="en") in names
    assert Literal("Bangkok", lang="en") not in names


def test_the_index_pages_list_the_stores_resources(store_and_server):
    _, server = store_and_server
    page = server.get("/browse/province/", params={"lang": "en"})
    assert page.status_code == 200, page.text
    assert STORE_ONLY_NAME in page.text


def test_another_release_in_the_store_is_refused_in_plain_words(
    store_and_server, built_settings, version
):
    oxigraph, server = store_and_server
    base = built_settings.base_iri
    assert server.get("/healthz").status_code == 200
    _set_record(oxigraph, base, "20991231-0badf00d")  # as a publish of the next release does
    try:
        health = server.get("/healthz")
        assert health.status_code == 503
        body = health.json()
        assert body["ready"] is False and body["status"] == "unready"
        assert "holds release 20991231-0badf00d" in body["reason"]
        assert f"not release {version}" in body["reason"]

        # Pages and documents not rendered before, and queries not answered before: refused.
        page = server.get("/doc/province/th-50", params={"lang": "en"})
        assert page.status_code == 503, page.text
        assert "holds release 20991231-0badf00d" in page.text
        assert page.headers.get("Retry-After")
        document = server.get("/doc/province/th-57.ttl")
        assert document.status_code == 503
        query = server.get(
            "/sparql", params={"query": "SELECT ?s { ?s ?p 'Chiang Rai'@en }"}, headers=TSV
        )
        assert query.status_code == 503, query.text
        assert "holds release 20991231-0badf00d" in query.text
        assert query.headers.get("Retry-After")
    finally:
        _set_record(oxigraph, base, version)
    assert server.get("/healthz").status_code == 200
    assert server.get("/doc/province/th-50", params={"lang": "en"}).status_code == 200
    again = server.get(
        "/sparql", params={"query": "SELECT ?s { ?s ?p 'Chiang Rai'@en }"}, headers=TSV
    )
    assert again.status_code == 200, again.text


def test_a_store_with_no_record_is_refused(store_and_server, built_settings, version):
    oxigraph, server = store_and_server
    base = built_settings.base_iri
    _update(oxigraph, f"DROP SILENT GRAPH <{base}graph/release>")
    try:
        health = server.get("/healthz")
        assert health.status_code == 503
        assert "holds no published release" in health.json()["reason"]
        page = server.get("/doc/theme/labour-rights", params={"lang": "th"})
        assert page.status_code == 503
    finally:
        _set_record(oxigraph, base, version)


def test_a_store_gone_away_is_a_clean_502_for_pages(built_settings, tmp_path):
    oxigraph = start_oxigraph(tmp_path / "oxigraph")
    try:
        assert publish_release(built_settings, oxigraph.store).returncode == 0
        settings = replace(built_settings, workers=1)
        env = {"MWG_SPARQL_BACKEND": oxigraph.query}
        server = start_server(settings, tmp_path / "server.log", env)
    finally:
        stop_oxigraph(oxigraph)  # the store goes away once the server is up
    try:
        page = server.get("/doc/province/th-10", params={"lang": "en"})
        assert page.status_code == 502, page.text
        assert "error id" in page.text
        assert oxigraph.url not in page.text and "Traceback" not in page.text
        health = server.get("/healthz")
        assert health.status_code == 503
        assert "cannot be read" in health.json()["reason"]
    finally:
        stop_server(server)


def test_partner_data_on_pages_comes_from_the_stores_partner_graph(tmp_path):
    """A release with the fictional partner dataset (tests/fixtures/partners), published in one
    update: the page of a resource it links to shows it, read from its graph in the store."""
    from mwg_graph.build.release import build
    from mwg_graph.config import from_env

    from .test_partners import FIXTURES, GRAPH, PARTNER_LABEL_OF_SC

    settings = from_env(environ={}, dist_dir=tmp_path / "dist", partners_dir=FIXTURES, workers=1)
    build(settings)
    oxigraph = start_oxigraph(tmp_path / "oxigraph")
    try:
        published = publish_release(settings, oxigraph.store, oxigraph.update)
        assert published.returncode == 0, published.stderr
        clinic = "Example mobile clinic 1 (fictional)"
        _update(  # the store's copy of the partner graph says something the release does not
            oxigraph,
            f'WITH <{GRAPH}> DELETE {{ ?c ?p "{clinic}"@en }} '
            f'INSERT {{ ?c ?p "{clinic}, in the store"@en }} WHERE {{ ?c ?p "{clinic}"@en }}',
        )
        env = {"MWG_SPARQL_BACKEND": oxigraph.query}
        server = start_server(settings, tmp_path / "server.log", env)
        try:
            page = server.get("/doc/province/th-10", params={"lang": "en"})
            assert page.status_code == 200, page.text
            assert f"{clinic}, in the store" in page.text
            sc = html.unescape(server.get("/doc/organization/sc", params={"lang": "en"}).text)
            heading = sc.index("Linked from partner data")
            assert str(PARTNER_LABEL_OF_SC) in sc[heading:]
        finally:
            stop_server(server)
    finally:
        stop_oxigraph(oxigraph)
