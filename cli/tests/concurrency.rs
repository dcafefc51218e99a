//! Several real `companion` processes editing the same entities at once: every edit that was
//! acknowledged (exit 0) is in the record afterwards.

mod common;

use std::path::{Path, PathBuf};
use std::thread;

use common::*;
use serde_json::Value;

const ROUNDS: usize = 12;

/// Runs `args(i)` for i in 0..ROUNDS; returns the rounds that were acknowledged.
fn writer(
    db: PathBuf,
    args: impl Fn(usize) -> Vec<String> + Send + 'static,
) -> thread::JoinHandle<Vec<usize>> {
    thread::spawn(move || {
        (0..ROUNDS)
            .filter(|&i| {
                let a = args(i);
                let a: Vec<&str> = a.iter().map(String::as_str).collect();
                companion(&db, &a).status.success()
            })
            .collect()
    })
}

fn both(
    db: &Path,
    a: impl Fn(usize) -> Vec<String> + Send + 'static,
    b: impl Fn(usize) -> Vec<String> + Send + 'static,
) -> (Vec<usize>, Vec<usize>) {
    let ta = writer(db.to_path_buf(), a);
    let tb = writer(db.to_path_buf(), b);
    (ta.join().expect("a"), tb.join().expect("b"))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn medication(db: &Path) -> Value {
    json(db, &["med", "list", "--all", "--json"])[0].clone()
}

#[test]
fn concurrent_medication_edits_keep_every_acknowledged_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    let (doses, notes) = both(
        &db,
        |i| {
            strings(&[
                "med",
                "edit",
                "metformin",
                "--dose",
                &format!("{} mg", 600 + i),
            ])
        },
        |i| {
            strings(&[
                "med",
                "edit",
                "metformin",
                "--instructions",
                &format!("note {i}"),
            ])
        },
    );
    assert!(
        !doses.is_empty() && !notes.is_empty(),
        "some edits must be acknowledged"
    );
    let m = medication(&db);
    let last_dose = 600 + doses.last().expect("a dose edit");
    assert_eq!(
        m["dose"]["amount"],
        serde_json::json!(last_dose as f64),
        "{m}"
    );
    assert_eq!(
        m["instructions"],
        format!("note {}", notes.last().expect("a note")),
        "{m}"
    );
}

#[test]
fn pausing_beside_a_dose_edit_keeps_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &["med", "add", "Ramipril", "--dose", "5 mg", "--at", "08:00"],
    );
    let (states, doses) = both(
        &db,
        |i| {
            strings(&[
                "med",
                if i % 2 == 0 { "pause" } else { "resume" },
                "ramipril",
            ])
        },
        |i| {
            strings(&[
                "med",
                "edit",
                "ramipril",
                "--dose",
                &format!("{} mg", 6 + i),
            ])
        },
    );
    let m = medication(&db);
    let last_state = *states.last().expect("a status change");
    let expected = if last_state % 2 == 0 {
        "paused"
    } else {
        "active"
    };
    assert_eq!(m["status"], expected, "{m}");
    let last_dose = 6 + doses.last().expect("a dose edit");
    assert_eq!(
        m["dose"]["amount"],
        serde_json::json!(last_dose as f64),
        "{m}"
    );
    // Every acknowledged pause is in the pause history.
    let pauses = m["pauses"].as_array().map_or(0, Vec::len);
    assert_eq!(pauses, states.iter().filter(|i| *i % 2 == 0).count(), "{m}");
}

#[test]
fn concurrent_profile_edits_keep_every_condition_and_allergy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let (conditions, allergies) = both(
        &db,
        |i| strings(&["profile", "set", "--condition", &format!("condition {i}")]),
        |i| strings(&["profile", "set", "--allergy", &format!("allergy {i}")]),
    );
    let p = json(&db, &["profile", "show", "--json"]);
    for i in conditions {
        assert!(
            p["conditions"]
                .as_array()
                .expect("list")
                .contains(&format!("condition {i}").into()),
            "condition {i}: {p}"
        );
    }
    for i in allergies {
        assert!(
            p["allergies"]
                .as_array()
                .expect("list")
                .contains(&format!("allergy {i}").into()),
            "allergy {i}: {p}"
        );
    }
}

#[test]
fn a_reading_value_and_its_note_edited_at_once_both_stay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "120/80", "--at", "-1h"]);
    let id = json(&db, &["reading", "list", "--json"])["readings"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (id_a, id_b) = (id.clone(), id.clone());
    let (values, notes) = both(
        &db,
        move |i| strings(&["reading", "edit", &id_a, &format!("{}/80", 121 + i)]),
        move |i| strings(&["reading", "edit", &id_b, "--note", &format!("note {i}")]),
    );
    let r = &json(&db, &["reading", "list", "--json"])["readings"][0];
    let sys = 121 + values.last().expect("a value edit");
    assert_eq!(r["measurement"]["systolic"], serde_json::json!(sys), "{r}");
    assert_eq!(
        r["note"],
        format!("note {}", notes.last().expect("a note edit")),
        "{r}"
    );
}

#[test]
fn two_takes_of_one_scheduled_dose_are_both_kept_or_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00");
    let (a, b) = both(
        &db,
        |i| {
            strings(&[
                "dose",
                "take",
                "metformin",
                "--scheduled",
                "08:00",
                "--note",
                &format!("a {i}"),
            ])
        },
        |i| {
            strings(&[
                "dose",
                "take",
                "metformin",
                "--scheduled",
                "08:00",
                "--note",
                &format!("b {i}"),
            ])
        },
    );
    let doses = json(&db, &["dose", "list", "--days", "3", "--json"]);
    let notes: Vec<&str> = doses
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["note"].as_str())
        .collect();
    for i in a {
        assert!(
            notes.contains(&format!("a {i}").as_str()),
            "a {i}: {notes:?}"
        );
    }
    for i in b {
        assert!(
            notes.contains(&format!("b {i}").as_str()),
            "b {i}: {notes:?}"
        );
    }
}
