//! The errors the core returns.
//!
//! Display texts name fields, entities and limits, never a value a person entered: they may be
//! logged and are shown across the FFI boundary. Raw SQLite and Automerge errors stay reachable
//! through `source()` for debugging, but their messages are not part of the text.

mod journey;
mod keystore;

pub use journey::{AnswerError, TemplateError};
pub use keystore::KeyStoreError;

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
    #[error("this dose would go beyond the {limit}; confirm to log it anyway")]
    DoseLimit {
        /// Which limit.
        limit: DoseLimit,
        /// The earliest time a dose would stay within the limits.
        next_allowed: chrono::DateTime<chrono::FixedOffset>,
    },
    /// The scheduled dose was already logged as taken (`logged_by`, at `at`); log it with
    /// `confirmed_double` to record a second take anyway (the confirmation is kept).
    #[error("this dose was already logged as taken; confirm to log a second take")]
    DoseAlreadyTaken {
        /// Who logged the first take, if named.
        logged_by: Option<String>,
        /// When it was taken.
        at: chrono::DateTime<chrono::FixedOffset>,
    },
    /// Another entry not stopped has this name (a medication added twice doubles its
    /// reminders); add or rename it with the confirmation to keep a second one.
    #[error("another {entity} has this name; confirm to keep a second one")]
    NameTaken {
        /// What was being named.
        entity: &'static str,
    },
    /// A skip logged without a scheduled time found no dose of the medication pending to skip.
    #[error("no dose of this medication is pending to skip")]
    NoDosePending,
    /// The scheduled time given is no dose of the medication (`nearest`: its doses nearest to
    /// that time, to offer instead).
    #[error("no dose of this medication is scheduled at that time")]
    NotAnOccurrence {
        /// The medication's doses nearest to the time given, soonest first.
        nearest: Vec<chrono::DateTime<chrono::Utc>>,
    },
    /// A snooze must end before the medication's next dose (`next`), or that dose's reminder
    /// and its missed-dose follow-up would be swallowed.
    #[error("a snooze must end before the medication's next dose")]
    SnoozePastNextDose {
        /// The medication's next dose after the snoozed one.
        next: chrono::DateTime<chrono::Utc>,
    },
    /// The file is not a Companion record: another program's database, an empty file, or not
    /// a database at all. It was left exactly as it was.
    #[error(
        "the file is not a Companion record (another program's database, an empty file, or not a database); it was left untouched"
    )]
    NotARecord,
    /// The record file is encrypted and this device's key store holds no key that opens it
    /// (a file copied from another device, or moved by hand). Nothing was written.
    #[error("the record file is encrypted; this device has no key for it")]
    NoKeyForRecord,
    /// The device's key store could not give or keep a secret; nothing was written.
    #[error("{0}")]
    KeyStore(#[from] KeyStoreError),
    /// Several records of the device match the name or id prefix given (`matching` of them):
    /// name one by more of its id.
    #[error("{matching} records match: name one by its id")]
    WhichRecord {
        /// How many match.
        matching: usize,
    },
    /// There is no record at the path (use create).
    #[error("no record at that path")]
    NoRecord,
    /// A record already exists at the path (use open).
    #[error("a record already exists at that path")]
    RecordExists,
    /// A restore into a record that already holds more than its profile.
    #[error("the record is not empty: restore a backup into a new record")]
    RecordNotEmpty,
    /// A questionnaire not meant for this patient: the profile names a condition it excludes
    /// (FINDRISC screens people without diabetes). Its `not_for_reason` says why.
    #[error(
        "the questionnaire {questionnaire} is not meant for a patient with a condition in the profile"
    )]
    QuestionnaireDeclined {
        /// The questionnaire's id.
        questionnaire: String,
    },
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
    /// The database failed; `kind` says whether to retry, free space, or report damage.
    #[error("storage failure: {kind}")]
    Storage {
        /// What kind of failure, for a caller to act on.
        kind: StorageKind,
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
    /// Change bytes (or heads) from another replica were not valid Automerge; nothing was
    /// written.
    #[error("the changes for document {doc} are malformed")]
    InvalidChanges {
        /// The document they were meant for.
        doc: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Changes or documents that belong to another record (or another document of this one):
    /// refused, nothing written.
    #[error("the changes for document {doc} belong to another record; nothing was written")]
    OtherRecord {
        /// The document they were meant for.
        doc: String,
    },
    /// Another copy of this replica's file wrote changes under the same identity as this one,
    /// and the two cannot both be kept; nothing was written. (A copy normally notices it was
    /// copied and takes an identity of its own before it writes.)
    #[error(
        "document {doc}: a copy of this record's file wrote changes under this replica's identity; nothing was written"
    )]
    ReplicaClash {
        /// The document concerned.
        doc: String,
    },
    /// A replica export file that is not one, is damaged or truncated, or is of a format this
    /// version does not read; nothing was written.
    #[error("not a readable replica export: {detail}; nothing was written")]
    InvalidReplicaFile {
        /// What is wrong with it.
        detail: &'static str,
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
    /// Changes from a member that touch what its role may not write (`collection`); nothing
    /// was written (the sync client quarantines the envelope).
    #[error(
        "the changes write {collection}, which their author's role may not; nothing was written"
    )]
    NotPermitted {
        /// The collection (or root key) written.
        collection: String,
    },
    /// Changes from the relay that depend on changes this replica does not hold; nothing was
    /// written (the sync client holds the envelope until they arrive).
    #[error(
        "the changes for document {doc} wait for changes not received yet; nothing was written"
    )]
    ChangesWaiting {
        /// The document concerned.
        doc: String,
    },
    /// Sharing failed: the relay, the network, an invite, or what another member sent.
    #[error(transparent)]
    Sync(#[from] companion_protocol::SyncError),
    /// A document name that is neither `record` nor `log/YYYY-MM`.
    #[error("not a document name of a record")]
    InvalidDocumentId,
    /// One item of a batch call failed (`index` counts from 0); nothing of the batch was written.
    #[error("item {index}: {source}")]
    Batch {
        /// The failing item's position in the batch.
        index: usize,
        /// Why it failed.
        #[source]
        source: Box<Error>,
    },
    /// A journey template that does not load: the error names the path of the bad field.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// Questionnaire answers that cannot be scored: the error names the item.
    #[error(transparent)]
    Answer(#[from] AnswerError),
    /// Stored data is inconsistent with what this code wrote (a damaged file).
    #[error("stored data is damaged: {detail}")]
    Corrupt {
        /// What was found wrong.
        detail: &'static str,
    },
}

impl From<rusqlite::Error> for Error {
    fn from(source: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let kind = match &source {
            rusqlite::Error::SqliteFailure(e, _) => match e.code {
                C::DatabaseBusy | C::DatabaseLocked => StorageKind::Busy,
                C::DiskFull => StorageKind::Full,
                C::ReadOnly | C::PermissionDenied => StorageKind::ReadOnly,
                C::DatabaseCorrupt | C::NotADatabase => StorageKind::Corrupt,
                C::SystemIoFailure => StorageKind::Io,
                C::CannotOpen => StorageKind::CannotOpen,
                _ => StorageKind::Other,
            },
            _ => StorageKind::Other,
        };
        Self::Storage { kind, source }
    }
}

impl Error {
    /// This error for the item at `index` of a batch (kept as is when it already names one).
    pub(crate) fn in_batch(self, index: usize) -> Self {
        match self {
            Self::Batch { .. } => self,
            other => Self::Batch {
                index,
                source: Box::new(other),
            },
        }
    }

    /// The kind of storage failure, for errors a caller handles like one: `Storage` itself, a
    /// damaged document or row (`Corrupt`), a failed migration or file write (`Io`). `None` for
    /// errors about the input or the record's state.
    pub fn storage_kind(&self) -> Option<StorageKind> {
        match self {
            Self::Storage { kind, .. } => Some(*kind),
            Self::Document { .. } | Self::Corrupt { .. } => Some(StorageKind::Corrupt),
            Self::Migration(_) | Self::Io { .. } => Some(StorageKind::Io),
            Self::Batch { source, .. } => source.storage_kind(),
            _ => None,
        }
    }
}

/// What kind of storage failure happened, so that a caller can act: retry a busy record, tell
/// the person to free space, show that the file cannot be written, or report damage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKind {
    /// Another connection (the app, its notification extension, a sync thread) holds the lock
    /// past the busy timeout. Retry shortly; nothing was written.
    Busy,
    /// The disk or the app's quota is full. Ask the person to free space; nothing was written.
    Full,
    /// The file or its folder cannot be written (read-only, or permission denied).
    ReadOnly,
    /// The file is damaged or is not a record. Report it; do not retry.
    Corrupt,
    /// The operating system reported an I/O error.
    Io,
    /// The file could not be opened (its folder is missing, or the path is not a file).
    CannotOpen,
    /// Any other database failure (a bug if seen: report it).
    Other,
}

impl StorageKind {
    /// Whether the same call may succeed if tried again shortly.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Busy)
    }
}

impl std::fmt::Display for StorageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Busy => "the record is busy (another process is writing); try again",
            Self::Full => "the disk is full",
            Self::ReadOnly => "the record cannot be written (read-only file or folder)",
            Self::Corrupt => "the file is damaged or is not a Companion record",
            Self::Io => "the operating system reported an I/O error",
            Self::CannotOpen => "the file cannot be opened (check the path and its folder)",
            Self::Other => "the database reported an unexpected error",
        })
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
