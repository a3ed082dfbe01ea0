"""Real SPARQL clients against the real endpoint, with every return format they offer.

SPARQLWrapper: its 8 return formats, GET and POST, in its default mode (it sends ``format``,
``output`` and ``results``, repeated, with names such as ``n3``, ``rdf+xml``, ``json-ld``) and in
conneg-only mode (Accept header only). rdflib's ``SPARQLStore`` with each of its return formats.
Expected answers follow the SPARQL 1.1 Protocol and the natural counterparts Fuseki and Virtuoso
use when a client sends one Accept for every query form: JSON → JSON-LD for graphs, XML → RDF/XML,
JSON-LD/RDF/XML → SPARQL JSON/XML results, CSV/TSV for ASK → a one-cell table; 406 only where
nothing sensible exists (a table for a graph, a graph for a table).
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from urllib.error import HTTPError

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

MWG = "https://w3id.org/mwg/id/organization/mwg"
SELECT = f"SELECT ?member WHERE {{ <{MWG}> <http://www.w3.org/ns/org#hasMember> ?member }}"
ASK = f"ASK {{ <{MWG}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{MWG}> ?p ?o }} WHERE {{ <{MWG}> ?p ?o }}"
FORMATS = [XML, JSON, CSV, TSV, JSONLD, RDFXML, TURTLE, N3]

# (query form, return format) → what the client gets: a media type family, or 406.
TABLE = {"xml": "application/sparql-results+xml", "json": "application/sparql-results+json",
         "csv": "text/csv", "tsv": "text/tab-separated-values"}  # fmt: skip
EXPECTED = {
    ("SELECT", XML): TABLE["xml"], ("SELECT", JSON): TABLE["json"],
    ("SELECT", CSV): TABLE["csv"], ("SELECT", TSV): TABLE["tsv"],
    ("SELECT", JSONLD): TABLE["json"], ("SELECT", RDFXML): TABLE["xml"],
    ("SELECT", TURTLE): 406, ("SELECT", N3): 406,
    ("ASK", XML): TABLE["xml"], ("ASK", JSON): TABLE["json"],
    ("ASK", CSV): TABLE["csv"], ("ASK", TSV): TABLE["tsv"],
    ("ASK", JSONLD): TABLE["json"], ("ASK", RDFXML): TABLE["xml"],
    ("ASK", TURTLE): 406, ("ASK", N3): 406,
    ("CONSTRUCT", XML): "application/rdf+xml", ("CONSTRUCT", JSON): "application/ld+json",
    ("CONSTRUCT", CSV): 406, ("CONSTRUCT", TSV): 406,
    ("CONSTRUCT", JSONLD): "application/ld+json", ("CONSTRUCT", RDFXML): "application/rdf+xml",
    ("CONSTRUCT", TURTLE): "text/turtle", ("CONSTRUCT", N3): "text/turtle",
}  # fmt: skip
QUERIES = {"SELECT": SELECT, "ASK": ASK, "CONSTRUCT": CONSTRUCT}
# In conneg-only mode SPARQLWrapper sends "Accept: */*" for a return format it does not pair with
# the query form (its _getAcceptHeader): the endpoint's first choice for the form is then right.
ANYTHING = {
    **{
        (form, f): TABLE["json"] for form in ("SELECT", "ASK") for f in (JSONLD, RDFXML, TURTLE, N3)
    },
    **{("CONSTRUCT", f): "text/turtle" for f in (JSON, CSV, TSV)},
}


def check_body(form: str, media_type: str, body: bytes, members: int) -> None:
    """The answer is a true one, read back with a parser of its own format."""
    text = body.decode("utf-8")
    if form == "CONSTRUCT":
        rdflib_format = {"application/rdf+xml": "xml", "application/ld+json": "json-ld",
                         "text/turtle": "turtle"}[media_type]  # fmt: skip
        graph = Graph().parse(data=text, format=rdflib_format)
        assert (URIRef(MWG), None, None) in graph
        assert len(set(graph.objects(URIRef(MWG), URIRef("http://www.w3.org/ns/org#hasMember"))))
        return
    if media_type == TABLE["json"]:
        answer = json.loads(text)
        if form == "ASK":
            assert answer["boolean"] is True
        else:
            assert len(answer["results"]["bindings"]) == members
    elif media_type == TABLE["xml"]:
        assert (
            ("<boolean>true</boolean>" in text)
            if form == "ASK"
            else text.count("<result>") == members
        )
    else:
        rows = list(csv.reader(io.StringIO(text), delimiter="," if "csv" in media_type else "\t"))
        rows = [r for r in rows if r]
        if form == "ASK":
            assert rows == [["_askResult"], ["true"]] or rows == [["?_askResult"], ["true"]]
        else:
            assert len(rows) == members + 1


@pytest.fixture(scope="module")
def members(server) -> int:
    answer = server.post(
        "/sparql", data={"query": SELECT}, headers={"Accept": "application/sparql-results+json"}
    ).json()
    return len(answer["results"]["bindings"])


@pytest.mark.parametrize("only_conneg", [False, True], ids=["default-mode", "conneg-only"])
@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("form", ["SELECT", "ASK", "CONSTRUCT"])
@pytest.mark.parametrize("return_format", FORMATS)
def test_sparqlwrapper_every_return_format(
    server, members, return_format, form, method, only_conneg
):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(QUERIES[form])
    client.setMethod(method)
    client.setOnlyConneg(only_conneg)
    client.setReturnFormat(return_format)
    expected = EXPECTED[(form, return_format)]
    if only_conneg:
        expected = ANYTHING.get((form, return_format), expected)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper warns on odd combinations
        if expected == 406:
            with pytest.raises((HTTPError, SPARQLWrapperException)) as raised:
                client.query()
            assert "406" in str(raised.value)
            return
        response = client.query().response
    media_type = response.headers["Content-Type"].split(";")[0]
    assert media_type == expected
    check_body(form, media_type, response.read(), members)


@pytest.mark.parametrize("return_format", ["xml", "json", "csv", "tsv"])
def test_sparqlstore_every_return_format(server, members, return_format):
    store = SPARQLStore(server.url + "/sparql", returnFormat=return_format)
    graph = Graph(store=store)
    rows = list(graph.query(SELECT))
    assert len(rows) == members
    if return_format in ("xml", "json"):
        assert bool(graph.query(ASK)) is True
        constructed = graph.query(CONSTRUCT).graph
        assert (URIRef(MWG), None, None) in constructed
    # CSV/TSV: rdflib reads CSV/TSV only for SELECT; an ASK answer is a one-cell table.
    else:
        response = server.get("/sparql", params={"query": ASK, "format": return_format})
        assert response.status_code == 200
        check_body("ASK", response.headers["Content-Type"].split(";")[0], response.content, 0)
        # A graph has no table form: the client's CONSTRUCT gets 406, which names what it can send.
        with pytest.raises(ValueError):  # SPARQLStore turns any HTTP error into ValueError
            graph.query(CONSTRUCT)
        accept = store.response_mime_types()
        refused = server.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
        assert refused.status_code == 406
        assert "text/turtle" in refused.text, refused.text


def test_repeated_identical_parameters_are_one_and_different_ones_are_refused(server):
    same = server.get("/sparql", params=[("query", ASK), ("query", ASK)],
                      headers={"Accept": TABLE["json"]})  # fmt: skip
    assert same.status_code == 200 and same.json()["boolean"] is True
    different = server.get("/sparql", params=[("query", ASK), ("query", SELECT)])
    assert different.status_code == 400 and "exactly one" in different.text
    unknown = server.get("/sparql", params={"query": ASK, "format": "pdf"})
    assert unknown.status_code == 400 and "Unknown format" in unknown.text
