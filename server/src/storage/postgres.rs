//! PostgreSQL storage, for a clinic network that runs several relay processes over one
//! database. A locked transaction takes a transaction-scoped advisory lock on the record, so
//! the membership check and the positions it assigns (`max(seq) + 1`, under that lock, with
//! `(record, seq)` the primary key) are one step across every process; an append sends
//! `NOTIFY companion_log` with the record id, delivered to the other processes when the
//! transaction commits, which wakes their long-polling readers.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};
use r2d2_postgres::PostgresConnectionManager;
use r2d2_postgres::r2d2::{Pool, PooledConnection};
use refinery::Migration;

use super::{OnAppend, Storage, StorageError, StoredInvite, StoredItem, Tx, i, sweeps, u};

/// The channel appends are announced on.
const CHANNEL: &str = "companion_log";
/// Connections per relay process, and how many are opened at start (the rest as needed).
const POOL: u32 = 16;
const POOL_AT_START: u32 = 2;
/// A transaction that moves a value of this many bytes, or this many in all
/// ([`HEAVY_TOTAL`]), closes its connection instead of returning it to the pool. A connection
/// keeps its read and write buffers at the largest message it ever carried: a soak with a
/// member posting envelopes of megabytes grew the relay's heap by 20 MB that it never gave
/// back (16 connections, each holding buffers of its largest envelope and log page). Honest
/// envelopes (a reading is under 1 KB) never come near; a catch-up of many pages or a
/// snapshot costs one reconnection.
const HEAVY_ONE: usize = 64 << 10;
const HEAVY_TOTAL: usize = 1 << 20;

/// A pooled connection, and whether it carried a large message (then it is closed, not
/// pooled again: see [`HEAVY_ONE`]).
struct Conn {
    client: Client,
    heavy: bool,
}

impl std::ops::Deref for Conn {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// r2d2_postgres's manager, with connections that carried a large message counted as broken.
#[derive(Debug)]
struct Manager(PostgresConnectionManager<NoTls>);

impl r2d2_postgres::r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn {
            client: self.0.connect()?,
            heavy: false,
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.heavy || self.0.has_broken(&mut conn.client)
    }
}

const SCHEMA_V1: &str = "
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    created_ms BIGINT NOT NULL
);
CREATE TABLE log (
    record TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind SMALLINT NOT NULL,
    author TEXT NOT NULL,
    digest BYTEA NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (record, seq),
    UNIQUE (record, digest)
);
CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    bundle BYTEA NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_by TEXT
);
CREATE TABLE snapshots (
    record TEXT NOT NULL,
    slot TEXT NOT NULL,
    covers BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (record, slot)
);
CREATE TABLE nonces (
    device TEXT NOT NULL,
    nonce TEXT NOT NULL,
    time_ms BIGINT NOT NULL,
    PRIMARY KEY (device, nonce)
);
CREATE INDEX nonces_by_time ON nonces (time_ms);
";

const SCHEMA_V2: &str = "
ALTER TABLE records ADD COLUMN compacted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE log ADD COLUMN chain BYTEA NOT NULL DEFAULT ''::bytea;
";

const SCHEMA_V3: &str = "
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

impl From<postgres::Error> for StorageError {
    fn from(e: postgres::Error) -> Self {
        // The server's code and message (never its detail, which may quote a value), or the
        // connection's state.
        match e.as_db_error() {
            Some(db) => Self::new(format!("postgres {}: {}", db.code().code(), db.message())),
            None => Self::new(format!("postgres: {e}")),
        }
    }
}

fn pool_error(e: r2d2_postgres::r2d2::Error) -> StorageError {
    StorageError::new(format!("postgres pool: {e}"))
}

/// PostgreSQL storage: a pool of connections to one database.
pub struct PostgresStorage {
    url: String,
    pool: Pool<Manager>,
}

impl PostgresStorage {
    /// Connects to the database at `url` (`postgres://user@host:port/db`) and brings its
    /// schema up to date (one process at a time: migrations run under an advisory lock).
    pub fn connect(url: &str) -> Result<Self, StorageError> {
        let config: postgres::Config = url
            .parse()
            .map_err(|_| StorageError::new("not a PostgreSQL connection URL"))?;
        let manager = Manager(PostgresConnectionManager::new(config, NoTls));
        let pool = Pool::builder()
            .max_size(POOL)
            .min_idle(Some(POOL_AT_START))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .map_err(pool_error)?;
        let mut conn = pool.get().map_err(pool_error)?;
        migrate(&mut conn)?;
        Ok(Self {
            url: url.to_string(),
            pool,
        })
    }
}

