"""``mwg-graph`` run in the test's own process: the same ``main(argv)`` a user's command reaches.

A subprocess per case spends two to three seconds importing rdflib and pySHACL before the command
does anything, so the tests of what a command *says* (exit code, output lines) call
:func:`mwg_graph.cli.main` here, with the user's environment stripped of ``MWG_*`` settings as a
fresh shell would have it. The tests where the process boundary is the point (no traceback
escapes, a real ``python -m mwg_graph``) keep one real subprocess each.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Iterator, Mapping

from mwg_graph.cli import main


@contextlib.contextmanager
def _environment(settings_env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` without the caller's ``MWG_*`` and with ``settings_env``, restored after."""
    saved = dict(os.environ)
    try:
        for name in [n for n in os.environ if n.startswith("MWG_")]:
            del os.environ[name]
        os.environ.update(settings_env)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_cli_in_process(
    args: list[str], env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``mwg-graph *args`` in this process: its exit code and what it printed, shaped like
    :func:`subprocess.run`'s answer so a test reads the same either way. An exception that
    escapes ``main`` is not caught: it fails the test, as a traceback would."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        _environment(env or {}),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        code = main(list(args))
    return subprocess.CompletedProcess(["mwg-graph", *args], code, stdout.getvalue(),
                                       stderr.getvalue())  # fmt: skip
