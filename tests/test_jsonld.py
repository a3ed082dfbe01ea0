"""JSON-LD for web pages: a published, versioned @context, and the framed network document."""

from __future__ import annotations

import re

import pytest
from pyld import jsonld
from rdflib import Graph

from mwg_graph.config import PROJECT_ROOT
from mwg_graph.jsonld import compact, context_url, local_loader
from mwg_graph.namespaces import Iris

SOURCE = (PROJECT_ROOT / "data" / "sources" / "mwg-about.th.txt").read_text(encoding="utf-8")


def count_bullets(heading: str) -> int:
    section = SOURCE.split(heading, 1)[1].split(":\n", 1)[0]
    return len(re.findall(r"^\s*(•|\d+\.)", section, flags=re.M))


@pytest.fixture(scope="module")
def network(server) -> dict:
    response = server.get("/network.jsonld")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/ld+json")
    return response.json()


@pytest.fixture(scope="module")
def context_doc(server) -> dict:
    return server.get("/context/v1.jsonld").json()


def loader_for(context_doc: dict, base: str):
    def load(url, options=None):
        assert url in (base + "context/v1.jsonld", base + "context.jsonld"), url
        return {"contextUrl": None, "documentUrl": url, "document": context_doc}

    return load


def test_context_is_published_at_a_stable_versioned_url(server, context_doc):
    base = server.settings.base_iri
    latest = server.get("/context.jsonld").json()
    assert latest == context_doc
    context = context_doc["@context"]
    assert context["name"] == {"@id": "skos:prefLabel", "@container": "@language"}
    assert context["id"] == "@id"
    assert server.get("/downloads/context.jsonld").json() == context_doc  # the release's own copy
    assert context_url(Iris(base)) == base + "context/v1.jsonld"


@pytest.mark.parametrize("path", ["/network.jsonld", "/doc/organization/mwg.jsonld",
                                  "/downloads/mwg.jsonld", "/.well-known/void"])  # fmt: skip
def test_every_jsonld_document_refers_to_the_context_by_url(server, path):
    document = server.get(path, headers={"Accept": "application/ld+json"}).json()
    assert document["@context"] == server.settings.base_iri + "context/v1.jsonld"


def test_network_reads_as_plain_json(network):
    assert network["name"]["th"] == "เครือข่ายองค์กรด้านประชากรข้ามชาติ"
    assert network["name"]["en"]
    assert network["acronym"] == "MWG"
    assert len(network["member"]) == count_bullets("องค์กรภาคีหลัก:") == 21
    for member in network["member"]:
        assert member["id"].startswith("https://") or member["id"].startswith("http://")
        assert member["name"]["th"] and member["name"]["en"]
    strategies = network["strategy"]
    assert len(strategies) == count_bullets("ยุทธศาสตร์:") == 5
    assert [int(s["position"]) for s in strategies] == [1, 2, 3, 4, 5]
    assert strategies[0]["name"]["th"].startswith("ยุทธศาสตร์การพัฒนาฐานข้อมูล")
    assert len(network["workingArea"]) == 16
    for province in network["workingArea"]:
        assert float(province["lat"]) and float(province["long"])
        assert province["name"]["th"]
    assert len(network["mission"]) == count_bullets("พันธกิจ:")
    assert len(network["vision"]) == count_bullets("วิสัยทัศน์:")
    levels = {g["targetLevel"]["name"]["en"] for g in network["targetGroup"]}
    assert len(levels) == 2


def test_network_document_is_true_to_the_graph(server, built_settings, network, context_doc):
    base = server.settings.base_iri
    options = {"format": "application/n-quads", "documentLoader": loader_for(context_doc, base)}
    triples = Graph().parse(data=jsonld.to_rdf(network, options), format="nt")
    release = Graph().parse(built_settings.dist_dir / "current" / "mwg.nt", format="nt")
    assert len(triples) > 200
    assert set(triples) <= set(release)


def test_dump_is_compacted_with_the_context_and_expands_with_pyld(server, built_settings):
    iris = Iris(server.settings.base_iri)
    release = Graph().parse(built_settings.dist_dir / "current" / "mwg.nt", format="nt")
    document = server.get("/downloads/mwg.jsonld").json()
    assert document["@context"] == context_url(iris)
    options = {"format": "application/n-quads", "documentLoader": local_loader(iris)}
    from rdflib.compare import isomorphic

    assert isomorphic(Graph().parse(data=jsonld.to_rdf(document, options), format="nt"), release)


def test_compact_round_trips_typed_values():
    iris = Iris()
    graph = Graph().parse(
        data="""@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/mwg/id/province/th-10> geo:lat "13.76629"^^xsd:decimal ;
            skos:prefLabel "Bangkok"@en , "กรุงเทพมหานคร"@th .""",
        format="turtle",
    )
    document = compact(graph, iris)
    assert document["lat"] == "13.76629"
    assert document["name"] == {"en": "Bangkok", "th": "กรุงเทพมหานคร"}
    options = {"format": "application/n-quads", "documentLoader": local_loader(iris)}
    from rdflib.compare import isomorphic

    assert isomorphic(Graph().parse(data=jsonld.to_rdf(document, options), format="nt"), graph)
