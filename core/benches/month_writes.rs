//! A cold single write (a process that opens the record, adds one reading and exits, as
//! `companion reading add` does) into a month already holding 100, 1,000 and 3,000 entries,
//! side by side with a process that inserts one row into a plain SQLite table holding as many
//! rows: whole-process CPU time of each (user and system, from `getrusage` of the children),
//! interleaved, medians and ratios printed. Flat from 100 to 3,000 is the goal, and 3x.
//!
//! The children are this bench binary run again with `COMPANION_MONTH_CHILD` set.
//!
//! Run: `cargo bench -p companion-core --bench month_writes`. Numbers are printed, never
//! asserted.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chrono::{Datelike, Duration as Span, Utc};
use common::keys;
use companion_core::HealthRecord;
use companion_core::model::{Measurement, Profile, Reading};
use rusqlite::Connection;

const CHILD: &str = "COMPANION_MONTH_CHILD";
const RUNS: usize = 9;
const SIZES: [usize; 3] = [100, 1_000, 3_000];

/// The CPU time the process's waited-for children used so far.
fn children_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the `rusage` it is given; RUSAGE_CHILDREN is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    let t = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, (tv.tv_usec * 1000) as u32);
    t(usage.ru_utime) + t(usage.ru_stime)
}

fn reading(i: usize) -> Reading {
    // Within the current UTC month, before now.
    let now = Utc::now();
    let month_start = now
        .date_naive()
        .with_day(1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let span = (now - month_start).num_seconds().max(60);
    let at = month_start + Span::seconds((i as i64 * 7919) % span);
    Reading::new(
        Measurement::BloodPressure {
            systolic: 110 + (i % 60) as u16,
            diastolic: 70 + (i % 20) as u16,
            pulse: None,
        },
        at.fixed_offset(),
    )
    .unwrap()
}

/// The child: one cold write, then exit.
fn child(what: &str, path: &Path) {
    match what {
        "record" => {
            let mut record = HealthRecord::open(path, &keys(path)).unwrap();
            record.add_reading(&reading(12_345)).unwrap();
        }
        _ => {
            let conn = Connection::open(path).unwrap();
            conn.execute(
                "INSERT INTO readings (at_ms, kind, v1, v2) VALUES (?1, 'blood_pressure', 120, 80)",
                [Utc::now().timestamp_millis()],
            )
            .unwrap();
        }
    }
}

fn run_child(what: &str, path: &Path) -> Duration {
    let before = children_cpu();
    let status = Command::new(std::env::current_exe().unwrap())
        .arg("--bench")
        .env(CHILD, format!("{what}:{}", path.display()))
        .status()
        .unwrap();
    assert!(status.success());
    children_cpu() - before
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        let (what, path) = spec.split_once(':').unwrap();
        child(what, Path::new(path));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for n in SIZES {
        let path = dir.path().join(format!("month{n}.db"));
        let mut record =
            HealthRecord::create(&path, &keys(&path), &Profile::new("Bench", "UTC").unwrap())
                .unwrap();
        let readings: Vec<Reading> = (0..n).map(reading).collect();
        record.add_readings(&readings).unwrap();
        drop(record);
        let plain = dir.path().join(format!("plain{n}.db"));
        let conn = Connection::open(&plain).unwrap();
        conn.execute_batch(
            "CREATE TABLE readings (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, kind TEXT NOT NULL, v1 REAL, v2 REAL);
             CREATE INDEX readings_at ON readings (at_ms);",
        )
        .unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        for r in &readings {
            let (v1, v2) = r.measurement.values();
            tx.execute(
                "INSERT INTO readings (at_ms, kind, v1, v2) VALUES (?1, 'blood_pressure', ?2, ?3)",
                rusqlite::params![r.at.timestamp_millis(), v1, v2],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        cases.push((n, path, plain));
    }
    println!(
        "one cold write (a whole process) into a month of N entries, CPU, median of {RUNS} interleaved runs:"
    );
    for (n, path, plain) in &cases {
        let (mut ours, mut base) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            base.push(run_child("plain", plain));
            ours.push(run_child("record", path));
        }
        let (ours, base) = (median(ours), median(base));
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "  {n:>5} entries: record {:>7.1} ms, plain SQLite {:>6.1} ms, {:>5.1}x",
            ms(ours),
            ms(base),
            ms(ours) / ms(base)
        );
        println!(
            "summary cold-write-{n} {:.2}ms {:.2}x",
            ms(ours),
            ms(ours) / ms(base)
        );
    }
}
