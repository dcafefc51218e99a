//! The device: the records a phone, a caregiver or a clinic holds, their keys in the shell's
//! key store. A shell holds one `Device` and opens its records through it.

use std::path::Path;
use std::sync::Arc;

use companion_core::device::{
    self as core, DeviceNotification, PlanChanges, RecordSummary, ScheduledNotification,
    SyncFailure, SyncState,
};
use companion_core::model::{Alert, ClinicalTargets, DoseEvent, Medication, Profile};
use companion_core::reminders::PlannedNotification;
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

/// One notification of one of the device's records.
#[uniffi::remote(Record)]
pub struct DeviceNotification {
    /// The record it is of.
    pub record: String,
    /// `record/id`: unique on the device, stable while the notification stands (schedule it
    /// under this identifier).
    pub key: String,
    /// Whether this device is a caregiver's for that record (what it says is about the
    /// patient).
    pub for_caregiver: bool,
    /// Changes whenever anything shown or acted on changes: keep it with what is scheduled.
    pub fingerprint: String,
    /// The notification.
    pub notification: PlannedNotification,
}

/// A notification the phone has scheduled: its key and the fingerprint it was scheduled with.
#[uniffi::remote(Record)]
pub struct ScheduledNotification {
    /// Its key (`DeviceNotification.key`).
    pub key: String,
    /// Its fingerprint when it was scheduled.
    pub fingerprint: String,
}

/// What to change in what is scheduled: remove `remove` (by key), then schedule `add`;
/// leave everything else.
#[uniffi::remote(Record)]
pub struct PlanChanges {
    /// Keys scheduled that are no longer planned, or planned otherwise.
    pub remove: Vec<String>,
    /// Notifications planned and not scheduled as planned, soonest first.
    pub add: Vec<DeviceNotification>,
}

/// What to change to go from `scheduled` (what the phone has pending, as it kept it) to
/// `planned` (`Device.plan_notifications`). With `lost` (after a restore, a clock, zone or
/// permission change) everything scheduled is removed and everything planned added.
#[uniffi::export]
pub fn plan_changes(
    scheduled: Vec<ScheduledNotification>,
    planned: Vec<DeviceNotification>,
    lost: bool,
) -> PlanChanges {
    core::plan_changes(&scheduled, &planned, lost)
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
    /// Why it failed, when it did (the other records were synced all the same), in words
    /// free of patient data.
    pub error: Option<String>,
    /// Alerts that arrived with this sync, oldest first (word them with `render_alert`).
    pub new_alerts: Vec<Alert>,
    /// Doses another member logged or changed, oldest first.
    pub doses_logged: Vec<DoseEvent>,
    /// Medications another member added or changed (a clinician's new plan), as they are now.
    pub medications_changed: Vec<Medication>,
    /// The clinical targets as they are now, when another member changed them.
    pub targets_changed: Option<ClinicalTargets>,
    /// Notifications to cancel (their ids): gone or changed after this sync.
    pub plan_cancel: Vec<String>,
    /// Notifications to schedule: new or changed after this sync.
    pub plan_add: Vec<PlannedNotification>,
}

