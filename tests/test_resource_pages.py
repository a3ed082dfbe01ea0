"""Resource pages for people (issue 11, item 3): facts first in plain words, the linked-data
machinery folded away, an action bar (formats, copy IRI, cite), breadcrumbs, and member pages
that never give a member a province of its own.

Expectations come from the source page (data/sources/mwg-about.th.txt), the published data and
the release's own VoID description, never from the code under test.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS

from .test_browser_pages import watched  # noqa: F401 (a fixture)
from .test_pages_html import MEMBERS, PROVINCES, Page, member_slug

BASE = "https://w3id.org/mwg/"
# What each format is, by its name on the page (RFC 9110 media types of each specification).
MEDIA_TYPES = {
    "Turtle": "text/turtle",
    "JSON-LD": "application/ld+json",
    "N-Triples": "application/n-triples",
    "RDF/XML": "application/rdf+xml",
}
RDFLIB_FORMATS = {"Turtle": "turtle", "JSON-LD": "json-ld", "N-Triples": "nt", "RDF/XML": "xml"}
PAGES = ["/doc/organization/hrdf", "/doc/province/th-50", "/doc/strategy/1"]
SOURCE_TEXT = (Path(__file__).parents[1] / "data/sources/mwg-about.th.txt").read_text("utf-8")


class Parts(HTMLParser):
    """The action bar's links, the breadcrumb trail and the type link of a resource page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.formats: list[tuple[str, str, str]] = []  # (href, type, text)
        self.crumbs: list[tuple[str | None, str, dict]] = []  # (href, text, attrs)
        self.crumb_nav: dict | None = None
        self.kind_href: str | None = None
        self._in: str | None = None
        self._a: dict | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "nav" and "breadcrumbs" in classes:
            self.crumb_nav, self._in = attrs, "crumbs"
        elif tag == "p" and "formats" in classes:
            self._in = "formats"
        elif tag == "a" and "kind" in classes:
            self.kind_href = attrs["href"]
        if tag in ("a", "span") and self._in in ("crumbs", "formats"):
            self._a, self._text = attrs, []

    def handle_endtag(self, tag):
        if tag in ("a", "span") and self._a is not None:
            text = "".join(self._text).strip()
            if self._in == "formats" and tag == "a":
                self.formats.append((self._a["href"], self._a.get("type", ""), text))
            elif self._in == "crumbs":
                self.crumbs.append((self._a.get("href"), text, self._a))
            self._a = None
        if (tag == "nav" and self._in == "crumbs") or (tag == "p" and self._in == "formats"):
            self._in = None

    def handle_data(self, data):
        if self._a is not None:
            self._text.append(data)


def visible_part(html: str) -> str:
    """The page without its folded linked-data details."""
    return html.split('<details class="linked-data">', 1)[0]


def release_void(server) -> tuple[Graph, URIRef]:
    response = server.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    (dataset,) = set(graph.subjects(RDF.type, DCAT.Dataset)) & set(graph.subjects(OWL.versionInfo))
    return graph, dataset


# ---- plain HTTP --------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["th", "en"])
def test_type_links_to_our_browse_page_not_to_a_spec(server, path, lang):
    html = server.get(f"{path}?lang={lang}").text
    kind = path.split("/")[2]
    parts = Parts(html)
    assert parts.kind_href == f"/browse/{kind}/?lang={lang}"
    index = server.get(parts.kind_href)
    assert index.status_code == 200 and f'href="{path}?lang={lang}"' in index.text
    visible = visible_part(html)
    assert "w3.org/ns/org" not in visible and "schema.org/AdministrativeArea" not in visible


@pytest.mark.parametrize("path", PAGES)
def test_action_bar_formats_dereference_to_their_media_types(server, path):
    parts = Parts(server.get(f"{path}?lang=th").text)
    assert sorted(text for _, _, text in parts.formats) == sorted(MEDIA_TYPES)
    iri = URIRef(BASE + "id/" + path.removeprefix("/doc/"))
    for href, declared, name in parts.formats:
        assert declared == MEDIA_TYPES[name]
        response = server.get(href)
        assert response.status_code == 200, href
        assert response.headers["Content-Type"].split(";")[0] == MEDIA_TYPES[name], href
        data = response.content
        if name == "JSON-LD":  # its @context, fetched from where the document names it
            document = response.json()
            context = server.get(urljoin(href, document["@context"])).json()
            data = json.dumps({**document, "@context": context["@context"]})
        graph = Graph().parse(data=data, format=RDFLIB_FORMATS[name])
        assert (iri, None, None) in graph, href


