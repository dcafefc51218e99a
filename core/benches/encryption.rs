//! What encryption at rest costs: the same five-year record (100,000 readings) kept encrypted
//! (the shipping store: SQLite3 Multiple Ciphers, ChaCha20-Poly1305 pages) and unencrypted (the
//! `bench-plaintext` baseline, same code otherwise), measured alternately, run by run:
//!
//! - open + today: a cold open of the record and the home screen's `today()`;
//! - a write: one reading added in its own transaction (durable: `synchronous = FULL`).
//!
//! Budget (issue 28): each within 1.3x of the unencrypted record. Numbers are printed, never
//! asserted. Run: `cargo bench -p companion-core --bench encryption --features bench-plaintext`.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
use common::{DAYS, EVENTS, event};
use companion_core::HealthRecord;
use companion_core::keystore::{MemoryKeyStore, RecordKeys};
use companion_core::model::{Measurement, Profile, Reading};

const RUNS: usize = 30;
const WRITES: usize = 60;

fn build(path: &Path, keys: &RecordKeys) {
    let profile = Profile::new("Bench", "Europe/Berlin").unwrap();
    let start = (Utc::now() - Span::days(DAYS)).fixed_offset();
    let mut record = HealthRecord::create(path, keys, &profile).unwrap();
    let all: Vec<Reading> = (0..EVENTS).map(|i| event(i, start)).collect();
    for month in
        all.chunk_by(|a, b| a.at.format("%Y-%m").to_string() == b.at.format("%Y-%m").to_string())
    {
        record.add_readings(month).unwrap();
    }
}

fn open_today(path: &Path, keys: &RecordKeys) -> Duration {
    let t = Instant::now();
    let record = HealthRecord::open(path, keys).unwrap();
    black_box(record.today(Utc::now(), "Europe/Berlin").unwrap());
    t.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryKeyStore::default());
    let sealed_path = dir.path().join("sealed.db");
    let plain_path = dir.path().join("plain.db");
    let sealed = RecordKeys::named(store.clone(), "sealed");
    let plain = RecordKeys::plaintext_baseline(store, "plain");
    build(&sealed_path, &sealed);
    build(&plain_path, &plain);
    assert!(
        !std::fs::read(&sealed_path)
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
    assert!(
        std::fs::read(&plain_path)
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );

    let (mut sealed_t, mut plain_t) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        // Alternate which goes first, so neither always meets a warmer cache.
        if run % 2 == 0 {
            sealed_t.push(open_today(&sealed_path, &sealed));
            plain_t.push(open_today(&plain_path, &plain));
        } else {
            plain_t.push(open_today(&plain_path, &plain));
            sealed_t.push(open_today(&sealed_path, &sealed));
        }
    }
    let (s, p) = (median(sealed_t), median(plain_t));
    println!(
        "open + today, 5 years ({EVENTS} readings): encrypted {:.2} ms, unencrypted {:.2} ms, ratio {:.2}x (budget 1.3x)",
        ms(s),
        ms(p),
        s.as_secs_f64() / p.as_secs_f64()
    );

    let mut sealed_record = HealthRecord::open(&sealed_path, &sealed).unwrap();
    let mut plain_record = HealthRecord::open(&plain_path, &plain).unwrap();
    let (mut sealed_w, mut plain_w) = (Vec::new(), Vec::new());
    let now = Utc::now().fixed_offset();
    for i in 0..WRITES {
        let m = Measurement::BloodPressure {
            systolic: 120 + (i % 30) as u16,
            diastolic: 80,
            pulse: None,
        };
        let reading = Reading::new(m, now - Span::minutes(i as i64)).unwrap();
        let write = |record: &mut HealthRecord| {
            let mut r = reading.clone();
            r.id = companion_core::model::new_id();
            let t = Instant::now();
            record.add_reading(&r).unwrap();
            t.elapsed()
        };
        if i % 2 == 0 {
            sealed_w.push(write(&mut sealed_record));
            plain_w.push(write(&mut plain_record));
        } else {
            plain_w.push(write(&mut plain_record));
            sealed_w.push(write(&mut sealed_record));
        }
    }
    let (s, p) = (median(sealed_w), median(plain_w));
    println!(
        "write one reading (own transaction): encrypted {:.3} ms, unencrypted {:.3} ms, ratio {:.2}x (budget 1.3x)",
        ms(s),
        ms(p),
        s.as_secs_f64() / p.as_secs_f64()
    );
}
