//! A block of imported readings: up to [`BLOCK_MAX`] readings of one kind and one month, kept
//! as one entry (one Automerge value, one index row) instead of an entry each, so that an
//! import of years of a meter's data costs a few writes per thousand readings rather than one
//! per reading (docs/storage.md, "Import blocks").
//!
//! A block is written once and never edited. A reading in it is read as any reading is (the
//! store's queries expand blocks); correcting or deleting one writes it as an ordinary reading
//! under the same id, which from then on hides the block's copy.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::reading::{Measurement, Reading, ReadingKind, ReadingSource};
use super::validation::{Validate, ValidationError};

/// The most readings one block holds: a block is read whole when any of its readings is, so
/// it stays small enough for a week's query to read a few (about 60 KB of text at most).
pub const BLOCK_MAX: usize = 512;

/// Imported readings of one kind and one source, oldest first, as one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingBlock {
    /// The entry id: derived from the readings, so that the same block made on two devices is
    /// one entry.
    pub id: String,
    /// The kind of every reading in it.
    pub kind: ReadingKind,
    /// The source every reading in it came from (`ReadingSource::Imported`'s `system`).
    pub system: String,
    /// The time of its first reading.
    #[serde(deserialize_with = "super::rfc3339::deserialize")]
    pub first: DateTime<FixedOffset>,
    /// The time of its last reading.
    #[serde(deserialize_with = "super::rfc3339::deserialize")]
    pub last: DateTime<FixedOffset>,
    /// How many readings it holds.
    pub count: u32,
    /// The readings as a JSON list of [`BlockRow`]s, oldest first (by time, then id): only
    /// what differs from one reading to the next; the rest is the block's or derived.
    pub rows: String,
}

/// One reading of a block: its time, measurement, external id (`None`: its kind, time and
/// value, [`crate::import::content_key`]), entered unit, note and sensor interval. Its id is
/// derived from its source, external id and time ([`super::imported_reading_id`]); a block
/// reading was logged by no one and taken at home.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockRow(
    #[serde(deserialize_with = "super::rfc3339::deserialize")] pub DateTime<FixedOffset>,
    pub Measurement,
    pub Option<String>,
    pub Option<String>,
    pub Option<String>,
    pub Option<u16>,
);

/// A block that does not hold what it says.
fn bad(reason: &'static str) -> ValidationError {
    ValidationError::Invalid {
        field: "reading block",
        reason,
    }
}

impl BlockRow {
    /// The row of `reading`, imported from `system` under its source's own id (`own_id`) or
    /// under its kind, time and value; `None` for a reading a block cannot hold (not imported
    /// from `system`, logged by someone, taken in the office).
    pub fn of(system: &str, reading: &Reading, own_id: bool) -> Option<Self> {
        let ReadingSource::Imported {
            system: from,
            external_id,
        } = &reading.source
        else {
            return None;
        };
        if from != system || reading.logged_by.is_some() || reading.setting.is_some() {
            return None;
        }
        Some(Self(
            reading.at,
            reading.measurement.clone(),
            own_id.then(|| external_id.clone()),
            reading.entered_unit.clone(),
            reading.note.clone(),
            reading.sensor_interval_minutes,
        ))
    }

    /// The reading this row of a block of `system` is, with its id.
    pub fn reading(self, system: &str) -> Reading {
        let Self(at, measurement, external, entered_unit, note, sensor) = self;
        let external_id = external
            .unwrap_or_else(|| crate::import::content_key(measurement.kind(), at, &measurement));
        let key = format!("{system}\u{1f}{external_id}");
        Reading {
            id: super::imported_reading_id(at.timestamp_millis(), &key),
            measurement,
            at,
            entered_unit,
            source: ReadingSource::Imported {
                system: system.to_string(),
                external_id,
            },
            note,
            logged_by: None,
            setting: None,
            sensor_interval_minutes: sensor,
        }
    }
}

impl ReadingBlock {
    /// The block of `readings`, all of `kind`, imported from `system` and already validated,
    /// in any order, each with whether its external id is its source's own ([`BlockRow::of`]).
    /// `None` when there are none, or one a block cannot hold.
    pub fn of(kind: ReadingKind, system: &str, readings: &mut [(Reading, bool)]) -> Option<Self> {
        readings.sort_by(|(a, _), (b, _)| {
            (a.at.timestamp_millis(), &a.id).cmp(&(b.at.timestamp_millis(), &b.id))
        });
        let (first, last) = (readings.first()?.0.at, readings.last()?.0.at);
        let rows = readings
            .iter()
            .map(|(r, own)| BlockRow::of(system, r, *own).filter(|_| r.measurement.kind() == kind))
            .collect::<Option<Vec<_>>>()?;
        let text = serde_json::to_string(&rows).ok()?;
        Some(Self {
            id: super::derived_id(&["reading-block", kind.as_str(), system, &text]),
            kind,
            system: system.to_string(),
            first,
            last,
            count: u32::try_from(readings.len()).ok()?,
            rows: text,
        })
    }

