//! `companion journey`, `today`, `ask`, `appointment` and `plan`, as a patient types them.

mod common;

use common::*;

#[test]
fn a_patient_starts_a_journey_reads_a_card_and_sees_it_on_today() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let list = ok(&db, &["journey", "list"]);
    for id in [
        "hypertension-12w",
        "type2-diabetes-90d",
        "surgery-recovery-6w",
    ] {
        assert!(list.contains(id), "{list}");
    }
    let out = ok(&db, &["journey", "start", "hypertension-12w"]);
    assert!(out.starts_with("Started "), "{out}");
    refused(
        &db,
        &["journey", "start", "hypertension-12w"],
        1,
        "already exists",
    );
    refused(
        &db,
        &["journey", "start", "no-such"],
        1,
        "no journey template",
    );

    let today = ok(&db, &["today"]);
    assert!(today.contains("Stage 1 of 4"), "{today}");
    assert!(today.contains("To read:"), "{today}");
    assert!(today.contains("Source: "), "{today}");
    let status = json(&db, &["journey", "status", "--json"]);
    let cards = status[0]["unread_cards"].as_array().expect("cards").clone();
    let card = cards[0]["id"].as_str().expect("card id");
    let read = ok(&db, &["journey", "read", card]);
    assert!(read.contains("Source: "), "{read}");
    let status = json(&db, &["journey", "status", "--json"]);
    assert_eq!(
        status[0]["unread_cards"].as_array().expect("cards").len(),
        cards.len() - 1
    );
    refused(&db, &["journey", "read", "no-such-card"], 1, "no card");

    // The stage entered is recorded in the record (so a caregiver sees it after sync).
    let export = json(&db, &["export", "--json"]);
    let steps = export["journey_steps"].as_array().expect("steps");
    assert!(
        steps
            .iter()
            .any(|s| s["kind"] == "stage" && s["key"] == "learn")
    );
    assert!(steps.iter().any(|s| s["kind"] == "card_read"));

    let today = json(&db, &["today", "--json"]);
    for key in [
        "due",
        "upcoming",
        "missed",
        "done",
        "measurements_due",
        "journeys",
        "next_appointment",
        "adherence_week",
        "profile_prompt",
    ] {
        assert!(today.get(key).is_some(), "{key} missing: {today}");
    }
    assert_eq!(today["profile_prompt"], "allergies");
    // "No known allergies" is an answer: the prompt moves on, one item at a time; what is
    // entered later wins over the "none".
    assert!(ok(&db, &["profile", "show"]).contains("Allergies:   not recorded"));
    ok(&db, &["profile", "set", "--none", "allergies"]);
    assert!(ok(&db, &["profile", "show"]).contains("Allergies:   none known"));
    // The visit report says which item is answered "none" in the clinician's words: in Chinese
    // "no known allergies" is one phrase (无已知过敏), and an item never asked is "not recorded".
    let zh = db.with_file_name("none-known-zh.html");
    ok(
        &db,
        &[
            "report",
            "--out",
            zh.to_str().expect("path"),
            "--lang",
            "zh-Hans",
        ],
    );
    let html = std::fs::read_to_string(&zh).expect("report");
    assert!(html.contains("<dd>无已知过敏</dd>"), "{html}");
    assert!(html.contains("<dd>未记录</dd>"), "{html}");
    let today = json(&db, &["today", "--json"]);
    assert_ne!(today["profile_prompt"], "allergies", "{today}");
    ok(
        &db,
        &[
            "profile",
            "set",
            "--none",
            "medications",
            "--none",
            "conditions",
        ],
    );
    assert!(json(&db, &["today", "--json"])["profile_prompt"].is_null());
    ok(&db, &["profile", "set", "--allergy", "penicillin"]);
    assert!(ok(&db, &["profile", "show"]).contains("Allergies:   penicillin"));
    refused(
        &db,
        &["profile", "set", "--none", "pets"],
        2,
        "invalid value",
    );

    ok(&db, &["journey", "stop", "hypertension-12w"]);
    refused(
        &db,
        &["journey", "stop", "hypertension-12w"],
        1,
        "no journey",
    );
    assert!(!ok(&db, &["today"]).contains("Stage 1 of 4"));
}

