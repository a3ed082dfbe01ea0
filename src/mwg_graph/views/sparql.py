"""``/sparql``: the SPARQL 1.1 endpoint, its service description and the query page.

One URL, three faces (https://www.w3.org/TR/sparql11-protocol/):

* a query (GET ``?query=``, POST form, POST ``application/sparql-query``) → results by ``Accept`` or
  ``?format=``; run in a killable query process with a wall-clock limit
  (:mod:`mwg_graph.sparql.workers`);
* no query, RDF wanted → the service description (:mod:`mwg_graph.sparql.description`);
* no query, HTML wanted → the query page (editor, example queries, results table).

Every answer allows any origin (CORS); updates and SERVICE are refused
(:mod:`mwg_graph.sparql.guard`).
"""

from __future__ import annotations

import json
import math
import threading
import time
from functools import cache

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Dataset

from ..app import get_release, get_settings
from ..formats import RDF_FORMATS, negotiate, rdf_format_by_media_type
from ..namespaces import Iris
from ..sparql.description import service_description
from ..sparql.engine import Job
from ..sparql.examples import load_examples
from ..sparql.guard import READ_ONLY, Refused, check_query, is_update
from ..sparql.protocol import ProtocolError, read_request
from ..sparql.result_cache import ResultCache, cache_key
from ..sparql.results import ASK_OFFERS, GRAPH_OFFERS, SELECT_OFFERS
from ..sparql.runaways import RecentRunaways
from ..sparql.workers import Engine

bp = Blueprint("sparql", __name__)

EXPOSED = "MWG-Results-Truncated, MWG-Max-Rows, Content-Type, Content-Disposition"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'self'; form-action 'self'"
)
DOWNLOAD_NAMES = {"text/csv": "results.csv", "text/tab-separated-values": "results.tsv"}
DRAIN_LIMIT = 16 * 1024 * 1024  # read (and drop) an oversized body up to this, so the 413 arrives


@bp.record_once
def _setup(state) -> None:
    app = state.app
    settings = app.config["MWG_SETTINGS"]
    engine = Engine(
        settings.store,
        settings.query_workers,
        settings.extra_data,
        Iris(settings.base_iri).prefixes(),
    )
    app.extensions["mwg_sparql"] = engine
    # A timed-out query is refused at once for three time limits (at least 30 s) after.
    app.extensions["mwg_runaways"] = RecentRunaways(max(30.0, 3 * settings.query_timeout))
    app.extensions["mwg_results"] = ResultCache(int(settings.result_cache_mb * 2**20))
    app.extensions["mwg_releases"].listeners.append(lambda release: engine.swap(release.path))
    app.extensions["mwg_sparql_warm"] = threading.Event()


@bp.before_app_request
def _warm_up() -> None:
    """Start the query processes with the first request of any kind (e.g. the health check)."""
    warm = current_app.extensions["mwg_sparql_warm"]
    if warm.is_set():
        return
    warm.set()
    release = get_release()
    if release is not None:
        current_app.extensions["mwg_sparql"].pool(release.path)


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
    deadline = time.monotonic() + settings.query_timeout
    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        return _too_large(settings.max_body_bytes)
    try:
        body = request.get_data(cache=False) if request.method == "POST" else b""
    except Exception as error:  # werkzeug's 413 for a chunked body over the limit
        if getattr(error, "code", None) == 413:
            return _too_large(settings.max_body_bytes)
        raise
    try:
        asked = read_request(
            request.method,
            request.headers.get("Content-Type"),
            request.args,
            body,
            request.headers.get("Accept"),
        )
        if asked.query is None:
            return _describe_or_page(asked.accept)
        check_query(asked.query)
    except (ProtocolError, Refused) as problem:
        return _text(problem.status, problem.message)

    if _wants_page(asked.accept) and not asked.format_given:
        return _page(asked.query)
    release = get_release()
    if release is None:
        return _text(503, "No release of the graph has been built yet; try again later.")
    job = Job(
        query=asked.query,
        accept_select=_choice(asked.accept, SELECT_OFFERS),
        accept_ask=_choice(asked.accept, ASK_OFFERS),
        accept_graph=_choice(asked.accept, GRAPH_OFFERS),
        max_rows=settings.max_rows,
        default_graphs=asked.default_graphs,
        named_graphs=asked.named_graphs,
    )
    runaways: RecentRunaways = current_app.extensions["mwg_runaways"]
    if wait := runaways.seconds_left(job):
        return _timed_out(
            f"Query timed out: the same query was stopped after {settings.query_timeout:g} s, "
            "the time limit of this endpoint, a moment ago, so it is not run again for "
            f"{math.ceil(wait)} s.",
            wait,
        )
    results: ResultCache = current_app.extensions["mwg_results"]
    key = cache_key(release.version, job)
    outcome = results.get(key)
    if outcome is None:
        outcome = current_app.extensions["mwg_sparql"].pool(release.path).run(job, deadline)
        results.put(key, outcome)
    if outcome.kind == "timeout":
        runaways.remember(job)
        return _timed_out(
            f"Query timed out: it was stopped after {settings.query_timeout:g} s, the time "
            "limit of this endpoint.",
            runaways.hold_seconds,
        )
    if outcome.kind == "syntax" and is_update(asked.query):
        return _text(403, READ_ONLY)
    response = Response(outcome.body, outcome.status, content_type=outcome.media_type)
    response.headers.update(outcome.headers)
    if outcome.status == 503:  # no query process came free in time: come back a limit later
        response.headers["Retry-After"] = str(math.ceil(settings.query_timeout))
    media_type = outcome.media_type.split(";")[0]
    if asked.format_given and media_type in DOWNLOAD_NAMES:
        response.headers["Content-Disposition"] = f'inline; filename="{DOWNLOAD_NAMES[media_type]}"'
    response.headers["Cache-Control"] = (
        "no-store" if outcome.status >= 500 else "public, max-age=60"
    )
    return response


def _timed_out(message: str, retry_after: float) -> Response:
    response = _text(
        503,
        message + " Make it cheaper (more specific patterns, a LIMIT) or download the data and "
        "query it yourself.",
    )
    response.headers["Retry-After"] = str(math.ceil(retry_after))
    return response


def _choice(accept: str | None, offers: list[str]) -> list[str]:
    chosen = negotiate(accept, offers)
    return [chosen] if chosen else []


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
        _named_graphs(settings.extra_data),
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
    dataset = Dataset()
    dataset.parse(extra_data, format="trig" if extra_data.endswith(".trig") else "nquads")
    return sorted(
        str(g.identifier)
        for g in dataset.graphs()
        if g.identifier != dataset.default_graph.identifier
    )


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
