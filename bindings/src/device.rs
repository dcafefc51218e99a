//! The device: the records a phone, a caregiver or a clinic holds, their keys in the shell's
//! key store. A shell holds one `Device` and opens its records through it.

use std::path::Path;
use std::sync::Arc;

use companion_core::device::{self as core, RecordSummary};
use companion_core::model::{Alert, Profile};
use companion_core::sync::{Role, SyncReport};

use crate::error::CompanionError;
use crate::keys::KeyStore;
use crate::record::HealthRecord;
use crate::sync::{RelayTransport, Shell, SyncProgress, report_to};
use crate::types::UtcTimestamp;

/// One record the device holds.
#[uniffi::remote(Record)]
pub struct RecordSummary {
    /// The record's id.
    pub id: String,
    /// The patient's name; empty when the file could not be read.
    pub patient: String,
    /// This device's role; none for a record not shared (the patient's own).
    pub role: Option<Role>,
    /// When this device last synced it.
    pub last_sync: Option<UtcTimestamp>,
    /// Why the file could not be read, if it could not.
    pub problem: Option<String>,
}

/// What one record's sync brought.
#[derive(uniffi::Record)]
pub struct RecordSyncSummary {
    /// The record's id.
    pub id: String,
    /// The patient's name.
    pub patient: String,
    /// The sync's report, when it succeeded.
    pub report: Option<SyncReport>,
    /// Why it failed, when it did (the other records were synced all the same): the text
    /// of the `CompanionError` the record's own sync would raise.
    pub error: Option<String>,
    /// Alerts that arrived with this sync, oldest first (word them with `render_alert`).
    pub new_alerts: Vec<Alert>,
}

/// The records of this device, in one directory, with their keys in the shell's key store.
#[derive(uniffi::Object)]
pub struct Device {
    inner: core::Device,
}

#[uniffi::export]
impl Device {
    /// The device whose directory is `dir` (created if missing), its keys in `key_store`.
    #[uniffi::constructor]
    pub fn open(dir: String, key_store: Arc<dyn KeyStore>) -> Result<Arc<Self>, CompanionError> {
        let store = crate::keys::core_store(key_store);
        Ok(Arc::new(Self {
            inner: core::Device::open(Path::new(&dir), store)?,
        }))
    }

    /// Every record of the device, by patient name; a file that cannot be read is listed
    /// with its problem.
    pub fn records(&self) -> Result<Vec<RecordSummary>, CompanionError> {
        Ok(self.inner.records()?)
    }

    /// Creates a record for `profile` on this device.
    pub fn create(&self, profile: Profile) -> Result<Arc<HealthRecord>, CompanionError> {
        Ok(HealthRecord::wrap(self.inner.create(&profile)?))
    }

    /// Opens the record `which` names (its id, an id prefix, or the patient's name); none
    /// opens the device's only record. Raises `NoRecord` when none matches, `WhichRecord`
    /// when several do.
    pub fn open_record(&self, which: Option<String>) -> Result<Arc<HealthRecord>, CompanionError> {
        Ok(HealthRecord::wrap(
            self.inner.open_record(which.as_deref())?,
        ))
    }

    /// Joins a shared record with an invite code, as a new record of this device.
    pub fn join(
        &self,
        code: String,
        transport: Arc<dyn RelayTransport>,
        progress: Option<Arc<dyn SyncProgress>>,
    ) -> Result<Arc<HealthRecord>, CompanionError> {
        let (record, _) =
            self.inner
                .join(&code, &mut Shell(transport), &mut report_to(progress))?;
        Ok(HealthRecord::wrap(record))
    }

    /// Syncs every shared record of the device, each with its own result and the alerts that
    /// arrived with it. A record open elsewhere in the app is synced through its own file.
    pub fn sync_all(
        &self,
        transport: Arc<dyn RelayTransport>,
    ) -> Result<Vec<RecordSyncSummary>, CompanionError> {
        Ok(self
            .inner
            .sync_all(&mut Shell(transport))?
            .into_iter()
            .map(|s| {
                let (report, error) = match s.result {
                    Ok(r) => (Some(r), None),
                    Err(e) => (None, Some(CompanionError::from(e).to_string())),
                };
                RecordSyncSummary {
                    id: s.id,
                    patient: s.patient,
                    report,
                    error,
                    new_alerts: s.new_alerts,
                }
            })
            .collect())
    }
}
