//! One record shared by a patient, a caregiver and a clinic through a real relay process on
//! loopback (docs/sync-protocol.md): concurrent offline edits converge in every sync order,
//! the clinician's plan reaches the patient's reminders, the caregiver sees missed doses and
//! urgent readings, roles hold on the relay and on every replica, and the relay stores no
//! plaintext.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use companion_core::model::{
    AlertKind, Author, DoseAmount, DoseEvent, DoseStatus, JournalEntry, Measurement, Medication,
    Profile, Reading, Schedule,
};
use companion_core::sync::{HttpTransport, Role, SyncError, SyncReport};
use companion_core::{Error, HealthRecord, ReadingQuery, TimeRange};
use companion_scenarios::RelayProcess;
use companion_scenarios::{files_holding, keys, sqlite, sync_secrets};

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

fn sync(r: &mut HealthRecord) -> SyncReport {
    r.sync(&mut http(), &mut |_| {}).expect("sync")
}

fn bp(s: u16, d: u16, when: &str) -> Reading {
    Reading::new(
        Measurement::BloodPressure {
            systolic: s,
            diastolic: d,
            pulse: None,
        },
        at(when),
    )
    .expect("reading")
}

fn amlodipine() -> Medication {
    let mut m = Medication::new(
        "Amlodipine",
        DoseAmount::parse("5 mg").expect("dose"),
        Schedule::FixedTimes {
            times: vec![NaiveTime::from_hms_opt(8, 0, 0).expect("time")],
        },
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
    )
    .expect("medication");
    m.recorded_at = None;
    m
}

/// The caregiver's display name, as the patient's invite gives it.
const CARER_NAME: &str = "Li Marker-Carer-Name-4410";
/// The clinic's display name, as it gives it on joining.
const CLINIC_NAME: &str = "Marker-Clinic-Name-2207 Clinic";

/// The patient's record, shared with a caregiver and a clinic.
struct Family {
    patient: HealthRecord,
    carer: HealthRecord,
    clinic: HealthRecord,
    med: Medication,
}

fn invite(owner: &mut HealthRecord, role: Role, relay: &str) -> String {
    owner
        .invite(
            role,
            None,
            Duration::from_secs(3600),
            Some(relay),
            &mut http(),
        )
        .expect("invite")
        .code
}

fn join(dir: &Path, name: &str, code: &str) -> HealthRecord {
    HealthRecord::join_invite(
        &dir.join(name),
        &keys(&dir.join(name)),
        code,
        None,
        &mut http(),
        &mut |_| {},
    )
    .expect("join")
    .0
}

fn family(dir: &Path, relay: &RelayProcess) -> Family {
    let profile = Profile::new("Ana Marker-Profile-7731", "Europe/Berlin").expect("profile");
    let mut patient = HealthRecord::create(
        &dir.join("patient.db"),
        &keys(&dir.join("patient.db")),
        &profile,
    )
    .expect("create");
    let med = amlodipine();
    patient.add_medication(&med).expect("med");
    // The caregiver is named by the patient's invite; the clinic names itself on joining.
    let code = patient
        .invite(
            Role::Caregiver,
            Some(CARER_NAME),
            Duration::from_secs(3600),
            Some(&relay.url),
            &mut http(),
        )
        .expect("invite")
        .code;
    let carer = join(dir, "carer.db", &code);
    let code = invite(&mut patient, Role::Clinician, &relay.url);
    let (clinic, _) = HealthRecord::join_invite(
        &dir.join("clinic.db"),
        &keys(&dir.join("clinic.db")),
        &code,
        Some(CLINIC_NAME),
        &mut http(),
        &mut |_| {},
    )
    .expect("join");
    Family {
        patient,
        carer,
        clinic,
        med,
    }
}

/// Ana's record at `p.db`, not shared yet.
fn unshared_patient(dir: &Path) -> HealthRecord {
    let profile = Profile::new("Ana", "Europe/Berlin").expect("profile");
    HealthRecord::create(&dir.join("p.db"), &keys(&dir.join("p.db")), &profile).expect("create")
}

/// [`family`], each device synced once.
fn synced_family(dir: &Path, relay: &RelayProcess) -> Family {
    let mut f = family(dir, relay);
    for r in [&mut f.patient, &mut f.carer, &mut f.clinic] {
        sync(r);
    }
    f
}

/// The record keys a replica's database holds, every epoch.
fn count(r: &HealthRecord) -> usize {
    r.readings(&ReadingQuery::default())
        .expect("readings")
        .readings
        .len()
}

fn stored_keys(path: &Path) -> Vec<[u8; 32]> {
    sync_secrets(path)
        .into_iter()
        .filter(|(name, _)| name.starts_with("epoch/"))
        .map(|(_, k)| k.as_slice().try_into().expect("32 bytes"))
        .collect()
}

/// Asserts that no key of `keys` opens the envelope `bytes` of `record`.
fn opens_with_none(record: [u8; 16], bytes: &[u8], keys: &[[u8; 32]]) {
    let env = companion_core::sync::wire::Envelope::parse(record, bytes).expect("envelope");
    for k in keys {
        assert!(
            env.open(k).is_err(),
            "an envelope opened with a key it must not open with"
        );
    }
}

fn answers(r: &HealthRecord) -> (serde_json::Value, usize, usize, Vec<String>) {
    let export = serde_json::to_value(r.export().expect("export")).expect("json");
    let readings = r
        .readings(&ReadingQuery::default())
        .expect("readings")
        .readings
        .len();
    let journal = r.journal(TimeRange::default()).expect("journal").len();
    // What the reminder logic derives from the merged data, alike on every device whatever its
    // role (the notifications themselves are each member's own: a caregiver's differ).
    let missed = r
        .missed_doses(
            at("2026-11-17T00:00:00+01:00").to_utc(),
            at("2026-11-22T00:00:00+01:00").to_utc(),
            "Europe/Berlin",
        )
        .expect("missed")
        .into_iter()
        .map(|d| format!("{} {:?}", d.occurrence.at, d.state))
        .collect();
    (export, readings, journal, missed)
}

#[test]
fn three_devices_edit_offline_and_converge_in_every_sync_order() {
    let orders: [[usize; 3]; 6] = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for order in orders {
        let dir = tempfile::tempdir().expect("dir");
        let relay = RelayProcess::start(dir.path(), CHILD);
        let mut f = family(dir.path(), &relay);
        for r in [&mut f.patient, &mut f.carer, &mut f.clinic] {
            sync(r);
        }
        // Offline, concurrently.
        f.patient
            .add_reading(&bp(142, 91, "2026-11-18T08:00:00+01:00"))
            .expect("reading");
        f.patient
            .add_journal_entry(
                &JournalEntry::new(
                    at("2026-11-18T21:00:00+01:00"),
                    "slept badly",
                    Some(2),
                    vec![],
                )
                .expect("entry"),
            )
            .expect("journal");
        f.patient
            .modify_medication_at(&f.med.id, Utc::now(), |m| {
                m.instructions = Some("with breakfast".into());
                Ok(())
            })
            .expect("notes");
        f.carer
            .add_reading(&bp(150, 95, "2026-11-18T09:00:00+01:00"))
            .expect("reading");
        let mut dose = DoseEvent::new(
            &f.med.id,
            DoseStatus::Taken,
            at("2026-11-18T08:05:00+01:00"),
            Some(at("2026-11-18T08:00:00+01:00")),
        )
        .expect("dose");
        dose.logged_by = Some("Bo".into());
        f.carer.log_dose(&dose).expect("dose");
        f.carer
            .add_journal_entry(
                &JournalEntry::new(
                    at("2026-11-18T12:00:00+01:00"),
                    "walked to the park",
                    None,
                    vec![],
                )
                .expect("entry"),
            )
            .expect("journal");
        f.clinic
            .modify_medication_at(&f.med.id, Utc::now(), |m| {
                m.schedule = Schedule::FixedTimes {
                    times: vec![NaiveTime::from_hms_opt(7, 30, 0).expect("time")],
                };
                Ok(())
            })
            .expect("dose time");
        // Sync in this order, twice round (the first devices see the later ones' changes
        // the second time).
        for _ in 0..2 {
            for &i in &order {
                let r = match i {
                    0 => &mut f.patient,
                    1 => &mut f.carer,
                    _ => &mut f.clinic,
                };
                let report = sync(r);
                assert_eq!(report.quarantined, 0, "order {order:?}: {report:?}");
            }
        }
        let a = answers(&f.patient);
        assert_eq!(a.1, 2, "both readings, order {order:?}");
        assert_eq!(a.2, 2, "both journal entries");
        assert_eq!(a, answers(&f.carer), "order {order:?}");
        assert_eq!(a, answers(&f.clinic), "order {order:?}");
        let m = f.clinic.medication(&f.med.id).expect("med");
        assert_eq!(
            m.instructions.as_deref(),
            Some("with breakfast"),
            "the patient's notes stay"
        );
        assert!(
            matches!(&m.schedule, Schedule::FixedTimes { times } if times[0] == NaiveTime::from_hms_opt(7, 30, 0).expect("t"))
        );
        for r in [&f.patient, &f.carer, &f.clinic] {
            assert!(r.check_full().expect("check").is_ok());
        }
    }
}

