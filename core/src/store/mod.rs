//! The store: Automerge documents persisted as chunks in SQLite, and the materialized index
//! beside them in the same file.
//!
//! Every write is one SQLite transaction that appends the Automerge change to the document's
//! chunks and updates the index rows: both land or neither does (docs/storage.md). Opening a
//! record and every query touch SQLite only; a document is loaded when it is written to, synced
//! or exported.

mod collection;
mod docs;
mod encryption;
mod index;
mod rules;
pub(crate) use rules::taken_before;
mod schema;
mod tips;

use std::collections::BTreeMap;
use std::path::Path;

use automerge::{ActorId, Automerge, LoadOptions, OnPartialLoad};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde_json::{Map, Value as Json};

pub(crate) use collection::{Collection, Entity, PROFILE_ID, TARGETS_ID};
pub(crate) use index::Filter;
pub use schema::SCHEMA_VERSION;

use crate::crdt::{self, DocId, Tip};
use crate::error::{Error, Result};
use crate::keystore::RecordKeys;
use docs::DocCache;

/// A document is folded into one snapshot after a write once it has this many chunks.
const AUTO_COMPACT_CHUNKS: i64 = 128;

/// What runs inside the transaction that applies remote changes, once they are applied: it
/// reads the merged entries through the writer and may write what the merge calls for (an
/// alert), given the documents that changed. Returns how many alerts it raised.
pub(crate) type AfterApply<'a> = &'a dyn Fn(&mut Writer<'_>, &[DocId]) -> Result<u64>;

/// Whether a change of an entry of the named collection, from the first fields to the second
/// (`None`: absent), is allowed.
pub(crate) type EntryJudge<'a> = dyn Fn(&str, Option<&Json>, Option<&Json>) -> bool + 'a;

/// How strictly remote changes are judged: by the sync client, for an envelope whose author's
/// role it knows. `allow` says whether a collection may be written; with a policy, every change
/// must apply at once (none may wait for dependencies), and changes stored as pending by other
/// paths are not applied with it.
pub(crate) struct Policy<'a> {
    /// Whether the author may write the named collection (or root key) whole.
    pub allow: &'a dyn Fn(&str) -> bool,
    /// Whether the author may change an entry of the named collection from the first fields
    /// to the second (`None`: absent), as [`companion_protocol::Role::may_change`] judges.
    pub entry: &'a EntryJudge<'a>,
    /// The changes applied go into the sync outbox too, in the same transaction, so that the
    /// next sync passes them on to the other members (a replica file merged into a shared
    /// record: this device's later changes depend on them).
    pub forward: bool,
}

/// What applying remote changes did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ApplyReport {
    /// False when every change was already known (applying is idempotent).
    pub changed: bool,
    /// Entries the changes touched that are now in the index.
    pub indexed: u64,
    /// Entries that did not decode into a valid entry and were left out of the index.
    pub skipped: u64,
    /// Changes received that wait, stored, for changes they depend on.
    pub pending: u64,
    /// Entries that are new to this replica.
    pub added: u64,
    /// Entries this replica had whose content changed.
    pub updated: u64,
    /// Entries this replica had that are now deleted.
    pub deleted: u64,
    /// Alerts the merge raised here (a dose logged as taken on two devices).
    pub alerts_raised: u64,
}

/// One edit of a document.
enum Op {
    Put {
        coll: Collection,
        id: String,
        fields: Map<String, Json>,
        /// The entry's id was checked to be new: its document need not be read to write it.
        new: bool,
    },
    Tombstone {
        coll: Collection,
        id: String,
        when: String,
    },
}

impl Op {
    /// Whether this adds an entry under an id checked to be new.
    fn is_new(&self) -> bool {
        matches!(self, Op::Put { new: true, .. })
    }
}

/// Entries to add and edits to make in one transaction.
#[derive(Default)]
pub(crate) struct Batch {
    ops: BTreeMap<DocId, Vec<Op>>,
    rows: Vec<(Collection, DocId, collection::IndexRow)>,
    /// The entries this batch adds, to refuse an id twice in one write (a set: an import adds
    /// a hundred thousand).
    new_ids: std::collections::HashSet<(Collection, String)>,
}

impl Batch {
    /// Adds a new entry, validated by the caller, with its `fields` (its JSON form).
    fn insert<E: Entity>(&mut self, item: &E, fields: Map<String, Json>) -> Result<()> {
        let doc = item.home_doc();
        self.ops.entry(doc).or_default().push(Op::Put {
            coll: E::COLLECTION,
            id: item.entry_id().to_string(),
            fields,
            new: true,
        });
        self.rows.push((
            E::COLLECTION,
            doc,
            collection::row_for(item, false).map_err(encode_error)?,
        ));
        self.new_ids
            .insert((E::COLLECTION, item.entry_id().to_string()));
        Ok(())
    }
}

/// One write in progress: an IMMEDIATE SQLite transaction, begun before the first read. Every
/// read through it sees what is committed, and no other connection can commit until this write
/// does, so a check that decides the write (a dose limit, a duplicate import, a field edit)
/// cannot act on stale data. The edits are applied when the closure given to [`Store::write`]
/// returns `Ok`; reads do not see the write's own pending edits.
pub(crate) struct Writer<'t> {
    conn: &'t Connection,
    batch: Batch,
    cache: &'t mut DocCache,
    /// Documents that a flush left with enough chunks to be folded after the commit.
    long: Vec<DocId>,
    /// Whether a flush has applied edits to the documents (cached ones included).
    flushed: bool,
}

impl<'t> Writer<'t> {
    /// A write inside the open transaction `conn`.
    fn new(conn: &'t Connection, cache: &'t mut DocCache) -> Self {
        Self {
            conn,
            batch: Batch::default(),
            cache,
            long: Vec::new(),
            flushed: false,
        }
    }

    /// Applies the edits made so far to the documents and the index, inside the same
    /// transaction (nothing is committed): reads from here on see them, and a long write (an
    /// import) holds in memory only what was edited since the last flush.
    pub(crate) fn flush(&mut self) -> Result<()> {
        let batch = std::mem::take(&mut self.batch);
        self.flushed |= !batch.ops.is_empty();
        for doc in finish(self.conn, self.cache, batch)? {
            if !self.long.contains(&doc) {
                self.long.push(doc);
            }
        }
        Ok(())
    }

    /// Flushes what remains; returns the documents to fold after the commit.
    fn done(mut self) -> Result<Vec<DocId>> {
        self.flush()?;
        Ok(self.long)
    }
}

