"""Safety: security headers, no stack traces, no traversal, no network, no RDF/XML from outside.

The network guard watches the socket layer itself: the server (granian, its workers, the query
processes and their forkserver — Python and Oxigraph's Rust alike) and the build run under
``strace -f -e trace=connect``, and every connect() to anything but loopback or a Unix socket is a
failure. Without strace, a ``sitecustomize`` hook that refuses and records non-loopback connections
in every Python process of the tree is the fallback.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from flask import Flask
from jinja2 import DictLoader

from mwg_graph.build.load import load_data
from mwg_graph.build.release import build
from mwg_graph.config import PROJECT_ROOT, Settings
from mwg_graph.web.app import create_app
from mwg_graph.web.security import content_security_policy, inline_script_hashes
from tests.conftest import RunningServer, free_port
from tests.loopback import Listener
from tests.raw_http import raw_request

HTML_PAGES = ["/", "/browse/", "/downloads/", "/doc/organization/mwg", "/def", "/widget/"]
TRACE_MARKERS = ("Traceback", 'File "/', "site-packages", "werkzeug.exceptions")


# ---- headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*HTML_PAGES, "/sparql", "/no-such-page"])
def test_html_has_a_strict_content_security_policy(server: RunningServer, path: str) -> None:
    response = server.get(path, headers={"Accept": "text/html"})
    assert response.headers["Content-Type"].startswith("text/html"), path
    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] in (["'none'"], ["'self'"])
    old = {"'none'": "DENY", "'self'": "SAMEORIGIN"}[directives["frame-ancestors"][0]]
    assert response.headers["X-Frame-Options"] == old  # the older header says the same
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(
    "path", ["/version", "/healthz", "/downloads/mwg.ttl", "/no-such-thing.json", "/sparql?query=x"]
)
def test_every_response_says_nosniff(server: RunningServer, path: str) -> None:
    response = server.get(path, headers={"Accept": "application/json"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Referrer-Policy" in response.headers


@pytest.mark.parametrize("path", [*HTML_PAGES, "/sparql"])
def test_every_inline_script_served_is_allowed_by_its_hash(
    server: RunningServer, path: str
) -> None:
    response = server.get(path, headers={"Accept": "text/html"})
    csp = response.headers["Content-Security-Policy"]
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", response.text, re.S):
        kind = re.search(r'type="([^"]+)"', attributes)
        if "src=" in attributes or (kind and kind.group(1) not in ("module", "text/javascript")):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, f"{path}: inline script not allowed by the CSP"


def test_csp_allows_literal_template_scripts_only_by_hash() -> None:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({
        "a.html": "<script>console.log(1)</script><script src='/x.js'></script>",
        "b.html": '<script type="application/ld+json">{"a": 1}</script>',
        "c.html": "<script>var user = {{ name|tojson }};</script>",  # template code: refused
    })  # fmt: skip
    hashes = inline_script_hashes(app)
    expected = base64.b64encode(hashlib.sha256(b"console.log(1)").digest()).decode()
    assert hashes == [f"'sha256-{expected}'"]
    assert f"script-src 'self' 'sha256-{expected}';" in content_security_policy(hashes)


# ---- errors never show a stack trace ------------------------------------------------------------


@pytest.fixture
def failing_app(tmp_path: Path) -> Flask:
    app = create_app(Settings(dist_dir=tmp_path / "no-dist"))

    def boom():
        raise RuntimeError("secret detail /etc/shadow")

    app.add_url_rule("/boom", "boom", boom)
    return app


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [("text/html", "text/html"), ("application/json", "application/json"), ("*/*", "text/plain"),
     (None, "text/plain"), ("application/sparql-results+json", "application/json")],
)  # fmt: skip
def test_an_unexpected_error_is_a_generic_500_and_logged(
    failing_app: Flask, caplog: pytest.LogCaptureFixture, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = failing_app.test_client().get("/boom", headers=headers)
    assert response.status_code == 500
    assert response.mimetype == media_type
    text = response.get_data(as_text=True)
    assert "secret detail" not in text and "RuntimeError" not in text
    assert not any(marker in text for marker in TRACE_MARKERS)
    assert "the error has been logged" in text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    logged = [r for r in caplog.records if r.exc_info]
    assert any("secret detail" in str(r.exc_info[1]) for r in logged)
    error_id = re.search(r"error id ([0-9a-f]{8})", text)
    assert error_id, text
    assert any(error_id.group(1) in r.getMessage() for r in logged)  # the id leads to the log line


def test_http_errors_keep_their_headers(failing_app: Flask) -> None:
    response = failing_app.test_client().delete("/healthz", headers={"Accept": "application/json"})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["status"] == 405


# ---- path traversal -----------------------------------------------------------------------------


TRAVERSALS = [
    "/static/../../../../etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%252f..%252fetc%252fpasswd",
    "/static/....//....//....//etc/passwd",
    "/static/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
    "/static/..%c0%af..%c0%afetc%c0%afpasswd",
    "/downloads/..%2f..%2f..%2fetc%2fpasswd",
    "/downloads/%2e%2e/last-build.json",
    "/downloads/..%2flast-build.json",
    "/downloads/current/..%2f..%2frelease.json",
    "/downloads/x/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/downloads/%2fetc%2fpasswd",
    "/doc/..%2f..%2fetc/passwd",
    "/id/organization/..%2f..%2f..%2fsrc",
    "/def/..%2f..%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/%00../../etc/passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_traversal(server: RunningServer, target: str) -> None:
    response = raw_request(server.url, "GET", target)
    if response.status == 308:  # werkzeug merges repeated slashes: the redirect stays on the site
        location = response.headers["Location"]
        assert location.startswith(server.url + "/") and ".." not in location
        response = raw_request(server.url, "GET", location.removeprefix(server.url))
    assert response.status in (400, 404), (target, response.status)
    assert "root:" not in response.text
    assert "def create_app" not in response.text and '"ok"' not in response.text
    assert not any(marker in response.text for marker in TRACE_MARKERS)


# ---- nothing reaches the network ----------------------------------------------------------------


_GUARD = """
import os, socket
_log = os.environ["MWG_NETGUARD_LOG"]
_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo
def _loopback(address):
    host = address[0] if isinstance(address, tuple) else None
    return host is None or host in ("127.0.0.1", "::1", "localhost")
