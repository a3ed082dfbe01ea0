"""SHACL validation (https://www.w3.org/TR/shacl/) → readable violations.

pySHACL's report is RDF; MWG staff need one line per problem that names the resource (by its label
and IRI), the property, what is wrong and what was expected. That translation lives here.

"What was expected" comes, in this order, from the shape's ``mwgsh:expected`` annotation (the
shapes in ``shapes/`` use it where a constraint cannot say it by itself: SPARQL constraints,
``sh:not``, qualified counts), then from the parameters of core constraint components
(``sh:minCount 1`` → "at least 1"). ``{$param}`` in an annotation is filled from the shape's own
parameter values, as in ``sh:message``.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.plugins.sparql import processor as sparql_processor
from rdflib.term import Node

from mwg_graph import labels
from mwg_graph.build.load import LoadError
from mwg_graph.iris import SH


class ShapesError(LoadError):
    """The shapes themselves could not be used (a broken shape, not bad data)."""


# What a constraint component expects, in plain words, from the shape's own parameter values.
_EXPECTATIONS = {
    SH.MinCountConstraintComponent: ("minCount", "at least {}"),
    SH.MaxCountConstraintComponent: ("maxCount", "at most {}"),
    SH.DatatypeConstraintComponent: ("datatype", "a value of type {}"),
    SH.ClassConstraintComponent: ("class", "a resource of class {}"),
    SH.PatternConstraintComponent: ("pattern", "text matching {}"),
    SH.NodeKindConstraintComponent: ("nodeKind", "a node of kind {}"),
    SH.HasValueConstraintComponent: ("hasValue", "the value {}"),
    SH.InConstraintComponent: ("in", "one of the allowed values"),
    SH.LanguageInConstraintComponent: ("languageIn", "a language tag in the allowed list"),
    SH.UniqueLangConstraintComponent: ("uniqueLang", "at most one value per language"),
    SH.MinInclusiveConstraintComponent: ("minInclusive", "a value ≥ {}"),
    SH.MaxInclusiveConstraintComponent: ("maxInclusive", "a value ≤ {}"),
    SH.MinLengthConstraintComponent: ("minLength", "text of at least {} characters"),
    SH.MaxLengthConstraintComponent: ("maxLength", "text of at most {} characters"),
    SH.QualifiedMinCountConstraintComponent: ("qualifiedMinCount", "at least {} matching value(s)"),
    SH.QualifiedMaxCountConstraintComponent: ("qualifiedMaxCount", "at most {} matching value(s)"),
}

# The annotation property naming what a constraint expects. Matched by local name because the
# shapes are rebased onto the configured base IRI (``{base}shapes#expected``).
_EXPECTED_SUFFIX = "shapes#expected"
# A SPARQL constraint's or validator's message in another language than its one sh:message (Jena
# accepts only one there); matched by local name for the same reason.
_MESSAGE_SUFFIX = "shapes#message"
_VALIDATORS = (SH.validator, SH.nodeValidator, SH.propertyValidator)


@dataclass(frozen=True)
class Violation:
    focus: str  # IRI (or blank-node id) of the resource
    focus_label: str
    path: str  # the property, as a short name
    message: str  # English
    message_th: str
    value: str
    expected: str
    severity: str

    def line(self) -> str:
        where = f"{self.focus_label} <{self.focus}>" if self.focus_label else f"<{self.focus}>"
        parts = [where]
        if self.path:
            parts.append(self.path)
        parts.append(f"{self.message} / {self.message_th}" if self.message_th else self.message)
        detail = []
        if self.value:
            detail.append(f"found {self.value}")
        if self.expected:
            detail.append(f"expected {self.expected}")
        text = ": ".join(parts)
        return f"{text} ({'; '.join(detail)})" if detail else text


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    violations: list[Violation]
    report_graph: Graph

    def text(self) -> str:
        if self.conforms:
            return "The data is valid: no SHACL violations."
        lines = [f"{len(self.violations)} problem(s) found:"]
        lines += [f"- {v.line()}" for v in self.violations]
        return "\n".join(lines)


def validate_graph(data: Graph, shapes: Graph, ontology: Graph | None = None) -> ValidationResult:
    with parsed_queries_reused():
        conforms, report, _ = shacl_validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
    if not isinstance(report, Graph):  # pySHACL returns a ValidationFailure for unusable shapes
        raise ShapesError(f"the SHACL shapes could not be used: {report}")
    context = data + ontology if ontology is not None else data
    results = report.subjects(RDF.type, SH.ValidationResult)
    violations = [_violation(report, shapes, context, r) for r in results]
    violations.sort(key=lambda v: (v.focus, v.path, v.message, v.value))
    return ValidationResult(bool(conforms), violations, report)


def _violation(report: Graph, shapes: Graph, data: Graph, result: Node) -> Violation:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    source_shape = report.value(result, SH.sourceShape)
    source_constraint = report.value(result, SH.sourceConstraint)
    component = report.value(result, SH.sourceConstraintComponent)
    messages = list(report.objects(result, SH.resultMessage))
    # pySHACL drops the language tags of SPARQL constraints' messages; take them from the shapes,
    # with the other-language messages (mwgsh:message) of SPARQL constraints and validators.
    declared = [
        m for node in _message_holders(shapes, source_constraint, source_shape, component)
        for prop, m in shapes.predicate_objects(node)
        if prop == SH.message or str(prop).endswith(_MESSAGE_SUFFIX)
    ]  # fmt: skip
    message_en = _pick(messages, "en") or _pick(declared, "en") or "violates a shape"
    message_th = _pick(messages, "th") or _pick(declared, "th")
    if source_shape is not None:
        message_th = _fill(shapes, source_shape, message_th)
    severity = report.value(result, SH.resultSeverity)
    return Violation(
        focus=str(focus),
        focus_label=_label(data, focus),
        path=_show_path(report, data, path) if path is not None else "",
        message=message_en,
        message_th=message_th,
        value=_show(data, value) if value is not None and value != focus else "",
        expected=_expected(shapes, source_shape, source_constraint, component),
        severity=_short(data, severity) if severity is not None else "sh:Violation",
    )


def _message_holders(
    shapes: Graph, constraint: Node | None, shape: Node | None, component: Node | None
) -> list[Node]:
    """Where a result's messages are declared: constraint, shape, the component's validators."""
    holders = [n for n in (constraint, shape) if n is not None]
    if component is not None:
        holders += [v for p in _VALIDATORS for v in shapes.objects(component, p)]
    return holders


def _pick(literals: list[Node], lang: str) -> str:
    """The message in ``lang``; an untagged message counts as English."""
    chosen = labels.pick(literals, ("en", None) if lang == "en" else (lang,))
    return "" if chosen is None else str(chosen)


def _label(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    chosen = labels.label(
        graph, node, (SKOS.prefLabel, DCTERMS.title, RDFS.label), ("en", "th", None)
    )
    return "" if chosen is None else f'"{chosen}"'


def _short(graph: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    if isinstance(node, BNode):
        return "a property path"
    return str(node)


def _show(graph: Graph, node: Node) -> str:
    if isinstance(node, Literal):
        text = str(node)
        text = text if len(text) <= 80 else text[:77] + "…"
        suffix = f"@{node.language}" if node.language else ""
        return f'"{text}"{suffix}'
    if isinstance(node, URIRef):
        label = _label(graph, node)
        return f"{label} <{node}>" if label else f"<{node}>"
    return "a blank node"


def _show_path(report: Graph, data: Graph, path: Node) -> str:
    """``skos:prefLabel``; an inverse path as ``^mwgo:hasStrategy``; other paths in words."""
    if isinstance(path, BNode):
        inverse = report.value(path, SH.inversePath)
        if isinstance(inverse, URIRef):
            return "^" + _short(data, inverse)
    return _short(data, path)


def _annotation(shapes: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    for prop, value in shapes.predicate_objects(node):
        if str(prop).endswith(_EXPECTED_SUFFIX) and isinstance(value, Literal):
            return _fill(shapes, node, str(value))
    return ""


def _fill(shapes: Graph, shape: Node, text: str) -> str:
    """Replace ``{$name}`` with the value of the shape's parameter ``…#name``."""
    if "{$" not in text:
        return text
    for prop, value in shapes.predicate_objects(shape):
        name = str(prop).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        text = text.replace("{$" + name + "}", str(value))
    return text