impl Writer<'_> {
    /// The live entry `id`, as committed.
    pub(crate) fn get<E: Entity>(&self, id: &str) -> Result<Option<E>> {
        index::get(self.conn, id)
    }

    /// Live entries matching `filter`, newest first, with their time in ms.
    pub(crate) fn list<E: Entity>(&self, filter: &Filter<'_>) -> Result<Vec<(i64, E)>> {
        index::list(self.conn, filter)
    }

    /// Whether an entry of that kind has that id, live or deleted.
    pub(crate) fn exists<E: Entity>(&self, id: &str) -> Result<bool> {
        Ok(index::locate(self.conn, E::COLLECTION, id)?.is_some()
            || self.block_copy::<E>(id)?.is_some())
    }

    /// The ids of the readings imported between `first_ms` and `last_ms` (inclusive) that have
    /// entries of their own, live or deleted (`model::imported_reading_id`).
    pub(crate) fn imported_ids_between(
        &self,
        first_ms: i64,
        last_ms: i64,
    ) -> Result<std::collections::HashSet<String>> {
        index::own_rows(self.conn, first_ms, last_ms)
    }

    /// The reading `id` kept in an import block and nowhere else (`None` for anything else).
    fn block_copy<E: Entity>(&self, id: &str) -> Result<Option<crate::model::Reading>> {
        if E::COLLECTION != Collection::Readings {
            return Ok(None);
        }
        index::in_block(self.conn, id)
    }

    /// Writes `item`, a reading kept in an import block, as an entry of its own (deleted
    /// at `deleted`, if given), which hides the block's copy from then on: blocks are never
    /// edited. Its id is new among the entries.
    fn own_entry<E: Entity>(&mut self, item: &E, deleted: Option<DateTime<Utc>>) -> Result<()> {
        let mut fields = collection::to_fields(item).map_err(encode_error)?;
        if let Some(when) = deleted {
            fields.insert(
                crdt::TOMBSTONE_FIELD.to_string(),
                Json::String(when.to_rfc3339()),
            );
        }
        let doc = item.home_doc();
        self.batch.ops.entry(doc).or_default().push(Op::Put {
            coll: E::COLLECTION,
            id: item.entry_id().to_string(),
            fields,
            new: true,
        });
        let row = collection::row_for(item, deleted.is_some()).map_err(encode_error)?;
        self.batch.rows.push((E::COLLECTION, doc, row));
        self.batch
            .new_ids
            .insert((E::COLLECTION, item.entry_id().to_string()));
        Ok(())
    }

    /// The live entry imported under `ext_key`, if any.
    pub(crate) fn find_external(&self, coll: Collection, ext_key: &str) -> Result<Option<String>> {
        index::find_external(self.conn, coll, ext_key)
    }

    /// Adds a new entry (validated, and held to its entity's rules, `store::rules`); refuses an
    /// id that exists, even deleted.
    pub(crate) fn insert<E: Entity>(&mut self, item: &E) -> Result<()> {
        let id = item.entry_id();
        let pending = self
            .batch
            .new_ids
            .contains(&(E::COLLECTION, id.to_string()));
        if pending || self.exists::<E>(id)? {
            return Err(Error::AlreadyExists { entity: E::NAME });
        }
        item.validate()?;
        let fields = collection::to_fields(item).map_err(encode_error)?;
        item.check_write(self, &fields)?;
        self.batch.insert(item, fields)
    }

    /// Writes the fields of an existing live entry that differ from the document (validated, and
    /// held to its entity's rules, `store::rules`).
    pub(crate) fn update<E: Entity>(&mut self, item: &E) -> Result<()> {
        item.validate()?;
        let fields = collection::to_fields(item).map_err(encode_error)?;
        item.check_write(self, &fields)?;
        let id = item.entry_id();
        let doc = match index::locate(self.conn, E::COLLECTION, id)? {
            Some((doc, false)) => doc,
            Some((_, true)) => return Err(Error::NotFound { entity: E::NAME }),
            None if self.block_copy::<E>(id)?.is_some()
                && !self
                    .batch
                    .new_ids
                    .contains(&(E::COLLECTION, id.to_string())) =>
            {
                return self.own_entry(item, None);
            }
            None => return Err(Error::NotFound { entity: E::NAME }),
        };
        self.batch.ops.entry(doc).or_default().push(Op::Put {
            coll: E::COLLECTION,
            id: id.to_string(),
            fields,
            new: false,
        });
        let row = collection::row_for(item, false).map_err(encode_error)?;
        self.batch.rows.push((E::COLLECTION, doc, row));
        Ok(())
    }

    /// Adds the entry if its id is new, writes its changed fields otherwise (the profile).
    pub(crate) fn put<E: Entity>(&mut self, item: &E) -> Result<()> {
        if self.exists::<E>(item.entry_id())? {
            self.update(item)
        } else {
            self.insert(item)
        }
    }

    /// Deletes a live entry: a tombstone in its document, hidden from every query.
    pub(crate) fn delete<E: Entity>(&mut self, id: &str, when: DateTime<Utc>) -> Result<()> {
        let Some(item) = self.get::<E>(id)? else {
            return Err(Error::NotFound { entity: E::NAME });
        };
        let Some((doc, _)) = index::locate(self.conn, E::COLLECTION, id)? else {
            if self
                .batch
                .new_ids
                .contains(&(E::COLLECTION, id.to_string()))
            {
                return Err(Error::NotFound { entity: E::NAME });
            }
            // A reading kept in an import block (`get` found it there).
            return self.own_entry(&item, Some(when));
        };
        self.batch.ops.entry(doc).or_default().push(Op::Tombstone {
            coll: E::COLLECTION,
            id: id.to_string(),
            when: when.to_rfc3339(),
        });
        let row = collection::row_for(&item, true).map_err(encode_error)?;
        self.batch.rows.push((E::COLLECTION, doc, row));
        Ok(())
    }

    /// This device is the patient's own (the record is not shared, or this device owns it), as
    /// committed.
    pub(crate) fn on_patients_device(&self) -> Result<bool> {
        Ok(local_role(self.conn)?.is_none_or(|r| r == companion_protocol::Role::Owner))
    }

    /// Adds an entry restored from an export, as it was written: validated, its id new, but not
    /// held to the entity's rules (they ran when it was first written, against what the record
    /// held then; a merge applies other replicas' entries the same way).
    pub(crate) fn restore<E: Entity>(&mut self, item: &E) -> Result<()> {
        let id = item.entry_id();
        if self.exists::<E>(id)? {
            return Err(Error::AlreadyExists { entity: E::NAME });
        }
        item.validate()?;
        let fields = collection::to_fields(item).map_err(encode_error)?;
        self.batch.insert(item, fields)
    }

    /// Whether the record holds anything but its profile, live or deleted, as committed.
    pub(crate) fn holds_more_than_profile(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM entries WHERE collection != ?1",
            [Collection::Profile.name()],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Reads the live entry `id`, lets `edit` change it, and writes the fields that changed.
    /// Returns the entry as written.
    pub(crate) fn modify<E: Entity>(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut E) -> Result<()>,
    ) -> Result<E> {
        let mut item = self
            .get::<E>(id)?
            .ok_or(Error::NotFound { entity: E::NAME })?;
        edit(&mut item)?;
        self.update(&item)?;
        Ok(item)
    }
}

/// Reads of committed entries: from the store, or from inside a write (so that code which
/// decides a write can read through the write's own transaction).
pub(crate) trait Read {
    /// The live entry `id`, if any.
    fn get<E: Entity>(&self, id: &str) -> Result<Option<E>>;
    /// Live entries matching `filter`, newest first, with their time in ms.
    fn list<E: Entity>(&self, filter: &Filter<'_>) -> Result<Vec<(i64, E)>>;
}

impl Read for Writer<'_> {
    fn get<E: Entity>(&self, id: &str) -> Result<Option<E>> {
        Writer::get(self, id)
    }
    fn list<E: Entity>(&self, filter: &Filter<'_>) -> Result<Vec<(i64, E)>> {
        Writer::list(self, filter)
    }
}

impl Read for Store {
    fn get<E: Entity>(&self, id: &str) -> Result<Option<E>> {
        Store::get(self, id)
    }
    fn list<E: Entity>(&self, filter: &Filter<'_>) -> Result<Vec<(i64, E)>> {
        Store::list(self, filter)
    }
}

/// Live entries of one kind matching `filter`, newest first.
pub(crate) fn all<E: Entity>(r: &impl Read, filter: &Filter<'_>) -> Result<Vec<E>> {
    Ok(r.list(filter)?.into_iter().map(|(_, e)| e).collect())
}

/// Live entries of one kind in `range`, newest first, with `tag` if given.
pub(crate) fn in_range<E: Entity>(
    r: &impl Read,
    tag: Option<&str>,
    range: crate::query::TimeRange,
) -> Result<Vec<E>> {
    let (from_ms, to_ms) = range.millis();
    all(
        r,
        &Filter {
            tag,
            from_ms,
            to_ms,
            ..Filter::default()
        },
    )
}

/// Applies to `stored` the top-level fields in which `after` differs from `before`: the edit a
/// caller made to the copy it read, onto what is committed now. Fields the caller did not touch
/// keep whatever another writer stored meanwhile.
pub(crate) fn apply_edit<E: Entity>(stored: &mut E, before: &E, after: &E) -> Result<()> {
    let before = collection::to_fields(before).map_err(encode_error)?;
    let after = collection::to_fields(after).map_err(encode_error)?;
    let mut merged = collection::to_fields(stored).map_err(encode_error)?;
    for key in before.keys().chain(after.keys()) {
        if before.get(key) != after.get(key) {
            match after.get(key) {
                Some(value) => merged.insert(key.clone(), value.clone()),
                None => merged.remove(key),
            };
        }
    }
    *stored = serde_json::from_value(Json::Object(merged)).map_err(|_| Error::Corrupt {
        detail: "an edited entry does not decode",
    })?;
    Ok(())
}

