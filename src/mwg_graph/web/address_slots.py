"""A few slots shared among client addresses, so that one address cannot take them all.

The request-body slots of :mod:`mwg_graph.web.request_limits` are few on purpose (a slow body
holds a thread for as long as it trickles in). Counted for everyone together, one attacker with 64
slow bodies held every slot and every waiting place, and the query page's form POSTs of everybody
else were told 503 (1 answer in 12 during the attack). So each address may hold at most its share
of the slots and of the waiting places: what is left over is there, at once, for any other address;
a burst of quick requests from one address still waits (briefly) for a slot of its own share.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass


def share_of(count: int, share: float) -> int:
    """How many of ``count`` places one address may hold: ``share`` of them, rounded up (≥ 1);
    a share of 1 or more: all of them."""
    return count if share >= 1 else max(1, math.ceil(count * max(0.0, share)))


@dataclass(frozen=True)
class Refusal:
    """Why :meth:`AddressSlots.take` gave no slot: everyone's places, or this address's share."""

    own_share: bool
    held: int  # slots this address held when refused


class AddressSlots:
    """``slots`` places, up to ``waiting`` more requests waiting ``max_wait`` s for one of them;
    one address holds at most ``share`` of either (see :func:`share_of`)."""

    def __init__(self, slots: int, waiting: int, max_wait: float, share: float) -> None:
        self.slots = max(1, slots)
        self.waiting = max(0, waiting)
        self.max_wait = max(0.0, max_wait)
        self.per_address = share_of(self.slots, share)
        self.waiting_per_address = share_of(self.waiting, share) if self.waiting else 0
        self._changed = threading.Condition()
        self._held: Counter[str] = Counter()
        self._waiting: Counter[str] = Counter()

    def _free_for(self, address: str) -> bool:
        return self._held.total() < self.slots and self._held[address] < self.per_address

    def take(self, address: str) -> Refusal | None:
        """Take a slot for ``address`` (None), or say why none was given; never waits longer than
        ``max_wait``."""
        with self._changed:
            if self._free_for(address):
                self._held[address] += 1
                return None
            own_share = self._held[address] >= self.per_address
            if (
                self._waiting.total() >= self.waiting
                or self._waiting[address] >= self.waiting_per_address
            ):
                return Refusal(own_share, self._held[address])
            self._waiting[address] += 1
            try:
                if self._changed.wait_for(lambda: self._free_for(address), self.max_wait):
                    self._held[address] += 1
                    return None
            finally:
                self._waiting[address] -= 1
                if not self._waiting[address]:
                    del self._waiting[address]
            return Refusal(self._held[address] >= self.per_address, self._held[address])

    def give_back(self, address: str) -> None:
        with self._changed:
            self._held[address] -= 1
            if self._held[address] <= 0:
                del self._held[address]
            self._changed.notify_all()

    def held(self, address: str) -> int:
        with self._changed:
            return self._held[address]
