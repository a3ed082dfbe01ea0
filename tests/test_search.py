"""``/search``: every resource by any of its names, on the real server.

Each case is a query written from the source page (data/sources/mwg-about.th.txt) — its Thai
without spaces, its English names and acronyms, its own misspellings — or from the data's IRIs
(README "IRIs": a province's slug is its ISO 3166-2 code), and the resource it must find first.
"""

from __future__ import annotations

import re

import pytest

CASES = [
    # Thai, without spaces, as the page writes it
    ("เครือข่ายองค์กรด้านประชากรข้ามชาติ", "organization/mwg"),
    ("มูลนิธิศุภนิมิต", "organization/wvft"),
    ("สุขภาพ", "theme/health"),
    ("การศึกษา", "theme/education"),
    ("สิทธิแรงงาน", "theme/labour-rights"),
    ("กรุงเทพมหานคร", "province/th-10"),
    ("สุราษฎร์ธานี", "province/th-84"),
    ("สมุทรสงคราม", "province/th-75"),
    ("หนองคาย", "province/th-43"),
    ("ตาก", "province/th-63"),
    ("ยุทธศาสตร์ระดมทุน", "strategy/4"),
    ("ความยั่งยืน", "strategy/4"),
    ("พหุวัฒนธรรม", "mission/4"),
    ("ประชาคมอาเซียน", "mission/4"),
    ("ศักดิ์ศรีความเป็นมนุษย์", "goal/1"),
    ("ผู้ไร้สัญชาติ", "target-group/stateless-people"),
    ("กลุ่มที่มีปัญหาสถานะ", "target-group/people-with-status-problems"),
    ("แรงงานระดับล่าง", "target-group/low-skilled-migrant-workers"),
    # the page's whole line is the name of its group; the part a line names wins on its own name
    ("กลุ่มที่มีปัญหาสถานะและผู้ไร้สัญชาติ", "target-group/people-with-status-problems-and-stateless-people"),
    ("ผู้ติดตาม", "target-group/accompanying-dependants"),
    ("สัญชาติกัมพูชา", "nationality/cambodian"),
    ("หน่วยงานภาครัฐ", "collaborator-category/government-agencies"),
    ("สื่อมวลชน", "collaborator-category/mass-media"),
    ("ภาคประชาสังคม", "sector/civil-society"),
    # a missing tone or vowel mark
    ("เชียงใหม", "province/th-50"),
    ("สุราษฎรธานี", "province/th-84"),
    ("ภูเกต", "province/th-83"),
    ("ชมพร", "province/th-86"),
    ("ผูไรสัญชาติ", "target-group/stateless-people"),
    # the source's own misspellings
    ("สถานฑูต", "collaborator-category/embassies"),
    ("ส่งเสริมและค้มครองสิทธิแรงงานข้ามชาติ", "vision/3"),
    ("Word Vision", "organization/wvft"),
    ("Friend of Women", "organization/fow"),
    ("Human Right Development Foundation", "organization/hrdf"),
    ("Foundation of AIDS Rights", "organization/far"),
    ("National Catholic Commission Migration", "organization/nccm"),
    # English names from the page
    ("Solidarity Center", "organization/sc"),
    ("Environmental Justice Foundation", "organization/ejf"),
    ("Baan Dek Foundation", "organization/baan-dek-foundation"),
    ("Fortify Rights", "organization/fortify-rights"),
    ("Jesuit Refugee Service", "organization/jrs"),
    ("Save the Children", "organization/save-the-children-thailand"),
    ("Migrant Working Group", "organization/mwg"),
    ("Foundation for Women", "organization/foundation-for-women"),
    # acronyms as the page gives them
    ("HRDF", "organization/hrdf"),
    ("IOM", "organization/iom"),
    ("DISAC", "organization/disac"),
    ("FoW", "organization/fow"),
    ("mwrn", "organization/mwrn"),
    # a one-letter slip in a long Latin word
    ("Solidarty Center", "organization/sc"),
    ("Enviromental Justice Foundation", "organization/ejf"),
    ("Jesuit Refugee Servise", "organization/jrs"),
    # ISO 3166 codes (the slug of a province or country)
    ("TH-50", "province/th-50"),
    ("th-10", "province/th-10"),
    ("MM", "country/mm"),
]


def search(server, query: str, **params) -> dict:
    response = server.get("/search.json", params={"q": query, **params})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q for q, _ in CASES])
def test_finds_the_expected_resource_first(server, built_settings, query, expected):
    results = search(server, query)["results"]
    assert results, f"nothing found for {query!r}"
    assert results[0]["id"] == built_settings.base_iri + "id/" + expected, results[:3]


def test_enough_cases():
    assert len(CASES) >= 30


def test_results_are_typed_and_named_in_the_asked_language(server):
    thai = search(server, "HRDF", lang="th")["results"][0]
    english = search(server, "HRDF", lang="en")["results"][0]
    assert (thai["kind"], thai["kind_name"], english["kind_name"]) == (
        "organization",
        "องค์กร",
        "organisation",
    )
    place_th = search(server, "Chiang Mai", lang="th")["results"][0]
    place_en = search(server, "เชียงใหม่", lang="en")["results"][0]
    assert (place_th["name"], place_th["lang"]) == ("เชียงใหม่", "th")
    assert (place_en["name"], place_en["lang"]) == ("Chiang Mai", "en")
    assert place_th["kind_name"] == "จังหวัด" and place_en["kind_name"] == "province"