#[test]
fn the_clinicians_dose_time_reaches_the_patients_plan_and_the_carer_sees_what_matters() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = synced_family(dir.path(), &relay);
    let now = Utc::now();
    let fires = |r: &HealthRecord| -> Vec<DateTime<Utc>> {
        r.plan_reminders(now, "Europe/Berlin", chrono::Duration::hours(24), 64)
            .expect("plan")
            .iter()
            .filter(|n| n.kind == companion_core::reminders::NotificationKind::Dose)
            .filter(|n| n.doses.iter().any(|d| d.medication_id == f.med.id))
            .map(|n| n.fire_at)
            .collect()
    };
    let before = fires(&f.patient);
    assert_eq!(before.len(), 1, "one dose a day at 08:00");
    f.clinic
        .modify_medication_at(&f.med.id, now, |m| {
            m.schedule = Schedule::FixedTimes {
                times: vec![NaiveTime::from_hms_opt(9, 15, 0).expect("time")],
            };
            Ok(())
        })
        .expect("dose time");
    let mut targets = f.clinic.targets().expect("targets");
    targets.set_by = Some("Dr. Lee".into());
    targets.fever_threshold_c = Some(38.5);
    f.clinic.set_targets(&targets).expect("targets");
    sync(&mut f.clinic);
    // The patient's sync says who changed the plan: the clinic, by its name and role.
    let report = sync(&mut f.patient);
    let by = &report.changed_by;
    assert_eq!(by.len(), 1, "{by:?}");
    assert_eq!(by[0].name.as_deref(), Some(CLINIC_NAME));
    assert_eq!(by[0].role, Some(Role::Clinician));
    assert_eq!(by[0].collections, ["medications", "targets"]);
    let after = fires(&f.patient);
    assert_eq!(after.len(), 1);
    // The next fire may be today's or tomorrow's, depending on when the test runs.
    assert_eq!(
        (after[0] - before[0]).num_minutes().rem_euclid(24 * 60),
        75,
        "08:00 became 09:15 on the patient's phone"
    );

    // The patient misses this morning's dose and logs a dangerous reading.
    let today_at = Utc::now();
    f.patient
        .add_reading(
            &Reading::new(
                Measurement::BloodPressure {
                    systolic: 185,
                    diastolic: 125,
                    pulse: None,
                },
                today_at.fixed_offset(),
            )
            .expect("reading"),
        )
        .expect("urgent reading");
    sync(&mut f.patient);
    sync(&mut f.carer);
    let today = f
        .carer
        .today(today_at + chrono::Duration::hours(30), "Europe/Berlin")
        .expect("today");
    assert!(
        today
            .missed
            .iter()
            .any(|d| d.dose.occurrence.medication_id == f.med.id),
        "the carer sees the missed dose: {today:?}"
    );
    let today = f.carer.today(today_at, "Europe/Berlin").expect("today");
    assert!(
        today
            .alerts
            .iter()
            .any(|a| a.kind == AlertKind::HypertensiveCrisis),
        "the carer sees the urgent reading: {:?}",
        today.alerts
    );
    // The carer logs a dose for the patient; it reaches the patient.
    let dose = DoseEvent::new(
        &f.med.id,
        DoseStatus::Taken,
        Utc::now().fixed_offset(),
        None,
    )
    .expect("dose");
    f.carer.log_dose(&dose).expect("carer logs");
    sync(&mut f.carer);
    sync(&mut f.patient);
    assert!(
        f.patient
            .doses(Some(&f.med.id), TimeRange::default())
            .expect("doses")
            .iter()
            .any(|d| d.id == dose.id)
    );
}

/// Issue 34: a crisis at night, a stage-2 reading next morning: the caregiver's home screen
/// still shows the crisis, improving, with both readings, until a member acknowledges it; then
/// it leaves every member's home screen.
#[test]
fn a_night_crisis_stays_on_every_home_screen_as_improving_until_a_member_sees_it() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = family(dir.path(), &relay);
    let now = Utc::now();
    let reading = |s: u16, d: u16, hours_ago: i64| {
        Reading::new(
            Measurement::BloodPressure {
                systolic: s,
                diastolic: d,
                pulse: None,
            },
            (now - chrono::Duration::hours(hours_ago)).fixed_offset(),
        )
        .expect("reading")
    };
    let night = f
        .patient
        .record_reading(&reading(186, 122, 10))
        .expect("crisis");
    let alert_id = night.alerts[0].id.clone();
    let morning = f
        .patient
        .add_reading(&reading(150, 94, 1))
        .expect("stage 2");
    sync(&mut f.patient);
    sync(&mut f.carer);
    sync(&mut f.clinic);
    for r in [&f.carer, &f.clinic, &f.patient] {
        let today = r.today(now, "Europe/Berlin").expect("today");
        let a = today
            .alerts
            .iter()
            .find(|a| a.id == alert_id)
            .expect("the night's crisis is still shown");
        assert_eq!(a.course(), companion_core::model::AlertCourse::Improving);
        assert_eq!(
            a.value,
            Some(Measurement::BloodPressure {
                systolic: 186,
                diastolic: 122,
                pulse: None
            })
        );
        let follow = a.follow_up.as_ref().expect("the morning's reading");
        assert_eq!(follow.reading_id, morning);
    }
    f.carer.acknowledge_alert(&alert_id, "Li").expect("ack");
    sync(&mut f.carer);
    sync(&mut f.patient);
    sync(&mut f.clinic);
    for r in [&f.carer, &f.clinic, &f.patient] {
        let today = r.today(now, "Europe/Berlin").expect("today");
        assert!(
            !today.alerts.iter().any(|a| a.id == alert_id),
            "seen by a member: gone from every home screen"
        );
        let kept = r.alerts(TimeRange::ALL).expect("alerts");
        let a = kept.iter().find(|a| a.id == alert_id).expect("history");
        assert_eq!(a.acknowledged_by.as_deref(), Some("Li"));
    }
}

/// Issue 34: a caregiver's journal entry carries its author on every replica and is not the
/// patient's mood.
#[test]
fn a_caregivers_journal_entry_carries_its_author_and_is_not_the_patients_mood() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = family(dir.path(), &relay);
    let now = Utc::now();
    let hours_ago = |h: i64| (now - chrono::Duration::hours(h)).fixed_offset();
    let own = JournalEntry::new(hours_ago(2), "Tired", Some(2), vec![]).expect("entry");
    f.patient.add_journal_entry(&own).expect("patient writes");
    let theirs =
        JournalEntry::new(hours_ago(1), "She seemed cheerful", Some(5), vec![]).expect("entry");
    f.carer.add_journal_entry(&theirs).expect("carer writes");
    sync(&mut f.patient);
    sync(&mut f.carer);
    sync(&mut f.patient);
    sync(&mut f.clinic);
    for r in [&f.patient, &f.carer, &f.clinic] {
        let journal = r.journal(TimeRange::ALL).expect("journal");
        let by = |id: &str| journal.iter().find(|e| e.id == id).expect("entry").clone();
        assert_eq!(by(&own.id).author, Some(Author::Patient));
        assert_eq!(
            by(&own.id).logged_by.as_deref(),
            Some("Ana Marker-Profile-7731")
        );
        assert_eq!(by(&theirs.id).author, Some(Author::Caregiver));
        let curve = r.mood_curve(TimeRange::ALL).expect("mood");
        let (count, mean): (u32, f64) = curve.weeks.iter().fold((0, 0.0), |(n, sum), w| {
            (n + w.entries, sum + w.mean * f64::from(w.entries))
        });
        assert_eq!(count, 1, "only the patient's own entry is her mood");
        assert_eq!(mean, 2.0);
    }
}

#[test]
fn roles_hold_on_the_relay_and_on_every_replica() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = family(dir.path(), &relay);
    let code = invite(&mut f.patient, Role::Viewer, &relay.url);
    let mut viewer = join(dir.path(), "viewer.db", &code);
    for r in [&mut f.patient, &mut f.carer, &mut f.clinic, &mut viewer] {
        sync(r);
    }
    // A viewer sees everything and can change nothing.
    assert_eq!(viewer.medications(false).expect("meds").len(), 1);
    let refused = viewer.add_reading(&bp(120, 80, "2026-11-18T08:00:00+01:00"));
    assert!(
        matches!(refused, Err(Error::NotPermitted { .. })),
        "{refused:?}"
    );
    // A caregiver may not change the plan, nor a clinician the journal: refused locally.
    let refused = f.carer.modify_medication_at(&f.med.id, Utc::now(), |m| {
        m.instructions = Some("x".into());
        Ok(())
    });
    assert!(
        matches!(refused, Err(Error::NotPermitted { .. })),
        "{refused:?}"
    );
    let refused = f.clinic.add_journal_entry(
        &JournalEntry::new(at("2026-11-18T12:00:00+01:00"), "note", None, vec![]).expect("entry"),
    );
    assert!(
        matches!(refused, Err(Error::NotPermitted { .. })),
        "{refused:?}"
    );

    // A caregiver's device that lies to itself about its role: its medication change passes
    // the relay (which cannot read it) and is quarantined by every replica.
    {
        let conn = sqlite(&dir.path().join("carer.db"));
        conn.execute(
            "UPDATE sync_state SET value = 'owner' WHERE key = 'role'",
            [],
        )
        .expect("hack");
    }
    let mut carer = HealthRecord::open(
        &dir.path().join("carer.db"),
        &keys(&dir.path().join("carer.db")),
    )
    .expect("open");
    carer
        .modify_medication_at(&f.med.id, Utc::now(), |m| {
            m.dose = DoseAmount::parse("50 mg").expect("dose");
            Ok(())
        })
        .expect("local write");
    sync(&mut carer);
    for r in [&mut f.patient, &mut f.clinic, &mut viewer] {
        let report = sync(r);
        assert_eq!(report.quarantined, 1, "{report:?}");
        assert_eq!(
            r.medication(&f.med.id).expect("med").dose.to_string(),
            "5 mg"
        );
        let members = r.members().expect("members");
        assert!(
            members.quarantined[0]
                .reason
                .contains("caregiver may not write medications"),
            "{:?}",
            members.quarantined
        );
    }

    // Injected past the relay (written into its database): an envelope signed by a key that
    // is no member's, and a member's envelope with one byte altered.
    let stranger = companion_core::crypto::SigningKey::generate().expect("key");
    let record_bytes = companion_core::sync::wire::record_bytes(f.patient.id()).expect("id");
    let forged = companion_core::sync::wire::Envelope::seal(
        record_bytes,
        &stranger,
        0,
        &[0u8; 32],
        None,
        b"nothing",
    )
    .expect("seal");
    {
        let storage = relay.storage();
        let mut tx = storage.begin(Some(f.patient.id())).expect("begin");
        let (items, _) = tx.log(f.patient.id(), 0, 1000, 0).expect("log");
        let last = items
            .iter()
            .rev()
            .find(|i| i.kind == 2)
            .expect("an envelope");
        let mut tampered = last.bytes.clone();
        let mid = tampered.len() / 2;
        tampered[mid] ^= 1;
        tx.append(f.patient.id(), 2, "stranger", &[1u8], &forged.bytes)
            .expect("inject");
        // Served to every member as someone else's (the relay keeps the author column).
        tx.append(f.patient.id(), last.kind, "stranger", &[2u8], &tampered)
            .expect("inject");
        tx.commit().expect("commit");
    }
    let mut states = Vec::new();
    for r in [&mut f.patient, &mut f.clinic, &mut viewer, &mut carer] {
        let report = sync(r);
        assert_eq!(report.quarantined, 2, "{report:?}");
        states.push(answers(r));
    }
    // The honest replicas decided alike (the lying caregiver keeps its own change).
    assert_eq!(states[0], states[1]);
    assert_eq!(states[0], states[2]);

    // The relay itself refuses a viewer's envelope and a stranger's.
    let conn = sqlite(&dir.path().join("viewer.db"));
    conn.execute(
        "UPDATE sync_state SET value = 'caregiver' WHERE key = 'role'",
        [],
    )
    .expect("hack");
    drop(conn);
    let mut viewer = HealthRecord::open(
        &dir.path().join("viewer.db"),
        &keys(&dir.path().join("viewer.db")),
    )
    .expect("open");
    viewer
        .add_reading(&bp(121, 80, "2026-11-19T08:00:00+01:00"))
        .expect("local write");
    let refused = viewer.sync(&mut http(), &mut |_| {});
    assert!(
        matches!(
            refused,
            Err(Error::Sync(SyncError::Relay { status: 403, .. }))
        ),
        "{refused:?}"
    );
}

