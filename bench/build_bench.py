"""Build time and peak memory of ``mwg-graph build`` (and ``validate``) on the real data/."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .report import stamp, write_section

RUNS = 5


def run_isolated(args: list[str]) -> tuple[float, float]:
    code = (
        "import resource,subprocess,sys,time;"
        f"t=time.perf_counter();subprocess.run([sys.executable,'-m','mwg_graph',*{args!r}],check=True,"
        "capture_output=True);e=time.perf_counter()-t;"
        "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    seconds, megabytes = out.stdout.split()
    return float(seconds), float(megabytes)


def main() -> str:
    rows = []
    for label, make_args in (
        ("validate", lambda d: ["validate"]),
        ("build (first release)", lambda d: ["build", "--dist-dir", str(d)]),
    ):
        times, peaks = [], []
        for _ in range(RUNS):
            dist = Path(tempfile.mkdtemp(prefix="mwg-bench-"))
            try:
                seconds, peak = run_isolated(make_args(dist))
            finally:
                shutil.rmtree(dist, ignore_errors=True)
            times.append(seconds)
            peaks.append(peak)
        rows.append(
            f"| `mwg-graph {label}` | {statistics.median(times):.2f} | {min(times):.2f} | "
            f"{max(times):.2f} | {max(peaks):.0f} |"
        )
    body = (
        "## Build and validation (issue 2)\n\n"
        + stamp("python -m bench build")
        + f"\nWhole process, {RUNS} runs each, real `data/`:\n\n"
        "| command | median s | min s | max s | peak RSS MB |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )
    write_section("build", body)
    return body