def test_exact_flag_only_for_a_name_written_letter_for_letter(server):
    assert search(server, "เชียงใหม่")["results"][0]["exact"] is True
    assert search(server, "เชียงใหม")["results"][0]["exact"] is False
    assert search(server, "Word Vision")["results"][0]["exact"] is False


def test_result_links_lead_to_the_resource_page(server, built_settings):
    result = search(server, "ชุมพร")["results"][0]
    page = server.get(result["href"].replace(server.url, ""), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "ชุมพร" in page.text


def test_json_by_accept_header_with_cors(server):
    response = server.get(
        "/search",
        params={"q": "IOM"},
        headers={"Accept": "application/json", "Origin": "https://example.org"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.headers.get("Vary", "")
    assert response.json()["results"][0]["id"].endswith("/id/organization/iom")


def test_limit_and_kind_filter(server):
    results = search(server, "แรงงาน", limit=2)["results"]
    assert len(results) == 2
    provinces = search(server, "สมุทร", kind="province")["results"]
    assert {r["id"].rsplit("/", 1)[1] for r in provinces} == {"th-11", "th-74", "th-75"}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_page_in_both_languages_without_javascript(server, lang):
    response = server.get("/search", params={"q": "ระนอง", "lang": lang})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.text
    assert f'<html lang="{lang}">' in html
    assert ("ผลการค้นหา" if lang == "th" else "Search results") in html
    assert ("จังหวัด" if lang == "th" else "province") in html
    assert ">ระนอง<" in html or ">Ranong<" in html
    assert re.search(r'<a href="[^"]*/doc/province/th-85', html)
    # the result list is in the HTML itself: no script is needed to see it
    assert "<script>" not in html


def test_no_match_says_so(server):
    html = server.get("/search", params={"q": "qqqqqqqq", "lang": "en"}).text
    assert "Nothing matches this search." in html


def test_header_box_on_every_page_keeps_the_language(server):
    for path in ("/", "/browse/", "/downloads/", "/doc/province/th-10"):
        html = server.get(path, params={"lang": "en"}, headers={"Accept": "text/html"}).text
        form = re.search(
            r'<form class="site-search"[^>]*action="([^"]+)"[^>]*>(.*?)</form>', html, re.S
        )
        assert form, path
        assert form.group(1).endswith("/search")
        assert 'name="q"' in form.group(2) and 'name="lang" value="en"' in form.group(2)
        assert re.search(r'<label for="site-q"', form.group(2))
        assert 'src="/static/js/search-suggest.js"' in html


def test_suggestion_script_is_self_hosted_and_allowed_by_the_csp(server):
    script = server.get("/static/js/search-suggest.js")
    assert script.status_code == 200
    assert "fetch(" in script.text and not re.search(r"https?://", script.text)  # ours only
    csp = server.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp


@pytest.mark.parametrize(
    ("params", "needle"),
    [({"q": "x" * 201}, "at most 200"), ({"q": "a", "limit": "many"}, "whole number"),
     ({"q": "a", "limit": "0"}, "between 1 and 50"), ({"q": "a\x00b"}, "control characters")],
)  # fmt: skip
def test_bad_input_is_a_clear_400(server, params, needle):
    for path in ("/search", "/search.json"):
        response = server.get(path, params=params, headers={"Accept": "application/json"})
        assert response.status_code == 400, (path, response.text)
        assert needle in response.json()["message"]


def test_empty_query_is_an_empty_answer(server):
    assert search(server, "")["results"] == []
    assert server.get("/search").status_code == 200


def test_a_word_of_the_history_finds_the_network_with_the_words_around_it(server):
    # the source page's history: "...ตั้งแต่เดือนกุมภาพันธ์ 2549 มาจนถึงปัจจุบัน..."
    top = search(server, "กุมภาพันธ์")["results"][0]
    assert top["id"].endswith("/id/organization/mwg")
    assert "กุมภาพันธ์" in top["matched"] and len(top["matched"]) <= 142


def test_page_names_its_json_twin(server):
    html = server.get("/search", params={"q": "ตราด", "lang": "en"}).text
    link = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', html)
    assert link
    twin = server.get(link.group(1).replace("&amp;", "&"))
    assert twin.json()["results"][0]["id"].endswith("/id/province/th-23")


def test_a_release_without_an_index_file_is_still_searchable(built_settings, tmp_path):
    """An older release (built before the index existed) or a damaged file: made from the dump."""
    import shutil

    from mwg_graph.search_index import INDEX_FILE, index_for
    from mwg_graph.web.releases import load_published

    for damage in ("missing", "damaged"):
        release = tmp_path / damage  # a folder of its own: a fresh key for the per-process cache
        shutil.copytree(built_settings.dist_dir / "current", release)
        if damage == "missing":
            (release / INDEX_FILE).unlink()
        else:
            (release / INDEX_FILE).write_text('{"entries": [', encoding="utf-8")
        published = load_published(release)
        index = index_for(published)
        hits = index.find("HRDF")
        assert index.entries[hits[0].entry]["id"] == "organization/hrdf", damage
