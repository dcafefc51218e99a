//! The clinician's changes to a patient's plan, as the workspace's forms send them: read from
//! the form's fields into a [`Change`] (pure, refused whole with the field named), then written
//! to the record through the core, which keeps the schedule's history and syncs the change to
//! the patient's phone, where it re-plans the reminders.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use companion_core::HealthRecord;
use companion_core::model::{Appointment, DoseAmount, Medication, Schedule};
use companion_core::zone::Zone;

use crate::error::{ClinicError, Result};

/// One change a clinician makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new dose and/or new times of day for a medication.
    Medication {
        /// The medication.
        id: String,
        /// The new dose, if changed.
        dose: Option<DoseAmount>,
        /// The new times of day, if changed (schedules with times of day only).
        times: Option<Vec<NaiveTime>>,
    },
    /// A new blood-pressure target.
    BpTarget {
        /// Systolic, mmHg.
        systolic: u16,
        /// Diastolic, mmHg.
        diastolic: u16,
    },
    /// A new medication taken every day at fixed times, from `start`.
    AddMedication {
        /// Its name.
        name: String,
        /// Its dose.
        dose: DoseAmount,
        /// Times of day.
        times: Vec<NaiveTime>,
        /// The first day.
        start: NaiveDate,
    },
    /// A journey started today.
    StartJourney {
        /// The template's id.
        template: String,
    },
    /// A follow-up visit, in the patient's home zone.
    FollowUp {
        /// When, local to the patient's home zone.
        at: NaiveDateTime,
        /// What it is.
        title: String,
    },
}

/// The form's fields.
pub type Form = HashMap<String, String>;

fn field<'a>(form: &'a Form, name: &'static str) -> Option<&'a str> {
    form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn required<'a>(form: &'a Form, name: &'static str) -> Result<&'a str> {
    field(form, name).ok_or(ClinicError::BadRequest { field: name })
}

fn times(text: &str) -> Result<Vec<NaiveTime>> {
    let mut times = text
        .split([',', ' '])
        .filter(|t| !t.is_empty())
        .map(|t| NaiveTime::parse_from_str(t, "%H:%M"))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| ClinicError::BadRequest { field: "times" })?;
    times.sort();
    times.dedup();
    if times.is_empty() || times.len() > 24 {
        return Err(ClinicError::BadRequest { field: "times" });
    }
    Ok(times)
}

fn dose(text: &str) -> Result<DoseAmount> {
    DoseAmount::parse(text).map_err(|_| ClinicError::BadRequest { field: "dose" })
}

impl Change {
    /// The medication change the form asks for (`dose`, `times`; at least one).
    pub fn medication(id: &str, form: &Form) -> Result<Self> {
        let dose = field(form, "dose").map(dose).transpose()?;
        let times = field(form, "times").map(times).transpose()?;
        if dose.is_none() && times.is_none() {
            return Err(ClinicError::BadRequest { field: "dose" });
        }
        Ok(Change::Medication {
            id: id.to_string(),
            dose,
            times,
        })
    }

    /// The target the form sets (`systolic`, `diastolic`, mmHg; 90-200 and 50-120).
    pub fn bp_target(form: &Form) -> Result<Self> {
        let number = |name: &'static str, range: std::ops::RangeInclusive<u16>| {
            required(form, name)?
                .parse::<u16>()
                .ok()
                .filter(|v| range.contains(v))
                .ok_or(ClinicError::BadRequest { field: name })
        };
        Ok(Change::BpTarget {
            systolic: number("systolic", 90..=200)?,
            diastolic: number("diastolic", 50..=120)?,
        })
    }

    /// The medication the form adds (`name`, `dose`, `times`, `start` or today in the zone).
    pub fn add_medication(form: &Form, today: NaiveDate) -> Result<Self> {
        let start = match field(form, "start") {
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| ClinicError::BadRequest { field: "start" })?,
            None => today,
        };
        Ok(Change::AddMedication {
            name: required(form, "name")?.to_string(),
            dose: dose(required(form, "dose")?)?,
            times: times(required(form, "times")?)?,
            start,
        })
    }

    /// The journey the form starts (`template`).
    pub fn start_journey(form: &Form) -> Result<Self> {
        Ok(Change::StartJourney {
            template: required(form, "template")?.to_string(),
        })
    }

    /// The follow-up the form books (`at` as a browser's local date-time, `title`).
    pub fn follow_up(form: &Form) -> Result<Self> {
        let at = required(form, "at")?;
        let at = NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M")
            .map_err(|_| ClinicError::BadRequest { field: "at" })?;
        Ok(Change::FollowUp {
            at,
            title: required(form, "title")?.to_string(),
        })
    }

    /// What the access log calls it.
    pub fn what(&self) -> &'static str {
        match self {
            Change::Medication { .. } => "change medication",
            Change::BpTarget { .. } => "change target",
            Change::AddMedication { .. } => "add medication",
            Change::StartJourney { .. } => "start journey",
            Change::FollowUp { .. } => "book follow-up",
        }
    }
}

