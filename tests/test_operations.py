"""Operating the server: /healthz, /version, the access log, and new releases without downtime.

The release tests each start their own server on a private dist/ (and a copy of data/), run a
client loop against it while `mwg-graph build` publishes, and check that every answer was a 200.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import requests

from mwg_graph import __version__
from mwg_graph.build.release import build
from mwg_graph.config import Settings
from mwg_graph.dist import current_release, read_release_info
from mwg_graph.web.releases import ReleaseHolder
from mwg_graph.web.request_limits import MAX_FIELD_BYTES
from mwg_graph.web.serve import granian_options
from tests.conftest import RunningServer, start_server, stop_server

EDITED_FILE = "sectors.ttl"
EDITED_FROM = '"Academic sector"@en'
# The per-address share of query slots off: every client of these tests is 127.0.0.1.
SHARE_OFF = {"MWG_CLIENT_SHARE": "1"}
CLIENT_PATHS = ["/version", "/healthz", "/", "/downloads/", "/sparql?query=ASK%7B%7D"]


# ---- helpers -------------------------------------------------------------------------------------


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWG_")}
    env |= {
        "MWG_DIST_DIR": str(settings.dist_dir),
        "MWG_DATA_DIR": str(settings.data_dir),
        "MWG_ONTOLOGY_DIR": str(settings.ontology_dir),
        "MWG_SHAPES_DIR": str(settings.shapes_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "mwg_graph", *args], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def edit_data(settings: Settings, tag: str) -> None:
    path = settings.data_dir / EDITED_FILE
    text = path.read_text(encoding="utf-8")
    assert EDITED_FROM in text
    path.write_text(text.replace(EDITED_FROM, f'"Academic sector ({tag})"@en'), encoding="utf-8")


def break_data(settings: Settings) -> None:
    (settings.data_dir / "zz-broken.ttl").write_text("this is not turtle <<<\n", encoding="utf-8")


@dataclass
class ClientLoop:
    """Threads asking the server again and again until stopped; every answer is recorded."""

    server: RunningServer
    threads: int = 4
    answers: list[tuple[float, str, int | str, str | None]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> ClientLoop:
        for n in range(self.threads):
            thread = threading.Thread(target=self._run, args=(n,), daemon=True)
            thread.start()
            self._workers.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._workers:
            thread.join(timeout=60)

    def _run(self, n: int) -> None:
        session = requests.Session()
        i = n
        while not self._stop.is_set():
            path = CLIENT_PATHS[i % len(CLIENT_PATHS)]
            i += 1
            try:
                response = session.get(self.server.url + path, timeout=30, allow_redirects=False)
                version = response.json().get("release") if path == "/version" else None
                self.answers.append((time.monotonic(), path, response.status_code, version))
            except requests.RequestException as error:
                self.answers.append((time.monotonic(), path, f"{type(error).__name__}", None))

    def failures(self) -> list[tuple]:
        return [a for a in self.answers if a[2] != 200]

    def versions(self) -> list[str]:
        return [a[3] for a in self.answers if a[3]]


def wait_for(predicate, timeout: float = 60, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def served_versions(server: RunningServer, asks: int = 12) -> set[str]:
    """The releases the server's workers answer with (several asks reach several workers)."""
    return {server.get("/version").json().get("release") for _ in range(asks)}


@pytest.fixture
def own_server(released_copy: Settings, tmp_path: Path) -> Iterator[RunningServer]:
    """A server on its own dist/ and data/ copy, checking dist/ every 0.3 s.

    Its clients all come from 127.0.0.1, as behind a reverse proxy, so the per-address share of
    query slots is off (``client_share`` 1, as the README advises there): these tests count
    requests dropped by a release swap, and four looping threads of one address may otherwise
    meet at /sparql while the new release's query processes start, and be refused for fairness.
    """
    settings = replace(released_copy, reload_interval=0.3, workers=2)
    running = start_server(settings, tmp_path / "server.log", extra_env=SHARE_OFF)
    yield running
    stop_server(running)


# ---- /healthz and /version -----------------------------------------------------------------------


def test_healthz_says_ready_and_why(server: RunningServer) -> None:
    response = server.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    release = read_release_info(current_release(server.settings))
    assert body["ready"] is True and body["status"] == "ok"
    assert body["version"] == release["version"]
    assert release["version"] in body["reason"]
    assert response.headers["Cache-Control"] == "no-store"


