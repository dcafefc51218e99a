//! Every variant of every core enum crosses the FFI encoding and comes back unchanged.
//!
//! `every!` lists a type's variants and also matches on them exhaustively, so a variant the core
//! gains fails to compile here until the list names it (the remote mirror fails too).

use chrono::{DateTime, Weekday};
use companion_core::clinical::blood_pressure::{BpCategory, BpSetting};
use companion_core::clinical::glucose::{Hypoglycaemia, RangeBand, TargetStatus};
use companion_core::model::units::{GlucoseUnit, HbA1cUnit, TemperatureUnit, WeightUnit};
use companion_core::model::{
    AlertCourse, AlertKind, AsNeededLimits, Author, BpGuideline, DoseStatus, Language,
    LateDosePolicy, Meal, MealContext, Measurement, MeasurementProtocol, MedicationForm,
    MedicationStatus, ReadingKind, ReadingSource, Schedule, Sex, TimeZonePolicy,
};
use companion_core::reminders::{
    DoseState, Importance, LateDoseAdvice, NotificationAction, NotificationKind,
};
use companion_core::{DoseLimit, StorageKind};
use companion_ffi::UniFfiTag;
use uniffi::{Lift, Lower};

/// Lowers `value` to its FFI form and lifts it back.
fn cross<T: Lower<UniFfiTag> + Lift<UniFfiTag>>(value: T) -> T {
    let mut buf = Vec::new();
    <T as Lower<UniFfiTag>>::write(value, &mut buf);
    let mut rest = buf.as_slice();
    let back = <T as Lift<UniFfiTag>>::try_read(&mut rest).expect("lifts");
    assert!(rest.is_empty(), "every byte read");
    back
}

macro_rules! every {
    ($t:ident: $($v:ident),+ $(,)?) => {{
        #[allow(dead_code)]
        fn exhaustive(x: $t) {
            match x {
                $($t::$v => {}),+
            }
        }
        vec![$($t::$v),+]
    }};
}

fn check<T: Lower<UniFfiTag> + Lift<UniFfiTag> + Clone + PartialEq + std::fmt::Debug>(all: Vec<T>) {
    for v in all {
        assert_eq!(cross(v.clone()), v);
    }
}

#[test]
fn every_fieldless_enum_variant_round_trips() {
    check(every!(ReadingKind: BloodPressure, Glucose, Weight, HeartRate, Spo2, Temperature, Hba1c));
    check(every!(MealContext: Fasting, BeforeMeal, AfterMeal, Bedtime, Random));
    check(every!(
        MedicationForm: Tablet, Capsule, Liquid, Injection, Inhaler, Patch, Drops, Topical, Other
    ));
    check(every!(MedicationStatus: Active, Paused, Stopped));
    check(every!(Meal: Breakfast, Lunch, Dinner, Bedtime));
    check(every!(Weekday: Mon, Tue, Wed, Thu, Fri, Sat, Sun));
    check(every!(DoseStatus: Taken, Skipped, Snoozed));
    check(every!(Sex: Female, Male, Other));
    check(every!(Language: English, SimplifiedChinese));
    check(every!(GlucoseUnit: MgDl, MmolL));
    check(every!(WeightUnit: Kg, Lb));
    check(every!(TemperatureUnit: Celsius, Fahrenheit));
    check(every!(HbA1cUnit: Percent, MmolMol));
    check(every!(BpGuideline: AccAha2017, Esh2023));
    check(every!(BpSetting: Office, Home));
    check(every!(
        BpCategory: Optimal,
        Normal,
        Elevated,
        HighNormal,
        Stage1,
        Stage2,
        BelowHomeThreshold,
        HomeHypertension,
        Grade1,
        Grade2,
        Grade3,
        IsolatedSystolicHypertension,
    ));
    check(every!(Hypoglycaemia: Level1, Level2));
    check(every!(RangeBand: VeryLow, Low, InRange, High, VeryHigh));
    check(every!(TargetStatus: Below, InTarget, Above));
    check(every!(AlertCourse: Open, Improving, BackInRange, Corrected, Seen));
    check(every!(Author: Patient, Caregiver));
    check(every!(MeasurementProtocol: HomeBloodPressure));
    check(
        every!(AlertKind: Level2Hypoglycaemia, HypertensiveCrisis, Fever, DoseLoggedTwice, HyperglycaemicCrisis, LowOxygen, PulseRedFlag, LowSystolic, LowTemperature, Level2Hyperglycaemia),
    );
    check(every!(
        NotificationKind: Dose,
        MissedDose,
        Refill,
        PrescriptionEnd,
        Appointment,
        Measurement,
        Nudge,
        SafetyAlert,
    ));
    check(every!(Importance: Normal, TimeSensitive, Critical));
    check(every!(NotificationAction: Take, Snooze, Skip));
    check(every!(LateDoseAdvice: TakeNow, SkipAndWait));
    check(every!(StorageKind: Busy, Full, ReadOnly, Corrupt, Io, CannotOpen, Other));
}

