//! Care journeys: the built-in templates walked through simulated weeks of data, template
//! validation for every error kind, FINDRISC at its band boundaries, and the nudges of a
//! journey kept within the weekly budget by the planner.

mod common;
use common::keys;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use companion_core::journey::questionnaire::Given;
use companion_core::journey::{
    Answered, CheckInReason, Data, Decision, History, Template, TemplateError, builtin, progress,
    step,
};
use companion_core::model::{Appointment, Language, MealContext, Measurement, Profile, Reading};
use companion_core::zone::Zone;

fn start() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-01-05T09:00:00+01:00").expect("time")
}

fn template(id: &str) -> Template {
    builtin::templates()
        .expect("built-ins load")
        .into_iter()
        .find(|t| t.id == id)
        .expect("the template")
}

fn bp(s: u16, d: u16, at: DateTime<FixedOffset>) -> Reading {
    Reading::new(
        Measurement::BloodPressure {
            systolic: s,
            diastolic: d,
            pulse: None,
        },
        at,
    )
    .expect("reading")
}

/// A simulated patient: what they log, day by day, and the journey's record of decisions.
struct Patient {
    template: Template,
    history: History,
    readings: Vec<Reading>,
    answered: Vec<Answered>,
    appointments: Vec<Appointment>,
    tasks_done: Vec<(String, DateTime<Utc>)>,
    decisions: Vec<(i64, Decision)>,
    zone: Zone,
}

impl Patient {
    fn new(id: &str) -> Self {
        Self {
            template: template(id),
            history: History {
                started_at: start().to_utc(),
                ..History::default()
            },
            readings: Vec::new(),
            answered: Vec::new(),
            appointments: Vec::new(),
            tasks_done: Vec::new(),
            decisions: Vec::new(),
            zone: "Europe/Berlin".parse().expect("zone"),
        }
    }

    fn at(day: i64, hour: i64, minute: i64) -> DateTime<FixedOffset> {
        start() + Duration::days(day) + Duration::hours(hour - 9) + Duration::minutes(minute)
    }

    fn done(&mut self, task: &str, day: i64) {
        self.tasks_done
            .push((task.to_string(), Self::at(day, 10, 0).to_utc()));
    }

    /// Runs the engine at the evening of `day` and records what it decided.
    fn evening(&mut self, day: i64) {
        let now = Self::at(day, 21, 0).to_utc();
        let last_activity = self
            .readings
            .iter()
            .map(|r| r.at.to_utc())
            .chain(self.tasks_done.iter().map(|t| t.1))
            .chain(self.answered.iter().map(|a| a.at))
            .filter(|t| *t <= now)
            .max();
        let data = Data {
            readings: &self.readings,
            doses: &[],
            answered: &self.answered,
            appointments: &self.appointments,
            tasks_done: &self.tasks_done,
            last_activity,
            zone: &self.zone,
        };
        for d in step(&self.template, &self.history, &data, now) {
            match &d {
                Decision::StageEntered { stage, at } => {
                    self.history.stages.push((stage.clone(), *at))
                }
                Decision::MilestoneReached { milestone, at, .. } => {
                    self.history.milestones.push((milestone.clone(), *at))
                }
                Decision::CheckIn { at, .. } => self.history.check_ins.push(*at),
            }
            self.decisions.push((day, d));
        }
    }

    fn stages(&self) -> Vec<(i64, String)> {
        self.decisions
            .iter()
            .filter_map(|(day, d)| match d {
                Decision::StageEntered { stage, .. } => Some((*day, stage.clone())),
                _ => None,
            })
            .collect()
    }

    fn milestones(&self) -> Vec<(i64, String)> {
        self.decisions
            .iter()
            .filter_map(|(day, d)| match d {
                Decision::MilestoneReached { milestone, .. } => Some((*day, milestone.clone())),
                _ => None,
            })
            .collect()
    }

    fn check_ins(&self) -> Vec<(i64, CheckInReason)> {
        self.decisions
            .iter()
            .filter_map(|(day, d)| match d {
                Decision::CheckIn { reason, .. } => Some((*day, *reason)),
                _ => None,
            })
            .collect()
    }

