"""Pages for people: home page, resource pages, index pages, language choice, embedded JSON-LD.

Expected values come from the source page (data/sources/mwg-about.th.txt), not from the code.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from rdflib import Literal

from mwg_graph.config import PROJECT_ROOT

SOURCE_PAGE = PROJECT_ROOT / "data" / "sources" / "mwg-about.th.txt"


def source_section(heading: str) -> list[str]:
    """The lines of one section of the source page, bullets and numbers stripped."""
    lines = SOURCE_PAGE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(heading))
    found = []
    for line in lines[start + 1 :]:
        text = line.strip()
        if not text:
            if found:
                break
            continue
        if text.endswith(":"):
            break
        found.append(re.sub(r"^(•|\d+\.)\s*", "", text))
    return found


MEMBERS = source_section("องค์กรภาคีหลัก")
STRATEGIES = source_section("ยุทธศาสตร์")
PROVINCES = [p.removeprefix("และ") for p in source_section("พื้นที่การทำงาน")[0].split() if p != "และ"]


def member_slug(line: str) -> str:
    """docs/MODEL.md: the source's acronym, lowercased, else the English name in kebab case."""
    match = re.search(r"\(([^)]+)\)\s*$", line)
    return match.group(1).lower() if match else re.sub(r"[^a-z0-9]+", "-", line.lower()).strip("-")


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.html_lang = None
        self.svg_circles = 0
        self.images: list[str] = []
        self._a: list | None = None
        self._script: tuple[dict, list] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "a":
            self._a = [attrs.get("href", ""), []]
        elif tag == "script":
            self._script = (attrs, [])
        elif tag == "circle" and attrs.get("class") == "dot":  # a province on a map
            self.svg_circles += 1
        elif tag in ("img", "image", "iframe"):
            self.images.append(attrs.get("src") or attrs.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "a" and self._a is not None:
            self.links.append((self._a[0], "".join(self._a[1]).strip()))
            self._a = None
        elif tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None

    def handle_data(self, data):
        if self._a is not None:
            self._a[1].append(data)
        if self._script is not None:
            self._script[1].append(data)

    def embedded(self) -> list[dict]:
        return [
            json.loads(body)
            for attrs, body in self.scripts
            if attrs.get("type") == "application/ld+json"
        ]


def get_page(server, path, **headers) -> Page:
    response = server.get(path, headers=headers)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"].startswith("text/html")
    return Page(response.text)


def test_source_page_expectations_are_parsed():
    assert len(MEMBERS) == 21
    assert len(STRATEGIES) == 5
    assert len(PROVINCES) == 16


def test_home_page_in_thai(server):
    response = server.get("/", headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"})
    html = response.text
    page = Page(html)
    assert page.html_lang == "th"
    assert response.headers["Content-Language"] == "th"
    assert "เครือข่ายองค์กรด้านประชากรข้ามชาติ" in html
    for province in PROVINCES:
        assert province in html, province
    for line in MEMBERS:
        assert f'href="/doc/organization/{member_slug(line)}"' in html, line
    assert STRATEGIES[0][:30] in html
    assert "2549" in html  # the history, in Thai, keeps the Buddhist-Era year
    member_links = [
        h for h, _ in page.links if "/doc/organization/" in h and not h.endswith("/mwg")
    ]
    assert len(set(member_links)) == 21
    assert page.svg_circles == 16  # the working-area map
    assert page.images == []  # no outside tiles or pictures


def test_home_page_in_english(server):
    page_html = server.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    page = Page(page_html)
    assert page.html_lang == "en"
    assert "Migrant Working Group" in page_html
    assert "Bangkok" in page_html
    assert "2006" in page_html


@pytest.mark.parametrize(
    ("query", "accept_language", "expected"),
    [("", "en", "en"), ("", "th", "th"), ("?lang=th", "en", "th"), ("?lang=en", "th", "en"),
     ("", None, "th"), ("", "fr, en;q=0.5", "en"), ("?lang=xx", "en", "en"), ("", "de", "th")],
)  # fmt: skip
def test_language_choice(server, query, accept_language, expected):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = server.get("/doc/province/th-10" + query, headers=headers)
    assert Page(response.text).html_lang == expected
    assert "accept-language" in response.headers["Vary"].lower()


def test_visible_language_switch_and_lang_param_is_kept_in_links(server):
    page = get_page(server, "/?lang=en")
    switch = [h for h, text in page.links if text == "ไทย"]
    assert switch and "lang=th" in switch[0]
    internal = [h for h, _ in page.links if h.startswith("/doc/")]
    assert internal and all("lang=en" in h for h in internal)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/doc/organization/mwg",
        "/doc/organization/sc",
        "/def",
        "/doc/province/th-10",
        "/browse/organization/",
        "/downloads/",
        "/doc/dataset/mwg",
        "/doc/target-group/low-skilled-migrant-workers-and-dependants",
    ],
)
@pytest.mark.parametrize("lang", ["th", "en"])
def test_links_are_labels_not_iris(server, path, lang):
    page = get_page(server, f"{path}?lang={lang}")
    assert page.links
    for href, text in page.links:
        assert text, href
        assert not text.startswith(("http://", "https://")), (href, text)


