"""Keep the endpoint closed and every query's text harmless, without parsing SPARQL.

* Updates (SPARQL 1.1 Update, https://www.w3.org/TR/sparql11-update/) are refused with 403 — so is
  ``LOAD``, an update.
* ``SERVICE`` (SPARQL 1.1 Federated Query) is refused before execution: Oxigraph would call the
  remote endpoint.
* A query nested deeper than :data:`MAX_DEPTH` brackets is a 400: Oxigraph's recursive-descent
  parser would overflow its stack (``{`` × 10,000 ends the process with a segmentation fault).
* ``FROM`` / ``FROM NAMED`` / ``default-graph-uri`` / ``named-graph-uri`` need nothing here:
  Oxigraph never fetches a graph, so an IRI we do not hold (``http:``, ``file:``, anything) is an
  empty graph.

All of it is decided by a small tokenizer, not a parser: one regular expression that knows SPARQL's
strings (four quote styles, backslash escapes), IRIs, comments, prefixed names (with their ``\\'``
escapes), variables and language tags — so a keyword inside any of them is not a keyword. It runs
in linear time (unterminated strings run to the end of their line or of the text instead of being
retried), holds no state between calls (safe in any thread), and errs towards refusing: the text is
tokenized with and without SPARQL's ``\\u`` codepoint escapes undone (§19.2), and with two readings
of ``<`` (an IRI may contain ``'``, or ``<`` is the less-than operator); ``SERVICE`` found in any
reading refuses the query.

The same tokens give the *normalised* text of a query (comments dropped, whitespace runs outside
strings and IRIs made one space, one space always beside brackets, commas and semicolons) that keys
the result cache and the runaway memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_DEPTH = 256  # brackets ({ ( [) open at once; Oxigraph's parser is fine to ~1,000 here
UPDATE_WORDS = frozenset(
    ["insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"]
)  # the words an update operation can start with (after its prologue)

_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]|%[0-9A-Fa-f]{2}"  # PN_LOCAL_ESC and PERCENT in prefixed names
_COMMON = (
    r"(?P<ws>\s+)"
    r"|(?P<comment>\#[^\n\r]*)"
    # strings, written as "unrolled loops" (runs of ordinary characters in one step)
    r'|(?P<string>"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\\?\Z)'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\\?\Z)"
    r'|"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"?'
    r"|'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*'?)"
)
_TAIL = (
    r"|(?P<var>[?$]\w+)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    rf"|(?P<pname>\w*:(?:[\w\-.:]|{_ESC})*)"
    r"|(?P<word>\w+)"
    r"|(?P<other>.)"
)
# Two readings of '<': an IRI that may contain quotes, or one that may not.
_READINGS = (
    re.compile(_COMMON + r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)" + _TAIL, re.S),
    re.compile(_COMMON + r"|(?P<iri><[^<>\"'{}|^`\\\x00-\x20]*>)" + _TAIL, re.S),
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")
# Tokens whitespace beside which never changes how SPARQL reads a query (outside strings and IRIs,
# which are whole tokens here, no other SPARQL token holds them).
_SPACED = _OPEN | _CLOSE | frozenset(",;")


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
TOO_DEEP = (
    "The query is nested too deeply: more than {limit} brackets ({{ ( [) are open at once at line "
    "{line}. Flatten the query."
)


def unescape_codepoints(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(one, text)


def tokens(text: str, reading: int = 0) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) for every token; whitespace and comments included."""
    for match in _READINGS[reading].finditer(text):
        yield match.lastgroup or "other", match.group(), match.start()


def check_query(query: str) -> None:
    """Raise :class:`Refused` for an update, SERVICE, or nesting deeper than :data:`MAX_DEPTH`.

    Syntax errors are left to the engine, which words them better.
    """
    texts = [query]
    if "\\u" in query or "\\U" in query:
        texts.append(unescape_codepoints(query))
    for text in texts:
        for reading in range(len(_READINGS)):
            _check_reading(text, reading)


def _check_reading(text: str, reading: int) -> None:
    depth = 0
    first_word: str | None = None
    after_prologue = False  # PREFIX p: <iri> / BASE <iri> skipped
    expecting = 0  # tokens still expected by a PREFIX or BASE declaration
    for kind, token, offset in tokens(text, reading):
        if kind in ("ws", "comment"):
            continue
        lowered = token.lower()
        if kind == "word" and lowered == "service":
            raise Refused(403, NO_SERVICE)
        if first_word is None and not after_prologue:
            if expecting:
                expecting -= 1
            elif kind == "word" and lowered in ("prefix", "base"):
                expecting = 2 if lowered == "prefix" else 1
            elif kind == "word":
                first_word = lowered
                if lowered in UPDATE_WORDS:
                    raise Refused(403, READ_ONLY)
            else:
                after_prologue = True
        if kind == "other":
            if token in _OPEN:
                depth += 1
                if depth > MAX_DEPTH:
                    line = text.count("\n", 0, offset) + 1
                    raise Refused(400, TOO_DEEP.format(limit=MAX_DEPTH, line=line))
            elif token in _CLOSE:
                depth = max(0, depth - 1)


def normalise(query: str) -> str:
    """The query with comments dropped and whitespace outside strings and IRIs made one space.

    Two queries with the same normalised text ask the same thing, so they share a cache entry and
    a runaway record; a distinct trailing comment does not make a query new. Nor does whitespace
    beside ``{ } ( ) [ ] , ;`` (``{?a`` or ``{ ?a``, a runaway's cheapest disguise): SPARQL reads
    them alike, so a space is always put there. Elsewhere whether there was whitespace still counts
    (``1.5`` is one number, ``1 .5`` two; ``<(?b)>`` an IRI, ``< (?b) >`` two comparisons).
    """
    parts: list[str] = []
    gap = False  # whitespace or a comment since the last token
    loose = True  # the last token was a bracket, comma or semicolon (or there was none)
    for kind, token, _ in tokens(query):
        if kind in ("ws", "comment"):
            gap = True
            continue
        spaced = kind == "other" and token in _SPACED
        if parts and (gap or loose or spaced):
            parts.append(" ")
        parts.append(token)
        gap, loose = False, spaced
    return "".join(parts)
