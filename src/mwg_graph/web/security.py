"""Security headers on every response, the body cap, and errors that never show a stack trace.

- Every response: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy``.
- HTML responses: a Content Security Policy with no inline script except by hash
  (https://www.w3.org/TR/CSP3/#grammardef-hash-source), ``frame-ancestors 'none'`` (and the older
  ``X-Frame-Options`` saying the same to browsers that know only it: DENY for 'none', SAMEORIGIN
  for 'self', none at all where a page may be framed, like the reconciliation preview). The
  allowed hashes are those of the inline ``<script>`` blocks written literally in our templates,
  computed once at start-up; a script that is not in a template (say, one injected through a
  parameter) has no hash in the policy and never runs.
- A request body larger than ``max_body_bytes`` is refused with 413 before any view reads it.
- Errors: an HTTP error keeps its status and says what went wrong as JSON, HTML or plain text,
  whichever the client accepts; any other exception is logged here with its traceback and the
  client gets a generic 500 — never the traceback.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import re
import secrets

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from mwg_graph.formats import negotiate
from mwg_graph.web.state import AppState, state

log = logging.getLogger("mwg_graph.errors")

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
OLD_FRAME_OPTIONS = {"'none'": "DENY", "'self'": "SAMEORIGIN"}  # by CSP frame-ancestors
CSP_TEMPLATE = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Script types a browser executes (https://html.spec.whatwg.org/#javascript-mime-type); others
# (application/ld+json, …) are data blocks, which CSP does not govern.
_EXECUTABLE = {"", "module", "text/javascript", "application/javascript", "text/ecmascript"}
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_ERROR_OFFERS = ["text/plain", "application/json", "text/html"]
DRAIN_LIMIT = 16 * 1024 * 1024  # most bytes of an oversized body read before answering 413


def inline_script_hashes(app: Flask) -> list[str]:
    """CSP hash sources of the literal inline scripts in the app's templates, sorted."""
    hashes: set[str] = set()
    loader = app.jinja_env.loader
    if loader is None:
        return []
    for name in app.jinja_env.list_templates():
        try:
            source = loader.get_source(app.jinja_env, name)[0]
        except Exception:  # a template the loader lists but cannot read: nothing to allow
            continue
        for attributes, body in _SCRIPT.findall(source):
            if "src=" in attributes.lower() or not body.strip():
                continue
            kind = _TYPE.search(attributes)
            if (kind.group(1).lower() if kind else "") not in _EXECUTABLE:
                continue
            if "{{" in body or "{%" in body:
                log.warning("template %s: inline script with template code is not allowed", name)
                continue
            digest = hashlib.sha256(body.encode("utf-8")).digest()
            hashes.add("'sha256-" + base64.b64encode(digest).decode("ascii") + "'")
    return sorted(hashes)


def content_security_policy(hashes: list[str]) -> str:
    return CSP_TEMPLATE.format(hashes="".join(" " + h for h in hashes))


def add_security_headers(response: Response) -> Response:
    for name, value in COMMON_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", state().content_security_policy)
        frame_options = OLD_FRAME_OPTIONS.get(_frame_ancestors(response))
        if frame_options:
            response.headers.setdefault("X-Frame-Options", frame_options)
    return response


def _frame_ancestors(response: Response) -> str:
    for directive in response.headers.get("Content-Security-Policy", "").split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "frame-ancestors":
            return value.strip()
    return ""


def drain_body() -> None:
    """Read and drop up to :data:`DRAIN_LIMIT` bytes of the request body before refusing it: a
    client still sending when the server answers and closes would otherwise see a reset
    connection, not the error."""
    remaining = min(request.content_length or 0, DRAIN_LIMIT)
    stream = request.environ.get("wsgi.input")
    while stream is not None and remaining > 0:
        chunk = stream.read(min(65536, remaining))
        if not chunk:
            break
        remaining -= len(chunk)


def refuse_large_bodies() -> None:
    """413 for a declared body over the limit (a chunked one is cut off by werkzeug as it reads).

    Up to :data:`DRAIN_LIMIT` bytes of the body are read and dropped first: a client still sending
    when the server answers and closes would otherwise see a reset connection, not the 413.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    length = request.content_length or 0
    if limit is None or length <= limit:
        return
    drain_body()
    raise RequestEntityTooLarge(
        f"The request body is larger than {limit} bytes, the limit of this server "
        "(setting max_body_bytes)."
    )


def _error_media_type() -> str:
    accept = request.headers.get("Accept")
    chosen = negotiate(accept, _ERROR_OFFERS)
    if chosen is None:
        return "application/json" if accept and "json" in accept.lower() else "text/plain"
    return chosen


def error_response(status: int, title: str, message: str, base: Response | None = None) -> Response:
    media_type = _error_media_type()
    if media_type == "application/json":
        response = jsonify({"status": status, "error": title, "message": message})
    else:
        if media_type == "text/html":
            heading = f"{status} {html.escape(title)}"
            body = (
                '<!doctype html>\n<html lang="en"><meta charset="utf-8">'
                f"<title>{heading}</title>\n<h1>{heading}</h1>\n<p>{html.escape(message)}</p>\n"
            )
        else:
            body = f"{status} {title}\n\n{message}\n"
        response = Response(body, mimetype=media_type)
        response.charset = "utf-8"
        response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    response.status_code = status
    if base is not None:  # keep what the error itself says (Allow, Retry-After, WWW-Authenticate…)
        for name, value in base.headers.items():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error  # redirects raised by routing (e.g. a missing trailing slash) pass through
    base = error.get_response()
    return error_response(error.code, error.name, error.description or error.name, base)


def handle_exception(error: Exception):
    error_id = secrets.token_hex(4)  # the client can quote it; the log line carries it
    log.error("unhandled error on %s %s [error id %s]", request.method, request.path, error_id,
              exc_info=error)  # fmt: skip
    message = "The server could not answer this request; the error has been logged"
    message += f" (error id {error_id})."
    return error_response(500, "Internal Server Error", message)


def init_app(app: Flask, app_state: AppState) -> None:
    """Headers, body limit and error pages; after the blueprints, whose templates' inline scripts
    the Content-Security-Policy allows by hash."""
    app_state.content_security_policy = content_security_policy(inline_script_hashes(app))
    app.before_request(refuse_large_bodies)
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_exception)
