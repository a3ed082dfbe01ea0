"""Queries that recently ran out of time, answered at once instead of being run again.

A query that hit the time limit holds a query process for the whole limit. Clients that loop (a
notebook retrying, a crawler following the same link) would otherwise keep every query process
busy with the same doomed work while simple queries wait or are turned away. So a timed-out query
is remembered for a while (per server process) and the same query — same text up to whitespace,
same dataset — gets the timeout answer straight away, with ``Retry-After`` saying when it will be
tried again. Wikidata's query service does the same with queries that keep timing out.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict

from .engine import Job

REMEMBERED = 1024  # most queries remembered; the oldest is forgotten first


def query_key(job: Job) -> str:
    text = " ".join(job.query.split())
    dataset = repr((job.default_graphs, job.named_graphs))
    return hashlib.sha256(f"{text}\n{dataset}".encode()).hexdigest()


class RecentRunaways:
    def __init__(self, hold_seconds: float) -> None:
        self.hold_seconds = hold_seconds
        self._until: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def seconds_left(self, job: Job) -> float:
        """How long the same query stays refused (0: run it)."""
        key, now = query_key(job), time.monotonic()
        with self._lock:
            until = self._until.get(key)
            if until is None:
                return 0.0
            if until <= now:
                del self._until[key]
                return 0.0
            return until - now

    def remember(self, job: Job) -> None:
        with self._lock:
            self._until[query_key(job)] = time.monotonic() + self.hold_seconds
            self._until.move_to_end(query_key(job))
            while len(self._until) > REMEMBERED:
                self._until.popitem(last=False)
