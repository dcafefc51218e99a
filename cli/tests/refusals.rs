//! Bad input prints one line on stderr, exits non-zero and writes nothing.

mod common;

use common::*;
use std::os::unix::fs::FileTypeExt;

#[test]
fn bad_input_is_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00");
    // A second medication of the same name needs --confirm (issue 27).
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
            "--start",
            "2026-01-01",
            "--confirm",
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
fn argument_errors_name_every_missing_argument() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    refused(&db, &["reading", "add"], 2, "<KIND> <VALUE>");
    refused(&db, &["reading", "add", "bp"], 2, "not provided: <VALUE>");
    refused(
        &db,
        &["reading", "add", "bp"],
        2,
        "usage: companion reading add <KIND> <VALUE>",
    );
}

#[test]
fn an_empty_record_path_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (env, args) in [(Some(""), vec!["today"]), (None, vec!["--db", "", "today"])] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_companion"));
        cmd.current_dir(dir.path())
            .args(&args)
            .env_remove("COMPANION_DB");
        if let Some(value) = env {
            cmd.env("COMPANION_DB", value);
        }
        let out = cmd.output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let said = if env.is_some() {
            "the record path is empty"
        } else {
            "--db <PATH>"
        };
        assert!(stderr.contains(said), "{stderr}");
        assert!(!stderr.contains("damaged"), "{stderr}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "nothing created"
    );
}

#[test]
fn a_read_only_record_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "120/80"]);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let before = std::fs::read(&db).expect("read");
    // Root may write anything: run as nobody then (setpriv is in util-linux), whose device
    // directory (its key store) this is.
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if root {
        for path in [home_of(&db), home_of(&db).join("keys.json")] {
            std::os::unix::fs::chown(path, Some(65534), Some(65534)).expect("chown");
        }
    }
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_companion"));
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_companion"))
    };
    let out = cmd
        .arg("--db")
        .arg(&db)
        .arg("today")
        .env_remove("COMPANION_DB")
        .env("COMPANION_HOME", home_of(&db))
        .output()
        .expect("run");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod back");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("is read-only"), "{stderr}");
    assert!(!stderr.contains("ReadOnly"), "{stderr}");
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "the file is unchanged"
    );
}

/// Runs `args` on `file` and checks the command was refused and the file is byte-identical.
fn refused_untouched(file: &std::path::Path, args: &[&str], needle: &str) {
    let before = std::fs::read(file).expect("read");
    let out = companion(file, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} must be refused");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert_eq!(
        std::fs::read(file).expect("read"),
        before,
        "{args:?} changed the file"
    );
}

#[test]
fn a_file_that_is_not_a_record_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Another program's SQLite database.
    let other = dir.path().join("other.sqlite");
    let conn = rusqlite::Connection::open(&other).expect("sqlite");
    conn.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me');")
        .expect("other app's data");
    drop(conn);
    for args in [
        &["today"][..],
        &["reading", "add", "bp", "120/80"],
        &["init", "--name", "Ana", "--tz", "Europe/Berlin"],
    ] {
        refused_untouched(&other, args, "not a Companion record");
    }
    // An empty file.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("touch");
    for args in [
        &["today"][..],
        &["init", "--name", "Ana", "--tz", "Europe/Berlin"],
    ] {
        refused_untouched(&empty, args, "not a Companion record");
    }
    // Text.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, b"shopping list").expect("write");
    refused_untouched(&text, &["today"], "not a Companion record");
}

#[test]
fn an_output_onto_the_record_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "120/80"]);
    let record = db.to_str().expect("utf-8").to_string();
    for out in [
        record.clone(),
        format!("{record}-wal"),
        format!("{record}-shm"),
    ] {
        let before = std::fs::read(&db).expect("read");
        refused(&db, &["report", "--out", &out], 1, "the record itself");
        refused(
            &db,
            &["export", "--json", "--out", &out],
            1,
            "the record itself",
        );
        assert_eq!(std::fs::read(&db).expect("read"), before);
    }
    // The same file by another name.
    let other_name = dir.path().join(".").join("r.db");
    refused(
        &db,
        &["report", "--out", other_name.to_str().expect("utf-8")],
        1,
        "the record itself",
    );
    // Elsewhere is fine.
    let report = dir.path().join("report.html");
    ok(&db, &["report", "--out", report.to_str().expect("utf-8")]);
    let export = dir.path().join("export.json");
    ok(
        &db,
        &["export", "--json", "--out", export.to_str().expect("utf-8")],
    );
    assert!(
        std::fs::read_to_string(&export)
            .expect("export")
            .contains("\"readings\"")
    );
}

