"""The example queries of the query page: ``src/mwg_graph/queries/*.rq``.

Each file starts with comment lines ``# title: …`` and ``# description: …`` (a description may go on
over further ``#`` lines); the rest is the query, which declares every prefix it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"


@dataclass(frozen=True)
class Example:
    name: str  # the file's stem, e.g. "members"
    title: str
    description: str
    query: str


def parse_example(name: str, text: str) -> Example:
    fields: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        content = line[1:].strip()
        key, sep, value = content.partition(":")
        if sep and key.strip().lower() in ("title", "description"):
            current = key.strip().lower()
            fields[current] = value.strip()
        elif current and content:
            fields[current] += " " + content
    if "title" not in fields or "description" not in fields:
        raise ValueError(f"example query {name}: needs '# title:' and '# description:' lines")
    return Example(name, fields["title"], fields["description"], text)


@cache
def load_examples(folder: Path = QUERIES_DIR) -> tuple[Example, ...]:
    return tuple(
        parse_example(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.rq"))
    )
