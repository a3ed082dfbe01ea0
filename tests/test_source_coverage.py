"""The published graph says everything the source page says, and nothing it does not.

Expectations are read from the source page itself (data/sources/mwg-about.th.txt) and the
checked reference table, never copied from data/. Thai text is compared by its *skeleton* — the
base letters with whitespace and combining vowels/tone marks removed — so the test tolerates the
repairs of extraction damage (a mark split off or misplaced) but not a changed or missing word.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from mwg_graph.config import Settings
from mwg_graph.dist import current_release
from mwg_graph.iris import ORG, SCHEMA, Iris

from .conftest import REFERENCE_DIR, SOURCE_PAGE

COMBINING = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
# Misspellings in the source that change a base letter; the published text must use the right one.
TYPOS = {"สถานฑูต": "สถานทูต"}
THAI_MONTHS = {"มกราคม": 1, "กุมภาพันธ์": 2, "มีนาคม": 3}


def skeleton(text: str) -> str:
    for wrong, right in TYPOS.items():
        text = text.replace(wrong, right)
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", "", COMBINING.sub("", text))


def source_sections() -> dict[str, list[str]]:
    """Heading (without the colon) → its non-empty lines, bullets and numbers stripped."""
    sections: dict[str, list[str]] = {}
    heading = None
    for raw in SOURCE_PAGE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.endswith(":") and len(line) < 60:
            heading = line.rstrip(":").strip()
            sections[heading] = []
        elif heading is not None:
            sections[heading].append(re.sub(r"^(•|\d+\.)\s*", "", line))
    return sections


SECTIONS = source_sections()


@pytest.fixture(scope="module")
def graph(built_settings: Settings) -> Graph:
    release = current_release(built_settings)
    assert release is not None
    return Graph().parse(release / "mwg.nt", format="nt")


@pytest.fixture(scope="module")
def iris(built_settings: Settings) -> Iris:
    return Iris(built_settings.base_iri)


def thai(graph: Graph, node: URIRef) -> str:
    labels = [o for o in graph.objects(node, SKOS.prefLabel) if o.language == "th"]
    assert len(labels) == 1, f"{node} has {len(labels)} Thai names"
    return str(labels[0])


def linked(graph: Graph, iris: Iris, prop: str) -> list[URIRef]:
    """The network's values of ``mwgo:{prop}``, in source order where they have a position."""
    network = iris.instance("organization", "mwg")
    nodes = list(graph.objects(network, iris.terms[prop]))
    return sorted(nodes, key=lambda n: int(graph.value(n, SCHEMA.position) or 0))


def test_sections_were_read_from_the_source() -> None:
    # Guards the parser above: if the page layout changes, these counts say so.
    assert len(SECTIONS["วิสัยทัศน์"]) == 3
    assert len(SECTIONS["พันธกิจ"]) == 5
    assert len(SECTIONS["ยุทธศาสตร์"]) == 5
    assert len(SECTIONS["องค์กรภาคีหลัก"]) == 21


def test_network_names_founding_and_meetings(graph: Graph, iris: Iris) -> None:
    network = iris.instance("organization", "mwg")
    page = SOURCE_PAGE.read_text(encoding="utf-8")
    assert thai(graph, network) in page
    english = [str(o) for o in graph.objects(network, SKOS.prefLabel) if o.language == "en"]
    assert english == [
        "Migrant Working Group"
    ]  # the page's own English title, "Migrant Working Group (MWG)"
    assert "MWG" in {str(o) for o in graph.objects(network, iris.terms.acronym)}
    match = re.search(r"ตั้งแต่เดือน(\S+) (\d{4})", page)
    assert match
    month, buddhist_year = THAI_MONTHS[match.group(1)], int(match.group(2))
    founded = graph.value(network, SCHEMA.foundingDate)
    assert str(founded) == f"{buddhist_year - 543}-{month:02d}"
    assert "เดือนละครั้ง" in page
    assert (
        network,
        iris.terms.meetingFrequency,
        URIRef("http://purl.org/cld/freq/monthly"),
    ) in graph


def test_history_says_what_the_page_says(graph: Graph, iris: Iris) -> None:
    network = iris.instance("organization", "mwg")
    history = {o.language: str(o) for o in graph.objects(network, iris.terms.history)}
    assert set(history) == {"th", "en"}
    assert skeleton(history["th"]) == skeleton(" ".join(SECTIONS["ความเป็นมา"]))


