"""Partner datasets (issue 12 item 2): checked at build time, published as named graphs beside ours.

The partner data is the fictional example in ``tests/fixtures/partners/`` (never published data);
expectations are read from those fixture files (their ``meta.toml`` and Turtle), not from the code.
A real build, and the real server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, VOID

from mwg_graph.build.release import BuildFailed, build
from mwg_graph.config import PROJECT_ROOT, Settings, from_env
from mwg_graph.dist import current_release

from .conftest import (
    RunningServer,
    copy_release,
    start_backed_server,
    start_server,
    stop_oxigraph,
    stop_server,
)

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "partners"
EXAMPLE = FIXTURES / "example-clinics"
META = tomllib.loads((EXAMPLE / "meta.toml").read_text(encoding="utf-8"))
BASE = "https://w3id.org/mwg/"
GRAPH = BASE + "graph/partner/example-clinics"
SC = URIRef(BASE + "id/organization/sc")
CLINIC_1 = URIRef("https://example.org/clinics/clinic-1")
PARTNER_LABEL_OF_SC = Literal("Example partner's own name for SC (fictional)", lang="en")


def example_graph() -> Graph:
    return Graph().parse(EXAMPLE / "clinics.ttl", format="turtle")


@pytest.fixture(scope="module")
def partner_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    dist = tmp_path_factory.mktemp("partners-dist")
    settings = from_env(environ={}, dist_dir=dist, partners_dir=FIXTURES)
    build(settings)
    running = start_server(settings, tmp_path_factory.mktemp("partners-server") / "server.log")
    yield running
    stop_server(running)


@pytest.fixture
def partner_copy(tmp_path: Path) -> tuple[Settings, Path]:
    """Settings with a private copy of the example partner dataset that a test may break."""
    root = tmp_path / "partners"
    shutil.copytree(EXAMPLE, root / "example-clinics")
    settings = from_env(environ={}, dist_dir=tmp_path / "dist", partners_dir=root)
    return settings, root / "example-clinics"


def line_number(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# ---- the build refuses bad partner data, all or nothing ---------------------------------------


def test_a_dangling_link_fails_the_build_naming_file_and_line(partner_copy, built_settings) -> None:
    settings, folder = partner_copy
    before = copy_release(built_settings, settings.dist_dir)  # a release without partner data
    clinics = folder / "clinics.ttl"
    clinics.write_text(clinics.read_text().replace("province:th-10 ;", "province:th-1O ;"))
    with pytest.raises(BuildFailed) as failure:
        build(settings)
    message = str(failure.value)
    expected = f"{clinics}, line {line_number(clinics, 'province:th-1O')}: "
    assert expected + f"<{BASE}id/province/th-1O>" in message
    assert "does not mint" in message
    assert current_release(settings) == before  # the last good release keeps serving


def test_a_dangling_full_iri_is_found_by_its_line_too(partner_copy) -> None:
    settings, folder = partner_copy
    clinics = folder / "clinics.ttl"
    wrong = f"<{BASE}id/province/th-8400>"
    clinics.write_text(clinics.read_text().replace(f"<{BASE}id/province/th-84>", wrong))
    with pytest.raises(BuildFailed, match=f"line {line_number(clinics, wrong)}: {wrong}"):
        build(settings)
    assert current_release(settings) is None


def run_build_cli(settings: Settings) -> subprocess.CompletedProcess[str]:
    """``mwg-graph build`` as an operator runs it on a submitted folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWG_")}
    return subprocess.run(
        [sys.executable, "-m", "mwg_graph", "build", "--dist-dir", str(settings.dist_dir),
         "--partners-dir", str(settings.partners_dir)],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=300,
    )  # fmt: skip


