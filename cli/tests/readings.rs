//! `companion reading`: values as people type them, categories and urgent advice, corrections.

mod common;

use common::*;

#[test]
fn readings_are_entered_the_way_people_say_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "reading",
            "add",
            "bp",
            "142/91",
            "--pulse",
            "72",
            "--at",
            "2026-11-20T08:00:00+01:00",
        ],
    );
    ok(
        &db,
        &[
            "reading",
            "add",
            "glucose",
            "6.2",
            "--unit",
            "mmol/L",
            "--context",
            "fasting",
            "--at",
            "2026-11-20T07:00:00+01:00",
        ],
    );
    ok(
        &db,
        &[
            "reading",
            "add",
            "weight",
            "81.5kg",
            "--at",
            "2026-11-20T07:05:00+01:00",
        ],
    );
    ok(
        &db,
        &[
            "reading",
            "add",
            "weight",
            "180lb",
            "--at",
            "2026-11-21T07:05:00+01:00",
        ],
    );
    ok(
        &db,
        &[
            "reading",
            "add",
            "temp",
            "100.4F",
            "--at",
            "2026-11-21T09:00:00+01:00",
        ],
    );
    let list = json(&db, &["reading", "list", "--json"]);
    let readings = list["readings"].as_array().expect("array");
    assert_eq!(readings.len(), 5);
    let bp = readings
        .iter()
        .find(|r| r["measurement"]["kind"] == "blood_pressure")
        .expect("bp");
    assert_eq!(bp["measurement"]["systolic"], 142);
    assert_eq!(bp["measurement"]["pulse"], 72);
    assert_eq!(bp["at"], "2026-11-20T08:00:00+01:00");
    let glucose = readings
        .iter()
        .find(|r| r["measurement"]["kind"] == "glucose")
        .expect("glucose");
    let mg_dl = glucose["measurement"]["mg_dl"].as_f64().expect("number");
    assert!((mg_dl - 6.2 * 18.016).abs() < 1e-9, "{mg_dl}");
    assert_eq!(glucose["entered_unit"], "mmol/L");
    assert_eq!(glucose["measurement"]["context"], "fasting");
    let pounds = readings
        .iter()
        .find(|r| r["entered_unit"] == "lb")
        .expect("lb");
    assert!((pounds["measurement"]["kg"].as_f64().expect("kg") - 81.646_626_6).abs() < 1e-6);

    let text = ok(&db, &["reading", "list", "--kind", "weight"]);
    assert!(
        text.contains("81.6 kg") && text.contains("81.5 kg"),
        "{text}"
    );

    // Paging prints a cursor that continues the listing.
    let page = json(&db, &["reading", "list", "--limit", "2", "--json"]);
    let next = page["next"].as_str().expect("cursor").to_string();
    let rest = json(
        &db,
        &[
            "reading", "list", "--limit", "10", "--after", &next, "--json",
        ],
    );
    assert_eq!(rest["readings"].as_array().expect("array").len(), 3);
    assert!(rest["next"].is_null());
}

#[test]
fn readings_are_corrected_and_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(&db, &["reading", "add", "bp", "142/91"]);
    let list = json(&db, &["reading", "list", "--json"]);
    let id = list["readings"][0]["id"].as_str().expect("id").to_string();
    ok(
        &db,
        &["reading", "edit", &id, "141/90", "--note", "left arm"],
    );
    let list = json(&db, &["reading", "list", "--json"]);
    assert_eq!(list["readings"][0]["measurement"]["systolic"], 141);
    assert_eq!(list["readings"][0]["note"], "left arm");
    refused(
        &db,
        &["reading", "edit", &id, "90/95"],
        1,
        "diastolic pressure must be below systolic",
    );
    ok(&db, &["reading", "delete", &id]);
    assert_eq!(ok(&db, &["reading", "list"]).trim(), "No readings");
    refused(
        &db,
        &["reading", "delete", &id],
        1,
        "no reading with that id",
    );
}

#[test]
fn a_corrected_value_keeps_what_it_does_not_say() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "reading",
            "add",
            "glucose",
            "150",
            "--unit",
            "mg/dL",
            "--context",
            "after-meal",
        ],
    );
    ok(&db, &["reading", "add", "bp", "142/91", "--pulse", "70"]);
    let list = json(&db, &["reading", "list", "--json"]);
    let (bp, glucose) = (
        list["readings"][0]["id"].as_str().expect("id").to_string(),
        list["readings"][1]["id"].as_str().expect("id").to_string(),
    );
    // A typo in the value is corrected; the meal context and the pulse stay.
    ok(
        &db,
        &["reading", "edit", &glucose, "160", "--unit", "mg/dL"],
    );
    ok(&db, &["reading", "edit", &bp, "141/90"]);
    let list = json(&db, &["reading", "list", "--json"]);
    assert_eq!(list["readings"][1]["measurement"]["mg_dl"], 160.0);
    assert_eq!(list["readings"][1]["measurement"]["context"], "after_meal");
    assert_eq!(list["readings"][0]["measurement"]["systolic"], 141);
    assert_eq!(list["readings"][0]["measurement"]["pulse"], 70);
    // Said, they change.
    ok(
        &db,
        &["reading", "edit", &glucose, "95", "--context", "fasting"],
    );
    ok(&db, &["reading", "edit", &bp, "140/90", "--pulse", "66"]);
    let list = json(&db, &["reading", "list", "--json"]);
    assert_eq!(list["readings"][1]["measurement"]["context"], "fasting");
    assert_eq!(list["readings"][0]["measurement"]["pulse"], 66);
}

