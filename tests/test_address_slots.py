"""Body slots shared among addresses (``address_slots``): one address cannot take them all, another
gets one at once, and a burst from one address waits briefly for its own share instead of being
refused. Real threads; the HTTP side is in ``test_slow_clients.py``."""

from __future__ import annotations

import threading
import time

from mwg_graph.config import Settings
from mwg_graph.web.address_slots import AddressSlots, share_of
from mwg_graph.web.request_limits import RequestLimits


def test_share_of_rounds_up_and_one_means_all() -> None:
    assert [share_of(4, 0.5), share_of(3, 0.5), share_of(1, 0.5), share_of(4, 0.1)] == [2, 2, 1, 1]
    assert share_of(4, 1.0) == 4


def test_one_address_holds_its_share_and_another_gets_a_slot_at_once() -> None:
    slots = AddressSlots(slots=4, waiting=4, max_wait=0.3, share=0.5)
    assert slots.take("attacker") is None and slots.take("attacker") is None
    waited: list[object] = []
    waiters = [threading.Thread(target=lambda: waited.append(slots.take("attacker")))
               for _ in range(2)]  # fmt: skip
    for waiter in waiters:
        waiter.start()
    time.sleep(0.05)  # both wait: the attacker's share of the waiting places is full
    started = time.monotonic()
    refused = slots.take("attacker")
    assert refused is not None and refused.own_share and refused.held == 2
    assert time.monotonic() - started < 0.1  # at once: no waiting place left for this address
    started = time.monotonic()
    assert slots.take("someone else") is None
    assert time.monotonic() - started < 0.1
    for waiter in waiters:
        waiter.join()
    assert [w is not None and w.own_share for w in waited] == [True, True]  # nobody gave back
    assert slots.held("attacker") == 2 and slots.held("someone else") == 1


def test_a_burst_from_one_address_waits_for_its_own_slot() -> None:
    slots = AddressSlots(slots=4, waiting=4, max_wait=1.0, share=0.5)
    slots.take("client")
    slots.take("client")
    threading.Timer(0.1, slots.give_back, args=("client",)).start()
    started = time.monotonic()
    assert slots.take("client") is None  # got the slot its earlier request gave back
    assert 0.05 < time.monotonic() - started < 0.9


def test_every_slot_taken_by_many_addresses_is_a_plain_refusal() -> None:
    slots = AddressSlots(slots=2, waiting=0, max_wait=1.0, share=0.5)
    assert slots.take("a") is None and slots.take("b") is None
    refused = slots.take("c")
    assert refused is not None and not refused.own_share and refused.held == 0


def test_share_one_is_no_limit_per_address() -> None:
    slots = AddressSlots(slots=4, waiting=0, max_wait=0.0, share=1.0)
    assert all(slots.take("one") is None for _ in range(4))
    assert slots.take("one") is not None


def test_the_body_slots_follow_threads_and_client_share() -> None:
    limits = RequestLimits(lambda environ, start: [], Settings(threads=16, client_share=0.5))
    body = limits.body_slots
    assert (body.slots, body.waiting, body.per_address, body.waiting_per_address) == (4, 4, 2, 2)
    assert RequestLimits(lambda e, s: [], Settings(client_share=1.0)).body_slots.per_address == 4
