"""``mwg-graph serve``: make sure a valid release exists, then run the production server.

gunicorn (pre-fork, one copy of the release per worker, ``gthread`` workers) rather than waitress:
measured here it serves about 2.2× the static-file and 10× the SPARQL throughput
(BENCHMARKS.md), and a worker that dies is replaced by its arbiter. Flask's development server
only runs with ``--debug``.

New releases reach a running server two ways, both without dropping a request:

- every ``reload_interval`` seconds a thread in each worker looks at ``dist/current`` and swaps the
  new release in (:meth:`ReleaseHolder.watch`); a request takes the release once, so requests in
  flight finish on the old one;
- ``kill -HUP <server pid>``: gunicorn starts fresh workers (which load the release before they
  accept a connection) and lets the old ones finish their requests before they exit.

One access-log line per request: client, request line, status, bytes, duration in milliseconds.
"""

from __future__ import annotations

import logging
import sys

from .config import Settings
from .release import BuildFailed, build, current_release

log = logging.getLogger("mwg_graph.serve")

# One line per request: client, "request line", status, response bytes, duration (ms), user agent.
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
GRACEFUL_TIMEOUT = 15  # seconds a stopping worker has to finish its requests (> a query's time)


def ensure_release(settings: Settings) -> bool:
    """Build when there is no release yet; with broken data/ an existing release still serves."""
    if current_release(settings) is not None:
        return True
    try:
        result = build(settings)
    except BuildFailed as failure:
        print(f"no release to serve, and the build failed: {failure}", file=sys.stderr)
        return False
    print(f"built release {result.version}", file=sys.stderr)
    return True


def gunicorn_options(settings: Settings) -> dict[str, object]:
    """The gunicorn configuration, as data (tests read it)."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": "gthread",
        "loglevel": settings.log_level,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "limit_request_line": max(0, min(settings.max_url_bytes, 8190)),
        "graceful_timeout": max(GRACEFUL_TIMEOUT, int(settings.query_timeout) + 5),
        "timeout": max(30, int(settings.query_timeout) * 3),
        "keepalive": 5,
        # gunicorn's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): two servers
        # on one machine would take it from each other. Signals (HUP, TERM, TTIN…) are enough.
        "control_socket_disable": True,
        "post_worker_init": _post_worker_init,
    }


def _post_worker_init(worker) -> None:
    """Load the release before this worker takes a request, then watch dist/ for new ones."""
    app = worker.wsgi
    holder = app.extensions["mwg_releases"]
    holder.current()
    holder.watch()


def serve(settings: Settings) -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=settings.log_level.upper(),
        format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
    )
    if not ensure_release(settings):
        return 1
    from .app import create_app

    if settings.debug:
        create_app(settings).run(host=settings.host, port=settings.port, debug=True)
        return 0
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_options(settings).items():
                self.cfg.set(key, value)

        def load(self):
            return create_app(settings)

    Server().run()
    return 0
