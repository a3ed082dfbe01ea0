"""``/link``: for people who want to link their data to ours (Thai and English).

How to point at our IRIs (Turtle and JSON-LD, with real IRIs and names from the served release),
how to match a spreadsheet's names to them with OpenRefine and ``/reconcile``, and how to submit a
partner dataset (mwg_graph.build.partners; ``partners/README.md`` says the same for the repository).
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from mwg_graph.search_index import entry_label, index_for
from mwg_graph.web.reconciliation import PROPERTIES
from mwg_graph.web.views import common
from mwg_graph.web.views.common import HTML, lang, require_release

bp = Blueprint("link", __name__)
# The resources the examples use: a member organisation and a province of the working area — in
# separate statements, since the source never says which member works where.
EXAMPLE_IDS = ("organization/hrdf", "province/th-50")


@bp.route("/link")
def link_page():
    release = require_release()
    index, language = index_for(release), lang()
    examples = []
    for local in EXAMPLE_IDS:
        position = index.by_id.get(local)
        if position is None:
            continue
        entry = index.entries[position]
        name, name_lang = entry_label(entry, language)
        examples.append(
            {
                "iri": common.iris().base + "id/" + local,
                "name": name,
                "lang": name_lang,
                "href": common.href_for(entry["iri"]),
            }
        )
    body = render_template(
        "link.html",
        examples=examples,
        service_url=common.service_root() + "/reconcile",
        properties=[names[language] for names in PROPERTIES.values()],
        release_version=release.version,
        graph_base=str(common.iris().partner_graph("")),
        contact_email=common.get_settings().contact_email,
    )
    response = Response(body, mimetype=HTML)
    response.headers["Content-Language"] = language
    return response
