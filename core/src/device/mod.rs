//! [`Device`]: the floor above [`HealthRecord`]. A phone, a caregiver looking after two parents,
//! or a clinic holds several records; the device knows which (one encrypted file each in its
//! directory's `records/`), keeps every record's keys in one [`KeyStore`], and opens, creates,
//! joins, lists, syncs and forgets them. A shell holds one `Device`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::keystore::{KeyStore, RecordKeys};
use crate::model::Profile;
use crate::sync::{Progress, Role, SyncReport, Transport};
use crate::{HealthRecord, TimeRange};

mod arrivals;
mod plan;
mod service;

use arrivals::Snapshot;
pub use arrivals::{Arrivals, PlanDiff};
pub use plan::{DeviceNotification, PlanChanges, ScheduledNotification, changes as plan_changes};
pub use service::{SyncFailure, SyncObserver, SyncService, SyncState};

/// The folder of the device directory that holds the record files.
pub const RECORDS_DIR: &str = "records";

/// One record the device holds, as [`Device::records`] lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecordSummary {
    /// The record's id (the same on every device that shares it).
    pub id: String,
    /// The patient's name; empty if the file could not be read (see `problem`).
    pub patient: String,
    /// This device's role; `None` for a record not shared (the patient's own).
    pub role: Option<Role>,
    /// When this device last synced it; `None` if never.
    pub last_sync: Option<DateTime<Utc>>,
    /// Why the file could not be read, if it could not (the others are listed all the same).
    pub problem: Option<String>,
}

/// What one record's sync brought, as [`Device::sync_all`] tells it.
#[derive(Debug)]
pub struct RecordSync {
    /// The record's id.
    pub id: String,
    /// The patient's name.
    pub patient: String,
    /// The patient's profile (its language and units word the alerts), if it could be read.
    pub profile: Option<Profile>,
    /// The sync's report, or why it failed (the other records are synced all the same).
    pub result: Result<SyncReport>,
    /// What arrived with this sync: alerts (an urgent one is what a caregiver must be told),
    /// doses others logged, medications changed, and the notification plan's diff.
    pub arrived: Arrivals,
}

/// The records of one device, in one directory, with their keys in one key store.
#[derive(Clone)]
pub struct Device {
    dir: PathBuf,
    key_store: Arc<dyn KeyStore>,
}