fn migrate(client: &mut Client) -> Result<(), StorageError> {
    let migrations = [
        ("V1__relay", SCHEMA_V1),
        ("V2__compaction", SCHEMA_V2),
        ("V3__settings", SCHEMA_V3),
    ]
    .into_iter()
    .map(|(name, sql)| Migration::unapplied(name, sql))
    .collect::<Result<Vec<_>, _>>()
    .map_err(|e| StorageError::new(format!("migration: {e}")))?;
    client.batch_execute("SELECT pg_advisory_lock(7461)")?;
    let ran = refinery::Runner::new(&migrations)
        .set_migration_table_name("relay_schema_history")
        .run(client)
        .map(|_| ())
        .map_err(|e| StorageError::new(format!("migration: {e}")));
    client.batch_execute("SELECT pg_advisory_unlock(7461)")?;
    ran
}

impl Storage for PostgresStorage {
    fn begin(&self, lock: Option<&str>) -> Result<Box<dyn Tx + '_>, StorageError> {
        let mut conn = self.pool.get().map_err(pool_error)?;
        conn.batch_execute("BEGIN ISOLATION LEVEL READ COMMITTED")?;
        let mut tx = PgTx {
            conn,
            open: true,
            appended: Vec::new(),
            moved: 0,
        };
        if let Some(record) = lock {
            // Held until the transaction ends; every statement after it sees what the
            // previous holder committed.
            tx.conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                &[&record],
            )?;
        }
        Ok(Box::new(tx))
    }

    fn watch_others(&self, on_append: OnAppend) -> Result<(), StorageError> {
        let url = self.url.clone();
        std::thread::Builder::new()
            .name("relay-listen".into())
            .spawn(move || listen(&url, &on_append))
            .map_err(|e| StorageError::new(format!("listener thread: {e}")))?;
        Ok(())
    }

    fn name(&self) -> &'static str {
        "postgres"
    }
}

