"""HTTP hygiene in one place: validators, conditional requests, caching, gzip, CORS, Vary.

Registered once as an ``after_request`` hook (:func:`init_app`). Views only say what they know:
:func:`mark` records the release a response was made from (its version and build time become the
``ETag`` prefix and ``Last-Modified``) and how long it may be cached; everything else is done here,
for every response of the linked-data areas of the site (documents, pages, downloads, static files).

- ``ETag``: ``"{release version}-{digest of the body}"``, ``-gz`` appended for the gzip variant
  (RFC 9110 §8.8.3: a different representation needs a different strong validator).
- ``Last-Modified``: the release's build time.
- ``If-None-Match`` / ``If-Modified-Since`` → ``304 Not Modified`` (RFC 9110 §13.1.2, §13.1.3;
  ``If-Modified-Since`` is ignored when ``If-None-Match`` is present).
- ``Content-Encoding: gzip`` for text bodies when the client accepts it, with
  ``Vary: Accept-Encoding``.
- ``Access-Control-Allow-Origin: *`` on every response (the data is public and read-only), with the
  headers a page script needs exposed.
- ``MWG-Release``: the version of the release the answer was made from (any answer that used one).
- ``HEAD`` is answered by Flask from the ``GET`` view; this hook treats both alike.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from email.utils import format_datetime, parsedate_to_datetime

from flask import Flask, Response, g, request

from mwg_graph.formats import weighted_items
from mwg_graph.web.releases import PublishedRelease
from mwg_graph.web.state import state

LINKED_DATA_BLUEPRINTS = frozenset({"resources", "pages", "downloads", "findable"})
TEXT_TYPES = (
    "text/",
    "application/ld+json",
    "application/json",
    "application/n-triples",
    "application/rdf+xml",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
    "application/sparql-results",
)
GZIP_MIN_BYTES = 512
SHORT_CACHE = "public, max-age=300"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
STATIC_CACHE = "public, max-age=3600"
RELEASE_HEADER = "MWG-Release"  # the version of the release an answer was made from
EXPOSED = "ETag, Last-Modified, Link, Content-Location, Content-Language, Vary, MWG-Release"

_GZIP_CACHE_MAX = 512


def mark(release: PublishedRelease | None, cache: str = SHORT_CACHE) -> None:
    """Say which release this response comes from and how long it may be cached."""
    g.mwg_release = release
    g.mwg_cache = cache


def add_vary(response: Response, *fields: str) -> None:
    present = {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}
    for name in fields:
        if name.lower() not in present:
            response.vary.add(name)
            present.add(name.lower())


def release_time(release: PublishedRelease) -> dt.datetime | None:
    text = release.info.get("built_at")
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(microsecond=0)
    except ValueError:
        return None


def _is_text(mimetype: str | None) -> bool:
    return bool(mimetype) and mimetype.startswith(TEXT_TYPES)


def _accepts_gzip() -> bool:
    """The first of gzip, x-gzip or ``*`` in ``Accept-Encoding`` decides, by its q-value."""
    for coding, q, _ in weighted_items(request.headers.get("Accept-Encoding", "")):
        if coding in ("gzip", "*", "x-gzip"):
            return q > 0
    return False


def _compress(tag: str, body: bytes) -> bytes:
    memory = state()
    with memory.gzip_lock:
        cached = memory.gzipped.get(tag)
    if cached is not None:
        return cached
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    with memory.gzip_lock:
        if len(memory.gzipped) >= _GZIP_CACHE_MAX:
            memory.gzipped.clear()
        memory.gzipped[tag] = packed
    return packed


def _etag_matches(header: str, tag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``W/`` ignored; our ``-gz`` variants match each other."""
    if header.strip() == "*":
        return True
    base = tag.removesuffix("-gz")
    for candidate in header.split(","):
        value = candidate.strip().removeprefix("W/").strip('"').removesuffix("-gz")
        if value == base:
            return True
    return False


def _not_modified_since(last_modified: dt.datetime | None) -> bool:
    header = request.headers.get("If-Modified-Since")
    if not header or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return last_modified <= since


