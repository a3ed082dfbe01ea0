"""SPARQL answers in each format, written by Oxigraph's own serialisers, capped in rows and bytes.

* SELECT: SPARQL 1.1 Query Results JSON, XML, CSV and TSV (https://www.w3.org/TR/sparql11-results-json/,
  https://www.w3.org/TR/rdf-sparql-XMLres/, https://www.w3.org/TR/sparql11-results-csv-tsv/);
* ASK: JSON and XML; CSV and TSV as a one-cell table (``_askResult`` / ``true``), as Jena does;
* CONSTRUCT / DESCRIBE: the RDF formats of :mod:`mwg_graph.formats`, with the graph's prefixes.

This module is the one table of what each kind of query can be answered in (:data:`SELECT_OFFERS`,
:data:`ASK_OFFERS`, :data:`GRAPH_OFFERS`), which the endpoint negotiates over, and of the natural
counterparts it falls back to (:data:`FALLBACKS`): clients send one Accept header for every query
form, so a JSON client asking a CONSTRUCT gets JSON-LD, an XML client RDF/XML, and a client asking
JSON-LD or RDF/XML of a SELECT gets SPARQL JSON or XML results — as Fuseki and Virtuoso answer. A
406 is left only where nothing sensible exists (a table for a graph, a graph for a table).

**Caps.** Every write goes into a :class:`_Bounded` buffer that stops Oxigraph's serialiser as soon
as ``max_bytes`` is reached, so a huge answer never exists in memory. To cut at a row, and still
send a well-formed document, the answer is first written in its line format — TSV for solutions,
N-Triples for triples, one row per line, newlines inside terms escaped — where a row boundary is a
newline; the first ``max_rows`` lines that fit are then parsed back by Oxigraph and written in the
wanted format (TSV and N-Triples go out as they are). If that document is still over the byte cap
(JSON is wordier than TSV), half the rows are tried, and so on. Both round trips are exact: the TSV
and N-Triples forms spell out every term.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    parse,
    parse_query_results,
    serialize,
)

from mwg_graph.formats import RDF_FORMATS, negotiate


@dataclass(frozen=True)
class ResultFormat:
    name: str  # used in ?format=
    media_type: str
    oxigraph: QueryResultsFormat
    boolean: bool  # can it carry an ASK answer?
    also: tuple[str, ...] = ()  # other media types that mean the same


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json",
        "application/sparql-results+json",
        QueryResultsFormat.JSON,
        True,
        ("application/json",),
    ),
    ResultFormat(
        "xml",
        "application/sparql-results+xml",
        QueryResultsFormat.XML,
        True,
        ("application/xml", "text/xml"),
    ),
    ResultFormat("csv", "text/csv", QueryResultsFormat.CSV, True),
    ResultFormat("tsv", "text/tab-separated-values", QueryResultsFormat.TSV, True),
)
# An ASK answer as a one-cell table (Oxigraph writes only the bare word, without a header).
BOOLEAN_TABLES = {
    QueryResultsFormat.CSV: "_askResult\r\n{}\r\n",
    QueryResultsFormat.TSV: "?_askResult\n{}\n",
}


def offers(formats) -> list[str]:
    """Media types to negotiate over: each format's own type first, then its aliases."""
    formats = list(formats)
    return [f.media_type for f in formats] + [alias for f in formats for alias in f.also]


SELECT_OFFERS = offers(RESULT_FORMATS)
ASK_OFFERS = offers(f for f in RESULT_FORMATS if f.boolean)
GRAPH_OFFERS = offers(RDF_FORMATS)


# What a client that accepts none of a query form's own formats gets instead: requested media
# type → the natural counterpart for that form (module doc).
_TABLE_FALLBACKS = {
    "application/ld+json": "application/sparql-results+json",
    "application/x-json+ld": "application/sparql-results+json",
    "application/rdf+xml": "application/sparql-results+xml",
}
FALLBACKS: dict[str, dict[str, str]] = {
    "SELECT": _TABLE_FALLBACKS,
    "ASK": _TABLE_FALLBACKS,
    "GRAPH": {
        "application/sparql-results+json": "application/ld+json",
        "application/x-json+ld": "application/ld+json",
        "text/javascript": "application/ld+json",
        "application/sparql-results+xml": "application/rdf+xml",
    },
}


def offers_for(kind: str) -> list[str]:
    return {"SELECT": SELECT_OFFERS, "ASK": ASK_OFFERS}.get(kind, GRAPH_OFFERS)


@functools.lru_cache(maxsize=256)
def choose(accept: str | None, kind: str) -> str | None:
    """The media type to answer a ``kind`` query in ("SELECT", "ASK" or "GRAPH"): the best of its
    own formats the client accepts, else the natural counterpart of one it accepts, else None.

    Every query asks this three times (its form is only known in the query process), and clients
    send the same few Accept headers again and again: the answers are remembered (a bounded
    cache, so odd headers only push each other out), which took negotiation off the request path.
    """
    own = negotiate(accept, offers_for(kind))
    if own is not None:
        return own
    counterparts = FALLBACKS[kind]
    wanted = negotiate(accept, list(counterparts))
    return counterparts[wanted] if wanted else None


def result_format_by_media_type(media_type: str) -> ResultFormat | None:
    return next((f for f in RESULT_FORMATS if media_type in (f.media_type, *f.also)), None)


def _graph_format(media_type: str) -> tuple[str, RdfFormat] | None:
    for f in RDF_FORMATS:
        if media_type in (f.media_type, *f.also):
            return f.media_type, RdfFormat.from_media_type(f.media_type)
    return None