/// The SQLite `application_id` of a Companion record ("Cmpn").
const APPLICATION_ID: i64 = 0x436D_706E;

/// Refuses, before anything is written through `conn`, a database that is not a Companion
/// record (or one this code began to create): reads its `application_id` and table names.
fn ensure_ours(conn: &Connection) -> Result<()> {
    let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let ours = ["meta", "chunks", "entries"]
        .iter()
        .all(|t| tables.iter().any(|n| n == t));
    if app == APPLICATION_ID || (app == 0 && ours) {
        Ok(())
    } else {
        Err(Error::NotARecord)
    }
}

/// `path` made absolute and free of `.`/`..` and links, whether or not the file exists yet.
pub(crate) fn canonical(path: &Path) -> Option<std::path::PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?,
    };
    Some(parent.join(path.file_name()?))
}

/// What checking a record found: counts and SQLite's own messages, never a stored value.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct CheckReport {
    /// What SQLite's `integrity_check` reported (empty when the file is sound).
    pub integrity: Vec<String>,
    /// Documents that could not be loaded.
    pub unreadable_documents: u64,
    /// Entries of the documents with no index row.
    pub missing_rows: u64,
    /// Index rows with no entry in the documents.
    pub extra_rows: u64,
    /// Index rows whose content differs from the documents.
    pub differing_rows: u64,
    /// Index rows whose body does not match its checksum.
    pub bad_checksums: u64,
    /// The collections where a row is missing, extra or differs (`readings`, `medications`).
    pub collections: Vec<String>,
}

impl CheckReport {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        *self == Self::default()
    }

    /// Whether rebuilding the index from the documents can put right what was found: the file
    /// and the documents are sound, only index rows are wrong.
    pub fn index_only(&self) -> bool {
        self.integrity.is_empty() && self.unreadable_documents == 0
    }
}

/// What a repair did: what was wrong before, whether the index was rebuilt, what is still
/// wrong after (nothing, when the damage was in the index alone).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepairReport {
    /// The findings before the repair.
    pub before: CheckReport,
    /// Whether the index was rebuilt from the documents.
    pub rebuilt: bool,
    /// The findings after it.
    pub after: CheckReport,
}

/// A connection to the sync tables, with the record's secrets beside it (sync's secrets live
/// in the device's key store, never in the file). A secret written through it is kept before
/// the transaction commits: a crash in between leaves an unused secret, never a missing one.
pub(crate) struct SyncConn<'a> {
    conn: &'a Connection,
    /// The record's secrets.
    pub(crate) keys: &'a RecordKeys,
}

impl std::ops::Deref for SyncConn<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

/// The storage of one record: one SQLite file.
pub(crate) struct Store {
    /// Set once SQLite or a checksum reported damage: writes are refused until a repair.
    damaged: std::cell::Cell<bool>,
    /// The record file, canonical; `None` if it cannot be resolved.
    path: Option<std::path::PathBuf>,
    conn: Connection,
    cache: DocCache,
    /// The file's key and the record's sync secrets, in the device's key store.
    keys: RecordKeys,
}

fn document_error(doc: DocId) -> impl FnOnce(automerge::AutomergeError) -> Error {
    move |source| Error::Document {
        doc: doc.to_string(),
        source: Box::new(source),
    }
}

fn malformed(doc: DocId) -> impl FnOnce(automerge::AutomergeError) -> Error {
    move |source| Error::InvalidChanges {
        doc: doc.to_string(),
        source: Box::new(source),
    }
}

fn encode_error(_: serde_json::Error) -> Error {
    Error::Corrupt {
        detail: "an entry could not be encoded",
    }
}

