"""Answers to queries already asked of this release, kept in memory and given again as they were.

A release never changes, so the same query (same normalised text, same dataset, same negotiated
format and caps) always has the same answer. Researchers' loops, the example links of the query page
and dashboards ask the same few queries again and again; answering them from memory skips the query
process entirely (QLever keeps a query cache for the same reason). The cache is per server process,
least recently used first out, and keyed by release version, so a new release never sees an old
answer.

It is bounded in bytes — everything an entry holds is counted: body, headers and a fixed cost for
the key (a 32-byte hash, never the query text) and the bookkeeping — and in entries, so neither many
small answers nor huge queries can grow a server process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from mwg_graph.sparql.engine import Outcome

LARGEST_SHARE = 8  # one answer may take at most 1/8 of the cache
MAX_ENTRIES = 4096
ENTRY_COST = 512  # bytes counted per entry beyond its body and headers: key, objects, dict slot


def cache_key(version: str, query_key: bytes, *negotiated: object) -> bytes:
    """The key of one answer: release, query identity, and what shapes the answer."""
    return hashlib.sha256(repr((version, query_key, negotiated)).encode()).digest()


def _cost(outcome: Outcome) -> int:
    headers = sum(len(k) + len(v) for k, v in outcome.headers.items())
    return len(outcome.body) + headers + len(outcome.media_type) + ENTRY_COST


class ResultCache:
    def __init__(self, max_bytes: int, max_entries: int = MAX_ENTRIES) -> None:
        self.max_bytes = max(0, max_bytes)
        self.max_entries = max(1, max_entries)
        self._entries: OrderedDict[bytes, tuple[Outcome, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def size(self) -> int:
        """Bytes counted against the budget now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: bytes) -> Outcome | None:
        if not self.max_bytes:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: bytes, outcome: Outcome) -> None:
        """Keep a successful answer (errors and timeouts are not answers to keep)."""
        cost = _cost(outcome)
        if outcome.status != 200 or not self.max_bytes or cost > self.max_bytes // LARGEST_SHARE:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (outcome, cost)
            self._bytes += cost
            while self._bytes > self.max_bytes or len(self._entries) > self.max_entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
