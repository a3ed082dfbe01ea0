"""Shared fixtures: a release built from the real data/, and the real server on 127.0.0.1.

Tests talk HTTP to a server started exactly as users start it (``python -m mwg_graph serve``,
granian), on a free loopback port, with its own dist/ so a developer's release is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import requests
from rdflib import Graph

from mwg_graph.build.release import build
from mwg_graph.config import PROJECT_ROOT, Settings, from_env
from mwg_graph.dist import current_release

SOURCE_PAGE = PROJECT_ROOT / "data" / "sources" / "mwg-about.th.txt"
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
W3C_DIR = PROJECT_ROOT / "tests" / "w3c"


CHROMIUM = Path("/usr/bin/chromium")  # Debian's, by `make test`: Lighthouse and screenshots
# Playwright's tests run Debian's chromium-headless-shell: the same Blink and V8 without the
# browser's own UI layer, which is what Playwright itself runs for headless tests. It took a quarter
# to a half of the CPU of the full browser for the same tests (axe on 18 pages: 33.5 → 7.8 s),
# and Chromium was the largest user of CPU in the suite.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
# No name resolves but 127.0.0.1: a page that reaches off the machine fails there and then.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium: Playwright drives Debian's headless shell, so no browser is fetched."""
    assert HEADLESS_SHELL.exists(), f"{HEADLESS_SHELL} is needed for the browser tests"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(HEADLESS_SHELL), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- parallel runs (pytest-xdist: ``make test`` runs ``pytest -n 4 --dist loadfile``) --------------
# Each xdist worker is its own process with its own session fixtures, so what is expensive and never
# changed by a test (the release built from data/) is made once per run and shared by the workers;
# what a worker may change (its servers, its tmp_path) stays its own.
#
# With ``--dist loadfile`` a module's tests run in one worker, so its module fixtures start once.
# XDIST_GROUPS also puts modules that share expensive session fixtures in one worker, and keeps the
# timing-sensitive modules one after another rather than side by side: the slow clients, overload
# and limits in one group, the server processes (workers killed, releases swapped, replicas) in
# another. Lighthouse is in neither: the categories it asserts do not depend on timing. (Not
# ``xdist_group`` marks: xdist 3.8 writes them into ``item._nodeid``, which pytest 9.2 no longer
# reads, so ``--dist loadgroup`` groups nothing.)
XDIST_GROUPS = {
    # the four targets of the linked-data suite (TARGETS below), which test_export_apache runs
    # too, and the export behind nginx: started once, in one worker
    "linked-data": ["test_linked_data_base", "test_linked_data_deref", "test_linked_data_http",
                    "test_linked_data_isomorphic", "test_export_apache", "test_export"],
    "timing": ["test_slow_clients", "test_overload", "test_sparql_limits", "test_sparql_hostile"],
    "processes": ["test_operations", "test_replicas"],
}  # fmt: skip
_GROUP_OF_MODULE = {module: group for group, modules in XDIST_GROUPS.items() for module in modules}
# Units of work that took 10 s or more in a full run, longest first (timelines of the 4 processes,
# December 2026), handed out first: the longest-first rule keeps a long one from starting last and
# running alone at the end; xdist's own order (most tests first) put them mid-run and the tail ran
# on one core.
LONGEST_FIRST = ["linked-data", "timing", "processes", "test_build", "test_shacl_engines",
                 "test_lighthouse", "test_partners", "test_thai_axe", "test_browser_sparql",
                 "test_store", "test_validate_cli", "test_same_bytes_everywhere",
                 "test_sparql_page_browser", "test_shapes", "test_backend_pages",
                 "test_sparql_backend", "test_map", "test_security", "test_architecture",
                 "test_resource_pages", "test_link_page", "test_virtuoso_publish",
                 "test_release_edges", "test_pages_html", "test_reconcile"]  # fmt: skip