def test_version_names_release_triples_build_time_and_software(server: RunningServer) -> None:
    body = server.get("/version").json()
    release = read_release_info(current_release(server.settings))
    assert body == {
        "release": release["version"],
        "triples": release["triples"],
        "built_at": release["built_at"],
        "software_version": __version__,
    }


def test_one_access_log_line_per_request_with_status_and_duration(server: RunningServer) -> None:
    probe = uuid.uuid4().hex
    assert server.get(f"/healthz?probe={probe}").status_code == 200
    assert server.get(f"/no-such-page-{probe}").status_code == 404

    def lines() -> list[str]:
        text = server.log.read_text(errors="replace")
        return [line for line in text.splitlines() if probe in line]

    assert wait_for(lambda: len(lines()) == 2, timeout=10), lines()
    ok, missing = lines()
    assert re.search(rf'"GET /healthz\?probe={probe} HTTP/1.1" 200 \d+ \d+ms', ok), ok
    assert re.search(rf'"GET /no-such-page-{probe} HTTP/1.1" 404 \d+ \d+ms', missing), missing


def test_granian_configuration() -> None:
    options = granian_options(Settings(workers=3, threads=5, query_timeout=30))
    assert options["interface"] == "wsgi" and options["factory"] is True
    assert (options["workers"], options["blocking_threads"]) == (3, 5)
    assert options["respawn_failed_workers"] is True  # a killed worker is replaced
    assert options["workers_kill_timeout"] >= 35  # a stopping worker may finish a query
    assert options["http1_settings"].header_read_timeout <= 30_000


def test_access_log_line_is_bounded(server: RunningServer) -> None:
    probe = uuid.uuid4().hex
    long_target = f"/no-such-page-{probe}-" + "x" * 6000
    assert server.get(long_target).status_code == 404
    assert (
        server.get("/healthz", headers={"X-Long": "y" * (MAX_FIELD_BYTES + 1)}).status_code == 431
    )

    def lines() -> list[str]:
        return [line for line in server.log.read_text(errors="replace").splitlines()
                if probe in line]  # fmt: skip

    assert wait_for(lambda: len(lines()) == 1, timeout=10), lines()
    assert len(lines()[0]) < 1200 and " 404 " in lines()[0]


# ---- new releases --------------------------------------------------------------------------------


