"""What runs inside a query process: the store holding the release, and one query's execution.

The store is an rdflib :class:`~rdflib.Dataset` over the configured store plugin — ``oxigraph``
(oxrdflib's ``Oxigraph`` store: Oxigraph's own SPARQL engine, about 20× faster here and free of
rdflib's known wrong answers) or ``memory`` (rdflib's own store and engine). Our code only uses the
rdflib API, so the store is a setting.

The release is the **default graph**; the optional ``extra_data`` file adds named graphs. A query
sees the default graph alone (no union with the named graphs), as the SPARQL 1.1 dataset rules say.

A protocol dataset (``default-graph-uri`` / ``named-graph-uri``, SPARQL 1.1 Protocol §2.1.4)
replaces the query's own ``FROM`` / ``FROM NAMED``: the query is parsed by rdflib, its dataset
clause replaced, and rdflib's engine runs it (Oxigraph's store cannot take a parsed query). A query
with its own ``FROM`` / ``FROM NAMED`` goes the same way, because oxrdflib would override them.
Graph
IRIs we do not hold are empty graphs: nothing is ever fetched (``SPARQL_LOAD_GRAPHS`` is off).
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import rdflib.plugins.sparql
from rdflib import Dataset, URIRef
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.processor import prepareQuery

from .guard import unescape_codepoints
from .results import (
    ASK_OFFERS,
    GRAPH_OFFERS,
    SELECT_OFFERS,
    Table,
    result_format_by_media_type,
    write_graph,
)

# Never dereference FROM / FROM NAMED IRIs, and keep named graphs out of the default graph.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION = False

_FROM = re.compile(r"\bfrom\b", re.IGNORECASE)
_COMMENT_LINES = re.compile(r"^\s*#.*$", re.MULTILINE)

STORES = {"oxigraph": ("Oxigraph", "ox-"), "memory": ("Memory", "")}


@dataclass(frozen=True)
class StoreSpec:
    """Everything a query process needs to load its store (picklable)."""

    release: Path
    store: str = "oxigraph"
    extra_data: str = ""
    prefixes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    query: str
    accept_select: list[str]  # the client's choices, best first, from content negotiation
    accept_ask: list[str]
    accept_graph: list[str]
    max_rows: int
    default_graphs: tuple[str, ...] | None = None  # protocol dataset; None = the query's own
    named_graphs: tuple[str, ...] | None = None


@dataclass
class Outcome:
    status: int
    body: bytes
    media_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = ""  # SELECT, ASK, CONSTRUCT/DESCRIBE, or the error kind: syntax, timeout, …

    @classmethod
    def error(cls, status: int, kind: str, message: str) -> Outcome:
        return cls(status, (message.rstrip() + "\n").encode("utf-8"), kind=kind)


def open_store(spec: StoreSpec) -> Dataset:
    if spec.store not in STORES:
        raise ValueError(f"unknown store {spec.store!r}: choose one of {', '.join(STORES)}")
    plugin, prefix = STORES[spec.store]
    dataset = Dataset(store=plugin, default_union=False)
    dataset.parse(spec.release / "mwg.nt", format=prefix + "nt")
    if spec.extra_data:
        extra = Path(spec.extra_data)
        dataset.parse(extra, format=prefix + ("trig" if extra.suffix == ".trig" else "nquads"))
    # Queries may use the graph's prefixes without declaring them (as the query page shows them).
    for name, namespace in spec.prefixes.items():
        dataset.bind(name, namespace, override=True, replace=True)
    return dataset


def _with_protocol_dataset(job: Job, prefixes: dict[str, str]):
    query = prepareQuery(job.query, initNs=prefixes)
    clause = [CompValue("DatasetClause", default=URIRef(g)) for g in job.default_graphs or ()]
    clause += [CompValue("DatasetClause", named=URIRef(g)) for g in job.named_graphs or ()]
    query.algebra["datasetClause"] = clause
    return query


def _own_dataset(text: str, prefixes: dict[str, str]):
    """The parsed query when it has its own FROM / FROM NAMED, else None.

    oxrdflib hands Oxigraph the store's default graph explicitly, which overrides a query's FROM; a
    query with a dataset clause therefore goes the rdflib way (the clause names graphs we hold; it
    is never fetched). Without the word FROM (after codepoint escapes, outside whole-line comments
    such as the description at the top of our example queries) there is no clause, and the costly
    rdflib parse is skipped.
    """
    if not _FROM.search(_COMMENT_LINES.sub("", unescape_codepoints(text))):
        return None
    try:
        query = prepareQuery(text, initNs=prefixes)
    except Exception:  # let the engine report the syntax error in its own words
        return None
    return query if query.algebra.get("datasetClause") else None


def execute(dataset: Dataset, job: Job, prefixes: dict[str, str]) -> Outcome:
    try:
        if job.default_graphs is not None or job.named_graphs is not None:
            result = dataset.query(_with_protocol_dataset(job, prefixes))
        elif (own := _own_dataset(job.query, prefixes)) is not None:
            result = dataset.query(own)
        else:
            result = dataset.query(job.query)
    except SyntaxError as error:  # Oxigraph: "error at 1:6: expected …"
        return Outcome.error(400, "syntax", f"Syntax error in the query: {error.msg or error}")
    except Exception as error:
        if type(error).__name__ == "ParseException":  # rdflib's parser (pyparsing)
            return Outcome.error(400, "syntax", f"Syntax error in the query: {error}")
        return Outcome.error(
            500,
            "engine",
            f"The query failed: {type(error).__name__}: {error}\n" + traceback.format_exc(limit=3),
        )

    if result.type == "ASK":
        return _tabular(Table(boolean=bool(result.askAnswer)), job.accept_ask, ASK_OFFERS, "ASK")
    if result.type == "SELECT":
        variables = [str(v) for v in result.vars or ()]
        rows = []
        truncated = False
        for row in result:
            if len(rows) == job.max_rows:
                truncated = True
                break
            rows.append(tuple(row))
        outcome = _tabular(Table(variables, rows), job.accept_select, SELECT_OFFERS, "SELECT")
        return _mark(outcome, truncated, job.max_rows)
    # CONSTRUCT, DESCRIBE
    if not job.accept_graph:
        return _not_acceptable("CONSTRUCT/DESCRIBE", GRAPH_OFFERS)
    triples = []
    truncated = False
    for triple in result.graph:
        if len(triples) == job.max_rows:
            truncated = True
            break
        triples.append(triple)
    body, media_type = write_graph(triples, job.accept_graph[0], prefixes)
    outcome = Outcome(200, body, _charset(media_type), kind="CONSTRUCT/DESCRIBE")
    return _mark(outcome, truncated, job.max_rows)


def _tabular(table: Table, accepted: list[str], offered: list[str], kind: str) -> Outcome:
    if not accepted:
        return _not_acceptable(kind, offered)
    fmt = result_format_by_media_type(accepted[0])
    assert fmt is not None
    return Outcome(200, fmt.write(table), _charset(fmt.media_type), kind=kind)


def _not_acceptable(kind: str, offered: list[str]) -> Outcome:
    return Outcome.error(
        406,
        "not-acceptable",
        f"This is a {kind} query; its results can be sent as {', '.join(offered)}, "
        "none of which the request accepts (Accept header or format parameter).",
    )


def _charset(media_type: str) -> str:
    if media_type.startswith("text/") or media_type.endswith(("+json", "/json", "+xml", "/xml")):
        return media_type + "; charset=utf-8"
    return media_type


def _mark(outcome: Outcome, truncated: bool, max_rows: int) -> Outcome:
    outcome.headers["MWG-Max-Rows"] = str(max_rows)
    if truncated:
        outcome.headers["MWG-Results-Truncated"] = f"true; only the first {max_rows} were sent"
    return outcome
