//! What the benchmarks share: five years of a typical patient's readings.
#![allow(dead_code)]

use chrono::{DateTime, Duration as Span, FixedOffset};
use companion_core::model::{MealContext, Measurement, Reading};

/// Readings in five years: about 55 a day.
pub const EVENTS: usize = 100_000;
/// Days in five years.
pub const DAYS: i64 = 5 * 365 + 1;

/// Event `i` of a patient's five years: about 55 a day, mostly glucose, two blood pressures,
/// a weight and a heart rate.
pub fn event(i: usize, start: DateTime<FixedOffset>) -> Reading {
    let minutes = (i as i64) * DAYS * 24 * 60 / EVENTS as i64;
    let at = start + Span::minutes(minutes);
    let n = (i % 97) as u16;
    let m = match i % 55 {
        0 | 27 => Measurement::BloodPressure {
            systolic: 115 + n / 2,
            diastolic: 70 + n / 4,
            pulse: Some(60 + n / 3),
        },
        1 => Measurement::Weight {
            kg: 80.0 + f64::from(n) / 20.0,
        },
        2 => Measurement::HeartRate { bpm: 55 + n / 2 },
        _ => Measurement::Glucose {
            mg_dl: 80.0 + f64::from(n) * 1.7,
            context: MealContext::Random,
        },
    };
    Reading::new(m, at).unwrap()
}

#[path = "../../tests/common/files.rs"]
mod files;
#[allow(unused_imports)] // the encryption bench makes its own keys
pub use files::keys;