@pytest.mark.parametrize(
    ("heading", "prop", "count"),
    [("เป้าหมาย", "hasGoal", 1), ("วิสัยทัศน์", "hasVision", 3), ("พันธกิจ", "hasMission", 5),
     ("ยุทธศาสตร์", "hasStrategy", 5)],
)  # fmt: skip
def test_statements_in_source_order(
    graph: Graph, iris: Iris, heading: str, prop: str, count: int
) -> None:
    statements = linked(graph, iris, prop)
    assert len(statements) == count == len(SECTIONS[heading])
    for node, text in zip(statements, SECTIONS[heading], strict=True):
        assert skeleton(thai(graph, node)) == skeleton(text), node
        assert any(o.language == "en" for o in graph.objects(node, SKOS.prefLabel))
    if count > 1:
        assert [int(graph.value(n, SCHEMA.position)) for n in statements] == list(
            range(1, count + 1)
        )


def test_main_issues_and_partner_sectors(graph: Graph, iris: Iris) -> None:
    history = " ".join(SECTIONS["ความเป็นมา"])
    issues = re.search(r"ได้แก่ (.+)$", history).group(1).replace(" และ", " ").split()
    assert issues == ["สุขภาพ", "การศึกษา", "สิทธิแรงงาน"]
    assert {thai(graph, n) for n in linked(graph, iris, "mainIssue")} == set(issues)
    sectors = re.search(r"กับทาง(.+?) ในประเด็น", history).group(1).replace(" และ", " ").split()
    assert sectors == ["ภาครัฐ", "ภาควิชาการ", "ภาคประชาสังคม"]
    published = [thai(graph, n) for n in linked(graph, iris, "worksWithSector")]
    assert len(published) == 3
    for sector in sectors:
        assert any(sector in label for label in published), sector


def test_every_main_partner_is_a_member(graph: Graph, iris: Iris) -> None:
    network = iris.instance("organization", "mwg")
    members = set(graph.objects(network, ORG.hasMember))
    assert len(members) == 21
    for line in SECTIONS["องค์กรภาคีหลัก"]:
        match = re.fullmatch(r"(.+?)(?: \((\w+)\))?", line)
        name, acronym = match.group(1), match.group(2)
        labels = (SKOS.prefLabel, SKOS.hiddenLabel)
        names = {m: {str(o) for p in labels for o in graph.objects(m, p)} for m in members}
        found = [m for m in members if name in names[m]]
        assert len(found) == 1, f"{name!r} is not exactly one member"
        member = found[0]
        if acronym:
            acronyms = {str(o).lower() for o in graph.objects(member, iris.terms.acronym)}
            assert acronym.lower() in acronyms, name
        memberships = [
            ms for ms in graph.subjects(ORG.member, member)
            if (ms, ORG.organization, network) in graph and (ms, RDF.type, ORG.Membership) in graph
        ]  # fmt: skip
        assert len(memberships) == 1, name


def test_checked_names_are_published_and_source_spelling_kept(graph: Graph, iris: Iris) -> None:
    # From data/reference/README.md: "Word Vision" is a typo for World Vision.
    reference = (REFERENCE_DIR / "README.md").read_text(encoding="utf-8")
    assert "World Vision Foundation of Thailand" in reference
    member = iris.instance("organization", "wvft")
    assert "World Vision Foundation of Thailand" in {
        str(o) for o in graph.objects(member, SKOS.prefLabel) if o.language == "en"
    }
    assert "Word Vision Foundation of Thailand" in {
        str(o) for o in graph.objects(member, SKOS.hiddenLabel)
    }


def reference_provinces() -> dict[str, tuple[str, str, str]]:
    """Thai name → (ISO 3166-2, Wikidata QID, GeoNames id), from the checked reference table."""
    rows = {}
    for line in (REFERENCE_DIR / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"TH-\d\d", cells[1]):
            rows[cells[0]] = (cells[1], cells[3], cells[4])
    return rows


def test_working_area_is_the_sixteen_provinces(graph: Graph, iris: Iris) -> None:
    text = " ".join(SECTIONS["พื้นที่การทำงานของภาคีเครือข่ายครอบคลุม"]).replace(" และ", " ")
    names = text.split()
    assert len(names) == 16
    reference = reference_provinces()
    provinces = {thai(graph, p): p for p in linked(graph, iris, "workingArea")}
    assert set(provinces) == set(names)
    for name in names:
        iso, qid, geonames = reference[name]
        node = provinces[name]
        assert str(graph.value(node, iris.terms.iso3166_2)) == iso
        same = {str(o) for o in graph.objects(node, URIRef("http://www.w3.org/2002/07/owl#sameAs"))}
        assert f"http://www.wikidata.org/entity/{qid}" in same
        assert f"https://sws.geonames.org/{geonames}/" in same


