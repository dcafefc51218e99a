//! Writers benchmark, each measurement side by side with its baseline in the same run,
//! interleaved:
//!
//! 1. adherence over 1, 5 and 20 years of doses (two medications, twice a day): the time per
//!    dose must stay flat as history grows; beside it, a raw SQL count of the same dose rows;
//! 2. one durable write of a reading into a month that holds 3,000 entries, vs a raw rusqlite
//!    insert of the same row in its own transaction with the same pragmas (WAL, FULL);
//! 3. adding a medication to a record that has 1 and 200 of them, as a fresh process does
//!    (the record opened anew each time), vs the raw insert;
//!
//! Merging replicas has its own benchmark, `replicas`.
//!
//! Run: `cargo bench -p companion-core --bench writers`. Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Datelike, Duration as Span, NaiveTime, Utc};
use companion_core::HealthRecord;

mod common;
use common::keys;
use companion_core::model::{
    DoseAmount, DoseEvent, DoseStatus, Measurement, Medication, Profile, Reading, Schedule,
};
use rusqlite::{Connection, params};

const ADHERENCE_RUNS: usize = 3;
const WRITES: usize = 100;

fn medication(name: &str, start: chrono::NaiveDate) -> Medication {
    let times = vec![
        NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
    ];
    let mut m = Medication::new(
        name,
        DoseAmount::parse("1 tablet").unwrap(),
        Schedule::FixedTimes { times },
        start,
    )
    .unwrap();
    m.recorded_at = None;
    m
}

fn adherence(years: i64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let profile = Profile::new("Bench", "UTC").unwrap();
    let mut record = HealthRecord::create(&path, &keys(&path), &profile).unwrap();
    let now = Utc::now();
    let start = (now - Span::days(365 * years)).date_naive();
    let meds = [medication("A", start), medication("B", start)];
    for m in &meds {
        record.add_medication(m).unwrap();
    }
    // Every dose taken five minutes late, except one in ten skipped; imported a month at a time.
    let mut month = Vec::new();
    let mut day = start;
    let mut n = 0usize;
    while day < now.date_naive() {
        for m in &meds {
            for hour in [8, 20] {
                let due = day
                    .and_hms_opt(hour, 0, 0)
                    .unwrap()
                    .and_utc()
                    .fixed_offset();
                let status = if n.is_multiple_of(10) {
                    DoseStatus::Skipped
                } else {
                    DoseStatus::Taken
                };
                month.push(
                    DoseEvent::new(&m.id, status, due + Span::minutes(5), Some(due)).unwrap(),
                );
                n += 1;
            }
        }
        day = day.succ_opt().unwrap();
        if day.format("%d").to_string() == "01" {
            record.import_doses(&month).unwrap();
            month.clear();
        }
    }
    record.import_doses(&month).unwrap();

    let sql = Connection::open(&path).unwrap();
    let raw = || -> i64 {
        sql.prepare_cached(
            "SELECT count(*) FROM entries WHERE collection = 'doses' AND deleted = 0 AND at_ms >= ?1",
        )
        .unwrap()
        .query_row(params![start.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis()], |r| r.get(0))
        .unwrap()
    };
    let from = start.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let counted: u32 = record
        .adherence(from, now, now, "UTC")
        .unwrap()
        .iter()
        .map(|a| a.counted)
        .sum();
    let (mut ours, mut base) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..ADHERENCE_RUNS {
        let t = Instant::now();
        black_box(record.adherence(from, now, now, "UTC").unwrap());
        ours += t.elapsed();
        let t = Instant::now();
        black_box(raw());
        base += t.elapsed();
    }
    let (ours, base) = (
        ours.as_secs_f64() / ADHERENCE_RUNS as f64,
        base.as_secs_f64() / ADHERENCE_RUNS as f64,
    );
    println!(
        "  {years:>2} years, {counted:>6} doses: adherence {:>9.1} ms ({:>5.2} us/dose)   raw SQL count {:>7.2} ms   ratio {:>5.1}x",
        ours * 1e3,
        ours * 1e6 / f64::from(counted.max(1)),
        base * 1e3,
        ours / base
    );
}

