//! Issue 27: doses and medications a patient can trust. One take per dose, amounts as typed, a
//! past that a home-zone edit does not rewrite, a supply that never goes negative, and the
//! rules of each entity on every path that writes it.

mod common;

use common::*;

fn med(db: &std::path::Path, args: &[&str]) -> String {
    let mut all = vec!["med", "add"];
    all.extend_from_slice(args);
    ok(db, &all)
}

#[test]
fn a_second_take_of_a_taken_dose_is_refused_naming_who_and_when() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    let first = ok(
        &db,
        &["dose", "take", "metformin", "--at", "2026-11-20 08:05"],
    );
    assert!(!first.contains("extra"), "{first}");
    refused(
        &db,
        &["dose", "take", "metformin", "--at", "2026-11-20 08:10"],
        1,
        "already",
    );
    let out = companion(
        &db,
        &["dose", "take", "metformin", "--at", "2026-11-20 08:10"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Ana") && err.contains("08:05"), "{err}");
    // Said so: a second take, or an extra dose.
    let second = ok(
        &db,
        &[
            "dose",
            "take",
            "metformin",
            "--at",
            "2026-11-20 08:10",
            "--confirm",
        ],
    );
    assert!(second.contains("second"), "{second}");
    let extra = ok(
        &db,
        &[
            "dose",
            "take",
            "metformin",
            "--at",
            "2026-11-20 09:00",
            "--extra",
        ],
    );
    assert!(extra.contains("extra"), "{extra}");
    // At 14:30 the morning dose is the one being answered: still refused.
    refused(
        &db,
        &["dose", "take", "metformin", "--at", "2026-11-20 14:30"],
        1,
        "already",
    );
}

#[test]
fn a_weekly_dose_taken_two_days_late_is_that_weeks_dose() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    med(
        &db,
        &[
            "Semaglutide",
            "--dose",
            "0.5 mg",
            "--weekdays",
            "mon",
            "--at",
            "09:00",
            "--start",
            "2026-01-01",
        ],
    );
    let out = ok(
        &db,
        &["dose", "take", "semaglutide", "--at", "2026-11-18 10:00"],
    );
    assert!(!out.contains("extra"), "{out}");
    let doses = json(&db, &["dose", "list", "--days", "60", "--json"]);
    assert_eq!(
        doses[0]["scheduled_at"].as_str(),
        Some("2026-11-16T09:00:00+01:00"),
        "{doses}"
    );
}

#[test]
fn skipping_with_nothing_pending_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    ok(
        &db,
        &["dose", "take", "metformin", "--at", "2026-11-20 08:05"],
    );
    refused(
        &db,
        &["dose", "skip", "metformin", "--at", "2026-11-20 08:30"],
        1,
        "already",
    );
}

#[test]
fn thousands_are_never_read_as_a_decimal_point() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    med(
        &db,
        &[
            "Metformin",
            "--dose",
            "1,000 mg",
            "--at",
            "08:00",
            "--inventory",
            "1,000",
        ],
    );
    let meds = json(&db, &["med", "list", "--json"]);
    assert_eq!(meds[0]["dose"]["amount"].as_f64(), Some(1000.0), "{meds}");
    assert_eq!(
        meds[0]["inventory"]["count"].as_f64(),
        Some(1000.0),
        "{meds}"
    );
    // Both separators: the last one is the decimal mark.
    med(&db, &["Gel", "--dose", "1.000,5 mg", "--at", "09:00"]);
    med(&db, &["Syrup", "--dose", "1 000 mg", "--at", "10:00"]);
    let meds = json(&db, &["med", "list", "--json"]);
    let amount = |name: &str| {
        meds.as_array()
            .expect("list")
            .iter()
            .find(|m| m["name"] == name)
            .and_then(|m| m["dose"]["amount"].as_f64())
    };
    assert_eq!(amount("Gel"), Some(1000.5));
    assert_eq!(amount("Syrup"), Some(1000.0));
    // A decimal comma still reads as one.
    med(&db, &["Drops", "--dose", "2,5 ml", "--at", "11:00"]);
}

#[test]
fn a_home_zone_edit_does_not_rewrite_the_past() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    ok(&db, &["demo", "--days", "30"]);
    let before = json(&db, &["adherence", "--days", "30", "--json"]);
    ok(&db, &["profile", "set", "--tz", "America/New_York"]);
    let after = json(&db, &["adherence", "--days", "30", "--json"]);
    assert_eq!(before, after, "adherence changed with the home zone");
    // The demo's doses were taken: the comparison is over real states, not empty lists.
    assert!(
        after.to_string().matches("\"Taken\"").count() > 10,
        "{after}"
    );
}

