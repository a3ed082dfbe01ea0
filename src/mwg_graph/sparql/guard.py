"""Keep the endpoint closed: read-only, and no query makes the server open a connection.

* Updates (SPARQL 1.1 Update, https://www.w3.org/TR/sparql11-update/) are refused with 403.
* ``SERVICE`` (SPARQL 1.1 Federated Query, https://www.w3.org/TR/sparql11-federated-query/) is
  refused before execution: both rdflib and Oxigraph would call the remote endpoint. The decision is
  taken on rdflib's parse of the query, not on its text. As a fast path, a query whose text (after
  SPARQL's ``\\u`` codepoint escapes are undone, §19.2) does not contain the letters ``service`` at
  all cannot contain the keyword, and is not parsed twice.
* ``FROM`` / ``FROM NAMED`` / ``default-graph-uri`` / ``named-graph-uri`` name graphs of our own
  dataset only: rdflib's ``SPARQL_LOAD_GRAPHS`` is switched off (see :mod:`.engine`) and Oxigraph
  never fetches them, so an IRI we do not hold (``http:``, ``file:``, anything) is an empty graph.
* ``LOAD`` is an update: refused with the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import rdflib.plugins.sparql
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Refused(Exception):
    """The request is well-formed but this endpoint will not run it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


READ_ONLY = (
    "This endpoint is read-only: SPARQL Update requests (INSERT, DELETE, LOAD, CLEAR, DROP, …) are "
    "refused and the data is never changed. Download the data and load it into your own store to "
    "change it."
)
NO_SERVICE = (
    "SERVICE (federated query) is not allowed: this endpoint never contacts other servers. Query "
    "the other endpoint yourself and combine the results."
)


def unescape_codepoints(text: str) -> str:
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def might_use_service(query: str) -> bool:
    return "service" in unescape_codepoints(query).lower()


def check_query(query: str) -> None:
    """Raise :class:`Refused` when ``query`` uses SERVICE. Syntax errors are left to the engine."""
    if not might_use_service(query):
        return
    try:
        tree = parseQuery(query)
    except Exception as error:
        raise Refused(
            400,
            f"Syntax error in the query (checked before running it, because it mentions "
            f"SERVICE): {error}",
        ) from error
    if any(node.name == "ServiceGraphPattern" for node in _walk(tree)):
        raise Refused(403, NO_SERVICE)


def is_update(text: str) -> bool:
    """Does ``text`` parse as a SPARQL Update? (Used to explain a query that failed to parse.)"""
    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def _walk(node: Any) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for item in node:
            yield from _walk(item)
