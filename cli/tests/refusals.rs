//! Bad input prints one line on stderr, exits non-zero and writes nothing.

mod common;

use common::*;

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
