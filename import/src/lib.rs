//! Readings from files into a record: CSV and JSON rows ([`rows`]), Health Connect's records
//! ([`health_connect`]) and HealthKit's `export.xml` ([`healthkit`]). Each format reads its
//! file into [`companion_core::import::Sample`]s, naming every bad one by its line and field;
//! the record imports them all or nothing ([`companion_core::HealthRecord::import_readings`]).
//! Not part of the phone library: the apps read Health Connect and HealthKit through the
//! platform and hand the core typed samples.

pub mod health_connect;
pub mod healthkit;
mod json_list;
pub mod rows;
pub mod value;

use std::io::BufRead;

use companion_core::import::{Sample, SampleError};
use companion_core::zone::Zone;

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header ([`rows`]).
    Csv,
    /// A JSON list of rows ([`rows`]).
    Json,
    /// Health Connect's records as JSON ([`health_connect`]).
    HealthConnect,
    /// HealthKit's `export.xml` ([`healthkit`]).
    HealthKit,
}

impl std::str::FromStr for Format {
    type Err = FileError;
    fn from_str(s: &str) -> Result<Self, FileError> {
        Ok(match s {
            "csv" => Format::Csv,
            "json" => Format::Json,
            "health-connect" => Format::HealthConnect,
            "healthkit" => Format::HealthKit,
            _ => return Err(FileError::UnknownFormat),
        })
    }
}

/// A file that cannot be read at all (a bad row is a [`SampleError`] instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Not the format said, or not readable.
    #[error("not {what}")]
    Unreadable {
        /// What it should have been.
        what: &'static str,
    },
    /// A CSV without a required column.
    #[error("the CSV has no \"{column}\" column")]
    MissingColumn {
        /// The column.
        column: &'static str,
    },
    /// A format name that is not one of csv, json, health-connect, healthkit.
    #[error("not a format: csv, json, health-connect or healthkit")]
    UnknownFormat,
    /// The format cannot be told from the file: say it.
    #[error("the format cannot be told from the file: give --format")]
    Undetected,
}

/// What a file held: its samples with their lines, its bad rows, and how many items it held
/// of kinds a record does not keep.
#[derive(Default)]
pub struct Outcome {
    /// The samples, each with its line (empty when they were handed on as read: [`read_each`]).
    pub samples: Vec<(u64, Sample)>,
    /// The rows that cannot be readings.
    pub bad: Vec<SampleError>,
    /// Items of other kinds (steps, sleep...), left out.
    pub other: u64,
    /// Where each sample goes as it is read, instead of `samples`.
    each: Option<Box<dyn FnMut(Item) + Send>>,
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outcome")
            .field("samples", &self.samples.len())
            .field("bad", &self.bad)
            .field("other", &self.other)
            .finish()
    }
}

/// One item of a file, as [`read_each`] hands it on.
#[derive(Debug)]
pub enum Item {
    /// A sample, with its line.
    Sample(u64, Sample),
    /// A row that cannot be a reading (it is also kept in [`Outcome::bad`]).
    Bad(SampleError),
}

impl Outcome {
    /// A sample read at `line`.
    pub(crate) fn add_sample(&mut self, line: u64, sample: Sample) {
        match &mut self.each {
            Some(each) => each(Item::Sample(line, sample)),
            None => self.samples.push((line, sample)),
        }
    }

    /// A row that cannot be a reading.
    pub(crate) fn add_bad(&mut self, e: SampleError) {
        if let Some(each) = &mut self.each {
            each(Item::Bad(e.clone()));
        }
        self.bad.push(e);
    }
}

/// The format of a file, from its name and its first bytes: `.csv`, an XML file with a
/// `HealthData` element, a JSON object with `records`, a JSON list.
pub fn detect(name: &str, head: &[u8]) -> Result<Format, FileError> {
    let text = String::from_utf8_lossy(head);
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if name.ends_with(".xml") || start.starts_with("<?xml") || start.starts_with('<') {
        return if text.contains("HealthData") {
            Ok(Format::HealthKit)
        } else {
            Err(FileError::Undetected)
        };
    }
    if start.starts_with('{') {
        return if text.contains("\"records\"") {
            Ok(Format::HealthConnect)
        } else {
            Err(FileError::Undetected)
        };
    }
    if start.starts_with('[') {
        return Ok(Format::Json);
    }
    if name.ends_with(".csv")
        || start
            .lines()
            .next()
            .is_some_and(|l| l.contains("time") && l.contains(','))
    {
        return Ok(Format::Csv);
    }
    Err(FileError::Undetected)
}

/// Reads `input` in `format`, local times in `zone`, holding every sample.
pub fn read(input: impl BufRead, format: Format, zone: &Zone) -> Result<Outcome, FileError> {
    let mut out = Outcome::default();
    read_into(input, format, zone, &mut out)?;
    Ok(out)
}

/// Reads `input` in `format`, local times in `zone`, handing each sample and bad row to `each`
/// as it is read: every format is read as a stream (a JSON list one item at a time), so memory
/// does not grow with the file. The outcome counts the rest.
pub fn read_each(
    input: impl BufRead,
    format: Format,
    zone: &Zone,
    each: Box<dyn FnMut(Item) + Send>,
) -> Result<Outcome, FileError> {
    let mut out = Outcome {
        each: Some(each),
        ..Outcome::default()
    };
    read_into(input, format, zone, &mut out)?;
    out.each = None;
    Ok(out)
}

fn read_into(
    input: impl BufRead,
    format: Format,
    zone: &Zone,
    out: &mut Outcome,
) -> Result<(), FileError> {
    match format {
        Format::Csv => rows::csv(input, zone, out)?,
        Format::Json => rows::json(input, zone, out)?,
        Format::HealthConnect => health_connect::read(input, out)?,
        Format::HealthKit => healthkit::read(input, out)?,
    }
    Ok(())
}
