//! The relay as a deployment meets it: faults between devices and relay (a faulty proxy under
//! a randomized scenario of three devices), a relay killed in the middle of a push and
//! started again, two relay processes over one database serving one record at once, and
//! live updates (a long poll answered as soon as another device writes). Runs on the
//! backend of the run (SQLite, or PostgreSQL with `COMPANION_TEST_RELAY=postgres`).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use companion_core::model::{Measurement, Profile, Reading};
use companion_core::sync::SyncError;
use companion_core::sync::{HttpTransport, Request, Response, Role, SyncReport, Transport};
use companion_core::{Error, HealthRecord, ReadingQuery};
use companion_scenarios::RelayProcess;
use companion_scenarios::keys;
use companion_scenarios::proxy::FaultyProxy;

const CHILD: &str = "relay_child";

#[test]
fn relay_child() {
    companion_scenarios::relay_child();
}

fn http() -> HttpTransport {
    HttpTransport::new().expect("http")
}

fn reading(device: u16, n: u16) -> Reading {
    let at: DateTime<FixedOffset> =
        DateTime::parse_from_rfc3339("2026-11-01T08:00:00+01:00").expect("time");
    Reading::new(
        Measurement::BloodPressure {
            systolic: 100 + device * 20 + n % 20,
            diastolic: 70,
            pulse: None,
        },
        at + chrono::Duration::minutes(i64::from(device) * 10_000 + i64::from(n)),
    )
    .expect("reading")
}

/// A viewer invited by `owner` joins late, as `late.db` in `dir`.
fn join_late(owner: &mut HealthRecord, dir: &Path) -> (HealthRecord, SyncReport) {
    let code = owner
        .invite(
            Role::Viewer,
            None,
            Duration::from_secs(600),
            None,
            &mut http(),
        )
        .expect("invite")
        .code;
    let path = dir.join("late.db");
    HealthRecord::join_invite(&path, &keys(&path), &code, None, &mut http(), &mut |_| {})
        .expect("join")
}

fn ids(r: &HealthRecord) -> BTreeSet<String> {
    r.readings(&ReadingQuery::default())
        .expect("readings")
        .readings
        .iter()
        .map(|x| x.id.to_string())
        .collect()
}

fn count(r: &HealthRecord) -> usize {
    r.readings(&ReadingQuery::default())
        .expect("readings")
        .readings
        .len()
}

/// An owner and two caregivers sharing one record through `relay_url`.
fn three(dir: &Path, relay_url: &str) -> Vec<HealthRecord> {
    let profile = Profile::new("Ana", "Europe/Berlin").expect("profile");
    let mut owner = HealthRecord::create(
        &dir.join("owner.db"),
        &keys(&dir.join("owner.db")),
        &profile,
    )
    .expect("create");
    let mut devices = Vec::new();
    for name in ["carer-a.db", "carer-b.db"] {
        let code = owner
            .invite(
                Role::Caregiver,
                None,
                Duration::from_secs(3600),
                Some(relay_url),
                &mut http(),
            )
            .expect("invite")
            .code;
        devices.push(
            HealthRecord::join_invite(
                &dir.join(name),
                &keys(&dir.join(name)),
                &code,
                None,
                &mut http(),
                &mut |_| {},
            )
            .expect("join")
            .0,
        );
    }
    devices.insert(0, owner);
    devices
}

