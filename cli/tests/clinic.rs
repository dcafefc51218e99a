//! `companion fhir export|import` and `companion clinic user|log|serve` run as the real binary on
//! real files: a bundle written and read back, a bad one refused whole with nothing written;
//! a weak password refused; the workspace refusing to start with no staff.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::*;

#[test]
fn a_record_goes_out_as_fhir_and_comes_back_into_a_fresh_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Metformin", "500 mg", "08:00,20:00");
    ok(&db, &["reading", "add", "bp", "142/91"]);
    ok(&db, &["reading", "add", "weight", "84.2"]);
    let bundle = dir.path().join("bundle.json");
    let said = ok(
        &db,
        &["fhir", "export", "--out", bundle.to_str().expect("utf-8")],
    );
    assert!(said.contains("FHIR R4 bundle"), "{said}");
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundle).expect("read")).expect("json");
    assert_eq!(value["resourceType"], "Bundle");
    // Standard output when no --out.
    let printed: serde_json::Value =
        serde_json::from_str(&ok(&db, &["fhir", "export"])).expect("json");
    assert_eq!(
        printed["entry"].as_array().map(Vec::len),
        value["entry"].as_array().map(Vec::len)
    );

    let fresh = dir.path().join("fresh.db");
    ok(
        &fresh,
        &["init", "--name", "Fresh", "--tz", "Europe/Berlin"],
    );
    let said = ok(&fresh, &["fhir", "import", bundle.to_str().expect("utf-8")]);
    assert!(said.contains("1 medication(s) and 2 reading(s)"), "{said}");
    let meds = ok(&fresh, &["med", "list"]);
    assert!(
        meds.contains("Metformin") && meds.contains("08:00, 20:00"),
        "{meds}"
    );
    let again = ok(&fresh, &["fhir", "import", bundle.to_str().expect("utf-8")]);
    assert!(
        again.contains("Imported 0 medication(s) and 0 reading(s)"),
        "{again}"
    );

    // Refused whole, nothing written: an unknown observation code, a file that is not JSON.
    let mut broken = value.clone();
    for entry in broken["entry"].as_array_mut().expect("entries") {
        if entry["resource"]["resourceType"] == "Observation" {
            entry["resource"]["code"]["coding"][0]["code"] = "0000-0".into();
        }
    }
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec(&broken).expect("json")).expect("write");
    let other = dir.path().join("other.db");
    ok(
        &other,
        &["init", "--name", "Other", "--tz", "Europe/Berlin"],
    );
    refused(
        &other,
        &["fhir", "import", bad.to_str().expect("utf-8")],
        1,
        "Observation.code",
    );
    std::fs::write(&bad, b"{").expect("write");
    refused(
        &other,
        &["fhir", "import", bad.to_str().expect("utf-8")],
        1,
        "not JSON",
    );
    refused(
        &other,
        &["fhir", "import", "/nonexistent/bundle.json"],
        1,
        "could not be read",
    );
}

#[test]
fn a_schedule_fhir_cannot_say_refuses_the_export_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "med",
            "add",
            "Vitamin D",
            "--dose",
            "1 tablet",
            "--month-days",
            "1",
            "--at",
            "08:00",
        ],
    );
    let out = companion(&db, &["fhir", "export"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("days_of_month"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn staff_are_added_with_a_password_on_standard_input_and_the_log_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("clinic");
    let add = |name: &str, password: &str| {
        let mut child = device_command(&home, &["clinic", "user", "add", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{password}\n").as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    // No staff yet: the workspace does not start.
    let out = on_device(&home, &["clinic", "serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("clinic user add"));
    let short = add("nurse", "short");
    assert_eq!(short.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10"));
    assert_eq!(on_device_ok(&home, &["clinic", "user", "list"]), "");
    let good = add("dr.lee", "correct horse battery");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert_eq!(on_device_ok(&home, &["clinic", "user", "list"]), "dr.lee\n");
    let bad_name = add("", "correct horse battery");
    assert_eq!(bad_name.status.code(), Some(1));
    // The password is nowhere in the device directory.
    for entry in std::fs::read_dir(&home).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            let bytes = std::fs::read(&path).expect("read");
            assert!(!bytes.windows(12).any(|w| w == b"correct hors"), "{path:?}");
        }
    }
    let log: serde_json::Value =
        serde_json::from_str(&on_device_ok(&home, &["clinic", "log", "--json"])).expect("json");
    assert_eq!(log, serde_json::json!([]));
}