/// Forwards `companion_log` notifications to `on_append` for as long as the process runs,
/// reconnecting after a failure (and then waking every reader, which may have missed some).
fn listen(url: &str, on_append: &OnAppend) {
    let mut pause = Duration::from_millis(100);
    loop {
        if let Ok(mut client) = Client::connect(url, NoTls)
            && client.batch_execute(&format!("LISTEN {CHANNEL}")).is_ok()
        {
            pause = Duration::from_millis(100);
            on_append(None);
            let mut notifications = client.notifications();
            let mut iter = notifications.blocking_iter();
            while let Ok(Some(n)) = iter.next() {
                on_append(Some(n.payload()));
            }
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

struct PgTx {
    conn: PooledConnection<Manager>,
    open: bool,
    appended: Vec<String>,
    /// Bytes of stored values sent or read so far.
    moved: usize,
}

impl Drop for PgTx {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.batch_execute("ROLLBACK");
        }
    }
}

impl PgTx {
    /// Notes values of `sizes` bytes sent or read; a large one, or many, make the connection
    /// heavy (closed at the end rather than pooled).
    fn carried(&mut self, sizes: impl IntoIterator<Item = usize>) {
        for n in sizes {
            self.moved = self.moved.saturating_add(n);
            if n >= HEAVY_ONE || self.moved >= HEAVY_TOTAL {
                self.conn.heavy = true;
            }
        }
    }

    fn tip(&mut self, record: &str) -> Result<i64, StorageError> {
        let row = self.conn.query_one(
            "SELECT coalesce(max(seq), 0)::BIGINT FROM log WHERE record = $1",
            &[&record],
        )?;
        Ok(row.get(0))
    }

    fn find(&mut self, record: &str, digest: &[u8]) -> Result<Option<i64>, StorageError> {
        Ok(self
            .conn
            .query_opt(
                "SELECT seq FROM log WHERE record = $1 AND digest = $2",
                &[&record, &digest],
            )?
            .map(|r| r.get(0)))
    }
}

impl Tx for PgTx {
    fn record_exists(&mut self, record: &str) -> Result<bool, StorageError> {
        Ok(self
            .conn
            .query_opt("SELECT 1 FROM records WHERE id = $1", &[&record])?
            .is_some())
    }

    fn create_record(
        &mut self,
        record: &str,
        author: &str,
        genesis: &[u8],
        now_ms: i64,
    ) -> Result<(), StorageError> {
        self.conn.execute(
            "INSERT INTO records (id, created_ms) VALUES ($1, $2)",
            &[&record, &now_ms],
        )?;
        self.carried([genesis.len()]);
        let digest = super::digest(genesis);
        let chain = super::chain(&[], &digest);
        self.conn.execute(
            "INSERT INTO log (record, seq, kind, author, digest, bytes, chain) VALUES ($1, 1, 1, $2, $3, $4, $5)",
            &[&record, &author, &digest, &genesis, &chain],
        )?;
        self.appended.push(record.to_string());
        Ok(())
    }

    fn replace_genesis(
        &mut self,
        record: &str,
        author: &str,
        genesis: &[u8],
    ) -> Result<(), StorageError> {
        self.carried([genesis.len()]);
        let digest = super::digest(genesis);
        let chain = super::chain(&[], &digest);
        self.conn.execute(
            "UPDATE log SET author = $2, digest = $3, bytes = $4, chain = $5 WHERE record = $1 AND seq = 1",
            &[&record, &author, &digest, &genesis, &chain],
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
        if let Some(seq) = self.find(record, digest)? {
            return Ok(u(seq));
        }
        let seq = self.tip(record)? + 1;
        let kind = i16::from(kind);
        let before = self.chain_at(record, u(seq - 1))?.unwrap_or_default();
        let chain = super::chain(&before, digest);
        self.carried([bytes.len()]);
        self.conn.execute(
            "INSERT INTO log (record, seq, kind, author, digest, bytes, chain) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&record, &seq, &kind, &author, &digest, &bytes, &chain],
        )?;
        if !self.appended.iter().any(|r| r == record) {
            self.appended.push(record.to_string());
        }
        Ok(u(seq))
    }

    fn find(&mut self, record: &str, digest: &[u8]) -> Result<Option<u64>, StorageError> {
        Ok(PgTx::find(self, record, digest)?.map(u))
    }

    fn tip(&mut self, record: &str) -> Result<u64, StorageError> {
        Ok(u(PgTx::tip(self, record)?))
    }

    fn membership(&mut self, record: &str) -> Result<Vec<(u64, Vec<u8>)>, StorageError> {
        let entries: Vec<(u64, Vec<u8>)> = self
            .conn
            .query(
                "SELECT seq, bytes FROM log WHERE record = $1 AND kind = 1 ORDER BY seq",
                &[&record],
            )?
            .iter()
            .map(|r| (u(r.get(0)), r.get(1)))
            .collect();
        self.carried(entries.iter().map(|(_, b)| b.len()));
        Ok(entries)
    }

    fn log(
        &mut self,
        record: &str,
        after: u64,
        limit: usize,
        skip_envelopes: u64,
    ) -> Result<(Vec<StoredItem>, u64), StorageError> {
        let tip = PgTx::tip(self, record)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.conn.query(
            "SELECT seq, kind, author, digest, bytes, chain FROM log
             WHERE record = $1 AND seq > $2 AND (kind <> 2 OR seq > $4) ORDER BY seq LIMIT $3",
            &[&record, &i(after), &limit, &i(skip_envelopes)],
        )?;
        let items: Vec<StoredItem> = rows
            .iter()
            .map(|r| StoredItem {
                seq: u(r.get(0)),
                kind: u8::try_from(r.get::<_, i16>(1)).unwrap_or(0),
                author: r.get(2),
                digest: r.get(3),
                bytes: r.get(4),
                chain: r.get(5),
            })
            .collect();
        self.carried(items.iter().map(|item| item.bytes.len()));
        Ok((items, u(tip)))
    }

    fn fitting(
        &mut self,
        record: &str,
        after: u64,
        limit: usize,
        skip_envelopes: u64,
        max_bytes: usize,
    ) -> Result<usize, StorageError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.conn.query(
            "SELECT octet_length(bytes)::BIGINT FROM log
             WHERE record = $1 AND seq > $2 AND (kind <> 2 OR seq > $4) ORDER BY seq LIMIT $3",
            &[&record, &i(after), &limit, &i(skip_envelopes)],
        )?;
        let sizes = rows.iter().map(|r| r.get::<_, Option<i64>>(0).unwrap_or(0));
        Ok(super::fit(sizes, max_bytes))
    }

    fn stored_bytes(&mut self, record: &str) -> Result<u64, StorageError> {
        let n: i64 = self
            .conn
            .query_one(
                "SELECT coalesce(sum(octet_length(bytes)), 0)::BIGINT FROM log WHERE record = $1
                 AND seq > (SELECT compacted FROM records WHERE id = $1)",
                &[&record],
            )?
            .get(0);
        Ok(u(n))
    }

    fn setting(&mut self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self
            .conn
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])?
            .map(|r| r.get(0)))
    }

    fn put_setting_once(&mut self, key: &str, value: &str) -> Result<(), StorageError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            &[&key, &value],
        )?;
        Ok(())
    }

    fn chain_at(&mut self, record: &str, seq: u64) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self
            .conn
            .query_opt(
                "SELECT chain FROM log WHERE record = $1 AND seq = $2",
                &[&record, &i(seq)],
            )?
            .map(|r| r.get::<_, Vec<u8>>(0))
            .filter(|c| !c.is_empty()))
    }

    fn compact(&mut self, record: &str) -> Result<u64, StorageError> {
        let floor: Option<i64> = self
            .conn
            .query_one(
                "SELECT MIN(covers) FROM snapshots WHERE record = $1",
                &[&record],
            )?
            .get(0);
        if let Some(floor) = floor {
            self.conn.execute(
                "UPDATE log SET bytes = ''::bytea WHERE record = $1 AND kind = 2 AND seq <= $2 AND length(bytes) > 0",
                &[&record, &floor],
            )?;
            self.conn.execute(
                "UPDATE records SET compacted = GREATEST(compacted, $2) WHERE id = $1",
                &[&record, &floor],
            )?;
        }
        self.compacted(record)
    }

    fn compacted(&mut self, record: &str) -> Result<u64, StorageError> {
        Ok(self
            .conn
            .query_opt("SELECT compacted FROM records WHERE id = $1", &[&record])?
            .map(|r| u(r.get(0)))
            .unwrap_or(0))
    }

    fn put_invite(&mut self, id: &str, invite: &StoredInvite) -> Result<(), StorageError> {
        self.conn.execute(
            "INSERT INTO invites (id, record, bundle, expires_ms) VALUES ($1, $2, $3, $4)",
            &[&id, &invite.record, &invite.bundle, &invite.expires_ms],
        )?;
        Ok(())
    }

    fn invite(&mut self, id: &str) -> Result<Option<StoredInvite>, StorageError> {
        Ok(self
            .conn
            .query_opt(
                "SELECT record, bundle, expires_ms, used_by FROM invites WHERE id = $1",
                &[&id],
            )?
            .map(|r| StoredInvite {
                record: r.get(0),
                bundle: r.get(1),
                expires_ms: r.get(2),
                used_by: r.get(3),
            }))
    }

    fn use_invite(&mut self, id: &str, device: &str) -> Result<(), StorageError> {
        self.conn.execute(
            "UPDATE invites SET used_by = $2, bundle = ''::BYTEA WHERE id = $1",
            &[&id, &device],
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
        self.carried([bytes.len()]);
        self.conn.execute(
            "INSERT INTO snapshots (record, slot, covers, bytes) VALUES ($1, $2, $3, $4)
             ON CONFLICT (record, slot) DO UPDATE SET covers = EXCLUDED.covers, bytes = EXCLUDED.bytes
             WHERE EXCLUDED.covers >= snapshots.covers",
            &[&record, &slot, &i(covers), &bytes],
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
            .query(
                "SELECT slot, octet_length(bytes) FROM snapshots WHERE record = $1 AND slot > $2 ORDER BY slot",
                &[&record, &after],
            )?
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i32>(1).max(0) as usize))
            .collect();
        let lengths: Vec<usize> = sizes.iter().map(|(_, n)| *n).collect();
        let n = super::fitting_count(&lengths, max_bytes);
        let mut snapshots = Vec::with_capacity(n);
        for (slot, _) in &sizes[..n] {
            let row = self.conn.query_one(
                "SELECT bytes FROM snapshots WHERE record = $1 AND slot = $2",
                &[&record, slot],
            )?;
            let bytes: Vec<u8> = row.get(0);
            self.carried([bytes.len()]);
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
            self.conn.execute(
                "DELETE FROM nonces WHERE time_ms < $1",
                &[&forget_before_ms],
            )?;
        }
        let added = self.conn.execute(
            "INSERT INTO nonces (device, nonce, time_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&device, &nonce, &time_ms],
        )?;
        Ok(added == 1)
    }

    fn commit(mut self: Box<Self>) -> Result<(), StorageError> {
        for record in std::mem::take(&mut self.appended) {
            self.conn
                .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &record])?;
        }
        self.conn.batch_execute("COMMIT")?;
        self.open = false;
        Ok(())
    }
}
