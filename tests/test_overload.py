"""Overload: more queries than a server process can hold are answered 503 + Retry-After at once,
and pages keep being served meanwhile (they never wait behind runaway queries)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from mwg_graph.config import Settings
from mwg_graph.web.overload import Gate, Overloaded, query_gate
from tests.conftest import start_server, stop_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def test_gate_leaves_a_thread_for_pages() -> None:
    gate = query_gate(Settings(query_workers=2, threads=8, query_timeout=10))
    assert (gate.capacity, gate.max_waiting, gate.max_wait, gate.retry_after) == (4, 3, 1.0, 10)
    assert query_gate(Settings(query_workers=8, threads=8)).capacity == 7
    assert query_gate(Settings(query_workers=8, threads=8)).max_waiting == 0
    assert query_gate(Settings(query_workers=1, threads=1)).capacity == 1
    assert query_gate(Settings(query_timeout=2.5)).retry_after == 3


def test_a_full_gate_lets_a_few_wait_briefly() -> None:
    gate = Gate(capacity=1, retry_after=1, max_wait=0.3, max_waiting=1)
    gate.enter()
    threading.Timer(0.1, gate.leave).start()
    gate.enter()  # waited for the slot to free
    started = time.monotonic()
    with pytest.raises(Overloaded):
        gate.enter()  # nobody leaves: refused after max_wait
    assert 0.25 < time.monotonic() - started < 1.0


def test_a_full_gate_refuses_at_once() -> None:
    gate = Gate(capacity=1, retry_after=4)
    gate.enter()
    started = time.monotonic()
    with pytest.raises(Overloaded) as refused:
        gate.enter()
    assert time.monotonic() - started < 0.1
    assert refused.value.code == 503
    assert refused.value.get_response().headers["Retry-After"] == "4"
    gate.leave()
    gate.enter()


@pytest.mark.slow
def test_overload_is_503_with_retry_after_and_pages_still_answer(
    built_settings: Settings, tmp_path: Path
) -> None:
    settings = replace(built_settings, workers=1, query_timeout=3.0)
    # gate: 2 queries in, 1 waiting; all six from 127.0.0.1, filling every slot on purpose, so
    # no per-address share (with it, this address would be refused past 1 slot, not the gate)
    extra = {"MWG_THREADS": "4", "MWG_QUERY_WORKERS": "1", "MWG_CLIENT_SHARE": "1"}
    running = start_server(settings, tmp_path / "server.log", extra_env=extra)
    try:

        def runaway(_: int) -> tuple[int, float, str | None, str]:
            started = time.monotonic()
            answer = requests.get(running.url + "/sparql", params={"query": RUNAWAY}, timeout=30)
            took = time.monotonic() - started
            return answer.status_code, took, answer.headers.get("Retry-After"), answer.text

        with ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(runaway, n) for n in range(6)]
            time.sleep(0.5)
            started = time.monotonic()
            page = requests.get(running.url + "/", timeout=30)
            page_seconds = time.monotonic() - started
            answers = [f.result() for f in futures]
        assert page.status_code == 200 and page_seconds < 2.0
        refused = [a for a in answers if "query slots" in a[3]]
        assert len(refused) >= 3
        assert all(status == 503 and seconds < 2.0 and retry == "3"
                   for status, seconds, retry, _ in refused)  # fmt: skip
        # The others ran into the time limit, running or waiting for a query process.
        others = [a for a in answers if a not in refused]
        assert all(a[0] == 503 and a[2] and ("timed out" in a[3] or "busy" in a[3]) for a in others)
    finally:
        stop_server(running)


def test_one_address_holds_at_most_its_share_of_the_slots() -> None:
    gate = query_gate(Settings(query_workers=2, threads=16, query_timeout=3, client_share=0.5))
    assert (gate.capacity, gate.per_client) == (4, 2)
    gate.enter("10.0.0.1")
    gate.enter("10.0.0.1")
    with pytest.raises(Overloaded) as refused:
        gate.enter("10.0.0.1")  # at once, although two slots are free
    assert "share" in refused.value.description
    gate.enter("10.0.0.2")  # another address still gets in
    gate.leave("10.0.0.1")
    gate.enter("10.0.0.1")  # and the first one again once one of its queries ended
    assert query_gate(Settings(client_share=1.0)).per_client == 0


def test_the_share_is_on_by_default() -> None:
    """Issue 9: "a client (address) cannot hold more than its share of query slots" — by default."""
    assert query_gate(Settings(query_workers=2, threads=16)).per_client == 2
    assert query_gate(Settings(query_workers=1, threads=16)).per_client == 1


@pytest.mark.slow
def test_over_http_one_address_is_refused_past_its_share_while_others_get_in(
    built_settings: Settings, tmp_path: Path
) -> None:
    """The share holds in the real server, for the client a trusted proxy names: 2 query processes,
    4 slots, a share of 1/4 → one query at a time per address."""
    settings = replace(built_settings, workers=1, query_timeout=3.0)
    extra = {"MWG_QUERY_WORKERS": "2", "MWG_CLIENT_SHARE": "0.25",
             "MWG_TRUSTED_PROXIES": "127.0.0.1"}  # fmt: skip
    running = start_server(settings, tmp_path / "server.log", extra_env=extra)
    one, other = {"X-Forwarded-For": "198.51.100.1"}, {"X-Forwarded-For": "198.51.100.2"}
    ask = {"query": "ASK { ?s ?p ?o }"}
    try:
        deadline = time.monotonic() + 30
        while running.get("/sparql", params=ask, headers=other).status_code != 200:
            assert time.monotonic() < deadline, "the query processes never answered"
            time.sleep(0.2)
        with ThreadPoolExecutor(1) as pool:
            held = pool.submit(running.get, "/sparql", params={"query": RUNAWAY}, headers=one)
            time.sleep(0.5)  # the runaway holds this address's one slot
            started = time.monotonic()
            refused = running.get("/sparql", params=ask, headers=one)
            refused_in = time.monotonic() - started
            others = running.get("/sparql", params=ask, headers=other)
            direct = running.get("/sparql", params=ask)  # 127.0.0.1 itself: its own address
            runaway = held.result()
        assert refused.status_code == 503 and "share" in refused.text, refused.text[:300]
        assert refused.headers["Retry-After"] == "3" and refused_in < 1.0
        assert others.status_code == 200 and direct.status_code == 200
        assert runaway.status_code == 503 and "timed out" in runaway.text
        assert running.get("/sparql", params=ask, headers=one).status_code == 200  # slot given back
    finally:
        stop_server(running)
