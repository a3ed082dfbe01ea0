"""Two replicas behind Debian's nginx, configured by the shipped ``hosting/nginx/mwg-replicas.conf``
(tests/replicas.py): the cache, the client's address, a rolling release with clients asking all
the time, one replica killed mid-load. The tests run in file order on one set-up.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import psutil
import pytest
import requests

from mwg_graph.cli import main
from mwg_graph.config import Settings

from .replicas import Site, copy_release, start_site, stop_site


@pytest.fixture(scope="module")
def site(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    running = start_site(built_settings, tmp_path_factory.mktemp("replicas"))
    yield running
    stop_site(running)


def kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL a replica and every process it started, at once: a machine that died. The master
    is frozen first: killed after its workers, it had time to start a new worker, which lived on
    after the tests, orphaned and serving on the replica's port."""
    parent = psutil.Process(process.pid)
    parent.suspend()
    for child in [*parent.children(recursive=True), parent]:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    process.wait()


# ---- clients that ask all the time ---------------------------------------------------------------

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def aborted_before_an_answer(error: Exception) -> bool:
    """The connection closed before any byte of an answer (urllib3's "Connection aborted")."""
    return isinstance(error, requests.ConnectionError) and "Connection aborted" in str(error)


@dataclass
class Clients:
    """Threads asking continuously through nginx, each on its own keep-alive connection.

    Each records, in order, (what, status or error, MWG-Release). The pages repeat (cache hits);
    every SPARQL query is new (a comment numbers it), so queries always reach a replica.

    Like a browser (and as RFC 9112 §9.3.1 lets any client), a request that finds its reused
    keep-alive connection closed before any byte of an answer is sent again, once, on a new
    connection: nginx closes idle keep-alive connections when it reloads, and a request may cross
    that close on the wire. Such resends are counted (:attr:`resent`); anything else is a failure.
    """

    url: str
    threads: int = 4
    answers: dict[int, list[tuple[str, int | str, str | None]]] = field(default_factory=dict)
    resent: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _running: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Clients:
        for n in range(self.threads):
            self.answers[n] = []
            thread = threading.Thread(target=self._ask, args=(n,), daemon=True)
            thread.start()
            self._running.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._running:
            thread.join(timeout=60)

    def _one(self, session: requests.Session, what: str, query: str) -> requests.Response:
        results = {"Accept": "application/sparql-results+json"}
        if what == "GET /":
            return session.get(self.url + "/", timeout=30)
        if what == "GET turtle":
            return session.get(self.url + "/doc/province/th-10",
                               headers={"Accept": "text/turtle"}, timeout=30)  # fmt: skip
        if what == "GET sparql":
            return session.get(self.url + "/sparql?query=" + quote(query), headers=results,
                               timeout=30)  # fmt: skip
        return session.post(self.url + "/sparql", data={"query": query}, headers=results,
                            timeout=30)  # fmt: skip

    def _ask(self, n: int) -> None:
        kinds = ["GET /", "GET turtle", "GET sparql", "POST sparql"]
        session = requests.Session()
        i = 0
        while not self._stop.is_set():
            i += 1
            what, query = kinds[i % len(kinds)], f"{QUERY} # client {n} ask {i}"
            try:
                try:
                    response = self._one(session, what, query)
                except requests.ConnectionError as error:
                    if not aborted_before_an_answer(error):
                        raise
                    self.resent.append(f"{what}: {error}")
                    session.close()
                    session = requests.Session()
                    response = self._one(session, what, query)
                ok = response.status_code == 200 and (
                    "sparql" not in what or response.json()["results"]["bindings"]
                )
                outcome: int | str = response.status_code if ok else f"bad {response.text!r}"
                self.answers[n].append((what, outcome, response.headers.get("MWG-Release")))
            except (requests.RequestException, ValueError) as error:
                self.answers[n].append((what, repr(error), None))
        session.close()

    def failures(self) -> list[tuple[str, int | str, str | None]]:
        return [a for answers in self.answers.values() for a in answers if a[1] != 200]

    def count(self) -> int:
        return sum(len(a) for a in self.answers.values())


# ---- the cache -----------------------------------------------------------------------------------


