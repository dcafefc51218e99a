//! The JSON shapes of the tagged types (schedules, measurements, sources, policies, membership
//! bodies) are read flat rather than by serde's internally tagged derive, for the phone
//! library's size. These tests pin that every value reads back as it was written, through text
//! and through `serde_json::Value` (the two ways the store reads entries), that JSON written in
//! the tagged shape by hand reads the same, and that a missing field is refused.

use chrono::{NaiveTime, Weekday};
use companion_core::model::{
    AsNeededLimits, DailyWindow, DoseAmount, LateDosePolicy, Meal, MealContext, Measurement,
    ReadingSource, Schedule, TaperStep, TimeZonePolicy,
};
use companion_core::sync::Role;
use companion_core::sync::membership::{Body, DeviceCard, WrappedKey};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a time")
}

/// Written and read back, as text and as a value, it is the same.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
    let text = serde_json::to_string(v).expect("serializes");
    assert_eq!(&serde_json::from_str::<T>(&text).expect(&text), v, "{text}");
    let value = serde_json::to_value(v).expect("serializes");
    assert_eq!(
        &serde_json::from_value::<T>(value).expect(&text),
        v,
        "{text}"
    );
}

fn schedules() -> Vec<Schedule> {
    let window = Some(DailyWindow {
        start: t(8, 0),
        end: t(20, 0),
    });
    vec![
        Schedule::FixedTimes {
            times: vec![t(8, 0), t(20, 0)],
        },
        Schedule::EveryNHours {
            hours: 4,
            first: t(8, 0),
            from_last_taken: true,
            window,
        },
        Schedule::EveryNHours {
            hours: 8,
            first: t(6, 0),
            from_last_taken: false,
            window: None,
        },
        Schedule::EveryNMinutes {
            minutes: 90,
            first: t(7, 0),
            from_last_taken: false,
            window,
        },
        Schedule::Weekdays {
            days: vec![Weekday::Mon, Weekday::Thu],
            times: vec![t(9, 0)],
        },
        Schedule::EveryNWeeks {
            weeks: 2,
            days: vec![Weekday::Sun],
            times: vec![t(9, 30)],
        },
        Schedule::DaysOfMonth {
            days: vec![1, 31],
            times: vec![t(8, 0)],
        },
        Schedule::EveryNDays {
            days: 3,
            times: vec![t(8, 0)],
        },
        Schedule::Cyclic {
            on_days: 21,
            off_days: 7,
            times: vec![t(22, 0)],
        },
        Schedule::Tapering {
            steps: vec![TaperStep {
                days: 5,
                dose: DoseAmount {
                    amount: 40.0,
                    unit: "mg".into(),
                },
                times: vec![t(8, 0)],
            }],
        },
        Schedule::AsNeeded(AsNeededLimits {
            max_per_day: 4,
            min_interval_minutes: 240,
        }),
        Schedule::MealRelative {
            meals: vec![Meal::Breakfast, Meal::Dinner],
            offset_minutes: -30,
        },
        Schedule::AfterDose {
            medication_id: "m1".into(),
            offset_minutes: 30,
        },
    ]
}

#[test]
fn schedules_read_back_as_written() {
    for s in schedules() {
        round_trip(&s);
    }
    for p in [
        TimeZonePolicy::Local,
        TimeZonePolicy::Fixed {
            zone: "Europe/Berlin".into(),
        },
    ] {
        round_trip(&p);
    }
    for p in [
        LateDosePolicy::HalfInterval,
        LateDosePolicy::Within { minutes: 90 },
    ] {
        round_trip(&p);
    }
}

