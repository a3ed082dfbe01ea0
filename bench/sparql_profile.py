"""Where a cache-busted query's time goes in the web worker: the thin path beside the Flask route.

Used by :mod:`bench.cache_busted`, which prints the numbers in its section. The app is the real one
(its real query processes) on the release the bench built; each request is a distinct lookup, so
no cache helps. ``cProfile`` counts the Python calls per request and splits the wall time into the
worker's own work and the wait on its query process (handing over the job, waiting for the answer:
the hop). The thin path is :mod:`mwg_graph.web.views.sparql_thin`; the Flask route is what it hands
everything else to.
"""

from __future__ import annotations

import cProfile
import logging
import pstats
import time
import urllib.parse
from dataclasses import dataclass

from werkzeug.test import EnvironBuilder

from mwg_graph.config import Settings
from mwg_graph.web.app import create_app
from mwg_graph.web.request_limits import wrap
from mwg_graph.web.state import get_state

REQUESTS = 300  # distinct lookups per path
LOOKUP = "SELECT * WHERE { ?s ?p ?o } LIMIT 20"
HOP = ("<method 'poll' of 'select.poll' objects>", "<built-in method posix.write>")


@dataclass(frozen=True)
class Profile:
    calls: float  # Python function calls per request
    cpu_ms: float  # CPU time of this process per request (under the profiler)
    wall_ms: float
    hop_ms: float  # of the wall time: handing the job over and waiting for the query process


def profile(settings: Settings, requests: int = REQUESTS) -> dict[str, Profile]:
    """The thin path and the Flask route, each asked ``requests`` distinct lookups."""
    app = create_app(settings)
    paths = {
        "thin path": wrap(app, settings),
        "Flask route": wrap(app.wsgi_app.flask_wsgi, settings),
    }
    access = logging.getLogger("mwg_graph.access")
    was_disabled, access.disabled = access.disabled, True
    try:
        for environ in _environs("warm", 20):
            b"".join(paths["Flask route"](environ, _ignore))  # starts the query processes
        release = get_state(app).releases.current()
        get_state(app).sparql.engine.pool(release.path).ready.wait(60)
        return {name: _measure(wsgi, _environs(name[0], requests)) for name, wsgi in paths.items()}
    finally:
        access.disabled = was_disabled
        get_state(app).sparql.close()


def _measure(wsgi, environs: list[dict]) -> Profile:
    profiler = cProfile.Profile()
    cpu, wall = time.process_time(), time.perf_counter()
    profiler.enable()
    for environ in environs:
        b"".join(wsgi(environ, _ignore))
    profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    stats = pstats.Stats(profiler)
    hop = sum(row[3] for key, row in stats.stats.items() if key[2] in HOP)  # type: ignore[attr-defined]
    n = len(environs)
    return Profile(stats.total_calls / n, cpu / n * 1000, wall / n * 1000, hop / n * 1000)  # type: ignore[attr-defined]


def _environs(tag: str, count: int) -> list[dict]:
    text = urllib.parse.quote(LOOKUP)
    return [
        EnvironBuilder(
            path="/sparql",
            query_string=f"query={text}%0A%23{tag}{i}",
            headers={"Accept": "application/sparql-results+json", "Host": "127.0.0.1"},
        ).get_environ()
        for i in range(count)
    ]


def _ignore(status: str, headers: list, exc_info=None) -> None:
    """``start_response`` for answers nobody reads."""
