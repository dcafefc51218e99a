//! `companion reminders`, `today`, `dose snooze`, `med supply`, `adherence`, and as-needed limits.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn reminders_today_snooze_supply_and_adherence() {
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
            "08:00,20:00",
            "--start",
            "2026-03-01",
            "--inventory",
            "10",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Ramipril",
            "--dose",
            "5 mg",
            "--at",
            "08:00",
            "--start",
            "2026-03-01",
            "--fixed-zone",
            "Europe/Berlin",
        ],
    );
    // The plan as the phone asks for it, for a trip to New York. Medications added today have no
    // dose due before now, so plan from tomorrow.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).date_naive();
    let from = format!("{tomorrow}T00:00:00Z");
    let plan = json(
        &db,
        &[
            "reminders",
            "--from",
            &from,
            "--hours",
            "24",
            "--tz",
            "America/New_York",
            "--json",
        ],
    );
    let plan = plan.as_array().expect("array");
    let doses: Vec<&Value> = plan.iter().filter(|n| n["kind"] == "Dose").collect();
    assert_eq!(
        doses.len(),
        3,
        "Ramipril on Berlin time, Metformin twice on New York time: {plan:?}"
    );
    assert!(doses.iter().all(|n| n["importance"] == "TimeSensitive"));
    let text = ok(
        &db,
        &[
            "reminders",
            "--from",
            &from,
            "--hours",
            "24",
            "--tz",
            "America/New_York",
        ],
    );
    assert!(text.contains("EST") || text.contains("EDT"), "{text}");
    refused(
        &db,
        &["reminders", "--tz", "Atlantis/Capital"],
        1,
        "device time zone",
    );
    refused(&db, &["reminders", "--from", "soon"], 2, "RFC 3339");

    // Snooze a dose; take one; the supply goes down.
    let scheduled = doses[0]["doses"][0]["scheduled_at"]
        .as_str()
        .expect("scheduled")
        .to_string();
    let med = doses[0]["doses"][0]["medication_id"]
        .as_str()
        .expect("med")
        .to_string();
    ok(
        &db,
        &[
            "dose",
            "snooze",
            &med,
            "--scheduled",
            &scheduled,
            "--minutes",
            "15",
        ],
    );
    // A dose taken now (doses logged for the future do not count against the supply yet).
    ok(&db, &["dose", "take", "metformin"]);
    let supply = json(&db, &["med", "supply", "--json"]);
    assert_eq!(supply[0]["on_hand"], 9.0);
    ok(&db, &["med", "refill", "metformin", "--amount", "30"]);
    assert!(ok(&db, &["med", "supply"]).contains("39 left"));
    refused(
        &db,
        &["med", "refill", "ramipril", "--amount", "30"],
        2,
        "not tracked",
    );
    refused(
        &db,
        &["med", "refill", "metformin", "--amount", "0"],
        1,
        "refill amount",
    );

    let today = json(&db, &["today", "--json"]);
    for key in ["due", "snoozed", "next", "missed", "refills_due"] {
        assert!(today[key].is_array(), "{key}");
    }
    assert!(ok(&db, &["today"]).contains("Next:"));
    let adherence = json(&db, &["adherence", "--days", "7", "--json"]);
    // The text lists exactly the medications the JSON has (none when no dose was due yet).
    let listed = adherence.as_array().expect("array");
    let text = ok(&db, &["adherence", "--days", "7"]);
    if listed.is_empty() {
        assert!(
            text.contains("No scheduled doses in the last 7 days"),
            "{text}"
        );
    } else {
        for a in listed {
            assert!(text.contains(a["name"].as_str().expect("name")), "{text}");
        }
    }
}

#[test]
fn as_needed_limits_need_confirm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "med",
            "add",
            "Paracetamol",
            "--dose",
            "500 mg",
            "--as-needed",
            "--max-per-day",
            "4",
            "--min-interval-min",
            "360",
        ],
    );
    ok(
        &db,
        &[
            "dose",
            "take",
            "paracetamol",
            "--at",
            "2026-03-02T08:00:00+01:00",
        ],
    );
    refused(
        &db,
        &[
            "dose",
            "take",
            "paracetamol",
            "--at",
            "2026-03-02T09:00:00+01:00",
        ],
        1,
        "--confirm",
    );
    ok(
        &db,
        &[
            "dose",
            "take",
            "paracetamol",
            "--at",
            "2026-03-02T09:00:00+01:00",
            "--confirm",
        ],
    );
    let doses = json(
        &db,
        &["dose", "list", "paracetamol", "--days", "36500", "--json"],
    );
    assert_eq!(doses[0]["confirmed_over_limit"], true);
}
