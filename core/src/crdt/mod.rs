//! The Automerge side of the record: which document holds what, and how entries are written to
//! and read from a document.
//!
//! Documents are partitioned so that nothing a phone opens grows without bound
//! (docs/storage.md): one `record` document (profile, appointments), one per medication and one
//! `log/YYYY-MM` document per calendar month (UTC) of events (readings, doses, journal). Every
//! document begins with the same genesis on every replica, which creates its collections. Inside
//! a document each collection is a map from entry id to a map of the entry's fields, so that two
//! devices editing different fields of one entry both keep their edit. Deleting an entry sets its `deleted_at`
//! field (a tombstone): the entry stays in the document for the audit trail.

mod append;
mod doc_id;
mod entries;
mod genesis;
mod json;
mod touched;

pub(crate) use append::{Tip, append_change};
pub use doc_id::DocId;
pub(crate) use entries::{
    TOMBSTONE_FIELD, read_collection, read_entry, tombstone_entry, write_entry,
};
pub(crate) use genesis::{Shape, genesis, genesis_hash, identity, is_genesis};
pub(crate) use touched::{Touched, touched};
