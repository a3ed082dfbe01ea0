"""Every format of every document says the same: it parses to the description of its resource.

"The description" is defined once, in mwg_graph.web.documents (docs/LINKED-DATA.md); the test
also checks it independently against the dump: every triple with the resource as subject or object.
"""

from __future__ import annotations

import copy

import pytest
from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic

from mwg_graph.formats import RDF_FORMATS
from mwg_graph.iris import Iris
from mwg_graph.web.documents import describe, describe_ontology


@pytest.fixture(scope="module")
def context_doc(linked_data_server) -> dict:
    return linked_data_server.get("/context/v1.jsonld").json()


def parse(text: str, fmt, context_doc: dict) -> Graph:
    if fmt.name == "jsonld":
        import json

        document = json.loads(text)
        document["@context"] = copy.deepcopy(context_doc["@context"])  # no network in tests
        return Graph().parse(data=json.dumps(document), format="json-ld")
    return Graph().parse(data=text, format=fmt.rdflib_format)


def explain(expected: Graph, got: Graph) -> str:
    _, only_expected, only_got = graph_diff(expected, got)
    return (
        f"missing {len(only_expected)}: {sorted(only_expected)[:3]}\n"
        f"extra {len(only_got)}: {sorted(only_got)[:3]}"
    )


def resources(graph: Graph, base: str) -> list[URIRef]:
    """Minted resources with a document of their own (a hash IRI such as the dataset's
    ``#contact-point`` is part of the document of the IRI before the ``#``)."""
    return sorted(
        {
            s
            for s in graph.subjects()
            if isinstance(s, URIRef) and str(s).startswith(base + "id/") and "#" not in str(s)
        }
    )


def test_every_resource_every_format_is_isomorphic(
    linked_data_server, release_graph, session, context_doc
):
    iris = Iris(linked_data_server.settings.base_iri)
    subjects = resources(release_graph, iris.base)
    assert len(subjects) > 100
    failures = []
    for subject in subjects:
        expected = describe(release_graph, subject, iris)
        # Independently of describe(): all of the resource's own and incoming triples are there.
        assert set(release_graph.triples((subject, None, None))) <= set(expected)
        assert set(release_graph.triples((None, None, subject))) <= set(expected)
        path = "/doc/" + str(subject)[len(iris.base) + 3 :]
        for fmt in RDF_FORMATS:
            response = session.get(linked_data_server.url + path + fmt.suffix, timeout=30)
            assert response.status_code == 200, (path, fmt.name)
            got = parse(response.text, fmt, context_doc)
            if not isomorphic(expected, got):
                failures.append(f"{path}{fmt.suffix}\n{explain(expected, got)}")
    assert failures == [], "\n".join(failures[:5])


def test_ontology_document_is_isomorphic_in_every_format(
    linked_data_server, release_graph, context_doc
):
    iris = Iris(linked_data_server.settings.base_iri)
    expected = describe_ontology(release_graph, iris)
    for fmt in RDF_FORMATS:
        response = linked_data_server.get("/def" + fmt.suffix)
        assert response.status_code == 200
        got = parse(response.text, fmt, context_doc)
        assert isomorphic(expected, got), explain(expected, got)


def test_jsonld_checked_by_pyld_against_turtle(
    linked_data_server, release_graph, session, context_doc
):
    """A second JSON-LD processor (pyld) reads our JSON-LD to the same triples as our Turtle."""
    iris = Iris(linked_data_server.settings.base_iri)
    context_url = (
        linked_data_server.url + "/context/v1.jsonld"
    )  # the documents' relative reference, resolved

    def loader(url, options=None):
        assert url == context_url, f"unexpected remote document {url}"
        return {"contextUrl": None, "documentUrl": url, "document": context_doc}

    for subject in resources(release_graph, iris.base):
        path = "/doc/" + str(subject)[len(iris.base) + 3 :]
        document = session.get(linked_data_server.url + path + ".jsonld", timeout=30).json()
        options = {
            "format": "application/n-quads",
            "base": linked_data_server.url + path + ".jsonld",
            "documentLoader": loader,
        }
        nquads = jsonld.to_rdf(document, options)
        from_pyld = Graph().parse(data=nquads, format="nt")
        from_turtle = Graph().parse(
            data=session.get(linked_data_server.url + path + ".ttl").text, format="turtle"
        )
        assert isomorphic(from_pyld, from_turtle), f"{path}\n{explain(from_turtle, from_pyld)}"
