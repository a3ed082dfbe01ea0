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

**Fairness.** One client address may hold at most ``client_share`` of the slots at once (by
default 0.5: half, rounded up; 1 sets no limit): a client looping on slow queries cannot take every
slot; the others keep getting in. A query takes its slot only once its body has arrived
(:func:`query_slot`), so slow bodies hold none. Behind a reverse proxy every client has the proxy's
address unless ``trusted_proxies`` names it (:mod:`mwg_graph.forwarded`); without that, set the
share to 1.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import request
from werkzeug.exceptions import ServiceUnavailable

from mwg_graph.config import Settings

MAX_WAIT = 1.0  # seconds a query request may wait for a slot before the answer is 503
BUSY = (
    "The server is busy answering other queries (all {capacity} query slots of this server "
    "process are taken). Please try again in {retry} seconds."
)
OWN_SHARE = (
    "Your address already has {held} queries running, its share of the {capacity} query slots of "
    "this server process; wait for them to finish. Please try again in {retry} seconds."
)


class Overloaded(ServiceUnavailable):
    """503 with ``Retry-After``."""


class Gate:
    """At most ``capacity`` requests inside; up to ``max_waiting`` more wait ``max_wait`` s.

    At most ``per_client`` of those inside or waiting come from one client (address); 0: any.
    """

    def __init__(self, capacity: int, retry_after: int, max_wait: float = 0.0,
                 max_waiting: int = 0, per_client: int = 0) -> None:  # fmt: skip
        self.capacity = max(1, capacity)
        self.retry_after = max(1, retry_after)
        self.max_wait = max(0.0, max_wait)
        self.max_waiting = max(0, max_waiting)
        self.per_client = max(0, per_client)  # 0: no limit per client
        self._slots = threading.BoundedSemaphore(self.capacity)
        self._lock = threading.Lock()
        self._held: dict[str, int] = {}
        self.waiting = 0

    def enter(self, client: str = "") -> None:
        with self._lock:
            held = self._held.get(client, 0)
            if self.per_client and held >= self.per_client:
                raise Overloaded(
                    OWN_SHARE.format(held=held, capacity=self.capacity, retry=self.retry_after),
                    retry_after=self.retry_after,
                )
            self._held[client] = held + 1  # counted now, so that parallel requests see it
        try:
            self._take_slot()
        except Overloaded:
            self._release_client(client)
            raise

    def leave(self, client: str = "") -> None:
        self._release_client(client)
        self._slots.release()

    def _release_client(self, client: str) -> None:
        with self._lock:
            held = self._held.get(client, 0) - 1
            if held > 0:
                self._held[client] = held
            else:
                self._held.pop(client, None)

    def _take_slot(self) -> None:
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
        raise Overloaded(
            BUSY.format(capacity=self.capacity, retry=self.retry_after),
            retry_after=self.retry_after,
        )


def query_gate(settings: Settings) -> Gate:
    threads = max(1, settings.threads)
    capacity = min(2 * max(1, settings.query_workers), max(1, threads - 1))
    share = max(0.0, settings.client_share)
    return Gate(
        capacity,
        retry_after=math.ceil(max(1.0, settings.query_timeout)),
        max_wait=min(MAX_WAIT, settings.query_timeout),
        max_waiting=max(0, threads - 1 - capacity),
        per_client=0 if share >= 1 else max(1, math.ceil(capacity * share)),
    )


@contextmanager
def query_slot(gate: Gate) -> Iterator[None]:
    """Hold one query slot of this server process while a query runs (or raise :class:`Overloaded`).

    The endpoint takes it once the request body has arrived: a client sending its body slowly
    holds a thread of the WSGI server (the server's business to bound), never a query slot.
    """
    client = request.remote_addr or ""
    gate.enter(client)
    try:
        yield
    finally:
        gate.leave(client)
