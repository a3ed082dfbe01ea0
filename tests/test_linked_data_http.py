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
def release_info(built_settings) -> dict:
    from mwg_graph.dist import current_release, read_release_info

    return read_release_info(current_release(built_settings))


@pytest.mark.parametrize("path", PATHS)
def test_etag_and_conditional_get(linked_data_server, path):
    first = linked_data_server.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert "Cache-Control" in first.headers
    again = linked_data_server.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    other = linked_data_server.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


@pytest.mark.parametrize("path", [p for p in PATHS if not p.startswith("/static")])
def test_last_modified_is_the_release_build_time(linked_data_server, path, release_info):
    from email.utils import parsedate_to_datetime

    response = linked_data_server.get(path)
    modified = parsedate_to_datetime(response.headers["Last-Modified"])
    assert modified.isoformat().replace("+00:00", "Z") == release_info["built_at"]
    since = linked_data_server.get(
        path, headers={"If-Modified-Since": response.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    earlier = linked_data_server.get(
        path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert earlier.status_code == 200


# Serve-only: nginx makes its ETags from a file's mtime and size, not from the release version
# (its validators still work: test_etag_and_conditional_get runs on every target).
@pytest.mark.parametrize("linked_data_server", ["serve"], indirect=True)
def test_etag_is_from_the_release(linked_data_server, release_info):
    assert (
        release_info["version"] in linked_data_server.get("/doc/organization/mwg").headers["ETag"]
    )


@pytest.mark.parametrize(
    "path", ["/", "/doc/organization/mwg.ttl", "/downloads/mwg.ttl", "/network.jsonld"]
)
def test_gzip_for_text(linked_data_server, path):
    raw = requests.get(
        linked_data_server.url + path, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30
    )
    assert raw.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in raw.headers["Vary"].lower()
    body = gzip.decompress(raw.raw.read())
    plain = linked_data_server.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert body == plain.content
    assert raw.headers["ETag"] != plain.headers["ETag"]
    # a conditional request with the gzip validator still matches
    assert (
        linked_data_server.get(path, headers={"If-None-Match": raw.headers["ETag"]}).status_code
        == 304
    )


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [("gzip;q=0", False), ("gzip; q=0.5", True), ("br, *;q=0", False), ("gzip;q=oops", False),
     ("identity, GZIP;Q=0.1", True), ("gzip;Q=0", False)],
)  # fmt: skip
def test_gzip_follows_the_q_value_of_accept_encoding(linked_data_server, accept_encoding, gzipped):
    url = linked_data_server.url + "/doc/organization/mwg.ttl"
    raw = requests.get(url, headers={"Accept-Encoding": accept_encoding}, stream=True, timeout=30)
    assert (raw.headers.get("Content-Encoding") == "gzip") is gzipped, raw.headers


def test_gz_download_is_not_double_encoded(linked_data_server):
    response = requests.get(linked_data_server.url + "/downloads/mwg.ttl.gz",
                            headers={"Accept-Encoding": "gzip"},
                            stream=True, timeout=30)  # fmt: skip
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response.headers
    assert gzip.decompress(response.raw.read()).startswith(b"@prefix")


@pytest.mark.parametrize("path", [*PATHS, "/id/organization/mwg", "/id/organization/nope"])
def test_head_works_everywhere(linked_data_server, path):
    get = linked_data_server.get(path, headers={"Accept-Encoding": "identity"})
    head = linked_data_server.request("HEAD", path, headers={"Accept-Encoding": "identity"})
    assert head.status_code == get.status_code
    assert head.content == b""
    assert head.headers.get("Content-Type") == get.headers.get("Content-Type")
    if get.status_code == 200:
        assert head.headers["ETag"] == get.headers["ETag"]
        assert int(head.headers["Content-Length"]) == len(get.content)


@pytest.mark.parametrize("path", [*PATHS, "/id/organization/mwg", "/id/organization/nope"])
def test_cors_everywhere(linked_data_server, path):
    response = linked_data_server.get(path, headers={"Origin": "https://member.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(linked_data_server):
    response = linked_data_server.request(
        "OPTIONS", "/network.jsonld",
        headers={"Origin": "https://member.example", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "accept"},
    )  # fmt: skip
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_versioned_downloads_are_immutable(linked_data_server, release_info):
    response = linked_data_server.get(f"/downloads/{release_info['version']}/mwg.ttl")
    assert "immutable" in response.headers["Cache-Control"]
    assert "immutable" not in linked_data_server.get("/downloads/mwg.ttl").headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/sparql?lang=th", "/search?q=HRDF&lang=en", "/link?lang=th"])
def test_every_html_page_is_sent_gzipped(server, path):
    """Pages outside the linked-data areas too (the query page is ~70 kB of HTML): same page,
    fewer bytes, and a cache told that the encoding varies."""
    html = {"Accept": "text/html"}
    plain = server.get(path, headers=html | {"Accept-Encoding": "identity"})
    raw = requests.get(
        server.url + path, headers=html | {"Accept-Encoding": "gzip"}, stream=True, timeout=30
    )
    assert plain.status_code == raw.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert raw.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in raw.headers["Vary"].lower()
    packed = raw.raw.read()
    assert len(packed) < len(plain.content) / 2
    assert gzip.decompress(packed) == plain.content