/// Prints the mean of `runs` timings of the store beside the raw baseline, and their ratio.
fn report(what: &str, ours: Duration, base: Duration, runs: usize) {
    let (ours, base) = (
        ours.as_secs_f64() / runs as f64,
        base.as_secs_f64() / runs as f64,
    );
    println!(
        "  {what}: store {:>8.1} us   raw insert {:>8.1} us   ratio {:.2}x",
        ours * 1e6,
        base * 1e6,
        ours / base
    );
}

/// A plain SQLite file with the store's pragmas (WAL, synchronous = FULL) and `schema`.
fn plain(path: &std::path::Path, schema: &str) -> Connection {
    let conn = Connection::open(path).unwrap();
    let _: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch(schema).unwrap();
    conn
}

fn write_into_a_full_month() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let profile = Profile::new("Bench", "UTC").unwrap();
    let mut record = HealthRecord::create(&path, &keys(&path), &profile).unwrap();
    let now = Utc::now();
    let month_start = now
        .date_naive()
        .with_day0(0)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let reading = |i: usize| {
        let at = month_start + Span::seconds((i % 86_400) as i64);
        Reading::new(
            Measurement::HeartRate {
                bpm: 60 + (i % 40) as u16,
            },
            at.fixed_offset(),
        )
        .unwrap()
    };
    let month: Vec<Reading> = (0..3_000).map(reading).collect();
    record.add_readings(&month).unwrap();

    let plain = plain(
        &dir.path().join("plain.db"),
        "CREATE TABLE readings (id TEXT PRIMARY KEY, kind TEXT NOT NULL, at_ms INTEGER NOT NULL, body TEXT NOT NULL);
         CREATE INDEX readings_by_time ON readings (kind, at_ms);",
    );
    let (mut ours, mut base) = (Duration::ZERO, Duration::ZERO);
    for i in 0..WRITES {
        let r = reading(3_000 + i);
        let t = Instant::now();
        record.add_reading(&r).unwrap();
        ours += t.elapsed();
        let r = reading(3_000 + WRITES + i);
        let body = serde_json::to_string(&r).unwrap();
        let t = Instant::now();
        plain
            .execute(
                "INSERT INTO readings VALUES (?1, 'heart_rate', ?2, ?3)",
                params![r.id, r.at.timestamp_millis(), body],
            )
            .unwrap();
        base += t.elapsed();
    }
    report(
        "one reading into a month of 3,000 entries",
        ours,
        base,
        WRITES,
    );
}

fn add_medication(existing: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let profile = Profile::new("Bench", "UTC").unwrap();
    let mut record = HealthRecord::create(&path, &keys(&path), &profile).unwrap();
    let start = Utc::now().date_naive();
    for i in 0..existing {
        let mut m = medication(&format!("M{i}"), start);
        m.instructions = Some("with food, not with grapefruit juice".into());
        record.add_medication(&m).unwrap();
    }
    drop(record);
    let plain = plain(
        &dir.path().join("plain.db"),
        "CREATE TABLE meds (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
    );
    const ADDS: usize = 30;
    let (mut ours, mut base) = (Duration::ZERO, Duration::ZERO);
    for i in 0..ADDS {
        let m = medication(&format!("New{i}"), start);
        let t = Instant::now();
        let mut record = HealthRecord::open(&path, &keys(&path)).unwrap();
        record.add_medication(&m).unwrap();
        ours += t.elapsed();
        let body = serde_json::to_string(&m).unwrap();
        let t = Instant::now();
        plain
            .execute("INSERT INTO meds VALUES (?1, ?2)", params![m.id, body])
            .unwrap();
        base += t.elapsed();
    }
    report(
        &format!("open + add a medication beside {existing:>3} others"),
        ours,
        base,
        ADDS,
    );
}

fn main() {
    println!("adherence over all of a record's history (mean of {ADHERENCE_RUNS}):");
    for years in [1, 5, 20] {
        adherence(years);
    }
    println!("durable writes (mean of {WRITES}, interleaved):");
    write_into_a_full_month();
    for existing in [1, 200] {
        add_medication(existing);
    }
}
