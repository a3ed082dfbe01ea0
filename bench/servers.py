"""The WSGI server, chosen by measurement: the same Flask app under each candidate, in one run.

gunicorn is run as ``mwg-graph serve`` ran it before (gthread, access log); granian is
``mwg-graph serve`` itself (with its request limits and access log). Each candidate serves the
same release with the same worker count (2) and threads per worker (16):

- throughput with ``wrk`` (concurrency 16, ``BENCH_DURATION`` seconds each) on a static file, a
  resource page and a SPARQL lookup;
- a slow-client attack (:mod:`bench.slow_clients`: 64 sockets sending a header line every 2 s and
  64 sending a POST body a byte every 2 s, for 20 s) while ``/version`` and ``ASK {}`` are probed
  once a second: how many probes got a 200 within 1 s, and the slowest probe.

The client runs on the same 2 cores as the server, so numbers are the whole system's.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from .load import free_port, tree_rss_mb
from .report import stamp, table, write_section
from .slow_clients import Probe, SlowClients
from .sparql_bench import DURATION, Run, static_path, wrk

ATTACK_SECONDS = 20
ROUNDS = 3  # throughput rounds per server, taken in turns; the median is reported
SETTINGS = {"MWG_WORKERS": "2", "MWG_THREADS": "16", "MWG_LOG_LEVEL": "warning",
            "MWG_QUERY_WORKERS": "2",
            # wrk's 16 connections all come from 127.0.0.1: no per-address share of the slots
            "MWG_CLIENT_SHARE": "1"}  # fmt: skip
LOOKUP = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "SELECT ?name WHERE { <https://w3id.org/mwg/id/organization/mwg> skos:prefLabel ?name }"
)
PAGE = "/doc/organization/mwg"


def commands(port: int) -> dict[str, list[str]]:
    """How each candidate is started: its own command line, the app from its factory."""
    bin_dir = Path(sys.executable).parent
    return {
        "gunicorn 27 gthread": [
            str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--worker-class", "gthread", "--threads", "16", "--keep-alive", "5",
            "--log-level", "warning", "--access-logfile", "-",
            "--access-logformat", '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"',
            "mwg_graph.web.app:create_app()",
        ],
        "granian 2 (WSGI), `mwg-graph serve`": [
            sys.executable, "-m", "mwg_graph", "serve", "--host", "127.0.0.1", "--port", str(port),
        ],
    }  # fmt: skip


def start(command: list[str], dist: Path, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWG_")}
    env |= SETTINGS | {"MWG_HOST": "127.0.0.1", "MWG_PORT": str(port), "MWG_DIST_DIR": str(dist)}
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/sparql?query=" + quote(LOOKUP))
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{command[0]} did not start:\n{log.read_text(errors='replace')}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def throughput(base: str) -> dict[str, Run]:
    return {
        "static": wrk(base + static_path(), 16, accept=None),
        "page": wrk(base + PAGE, 16, accept="text/html"),
        "lookup": wrk(f"{base}/sparql?query={quote(LOOKUP)}", 16),
    }


def under_attack(port: int) -> tuple[Probe, Probe, SlowClients]:
    json = {"Accept": "application/sparql-results+json"}
    with (
        SlowClients(port) as attack,
        Probe(port, "/version") as version,
        Probe(port, "/sparql?query=ASK%7B%7D", headers=json) as ask,
    ):
        time.sleep(ATTACK_SECONDS)
    return version, ask, attack


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]


def main() -> str:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `apt-get install wrk` (make bench does this)")
    dist = Path(tempfile.mkdtemp(prefix="mwg-servers-"))
    processes: dict[str, subprocess.Popen] = {}
    try:
        subprocess.run([sys.executable, "-m", "mwg_graph", "build", "--dist-dir", str(dist)],
                       check=True, capture_output=True)  # fmt: skip
        ports = {name: free_port() for name in commands(0)}
        for name, port in ports.items():
            processes[name] = start(commands(port)[name], dist, port, dist / f"{port}.log")
        # Both servers run at once and take turns, so a burst of load from elsewhere on the
        # machine falls on both alike; the median of the rounds is reported.
        runs: dict[str, list[dict[str, Run]]] = {name: [] for name in ports}
        for _ in range(ROUNDS):
            for name, port in ports.items():
                runs[name].append(throughput(f"http://127.0.0.1:{port}"))
        rows = []
        for name, port in ports.items():
            rss = tree_rss_mb(processes[name].pid)
            version, ask, attack = under_attack(port)
            static, page, lookup = (median_run([r[k] for r in runs[name]])
                                    for k in ("static", "page", "lookup"))  # fmt: skip
            rows.append(
                f"| {name} | {static.rps:.0f} | {page.rps:.0f} | {lookup.rps:.0f} "
                f"({lookup.p99_ms:.0f} ms p99) | {version.answered(1.0)}/{len(version.answers)} "
                f"(worst {version.worst():.1f} s) | {ask.answered(1.0)}/{len(ask.answers)} "
                f"(worst {ask.worst():.1f} s) | {attack.reopened} | {rss:.0f} |"
            )
            print(rows[-1], flush=True)
    finally:
        for process in processes.values():
            stop(process)
        shutil.rmtree(dist, ignore_errors=True)
    body = (
        "## WSGI servers side by side\n\n"
        + stamp("python -m bench servers")
        + "\nThe same app and release, 2 workers × 16 threads each, both servers up at once; "
        f"`wrk` at concurrency 16 for {DURATION} s per column, the servers taking turns, {ROUNDS} "
        "rounds, median shown (answers/s, 2xx only). Attack: 64 sockets sending a header line "
        f"every 2 s and 64 sending a POST body a byte every 2 s for {ATTACK_SECONDS} s, while "
        "`/version` and `ASK {}` were probed once a second (answered with 200 within 1 s / asked). "
        "The client shares the 2 cores with the server, and at the time the machine's CPU was "
        "shared with other engineers' test runs: compare rows, not absolute numbers.\n\n"
        + table(
            [
                "server",
                "static file/s",
                "page/s",
                "lookup/s",
                "/version under attack",
                "ASK {} under attack",
                "attack sockets reopened",
                "RSS MB",
            ],
            rows,
        )
    )
    write_section("servers", body)
    return body
