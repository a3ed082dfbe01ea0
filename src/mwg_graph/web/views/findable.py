"""``/sitemap.xml`` and ``/robots.txt``: every page of the site, in both languages, for crawlers.

The sitemap (sitemaps.org 0.9, with ``xhtml:link`` hreflang alternates as search engines read them)
lists each page once per language (``?lang=th``, ``?lang=en``), the same URLs that pages name as
their canonical and alternate links. Absolute URLs follow the site's one rule
(:func:`common.absolute`): ``public_url`` or a placeholder filled in per response, never a Host
that was not checked. The body is memoised per release.
"""

from __future__ import annotations

from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response

from mwg_graph.web import http
from mwg_graph.web.i18n import LANGUAGES
from mwg_graph.web.state import state
from mwg_graph.web.views import common
from mwg_graph.web.views.common import require_release, site_href

bp = Blueprint("findable", __name__)

# The pages for people that are not a resource's own page.
HREFLANGS = (*((code, code) for code in LANGUAGES), ("x-default", None))
SITE_PAGES = ("", "browse/", "downloads/", "sparql", "search", "link", "widget/", "def")


def page_paths(store) -> list[str]:
    """Every HTML page's path (without the leading slash): site pages, kind indexes, resources."""
    found = common.kinds_present(store)
    base = common.iris().base + "id/"
    paths = list(SITE_PAGES)
    paths += [f"browse/{kind}/" for kind in found]
    for nodes in found.values():
        paths += sorted("doc/" + str(n)[len(base) :] for n in nodes if "#" not in str(n))
    return paths


def in_language(path: str, code: str | None) -> str:
    href = site_href(path, keep_lang=False)
    return common.absolute(href + ("?" + urlencode({"lang": code}) if code else ""))


def sitemap_xml(store) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for path in page_paths(store):
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{name}" href={quoteattr(href)}/>'
            for name, href in ((name, in_language(path, c)) for name, c in HREFLANGS)
        )
        for code in LANGUAGES:
            lines.append(f"<url><loc>{escape(in_language(path, code))}</loc>{alternates}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


@bp.route("/sitemap.xml")
def sitemap():
    release = require_release()
    http.mark(release)
    key = ("sitemap", common.public_root())
    body = state().memo.get(release.version, key, lambda: sitemap_xml(release.store))
    return Response(body, mimetype="application/xml")


@bp.route("/robots.txt")
def robots():
    """Everything may be crawled except the query endpoints, whose answers are endless.

    The query page itself (``/sparql?lang=…``, its canonical address) may be crawled: the longest
    matching rule wins (RFC 9309 §2.2.2), so these two ``Allow`` lines beat ``Disallow: /sparql?``
    for exactly those addresses, and every ``?query=`` stays out.
    """
    body = (
        "User-agent: *\n"
        "Allow: /sparql?lang=th$\n"
        "Allow: /sparql?lang=en$\n"
        "Disallow: /sparql?\n"
        "Disallow: /search.json\n"
        f"Sitemap: {common.absolute(site_href('sitemap.xml', keep_lang=False))}\n"
    )
    http.mark(None)
    return Response(body, mimetype="text/plain")
