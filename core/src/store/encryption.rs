//! Record files encrypted at rest: every page of the file and of its write-ahead log is sealed
//! with ChaCha20-Poly1305 (SQLite3 Multiple Ciphers), under a random 32-byte key per file kept
//! in the device's key store ([`RecordKeys`]), never in the file.
//!
//! A plaintext record (written before encryption came) is encrypted in place when it is opened:
//! copied whole into an encrypted file beside it, which then takes its name by a rename. A crash
//! at any instant leaves either the old file or the new one under the record's name.
//!
//! Rekeying ([`rekey`]) copies the file the same way under a new key, which the key store holds
//! as the next key (`file.next`) from before the copy until the file under the record's name
//! opens with it; opening tries the current key, then the next one, and settles on whichever
//! opens the file.

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::keystore::RecordKeys;

/// The name the file key is kept under in the record's keys.
const FILE_KEY: &str = "file";

/// The name a rekey keeps the new key under until the file under the record's name uses it.
const NEXT_KEY: &str = "file.next";

/// What is at a record's path.
#[derive(Debug, PartialEq, Eq)]
enum FileState {
    Missing,
    Plain,
    Encrypted,
}

/// Reads the head of the file at `path`: a plain SQLite header, or what an encrypted file
/// looks like (random bytes, in whole pages). Anything else is not a record.
fn state(path: &Path) -> Result<FileState> {
    let mut file = match std::fs::File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Error::Storage {
                kind: crate::error::StorageKind::ReadOnly,
                source: rusqlite::Error::InvalidPath(path.to_path_buf()),
            });
        }
        Err(source) => {
            return Err(Error::Io {
                detail: "the record file could not be read",
                source,
            });
        }
        Ok(f) => f,
    };
    let mut header = [0u8; 16];
    if file.read_exact(&mut header).is_err() {
        return Err(Error::NotARecord);
    }
    if &header == b"SQLite format 3\0" {
        return Ok(FileState::Plain);
    }
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len >= 512 && len % 512 == 0 {
        Ok(FileState::Encrypted)
    } else {
        Err(Error::NotARecord)
    }
}

/// Whether a file exists at `path` (a record, encrypted or not, or something to refuse).
pub(super) fn exists(path: &Path) -> Result<bool> {
    Ok(state(path)? != FileState::Missing)
}

fn key_pragma(key: &[u8; 32]) -> String {
    format!("x'{}'", crate::crypto::hex(key))
}

fn apply(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    conn.pragma_update(None, "key", key_pragma(key))?;
    // The key is checked on the first read: a wrong key reads as "not a database".
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(Error::NoKeyForRecord)
        }
        Err(e) => Err(e.into()),
    }
}

/// A new file key for the record, kept in the key store before any file uses it. It replaces
/// the key of a file no longer there (one deleted, or a create that crashed), so that a new
/// file never inherits an old one's secrets.
fn new_file_key(keys: &RecordKeys) -> Result<[u8; 32]> {
    let key = crate::crypto::random::<32>().map_err(companion_protocol::SyncError::Crypto)?;
    keys.put(FILE_KEY, &key)?;
    Ok(key)
}

/// The file an encryption in place writes before it takes the record's name.
fn partial(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".encrypting");
    PathBuf::from(p)
}

/// Opens a new encrypted file at `path`, where nothing is yet; returns it with its key.
/// The path is claimed first: of two creates at once, one gets [`Error::RecordExists`].
pub(super) fn create(path: &Path, keys: &RecordKeys) -> Result<(Connection, [u8; 32])> {
    let mut claim = std::fs::OpenOptions::new();
    claim.write(true).create_new(true);
    // The owner's only (SQLite gives its -wal and -shm files the same mode).
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut claim, 0o600);
    match claim.open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::RecordExists);
        }
        Err(source) => {
            return Err(Error::Io {
                detail: "the record file could not be created",
                source,
            });
        }
        Ok(_) => {}
    }
    let opened = new_file_key(keys).and_then(|key| {
        let conn = Connection::open(path)?;
        if !keys.is_plaintext_baseline() {
            apply(&conn, &key)?;
        }
        Ok((conn, key))
    });
    if opened.is_err() {
        // The claim is released: a key store that could not keep the key leaves no file.
        let _ = std::fs::remove_file(path);
    }
    opened
}