    /// Two home readings in the morning and two in the evening (the protocol's sessions).
    fn log_bp_sessions(&mut self, day: i64, s: u16, d: u16, per_session: i64) {
        for (hour, extra) in [(7, 0), (19, 2)] {
            for k in 0..per_session {
                self.readings
                    .push(bp(s + extra, d, Self::at(day, hour, 2 * k)));
            }
        }
    }
}

/// Weeks 1 and 2 of the hypertension journey as the template asks: the card read on day 0,
/// twice a day in week 1, the protocol's four readings a day in week 2.
fn first_two_weeks(p: &mut Patient, s: u16, d: u16) {
    p.done("read-home-bp", 0);
    for day in 0..7 {
        p.log_bp_sessions(day, s, d, 1);
        p.evening(day);
    }
    for day in 7..14 {
        p.log_bp_sessions(day, s, d, 2);
        p.evening(day);
    }
}

#[test]
fn a_controlled_hypertension_patient_walks_every_stage() {
    let mut p = Patient::new("hypertension-12w");
    first_two_weeks(&mut p, 150, 95);
    // Treatment works: from week 3 the home average falls under 135/85.
    p.appointments
        .push(Appointment::new(Patient::at(27, 10, 0), "Follow-up").expect("appointment"));
    for day in 14..84 {
        let (s, d) = if day < 28 { (142, 90) } else { (126, 80) };
        p.log_bp_sessions(day, s, d, 1);
        p.evening(day);
    }
    assert_eq!(
        p.stages(),
        vec![
            (0, "learn".to_string()),
            // Six readings in the last 7 days by the evening of day 2.
            (2, "protocol".to_string()),
            // Seven days in the protocol and 12 readings: the evening of day 9.
            (9, "titration".to_string()),
            // The first protocol window (day 25 discarded, days 26-31) averaging under
            // 135/85: 132/83.
            (31, "controlled".to_string()),
        ]
    );
    assert_eq!(
        p.milestones(),
        vec![
            (2, "first-readings".to_string()),
            (31, "home-under-target".to_string()),
            (59, "controlled-4-weeks".to_string()),
        ]
    );
    assert_eq!(
        p.check_ins(),
        vec![],
        "an active patient is never checked on"
    );
    let now = Patient::at(60, 21, 0).to_utc();
    let pr = progress(&p.template, &p.history, &[], Language::English, now).expect("progress");
    assert_eq!((pr.step, pr.steps, pr.stage.as_str()), (4, 4, "controlled"));
    assert_eq!(pr.day_of_stage, 30);
    assert_eq!(
        pr.days_to_checkup,
        Some(24),
        "the 12-week check-up on day 84"
    );
    // Once it is booked (for day 70, 09:00), the count is to the booked visit, rounded up.
    let visit = companion_core::model::Appointment::new(Patient::at(70, 9, 0), "check-up")
        .expect("appointment");
    let pr = progress(&p.template, &p.history, &[visit], Language::English, now).expect("progress");
    assert_eq!(pr.days_to_checkup, Some(10), "9.5 days ahead");
}

#[test]
fn an_uncontrolled_patient_stays_in_titration_and_hears_once_about_the_overdue_visit() {
    let mut p = Patient::new("hypertension-12w");
    first_two_weeks(&mut p, 156, 98);
    for day in 14..84 {
        p.log_bp_sessions(day, 152, 96, 1);
        p.evening(day);
    }
    let stages: Vec<String> = p.stages().into_iter().map(|s| s.1).collect();
    assert_eq!(stages, vec!["learn", "protocol", "titration"]);
    assert!(!p.milestones().iter().any(|m| m.1 == "home-under-target"));
    // The follow-up visit is due on day 28; a week later, with none booked, one check-in.
    assert_eq!(p.check_ins(), vec![(35, CheckInReason::AppointmentOverdue)]);
}

