//! [`MemoryKeyStore`]: secrets held in memory only, for tests and for a record that must not
//! outlive the process.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{KeyStore, KeyStoreError};

/// A key store in memory: forgets everything when dropped.
#[derive(Default)]
pub struct MemoryKeyStore {
    secrets: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemoryKeyStore {
    /// The names stored, sorted (for tests that check what was written).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.lock().keys().cloned().collect();
        names.sort();
        names
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
        // A panic while holding the lock leaves the map whole: take it anyway.
        self.secrets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl KeyStore for MemoryKeyStore {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, KeyStoreError> {
        Ok(self.lock().get(name).cloned())
    }

    fn put(&self, name: &str, secret: &[u8]) -> Result<(), KeyStoreError> {
        self.lock().insert(name.to_string(), secret.to_vec());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), KeyStoreError> {
        self.lock().remove(name);
        Ok(())
    }
}
