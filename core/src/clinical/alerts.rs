//! What a reading means for the patient: its classification, and the urgent findings that raise
//! an alert with the guideline's advice (docs/clinical-sources.md, "Safety principles": urgent findings show
//! the advice at once and are never throttled).

use serde::{Deserialize, Serialize};

use super::blood_pressure::{self, BpClassification, BpSetting};
use super::glucose::{self, GlucoseClassification, Hypoglycaemia};
use crate::i18n::Texts;
use crate::model::{Alert, AlertKind, ClinicalTargets, Language, Measurement, Reading};

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

/// The message ids of an alert's title and advice, and its source (a guideline's name, not
/// translated).
fn messages(kind: AlertKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        AlertKind::HypertensiveCrisis => (
            "alert-crisis-title",
            "alert-crisis-advice",
            "American Heart Association: hypertensive crisis (>= 180 and/or >= 120 mmHg)",
        ),
        AlertKind::Level2Hypoglycaemia => (
            "alert-hypo-title",
            "alert-hypo-advice",
            "ADA Standards of Care, Table 6.3: level 2 hypoglycaemia (< 54 mg/dL)",
        ),
        AlertKind::Fever => (
            "alert-fever-title",
            "alert-fever-advice",
            "The care team's fever threshold for recovery after surgery",
        ),
        AlertKind::DoseLoggedTwice => ("alert-double-title", "alert-double-advice", DOUBLE_SOURCE),
    }
}

/// Where the advice on a dose taken twice comes from.
const DOUBLE_SOURCE: &str = "NHS medicines guidance: if you take an extra dose by accident, speak to a pharmacist or doctor";

/// The alert for one scheduled dose of `medication_name` logged as taken twice, naming who
/// logged each take and when (times in the offset they were logged in), worded in `language`.
/// Its id is [`crate::reminders::DoubleDose::alert_id`], the same on every replica.
pub fn dose_logged_twice(
    double: &crate::reminders::DoubleDose,
    medication_name: &str,
    language: Language,
) -> Alert {
    let t = Texts::new(language);
    let logs: Vec<String> = double
        .doses
        .iter()
        .map(|d| {
            let who = d
                .logged_by
                .clone()
                .unwrap_or_else(|| t.text("alert-double-someone"));
            t.get(
                "alert-double-log",
                &[("who", who), ("time", d.at.format("%H:%M").to_string())],
            )
        })
        .collect();
    let advice = t.get(
        "alert-double-advice",
        &[
            ("medication", medication_name.to_string()),
            ("due", double.scheduled_at.format("%H:%M").to_string()),
            ("logs", logs.join(&t.text("alert-double-and"))),
        ],
    );
    Alert {
        id: double.alert_id(),
        reading_id: String::new(),
        dose_ids: double.doses.iter().map(|d| d.id.clone()).collect(),
        kind: AlertKind::DoseLoggedTwice,
        at: double.scheduled_at,
        title: t.text("alert-double-title"),
        advice,
        source: DOUBLE_SOURCE.to_string(),
        acknowledged_at: None,
        acknowledged_by: None,
    }
}

/// The title, advice and source of an alert, in `language`.
pub fn advice(kind: AlertKind, language: Language) -> (String, String, &'static str) {
    let t = Texts::new(language);
    let (title, advice, source) = messages(kind);
    (t.text(title), t.text(advice), source)
}

/// The alerts a reading raises, ready to store with it, worded in `language`.
pub fn alerts_for(reading: &Reading, targets: &ClinicalTargets, language: Language) -> Vec<Alert> {
    urgent(&assess(reading, targets))
        .into_iter()
        .map(|kind| {
            let (title, advice, source) = advice(kind, language);
            Alert {
                // One alert of a kind per reading, the same on every replica (an imported
                // reading stored on two devices raises it once).
                id: crate::model::derived_id(&["alert", kind.as_str(), &reading.id]),
                reading_id: reading.id.clone(),
                dose_ids: Vec::new(),
                kind,
                at: reading.at,
                title,
                advice,
                source: source.to_string(),
                acknowledged_at: None,
                acknowledged_by: None,
            }
        })
        .collect()
}
