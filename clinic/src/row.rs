//! One row of the patient list: a patient's figures over a period, the triage flags they
//! raise, and how urgently they need the care team. Pure: [`crate::gather`] reads the record.
//!
//! Every figure is the core's statistics (the same numbers as the visit report); the flags are
//! the triage categories of Tidepool's population dashboard (time below 54 mg/dL over 1 %, time
//! in range under 70 %, CGM wear under 70 %: the international consensus on time in range,
//! Battelino et al., Diabetes Care 2019) plus blood pressure above the patient's target,
//! adherence under 80 % (the usual threshold of adherent, Osterberg and Blaschke, NEJM 2005),
//! no data for 30 days and an urgent alert in the last 7 days.

use chrono::{DateTime, Utc};
use companion_core::journey::JourneyToday;
use companion_core::model::{Alert, AlertKind, Appointment, ClinicalTargets, MealContext, Profile};
use companion_core::reminders::Adherence;
use serde::Serialize;

/// Time in range below this (%) raises [`Flag::TirUnder70`].
pub const TIR_MIN: f64 = 70.0;
/// Time below 54 mg/dL above this (%) raises [`Flag::Tbr54Over1`].
pub const TBR54_MAX: f64 = 1.0;
/// CGM wear below this (%) raises [`Flag::WearUnder70`].
pub const WEAR_MIN: f64 = 70.0;
/// Adherence below this (%) raises [`Flag::AdherenceUnder80`].
pub const ADHERENCE_MIN: f64 = 80.0;
/// Days without a reading that raise [`Flag::NoData30`].
pub const NO_DATA_DAYS: i64 = 30;
/// An urgent alert this recent raises [`Flag::Urgent7`].
pub const URGENT_DAYS: i64 = 7;

/// A triage category a patient falls in. The order is the order of need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// An urgent alert not resolved and not acknowledged.
    UrgentOpen,
    /// An urgent alert raised in the last 7 days.
    #[serde(rename = "urgent-7d")]
    Urgent7,
    /// Time below 54 mg/dL over 1 %.
    #[serde(rename = "tbr54-over-1")]
    Tbr54Over1,
    /// Home blood pressure at or above the patient's target.
    BpAboveTarget,
    /// Time in range under 70 %.
    #[serde(rename = "tir-under-70")]
    TirUnder70,
    /// Adherence under 80 %.
    #[serde(rename = "adherence-under-80")]
    AdherenceUnder80,
    /// No reading for 30 days.
    #[serde(rename = "no-data-30d")]
    NoData30,
    /// CGM wear under 70 %.
    #[serde(rename = "wear-under-70")]
    WearUnder70,
}

impl Flag {
    /// Every flag, in the order of need.
    pub const ALL: [Flag; 8] = [
        Flag::UrgentOpen,
        Flag::Urgent7,
        Flag::Tbr54Over1,
        Flag::BpAboveTarget,
        Flag::TirUnder70,
        Flag::AdherenceUnder80,
        Flag::NoData30,
        Flag::WearUnder70,
    ];

    /// The name a filter uses in a URL (`tir-under-70`).
    pub fn name(self) -> &'static str {
        match self {
            Flag::UrgentOpen => "urgent-open",
            Flag::Urgent7 => "urgent-7d",
            Flag::Tbr54Over1 => "tbr54-over-1",
            Flag::BpAboveTarget => "bp-above-target",
            Flag::TirUnder70 => "tir-under-70",
            Flag::AdherenceUnder80 => "adherence-under-80",
            Flag::NoData30 => "no-data-30d",
            Flag::WearUnder70 => "wear-under-70",
        }
    }

    /// The flag a filter name names.
    pub fn named(name: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the category means, for the list's filter menu.
    pub fn label(self) -> &'static str {
        match self {
            Flag::UrgentOpen => "Urgent alert open",
            Flag::Urgent7 => "Urgent alert in the last 7 days",
            Flag::Tbr54Over1 => "Time below 54 mg/dL over 1 %",
            Flag::BpAboveTarget => "Home BP above target",
            Flag::TirUnder70 => "Time in range under 70 %",
            Flag::AdherenceUnder80 => "Adherence under 80 %",
            Flag::NoData30 => "No data for 30 days",
            Flag::WearUnder70 => "CGM wear under 70 %",
        }
    }

    /// Its weight in the need score.
    fn weight(self) -> u32 {
        match self {
            Flag::UrgentOpen => 10_000,
            Flag::Urgent7 => 3_000,
            Flag::Tbr54Over1 => 2_000,
            Flag::BpAboveTarget => 1_000,
            Flag::TirUnder70 => 800,
            Flag::AdherenceUnder80 => 600,
            Flag::NoData30 => 400,
            Flag::WearUnder70 => 200,
        }
    }
}

