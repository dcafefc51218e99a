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

use super::reading::{BpSetting, Reading, ReadingKind};
use super::validation::{Validate, ValidationError};

/// The most readings one block holds: a block is read whole when any of its readings is, so
/// it stays small enough for a week's query to read a few (about 150 KB of text at most).
pub const BLOCK_MAX: usize = 512;

/// Imported readings of one kind, oldest first, as one entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingBlock {
    /// The entry id: derived from the readings, so that the same block made on two devices is
    /// one entry.
    pub id: String,
    /// The kind of every reading in it.
    pub kind: ReadingKind,
    /// The time of its first reading.
    #[serde(deserialize_with = "super::rfc3339::deserialize")]
    pub first: DateTime<FixedOffset>,
    /// The time of its last reading.
    #[serde(deserialize_with = "super::rfc3339::deserialize")]
    pub last: DateTime<FixedOffset>,
    /// How many readings it holds.
    pub count: u32,
    /// The readings, as a JSON list of their stored form, oldest first (by time, then id).
    pub readings: String,
}

/// A block that does not hold what it says.
fn bad(reason: &'static str) -> ValidationError {
    ValidationError::Invalid {
        field: "reading block",
        reason,
    }
}

impl ReadingBlock {
    /// The block of `readings`, all of `kind` and already validated, in any order. `None`
    /// when there are none.
    pub fn of(kind: ReadingKind, readings: &mut [Reading]) -> Option<Self> {
        readings.sort_by(|a, b| {
            (a.at.timestamp_millis(), &a.id).cmp(&(b.at.timestamp_millis(), &b.id))
        });
        let (first, last) = (readings.first()?.at, readings.last()?.at);
        let text = serde_json::to_string(readings).ok()?;
        Some(Self {
            id: super::derived_id(&["reading-block", &text]),
            kind,
            first,
            last,
            count: u32::try_from(readings.len()).ok()?,
            readings: text,
        })
    }

    /// The readings, each checked: valid, of the block's kind, within its span, imported (its
    /// id holds its time, [`super::imported_time`]), taken at home, each id once, as many as
    /// it says. What a block from another replica must pass to be read.
    pub fn decode(&self) -> Result<Vec<Reading>, ValidationError> {
        let readings: Vec<Reading> =
            serde_json::from_str(&self.readings).map_err(|_| bad("does not decode"))?;
        if readings.len() != self.count as usize {
            return Err(bad("holds another number of readings than it says"));
        }
        let (first, last) = (self.first.timestamp_millis(), self.last.timestamp_millis());
        let mut ids = HashSet::with_capacity(readings.len());
        for r in &readings {
            r.validate()?;
            let at = r.at.timestamp_millis();
            if r.measurement.kind() != self.kind
                || at < first
                || at > last
                || super::imported_time(&r.id) != Some(at)
                || r.setting == Some(BpSetting::Office)
                || !ids.insert(r.id.as_str())
            {
                return Err(bad("holds a reading it may not"));
            }
        }
        Ok(readings)
    }
}

impl Validate for ReadingBlock {
    /// What can be checked without reading the readings ([`ReadingBlock::decode`] checks
    /// them): a block made by [`ReadingBlock::of`] from validated readings passes.
    fn validate(&self) -> Result<(), ValidationError> {
        super::validation::check_not_empty("id", &self.id)?;
        if self.count == 0 || self.count as usize > BLOCK_MAX {
            return Err(bad("holds too many readings or none"));
        }
        if self.first > self.last || !self.readings.starts_with('[') {
            return Err(bad("is not a list of readings"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Measurement;

    fn imported(at: &str, systolic: u16) -> Reading {
        let at = DateTime::parse_from_rfc3339(at).expect("time");
        let mut r = Reading::new(
            Measurement::BloodPressure {
                systolic,
                diastolic: 80,
                pulse: None,
            },
            at,
        )
        .expect("reading");
        r.id = crate::model::imported_reading_id(at.timestamp_millis(), &systolic.to_string());
        r
    }

    #[test]
    fn a_block_holds_its_readings_in_order_and_checks_them() {
        let mut readings = vec![
            imported("2026-11-02T08:00:00+01:00", 131),
            imported("2026-11-01T08:00:00+01:00", 130),
        ];
        let block = ReadingBlock::of(ReadingKind::BloodPressure, &mut readings).expect("block");
        assert!(block.validate().is_ok());
        let back = block.decode().expect("decode");
        assert_eq!(back.len(), 2);
        assert!(back[0].at < back[1].at);
        assert_eq!(block.first, back[0].at);
        // The same readings make the same block on another device.
        let mut again = vec![
            imported("2026-11-01T08:00:00+01:00", 130),
            imported("2026-11-02T08:00:00+01:00", 131),
        ];
        assert_eq!(
            ReadingBlock::of(ReadingKind::BloodPressure, &mut again),
            Some(block.clone())
        );

        let mut wrong_kind = block.clone();
        wrong_kind.kind = ReadingKind::Glucose;
        assert!(wrong_kind.decode().is_err());
        let mut wrong_count = block.clone();
        wrong_count.count = 3;
        assert!(wrong_count.decode().is_err());
        let mut manual = readings.clone();
        manual[0].id = crate::model::new_id();
        let forged = ReadingBlock::of(ReadingKind::BloodPressure, &mut manual).expect("block");
        assert!(
            forged.decode().is_err(),
            "an id that does not hold its time"
        );
        assert!(ReadingBlock::of(ReadingKind::BloodPressure, &mut []).is_none());
    }
}
