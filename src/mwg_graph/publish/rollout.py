"""``mwg-graph rollout VERSION``: a new release onto replicas behind nginx, with no failed request
and no client seeing releases go backwards.

Replicas share the release files and nothing else: each has its own dist directory holding
``releases`` (a link to the shared ``dist/releases``) and ``current`` (which release it serves).
A replica answers every request that starts after its ``current`` moved from the new release
(:meth:`mwg_graph.web.releases.ReleaseHolder.current`), so moving ``current`` switches it at once.
nginx's ``upstream`` (the file :func:`upstream_conf` writes, included by
``hosting/nginx/mwg-replicas.conf``) says which replicas are in service and which release they
serve; the release is part of the cache key. The steps, with the replicas in two halves:

1. nginx sends to the second half only; wait until no nginx worker of the old configuration is
   left (they finish their requests first), so the first half is idle;
2. move the first half to the new release; wait until each says so on ``/healthz``;
3. nginx sends to the first half only, with the new release in its cache key; wait likewise;
4. move the second half; wait until each says so;
5. nginx sends to all of them.

At every instant nginx sends to replicas of one release only, and a client's next request after
an answer of the new release reaches a new nginx worker, which sends only to the new release. When
the first half does not come up on the new release, it is moved back and every replica is put
back in service: nothing changed for clients.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mwg_graph.dist import CURRENT, RELEASES

UPSTREAM = "mwg_replicas"
MAX_FAILS = 2  # failed tries (error, timeout, 502, 503) …
FAIL_TIMEOUT = 5  # … within this many seconds take a replica out for as long
KEEPALIVE = 16  # idle connections each nginx worker keeps to the replicas
KEEPALIVE_TIMEOUT = 30  # seconds nginx keeps one idle


class RolloutFailed(Exception):
    """The rollout stopped; the message says where and what is being served."""


@dataclass(frozen=True)
class Replica:
    address: str  # host:port nginx and the probes reach it at
    dist_dir: Path  # its own dist directory: releases -> the shared ones, current


def replica_from_arg(text: str) -> Replica:
    """``host:port=/path/to/its/dist``, as ``--replica`` takes it."""
    address, sep, folder = text.partition("=")
    host, colon, port = address.rpartition(":")
    if not sep or not folder or not colon or not host or not port.isdigit():
        raise ValueError(f"{text!r}: expected host:port=/path/to/its/dist")
    return Replica(address, Path(folder))


def upstream_conf(replicas: Sequence[Replica], release: str) -> str:
    """nginx's upstream block for ``replicas`` and the release they serve (the cache key's)."""
    servers = "".join(
        f"    server {r.address} max_fails={MAX_FAILS} fail_timeout={FAIL_TIMEOUT}s;\n"
        for r in replicas
    )
    return (
        "# Written by `mwg-graph rollout`; the next step of a rollout rewrites it.\n"
        f"upstream {UPSTREAM} {{\n    zone {UPSTREAM} 64k;\n{servers}"
        f"    keepalive {KEEPALIVE};\n    keepalive_timeout {KEEPALIVE_TIMEOUT}s;\n}}\n"
        f'map $host $mwg_release {{\n    default "{release}";\n}}\n'
    )


def served_release(replica: Replica) -> str | None:
    """The release a replica's ``current`` names (its folder's name), or None."""
    link = replica.dist_dir / CURRENT
    return Path(os.readlink(link)).name if link.is_symlink() else None


def point(replica: Replica, releases: Path, version: str) -> None:
    """Make ``replica`` serve ``version`` (an atomic rename, as ``mwg-graph build`` does)."""
    replica.dist_dir.mkdir(parents=True, exist_ok=True)
    shared = replica.dist_dir / RELEASES
    if not shared.exists():
        shared.symlink_to(releases.resolve())
    if not (shared / version).is_dir():
        raise RolloutFailed(f"{replica.address}: no release {version} in {shared}")
    temporary = replica.dist_dir / f".{CURRENT}.rollout.{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(Path(RELEASES) / version)
    os.replace(temporary, replica.dist_dir / CURRENT)


def healthz(address: str, host: str | None, timeout: float = 5) -> dict | None:
    request = urllib.request.Request(f"http://{address}/healthz", headers={"Host": host or address})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read())
    except (OSError, ValueError, urllib.error.HTTPError):
        return None


def wait_ready(replica: Replica, version: str, host: str | None, seconds: float) -> None:
    """Wait until the replica answers ``/healthz`` ready on ``version`` (fail when it cannot)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = healthz(replica.address, host) or {}
        if body.get("ready") and body.get("version") == version:
            return
        refused = [p for p in body.get("problems", []) if f"release {version} could not" in p]
        if refused:
            raise RolloutFailed(f"{replica.address}: {refused[0]}")
        time.sleep(0.2)
    raise RolloutFailed(
        f"{replica.address} did not serve {version} within {seconds:g} s: /healthz says "
        f"{healthz(replica.address, host)}"
    )


