//! Runs the real `companion` binary on real files.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

pub fn companion(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_companion"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("COMPANION_DB")
        // What is said before a record is open follows the system's language.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .output()
        .expect("run companion")
}

pub fn ok(db: &Path, args: &[&str]) -> String {
    let out = companion(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

pub fn json(db: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).expect("json output")
}

/// Runs a command that must fail: one line on stderr, the given exit code, nothing written.
pub fn refused(db: &Path, args: &[&str], code: i32, needle: &str) {
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

pub fn init(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = dir.path().join("r.db");
    let out = ok(&db, &["init", "--name", "Ana", "--tz", "Europe/Berlin"]);
    assert!(out.starts_with("Created a record for Ana"));
    db
}

/// Adds a medication taken at `times` (`08:00,20:00`) to the record at `db`, started on
/// 1 January 2026 (so that the tests may log its earlier doses).
pub fn add_med(db: &Path, name: &str, dose: &str, times: &str) {
    ok(
        db,
        &[
            "med",
            "add",
            name,
            "--dose",
            dose,
            "--at",
            times,
            "--start",
            "2026-01-01",
        ],
    );
}
