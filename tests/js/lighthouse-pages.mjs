// Lighthouse (npm, pinned in package-lock.json) on pages of the server under test, in one headless
// Chromium (Debian's, from CHROME_PATH) reused for every page, so each page costs one audit and not
// one browser start. Prints one JSON object: the Lighthouse version, the settings used, and per page
// the four category scores (0–100) and every scored audit that did not pass.
//
//   CHROME_PATH=/usr/bin/chromium node lighthouse-pages.mjs [--categories=a,b] <url> [<url> ...]
//
// --categories: the categories to audit (default: all four). Leaving out "performance" skips its
// trace and simulation (three pages: 25 s instead of 31 s on a quiet 2-core machine).
//
// Settings, chosen on purpose: the mobile form factor and screen (Lighthouse's default Moto G
// Power, 412×823), and *simulated* throttling (Lantern: a slow 4G link and a 4× slower CPU are
// simulated from the page's own trace), which weighs the shared CPU of the machine far less than
// throttling the real browser would. Only loopback URLs are accepted: nothing here reaches the
// network.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { createRequire } from "node:module";

const ALL_CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const chosen = process.argv.slice(2).find((a) => a.startsWith("--categories="));
const CATEGORIES = chosen ? chosen.slice("--categories=".length).split(",") : ALL_CATEGORIES;
const unknown = CATEGORIES.filter((c) => !ALL_CATEGORIES.includes(c));
if (unknown.length) {
  console.error(`unknown categories: ${unknown.join(", ")}`);
  process.exit(2);
}
const urls = process.argv.slice(2).filter((a) => !a.startsWith("--"));
for (const url of urls) {
  const { hostname, protocol } = new URL(url);
  if (protocol !== "http:" || hostname !== "127.0.0.1") {
    console.error(`refused: ${url} (only http://127.0.0.1 is audited)`);
    process.exit(2);
  }
}
const version = createRequire(import.meta.url)("lighthouse/package.json").version;
const flags = {
  output: "json",
  logLevel: "error",
  onlyCategories: CATEGORIES,
  formFactor: "mobile",
  throttlingMethod: "simulate",
};

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
});
const pages = [];
try {
  for (const url of urls) {
    const { lhr } = await lighthouse(url, { ...flags, port: chrome.port });
    const scores = Object.fromEntries(
      CATEGORIES.map((id) => [id, Math.round((lhr.categories[id].score ?? 0) * 100)]));
    const failing = [];
    for (const id of CATEGORIES) {
      for (const ref of lhr.categories[id].auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          failing.push({ category: id, audit: ref.id, score: audit.score,
            value: (audit.displayValue ?? "").replace(/\u00a0/g, " "), title: audit.title });
        }
      }
    }
    const metrics = Object.fromEntries(
      ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
        "cumulative-layout-shift", "speed-index"].filter((id) => id in lhr.audits)
        .map((id) => [id, lhr.audits[id].numericValue]));
    pages.push({ url, scores, failing, metrics, warnings: lhr.runWarnings,
      benchmarkIndex: lhr.environment.benchmarkIndex, error: lhr.runtimeError?.message ?? null });
  }
} finally {
  await chrome.kill();
}
const settings = { formFactor: "mobile", screen: "412×823 (Lighthouse's mobile default)",
  throttling: "simulated (Lantern): 150 ms RTT, 1.6 Mbit/s, CPU ×4" };
process.stdout.write(JSON.stringify({ lighthouse: version, settings, pages }) + "\n");