def test_collaborator_categories_cover_the_paragraph(graph: Graph, iris: Iris) -> None:
    paragraph = " ".join(SECTIONS["องค์กรความร่วมมือ"]).replace(" และ", "")
    categories = linked(graph, iris, "collaboratesWith")
    assert len(categories) == 10
    assert skeleton("".join(thai(graph, c) for c in categories)) == skeleton(paragraph)


def test_target_groups_and_nationalities(graph: Graph, iris: Iris) -> None:
    """The page's two target-group lines are two groups, each with its whole line as its name."""
    lines = SECTIONS["กลุ่มเป้าหมายของ MWG"]
    assert len(lines) == 2
    by_level_text = dict(line.split(":", 1) for line in lines)
    groups = linked(graph, iris, "targetGroup")
    assert len(groups) == len(lines)
    by_level = {thai(graph, graph.value(g, iris.terms.targetLevel)): g for g in groups}
    assert set(by_level) == {"กลุ่มเป้าหมายหลัก", "กลุ่มเป้าหมายรอง"} == set(by_level_text)
    for level, group in by_level.items():
        assert skeleton(thai(graph, group)) == skeleton(by_level_text[level]), level
        english = [o for o in graph.objects(group, SKOS.prefLabel) if o.language == "en"]
        assert len(english) == 1, group
    primary = by_level["กลุ่มเป้าหมายหลัก"]
    assert "ผู้ติดตาม" in thai(graph, primary)  # the dependants are in the stored sentence
    countries = {
        str(graph.value(graph.value(n, iris.terms.country), iris.terms.iso3166Alpha2))
        for n in graph.objects(primary, iris.terms.nationality)
    }
    assert countries == {"MM", "LA", "KH"}  # พม่า ลาว กัมพูชา, per the reference table
    assert list(graph.objects(by_level["กลุ่มเป้าหมายรอง"], iris.terms.nationality)) == []
    # Our English is labelled as our translation on each group.
    for group in groups:
        notes = [str(n) for n in graph.objects(group, SKOS.editorialNote) if n.language == "en"]
        assert any("translation" in n for n in notes), group


def test_each_group_has_the_parts_its_line_names(graph: Graph, iris: Iris) -> None:
    """Each line names its parts joined by "และ" ("and"); each part is a target group of its own,
    part of its line's group in both directions, with no level or network link of its own, and
    the nationalities only where the page writes them (the workers)."""
    by_level_text = dict(line.split(":", 1) for line in SECTIONS["กลุ่มเป้าหมายของ MWG"])
    network = iris.instance("organization", "mwg")
    for group in linked(graph, iris, "targetGroup"):
        line = by_level_text[thai(graph, graph.value(group, iris.terms.targetLevel))]
        words = [skeleton(w) for w in line.split("และ")]
        parts = list(graph.objects(group, DCTERMS.hasPart))
        assert sorted(skeleton(thai(graph, p)) for p in parts) == sorted(words), line
        for part in parts:
            assert (part, RDF.type, iris.terms.TargetGroup) in graph
            assert list(graph.objects(part, DCTERMS.isPartOf)) == [group]
            assert graph.value(part, iris.terms.targetLevel) is None
            assert (network, iris.terms.targetGroup, part) not in graph
            named = "พม่า" in thai(graph, part)  # the page writes สัญชาติพม่า ลาว กัมพูชา there only
            nationalities = set(graph.objects(part, iris.terms.nationality))
            assert nationalities == (
                set(graph.objects(group, iris.terms.nationality)) if named else set()
            )


def test_members_and_provinces_keep_the_page_order(graph: Graph, iris: Iris) -> None:
    network = iris.instance("organization", "mwg")
    members = sorted(
        graph.objects(network, ORG.hasMember), key=lambda m: int(graph.value(m, SCHEMA.position))
    )
    for member, line in zip(members, SECTIONS["องค์กรภาคีหลัก"], strict=True):
        name = re.fullmatch(r"(.+?)(?: \((\w+)\))?", line).group(1)
        labels = (SKOS.prefLabel, SKOS.hiddenLabel)
        names = {str(o) for p in labels for o in graph.objects(member, p)}
        assert name in names, (member, line)
    text = " ".join(SECTIONS["พื้นที่การทำงานของภาคีเครือข่ายครอบคลุม"]).replace(" และ", " ")
    in_order = [thai(graph, p) for p in linked(graph, iris, "workingArea")]
    assert in_order == text.split()
    positions = [int(graph.value(p, SCHEMA.position)) for p in linked(graph, iris, "workingArea")]
    assert positions == list(range(1, 17))


