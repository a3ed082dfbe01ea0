"""What the Reconciliation Service API v0.2 answers, as plain functions over the name index.

:mod:`mwg_graph.web.views.reconcile` parses HTTP and calls these; they decide the candidates, their
scores and ``match`` flags, property conditions and data extension. ``match: true`` is said only
when a name, acronym, ISO code or id equals the query letter for letter (case, spaces and
punctuation aside) — or an identifying property condition holds — and no other candidate does as
well; near spellings are ranked but left for a person to confirm.

Every problem in a query is a ``400 Bad Request`` that says which query and what is wrong.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from werkzeug.exceptions import BadRequest

from mwg_graph.names import Index, exact_key
from mwg_graph.search_index import entry_label
from mwg_graph.web.i18n import kind_one

MAX_QUERIES = 200  # queries in one batch (OpenRefine sends 10 by default)
MAX_IDS = 500  # entities in one data extension request
DEFAULT_CANDIDATES = 5
MAX_CANDIDATES = 50
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


def kinds_in(index: Index) -> list[str]:
    seen: dict[str, int] = {}
    for entry in index.entries:
        seen.setdefault(entry["kind"], entry.get("rank", 99))
    return sorted(seen, key=lambda k: (seen[k], k))


def type_object(kind: str, language: str) -> dict:
    """The API's types are our kinds: ``{"id": "province", "name": "จังหวัด"}``."""
    return {"id": kind, "name": kind_one(kind, language)}


def condition_values(value: object, where: str) -> list[str]:
    """The values a condition compares, as match keys.

    The v0.2 schema allows strings, numbers, booleans and ``{id}`` objects, and OpenRefine sends a
    spreadsheet cell as it is: a boolean is read as its JSON text, which none of our properties
    holds, so it demotes the candidate instead of failing the whole batch.
    """
    values = value if isinstance(value, list) else [value]
    found = []
    for v in values:
        if isinstance(v, dict):
            v = v.get("id", v.get("name"))
        if isinstance(v, bool):
            v = json.dumps(v)
        if not isinstance(v, str | int | float):
            raise BadRequest(
                f"{where}: a property value must be a string, number, boolean or {{id}}."
            )
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
    name, _ = entry_label(entry, language)
    return {
        "id": entry["id"],
        "name": name,
        "description": describe_entry(entry, language),
        "score": round(score, 1),
        "match": match,
        "type": [type_object(entry["kind"], language)],
        "features": features,
    }


def reconcile_one(
    index: Index, query: object, where: str, language_for: Callable[[str], str]
) -> list[dict]:
    """Candidates for one query, named in the language ``language_for(query text)`` gives."""
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
    language = language_for(text)

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


def reconcile_batch(index: Index, batch: object, language_for: Callable[[str], str]) -> dict:
    if not isinstance(batch, dict):
        raise BadRequest(
            "Parameter 'queries' must be a JSON object of queries, e.g. "
            '{"q0": {"query": "HRDF"}}.'
        )
    if len(batch) > MAX_QUERIES:
        raise BadRequest(f"Parameter 'queries' holds {len(batch)} queries; at most {MAX_QUERIES}.")
    return {
        key: {"result": reconcile_one(index, query, f"Query {key!r}", language_for)}
        for key, query in batch.items()
    }


def entity_id(text: str) -> str:
    """``province/th-50`` from itself, from the full IRI or from a page URL."""
    text = text.strip()
    for marker in ("/id/", "/doc/"):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    return text.split("?", 1)[0].strip("/")


def extend(index: Index, query: object, language: str) -> dict:
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
    rows: dict[str, dict[str, list[dict]]] = {}
    for raw in ids:
        if not isinstance(raw, str):
            raise BadRequest("Parameter 'extend': every id must be a string.")
        position = index.by_id.get(entity_id(raw))
        values = index.entries[position].get("values", {}) if position is not None else {}
        rows[raw] = {pid: [{"str": v} for v in values.get(pid, [])] for pid in pids}
    meta = [{"id": pid, "name": PROPERTIES[pid][language]} for pid in pids]
    return {"meta": meta, "rows": rows}