/// Runs `each` for every device on a thread of its own; returns the devices and the ids of
/// every reading they wrote.
fn in_parallel(
    devices: Vec<HealthRecord>,
    each: impl Fn(usize, &mut HealthRecord) -> Vec<String> + Sync,
) -> (Vec<HealthRecord>, BTreeSet<String>) {
    let each = &each;
    let done: Vec<(HealthRecord, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = devices
            .into_iter()
            .enumerate()
            .map(|(i, mut d)| {
                scope.spawn(move || {
                    let mine = each(i, &mut d);
                    (d, mine)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("device thread"))
            .collect()
    });
    let mut expected = BTreeSet::new();
    let mut devices = Vec::new();
    for (d, mine) in done {
        expected.extend(mine);
        devices.push(d);
    }
    (devices, expected)
}

/// Sends every request to `.1`, whatever relay the record names (a load balancer's choice).
struct Via(HttpTransport, String);

impl Transport for Via {
    fn send(&mut self, _base: &str, request: &Request) -> Result<Response, String> {
        self.0.send(&self.1, request)
    }
}

/// A 20-second long poll on a thread of its own, given half a second to reach the relay;
/// joins to (news, how long it waited).
fn wait_in_background(
    watch: companion_core::sync::Watch,
) -> std::thread::JoinHandle<(bool, Duration)> {
    let waiting = std::thread::spawn(move || {
        let started = Instant::now();
        let news = watch.wait(&mut http(), 20).expect("wait");
        (news, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(500));
    waiting
}

/// Syncs every device in turn, twice over, until all agree (or panics after `rounds`).
fn converge(devices: &mut [HealthRecord], transport: &mut dyn Transport, rounds: usize) {
    for _ in 0..rounds {
        for d in devices.iter_mut() {
            let _ = d.sync(transport, &mut |_| {});
        }
        let unsent: u64 = devices
            .iter()
            .map(|d| d.members().expect("members").unsent)
            .sum();
        let first = ids(&devices[0]);
        if unsent == 0 && devices.iter().all(|d| ids(d) == first) {
            return;
        }
    }
    panic!("the devices did not converge");
}

#[test]
fn three_devices_through_a_faulty_proxy_lose_nothing_and_double_nothing() {
    let seed: u64 = std::env::var("COMPANION_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        });
    eprintln!("fault seed {seed} (COMPANION_FAULT_SEED={seed} runs it again)");
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let proxy = FaultyProxy::start(relay.addr(), seed);
    // Set up through the proxy while it is calm; the faults start with the writes.
    proxy.calm_for_setup(true);
    let devices = three(dir.path(), &proxy.url);
    proxy.calm_for_setup(false);

    // Each device on its own thread: a few writes, a sync (which may fail), again.
    let (mut devices, expected) = in_parallel(devices, |i, d| {
        let mut mine = Vec::new();
        let mut transport = http();
        for n in 0..60u16 {
            let r = reading(i as u16, n);
            d.add_reading(&r).expect("a local write always succeeds");
            mine.push(r.id.to_string());
            if n % 2 == 1 {
                let _ = d.sync(&mut transport, &mut |_| {});
            }
        }
        mine
    });
    let faults = proxy.counts();
    eprintln!("{} requests, faults {faults:?}", proxy.requests());
    assert!(
        faults.iter().filter(|(_, n)| *n > 0).count() == faults.len(),
        "every kind of fault happened: {faults:?}"
    );
    proxy.calm();
    converge(&mut devices, &mut http(), 6);
    for d in &devices {
        assert_eq!(ids(d), expected, "every acknowledged write, everywhere");
        assert_eq!(count(d), expected.len(), "none twice");
        assert!(d.check_full().expect("check").is_ok());
    }
}

/// Sends a push's request only in part and kills the relay before its answer (first
/// `cut` = true: the body cut off; then a whole request the relay never answers).
struct KillMidPush<'a> {
    relay: &'a mut RelayProcess,
    cut: Option<bool>,
}

impl Transport for KillMidPush<'_> {
    fn send(&mut self, base: &str, request: &Request) -> Result<Response, String> {
        if request.method == "POST"
            && request.path.ends_with("/envelopes")
            && let Some(cut) = self.cut.take()
        {
            use std::io::Write;
            let mut tcp =
                std::net::TcpStream::connect(self.relay.addr()).map_err(|e| e.to_string())?;
            let mut head = format!(
                "POST {} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n",
                request.path,
                self.relay.addr(),
                request.body.len()
            );
            for (k, v) in &request.headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let send = if cut {
                request.body.len() / 2
            } else {
                request.body.len()
            };
            let _ = tcp.write_all(head.as_bytes());
            let _ = tcp.write_all(&request.body[..send]);
            let _ = tcp.flush();
            std::thread::sleep(Duration::from_millis(if cut { 20 } else { 300 }));
            self.relay.kill();
            return Err("the relay died (injected)".into());
        }
        http().send(base, request)
    }
}

#[test]
fn a_relay_killed_in_the_middle_of_a_push_and_restarted_loses_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let mut relay = RelayProcess::start(dir.path(), CHILD);
    let url = relay.url.clone();
    let mut devices = three(dir.path(), &url);
    let mut expected = BTreeSet::new();
    for cut in [true, false] {
        for n in 0..40u16 {
            let r = reading(if cut { 0 } else { 1 }, n);
            devices[0].add_reading(&r).expect("write");
            expected.insert(r.id.to_string());
        }
        let result = devices[0].sync(
            &mut KillMidPush {
                relay: &mut relay,
                cut: Some(cut),
            },
            &mut |_| {},
        );
        assert!(result.is_err(), "the relay died under the push");
        assert!(devices[0].members().expect("m").unsent > 0, "still waiting");
        relay.restart();
        converge(&mut devices, &mut http(), 4);
        for d in &devices {
            assert_eq!(ids(d), expected);
            assert_eq!(count(d), expected.len());
        }
    }
}

#[test]
fn two_relay_processes_over_one_database_serve_one_record_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let first = RelayProcess::start(dir.path(), CHILD);
    let second = first.another(&dir.path().join("relay-2.log"));
    // Devices share through the first; the second half of the traffic goes to the second
    // process (a load balancer would do the same).
    let devices = three(dir.path(), &first.url);
    let urls = [first.url.clone(), second.url.clone()];
    let (mut devices, expected) = in_parallel(devices, |i, d| {
        let mut mine = Vec::new();
        for n in 0..30u16 {
            let r = reading(i as u16, n);
            d.add_reading(&r).expect("write");
            mine.push(r.id.to_string());
            let mut via = Via(http(), urls[(n as usize + i) % 2].clone());
            d.sync(&mut via, &mut |_| {}).expect("sync");
        }
        mine
    });
    converge(&mut devices, &mut http(), 3);
    for d in &devices {
        assert_eq!(ids(d), expected);
    }
    // One log, numbered 1..=tip with no gap and no position twice.
    let storage = first.storage();
    let (items, tip) = storage
        .begin(None)
        .expect("begin")
        .log(devices[0].id(), 0, 100_000, 0)
        .expect("log");
    let seqs: Vec<u64> = items.iter().map(|i| i.seq).collect();
    assert_eq!(seqs, (1..=tip).collect::<Vec<_>>());
    let mut digests: Vec<_> = items.iter().map(|i| i.bytes.clone()).collect();
    digests.sort();
    digests.dedup();
    assert_eq!(digests.len(), items.len());
}

#[test]
fn a_long_poll_is_answered_as_soon_as_another_device_writes() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut devices = three(dir.path(), &relay.url);
    for d in devices.iter_mut() {
        d.sync(&mut http(), &mut |_| {}).expect("sync");
    }
    // Nothing new: the wait runs its course.
    let watch = devices[1].watch().expect("watch");
    let started = Instant::now();
    assert!(!watch.wait(&mut http(), 1).expect("wait"));
    assert!(started.elapsed() >= Duration::from_millis(900));
    // Something new while waiting: answered at once.
    let waiting = wait_in_background(watch);
    devices[0].add_reading(&reading(0, 1)).expect("write");
    devices[0].sync(&mut http(), &mut |_| {}).expect("sync");
    let (news, waited) = waiting.join().expect("waiter");
    assert!(news);
    assert!(
        waited < Duration::from_secs(10),
        "answered when the write came: {waited:?}"
    );
    assert_eq!(
        devices[1]
            .sync(&mut http(), &mut |_| {})
            .expect("sync")
            .applied,
        1
    );
}

#[test]
fn a_long_poll_on_one_relay_process_wakes_for_a_write_through_another() {
    if !companion_scenarios::on_postgres() {
        eprintln!("needs COMPANION_TEST_RELAY=postgres: SQLite serves one relay process");
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let first = RelayProcess::start(dir.path(), CHILD);
    let second = first.another(&dir.path().join("relay-2.log"));
    let mut devices = three(dir.path(), &first.url);
    for d in devices.iter_mut() {
        d.sync(&mut http(), &mut |_| {}).expect("sync");
    }
    let watch = devices[1].watch().expect("watch");
    let waiting = wait_in_background(watch);
    devices[0].add_reading(&reading(0, 1)).expect("write");
    devices[0]
        .sync(&mut Via(http(), second.url.clone()), &mut |_| {})
        .expect("sync through the second process");
    let (news, waited) = waiting.join().expect("waiter");
    assert!(news);
    assert!(
        waited < Duration::from_secs(10),
        "woken by NOTIFY: {waited:?}"
    );
}

/// A relay restored from a backup taken before the devices' last syncs: the devices notice
/// (the log ends before their cursors, or holds other items there), send again what the
/// relay lost, and the owner posts again the removal it lost, so a device joining afterwards
/// gets every write once and the removed device stays out.
#[test]
fn a_relay_restored_from_a_backup_behind_the_devices_gets_back_what_it_lost() {
    let dir = tempfile::tempdir().expect("dir");
    let mut relay = RelayProcess::start(dir.path(), CHILD);
    let url = relay.url.clone();
    let mut devices = three(dir.path(), &url);
    let mut expected = BTreeSet::new();
    let mut write = |d: &mut HealthRecord, who: u16, n: u16| {
        let r = reading(who, n);
        d.add_reading(&r).expect("write");
        expected.insert(r.id.to_string());
    };
    for n in 0..5 {
        write(&mut devices[0], 0, n);
        write(&mut devices[1], 1, n);
    }
    converge(&mut devices, &mut http(), 2);
    let backup = relay.backup(&dir.path().join("relay.backup"));

    // After the backup: more writes on both sides, and the second caregiver removed.
    for n in 5..12 {
        write(&mut devices[0], 0, n);
        write(&mut devices[1], 1, n);
    }
    let removed = devices[2].members().expect("members").device;
    devices[0]
        .remove_member(&removed, &mut http())
        .expect("remove");
    converge(&mut devices[..2], &mut http(), 2);
    assert_eq!(ids(&devices[1]), expected);
    let tip = devices[0].members().expect("members").cursor;

    relay.restore(&backup);
    assert!(
        relay.item(devices[0].id(), tip).is_none(),
        "the restored relay has lost the later writes"
    );
    // Each device notices at its next sync and sends again what the relay lost.
    for d in &mut devices[..2] {
        let report = d.sync(&mut http(), &mut |_| {}).expect("sync");
        assert!(
            report.relay_restored,
            "the device noticed the relay behind it"
        );
    }
    converge(&mut devices[..2], &mut http(), 2);
    // A second sync finds nothing to recover.
    let again = devices[0].sync(&mut http(), &mut |_| {}).expect("sync");
    assert!(!again.relay_restored);

    // A device joining now gets every write, once.
    let (late, _) = join_late(&mut devices[0], dir.path());
    for d in [&devices[0], &devices[1], &late] {
        assert_eq!(ids(d), expected);
        assert_eq!(count(d), expected.len(), "nothing doubled");
    }
    // The removal the relay lost was posted again: the removed device is refused.
    let refused = devices[2].sync(&mut http(), &mut |_| {});
    assert!(
        matches!(
            &refused,
            Err(Error::Sync(SyncError::Relay { code, .. })) if code == "not_member"
        ),
        "the removed device stays out: {refused:?}"
    );
}

/// The owner's snapshots let the relay drop the envelopes they cover: a device that was away
/// while the log was compacted past it loads the snapshots and reads on; a new device reads
/// no compacted envelope.
#[test]
fn a_compacted_log_still_brings_everything_to_a_device_that_was_away() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let url = relay.url.clone();
    let mut devices = three(dir.path(), &url);
    let mut expected = BTreeSet::new();
    converge(&mut devices, &mut http(), 1);
    let away = devices[2].members().expect("members").cursor;
    // Past the 256 log positions after which the owner refreshes its snapshots.
    for n in 0..140u16 {
        let r = reading(0, n);
        devices[0].add_reading(&r).expect("write");
        expected.insert(r.id.to_string());
        let r = reading(1, n);
        devices[1].add_reading(&r).expect("write");
        expected.insert(r.id.to_string());
        devices[1].sync(&mut http(), &mut |_| {}).expect("sync");
        devices[0].sync(&mut http(), &mut |_| {}).expect("sync");
    }
    let record = devices[0].id().to_string();
    let compacted = relay.compacted(&record);
    assert!(
        compacted > away,
        "the relay compacted past the away device ({compacted} <= {away})"
    );
    let item = relay.item(&record, compacted).expect("the position stays");
    if item.kind == 2 {
        assert!(
            item.bytes.is_empty(),
            "a compacted envelope's bytes are gone"
        );
    }
    let report = devices[2].sync(&mut http(), &mut |_| {}).expect("sync");
    assert!(report.snapshots > 0, "the away device loaded the snapshots");
    converge(&mut devices, &mut http(), 2);
    for d in &devices {
        assert_eq!(ids(d), expected);
        assert_eq!(count(d), expected.len());
    }
    let (late, joined) = join_late(&mut devices[0], dir.path());
    assert_eq!(ids(&late), expected);
    assert!(joined.cursor >= compacted);
}
