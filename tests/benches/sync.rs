//! Sync benchmark, against a real relay process on loopback, each measurement side by side with
//! its baseline in the same run:
//!
//! 1. incremental sync of one new reading into a month of 3,000 (the patient pushes, the
//!    caregiver pulls): round trips and body bytes on the wire, vs Automerge's own sync
//!    protocol between two in-memory peers holding the same document and receiving the same
//!    change (goal: one round trip each way; bytes within 2x), interleaved per reading;
//! 2. bootstrap of a new device (join with an invite) on a year of readings: bytes received
//!    and time, vs the documents' saved size (goal: at most 1.3x the bytes) and vs joining
//!    from a replica export file (no network, no crypto);
//! 3. bootstrap after two years of use through the relay from the first day, once with one
//!    sync a day and once with two (twice the envelopes for the same data): bytes received vs
//!    the saves, which must not grow with the number of changes sent.
//!
//! HTTP headers are not counted (about 400 bytes a request, the signature's among them);
//! Automerge's in-memory messages have none. Run: `cargo bench -p companion-scenarios --bench
//! sync`. Numbers are printed, never asserted.
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use automerge::sync::{State, SyncDoc};
use chrono::{Datelike, Duration as Span, Utc};
use companion_core::HealthRecord;
use companion_core::model::{Measurement, Profile, Reading};
use companion_core::sync::{HttpTransport, Role};
use companion_scenarios::RelayProcess;
use companion_scenarios::keys;

const ROUNDS: usize = 50;

fn http() -> HttpTransport {
    HttpTransport::new().unwrap()
}

/// Runs Automerge's sync protocol between `a` and `b` until neither has anything to send;
/// returns (messages, bytes).
fn automerge_sync(
    a: &mut automerge::Automerge,
    b: &mut automerge::Automerge,
    sa: &mut State,
    sb: &mut State,
) -> (usize, usize) {
    let (mut messages, mut bytes) = (0, 0);
    loop {
        let mut quiet = true;
        if let Some(m) = a.generate_sync_message(sa) {
            let enc = m.encode();
            messages += 1;
            bytes += enc.len();
            b.receive_sync_message(sb, automerge::sync::Message::decode(&enc).unwrap())
                .unwrap();
            quiet = false;
        }
        if let Some(m) = b.generate_sync_message(sb) {
            let enc = m.encode();
            messages += 1;
            bytes += enc.len();
            a.receive_sync_message(sa, automerge::sync::Message::decode(&enc).unwrap())
                .unwrap();
            quiet = false;
        }
        if quiet {
            return (messages, bytes);
        }
    }
}

