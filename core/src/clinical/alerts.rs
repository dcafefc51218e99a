//! What a reading means for the patient: its classification, and the urgent findings that raise
//! an alert with the guideline's advice (docs/clinical-sources.md, "Safety principles": urgent findings show
//! the advice at once and are never throttled).

use serde::{Deserialize, Serialize};

use super::blood_pressure::{self, BpClassification};
use super::glucose::{self, GlucoseClassification, Hypoglycaemia};
use super::vitals;
use crate::i18n::Texts;
use crate::model::{
    Alert, AlertKind, ClinicalTargets, DoseLog, Language, Measurement, Reading, UnitPreferences,
};

/// What a reading means.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Assessment {
    /// A blood pressure, classified by the patient's guideline in its setting.
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

/// Assesses a reading against the patient's targets (a blood pressure by the thresholds of
/// where it was taken: home unless it says office).
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
            reading.setting(),
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

/// The message ids of an alert's title, advice and source (the guideline, named as its
/// readers' clinicians cite it).
fn messages(kind: AlertKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        AlertKind::HypertensiveCrisis => {
            ("alert-crisis-title", "alert-crisis-advice", "source-crisis")
        }
        AlertKind::Level2Hypoglycaemia => ("alert-hypo-title", "alert-hypo-advice", "source-hypo"),
        AlertKind::Fever => ("alert-fever-title", "alert-fever-advice", "source-fever"),
        AlertKind::DoseLoggedTwice => ("alert-double-title", "alert-double-advice", DOUBLE_SOURCE),
        AlertKind::HyperglycaemicCrisis => {
            ("alert-hyper-title", "alert-hyper-advice", "source-hyper")
        }
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

/// The message of the source of the vital-sign red flags.
const NEWS2_SOURCE: &str = "source-news2";

/// The message of where the advice on a dose taken twice comes from.
const DOUBLE_SOURCE: &str = "source-double";

/// The alert for one scheduled dose of `medication_name` logged as taken twice, with who
/// logged each take and when (times in the offset they were logged in). Its id is
/// [`crate::reminders::DoubleDose::alert_id`], the same on every replica.
pub fn dose_logged_twice(double: &crate::reminders::DoubleDose, medication_name: &str) -> Alert {
    Alert {
        id: double.alert_id(),
        reading_id: String::new(),
        dose_ids: double.doses.iter().map(|d| d.id.clone()).collect(),
        kind: AlertKind::DoseLoggedTwice,
        at: double.scheduled_at,
        value: None,
        medication: Some(medication_name.to_string()),
        logs: double
            .doses
            .iter()
            .map(|d| DoseLog {
                who: d.logged_by.clone(),
                at: d.at,
            })
            .collect(),
        acknowledged_at: None,
        acknowledged_by: None,
        resolved_at: None,
        resolved_by: None,
    }
}

/// An alert as a reader sees it: worded in their language, values in their units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertText {
    /// A short title.
    pub title: String,
    /// The guideline's advice.
    pub advice: String,
    /// The guideline the advice comes from.
    pub source: String,
    /// The value that raised it (`52 mg/dL, fasting`), when it was a reading's.
    pub value: Option<String>,
}

/// `alert` worded in `language`, with its value and thresholds in `units`. Nothing of it is
/// stored: the same alert reads in Chinese on one device and English on another.
pub fn render(alert: &Alert, language: Language, units: &UnitPreferences) -> AlertText {
    let t = Texts::new(language);
    let (title, advice, source) = messages(alert.kind);
    let threshold = match alert.kind {
        AlertKind::Level2Hypoglycaemia => units.glucose.format(glucose::HYPO_LEVEL_2_MG_DL),
        AlertKind::HyperglycaemicCrisis => units.glucose.format(glucose::CRISIS_MG_DL),
        AlertKind::LowTemperature => units.temperature.format(vitals::LOW_TEMPERATURE_C),
        _ => String::new(),
    };
    let advice = if alert.kind == AlertKind::DoseLoggedTwice {
        let logs: Vec<String> = alert
            .logs
            .iter()
            .map(|d| {
                let who = d
                    .who
                    .clone()
                    .unwrap_or_else(|| t.text("alert-double-someone"));
                t.get(
                    "alert-double-log",
                    &[("who", who), ("time", d.at.format("%H:%M").to_string())],
                )
            })
            .collect();
        t.get(
            advice,
            &[
                ("medication", alert.medication.clone().unwrap_or_default()),
                ("due", alert.at.format("%H:%M").to_string()),
                ("logs", logs.join(&t.text("alert-double-and"))),
            ],
        )
    } else {
        t.get(advice, &[("threshold", threshold)])
    };
    AlertText {
        title: t.text(title),
        advice,
        source: t.text(source),
        value: alert.value.as_ref().map(|m| t.measurement(m, units)),
    }
}

