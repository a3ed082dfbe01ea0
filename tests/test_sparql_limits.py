"""Bounded: a runaway query is stopped within its limit (its process is killed), others keep being
answered, result rows are capped and say so. A server of our own with a 2 s limit and 3 rows."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import replace

import psutil
import pytest
import requests

from .conftest import start_server, stop_server

LIMIT = 2.0
RUNAWAYS = {
    "cartesian product": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "negated property path": "PREFIX : <urn:x:> SELECT (COUNT(*) AS ?n) "
    "{ ?a (:p|!:p)* ?b . ?c (:p|!:p)* ?d }",
    # Oxigraph's regex engine is linear-time, so the catastrophe is the number of strings tested
    # (Python's ``re``, under the memory store, would also backtrack exponentially on each).
    "catastrophic regex": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
    'FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), "aaaaaaaaaaaaaaaaaaaaaaaa!"), "^(a+)+$")) }',
}


@pytest.fixture(scope="module")
def limited(built_settings, tmp_path_factory):
    log = tmp_path_factory.mktemp("limited") / "server.log"
    settings = replace(built_settings, query_timeout=LIMIT, max_rows=3, workers=1)
    running = start_server(settings, log, {"MWG_QUERY_WORKERS": "2"})
    # the query processes start with the server; wait until one answers
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if running.get("/sparql", params={"query": "ASK {}"}).status_code == 200:
            break
    yield running
    stop_server(running)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RUNAWAYS))
def test_runaway_query_is_stopped_in_time(limited, name):
    started = time.monotonic()
    response = limited.post("/sparql", data={"query": RUNAWAYS[name]})
    took = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert "timed out" in response.text and f"{LIMIT:g} s" in response.text
    assert took < LIMIT + 1, took


@pytest.mark.slow
def test_other_clients_keep_being_answered(limited):
    fresh_runaway = RUNAWAYS["cartesian product"] + " # not run before, so not remembered"
    runaway = threading.Thread(
        target=lambda: limited.post("/sparql", data={"query": fresh_runaway})
    )
    # wait for the replacement process of the previous test, if any, to be ready
    assert limited.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    runaway.start()
    time.sleep(0.2)
    times = []
    for _ in range(10):
        started = time.monotonic()
        response = limited.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        times.append(time.monotonic() - started)
        assert response.status_code == 200
    runaway.join()
    assert max(times) < 0.5, times
    # the killed process was replaced: queries keep working afterwards
    time.sleep(0.5)
    assert limited.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.slow
def test_a_query_that_timed_out_is_answered_at_once_for_a_while(limited):
    query = RUNAWAYS["cartesian product"] + " # asked twice"
    first = limited.post("/sparql", data={"query": query})
    assert first.status_code == 503 and "timed out" in first.text
    hold = int(first.headers["Retry-After"])
    assert hold >= 3 * LIMIT
    started = time.monotonic()
    again = limited.post("/sparql", data={"query": "  " + query.replace(" ", "\n", 3)})
    assert time.monotonic() - started < 0.5, "the same query (up to whitespace) ran again"
    assert again.status_code == 503 and "not run again" in again.text
    assert 0 < int(again.headers["Retry-After"]) <= hold
    time.sleep(0.5)  # the process that was stopped has been replaced: other queries run
    assert limited.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_rows_are_capped_and_say_so(limited):
    response = limited.get(
        "/sparql",
        params={"query": "SELECT * { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 3
    assert response.headers["MWG-Results-Truncated"].startswith("true")
    assert response.headers["MWG-Max-Rows"] == "3"
    construct = limited.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert len(construct.text.strip().splitlines()) == 3
    assert "MWG-Results-Truncated" in construct.headers
    small = limited.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 2"})
    assert "MWG-Results-Truncated" not in small.headers


def test_limit_is_a_setting(limited):
    assert limited.settings.query_timeout == LIMIT
    assert isinstance(requests.__version__, str)


def cpu_seconds(process: psutil.Process) -> float:
    """CPU time the process has used so far (0 once it has gone)."""
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


@pytest.mark.slow
def test_a_killed_server_worker_takes_its_busy_query_process_with_it(built_settings, tmp_path):
    """A runaway query must not outlive the gunicorn worker that started it (it holds a core)."""
    settings = replace(built_settings, query_timeout=60.0, workers=1)
    running = start_server(settings, tmp_path / "server.log", {"MWG_QUERY_WORKERS": "1"})
    try:
        assert running.get("/sparql", params={"query": "ASK {}"}).status_code == 200

        def ask_a_runaway() -> None:
            with contextlib.suppress(requests.RequestException):  # its worker will be killed
                query = {"query": RUNAWAYS["cartesian product"]}
                requests.post(running.url + "/sparql", data=query, timeout=20)

        worker = psutil.Process(running.process.pid).children()[0]
        # Busy = has spent half a CPU second on the query since it was sent: on a loaded machine
        # (tests in parallel) a query process may get far less than half a core at any moment.
        idle = {p.pid: cpu_seconds(p) for p in worker.children(recursive=True)}
        threading.Thread(target=ask_a_runaway, daemon=True).start()
        deadline = time.monotonic() + 30
        busy: list[psutil.Process] = []
        while not busy and time.monotonic() < deadline:
            time.sleep(0.2)
            busy = [p for p in worker.children(recursive=True)
                    if cpu_seconds(p) - idle.get(p.pid, 0.0) > 0.5]  # fmt: skip
        assert busy, "the runaway query never started"
        descendants = worker.children(recursive=True)
        worker.kill()
        _, alive = psutil.wait_procs(descendants, timeout=5)
        assert alive == [], f"still running after their server worker died: {alive}"
    finally:
        stop_server(running)


def test_a_query_that_only_waited_for_a_process_is_not_remembered_as_a_runaway(built_settings):
    """Issue 9: only a query that ran its whole limit is a runaway. Here the one query process is
    still starting when a query's wait for it ends (its body arrived a whole limit ago): it is
    turned away as busy, and asked again it runs — it was never refused as a runaway."""
    from mwg_graph.dist import current_release
    from mwg_graph.sparql.protocol import QueryRequest
    from mwg_graph.sparql.service import SparqlService

    settings = replace(built_settings, query_workers=1, query_timeout=30.0)
    release = current_release(settings)
    assert release is not None
    service = SparqlService(settings)
    asked = QueryRequest("ASK { ?s ?p ?o }", None, None, "application/sparql-results+json")
    try:
        waited = service.answer(release, asked, arrived=time.monotonic() - settings.query_timeout)
        assert waited.status == 503 and waited.kind == "busy", (waited.status, waited.kind)
        assert len(service.runaways) == 0
        again = service.answer(release, asked, arrived=time.monotonic())
        assert again.status == 200 and b"true" in again.body, again.body[:300]
    finally:
        service.close()