def test_the_cli_says_each_dangling_link_on_its_own_line_with_file_and_line(partner_copy) -> None:
    settings, folder = partner_copy
    clinics = folder / "clinics.ttl"
    text = clinics.read_text().replace("province:th-10 ;", "province:th-1O ;")
    clinics.write_text(text.replace("organization:mwg .", "organization:mgw ."))
    failed = run_build_cli(settings)
    assert failed.returncode == 1, failed.stdout
    assert "Traceback" not in failed.stderr
    lines = failed.stderr.splitlines()
    for typo in ("province:th-1O", "organization:mgw"):
        iri = f"<{BASE}id/{typo.replace(':', '/')}>"
        line = f"{clinics}, line {line_number(clinics, typo)}: {iri} "
        assert any(one.startswith(line) and "does not mint" in one for one in lines), lines
    assert "unchanged" in failed.stderr  # the operator is told the served release stays
    assert current_release(settings) is None


def test_a_partner_file_that_is_not_turtle_fails_naming_file_and_line(partner_copy) -> None:
    settings, folder = partner_copy
    clinics = folder / "clinics.ttl"
    clinics.write_text(clinics.read_text().replace("province:th-10 ;", "province:th-10 ;; ]"))
    failed = run_build_cli(settings)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert f"{clinics}: not valid Turtle: at line {line_number(clinics, ';; ]')}" in failed.stderr


def test_the_partners_own_shapes_are_applied(partner_copy) -> None:
    """Each constraint of the example's shapes.ttl, violated."""
    settings, folder = partner_copy
    clinics = folder / "clinics.ttl"
    clinics.write_text(clinics.read_text() + "\nex:clinic-3 a schema:MedicalClinic .\n")
    with pytest.raises(BuildFailed) as failure:
        build(settings)
    message = str(failure.value)
    assert "own shapes" in message and "clinic-3" in message
    assert "A clinic needs a name" in message
    assert "A clinic names the province it serves" in message
    clinics.write_text(
        clinics.read_text().replace(
            "ex:clinic-3 a schema:MedicalClinic .",
            'ex:clinic-3 a schema:MedicalClinic ; rdfs:label "c3" ; schema:areaServed "x" .',
        )
    )
    with pytest.raises(BuildFailed, match="A clinic names the province it serves"):
        build(settings)


def test_our_shapes_apply_to_what_a_partner_declares_one_of_our_kinds(partner_copy) -> None:
    settings, folder = partner_copy
    clinics = folder / "clinics.ttl"
    clinics.write_text(
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        + clinics.read_text()
        + "\nex:clinic-1 a org:Organization .\n"
    )
    with pytest.raises(BuildFailed, match=r"MWG shapes: .*clinic-1"):
        build(settings)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda meta: meta.replace('license = "https', 'license = "ftp'), "license must be"),
        (lambda meta: "\n".join(meta.splitlines()[:2]), "missing publisher, license"),
        (lambda meta: meta + "\n= broken", "not valid TOML"),
    ],
)
def test_bad_metadata_fails_the_build_naming_the_file(partner_copy, change, expected) -> None:
    settings, folder = partner_copy
    meta = folder / "meta.toml"
    meta.write_text(change(meta.read_text()))
    with pytest.raises(BuildFailed, match=expected) as failure:
        build(settings)
    assert str(meta) in str(failure.value)


def test_a_folder_name_that_is_no_slug_fails_the_build(partner_copy) -> None:
    settings, folder = partner_copy
    folder.rename(folder.parent / "Example Clinics")
    with pytest.raises(BuildFailed, match="slug"):
        build(settings)


def test_changed_partner_data_makes_a_new_release(partner_copy) -> None:
    settings, folder = partner_copy
    first = build(settings)
    clinics = folder / "clinics.ttl"
    clinics.write_text(
        clinics.read_text().replace("clinic 2 (fictional)", "clinic two (fictional)")
    )
    second = build(settings)
    assert second.changed and second.version != first.version


# ---- published: SPARQL, dumps, VoID, pages -----------------------------------------------------