#[test]
fn findrisc_with_answers_as_flags_interactively_and_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let flags = [
        "ask",
        "findrisc",
        "--age",
        "over-64",
        "--bmi",
        "over-30",
        "--waist",
        "high",
        "--active",
        "no",
        "--vegetables",
        "not-every-day",
        "--bp-medication",
        "yes",
        "--high-glucose",
        "yes",
        "--family",
        "first-degree",
    ];
    let out = ok(&db, &flags);
    assert!(out.contains("26 points"), "{out}");
    assert!(out.contains("see your doctor"), "{out}");
    assert!(out.contains("Source: "), "{out}");
    let mut as_json = flags.to_vec();
    as_json.push("--json");
    let response = json(&db, &as_json);
    assert_eq!(response["band"], "very-high");
    assert_eq!(response["see_doctor"], true);

    // Interactively: option numbers, a wrong answer asked again.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_companion"))
        .arg("--db")
        .arg(&db)
        .args(["ask", "findrisc"])
        .env("COMPANION_HOME", common::home_of(&db))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let stdin = child.stdin.as_mut().expect("stdin");
        stdin
            .write_all(b"1\n1\n7\n1\n1\n1\n1\n1\n1\n")
            .expect("answers");
    }
    let out = child.wait_with_output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Please answer"), "{text}");
    assert!(text.contains(": 0 points"), "{text}");

    refused(&db, &["ask", "findrisc", "--age", "77"], 2, "--age");
    refused(
        &db,
        &["ask", "findrisc", "--shoe-size", "44"],
        2,
        "no question",
    );
    refused(&db, &["ask", "gad7"], 2, "no questionnaire");
    refused(
        &db,
        &["ask", "findrisc", "--age", "over-64"],
        1,
        "no answer for",
    );
    let export = json(&db, &["export", "--json"]);
    assert_eq!(
        export["questionnaire_responses"]
            .as_array()
            .expect("responses")
            .len(),
        3
    );
}

#[test]
fn appointments_and_the_home_blood_pressure_week() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let visit = (chrono::Local::now() + chrono::Duration::days(10)).date_naive();
    let at = format!("{visit} 09:30");
    let out = ok(
        &db,
        &[
            "appointment",
            "add",
            "GP check-up",
            "--at",
            &at,
            "--clinician",
            "Dr. Weber",
        ],
    );
    assert!(out.contains("GP check-up with Dr. Weber"), "{out}");
    let list = json(&db, &["appointment", "list", "--json"]);
    assert_eq!(list.as_array().expect("list").len(), 1);
    let today = json(&db, &["today", "--json"]);
    assert_eq!(today["next_appointment"]["title"], "GP check-up");
    refused(&db, &["appointment", "add", "  ", "--at", &at], 1, "title");

    let before = visit.to_string();
    let out = ok(&db, &["plan", "home-bp", "--before", &before]);
    assert!(out.contains("07:00 and 19:00"), "{out}");
    refused(
        &db,
        &["plan", "home-bp", "--before", "2020-01-01"],
        1,
        "not ahead",
    );
    refused(&db, &["plan", "home-bp", "--before", "soon"], 2, "");
    assert_eq!(
        json(&db, &["plan", "list", "--json"])
            .as_array()
            .expect("plans")
            .len(),
        1
    );
}

#[test]
fn a_stage_that_runs_long_and_a_check_up_tomorrow_read_plainly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    // Four weeks in without a reading: the first stage (about 7 days) has not moved on, and the
    // check-up the template asks for by day 28 is tomorrow.
    ok(
        &db,
        &["journey", "start", "hypertension-12w", "--at", "-27d"],
    );
    let status = ok(&db, &["journey", "status"]);
    assert!(status.contains("(day 28, planned for about 7)"), "{status}");
    assert!(status.contains("check-up tomorrow"), "{status}");
}
