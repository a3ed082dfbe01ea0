"""Overload: answer ``503`` with ``Retry-After`` soon, instead of letting requests pile up.

Each server process has ``threads`` request threads and ``query_workers`` query processes. A query
that runs until its time limit holds a query process (and the thread waiting on it) for that long;
if every thread could end up waiting for a query process, pages and downloads — which need none —
would hang behind runaway queries. So the SPARQL requests of a server process go through a
:class:`Gate` (a bulkhead): at most ``2 × query_workers`` of them at a time (one running and one
waiting per query process), never more than ``threads - 1``, so at least one thread is always free
for everything else. A query request that finds the gate full waits at most a second for a slot
(and only as long as a thread would still be left for pages); then, or at once when too many are
already waiting, it is answered ``503 Service Unavailable`` with ``Retry-After`` (RFC 9110
§10.2.3): the client should come back later, and it knows when.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

from flask import Flask, g, request
from werkzeug.exceptions import ServiceUnavailable

from .config import Settings

MAX_WAIT = 1.0  # seconds a query request may wait for a slot before the answer is 503
BUSY = (
    "The server is busy answering other queries (all {capacity} query slots of this server "
    "process are taken). Please try again in {retry} seconds."
)


class Overloaded(ServiceUnavailable):
    """503 with ``Retry-After``."""


class Gate:
    """At most ``capacity`` requests inside; up to ``max_waiting`` more wait ``max_wait`` s."""

    def __init__(self, capacity: int, retry_after: int, max_wait: float = 0.0,
                 max_waiting: int = 0) -> None:  # fmt: skip
        self.capacity = max(1, capacity)
        self.retry_after = max(1, retry_after)
        self.max_wait = max(0.0, max_wait)
        self.max_waiting = max(0, max_waiting)
        self._slots = threading.BoundedSemaphore(self.capacity)
        self._lock = threading.Lock()
        self.waiting = 0
        self.refused = 0  # requests answered 503 so far (for tests and logs)

    def enter(self) -> None:
        if self._slots.acquire(blocking=False):
            return
        with self._lock:
            may_wait = self.max_wait > 0 and self.waiting < self.max_waiting
            if may_wait:
                self.waiting += 1
        if may_wait:
            try:
                if self._slots.acquire(timeout=self.max_wait):
                    return
            finally:
                with self._lock:
                    self.waiting -= 1
        with self._lock:
            self.refused += 1
        raise Overloaded(
            BUSY.format(capacity=self.capacity, retry=self.retry_after),
            retry_after=self.retry_after,
        )

    def leave(self) -> None:
        self._slots.release()


def query_gate(settings: Settings) -> Gate:
    threads = max(1, settings.threads)
    capacity = min(2 * max(1, settings.query_workers), max(1, threads - 1))
    return Gate(
        capacity,
        retry_after=math.ceil(max(1.0, settings.query_timeout)),
        max_wait=min(MAX_WAIT, settings.query_timeout),
        max_waiting=max(0, threads - 1 - capacity),
    )


def is_query_request() -> bool:
    """A request that may run a SPARQL query (the editor page and service description need none)."""
    if request.blueprint != "sparql":
        return False
    return request.method == "POST" or "query" in request.args


def init_app(
    app: Flask, settings: Settings, applies: Callable[[], bool] = is_query_request
) -> Gate:
    gate = query_gate(settings)
    app.extensions["mwg_query_gate"] = gate

    def enter() -> None:
        if applies():
            gate.enter()
            g.mwg_in_gate = True

    def leave(_error: BaseException | None) -> None:
        if g.pop("mwg_in_gate", False):
            gate.leave()

    app.before_request(enter)
    app.teardown_request(leave)
    # Registered for this class, so that no handler of 503 in general answers for it.
    app.register_error_handler(Overloaded, _answer)
    return gate


def _answer(error: Overloaded):
    from .security import handle_http_error

    return handle_http_error(error)
