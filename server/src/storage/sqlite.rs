//! SQLite storage: one file, WAL, every write durable (`synchronous = FULL`) before it is
//! acknowledged. One connection behind a mutex: a transaction holds it, so transactions of one
//! relay process never interleave (SQLite serves one relay process; PostgreSQL serves several).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension};
use rusqlite_migration::{M, Migrations};

use super::{Storage, StorageError, StoredInvite, StoredItem, Tx, i, sweeps, u};

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        Self::new(format!("sqlite: {e}"))
    }
}

/// SQLite storage for one relay process.
pub struct SqliteStorage {
    conn: Mutex<Connection>,
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(
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
        ),
        M::up(
            "ALTER TABLE records ADD COLUMN compacted INTEGER NOT NULL DEFAULT 0;
             ALTER TABLE log ADD COLUMN chain BLOB NOT NULL DEFAULT X'';",
        ),
        M::up("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"),
    ])
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
            .map_err(|e| StorageError::new(format!("migration: {e}")))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }
}

impl Storage for SqliteStorage {
    fn begin(&self, lock: Option<&str>) -> Result<Box<dyn Tx + '_>, StorageError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| StorageError::new("a writer panicked"))?;
        // IMMEDIATE takes SQLite's write lock at once, so that what the transaction reads
        // still holds when it writes.
        conn.execute_batch(if lock.is_some() {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        })?;
        Ok(Box::new(SqliteTx { conn, open: true }))
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }
}

struct SqliteTx<'a> {
    conn: MutexGuard<'a, Connection>,
    open: bool,
}

impl Drop for SqliteTx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

fn tip(c: &Connection, record: &str) -> rusqlite::Result<i64> {
    c.prepare_cached("SELECT coalesce(max(seq), 0) FROM log WHERE record = ?1")?
        .query_row([record], |r| r.get(0))
}

fn find(c: &Connection, record: &str, digest: &[u8]) -> rusqlite::Result<Option<i64>> {
    c.prepare_cached("SELECT seq FROM log WHERE record = ?1 AND digest = ?2")?
        .query_row(rusqlite::params![record, digest], |r| r.get(0))
        .optional()
}

