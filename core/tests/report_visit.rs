//! The visit report says what matters first (issue 34): a summary written from the data (off
//! target, changed since the last visit, needs a decision), the readings flagged, the
//! questionnaires, the plan of care, skip reasons, symptoms and as-needed use, BMI, a glucose
//! chart for fingerstick users, the HbA1c/GMI gap explained, and a recovery section after
//! surgery; in English and Chinese.

mod common;
use common::keys;

use chrono::{Duration, NaiveTime, Utc};
use companion_core::HealthRecord;
use companion_core::journey::Given;
use companion_core::model::{
    Appointment, AsNeededLimits, DoseAmount, DoseEvent, DoseStatus, JournalEntry, Language,
    MealContext, Measurement, Medication, Profile, Reading, Schedule,
};

fn reading(m: Measurement, days_ago: i64, hour: u32) -> Reading {
    let day = (Utc::now() - Duration::days(days_ago)).date_naive();
    let at = day
        .and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("time"))
        .and_utc()
        .min(Utc::now() - Duration::minutes(10));
    Reading::new(m, at.fixed_offset()).expect("reading")
}

fn bp(s: u16, d: u16, days_ago: i64, hour: u32) -> Reading {
    reading(
        Measurement::BloodPressure {
            systolic: s,
            diastolic: d,
            pulse: None,
        },
        days_ago,
        hour,
    )
}

fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                out.push(' ');
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&quot;", "\"")
}

/// A patient with hypertension and type 2 diabetes, 30 days of data.
fn hypertension_and_diabetes(dir: &tempfile::TempDir) -> HealthRecord {
    let mut profile = Profile::new("Ana", "Europe/Berlin").expect("profile");
    profile.conditions = vec!["hypertension".into(), "type 2 diabetes".into()];
    profile.height_cm = Some(165.0);
    let mut r = HealthRecord::create(
        &dir.path().join("r.db"),
        &keys(&dir.path().join("r.db")),
        &profile,
    )
    .expect("create");
    let start = (Utc::now() - Duration::days(30)).date_naive();
    let mut metformin = Medication::new(
        "Metformin",
        DoseAmount::parse("500 mg").expect("dose"),
        Schedule::FixedTimes {
            times: vec![NaiveTime::from_hms_opt(8, 0, 0).expect("time")],
        },
        start,
    )
    .expect("med");
    metformin.recorded_at = None;
    r.add_medication(&metformin).expect("med");
    let paracetamol = Medication::new(
        "Paracetamol",
        DoseAmount::parse("500 mg").expect("dose"),
        Schedule::AsNeeded(AsNeededLimits {
            max_per_day: 4,
            min_interval_minutes: 360,
        }),
        start,
    )
    .expect("med");
    r.add_medication(&paracetamol).expect("med");
    let mut readings = Vec::new();
    for day in 1..29 {
        readings.push(bp(138, 86, day, 6));
        readings.push(bp(134, 84, day, 18));
        readings.push(reading(
            Measurement::Glucose {
                mg_dl: 150.0 + (day % 5) as f64 * 10.0,
                context: MealContext::Fasting,
            },
            day,
            6,
        ));
    }
    readings.push(reading(Measurement::Weight { kg: 78.0 }, 20, 7));
    readings.push(reading(Measurement::Weight { kg: 76.5 }, 2, 7));
    readings.push(reading(Measurement::Temperature { celsius: 38.9 }, 5, 20));
    readings.push(reading(Measurement::HeartRate { bpm: 128 }, 5, 20));
    readings.push(reading(Measurement::Hba1c { percent: 7.1 }, 10, 9));
    r.add_readings(&readings).expect("readings");
    // Doses: taken 6 minutes late (on time by the grace window), one skipped for nausea.
    for day in 3..20 {
        let due = (Utc::now() - Duration::days(day))
            .date_naive()
            .and_time(NaiveTime::from_hms_opt(7, 0, 0).expect("t"))
            .and_utc()
            .fixed_offset();
        let (status, at) = if day == 4 || day == 9 {
            (DoseStatus::Skipped, due)
        } else {
            (DoseStatus::Taken, due + Duration::minutes(6))
        };
        let mut d = DoseEvent::new(&metformin.id, status, at, Some(due)).expect("dose");
        if status == DoseStatus::Skipped {
            d.note = Some("nausea".into());
        }
        r.log_dose(&d).expect("dose");
    }
    for day in [3, 12] {
        let at = (Utc::now() - Duration::days(day)).fixed_offset();
        r.log_dose(&DoseEvent::new(&paracetamol.id, DoseStatus::Taken, at, None).expect("d"))
            .expect("prn");
    }
    let mut entry = JournalEntry::new(
        (Utc::now() - Duration::days(6)).fixed_offset(),
        "Head hurts",
        Some(2),
        vec!["headache".into()],
    )
    .expect("entry");
    entry.highlight = true;
    r.add_journal_entry(&entry).expect("journal");
    r.answer_questionnaire(
        "phq2",
        &[
            ("q1".into(), Given::Choice("2".into())),
            ("q2".into(), Given::Choice("2".into())),
        ],
        (Utc::now() - Duration::days(3)).fixed_offset(),
    )
    .expect("phq2");
    r.add_appointment(
        &Appointment::new(
            (Utc::now() + Duration::days(10)).fixed_offset(),
            "GP check-up",
        )
        .expect("appointment"),
    )
    .expect("appointment");
    r
}

