"""Queries that recently ran out of time (or memory), answered at once instead of being run again.

A query that hit the time limit held a query process for the whole limit. Clients that loop (a
notebook retrying, a crawler following the same link) would otherwise keep every query process
busy with the same doomed work while simple queries wait or are turned away. So such a query is
remembered for a while (per server process) and the same query — same normalised text (comments and
whitespace do not count, :mod:`.keys`), same dataset — gets the answer straight away, with
``Retry-After`` saying when it will be tried again. Wikidata's query service does the same with
queries that keep timing out. Only a query that really ran its whole limit is remembered: one that
waited for a free process, or whose body came slowly, is not.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

REMEMBERED = 1024  # most queries remembered; the oldest is forgotten first


class RecentRunaways:
    def __init__(self, hold_seconds: float) -> None:
        self.hold_seconds = hold_seconds
        self._until: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._until)

    def seconds_left(self, key: bytes) -> float:
        """How long the query with this key stays refused (0: run it)."""
        now = time.monotonic()
        with self._lock:
            until = self._until.get(key)
            if until is None:
                return 0.0
            if until <= now:
                del self._until[key]
                return 0.0
            return until - now

    def remember(self, key: bytes) -> None:
        with self._lock:
            self._until[key] = time.monotonic() + self.hold_seconds
            self._until.move_to_end(key)
            while len(self._until) > REMEMBERED:
                self._until.popitem(last=False)
