//! Adding new entries to a document without loading it.
//!
//! A local write that only adds entries (a reading, a dose, an import of a year of readings)
//! needs from the document only what its next change builds on: the heads it depends on, this
//! actor's last sequence number in it and the highest operation counter it holds. Those are kept
//! beside the document's chunks ([`Tip`], `store::tips`), and the collections' objects come from
//! the document's genesis, which is the same on every replica. The change is then made directly,
//! with the operations [`super::write_entry`] makes for a new entry: a map at the entry's id in
//! its collection, each field put in it, nested maps and lists filled in order. Loading a month
//! of 3,000 entries to add one is what made a cold write cost twenty times a plain insert
//! (docs/storage.md).

use std::num::NonZeroU64;

use automerge::legacy::{ElementId, Key, ObjectId, Op, OpId, OpType, SortedVec};
use automerge::{ActorId, Automerge, Change, ChangeHash, ExpandedChange, ObjType, ROOT, ReadDoc};
use serde_json::{Map, Value as Json};

use super::json::scalar;

/// What a document's next local change builds on. Valid only while the document's chunks are
/// those it was taken from (`store::tips` drops it whenever they change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tip {
    /// The actor of the replica that wrote the last local change.
    pub actor: ActorId,
    /// That actor's last sequence number in the document (0: none yet).
    pub seq: u64,
    /// The highest operation counter in the document.
    pub max_op: u64,
    /// The document's heads.
    pub heads: Vec<ChangeHash>,
}

impl Tip {
    /// The tip of a document just after `change` was made locally on it: a local change
    /// depends on every head and starts past every operation the document holds, so it is the
    /// only head and its last operation the highest.
    pub(crate) fn after(change: &Change) -> Self {
        Self {
            actor: change.actor_id().clone(),
            seq: change.seq(),
            max_op: change.max_op(),
            heads: vec![change.hash()],
        }
    }
}

/// A new entry: its collection, id and fields.
pub(crate) type NewEntry<'a> = (&'a str, &'a str, &'a Map<String, Json>);

/// The operations of one change, numbered from its start.
struct Ops {
    actor: ActorId,
    start: u64,
    ops: Vec<Op>,
}

impl Ops {
    fn push(&mut self, action: OpType, obj: ObjectId, key: Key, insert: bool) -> OpId {
        let id = OpId(self.start + self.ops.len() as u64, self.actor.clone());
        self.ops.push(Op {
            action,
            obj,
            key,
            pred: SortedVec::new(),
            insert,
        });
        id
    }

    /// Puts `value` at `key` of `obj` (inserts it, for a list), as [`super::json::put`] does:
    /// objects become maps, arrays lists, the rest scalars.
    fn put(&mut self, obj: ObjectId, key: Key, insert: bool, value: &Json) -> OpId {
        match value {
            Json::Object(fields) => {
                let id = self.push(OpType::Make(ObjType::Map), obj, key, insert);
                self.fill(&id, fields);
                id
            }
            Json::Array(items) => {
                let id = self.push(OpType::Make(ObjType::List), obj, key, insert);
                let mut after = ElementId::Head;
                for item in items {
                    let elem = self.put(ObjectId::Id(id.clone()), Key::Seq(after), true, item);
                    after = ElementId::Id(elem);
                }
                id
            }
            other => self.push(OpType::Put(scalar(other)), obj, key, insert),
        }
    }

    fn fill(&mut self, map: &OpId, fields: &Map<String, Json>) {
        for (k, v) in fields {
            self.put(
                ObjectId::Id(map.clone()),
                Key::Map(k.as_str().into()),
                false,
                v,
            );
        }
    }
}

/// The object the genesis made for `collection`, if it made one.
fn collection_object(genesis: &Automerge, collection: &str) -> Option<OpId> {
    match genesis.get(ROOT, collection) {
        Ok(Some((automerge::Value::Object(ObjType::Map), automerge::ObjId::Id(ctr, actor, _)))) => {
            Some(OpId(ctr, actor))
        }
        _ => None,
    }
}

