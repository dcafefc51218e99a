//! The record files of a test directory (one device): their keys in the directory's key store
//! (`keys/`), SQLite opened with a file's key, a file turned back into an earlier version's
//! plaintext. Shared by the core's tests and the cross-crate scenarios (`tests/`).
#![allow(dead_code)]

/// The keys of the record file at `path`, in the key store of its directory (each test
/// directory is one device).
pub fn keys(path: &std::path::Path) -> companion_core::keystore::RecordKeys {
    let dir = path
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("keys");
    let store = companion_core::keystore::FileKeyStore::open(&dir).expect("key store");
    companion_core::keystore::RecordKeys::for_path(std::sync::Arc::new(store), path)
}

/// The key store of the test directory holding `path` (see [`keys`]).
pub fn key_store(path: &std::path::Path) -> companion_core::keystore::FileKeyStore {
    let dir = path
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("keys");
    companion_core::keystore::FileKeyStore::open(&dir).expect("key store")
}

/// The record file at `path` opened with SQLite itself, with its key (what someone holding
/// both the file and the device's key store can do).
pub fn sqlite(path: &std::path::Path) -> rusqlite::Connection {
    use companion_core::keystore::KeyStore;
    let conn = rusqlite::Connection::open(path).expect("sqlite");
    let name = format!("record/{}/file", keys(path).name());
    if let Some(key) = key_store(path).get(&name).expect("key store") {
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        conn.pragma_update(None, "key", format!("x'{hex}'"))
            .expect("key");
    }
    conn
}

/// The sync secrets of the record file at `path` in its device's key store: (name after
/// `sync/`, bytes), sorted by name.
pub fn sync_secrets(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    use companion_core::keystore::KeyStore;
    let store = key_store(path);
    let prefix = format!("record/{}/", keys(path).name());
    store
        .names()
        .expect("names")
        .into_iter()
        .filter_map(|name| {
            let rest = name.strip_prefix(&prefix)?;
            let (_, secret) = rest.split_once("/sync/")?;
            let bytes = store.get(&name).expect("get")?;
            Some((secret.to_string(), bytes))
        })
        .collect()
}

/// Gives the record file copied to `to` the keys of the file at `from` (both in one test
/// directory, one device), as someone holding the device's key store could.
pub fn copy_keys(from: &std::path::Path, to: &std::path::Path) {
    use companion_core::keystore::KeyStore;
    let store = key_store(from);
    let old = format!("record/{}/", keys(from).name());
    let new = format!("record/{}/", keys(to).name());
    for name in store.names().expect("names") {
        if let Some(rest) = name.strip_prefix(&old) {
            let secret = store.get(&name).expect("get").expect("secret");
            store.put(&format!("{new}{rest}"), &secret).expect("put");
        }
    }
}

/// Turns the record file at `path` into what an earlier version wrote: plaintext SQLite, its
/// key gone from the key store, its sync secrets (if any) back in table `sync_secrets`.
pub fn make_plaintext(path: &std::path::Path) {
    use companion_core::keystore::KeyStore;
    let dir = path
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("keys");
    let store = companion_core::keystore::FileKeyStore::open(&dir).expect("key store");
    let prefix = format!("record/{}/", keys(path).name());
    let conn = sqlite(path);
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .expect("journal mode");
    assert_eq!(mode, "delete");
    for name in store.names().expect("names") {
        if let Some(rest) = name.strip_prefix(&prefix) {
            if let Some((_, secret)) = rest.split_once("/sync/") {
                let bytes = store.get(&name).expect("get").expect("secret");
                conn.execute(
                    "INSERT INTO sync_secrets (name, bytes) VALUES (?1, ?2)",
                    rusqlite::params![secret, bytes],
                )
                .expect("legacy secret");
            }
            store.delete(&name).expect("delete");
        }
    }
    conn.pragma_update(None, "rekey", "").expect("decrypt");
    drop(conn);
    let head = std::fs::read(path).expect("read");
    assert!(head.starts_with(b"SQLite format 3\0"), "plaintext now");
}

/// The files of `dir` (and below) that hold the bytes of `needle`: what `strings` on a copied
/// device directory would find.
pub fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            hits.extend(files_holding(&path, needle));
        } else if std::fs::read(&path)
            .expect("read")
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}
