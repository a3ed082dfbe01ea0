"""``mwg-graph serve``: make sure a valid release exists, then run the production server.

granian (a Rust HTTP server, WSGI interface; pre-fork, one copy of the release per worker) rather
than gunicorn: measured side by side (BENCHMARKS.md, "WSGI servers side by side") it served more
static files, pages and lookups per second, and — the reason — it reads request headers in Rust,
so clients that send headers a line at a time hold no Python thread: under 64 such sockets and 64
slow bodies ``/version`` kept answering at once, where every gunicorn thread was held and it
answered 1 probe in 6. Slow *bodies* reach Python; :mod:`mwg_graph.request_limits` gives them a
bounded share of the threads. Flask's development server only runs with ``--debug``.

What the server does, and where:

- workers load the release before they take a request (:func:`worker_app`); a worker that dies is
  started again (``respawn_failed_workers``); its query processes end with it (their watchdog);
- new releases without a dropped request: every ``reload_interval`` seconds a thread in each worker
  looks at ``dist/current`` (:meth:`ReleaseHolder.watch`), and ``kill -HUP <server pid>`` makes
  every worker do so at once (:data:`RELEASE_SIGNAL`). granian's own SIGHUP restarts the workers,
  and a stopping worker closes connections it has accepted but not yet read a request from: a
  client could see its connection dropped. Swapping in place drops nothing (a code upgrade needs a
  restart);
- request-line, header and body limits, slow bodies and the access log (client, request line,
  status, bytes, milliseconds): :mod:`mwg_graph.request_limits`, whatever the server;
- ``SIGTERM``/``SIGINT``: workers finish their requests (at most :data:`GRACEFUL_TIMEOUT` s).

Workers are separate processes started by granian, so the settings reach them as ``MWG_*``
environment variables (:func:`export_settings`): flags given to ``serve`` win there too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from dataclasses import fields

from .config import Settings, env_name, from_env
from .release import RELEASE_INFO, BuildFailed, build, current_release, releases_dir

log = logging.getLogger("mwg_graph.serve")

GRACEFUL_TIMEOUT = 15  # seconds a stopping worker has to finish its requests (> a query's time)
HEADER_READ_TIMEOUT_MS = 10_000  # a client has this long to send its request headers
MAX_HEAD_BYTES = 64 * 1024  # the whole request head; granian answers 431 beyond it
RELEASE_SIGNAL = signal.SIGUSR1  # server → worker: look at dist/current now


def ensure_release(settings: Settings) -> bool:
    """Build when there is no release yet; with broken data/ an existing release still serves.

    A missing or dangling ``dist/current`` is no reason to build: the workers serve the newest
    release that loads, and ``/healthz`` says why (:class:`ReleaseHolder`).
    """
    if current_release(settings) is not None or any_release(settings):
        return True
    try:
        result = build(settings)
    except BuildFailed as failure:
        print(f"no release to serve, and the build failed: {failure}", file=sys.stderr)
        return False
    print(f"built release {result.version}", file=sys.stderr)
    return True


def any_release(settings: Settings) -> bool:
    folder = releases_dir(settings)
    return folder.is_dir() and any((p / RELEASE_INFO).is_file() for p in folder.iterdir())


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
        "target": "mwg_graph.serve:worker_app",
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
    from .app import create_app
    from .request_limits import wrap

    settings = from_env()
    swap_now = threading.Event()
    signal.signal(RELEASE_SIGNAL, lambda *_: swap_now.set())
    logging.basicConfig(
        stream=sys.stderr,
        level=settings.log_level.upper(),
        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
    )
    app = create_app(settings)
    holder = app.extensions["mwg_releases"]
    holder.current()
    holder.watch()

    def swap_on_signal() -> None:
        while swap_now.wait():
            swap_now.clear()
            try:
                holder.refresh()
            except Exception:  # keep listening whatever happens
                log.exception("swapping in dist/current on SIGHUP failed")

    threading.Thread(target=swap_on_signal, name="mwg-release-signal", daemon=True).start()
    return wrap(app, settings)


def serve(settings: Settings) -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=settings.log_level.upper(),
        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
    )
    if not ensure_release(settings):
        return 1
    if settings.debug:
        from .app import create_app

        create_app(settings).run(host=settings.host, port=settings.port, debug=True)
        return 0
    from granian.server import Server

    class ReleaseSwappingServer(Server):  # type: ignore[misc, valid-type]
        def signal_handler_reload(self, *args, **kwargs) -> None:
            """SIGHUP: every worker swaps in ``dist/current`` at once, without a restart."""
            for worker in list(self.wrks):
                with contextlib.suppress(OSError, TypeError):
                    os.kill(worker._id(), RELEASE_SIGNAL)

    export_settings(settings)
    # Workers inherit this until they listen for the signal: one sent early must not kill them.
    signal.signal(RELEASE_SIGNAL, signal.SIG_IGN)
    ReleaseSwappingServer(**granian_options(settings)).serve()
    return 0
