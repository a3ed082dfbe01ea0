"""The one label picker (mwg_graph.labels): properties in order, then languages in order."""

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from mwg_graph.labels import label, pick

NODE = URIRef("https://w3id.org/mwg/id/theme/labour-rights")


def test_pick_takes_the_first_language_that_any_literal_has():
    values = [Literal("สิทธิแรงงาน", lang="th"), Literal("Labour rights", lang="en"), URIRef(NODE)]
    assert pick(values, ("en", "th")) == Literal("Labour rights", lang="en")
    assert pick(values, ("my", "th")) == Literal("สิทธิแรงงาน", lang="th")


def test_pick_without_fallback_says_none_rather_than_another_language():
    values = [Literal("Labour rights", lang="en")]
    assert pick(values, ("th",)) is None
    assert pick(values, ("th",), fallback=True) == Literal("Labour rights", lang="en")
    assert pick([], ("th",), fallback=True) is None


def test_untagged_literal_is_chosen_only_when_none_is_asked_for():
    values = [Literal("labour rights"), Literal("Labour rights", lang="en")]
    assert pick(values, (None, "en")) == Literal("labour rights")
    assert pick(values, ("en", None)) == Literal("Labour rights", lang="en")


def test_label_prefers_an_earlier_property_over_a_better_language():
    graph = Graph()
    graph.add((NODE, SKOS.prefLabel, Literal("สิทธิแรงงาน", lang="th")))
    graph.add((NODE, RDFS.label, Literal("Labour rights", lang="en")))
    assert label(graph, NODE, (SKOS.prefLabel, RDFS.label), ("en", "th")) == Literal(
        "สิทธิแรงงาน", lang="th"
    )
    assert label(graph, NODE, (DCTERMS.title, RDFS.label), ("en",)) == Literal(
        "Labour rights", lang="en"
    )
    assert label(graph, NODE, (DCTERMS.title,), ("en",), fallback=True) is None
