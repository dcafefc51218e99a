use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::profile::UnitPreferences;
use super::validation::{Validate, ValidationError, check_not_empty, check_range};
use crate::model::plausibility as limits;
use crate::vocabulary::vocabulary;

/// The kinds of reading the record keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

vocabulary!(ReadingKind, "reading kind", {
    BloodPressure => "blood_pressure" | "bp",
    Glucose => "glucose" | "sugar",
    Weight => "weight",
    HeartRate => "heart_rate" | "hr" | "pulse",
    Spo2 => "spo2" | "oxygen",
    Temperature => "temperature" | "temp",
    Hba1c => "hba1c" | "a1c",
});

/// Where the reading was taken: home readings use the home thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BpSetting {
    /// Measured by a clinician in the office.
    Office,
    /// Measured by the patient at home (every reading the patient logs).
    Home,
}

vocabulary!(BpSetting, "setting", {
    Office => "office" | "clinic",
    Home => "home",
});

/// When a glucose reading was taken relative to meals; the targets differ by context
/// (docs/clinical-sources.md, "Fingerstick context matters").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

vocabulary!(MealContext, "meal context", {
    Fasting => "fasting",
    BeforeMeal => "before_meal" | "pre_meal",
    AfterMeal => "after_meal" | "post_meal",
    Bedtime => "bedtime",
    Random => "random",
});

