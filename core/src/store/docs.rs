//! Loading and caching the Automerge documents kept as chunks in SQLite.

use automerge::{ActorId, Automerge, LoadOptions, OnPartialLoad};
use rusqlite::{Connection, OptionalExtension, params};

use super::Collection;
use crate::crdt::DocId;
use crate::error::{Error, Result};

/// How many documents stay loaded at once. A month of events costs a few MB loaded
/// (docs/architecture.md); writes go almost always to the record and the current month.
const CAPACITY: usize = 4;

/// A loaded document and the last chunk it contains.
struct Loaded {
    id: DocId,
    doc: Automerge,
    last_seq: i64,
}

/// A small most-recently-used cache of loaded documents, with what loading needs: the record
/// id (a document not stored yet starts from its genesis) and this replica's actor.
pub(crate) struct DocCache {
    loaded: Vec<Loaded>,
    record_id: String,
    actor: ActorId,
    /// Genesis hashes computed so far (each is a small Automerge document's commit).
    genesis: std::cell::RefCell<std::collections::HashMap<DocId, automerge::ChangeHash>>,
    /// Genesis documents made so far, for changes made without loading their document.
    genesis_docs: std::collections::HashMap<DocId, Automerge>,
}

/// The highest chunk sequence number stored for `doc` (0 when it has none).
fn last_seq(conn: &Connection, doc: DocId) -> Result<i64> {
    Ok(conn
        .query_row(
            "SELECT max(seq) FROM chunks WHERE doc = ?1",
            [doc.to_string()],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten()
        .unwrap_or(0))
}

/// Loads `doc` from its chunks, in order, with `actor` as the local actor; a document with no
/// chunk is its genesis. The chunks are parsed in one pass (loading them one by one costs time
/// quadratic in their number).
fn load(
    conn: &Connection,
    id: DocId,
    record_id: &str,
    actor: &ActorId,
) -> Result<(Automerge, i64)> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, bytes FROM chunks WHERE doc = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([id.to_string()])?;
    let (mut all, mut last) = (Vec::new(), 0);
    while let Some(row) = rows.next()? {
        last = row.get(0)?;
        let bytes: Vec<u8> = row.get(1)?;
        all.extend_from_slice(&bytes);
    }
    let doc = if all.is_empty() {
        crate::crdt::genesis(record_id, id, &Collection::shape(id)).map_err(|source| {
            Error::Document {
                doc: id.to_string(),
                source: Box::new(source),
            }
        })?
    } else {
        Automerge::load_with_options(
            &all,
            LoadOptions::new().on_partial_load(OnPartialLoad::Error),
        )
        .map_err(|source| Error::Document {
            doc: id.to_string(),
            source: Box::new(source),
        })?
    };
    Ok((doc.with_actor(actor.clone()), last))
}

/// How many chunks `doc` has.
pub(crate) fn chunk_count(conn: &Connection, doc: DocId) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM chunks WHERE doc = ?1")?
        .query_row([doc.to_string()], |r| r.get(0))?)
}

/// Replaces the chunks of `doc` by one snapshot; returns the snapshot's sequence number.
pub(crate) fn replace_with_snapshot(conn: &Connection, doc: DocId, snapshot: &[u8]) -> Result<i64> {
    conn.prepare_cached("DELETE FROM chunks WHERE doc = ?1")?
        .execute([doc.to_string()])?;
    append_chunk(conn, doc, snapshot)
}

/// Appends a chunk to `doc` and returns its sequence number.
pub(crate) fn append_chunk(conn: &Connection, doc: DocId, bytes: &[u8]) -> Result<i64> {
    conn.prepare_cached("INSERT INTO chunks (doc, bytes) VALUES (?1, ?2)")?
        .execute(params![doc.to_string(), bytes])?;
    Ok(conn.last_insert_rowid())
}

impl DocCache {
    /// An empty cache for the record `record_id`, writing as `actor`.
    pub(crate) fn new(record_id: String, actor: ActorId) -> Self {
        Self {
            loaded: Vec::new(),
            record_id,
            actor,
            genesis: std::cell::RefCell::default(),
            genesis_docs: std::collections::HashMap::new(),
        }
    }

    /// The record's id.
    pub(crate) fn record_id(&self) -> &str {
        &self.record_id
    }

