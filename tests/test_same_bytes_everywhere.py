"""The same document is the same bytes under the same ETag from every server worker and replica.

rdflib lists a graph's triples in an order that follows the process's hash seed, and every worker
and replica has its own seed: before documents were written in sorted order, the N-Triples,
RDF/XML and JSON-LD of one resource came out in other bytes with another ETag depending on which
process answered, so a cache or a client revalidating against another replica lost its copy.
Here the production server (2 workers, their own seeds) and two more replicas with two different
fixed seeds are asked each URL many times, each time on a new connection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import requests

from tests.conftest import RunningServer, start_server, stop_server

URLS = [  # (path, Accept)
    ("/doc/organization/mwg.nt", None),
    ("/doc/organization/mwg.rdf", None),
    ("/doc/organization/mwg.jsonld", None),
    ("/doc/organization/mwg.ttl", None),
    ("/doc/province/th-10.rdf", None),
    ("/doc/organization/sc", "application/ld+json"),
    ("/doc/organization/sc", "application/n-triples"),
    ("/def.jsonld", None),
    ("/def.nt", None),
    ("/doc/organization/mwg", "text/html"),
]
TIMES = 6  # per server: with 2 workers, both are all but certain to answer some


@pytest.fixture(scope="module")
def replicas(built_settings, tmp_path_factory) -> Iterator[list[RunningServer]]:
    """Two more servers of the same release, each with its own fixed hash seed."""
    folder = tmp_path_factory.mktemp("seeded-replicas")
    started: list[RunningServer] = []
    try:
        for seed in ("1", "2"):
            log = folder / f"replica-{seed}.log"
            started.append(start_server(built_settings, log, {"PYTHONHASHSEED": seed}))
        yield started
    finally:
        for running in started:
            stop_server(running)


@pytest.mark.parametrize(("path", "accept"), URLS)
def test_one_document_one_etag_and_one_body(server, replicas, path, accept):
    # One Host for all: without a public address, pages name the host they were asked on.
    headers = {"Host": "data.example.org"} | ({"Accept": accept} if accept else {})
    seen: dict[tuple[str, str], list[str]] = {}
    for running in [server, *replicas]:
        for _ in range(TIMES):
            # No session: a new connection each time, so the server's workers take turns.
            response = requests.get(running.url + path, headers=headers, timeout=30)
            assert response.status_code == 200, (running.url, path)
            digest = hashlib.sha256(response.content).hexdigest()[:16]
            seen.setdefault((response.headers["ETag"], digest), []).append(running.url)
    assert len(seen) == 1, f"{path} ({accept}) answered in {len(seen)} versions: {seen}"


def test_sorting_keeps_a_documents_own_prefixes(server):
    """The sorted copy a document is written from keeps every prefix of the original, not only
    the project's: the VoID's contact point stays ``vcard:`` (an early version wrote ``ns2:``)."""
    text = requests.get(server.url + "/.well-known/void", timeout=30).text
    assert "@prefix vcard: <http://www.w3.org/2006/vcard/ns#> ." in text
    assert "ns2:" not in text and "vcard:Organization" in text
