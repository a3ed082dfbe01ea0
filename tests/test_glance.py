"""The network at a glance on the home page (issue 11, item 4): MWG, its members, themes, provinces
and target groups, each counted and clickable.

Counts and names are read from the published release (``release_graph``: the N-Triples dump), not
from the code that draws the section; every link must answer 200.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from rdflib import Namespace, URIRef
from rdflib.namespace import SKOS

from .test_browser_pages import watched  # noqa: F401 (a fixture)

BASE = "https://w3id.org/mwg/"
MWGO = Namespace(BASE + "def#")
ORG = Namespace("http://www.w3.org/ns/org#")
MWG = URIRef(BASE + "id/organization/mwg")

PARTS = {  # browse list → how the data links MWG to that part
    "/browse/organization/": ORG.hasMember,
    "/browse/theme/": MWGO.mainIssue,
    "/browse/province/": MWGO.workingArea,
    "/browse/target-group/": MWGO.targetGroup,
}


class Glance(HTMLParser):
    """The links of the ``#glance`` section: (href without ?lang, text, inside aria-hidden)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str, bool]] = []
        self._depth = 0  # elements open inside the section
        self._hidden = 0
        self._a: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self._depth and not (tag == "section" and attrs.get("id") == "glance"):
            return
        self._depth += 1
        if self._hidden or attrs.get("aria-hidden") == "true":
            self._hidden += 1
        if tag == "a":
            self._a = [attrs["href"].split("?")[0], [], bool(self._hidden)]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not self._depth:
            return
        self._depth -= 1
        if self._hidden:
            self._hidden -= 1
        if tag == "a" and self._a is not None:
            href, text, hidden = self._a
            self.links.append((href, " ".join("".join(text).split()), hidden))
            self._a = None

    def handle_data(self, data):
        if self._a is not None:
            self._a[1].append(data)


def doc_path(iri) -> str:
    return "/doc/" + str(iri).removeprefix(BASE + "id/")


def names(graph, nodes, lang: str) -> set[str]:
    return {
        str(label)
        for node in nodes
        for label in graph.objects(node, SKOS.prefLabel)
        if label.language == lang
    }


@pytest.mark.parametrize("lang", ["th", "en"])
def test_glance_counts_and_names_come_from_the_data(server, release_graph, lang):
    glance = Glance(server.get(f"/?lang={lang}").text)
    assert glance.links, "no #glance section on the home page"
    assert not any(hidden for _, _, hidden in glance.links)
    assert all(text for _, text, _ in glance.links)
    by_href = {href: text for href, text, _ in glance.links}
    assert doc_path(MWG) in by_href  # the hub: the network's own page
    for browse, prop in PARTS.items():
        expected = len(set(release_graph.objects(MWG, prop)))
        assert expected > 0
        assert [int(n) for n in re.findall(r"\d+", by_href[browse])] == [expected], browse
    for prop in (MWGO.mainIssue, MWGO.targetGroup):  # each theme and target group, by name
        nodes = set(release_graph.objects(MWG, prop))
        shown = {by_href.get(doc_path(node)) for node in nodes}
        assert shown == names(release_graph, nodes, lang)


def test_every_glance_link_resolves(server):
    for lang in ("th", "en"):
        for href, _, _ in Glance(server.get(f"/?lang={lang}").text).links:
            assert server.get(f"{href}?lang={lang}").status_code == 200, href


def test_glance_fits_a_phone_and_its_links_can_be_tapped(server, watched):  # noqa: F811
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/?lang=th")
    page.evaluate("document.fonts.ready.then(() => true)")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('#glance a')].map(a => {
             const r = a.getBoundingClientRect();
             return [a.textContent.trim(), r.left, r.right, r.height];
           })"""
    )
    assert len(boxes) >= 1 + 4
    for text, left, right, height in boxes:
        assert left >= 0 and right <= 390, text
        assert height >= 24, text
    assert page.evaluate("document.querySelector('#glance').scrollWidth") <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert watched.errors == []