def _expected(
    shapes: Graph, shape: Node | None, constraint: Node | None, component: Node | None
) -> str:
    if shape is None:
        return ""
    found = _annotation(shapes, shape) or _annotation(shapes, constraint)
    if not found and component == SH.NotConstraintComponent:
        found = _annotation(shapes, shapes.value(shape, SH["not"]))
    if found or component not in _EXPECTATIONS:
        return found
    parameter, phrase = _EXPECTATIONS[component]
    value = shapes.value(shape, SH[parameter])
    if value is None:
        return ""
    shown = _short(shapes, value) if isinstance(value, URIRef) else str(value)
    return phrase.format(shown)


_patch_lock = threading.Lock()
_parse, _translate = sparql_processor.parseQuery, sparql_processor.translateQuery


@functools.lru_cache(maxsize=1024)
def _translated(text: str, base: str | None, init_ns: tuple[tuple[str, object], ...]) -> object:
    return _translate(_parse(text), base, dict(init_ns) or None)


@contextlib.contextmanager
def parsed_queries_reused() -> Iterator[None]:
    """Parse each SPARQL constraint once per process instead of once per focus node.

    pySHACL hands rdflib the same query text for every focus node (``$this`` is a pre-binding,
    not text), and rdflib parses it anew each time: ~95% of validation time here. A translated
    ``Query`` is reusable with other bindings and other data (it is what ``prepareQuery``
    returns), so each text is translated once and kept: a build validates the MWG data and each
    partner's, and ``mwg-graph validate`` in a watch loop or a test suite validates many graphs
    against the same shapes, where parsing was still a third of each small validation.
    """

    def parse_later(text: str) -> str:
        return text

    def translate_once(text: str, base=None, init_ns=None):
        return _translated(text, base, tuple(sorted((init_ns or {}).items())))

    with _patch_lock:
        sparql_processor.parseQuery, sparql_processor.translateQuery = parse_later, translate_once
        try:
            yield
        finally:
            sparql_processor.parseQuery, sparql_processor.translateQuery = _parse, _translate
