//! A FHIR R4 Bundle's MedicationRequests and Observations into a record, all or nothing.
//!
//! The whole bundle is read first; anything this import does not take (an Observation code it
//! does not know, a unit it cannot convert, a timing it cannot say as a schedule) refuses the
//! whole file with the element named, and nothing is written. Then every medication and reading
//! is written in one transaction. Each is identified by its first `identifier` (else its
//! `fullUrl`): a medication's id and a reading's source are derived from it, so importing the
//! same bundle twice adds nothing. Other resource types (Patient, MedicationAdministration,
//! Condition...) are counted and left out.

use chrono::{DateTime, NaiveDate, Utc};
use companion_core::HealthRecord;
use companion_core::model::{
    MealContext, Measurement, Medication, MedicationStatus, Reading, ReadingSource, derived_id,
};
use serde_json::Value;

use crate::codes;
use crate::error::FhirError;
use crate::timing::schedule_of;

/// The extension that carries a glucose reading's meal context (no R4 element says it).
pub const MEAL_CONTEXT: &str = "urn:companion:fhir:meal-context";
/// The extension that carries a sensor glucose reading's interval, minutes (the CGM metrics
/// count the readings expected from it).
pub const SENSOR_INTERVAL: &str = "urn:companion:fhir:sensor-interval-minutes";
/// The interval assumed for a sensor reading that does not say its own (most sensors).
const SENSOR_INTERVAL_DEFAULT: u16 = 5;

fn extension<'a>(r: &'a Value, url: &str) -> Option<&'a Value> {
    r.get("extension")
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter()
                .find(|e| e.get("url").and_then(Value::as_str) == Some(url))
        })
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Medications added.
    pub medications_added: usize,
    /// Medications the record already held.
    pub medications_known: usize,
    /// Readings added.
    pub readings_added: usize,
    /// Readings the record already held.
    pub readings_known: usize,
    /// Resources of other types, left out.
    pub skipped: usize,
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The entry's identity: its first identifier's system and value, else its fullUrl.
fn identity(entry: &Value, resource: &Value) -> Result<(String, String), FhirError> {
    if let (Some(system), Some(value)) = (
        text(resource, "/identifier/0/system"),
        text(resource, "/identifier/0/value"),
    ) {
        return Ok((system.to_string(), value.to_string()));
    }
    match text(entry, "/fullUrl") {
        Some(url) => Ok(("fullUrl".to_string(), url.to_string())),
        None => Err(FhirError::Invalid {
            element: "Bundle.entry.resource.identifier",
        }),
    }
}

fn has_code(code: &Value, loinc: &str) -> bool {
    code.get("coding")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter().any(|c| {
                c.get("system").and_then(Value::as_str) == Some(codes::LOINC)
                    && c.get("code").and_then(Value::as_str) == Some(loinc)
            })
        })
}

fn value_in(q: Option<&Value>, element: &'static str) -> Result<(f64, String), FhirError> {
    let q = q.ok_or(FhirError::Invalid { element })?;
    let value = q
        .get("value")
        .and_then(Value::as_f64)
        .ok_or(FhirError::Invalid { element })?;
    let unit = q
        .get("code")
        .or_else(|| q.get("unit"))
        .and_then(Value::as_str)
        .ok_or(FhirError::Invalid { element })?;
    Ok((value, unit.to_string()))
}

fn whole(v: f64, element: &'static str) -> Result<u16, FhirError> {
    if v.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&v) {
        Ok(v as u16)
    } else {
        Err(FhirError::Invalid { element })
    }
}

fn unsupported_unit() -> FhirError {
    FhirError::Unsupported {
        element: "Observation.valueQuantity.code",
    }
}

