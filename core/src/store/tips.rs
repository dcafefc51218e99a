//! Each document's tip (`crdt::Tip`): what its next local change builds on, kept so that adding
//! entries does not load the document (`crdt::append_change`).
//!
//! A tip is written right after the chunk of the change it follows, in the same transaction;
//! changes from other replicas applied through the change feed move it on. Triggers on
//! `chunks` (schema 11) delete a document's tip whenever any of its chunks is added or
//! removed, so a path that changes a document without writing its tip (a replica file merged,
//! a repair) leaves none rather than a stale one; the next write then loads the document.

use automerge::{ActorId, ChangeHash};
use rusqlite::{Connection, OptionalExtension, params};

use crate::crdt::{DocId, Tip};
use crate::error::Result;

/// The tip of `doc`, if one is kept and well formed.
pub(crate) fn read(conn: &Connection, doc: DocId) -> Result<Option<Tip>> {
    let row: Option<(Vec<u8>, i64, i64, Vec<u8>)> = conn
        .prepare_cached("SELECT actor, seq, max_op, heads FROM doc_tips WHERE doc = ?1")?
        .query_row([doc.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((actor, seq, max_op, heads)) = row else {
        return Ok(None);
    };
    let (Ok(seq), Ok(max_op)) = (u64::try_from(seq), u64::try_from(max_op)) else {
        return Ok(None);
    };
    let heads: Option<Vec<ChangeHash>> = heads
        .chunks(32)
        .map(|h| ChangeHash::try_from(h).ok())
        .collect();
    Ok(heads.map(|heads| Tip {
        actor: ActorId::from(actor),
        seq,
        max_op,
        heads,
    }))
}

/// Keeps `tip` as the tip of `doc`. Call after appending the chunk it follows.
pub(crate) fn write(conn: &Connection, doc: DocId, tip: &Tip) -> Result<()> {
    let heads: Vec<u8> = tip.heads.iter().flat_map(|h| h.0).collect();
    conn.prepare_cached(
        "INSERT OR REPLACE INTO doc_tips (doc, actor, seq, max_op, heads) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        doc.to_string(),
        tip.actor.to_bytes(),
        i64::try_from(tip.seq).unwrap_or(i64::MAX),
        i64::try_from(tip.max_op).unwrap_or(i64::MAX),
        heads
    ])?;
    Ok(())
}