#[test]
fn a_multi_tablet_dose_counts_every_tablet_and_the_supply_never_goes_negative() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    med(
        &db,
        &[
            "Paracetamol",
            "--dose",
            "2 tablet",
            "--at",
            "08:00,20:00",
            "--inventory",
            "10",
            "--start",
            "2026-01-01",
        ],
    );
    ok(&db, &["dose", "take", "paracetamol"]);
    let supply = json(&db, &["med", "supply", "--json"]);
    assert_eq!(supply[0]["on_hand"].as_f64(), Some(8.0), "{supply}");
    // Four more doses of two: the supply is empty, never below; the fifth is still logged.
    for _ in 0..3 {
        ok(&db, &["dose", "take", "paracetamol", "--extra"]);
    }
    let last = ok(&db, &["dose", "take", "paracetamol", "--extra"]);
    assert!(last.contains("refill"), "{last}");
    ok(&db, &["dose", "take", "paracetamol", "--extra"]);
    let text = ok(&db, &["med", "supply"]);
    assert!(text.contains("ran out on"), "{text}");
    let supply = json(&db, &["med", "supply", "--json"]);
    assert!(
        supply[0]["on_hand"].as_f64().expect("on hand") >= 0.0,
        "{supply}"
    );
    let reminders = ok(&db, &["reminders", "--hours", "48"]);
    assert!(reminders.contains("out of Paracetamol"), "{reminders}");
}

#[test]
fn correction_paths_keep_the_entry_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    let out = ok(&db, &["reading", "add", "bp", "128/82", "--at", "-1h"]);
    let readings = json(&db, &["reading", "list", "--json"]);
    let id = readings["readings"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert!(out.contains("128/82"), "{out}");
    refused(
        &db,
        &["reading", "edit", &id, "--at", "2030-01-01 08:00"],
        1,
        "future",
    );
    refused(
        &db,
        &["med", "edit", "metformin", "--name", "Met\u{7}formin"],
        1,
        "control",
    );
    refused(
        &db,
        &["appointment", "add", "GP", "--at", "9999-01-01 09:00"],
        1,
        "appointment",
    );
    refused(
        &db,
        &[
            "dose",
            "take",
            "metformin",
            "--scheduled",
            "2029-11-20 08:00",
        ],
        1,
        "scheduled",
    );
    let fresh = dir.path().join("other.db");
    let out = companion(
        &fresh,
        &["init", "--name", "An\u{1b}a", "--tz", "Europe/Berlin"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    refused(
        &db,
        &["targets", "set", "--by", "Dr\u{7}", "--bp", "130/80"],
        1,
        "control",
    );
}

#[test]
fn a_duplicate_medication_name_needs_confirm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    refused(
        &db,
        &[
            "med",
            "add",
            "metformin",
            "--dose",
            "500 mg",
            "--at",
            "12:00",
        ],
        1,
        "--confirm",
    );
    med(
        &db,
        &[
            "metformin",
            "--dose",
            "500 mg",
            "--at",
            "12:00",
            "--confirm",
        ],
    );
    add_med(&db, "Aspirin", "100 mg", "09:00");
    refused(
        &db,
        &["med", "edit", "aspirin", "--name", "Metformin"],
        1,
        "--confirm",
    );
}

#[test]
fn doses_journal_and_appointments_can_be_corrected_by_an_id_prefix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    ok(
        &db,
        &["dose", "take", "metformin", "--at", "2026-11-20 08:05"],
    );
    let doses = json(&db, &["dose", "list", "--days", "30", "--json"]);
    let id = doses[0]["id"].as_str().expect("id").to_string();
    assert_eq!(doses[0]["logged_by"].as_str(), Some("Ana"), "{doses}");
    ok(&db, &["dose", "edit", &id[..8], "--note", "with breakfast"]);
    let doses = json(&db, &["dose", "list", "--days", "30", "--json"]);
    assert_eq!(doses[0]["note"].as_str(), Some("with breakfast"));
    refused(
        &db,
        &["dose", "edit", &id[..8], "--at", "2030-01-01 08:00"],
        1,
        "future",
    );
    ok(&db, &["dose", "delete", &id[..8]]);
    let doses = json(&db, &["dose", "list", "--days", "30", "--json"]);
    assert_eq!(doses.as_array().map(Vec::len), Some(0));

    ok(&db, &["journal", "add", "tired today"]);
    let entries = json(&db, &["journal", "list", "--json"]);
    let jid = entries[0]["id"].as_str().expect("id").to_string();
    ok(
        &db,
        &[
            "journal",
            "edit",
            &jid[..8],
            "--text",
            "tired, better by noon",
        ],
    );
    let entries = json(&db, &["journal", "list", "--json"]);
    assert_eq!(entries[0]["text"].as_str(), Some("tired, better by noon"));
    ok(&db, &["journal", "delete", &jid[..8]]);

    ok(
        &db,
        &[
            "appointment",
            "add",
            "GP check-up",
            "--at",
            "2026-12-20 09:30",
        ],
    );
    let list = json(&db, &["appointment", "list", "--json"]);
    let aid = list[0]["id"].as_str().expect("id").to_string();
    ok(
        &db,
        &["appointment", "edit", &aid[..8], "--at", "2026-12-21 10:00"],
    );
    ok(&db, &["appointment", "cancel", &aid[..8]]);
    let list = json(&db, &["appointment", "list", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
}

#[test]
fn the_as_needed_refusal_names_when_the_next_dose_is_allowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    med(
        &db,
        &[
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
        &["dose", "take", "ibuprofen", "--at", "2026-11-20 08:00"],
    );
    refused(
        &db,
        &["dose", "take", "ibuprofen", "--at", "2026-11-20 10:00"],
        1,
        "16:00",
    );
}
