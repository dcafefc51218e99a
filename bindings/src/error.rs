//! The error every FFI call can raise: a typed enum the foreign side can switch on, with messages
//! that name fields and limits, never a value a patient entered. docs/errors.md says which to
//! retry, which to show and which to report.

use companion_core::{DoseLimit, Error as Core, StorageKind};

/// Why a call failed. Nothing was written when a call fails.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum CompanionError {
    /// A value was refused: `field` names it as the core does, `reason` says what is expected.
    /// In a batch call, `item` is the position (from 0) of the refused entry.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field that was wrong.
        field: String,
        /// What is expected of it (limits, format).
        reason: String,
        /// The position of the refused entry in a batch call.
        item: Option<u32>,
    },
    /// No live entry of that kind has that id.
    #[error("no {entity} with that id")]
    NotFound {
        /// What was looked for.
        entity: String,
    },
    /// An entry of that kind already has that id.
    #[error("a {entity} with that id already exists")]
    AlreadyExists {
        /// What was being added.
        entity: String,
        /// The position of the entry in a batch call.
        item: Option<u32>,
    },
    /// An as-needed dose beyond its limits: ask the person, and log it again with
    /// `confirmed_over_limit` if they confirm.
    #[error("this dose would go beyond the {limit}")]
    DoseLimitExceeded {
        /// Which limit.
        limit: DoseLimit,
        /// The earliest time a dose would stay within the limits (RFC 3339).
        next_allowed: String,
    },
    /// Another `entity` not stopped has this name: ask the person, and add or rename it again
    /// with the confirmation if it really is a second one.
    #[error("another {entity} has this name")]
    NameTaken {
        /// What was being named (`medication`).
        entity: String,
    },
    /// The questionnaire is not meant for this patient (FINDRISC with diabetes diagnosed):
    /// show its `not_for_reason`; nothing was stored.
    #[error("the questionnaire {questionnaire} is not meant for this patient")]
    QuestionnaireDeclined {
        /// The questionnaire's id.
        questionnaire: String,
    },
    /// A skip named no scheduled time and no dose of the medication is pending to skip.
    #[error("no dose of this medication is pending to skip")]
    NoDosePending,
    /// The scheduled dose was already logged as taken, by `logged_by` at `at`: ask the person,
    /// and log it again with `confirmed_double` if they really took a second dose.
    #[error("this dose was already logged as taken")]
    DoseAlreadyTaken {
        /// Who logged the first take, if named.
        logged_by: Option<String>,
        /// When it was taken (RFC 3339).
        at: String,
    },
    /// The scheduled time given is no dose of the medication; `nearest` lists its doses
    /// nearest to that time (RFC 3339) to offer instead.
    #[error("no dose of this medication is scheduled at that time")]
    NotAnOccurrence {
        /// The nearest doses, soonest first.
        nearest: Vec<String>,
    },
    /// A snooze must end before the medication's next dose, at `next` (RFC 3339).
    #[error("a snooze must end before the medication's next dose")]
    SnoozePastNextDose {
        /// The next dose.
        next: String,
    },
    /// There is no record at the path.
    #[error("no record at that path")]
    NoRecord,
    /// The file is another program's database, an empty file or no database at all; it was
    /// left exactly as it was.
    #[error("the file is not a Companion record; it was left untouched")]
    NotARecord,
    /// The record file is encrypted and the key store has no key that opens it (a file copied
    /// from another device); nothing was written.
    #[error("the record file is encrypted; this device has no key for it")]
    NoKeyForRecord,
    /// The key store could not give or keep a secret (the phone is locked, access refused);
    /// nothing was written. Retry when the phone is unlocked.
    #[error("the key store is unavailable: {reason}")]
    KeyStoreUnavailable {
        /// What happened, with no secret in it.
        reason: String,
    },
    /// Several records of the device match the name or id given (`matching` of them).
    #[error("{matching} records match: name one by its id")]
    WhichRecord {
        /// How many match.
        matching: u32,
    },
    /// A record already exists at the path.
    #[error("a record already exists at that path")]
    RecordExists,
    /// A newer version of Companion wrote the file; it was left untouched.
    #[error("written by a newer version (schema {found}, supported {supported})")]
    SchemaTooNew {
        /// The file's schema version.
        found: i64,
        /// The newest this library reads.
        supported: i64,
    },
    /// The database or a document failed or is damaged: switch on `kind` (retry when `Busy`).
    #[error("storage failure: {reason}")]
    Storage {
        /// What kind of failure.
        kind: StorageKind,
        /// A description free of patient data.
        reason: String,
    },
    /// Remote change bytes were malformed or named an unknown document.
    #[error("invalid sync data: {reason}")]
    InvalidSyncData {
        /// A description free of patient data.
        reason: String,
    },
    /// Changes, documents or an export that belong to another record; nothing was written.
    #[error("the changes for document {doc} belong to another record")]
    OtherRecord {
        /// The document concerned (`record` for a whole export).
        doc: String,
    },
    /// A copy of this record's file wrote changes under this replica's identity; nothing was
    /// written (report it: a copy normally takes an identity of its own).
    #[error("document {doc}: a copy of this record wrote under this replica's identity")]
    ReplicaClash {
        /// The document concerned.
        doc: String,
    },
    /// The author's role may not write `collection` (a local write refused, or a change from
    /// another member); nothing was written.
    #[error("this role may not write {collection}")]
    NotPermitted {
        /// The collection.
        collection: String,
    },
    /// The record is not shared through a relay yet.
    #[error("the record is not shared")]
    NotShared,
    /// The record is already shared.
    #[error("the record is already shared")]
    AlreadyShared,
    /// Only the owner may do this.
    #[error("only the record's owner may do this")]
    NotOwner,
    /// The invite is unknown to the relay, used or expired (`reason`).
    #[error("the invite is {reason}")]
    InviteRefused {
        /// Which.
        reason: String,
    },
    /// The relay refused the request: HTTP `status`, the relay's error `code`.
    #[error("the relay refused the request ({status} {code})")]
    RelayRefused {
        /// The HTTP status.
        status: u16,
        /// The relay's error code.
        code: String,
    },
    /// The relay refused the request because this device's clock is `minutes` off (`ahead`
    /// of the relay's, or behind): show "set the date and time"; nothing syncs until then.
    #[error("this device's clock is {minutes} minutes off")]
    DeviceClockOff {
        /// How far off, in whole minutes.
        minutes: u64,
        /// Whether the device is ahead of the relay (else behind).
        ahead: bool,
    },
    /// The relay could not be reached after retries; nothing is lost, sync again later.
    #[error("the relay could not be reached: {reason}")]
    RelayUnreachable {
        /// What the transport said.
        reason: String,
    },
    /// Not a readable replica export (truncated, altered, of a newer format); nothing written.
    #[error("not a readable replica export: {reason}")]
    InvalidReplicaFile {
        /// What is wrong with it.
        reason: String,
    },
}

