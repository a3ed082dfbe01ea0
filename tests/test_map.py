"""The province map (issue 11, item 4): Thailand's outline, every working-area province labelled and
linked once, no two labels overlapping, tap targets of at least 24 px, links outside anything
hidden from assistive technology — on the home page and on a province page, in both languages.

Expectations come from the source page (which provinces), the reference data set
(data/reference/thailand-provinces.csv: ISO codes, Thai and English names, centroids) and the
committed Natural Earth outline, never from the code that draws the map.
"""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from itertools import combinations

import pytest

from mwg_graph.config import PROJECT_ROOT

from .test_browser_pages import watched  # noqa: F401 (a fixture)
from .test_pages_html import PROVINCES

REFERENCE = PROJECT_ROOT / "data" / "reference" / "thailand-provinces.csv"
OUTLINE = PROJECT_ROOT / "src" / "mwg_graph" / "web" / "map_outline.json"

with REFERENCE.open(encoding="utf-8") as handle:
    BY_THAI_NAME = {row["name_th"]: row for row in csv.DictReader(handle)}
WORKING_AREA = [BY_THAI_NAME[name] for name in PROVINCES]


def expected_links(lang: str) -> dict[str, set[str]]:
    """/doc/province/{iso code} → the labels the page's language may show (in English the
    reference's canonical name or one of its alternates: "Phangnga", "Phang Nga")."""
    found = {}
    for row in WORKING_AREA:
        if lang == "th":
            names = {row["name_th"]}
        else:
            names = {row["name_en_canonical"], *row["name_alternates_en"].split("|")}
        found[f"/doc/province/{row['iso3166_2'].lower()}"] = names
    return found


def labelled_as_expected(links: dict[str, str], lang: str) -> bool:
    expected = expected_links(lang)
    return links.keys() == expected.keys() and all(links[h] in expected[h] for h in links)


def inside(point: tuple[float, float], rings: list[list[list[float]]]) -> bool:
    """Even-odd rule over every ring (islands and holes alike), as the SVG path is filled."""
    x, y = point
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def test_working_area_is_read_from_the_source_and_reference():
    assert len(WORKING_AREA) == 16
    assert {row["iso3166_2"] for row in WORKING_AREA} >= {"TH-10", "TH-50", "TH-83"}


def test_outline_is_thailand():
    """Every working-area centroid lies on the committed outline; the capitals of the neighbours do
    not (Vientiane, Phnom Penh, Yangon, Kuala Lumpur): the outline is Thailand's, not a box."""
    outline = json.loads(OUTLINE.read_text(encoding="utf-8"))
    assert "Natural Earth" in outline["source"]
    thailand = outline["thailand"]
    for row in WORKING_AREA:
        centroid = (float(row["centroid_lon"]), float(row["centroid_lat"]))
        assert inside(centroid, thailand), row["name_en_canonical"]
    for name, lon, lat in [("Vientiane", 102.60, 17.97), ("Phnom Penh", 104.92, 11.56),
                           ("Yangon", 96.16, 16.84), ("Kuala Lumpur", 101.69, 3.14)]:  # fmt: skip
        assert not inside((lon, lat), thailand), name
    assert OUTLINE.stat().st_size < 20_000  # a simplified outline, not megabytes of coordinates


def test_crowded_maps_lose_no_province():
    """More provinces than the map has room for (the first 30 of the reference, most of them round
    Bangkok; twelve at one spot): each is labelled on the map or listed under it, never dropped,
    and the labels drawn still do not overlap."""
    from mwg_graph.web.svgmap import Point, layout

    with REFERENCE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:30]
    crowded = [
        Point(r["name_en_canonical"], float(r["centroid_lat"]), float(r["centroid_lon"]),
              f"/doc/province/{r['iso3166_2'].lower()}")
        for r in rows
    ]  # fmt: skip
    one_spot = [Point(f"P{i}", 15.0, 100.0, f"/doc/province/p{i}") for i in range(12)]
    for points in (crowded, one_spot):
        drawn = layout(points)
        hrefs = [p.href for p in drawn.places] + [p.href for p in drawn.unplaced]
        assert sorted(hrefs) == sorted(p.href for p in points)
        for a, b in combinations([p.chip for p in drawn.places], 2):
            assert not overlap(a, b)


