//! Importing a CSV of N readings (COMPANION_BENCH_ROWS, default 100,000: five years of a
//! reading every 26 minutes) into a fresh record file, side by side with inserting the same
//! rows into a plain SQLite table in one transaction (the floor), interleaved, process CPU time
//! of each, ratio printed. Also a second import of the same file (every row a duplicate).
//!
//! Run: `cargo bench -p companion-import --bench import`. Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use companion_core::HealthRecord;
use companion_core::import::Sample;
use companion_core::keystore::{MemoryKeyStore, RecordKeys};
use companion_core::model::Profile;
use companion_core::zone::Zone;
use companion_import::{Format, read};
use rusqlite::{Connection, params};

const RUNS: usize = 2;

/// The process's CPU time so far (user and system).
fn cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the `rusage` it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let t = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, (tv.tv_usec * 1000) as u32);
    t(usage.ru_utime) + t(usage.ru_stime)
}

fn csv(n: usize) -> String {
    let start = Utc::now() - chrono::Duration::minutes(26 * n as i64 + 60);
    let mut text = String::from("time,kind,value,unit,context\n");
    for i in 0..n {
        let at = (start + chrono::Duration::minutes(26 * i as i64)).to_rfc3339();
        match i % 4 {
            0 => text.push_str(&format!("{at},bp,{}/{},mmHg,\n", 120 + i % 40, 75 + i % 20)),
            1 => text.push_str(&format!("{at},glucose,{},mg/dL,random\n", 90 + i % 120)),
            2 => text.push_str(&format!(
                "{at},weight,{},kg,\n",
                80.0 + (i % 50) as f64 / 10.0
            )),
            _ => text.push_str(&format!("{at},heart_rate,{},bpm,\n", 60 + i % 30)),
        }
    }
    text
}

fn main() {
    let n: usize = std::env::var("COMPANION_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let text = csv(n);
    let dir = tempfile::tempdir().unwrap();
    let zone = Zone::named("Europe/Berlin").unwrap();
    let (mut floor, mut ours, mut again) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        // The floor: the same rows into a plain table, one transaction.
        let t = cpu();
        let mut sql = Connection::open(dir.path().join(format!("plain{run}.db"))).unwrap();
        sql.execute_batch(
            "CREATE TABLE readings (at TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, unit TEXT, context TEXT)",
        )
        .unwrap();
        let tx = sql.transaction().unwrap();
        {
            let mut insert = tx
                .prepare("INSERT INTO readings VALUES (?1, ?2, ?3, ?4, ?5)")
                .unwrap();
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                insert
                    .execute(params![f[0], f[1], f[2], f[3], f[4]])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
        floor.push(cpu() - t);

        // Ours: read the file, import it into a fresh record.
        let path = dir.path().join(format!("r{run}.db"));
        let keys = RecordKeys::for_path(Arc::new(MemoryKeyStore::default()), &path);
        let mut record = HealthRecord::create(
            &path,
            &keys,
            &Profile::new("Bench", "Europe/Berlin").unwrap(),
        )
        .unwrap();
        let t = cpu();
        let wall = Instant::now();
        let out = read(text.as_bytes(), Format::Csv, &zone).unwrap();
        let samples: Vec<Sample> = out.samples.into_iter().map(|(_, s)| s).collect();
        let report = record
            .import_readings(&samples, Utc::now(), &mut |_| {})
            .unwrap();
        assert_eq!(report.added as usize, n);
        ours.push(cpu() - t);
        eprintln!(
            "run {run}: import {:.1} s wall; {} alerts, {} stored as history",
            wall.elapsed().as_secs_f64(),
            report.alerts,
            report.history_alerts
        );
        if std::env::var_os("COMPANION_BENCH_FIRST_ONLY").is_some() {
            continue;
        }
        let t = cpu();
        let report = record
            .import_readings(&samples, Utc::now(), &mut |_| {})
            .unwrap();
        assert_eq!(report.duplicates as usize, n);
        again.push(cpu() - t);
    }
    let min = |v: &Vec<Duration>| v.iter().min().copied().unwrap().as_secs_f64();
    println!("{n} readings from a CSV, CPU time, best of {RUNS} interleaved runs:");
    println!(
        "  plain SQLite table, one transaction (floor)  {:>8.2} s",
        min(&floor)
    );
    println!(
        "  companion import into a fresh record         {:>8.2} s  {:>6.1}x",
        min(&ours),
        min(&ours) / min(&floor)
    );
    println!(
        "  the same file again (all duplicates)         {:>8.2} s  {:>6.1}x",
        min(&again),
        min(&again) / min(&floor)
    );
    println!(
        "summary import {:.2}s {:.2}x",
        min(&ours),
        min(&ours) / min(&floor)
    );
}
