"""Headless Chromium: pages render in both languages, the widget shows every member, no errors.

Chromium is required: a missing browser fails these tests, it does not skip them.
"""

from __future__ import annotations

import re

import pytest

from mwg_graph.config import PROJECT_ROOT

SOURCE = (PROJECT_ROOT / "data" / "sources" / "mwg-about.th.txt").read_text(encoding="utf-8")
MEMBER_COUNT = len(
    re.findall(r"^\s*•", SOURCE.split("องค์กรภาคีหลัก:", 1)[1].split(":\n", 1)[0], flags=re.M)
)

pytestmark = pytest.mark.browser


class Watched:
    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def watched(browser):
    context = browser.new_context()
    page = Watched(context.new_page())
    yield page
    context.close()


def test_member_count_from_source():
    assert MEMBER_COUNT == 21


@pytest.mark.parametrize(
    ("lang", "heading"), [("th", "เครือข่ายองค์กรด้านประชากรข้ามชาติ"), ("en", "Migrant Working Group")]
)
def test_home_page_renders_in_both_languages(server, watched, lang, heading):
    page = watched.page
    page.goto(f"{server.url}/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    assert heading in page.inner_text("h1")
    assert page.locator("#members li").count() == MEMBER_COUNT
    assert page.locator("#working-area svg circle.dot").count() == 16
    assert watched.errors == []


def test_language_switch_is_visible_and_works(server, watched):
    page = watched.page
    page.goto(f"{server.url}/doc/organization/mwg?lang=th")
    link = page.get_by_role("link", name="English")
    assert link.is_visible()
    link.click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert "Migrant Working Group" in page.inner_text("h1")
    assert watched.errors == []


def test_widget_shows_all_members_in_both_languages(server, watched):
    page = watched.page
    page.goto(f"{server.url}/widget/")
    page.locator("#demo-th li").first.wait_for()  # (the site's CSP forbids wait_for_function)
    page.locator("#demo-en li").first.wait_for()
    assert page.locator("#demo-th li").count() == MEMBER_COUNT
    assert page.locator("#demo-en li").count() == MEMBER_COUNT
    assert page.get_attribute("#demo-en figure", "lang") == "en"
    assert "Solidarity Center" in page.inner_text("#demo-en")
    assert "(MWG)" in page.inner_text("#demo-th figcaption")
    assert watched.errors == []


def test_widget_works_on_another_sites_page(server, watched):
    """A member organisation's own page (another origin) embeds the widget: CORS allows it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    script = f"{server.url}/static/widget/mwg-members.js"
    html = (
        '<!doctype html><html><body><div data-mwg-members data-lang="en"></div>'
        f'<script src="{script}"></script></body></html>'
    )

    class MemberSite(BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    member_site = ThreadingHTTPServer(("127.0.0.1", 0), MemberSite)
    threading.Thread(target=member_site.serve_forever, daemon=True).start()
    try:
        page = watched.page
        page.goto(f"http://127.0.0.1:{member_site.server_port}/")  # another port: another origin
        page.locator("[data-mwg-members] li").first.wait_for()
        assert page.locator("[data-mwg-members] li").count() == MEMBER_COUNT
        assert watched.errors == []
    finally:
        member_site.shutdown()
        member_site.server_close()


def test_pages_work_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/?lang=en")
    assert page.locator("#members li").count() == MEMBER_COUNT
    page.goto(f"{server.url}/widget/?lang=en")
    assert page.get_by_role("link", name="Organisations").first.is_visible()
    context.close()


@pytest.mark.parametrize("path", ["/", "/doc/organization/mwg", "/doc/province/th-10", "/def",
                                  "/downloads/", "/browse/province/"])  # fmt: skip
def test_readable_on_a_phone(server, browser, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}{path}?lang=en")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} is {overflow}px wider than the phone"
    assert errors == []
    context.close()