/// Consent you can see: every member's copy of the log names each member, their role, who
/// invited them and when, and what their role may write; the statement the owner confirms
/// says what the role may see and do; a name that is not one line is refused, nothing sent.
#[test]
fn members_are_named_with_who_invited_them_when_and_what_they_may_do() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = synced_family(dir.path(), &relay);
    let before = chrono::Utc::now().timestamp_millis() - 60_000;
    for r in [&f.patient, &f.carer, &f.clinic] {
        let m = r.members().expect("members");
        let by_role = |role| {
            m.members
                .iter()
                .find(|x| x.role == role)
                .expect("a member of the role")
        };
        let owner = by_role(Role::Owner);
        assert_eq!(owner.name.as_deref(), Some("Ana Marker-Profile-7731"));
        assert_eq!(owner.invited_by, None);
        assert!(owner.joined_ms.is_some_and(|t| t >= before));
        assert_eq!(
            owner.may_write.len(),
            16,
            "the owner writes every collection"
        );
        let carer = by_role(Role::Caregiver);
        assert_eq!(carer.name.as_deref(), Some(CARER_NAME));
        assert_eq!(carer.invited_by.as_deref(), Some(owner.device.as_str()));
        assert_eq!(
            carer.invited_by_name.as_deref(),
            Some("Ana Marker-Profile-7731")
        );
        assert!(carer.invited_ms.is_some_and(|t| t >= before));
        assert!(carer.joined_ms >= carer.invited_ms);
        assert!(carer.may_write.iter().any(|c| c == "doses"));
        assert!(!carer.may_write.iter().any(|c| c == "medications"));
        let clinic = by_role(Role::Clinician);
        assert_eq!(clinic.name.as_deref(), Some(CLINIC_NAME));
        assert!(clinic.may_write.iter().any(|c| c == "medications"));
    }
    let said = f
        .patient
        .invite_statement(Role::Caregiver)
        .expect("statement");
    assert!(
        said.starts_with("A caregiver sees everything in Ana Marker-Profile-7731's record")
            && said.contains("may not change medications"),
        "{said}"
    );
    sync(&mut f.patient);
    let cursor = f.patient.members().expect("members").cursor;
    for bad in ["Li\nfake line", " \u{200B} "] {
        let refused = f.patient.invite(
            Role::Viewer,
            Some(bad),
            Duration::from_secs(60),
            None,
            &mut http(),
        );
        assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
    }
    sync(&mut f.patient);
    assert_eq!(
        f.patient.members().expect("members").cursor,
        cursor,
        "nothing was posted"
    );
}

#[test]
fn invites_are_single_use_and_expire() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut patient = unshared_patient(dir.path());
    let code = invite(&mut patient, Role::Caregiver, &relay.url);
    join(dir.path(), "a.db", &code);
    let again = HealthRecord::join_invite(
        &dir.path().join("b.db"),
        &keys(&dir.path().join("b.db")),
        &code,
        None,
        &mut http(),
        &mut |_| {},
    );
    assert!(
        matches!(again, Err(Error::Sync(SyncError::Invite("already used")))),
        "{:?}",
        again.err()
    );
    assert!(!dir.path().join("b.db").exists(), "no file left behind");
    let short = patient
        .invite(
            Role::Viewer,
            None,
            Duration::from_millis(300),
            None,
            &mut http(),
        )
        .expect("invite");
    std::thread::sleep(Duration::from_millis(600));
    let late = HealthRecord::join_invite(
        &dir.path().join("c.db"),
        &keys(&dir.path().join("c.db")),
        &short.code,
        None,
        &mut http(),
        &mut |_| {},
    );
    assert!(
        matches!(late, Err(Error::Sync(SyncError::Invite("expired")))),
        "{:?}",
        late.err()
    );
    let unknown = HealthRecord::join_invite(
        &dir.path().join("d.db"),
        &keys(&dir.path().join("d.db")),
        &companion_core::sync::invite::Invite::generate(&relay.url)
            .expect("i")
            .code(),
        None,
        &mut http(),
        &mut |_| {},
    );
    assert!(matches!(unknown, Err(Error::Sync(SyncError::Invite(_)))));
    // Only the owner invites.
    let mut carer = HealthRecord::open(&dir.path().join("a.db"), &keys(&dir.path().join("a.db")))
        .expect("open");
    let refused = carer.invite(
        Role::Viewer,
        None,
        Duration::from_secs(60),
        None,
        &mut http(),
    );
    assert!(matches!(refused, Err(Error::Sync(SyncError::NotOwner))));
}

#[test]
fn the_relay_holds_no_plaintext_in_its_database_or_its_log() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = family(dir.path(), &relay);
    let mut reading = bp(131, 84, "2026-11-18T08:00:00+01:00");
    reading.note = Some("Marker-Reading-5521".into());
    f.patient.add_reading(&reading).expect("reading");
    f.carer
        .add_journal_entry(
            &JournalEntry::new(
                at("2026-11-18T12:00:00+01:00"),
                "Marker-Journal-9043",
                None,
                vec![],
            )
            .expect("entry"),
        )
        .expect("journal");
    for r in [&mut f.patient, &mut f.carer, &mut f.clinic] {
        sync(r);
    }
    sync(&mut f.patient);
    assert_eq!(
        f.clinic
            .journal(TimeRange::default())
            .expect("journal")
            .len(),
        1,
        "it did travel"
    );
    let stored = relay.stored_bytes();
    drop(relay);
    let mut seen = Vec::new();
    let log = std::fs::read(dir.path().join("relay.log")).expect("the relay's log");
    for (name, bytes) in [("the relay's storage", stored), ("relay.log", log)] {
        if !bytes.is_empty() {
            seen.push(name);
            for marker in [
                "Marker-Reading-5521",
                "Marker-Journal-9043",
                "Marker-Profile-7731",
                "Marker-Carer-Name-4410",
                "Marker-Clinic-Name-2207",
                "Amlodipine",
            ] {
                assert!(
                    !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                    "{marker} found in {name}"
                );
            }
        }
    }
    assert_eq!(seen.len(), 2, "both the storage and the log were scanned");
}

#[test]
fn a_new_device_starts_from_fresh_snapshots_once_the_log_has_grown() {
    let dir = tempfile::tempdir().expect("dir");
    // Pages of 40 items: the new device reads the log over several pages.
    let relay =
        RelayProcess::start_with(dir.path(), CHILD, &[("COMPANION_RELAY_PAGE_ITEMS", "40")]);
    let mut patient = unshared_patient(dir.path());
    patient.share(&relay.url, &mut http()).expect("share");
    let mut refreshed = 0;
    for i in 0..260u16 {
        patient
            .add_reading(&bp(110 + i % 60, 75, "2026-11-18T08:00:00+01:00"))
            .expect("add");
        refreshed += sync(&mut patient).snapshots;
    }
    assert!(refreshed > 0, "the owner refreshed the snapshots");
    let code = invite(&mut patient, Role::Viewer, &relay.url);
    let (viewer, report) = HealthRecord::join_invite(
        &dir.path().join("v.db"),
        &keys(&dir.path().join("v.db")),
        &code,
        None,
        &mut http(),
        &mut |_| {},
    )
    .expect("join");
    assert!(report.snapshots > 0);
    // Refreshed after 256 positions or 64 KiB of envelopes, whichever comes first: the new
    // device applies only the envelopes since the last refresh.
    assert!(
        report.applied < 130,
        "the covered envelopes were not downloaded: {report:?}"
    );
    assert_eq!(answers(&viewer), answers(&patient));
    assert_eq!(
        viewer
            .readings(&ReadingQuery::default())
            .expect("r")
            .readings
            .len(),
        260
    );
}

