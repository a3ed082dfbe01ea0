"""Finding resources by name: the normalising and the matching that ``/search`` and ``/reconcile``
share.

The index (built with each release by :mod:`mwg_graph.search_index`) lists every minted resource
with its names, each name already cut into words. Here each name gets two keys:

- the *exact key*: NFC, case-folded, without spaces or punctuation — "TH-10" = "th 10", and
  "Friend of Women" = "friend of women". Equal exact keys are an exact match.
- the *skeleton*: the exact key without combining marks (Thai vowel and tone marks above and below
  the line, Latin accents). A Thai name typed without a tone mark has the same skeleton as the real
  one; that is a near match, ranked high but never called exact.

Thai is written without spaces between words, so a query is looked for *inside* each skeleton;
a hit that starts and ends on a word boundary (from the segmenter, at build time) ranks above one
inside a word. A one-letter slip (edit distance 1) is forgiven in a whole name and in any Latin word
of five letters or more, found through a table of one-letter deletions (no scan of every name).
Everything here is plain Python over data already in memory: a query costs microseconds, and nothing
asks the SPARQL store.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# How much a hit in each kind of name counts: a statement's text or a description is where a word
# is mentioned, not what the resource is called.
FIELD_WEIGHTS = {
    "pref": 1.0, "alt": 1.0, "hidden": 1.0, "acronym": 1.0, "code": 1.0, "id": 1.0, "text": 0.6,
}  # fmt: skip
# Fields whose exact hit may be called a match (a description never names its resource).
NAMING_FIELDS = frozenset({"pref", "alt", "hidden", "acronym", "code", "id"})
FUZZY_MIN_LETTERS = 5
MAX_QUERY_CHARS = 200

# Scores (0–100) of each way a query can hit a name; a careful reader can see why from the value.
EXACT = 100.0
SAME_SKELETON = 95.0  # only combining marks differ (a missing tone or vowel mark)
ONE_SLIP = 85.0  # the whole name with one letter wrong, missing or extra
WORDS_SLIPPED = 75.0  # every word found, some with one letter wrong (long Latin words only)


def _is_kept(char: str) -> bool:
    """Letters, digits and combining marks stay in a key; spaces, punctuation and symbols go."""
    return unicodedata.category(char)[0] in "LMN"


def exact_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return "".join(c for c in text if _is_kept(c))


def skeleton(text: str) -> str:
    """Base letters and digits only: NFD, then combining marks (category Mn) dropped."""
    text = unicodedata.normalize("NFD", exact_key(text))
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def is_latin_word(word: str) -> bool:
    return word.isascii() and word.isalpha()


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1, without building the matrix."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]


def split_query(query: str) -> list[str]:
    """The words a person typed, as skeletons (spaces are the only word breaks a query has)."""
    return [s for s in (skeleton(part) for part in query.split()) if s]


@dataclass(frozen=True)
class Name:
    entry: int  # position of the resource in Index.entries
    text: str
    lang: str | None
    field: str
    exact: str
    skeleton: str
    boundaries: frozenset[int]  # positions in ``skeleton`` where a word starts or ends
    words: tuple[str, ...]  # skeletons of the words


def make_name(entry: int, text: str, lang: str | None, field_: str, words: Sequence[str]) -> Name:
    skeletons = [s for s in (skeleton(w) for w in words) if s]
    bounds, position = {0}, 0
    for part in skeletons:
        position += len(part)
        bounds.add(position)
    return Name(
        entry, text, lang, field_, exact_key(text), "".join(skeletons), frozenset(bounds),
        tuple(skeletons),
    )  # fmt: skip


@dataclass
class Hit:
    entry: int
    score: float
    exact: bool  # the query is one of the resource's names (or codes), letter for letter
    name: Name


@dataclass
class Index:
    """The loaded name index of one release; ``entries`` are the index file's entries as is."""

    entries: list[dict]
    names: list[Name] = field(default_factory=list)
    _whole: dict[str, set[int]] = field(default_factory=dict)  # skeleton (or a deletion) → names
    _words: dict[str, set[str]] = field(default_factory=dict)  # Latin word (or a deletion) → words
    _named_by_word: dict[str, set[int]] = field(default_factory=dict)  # word skeleton → names
    _blob: str = ""  # every skeleton, NUL-joined: one str.find looks through all names
    _starts: list[int] = field(default_factory=list)  # where each name's skeleton starts in _blob
    by_id: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_entries(cls, entries: list[dict]) -> Index:
        index = cls(entries)
        for position, entry in enumerate(entries):
            index.by_id[entry["id"]] = position
            for name in entry["names"]:
                index.add(make_name(position, name["text"], name.get("lang"), name["field"],
                                    name["words"]))  # fmt: skip
        offset = 0
        for name in index.names:
            index._starts.append(offset)
            offset += len(name.skeleton) + 1
        index._blob = "\0".join(n.skeleton for n in index.names)
        return index

    def add(self, name: Name) -> None:
        number = len(self.names)
        self.names.append(name)
        if name.field in NAMING_FIELDS and len(name.skeleton) >= FUZZY_MIN_LETTERS:
            for key in (name.skeleton, *deletions(name.skeleton)):
                self._whole.setdefault(key, set()).add(number)
        for word in name.words:
            self._named_by_word.setdefault(word, set()).add(number)
            if is_latin_word(word) and len(word) >= FUZZY_MIN_LETTERS:
                for key in (word, *deletions(word)):
                    self._words.setdefault(key, set()).add(word)

    # ---- matching --------------------------------------------------------------------------

    def find(self, query: str, kinds: Iterable[str] | None = None, limit: int = 10) -> list[Hit]:
        """The resources ``query`` names, best first; each resource once, with its best hit."""
        query = query[:MAX_QUERY_CHARS]
        wanted = set(kinds) if kinds else None
        best: dict[int, Hit] = {}
        for hit in self._hits(query):
            if wanted is not None and self.entries[hit.entry]["kind"] not in wanted:
                continue
            known = best.get(hit.entry)
            if known is None or (hit.score, hit.exact) > (known.score, known.exact):
                best[hit.entry] = hit
        return sorted(best.values(), key=self._rank)[:limit]

    def _rank(self, hit: Hit) -> tuple:
        entry = self.entries[hit.entry]
        return (-hit.score, -hit.exact, entry.get("rank", 99), len(hit.name.skeleton), entry["id"])

    def _hits(self, query: str) -> Iterable[Hit]:
        exact, whole = exact_key(query), skeleton(query)
        if not whole:
            return
        words = split_query(query)
        slipped = self._slipped_words(words)
        for number in self._whole_slips(whole):
            name = self.names[number]
            if name.skeleton != whole:
                yield Hit(name.entry, ONE_SLIP * FIELD_WEIGHTS[name.field], False, name)
        for number in sorted(self._candidates(whole, words, slipped)):
            name = self.names[number]
            score, is_exact = _score(name, exact, whole, words, slipped)
            if score:
                yield Hit(name.entry, score * FIELD_WEIGHTS[name.field], is_exact, name)
        ident = self.by_id.get(query.strip())
        if ident is not None:
            entry = self.entries[ident]
            name = make_name(ident, entry["id"], None, "id", [entry["id"]])
            yield Hit(ident, EXACT, True, name)

    def _containing(self, text: str) -> set[int]:
        """Names whose skeleton contains ``text``."""
        found: set[int] = set()
        start = self._blob.find(text)
        while start != -1:
            number = bisect.bisect_right(self._starts, start) - 1
            found.add(number)
            start = self._blob.find(text, self._starts[number] + len(self.names[number].skeleton))
        return found

    def _candidates(self, whole: str, words: list[str], slipped: dict[str, set[str]]) -> set[int]:
        """The only names :func:`_score` can give a score to: the rest are never looked at."""
        found = self._containing(whole)
        if len(words) > 1 or (words and slipped.get(words[0])):
            common: set[int] | None = None
            for word in words:
                having = self._containing(word)
                for near in slipped.get(word, ()):
                    having |= self._named_by_word.get(near, set())
                common = having if common is None else common & having
            found |= common or set()
        return found

    def _whole_slips(self, whole: str) -> set[int]:
        if len(whole) < FUZZY_MIN_LETTERS:
            return set()
        found: set[int] = set()
        for key in (whole, *deletions(whole)):
            found |= self._whole.get(key, set())
        return {n for n in found if within_one_edit(whole, self.names[n].skeleton)}

    def _slipped_words(self, words: list[str]) -> dict[str, set[str]]:
        """For each long Latin query word, the indexed words one letter away from it."""
        found: dict[str, set[str]] = {}
        for word in words:
            if is_latin_word(word) and len(word) >= FUZZY_MIN_LETTERS:
                near: set[str] = set()
                for key in (word, *deletions(word)):
                    near |= self._words.get(key, set())
                found[word] = {w for w in near if w != word and within_one_edit(word, w)}
        return found


