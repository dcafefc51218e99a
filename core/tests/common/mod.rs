//! Helpers shared by the integration tests.
#![allow(dead_code, missing_docs)]

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use companion_core::HealthRecord;
use companion_core::model::{DoseAmount, Measurement, Medication, Profile, Reading, Schedule};

pub fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("test time")
}

pub fn new_record(dir: &tempfile::TempDir) -> HealthRecord {
    let profile = Profile::new("Ana", "Europe/Berlin").expect("profile");
    HealthRecord::create(
        &dir.path().join("record.db"),
        &keys(&dir.path().join("record.db")),
        &profile,
    )
    .expect("create")
}

pub fn bp(systolic: u16, diastolic: u16, when: &str) -> Reading {
    let m = Measurement::BloodPressure {
        systolic,
        diastolic,
        pulse: None,
    };
    Reading::new(m, at(when)).expect("reading")
}

/// A random (not meal-related) glucose of `mg_dl` taken at `when`.
pub fn glucose(mg_dl: f64, when: &str) -> Reading {
    let m = Measurement::Glucose {
        mg_dl,
        context: companion_core::model::MealContext::Random,
    };
    Reading::new(m, at(when)).expect("reading")
}

pub fn metformin() -> Medication {
    let schedule = Schedule::FixedTimes {
        times: vec![
            NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
            NaiveTime::from_hms_opt(20, 0, 0).expect("time"),
        ],
    };
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let mut m = Medication::new(
        "Metformin",
        DoseAmount::parse("500 mg").expect("dose"),
        schedule,
        start,
    )
    .expect("medication");
    // The tests look at dates before today: doses are due from the start date.
    m.recorded_at = None;
    m
}

mod files;
pub use files::*;
