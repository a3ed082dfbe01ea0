"""The one table of RDF formats: media type ⇄ rdflib format ⇄ file suffix, and Accept parsing.

Every place that chooses a format (dumps, resource documents, SPARQL results) looks it up here,
so a new format is one row, not a new ``if`` chain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RdfFormat:
    name: str  # short name used in ?format= and in file names
    media_type: str
    rdflib_format: str
    suffix: str
    also: tuple[str, ...] = ()  # other media types that mean the same
    label: str = ""  # what people call it, in links and download listings
    dumped: bool = False  # a release ships the whole graph in it ({DUMP_NAME}{suffix}, gzipped too)
    # A 404 in this format: an empty document that parses; ``{message}`` says what was not found.
    empty: str = "# {message}\n"


XML_EMPTY = (
    '<?xml version="1.0" encoding="utf-8"?>\n<!-- not found -->\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
)
JSONLD_EMPTY = '{"@context": {"error": "https://w3id.org/mwg/def#error"}, "@graph": []}'

RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "text/turtle", "turtle", ".ttl", ("application/x-turtle", "text/n3"),
              "Turtle", dumped=True),
    RdfFormat("jsonld", "application/ld+json", "json-ld", ".jsonld", ("application/json",),
              "JSON-LD", dumped=True, empty=JSONLD_EMPTY),
    RdfFormat("ntriples", "application/n-triples", "nt", ".nt", ("text/plain",), "N-Triples",
              dumped=True),
    RdfFormat("rdfxml", "application/rdf+xml", "xml", ".rdf", ("application/xml", "text/xml"),
              "RDF/XML", empty=XML_EMPTY),
)  # fmt: skip

# The release's dumps: the whole graph once per dumped format, each also gzipped.
DUMP_NAME = "mwg"
DUMPS: tuple[RdfFormat, ...] = tuple(f for f in RDF_FORMATS if f.dumped)


def dump_file_name(suffix: str) -> str:
    return DUMP_NAME + suffix


# Near-miss media types clients send for our formats (JSON-LD is JSON, N-Triples is plain text,
# Turtle is N3, the pre-registration Turtle type): offered after the registered types, so they
# are chosen only when a client asks for nothing better, and answered under the name asked for.
RDF_OFFERS: list[str] = [f.media_type for f in RDF_FORMATS] + [
    alias for f in RDF_FORMATS for alias in f.also
]


def rdf_format_by_suffix(suffix: str) -> RdfFormat | None:
    return next((f for f in RDF_FORMATS if f.suffix == suffix), None)


def rdf_format_by_media_type(media_type: str) -> RdfFormat | None:
    return next((f for f in RDF_FORMATS if media_type in (f.media_type, *f.also)), None)


def weighted_items(header: str) -> list[tuple[str, float, int]]:
    """``a;q=0.5, b`` → [(item, q, position)], items lowercased, in header order.

    Quality values as in RFC 9110 §12.4.2 (``Accept``, ``Accept-Language``): clamped to 0…1; a
    malformed q counts as 0, so a broken header never wins.
    """
    items: list[tuple[str, float, int]] = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        item = pieces[0].lower()
        if not item:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        items.append((item, q, position))
    return items


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` → [(media range, q)], best first (RFC 9110 §12.5.1)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = [item for item in weighted_items(header) if "/" in item[0]]
    # Most specific first among equal q, then header order.
    ranges.sort(key=lambda r: (-r[1], r[0].count("*"), r[2]))
    return [(m, q) for m, q, _ in ranges]


def negotiate(header: str | None, offers: list[str]) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them.

    ``offers`` are in server preference order: a wildcard picks the first offer it matches.
    """
    best: tuple[float, int, int, str] | None = None
    for media, q in parse_accept(header):
        if q <= 0:
            continue
        for rank, offer in enumerate(offers):
            if _matches(media, offer):
                specificity = 2 - media.count("*")
                candidate = (q, specificity, -rank, offer)
                if best is None or candidate > best:
                    best = candidate
    # Explicit q=0 on an exact type excludes it even under a wildcard.
    if best is not None and any(m == best[3] and q == 0 for m, q in parse_accept(header)):
        remaining = [o for o in offers if o != best[3]]
        return negotiate(header, remaining) if remaining else None
    return best[3] if best else None


def _matches(media_range: str, offer: str) -> bool:
    if media_range == "*/*":
        return True
    kind, _, sub = media_range.partition("/")
    offer_kind, _, offer_sub = offer.partition("/")
    return kind == offer_kind and sub in ("*", offer_sub)