#[test]
fn every_variant_with_values_round_trips() {
    let at = DateTime::parse_from_rfc3339("2026-11-23T08:05:00+01:00").expect("time");
    let time = chrono::NaiveTime::from_hms_opt(8, 0, 0).expect("time");
    let measurements = vec![
        Measurement::BloodPressure {
            systolic: 142,
            diastolic: 91,
            pulse: Some(72),
        },
        Measurement::Glucose {
            mg_dl: 6.2 * 18.016,
            context: MealContext::Fasting,
        },
        Measurement::Weight { kg: 81.5 },
        Measurement::HeartRate { bpm: 64 },
        Measurement::Spo2 { percent: 97.0 },
        Measurement::Temperature { celsius: 37.2 },
        Measurement::Hba1c { percent: 6.9 },
    ];
    // Exhaustive over the kinds, so a new measurement needs a sample here.
    for m in &measurements {
        match m {
            Measurement::BloodPressure { .. }
            | Measurement::Glucose { .. }
            | Measurement::Weight { .. }
            | Measurement::HeartRate { .. }
            | Measurement::Spo2 { .. }
            | Measurement::Temperature { .. }
            | Measurement::Hba1c { .. } => {}
        }
    }
    check(measurements);
    check(vec![
        ReadingSource::Manual,
        ReadingSource::Device {
            name: "cuff".into(),
        },
        ReadingSource::Imported {
            system: "ehr".into(),
            external_id: "42".into(),
        },
    ]);
    check(vec![
        Schedule::FixedTimes { times: vec![time] },
        Schedule::EveryNHours {
            hours: 8,
            first: time,
            from_last_taken: true,
            window: None,
        },
        Schedule::Weekdays {
            days: vec![Weekday::Mon, Weekday::Thu],
            times: vec![time],
        },
        Schedule::EveryNDays {
            days: 2,
            times: vec![time],
        },
        Schedule::Cyclic {
            on_days: 21,
            off_days: 7,
            times: vec![time],
        },
        Schedule::Tapering { steps: vec![] },
        Schedule::AsNeeded(AsNeededLimits {
            max_per_day: 4,
            min_interval_minutes: 360,
        }),
        Schedule::MealRelative {
            meals: vec![Meal::Dinner],
            offset_minutes: -30,
        },
        Schedule::AfterDose {
            medication_id: "m".into(),
            offset_minutes: 30,
        },
    ]);
    check(vec![
        TimeZonePolicy::Local,
        TimeZonePolicy::Fixed {
            zone: "Asia/Tokyo".into(),
        },
    ]);
    check(vec![
        LateDosePolicy::HalfInterval,
        LateDosePolicy::Within { minutes: 120 },
    ]);
    check(vec![
        DoseState::Upcoming,
        DoseState::Due,
        DoseState::Snoozed { until: at },
        DoseState::Taken {
            at,
            on_time: false,
            by: Some("Ben".into()),
        },
        DoseState::Skipped { at, by: None },
        DoseState::Missed,
    ]);
    check(vec![
        DoseLimit::DailyMaximum { max: 4 },
        DoseLimit::MinimumInterval { minutes: 360 },
    ]);
    // The offset where it happened survives.
    assert_eq!(cross(at).offset().local_minus_utc(), 3600);
}
