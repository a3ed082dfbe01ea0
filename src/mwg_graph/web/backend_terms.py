"""The release in the SPARQL backend, read as rdflib terms for pages and documents.

With ``--sparql-backend`` a :class:`BackendTerms` stands where the release's own Oxigraph store
stands otherwise (:class:`mwg_graph.web.releases.PublishedRelease` ``.store``), and
:mod:`mwg_graph.web.store_terms` hands it every lookup, so pages and documents show what the store
holds, exactly as ``/sparql`` does.

* **The same guards.** Lookups go out through :class:`mwg_graph.sparql.backend.RemoteStore`: only
  to the configured query endpoint, only read queries we write ourselves, with an explicit dataset
  (the release's graph, the partner graphs), answers read whole lines at a time within row and
  byte bounds, the HTTP timeout and a deadline of ``--query-timeout`` each. An answer over the
  bounds is an error, never a page with facts missing.
* **One release.** Every lookup also reads the store's record of the release it holds
  (:mod:`mwg_graph.sparql.backend_record`) in the same query, so in the same snapshot of the store:
  a lookup answered from another release raises :class:`BackendOtherRelease` (503, in plain words),
  so a page never mixes two releases.
* **Cached per release.** One object per served release remembers its lookups (least recently
  used first out, at most :data:`CACHE_TRIPLES` triples), so a page view is not a query per fact
  each time; :func:`prefetch` reads the descriptions of many subjects in one query.
* **Blank nodes** cannot be named in a query to another store: a lookup on one finds nothing. The
  release has none (tests/test_sparql_backend.py); a partner graph's are shown as they are linked.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode
from rdflib import BNode, URIRef
from rdflib.term import Node
from werkzeug.exceptions import BadGateway, ServiceUnavailable

from mwg_graph.config import Settings
from mwg_graph.iris import Iris
from mwg_graph.sparql.backend import BackendFailed, RemoteStore, named_graphs_of
from mwg_graph.sparql.backend_record import mismatch_message, record_graph, record_pattern
from mwg_graph.web.store_terms import to_oxigraph, to_rdflib

log = logging.getLogger("mwg_graph.backend")

PAGE_MAX_ROWS = 200_000  # one lookup (the subjects of the release at 1M triples: ~100k)
PAGE_MAX_BYTES = 64 * 2**20
CACHE_TRIPLES = 200_000  # remembered per release (~100 MB of rdflib terms at most)
PREFETCH_BATCH = 200  # subjects per prefetch query
RELEASE_VARIABLE = "?mwgRelease"
FOUND_VARIABLE = "?mwgFound"

Triple = tuple[Node, Node, Node]
Key = tuple[str | None, Node | None, Node | None, Node | None]


class BackendOtherRelease(ServiceUnavailable):
    """503: the store holds another release than this server serves (or none)."""

    def get_headers(self, environ=None, scope=None):
        return [*super().get_headers(environ, scope), ("Retry-After", "5")]


class BackendDown(BadGateway):
    """502: the store could not be reached or answered something unusable (detail logged)."""


class BackendTerms:
    """Lookups on the release ``version`` in the store behind ``settings.sparql_backend``."""

    def __init__(self, settings: Settings, release: Path, version: str) -> None:
        self.version = version
        self.settings = settings
        self.release_graph = str(Iris(settings.base_iri).dataset)
        self.record = record_graph(settings.base_iri)
        self.partners = named_graphs_of(release, "")
        self._local = threading.local()  # a RemoteStore is not thread-safe: one per thread
        self._lock = threading.Lock()
        self._cache: OrderedDict[Key, tuple[Triple, ...]] = OrderedDict()
        self._cached_triples = 0

    # -- what store_terms asks ---------------------------------------------------------------

    def triples(
        self, pattern: tuple[Node | None, Node | None, Node | None], graph: str | None = None
    ) -> Iterator[Triple]:
        s, p, o = pattern
        if any(isinstance(term, BNode) for term in pattern):
            return iter(())  # cannot be named in a query to another store (module docstring)
        found = self._cached((graph, s, p, o))
        if found is None and p is not None and o is None and s is not None:
            whole = self._cached((graph, s, None, None))  # a subject read by prefetch
            if whole is not None:
                found = tuple(t for t in whole if t[1] == p)
        if found is None:
            found = self._lookup(graph, s, p, o)
            self._remember((graph, s, p, o), found)
        return iter(found)

    def subjects_starting_with(self, prefix: str) -> list[URIRef]:
        """Every IRI subject of the release's graph that starts with ``prefix``, sorted."""
        inner = (
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
            f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {OxLiteral(prefix)})) }}"
        )
        rows = self._select(f"{{ {inner} }}", ["s"])
        return sorted(URIRef(str(row[0])) for row in rows)

    def prefetch(self, subjects: Iterable[Node]) -> None:
        """Read the triples of every subject not yet read, ``PREFETCH_BATCH`` per query."""
        wanted = [
            s
            for s in dict.fromkeys(subjects)
            if isinstance(s, URIRef) and self._cached((None, s, None, None)) is None
        ]
        for start in range(0, len(wanted), PREFETCH_BATCH):
            batch = wanted[start : start + PREFETCH_BATCH]
            values = " ".join(str(to_oxigraph(s)) for s in batch)
            rows = self._select(f"{{ VALUES ?s {{ {values} }} ?s ?p ?o }}", ["s", "p", "o"])
            found: dict[Node, list[Triple]] = {s: [] for s in batch}
            for s, p, o in rows:
                found[s].append((s, p, o))
            for s, triples in found.items():
                self._remember((None, s, None, None), tuple(triples))

    def held_releases(self) -> list[str]:
        """The releases the store's record names, asked now (for ``/healthz``)."""
        return self._store().held_releases()

    # -- the queries ---------------------------------------------------------------------------

    def _lookup(self, graph: str | None, s: Node | None, p: Node | None, o: Node | None):
        names = {"s": s, "p": p, "o": o}
        unbound = [name for name, term in names.items() if term is None]
        text = " ".join(
            f"?{name}" if term is None else str(to_oxigraph(term)) for name, term in names.items()
        )
        pattern = f"{{ GRAPH {NamedNode(graph)} {{ {text} }} }}" if graph else f"{{ {text} }}"
        triples = []
        for row in self._select(pattern, unbound):
            values = dict(zip(unbound, row, strict=True))
            triples.append(tuple(values.get(name, names[name]) for name in ("s", "p", "o")))
        return tuple(triples)  # type: ignore[arg-type]

    def _select(self, group: str, variables: list[str]) -> list[tuple[Node, ...]]:
        """Rows of ``variables`` matching ``group`` in the release, checked against the record in
        the same query (which answers one row without ``?mwgFound`` when nothing matches)."""
        projection = " ".join(f"?{v}" for v in variables)
        query = (
            f"SELECT {RELEASE_VARIABLE} {FOUND_VARIABLE} {projection} WHERE {{ "
            f"GRAPH <{self.record}> {{ {record_pattern(self.release_graph, RELEASE_VARIABLE)} }} "
            f"OPTIONAL {{ {group} BIND(true AS {FOUND_VARIABLE}) }} }}"
        )
        store = self._store()
        try:
            solutions = store.query(query, base_iri=self.release_graph, prefixes={})
            rows = [tuple(solution) for solution in solutions]
        except BackendFailed as failed:
            raise _down(str(failed)) from None
        except (SyntaxError, ValueError, OSError) as error:
            raise _down(f"the SPARQL backend's answer cannot be read: {error}") from None
        if store.late:
            raise _down(f"the SPARQL backend took over {self.settings.query_timeout:g} s")
        if store.cut or len(rows) > PAGE_MAX_ROWS:
            raise _down(f"a page lookup found over {PAGE_MAX_ROWS} rows or {PAGE_MAX_BYTES} bytes")
        held = sorted({row[0].value for row in rows if row[0] is not None})
        if held != [self.version]:
            raise BackendOtherRelease(mismatch_message(held, self.version))
        return [tuple(to_rdflib(t) for t in row[2:]) for row in rows if row[1] is not None]

    def _store(self) -> RemoteStore:
        store = getattr(self._local, "store", None)
        if store is None:
            store = RemoteStore(
                self.settings.sparql_backend,
                self.release_graph,
                [*self.partners, self.record],
                self.settings.query_timeout,
                PAGE_MAX_ROWS,
                PAGE_MAX_BYTES,
                record=self.record,
                reading_seconds=self.settings.query_timeout,
            )
            self._local.store = store
        return store

    # -- the cache -----------------------------------------------------------------------------

    def _cached(self, key: Key) -> tuple[Triple, ...] | None:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def _remember(self, key: Key, triples: tuple[Triple, ...]) -> None:
        with self._lock:
            if key in self._cache:
                return
            self._cache[key] = triples
            self._cached_triples += len(triples) + 1
            while self._cached_triples > CACHE_TRIPLES and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                self._cached_triples -= len(dropped) + 1


def _down(detail: str) -> BackendDown:
    error_id = secrets.token_hex(4)
    log.error("SPARQL backend, for a page [error id %s]: %s", error_id, detail)
    return BackendDown(
        "The triple store this server reads its pages from could not answer; the error has been "
        f"logged (error id {error_id})."
    )
