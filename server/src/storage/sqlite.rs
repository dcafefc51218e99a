//! Where the relay keeps what it is sent: behind [`Storage`], so that SQLite (one file, no
//! set-up) and a database server can both back it. The relay serialises every write and the
//! check that decides it (see `Relay`), so an implementation needs no locking of its own
//! beyond being safe to share between threads.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension};
use rusqlite_migration::{M, Migrations};

/// A storage failure: the relay answers 500 and logs the kind, never the data.
#[derive(Debug, thiserror::Error)]
#[error("storage failed: {0}")]
pub struct StorageError(String);

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        Self(format!("sqlite: {e}"))
    }
}

/// One stored log item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    /// Its position in the record's log.
    pub seq: u64,
    /// 1 membership, 2 envelope (`companion_core::sync::wire::ItemKind`).
    pub kind: u8,
    /// The device that wrote it.
    pub author: String,
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

/// The relay's storage.
pub trait Storage: Send + Sync + 'static {
    /// Whether the record exists.
    fn record_exists(&self, record: &str) -> Result<bool, StorageError>;
    /// Creates the record with its genesis as log position 1.
    fn create_record(
        &self,
        record: &str,
        author: &str,
        genesis: &[u8],
        now_ms: i64,
    ) -> Result<(), StorageError>;
    /// Appends an item (unless one with the same digest is there); returns its position.
    fn append(
        &self,
        record: &str,
        kind: u8,
        author: &str,
        digest: &[u8],
        bytes: &[u8],
    ) -> Result<u64, StorageError>;
    /// The position of the item with `digest`, if stored.
    fn find(&self, record: &str, digest: &[u8]) -> Result<Option<u64>, StorageError>;
    /// The last position of the record's log (0 for none).
    fn tip(&self, record: &str) -> Result<u64, StorageError>;
    /// Membership entries of the record, in order.
    fn membership(&self, record: &str) -> Result<Vec<(u64, Vec<u8>)>, StorageError>;
    /// Up to `limit` items after `after`, and the last position of the log.
    fn log(
        &self,
        record: &str,
        after: u64,
        limit: usize,
    ) -> Result<(Vec<StoredItem>, u64), StorageError>;
    /// Stores an invite's bundle.
    fn put_invite(&self, id: &str, invite: &StoredInvite) -> Result<(), StorageError>;
    /// The invite `id`.
    fn invite(&self, id: &str) -> Result<Option<StoredInvite>, StorageError>;
    /// Marks the invite used by `device` and drops its bundle.
    fn use_invite(&self, id: &str, device: &str) -> Result<(), StorageError>;
    /// Replaces the snapshot in `slot`.
    fn put_snapshot(
        &self,
        record: &str,
        slot: &str,
        covers: u64,
        bytes: &[u8],
    ) -> Result<(), StorageError>;
    /// Every snapshot of the record.
    fn snapshots(&self, record: &str) -> Result<Vec<Vec<u8>>, StorageError>;
    /// Remembers a request nonce; false when it was seen before. Forgets nonces older than
    /// `forget_before_ms`.
    fn remember_nonce(
        &self,
        device: &str,
        nonce: &str,
        time_ms: i64,
        forget_before_ms: i64,
    ) -> Result<bool, StorageError>;
}

/// SQLite storage: one file, WAL, every write durable before it is acknowledged.
pub struct SqliteStorage {
    conn: Mutex<Connection>,
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(
        "CREATE TABLE records (
            id TEXT PRIMARY KEY,
            created_ms INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE log (
            record TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            author TEXT NOT NULL,
            digest BLOB NOT NULL,
            bytes BLOB NOT NULL,
            PRIMARY KEY (record, seq),
            UNIQUE (record, digest)
        ) STRICT;
        CREATE TABLE invites (
            id TEXT PRIMARY KEY,
            record TEXT NOT NULL,
            bundle BLOB NOT NULL,
            expires_ms INTEGER NOT NULL,
            used_by TEXT
        ) STRICT;
        CREATE TABLE snapshots (
            record TEXT NOT NULL,
            slot TEXT NOT NULL,
            covers INTEGER NOT NULL,
            bytes BLOB NOT NULL,
            PRIMARY KEY (record, slot)
        ) STRICT;
        CREATE TABLE nonces (
            device TEXT NOT NULL,
            nonce TEXT NOT NULL,
            time_ms INTEGER NOT NULL,
            PRIMARY KEY (device, nonce)
        ) STRICT;
        CREATE INDEX nonces_by_time ON nonces (time_ms);",
    )])
}

impl SqliteStorage {
    /// Opens (creating if needed) the relay database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| StorageError(format!("migration: {e}")))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| StorageError("a writer panicked".into()))?;
        f(&mut conn)
    }
}

fn tip(c: &Connection, record: &str) -> rusqlite::Result<i64> {
    c.prepare_cached("SELECT coalesce(max(seq), 0) FROM log WHERE record = ?1")?
        .query_row([record], |r| r.get(0))
}

fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Storage for SqliteStorage {
    fn record_exists(&self, record: &str) -> Result<bool, StorageError> {
        self.with(|c| {
            Ok(c.prepare_cached("SELECT 1 FROM records WHERE id = ?1")?
                .exists([record])?)
        })
    }

    fn create_record(
        &self,
        record: &str,
        author: &str,
        genesis: &[u8],
        now_ms: i64,
    ) -> Result<(), StorageError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO records (id, created_ms) VALUES (?1, ?2)",
                rusqlite::params![record, now_ms],
            )?;
            tx.execute(
                "INSERT INTO log (record, seq, kind, author, digest, bytes) VALUES (?1, 1, 1, ?2, ?3, ?4)",
                rusqlite::params![record, author, companion_core::crypto::sha256(genesis).to_vec(), genesis],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn append(
        &self,
        record: &str,
        kind: u8,
        author: &str,
        digest: &[u8],
        bytes: &[u8],
    ) -> Result<u64, StorageError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT seq FROM log WHERE record = ?1 AND digest = ?2",
                    rusqlite::params![record, digest],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(seq) = existing {
                return Ok(u(seq));
            }
            let seq: i64 = tx.query_row(
                "SELECT coalesce(max(seq), 0) + 1 FROM log WHERE record = ?1",
                [record],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO log (record, seq, kind, author, digest, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![record, seq, kind, author, digest, bytes],
            )?;
            tx.commit()?;
            Ok(u(seq))
        })
    }

    fn find(&self, record: &str, digest: &[u8]) -> Result<Option<u64>, StorageError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT seq FROM log WHERE record = ?1 AND digest = ?2",
                rusqlite::params![record, digest],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .map(u))
        })
    }

    fn tip(&self, record: &str) -> Result<u64, StorageError> {
        self.with(|c| Ok(u(tip(c, record)?)))
    }

    fn membership(&self, record: &str) -> Result<Vec<(u64, Vec<u8>)>, StorageError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, bytes FROM log WHERE record = ?1 AND kind = 1 ORDER BY seq",
            )?;
            let rows = stmt
                .query_map([record], |r| Ok((u(r.get(0)?), r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn log(
        &self,
        record: &str,
        after: u64,
        limit: usize,
    ) -> Result<(Vec<StoredItem>, u64), StorageError> {
        self.with(|c| {
            let tip = tip(c, record)?;
            let mut stmt = c.prepare_cached(
                "SELECT seq, kind, author, bytes FROM log WHERE record = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = stmt
                .query_map(rusqlite::params![record, i(after), limit as i64], |r| {
                    Ok(StoredItem {
                        seq: u(r.get(0)?),
                        kind: r.get(1)?,
                        author: r.get(2)?,
                        bytes: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((rows, u(tip)))
        })
    }

    fn put_invite(&self, id: &str, invite: &StoredInvite) -> Result<(), StorageError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO invites (id, record, bundle, expires_ms) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![id, invite.record, invite.bundle, invite.expires_ms],
            )?;
            Ok(())
        })
    }

    fn invite(&self, id: &str) -> Result<Option<StoredInvite>, StorageError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT record, bundle, expires_ms, used_by FROM invites WHERE id = ?1",
                [id],
                |r| {
                    Ok(StoredInvite {
                        record: r.get(0)?,
                        bundle: r.get(1)?,
                        expires_ms: r.get(2)?,
                        used_by: r.get(3)?,
                    })
                },
            )
            .optional()?)
        })
    }

    fn use_invite(&self, id: &str, device: &str) -> Result<(), StorageError> {
        self.with(|c| {
            c.execute(
                "UPDATE invites SET used_by = ?2, bundle = x'' WHERE id = ?1",
                [id, device],
            )?;
            Ok(())
        })
    }

    fn put_snapshot(
        &self,
        record: &str,
        slot: &str,
        covers: u64,
        bytes: &[u8],
    ) -> Result<(), StorageError> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO snapshots (record, slot, covers, bytes) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![record, slot, i(covers), bytes],
            )?;
            Ok(())
        })
    }

    fn snapshots(&self, record: &str) -> Result<Vec<Vec<u8>>, StorageError> {
        self.with(|c| {
            let mut stmt =
                c.prepare_cached("SELECT bytes FROM snapshots WHERE record = ?1 ORDER BY slot")?;
            let rows = stmt
                .query_map([record], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn remember_nonce(
        &self,
        device: &str,
        nonce: &str,
        time_ms: i64,
        forget_before_ms: i64,
    ) -> Result<bool, StorageError> {
        self.with(|c| {
            c.prepare_cached("DELETE FROM nonces WHERE time_ms < ?1")?
                .execute([forget_before_ms])?;
            let added = c
                .prepare_cached(
                    "INSERT OR IGNORE INTO nonces (device, nonce, time_ms) VALUES (?1, ?2, ?3)",
                )?
                .execute(rusqlite::params![device, nonce, time_ms])?;
            Ok(added == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_are_numbered_and_deduplicated() {
        let dir = tempfile::tempdir().expect("dir");
        let s = SqliteStorage::open(&dir.path().join("relay.db")).expect("open");
        s.create_record("r", "a", b"genesis", 0).expect("create");
        assert_eq!(s.append("r", 2, "a", b"d1", b"x").expect("append"), 2);
        assert_eq!(s.append("r", 2, "a", b"d2", b"y").expect("append"), 3);
        assert_eq!(s.append("r", 2, "a", b"d1", b"x").expect("again"), 2);
        let (items, tip) = s.log("r", 1, 10).expect("log");
        assert_eq!((items.len(), tip), (2, 3));
        assert!(s.remember_nonce("a", "n", 5, 0).expect("nonce"));
        assert!(!s.remember_nonce("a", "n", 5, 0).expect("nonce"));
    }
}