#[test]
fn the_report_opens_with_a_summary_written_from_the_data() {
    let dir = tempfile::tempdir().expect("dir");
    let r = hypertension_and_diabetes(&dir);
    let now = Utc::now();
    let html = r
        .report_html(now - Duration::days(30), now, now, "Europe/Berlin", None)
        .expect("report");
    let text = text_of(&html[html.find("<body>").expect("body")..]);
    // The summary comes first, before the medications.
    let summary = html.find("id=\"summary\"").expect("a summary");
    assert!(summary < html.find("id=\"medications\"").expect("medications"));
    let part = |id: &str| -> String {
        let start = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("{id}"));
        let end = html[start..]
            .find("</section>")
            .map_or(html.len(), |e| start + e);
        text_of(&html[start..end])
    };
    let off = part("sum-off");
    assert!(
        off.contains("Home blood pressure averaged 136/85 mmHg, above the target of 130/80"),
        "{off}"
    );
    assert!(off.contains("HbA1c 7.1 %"), "{off}");
    assert!(off.contains("BMI 28.1 (overweight)"), "{off}");
    assert!(
        off.contains("38.9 °C") && off.contains("128/min"),
        "the flagged vitals: {off}"
    );
    let decide = part("sum-decide");
    assert!(decide.contains("PHQ-2") && decide.contains("4"), "{decide}");
    assert!(
        decide.contains("Metformin skipped 2 time(s), 2 for \"nausea\""),
        "{decide}"
    );
    // The home-BP section calls the average above target.
    assert!(part("bp").contains("above the target"), "{}", part("bp"));
    // The vitals are flagged with why.
    let flags = part("vitals");
    assert!(
        flags.contains("NEWS2 2") && flags.contains("fever"),
        "{flags}"
    );
    // Questionnaires, plan of care, what the patient reported.
    assert!(part("questionnaires").contains("4"));
    let care = part("care");
    assert!(care.contains("Next appointment: GP check-up"), "{care}");
    let reported = part("reported");
    assert!(reported.contains("headache"), "{reported}");
    assert!(reported.contains("\"nausea\" (2)"), "{reported}");
    assert!(
        reported.contains("Paracetamol (as needed): 2 dose(s) on 2 day(s)"),
        "{reported}"
    );
    // BMI beside the weight, and a chart of the fingersticks.
    assert!(part("weight").contains("BMI 28.1"));
    assert!(html.contains("aria-label=\"Fingerstick glucose by meal\""));
    // Doses 6 minutes after their time are on time by the grace window: the count says
    // which window it counts by, so the doses listed do not contradict it.
    let adherence = part("adherence");
    assert!(
        adherence.contains("0 of 15 doses taken more than 60 min after their time"),
        "{adherence}"
    );
    assert!(!text.contains("{"), "an unfilled message: {text}");
    // The caregiver's view in Chinese holds the same summary.
    let zh = r
        .report_html(
            now - Duration::days(30),
            now,
            now,
            "Europe/Berlin",
            Some(Language::SimplifiedChinese),
        )
        .expect("report");
    assert!(zh.contains("概览") && zh.contains("未达标") && zh.contains("需要决定"));
    assert!(text_of(&zh).contains("家庭血压平均 136/85 mmHg，高于目标 130/80 mmHg"));
}

#[test]
fn after_surgery_the_report_shows_pain_wound_checks_and_fever() {
    let dir = tempfile::tempdir().expect("dir");
    let mut profile = Profile::new("王芳", "Asia/Shanghai").expect("profile");
    profile.language = Language::SimplifiedChinese;
    profile.conditions = vec!["recovery_after_surgery".into()];
    let mut r = HealthRecord::create(
        &dir.path().join("s.db"),
        &keys(&dir.path().join("s.db")),
        &profile,
    )
    .expect("create");
    let begun = (Utc::now() - Duration::days(6)).fixed_offset();
    let journey = r
        .start_journey("surgery-recovery-6w", begun)
        .expect("journey");
    for (day, pain, temp) in [(5, "6", 37.2), (3, "4", 38.4), (1, "2", 37.0)] {
        let at = (Utc::now() - Duration::days(day)).fixed_offset();
        r.answer_questionnaire(
            "pain",
            &[("pain".into(), Given::Number(pain.parse().expect("n")))],
            at,
        )
        .expect("pain");
        r.add_reading(&Reading::new(Measurement::Temperature { celsius: temp }, at).expect("t"))
            .expect("temperature");
        r.mark_task_done(&journey.id, "wound-check", at)
            .expect("wound");
    }
    let now = Utc::now();
    let html = r
        .report_html(now - Duration::days(7), now, now, "Asia/Shanghai", None)
        .expect("report");
    let text = text_of(&html);
    assert!(html.contains("id=\"surgery\""), "a recovery section");
    assert!(text.contains("术后康复"));
    assert!(
        text.contains("6/10") && text.contains("4/10") && text.contains("2/10"),
        "{text}"
    );
    assert!(text.contains("伤口检查") && text.contains("3 次"), "{text}");
    assert!(text.contains("38.4 °C （发热）"), "{text}");
    assert!(
        text.contains("术后发热"),
        "the summary asks for a decision: {text}"
    );
    // No empty blood-pressure or glucose section for a surgery patient without such readings.
    assert!(
        !html.contains("id=\"bp\""),
        "no empty blood-pressure section"
    );
    assert!(!html.contains("id=\"glucose\""), "no empty glucose section");
}