/// A new device loads the snapshots page by page, each within the relay's page limit (64 KiB
/// here): forty medications and a year of readings arrive whole.
#[test]
fn a_new_device_loads_the_snapshots_page_by_page() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start_with(
        dir.path(),
        CHILD,
        &[("COMPANION_RELAY_PAGE_BYTES", "65536")],
    );
    let mut patient = unshared_patient(dir.path());
    for i in 0..40 {
        let mut m = amlodipine();
        m.name = format!("Medication {i:02}");
        patient.add_medication(&m).expect("med");
    }
    let start = at("2025-11-01T08:00:00+01:00");
    let readings: Vec<Reading> = (0..3000i64)
        .map(|i| {
            Reading::new(
                Measurement::BloodPressure {
                    systolic: 110 + (i % 60) as u16,
                    diastolic: 75,
                    pulse: Some(60 + (i % 30) as u16),
                },
                start + chrono::Duration::hours(3 * i),
            )
            .expect("reading")
        })
        .collect();
    patient.add_readings(&readings).expect("readings");
    patient.share(&relay.url, &mut http()).expect("share");
    let code = invite(&mut patient, Role::Viewer, &relay.url);
    let viewer = join(dir.path(), "v.db", &code);
    assert_eq!(count(&viewer), 3000);
    assert_eq!(viewer.medications(true).expect("meds").len(), 40);
    assert_eq!(answers(&viewer), answers(&patient));
    drop(relay);
    let log = std::fs::read_to_string(dir.path().join("relay.log")).expect("the relay's log");
    let pages = log
        .lines()
        .filter(|l| l.contains("\"GET\"") && l.contains("/v1/records/{record}/snapshots\""))
        .count();
    assert!(pages >= 2, "the snapshots came in {pages} pages");
}

#[test]
fn an_envelope_that_arrives_before_what_it_depends_on_is_held_then_applied() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = family(dir.path(), &relay);
    sync(&mut f.carer);
    f.patient
        .add_reading(&bp(131, 84, "2026-11-18T08:00:00+01:00"))
        .expect("first");
    let first = sync(&mut f.patient).cursor;
    f.patient
        .add_reading(&bp(132, 85, "2026-11-18T09:00:00+01:00"))
        .expect("second, which depends on the first");
    sync(&mut f.patient);
    // The relay withholds the first envelope...
    let withheld = relay
        .item(f.patient.id(), first)
        .expect("the first envelope");
    assert_eq!(withheld.kind, 2);
    relay.withhold(f.patient.id(), first);
    let report = sync(&mut f.carer);
    assert_eq!((report.held, report.quarantined), (1, 0), "{report:?}");
    assert_eq!(
        f.carer
            .readings(&ReadingQuery::default())
            .expect("r")
            .readings
            .len(),
        0
    );
    assert_eq!(f.carer.members().expect("members").held, 1);
    // The carer's device says from whom data is missing, and since when.
    let patient_device = f.patient.members().expect("members").device;
    let missing = f.carer.members().expect("members").missing;
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0].author, patient_device);
    assert_eq!(missing[0].envelopes, 1);
    assert!((Utc::now().timestamp_millis() - missing[0].since_ms).abs() < 60_000);
    // ... and which changes it waits for: those of the withheld envelope.
    assert!(!missing[0].waiting_for.is_empty(), "{missing:?}");
    assert!(
        missing[0]
            .waiting_for
            .iter()
            .all(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())),
        "{missing:?}"
    );
    // Another member's later envelope, which needs nothing missing, is applied meanwhile.
    f.clinic.add_appointment(&checkup()).expect("appointment");
    sync(&mut f.clinic);
    let report = sync(&mut f.carer);
    assert_eq!(report.held, 1, "{report:?}");
    assert_eq!(
        f.carer.appointments(TimeRange::default()).expect("a").len(),
        1
    );
    // ... and serves it later, after the second.
    relay.inject(
        f.patient.id(),
        withheld.kind,
        &withheld.author,
        &withheld.bytes,
    );
    let report = sync(&mut f.carer);
    assert_eq!((report.held, report.quarantined), (0, 0), "{report:?}");
    assert!(f.carer.members().expect("members").missing.is_empty());
    assert_eq!(
        f.carer
            .readings(&ReadingQuery::default())
            .expect("r")
            .readings
            .len(),
        2
    );
    assert_eq!(f.carer.members().expect("members").held, 0);
    assert!(f.carer.members().expect("members").missing.is_empty());
}

#[test]
fn a_removed_member_reads_nothing_new_and_its_writes_are_refused_everywhere() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = synced_family(dir.path(), &relay);
    let carer_id = f.carer.members().expect("m").device;
    // Offline, before anyone knows of the removal: the carer and the clinic write.
    f.carer
        .add_reading(&bp(150, 95, "2026-11-18T09:00:00+01:00"))
        .expect("carer offline");
    f.clinic
        .add_appointment(&checkup())
        .expect("clinic offline");
    f.patient
        .remove_member(&carer_id[..8], &mut http())
        .expect("remove");
    f.patient
        .add_reading(&bp(131, 84, "2026-11-19T08:00:00+01:00"))
        .expect("after the removal");
    sync(&mut f.patient);
    // The clinic's envelope was sealed under the old key: sealed again, accepted.
    let report = sync(&mut f.clinic);
    assert_eq!(report.quarantined, 0, "{report:?}");
    sync(&mut f.patient);
    assert_eq!(
        f.patient
            .appointments(TimeRange::default())
            .expect("a")
            .len(),
        1
    );
    assert_eq!(
        f.clinic
            .readings(&ReadingQuery::default())
            .expect("r")
            .readings
            .len(),
        1
    );
    // The removed carer: the relay refuses it.
    let refused = f.carer.sync(&mut http(), &mut |_| {});
    assert!(
        matches!(
            refused,
            Err(Error::Sync(SyncError::Relay { status: 403, .. }))
        ),
        "{refused:?}"
    );
    // And from then on the carer's device says so, rather than listing itself as a caregiver
    // with changes waiting to go.
    assert!(f.carer.members().expect("members").no_longer_member);
    assert!(!f.clinic.members().expect("members").no_longer_member);
    // Its offline write, injected past the relay, is quarantined by every replica.
    let carer_db = sqlite(&dir.path().join("carer.db"));
    let pending: Vec<u8> = carer_db
        .query_row("SELECT envelope FROM sync_sending", [], |r| r.get(0))
        .expect("the carer's unsent envelope");
    relay.inject(f.patient.id(), 2, &carer_id, &pending);
    for r in [&mut f.patient, &mut f.clinic] {
        let report = sync(r);
        assert_eq!(report.quarantined, 1, "{report:?}");
        assert_eq!(
            r.readings(&ReadingQuery::default())
                .expect("r")
                .readings
                .len(),
            1
        );
    }
    assert_eq!(answers(&f.patient), answers(&f.clinic));
    // The carer holds no key that opens anything sealed after its removal.
    let removed_at = f
        .patient
        .members()
        .expect("m")
        .members
        .iter()
        .find(|m| m.device == carer_id)
        .and_then(|m| m.removed)
        .expect("removed");
    let keys = stored_keys(&dir.path().join("carer.db"));
    let record = companion_core::sync::wire::record_bytes(f.patient.id()).expect("id");
    let mut later = 0;
    let storage = relay.storage();
    let (items, _) = storage
        .begin(None)
        .expect("begin")
        .log(f.patient.id(), removed_at, 1 << 20, 0)
        .expect("log");
    let rows = items
        .into_iter()
        .filter(|i| i.kind == 2 && i.author != carer_id)
        .map(|i| i.bytes);
    for bytes in rows {
        let env = companion_core::sync::wire::Envelope::parse(record, &bytes).expect("envelope");
        later += 1;
        for k in &keys {
            let k: [u8; 32] = k.as_slice().try_into().expect("32");
            assert!(
                env.open(&k).is_err(),
                "the removed carer opened a later envelope"
            );
        }
    }
    assert!(
        later >= 2,
        "the patient's and the clinic's later envelopes: {later}"
    );
}

#[test]
fn a_member_that_leaves_is_refused_after_and_the_owner_moves_to_a_new_key() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = synced_family(dir.path(), &relay);
    let carer_id = f.carer.members().expect("m").device;
    f.carer.leave(&mut http()).expect("leave");
    let refused = f.carer.sync(&mut http(), &mut |_| {});
    assert!(
        matches!(
            refused,
            Err(Error::Sync(SyncError::Relay { status: 403, .. }))
        ),
        "{refused:?}"
    );
    // The owner's next sync rotates the key; the clinic takes the new one.
    sync(&mut f.patient);
    f.patient
        .add_reading(&bp(133, 86, "2026-11-20T08:00:00+01:00"))
        .expect("after");
    sync(&mut f.patient);
    f.clinic.add_appointment(&checkup()).expect("clinic");
    let report = sync(&mut f.clinic);
    assert_eq!(report.quarantined, 0, "{report:?}");
    sync(&mut f.patient);
    assert_eq!(answers(&f.patient), answers(&f.clinic));
    let members = f.patient.members().expect("m");
    assert!(
        members
            .members
            .iter()
            .any(|m| m.device == carer_id && m.removed.is_some())
    );
    // Nothing sealed after the rotation opens with the keys the carer holds.
    let keys = stored_keys(&dir.path().join("carer.db"));
    let record = companion_core::sync::wire::record_bytes(f.patient.id()).expect("id");
    let envelopes = relay.last_envelopes(f.patient.id(), 2);
    assert_eq!(envelopes.len(), 2);
    for bytes in envelopes {
        opens_with_none(record, &bytes, &keys);
    }
}

