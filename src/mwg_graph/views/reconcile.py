"""``/reconcile``: the W3C Reconciliation Service API v0.2, so OpenRefine can match a spreadsheet's
names to our IRIs (https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/).

- ``GET /reconcile`` — the manifest; ``queries=`` (GET or form POST) — a batch of queries;
  ``extend=`` — data extension (ISO code, Wikidata item, Thai and English names, acronym).
- ``/reconcile/suggest/{entity,type,property}?prefix=`` — autocomplete; ``/reconcile/preview?id=``
  — a small HTML card for OpenRefine's iframe; ``/reconcile/properties?type=`` — which columns
  data extension can add for a type.

Entity ids are relative to the identifier space ``{base}id/`` (``province/th-50``), type ids are our
kinds (``organization``, ``province``…). Candidates come from the same matcher as ``/search``
(:mod:`mwg_graph.names`). ``match: true`` is said only when a name, acronym, ISO code or id equals
the query letter for letter (or an identifying property condition holds) and no other candidate does
as well; near spellings are ranked but left for a person to confirm.

CORS is open (:mod:`mwg_graph.http`); JSONP through ``callback=`` (a validated JavaScript name).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import BadRequest, NotFound

from .. import __version__
from ..i18n import LANGUAGES, kind_one, t
from ..names import Index, exact_key
from ..search_index import index_for
from . import common
from .common import require_release
from .search import int_arg, label_in

bp = Blueprint("reconcile", __name__)

MAX_QUERIES = 200  # queries in one batch (OpenRefine sends 10 by default)
MAX_IDS = 500  # entities in one data extension request
DEFAULT_CANDIDATES = 5
MAX_CANDIDATES = 50
SUGGEST_PAGE = 10
PREVIEW_SIZE = (400, 150)
CALLBACK = re.compile(r"^[A-Za-z_$][\w$]{0,63}(\.[A-Za-z_$][\w$]{0,63}){0,4}$", re.ASCII)
# What data extension can add, and which property conditions a query may carry.
PROPERTIES: dict[str, dict[str, str]] = {
    "iso_code": {"en": "ISO 3166 code", "th": "รหัส ISO 3166"},
    "wikidata": {"en": "Wikidata item", "th": "รายการใน Wikidata"},
    "name_th": {"en": "Thai name", "th": "ชื่อภาษาไทย"},
    "name_en": {"en": "English name", "th": "ชื่อภาษาอังกฤษ"},
    "acronym": {"en": "Acronym", "th": "ชื่อย่อ"},
}
# A condition on one of these that holds is enough to call the candidate a match.
IDENTIFYING = frozenset({"iso_code", "wikidata", "acronym"})
WIKIDATA = "http://www.wikidata.org/entity/"


@bp.after_request
def _allow_post(response: Response) -> Response:
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Type"
    return response


# ---- request parsing ---------------------------------------------------------------------


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


def bounded_int(value: object, what: str, low: int, high: int) -> int:
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    if number is None:
        raise BadRequest(f"{what} must be a whole number, not {json.dumps(value)[:40]}.")
    if not low <= number <= high:
        raise BadRequest(f"{what} must be between {low} and {high}, not {str(number)[:40]}.")
    return number


def wanted_kinds(value: object, where: str) -> list[str] | None:
    if value is None:
        return None
    kinds = [value] if isinstance(value, str) else value
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise BadRequest(f"{where}: 'type' must be a type id or a list of type ids.")
    return [k.rsplit("/id/", 1)[-1].strip("/") for k in kinds] or None


def languages_for(text: str) -> str:
    """The language names are given in: ``?lang=`` if asked, else that of the query's script."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    if text:
        return "en" if text.isascii() else "th"
    return common.lang()


# ---- the manifest ------------------------------------------------------------------------


def service_root() -> str:
    return common.absolute(common.site_href("", keep_lang=False)).rstrip("/")


def kinds_in(index: Index) -> list[str]:
    seen: dict[str, int] = {}
    for entry in index.entries:
        seen.setdefault(entry["kind"], entry.get("rank", 99))
    return sorted(seen, key=lambda k: (seen[k], k))


