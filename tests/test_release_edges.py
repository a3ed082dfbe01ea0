"""Edges of the release folders: odd download names, and ``dist/current`` missing or dangling.

Issue 9, finding 5: ``/downloads/`` + a 4,000-character name was a 500 with 13 KB of traceback in
the log (the file system refuses names over 255 bytes); a dangling ``dist/current`` made the
server answer 503 everywhere although a good release was there.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from mwg_graph.config import Settings
from mwg_graph.dist import CURRENT, current_release
from mwg_graph.web.releases import ReleaseHolder
from tests.conftest import RunningServer, start_server, stop_server

ODD_NAMES = [
    "x" * 4000,
    "a" * 256 + ".ttl",
    "mwg.ttl%00.txt",
    "%00",
    "%E0%B9%84%E0%B8%97%E0%B8%A2.ttl",  # ไทย.ttl
    "%FF%FE.ttl",
    ".hidden",
    "-rf",
    "mwg.ttl%0A",
    "CON%3A",
]


@pytest.mark.parametrize("name", ODD_NAMES, ids=[n[:20] for n in ODD_NAMES])
@pytest.mark.parametrize(
    "template",
    ["/downloads/{n}", "/downloads/{n}/", "/downloads/{n}/mwg.ttl", "/downloads/{v}/{n}"],
)
def test_an_odd_download_name_is_a_404_and_nothing_in_the_log(
    server: RunningServer, template: str, name: str
) -> None:
    version = server.get("/version").json()["release"]
    before = server.log.stat().st_size
    answer = server.get(template.format(n=name, v=version), headers={"Accept": "text/plain"})
    assert answer.status_code == 404, answer.text[:300]
    assert "Traceback" not in answer.text
    with server.log.open("rb") as log:
        log.seek(before)
        written = log.read().decode("utf-8", "replace")
    assert "Traceback" not in written and "ERROR" not in written, written[:2000]


def private_dist(built_settings: Settings, tmp_path: Path) -> Settings:
    """A copy of the built dist/ that a test may damage."""
    dist = tmp_path / "dist"
    shutil.copytree(built_settings.dist_dir, dist, symlinks=True)
    settings = replace(built_settings, dist_dir=dist)
    assert current_release(settings) is not None
    return settings


@pytest.mark.parametrize("damage", ["missing", "dangling"])
def test_without_current_the_newest_release_that_loads_is_served(
    built_settings: Settings, tmp_path: Path, damage: str
) -> None:
    settings = private_dist(built_settings, tmp_path)
    version = current_release(settings).name  # type: ignore[union-attr]
    link = settings.dist_dir / CURRENT
    link.unlink()
    if damage == "dangling":
        link.symlink_to(settings.dist_dir / "releases" / "20000101-deadbeef")
    holder = ReleaseHolder(settings)
    release = holder.current()
    assert release is not None and release.version == version
    assert holder.problem is not None and "dist/current" in holder.problem


@pytest.mark.parametrize("damage", ["missing", "dangling"])
def test_a_server_started_without_current_serves_and_healthz_says_so(
    built_settings: Settings, copy_of_repo_inputs: Settings, tmp_path: Path, damage: str
) -> None:
    """The running server (granian, its workers), not only the in-process holder above."""
    settings = private_dist(built_settings, tmp_path)
    version = current_release(settings).name  # type: ignore[union-attr]
    link = settings.dist_dir / CURRENT
    link.unlink()
    if damage == "dangling":
        link.symlink_to(settings.dist_dir / "releases" / "gone")
    # With broken data/, a build could not rescue it: the release that exists must serve.
    data = copy_of_repo_inputs.data_dir
    (data / "zz-broken.ttl").write_text("this is not turtle <<<\n", encoding="utf-8")
    running = start_server(replace(settings, data_dir=data, workers=1), tmp_path / "server.log")
    try:
        assert running.get("/version").json()["release"] == version
        assert running.get("/").status_code == 200
        health = running.get("/healthz")
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "degraded" and body["version"] == version
        assert any("dist/current" in p for p in body["problems"]), body
    finally:
        stop_server(running)
