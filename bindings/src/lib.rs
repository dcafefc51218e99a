//! UniFFI bindings of the Companion core for Swift and Kotlin.
//!
//! A thin layer: it converts types and errors and nothing more (no business rule lives here).
//! Each module mirrors a part of the core: [`profile`], [`readings`], [`medications`],
//! [`events`] (doses, refills, journal, appointments), [`reminders`] (the notification plan,
//! dose states, adherence) and [`record`] (the `HealthRecord` object).
//! The types are the core's own, declared as UniFFI remote types: a field or variant the core
//! gains and this mirror lacks fails to compile. Dates and times cross as text ([`types`]);
//! malformed text raises `CompanionError.InvalidInput`.
#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod clinical;
pub mod device;
mod error;
pub mod events;
pub mod import;
pub mod journeys;
pub mod keys;
pub mod medications;
pub mod profile;
pub mod readings;
pub mod record;
pub mod reminders;
pub mod sync;
pub mod types;

pub use error::CompanionError;

uniffi::setup_scaffolding!();

/// A fresh entry id (UUID v7) for a new reading, medication, dose, journal entry or appointment.
#[uniffi::export]
pub fn new_id() -> String {
    companion_core::model::new_id()
}
