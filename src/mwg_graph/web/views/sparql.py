"""``/sparql``: the SPARQL 1.1 endpoint, its service description and the query page.

One URL, three faces (https://www.w3.org/TR/sparql11-protocol/):

* a query (GET ``?query=``, POST form, POST ``application/sparql-query``) → results by ``Accept`` or
  ``?format=``, answered by the SPARQL service (:mod:`mwg_graph.sparql.service`: cache, runaways,
  killable query processes on Oxigraph);
* no query, RDF wanted → the service description (:mod:`mwg_graph.sparql.description`);
* no query, HTML wanted → the query page (editor, example queries, results table).

This view only reads the request (its body has already arrived whole, within ``body_timeout``:
:mod:`mwg_graph.web.request_limits`) and writes the response. Every answer allows any origin (CORS).

Plain query requests never reach this view: the thin path (:mod:`.sparql_thin`) answers them in
front of Flask, with the same service and the same headers (:func:`answer_headers`), and hands
everything else here. A change to what a query's answer carries must be made in both.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from functools import cache

from flask import Blueprint, Response, render_template, request, url_for
from pyoxigraph import NamedNode, RdfFormat, parse
from werkzeug.datastructures import MultiDict

from mwg_graph.config import Settings
from mwg_graph.formats import RDF_FORMATS, negotiate, rdf_format_by_media_type
from mwg_graph.iris import Iris
from mwg_graph.sparql.description import service_description
from mwg_graph.sparql.engine import Outcome
from mwg_graph.sparql.examples import load_examples
from mwg_graph.sparql.guard import Refused
from mwg_graph.sparql.protocol import ProtocolError, QueryRequest, read_request
from mwg_graph.sparql.results import SELECT_OFFERS
from mwg_graph.web import http
from mwg_graph.web.overload import query_slot
from mwg_graph.web.security import drain_body
from mwg_graph.web.state import get_release, get_settings, state
from mwg_graph.web.views.common import href_for, lang, lang_fixed
from mwg_graph.web.views.sparql_words import words

bp = Blueprint("sparql", __name__)

EXPOSED = (
    "MWG-Results-Truncated, MWG-Max-Rows, MWG-Max-Result-Bytes, MWG-Release, Content-Type, "
    "Content-Disposition"
)
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'self'; form-action 'self'"
)
DOWNLOAD_NAMES = {"text/csv": "results.csv", "text/tab-separated-values": "results.tsv"}


@bp.after_request
def _cors(response: Response) -> Response:
    http.allow_any_origin(response, EXPOSED)
    response.vary.add("Accept")
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
@bp.route("/sparql/", methods=["GET", "POST", "OPTIONS"])
def endpoint():
    if request.method == "OPTIONS":
        return _preflight()
    settings = get_settings()
    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        return _too_large(settings.max_body_bytes)
    try:
        # Read whole, within body_timeout, before the view runs (mwg_graph.web.request_limits).
        body = request.get_data(cache=False) if request.method == "POST" else b""
    except Exception as error:  # werkzeug's 413 for a chunked body over the limit
        if getattr(error, "code", None) == 413:
            return _too_large(settings.max_body_bytes)
        raise
    arrived = time.monotonic()  # the query's time limit starts now, not before the body came
    try:
        asked = read_request(
            request.method,
            request.headers.get("Content-Type"),
            without_empty_format(request.args),
            body,
            request.headers.get("Accept"),
        )
    except (ProtocolError, Refused) as problem:
        return _text(problem.status, problem.message)
    if asked.query is None:
        return _describe_or_page(asked.accept)
    if wants_page(asked.accept) and not asked.format_given:
        return _page(asked.query, asked)
    release = get_release()
    if release is None:
        return _text(503, "No release of the graph has been built yet; try again later.")
    with query_slot(state().query_gate):
        outcome = state().sparql.answer(release.path, asked, arrived)
    return _respond(outcome, asked.format_given)


def _respond(outcome: Outcome, format_given: bool) -> Response:
    response = Response(outcome.body, outcome.status, content_type=outcome.media_type)
    response.headers.update(answer_headers(outcome, format_given))
    return response


def answer_headers(outcome: Outcome, format_given: bool) -> list[tuple[str, str]]:
    """The headers of a query's answer besides its type and length (this view and the thin path,
    :mod:`.sparql_thin`, send the same): the outcome's own, a file name for a CSV/TSV link, and how
    long it may be cached."""
    headers = list(outcome.headers.items())
    media_type = outcome.media_type.split(";")[0]
    if format_given and media_type in DOWNLOAD_NAMES:
        headers.append(("Content-Disposition", f'inline; filename="{DOWNLOAD_NAMES[media_type]}"'))
    cache = "public, max-age=60" if outcome.status == 200 else "no-store"
    headers.append(("Cache-Control", cache))
    return headers


def without_empty_format(args: MultiDict) -> MultiDict:
    """The page's form sends ``format=`` (empty) for its "table" choice: that means no format."""
    if "" not in args.getlist("format"):
        return args
    return MultiDict([(k, v) for k, v in args.items(multi=True) if (k, v) != ("format", "")])


