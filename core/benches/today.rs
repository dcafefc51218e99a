//! The home screen benchmark: `today()` on a record with five years of data (100,000 readings,
//! two medications taken twice a day for five years, a journal entry a day: about 109,000
//! events) and three running journeys, side by side with a single SQLite query that reads the
//! same week of readings from a plain table (kind, time, value; indexed on time). The two are
//! measured alternately, run by run, and the medians compared. Goal: well under one frame
//! (16 ms).
//!
//! Run: `cargo bench -p companion-core --bench today`. Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, NaiveTime, Utc};
use common::{DAYS, EVENTS, event, keys};
use companion_core::HealthRecord;
use companion_core::model::{
    DoseAmount, DoseEvent, DoseStatus, JournalEntry, Medication, Profile, Reading, Schedule,
};
use rusqlite::{Connection, params};

const RUNS: usize = 40;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.db");
    let profile = Profile::new("Bench", "Europe/Berlin").unwrap();
    let now = Utc::now();
    let start = (now - Span::days(DAYS)).fixed_offset();
    let mut record = HealthRecord::create(&path, &keys(&path), &profile).unwrap();
    let all: Vec<Reading> = (0..EVENTS).map(|i| event(i, start)).collect();
    for month in
        all.chunk_by(|a, b| a.at.format("%Y-%m").to_string() == b.at.format("%Y-%m").to_string())
    {
        record.add_readings(month).unwrap();
    }
    let times = vec![
        NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
    ];
    let meds: Vec<Medication> = ["Metformin", "Ramipril"]
        .iter()
        .map(|name| {
            let mut m = Medication::new(
                name,
                DoseAmount::parse("1 tablet").unwrap(),
                Schedule::FixedTimes {
                    times: times.clone(),
                },
                start.date_naive(),
            )
            .unwrap();
            m.recorded_at = None;
            m
        })
        .collect();
    for m in &meds {
        record.add_medication(m).unwrap();
    }
    let mut doses = Vec::new();
    let mut events = EVENTS;
    let mut day = start.date_naive().succ_opt().unwrap();
    let berlin: companion_core::zone::Zone = "Europe/Berlin".parse().unwrap();
    while day < now.date_naive() {
        for m in &meds {
            // The medication's 08:00 and 20:00 in Berlin, summer time or not.
            for time in &times {
                let due = companion_core::reminders::zone::resolve(&berlin, day.and_time(*time))
                    .fixed_offset();
                doses.push(
                    DoseEvent::new(&m.id, DoseStatus::Taken, due + Span::minutes(5), Some(due))
                        .unwrap(),
                );
            }
        }
        let noon = day.and_hms_opt(11, 0, 0).unwrap().and_utc().fixed_offset();
        record
            .add_journal_entry(&JournalEntry::new(noon, "walked", Some(4), Vec::new()).unwrap())
            .unwrap();
        events += 1;
        day = day.succ_opt().unwrap();
        if day.format("%d").to_string() == "01" {
            events += doses.len();
            record.import_doses(&doses).unwrap();
            doses.clear();
        }
    }
    events += doses.len();
    record.import_doses(&doses).unwrap();
    for (template, days_ago) in [
        ("hypertension-12w", 20),
        ("type2-diabetes-90d", 50),
        ("surgery-recovery-6w", 10),
    ] {
        record
            .start_journey(template, (now - Span::days(days_ago)).fixed_offset())
            .unwrap();
    }
    record.advance_journeys(now).unwrap();

    let week = now - Span::days(7);
    let mut sql = Connection::open(dir.path().join("plain.db")).unwrap();
    sql.execute_batch(
        "CREATE TABLE readings (kind TEXT NOT NULL, at_ms INTEGER NOT NULL, v1 REAL NOT NULL);
         CREATE INDEX readings_by_time ON readings (at_ms);",
    )
    .unwrap();
    let tx = sql.transaction().unwrap();
    for r in &all {
        tx.execute(
            "INSERT INTO readings VALUES (?1, ?2, ?3)",
            params![
                r.measurement.kind().as_str(),
                r.at.timestamp_millis(),
                r.measurement.values().0
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    let read_week = || -> Vec<(String, i64, f64)> {
        let mut stmt = sql
            .prepare_cached("SELECT kind, at_ms, v1 FROM readings WHERE at_ms >= ?1")
            .unwrap();
        stmt.query_map(params![week.timestamp_millis()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };

    let today = record.today(now, "Europe/Berlin").unwrap();
    assert_eq!(today.journeys.len(), 3);
    let week_rows = read_week().len();

    let mut sql_t = Vec::with_capacity(RUNS);
    let mut today_t = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        black_box(read_week());
        sql_t.push(t.elapsed());
        let t = Instant::now();
        black_box(record.today(now, "Europe/Berlin").unwrap());
        today_t.push(t.elapsed());
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (s, t) = (median(&mut sql_t), median(&mut today_t));
    println!(
        "today() on a 5-year record ({events} events, 3 journeys; {week_rows} readings in the last week), {RUNS} alternating runs, medians:"
    );
    println!(
        "  one SQLite query for the week {:>7.2} ms   today() {:>7.2} ms   ratio {:.1}x   (frame budget 16 ms)",
        s.as_secs_f64() * 1e3,
        t.as_secs_f64() * 1e3,
        t.as_secs_f64() / s.as_secs_f64()
    );
    println!(
        "summary today {:.2}ms {:.2}x",
        t.as_secs_f64() * 1e3,
        t.as_secs_f64() / s.as_secs_f64()
    );
}