    /// This replica's actor.
    pub(crate) fn actor(&self) -> &ActorId {
        &self.actor
    }

    /// Writes as `actor` from now on (every cached document is dropped).
    pub(crate) fn set_actor(&mut self, actor: ActorId) {
        self.actor = actor;
        self.loaded.clear();
    }

    /// Loads `id` from its chunks, bypassing the cache.
    pub(crate) fn load(&self, conn: &Connection, id: DocId) -> Result<(Automerge, i64)> {
        load(conn, id, &self.record_id, &self.actor)
    }

    /// The genesis hash of document `id` of this record.
    pub(crate) fn genesis_hash(&self, id: DocId) -> Result<automerge::ChangeHash> {
        if let Some(hash) = self.genesis.borrow().get(&id) {
            return Ok(*hash);
        }
        let hash = crate::crdt::genesis_hash(&self.record_id, id, &Collection::shape(id)).map_err(
            |source| Error::Document {
                doc: id.to_string(),
                source: Box::new(source),
            },
        )?;
        self.genesis.borrow_mut().insert(id, hash);
        Ok(hash)
    }

    /// The document `id`, loaded if needed, and reloaded if another connection wrote chunks to
    /// it since it was loaded. Call inside the write transaction, so that no one else can write
    /// between this check and the caller's own write.
    pub(crate) fn fresh(&mut self, conn: &Connection, id: DocId) -> Result<&mut Automerge> {
        let stored = last_seq(conn, id)?;
        let pos = self.loaded.iter().position(|l| l.id == id);
        let entry = match pos {
            Some(i) if self.loaded[i].last_seq == stored => self.loaded.remove(i),
            other => {
                if let Some(i) = other {
                    self.loaded.remove(i);
                }
                let (doc, last_seq) = self.load(conn, id)?;
                Loaded { id, doc, last_seq }
            }
        };
        self.loaded.insert(0, entry);
        self.loaded.truncate(CAPACITY);
        Ok(&mut self.loaded[0].doc)
    }

    /// The genesis of document `id` of this record, alone.
    pub(crate) fn genesis_doc(&mut self, id: DocId) -> Result<&Automerge> {
        use std::collections::hash_map::Entry;
        match self.genesis_docs.entry(id) {
            Entry::Occupied(kept) => Ok(kept.into_mut()),
            Entry::Vacant(slot) => {
                let doc = crate::crdt::genesis(&self.record_id, id, &Collection::shape(id))
                    .map_err(|source| Error::Document {
                        doc: id.to_string(),
                        source: Box::new(source),
                    })?;
                Ok(slot.insert(doc))
            }
        }
    }

    /// Whether `id` is loaded and holds every chunk stored for it.
    pub(crate) fn is_fresh(&self, conn: &Connection, id: DocId) -> Result<bool> {
        match self.loaded.iter().find(|l| l.id == id) {
            Some(l) => Ok(l.last_seq == last_seq(conn, id)?),
            None => Ok(false),
        }
    }

    /// Records that `changes`, stored as chunk `seq` of `id`, were made without the loaded
    /// document: applied to it when `apply` (the caller checked it was fresh), else the
    /// document is dropped, to be loaded with the new chunk when it is next needed.
    pub(crate) fn took(
        &mut self,
        id: DocId,
        apply: bool,
        changes: Vec<automerge::Change>,
        seq: i64,
    ) {
        let Some(i) = self.loaded.iter().position(|l| l.id == id) else {
            return;
        };
        if apply && self.loaded[i].doc.apply_changes(changes).is_ok() {
            self.loaded[i].last_seq = seq;
        } else {
            self.loaded.remove(i);
        }
    }

    /// Records that chunk `seq` of `id` is now part of the cached document.
    pub(crate) fn saved(&mut self, id: DocId, seq: i64) {
        if let Some(l) = self.loaded.iter_mut().find(|l| l.id == id) {
            l.last_seq = seq;
        }
    }

    /// Forgets `id`, whose in-memory state may be ahead of what was stored.
    pub(crate) fn evict(&mut self, id: DocId) {
        self.loaded.retain(|l| l.id != id);
    }

    /// Forgets every document.
    pub(crate) fn clear(&mut self) {
        self.loaded.clear();
    }
}
