"""Every shape in shapes/ has a fixture that conforms and one that violates it (shapes/*.ttl).

Fixtures live in ``tests/fixtures/shapes/{ShapeName}/valid.ttl`` and ``invalid.ttl``, where
``ShapeName`` is the local name of a named shape (``mwgsh:ProvinceShape``). Each is loaded together
with ``context.ttl`` (the smallest world in which every shape holds) and the real ontology, with the
prefixes of docs/MODEL.md put in front, so fixture files declare no prefixes. An invalid fixture
starts with comment lines saying which violation it must produce::

    # focus: province:th-10
    # path: mwgo:iso3166_2          (empty for a constraint on the resource itself)
    # also: PrefLabelThai           (another shape that may fire too; repeatable)

Adding a shape without fixtures fails ``test_every_shape_has_fixtures``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from mwg_graph.build.load import load_data, load_folder, load_ontology
from mwg_graph.build.validate import ValidationResult, validate_graph
from mwg_graph.config import PROJECT_ROOT, from_env
from mwg_graph.iris import SH, Iris

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHAPES_NS = "https://w3id.org/mwg/shapes#"
IRIS = Iris()
PREFIXES = {**IRIS.prefixes(), "sh": str(SH)}


@cache
def shapes_graph() -> Graph:
    return load_folder(PROJECT_ROOT / "shapes", IRIS)


@cache
def ontology_graph() -> Graph:
    return load_ontology(from_env(environ={}))


def named_shapes() -> list[str]:
    """Local names of the shapes that must have fixtures: every named node or property shape,
    except helpers used only through sh:not (they are tested through the shape that uses them)."""
    shapes = shapes_graph()
    found = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if not isinstance(shape, URIRef) or not str(shape).startswith(SHAPES_NS):
                continue
            only_negated = (
                (None, SH["not"], shape) in shapes
                and not any(
                    (shape, p, None) in shapes
                    for p in (
                        SH.targetClass,
                        SH.targetNode,
                        SH.targetSubjectsOf,
                        SH.targetObjectsOf,
                        SH.target,
                    )
                )
                and (None, SH.property, shape) not in shapes
            )
            if not only_negated:
                found.add(str(shape)[len(SHAPES_NS) :])
    return sorted(found)


SHAPES = named_shapes()


def load_fixture(path: Path) -> Graph:
    prologue = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    graph = Graph()
    for part in (FIXTURES / "context.ttl", path):
        graph.parse(data=prologue + part.read_text(encoding="utf-8"), format="turtle")
    return graph


def validate_fixture(path: Path) -> ValidationResult:
    return validate_graph(load_fixture(path), shapes_graph(), ontology_graph())


def expand(curie: str) -> str:
    if curie.startswith("<") and curie.endswith(">"):
        return curie[1:-1]
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


def expectations(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#\s*(focus|path|also):\s*(.*)$", line)
        if match:
            found.setdefault(match[1], []).append(match[2].strip())
    return found


def owner(shapes: Graph, shape: object) -> str:
    """The named shape a result belongs to (a blank property shape belongs to its node shape)."""
    if isinstance(shape, BNode):
        parent = shapes.value(None, SH.property, shape)
        return owner(shapes, parent) if parent is not None else "?"
    return str(shape)[len(SHAPES_NS) :]


def results_by_shape(result: ValidationResult) -> list[tuple[str, str, str]]:
    """(owning shape, focus IRI, resultPath IRI or '') for every result of the report."""
    report, shapes = result.report_graph, shapes_graph()
    rows = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        if isinstance(path, BNode):
            path = "^" + str(report.value(path, SH.inversePath))
        rows.append((
            owner(shapes, report.value(r, SH.sourceShape)),
            str(report.value(r, SH.focusNode)),
            "" if path is None else str(path),
        ))  # fmt: skip
    return rows


def test_shapes_were_found():
    assert len(SHAPES) >= 30, SHAPES


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_has_fixtures(shape: str):
    for name in ("valid.ttl", "invalid.ttl"):
        assert (FIXTURES / shape / name).is_file(), f"mwgsh:{shape} has no {shape}/{name} fixture"


@pytest.mark.parametrize("shape", SHAPES)
def test_valid_fixture_conforms(shape: str):
    path = FIXTURES / shape / "valid.ttl"
    if not path.is_file():
        pytest.fail(f"mwgsh:{shape} has no valid.ttl fixture")
    result = validate_fixture(path)
    assert result.conforms, result.text()


@pytest.mark.parametrize("shape", SHAPES)
def test_invalid_fixture_violates_the_shape(shape: str):
    path = FIXTURES / shape / "invalid.ttl"
    if not path.is_file():
        pytest.fail(f"mwgsh:{shape} has no invalid.ttl fixture")
    expect = expectations(path)
    assert "focus" in expect and "path" in expect, f"{path} needs '# focus:' and '# path:' lines"
    focus = expand(expect["focus"][0])
    prop = expect["path"][0]
    prop = ("^" + expand(prop[1:]) if prop.startswith("^") else expand(prop)) if prop else ""
    result = validate_fixture(path)
    assert not result.conforms
    rows = results_by_shape(result)
    assert (shape, focus, prop) in rows, (rows, result.text())
    allowed = {shape, *expect.get("also", [])}
    assert {row[0] for row in rows} <= allowed, result.text()
    # Every violation can be read in English and in Thai, and says where it is.
    for violation in result.violations:
        assert violation.message and violation.message != "violates a shape", violation
        assert violation.message_th, violation
        assert re.search("[\u0e00-\u0e7f]", violation.message_th), violation
        assert violation.focus in violation.line()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("schema:position 2", "schema:position 4"), {"number 3 but no number 2"}),
        (("schema:position 3", "schema:position 2"), {"number 2 used twice"}),
    ],
)
def test_numbering_says_which_number_is_missing_or_repeated(
    tmp_path: Path, change: tuple[str, str], expected: set[str]
):
    """Both numbering constraints, each on its own (the invalid fixture has a gap only)."""
    valid = (FIXTURES / "NumberingShape" / "valid.ttl").read_text(encoding="utf-8")
    assert valid.count(change[0]) == 1
    path = tmp_path / "numbering.ttl"
    path.write_text(valid.replace(*change), encoding="utf-8")
    result = validate_fixture(path)
    numbering = [row for row in results_by_shape(result) if row[0] == "NumberingShape"]
    assert {row[2] for row in numbering} == {PREFIXES["mwgo"] + "hasStrategy"}, result.text()
    said = {v.value.strip('"') for v in result.violations if v.path == "mwgo:hasStrategy"}
    assert said == expected, result.text()


_NON_CONSTRAINTS = {
    SH.name, SH.description, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
    SH.targetObjectsOf, SH.target,
    SH.property, SH.sparql, SH.message, SH.prefixes, SH.path, SH.select, SH.deactivated,
}  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES)
def test_shape_has_messages_in_both_languages(shape: str):
    """Each constraint of the shape (its own, its blank property shapes', its SPARQL constraints')
    carries sh:message in English and Thai. Node shapes whose only own constraints are MWG
    components (mwgsh:iriPrefix …) use the component's messages, checked below."""
    shapes = shapes_graph()
    node = URIRef(SHAPES_NS + shape)
    holders = [node, *(p for p in shapes.objects(node, SH.property) if isinstance(p, BNode))]
    for holder in holders:
        own = {
            p for p in shapes.predicates(holder)
            if str(p).startswith(str(SH)) and p not in _NON_CONSTRAINTS
        }  # fmt: skip
        if own:
            langs = {m.language for m in shapes.objects(holder, SH.message)}
            assert {"en", "th"} <= langs, f"a constraint of mwgsh:{shape} lacks sh:message @en/@th"
    for constraint in shapes.objects(node, SH.sparql):
        langs = {m.language for m in _messages(shapes, constraint)}
        assert {"en", "th"} <= langs, f"a SPARQL constraint of mwgsh:{shape} lacks sh:message"


