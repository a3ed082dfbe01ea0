"""``mwg-graph export``: time and size of the static site, and nginx serving it against our server.

- the MWG release, exported into an empty folder, then again (nothing changed: nothing written);
- a synthetic release of about 100k triples (:mod:`bench.synthetic`), exported once;
- ``wrk`` (concurrency 16, ``BENCH_DURATION`` s) on the same URLs served by Debian's nginx with the
  shipped rules (``hosting/nginx/mwg-site.conf``) and by ``mwg-graph serve`` (2 workers), in one
  run, taking turns. The client runs on the same cores as the servers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mwg_graph.build.release import build
from mwg_graph.config import from_env
from mwg_graph.dist import current_release

from .load import free_port
from .report import stamp, table, write_section
from .servers import SETTINGS, start, stop
from .sparql_bench import DURATION, wrk
from .synthetic import install_as_current, make_release

SPEED_COLUMNS = ["URL", "nginx req/s", "p50 ms", "non-2xx", "serve req/s", "p50 ms", "non-2xx",
                 "nginx / serve"]  # fmt: skip
URLS = [  # (what, path, Accept)
    ("resource page (negotiated HTML)", "/doc/organization/mwg", "text/html"),
    ("Turtle document (negotiated)", "/doc/organization/mwg", "text/turtle"),
    ("N-Triples suffix URL", "/doc/province/th-10.nt", None),
]


# The synthetic export is stopped after this many seconds (on a shared machine it can take long);
# the report then says how far it got.
SYNTHETIC_LIMIT = float(os.environ.get("BENCH_EXPORT_LIMIT", "1800"))


def export(dist: Path, site: Path, limit: float | None = None) -> tuple[float, str]:
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mwg_graph", "export", str(site), "--dist-dir", str(dist)],
            capture_output=True, text=True, check=True, timeout=limit,
        )  # fmt: skip
    except subprocess.CalledProcessError as failed:
        raise SystemExit(f"export failed: {failed.stderr.strip()[-2000:]}") from None
    except subprocess.TimeoutExpired:
        files, megabytes = size(site)
        return time.monotonic() - started, (
            f"stopped after {limit:.0f} s: {files} files ({megabytes:.1f} MB) written by then"
        )
    return time.monotonic() - started, done.stdout.strip()


def size(site: Path) -> tuple[int, float]:
    files = [p for p in site.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files) / 1e6


def throughput(dist: Path, site: Path, work: Path) -> list[str]:
    from tests.static_site import nginx_config, start_nginx

    port = free_port()
    nginx_url = f"http://127.0.0.1:{port}"
    nginx = start_nginx(nginx_config(site, port, work), nginx_url, work / "nginx.out")
    serve_port = free_port()
    serve = start(
        [sys.executable, "-m", "mwg_graph", "serve", "--host", "127.0.0.1", "--port",
         str(serve_port)], dist, serve_port, work / "serve.log",
    )  # fmt: skip
    rows = []
    try:
        for what, path, accept in URLS:
            ours = wrk(f"http://127.0.0.1:{serve_port}{path}", 16, accept=accept)
            static = wrk(nginx_url + path, 16, accept=accept)
            rows.append(
                f"| {what} `{path}` | {static.rps:.0f} | {static.p50_ms:.1f} | {static.errors} "
                f"| {ours.rps:.0f} | {ours.p50_ms:.1f} | {ours.errors} "
                f"| {static.rps / max(ours.rps, 1):.1f}× |"
            )
    finally:
        stop(serve)
        stop(nginx)
    return rows


def main() -> str:
    with tempfile.TemporaryDirectory(prefix="mwg-export-bench-") as tmp:
        root = Path(tmp)
        settings = from_env(environ={}, dist_dir=root / "dist")
        build(settings)
        site = root / "site"
        first, first_out = export(settings.dist_dir, site)
        again, again_out = export(settings.dist_dir, site)
        files, megabytes = size(site)
        rows = [
            f"| MWG release, into an empty folder | {first:.1f} | {files} | {megabytes:.1f} | "
            f"{first_out.split(': ', 1)[1]} |",
            f"| MWG release, again (unchanged) | {again:.1f} | {files} | {megabytes:.1f} | "
            f"{again_out.split(': ', 1)[1]} |",
        ]
        (root / "nginx").mkdir()
        speed = throughput(settings.dist_dir, site, root / "nginx")

        synthetic_dist = root / "synthetic-dist"
        release = make_release(
            current_release(settings), synthetic_dist / "releases" / "synthetic", 100_000
        )
        # The release's own pages (/downloads/<version>/) find it by the folder's name.
        version = json.loads((release / "release.json").read_text())["version"]
        release = release.rename(release.with_name(version))
        for name in ("search-index.json", "ontology.ttl"):  # what pages and downloads read
            shutil.copy(current_release(settings) / name, release / name)
        install_as_current(synthetic_dist, release)
        big_site = root / "synthetic-site"
        seconds, out = export(synthetic_dist, big_site, SYNTHETIC_LIMIT)
        files, megabytes = size(big_site)
        rows.append(
            f"| synthetic, ~100k triples | {seconds:.1f} | {files} | {megabytes:.1f} | "
            f"{out if out.startswith('stopped') else out.split(': ', 1)[-1]} |"
        )
        body = (
            "## Static export (`mwg-graph export`) and nginx serving it\n\n"
            + stamp("python -m bench export")
            + "\nExport time includes starting the process (wall clock; the machine's 2 cores are "
            "shared, so these are upper bounds). Size counts every file, the precompressed `.gz` "
            "copies included. The synthetic release is the MWG data copied under renamed IRIs "
            "(`bench/synthetic.py`) with its N-Triples dump only (no Turtle or JSON-LD dump to "
            "copy).\n\n"
            + table(["release", "seconds", "files", "MB", "exporter's summary"], rows)
            + f"\nThroughput, `wrk` at concurrency 16 for {DURATION} s per cell, the same URLs "
            f"from nginx (1 worker, the shipped rules) and `mwg-graph serve` "
            f"({SETTINGS['MWG_WORKERS']} workers × {SETTINGS['MWG_THREADS']} threads), "
            "in one run:\n\n" + table(SPEED_COLUMNS, speed)
        )
        write_section("export", body)  # before the folder (and a stopped export) goes
    return body
