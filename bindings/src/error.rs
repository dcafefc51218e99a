//! The error every FFI call can raise: a typed enum the foreign side can switch on, with messages
//! that name fields and limits, never a value a patient entered.

use companion_core::Error as Core;

/// Why a call failed. Nothing was written when a call fails.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum CompanionError {
    /// A value was refused: `field` names it, `reason` says what is expected.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field that was wrong.
        field: String,
        /// What is expected of it (limits, format).
        reason: String,
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
    },
    /// An as-needed dose beyond its limits: ask the person, and log it again with
    /// `confirmed_over_limit` if they confirm.
    #[error("beyond the {limit:?}")]
    DoseLimitExceeded {
        /// Which limit.
        limit: DoseLimit,
    },
    /// There is no record at the path.
    #[error("no record at that path")]
    NoRecord,
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
    /// The database or a document failed or is damaged.
    #[error("storage failure: {reason}")]
    Storage {
        /// A description free of patient data.
        reason: String,
    },
    /// Remote change bytes were malformed or named an unknown document.
    #[error("invalid sync data: {reason}")]
    InvalidSyncData {
        /// A description free of patient data.
        reason: String,
    },
}

/// The limit of an as-needed medication that a dose would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DoseLimit {
    /// The most doses in a calendar day.
    DailyMaximum {
        /// The limit.
        max: u32,
    },
    /// The least minutes between doses.
    MinimumInterval {
        /// The limit.
        minutes: u32,
    },
}

impl CompanionError {
    /// An invalid-input error for `field`.
    pub(crate) fn invalid(field: &str, reason: &str) -> Self {
        Self::InvalidInput {
            field: field.to_string(),
            reason: reason.to_string(),
        }
    }
}

impl From<companion_core::model::ValidationError> for CompanionError {
    fn from(e: companion_core::model::ValidationError) -> Self {
        use companion_core::model::ValidationError as V;
        let field = match &e {
            V::OutOfRange { field, .. }
            | V::Empty { field }
            | V::UnknownTimeZone { field }
            | V::Invalid { field, .. } => (*field).to_string(),
            V::DiastolicNotBelowSystolic => "diastolic".to_string(),
            _ => "value".to_string(),
        };
        Self::InvalidInput {
            field,
            reason: e.to_string(),
        }
    }
}

impl From<Core> for CompanionError {
    fn from(e: Core) -> Self {
        match e {
            Core::Invalid(v) => v.into(),
            Core::NotFound { entity } => Self::NotFound {
                entity: entity.to_string(),
            },
            Core::AlreadyExists { entity } => Self::AlreadyExists {
                entity: entity.to_string(),
            },
            Core::DoseLimit(limit) => Self::DoseLimitExceeded {
                limit: match limit {
                    companion_core::DoseLimit::DailyMaximum { max } => {
                        DoseLimit::DailyMaximum { max }
                    }
                    companion_core::DoseLimit::MinimumInterval { minutes } => {
                        DoseLimit::MinimumInterval { minutes }
                    }
                },
            },
            Core::NoRecord => Self::NoRecord,
            Core::RecordExists => Self::RecordExists,
            Core::SchemaTooNew { found, supported } => Self::SchemaTooNew { found, supported },
            Core::InvalidChanges { .. } | Core::InvalidDocumentId => Self::InvalidSyncData {
                reason: e.to_string(),
            },
            other => Self::Storage {
                reason: other.to_string(),
            },
        }
    }
}