/// The home blood pressure of the period against the patient's target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BpFigure {
    /// Systolic, mmHg.
    pub systolic: f64,
    /// Diastolic, mmHg.
    pub diastolic: f64,
    /// The ESH home protocol's average (days 2 to 7 of the last measured week); else the mean
    /// of the period's home readings.
    pub protocol: bool,
    /// The target: below it is at target.
    pub target_systolic: u16,
    /// The target's diastolic.
    pub target_diastolic: u16,
    /// At or above the target on either number (rounded, as the visit report judges it).
    pub above_target: bool,
}

/// CGM figures of the period (sensor users).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CgmFigure {
    /// Time in range 70-180 mg/dL, %.
    pub in_range: f64,
    /// Time below 70 mg/dL, %.
    pub below_70: f64,
    /// Time below 54 mg/dL, %.
    pub below_54: f64,
    /// Glucose management indicator, % (with enough data only).
    pub gmi: Option<f64>,
    /// Sensor wear (time active), %.
    pub wear: f64,
    /// Enough data for the consensus metrics (14 days, 70 % active).
    pub sufficient: bool,
}

/// A running journey and its stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyFigure {
    /// The template's title.
    pub title: String,
    /// The current stage's title, if the journey has begun.
    pub stage: Option<String>,
}

/// One patient in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientRow {
    /// The record's id.
    pub id: String,
    /// The patient's name.
    pub name: String,
    /// Conditions on the profile.
    pub conditions: Vec<String>,
    /// Home blood pressure, when measured in the period.
    pub bp: Option<BpFigure>,
    /// CGM figures, for sensor users.
    pub cgm: Option<CgmFigure>,
    /// Mean fasting fingerstick glucose of the period, mg/dL (fingerstick users).
    pub fasting_mean_mg_dl: Option<f64>,
    /// Doses taken over doses counted, all medications, %; none when nothing was due.
    pub adherence_percent: Option<f64>,
    /// Whole days since the latest reading; none when the record has none.
    pub days_since_data: Option<i64>,
    /// Urgent alerts open (not resolved, not acknowledged).
    pub urgent_open: u32,
    /// An open hypertensive crisis.
    pub crisis: bool,
    /// The latest urgent alert, when within the last 7 days.
    pub urgent_recent: Option<DateTime<Utc>>,
    /// Running journeys.
    pub journeys: Vec<JourneyFigure>,
    /// The next appointment: when and what.
    pub next_appointment: Option<(DateTime<Utc>, String)>,
    /// The triage categories the patient falls in, in the order of need.
    pub flags: Vec<Flag>,
    /// How urgently the patient needs the team: higher first.
    pub need: u32,
}

/// What a row is computed from, as [`crate::gather`] reads it from the record.
#[derive(Debug, Clone, Copy)]
pub struct RowInputs<'a> {
    /// The record's id.
    pub id: &'a str,
    /// The patient.
    pub profile: &'a Profile,
    /// The targets.
    pub targets: &'a ClinicalTargets,
    /// The period's statistics.
    pub stats: &'a companion_core::Stats,
    /// Adherence per medication over the period.
    pub adherence: &'a [Adherence],
    /// When the latest reading was taken.
    pub last_reading: Option<DateTime<Utc>>,
    /// Alerts raised in the period or the last 7 days, whichever is longer, and every alert
    /// still open, whenever raised.
    pub alerts: &'a [Alert],
    /// The running journeys.
    pub journeys: &'a [JourneyToday],
    /// The next appointment.
    pub next_appointment: Option<&'a Appointment>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// The row of one patient.
