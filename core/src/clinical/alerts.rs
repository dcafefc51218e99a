//! What a reading means for the patient: its classification, and the urgent findings that raise
//! an alert with the guideline's advice (docs/clinical-sources.md, "Safety principles": urgent findings show
//! the advice at once and are never throttled).

use serde::{Deserialize, Serialize};

use super::blood_pressure::{self, BpClassification};
use super::glucose::{self, GlucoseClassification, Hyperglycaemia, Hypoglycaemia, RangeBand};
use super::vitals;
use crate::i18n::Texts;
use crate::model::{
    Alert, AlertCourse, AlertKind, ClinicalTargets, DoseLog, Language, Measurement, Reading,
    UnitPreferences,
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

/// The findings of a reading taken by the patient that raise an alert: the hypertensive crisis,
/// level 2 hypoglycaemia, the hyperglycaemic crisis, the care team's fever threshold, the NEWS2
/// single-parameter red flags (a score of 3) for SpO2, pulse (also the pulse of a blood-pressure
/// reading), low systolic and low temperature (all urgent), and level 2 hyperglycaemia below
/// the crisis (not urgent: the ketone advice).
pub fn findings(reading: &Reading, targets: &ClinicalTargets) -> Vec<AlertKind> {
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
            } else if c.hyperglycaemia == Some(Hyperglycaemia::Level2) {
                found.push(AlertKind::Level2Hyperglycaemia);
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
        AlertKind::Level2Hyperglycaemia => (
            "alert-very-high-title",
            "alert-very-high-advice",
            "source-ketones",
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
        follow_up: None,
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
    /// Its course since, with the later reading (`Improving: 150/94 mmHg at ...`), when a
    /// later reading is better but abnormal or back in range.
    pub course: Option<String>,
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
        AlertKind::Level2Hyperglycaemia => units.glucose.format(glucose::VERY_HIGH_MG_DL),
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
        t.get(
            advice,
            &[
                ("threshold", threshold),
                ("ketones", units.glucose.format(glucose::KETONES_MG_DL)),
            ],
        )
    };
    let course = alert.follow_up.as_ref().and_then(|f| {
        let id = match alert.course() {
            AlertCourse::Improving => "alert-improving",
            AlertCourse::BackInRange => "alert-back-in-range",
            _ => return None,
        };
        Some(t.get(
            id,
            &[
                ("value", t.measurement(&f.value, units)),
                ("time", f.at.format("%Y-%m-%d %H:%M").to_string()),
            ],
        ))
    });
    AlertText {
        title: t.text(title),
        advice,
        source: t.text(source),
        value: alert.value.as_ref().map(|m| t.measurement(m, units)),
        course,
    }
}

/// The alerts a reading raises, ready to store with it.
pub fn alerts_for(reading: &Reading, targets: &ClinicalTargets) -> Vec<Alert> {
    findings(reading, targets)
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
            follow_up: None,
            resolved_by: None,
        })
        .collect()
}

/// What a later reading says of an alert it could follow up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Course {
    /// It raises the alert again (it has its own alert).
    Again,
    /// Better but still abnormal: the alert is improving and stays.
    Improving,
    /// Back in range: the alert is resolved by it.
    InRange,
}

