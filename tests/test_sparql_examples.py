"""Every example query of the query page returns the answer the SOURCE PAGE gives.

Expected values come from data/sources/mwg-about.th.txt (the MWG "about" page), read here, not
from data/: 21 members, 5 strategies in order, 16 provinces, 3 main issues, 3 visions, 5 missions,
10 collaborator categories, 3 sectors, the target groups with Myanmar, Lao and Cambodian nationals.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from rdflib import Graph, URIRef

from mwg_graph.sparql.examples import load_examples

from .conftest import SOURCE_PAGE

SOURCE = SOURCE_PAGE.read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of the source page between ``title`` and the next heading (a line ending in ':')."""
    start = SOURCE.index(title) + len(title)
    rest = SOURCE[start:].lstrip(":\n ")
    match = re.search(r"\n\n[^\n•]+:\s*\n", rest)
    return rest[: match.start()] if match else rest


def bullets(title: str) -> list[str]:
    return [
        re.sub(r"^\s*(•|\d+\.)\s*", "", line).strip()
        for line in section(title).splitlines()
        if re.match(r"^\s*(•|\d+\.)", line)
    ]


MEMBERS = bullets("องค์กรภาคีหลัก")
STRATEGIES = bullets("ยุทธศาสตร์")
PROVINCES = [
    word.removeprefix("และ")  # "… ชลบุรี และตราด": "and Trat"
    for word in section("พื้นที่การทำงานของภาคีเครือข่ายครอบคลุม").split()
    if word != "และ"
]
COLLABORATORS_TEXT = section("องค์กรความร่วมมือ")


def test_the_source_page_reads_as_expected():
    assert len(MEMBERS) == 21
    assert len(STRATEGIES) == 5
    assert len(PROVINCES) == 16


def values(rows: list[dict], var: str) -> list[str]:
    return [row[var]["value"] for row in rows if var in row]


def check_members(rows):
    assert len(rows) == 21
    acronyms = {m.group(1) for m in (re.search(r"\(([^)]+)\)$", name) for name in MEMBERS) if m}
    # Every acronym of the page is there (the data may add checked ones, e.g. Foundation for Women)
    assert {a.upper() for a in acronyms} <= {v.upper() for v in values(rows, "acronym")}
    assert all(row["nameEn"]["xml:lang"] == "en" for row in rows)
    assert all(row["nameTh"]["xml:lang"] == "th" for row in rows if "nameTh" in row)
    # In the page's order: each row's English name is the page's name or its checked spelling,
    # so compare the acronyms the page gives, row by row.
    assert [int(v) for v in values(rows, "position")] == list(range(1, 22))
    for row, name in zip(rows, MEMBERS, strict=True):
        given = re.search(r"\(([^)]+)\)$", name)
        if given:
            assert row["acronym"]["value"].upper() == given.group(1).upper(), name


def check_strategies(rows):
    assert [int(v) for v in values(rows, "position")] == [1, 2, 3, 4, 5]
    assert values(rows, "th") == STRATEGIES


def check_provinces(rows):
    assert len(rows) == 16
    assert sorted(values(rows, "th")) == sorted(PROVINCES)
    assert all(v.startswith("http://www.wikidata.org/entity/Q") for v in values(rows, "wikidata"))
    assert len(values(rows, "wikidata")) == 16


def check_target_groups(rows):
    primary = section("กลุ่มเป้าหมายของ MWG")
    assert "พม่า ลาว กัมพูชา" in primary  # the page's nationalities
    assert {v for v in values(rows, "countryEn")} == {"Myanmar", "Laos", "Cambodia"}
    assert {v for v in values(rows, "level")} == {"Primary target group", "Secondary target group"}
    # Each line after its level is one group; its wording names parts joined by "และ" ("and").
    lines = [line.split(":", 1)[1] for line in bullets("กลุ่มเป้าหมายของ MWG")]
    parts = [part.strip() for line in lines for part in line.split("และ")]
    groups = {r["group"]["value"] for r in rows if "partOfEn" not in r}
    assert len(groups) == len(lines) == 2
    part_rows = [r for r in rows if "partOfEn" in r]
    assert len({r["group"]["value"] for r in part_rows}) == len(parts) == 4
    assert {r["partOfEn"]["value"] for r in part_rows} == {
        r["groupEn"]["value"] for r in rows if "partOfEn" not in r
    }
    # The nationalities qualify the workers only: the group that names them and the one part whose
    # wording has them carry three each; the other parts none.
    named = sum("พม่า ลาว กัมพูชา" in part for part in parts)
    assert named == 1
    assert len([r for r in rows if "nationalityEn" in r and "partOfEn" not in r]) == 3
    with_nationality = {r["group"]["value"] for r in part_rows if "nationalityEn" in r}
    assert len(with_nationality) == named
    assert len([r for r in part_rows if "nationalityEn" in r]) == 3 * named


def check_themes(rows):
    assert sorted(values(rows, "th")) == sorted(["สุขภาพ", "การศึกษา", "สิทธิแรงงาน"])
    assert all(v in SOURCE for v in values(rows, "th"))