#[test]
fn a_patient_away_forty_days_gets_one_check_in_and_picks_up_on_return() {
    let mut p = Patient::new("hypertension-12w");
    first_two_weeks(&mut p, 150, 95);
    p.appointments
        .push(Appointment::new(Patient::at(27, 10, 0), "Follow-up").expect("appointment"));
    for day in 14..20 {
        p.log_bp_sessions(day, 140, 88, 1);
        p.evening(day);
    }
    // Nothing from day 20 to day 59.
    for day in 20..60 {
        p.evening(day);
    }
    // Back on day 60, and controlled.
    for day in 60..90 {
        p.log_bp_sessions(day, 126, 80, 1);
        p.evening(day);
    }
    // The last reading was on the evening of day 19: 30 days later, one check-in, then silence.
    assert_eq!(p.check_ins(), vec![(49, CheckInReason::Inactive)]);
    let stages: Vec<(i64, String)> = p.stages();
    // Day 60 is the protocol's discarded first day; days 61-63 make the 3 it needs.
    assert_eq!(stages.last(), Some(&(63, "controlled".to_string())));
}

#[test]
fn type_2_diabetes_first_90_days() {
    let mut p = Patient::new("type2-diabetes-90d");
    let glucose = |mg_dl, context, at| {
        Reading::new(Measurement::Glucose { mg_dl, context }, at).expect("reading")
    };
    p.done("read-fingerstick", 0);
    p.done("read-hypo", 8);
    for day in 0..100 {
        p.readings
            .push(glucose(140.0, MealContext::Fasting, Patient::at(day, 7, 0)));
        p.readings.push(glucose(
            150.0,
            MealContext::AfterMeal,
            Patient::at(day, 14, 0),
        ));
        if day == 88 {
            p.readings.push(
                Reading::new(Measurement::Hba1c { percent: 6.8 }, Patient::at(day, 9, 0))
                    .expect("hba1c"),
            );
        }
        p.evening(day);
    }
    assert_eq!(
        p.stages(),
        vec![
            (0, "fingerstick".to_string()),
            (4, "hypo-awareness".to_string()),
            (11, "routine".to_string()),
            (88, "follow-up".to_string()),
        ]
    );
    assert_eq!(
        p.milestones(),
        vec![
            (4, "first-week-glucose".to_string()),
            // Reached on entering the routine: 14 days averaging 145 mg/dL.
            (11, "mean-in-target".to_string()),
            (88, "hba1c-under-7".to_string()),
        ]
    );
    // No appointment was booked for the HbA1c test (due on day 90): one check-in a week after.
    assert_eq!(p.check_ins(), vec![(97, CheckInReason::AppointmentOverdue)]);
}

#[test]
fn recovery_after_surgery() {
    let mut p = Patient::new("surgery-recovery-6w");
    p.appointments
        .push(Appointment::new(Patient::at(41, 11, 0), "Follow-up after surgery").expect("appt"));
    for day in 0..45 {
        p.readings.push(
            Reading::new(
                Measurement::Temperature { celsius: 37.0 },
                Patient::at(day, 8, 0),
            )
            .expect("temperature"),
        );
        let pain = if day < 12 { 5.0 } else { 3.0 };
        p.answered.push(Answered {
            questionnaire: "pain".into(),
            at: Patient::at(day, 8, 5).to_utc(),
            score: pain,
        });
        p.evening(day);
    }
    assert_eq!(
        p.stages(),
        vec![
            (0, "first-days".to_string()),
            (7, "recovery".to_string()),
            (28, "follow-up".to_string()),
        ]
    );
    assert_eq!(
        p.milestones(),
        vec![
            (7, "first-week-home".to_string()),
            (12, "pain-below-4".to_string()),
            (41, "follow-up-attended".to_string()),
        ]
    );
    assert_eq!(p.check_ins(), vec![]);
}