def wants_page(accept: str | None) -> bool:
    if not accept or "text/html" not in accept.lower():
        return False
    return negotiate(accept, ["text/html", *SELECT_OFFERS]) == "text/html"


def _preflight() -> Response:
    response = Response(status=204)
    asked = request.headers.get("Access-Control-Request-Headers", "Accept, Content-Type")
    http.allow_preflight(response, "GET, POST, OPTIONS", asked)
    return response


def _text(status: int, message: str) -> Response:
    response = Response(message.rstrip() + "\n", status, content_type="text/plain; charset=utf-8")
    if status == 405:
        response.headers["Allow"] = "GET, POST, OPTIONS"
    response.headers["Cache-Control"] = "no-store"
    return response


def _too_large(limit: int) -> Response:
    drain_body()  # let the client finish sending, then answer
    response = _text(
        413,
        f"The request body is larger than {limit} bytes, the limit of this "
        "endpoint (setting max_body_bytes).",
    )
    return response


# ---- service description and query page ----------------------------------------------------------


def _describe_or_page(accept: str | None) -> Response:
    offers = [f.media_type for f in RDF_FORMATS] + ["text/html"]
    offers += [alias for f in RDF_FORMATS for alias in f.also]
    chosen = negotiate(accept, offers)
    if chosen is None:
        return _text(406, "The service description is available as " + ", ".join(offers) + ".")
    if chosen == "text/html":
        return _page(None)
    fmt = rdf_format_by_media_type(chosen)
    settings = get_settings()
    release = get_release()
    endpoint = (
        settings.public_url.rstrip("/") + "/sparql" if settings.public_url else request.base_url
    )
    graph = service_description(
        endpoint,
        settings.base_iri,
        release.info.get("triples", 0) if release else 0,
        sorted(
            {p["graph"] for p in (release.info.get("partners", []) if release else [])}
            | set(_named_graphs(settings.extra_data))
        ),
        {
            "query_timeout": f"{settings.query_timeout:g}",
            "max_rows": settings.max_rows,
            "max_body_bytes": settings.max_body_bytes,
        },
    )
    body = graph.serialize(format=fmt.rdflib_format, encoding="utf-8")
    content_type = fmt.media_type + (
        "; charset=utf-8" if fmt.media_type.startswith("text/") else ""
    )
    return Response(body, 200, content_type=content_type)


@cache
def _named_graphs(extra_data: str) -> list[str]:
    if not extra_data:
        return []
    fmt = RdfFormat.TRIG if extra_data.endswith(".trig") else RdfFormat.N_QUADS
    names = {quad.graph_name for quad in parse(path=extra_data, format=fmt)}
    return sorted(n.value for n in names if isinstance(n, NamedNode))


# The editor's query before the reader writes one (the members, in both languages).
DEFAULT_QUERY = """SELECT ?member ?nameTh ?nameEn WHERE {
  organization:mwg org:hasMember ?member .
  ?member skos:prefLabel ?nameEn .
  FILTER(lang(?nameEn) = "en")
  OPTIONAL { ?member skos:prefLabel ?nameTh . FILTER(lang(?nameTh) = "th") }
}
ORDER BY ?nameEn
"""


