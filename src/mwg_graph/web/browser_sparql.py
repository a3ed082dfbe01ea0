"""The static site's ``/sparql`` page: queries run in the visitor's browser, no server needed.

A static host cannot run our endpoint, so the exported site's query page runs each query with
Oxigraph's WebAssembly build (npm ``oxigraph``, vendored in ``static/vendor/oxigraph/``, served by
the site itself) in a Web Worker, on the release's own dumps at their download paths
(``/downloads/mwg.nt``, the default graph, and ``/downloads/partners.nq``, the partner graphs as
named graphs, as the server's store holds them). It keeps the server page's editor, example
queries, words, results table and downloads (the same script, ``static/js/sparql-page.js``) and
its limits: the page terminates the worker after ``query_timeout`` seconds (or when the reader
presses Stop), keeps at most ``max_rows`` rows, and refuses updates, ``SERVICE`` and too deep a
nesting before running, by the rules of :mod:`mwg_graph.sparql.guard`
(``static/js/sparql-guard.js``).

The export layout: the page whose URL path is ``/P`` is ``P.html`` in the default language (Thai)
and ``th/P.html`` and ``en/P.html``; assets sit at their URL paths (``static/…``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template, url_for

from mwg_graph.config import Settings
from mwg_graph.iris import Iris
from mwg_graph.sparql.examples import load_examples
from mwg_graph.sparql.service import endpoint_base
from mwg_graph.store import DUMP, PARTNER_QUADS
from mwg_graph.web.app import create_app
from mwg_graph.web.origin import PLACEHOLDER
from mwg_graph.web.views.common import lang, site_href
from mwg_graph.web.views.sparql import DEFAULT_QUERY, PAGE_CSP, config_json, page_config

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE = "sparql"
# The server page's policy, as a <meta> (a static host sends no headers; frame-ancestors cannot
# be set there), plus what the engine needs: compiling WebAssembly and a worker from this site.
STATIC_CSP = (
    PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'").replace(
        " frame-ancestors 'self';", ""
    )
    + "; worker-src 'self'"
)
DUMP_FORMATS = {DUMP: "application/n-triples", PARTNER_QUADS: "application/n-quads"}


def write_browser_sparql(site_dir: Path, release_dir: Path, settings: Settings) -> list[Path]:
    """Write the query page (``sparql.html``, ``th/sparql.html``, ``en/sparql.html``) and the
    static files it uses into ``site_dir``; return every path written or already up to date.

    ``release_dir`` is the release the site publishes: the page loads the dumps it has. Files whose
    bytes are unchanged are not rewritten (same release and settings → same bytes).
    """
    written = [_write(site_dir / path, data) for path, data in _assets()]
    for path, html in browser_sparql_pages(release_dir, settings):
        written.append(_write(site_dir / path, html.encode("utf-8")))
    return written


def browser_sparql_pages(release_dir: Path, settings: Settings) -> list[tuple[str, str]]:
    """The query page in the default language and in each explicit one: (path in the site, HTML).

    ``mwg-graph export`` puts these in place of the server's page, through its own link rewriting
    (``?lang=`` → language paths); its static files come with the rest of ``static/``.
    """
    app = create_app(settings)
    dumps = [name for name in DUMP_FORMATS if (release_dir / name).is_file()]
    return [
        (path, _page(app, settings, language, dumps))
        for language, path in ((None, f"{PAGE}.html"), ("th", f"th/{PAGE}.html"),
                               ("en", f"en/{PAGE}.html"))
    ]  # fmt: skip


def _page(app: Flask, settings: Settings, language: str | None, dumps: list[str]) -> str:
    query_string = f"?lang={language}" if language else ""
    with app.test_request_context(f"/{PAGE}{query_string}", base_url=_base_url(settings)):
        shown = lang()
        config = page_config(settings, shown) | {
            "endpoint": None,
            "engine": "browser",
            "query": None,
            "langFixed": False,  # the path says the language
            "browser": {
                "worker": url_for("static", filename="js/sparql-worker.js"),
                "dumps": [
                    {"url": site_href(f"downloads/{name}", keep_lang=False), "format": fmt}
                    for name, fmt in DUMP_FORMATS.items()
                    if name in dumps
                ],
                "baseIri": endpoint_base(settings),  # relative IRIs resolve as on the server
            },
        }
        return render_template(
            "sparql_browser.html",
            csp=STATIC_CSP,
            examples=load_examples(),
            config_json=config_json(config),
            settings=settings,
            w=config["words"],
            default_query=DEFAULT_QUERY,
            prologue=config["prologue"],
            prefix_count=len(Iris(settings.base_iri).prefixes()),
        ).replace(PLACEHOLDER, "")  # no public_url: links relative to wherever the site is


def _base_url(settings: Settings) -> str:
    return settings.public_url or "http://localhost/"


def _assets() -> list[tuple[str, bytes]]:
    """Every file under ``static/`` (the page's scripts, the engine, the editor, the site's style
    and fonts), at its URL path."""
    return [
        ("static/" + path.relative_to(STATIC_DIR).as_posix(), path.read_bytes())
        for path in sorted(STATIC_DIR.rglob("*"))
        if path.is_file()
    ]


def _write(path: Path, data: bytes) -> Path:
    if not (path.is_file() and path.read_bytes() == data):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path
