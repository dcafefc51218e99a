//! `companion targets`, `stats` and `report`.

mod common;

use common::*;

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
    let shown = ok(&db, &["targets", "show"]);
    assert!(shown.contains("set by Dr. Lee"), "{shown}");
    // Issue 15: the guideline by the name clinicians know, not the program's.
    assert!(
        (shown.contains("ACC/AHA 2017") || shown.contains("ESH 2023")) && !shown.contains("AccAha"),
        "{shown}"
    );

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

/// An alert is stored as its kind and value, so it reads in the language the record is read
/// in now, not the one of the moment it was raised, and with the value that raised it.
#[test]
fn alerts_read_in_the_readers_language_with_their_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let out = ok(&db, &["reading", "add", "bp", "185/112"]);
    assert!(
        out.contains("URGENT: Very high blood pressure (185/112 mmHg)"),
        "{out}"
    );
    ok(&db, &["profile", "set", "--lang", "zh-Hans"]);
    let list = ok(&db, &["alerts", "list"]);
    assert!(list.contains("血压非常高 （185/112 mmHg）"), "{list}");
    assert!(!list.contains("Very high"), "{list}");
    let listed = json(&db, &["alerts", "list", "--json"]);
    assert_eq!(listed[0]["title"], "血压非常高");
    assert_eq!(listed[0]["value"]["systolic"], 185);
    assert!(
        listed[0]["advice"]
            .as_str()
            .is_some_and(|a| a.contains("急救电话")),
        "{listed}"
    );
}

/// `stats` as a clinician reads it: no trend from a pair of readings a minute apart, no GMI or
/// CV from fingersticks, both values' range of a blood pressure, office readings apart and
/// graded by the office thresholds, every glucose in the record's unit.
#[test]
fn stats_say_only_what_the_data_supports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["profile", "set", "--glucose-unit", "mmol/L"]);
    for (value, at) in [("150/70", "-2h"), ("120/95", "-119m")] {
        ok(&db, &["reading", "add", "bp", value, "--at", at]);
    }
    ok(
        &db,
        &["reading", "add", "glucose", "6,2", "--context", "fasting"],
    );
    let out = ok(
        &db,
        &["reading", "add", "bp", "162/101", "--setting", "office"],
    );
    assert!(
        out.contains("grade 2 hypertension (ESH 2023, office readings)"),
        "ESH office grades: {out}"
    );
    refused(
        &db,
        &["reading", "add", "glucose", "6.2", "--setting", "office"],
        1,
        "setting",
    );
    let stats = ok(&db, &["stats", "--days", "30"]);
    assert!(stats.contains("no trend"), "{stats}");
    assert!(!stats.contains("per week"), "{stats}");
    assert!(
        stats.contains("systolic 120-150, diastolic 70-95"),
        "{stats}"
    );
    assert!(stats.contains("office bp"), "{stats}");
    // No CGM metrics from typed glucose, and a line saying why.
    assert!(!stats.contains("CGM "), "{stats}");
    assert!(stats.contains("no sensor interval"), "{stats}");
    assert!(stats.contains("6.2 mmol/L"), "{stats}");
    assert!(!stats.contains("mg/dL"), "{stats}");
    let json = json(&db, &["stats", "--days", "30", "--json"]);
    assert_eq!(json["office_bp"]["count"], 1);
    assert_eq!(
        json["glucose"],
        serde_json::Value::Null,
        "no sensor readings"
    );
}

/// The demo's days are local calendar days ending yesterday, whatever the hour: an hour before
/// midnight in Berlin's winter, "90 days before now" fell in summer time, on the next day, and
/// the demo's last sensor day became today, cut short at now (its CGM then "indicative only").
#[test]
fn the_demo_sensor_fortnight_is_complete_late_in_a_winter_evening() {
    if !faketime_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    let report = dir.path().join("r.html");
    for args in [
        vec!["demo", "--days", "90"],
        vec![
            "report",
            "--days",
            "90",
            "--out",
            report.to_str().expect("utf-8"),
        ],
    ] {
        let out = std::process::Command::new("faketime")
            .arg("2026-12-06 22:30:00")
            .env("TZ", "UTC")
            .arg(env!("CARGO_BIN_EXE_companion"))
            .arg("--db")
            .arg(&db)
            .args(&args)
            .env_remove("COMPANION_DB")
            .env("COMPANION_HOME", home_of(&db))
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let html = std::fs::read_to_string(&report).expect("report");
    assert!(
        html.contains("14 days of sensor data"),
        "a fortnight of sensor data"
    );
    assert!(
        !html.contains("indicative only"),
        "the fortnight is complete"
    );
}