@pytest.mark.parametrize("lang", ["th", "en"])
def test_citation_carries_version_licence_and_publisher_from_void(server, lang):
    void, dataset = release_void(server)
    version = str(void.value(dataset, OWL.versionInfo))
    licence = str(void.value(dataset, DCTERMS.license))
    publisher = void.value(dataset, DCTERMS.publisher)
    publisher_names = {str(n) for n in void.objects(publisher, FOAF.name)}
    titles = {str(t) for t in void.objects(dataset, DCTERMS.title)}
    html = server.get(f"/doc/organization/hrdf?lang={lang}").text
    for key, iri in (("resource", BASE + "id/organization/hrdf"), ("dataset", str(dataset))):
        for form in ("text", "bibtex"):
            found = re.search(rf'id="cite-{key}-{form}">(.*?)</', html, re.S)
            assert found, (key, form)
            cited = found.group(1)
            assert version in cited and licence in cited and iri in cited, (key, form, cited)
            assert any(name in cited for name in publisher_names), (key, form, cited)
            assert any(title in cited for title in titles), (key, form, cited)
    assert "Human Rights and Development Foundation" in html.split('id="cite-resource-text">')[1]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["th", "en"])
def test_breadcrumbs_and_their_schema_org_list(server, path, lang):
    html = server.get(f"{path}?lang={lang}").text
    parts = Parts(html)
    kind = path.split("/")[2]
    assert parts.crumb_nav and parts.crumb_nav.get("aria-label")
    assert '<nav class="breadcrumbs"' in html and "<ol>" in html.split("breadcrumbs", 1)[1][:200]
    (home, index, here) = parts.crumbs
    assert home[0] == f"/?lang={lang}"
    assert index[0] == f"/browse/{kind}/?lang={lang}"
    title = re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1)
    assert here[0] is None and here[2].get("aria-current") == "page" and here[1] == title
    (doc,) = Page(html).embedded()
    trail = doc["mainEntityOfPage"]["breadcrumb"]
    assert trail["@type"] == "BreadcrumbList"
    items = trail["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3]
    assert [i["name"] for i in items] == [home[1], index[1], title]
    assert items[1]["item"].endswith(f"/browse/{kind}/?lang={lang}")
    assert doc["@id"] == BASE + "id/" + path.removeprefix("/doc/")  # the resource stays on top


def province_names(release_graph: Graph) -> set[str]:
    names = set(PROVINCES)
    for province in release_graph.subjects(
        RDF.type, URIRef("https://schema.org/AdministrativeArea")
    ):
        names.update(str(n) for n in release_graph.objects(province, SKOS.prefLabel))
    return names


@pytest.mark.parametrize("lang", ["th", "en"])
def test_no_member_page_gives_the_member_a_province(server, release_graph, lang):
    names = province_names(release_graph)
    assert len(names) >= 2 * len(PROVINCES)  # the Thai and English names of the 16
    for line in MEMBERS:
        path = f"/doc/organization/{member_slug(line)}"
        html = server.get(f"{path}?lang={lang}").text
        assert "/doc/province/" not in html, path
        # A member's own name may hold a place (the Diocesan Social Action of Surat Thani):
        # that is its name, not a claim about where it works.
        member = URIRef(BASE + "id" + path.removeprefix("/doc"))
        for own in release_graph.objects(member, None):
            if isinstance(own, Literal) and len(own) > 12:
                html = html.replace(str(own), "")
        assert not [name for name in names if name in html], path
        # The way to the network's provinces: its own page, with the count the source gives.
        scope = re.search(r'<li class="network-scope">(.*?)</li>', html, re.S)
        assert scope, path
        assert f'href="/doc/organization/mwg?lang={lang}#fact-workingArea"' in scope.group(1)
        assert str(len(PROVINCES)) in scope.group(1)


THEMES = re.search(r"ประเด็นหลัก\s*(\d+)\s*ประเด็น\s*ได้แก่\s*(.+)$", SOURCE_TEXT, re.M)


def test_the_network_page_lists_the_provinces_and_themes_member_pages_point_to(server):
    html = server.get("/doc/organization/mwg?lang=th").text
    area = re.search(r'<div class="fact" id="fact-workingArea">(.*?)</div>', html, re.S).group(1)
    for province in PROVINCES:
        assert province in area, province
    themes = re.search(r'<div class="fact" id="fact-mainIssue">(.*?)</div>', html, re.S).group(1)
    names = [t.removeprefix("และ") for t in THEMES.group(2).split() if t != "และ"]
    assert len(names) == int(THEMES.group(1))
    for theme in names:
        assert theme in themes, theme
    member = server.get("/doc/organization/sc?lang=th").text
    scope = re.search(r'<li class="network-scope">(.*?)</li>', member, re.S).group(1)
    assert f"ประเด็นหลัก {THEMES.group(1)} ประเด็น" in scope


@pytest.mark.parametrize(
    ("lang", "membership"),
    [("th", "สมาชิกของ"), ("en", "Member of")],
)
def test_member_page_says_its_role_in_plain_words(server, lang, membership):
    html = visible_part(server.get(f"/doc/organization/wvft?lang={lang}").text)
    about = html.split('<section class="about">', 1)[1].split("</section>", 1)[0]
    network = "เครือข่าย MWG" if lang == "th" else "the MWG network"
    assert f'{membership}<a href="/doc/organization/mwg?lang={lang}">{network}</a>' in about or (
        f'{membership} <a href="/doc/organization/mwg?lang={lang}">{network}</a>' in about
    )
    # The source lists the members under องค์กรภาคีหลัก: the role's own name in the data.
    role = "องค์กรภาคีหลัก" if lang == "th" else "main partner organisation"
    assert role in about
    # Thai and English names, each marked with its language; the acronym the source gives.
    assert '<span lang="th">มูลนิธิศุภนิมิตแห่งประเทศไทย</span>' in about
    assert '<span lang="en">World Vision Foundation of Thailand</span>' in about
    assert "(WVFT)" in SOURCE_TEXT and ">WVFT<" in about
    for jargon in ("มีการเป็นสมาชิก", "ทรัพยากรที่เชื่อมมาที่นี่", "has membership", "Membership"):
        assert jargon not in html, jargon


# ---- in Chromium ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["th", "en"])
def test_facts_come_first_and_the_machinery_is_folded(server, watched, lang):  # noqa: F811
    page = watched.page
    page.goto(f"{server.url}/doc/organization/hrdf?lang={lang}")
    visible_h2 = [h for h in page.locator("main h2").all() if h.is_visible()]
    about = "เกี่ยวกับรายการนี้" if lang == "th" else "About"
    assert visible_h2[0].inner_text() == about
    h1 = page.locator("h1").bounding_box()
    bar = page.locator(".action-bar").bounding_box()
    facts = page.locator("section.about").bounding_box()
    assert h1["y"] < bar["y"] < facts["y"]
    text = page.inner_text("main")
    for jargon in ("มีการเป็นสมาชิก", "ทรัพยากรที่เชื่อมมาที่นี่", "has membership"):
        assert jargon not in text
    details = page.locator("details.linked-data")
    assert details.get_attribute("open") is None
    details.locator("summary").click()
    assert page.locator("details.linked-data table.facts").is_visible()
    assert "/doc/membership/hrdf" in page.locator("details.linked-data").inner_html()
    assert watched.errors == []


@pytest.mark.browser
def test_copy_iri_button_copies_the_iri(server, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(f"{server.url}/doc/province/th-50?lang=en")
        button = page.get_by_role("button", name="Copy IRI")
        assert button.is_visible()
        button.click()
        page.wait_for_function("document.querySelector('.copy-status').textContent !== ''")
        assert page.evaluate("navigator.clipboard.readText()") == BASE + "id/province/th-50"
        assert page.inner_text(".copy-status") == "Copied"
    finally:
        context.close()


@pytest.mark.browser
def test_without_javascript_the_iri_is_selectable_and_no_dead_button(server, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/doc/province/th-50?lang=th")
        field = page.get_by_label("ที่อยู่ถาวร (IRI)")
        assert field.is_visible() and field.input_value() == BASE + "id/province/th-50"
        assert not page.locator("button.copy-iri").is_visible()
        page.locator("details.cite summary").click()  # <details> needs no script
        assert page.locator("#cite-resource-text").is_visible()
    finally:
        context.close()


@pytest.mark.browser
def test_targets_are_at_least_24_px(server, watched):  # noqa: F811
    """On a phone; every resource page has the same bar and trail (one template)."""
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/doc/organization/hrdf?lang=th")
    targets = page.locator(
        "nav.breadcrumbs a, .action-bar a, .action-bar button, .action-bar input, summary, a.kind"
    )
    assert targets.count() >= 8
    for target in targets.all():
        if target.is_visible():
            box = target.bounding_box()
            assert box["height"] >= 24, (target.inner_text(), box)


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["th", "en"])
def test_axe_finds_nothing_with_every_details_open(server, watched, path, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    page = watched.page
    page.goto(f"{server.url}{path}?lang={lang}")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    results = Axe().run(page)
    found = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    assert found == []


def test_literal_names_keep_their_language(server):
    html = server.get("/doc/province/th-50?lang=en").text
    about = html.split('<section class="about">', 1)[1].split("</section>", 1)[0]
    assert '<span lang="th">เชียงใหม่</span>' in about
    assert '<span lang="en">Chiang Mai</span>' in about
