//! Readings across the FFI.

use companion_core::model as core;

use crate::convert::{instant, instant_text};
use crate::error::CompanionError;

/// The kinds of reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReadingKind {
    /// Blood pressure.
    BloodPressure,
    /// Glucose.
    Glucose,
    /// Body weight.
    Weight,
    /// Heart rate.
    HeartRate,
    /// Oxygen saturation.
    Spo2,
    /// Body temperature.
    Temperature,
    /// HbA1c.
    Hba1c,
}

/// When a glucose reading was taken relative to meals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MealContext {
    /// Fasting.
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

/// A measured value in canonical units (mmHg, mg/dL, kg, /min, %, °C, NGSP %).
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Measurement {
    /// Blood pressure, mmHg, with an optional pulse.
    BloodPressure {
        /// Systolic, mmHg.
        systolic: u16,
        /// Diastolic, mmHg.
        diastolic: u16,
        /// Pulse, /min.
        pulse: Option<u16>,
    },
    /// Glucose in mg/dL.
    Glucose {
        /// mg/dL.
        mg_dl: f64,
        /// Meal context.
        context: MealContext,
    },
    /// Weight in kg.
    Weight {
        /// kg.
        kg: f64,
    },
    /// Heart rate.
    HeartRate {
        /// Beats per minute.
        bpm: u16,
    },
    /// Oxygen saturation.
    Spo2 {
        /// Percent.
        percent: f64,
    },
    /// Body temperature.
    Temperature {
        /// Degrees Celsius.
        celsius: f64,
    },
    /// HbA1c.
    Hba1c {
        /// NGSP percent.
        percent: f64,
    },
}

/// Where a reading came from.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ReadingSource {
    /// Typed in.
    Manual,
    /// Sent by a device.
    Device {
        /// The device's name.
        name: String,
    },
    /// Imported; `(system, external_id)` de-duplicates.
    Imported {
        /// The system it came from.
        system: String,
        /// Its id there.
        external_id: String,
    },
}

/// A reading. `at` is RFC 3339 with the UTC offset of the place it was taken.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Reading {
    /// Entry id (use `new_id()` for a new reading).
    pub id: String,
    /// The value.
    pub measurement: Measurement,
    /// When, RFC 3339.
    pub at: String,
    /// The unit it was typed in, when not canonical.
    pub entered_unit: Option<String>,
    /// Where it came from.
    pub source: ReadingSource,
    /// A note.
    pub note: Option<String>,
    /// Who logged it.
    pub logged_by: Option<String>,
}

/// Which readings to list, newest first.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReadingQuery {
    /// Only this kind.
    pub kind: Option<ReadingKind>,
    /// From this instant (RFC 3339), inclusive.
    pub from: Option<String>,
    /// To this instant (RFC 3339), exclusive.
    pub to: Option<String>,
    /// At most this many.
    pub limit: Option<u32>,
    /// Continue after this cursor (from a previous page's `next`).
    pub after: Option<String>,
}

/// A page of readings.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReadingPage {
    /// Newest first.
    pub readings: Vec<Reading>,
    /// The cursor of the next page; none on the last one.
    pub next: Option<String>,
}

impl From<ReadingKind> for core::ReadingKind {
    fn from(k: ReadingKind) -> Self {
        match k {
            ReadingKind::BloodPressure => Self::BloodPressure,
            ReadingKind::Glucose => Self::Glucose,
            ReadingKind::Weight => Self::Weight,
            ReadingKind::HeartRate => Self::HeartRate,
            ReadingKind::Spo2 => Self::Spo2,
            ReadingKind::Temperature => Self::Temperature,
            ReadingKind::Hba1c => Self::Hba1c,
        }
    }
}

impl From<core::ReadingKind> for ReadingKind {
    fn from(k: core::ReadingKind) -> Self {
        match k {
            core::ReadingKind::BloodPressure => Self::BloodPressure,
            core::ReadingKind::Glucose => Self::Glucose,
            core::ReadingKind::Weight => Self::Weight,
            core::ReadingKind::HeartRate => Self::HeartRate,
            core::ReadingKind::Spo2 => Self::Spo2,
            core::ReadingKind::Temperature => Self::Temperature,
            core::ReadingKind::Hba1c => Self::Hba1c,
        }
    }
}

