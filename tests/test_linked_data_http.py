"""HTTP hygiene: validators from the release, 304s, gzip, Cache-Control, HEAD, CORS."""

from __future__ import annotations

import gzip

import pytest
import requests

PATHS = [
    "/", "/doc/organization/mwg", "/doc/organization/mwg.ttl", "/def", "/browse/province/",
    "/downloads/", "/downloads/mwg.nt", "/.well-known/void", "/context/v1.jsonld",
    "/network.jsonld",
    "/static/css/site.css", "/static/widget/mwg-members.js", "/widget/",
]  # fmt: skip


@pytest.fixture(scope="module")
def server(linked_data_server):
    """Every test here runs against each way of serving the site (conftest.TARGETS)."""
    return linked_data_server


@pytest.fixture(scope="module")
def release_info(built_settings) -> dict:
    from mwg_graph.release import current_release, read_release_info

    return read_release_info(current_release(built_settings))


@pytest.mark.parametrize("path", PATHS)
def test_etag_and_conditional_get(server, path):
    first = server.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert "Cache-Control" in first.headers
    again = server.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    other = server.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


@pytest.mark.parametrize("path", [p for p in PATHS if not p.startswith("/static")])
def test_last_modified_is_the_release_build_time(server, path, release_info):
    from email.utils import parsedate_to_datetime

    response = server.get(path)
    modified = parsedate_to_datetime(response.headers["Last-Modified"])
    assert modified.isoformat().replace("+00:00", "Z") == release_info["built_at"]
    since = server.get(path, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304
    earlier = server.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert earlier.status_code == 200


# Serve-only: nginx makes its ETags from a file's mtime and size, not from the release version
# (its validators still work: test_etag_and_conditional_get runs on every target).
@pytest.mark.parametrize("linked_data_server", ["serve"], indirect=True)
def test_etag_is_from_the_release(server, release_info):
    assert release_info["version"] in server.get("/doc/organization/mwg").headers["ETag"]


@pytest.mark.parametrize(
    "path", ["/", "/doc/organization/mwg.ttl", "/downloads/mwg.ttl", "/network.jsonld"]
)
def test_gzip_for_text(server, path):
    raw = requests.get(
        server.url + path, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30
    )
    assert raw.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in raw.headers["Vary"].lower()
    body = gzip.decompress(raw.raw.read())
    plain = server.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert body == plain.content
    assert raw.headers["ETag"] != plain.headers["ETag"]
    # a conditional request with the gzip validator still matches
    assert server.get(path, headers={"If-None-Match": raw.headers["ETag"]}).status_code == 304


def test_gz_download_is_not_double_encoded(server):
    response = requests.get(server.url + "/downloads/mwg.ttl.gz",
                            headers={"Accept-Encoding": "gzip"},
                            stream=True, timeout=30)  # fmt: skip
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response.headers
    assert gzip.decompress(response.raw.read()).startswith(b"@prefix")


@pytest.mark.parametrize("path", [*PATHS, "/id/organization/mwg", "/id/organization/nope"])
def test_head_works_everywhere(server, path):
    get = server.get(path, headers={"Accept-Encoding": "identity"})
    head = server.request("HEAD", path, headers={"Accept-Encoding": "identity"})
    assert head.status_code == get.status_code
    assert head.content == b""
    assert head.headers.get("Content-Type") == get.headers.get("Content-Type")
    if get.status_code == 200:
        assert head.headers["ETag"] == get.headers["ETag"]
        assert int(head.headers["Content-Length"]) == len(get.content)


@pytest.mark.parametrize("path", [*PATHS, "/id/organization/mwg", "/id/organization/nope"])
def test_cors_everywhere(server, path):
    response = server.get(path, headers={"Origin": "https://member.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(server):
    response = server.request(
        "OPTIONS", "/network.jsonld",
        headers={"Origin": "https://member.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "accept"},
    )  # fmt: skip
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_versioned_downloads_are_immutable(server, release_info):
    response = server.get(f"/downloads/{release_info['version']}/mwg.ttl")
    assert "immutable" in response.headers["Cache-Control"]
    assert "immutable" not in server.get("/downloads/mwg.ttl").headers["Cache-Control"]