/// Whatever a journey decides, the planner shows at most the weekly budget of its nudges.
#[test]
fn journey_nudges_never_exceed_the_weekly_budget() {
    use companion_core::reminders::{NotificationKind, PlanInput, plan};
    let mut p = Patient::new("hypertension-12w");
    first_two_weeks(&mut p, 150, 95);
    // Every decision of the journey, and more: a nudge a day for 4 weeks.
    let mut nudges = companion_core::journey::nudges::nudges(
        "j1",
        &p.template,
        &p.decisions.iter().map(|d| d.1.clone()).collect::<Vec<_>>(),
        Language::English,
    );
    for day in 14..42 {
        nudges.push(companion_core::reminders::Nudge {
            id: format!("extra-{day}"),
            at: Patient::at(day, 12, 0).to_utc(),
            title: "t".into(),
            body: "b".into(),
        });
    }
    let profile = Profile::new("Ana", "Europe/Berlin").expect("profile");
    let input = PlanInput {
        audience: companion_core::reminders::Audience::Patient,
        profile: &profile,
        medications: &[],
        doses: &[],
        refills: &[],
        appointments: &[],
        plans: &[],
        nudges: &nudges,
        alerts: &[],
    };
    let planned = plan(&input, start().to_utc(), &p.zone, Duration::days(42), 500);
    let mut per_week = std::collections::HashMap::new();
    for n in planned.iter().filter(|n| n.kind == NotificationKind::Nudge) {
        use chrono::Datelike;
        *per_week
            .entry(n.fire_at.with_timezone(&p.zone).iso_week().week())
            .or_insert(0) += 1;
    }
    assert!(!per_week.is_empty());
    assert!(
        per_week
            .values()
            .all(|n| *n <= profile.reminders.weekly_nudge_budget),
        "{per_week:?}"
    );
}

#[test]
fn every_built_in_card_names_its_source_in_both_languages() {
    let templates = builtin::templates().expect("built-ins load");
    assert_eq!(templates.len(), 3);
    for t in &templates {
        assert!(!t.cards.is_empty(), "{}", t.id);
        for c in &t.cards {
            let s = c.source.as_ref().expect("a source");
            assert!(
                !s.publisher.is_empty() && !s.title.is_empty(),
                "{}/{}",
                t.id,
                c.id
            );
            assert!(s.year.is_some() || s.link.is_some(), "{}/{}", t.id, c.id);
            for text in [&c.title, &c.body] {
                assert!(
                    !text.en.is_empty() && !text.zh_hans.is_empty(),
                    "{}/{}",
                    t.id,
                    c.id
                );
                assert_ne!(text.en, text.zh_hans);
            }
        }
    }
}

fn hypertension_json() -> serde_json::Value {
    serde_json::from_str(include_str!(
        "../src/journey/templates/hypertension-12w.json"
    ))
    .expect("json")
}

fn load(v: &serde_json::Value) -> Result<Template, TemplateError> {
    Template::from_json(&v.to_string(), &["findrisc", "pain", "phq2"])
}

