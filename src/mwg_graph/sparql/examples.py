"""The example queries of the query page: ``src/mwg_graph/queries/*.rq``.

Each file starts with comment lines ``# title: …`` and ``# description: …`` in English and
``# title_th: …`` and ``# description_th: …`` in Thai (a description may go on over further ``#``
lines); the rest is the query, which declares every prefix it uses, so it runs anywhere as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
FIELDS = ("title", "description", "title_th", "description_th")


@dataclass(frozen=True)
class Example:
    name: str  # the file's stem, e.g. "members"
    title: str
    description: str
    query: str
    title_th: str
    description_th: str

    def title_in(self, lang: str) -> str:
        return self.title_th if lang == "th" else self.title

    def description_in(self, lang: str) -> str:
        return self.description_th if lang == "th" else self.description


def parse_example(name: str, text: str) -> Example:
    fields: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        content = line[1:].strip()
        key, sep, value = content.partition(":")
        if sep and key.strip().lower() in FIELDS:
            current = key.strip().lower()
            fields[current] = value.strip()
        elif current and content:
            fields[current] += " " + content
    missing = [f"'# {field}:'" for field in FIELDS if field not in fields]
    if missing:
        raise ValueError(f"example query {name}: needs {', '.join(missing)} lines")
    return Example(
        name,
        fields["title"],
        fields["description"],
        text,
        fields["title_th"],
        fields["description_th"],
    )


@cache
def load_examples(folder: Path = QUERIES_DIR) -> tuple[Example, ...]:
    return tuple(
        parse_example(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.rq"))
    )
