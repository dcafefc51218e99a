//! What the report's data says, before it is worded: the values off target, the flagged vital
//! signs, the BMI, the questionnaires' latest results, skip reasons, symptoms and as-needed use.
//! Pure functions of [`ReportData`]; the sections and the summary word them.

use chrono::{DateTime, FixedOffset, Utc};

use super::ReportData;
use crate::clinical::vitals;
use crate::model::{
    DoseStatus, Measurement, QuestionnaireResponse, Reading, ReadingKind, Schedule,
};

/// A temperature at or above this (°C) is a fever when the care team set no threshold (the
/// usual clinical definition; a care team's threshold replaces it).
pub const FEVER_C: f64 = 38.0;

/// HbA1c (%) above which the report flags it: the ADA's target for many non-pregnant adults
/// is below 7 % (ADA Standards of Care, section 6); the clinician individualises it.
pub const HBA1C_TARGET_PERCENT: f64 = 7.0;

/// A difference between HbA1c and GMI (percentage points) the report explains: GMI reflects
/// the sensor's days, HbA1c about three months, and the two often differ (Bergenstal et al.,
/// Diabetes Care 2018).
pub const HBA1C_GMI_GAP: f64 = 0.5;

/// Adherence below this share is flagged.
pub const LOW_ADHERENCE: f64 = 0.8;

/// A vital sign worth a look: a NEWS2 single-parameter score of 1 or more, or a fever.
#[derive(Debug, Clone, PartialEq)]
pub struct VitalFlag {
    /// The reading.
    pub reading: Reading,
    /// Its NEWS2 single-parameter score (0-3).
    pub news2: u8,
    /// At or above the fever threshold.
    pub fever: bool,
}

impl VitalFlag {
    /// Worth the summary: NEWS2 2 or more, or a fever.
    pub fn serious(&self) -> bool {
        self.news2 >= 2 || self.fever
    }
}

/// The readings of the period whose vital signs score in NEWS2 or show a fever, oldest first.
pub fn vital_flags(data: &ReportData) -> Vec<VitalFlag> {
    let fever_at = data.targets.fever_threshold_c.unwrap_or(FEVER_C);
    let scale2 = data.targets.spo2_scale2;
    let mut out: Vec<VitalFlag> = data
        .readings
        .iter()
        .filter_map(|r| {
            let (news2, fever) = match r.measurement {
                Measurement::Temperature { celsius } => {
                    (vitals::temperature_score(celsius), celsius >= fever_at)
                }
                Measurement::HeartRate { bpm } => (vitals::pulse_score(bpm), false),
                Measurement::Spo2 { percent } => (vitals::spo2_score(percent, scale2), false),
                _ => return None,
            };
            (news2 > 0 || fever).then(|| VitalFlag {
                reading: r.clone(),
                news2,
                fever,
            })
        })
        .collect();
    crate::sorting::sort_by_key(&mut out, |f| f.reading.at);
    out
}

/// The home blood-pressure mean of the period (systolic, diastolic) when it is not below the
/// target on both numbers.
pub fn home_bp_above_target(data: &ReportData) -> Option<(f64, f64)> {
    let s = data
        .stats
        .summaries
        .iter()
        .find(|s| s.kind == ReadingKind::BloodPressure)?;
    let (sys, dia) = (s.mean, s.mean_secondary.unwrap_or_default());
    let t = data.targets.bp_target;
    (sys.round() >= f64::from(t.systolic) || dia.round() >= f64::from(t.diastolic))
        .then_some((sys, dia))
}

/// The body-mass index from the profile's height and the latest weight of the period, with
/// that weight in kg.
pub fn bmi(data: &ReportData) -> Option<(f64, f64)> {
    let height_m = data.profile.height_cm? / 100.0;
    let kg = data
        .readings
        .iter()
        .filter_map(|r| match r.measurement {
            Measurement::Weight { kg } => Some((r.at, kg)),
            _ => None,
        })
        .max_by_key(|(at, _)| *at)?
        .1;
    (height_m > 0.0).then(|| (kg / (height_m * height_m), kg))
}

/// The WHO category of a BMI: `underweight` (< 18.5), `normal`, `overweight` (>= 25),
/// `obesity` (>= 30).
pub fn bmi_category(bmi: f64) -> &'static str {
    if bmi < 18.5 {
        "underweight"
    } else if bmi < 25.0 {
        "normal"
    } else if bmi < 30.0 {
        "overweight"
    } else {
        "obesity"
    }
}

/// The latest HbA1c of the period: when, and the value in %.
pub fn latest_hba1c(data: &ReportData) -> Option<(DateTime<FixedOffset>, f64)> {
    data.readings
        .iter()
        .filter_map(|r| match r.measurement {
            Measurement::Hba1c { percent } => Some((r.at, percent)),
            _ => None,
        })
        .max_by_key(|(at, _)| *at)
}

/// The latest response of each questionnaire answered in the period, oldest first.
pub fn latest_responses(data: &ReportData) -> Vec<&QuestionnaireResponse> {
    let mut out: Vec<&QuestionnaireResponse> = Vec::new();
    for r in &data.responses {
        match out
            .iter_mut()
            .find(|o| o.questionnaire_id == r.questionnaire_id)
        {
            Some(o) if o.at < r.at => *o = r,
            Some(_) => {}
            None => out.push(r),
        }
    }
    out
}