#[test]
fn template_validation_names_the_bad_field_for_every_error_kind() {
    assert!(load(&hypertension_json()).is_ok());
    let broken = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = hypertension_json();
        f(&mut v);
        load(&v).expect_err("refused")
    };
    let e = broken(&|v| v["stages"][1]["tasks"][0]["kind"] = "juggle".into());
    assert!(
        matches!(&e, TemplateError::Shape { path, .. } if path.starts_with("stages[1].tasks[0]")),
        "{e}"
    );
    let e = broken(&|v| {
        v["stages"][2]["exit"] = serde_json::json!({"reading_count": {"kind": "bp", "days": 7}})
    });
    assert!(
        matches!(&e, TemplateError::Shape { path, .. } if path.starts_with("stages[2].exit")),
        "{e}"
    );
    assert_eq!(
        broken(&|v| v["stages"][0]["id"] = "".into()),
        TemplateError::Empty {
            path: "stages[0].id".into()
        }
    );
    assert_eq!(
        broken(&|v| v["cards"][1]["body"]["zh-Hans"] = "".into()),
        TemplateError::MissingLanguage {
            path: "cards[1].body".into(),
            language: "zh-Hans"
        }
    );
    assert_eq!(
        broken(&|v| v["cards"][0]
            .as_object_mut()
            .expect("card")
            .remove("source")
            .map(|_| ())
            .unwrap_or(())),
        TemplateError::NoSource {
            path: "cards[0]".into()
        }
    );
    assert_eq!(
        broken(&|v| v["cards"][2]["source"]["publisher"] = " ".into()),
        TemplateError::NoSource {
            path: "cards[2]".into()
        }
    );
    assert_eq!(
        broken(&|v| v["stages"][1]["id"] = "learn".into()),
        TemplateError::DuplicateId {
            path: "stages[1].id".into(),
            id: "learn".into()
        }
    );
    assert_eq!(
        broken(&|v| v["stages"][0]["tasks"][0]["card"] = "nope".into()),
        TemplateError::UnknownReference {
            path: "stages[0].tasks[0].card".into(),
            what: "card",
            id: "nope".into()
        }
    );
    assert_eq!(
        broken(&|v| v["stages"][2]["tasks"][4]["questionnaire"] = "gad7".into()),
        TemplateError::UnknownReference {
            path: "stages[2].tasks[4].questionnaire".into(),
            what: "questionnaire",
            id: "gad7".into()
        }
    );
    assert_eq!(
        broken(&|v| v["stages"][1]["tasks"][0]["plan"] = "ambulatory".into()),
        TemplateError::UnknownReference {
            path: "stages[1].tasks[0].plan".into(),
            what: "plan",
            id: "ambulatory".into()
        }
    );
    assert_eq!(
        broken(&|v| v["stages"][0]["exit"]["all"][0]["task_done"]["task"] = "ghost".into()),
        TemplateError::UnknownReference {
            path: "stages[0].exit".into(),
            what: "task",
            id: "ghost".into()
        }
    );
    assert_eq!(
        broken(&|v| v["stages"][0]["expected_days"] = 0.into()),
        TemplateError::OutOfRange {
            path: "stages[0].expected_days".into(),
            reason: "expected days must be 1 to 730"
        }
    );
    assert!(matches!(
        broken(&|v| v["stages"][0]["exit"]["all"][1]["reading_count"]["days"] = 400.into()),
        TemplateError::OutOfRange { path, .. } if path == "stages[0].exit.all[1].days"
    ));
    assert_eq!(
        broken(&|v| v["fever_threshold_c"] = 41.0.into()),
        TemplateError::OutOfRange {
            path: "fever_threshold_c".into(),
            reason: "a fever threshold is between 37 and 40 °C"
        }
    );
    assert!(matches!(
        broken(&|v| { v["stages"][0].as_object_mut().expect("stage").remove("exit"); }),
        TemplateError::Structure { path, .. } if path == "stages[0].exit"
    ));
    assert!(matches!(
        broken(&|v| v["stages"] = serde_json::json!([])),
        TemplateError::Structure { path, .. } if path == "stages"
    ));
    assert!(matches!(
        broken(&|v| v["stages"][0]["exit"] = serde_json::json!({"all": []})),
        TemplateError::Structure { path, .. } if path == "stages[0].exit"
    ));
    // The messages name the path and hold no patient data.
    let e = broken(&|v| v["stages"][0]["id"] = "".into());
    assert_eq!(e.to_string(), "template stages[0].id: must not be empty");
}

/// FINDRISC answered with 0 points everywhere.
const FINDRISC_LOWEST: [(&str, &str); 8] = [
    ("age", "under-45"),
    ("bmi", "under-25"),
    ("waist", "low"),
    ("active", "yes"),
    ("vegetables", "every-day"),
    ("bp-medication", "no"),
    ("high-glucose", "no"),
    ("family", "no"),
];

