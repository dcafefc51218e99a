//! The planner looks only as far ahead as its `max` soonest notifications need (issue 33): a
//! plan of `max` must equal the first `max` of a plan that walks the whole horizon. Checked over
//! random medications (fixed times, weekly, every few days, intervals in a window), grace
//! windows, late-dose policies, taken and snoozed doses, zones and instants.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use companion_core::model::{
    DailyWindow, DoseAmount, DoseEvent, DoseStatus, LateDosePolicy, Medication, Profile, Schedule,
};
use companion_core::reminders::{Audience, PlanInput, plan};
use companion_core::zone::Zone;
use proptest::prelude::*;

const ZONES: [&str; 3] = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"];

#[derive(Debug, Clone)]
struct Med {
    kind: u8,
    hours: Vec<u8>,
    minute: u8,
    grace: u16,
    within: Option<u16>,
}

fn med_strategy() -> impl Strategy<Value = Med> {
    (
        0u8..4,
        proptest::collection::vec(0u8..24, 1..4),
        0u8..60,
        prop_oneof![Just(30u16), 0u16..1441],
        proptest::option::of(0u16..1500),
    )
        .prop_map(|(kind, hours, minute, grace, within)| Med {
            kind,
            hours,
            minute,
            grace,
            within,
        })
}

fn medication(i: usize, m: &Med, start: NaiveDate) -> Medication {
    let t = |h: u8, min: u8| {
        NaiveTime::from_hms_opt(u32::from(h), u32::from(min), 0).expect("time of day")
    };
    let mut times: Vec<NaiveTime> = m.hours.iter().map(|h| t(*h, m.minute)).collect();
    times.sort();
    times.dedup();
    let schedule = match m.kind {
        0 => Schedule::FixedTimes { times },
        1 => Schedule::Weekdays {
            days: vec![Weekday::Wed],
            times,
        },
        2 => Schedule::EveryNDays { days: 3, times },
        _ => Schedule::EveryNMinutes {
            minutes: 120,
            first: t(m.hours[0] % 12, 0),
            from_last_taken: false,
            window: Some(DailyWindow {
                start: t(m.hours[0] % 12, 0),
                end: t(m.hours[0] % 12 + 10, 0),
            }),
        },
    };
    let mut med = Medication::new(
        &format!("Med {i}"),
        DoseAmount::parse("1 tablet").expect("dose"),
        schedule,
        start,
    )
    .expect("medication");
    med.grace_minutes = u32::from(m.grace);
    med.late_dose = match m.within {
        Some(minutes) => LateDosePolicy::Within {
            minutes: u32::from(minutes),
        },
        None => LateDosePolicy::HalfInterval,
    };
    med.recorded_at = None;
    med
}

/// The planner's input for the patient's own device: medications and doses only.
fn patient<'a>(
    profile: &'a Profile,
    medications: &'a [Medication],
    doses: &'a [DoseEvent],
) -> PlanInput<'a> {
    PlanInput {
        audience: Audience::Patient,
        profile,
        medications,
        doses,
        refills: &[],
        appointments: &[],
        plans: &[],
        nudges: &[],
        alerts: &[],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_short_plan_is_the_start_of_the_whole_one(
        meds in proptest::collection::vec(med_strategy(), 1..25),
        zone in 0usize..3,
        now_minutes in 0i64..(60 * 24 * 40),
        max in 1usize..90,
        snooze in proptest::option::of((0usize..25, 1i64..6000)),
        taken in proptest::collection::vec((0usize..25, 0i64..48), 0..6),
    ) {
        let zone_name = ZONES[zone];
        let profile = Profile::new("P", zone_name).expect("profile");
        let device = Zone::named(zone_name).expect("zone");
        let start = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let now: DateTime<Utc> =
            "2026-03-01T00:00:00Z".parse::<DateTime<Utc>>().expect("now") + Duration::minutes(now_minutes);
        let medications: Vec<Medication> =
            meds.iter().enumerate().map(|(i, m)| medication(i, m, start)).collect();
        let fixed = |t: DateTime<Utc>| t.with_timezone(&FixedOffset::east_opt(0).expect("utc"));
        // Doses answered or snoozed: the occurrences of the day before now, as the planner sees
        // them in a whole plan.
        let whole = |doses: &[DoseEvent]| {
            let input = patient(&profile, &medications, doses);
            plan(&input, now, &device, Duration::days(14), 100_000)
        };
        let mut doses = Vec::new();
        let planned = whole(&[]);
        let due: Vec<_> = planned.iter().flat_map(|n| n.doses.iter()).collect();
        for (k, hours) in &taken {
            if let Some(d) = due.get(*k) {
                let at = d.scheduled_at + Duration::minutes(*hours);
                if at < now + Duration::days(2) {
                    doses.push(
                        DoseEvent::new(&d.medication_id, DoseStatus::Taken, fixed(at), Some(fixed(d.scheduled_at)))
                            .expect("dose"),
                    );
                }
            }
        }
        if let Some((k, minutes)) = snooze
            && let Some(d) = due.get(k)
        {
            doses.push(
                DoseEvent::snooze(
                    &d.medication_id,
                    fixed(d.scheduled_at),
                    fixed(d.scheduled_at),
                    fixed(d.scheduled_at + Duration::minutes(minutes)),
                )
                .expect("snooze"),
            );
        }
        let input = patient(&profile, &medications, &doses);
        let mut all = plan(&input, now, &device, Duration::days(14), 100_000);
        all.truncate(max);
        let short = plan(&input, now, &device, Duration::days(14), max);
        prop_assert_eq!(short, all);
    }
}

/// A dose snoozed for days has its missed-dose check inside the first look while the dose
/// after it lies beyond: its advice (take it now, or skip it and wait) depends on that next
/// dose, so the planner must not settle for the first look.
#[test]
fn a_missed_check_whose_next_dose_is_far_takes_the_whole_horizon() {
    let profile = Profile::new("P", "UTC").expect("profile");
    let device = Zone::named("UTC").expect("zone");
    let start = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    let mut med = Medication::new(
        "Weekly",
        DoseAmount::parse("1 tablet").expect("dose"),
        Schedule::Weekdays {
            days: vec![Weekday::Wed],
            times: vec![NaiveTime::from_hms_opt(8, 0, 0).expect("time")],
        },
        start,
    )
    .expect("medication");
    med.grace_minutes = 24 * 60;
    med.recorded_at = None;
    let fixed = |t: &str| DateTime::parse_from_rfc3339(t).expect("time");
    // Due Wednesday 4 March 08:00, snoozed to Friday 22:00: due again then, and checked a day
    // later, 3 days 14 hours late, more than half the 7 days to the next dose on 11 March.
    let snooze = DoseEvent::snooze(
        &med.id,
        fixed("2026-03-04T08:00:00Z"),
        fixed("2026-03-04T08:00:00Z"),
        fixed("2026-03-06T22:00:00Z"),
    )
    .expect("snooze");
    let now: DateTime<Utc> = "2026-03-06T07:00:00Z".parse().expect("now");
    let medications = [med];
    let doses = [snooze];
    let input = patient(&profile, &medications, &doses);
    let mut all = plan(&input, now, &device, Duration::days(14), 100);
    all.truncate(2);
    let short = plan(&input, now, &device, Duration::days(14), 2);
    assert_eq!(short, all);
    assert!(
        short[1].body.contains("Skip this dose"),
        "3 days 14 hours late with the next dose 7 days after it: skip and wait, not {:?}",
        short[1].body
    );
}
