//! What exporting or importing FHIR can fail with. No text carries a patient's value.

/// Everything an export or an import can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FhirError {
    /// A medication's schedule has no R4 Timing (docs/reminders.md, "FHIR").
    #[error("medication {medication}: a {schedule} schedule cannot be said in FHIR R4 Timing")]
    Inexpressible {
        /// The medication's id.
        medication: String,
        /// The schedule type, and what of it cannot be said.
        schedule: &'static str,
    },
    /// The file is not JSON, or not a FHIR R4 Bundle.
    #[error("not a FHIR R4 Bundle: {element}")]
    NotABundle {
        /// What was wrong.
        element: &'static str,
    },
    /// An element this import does not take (a resource type, a code, a timing); nothing
    /// was imported.
    #[error("unsupported: {element}; nothing was imported")]
    Unsupported {
        /// The element.
        element: &'static str,
    },
    /// An element missing or of the wrong type or value; nothing was imported.
    #[error("invalid {element}; nothing was imported")]
    Invalid {
        /// The element.
        element: &'static str,
    },
    /// The record refused or failed.
    #[error(transparent)]
    Record(#[from] companion_core::Error),
}
