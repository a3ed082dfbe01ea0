"""``mwg-graph export DIR``: a complete, deterministic, incremental static site of the release.

What is expected is derived from the release's data (its resources, names and formats) and from
the layout the README fixes, never from the exporter's own lists.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from mwg_graph.formats import RDF_FORMATS
from mwg_graph.iris import Iris
from tests.conftest import free_port
from tests.static_site import export

SUFFIXES = [f.suffix for f in RDF_FORMATS]
HREF = re.compile(r'(?:href|src)="(/[^"#]*)')
# URLs only a running server answers (queries, JSON search, reconciliation, health): not files.
SERVER_ONLY = re.compile(r"^/(search\.json|reconcile|healthz|version)|\?")


def resources(graph: Graph, base: str) -> list[str]:
    return sorted(
        {
            str(s)[len(base) + 3 :]
            for s in graph.subjects()
            if isinstance(s, URIRef) and str(s).startswith(base + "id/") and "#" not in str(s)
        }
    )


def snapshot(site: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        p.relative_to(site).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in site.rglob("*")
        if p.is_file()
    }


def file_for(site: Path, url_path: str) -> Path | None:
    """The file a host that maps /P to P.html (or P/index.html) serves for ``url_path``."""
    rest = url_path.lstrip("/")
    for name in (rest, rest + ".html", rest + "index.html", rest + "/index.html"):
        if name and (site / name).is_file():
            return site / name
    return None


def test_every_resource_in_every_format_and_language(exported_site, release_graph, built_settings):
    base = built_settings.base_iri
    found = resources(release_graph, base)
    assert len(found) > 100
    for path in found:
        for suffix in SUFFIXES:
            assert (exported_site / f"doc/{path}{suffix}").is_file(), path + suffix
        default = (exported_site / f"doc/{path}.html").read_text(encoding="utf-8")
        assert '<html lang="th">' in default, path
        for code in ("th", "en"):
            page = (exported_site / f"{code}/doc/{path}.html").read_text(encoding="utf-8")
            assert f'<html lang="{code}">' in page, (code, path)
        # the IRI's own path, for hosts without rules: a page naming every format
        iri_page = (exported_site / f"id/{path}.html").read_text(encoding="utf-8")
        for suffix in SUFFIXES:
            assert f'href="/doc/{path}{suffix}"' in iri_page
    for name in ("index.html", "th/index.html", "en/index.html", "browse/organization/index.html",
                 "en/browse/organization/index.html", "sparql.html", "en/search.html",
                 "context.jsonld", "context/v1.jsonld", "network.jsonld", ".well-known/void",
                 "sitemap.xml", "robots.txt", "widget/index.html", "static/widget/mwg-members.js",
                 "downloads/mwg.ttl", "downloads/search-index.json", "def.ttl",
                 "404.html"):  # fmt: skip
        assert (exported_site / name).is_file(), name
    release = (built_settings.dist_dir / "current").resolve()
    for dump in ("mwg.nt", "mwg.ttl.gz", "SHA256SUMS"):  # the release's own bytes
        assert (exported_site / "downloads" / dump).read_bytes() == (release / dump).read_bytes()
        assert (exported_site / "downloads" / release.name / dump).is_file()


def test_the_names_on_the_pages_come_from_the_data(exported_site, release_graph, built_settings):
    bangkok = URIRef(built_settings.base_iri + "id/province/th-10")
    for code, folder in (("th", "th/"), ("en", "en/"), ("th", "")):
        names = {
            str(o) for o in release_graph.objects(bangkok, SKOS.prefLabel) if o.language == code
        }
        page = (exported_site / f"{folder}doc/province/th-10.html").read_text(encoding="utf-8")
        assert names and all(name in page for name in names), (code, names)


def test_links_work_without_a_server(exported_site):
    """Every link and script of every page is a file of the export, in the page's language."""
    broken = []
    for page in sorted(exported_site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert "?lang=" not in text, page  # explicit language paths instead
        assert "mwg-origin.invalid" not in text, page
        name = page.relative_to(exported_site).as_posix()
        for href in HREF.findall(text):
            if SERVER_ONLY.search(href):
                continue
            if file_for(exported_site, href) is None:
                broken.append((name, href))
            if name.startswith("en/") and href.startswith("/doc/") and "." not in href:
                broken.append((name, href + " (an English page linking to the default language)"))
    assert broken == []


def test_reexport_is_identical_touches_nothing_and_removes_what_is_gone(
    exported_site, built_settings
):
    before = snapshot(exported_site)
    stray = exported_site / "doc" / "organization" / "no-longer-published.ttl"
    stray.write_text("<a> <b> <c> .\n")
    tampered = exported_site / "downloads" / "mwg.nt"
    original = before["downloads/mwg.nt"][0]
    tampered.write_bytes(b"changed\n")
    done = export(built_settings, exported_site)
    assert done.returncode == 0, done.stderr
    assert "1 written" in done.stdout and "1 removed" in done.stdout, done.stdout
    after = snapshot(exported_site)
    assert not stray.exists()
    assert after["downloads/mwg.nt"][0] == original
    del before["downloads/mwg.nt"], after["downloads/mwg.nt"]
    assert after.keys() == before.keys()
    changed = [name for name in before if before[name] != after[name]]  # bytes, mtime, inode
    assert changed == []


def test_last_modified_is_the_release_build_time(exported_site, built_settings):
    from mwg_graph.dist import current_release, read_release_info

    built_at = read_release_info(current_release(built_settings))["built_at"]
    import datetime as dt

    when = dt.datetime.fromisoformat(built_at.replace("Z", "+00:00")).timestamp()
    assert (exported_site / "doc/organization/sc.ttl").stat().st_mtime == when


def test_a_host_without_rules_serves_suffix_urls_and_alternates(exported_site, built_settings):
    """Python's http.server knows nothing of ours: suffix URLs and the IRI pages still work."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(exported_site)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to 30 s for Python to start on a busy machine
            try:
                requests.get(url + "/robots.txt", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, "http.server exited"
                time.sleep(0.1)
        iri = URIRef(built_settings.base_iri + "id/province/th-10")
        page = requests.get(url + "/id/province/th-10.html", timeout=10).text
        alternates = re.findall(r'<link rel="alternate" type="([^"]+)" href="([^"]+)"', page)
        assert {t for t, _ in alternates} >= {f.media_type for f in RDF_FORMATS}
        for media_type, href in alternates:
            response = requests.get(url + href, timeout=10)
            assert response.status_code == 200, href
            fmt = next((f for f in RDF_FORMATS if f.media_type == media_type), None)
            if fmt is not None and fmt.name != "jsonld":
                graph = Graph().parse(data=response.text, format=fmt.rdflib_format)
                assert (iri, None, None) in graph, href
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_search_works_in_the_browser_on_the_static_site(
    browser, nginx_export_server, release_graph, built_settings
):
    iris = Iris(built_settings.base_iri)
    bangkok = iris.instance("province", "th-10")
    thai = next(
        str(o) for o in release_graph.objects(bangkok, SKOS.prefLabel) if o.language == "th"
    )
    page = browser.new_page()
    try:
        page.goto(f"{nginx_export_server.url}/en/search?q={thai}")
        link = page.locator('ol.search-results a[href="/en/doc/province/th-10"]')
        link.wait_for(timeout=15000)
        english = next(
            str(o) for o in release_graph.objects(bangkok, SKOS.prefLabel) if o.language == "en"
        )
        assert link.inner_text() == english
        page.goto(f"{nginx_export_server.url}/th/search?q=no-such-thing-anywhere")
        page.locator("#content p", has_text="ไม่พบ").first.wait_for(timeout=15000)
    finally:
        page.close()


def test_export_without_a_release_says_so(tmp_path):
    from mwg_graph.config import from_env

    done = export(from_env(environ={}, dist_dir=tmp_path / "empty-dist"), tmp_path / "site")
    assert done.returncode == 1
    assert "no release to export" in done.stderr and "mwg-graph build" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("path", ["/doc/organization/sc", "/en/doc/organization/sc", "/"])
def test_nginx_serves_pages_without_a_suffix(nginx_export_server, path):
    response = nginx_export_server.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    english = nginx_export_server.get(path, headers={"Accept-Language": "en-GB,en;q=0.8,th;q=0.5"})
    assert '<html lang="en">' in english.text
    if not path.startswith("/en/"):
        assert '<html lang="th">' in nginx_export_server.get(path).text


@pytest.mark.browser
def test_the_header_search_box_works_on_the_static_site(browser, nginx_export_server):
    """No /search.json on a static host: the box suggests and searches from the exported index,
    in the page's language, with every request not to the static host aborted."""
    from tests.test_browser_sparql import open_page, site_requests

    context, page, outside, errors = open_page(browser, nginx_export_server.url)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        page.goto(f"{nginx_export_server.url}/en/browse/")
        box = page.locator("#site-q")
        box.press_sequentially("Chum", delay=30)
        page.locator('#site-q-list option[value="Chumphon"]').wait_for(state="attached")
        box.fill("สมุทรสาคร")  # a Thai name suggests the English name on an English page
        page.locator('#site-q-list option[value="Samut Sakhon"]').wait_for(state="attached")
        box.fill("World Vision")
        box.press("Enter")
        page.wait_for_url("**/en/search?q=World+Vision")
        first = page.locator("ol.search-results li a").first
        first.wait_for(timeout=15000)
        assert first.inner_text() == "World Vision Foundation of Thailand"
        assert first.get_attribute("href") == "/en/doc/organization/wvft"
        page.goto(f"{nginx_export_server.url}/th/doc/province/th-10")
        page.locator("#site-q").fill("กรุงเทพ")
        page.locator("#site-q").press("Enter")
        page.wait_for_url("**/th/search?q=*")
        link = page.locator('ol.search-results a[href="/th/doc/province/th-10"]')
        link.wait_for(timeout=15000)
    finally:
        context.close()
    requested = " ".join(site_requests(context))
    assert "search.json" not in requested
    assert "downloads/search-index.json" in requested
    assert (outside, errors, failed) == ([], [], [])
