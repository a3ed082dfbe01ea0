"""Thai done fully and findable (issue 11 items 5, 6): dictionary order, lang on names, the
remembered language, counts that say what they count, meta description, canonical, hreflang,
sitemap, robots.txt and the skip link — over HTTP against the real server."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import requests

# The 16 provinces of the source page ("พื้นที่การทำงาน…"), written by hand in Thai dictionary
# order, as the Royal Institute dictionary and the government's list of provinces order them:
# consonant first, a leading vowel (เ) after its consonant, กร before กา, ชล before ชุ.
PROVINCES_IN_THAI_ORDER = [
    "กรุงเทพมหานคร", "กาญจนบุรี", "ชลบุรี", "ชุมพร", "เชียงใหม่", "ตราด", "ตาก", "พังงา",
    "ภูเก็ต", "ระนอง", "ระยอง", "สมุทรปราการ", "สมุทรสงคราม", "สมุทรสาคร", "สุราษฎร์ธานี",
    "หนองคาย",
]  # fmt: skip
PAGE_KINDS = [
    "/", "/doc/organization/hrdf", "/doc/province/chiang-mai", "/browse/", "/browse/province/",
    "/downloads/", "/search?q=HRDF", "/sparql", "/link", "/widget/", "/def",
]  # fmt: skip
DATA_SUFFIXES = (".ttl", ".jsonld", ".nt", ".rdf")
BROWSER = {"Accept": "text/html"}
SEO_PAGES = [p for p in PAGE_KINDS if "?" not in p]


class Links(HTMLParser):
    """Every start tag's attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Links()
    parser.feed(html)
    return parser.tags


