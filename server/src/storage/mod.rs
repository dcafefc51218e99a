//! Where the relay keeps what it is sent: behind [`Storage`], so that SQLite (one file, no
//! set-up, one relay process) and PostgreSQL (several relay processes over one database) both
//! back it, chosen by [`open`].
//!
//! Everything goes through a transaction ([`Storage::begin`]). A transaction begun with a
//! record's lock holds that record's write lock until it ends, in the database itself: every
//! check the relay makes (the membership at the position an item will get) and the appends it
//! decides are one step, also when several relay processes serve the record. Positions are
//! assigned inside that transaction, so none is lost or given twice.

mod postgres;
mod sqlite;

pub use postgres::PostgresStorage;
pub use sqlite::SqliteStorage;

use std::sync::Arc;

/// A storage failure: the relay answers 500 and logs the kind, never the data.
#[derive(Debug, thiserror::Error)]
#[error("storage failed: {0}")]
pub struct StorageError(String);

impl StorageError {
    pub(crate) fn new(what: impl Into<String>) -> Self {
        Self(what.into())
    }
}

/// One stored log item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    /// Its position in the record's log.
    pub seq: u64,
    /// 1 membership, 2 envelope (`companion_protocol::wire::ItemKind`).
    pub kind: u8,
    /// The device that wrote it.
    pub author: String,
    /// The SHA-256 of its bytes as they arrived (kept when compaction drops the bytes).
    pub digest: Vec<u8>,
    /// The log's running digest up to it ([`chain`]; empty for items older than it).
    pub chain: Vec<u8>,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A stored invite: its sealed bundle, the record, when it expires and who took it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInvite {
    /// The record.
    pub record: String,
    /// The sealed bundle.
    pub bundle: Vec<u8>,
    /// Expiry, Unix milliseconds.
    pub expires_ms: i64,
    /// The device that took it up, once used.
    pub used_by: Option<String>,
}

/// Called with a record whose log grew in another relay process, or with `None` when such
/// news may have been missed (every waiting reader should look again).
pub type OnAppend = Arc<dyn Fn(Option<&str>) + Send + Sync>;

/// The relay's storage.
pub trait Storage: Send + Sync + 'static {
    /// Begins a transaction. With `lock`, it holds that record's write lock (in the database,
    /// across processes) until it commits or is dropped; without, it only reads consistently.
    /// A transaction dropped without [`Tx::commit`] changes nothing.
    fn begin(&self, lock: Option<&str>) -> Result<Box<dyn Tx + '_>, StorageError>;

    /// Has `on_append` called whenever another relay process appends to a record (for live
    /// updates across processes). A backend only one process uses needs nothing here.
    fn watch_others(&self, on_append: OnAppend) -> Result<(), StorageError> {
        let _ = on_append;
        Ok(())
    }

    /// The backend's name for logs and benchmarks (`sqlite`, `postgres`).
    fn name(&self) -> &'static str;
}

