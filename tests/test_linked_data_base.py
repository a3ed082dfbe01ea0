"""The base IRI maps onto the server's own address; HTML links follow ``public_url``."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from rdflib import Graph, URIRef

from mwg_graph.config import from_env
from mwg_graph.store import STORE_DIR, write_release_store
from mwg_graph.web.app import create_app

OTHER_BASE = "http://localhost:8080/mwg/"


@pytest.fixture(scope="module")
def other_base_client(built_settings, tmp_path_factory):
    """The release, rebased onto another base IRI (as the build does for ``MWG_BASE_IRI``)."""
    release = (built_settings.dist_dir / "current").resolve()
    dist = tmp_path_factory.mktemp("other-base-dist")
    copy = dist / "releases" / release.name
    shutil.copytree(release, copy)
    for name in ("mwg.nt", "void.ttl"):
        text = (copy / name).read_text(encoding="utf-8")
        rebased = text.replace(built_settings.base_iri, OTHER_BASE)
        (copy / name).write_text(rebased, encoding="utf-8")
    shutil.rmtree(copy / STORE_DIR)  # the store is made from mwg.nt, as the build makes it
    write_release_store(copy)
    (dist / "current").symlink_to(copy.relative_to(dist))
    settings = from_env(environ={}, dist_dir=dist, base_iri=OTHER_BASE, reload_interval=0)
    return create_app(settings).test_client()


def test_other_base_iri_resolves_on_the_server_path(other_base_client):
    response = other_base_client.get("/id/organization/sc", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    location = response.headers["Location"]
    document = other_base_client.get(location, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=document.get_data(as_text=True), format="turtle")
    assert (URIRef("http://localhost:8080/mwg/id/organization/sc"), None, None) in graph
    framed = other_base_client.get("/network.jsonld").get_json()
    # Relative: it resolves on the server that answered, whatever the base IRI.
    assert framed["@context"] == "context/v1.jsonld"
    assert other_base_client.get("/" + framed["@context"]).status_code == 200
    assert framed["id"] == "http://localhost:8080/mwg/id/organization/mwg"
    assert other_base_client.get("/def", headers={"Accept": "text/turtle"}).status_code == 200


def test_links_use_public_url(built_settings):
    public = "https://data.example.org/mwg/"
    settings = replace(built_settings, public_url=public, reload_interval=0)
    client = create_app(settings).test_client()
    response = client.get("/id/organization/sc")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://data.example.org/mwg/doc/organization/sc"
    html = client.get("/doc/organization/sc").get_data(as_text=True)
    assert 'href="https://data.example.org/mwg/doc/organization/mwg"' in html
    # the RDF keeps the canonical IRIs
    turtle = client.get("/doc/organization/sc.ttl").get_data(as_text=True)
    assert "data.example.org" not in turtle
