//! Human-readable lines for the terminal. Values are shown in the patient's preferred units,
//! rounded only here (docs/clinical-sources.md: mmol/L to one decimal, mg/dL to a whole number).

use chrono::{DateTime, FixedOffset};
use companion_core::i18n::Texts;
use companion_core::model::{
    DoseEvent, JournalEntry, Measurement, Medication, Profile, Reading, Schedule,
};

/// `2026-11-23 08:05 +01:00`.
pub fn when(at: &DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%d %H:%M %:z").to_string()
}

/// The value of a measurement in the patient's units: `142/91 mmHg, pulse 72`, `6.2 mmol/L`.
pub fn value(m: &Measurement, profile: &Profile) -> String {
    match m {
        Measurement::Glucose { mg_dl, context } => {
            let w = crate::words::words(profile.language);
            w.get(
                "glucose-value",
                &[
                    ("value", profile.units.glucose.format(*mg_dl)),
                    ("context", w.text(&format!("mctx-{}", context.as_str()))),
                ],
            )
        }
        _ => m.format_in(&profile.units),
    }
}

/// The reading kind in words.
pub fn kind_words(m: &Measurement, w: &Texts) -> String {
    w.text(&format!("rkind-{}", m.kind().as_str()))
}

/// One line per reading.
pub fn reading(r: &Reading, profile: &Profile, w: &Texts) -> String {
    let mut line = format!(
        "{}  {:<14} {}",
        when(&r.at),
        kind_words(&r.measurement, w),
        value(&r.measurement, profile)
    );
    if let Some(note) = &r.note {
        line.push_str(&format!("  \"{note}\""));
    }
    line.push_str(&format!("  [{}]", r.id));
    line
}