fn measurement(r: &Value) -> Result<Option<Measurement>, FhirError> {
    let code = r.get("code").ok_or(FhirError::Invalid {
        element: "Observation.code",
    })?;
    let quantity = || value_in(r.get("valueQuantity"), "Observation.valueQuantity");
    // Derived on export (height from the profile, BMI from weight and height): not readings.
    if has_code(code, codes::BODY_HEIGHT.loinc) || has_code(code, codes::BMI.loinc) {
        return Ok(None);
    }
    if has_code(code, codes::BP_PANEL.loinc) {
        let components =
            r.get("component")
                .and_then(Value::as_array)
                .ok_or(FhirError::Invalid {
                    element: "Observation.component",
                })?;
        let find = |loinc: &str| {
            components
                .iter()
                .find(|c| c.get("code").is_some_and(|k| has_code(k, loinc)))
        };
        let pressure = |loinc: &str, element: &'static str| -> Result<u16, FhirError> {
            let (v, unit) = value_in(find(loinc).and_then(|c| c.get("valueQuantity")), element)?;
            if unit != "mm[Hg]" {
                return Err(unsupported_unit());
            }
            whole(v, element)
        };
        let pulse = match find(codes::HEART_RATE.loinc) {
            Some(c) => {
                let (v, _) = value_in(
                    c.get("valueQuantity"),
                    "Observation.component.valueQuantity",
                )?;
                Some(whole(v, "Observation.component.valueQuantity")?)
            }
            None => None,
        };
        return Ok(Some(Measurement::BloodPressure {
            systolic: pressure(codes::SYSTOLIC.loinc, "Observation.component (8480-6)")?,
            diastolic: pressure(codes::DIASTOLIC.loinc, "Observation.component (8462-4)")?,
            pulse,
        }));
    }
    if has_code(code, codes::HEART_RATE.loinc) {
        let (v, unit) = quantity()?;
        if unit != "/min" {
            return Err(unsupported_unit());
        }
        return Ok(Some(Measurement::HeartRate {
            bpm: whole(v, "Observation.valueQuantity")?,
        }));
    }
    if has_code(code, codes::BODY_WEIGHT.loinc) {
        let (v, unit) = quantity()?;
        let kg = match unit.as_str() {
            "kg" => v,
            "g" => v / 1000.0,
            "[lb_av]" => v * 0.453_592_37,
            _ => return Err(unsupported_unit()),
        };
        return Ok(Some(Measurement::Weight { kg }));
    }
    if has_code(code, codes::TEMPERATURE.loinc) {
        let (v, unit) = quantity()?;
        let celsius = match unit.as_str() {
            "Cel" => v,
            "[degF]" => (v - 32.0) * 5.0 / 9.0,
            _ => return Err(unsupported_unit()),
        };
        return Ok(Some(Measurement::Temperature { celsius }));
    }
    if has_code(code, codes::SPO2.loinc) || has_code(code, codes::SPO2_PROFILE_CODE.0) {
        let (v, unit) = quantity()?;
        if unit != "%" {
            return Err(unsupported_unit());
        }
        return Ok(Some(Measurement::Spo2 { percent: v }));
    }
    if has_code(code, codes::HBA1C.loinc) {
        let (v, unit) = quantity()?;
        if unit != "%" {
            return Err(unsupported_unit());
        }
        return Ok(Some(Measurement::Hba1c { percent: v }));
    }
    let glucose = [
        codes::GLUCOSE_CAPILLARY,
        codes::GLUCOSE_CGM,
        codes::GLUCOSE_BLOOD,
    ];
    if glucose.iter().any(|g| has_code(code, g.loinc)) {
        let (v, unit) = quantity()?;
        let mg_dl = match unit.as_str() {
            "mg/dL" => v,
            "mmol/L" => v * companion_core::model::units::GLUCOSE_MG_DL_PER_MMOL_L,
            _ => return Err(unsupported_unit()),
        };
        let context = extension(r, MEAL_CONTEXT)
            .and_then(|e| e.get("valueCode").and_then(Value::as_str))
            .map(|c| {
                c.parse::<MealContext>().map_err(|_| FhirError::Invalid {
                    element: "Observation.extension (meal context)",
                })
            })
            .transpose()?
            .unwrap_or(MealContext::Random);
        return Ok(Some(Measurement::Glucose { mg_dl, context }));
    }
    Err(FhirError::Unsupported {
        element: "Observation.code (a LOINC code this import does not take)",
    })
}

