//! Store benchmark, each measurement side by side with its baseline in the same run:
//!
//! 1. adding one reading through the store vs a raw rusqlite insert of the same row, each in its
//!    own transaction, with the same pragmas (WAL, synchronous = FULL);
//! 2. opening a record of 100,000 events (5 years) and reading the last 30 days of blood
//!    pressure, vs the same query on a plain SQLite table of the same rows;
//! 3. the size on disk of that record vs the plain table.
//!
//! Run: `cargo bench -p companion-core --bench store`. Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
mod common;

use common::{DAYS, EVENTS, event, keys};
use companion_core::model::{Profile, Reading, ReadingKind};
use companion_core::{HealthRecord, ReadingQuery, TimeRange};
use rusqlite::{Connection, params};

const WRITES: usize = 300;
const QUERIES: usize = 50;

fn plain_open(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    let _: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn
}

fn plain_create(path: &Path) -> Connection {
    let conn = plain_open(path);
    conn.execute_batch(
        "CREATE TABLE readings (id TEXT PRIMARY KEY, kind TEXT NOT NULL, at_ms INTEGER NOT NULL,
             v1 REAL, v2 REAL, body TEXT NOT NULL);
         CREATE INDEX readings_by_kind ON readings (kind, at_ms);",
    )
    .unwrap();
    conn
}

fn plain_insert(conn: &Connection, r: &Reading) {
    let (v1, v2) = r.measurement.values();
    conn.prepare_cached("INSERT INTO readings VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .unwrap()
        .execute(params![
            r.id,
            r.measurement.kind().as_str(),
            r.at.timestamp_millis(),
            v1,
            v2,
            serde_json::to_string(r).unwrap()
        ])
        .unwrap();
}

fn file_size(path: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

fn mean(total: Duration, n: usize) -> f64 {
    total.as_secs_f64() / n as f64
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::new("Bench", "Europe/Berlin").unwrap();
    let now = Utc::now().fixed_offset();

    // 1. One reading, its own transaction.
    let mut record = HealthRecord::create(
        &dir.path().join("write.db"),
        &keys(&dir.path().join("write.db")),
        &profile,
    )
    .unwrap();
    let plain = plain_create(&dir.path().join("write-plain.db"));
    let readings: Vec<Reading> = (0..WRITES)
        .map(|i| event(i, now - Span::days(20)))
        .collect();
    for r in readings.iter().take(10) {
        // Warm both up (first document load, statement caches).
        let mut a = r.clone();
        a.id = companion_core::model::new_id();
        record.add_reading(&a).unwrap();
        plain_insert(&plain, &a);
    }
    let (mut store_t, mut plain_t) = (Duration::ZERO, Duration::ZERO);
    for r in &readings {
        let t = Instant::now();
        record.add_reading(r).unwrap();
        store_t += t.elapsed();
        let t = Instant::now();
        plain.execute_batch("BEGIN").unwrap();
        plain_insert(&plain, r);
        plain.execute_batch("COMMIT").unwrap();
        plain_t += t.elapsed();
    }
    let (s, p) = (mean(store_t, WRITES), mean(plain_t, WRITES));
    println!("add one reading, own transaction (mean of {WRITES}):");
    println!(
        "  store {:>9.1} us   raw rusqlite {:>9.1} us   ratio {:.2}x   (goal <= 2x)",
        s * 1e6,
        p * 1e6,
        s / p
    );
    println!("summary store-write {:.1}us {:.2}x", s * 1e6, s / p);
    drop(record);
    drop(plain);

    // 2. A record of 100,000 events.
    let path = dir.path().join("big.db");
    let plain_path = dir.path().join("big-plain.db");
    let start = now - Span::days(DAYS);
    let t = Instant::now();
    let mut record = HealthRecord::create(&path, &keys(&path), &profile).unwrap();
    let all: Vec<Reading> = (0..EVENTS).map(|i| event(i, start)).collect();
    for month in
        all.chunk_by(|a, b| a.at.format("%Y-%m").to_string() == b.at.format("%Y-%m").to_string())
    {
        record.add_readings(month).unwrap();
    }
    drop(record);
    let build_store = t.elapsed();
    let t = Instant::now();
    let mut plain = plain_create(&plain_path);
    let tx = plain.transaction().unwrap();
    for r in &all {
        plain_insert(&tx, r);
    }
    tx.commit().unwrap();
    drop(plain);
    let build_plain = t.elapsed();
    println!(
        "\nbuild {EVENTS} events (monthly batches): store {build_store:.2?}, plain {build_plain:.2?}"
    );

    let since = Utc::now() - Span::days(30);
    let (mut store_t, mut plain_t, mut rows) = (Duration::ZERO, Duration::ZERO, (0, 0));
    for _ in 0..QUERIES {
        let t = Instant::now();
        let record = HealthRecord::open(&path, &keys(&path)).unwrap();
        let page = record
            .readings(&ReadingQuery {
                kind: Some(ReadingKind::BloodPressure),
                range: TimeRange {
                    from: Some(since),
                    to: None,
                },
                ..Default::default()
            })
            .unwrap();
        rows.0 = page.readings.len();
        drop(record);
        store_t += t.elapsed();

        let t = Instant::now();
        let conn = plain_open(&plain_path);
        let mut stmt = conn
            .prepare("SELECT id, at_ms, v1, v2 FROM readings WHERE kind = ?1 AND at_ms >= ?2 ORDER BY at_ms DESC")
            .unwrap();
        let got: Vec<(String, i64, f64, Option<f64>)> = stmt
            .query_map(params!["blood_pressure", since.timestamp_millis()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.1 = got.len();
        drop(stmt);
        drop(conn);
        plain_t += t.elapsed();
    }
    assert_eq!(rows.0, rows.1);
    let (s, p) = (mean(store_t, QUERIES), mean(plain_t, QUERIES));
    println!(
        "open + last 30 days of blood pressure ({} rows) in {EVENTS} events (mean of {QUERIES}):",
        rows.0
    );
    println!(
        "  store {:>9.1} us   plain table {:>9.1} us   ratio {:.2}x   (goal <= 1.5x)",
        s * 1e6,
        p * 1e6,
        s / p
    );
    println!("summary store-query {:.1}us {:.2}x", s * 1e6, s / p);

    // 3. Size on disk.
    let (s, p) = (file_size(&path), file_size(&plain_path));
    println!("size on disk of {EVENTS} events:");
    println!(
        "  record {:>7.1} MB   plain table {:>7.1} MB   ratio {:.2}x",
        s as f64 / 1e6,
        p as f64 / 1e6,
        s as f64 / p as f64
    );
}