def _record(what):
    with open(_log, "a") as f:
        f.write(f"{os.getpid()} {what}\\n")
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
        _record(f"connect {address!r}"); raise OSError("network refused by the test guard")
    return _connect(self, address)
def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
        _record(f"connect {address!r}"); return 111
    return _connect_ex(self, address)
def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "127.0.0.1", "::1", "localhost", b"127.0.0.1", b"localhost"):
        _record(f"resolve {host!r}"); raise socket.gaierror("network refused by the test guard")
    return _getaddrinfo(host, *args, **kwargs)
socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
socket.getaddrinfo = getaddrinfo
"""
_INET = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?, (?P<rest>[^}]*)\}")


def outside_connections(trace: str) -> list[str]:
    """strace lines of connect() calls to anything but loopback."""
    found = []
    for line in trace.splitlines():
        match = _INET.search(line)
        if match and not re.search(r'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"', match["rest"]):
            found.append(line)
    return found


class Watcher:
    """Runs commands so that every outbound connection attempt is recorded."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.strace = shutil.which("strace")
        self.trace = folder / "connect.trace"
        self.guard_log = folder / "guard.log"
        guard_dir = folder / "guard"
        guard_dir.mkdir()
        (guard_dir / "sitecustomize.py").write_text(_GUARD)
        self.env = {"MWG_NETGUARD_LOG": str(self.guard_log)}
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(guard_dir), *filter(None, [os.environ.get("PYTHONPATH")])]
        )

    def command(self, args: list[str], name: str) -> list[str]:
        if not self.strace:
            return args
        trace = str(self.folder / name)
        return [self.strace, "-f", "-qq", "-e", "trace=connect", "-o", trace, *args]

    def attempts(self) -> list[str]:
        found = []
        for trace in self.folder.glob("*.trace"):
            found += outside_connections(trace.read_text(errors="replace"))
        if self.guard_log.exists():
            found += self.guard_log.read_text().splitlines()
        return found


@pytest.fixture
def watched(tmp_path: Path, copy_of_repo_inputs: Settings) -> Iterator[tuple[Watcher, Settings]]:
    yield Watcher(tmp_path), copy_of_repo_inputs


