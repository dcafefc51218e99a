//! Each format's sample file (`import/samples/`) into a fresh record file: exactly the expected
//! readings (kinds, values in canonical units, times with their offsets, contexts, sensor
//! readings); a second import adds nothing; a file with one bad row names it and changes
//! nothing; old lows are history that notifies no one today.
#![allow(missing_docs)]

use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use companion_core::HealthRecord;
use companion_core::import::Sample;
use companion_core::keystore::{MemoryKeyStore, RecordKeys};
use companion_core::model::{MealContext, Measurement, Profile};
use companion_core::zone::Zone;
use companion_import::{Format, read};

fn record(dir: &Path) -> HealthRecord {
    let path = dir.join("r.db");
    let keys = RecordKeys::for_path(Arc::new(MemoryKeyStore::default()), &path);
    HealthRecord::create(
        &path,
        &keys,
        &Profile::new("Ana", "Europe/Berlin").expect("p"),
    )
    .expect("create")
}

fn sample_file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

fn samples(name: &str, format: Format) -> companion_import::Outcome {
    let zone = Zone::named("Europe/Berlin").expect("zone");
    let file = std::fs::File::open(sample_file(name)).expect("open");
    read(BufReader::new(file), format, &zone).expect("read")
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
        .expect("now")
        .to_utc()
}

fn import(
    r: &mut HealthRecord,
    out: &companion_import::Outcome,
) -> companion_core::import::ImportReport {
    let list: Vec<Sample> = out.samples.iter().map(|(_, s)| s.clone()).collect();
    r.import_readings(&list, now(), &mut |_| {})
        .expect("import")
}

/// The record's readings as (time, measurement, sensor interval), oldest first.
fn held(r: &HealthRecord) -> Vec<(String, Measurement, Option<u16>)> {
    let mut list: Vec<_> = r
        .readings(&Default::default())
        .expect("readings")
        .readings
        .into_iter()
        .map(|r| (r.at.to_rfc3339(), r.measurement, r.sensor_interval_minutes))
        .collect();
    list.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(format!("{:?}", a.1).cmp(&format!("{:?}", b.1)))
    });
    list
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.05
}

#[test]
fn csv_rows_become_exactly_the_readings_they_say() {
    let out = samples("readings.csv", Format::Csv);
    assert!(out.bad.is_empty(), "{:?}", out.bad);
    let dir = tempfile::tempdir().expect("dir");
    let mut r = record(dir.path());
    let report = import(&mut r, &out);
    assert_eq!((report.added, report.duplicates), (10, 0));
    let list = held(&r);
    assert_eq!(
        list[0].0, "2026-06-01T03:10:00+02:00",
        "a local time in summer: +02:00"
    );
    let find = |at: &str| {
        list.iter()
            .find(|(t, _, _)| t == at)
            .map(|x| x.1.clone())
            .expect(at)
    };
    assert_eq!(
        find("2026-11-20T07:30:00+01:00"),
        Measurement::BloodPressure {
            systolic: 142,
            diastolic: 91,
            pulse: Some(70)
        }
    );
    match find("2026-11-21T07:00:00+01:00") {
        Measurement::Glucose { mg_dl, context } => {
            assert!(close(mg_dl, 104.5), "{mg_dl}");
            assert_eq!(context, MealContext::Fasting);
        }
        other => panic!("{other:?}"),
    }
    match find("2026-11-21T07:05:00+01:00") {
        Measurement::Weight { kg } => assert!(close(kg, 84.19), "{kg}"),
        other => panic!("{other:?}"),
    }
    match find("2026-11-21T07:08:00+01:00") {
        Measurement::Temperature { celsius } => assert!(close(celsius, 37.0), "{celsius}"),
        other => panic!("{other:?}"),
    }
    match find("2026-11-22T10:00:00+01:00") {
        Measurement::Hba1c { percent } => assert!(close(percent, 7.09), "{percent}"),
        other => panic!("{other:?}"),
    }
    // The same file again adds nothing.
    let again = import(&mut r, &out);
    assert_eq!((again.added, again.duplicates), (0, 10));
    // The same readings from another format (JSON rows) add nothing either.
    let json = samples("readings.json", Format::Json);
    let report = import(&mut r, &json);
    assert_eq!((report.added, report.duplicates), (0, 3));
}

#[test]
fn an_old_low_is_history_and_notifies_no_one_today() {
    let out = samples("readings.csv", Format::Csv);
    let dir = tempfile::tempdir().expect("dir");
    let mut r = record(dir.path());
    let report = import(&mut r, &out);
    assert_eq!((report.alerts, report.history_alerts), (0, 1));
    assert!(r.alerts_shown(now()).expect("shown").is_empty());
    let plan = r
        .plan_reminders(now(), "Europe/Berlin", chrono::Duration::hours(48), 64)
        .expect("plan");
    assert!(
        plan.iter()
            .all(|n| !format!("{:?}", n.kind).contains("Alert")),
        "{plan:?}"
    );
    // The low is in the history, seen by the import.
    let all = r.alerts(companion_core::TimeRange::ALL).expect("alerts");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].acknowledged_by.as_deref(), Some("import"));
    // A low taken an hour before the import is news: it notifies.
    let mut fresh = out.samples[9].1.clone();
    fresh.at = (now() - chrono::Duration::hours(1)).fixed_offset();
    let report = r
        .import_readings(&[fresh], now(), &mut |_| {})
        .expect("import");
    assert_eq!((report.alerts, report.history_alerts), (1, 0));
    assert_eq!(r.alerts_shown(now()).expect("shown").len(), 1);
}

