"""Another engine behind the same service: a remote SPARQL endpoint holding the published release.

With ``sparql_backend`` set, each query process holds a :class:`RemoteStore` instead of the
release's Oxigraph store. It answers :meth:`RemoteStore.query` like ``pyoxigraph.Store.query``
does, with pyoxigraph's own result objects parsed from the backend's answer as it streams in, so
everything after it — the guard before, the row and byte caps, our formats and negotiation, the
result cache, ETags, CORS, the time limit that kills the query process — is the service's, unchanged
(:mod:`.engine`, :mod:`.workers`, :mod:`.service`).

* **Syntax first, here.** The query is parsed by Oxigraph in the query process against an empty
  store (lazy: nothing is evaluated for SELECT and CONSTRUCT), so a syntax error gets our own 400
  with its position, and the backend only ever receives queries that parse.
* **Only graphs we hold.** The backend always gets an explicit protocol dataset
  (``default-graph-uri``, ``named-graph-uri``), which overrides any ``FROM`` in the query
  (SPARQL 1.1 Protocol §2.1.4). By default that is the release's graph as the default graph and the
  partner (and ``extra_data``) graphs as named graphs — the same dataset the local engine gives;
  ``FROM``/``FROM NAMED`` (found by the guard's tokenizer) or the request's own dataset are kept
  only where they name one of those graphs, anything else becomes an empty graph. So a query never
  reads the store's own default graph or anyone else's graphs in a shared store, whatever the
  store's union-default-graph setting.
* **Bounded reading.** The answer is asked for in a line format (TSV, N-Triples; JSON for ASK) and
  read whole lines at a time, at most ``max_rows + 1`` rows and ``max_bytes`` bytes: more would be
  cut anyway. When the byte bound stopped the reading, the answer is marked cut (``cut``).
* **Time.** The HTTP read timeout is the query time limit; the query process itself is killed at
  the limit (:mod:`.workers`), so a backend that stalls mid-answer costs no more than a slow query.
  A reader in a server thread (:mod:`mwg_graph.web.backend_terms`), which nothing kills, also gives
  a ``deadline``: reading stops there and the lookup fails.
* **One release.** With ``version`` set, the store's record of the release it holds
  (:mod:`mwg_graph.sparql.backend_record`) is read before the query is sent and again once its
  answer has been read whole (bounded, as above): unless both name ``version``, the answer is
  refused (503, saying which release the store holds), so an answer from another release is never
  served, nor cached, as this one's.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from urllib.parse import urlencode, urljoin

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    QueryResultsFormat,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
    serialize,
)

from mwg_graph.remote_http import RemoteError, open_request
from mwg_graph.sparql.backend_record import ReleaseMismatch, check_held, record_pattern
from mwg_graph.sparql.guard import tokens
from mwg_graph.store import PARTNER_QUADS

TSV = "text/tab-separated-values"
N_TRIPLES = "application/n-triples"
RESULTS_JSON = "application/sparql-results+json"


class BackendFailed(Exception):
    """The backend is unreachable, refused the query, or sent an answer we cannot read.

    ``status``: 400 when the backend refused the query itself (a 4xx: the client's to fix),
    else 502 (the message is then logged, never sent); 503 with ``kind`` "release" when the
    backend holds another release (the message, which names only versions, is sent).
    """

    def __init__(self, message: str, status: int = 502, kind: str = "backend") -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


class _Lines:
    """A file over the backend's answer that hands out whole lines, within row and byte bounds.

    A line is taken whole or not at all, but handed out no more than ``size`` bytes at a time:
    pyoxigraph's reader panics when a read returns more than it asked for (a line over 1 kB).
    """

    def __init__(
        self, response, max_lines: int, max_bytes: int, deadline: float | None = None
    ) -> None:
        self.response = response
        self.lines_left = max_lines
        self.bytes_left = max_bytes
        self.deadline = deadline  # time.monotonic() after which reading stops
        self.cut = False
        self.late = False
        self._pending = b""  # the rest of the last line taken

    def read(self, size: int = -1) -> bytes:
        if not self._pending:
            self._pending = self._next_line()
        if size is None or size < 0:
            size = len(self._pending)
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk

    def _next_line(self) -> bytes:
        if self.lines_left <= 0:
            return b""
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.late = True
            self.lines_left = 0
            return b""
        line = self.response.readline(self.bytes_left + 1)
        if len(line) > self.bytes_left:  # this line would not fit: stop before it
            self.cut = True
            self.lines_left = 0
            return b""
        self.bytes_left -= len(line)
        self.lines_left -= 1
        return line


class _Triples:
    """What ``write_triples`` needs of ``QueryTriples``: ``serialize(out, format)``."""

    def __init__(self, triples) -> None:
        self.triples = triples

    def serialize(self, output, format: RdfFormat) -> None:
        serialize(self.triples, output, format)


class RemoteStore:
    """Queries go to ``endpoint``, on ``release_graph`` and the ``named`` graphs only."""

    def __init__(
        self,
        endpoint: str,
        release_graph: str,
        named: list[str],
        timeout: float,
        max_rows: int,
        max_bytes: int,
        record: str = "",
        version: str = "",
        reading_seconds: float | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.record = record  # the graph of the store's release record (.backend_record)
        self.version = version  # with ``record``: the release every answer must come from
        self.reading_seconds = reading_seconds  # each answer's reading stops after it (a deadline)
        self.release_graph = release_graph
        self.named = named
        self.held = {release_graph, *named}
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.empty_graph = release_graph + "#none"  # a graph no one writes: an empty dataset
        self._syntax = Store()
        self._reader: _Lines | None = None
        self._response = None  # the last answer's connection, closed when the next query comes

    @property
    def cut(self) -> bool:
        """Whether the last answer was cut while being read (by the byte bound)."""
        return self._reader is not None and self._reader.cut

    @property
    def late(self) -> bool:
        """Whether reading the last answer stopped at ``reading_seconds``."""
        return self._reader is not None and self._reader.late

    def _lines(self, response, form: str) -> _Lines:
        header = 1 if form == "SELECT" else 0
        deadline = None
        if self.reading_seconds is not None:
            deadline = time.monotonic() + self.reading_seconds
        self._reader = _Lines(response, self.max_rows + 1 + header, self.max_bytes, deadline)
        return self._reader

    def query(
        self,
        query: str,
        *,
        base_iri: str,
        prefixes: dict[str, str],
        use_default_graph_as_union: bool = False,
        default_graph=None,
        named_graphs=None,
    ):
        self._reader = None
        if self._response is not None:  # the rest of a cut answer is not wanted: hang up
            self._response.close()
            self._response = None
        # Our own parser's verdict (and error message) first; evaluation over nothing is lazy.
        self._syntax.query(query, base_iri=base_iri, prefixes=prefixes)
        form = query_form(query)
        if default_graph is None and named_graphs is None:
            default, named = self._query_dataset(query, base_iri, prefixes)
        else:
            default = [g.value for g in default_graph or () if isinstance(g, NamedNode)]
            named = [g.value for g in named_graphs or ()]
        default = [g for g in default if g in self.held] or [self.empty_graph]
        named = [g for g in named if g in self.held] or [self.empty_graph]
        params = [("query", _prologue(base_iri, prefixes) + query)]
        params += [("default-graph-uri", g) for g in default]
        params += [("named-graph-uri", g) for g in named]
        accept = {"ASK": RESULTS_JSON, "SELECT": TSV}.get(form, N_TRIPLES)
        if self.version:
            self.check_release()
        response = self._response = self._send(params, accept)
        try:
            if self.version:  # read it whole (bounded), then look at the record again
                answer = io.BytesIO(self._read_answer(response, form))
                self.check_release()
                return self._parse(answer, form)
            if form == "ASK":
                return parse_query_results(response.read(65536), QueryResultsFormat.JSON)
            return self._parse(self._lines(response, form), form)
        except (SyntaxError, ValueError, OSError) as error:
            raise BackendFailed(f"the SPARQL backend's answer cannot be read: {error}") from None

    def _read_answer(self, response, form: str) -> bytes:
        if form == "ASK":
            return response.read(65536)
        return b"".join(iter(self._lines(response, form).read, b""))

    @staticmethod
    def _parse(answer, form: str):
        if form == "ASK":
            return parse_query_results(answer.read(), QueryResultsFormat.JSON)
        if form == "SELECT":
            return parse_query_results(answer, QueryResultsFormat.TSV)
        return _Triples(parse(answer, RdfFormat.N_TRIPLES))

    def held_releases(self) -> list[str]:
        """The versions the store's record names (normally one; none when nothing is published)."""
        pattern = record_pattern(self.release_graph)
        query = f"SELECT ?mwgRelease WHERE {{ GRAPH <{self.record}> {{ {pattern} }} }}"
        params = [("query", query), ("default-graph-uri", self.empty_graph)]
        params.append(("named-graph-uri", self.record))
        try:
            response = self._send(params, TSV)
        except (
            BackendFailed
        ) as failed:  # even a 4xx is the store's (or our) fault, not the client's
            raise BackendFailed(f"the SPARQL backend's record cannot be read: {failed}") from None
        with response:
            reader = _Lines(response, 101, 65536)
            try:
                rows = parse_query_results(reader, QueryResultsFormat.TSV)
                return sorted({row[0].value for row in rows if row[0] is not None})
            except (SyntaxError, ValueError, OSError) as error:
                raise BackendFailed(
                    f"the SPARQL backend's record cannot be read: {error}"
                ) from None

    def check_release(self) -> None:
        """Raise :class:`BackendFailed` (503, kind "release") unless the store holds ``version``."""
        try:
            check_held(self.held_releases(), self.version)
        except ReleaseMismatch as mismatch:
            raise BackendFailed(str(mismatch), 503, "release") from None

    def _send(self, params: list[tuple[str, str]], accept: str):
        body = urlencode(params).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": accept,
            "Content-Length": str(len(body)),
        }
        try:
            response = open_request(self.endpoint, "POST", [], body, headers, self.timeout)
        except RemoteError as error:
            raise BackendFailed(f"SPARQL backend: {error}") from None
        if response.status != 200:
            text = response.read(1000).decode("utf-8", "replace").strip()
            if 400 <= response.status < 500:
                raise BackendFailed(f"The SPARQL backend refused the query: {text[:500]}", 400)
            raise BackendFailed(
                f"the SPARQL backend {self.endpoint} answered HTTP {response.status}: {text}"
            )
        return response

    def _query_dataset(
        self, query: str, base_iri: str, prefixes: dict[str, str]
    ) -> tuple[list[str], list[str]]:
        """The query's own ``FROM`` / ``FROM NAMED`` IRIs, else our default dataset."""
        default, named = dataset_clauses(query, base_iri, prefixes)
        if not default and not named:
            return [self.release_graph], list(self.named)
        return default, named


