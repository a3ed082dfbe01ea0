"""The thin path for SPARQL queries: ``/sparql`` query requests answered without Flask's machinery.

Why: a cache-busted query the engine answers in a fraction of a millisecond spent most of its web
worker's Python time in Flask and werkzeug (request context, URL matching, the request and response
objects, six hooks) — ~1,000 of ~1,270 calls per request (BENCHMARKS.md, "SPARQL, cache-busted").
This WSGI middleware sits between :mod:`mwg_graph.web.request_limits` (request-line, header and body
limits, the access log: unchanged) and the Flask app, and answers the plain case itself:

    GET or POST ``/sparql`` (or ``/sparql/``) with a query, a body (if any) that has arrived whole
    and is within ``max_body_bytes``, a ``Host`` the app accepts, no ``?lang=`` (which sets a
    cookie), not asking for the HTML page, once the query processes have been started.

It does what the Flask view does — :func:`mwg_graph.sparql.protocol.read_request`, the query gate
(:mod:`mwg_graph.web.overload`), the release, :class:`mwg_graph.sparql.service.SparqlService`
(runaways, result cache, query processes, row and byte caps) — and writes the headers the view and
the app's hooks write for such an answer, in the same order: :func:`.sparql.answer_headers`, CORS,
``Vary``, the security headers, ``MWG-Release``. Everything else goes to Flask unchanged: protocol
errors, the service description, the page, ``OPTIONS``/``HEAD``, a refused ``Host``, an oversized
body. So does an answer whose body holds the origin placeholder (:mod:`mwg_graph.web.origin`), and
so are a full query gate (503 with ``Retry-After``, worded by the app's error handler) and any
unexpected error (the app's generic 500 with an error id) finished by Flask, inside a request
context.

``tests/test_sparql_thin_path.py`` asks the same questions of both paths and compares the answers.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from flask import Flask, g
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import SecurityError
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_host

from mwg_graph.sparql.engine import Outcome
from mwg_graph.sparql.protocol import QueryRequest, read_request
from mwg_graph.web.http import RELEASE_HEADER
from mwg_graph.web.origin import PLACEHOLDER_BYTES, may_hold_links
from mwg_graph.web.overload import Overloaded
from mwg_graph.web.releases import PublishedRelease
from mwg_graph.web.security import COMMON_HEADERS
from mwg_graph.web.state import get_state
from mwg_graph.web.views.sparql import EXPOSED, answer_headers, wants_page, without_empty_format

PATHS = frozenset({"/sparql", "/sparql/"})
# Headers every answer of the endpoint gets from the view's and the app's after-request hooks.
CORS_AND_SECURITY = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", EXPOSED),
    ("Vary", "Accept"),
    *COMMON_HEADERS.items(),
]


class ThinSparqlPath:
    """WSGI middleware: answer plain ``/sparql`` queries itself, hand everything else to Flask."""

    def __init__(self, app: Flask, flask_wsgi: Callable) -> None:
        self.app = app
        self.state = get_state(app)
        self.flask_wsgi = flask_wsgi
        self.max_body = self.state.settings.max_body_bytes
        self.trusted_hosts = app.config.get("TRUSTED_HOSTS")
        self.answered = 0  # requests this path answered itself (tests and profiles look)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") not in PATHS or not self._plain(environ):
            return self.flask_wsgi(environ, start_response)
        return self._answer(environ, start_response)

    def _plain(self, environ: dict) -> bool:
        """Is this a request the thin path answers exactly as the Flask route would?"""
        method = environ.get("REQUEST_METHOD")
        if method == "POST":
            length = environ.get("CONTENT_LENGTH", "")
            if not length.isdigit() or int(length) > self.max_body:
                return False  # a 413, or a body request_limits did not read: Flask's business
            if "HTTP_TRANSFER_ENCODING" in environ:
                return False
        elif method != "GET":
            return False
        if not self.state.sparql_warm.is_set():
            return False  # the first request starts the query processes (the view's hook)
        if self.trusted_hosts is not None:
            try:
                get_host(environ, self.trusted_hosts)
            except SecurityError:
                return False  # Flask answers 400
        return True

    def _answer(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        body = b""
        if method == "POST":
            stream = environ["wsgi.input"]
            body = stream.read(int(environ["CONTENT_LENGTH"]))
            environ["wsgi.input"] = io.BytesIO(body)  # Flask can still read it if it must answer
        arrived = time.monotonic()
        try:
            args = ImmutableMultiDict(
                parse_qsl(
                    environ.get("QUERY_STRING", "").encode("latin1").decode(),
                    keep_blank_values=True,
                    errors="werkzeug.url_quote",
                )
            )
            if "lang" in args:
                return self._to_flask(environ, start_response)  # it sets the language cookie
            asked = read_request(
                method,
                environ.get("CONTENT_TYPE"),
                without_empty_format(args),
                body,
                environ.get("HTTP_ACCEPT"),
            )
            if asked.query is None or (wants_page(asked.accept) and not asked.format_given):
                return self._to_flask(environ, start_response)
            release = self.state.releases.current()
        except Exception:  # a protocol error, or anything odd: the route answers, as it always did
            return self._to_flask(environ, start_response)
        if release is None:
            return self._to_flask(environ, start_response)
        gate = self.state.query_gate
        client = environ.get("REMOTE_ADDR") or ""
        try:
            gate.enter(client)
        except Overloaded as overloaded:
            return self._finish_in_flask(environ, start_response, release, overloaded)
        try:
            outcome = self.state.sparql.answer(release.path, asked, arrived)
        except Exception as error:  # the app's handler logs it and answers a generic 500
            outcome = error
        finally:
            gate.leave(client)  # before the error is worded, as the view's query_slot does
        if isinstance(outcome, Exception):
            return self._finish_in_flask(environ, start_response, release, outcome)
        media_type = outcome.media_type.split(";")[0].strip()
        if PLACEHOLDER_BYTES in outcome.body and may_hold_links(media_type):
            return self._finish_in_flask(environ, start_response, release, outcome, asked)
        self.answered += 1
        return _write(start_response, outcome, asked.format_given, release.version)

    def _to_flask(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self.flask_wsgi(environ, start_response)

    def _finish_in_flask(
        self,
        environ: dict,
        start_response: Callable,
        release: PublishedRelease,
        what: Exception | Outcome,
        asked: QueryRequest | None = None,
    ) -> Iterable[bytes]:
        """Let Flask word and finish an answer the thin path does not write itself.

        ``what`` is an exception (handed to the app's error handlers) or an outcome (an answer
        whose body needs the app's origin hook).
        """
        from mwg_graph.web.views.sparql import _respond

        app = self.app
        with app.request_context(environ):
            g.mwg_request_release = release
            try:
                if isinstance(what, Outcome):
                    returned = _respond(what, asked is not None and asked.format_given)
                else:
                    returned = app.handle_user_exception(what)
            except Exception as error:
                returned = app.handle_user_exception(error)
            response = app.process_response(app.make_response(returned))
            return response(environ, start_response)


def _write(
    start_response: Callable, outcome: Outcome, format_given: bool, release_version: str
) -> list[bytes]:
    """Start the response as Flask would for this outcome (same headers, same order)."""
    headers = [
        ("Content-Type", outcome.media_type),
        ("Content-Length", str(len(outcome.body))),
        *answer_headers(outcome, format_given),
        *CORS_AND_SECURITY,
        (RELEASE_HEADER, release_version),
    ]
    status = f"{outcome.status} {HTTP_STATUS_CODES.get(outcome.status, 'UNKNOWN').upper()}"
    start_response(status, headers)
    return [outcome.body]
