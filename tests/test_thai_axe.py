"""axe-core (PyPI axe-playwright-python 0.1.8, which ships axe 4.12.1) in headless Chromium on
each page kind in both languages."""

from __future__ import annotations

import pytest

from .test_browser_pages import watched  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

PAGES = [
    "/", "/doc/organization/hrdf", "/doc/province/th-50", "/doc/strategy/1", "/browse/",
    "/browse/province/", "/downloads/", "/search?q=HRDF", "/widget/",
]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["th", "en"])
def test_axe_finds_nothing(server, watched, path, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    page = watched.page
    response = page.goto(f"{server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
    assert response is not None and response.status == 200, path  # a 404 page proves nothing
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    found = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    assert found == []
