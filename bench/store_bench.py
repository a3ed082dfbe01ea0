"""Store choice (issue 8 item 3): an in-memory pyoxigraph store per process against one on-disk
store per release, opened read-only by every process.

For 1k (the real release), 100k and 1M synthetic triples: how long a process takes to have the
release (load, or open), its resident memory (RSS and PSS) after answering, the latency of a
resource description (what a page needs) and of the example queries, and the whole-tree memory of
six processes at once (a default server: 2 web workers × (1 + 2 query processes)). Each measured
process is a fresh child, so one measurement never warms another.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from mwg_graph.build.release import build
from mwg_graph.config import from_env
from mwg_graph.dist import current_release
from mwg_graph.store import STORE_DIR, write_release_store

from .report import stamp, table, write_section
from .sparql_bench import examples
from .synthetic import make_release

SIZES = (0, 100_000, 1_000_000)  # 0: the real release
PROCESSES = 6  # a default server: 2 web workers, each with 2 query processes

# One child process: get the store, describe resources, run the example queries, report.
CHILD = r"""
import json, os, statistics, sys, time
import psutil
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store
mode, release, queries_file, hold = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
started = time.perf_counter()
if mode == "memory":
    store = Store()
    store.bulk_load(path=os.path.join(release, "mwg.nt"), format=RdfFormat.N_TRIPLES)
else:
    store = Store.read_only(os.path.join(release, "store"))
ready = time.perf_counter() - started
base = "https://w3id.org/mwg/id/"
subjects = [f"{base}organization/sc", f"{base}province/th-50", f"{base}organization/mwg"]
def describe(iri):
    node = NamedNode(iri)
    out = list(store.quads_for_pattern(node, None, None, DefaultGraph()))
    out += list(store.quads_for_pattern(None, None, node, DefaultGraph()))
    for q in list(out):
        for n in (q.subject, q.object):
            if isinstance(n, NamedNode) and n != node:
                out += list(store.quads_for_pattern(n, None, None, DefaultGraph()))
    return len(out)
timings = []
for _ in range(20):
    for s in subjects:
        t = time.perf_counter(); describe(s); timings.append(time.perf_counter() - t)
queries = {}
for name, text in json.load(open(queries_file)).items():
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        result = store.query(text)
        if not isinstance(result, bool):
            for _row in result:
                pass
        runs.append(time.perf_counter() - t)
    queries[name] = statistics.median(runs)
info = psutil.Process().memory_full_info()
report = {"ready_s": ready, "rss_mb": info.rss / 2**20, "pss_mb": info.pss / 2**20,
          "describe_ms": statistics.median(timings) * 1000, "queries": queries}
print(json.dumps(report), flush=True)
time.sleep(hold)
"""


def child(mode: str, release: Path, queries: Path, hold: float = 0.0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(release), str(queries), str(hold)],
        stdout=subprocess.PIPE,
        text=True,
    )


def one(mode: str, release: Path, queries: Path) -> dict:
    process = child(mode, release, queries)
    out, _ = process.communicate(timeout=600)
    return json.loads(out)


def tree_pss(mode: str, release: Path, queries: Path) -> tuple[float, float]:
    """Sum of PSS and of RSS of PROCESSES children that hold the release at the same time."""
    processes = [child(mode, release, queries, hold=5.0) for _ in range(PROCESSES)]
    for process in processes:
        process.stdout.readline()  # each has answered its queries and now holds its memory
    pss = rss = 0.0
    for process in processes:
        info = psutil.Process(process.pid).memory_full_info()
        pss, rss = pss + info.pss / 2**20, rss + info.rss / 2**20
    for process in processes:
        process.wait(timeout=60)
    return pss, rss


def main() -> str:
    work = Path(tempfile.mkdtemp(prefix="mwg-store-bench-"))
    try:
        settings = from_env(environ={}, dist_dir=work / "dist")
        build(settings)
        real = current_release(settings)
        assert real is not None
        queries = work / "queries.json"
        queries.write_text(json.dumps({e.name: e.text for e in examples()}))
        rows = []
        for size in SIZES:
            if size == 0:  # the real release, its store written again here to time it
                release = work / "real"
                shutil.copytree(real, release, ignore=shutil.ignore_patterns(STORE_DIR))
            else:
                release = make_release(real, work / f"synthetic-{size}", size, with_store=False)
            started = time.perf_counter()
            write_release_store(release)
            written = time.perf_counter() - started
            triples = json.loads((release / "release.json").read_text())["triples"]
            disk_mb = sum(p.stat().st_size for p in (release / STORE_DIR).rglob("*")) / 2**20
            for mode in ("memory", "disk"):
                result = one(mode, release, queries)
                pss, rss = tree_pss(mode, release, queries)
                worst = max(result["queries"].items(), key=lambda kv: kv[1])
                rows.append(
                    f"| {triples:,} | {mode} | {result['ready_s']:.2f} | "
                    f"{'' if mode == 'memory' else f'{written:.1f} s, {disk_mb:.0f} MB'} | "
                    f"{result['rss_mb']:.0f} | {result['pss_mb']:.0f} | {pss:.0f} | {rss:.0f} | "
                    f"{result['describe_ms']:.2f} | "
                    f"{statistics.median(result['queries'].values()) * 1000:.1f} | "
                    f"{worst[0]} {worst[1] * 1000:.0f} |"
                )
                print(rows[-1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    columns = [
        "triples", "store", "load/open s", "written by the build", "RSS MB", "PSS MB",
        f"{PROCESSES} processes: PSS MB", "RSS MB", "describe ms (p50)", "examples p50 ms",
        "slowest example ms",
    ]  # fmt: skip
    body = (
        "## Store choice: in memory per process, or one on-disk store per release\n\n"
        + stamp("python -m bench store")
        + "\nEach cell is one fresh process (the six-process columns: six at once, as a default "
        "server holds them). *memory*: `Store()` + `bulk_load(mwg.nt)` in every process; *disk*: "
        "the build writes `store/` once, every process opens it with `Store.read_only`. "
        "Describe: one resource's triples, incoming triples and its neighbours' triples via "
        "`quads_for_pattern`. The 2 CPU cores were shared with other engineers' work.\n\n"
        + table(columns, rows)
    )
    write_section("store", body)
    return body