/// A measured value in its canonical unit (docs/clinical-sources.md, "Units": glucose mg/dL, weight kg,
/// temperature Celsius, HbA1c NGSP percent, pressures mmHg).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "RawMeasurement")]
pub enum Measurement {
    /// Blood pressure in mmHg, with the pulse if the device gave one.
    BloodPressure {
        /// Systolic pressure, mmHg.
        systolic: u16,
        /// Diastolic pressure, mmHg.
        diastolic: u16,
        /// Pulse, beats per minute.
        #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// A measurement as JSON holds it: its kind and every kind's fields, flat. Read this way
/// rather than as an internally tagged enum, whose reading buffers every value first and costs
/// the phone library a copy of serde's buffering code per enum (docs/storage.md, "Size").
#[derive(Deserialize)]
struct RawMeasurement {
    kind: ReadingKind,
    systolic: Option<u16>,
    diastolic: Option<u16>,
    pulse: Option<u16>,
    mg_dl: Option<f64>,
    context: Option<MealContext>,
    kg: Option<f64>,
    bpm: Option<u16>,
    percent: Option<f64>,
    celsius: Option<f64>,
}

impl TryFrom<RawMeasurement> for Measurement {
    type Error = &'static str;

    fn try_from(raw: RawMeasurement) -> Result<Self, Self::Error> {
        Ok(match raw.kind {
            ReadingKind::BloodPressure => Self::BloodPressure {
                systolic: raw.systolic.ok_or("missing field `systolic`")?,
                diastolic: raw.diastolic.ok_or("missing field `diastolic`")?,
                pulse: raw.pulse,
            },
            ReadingKind::Glucose => Self::Glucose {
                mg_dl: raw.mg_dl.ok_or("missing field `mg_dl`")?,
                context: raw.context.ok_or("missing field `context`")?,
            },
            ReadingKind::Weight => Self::Weight {
                kg: raw.kg.ok_or("missing field `kg`")?,
            },
            ReadingKind::HeartRate => Self::HeartRate {
                bpm: raw.bpm.ok_or("missing field `bpm`")?,
            },
            ReadingKind::Spo2 => Self::Spo2 {
                percent: raw.percent.ok_or("missing field `percent`")?,
            },
            ReadingKind::Temperature => Self::Temperature {
                celsius: raw.celsius.ok_or("missing field `celsius`")?,
            },
            ReadingKind::Hba1c => Self::Hba1c {
                percent: raw.percent.ok_or("missing field `percent`")?,
            },
        })
    }
}

impl Measurement {
    /// The kind of this measurement.
    pub fn kind(&self) -> ReadingKind {
        match self {
            Self::BloodPressure { .. } => ReadingKind::BloodPressure,
            Self::Glucose { .. } => ReadingKind::Glucose,
            Self::Weight { .. } => ReadingKind::Weight,
            Self::HeartRate { .. } => ReadingKind::HeartRate,
            Self::Spo2 { .. } => ReadingKind::Spo2,
            Self::Temperature { .. } => ReadingKind::Temperature,
            Self::Hba1c { .. } => ReadingKind::Hba1c,
        }
    }

    /// The primary and secondary values in canonical units (systolic and diastolic for blood
    /// pressure; the single value and `None` for every other kind).
    pub fn values(&self) -> (f64, Option<f64>) {
        match *self {
            Self::BloodPressure {
                systolic,
                diastolic,
                ..
            } => (f64::from(systolic), Some(f64::from(diastolic))),
            Self::Glucose { mg_dl, .. } => (mg_dl, None),
            Self::Weight { kg } => (kg, None),
            Self::HeartRate { bpm } => (f64::from(bpm), None),
            Self::Spo2 { percent } | Self::Hba1c { percent } => (percent, None),
            Self::Temperature { celsius } => (celsius, None),
        }
    }
}

impl Measurement {
    /// The value as a person reads it, in `units` and rounded only here (glucose mmol/L to one
    /// decimal and mg/dL whole; weight, temperature and HbA1c in the patient's units):
    /// `142/91 mmHg, pulse 72/min`, `6.2 mmol/L (fasting)`, `81.5 kg`, `97 %`. English unit
    /// words; the same text on every shell.
    pub fn format_in(&self, units: &UnitPreferences) -> String {
        match *self {
            Self::BloodPressure {
                systolic,
                diastolic,
                pulse,
            } => match pulse {
                Some(p) => format!("{systolic}/{diastolic} mmHg, pulse {p}/min"),
                None => format!("{systolic}/{diastolic} mmHg"),
            },
            Self::Glucose { mg_dl, context } => format!(
                "{} ({})",
                units.glucose.format(mg_dl),
                context.as_str().replace('_', " ")
            ),
            Self::Weight { kg } => units.weight.format(kg),
            Self::HeartRate { bpm } => format!("{bpm}/min"),
            Self::Spo2 { percent } => format!("{percent:.0} %"),
            Self::Temperature { celsius } => units.temperature.format(celsius),
            Self::Hba1c { percent } => units.hba1c.format(percent),
        }
    }
}

impl Validate for Measurement {
    fn validate(&self) -> Result<(), ValidationError> {
        let (lo_hi, field, unit, value) = match *self {
            Self::BloodPressure {
                systolic,
                diastolic,
                pulse,
            } => {
                let (lo, hi) = limits::SYSTOLIC_MMHG;
                check_range("systolic", f64::from(systolic), lo, hi, "mmHg")?;
                let (lo, hi) = limits::DIASTOLIC_MMHG;
                check_range("diastolic", f64::from(diastolic), lo, hi, "mmHg")?;
                if diastolic >= systolic {
                    return Err(ValidationError::DiastolicNotBelowSystolic);
                }
                if let Some(pulse) = pulse {
                    let (lo, hi) = limits::HEART_RATE_BPM;
                    check_range("pulse", f64::from(pulse), lo, hi, "/min")?;
                }
                return Ok(());
            }
            Self::Glucose { mg_dl, .. } => (limits::GLUCOSE_MG_DL, "glucose", "mg/dL", mg_dl),
            Self::Weight { kg } => (limits::WEIGHT_KG, "weight", "kg", kg),
            Self::HeartRate { bpm } => {
                (limits::HEART_RATE_BPM, "heart rate", "/min", f64::from(bpm))
            }
            Self::Spo2 { percent } => (limits::SPO2_PERCENT, "SpO2", "%", percent),
            Self::Temperature { celsius } => (limits::TEMPERATURE_C, "temperature", "°C", celsius),
            Self::Hba1c { percent } => (limits::HBA1C_PERCENT, "HbA1c", "%", percent),
        };
        check_range(field, value, lo_hi.0, lo_hi.1, unit)
    }
}

/// Where a reading came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "RawSource")]
pub enum ReadingSource {
    /// Typed in by a person.
    #[default]
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

/// A reading's source as JSON holds it, flat (see [`RawMeasurement`]).
#[derive(Deserialize)]
struct RawSource {
    #[serde(rename = "type")]
    kind: SourceKind,
    name: Option<String>,
    system: Option<String>,
    external_id: Option<String>,
}

/// The name of a source's kind.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum SourceKind {
    Manual,
    Device,
    Imported,
}

impl TryFrom<RawSource> for ReadingSource {
    type Error = &'static str;

    fn try_from(raw: RawSource) -> Result<Self, Self::Error> {
        Ok(match raw.kind {
            SourceKind::Manual => Self::Manual,
            SourceKind::Device => Self::Device {
                name: raw.name.ok_or("missing field `name`")?,
            },
            SourceKind::Imported => Self::Imported {
                system: raw.system.ok_or("missing field `system`")?,
                external_id: raw.external_id.ok_or("missing field `external_id`")?,
            },
        })
    }
}

/// One reading: a measurement at a moment, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The entry id (UUID v7).
    pub id: String,
    /// What was measured, in canonical units.
    pub measurement: Measurement,
    /// When it was measured, with the UTC offset of the place it was measured in.
    #[serde(deserialize_with = "super::rfc3339::deserialize")]
    pub at: DateTime<FixedOffset>,
    /// The unit it was entered in (`mmol/L`, `lb`, `F`, `mmol/mol`), when not canonical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered_unit: Option<String>,
    /// Where it came from.
    #[serde(default)]
    pub source: ReadingSource,
    /// A free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who logged it (a member or device name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged_by: Option<String>,
    /// Where a blood pressure was taken: at home (`None`, every reading the patient logs,
    /// classified by the home thresholds) or, when said, in the office by a clinician.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<BpSetting>,
    /// For a glucose from a continuous sensor: the minutes between its readings (5 for most
    /// current sensors, 15 for some). Sensor readings make the CGM metrics; the others are
    /// fingersticks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor_interval_minutes: Option<u16>,
}

impl Reading {
    /// Where it was taken: the office when it says so, home otherwise.
    pub fn setting(&self) -> BpSetting {
        self.setting.unwrap_or(BpSetting::Home)
    }

