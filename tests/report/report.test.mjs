// Renders the visit report of a demo record (76 days of fingersticks, then 14 days of a CGM)
// in Debian's headless Chromium, in English and in Simplified Chinese, and of the same record
// in mmol/L, and fails on any console error, a page error, a request leaving the file, or an
// empty chart; checks that the CGM metrics cover the sensor's days only, that an mmol/L
// record shows no mg/dL, and that the Chinese alerts hold no English. Writes a full-page PNG
// of each to target/.
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
// The device directory (its key store) of every companion run here.
process.env.COMPANION_HOME = path.join(dir, "home");
const db = path.join(dir, "demo.db");
execFileSync(bin, ["--db", db, "demo", "--days", "90"]);

// The same record with mmol/L as its glucose unit: a replica of it (a copied file would open
// nothing, its key being the original's).
const mmolDb = path.join(dir, "mmol.db");
const replica = path.join(dir, "demo.replica");
execFileSync(bin, ["--db", db, "replica", "export", "--out", replica]);
execFileSync(bin, ["--db", mmolDb, "replica", "join", replica]);
execFileSync(bin, ["--db", mmolDb, "profile", "set", "--glucose-unit", "mmol/L"]);

async function render(lang, record = db, name = lang) {
  const html = path.join(dir, `report-${name}.html`);
  execFileSync(bin, ["--db", record, "report", "--days", "90", "--out", html, "--lang", lang]);
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
    const part = async (selector) => (await page.$(selector)) ? page.textContent(selector) : null;
    const png = path.join(out, `report-${name}.png`);
    await page.screenshot({ path: png, fullPage: true });
    // Printed to A4 as the shells' print services do: a few pages, not dozens.
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    return {
      problems, charts, text, png, pages, lang: await page.getAttribute("html", "lang"),
      cgm: await part("#cgm"), fingersticks: await part("#fingersticks"),
      alerts: await page.$$eval("#alerts tbody tr td:nth-child(2), #alerts tbody tr td:nth-child(3)",
        (cells) => cells.map((c) => c.textContent)),
      medications: await part("#medications"),
      summary: await part("#summary"), flags: await part("#vital-flags"),
      surgery: await part("#surgery"), questionnaires: await part("#questionnaires"),
      reported: await part("#reported"), care: await part("#care"), bmi: await part("#bmi"),
      order: await page.$$eval("section", (ss) => ss.map((x) => x.id)),
    };
  } finally {
    await browser.close();
  }
}

for (const lang of ["en", "zh-Hans"]) {
  test(`the ${lang} report renders cleanly with every chart drawn`, async () => {
    const r = await render(lang);
    assert.deepEqual(r.problems, []);
    assert.equal(r.lang, lang);
    // Blood pressure, glucose profile, time-in-range bar, the fingersticks, weight.
    assert.equal(r.charts.length, 5, JSON.stringify(r.charts));
    for (const c of r.charts) {
      assert.ok(c.points > 0 && c.shapes > 0, `empty chart: ${JSON.stringify(c)}`);
      assert.ok(c.width > 300 && c.height > 20, `chart not laid out: ${JSON.stringify(c)}`);
    }
    const words = lang === "en"
      ? ["Blood pressure", "Home protocol average", "Glucose", "GMI", "Medication adherence", "Urgent alerts", "Very high blood pressure", "Journal highlights"]
      : ["血压", "家庭血压监测方案平均值", "血糖", "用药依从性", "紧急警报", "日记摘录"];
    for (const w of words) assert.ok(r.text.includes(w), `missing "${w}"`);
    // The summary comes first, before the medications.
    assert.ok(r.order.indexOf("summary") === 0, `sections: ${r.order}`);
    assert.ok(r.summary.includes(lang === "en" ? "above the target" : "高于目标"), r.summary);
    assert.ok(statSync(r.png).size > 20_000, "screenshot too small");
    assert.ok(r.pages >= 2 && r.pages <= 6, `A4 pages: ${r.pages}`);
    // CGM metrics over the 14 sensor days only, not the 90 days asked for: complete, so
    // not "indicative only"; the fingersticks of the other days are a table by meal.
    assert.ok(r.cgm, "a CGM section");
    assert.match(r.cgm, lang === "en" ? /14 days of sensor data.*100 % time active/ : /传感器数据 14 天.*佩戴时间 100 %/);
    assert.ok(!r.cgm.includes(lang === "en" ? "indicative only" : "仅供参考"), r.cgm);
    assert.ok(r.fingersticks && r.fingersticks.includes(lang === "en" ? "fasting" : "空腹"), r.fingersticks);
    assert.ok(r.medications && r.medications.includes("Metformin") && r.medications.includes("500 mg"));
    assert.ok(r.alerts.length >= 4, JSON.stringify(r.alerts));
    if (lang === "zh-Hans") {
      // No English in the alerts (units, numbers and acronyms such as AHA aside).
      for (const cell of r.alerts) {
        const words = cell.replace(/mmol\/L|mg\/dL|mmHg/g, "").match(/[A-Za-z]*[a-z][A-Za-z]+/g);
        assert.equal(words, null, `English in a Chinese alert: ${cell}`);
      }
    }
  });
}

test("an mmol/L record's report has no mg/dL anywhere", async () => {
  const r = await render("en", mmolDb, "mmol");
  assert.deepEqual(r.problems, []);
  assert.ok(!r.text.includes("mg/dL"), r.text.slice(r.text.indexOf("mg/dL") - 200, r.text.indexOf("mg/dL") + 50));
  assert.ok(r.text.includes("mmol/L"));
  assert.match(r.cgm, /Time in range 3\.9 mmol\/L to 10\.0 mmol\/L/);
  assert.ok(statSync(r.png).size > 20_000, "screenshot too small");
});

