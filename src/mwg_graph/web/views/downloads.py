"""Downloads and the JSON-LD a web page can use as it is.

- ``/downloads/`` lists the current release's files with size, SHA-256, licence and version, and the
  earlier releases; ``/downloads/{file}`` is the current release's file,
  ``/downloads/{version}/{file}``
  any release's, kept forever (cached as immutable);
- ``/.well-known/void``: the VoID/DCAT description (RFC 8615 well-known URI registered for VoID,
  https://www.w3.org/TR/void/#well-known), negotiated like a resource document;
- ``/context/v1.jsonld`` (the URL every document names) and ``/context.jsonld`` (always the newest);
- ``/network.jsonld``: the framed network document (:func:`mwg_graph.jsonld.network_document`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, redirect, render_template, request
from rdflib import Graph, URIRef

from mwg_graph.dist import (
    CHECKSUMS,
    DESCRIPTION_FILE,
    RELEASE_INFO,
    read_release_info,
    releases_dir,
)
from mwg_graph.formats import (
    DUMPS,
    RDF_FORMATS,
    RDF_OFFERS,
    dump_file_name,
    rdf_format_by_media_type,
)
from mwg_graph.jsonld import CONTEXT_VERSION, context_document, context_reference, network_document
from mwg_graph.web import http
from mwg_graph.web.documents import around
from mwg_graph.web.schema_org import describe_for_search, script_json
from mwg_graph.web.state import state
from mwg_graph.web.views import common
from mwg_graph.web.views.common import HTML, href_for, lang, require_release, site_href

bp = Blueprint("downloads", __name__)

# Every RDF format from formats.py, then the release's other files.
MEDIA_TYPES = {f.suffix: f.media_type for f in RDF_FORMATS} | {
    ".gz": "application/gzip",
    ".txt": "text/plain",
    ".json": "application/json",
}
FORMAT_NAMES = {f.suffix: f.label for f in RDF_FORMATS} | {".txt": "text", ".json": "JSON"}
DATA_FILES = tuple(dump_file_name(f.suffix) + gz for gz in ("", ".gz") for f in DUMPS)


@dataclass(frozen=True)
class ReleaseStamp:
    """Enough of a release for validators: its version and build time."""

    version: str
    info: dict


def media_type_of(name: str) -> str:
    if name == CHECKSUMS:
        return "text/plain"
    return MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


def format_name(name: str) -> str:
    if name.endswith(".gz"):
        return FORMAT_NAMES.get(Path(name[:-3]).suffix, "") + " (gzip)"
    return FORMAT_NAMES.get(Path(name).suffix, "text")


# A file or release name we could have written: anything else is a 404 before the file system is
# asked (a 4,000-character name made ``is_file`` raise ENAMETOOLONG: a 500 and a traceback).
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def safe_name(name: str) -> bool:
    return SAFE_NAME.fullmatch(name) is not None


def release_folder(version: str) -> Path | None:
    if not safe_name(version):
        return None
    folder = releases_dir(common.get_settings()) / version
    return folder if (folder / RELEASE_INFO).is_file() else None


def all_releases() -> list[dict]:
    root = releases_dir(common.get_settings())
    found = []
    if root.is_dir():
        for folder in root.iterdir():
            if folder.name.startswith(".") or not (folder / RELEASE_INFO).is_file():
                continue
            try:
                found.append(read_release_info(folder))
            except (OSError, json.JSONDecodeError):
                continue
    return sorted(found, key=lambda i: (i.get("built_at", ""), i.get("version", "")), reverse=True)


def checksums(folder: Path) -> dict[str, str]:
    sums = {}
    path = folder / CHECKSUMS
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if name:
                sums[name.strip()] = digest
    return sums


def file_rows(folder: Path, version: str, current: bool) -> list[dict]:
    sums = checksums(folder)
    license_iri = common.get_settings().license_iri
    # A partner dataset's dumps carry the partner's licence, not ours (mwg_graph.build.partners).
    licences = dict.fromkeys(DATA_FILES, license_iri)
    for partner in read_release_info(folder).get("partners", []):
        licences |= dict.fromkeys(partner["files"], partner["license"])
    rows = []
    for path in sorted(folder.iterdir(), key=lambda p: (p.name not in DATA_FILES, p.name)):
        if not path.is_file() or path.name.startswith("."):
            continue
        href = f"downloads/{path.name}" if current else f"downloads/{version}/{path.name}"
        rows.append({
            "name": path.name,
            "href": site_href(href, keep_lang=False),
            "versioned_href": site_href(f"downloads/{version}/{path.name}", keep_lang=False),
            "media_type": media_type_of(path.name),
            "format": format_name(path.name),
            "size": path.stat().st_size,
            "sha256": sums.get(path.name, ""),
            "license": licences.get(path.name),
            "data": path.name in DATA_FILES,
        })  # fmt: skip
    return rows


def file_response(folder: Path, name: str, stamp, cache: str) -> Response:
    if not safe_name(name):
        abort(404)
    path = folder / name
    if not path.is_file():
        abort(404)
    http.mark(stamp, cache)
    media_type = media_type_of(name)
    response = Response(path.read_bytes(), content_type=common.media_type_header(media_type))
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.route("/downloads/")
def downloads_page():
    release = require_release()
    http.mark(release)
    return _html(_page(release, release.path, release.version, current=True))


@bp.route("/downloads/<version>/")
def release_page(version: str):
    folder = release_folder(version)
    if folder is None:
        abort(404)
    release = require_release()
    stamp = ReleaseStamp(version, read_release_info(folder))
    http.mark(stamp, http.IMMUTABLE_CACHE if version != release.version else http.SHORT_CACHE)
    return _html(_page(release, folder, version, current=False))


def _html(body: str) -> Response:
    response = Response(body, mimetype=HTML)
    response.headers["Content-Language"] = lang()
    http.add_vary(response, "Accept-Language")
    return response


def _page(release, folder: Path, version: str, current: bool) -> str:
    info = read_release_info(folder)
    dataset = common.iris().dataset
    page_url = common.absolute(site_href("downloads/", keep_lang=False))
    # What the dataset links to (its files, publisher), read from the store once per release.
    graph = state().memo.get(
        release.version,
        ("around", dataset),
        lambda: around(release.store, [dataset], common.iris()),
    )
    embedded = describe_for_search(
        graph, dataset, common.iris(), lang(), page_url,  # type: ignore[arg-type]
        lambda other: common.absolute(href_for(other)),
    )  # fmt: skip
    license_iri = common.get_settings().license_iri
    return render_template(
        "downloads.html",
        version=version,
        info=info,
        current=current,
        files=file_rows(folder, version, current),
        releases=[r for r in all_releases() if r.get("version") != version],
        current_version=release.version,
        license_iri=license_iri,
        license_name=common.friendly_outside_name(license_iri) or license_iri,
        context_url=site_href(f"context/{CONTEXT_VERSION}.jsonld", keep_lang=False),
        network_url=site_href("network.jsonld", keep_lang=False),
        embedded_jsonld=script_json(embedded),
        release_version=release.version,
    )


@bp.route("/downloads/<name>")
def current_file(name: str):
    release = require_release()
    return file_response(release.path, name, release, http.SHORT_CACHE)


@bp.route("/downloads/<version>/<name>")
def versioned_file(version: str, name: str):
    folder = release_folder(version)
    if folder is None:
        abort(404)
    stamp = ReleaseStamp(version, read_release_info(folder))
    return file_response(folder, name, stamp, http.IMMUTABLE_CACHE)


@bp.route("/graph/partner/<slug>")
def partner_graph(slug: str):
    """A partner dataset's graph IRI (mwg_graph.build.partners) dereferences to its Turtle dump."""
    release = require_release()
    for partner in release.info.get("partners", []):
        if partner["slug"] == slug:
            http.mark(release)
            return redirect(site_href(f"downloads/{partner['files'][0]}", keep_lang=False), 303)
    abort(404)


