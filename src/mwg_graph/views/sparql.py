"""``/sparql``: the SPARQL 1.1 endpoint, its service description and the query page.

One URL, three faces (https://www.w3.org/TR/sparql11-protocol/):

* a query (GET ``?query=``, POST form, POST ``application/sparql-query``) → results by ``Accept`` or
  ``?format=``, answered by the SPARQL service (:mod:`mwg_graph.sparql.service`: cache, runaways,
  killable query processes on Oxigraph);
* no query, RDF wanted → the service description (:mod:`mwg_graph.sparql.description`);
* no query, HTML wanted → the query page (editor, example queries, results table).

This view only reads the request (its body has already arrived whole, within ``body_timeout``:
:mod:`mwg_graph.request_limits`) and writes the response. Every answer allows any origin (CORS).
"""

from __future__ import annotations

import json
import threading
import time
from functools import cache

from flask import Blueprint, Response, current_app, render_template, request
from pyoxigraph import NamedNode, RdfFormat, parse

from ..app import get_release, get_settings
from ..formats import RDF_FORMATS, negotiate, rdf_format_by_media_type
from ..namespaces import Iris
from ..overload import query_slot
from ..sparql.description import service_description
from ..sparql.engine import Outcome
from ..sparql.examples import load_examples
from ..sparql.guard import Refused
from ..sparql.protocol import ProtocolError, read_request
from ..sparql.results import SELECT_OFFERS
from ..sparql.service import SparqlService

bp = Blueprint("sparql", __name__)

EXPOSED = (
    "MWG-Results-Truncated, MWG-Max-Rows, MWG-Max-Result-Bytes, Content-Type, Content-Disposition"
)
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'self'; form-action 'self'"
)
DOWNLOAD_NAMES = {"text/csv": "results.csv", "text/tab-separated-values": "results.tsv"}
DRAIN_LIMIT = 16 * 1024 * 1024  # read (and drop) an oversized body up to this, so the 413 arrives
CHUNK = 65536


@bp.record_once
def _setup(state) -> None:
    app = state.app
    service = SparqlService(app.config["MWG_SETTINGS"])
    app.extensions["mwg_sparql"] = service
    app.extensions["mwg_releases"].listeners.append(
        lambda release: service.engine.swap(release.path)
    )
    app.extensions["mwg_sparql_warm"] = threading.Event()


def _service() -> SparqlService:
    return current_app.extensions["mwg_sparql"]


@bp.before_app_request
def _warm_up() -> None:
    """Start the query processes with the first request of any kind (e.g. the health check)."""
    warm = current_app.extensions["mwg_sparql_warm"]
    if warm.is_set():
        return
    warm.set()
    release = get_release()
    if release is not None:
        _service().engine.pool(release.path)


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
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
        # Read whole, within body_timeout, before the view runs (mwg_graph.request_limits).
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
            request.args,
            body,
            request.headers.get("Accept"),
        )
    except (ProtocolError, Refused) as problem:
        return _text(problem.status, problem.message)
    if asked.query is None:
        return _describe_or_page(asked.accept)
    if _wants_page(asked.accept) and not asked.format_given:
        return _page(asked.query)
    release = get_release()
    if release is None:
        return _text(503, "No release of the graph has been built yet; try again later.")
    with query_slot():
        outcome = _service().answer(release.path, asked, arrived)
    return _respond(outcome, asked.format_given)


def _respond(outcome: Outcome, format_given: bool) -> Response:
    response = Response(outcome.body, outcome.status, content_type=outcome.media_type)
    response.headers.update(outcome.headers)
    media_type = outcome.media_type.split(";")[0]
    if format_given and media_type in DOWNLOAD_NAMES:
        response.headers["Content-Disposition"] = f'inline; filename="{DOWNLOAD_NAMES[media_type]}"'
    response.headers["Cache-Control"] = (
        "public, max-age=60" if outcome.status == 200 else "no-store"
    )
    return response


def _wants_page(accept: str | None) -> bool:
    if not accept or "text/html" not in accept.lower():
        return False
    return negotiate(accept, ["text/html", *SELECT_OFFERS]) == "text/html"


def _preflight() -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", "Accept, Content-Type"
    )
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _text(status: int, message: str) -> Response:
    response = Response(message.rstrip() + "\n", status, content_type="text/plain; charset=utf-8")
    if status == 405:
        response.headers["Allow"] = "GET, POST, OPTIONS"
    response.headers["Cache-Control"] = "no-store"
    return response


def _too_large(limit: int) -> Response:
    remaining = min(request.content_length or 0, DRAIN_LIMIT)
    stream = request.environ.get("wsgi.input")
    while stream is not None and remaining > 0:  # let the client finish sending, then answer
        chunk = stream.read(min(65536, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
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


def _page(query: str | None) -> Response:
    settings = get_settings()
    prefixes = Iris(settings.base_iri).prefixes()
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
    examples = load_examples()
    config = {
        "endpoint": request.script_root + "/sparql",
        "baseIri": settings.base_iri,
        "siteRoot": (settings.public_url.rstrip("/") + "/") if settings.public_url else "/",
        "prologue": prologue,
        "query": query,
        "timeout": settings.query_timeout,
        "maxRows": settings.max_rows,
        "examples": [
            {"name": e.name, "title": e.title, "description": e.description, "query": e.query}
            for e in examples
        ],
    }
    html = render_template(
        "sparql.html",
        examples=examples,
        config_json=json.dumps(config, ensure_ascii=False).replace("<", "\\u003c"),
        settings=settings,
    )
    response = Response(html, 200, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response
