"""A release of ``data/`` served on loopback for as long as a ``with`` block runs: for the tools
and benchmarks that look at every page kind (``tools/screenshots.py``,
``bench/lighthouse_bench.py``).

Each needs the same thing — a fresh build into a throw-away folder, ``mwg-graph serve`` on it,
and the server (with every worker it started) stopped and the folder removed however the block
ends — so it is written once here, on top of the tests' own :func:`tests.conftest.start_server`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mwg_graph.build.release import build
from mwg_graph.config import from_env
from tests.conftest import RunningServer, start_server, stop_server


@contextmanager
def release_server(now: dt.datetime | None = None) -> Iterator[RunningServer]:
    """Build ``data/`` (stamped ``now``, default the clock) with default settings and serve it.

    The environment is ignored (``environ={}``), so what is served does not depend on the
    ``MWG_*`` variables of whoever runs the tool."""
    with tempfile.TemporaryDirectory() as folder:
        settings = from_env(environ={}, dist_dir=Path(folder) / "dist")
        build(settings, now=now)
        server = start_server(settings, Path(folder) / "server.log")
        try:
            yield server
        finally:
            stop_server(server)
