//! The real `companion` binary: happy paths, and bad input that must print one line on stderr,
//! exit non-zero and write nothing.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn companion(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_companion"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("COMPANION_DB")
        .output()
        .expect("run companion")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = companion(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json(db: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).expect("json output")
}

/// Runs a command that must fail: one line on stderr, the given exit code, nothing written.
fn refused(db: &Path, args: &[&str], code: i32, needle: &str) {
    let before = std::fs::metadata(db)
        .ok()
        .map(|_| json(db, &["export", "--json"]));
    let out = companion(db, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "{args:?}: one line expected: {stderr}"
    );
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    let after = std::fs::metadata(db)
        .ok()
        .map(|_| json(db, &["export", "--json"]));
    assert_eq!(before, after, "{args:?} changed the record");
}

fn init(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = dir.path().join("r.db");
    let out = ok(&db, &["init", "--name", "Ana", "--tz", "Europe/Berlin"]);
    assert!(out.starts_with("Created a record for Ana"));
    db
}

#[test]
fn readings_are_entered_the_way_people_say_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "reading",
            "add",
            "bp",
            "142/91",
            "--pulse",
            "72",
            "--at",
            "2026-11-20T08:00:00+01:00",
        ],
    );
    ok(
        &db,
        &[
            "reading",
            "add",
            "glucose",
            "6.2",
            "--unit",
            "mmol/L",
            "--context",
            "fasting",
            "--at",
            "2026-11-20T07:00:00+01:00",
        ],
    );
    ok(
        &db,
        &[
            "reading",
            "add",
            "weight",
            "81.5kg",
            "--at",
            "2026-11-20T07:05:00+01:00",
        ],
    );
    ok(
        &db,
        &[
            "reading",
            "add",
            "weight",
            "180lb",
            "--at",
            "2026-11-21T07:05:00+01:00",
        ],
    );
    ok(
        &db,
        &[
            "reading",
            "add",
            "temp",
            "100.4F",
            "--at",
            "2026-11-21T09:00:00+01:00",
        ],
    );
    let list = json(&db, &["reading", "list", "--json"]);
    let readings = list["readings"].as_array().expect("array");
    assert_eq!(readings.len(), 5);
    let bp = readings
        .iter()
        .find(|r| r["measurement"]["kind"] == "blood_pressure")
        .expect("bp");
    assert_eq!(bp["measurement"]["systolic"], 142);
    assert_eq!(bp["measurement"]["pulse"], 72);
    assert_eq!(bp["at"], "2026-11-20T08:00:00+01:00");
    let glucose = readings
        .iter()
        .find(|r| r["measurement"]["kind"] == "glucose")
        .expect("glucose");
    let mg_dl = glucose["measurement"]["mg_dl"].as_f64().expect("number");
    assert!((mg_dl - 6.2 * 18.016).abs() < 1e-9, "{mg_dl}");
    assert_eq!(glucose["entered_unit"], "mmol/L");
    assert_eq!(glucose["measurement"]["context"], "fasting");
    let pounds = readings
        .iter()
        .find(|r| r["entered_unit"] == "lb")
        .expect("lb");
    assert!((pounds["measurement"]["kg"].as_f64().expect("kg") - 81.646_626_6).abs() < 1e-6);

    let text = ok(&db, &["reading", "list", "--kind", "weight"]);
    assert!(
        text.contains("81.6 kg") && text.contains("81.5 kg"),
        "{text}"
    );

    // Paging prints a cursor that continues the listing.
    let page = json(&db, &["reading", "list", "--limit", "2", "--json"]);
    let next = page["next"].as_str().expect("cursor").to_string();
    let rest = json(
        &db,
        &[
            "reading", "list", "--limit", "10", "--after", &next, "--json",
        ],
    );
    assert_eq!(rest["readings"].as_array().expect("array").len(), 3);
    assert!(rest["next"].is_null());
}

#[test]
fn readings_are_corrected_and_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "142/91"]);
    let list = json(&db, &["reading", "list", "--json"]);
    let id = list["readings"][0]["id"].as_str().expect("id").to_string();
    ok(
        &db,
        &["reading", "edit", &id, "141/90", "--note", "left arm"],
    );
    let list = json(&db, &["reading", "list", "--json"]);
    assert_eq!(list["readings"][0]["measurement"]["systolic"], 141);
    assert_eq!(list["readings"][0]["note"], "left arm");
    refused(
        &db,
        &["reading", "edit", &id, "90/95"],
        1,
        "diastolic pressure must be below systolic",
    );
    ok(&db, &["reading", "delete", &id]);
    assert_eq!(ok(&db, &["reading", "list"]).trim(), "No readings");
    refused(
        &db,
        &["reading", "delete", &id],
        1,
        "no reading with that id",
    );
}

