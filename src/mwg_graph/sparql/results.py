"""SPARQL query results in each format: one table, one writer per format.

* JSON: SPARQL 1.1 Query Results JSON Format, https://www.w3.org/TR/sparql11-results-json/
* XML: SPARQL Query Results XML Format (Second Edition), https://www.w3.org/TR/rdf-sparql-XMLres/
* CSV and TSV: SPARQL 1.1 Query Results CSV and TSV Formats, https://www.w3.org/TR/sparql11-results-csv-tsv/
* Graph results (CONSTRUCT, DESCRIBE): the RDF formats of :mod:`mwg_graph.formats`.

Plain ``xsd:string`` literals are written as simple literals (RDF 1.1 makes them the same term);
Oxigraph hands them back typed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..formats import RDF_FORMATS, RdfFormat, rdf_format_by_media_type

Row = Sequence[Node | None]


@dataclass(frozen=True)
class Table:
    """A SELECT result (``variables`` + ``rows``) or an ASK result (``boolean``)."""

    variables: Sequence[str] = ()
    rows: Sequence[Row] = ()
    boolean: bool | None = None


@dataclass(frozen=True)
class ResultFormat:
    name: str  # used in ?format=
    media_type: str
    write: Callable[[Table], bytes]
    boolean: bool  # can it carry an ASK answer?
    also: tuple[str, ...] = ()  # other media types that mean the same


def _datatype(literal: Literal) -> str | None:
    if literal.datatype is None or literal.datatype == XSD.string or literal.language:
        return None
    return str(literal.datatype)


# --- JSON -----------------------------------------------------------------------------------------


def _json_term(term: Node) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif (datatype := _datatype(term)) is not None:
            out["datatype"] = datatype
        return out
    return {"type": "literal", "value": str(term)}


def write_json(table: Table) -> bytes:
    if table.boolean is not None:
        document: dict = {"head": {}, "boolean": table.boolean}
    else:
        bindings = [
            {
                var: _json_term(value)
                for var, value in zip(table.variables, row, strict=False)
                if value is not None
            }
            for row in table.rows
        ]
        document = {"head": {"vars": list(table.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- XML ------------------------------------------------------------------------------------------


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(str(term))}</literal>"
        if (datatype := _datatype(term)) is not None:
            return f"<literal datatype={quoteattr(datatype)}>{escape(str(term))}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def write_xml(table: Table) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
    for var in table.variables:
        out.write(f"<variable name={quoteattr(var)}/>")
    out.write("</head>\n")
    if table.boolean is not None:
        out.write(f"<boolean>{'true' if table.boolean else 'false'}</boolean>\n")
    else:
        out.write("<results>\n")
        for row in table.rows:
            out.write("<result>")
            for var, value in zip(table.variables, row, strict=False):
                if value is not None:
                    out.write(f"<binding name={quoteattr(var)}>{_xml_term(value)}</binding>")
            out.write("</result>\n")
        out.write("</results>\n")
    out.write("</sparql>\n")
    return out.getvalue().encode("utf-8")


# --- CSV and TSV ----------------------------------------------------------------------------------


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_term(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:" + str(term)
    return _csv_field(str(term))


def write_csv(table: Table) -> bytes:
    lines = [",".join(_csv_field(v) for v in table.variables)]
    lines += [",".join(_csv_term(value) for value in row) for row in table.rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_TSV_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if (datatype := _datatype(term)) is not None:
            return f"{text}^^<{datatype}>"
        return text
    return str(term)


def write_tsv(table: Table) -> bytes:
    lines = ["\t".join("?" + v for v in table.variables)]
    lines += ["\t".join(_tsv_term(value) for value in row) for row in table.rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json", "application/sparql-results+json", write_json, True, ("application/json",)
    ),
    ResultFormat(
        "xml", "application/sparql-results+xml", write_xml, True, ("application/xml", "text/xml")
    ),
    ResultFormat("csv", "text/csv", write_csv, False),
    ResultFormat("tsv", "text/tab-separated-values", write_tsv, False),
)


def result_format_by_media_type(media_type: str) -> ResultFormat | None:
    return next((f for f in RESULT_FORMATS if media_type in (f.media_type, *f.also)), None)


def offers(formats: Iterable[ResultFormat | RdfFormat]) -> list[str]:
    """Media types to negotiate over: each format's own type first, then its aliases."""
    formats = list(formats)
    return [f.media_type for f in formats] + [alias for f in formats for alias in f.also]


SELECT_OFFERS = offers(RESULT_FORMATS)
ASK_OFFERS = offers(f for f in RESULT_FORMATS if f.boolean)
GRAPH_OFFERS = offers(RDF_FORMATS)


# --- graphs ---------------------------------------------------------------------------------------


def plain(term: Node) -> Node:
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def write_graph(
    triples: Iterable[tuple[Node, Node, Node]], media_type: str, prefixes: dict[str, str]
) -> tuple[bytes, str]:
    """Serialise triples; returns (body, media type written)."""
    fmt = rdf_format_by_media_type(media_type)
    if fmt is None:
        raise ValueError(f"not an RDF media type: {media_type}")
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace)
    for s, p, o in triples:
        graph.add((s, p, plain(o)))
    return graph.serialize(format=fmt.rdflib_format, encoding="utf-8"), fmt.media_type
