"""``/reconcile``: the W3C Reconciliation Service API v0.2, so OpenRefine can match a spreadsheet's
names to our IRIs (https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/).

- ``GET /reconcile`` — the manifest; ``queries=`` (GET or form POST) — a batch of queries;
  ``extend=`` — data extension (ISO code, Wikidata item, Thai and English names, acronym).
- ``/reconcile/suggest/{entity,type,property}?prefix=`` — autocomplete; ``/reconcile/preview?id=``
  — a small HTML card for OpenRefine's iframe; ``/reconcile/properties?type=`` — which columns
  data extension can add for a type.

Entity ids are relative to the identifier space ``{base}id/`` (``province/th-50``), type ids are our
kinds (``organization``, ``province``…). This module speaks HTTP; what the answers say (candidates,
scores, ``match``, data extension) is decided in :mod:`mwg_graph.web.reconciliation`, over the same
matcher as ``/search`` (:mod:`mwg_graph.names`).

CORS is open (:mod:`mwg_graph.web.http`); JSONP through ``callback=`` (a validated JavaScript name).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import BadRequest, NotFound

from mwg_graph import __version__
from mwg_graph.names import Index, exact_key
from mwg_graph.search_index import entry_label, index_for
from mwg_graph.web import http
from mwg_graph.web.i18n import LANGUAGES, kind_one, t
from mwg_graph.web.reconciliation import (
    PROPERTIES,
    describe_entry,
    entity_id,
    extend,
    kinds_in,
    reconcile_batch,
    type_object,
    wanted_kinds,
)
from mwg_graph.web.views import common
from mwg_graph.web.views.common import require_release

bp = Blueprint("reconcile", __name__)

SUGGEST_PAGE = 10
PREVIEW_SIZE = (400, 150)
CALLBACK = re.compile(r"^[A-Za-z_$][\w$]{0,63}(\.[A-Za-z_$][\w$]{0,63}){0,4}$", re.ASCII)


@bp.after_request
def _allow_post(response: Response) -> Response:
    if request.method == "OPTIONS":
        http.allow_preflight(
            response, "GET, POST, HEAD, OPTIONS", "Accept, Accept-Language, Content-Type"
        )
    return response


# ---- requests and answers ---------------------------------------------------------------------


def param(name: str) -> str | None:
    """A parameter from the query string or a form body (the API allows both)."""
    value = request.form.get(name) if request.method == "POST" else None
    return value if value is not None else request.args.get(name)


def json_param(name: str) -> object:
    raw = param(name)
    try:
        return json.loads(raw or "")
    except json.JSONDecodeError as error:
        raise BadRequest(
            f"Parameter '{name}' is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}."
        ) from None
    except (ValueError, RecursionError):  # a number of over 4300 digits, or nesting too deep
        raise BadRequest(
            f"Parameter '{name}' is JSON nested too deeply or with a number too long to read."
        ) from None


def callback_name() -> str | None:
    name = param("callback")
    if name is None:
        return None
    if not CALLBACK.match(name):
        raise BadRequest(
            "Parameter 'callback' must be a JavaScript name such as 'handle' or 'app.handle' "
            "(letters, digits, '_' and '$', at most 64 characters per part)."
        )
    return name


def answer(document: dict) -> Response:
    """JSON, or JSONP when ``callback=`` names a function."""
    callback = callback_name()
    body = json.dumps(document, ensure_ascii=False)
    if callback:
        response = Response(f"/**/{callback}({body});", mimetype="application/javascript")
    else:
        response = Response(body, mimetype="application/json")
    cache = "public, max-age=300" if request.method == "GET" else "no-store"
    response.headers["Cache-Control"] = cache
    return response


def languages_for(text: str) -> str:
    """The language names are given in: ``?lang=`` if asked, else that of the query's script."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    if text:
        return "en" if text.isascii() else "th"
    return common.lang()


# ---- the manifest ------------------------------------------------------------------------


def manifest(index: Index) -> dict:
    root, language = common.service_root(), common.lang()
    base = common.iris().base
    width, height = PREVIEW_SIZE
    return {
        "versions": ["0.2"],
        "name": t("site_name", language) + " — mwg-graph",
        "identifierSpace": base + "id/",
        "schemaSpace": base + "def#",
        "documentation": root + "/link",
        "serviceVersion": __version__,
        "view": {"url": root + "/doc/{{id}}"},
        "preview": {
            "url": root + "/reconcile/preview?id={{id}}&lang=" + language,
            "width": width,
            "height": height,
        },
        "defaultTypes": [type_object(k, language) for k in kinds_in(index)],
        "suggest": {
            part: {"service_url": root, "service_path": f"/reconcile/suggest/{part}"}
            for part in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": root, "service_path": "/reconcile/properties"},
            "property_settings": [],
        },
    }


