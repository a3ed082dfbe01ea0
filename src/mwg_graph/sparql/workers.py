"""A pool of query processes per server process; a query that runs out of time is killed.

Neither rdflib nor Oxigraph can stop a running query, and a Python thread cannot be killed. So every
query runs in a separate **query process** that holds the release loaded in its own store. The
server thread sends the query over a pipe and waits on it until the query's deadline; when the
deadline passes, the process gets ``SIGKILL`` — the work really stops, whatever the engine was
doing — and a fresh process (which reloads the release: small, so quick) takes its place.

Processes come from a ``forkserver`` that has imported rdflib and Oxigraph once, so a replacement
starts in milliseconds plus the release load, and is never forked from a multi-threaded server.
The results are serialised in the query process too, so serialising a huge result is also bounded.

When the served release changes, :meth:`Engine.swap` starts a new pool on it; the old pool's
processes end as soon as their current query (if any) has been answered.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from .engine import Job, Outcome, StoreSpec

log = logging.getLogger("mwg_graph.sparql")

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["mwg_graph.sparql.engine"])

START_TIMEOUT = 120.0  # seconds a new query process may take to load the release


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


def _serve(conn: Connection, spec: StoreSpec, server_pid: int) -> None:
    """The query process: load the store, then answer jobs until the pipe closes."""
    from .engine import execute, open_store

    _die_with_server(server_pid)

    try:
        dataset = open_store(spec)
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
            outcome = execute(dataset, job, spec.prefixes)
        except Exception as error:
            outcome = Outcome.error(500, "engine", f"{type(error).__name__}: {error}")
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
        self.started = 0  # processes started so far (tests watch respawns)
        for _ in range(self.size):
            self._start_in_background()

    @property
    def release(self) -> Path:
        return self.spec.release

    def run(self, job: Job, deadline: float) -> Outcome:
        """Answer ``job`` by ``deadline`` (``time.monotonic()``), or stop it and say so."""
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return Outcome.error(
                503,
                "busy",
                "The query limit was reached while waiting for a free query process "
                "(the server is busy); please try again.",
            )
        try:
            worker.conn.send(job)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                outcome = worker.conn.recv()
                self._give_back(worker)
                return outcome
        except (EOFError, OSError) as error:
            log.warning("query process %s died: %s", worker.process.pid, error)
            self._replace(worker)
            return Outcome.error(500, "engine", "The query process ended unexpectedly.")
        self._replace(worker)
        return Outcome(503, b"", kind="timeout")  # the view words the message (it knows the limit)

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


class Engine:
    """The current :class:`QueryPool` of a server process, renewed when the release changes."""

    def __init__(self, store: str, size: int, extra_data: str, prefixes: dict[str, str]) -> None:
        self.store = store
        self.size = size
        self.extra_data = extra_data
        self.prefixes = prefixes
        self._pool: QueryPool | None = None
        self._lock = threading.Lock()

    def pool(self, release: Path) -> QueryPool:
        with self._lock:
            if self._pool is None:
                self._pool = self._new_pool(release)
            return self._pool

    def swap(self, release: Path) -> None:
        with self._lock:
            old, self._pool = self._pool, self._new_pool(release)
        if old is not None:
            old.close()

    def close(self) -> None:
        with self._lock:
            old, self._pool = self._pool, None
        if old is not None:
            old.close()

    def _new_pool(self, release: Path) -> QueryPool:
        spec = StoreSpec(release, self.store, self.extra_data, self.prefixes)
        return QueryPool(spec, self.size)
