"""JSON-LD for web pages: a published, versioned @context, and the framed network document."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from pyld import jsonld
from rdflib import RDF, Graph

from mwg_graph.config import PROJECT_ROOT
from mwg_graph.iris import Iris
from mwg_graph.jsonld import compact, context_url, local_loader

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


def loader_for(context_doc: dict, server_url: str):
    """The context, for the one URL a document served by ``server_url`` resolves it to."""

    def load(url, options=None):
        assert url == server_url + "/context/v1.jsonld", url
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
def test_every_jsonld_document_refers_to_the_context_by_url(server, path, context_doc):
    """A relative reference, resolved against the document's URL, reaches our context on the
    server the document came from (whatever its address): no w3id.org, no Host header."""
    response = server.get(path, headers={"Accept": "application/ld+json"})
    reference = response.json()["@context"]
    assert isinstance(reference, str) and not reference.startswith(("http:", "https:", "/"))
    resolved = urljoin(response.url, reference)
    assert resolved.startswith(server.url + "/")
    assert server.get(resolved[len(server.url) :]).json() == context_doc


def test_network_reads_as_plain_json(network):
    assert network["name"]["th"] == "เครือข่ายองค์กรด้านประชากรข้ามชาติ"
    assert network["name"]["en"]
    assert network["acronym"] == "MWG"
    assert len(network["member"]) == count_bullets("องค์กรภาคีหลัก:") == 21
    for member in network["member"]:
        assert member["id"].startswith("https://") or member["id"].startswith("http://")
        assert member["name"]["en"]  # most members are named only in Latin script (@en)
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
    options = {
        "format": "application/n-quads",
        "base": server.url + "/network.jsonld",
        "documentLoader": loader_for(context_doc, server.url),
    }
    triples = Graph().parse(data=jsonld.to_rdf(network, options), format="nt")
    release = Graph().parse(built_settings.dist_dir / "current" / "mwg.nt", format="nt")
    assert len(triples) > 200
    assert set(triples) <= set(release)


def test_dump_is_compacted_with_the_context_and_expands_with_pyld(server, built_settings):
    release = Graph().parse(built_settings.dist_dir / "current" / "mwg.nt", format="nt")
    document = server.get("/downloads/mwg.jsonld").json()
    assert document["@context"] == "context.jsonld"  # the file beside it in the release
    context = server.get("/downloads/context.jsonld").json()

    def beside(url, options=None):
        assert url == server.url + "/downloads/context.jsonld", url
        return {"contextUrl": None, "documentUrl": url, "document": context}

    options = {
        "format": "application/n-quads",
        "base": server.url + "/downloads/mwg.jsonld",
        "documentLoader": beside,
    }
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
    document = compact(graph, iris, context_url(iris))
    assert document["lat"] == "13.76629"
    assert document["name"] == {"en": "Bangkok", "th": "กรุงเทพมหานคร"}
    options = {"format": "application/n-quads", "documentLoader": local_loader(iris)}
    from rdflib.compare import isomorphic

    assert isomorphic(Graph().parse(data=jsonld.to_rdf(document, options), format="nt"), graph)


def test_every_property_of_the_facts_has_a_short_name(
    context_doc, release_graph, built_settings
) -> None:
    """A web page reads ``doc["hasPart"]``, not a full IRI: every predicate the network's resources
    (``/id/…``) use has a term in the published context (rdf:type is ``@type``; the VoID/DCAT
    description of the dataset keeps its vocabularies' own names)."""
    context = context_doc["@context"]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))}

    def expand(curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return prefixes.get(prefix, prefix + ":") + local

    named = {expand(t["@id"]) for t in context.values() if isinstance(t, dict) and "@id" in t}
    ours = built_settings.base_iri + "id/"
    description = ("http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#",
                   "http://www.w3.org/2006/vcard/", "http://xmlns.com/foaf/",
                   "http://purl.org/dc/terms/PeriodOfTime")  # fmt: skip
    described = {s for s, t in release_graph.subject_objects(RDF.type)
                 if str(t).startswith(description)}  # fmt: skip
    used = {str(p) for s, p, _ in release_graph
            if str(s).startswith(ours) and s not in described} - {str(RDF.type)}  # fmt: skip
    assert len(used) > 20
    missing = sorted(used - named)
    assert not missing, "no short name for: " + " ".join(missing)
