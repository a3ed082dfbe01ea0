"""Which facts a release added or removed since the previous one, in plain words."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from mwg_graph import labels


@dataclass(frozen=True)
class GraphDiff:
    added: list[str]
    removed: list[str]

    @property
    def unchanged(self) -> bool:
        return not self.added and not self.removed

    def text(self, since: str | None) -> str:
        if since is None:
            return f"First release: {len(self.added)} facts."
        if self.unchanged:
            return f"No facts changed since release {since}."
        lines = [
            f"Since release {since}: {len(self.added)} facts added, {len(self.removed)} removed."
        ]
        lines += [f"+ {fact}" for fact in self.added]
        lines += [f"- {fact}" for fact in self.removed]
        return "\n".join(lines)


def diff_graphs(old: Graph, new: Graph) -> GraphDiff:
    added = sorted(_sentence(new, t) for t in set(new) - set(old))
    removed = sorted(_sentence(old, t) for t in set(old) - set(new))
    return GraphDiff(added, removed)


def _sentence(graph: Graph, triple: tuple[Node, Node, Node]) -> str:
    s, p, o = triple
    return f"{_name(graph, s)} — {_name(graph, p)} — {_name(graph, o)}"


def _name(graph: Graph, node: Node) -> str:
    if isinstance(node, Literal):
        return f'"{node}"' + (f"@{node.language}" if node.language else "")
    if isinstance(node, URIRef):
        chosen = labels.label(graph, node, (SKOS.prefLabel, RDFS.label), ("en", None))
        return f"<{node}>" if chosen is None else f'"{chosen}" <{node}>'
    return "(blank node)"