/// Why doses of one medication were skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Skips {
    /// The medication's name.
    pub name: String,
    /// Doses skipped in the period.
    pub count: u32,
    /// The reasons given (the skip's note), most frequent first, with how often.
    pub reasons: Vec<(String, u32)>,
}

/// Skipped doses per medication, with their reasons, in the medications' order.
pub fn skips(data: &ReportData) -> Vec<Skips> {
    data.medications
        .iter()
        .filter_map(|m| {
            let skipped: Vec<_> = data
                .doses
                .iter()
                .filter(|d| d.medication_id == m.id && d.status == DoseStatus::Skipped)
                .collect();
            if skipped.is_empty() {
                return None;
            }
            let mut reasons: Vec<(String, u32)> = Vec::new();
            for d in &skipped {
                let Some(note) = d.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
                    continue;
                };
                match reasons
                    .iter_mut()
                    .find(|(r, _)| r.eq_ignore_ascii_case(note))
                {
                    Some((_, n)) => *n += 1,
                    None => reasons.push((note.to_string(), 1)),
                }
            }
            crate::sorting::sort_by_key(&mut reasons, |r| std::cmp::Reverse(r.1));
            Some(Skips {
                name: m.name.clone(),
                count: skipped.len() as u32,
                reasons,
            })
        })
        .collect()
}

/// As-needed medications used in the period: name, doses taken, and on how many days.
pub fn as_needed_use(data: &ReportData) -> Vec<(String, u32, u32)> {
    data.medications
        .iter()
        .filter(|m| matches!(m.schedule, Schedule::AsNeeded(_)))
        .filter_map(|m| {
            let taken: Vec<_> = data
                .doses
                .iter()
                .filter(|d| d.medication_id == m.id && d.status == DoseStatus::Taken)
                .collect();
            if taken.is_empty() {
                return None;
            }
            let mut days: Vec<_> = taken
                .iter()
                .map(|d| d.at.with_timezone(&data.zone).date_naive())
                .collect();
            crate::sorting::sort(&mut days);
            days.dedup();
            Some((m.name.clone(), taken.len() as u32, days.len() as u32))
        })
        .collect()
}

/// The symptoms the patient's own journal names in the period, most frequent first, with
/// how many entries name each and the last day one did.
pub fn symptoms(data: &ReportData) -> Vec<(String, u32, DateTime<FixedOffset>)> {
    let mut out: Vec<(String, u32, DateTime<FixedOffset>)> = Vec::new();
    for e in data.entries.iter().filter(|e| e.is_patients()) {
        for s in &e.symptoms {
            let s = s.trim();
            if s.is_empty() || s.eq_ignore_ascii_case("none") {
                continue;
            }
            match out
                .iter_mut()
                .find(|(name, _, _)| name.eq_ignore_ascii_case(s))
            {
                Some((_, n, last)) => {
                    *n += 1;
                    *last = (*last).max(e.at);
                }
                None => out.push((s.to_string(), 1, e.at)),
            }
        }
    }
    crate::sorting::sort_by(&mut out, |a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The last visit before the report was made (the latest appointment in the past), if any.
pub fn last_visit(data: &ReportData) -> Option<DateTime<Utc>> {
    data.appointments
        .iter()
        .map(|a| a.at.to_utc())
        .filter(|at| *at <= data.generated)
        .max()
}

/// The next appointment after the report was made, if any.
pub fn next_visit(data: &ReportData) -> Option<&crate::model::Appointment> {
    data.appointments
        .iter()
        .filter(|a| a.at.to_utc() > data.generated)
        .min_by_key(|a| a.at)
}

/// Whether the profile names one of `conditions`: a section about them is shown even empty
/// ("no readings" is news for a patient with hypertension, not for one after surgery).
pub fn has_condition(data: &ReportData, conditions: &[crate::model::condition::Condition]) -> bool {
    data.profile
        .conditions
        .iter()
        .any(|c| crate::model::condition::Condition::of(c).is_some_and(|c| conditions.contains(&c)))
}

/// Recovery after surgery: the profile says so, or a journey for it runs.
pub fn after_surgery(data: &ReportData) -> bool {
    data.profile.conditions.iter().any(|c| {
        crate::model::condition::Condition::of(c)
            == Some(crate::model::condition::Condition::RecoveryAfterSurgery)
    }) || data
        .journeys
        .iter()
        .any(|j| j.template_id.starts_with("surgery"))
}

/// The mean of the home blood pressures in `[from, to)`, with how many there are.
pub fn home_bp_mean(
    data: &ReportData,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<(f64, f64, usize)> {
    let values: Vec<(f64, f64)> = data
        .readings
        .iter()
        .filter(|r| (from..to).contains(&r.at.to_utc()))
        .filter(|r| r.setting() == crate::model::BpSetting::Home)
        .filter_map(|r| match r.measurement {
            Measurement::BloodPressure {
                systolic,
                diastolic,
                ..
            } => Some((f64::from(systolic), f64::from(diastolic))),
            _ => None,
        })
        .collect();
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    Some((
        values.iter().map(|v| v.0).sum::<f64>() / n,
        values.iter().map(|v| v.1).sum::<f64>() / n,
        values.len(),
    ))
}