#[test]
fn medications_doses_and_journal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "med",
            "add",
            "Metformin",
            "--dose",
            "500 mg",
            "--at",
            "08:00,20:00",
            "--inventory",
            "60",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Prednisolone",
            "--dose",
            "40 mg",
            "--taper",
            "7:40 mg@08:00;7:20 mg@08:00",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Ibuprofen",
            "--dose",
            "400 mg",
            "--as-needed",
            "--max-per-day",
            "3",
            "--min-interval-min",
            "480",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Levothyroxine",
            "--dose",
            "50 ug",
            "--every-hours",
            "24",
            "--first",
            "06:00",
            "--fixed-zone",
            "Europe/Berlin",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Vitamin D",
            "--dose",
            "1 tablet",
            "--weekdays",
            "mon,thu",
            "--at",
            "09:00",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Methotrexate",
            "--dose",
            "10 mg",
            "--every-days",
            "7",
            "--at",
            "18:00",
        ],
    );
    ok(
        &db,
        &[
            "med", "add", "Pill", "--dose", "1 tablet", "--cycle", "21/7", "--at", "21:00",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Insulin",
            "--dose",
            "8 units",
            "--meals",
            "breakfast,dinner",
            "--offset-min",
            "-15",
            "--form",
            "injection",
        ],
    );
    let meds = json(&db, &["med", "list", "--json"]);
    assert_eq!(meds.as_array().expect("array").len(), 8);
    let types: Vec<&str> = meds
        .as_array()
        .expect("array")
        .iter()
        .map(|m| m["schedule"]["type"].as_str().expect("type"))
        .collect();
    for t in [
        "fixed_times",
        "tapering",
        "as_needed",
        "every_n_hours",
        "weekdays",
        "every_n_days",
        "cyclic",
        "meal_relative",
    ] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }

    ok(
        &db,
        &[
            "med",
            "edit",
            "metformin",
            "--dose",
            "1000 mg",
            "--instructions",
            "with food",
        ],
    );
    ok(&db, &["med", "pause", "Ibuprofen"]);
    ok(&db, &["med", "stop", "Pill"]);
    let meds = json(&db, &["med", "list", "--json"]);
    assert_eq!(meds.as_array().expect("array").len(), 7);
    let metformin = meds
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["name"] == "Metformin")
        .expect("metformin");
    assert_eq!(metformin["dose"]["amount"], 1000.0);
    assert_eq!(
        json(&db, &["med", "list", "--all", "--json"])
            .as_array()
            .expect("array")
            .len(),
        8
    );

    ok(
        &db,
        &[
            "dose",
            "take",
            "metformin",
            "--scheduled",
            "2026-11-23T08:00:00+01:00",
            "--at",
            "2026-11-23T08:20:00+01:00",
            "--by",
            "Ben",
        ],
    );
    ok(
        &db,
        &[
            "dose",
            "skip",
            "Metformin",
            "--scheduled",
            "2026-11-23T20:00:00+01:00",
            "--at",
            "2026-11-23T20:30:00+01:00",
        ],
    );
    let doses = json(
        &db,
        &["dose", "list", "metformin", "--days", "36500", "--json"],
    );
    let doses = doses.as_array().expect("array");
    assert_eq!(doses.len(), 2);
    assert_eq!(doses[1]["logged_by"], "Ben");
    assert_eq!(doses[0]["status"], "skipped");

    ok(
        &db,
        &[
            "journal",
            "add",
            "Dizzy after lunch",
            "--mood",
            "2",
            "--symptom",
            "dizziness",
        ],
    );
    let journal = json(&db, &["journal", "list", "--json"]);
    assert_eq!(journal[0]["symptoms"][0], "dizziness");

    ok(
        &db,
        &[
            "profile",
            "set",
            "--condition",
            "hypertension",
            "--glucose-unit",
            "mmol/L",
            "--birth-date",
            "1958-04-02",
        ],
    );
    let profile = json(&db, &["profile", "show", "--json"]);
    assert_eq!(profile["conditions"][0], "hypertension");
    assert_eq!(profile["units"]["glucose"], "mmol/L");
    // Glucose now defaults to mmol/L and shows in it.
    ok(&db, &["reading", "add", "glucose", "5.5"]);
    assert!(ok(&db, &["reading", "list"]).contains("5.5 mmol/L"));
    let export = json(&db, &["export", "--json"]);
    assert_eq!(export["medications"].as_array().expect("array").len(), 8);
}

