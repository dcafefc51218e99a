//! Replicas benchmark, each measurement side by side with its baseline in the same run,
//! interleaved:
//!
//! 1. applying one remote reading, as the single change it is, to a month of 3,000 entries on a
//!    joined replica, vs the local write of that reading (goal: at most 3x); and the change's
//!    bytes vs the reading's JSON;
//! 2. the replica export of a year's record vs the documents' saved size (each document's
//!    Automerge save, as `export_document` gives it; goal: at most 1.1x the bytes), and
//!    merging that export into a replica that has it all (the no-op merge) vs opening it.
//!
//! Run: `cargo bench -p companion-core --bench replicas`. Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::{Datelike, Duration as Span, Utc};
use companion_core::HealthRecord;
use companion_core::model::{Measurement, Profile, Reading};

mod common;
use common::keys;

const WRITES: usize = 200;

fn apply_one_remote_change() {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::new("Bench", "UTC").unwrap();
    let mut phone = HealthRecord::create(
        &dir.path().join("phone.db"),
        &keys(&dir.path().join("phone.db")),
        &profile,
    )
    .unwrap();
    let now = Utc::now();
    let month_start = now
        .date_naive()
        .with_day0(0)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let reading = |i: usize| {
        Reading::new(
            Measurement::HeartRate {
                bpm: 60 + (i % 40) as u16,
            },
            (month_start + Span::seconds((i % 86_400) as i64)).fixed_offset(),
        )
        .unwrap()
    };
    let month: Vec<Reading> = (0..3_000).map(reading).collect();
    phone.add_readings(&month).unwrap();
    let export = phone.replica_export().unwrap();
    let mut clinic = HealthRecord::join(
        &dir.path().join("clinic.db"),
        &keys(&dir.path().join("clinic.db")),
        &export,
    )
    .unwrap();
    let doc = companion_core::crdt::DocId::log_for(month_start).to_string();
    let (mut local, mut remote, mut bytes, mut json) = (Duration::ZERO, Duration::ZERO, 0, 0);
    for i in 0..WRITES {
        let r = reading(3_000 + i);
        let have = clinic.heads(&doc).unwrap();
        let t = Instant::now();
        phone.add_reading(&r).unwrap();
        local += t.elapsed();
        let changes = phone.changes_since(&doc, &have).unwrap();
        bytes += changes.iter().map(Vec::len).sum::<usize>();
        json += serde_json::to_string(&r).unwrap().len();
        let t = Instant::now();
        let report = clinic.apply_remote_changes(&doc, &changes).unwrap();
        remote += t.elapsed();
        assert!(report.changed && report.pending == 0 && report.added == 1);
    }
    let (local, remote) = (
        local.as_secs_f64() / WRITES as f64,
        remote.as_secs_f64() / WRITES as f64,
    );
    println!(
        "  apply one remote reading (one change) to a month of 3,000: {:>8.1} us   local write {:>8.1} us   ratio {:.1}x   (goal <= 3x)",
        remote * 1e6,
        local * 1e6,
        remote / local
    );
    println!(
        "summary replica-apply {:.1}us {:.2}x",
        remote * 1e6,
        remote / local
    );
    println!(
        "  that change: {} bytes on average, the reading's JSON {} bytes: ratio {:.2}x",
        bytes / WRITES,
        json / WRITES,
        bytes as f64 / json as f64
    );
}

fn export_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::new("Bench", "Europe/Berlin").unwrap();
    let mut record = HealthRecord::create(
        &dir.path().join("year.db"),
        &keys(&dir.path().join("year.db")),
        &profile,
    )
    .unwrap();
    // A year of a typical patient: a fifth of the five years the store benchmark uses.
    let start = (Utc::now() - Span::days(365)).fixed_offset();
    let year: Vec<Reading> = (0..common::EVENTS)
        .map(|i| common::event(i, start - Span::days(common::DAYS - 365)))
        .filter(|r| r.at >= start)
        .collect();
    for chunk in year.chunks(500) {
        record.add_readings(chunk).unwrap();
    }
    record.compact().unwrap();
    let docs = record.documents().unwrap();
    let (mut export_t, mut saves_t, mut export_len, mut saves_len) =
        (Duration::ZERO, Duration::ZERO, 0, 0);
    const RUNS: usize = 5;
    for _ in 0..RUNS {
        let t = Instant::now();
        export_len = record.replica_export().unwrap().len();
        export_t += t.elapsed();
        let t = Instant::now();
        saves_len = docs
            .iter()
            .map(|d| record.export_document(d).unwrap().len())
            .sum::<usize>();
        saves_t += t.elapsed();
    }
    println!(
        "  replica export of a year ({} readings, {} documents): {:>8.1} KB   the documents' saves {:>8.1} KB   ratio {:.3}x   (goal <= 1.1x)",
        year.len(),
        docs.len(),
        export_len as f64 / 1024.0,
        saves_len as f64 / 1024.0,
        export_len as f64 / saves_len as f64
    );
    println!(
        "    time: export {:>7.1} ms   the saves alone {:>7.1} ms   ratio {:.2}x",
        export_t.as_secs_f64() * 1e3 / RUNS as f64,
        saves_t.as_secs_f64() * 1e3 / RUNS as f64,
        export_t.as_secs_f64() / saves_t.as_secs_f64()
    );
    println!(
        "summary replica-export {:.1}KB {:.3}x",
        export_len as f64 / 1024.0,
        export_len as f64 / saves_len as f64
    );
    let export = record.replica_export().unwrap();
    let t = Instant::now();
    let mut joined = HealthRecord::join(
        &dir.path().join("joined.db"),
        &keys(&dir.path().join("joined.db")),
        &export,
    )
    .unwrap();
    let join_t = t.elapsed();
    let t = Instant::now();
    let report = joined.merge_replica(&export).unwrap();
    let merge_t = t.elapsed();
    assert_eq!(report.documents, 0);
    println!(
        "    join from it {:>7.1} ms   merging it again (nothing new) {:>7.1} ms",
        join_t.as_secs_f64() * 1e3,
        merge_t.as_secs_f64() * 1e3
    );
}

fn main() {
    println!("merging (mean of {WRITES}, interleaved):");
    apply_one_remote_change();
    if std::env::var_os("ONLY_APPLY").is_none() {
        println!("replica export:");
        export_a_year();
    }
}