def _applies() -> bool:
    return request.blueprint in LINKED_DATA_BLUEPRINTS or request.endpoint == "static"


def allow_any_origin(response: Response, exposed: str = EXPOSED) -> None:
    """CORS for a public, read-only site: any origin may read ``response`` and these headers.

    Headers already set win, so a blueprint's own ``after_request`` (which runs before this
    module's) may widen what it exposes or allows; nothing else writes CORS headers.
    """
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("Access-Control-Expose-Headers", exposed)


def allow_preflight(
    response: Response,
    methods: str = "GET, HEAD, OPTIONS",
    allowed_headers: str = "Accept, Accept-Language, If-None-Match, If-Modified-Since",
) -> None:
    """Answer a CORS preflight (``OPTIONS``): which methods and request headers may follow."""
    response.headers.setdefault("Access-Control-Allow-Methods", methods)
    response.headers.setdefault("Access-Control-Allow-Headers", allowed_headers)
    response.headers.setdefault("Access-Control-Max-Age", "86400")


def after_request(response: Response) -> Response:
    served = g.get("mwg_request_release")
    if served is not None:
        response.headers[RELEASE_HEADER] = served.version
    allow_any_origin(response)
    if request.method == "OPTIONS":
        allow_preflight(response)
        return response
    if not _applies() or request.method not in ("GET", "HEAD"):
        return _compress_page(response)
    if response.status_code != 200:
        if response.status_code in (303, 302, 301, 307, 308):
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        elif response.status_code >= 400:
            response.headers.setdefault("Cache-Control", "no-cache")
        return response
    if response.is_streamed and request.endpoint != "static":
        return response

    if request.endpoint == "static":
        response.direct_passthrough = False  # small files: hash and compress them like the rest
        response.headers["Cache-Control"] = STATIC_CACHE
    else:
        response.headers.setdefault("Cache-Control", g.get("mwg_cache", SHORT_CACHE))
    body = response.get_data()
    release: PublishedRelease | None = g.get("mwg_release")
    prefix = release.version if release is not None else "static"
    tag = f"{prefix}-{hashlib.sha256(body).hexdigest()[:20]}"
    last_modified = release_time(release) if release is not None else None
    if last_modified is None and response.last_modified is not None:
        last_modified = response.last_modified

    compressible = _is_text(response.mimetype) and len(body) >= GZIP_MIN_BYTES
    if compressible:
        add_vary(response, "Accept-Encoding")
    use_gzip = compressible and _accepts_gzip() and "Content-Encoding" not in response.headers
    if use_gzip:
        tag += "-gz"
    response.headers["ETag"] = f'"{tag}"'
    if last_modified is not None:
        response.headers["Last-Modified"] = format_datetime(last_modified, usegmt=True)

    if_none_match = request.headers.get("If-None-Match")
    not_modified = (
        _etag_matches(if_none_match, tag) if if_none_match else _not_modified_since(last_modified)
    )
    if not_modified:
        response.status_code = 304
        response.set_data(b"")
        for name in ("Content-Length", "Content-Encoding", "Content-Type"):
            response.headers.pop(name, None)
        return response
    if use_gzip:
        response.set_data(_compress(tag, body))
        response.headers["Content-Encoding"] = "gzip"
    return response


def _compress_page(response: Response) -> Response:
    """Gzip an HTML page of the other areas (the query page, search, /link) and nothing more.

    The query page alone is ~70 kB of HTML (its examples as links and as data), 8 kB gzipped: on a
    slow phone link that is the difference between a first paint in one second or in two. Their
    caching is their own views' choice, so only the encoding is done here; and these pages answer
    queries of any text, so they are compressed afresh (~1 ms), not kept in the cache of release
    bodies, where they would only push those out.
    """
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.mimetype != "text/html"
        or response.is_streamed
        or "Content-Encoding" in response.headers
    ):
        return response
    body = response.get_data()
    if len(body) < GZIP_MIN_BYTES:
        return response
    add_vary(response, "Accept-Encoding")
    if _accepts_gzip():
        response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    app.after_request(after_request)