/// The patient's phone is lost: the patient's other device, joined before as a second owner
/// device, removes it. The lost phone reads nothing new and writes nothing any more; the new
/// owner device does what the owner does (writes the medication plan, invites, keeps the
/// snapshots) and the last owner device cannot leave.
#[test]
fn a_lost_owner_phone_is_removed_by_the_patients_other_device() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = family(dir.path(), &relay);
    let code = invite(&mut f.patient, Role::Owner, &relay.url);
    let mut tablet = join(dir.path(), "tablet.db", &code);
    assert_eq!(tablet.members().expect("members").role, Role::Owner);
    f.patient
        .add_reading(&bp(131, 84, "2026-11-02T08:00:00+01:00"))
        .expect("write");
    sync(&mut f.patient);
    sync(&mut tablet);
    assert_eq!(count(&tablet), 1);

    // The phone is lost; the tablet removes it.
    let phone = f.patient.members().expect("members").device;
    tablet.remove_member(&phone, &mut http()).expect("remove");
    tablet
        .add_medication(&amlodipine())
        .expect("an owner writes medications");
    tablet
        .add_reading(&bp(128, 80, "2026-11-03T08:00:00+01:00"))
        .expect("write");
    sync(&mut tablet);
    for d in [&mut f.carer, &mut f.clinic] {
        sync(d);
        assert_eq!(count(d), 2);
    }
    // The new record key reached the members, not the phone.
    let has_new_key = |file: &str| -> bool {
        sync_secrets(&dir.path().join(file))
            .iter()
            .any(|(name, _)| name == "epoch/1")
    };
    assert!(has_new_key("carer.db") && has_new_key("clinic.db") && has_new_key("tablet.db"));
    assert!(
        !has_new_key("patient.db"),
        "the lost phone holds no new key"
    );
    // Whoever has the phone now: refused by the relay, its new writes go nowhere.
    f.patient
        .add_reading(&bp(190, 120, "2026-11-04T08:00:00+01:00"))
        .expect("a local write");
    let refused = f.patient.sync(&mut http(), &mut |_| {});
    assert!(
        matches!(
            &refused,
            Err(Error::Sync(SyncError::Relay { code, .. })) if code == "not_member"
        ),
        "{refused:?}"
    );
    sync(&mut f.carer);
    assert_eq!(count(&f.carer), 2);
    // The tablet invites like the owner, and a new device gets everything from it.
    let code = invite(&mut tablet, Role::Viewer, &relay.url);
    let viewer = join(dir.path(), "viewer.db", &code);
    assert_eq!(count(&viewer), 2);
    // The last owner device cannot leave.
    assert!(matches!(
        tablet.leave(&mut http()),
        Err(Error::Sync(SyncError::MembershipRefused { .. }))
    ));
}

/// Sets the role a replica's file says it has (what someone who copies a caregiver's phone
/// file can do with sqlite3), so that its own checks let it write anything.
fn claim_role(dir: &Path, file: &str, role: &str) {
    let db = sqlite(&dir.join(file));
    db.execute(
        "UPDATE sync_state SET value = ?1 WHERE key = 'role'",
        [role],
    )
    .expect("role");
}

#[test]
fn a_replica_file_brings_only_what_its_author_may_write_and_reaches_every_member() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = synced_family(dir.path(), &relay);
    // A copy of the carer's file, told it is the owner, changes a medication and exports.
    drop(f.carer);
    std::fs::copy(dir.path().join("carer.db"), dir.path().join("forged.db")).expect("copy");
    // With the carer's key store too: a file alone opens nothing.
    companion_scenarios::copy_keys(&dir.path().join("carer.db"), &dir.path().join("forged.db"));
    claim_role(dir.path(), "forged.db", "owner");
    let mut forged = HealthRecord::open(
        &dir.path().join("forged.db"),
        &keys(&dir.path().join("forged.db")),
    )
    .expect("open");
    let mut med = f.med.clone();
    med.name = "Amlodipine 50 mg".into();
    forged.update_medication(&med).expect("the copy writes");
    let file = forged.replica_export().expect("export");
    let refused = f.patient.merge_replica(&file);
    assert!(
        matches!(
            refused,
            Err(Error::Sync(SyncError::ReplicaNotPermitted { role: Role::Caregiver, ref collection }))
                if collection == "medications"
        ),
        "{refused:?}"
    );
    assert_eq!(
        f.patient.medications(false).expect("meds")[0].name,
        "Amlodipine",
        "nothing merged"
    );
    // A reading the carer logged offline, brought by file: merged, and passed on by the
    // patient's next sync to the clinic, though the carer never syncs.
    let mut carer = HealthRecord::open(
        &dir.path().join("carer.db"),
        &keys(&dir.path().join("carer.db")),
    )
    .expect("open");
    carer
        .add_reading(&bp(150, 95, "2026-11-18T09:00:00+01:00"))
        .expect("carer offline");
    let file = carer.replica_export().expect("export");
    let merged = f.patient.merge_replica(&file).expect("merge");
    assert_eq!(merged.added, 1, "{merged:?}");
    // The patient's own later writes depend on it: a crisis at night.
    f.patient
        .add_reading(&bp(181, 121, "2026-11-18T22:00:00+01:00"))
        .expect("crisis");
    sync(&mut f.patient);
    let report = sync(&mut f.clinic);
    assert_eq!((report.held, report.quarantined), (0, 0), "{report:?}");
    assert_eq!(count(&f.clinic), 2, "the carer's reading and the crisis");
    assert!(
        f.clinic
            .alerts(TimeRange::default())
            .expect("alerts")
            .iter()
            .any(|a| a.kind.is_urgent()),
        "the clinic sees the crisis"
    );
    // Once removed, the carer's files are refused.
    let carer_id = carer.members().expect("m").device;
    f.patient
        .remove_member(&carer_id[..8], &mut http())
        .expect("remove");
    carer
        .add_reading(&bp(140, 90, "2026-11-19T09:00:00+01:00"))
        .expect("carer offline");
    let file = carer.replica_export().expect("export");
    let refused = f.patient.merge_replica(&file);
    assert!(
        matches!(refused, Err(Error::Sync(SyncError::ReplicaRefused { .. }))),
        "{refused:?}"
    );
    assert_eq!(count(&f.patient), 2);
    // And a file not signed at all (written by another program, or before sharing).
    let mut bare = file.clone();
    let n = bare.len();
    bare.truncate(n - 65);
    bare.push(0);
    assert!(f.patient.merge_replica(&bare).is_err());
}

/// Passes every request on, but loses the relay's answer to a record's creation.
struct LoseCreationAnswer(HttpTransport);

impl companion_core::sync::Transport for LoseCreationAnswer {
    fn send(
        &mut self,
        base: &str,
        request: &companion_core::sync::Request,
    ) -> Result<companion_core::sync::Response, String> {
        let resp = self.0.send(base, request)?;
        if request.path == "/v1/records" {
            return Err("timed out".into());
        }
        Ok(resp)
    }
}

fn sync_secrets_of(dir: &Path, file: &str) -> usize {
    sync_secrets(&dir.join(file)).len()
}

#[test]
fn an_invite_that_fails_writes_no_keys_and_a_later_one_shares() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut patient = unshared_patient(dir.path());
    // No relay listens there.
    let failed = patient.invite(
        Role::Caregiver,
        None,
        Duration::from_secs(3600),
        Some("http://127.0.0.1:9"),
        &mut http(),
    );
    assert!(
        matches!(failed, Err(Error::Sync(SyncError::Unreachable { .. }))),
        "{failed:?}"
    );
    assert!(!patient.is_shared().expect("shared"));
    assert_eq!(sync_secrets_of(dir.path(), "p.db"), 0, "no keys written");
    // The relay took the record but its answer was lost, every time: nothing kept here.
    let lost = patient.invite(
        Role::Caregiver,
        None,
        Duration::from_secs(3600),
        Some(&relay.url),
        &mut LoseCreationAnswer(http()),
    );
    assert!(lost.is_err(), "{lost:?}");
    assert!(!patient.is_shared().expect("shared"));
    assert_eq!(sync_secrets_of(dir.path(), "p.db"), 0, "no keys written");
    // Tried again, with new keys: the relay takes the new genesis in place of the lone one.
    let code = invite(&mut patient, Role::Caregiver, &relay.url);
    assert!(patient.is_shared().expect("shared"));
    let mut carer = join(dir.path(), "carer.db", &code);
    patient
        .add_reading(&bp(142, 91, "2026-11-18T09:00:00+01:00"))
        .expect("reading");
    sync(&mut patient);
    sync(&mut carer);
    assert_eq!(count(&carer), 1);
}

/// The appointment the clinic books in these tests.
fn checkup() -> companion_core::model::Appointment {
    companion_core::model::Appointment::new(at("2026-12-10T10:00:00+01:00"), "Check-up")
        .expect("appointment")
}

/// The record key's epoch a member's file says it writes under.
fn epoch_of(dir: &Path, file: &str) -> u32 {
    sqlite(&dir.join(file))
        .query_row(
            "SELECT value FROM sync_state WHERE key = 'epoch'",
            [],
            |r| r.get::<_, String>(0),
        )
        .expect("epoch")
        .parse()
        .expect("a number")
}

/// An envelope of `len` bytes of garbage, validly signed by `keys` for `record` at `epoch`
/// but sealed under a key no member has.
fn garbage_envelope(
    record: &str,
    keys: &companion_core::crypto::DeviceKeys,
    epoch: u32,
    len: usize,
) -> Vec<u8> {
    let record = companion_core::sync::wire::record_bytes(record).expect("id");
    companion_core::sync::wire::Envelope::seal(
        record,
        &keys.signing,
        epoch,
        &[7u8; 32],
        None,
        &vec![0x5a; len],
    )
    .expect("seal")
    .bytes
}

/// A member's device keys, read from its file.
fn device_keys(dir: &Path, file: &str) -> companion_core::crypto::DeviceKeys {
    let (_, bytes) = sync_secrets(&dir.join(file))
        .into_iter()
        .find(|(name, _)| name == "device")
        .expect("device keys");
    companion_core::crypto::DeviceKeys::from_bytes(&bytes).expect("keys")
}

