// The clinic's workspace end to end, in Debian's headless Chromium: three patients share their
// records with a clinic's device through a real relay on loopback; the clinic serves them
// (`companion clinic serve`). Nothing answers without a session; a wrong password is refused;
// the list puts the patient with a hypertensive crisis first; a filter narrows it; the patient
// page changes a dose time, which reaches the patient's reminders after both devices sync.
// Fails on any console error, page error, or request to another host.
//
// Needs: the companion binary (COMPANION_BIN, default ../../target/debug/companion) and
// Chromium (CHROMIUM, default /usr/bin/chromium).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const bin = process.env.COMPANION_BIN ?? path.join(root, "target/debug/companion");
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const dir = mkdtempSync(path.join(tmpdir(), "companion-clinic-"));
const password = "correct horse battery staple";
const children = [];
after(() => children.forEach((c) => c.kill("SIGINT")));

function run(home, args, input) {
  return execFileSync(bin, args, {
    env: { ...process.env, COMPANION_HOME: path.join(dir, home) },
    input,
    encoding: "utf8",
  });
}

// Starts a long-running companion command and resolves with the address it listens on. Its
// standard error goes to a file: the synchronous runs below block this process's event loop,
// and a pipe nobody drains would stall the relay's request log.
function start(home, args) {
  const log = path.join(dir, `${home}.log`);
  const child = spawn(bin, args, {
    env: { ...process.env, COMPANION_HOME: path.join(dir, home) },
    stdio: ["ignore", "pipe", openSync(log, "w")],
  });
  children.push(child);
  const err = () => readFileSync(log, "utf8");
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (\S+)/);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`${args[0]} exited ${code}: ${err()}`)));
  });
}

test("a clinician signs in, finds the patient in crisis first, and changes a dose time", async () => {
  const relay = await start("relay", ["serve", "--db", path.join(dir, "relay.db"), "--open", "--listen", "127.0.0.1:0"]);
  const patients = [
    ["ana", "Ana Crisis", ["185/121"]],
    ["bob", "Bob Raised", ["150/95", "152/96"]],
    ["cy", "Cy Steady", ["122/76"]],
  ];
  for (const [home, name, readings] of patients) {
    run(home, ["init", "--name", name, "--tz", "UTC"]);
    for (const r of readings) run(home, ["reading", "add", "bp", r]);
    if (home === "ana") run(home, ["med", "add", "Amlodipine", "--dose", "5 mg", "--at", "08:00"]);
    const invite = JSON.parse(run(home, ["invite", "--role", "clinician", "--name", "Dr Lee", "--relay", `http://${relay}`, "--yes", "--json"]));
    run("clinic", ["join", invite.code, "--name", "Dr Lee"]);
  }
  run("clinic", ["clinic", "user", "add", "dr.lee"], `${password}\n`);
  const clinic = await start("clinic", ["clinic", "serve", "--listen", "127.0.0.1:0", "--plain-http", "--sync-every", "2"]);
  const base = `http://${clinic}`;

  // Nothing answers without a session.
  for (const p of ["/", "/patients/x", "/api/patients", "/api/patients/x", "/patients/x/report", "/patients/x/fhir", "/nowhere"]) {
    const r = await fetch(base + p, { redirect: "manual" });
    assert.ok([303, 401].includes(r.status), `${p}: ${r.status}`);
    if (r.status === 303) assert.equal(r.headers.get("location"), "/login", p);
  }
  const post = await fetch(`${base}/patients/x/targets`, { method: "POST", body: "systolic=120&diastolic=70", headers: { "content-type": "application/x-www-form-urlencoded" }, redirect: "manual" });
  assert.equal(post.status, 401);
  const forged = await fetch(`${base}/api/patients`, { headers: { cookie: "companion_clinic=0123456789abcdef" } });
  assert.equal(forged.status, 401);

  const browser = await chromium.launch({
    executablePath: browserPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = [];
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => { if (!r.url().startsWith(base)) problems.push(`request: ${r.url()}`); });

    // A wrong password is refused.
    await page.goto(`${base}/`);
    assert.equal(new URL(page.url()).pathname, "/login");
    await page.fill("input[name=name]", "dr.lee");
    await page.fill("input[name=password]", "not the password");
    const refused = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    assert.equal(refused[0].status(), 401);
    assert.match(await page.textContent("[role=alert]"), /Wrong name or password/);
    // Chromium logs the refusal's 401 on the console: the one error expected.
    assert.deepEqual(problems.splice(0), ["console: Failed to load resource: the server responded with a status of 401 (Unauthorized)"]);

    // The right one shows the list, the patient in crisis first.
    await page.fill("input[name=name]", "dr.lee");
    await page.fill("input[name=password]", password);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    assert.equal(new URL(page.url()).pathname, "/");
    const rows = await page.$$eval("#patients tbody tr", (trs) => trs.map((tr) => tr.querySelector("td a").textContent));
    assert.deepEqual(rows.length, 3, rows.join());
    assert.equal(rows[0], "Ana Crisis");
    assert.match(await page.textContent("#patients tbody tr:first-child"), /hypertensive crisis/);
    assert.equal(rows[1], "Bob Raised", "home BP above target before steady");

    // A filter: an urgent alert in the last 7 days.
    await page.check("input[name=filter][value=urgent-7d]");
    await Promise.all([page.waitForNavigation(), page.click("#filters button[type=submit]")]);
    const filtered = await page.$$eval("#patients tbody tr td a", (as) => as.map((a) => a.textContent));
    assert.deepEqual(filtered, ["Ana Crisis"]);

    // The patient page: change Amlodipine to 21:30, 10 mg.
    await Promise.all([page.waitForNavigation(), page.click("text=Ana Crisis")]);
    assert.match(await page.textContent("h1"), /Ana Crisis/);
    const row = "#medications tr:has-text('Amlodipine')";
    await page.fill(`${row} input[name=times]`, "21:30");
    await page.fill(`${row} input[name=dose]`, "10 mg");
    await Promise.all([page.waitForNavigation(), page.click(`${row} button[type=submit]`)]);
    assert.match(await page.textContent("#message"), /Medication changed/);
    assert.match(await page.textContent(row), /21:30/);
    // The visit report is embedded, from this origin.
    const report = page.frameLocator("iframe[title='visit report']");
    assert.ok(await report.locator("h1").textContent());
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }

  // The change reaches Ana's phone: after the clinic's background sync and hers, her
  // reminders ring at 21:30 with 10 mg.
  let seen = false;
  for (let i = 0; i < 30 && !seen; i++) {
    run("ana", ["sync"]);
    const plan = JSON.parse(run("ana", ["reminders", "--json", "--hours", "48"]));
    seen = plan.some((n) => n.kind === "Dose" && n.fire_at.includes("T21:30:00") && n.body.includes("10 mg"));
    if (!seen) await new Promise((r) => setTimeout(r, 1000));
  }
  assert.ok(seen, "the new dose time is in the patient's reminders");
});
