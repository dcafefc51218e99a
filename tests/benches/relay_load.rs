//! Relay load test on loopback: N devices sharing one record, each writing a reading, syncing
//! (push and pull) and long-polling in a loop, for a fixed time; then the relay's ingest rate
//! side by side with the raw insert rate of the same backend (the same rows, one durable
//! transaction each, no HTTP, no checks), measured before and after the load, and the check
//! that nothing was lost or stored twice.
//!
//! Run: `cargo bench -p companion-scenarios --bench relay_load` (SQLite), or with
//! `COMPANION_TEST_RELAY=postgres COMPANION_TEST_POSTGRES=URL` (PostgreSQL).
//! `COMPANION_LOAD_DEVICES` (default 8) and `COMPANION_LOAD_SECONDS` (default 60) size it.
//! Numbers are printed, never asserted (but a lost or doubled write fails the run).
#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use companion_core::model::{Measurement, Profile, Reading};
use companion_core::sync::{HttpTransport, Role};
use companion_core::{HealthRecord, ReadingQuery};
use companion_scenarios::RelayProcess;

fn http() -> HttpTransport {
    HttpTransport::new().unwrap()
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Reading `n` of `device`: each device's readings a minute apart in a span of its own
/// (about 11 days), all in the 400 days before now (a store refuses readings dated ahead).
fn reading(device: usize, n: u32) -> Reading {
    let start: DateTime<FixedOffset> = (chrono::Utc::now() - chrono::Duration::days(400)).into();
    Reading::new(
        Measurement::BloodPressure {
            systolic: 110 + (n % 40) as u16,
            diastolic: 75,
            pulse: None,
        },
        start + chrono::Duration::seconds(device as i64 * 1_000_000 + i64::from(n) * 60),
    )
    .unwrap()
}

fn ids(r: &HealthRecord) -> BTreeSet<String> {
    r.readings(&ReadingQuery::default())
        .unwrap()
        .readings
        .iter()
        .map(|x| x.id.to_string())
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// Rows a second, inserting `rows` (one transaction each) into a scratch record of the
/// relay's own log table, straight through the backend's driver.
fn raw_insert_rate(db: &str, rows: &[Vec<u8>], tag: &str) -> f64 {
    let record = format!("raw-{tag}");
    let started = Instant::now();
    if db.starts_with("postgres") {
        let mut c = postgres::Client::connect(db, postgres::NoTls).unwrap();
        for (n, bytes) in rows.iter().enumerate() {
            let digest = companion_server::storage::digest(bytes);
            let mut tx = c.transaction().unwrap();
            tx.execute(
                "INSERT INTO log (record, seq, kind, author, digest, bytes) VALUES ($1, $2, 2, 'raw', $3, $4)",
                &[&record, &(n as i64 + 1), &digest, bytes],
            )
            .unwrap();
            tx.commit().unwrap();
        }
    } else {
        let mut c = rusqlite::Connection::open(db).unwrap();
        c.pragma_update(None, "synchronous", "FULL").unwrap();
        for (n, bytes) in rows.iter().enumerate() {
            let digest = companion_server::storage::digest(bytes);
            let tx = c.transaction().unwrap();
            tx.execute(
                "INSERT INTO log (record, seq, kind, author, digest, bytes) VALUES (?1, ?2, 2, 'raw', ?3, ?4)",
                rusqlite::params![record, n as i64 + 1, digest, bytes],
            )
            .unwrap();
            tx.commit().unwrap();
        }
    }
    rows.len() as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    companion_scenarios::relay_child();
    let n = env("COMPANION_LOAD_DEVICES", 8) as usize;
    let seconds = env("COMPANION_LOAD_SECONDS", 60);
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), "bench-relay");
    let backend = if relay.db.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    println!("relay load: {n} devices, {seconds} s, relay storage {backend}");

    let profile = Profile::new("Ana", "Europe/Berlin").unwrap();
    let mut owner = HealthRecord::create(&dir.path().join("d0.db"), &profile).unwrap();
    let mut devices = Vec::new();
    for i in 1..n {
        let code = owner
            .invite(
                Role::Caregiver,
                Duration::from_secs(3600),
                Some(&relay.url),
                &mut http(),
            )
            .unwrap()
            .code;
        let (d, _) = HealthRecord::join_invite(
            &dir.path().join(format!("d{i}.db")),
            &code,
            &mut http(),
            &mut |_| {},
        )
        .unwrap();
        devices.push(d);
    }
    devices.insert(0, owner);
    let record_id = devices[0].id().to_string();

    // Baseline rows of the size of a one-reading envelope (about 650 bytes, measured).
    let sample_len = 700;
    let rows: Vec<Vec<u8>> = (0..2000u32)
        .map(|i| {
            let mut v = vec![0u8; sample_len];
            v[..4].copy_from_slice(&i.to_le_bytes());
            v
        })
        .collect();
    let raw_before = raw_insert_rate(&relay.db, &rows[..1000], "before");

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let results: Vec<(HealthRecord, Vec<String>, Vec<Duration>, u64)> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = devices
                .into_iter()
                .enumerate()
                .map(|(i, mut d)| {
                    scope.spawn(move || {
                        let mut transport = http();
                        let (mut mine, mut latencies, mut woken) = (Vec::new(), Vec::new(), 0u64);
                        let mut k = 0u32;
                        while Instant::now() < deadline {
                            let r = reading(i, k);
                            k += 1;
                            d.add_reading(&r).unwrap();
                            mine.push(r.id.to_string());
                            let t = Instant::now();
                            d.sync(&mut transport, &mut |_| {}).unwrap();
                            latencies.push(t.elapsed());
                            // A long poll: answered at once when another device wrote meanwhile.
                            if d.watch().unwrap().wait(&mut transport, 1).unwrap() {
                                woken += 1;
                            }
                        }
                        (d, mine, latencies, woken)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
    let elapsed = started.elapsed();
    let raw_after = raw_insert_rate(&relay.db, &rows[1000..], "after");

    let mut expected = BTreeSet::new();
    let mut all = Vec::new();
    let mut devices = Vec::new();
    let mut woken = 0;
    for (d, mine, lat, w) in results {
        expected.extend(mine);
        all.extend(lat);
        devices.push(d);
        woken += w;
    }
    all.sort();
    let writes = expected.len();
    for _ in 0..3 {
        for d in devices.iter_mut() {
            d.sync(&mut http(), &mut |_| {}).unwrap();
        }
    }
    for d in &devices {
        assert_eq!(ids(d), expected, "a write was lost");
        assert_eq!(
            d.readings(&ReadingQuery::default()).unwrap().readings.len(),
            writes,
            "a write was doubled"
        );
    }
    let storage = relay.storage();
    let (items, tip) = storage
        .begin(None)
        .unwrap()
        .log(&record_id, 0, 1 << 30, 0)
        .unwrap();
    let envelopes = items.iter().filter(|i| i.kind == 2).count();
    // The digests as stored: compaction drops the bytes of envelopes the snapshots cover.
    let mut digests: Vec<_> = items.iter().map(|i| i.digest.clone()).collect();
    digests.sort();
    digests.dedup();
    assert_eq!(digests.len(), items.len(), "an item stored twice");
    assert_eq!(items.last().map(|i| i.seq), Some(tip));
    assert_eq!(items.len() as u64, tip, "a position lost");

    println!(
        "  {writes} readings written, {envelopes} envelopes in the log, none lost or doubled; {woken} long polls answered early"
    );
    println!(
        "  sync round (push + pull) latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} syncs",
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0),
        all.len()
    );
    let ingest = envelopes as f64 / elapsed.as_secs_f64();
    let raw = (raw_before + raw_after) / 2.0;
    println!(
        "  ingest {ingest:.0} envelopes/s through the relay (with {n} devices also pulling and polling) vs raw {backend} insert {raw:.0} rows/s (before {raw_before:.0}, after {raw_after:.0}): ratio {:.2}x",
        raw / ingest
    );
}
