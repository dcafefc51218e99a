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
use companion_scenarios::keys;

const DB_VAR: &str = "COMPANION_CRASH_DB";

/// The child: writes readings (and now and then a journal entry and a compaction) until killed.
#[test]
fn crash_writer_child() {
    let Ok(path) = std::env::var(DB_VAR) else {
        return; // Run as a normal test: nothing to do.
    };
    let mut record = HealthRecord::open(path.as_ref(), &keys(path.as_ref())).expect("open");
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
    drop(HealthRecord::create(&path, &keys(&path), &profile).expect("create"));
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
        let mut record = HealthRecord::open(&path, &keys(&path)).expect("reopen after kill");
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

const MIGRATE_VAR: &str = "COMPANION_CRASH_MIGRATE_DB";

/// The child: opens a plaintext record (which encrypts it in place), then says so.
#[test]
fn crash_migrate_child() {
    let Ok(path) = std::env::var(MIGRATE_VAR) else {
        return;
    };
    let keys = keys(path.as_ref());
    eprintln!("STARTING");
    drop(HealthRecord::open(path.as_ref(), &keys).expect("open"));
    eprintln!("OPENED");
}

/// A record at `path` holding 6,000 readings (about 300 days of them): big enough that a
/// whole-file copy takes a while to kill inside. Returns its export.
fn six_thousand_readings(path: &std::path::Path) -> companion_core::Export {
    let profile = Profile::new("Ana", "Europe/Berlin").expect("profile");
    let mut record = HealthRecord::create(path, &keys(path), &profile).expect("create");
    let start = Utc::now().fixed_offset() - chrono::Duration::days(300);
    let batch: Vec<Reading> = (0..6000u32)
        .map(|i| {
            let m = Measurement::BloodPressure {
                systolic: 110 + (i % 60) as u16,
                diastolic: 70 + (i % 20) as u16,
                pulse: None,
            };
            Reading::new(m, start + chrono::Duration::minutes(i64::from(i) * 70)).expect("valid")
        })
        .collect();
    record.add_readings(&batch).expect("write");
    record.export().expect("export")
}

/// Runs the child test `child` (with `var` set to `path`) `rounds` times, each killed at a
/// random instant of the operation itself: the child says `STARTING` just before it begins, and
/// the kill falls from then to a little past the operation's length as a whole run measured it
/// (so process start-up, however slow, never takes the kills). `before` readies each round,
/// `after` checks what the kill left. Returns how many runs were killed before they said
/// `done`, and how many after.
fn kill_at_random(
    child: &str,
    var: &str,
    path: &std::path::Path,
    done: &str,
    rounds: u32,
    mut before: impl FnMut(),
    mut after: impl FnMut(u32),
) -> (u32, u32) {
    let exe = std::env::current_exe().expect("test binary");
    let run = || {
        let mut child = Command::new(&exe)
            .args([child, "--exact", "--nocapture", "--test-threads=1"])
            .env(var, path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut said = BufReader::new(child.stderr.take().expect("stderr"));
        // Wait for the operation to begin.
        let mut line = String::new();
        while said.read_line(&mut line).expect("read") > 0 && !line.contains("STARTING") {
            line.clear();
        }
        assert!(line.contains("STARTING"), "the child never began");
        (child, said)
    };
    let rest = |mut said: BufReader<std::process::ChildStderr>| {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut said, &mut text);
        text
    };
    // How long the operation takes here, from its start: the kills fall across it.
    before();
    let (mut timed, said) = run();
    let started = Instant::now();
    let text = rest(said);
    let whole = started.elapsed();
    timed.wait().expect("run");
    assert!(text.contains(done), "a whole run says {done}");
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut jitter = Jitter(seed);
    let (mut interrupted, mut finished) = (0, 0);
    for round in 0..rounds {
        before();
        let micros = whole.as_micros() as u64;
        // Within the operation, and now and then just past it.
        let wait = Duration::from_micros(jitter.next(micros + micros / 4 + 1));
        let (mut child, said) = run();
        std::thread::sleep(wait);
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        if rest(said).contains(done) {
            finished += 1;
        } else {
            interrupted += 1;
        }
        after(round);
        eprintln!("round {round}: killed {wait:?} into an operation of {whole:?}");
    }
    (interrupted, finished)
}

/// Encryption in place of an earlier version's plaintext record, killed at random instants
/// (before, during and after the copy and the rename): the record opens afterwards with every
/// entry, encrypted.
#[test]
fn sigkill_during_encryption_in_place_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.db");
    let expected = six_thousand_readings(&path);
    companion_scenarios::make_plaintext(&path);
    let plain = std::fs::read(&path).expect("read");
    let key_store = dir.path().join("keys").join("keys.json");
    let plain_keys = std::fs::read(&key_store).expect("keys");
    let (mut plain_left, mut partial_left, mut encrypted_left) = (0, 0, 0);
    let partial = dir.path().join("record.db.encrypting");
    let (interrupted, finished) = kill_at_random(
        "crash_migrate_child",
        MIGRATE_VAR,
        &path,
        "OPENED",
        24,
        || {
            std::fs::write(&path, &plain).expect("plaintext again");
            std::fs::write(&key_store, &plain_keys).expect("keys again");
        },
        |round| {
            // Where the kill fell: before the copy, during it (a partial file beside the
            // record), or after the rename.
            if std::fs::read(&path)
                .expect("read")
                .starts_with(b"SQLite format 3\0")
            {
                plain_left += 1;
                if partial.exists() {
                    partial_left += 1;
                }
            } else {
                encrypted_left += 1;
            }
            let record = HealthRecord::open(&path, &keys(&path)).expect("opens after the kill");
            assert_eq!(record.export().expect("export"), expected, "round {round}");
            drop(record);
            assert!(
                !std::fs::read(&path)
                    .expect("read")
                    .starts_with(b"SQLite format 3\0"),
                "round {round}: encrypted now"
            );
        },
    );
    eprintln!(
        "{interrupted} runs killed before they finished, {finished} after; the kill left the \
         record plaintext {plain_left} times ({partial_left} with a partial copy beside it), \
         encrypted {encrypted_left} times"
    );
    assert!(interrupted > 0, "no kill fell inside a run");
}

const REKEY_VAR: &str = "COMPANION_CRASH_REKEY_DB";

/// The child: rekeys a record file, then says so.
#[test]
fn crash_rekey_child() {
    let Ok(path) = std::env::var(REKEY_VAR) else {
        return;
    };
    let keys = keys(path.as_ref());
    eprintln!("STARTING");
    HealthRecord::rekey(path.as_ref(), &keys).expect("rekey");
    eprintln!("REKEYED");
}

/// A rekey killed at random instants (before, during and after the copy, the rename and the
/// key store's update): the record opens afterwards, under the old key or the new one, with
/// every entry; a rekey run again after it finishes.
#[test]
fn sigkill_during_a_rekey_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("record.db");
    let expected = six_thousand_readings(&path);
    let (interrupted, finished) = kill_at_random(
        "crash_rekey_child",
        REKEY_VAR,
        &path,
        "REKEYED",
        16,
        || {},
        |round| {
            let record = HealthRecord::open(&path, &keys(&path)).expect("opens after the kill");
            assert_eq!(record.export().expect("export"), expected, "round {round}");
        },
    );
    eprintln!("{interrupted} rekeys killed before they finished, {finished} after");
    assert!(interrupted > 0, "no kill fell inside a rekey");
}