#[test]
fn bad_input_is_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "med",
            "add",
            "Metformin",
            "--dose",
            "500 mg",
            "--at",
            "08:00",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "metformin",
            "--dose",
            "850 mg",
            "--at",
            "20:00",
        ],
    );
    refused(
        &db,
        &["reading", "add", "bp", "400/91"],
        1,
        "systolic must be between 50 and 300 mmHg",
    );
    refused(
        &db,
        &["reading", "add", "bp", "142"],
        2,
        "expected systolic/diastolic",
    );
    refused(
        &db,
        &["reading", "add", "glucose", "0"],
        1,
        "glucose must be between",
    );
    refused(
        &db,
        &["reading", "add", "weight", "2000kg"],
        1,
        "weight must be between",
    );
    refused(
        &db,
        &["reading", "add", "weight", "80", "--unit", "stone"],
        2,
        "unknown unit",
    );
    refused(
        &db,
        &["reading", "add", "cholesterol", "5"],
        2,
        "unknown reading kind",
    );
    refused(
        &db,
        &["reading", "add", "bp", "120/80", "--at", "yesterday"],
        2,
        "RFC 3339",
    );
    refused(
        &db,
        &["reading", "add", "glucose", "5", "--context", "lunchtime"],
        2,
        "fasting",
    );
    refused(
        &db,
        &["reading", "list", "--after", "nonsense"],
        1,
        "page cursor",
    );
    refused(
        &db,
        &["med", "add", "X", "--dose", "500", "--at", "08:00"],
        1,
        "dose",
    );
    refused(
        &db,
        &["med", "add", "X", "--dose", "5 mg"],
        2,
        "give a schedule",
    );
    refused(
        &db,
        &["med", "add", "X", "--dose", "5 mg", "--at", "25:00"],
        2,
        "08:00",
    );
    refused(
        &db,
        &[
            "med",
            "add",
            "X",
            "--dose",
            "5 mg",
            "--at",
            "08:00",
            "--fixed-zone",
            "Mars/Base",
        ],
        1,
        "time zone",
    );
    refused(
        &db,
        &[
            "med",
            "add",
            "X",
            "--dose",
            "5 mg",
            "--every-hours",
            "8",
            "--cycle",
            "21/7",
        ],
        2,
        "choose one schedule",
    );
    refused(
        &db,
        &[
            "med",
            "add",
            "X",
            "--dose",
            "5 mg",
            "--at",
            "08:00",
            "--start",
            "2026-05-01",
            "--end",
            "2026-04-01",
        ],
        1,
        "end date",
    );
    refused(
        &db,
        &["dose", "take", "aspirin"],
        2,
        "no medication with that id or name",
    );
    refused(
        &db,
        &["dose", "take", "METFORMIN"],
        2,
        "several medications",
    );
    refused(
        &db,
        &["journal", "add", "x", "--mood", "9"],
        1,
        "mood must be between 1 and 5",
    );
    refused(
        &db,
        &["profile", "set", "--tz", "Europe/Nowhere"],
        1,
        "time zone",
    );
    refused(
        &db,
        &["init", "--name", "Ana", "--tz", "Europe/Berlin"],
        1,
        "already exists",
    );
    refused(&db, &["frobnicate"], 2, "unrecognized subcommand");

    // A missing record, and a bad zone at init, create no file.
    let missing = dir.path().join("none.db");
    refused(&missing, &["reading", "list"], 2, "companion init");
    refused(
        &missing,
        &["init", "--name", "Ana", "--tz", "Berlin"],
        1,
        "time zone",
    );
    assert!(!missing.exists());
}

#[test]
fn the_tour_runs_every_step() {
    let out = Command::new(env!("CARGO_BIN_EXE_companion"))
        .arg("tour")
        .output()
        .expect("tour");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains("Stored blood pressure 142/91 mmHg, pulse 72/min"),
        "{text}"
    );
    assert!(text.contains("error: invalid input: systolic must be between 50 and 300 mmHg"));
    assert!(
        text.contains("error: this dose would go beyond the minimum of 360 minutes between doses")
    );
    assert_eq!(
        text.matches("error:").count(),
        2,
        "only the two deliberate mistakes fail:\n{text}"
    );
    assert!(text.contains("URGENT: Very high blood pressure"));
    assert!(
        text.contains("blood pressure      2 readings  mean 163.5/106 mmHg"),
        "{text}"
    );
    assert!(text.contains("Wrote the report of the last 30 days"));
    assert!(text.contains("Done."));
}

