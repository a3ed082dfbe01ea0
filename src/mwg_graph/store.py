"""The one way any serving process opens a release as an Oxigraph store.

Query processes, pages, descriptions and dumps all read the release through
:func:`open_release_store`, so the choice of store is made here and nowhere else. The choice,
measured (BENCHMARKS.md, "Store choice"): the build writes one on-disk store per release
(``{release}/store/``) and every process opens it read-only. Opening takes milliseconds at any
size, and the processes share the operating system's page cache instead of each holding its own
copy: at 1M triples an in-memory store took ~10 s to load and ~0.5 GB in *each* of the six
processes of a default server.

The store is written into the release's staging folder before the release is published, so a
release and its store appear together or not at all; a missing or damaged store is an error here,
and the release is not served (the last good one keeps serving).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import BlankNode as OxBlankNode
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store
from pyoxigraph import Literal as OxLiteral
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

STORE_DIR = "store"  # inside a release folder
DUMP = "mwg.nt"  # the release's N-Triples dump, which the store is loaded from

_DEFAULT = DefaultGraph()
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class StoreMissing(OSError):
    """The release has no usable store (built before stores, or damaged)."""


def write_release_store(release: Path) -> Path:
    """Write ``{release}/store/`` from the release's N-Triples dump (the build calls this)."""
    path = release / STORE_DIR
    store = Store(str(path))
    store.bulk_load(path=str(release / DUMP), format=RdfFormat.N_TRIPLES)
    store.flush()
    store.optimize()
    del store  # closes the database: a read-only opener must see every file complete
    return path


def open_release_store(release: Path, extra_data: str = "") -> Store:
    """The release in the default graph; ``extra_data`` (TriG or N-Quads) adds named graphs.

    Without ``extra_data`` this is the release's own on-disk store, read-only. With it (the W3C
    protocol tests' graphs: a small release and a small file) the release and the extra graphs are
    loaded into one in-memory store, since a read-only store cannot take the extra graphs.
    """
    path = release / STORE_DIR
    if not (path / "CURRENT").is_file():
        raise StoreMissing(f"the release {release.name} has no store ({path} is missing)")
    if extra_data:
        store = Store()
        store.bulk_load(path=str(release / DUMP), format=RdfFormat.N_TRIPLES)
        extra = Path(extra_data)
        store.bulk_load(
            path=str(extra),
            format=RdfFormat.TRIG if extra.suffix == ".trig" else RdfFormat.N_QUADS,
        )
        return store
    try:
        store = Store.read_only(str(path))
    except OSError as error:
        message = f"the store of release {release.name} cannot be opened: {error}"
        raise StoreMissing(message) from error
    if next(iter(store.quads_for_pattern(None, None, None, _DEFAULT)), None) is None:
        raise StoreMissing(f"the store of release {release.name} is empty")
    return store


# ---- reading the default graph as rdflib terms ---------------------------------------------
# Pages and documents are rendered with rdflib (small graphs, one per page); these convert terms
# at the boundary so nothing else needs to know pyoxigraph's term classes.


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
    store: Store, pattern: tuple[Node | None, Node | None, Node | None]
) -> Iterator[tuple[Node, Node, Node]]:
    """The default graph's triples matching ``pattern`` (``None`` = any), as rdflib terms."""
    s, p, o = pattern
    try:
        found = store.quads_for_pattern(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), _DEFAULT)
    except (TypeError, ValueError):  # e.g. a literal as subject: nothing can match
        return
    for quad in found:
        yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)


def subjects_starting_with(store: Store, prefix: str) -> list[URIRef]:
    """Every IRI subject of the default graph that starts with ``prefix``, sorted.

    The prefix is tested here rather than in the query: Oxigraph then decodes each distinct
    subject once instead of every triple's (2.4 s against 10 s at 1M triples on disk).
    """
    found = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
    return sorted(
        URIRef(row[0].value)
        for row in found  # type: ignore[union-attr]
        if isinstance(row[0], NamedNode) and row[0].value.startswith(prefix)
    )
