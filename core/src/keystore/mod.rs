//! Where a device keeps its secrets: each record file's key and each record's sync keys.
//!
//! No secret is ever kept in a record file: the file is encrypted with a key that lives here,
//! and so do the record's device keys and record keys. A shell implements [`KeyStore`] over the
//! platform's key store (the Android Keystore wrapping each secret with a non-exportable key,
//! the iOS Keychain); [`FileKeyStore`] keeps them in a file of the device directory for the
//! command line and the desktop, and [`MemoryKeyStore`] in memory for tests.

pub use crate::error::KeyStoreError;
use std::path::Path;
use std::sync::Arc;

mod file;
mod memory;

pub use file::FileKeyStore;
pub use memory::MemoryKeyStore;

use crate::crypto::KEY_LEN;
use crate::error::{Error, Result};

/// Secrets by name. Names are short ASCII paths (`record/<id>/file`); a secret is at most a
/// few hundred bytes.
///
/// An implementation keeps what [`KeyStore::put`] stored until [`KeyStore::delete`], across
/// restarts, and is safe to call from several threads.
pub trait KeyStore: Send + Sync {
    /// The secret stored under `name`, if any.
    fn get(&self, name: &str) -> std::result::Result<Option<Vec<u8>>, KeyStoreError>;
    /// Stores `secret` under `name`, replacing what was there; durable when it returns.
    fn put(&self, name: &str, secret: &[u8]) -> std::result::Result<(), KeyStoreError>;
    /// Forgets the secret under `name` (nothing happens if there is none).
    fn delete(&self, name: &str) -> std::result::Result<(), KeyStoreError>;
}

/// The secrets of one record file on this device: its file key and its sync keys, kept in a
/// [`KeyStore`] under a name of the file's own.
#[derive(Clone)]
pub struct RecordKeys {
    store: Arc<dyn KeyStore>,
    name: String,
    /// The encryption benchmark's baseline: a file left unencrypted.
    #[cfg(feature = "bench-plaintext")]
    plaintext: bool,
}

impl std::fmt::Debug for RecordKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordKeys")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl RecordKeys {
    /// The keys of the record file a device keeps under its own `name` (the device floor
    /// names its files; the name survives a move of the device directory).
    pub fn named(store: Arc<dyn KeyStore>, name: &str) -> Self {
        Self {
            store,
            name: name.to_string(),
            #[cfg(feature = "bench-plaintext")]
            plaintext: false,
        }
    }

    /// Keys that leave the record file unencrypted: only for the benchmark that measures what
    /// encryption costs (feature `bench-plaintext`, never in a build that ships).
    #[cfg(feature = "bench-plaintext")]
    pub fn plaintext_baseline(store: Arc<dyn KeyStore>, name: &str) -> Self {
        Self {
            plaintext: true,
            ..Self::named(store, name)
        }
    }

    /// Whether the file stays unencrypted (the benchmark's baseline).
    pub(crate) fn is_plaintext_baseline(&self) -> bool {
        #[cfg(feature = "bench-plaintext")]
        return self.plaintext;
        #[cfg(not(feature = "bench-plaintext"))]
        false
    }

    /// The keys of the record file at `path`, named by its absolute path: a file moved or
    /// copied elsewhere no longer finds them.
    pub fn for_path(store: Arc<dyn KeyStore>, path: &Path) -> Self {
        let absolute = crate::store::canonical(path).unwrap_or_else(|| path.to_path_buf());
        let digest = crate::crypto::sha256(absolute.as_os_str().as_encoded_bytes());
        Self::named(
            store,
            &format!("path-{}", crate::crypto::hex(&digest[..16])),
        )
    }

    /// The keys of one file of this name: its sync secrets are kept apart from those of any
    /// earlier file of the same name (a file deleted and created again starts clean), under
    /// a fingerprint of `file_key`.
    pub(crate) fn of_file(&self, file_key: &[u8; KEY_LEN]) -> Self {
        let fingerprint = crate::crypto::sha256(file_key);
        Self {
            name: format!("{}/{}", self.name, crate::crypto::hex(&fingerprint[..8])),
            ..self.clone()
        }
    }

    /// The name the secrets are kept under.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn full(&self, secret: &str) -> String {
        format!("record/{}/{secret}", self.name)
    }

    /// The secret `secret` of this record (`file`, `sync/device`, `sync/epoch/3`).
    pub(crate) fn get(&self, secret: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.store.get(&self.full(secret))?)
    }

    /// Keeps `bytes` as the secret `secret` of this record.
    pub(crate) fn put(&self, secret: &str, bytes: &[u8]) -> Result<()> {
        Ok(self.store.put(&self.full(secret), bytes)?)
    }

    /// Forgets the secret `secret` of this record (nothing when there is none).
    pub(crate) fn delete(&self, secret: &str) -> Result<()> {
        Ok(self.store.delete(&self.full(secret))?)
    }

    /// A 32-byte secret, or `None`; a stored secret of another length is damage.
    pub(crate) fn key32(&self, secret: &str) -> Result<Option<[u8; KEY_LEN]>> {
        self.get(secret)?
            .map(|b| {
                b.try_into().map_err(|_| Error::Corrupt {
                    detail: "a stored key is malformed",
                })
            })
            .transpose()
    }
}
