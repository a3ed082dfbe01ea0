"""The one label picker: which literal of a node's names (or messages) to show.

Validation messages, ``mwg-graph diff``, resource pages, schema.org markup and citations all pick a
literal by the same rule — properties in order, then languages in order — and differ only in which
properties and languages they prefer. Each caller names those; the picking is done here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import Graph, Literal
from rdflib.term import Node


def pick(
    values: Iterable[Node], languages: Sequence[str | None], fallback: bool = False
) -> Literal | None:
    """The first literal tagged with the first of ``languages`` any literal has (``None``: no tag).

    With ``fallback``, a literal in none of those languages is still better than nothing: the first.
    """
    literals = [v for v in values if isinstance(v, Literal)]
    for wanted in languages:
        for value in literals:
            if value.language == wanted:
                return value
    return literals[0] if fallback and literals else None


def label(
    graph: Graph,
    node: Node,
    properties: Sequence[Node],
    languages: Sequence[str | None],
    fallback: bool = False,
) -> Literal | None:
    """The literal :func:`pick` chooses from the first of ``properties`` that yields one."""
    for prop in properties:
        chosen = pick(graph.objects(node, prop), languages, fallback)  # type: ignore[arg-type]
        if chosen is not None:
            return chosen
    return None
