//! The schedule types of `med add` a patient is prescribed (issue 13): an interval in minutes,
//! a window across midnight, days of the month, every N weeks on weekdays; and schedule flags
//! that conflict are refused, not silently dropped.

mod common;

use common::*;

#[test]
fn new_schedule_types_are_added_and_shown_in_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "med",
            "add",
            "Vitamin D",
            "--dose",
            "1000 IU",
            "--month-days",
            "1",
            "--at",
            "09:00",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Methotrexate",
            "--dose",
            "10 mg",
            "--weekdays",
            "mon,thu",
            "--every-weeks",
            "2",
            "--at",
            "08:00",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Levodopa",
            "--dose",
            "100 mg",
            "--every-minutes",
            "90",
            "--window",
            "07:00-19:00",
        ],
    );
    ok(
        &db,
        &[
            "med",
            "add",
            "Nightshift",
            "--dose",
            "1 tablet",
            "--every-hours",
            "4",
            "--window",
            "22:00-06:00",
        ],
    );
    let list = ok(&db, &["med", "list"]);
    for words in [
        "on day 1 of the month at 09:00",
        "every 2 weeks on Mon, Thu at 08:00",
        "every 90 min between 07:00 and 19:00",
        "every 4 h between 22:00 and 06:00",
    ] {
        assert!(list.contains(words), "{words}: {list}");
    }
}

#[test]
fn conflicting_schedule_flags_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    let add = |extra: &[&str]| {
        let mut args = vec!["med", "add", "M", "--dose", "5 mg"];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    for (extra, needle) in [
        (
            &["--at", "08:00", "--every-hours", "8"][..],
            "--at gives times of day",
        ),
        (
            &["--every-hours", "8", "--every-minutes", "90"][..],
            "choose one schedule",
        ),
        (
            &["--weekdays", "mon", "--month-days", "1", "--at", "08:00"][..],
            "choose one schedule",
        ),
        (
            &["--at", "08:00", "--window", "08:00-20:00"][..],
            "--window goes with",
        ),
        (
            &["--at", "08:00", "--first", "09:00"][..],
            "--first goes with",
        ),
        (
            &["--at", "08:00", "--from-last-taken"][..],
            "--from-last-taken goes with",
        ),
        (
            &["--every-weeks", "2", "--at", "08:00"][..],
            "--every-weeks goes with --weekdays",
        ),
        (
            &["--at", "08:00", "--max-per-day", "3"][..],
            "goes with --as-needed",
        ),
        (
            &["--at", "08:00", "--offset-min", "30"][..],
            "--offset-min goes with --meals",
        ),
        (&["--every-minutes", "5"][..], "interval minutes"),
        (
            &["--every-hours", "4", "--window", "08:00-08:00"][..],
            "opens and closes at the same time",
        ),
        (
            &["--month-days", "32", "--at", "08:00"][..],
            "day of the month",
        ),
    ] {
        let args = add(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = companion(&db, &args);
        assert!(!out.status.success(), "{args:?} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert!(
        ok(&db, &["med", "list"])
            .trim()
            .lines()
            .all(|l| !l.contains(" M "))
    );
}

/// Issue 13: a snooze must end before the next dose; `--scheduled` must name a dose of the
/// medication (the refusal lists the nearest); a take near no dose is an extra dose.
#[test]
fn doses_must_fit_the_schedule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    add_med(&db, "Amlodipine", "5 mg", "08:00,20:00");
    refused(
        &db,
        &[
            "dose",
            "snooze",
            "amlodipine",
            "--scheduled",
            "2027-06-01T08:00:00+02:00",
            "--minutes",
            "100000000",
        ],
        1,
        "a snooze must end before the next dose, due 2027-06-01 20:00 +02:00",
    );
    ok(
        &db,
        &[
            "dose",
            "snooze",
            "amlodipine",
            "--scheduled",
            "2027-06-01T08:00:00+02:00",
            "--minutes",
            "30",
        ],
    );
    refused(
        &db,
        &[
            "dose",
            "take",
            "amlodipine",
            "--scheduled",
            "2026-11-20T09:00:00+01:00",
            "--at",
            "2026-11-20T09:05:00+01:00",
        ],
        1,
        "the nearest: 2026-11-19 20:00 +01:00, 2026-11-20 08:00 +01:00, 2026-11-20 20:00 +01:00",
    );
    // At 14:00 the morning dose, not taken, is the one answered, late (issue 27); an extra
    // dose is logged as one only when the patient says so.
    let logged = ok(
        &db,
        &[
            "dose",
            "take",
            "amlodipine",
            "--at",
            "2026-11-20T14:00:00+01:00",
        ],
    );
    assert!(logged.contains("scheduled 2026-11-20 08:00"), "{logged}");
    let extra = ok(
        &db,
        &[
            "dose",
            "take",
            "amlodipine",
            "--at",
            "2026-11-20T14:30:00+01:00",
            "--extra",
        ],
    );
    assert!(extra.contains("an extra dose"), "{extra}");
}

/// Issue 13: `today` gives times on the phone's clock; a fixed-zone medication's home time is
/// beside it.
#[test]
fn today_shows_a_fixed_zone_dose_on_the_phones_clock_with_the_home_time_beside_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = init(&dir);
    ok(
        &db,
        &[
            "med",
            "add",
            "Tacrolimus",
            "--dose",
            "1 mg",
            "--at",
            "22:00",
            "--fixed-zone",
            "Europe/Berlin",
        ],
    );
    let today = ok(&db, &["today", "--tz", "Asia/Tokyo"]);
    assert!(today.contains("(22:00 Europe/Berlin)"), "{today}");
    assert!(
        today.contains("+09:00]"),
        "the scheduled time on Tokyo's clock: {today}"
    );
}