/// Replaces the times of day of a schedule that has them.
fn with_times(schedule: &mut Schedule, new: Vec<NaiveTime>) -> Result<()> {
    match schedule {
        Schedule::FixedTimes { times }
        | Schedule::Weekdays { times, .. }
        | Schedule::EveryNWeeks { times, .. }
        | Schedule::DaysOfMonth { times, .. }
        | Schedule::EveryNDays { times, .. }
        | Schedule::Cyclic { times, .. } => {
            *times = new;
            Ok(())
        }
        _ => Err(ClinicError::BadRequest { field: "times" }),
    }
}

/// Writes `change` to `record` as staff member `by` at `now`.
pub fn apply(
    record: &mut HealthRecord,
    change: &Change,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let profile = record.profile()?;
    let zone = Zone::named(&profile.home_time_zone).unwrap_or_else(Zone::utc);
    let local_now: DateTime<FixedOffset> = now.with_timezone(&zone).fixed_offset();
    match change {
        Change::Medication { id, dose, times } => {
            let mut refused = None;
            record
                .modify_medication_at(id, now, |m| {
                    if let Some(d) = dose {
                        m.dose = d.clone();
                    }
                    // Decided inside the write: a schedule without times of day is refused,
                    // with the form's field named.
                    if let Some(t) = times
                        && let Err(e) = with_times(&mut m.schedule, t.clone())
                    {
                        refused = Some(e);
                        return Err(companion_core::Error::NotFound {
                            entity: "schedule with times of day",
                        });
                    }
                    Ok(())
                })
                .map_err(|e| refused.take().unwrap_or(ClinicError::Record(e)))?;
        }
        Change::BpTarget {
            systolic,
            diastolic,
        } => {
            // Read and written in one write: a target another member set meanwhile stays.
            record.modify_targets(by, |t| {
                t.bp_target.systolic = *systolic;
                t.bp_target.diastolic = *diastolic;
            })?;
        }
        Change::AddMedication {
            name,
            dose,
            times,
            start,
        } => {
            let mut m = Medication::new(
                name,
                dose.clone(),
                Schedule::FixedTimes {
                    times: times.clone(),
                },
                *start,
            )
            .map_err(|_| ClinicError::BadRequest { field: "name" })?;
            m.prescriber = Some(by.to_string());
            m.recorded_at = Some(now);
            record.add_medication_checked(&m, false)?;
        }
        Change::StartJourney { template } => {
            record.start_journey(template, local_now)?;
        }
        Change::FollowUp { at, title } => {
            let at = zone
                .from_local_datetime(at)
                .earliest()
                .ok_or(ClinicError::BadRequest { field: "at" })?
                .fixed_offset();
            let mut appointment = Appointment::new(at, title)
                .map_err(|_| ClinicError::BadRequest { field: "title" })?;
            appointment.clinician = Some(by.to_string());
            record.add_appointment(&appointment)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forms_read_into_changes_and_bad_fields_are_named() {
        assert_eq!(
            Change::medication("m1", &form(&[("times", "20:00, 08:00")])).expect("times"),
            Change::Medication {
                id: "m1".into(),
                dose: None,
                times: Some(vec![
                    NaiveTime::from_hms_opt(8, 0, 0).expect("t"),
                    NaiveTime::from_hms_opt(20, 0, 0).expect("t")
                ]),
            }
        );
        for (pairs, bad) in [
            (vec![], "dose"),
            (vec![("times", "25:00")], "times"),
            (vec![("dose", "lots")], "dose"),
        ] {
            match Change::medication("m1", &form(&pairs)) {
                Err(ClinicError::BadRequest { field }) => assert_eq!(field, bad),
                other => panic!("{other:?}"),
            }
        }
        match Change::bp_target(&form(&[("systolic", "300"), ("diastolic", "80")])) {
            Err(ClinicError::BadRequest { field }) => assert_eq!(field, "systolic"),
            other => panic!("{other:?}"),
        }
        match Change::follow_up(&form(&[("at", "2026-13-01T10:00"), ("title", "x")])) {
            Err(ClinicError::BadRequest { field }) => assert_eq!(field, "at"),
            other => panic!("{other:?}"),
        }
    }
}
