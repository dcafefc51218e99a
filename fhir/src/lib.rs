//! FHIR R4 out of a record and into one: [`export`] writes the whole record as a Bundle;
//! [`import`] reads MedicationRequest and Observation bundles into a record, all or nothing.
//! Not part of the phone library (the clinic's device and the command line use it).

pub mod codes;
pub mod error;
pub mod export;
pub mod import;
pub mod timing;

pub use error::FhirError;
pub use export::export;
pub use import::{Imported, import};