#[test]
fn reminders_today_snooze_supply_and_adherence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "med",
            "add",
            "Metformin",
            "--dose",
            "500 mg",
            "--at",
            "08:00,20:00",
            "--start",
            "2026-03-01",
            "--inventory",
            "10",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Ramipril",
            "--dose",
            "5 mg",
            "--at",
            "08:00",
            "--start",
            "2026-03-01",
            "--fixed-zone",
            "Europe/Berlin",
        ],
    );
    // The plan as the phone asks for it, for a trip to New York. Medications added today have no
    // dose due before now, so plan from tomorrow.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).date_naive();
    let from = format!("{tomorrow}T00:00:00Z");
    let plan = json(
        &db,
        &[
            "reminders",
            "--from",
            &from,
            "--hours",
            "24",
            "--tz",
            "America/New_York",
            "--json",
        ],
    );
    let plan = plan.as_array().expect("array");
    let doses: Vec<&Value> = plan.iter().filter(|n| n["kind"] == "Dose").collect();
    assert_eq!(
        doses.len(),
        3,
        "Ramipril on Berlin time, Metformin twice on New York time: {plan:?}"
    );
    assert!(doses.iter().all(|n| n["importance"] == "TimeSensitive"));
    let text = ok(
        &db,
        &[
            "reminders",
            "--from",
            &from,
            "--hours",
            "24",
            "--tz",
            "America/New_York",
        ],
    );
    assert!(text.contains("EST") || text.contains("EDT"), "{text}");
    refused(
        &db,
        &["reminders", "--tz", "Atlantis/Capital"],
        1,
        "device time zone",
    );
    refused(&db, &["reminders", "--from", "soon"], 2, "RFC 3339");

    // Snooze a dose; take one; the supply goes down.
    let scheduled = doses[0]["doses"][0]["scheduled_at"]
        .as_str()
        .expect("scheduled")
        .to_string();
    let med = doses[0]["doses"][0]["medication_id"]
        .as_str()
        .expect("med")
        .to_string();
    ok(
        &db,
        &[
            "dose",
            "snooze",
            &med,
            "--scheduled",
            &scheduled,
            "--minutes",
            "15",
        ],
    );
    // A dose taken now (doses logged for the future do not count against the supply yet).
    ok(&db, &["dose", "take", "metformin"]);
    let supply = json(&db, &["med", "supply", "--json"]);
    assert_eq!(supply[0]["on_hand"], 9.0);
    ok(&db, &["med", "refill", "metformin", "--amount", "30"]);
    assert!(ok(&db, &["med", "supply"]).contains("39 left"));
    refused(
        &db,
        &["med", "refill", "ramipril", "--amount", "30"],
        2,
        "not tracked",
    );
    refused(
        &db,
        &["med", "refill", "metformin", "--amount", "0"],
        1,
        "refill amount",
    );

    let today = json(&db, &["today", "--json"]);
    for key in ["due", "snoozed", "next", "missed", "refills_due"] {
        assert!(today[key].is_array(), "{key}");
    }
    assert!(ok(&db, &["today"]).contains("Next:"));
    let adherence = json(&db, &["adherence", "--days", "7", "--json"]);
    // The text lists exactly the medications the JSON has (none when no dose was due yet).
    let listed = adherence.as_array().expect("array");
    let text = ok(&db, &["adherence", "--days", "7"]);
    if listed.is_empty() {
        assert!(
            text.contains("No scheduled doses in the last 7 days"),
            "{text}"
        );
    } else {
        for a in listed {
            assert!(text.contains(a["name"].as_str().expect("name")), "{text}");
        }
    }
}

