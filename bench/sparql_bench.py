"""SPARQL endpoint benchmark (issue 3): our production server against the limit of its own HTTP
stack (a small static file), against a peer (rdflib-endpoint on the same data), and on synthetic
graphs of 100k and 1M triples against pyoxigraph queried in-process.

Load comes from ``wrk`` (Debian's package) on loopback; every run is bounded by ``DURATION``.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path

import psutil
import requests

from mwg_graph.build.release import build
from mwg_graph.config import PROJECT_ROOT, Settings, from_env
from mwg_graph.dist import current_release

from .report import stamp, table, write_section
from .synthetic import install_as_current, make_release

DURATION = int(os.environ.get("BENCH_DURATION", "3"))  # seconds per wrk run
SIZES = (100_000, 1_000_000)
JSON_RESULTS = "application/sparql-results+json"
HTTP_COLUMNS = [
    "query", "c=1 req/s", "p50 ms", "p99 ms", "c=16 req/s", "p50 ms", "p99 ms",
    "c=16 uncached req/s", "p50 ms", "peer c=16 req/s", "ours/peer", "our non-2xx",
    "peer non-2xx",
]  # fmt: skip
SYNTHETIC_COLUMNS = [
    "query", "HTTP p50 ms (c=1; ✓ < 1 s)", "HTTP p99 ms", "pyoxigraph in-process ms",
    "HTTP / in-process", "non-2xx",
]  # fmt: skip
QUERIES_DIR = PROJECT_ROOT / "src" / "mwg_graph" / "queries"


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    text: str


@dataclass(frozen=True)
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


# The simplest lookup a client makes: one resource's names.
LOOKUP = Example(
    "lookup",
    "One resource's names",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "SELECT ?name WHERE { <https://w3id.org/mwg/id/organization/mwg> skos:prefLabel ?name }",
)


def examples() -> list[Example]:
    found = [LOOKUP]
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = re.search(r"^# title:\s*(.+)$", text, re.M)
        found.append(Example(path.stem, title.group(1) if title else path.stem, text))
    return found


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}")
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def start_ours(settings: Settings, cache: bool = True) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWG_")}
    env |= {
        "MWG_PORT": str(port),
        "MWG_DIST_DIR": str(settings.dist_dir),
        "MWG_LOG_LEVEL": "warning",
        "MWG_RESULT_CACHE_MB": str(settings.result_cache_mb if cache else 0),
        "MWG_CLIENT_SHARE": "1",  # wrk's connections all come from 127.0.0.1: no per-address share
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "mwg_graph", "serve"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_ready(url + "/healthz", process)
    return process, url


def start_peer(nt_file: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ) | {"PEER_DATA": str(nt_file)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.peer_rdflib_endpoint:app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "2", "--log-level", "warning"],
        env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_ready(url + "/?query=" + urllib.parse.quote("ASK {}"), process)
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def tree_rss_mb(process: subprocess.Popen) -> float:
    try:
        root = psutil.Process(process.pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20
    except psutil.NoSuchProcess:
        return float("nan")


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, concurrency: int, accept: str | None = JSON_RESULTS) -> Run:
    command = ["wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}", f"-d{DURATION}s", "--latency",
               "--timeout", "10s"]  # fmt: skip
    if accept:
        command += ["-H", f"Accept: {accept}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    failed = int(errors.group(1)) if errors else 0
    if socket_errors:
        failed += sum(int(x) for x in socket_errors.groups())
    # Only successful answers count: a fast 503 must not look like throughput.
    return Run(max(0, total - failed) / DURATION, p50, p99, failed)


def accept_for(example: Example) -> str:
    """Results for SELECT/ASK; a graph format for CONSTRUCT/DESCRIBE (asking those for SPARQL
    JSON is rightly a 406)."""
    graph_query = re.search(r"^\s*(CONSTRUCT|DESCRIBE)\b", example.text, re.I | re.M)
    return "text/turtle" if graph_query else JSON_RESULTS


def query_url(base: str, path: str, example: Example) -> str:
    return f"{base}{path}?query={urllib.parse.quote(example.text)}"


def warm_up(url: str, accept: str, timeout: float = 300) -> int:
    """Ask once and wait for the answer: query processes may still be loading the release."""
    deadline = time.monotonic() + timeout
    status = 0
    while time.monotonic() < deadline:
        status = requests.get(url, headers={"Accept": accept}, timeout=timeout).status_code
        if status == 200:
            break
        time.sleep(0.5)
    return status


def static_path() -> str:
    css = sorted((PROJECT_ROOT / "src" / "mwg_graph" / "web" / "static" / "css").glob("*.css"))
    return "/static/css/" + css[0].name if css else "/healthz"


def in_process_pyoxigraph(nt_file: Path, queries: list[Example]) -> tuple[dict[str, float], float]:
    """Median ms per query with pyoxigraph in this process (results fully read), and its RSS."""
    import pyoxigraph

    rss_before = psutil.Process().memory_info().rss
    store = pyoxigraph.Store()
    store.bulk_load(path=str(nt_file), format=pyoxigraph.RdfFormat.N_TRIPLES)
    medians = {}
    for example in queries:
        times = []
        for _ in range(15):
            started = time.perf_counter()
            result = store.query(example.text)
            if hasattr(result, "__iter__"):
                for _row in result:
                    pass
            times.append((time.perf_counter() - started) * 1000)
        medians[example.name] = statistics.median(times)
    rss = (psutil.Process().memory_info().rss - rss_before) / 2**20
    del store
    return medians, rss


def real_graph_section(settings: Settings, queries: list[Example]) -> str:
    ours, ours_url = start_ours(settings)
    uncached, uncached_url = start_ours(settings, cache=False)
    release = current_release(settings)
    peer, peer_url = start_peer(release / "mwg.nt")
    try:
        static = {c: wrk(ours_url + static_path(), c, accept=None) for c in (1, 16)}
        rows = []
        ratios_static, ratios_peer, ratios_engine = [], [], []
        for example in queries:
            accept = accept_for(example)
            warm_up(query_url(ours_url, "/sparql", example), accept)
            peer_status = warm_up(query_url(peer_url, "/", example), accept, timeout=20)
            cells = [f"`{example.name}`"]
            warm_up(query_url(uncached_url, "/sparql", example), accept)
            for c in (1, 16):
                run = wrk(query_url(ours_url, "/sparql", example), c, accept)
                cells += [f"{run.rps:,.0f}", f"{run.p50_ms:.1f}", f"{run.p99_ms:.1f}"]
                if c == 16:
                    engine_run = wrk(query_url(uncached_url, "/sparql", example), c, accept)
                    cells += [f"{engine_run.rps:,.0f}", f"{engine_run.p50_ms:.1f}"]
                    ratios_engine.append(engine_run.rps / static[16].rps)
                    peer_run = wrk(query_url(peer_url, "/", example), c, accept)
                    if peer_run.rps > 0:
                        ratio = run.rps / peer_run.rps
                        cells += [f"{peer_run.rps:,.0f}", f"{ratio:.1f}×"]
                        ratios_peer.append(ratio)
                    else:
                        cells += [f"0 (no answer within {DURATION} s)", "∞"]
                    ratios_static.append(run.rps / static[16].rps)
                    cells.append(str(run.errors))
                    cells.append(
                        str(peer_run.errors) + ("" if peer_status == 200 else f" ({peer_status})")
                    )
            rows.append("| " + " | ".join(cells) + " |")
        memory = tree_rss_mb(ours)
    finally:
        stop(ours)
        stop(uncached)
        stop(peer)
    lookup = queries[0].name
    return (
        "### On the MWG graph, over HTTP\n\n"
        f"Our server: `mwg-graph serve` (gunicorn, {settings.workers} workers × {settings.threads} "
        f"threads, {settings.query_workers} query processes each). Peer: rdflib-endpoint "
        "(uvicorn, 2 workers) on the same `mwg.nt`. `wrk` on the same 2 cores, "
        f"{DURATION} s per cell, `Accept: {JSON_RESULTS}` (`text/turtle` for DESCRIBE).\n\n"
        f"Static file (`{static_path()}`, the limit of the HTTP stack): "
        f"c=1 {static[1].rps:,.0f} req/s (p50 {static[1].p50_ms:.1f} ms, "
        f"p99 {static[1].p99_ms:.1f} ms); "
        f"c=16 {static[16].rps:,.0f} req/s (p50 {static[16].p50_ms:.1f} ms, p99 "
        f"{static[16].p99_ms:.1f} ms).\n\n" + table(HTTP_COLUMNS, rows) + "\n"
        "Requests per second count successful (2xx) answers only.\n\n"
        f"- Simple lookup (`{lookup}`) at c=16: {ratios_static[0]:.0%} of static-file throughput "
        f"(target ≥ 50%); {ratios_engine[0]:.0%} with the result cache off (every answer from "
        "the engine).\n"
        f"- Ours vs peer at c=16: min {min(ratios_peer):.1f}×, median "
        f"{statistics.median(ratios_peer):.1f}× (target ≥ 3×).\n"
        f"- Resident memory of our server's process tree after the run: {memory:.0f} MB.\n"
    )


def synthetic_section(settings: Settings, queries: list[Example], work: Path) -> str:
    real = current_release(settings)
    parts = []
    for size in SIZES:
        dist = work / f"dist-{size}"
        (dist / "releases").mkdir(parents=True, exist_ok=True)
        release = make_release(real, dist / "releases" / f"synthetic-{size}", size)
        install_as_current(dist, release)
        triples = sum(1 for _ in (release / "mwg.nt").open(encoding="utf-8"))
        started = time.perf_counter()
        server, url = start_ours(replace(settings, dist_dir=dist), cache=False)
        startup = time.perf_counter() - started
        try:
            for example in queries:
                warm_up(query_url(url, "/sparql", example), accept_for(example))
            http = {e.name: wrk(query_url(url, "/sparql", e), 1, accept_for(e)) for e in queries}
            memory = tree_rss_mb(server)
        finally:
            stop(server)
        direct, direct_rss = in_process_pyoxigraph(release / "mwg.nt", queries)
        rows = []
        for example in queries:
            run = http[example.name]
            ratio = run.p50_ms / max(direct[example.name], 0.001)
            verdict = "✓" if run.p50_ms < 1000 else "✗"
            rows.append(
                f"| `{example.name}` | {run.p50_ms:.1f} {verdict} | {run.p99_ms:.1f} | "
                f"{direct[example.name]:.2f} | {ratio:.1f}× | {run.errors} |"
            )
        parts.append(
            f"### Synthetic graph, {triples:,} triples\n\n"
            "Result cache off: every answer comes from the engine. "
            f"Server ready in {startup:.0f} s; resident memory of its process tree "
            f"{memory:,.0f} MB "
            f"(pyoxigraph alone in-process: {direct_rss:,.0f} MB).\n\n"
            + table(SYNTHETIC_COLUMNS, rows)
        )
        shutil.rmtree(dist, ignore_errors=True)
    return "\n".join(parts)


def main() -> str:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `apt-get install wrk` (make bench does this)")
    work = Path(tempfile.mkdtemp(prefix="mwg-sparql-bench-"))
    try:
        settings = from_env(environ={}, dist_dir=work / "dist")
        build(settings)
        queries = examples()
        body = (
            "## SPARQL endpoint (issue 3)\n\n" + stamp("python -m bench sparql") + "\n"
            + real_graph_section(settings, queries) + "\n"
            + synthetic_section(settings, queries, work)
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_section("sparql", body)
    return body
