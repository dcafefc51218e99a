//! The clinic's workspace: a clinician's device (a clinician member of many patients' records)
//! serves its records to the clinic's staff in the browser, on the clinic's network. It
//! decrypts only what its patients shared with it; the relay still learns nothing.
//!
//! - [`staff`]: who may sign in, their sessions and the access log (an encrypted file).
//! - [`row`]: one patient's figures over a period, the triage flags, the need order (pure).
//! - [`gather`]: reads the rows from the device's records.
//! - [`actions`]: the clinician's changes (dose, times, target, medication, journey, visit).
//! - [`pages`]: the HTML pages.
//! - [`server`]: the routes, the session checks, serving.

pub mod actions;
pub mod error;
pub mod gather;
pub mod pages;
pub mod row;
pub mod server;
pub mod staff;

pub use error::{ClinicError, Result};
pub use server::{Clinic, router, serve};
pub use staff::Staff;