# ---- nginx ---------------------------------------------------------------------------------------


def _children(pid: int) -> dict[int, str]:
    """Child processes of ``pid`` and their command lines (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            if parent == pid:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError):
            continue
    return {child: line.decode(errors="replace") for child, line in found.items()}


def nginx_workers(master: int) -> set[int]:
    return {pid for pid, line in _children(master).items() if "worker process" in line}


def reload_nginx(pid_file: Path, seconds: float) -> None:
    """``nginx -s reload``, then wait until every worker of the old configuration has exited.

    Old workers stop accepting at once and exit when their requests are done, so afterwards no
    request is on its way under the old configuration. When nginx refuses the new configuration
    its old workers stay: that is reported, with where to look.
    """
    master = int(pid_file.read_text().split()[0])
    old = nginx_workers(master)
    os.kill(master, signal.SIGHUP)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = nginx_workers(master)
        if workers - old and not workers & old:
            return
        time.sleep(0.05)
    raise RolloutFailed(
        f"nginx (pid {master}) did not finish reloading within {seconds:g} s: its error log says "
        "why (a configuration `nginx -t` rejects, or requests still running)"
    )


# ---- the procedure -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    replicas: Sequence[Replica]
    releases: Path  # the shared dist/releases
    upstream_file: Path  # the file mwg-replicas.conf includes
    nginx_pid_file: Path
    host: str | None = None  # the Host the replicas answer for (their --allowed-hosts)
    wait: float = 60.0  # seconds each step may take


def rollout(plan: Plan, version: str, say: Callable[[str], None] = print) -> None:
    """Move every replica to ``version``, half at a time (see the module's docstring)."""
    replicas = list(plan.replicas)
    if len(replicas) < 2:
        raise RolloutFailed("a rolling release needs at least 2 replicas")
    if not (plan.releases / version).is_dir():
        raise RolloutFailed(f"no release {version} in {plan.releases}")
    first, rest = replicas[: len(replicas) // 2], replicas[len(replicas) // 2 :]
    serving = {served_release(r) for r in rest}
    if len(serving) != 1 or None in serving:
        raise RolloutFailed(
            "the second half of the replicas does not serve one release "
            f"({', '.join(f'{r.address}: {served_release(r)}' for r in rest)}); "
            "point them at one before rolling out"
        )
    old = serving.pop()

    def switch(in_service: Sequence[Replica], release: str, what: str) -> None:
        say(f"nginx: {what}")
        plan.upstream_file.write_text(upstream_conf(in_service, release), encoding="utf-8")
        reload_nginx(plan.nginx_pid_file, plan.wait)

    def move(group: Sequence[Replica], release: str) -> None:
        for replica in group:
            say(f"{replica.address}: serving {release}")
            point(replica, plan.releases, release)
        for replica in group:
            wait_ready(replica, release, plan.host, plan.wait)

    switch(rest, old, f"only {', '.join(r.address for r in rest)} ({old})")
    try:
        move(first, version)
    except RolloutFailed:
        for replica in first:
            point(replica, plan.releases, old)
        for replica in first:
            wait_ready(replica, old, plan.host, plan.wait)
        switch(replicas, old, f"all replicas again, on {old}: the new release did not come up")
        raise
    switch(first, version, f"only {', '.join(r.address for r in first)} ({version})")
    move(rest, version)
    switch(replicas, version, f"all {len(replicas)} replicas ({version})")
    say(f"every replica serves {version}")
