"""``/search?q=``: every resource by any of its names, as a page (Thai or English) or as JSON.

The page works without JavaScript (a GET form in the site header); with it, a small self-hosted
script (``static/js/search-suggest.js``) offers suggestions from ``/search.json`` as one types.
JSON comes from ``/search.json`` or ``Accept: application/json``; CORS is open like the rest of the
site (:mod:`mwg_graph.web.http`). Matching is :mod:`mwg_graph.names` over the release's name index.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.exceptions import BadRequest

from mwg_graph.names import MAX_QUERY_CHARS, Hit, Index
from mwg_graph.search_index import entry_label, index_for
from mwg_graph.web import http
from mwg_graph.web.i18n import kind_one
from mwg_graph.web.views import common
from mwg_graph.web.views.common import HTML, lang, require_release

bp = Blueprint("search", __name__)
JSON = "application/json"
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
SNIPPET_CHARS = 140


def query_text(name: str = "q") -> str:
    """The query, or a 400 that says what is wrong with it."""
    text = request.args.get(name, "")
    if len(text) > MAX_QUERY_CHARS:
        raise BadRequest(
            f"Parameter '{name}' is {len(text)} characters long; at most "
            f"{MAX_QUERY_CHARS} are searched."
        )
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise BadRequest(f"Parameter '{name}' contains control characters.")
    return text.strip()


def snippet(text: str, query: str) -> str:
    """At most SNIPPET_CHARS of ``text``, around the query when it occurs as typed."""
    if len(text) <= SNIPPET_CHARS:
        return text
    start = max(0, text.casefold().find(query.casefold()) - SNIPPET_CHARS // 3)
    cut = text[start : start + SNIPPET_CHARS]
    return ("…" if start else "") + cut + ("…" if start + SNIPPET_CHARS < len(text) else "")


def result(index: Index, hit: Hit, language: str, query: str = "") -> dict:
    entry = index.entries[hit.entry]
    name, name_lang = entry_label(entry, language)
    iri = common.iris().base + "id/" + entry["id"]
    found = {
        "id": iri,
        "href": common.absolute(common.href_for(iri)),
        "kind": entry["kind"],
        "kind_name": kind_one(entry["kind"], language),
        "name": name,
        "lang": name_lang,
        "score": round(hit.score, 1),
        "exact": hit.exact,
    }
    if hit.name.text != name:
        found["matched"] = snippet(hit.name.text, query)
        found["matched_lang"] = hit.name.lang
    return found


def search_results(release, text: str, language: str, limit: int) -> list[dict]:
    kinds = request.args.getlist("kind") or None
    index = index_for(release)
    hits = index.find(text, kinds, limit) if text else []
    return [result(index, hit, language, text) for hit in hits]


@bp.route("/search.json")
def search_json():
    release = require_release()
    text, language = query_text(), lang()
    limit = common.int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    response = jsonify(
        {"query": text, "lang": language, "results": search_results(release, text, language, limit)}
    )
    response.headers["Cache-Control"] = http.SHORT_CACHE
    http.add_vary(response, "Accept-Language")
    return response


@bp.route("/search")
def search_page():
    if common.choose_offer([HTML, JSON]) == JSON:
        response = search_json()
        http.add_vary(response, "Accept")
        return response
    release = require_release()
    text, language = query_text(), lang()
    limit = common.int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    as_json = common.site_href("search.json", keep_lang=False) + "?" + urlencode({"q": text})
    body = render_template(
        "search.html",
        alternates=[{"media_type": JSON, "href": as_json}] if text else [],
        query=text,
        results=search_results(release, text, language, limit),
        release_version=release.version,
    )
    response = Response(body, mimetype=HTML)
    response.headers["Content-Language"] = language
    response.headers["Cache-Control"] = http.SHORT_CACHE
    http.add_vary(response, "Accept", "Accept-Language")
    return response
