//! Units as patients type them: the record's own glucose unit, comma decimals, dose amounts,
//! and units that do not belong to a reading kind.

mod common;

use common::*;

fn record(dir: &tempfile::TempDir, tz: &str, lang: &str) -> std::path::PathBuf {
    let db = dir.path().join(format!("{}.db", tz.replace('/', "-")));
    ok(&db, &["init", "--name", "Ana", "--tz", tz, "--lang", lang]);
    db
}

fn last_value(db: &std::path::Path) -> serde_json::Value {
    let list = json(db, &["reading", "list", "--json"]);
    list["readings"][0]["measurement"].clone()
}

#[test]
fn the_glucose_unit_follows_the_records_language_and_region() {
    let dir = tempfile::tempdir().expect("tempdir");
    // China, like most of Europe, uses mmol/L: 12 is a high reading, not an emergency low.
    let zh = record(&dir, "Asia/Shanghai", "zh-Hans");
    let out = ok(&zh, &["reading", "add", "glucose", "12"]);
    assert!(!out.contains("URGENT"), "{out}");
    // In the record's language (issue 34).
    assert!(out.contains("1 级高血糖（> 10.0 mmol/L）"), "{out}");
    assert!(out.contains("12.0 mmol/L（随机）"), "{out}");
    assert!(!out.contains("mg/dL"), "{out}");
    let mg_dl = last_value(&zh)["mg_dl"].as_f64().expect("mg/dL");
    assert!((mg_dl - 12.0 * 18.016).abs() < 1e-9, "{mg_dl}");
    let london = record(&dir, "Europe/London", "en");
    let out = ok(&london, &["reading", "add", "glucose", "6,2"]);
    assert!(out.contains("6.2 mmol/L"), "{out}");
    let new_york = record(&dir, "America/New_York", "en");
    let out = ok(&new_york, &["reading", "add", "glucose", "112"]);
    assert!(out.contains("112 mg/dL"), "{out}");
}

#[test]
fn a_bare_number_extreme_in_the_records_unit_is_a_question() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mmol = record(&dir, "Asia/Shanghai", "zh-Hans");
    refused(
        &mmol,
        &["reading", "add", "glucose", "120"],
        2,
        // The record is in Chinese: so is the question (issue 34).
        "您是指 120 mg/dL（6.7 mmol/L）吗",
    );
    refused(
        &mmol,
        &["reading", "add", "glucose", "120"],
        2,
        "--unit mg/dL",
    );
    let mg = record(&dir, "America/New_York", "en");
    refused(
        &mg,
        &["reading", "add", "glucose", "6.2"],
        2,
        "6.2 mmol/L (112 mg/dL)",
    );
    // With the unit said, both are stored as typed.
    ok(
        &mg,
        &["reading", "add", "glucose", "6.2", "--unit", "mmol/L"],
    );
    ok(&mmol, &["reading", "add", "glucose", "120mg/dL"]);
    // A real emergency in the record's unit is stored and flagged, not questioned.
    let out = ok(&mg, &["reading", "add", "glucose", "45"]);
    assert!(out.contains("URGENT"), "{out}");
}

#[test]
fn comma_decimals_are_read_as_decimals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = record(&dir, "Europe/Berlin", "en");
    ok(&db, &["reading", "add", "weight", "81,5kg"]);
    assert_eq!(last_value(&db)["kg"].as_f64(), Some(81.5));
    ok(&db, &["reading", "add", "temp", "38,2"]);
    assert_eq!(last_value(&db)["celsius"].as_f64(), Some(38.2));
    ok(
        &db,
        &["reading", "add", "glucose", "6,2", "--unit", "mmol/L"],
    );
    let mg_dl = last_value(&db)["mg_dl"].as_f64().expect("mg/dL");
    assert!((mg_dl - 6.2 * 18.016).abs() < 1e-9);
    refused(&db, &["reading", "add", "weight", "81,5,2"], 2, "number");
}

#[test]
fn dose_amounts_are_a_number_and_a_known_unit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = record(&dir, "Europe/Berlin", "en");
    for (typed, amount, unit) in [
        ("2,5 mg", 2.5, "mg"),
        ("1/2 tablet", 0.5, "tablet"),
        ("½ tablet", 0.5, "tablet"),
        ("1½ tablets", 1.5, "tablets"),
        ("10 units", 10.0, "units"),
    ] {
        // The same name each time: --confirm says it is meant.
        ok(
            &db,
            &[
                "med",
                "add",
                "M",
                "--dose",
                typed,
                "--at",
                "08:00",
                "--confirm",
            ],
        );
        let meds = json(&db, &["med", "list", "--json"]);
        let dose = &meds.as_array().expect("list").last().expect("a med")["dose"];
        assert_eq!(dose["amount"].as_f64(), Some(amount), "{typed}");
        assert_eq!(dose["unit"].as_str(), Some(unit), "{typed}");
    }
    refused(
        &db,
        &["med", "add", "M", "--dose", "500 zz", "--at", "08:00"],
        1,
        "unit",
    );
    refused(
        &db,
        &["med", "add", "M", "--dose", "1/0 tablet", "--at", "08:00"],
        1,
        "dose",
    );
}

#[test]
fn a_unit_that_does_not_belong_to_the_reading_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = record(&dir, "Europe/Berlin", "en");
    refused(
        &db,
        &["reading", "add", "bp", "142/91", "--unit", "kg"],
        2,
        "mmHg",
    );
    refused(
        &db,
        &["reading", "add", "spo2", "97", "--unit", "kg"],
        2,
        "%",
    );
    refused(&db, &["reading", "add", "weight", "80mmHg"], 2, "kg or lb");
    ok(&db, &["reading", "add", "bp", "142/91", "--unit", "mmHg"]);
}

#[test]
fn targets_are_set_and_shown_in_the_records_units() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = record(&dir, "Asia/Shanghai", "zh-Hans");
    ok(
        &db,
        &[
            "targets",
            "set",
            "--by",
            "Dr Li",
            "--pre-meal",
            "4,4-7,2",
            "--post-meal",
            "10",
            "--spo2-scale",
            "2",
        ],
    );
    let t = json(&db, &["targets", "show", "--json"]);
    let low = t["glucose"]["pre_meal_low"].as_f64().expect("low");
    assert!((low - 4.4 * 18.016).abs() < 1e-9, "{low}");
    let shown = ok(&db, &["targets", "show"]);
    // The record is in Chinese: so is what it prints, its times on the patient's clock.
    assert!(shown.contains("4.4 mmol/L 至 7.2 mmol/L"), "{shown}");
    assert!(shown.contains("餐后低于 10.0 mmol/L"), "{shown}");
    assert!(shown.contains("第 2 量表"), "{shown}");
    assert!(shown.contains("+08:00 设定"), "{shown}");
    assert!(!shown.contains("mg/dL"), "{shown}");
    // SpO2 88 % is this patient's target, not a red flag.
    let out = ok(&db, &["reading", "add", "spo2", "88"]);
    assert!(!out.contains("URGENT"), "{out}");
}