#[test]
fn readings_print_their_category_and_urgent_advice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let text = ok(&db, &["reading", "add", "bp", "128/82"]);
    assert!(
        text.contains(
            "Category: below the home hypertension threshold (135/85) (ESH 2023, home readings)"
        ),
        "{text}"
    );
    let text = ok(&db, &["reading", "add", "bp", "185/100"]);
    assert!(text.contains("URGENT: Very high blood pressure"), "{text}");
    assert!(text.contains("call emergency services"), "{text}");
    let text = ok(
        &db,
        &["reading", "add", "glucose", "2.9", "--unit", "mmol/L"],
    );
    assert!(
        text.contains("level 2 hypoglycaemia") && text.contains("URGENT: Very low glucose"),
        "{text}"
    );
    // today lists the open alerts; acknowledging one closes it.
    let today = ok(&db, &["today"]);
    assert_eq!(today.matches("URGENT").count(), 2, "{today}");
    let alerts = json(&db, &["alerts", "list", "--json"]);
    let id = alerts[0]["id"].as_str().expect("id").to_string();
    ok(&db, &["alerts", "ack", &id, "--by", "Ben"]);
    assert_eq!(ok(&db, &["today"]).matches("URGENT").count(), 1);
    refused(
        &db,
        &["alerts", "ack", "nope", "--by", "Ben"],
        1,
        "no alert",
    );
}

#[test]
fn times_are_typed_as_people_say_them_in_the_records_zone() {
    use chrono::{Duration, TimeZone, Utc};
    use companion_core::zone::Zone;

    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let berlin = Zone::named("Europe/Berlin").expect("zone");
    let stored_at = |args: &[&str]| -> chrono::DateTime<chrono::FixedOffset> {
        let mut all = vec!["reading", "add", "weight", "80kg"];
        all.extend_from_slice(args);
        ok(&db, &all);
        let list = json(&db, &["reading", "list", "--json", "--limit", "1"]);
        let newest = list["readings"][0]["at"].as_str().expect("at").to_string();
        ok(
            &db,
            &[
                "reading",
                "delete",
                list["readings"][0]["id"].as_str().expect("id"),
            ],
        );
        chrono::DateTime::parse_from_rfc3339(&newest).expect("rfc 3339")
    };
    let now = Utc::now();
    let today = now.with_timezone(&berlin).date_naive();
    let local = |date: chrono::NaiveDate, h: u32, m: u32| {
        berlin
            .from_local_datetime(&date.and_hms_opt(h, m, 0).expect("time"))
            .earliest()
            .expect("exists")
            .fixed_offset()
    };

    let at = stored_at(&["--at", "yesterday 20:00"]);
    assert_eq!(at, local(today - Duration::days(1), 20, 0));
    assert_eq!(
        at.offset(),
        local(today - Duration::days(1), 20, 0).offset(),
        "the home zone's offset"
    );

    let two_hours_ago = stored_at(&["--at", "-2h"]);
    let expected = now - Duration::hours(2);
    assert!(
        (two_hours_ago.to_utc() - expected).num_seconds().abs() < 60,
        "{two_hours_ago}"
    );

    // A bare time is the most recent one: today's if it has passed, else yesterday's.
    let bare = stored_at(&["--at", "00:00"]);
    assert_eq!(bare, local(today, 0, 0));

    let exact = stored_at(&["--at", "2026-11-20T07:30:00-05:00"]);
    assert_eq!(exact.to_rfc3339(), "2026-11-20T07:30:00-05:00");
    let wall = stored_at(&["--at", "2026-11-20 07:30"]);
    assert_eq!(wall.to_rfc3339(), "2026-11-20T07:30:00+01:00");

    refused(
        &db,
        &["reading", "add", "weight", "80kg", "--at", "soon"],
        2,
        "expected a time like 20:00",
    );
    refused(
        &db,
        &[
            "reading",
            "add",
            "weight",
            "80kg",
            "--at",
            "2026-03-29 02:30",
        ],
        2,
        "does not exist in Europe/Berlin",
    );
}

/// `companion reading add ... | head -0`: the reader of the output went away, but the reading
/// was stored, so the command says nothing and succeeds (as `ls | head` does).
#[test]
fn a_closed_pipe_on_stdout_is_no_error_and_the_write_stands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_companion"))
        .arg("--db")
        .arg(&db)
        .args(["reading", "add", "bp", "128/82"])
        .env("COMPANION_HOME", common::home_of(&db))
        .env_remove("COMPANION_DB")
        .stdout(writer)
        .output()
        .expect("run companion");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let readings = json(&db, &["reading", "list", "--json"]);
    assert_eq!(
        readings["readings"].as_array().expect("list").len(),
        1,
        "{readings}"
    );
}
