"""The matcher itself (``mwg_graph.names``), on small hand-written indexes.

Expectations come from Unicode and from what the source page writes: Thai tone and vowel marks are
combining characters (category Mn), so a name typed without them has the same skeleton; Latin words
are separated by spaces; edit distance is Levenshtein's.
"""

from __future__ import annotations

import pytest

from mwg_graph.names import Index, exact_key, skeleton, within_one_edit


def entry(id_: str, kind: str, *names: tuple[str, str, list[str]]) -> dict:
    return {
        "id": id_,
        "kind": kind,
        "label": {"en": names[0][0]},
        "names": [{"text": t, "lang": None, "field": f, "words": w} for t, f, w in names],
    }


INDEX = Index.from_entries([
    entry("province/th-50", "province", ("เชียงใหม่", "pref", ["เชียงใหม่"]),
          ("Chiang Mai", "pref", ["Chiang", "Mai"]), ("TH-50", "code", ["TH", "50"])),
    entry("theme/labour-rights", "theme", ("สิทธิแรงงาน", "pref", ["สิทธิ", "แรงงาน"])),
    entry("collab/labour", "collaborator-category",
          ("เครือข่ายแรงงานไทย", "pref", ["เครือข่าย", "แรงงาน", "ไทย"])),
    entry("mission/1", "mission", ("ผลักดันให้เกิดการส่งเสริม", "pref",
                                   ["ผลักดัน", "ให้", "เกิด", "การ", "ส่งเสริม"])),
    entry("organization/sc", "organization",
          ("Solidarity Center", "pref", ["Solidarity", "Center"]), ("SC", "acronym", ["SC"])),
    entry("organization/x", "organization", ("Twin Name", "pref", ["Twin", "Name"])),
    entry("organization/y", "organization", ("Twin Name", "pref", ["Twin", "Name"])),
])  # fmt: skip


def top(query: str, **kwargs) -> tuple[str, bool] | None:
    hits = INDEX.find(query, **kwargs)
    return (INDEX.entries[hits[0].entry]["id"], hits[0].exact) if hits else None


def test_keys_ignore_case_spaces_and_punctuation_but_keep_marks():
    assert exact_key("TH-50") == exact_key("th 50") == "th50"
    assert exact_key("เชียงใหม่") != exact_key("เชียงใหม")  # the tone mark U+0E48 is kept


def test_skeleton_drops_thai_tone_and_vowel_marks_and_latin_accents():
    assert skeleton("เชียงใหม่") == skeleton("เชียงใหม") == skeleton("เชยงใหม")
    assert skeleton("Café") == skeleton("cafe")
    assert skeleton("สถานทูต") != skeleton("สถานฑูต")  # a different base letter is not a mark


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [("center", "centre", False), ("center", "centr", True), ("vision", "vison", True),
     ("word", "world", True), ("abc", "abc", True), ("abcd", "abdc", False), ("ab", "abcd", False)],
)  # fmt: skip
def test_edit_distance_of_at_most_one(a, b, near):
    assert within_one_edit(a, b) is near
    assert within_one_edit(b, a) is near


def test_exact_name_is_exact_and_a_missing_tone_mark_is_near_only():
    assert top("เชียงใหม่") == ("province/th-50", True)
    assert top("เชียงใหม") == ("province/th-50", False)
    assert top("th50") == ("province/th-50", True)


def test_thai_inside_words_and_whole_words_rank_first():
    # "แรงงาน" is a whole word in both names; the shorter name is the closer one.
    assert top("แรงงาน") == ("theme/labour-rights", False)
    # "ส่งเสริม" is the last word of the mission: found inside the run of Thai letters.
    assert top("ส่งเสริม") == ("mission/1", False)
    hits = INDEX.find("งาน")  # inside the word แรงงาน: still found, lower than a whole word
    assert hits and hits[0].score < INDEX.find("แรงงาน")[0].score


def test_latin_slip_in_a_long_word_is_forgiven_not_in_a_short_one():
    assert top("Solidarty Center") == ("organization/sc", False)
    assert top("Solidarity Centr") == ("organization/sc", False)
    assert top("Chiang Mia") is None  # two edits (a swap) in a three-letter word
    assert top("SX") is None  # two letters: no edit distance tolerance


def test_kinds_filter_and_ids():
    assert top("แรงงาน", kinds=["collaborator-category"]) == ("collab/labour", False)
    assert top("province/th-50") == ("province/th-50", True)


def test_each_resource_appears_once_with_its_best_name():
    hits = INDEX.find("SC")
    assert [INDEX.entries[h.entry]["id"] for h in hits].count("organization/sc") == 1
    assert hits[0].exact and hits[0].name.field == "acronym"


def test_namesakes_are_both_exact():
    hits = INDEX.find("Twin Name")
    assert {INDEX.entries[h.entry]["id"] for h in hits if h.exact} == {
        "organization/x",
        "organization/y",
    }


def test_nonsense_and_empty_queries_find_nothing():
    assert INDEX.find("") == []
    assert INDEX.find("   ...  ") == []
    assert INDEX.find("zzzzzzzz") == []
    assert INDEX.find("x" * 10_000) == []
