"""The helper that tools and benchmarks use to serve a fresh release (tests/release_server.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from tests.release_server import release_server


def test_serves_a_release_built_at_the_given_time_and_stops_with_the_block() -> None:
    stamped = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with release_server(now=stamped) as server:
        assert server.get("/healthz").status_code == 200
        version = server.get("/version").json()
        assert version["release"].startswith("20260102-"), version
        log = server.log
        assert log.exists()
    assert server.process.poll() is not None, "the server is still running after the block"
    assert not log.exists(), "the throw-away folder was left behind"
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/healthz", timeout=5)