pub fn row(i: RowInputs<'_>) -> PatientRow {
    let bp = bp_figure(i.stats, i.targets);
    let cgm = i.stats.glucose.as_ref().map(|m| CgmFigure {
        in_range: m.in_range,
        below_70: m.below_70,
        below_54: m.below_54,
        gmi: m.gmi_percent,
        wear: m.active_percent,
        sufficient: m.sufficient,
    });
    let fasting_mean_mg_dl = i
        .stats
        .fingersticks
        .iter()
        .find(|f| f.context == MealContext::Fasting && f.count > 0)
        .map(|f| f.mean_mg_dl);
    let (taken, counted) = i
        .adherence
        .iter()
        .fold((0u32, 0u32), |(t, c), a| (t + a.taken, c + a.counted));
    let adherence_percent = (counted > 0).then(|| f64::from(taken) * 100.0 / f64::from(counted));
    let days_since_data = i.last_reading.map(|at| (i.now - at).num_days().max(0));
    let open =
        |a: &&Alert| a.kind.is_urgent() && a.resolved_at.is_none() && a.acknowledged_at.is_none();
    let urgent_open = i.alerts.iter().filter(open).count() as u32;
    let crisis = i
        .alerts
        .iter()
        .filter(open)
        .any(|a| a.kind == AlertKind::HypertensiveCrisis);
    let urgent_recent = i
        .alerts
        .iter()
        .filter(|a| a.kind.is_urgent())
        .map(|a| a.at.to_utc())
        .filter(|at| i.now - *at <= chrono::Duration::days(URGENT_DAYS))
        .max();
    let journeys = i
        .journeys
        .iter()
        .map(|j| JourneyFigure {
            title: j.title.clone(),
            stage: j.progress.as_ref().map(|p| p.stage_title.clone()),
        })
        .collect();
    let next_appointment = i.next_appointment.map(|a| (a.at.to_utc(), a.title.clone()));

    let mut row = PatientRow {
        id: i.id.to_string(),
        name: i.profile.name.clone(),
        conditions: i.profile.conditions.clone(),
        bp,
        cgm,
        fasting_mean_mg_dl,
        adherence_percent,
        days_since_data,
        urgent_open,
        crisis,
        urgent_recent,
        journeys,
        next_appointment,
        flags: Vec::new(),
        need: 0,
    };
    row.flags = flags_of(&row);
    row.need = need_of(&row);
    row
}

/// The triage categories a row's figures fall in, in the order of need.
pub fn flags_of(r: &PatientRow) -> Vec<Flag> {
    let mut flags = Vec::new();
    if r.urgent_open > 0 {
        flags.push(Flag::UrgentOpen);
    }
    if r.urgent_recent.is_some() {
        flags.push(Flag::Urgent7);
    }
    if r.cgm.as_ref().is_some_and(|c| c.below_54 > TBR54_MAX) {
        flags.push(Flag::Tbr54Over1);
    }
    if r.bp.as_ref().is_some_and(|b| b.above_target) {
        flags.push(Flag::BpAboveTarget);
    }
    if r.cgm.as_ref().is_some_and(|c| c.in_range < TIR_MIN) {
        flags.push(Flag::TirUnder70);
    }
    if r.adherence_percent.is_some_and(|p| p < ADHERENCE_MIN) {
        flags.push(Flag::AdherenceUnder80);
    }
    if r.days_since_data.is_none_or(|d| d >= NO_DATA_DAYS) {
        flags.push(Flag::NoData30);
    }
    if r.cgm.as_ref().is_some_and(|c| c.wear < WEAR_MIN) {
        flags.push(Flag::WearUnder70);
    }
    flags
}

/// How urgently a row's patient needs the team: the weights of its flags (an open
/// hypertensive crisis above all), then how far the blood pressure is above the target.
pub fn need_of(r: &PatientRow) -> u32 {
    let mut need: u32 = r.flags.iter().map(|f| f.weight()).sum();
    if r.crisis {
        need += 5_000;
    }
    if let Some(b) = r.bp.as_ref().filter(|b| b.above_target) {
        need += (b.systolic - f64::from(b.target_systolic)).clamp(0.0, 99.0) as u32;
    }
    need
}

fn bp_figure(stats: &companion_core::Stats, targets: &ClinicalTargets) -> Option<BpFigure> {
    let t = targets.bp_target;
    let (systolic, diastolic, protocol) = match stats.home_bp.as_ref().filter(|h| h.sufficient) {
        Some(h) => (h.systolic, h.diastolic, true),
        None => {
            let s = stats
                .summaries
                .iter()
                .find(|s| s.kind == companion_core::model::ReadingKind::BloodPressure)?;
            (s.mean, s.mean_secondary?, false)
        }
    };
    Some(BpFigure {
        systolic,
        diastolic,
        protocol,
        target_systolic: t.systolic,
        target_diastolic: t.diastolic,
        above_target: systolic.round() >= f64::from(t.systolic)
            || diastolic.round() >= f64::from(t.diastolic),
    })
}

/// Sorts rows by need (highest first), then by name.
pub fn sort_by_need(rows: &mut [PatientRow]) {
    rows.sort_by(|a, b| b.need.cmp(&a.need).then_with(|| a.name.cmp(&b.name)));
}