def _prologue(base_iri: str, prefixes: dict[str, str]) -> str:
    """The endpoint's base and prefixes, which the backend does not know; the query's own
    ``BASE``/``PREFIX`` come after and win (SPARQL 1.1 Query §4.1.1)."""
    lines = [f"BASE <{base_iri}>"] + [f"PREFIX {p}: <{ns}>" for p, ns in prefixes.items()]
    return " ".join(lines) + "\n"


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue."""
    expecting = 0
    for kind, token, _ in tokens(query):
        if kind in ("ws", "comment"):
            continue
        if expecting:
            expecting -= 1
            continue
        lowered = token.lower()
        if kind == "word" and lowered in ("prefix", "base"):
            expecting = 2 if lowered == "prefix" else 1
            continue
        return token.upper()
    return ""


def dataset_clauses(
    query: str, base_iri: str, prefixes: dict[str, str]
) -> tuple[list[str], list[str]]:
    """IRIs of the query's ``FROM`` and ``FROM NAMED`` clauses (``FROM`` is a keyword nowhere
    else in SPARQL). A name that cannot be resolved is left out: it names no graph of ours."""
    known = dict(prefixes)
    base = base_iri
    significant = [(k, t) for k, t, _ in tokens(query) if k not in ("ws", "comment")]
    default: list[str] = []
    named: list[str] = []
    i = 0
    while i < len(significant):
        kind, token = significant[i]
        lowered = token.lower()
        if kind == "word" and lowered == "prefix" and i + 2 < len(significant):
            name, iri = significant[i + 1][1], significant[i + 2][1]
            if name.endswith(":") and iri.startswith("<"):
                known[name[:-1]] = urljoin(base, iri[1:-1])
            i += 3
            continue
        if kind == "word" and lowered == "base" and i + 1 < len(significant):
            if significant[i + 1][0] == "iri":
                base = urljoin(base, significant[i + 1][1][1:-1])
            i += 2
            continue
        if kind == "word" and lowered == "from" and i + 1 < len(significant):
            target = default
            i += 1
            if significant[i][0] == "word" and significant[i][1].lower() == "named":
                target = named
                i += 1
            if i < len(significant):
                iri = _resolve(significant[i], base, known)
                if iri:
                    target.append(iri)
        i += 1
    return default, named


def _resolve(token: tuple[str, str], base: str, prefixes: dict[str, str]) -> str | None:
    kind, text = token
    if kind == "iri":
        return urljoin(base, text[1:-1])
    if kind == "pname":
        prefix, _, local = text.partition(":")
        if prefix in prefixes and "\\" not in local and "%" not in local:
            return prefixes[prefix] + local
    return None


def named_graphs_of(release: Path, extra_data: str) -> list[str]:
    """The named graphs the local engine would hold: partner graphs and ``extra_data``'s."""
    names: set[str] = set()
    files = [(release / PARTNER_QUADS, RdfFormat.N_QUADS)]
    if extra_data:
        extra = Path(extra_data)
        files.append((extra, RdfFormat.TRIG if extra.suffix == ".trig" else RdfFormat.N_QUADS))
    for path, fmt in files:
        if path.is_file():
            for quad in parse(path=str(path), format=fmt):
                if not isinstance(quad.graph_name, DefaultGraph):
                    names.add(quad.graph_name.value)
    return sorted(names)


def open_remote_store(spec) -> RemoteStore:
    """The query process's engine for a :class:`.workers.StoreSpec` with a ``backend``: every
    answer is checked to come from the release ``spec.release`` (its ``release.json``)."""
    info = json.loads((spec.release / "release.json").read_text(encoding="utf-8"))
    return RemoteStore(
        spec.backend,
        spec.release_graph,
        named_graphs_of(spec.release, spec.extra_data),
        spec.backend_timeout,
        spec.max_rows,
        spec.max_bytes,
        record=spec.record_graph,
        version=info["version"],
    )
