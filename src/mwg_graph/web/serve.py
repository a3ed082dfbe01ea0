"""``mwg-graph serve``: run the production server (the command builds first if there is no release).

granian (a Rust HTTP server, WSGI interface; pre-fork, one copy of the release per worker) rather
than gunicorn: measured side by side (BENCHMARKS.md, "WSGI servers side by side") it served more
static files, pages and lookups per second, and — the reason — it reads request headers in Rust,
so clients that send headers a line at a time hold no Python thread: under 64 such sockets and 64
slow bodies ``/version`` kept answering at once, where every gunicorn thread was held and it
answered 1 probe in 6. Slow *bodies* reach Python; :mod:`mwg_graph.web.request_limits` gives them a
bounded share of the threads. Flask's development server only runs with ``--debug``.

What the server does, and where:

- workers load the release before they take a request (:func:`worker_app`); a worker that dies is
  started again (``respawn_failed_workers``); its query processes end with it (their watchdog);
- new releases without a dropped request: every ``reload_interval`` seconds a thread in each worker
  looks at ``dist/current`` (:meth:`ReleaseHolder.watch`; each request looks too, so none started
  after the move is answered from the old release: :meth:`ReleaseHolder.current`), and ``kill -HUP
  <server pid>`` makes every worker do so at once: the server counts SIGHUPs in memory its workers
  share (:data:`_sighups`), and a thread in each worker looks at the count. granian's own SIGHUP
  restarts the workers, and a stopping worker closes connections it has accepted but not yet read a
  request from: a client could see its connection dropped. Swapping in place drops nothing (a code
  upgrade needs a restart). (A signal to each worker does not work: Python runs a handler only when
  the main thread runs Python code, and a granian worker's main thread sleeps until it stops.);
- request-line, header and body limits, slow bodies and the access log (client, request line,
  status, bytes, milliseconds): :mod:`mwg_graph.web.request_limits`, whatever the server;
- ``SIGTERM``/``SIGINT``: workers finish their requests (at most :data:`GRACEFUL_TIMEOUT` s).

Workers are separate processes started by granian, so the settings reach them as ``MWG_*``
environment variables (:func:`export_settings`): flags given to ``serve`` win there too.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import multiprocessing
import os
import socket
import sys
import threading
import time
from dataclasses import fields

from mwg_graph.config import Settings, env_name, from_env

log = logging.getLogger("mwg_graph.web.serve")

GRACEFUL_TIMEOUT = 15  # seconds a stopping worker has to finish its requests (> a query's time)
HEADER_READ_TIMEOUT_MS = 10_000  # a client has this long to send its request headers
MAX_HEAD_BYTES = 64 * 1024  # the whole request head; granian answers 431 beyond it
SIGHUP_POLL = 0.2  # seconds between a worker's looks at the SIGHUP count

# SIGHUPs the server received, in memory shared with the workers it forks (granian forks them on
# Linux with Python < 3.14; with another start method the workers see None and only watch dist/).
_sighups: ctypes.c_longlong | None = None


def export_settings(settings: Settings) -> None:
    """Put every setting in the environment the workers inherit."""
    for f in fields(Settings):
        os.environ[env_name(f.name)] = str(getattr(settings, f.name))


def granian_options(settings: Settings) -> dict[str, object]:
    """The granian configuration, as data (tests read it)."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    return {
        "target": "mwg_graph.web.serve:worker_app",
        "factory": True,
        "interface": Interfaces.WSGI,
        "http": HTTPModes.http1,
        "address": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "blocking_threads": settings.threads,
        "http1_settings": HTTP1Settings(
            header_read_timeout=HEADER_READ_TIMEOUT_MS, max_buffer_size=MAX_HEAD_BYTES
        ),
        "respawn_failed_workers": True,
        "respawn_interval": 1.0,
        "workers_kill_timeout": max(GRACEFUL_TIMEOUT, int(settings.query_timeout) + 5),
        "log_level": LogLevels(settings.log_level),
        "log_access": False,  # ours has the bytes and the query string: request_limits
        "websockets": False,
    }


def worker_app():
    """The app of one granian worker: settings from the environment, the release loaded first."""
    from mwg_graph.web.app import create_app
    from mwg_graph.web.request_limits import wrap
    from mwg_graph.web.state import get_state

    settings = from_env()
    logging.basicConfig(
        stream=sys.stderr,
        level=settings.log_level.upper(),
        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
    )
    app = create_app(settings)
    holder = get_state(app).releases
    sighups_seen = _sighups.value if _sighups is not None else 0  # before loading: none is missed
    holder.current()
    holder.watch()

    if _sighups is not None:
        threading.Thread(
            target=swap_on_sighup,
            args=(holder, _sighups, sighups_seen),
            name="mwg-sighup",
            daemon=True,
        ).start()
    else:
        log.warning("this worker was not forked by the server: SIGHUP will not reach it")
    return wrap(app, settings)


def swap_on_sighup(holder, sighups: ctypes.c_longlong, seen: int) -> None:
    """Look at ``dist/current`` each time the server's SIGHUP count moves."""
    while True:
        time.sleep(SIGHUP_POLL)
        if sighups.value != seen:
            seen = sighups.value
            try:
                holder.refresh()
            except Exception:  # keep looking whatever happens
                log.exception("swapping in dist/current on SIGHUP failed")


def cannot_listen(host: str, port: int) -> str | None:
    """Why a server could not listen on ``host:port``, asked before any worker starts: when
    granian finds the port taken, the user gets a traceback from every process instead."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as granian binds
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = error.strerror or str(error)
            if error.errno == errno.EADDRINUSE:
                return f"{reason} (is another server running there? choose one with --port)"
            return reason
    return None


def serve(settings: Settings) -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=settings.log_level.upper(),
        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
    )
    problem = cannot_listen(settings.host, settings.port)
    if problem:
        print(f"cannot serve on {settings.host}:{settings.port}: {problem}", file=sys.stderr)
        return 1
    if settings.debug:
        from mwg_graph.web.app import create_app

        create_app(settings).run(host=settings.host, port=settings.port, debug=True)
        return 0
    from granian.server import Server

    global _sighups
    _sighups = multiprocessing.Value("q", 0, lock=False)  # only this process writes it
    sighups = _sighups

    class ReleaseSwappingServer(Server):  # type: ignore[misc, valid-type]
        def signal_handler_reload(self, *args, **kwargs) -> None:
            """SIGHUP: every worker swaps in ``dist/current`` at once, without a restart."""
            sighups.value += 1

    export_settings(settings)
    ReleaseSwappingServer(**granian_options(settings)).serve()
    return 0