/// Keeps in `rows` the patients who fall in every one of `filters`.
pub fn filter(rows: &mut Vec<PatientRow>, filters: &[Flag]) {
    rows.retain(|r| filters.iter().all(|f| r.flags.contains(f)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank() -> PatientRow {
        PatientRow {
            id: "r".into(),
            name: "P".into(),
            conditions: vec![],
            bp: None,
            cgm: None,
            fasting_mean_mg_dl: None,
            adherence_percent: None,
            days_since_data: Some(0),
            urgent_open: 0,
            crisis: false,
            urgent_recent: None,
            journeys: vec![],
            next_appointment: None,
            flags: vec![],
            need: 0,
        }
    }

    fn cgm(in_range: f64, below_54: f64, wear: f64) -> Option<CgmFigure> {
        Some(CgmFigure {
            in_range,
            below_70: below_54,
            below_54,
            gmi: None,
            wear,
            sufficient: true,
        })
    }

    #[test]
    fn the_triage_categories_hold_at_their_consensus_boundaries() {
        // Battelino 2019: TIR > 70 %, time < 54 mg/dL < 1 %; wear >= 70 %.
        let at = PatientRow {
            cgm: cgm(70.0, 1.0, 70.0),
            ..blank()
        };
        assert!(flags_of(&at).is_empty(), "{:?}", flags_of(&at));
        let over = PatientRow {
            cgm: cgm(69.9, 1.1, 69.9),
            ..blank()
        };
        assert_eq!(
            flags_of(&over),
            vec![Flag::Tbr54Over1, Flag::TirUnder70, Flag::WearUnder70]
        );
        // Adherence: 80 % is adherent, below it is not.
        let adherent = PatientRow {
            adherence_percent: Some(80.0),
            ..blank()
        };
        assert!(flags_of(&adherent).is_empty());
        let not = PatientRow {
            adherence_percent: Some(79.9),
            ..blank()
        };
        assert_eq!(flags_of(&not), vec![Flag::AdherenceUnder80]);
        // No data: 29 days is recent, 30 is not, never is not.
        assert!(
            flags_of(&PatientRow {
                days_since_data: Some(29),
                ..blank()
            })
            .is_empty()
        );
        for days in [Some(30), None] {
            let r = PatientRow {
                days_since_data: days,
                ..blank()
            };
            assert_eq!(flags_of(&r), vec![Flag::NoData30]);
        }
    }

    #[test]
    fn blood_pressure_is_judged_as_the_visit_report_judges_it() {
        let targets = ClinicalTargets::defaults_for("Europe/Berlin");
        let stats = |sys: f64, dia: f64| companion_core::Stats {
            from: DateTime::UNIX_EPOCH,
            to: DateTime::UNIX_EPOCH,
            summaries: vec![companion_core::clinical::stats::Summary {
                kind: companion_core::model::ReadingKind::BloodPressure,
                count: 3,
                mean: sys,
                min: sys,
                max: sys,
                mean_secondary: Some(dia),
                min_secondary: Some(dia),
                max_secondary: Some(dia),
                trend_per_week: None,
            }],
            office_bp: None,
            home_bp: None,
            glucose: None,
            fingersticks: vec![],
        };
        // Target < 130/80: 129.4/79.4 rounds to 129/79, at target; 129.5 rounds to 130.
        let at = bp_figure(&stats(129.4, 79.4), &targets).expect("bp");
        assert!(!at.above_target);
        let above = bp_figure(&stats(129.5, 70.0), &targets).expect("bp");
        assert!(above.above_target);
        let dia = bp_figure(&stats(120.0, 79.5), &targets).expect("bp");
        assert!(dia.above_target);
    }

    #[test]
    fn an_open_crisis_comes_before_everything_else() {
        let mut rows = vec![
            PatientRow {
                name: "A".into(),
                cgm: cgm(40.0, 5.0, 50.0),
                adherence_percent: Some(10.0),
                days_since_data: None,
                ..blank()
            },
            PatientRow {
                name: "B".into(),
                urgent_open: 1,
                crisis: true,
                ..blank()
            },
            PatientRow {
                name: "C".into(),
                ..blank()
            },
        ];
        for r in &mut rows {
            r.flags = flags_of(r);
            r.need = need_of(r);
        }
        sort_by_need(&mut rows);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["B", "A", "C"]);
        filter(&mut rows, &[Flag::TirUnder70]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "A");
    }
}
