"""Two ``mwg-graph serve`` replicas behind Debian's nginx, configured by the shipped
``hosting/nginx/mwg-replicas.conf`` as it is: for tests/test_replicas.py and the linked-data
tests' ``replicas`` target (conftest).

nginx runs as this user on a free loopback port, from a generated nginx.conf that includes the
shipped file with its four @…@ values filled in; the replicas' dist directories and nginx's
upstream file are written by the real ``mwg-graph rollout --init``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import psutil
import requests

from mwg_graph.config import PROJECT_ROOT, Settings

from .conftest import RunningServer, free_port, start_server, stop_server

NGINX = Path("/usr/sbin/nginx")  # Debian's nginx, installed by `make test`
SITE_CONF = PROJECT_ROOT / "hosting" / "nginx" / "mwg-replicas.conf"
SERVER_NAME = "127.0.0.1"
NEXT_VERSION = "29990101-0a0b0c0d"  # sorts after any real build's, as a later build would


@dataclass
class Site:
    url: str  # nginx, e.g. http://127.0.0.1:5123
    folder: Path
    releases: Path  # the releases the replicas share
    old: str  # the release they start on
    new: str  # another release, ready to roll out
    replica_args: list[str]  # --replica host:port=dist, for mwg-graph rollout
    replicas: list[RunningServer] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    @property
    def upstream(self) -> Path:
        return self.folder / "mwg-upstream.conf"

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return requests.get(self.url + path, **kwargs)

    def rollout_argv(self, version: str, *extra: str) -> list[str]:
        return ["rollout", version, *self.replica_args, "--releases-dir", str(self.releases),
                "--upstream-file", str(self.upstream), "--nginx-pid",
                str(self.folder / "nginx.pid"), "--wait", "30", *extra]  # fmt: skip

    def rollout(self, version: str, *extra: str) -> subprocess.CompletedProcess:
        """The real ``mwg-graph rollout`` command, on this site."""
        return subprocess.run([sys.executable, "-m", "mwg_graph",
                               *self.rollout_argv(version, *extra)],
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    def as_server(self, settings: Settings) -> RunningServer:
        """The site as the linked-data tests' server (its ``url`` is nginx's)."""
        assert self.nginx is not None
        return RunningServer(self.url, settings, self.nginx, self.folder / "error.log")


def nginx_conf(folder: Path, port: int) -> str:
    """A whole nginx.conf for this user around the shipped site file, its @…@ values filled in."""
    site = SITE_CONF.read_text(encoding="utf-8")
    for name, value in {"@LISTEN@": f"127.0.0.1:{port}", "@SERVER_NAME@": SERVER_NAME,
                        "@CACHE_DIR@": str(folder / "cache"),
                        "@UPSTREAM@": str(folder / "mwg-upstream.conf")}.items():  # fmt: skip
        site = site.replace(name, value)
    assert "@" not in re.sub(r"#.*", "", site), "a placeholder of the shipped file was left"
    (folder / "mwg-replicas.conf").write_text(site, encoding="utf-8")
    temp = "".join(f"    {kind}_temp_path {folder / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    user = f"user {psutil.Process().username()};\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 2;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} notice;\nworker_shutdown_timeout 30s;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n    access_log {folder / 'access.log'};\n{temp}"
        f"    include {folder / 'mwg-replicas.conf'};\n}}\n"
    )


def copy_release(source: Path, releases: Path, version: str) -> None:
    """A release of its own version (the same facts): what a new build would publish."""
    shutil.copytree(source, releases / version)
    info_file = releases / version / "release.json"
    info = json.loads(info_file.read_text(encoding="utf-8"))
    info["version"] = version
    info_file.write_text(json.dumps(info), encoding="utf-8")


def start_site(built_settings: Settings, folder: Path) -> Site:
    """nginx and two replicas (two workers each) on the release built from data/."""
    releases = folder / "releases"
    releases.mkdir()
    built = (built_settings.dist_dir / "current").resolve()
    shutil.copytree(built, releases / built.name)
    copy_release(built, releases, NEXT_VERSION)
    port, ports = free_port(), [free_port(), free_port()]
    dists = [folder / f"replica-{n}" for n in (1, 2)]
    args = [
        a for p, d in zip(ports, dists, strict=True) for a in ("--replica", f"127.0.0.1:{p}={d}")
    ]
    site = Site(f"http://127.0.0.1:{port}", folder, releases, built.name, NEXT_VERSION, args)
    init = site.rollout(site.old, "--init")
    assert init.returncode == 0, init.stderr
    # The test clients all come from 127.0.0.1 (nginx names it in X-Forwarded-For): these tests
    # count requests dropped by a rollout, not fairness, so no per-address share of the slots.
    env = {"MWG_PUBLIC_URL": site.url + "/", "MWG_TRUSTED_PROXIES": "127.0.0.1",
           "MWG_QUERY_WORKERS": "1", "MWG_CLIENT_SHARE": "1"}  # fmt: skip

    def replica(n: int) -> RunningServer:
        settings = replace(built_settings, dist_dir=dists[n], workers=2)
        return start_server(settings, folder / f"replica-{n}.log", env, port=ports[n])

    try:
        with ThreadPoolExecutor(2) as pool:  # both start at once: half the waiting
            started = [pool.submit(replica, n) for n in range(2)]
        site.replicas = [f.result() for f in started if f.exception() is None]
        for future in started:
            future.result()  # the first failure, if any (the others get stopped below)
        conf = folder / "nginx.conf"
        conf.write_text(nginx_conf(folder, port), encoding="utf-8")
        site.nginx = subprocess.Popen([str(NGINX), "-p", str(folder), "-c", str(conf),
                                       "-e", str(folder / "error.log")])  # fmt: skip
        deadline = time.monotonic() + 20
        while not _ready(site) and time.monotonic() < deadline:
            assert site.nginx.poll() is None, (folder / "error.log").read_text()
            time.sleep(0.1)
        assert _ready(site), (folder / "error.log").read_text()
    except BaseException:
        stop_site(site)
        raise
    return site


def _ready(site: Site) -> bool:
    try:
        return site.get("/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def stop_site(site: Site) -> None:
    if site.nginx is not None and site.nginx.poll() is None:
        site.nginx.send_signal(signal.SIGQUIT)  # graceful: requests in flight finish
        site.nginx.wait(timeout=30)
    for replica in site.replicas:
        if replica.process.poll() is None:
            stop_server(replica)