def select(server: RunningServer, query: str) -> list[dict]:
    response = server.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_sparql_finds_the_partner_graph_and_the_default_graph_stays_ours(partner_server) -> None:
    expected = example_graph()
    found = select(partner_server, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    assert len(found) == len(expected)
    labels = select(partner_server, f"SELECT ?l WHERE {{ GRAPH <{GRAPH}> {{ <{SC}> ?p ?l }} }}")
    assert [b["l"]["value"] for b in labels] == [str(PARTNER_LABEL_OF_SC)]
    clinic_class = expected.value(CLINIC_1, RDF.type)
    assert select(partner_server, f"SELECT ?s WHERE {{ ?s a <{clinic_class}> }}") == []
    ours = select(partner_server, f"SELECT ?l WHERE {{ <{SC}> <{SKOS.prefLabel}> ?l }}")
    assert str(PARTNER_LABEL_OF_SC) not in {b["l"]["value"] for b in ours}
    assert {b["l"]["value"] for b in ours} == {"Solidarity Center"}  # data/members.ttl
    graphs = select(partner_server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert [b["g"]["value"] for b in graphs] == [GRAPH]


def test_published_to_a_triple_store_the_partner_graph_stays_beside_ours(tmp_path: Path) -> None:
    """``mwg-graph publish`` into a real Oxigraph server, and ``/sparql`` answering from it
    (README "Hosting"): the same separation as with the release's own store."""
    settings = replace(from_env(environ={}, dist_dir=tmp_path / "dist", partners_dir=FIXTURES),
                       workers=1)  # fmt: skip
    build(settings)
    server, oxigraph = start_backed_server(settings, tmp_path)
    try:

        def store_graph(name: str) -> Graph:
            response = requests.get(oxigraph.store, params={"graph": name}, timeout=60,
                                    headers={"Accept": "application/n-triples"})  # fmt: skip
            assert response.status_code == 200, response.text
            return Graph().parse(data=response.text, format="nt")

        assert isomorphic(store_graph(GRAPH), example_graph())
        mwg = store_graph(BASE + "id/dataset/mwg")
        assert (CLINIC_1, None, None) not in mwg and (None, None, PARTNER_LABEL_OF_SC) not in mwg
        asks_json = {"Accept": "application/sparql-results+json"}
        default = requests.post(oxigraph.query, data={"query": "ASK { ?s ?p ?o }"},
                                headers=asks_json, timeout=60)  # fmt: skip
        assert default.json()["boolean"] is False  # nothing in the store's default graph

        found = select(server, f"SELECT * WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
        assert len(found) == len(example_graph())
        clinic_class = example_graph().value(CLINIC_1, RDF.type)
        assert select(server, f"SELECT ?s WHERE {{ ?s a <{clinic_class}> }}") == []
        graphs = select(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert [b["g"]["value"] for b in graphs] == [GRAPH]
    finally:
        stop_server(server)
        stop_oxigraph(oxigraph)


def test_the_service_description_lists_the_partner_graph(partner_server) -> None:
    described = Graph().parse(
        data=partner_server.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle"
    )
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert URIRef(GRAPH) in set(described.objects(None, URIRef(sd + "name")))


def test_the_partner_dumps_hold_exactly_its_data_with_checksums(partner_server) -> None:
    page = partner_server.get("/downloads/", params={"lang": "en"}).text
    sums = partner_server.get("/downloads/SHA256SUMS").text
    dumps = {"partner-example-clinics.nt": "nt", "partner-example-clinics.ttl": "turtle"}
    for name, fmt in dumps.items():
        assert f'download="{name}"' in page
        body = partner_server.get(f"/downloads/{name}").content
        assert isomorphic(Graph().parse(data=body, format=fmt), example_graph())
        assert f"{hashlib.sha256(body).hexdigest()}  {name}" in sums.splitlines()
    assert META["license"] in page  # the partner's licence, beside its files
    ours = Graph().parse(data=partner_server.get("/downloads/mwg.nt").content, format="nt")
    assert (CLINIC_1, None, None) not in ours and (
        SC,
        SKOS.prefLabel,
        PARTNER_LABEL_OF_SC,
    ) not in ours


def test_the_graph_iri_dereferences_to_its_dump(partner_server) -> None:
    response = partner_server.get("/graph/partner/example-clinics")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/downloads/partner-example-clinics.ttl")
    assert partner_server.get("/graph/partner/nobody").status_code == 404


def test_the_w3id_rules_send_the_graph_iri_to_a_path_this_server_answers(partner_server) -> None:
    from urllib.parse import urlsplit

    from .test_w3id_rules import redirect

    found = redirect(GRAPH.removeprefix(BASE))
    assert found is not None, "w3id/.htaccess has no rule for partner graph IRIs"
    response = partner_server.get(urlsplit(found[0]).path, allow_redirects=False)
    assert response.status_code == 303


def test_void_describes_the_partner_dataset_as_a_subset_with_its_attribution(
    partner_server,
) -> None:
    void = Graph().parse(
        data=partner_server.get("/.well-known/void", headers={"Accept": "text/turtle"}).text,
        format="turtle",
    )
    subset = URIRef(GRAPH)
    assert (URIRef(BASE + "id/dataset/mwg"), VOID.subset, subset) in void
    assert (subset, DCTERMS.license, URIRef(META["license"])) in void
    assert (subset, DCTERMS.source, URIRef(META["source"])) in void
    assert Literal(META["title"]) in set(void.objects(subset, DCTERMS.title))
    publisher = void.value(subset, DCTERMS.publisher)
    assert void.value(publisher, FOAF.name) == Literal(META["publisher"])
    assert void.value(subset, VOID.triples).toPython() == len(example_graph())
    dumps = {str(d).rsplit("/", 1)[-1] for d in void.objects(subset, VOID.dataDump)}
    assert dumps == {"partner-example-clinics.ttl", "partner-example-clinics.nt"}


@pytest.mark.parametrize(
    ("lang", "heading", "title"),
    [
        ("en", "Linked from partner data", META["title"]),
        ("th", "ข้อมูลจากภาคีที่เชื่อมมา", META["title_th"]),
    ],
)
def test_a_linked_page_shows_the_partner_data_with_attribution(
    partner_server, lang, heading, title
) -> None:
    page = partner_server.get("/doc/province/th-10", params={"lang": lang}).text
    assert heading in page
    assert title in page and META["publisher"] in page
    assert f'href="{META["license"]}"' in page
    assert "Example mobile clinic 1 (fictional)" in page  # the clinic that serves th-10
    assert "Example mobile clinic 2 (fictional)" not in page  # serves th-84, not th-10


def test_a_partners_statement_about_our_resource_stays_the_partners(partner_server) -> None:
    page = html.unescape(partner_server.get("/doc/organization/sc", params={"lang": "en"}).text)
    heading = page.index("Linked from partner data")
    assert str(PARTNER_LABEL_OF_SC) in page[heading:]  # shown, under the partner's attribution
    assert str(PARTNER_LABEL_OF_SC) not in page[:heading]  # never as one of our facts
    assert "<h1" in page and "Solidarity Center</h1>" in page
    ours = Graph().parse(data=partner_server.get("/doc/organization/sc.ttl").text, format="turtle")
    assert (SC, SKOS.prefLabel, PARTNER_LABEL_OF_SC) not in ours
    assert (None, None, PARTNER_LABEL_OF_SC) not in ours


def test_a_page_the_partner_does_not_link_has_no_partner_section(partner_server) -> None:
    page = partner_server.get("/doc/province/th-50", params={"lang": "en"}).text
    assert page.startswith("<!DOCTYPE html>") or "<html" in page
    assert "Linked from partner data" not in page


def test_the_repository_publishes_no_partner_data() -> None:
    """Fictional facts stay in tests/fixtures/: the repository's partners/ holds only its README."""
    assert [p.name for p in (PROJECT_ROOT / "partners").iterdir()] == ["README.md"]
