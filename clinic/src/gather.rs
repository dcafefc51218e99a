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

/// How long a patient's row is reused while its record file is unchanged: the list's figures
/// also move with the clock (days since the last data, doses falling due, the 7-day window).
pub const ROW_FRESH: Duration = Duration::seconds(60);

/// What identifies a version of a record file: its length and modification time (every
/// committed write changes the file itself; the record's journal is not kept in a WAL).
type Stamp = (u64, Option<std::time::SystemTime>);

fn stamp(path: &std::path::Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()))
}

struct Cached {
    stamp: Stamp,
    days: u32,
    at: DateTime<Utc>,
    row: PatientRow,
}

/// The device's records by id (where each file is and its keys) and the rows last computed
/// from them: a list over hundreds of records opens and computes only the records written
/// since the last one (or the rows older than [`ROW_FRESH`]); a patient page opens one.
#[derive(Default)]
pub struct Records {
    by_id: HashMap<String, (PathBuf, RecordKeys)>,
    rows: HashMap<PathBuf, Cached>,
}

impl Records {
    /// Opens every record file of `device` once and learns each record's id. A file that
    /// cannot be opened is skipped and counted in the result.
    pub fn scan(&mut self, device: &Device) -> Result<usize> {
        let mut by_id = HashMap::new();
        let mut unreadable = 0;
        for (path, keys) in device.record_files()? {
            match HealthRecord::open(&path, &keys) {
                Ok(record) => {
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
            self.scan(device)?;
        }
        let (path, keys) = self.by_id.get(id).ok_or(ClinicError::NoSuchPatient)?;
        let record = HealthRecord::open(path, keys)?;
        if record.id() != id {
            return Err(ClinicError::NoSuchPatient);
        }
        Ok(record)
    }
}

/// The row of the record file at `path`, opened with `keys`.
fn row_of(
    path: &std::path::Path,
    keys: &RecordKeys,
    days: u32,
    now: DateTime<Utc>,
) -> Result<PatientRow> {
    let record = HealthRecord::open(path, keys)?;
    patient_row(&record, days, now)
}

/// The rows of every record of the device over the `days` before `now`, and how many records
/// could not be read (they are left out, and the list says so). Records unchanged since their
/// row was computed, less than [`ROW_FRESH`] ago for the same period, are not opened; the
/// others are computed on every core of the machine.
pub fn patient_rows(
    records: &mut Records,
    device: &Device,
    days: u32,
    now: DateTime<Utc>,
) -> Result<(Vec<PatientRow>, usize)> {
    let files = device.record_files()?;
    let mut rows = Vec::new();
    let mut todo = Vec::new();
    for (path, keys) in &files {
        let now_stamp = stamp(path);
        match (records.rows.get(path), now_stamp) {
            (Some(c), Some(st)) if c.stamp == st && c.days == days && now - c.at < ROW_FRESH => {
                rows.push(c.row.clone());
            }
            _ => todo.push((path, keys, now_stamp)),
        }
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, todo.len().max(1));
    let chunk = todo.len().div_ceil(threads).max(1);
    let mut failed = 0;
    let computed: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> = todo
            .chunks(chunk)
            .map(|part| {
                let worker = scope.spawn(move || {
                    part.iter()
                        .map(|(path, keys, st)| (*path, *keys, *st, row_of(path, keys, days, now)))
                        .collect::<Vec<_>>()
                });
                (part.len(), worker)
            })
            .collect();
        let mut computed = Vec::new();
        for (len, worker) in workers {
            match worker.join() {
                Ok(part) => computed.extend(part),
                // A worker that failed leaves its records out, counted as unreadable.
                Err(_) => failed += len,
            }
        }
        computed
    });
    for (path, keys, st, row) in computed {
        match row {
            Ok(row) => {
                records
                    .by_id
                    .insert(row.id.clone(), (path.clone(), keys.clone()));
                if let Some(st) = st {
                    records.rows.insert(
                        path.clone(),
                        Cached {
                            stamp: st,
                            days,
                            at: now,
                            row: row.clone(),
                        },
                    );
                }
                rows.push(row);
            }
            Err(_) => {
                records.rows.remove(path);
                failed += 1;
            }
        }
    }
    // Rows of files that are gone (a record forgotten) are dropped.
    records
        .rows
        .retain(|path, _| files.iter().any(|(p, _)| p == path));
    Ok((rows, failed))
}
