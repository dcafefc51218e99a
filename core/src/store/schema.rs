//! The SQLite schema and its migrations, keyed on `PRAGMA user_version`.
//!
//! Migrations only ever append: a released migration is never edited. A file whose version is
//! newer than [`SCHEMA_VERSION`] is refused before anything is written to it.

use rusqlite::Connection;
use rusqlite_migration::{HookError, M, Migrations};

use crate::error::{Error, Result};

/// The migrations, in order; [`SCHEMA_VERSION`] counts them.
fn migrations() -> Vec<M<'static>> {
    vec![
        M::up(
            "CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    -- The Automerge documents: each document is the concatenation of its chunks in seq order
    -- (one snapshot after compaction, then one incremental save per write).
    CREATE TABLE chunks (
        seq INTEGER PRIMARY KEY,
        doc TEXT NOT NULL,
        bytes BLOB NOT NULL
    ) STRICT;
    CREATE INDEX chunks_by_doc ON chunks (doc, seq);

    -- The materialized index: one row per entry of every document, rebuilt at will from them.
    CREATE TABLE entries (
        collection TEXT NOT NULL,
        id TEXT NOT NULL,
        doc TEXT NOT NULL,
        tag TEXT,
        at_ms INTEGER,
        v1 REAL,
        v2 REAL,
        ext_key TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        body TEXT NOT NULL,
        UNIQUE (collection, id)
    ) STRICT;
    CREATE INDEX entries_by_tag ON entries (collection, tag, at_ms) WHERE deleted = 0;
    CREATE INDEX entries_by_time ON entries (collection, at_ms) WHERE deleted = 0;
    CREATE INDEX entries_by_ext ON entries (collection, ext_key)
        WHERE ext_key IS NOT NULL AND deleted = 0;
    CREATE INDEX entries_by_doc ON entries (doc);",
        ),
        // 2: the value columns v1 and v2 were written and never read (queries and statistics read
        // the body); no index uses them.
        M::up(
            "ALTER TABLE entries DROP COLUMN v1;
         ALTER TABLE entries DROP COLUMN v2;",
        ),
        // 3: mark the file as a Companion record ("Cmpn"), so that no other program's database is
        // ever taken for one.
        M::up("PRAGMA application_id = 1131245678;"),
        // 4: a checksum of each row's body (filled for older rows by `fill_checksums`).
        M::up("ALTER TABLE entries ADD COLUMN sum INTEGER;"),
        // 5: changes from other replicas that wait for the changes they depend on.
        M::up(
            "CREATE TABLE pending_changes (
            doc TEXT NOT NULL,
            hash TEXT NOT NULL,
            bytes BLOB NOT NULL,
            PRIMARY KEY (doc, hash)
        ) STRICT;",
        ),
        // 6: every document begins with its genesis, so that replicas merge without loss; the
        // documents of older records are rewritten, conflict losers merged back in.
        M::up_with_hook("", |tx: &rusqlite::Transaction| {
            // Re-indexing writes rows as this code does, with the column schema 15 adds.
            span_column(tx)?;
            super::regenesis(tx).map_err(|e| match e {
                Error::Storage { source, .. } => HookError::RusqliteError(source),
                other => HookError::Hook(other.to_string()),
            })
        }),
        // 7: sharing through a relay (docs/sync-protocol.md): the device's keys and the record
        // keys, the sync position, the changes written here and not yet acknowledged by the
        // relay, and the log items kept (membership entries, quarantined and held envelopes).
        M::up(
            "CREATE TABLE sync_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT;
        CREATE TABLE sync_secrets (
            name TEXT PRIMARY KEY,
            bytes BLOB NOT NULL
        ) STRICT;
        CREATE TABLE sync_outbox (
            id INTEGER PRIMARY KEY,
            doc TEXT NOT NULL,
            bytes BLOB NOT NULL
        ) STRICT;
        CREATE TABLE sync_sending (
            id INTEGER PRIMARY KEY,
            envelope BLOB NOT NULL
        ) STRICT;
        CREATE TABLE sync_log (
            seq INTEGER PRIMARY KEY,
            status TEXT NOT NULL,
            author TEXT,
            role TEXT,
            reason TEXT,
            bytes BLOB NOT NULL
        ) STRICT;",
        ),
        // 8: the envelopes the relay acknowledged, kept 90 days, so that a device can send them
        // again to a relay restored from a backup that lost them.
        M::up(
            "CREATE TABLE sync_sent (
            id INTEGER PRIMARY KEY,
            envelope BLOB NOT NULL,
            sent_ms INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX sync_sent_by_time ON sync_sent (sent_ms);",
        ),
        // 9: when an envelope was first held, to say since when a member's data is missing.
        M::up("ALTER TABLE sync_log ADD COLUMN at_ms INTEGER;"),
        // 10: the changes a held envelope waits for (hashes, hex, comma-separated).
        M::up("ALTER TABLE sync_log ADD COLUMN waits_for TEXT;"),
        // 11: each document's tip (store::tips), dropped by any change to its chunks.
        M::up(
            "CREATE TABLE doc_tips (
            doc TEXT PRIMARY KEY,
            actor BLOB NOT NULL,
            seq INTEGER NOT NULL,
            max_op INTEGER NOT NULL,
            heads BLOB NOT NULL
        ) STRICT;
        CREATE TRIGGER chunks_added AFTER INSERT ON chunks
            BEGIN DELETE FROM doc_tips WHERE doc = NEW.doc; END;
        CREATE TRIGGER chunks_removed AFTER DELETE ON chunks
            BEGIN DELETE FROM doc_tips WHERE doc = OLD.doc; END;
        CREATE TRIGGER chunks_changed AFTER UPDATE ON chunks
            BEGIN DELETE FROM doc_tips WHERE doc = OLD.doc OR doc = NEW.doc; END;",
        ),
        // 12: the alerts not acknowledged, by when they were resolved (never: the largest
        // integer), so that the home screen reads only the alerts it may show
        // (`index::unseen_alerts`), not every alert of the record's years. Every other row's
        // key is NULL. Not a partial index on the collection: SQLite then prepares every query
        // that binds a collection again for each new value.
        M::up(
            "CREATE INDEX entries_alerts_unseen ON entries (
            CASE WHEN collection = 'alerts' AND json_extract(body, '$.acknowledged_at') IS NULL
                THEN coalesce(unixepoch(json_extract(body, '$.resolved_at')), 9223372036854775807)
            END
        ) WHERE deleted = 0;",
        ),
        // 13: the time indexes end with the id, the list order's last term: a list read in
        // order from the index rather than sorted afterwards.
        M::up(
            "DROP INDEX entries_by_tag;
        DROP INDEX entries_by_time;
        CREATE INDEX entries_by_tag ON entries (collection, tag, at_ms, id) WHERE deleted = 0;
        CREATE INDEX entries_by_time ON entries (collection, at_ms, id) WHERE deleted = 0;",
        ),
        // 14: the checksums become CRC-32 (`index::checksum`); a row whose body no longer
        // matched its FNV-1a sum keeps no sum, so its damage is still found.
        M::up_with_hook("", |tx: &rusqlite::Transaction| {
            crc_checksums(tx).map_err(HookError::RusqliteError)
        }),
        // 15: import blocks (`model::ReadingBlock`): a row that holds many readings says
        // where its span ends; the blocks of a span are found through their own small index,
        // without reading their bodies.
        M::up_with_hook("", |tx: &rusqlite::Transaction| {
            span_column(tx)?;
            tx.execute_batch(
                "CREATE INDEX entries_by_span ON entries (collection, until_ms, at_ms, tag)
                 WHERE until_ms IS NOT NULL AND deleted = 0;",
            )
            .map_err(HookError::RusqliteError)
        }),
    ]
}

