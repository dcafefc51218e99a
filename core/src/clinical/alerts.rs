//! What a reading means for the patient: its classification, and the urgent findings that raise
//! an alert with the guideline's advice (docs/clinical-sources.md, "Safety principles": urgent findings show
//! the advice at once and are never throttled).

use serde::{Deserialize, Serialize};

use super::blood_pressure::{self, BpClassification, BpSetting};
use super::glucose::{self, GlucoseClassification, Hypoglycaemia};
use super::vitals;
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
    /// A temperature, against the fever threshold when one is set, and its NEWS2 score.
    Temperature {
        /// At or above the threshold.
        fever: bool,
        /// NEWS2 single-parameter score, 0 to 3 ([`super::vitals`]).
        #[serde(default)]
        news2: u8,
    },
    /// An oxygen saturation and its NEWS2 score (on the patient's scale).
    Spo2 {
        /// NEWS2 single-parameter score, 0 to 3.
        news2: u8,
    },
    /// A pulse and its NEWS2 score.
    HeartRate {
        /// NEWS2 single-parameter score, 0 to 3.
        news2: u8,
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
            news2: vitals::temperature_score(celsius),
        },
        Measurement::Spo2 { percent } => Assessment::Spo2 {
            news2: vitals::spo2_score(percent, targets.spo2_scale2),
        },
        Measurement::HeartRate { bpm } => Assessment::HeartRate {
            news2: vitals::pulse_score(bpm),
        },
        _ => Assessment::Unclassified,
    }
}

/// The urgent findings of a reading taken by the patient: the hypertensive crisis, level 2
/// hypoglycaemia, the hyperglycaemic crisis, the care team's fever threshold, and the NEWS2
/// single-parameter red flags (a score of 3) for SpO2, pulse (also the pulse of a blood-pressure
/// reading), low systolic and low temperature.
pub fn urgent(reading: &Reading, targets: &ClinicalTargets) -> Vec<AlertKind> {
    let red = |score: u8| score >= vitals::RED_FLAG;
    let mut found = Vec::new();
    match (&reading.measurement, assess(reading, targets)) {
        (
            Measurement::BloodPressure {
                systolic, pulse, ..
            },
            Assessment::BloodPressure(c),
        ) => {
            if c.crisis {
                found.push(AlertKind::HypertensiveCrisis);
            }
            if *systolic <= 90 {
                found.push(AlertKind::LowSystolic);
            }
            if pulse.is_some_and(|p| red(vitals::pulse_score(p))) {
                found.push(AlertKind::PulseRedFlag);
            }
        }
        (_, Assessment::Glucose(c)) => {
            if c.hypoglycaemia == Some(Hypoglycaemia::Level2) {
                found.push(AlertKind::Level2Hypoglycaemia);
            }
            if c.crisis {
                found.push(AlertKind::HyperglycaemicCrisis);
            }
        }
        (_, Assessment::Temperature { fever, news2 }) => {
            if fever {
                found.push(AlertKind::Fever);
            }
            if red(news2) {
                found.push(AlertKind::LowTemperature);
            }
        }
        (_, Assessment::Spo2 { news2 }) if red(news2) => found.push(AlertKind::LowOxygen),
        (_, Assessment::HeartRate { news2 }) if red(news2) => found.push(AlertKind::PulseRedFlag),
        _ => {}
    }
    found
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
        AlertKind::HyperglycaemicCrisis => (
            "alert-hyper-title",
            "alert-hyper-advice",
            "ADA/EASD/JBDS/AACE/DTS consensus on hyperglycaemic crises in adults (2024): hyperosmolar hyperglycaemic state from 600 mg/dL (33.3 mmol/L)",
        ),
        AlertKind::LowOxygen => ("alert-spo2-title", "alert-spo2-advice", NEWS2_SOURCE),
        AlertKind::PulseRedFlag => ("alert-pulse-title", "alert-pulse-advice", NEWS2_SOURCE),
        AlertKind::LowSystolic => (
            "alert-low-systolic-title",
            "alert-low-systolic-advice",
            NEWS2_SOURCE,
        ),
        AlertKind::LowTemperature => (
            "alert-low-temperature-title",
            "alert-low-temperature-advice",
            NEWS2_SOURCE,
        ),
    }
}

