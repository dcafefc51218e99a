//! The genesis of a document: the first change of every document of a record, made alike by
//! every replica, so that the containers shared by all (the collections, the profile) are one
//! object everywhere and never a conflict (docs/storage.md).
//!
//! The genesis change depends only on the record id and the document's name: its actor is
//! [`GENESIS_ACTOR`], its time 0, its operations fixed. Two replicas that create a document
//! independently make the same change, with the same hash, which Automerge stores once. A
//! document of another record, or another document, has another genesis: that is how changes
//! of another record are told apart.
//!
//! The genesis is frozen: what it creates may only grow through a migration that adds a new,
//! equally deterministic change after it.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, Automerge, AutomergeError, ChangeHash, ObjType, ROOT, ReadDoc, Value};

use super::DocId;

/// The actor of every genesis change; no other change is ever made by it.
const GENESIS_ACTOR: &[u8; 16] = b"companion.origin";

/// The version of the genesis (the document format); stored at its root.
pub(crate) const FORMAT: i64 = 1;

/// What a document's genesis contains, besides the record id and its name.
pub(crate) struct Shape {
    /// The collections: one map each.
    pub collections: Vec<&'static str>,
    /// Entries with a fixed id (the profile): `(collection, id)`, one map each.
    pub fixed: Vec<(&'static str, &'static str)>,
}

/// A new document holding only its genesis.
pub(crate) fn genesis(
    record_id: &str,
    doc: DocId,
    shape: &Shape,
) -> Result<Automerge, AutomergeError> {
    let mut am = Automerge::new().with_actor(ActorId::from(GENESIS_ACTOR.as_slice()));
    let mut tx = am.transaction();
    tx.put(ROOT, "record_id", record_id)?;
    tx.put(ROOT, "document", doc.to_string())?;
    tx.put(ROOT, "format", FORMAT)?;
    for &name in &shape.collections {
        let coll = tx.put_object(ROOT, name, ObjType::Map)?;
        for &(c, id) in &shape.fixed {
            if c == name {
                tx.put_object(&coll, id, ObjType::Map)?;
            }
        }
    }
    tx.commit_with(CommitOptions::default().with_time(0));
    Ok(am)
}

/// The hash of the genesis change of `doc` of the record `record_id`.
pub(crate) fn genesis_hash(
    record_id: &str,
    doc: DocId,
    shape: &Shape,
) -> Result<ChangeHash, AutomergeError> {
    let am = genesis(record_id, doc, shape)?;
    am.get_heads()
        .into_iter()
        .next()
        .ok_or(AutomergeError::Fail)
}

/// Whether a change was made by the genesis actor.
pub(crate) fn is_genesis(change: &automerge::Change) -> bool {
    change.actor_id().to_bytes() == GENESIS_ACTOR.as_slice()
}

/// The record id and document name a document says it belongs to, from its genesis.
pub(crate) fn identity<R: ReadDoc>(doc: &R) -> Option<(String, String)> {
    let text = |key: &str| match doc.get(ROOT, key) {
        Ok(Some((Value::Scalar(s), _))) => s.as_str().map(str::to_string),
        _ => None,
    };
    Some((text("record_id")?, text("document")?))
}
