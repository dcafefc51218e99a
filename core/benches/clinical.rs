//! Clinical benchmark: statistics and the 90-day visit report over a record holding five years
//! of readings (100,000), side by side with the bare SQL aggregate (count, mean, min, max per
//! kind) over the same readings in a plain SQLite table (kind, time, value; indexed on
//! time), the fastest form raw SQLite could answer it from.
//!
//! The three are timed in alternation, round by round, and their medians compared.
//!
//! Run: `cargo bench -p companion-core --bench clinical`. Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
use common::{DAYS, EVENTS, event, keys};
use companion_core::HealthRecord;
use companion_core::model::{Profile, Reading};
use rusqlite::{Connection, params};

const STATS_RUNS: usize = 30;
const REPORT_RUNS: usize = 10;

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
    let from = now - Span::days(90);

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
    let aggregate = || -> Vec<(String, i64, f64, f64, f64)> {
        let mut stmt = sql
            .prepare_cached(
                "SELECT kind, count(*), avg(v1), min(v1), max(v1) FROM readings
                 WHERE at_ms >= ?1 GROUP BY kind",
            )
            .unwrap();
        stmt.query_map(params![from.timestamp_millis()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };

    // The two agree on the counts and means.
    let stats = record.stats(from, now, "Europe/Berlin").unwrap();
    let rows = aggregate();
    for s in &stats.summaries {
        let row = rows.iter().find(|r| r.0 == s.kind.as_str()).unwrap();
        assert_eq!(row.1 as u64, s.count);
        assert!((row.2 - s.mean).abs() < 1e-6);
    }
    let readings: u64 = stats.summaries.iter().map(|s| s.count).sum();

    // Interleaved: each round times the aggregate, the statistics and (every third round) the
    // report, one after the other; medians compared.
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed()
    };
    let (mut sql_all, mut stats_all, mut report_all) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..STATS_RUNS {
        sql_all.push(time(&mut || {
            black_box(aggregate());
        }));
        stats_all.push(time(&mut || {
            black_box(record.stats(from, now, "Europe/Berlin").unwrap());
        }));
        if round % (STATS_RUNS / REPORT_RUNS) == 0 {
            report_all.push(time(&mut || {
                black_box(
                    record
                        .report_html(from, now, now, "Europe/Berlin", None)
                        .unwrap(),
                );
            }));
        }
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (sql_t, stats_t, report_t) = (median(sql_all), median(stats_all), median(report_all));
    let size = record
        .report_html(from, now, now, "Europe/Berlin", None)
        .unwrap()
        .len();
    println!("last 90 days of a 5-year record ({EVENTS} readings; {readings} in the period):");
    println!(
        "  bare SQL aggregate {:>9.2} ms   statistics {:>9.2} ms   ratio {:.1}x",
        sql_t.as_secs_f64() * 1e3,
        stats_t.as_secs_f64() * 1e3,
        stats_t.as_secs_f64() / sql_t.as_secs_f64()
    );
    println!(
        "  bare SQL aggregate {:>9.2} ms   90-day report {:>6.2} ms   ratio {:.1}x   ({} KB of HTML)",
        sql_t.as_secs_f64() * 1e3,
        report_t.as_secs_f64() * 1e3,
        report_t.as_secs_f64() / sql_t.as_secs_f64(),
        size / 1024
    );
    println!(
        "summary clinical-stats {:.2}ms {:.2}x",
        stats_t.as_secs_f64() * 1e3,
        stats_t.as_secs_f64() / sql_t.as_secs_f64()
    );
    println!(
        "summary clinical-report {:.2}ms {:.2}x",
        report_t.as_secs_f64() * 1e3,
        report_t.as_secs_f64() / sql_t.as_secs_f64()
    );
}
