"""Headless Chromium: the header search box suggests as one types, and works without JavaScript.

Chromium is required: a missing browser fails these tests, it does not skip them.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_suggestions_as_you_type(server, browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/?lang=en")
    page.locator("#site-q").press_sequentially("Chum", delay=30)
    page.locator('#site-q-list option[value="Chumphon"]').wait_for(state="attached")
    page.locator("#site-q").fill("สมุทรสาคร")
    page.locator('#site-q-list option[value="Samut Sakhon"]').wait_for(state="attached")
    assert errors == []  # a CSP violation would be reported here
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_header_form_leads_to_results_in_the_page_language(server, browser, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{server.url}/browse/?lang=en")
    page.locator("#site-q").fill("Word Vision")
    page.locator("#site-q").press("Enter")
    page.wait_for_url("**/search?**")
    assert "lang=en" in page.url
    first = page.locator("ol.search-results li a").first
    assert first.inner_text() == "World Vision Foundation of Thailand"
    assert first.get_attribute("href").endswith("/doc/organization/wvft?lang=en")
    context.close()


@pytest.mark.parametrize(
    "path", ["/search?q=แรงงาน", "/link", "/reconcile/preview?id=organization/wvft"]
)
def test_readable_on_a_phone(server, browser, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}{path}&lang=en" if "?" in path else f"{server.url}{path}?lang=en")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} is {overflow}px wider than the phone"
    assert errors == []
    context.close()
