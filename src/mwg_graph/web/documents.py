"""The description of one resource: what every format of ``/doc/…`` serves (docs/LINKED-DATA.md).

The description of a resource R in a release graph G is the union of

1. R's *symmetric concise bounded description*: every triple ``(R, p, o)`` and every triple
   ``(s, p, R)``, following blank nodes on either side to their own concise bounded description
   (W3C Member Submission "CBD", https://www.w3.org/submission/CBD/ §2);
2. the *labels* of every other IRI named in (1): its ``skos:prefLabel``, ``rdfs:label`` and
   ``dcterms:title`` triples, so that a page or a client can name each linked resource.

The ontology ``{base}def`` is described as one document: the description of the ontology IRI, plus
the concise bounded description of every term ``{base}def#…`` the ontology defines
(``rdfs:isDefinedBy``) and its labels.

There is exactly one function per kind of document (:func:`describe`, :func:`describe_ontology`),
used by HTML, Turtle, JSON-LD, N-Triples and RDF/XML alike, so "every format says the same" is a
testable statement: each format parses to a graph isomorphic to this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pyoxigraph import Store
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from mwg_graph.iris import Iris
from mwg_graph.web import store_terms
from mwg_graph.web.state import state

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)

# Where descriptions are read from: the served release's Oxigraph store, or an rdflib graph of the
# dump (the tests check the served documents against the dump that way).
Source = Store | Graph  # or a BackendTerms: the release in the SPARQL backend (store_terms)
Pattern = tuple[Node | None, Node | None, Node | None]


def _triples(source: Source, pattern: Pattern) -> Iterator[tuple[Node, Node, Node]]:
    if isinstance(source, Graph):
        return iter(source.triples(pattern))
    return store_terms.triples(source, pattern)


def _bnode_closure(source: Source, start: Iterable[Node], out: Graph) -> None:
    pending = [n for n in start if isinstance(n, BNode)]
    seen: set[Node] = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in _triples(source, (node, None, None)):
            out.add(triple)
            if isinstance(triple[2], BNode):
                pending.append(triple[2])


def _add_labels(source: Source, description: Graph, skip: set[Node]) -> None:
    named = {n for t in list(description) for n in (t[0], t[2]) if isinstance(n, URIRef)}
    if not isinstance(source, Graph):
        store_terms.prefetch(source, named - skip)
    for node in named - skip:
        for prop in LABEL_PROPERTIES:
            for triple in _triples(source, (node, prop, None)):
                description.add(triple)


def _new_graph(iris: Iris) -> Graph:
    return iris.bind_prefixes(Graph())


def describe(source: Source, resource: URIRef, iris: Iris) -> Graph:
    """The description of ``resource`` (see the module docstring)."""
    description = _new_graph(iris)
    outgoing = list(_triples(source, (resource, None, None)))
    incoming = list(_triples(source, (None, None, resource)))
    for triple in outgoing + incoming:
        description.add(triple)
    _bnode_closure(source, [o for _, _, o in outgoing] + [s for s, _, _ in incoming], description)
    _add_labels(source, description, {resource})
    return description


def ontology_terms(source: Source, iris: Iris) -> list[URIRef]:
    """The terms ``{base}def#…`` the ontology defines (``rdfs:isDefinedBy`` it; every term does,
    tests/test_ontology.py): one index lookup, where listing every subject of the release would
    scan it all."""
    prefix = str(iris.terms)
    found = (s for s, _, _ in _triples(source, (None, RDFS.isDefinedBy, iris.ontology)))
    return sorted({s for s in found if isinstance(s, URIRef) and str(s).startswith(prefix)})


def describe_ontology(source: Source, iris: Iris) -> Graph:
    """The ontology document: the ontology IRI's description plus every term's own triples."""
    description = describe(source, iris.ontology, iris)
    terms = ontology_terms(source, iris)
    for term in terms:
        own = list(_triples(source, (term, None, None)))
        for triple in own:
            description.add(triple)
        _bnode_closure(source, [o for _, _, o in own], description)
    _add_labels(source, description, {iris.ontology, *terms})
    return description


def exists(source: Source, resource: URIRef) -> bool:
    """A resource the release describes: it is the subject of at least one triple."""
    return next(_triples(source, (resource, None, None)), None) is not None


def holds(source: Source, triple: tuple[Node, Node, Node]) -> bool:
    return next(_triples(source, triple), None) is not None


def around(source: Source, nodes: Iterable[Node], iris: Iris, hops: int = 1) -> Graph:
    """The triples of ``nodes`` and of what they link to, up to ``hops`` links away (outgoing only).

    What a page renders beside a resource's own facts: the names, positions and coordinates of
    the resources it links to (``hops=1``), or of theirs (``hops=2``, the network's home page).
    Only outgoing links are followed, so a class or a shared concept never pulls in its instances.
    """
    graph = _new_graph(iris)
    frontier: set[Node] = set(nodes)
    seen: set[Node] = set()
    for depth in range(hops + 1):
        found: set[Node] = set()
        if not isinstance(source, Graph):
            store_terms.prefetch(source, frontier - seen)
        for node in frontier - seen:
            seen.add(node)
            own = list(_triples(source, (node, None, None)))
            for triple in own:
                graph.add(triple)
            _bnode_closure(source, [o for _, _, o in own], graph)
            if depth < hops:
                found.update(o for _, _, o in own if isinstance(o, URIRef))
        frontier = found
    return graph


def for_page(
    source: Source, description: Graph, nodes: Iterable[Node], iris: Iris, hops: int = 1
) -> Graph:
    """``description`` plus what its page shows beside it: :func:`around` ``nodes`` (one link, for
    the coordinates of an organisation's provinces and the files of a dataset) and the triples of
    every property the description uses (their names, from the ontology)."""
    graph = around(source, nodes, iris, hops=hops)
    graph += description
    predicates = {p for _, p, _ in description}
    if not isinstance(source, Graph):
        store_terms.prefetch(source, predicates)
    for predicate in predicates:
        for triple in _triples(source, (predicate, None, None)):
            graph.add(triple)
    return graph


def in_named_graph(store: Store, resource: URIRef, graph: str, iris: Iris) -> Graph:
    """What the named graph ``graph`` (a partner dataset) says about ``resource`` and what in it
    links to ``resource``, with that graph's own labels of the other resources: the partner
    section of a page. Never merged into :func:`describe`, which is MWG's default graph only."""
    found = _new_graph(iris)
    for pattern in ((resource, None, None), (None, None, resource)):
        for triple in store_terms.triples(store, pattern, graph):
            found.add(triple)
    named = {n for t in list(found) for n in (t[0], t[2]) if isinstance(n, URIRef)}
    for node in named - {resource}:
        for prop in LABEL_PROPERTIES:
            for triple in store_terms.triples(store, (node, prop, None), graph):
                found.add(triple)
    return found


def shared_around(
    version: str, source: Source, nodes: Iterable[Node], iris: Iris, hops: int = 1
) -> Graph:
    """:func:`around`, read once per release: for what many pages show beside their own facts
    (the dataset for the citation, the network and its roles for every member). The graph is
    shared, so it must only be read."""
    wanted = tuple(nodes)
    key = ("around", wanted, hops)
    return state().memo.get(version, key, lambda: around(source, wanted, iris, hops=hops))  # type: ignore[return-value]
