"""A real DCAT harvester reads our description: ckanext-dcat's own RDF parser, DCAT-AP 2 and 3.

ckanext-dcat (PyPI, pinned in the test extras with ckan and the modules ckan imports but does not
declare) parses what ``/.well-known/void`` serves, the way a CKAN harvester does, but with no CKAN
database, Solr or configuration: its parser and profiles only need ckan importable. The
expectations come from ``data/dataset.ttl`` (title, description, licence) and the build's settings
(publisher), never from the parser's output. Parsing must not open any connection.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from mwg_graph.config import PROJECT_ROOT, Settings

EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


def hand_written(prop: URIRef, lang: str) -> str:
    dataset_ttl = Graph().parse(PROJECT_ROOT / "data" / "dataset.ttl", format="turtle")
    dataset = next(dataset_ttl.subjects(RDF.type, DCAT.Dataset))
    return next(str(v) for v in dataset_ttl.objects(dataset, prop) if v.language == lang)


def harvest(turtle: str, profile: str) -> list[dict]:
    from ckanext.dcat.processors import RDFParser

    parser = RDFParser(profiles=[profile])
    parser.parse(turtle, _format="turtle")
    return list(parser.datasets())


# Harvesters run either profile: DCAT-AP 2 is still the default of many CKAN portals.
@pytest.mark.parametrize("profile", ["euro_dcat_ap_2", "euro_dcat_ap_3"])
def test_ckanext_dcat_makes_a_titled_dataset_with_publisher_licence_and_distributions(
    server, built_settings: Settings, request: pytest.FixtureRequest, profile: str
) -> None:
    response = server.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    version = server.get("/version").json()["release"]
    request.getfixturevalue("no_network")  # from here on, no connection at all
    datasets = harvest(response.text, profile)

    assert len(datasets) == 1
    dataset = datasets[0]
    assert dataset["title"] == hand_written(DCTERMS.title, "en")
    assert dataset["notes"] == hand_written(DCTERMS.description, "en")
    extras = {e["key"]: e["value"] for e in dataset["extras"]}
    # The documented default of the setting (config.py): empty = the mwg-graph project.
    assert extras["publisher_name"] == (built_settings.publisher_name or "mwg-graph project")
    assert extras["uri"].endswith("/id/dataset/mwg")
    dataset_ttl = Graph().parse(PROJECT_ROOT / "data" / "dataset.ttl", format="turtle")
    licence = str(
        dataset_ttl.value(next(dataset_ttl.subjects(RDF.type, DCAT.Dataset)), DCTERMS.license)
    )
    assert licence.startswith("https://creativecommons.org/licenses/")

    # Keywords (both languages), contact point and version reach the record too.
    keywords = {str(k) for k in dataset_ttl.objects(None, DCAT.keyword)}
    assert keywords and {t["name"] for t in dataset["tags"]} == keywords
    assert extras["contact_name"] and extras["contact_uri"].startswith(extras["uri"])
    assert dataset["version"] == version

    resources = dataset["resources"]
    assert len(resources) >= 4
    formats = set()
    for resource in resources:
        assert resource["url"].startswith(("http://", "https://")), resource
        assert resource["format"].startswith(EU_FILE_TYPE), resource
        assert resource["license"] == licence, resource
        formats.add(resource["format"].removeprefix(EU_FILE_TYPE))
    assert {"RDF_TURTLE", "RDF_N_TRIPLES", "JSON_LD"} <= formats