def check_vision_and_missions(rows):
    kinds = values(rows, "kind")
    assert kinds.count("vision") == len(bullets("วิสัยทัศน์")) == 3
    assert kinds.count("mission") == len(bullets("พันธกิจ")) == 5


def check_collaborators(rows):
    assert [int(v) for v in values(rows, "position")] == list(range(1, 11))
    names = values(rows, "th")  # the data repairs the page's typos, so compare the ends
    assert COLLABORATORS_TEXT.strip().startswith(names[0])  # หน่วยงานภาครัฐ
    assert COLLABORATORS_TEXT.strip().endswith(names[-1])  # สื่อมวลชน


def check_sectors(rows):
    assert len(rows) == 3
    for word in ("ภาครัฐ", "ภาควิชาการ", "ภาคประชาสังคม"):
        assert word in SOURCE
    assert sorted(values(rows, "th")) == sorted(["ภาครัฐ", "ภาควิชาการ", "ภาคประชาสังคม"])


def check_network(rows):
    (row,) = rows
    assert row["acronym"]["value"] == "MWG"
    assert row["th"]["value"] == "เครือข่ายองค์กรด้านประชากรข้ามชาติ"  # the page's heading
    assert row["founded"]["value"] == "2006-02"  # กุมภาพันธ์ 2549 BE
    assert (
        int(row["members"]["value"]),
        int(row["provinces"]["value"]),
        int(row["strategies"]["value"]),
    ) == (21, 16, 5)


def check_no_acronym(rows):
    named_only = [name for name in MEMBERS if not re.search(r"\([^)]+\)$", name)]
    assert len(named_only) == 5
    # the data may add a checked acronym the page lacks, never drop one the page gives
    assert 0 < len(rows) <= 5
    assert all(row["en"]["value"] in named_only for row in rows)


def check_north_to_south(rows):
    latitudes = [float(v) for v in values(rows, "lat")]
    assert len(latitudes) == 16
    assert latitudes == sorted(latitudes, reverse=True)
    assert rows[0]["en"]["value"] == "Chiang Mai"  # เชียงใหม่, the northernmost on the page


def check_find_by_name(rows):
    names = values(rows, "name")
    assert any("Foundation" in n for n in names)
    assert len({r["resource"]["value"] for r in rows}) >= sum("Foundation" in m for m in MEMBERS)


def check_class_counts(rows):
    counts = {row["class"]["value"]: int(row["count"]["value"]) for row in rows}
    assert counts["http://www.w3.org/ns/org#Organization"] >= 21
    assert counts["https://schema.org/AdministrativeArea"] == 16
    assert counts["https://w3id.org/mwg/def#Strategy"] == 5


CHECKS: dict[str, Callable[[list[dict]], None]] = {
    "01-members": check_members,
    "02-strategies": check_strategies,
    "03-provinces": check_provinces,
    "04-target-groups-by-nationality": check_target_groups,
    "05-themes": check_themes,
    "06-vision-and-missions": check_vision_and_missions,
    "07-collaborators": check_collaborators,
    "08-sectors": check_sectors,
    "09-network": check_network,
    "10-members-without-acronym": check_no_acronym,
    "11-provinces-north-to-south": check_north_to_south,
    "12-find-by-name": check_find_by_name,
    "13-class-counts": check_class_counts,
}
EXAMPLES = load_examples()


def test_every_example_is_checked_and_there_are_enough():
    assert len(EXAMPLES) >= 10
    assert {e.name for e in EXAMPLES} == set(CHECKS) | {"14-describe-member"}
    for example in EXAMPLES:
        assert example.title and len(example.description) > 20


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.name in CHECKS], ids=lambda e: e.name)
def test_example_answers(server, example):
    response = server.post(
        "/sparql",
        data={"query": example.query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert rows, "empty answer"
    CHECKS[example.name](rows)


def test_describe_member_example(server):
    (example,) = [e for e in EXAMPLES if e.name == "14-describe-member"]
    response = server.post(
        "/sparql", data={"query": example.query}, headers={"Accept": "text/turtle"}
    )
    graph = Graph().parse(data=response.text, format="turtle")
    sc = URIRef("https://w3id.org/mwg/id/organization/sc")
    assert "Solidarity Center (SC)" in MEMBERS
    assert {str(o) for o in graph.objects(sc, None)} >= {"SC", "Solidarity Center"}


def test_the_page_order_of_provinces_is_queryable(server):
    """The working area in the source page's order, asked of the endpoint (schema:position)."""
    query = """
        PREFIX mwgo: <https://w3id.org/mwg/def#>
        PREFIX schema: <https://schema.org/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?position ?th WHERE {
          <https://w3id.org/mwg/id/organization/mwg> mwgo:workingArea ?province .
          ?province schema:position ?position ; skos:prefLabel ?th .
          FILTER(lang(?th) = "th")
        } ORDER BY ?position"""
    response = server.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert values(rows, "th") == PROVINCES
    assert [int(v) for v in values(rows, "position")] == list(range(1, 17))