#[test]
fn findrisc_scores_each_band_at_its_boundaries() {
    let findrisc = builtin::questionnaires()
        .expect("load")
        .into_iter()
        .find(|q| q.id == "findrisc")
        .expect("findrisc");
    let answers = |pairs: &[(&str, &str)]| -> Vec<(String, Given)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Given::Choice(v.to_string())))
            .collect()
    };
    // Base: 0 points everywhere.
    let base = FINDRISC_LOWEST;
    let with = |changes: &[(&'static str, &'static str)]| {
        let mut a = base.to_vec();
        for (k, v) in changes {
            if let Some(slot) = a.iter_mut().find(|(key, _)| key == k) {
                slot.1 = v;
            }
        }
        let s = findrisc.score(&answers(&a)).expect("scored");
        (s.total, s.band.id.clone(), s.band.see_doctor)
    };
    // (answers changed from the base, total, band, see a doctor)
    type Case<'a> = (&'a [(&'a str, &'a str)], f64, &'a str, bool);
    let cases: &[Case<'_>] = &[
        (&[], 0.0, "low", false),
        // 6 | 7
        (&[("age", "55-64"), ("waist", "middle")], 6.0, "low", false),
        (
            &[("age", "over-64"), ("waist", "middle")],
            7.0,
            "slightly-elevated",
            false,
        ),
        // 11 | 12
        (
            &[
                ("age", "over-64"),
                ("waist", "middle"),
                ("active", "no"),
                ("vegetables", "not-every-day"),
                ("bmi", "25-30"),
            ],
            11.0,
            "slightly-elevated",
            false,
        ),
        (
            &[
                ("age", "over-64"),
                ("waist", "high"),
                ("active", "no"),
                ("bp-medication", "yes"),
            ],
            12.0,
            "moderate",
            false,
        ),
        // 14 | 15
        (
            &[
                ("age", "over-64"),
                ("waist", "high"),
                ("active", "no"),
                ("bp-medication", "yes"),
                ("vegetables", "not-every-day"),
                ("bmi", "25-30"),
            ],
            14.0,
            "moderate",
            false,
        ),
        (
            &[
                ("age", "over-64"),
                ("waist", "high"),
                ("family", "first-degree"),
                ("active", "no"),
            ],
            15.0,
            "high",
            true,
        ),
        // 20 | 21
        (
            &[
                ("age", "over-64"),
                ("waist", "high"),
                ("family", "first-degree"),
                ("high-glucose", "yes"),
                ("active", "no"),
            ],
            20.0,
            "high",
            true,
        ),
        (
            &[
                ("age", "over-64"),
                ("waist", "high"),
                ("family", "first-degree"),
                ("high-glucose", "yes"),
                ("active", "no"),
                ("vegetables", "not-every-day"),
            ],
            21.0,
            "very-high",
            true,
        ),
        // The maximum, 26.
        (
            &[
                ("age", "over-64"),
                ("bmi", "over-30"),
                ("waist", "high"),
                ("active", "no"),
                ("vegetables", "not-every-day"),
                ("bp-medication", "yes"),
                ("high-glucose", "yes"),
                ("family", "first-degree"),
            ],
            26.0,
            "very-high",
            true,
        ),
    ];
    for (changes, total, band, doctor) in cases {
        assert_eq!(
            with(changes),
            (*total, band.to_string(), *doctor),
            "{changes:?}"
        );
    }
    // Bad answers: a missing item, an option that does not exist, an unknown item.
    let mut missing = answers(&base);
    missing.pop();
    assert!(findrisc.score(&missing).is_err());
    let mut wrong = answers(&base);
    wrong[0].1 = Given::Choice("forty".into());
    let e = findrisc.score(&wrong).expect_err("refused");
    assert!(
        e.to_string()
            .contains("one of: under-45, 45-54, 55-64, over-64"),
        "{e}"
    );
    let mut extra = answers(&base);
    extra.push(("shoe-size".into(), Given::Number(42.0)));
    assert!(findrisc.score(&extra).is_err());
}

