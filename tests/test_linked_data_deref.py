"""Every IRI the release mints resolves (W3C "Cool URIs for the Semantic Web")."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from mwg_graph.formats import RDF_FORMATS

SUFFIXES = {".html": "text/html", **{f.suffix: f.media_type for f in RDF_FORMATS}}


@pytest.fixture(scope="module")
def server(linked_data_server):
    """Every test here runs against each way of serving the site (conftest.TARGETS)."""
    return linked_data_server


def minted(graph: Graph, base: str) -> set[str]:
    nodes = {n for t in graph for n in t if isinstance(n, URIRef) and str(n).startswith(base)}
    return {str(n) for n in nodes}


def instances(graph: Graph, base: str) -> list[str]:
    return sorted(
        {
            str(s)
            for s in graph.subjects()
            if isinstance(s, URIRef) and str(s).startswith(base + "id/") and "#" not in str(s)
        }
    )


def test_every_minted_iri_resolves(server, release_graph, session):
    base = server.settings.base_iri
    failures = []
    paths = {"/" + iri[len(base) :].partition("#")[0] for iri in minted(release_graph, base)}
    assert len(paths) > 100
    for path in sorted(paths):
        response = session.get(server.url + path, headers={"Accept": "text/turtle"}, timeout=30)
        if response.status_code != 200:
            failures.append((path, response.status_code))
    assert failures == []


def test_id_answers_303_to_its_document(server, release_graph):
    base = server.settings.base_iri
    for iri in instances(release_graph, base)[:40]:
        path = "/" + iri[len(base) :]
        response = server.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 303, path
        assert response.headers["Location"].endswith(path.replace("/id/", "/doc/", 1))


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("*/*", "text/html"),
        (None, "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ],
)
def test_document_negotiates(server, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = server.get("/doc/organization/mwg", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "accept" in response.headers["Vary"].lower()
    location = response.headers["Content-Location"]
    assert location.endswith(
        "/doc/organization/mwg" + next(s for s, m in SUFFIXES.items() if m == media_type)
    )


def test_following_the_303_gives_turtle(server):
    response = server.get(
        "/id/province/th-10", headers={"Accept": "text/turtle"}, allow_redirects=True
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(server.settings.base_iri + "id/province/th-10"), None, None) in graph


@pytest.mark.parametrize(("suffix", "media_type"), list(SUFFIXES.items()))
def test_suffix_urls_always_work_and_link_alternates(server, suffix, media_type):
    # The suffix wins over Accept.
    response = server.get(
        f"/doc/strategy/1{suffix}", headers={"Accept": "application/rdf+xml;q=0.1"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    links = response.headers["Link"]
    for other_suffix, other_type in SUFFIXES.items():
        assert f'/doc/strategy/1{other_suffix}>; rel="alternate"; type="{other_type}"' in links


def test_id_with_suffix_redirects_to_that_format(server):
    response = server.get("/id/strategy/1.ttl")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/doc/strategy/1.ttl")


def test_ontology_terms_resolve_to_the_documentation(server, release_graph):
    base = server.settings.base_iri
    terms = sorted(
        i for i in minted(release_graph, base) if i.startswith(base + "def#") and i != base + "def#"
    )
    assert terms
    html = server.get("/def", headers={"Accept": "text/html"}).text
    for term in terms:
        assert f'id="{term.partition("#")[2]}"' in html, term
    response = server.get("/def", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    for term in terms:
        assert (URIRef(term), None, None) in graph, term


def test_ontology_version_iri_redirects(server, release_graph):
    from rdflib.namespace import OWL

    version = release_graph.value(URIRef(server.settings.base_iri + "def"), OWL.versionIRI)
    response = server.get("/" + str(version)[len(server.settings.base_iri) :])
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/def")


def test_dataset_iri_resolves(server):
    response = server.get(
        "/id/dataset/mwg", headers={"Accept": "application/ld+json"}, allow_redirects=True
    )
    assert response.status_code == 200
    assert response.json()["@context"].endswith("/context/v1.jsonld")


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/html", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/json", "application/json"),
    ],
)
@pytest.mark.parametrize(
    "path",
    ["/id/organization/no-such-org", "/doc/organization/no-such-org.ttl", "/id/no-such-kind/x",
     "/id/organization/Not%20A%20Slug", "/doc/x", "/def/9.9.9", "/no/such/page"],
)  # fmt: skip
def test_unknown_iris_are_404_in_the_format_asked_for(server, path, accept, media_type):
    response = server.get(path, headers={"Accept": accept})
    assert response.status_code == 404
    if path.endswith(".ttl"):
        media_type = "text/turtle"  # the suffix names the format
    assert response.headers["Content-Type"].split(";")[0] == media_type
    if media_type in (
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
    ):
        fmt = next(f for f in RDF_FORMATS if f.media_type == media_type)
        Graph().parse(data=response.text, format=fmt.rdflib_format)  # parses: an empty graph


def test_unacceptable_is_406(server):
    response = server.get("/doc/organization/mwg", headers={"Accept": "image/png"})
    assert response.status_code == 406