/// The caregiver signs envelopes of garbage (sealed under a key nobody has), each far larger
/// than any honest one. The relay refuses them now, naming its limit; relays that took them
/// before (injected here) still leave every device syncing, one huge item to a page, and each
/// device keeps only their digests and names the caregiver.
#[test]
fn a_member_posting_huge_garbage_cuts_nobody_off() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = synced_family(dir.path(), &relay);
    let record = f.patient.id().to_string();
    let keys = device_keys(dir.path(), "carer.db");
    let carer_id = keys.id();
    let garbage = |mb: usize| garbage_envelope(&record, &keys, 0, mb << 20);
    // Through HTTP: refused with the limit in the answer.
    let (status, answer) = post_envelope(&relay.url, &keys, &record, garbage(5));
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"], "envelope_too_large");
    assert_eq!(answer["limit"], 4 << 20);
    // What an older relay took: seven of 40 MB, then honest writes after them.
    for _ in 0..7 {
        relay.inject(&record, 2, &carer_id, &garbage(40));
    }
    f.clinic.add_appointment(&checkup()).expect("appointment");
    sync(&mut f.clinic);
    let report = sync(&mut f.patient);
    assert_eq!(report.quarantined, 7, "{report:?}");
    assert_eq!(
        f.patient
            .appointments(TimeRange::default())
            .expect("a")
            .len(),
        1,
        "the honest write after the garbage arrived"
    );
    let members = f.patient.members().expect("members");
    assert_eq!(members.quarantined.len(), 7);
    assert!(
        members
            .quarantined
            .iter()
            .all(|q| q.author.as_deref() == Some(carer_id.as_str())),
        "the caregiver is named: {:?}",
        members.quarantined
    );
    let size = std::fs::metadata(dir.path().join("patient.db"))
        .expect("size")
        .len();
    assert!(size < 8 << 20, "the garbage is not kept: {size} bytes");
    // A device joining now gets in too.
    let code = invite(&mut f.patient, Role::Viewer, &relay.url);
    let viewer = join(dir.path(), "viewer.db", &code);
    assert_eq!(
        viewer.appointments(TimeRange::default()).expect("a").len(),
        1
    );
}

fn office(s: u16, d: u16, when: &str, by: &str) -> Reading {
    let mut r = bp(s, d, when);
    r.setting = Some(companion_core::model::BpSetting::Office);
    r.logged_by = Some(by.into());
    r
}

/// The clinician adds blood pressures taken at the clinic (office, named); they reach every
/// member, and nobody else edits them; the clinician touches no home reading.
#[test]
fn a_clinician_adds_office_readings_that_only_the_clinic_edits() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = synced_family(dir.path(), &relay);
    let id = f
        .clinic
        .add_reading(&office(152, 96, "2026-11-18T10:00:00+01:00", "Dr. Lee"))
        .expect("an office reading");
    // Unnamed, or taken at home: not the clinic's to add.
    for r in [bp(150, 95, "2026-11-18T10:05:00+01:00"), {
        let mut r = office(150, 95, "2026-11-18T10:05:00+01:00", "x");
        r.logged_by = None;
        r
    }] {
        let refused = f.clinic.add_reading(&r);
        assert!(
            matches!(refused, Err(Error::NotPermitted { .. })),
            "{refused:?}"
        );
    }
    sync(&mut f.clinic);
    for r in [&mut f.patient, &mut f.carer] {
        let report = sync(r);
        assert_eq!(report.quarantined, 0, "{report:?}");
        assert_eq!(count(r), 1);
    }
    // The carer may not edit or delete it; the patient's home reading is not the clinic's.
    let mut edited = f
        .carer
        .readings(&ReadingQuery::default())
        .expect("readings")
        .readings
        .remove(0);
    edited.note = Some("cuff too small".into());
    assert!(matches!(
        f.carer.update_reading(&edited),
        Err(Error::NotPermitted { .. })
    ));
    assert!(matches!(
        f.carer.delete_reading(&id),
        Err(Error::NotPermitted { .. })
    ));
    let home = f
        .patient
        .add_reading(&bp(138, 88, "2026-11-18T08:00:00+01:00"))
        .expect("home");
    sync(&mut f.patient);
    sync(&mut f.clinic);
    assert!(matches!(
        f.clinic.delete_reading(&home),
        Err(Error::NotPermitted { .. })
    ));
    // The clinic corrects its own.
    let mut own = f
        .clinic
        .readings(&ReadingQuery::default())
        .expect("readings")
        .readings
        .into_iter()
        .find(|r| r.id == id)
        .expect("its own");
    own.note = Some("left arm".into());
    f.clinic.update_reading(&own).expect("its own reading");
    sync(&mut f.clinic);
    let report = sync(&mut f.patient);
    assert_eq!(report.quarantined, 0, "{report:?}");
    // A copy of the carer's file that thinks it is the owner deletes the office reading and
    // syncs: the relay takes it (a caregiver writes), every replica quarantines it.
    drop(f.carer);
    claim_role(dir.path(), "carer.db", "owner");
    let mut forged = HealthRecord::open(
        &dir.path().join("carer.db"),
        &keys(&dir.path().join("carer.db")),
    )
    .expect("open");
    sync(&mut forged);
    forged.delete_reading(&id).expect("the copy deletes");
    sync(&mut forged);
    for r in [&mut f.patient, &mut f.clinic] {
        let report = sync(r);
        assert_eq!(report.quarantined, 1, "{report:?}");
        assert_eq!(count(r), 2, "the office reading stays");
    }
}

/// A relay takes a new record only from a device that presents its creation token, printed
/// when it starts; the token travels in the relay's address and is kept nowhere on the device.
#[test]
fn a_relay_creates_records_only_for_devices_with_its_token() {
    let dir = tempfile::tempdir().expect("dir");
    let relay =
        RelayProcess::start_with(dir.path(), CHILD, &[(companion_scenarios::CLOSED_VAR, "1")]);
    let token = relay.token.clone().expect("the relay printed its token");
    assert_eq!(token.len(), 32, "{token}");
    let mut patient = unshared_patient(dir.path());
    for wrong in [
        relay.url.clone(),
        relay.url.replace("http://", "http://0000@"),
    ] {
        let refused = patient.invite(
            Role::Caregiver,
            None,
            Duration::from_secs(3600),
            Some(&wrong),
            &mut http(),
        );
        assert!(
            matches!(
                refused,
                Err(Error::Sync(SyncError::Relay { status: 403, ref code })) if code == "creation_token"
            ),
            "{refused:?}"
        );
        assert!(!patient.is_shared().expect("shared"));
        assert_eq!(sync_secrets_of(dir.path(), "p.db"), 0);
    }
    let with_token = relay.url.replace("http://", &format!("http://{token}@"));
    let info = patient
        .invite(
            Role::Caregiver,
            None,
            Duration::from_secs(3600),
            Some(&with_token),
            &mut http(),
        )
        .expect("invite");
    assert!(!info.code.contains(&token), "the code carries no token");
    assert_eq!(patient.members().expect("members").relay, relay.url);
    // The token works in the same address again (a second invite), and a member joins.
    let again = invite(&mut patient, Role::Clinician, &with_token);
    let mut carer = join(dir.path(), "carer.db", &info.code);
    let _clinic = join(dir.path(), "clinic.db", &again);
    patient
        .add_reading(&bp(142, 91, "2026-11-18T09:00:00+01:00"))
        .expect("reading");
    sync(&mut patient);
    sync(&mut carer);
    assert_eq!(count(&carer), 1);
    let stored = std::fs::read(dir.path().join("p.db")).expect("file");
    assert!(
        !stored.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token is not kept in the record"
    );
}

/// A request signed by `keys`, sent to `relay` as it is (no retries).
fn signed(
    relay: &str,
    keys: &companion_core::crypto::DeviceKeys,
    method: &'static str,
    path: &str,
    body: Vec<u8>,
) -> companion_core::sync::Response {
    use companion_core::sync::Transport as _;
    let now = Utc::now().timestamp_millis();
    let headers = companion_core::sync::wire::sign_request(&keys.signing, method, path, &body, now)
        .expect("sign")
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    http()
        .send(
            relay,
            &companion_core::sync::Request {
                method,
                path: path.to_string(),
                headers,
                body,
            },
        )
        .expect("an answer")
}

/// Posts one envelope as `keys`' device; the status and the JSON answer.
fn post_envelope(
    relay: &str,
    keys: &companion_core::crypto::DeviceKeys,
    record: &str,
    envelope: Vec<u8>,
) -> (u16, serde_json::Value) {
    let path = format!("/v1/records/{record}/envelopes");
    let body = companion_core::sync::wire::encode_blobs(&[envelope]);
    let resp = signed(relay, keys, "POST", &path, body);
    let answer = serde_json::from_slice(&resp.body).unwrap_or(serde_json::Value::Null);
    (resp.status, answer)
}

/// A record's log keeps at most its quota, and a device makes at most its rate of requests:
/// each refusal a JSON error the device can explain; other devices go on.
#[test]
fn a_relay_keeps_a_quota_per_record_and_a_rate_per_device() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start_with(
        dir.path(),
        CHILD,
        &[
            ("COMPANION_RELAY_RECORD_BYTES", "1048576"),
            ("COMPANION_RELAY_DEVICE_RATE", "20"),
        ],
    );
    let f = synced_family(dir.path(), &relay);
    let record = f.patient.id().to_string();
    let keys = device_keys(dir.path(), "carer.db");
    let epoch = epoch_of(dir.path(), "carer.db");
    let envelope = |kb: usize| garbage_envelope(&record, &keys, epoch, kb << 10);
    let (status, answer) = post_envelope(&relay.url, &keys, &record, envelope(700));
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = post_envelope(&relay.url, &keys, &record, envelope(700));
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"], "record_quota");
    assert_eq!(answer["limit"], 1_048_576);
    // A snapshot over its limit (one document's whole state).
    let patient = device_keys(dir.path(), "patient.db");
    let slot = "0".repeat(32);
    let over = signed(
        &relay.url,
        &patient,
        "PUT",
        &format!("/v1/records/{record}/snapshots/{slot}"),
        vec![0u8; 17 << 20],
    );
    let answer: serde_json::Value = serde_json::from_slice(&over.body).expect("json");
    assert_eq!(
        (over.status, answer["error"].as_str()),
        (413, Some("snapshot_too_large"))
    );
    assert_eq!(answer["limit"], 16 << 20);
    // The rate: 20 a minute, 10 at once, per device.
    let log = format!("/v1/records/{record}/log?after=0&limit=1");
    let statuses: Vec<u16> = (0..14)
        .map(|_| signed(&relay.url, &keys, "GET", &log, Vec::new()).status)
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    let limited = signed(&relay.url, &keys, "GET", &log, Vec::new());
    let answer: serde_json::Value = serde_json::from_slice(&limited.body).expect("json");
    assert_eq!(
        (limited.status, answer["error"].as_str()),
        (429, Some("rate_limited"))
    );
    // The clinic's device is not slowed by the carer's requests.
    let clinic = device_keys(dir.path(), "clinic.db");
    let snapshots = format!("/v1/records/{record}/snapshots");
    assert_eq!(
        signed(&relay.url, &clinic, "GET", &snapshots, Vec::new()).status,
        200
    );
}

