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
//!
//! As a soak: `COMPANION_LOAD_HOSTILE=1` adds a caregiver that keeps posting garbage (validly
//! signed envelopes sealed under no member's key, some over the relay's envelope limit, and
//! bytes that are no envelope at all); `COMPANION_LOAD_RESTART_SECONDS=S` kills and restarts
//! the relay at random moments, S seconds apart on average (`COMPANION_LOAD_SAMPLE_SECONDS=S`
//! without restarts samples its memory every S seconds). Honest devices ride out the restarts
//! (a failed sync is retried on the next round) and must still end with every honest write and
//! nothing else; the relay's resident memory is printed at each restart and at the end.
#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use companion_core::model::{Measurement, Profile, Reading};
use companion_core::sync::{HttpTransport, Role};
use companion_core::{HealthRecord, ReadingQuery};
use companion_scenarios::RelayProcess;
use companion_scenarios::keys;

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

/// Posts garbage as the caregiver whose file is at `path` until `deadline`: envelopes signed
/// by it but sealed under no member's key (some over the relay's envelope limit), and bytes
/// that are no envelope. Returns (refused by the relay, taken by it).
fn hostile_loop(path: &std::path::Path, record: &str, url: &str, deadline: Instant) -> (u64, u64) {
    use companion_core::sync::Transport as _;
    use companion_core::sync::wire;
    let conn = companion_scenarios::sqlite(path);
    let (_, bytes) = companion_scenarios::sync_secrets(path)
        .into_iter()
        .find(|(name, _)| name == "device")
        .unwrap();
    let epoch: u32 = conn
        .query_row(
            "SELECT value FROM sync_state WHERE key = 'epoch'",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap()
        .parse()
        .unwrap();
    drop(conn);
    let keys = companion_core::crypto::DeviceKeys::from_bytes(&bytes).unwrap();
    let record_bytes = wire::record_bytes(record).unwrap();
    let mut transport = http();
    let (mut refused, mut taken) = (0u64, 0u64);
    let mut n = 0usize;
    while Instant::now() < deadline {
        n += 1;
        let body = match n % 3 {
            0 => b"not an envelope at all".to_vec(),
            1 => vec![0x5a; 5 << 20],
            _ => vec![0xa5; 600 << 10],
        };
        let blob = if n.is_multiple_of(3) {
            body
        } else {
            wire::Envelope::seal(record_bytes, &keys.signing, epoch, &[9u8; 32], None, &body)
                .unwrap()
                .bytes
        };
        let path = format!("/v1/records/{record}/envelopes");
        let body = wire::encode_blobs(&[blob]);
        let now = chrono::Utc::now().timestamp_millis();
        let headers = wire::sign_request(&keys.signing, "POST", &path, &body, now)
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let request = companion_core::sync::Request {
            method: "POST",
            path,
            headers,
            body,
        };
        match transport.send(url, &request) {
            Ok(r) if r.status == 200 => taken += 1,
            Ok(_) => refused += 1,
            Err(_) => {}
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    (refused, taken)
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
    let hostile = env("COMPANION_LOAD_HOSTILE", 0) == 1;
    let restart_every = env("COMPANION_LOAD_RESTART_SECONDS", 0);
    let sample_every = env("COMPANION_LOAD_SAMPLE_SECONDS", 0);
    let dir = tempfile::tempdir().unwrap();
    let mut relay = RelayProcess::start(dir.path(), "bench-relay");
    let backend = if relay.db.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    println!(
        "relay load: {n} devices, {seconds} s, relay storage {backend}{}{}",
        if hostile { ", one hostile member" } else { "" },
        if restart_every > 0 {
            format!(", the relay restarted at random, every {restart_every} s on average")
        } else {
            String::new()
        }
    );

    let profile = Profile::new("Ana", "Europe/Berlin").unwrap();
    let mut owner = HealthRecord::create(
        &dir.path().join("d0.db"),
        &keys(&dir.path().join("d0.db")),
        &profile,
    )
    .unwrap();
    // A caregiver's device joined at `path`.
    let mut caregiver = |path: &std::path::Path| {
        let code = owner
            .invite(
                Role::Caregiver,
                None,
                Duration::from_secs(3600),
                Some(&relay.url),
                &mut http(),
            )
            .unwrap()
            .code;
        HealthRecord::join_invite(path, &keys(path), &code, None, &mut http(), &mut |_| {})
            .unwrap()
            .0
    };
    let mut devices: Vec<HealthRecord> = (1..n)
        .map(|i| caregiver(&dir.path().join(format!("d{i}.db"))))
        .collect();
    let attacker = hostile.then(|| {
        let path = dir.path().join("hostile.db");
        caregiver(&path);
        path
    });
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
    let rss_start = relay.rss_kb();
    let url = relay.url.clone();
    let mut rss_seen = Vec::new();
    let mut hostile_posts = (0u64, 0u64);
    let results: Vec<(HealthRecord, Vec<String>, Vec<Duration>, u64)> =
        std::thread::scope(|scope| {
            let attack = attacker.as_ref().map(|path| {
                let record_id = record_id.clone();
                let url = url.clone();
                scope.spawn(move || hostile_loop(path, &record_id, &url, deadline))
            });
            // Restarts the relay every `restart_every` seconds, or only samples its memory
            // every `sample_every`.
            let every = if restart_every > 0 {
                restart_every
            } else {
                sample_every
            };
            let restarts = (every > 0).then(|| {
                let relay = &mut relay;
                let rss_seen = &mut rss_seen;
                scope.spawn(move || {
                    // Restarts at random moments, between half and one and a half times the
                    // interval apart (a small LCG seeded by the clock: no crate for one line).
                    let mut seed =
                        u64::from(std::process::id()) ^ started.elapsed().as_nanos() as u64;
                    let mut next = || {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        let millis = every * 1000;
                        if restart_every > 0 {
                            millis / 2 + (seed >> 33) % millis
                        } else {
                            millis
                        }
                    };
                    loop {
                        let pause = Duration::from_millis(next());
                        if Instant::now() + pause >= deadline {
                            break;
                        }
                        std::thread::sleep(pause);
                        rss_seen.push(relay.rss_kb());
                        if restart_every > 0 {
                            relay.restart();
                        }
                    }
                })
            });
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
                            // A relay restarting now: this round's changes go with the next.
                            if d.sync(&mut transport, &mut |_| {}).is_err() {
                                continue;
                            }
                            latencies.push(t.elapsed());
                            // A long poll: answered at once when another device wrote meanwhile.
                            if let Ok(true) = d.watch().unwrap().wait(&mut transport, 1) {
                                woken += 1;
                            }
                        }
                        (d, mine, latencies, woken)
                    })
                })
                .collect();
            let out = handles.into_iter().map(|h| h.join().unwrap()).collect();
            if let Some(h) = attack {
                hostile_posts = h.join().unwrap();
            }
            if let Some(h) = restarts {
                h.join().unwrap();
            }
            out
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
    if hostile {
        let quarantined: Vec<usize> = devices
            .iter()
            .map(|d| d.members().unwrap().quarantined.len())
            .collect();
        println!(
            "  hostile member: {} posts refused by the relay, {} taken and then quarantined by every device ({quarantined:?})",
            hostile_posts.0, hostile_posts.1
        );
    }
    let rss_end = relay.rss_kb();
    println!(
        "  relay resident memory: {} kB after setup, {} kB at the end{}",
        rss_start.unwrap_or(0),
        rss_end.unwrap_or(0),
        if rss_seen.is_empty() {
            String::new()
        } else {
            format!(
                ", {} {:?}",
                if restart_every > 0 {
                    "before each restart"
                } else {
                    "sampled"
                },
                rss_seen.iter().map(|r| r.unwrap_or(0)).collect::<Vec<_>>()
            )
        }
    );
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
