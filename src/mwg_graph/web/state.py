"""Everything one app holds between requests, as one typed object, and the one way to reach it.

:func:`mwg_graph.web.app.create_app` makes an :class:`AppState` and fills it while it wires the app;
views, hooks and the thin SPARQL path read it through :func:`state` (during a request) or
:func:`get_state` (given the app). Two apps in one process — tests start several — share nothing:
no string keys in ``app.extensions`` or ``app.config`` to mistype, no module-global memory of
pages. (What stays process-wide is keyed by what it was computed from and is the same for every
app: the search index by release folder in :mod:`mwg_graph.search_index`, map geometry.)

This module imports no view and no hook, so any of them can import it without a cycle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app, g

from mwg_graph.config import Settings
from mwg_graph.sparql.service import SparqlService
from mwg_graph.web.overload import Gate
from mwg_graph.web.releases import PublishedRelease, ReleaseHolder

EXTENSION = "mwg_graph"  # the one key of app.extensions this project uses


class Memo:
    """Values computed once per (release version, key); a new release drops them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._values: dict[object, object] = {}

    def get(self, version: str, key: object, compute: Callable[[], object]) -> object:
        with self._lock:
            if version != self._version:
                self._version, self._values = version, {}
            if key in self._values:
                return self._values[key]
        value = compute()
        with self._lock:
            if version == self._version:
                self._values[key] = value
        return value

    def discard(self, unwanted: Callable[[object], bool]) -> None:
        """Drop the values whose key is ``unwanted``: the export renders each document once, so
        keeping its graph and bodies for the rest of a 100k-triple release only costs memory."""
        with self._lock:
            self._values = {k: v for k, v in self._values.items() if not unwanted(k)}


@dataclass
class AppState:
    """The services and memory of one app, made by ``create_app`` before it wires any hook."""

    settings: Settings
    releases: ReleaseHolder
    # The query engine and its caches (mwg_graph.sparql.service), and whether the first request
    # has started its query processes yet (until then, the thin SPARQL path hands queries to Flask).
    sparql: SparqlService
    # The bulkhead that keeps one thread free for pages (mwg_graph.web.overload).
    query_gate: Gate
    sparql_warm: threading.Event = field(default_factory=threading.Event)
    # security.init_app: the Content-Security-Policy of HTML pages (hashes of inline scripts).
    content_security_policy: str = ""
    # Pages, graphs and serialisations computed once per release (views, mwg_graph.web.documents).
    memo: Memo = field(default_factory=Memo)
    # http: gzip bodies by ETag, so a page asked for again is not compressed again.
    gzipped: dict[str, bytes] = field(default_factory=dict)
    gzip_lock: threading.Lock = field(default_factory=threading.Lock)


def install(app: Flask, app_state: AppState) -> AppState:
    app.extensions[EXTENSION] = app_state
    return app_state


def get_state(app: Flask) -> AppState:
    return app.extensions[EXTENSION]


def state() -> AppState:
    """The state of the app handling the current request."""
    return current_app.extensions[EXTENSION]


def get_settings() -> Settings:
    return state().settings


def get_release() -> PublishedRelease | None:
    """The release this request uses: taken once, so every part of one answer is from one release.

    Its version goes out in the ``MWG-Release`` header (:mod:`mwg_graph.web.http`), which is how a
    client, a load balancer or a test tells which release answered.
    """
    if "mwg_request_release" not in g:
        g.mwg_request_release = state().releases.current()
    return g.mwg_request_release
