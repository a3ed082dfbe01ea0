"""Screenshots of each page kind, in Thai and English, for the README's gallery.

    make screenshots        (or: .venv/bin/python -m tools.screenshots)

Builds a release of ``data/`` into a temporary folder, starts ``mwg-graph serve`` on a free
loopback port and photographs the first screen of each page with Debian's headless Chromium (the
tests' browser): every kind at desktop size (1280×800), three at phone size (390×844), shown as
from ``http://127.0.0.1:5000`` (the address ``make run`` serves on). The files in
``docs/screenshots/`` are replaced. Deterministic: the release is stamped with the time of the
last commit that changed the data (not the clock), Python's hash seed is fixed (the dumps' order,
hence the sums the downloads page shows, depend on it), the page has finished loading and its
fonts are in, animations are off, the query page's timing is left out, and each PNG is reduced to
256 colours (Pillow's median cut, no dither).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from urllib.parse import quote, urlsplit

from mwg_graph.config import PROJECT_ROOT
from mwg_graph.sparql.examples import load_examples
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.lighthouse import PAGES as PAGE_KINDS
from tests.lighthouse import with_lang
from tests.release_server import release_server

OUT = PROJECT_ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
SHOWN = "http://127.0.0.1:5000"  # the address `make run` serves on; pages are shown as from it
STRATEGIES = next(e for e in load_examples() if e.name == "02-strategies").query
# One page of each kind, as Lighthouse audits them (tests/lighthouse.py), but search shows results
# for words of each language and the query page an example's results.
PAGES = PAGE_KINDS | {
    "search": {"th": "/search?q=แรงงาน", "en": "/search?q=labour"},
    "sparql": "/sparql?query=" + quote(STRATEGIES),
}
ON_PHONE = ("home", "organisation", "sparql")


def data_time() -> dt.datetime:
    """When the facts last changed (the last commit touching them), so the release, its version
    and the pages that show them are the same on every run from the same commit."""
    done = subprocess.run(
        ["git", "log", "-1", "--format=%cI", "--", "data", "ontology", "shapes"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    text = done.stdout.strip()
    return (
        dt.datetime.fromisoformat(text).astimezone(dt.UTC)
        if text
        else dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )


def address(path: str | dict[str, str], lang: str) -> str:
    return with_lang(path[lang] if isinstance(path, dict) else path, lang)


def small_png(png: bytes) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    reduced = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


def shoot(browser, server: str, path: str, viewport: dict[str, int], phone: bool) -> bytes:
    """The first screen of ``path``, as the browser sees it at ``SHOWN`` (the server's own free
    port would change the pictures: the query page names its endpoint's address)."""
    context = browser.new_context(
        viewport=viewport, device_scale_factor=1, is_mobile=phone, has_touch=phone,
        reduced_motion="reduce", locale="th-TH",
    )  # fmt: skip

    def forward(route) -> None:  # every request, answered by the real server on loopback
        real = route.request.url.replace(SHOWN, server, 1)
        route.fulfill(
            response=route.fetch(
                url=real, headers={**route.request.headers, "Host": urlsplit(SHOWN).netloc}
            )
        )

    context.route(f"{SHOWN}/**", forward)
    page = context.new_page()
    page.goto(SHOWN + path)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    clip = None
    if "/sparql?query=" in path:  # the results (their table), not only the query
        page.wait_for_selector("table.sparql-results th button")
        if not phone:  # from the line above the table: not the status, which says how long it took
            top, height = page.evaluate(
                "[document.querySelector('table.sparql-results').getBoundingClientRect().top"
                " + window.scrollY - 60, document.documentElement.scrollHeight]"
            )
            clip = {"x": 0, "y": top, "width": viewport["width"],
                    "height": min(viewport["height"], height - top)}  # fmt: skip
    png = page.screenshot(
        animations="disabled", caret="hide", full_page=clip is not None, clip=clip
    )
    context.close()
    return png


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    total = 0
    with release_server(now=data_time()) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, "--hide-scrollbars"]
        )
        for name, path in PAGES.items():
            for lang in ("th", "en"):
                sizes = [("desktop", DESKTOP, False)]
                if name in ON_PHONE:
                    sizes.append(("mobile", MOBILE, True))
                for size, viewport, phone in sizes:
                    png = small_png(
                        shoot(browser, server.url, address(path, lang), viewport, phone)
                    )
                    target = OUT / f"{name}-{lang}-{size}.png"
                    target.write_bytes(png)
                    total += len(png)
                    print(f"{target.relative_to(PROJECT_ROOT)}  {len(png) / 1024:.0f} KiB")
        browser.close()
    print(f"{len(list(OUT.glob('*.png')))} screenshots, {total / 1024:.0f} KiB in all")
    return 0


if __name__ == "__main__":
    if os.environ.get("PYTHONHASHSEED") != "0":
        # The release's dumps (and so the SHA-256 sums the downloads page shows) are written in
        # set order, which Python's string hashing changes from process to process: fix it.
        os.execve(sys.executable, [sys.executable, "-m", "tools.screenshots", *sys.argv[1:]],
                  {**os.environ, "PYTHONHASHSEED": "0"})  # fmt: skip
    sys.exit(main())
