//! Reads what the patient list and the patient page show from the device's records.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use companion_core::device::Device;
use companion_core::keystore::RecordKeys;
use companion_core::{HealthRecord, ReadingQuery, TimeRange};

use crate::error::{ClinicError, Result};
use crate::row::{PatientRow, RowInputs, URGENT_DAYS, row};

/// The periods the list offers, in days.
pub const PERIODS: [u32; 4] = [7, 14, 30, 90];

/// The row of the patient whose record is open, over the `days` before `now`.
pub fn patient_row(record: &HealthRecord, days: u32, now: DateTime<Utc>) -> Result<PatientRow> {
    let profile = record.profile()?;
    let zone = profile.home_time_zone.clone();
    let from = now - Duration::days(i64::from(days));
    let targets = record.targets()?;
    let stats = record.stats(from, now, &zone)?;
    let adherence = record.adherence(from, now, now, &zone)?;
    let latest = record.readings(&ReadingQuery {
        limit: Some(1),
        ..Default::default()
    })?;
    let last_reading = latest.readings.first().map(|r| r.at.to_utc());
    // Open alerts whenever raised (an alert left open two months ago is still open), and
    // every alert of the period or the last 7 days.
    let alerts_from = from.min(now - Duration::days(URGENT_DAYS));
    let mut alerts = record.open_alerts(chrono::DateTime::<Utc>::MIN_UTC)?;
    alerts.retain(|a| a.at.to_utc() < alerts_from);
    alerts.extend(record.alerts(TimeRange::between(alerts_from, now + Duration::days(1)))?);
    let today = record.today(now, &zone)?;
    Ok(row(RowInputs {
        id: record.id(),
        profile: &profile,
        targets: &targets,
        stats: &stats,
        adherence: &adherence,
        last_reading,
        alerts: &alerts,
        journeys: &today.journeys,
        next_appointment: today.next_appointment.as_ref(),
        now,
    }))
}

/// The device's records by id: where each file is and its keys, read once (a list over
/// hundreds of records opens each file once; a patient page opens one).
#[derive(Default)]
pub struct Records {
    by_id: HashMap<String, (PathBuf, RecordKeys)>,
}

impl Records {
    /// Opens every record file of `device` once, calling `each` with the open record; learns
    /// each record's id. A file that cannot be opened is skipped and counted in the result.
    pub fn scan(&mut self, device: &Device, mut each: impl FnMut(&HealthRecord)) -> Result<usize> {
        let mut by_id = HashMap::new();
        let mut unreadable = 0;
        for (path, keys) in device.record_files()? {
            match HealthRecord::open(&path, &keys) {
                Ok(record) => {
                    each(&record);
                    by_id.insert(record.id().to_string(), (path, keys));
                }
                Err(_) => unreadable += 1,
            }
        }
        self.by_id = by_id;
        Ok(unreadable)
    }

    /// Opens record `id` (its full id, as the list gives it; never a prefix or a name),
    /// scanning the device again when the id is not known yet (a record joined since).
    pub fn open(&mut self, device: &Device, id: &str) -> Result<HealthRecord> {
        if !self.by_id.contains_key(id) {
            self.scan(device, |_| {})?;
        }
        let (path, keys) = self.by_id.get(id).ok_or(ClinicError::NoSuchPatient)?;
        let record = HealthRecord::open(path, keys)?;
        if record.id() != id {
            return Err(ClinicError::NoSuchPatient);
        }
        Ok(record)
    }
}

/// The rows of every record of the device over the `days` before `now`, and how many records
/// could not be read (they are left out, and the list says so).
pub fn patient_rows(
    records: &mut Records,
    device: &Device,
    days: u32,
    now: DateTime<Utc>,
) -> Result<(Vec<PatientRow>, usize)> {
    let mut rows = Vec::new();
    let mut failed = 0;
    let unreadable = records.scan(device, |record| match patient_row(record, days, now) {
        Ok(row) => rows.push(row),
        Err(_) => failed += 1,
    })?;
    Ok((rows, unreadable + failed))
}
