"""The description of one resource: what every format of ``/doc/…`` serves (docs/LINKED-DATA.md).

The description of a resource R in a release graph G is the union of

1. R's *symmetric concise bounded description*: every triple ``(R, p, o)`` and every triple
   ``(s, p, R)``, following blank nodes on either side to their own concise bounded description
   (W3C Member Submission "CBD", https://www.w3.org/submission/CBD/ §2);
2. the *labels* of every other IRI named in (1): its ``skos:prefLabel``, ``rdfs:label`` and
   ``dcterms:title`` triples, so that a page or a client can name each linked resource.

The ontology ``{base}def`` is described as one document: the description of the ontology IRI, plus
the concise bounded description of every term ``{base}def#…`` and its labels.

There is exactly one function per kind of document (:func:`describe`, :func:`describe_ontology`),
used by HTML, Turtle, JSON-LD, N-Triples and RDF/XML alike, so "every format says the same" is a
testable statement: each format parses to a graph isomorphic to this one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from .namespaces import Iris

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)


def _bnode_closure(graph: Graph, start: Iterable[Node], out: Graph) -> None:
    pending = [n for n in start if isinstance(n, BNode)]
    seen: set[Node] = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in graph.triples((node, None, None)):
            out.add(triple)
            if isinstance(triple[2], BNode):
                pending.append(triple[2])


def _add_labels(graph: Graph, description: Graph, skip: set[Node]) -> None:
    named = {n for t in list(description) for n in (t[0], t[2]) if isinstance(n, URIRef)}
    for node in named - skip:
        for prop in LABEL_PROPERTIES:
            for label in graph.objects(node, prop):
                description.add((node, prop, label))


def _new_graph(iris: Iris) -> Graph:
    return iris.bind_prefixes(Graph())


def describe(graph: Graph, resource: URIRef, iris: Iris) -> Graph:
    """The description of ``resource`` (see the module docstring)."""
    description = _new_graph(iris)
    outgoing = list(graph.triples((resource, None, None)))
    incoming = list(graph.triples((None, None, resource)))
    for triple in outgoing + incoming:
        description.add(triple)
    _bnode_closure(graph, [o for _, _, o in outgoing] + [s for s, _, _ in incoming], description)
    _add_labels(graph, description, {resource})
    return description


def ontology_terms(graph: Graph, iris: Iris) -> list[URIRef]:
    prefix = str(iris.terms)
    return sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(prefix)}
    )


def describe_ontology(graph: Graph, iris: Iris) -> Graph:
    """The ontology document: the ontology IRI's description plus every term's own triples."""
    description = describe(graph, iris.ontology, iris)
    terms = ontology_terms(graph, iris)
    for term in terms:
        for triple in graph.triples((term, None, None)):
            description.add(triple)
        _bnode_closure(graph, list(graph.objects(term, None)), description)
    _add_labels(graph, description, {iris.ontology, *terms})
    return description


def exists(graph: Graph, resource: URIRef) -> bool:
    """A resource the release describes: it is the subject of at least one triple."""
    return (resource, None, None) in graph


class Memo:
    """Values computed once per (release version, key); a new release drops them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._values: dict[object, object] = {}

    def get(self, version: str, key: object, compute: Callable[[], object]) -> object:
        with self._lock:
            if version != self._version:
                self._version, self._values = version, {}
            if key in self._values:
                return self._values[key]
        value = compute()
        with self._lock:
            if version == self._version:
                self._values[key] = value
        return value


memo = Memo()
