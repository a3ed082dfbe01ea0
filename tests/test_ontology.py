"""The ontology mints only what outside vocabularies lack, and documents every term it mints."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from mwg_graph.build.load import load_data, load_ontology
from mwg_graph.config import from_env
from mwg_graph.iris import Iris

SETTINGS = from_env(environ={})
IRIS = Iris(SETTINGS.base_iri)
ONTOLOGY = load_ontology(SETTINGS)
DATA = load_data(SETTINGS)
# Links from a term of ours to the closest term outside (docs/MODEL.md: "a mapping").
MAPPINGS = (
    SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch,
    RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
)  # fmt: skip


def minted_terms(graph: Graph) -> set[URIRef]:
    terms = str(IRIS.terms)
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(terms)}


TERMS = sorted(minted_terms(ONTOLOGY))


def test_the_ontology_has_a_version_iri() -> None:
    ontology = IRIS.ontology
    assert (ontology, RDF.type, OWL.Ontology) in ONTOLOGY
    version = ONTOLOGY.value(ontology, OWL.versionIRI)
    assert version is not None and str(version).startswith(str(ontology) + "/")


def test_every_term_the_data_uses_is_declared() -> None:
    used = {p for p in DATA.predicates() if str(p).startswith(str(IRIS.terms))}
    used |= {o for o in DATA.objects(None, RDF.type) if str(o).startswith(str(IRIS.terms))}
    assert used and used <= set(TERMS)


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.fragment)
def test_every_term_is_documented_in_both_languages(term: URIRef) -> None:
    for prop in (RDFS.label, SKOS.definition):
        languages = sorted(o.language for o in ONTOLOGY.objects(term, prop))
        assert languages == ["en", "th"], f"{term} {prop}: {languages}"
    assert (term, RDFS.isDefinedBy, IRIS.ontology) in ONTOLOGY
    outside = [
        o
        for p in MAPPINGS
        for o in ONTOLOGY.objects(term, p)
        if not str(o).startswith(str(IRIS.terms))
    ]
    assert outside, f"{term} has no mapping to an outside term"


@pytest.mark.parametrize(
    "term",
    [t for t in TERMS if (t, RDF.type, OWL.ObjectProperty) in ONTOLOGY
     or (t, RDF.type, OWL.DatatypeProperty) in ONTOLOGY],
    ids=lambda t: t.fragment,
)  # fmt: skip
def test_every_property_has_domain_and_range(term: URIRef) -> None:
    assert ONTOLOGY.value(term, RDFS.domain) is not None
    assert ONTOLOGY.value(term, RDFS.range) is not None