fn reading(entry: &Value, r: &Value) -> Result<Option<Reading>, FhirError> {
    if let Some(status) = text(r, "/status")
        && !matches!(status, "final" | "amended" | "corrected")
    {
        return Err(FhirError::Unsupported {
            element: "Observation.status",
        });
    }
    let Some(measurement) = measurement(r)? else {
        return Ok(None);
    };
    let at = text(r, "/effectiveDateTime")
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .ok_or(FhirError::Invalid {
            element: "Observation.effectiveDateTime",
        })?;
    let cgm = r
        .get("code")
        .is_some_and(|c| has_code(c, codes::GLUCOSE_CGM.loinc));
    let (system, external_id) = identity(entry, r)?;
    let mut reading = Reading::new(measurement, at).map_err(|_| FhirError::Invalid {
        element: "Observation.valueQuantity",
    })?;
    reading.source = ReadingSource::Imported {
        system,
        external_id,
    };
    if cgm {
        let minutes = match extension(r, SENSOR_INTERVAL) {
            None => SENSOR_INTERVAL_DEFAULT,
            Some(e) => e
                .get("valueUnsignedInt")
                .and_then(Value::as_u64)
                .and_then(|m| u16::try_from(m).ok())
                .ok_or(FhirError::Invalid {
                    element: "Observation.extension (sensor interval)",
                })?,
        };
        reading.sensor_interval_minutes = Some(minutes);
    }
    Ok(Some(reading))
}

fn medication(entry: &Value, r: &Value, now: DateTime<Utc>) -> Result<Medication, FhirError> {
    let name = text(r, "/medicationCodeableConcept/text")
        .or_else(|| text(r, "/medicationCodeableConcept/coding/0/display"))
        .ok_or(FhirError::Unsupported {
            element: "MedicationRequest.medicationCodeableConcept.text",
        })?;
    let status = match text(r, "/status") {
        Some("active") => MedicationStatus::Active,
        Some("on-hold") => MedicationStatus::Paused,
        Some("stopped" | "completed") => MedicationStatus::Stopped,
        _ => {
            return Err(FhirError::Unsupported {
                element: "MedicationRequest.status",
            });
        }
    };
    let dosages =
        r.get("dosageInstruction")
            .and_then(Value::as_array)
            .ok_or(FhirError::Invalid {
                element: "MedicationRequest.dosageInstruction",
            })?;
    let (schedule, dose) = schedule_of(dosages)?;
    let date =
        |p: &str| text(r, p).and_then(|d| NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok());
    let start = date("/dispenseRequest/validityPeriod/start")
        .or_else(|| date("/authoredOn"))
        .unwrap_or_else(|| now.date_naive());
    let mut m = Medication::new(name, dose, schedule, start).map_err(|_| FhirError::Invalid {
        element: "MedicationRequest",
    })?;
    let (system, value) = identity(entry, r)?;
    m.id = derived_id(&["medication", &system, &value]);
    m.status = status;
    m.end = date("/dispenseRequest/validityPeriod/end");
    m.prescriber = text(r, "/requester/display").map(str::to_string);
    m.instructions = text(r, "/dosageInstruction/0/text").map(str::to_string);
    m.recorded_at = Some(now);
    Ok(m)
}

/// Reads `bytes` (a FHIR R4 Bundle as JSON) into `record` at `now`, all or nothing.
pub fn import(
    record: &mut HealthRecord,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Imported, FhirError> {
    let bundle: Value = serde_json::from_slice(bytes).map_err(|_| FhirError::NotABundle {
        element: "the file is not JSON",
    })?;
    if text(&bundle, "/resourceType") != Some("Bundle") {
        return Err(FhirError::NotABundle {
            element: "resourceType is not Bundle",
        });
    }
    let entries = match bundle.get("entry") {
        None => &Vec::new(),
        Some(e) => e.as_array().ok_or(FhirError::NotABundle {
            element: "Bundle.entry is not a list",
        })?,
    };
    let mut medications = Vec::new();
    let mut readings = Vec::new();
    let mut done = Imported::default();
    for entry in entries {
        let resource = entry.get("resource").ok_or(FhirError::Invalid {
            element: "Bundle.entry.resource",
        })?;
        match text(resource, "/resourceType") {
            Some("MedicationRequest") => medications.push(medication(entry, resource, now)?),
            Some("Observation") => readings.extend(reading(entry, resource)?),
            Some(_) => done.skipped += 1,
            None => {
                return Err(FhirError::Invalid {
                    element: "Bundle.entry.resource.resourceType",
                });
            }
        }
    }
    let (added, outcomes) = record.import_entries(&medications, &readings)?;
    done.medications_added = added;
    done.medications_known = medications.len() - added;
    done.readings_known = outcomes.iter().filter(|o| o.duplicate).count();
    done.readings_added = outcomes.len() - done.readings_known;
    Ok(done)
}