#[test]
fn a_clock_before_1970_or_far_ahead_is_a_clear_error_and_writes_nothing() {
    if !faketime_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |when: &str, db: &std::path::Path, args: &[&str]| {
        std::process::Command::new("faketime")
            .arg(when)
            .arg(env!("CARGO_BIN_EXE_companion"))
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("COMPANION_DB")
            .env("COMPANION_HOME", home_of(db))
            .output()
            .expect("run")
    };
    let fresh = dir.path().join("fresh.db");
    let out = run(
        "1969-07-20 20:17:00",
        &fresh,
        &["init", "--name", "Ana", "--tz", "Europe/Berlin"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "no panic: {stderr}");
    assert!(stderr.contains("clock"), "{stderr}");
    assert!(!fresh.exists(), "no record begun with a broken clock");

    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00");
    let before = std::fs::read(&db).expect("read");
    for when in ["1969-07-20 20:17:00", "2300-01-01 00:00:00"] {
        for args in [
            &["today"][..],
            &["reading", "add", "bp", "120/80"],
            &["dose", "take", "metformin"],
            &["med", "add", "Ramipril", "--dose", "5 mg", "--at", "08:00"],
            &["reminders"],
        ] {
            let out = run(when, &db, args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{when} {args:?}: {stderr}");
            assert!(
                stderr.contains("the device's clock is not set"),
                "{when} {args:?}: {stderr}"
            );
            assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        }
    }
    assert_eq!(std::fs::read(&db).expect("read"), before, "nothing written");
}

/// Issue 15: no event dated before 1900 or ahead of the clock, no birth date in the future, no
/// control characters in names and notes; each refusal one clear line, nothing written.
#[test]
fn times_dates_and_texts_out_of_bounds_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    for at in [
        "9999-01-01T08:00:00+01:00",
        "1899-12-31T08:00:00+01:00",
        "2099-06-01T08:00:00+01:00",
    ] {
        refused(
            &db,
            &["reading", "add", "bp", "120/80", "--at", at],
            1,
            if at.starts_with("1899") {
                "dated before 1900"
            } else {
                "dated more than 5 minutes in the future"
            },
        );
    }
    refused(
        &db,
        &["profile", "set", "--birth-date", "2099-01-01"],
        1,
        "birth date: must be a past date",
    );
    refused(
        &db,
        &["journal", "add", "felt \u{7}dizzy"],
        1,
        "control character",
    );
    refused(
        &db,
        &[
            "med",
            "add",
            "Bad\u{1b}[31m",
            "--dose",
            "5 mg",
            "--at",
            "08:00",
        ],
        1,
        "control character",
    );
    ok(&db, &["journal", "add", "two\nlines are fine"]);
}

/// Every number flag at its extremes: a refusal or a result, never a panic (exit 101).
#[test]
fn number_flags_at_their_extremes_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00");
    ok(&db, &["reading", "add", "bp", "142/91"]);
    let report = dir.path().join("r.html");
    let report = report.to_str().expect("utf-8");
    for n in ["0", "1", "100000000", "4294967295", "18446744073709551615"] {
        for args in [
            &["reminders", "--hours", n][..],
            &["reminders", "--max", n],
            &["adherence", "--days", n],
            &["stats", "--days", n],
            &["report", "--days", n, "--out", report],
            &["alerts", "list", "--days", n],
            &["dose", "list", "--days", n],
            &["reading", "list", "--days", n],
            &["reading", "list", "--limit", n],
            &["journal", "list", "--days", n],
            &[
                "dose",
                "snooze",
                "Metformin",
                "--scheduled",
                "today 08:00",
                "--minutes",
                n,
            ],
            &["med", "edit", "Metformin", "--refill-days", n],
            &["med", "edit", "Metformin", "--grace-min", n],
        ] {
            let out = companion(&db, args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_ne!(out.status.code(), Some(101), "{args:?} panicked: {err}");
            assert!(!err.contains("panicked"), "{args:?}: {err}");
        }
        let demo = dir.path().join(format!("demo-{n}.db"));
        let out = companion(&demo, &["demo", "--days", n]);
        assert_ne!(out.status.code(), Some(101), "demo --days {n}");
    }
}

/// `--out` writes a new file or replaces a regular one; it never replaces a device, a pipe or
/// what a symbolic link points to, unless `--follow` says to write through the link.
#[test]
fn out_never_replaces_what_is_not_a_regular_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "142/91"]);
    let target = dir.path().join("notes.txt");
    std::fs::write(&target, "keep me").expect("write");
    let link = dir.path().join("link.html");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let link_s = link.to_str().expect("utf-8");
    let fifo_s = fifo.to_str().expect("utf-8");
    for out in [link_s, fifo_s] {
        for args in [
            &["report", "--out", out][..],
            &["export", "--json", "--out", out],
            &["replica", "export", "--out", out],
        ] {
            refused(&db, args, 1, "not a regular file");
        }
    }
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep me");
    assert!(
        link.symlink_metadata()
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::metadata(&fifo)
            .expect("fifo")
            .file_type()
            .is_fifo()
    );
    // Through the link, when asked.
    ok(&db, &["export", "--json", "--out", link_s, "--follow"]);
    assert!(
        link.symlink_metadata()
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .expect("read")
            .contains("readings")
    );
    // A new path and a regular file are written as before.
    let new = dir.path().join("new.html");
    ok(&db, &["report", "--out", new.to_str().expect("utf-8")]);
    ok(&db, &["report", "--out", new.to_str().expect("utf-8")]);
}

#[test]
fn an_invite_to_no_relay_says_nothing_was_shared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    refused(
        &db,
        &[
            "invite",
            "--yes",
            "--role",
            "caregiver",
            "--relay",
            "http://127.0.0.1:9",
        ],
        1,
        "the record is not shared and nothing was written",
    );
    refused(&db, &["members"], 1, "not shared yet");
}

/// A negative number typed for a number is refused for what it is, not with the parser's
/// advice to write `-- -5` (which does not work for an option's value).
#[test]
fn a_negative_number_is_refused_as_a_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00");
    for args in [
        &["med", "edit", "Metformin", "--inventory", "-5"][..],
        &["reading", "add", "weight", "-5"],
        &["stats", "--days", "-5"],
    ] {
        let out = companion(&db, args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("-- -5"), "{args:?}: {err}");
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
    }
}
