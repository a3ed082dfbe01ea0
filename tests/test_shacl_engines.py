"""The shapes work with more than one SHACL engine, and our data conforms however it is read.

- shapes/core.ttl is SHACL Core only: it uses no SHACL-SPARQL term, so any engine can load it.
- A second, independent engine — rdf-validate-shacl (npm, pinned in tests/js/package-lock.json,
  installed by ``make test``) — validates the release and every broken fixture of a Core shape with
  core.ttl, and finds the same focus nodes and paths as pySHACL.
- The data conforms to both files under pySHACL with ``inference='none'`` and ``'rdfs'``.
- Each constraint has exactly one sh:message per language (engines such as Jena refuse more).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from mwg_graph.config import PROJECT_ROOT, from_env
from mwg_graph.load import load_data, load_ontology
from mwg_graph.namespaces import SH, Iris

from .test_shapes import FIXTURES, expand, expectations, load_fixture, shapes_graph

JS = Path(__file__).parent / "js"
CORE = PROJECT_ROOT / "shapes" / "core.ttl"
SPARQL_TERMS = {
    SH.sparql, SH.SPARQLConstraint, SH.SPARQLTarget, SH.SPARQLSelectValidator,
    SH.SPARQLAskValidator, SH.select, SH.ask, SH.prefixes, SH.declare, SH.ConstraintComponent,
    SH.nodeValidator, SH.propertyValidator, SH.validator, SH.parameter, SH.target,
}  # fmt: skip


def core_graph() -> Graph:
    return Graph().parse(CORE, format="turtle")


def core_shape_names() -> list[str]:
    core = core_graph()
    names = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in core.subjects(RDF.type, kind):
            if isinstance(shape, URIRef) and (FIXTURES / shape.split("#")[-1]).is_dir():
                names.add(shape.split("#")[-1])
    return sorted(names)


def pyshacl_results(data: Graph, shapes: Graph) -> set[tuple[str, str]]:
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    rows = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        if isinstance(path, BNode):
            path = "^" + str(report.value(path, SH.inversePath))
        rows.add((str(report.value(result, SH.focusNode)), "" if path is None else str(path)))
    return rows


def js_results(cases: dict[str, Graph], tmp_path: Path) -> dict[str, set[tuple[str, str]]]:
    assert shutil.which("node"), "node is not installed (make test installs it)"
    assert (JS / "node_modules" / "rdf-validate-shacl").is_dir(), "run make test (npm ci)"
    files = {}
    for name, graph in cases.items():
        path = tmp_path / f"{name}.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        files[name] = [str(path)]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"shapes": str(CORE), "cases": files}))
    done = subprocess.run(
        ["node", str(JS / "shacl-validate.mjs"), str(manifest)],
        capture_output=True, text=True, timeout=300, cwd=JS,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    return {name: {(r["focus"], r["path"]) for r in answer[name]["results"]} for name in cases}


def test_core_file_uses_only_shacl_core():
    core = core_graph()
    used = {t for triple in core for t in triple if isinstance(t, URIRef)}
    assert used.isdisjoint(SPARQL_TERMS), used & SPARQL_TERMS
    assert len(set(core.subjects(RDF.type, SH.NodeShape))) >= 20


def test_shapes_are_two_files():
    assert sorted(p.name for p in (PROJECT_ROOT / "shapes").glob("*.ttl")) == [
        "core.ttl",
        "sparql.ttl",
    ]


def test_one_message_per_language_per_constraint():
    shapes = shapes_graph()
    for holder in set(shapes.subjects(SH.message, None)):
        languages = [m.language for m in shapes.objects(holder, SH.message)]
        assert sorted(languages) == ["en", "th"], (holder, languages)


@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_the_data_conforms_under_inference(inference):
    settings = from_env(environ={})
    conforms, _, text = validate(
        load_data(settings),
        shacl_graph=shapes_graph(),
        ont_graph=load_ontology(settings),
        inference=inference,
        advanced=True,
        allow_warnings=True,
    )
    assert conforms, text


def test_both_engines_agree_on_the_release_and_on_broken_fixtures(tmp_path):
    settings = from_env(environ={})
    ontology = load_ontology(settings)
    cases = {"release": load_data(settings) + ontology}
    names = core_shape_names()
    assert len(names) >= 25
    for name in names:
        cases[name] = load_fixture(FIXTURES / name / "invalid.ttl") + ontology
    core = Iris().bind_prefixes(core_graph())
    js = js_results(cases, tmp_path)
    disagreements = []
    for name, data in cases.items():
        ours = pyshacl_results(data, core)
        if ours != js[name]:
            disagreements.append((name, sorted(ours - js[name]), sorted(js[name] - ours)))
    assert disagreements == [], "\n".join(map(str, disagreements))
    assert js["release"] == set()
    # Each broken fixture of a Core shape whose fault Core can express is caught by the second
    # engine too, at the focus node it names (the others, e.g. a bad IRI slug, need SHACL-SPARQL).
    caught = []
    for name in names:
        focus_iri = expand(expectations(FIXTURES / name / "invalid.ttl")["focus"][0])
        if any(f == focus_iri for f, _ in pyshacl_results(cases[name], core)):
            assert any(f == focus_iri for f, _ in js[name]), (name, js[name])
            caught.append(name)
    assert len(caught) >= 25, sorted(set(names) - set(caught))
    assert "OrganizationShape" in caught and "MemberOrganizationShape" in caught