fn incremental(relay: &RelayProcess, dir: &std::path::Path) {
    let profile = Profile::new("Bench", "UTC").unwrap();
    let mut patient = HealthRecord::create(
        &dir.join("patient.db"),
        &keys(&dir.join("patient.db")),
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
    patient.add_readings(&month).unwrap();
    let code = patient
        .invite(
            Role::Caregiver,
            None,
            Duration::from_secs(600),
            Some(&relay.url),
            &mut http(),
        )
        .unwrap()
        .code;
    let (mut carer, _) = HealthRecord::join_invite(
        &dir.join("carer.db"),
        &keys(&dir.join("carer.db")),
        &code,
        None,
        &mut http(),
        &mut |_| {},
    )
    .unwrap();
    let doc = companion_core::crdt::DocId::log_for(month_start).to_string();
    // Automerge's peers hold the same document, in sync.
    let saved = patient.export_document(&doc).unwrap();
    let mut a = automerge::Automerge::load(&saved).unwrap();
    let mut b = automerge::Automerge::load(&saved).unwrap();
    let (mut sa, mut sb) = (State::new(), State::new());
    automerge_sync(&mut a, &mut b, &mut sa, &mut sb);
    let mut transport = http();
    let (mut ours_t, mut theirs_t) = (Duration::ZERO, Duration::ZERO);
    let (mut push_bytes, mut pull_bytes, mut own_pull_bytes, mut am_bytes) = (0, 0, 0, 0);
    let (mut push_requests, mut pull_requests, mut am_messages) = (0, 0, 0);
    for i in 0..ROUNDS {
        let have = patient.heads(&doc).unwrap();
        patient.add_reading(&reading(3_000 + i)).unwrap();
        let changes = patient.changes_since(&doc, &have).unwrap();
        // Ours: the patient syncs (push, then its own pull), the caregiver syncs (pull).
        let t = Instant::now();
        let p = patient.sync(&mut transport, &mut |_| {}).unwrap();
        let c = carer.sync(&mut transport, &mut |_| {}).unwrap();
        ours_t += t.elapsed();
        assert_eq!(c.applied, 1);
        push_requests += p.requests - 1;
        push_bytes += p.bytes_sent;
        own_pull_bytes += p.bytes_received;
        pull_requests += c.requests;
        pull_bytes += c.bytes_received + c.bytes_sent;
        // Automerge's: the same change into peer a, then the protocol to quiet.
        let t = Instant::now();
        a.apply_changes(
            changes
                .iter()
                .map(|c| automerge::Change::from_bytes(c.clone()).unwrap()),
        )
        .unwrap();
        let (m, bytes) = automerge_sync(&mut a, &mut b, &mut sa, &mut sb);
        theirs_t += t.elapsed();
        am_messages += m;
        am_bytes += bytes;
    }
    let n = ROUNDS as f64;
    let ours = (push_bytes + pull_bytes) as f64 / n;
    let theirs = am_bytes as f64 / n;
    println!(
        "incremental sync of one new reading into a month of 3,000 (mean of {ROUNDS}, interleaved):"
    );
    println!(
        "  ours: push {:.1} request(s) {:.0} bytes + pull {:.1} request(s) {:.0} bytes = {:.0} bytes \
         (and the pusher's own pull, {:.0} bytes)",
        push_requests as f64 / n,
        push_bytes as f64 / n,
        pull_requests as f64 / n,
        pull_bytes as f64 / n,
        ours,
        own_pull_bytes as f64 / n
    );
    println!(
        "  Automerge sync protocol (in memory): {:.1} messages ({:.1} round trips), {:.0} bytes",
        am_messages as f64 / n,
        am_messages as f64 / n / 2.0,
        theirs
    );
    println!(
        "  bytes ratio {:.2}x (goal <= 2x); one round trip each way: {}",
        ours / theirs,
        if push_requests == ROUNDS as u64 && pull_requests == ROUNDS as u64 {
            "yes"
        } else {
            "no"
        }
    );
    println!(
        "  time: ours {:.1} ms (two HTTP syncs on loopback, signed, sealed, durable) vs Automerge {:.2} ms",
        ours_t.as_secs_f64() * 1e3 / n,
        theirs_t.as_secs_f64() * 1e3 / n
    );
}

fn bootstrap(relay: &RelayProcess, dir: &std::path::Path) {
    let profile = Profile::new("Bench", "Europe/Berlin").unwrap();
    let mut patient =
        HealthRecord::create(&dir.join("year.db"), &keys(&dir.join("year.db")), &profile).unwrap();
    let start = (Utc::now() - Span::days(365)).fixed_offset();
    let year: Vec<Reading> = (0..20_000)
        .map(|i| {
            Reading::new(
                Measurement::HeartRate {
                    bpm: 50 + (i % 90) as u16,
                },
                start + Span::minutes(i as i64 * 26),
            )
            .unwrap()
        })
        .collect();
    for chunk in year.chunks(500) {
        patient.add_readings(chunk).unwrap();
    }
    patient.compact().unwrap();
    let docs = patient.documents().unwrap();
    let saved: usize = docs
        .iter()
        .map(|d| patient.export_document(d).unwrap().len())
        .sum();
    patient.share(&relay.url, &mut http()).unwrap();
    let export = patient.replica_export().unwrap();
    const RUNS: usize = 3;
    let (mut ours_t, mut file_t, mut received) = (Duration::ZERO, Duration::ZERO, 0);
    for run in 0..RUNS {
        let code = patient
            .invite(
                Role::Viewer,
                None,
                Duration::from_secs(600),
                None,
                &mut http(),
            )
            .unwrap()
            .code;
        let t = Instant::now();
        let (joined, report) = HealthRecord::join_invite(
            &dir.join(format!("new-{run}.db")),
            &keys(&dir.join(format!("new-{run}.db"))),
            &code,
            None,
            &mut http(),
            &mut |_| {},
        )
        .unwrap();
        ours_t += t.elapsed();
        received += report.bytes_received;
        assert_eq!(joined.documents().unwrap().len(), docs.len());
        let t = Instant::now();
        HealthRecord::join(
            &dir.join(format!("file-{run}.db")),
            &keys(&dir.join(format!("file-{run}.db"))),
            &export,
        )
        .unwrap();
        file_t += t.elapsed();
    }
    let received = received as f64 / RUNS as f64;
    println!(
        "bootstrap of a new device on a year ({} readings, {} documents; mean of {RUNS}):",
        year.len(),
        docs.len()
    );
    println!(
        "  bytes received {:.1} KB vs the documents' saves {:.1} KB: ratio {:.3}x (goal <= 1.3x)",
        received / 1000.0,
        saved as f64 / 1000.0,
        received / saved as f64
    );
    println!(
        "  time: join with an invite {:.0} ms vs join from a replica export file {:.0} ms: ratio {:.2}x",
        ours_t.as_secs_f64() * 1e3 / RUNS as f64,
        file_t.as_secs_f64() * 1e3 / RUNS as f64,
        ours_t.as_secs_f64() / file_t.as_secs_f64()
    );
}

/// Two years of use through the relay from day one (about 55 readings a day, `syncs` syncs a
/// day, the owner uploading snapshots as the log grows), then a new device joins: the bytes it
/// receives vs the documents' saves.
fn two_years(
    relay: &RelayProcess,
    dir: &std::path::Path,
    syncs: usize,
) -> (usize, u64, usize, u64) {
    let profile = Profile::new("Bench", "Europe/Berlin").unwrap();
    let mut patient = HealthRecord::create(
        &dir.join(format!("two-{syncs}.db")),
        &keys(&dir.join(format!("two-{syncs}.db"))),
        &profile,
    )
    .unwrap();
    patient.share(&relay.url, &mut http()).unwrap();
    let start = (Utc::now() - Span::days(730)).fixed_offset();
    let per_day = 55;
    let mut n = 0;
    for day in 0..730 {
        for part in 0..syncs {
            let readings: Vec<Reading> = (0..per_day / syncs)
                .map(|i| {
                    n += 1;
                    Reading::new(
                        Measurement::HeartRate {
                            bpm: 50 + (n % 90) as u16,
                        },
                        start + Span::days(day) + Span::minutes((part * 600 + i * 10) as i64),
                    )
                    .unwrap()
                })
                .collect();
            patient.add_readings(&readings).unwrap();
            patient.sync(&mut http(), &mut |_| {}).unwrap();
        }
    }
    patient.compact().unwrap();
    let saved: usize = patient
        .documents()
        .unwrap()
        .iter()
        .map(|d| patient.export_document(d).unwrap().len())
        .sum();
    let tip = patient.sync(&mut http(), &mut |_| {}).unwrap().cursor;
    let code = patient
        .invite(
            Role::Viewer,
            None,
            Duration::from_secs(600),
            None,
            &mut http(),
        )
        .unwrap()
        .code;
    let (_, report) = HealthRecord::join_invite(
        &dir.join(format!("two-new-{syncs}.db")),
        &keys(&dir.join(format!("two-new-{syncs}.db"))),
        &code,
        None,
        &mut http(),
        &mut |_| {},
    )
    .unwrap();
    (n, tip, saved, report.bytes_received)
}

fn main() {
    companion_scenarios::relay_child();
    let dir = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(dir.path(), "bench-relay");
    incremental(&relay, dir.path());
    bootstrap(&relay, dir.path());
    println!(
        "bootstrap after two years of daily use through the relay (snapshots refreshed every 256 log positions or a quarter of their bytes; the relay compacts what they cover):"
    );
    for syncs in [1, 2] {
        let (readings, tip, saved, received) = two_years(&relay, dir.path(), syncs);
        println!(
            "  {syncs} sync(s) a day: {readings} readings, log of {tip} positions; bytes received {:.1} KB vs the documents' saves {:.1} KB: ratio {:.3}x (goal <= 1.3x)",
            received as f64 / 1000.0,
            saved as f64 / 1000.0,
            received as f64 / saved as f64
        );
    }
}
