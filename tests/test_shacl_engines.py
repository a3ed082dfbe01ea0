"""The shapes work with more than one SHACL engine, and our data conforms however it is read.

- shapes/core.ttl is SHACL Core only: it uses no SHACL-SPARQL term, so any engine can load it.
- A second, independent engine — rdf-validate-shacl (npm, pinned in tests/js/package-lock.json,
  installed by ``make test``) — validates the release and every broken fixture of a Core shape with
  core.ttl, and finds the same focus nodes and paths as pySHACL.
- A third engine, Apache Jena's SHACL (Debian libapache-jena-java, installed by ``make test``, run
  by tests/java/ShaclValidate.java), loads both files and agrees with pySHACL on the release and
  on every broken fixture.
- The data conforms to both files under pySHACL with ``inference='none'`` and ``'rdfs'``.
- Each constraint has exactly one sh:message per language; Jena refuses two on a SPARQL
  constraint, so there the Thai one is mwgsh:message, which our reports (validate.py) still show.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from mwg_graph.build.load import load_data, load_ontology
from mwg_graph.build.validate import parsed_queries_reused, validate_graph
from mwg_graph.config import PROJECT_ROOT, from_env
from mwg_graph.iris import SH, Iris

from .test_shapes import (
    FIXTURES,
    SHAPES_NS,
    expand,
    expectations,
    load_fixture,
    shapes_graph,
    validate_fixture,
)

JS = Path(__file__).parent / "js"
JAVA = Path(__file__).parent / "java"
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
    """What the build reports: pySHACL as validate.py runs it (each SPARQL constraint parsed once
    per validation, not once per focus node, which is 90% of the time otherwise)."""
    return report_rows(validate_graph(data, shapes).report_graph)


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
    """Jena refuses two sh:message on a SPARQL constraint or validator: there the Thai message
    is mwgsh:message; everywhere else, sh:message has one value per language."""
    shapes = shapes_graph()
    other_language = URIRef(SHAPES_NS + "message")
    for holder in set(shapes.subjects(SH.message, None)):
        languages = [m.language for m in shapes.objects(holder, SH.message)]
        if (holder, SH.select, None) in shapes:
            assert languages == ["en"], (holder, languages)
            thai = [m.language for m in shapes.objects(holder, other_language)]
            assert thai == ["th"], (holder, thai)
        else:
            assert sorted(languages) == ["en", "th"], (holder, languages)


@pytest.mark.parametrize(
    "name", ["MintedIriShape", "MembershipShape", "NumberingShape", "GoalShape", "RoleShape"]
)
def test_reports_of_sparql_constraints_say_it_in_thai_too(name):
    """validate.py finds the Thai message of a SPARQL constraint (mwgsh:message) and fills it in."""
    violations = validate_fixture(FIXTURES / name / "invalid.ttl").violations
    assert violations
    for violation in violations:
        assert re.search("[\u0e00-\u0e7f]", violation.message_th), violation
        assert "{$" not in violation.message_th + violation.message, violation


@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_the_data_conforms_under_inference(inference):
    settings = from_env(environ={})
    with parsed_queries_reused():
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
    ours_by_case = {name: pyshacl_results(data, core) for name, data in cases.items()}
    disagreements = []
    for name, ours in ours_by_case.items():
        if ours != js[name]:
            disagreements.append((name, sorted(ours - js[name]), sorted(js[name] - ours)))
    assert disagreements == [], "\n".join(map(str, disagreements))
    assert js["release"] == set()
    # Each broken fixture of a Core shape whose fault Core can express is caught by the second
    # engine too, at the focus node it names (the others, e.g. a bad IRI slug, need SHACL-SPARQL).
    caught = []
    for name in names:
        focus_iri = expand(expectations(FIXTURES / name / "invalid.ttl")["focus"][0])
        if any(f == focus_iri for f, _ in ours_by_case[name]):
            assert any(f == focus_iri for f, _ in js[name]), (name, js[name])
            caught.append(name)
    assert len(caught) >= 25, sorted(set(names) - set(caught))
    assert "OrganizationShape" in caught and "MemberOrganizationShape" in caught


# Apache Jena's SHACL engine, from Debian's libapache-jena-java (installed by `make test`), run by
# tests/java/ShaclValidate.java as a single source file. The jars it needs, from the package's
# dependencies (a whole /usr/share/java/* classpath brings conflicting logging bindings).
JAVA_LIB = Path("/usr/share/java")
JENA_JARS = (
    "jena-arq", "jena-base", "jena-core", "jena-iri", "jena-shacl", "commons-cli", "commons-csv",
    "commons-lang3", "commons-io", "commons-codec", "commons-compress", "jsonld-java", "httpclient",
    "httpcore", "thrift", "slf4j-api", "slf4j-nop", "dexx.collection", "gson", "guava", "protobuf",
    "titanium-json-ld", "jakarta.json-api",
)  # fmt: skip
XERCES_RESOURCES = "org/apache/jena/ext/xerces/"


def jena_classpath(tmp_path: Path) -> str:
    """The jars, and the XML Schema messages Debian's jena-core leaves at their upstream path.

    Debian's jena-core moves Jena's bundled Xerces classes to the package ``xerces`` but not their
    resource files, so Jena's datatype set-up fails ("internal error"); the same files, copied to
    where the moved classes look, fix that without touching the system.
    """
    missing = [j for j in JENA_JARS if not (JAVA_LIB / f"{j}.jar").is_file()]
    assert not missing, f"{missing} absent: make test installs libapache-jena-java"
    resources = tmp_path / "jena-resources"
    with zipfile.ZipFile(JAVA_LIB / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(XERCES_RESOURCES) and not name.endswith((".class", "/")):
                target = resources / "xerces" / name[len(XERCES_RESOURCES) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([str(resources)] + [str(JAVA_LIB / f"{j}.jar") for j in JENA_JARS])


def report_rows(report: Graph) -> set[tuple[str, str]]:
    rows = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        if isinstance(path, BNode):
            path = "^" + str(report.value(path, SH.inversePath))
        rows.add((str(report.value(result, SH.focusNode)), "" if path is None else str(path)))
    return rows


def jena_results(
    shapes: Graph, cases: dict[str, Graph], tmp_path: Path
) -> dict[str, set[tuple[str, str]]]:
    assert shutil.which("java"), "java is not installed (make test installs libapache-jena-java)"
    shapes_file = tmp_path / "shapes.ttl"
    shapes.serialize(shapes_file, format="turtle", encoding="utf-8")
    files = {}
    for name, graph in cases.items():
        files[name] = tmp_path / f"{name}.nt"
        graph.serialize(files[name], format="nt", encoding="utf-8")
    out = tmp_path / "jena-reports"
    out.mkdir()
    done = subprocess.run(
        # a short run: the first JIT tier and the serial collector halve the JVM's CPU time here
        ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", jena_classpath(tmp_path),
         str(JAVA / "ShaclValidate.java"),
         str(shapes_file), str(out), *map(str, files.values())],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return {
        name: report_rows(Graph().parse(out / f"{path.name}.ttl", format="turtle"))
        for name, path in files.items()
    }


def test_jena_loads_both_shape_files_and_agrees_with_pyshacl(tmp_path):
    settings = from_env(environ={})
    ontology = load_ontology(settings)
    cases = {"release": load_data(settings) + ontology}
    names = sorted(p.name for p in FIXTURES.iterdir() if (p / "invalid.ttl").is_file())
    assert len(names) >= 35
    for name in names:
        cases[name] = load_fixture(FIXTURES / name / "invalid.ttl") + ontology
    shapes = shapes_graph()
    jena = jena_results(shapes, cases, tmp_path)
    disagreements = []
    for name, data in cases.items():
        ours = pyshacl_results(data, shapes)
        if ours != jena[name]:
            disagreements.append((name, sorted(ours - jena[name]), sorted(jena[name] - ours)))
    assert disagreements == [], "\n".join(map(str, disagreements))
    assert jena["release"] == set()
    # Every broken fixture is caught by Jena at the focus node the fixture names.
    for name in names:
        focus_iri = expand(expectations(FIXTURES / name / "invalid.ttl")["focus"][0])
        assert any(f == focus_iri for f, _ in jena[name]), (name, jena[name])