    /// A new manual reading with a fresh id, validated.
    pub fn new(
        measurement: Measurement,
        at: DateTime<FixedOffset>,
    ) -> Result<Self, ValidationError> {
        let reading = Self {
            id: super::new_id(),
            measurement,
            at,
            entered_unit: None,
            source: ReadingSource::Manual,
            note: None,
            logged_by: None,
            setting: None,
            sensor_interval_minutes: None,
        };
        reading.validate()?;
        Ok(reading)
    }

    /// The key that de-duplicates imported readings, if this one was imported.
    pub fn external_key(&self) -> Option<String> {
        match &self.source {
            ReadingSource::Imported {
                system,
                external_id,
            } => Some(format!("{system}\u{1f}{external_id}")),
            _ => None,
        }
    }
}

impl Validate for Reading {
    fn validate(&self) -> Result<(), ValidationError> {
        check_not_empty("id", &self.id)?;
        self.measurement.validate()?;
        if let Some(minutes) = self.sensor_interval_minutes {
            if self.measurement.kind() != ReadingKind::Glucose {
                return Err(ValidationError::Invalid {
                    field: "sensor interval",
                    reason: "only a glucose comes from a continuous sensor",
                });
            }
            check_range("sensor interval", f64::from(minutes), 1.0, 60.0, "minutes")?;
        }
        if self.setting.is_some() && self.measurement.kind() != ReadingKind::BloodPressure {
            return Err(ValidationError::Invalid {
                field: "setting",
                reason: "only a blood pressure is classified by where it was taken",
            });
        }
        match &self.source {
            ReadingSource::Manual => {}
            ReadingSource::Device { name } => check_not_empty("device name", name)?,
            ReadingSource::Imported {
                system,
                external_id,
            } => {
                check_not_empty("source system", system)?;
                check_not_empty("external id", external_id)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measurement_reads_in_the_patients_units() {
        use crate::model::units::{GlucoseUnit, WeightUnit};
        let mut units = UnitPreferences::default();
        let g = Measurement::Glucose {
            mg_dl: 6.2 * 18.016,
            context: MealContext::BeforeMeal,
        };
        assert_eq!(g.format_in(&units), "112 mg/dL (before meal)");
        units.glucose = GlucoseUnit::MmolL;
        assert_eq!(g.format_in(&units), "6.2 mmol/L (before meal)");
        units.weight = WeightUnit::Lb;
        assert_eq!(
            Measurement::Weight { kg: 81.646_626_6 }.format_in(&units),
            "180.0 lb"
        );
        let bp = Measurement::BloodPressure {
            systolic: 142,
            diastolic: 91,
            pulse: Some(72),
        };
        assert_eq!(bp.format_in(&units), "142/91 mmHg, pulse 72/min");
    }

    fn bp(systolic: u16, diastolic: u16) -> Measurement {
        Measurement::BloodPressure {
            systolic,
            diastolic,
            pulse: None,
        }
    }

    #[test]
    fn implausible_values_are_refused_with_the_field_and_limits() {
        assert!(matches!(
            bp(400, 90).validate(),
            Err(ValidationError::OutOfRange {
                field: "systolic",
                ..
            })
        ));
        assert_eq!(
            bp(120, 130).validate(),
            Err(ValidationError::DiastolicNotBelowSystolic)
        );
        assert_eq!(
            bp(120, 120).validate(),
            Err(ValidationError::DiastolicNotBelowSystolic)
        );
        let glucose = Measurement::Glucose {
            mg_dl: 0.0,
            context: MealContext::Fasting,
        };
        let err = glucose.validate().expect_err("must be refused");
        assert_eq!(err.to_string(), "glucose must be between 10 and 1500 mg/dL");
        assert!(Measurement::Weight { kg: 2000.0 }.validate().is_err());
        assert!(Measurement::Weight { kg: f64::NAN }.validate().is_err());
        assert!(Measurement::Spo2 { percent: 101.0 }.validate().is_err());
        assert!(
            Measurement::Temperature { celsius: 50.0 }
                .validate()
                .is_err()
        );
        assert!(Measurement::Hba1c { percent: 2.0 }.validate().is_err());
        assert!(Measurement::HeartRate { bpm: 0 }.validate().is_err());
        let pulse = Measurement::BloodPressure {
            systolic: 120,
            diastolic: 80,
            pulse: Some(400),
        };
        assert!(pulse.validate().is_err());
    }

    #[test]
    fn alarming_but_real_values_are_accepted() {
        assert!(bp(220, 130).validate().is_ok());
        let low = Measurement::Glucose {
            mg_dl: 35.0,
            context: MealContext::Random,
        };
        assert!(low.validate().is_ok());
        assert!(Measurement::Spo2 { percent: 82.0 }.validate().is_ok());
    }

    #[test]
    fn imported_readings_need_their_external_id() {
        let mut r =
            Reading::new(bp(120, 80), chrono::DateTime::UNIX_EPOCH.fixed_offset()).expect("valid");
        r.source = ReadingSource::Imported {
            system: "omron".into(),
            external_id: " ".into(),
        };
        assert_eq!(
            r.validate(),
            Err(ValidationError::Empty {
                field: "external id"
            })
        );
    }
}