def _env(settings: Settings, watcher: Watcher, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWG_")} | watcher.env
    env |= {
        "MWG_HOST": "127.0.0.1", "MWG_PORT": str(port), "MWG_DIST_DIR": str(settings.dist_dir),
        "MWG_DATA_DIR": str(settings.data_dir), "MWG_ONTOLOGY_DIR": str(settings.ontology_dir),
        "MWG_SHAPES_DIR": str(settings.shapes_dir), "MWG_WORKERS": "1", "MWG_QUERY_TIMEOUT": "5",
    }  # fmt: skip
    return env


@pytest.mark.slow
def test_nothing_reaches_the_network_at_build_or_run_time(
    watched: tuple[Watcher, Settings],
) -> None:
    watcher, settings = watched
    port = free_port()
    env = _env(settings, watcher, port)
    built = subprocess.run(
        watcher.command([sys.executable, "-m", "mwg_graph", "build"], "build.trace"),
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    listener = Listener()
    log = (watcher.folder / "server.log").open("wb")
    process = subprocess.Popen(
        watcher.command([sys.executable, "-m", "mwg_graph", "serve"], "serve.trace"),
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (watcher.folder / "server.log").read_text()
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
        here = f"http://127.0.0.1:{listener.port}/"
        queries = [
            f"SELECT * WHERE {{ SERVICE <{here}sparql> {{ ?s ?p ?o }} }}",
            "SELECT * WHERE { SERVICE <http://169.254.169.254/latest/meta-data/> { ?s ?p ?o } }",
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            f"SELECT * FROM <{here}graph.rdf> WHERE {{ ?s ?p ?o }} LIMIT 1",
            "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
            "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o } LIMIT 1",
            "DESCRIBE <http://example.org/x>",
            f"LOAD <{here}data.ttl>",
        ]
        for query in queries:
            for accept in ("application/sparql-results+json", "text/turtle"):
                answer = requests.get(url + "/sparql", params={"query": query},
                                      headers={"Accept": accept}, timeout=30)  # fmt: skip
                assert answer.status_code < 500, (query, answer.status_code, answer.text)
        answer = requests.get(url + "/sparql", timeout=30, params={
            "query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            "default-graph-uri": here + "d", "named-graph-uri": "http://example.org/n",
        })  # fmt: skip
        assert answer.status_code < 500
        for path in [*HTML_PAGES, "/doc/organization/mwg.jsonld", "/downloads/mwg.jsonld",
                     "/context.jsonld", "/network.jsonld", "/.well-known/void"]:  # fmt: skip
            for accept in ("text/html", "application/ld+json", "text/turtle"):
                answer = requests.get(url + path, headers={"Accept": accept}, timeout=30)
                assert answer.status_code < 500, (path, accept)
    finally:
        # The server is strace's child: stop the whole session, or it would outlive strace.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        listener.close()
    assert listener.connections == 0
    assert watcher.attempts() == []


def test_the_strace_reader_sees_outside_connections() -> None:
    trace = (
        '12 connect(5, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("93.184.215.14")}'
        ", 16) = -1 EINPROGRESS\n"
        '12 connect(5, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("127.0.0.1")}'
        ", 16) = 0\n"
        '13 connect(4, {sa_family=AF_UNIX, sun_path="/tmp/pymp-x/listener"}, 110) = 0\n'
        '14 connect(6, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "2001:4860::8888", &sin6_addr)}, 28) = 0\n'
    )  # fmt: skip
    found = outside_connections(trace)
    assert len(found) == 2 and "93.184.215.14" in found[0] and "2001:4860" in found[1]


# ---- RDF/XML is never taken from outside --------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY a "aaaaaaaaaa">\n'
    + "".join(f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">\n' for i in range(9))
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/x">'
    "<ex:p>&j;</ex:p></rdf:Description></rdf:RDF>\n"
)


def test_no_code_parses_rdf_xml_or_guesses_a_format() -> None:
    """rdflib 7.6's RDF/XML parser is quadratic in entity expansion (a 600-byte document with a
    10⁶-character expansion takes 23 s here; the billion-laughs one never ends), so mwg-graph never
    parses RDF/XML: every ``.parse(`` names its format, and none is RDF/XML."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "src" / "mwg_graph").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "parse"):
                continue
            owner = ast.unparse(node.func.value)
            if owner in ("json", "ast", "urllib.parse") or "parse_" in owner:
                continue
            fmt = next((k.value for k in node.keywords if k.arg == "format"), None)
            text = ast.unparse(fmt) if fmt is not None else ""
            if fmt is None or re.search(r"xml|rdfxml|trix", text, re.I):
                offenders.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []


def test_the_loader_reads_turtle_only(copy_of_repo_inputs: Settings) -> None:
    (copy_of_repo_inputs.data_dir / "evil.rdf").write_text(BILLION_LAUGHS)
    (copy_of_repo_inputs.data_dir / "evil.xml").write_text(BILLION_LAUGHS)
    started = time.monotonic()
    graph = load_data(copy_of_repo_inputs)
    assert time.monotonic() - started < 30
    assert not any("aaaa" in str(o) for o in graph.objects())


def test_turtle_has_no_entities_to_expand(copy_of_repo_inputs: Settings) -> None:
    (copy_of_repo_inputs.data_dir / "zz-entities.ttl").write_text(BILLION_LAUGHS)
    settings = replace(copy_of_repo_inputs)
    started = time.monotonic()
    with pytest.raises(Exception, match=r"zz-entities\.ttl"):
        build(settings)
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("content_type", ["application/rdf+xml", "application/xml", "text/xml"])
def test_the_endpoint_refuses_an_rdf_xml_body(server: RunningServer, content_type: str) -> None:
    started = time.monotonic()
    response = server.post("/sparql", data=BILLION_LAUGHS.encode(),
                           headers={"Content-Type": content_type})  # fmt: skip
    assert response.status_code == 415
    assert time.monotonic() - started < 5
    assert quote("aaaaaaaaaa") not in response.text and "aaaaaaaaaaaaaaaaaaaa" not in response.text
