//! `companion check` and `companion repair` on a record whose index was edited behind its back.

mod common;

use common::*;

#[test]
fn check_finds_an_edited_row_and_repair_puts_it_right() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "152/91", "--at", "-1h"]);
    assert!(ok(&db, &["check"]).contains("nothing wrong"));

    let conn = sqlite(&db);
    conn.execute(
        "UPDATE entries SET body = replace(body, '\"systolic\":152', '\"systolic\":219')",
        [],
    )
    .expect("tamper");
    drop(conn);

    // Not served as fact.
    let out = companion(&db, &["reading", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not match its checksum"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("219"));

    let out = companion(&db, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 index row(s) do not match their checksum"),
        "{text}"
    );
    assert!(text.contains("in: readings"), "{text}");
    assert!(text.contains("companion repair"), "{text}");
    // The first line names the record by its id (random hex, any digits): look past it.
    let without_id: String = text.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert!(text.starts_with("Check of record "), "{text}");
    assert!(
        !without_id.contains("219") && !without_id.contains("152"),
        "no values: {text}"
    );

    let out = companion(&db, &["check", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["bad_checksums"], 1);

    let text = ok(&db, &["repair"]);
    assert!(
        text.contains("Rebuilt the index from the documents"),
        "{text}"
    );
    assert!(ok(&db, &["reading", "list"]).contains("152/91 mmHg"));
    assert!(ok(&db, &["check"]).contains("nothing wrong"));
}

/// Damage found by one process stops writes in every later one, until `repair`.
#[test]
fn damage_found_is_remembered_by_the_file_until_repair() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "152/91", "--at", "-1h"]);
    let conn = sqlite(&db);
    conn.execute(
        "UPDATE entries SET body = replace(body, '\"systolic\":152', '\"systolic\":219')",
        [],
    )
    .expect("tamper");
    drop(conn);
    let out = companion(&db, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    // Another process, another write: refused, nothing written.
    let out = companion(&db, &["reading", "add", "bp", "130/80"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a write after the damage was found"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("repair"), "{stderr}");
    ok(&db, &["repair"]);
    ok(&db, &["reading", "add", "bp", "130/80"]);
    assert!(ok(&db, &["check", "--full"]).contains("nothing wrong"));
}