@pytest.mark.slow
def test_new_build_is_served_without_a_dropped_request(own_server: RunningServer) -> None:
    settings = own_server.settings
    old = read_release_info(current_release(settings))["version"]
    edit_data(settings, "edited")
    with ClientLoop(own_server) as loop:
        time.sleep(1.0)
        result = run_cli(settings, "build")
        assert result.returncode == 0, result.stderr
        new = read_release_info(current_release(settings))["version"]
        assert new != old
        assert wait_for(lambda: served_versions(own_server) == {new}, timeout=30)
        time.sleep(1.0)
    assert loop.failures() == []
    assert len(loop.answers) > 50
    versions = loop.versions()
    assert versions[0] == old and versions[-1] == new
    # The query processes follow the release: the edited label is found by SPARQL.
    query = 'ASK { ?s ?p "Academic sector (edited)"@en }'
    answer = own_server.get("/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert answer.status_code == 200 and answer.json()["boolean"] is True


@pytest.mark.slow
def test_a_failed_build_keeps_the_last_good_release_and_healthz_says_so(
    own_server: RunningServer,
) -> None:
    settings = own_server.settings
    old = read_release_info(current_release(settings))["version"]
    break_data(settings)
    with ClientLoop(own_server) as loop:
        result = run_cli(settings, "build")
        time.sleep(1.0)
    assert result.returncode == 1 and "keeps serving" in result.stderr
    assert loop.failures() == []
    assert set(loop.versions()) == {old}
    health = own_server.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["ready"] is True and body["version"] == old
    assert body["status"] == "degraded" and body["last_build"] == "failed"
    assert "zz-broken.ttl" in body["last_build_message"]
    assert any("newer build failed" in p for p in body["problems"])


def point_current_at_a_damaged_release(settings: Settings) -> None:
    good = current_release(settings)
    damaged = good.parent / "29990101-damaged0"
    damaged.mkdir()
    info = {**read_release_info(good), "version": damaged.name}
    (damaged / "release.json").write_text(json.dumps(info))
    (damaged / "mwg.nt").write_text("<not n-triples\n")
    temporary = settings.dist_dir / ".current.test"
    temporary.symlink_to(Path("releases") / damaged.name)
    os.replace(temporary, settings.dist_dir / "current")


def test_a_process_starting_on_a_damaged_release_serves_the_newest_good_one(
    built_settings: Settings, tmp_path: Path
) -> None:
    settings = replace(built_settings, dist_dir=tmp_path / "dist")
    shutil.copytree(built_settings.dist_dir, settings.dist_dir, symlinks=True)
    good = read_release_info(current_release(settings))["version"]
    point_current_at_a_damaged_release(settings)
    holder = ReleaseHolder(settings)
    assert holder.current().version == good
    assert "29990101-damaged0 could not be loaded" in holder.problem
    assert holder.refresh() is False  # the damaged release is not tried again and again


@pytest.mark.slow
def test_a_damaged_release_is_never_swapped_in(own_server: RunningServer) -> None:
    """Even if dist/current pointed at a release that cannot load, the old one keeps serving."""
    settings = own_server.settings
    old = read_release_info(current_release(settings))["version"]
    point_current_at_a_damaged_release(settings)
    with ClientLoop(own_server) as loop:
        assert wait_for(lambda: "problems" in own_server.get("/healthz").json(), timeout=15)
    assert loop.failures() == []
    assert set(loop.versions()) == {old}

    def every_worker_says_so() -> bool:  # each worker process notices on its own next check
        bodies = [own_server.get("/healthz").json() for _ in range(8)]
        return all(
            b["status"] == "degraded" and b["version"] == old
            and any("29990101-damaged0 could not be loaded" in p for p in b["problems"])
            for b in bodies
        )  # fmt: skip

    assert wait_for(every_worker_says_so, timeout=15)


@pytest.mark.slow
def test_sighup_swaps_the_release_without_a_dropped_request(
    released_copy: Settings, tmp_path: Path
) -> None:
    settings = replace(released_copy, reload_interval=0.0, workers=2)  # only on SIGHUP
    old = read_release_info(current_release(settings))["version"]
    # One address's looping threads, as for own_server (its docstring says why); with the share
    # on, this test failed once in a busy run.
    running = start_server(settings, tmp_path / "server.log", extra_env=SHARE_OFF)
    try:
        edit_data(settings, "hup")
        new = build(settings).version
        time.sleep(1.0)
        assert served_versions(running) == {old}  # reload_interval 0: no watching
        with ClientLoop(running) as loop:
            time.sleep(0.5)
            os.kill(running.process.pid, signal.SIGHUP)
            assert wait_for(lambda: served_versions(running) == {new}, timeout=60)
            time.sleep(0.5)
        assert loop.failures() == []
        assert loop.versions()[0] == old and loop.versions()[-1] == new
    finally:
        stop_server(running)


# ---- starting up ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_server_started_with_broken_data_serves_the_existing_release(
    released_copy: Settings, tmp_path: Path
) -> None:
    settings = released_copy
    version = read_release_info(current_release(settings))["version"]
    break_data(settings)
    running = start_server(settings, tmp_path / "server.log")
    try:
        assert running.get("/version").json()["release"] == version
        assert running.get("/").status_code == 200
    finally:
        stop_server(running)


def test_serve_without_a_release_builds_one_first(
    copy_of_repo_inputs: Settings, tmp_path: Path
) -> None:
    settings = copy_of_repo_inputs
    assert current_release(settings) is None
    running = start_server(settings, tmp_path / "server.log")
    try:
        built = read_release_info(current_release(settings))["version"]
        assert f"built release {built}" in running.log.read_text()
        assert running.get("/version").json()["release"] == built
    finally:
        stop_server(running)


def test_serve_without_a_release_and_with_broken_data_exits_with_the_reason(
    copy_of_repo_inputs: Settings,
) -> None:
    break_data(copy_of_repo_inputs)
    result = run_cli(copy_of_repo_inputs, "serve", "--port", "1")
    assert result.returncode == 1
    assert "no release to serve" in result.stderr and "zz-broken.ttl" in result.stderr


def test_serve_on_a_port_in_use_says_so_in_one_line(built_settings: Settings) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_cli(built_settings, "serve", "--host", "127.0.0.1", "--port", str(port))
    assert result.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.slow