/// The endpoints that take no device signature (an invite looked up before joining, a record
/// created) are limited per network address: a flood of lookups is refused with
/// `rate_limited`, and a member's signed requests go on.
#[test]
fn unsigned_endpoints_are_limited_per_address() {
    use companion_core::sync::Transport as _;
    let dir = tempfile::tempdir().expect("dir");
    let relay =
        RelayProcess::start_with(dir.path(), CHILD, &[("COMPANION_RELAY_ADDRESS_RATE", "20")]);
    let f = synced_family(dir.path(), &relay);
    let lookup = |i: usize| {
        http()
            .send(
                &relay.url,
                &companion_core::sync::Request {
                    method: "GET",
                    path: format!("/v1/invites/{i:032x}"),
                    headers: Vec::new(),
                    body: Vec::new(),
                },
            )
            .expect("an answer")
    };
    let statuses: Vec<u16> = (0..20).map(|i| lookup(i).status).collect();
    assert!(
        statuses.contains(&404),
        "unknown invites, at first: {statuses:?}"
    );
    assert!(statuses.contains(&429), "then refused: {statuses:?}");
    let refused = lookup(99);
    let answer: serde_json::Value = serde_json::from_slice(&refused.body).expect("json");
    assert_eq!(
        (refused.status, answer["error"].as_str()),
        (429, Some("rate_limited"))
    );
    let record = f.patient.id().to_string();
    let carer = device_keys(dir.path(), "carer.db");
    let snapshots = format!("/v1/records/{record}/snapshots");
    let answer = signed(&relay.url, &carer, "GET", &snapshots, Vec::new());
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
}

#[test]
fn no_device_of_a_shared_record_keeps_patient_text_in_its_files() {
    let dir = tempfile::tempdir().expect("dir");
    let relay_dir = dir.path().join("relay");
    std::fs::create_dir_all(&relay_dir).expect("relay dir");
    let relay = RelayProcess::start(&relay_dir, CHILD);
    let device = |name: &str| {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).expect("device dir");
        d
    };
    let (phone, carer_dir, clinic_dir) = (device("phone"), device("carer"), device("clinic"));
    let profile = Profile::new("Marker-Old-Name-Qz", "Europe/Berlin").expect("profile");
    let path = phone.join("record.db");
    let mut patient = HealthRecord::create(&path, &keys(&path), &profile).expect("create");
    let mut p = patient.profile().expect("profile");
    p.name = "Marker-Name-Qz".into();
    p.allergies = vec!["marker-allergy-qz".into()];
    patient.set_profile(&p).expect("profile");
    let mut med = amlodipine();
    med.name = "Markermed-Qz".into();
    patient.add_medication(&med).expect("med");
    let entry = JournalEntry::new(
        at("2026-11-20T21:00:00+01:00"),
        "marker-journal-qz",
        None,
        vec![],
    )
    .expect("entry");
    patient.add_journal_entry(&entry).expect("journal");
    let code = invite(&mut patient, Role::Caregiver, &relay.url);
    let mut carer = join(&carer_dir, "record.db", &code);
    let code = invite(&mut patient, Role::Clinician, &relay.url);
    let mut clinic = join(&clinic_dir, "record.db", &code);
    let mut reading = bp(151, 96, "2026-11-21T08:00:00+01:00");
    reading.note = Some("marker-note-qz".into());
    carer.add_reading(&reading).expect("carer logs");
    for _ in 0..2 {
        for r in [&mut patient, &mut carer, &mut clinic] {
            sync(r);
        }
    }
    // Everything reached the clinic, in the clear to its holder...
    assert_eq!(clinic.profile().expect("profile").name, "Marker-Name-Qz");
    assert_eq!(
        clinic.medications(false).expect("meds")[0].name,
        "Markermed-Qz"
    );
    assert_eq!(count(&clinic), 1);
    // ...and no file of any device holds it, nor the relay's.
    for marker in [
        "Marker-Old-Name-Qz",
        "Marker-Name-Qz",
        "marker-allergy-qz",
        "Markermed-Qz",
        "marker-journal-qz",
        "marker-note-qz",
    ] {
        assert_eq!(
            files_holding(dir.path(), marker),
            Vec::<String>::new(),
            "{marker}"
        );
    }
}

#[test]
fn a_caregivers_device_syncs_all_its_records_and_is_told_the_urgent_alert_that_arrived() {
    use companion_core::device::Device;
    use companion_core::keystore::FileKeyStore;
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let device = |name: &str| {
        let d = dir.path().join(name);
        Device::open(
            &d,
            std::sync::Arc::new(FileKeyStore::open(&d).expect("keys")),
        )
        .expect("device")
    };
    let (mum_phone, dad_phone, carer) = (device("mum"), device("dad"), device("carer"));
    let mut mum = mum_phone
        .create(&Profile::new("Mei", "Asia/Shanghai").expect("p"))
        .expect("mum");
    let mut dad = dad_phone
        .create(&Profile::new("Wei", "Asia/Shanghai").expect("p"))
        .expect("dad");
    for parent in [&mut mum, &mut dad] {
        let code = invite(parent, Role::Caregiver, &relay.url);
        carer
            .join(&code, None, &mut http(), &mut |_| {})
            .expect("join");
    }
    let list = carer.records().expect("records");
    assert_eq!(
        list.iter()
            .map(|r| (r.patient.as_str(), r.role))
            .collect::<Vec<_>>(),
        [
            ("Mei", Some(Role::Caregiver)),
            ("Wei", Some(Role::Caregiver))
        ]
    );
    assert!(list.iter().all(|r| r.last_sync.is_some()));

    mum.add_reading(&bp(186, 122, &Utc::now().fixed_offset().to_rfc3339()))
        .expect("urgent reading");
    sync(&mut mum);
    let synced = carer.sync_all(&mut http()).expect("sync all");
    assert_eq!(synced.len(), 2);
    let of = |name: &str| synced.iter().find(|s| s.patient == name).expect("synced");
    assert!(of("Mei").result.is_ok() && of("Wei").result.is_ok());
    assert_eq!(of("Wei").arrived.alerts.len(), 0);
    let alerts = &of("Mei").arrived.alerts;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].kind, AlertKind::HypertensiveCrisis);
    // Nothing new the second time.
    let again = carer.sync_all(&mut http()).expect("sync all");
    assert!(again.iter().all(|s| s.arrived.alerts.is_empty()));
}

/// Mum's record on her phone's device in `dir`, shared with the caregiver's device (returned),
/// which joined it.
fn mum_and_her_carer(
    dir: &Path,
    relay: &RelayProcess,
) -> (HealthRecord, companion_core::device::Device) {
    use companion_core::device::Device;
    use companion_core::keystore::FileKeyStore;
    let device = |name: &str| {
        let d = dir.join(name);
        Device::open(
            &d,
            std::sync::Arc::new(FileKeyStore::open(&d).expect("keys")),
        )
        .expect("device")
    };
    let (phone, carer) = (device("phone"), device("carer"));
    let mut mum = phone
        .create(&Profile::new("Mei", "Asia/Shanghai").expect("p"))
        .expect("mum");
    let code = invite(&mut mum, Role::Caregiver, &relay.url);
    carer
        .join(&code, None, &mut http(), &mut |_| {})
        .expect("join");
    (mum, carer)
}

/// A transport that, while `hold` is set, stops inside its first request: says so on
/// `entered`, and goes on only when `release` is sent (a relay that is very slow to answer).
struct HeldTransport {
    inner: HttpTransport,
    hold: std::sync::Arc<std::sync::atomic::AtomicBool>,
    entered: std::sync::mpsc::Sender<()>,
    release: std::sync::mpsc::Receiver<()>,
}

impl companion_core::sync::Transport for HeldTransport {
    fn send(
        &mut self,
        base: &str,
        request: &companion_core::sync::Request,
    ) -> Result<companion_core::sync::Response, String> {
        if self.hold.swap(false, std::sync::atomic::Ordering::SeqCst) {
            let _ = self.entered.send(());
            let _ = self.release.recv();
        }
        self.inner.send(base, request)
    }
}

#[derive(Default)]
struct Seen {
    states: std::sync::Mutex<Vec<companion_core::device::SyncState>>,
    records: std::sync::Mutex<Vec<(String, usize, usize)>>,
}

impl companion_core::device::SyncObserver for Seen {
    fn state_changed(&self, state: companion_core::device::SyncState) {
        self.states.lock().expect("lock").push(state);
    }
    fn record_synced(&self, r: &companion_core::device::RecordSync) {
        self.records.lock().expect("lock").push((
            r.patient.clone(),
            r.arrived.alerts.len(),
            r.arrived.plan.add.len(),
        ));
    }
}

