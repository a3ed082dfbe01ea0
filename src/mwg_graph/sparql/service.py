"""The SPARQL service of one server process: cache, runaway memory, query processes, the answer.

``/sparql`` (:mod:`mwg_graph.web.views.sparql`) reads the protocol request and hands it here; this
module decides what to answer:

1. a query that recently ran out of time or memory is answered 503 at once (:mod:`.runaways`);
2. an answer already given for this release is given again (:mod:`.result_cache`);
3. otherwise a query process runs it (:mod:`.workers`) — it screens the text, runs it on Oxigraph
   (the release's store, or with ``sparql_backend`` a remote store, :mod:`.backend`) and writes the
   answer, capped in rows and bytes — and its outcome is worded here.

Every 5xx carries a short message and an error id; the log line with the details carries the same
id, so an operator can find what a user reports while no internal detail reaches the client.
"""

from __future__ import annotations

import functools
import logging
import math
import secrets
from pathlib import Path

from mwg_graph.config import Settings
from mwg_graph.iris import Iris
from mwg_graph.sparql.backend_record import record_graph
from mwg_graph.sparql.engine import Job, Outcome
from mwg_graph.sparql.keys import query_key
from mwg_graph.sparql.protocol import QueryRequest
from mwg_graph.sparql.result_cache import ResultCache, cache_key
from mwg_graph.sparql.results import choose
from mwg_graph.sparql.runaways import RecentRunaways
from mwg_graph.sparql.workers import Engine, StoreSpec

log = logging.getLogger("mwg_graph.sparql")

BACKEND_RELEASE_RETRY = 5.0  # seconds: a publish, or the swap after it, takes about that

CHEAPER = (
    "Make it cheaper (more specific patterns, a LIMIT) or download the data and query it yourself."
)


def endpoint_base(settings: Settings) -> str:
    """The endpoint's address in IRI space: the base relative IRIs in queries resolve against.

    It is ``{base}sparql`` — like every IRI we mint, it does not depend on the Host a request
    names, so answers (and the cache) are the same for every client.
    """
    return settings.base_iri + "sparql"


class SparqlService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        spec = StoreSpec(
            release=Path(),
            extra_data=settings.extra_data,
            prefixes=Iris(settings.base_iri).prefixes(),
            base_iri=endpoint_base(settings),
            memory_mb=settings.query_memory_mb,
            backend=settings.sparql_backend,
            release_graph=str(Iris(settings.base_iri).dataset),
            record_graph=record_graph(settings.base_iri),
            # The query process is killed at the time limit first (.workers); this is a backstop.
            backend_timeout=settings.query_timeout + 1.0,
            max_rows=settings.max_rows,
            max_bytes=settings.max_result_bytes,
        )
        self.engine = Engine(settings.query_workers, spec)
        # A runaway is refused at once for three time limits (at least 30 s) after.
        self.runaways = RecentRunaways(max(30.0, 3 * settings.query_timeout))
        self.results = ResultCache(int(settings.result_cache_mb * 2**20))

    def answer(self, release_path: Path, asked: QueryRequest, arrived: float) -> Outcome:
        """The outcome of ``asked`` on the release; ``arrived``: when its body had arrived.

        The query processes may still be on the previous release for a moment after a swap (they
        are replaced once the new ones are ready): the cache key names the release that answers.
        """
        assert asked.query is not None
        settings = self.settings
        job = Job(
            query=asked.query,
            select_type=choose(asked.accept, "SELECT"),
            ask_type=choose(asked.accept, "ASK"),
            graph_type=choose(asked.accept, "GRAPH"),
            max_rows=settings.max_rows,
            max_bytes=settings.max_result_bytes,
            default_graphs=asked.default_graphs,
            named_graphs=asked.named_graphs,
        )
        # The query's identity (normalised text) is only worked out when something needs it.
        identity = functools.cache(lambda: query_key(query, job.default_graphs, job.named_graphs))
        query = job.query
        if self.runaways and (wait := self.runaways.seconds_left(identity())):
            return _refused(
                f"Query timed out: the same query was stopped after {settings.query_timeout:g} s "
                "(the time limit of this endpoint) or for want of memory a moment ago, so it is "
                f"not run again for {math.ceil(wait)} s. {CHEAPER}",
                wait,
                "remembered runaway",
            )
        pool = self.engine.pool(release_path)
        key = None
        if self.results.max_bytes:
            key = cache_key(
                str(pool.release), identity(), job.select_type, job.ask_type, job.graph_type,
                job.max_rows, job.max_bytes,
            )  # fmt: skip
            if (outcome := self.results.get(key)) is not None:
                return outcome
        limit = settings.query_timeout
        outcome = pool.run(job, wait_until=arrived + limit, limit=limit)
        if outcome.status == 200:
            if key is not None:
                self.results.put(key, outcome)
            return outcome
        return self._word(outcome, identity())

    def _word(self, outcome: Outcome, identity: bytes) -> Outcome:
        """The client's message for an outcome that is not an answer (5xx: generic, with an id)."""
        limit = self.settings.query_timeout
        if outcome.kind == "timeout":
            self.runaways.remember(identity)
            return _refused(
                f"Query timed out: it was stopped after {limit:g} s, the time limit of this "
                f"endpoint. {CHEAPER}",
                self.runaways.hold_seconds,
                "timeout",
            )
        if outcome.kind == "memory":
            self.runaways.remember(identity)
            return _refused(
                "The query was stopped: it needed more memory than one query may use here "
                f"(setting query_memory_mb). {CHEAPER}",
                self.runaways.hold_seconds,
                "memory",
                outcome.detail,
            )
        if outcome.kind == "backend-release":  # the backend holds another release (.backend)
            return _refused(
                outcome.body.decode().rstrip(), BACKEND_RELEASE_RETRY, "backend-release"
            )
        if outcome.kind == "busy":
            return _refused(
                f"The server is busy: no query process came free within {limit:g} s. Please try "
                f"again in {math.ceil(limit)} seconds.",
                limit,
                "busy",
            )
        if outcome.status >= 500:
            error_id = _log_error(
                outcome.kind, outcome.detail or outcome.body.decode(errors="replace")
            )
            if outcome.kind == "too-large":
                text = outcome.body.decode().rstrip()
            else:
                text = "The query could not be answered because of an error on the server."
            return Outcome.error(
                outcome.status, outcome.kind, f"{text} (error id {error_id})", outcome.detail
            )
        return outcome

    def close(self) -> None:
        """Stop the query processes: for a service made outside an app (tests, tools)."""
        self.engine.close()


def _log_error(kind: str, detail: str) -> str:
    error_id = secrets.token_hex(4)
    log.error("SPARQL %s [error id %s]: %s", kind, error_id, detail.strip()[:2000])
    return error_id


def _refused(message: str, retry_after: float, kind: str, detail: str = "") -> Outcome:
    error_id = secrets.token_hex(4)
    level = logging.ERROR if detail else logging.INFO
    log.log(level, "SPARQL 503 %s [error id %s] %s", kind, error_id, detail)
    outcome = Outcome.error(503, kind, f"{message} (error id {error_id})")
    outcome.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return outcome