impl Device {
    /// The device whose directory is `dir` (created, the owner's only, if missing), its keys
    /// in `key_store`.
    pub fn open(dir: &Path, key_store: Arc<dyn KeyStore>) -> Result<Self> {
        let records = dir.join(RECORDS_DIR);
        if !records.is_dir() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(&records).map_err(|source| Error::Io {
                detail: "the device directory could not be created",
                source,
            })?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            key_store,
        })
    }

    /// The device directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file and keys of a new record file of this device.
    fn new_file(&self) -> (PathBuf, RecordKeys) {
        let file = crate::model::new_id();
        let path = self.dir.join(RECORDS_DIR).join(format!("{file}.db"));
        (path, self.keys_of_file(&file))
    }

    /// A path for a new record file of this device (nothing is created), for a caller that
    /// creates the record itself with [`Device::keys_of`].
    pub fn new_record_path(&self) -> PathBuf {
        self.new_file().0
    }

    /// The keys of `path` when it is a record file of this device (in its `records/`), else
    /// `None`.
    pub fn keys_for(&self, path: &Path) -> Option<RecordKeys> {
        let parent = path.parent()?;
        let ours = self.dir.join(RECORDS_DIR);
        let same = parent == ours
            || matches!(
                (parent.canonicalize(), ours.canonicalize()),
                (Ok(a), Ok(b)) if a == b
            );
        if !same || path.extension().is_none_or(|x| x != "db") {
            return None;
        }
        Some(self.keys_of_file(path.file_stem()?.to_str()?))
    }

    /// The keys of the record file at `path` on this device: named by the file for one of its
    /// own records, by the path for any other file (one given with `--db`).
    pub fn keys_of(&self, path: &Path) -> RecordKeys {
        self.keys_for(path)
            .unwrap_or_else(|| RecordKeys::for_path(self.key_store.clone(), path))
    }

    /// The keys of the record file named `file` (its stem): named by the file, not its path,
    /// so that the device directory may move (an app's container does).
    fn keys_of_file(&self, file: &str) -> RecordKeys {
        RecordKeys::named(self.key_store.clone(), &format!("device-{file}"))
    }

    /// Every record file of the device with its keys, sorted by file name, for a caller that
    /// opens each once ([`HealthRecord::open`]): a clinic's list over hundreds of records
    /// opens every file once, where [`Device::open_record`] by id would scan them all.
    pub fn record_files(&self) -> Result<Vec<(PathBuf, RecordKeys)>> {
        Ok(self
            .files()?
            .into_iter()
            .map(|(file, path)| (path, self.keys_of_file(&file)))
            .collect())
    }

    /// The record files of the device, by name.
    pub(crate) fn files(&self) -> Result<Vec<(String, PathBuf)>> {
        let read = std::fs::read_dir(self.dir.join(RECORDS_DIR)).map_err(|source| Error::Io {
            detail: "the device directory could not be read",
            source,
        })?;
        let mut files: Vec<(String, PathBuf)> = read
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "db"))
            .filter_map(|p| Some((p.file_stem()?.to_str()?.to_string(), p)))
            .collect();
        files.sort();
        Ok(files)
    }

    /// Creates a record for `profile` on this device.
    pub fn create(&self, profile: &Profile) -> Result<HealthRecord> {
        let (path, keys) = self.new_file();
        HealthRecord::create(&path, &keys, profile)
    }

    /// Joins a shared record with an invite `code`, as a new record of this device, the
    /// member calling themselves `name` if given (see [`HealthRecord::join_invite`]).
    pub fn join(
        &self,
        code: &str,
        name: Option<&str>,
        transport: &mut dyn Transport,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(HealthRecord, SyncReport)> {
        let (path, keys) = self.new_file();
        HealthRecord::join_invite(&path, &keys, code, name, transport, progress)
    }

    /// Encrypts the record `which` names (see [`Device::find`]) under a new key (see
    /// [`HealthRecord::rekey`]); the app closes it first.
    pub fn rekey(&self, which: Option<&str>) -> Result<()> {
        let path = self.find(which)?;
        HealthRecord::rekey(&path, &self.keys_of(&path))
    }

    /// Forgets the record `which` names (see [`Device::find`]) on this device: its file and
    /// its keys are deleted (see [`HealthRecord::remove`]); the app closes it first.
    pub fn forget(&self, which: &str) -> Result<()> {
        let path = self.find(Some(which))?;
        HealthRecord::remove(&path, &self.keys_of(&path))
    }

    /// Adds a replica of the record in `export` (another replica's export) to this device.
    pub fn join_replica(&self, export: &[u8]) -> Result<HealthRecord> {
        let (path, keys) = self.new_file();
        HealthRecord::join(&path, &keys, export)
    }

    /// Every record of the device, by patient name. A file that cannot be read is listed with
    /// its problem rather than hiding the others.
    pub fn records(&self) -> Result<Vec<RecordSummary>> {
        let mut list = Vec::new();
        for (file, path) in self.files()? {
            let summary = HealthRecord::open(&path, &self.keys_of_file(&file)).and_then(|r| {
                Ok(RecordSummary {
                    id: r.id().to_string(),
                    patient: r.profile().map(|p| p.name).unwrap_or_default(),
                    role: r.role()?,
                    last_sync: r.last_sync()?,
                    problem: None,
                })
            });
            list.push(summary.unwrap_or_else(|e| RecordSummary {
                id: file.clone(),
                patient: String::new(),
                role: None,
                last_sync: None,
                problem: Some(e.to_string()),
            }));
        }
        list.sort_by(|a, b| (&a.patient, &a.id).cmp(&(&b.patient, &b.id)));
        Ok(list)
    }

    /// The record `which` names: its id, a prefix of its id, or its patient's name (any
    /// case); `None` picks the device's only record.
    ///
    /// Errors: [`Error::NoRecord`] when none matches, [`Error::WhichRecord`] when several do.
    pub fn open_record(&self, which: Option<&str>) -> Result<HealthRecord> {
        Ok(self.find_open(which)?.1)
    }

    /// The file of the record `which` names (see [`Device::open_record`]). An exact id wins
    /// over a prefix or a name.
    pub fn find(&self, which: Option<&str>) -> Result<PathBuf> {
        Ok(self.find_open(which)?.0)
    }

    /// The file and the open record `which` names: each file is opened once.
    fn find_open(&self, which: Option<&str>) -> Result<(PathBuf, HealthRecord)> {
        let which = which.map(str::trim);
        let mut found = Vec::new();
        for (file, path) in self.files()? {
            let record = match HealthRecord::open(&path, &self.keys_of_file(&file)) {
                Ok(r) => r,
                // A file that cannot be opened cannot be the one named.
                Err(_) if which.is_some() => continue,
                Err(e) => return Err(e),
            };
            match which {
                None => found.push((path, record)),
                Some(w) if record.id() == w => return Ok((path, record)),
                Some("") => {}
                Some(w) => {
                    let name = record.profile().map(|p| p.name.to_lowercase());
                    if record.id().starts_with(w) || name.is_ok_and(|n| n == w.to_lowercase()) {
                        found.push((path, record));
                    }
                }
            }
        }
        match found.len() {
            0 => Err(Error::NoRecord),
            1 => Ok(found.remove(0)),
            n => Err(Error::WhichRecord { matching: n }),
        }
    }

    /// The notifications to schedule at `now` for the next `horizon`, of every record of the
    /// device together (a patient's own, the parents a caregiver looks after), soonest first,
    /// at most `max` in all (64 on iOS, for the whole app), for a phone in `device_zone`
    /// (IANA). Each record's are its member's (see [`HealthRecord::plan_reminders`]). A file
    /// that cannot be opened, or a record that cannot be planned (damaged: its own screens say
    /// so), plans nothing and does not stop the others' reminders; a zone that is not one is
    /// refused whatever the records.
    pub fn plan_notifications(
        &self,
        now: DateTime<Utc>,
        device_zone: &str,
        horizon: chrono::Duration,
        max: usize,
    ) -> Result<Vec<DeviceNotification>> {
        crate::model::parse_time_zone("device time zone", device_zone)?;
        let mut all = Vec::new();
        for (file, path) in self.files()? {
            let Ok(record) = HealthRecord::open(&path, &self.keys_of_file(&file)) else {
                continue;
            };
            let planned = record.role().and_then(|role| {
                let plan = record.plan_reminders(now, device_zone, horizon, max)?;
                Ok((role == Some(Role::Caregiver), plan))
            });
            let Ok((carer, plan)) = planned else {
                continue;
            };
            let id = record.id();
            all.extend(
                plan.into_iter()
                    .map(|n| DeviceNotification::new(id, carer, n)),
            );
        }
        Ok(plan::merge(all, max))
    }

    /// Syncs every shared record of the device, one after the other, each with its own
    /// result; says per record what arrived (see [`Device::sync_record`]).
    pub fn sync_all(&self, transport: &mut dyn Transport) -> Result<Vec<RecordSync>> {
        let mut done = Vec::new();
        for (_, path) in self.files()? {
            done.extend(self.sync_record(&path, transport, None)?);
        }
        Ok(done)
    }

    /// Syncs the record in `path` through a connection of its own (a record the app has open
    /// is not locked meanwhile: every write of the sync is its own short transaction, and no
    /// transaction is open while the network is waited for), and says what arrived: alerts,
    /// doses logged by others, medications changed, and, with `plan`, how this device's
    /// notification plan changed.
    pub(crate) fn sync_record(
        &self,
        path: &Path,
        transport: &mut dyn Transport,
        plan: Option<&PlanSettings>,
    ) -> Result<Option<RecordSync>> {
        // A file that cannot be opened here, or a record not shared, has nothing to sync.
        let Ok(mut record) = HealthRecord::open(path, &self.keys_of(path)) else {
            return Ok(None);
        };
        if !record.is_shared()? {
            return Ok(None);
        }
        let before = snapshot(&record, plan)?;
        let result = record.sync(transport, &mut |_| {});
        let arrived = match &result {
            Ok(r) if r.applied + r.snapshots + r.membership > 0 => {
                arrivals::arrived(&before, &snapshot(&record, plan)?)
            }
            _ => Arrivals::default(),
        };
        let profile = record.profile().ok();
        Ok(Some(RecordSync {
            id: record.id().to_string(),
            patient: profile.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            profile,
            result,
            arrived,
        }))
    }
}

/// How the device plans its notifications, for the plan's diff after a sync.
#[derive(Debug, Clone)]
pub struct PlanSettings {
    /// The device's time zone now (IANA name).
    pub device_zone: String,
    /// How far ahead the shell schedules.
    pub horizon: chrono::Duration,
    /// How many notifications it keeps scheduled at most (64 on iOS).
    pub max: usize,
}

/// Doses logged in the last two days are the ones a caregiver is told about.
const DOSE_DAYS: i64 = 2;

fn snapshot(record: &HealthRecord, plan: Option<&PlanSettings>) -> Result<Snapshot> {
    let now = crate::clock::now()?;
    Ok(Snapshot {
        alerts: record.alerts(TimeRange::ALL)?,
        doses: record.doses(
            None,
            TimeRange {
                from: Some(now - chrono::Duration::days(DOSE_DAYS)),
                to: None,
            },
        )?,
        medications: record.medications(true)?,
        targets: record.targets().ok(),
        plan: match plan {
            Some(p) => record.plan_reminders(now, &p.device_zone, p.horizon, p.max)?,
            None => Vec::new(),
        },
    })
}
