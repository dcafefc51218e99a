//! What a reading means for the patient: its classification, and the urgent findings that raise
//! an alert with the guideline's advice (CLINICAL.md, "Safety principles": urgent findings show
//! the advice at once and are never throttled).

use serde::{Deserialize, Serialize};

use super::blood_pressure::{self, BpClassification, BpSetting};
use super::glucose::{self, GlucoseClassification, Hypoglycaemia};
use crate::model::{Alert, AlertKind, ClinicalTargets, Measurement, Reading};

/// What a reading means.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Assessment {
    /// A blood pressure, classified (home setting) by the patient's guideline.
    BloodPressure(BpClassification),
    /// A glucose, against the patient's targets.
    Glucose(GlucoseClassification),
    /// A temperature, against the fever threshold when one is set.
    Temperature {
        /// At or above the threshold.
        fever: bool,
    },
    /// No classification for this kind.
    Unclassified,
}

/// Assesses a reading taken by the patient (home setting) against their targets.
pub fn assess(reading: &Reading, targets: &ClinicalTargets) -> Assessment {
    match reading.measurement {
        Measurement::BloodPressure {
            systolic,
            diastolic,
            ..
        } => Assessment::BloodPressure(blood_pressure::classify(
            systolic,
            diastolic,
            targets.bp_guideline,
            BpSetting::Home,
        )),
        Measurement::Glucose { mg_dl, context } => {
            Assessment::Glucose(glucose::classify(mg_dl, context, &targets.glucose))
        }
        Measurement::Temperature { celsius } => Assessment::Temperature {
            fever: targets.fever_threshold_c.is_some_and(|t| celsius >= t),
        },
        _ => Assessment::Unclassified,
    }
}

/// The urgent findings of an assessment.
pub fn urgent(assessment: &Assessment) -> Vec<AlertKind> {
    match assessment {
        Assessment::BloodPressure(c) if c.crisis => vec![AlertKind::HypertensiveCrisis],
        Assessment::Glucose(c) if c.hypoglycaemia == Some(Hypoglycaemia::Level2) => {
            vec![AlertKind::Level2Hypoglycaemia]
        }
        Assessment::Temperature { fever: true } => vec![AlertKind::Fever],
        _ => Vec::new(),
    }
}

/// The title, advice and source of an alert.
pub fn advice(kind: AlertKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        AlertKind::HypertensiveCrisis => (
            "Very high blood pressure",
            "Rest quietly for a few minutes, then measure again. If it is still 180/120 or \
             higher and you have chest pain, shortness of breath, weakness, or a change in \
             vision or speech, call emergency services now. Without these symptoms, contact \
             your doctor today.",
            "American Heart Association: hypertensive crisis (>= 180 and/or >= 120 mmHg)",
        ),
        AlertKind::Level2Hypoglycaemia => (
            "Very low glucose",
            "Your glucose is below 54 mg/dL (3.0 mmol/L). If you can swallow safely, take 15-20 g \
             of fast-acting sugar now and measure again after 15 minutes. If you feel confused, \
             cannot swallow or pass out, someone must call emergency services.",
            "ADA Standards of Care, Table 6.3: level 2 hypoglycaemia (< 54 mg/dL)",
        ),
        AlertKind::Fever => (
            "Fever after surgery",
            "Your temperature is at or above the threshold your care team set after your \
             operation. Measure again, and contact your surgical team today; call emergency \
             services if you feel very unwell.",
            "The care team's fever threshold for recovery after surgery",
        ),
    }
}

/// The alerts a reading raises, ready to store with it.
pub fn alerts_for(reading: &Reading, targets: &ClinicalTargets) -> Vec<Alert> {
    urgent(&assess(reading, targets))
        .into_iter()
        .map(|kind| {
            let (title, advice, source) = advice(kind);
            Alert {
                id: crate::model::new_id(),
                reading_id: reading.id.clone(),
                kind,
                at: reading.at,
                title: title.to_string(),
                advice: advice.to_string(),
                source: source.to_string(),
                acknowledged_at: None,
                acknowledged_by: None,
            }
        })
        .collect()
}