@bp.route("/.well-known/void")
def well_known_void():
    release = require_release()
    http.mark(release)
    media_type = common.choose_offer(RDF_OFFERS) or RDF_OFFERS[0]
    fmt = rdf_format_by_media_type(media_type)

    def graph() -> Graph:
        return common.iris().bind_prefixes(
            Graph().parse(release.path / DESCRIPTION_FILE, format="turtle")
        )

    body = common.serialized(release, ("void",), graph, fmt)
    response = Response(body, content_type=common.media_type_header(media_type))
    http.add_vary(response, "Accept")
    void_file = site_href("downloads/" + DESCRIPTION_FILE, keep_lang=False)
    response.headers["Link"] = f'<{void_file}>; rel="alternate"; type="text/turtle"'
    return response


def _json_ld(document: dict) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    return Response(body, content_type="application/ld+json")


@bp.route("/context.jsonld")
def latest_context():
    release = require_release()
    http.mark(release)
    return _json_ld(context_document(common.iris()))


@bp.route(f"/context/{CONTEXT_VERSION}.jsonld")
def versioned_context():
    release = require_release()
    http.mark(release, "public, max-age=86400")
    return _json_ld(context_document(common.iris()))


def network_iri() -> str:
    return str(common.iris().instance("organization", "mwg"))


@bp.route("/network.jsonld")
def network():
    release = require_release()
    http.mark(release)
    body = state().memo.get(
        release.version,
        ("network.jsonld",),
        lambda: json.dumps(
            network_document(
                around(release.store, [URIRef(network_iri())], common.iris(), hops=2),
                common.iris(),
                network_iri(),
                context_reference(request.path),
            ),
            ensure_ascii=False, indent=1,
        ) + "\n",
    )  # fmt: skip
    response = Response(body, content_type="application/ld+json")
    response.headers["Link"] = (
        f"<{site_href(f'context/{CONTEXT_VERSION}.jsonld', keep_lang=False)}>; "
        'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
    )
    return response
