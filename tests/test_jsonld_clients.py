"""Real JSON-LD clients read our documents online (from the running server) and offline (a release
folder on disk), with document loaders that allow nothing else — so a context that only resolves
on the internet (an unregistered w3id.org URL) fails here, as it would for a user.

Clients: PyLD, rdflib's own JSON-LD parser, and jsonld.js (npm, pinned in
tests/js/package-lock.json, installed by ``make test``). Also: ``/doc`` answers the near-miss
media types clients send.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic

JS = Path(__file__).parent / "js"
NODE = shutil.which("node")
DOCUMENTS = ["/doc/organization/sc", "/doc/organization/mwg", "/doc/province/th-10", "/def"]


def loopback_loader(url: str, options: dict | None = None) -> dict:
    """PyLD loader: only http://127.0.0.1 (the server under test)."""
    parts = urlparse(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        raise jsonld.JsonLdError(
            f"refused {url}", "jsonld.LoadDocumentError", code="loading document failed"
        )
    response = requests.get(url, headers={"Accept": "application/ld+json"}, timeout=30)
    response.raise_for_status()
    return {"contextUrl": None, "documentUrl": response.url, "document": response.json()}


def file_loader(url: str, options: dict | None = None) -> dict:
    """PyLD loader: only file: URLs (offline)."""
    parts = urlparse(url)
    if parts.scheme != "file":
        raise jsonld.JsonLdError(
            f"refused {url}", "jsonld.LoadDocumentError", code="loading document failed"
        )
    import json

    document = json.loads(Path(parts.path).read_text(encoding="utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def turtle_of(server, path: str) -> Graph:
    response = server.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


def jsonld_js(url: str, allowed: str) -> Graph:
    assert NODE, "node is not installed (make test installs it)"
    assert (JS / "node_modules" / "jsonld").is_dir(), "run make test: it installs tests/js (npm ci)"
    done = subprocess.run(
        [NODE, str(JS / "jsonld-to-nquads.mjs"), url, allowed],
        capture_output=True, text=True, timeout=120, cwd=JS,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return Graph().parse(data=done.stdout, format="nt")


@pytest.mark.parametrize("path", DOCUMENTS)
def test_pyld_reads_a_document_by_its_url(server, path):
    nquads = jsonld.to_rdf(
        server.url + path + ".jsonld" if path != "/def" else server.url + "/def.jsonld",
        {"format": "application/n-quads", "documentLoader": loopback_loader},
    )
    assert isomorphic(Graph().parse(data=nquads, format="nt"), turtle_of(server, path))


def test_pyld_follows_the_303_from_an_iri(server):
    """/id/… → 303 → /doc/…: the context resolves against the document's final URL."""
    nquads = jsonld.to_rdf(
        server.url + "/id/organization/sc",
        {"format": "application/n-quads", "documentLoader": loopback_loader},
    )
    assert isomorphic(
        Graph().parse(data=nquads, format="nt"), turtle_of(server, "/doc/organization/sc")
    )


@pytest.mark.parametrize("path", ["/doc/organization/sc", "/network.jsonld"])
def test_rdflib_reads_a_document_by_its_url(server, path):
    """rdflib fetches the relative context from the same (loopback) server, with no loader."""
    url = server.url + path + (".jsonld" if path.startswith("/doc/") else "")
    graph = Graph().parse(url, format="json-ld")
    assert len(graph) > 5
    if path.startswith("/doc/"):
        assert isomorphic(graph, turtle_of(server, path))


@pytest.mark.parametrize("path", DOCUMENTS)
def test_jsonld_js_reads_a_document_by_its_url(server, path):
    url = server.url + (path + ".jsonld" if path != "/def" else "/def.jsonld")
    assert isomorphic(jsonld_js(url, "http"), turtle_of(server, path))


def test_jsonld_js_reads_the_network_document(server, built_settings):
    graph = jsonld_js(server.url + "/network.jsonld", "http")
    release = Graph().parse(built_settings.dist_dir / "current" / "mwg.nt", format="nt")
    assert len(graph) > 200
    assert set(graph) <= set(release)


def test_the_dump_reads_offline_with_pyld_and_jsonld_js(built_settings, tmp_path):
    """A downloaded release folder is enough: mwg.jsonld finds context.jsonld beside it."""
    release = built_settings.dist_dir / "current"
    folder = tmp_path / "download"
    folder.mkdir()
    for name in ("mwg.jsonld", "context.jsonld"):
        shutil.copy(release / name, folder / name)
    expected = Graph().parse(release / "mwg.nt", format="nt")
    url = (folder / "mwg.jsonld").as_uri()
    nquads = jsonld.to_rdf(url, {"format": "application/n-quads", "documentLoader": file_loader})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), expected)
    assert isomorphic(jsonld_js(url, "file"), expected)


def test_a_context_on_the_internet_would_fail_here(server):
    """The loaders really refuse what is not ours: the test above can fail."""
    document = {"@context": "https://w3id.org/mwg/context/v1.jsonld", "name": {"en": "x"}}
    with pytest.raises(jsonld.JsonLdError):
        jsonld.to_rdf(document, {"documentLoader": loopback_loader})


@pytest.mark.parametrize(
    ("accept", "parse_as"),
    [("application/json", "json-ld"), ("text/plain", "nt"), ("text/n3", "turtle"),
     ("application/x-turtle", "turtle")],
)  # fmt: skip
def test_doc_answers_near_miss_media_types(server, accept, parse_as):
    response = server.get("/doc/organization/sc", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == accept
    assert "Accept" in response.headers["Vary"]
    if parse_as == "json-ld":
        nquads = jsonld.to_rdf(
            response.json(),
            {"format": "application/n-quads", "base": response.url,
             "documentLoader": loopback_loader},
        )  # fmt: skip
        graph = Graph().parse(data=nquads, format="nt")
    else:
        graph = Graph().parse(data=response.text, format=parse_as)
    assert isomorphic(graph, turtle_of(server, "/doc/organization/sc"))


def test_registered_types_still_win_over_near_misses(server):
    response = server.get(
        "/doc/organization/sc", headers={"Accept": "application/json, application/ld+json"}
    )
    assert response.headers["Content-Type"].startswith("application/ld+json")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = server.get("/doc/organization/sc", headers={"Accept": browser})
    assert response.headers["Content-Type"].startswith("text/html")
    assert server.get("/doc/organization/sc", headers={"Accept": "image/png"}).status_code == 406
