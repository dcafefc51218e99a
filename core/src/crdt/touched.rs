//! Which entries a set of changes touched, read from the changes' own operations: what the
//! index must update after remote changes are applied, without asking Automerge for patches
//! (which computes a path for every operation and cost more than the application itself).

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{Automerge, Change, Prop, ReadDoc};

/// The entries and whole collections some changes touched.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    /// `(collection, entry id)` of every entry an operation was on or inside.
    pub entries: BTreeSet<(String, String)>,
    /// Collections to index again whole: one an operation put at the root (a genesis, a
    /// collection replaced), or where an object could not be placed.
    pub collections: BTreeSet<String>,
}

/// What `changes`, applied to `doc`, touched. An operation on an object the same change
/// created is covered by the operation that created it.
pub(crate) fn touched(doc: &Automerge, changes: &[Change], all: &[&str]) -> Touched {
    let mut out = Touched::default();
    // Where each object operated on sits: `None` for one that could not be placed.
    let mut placed: HashMap<String, Option<(String, Option<String>)>> = HashMap::new();
    for change in changes {
        let expanded = change.decode();
        let actor = expanded.actor_id.to_hex_string();
        let created: HashSet<String> = expanded
            .operations
            .iter()
            .enumerate()
            .filter(|(_, op)| matches!(op.action, OpType::Make(_)))
            .map(|(i, _)| format!("{}@{actor}", expanded.start_op.get() + i as u64))
            .collect();
        for op in &expanded.operations {
            let key = match &op.key {
                Key::Map(k) => Some(k.to_string()),
                Key::Seq(_) => None,
            };
            let obj = match &op.obj {
                ObjectId::Root => {
                    if let Some(k) = key {
                        out.collections.insert(k);
                    }
                    continue;
                }
                ObjectId::Id(id) => id.to_string(),
            };
            if created.contains(&obj) {
                continue;
            }
            let place = placed
                .entry(obj.clone())
                .or_insert_with(|| place(doc, &obj))
                .clone();
            match place {
                // On a collection map: the key is the entry.
                Some((coll, None)) => {
                    if let Some(id) = key {
                        out.entries.insert((coll, id));
                    }
                }
                Some((coll, Some(id))) => {
                    out.entries.insert((coll, id));
                }
                None => out.collections.extend(all.iter().map(|c| c.to_string())),
            }
        }
    }
    out
}

/// The collection an object is, or the collection and entry it is inside.
fn place(doc: &Automerge, obj: &str) -> Option<(String, Option<String>)> {
    let id = doc.import_obj(obj).ok()?;
    let path = doc.parents(&id).ok()?.path();
    let name = |p: &Prop| match p {
        Prop::Map(k) => Some(k.clone()),
        Prop::Seq(_) => None,
    };
    match path.as_slice() {
        [(_, coll)] => Some((name(coll)?, None)),
        [(_, coll), (_, entry), ..] => Some((name(coll)?, Some(name(entry)?))),
        [] => None,
    }
}