#[test]
fn schedules_in_the_tagged_shape_read_the_same() {
    // The tag after the fields, an unknown field: both as the tagged derive read them.
    let s: Schedule = serde_json::from_value(json!({
        "times": ["08:00:00"], "days": ["Mon", "Thu"], "type": "weekdays", "note": "x"
    }))
    .expect("weekdays");
    assert_eq!(
        s,
        Schedule::Weekdays {
            days: vec![Weekday::Mon, Weekday::Thu],
            times: vec![t(8, 0)],
        }
    );
    let s: Schedule =
        serde_json::from_str(r#"{"type":"as_needed","max_per_day":2,"min_interval_minutes":360}"#)
            .expect("as needed");
    assert_eq!(
        s,
        Schedule::AsNeeded(AsNeededLimits {
            max_per_day: 2,
            min_interval_minutes: 360,
        })
    );
}

#[test]
fn a_schedule_missing_a_field_or_of_an_unknown_type_is_refused() {
    for bad in [
        json!({"type": "fixed_times"}),
        json!({"type": "every_n_days", "times": ["08:00:00"]}),
        json!({"type": "days_of_month", "days": ["Mon"], "times": ["08:00:00"]}),
        json!({"type": "after_dose", "medication_id": "m", "offset_minutes": -5}),
        json!({"type": "fortnightly", "times": ["08:00:00"]}),
        json!({"times": ["08:00:00"]}),
    ] {
        assert!(
            serde_json::from_value::<Schedule>(bad.clone()).is_err(),
            "{bad}"
        );
        assert!(serde_json::from_str::<Schedule>(&bad.to_string()).is_err());
    }
    let e = serde_json::from_value::<Schedule>(json!({"type": "cyclic", "on_days": 21}))
        .expect_err("no off days");
    assert!(e.to_string().contains("off_days"), "{e}");
    assert!(serde_json::from_value::<TimeZonePolicy>(json!({"type": "within"})).is_err());
    assert!(serde_json::from_value::<LateDosePolicy>(json!({"type": "within"})).is_err());
    assert!(serde_json::from_value::<LateDosePolicy>(json!({"type": "fixed"})).is_err());
}

#[test]
fn measurements_and_sources_read_back_as_written() {
    for m in [
        Measurement::BloodPressure {
            systolic: 128,
            diastolic: 82,
            pulse: Some(70),
        },
        Measurement::BloodPressure {
            systolic: 140,
            diastolic: 90,
            pulse: None,
        },
        Measurement::Glucose {
            mg_dl: 99.5,
            context: MealContext::Fasting,
        },
        Measurement::Weight { kg: 81.2 },
        Measurement::HeartRate { bpm: 64 },
        Measurement::Spo2 { percent: 97.0 },
        Measurement::Temperature { celsius: 37.9 },
        Measurement::Hba1c { percent: 6.8 },
    ] {
        round_trip(&m);
    }
    for s in [
        ReadingSource::Manual,
        ReadingSource::Device {
            name: "cuff".into(),
        },
        ReadingSource::Imported {
            system: "clinic".into(),
            external_id: "42".into(),
        },
    ] {
        round_trip(&s);
    }
    let m: Measurement =
        serde_json::from_str(r#"{"mg_dl":100,"kind":"glucose","context":"after_meal"}"#)
            .expect("an integer where a float is");
    assert_eq!(
        m,
        Measurement::Glucose {
            mg_dl: 100.0,
            context: MealContext::AfterMeal,
        }
    );
    for bad in [
        json!({"kind": "blood_pressure", "systolic": 120}),
        json!({"kind": "glucose", "mg_dl": 100}),
        json!({"kind": "cholesterol", "mg_dl": 100}),
        json!({"kind": "blood_pressure", "systolic": -1, "diastolic": 80}),
    ] {
        assert!(
            serde_json::from_value::<Measurement>(bad.clone()).is_err(),
            "{bad}"
        );
    }
    assert!(serde_json::from_value::<ReadingSource>(json!({"type": "device"})).is_err());
}

#[test]
fn membership_bodies_read_back_as_written() {
    let card = DeviceCard {
        id: "d1".into(),
        sign: "s".into(),
        dh: "x".into(),
    };
    let keys = vec![WrappedKey {
        device: "d2".into(),
        sealed: "k".into(),
    }];
    for b in [
        // Entries from before names and times were kept carry neither.
        Body::Genesis {
            record: "r".into(),
            device: card.clone(),
            name: None,
            at: None,
        },
        Body::Genesis {
            record: "r".into(),
            device: card.clone(),
            name: Some("sealed".into()),
            at: Some(1_800_000_000_000),
        },
        Body::Invite {
            record: "r".into(),
            invite: "i".into(),
            capability: "c".into(),
            role: Role::Caregiver,
            expires: 1_800_000_000_000,
            by: "d1".into(),
            name: Some("sealed".into()),
            at: Some(1_790_000_000_000),
        },
        Body::Join {
            record: "r".into(),
            invite: "i".into(),
            device: card.clone(),
            role: Role::Clinician,
            name: None,
            at: Some(1_790_000_000_000),
        },
        Body::Rotate {
            record: "r".into(),
            by: "d1".into(),
            epoch: 2,
            keys: keys.clone(),
        },
        Body::Remove {
            record: "r".into(),
            device: "d3".into(),
            by: "d1".into(),
            epoch: 3,
            keys,
        },
    ] {
        round_trip(&b);
    }
    for bad in [
        json!({"type": "genesis", "record": "r", "device": "d1"}),
        json!({"type": "remove", "record": "r", "device": {"id": "d"}, "by": "d1", "epoch": 1, "keys": []}),
        json!({"type": "join", "record": "r", "invite": "i", "role": "owner"}),
        json!({"type": "promote", "record": "r"}),
    ] {
        assert!(
            serde_json::from_value::<Body>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}