/// Opens the record file at `path` with its key (returned with it), encrypting a plaintext
/// record in place first.
/// `check` refuses, before anything is written, a plaintext file that is not a record.
///
/// Errors: [`Error::NoRecord`] when nothing is there, [`Error::NoKeyForRecord`] for an
/// encrypted file this device has no key for, [`Error::NotARecord`] for anything else.
pub(super) fn open(
    path: &Path,
    keys: &RecordKeys,
    flags: OpenFlags,
    check: fn(&Connection) -> Result<()>,
) -> Result<(Connection, [u8; 32])> {
    let _ = std::fs::remove_file(partial(path));
    match state(path)? {
        FileState::Missing => Err(Error::NoRecord),
        FileState::Plain if keys.is_plaintext_baseline() => {
            let key = keys.key32(FILE_KEY)?.ok_or(Error::NoKeyForRecord)?;
            Ok((Connection::open_with_flags(path, flags)?, key))
        }
        FileState::Plain => {
            encrypt_in_place(path, keys, check)?;
            open_encrypted(path, keys, flags)
        }
        FileState::Encrypted => open_encrypted(path, keys, flags),
    }
}

fn open_encrypted(
    path: &Path,
    keys: &RecordKeys,
    flags: OpenFlags,
) -> Result<(Connection, [u8; 32])> {
    let current = keys.key32(FILE_KEY)?;
    let next = keys.key32(NEXT_KEY)?;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::CannotOpen => {
            Error::NoRecord
        }
        other => other.into(),
    })?;
    let opened = match current {
        Some(key) => apply(&conn, &key).map(|()| key),
        None => Err(Error::NoKeyForRecord),
    };
    match (opened, next) {
        // A rekey stopped before its rename: the next key was never used.
        (Ok(key), Some(_)) => {
            keys.delete(NEXT_KEY)?;
            Ok((conn, key))
        }
        (Ok(key), None) => Ok((conn, key)),
        // A rekey stopped after its rename: the next key is the file's now.
        (Err(Error::NoKeyForRecord), Some(next)) => {
            drop(conn);
            let conn = Connection::open_with_flags(path, flags)?;
            apply(&conn, &next)?;
            keys.put(FILE_KEY, &next)?;
            keys.delete(NEXT_KEY)?;
            Ok((conn, next))
        }
        (Err(e), _) => Err(e),
    }
}

/// Re-encrypts the record file at `path` under a new random key, its sync secrets kept under
/// the new key's fingerprint too ([`RecordKeys::of_file`]); `secrets` names them, read from
/// the file. Needs the file to itself (another connection open on it: [`Error::Storage`],
/// busy). A crash at any instant leaves the file under the old key or the new one, and the
/// key store holding whichever it is under.
pub(super) fn rekey(
    path: &Path,
    keys: &RecordKeys,
    check: fn(&Connection) -> Result<()>,
    secrets: fn(&Connection) -> Result<Vec<String>>,
) -> Result<()> {
    if keys.is_plaintext_baseline() {
        return Ok(());
    }
    if state(path)? == FileState::Plain {
        // An earlier version's file: encrypting it is its first key.
        return encrypt_in_place(path, keys, check);
    }
    let (conn, old) = open_encrypted(
        path,
        keys,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    exclusive(&conn)?;
    let new = crate::crypto::random::<32>().map_err(companion_protocol::SyncError::Crypto)?;
    keys.put(NEXT_KEY, &new)?;
    let names = secrets(&conn)?;
    let (from, to) = (keys.of_file(&old), keys.of_file(&new));
    for name in &names {
        if let Some(bytes) = from.get(name)? {
            to.put(name, &bytes)?;
        }
    }
    copy_over(
        &conn,
        path,
        &new,
        "the record file could not be re-encrypted",
    )?;
    drop(conn);
    keys.put(FILE_KEY, &new)?;
    keys.delete(NEXT_KEY)?;
    // The old key's secrets serve no file now.
    for name in &names {
        from.delete(name)?;
    }
    Ok(())
}

/// Deletes the record file at `path` (with its journal files) and then its keys: the file
/// key, a pending rekey's, and the sync secrets `secrets` names. Needs the file to itself
/// (another connection open on it: [`Error::Storage`], busy), and `check` to say it is a
/// record. A crash between the two leaves keys that open nothing.
pub(super) fn remove(
    path: &Path,
    keys: &RecordKeys,
    check: fn(&Connection) -> Result<()>,
    secrets: fn(&Connection) -> Result<Vec<String>>,
) -> Result<()> {
    let (conn, key) = open(
        path,
        keys,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        check,
    )?;
    check(&conn)?;
    exclusive(&conn)?;
    let names = secrets(&conn)?;
    // The lock is held while the files go.
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::Io {
                    detail: "the record file could not be deleted",
                    source: e,
                });
            }
            _ => {}
        }
    }
    sync_dir(path).map_err(|source| Error::Io {
        detail: "the record file could not be deleted",
        source,
    })?;
    drop(conn);
    let sync_keys = keys.of_file(&key);
    for name in &names {
        sync_keys.delete(name)?;
    }
    keys.delete(FILE_KEY)?;
    keys.delete(NEXT_KEY)
}