pub(crate) fn context_in(c: MealContext) -> core::MealContext {
    match c {
        MealContext::Fasting => core::MealContext::Fasting,
        MealContext::BeforeMeal => core::MealContext::BeforeMeal,
        MealContext::AfterMeal => core::MealContext::AfterMeal,
        MealContext::Bedtime => core::MealContext::Bedtime,
        MealContext::Random => core::MealContext::Random,
    }
}

fn context_out(c: core::MealContext) -> MealContext {
    match c {
        core::MealContext::Fasting => MealContext::Fasting,
        core::MealContext::BeforeMeal => MealContext::BeforeMeal,
        core::MealContext::AfterMeal => MealContext::AfterMeal,
        core::MealContext::Bedtime => MealContext::Bedtime,
        core::MealContext::Random => MealContext::Random,
    }
}

impl From<Measurement> for core::Measurement {
    fn from(m: Measurement) -> Self {
        match m {
            Measurement::BloodPressure {
                systolic,
                diastolic,
                pulse,
            } => Self::BloodPressure {
                systolic,
                diastolic,
                pulse,
            },
            Measurement::Glucose { mg_dl, context } => Self::Glucose {
                mg_dl,
                context: context_in(context),
            },
            Measurement::Weight { kg } => Self::Weight { kg },
            Measurement::HeartRate { bpm } => Self::HeartRate { bpm },
            Measurement::Spo2 { percent } => Self::Spo2 { percent },
            Measurement::Temperature { celsius } => Self::Temperature { celsius },
            Measurement::Hba1c { percent } => Self::Hba1c { percent },
        }
    }
}

impl From<core::Measurement> for Measurement {
    fn from(m: core::Measurement) -> Self {
        match m {
            core::Measurement::BloodPressure {
                systolic,
                diastolic,
                pulse,
            } => Self::BloodPressure {
                systolic,
                diastolic,
                pulse,
            },
            core::Measurement::Glucose { mg_dl, context } => Self::Glucose {
                mg_dl,
                context: context_out(context),
            },
            core::Measurement::Weight { kg } => Self::Weight { kg },
            core::Measurement::HeartRate { bpm } => Self::HeartRate { bpm },
            core::Measurement::Spo2 { percent } => Self::Spo2 { percent },
            core::Measurement::Temperature { celsius } => Self::Temperature { celsius },
            core::Measurement::Hba1c { percent } => Self::Hba1c { percent },
        }
    }
}

impl From<core::Reading> for Reading {
    fn from(r: core::Reading) -> Self {
        Self {
            id: r.id,
            measurement: r.measurement.into(),
            at: instant_text(&r.at),
            entered_unit: r.entered_unit,
            source: match r.source {
                core::ReadingSource::Manual => ReadingSource::Manual,
                core::ReadingSource::Device { name } => ReadingSource::Device { name },
                core::ReadingSource::Imported {
                    system,
                    external_id,
                } => ReadingSource::Imported {
                    system,
                    external_id,
                },
            },
            note: r.note,
            logged_by: r.logged_by,
        }
    }
}

impl TryFrom<Reading> for core::Reading {
    type Error = CompanionError;

    fn try_from(r: Reading) -> Result<Self, CompanionError> {
        Ok(Self {
            id: r.id,
            measurement: r.measurement.into(),
            at: instant("reading time", &r.at)?,
            entered_unit: r.entered_unit,
            source: match r.source {
                ReadingSource::Manual => core::ReadingSource::Manual,
                ReadingSource::Device { name } => core::ReadingSource::Device { name },
                ReadingSource::Imported {
                    system,
                    external_id,
                } => core::ReadingSource::Imported {
                    system,
                    external_id,
                },
            },
            note: r.note,
            logged_by: r.logged_by,
        })
    }
}
