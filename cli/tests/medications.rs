//! `companion med`, `dose` and `journal`.

mod common;

use common::*;

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
            "--start",
            "2026-11-01",
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

/// Issue 13: after 6 of 30 tablets taken, editing the dose turned "24 left" into "27 left".
/// The count follows doses taken and refills only, whatever is edited.
#[test]
fn editing_the_dose_leaves_the_pill_count_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "med",
            "add",
            "Amlodipine",
            "--dose",
            "5 mg",
            "--at",
            "08:00",
            "--inventory",
            "30",
        ],
    );
    // Extra doses, said so: whatever the time of day, none answers the dose of 08:00 (a
    // second take of it would be refused, issue 27).
    for _ in 0..6 {
        ok(&db, &["dose", "take", "amlodipine", "--extra"]);
    }
    assert!(ok(&db, &["med", "supply"]).contains("24 left"));
    ok(&db, &["med", "edit", "amlodipine", "--dose", "10 mg"]);
    let supply = ok(&db, &["med", "supply"]);
    assert!(supply.contains("24 left"), "{supply}");
}

/// Issue 13: who logged a dose (`--by`) and how early or late it was show in `dose list`
/// and `today`. (A medication added now has no dose before now, and the CLI
/// has no clock to turn back: the dose is due in a few minutes and taken early.)
#[test]
fn who_logged_a_dose_and_how_late_it_was_are_shown() {
    use chrono::{Duration, Timelike, Utc};
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let tz: companion_core::zone::Zone = "Europe/Berlin".parse().expect("zone");
    let soon = (Utc::now() + Duration::minutes(3))
        .with_timezone(&tz)
        .fixed_offset();
    let due = soon
        - Duration::seconds(i64::from(soon.second()))
        - Duration::nanoseconds(i64::from(soon.nanosecond()));
    let at = due.format("%H:%M").to_string();
    ok(
        &db,
        &["med", "add", "Amlodipine", "--dose", "5 mg", "--at", &at],
    );
    let taken = (due - Duration::minutes(20)).to_rfc3339();
    ok(
        &db,
        &[
            "dose",
            "take",
            "amlodipine",
            "--scheduled",
            &due.to_rfc3339(),
            "--at",
            &taken,
            "--by",
            "Ben",
        ],
    );
    let list = ok(&db, &["dose", "list"]);
    assert!(
        list.contains("20 min early") && list.contains("by Ben"),
        "{list}"
    );
    let today = ok(&db, &["today"]);
    assert!(today.contains("Done in the last 24 hours"), "{today}");
    assert!(today.contains("20 min early, by Ben"), "{today}");
    // The report covers the past: core/tests/reminders.rs checks it there.
}
