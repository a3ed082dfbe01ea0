"""The downloads page and files: release names, sizes, checksums, licence, earlier releases."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF

from mwg_graph.web.app import create_app


@pytest.fixture(scope="module")
def release_dir(built_settings):
    return (built_settings.dist_dir / "current").resolve()


EXPECTED = [
    "mwg.ttl", "mwg.nt", "mwg.jsonld", "mwg.ttl.gz", "mwg.nt.gz", "mwg.jsonld.gz",
    "void.ttl", "shapes.ttl", "validation-report.ttl", "validation-report.txt",
    "context.jsonld", "ontology.ttl", "SHA256SUMS", "release.json", "changes.txt",
    "search-index.json",
]  # fmt: skip


def test_page_lists_every_file_with_size_checksum_licence_version(server, release_dir):
    html = server.get("/downloads/", headers={"Accept-Language": "en"}).text
    version = json.loads((release_dir / "release.json").read_text())["version"]
    assert version in html
    assert "creativecommons.org/licenses/by/4.0" in html
    for name in EXPECTED:
        path = release_dir / name
        assert f'href="/downloads/{name}"' in html, name
        assert f'data-bytes="{path.stat().st_size}"' in html, name
        if name != "SHA256SUMS":
            assert hashlib.sha256(path.read_bytes()).hexdigest() in html, name


@pytest.mark.parametrize("name", EXPECTED)
def test_each_file_under_its_release_name(server, release_dir, name):
    current = server.get(f"/downloads/{name}", headers={"Accept-Encoding": "identity"})
    assert current.status_code == 200
    assert current.content == (release_dir / name).read_bytes()
    version = release_dir.name
    versioned = server.get(f"/downloads/{version}/{name}", headers={"Accept-Encoding": "identity"})
    assert versioned.content == current.content


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("mwg.ttl", "text/turtle"), ("mwg.nt", "application/n-triples"),
     ("mwg.jsonld", "application/ld+json"), ("mwg.nt.gz", "application/gzip"),
     ("SHA256SUMS", "text/plain"), ("validation-report.txt", "text/plain")],
)  # fmt: skip
def test_media_types(server, name, media_type):
    assert server.get(f"/downloads/{name}").headers["Content-Type"].split(";")[0] == media_type


def test_checksums_file_is_right(server, release_dir):
    for line in server.get("/downloads/SHA256SUMS").text.splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((release_dir / name).read_bytes()).hexdigest() == digest


def test_well_known_void(server, release_dir):
    response = server.get("/.well-known/void")
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert isomorphic(graph, Graph().parse(release_dir / "void.ttl"))
    dataset = URIRef(server.settings.base_iri + "id/dataset/mwg")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    as_jsonld = server.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["Content-Type"].startswith("application/ld+json")


def test_shapes_and_validation_report_are_downloadable(server):
    assert "sh:" in server.get("/downloads/shapes.ttl").text
    report = Graph().parse(
        data=server.get("/downloads/validation-report.ttl").text, format="turtle"
    )
    assert len(report) > 0


@pytest.mark.parametrize("name", ["../release.json", ".build.lock", "nope.ttl", "%2e%2e"])
def test_no_escape_from_the_release_folder(server, name):
    assert server.get(f"/downloads/{name}").status_code == 404
    assert server.get(f"/downloads/nosuchversion/{name.strip('./%2e') or 'x'}").status_code == 404


def test_earlier_releases_stay_downloadable(built_settings, tmp_path):
    """A second release does not remove the first: both stay at their versioned URLs."""
    dist = tmp_path / "dist"
    shutil.copytree(built_settings.dist_dir / "releases", dist / "releases", symlinks=True)
    first = next((dist / "releases").iterdir())
    older = dist / "releases" / "20000101-00000000"
    shutil.copytree(first, older)
    info = json.loads((older / "release.json").read_text())
    info |= {"version": older.name, "built_at": "2000-01-01T00:00:00Z"}
    (older / "release.json").write_text(json.dumps(info))
    (dist / "current").symlink_to(first.relative_to(dist))
    app = create_app(replace(built_settings, dist_dir=dist, reload_interval=0))
    client = app.test_client()
    page = client.get("/downloads/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"/downloads/{older.name}/" in page
    old = client.get(f"/downloads/{older.name}/mwg.ttl")
    assert old.status_code == 200
    assert old.data == (older / "mwg.ttl").read_bytes()
    assert client.get(f"/downloads/{older.name}/").status_code == 200
    assert "2000" in old.headers["Last-Modified"]