impl Store {
    /// Creates a record at `path`, which must not hold one yet, and writes `first` (the
    /// profile) in the same transaction as the record's identity: a crash leaves either no
    /// record or a whole one.
    pub(crate) fn create(
        path: &Path,
        keys: &RecordKeys,
        first: impl FnOnce(&mut Writer<'_>) -> Result<()>,
    ) -> Result<Self> {
        Self::new_file(path, keys, &crate::model::new_id(), |tx, cache| {
            let mut writer = Writer::new(tx, cache);
            first(&mut writer)?;
            writer.done().map(|_| ())
        })
    }

    /// Creates at `path`, which must not hold a record, a new replica of the record
    /// `record_id` from another replica's documents: the same record id, an actor of its own,
    /// no profile of its own. Each document must belong to that record (its genesis says so);
    /// otherwise nothing is created. Returns the new store.
    pub(crate) fn join(
        path: &Path,
        keys: &RecordKeys,
        record_id: &str,
        loaded: &[(DocId, Automerge)],
    ) -> Result<Self> {
        for (doc_id, doc) in loaded {
            check_identity(doc, record_id, *doc_id)?;
        }
        Self::new_file(path, keys, record_id, |tx, _| {
            for (doc_id, doc) in loaded {
                docs::append_chunk(tx, *doc_id, &doc.save())?;
                materialize(tx, *doc_id, doc)?;
            }
            Ok(())
        })
    }

    /// Creates the record `record_id` at `path` (which must not hold one yet) with an actor of
    /// its own, and lets `fill` write its first contents in the same transaction as its
    /// identity: a crash leaves either no record or a whole one.
    fn new_file(
        path: &Path,
        keys: &RecordKeys,
        record_id: &str,
        fill: impl FnOnce(&SyncConn<'_>, &mut DocCache) -> Result<()>,
    ) -> Result<Self> {
        let exists = encryption::exists(path)?;
        let (mut conn, file_key) = if exists {
            encryption::open(path, keys, OpenFlags::default(), ensure_ours)?
        } else {
            encryption::create(path, keys)?
        };
        if exists {
            ensure_ours(&conn)?;
        } else {
            // The first byte written marks the file as a record.
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'record_id'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if existing.is_some() {
            return Err(Error::RecordExists);
        }
        let actor = ActorId::random();
        write_identity(&tx, record_id, &actor, path)?;
        let mut cache = DocCache::new(record_id.to_string(), actor);
        let keys = keys.of_file(&file_key);
        fill(
            &SyncConn {
                conn: &tx,
                keys: &keys,
            },
            &mut cache,
        )?;
        tx.commit()?;
        Ok(Self {
            damaged: std::cell::Cell::new(false),
            path: canonical(path),
            conn,
            cache,
            keys,
        })
    }

    /// Re-encrypts the record file at `path` under a new key (see `encryption::rekey`); the
    /// file must not be open elsewhere. `secrets` names the sync secrets kept for it.
    pub(crate) fn rekey(
        path: &Path,
        keys: &RecordKeys,
        secrets: fn(&Connection) -> Result<Vec<String>>,
    ) -> Result<()> {
        encryption::rekey(path, keys, ensure_ours, secrets)
    }

    /// Deletes the record file at `path` and its keys (see `encryption::remove`); the file
    /// must not be open elsewhere.
    pub(crate) fn remove(
        path: &Path,
        keys: &RecordKeys,
        secrets: fn(&Connection) -> Result<Vec<String>>,
    ) -> Result<()> {
        encryption::remove(path, keys, ensure_ours, secrets)
    }

    /// Opens the record at `path`. Touches SQLite only.
    pub(crate) fn open(path: &Path, keys: &RecordKeys) -> Result<Self> {
        let (mut conn, file_key) = encryption::open(
            path,
            keys,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            ensure_ours,
        )?;
        ensure_ours(&conn)?;
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        let keys = keys.of_file(&file_key);
        encryption::adopt_secrets(&mut conn, &keys)?;
        let meta = |key: &str| -> Result<Option<String>> {
            Ok(conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()?)
        };
        let (Some(record_id), Some(actor)) = (meta("record_id")?, meta("actor")?) else {
            return Err(Error::NoRecord);
        };
        let actor = ActorId::try_from(actor.as_str()).map_err(|_| Error::Corrupt {
            detail: "the device's actor id is damaged",
        })?;
        Ok(Self {
            damaged: std::cell::Cell::new(false),
            path: canonical(path),
            conn,
            cache: DocCache::new(record_id, actor),
            keys,
        })
    }

    /// Whether `path` names the record's own file, or its `-wal`, `-shm` or `-journal` file
    /// beside it, by whatever name (so that no output is ever written over the record).
    pub(crate) fn is_own_file(&self, path: &Path) -> bool {
        let (Some(own), Some(other)) = (&self.path, canonical(path)) else {
            return false;
        };
        if &other == own {
            return true;
        }
        ["-wal", "-shm", "-journal"].iter().any(|suffix| {
            let mut side = own.clone().into_os_string();
            side.push(suffix);
            other.as_os_str() == side
        })
    }

    /// Runs `f` in one IMMEDIATE transaction on the sync tables (nothing of the documents or
    /// the index); commits when it returns `Ok`.
    pub(crate) fn sync_tx<T>(&mut self, f: impl FnOnce(&SyncConn<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&SyncConn {
            conn: &tx,
            keys: &self.keys,
        })?;
        tx.commit()?;
        Ok(out)
    }

    /// Reads the sync tables.
    pub(crate) fn sync_read<T>(&self, f: impl FnOnce(&SyncConn<'_>) -> Result<T>) -> Result<T> {
        f(&SyncConn {
            conn: &self.conn,
            keys: &self.keys,
        })
    }

    /// Creates at `path` an empty replica of the record `record_id` (no documents yet) and
    /// lets `fill` write its sharing state in the same transaction.
    pub(crate) fn join_empty(
        path: &Path,
        keys: &RecordKeys,
        record_id: &str,
        fill: impl FnOnce(&SyncConn<'_>) -> Result<()>,
    ) -> Result<Self> {
        Self::new_file(path, keys, record_id, |tx, _| fill(tx))
    }

    /// The record's id.
    pub(crate) fn record_id(&self) -> &str {
        self.cache.record_id()
    }

    /// Runs `f` inside one IMMEDIATE transaction (see [`Writer`]) and applies the edits it made
    /// in the same transaction; commits only when `f` returns `Ok`. On any failure nothing is
    /// stored, and the touched documents are reloaded from disk on their next use.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        // The transaction itself is one function, not one copy per caller (about 80 KB of the
        // phone library): the caller's edit reaches it as a `dyn` closure run exactly once.
        let mut edit = Some(f);
        let mut out = None;
        self.write_once(&mut |w| match edit.take() {
            Some(f) => f(w).map(|v| out = Some(v)),
            None => Ok(()),
        })?;
        Ok(out.expect("write_once runs the edit before it commits"))
    }

    /// [`Store::write`] for an edit that is run once: refuses a damaged record, and remembers
    /// damage that the write reports.
    fn write_once(&mut self, f: &mut dyn FnMut(&mut Writer<'_>) -> Result<()>) -> Result<()> {
        if self.damaged.get() {
            return Err(Error::Corrupt {
                detail: "the record is damaged: writes are refused until it is checked and repaired",
            });
        }
        let result = self.write_inner(f);
        if let Err(e) = &result {
            self.note(e);
        }
        result
    }

    /// Remembers damage that SQLite or a checksum reported.
    fn note(&self, e: &Error) {
        if e.storage_kind() == Some(crate::error::StorageKind::Corrupt) {
            self.mark_damaged();
        }
    }

    /// Remembers damage here and in the file (`meta` key `damaged`), so that every process
    /// refuses writes until a repair; the file's note is best effort (a file too damaged to
    /// take it refuses writes anyway).
    fn mark_damaged(&self) {
        self.damaged.set(true);
        let _ = self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('damaged', '1')",
            [],
        );
    }

    fn write_inner(&mut self, f: &mut dyn FnMut(&mut Writer<'_>) -> Result<()>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Damage another process found, read inside this write.
        if tx
            .prepare_cached("SELECT 1 FROM meta WHERE key = 'damaged'")?
            .exists([])?
        {
            self.damaged.set(true);
            return Err(Error::Corrupt {
                detail: "the record is damaged: writes are refused until it is checked and repaired",
            });
        }
        own_actor(&tx, self.path.as_deref(), &mut self.cache)?;
        let mut writer = Writer::new(&tx, &mut self.cache);
        let result = match f(&mut writer) {
            // A refusal before anything reached the documents: the cache is as stored.
            Err(e) if !writer.flushed => return Err(e),
            edited => edited.and_then(|()| writer.done()).and_then(|long| {
                tx.commit()?;
                Ok(long)
            }),
        };
        match &result {
            // What the cache took from this write is not stored.
            Err(_) => self.cache.clear(),
            Ok(long) => {
                for &doc in long {
                    if self.compact_if_long(doc).is_err() {
                        // The write itself is durable; compaction is retried after the next write.
                        self.cache.evict(doc);
                    }
                }
            }
        }
        result.map(|_| ())
    }

    /// Adds new entries in one transaction; refuses ids that exist (even deleted ones).
    pub(crate) fn insert<E: Entity>(&mut self, items: &[E]) -> Result<()> {
        self.write(|w| items.iter().try_for_each(|item| w.insert(item)))
    }

    /// Writes the fields of an existing live entry that differ from what is stored.
    pub(crate) fn update<E: Entity>(&mut self, item: &E) -> Result<()> {
        self.write(|w| w.update(item))
    }

    /// Adds the entry if its id is new, replaces it otherwise (the profile).
    pub(crate) fn put<E: Entity>(&mut self, item: &E) -> Result<()> {
        self.write(|w| w.put(item))
    }

    /// Deletes a live entry: a tombstone in its document, hidden from every query.
    pub(crate) fn delete<E: Entity>(&mut self, id: &str, when: DateTime<Utc>) -> Result<()> {
        self.write(|w| w.delete::<E>(id, when))
    }

    /// The live entry `id`, if any.
    pub(crate) fn get<E: Entity>(&self, id: &str) -> Result<Option<E>> {
        index::get(&self.conn, id).inspect_err(|e| self.note(e))
    }

    /// The live alerts not acknowledged and not resolved before `resolved_since` (Unix
    /// seconds), newest first ([`index::unseen_alerts`]).
    pub(crate) fn unseen_alerts(&self, resolved_since: i64) -> Result<Vec<crate::model::Alert>> {
        index::unseen_alerts(&self.conn, resolved_since).inspect_err(|e| self.note(e))
    }

    /// Live entries matching `filter`, newest first, with their time in ms.
    pub(crate) fn list<E: Entity>(&self, filter: &Filter<'_>) -> Result<Vec<(i64, E)>> {
        index::list(&self.conn, filter).inspect_err(|e| self.note(e))
    }

    /// The live entries matching `filter`, in its order, without their positions.
    pub(crate) fn entries<E: Entity>(&self, filter: &Filter<'_>) -> Result<Vec<E>> {
        index::entries(&self.conn, filter).inspect_err(|e| self.note(e))
    }

    /// Checks the file and every index row's checksum, changing no entry (damage found is noted): `full`, SQLite's
    /// integrity check and a comparison of the index with a rebuild from the documents;
    /// otherwise SQLite's quick check and the checksums only. When something is wrong, later
    /// writes are refused, in every process, until a repair.
    pub(crate) fn check(&self, full: bool) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        match self
            .conn
            .prepare(if full {
                "PRAGMA integrity_check"
            } else {
                "PRAGMA quick_check"
            })
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            }) {
            Ok(lines) => report.integrity = lines.into_iter().filter(|l| l != "ok").collect(),
            Err(e) => report.integrity.push(Error::from(e).to_string()),
        }
        let mut expected = std::collections::HashMap::new();
        // The quick check compares nothing with the documents (loading every document is
        // most of a full check's time).
        let docs = match documents(&self.conn) {
            Ok(_) if !full => Vec::new(),
            Ok(docs) => docs,
            Err(e) => {
                report.integrity.push(e.to_string());
                Vec::new()
            }
        };
        for doc_id in docs {
            let Ok((doc, _)) = self.cache.load(&self.conn, doc_id) else {
                report.unreadable_documents += 1;
                continue;
            };
            for &coll in Collection::in_doc(doc_id) {
                for (id, fields) in crdt::read_collection(&doc, coll.name(), coll.atomic_fields()) {
                    if let Some(row) = coll.index_row(&id, &fields) {
                        expected.insert((coll.name().to_string(), id), (doc_id.to_string(), row));
                    }
                }
            }
        }
        let mut touched = std::collections::BTreeSet::new();
        let stored = self.conn.prepare(
            "SELECT collection, id, doc, tag, at_ms, ext_key, deleted, body, sum, until_ms
             FROM entries",
        );
        let rows = stored.and_then(|mut s| {
            s.query_map([], |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                    r.get::<_, String>(2)?,
                    collection::IndexRow {
                        id: r.get(1)?,
                        tag: r.get(3)?,
                        at_ms: r.get(4)?,
                        until_ms: r.get(9)?,
                        ext_key: r.get(5)?,
                        deleted: r.get(6)?,
                        body: r.get(7)?,
                    },
                    r.get::<_, Option<i64>>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        });
        match rows {
            Ok(rows) => {
                for (key, doc, row, sum) in rows {
                    if sum != Some(index::checksum(&row.body)) {
                        report.bad_checksums += 1;
                        touched.insert(key.0.clone());
                    }
                    match expected.remove(&key) {
                        None if !full => {}
                        None => {
                            report.extra_rows += 1;
                            touched.insert(key.0);
                        }
                        Some((want_doc, want)) if want_doc != doc || want != row => {
                            report.differing_rows += 1;
                            touched.insert(key.0);
                        }
                        Some(_) => {}
                    }
                }
            }
            Err(e) => report.integrity.push(Error::from(e).to_string()),
        }
        for ((coll, _), _) in expected {
            report.missing_rows += 1;
            touched.insert(coll);
        }
        report.collections = touched.into_iter().collect();
        if !report.is_ok() {
            // What a check finds wrong stops writes as SQLite's own report of damage does.
            self.mark_damaged();
        }
        Ok(report)
    }

    /// Rebuilds the index from the documents when that can put right what [`Store::check`]
    /// finds; returns the findings before and after. Writes are allowed again once the record
    /// checks clean.
    pub(crate) fn repair(&mut self) -> Result<RepairReport> {
        let before = self.check(true)?;
        let rebuilt = !before.is_ok() && before.index_only();
        if rebuilt {
            self.rebuild_index()?;
        }
        let after = self.check(true)?;
        if after.is_ok() {
            self.damaged.set(false);
            self.conn
                .execute("DELETE FROM meta WHERE key = 'damaged'", [])?;
        }
        Ok(RepairReport {
            before,
            rebuilt,
            after,
        })
    }

    /// Applies Automerge bytes received from another replica to document `doc` in one
    /// transaction, re-indexing what they touched: a whole document (as `export_document`
    /// gives) or one change. Idempotent; malformed bytes, or a document of another record, are
    /// refused with nothing written.
    pub(crate) fn apply_changes(
        &mut self,
        doc: DocId,
        bytes: &[u8],
        after: AfterApply<'_>,
    ) -> Result<ApplyReport> {
        if automerge::Change::from_bytes(bytes.to_vec()).is_ok() {
            return self.apply_remote(doc, &[bytes.to_vec()], after);
        }
        let incoming = Automerge::load_with_options(
            bytes,
            LoadOptions::new().on_partial_load(OnPartialLoad::Error),
        )
        .map_err(malformed(doc))?;
        if incoming.get_heads().is_empty() {
            return Ok(ApplyReport::default());
        }
        check_identity(&incoming, self.record_id(), doc)?;
        let changes = incoming.get_changes(&[]);
        self.apply_parsed(doc, changes, after)
    }

    /// The heads of document `doc` (empty for a document the record does not hold yet).
    pub(crate) fn heads(&mut self, doc: DocId) -> Result<Vec<automerge::ChangeHash>> {
        Ok(self.cache.fresh(&self.conn, doc)?.get_heads())
    }

    /// Of `hashes`, those document `doc` does not hold: the changes this replica has not
    /// received (what a held envelope waits for).
    pub(crate) fn absent_changes(
        &mut self,
        doc: DocId,
        hashes: &[automerge::ChangeHash],
    ) -> Result<Vec<automerge::ChangeHash>> {
        let doc = self.cache.fresh(&self.conn, doc)?;
        Ok(hashes
            .iter()
            .filter(|h| automerge::ReadDoc::get_change_by_hash(&*doc, h).is_none())
            .copied()
            .collect())
    }

    /// The changes of `doc` that a peer whose heads are `have` lacks, oldest first, each as
    /// Automerge's bytes of one change.
    pub(crate) fn changes_since(
        &mut self,
        doc_id: DocId,
        have: &[automerge::ChangeHash],
    ) -> Result<Vec<Vec<u8>>> {
        let doc = self.cache.fresh(&self.conn, doc_id)?;
        Ok(doc
            .get_changes(have)
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect())
    }

    /// Applies single Automerge changes from another replica to `doc`, in any order and
    /// duplicated, in one transaction: those whose dependencies are here are applied and the
    /// document re-indexed; the others are stored and applied when their dependencies arrive,
    /// across restarts. Malformed bytes are refused with nothing written.
    pub(crate) fn apply_remote(
        &mut self,
        doc_id: DocId,
        changes: &[Vec<u8>],
        after: AfterApply<'_>,
    ) -> Result<ApplyReport> {
        let parsed = changes
            .iter()
            .map(|bytes| {
                automerge::Change::from_bytes(bytes.clone()).map_err(|e| Error::InvalidChanges {
                    doc: doc_id.to_string(),
                    source: Box::new(e),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.apply_parsed(doc_id, parsed, after)
    }

    /// Applies parsed changes (see [`Store::apply_remote`]).
    fn apply_parsed(
        &mut self,
        doc_id: DocId,
        changes: Vec<automerge::Change>,
        after: AfterApply<'_>,
    ) -> Result<ApplyReport> {
        let (mut reports, raised) = self.apply_documents(vec![(doc_id, changes)], after)?;
        let mut report = reports.pop().unwrap_or_default();
        report.alerts_raised = raised;
        Ok(report)
    }

    /// Applies changes from another replica to several documents in one transaction: all land
    /// or none does. Refuses a genesis of another record, and a change that clashes with one of
    /// this replica's own. `after` runs in the same transaction once the changes are applied.
    /// Returns one report per document, in order, and the alerts `after` raised.
    pub(crate) fn apply_documents(
        &mut self,
        docs: Vec<(DocId, Vec<automerge::Change>)>,
        after: AfterApply<'_>,
    ) -> Result<(Vec<ApplyReport>, u64)> {
        self.apply_documents_with(docs, after, None, &mut |_| Ok(()))
    }

    /// [`Store::apply_documents`], judged by `policy` when given (see [`Policy`]; a change
    /// that breaks it fails the whole call with [`Error::NotPermitted`] or
    /// [`Error::ChangesWaiting`], nothing written), with `then` run last in the same
    /// transaction (the sync client advances its cursor there).
    pub(crate) fn apply_documents_with(
        &mut self,
        docs: Vec<(DocId, Vec<automerge::Change>)>,
        after: AfterApply<'_>,
        policy: Option<&Policy<'_>>,
        then: &mut dyn FnMut(&Connection) -> Result<()>,
    ) -> Result<(Vec<ApplyReport>, u64)> {
        for (doc_id, changes) in &docs {
            let genesis = self.cache.genesis_hash(*doc_id)?;
            if changes
                .iter()
                .any(|c| crdt::is_genesis(c) && c.hash() != genesis)
            {
                return Err(Error::OtherRecord {
                    doc: doc_id.to_string(),
                });
            }
        }
        let ids: Vec<DocId> = docs.iter().map(|(d, _)| *d).collect();
        let result = self.apply_documents_inner(docs, after, policy, then);
        if result.is_err() {
            ids.iter().for_each(|d| self.cache.evict(*d));
        }
        result
    }

    fn apply_documents_inner(
        &mut self,
        docs: Vec<(DocId, Vec<automerge::Change>)>,
        after: AfterApply<'_>,
        policy: Option<&Policy<'_>>,
        then: &mut dyn FnMut(&Connection) -> Result<()>,
    ) -> Result<(Vec<ApplyReport>, u64)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        own_actor(&tx, self.path.as_deref(), &mut self.cache)?;
        let (mut reports, mut copied, mut changed) =
            (Vec::with_capacity(docs.len()), false, Vec::new());
        for (doc_id, changes) in docs {
            let (report, from_copy) = apply_one(&tx, &mut self.cache, doc_id, changes, policy)?;
            if report.changed {
                changed.push(doc_id);
            }
            reports.push(report);
            copied |= from_copy;
        }
        if copied {
            // A change made under this replica's actor that this replica lacked comes from a
            // copy of its file (or a backup that went on): this replica takes a new actor, so
            // that the two never write one sequence number twice.
            let actor = ActorId::random();
            tx.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'actor'",
                [actor.to_hex_string()],
            )?;
            self.cache.set_actor(actor);
        }
        let mut raised = 0;
        if !changed.is_empty() {
            let mut writer = Writer::new(&tx, &mut self.cache);
            raised = after(&mut writer, &changed)?;
            writer.done()?;
        }
        then(&tx)?;
        tx.commit()?;
        Ok((reports, raised))
    }

    /// Rebuilds every index row from the documents, in one transaction.
    pub(crate) fn rebuild_index(&mut self) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM entries", [])?;
        for doc_id in documents(&tx)? {
            let (doc, _) = self.cache.load(&tx, doc_id)?;
            materialize(&tx, doc_id, &doc)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Folds each document's chunks into one snapshot. Returns how many chunks were removed.
    pub(crate) fn compact(&mut self) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut removed = 0;
        for doc_id in documents(&tx)? {
            let count = docs::chunk_count(&tx, doc_id)?;
            if count < 2 {
                continue;
            }
            let tip = tips::read(&tx, doc_id)?;
            let (doc, _) = self.cache.load(&tx, doc_id)?;
            docs::replace_with_snapshot(&tx, doc_id, &doc.save())?;
            if let Some(tip) = tip {
                tips::write(&tx, doc_id, &tip)?;
            }
            removed += usize::try_from(count - 1).unwrap_or(0);
        }
        tx.commit()?;
        self.cache.clear();
        Ok(removed)
    }

    /// Folds `doc` into one snapshot once it has gathered [`AUTO_COMPACT_CHUNKS`] chunks, so
    /// that loading a document stays fast however many single writes went into it.
    /// The count that decides is read inside the compaction's own transaction.
    fn compact_if_long(&mut self, doc_id: DocId) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if docs::chunk_count(&tx, doc_id)? < AUTO_COMPACT_CHUNKS {
            return Ok(());
        }
        let tip = tips::read(&tx, doc_id)?;
        let doc = self.cache.fresh(&tx, doc_id)?;
        let seq = docs::replace_with_snapshot(&tx, doc_id, &doc.save())?;
        // A snapshot holds the same changes: the tip still holds.
        if let Some(tip) = tip {
            tips::write(&tx, doc_id, &tip)?;
        }
        tx.commit()?;
        self.cache.saved(doc_id, seq);
        Ok(())
    }

    /// The documents the record holds.
    pub(crate) fn documents(&self) -> Result<Vec<DocId>> {
        documents(&self.conn)
    }

    /// The whole document `doc` as one Automerge save, for a replica that has none of it.
    pub(crate) fn export_document(&mut self, doc: DocId) -> Result<Vec<u8>> {
        let (doc, _) = self.cache.load(&self.conn, doc)?;
        Ok(doc.save())
    }

    /// The number of chunks stored, for tests and diagnostics.
    pub(crate) fn chunk_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM chunks", [], |r| r.get(0))?)
    }
}

/// Applies `changes` (with those stored as pending for `doc_id`) inside the open transaction
/// `tx`; stores those still waiting for dependencies and re-indexes what the others touched.
/// Returns the report and whether a change came from a copy of this replica.
fn apply_one(
    tx: &Connection,
    cache: &mut DocCache,
    doc_id: DocId,
    mut changes: Vec<automerge::Change>,
    policy: Option<&Policy<'_>>,
) -> Result<(ApplyReport, bool)> {
    use automerge::ReadDoc;
    let name = doc_id.to_string();
    if policy.is_none() {
        let mut stmt = tx.prepare_cached("SELECT bytes FROM pending_changes WHERE doc = ?1")?;
        let rows = stmt.query_map([&name], |r| r.get::<_, Vec<u8>>(0))?;
        for bytes in rows {
            changes.push(
                automerge::Change::from_bytes(bytes?).map_err(|_| Error::Corrupt {
                    detail: "a stored pending change does not decode",
                })?,
            );
        }
    }
    let new_doc = docs::chunk_count(tx, doc_id)? == 0;
    let own = cache.actor().clone();
    let doc = cache.fresh(tx, doc_id)?;
    let copied = changes
        .iter()
        .any(|c| c.actor_id() == &own && doc.get_change_by_hash(&c.hash()).is_none());
    let heads = if new_doc { Vec::new() } else { doc.get_heads() };
    let fresh: Vec<automerge::Change> = changes
        .iter()
        .filter(|c| doc.get_change_by_hash(&c.hash()).is_none())
        .cloned()
        .collect();
    doc.apply_changes(changes.clone()).map_err(|e| match e {
        automerge::AutomergeError::DuplicateSeqNumber(..) => Error::ReplicaClash {
            doc: doc_id.to_string(),
        },
        other => document_error(doc_id)(other),
    })?;
    for change in &changes {
        let hash = change.hash().to_string();
        if doc.get_change_by_hash(&change.hash()).is_some() {
            tx.prepare_cached("DELETE FROM pending_changes WHERE doc = ?1 AND hash = ?2")?
                .execute([&name, &hash])?;
        } else {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO pending_changes (doc, hash, bytes) VALUES (?1, ?2, ?3)",
            )?
            .execute(rusqlite::params![&name, &hash, change.raw_bytes()])?;
        }
    }
    let pending: i64 = tx.query_row(
        "SELECT count(*) FROM pending_changes WHERE doc = ?1",
        [&name],
        |r| r.get(0),
    )?;
    let pending = u64::try_from(pending).unwrap_or(0);
    if policy.is_some()
        && fresh
            .iter()
            .any(|c| doc.get_change_by_hash(&c.hash()).is_none())
    {
        return Err(Error::ChangesWaiting { doc: name });
    }
    let new = doc.save_after(&heads);
    if new.is_empty() {
        return Ok((
            ApplyReport {
                pending,
                ..ApplyReport::default()
            },
            copied,
        ));
    }
    let tip = tips::read(tx, doc_id)?;
    let seq = docs::append_chunk(tx, doc_id, &new)?;
    // Only the entries the changes touched are indexed again (not the whole month).
    let applied: Vec<automerge::Change> = fresh
        .into_iter()
        .filter(|c| doc.get_change_by_hash(&c.hash()).is_some())
        .collect();
    // The tip moves past what was applied, so that this replica's next entry is still added
    // without loading the document (the chunk just appended dropped the old tip).
    if let Some(tip) = tip.filter(|_| !copied) {
        let max_op = applied
            .iter()
            .map(automerge::Change::max_op)
            .fold(tip.max_op, u64::max);
        let moved = Tip {
            max_op,
            heads: doc.get_heads(),
            ..tip
        };
        tips::write(tx, doc_id, &moved)?;
    }
    let names: Vec<&str> = Collection::in_doc(doc_id)
        .iter()
        .map(|c| c.name())
        .collect();
    let touched = crdt::touched(doc, &applied, &names);
    if let Some(policy) = policy {
        judge_touched(tx, doc_id, doc, &touched, policy)?;
    }
    if policy.is_some_and(|p| p.forward) {
        let mut stmt = tx.prepare_cached("INSERT INTO sync_outbox (doc, bytes) VALUES (?1, ?2)")?;
        for c in &applied {
            stmt.execute(rusqlite::params![name, c.raw_bytes()])?;
        }
    }
    let mut report = reindex_touched(tx, doc_id, doc, &touched)?;
    report.changed = true;
    report.pending = pending;
    cache.saved(doc_id, seq);
    Ok((report, copied))
}

/// Refuses, with [`Error::NotPermitted`], changes that touched what `policy` does not allow:
/// a whole collection, or an entry judged by its fields before (as indexed) and after (as the
/// document now has them).
fn judge_touched(
    tx: &Connection,
    doc_id: DocId,
    doc: &Automerge,
    touched: &crdt::Touched,
    policy: &Policy<'_>,
) -> Result<()> {
    let refused = |coll: &str| {
        Err(Error::NotPermitted {
            collection: coll.to_string(),
        })
    };
    for coll in &touched.collections {
        if !(policy.allow)(coll) {
            return refused(coll);
        }
    }
    for (coll, id) in &touched.entries {
        if !companion_protocol::Role::judges_fields(coll) {
            if !(policy.allow)(coll) {
                return refused(coll);
            }
            continue;
        }
        let atomic = Collection::in_doc(doc_id)
            .iter()
            .find(|c| c.name() == coll)
            .map_or(&[][..], |c| c.atomic_fields());
        let before: Option<Json> = tx
            .prepare_cached("SELECT body FROM entries WHERE collection = ?1 AND id = ?2")?
            .query_row([coll.as_str(), id.as_str()], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|body| serde_json::from_str(&body).ok());
        let after = crdt::read_entry(doc, coll, id, atomic);
        if !(policy.entry)(coll, before.as_ref(), after.as_ref()) {
            return refused(coll);
        }
    }
    Ok(())
}

/// Makes sure, inside the write transaction `tx`, that this replica writes under an actor
/// no other file uses: when the file is a copy (its identity differs from the one stored),
/// it takes a new actor before writing anything, so that the copy and the original never
/// make two different changes with one actor and sequence number. Also adopts an actor
/// that another process on this file took.
fn own_actor(tx: &Connection, path: Option<&Path>, cache: &mut DocCache) -> Result<()> {
    let meta = |key: &str| -> Result<Option<String>> {
        Ok(tx
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    };
    let here = path.and_then(file_identity);
    let mut actor = match meta("actor")? {
        Some(hex) => ActorId::try_from(hex.as_str()).map_err(|_| Error::Corrupt {
            detail: "the device's actor id is damaged",
        })?,
        None => return Err(Error::NoRecord),
    };
    if let Some(here) = here
        && meta("file")?.as_deref() != Some(here.as_str())
    {
        actor = ActorId::random();
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('actor', ?1), ('file', ?2)",
            [&actor.to_hex_string(), &here],
        )?;
    }
    if &actor != cache.actor() {
        cache.set_actor(actor);
    }
    Ok(())
}

/// Stores the record id, the replica's actor and the identity of its file.
fn write_identity(tx: &Connection, record_id: &str, actor: &ActorId, path: &Path) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('record_id', ?1), ('actor', ?2)",
        [record_id, &actor.to_hex_string()],
    )?;
    if let Some(file) = file_identity(path) {
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('file', ?1)",
            [&file],
        )?;
    }
    Ok(())
}

