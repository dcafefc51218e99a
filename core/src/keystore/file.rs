//! [`FileKeyStore`]: secrets in one file of the device directory, for the command line and the
//! desktop, where there is no platform key store to hold them.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::{KeyStore, KeyStoreError};

/// The file's name in the device directory.
pub const KEYS_FILE: &str = "keys.json";

/// Secrets kept in `keys.json` of a directory: readable by its owner only (0600 on Unix),
/// replaced whole on every change (write, fsync, rename), changed by one process at a time
/// (`keys.lock`). Never inside a record file: a record file copied without this file opens
/// nothing, and this file without the record files holds no patient data.
///
/// It is as safe as the directory's permissions: anyone who can read the user's files can read
/// it. Phones use the platform's key store instead (docs/security.md).
#[derive(Debug, Clone)]
pub struct FileKeyStore {
    dir: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Contents {
    version: u32,
    secrets: BTreeMap<String, String>,
}

fn io(doing: &'static str) -> impl FnOnce(std::io::Error) -> KeyStoreError {
    move |source| KeyStoreError::Io { doing, source }
}

impl FileKeyStore {
    /// The key store of the directory `dir`, created (0700 on Unix) if it does not exist.
    pub fn open(dir: &Path) -> Result<Self, KeyStoreError> {
        if !dir.is_dir() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(io("written"))?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// The names of the secrets kept, sorted (never the secrets).
    pub fn names(&self) -> Result<Vec<String>, KeyStoreError> {
        Ok(self.read()?.secrets.into_keys().collect())
    }

    /// The file the secrets are kept in.
    pub fn path(&self) -> PathBuf {
        self.dir.join(KEYS_FILE)
    }

    fn read(&self) -> Result<Contents, KeyStoreError> {
        match std::fs::read(self.path()) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Contents {
                version: 1,
                ..Contents::default()
            }),
            Err(e) => Err(io("read")(e)),
            Ok(bytes) => {
                let contents: Contents =
                    serde_json::from_slice(&bytes).map_err(|_| KeyStoreError::Damaged)?;
                if contents.version != 1 {
                    return Err(KeyStoreError::Damaged);
                }
                Ok(contents)
            }
        }
    }

    /// Runs `change` on the contents under the directory's lock and, when it says it changed
    /// them, writes them back whole: what it reads is what it decides on.
    fn change(&self, change: impl FnOnce(&mut Contents) -> bool) -> Result<(), KeyStoreError> {
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let lock = options
            .open(self.dir.join("keys.lock"))
            .map_err(io("written"))?;
        lock.lock().map_err(io("written"))?;
        let mut contents = self.read()?;
        if !change(&mut contents) {
            return Ok(());
        }
        let bytes = serde_json::to_vec(&contents).map_err(|_| KeyStoreError::Damaged)?;
        let tmp = self.dir.join(format!("{KEYS_FILE}.partial"));
        let _ = std::fs::remove_file(&tmp);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options
            .open(&tmp)
            .and_then(|mut f| f.write_all(&bytes).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, self.path()))
            .and_then(|()| File::open(&self.dir).and_then(|d| d.sync_all()));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(io("written"))
    }
}

impl KeyStore for FileKeyStore {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, KeyStoreError> {
        self.read()?
            .secrets
            .get(name)
            .map(|s| B64.decode(s).map_err(|_| KeyStoreError::Damaged))
            .transpose()
    }

    fn put(&self, name: &str, secret: &[u8]) -> Result<(), KeyStoreError> {
        let encoded = B64.encode(secret);
        self.change(|c| c.secrets.insert(name.to_string(), encoded.clone()) != Some(encoded))
    }

    fn delete(&self, name: &str) -> Result<(), KeyStoreError> {
        self.change(|c| c.secrets.remove(name).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_survive_a_new_instance_and_the_file_is_the_owners_only() {
        let dir = tempfile::tempdir().expect("dir");
        let store = FileKeyStore::open(&dir.path().join("home")).expect("open");
        store.put("record/a/file", &[7; 32]).expect("put");
        store.put("record/b/file", &[8; 32]).expect("put");
        store.delete("record/b/file").expect("delete");
        let again = FileKeyStore::open(&dir.path().join("home")).expect("open");
        assert_eq!(again.get("record/a/file").expect("get"), Some(vec![7; 32]));
        assert_eq!(again.get("record/b/file").expect("get"), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_damaged_file_is_a_typed_error() {
        let dir = tempfile::tempdir().expect("dir");
        let store = FileKeyStore::open(dir.path()).expect("open");
        std::fs::write(store.path(), b"not json").expect("write");
        assert!(matches!(store.get("x"), Err(KeyStoreError::Damaged)));
        assert!(matches!(store.put("x", b"y"), Err(KeyStoreError::Damaged)));
    }
}