/// The schedule in words.
pub fn schedule(s: &Schedule, w: &Texts) -> String {
    let times = |t: &[chrono::NaiveTime]| {
        t.iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let days = |d: &[chrono::Weekday]| {
        d.iter()
            .map(|d| w.text(&format!("wday-{}", d.to_string().to_lowercase())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let n = |v: u32| v.to_string();
    match s {
        Schedule::FixedTimes { times: t } => w.get("sched-daily", &[("times", times(t))]),
        Schedule::EveryNHours {
            hours,
            first,
            window,
            from_last_taken,
        } => interval(
            &w.get("sched-hours", &[("n", n(*hours))]),
            *first,
            window.as_ref(),
            *from_last_taken,
            w,
        ),
        Schedule::EveryNMinutes {
            minutes,
            first,
            window,
            from_last_taken,
        } => interval(
            &w.get("sched-minutes", &[("n", n(*minutes))]),
            *first,
            window.as_ref(),
            *from_last_taken,
            w,
        ),
        Schedule::EveryNWeeks {
            weeks,
            days: d,
            times: t,
        } => w.get(
            "sched-every-weeks",
            &[("weeks", n(*weeks)), ("days", days(d)), ("times", times(t))],
        ),
        Schedule::DaysOfMonth { days: d, times: t } => {
            let d: Vec<String> = d.iter().map(|d| d.to_string()).collect();
            w.get(
                "sched-month-days",
                &[("days", d.join(", ")), ("times", times(t))],
            )
        }
        Schedule::Weekdays { days: d, times: t } => w.get(
            "sched-weekdays-at",
            &[("days", days(d)), ("times", times(t))],
        ),
        Schedule::EveryNDays { days: d, times: t } => {
            w.get("sched-every-days", &[("days", n(*d)), ("times", times(t))])
        }
        Schedule::Cyclic {
            on_days,
            off_days,
            times: t,
        } => w.get(
            "sched-cycle",
            &[
                ("on", n(*on_days)),
                ("off", n(*off_days)),
                ("times", times(t)),
            ],
        ),
        Schedule::Tapering { steps } => w.get("sched-taper", &[("n", steps.len().to_string())]),
        Schedule::AsNeeded(limits) => w.get(
            "sched-prn",
            &[
                ("max", n(limits.max_per_day)),
                ("interval", n(limits.min_interval_minutes)),
            ],
        ),
        Schedule::MealRelative {
            meals,
            offset_minutes,
        } => {
            let meals: Vec<String> = meals
                .iter()
                .map(|m| w.text(&format!("meal-{}", format!("{m:?}").to_lowercase())))
                .collect();
            w.get(
                "sched-meal",
                &[
                    ("offset", format!("{offset_minutes:+}")),
                    ("meals", meals.join(", ")),
                ],
            )
        }
        Schedule::AfterDose { offset_minutes, .. } => {
            w.get("sched-after", &[("minutes", offset_minutes.to_string())])
        }
    }
}

/// An interval schedule in words.
fn interval(
    every: &str,
    first: chrono::NaiveTime,
    window: Option<&companion_core::model::DailyWindow>,
    from_last_taken: bool,
    w: &Texts,
) -> String {
    let text = match window {
        Some(win) => w.get(
            "sched-between",
            &[
                ("every", every.to_string()),
                ("start", win.start.format("%H:%M").to_string()),
                ("end", win.end.format("%H:%M").to_string()),
            ],
        ),
        None => w.get(
            "sched-from",
            &[
                ("every", every.to_string()),
                ("first", first.format("%H:%M").to_string()),
            ],
        ),
    };
    if from_last_taken {
        w.get("sched-from-last", &[("schedule", text)])
    } else {
        text
    }
}

/// One line per medication.
pub fn medication(m: &Medication, w: &Texts) -> String {
    let status = w.text(&format!("status-{}", m.status.as_str()));
    format!(
        "{:<16} {:<10} {:<8} {}  [{}]",
        m.name,
        m.dose.to_string(),
        status,
        schedule(&m.schedule, w),
        m.id
    )
}

/// One line per dose event: when, what, for which scheduled time and how late, who logged it.
pub fn dose(d: &DoseEvent, name: &str, w: &Texts) -> String {
    let status = match d.status {
        companion_core::model::DoseStatus::Taken => w.text("today-taken"),
        companion_core::model::DoseStatus::Skipped => w.text("today-skipped"),
        companion_core::model::DoseStatus::Snoozed => w.text("dose-snoozed"),
    };
    let paren = |text: String| format!(" {}", w.get("paren", &[("text", text)]));
    let scheduled = match d.scheduled_at {
        Some(s) if d.status == companion_core::model::DoseStatus::Taken => paren(format!(
            "{} {}{}{}",
            w.text("dose-scheduled"),
            when(&s),
            w.text("list-sep"),
            lateness((d.at.to_utc() - s.to_utc()).num_minutes(), w)
        )),
        Some(s) => paren(format!("{} {}", w.text("dose-scheduled"), when(&s))),
        None if d.status == companion_core::model::DoseStatus::Taken => paren(w.text("dose-extra")),
        None => String::new(),
    };
    let by = d
        .logged_by
        .as_ref()
        .map(|b| format!(" {}", w.get("dose-by", &[("who", b.clone())])))
        .unwrap_or_default();
    format!(
        "{}  {name} {status}{scheduled}{by}  [{}]",
        when(&d.at),
        d.id
    )
}

/// How late a dose was taken, in words: "on time", "25 min late", "10 min early".
pub fn lateness(minutes: i64, w: &Texts) -> String {
    match minutes {
        m if m.abs() < 1 => w.text("dose-on-time"),
        m if m > 0 => w.get("dose-late", &[("minutes", m.to_string())]),
        m => w.get("dose-early", &[("minutes", (-m).to_string())]),
    }
}

/// ", 25 min late, by Ben" for a scheduled dose taken or skipped.
pub fn done_by(d: &companion_core::reminders::ScheduledDose, w: &Texts) -> String {
    let mut text = String::new();
    if let Some(m) = d.minutes_late() {
        text.push_str(&format!(", {}", lateness(m, w)));
    }
    if let Some(by) = d.logged_by() {
        text.push_str(&format!(
            ", {}",
            w.get("dose-by", &[("who", by.to_string())])
        ));
    }
    text
}

/// One line per journal entry.
pub fn journal(e: &JournalEntry, w: &Texts) -> String {
    let mood = e
        .mood
        .map(|m| format!(" {}", w.get("journal-mood", &[("mood", m.to_string())])))
        .unwrap_or_default();
    let symptoms = if e.symptoms.is_empty() {
        String::new()
    } else {
        format!(" [{}]", e.symptoms.join(", "))
    };
    let by = match (e.author, e.logged_by.as_deref()) {
        (Some(companion_core::model::Author::Caregiver), Some(name)) => format!(
            "  {}",
            w.get("journal-by-carer", &[("name", name.to_string())])
        ),
        (Some(companion_core::model::Author::Caregiver), None) => {
            format!("  {}", w.text("journal-by-a-carer"))
        }
        _ => String::new(),
    };
    format!(
        "{}{mood}{symptoms}  {}{by}  [{}]",
        when(&e.at),
        e.text,
        e.id
    )
}

/// One line per tracked supply.
pub fn supply(r: &companion_core::RefillStatus, w: &Texts) -> String {
    let name = format!("{:<16}", r.name);
    if let Some(d) = r.ran_out_on {
        return w.get("supply-out", &[("name", name), ("date", d.to_string())]);
    }
    let when = r.runs_out_on.map_or(w.text("supply-lasts"), |d| {
        w.get("supply-runs-out", &[("date", d.to_string())])
    });
    w.get(
        "supply-left",
        &[
            ("name", name),
            ("left", format!("{:.0}", r.on_hand)),
            ("when", when),
        ],
    )
}

/// A blood-pressure guideline by the name clinicians know it by.
pub fn guideline(g: companion_core::model::BpGuideline) -> &'static str {
    match g {
        companion_core::model::BpGuideline::AccAha2017 => "ACC/AHA 2017",
        companion_core::model::BpGuideline::Esh2023 => "ESH 2023",
    }
}

/// What a reading means, in words; `None` for kinds without a classification.
pub fn assessment(
    a: &companion_core::clinical::alerts::Assessment,
    unit: companion_core::model::units::GlucoseUnit,
    w: &Texts,
) -> Option<String> {
    use companion_core::clinical::alerts::Assessment;
    use companion_core::clinical::glucose::{Hyperglycaemia, Hypoglycaemia, TargetStatus};
    let category = |text: String| w.get("cat-line", &[("category", text)]);
    Some(match a {
        Assessment::BloodPressure(c) => {
            let setting = match c.setting {
                companion_core::model::BpSetting::Home => w.text("cat-home"),
                companion_core::model::BpSetting::Office => w.text("cat-office"),
            };
            category(w.get(
                "cat-bp",
                &[
                    ("category", w.text(&format!("cat-{}", c.category.as_str()))),
                    ("guideline", guideline(c.guideline).to_string()),
                    ("setting", setting),
                ],
            ))
        }
        Assessment::Glucose(c) => {
            let target = w.text(match c.target {
                TargetStatus::Below => "cat-below-target",
                TargetStatus::InTarget => "cat-in-target",
                TargetStatus::Above => "cat-above-target",
            });
            let g = |mg_dl: f64| unit.format(mg_dl);
            let level = |id: &str, t: f64| w.get(id, &[("t", g(t)), ("target", target.clone())]);
            category(match (c.hypoglycaemia, c.hyperglycaemia) {
                (Some(Hypoglycaemia::Level2), _) => level("cat-hypo-2", 54.0),
                (Some(Hypoglycaemia::Level1), _) => level("cat-hypo-1", 70.0),
                _ if c.crisis => level("cat-crisis", 600.0),
                (None, Some(Hyperglycaemia::Level2)) => level("cat-hyper-2", 250.0),
                (None, Some(Hyperglycaemia::Level1)) => level("cat-hyper-1", 180.0),
                (None, None) => target,
            })
        }
        Assessment::Temperature { fever: true, .. } => category(w.text("cat-fever")),
        Assessment::Temperature { news2, .. }
        | Assessment::Spo2 { news2 }
        | Assessment::HeartRate { news2 }
            if *news2 > 0 =>
        {
            w.get("cat-news2", &[("score", news2.to_string())])
        }
        Assessment::Temperature { .. }
        | Assessment::Spo2 { .. }
        | Assessment::HeartRate { .. }
        | Assessment::Unclassified => return None,
    })
}

/// An urgent alert with the value that raised it and its advice, in the record's language
/// and units.
pub fn alert(a: &companion_core::model::Alert, profile: &Profile) -> String {
    let w = crate::words::words(profile.language);
    let t = companion_core::clinical::alerts::render(a, profile.language, &profile.units);
    let value = t
        .value
        .map(|v| w.get("alert-value", &[("value", v)]))
        .unwrap_or_default();
    let urgent = if a.kind.is_urgent() {
        w.text("alert-urgent")
    } else {
        String::new()
    };
    let course = t.course.map(|c| format!("\n  {c}")).unwrap_or_default();
    let line = w.get(
        "alert-line",
        &[
            ("urgent", urgent),
            ("title", t.title),
            ("value", value),
            ("raised", w.get("alert-raised-at", &[("time", when(&a.at))])),
            ("advice", t.advice),
        ],
    );
    let source = w.get(
        "alert-source",
        &[("source", t.source), ("id", a.id.to_string())],
    );
    format!("{line}{course}\n  {source}")
}

/// Alerts as JSON: each stored alert with its `title`, `advice`, `source` and `value` as the
/// record's language and units word them.
pub fn alerts_json(
    alerts: &[companion_core::model::Alert],
    profile: &Profile,
) -> serde_json::Value {
    alerts
        .iter()
        .map(|a| {
            let t = companion_core::clinical::alerts::render(a, profile.language, &profile.units);
            let mut v = serde_json::to_value(a).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("title".into(), t.title.into());
                o.insert("advice".into(), t.advice.into());
                o.insert("source".into(), t.source.into());
                o.insert("value_text".into(), t.value.into());
            }
            v
        })
        .collect()
}