/// The change that adds `entries` (each under an id the document does not hold) to a document
/// at `tip`, whose genesis is `genesis`, made by the tip's actor as its next change. `None` when
/// there is nothing to add or an entry's collection is not one the genesis made (the caller then
/// writes through the loaded document).
pub(crate) fn append_change<'a>(
    genesis: &Automerge,
    tip: &Tip,
    entries: impl IntoIterator<Item = NewEntry<'a>>,
) -> Option<Change> {
    let seq = tip.seq.checked_add(1)?;
    let start = tip.max_op.checked_add(1)?;
    let actor = &tip.actor;
    let mut ops = Ops {
        actor: actor.clone(),
        start,
        ops: Vec::new(),
    };
    let mut objects: Vec<(&str, OpId)> = Vec::new();
    for (collection, id, fields) in entries {
        let coll = match objects.iter().find(|(name, _)| *name == collection) {
            Some((_, obj)) => obj.clone(),
            None => {
                let obj = collection_object(genesis, collection)?;
                objects.push((collection, obj.clone()));
                obj
            }
        };
        let entry = ops.push(
            OpType::Make(ObjType::Map),
            ObjectId::Id(coll),
            Key::Map(id.into()),
            false,
        );
        ops.fill(&entry, fields);
    }
    if ops.ops.is_empty() {
        return None;
    }
    Some(Change::from(ExpandedChange {
        operations: ops.ops,
        actor_id: actor.clone(),
        hash: None,
        seq,
        start_op: NonZeroU64::new(start)?,
        time: 0,
        message: None,
        deps: tip.heads.clone(),
        extra_bytes: Vec::new(),
        author: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::{DocId, Shape, genesis, read_collection, write_entry};
    use serde_json::json;

    fn shape() -> Shape {
        Shape {
            collections: vec!["readings", "doses", "journal"],
            fixed: vec![],
        }
    }

    fn fields(v: Json) -> Map<String, Json> {
        match v {
            Json::Object(m) => m,
            _ => unreachable!("an object"),
        }
    }

    /// A document with one entry written the usual way, and its tip.
    fn written() -> (Automerge, Automerge, Tip) {
        let doc_id = DocId::Log {
            year: 2026,
            month: 11,
        };
        let genesis = genesis("rec", doc_id, &shape()).expect("genesis");
        let actor = ActorId::from(b"0123456789abcdef".as_slice());
        let mut doc = genesis.clone().with_actor(actor);
        let mut tx = doc.transaction();
        write_entry(
            &mut tx,
            "readings",
            "a",
            &fields(json!({"at": "2026-11-02T08:00:00+01:00", "measurement": {"type": "bp", "systolic": 142}})),
            &[],
        )
        .expect("write");
        let (hash, _) = tx.commit();
        let change = doc
            .get_change_by_hash(&hash.expect("a change"))
            .expect("stored");
        let tip = Tip::after(&change);
        (genesis, doc, tip)
    }

    #[test]
    fn an_appended_entry_reads_as_one_written_through_the_document() {
        let (genesis, mut doc, tip) = written();
        let body = json!({
            "at": "2026-11-03T08:00:00+01:00",
            "measurement": {"type": "bp", "systolic": 138, "diastolic": 88},
            "symptoms": ["dizzy", {"id": "s1", "note": "mild"}],
            "note": null,
            "value": 5.5,
            "count": -3,
            "ok": true
        });
        let f = fields(body.clone());
        let actor = tip.actor.clone();
        let change = append_change(&genesis, &tip, [("readings", "b", &f)]).expect("a change");
        assert_eq!(change.seq(), tip.seq + 1);
        assert_eq!(change.deps(), tip.heads.as_slice());
        // Stored the way a write stores it, and loaded back.
        let mut bytes = doc.save();
        bytes.extend_from_slice(change.raw_bytes());
        let loaded = Automerge::load(&bytes).expect("loads");
        let all = read_collection(&loaded, "readings", &[]);
        assert_eq!(all.len(), 2);
        assert_eq!(all[1], ("b".to_string(), body.clone()));
        // And the document applies it as a change from a peer.
        doc.apply_changes([change]).expect("applies");
        assert_eq!(read_collection(&doc, "readings", &[])[1].1, body);
        // A later change through the loaded document builds on it.
        let mut doc = loaded.with_actor(actor);
        let mut tx = doc.transaction();
        write_entry(&mut tx, "readings", "c", &fields(json!({"n": 1})), &[]).expect("write");
        let (hash, _) = tx.commit();
        let next = doc
            .get_change_by_hash(&hash.expect("change"))
            .expect("stored");
        assert_eq!(next.seq(), tip.seq + 2);
    }

    #[test]
    fn unknown_collections_and_empty_changes_are_declined() {
        let (genesis, _, tip) = written();
        let f = fields(json!({"n": 1}));
        let change = append_change(&genesis, &tip, [("doses", "d", &f)]).expect("change");
        assert_eq!(change.seq(), tip.seq + 1);
        assert_eq!(change.start_op().get(), tip.max_op + 1);
        assert!(append_change(&genesis, &tip, [("nowhere", "d", &f)]).is_none());
        assert!(append_change(&genesis, &tip, []).is_none());
    }
}