def test_a_killed_worker_is_replaced_and_the_server_keeps_answering(
    built_settings: Settings, tmp_path: Path
) -> None:
    import psutil

    running = start_server(replace(built_settings, workers=2), tmp_path / "server.log")
    try:
        # The server is ready when one worker is; a worker killed while the other is still
        # starting leaves nobody to answer (granian refuses connections then).
        started = lambda: running.log.read_text(errors="replace").count("Started worker-")  # noqa: E731
        assert wait_for(lambda: started() == 2, timeout=60), running.log.read_text()[-3000:]
        workers = psutil.Process(running.process.pid).children()
        assert len(workers) == 2
        workers[0].kill()
        psutil.wait_procs([workers[0]], timeout=10)
        log = running.log.read_text(errors="replace")[-3000:]
        assert running.process.poll() is None, log
        assert running.get("/version").status_code == 200, log  # the other worker answers

        def replaced() -> bool:
            now = psutil.Process(running.process.pid).children()
            return len(now) == 2 and workers[0].pid not in {p.pid for p in now}

        assert wait_for(replaced, timeout=30), psutil.Process(running.process.pid).children()
        # ... and has loaded the release (stopping a worker that is still loading takes granian
        # its kill timeout: the next test)
        assert wait_for(lambda: started() == 3, timeout=60), running.log.read_text()[-3000:]
        assert all(running.get("/version").status_code == 200 for _ in range(10))
    finally:
        stop_server(running)


@pytest.mark.slow
def test_sigterm_lets_a_request_in_flight_finish_then_stops(
    built_settings: Settings, tmp_path: Path
) -> None:
    """Graceful stop (issue 9: whatever server is chosen keeps it): a query whose body is still
    arriving when the server gets SIGTERM is answered in full, and then the server exits."""
    import socket

    running = start_server(replace(built_settings, workers=1), tmp_path / "server.log")
    try:
        body = b"ASK { ?s ?p ?o }" + b" " * 30
        head = (
            "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            "Content-Type: application/sparql-query\r\nAccept: application/sparql-results+json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", running.settings.port), timeout=30) as sock:
            sock.sendall(head + body[:10])
            time.sleep(0.5)  # the request is in the app, reading its body
            running.process.send_signal(signal.SIGTERM)
            for byte in body[10:]:
                time.sleep(0.05)  # ~2 s more of body, after the signal
                sock.sendall(bytes([byte]))
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert b'"boolean":true' in answer
        running.process.wait(timeout=20)
        with pytest.raises(requests.ConnectionError):
            requests.get(running.url + "/version", timeout=5)
    finally:
        stop_server(running)


@pytest.mark.slow
def test_a_server_stopped_while_a_worker_restarts_leaves_no_process_behind(
    built_settings: Settings, tmp_path: Path
) -> None:
    """Seen in this suite: a worker started again after a kill was still loading when the server
    was stopped; granian stops such a worker only at its kill timeout (15 s), the tests had killed
    the master at 15 s, and the worker went on serving on its port, orphaned, after the tests."""
    import psutil

    running = start_server(replace(built_settings, workers=2), tmp_path / "server.log")
    master = psutil.Process(running.process.pid)
    try:
        started = lambda: running.log.read_text(errors="replace").count("Started worker-")  # noqa: E731
        assert wait_for(lambda: started() == 2, timeout=60), running.log.read_text()[-3000:]
        victim = master.children()[0]
        victim.kill()
        psutil.wait_procs([victim], timeout=10)
        respawned = lambda: {p.pid for p in master.children()} - {victim.pid}  # noqa: E731
        assert wait_for(lambda: len(respawned()) == 2, timeout=30)
        family = master.children(recursive=True)
    finally:
        # Granian would stop the loading worker only at its kill timeout; the tests' stop kills
        # the master and all it started after its grace (here 2 s, so as not to wait the 15 s).
        stop_server(running, grace=2)
    _, alive = psutil.wait_procs(family, timeout=5)
    left = [(p.pid, " ".join(p.cmdline()[:4])) for p in alive]
    for process in alive:
        process.kill()  # so that a failure here leaves nothing running either
    assert not left, left
    with pytest.raises(requests.ConnectionError):
        requests.get(running.url + "/version", timeout=5)
