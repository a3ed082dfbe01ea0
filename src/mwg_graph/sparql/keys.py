"""The identity of a query: a hash of its normalised text and its dataset.

Both the result cache and the runaway memory key by it, so that the same question asked with other
whitespace, or with a distinct comment (what a client does to dodge a cache), is the same question.
A hash keeps a key small whatever the size of the query (a 1 MB query costs 32 bytes of key).
"""

from __future__ import annotations

import hashlib

from mwg_graph.sparql.guard import normalise


def query_key(
    query: str, default_graphs: tuple[str, ...] | None, named_graphs: tuple[str, ...] | None
) -> bytes:
    text = normalise(query)
    dataset = repr((default_graphs, named_graphs))
    return hashlib.sha256(f"{text}\n{dataset}".encode("utf-8", "surrogatepass")).digest()