#[test]
fn health_connect_records_become_readings_with_their_offsets_and_sources() {
    let out = samples("health-connect.json", Format::HealthConnect);
    assert!(out.bad.is_empty(), "{:?}", out.bad);
    assert_eq!(out.other, 1, "the steps are left out");
    let dir = tempfile::tempdir().expect("dir");
    let mut r = record(dir.path());
    let report = import(&mut r, &out);
    assert_eq!(report.added, 8);
    let list = held(&r);
    assert!(list.contains(&(
        "2026-11-20T07:30:00+01:00".into(),
        Measurement::BloodPressure {
            systolic: 142,
            diastolic: 91,
            pulse: None
        },
        None
    )));
    let sensor = list
        .iter()
        .find(|(t, _, _)| t == "2026-11-21T12:05:00+01:00")
        .expect("cgm");
    assert_eq!(sensor.2, Some(5), "interstitial fluid: a sensor reading");
    let fasting = list
        .iter()
        .find(|(t, _, _)| t == "2026-11-21T07:00:00+01:00")
        .expect("fasting");
    assert!(matches!(
        fasting.1,
        Measurement::Glucose {
            context: MealContext::Fasting,
            ..
        }
    ));
    let hr: Vec<_> = list
        .iter()
        .filter(|(_, m, _)| matches!(m, Measurement::HeartRate { .. }))
        .collect();
    assert_eq!(hr.len(), 2);
    assert_eq!(hr[0].0, "2026-11-21T07:01:00+01:00");
    assert_eq!(import(&mut r, &out).added, 0);
}

#[test]
fn a_healthkit_export_becomes_readings_and_a_pressure_listed_twice_is_one() {
    let out = samples("healthkit-export.xml", Format::HealthKit);
    assert!(out.bad.is_empty(), "{:?}", out.bad);
    assert_eq!(out.other, 1, "the steps are left out");
    let dir = tempfile::tempdir().expect("dir");
    let mut r = record(dir.path());
    let report = import(&mut r, &out);
    assert_eq!((report.added, report.duplicates), (6, 1));
    let list = held(&r);
    let pressures: Vec<_> = list
        .iter()
        .filter(|(_, m, _)| matches!(m, Measurement::BloodPressure { .. }))
        .collect();
    assert_eq!(pressures.len(), 1);
    let spo2 = list
        .iter()
        .find(|(_, m, _)| matches!(m, Measurement::Spo2 { .. }))
        .expect("spo2");
    assert_eq!(spo2.1, Measurement::Spo2 { percent: 97.0 });
    let before = list
        .iter()
        .find(|(t, _, _)| t == "2026-11-21T07:00:00+01:00")
        .expect("glucose");
    match before.1 {
        Measurement::Glucose { mg_dl, context } => {
            assert!(close(mg_dl, 104.5), "{mg_dl}");
            assert_eq!(context, MealContext::BeforeMeal);
        }
        ref other => panic!("{other:?}"),
    }
    assert_eq!(import(&mut r, &out).added, 0);
}

#[test]
fn a_file_with_one_bad_row_names_it_and_changes_nothing() {
    let good = std::fs::read_to_string(sample_file("readings.csv")).expect("read");
    let bad = good.replace(
        "2026-11-21 07:06,heart_rate,64,bpm",
        "2026-11-21 07:06,heart_rate,sixty,bpm",
    );
    let zone = Zone::named("Europe/Berlin").expect("zone");
    let out = read(bad.as_bytes(), Format::Csv, &zone).expect("read");
    assert_eq!(out.bad.len(), 1);
    assert_eq!((out.bad[0].line, out.bad[0].field), (7, "value"));
    // A reading out of bounds is refused by the record, all or nothing, naming its position.
    let dir = tempfile::tempdir().expect("dir");
    let mut r = record(dir.path());
    let mut list: Vec<Sample> = samples("readings.csv", Format::Csv)
        .samples
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    list[3].measurement = Measurement::Weight { kg: 2000.0 };
    match r.import_readings(&list, now(), &mut |_| {}) {
        Err(companion_core::Error::Batch { index, .. }) => assert_eq!(index, 3),
        other => panic!("{other:?}"),
    }
    assert!(held(&r).is_empty());
    // A CSV without a required column is refused as a whole.
    let headless = good.replace("time,kind,value", "when,kind,value");
    assert!(read(headless.as_bytes(), Format::Csv, &zone).is_err());
}
