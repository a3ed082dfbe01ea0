"""The in-memory cache of answers: bounded, keyed by release, and only ever holding answers."""

from __future__ import annotations

from mwg_graph.sparql.engine import Job, Outcome
from mwg_graph.sparql.result_cache import ResultCache, cache_key

JSON = "application/sparql-results+json"


def job(query: str = "SELECT * { ?s ?p ?o }", accept: str = JSON) -> Job:
    return Job(query, [accept], [accept], ["text/turtle"], max_rows=100)


def answer(size: int, status: int = 200) -> Outcome:
    return Outcome(status, b"x" * size, "application/sparql-results+json")


def test_same_query_up_to_whitespace_same_release_is_a_hit() -> None:
    cache = ResultCache(10_000)
    cache.put(cache_key("v1", job()), answer(10))
    assert cache.get(cache_key("v1", job("SELECT *\n  { ?s ?p ?o }"))) is not None
    assert cache.get(cache_key("v2", job())) is None, "a new release never sees an old answer"
    assert cache.get(cache_key("v1", job(accept="text/csv"))) is None, "format is in the key"


def test_errors_and_timeouts_are_not_kept() -> None:
    cache = ResultCache(10_000)
    for status in (400, 403, 500, 503):
        cache.put(cache_key("v1", job(str(status))), answer(10, status))
        assert cache.get(cache_key("v1", job(str(status)))) is None


def test_bounded_in_bytes_least_recently_used_out() -> None:
    cache = ResultCache(8_000)
    for n in range(10):  # 10 × 900 bytes > 8,000
        cache.put(cache_key("v1", job(f"q{n}")), answer(900))
        cache.get(cache_key("v1", job("q0")))  # q0 stays in use
    assert cache.get(cache_key("v1", job("q0"))) is not None
    assert cache.get(cache_key("v1", job("q1"))) is None
    kept = sum(cache.get(cache_key("v1", job(f"q{n}"))) is not None for n in range(10))
    assert kept * 900 <= 8_000


def test_one_huge_answer_is_not_kept_and_zero_turns_the_cache_off() -> None:
    cache = ResultCache(8_000)
    cache.put(cache_key("v1", job()), answer(2_000))  # more than 1/8 of the cache
    assert cache.get(cache_key("v1", job())) is None
    off = ResultCache(0)
    off.put(cache_key("v1", job()), answer(1))
    assert off.get(cache_key("v1", job())) is None


def test_a_repeated_query_over_http_gives_the_same_answer(server) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    headers = {"Accept": JSON}
    first = server.get("/sparql", params={"query": query}, headers=headers)
    second = server.get("/sparql", params={"query": query}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first.headers["Content-Type"] == second.headers["Content-Type"]
