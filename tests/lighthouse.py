"""Lighthouse (npm ``lighthouse``, pinned in tests/js/package-lock.json) on pages of a running
server, for ``tests/test_lighthouse.py`` and ``python -m bench lighthouse``.

One Chromium (Debian's, by ``CHROME_PATH``) serves every page of a run, so a page costs one audit
and not one browser start. The settings are Lighthouse's mobile defaults on purpose: a 412×823
phone screen, and *simulated* throttling (Lantern: a 150 ms / 1.6 Mbit/s link and a 4× slower CPU,
computed from the page's own trace rather than imposed on the real browser), which weighs the
shared CPU of a test machine less than throttling Chromium itself would. Only loopback addresses
are audited, and no audit needs the internet (none is switched off).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .conftest import CHROMIUM

JS = Path(__file__).resolve().parent / "js"
SCRIPT = JS / "lighthouse-pages.mjs"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
BAR = 95  # issue 11: every category of every page kind, in both languages
# One page of each kind people reach (issue 11, "Done when"), each audited in Thai and in English.
PAGES = {
    "home": "/",
    "organisation": "/doc/organization/hrdf",
    "province": "/doc/province/th-50",
    "strategy": "/doc/strategy/1",
    "browse": "/browse/",
    "downloads": "/downloads/",
    "widget": "/widget/",
    "search": "/search?q=HRDF",
    "sparql": "/sparql",
}


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def run_lighthouse(
    urls: list[str], timeout: float = 900, categories: tuple[str, ...] = CATEGORIES
) -> dict:
    """Audit each URL; the node script's JSON: version, settings, and per page its score in each
    of ``categories`` (0–100), its metrics and every scored audit that did not fully pass."""
    node = shutil.which("node")
    assert node, "node is needed for Lighthouse (make test installs it)"
    assert (JS / "node_modules" / "lighthouse").is_dir(), "run make test: it installs tests/js"
    with tempfile.TemporaryDirectory() as home:  # Chromium's and npm's caches, thrown away
        done = subprocess.run(
            [node, str(SCRIPT), f"--categories={','.join(categories)}", *urls],
            env={
                "CHROME_PATH": str(CHROMIUM),
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": home,
                "TMPDIR": home,
            },
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    assert done.returncode == 0, f"Lighthouse failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


def below_bar(page: dict, categories: tuple[str, ...] = CATEGORIES) -> list[str]:
    """One readable line per category under the bar, with the audits that cost it points."""
    lines = []
    for category in categories:
        if page["scores"][category] < BAR:
            audits = [f"{f['audit']} {f['score']} ({f['value']})" for f in page["failing"]
                      if f["category"] == category]  # fmt: skip
            lines.append(f"{page['url']}: {category} {page['scores'][category]}: {audits}")
    return lines