#[test]
fn a_second_questionnaire_is_data_only() {
    let qs = builtin::questionnaires().expect("load");
    let pain = qs.iter().find(|q| q.id == "pain").expect("pain");
    let score = |v: f64| pain.score(&[("pain".into(), Given::Number(v))]);
    assert_eq!(score(0.0).expect("s").band.id, "none");
    assert_eq!(score(3.0).expect("s").band.id, "mild");
    assert_eq!(score(4.0).expect("s").band.id, "moderate");
    assert_eq!(score(7.0).expect("s").band.id, "severe");
    assert!(score(11.0).is_err());
    let phq2 = qs.iter().find(|q| q.id == "phq2").expect("phq2");
    let s = phq2
        .score(&[
            ("q1".into(), Given::Choice("1".into())),
            ("q2".into(), Given::Number(2.0)),
        ])
        .expect("scored");
    assert_eq!(
        (s.total, s.band.id.as_str(), s.band.see_doctor),
        (3.0, "positive", true)
    );
}

/// Issue 34: FINDRISC screens people without diabetes. For a patient whose profile says type 2
/// diabetes, the hypertension journey does not ask for it and an answer is declined, with
/// the reason in the record's language; nothing is stored.
#[test]
fn findrisc_is_not_asked_of_nor_scored_for_a_diagnosed_diabetes() {
    let tasks_in_titration = |conditions: &[&str]| -> Vec<String> {
        let dir = tempfile::tempdir().expect("dir");
        let mut profile =
            companion_core::model::Profile::new("Mei", "Europe/Berlin").expect("profile");
        profile.conditions = conditions.iter().map(|c| c.to_string()).collect();
        let mut r = companion_core::HealthRecord::create(
            &dir.path().join("r.db"),
            &keys(&dir.path().join("r.db")),
            &profile,
        )
        .expect("create");
        let now = chrono::Utc::now();
        let begun = (now - Duration::days(20)).fixed_offset();
        let journey = r.start_journey("hypertension-12w", begun).expect("start");
        r.mark_task_done(&journey.id, "read-home-bp", begun + Duration::minutes(5))
            .expect("read");
        // The journey advances each evening, as the phone does.
        for day in 0..20 {
            let readings: Vec<Reading> = [0, 1, 12, 13]
                .iter()
                .map(|h| bp(152, 96, begun + Duration::days(day) + Duration::hours(*h)))
                .collect();
            r.add_readings(&readings).expect("readings");
            r.advance_journeys((begun + Duration::days(day) + Duration::hours(14)).to_utc())
                .expect("advance");
        }
        let today = r.today(now, "Europe/Berlin").expect("today");
        let j = &today.journeys[0];
        assert_eq!(
            j.progress.as_ref().map(|p| p.stage.as_str()),
            Some("titration")
        );
        j.tasks.iter().map(|t| t.id.clone()).collect()
    };
    assert!(tasks_in_titration(&["hypertension"]).contains(&"findrisc".to_string()));
    assert!(
        !tasks_in_titration(&["hypertension", "Type 2 diabetes"]).contains(&"findrisc".to_string())
    );

    let dir = tempfile::tempdir().expect("dir");
    let mut profile = companion_core::model::Profile::new("Mei", "Asia/Shanghai").expect("p");
    profile.conditions = vec!["type_2_diabetes".into()];
    let mut r = companion_core::HealthRecord::create(
        &dir.path().join("r.db"),
        &keys(&dir.path().join("r.db")),
        &profile,
    )
    .expect("create");
    let answers: Vec<(String, Given)> = FINDRISC_LOWEST
        .iter()
        .map(|(k, v)| (k.to_string(), Given::Choice(v.to_string())))
        .collect();
    let refused = r.answer_questionnaire("findrisc", &answers, chrono::Utc::now().fixed_offset());
    assert!(
        matches!(refused, Err(companion_core::Error::QuestionnaireDeclined { ref questionnaire }) if questionnaire == "findrisc"),
        "{refused:?}"
    );
    assert!(r.responses(None).expect("responses").is_empty());
    let findrisc = builtin::questionnaires()
        .expect("load")
        .into_iter()
        .find(|q| q.id == "findrisc")
        .expect("findrisc");
    let reason = findrisc.not_for_reason.expect("a reason");
    assert!(reason.get(Language::SimplifiedChinese).contains("不适用"));
    assert!(reason.get(Language::English).contains("does not apply"));
}
