"""ontology/ + data/ (+ shapes/) → rdflib graphs under the configured base IRI.

Loading is the first step of build → validate → publish → serve. A file that does not parse is
reported with its name and the parser's position, because the people editing data/ are not RDF
experts and need to know where to look.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from mwg_graph.config import DEFAULT_BASE_IRI, Settings
from mwg_graph.iris import Iris


class LoadError(Exception):
    """A source file could not be read; the message names the file and the position."""


def turtle_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ttl"))


def parse_files(paths: Iterable[Path], graph: Graph | None = None) -> Graph:
    graph = Graph() if graph is None else graph
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except Exception as error:  # rdflib raises several unrelated types for bad Turtle
            raise LoadError(f"{path}: not valid Turtle: {error}") from error
    return graph


def rebase(graph: Graph, iris: Iris, from_base: str = DEFAULT_BASE_IRI) -> Graph:
    """Move every IRI under ``from_base`` onto ``iris.base`` (a no-op for the default base)."""
    if iris.base == from_base:
        return graph

    def move(node: Node) -> Node:
        if isinstance(node, URIRef) and str(node).startswith(from_base):
            return URIRef(iris.rebase(str(node), from_base))
        return node

    moved = Graph()
    for s, p, o in graph:
        moved.add((move(s), move(p), move(o)))
    return moved


def load_folder(folder: Path, iris: Iris) -> Graph:
    if not folder.is_dir():
        raise LoadError(f"{folder}: folder not found")
    return iris.bind_prefixes(rebase(parse_files(turtle_files(folder)), iris))


def load_data(settings: Settings) -> Graph:
    """The facts: data/ only (what the shapes validate)."""
    return load_folder(settings.data_dir, Iris(settings.base_iri))


def load_ontology(settings: Settings) -> Graph:
    return load_folder(settings.ontology_dir, Iris(settings.base_iri))


def load_shapes(settings: Settings) -> Graph:
    return load_folder(settings.shapes_dir, Iris(settings.base_iri))
