//! Readings across the FFI (remote types of the core's).

use companion_core::model::{
    BpSetting, MealContext, Measurement, Reading, ReadingKind, ReadingSource, UnitPreferences,
};
use companion_core::{PageCursor, ReadingPage, ReadingQuery, TimeRange};

use crate::types::{Timestamp, UtcTimestamp};

/// The kinds of reading the record keeps.
#[uniffi::remote(Enum)]
pub enum ReadingKind {
    /// Blood pressure, with an optional pulse.
    BloodPressure,
    /// Capillary or interstitial glucose.
    Glucose,
    /// Body weight.
    Weight,
    /// Heart rate on its own.
    HeartRate,
    /// Oxygen saturation by pulse oximetry.
    Spo2,
    /// Body temperature.
    Temperature,
    /// Glycated haemoglobin.
    Hba1c,
}

/// When a glucose reading was taken relative to meals; the targets differ by context
/// (docs/clinical-sources.md, "Fingerstick context matters").
#[uniffi::remote(Enum)]
pub enum MealContext {
    /// After an overnight fast.
    Fasting,
    /// Before a meal.
    BeforeMeal,
    /// About two hours after a meal.
    AfterMeal,
    /// At bedtime.
    Bedtime,
    /// Any other time.
    Random,
}

/// A measured value in its canonical unit (docs/clinical-sources.md, "Units": glucose mg/dL, weight kg,
/// temperature Celsius, HbA1c NGSP percent, pressures mmHg).
#[uniffi::remote(Enum)]
pub enum Measurement {
    /// Blood pressure in mmHg, with the pulse if the device gave one.
    BloodPressure {
        /// Systolic pressure, mmHg.
        systolic: u16,
        /// Diastolic pressure, mmHg.
        diastolic: u16,
        /// Pulse, beats per minute.
        pulse: Option<u16>,
    },
    /// Glucose in mg/dL with its meal context.
    Glucose {
        /// Glucose, mg/dL.
        mg_dl: f64,
        /// When it was taken relative to meals.
        context: MealContext,
    },
    /// Body weight in kg.
    Weight {
        /// Weight, kg.
        kg: f64,
    },
    /// Heart rate in beats per minute.
    HeartRate {
        /// Beats per minute.
        bpm: u16,
    },
    /// Oxygen saturation in percent.
    Spo2 {
        /// Saturation, percent.
        percent: f64,
    },
    /// Body temperature in degrees Celsius.
    Temperature {
        /// Degrees Celsius.
        celsius: f64,
    },
    /// HbA1c in NGSP percent.
    Hba1c {
        /// NGSP percent.
        percent: f64,
    },
}

/// Where a reading came from.
#[uniffi::remote(Enum)]
pub enum ReadingSource {
    /// Typed in by a person.
    Manual,
    /// Sent by a connected device.
    Device {
        /// The device's name or model.
        name: String,
    },
    /// Imported from another system; `(system, external_id)` identifies it there, so importing
    /// the same reading twice stores it once.
    Imported {
        /// The system it came from (an app, a clinic, a file format).
        system: String,
        /// Its id in that system.
        external_id: String,
    },
}

/// One reading: a measurement at a moment, with where it came from.
#[uniffi::remote(Record)]
pub struct Reading {
    /// The entry id (UUID v7).
    pub id: String,
    /// What was measured, in canonical units.
    pub measurement: Measurement,
    /// When it was measured, with the UTC offset of the place it was measured in.
    pub at: Timestamp,
    /// The unit it was entered in (`mmol/L`, `lb`, `F`, `mmol/mol`), when not canonical.
    #[uniffi(default)]
    pub entered_unit: Option<String>,
    /// Where it came from.
    pub source: ReadingSource,
    /// A free-text note.
    #[uniffi(default)]
    pub note: Option<String>,
    /// Who logged it (a member or device name).
    #[uniffi(default)]
    pub logged_by: Option<String>,
    /// Where a blood pressure was taken: home when `null`, or the office.
    #[uniffi(default)]
    pub setting: Option<BpSetting>,
    /// For a glucose from a continuous sensor, the minutes between its readings.
    #[uniffi(default)]
    pub sensor_interval_minutes: Option<u16>,
}

/// A half-open time range `[from, to)`; an open end is unbounded.
#[uniffi::remote(Record)]
pub struct TimeRange {
    /// Inclusive start.
    #[uniffi(default)]
    pub from: Option<UtcTimestamp>,
    /// Exclusive end.
    #[uniffi(default)]
    pub to: Option<UtcTimestamp>,
}

/// Which readings to list: newest first, a page at a time.
#[uniffi::remote(Record)]
pub struct ReadingQuery {
    /// Only this kind; every kind when `None`.
    #[uniffi(default)]
    pub kind: Option<ReadingKind>,
    /// Only readings taken in this range.
    pub range: TimeRange,
    /// At most this many readings (`None`: all).
    #[uniffi(default)]
    pub limit: Option<u32>,
    /// Continue after the page that returned this cursor.
    #[uniffi(default)]
    pub after: Option<PageCursor>,
}

/// One page of readings.
#[uniffi::remote(Record)]
pub struct ReadingPage {
    /// The readings, newest first.
    #[uniffi(default)]
    pub readings: Vec<Reading>,
    /// Where the next page starts; `None` on the last page.
    #[uniffi(default)]
    pub next: Option<PageCursor>,
}

/// A number as a person types it (`61.5`, `61,5`); `None` when it is not one.
#[uniffi::export]
pub fn parse_number(text: String) -> Option<f64> {
    companion_core::model::units::parse_decimal(&text)
}

/// `value` of a `kind` reading, typed in the record's unit (`units`), in the unit the core
/// keeps: mg/dL, kg, °C, NGSP %; the other kinds as they are.
#[uniffi::export]
pub fn to_stored_unit(kind: ReadingKind, value: f64, units: UnitPreferences) -> f64 {
    match kind {
        ReadingKind::Glucose => units.glucose.to_mg_dl(value),
        ReadingKind::Weight => units.weight.to_kg(value),
        ReadingKind::Temperature => units.temperature.to_celsius(value),
        ReadingKind::Hba1c => units.hba1c.to_percent(value),
        ReadingKind::BloodPressure | ReadingKind::HeartRate | ReadingKind::Spo2 => value,
    }
}

/// The symbol of the record's unit for a `kind` reading: `mmHg`, `mmol/L`, `lb`, `°F`, `%`,
/// `bpm`.
#[uniffi::export]
pub fn unit_symbol(kind: ReadingKind, units: UnitPreferences) -> String {
    match kind {
        ReadingKind::BloodPressure => "mmHg",
        ReadingKind::Glucose => units.glucose.symbol(),
        ReadingKind::Weight => units.weight.symbol(),
        ReadingKind::Temperature => units.temperature.symbol(),
        ReadingKind::Hba1c => units.hba1c.symbol(),
        ReadingKind::Spo2 => "%",
        ReadingKind::HeartRate => "bpm",
    }
    .to_string()
}

/// The value as a person reads it, in `units`: `142/91 mmHg`, `6.2 mmol/L (fasting)`.
#[uniffi::export]
pub fn format_measurement(measurement: Measurement, units: UnitPreferences) -> String {
    measurement.format_in(&units)
}
