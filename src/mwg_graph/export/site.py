"""Render the current release into a static site, through the application itself.

Every URL of the site is asked of ``create_app(settings)`` with Flask's test client (no socket),
so each file holds exactly what ``mwg-graph serve`` answers for that URL. Requests carry no
``Accept-Language`` or cookie; the explicit language copies ask ``?lang=th|en``. Absolute links
come out of the application holding :data:`mwg_graph.origin.PLACEHOLDER` (the client's host *is*
the placeholder, so :func:`mwg_graph.origin.fill_in` leaves it) and the export puts the configured
public address there: ``--public-url``, or the base IRI when none is set. Nothing a request could
vary goes into a file, so the same release always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from rdflib.namespace import OWL

from .. import origin
from ..app import create_app
from ..browser_sparql import PAGE as QUERY_PAGE
from ..browser_sparql import browser_sparql_pages
from ..config import Settings
from ..formats import RDF_FORMATS
from ..i18n import LANGUAGES
from ..jsonld import CONTEXT_VERSION
from ..release import read_release_info, releases_dir
from ..store_terms import triples
from ..views import common
from ..views.findable import page_paths
from . import layout, search
from .files import Written, compressed, remove_others, write_if_changed
from .redirects import redirect_page

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
NOT_FOUND_PATH = "/no/such/page"


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
    settings = replace(settings, reload_interval=0)
    app = create_app(settings)
    release = app.extensions["mwg_releases"].current()
    if release is None:
        raise ExportFailed(f"no release to export in {settings.dist_dir} (run mwg-graph build)")
    site.mkdir(parents=True, exist_ok=True)
    mtime = _built_at(release.info)
    public = _public_origin(settings)
    root = urlsplit(settings.public_url).path or "/" if settings.public_url else "/"
    log = Written()
    keep: set[str] = set()
    client = app.test_client(use_cookies=False)  # a language chosen once must not stick

    bodies: dict[str, bytes] = {}

    def put(name: str, body: bytes) -> None:
        keep.add(name)
        bodies[name] = body
        write_if_changed(site, name, body, mtime, log)

    def fetch(url: str, accept: str | None = None, status: int = 200) -> bytes:
        headers = {"Accept": accept} if accept else {}
        response = client.get(url, headers=headers, base_url=origin.PLACEHOLDER)
        if response.status_code != status:
            raise ExportFailed(f"{url} answered {response.status_code}, not {status}")
        body = response.get_data()
        if response.mimetype in ("text/html", "application/xml"):
            text = body.decode("utf-8")
            if url.startswith(NOT_FOUND_PATH):  # served for any URL: its links lead home
                text = text.replace(NOT_FOUND_PATH, "/")
            text = layout.static_links(text, root)
            if response.mimetype == "text/html":
                text = search.with_static_search(url, text, root)
            body = text.encode("utf-8")
        return body.replace(origin.PLACEHOLDER.encode(), public.encode())

    with app.test_request_context():
        pages = page_paths(release.store)
        versions = _release_versions(settings)
        ontology_versions = _ontology_versions(release.store, common.iris())
    pages += [f"downloads/{version}/" for version in versions]

    for path in pages:
        if path == QUERY_PAGE:  # the site's own query page, run in the browser: below
            continue
        url = "/" + path
        put(layout.page_file(url), fetch(url, "text/html"))
        for code in LANGUAGES:
            put(layout.page_file(url, code), fetch(f"{url}?lang={code}", "text/html"))
        if path.startswith("doc/") or path == "def":
            for fmt in RDF_FORMATS:
                put(layout.data_file(url + fmt.suffix), fetch(url + fmt.suffix))
        if path.startswith("doc/"):  # the IRI's own path, for hosts without rules
            iri_path = "/id/" + path[len("doc/") :]
            put(layout.page_file(iri_path), redirect_page(iri_path, url).encode())
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


class ExportFailed(Exception):
    pass


def _built_at(info: dict) -> float:
    text = info.get("built_at", "")
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError as error:
        raise ExportFailed(f"the release's build time {text!r} is not a date") from error


def _public_origin(settings: Settings) -> str:
    """What absolute links start with: the public address's origin, else the base IRI's."""
    url = settings.public_url or settings.base_iri
    parts = urlsplit(url)
    if settings.public_url:
        return f"{parts.scheme}://{parts.netloc}"
    return url.rstrip("/")


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
    """The files ``/downloads/`` offers (:func:`mwg_graph.views.downloads.file_rows`)."""
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