/// Which limit of an as-needed medication a dose would break.
#[uniffi::remote(Enum)]
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

/// What kind of storage failure happened, so that a caller can act: retry a busy record, tell
/// the person to free space, show that the file cannot be written, or report damage.
#[uniffi::remote(Enum)]
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

impl CompanionError {
    /// An invalid-input error for `field`.
    pub(crate) fn invalid(field: &str, reason: &str) -> Self {
        Self::InvalidInput {
            field: field.to_string(),
            reason: reason.to_string(),
            item: None,
        }
    }

    /// This error as the failure of the batch entry at `index`.
    fn at_item(mut self, index: usize) -> Self {
        if let Self::InvalidInput { item, .. } | Self::AlreadyExists { item, .. } = &mut self {
            *item = u32::try_from(index).ok();
        }
        self
    }
}

impl From<companion_core::model::ValidationError> for CompanionError {
    fn from(e: companion_core::model::ValidationError) -> Self {
        Self::invalid(e.field(), &e.to_string())
    }
}

impl From<Core> for CompanionError {
    fn from(e: Core) -> Self {
        if let Some(kind) = e.storage_kind() {
            return Self::Storage {
                kind,
                reason: e.to_string(),
            };
        }
        match e {
            Core::Invalid(v) => v.into(),
            Core::NotFound { entity } => Self::NotFound {
                entity: entity.to_string(),
            },
            Core::AlreadyExists { entity } => Self::AlreadyExists {
                entity: entity.to_string(),
                item: None,
            },
            Core::DoseLimit {
                limit,
                next_allowed,
            } => Self::DoseLimitExceeded {
                limit,
                next_allowed: next_allowed.to_rfc3339(),
            },
            Core::NoDosePending => Self::NoDosePending,
            Core::QuestionnaireDeclined { questionnaire } => {
                Self::QuestionnaireDeclined { questionnaire }
            }
            Core::NameTaken { entity } => Self::NameTaken {
                entity: entity.into(),
            },
            Core::DoseAlreadyTaken { logged_by, at } => Self::DoseAlreadyTaken {
                logged_by,
                at: at.to_rfc3339(),
            },
            Core::NotAnOccurrence { nearest } => Self::NotAnOccurrence {
                nearest: nearest.iter().map(|t| t.to_rfc3339()).collect(),
            },
            Core::SnoozePastNextDose { next } => Self::SnoozePastNextDose {
                next: next.to_rfc3339(),
            },
            Core::Template(e) => Self::InvalidInput {
                field: "template".into(),
                reason: e.to_string(),
                item: None,
            },
            Core::Answer(e) => Self::InvalidInput {
                field: "answers".into(),
                reason: e.to_string(),
                item: None,
            },
            Core::NoRecord => Self::NoRecord,
            Core::NotARecord => Self::NotARecord,
            Core::NoKeyForRecord => Self::NoKeyForRecord,
            Core::WhichRecord { matching } => Self::WhichRecord {
                matching: u32::try_from(matching).unwrap_or(u32::MAX),
            },
            Core::KeyStore(k) => Self::KeyStoreUnavailable {
                reason: k.to_string(),
            },
            Core::RecordExists => Self::RecordExists,
            Core::SchemaTooNew { found, supported } => Self::SchemaTooNew { found, supported },
            Core::Batch { index, source } => Self::from(*source).at_item(index),
            Core::OtherRecord { doc } => Self::OtherRecord { doc },
            Core::ReplicaClash { doc } => Self::ReplicaClash { doc },
            Core::InvalidReplicaFile { detail } => Self::InvalidReplicaFile {
                reason: detail.to_string(),
            },
            Core::NotPermitted { collection } => Self::NotPermitted { collection },
            Core::Sync(s) => {
                use companion_core::sync::SyncError as S;
                match s {
                    S::NotShared => Self::NotShared,
                    S::AlreadyShared => Self::AlreadyShared,
                    S::NotOwner => Self::NotOwner,
                    S::Invite(reason) => Self::InviteRefused {
                        reason: reason.to_string(),
                    },
                    S::Relay { status, code } => Self::RelayRefused { status, code },
                    S::Unreachable { detail } => Self::RelayUnreachable { reason: detail },
                    S::ClockOff { minutes, ahead } => Self::DeviceClockOff { minutes, ahead },
                    other => Self::InvalidSyncData {
                        reason: other.to_string(),
                    },
                }
            }
            Core::InvalidChanges { .. } | Core::InvalidDocumentId => Self::InvalidSyncData {
                reason: e.to_string(),
            },
            other => Self::Storage {
                kind: StorageKind::Other,
                reason: other.to_string(),
            },
        }
    }
}
