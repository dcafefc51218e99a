// Renders the visit report of a demo record in Debian's headless Chromium, in English and in
// Simplified Chinese, and fails on any console error, a page error, a request leaving the
// file, or an empty chart. Writes a full-page PNG of each to target/.
//
// Needs: the companion binary (COMPANION_BIN, default ../../target/debug/companion) and
// Chromium (CHROMIUM, default /usr/bin/chromium).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const bin = process.env.COMPANION_BIN ?? path.join(root, "target/debug/companion");
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const out = path.join(root, "target");
mkdirSync(out, { recursive: true });

const dir = mkdtempSync(path.join(tmpdir(), "companion-report-"));
const db = path.join(dir, "demo.db");
execFileSync(bin, ["--db", db, "demo", "--days", "90"]);

async function render(lang) {
  const html = path.join(dir, `report-${lang}.html`);
  execFileSync(bin, ["--db", db, "report", "--days", "90", "--out", html, "--lang", lang]);
  const browser = await chromium.launch({
    executablePath: browserPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    const problems = [];
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => { if (!r.url().startsWith("file:")) problems.push(`request: ${r.url()}`); });
    await page.goto(`file://${html}`);
    const charts = await page.$$eval("svg.chart", (svgs) => svgs.map((s) => {
      const box = s.getBoundingClientRect();
      return {
        label: s.getAttribute("aria-label"),
        points: Number(s.getAttribute("data-points")),
        shapes: s.querySelectorAll("polyline, polygon, circle, rect").length,
        width: box.width,
        height: box.height,
      };
    }));
    const text = await page.textContent("body");
    const png = path.join(out, `report-${lang}.png`);
    await page.screenshot({ path: png, fullPage: true });
    return { problems, charts, text, png, lang: await page.getAttribute("html", "lang") };
  } finally {
    await browser.close();
  }
}

for (const lang of ["en", "zh-Hans"]) {
  test(`the ${lang} report renders cleanly with every chart drawn`, async () => {
    const r = await render(lang);
    assert.deepEqual(r.problems, []);
    assert.equal(r.lang, lang);
    // Blood pressure, glucose profile, time-in-range bar, weight.
    assert.equal(r.charts.length, 4, JSON.stringify(r.charts));
    for (const c of r.charts) {
      assert.ok(c.points > 0 && c.shapes > 0, `empty chart: ${JSON.stringify(c)}`);
      assert.ok(c.width > 300 && c.height > 20, `chart not laid out: ${JSON.stringify(c)}`);
    }
    const words = lang === "en"
      ? ["Blood pressure", "Home protocol average", "Glucose", "GMI", "Medication adherence", "Urgent alerts", "Very high blood pressure", "Journal highlights"]
      : ["血压", "家庭血压监测方案平均值", "血糖", "用药依从性", "紧急警报", "日记摘录"];
    for (const w of words) assert.ok(r.text.includes(w), `missing "${w}"`);
    assert.ok(statSync(r.png).size > 20_000, "screenshot too small");
  });
}