#[test]
fn a_dose_logged_while_the_sync_service_waits_on_a_slow_relay_is_written_at_once() {
    use companion_core::device::{PlanSettings, SyncService, SyncState};
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let (mut mum, carer) = mum_and_her_carer(dir.path(), &relay);
    let med = amlodipine();
    mum.add_medication(&med).expect("med");
    sync(&mut mum);
    carer
        .sync_all(&mut http())
        .expect("the carer has the medication");
    mum.add_reading(&bp(186, 122, &Utc::now().fixed_offset().to_rfc3339()))
        .expect("urgent");
    sync(&mut mum);

    let hold = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let (entered_tx, entered) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel();
    let transport = HeldTransport {
        inner: http(),
        hold: hold.clone(),
        entered: entered_tx,
        release: release_rx,
    };
    let seen = Arc::new(Seen::default());
    let service = SyncService::new(
        carer.clone(),
        Box::new(transport),
        seen.clone(),
        Some(PlanSettings {
            device_zone: "Asia/Shanghai".into(),
            horizon: chrono::Duration::days(2),
            max: 64,
        }),
    );
    // The app has Mum's record open, as a screen would.
    let mut open = carer.open_record(Some("Mei")).expect("open");
    std::thread::scope(|s| {
        let pass =
            s.spawn(|| service.sync_once(std::time::Instant::now() + Duration::from_secs(600)));
        entered
            .recv_timeout(Duration::from_secs(60))
            .expect("the sync reached the relay");
        assert_eq!(service.state(), SyncState::Syncing);
        // The relay is not answering; the caregiver logs Mum's dose from a notification.
        let (done_tx, done) = std::sync::mpsc::channel();
        let dose = DoseEvent::new(&med.id, DoseStatus::Taken, Utc::now().fixed_offset(), None)
            .expect("dose");
        s.spawn(move || {
            let written = open.log_dose(&dose);
            let _ = done_tx.send(written);
        });
        let written = done.recv_timeout(Duration::from_secs(20));
        release.send(()).expect("release");
        assert!(
            matches!(written, Ok(Ok(_))),
            "the dose waited for the sync: {written:?}"
        );
        let synced = pass.join().expect("pass").expect("synced");
        assert_eq!(synced.len(), 1);
        assert!(synced[0].result.is_ok(), "{:?}", synced[0].result);
    });
    assert_eq!(
        *seen.states.lock().expect("lock"),
        [SyncState::Syncing, SyncState::Idle]
    );
    let records = seen.records.lock().expect("lock").clone();
    assert_eq!(records.len(), 1);
    let (patient, alerts, added) = &records[0];
    assert_eq!((patient.as_str(), *alerts), ("Mei", 1));
    assert!(*added >= 1, "the plan gained the alert's notification");
    // The dose went up with the next pass.
    let again = service
        .sync_once(std::time::Instant::now() + Duration::from_secs(600))
        .expect("again");
    assert!(again[0].result.as_ref().expect("ok").pushed >= 1);
    sync(&mut mum);
    assert_eq!(
        mum.doses(Some(&med.id), TimeRange::ALL)
            .expect("doses")
            .len(),
        1
    );
}

#[test]
fn a_started_sync_service_syncs_when_asked_and_stops() {
    use companion_core::device::{SyncService, SyncState};
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let (mut mum, carer) = mum_and_her_carer(dir.path(), &relay);
    let seen = Arc::new(Seen::default());
    let service = SyncService::new(carer, Box::new(http()), seen.clone(), None);
    service.start(Duration::from_secs(3600));
    let synced = |n: usize| {
        let until = std::time::Instant::now() + Duration::from_secs(60);
        while seen.records.lock().expect("lock").len() < n {
            assert!(std::time::Instant::now() < until, "no pass");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    synced(1); // the first pass, at start
    mum.add_reading(&bp(186, 122, &Utc::now().fixed_offset().to_rfc3339()))
        .expect("urgent");
    sync(&mut mum);
    service.sync_now();
    synced(2);
    service.stop();
    assert_eq!(service.state(), SyncState::Idle);
    let records = seen.records.lock().expect("lock").clone();
    assert_eq!(records[1].1, 1, "the alert arrived with the second pass");
}

#[test]
fn a_caregivers_device_plans_the_caregivers_notifications_and_none_of_the_patients() {
    use companion_core::reminders::NotificationKind;
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let (mut mum, carer) = mum_and_her_carer(dir.path(), &relay);
    let med = amlodipine();
    mum.add_medication(&med).expect("med");
    sync(&mut mum);
    let mut li = carer.open_record(Some("Mei")).expect("open");
    sync(&mut li);
    // The last 08:00 in Shanghai (UTC+8, no daylight saving) at least an hour ago.
    let shanghai = FixedOffset::east_opt(8 * 3600).expect("offset");
    let here = Utc::now().with_timezone(&shanghai);
    let day = if here.time() >= NaiveTime::from_hms_opt(9, 0, 0).expect("time") {
        here.date_naive()
    } else {
        here.date_naive().pred_opt().expect("day")
    };
    let due = day
        .and_time(NaiveTime::from_hms_opt(8, 0, 0).expect("time"))
        .and_local_timezone(shanghai)
        .single()
        .expect("due");
    let before = (due - chrono::Duration::minutes(1)).to_utc();
    let plan_at = |r: &HealthRecord, now: DateTime<Utc>| {
        r.plan_reminders(now, "Asia/Shanghai", chrono::Duration::days(1), 64)
            .expect("plan")
    };

    let carer_plan = plan_at(&li, before);
    assert!(
        carer_plan.iter().all(|n| n.kind != NotificationKind::Dose),
        "a caregiver is never told to take a dose: {carer_plan:?}"
    );
    let told = carer_plan
        .iter()
        .find(|n| n.kind == NotificationKind::MissedDose)
        .expect("the caregiver is told of the dose");
    assert_eq!(told.title, "Mei's 08:00 Amlodipine is not logged yet");
    assert_eq!(
        told.fire_at,
        (due + chrono::Duration::minutes(30)).to_utc(),
        "30 minutes after the dose's time"
    );
    assert!(
        plan_at(&mum, before)
            .iter()
            .any(|n| n.kind == NotificationKind::Dose && n.title == "Time for Amlodipine")
    );

    // Mum takes it; once Li's device syncs, the caregiver's notification is gone.
    let taken = DoseEvent::new(
        &med.id,
        DoseStatus::Taken,
        due + chrono::Duration::minutes(5),
        Some(due),
    )
    .expect("dose");
    mum.log_dose(&taken).expect("taken");
    sync(&mut mum);
    sync(&mut li);
    assert!(
        plan_at(&li, before).iter().all(|n| n.id != told.id),
        "withdrawn once a sync shows it taken"
    );

    // An urgent reading reaches Li's device as an alert about Mei.
    mum.add_reading(&bp(186, 122, &Utc::now().fixed_offset().to_rfc3339()))
        .expect("urgent");
    sync(&mut mum);
    sync(&mut li);
    let alert = plan_at(&li, Utc::now())
        .into_iter()
        .find(|n| n.kind == NotificationKind::SafetyAlert)
        .expect("the alert");
    assert_eq!(alert.title, "Mei: Very high blood pressure");

    // In Chinese when Mei's record is.
    mum.modify_profile(|p| {
        p.language = companion_core::model::Language::SimplifiedChinese;
        Ok(())
    })
    .expect("language");
    sync(&mut mum);
    sync(&mut li);
    let next = due + chrono::Duration::days(1);
    let zh = plan_at(&li, (next - chrono::Duration::minutes(1)).to_utc());
    assert!(
        zh.iter()
            .any(|n| n.title == "Mei 08:00 的Amlodipine还没有记录"),
        "{zh:?}"
    );

    // Li may choose none; the patient's own device plans the patient's, whatever is chosen.
    li.set_notifications(None).expect("none");
    assert!(plan_at(&li, before).is_empty());
    assert!(matches!(
        mum.set_notifications(Some(10)),
        Err(Error::Invalid(_))
    ));
    // A clinician's device plans none by default.
    let code = invite(&mut mum, Role::Clinician, &relay.url);
    let clinic = join(dir.path(), "clinic.db", &code);
    assert!(plan_at(&clinic, before).is_empty());
}

/// A rekeyed replica keeps its sharing keys: it syncs on, reading and writing.
#[test]
fn a_rekeyed_replica_syncs_on() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let mut f = synced_family(dir.path(), &relay);
    let device = f.carer.members().expect("members").device;
    drop(f.carer);
    let path = dir.path().join("carer.db");
    HealthRecord::rekey(&path, &keys(&path)).expect("rekey");
    let mut carer = HealthRecord::open(&path, &keys(&path)).expect("open");
    assert_eq!(carer.members().expect("members").device, device);
    f.patient
        .add_reading(&bp(150, 95, "2026-11-20T08:00:00+01:00"))
        .expect("reading");
    sync(&mut f.patient);
    sync(&mut carer);
    carer
        .add_reading(&bp(130, 85, "2026-11-20T09:00:00+01:00"))
        .expect("reading");
    sync(&mut carer);
    sync(&mut f.patient);
    for r in [&f.patient, &carer] {
        assert_eq!(count(r), 2);
    }
}

/// A caregiver's device forgets a shared record: its file and every key of it go, the sync
/// secrets included; the patient's record is untouched.
#[test]
fn a_forgotten_shared_record_leaves_no_key_on_the_device() {
    use companion_core::keystore::FileKeyStore;
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelayProcess::start(dir.path(), CHILD);
    let (mum, carer) = mum_and_her_carer(dir.path(), &relay);
    let store = FileKeyStore::open(&dir.path().join("carer")).expect("keys");
    assert!(
        store
            .names()
            .expect("names")
            .iter()
            .any(|n| n.contains("/sync/")),
        "the carer's device keeps the record's sync secrets"
    );
    carer.forget("Mei").expect("forget");
    assert_eq!(store.names().expect("names"), Vec::<String>::new());
    assert!(carer.records().expect("records").is_empty());
    assert_eq!(mum.profile().expect("profile").name, "Mei");
}