impl From<&core::RecordSync> for RecordSyncSummary {
    fn from(s: &core::RecordSync) -> Self {
        let (report, error) = match &s.result {
            Ok(r) => (Some(r.clone()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let arrived = s.arrived.clone();
        Self {
            id: s.id.clone(),
            patient: s.patient.clone(),
            report,
            error,
            new_alerts: arrived.alerts,
            doses_logged: arrived.doses,
            medications_changed: arrived.medications,
            targets_changed: arrived.targets,
            plan_cancel: arrived.plan.cancel,
            plan_add: arrived.plan.add,
        }
    }
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

    /// Deletes this device's copy of the record `which` names (its id, an id prefix or the
    /// patient's name): its file and its keys. Close the record first (an open one is refused
    /// as busy). Other devices that share it keep theirs.
    pub fn forget(&self, which: String) -> Result<(), CompanionError> {
        Ok(self.inner.forget(&which)?)
    }

    /// Encrypts the record `which` names (none: the only one) under a new key kept in the
    /// key store: a copy of its file taken before no longer opens. Close the record first
    /// (an open one is refused as busy).
    pub fn rekey(&self, which: Option<String>) -> Result<(), CompanionError> {
        Ok(self.inner.rekey(which.as_deref())?)
    }

    /// Joins a shared record with an invite code, as a new record of this device; `name` is
    /// the member's name for themselves, as the others see it.
    pub fn join(
        &self,
        code: String,
        name: Option<String>,
        transport: Arc<dyn RelayTransport>,
        progress: Option<Arc<dyn SyncProgress>>,
    ) -> Result<Arc<HealthRecord>, CompanionError> {
        let (record, _) = self.inner.join(
            &code,
            name.as_deref(),
            &mut Shell(transport),
            &mut report_to(progress),
        )?;
        Ok(HealthRecord::wrap(record))
    }

    /// The notifications to schedule at `now` for the next `horizon_hours`, of every record of
    /// the device together, soonest first, at most `max` in all (64 on iOS, for the whole
    /// app), for a phone in `device_zone` (IANA); each record's are its member's (see
    /// `HealthRecord.plan_reminders`). A file that cannot be opened plans nothing and stops
    /// nothing. Pass them, with what is scheduled, to `plan_changes`.
    pub fn plan_notifications(
        &self,
        now: UtcTimestamp,
        device_zone: String,
        horizon_hours: u32,
        max: u32,
    ) -> Result<Vec<DeviceNotification>, CompanionError> {
        Ok(self.inner.plan_notifications(
            now,
            &device_zone,
            chrono::Duration::hours(i64::from(horizon_hours)),
            max as usize,
        )?)
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
            .map(|s| RecordSyncSummary::from(&s))
            .collect())
    }
}

/// What the sync service is doing.
#[uniffi::remote(Enum)]
pub enum SyncState {
    /// Not syncing; everything that could be synced was.
    Idle,
    /// A pass over the device's records is running.
    Syncing,
    /// The relay could not be reached; the service tries again after a growing pause.
    Offline,
    /// The last pass failed for a reason a person must act on.
    Error {
        /// What failed.
        kind: SyncFailure,
    },
}

/// Why a pass failed.
#[uniffi::remote(Enum)]
pub enum SyncFailure {
    /// The device's clock is far off: ask the person to set the date and time.
    ClockOff,
    /// The relay refused this device as no longer a member of a record.
    NotMember,
    /// A record could not be read or written on this device.
    Storage,
    /// Anything else.
    Other,
}

/// Told of the service's state and of each record synced, on the service's thread.
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    /// The state changed.
    fn on_state(&self, state: SyncState);
    /// One record was synced, with what arrived and the notification plan's diff.
    fn on_record(&self, record: RecordSyncSummary);
}

struct Observer(Arc<dyn SyncObserver>);

impl core::SyncObserver for Observer {
    fn state_changed(&self, state: SyncState) {
        self.0.on_state(state);
    }
    fn record_synced(&self, record: &core::RecordSync) {
        self.0.on_record(record.into());
    }
}

/// Syncs every record of the device in the background, each through a connection of its
/// own (a record the app holds is never locked while the relay is slow), and tells the
/// observer its state and, per record, what arrived and how the notification plan changed.
#[derive(uniffi::Object)]
pub struct SyncService {
    inner: core::SyncService,
}

#[uniffi::export]
impl SyncService {
    /// A service over `device`'s records. With `device_zone` (the device's IANA zone), each
    /// record's summary carries the notification plan's diff for the next 14 days, at most 64.
    #[uniffi::constructor]
    pub fn new(
        device: Arc<Device>,
        transport: Arc<dyn RelayTransport>,
        observer: Arc<dyn SyncObserver>,
        device_zone: Option<String>,
    ) -> Arc<Self> {
        let plan = device_zone.map(|zone| core::PlanSettings {
            device_zone: zone,
            horizon: chrono::Duration::days(14),
            max: 64,
        });
        Arc::new(Self {
            inner: core::SyncService::new(
                device.inner.clone(),
                Box::new(Shell(transport)),
                Arc::new(Observer(observer)),
                plan,
            ),
        })
    }

    /// The state now.
    pub fn state(&self) -> SyncState {
        self.inner.state()
    }

    /// One pass in the caller's thread (a platform's background task); records not begun
    /// within `seconds` wait for the next pass.
    pub fn sync_once(&self, seconds: u32) -> Result<Vec<RecordSyncSummary>, CompanionError> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds.into());
        Ok(self
            .inner
            .sync_once(deadline)?
            .into_iter()
            .map(|s| RecordSyncSummary::from(&s))
            .collect())
    }

    /// Passes on a thread of the service's own, every `every_seconds`, until `stop`.
    pub fn start(&self, every_seconds: u32) {
        self.inner
            .start(std::time::Duration::from_secs(every_seconds.max(1).into()));
    }

    /// A pass now (after a local write, on connectivity).
    pub fn sync_now(&self) {
        self.inner.sync_now();
    }

    /// Stops the background passes; returns once the current record is done.
    pub fn stop(&self) {
        self.inner.stop();
    }
}
