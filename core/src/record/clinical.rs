//! The record's clinical operations: targets, what a reading means, and urgent alerts.

use chrono::{DateTime, Duration, Utc};

use super::HealthRecord;
use crate::clinical::alerts::Assessment;
use crate::clinical::stats;
use crate::error::{Error, Result};
use crate::model::{Alert, ClinicalTargets, Language, Reading, ReadingKind, ValidationError};
use crate::query::TimeRange;
use crate::report::ReportData;
use crate::store::TARGETS_ID;

/// What storing a reading did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReadingOutcome {
    /// The stored reading's id (an earlier import's, for a duplicate import).
    pub id: String,
    /// True when an identical import was already stored (nothing new was written).
    pub duplicate: bool,
    /// What the reading means.
    pub assessment: Assessment,
    /// The urgent alerts it raised, stored with it in the same transaction.
    pub alerts: Vec<Alert>,
}

impl HealthRecord {
    /// Stores a reading and any urgent alerts it raises, in one transaction, and says what the
    /// reading means: the category and the alerts (with the guideline's advice) to show at once.
    pub fn record_reading(&mut self, reading: &Reading) -> Result<ReadingOutcome> {
        self.store_readings(std::slice::from_ref(reading))?
            .pop()
            .ok_or(Error::Corrupt {
                detail: "a stored reading has no outcome",
            })
    }

    /// The patient's clinical targets: the clinician's, or the defaults for the home zone.
    pub fn targets(&self) -> Result<ClinicalTargets> {
        self.targets_with(&self.profile()?)
    }

    /// The targets, with `profile` already read (for the defaults).
    pub(crate) fn targets_with(&self, profile: &crate::model::Profile) -> Result<ClinicalTargets> {
        targets_in(&self.store, profile)
    }

    /// Sets the clinical targets. `set_by` is required (the patient sees who set them); `set_at`
    /// defaults to now.
    pub fn set_targets(&mut self, targets: &ClinicalTargets) -> Result<()> {
        let mut t = targets.clone();
        if t.set_by.as_deref().is_none_or(|s| s.trim().is_empty()) {
            return Err(ValidationError::Empty { field: "set by" }.into());
        }
        if t.set_at.is_none() {
            t.set_at = Some(crate::clock::now()?.fixed_offset());
        }
        self.store.put(&t)
    }

    /// Changes the clinical targets as committed, inside one write (a clinician's BP target
    /// and another member's glucose target set at the same time both stay), stamped as set by
    /// `by` now; returns them as stored.
    pub fn modify_targets(
        &mut self,
        by: &str,
        edit: impl FnOnce(&mut ClinicalTargets),
    ) -> Result<ClinicalTargets> {
        if by.trim().is_empty() {
            return Err(ValidationError::Empty { field: "set by" }.into());
        }
        let at = crate::clock::now()?.fixed_offset();
        self.store.write(|w| {
            let profile = super::profile_in(w)?;
            let mut targets = targets_in(w, &profile)?;
            edit(&mut targets);
            targets.set_by = Some(by.to_string());
            targets.set_at = Some(at);
            w.put(&targets)?;
            Ok(targets)
        })
    }

    /// Alerts raised by readings taken in `range`, newest first.
    pub fn alerts(&self, range: TimeRange) -> Result<Vec<Alert>> {
        self.in_range(None, range)
    }

    /// Alerts not yet acknowledged, raised by readings taken since `since`.
    pub fn open_alerts(&self, since: DateTime<Utc>) -> Result<Vec<Alert>> {
        let mut list = self.alerts(TimeRange {
            from: Some(since),
            to: None,
        })?;
        list.retain(|a| a.acknowledged_at.is_none() && a.resolved_at.is_none());
        Ok(list)
    }

    /// The alerts every member's home screen shows at `now`, newest first: each until a member
    /// acknowledges it, or until a day after a reading back in range ([`Alert::shown_at`]).
    pub fn alerts_shown(&self, now: DateTime<Utc>) -> Result<Vec<Alert>> {
        // Only those not acknowledged and not back in range for longer than an alert is shown
        // are read (a second early, for the index's whole seconds); the rule itself is here.
        let since = now - Duration::hours(crate::model::SHOWN_AFTER_IN_RANGE_HOURS);
        let mut list = self.store.unseen_alerts(since.timestamp() - 1)?;
        list.retain(|a| a.shown_at(now));
        Ok(list)
    }

    /// Marks an alert seen by `by` now.
    pub fn acknowledge_alert(&mut self, id: &str, by: &str) -> Result<Alert> {
        let now = crate::clock::now()?.fixed_offset();
        self.store.write(|w| {
            w.modify::<Alert>(id, |alert| {
                alert.acknowledged_at = Some(now);
                alert.acknowledged_by = Some(by.to_string());
                Ok(())
            })
        })
    }
}

/// Statistics of a period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stats {
    /// Start of the period.
    pub from: DateTime<Utc>,
    /// End of the period.
    pub to: DateTime<Utc>,
    /// Per kind with readings (blood pressure: the home readings).
    pub summaries: Vec<stats::Summary>,
    /// Blood pressures taken in the office, on their own.
    pub office_bp: Option<stats::Summary>,
    /// The home blood-pressure protocol over the last 7 days measured in the period.
    pub home_bp: Option<stats::HomeBpAverage>,
    /// CGM metrics, from sensor readings only, over the days the sensor was worn.
    pub glucose: Option<crate::clinical::cgm::GlucoseMetrics>,
    /// Fingersticks by meal context, against the patient's targets.
    pub fingersticks: Vec<crate::clinical::fingersticks::ContextSummary>,
}

