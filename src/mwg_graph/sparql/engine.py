"""What runs inside a query process: one query on the release's Oxigraph store, written to bytes.

pyoxigraph natively, with no rdflib on the way: the query goes to ``Store.query`` and its results
come out of Oxigraph's own serialisers (:mod:`.results`). The release is the store's default graph
and the ``extra_data`` file adds named graphs (:func:`mwg_graph.store.open_release_store`); a query
sees the default graph alone (no union with the named graphs), as the SPARQL 1.1 dataset rules say.

A protocol dataset (``default-graph-uri`` / ``named-graph-uri``, SPARQL 1.1 Protocol §2.1.4) is
handed to Oxigraph as ``default_graph`` / ``named_graphs`` and replaces the query's own ``FROM`` /
``FROM NAMED``, which Oxigraph otherwise honours itself. Either way a graph IRI we do not hold is an
empty graph: Oxigraph never fetches anything. Relative IRIs in a query resolve against the
endpoint's own address (``base_iri``), the service-defined base SPARQL 1.1 Query §4.1.1 allows.

Before anything runs, :func:`.guard.check_query` refuses updates, ``SERVICE`` and too deep nesting.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store

from mwg_graph.sparql.backend import BackendFailed
from mwg_graph.sparql.guard import Refused, check_query
from mwg_graph.sparql.results import (
    AnswerTooLarge,
    Written,
    write_boolean,
    write_solutions,
    write_triples,
)


@dataclass(frozen=True)
class Job:
    query: str
    select_type: str | None  # the negotiated media type per result kind; None: none acceptable
    ask_type: str | None
    graph_type: str | None
    max_rows: int
    max_bytes: int
    default_graphs: tuple[str, ...] | None = None  # protocol dataset; None = the query's own
    named_graphs: tuple[str, ...] | None = None


@dataclass
class Outcome:
    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = ""  # SELECT, ASK, CONSTRUCT/DESCRIBE, or what went wrong: syntax, timeout, memory…
    detail: str = ""  # for the log only, never sent (a 5xx body is generic)

    @classmethod
    def error(cls, status: int, kind: str, message: str, detail: str = "") -> Outcome:
        return cls(status, (message.rstrip() + "\n").encode("utf-8"), kind=kind, detail=detail)


def execute(store: Store, job: Job, base_iri: str, prefixes: dict[str, str]) -> Outcome:
    """Run ``job`` and write its answer; client mistakes are 4xx outcomes, never exceptions."""
    try:
        check_query(job.query)
    except Refused as refused:
        return Outcome.error(refused.status, "refused", refused.message)
    try:
        dataset = _protocol_dataset(job)
    except ValueError as error:
        return Outcome.error(400, "dataset", f"Bad default-graph-uri or named-graph-uri: {error}")
    try:
        result = store.query(
            job.query,
            base_iri=base_iri,
            prefixes=prefixes,
            use_default_graph_as_union=False,
            **dataset,
        )
    except SyntaxError as error:  # Oxigraph: "error at 1:6: expected …"
        return Outcome.error(400, "syntax", f"Syntax error in the query: {error}")
    except (ValueError, RuntimeError) as error:  # e.g. an unsupported function such as fn:doc
        return Outcome.error(400, "query", f"The query cannot be run: {error}")
    except BackendFailed as failed:  # .backend: the remote store refused or could not be read
        return _backend_failed(failed)

    try:
        return _write(store, result, job, prefixes)
    except AnswerTooLarge as error:
        return Outcome.error(503, "too-large", str(error))
    except BackendFailed as failed:
        return _backend_failed(failed)


def _backend_failed(failed: BackendFailed) -> Outcome:
    if failed.kind == "release":  # names only release versions: said to the client
        return Outcome.error(failed.status, "backend-release", str(failed))
    if failed.status < 500:
        return Outcome.error(failed.status, "backend-refused", str(failed))
    return Outcome.error(failed.status, "backend", "The SPARQL backend failed.", str(failed))


def _write(store, result, job: Job, prefixes: dict[str, str]) -> Outcome:
    """Write the answer; an answer the backend's reading already cut says so (.backend)."""
    if isinstance(result, QueryBoolean):
        return _answer(write_boolean(result, job.ask_type), "ASK", job)
    if isinstance(result, QuerySolutions):
        written = write_solutions(result, job.select_type, job.max_rows, job.max_bytes)
        kind = "SELECT"
    else:
        written = write_triples(result, job.graph_type, prefixes, job.max_rows, job.max_bytes)
        kind = "CONSTRUCT/DESCRIBE"
    if written is not None and written.cut is None and getattr(store, "cut", False):
        written = replace(written, cut="bytes")
    return _answer(written, kind, job)


def _protocol_dataset(job: Job) -> dict[str, list]:
    if job.default_graphs is None and job.named_graphs is None:
        return {}
    return {
        # Only named graphs given: the default graph is empty (SPARQL 1.1 Query §13.2).
        "default_graph": [_graph(g, "default-graph-uri") for g in job.default_graphs or ()],
        "named_graphs": [_graph(g, "named-graph-uri") for g in job.named_graphs or ()],
    }


def _graph(iri: str, parameter: str) -> NamedNode:
    try:
        return NamedNode(iri)
    except ValueError as error:
        raise ValueError(f"{parameter} {iri!r} is not an absolute IRI ({error})") from None


def _answer(written: Written | None, kind: str, job: Job) -> Outcome:
    if written is None:
        return _not_acceptable(kind)
    outcome = Outcome(200, written.body, _charset(written.media_type), kind=kind)
    outcome.headers["MWG-Max-Rows"] = str(job.max_rows)
    outcome.headers["MWG-Max-Result-Bytes"] = str(job.max_bytes)
    if written.cut == "rows":
        outcome.headers["MWG-Results-Truncated"] = f"true; only the first {job.max_rows} were sent"
    elif written.cut == "bytes":
        outcome.headers["MWG-Results-Truncated"] = (
            f"true; only the first {written.rows} fitted in {job.max_bytes} bytes"
        )
    return outcome


def _not_acceptable(kind: str) -> Outcome:
    from mwg_graph.sparql.results import offers_for

    return Outcome.error(
        406,
        "not-acceptable",
        f"This is a {kind} query; its results can be sent as {', '.join(offers_for(kind))}, "
        "none of which the request accepts (Accept header or format parameter).",
    )


def _charset(media_type: str) -> str:
    if media_type.startswith("text/") or media_type.endswith(("+json", "/json", "+xml", "/xml")):
        return media_type + "; charset=utf-8"
    return media_type