    /// The readings, each checked: valid, of the block's kind, within its span, each id once,
    /// as many as it says. What a block from another replica must pass to be read.
    pub fn decode(&self) -> Result<Vec<Reading>, ValidationError> {
        decode_rows(self, &self.rows)
    }
}

/// The readings of `rows`, the row list of `block` (its own, or the same text read in place
/// from its index row), checked as [`ReadingBlock::decode`] says.
pub fn decode_rows(block: &ReadingBlock, rows: &str) -> Result<Vec<Reading>, ValidationError> {
    let rows: Vec<BlockRow> = serde_json::from_str(rows).map_err(|_| bad("does not decode"))?;
    if rows.len() != block.count as usize {
        return Err(bad("holds another number of readings than it says"));
    }
    let (first, last) = (
        block.first.timestamp_millis(),
        block.last.timestamp_millis(),
    );
    let mut ids = HashSet::with_capacity(rows.len());
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let r = row.reading(&block.system);
        r.validate()?;
        let at = r.at.timestamp_millis();
        if r.measurement.kind() != block.kind || at < first || at > last {
            return Err(bad("holds a reading it may not"));
        }
        if !ids.insert(r.id.clone()) {
            return Err(bad("holds a reading it may not"));
        }
        out.push(r);
    }
    Ok(out)
}

impl Validate for ReadingBlock {
    /// What can be checked without reading the readings ([`ReadingBlock::decode`] checks
    /// them): a block made by [`ReadingBlock::of`] from validated readings passes.
    fn validate(&self) -> Result<(), ValidationError> {
        super::validation::check_not_empty("id", &self.id)?;
        super::validation::check_not_empty("system", &self.system)?;
        if self.count == 0 || self.count as usize > BLOCK_MAX {
            return Err(bad("holds too many readings or none"));
        }
        if self.first > self.last || !self.rows.starts_with('[') {
            return Err(bad("is not a list of readings"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imported(at: &str, systolic: u16) -> (Reading, bool) {
        let at = DateTime::parse_from_rfc3339(at).expect("time");
        let row = BlockRow(
            at,
            Measurement::BloodPressure {
                systolic,
                diastolic: 80,
                pulse: None,
            },
            (systolic % 2 == 0).then(|| format!("omron-{systolic}")),
            None,
            Some("after a walk".into()),
            None,
        );
        let own = row.2.is_some();
        (row.reading("csv"), own)
    }

    #[test]
    fn a_block_holds_its_readings_in_order_and_checks_them() {
        let mut readings = vec![
            imported("2026-11-02T08:00:00+01:00", 131),
            imported("2026-11-01T08:00:00+01:00", 130),
        ];
        let block =
            ReadingBlock::of(ReadingKind::BloodPressure, "csv", &mut readings).expect("block");
        assert!(block.validate().is_ok());
        let back = block.decode().expect("decode");
        // Each reading comes back whole, its id and source included.
        let expected: Vec<Reading> = readings.iter().map(|(r, _)| r.clone()).collect();
        assert_eq!(back, expected);
        assert!(back[0].at < back[1].at);
        assert_eq!(block.first, back[0].at);
        // The same readings make the same block on another device.
        let mut again = vec![
            imported("2026-11-01T08:00:00+01:00", 130),
            imported("2026-11-02T08:00:00+01:00", 131),
        ];
        assert_eq!(
            ReadingBlock::of(ReadingKind::BloodPressure, "csv", &mut again),
            Some(block.clone())
        );

        let mut wrong_kind = block.clone();
        wrong_kind.kind = ReadingKind::Glucose;
        assert!(wrong_kind.decode().is_err());
        let mut wrong_count = block.clone();
        wrong_count.count = 3;
        assert!(wrong_count.decode().is_err());
        let mut late = block.clone();
        late.last = late.first;
        assert!(late.decode().is_err(), "a reading after the block's span");
        // Only readings imported from the block's source, of its kind, taken at home.
        let mut manual = readings.clone();
        manual[0].0.source = ReadingSource::Manual;
        assert!(ReadingBlock::of(ReadingKind::BloodPressure, "csv", &mut manual).is_none());
        assert!(ReadingBlock::of(ReadingKind::BloodPressure, "hk", &mut readings).is_none());
        assert!(ReadingBlock::of(ReadingKind::Glucose, "csv", &mut readings).is_none());
        let mut office = readings.clone();
        office[0].0.setting = Some(crate::model::BpSetting::Office);
        assert!(ReadingBlock::of(ReadingKind::BloodPressure, "csv", &mut office).is_none());
        assert!(ReadingBlock::of(ReadingKind::BloodPressure, "csv", &mut []).is_none());
    }
}
