"""The SPARQL 1.1 Protocol, query operation: which requests are valid and what they ask for.

https://www.w3.org/TR/sparql11-protocol/#query-operation — §2.1.1 query via GET, §2.1.2 via
URL-encoded POST, §2.1.3 via POST directly (``application/sparql-query``), §2.1.4 the RDF dataset
(``default-graph-uri``, ``named-graph-uri``). An update operation (§2.2) is recognised so that
it can
be refused clearly (this endpoint is read-only).

``format`` is our extension for links in browsers: it overrides the Accept header. It also takes
the names real clients send (SPARQLWrapper sends ``format``, ``output`` and ``results``, repeated
and with names such as ``n3``, ``rdf+xml``, ``json-ld``); a parameter given twice with the same
value counts once, and several ``format`` values are alternatives (SPARQLWrapper sends a name and
its media type). Any other repeated parameter with different values stays a 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header

from mwg_graph.sparql.guard import READ_ONLY, Refused

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
QUERY_PARAMS = ("query", "default-graph-uri", "named-graph-uri", "format")

# ?format= names → the media types they stand for (one per result kind where both make sense).
FORMAT_NAMES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "jsonld": ("application/ld+json",),
    "ntriples": ("application/n-triples",),
    "nt": ("application/n-triples",),
    "rdfxml": ("application/rdf+xml",),
    "rdf": ("application/rdf+xml",),
    # Names clients send (SPARQLWrapper's return formats).
    "rdf+xml": ("application/rdf+xml",),
    "json-ld": ("application/ld+json",),
    "n3": ("text/turtle",),  # Turtle is N3 without its extensions
    "n-triples": ("application/n-triples",),
}


class ProtocolError(Exception):
    """The request breaks the protocol: the status says how (400, 405, 413, 415)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class QueryRequest:
    query: str | None  # None: no query at all (service description or query page)
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    accept: str | None  # the Accept header to negotiate with (``format`` turned into one)
    format_given: bool = False  # ?format= was used (a link or a download, not a client's Accept)


def read_request(
    method: str, content_type: str | None, url_args: MultiDict, body: bytes, accept: str | None
) -> QueryRequest:
    """Validate one request to the endpoint. Raises :class:`ProtocolError` or :class:`Refused`."""
    if method in ("GET", "HEAD"):
        if "update" in url_args:
            raise Refused(
                403, "An update cannot be sent with GET (SPARQL 1.1 Protocol §2.2). " + READ_ONLY
            )
        params = url_args
        query = _one(params, "query", required=False)
    elif method == "POST":
        media_type, options = parse_options_header(content_type or "")
        media_type = media_type.lower()
        charset = options.get("charset", "utf-8").lower()
        if media_type == FORM:
            params = MultiDict(list(url_args.items(multi=True)) + _form(body))
            if "update" in params:
                raise Refused(403, READ_ONLY)
            query = _one(params, "query", required=True)
        elif media_type == QUERY_TYPE:
            if charset not in ("utf-8", "utf8"):
                raise ProtocolError(415, f"The query must be sent as UTF-8, not {charset}.")
            params = url_args
            if "query" in params:
                raise ProtocolError(
                    400,
                    "A query sent directly in the body cannot also have a "
                    "'query' parameter in the URL.",
                )
            query = _utf8(body)
        elif media_type == UPDATE_TYPE:
            raise Refused(403, READ_ONLY)
        elif not media_type:
            raise ProtocolError(415, f"A POST needs a Content-Type: {FORM} or {QUERY_TYPE}.")
        else:
            raise ProtocolError(
                415,
                f"Content-Type {media_type} is not a SPARQL query; use {FORM} (query=…) or "
                f"{QUERY_TYPE} (the query as the body).",
            )
    else:
        raise ProtocolError(405, "Use GET or POST to query this endpoint.")

    if query is not None and not query.strip():
        # An empty text parses as an empty *update*; it is neither, so say what is missing.
        raise ProtocolError(400, "The query is empty: give a SPARQL query (SELECT, ASK, …).")
    if query is None and any(k in params for k in ("default-graph-uri", "named-graph-uri")):
        raise ProtocolError(400, "default-graph-uri and named-graph-uri need a query.")
    defaults = tuple(params.getlist("default-graph-uri"))
    named = tuple(params.getlist("named-graph-uri"))
    protocol_dataset = bool(defaults or named)
    return QueryRequest(
        query=query,
        default_graphs=defaults if protocol_dataset else None,
        named_graphs=named if protocol_dataset else None,
        accept=_accept_for(formats := _distinct(params, "format"), accept),
        format_given=bool(formats),
    )


def _distinct(params: MultiDict, name: str) -> list[str]:
    """The values of ``name``, each once, in order (a client may repeat one)."""
    return list(dict.fromkeys(v for v in params.getlist(name) if v.strip()))


def _one(params: MultiDict, name: str, required: bool) -> str | None:
    """The one value of ``name``: the same value repeated counts once; different ones are a 400."""
    values = list(dict.fromkeys(params.getlist(name)))
    if len(values) > 1:
        raise ProtocolError(
            400, f"Give exactly one '{name}' parameter, not {len(values)} different ones."
        )
    if not values:
        if required:
            raise ProtocolError(400, f"The form has no '{name}' parameter.")
        return None
    return values[0]


def _form(body: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(
            body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"The form is not valid UTF-8 once decoded: {error}") from error


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"The query is not valid UTF-8: {error}") from error


def _accept_for(formats: list[str], accept: str | None) -> str | None:
    """An Accept header standing for the ``format`` values (alternatives), else ``accept``."""
    if not formats:
        return accept
    media_types: list[str] = []
    for value in formats:
        name = value.strip().lower()
        if name in FORMAT_NAMES:
            media_types += FORMAT_NAMES[name]
        elif "/" in name:
            media_types.append(name)
        else:
            raise ProtocolError(
                400,
                f"Unknown format {value!r}; use one of {', '.join(FORMAT_NAMES)} or a media type.",
            )
    return ", ".join(dict.fromkeys(media_types))