class MapMarkup(HTMLParser):
    """The map figure of a page: its links (href, text), its label chips, and what is hidden."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.chips: list[tuple[float, float, float, float]] = []
        self.svg_attrs: dict = {}
        self.hidden_depth = 0  # inside aria-hidden="true"
        self.links_hidden = 0
        self.land_paths = 0
        self._in_map = False
        self._depth = 0
        self._a: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and attrs.get("class") == "map":
            self._in_map = True
        if not self._in_map:
            return
        if tag == "svg":
            self.svg_attrs = attrs
        if self.hidden_depth or attrs.get("aria-hidden") == "true":
            self.hidden_depth += 1
        if tag == "a":
            self._a = [attrs["href"].split("?")[0], []]
            self.links_hidden += bool(self.hidden_depth)
        elif tag == "rect" and attrs.get("class") == "chip":
            x, y = float(attrs["x"]), float(attrs["y"])
            self.chips.append((x, y, x + float(attrs["width"]), y + float(attrs["height"])))
        elif tag == "path" and attrs.get("class") == "land" and len(attrs.get("d", "")) > 500:
            self.land_paths += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not self._in_map:
            return
        if self.hidden_depth:
            self.hidden_depth -= 1
        if tag == "a" and self._a is not None:
            self.links.append((self._a[0], "".join(self._a[1]).strip()))
            self._a = None
        elif tag == "figure":
            self._in_map = False

    def handle_data(self, data):
        if self._a is not None:
            self._a[1].append(data)


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_home_map_links_and_labels_every_province_once(server, lang):
    page = MapMarkup(server.get(f"/?lang={lang}").text)
    assert page.svg_attrs.get("role") != "img"  # it holds links (axe nested-interactive)
    assert page.land_paths == 1
    assert labelled_as_expected(dict(page.links), lang), page.links
    assert len(page.links) == 16  # each province once
    assert page.links_hidden == 0
    assert len(page.chips) == 16
    for a, b in combinations(page.chips, 2):
        assert not overlap(a, b), (a, b)
    width, height = (float(v) for v in page.svg_attrs["viewbox"].split()[2:])
    for x0, y0, x1, y1 in page.chips:
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        assert y1 - y0 >= 24 and x1 - x0 >= 24
    for href, _ in page.links:
        assert server.get(href).status_code == 200, href


@pytest.mark.parametrize(("slug", "lang"), [("th-50", "th"), ("th-11", "en")])
def test_province_page_shows_its_province_on_the_outline(server, slug, lang):
    page = MapMarkup(server.get(f"/doc/province/{slug}?lang={lang}").text)
    assert page.land_paths == 1
    href = f"/doc/province/{slug}"
    assert [h for h, _ in page.links] == [href]
    assert page.links[0][1] in expected_links(lang)[href]


# ---- in Chromium: what a reader sees and taps ------------------------------------------------

MEASURE = """() => [...document.querySelectorAll('figure.map a')].map(a => {
  const chip = a.querySelector('rect.chip').getBoundingClientRect();
  const text = a.querySelector('text').getBoundingClientRect();
  const dot = a.querySelector('circle.dot');
  return {href: a.getAttribute('href'), name: a.textContent.trim(),
          chip: [chip.left, chip.top, chip.right, chip.bottom],
          text: [text.left, text.top, text.right, text.bottom],
          dot: [dot.cx.baseVal.value, dot.cy.baseVal.value]};
})"""

# Is a point (in the map's own units) on Thailand's land, as the browser fills the path?
ON_LAND = """([x, y]) => {
  const land = document.querySelector('figure.map path.land');
  const point = land.ownerSVGElement.createSVGPoint();
  point.x = x; point.y = y;
  return land.isPointInFill(point);
}"""


def rendered(page, url: str) -> list[dict]:
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")
    return page.evaluate(MEASURE)


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_labels_do_not_overlap_and_are_big_enough_to_tap(server, watched, viewport, lang):  # noqa: F811
    page = watched.page
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    found = rendered(page, f"{server.url}/?lang={lang}")
    links = {f["href"].split("?")[0]: f["name"] for f in found}
    assert len(found) == 16 and labelled_as_expected(links, lang), links
    for f in found:
        left, top, right, bottom = f["chip"]
        assert right - left >= 24 and bottom - top >= 24, f
        tl, tt, tr, tb = f["text"]  # the label fits its chip, in the font the page really uses
        assert left <= tl and tr <= right and top <= tt and tb <= bottom, f
    for a, b in combinations(found, 2):
        assert not overlap(a["chip"], b["chip"]), (a["name"], b["name"])
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
    assert watched.errors == []


@pytest.mark.parametrize("slug", ["th-50", "th-83", "th-11"])
def test_province_dot_is_on_land(server, watched, slug):  # noqa: F811
    page = watched.page
    (found,) = rendered(page, f"{server.url}/doc/province/{slug}?lang=th")
    assert page.evaluate(ON_LAND, found["dot"]), found
    assert not page.evaluate(ON_LAND, [2, 2])  # the frame's corner is not Thailand
    assert watched.errors == []


@pytest.mark.parametrize("path", ["/doc/province/th-50", "/doc/province/th-10"])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_axe_finds_nothing_on_province_pages(server, watched, path, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    page = watched.page
    page.goto(f"{server.url}{path}?lang={lang}")
    page.wait_for_load_state("networkidle")
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []
