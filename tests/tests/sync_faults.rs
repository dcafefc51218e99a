//! The sync client through a faulty transport, against a real relay process: lost answers,
//! refused connections, duplicated requests and syncs cut off after any request all leave
//! every replica consistent, and the next good sync converges with nothing lost or doubled.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use companion_core::model::{JournalEntry, Measurement, Profile, Reading};
use companion_core::sync::{HttpTransport, Phase, Request, Response, Role, SyncError, Transport};
use companion_core::{Error, HealthRecord, ReadingQuery, TimeRange};
use companion_scenarios::RelayProcess;
use companion_scenarios::keys;

const CHILD: &str = "relay_child";

#[test]
fn relay_child() {
    companion_scenarios::relay_child();
}

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("time")
}

fn http() -> HttpTransport {
    HttpTransport::new().expect("http")
}

fn reading(i: u16) -> Reading {
    Reading::new(
        Measurement::BloodPressure {
            systolic: 120 + i,
            diastolic: 80,
            pulse: None,
        },
        at("2026-11-18T08:00:00+01:00") + chrono::Duration::minutes(i64::from(i)),
    )
    .expect("reading")
}

/// What a faulty transport does to each request, by its number (0, 1, …).
enum Fault {
    /// Deliver, then report the answer lost.
    LoseAnswer,
    /// Do not deliver: the relay is unreachable.
    Refuse,
    /// Deliver twice, answer the second.
    Duplicate,
    /// Deliver normally.
    Pass,
}

/// Decides the fault of request number n.
type Plan = Box<dyn FnMut(u64, &Request) -> Fault>;

struct Faulty {
    inner: HttpTransport,
    plan: Plan,
    sent: u64,
}

impl Faulty {
    fn new(plan: impl FnMut(u64, &Request) -> Fault + 'static) -> Self {
        Self {
            inner: http(),
            plan: Box::new(plan),
            sent: 0,
        }
    }
}

impl Transport for Faulty {
    fn send(&mut self, base: &str, request: &Request) -> Result<Response, String> {
        let n = self.sent;
        self.sent += 1;
        match (self.plan)(n, request) {
            Fault::Pass => self.inner.send(base, request),
            Fault::Refuse => Err("connection refused (injected)".into()),
            Fault::LoseAnswer => {
                let _ = self.inner.send(base, request);
                Err("answer lost (injected)".into())
            }
            Fault::Duplicate => {
                // The same bytes again are a replay: the relay refuses the second copy, and
                // the first already did its work; answer with the first.
                let first = self.inner.send(base, request);
                let _ = self.inner.send(base, request);
                first
            }
        }
    }
}

struct Pair {
    _dir: tempfile::TempDir,
    _relay: RelayProcess,
    patient: HealthRecord,
    carer: HealthRecord,
}

fn pair() -> Pair {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let profile = Profile::new("Ana", "Europe/Berlin").expect("profile");
    let mut patient = HealthRecord::create(
        &dir.path().join("p.db"),
        &keys(&dir.path().join("p.db")),
        &profile,
    )
    .expect("create");
    let code = patient
        .invite(
            Role::Caregiver,
            None,
            Duration::from_secs(600),
            Some(&relay.url),
            &mut http(),
        )
        .expect("invite")
        .code;
    let (carer, _) = HealthRecord::join_invite(
        &dir.path().join("c.db"),
        &keys(&dir.path().join("c.db")),
        &code,
        None,
        &mut http(),
        &mut |_| {},
    )
    .expect("join");
    Pair {
        _dir: dir,
        _relay: relay,
        patient,
        carer,
    }
}

fn count(r: &HealthRecord) -> usize {
    r.readings(&ReadingQuery::default())
        .expect("list")
        .readings
        .len()
}

fn good_sync(r: &mut HealthRecord) {
    r.sync(&mut http(), &mut |_| {}).expect("sync");
}

#[test]
fn a_push_whose_answer_is_lost_is_sent_again_and_stored_once() {
    let mut p = pair();
    p.patient.add_reading(&reading(1)).expect("add");
    let mut lossy = Faulty::new(|_, r| {
        if r.method == "POST" {
            Fault::LoseAnswer
        } else {
            Fault::Pass
        }
    });
    let failed = p.patient.sync(&mut lossy, &mut |_| {});
    assert!(
        matches!(failed, Err(Error::Sync(SyncError::Unreachable { .. }))),
        "{failed:?}"
    );
    assert_eq!(lossy.sent, 4, "tried four times");
    assert_eq!(
        p.patient.members().expect("members").unsent,
        1,
        "still waiting"
    );
    good_sync(&mut p.patient);
    assert_eq!(p.patient.members().expect("members").unsent, 0);
    good_sync(&mut p.carer);
    assert_eq!(count(&p.carer), 1, "the reading arrived once");
    assert_eq!(p.patient.export().expect("e"), p.carer.export().expect("e"));
}

#[test]
fn refused_connections_are_retried_and_duplicated_requests_change_nothing() {
    let mut p = pair();
    p.carer.add_reading(&reading(2)).expect("add");
    // Every request refused twice, then passed: retries carry the sync through.
    let mut flaky = Faulty::new(|n, _| {
        if n % 3 < 2 {
            Fault::Refuse
        } else {
            Fault::Pass
        }
    });
    let mut phases = Vec::new();
    let report = p
        .carer
        .sync(&mut flaky, &mut |progress| phases.push(progress.phase))
        .expect("sync through retries");
    assert!(report.pushed >= 1, "{report:?}");
    assert!(report.requests >= 6, "{report:?}");
    assert!(
        phases.contains(&Phase::Push) && phases.contains(&Phase::Pull),
        "{phases:?}"
    );
    // Every request sent twice.
    p.patient.add_reading(&reading(3)).expect("add");
    let mut doubled = Faulty::new(|_, _| Fault::Duplicate);
    p.patient.sync(&mut doubled, &mut |_| {}).expect("sync");
    let mut doubled = Faulty::new(|_, _| Fault::Duplicate);
    p.carer.sync(&mut doubled, &mut |_| {}).expect("sync");
    good_sync(&mut p.patient);
    assert_eq!(count(&p.patient), 2);
    assert_eq!(count(&p.carer), 2);
    assert_eq!(p.patient.export().expect("e"), p.carer.export().expect("e"));
}

#[test]
fn a_sync_cut_off_after_any_request_resumes_and_converges() {
    for cut in 0..5u64 {
        let mut p = pair();
        for i in 0..3 {
            p.patient.add_reading(&reading(10 + i)).expect("add");
            p.carer.add_reading(&reading(20 + i)).expect("add");
        }
        p.carer
            .add_journal_entry(
                &JournalEntry::new(at("2026-11-18T12:00:00+01:00"), "walked", None, vec![])
                    .expect("entry"),
            )
            .expect("journal");
        good_sync(&mut p.patient);
        // The carer's sync dies after `cut` requests (the device lost its network, or the
        // app was killed between two requests).
        let mut dying = Faulty::new(move |n, _| if n < cut { Fault::Pass } else { Fault::Refuse });
        let _ = p.carer.sync(&mut dying, &mut |_| {});
        assert!(p.carer.check_full().expect("check").is_ok(), "cut {cut}");
        // Reopened (as after a restart), then synced for real.
        let path = p._dir.path().join("c.db");
        let mut carer = HealthRecord::open(&path, &keys(&path)).expect("reopen");
        good_sync(&mut carer);
        good_sync(&mut p.patient);
        assert_eq!(count(&p.patient), 6, "cut {cut}");
        assert_eq!(count(&carer), 6, "cut {cut}");
        assert_eq!(carer.journal(TimeRange::default()).expect("j").len(), 1);
        assert_eq!(
            p.patient.export().expect("e"),
            carer.export().expect("e"),
            "cut {cut}"
        );
    }
}
