//! [`HealthRecord::import_readings`]: readings from another source, all or nothing.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::{HealthRecord, Importing, entries_in, store_readings_in};
use crate::error::{Error, Result};
use crate::import::{ImportReport, Sample, content_key};
use crate::model::Reading;
use crate::query::TimeRange;

impl HealthRecord {
    /// Imports `samples` (a file's readings, or a platform's health store's) at `now`, all or
    /// nothing, in one transaction: a bad sample refuses the import with
    /// [`Error::Batch`] naming its position; a sample the record already holds (by its
    /// source's id, or by kind, time and value) is counted and not added again; the alerts of
    /// readings taken a day or more before `now` are stored as already seen
    /// ([`crate::import`]). `progress` is told how many samples were stored so far.
    pub fn import_readings(
        &mut self,
        samples: &[Sample],
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportReport> {
        let readings = samples
            .iter()
            .enumerate()
            .map(|(i, s)| crate::import::reading(s).map_err(|e| Error::from(e).in_batch(i)))
            .collect::<Result<Vec<Reading>>>()?;
        let Some(first) = readings.iter().map(|r| r.at.to_utc()).min() else {
            return Ok(ImportReport::default());
        };
        let last = readings
            .iter()
            .map(|r| r.at.to_utc())
            .max()
            .unwrap_or(first);
        self.store.write(|w| {
            // What the record holds over the file's span, by kind, time and value: a reading
            // typed by hand is not added again from a meter's file.
            let span = TimeRange::between(first, last + Duration::milliseconds(1));
            let held: HashSet<String> = entries_in::<Reading>(w, None, span)?
                .iter()
                .map(|r| content_key(r.measurement.kind(), r.at, &r.measurement))
                .collect();
            let mut seen = HashSet::new();
            let mut report = ImportReport::default();
            let mut fresh = Vec::with_capacity(readings.len());
            for r in readings {
                let key = content_key(r.measurement.kind(), r.at, &r.measurement);
                if held.contains(&key) || !seen.insert(key) {
                    report.duplicates += 1;
                } else {
                    fresh.push(r);
                }
            }
            let mut importing = Importing { now, progress };
            let outcomes = store_readings_in(w, &fresh, Some(&mut importing))?;
            for o in &outcomes {
                if o.duplicate {
                    report.duplicates += 1;
                } else {
                    report.added += 1;
                }
                for alert in &o.alerts {
                    if alert.acknowledged_by.as_deref() == Some(crate::import::IMPORTED_BY) {
                        report.history_alerts += 1;
                    } else {
                        report.alerts += 1;
                    }
                }
            }
            (importing.progress)(samples.len() as u64);
            Ok(report)
        })
    }
}
