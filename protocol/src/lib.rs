//! The protocol every replica and the relay share (docs/sync-protocol.md): what travels and
//! how it is judged, with nothing of a record's storage or its meaning. The relay links this
//! crate alone; the core re-exports it (`companion_core::crypto`, `companion_core::sync`).
//!
//! - [`crypto`]: sealing, signing, key agreement and derivation, over ring and x25519-dalek.
//! - [`wire`]: envelopes, snapshots, log pages, request signatures.
//! - [`membership`]: the signed membership log and its replay.
//! - [`invite`]: invite secrets, codes and bundles.
//! - [`Role`]: who may write what.

pub mod crypto;
mod error;
pub mod invite;
pub mod membership;
mod roles;
pub mod wire;

pub use error::SyncError;
pub use roles::Role;
