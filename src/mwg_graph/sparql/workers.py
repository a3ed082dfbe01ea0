"""A pool of query processes per server process; a query that runs out of time or memory ends.

Oxigraph cannot stop a running query, and a Python thread cannot be killed. So every query runs in
a separate **query process** that holds the release in its own Oxigraph store
(:func:`mwg_graph.store.open_release_store`). The server thread sends the query over a pipe and
waits on it for the query's time limit; when the limit passes, the process gets ``SIGKILL`` — the
work really stops, whatever the engine was doing — and a fresh process (which reloads the release:
small, so quick) takes its place. The limit counts from the moment a process has the query, so a
query that timed out really ran for the whole limit (only then is it remembered as a runaway).

Each query process also has a memory ceiling (``RLIMIT_AS``: its size once the release is loaded,
plus ``query_memory_mb``). A query that needs more fails its allocation — a ``MemoryError``, or an
abort inside Oxigraph — and that query alone gets a 503; the process is replaced.

Processes come from a ``forkserver`` that has imported pyoxigraph once, so a replacement starts in
milliseconds plus the release load, and is never forked from a multi-threaded server (whatever WSGI
server started it). The results are serialised in the query process too, so serialising a huge
result is also bounded.

When the served release changes, :meth:`Engine.swap` starts a new pool on it; the old pool's
processes end as soon as their current query (if any) has been answered.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path

from mwg_graph.sparql.engine import Job, Outcome
from mwg_graph.store import open_release_store

log = logging.getLogger("mwg_graph.sparql")

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["mwg_graph.sparql.engine", "mwg_graph.store"])

START_TIMEOUT = 120.0  # seconds a new query process may take to load the release
SWAP_WAIT = 20.0  # seconds a swap waits for the new pool (below the WSGI server's worker timeout)
ABORTED = (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS)  # how a failed allocation ends Rust


@dataclass(frozen=True)
class StoreSpec:
    """Everything a query process needs to load its store and run queries (picklable)."""

    release: Path
    extra_data: str = ""
    prefixes: dict[str, str] = field(default_factory=dict)
    base_iri: str = ""  # relative IRIs in queries resolve against it (the endpoint's address)
    memory_mb: float = 0.0  # address space a query may add to the loaded process; 0: no ceiling
    # With a SPARQL backend (setting sparql_backend), queries go there instead (.backend):
    backend: str = ""
    release_graph: str = ""  # the release's graph in the backend (mwg-graph publish)
    record_graph: str = ""  # where publish records which release the backend holds
    backend_timeout: float = 0.0
    max_rows: int = 0
    max_bytes: int = 0


def _die_with_server(server_pid: int) -> None:
    """End this query process as soon as the server process that owns it is gone.

    An idle query process ends by itself when its pipe closes, but a busy one would go on with a
    runaway query for ever after its server process died (a killed gunicorn worker), holding a
    core. The parent-death signal cannot catch that — our parent is the forkserver, which every
    query process keeps alive — so a watchdog thread looks for the server process twice a second.
    (The engines release the GIL while they evaluate, so the thread gets to run.)
    """

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # a process of another user took the pid: ours is gone
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="mwg-server-watch").start()


def _limit_memory(extra_mb: float) -> None:
    """Cap this process's address space at its present size plus ``extra_mb``."""
    if extra_mb <= 0:
        return
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + int(extra_mb * 2**20)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(conn: Connection, spec: StoreSpec, server_pid: int) -> None:
    """The query process: load the store, then answer jobs until the pipe closes."""
    from mwg_graph.sparql.backend import open_remote_store
    from mwg_graph.sparql.engine import execute

    _die_with_server(server_pid)

    try:
        if spec.backend:
            store = open_remote_store(spec)
        else:
            store = open_release_store(spec.release, spec.extra_data)
        _limit_memory(spec.memory_mb)
    except Exception as error:  # reported to the pool, which logs it
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            outcome = execute(store, job, spec.base_iri, spec.prefixes)
        except MemoryError:
            conn.send(Outcome(503, b"", kind="memory"))
            os._exit(0)  # its memory may be fragmented: a fresh process takes its place
        except Exception as error:
            outcome = Outcome.error(
                500, "engine", "The query failed.", detail=f"{type(error).__name__}: {error}"
            )
        conn.send(outcome)


@dataclass(eq=False)
class _Process:
    process: multiprocessing.process.BaseProcess
    conn: Connection


