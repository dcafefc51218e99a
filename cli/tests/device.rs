//! The device directory (`$COMPANION_HOME`): the key store beside the record, the owner's only;
//! no patient text in any of its files; a record file copied to another device opens nothing.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

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
            files_holding(dir.path(), marker),
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

#[test]
fn a_device_lists_its_records_and_picks_one_by_name_or_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    assert!(on_device_ok(&home, &["records"]).contains("holds no record yet"));
    let out = on_device(&home, &["today"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("companion init"));

    on_device_ok(&home, &["init", "--name", "Mei", "--tz", "Asia/Shanghai"]);
    // The only record needs no name.
    on_device_ok(&home, &["reading", "add", "bp", "128/82"]);
    on_device_ok(&home, &["init", "--name", "Wei", "--tz", "Asia/Shanghai"]);
    let out = on_device(&home, &["today"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("2 records of this device match: name one with --record"),
        "{stderr}"
    );

    on_device_ok(
        &home,
        &["--record", "wei", "reading", "add", "bp", "131/85"],
    );
    let list = on_device_ok(&home, &["records"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].contains("  Mei  not shared  last sync: never"),
        "{list}"
    );
    assert!(lines[1].contains("  Wei  not shared"), "{list}");
    let wei_id = lines[1].split_whitespace().next().expect("id");
    let readings = on_device_ok(&home, &["--record", &wei_id[..30], "reading", "list"]);
    assert!(
        readings.contains("131/85") && !readings.contains("128/82"),
        "{readings}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&on_device_ok(&home, &["records", "--json"])).expect("json");
    assert_eq!(json[1]["id"], wei_id);
    assert_eq!(json[1]["patient"], "Wei");

    let out = on_device(&home, &["--record", "Nobody", "today"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no record of this device is named Nobody")
    );
    // --record and --db name two different things: refused.
    let out = on_device(&home, &["--record", "Mei", "--db", "x.db", "today"]);
    assert_eq!(out.status.code(), Some(2));
}