/// Adds the `until_ms` column of schema 15 unless it is there: schema 6 re-indexes with
/// this code's rows, which have it, so a record migrated from before 6 gets it there.
fn span_column(tx: &rusqlite::Transaction) -> std::result::Result<(), HookError> {
    let has: bool = tx
        .query_row(
            "SELECT count(*) > 0 FROM pragma_table_info('entries') WHERE name = 'until_ms'",
            [],
            |r| r.get(0),
        )
        .map_err(HookError::RusqliteError)?;
    if !has {
        tx.execute_batch("ALTER TABLE entries ADD COLUMN until_ms INTEGER;")
            .map_err(HookError::RusqliteError)?;
    }
    Ok(())
}

/// The checksum rows had before schema 14: 64-bit FNV-1a as SQLite's signed integer.
fn fnv_checksum(body: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in body.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Schema 14: every row's FNV-1a sum checked and replaced by its CRC-32; a row that matches
/// neither keeps none (reported as damaged, as before).
fn crc_checksums(tx: &rusqlite::Transaction) -> rusqlite::Result<()> {
    // The new sums are gathered first (not the bodies), then written: no row is updated while
    // the scan that reads it runs.
    let mut sums: Vec<(i64, Option<i64>)> = Vec::new();
    let mut read = tx.prepare("SELECT rowid, body, sum FROM entries WHERE sum IS NOT NULL")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let body = row.get_ref(1)?.as_str()?;
        // Rows written by a migration before this one (schema 6 re-indexes) already carry a
        // CRC-32.
        let (old, new) = (row.get::<_, i64>(2)?, super::index::checksum(body));
        let sum = (old == fnv_checksum(body) || old == new).then_some(new);
        sums.push((row.get(0)?, sum));
    }
    let mut write = tx.prepare("UPDATE entries SET sum = ?1 WHERE rowid = ?2")?;
    for (rowid, sum) in sums {
        write.execute(rusqlite::params![sum, rowid])?;
    }
    Ok(())
}

/// The newest schema version this code knows.
pub const SCHEMA_VERSION: i64 = 15;

/// The page cache of a connection, in KiB (SQLite's negative `cache_size`): filled only as
/// pages are read.
const CACHE_KIB: i64 = -8192;