#[test]
fn as_needed_limits_need_confirm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "med",
            "add",
            "Paracetamol",
            "--dose",
            "500 mg",
            "--as-needed",
            "--max-per-day",
            "4",
            "--min-interval-min",
            "360",
        ],
    );
    ok(
        &db,
        &[
            "dose",
            "take",
            "paracetamol",
            "--at",
            "2026-03-02T08:00:00+01:00",
        ],
    );
    refused(
        &db,
        &[
            "dose",
            "take",
            "paracetamol",
            "--at",
            "2026-03-02T09:00:00+01:00",
        ],
        1,
        "--confirm",
    );
    ok(
        &db,
        &[
            "dose",
            "take",
            "paracetamol",
            "--at",
            "2026-03-02T09:00:00+01:00",
            "--confirm",
        ],
    );
    let doses = json(
        &db,
        &["dose", "list", "paracetamol", "--days", "36500", "--json"],
    );
    assert_eq!(doses[0]["confirmed_over_limit"], true);
}

#[test]
fn readings_print_their_category_and_urgent_advice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let text = ok(&db, &["reading", "add", "bp", "128/82"]);
    assert!(
        text.contains(
            "Category: below the home hypertension threshold (135/85) (ESH 2023, home readings)"
        ),
        "{text}"
    );
    let text = ok(&db, &["reading", "add", "bp", "185/100"]);
    assert!(text.contains("URGENT: Very high blood pressure"), "{text}");
    assert!(text.contains("call emergency services"), "{text}");
    let text = ok(
        &db,
        &["reading", "add", "glucose", "2.9", "--unit", "mmol/L"],
    );
    assert!(
        text.contains("level 2 hypoglycaemia") && text.contains("URGENT: Very low glucose"),
        "{text}"
    );
    // today lists the open alerts; acknowledging one closes it.
    let today = ok(&db, &["today"]);
    assert_eq!(today.matches("URGENT").count(), 2, "{today}");
    let alerts = json(&db, &["alerts", "list", "--json"]);
    let id = alerts[0]["id"].as_str().expect("id").to_string();
    ok(&db, &["alerts", "ack", &id, "--by", "Ben"]);
    assert_eq!(ok(&db, &["today"]).matches("URGENT").count(), 1);
    refused(
        &db,
        &["alerts", "ack", "nope", "--by", "Ben"],
        1,
        "no alert",
    );
}

#[test]
fn targets_stats_and_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    assert!(ok(&db, &["demo", "--days", "30"]).contains("Created a demo record"));
    refused(
        &db,
        &["targets", "set", "--by", "Dr. Lee", "--bp", "300/80"],
        1,
        "target systolic",
    );
    refused(
        &db,
        &["targets", "set", "--by", "Dr. Lee", "--guideline", "who"],
        2,
        "acc-aha or esh",
    );
    ok(
        &db,
        &[
            "targets",
            "set",
            "--by",
            "Dr. Lee",
            "--guideline",
            "acc-aha",
            "--bp",
            "130/80",
            "--pre-meal",
            "90-140",
        ],
    );
    let t = json(&db, &["targets", "show", "--json"]);
    assert_eq!(t["bp_guideline"], "acc_aha2017");
    assert_eq!(t["set_by"], "Dr. Lee");
    assert_eq!(t["glucose"]["pre_meal_low"], 90.0);
    assert!(ok(&db, &["targets", "show"]).contains("set by Dr. Lee"));

    let stats = json(&db, &["stats", "--days", "30", "--json"]);
    assert!(stats["summaries"].as_array().expect("array").len() >= 3);
    assert_eq!(stats["home_bp"]["sufficient"], true);
    assert!(stats["glucose"]["gmi_percent"].as_f64().expect("gmi") > 5.0);
    assert!(ok(&db, &["stats", "--days", "30"]).contains("Home BP protocol"));

    let en = dir.path().join("report.html");
    ok(
        &db,
        &[
            "report",
            "--days",
            "30",
            "--out",
            en.to_str().expect("path"),
        ],
    );
    let html = std::fs::read_to_string(&en).expect("report");
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("Ana Demo")
            && html.contains("ACC/AHA 2017")
    );
    assert!(
        !html.contains("<script") && !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    let zh = dir.path().join("report-zh.html");
    ok(
        &db,
        &[
            "report",
            "--days",
            "30",
            "--out",
            zh.to_str().expect("path"),
            "--lang",
            "zh-Hans",
        ],
    );
    assert!(
        std::fs::read_to_string(&zh)
            .expect("report")
            .contains("健康报告")
    );
    refused(
        &db,
        &["report", "--out", "/nonexistent/dir/r.html"],
        1,
        "report could not be written",
    );
    refused(
        &db,
        &["report", "--out", "x.html", "--lang", "fr"],
        2,
        "en or zh-Hans",
    );
}
