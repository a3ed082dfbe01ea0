"""Names in the order a reader expects: Thai dictionary order, English without regard to case.

Code-point order puts every word that starts with a leading vowel (เ แ โ ใ ไ) after all the
others, so เชียงใหม่ landed after สมุทรสาคร. Thai dictionaries order by the consonant first:
ชุมพร, เชียงราย, เชียงใหม่, ตาก. PyThaiNLP's ``collate`` (already a dependency; PyICU would need
a compiler) moves the leading vowel behind its consonant and weighs tone marks last, which is that
order. English (Latin) names compare case-insensitively, before Thai ones, as in a Thai index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from pythainlp.util import collate

T = TypeVar("T")


def ranks(texts: Iterable[str]) -> dict[str, int]:
    """Each text's place in Thai dictionary order (case-folded, so "abc" and "ABC" tie)."""
    folded = {text: text.casefold() for text in texts}
    place = {word: i for i, word in enumerate(collate(set(folded.values())))}
    return {text: place[word] for text, word in folded.items()}


def by_name(
    items: Iterable[T], name: Callable[[T], str], first: Callable[[T], object] | None = None
) -> list[T]:
    """``items`` sorted by ``first`` (when given, e.g. a stated position), then by name."""
    items = list(items)
    place = ranks(name(item) for item in items)
    if first is None:
        return sorted(items, key=lambda item: place[name(item)])
    return sorted(items, key=lambda item: (first(item), place[name(item)]))


def script_language(text: str) -> str | None:
    """``th`` for text in Thai script, ``en`` for Latin letters, None for neither (digits, codes).

    For names without a language tag, so that a Latin-script name in a Thai page is marked
    ``lang="en"`` and read by a screen reader's English voice.
    """
    if any("\u0e01" <= c <= "\u0e5b" for c in text):
        return "th"
    if any(c.isascii() and c.isalpha() for c in text):
        return "en"
    return None
