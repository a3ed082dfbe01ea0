"""Render the current release into a static site, through the application itself.

Every file holds what ``mwg-graph serve`` answers for its URL (:mod:`.render`); the pages and
documents, nearly all of the work, are rendered by several processes (:mod:`.pages`), the rest
(downloads, dumps, the 404s, static files) here. Nothing a request could vary goes into a file,
so the same release always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from rdflib.namespace import OWL

from mwg_graph.config import Settings
from mwg_graph.dist import read_release_info, releases_dir
from mwg_graph.jsonld import CONTEXT_VERSION
from mwg_graph.publish.export import layout, search
from mwg_graph.publish.export.files import Written, compressed, remove_others, write_if_changed
from mwg_graph.publish.export.pages import render_all
from mwg_graph.publish.export.redirects import redirect_page
from mwg_graph.publish.export.render import NOT_FOUND_PATH, ExportFailed, Renderer
from mwg_graph.web.browser_sparql import PAGE as QUERY_PAGE
from mwg_graph.web.browser_sparql import browser_sparql_pages
from mwg_graph.web.i18n import LANGUAGES
from mwg_graph.web.store_terms import triples
from mwg_graph.web.views import common
from mwg_graph.web.views.findable import page_paths

# Answers an export stores for unknown URLs, one per format a client may ask for (the 404 the
# server gives, so a static host's 404 says the same in the same format).
NOT_FOUND = {
    "text/html": "404.html",
    "text/turtle": "404.ttl",
    "application/ld+json": "404.jsonld",
    "application/n-triples": "404.nt",
    "application/rdf+xml": "404.rdf",
    "application/json": "404.json",
}
__all__ = ["ExportFailed", "Exported", "export_site"]


@dataclass
class Exported:
    version: str
    site: Path
    written: Written
    seconds: float
    bytes: int


def export_site(settings: Settings, site: Path) -> Exported:
    """Write the release ``dist/current`` names into ``site`` (created when missing)."""
    started = time.monotonic()
    renderer = Renderer(settings)
    app, release, root, fetch = renderer.app, renderer.release, renderer.root, renderer.fetch
    site.mkdir(parents=True, exist_ok=True)
    mtime = _built_at(release.info)

    with app.test_request_context():
        pages = page_paths(release.store)
        versions = _release_versions(settings)
        ontology_versions = _ontology_versions(release.store, common.iris())
    pages += [f"downloads/{version}/" for version in versions]

    # The site's own query page is run in the browser: written below, with its engine.
    names, log = render_all(renderer, site, [p for p in pages if p != QUERY_PAGE], mtime)
    keep: set[str] = set(names)
    bodies: dict[str, bytes] = {}

    def put(name: str, body: bytes) -> None:
        keep.add(name)
        bodies[name] = body
        write_if_changed(site, name, body, mtime, log)

    for version_path in ontology_versions:
        put(layout.page_file(version_path), redirect_page(version_path, "/def").encode())
        for code in LANGUAGES:
            page = redirect_page(version_path, "/def", code)
            put(layout.page_file(version_path, code), page.encode())

    for version in versions:
        folder = releases_dir(settings) / version
        for name in _release_files(folder):
            put(f"downloads/{version}/{name}", fetch(f"/downloads/{version}/{name}"))
            if version == release.version:
                put(f"downloads/{name}", fetch(f"/downloads/{name}"))
    for url in ("/context.jsonld", f"/context/{CONTEXT_VERSION}.jsonld", "/network.jsonld",
                "/sitemap.xml", "/robots.txt"):  # fmt: skip
        put(layout.data_file(url), fetch(url))
    put(".well-known/void", fetch("/.well-known/void", "text/turtle"))
    for media_type, name in NOT_FOUND.items():
        put(name, fetch(NOT_FOUND_PATH, media_type, status=404))
    for code in LANGUAGES:
        put(f"{code}/404.html", fetch(f"{NOT_FOUND_PATH}?lang={code}", "text/html", status=404))
    for name, body in _static_files(app):
        put(name, body)
    put(search.SCRIPT_FILE, search.script())
    for name, html in browser_sparql_pages(release.path, settings):  # its engine is in static/
        put(name, layout.static_links(html, root).encode("utf-8"))
    # A published .gz (downloads/mwg.ttl.gz) is the release's own file and stays as it is.
    for name, body in sorted(bodies.items()):
        packed = compressed(name, body)
        if packed is not None and name + ".gz" not in bodies:
            keep.add(name + ".gz")
            write_if_changed(site, name + ".gz", packed, mtime, log)
    remove_others(site, keep, log)
    size = sum((site / name).stat().st_size for name in keep)
    return Exported(release.version, site, log, time.monotonic() - started, size)


def _built_at(info: dict) -> float:
    text = info.get("built_at", "")
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError as error:
        raise ExportFailed(f"the release's build time {text!r} is not a date") from error


def _release_versions(settings: Settings) -> list[str]:
    root = releases_dir(settings)
    found = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        try:
            found.append(read_release_info(folder)["version"])
        except (OSError, ValueError, KeyError):
            continue
    return found


def _release_files(folder: Path) -> Iterator[str]:
    """The files ``/downloads/`` offers (:func:`mwg_graph.web.views.downloads.file_rows`)."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            yield path.name


def _ontology_versions(store, iris) -> list[str]:
    base = iris.base
    return sorted(
        "/" + str(o)[len(base) :]
        for _, _, o in triples(store, (iris.ontology, OWL.versionIRI, None))
        if str(o).startswith(base)
    )


def _static_files(app: Flask) -> Iterator[tuple[str, bytes]]:
    folder = Path(app.static_folder or "")
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield "static/" + path.relative_to(folder).as_posix(), path.read_bytes()