def type_object(kind: str, language: str) -> dict:
    return {"id": kind, "name": kind_one(kind, language)}


def manifest(index: Index) -> dict:
    root, language = service_root(), common.lang()
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


# ---- reconciliation queries --------------------------------------------------------------


def condition_values(value: object, where: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    found = []
    for v in values:
        if isinstance(v, dict):
            v = v.get("id", v.get("name"))
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise BadRequest(f"{where}: a property value must be a string, number or {{id}}.")
        text = str(v)
        found.append(exact_key(text.removeprefix(WIKIDATA)))
    return found


def conditions(query: dict, where: str) -> list[tuple[str, list[str]]]:
    found = []
    items = query.get("properties", [])
    if not isinstance(items, list):
        raise BadRequest(f"{where}: 'properties' must be a list of {{pid, v}} objects.")
    for item in items:
        if not isinstance(item, dict) or "pid" not in item or "v" not in item:
            raise BadRequest(f"{where}: each property condition needs 'pid' and 'v'.")
        pid = str(item["pid"]).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        if pid not in PROPERTIES:
            raise BadRequest(
                f"{where}: unknown property {item['pid']!r}; known: {', '.join(PROPERTIES)}."
            )
        found.append((pid, condition_values(item["v"], where)))
    return found


def entry_values(entry: dict, pid: str) -> set[str]:
    values = entry.get("values", {})
    keys = values.get(pid, []) + (values.get("iso_alpha3", []) if pid == "iso_code" else [])
    return {exact_key(v) for v in keys}


def holds(entry: dict, pid: str, wanted: list[str]) -> bool:
    return bool(entry_values(entry, pid) & set(wanted))


def describe_entry(entry: dict, language: str) -> str:
    values = entry.get("values", {})
    extra = values.get("acronym") or values.get("iso_code") or []
    text = kind_one(entry["kind"], language)
    return f"{text} · {', '.join(extra)}" if extra else text


def candidate(entry: dict, score: float, match: bool, features: list[dict], language: str) -> dict:
    name, _ = label_in(entry, language)
    return {
        "id": entry["id"],
        "name": name,
        "description": describe_entry(entry, language),
        "score": round(score, 1),
        "match": match,
        "type": [type_object(entry["kind"], language)],
        "features": features,
    }


def reconcile_one(index: Index, query: dict, where: str) -> list[dict]:
    if not isinstance(query, dict):
        raise BadRequest(f"{where} must be an object with 'query' and/or 'properties'.")
    unknown = set(query) - {"query", "type", "limit", "properties", "type_strict"}
    if unknown:
        raise BadRequest(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
    text = query.get("query", "")
    if not isinstance(text, str):
        raise BadRequest(f"{where}: 'query' must be a string.")
    text = text.strip()
    if len(text) > 200:
        raise BadRequest(f"{where}: 'query' is {len(text)} characters long; at most 200.")
    kinds = wanted_kinds(query.get("type"), where)
    limit = query.get("limit", DEFAULT_CANDIDATES)
    limit = bounded_int(limit, f"{where}: 'limit'", 1, MAX_CANDIDATES)
    tests = conditions(query, where)
    if not text and not tests:
        raise BadRequest(f"{where} needs a non-empty 'query' or at least one property condition.")
    language = languages_for(text)

    scored: list[tuple[float, bool, dict, list[dict]]] = []
    if text:
        for hit in index.find(text, kinds, limit=MAX_CANDIDATES):
            entry = index.entries[hit.entry]
            passed = [holds(entry, pid, wanted) for pid, wanted in tests]
            identified = any(
                ok and pid in IDENTIFYING for ok, (pid, _) in zip(passed, tests, strict=True)
            )
            sure = (hit.exact or identified) and all(passed)
            # a failed condition halves the score; an identifying one that holds vouches for it
            score = max(hit.score, 90.0) if sure else hit.score if all(passed) else hit.score / 2
            features = [
                {"id": "name_score", "value": round(hit.score / 100, 3)},
                {"id": "exact_name", "value": hit.exact},
            ]
            if tests:
                features.append({"id": "properties_hold", "value": all(passed)})
            scored.append((score, sure, entry, features))
    if tests and not any(sure for _, sure, _, _ in scored):
        # Let the conditions find what the name did not (e.g. a province by its ISO code alone).
        present = {id(entry) for _, _, entry, _ in scored}
        for entry in index.entries:
            if id(entry) in present or (kinds and entry["kind"] not in kinds):
                continue
            passed = [holds(entry, pid, wanted) for pid, wanted in tests]
            if all(passed) and any(pid in IDENTIFYING for pid, _ in tests):
                features = [{"id": "properties_hold", "value": True}]
                scored.append((90.0 if text else 100.0, True, entry, features))
    scored.sort(key=lambda x: (-x[0], -x[1], x[2].get("rank", 99), x[2]["id"]))
    sure_ones = [x for x in scored if x[1]]
    results = []
    for score, sure, entry, features in scored[:limit]:
        match = sure and len(sure_ones) == 1
        results.append(candidate(entry, score, match, features, language))
    return results


def reconcile_batch(index: Index, batch: object) -> dict:
    if not isinstance(batch, dict):
        raise BadRequest(
            "Parameter 'queries' must be a JSON object of queries, e.g. "
            '{"q0": {"query": "HRDF"}}.'
        )
    if len(batch) > MAX_QUERIES:
        raise BadRequest(f"Parameter 'queries' holds {len(batch)} queries; at most {MAX_QUERIES}.")
    return {
        key: {"result": reconcile_one(index, query, f"Query {key!r}")}
        for key, query in batch.items()
    }


# ---- data extension ----------------------------------------------------------------------


def entity_id(text: str) -> str:
    """``province/th-50`` from itself, from the full IRI or from a page URL."""
    text = text.strip()
    for marker in ("/id/", "/doc/"):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    return text.split("?", 1)[0].strip("/")


def extend(index: Index, query: object) -> dict:
    if (
        not isinstance(query, dict)
        or not isinstance(query.get("ids"), list)
        or not isinstance(query.get("properties"), list)
    ):
        raise BadRequest(
            "Parameter 'extend' must be a JSON object with 'ids' (a list of entity "
            "ids) and 'properties' (a list of {id})."
        )
    ids, properties = query["ids"], query["properties"]
    if len(ids) > MAX_IDS:
        raise BadRequest(f"Parameter 'extend' asks for {len(ids)} entities; at most {MAX_IDS}.")
    pids = []
    for item in properties:
        pid = item.get("id") if isinstance(item, dict) else None
        if pid not in PROPERTIES:
            raise BadRequest(
                f"Parameter 'extend': unknown property {pid!r}; known: {', '.join(PROPERTIES)}."
            )
        pids.append(pid)
    language = common.lang()
    rows: dict[str, dict[str, list[dict]]] = {}
    for raw in ids:
        if not isinstance(raw, str):
            raise BadRequest("Parameter 'extend': every id must be a string.")
        position = index.by_id.get(entity_id(raw))
        values = index.entries[position].get("values", {}) if position is not None else {}
        rows[raw] = {pid: [{"str": v} for v in values.get(pid, [])] for pid in pids}
    meta = [{"id": pid, "name": PROPERTIES[pid][language]} for pid in pids]
    return {"meta": meta, "rows": rows}


# ---- views -------------------------------------------------------------------------------


@bp.route("/reconcile", methods=["GET", "POST"])
def service():
    index = index_for(require_release())
    if param("queries") is not None:
        return answer(reconcile_batch(index, json_param("queries")))
    if param("extend") is not None:
        return answer(extend(index, json_param("extend")))
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
        name, _ = label_in(entry, language)
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
    limit = int_arg("limit", len(PROPERTIES), 1, 100)
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
    name, name_lang = label_in(entry, language)
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