/// One transaction's view of the storage.
pub trait Tx {
    /// Whether the record exists.
    fn record_exists(&mut self, record: &str) -> Result<bool, StorageError>;
    /// Creates the record with its genesis as log position 1.
    fn create_record(
        &mut self,
        record: &str,
        author: &str,
        genesis: &[u8],
        now_ms: i64,
    ) -> Result<(), StorageError>;
    /// Puts `genesis` (by `author`) in place of the record's genesis. The relay calls it only
    /// for a record whose log holds nothing but its genesis and which has no snapshots: one
    /// whose creator never heard that the relay took it, and is trying again with new keys.
    fn replace_genesis(
        &mut self,
        record: &str,
        author: &str,
        genesis: &[u8],
    ) -> Result<(), StorageError>;
    /// Appends an item (unless one with the same digest is there); returns its position, the
    /// next one after the log's last.
    fn append(
        &mut self,
        record: &str,
        kind: u8,
        author: &str,
        digest: &[u8],
        bytes: &[u8],
    ) -> Result<u64, StorageError>;
    /// The position of the item with `digest`, if stored.
    fn find(&mut self, record: &str, digest: &[u8]) -> Result<Option<u64>, StorageError>;
    /// The last position of the record's log (0 for none).
    fn tip(&mut self, record: &str) -> Result<u64, StorageError>;
    /// Membership entries of the record, in order.
    fn membership(&mut self, record: &str) -> Result<Vec<(u64, Vec<u8>)>, StorageError>;
    /// Up to `limit` items after `after`, leaving out the envelopes at or before
    /// `skip_envelopes` (membership entries are always listed), and the last position of the
    /// log.
    fn log(
        &mut self,
        record: &str,
        after: u64,
        limit: usize,
        skip_envelopes: u64,
    ) -> Result<(Vec<StoredItem>, u64), StorageError>;
    /// How many of the items [`Tx::log`] would list with these arguments fit in `max_bytes`
    /// of item bytes, counted in order (at least one, when there is one): a log page bounded
    /// in bytes as well as in items, read without loading the items' bytes.
    fn fitting(
        &mut self,
        record: &str,
        after: u64,
        limit: usize,
        skip_envelopes: u64,
        max_bytes: usize,
    ) -> Result<usize, StorageError>;
    /// The bytes the record's log keeps after its compaction point (what the snapshots do not
    /// cover yet): read over that tail only, as every push asks it.
    fn stored_bytes(&mut self, record: &str) -> Result<u64, StorageError>;
    /// The relay's setting `key` (its creation token), if set.
    fn setting(&mut self, key: &str) -> Result<Option<String>, StorageError>;
    /// Sets the relay's setting `key` unless it is set already (two relay processes starting
    /// together keep the first one's).
    fn put_setting_once(&mut self, key: &str, value: &str) -> Result<(), StorageError>;
    /// The log's running digest ([`chain`]) at `seq`, if there is an item there that has one.
    fn chain_at(&mut self, record: &str, seq: u64) -> Result<Option<Vec<u8>>, StorageError>;
    /// Drops the bytes of the envelopes every snapshot of the record covers (their positions
    /// and digests stay, so a resent envelope keeps its place) and returns the compaction
    /// point: the log position up to which envelopes are gone.
    fn compact(&mut self, record: &str) -> Result<u64, StorageError>;
    /// The record's compaction point (0 before any).
    fn compacted(&mut self, record: &str) -> Result<u64, StorageError>;
    /// Stores an invite's bundle.
    fn put_invite(&mut self, id: &str, invite: &StoredInvite) -> Result<(), StorageError>;
    /// The invite `id`.
    fn invite(&mut self, id: &str) -> Result<Option<StoredInvite>, StorageError>;
    /// Marks the invite used by `device` and drops its bundle.
    fn use_invite(&mut self, id: &str, device: &str) -> Result<(), StorageError>;
    /// Replaces the snapshot in `slot`, unless the one there covers more of the log.
    fn put_snapshot(
        &mut self,
        record: &str,
        slot: &str,
        covers: u64,
        bytes: &[u8],
    ) -> Result<(), StorageError>;
    /// The record's snapshots in slot order after the slot `after` (`""`: from the first),
    /// as many as fit in `max_bytes` (at least one, when there is one), each with its slot,
    /// and whether more follow. The sizes are read first, and only the chosen bytes loaded.
    fn snapshots(
        &mut self,
        record: &str,
        after: &str,
        max_bytes: usize,
    ) -> Result<SnapshotPage, StorageError>;
    /// Remembers a request nonce; false when it was seen before. Now and then forgets nonces
    /// older than `forget_before_ms`.
    fn remember_nonce(
        &mut self,
        device: &str,
        nonce: &str,
        time_ms: i64,
        forget_before_ms: i64,
    ) -> Result<bool, StorageError>;
    /// Makes the transaction's writes durable (and, on PostgreSQL, tells the other relay
    /// processes of its appends).
    fn commit(self: Box<Self>) -> Result<(), StorageError>;
}

/// One page of a record's snapshots ([`Tx::snapshots`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotPage {
    /// Each snapshot's slot and bytes, in slot order.
    pub snapshots: Vec<(String, Vec<u8>)>,
    /// Whether snapshots after the last one remain.
    pub more: bool,
}

/// How many of `sizes` (in order) fit in `max_bytes`: at least one when there is one.
pub(crate) fn fitting_count(sizes: &[usize], max_bytes: usize) -> usize {
    let mut total = 0usize;
    let mut n = 0;
    for &size in sizes {
        total = total.saturating_add(size);
        if n > 0 && total > max_bytes {
            break;
        }
        n += 1;
    }
    n
}

/// Opens the storage `db` names: a `postgres://` or `postgresql://` URL, or else the path of
/// a SQLite file (created if missing). Brings its schema up to date.
pub fn open(db: &str) -> Result<Box<dyn Storage>, StorageError> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        Ok(Box::new(PostgresStorage::connect(db)?))
    } else {
        Ok(Box::new(SqliteStorage::open(std::path::Path::new(db))?))
    }
}

/// The digest a log item is deduplicated by (SHA-256 of its bytes).
pub fn digest(bytes: &[u8]) -> Vec<u8> {
    companion_protocol::crypto::sha256(bytes).to_vec()
}

/// How many of `sizes`, in order, fit in `max_bytes` (at least one when there is one).
pub(crate) fn fit(sizes: impl IntoIterator<Item = i64>, max_bytes: usize) -> usize {
    let mut total: u64 = 0;
    let mut n = 0;
    for size in sizes {
        total = total.saturating_add(u64::try_from(size).unwrap_or(0));
        if n > 0 && total > max_bytes as u64 {
            break;
        }
        n += 1;
    }
    n
}

/// The log's running digest after an item: SHA-256 of the one before it (empty for the first,
/// and for items stored before the relay kept it) followed by the item's digest. Two logs with
/// the same running digest at a position hold the same items up to there: how a device tells
/// a relay restored from a backup from the one it read.
pub fn chain(before: &[u8], digest: &[u8]) -> Vec<u8> {
    let mut both = Vec::with_capacity(before.len() + digest.len());
    both.extend_from_slice(before);
    both.extend_from_slice(digest);
    companion_protocol::crypto::sha256(&both).to_vec()
}

/// Whether a request's nonce is one of the few that also sweep the old ones (about one in
/// 256: the nonce is random hex), so that no request pays for a sweep every time.
pub(crate) fn sweeps(nonce: &str) -> bool {
    nonce.starts_with("00")
}

pub(crate) fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub(crate) fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