/// What `later`, a reading taken after the one that raised an alert of `kind`, says of that
/// alert; `None` when it says nothing (another kind of reading; a blood pressure without a
/// pulse for a pulse alert; an alert about doses). In range: below the patient's blood-pressure
/// target after a crisis; glucose 70-180 mg/dL (the consensus target range) after a very low or
/// very high one; a NEWS2 single-parameter score of 0 for SpO2, pulse, systolic and
/// temperature (docs/clinical.md, "Alerts").
pub fn course(kind: AlertKind, later: &Reading, targets: &ClinicalTargets) -> Option<Course> {
    let judge = |again: bool, in_range: bool| {
        Some(if again {
            Course::Again
        } else if in_range {
            Course::InRange
        } else {
            Course::Improving
        })
    };
    let raised = findings(later, targets);
    let again = raised.contains(&kind);
    match (kind, &later.measurement) {
        (
            AlertKind::HypertensiveCrisis,
            Measurement::BloodPressure {
                systolic,
                diastolic,
                ..
            },
        ) => judge(
            again,
            *systolic < targets.bp_target.systolic && *diastolic < targets.bp_target.diastolic,
        ),
        (AlertKind::LowSystolic, Measurement::BloodPressure { systolic, .. }) => {
            judge(again, vitals::systolic_score(*systolic) == 0)
        }
        (
            AlertKind::PulseRedFlag,
            Measurement::BloodPressure {
                pulse: Some(bpm), ..
            }
            | Measurement::HeartRate { bpm },
        ) => judge(again, vitals::pulse_score(*bpm) == 0),
        (AlertKind::LowOxygen, Measurement::Spo2 { percent }) => judge(
            again,
            vitals::spo2_score(*percent, targets.spo2_scale2) == 0,
        ),
        (AlertKind::Fever | AlertKind::LowTemperature, Measurement::Temperature { celsius }) => {
            judge(
                again,
                vitals::temperature_score(*celsius) == 0 && !raised.contains(&AlertKind::Fever),
            )
        }
        (
            AlertKind::Level2Hypoglycaemia
            | AlertKind::HyperglycaemicCrisis
            | AlertKind::Level2Hyperglycaemia,
            Measurement::Glucose { mg_dl, .. },
        ) => judge(again, glucose::band(*mg_dl) == RangeBand::InRange),
        _ => None,
    }
}

/// Follows up `alerts` with `readings`, taken in time order whatever their order here: for each
/// alert still open (not acknowledged, not resolved), a reading later than the alert and than
/// its last follow-up that [`course`] judges better but abnormal marks it improving, and one
/// back in range resolves it (named by that reading, at its time). Returns the positions of the
/// alerts it changed. Pure: the record stores what changed.
pub fn follow_up(
    alerts: &mut [Alert],
    readings: &[&Reading],
    targets: &ClinicalTargets,
) -> Vec<usize> {
    let mut order: Vec<&Reading> = readings.to_vec();
    crate::sorting::sort_by_key(&mut order, |r| r.at);
    let mut changed = Vec::new();
    for reading in order {
        for (i, alert) in alerts.iter_mut().enumerate() {
            let open = alert.acknowledged_at.is_none() && alert.resolved_at.is_none();
            let later = alert.at < reading.at
                && alert.reading_id != reading.id
                && alert.follow_up.as_ref().is_none_or(|f| f.at < reading.at);
            if !open || !later {
                continue;
            }
            let in_range = match course(alert.kind, reading, targets) {
                Some(Course::Improving) => false,
                Some(Course::InRange) => true,
                Some(Course::Again) | None => continue,
            };
            if in_range {
                alert.resolved_at = Some(reading.at);
                alert.resolved_by = Some(reading.id.clone());
            }
            alert.follow_up = Some(crate::model::FollowUp {
                reading_id: reading.id.clone(),
                at: reading.at,
                value: reading.measurement.clone(),
            });
            if !changed.contains(&i) {
                changed.push(i);
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MealContext;

    fn kinds(m: Measurement, targets: &ClinicalTargets) -> Vec<AlertKind> {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-02T08:00:00+01:00").expect("time");
        let reading = Reading::new(m, at).expect("a valid reading");
        findings(&reading, targets)
    }

    /// Each side of each urgent threshold in docs/clinical.md.
    #[test]
    fn every_dangerous_value_raises_its_alert_and_the_next_value_does_not() {
        let t = ClinicalTargets::defaults_for("America/New_York");
        let glucose = |mg_dl: f64| Measurement::Glucose {
            mg_dl,
            context: MealContext::Random,
        };
        assert_eq!(kinds(glucose(250.0), &t), vec![]);
        assert_eq!(
            kinds(glucose(250.1), &t),
            vec![AlertKind::Level2Hyperglycaemia]
        );
        assert_eq!(
            kinds(glucose(599.0), &t),
            vec![AlertKind::Level2Hyperglycaemia]
        );
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
            AlertKind::Level2Hypoglycaemia
            | AlertKind::HyperglycaemicCrisis
            | AlertKind::Level2Hyperglycaemia => Some(Measurement::Glucose {
                mg_dl: 52.0,
                context: MealContext::Fasting,
            }),
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
            follow_up: None,
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