def test_a_repeated_get_is_a_cache_hit_and_each_accept_gets_its_own_format(site: Site) -> None:
    first = site.get("/doc/province/th-11", headers={"Accept": "text/turtle"})
    again = site.get("/doc/province/th-11", headers={"Accept": "text/turtle"})
    assert first.status_code == again.status_code == 200
    assert first.headers["MWG-Cache"] == "MISS" and again.headers["MWG-Cache"] == "HIT"
    assert again.content == first.content and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["MWG-Release"] == site.old
    assert first.headers["Content-Type"].startswith("text/turtle")
    # Another Accept is another answer: never the cached Turtle.
    as_json = site.get("/doc/province/th-11", headers={"Accept": "application/ld+json"})
    assert as_json.headers["Content-Type"].startswith("application/ld+json")
    assert as_json.headers["MWG-Cache"] == "MISS"
    assert any("th-11" in json.dumps(node) for node in [as_json.json()])
    as_html = site.get("/doc/province/th-11", headers={"Accept": "text/html"})
    assert as_html.headers["Content-Type"].startswith("text/html")
    assert "<html" in as_html.text
    # The cached Turtle is still what a Turtle client gets, and a conditional GET is a 304.
    assert (
        site.get("/doc/province/th-11", headers={"Accept": "text/turtle"}).content == first.content
    )
    revalidated = site.get("/doc/province/th-11", headers={
        "Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})  # fmt: skip
    assert revalidated.status_code == 304


def test_a_cookie_or_accept_language_never_gets_another_readers_page(site: Site) -> None:
    english = site.get("/browse/", cookies={"lang": "en"})
    thai = site.get("/browse/")
    english_again = site.get("/browse/", cookies={"lang": "en"})
    by_header = site.get("/browse/", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.text and '<html lang="en">' in english_again.text
    assert '<html lang="th">' in thai.text
    assert '<html lang="en">' in by_header.text
    assert english_again.headers["MWG-Cache"] == "HIT"


def test_a_forged_host_does_not_poison_the_cache(site: Site) -> None:
    evil = "evil.example"
    forged = site.get("/widget/", headers={"Host": evil, "X-Forwarded-Host": evil,
                                           "Forwarded": f"host={evil}"})  # fmt: skip
    honest = site.get("/widget/")
    assert forged.status_code == honest.status_code == 200
    assert evil not in forged.text and evil not in honest.text
    assert honest.headers["MWG-Cache"] == "HIT"  # the same entry: the key holds no Host
    assert site.url in honest.text  # links name the public address (--public-url)


def test_the_replicas_log_the_client_nginx_names_and_only_believe_nginx(site: Site) -> None:
    marker = f"/search.json?q=xff-{time.monotonic_ns()}"
    site.get(marker, headers={"X-Forwarded-For": "198.51.100.7"})  # overwritten by nginx
    replica = site.replicas[0]
    direct = replica.get(marker + "-direct", headers={"X-Forwarded-For": "203.0.113.9"})
    bad = replica.get(marker + "-bad", headers={"X-Forwarded-For": "not an address"})
    assert direct.status_code == bad.status_code == 200
    time.sleep(0.5)  # the log lines are written after the answers
    log = "".join(r.log.read_text(errors="replace") for r in site.replicas)
    # (address, line) pairs, not a dict by address: two of the three lines come from 127.0.0.1
    lines = [(line.split()[0], line) for line in log.splitlines() if marker in line]
    assert "198.51.100.7" not in dict(lines)  # a client's own X-Forwarded-For never counts
    assert any(marker + "-direct" in line for a, line in lines if a == "203.0.113.9"), lines
    assert any(marker + "-bad" in line for a, line in lines if a == "127.0.0.1"), lines


# ---- a rolling release ---------------------------------------------------------------------------


def test_a_rolling_release_fails_no_request_and_never_goes_backwards(site: Site) -> None:
    order = [site.old, site.new]
    with Clients(site.url) as clients:
        time.sleep(1.0)
        done = site.rollout(site.new)
        time.sleep(1.0)
    assert done.returncode == 0, done.stdout + done.stderr
    assert clients.failures() == [], clients.failures()[:5]
    # At most one resend per client per nginx reload (the rollout reloads it 3 times).
    print(f"{clients.count()} answers, {len(clients.resent)} resent: {clients.resent}")
    assert len(clients.resent) <= 3 * clients.threads, clients.resent
    for n, answers in clients.answers.items():
        seen = [order.index(version) for _, _, version in answers]
        assert seen == sorted(seen), f"client {n} saw releases go backwards: {answers}"
        assert seen[0] == 0 and seen[-1] == 1, f"client {n} did not see the rollout: {seen}"
    assert all(r.get("/version").json()["release"] == site.new for r in site.replicas)
    assert f'"{site.new}"' in site.upstream.read_text()


def test_a_rollout_to_a_release_that_does_not_exist_changes_nothing(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream, serving = site.upstream.read_text(), site.get("/version").json()["release"]
    assert main(site.rollout_argv("20000101-00000000")) == 1
    assert "no release 20000101-00000000" in capsys.readouterr().err
    assert site.upstream.read_text() == upstream
    assert site.get("/version").json()["release"] == serving


def test_a_release_the_replicas_cannot_load_is_rolled_back_and_fails_no_request(site: Site) -> None:
    broken = "29990202-0b0b0b0b"
    copy_release(site.releases / site.new, site.releases, broken)
    shutil.rmtree(site.releases / broken / "store")
    (site.releases / broken / "store").write_text("not a store")
    with Clients(site.url) as clients:
        time.sleep(0.5)
        refused = site.rollout(broken)
        time.sleep(0.5)
    assert refused.returncode == 1
    assert f"release {broken} could not be loaded" in refused.stderr
    assert clients.failures() == [], clients.failures()[:5]
    assert {v for a in clients.answers.values() for _, _, v in a} == {site.new}
    assert all(r.get("/version").json()["release"] == site.new for r in site.replicas)
    upstream = site.upstream.read_text()
    assert f'"{site.new}"' in upstream
    assert all(arg.split("=")[0] in upstream for arg in site.replica_args[1::2])


# ---- one replica killed --------------------------------------------------------------------------


def test_a_replica_killed_mid_load_fails_no_request(site: Site) -> None:
    with Clients(site.url) as clients:
        time.sleep(1.0)
        before = clients.count()
        kill_tree(site.replicas[1].process)
        time.sleep(2.0)
    assert clients.count() > before + 20  # the load went on
    assert clients.failures() == [], clients.failures()[:5]
    assert clients.resent == []  # nginx took every retry on itself
