"""What every request may cost before the app sees it, and one access-log line for each.

A WSGI middleware, so the limits hold whatever server runs the app (granian reads headers in Rust
and hands bodies to Python as they arrive; it enforces no request-line or header-field limits):

- a request line longer than ``max_url_bytes`` (at most 8190) → 414;
- a header field longer than 8190 bytes, or more than 100 fields → 431 (gunicorn's limits, which
  clients of this server met before);
- **slow bodies take a body slot, not a query slot.** A request with a body is read whole, before
  the app (and so before the query gate and the query's time limit) sees it, within
  ``body_timeout`` seconds (slower: 408); at most a quarter of the worker's threads read bodies at
  once, at most another quarter wait (up to a second) for one of them, and any other request with
  a body gets 503 with ``Retry-After`` at once. So clients that send a body a byte every few
  seconds hold at most half the threads, for at most ``body_timeout`` while they keep sending, and
  no query slot: pages, ``/version`` and GET queries keep answering. (Waiting was unbounded once:
  64 slow bodies then kept every thread waiting for a slot, and ``/version`` took 1–4 s.)
  **Per address:** one client address holds at most ``client_share`` of the body slots and of the
  waiting places (:mod:`mwg_graph.web.address_slots`), so while one address trickles its bodies in,
  another's form POST (the query page, YASGUI) still gets a body slot at once.
  A declared body over ``max_body_bytes`` is not read here: the app answers 413 (``security.py``);
- one access-log line per request on standard output (client, request line, status, bytes, ms);
  the client named by a trusted proxy's ``X-Forwarded-For`` (:mod:`mwg_graph.web.forwarded`).
"""

from __future__ import annotations

import io
import logging
import sys
import time
from collections.abc import Callable, Iterable
from urllib.parse import quote

from mwg_graph.config import Settings
from mwg_graph.web.address_slots import AddressSlots
from mwg_graph.web.forwarded import trusted_proxies, use_forwarded_client
from mwg_graph.web.security import COMMON_HEADERS

MAX_FIELD_BYTES = 8190
MAX_FIELDS = 100
MAX_REQUEST_LINE = 8190
RETRY_AFTER_BUSY = "2"
BODY_SLOT_WAIT = 1.0  # seconds a body may wait for a body slot: a burst of quick POSTs is no attack
BODY_CHUNK = 4096  # bytes read at a time, so the body's deadline is checked as it trickles in
LOGGED_TARGET = 1000  # characters of a request target the access log keeps

access_log = logging.getLogger("mwg_graph.access")


