//! [`HealthRecord::import_readings`]: readings from another source, all or nothing.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::{HealthRecord, entries_in};
use crate::crdt::DocId;
use crate::error::{Error, Result};
use crate::import::{ImportReport, Sample, content_key};
use crate::model::{BLOCK_MAX, Reading, ReadingBlock, ReadingKind};
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

/// Imports one chunk of readings inside the write `w`: those the record holds over the
/// chunk's span (by their source's id, or by kind, time and value; earlier chunks included:
/// they were flushed), or an earlier row of the chunk held, are counted as duplicates; the
/// others are stored as import blocks ([`ReadingBlock`], one per kind and month, at most
/// [`BLOCK_MAX`] readings each), with their alerts.
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
    // What the record holds over the chunk's span: a reading typed by hand is not added again
    // from a meter's file, nor one imported before under its source's id.
    let span = TimeRange::between(first, last + Duration::milliseconds(1));
    let mut held: HashSet<String> = HashSet::new();
    for r in entries_in::<Reading>(w, None, span)? {
        held.insert(content_key(r.measurement.kind(), r.at, &r.measurement));
        if let Some(key) = r.external_key() {
            held.insert(key);
        }
    }
    // Imported readings with entries of their own, deleted ones among them: a reading deleted
    // after an import is not imported again.
    let own = w.imported_ids_between(first.timestamp_millis(), last.timestamp_millis())?;
    let mut fresh = Vec::with_capacity(readings.len());
    for mut r in readings {
        let key = content_key(r.measurement.kind(), r.at, &r.measurement);
        let external = r.external_key();
        let known = held.contains(&key) || external.as_ref().is_some_and(|e| held.contains(e));
        if known || !held.insert(key) {
            report.duplicates += 1;
            continue;
        }
        if let Some(external) = external {
            // The id holds the reading's time and comes from its source and external id: the
            // same import on two devices is one reading after a merge, and the store finds a
            // reading in its block by its id.
            r.id = crate::model::imported_reading_id(r.at.timestamp_millis(), &external);
            held.insert(external);
            if own.contains(&r.id) {
                report.duplicates += 1;
                continue;
            }
        }
        fresh.push(r);
    }
    let profile = super::profile_in(w)?;
    let targets = crate::record::clinical::targets_in(w, &profile)?;
    let mut raised = Vec::new();
    for r in &fresh {
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
    for alert in super::follow_up_alerts(w, &fresh, raised, &targets)? {
        if alert.acknowledged_by.as_deref() == Some(crate::import::IMPORTED_BY) {
            report.history_alerts += 1;
        } else {
            report.alerts += 1;
        }
    }
    report.added += fresh.len() as u64;
    // One block per kind and month, oldest first.
    let mut groups: BTreeMap<(DocId, ReadingKind), Vec<Reading>> = BTreeMap::new();
    for r in fresh {
        groups
            .entry((DocId::imports_for(r.at.to_utc()), r.measurement.kind()))
            .or_default()
            .push(r);
    }
    for ((_, kind), mut group) in groups {
        group.sort_by_key(|r| r.at.timestamp_millis());
        for part in group.chunks_mut(BLOCK_MAX) {
            if let Some(block) = ReadingBlock::of(kind, part) {
                w.insert(&block)?;
            }
        }
    }
    Ok(())
}