/// Sets the connection's pragmas: WAL, and `synchronous = FULL` so that a write acknowledged to
/// the caller survives a power loss as well as a crash; a page cache of up to 8 MiB (SQLite's
/// default of 2 MiB holds less than 90 days of index rows: a 90-day statistic then read and
/// decrypted every page again, six times slower; docs/storage.md).
pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Corrupt {
            detail: "the database refused write-ahead logging",
        });
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", CACHE_KIB)?;
    // Plans that do not depend on the values bound: without this, SQLite prepared every list
    // query (`... = ? ... ORDER BY`) again each time it was run with new values (10% of the
    // home screen).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// Brings the file to [`SCHEMA_VERSION`]; refuses a newer file without touching it.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Migrations::new(migrations())
        .to_latest(conn)
        .map_err(|e| Error::Migration(Box::new(e)))?;
    if found < 4 {
        fill_checksums(conn)?;
    }
    Ok(())
}

/// Gives the rows written before schema 4 their checksum, in one transaction (once, right after
/// the migration to 4: opening a record never scans its index).
fn fill_checksums(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut read = tx.prepare("SELECT rowid, body FROM entries WHERE sum IS NULL")?;
        let rows: Vec<(i64, String)> = read
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut write = tx.prepare("UPDATE entries SET sum = ?1 WHERE rowid = ?2")?;
        for (rowid, body) in rows {
            write.execute(rusqlite::params![super::index::checksum(&body), rowid])?;
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_counts_the_migrations() {
        assert_eq!(SCHEMA_VERSION, migrations().len() as i64);
    }

    #[test]
    fn migrations_are_valid() {
        assert!(Migrations::new(migrations()).validate().is_ok());
    }

    #[test]
    fn a_record_at_schema_1_keeps_its_rows_and_loses_the_value_columns() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = Connection::open(dir.path().join("r.db")).expect("open");
        configure(&conn).expect("pragmas");
        Migrations::new(migrations())
            .to_version(&mut conn, 1)
            .expect("schema 1");
        conn.execute(
            "INSERT INTO entries (collection, id, doc, tag, at_ms, v1, v2, body)
             VALUES ('readings', 'r1', 'log/2026-11', 'blood_pressure', 1, 142.0, 91.0, '{}')",
            [],
        )
        .expect("old row");
        migrate(&mut conn).expect("migrate");
        let body: String = conn
            .query_row("SELECT body FROM entries WHERE id = 'r1'", [], |r| r.get(0))
            .expect("row kept");
        assert_eq!(body, "{}");
        let sum: Option<i64> = conn
            .query_row("SELECT sum FROM entries WHERE id = 'r1'", [], |r| r.get(0))
            .expect("sum");
        assert_eq!(
            sum,
            Some(crate::store::index::checksum("{}")),
            "older rows get a checksum"
        );
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('entries')")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<std::result::Result<_, _>>()
            .expect("names");
        assert!(
            !columns.iter().any(|c| c == "v1" || c == "v2"),
            "{columns:?}"
        );
    }

    #[test]
    fn schema_14_turns_good_sums_into_crc_and_keeps_damage_visible() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = Connection::open(dir.path().join("r.db")).expect("open");
        configure(&conn).expect("pragmas");
        Migrations::new(migrations())
            .to_version(&mut conn, 13)
            .expect("schema 13");
        let body = r#"{"id":"r1","measurement":{"kind":"weight","kg":80.5}}"#;
        for (id, sum) in [
            ("good", Some(fnv_checksum(body))),
            ("damaged", Some(fnv_checksum(body) ^ 1)),
            ("unsummed", None),
        ] {
            conn.execute(
                "INSERT INTO entries (collection, id, doc, body, sum)
                 VALUES ('readings', ?1, 'log/2026-11', ?2, ?3)",
                rusqlite::params![id, body, sum],
            )
            .expect("row at schema 13");
        }
        migrate(&mut conn).expect("migrate");
        let sum = |id: &str| -> Option<i64> {
            conn.query_row("SELECT sum FROM entries WHERE id = ?1", [id], |r| r.get(0))
                .expect("row kept")
        };
        assert_eq!(sum("good"), Some(crate::store::index::checksum(body)));
        assert_ne!(crate::store::index::checksum(body), fnv_checksum(body));
        assert_eq!(sum("damaged"), None, "a damaged row must not be blessed");
        assert_eq!(sum("unsummed"), None);
    }

    #[test]
    fn an_empty_file_migrates_and_a_newer_one_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.db");
        let mut conn = Connection::open(&path).expect("open");
        configure(&conn).expect("pragmas");
        migrate(&mut conn).expect("migrate");
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, SCHEMA_VERSION);
        // Idempotent.
        migrate(&mut conn).expect("migrate again");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("bump");
        let err = migrate(&mut conn).expect_err("must be refused");
        assert!(
            matches!(err, Error::SchemaTooNew { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION)
        );
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, SCHEMA_VERSION + 1);
    }
}
