"""Search on a static site: the header box and ``/search`` use the release's search index.

The server answers ``/search?q=`` and the header box's suggestions (``/search.json``) itself
(:mod:`mwg_graph.names`); a static host can do neither. So every exported page carries a small
script (``search-static.js``) that fetches ``/downloads/search-index.json`` — the file the build
writes for the server's matcher (:mod:`mwg_graph.search_index`), in the same format — and finds the
resources one of whose names, acronyms or codes contains the query, case, spaces and punctuation
aside, as the server's first rule does: as suggestions under the header box, and as the results
of the ``/search`` page. The box's ``/search.json`` address is taken off the page (the server's
suggestion script then stays idle), and on a page in an explicit language the form goes to that
language's search page (``/en/search``), since a static host ignores ``?lang=``. The server's
allowances for slips (a missing tone mark, one wrong letter) are not repeated in the script; a
reader who needs them has the server, or the SPARQL page.
"""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files
from urllib.parse import parse_qs, urlsplit

from mwg_graph.iris import KINDS
from mwg_graph.web.i18n import DEFAULT_LANGUAGE, kind_one, t

SCRIPT_FILE = "static/js/search-static.js"
INDEX_URL = "downloads/search-index.json"


def script() -> bytes:
    return files(__package__).joinpath("search-static.js").read_bytes()


def with_static_search(url: str, html: str, root: str = "/") -> str:
    """A page whose search box and search page work from the index, without the server."""
    explicit = parse_qs(urlsplit(url).query).get("lang", [None])[0]
    language = explicit or DEFAULT_LANGUAGE
    html = html.replace(f' data-suggest="{root}search.json"', "")
    if explicit:  # a static host ignores ?lang=: the form goes to the language's own page
        html = html.replace(f'action="{root}search"', f'action="{root}{explicit}/search"')
        html = html.replace(f'<input type="hidden" name="lang" value="{explicit}">', "")
    words = {
        "none": t("search_none", language),
        "via": t("search_via", language),
        "exact": t("search_exact", language),
        "kinds": {kind: kind_one(kind, language) for kind in sorted(KINDS)},
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
