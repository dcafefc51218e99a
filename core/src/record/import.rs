//! [`HealthRecord::import_readings`]: readings from another source, all or nothing.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::{HealthRecord, Importing, entries_in, store_readings_in};
use crate::error::{Error, Result};
use crate::import::{ImportReport, Sample, content_key};
use crate::model::Reading;
use crate::query::TimeRange;

/// How many samples an import reads, checks and writes at a time: what it holds in memory.
const CHUNK: usize = 2_000;

impl HealthRecord {
    /// Imports `samples` (a file's readings, or a platform's health store's) at `now`, all or
    /// nothing, in one transaction: a bad sample refuses the import with
    /// [`Error::Batch`] naming its position; a sample the record already holds (by its
    /// source's id, or by kind, time and value) is counted and not added again; the alerts of
    /// readings taken a day or more before `now` are stored as already seen
    /// ([`crate::import`]). `progress` is told how many samples were read so far.
    pub fn import_readings(
        &mut self,
        samples: &[Sample],
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportReport> {
        self.import_from(&mut samples.iter().cloned().map(Ok), now, progress)
    }

    /// [`Self::import_readings`] for samples read as the import goes (a file streamed): the
    /// samples are taken [`CHUNK`] at a time, so memory does not grow with the file. An `Err`
    /// from `samples` (a row the reader cannot read) refuses the whole import with that error,
    /// as a bad sample does; nothing is written.
    pub fn import_from(
        &mut self,
        samples: &mut dyn Iterator<Item = Result<Sample>>,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportReport> {
        self.store.write(|w| {
            let mut report = ImportReport::default();
            let mut read = 0usize;
            loop {
                let mut readings = Vec::with_capacity(CHUNK);
                for s in (&mut *samples).take(CHUNK) {
                    let r = s.and_then(|s| crate::import::reading(&s).map_err(Error::from));
                    readings.push(r.map_err(|e| e.in_batch(read))?);
                    read += 1;
                }
                if readings.is_empty() {
                    break;
                }
                import_chunk(w, readings, now, &mut report)?;
                // What this chunk wrote goes to the documents and the index now (still inside
                // the one transaction): the next chunk's duplicates are found there.
                w.flush()?;
                progress(read as u64);
            }
            Ok(report)
        })
    }
}

/// Imports one chunk of readings inside the write `w`: those the record holds (earlier chunks
/// included: they were flushed), or an earlier row of the chunk held, are counted as
/// duplicates; the others stored with their alerts.
fn import_chunk(
    w: &mut crate::store::Writer<'_>,
    readings: Vec<Reading>,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<()> {
    let Some(first) = readings.iter().map(|r| r.at.to_utc()).min() else {
        return Ok(());
    };
    let last = readings
        .iter()
        .map(|r| r.at.to_utc())
        .max()
        .unwrap_or(first);
    // What the record holds over the chunk's span, by kind, time and value: a reading typed by
    // hand is not added again from a meter's file.
    let span = TimeRange::between(first, last + Duration::milliseconds(1));
    let held: HashSet<String> = entries_in::<Reading>(w, None, span)?
        .iter()
        .map(|r| content_key(r.measurement.kind(), r.at, &r.measurement))
        .collect();
    let mut seen = HashSet::new();
    let mut fresh = Vec::with_capacity(readings.len());
    for r in readings {
        let key = content_key(r.measurement.kind(), r.at, &r.measurement);
        if held.contains(&key) || !seen.insert(key) {
            report.duplicates += 1;
        } else {
            fresh.push(r);
        }
    }
    let mut importing = Importing {
        now,
        progress: &mut |_| {},
    };
    for o in store_readings_in(w, &fresh, Some(&mut importing))? {
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
    Ok(())
}