impl Tx for SqliteTx<'_> {
    fn record_exists(&mut self, record: &str) -> Result<bool, StorageError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM records WHERE id = ?1")?
            .exists([record])?)
    }

    fn create_record(
        &mut self,
        record: &str,
        author: &str,
        genesis: &[u8],
        now_ms: i64,
    ) -> Result<(), StorageError> {
        self.conn.execute(
            "INSERT INTO records (id, created_ms) VALUES (?1, ?2)",
            rusqlite::params![record, now_ms],
        )?;
        let digest = super::digest(genesis);
        self.conn.execute(
            "INSERT INTO log (record, seq, kind, author, digest, bytes, chain) VALUES (?1, 1, 1, ?2, ?3, ?4, ?5)",
            rusqlite::params![record, author, digest, genesis, super::chain(&[], &digest)],
        )?;
        Ok(())
    }

    fn replace_genesis(
        &mut self,
        record: &str,
        author: &str,
        genesis: &[u8],
    ) -> Result<(), StorageError> {
        let digest = super::digest(genesis);
        self.conn.execute(
            "UPDATE log SET author = ?2, digest = ?3, bytes = ?4, chain = ?5 WHERE record = ?1 AND seq = 1",
            rusqlite::params![record, author, digest, genesis, super::chain(&[], &digest)],
        )?;
        Ok(())
    }

    fn append(
        &mut self,
        record: &str,
        kind: u8,
        author: &str,
        digest: &[u8],
        bytes: &[u8],
    ) -> Result<u64, StorageError> {
        if let Some(seq) = find(&self.conn, record, digest)? {
            return Ok(u(seq));
        }
        let seq = tip(&self.conn, record)? + 1;
        let before = self.chain_at(record, u(seq - 1))?.unwrap_or_default();
        self.conn
            .prepare_cached(
                "INSERT INTO log (record, seq, kind, author, digest, bytes, chain) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(rusqlite::params![
                record,
                seq,
                kind,
                author,
                digest,
                bytes,
                super::chain(&before, digest)
            ])?;
        Ok(u(seq))
    }

    fn find(&mut self, record: &str, digest: &[u8]) -> Result<Option<u64>, StorageError> {
        Ok(find(&self.conn, record, digest)?.map(u))
    }

    fn tip(&mut self, record: &str) -> Result<u64, StorageError> {
        Ok(u(tip(&self.conn, record)?))
    }

    fn membership(&mut self, record: &str) -> Result<Vec<(u64, Vec<u8>)>, StorageError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, bytes FROM log WHERE record = ?1 AND kind = 1 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([record], |r| Ok((u(r.get(0)?), r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn log(
        &mut self,
        record: &str,
        after: u64,
        limit: usize,
        skip_envelopes: u64,
    ) -> Result<(Vec<StoredItem>, u64), StorageError> {
        let tip = tip(&self.conn, record)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, kind, author, digest, bytes, chain FROM log
             WHERE record = ?1 AND seq > ?2 AND (kind <> 2 OR seq > ?4) ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(
                rusqlite::params![record, i(after), limit as i64, i(skip_envelopes)],
                |r| {
                    Ok(StoredItem {
                        seq: u(r.get(0)?),
                        kind: r.get(1)?,
                        author: r.get(2)?,
                        digest: r.get(3)?,
                        bytes: r.get(4)?,
                        chain: r.get(5)?,
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((rows, u(tip)))
    }

    fn fitting(
        &mut self,
        record: &str,
        after: u64,
        limit: usize,
        skip_envelopes: u64,
        max_bytes: usize,
    ) -> Result<usize, StorageError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT length(bytes) FROM log
             WHERE record = ?1 AND seq > ?2 AND (kind <> 2 OR seq > ?4) ORDER BY seq LIMIT ?3",
        )?;
        let sizes = stmt
            .query_map(
                rusqlite::params![record, i(after), limit as i64, i(skip_envelopes)],
                |r| r.get::<_, Option<i64>>(0),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(super::fit(
            sizes.into_iter().map(|s| s.unwrap_or(0)),
            max_bytes,
        ))
    }

    fn stored_bytes(&mut self, record: &str) -> Result<u64, StorageError> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(length(bytes)), 0) FROM log WHERE record = ?1
                 AND seq > (SELECT compacted FROM records WHERE id = ?1)",
            )?
            .query_row([record], |r| r.get(0))?;
        Ok(u(n))
    }

    fn setting(&mut self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    fn put_setting_once(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            [key, value],
        )?;
        Ok(())
    }

    fn chain_at(&mut self, record: &str, seq: u64) -> Result<Option<Vec<u8>>, StorageError> {
        let chain: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT chain FROM log WHERE record = ?1 AND seq = ?2")?
            .query_row(rusqlite::params![record, i(seq)], |r| r.get(0))
            .optional()?;
        Ok(chain.filter(|c| !c.is_empty()))
    }

    fn compact(&mut self, record: &str) -> Result<u64, StorageError> {
        let floor: Option<i64> = self.conn.query_row(
            "SELECT MIN(covers) FROM snapshots WHERE record = ?1",
            [record],
            |r| r.get(0),
        )?;
        let Some(floor) = floor else {
            return self.compacted(record);
        };
        self.conn.execute(
            "UPDATE log SET bytes = X'' WHERE record = ?1 AND kind = 2 AND seq <= ?2 AND length(bytes) > 0",
            rusqlite::params![record, floor],
        )?;
        self.conn.execute(
            "UPDATE records SET compacted = max(compacted, ?2) WHERE id = ?1",
            rusqlite::params![record, floor],
        )?;
        self.compacted(record)
    }

    fn compacted(&mut self, record: &str) -> Result<u64, StorageError> {
        let at: Option<i64> = self
            .conn
            .prepare_cached("SELECT compacted FROM records WHERE id = ?1")?
            .query_row([record], |r| r.get(0))
            .optional()?;
        Ok(at.map(u).unwrap_or(0))
    }

    fn put_invite(&mut self, id: &str, invite: &StoredInvite) -> Result<(), StorageError> {
        self.conn.execute(
            "INSERT INTO invites (id, record, bundle, expires_ms) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, invite.record, invite.bundle, invite.expires_ms],
        )?;
        Ok(())
    }

    fn invite(&mut self, id: &str) -> Result<Option<StoredInvite>, StorageError> {
        Ok(self
            .conn
            .query_row(
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
    }

    fn use_invite(&mut self, id: &str, device: &str) -> Result<(), StorageError> {
        self.conn.execute(
            "UPDATE invites SET used_by = ?2, bundle = x'' WHERE id = ?1",
            [id, device],
        )?;
        Ok(())
    }

    fn put_snapshot(
        &mut self,
        record: &str,
        slot: &str,
        covers: u64,
        bytes: &[u8],
    ) -> Result<(), StorageError> {
        self.conn.execute(
            "INSERT INTO snapshots (record, slot, covers, bytes) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (record, slot) DO UPDATE SET covers = excluded.covers, bytes = excluded.bytes
             WHERE excluded.covers >= snapshots.covers",
            rusqlite::params![record, slot, i(covers), bytes],
        )?;
        Ok(())
    }

    fn snapshots(
        &mut self,
        record: &str,
        after: &str,
        max_bytes: usize,
    ) -> Result<super::SnapshotPage, StorageError> {
        let sizes: Vec<(String, usize)> = self
            .conn
            .prepare_cached(
                "SELECT slot, length(bytes) FROM snapshots WHERE record = ?1 AND slot > ?2 ORDER BY slot",
            )?
            .query_map([record, after], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as usize))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let lengths: Vec<usize> = sizes.iter().map(|(_, n)| *n).collect();
        let n = super::fitting_count(&lengths, max_bytes);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT bytes FROM snapshots WHERE record = ?1 AND slot = ?2")?;
        let mut snapshots = Vec::with_capacity(n);
        for (slot, _) in &sizes[..n] {
            let bytes: Vec<u8> = stmt.query_row([record, slot.as_str()], |r| r.get(0))?;
            snapshots.push((slot.clone(), bytes));
        }
        Ok(super::SnapshotPage {
            snapshots,
            more: sizes.len() > n,
        })
    }

    fn remember_nonce(
        &mut self,
        device: &str,
        nonce: &str,
        time_ms: i64,
        forget_before_ms: i64,
    ) -> Result<bool, StorageError> {
        if sweeps(nonce) {
            self.conn
                .prepare_cached("DELETE FROM nonces WHERE time_ms < ?1")?
                .execute([forget_before_ms])?;
        }
        let added = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO nonces (device, nonce, time_ms) VALUES (?1, ?2, ?3)",
            )?
            .execute(rusqlite::params![device, nonce, time_ms])?;
        Ok(added == 1)
    }

    fn commit(mut self: Box<Self>) -> Result<(), StorageError> {
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}