def prologue_of(settings: Settings) -> str:
    """The PREFIX lines the endpoint supplies (one per line), as the page lists them."""
    prefixes = Iris(settings.base_iri).prefixes()
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))


def page_config(settings: Settings, language: str) -> dict:
    """What the page's script needs on the server's page and the static site's alike."""
    return {
        "baseIri": settings.base_iri,
        "siteRoot": (settings.public_url.rstrip("/") + "/") if settings.public_url else "/",
        "prologue": prologue_of(settings),
        "lang": language,
        "timeout": settings.query_timeout,
        "maxRows": settings.max_rows,
        "words": words(language),
        "vendor": {
            "script": url_for("static", filename="vendor/yasgui/yasgui.min.js"),
            "style": url_for("static", filename="vendor/yasgui/yasgui.min.css"),
        },
        "examples": [
            {
                "name": e.name,
                "title": e.title_in(language),
                "description": e.description_in(language),
                "query": e.query,
            }
            for e in load_examples()
        ],
    }


def config_json(config: dict) -> str:
    """The configuration as the page's JSON block holds it (no ``<``: it cannot end the block)."""
    return json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")


def _page(query: str | None, asked: QueryRequest | None = None) -> Response:
    """The query page, in the request's language; with a query, its results already in it.

    The server runs the query for the page (as JSON, through the same service, cache and limits as
    any client), so a shared ``/sparql?query=…`` link shows its results even without JavaScript; the
    script then takes over the table (sorting, downloads).
    """
    settings = get_settings()
    language = lang()
    config = page_config(settings, language) | {
        "endpoint": request.script_root + "/sparql",
        "query": query,
        "langFixed": lang_fixed(),
    }
    html = render_template(
        "sparql.html",
        examples=load_examples(),
        config_json=config_json(config),
        settings=settings,
        w=config["words"],
        query=query,
        default_query=DEFAULT_QUERY,
        prologue=config["prologue"],
        prefix_count=len(Iris(settings.base_iri).prefixes()),
        shown=_shown_results(query, asked) if query is not None else None,
    )
    response = Response(html, 200, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


def _shown_results(query: str, asked: QueryRequest | None) -> dict:
    """The query's answer as the page shows it without JavaScript: a table, a yes/no, a graph's
    Turtle, or the error the endpoint gives (status and message)."""
    release = get_release()
    if release is None:
        return {"error": 503, "message": "No release of the graph has been built yet."}
    ask = replace(
        asked or QueryRequest(query, None, None, None),
        accept="application/sparql-results+json, text/turtle;q=0.9",
        format_given=False,
    )
    with query_slot(state().query_gate):
        outcome = state().sparql.answer(release.path, ask, time.monotonic())
    text = outcome.body.decode("utf-8", errors="replace")
    if outcome.status != 200:
        return {"error": outcome.status, "message": text}
    truncated = bool(outcome.headers.get("MWG-Results-Truncated"))
    if "json" not in outcome.media_type:
        return {"graph": text, "truncated": truncated}
    data = json.loads(text)
    if "boolean" in data:
        return {"boolean": bool(data["boolean"])}
    variables = data["head"]["vars"]
    rows = [
        [_shown_term(binding.get(v)) for v in variables] for binding in data["results"]["bindings"]
    ]
    return {"vars": variables, "rows": rows, "truncated": truncated}


def _shown_term(term: dict | None) -> dict:
    """One cell: its text, a link for web addresses only (never javascript: or data:), its lang."""
    if term is None:
        return {"text": ""}
    value = term.get("value", "")
    if term.get("type") == "uri":
        web = value.lower().startswith(("http://", "https://"))
        return {"text": value, "href": href_for(value) if web else None}
    if term.get("type") == "bnode":
        return {"text": "_:" + value}
    note = "@" + term["xml:lang"] if "xml:lang" in term else ""
    return {"text": value, "lang": term.get("xml:lang"), "note": note}