def test_latin_script_names_are_not_tagged_thai(graph: Graph, iris: Iris) -> None:
    """A name the page gives only in Latin script is English-language text, not Thai."""
    thai_letter = re.compile("[\u0e01-\u0e5b]")
    network = iris.instance("organization", "mwg")
    for member in graph.objects(network, ORG.hasMember):
        for label in graph.objects(member, SKOS.prefLabel):
            if label.language == "th":
                assert thai_letter.search(label), (member, label)
        english = [o for o in graph.objects(member, SKOS.prefLabel) if o.language == "en"]
        assert len(english) == 1, member
    tagged_th = [
        o for o in graph.objects() if isinstance(o, Literal) and o.language == "th"
        and not thai_letter.search(o) and not re.fullmatch(r"[\d\s.,()/-]*", o)
    ]  # fmt: skip
    assert tagged_th == []


def test_source_misspellings_are_kept_as_hidden_labels(graph: Graph) -> None:
    """Each misspelling the data repairs is still findable by the page's own spelling."""
    page = SOURCE_PAGE.read_text(encoding="utf-8")
    for wrong in ("สถานฑูต", "ค้มครอง"):
        assert wrong in page
        hidden = [o for o in graph.subject_objects(SKOS.hiddenLabel) if wrong in o[1]]
        assert hidden, wrong
        for node, _ in hidden:
            labels = [str(o) for o in graph.objects(node, SKOS.prefLabel) if o.language == "th"]
            assert labels and all(wrong not in label for label in labels), node
    # The hidden label of a repaired statement is the page's whole line, as written there.
    lines = [re.sub(r"^\s*(•|\d+\.)\s*", "", x).strip() for x in page.splitlines()]
    (line,) = [x for x in lines if "ค้มครอง" in x]
    assert Literal(line, lang="th") in set(graph.objects(None, SKOS.hiddenLabel))


def test_the_network_is_an_organisation_and_says_how_its_month_was_read(
    graph: Graph, iris: Iris
) -> None:
    network = iris.instance("organization", "mwg")
    assert (network, RDF.type, ORG.Organization) in graph
    assert (network, RDF.type, ORG.OrganizationalCollaboration) in graph
    notes = {o.language: str(o) for o in graph.objects(network, SKOS.note)}
    assert set(notes) == {"th", "en"}
    match = re.search(r"ตั้งแต่เดือน(\S+) (\d{4})", SOURCE_PAGE.read_text(encoding="utf-8"))
    month, year = match.group(1), match.group(2)
    assert f"{month} {year}" in notes["th"] and f"{month} {year}" in notes["en"]
    founded = str(graph.value(network, SCHEMA.foundingDate))
    assert founded in notes["th"] and founded in notes["en"]
    assert str(int(year) - 543) in notes["en"]


def test_every_text_exists_in_thai_and_english(graph: Graph) -> None:
    """Every name is in Thai and English, except a name that exists only in Latin script (a
    member organisation's), which is English only (test_latin_script_names_are_not_tagged_thai)."""
    ours = {s for s in graph.subjects() if isinstance(s, URIRef) and "/id/" in str(s)}
    members = set(graph.subjects(ORG.memberOf, None))
    for node in ours:
        languages = sorted(o.language for o in graph.objects(node, SKOS.prefLabel))
        if languages:
            assert languages == ["en", "th"] or (node in members and languages == ["en"]), node


def test_no_thai_mark_follows_whitespace(graph: Graph) -> None:
    mark_after_space = re.compile(r"\s[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
    damaged = [o for o in graph.objects() if isinstance(o, Literal) and mark_after_space.search(o)]
    assert damaged == []


def test_members_carry_no_invented_facts(graph: Graph, iris: Iris) -> None:
    """The source says nothing about where a member works or on what: neither may the graph."""
    network = iris.instance("organization", "mwg")
    allowed = {
        RDF.type, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, iris.terms.acronym,
        ORG.memberOf, ORG.hasMembership, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"),
        URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), SKOS.editorialNote,
        SKOS.note, SKOS.definition,
        SCHEMA.position,  # its place in the page's list (checked in the page-order test)
    }  # fmt: skip
    for member in graph.objects(network, ORG.hasMember):
        extra = {p for p in graph.predicates(member) if p not in allowed}
        assert not extra, f"{member}: {extra}"


def test_source_page_is_where_the_facts_come_from(graph: Graph, iris: Iris) -> None:
    derived = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    source = iris.source_page
    for prop in ("hasStrategy", "workingArea", "targetGroup"):
        for node in linked(graph, iris, prop):
            assert (node, derived, source) in graph, node
    assert (iris.instance("organization", "mwg"), derived, source) in graph


def test_source_file_exists() -> None:
    assert Path(SOURCE_PAGE).is_file()
