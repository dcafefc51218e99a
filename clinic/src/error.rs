//! What the clinic's workspace can fail with. No text names a patient, a value or a password.

use companion_core::keystore::KeyStoreError;

/// Everything the workspace's operations can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClinicError {
    /// The name or the password was wrong (which one is not said).
    #[error("wrong name or password")]
    SignInRefused,
    /// A password shorter than the minimum.
    #[error("a password needs at least {min} characters")]
    WeakPassword {
        /// The least number of characters.
        min: usize,
    },
    /// A staff name that is empty, longer than 64 characters or holds control characters.
    #[error("a staff name is 1 to 64 characters, without control characters")]
    BadUserName,
    /// The staff file could not be used.
    #[error("the clinic's staff file: {reason}")]
    StaffFile {
        /// What went wrong.
        reason: &'static str,
    },
    /// The system's random source failed.
    #[error("the system's random source failed")]
    Random,
    /// A form or a query string the workspace cannot use.
    #[error("bad request: {field}")]
    BadRequest {
        /// The field that was wrong.
        field: &'static str,
    },
    /// No record of this device has that id.
    #[error("no such patient on this device")]
    NoSuchPatient,
    /// The record refused or failed.
    #[error(transparent)]
    Record(#[from] companion_core::Error),
    /// The record could not be exported as FHIR (a schedule R4 cannot say).
    #[error(transparent)]
    Fhir(#[from] companion_fhir::FhirError),
    /// The key store failed.
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    /// SQLite failed on the staff file.
    #[error("the clinic's staff file could not be read or written")]
    Sqlite(#[from] rusqlite::Error),
}

/// The workspace's result.
pub type Result<T, E = ClinicError> = std::result::Result<T, E>;
