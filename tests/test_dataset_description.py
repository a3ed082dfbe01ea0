"""The dataset's description is DCAT-AP 3 and VoID, complete and true, as a harvester reads it.

The table below is written from the DCAT-AP 3.0 specification
(https://semiceu.github.io/DCAT-AP/releases/3.0.0/, sections "Catalogue", "Dataset",
"Distribution", "Data Service", "Agent": their mandatory and recommended properties), and every
mandatory and recommended property is checked on what ``/.well-known/void`` serves. A real
harvester, ckanext-dcat, reads the same description in tests/test_ckan_harvest.py.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, Namespace

from mwg_graph.build.load import load_data
from mwg_graph.build.release import BuildFailed, build

from .test_pages_html import get_page

DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
IANA = "https://www.iana.org/assignments/media-types/"
IRI, TEXT = "IRI", "text"

# class → [(property, mandatory?, what its values must be)], from the DCAT-AP 3.0 tables.
DCAT_AP_3 = {
    DCAT.Catalog: [
        (DCAT.dataset, True, IRI),
        (DCTERMS.description, True, TEXT),
        (DCTERMS.publisher, True, IRI),
        (DCTERMS.title, True, TEXT),
        (FOAF.homepage, False, IRI),
        (DCTERMS.language, False, IRI),
        (DCTERMS.license, False, IRI),
        (DCTERMS.issued, False, TEXT),
        (DCTERMS.spatial, False, IRI),
        (DCAT.themeTaxonomy, False, IRI),
        (DCTERMS.modified, False, TEXT),
    ],
    DCAT.Dataset: [
        (DCTERMS.description, True, TEXT),
        (DCTERMS.title, True, TEXT),
        (DCAT.contactPoint, False, IRI),
        (DCAT.distribution, False, IRI),
        (DCAT.keyword, False, TEXT),
        (DCTERMS.publisher, False, IRI),
        (DCTERMS.spatial, False, IRI),
        (DCTERMS.temporal, False, IRI),
        (DCAT.theme, False, IRI),
    ],
    DCAT.Distribution: [
        (DCAT.accessURL, True, IRI),
        (DCATAP.availability, False, IRI),
        (DCTERMS.description, False, TEXT),
        (DCTERMS["format"], False, IRI),
        (DCTERMS.license, False, IRI),
    ],
    DCAT.DataService: [
        (DCAT.endpointURL, True, IRI),
        (DCTERMS.title, True, TEXT),
        (DCAT.endpointDescription, False, IRI),
        (DCAT.servesDataset, False, IRI),
    ],
}


@pytest.fixture(scope="module")
def description(server) -> Graph:
    response = server.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.text, format="turtle")


@pytest.mark.parametrize("cls", list(DCAT_AP_3), ids=lambda c: str(c).rsplit("#", 1)[-1])
def test_every_mandatory_and_recommended_property(description: Graph, cls: URIRef) -> None:
    instances = list(description.subjects(RDF.type, cls))
    assert instances, f"no {cls}"
    for node in instances:
        for prop, _mandatory, kind in DCAT_AP_3[cls]:
            values = list(description.objects(node, prop))
            assert values, f"{node} lacks {prop}"
            for value in values:
                wanted = URIRef if kind == IRI else Literal
                assert isinstance(value, wanted), (node, prop, value)


def test_agents_have_names_and_text_is_in_both_languages(description: Graph) -> None:
    for agent in set(description.objects(None, DCTERMS.publisher)):
        assert list(description.objects(agent, FOAF.name)), agent  # Agent: name is mandatory
    dataset = next(description.subjects(RDF.type, DCAT.Dataset))
    for prop in (DCTERMS.title, DCTERMS.description, DCAT.keyword):
        assert {v.language for v in description.objects(dataset, prop)} == {"th", "en"}, prop
    contact = description.value(dataset, DCAT.contactPoint)
    assert description.value(contact, VCARD.fn) is not None


def test_media_types_are_iana_iris_and_every_download_is_there(server, description) -> None:
    base = server.settings.base_iri
    distributions = list(description.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) >= 3
    for distribution in distributions:
        media = description.value(distribution, DCAT.mediaType)
        assert isinstance(media, URIRef) and str(media).startswith(IANA), media
        assert (media, RDF.type, DCTERMS.MediaType) in description
        download = str(description.value(distribution, DCAT.downloadURL))
        assert download.startswith(base)
        response = server.get("/" + download[len(base) :])
        assert response.status_code == 200, download
        compressed = description.value(distribution, DCAT.compressFormat)
        served = response.headers["Content-Type"].split(";")[0]
        expected = str(compressed or media)[len(IANA) :]
        assert served == expected or (compressed and served == "application/octet-stream"), (
            download,
            served,
        )
        access = str(description.value(distribution, DCAT.accessURL))
        assert server.get("/" + access[len(base) :]).status_code == 200


def test_triple_count_is_the_same_everywhere(server, description: Graph) -> None:
    dataset = next(description.subjects(RDF.type, DCAT.Dataset))
    said = int(description.value(dataset, VOID.triples))
    version = server.get("/version").json()
    assert version["triples"] == said
    dump = str(
        next(o for o in description.objects(dataset, VOID.dataDump) if str(o).endswith(".nt"))
    )
    body = server.get("/" + dump[len(server.settings.base_iri) :]).text
    assert len([line for line in body.splitlines() if line.strip()]) == said
    answer = server.post(
        "/sparql",
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == said


def test_void_statistics_and_access_points_are_true(server, description: Graph) -> None:
    """VoID 4.6: an entity is a resource whose IRI is in the dataset's URI space; the count is
    asked of the endpoint, as are the endpoint and the root resource the description names."""
    base = server.settings.base_iri
    dataset = next(description.subjects(RDF.type, DCAT.Dataset))
    uri_space = str(description.value(dataset, VOID.uriSpace))
    assert uri_space == base + "id/"
    query = (
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{uri_space}")) }}'
    )
    answer = server.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    ).json()
    described = int(answer["results"]["bindings"][0]["n"]["value"])
    assert described > 100
    assert int(description.value(dataset, VOID.entities)) == described
    assert str(description.value(dataset, VOID.sparqlEndpoint)) == base + "sparql"
    root = str(description.value(dataset, VOID.rootResource))
    assert root == base + "id/organization/mwg"
    assert server.get("/" + root[len(base) :], allow_redirects=True).status_code == 200


def test_the_publisher_is_a_setting_not_a_fact_of_the_data(copy_of_repo_inputs) -> None:
    # The source page never says who publishes the dataset: data/ must not say it either.
    assert list(load_data(copy_of_repo_inputs).subject_objects(DCTERMS.publisher)) == []
    settings = dataclasses.replace(
        copy_of_repo_inputs,
        publisher_name="Example Data Office",
        publisher_url="https://data.example.org/",
        contact_email="data@example.org",
    )
    result = build(settings)
    void = Graph().parse(result.path / "void.ttl", format="turtle")
    dataset = next(void.subjects(RDF.type, DCAT.Dataset))
    publisher = void.value(dataset, DCTERMS.publisher)
    assert str(void.value(publisher, FOAF.name)) == "Example Data Office"
    assert str(void.value(publisher, FOAF.homepage)) == "https://data.example.org/"
    contact = void.value(dataset, DCAT.contactPoint)
    assert str(void.value(contact, VCARD.hasEmail)) == "mailto:data@example.org"
    ontology = Graph().parse(result.path / "ontology.ttl", format="turtle")
    assert ontology.value(URIRef(settings.ontology_iri), DCTERMS.publisher) == publisher


def test_a_bad_publisher_address_stops_the_build_with_a_clear_message(copy_of_repo_inputs) -> None:
    settings = dataclasses.replace(copy_of_repo_inputs, publisher_url="data.example.org")
    with pytest.raises(BuildFailed, match=re.escape("--publisher-url 'data.example.org'")):
        build(settings)
    assert not (settings.dist_dir / "current").exists()


def test_schema_org_dataset_and_in_language_only_on_creative_works(server) -> None:
    (dataset,) = get_page(server, "/doc/dataset/mwg?lang=en").embedded()
    assert dataset["@type"] == "Dataset" and dataset["inLanguage"] == "en"
    assert "migrant workers" in dataset["keywords"]
    assert dataset["isAccessibleForFree"] is True
    assert [p["name"] for p in dataset["spatialCoverage"]] == ["Thailand"]
    assert {d["encodingFormat"] for d in dataset["distribution"]} >= {
        "text/turtle",
        "application/ld+json",
        "application/gzip",
    }
    # schema:inLanguage's domain is CreativeWork: not an NGO, an Organization, a place or a term.
    pages = {"/": "NGO", "/doc/organization/sc": "Organization",
             "/doc/province/th-10": "AdministrativeArea", "/doc/country/th": "Country",
             "/doc/theme/health": "DefinedTerm"}  # fmt: skip
    for path, schema_type in pages.items():
        (doc,) = get_page(server, path).embedded()
        assert doc["@type"] == schema_type, path
        assert "inLanguage" not in doc, path
    # A CreativeWork (the ontology) does carry it.
    (ontology,) = get_page(server, "/def?lang=th").embedded()
    assert ontology["@type"] == "CreativeWork" and ontology["inLanguage"] == "th"