_MODULES = {path.stem for path in Path(__file__).parent.glob("test_*.py")}
assert set(LONGEST_FIRST) <= set(XDIST_GROUPS) | (_MODULES - set(_GROUP_OF_MODULE)), "renamed?"


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadfile``, with the modules of one XDIST_GROUPS entry as one file."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ModuleGroupScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = Path(super()._split_scope(nodeid)).stem
            return _GROUP_OF_MODULE.get(module, module)

        def _assign_work_unit(self, node: object) -> None:
            for scope in reversed(LONGEST_FIRST):
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return ModuleGroupScheduling(config, log)


def shared_tmp_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder every xdist worker of this run sees (without xdist: this session's own)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder; each worker's basetemp is a child of it
    folder = base / name
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose dist/ holds one release built from the repository's data/: built by the
    first worker that asks, under a lock, and read by every other (no test changes it)."""
    dist = shared_tmp_dir(tmp_path_factory, "dist-shared")
    settings = from_env(environ={}, dist_dir=dist)
    with open(dist.parent / "dist-shared.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if current_release(settings) is None:
            build(settings)
    return settings


@dataclass
class RunningServer:
    url: str  # e.g. http://127.0.0.1:5123 (no trailing slash)
    settings: Settings
    process: subprocess.Popen
    log: Path

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return requests.get(self.url + path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return requests.post(self.url + path, **kwargs)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return requests.request(method, self.url + path, **kwargs)


class PortTaken(RuntimeError):
    """The server could not listen: another process holds the port ``free_port`` gave."""


def start_server(
    settings: Settings,
    log: Path,
    extra_env: dict[str, str] | None = None,
    timeout: float = 60,
    port: int | None = None,
) -> RunningServer:
    if port is None:  # a free port may be taken by another process before the server binds it
        for _retry in range(2):
            try:
                return start_server(settings, log, extra_env, timeout, free_port())
            except PortTaken:
                pass
        return start_server(settings, log, extra_env, timeout, free_port())
    settings = replace(settings, port=port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWG_")}
    env |= {
        "MWG_HOST": "127.0.0.1",
        "MWG_PORT": str(port),
        "MWG_DIST_DIR": str(settings.dist_dir),
        "MWG_DATA_DIR": str(settings.data_dir),
        "MWG_BASE_IRI": settings.base_iri,
        "MWG_QUERY_TIMEOUT": str(settings.query_timeout),
        "MWG_MAX_ROWS": str(settings.max_rows),
        "MWG_WORKERS": str(settings.workers),
        "MWG_RELOAD_INTERVAL": str(settings.reload_interval),
    }
    env |= extra_env or {}
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "mwg_graph", "serve"],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    server = RunningServer(f"http://127.0.0.1:{port}", settings, process, log)
    # Ready when every worker is: granian stopped while a worker is still starting waits out its
    # 15 s kill timeout (the worker misses the signal), and a test that stops its server soon
    # after /healthz first answers met that one time in three.
    workers = int(env["MWG_WORKERS"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text()
            if "Address already in use" in output:
                raise PortTaken(f"port {port} was taken:\n{output}")
            raise RuntimeError(f"server exited with {process.returncode}:\n{output}")
        try:
            ready = requests.get(server.url + "/healthz", timeout=2).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # not listening, or still starting
            ready = False
        if ready and log.read_text(errors="replace").count("Started worker-") >= workers:
            return server
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"server did not become ready in {timeout}s:\n{log.read_text()}")


def stop_server(server: RunningServer, grace: float = 15) -> None:
    stop_process(server.process, grace)


def stop_process(process: subprocess.Popen, grace: float = 15) -> None:
    """Terminate, and kill what has not stopped within ``grace`` seconds: the process and every
    process it had started. (Killing a granian master alone left a worker that was still starting
    serving on its port, orphaned, after the tests: ``test_a_server_stopped_while_a_worker_…``.)"""
    import psutil

    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    _, alive = psutil.wait_procs(family, timeout=5)
    for left in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            left.kill()
    psutil.wait_procs(alive, timeout=5)


@pytest.fixture(scope="session")
def serve_server(
    built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """The real production server, serving the release built from data/."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    running = start_server(built_settings, log)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def server(serve_server: RunningServer) -> RunningServer:
    """The real production server (a name a test module may redefine, as the linked-data suite
    does to run against every target; ``serve_server`` is the one behind it)."""
    return serve_server


@pytest.fixture(scope="session")
def exported_site(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release built from data/, exported as a static site (``mwg-graph export``)."""
    from tests.static_site import export

    site = tmp_path_factory.mktemp("site")
    done = export(built_settings, site)
    assert done.returncode == 0, done.stderr
    return site


@pytest.fixture(scope="session")
def nginx_export_server(
    built_settings: Settings, exported_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """Debian's nginx serving the export with the shipped rules (hosting/nginx/mwg-site.conf)."""
    from tests.static_site import nginx_config, start_nginx

    work = tmp_path_factory.mktemp("nginx")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "nginx.out"
    process = start_nginx(nginx_config(exported_site, port, work), url, log)
    running = RunningServer(url, built_settings, process, log)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def apache_export_server(built_settings: Settings, exported_site: Path) -> Iterator[RunningServer]:
    """Debian's Apache serving the export with the shipped hosting/apache/.htaccess (from a
    folder of its own under /tmp: pytest's are private, and Apache's workers may be ``nobody``)."""
    import tempfile

    from tests.static_site import apache_config, apache_site, start_apache

    work = Path(tempfile.mkdtemp(prefix="mwg-apache-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = apache_config(apache_site(exported_site, work), port, work)
    process = start_apache(config, url, work / "apache.out")
    running = RunningServer(url, built_settings, process, work / "apache.out")
    yield running
    stop_server(running)
    shutil.rmtree(work, ignore_errors=True)


# The ways the linked-data suite (tests/test_linked_data_*.py) is served, one fixture each: the
# suite runs unchanged against every one. A test of a feature only our server has narrows itself
# with ``@pytest.mark.parametrize("linked_data_server", ["serve"], indirect=True)``.
TARGETS = {
    "serve": "serve_server",  # mwg-graph serve
    "nginx-export": "nginx_export_server",  # mwg-graph export behind hosting/nginx/mwg-site.conf
    "replicas": "replicas_server",  # 2 replicas behind hosting/nginx/mwg-replicas.conf
    "sparql-backend": "backed_server",  # mwg-graph serve --sparql-backend on Oxigraph server
}


@pytest.fixture(scope="session", params=list(TARGETS))
def linked_data_server(request: pytest.FixtureRequest) -> RunningServer:
    return request.getfixturevalue(TARGETS[request.param])


@pytest.fixture(scope="session")
def replicas_server(
    built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """Two replicas behind the shipped nginx load balancer (tests/replicas.py), as one server."""
    from .replicas import start_site, stop_site

    site = start_site(built_settings, tmp_path_factory.mktemp("replicas-ld"))
    yield site.as_server(built_settings)
    stop_site(site)


@pytest.fixture
def copy_of_repo_inputs(tmp_path: Path) -> Settings:
    """Settings pointing at a private copy of data/, ontology/ and shapes/ that a test may break."""
    for folder in ("data", "ontology", "shapes"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    return from_env(
        environ={},
        dist_dir=tmp_path / "dist",
        data_dir=tmp_path / "data",
        ontology_dir=tmp_path / "ontology",
        shapes_dir=tmp_path / "shapes",
    )


def copy_release(built_settings: Settings, dist_dir: Path) -> Path:
    """Put the run's shared release (of the repository's data, unchanged) into ``dist_dir``, as
    if built there: for a test that needs "the last good release" before it changes something.
    A copy takes milliseconds; a build is ~1.3 s of CPU, and the suite made ~50."""
    shutil.copytree(built_settings.dist_dir, dist_dir, symlinks=True, dirs_exist_ok=True)
    release = current_release(replace(built_settings, dist_dir=dist_dir))
    assert release is not None
    return release


@pytest.fixture
def released_copy(copy_of_repo_inputs: Settings, built_settings: Settings) -> Settings:
    """``copy_of_repo_inputs`` whose dist/ already holds the release of that data (copied)."""
    copy_release(built_settings, copy_of_repo_inputs.dist_dir)
    return copy_of_repo_inputs


@pytest.fixture(scope="session")
def release_graph(built_settings: Settings) -> Graph:
    """The whole release built from data/, as published in ``mwg.nt``."""
    return Graph().parse(built_settings.dist_dir / "current" / "mwg.nt", format="nt")


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    """A keep-alive HTTP session, for tests that make hundreds of requests."""
    with requests.Session() as s:
        yield s


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail any attempt to open a network connection (loopback included) in this process."""
    attempts: list[object] = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise NetworkAttempt(f"network connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: refuse(None, a))
    return attempts


# -- an existing triple store as the backend (issue 13, item 5) --------------------------------

OXIGRAPH_CLI = Path(sys.executable).parent / "oxigraph"  # the Rust server, PyPI `oxigraph`


@dataclass
class OxigraphServer:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen

    @property
    def store(self) -> str:  # SPARQL 1.1 Graph Store HTTP Protocol
        return self.url + "/store"

    @property
    def query(self) -> str:
        return self.url + "/query"

    @property
    def update(self) -> str:
        return self.url + "/update"


def start_oxigraph(location: Path, query_timeout: int = 10, timeout: float = 60) -> OxigraphServer:
    """``oxigraph serve`` on a free loopback port, with its database in ``location``; it stops a
    query after ``query_timeout`` seconds itself (README, "Hosting")."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(OXIGRAPH_CLI),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            str(query_timeout),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = OxigraphServer(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {process.returncode}")
        try:
            requests.get(server.url + "/", timeout=2)
            return server
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"oxigraph serve did not listen within {timeout}s")


def stop_oxigraph(server: OxigraphServer) -> None:
    stop_process(server.process)


def publish_release(
    settings: Settings, store: str, update: str = ""
) -> subprocess.CompletedProcess:
    """``mwg-graph publish`` as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWG_")}
    command = [sys.executable, "-m", "mwg_graph", "publish", "--graph-store", store,
               "--dist-dir", str(settings.dist_dir), "--base-iri", settings.base_iri]  # fmt: skip
    if update:
        command += ["--graph-store-update", update]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def start_backed_server(
    settings: Settings,
    tmp: Path,
    extra_env: dict[str, str] | None = None,
    extra_graphs: Path | None = None,
) -> tuple[RunningServer, OxigraphServer]:
    """Oxigraph server holding the published release (and the named graphs of ``extra_graphs``,
    TriG), and our server answering /sparql from it."""
    oxigraph = start_oxigraph(tmp / "oxigraph", math.ceil(settings.query_timeout))
    published = publish_release(settings, oxigraph.store, oxigraph.update)
    assert published.returncode == 0, published.stderr
    if extra_graphs is not None:
        loaded = requests.post(
            oxigraph.store,
            data=extra_graphs.read_bytes(),
            headers={"Content-Type": "application/trig"},
            timeout=60,
        )
        assert loaded.status_code == 204, loaded.text
    env = {"MWG_SPARQL_BACKEND": oxigraph.query} | (extra_env or {})
    return start_server(settings, tmp / "server.log", env), oxigraph


@pytest.fixture(scope="session")
def backed_server(built_settings, tmp_path_factory) -> Iterator[RunningServer]:
    """Our server with ``--sparql-backend`` on Oxigraph server holding the published release."""
    running, oxigraph = start_backed_server(built_settings, tmp_path_factory.mktemp("backend"))
    yield running
    stop_server(running)
    stop_oxigraph(oxigraph)
