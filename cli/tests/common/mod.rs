//! Runs the real `companion` binary on real files.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

// The record-file helpers the core's tests and the scenarios share.
#[path = "../../../core/tests/common/files.rs"]
mod files;
#[allow(unused_imports)] // only some test files look into files
pub use files::files_holding;

/// The device directory of the test whose record is `db`: `home` beside it.
pub fn home_of(db: &Path) -> std::path::PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("home")
}

pub fn companion(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_companion"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("COMPANION_DB")
        .env("COMPANION_HOME", home_of(db))
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

/// The record file at `db` opened with SQLite itself, with its key from the test's device
/// directory (what someone holding both the file and the device's key store can do).
pub fn sqlite(db: &Path) -> rusqlite::Connection {
    use companion_core::keystore::{FileKeyStore, KeyStore, RecordKeys};
    let store = FileKeyStore::open(&home_of(db)).expect("key store");
    let name = format!(
        "record/{}/file",
        RecordKeys::for_path(std::sync::Arc::new(store.clone()), db).name()
    );
    let conn = rusqlite::Connection::open(db).expect("sqlite");
    if let Some(key) = store.get(&name).expect("key store") {
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        conn.pragma_update(None, "key", format!("x'{hex}'"))
            .expect("key");
    }
    conn
}

/// `companion ARGS` with the device directory `home` and no --db, not started yet.
pub fn device_command(home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_companion"));
    cmd.args(args)
        .env_remove("COMPANION_DB")
        .env("COMPANION_HOME", home)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    cmd
}

/// `companion` with the device directory `home` and no --db.
pub fn on_device(home: &Path, args: &[&str]) -> std::process::Output {
    device_command(home, args).output().expect("run")
}

pub fn on_device_ok(home: &Path, args: &[&str]) -> String {
    let out = on_device(home, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Whether faketime (Debian's package; .ci/run installs it) is here to set one process's
/// clock. In CI its absence is a failure, not a skip.
pub fn faketime_present() -> bool {
    if std::process::Command::new("faketime")
        .arg("--version")
        .output()
        .is_ok()
    {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "faketime is missing in CI"
    );
    eprintln!("faketime is not installed: skipped");
    false
}