impl HealthRecord {
    /// The readings taken in `[from, to)`, oldest first.
    fn readings_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Reading>> {
        let (from_ms, to_ms) = TimeRange::between(from, to).millis();
        self.store.entries(&crate::store::Filter {
            from_ms,
            to_ms,
            oldest_first: true,
            ..Default::default()
        })
    }

    /// Statistics of the readings taken in `[from, to)`, local days read in `device_zone`.
    pub fn stats(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        device_zone: &str,
    ) -> Result<Stats> {
        let zone = zone(device_zone)?;
        let readings = self.readings_between(from, to)?;
        let targets = self.targets()?;
        Ok(stats_of(&readings, from, to, &zone, &targets))
    }

    /// The readings of `kind` in `[from, to)` as a chart series of at most `max_points`,
    /// keeping the extremes.
    pub fn series(
        &self,
        kind: ReadingKind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        max_points: usize,
    ) -> Result<Vec<stats::SeriesPoint>> {
        Ok(stats::series(
            &self.readings_between(from, to)?,
            kind,
            max_points,
        ))
    }

    /// The visit report of `[from, to)` as one HTML document, in `language` (default: the
    /// record's), times shown in `device_zone`.
    pub fn report_html(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
        device_zone: &str,
        language: Option<Language>,
    ) -> Result<String> {
        let zone = zone(device_zone)?;
        let profile = self.profile()?;
        let mut entries = self.journal(TimeRange::between(from, to))?;
        entries.reverse();
        let journal: Vec<_> = entries.iter().filter(|e| e.highlight).cloned().collect();
        let mut alerts = self.alerts(TimeRange::between(from, to))?;
        alerts.reverse();
        let targets = self.targets()?;
        let readings = self.readings_between(from, to)?;
        let mut responses = self.responses(None)?;
        responses.retain(|r| (from..to).contains(&r.at.to_utc()));
        responses.reverse();
        let mut appointments = self.appointments(TimeRange::ALL)?;
        appointments.reverse();
        let journeys = self.today(now, device_zone)?.journeys;
        let wound_checks = super::journeys::wound_checks(&self.store, now)?;
        let data = ReportData {
            stats: stats_of(&readings, from, to, &zone, &targets),
            targets,
            from,
            to,
            zone,
            generated: now,
            readings,
            adherence: self.adherence(from, to.min(now), now, device_zone)?,
            medications: self.medications(true)?,
            alerts,
            journal,
            mood: self.mood_curve_in(TimeRange::between(from, to), language)?,
            entries,
            doses: self.doses(None, TimeRange::between(from, to))?,
            responses,
            journeys,
            wound_checks,
            appointments,
            plans: self.measurement_plans()?,
            profile,
        };
        let language = language.unwrap_or(data.profile.language);
        Ok(crate::report::render(&data, language))
    }

    /// Writes the visit report to `path`: to a temporary file beside it, then renamed, so a
    /// failure never leaves half a report.
    pub fn write_report(
        &self,
        path: &std::path::Path,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        device_zone: &str,
        language: Option<Language>,
    ) -> Result<()> {
        self.refuse_own_file(path)?;
        let html = self.report_html(from, to, crate::clock::now()?, device_zone, language)?;
        super::write_output(path, html.as_bytes(), "the report could not be written")
    }
}

fn zone(name: &str) -> Result<crate::zone::Zone> {
    Ok(crate::model::parse_time_zone("device time zone", name)?)
}

/// The targets as `r` reads them (the store, or a write), the defaults for `profile`'s home
/// zone when no clinician set any.
pub(crate) fn targets_in(
    r: &impl crate::store::Read,
    profile: &crate::model::Profile,
) -> Result<ClinicalTargets> {
    Ok(r.get::<ClinicalTargets>(TARGETS_ID)?
        .unwrap_or_else(|| ClinicalTargets::defaults_for(&profile.home_time_zone)))
}

/// The statistics of `readings` (taken in `[from, to)`): home and office blood pressures
/// apart, CGM metrics from sensor readings, fingersticks by meal context.
pub fn stats_of(
    readings: &[Reading],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: &crate::zone::Zone,
    targets: &ClinicalTargets,
) -> Stats {
    let is_office = |r: &Reading| r.setting() == crate::model::BpSetting::Office;
    // Office readings are rare: copy the readings apart only when there are some.
    let (office, home): (Vec<Reading>, std::borrow::Cow<'_, [Reading]>) =
        if readings.iter().any(is_office) {
            let (office, home) = readings.iter().cloned().partition(|r| is_office(r));
            (office, std::borrow::Cow::Owned(home))
        } else {
            (Vec::new(), std::borrow::Cow::Borrowed(readings))
        };
    Stats {
        from,
        to,
        summaries: ReadingKind::ALL
            .iter()
            .filter_map(|k| stats::summarize(*k, &home))
            .collect(),
        office_bp: stats::summarize(ReadingKind::BloodPressure, &office),
        home_bp: stats::home_bp_average(&home, zone, None),
        glucose: crate::clinical::cgm::metrics(readings, from, to),
        fingersticks: crate::clinical::fingersticks::by_context(
            readings,
            from,
            to,
            &targets.glucose,
        ),
    }
}
