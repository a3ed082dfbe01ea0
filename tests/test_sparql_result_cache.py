"""The in-memory cache of answers: bounded, keyed by release, and only ever holding answers."""

from __future__ import annotations

from mwg_graph.sparql.engine import Outcome
from mwg_graph.sparql.keys import query_key
from mwg_graph.sparql.result_cache import ENTRY_COST, ResultCache, cache_key

JSON = "application/sparql-results+json"


def key(query: str = "SELECT * { ?s ?p ?o }", accept: str = JSON, version: str = "v1") -> bytes:
    return cache_key(version, query_key(query, None, None), accept, 100)


def answer(size: int, status: int = 200) -> Outcome:
    return Outcome(status, b"x" * size, "application/sparql-results+json")


def test_same_query_up_to_whitespace_and_comments_same_release_is_a_hit() -> None:
    cache = ResultCache(10_000)
    cache.put(key(), answer(10))
    assert cache.get(key("SELECT *\n  { ?s ?p ?o } # a comment")) is not None
    # Whitespace beside brackets never changes a query (issue 9: it once made a runaway new) ...
    assert cache.get(key("# another\nSELECT * {?s ?p ?o}")) is not None
    # ... whitespace that SPARQL reads does: two numbers are not one.
    cache.put(key("SELECT * { VALUES ?x { 1.5 } }"), answer(10))
    assert cache.get(key("SELECT * { VALUES ?x { 1 .5 } }")) is None, "whitespace that matters"
    assert cache.get(key(version="v2")) is None, "a new release never sees an old answer"
    assert cache.get(key(accept="text/csv")) is None, "format is in the key"
    cache.put(key('ASK { ?s ?p "a  b" }'), answer(10))
    assert cache.get(key('ASK { ?s ?p "a b" }')) is None, "whitespace in a string counts"


def test_errors_and_timeouts_are_not_kept() -> None:
    cache = ResultCache(10_000)
    for status in (400, 403, 500, 503):
        cache.put(key(str(status)), answer(10, status))
        assert cache.get(key(str(status))) is None


def test_bounded_in_bytes_least_recently_used_out() -> None:
    cache = ResultCache(24_000)
    for n in range(15):  # 15 × 1,500 bytes (and the cost of each entry) > 24,000
        cache.put(key(f"q{n}"), answer(1_500))
        cache.get(key("q0"))  # q0 stays in use
    assert cache.get(key("q0")) is not None
    assert cache.get(key("q1")) is None
    kept = sum(cache.get(key(f"q{n}")) is not None for n in range(15))
    assert kept * (1_500 + ENTRY_COST) <= 24_000 and cache.size <= 24_000


def test_bounded_in_entries_and_keys_count() -> None:
    cache = ResultCache(10_000_000, max_entries=50)
    for n in range(200):
        cache.put(key("x" * 100_000 + str(n)), answer(1))  # a huge query, a tiny answer
    assert len(cache) == 50
    assert cache.size <= 50 * (ENTRY_COST + 200)  # the key is a hash: the query text is not kept


def test_one_huge_answer_is_not_kept_and_zero_turns_the_cache_off() -> None:
    cache = ResultCache(8_000)
    cache.put(key(), answer(2_000))  # more than 1/8 of the cache
    assert cache.get(key()) is None
    off = ResultCache(0)
    off.put(key(), answer(1))
    assert off.get(key()) is None


def test_a_repeated_query_over_http_gives_the_same_answer(server) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    headers = {"Accept": JSON}
    first = server.get("/sparql", params={"query": query}, headers=headers)
    second = server.get("/sparql", params={"query": query}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first.headers["Content-Type"] == second.headers["Content-Type"]
