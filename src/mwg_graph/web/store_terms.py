"""The release's store read as rdflib terms, for pages and documents.

Pages and documents are rendered with rdflib (a small graph per page, :mod:`describe_resource`);
these functions convert terms at the boundary, so nothing else needs pyoxigraph's term classes.
Kept apart from :mod:`mwg_graph.store` so that query processes, which import that module, never
import rdflib.

With ``--sparql-backend`` the release is a :class:`mwg_graph.web.backend_terms.BackendTerms` instead
of an Oxigraph store, and these functions hand it the lookup: pages and documents then read the
triple store, through the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from pyoxigraph import BlankNode as OxBlankNode
from pyoxigraph import DefaultGraph, NamedNode, Store
from pyoxigraph import Literal as OxLiteral
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node


class RemoteTerms(Protocol):
    """What these functions ask of a release kept in a triple store instead of an Oxigraph store:
    :class:`mwg_graph.web.backend_terms.BackendTerms` (which uses this module, so it is not named
    here)."""

    def triples(
        self, pattern: tuple[Node | None, Node | None, Node | None], graph: str | None = None
    ) -> Iterator[tuple[Node, Node, Node]]: ...

    def prefetch(self, subjects: Iterable[Node]) -> None: ...

    def subjects_starting_with(self, prefix: str) -> list[URIRef]: ...


ReleaseTerms = Store | RemoteTerms  # what a PublishedRelease's ``store`` is

_DEFAULT = DefaultGraph()
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term) -> Node:
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, OxBlankNode):
        return BNode(term.value)
    if isinstance(term, OxLiteral):
        if term.language:
            return Literal(term.value, lang=term.language)
        if (
            term.datatype.value == _XSD_STRING
        ):  # a simple literal, as rdflib reads it from N-Triples
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unexpected term {term!r}")


def to_oxigraph(node: Node | None):
    if node is None:
        return None
    if isinstance(node, URIRef):
        return NamedNode(str(node))
    if isinstance(node, BNode):
        return OxBlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return OxLiteral(str(node), language=node.language)
        if node.datatype:
            return OxLiteral(str(node), datatype=NamedNode(str(node.datatype)))
        return OxLiteral(str(node))
    raise TypeError(f"unexpected node {node!r}")


def triples(
    store: ReleaseTerms,
    pattern: tuple[Node | None, Node | None, Node | None],
    graph: str | None = None,
) -> Iterator[tuple[Node, Node, Node]]:
    """The default graph's triples matching ``pattern`` (``None`` = any), as rdflib terms; with
    ``graph``, the named graph of that IRI's (a partner dataset's, mwg_graph.build.partners)."""
    if not isinstance(store, Store):
        return store.triples(pattern, graph)
    return _local_triples(store, pattern, graph)


def prefetch(store: ReleaseTerms, subjects: Iterable[Node]) -> None:
    """Say that the triples of ``subjects`` are about to be looked up: a triple store behind
    ``--sparql-backend`` reads them in one query instead of one each (a local store needs not)."""
    if not isinstance(store, Store):
        store.prefetch(subjects)


def _local_triples(
    store: Store, pattern: tuple[Node | None, Node | None, Node | None], graph: str | None
) -> Iterator[tuple[Node, Node, Node]]:
    s, p, o = pattern
    name = NamedNode(graph) if graph else _DEFAULT
    try:
        found = store.quads_for_pattern(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name)
    except (TypeError, ValueError):  # e.g. a literal as subject: nothing can match
        return
    for quad in found:
        yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)


def subjects_starting_with(store: ReleaseTerms, prefix: str) -> list[URIRef]:
    """Every IRI subject of the default graph that starts with ``prefix``, sorted.

    The prefix is tested here rather than in the query: Oxigraph then decodes each distinct
    subject once instead of every triple's (2.4 s against 10 s at 1M triples on disk).
    """
    if not isinstance(store, Store):
        return store.subjects_starting_with(prefix)
    found = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
    return sorted(
        URIRef(row[0].value)
        for row in found  # type: ignore[union-attr]
        if isinstance(row[0], NamedNode) and row[0].value.startswith(prefix)
    )
