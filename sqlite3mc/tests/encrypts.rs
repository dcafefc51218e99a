//! The linked SQLite encrypts a file given `PRAGMA key`, and reads it back only with that key.
#![allow(clippy::unwrap_used)]

use companion_sqlite3mc as _;
use rusqlite::Connection;

const KEY: &str = "x'2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c'";
const MARKER: &str = "marker-Metformin-7Q";

fn write(path: &std::path::Path, key: Option<&str>) {
    let conn = Connection::open(path).unwrap();
    if let Some(key) = key {
        conn.pragma_update(None, "key", key).unwrap();
    }
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (v TEXT);")
        .unwrap();
    conn.execute("INSERT INTO t VALUES (?1)", [MARKER]).unwrap();
}

fn contains(path: &std::path::Path, needle: &str) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_keyed_file_holds_no_plaintext_and_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    write(&path, Some(KEY));
    assert!(!contains(&path, MARKER), "the text is in the file in clear");
    assert!(
        !contains(&path, "CREATE TABLE"),
        "the schema is in the file in clear"
    );

    let keyed = Connection::open(&path).unwrap();
    keyed.pragma_update(None, "key", KEY).unwrap();
    let v: String = keyed
        .query_row("SELECT v FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, MARKER);
    drop(keyed);

    let bare = Connection::open(&path).unwrap();
    assert!(
        bare.query_row("SELECT count(*) FROM sqlite_master", [], |r| r
            .get::<_, i64>(0))
            .is_err()
    );
    let wrong = Connection::open(&path).unwrap();
    wrong
        .pragma_update(
            None,
            "key",
            "x'00000000000000000000000000000000000000000000000000000000000000ff'",
        )
        .unwrap();
    assert!(
        wrong
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
                .get::<_, i64>(0))
            .is_err()
    );
}

#[test]
fn a_file_without_a_key_stays_plain_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    write(&path, None);
    assert!(contains(&path, MARKER) || contains(&dir.path().join("p.db-wal"), MARKER));
}
