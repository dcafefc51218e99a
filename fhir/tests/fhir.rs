//! FHIR R4 out and in, on real record files: every schedule type exported (or refused by
//! name), a bundle imported into a fresh record giving the same medications and readings, bad
//! input refused whole. With `COMPANION_FHIR_OUT` set, the bundles are also written there, for
//! HAPI FHIR's validator (fhir/validate.sh, run by scripts/test-all.sh).
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use companion_core::HealthRecord;
use companion_core::keystore::{MemoryKeyStore, RecordKeys};
use companion_core::model::{
    AsNeededLimits, DailyWindow, DoseAmount, DoseEvent, DoseStatus, MealContext, Measurement,
    Medication, Profile, Reading, Schedule, TaperStep,
};
use companion_fhir::FhirError;
use serde_json::Value;

fn record(dir: &Path, name: &str) -> HealthRecord {
    let mut profile = Profile::new(name, "Europe/Berlin").expect("profile");
    profile.height_cm = Some(172.0);
    profile.birth_date = NaiveDate::from_ymd_opt(1958, 3, 14);
    profile.conditions = vec!["hypertension".into(), "type_2_diabetes".into()];
    profile.allergies = vec!["penicillin".into()];
    let path = dir.join(format!("{name}.db"));
    let keys = RecordKeys::for_path(Arc::new(MemoryKeyStore::default()), &path);
    HealthRecord::create(&path, &keys, &profile).expect("create")
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

fn med(name: &str, schedule: Schedule) -> Medication {
    let start = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
    Medication::new(
        name,
        DoseAmount::parse("5 mg").expect("dose"),
        schedule,
        start,
    )
    .expect("medication")
}

/// One medication of every schedule type FHIR R4 Timing can say.
fn expressible() -> Vec<Medication> {
    use companion_core::model::Meal;
    vec![
        med(
            "Fixed",
            Schedule::FixedTimes {
                times: vec![t(8, 0), t(20, 0)],
            },
        ),
        med(
            "Hourly",
            Schedule::EveryNHours {
                hours: 6,
                first: t(6, 0),
                from_last_taken: false,
                window: None,
            },
        ),
        med(
            "Minutes",
            Schedule::EveryNMinutes {
                minutes: 90,
                first: t(7, 30),
                from_last_taken: false,
                window: None,
            },
        ),
        med(
            "Weekdays",
            Schedule::Weekdays {
                days: vec![Weekday::Mon, Weekday::Thu],
                times: vec![t(9, 0)],
            },
        ),
        med(
            "Weeks",
            Schedule::EveryNWeeks {
                weeks: 2,
                days: vec![Weekday::Sun],
                times: vec![t(10, 0)],
            },
        ),
        med(
            "Days",
            Schedule::EveryNDays {
                days: 3,
                times: vec![t(8, 0)],
            },
        ),
        med(
            "Meals",
            Schedule::MealRelative {
                meals: vec![Meal::Breakfast, Meal::Dinner],
                offset_minutes: -30,
            },
        ),
        med(
            "Taper",
            Schedule::Tapering {
                steps: vec![
                    TaperStep {
                        days: 3,
                        dose: DoseAmount::parse("40 mg").expect("d"),
                        times: vec![t(8, 0)],
                    },
                    TaperStep {
                        days: 3,
                        dose: DoseAmount::parse("20 mg").expect("d"),
                        times: vec![t(8, 0)],
                    },
                ],
            },
        ),
        med(
            "AsNeeded",
            Schedule::AsNeeded(AsNeededLimits {
                max_per_day: 4,
                min_interval_minutes: 240,
            }),
        ),
    ]
}

fn readings() -> Vec<Reading> {
    let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("time");
    let mut list = vec![
        Reading::new(
            Measurement::BloodPressure {
                systolic: 142,
                diastolic: 91,
                pulse: Some(71),
            },
            at("2026-11-20T07:30:00+01:00"),
        ),
        Reading::new(
            Measurement::BloodPressure {
                systolic: 128,
                diastolic: 79,
                pulse: None,
            },
            at("2026-11-20T19:30:00+01:00"),
        ),
        Reading::new(
            Measurement::Glucose {
                mg_dl: 112.0,
                context: MealContext::Fasting,
            },
            at("2026-11-21T07:00:00+01:00"),
        ),
        Reading::new(
            Measurement::Weight { kg: 84.2 },
            at("2026-11-21T07:05:00+01:00"),
        ),
        Reading::new(
            Measurement::HeartRate { bpm: 64 },
            at("2026-11-21T07:06:00+01:00"),
        ),
        Reading::new(
            Measurement::Spo2 { percent: 97.0 },
            at("2026-11-21T07:07:00+01:00"),
        ),
        Reading::new(
            Measurement::Temperature { celsius: 36.8 },
            at("2026-11-21T07:08:00+01:00"),
        ),
        Reading::new(
            Measurement::Hba1c { percent: 7.1 },
            at("2026-11-22T10:00:00+01:00"),
        ),
    ]
    .into_iter()
    .map(|r| r.expect("reading"))
    .collect::<Vec<_>>();
    let mut cgm = Reading::new(
        Measurement::Glucose {
            mg_dl: 144.0,
            context: MealContext::Random,
        },
        at("2026-11-22T12:00:00+01:00"),
    )
    .expect("reading");
    cgm.sensor_interval_minutes = Some(15);
    list.push(cgm);
    list
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
        .expect("now")
        .to_utc()
}

/// Writes `bundle` where the validator run of scripts/test-all.sh finds it.
fn keep(name: &str, bundle: &Value) {
    if let Some(dir) = std::env::var_os("COMPANION_FHIR_OUT") {
        let path = Path::new(&dir).join(format!("{name}.json"));
        std::fs::write(path, serde_json::to_vec_pretty(bundle).expect("json")).expect("write");
    }
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

#[test]
fn every_schedule_type_r4_can_say_is_exported_with_its_timing() {
    let dir = tempfile::tempdir().expect("dir");
    let mut r = record(dir.path(), "Every");
    for m in expressible() {
        r.add_medication(&m).expect("add");
    }
    let bundle = companion_fhir::export(&r, now()).expect("export");
    keep("every-schedule", &bundle);
    let requests = resources(&bundle, "MedicationRequest");
    assert_eq!(requests.len(), expressible().len());
    let by_name = |name: &str| {
        *requests
            .iter()
            .find(|m| m["medicationCodeableConcept"]["text"] == name)
            .expect(name)
    };
    let repeat = |name: &str| by_name(name)["dosageInstruction"][0]["timing"]["repeat"].clone();
    assert_eq!(
        repeat("Fixed")["timeOfDay"],
        serde_json::json!(["08:00:00", "20:00:00"])
    );
    assert_eq!(repeat("Hourly")["period"], 6);
    assert_eq!(repeat("Hourly")["periodUnit"], "h");
    assert_eq!(repeat("Minutes")["periodUnit"], "min");
    assert_eq!(
        repeat("Weekdays")["dayOfWeek"],
        serde_json::json!(["mon", "thu"])
    );
    assert_eq!(repeat("Weeks")["period"], 2);
    assert_eq!(repeat("Weeks")["periodUnit"], "wk");
    assert_eq!(repeat("Days")["period"], 3);
    assert_eq!(repeat("Meals")["when"], serde_json::json!(["ACM", "ACV"]));
    assert_eq!(repeat("Meals")["offset"], 30);
    let taper = &by_name("Taper")["dosageInstruction"];
    assert_eq!(taper.as_array().expect("steps").len(), 2);
    assert_eq!(taper[1]["sequence"], 2);
    assert_eq!(taper[1]["doseAndRate"][0]["doseQuantity"]["value"], 20.0);
    let prn = &by_name("AsNeeded")["dosageInstruction"][0];
    assert_eq!(prn["asNeededBoolean"], true);
    assert_eq!(prn["maxDosePerPeriod"]["numerator"]["value"], 4);
}

#[test]
fn a_schedule_r4_cannot_say_is_refused_naming_the_medication_and_its_type() {
    let cases = [
        (
            Schedule::DaysOfMonth {
                days: vec![1, 15],
                times: vec![t(8, 0)],
            },
            "days_of_month",
        ),
        (
            Schedule::Cyclic {
                on_days: 21,
                off_days: 7,
                times: vec![t(8, 0)],
            },
            "cyclic",
        ),
        (
            Schedule::EveryNHours {
                hours: 4,
                first: t(8, 0),
                from_last_taken: false,
                window: Some(DailyWindow {
                    start: t(8, 0),
                    end: t(20, 0),
                }),
            },
            "every_n_hours within a daily window",
        ),
        (
            Schedule::EveryNHours {
                hours: 4,
                first: t(8, 0),
                from_last_taken: true,
                window: None,
            },
            "every_n_hours counted from the last dose",
        ),
    ];
    for (schedule, named) in cases {
        let dir = tempfile::tempdir().expect("dir");
        let mut r = record(dir.path(), "Refused");
        let m = med("Monthly", schedule);
        r.add_medication(&m).expect("add");
        match companion_fhir::export(&r, now()) {
            Err(FhirError::Inexpressible {
                medication,
                schedule,
            }) => {
                assert_eq!(medication, m.id);
                assert_eq!(schedule, named);
            }
            other => panic!("{named}: {other:?}"),
        }
    }
}

#[test]
fn an_exported_bundle_imports_into_a_fresh_record_as_the_same_medications_and_readings() {
    let dir = tempfile::tempdir().expect("dir");
    let mut source = record(dir.path(), "Source");
    let mut meds = expressible();
    // The import takes one Dosage per request: the taper stays out of the round trip.
    meds.retain(|m| {
        !matches!(
            m.schedule,
            Schedule::Tapering { .. } | Schedule::MealRelative { .. }
        )
    });
    for m in &meds {
        source.add_medication(m).expect("add");
    }
    source.add_readings(&readings()).expect("readings");
    let fixed = &meds[0];
    let taken = DoseEvent::new(
        &fixed.id,
        DoseStatus::Taken,
        DateTime::parse_from_rfc3339("2026-11-20T08:05:00+01:00").expect("t"),
        Some(DateTime::parse_from_rfc3339("2026-11-20T08:00:00+01:00").expect("t")),
    )
    .expect("dose");
    source.log_dose(&taken).expect("dose");
    let bundle = companion_fhir::export(&source, now()).expect("export");
    keep("round-trip", &bundle);
    assert_eq!(resources(&bundle, "MedicationAdministration").len(), 1);
    assert_eq!(resources(&bundle, "Condition").len(), 2);
    assert_eq!(resources(&bundle, "AllergyIntolerance").len(), 1);

    let mut fresh = record(dir.path(), "Fresh");
    let bytes = serde_json::to_vec(&bundle).expect("json");
    let done = companion_fhir::import(&mut fresh, &bytes, now()).expect("import");
    assert_eq!(done.medications_added, meds.len());
    assert_eq!(done.readings_added, readings().len());
    let shape = |m: &Medication| {
        (
            m.name.clone(),
            m.dose.clone(),
            m.schedule.clone(),
            m.start,
            m.status,
        )
    };
    let mut before: Vec<_> = source
        .medications(true)
        .expect("m")
        .iter()
        .map(shape)
        .collect();
    let mut after: Vec<_> = fresh
        .medications(true)
        .expect("m")
        .iter()
        .map(shape)
        .collect();
    before.sort_by(|a, b| a.0.cmp(&b.0));
    after.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(before, after);
    let values = |r: &HealthRecord| {
        let mut list: Vec<_> = r
            .readings(&Default::default())
            .expect("r")
            .readings
            .into_iter()
            .map(|r| {
                (
                    r.at,
                    format!("{:?}", r.measurement),
                    r.sensor_interval_minutes,
                )
            })
            .collect();
        list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        list
    };
    assert_eq!(values(&source), values(&fresh));
    // The same bundle again adds nothing.
    let again = companion_fhir::import(&mut fresh, &bytes, now()).expect("again");
    assert_eq!((again.medications_added, again.readings_added), (0, 0));
    assert_eq!(again.readings_known, readings().len());
}

#[test]
fn bad_or_unsupported_input_is_refused_whole_with_the_element_named() {
    let dir = tempfile::tempdir().expect("dir");
    let mut source = record(dir.path(), "Source");
    source.add_medication(&expressible()[0]).expect("add");
    source.add_readings(&readings()).expect("readings");
    let good = companion_fhir::export(&source, now()).expect("export");
    let observation = good["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .position(|e| {
            e["resource"]["resourceType"] == "Observation"
                && e["resource"]["code"]["coding"][0]["code"] == "29463-7"
        })
        .expect("a weight");
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut b = good.clone();
        edit(&mut b);
        serde_json::to_vec(&b).expect("json")
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not json".to_vec(), "not JSON"),
        (
            br#"{"resourceType":"Patient"}"#.to_vec(),
            "not a FHIR R4 Bundle",
        ),
        (
            broken(&|b| {
                b["entry"][observation]["resource"]["code"]["coding"][0]["code"] = "1234-5".into()
            }),
            "Observation.code",
        ),
        (
            broken(&|b| {
                b["entry"][observation]["resource"]["valueQuantity"]["code"] = "stone".into()
            }),
            "Observation.valueQuantity.code",
        ),
        (
            broken(&|b| {
                b["entry"][observation]["resource"]["effectiveDateTime"] = "yesterday".into()
            }),
            "Observation.effectiveDateTime",
        ),
        (
            broken(&|b| {
                b["entry"][observation]["resource"]["valueQuantity"]["value"] = 9000.into()
            }),
            "Observation.valueQuantity",
        ),
        (
            broken(&|b| {
                let entries = b["entry"].as_array_mut().expect("entries");
                let request = entries
                    .iter_mut()
                    .find(|e| e["resource"]["resourceType"] == "MedicationRequest")
                    .expect("request");
                request["resource"]["dosageInstruction"][0]["timing"]["repeat"]["periodUnit"] =
                    "mo".into();
            }),
            "Dosage.timing.repeat.periodUnit",
        ),
    ];
    let mut fresh = record(dir.path(), "Fresh");
    for (bytes, element) in cases {
        let e = companion_fhir::import(&mut fresh, &bytes, now()).expect_err(element);
        assert!(e.to_string().contains(element), "{element}: {e}");
        assert!(fresh.medications(true).expect("m").is_empty(), "{element}");
        assert!(
            fresh
                .readings(&Default::default())
                .expect("r")
                .readings
                .is_empty(),
            "{element}"
        );
    }
}