def index_names(html: str) -> list[str]:
    block = html.split('<ul class="index">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<li><a [^>]*>([^<]+)</a>", block)


def test_provinces_in_thai_dictionary_order(server):
    html = server.get("/browse/province/?lang=th").text
    assert index_names(html) == PROVINCES_IN_THAI_ORDER


def test_english_index_ignores_case(server):
    names = index_names(server.get("/browse/organization/?lang=en").text)
    assert len(names) > 20
    assert names == sorted(names, key=str.casefold)


def test_latin_names_in_a_thai_page_are_marked_english(server):
    html = server.get("/?lang=th").text
    marked = [m for m in re.findall(r'<a [^>]*lang="en"[^>]*>([^<]+)</a>', html)]
    assert any(name.startswith("Solidarity Center") for name in marked)
    # and no Latin-only name in the member list is left unmarked (Thai's lang="th" applies)
    members = html.split('id="members"', 1)[1].split("</section>", 1)[0]
    for attrs, text in re.findall(r"<a ([^>]*)>([^<]+)</a>", members):
        if not re.search(r"[\u0e01-\u0e5b]", text):
            assert 'lang="en"' in attrs, text


def test_organisation_count_says_what_it_counts(server):
    home = server.get("/?lang=en").text
    members = re.search(r"Member organisations <small>\((\d+)\)</small>", home)
    assert members and members.group(1) == "21"
    browse = server.get("/browse/?lang=en").text
    assert "(22: MWG and its 21 member organisations)" in browse
    assert "(22: MWG และองค์กรภาคีหลัก 21 องค์กร)" in server.get("/browse/?lang=th").text


def site_links(html: str) -> list[str]:
    """This site's links in a page, but the language switch (which names its language)."""
    return [
        a["href"]
        for tag, a in tags(html)
        if tag == "a" and a.get("href", "").startswith("/") and "hreflang" not in a
    ]


def test_language_choice_is_remembered_and_kept_on_every_link(server):
    with requests.Session() as reader:
        first = reader.get(server.url + "/?lang=en", timeout=30)
        cookie = first.headers["Set-Cookie"]
        assert cookie.startswith("lang=en;") and "SameSite=Lax" in cookie
        for path in ("/", "/browse/organization/", "/search?q=HRDF", "/doc/organization/hrdf"):
            headers = {"Accept-Language": "th", **BROWSER}
            page = reader.get(server.url + path, headers=headers, timeout=30)
            assert page.headers["Content-Language"] == "en", path
            assert "Cookie" in page.headers["Vary"], path
            links = site_links(page.text)
            assert links, path
            for href in links:
                # ?lang=en, before any #fragment (a row of another page: #fact-workingArea)
                if href.split("#")[0].endswith("lang=en") or href.split("?")[0].endswith(
                    DATA_SUFFIXES
                ):
                    continue  # data (Turtle, JSON-LD…) holds both languages
                pytest.fail(f"{path}: link {href} lost the language")


def test_every_page_varies_by_cookie(server):
    for path in PAGE_KINDS:
        response = server.get(path, headers=BROWSER)
        assert "Cookie" in response.headers["Vary"], path


def test_one_clients_cookie_never_reaches_another(server):
    # The cookie reader asks first, so any page memoised for it would be handed on.
    for path in ("/", "/browse/province/", "/doc/organization/hrdf"):
        en = server.get(path, cookies={"lang": "en"}, headers={"Accept-Language": "th"})
        assert en.headers["Content-Language"] == "en"
        other = server.get(path, headers={"Accept-Language": "th"})
        assert other.headers["Content-Language"] == "th"
        assert [h for h in site_links(other.text) if "lang=" in h] == []
        assert '<html lang="th">' in other.text


@pytest.mark.parametrize("path", SEO_PAGES)
@pytest.mark.parametrize("lang", ["th", "en"])
def test_canonical_hreflang_and_description(server, path, lang):
    html = server.get(f"{path}?lang={lang}", headers=BROWSER).text
    heads = tags(html.split("</head>", 1)[0])
    links = [a for tag, a in heads if tag == "link"]
    canonical = [a["href"] for a in links if a.get("rel") == "canonical"]
    assert canonical == [f"{server.url}{path}?lang={lang}"]
    hreflang = {a["hreflang"]: a["href"] for a in links if a.get("hreflang")}
    assert hreflang == {
        "th": f"{server.url}{path}?lang=th",
        "en": f"{server.url}{path}?lang=en",
        "x-default": f"{server.url}{path}",
    }
    description = [
        a["content"] for tag, a in heads if tag == "meta" and a.get("name") == "description"
    ]
    assert len(description) == 1 and len(description[0]) > 20
    has_thai = bool(re.search(r"[\u0e01-\u0e5b]", description[0]))
    assert has_thai == (lang == "th"), description[0]


def test_description_comes_from_the_resource(server, release_graph):
    from rdflib.namespace import SKOS

    defined = next(
        (s, o) for s, o in release_graph.subject_objects(SKOS.definition)
        if getattr(o, "language", None) == "en" and "/id/" in str(s) and "#" not in str(s)
    )  # fmt: skip
    path = "/doc/" + str(defined[0]).split("/id/", 1)[1]
    html = server.get(path + "?lang=en").text
    meta = next(
        a["content"] for t, a in tags(html) if t == "meta" and a.get("name") == "description"
    )
    assert meta.rstrip("…")[:40] == " ".join(str(defined[1]).split())[:40]


def test_canonical_never_takes_a_forged_host_into_another_clients_page(server):
    server.get("/browse/?lang=th", headers={"Host": "evil.example"})
    html = server.get("/browse/?lang=th").text
    assert "evil.example" not in html
    assert f'<link rel="canonical" href="{server.url}/browse/?lang=th">' in html


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_skip_link_comes_first(server, path):
    html = server.get(path, headers=BROWSER).text
    body = html.split("<body", 1)[1]
    focusable = [
        (t, a) for t, a in tags(body) if t in ("a", "input", "button", "select", "textarea")
    ]
    assert focusable[0] == ("a", {"class": "skip-link", "href": "#content"})
    assert 'id="content"' in body
    assert "ข้ามไปยังเนื้อหา" in body.split("</a>", 1)[0]


def test_sitemap_lists_every_page_in_both_languages(server):
    response = server.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert len(locs) == len(set(locs))
    # every resource an index page links to, and every index page, in both languages
    browse = server.get("/browse/").text
    kinds = [h.split("?")[0] for h in re.findall(r'href="(/browse/[a-z-]+/)[^"]*"', browse)]
    assert len(kinds) > 10
    pages = {"/", "/browse/", "/downloads/", *kinds}
    for kind in kinds:
        pages |= {
            h.split("?")[0] for h in re.findall(r'href="(/doc/[^"#]+)"', server.get(kind).text)
        }
    for page in pages:
        for lang in ("th", "en"):
            assert f"{server.url}{page}?lang={lang}" in locs, page


def test_robots_points_at_the_sitemap(server):
    response = server.get("/robots.txt")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {server.url}/sitemap.xml" in lines


def robots_allows(rules: list[tuple[str, str]], path: str) -> bool:
    """RFC 9309 §2.2.2: the longest matching rule wins, ``Allow`` on a tie; ``*`` and ``$``."""

    def pattern(rule: str) -> re.Pattern[str]:
        anchored = rule.endswith("$")
        body = ".*".join(re.escape(part) for part in rule.rstrip("$").split("*"))
        return re.compile(body + ("$" if anchored else ""))

    matching = [(len(rule), kind == "allow") for kind, rule in rules if pattern(rule).match(path)]
    return max(matching, default=(0, True))[1]


def test_robots_lets_the_query_page_in_and_keeps_queries_out(server):
    rules = [
        (kind.strip().lower(), rule.strip())
        for kind, _, rule in (
            line.partition(":") for line in server.get("/robots.txt").text.splitlines()
        )
        if kind.strip().lower() in ("allow", "disallow")
    ]
    for lang in ("th", "en"):  # the query page's canonical address, listed in the sitemap
        assert robots_allows(rules, f"/sparql?lang={lang}")
        assert not robots_allows(rules, f"/sparql?lang={lang}&query=ASK%7B%7D")
    assert not robots_allows(rules, "/sparql?query=ASK%7B%7D")
    assert not robots_allows(rules, "/search.json?q=mwg")
    assert robots_allows(rules, "/doc/organization/hrdf?lang=th")


def test_every_page_asks_for_its_fonts_with_the_page(server):
    """The fonts are preloaded, so they arrive before the first paint and text is laid out once."""
    css = server.get("/static/css/site.css").text
    files = set(re.findall(r"url\(\.\./fonts/([^)]+\.woff2)\)", css))
    for page in ("/", "/sparql", "/doc/organization/hrdf", "/search?q=HRDF"):
        html = server.get(page, headers=BROWSER).text
        preloaded = re.findall(
            r'<link rel="preload" as="font"[^>]*href="/static/fonts/([^"]+)"', html
        )
        assert set(preloaded) == files, page


def test_fonts_are_served_with_their_licence(server):
    css = server.get("/static/css/site.css").text
    files = re.findall(r"url\(\.\./fonts/([^)]+\.woff2)\)", css)
    assert len(files) == 4 and "font-display: swap" in css
    for name in files:
        font = server.get(f"/static/fonts/{name}")
        assert font.status_code == 200 and font.content[:4] == b"wOF2", name
    licence = server.get("/static/fonts/OFL.txt")
    assert licence.status_code == 200 and "SIL Open Font License" in licence.text


def test_an_iri_that_names_its_language_keeps_it_through_the_303(server):
    response = server.get("/id/organization/hrdf?lang=en", headers=BROWSER)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/doc/organization/hrdf?lang=en")
    plain = server.get("/id/organization/hrdf?lang=xx", headers=BROWSER)
    assert plain.headers["Location"].endswith("/doc/organization/hrdf")
