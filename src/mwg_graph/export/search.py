"""Search on a static site: ``/search`` is a page whose script reads the release's search index.

The server answers ``/search?q=`` itself (:mod:`mwg_graph.names`); a static host cannot. So the
exported search page carries a small script (``search-static.js``) that fetches
``/downloads/search-index.json`` — the file the build writes for the server's matcher
(:mod:`mwg_graph.search_index`), in the same format — and lists the resources one of whose names,
acronyms or codes contains the query, case, spaces and punctuation aside, as the server's first
rule does. The server's allowances for slips (a missing tone mark, one wrong letter) are not
repeated in the script; a reader who needs them has the server, or the SPARQL page.
"""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files
from urllib.parse import parse_qs, urlsplit

from ..i18n import DEFAULT_LANGUAGE, KIND_NAMES, kind_one, t

SCRIPT_FILE = "static/js/search-static.js"
INDEX_URL = "downloads/search-index.json"


def script() -> bytes:
    return files(__package__).joinpath("search-static.js").read_bytes()


def with_static_search(url: str, html: str, root: str = "/") -> str:
    """The search page with the script and the words it needs; any other page unchanged."""
    parts = urlsplit(url)
    if parts.path != "/search":
        return html
    explicit = parse_qs(parts.query).get("lang", [None])[0]
    language = explicit or DEFAULT_LANGUAGE
    words = {
        "none": t("search_none", language),
        "via": t("search_via", language),
        "exact": t("search_exact", language),
        "kinds": {kind: kind_one(kind, language) for kind in sorted(KIND_NAMES)},
    }
    attributes = {
        "id": "search-static",
        "src": f"{root}{SCRIPT_FILE}",
        "data-index": f"{root}{INDEX_URL}",
        "data-doc": f"{root}{explicit + '/' if explicit else ''}doc/",
        "data-lang": language,
        "data-words": json.dumps(words, ensure_ascii=False, sort_keys=True),
    }
    tag = "<script defer " + " ".join(f'{k}="{escape(v)}"' for k, v in attributes.items())
    return html.replace("</body>", tag + "></script>\n</body>", 1)
