"""Every setting of mwg-graph, declared once as data.

Each setting has one name, one default and one line of help; it can be given as a CLI flag
(``--query-timeout``) or an environment variable (``MWG_QUERY_TIMEOUT``). The README's settings
table is checked against this list by a test, so a setting cannot exist without being documented.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BASE_IRI = "https://w3id.org/mwg/"
LANGUAGES = ("th", "en")  # the site's and the data's two languages, Thai first


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _setting(default: Any, help: str, parse: Callable[[str], Any] = str) -> Any:
    return field(default=default, metadata={"help": help, "parse": parse})


@dataclass(frozen=True)
class Settings:
    host: str = _setting("127.0.0.1", "Address the server listens on.")
    port: int = _setting(5000, "Port the server listens on.", int)
    base_iri: str = _setting(
        DEFAULT_BASE_IRI,
        "Base of every IRI the graph mints (instances `{base}id/…`, terms `{base}def`).",
    )
    public_url: str = _setting(
        "",
        "Public address of the server (e.g. `https://data.example.org/`); empty = the address each "
        "request arrived on. Used for links and the service description.",
    )
    allowed_hosts: str = _setting(
        "",
        "Comma-separated host names this server answers for (`.example.org` also allows its "
        "subdomains); any other `Host` gets 400. Empty = any well-formed host.",
    )
    dist_dir: Path = _setting(
        PROJECT_ROOT / "dist", "Where releases are written and served from.", Path
    )
    data_dir: Path = _setting(PROJECT_ROOT / "data", "Hand-maintained Turtle facts.", Path)
    ontology_dir: Path = _setting(PROJECT_ROOT / "ontology", "The OWL ontology.", Path)
    shapes_dir: Path = _setting(PROJECT_ROOT / "shapes", "The SHACL shapes.", Path)
    partners_dir: Path = _setting(
        PROJECT_ROOT / "partners",
        "Partner datasets, one folder each (`<slug>/meta.toml` + Turtle), published as named "
        "graphs `{base}graph/partner/<slug>`; empty or absent = none.",
        Path,
    )
    license_iri: str = _setting(
        "https://creativecommons.org/licenses/by/4.0/", "Licence of the published data."
    )
    publisher_name: str = _setting(
        "",
        "Who publishes the dataset and the ontology: the organisation running this site (named in "
        "the DCAT/VoID description and the ontology); empty = the mwg-graph project.",
    )
    publisher_url: str = _setting(
        "", "Home page of the publisher (an `http(s)://` address); empty = none."
    )
    contact_email: str = _setting(
        "", "E-mail address of the dataset's contact point (DCAT `contactPoint`); empty = none."
    )
    query_timeout: float = _setting(
        10.0,
        "Wall-clock limit of one SPARQL query, in seconds; the query is stopped after it.",
        float,
    )
    max_rows: int = _setting(10000, "Most result rows (or triples) one query returns.", int)
    max_result_bytes: int = _setting(
        16_000_000,
        "Largest answer to one query, in bytes; a longer one is cut after the last row that fits "
        "(and says so).",
        int,
    )
    query_memory_mb: float = _setting(
        512.0,
        "Memory one query may use in its query process beyond the loaded release, in MB (0 = no "
        "limit); a query that needs more gets 503.",
        float,
    )
    body_timeout: float = _setting(
        10.0,
        "Seconds a client may take to send a SPARQL request body (slower: 408); the query's own "
        "time limit starts once the body has arrived.",
        float,
    )
    client_share: float = _setting(
        0.5,
        "Share of a server worker's query slots, and of its request-body slots, one client address "
        "may hold at once (rounded up; 1 = no per-address limit). Behind a reverse proxy, set "
        "`--trusted-proxies` first.",
        float,
    )
    trusted_proxies: str = _setting(
        "",
        "Comma-separated addresses of the reverse proxies in front of this server; only from "
        "them is `X-Forwarded-For` believed (its last address is the client, for the access log "
        "and `--client-share`). Empty = the header is ignored.",
    )
    max_body_bytes: int = _setting(
        1_000_000, "Largest request body accepted, in bytes (larger: 413).", int
    )
    max_url_bytes: int = _setting(
        8190, "Longest request line accepted, in bytes (at most 8190; longer: 414).", int
    )
    workers: int = _setting(2, "Server worker processes (granian).", int)
    threads: int = _setting(16, "Threads per server worker.", int)
    query_workers: int = _setting(
        2,
        "Query processes per server worker; a runaway query is ended by killing its process.",
        int,
    )
    result_cache_mb: float = _setting(
        32.0,
        "Memory per server worker for answers to queries already asked of this release, in MB "
        "(0 = off).",
        float,
    )
    extra_data: str = _setting(
        "",
        "Extra TriG or N-Quads file the SPARQL store loads beside the release, as named graphs "
        "(e.g. the W3C protocol tests' graphs); empty = none.",
    )
    graph_store: str = _setting(
        "",
        "SPARQL 1.1 Graph Store HTTP Protocol address (e.g. `http://127.0.0.1:7878/store`) that "
        "`mwg-graph publish` loads the current release into, as the named graph "
        "`{base}id/dataset/mwg`; empty = none.",
    )
    graph_store_update: str = _setting(
        "",
        "SPARQL 1.1 Update endpoint of the same store (e.g. `http://127.0.0.1:7878/update`): "
        "`mwg-graph publish` then loads into staging graphs and swaps them in with one update "
        "request, so readers never see a half-loaded graph; empty = one `PUT` per graph.",
    )
    sparql_backend: str = _setting(
        "",
        "SPARQL endpoint of a triple store holding the published release (e.g. "
        "`http://127.0.0.1:7878/query`) that `/sparql`, the pages and the documents answer from, "
        "behind all of our own limits, while it holds the release served (else 503); "
        "empty = the release's own Oxigraph store.",
    )
    log_level: str = _setting("info", "Log level: debug, info, warning, error.")
    reload_interval: float = _setting(
        2.0, "Seconds between checks of `dist/` for a new release (0 = only on SIGHUP).", float
    )
    debug: bool = _setting(False, "Run Flask's development server instead of granian.", _bool)

    @property
    def ontology_iri(self) -> str:
        return self.base_iri + "def"


def setting_names() -> list[str]:
    return [f.name for f in fields(Settings)]


def env_name(name: str) -> str:
    return "MWG_" + name.upper()


def from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from ``MWG_*`` variables, then explicit overrides (CLI flags) on top."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = environ.get(env_name(f.name))
        if raw is not None and raw != "":
            values[f.name] = f.metadata["parse"](raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings(**values)
    if not settings.base_iri.endswith(("/", "#")):
        settings = replace(settings, base_iri=settings.base_iri + "/")
    return settings
