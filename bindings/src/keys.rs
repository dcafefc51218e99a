//! The device's key store, implemented by the shell: the Android Keystore (each secret wrapped
//! by a non-exportable AES key, in hardware where there is one) or the iOS Keychain
//! (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`). The core keeps every record file's key
//! and every sync secret there, never in a record file.

use std::path::Path;
use std::sync::Arc;

use companion_core::keystore::{self as core, KeyStoreError, RecordKeys};

/// Why the key store could not answer.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KeyStoreFailure {
    /// Locked, refused, or the wrapping key was invalidated: `reason` says which, with no
    /// secret in it.
    #[error("the key store is unavailable: {reason}")]
    Unavailable {
        /// What the platform said.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyStoreFailure {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Unavailable { reason: e.reason }
    }
}

/// Secrets by name, kept by the platform across restarts. Names are short ASCII paths; a secret
/// is at most a few hundred bytes. Called from any thread.
#[uniffi::export(with_foreign)]
pub trait KeyStore: Send + Sync {
    /// The secret kept under `name`, or nothing.
    fn get(&self, name: String) -> Result<Option<Vec<u8>>, KeyStoreFailure>;
    /// Keeps `secret` under `name`, replacing what was there; durable when it returns.
    fn put(&self, name: String, secret: Vec<u8>) -> Result<(), KeyStoreFailure>;
    /// Forgets the secret under `name` (nothing happens if there is none).
    fn delete(&self, name: String) -> Result<(), KeyStoreFailure>;
}

/// The shell's key store as the core's.
struct Shell(Arc<dyn KeyStore>);

fn failure(e: KeyStoreFailure) -> KeyStoreError {
    match e {
        KeyStoreFailure::Unavailable { reason } => KeyStoreError::Unavailable { detail: reason },
    }
}

impl core::KeyStore for Shell {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, KeyStoreError> {
        self.0.get(name.to_string()).map_err(failure)
    }

    fn put(&self, name: &str, secret: &[u8]) -> Result<(), KeyStoreError> {
        self.0
            .put(name.to_string(), secret.to_vec())
            .map_err(failure)
    }

    fn delete(&self, name: &str) -> Result<(), KeyStoreError> {
        self.0.delete(name.to_string()).map_err(failure)
    }
}

/// The shell's key store as the core's.
pub(crate) fn core_store(key_store: Arc<dyn KeyStore>) -> Arc<dyn core::KeyStore> {
    Arc::new(Shell(key_store))
}

/// The keys of the record file at `path`, named by the file's name (an app's data directory
/// may move between installs; its files' names do not): keep each record's file name unique
/// on the device.
pub(crate) fn record_keys(key_store: Arc<dyn KeyStore>, path: &Path) -> RecordKeys {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    RecordKeys::named(Arc::new(Shell(key_store)), &format!("file-{name}"))
}
