//! Crash safety: a writer process killed with SIGKILL at a random moment loses no write that it
//! had acknowledged, and leaves an index equal to a rebuild from the documents.
//!
//! The writer is this same test binary, re-run with `COMPANION_CRASH_DB` set, so no helper
//! binary has to be built. It prints `ID <id>` on stderr after each write returns.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, FixedOffset, Utc};
use companion_core::HealthRecord;
use companion_core::model::{JournalEntry, Measurement, Profile, Reading};

const DB_VAR: &str = "COMPANION_CRASH_DB";

/// The child: writes readings (and now and then a journal entry and a compaction) until killed.
#[test]
fn crash_writer_child() {
    let Ok(path) = std::env::var(DB_VAR) else {
        return; // Run as a normal test: nothing to do.
    };
    let mut record = HealthRecord::open(path.as_ref()).expect("open");
    let mut err = std::io::stderr().lock();
    for i in 0u32.. {
        let now: DateTime<FixedOffset> = Utc::now().fixed_offset();
        let m = Measurement::BloodPressure {
            systolic: 110 + (i % 60) as u16,
            diastolic: 70 + (i % 20) as u16,
            pulse: Some(60 + (i % 30) as u16),
        };
        let reading =
            Reading::new(m, now - chrono::Duration::days(i64::from(i % 90))).expect("valid");
        record.add_reading(&reading).expect("write");
        writeln!(err, "ID {}", reading.id).expect("print");
        if i % 7 == 3 {
            let entry = JournalEntry::new(now, "note", Some(3), vec![]).expect("valid");
            record.add_journal_entry(&entry).expect("write");
            writeln!(err, "JOURNAL {}", entry.id).expect("print");
        }
        if i % 40 == 39 {
            record.compact().expect("compact");
        }
    }
}

/// A small PRNG (xorshift) seeded from the clock: the kill moments differ on every run.
struct Jitter(u64);

impl Jitter {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

#[test]
fn sigkill_at_any_moment_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.db");
    let profile = Profile::new("Ana", "Europe/Berlin").expect("profile");
    drop(HealthRecord::create(&path, &profile).expect("create"));
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut jitter = Jitter(seed);
    let exe = std::env::current_exe().expect("test binary");
    let (mut readings, mut journal) = (Vec::new(), Vec::new());
    const ROUNDS: usize = 24;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "crash_writer_child",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DB_VAR, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn writer");
        let stderr = child.stderr.take().expect("stderr");
        let reader = std::thread::spawn(move || {
            BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        // Let it write for a random while (at least until it has started), then kill it.
        let wait = Duration::from_millis(40 + jitter.next(260));
        let start = Instant::now();
        while start.elapsed() < wait {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let lines = reader.join().expect("reader");
        let before = readings.len();
        for line in lines {
            match line.split_once(' ') {
                Some(("ID", id)) if id.len() == 36 => readings.push(id.to_string()),
                Some(("JOURNAL", id)) if id.len() == 36 => journal.push(id.to_string()),
                _ => {}
            }
        }
        let mut record = HealthRecord::open(&path).expect("reopen after kill");
        for id in &readings {
            assert!(
                record.reading(id).is_ok(),
                "round {round}: acknowledged reading lost"
            );
        }
        let entries = record
            .journal(companion_core::TimeRange::ALL)
            .expect("journal");
        for id in &journal {
            assert!(
                entries.iter().any(|e| &e.id == id),
                "round {round}: journal entry lost"
            );
        }
        let incremental = record.export().expect("export");
        record.rebuild_index().expect("rebuild");
        assert_eq!(
            record.export().expect("export"),
            incremental,
            "round {round}"
        );
        eprintln!(
            "round {round}: killed after {wait:?}, {} acknowledged writes this round",
            readings.len() - before
        );
    }
    assert!(
        readings.len() > ROUNDS,
        "the writer should have acknowledged writes before being killed"
    );
}