function cli(record, ...args) {
  return execFileSync(bin, ["--db", record, ...args]).toString();
}

// Words a Chinese page may hold: what the patient typed, the product's name, units.
function englishIn(text, allowed = []) {
  const words = text.replace(/mmol\/L|mg\/dL|mmHg|\b(mg|kg)\b/g, "").match(/[A-Za-z]*[a-z][A-Za-z]+/g) ?? [];
  return words.filter((w) => !["Companion", ...allowed].includes(w));
}

// A patient with hypertension and type 2 diabetes, two days of readings through the CLI.
const htDb = path.join(dir, "ht.db");
cli(htDb, "init", "--name", "Ana", "--tz", "Europe/Berlin");
cli(htDb, "profile", "set", "--condition", "hypertension", "--condition", "type 2 diabetes", "--height-cm", "165");
cli(htDb, "med", "add", "Metformin", "--dose", "500 mg", "--at", "08:00", "--start", "2026-01-01");
for (const h of ["-50h", "-48h", "-30h", "-28h", "-26h", "-6h", "-4h"]) {
  cli(htDb, "reading", "add", "bp", "142/88", "--at", h);
  cli(htDb, "reading", "add", "glucose", "160", "--context", "fasting", "--at", h);
}
cli(htDb, "reading", "add", "temp", "38.9", "--at", "-30h");
cli(htDb, "reading", "add", "hr", "128", "--at", "-30h");
cli(htDb, "reading", "add", "weight", "76.5", "--at", "-2h");
cli(htDb, "reading", "add", "hba1c", "7.1", "--at", "-3h");
cli(htDb, "ask", "phq2", "q1=2", "q2=2");
cli(htDb, "dose", "skip", "Metformin", "--scheduled", "yesterday 08:00", "--note", "nausea");
cli(htDb, "journal", "add", "Head hurts", "--symptom", "headache", "--mood", "2");
const visit = new Date(Date.now() + 10 * 86400_000).toISOString().slice(0, 10);
cli(htDb, "appointment", "add", "GP check-up", "--at", `${visit} 09:30`);

for (const lang of ["en", "zh-Hans"]) {
  test(`the ${lang} report says what matters first: summary, flags, questionnaires, care`, async () => {
    const r = await render(lang, htDb, `visit-${lang}`);
    assert.deepEqual(r.problems, []);
    assert.equal(r.order[0], "summary", `sections: ${r.order}`);
    const en = lang === "en";
    assert.ok(r.summary.includes(en ? "Home blood pressure averaged 142/88 mmHg, above the target" : "家庭血压平均 142/88 mmHg，高于目标"), r.summary);
    assert.ok(r.summary.includes(en ? "PHQ-2" : "PHQ-2") && r.summary.includes("nausea"), r.summary);
    assert.ok(r.flags && r.flags.includes("38.9") && r.flags.includes("128"), r.flags);
    assert.ok(r.questionnaires && r.questionnaires.includes("PHQ-2"), r.questionnaires);
    assert.ok(r.reported && r.reported.includes("headache") && r.reported.includes("nausea"), r.reported);
    assert.ok(r.care && r.care.includes("GP check-up"), r.care);
    assert.ok(r.bmi && r.bmi.includes("28.1"), r.bmi);
    assert.ok(r.pages >= 2 && r.pages <= 6, `A4 pages: ${r.pages}`);
    for (const c of r.charts) assert.ok(c.points > 0 && c.shapes > 0, `empty chart: ${JSON.stringify(c)}`);
    if (!en) {
      // What the patient typed (the medication, the reason, the symptom, the visit) aside.
      assert.deepEqual(englishIn(r.text, ["Ana", "Metformin", "nausea", "headache", "Head", "hurts", "GP", "check", "up"]), []);
    }
  });
}

// A patient recovering after surgery, in Chinese: pain, wound checks and fever; no empty
// blood-pressure or glucose sections.
const sxDb = path.join(dir, "surgery.db");
cli(sxDb, "init", "--name", "王芳", "--tz", "Asia/Shanghai", "--lang", "zh-Hans");
cli(sxDb, "profile", "set", "--condition", "recovery_after_surgery");
cli(sxDb, "journey", "start", "surgery-recovery-6w", "--at", "-120h");
cli(sxDb, "ask", "pain", "pain=6");
cli(sxDb, "ask", "pain", "pain=4");
cli(sxDb, "reading", "add", "temp", "38.4", "--at", "-20h");
cli(sxDb, "reading", "add", "temp", "37.1", "--at", "-2h");
cli(sxDb, "journey", "done", "wound-check");

test("after surgery the Chinese report shows pain, wound checks and fever, in Chinese only", async () => {
  const r = await render("zh-Hans", sxDb, "surgery-zh-Hans");
  assert.deepEqual(r.problems, []);
  assert.ok(r.surgery, `a recovery section: ${r.order}`);
  assert.ok(r.surgery.includes("6/10") && r.surgery.includes("4/10"), r.surgery);
  assert.ok(r.surgery.includes("伤口检查") && r.surgery.includes("1 次"), r.surgery);
  assert.ok(r.surgery.includes("38.4 °C") && r.surgery.includes("发热"), r.surgery);
  assert.ok(!r.order.includes("bp") && !r.order.includes("glucose"), `sections: ${r.order}`);
  assert.ok(r.summary.includes("术后发热"), r.summary);
  assert.deepEqual(englishIn(r.text), []);
  assert.ok(statSync(r.png).size > 20_000, "screenshot too small");
});