/// Takes the file's exclusive lock for `conn` (until it closes) and moves it out of WAL, so
/// that the main file holds everything: refused while another connection has it open.
fn exclusive(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    let mode: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(Error::Storage {
            kind: crate::error::StorageKind::Busy,
            source: rusqlite::Error::InvalidQuery,
        });
    }
    // A write takes the lock now, and keeps it.
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    conn.pragma_update(None, "user_version", version)?;
    Ok(())
}

/// Copies the database of `conn` into a file beside `path` encrypted under `key`, makes it
/// durable, and renames it over `path` (`conn` holding the exclusive lock throughout).
fn copy_over(conn: &Connection, path: &Path, key: &[u8; 32], what: &'static str) -> Result<()> {
    let tmp = partial(path);
    let _ = std::fs::remove_file(&tmp);
    let uri = format!(
        "file:{}?cipher=chacha20&key=raw:{}",
        uri_path(&tmp),
        crate::crypto::hex(key)
    );
    let written = conn
        .execute("VACUUM INTO ?1", [&uri])
        .map_err(Error::from)
        .and_then(|_| {
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .and_then(|()| std::fs::rename(&tmp, path))
                .and_then(|()| sync_dir(path))
                .map_err(|source| Error::Io {
                    detail: what,
                    source,
                })
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Encrypts the plaintext record at `path`: holds the file's exclusive lock (no other
/// connection may have it open), writes an encrypted copy beside it, makes the copy durable,
/// and renames it over the record while still holding the lock.
fn encrypt_in_place(
    path: &Path,
    keys: &RecordKeys,
    check: fn(&Connection) -> Result<()>,
) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    check(&conn)?;
    exclusive(&conn)?;
    // Another process may have encrypted it while this one waited: the name is then another
    // file's, and this connection holds the old one.
    if state(path)? != FileState::Plain {
        return Ok(());
    }
    let key = new_file_key(keys)?;
    copy_over(&conn, path, &key, "the record file could not be encrypted")
}

/// Moves the sync secrets an earlier version kept in the file (table `sync_secrets`) into the
/// key store: each is kept there before the transaction that deletes it commits.
pub(super) fn adopt_secrets(conn: &mut Connection, keys: &RecordKeys) -> Result<()> {
    let any: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sync_secrets)", [], |r| {
        r.get(0)
    })?;
    if !any {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut stmt = tx.prepare("SELECT name, bytes FROM sync_secrets")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (name, bytes) = row?;
            keys.put(&format!("sync/{name}"), &bytes)?;
        }
    }
    tx.execute("DELETE FROM sync_secrets", [])?;
    tx.commit()?;
    Ok(())
}

fn sync_dir(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => std::fs::File::open(".")?.sync_all(),
    }
}

/// `path` as the path of an SQLite URI: every byte but the unreserved ones and `/`
/// percent-encoded.
fn uri_path(path: &Path) -> String {
    let absolute = super::canonical(path).unwrap_or_else(|| path.to_path_buf());
    let mut out = String::new();
    for &b in absolute.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_path_escapes_what_a_uri_would_read() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("a b?c#d%e.db");
        let uri = uri_path(&p);
        assert!(uri.ends_with("/a%20b%3Fc%23d%25e.db"), "{uri}");
    }
}
