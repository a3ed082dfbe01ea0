"""Answers to queries already asked of this release, kept in memory and given again as they were.

A release never changes, so the same query (same text up to whitespace, same dataset, same
negotiated format and row cap) always has the same answer. Researchers' loops, the example links of
the query page and dashboards ask the same few queries again and again; answering them from memory
skips the query process entirely (QLever keeps a query cache for the same reason). The cache is
per server process, bounded in bytes, least recently used first out, and keyed by release version,
so a new release never sees an old answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from .engine import Job, Outcome

LARGEST_SHARE = 8  # one answer may take at most 1/8 of the cache


def cache_key(version: str, job: Job) -> tuple:
    return (
        version,
        " ".join(job.query.split()),
        tuple(job.accept_select),
        tuple(job.accept_ask),
        tuple(job.accept_graph),
        job.max_rows,
        job.default_graphs,
        job.named_graphs,
    )


class ResultCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self._entries: OrderedDict[tuple, Outcome] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> Outcome | None:
        if not self.max_bytes:
            return None
        with self._lock:
            outcome = self._entries.get(key)
            if outcome is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return outcome

    def put(self, key: tuple, outcome: Outcome) -> None:
        """Keep a successful answer (errors and timeouts are not answers to keep)."""
        size = len(outcome.body)
        if outcome.status != 200 or not self.max_bytes or size > self.max_bytes // LARGEST_SHARE:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = outcome
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)
