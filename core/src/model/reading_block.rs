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

/// One reading of a block: what differs from one reading of the block to the next. Its id is
/// derived from its source, external id and time ([`super::imported_reading_id`]); a block
/// reading was logged by no one and taken at home. Stored as a JSON list: the time in Unix
/// milliseconds, its UTC offset in seconds, the measurement, then the external id, the unit
/// entered, the note and the sensor interval, trailing ones left out when absent
/// (`[1764571200000,3600,{"kind":"weight","kg":81.5}]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BlockRow(
    i64,
    i32,
    Measurement,
    /// The source's id for it (`None`: its kind, time and value,
    /// [`crate::import::content_key`]).
    #[serde(default)]
    Option<String>,
    #[serde(default)] Option<String>,
    #[serde(default)] Option<String>,
    #[serde(default)] Option<u16>,
);

impl Serialize for BlockRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let Self(at, offset, measurement, external, unit, note, sensor) = self;
        let len = if sensor.is_some() {
            7
        } else if note.is_some() {
            6
        } else if unit.is_some() {
            5
        } else if external.is_some() {
            4
        } else {
            3
        };
        let mut seq = serializer.serialize_seq(Some(len))?;
        seq.serialize_element(at)?;
        seq.serialize_element(offset)?;
        seq.serialize_element(measurement)?;
        if len > 3 {
            seq.serialize_element(external)?;
        }
        if len > 4 {
            seq.serialize_element(unit)?;
        }
        if len > 5 {
            seq.serialize_element(note)?;
        }
        if len > 6 {
            seq.serialize_element(sensor)?;
        }
        seq.end()
    }
}

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
    /// from `system`, logged by someone, taken in the office, timed finer than a millisecond).
    pub fn of(system: &str, reading: &Reading, own_id: bool) -> Option<Self> {
        let ReadingSource::Imported {
            system: from,
            external_id,
        } = &reading.source
        else {
            return None;
        };
        if from != system
            || reading.logged_by.is_some()
            || reading.setting.is_some()
            || !reading
                .at
                .timestamp_subsec_nanos()
                .is_multiple_of(1_000_000)
        {
            return None;
        }
        Some(Self(
            reading.at.timestamp_millis(),
            reading.at.offset().local_minus_utc(),
            reading.measurement.clone(),
            own_id.then(|| external_id.clone()),
            reading.entered_unit.clone(),
            reading.note.clone(),
            reading.sensor_interval_minutes,
        ))
    }

    /// The reading this row of a block of `system` is, with its id; `None` for a time or an
    /// offset no reading can have.
    pub fn reading(self, system: &str) -> Option<Reading> {
        let Self(at_ms, offset, measurement, external, entered_unit, note, sensor) = self;
        let at =
            DateTime::from_timestamp_millis(at_ms)?.with_timezone(&FixedOffset::east_opt(offset)?);
        let external_id = external
            .unwrap_or_else(|| crate::import::content_key(measurement.kind(), at, &measurement));
        Some(Reading {
            id: super::imported_reading_id_of(at_ms, &[system, "\u{1f}", &external_id]),
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
        })
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
        let r = row
            .reading(&block.system)
            .ok_or(bad("holds a reading it may not"))?;
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
            at.timestamp_millis(),
            at.offset().local_minus_utc(),
            Measurement::BloodPressure {
                systolic,
                diastolic: 80,
                pulse: None,
            },
            systolic
                .is_multiple_of(2)
                .then(|| format!("omron-{systolic}")),
            None,
            Some("after a walk".into()),
            None,
        );
        let own = row.3.is_some();
        (row.reading("csv").expect("reading"), own)
    }

    #[test]
    fn a_row_is_a_short_list_and_reads_back_whole() {
        let weight = Measurement::Weight { kg: 81.5 };
        let bare = BlockRow(
            1_764_571_200_000,
            3600,
            weight.clone(),
            None,
            None,
            None,
            None,
        );
        let text = serde_json::to_string(&bare).expect("json");
        assert_eq!(text, r#"[1764571200000,3600,{"kind":"weight","kg":81.5}]"#);
        assert_eq!(serde_json::from_str::<BlockRow>(&text).expect("back"), bare);
        let full = BlockRow(
            1_764_571_200_000,
            -18_000,
            weight,
            Some("hc-1".into()),
            Some("lb".into()),
            Some("after \"breakfast\"".into()),
            None,
        );
        let text = serde_json::to_string(&full).expect("json");
        assert_eq!(serde_json::from_str::<BlockRow>(&text).expect("back"), full);
        let r = full.reading("health-connect").expect("reading");
        assert_eq!(r.at.to_rfc3339(), "2025-12-01T01:40:00-05:00");
        assert_eq!(
            r.external_key().as_deref(),
            Some("health-connect\u{1f}hc-1")
        );
        // An offset no place has is no reading.
        let odd = BlockRow(
            0,
            90_000,
            Measurement::Weight { kg: 80.0 },
            None,
            None,
            None,
            None,
        );
        assert!(odd.reading("csv").is_none());
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