/// What tells this file from a copy of it: its device and inode (a copy, a backup restored or
/// a file moved to another phone has others). `None` where the platform does not say.
fn file_identity(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some(format!("{}:{}", meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Refuses a document whose genesis names another record or another document.
fn check_identity(doc: &Automerge, record_id: &str, doc_id: DocId) -> Result<()> {
    match crdt::identity(doc) {
        Some((record, name)) if record == record_id && name == doc_id.to_string() => Ok(()),
        _ => Err(Error::OtherRecord {
            doc: doc_id.to_string(),
        }),
    }
}

/// Applies `batch` inside the open transaction `tx`: one Automerge change per document it
/// touches (appended as a chunk), then its index rows. Returns the documents that have
/// gathered enough chunks to be folded into a snapshot.
fn finish(tx: &Connection, cache: &mut DocCache, batch: Batch) -> Result<Vec<DocId>> {
    let mut long = Vec::new();
    let role = if batch.ops.is_empty() {
        None
    } else {
        local_role(tx)?
    };
    let sends = if let Some(role) = role {
        // A member writes only what its role may: what others would refuse is refused here.
        for (doc_id, ops) in &batch.ops {
            // Only an edit reads what the entry held: a new entry held nothing.
            let doc = if ops.iter().all(Op::is_new) {
                None
            } else {
                Some(&*cache.fresh(tx, *doc_id)?)
            };
            for op in ops {
                let (coll, id, fields) = match op {
                    Op::Put {
                        coll, id, fields, ..
                    } => (coll, id, Some(fields)),
                    Op::Tombstone { coll, id, .. } => (coll, id, None),
                };
                let name = coll.name();
                // A viewer keeps the alerts its own merge rules raise, and sends nothing.
                let viewer_alert = role == companion_protocol::Role::Viewer && name == "alerts";
                let allowed = if companion_protocol::Role::judges_fields(name) {
                    let before = match (doc, op.is_new()) {
                        (Some(doc), false) => crdt::read_entry(doc, name, id, coll.atomic_fields()),
                        _ => None,
                    };
                    let after = fields.map(|f| Json::Object(f.clone()));
                    role.may_change(name, before.as_ref(), after.as_ref())
                } else {
                    role.may_write(name)
                };
                if !allowed && !viewer_alert {
                    return Err(Error::NotPermitted {
                        collection: name.to_string(),
                    });
                }
            }
        }
        role != companion_protocol::Role::Viewer
    } else {
        false
    };
    for (doc_id, ops) in batch.ops {
        if let Some(changes) = appended(tx, cache, doc_id, &ops)? {
            if sends {
                let mut stmt =
                    tx.prepare_cached("INSERT INTO sync_outbox (doc, bytes) VALUES (?1, ?2)")?;
                for c in &changes {
                    stmt.execute(rusqlite::params![doc_id.to_string(), c.raw_bytes()])?;
                }
            }
            let fresh = cache.is_fresh(tx, doc_id)?;
            let bytes: Vec<u8> = changes
                .iter()
                .flat_map(|c| c.raw_bytes())
                .copied()
                .collect();
            let seq = docs::append_chunk(tx, doc_id, &bytes)?;
            if let Some(last) = changes.last() {
                tips::write(tx, doc_id, &Tip::after(last))?;
            }
            // A loaded document takes a small change as cheaply as it would have made it; a
            // large one (an import) is left to be loaded when it is next needed.
            cache.took(doc_id, fresh && ops.len() < 64, changes, seq);
            if docs::chunk_count(tx, doc_id)? >= AUTO_COMPACT_CHUNKS {
                long.push(doc_id);
            }
            continue;
        }
        let new_doc = docs::chunk_count(tx, doc_id)? == 0;
        let doc = cache.fresh(tx, doc_id)?;
        // A document stored for the first time is saved with its genesis.
        let heads = if new_doc { Vec::new() } else { doc.get_heads() };
        let mut change = doc.transaction();
        for op in &ops {
            match op {
                Op::Put {
                    coll, id, fields, ..
                } => {
                    crdt::write_entry(&mut change, coll.name(), id, fields, coll.atomic_fields())
                        .map_err(document_error(doc_id))?;
                }
                Op::Tombstone { coll, id, when } => {
                    crdt::tombstone_entry(&mut change, coll.name(), id, when)
                        .map_err(document_error(doc_id))?;
                }
            }
        }
        let (hash, _) = change.commit();
        let bytes = doc.save_after(&heads);
        let tip = hash
            .and_then(|h| automerge::ReadDoc::get_change_by_hash(&*doc, &h))
            .map(|c| Tip::after(&c));
        if !bytes.is_empty() {
            if sends {
                // In the same transaction as the write: what the next sync pushes.
                let mut stmt =
                    tx.prepare_cached("INSERT INTO sync_outbox (doc, bytes) VALUES (?1, ?2)")?;
                for c in doc.get_changes(&heads) {
                    stmt.execute(rusqlite::params![doc_id.to_string(), c.raw_bytes()])?;
                }
            }
            let seq = docs::append_chunk(tx, doc_id, &bytes)?;
            cache.saved(doc_id, seq);
            if let Some(tip) = tip {
                tips::write(tx, doc_id, &tip)?;
            }
        }
        if docs::chunk_count(tx, doc_id)? >= AUTO_COMPACT_CHUNKS {
            long.push(doc_id);
        }
    }
    for (coll, doc, row) in &batch.rows {
        index::upsert(tx, *coll, *doc, row)?;
    }
    Ok(long)
}

/// The changes that add the new entries `ops` to `doc_id` without loading it, when they are all
/// new entries and the document's tip is kept and is this replica's, or the document is not
/// stored yet (its genesis is then the first change).
fn appended(
    tx: &Connection,
    cache: &mut DocCache,
    doc_id: DocId,
    ops: &[Op],
) -> Result<Option<Vec<automerge::Change>>> {
    if !ops.iter().all(Op::is_new) {
        return Ok(None);
    }
    let mut changes = Vec::new();
    let tip = match tips::read(tx, doc_id)? {
        Some(tip) => tip,
        None if docs::chunk_count(tx, doc_id)? == 0 => {
            let genesis = cache.genesis_doc(doc_id)?.get_changes(&[]);
            let [first] = genesis.as_slice() else {
                return Ok(None);
            };
            let tip = Tip {
                actor: cache.actor().clone(),
                seq: 0,
                max_op: first.max_op(),
                heads: vec![first.hash()],
            };
            changes.push(first.clone());
            tip
        }
        None => return Ok(None),
    };
    if tip.actor != *cache.actor() {
        return Ok(None);
    }
    let entries = ops.iter().filter_map(|op| match op {
        Op::Put {
            coll, id, fields, ..
        } => Some((coll.name(), id.as_str(), fields)),
        Op::Tombstone { .. } => None,
    });
    let Some(change) = crdt::append_change(cache.genesis_doc(doc_id)?, &tip, entries) else {
        return Ok(None);
    };
    changes.push(change);
    Ok(Some(changes))
}

/// Whether the record is shared through a relay (its local changes then go to the outbox).
/// This device's role in the shared record, `None` when the record is not shared (a role not
/// known here is taken as a viewer's: it writes nothing others accept).
pub(crate) fn local_role(conn: &Connection) -> Result<Option<companion_protocol::Role>> {
    if !is_shared(conn)? {
        return Ok(None);
    }
    let role: Option<String> = conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = 'role'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(Some(
        role.as_deref()
            .and_then(companion_protocol::Role::parse)
            .unwrap_or(companion_protocol::Role::Viewer),
    ))
}

pub(crate) fn is_shared(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM sync_state WHERE key = 'relay'")?
        .exists([])?)
}

fn documents(conn: &Connection) -> Result<Vec<DocId>> {
    let mut stmt = conn.prepare("SELECT DISTINCT doc FROM chunks ORDER BY doc")?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for name in names {
        out.push(DocId::parse(&name?).ok_or(Error::Corrupt {
            detail: "a chunk names an unknown document",
        })?);
    }
    Ok(out)
}

/// Indexes again the entries of `doc` that changes touched (see [`crdt::touched`]): an entry
/// whose fields changed, or every entry of a collection created or replaced. Counts what it indexed,
/// skipped, added, updated and deleted; an entry that no longer decodes loses its index row.
fn reindex_touched(
    conn: &Connection,
    doc_id: DocId,
    doc: &Automerge,
    touched: &crdt::Touched,
) -> Result<ApplyReport> {
    let (entries, collections) = (&touched.entries, &touched.collections);
    let mut report = ApplyReport::default();
    for &coll in Collection::in_doc(doc_id) {
        let all = collections.contains(coll.name());
        let wanted: Vec<(String, Json)> = if all {
            crdt::read_collection(doc, coll.name(), coll.atomic_fields())
        } else {
            entries
                .iter()
                .filter(|(c, _)| c == coll.name())
                .filter_map(|(_, id)| {
                    crdt::read_entry(doc, coll.name(), id, coll.atomic_fields())
                        .map(|f| (id.clone(), f))
                })
                .collect()
        };
        for (id, fields) in wanted {
            let before: Option<(bool, String)> = conn
                .prepare_cached(
                    "SELECT deleted, body FROM entries WHERE collection = ?1 AND id = ?2",
                )?
                .query_row([coll.name(), id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match coll.index_row(&id, &fields) {
                Some(row) => {
                    match &before {
                        None if !row.deleted => report.added += 1,
                        Some((false, _)) if row.deleted => report.deleted += 1,
                        Some((_, body)) if *body != row.body => report.updated += 1,
                        _ => {}
                    }
                    index::upsert(conn, coll, doc_id, &row)?;
                    report.indexed += 1;
                }
                None => {
                    conn.prepare_cached("DELETE FROM entries WHERE collection = ?1 AND id = ?2")?
                        .execute([coll.name(), id.as_str()])?;
                    report.skipped += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Rewrites every document of a record made before documents had a genesis (schema 6): each
/// becomes its genesis plus one change by this replica holding everything the old document
/// showed, with the entries and fields that lost a conflict merged back in (docs/storage.md).
/// Runs inside the migration's transaction; the index is rebuilt from the new documents, and
/// changes that waited for dependencies in the old history are dropped (they can never apply).
pub(super) fn regenesis(tx: &Connection) -> Result<()> {
    let meta = |key: &str| -> Result<Option<String>> {
        Ok(tx
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    };
    let (Some(record_id), Some(actor)) = (meta("record_id")?, meta("actor")?) else {
        return Ok(());
    };
    let actor = ActorId::try_from(actor.as_str()).map_err(|_| Error::Corrupt {
        detail: "the device's actor id is damaged",
    })?;
    let cache = DocCache::new(record_id.clone(), actor.clone());
    tx.execute("DELETE FROM entries", [])?;
    tx.execute("DELETE FROM pending_changes", [])?;
    for doc_id in documents(tx)? {
        let (old, _) = cache.load(tx, doc_id)?;
        let mut new = crdt::genesis(&record_id, doc_id, &Collection::shape(doc_id))
            .map_err(document_error(doc_id))?
            .with_actor(actor.clone());
        let mut change = new.transaction();
        for &coll in Collection::in_doc(doc_id) {
            for (id, fields) in crdt::read_collection(&old, coll.name(), coll.atomic_fields()) {
                let Json::Object(mut fields) = fields else {
                    continue;
                };
                for &list in coll.containers() {
                    fields
                        .entry(list)
                        .or_insert_with(|| Json::Array(Vec::new()));
                }
                crdt::write_entry(&mut change, coll.name(), &id, &fields, coll.atomic_fields())
                    .map_err(document_error(doc_id))?;
            }
        }
        change.commit();
        docs::replace_with_snapshot(tx, doc_id, &new.save())?;
        materialize(tx, doc_id, &new)?;
    }
    Ok(())
}

/// Writes the index rows of every entry in `doc`. Returns (indexed, skipped).
fn materialize(conn: &Connection, doc_id: DocId, doc: &Automerge) -> Result<(u64, u64)> {
    let (mut indexed, mut skipped) = (0, 0);
    for &coll in Collection::in_doc(doc_id) {
        for (id, fields) in crdt::read_collection(doc, coll.name(), coll.atomic_fields()) {
            match coll.index_row(&id, &fields) {
                Some(row) => {
                    index::upsert(conn, coll, doc_id, &row)?;
                    indexed += 1;
                }
                None => skipped += 1,
            }
        }
    }
    Ok((indexed, skipped))
}