@pytest.mark.parametrize(
    "path", ["/", "/doc/organization/mwg", "/def", "/browse/", "/downloads/", "/widget/"]
)
def test_no_inline_script(server, path):
    for attrs, body in get_page(server, path).scripts:
        assert attrs.get("src") or attrs.get("type") == "application/ld+json", body[:80]


def test_resource_page_has_outgoing_incoming_and_sources(server):
    html = server.get("/doc/organization/sc?lang=en").text
    page = Page(html)
    assert "Solidarity Center" in html
    assert any(h.endswith("/doc/organization/mwg?lang=en") for h, _ in page.links)  # outgoing
    assert "Linked from" in html  # the network and the membership link here
    assert any("/doc/membership/sc" in h for h, _ in page.links)
    assert "Where these facts come from" in html
    assert any("/doc/source/mwg-about" in h for h, _ in page.links)


def test_index_pages_per_kind(server):
    page = get_page(server, "/browse/?lang=en")
    kinds = {h for h, _ in page.links if h.startswith("/browse/") and h != "/browse/?lang=en"}
    for kind in ("organization", "province", "strategy", "target-group", "mission"):
        assert f"/browse/{kind}/?lang=en" in kinds
    organisations = get_page(server, "/browse/organization/")
    assert len({h for h, _ in organisations.links if h.startswith("/doc/organization/")}) == 22
    strategies = get_page(server, "/browse/strategy/")
    assert len({h for h, _ in strategies.links if h.startswith("/doc/strategy/")}) == 5
    provinces = get_page(server, "/browse/province/")
    assert provinces.svg_circles == 16
    assert server.get("/browse/nothing/").status_code == 404


def test_embedded_jsonld_on_home_is_an_ngo(server):
    (doc,) = get_page(server, "/?lang=en").embedded()
    assert doc["@context"] == "https://schema.org"
    assert doc["@type"] == "NGO"
    assert doc["foundingDate"] == "2006-02"
    assert len(doc["member"]) == 21
    assert len(doc["areaServed"]) == 16
    assert all("geo" in area for area in doc["areaServed"])
    assert doc["name"] == "Migrant Working Group"


def test_embedded_jsonld_on_dataset_page_is_a_dataset(server):
    (doc,) = get_page(server, "/doc/dataset/mwg").embedded()
    assert doc["@type"] == "Dataset"
    assert doc["name"] and doc["description"] and doc["license"]
    assert {d["encodingFormat"] for d in doc["distribution"]} >= {
        "text/turtle",
        "application/ld+json",
    }
    (downloads,) = get_page(server, "/downloads/").embedded()
    assert downloads["@type"] == "Dataset"


@pytest.mark.parametrize(
    "path", ["/doc/organization/sc", "/doc/province/th-50", "/browse/province/", "/def"]
)
def test_every_page_embeds_jsonld(server, path):
    docs = get_page(server, path).embedded()
    assert len(docs) == 1 and docs[0]["@context"] == "https://schema.org"


def test_literals_are_escaped(copy_of_repo_inputs):
    """A literal containing <script> shows as text on the page and in the embedded JSON-LD."""
    from mwg_graph.build.release import build
    from mwg_graph.web.app import create_app

    evil = '<script>alert("x")</script> & </script><b>'
    members = copy_of_repo_inputs.data_dir / "members.ttl"
    with members.open("a", encoding="utf-8") as data:
        data.write(f"\norganization:sc skos:altLabel {Literal(evil, lang='en').n3()} .\n")
    build(copy_of_repo_inputs)
    app = create_app(replace(copy_of_repo_inputs, reload_interval=0))
    client = app.test_client()
    for path in ("/doc/organization/sc?lang=en", "/?lang=en"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html
        assert "</script><b>" not in html
    html = client.get("/doc/organization/sc?lang=en").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html
    (doc,) = Page(html).embedded()
    assert evil in doc["alternateName"]


def test_founding_month_reads_as_each_language_writes_it(server):
    # The source page: "ตั้งแต่เดือนกุมภาพันธ์ 2549" — Thai readers see the Buddhist Era year.
    source = (PROJECT_ROOT / "data" / "sources" / "mwg-about.th.txt").read_text("utf-8")
    month_th, year_be = re.search(r"ตั้งแต่เดือน(\S+) (\d{4})", source).groups()
    thai = server.get("/?lang=th").text
    assert f"{month_th} {year_be}" in thai
    english = server.get("/?lang=en").text
    assert f"February {int(year_be) - 543}" in english
