//! `companion replica export/join/merge` as a patient and a caregiver use them: the real binary
//! on real files, two devices writing offline, the double-logged dose, and the refusals.

mod common;

use common::{add_med, init, json, ok, refused};

#[test]
fn a_caregiver_joins_both_write_offline_and_the_merges_agree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let phone = init(&dir);
    add_med(&phone, "Metformin", "500 mg", "08:00,20:00");
    let export = dir.path().join("ana.replica");
    let e = export.to_str().expect("path");
    assert!(ok(&phone, &["replica", "export", "--out", e]).starts_with("Exported record"));
    let carer = dir.path().join("carer.db");
    assert!(ok(&carer, &["replica", "join", e]).starts_with("Joined record"));
    assert_eq!(
        json(&carer, &["export", "--json"]),
        json(&phone, &["export", "--json"]),
        "the joined replica holds the record"
    );

    // Offline: a reading each in a month new to both, and the same evening dose twice.
    ok(
        &phone,
        &[
            "reading",
            "add",
            "bp",
            "142/91",
            "--at",
            "2026-10-03T08:00:00+02:00",
        ],
    );
    ok(
        &carer,
        &[
            "reading",
            "add",
            "weight",
            "81.5kg",
            "--at",
            "2026-10-03T09:00:00+02:00",
        ],
    );
    let dose = |by: &str, at: &str| {
        vec![
            "dose",
            "take",
            "Metformin",
            "--scheduled",
            "2026-10-03T20:00:00+02:00",
            "--at",
            at,
            "--by",
            by,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let args = dose("Ana", "2026-10-03T20:05:00+02:00");
    ok(&phone, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let args = dose("Ben", "2026-10-03T20:12:00+02:00");
    ok(&carer, &args.iter().map(String::as_str).collect::<Vec<_>>());

    let from_carer = dir.path().join("ben.replica");
    let f = from_carer.to_str().expect("path");
    ok(&carer, &["replica", "export", "--out", f]);
    let report = json(&phone, &["replica", "merge", f, "--json"]);
    assert_eq!(report["added"], 2, "{report}");
    assert_eq!(report["alerts_raised"], 1, "{report}");
    assert!(ok(&phone, &["replica", "merge", f]).starts_with("Nothing new"));
    ok(&phone, &["replica", "export", "--out", e]);
    let back = json(&carer, &["replica", "merge", e, "--json"]);
    assert_eq!(
        back["alerts_raised"], 0,
        "raised once: it came with the phone's changes"
    );

    assert_eq!(
        json(&carer, &["export", "--json"]),
        json(&phone, &["export", "--json"])
    );
    for db in [&phone, &carer] {
        let alerts = json(db, &["alerts", "list", "--days", "3650", "--json"]);
        let doubles: Vec<_> = alerts
            .as_array()
            .expect("list")
            .iter()
            .filter(|a| a["kind"] == "dose_logged_twice")
            .collect();
        assert_eq!(doubles.len(), 1, "{alerts}");
        let advice = doubles[0]["advice"].as_str().expect("advice");
        assert!(advice.contains("Ana") && advice.contains("Ben"), "{advice}");
        let listed = ok(db, &["alerts", "list", "--days", "3650"]);
        assert!(
            listed.contains("Dose logged twice") && listed.contains("by Ben at 20:12"),
            "{listed}"
        );
        assert!(ok(db, &["check"]).contains("nothing wrong"));
    }
    // Both doses are kept for the record, and the dose counts once.
    let doses = json(&phone, &["dose", "list", "--days", "3650", "--json"]);
    assert_eq!(doses.as_array().expect("doses").len(), 2);
}

#[test]
fn a_second_take_is_refused_unless_confirmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    let take = [
        "dose",
        "take",
        "Metformin",
        "--scheduled",
        "2026-11-20T20:00:00+01:00",
        "--at",
    ];
    let first: Vec<&str> = take
        .iter()
        .copied()
        .chain(["2026-11-20T20:05:00+01:00", "--by", "Ana"])
        .collect();
    ok(&db, &first);
    let again: Vec<&str> = take
        .iter()
        .copied()
        .chain(["2026-11-20T20:30:00+01:00", "--by", "Ben"])
        .collect();
    refused(
        &db,
        &again,
        1,
        "already logged as taken by Ana at 2026-11-20 20:05",
    );
    let confirmed: Vec<&str> = again.iter().copied().chain(["--confirm"]).collect();
    ok(&db, &confirmed);
    let doses = json(&db, &["dose", "list", "--days", "3650", "--json"]);
    let doses = doses.as_array().expect("doses");
    assert_eq!(doses.len(), 2);
    assert!(
        doses.iter().any(|d| d["confirmed_double"] == true),
        "recorded"
    );
}

#[test]
fn exports_of_another_record_damaged_files_and_taken_paths_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let phone = init(&dir);
    ok(&phone, &["reading", "add", "bp", "130/85"]);
    let export = dir.path().join("ana.replica");
    let e = export.to_str().expect("path");
    ok(&phone, &["replica", "export", "--out", e]);

    let stranger = dir.path().join("stranger.db");
    ok(
        &stranger,
        &["init", "--name", "Bo", "--tz", "Asia/Shanghai"],
    );
    refused(
        &stranger,
        &["replica", "merge", e],
        1,
        "holds another record",
    );

    let bytes = std::fs::read(&export).expect("read");
    let cut = dir.path().join("cut.replica");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let mut flipped = bytes.clone();
    let i = bytes.len() / 3;
    flipped[i] ^= 1;
    let altered = dir.path().join("altered.replica");
    std::fs::write(&altered, &flipped).expect("write");
    for bad in [&cut, &altered, &dir.path().join("r.db")] {
        let b = bad.to_str().expect("path");
        refused(
            &phone,
            &["replica", "merge", b],
            1,
            "not a readable replica export",
        );
        let new = dir.path().join("new.db");
        let out = common::companion(&new, &["replica", "join", b]);
        assert_eq!(out.status.code(), Some(1));
        assert!(!new.exists(), "no record is created from {b}");
    }
    refused(
        &phone,
        &["replica", "merge", "missing.replica"],
        1,
        "cannot read the replica export",
    );
    let out = common::companion(&stranger, &["replica", "join", e]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    // The export is refused onto the record itself.
    refused(
        &phone,
        &["replica", "export", "--out", phone.to_str().expect("p")],
        1,
        "record itself",
    );
}
