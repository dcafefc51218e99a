//! # Companion core
//!
//! A patient's health record kept on the device: profile, medications and their schedules, dose
//! log, readings, journal and appointments. It works offline; every value is validated before it
//! is stored; every write is durable and atomic; the record is made of Automerge documents so
//! that replicas (the patient's phone, a caregiver's, the clinic's) can merge. The record file
//! is encrypted under a key kept in the device's key store ([`keystore`]), never in the file.
//!
//! ```
//! use std::sync::Arc;
//! use companion_core::{HealthRecord, ReadingQuery};
//! use companion_core::keystore::{FileKeyStore, RecordKeys};
//! use companion_core::model::{Measurement, Profile, Reading, ReadingKind};
//!
//! let dir = tempfile::tempdir()?;
//! let key_store = Arc::new(FileKeyStore::open(&dir.path().join("device"))?);
//! let path = dir.path().join("ana.db");
//! let keys = RecordKeys::for_path(key_store, &path);
//! let profile = Profile::new("Ana", "Europe/Berlin")?;
//! let mut record = HealthRecord::create(&path, &keys, &profile)?;
//!
//! let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T08:05:00+01:00")?;
//! let bp = Measurement::BloodPressure { systolic: 142, diastolic: 91, pulse: Some(72) };
//! record.add_reading(&Reading::new(bp, at)?)?;
//!
//! // Implausible values are refused with a typed error, and nothing is stored.
//! let typo = Measurement::BloodPressure { systolic: 400, diastolic: 91, pulse: None };
//! assert!(Reading::new(typo, at).is_err());
//!
//! let query = ReadingQuery { kind: Some(ReadingKind::BloodPressure), ..Default::default() };
//! assert_eq!(record.readings(&query)?.readings.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod clinical;
pub mod clock;
pub mod crdt;
pub use companion_protocol::crypto;
pub mod device;
mod error;
pub mod i18n;
pub mod import;
pub mod journey;
pub mod keystore;
pub mod model;
mod query;
mod record;
pub mod reminders;
pub mod replica_file;
pub mod report;
mod sorting;
mod store;
pub mod sync;
pub mod today;
mod vocabulary;
pub mod zone;

// The SQLite every connection of the process uses (see the crate).
use companion_sqlite3mc as _;

pub use error::{DoseLimit, Error, Result, StorageKind};
pub use query::{Export, PageCursor, ReadingPage, ReadingQuery, TimeRange};
pub use record::{HealthRecord, JourneyDecision, MergeReport, ReadingOutcome, Stats, write_output};
pub use store::{ApplyReport, CheckReport, RepairReport, SCHEMA_VERSION};
pub use today::{DueDose, RefillStatus, Today};
