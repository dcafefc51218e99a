//! The errors the core returns.
//!
//! Display texts name fields, entities and limits, never a value a person entered: they may be
//! logged and are shown across the FFI boundary. Raw SQLite and Automerge errors stay reachable
//! through `source()` for debugging, but their messages are not part of the text.

use crate::model::ValidationError;

/// Everything an operation on a record can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was refused; nothing was written.
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationError),
    /// No live entry of that kind has that id.
    #[error("no {entity} with that id")]
    NotFound {
        /// What was looked for (`reading`, `medication`).
        entity: &'static str,
    },
    /// An entry of that kind already has that id.
    #[error("a {entity} with that id already exists")]
    AlreadyExists {
        /// What was being added.
        entity: &'static str,
    },
    /// An as-needed dose beyond its limits; log it with `confirmed_over_limit` to record it
    /// anyway (the confirmation is kept in the record).
    #[error("this dose would go beyond the {0}; confirm to log it anyway")]
    DoseLimit(DoseLimit),
    /// There is no record at the path (use create).
    #[error("no record at that path")]
    NoRecord,
    /// A record already exists at the path (use open).
    #[error("a record already exists at that path")]
    RecordExists,
    /// The file was written by a newer version of Companion; it is left untouched.
    #[error(
        "the record was written by a newer version of Companion (schema {found}, this version reads up to {supported})"
    )]
    SchemaTooNew {
        /// The file's schema version.
        found: i64,
        /// The newest schema this code knows.
        supported: i64,
    },
    /// The database failed (disk full, file locked, I/O error, corruption).
    #[error("storage failure ({kind})")]
    Storage {
        /// SQLite's error class, free of any data.
        kind: String,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// A schema migration failed; the file is left at its old version.
    #[error("schema migration failed")]
    Migration(#[source] Box<rusqlite_migration::Error>),
    /// A stored Automerge document could not be loaded or changed; nothing was written.
    #[error("document {doc} could not be read or changed")]
    Document {
        /// The document's name (`record`, `log/2026-11`).
        doc: String,
        /// The underlying error.
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    /// Change bytes from another replica were not valid Automerge; nothing was written.
    #[error("the changes for document {doc} are malformed")]
    InvalidChanges {
        /// The document they were meant for.
        doc: String,
        /// The underlying error.
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    /// A file outside the record (a report) could not be written.
    #[error("{detail}")]
    Io {
        /// What failed.
        detail: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A document name that is neither `record` nor `log/YYYY-MM`.
    #[error("not a document name of a record")]
    InvalidDocumentId,
    /// Stored data is inconsistent with what this code wrote (a damaged file).
    #[error("stored data is damaged: {detail}")]
    Corrupt {
        /// What was found wrong.
        detail: &'static str,
    },
}

impl From<rusqlite::Error> for Error {
    fn from(source: rusqlite::Error) -> Self {
        let kind = match &source {
            rusqlite::Error::SqliteFailure(e, _) => format!("{:?}", e.code),
            rusqlite::Error::QueryReturnedNoRows => "no rows".to_string(),
            _ => "sqlite".to_string(),
        };
        Self::Storage { kind, source }
    }
}

/// Which limit of an as-needed medication a dose would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoseLimit {
    /// The most doses in one calendar day.
    DailyMaximum {
        /// The limit.
        max: u32,
    },
    /// The least time between two doses.
    MinimumInterval {
        /// The limit, in minutes.
        minutes: u32,
    },
}

impl std::fmt::Display for DoseLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DailyMaximum { max } => write!(f, "daily maximum of {max} doses"),
            Self::MinimumInterval { minutes } => {
                write!(f, "minimum of {minutes} minutes between doses")
            }
        }
    }
}

/// The result of core operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
