"""Lighthouse (pinned, tests/js) on one page of each kind, in Thai and in English, at mobile size:
the four category scores and the metrics behind performance. Issue 11's bar is 95 in every
category of every page; tests/test_lighthouse.py checks a few of them on every test run."""

from __future__ import annotations

from tests.lighthouse import BAR, CATEGORIES, PAGES, below_bar, run_lighthouse, with_lang
from tests.release_server import release_server

from .report import stamp, table, write_section


def main() -> str:
    paths = [(kind, lang, with_lang(path, lang)) for kind, path in PAGES.items()
             for lang in ("th", "en")]  # fmt: skip
    with release_server() as server:
        report = run_lighthouse([server.url + path for _, _, path in paths], timeout=1800)
    rows = []
    for (kind, lang, path), page in zip(paths, report["pages"], strict=True):
        scores = " | ".join(
            (f"**{page['scores'][c]}**" if page["scores"][c] < BAR else str(page["scores"][c]))
            for c in CATEGORIES
        )
        m = page["metrics"]
        rows.append(
            f"| {kind} | {lang} | `{path}` | {scores} | {m['first-contentful-paint'] / 1000:.1f} s "
            f"| {m['largest-contentful-paint'] / 1000:.1f} s | {m['total-blocking-time']:.0f} ms "
            f"| {m['cumulative-layout-shift']:.3f} |"
        )
    under = [line.replace(server.url, "") for page in report["pages"] for line in below_bar(page)]
    lowest = {c: min(p["scores"][c] for p in report["pages"]) for c in CATEGORIES}
    benchmark = sorted(p["benchmarkIndex"] for p in report["pages"])
    body = (
        "## Lighthouse: every page kind, Thai and English, mobile (issue 11)\n\n"
        + stamp("python -m bench lighthouse")
        + f"\nLighthouse **{report['lighthouse']}** (npm, pinned in `tests/js/package-lock.json`) "
        "driving Debian's Chromium headless, one browser for all pages, against `mwg-graph serve` "
        "on loopback with a release of `data/`. Mobile form factor (412×823), **simulated "
        "throttling** (Lantern: 150 ms RTT, 1.6 Mbit/s, CPU ×4, computed from each page's trace), "
        "so the shared CPU weighs less than with real throttling; no audit is switched off, none "
        "needs the internet. Lighthouse's CPU benchmark index of this machine during the run: "
        f"{benchmark[0]}–{benchmark[-1]} (a mid-range phone ≈ 1000; lower = slower). "
        f"Bar: {BAR} in every category (bold: under it).\n\n"
        + table(
            [
                "page",
                "lang",
                "address",
                "performance",
                "accessibility",
                "best practices",
                "SEO",
                "FCP",
                "LCP",
                "TBT",
                "CLS",
            ],
            rows,
        )
        + "\nLowest per category: "
        + ", ".join(f"{c} {lowest[c]}" for c in CATEGORIES)
        + ". "
        + ("Under the bar: " + "; ".join(under) if under else "Every page is at or over the bar.")
        + "\n"
    )
    write_section("lighthouse", body)
    return body
