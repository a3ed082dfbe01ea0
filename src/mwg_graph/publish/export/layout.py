"""Which file of the static site a URL becomes, and links that work on a host without rules.

The layout is fixed (other tools and the shipped nginx/Apache rules rely on it):

- a page whose URL path is ``/P`` is written to ``P.html`` in the default language (Thai) and to
  ``th/P.html`` and ``en/P.html`` for the explicit language paths; a path ending in ``/`` is a
  folder's ``index.html`` (``/`` → ``index.html``, ``/browse/org/`` → ``browse/org/index.html``);
- any other file is written at its URL path exactly (``doc/organization/sc.ttl``,
  ``downloads/mwg.nt``, ``context.jsonld``).

So ``/doc/x/y`` is ``doc/x/y.html``, which is also its ``.html`` suffix URL, and a host that
resolves ``/P`` to ``P.html`` (GitHub Pages, Netlify, Cloudflare Pages, nginx ``try_files``)
serves every page without any rule of ours.
"""

from __future__ import annotations

import re

from mwg_graph.web.i18n import LANGUAGES

DEFAULT_LANGUAGE = "th"


def page_file(url_path: str, language: str | None = None) -> str:
    """The file (relative to the site folder) of the page at ``url_path`` in ``language``
    (``None``: the default-language copy at the page's own path)."""
    path = url_path.lstrip("/")
    name = path + "index.html" if path == "" or path.endswith("/") else path + ".html"
    return f"{language}/{name}" if language else name


def data_file(url_path: str) -> str:
    """The file of a non-HTML URL: its path exactly."""
    return url_path.lstrip("/")


# A link the application made for a reader who chose a language: ``/P?lang=en`` (also absolute,
# also in canonical and hreflang links and the sitemap). Only a lone ``lang`` parameter is
# rewritten; a link with other parameters (a search) is left as it is.
_LANG_LINK = re.compile(
    r"(?P<origin>https?://[^\s\"'<>/]+)?(?P<path>/[^\s\"'<>?#]*)\?lang=(?P<code>"
    + "|".join(LANGUAGES)
    + r")(?=[\"'<#\s])"
)


# Files with both languages in them (dumps, documents): a ``?lang=`` on a link to one is dropped.
DATA_SUFFIXES = (".ttl", ".nt", ".jsonld", ".rdf", ".gz", ".txt", ".json", ".xml")


def static_links(text: str, root: str = "/") -> str:
    """Links with ``?lang=xx`` → the explicit language path ``/xx/…`` of the export.

    ``root`` is the site's public root path (``/`` or ``/mwg/``): the language folder goes after it.
    """

    def rewrite(match: re.Match[str]) -> str:
        path = match["path"]
        if path.endswith(DATA_SUFFIXES):
            return f"{match['origin'] or ''}{path}"
        inside = path[len(root) - 1 :] if path.startswith(root) else path
        return f"{match['origin'] or ''}{root.rstrip('/')}/{match['code']}{inside}"

    return _LANG_LINK.sub(rewrite, text)