/// The alerts a reading raises, ready to store with it.
pub fn alerts_for(reading: &Reading, targets: &ClinicalTargets) -> Vec<Alert> {
    urgent(reading, targets)
        .into_iter()
        .map(|kind| Alert {
            // One alert of a kind per reading, the same on every replica (an imported
            // reading stored on two devices raises it once).
            id: crate::model::derived_id(&["alert", kind.as_str(), &reading.id]),
            reading_id: reading.id.clone(),
            dose_ids: Vec::new(),
            kind,
            at: reading.at,
            value: Some(reading.measurement.clone()),
            medication: None,
            logs: Vec::new(),
            acknowledged_at: None,
            acknowledged_by: None,
            resolved_at: None,
            resolved_by: None,
        })
        .collect()
}

/// The open alerts that a new `reading` resolves, of `open` (alerts with the kind of the
/// reading that raised each): those raised by an earlier reading of the same kind, unless
/// `reading` raised that alert kind again. A normal reading after a very low one closes the
/// "take sugar now" alert; the alert stays in the history.
pub fn resolved_by(
    reading: &Reading,
    raised: &[Alert],
    open: &[(Alert, Option<crate::model::ReadingKind>)],
) -> Vec<String> {
    open.iter()
        .filter(|(a, kind)| {
            a.acknowledged_at.is_none()
                && a.resolved_at.is_none()
                && a.reading_id != reading.id
                && a.at < reading.at
                && !raised.iter().any(|r| r.kind == a.kind)
                && *kind == Some(reading.measurement.kind())
        })
        .map(|(a, _)| a.id.clone())
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

    fn an_alert(kind: AlertKind) -> Alert {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-02T08:00:00+01:00").expect("time");
        let value = match kind {
            AlertKind::Level2Hypoglycaemia | AlertKind::HyperglycaemicCrisis => {
                Some(Measurement::Glucose {
                    mg_dl: 52.0,
                    context: MealContext::Fasting,
                })
            }
            AlertKind::HypertensiveCrisis | AlertKind::LowSystolic => {
                Some(Measurement::BloodPressure {
                    systolic: 185,
                    diastolic: 112,
                    pulse: Some(88),
                })
            }
            AlertKind::PulseRedFlag => Some(Measurement::HeartRate { bpm: 150 }),
            AlertKind::LowOxygen => Some(Measurement::Spo2 { percent: 88.0 }),
            AlertKind::Fever | AlertKind::LowTemperature => {
                Some(Measurement::Temperature { celsius: 34.8 })
            }
            AlertKind::DoseLoggedTwice => None,
        };
        Alert {
            id: "a".into(),
            reading_id: "r".into(),
            dose_ids: Vec::new(),
            kind,
            at,
            value,
            medication: Some("二甲双胍".into()),
            logs: vec![
                DoseLog {
                    who: Some("李明".into()),
                    at,
                },
                DoseLog { who: None, at },
            ],
            acknowledged_at: None,
            acknowledged_by: None,
            resolved_at: None,
            resolved_by: None,
        }
    }

    /// Every alert kind renders in both languages with its value, and the Chinese text holds
    /// no English words (units and acronyms such as AHA or NEWS2 aside), its source included.
    #[test]
    fn every_alert_kind_renders_in_english_and_chinese() {
        let mmol = UnitPreferences {
            glucose: crate::model::units::GlucoseUnit::MmolL,
            ..UnitPreferences::default()
        };
        for kind in AlertKind::ALL {
            let alert = an_alert(*kind);
            let en = render(&alert, Language::English, &UnitPreferences::default());
            let zh = render(&alert, Language::SimplifiedChinese, &mmol);
            assert!(!en.source.is_empty(), "{kind:?} names its source");
            assert!(!en.title.is_empty() && !en.advice.is_empty(), "{kind:?}");
            assert_ne!(en.title, zh.title, "{kind:?} is translated");
            assert_eq!(en.value.is_some(), *kind != AlertKind::DoseLoggedTwice);
            let zh_value = zh.value.clone().unwrap_or_default();
            for text in [&zh.title, &zh.advice, &zh_value, &zh.source] {
                assert!(
                    !text.contains('{') && !text.contains("mg/dL"),
                    "{kind:?}: {text}"
                );
                let stripped = ["mmol/L", "mmHg", "°C"]
                    .iter()
                    .fold(text.to_string(), |t, unit| t.replace(unit, ""));
                assert!(
                    !stripped
                        .split(|c: char| !c.is_ascii_alphabetic())
                        .any(|w| w.len() > 1 && w.chars().any(|c| c.is_ascii_lowercase())),
                    "English left in the Chinese text of {kind:?} (acronyms aside): {text}"
                );
            }
        }
        let hypo = an_alert(AlertKind::Level2Hypoglycaemia);
        let zh = render(&hypo, Language::SimplifiedChinese, &mmol);
        assert!(zh.advice.contains("3.0 mmol/L"), "{}", zh.advice);
        assert_eq!(zh.value.as_deref(), Some("2.9 mmol/L（空腹）"));
        let en = render(&hypo, Language::English, &UnitPreferences::default());
        assert!(en.advice.contains("below 54 mg/dL."), "{}", en.advice);
        assert_eq!(en.value.as_deref(), Some("52 mg/dL, fasting"));
        let double = render(
            &an_alert(AlertKind::DoseLoggedTwice),
            Language::English,
            &UnitPreferences::default(),
        );
        assert!(
            double
                .advice
                .contains("by 李明 at 08:00 and by someone at 08:00"),
            "{}",
            double.advice
        );
    }
}