/// The source of the vital-sign red flags.
const NEWS2_SOURCE: &str = "Royal College of Physicians, National Early Warning Score 2 (2017): a single parameter scoring 3";

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
        resolved_at: None,
        resolved_by: None,
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
    urgent(reading, targets)
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
                resolved_at: None,
                resolved_by: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MealContext;

    fn kinds(m: Measurement, targets: &ClinicalTargets) -> Vec<AlertKind> {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-02T08:00:00+01:00").expect("time");
        let reading = Reading::new(m, at).expect("a valid reading");
        urgent(&reading, targets)
    }

    /// Each side of each urgent threshold in docs/clinical.md.
    #[test]
    fn every_dangerous_value_raises_its_alert_and_the_next_value_does_not() {
        let t = ClinicalTargets::defaults_for("America/New_York");
        let glucose = |mg_dl: f64| Measurement::Glucose {
            mg_dl,
            context: MealContext::Random,
        };
        assert_eq!(kinds(glucose(599.0), &t), vec![]);
        assert_eq!(
            kinds(glucose(600.0), &t),
            vec![AlertKind::HyperglycaemicCrisis]
        );
        assert_eq!(
            kinds(glucose(53.0), &t),
            vec![AlertKind::Level2Hypoglycaemia]
        );
        assert_eq!(kinds(glucose(54.0), &t), vec![]);
        let spo2 = |percent| Measurement::Spo2 { percent };
        assert_eq!(kinds(spo2(91.0), &t), vec![AlertKind::LowOxygen]);
        assert_eq!(kinds(spo2(92.0), &t), vec![]);
        let copd = ClinicalTargets {
            spo2_scale2: true,
            ..ClinicalTargets::defaults_for("America/New_York")
        };
        assert_eq!(kinds(spo2(88.0), &copd), vec![], "88 % is the COPD target");
        assert_eq!(kinds(spo2(84.0), &copd), vec![]);
        assert_eq!(kinds(spo2(83.0), &copd), vec![AlertKind::LowOxygen]);
        let pulse = |bpm| Measurement::HeartRate { bpm };
        assert_eq!(kinds(pulse(40), &t), vec![AlertKind::PulseRedFlag]);
        assert_eq!(kinds(pulse(41), &t), vec![]);
        assert_eq!(kinds(pulse(130), &t), vec![]);
        assert_eq!(kinds(pulse(131), &t), vec![AlertKind::PulseRedFlag]);
        let bp = |systolic, diastolic, pulse| Measurement::BloodPressure {
            systolic,
            diastolic,
            pulse,
        };
        assert_eq!(kinds(bp(90, 60, None), &t), vec![AlertKind::LowSystolic]);
        assert_eq!(kinds(bp(91, 60, None), &t), vec![]);
        assert_eq!(
            kinds(bp(120, 80, Some(250)), &t),
            vec![AlertKind::PulseRedFlag],
            "the pulse of a blood-pressure reading counts"
        );
        assert_eq!(kinds(bp(179, 119, None), &t), vec![]);
        assert_eq!(
            kinds(bp(180, 90, None), &t),
            vec![AlertKind::HypertensiveCrisis]
        );
        let temp = |celsius| Measurement::Temperature { celsius };
        assert_eq!(kinds(temp(35.0), &t), vec![AlertKind::LowTemperature]);
        assert_eq!(kinds(temp(35.1), &t), vec![]);
        assert_eq!(
            kinds(temp(39.5), &t),
            vec![],
            "NEWS2 scores 39.1 and above 2, not 3"
        );
    }

    /// Every alert kind has its title and advice in both languages, and the Chinese ones hold
    /// no English words (units and the guideline's numbers aside).
    #[test]
    fn every_alert_kind_renders_in_english_and_chinese() {
        for kind in AlertKind::ALL {
            let (en_title, en_advice, source) = advice(*kind, Language::English);
            let (zh_title, zh_advice, _) = advice(*kind, Language::SimplifiedChinese);
            assert!(!source.is_empty(), "{kind:?} names its source");
            assert!(!en_title.is_empty() && !en_advice.is_empty(), "{kind:?}");
            assert_ne!(en_title, zh_title, "{kind:?} is translated");
            for text in [&zh_title, &zh_advice] {
                // Units, and the placeholders filled in when shown ({$medication}).
                let mut stripped = ["mg/dL", "mmol/L", "mmHg"]
                    .iter()
                    .fold(text.to_string(), |t, unit| t.replace(unit, ""));
                while let Some(i) = stripped.find("{$") {
                    let end = stripped[i..]
                        .find('}')
                        .map_or(stripped.len(), |e| i + e + 1);
                    stripped.replace_range(i..end, "");
                }
                assert!(
                    !stripped
                        .split(|c: char| !c.is_ascii_alphabetic())
                        .any(|w| w.len() > 1),
                    "English left in the Chinese text of {kind:?}: {text}"
                );
            }
        }
    }
}
