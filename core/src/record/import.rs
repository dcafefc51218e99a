//! [`HealthRecord::import_readings`]: readings from another source, all or nothing.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::{HealthRecord, entries_in};
use crate::crdt::DocId;
use crate::error::{Error, Result};
use crate::import::{ImportReport, Sample, same_reading};
use crate::model::{BLOCK_MAX, Reading, ReadingBlock, ReadingKind, ReadingSource};
use crate::query::TimeRange;

/// How many samples an import reads, checks and writes at a time: what it holds in memory.
const CHUNK: usize = 2_000;

/// The fewest readings of one kind, source and month a chunk keeps as an import block; fewer
/// are written as entries of their own.
const BLOCK_MIN: usize = 8;

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
                    let r = s.and_then(|s| {
                        let own_id = s.external_id.is_some();
                        Ok((crate::import::reading(&s)?, own_id))
                    });
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

/// Imports one chunk of readings (made by [`crate::import::reading`], with their ids) inside
/// the write `w`: those the record holds over the chunk's span (by kind, time and value, or by
/// their source's id; earlier chunks included: they were flushed), those deleted after an
/// earlier import, and those an earlier row of the chunk held, are counted as duplicates; the
/// others are stored as import blocks ([`ReadingBlock`], one per kind, source and month, at
/// most [`BLOCK_MAX`] readings each; fewer than [`BLOCK_MIN`] as entries of their own), with
/// their alerts.
fn import_chunk(
    w: &mut crate::store::Writer<'_>,
    readings: Vec<(Reading, bool)>,
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<()> {
    let Some(first) = readings.iter().map(|(r, _)| r.at.to_utc()).min() else {
        return Ok(());
    };
    let last = readings
        .iter()
        .map(|(r, _)| r.at.to_utc())
        .max()
        .unwrap_or(first);
    // What the record holds over the chunk's span: a reading typed by hand is not added again
    // from a meter's file, nor one imported before under its source's id.
    let span = TimeRange::between(first, last + Duration::milliseconds(1));
    let mut same = HashSet::new();
    let mut keys = HashSet::new();
    for r in entries_in::<Reading>(w, None, span)? {
        same.insert(same_reading(&r));
        keys.extend(r.external_key());
    }
    // Imported readings with entries of their own, deleted ones among them: a reading deleted
    // after an import is not imported again.
    let own = w.imported_ids_between(first.timestamp_millis(), last.timestamp_millis())?;
    let mut fresh = Vec::with_capacity(readings.len());
    for (r, own_id) in readings {
        // An external id that is the content key is already known by kind, time and value.
        let new_key = !own_id || r.external_key().is_none_or(|k| keys.insert(k));
        let duplicate =
            !same.insert(same_reading(&r)) || !new_key || (!own.is_empty() && own.contains(&r.id));
        if duplicate {
            report.duplicates += 1;
        } else {
            fresh.push((r, own_id));
        }
    }
    let profile = super::profile_in(w)?;
    let targets = crate::record::clinical::targets_in(w, &profile)?;
    let mut raised = Vec::new();
    for (r, _) in &fresh {
        let mut alerts = crate::clinical::alerts::alerts_for(r, &targets);
        if crate::import::is_history(r.at, now) {
            // History: stored as seen by the import, so that it notifies no one today.
            for alert in &mut alerts {
                alert.acknowledged_at = Some(now.fixed_offset());
                alert.acknowledged_by = Some(crate::import::IMPORTED_BY.to_string());
            }
        }
        raised.extend(alerts);
    }
    let stored: Vec<&Reading> = fresh.iter().map(|(r, _)| r).collect();
    for alert in super::follow_up_alerts(w, &stored, raised, &targets)? {
        if alert.acknowledged_by.as_deref() == Some(crate::import::IMPORTED_BY) {
            report.history_alerts += 1;
        } else {
            report.alerts += 1;
        }
    }
    report.added += fresh.len() as u64;
    // One block per kind, source and month, oldest first.
    let mut groups: BTreeMap<(DocId, ReadingKind, String), Vec<(Reading, bool)>> = BTreeMap::new();
    for (r, own_id) in fresh {
        let system = match &r.source {
            ReadingSource::Imported { system, .. } => system.clone(),
            _ => String::new(),
        };
        groups
            .entry((
                DocId::imports_for(r.at.to_utc()),
                r.measurement.kind(),
                system,
            ))
            .or_default()
            .push((r, own_id));
    }
    for ((_, kind, system), mut group) in groups {
        if group.len() < BLOCK_MIN {
            // A few readings (a phone's hourly sync) are entries of their own: a block of one
            // would cost each query that meets it a block's reads.
            for (r, _) in &group {
                w.insert(r)?;
            }
            continue;
        }
        group.sort_by_key(|(r, _)| r.at.timestamp_millis());
        for part in group.chunks_mut(BLOCK_MAX) {
            let Some(block) = ReadingBlock::of(kind, &system, part) else {
                return Err(Error::Corrupt {
                    detail: "an imported reading cannot be kept in an import block",
                });
            };
            w.insert(&block)?;
        }
    }
    Ok(())
}