@dataclass(frozen=True)
class Written:
    body: bytes
    media_type: str
    rows: int = 0
    cut: str | None = None  # "rows" or "bytes" when not everything was sent


class _Full(Exception):
    """The answer reached its byte cap; raised from ``write`` to stop Oxigraph's serialiser."""


class _Bounded:
    """A binary file that keeps at most ``limit`` bytes (and, if given, at most ``max_lines``
    whole lines and a part of the next) and then stops the writer.

    Oxigraph evaluates lazily, as its serialiser pulls rows: stopping the writer once a row over
    the row cap is written stops the query too. (Writing every row and cutting afterwards made a
    10,000-row answer of a 24,000-row match cost the whole match: ``12-find-by-name`` at 1M.)
    """

    def __init__(self, limit: int, max_lines: int | None = None) -> None:
        self.limit = limit
        self.max_lines = max_lines
        self.lines = 0
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        room = self.limit - self.size
        full = len(data) > room
        chunk = bytes(data[:room]) if full else bytes(data)
        self.parts.append(chunk)
        self.size += len(chunk)
        if self.max_lines is not None:
            self.lines += chunk.count(b"\n")
            full = full or self.lines > self.max_lines
        if full:
            raise _Full
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


def _write(
    serialiser: Callable[[IO[bytes]], object], limit: int, max_lines: int | None = None
) -> tuple[bytes, bool]:
    out = _Bounded(limit, max_lines)
    try:
        serialiser(out)  # type: ignore[arg-type]
    except _Full:
        return out.value(), True
    return out.value(), False


def _first_lines(text: bytes, count: int) -> bytes:
    """The first ``count`` whole lines of ``text``."""
    end = 0
    for _ in range(count):
        end = text.index(b"\n", end) + 1
    return text[:end]


def _cap_lines(
    write_lines: Callable[[IO[bytes]], object], header: int, max_rows: int, max_bytes: int
) -> tuple[bytes, int, str | None]:
    """Lines written by ``write_lines``, at most ``max_rows`` rows after ``header`` lines."""
    text, full = _write(write_lines, max_bytes, header + max_rows)
    cut = None
    if full:
        text = text[: text.rfind(b"\n") + 1]  # whole lines only
        cut = "bytes"
    rows = text.count(b"\n") - header
    if rows < 0:
        raise AnswerTooLarge(max_bytes)
    if rows > max_rows:
        text, rows, cut = _first_lines(text, header + max_rows), max_rows, "rows"
    return text, rows, cut


class AnswerTooLarge(Exception):
    """Not even the answer's first line fits in ``max_result_bytes``."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Not even the first line of the answer fits in {limit} bytes, the answer size limit "
            "of this endpoint (setting max_result_bytes)."
        )


def _shrink(
    lines: bytes, header: int, rows: int, cut: str | None, rewrite, max_bytes: int
) -> tuple[bytes, int, str | None]:
    """``rewrite(lines)`` in the wanted format, halving the rows until it fits in ``max_bytes``."""
    while True:
        body, full = _write(lambda out, lines=lines: rewrite(lines, out), max_bytes)
        if not full:
            return body, rows, cut
        if rows == 0:
            raise AnswerTooLarge(max_bytes)
        rows, cut = rows // 2, "bytes"
        lines = _first_lines(lines, header + rows)


def write_solutions(
    solutions: QuerySolutions, media_type: str | None, max_rows: int, max_bytes: int
) -> Written | None:
    fmt = result_format_by_media_type(media_type) if media_type else None
    if fmt is None:
        return None
    tsv, rows, cut = _cap_lines(
        lambda out: solutions.serialize(out, QueryResultsFormat.TSV), 1, max_rows, max_bytes
    )
    if fmt.oxigraph == QueryResultsFormat.TSV:
        return Written(tsv, fmt.media_type, rows, cut)

    def rewrite(lines: bytes, out: IO[bytes]) -> None:
        parse_query_results(lines, QueryResultsFormat.TSV).serialize(out, fmt.oxigraph)

    body, rows, cut = _shrink(tsv, 1, rows, cut, rewrite, max_bytes)
    return Written(body, fmt.media_type, rows, cut)


def write_boolean(answer: QueryBoolean, media_type: str | None) -> Written | None:
    fmt = result_format_by_media_type(media_type) if media_type else None
    if fmt is None or not fmt.boolean:
        return None
    if fmt.oxigraph in BOOLEAN_TABLES:
        body = BOOLEAN_TABLES[fmt.oxigraph].format(str(bool(answer)).lower()).encode()
        return Written(body, fmt.media_type, 1)
    return Written(answer.serialize(format=fmt.oxigraph), fmt.media_type, 1)


def write_triples(
    triples: QueryTriples,
    media_type: str | None,
    prefixes: dict[str, str],
    max_rows: int,
    max_bytes: int,
) -> Written | None:
    found = _graph_format(media_type) if media_type else None
    if found is None:
        return None
    name, fmt = found
    nt, rows, cut = _cap_lines(
        lambda out: triples.serialize(out, RdfFormat.N_TRIPLES), 0, max_rows, max_bytes
    )
    if fmt == RdfFormat.N_TRIPLES:
        return Written(nt, name, rows, cut)

    used = {p: ns for p, ns in prefixes.items() if ns.encode() in nt}  # declare only those used

    def rewrite(lines: bytes, out: IO[bytes]) -> None:
        serialize(parse(lines, RdfFormat.N_TRIPLES), out, fmt, prefixes=used)

    body, rows, cut = _shrink(nt, 0, rows, cut, rewrite, max_bytes)
    return Written(body, name, rows, cut)
