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

/// The result of core operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