class QueryPool:
    """``size`` query processes over one release."""

    def __init__(self, spec: StoreSpec, size: int) -> None:
        self.spec = spec
        self.size = max(1, size)
        self._idle: queue.SimpleQueue[_Process] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self._live: set[_Process] = set()
        self.ready = threading.Event()  # set once a process has loaded the release
        self.started = 0  # processes started so far (tests watch respawns)
        for _ in range(self.size):
            self._start_in_background()

    @property
    def release(self) -> Path:
        return self.spec.release

    def run(self, job: Job, wait_until: float, limit: float) -> Outcome:
        """Answer ``job`` within ``limit`` seconds of a process taking it, or stop it and say so.

        A free process is awaited until ``wait_until`` (``time.monotonic()``) at most.
        """
        try:
            worker = self._idle.get(timeout=max(0.0, wait_until - time.monotonic()))
        except queue.Empty:
            return Outcome(503, b"", kind="busy")
        try:
            worker.conn.send(job)
            if worker.conn.poll(limit):
                outcome = worker.conn.recv()
                if outcome.kind == "memory":
                    self._replace(worker)
                else:
                    self._give_back(worker)
                return outcome
        except (EOFError, OSError) as error:
            self._replace(worker)
            code = worker.process.exitcode
            detail = f"query process {worker.process.pid} ended ({error}; exit code {code})"
            if code in ABORTED:  # an allocation over the ceiling aborts inside Oxigraph
                return Outcome(503, b"", kind="memory", detail=detail)
            return Outcome(500, b"", kind="crash", detail=detail)
        self._replace(worker)
        return Outcome(503, b"", kind="timeout")  # the service words the messages

    def close(self) -> None:
        """Stop taking queries; idle processes end now, busy ones when their query is answered."""
        with self._lock:
            self._closed = True
        while True:
            try:
                self._end(self._idle.get_nowait())
            except queue.Empty:
                return

    # -- processes ---------------------------------------------------------------------------------

    def _give_back(self, worker: _Process) -> None:
        with self._lock:
            closed = self._closed
        if closed:
            self._end(worker)
        else:
            self._idle.put(worker)

    def _replace(self, worker: _Process) -> None:
        worker.process.kill()  # SIGKILL: the query's work stops here
        worker.process.join(1.0)  # (and its exit code is known)
        self._end(worker)
        with self._lock:
            closed = self._closed
        if not closed:
            self._start_in_background()

    def _end(self, worker: _Process) -> None:
        with self._lock:
            self._live.discard(worker)
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        threading.Thread(target=worker.process.join, daemon=True).start()

    def _start_in_background(self) -> None:
        threading.Thread(target=self._start, daemon=True, name="mwg-query-start").start()

    def _start(self) -> None:
        parent, child = _context.Pipe()
        process = _context.Process(
            target=_serve, args=(child, self.spec, os.getpid()), daemon=True, name="mwg-query"
        )
        process.start()
        child.close()
        worker = _Process(process, parent)
        with self._lock:
            self.started += 1
            self._live.add(worker)
        try:
            ready = parent.poll(START_TIMEOUT) and parent.recv()
        except (EOFError, OSError):
            ready = None
        if not ready or ready[0] != "ready":
            log.error("query process could not load the release %s: %s", self.spec.release, ready)
            self._end(worker)
            return
        self._give_back(worker)
        self.ready.set()


class Engine:
    """The current :class:`QueryPool` of a server process, renewed when the release changes."""

    def __init__(self, size: int, spec: StoreSpec) -> None:
        self.size = size
        self.spec = spec  # its release is replaced by each pool's
        self._pool: QueryPool | None = None
        self._lock = threading.Lock()

    def pool(self, release: Path) -> QueryPool:
        with self._lock:
            if self._pool is None:
                self._pool = self._new_pool(release)
            return self._pool

    def swap(self, release: Path) -> None:
        """Serve ``release`` from now on, once a process of its new pool is ready.

        Until then the old pool goes on answering (on the old release), so a swap never makes
        queries wait or fail. The first swap of a server process (at its start, before it takes
        requests under granian) waits too, so that its first queries find a process ready.
        """
        new = self._new_pool(release)
        if not new.ready.wait(SWAP_WAIT):
            log.error("no query process became ready on %s; swapping anyway", release)
        with self._lock:
            old, self._pool = self._pool, new
        if old is not None:
            old.close()

    def close(self) -> None:
        """Stop the current pool's processes (SparqlService.close)."""
        with self._lock:
            old, self._pool = self._pool, None
        if old is not None:
            old.close()

    def _new_pool(self, release: Path) -> QueryPool:
        return QueryPool(replace(self.spec, release=release), self.size)