def request_target(environ: dict) -> str:
    """The request target as the client sent it (rebuilt when the server gives no raw URI)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw is None:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        raw = quote(path.encode("latin-1", "replace"), safe="/:@!$&'()*+,;=-._~%")
        if environ.get("QUERY_STRING"):
            raw += "?" + environ["QUERY_STRING"]
    return raw


def request_line_length(environ: dict) -> int:
    protocol = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
    return (
        len(environ.get("REQUEST_METHOD", "GET")) + len(request_target(environ)) + 2 + len(protocol)
    )


def header_fields(environ: dict) -> list[tuple[str, str]]:
    fields = [(k[5:], v) for k, v in environ.items() if k.startswith("HTTP_")]
    fields += [(k, environ[k]) for k in ("CONTENT_TYPE", "CONTENT_LENGTH") if environ.get(k)]
    return fields


def _plain(start_response, status: str, message: str, extra=()) -> list[bytes]:
    body = f"{status}\n\n{message}\n".encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
               ("Cache-Control", "no-store"), *COMMON_HEADERS.items(),
               ("Connection", "close"), *extra]  # fmt: skip
    start_response(status, headers)
    return [body]


def _has_body(environ: dict) -> bool:
    length = environ.get("CONTENT_LENGTH", "")
    if length.strip().isdigit():
        return int(length) > 0
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


class RequestLimits:
    """The middleware (a class only because WSGI wants a callable holding the wrapped app)."""

    def __init__(self, app: Callable, settings: Settings) -> None:
        self.app = app
        self.max_line = max(1, min(settings.max_url_bytes, MAX_REQUEST_LINE))
        self.max_body = settings.max_body_bytes
        self.body_timeout = settings.body_timeout
        quarter = max(1, settings.threads // 4)
        self.body_slots = AddressSlots(quarter, quarter, BODY_SLOT_WAIT, settings.client_share)
        self.proxies = trusted_proxies(settings)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        use_forwarded_client(environ, self.proxies)  # before the log line and the query gate
        status = ["-"]

        def recording_start_response(line, headers, exc_info=None):
            status[0] = line.split(" ", 1)[0]
            return start_response(line, headers, exc_info)

        try:
            body = self._answer(environ, recording_start_response)
        except BaseException:
            _log(environ, "500", 0, started)
            raise
        if isinstance(body, list):  # the whole answer is known: log it now
            _log(environ, status[0], sum(len(chunk) for chunk in body), started)
            return body
        return _Logged(body, lambda sent: _log(environ, status[0], sent, started))

    def _answer(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if request_line_length(environ) > self.max_line:
            return _plain(start_response, "414 URI Too Long",
                          f"The request line is too large: more than {self.max_line} bytes "
                          "(setting max_url_bytes).")  # fmt: skip
        fields = header_fields(environ)
        too_long = next((n for n, v in fields if len(n) + 2 + len(v) > MAX_FIELD_BYTES), None)
        if too_long is not None or len(fields) > MAX_FIELDS:
            what = (
                f"header field {too_long.replace('_', '-').title()!r} is longer than "
                f"{MAX_FIELD_BYTES} bytes"
                if too_long
                else f"more than {MAX_FIELDS} header fields"
            )
            return _plain(start_response, "431 Request Header Fields Too Large",
                          f"Request header too large: {what}.")  # fmt: skip
        if not _has_body(environ):
            return self.app(environ, start_response)
        client = environ.get("REMOTE_ADDR", "")  # the trusted proxy's client, set above
        refused = self.body_slots.take(client)
        if refused is not None:
            why = (
                f"Your address is already sending {refused.held} request bodies, its share of "
                "this server process's body slots"
                if refused.own_share
                else "Too many request bodies are arriving at once"
            )
            return _plain(start_response, "503 Service Unavailable",
                          f"{why}; try again in a few seconds.",
                          [("Retry-After", RETRY_AFTER_BUSY)])  # fmt: skip
        try:
            declared = environ.get("CONTENT_LENGTH", "").strip()
            if declared.isdigit() and int(declared) > self.max_body:
                return list(self.app(environ, start_response))  # 413, drained by the app
            data = _read_body(environ["wsgi.input"], self.max_body + 1, self.body_timeout)
        finally:
            self.body_slots.give_back(client)
        if data is None:
            return _plain(start_response, "408 Request Timeout",
                          f"The request body did not arrive within {self.body_timeout:g} s "
                          "(setting body_timeout); send it at once.")  # fmt: skip
        if declared.isdigit() and len(data) < int(declared):
            return _plain(start_response, "400 Bad Request",
                          f"The request body ended after {len(data)} of the {declared} bytes "
                          "its Content-Length announced.")  # fmt: skip
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))  # over the limit when a chunked body was
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


def _read_body(stream, most: int, seconds: float) -> bytes | None:
    """Up to ``most`` bytes of the body; None when it has not all arrived within ``seconds``.

    The deadline is checked between chunks: a body that trickles in is cut off at the first chunk
    after it (a client that stops sending altogether holds its body slot until the server's own
    read gives up, which is why body slots are few).
    """
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    size = 0
    try:
        while size < most:
            chunk = stream.read(min(BODY_CHUNK, most - size))
            if time.monotonic() > deadline:
                return None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except (OSError, ValueError):  # the client went away mid-body
        pass
    return b"".join(chunks)


class _Logged:
    """A streamed answer that writes its access-log line when the server closes it."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]) -> None:
        self.body, self.done, self.sent = body, done, 0

    def __iter__(self):
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.done(self.sent)


def _log(environ: dict, status: str, sent: int, started: float) -> None:
    target = request_target(environ)
    if len(target) > LOGGED_TARGET:
        target = target[:LOGGED_TARGET] + "…"
    agent = environ.get("HTTP_USER_AGENT", "-").replace('"', "'")
    line = (
        f'{environ.get("REMOTE_ADDR", "-")} "{environ.get("REQUEST_METHOD")} {target} '
        f'{environ.get("SERVER_PROTOCOL")}" {status} {sent} '
        f'{(time.perf_counter() - started) * 1000:.0f}ms "{agent}"'
    )
    access_log.info("%s", line.encode("ascii", "replace").decode("ascii"))


def access_log_handler() -> logging.Handler:
    """Access lines go to standard output, bare (the format is the line itself)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def wrap(app: Callable, settings: Settings) -> RequestLimits:
    if not access_log.handlers:
        access_log.addHandler(access_log_handler())
        access_log.propagate = False
        access_log.setLevel(logging.INFO)
    return RequestLimits(app, settings)