def _score(
    name: Name, exact: str, whole: str, words: list[str], slipped: dict[str, set[str]]
) -> tuple[float, bool]:
    if exact == name.exact:
        return EXACT, name.field in NAMING_FIELDS
    if whole == name.skeleton:
        return SAME_SKELETON, False
    coverage = len(whole) / max(len(name.skeleton), 1)
    found = _find_in(name, whole)
    if found is not None:
        start, whole_word = found
        return 40 + 20 * whole_word + 10 * (start == 0) + 20 * coverage, False
    if len(words) > 1 or (words and words[0] in slipped):
        return _words_score(name, words, slipped), False
    return 0.0, False


def _find_in(name: Name, query: str) -> tuple[int, bool] | None:
    """Where ``query`` first occurs in the name's skeleton (whole-word occurrences first).

    A Latin query must start at a word boundary (nobody types the middle of an English word); a
    Thai one may start anywhere, since Thai words run together.
    """
    latin = query.isascii()
    first: tuple[int, bool] | None = None
    start = name.skeleton.find(query)
    while start != -1:
        at_start = start in name.boundaries
        whole_word = at_start and (start + len(query)) in name.boundaries
        if whole_word:
            return start, True
        if first is None and (at_start or not latin):
            first = (start, False)
        start = name.skeleton.find(query, start + 1)
    return first


def _words_score(name: Name, words: list[str], slipped: dict[str, set[str]]) -> float:
    """Every query word in the name (in any order), allowing one slip in long Latin words."""
    matched_letters, any_slip = 0, False
    for word in words:
        if _find_in(name, word) is not None:
            matched_letters += len(word)
            continue
        near = slipped.get(word, set()) & set(name.words)
        if not near:
            return 0.0
        any_slip = True
        matched_letters += len(word)
    coverage = min(matched_letters / max(len(name.skeleton), 1), 1.0)
    if any_slip and coverage >= 0.99:
        return WORDS_SLIPPED
    return 30 + 25 * coverage - 5 * any_slip
