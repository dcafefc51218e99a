//! The device directory (`$COMPANION_HOME`): the key store beside the record, the owner's only;
//! no patient text in any of its files; a record file copied to another device opens nothing.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

/// The files of `dir` (and below) that hold `needle`.
fn holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            hits.extend(holding(&path, needle));
        } else if std::fs::read(&path)
            .expect("read")
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
}

#[test]
fn the_device_directory_holds_no_patient_text_and_is_the_owners_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("record.db");
    ok(
        &db,
        &["init", "--name", "Marker-Old-Qz", "--tz", "Europe/Berlin"],
    );
    ok(&db, &["profile", "set", "--name", "Marker-Name-Qz"]);
    ok(&db, &["profile", "set", "--allergy", "marker-allergy-qz"]);
    ok(&db, &["journal", "add", "marker-journal-qz"]);
    add_med(&db, "Markermed-Qz", "500 mg", "08:00");
    ok(
        &db,
        &["reading", "add", "bp", "150/95", "--note", "marker-note-qz"],
    );
    let home = home_of(&db);
    for marker in [
        "Marker-Old-Qz",
        "Marker-Name-Qz",
        "marker-allergy-qz",
        "marker-journal-qz",
        "Markermed-Qz",
        "marker-note-qz",
    ] {
        // The record, its -wal and -shm, and the device directory with its key store.
        assert_eq!(
            holding(dir.path(), marker),
            Vec::<String>::new(),
            "{marker}"
        );
    }
    assert_eq!(mode(&home), 0o700, "the device directory");
    assert_eq!(mode(&home.join("keys.json")), 0o600, "the key store");
    assert_eq!(mode(&db), 0o600, "the record file");
}

#[test]
fn a_record_file_copied_to_another_device_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "150/95"]);
    let other = tempfile::tempdir().expect("other device");
    let copy = other.path().join("r.db");
    std::fs::copy(&db, &copy).expect("copy");
    let before = std::fs::read(&copy).expect("read");
    for args in [
        &["today"][..],
        &["reading", "add", "bp", "120/80"],
        &["export", "--json"],
    ] {
        let out = companion(&copy, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("the record file is encrypted; this device has no key for it"),
            "{stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
    assert_eq!(
        std::fs::read(&copy).expect("read"),
        before,
        "nothing written"
    );
    // The device that made it still opens it.
    assert!(ok(&db, &["reading", "list"]).contains("150/95"));
}