def _messages(shapes: Graph, node: Node) -> list[Node]:
    """A SPARQL constraint's sh:message and its other-language mwgsh:message (Jena takes one)."""
    return [*shapes.objects(node, SH.message), *shapes.objects(node, URIRef(SHAPES_NS + "message"))]


def test_component_validators_have_messages_in_both_languages():
    shapes = shapes_graph()
    components = list(shapes.subjects(RDF.type, SH.ConstraintComponent))
    assert components
    for component in components:
        for validator in shapes.objects(component, SH.nodeValidator):
            langs = {m.language for m in _messages(shapes, validator)}
            assert {"en", "th"} <= langs, component


def test_shapes_follow_a_rebased_iri():
    """With another base IRI, the real data still conforms and the IRI rule follows the base."""
    settings = from_env(environ={}, base_iri="https://data.example.org/mwg/")
    iris = Iris(settings.base_iri)
    shapes = load_folder(PROJECT_ROOT / "shapes", iris)
    data = load_data(settings)
    assert validate_graph(data, shapes, load_ontology(settings)).conforms
    # An IRI under the *default* base is now outside the base.
    stray = URIRef("https://w3id.org/mwg/id/role/stray")
    for triple in data.triples((iris.instance("role", "main-partner"), None, None)):
        data.add((stray, triple[1], triple[2]))
    result = validate_graph(data, shapes, load_ontology(settings))
    assert not result.conforms
    assert {v.focus for v in result.violations} == {str(stray)}
    assert any("https://data.example.org/mwg/id/role/" in v.line() for v in result.violations)


@pytest.mark.skipif(not (PROJECT_ROOT / "data").is_dir(), reason="data/ not written yet")
def test_real_data_conforms():
    settings = from_env(environ={})
    result = validate_graph(load_data(settings), shapes_graph(), ontology_graph())
    assert result.conforms, result.text()