# ---- views -------------------------------------------------------------------------------


@bp.route("/reconcile", methods=["GET", "POST"])
def service():
    index = index_for(require_release())
    if param("queries") is not None:
        return answer(reconcile_batch(index, json_param("queries"), languages_for))
    if param("extend") is not None:
        return answer(extend(index, json_param("extend"), common.lang()))
    return answer(manifest(index))


def prefix_arg() -> tuple[str, int]:
    prefix = request.args.get("prefix", "")
    if len(prefix) > 200:
        raise BadRequest("Parameter 'prefix' is longer than 200 characters.")
    raw = request.args.get("cursor", "0")
    try:
        cursor = int(raw)
    except ValueError:
        raise BadRequest(f"Parameter 'cursor' must be a whole number, not {raw[:40]!r}.") from None
    if not 0 <= cursor <= 1000:
        raise BadRequest("Parameter 'cursor' must be between 0 and 1000.")
    return prefix.strip(), cursor


def starts(texts: Iterable[str], prefix: str) -> bool:
    key = exact_key(prefix)
    return any(exact_key(text).startswith(key) for text in texts)


@bp.route("/reconcile/suggest/entity")
def suggest_entity():
    index = index_for(require_release())
    prefix, cursor = prefix_arg()
    kinds = wanted_kinds(request.args.get("type") or None, "Parameter 'type'")
    language = languages_for(prefix)
    hits = index.find(prefix, kinds, limit=cursor + SUGGEST_PAGE) if prefix else []
    result = []
    for hit in hits[cursor:]:
        entry = index.entries[hit.entry]
        name, _ = entry_label(entry, language)
        result.append(
            {
                "id": entry["id"],
                "name": name,
                "description": describe_entry(entry, language),
                "notable": [type_object(entry["kind"], language)],
            }
        )
    return answer({"result": result})


@bp.route("/reconcile/suggest/type")
def suggest_type():
    index = index_for(require_release())
    prefix, cursor = prefix_arg()
    language = languages_for(prefix)
    found = [
        type_object(kind, language)
        for kind in kinds_in(index)
        if starts((kind, *(kind_one(kind, code) for code in LANGUAGES)), prefix)
    ]
    return answer({"result": found[cursor : cursor + SUGGEST_PAGE]})


@bp.route("/reconcile/suggest/property")
def suggest_property():
    prefix, cursor = prefix_arg()
    language = languages_for(prefix)
    found = [
        {"id": pid, "name": names[language]}
        for pid, names in PROPERTIES.items()
        if starts((pid, *names.values()), prefix)
    ]
    return answer({"result": found[cursor : cursor + SUGGEST_PAGE]})


@bp.route("/reconcile/properties")
def propose_properties():
    index = index_for(require_release())
    kind = (request.args.get("type") or "").rsplit("/id/", 1)[-1].strip("/")
    if not kind:
        raise BadRequest("Parameter 'type' is required (a type id such as 'organization').")
    limit = common.int_arg("limit", len(PROPERTIES), 1, 100)
    present: set[str] = set()
    for entry in index.entries:
        if entry["kind"] == kind:
            present |= set(entry.get("values", {}))
    language = common.lang()
    properties = [
        {"id": pid, "name": names[language]} for pid, names in PROPERTIES.items() if pid in present
    ]
    return answer({"type": kind, "properties": properties[:limit], "limit": limit})


@bp.route("/reconcile/preview")
def preview():
    index = index_for(require_release())
    raw = request.args.get("id", "")
    if not raw:
        raise BadRequest("Parameter 'id' is required (an entity id such as 'province/th-50').")
    position = index.by_id.get(entity_id(raw[:300]))
    if position is None:
        raise NotFound(f"No entity has the id {raw[:100]!r}.")
    entry = index.entries[position]
    language = common.lang()
    iri = common.iris().base + "id/" + entry["id"]
    name, name_lang = entry_label(entry, language)
    other_lang = "en" if language == "th" else "th"
    other = entry.get("label", {}).get(other_lang)
    body = render_template(
        "reconcile_preview.html",
        name=name,
        name_lang=name_lang,
        other=other if other != name else None,
        other_lang=other_lang,
        kind=kind_one(entry["kind"], language),
        values=entry.get("values", {}),
        iri=iri,
        href=common.absolute(common.href_for(iri)),
    )
    response = Response(body, mimetype="text/html")
    # OpenRefine shows the preview in an iframe: this page (no script, no form) may be framed.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors *"
    )
    response.headers["Content-Language"] = language
    return response
