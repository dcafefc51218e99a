//! The record object: one-to-one with the core's `HealthRecord`.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use companion_core as core;

use chrono::Duration;

use companion_core::clinical::stats::SeriesPoint;
use companion_core::model::{
    Alert, Appointment, ClinicalTargets, DoseEvent, JournalEntry, Language, MeasurementPlan,
    Medication, MedicationStatus, Profile, Reading, ReadingKind, Refill, ZoneChange,
};
use companion_core::reminders::{Adherence, PlannedNotification, ScheduledDose};
use companion_core::{
    ApplyReport, CheckReport, MergeReport, ReadingOutcome, ReadingPage, ReadingQuery, RefillStatus,
    RepairReport, Stats, TimeRange, Today,
};

use crate::error::CompanionError;
use crate::keys::{KeyStore, record_keys};
use crate::types::UtcTimestamp;

/// What checking a record found: counts and SQLite's own messages, never a stored value.
#[uniffi::remote(Record)]
pub struct CheckReport {
    /// What SQLite's `integrity_check` reported (empty when the file is sound).
    #[uniffi(default)]
    pub integrity: Vec<String>,
    /// Documents that could not be loaded.
    pub unreadable_documents: u64,
    /// Entries of the documents with no index row.
    pub missing_rows: u64,
    /// Index rows with no entry in the documents.
    pub extra_rows: u64,
    /// Index rows whose content differs from the documents.
    pub differing_rows: u64,
    /// Index rows whose body does not match its checksum.
    pub bad_checksums: u64,
    /// The collections where a row is missing, extra or differs (`readings`, `medications`).
    #[uniffi(default)]
    pub collections: Vec<String>,
}

/// What a repair did: what was wrong before, whether the index was rebuilt, what is still
/// wrong after (nothing, when the damage was in the index alone).
#[uniffi::remote(Record)]
pub struct RepairReport {
    /// The findings before the repair.
    pub before: CheckReport,
    /// Whether the index was rebuilt from the documents.
    pub rebuilt: bool,
    /// The findings after it.
    pub after: CheckReport,
}

/// What applying remote changes did.
#[uniffi::remote(Record)]
pub struct ApplyReport {
    /// False when every change was already known (applying is idempotent).
    pub changed: bool,
    /// Entries of the document now in the index.
    pub indexed: u64,
    /// Entries that did not decode into a valid entry and were left out of the index.
    pub skipped: u64,
    /// Changes received that wait, stored, for changes they depend on.
    pub pending: u64,
    /// Entries that are new to this replica.
    pub added: u64,
    /// Entries this replica had whose content changed.
    pub updated: u64,
    /// Entries this replica had that are now deleted.
    pub deleted: u64,
    /// Alerts the merge raised here (a dose logged as taken on two devices).
    pub alerts_raised: u64,
}

/// What merging another replica's export changed here.
#[uniffi::remote(Record)]
pub struct MergeReport {
    /// Documents that held something new.
    pub documents: u64,
    /// Entries new to this replica.
    pub added: u64,
    /// Entries whose content changed.
    pub updated: u64,
    /// Entries that are now deleted.
    pub deleted: u64,
    /// Alerts the merge raised (a dose logged on two devices).
    pub alerts_raised: u64,
}

/// One patient's health record, in one SQLite file. Safe to share between threads: calls are
/// serialised.
#[derive(uniffi::Object)]
pub struct HealthRecord {
    inner: Mutex<core::HealthRecord>,
}

fn range(from: Option<UtcTimestamp>, to: Option<UtcTimestamp>) -> TimeRange {
    TimeRange { from, to }
}

#[uniffi::export]
impl HealthRecord {
    /// Creates a record for `profile` in a new file at `path`, encrypted under a new key
    /// kept in `key_store` first.
    #[uniffi::constructor]
    pub fn create(
        path: String,
        key_store: Arc<dyn KeyStore>,
        profile: Profile,
    ) -> Result<Arc<Self>, CompanionError> {
        let path = Path::new(&path);
        Ok(Self::wrap(core::HealthRecord::create(
            path,
            &record_keys(key_store, path),
            &profile,
        )?))
    }

    /// Creates at `path` a new replica of the record in `export` (another replica's
    /// `replica_export`): the same record, an identity of its own, no profile of its own. A
    /// damaged file or one of another record is refused and no file is created.
    #[uniffi::constructor]
    pub fn join(
        path: String,
        key_store: Arc<dyn KeyStore>,
        export: Vec<u8>,
    ) -> Result<Arc<Self>, CompanionError> {
        let path = Path::new(&path);
        Ok(Self::wrap(core::HealthRecord::join(
            path,
            &record_keys(key_store, path),
            &export,
        )?))
    }

    /// Opens the record at `path` with its key from `key_store` (reads SQLite only). A
    /// plaintext record of an earlier version is encrypted in place first. A file this
    /// device has no key for (copied from another device) raises `NoKeyForRecord`.
    #[uniffi::constructor]
    pub fn open(path: String, key_store: Arc<dyn KeyStore>) -> Result<Arc<Self>, CompanionError> {
        let path = Path::new(&path);
        Ok(Self::wrap(core::HealthRecord::open(
            path,
            &record_keys(key_store, path),
        )?))
    }

    /// The record's id.
    pub fn id(&self) -> String {
        self.lock().id().to_string()
    }

    /// The profile.
    pub fn profile(&self) -> Result<Profile, CompanionError> {
        Ok(self.lock().profile()?)
    }

    /// Replaces the profile.
    pub fn set_profile(&self, profile: Profile) -> Result<(), CompanionError> {
        Ok(self.lock().set_profile(&profile)?)
    }

    /// Applies to the stored profile the fields in which `after` differs from `before` (the
    /// copy the shell read and the one the person edited), in one transaction; returns the
    /// profile as stored. Edits another device made meanwhile to other fields stay.
    pub fn edit_profile(&self, before: Profile, after: Profile) -> Result<Profile, CompanionError> {
        Ok(self.lock().edit_profile(&before, &after)?)
    }

    /// Records that the patient has none of `item` (no known allergies, no medications, no
    /// conditions), so that `today` stops prompting for it; returns the profile as stored.
    pub fn report_none_known(
        &self,
        item: companion_core::today::ProfilePrompt,
    ) -> Result<Profile, CompanionError> {
        Ok(self.lock().report_none_known(item)?)
    }

    /// Applies to the stored medication the fields in which `after` differs from `before`, in
    /// one transaction; returns it as stored (with its schedule history and pauses).
    pub fn edit_medication(
        &self,
        before: Medication,
        after: Medication,
    ) -> Result<Medication, CompanionError> {
        Ok(self.lock().edit_medication(&before, &after)?)
    }

    /// Applies to the stored reading the fields in which `after` differs from `before`, in one
    /// transaction; returns it as stored.
    pub fn edit_reading(&self, before: Reading, after: Reading) -> Result<Reading, CompanionError> {
        Ok(self.lock().edit_reading(&before, &after)?)
    }

    /// Adds a medication.
    pub fn add_medication(&self, medication: Medication) -> Result<(), CompanionError> {
        Ok(self.lock().add_medication(&medication)?)
    }

    /// Adds a medication; another one not stopped with the same name is refused with
    /// `NameTaken` unless `same_name_ok` (the shell asks "a second Metformin?" and calls again
    /// with the answer), decided inside the write.
    pub fn add_medication_checked(
        &self,
        medication: Medication,
        same_name_ok: bool,
    ) -> Result<(), CompanionError> {
        Ok(self
            .lock()
            .add_medication_checked(&medication, same_name_ok)?)
    }

    /// Replaces a medication's fields.
    pub fn update_medication(&self, medication: Medication) -> Result<(), CompanionError> {
        Ok(self.lock().update_medication(&medication)?)
    }

    /// Replaces a medication's fields, now; a rename onto the name of another medication not
    /// stopped is refused with `NameTaken` unless `same_name_ok`. Returns it as stored.
    pub fn update_medication_checked(
        &self,
        medication: Medication,
        same_name_ok: bool,
    ) -> Result<Medication, CompanionError> {
        let now = companion_core::clock::now().map_err(companion_core::Error::from)?;
        Ok(self.lock().modify_medication_checked_at(
            &medication.id.clone(),
            now,
            same_name_ok,
            |m| {
                *m = medication;
                Ok(())
            },
        )?)
    }

    /// Pauses, resumes or stops a medication.
    pub fn set_medication_status(
        &self,
        id: String,
        status: MedicationStatus,
    ) -> Result<Medication, CompanionError> {
        Ok(self.lock().set_medication_status(&id, status)?)
    }

    /// The medication `id`.
    pub fn medication(&self, id: String) -> Result<Medication, CompanionError> {
        Ok(self.lock().medication(&id)?)
    }

    /// Medications by name; stopped ones only with `include_stopped`.
    pub fn medications(&self, include_stopped: bool) -> Result<Vec<Medication>, CompanionError> {
        Ok(self.lock().medications(include_stopped)?)
    }

    /// Logs a dose taken or skipped.
    pub fn log_dose(&self, dose: DoseEvent) -> Result<(), CompanionError> {
        Ok(self.lock().log_dose(&dose)?)
    }

    /// Logs a dose; when it names no scheduled time, it answers the dose due (or the next, or
    /// the latest missed) at its time, chosen inside the write from what is committed. Returns
    /// the event as stored (with the scheduled time it answers).
    pub fn log_dose_answering(
        &self,
        dose: DoseEvent,
        device_zone: String,
    ) -> Result<DoseEvent, CompanionError> {
        Ok(self.lock().log_dose_answering(&dose, &device_zone)?)
    }

    /// Corrects a logged dose.
    pub fn update_dose(&self, dose: DoseEvent) -> Result<(), CompanionError> {
        Ok(self.lock().update_dose(&dose)?)
    }

    /// Deletes a dose logged by mistake.
    pub fn delete_dose(&self, id: String) -> Result<(), CompanionError> {
        Ok(self.lock().delete_dose(&id)?)
    }

    /// Dose events in `[from, to)` (RFC 3339), newest first.
    pub fn doses(
        &self,
        medication_id: Option<String>,
        from: Option<UtcTimestamp>,
        to: Option<UtcTimestamp>,
    ) -> Result<Vec<DoseEvent>, CompanionError> {
        let range = range(from, to);
        Ok(self.lock().doses(medication_id.as_deref(), range)?)
    }

    /// Stores a reading with the urgent alerts it raises, and says what it means: show the
    /// assessment and any alert's advice at once.
    pub fn record_reading(&self, reading: Reading) -> Result<ReadingOutcome, CompanionError> {
        Ok(self.lock().record_reading(&reading)?)
    }

    /// The clinical targets (the clinician's, or the defaults).
    pub fn targets(&self) -> Result<ClinicalTargets, CompanionError> {
        Ok(self.lock().targets()?)
    }

    /// Sets the clinical targets; `set_by` is required.
    pub fn set_targets(&self, targets: ClinicalTargets) -> Result<(), CompanionError> {
        Ok(self.lock().set_targets(&targets)?)
    }

    /// Alerts raised by readings taken in `[from, to)`, newest first.
    pub fn alerts(
        &self,
        from: Option<UtcTimestamp>,
        to: Option<UtcTimestamp>,
    ) -> Result<Vec<Alert>, CompanionError> {
        let range = range(from, to);
        Ok(self.lock().alerts(range)?)
    }

    /// Marks an alert as seen by `by`.
    pub fn acknowledge_alert(&self, id: String, by: String) -> Result<Alert, CompanionError> {
        Ok(self.lock().acknowledge_alert(&id, &by)?)
    }

    /// Statistics of the readings in `[from, to)` (RFC 3339).
    pub fn stats(
        &self,
        from: UtcTimestamp,
        to: UtcTimestamp,
        device_zone: String,
    ) -> Result<Stats, CompanionError> {
        Ok(self.lock().stats(from, to, &device_zone)?)
    }

    /// A chart series of `kind` in `[from, to)`, at most `max_points`, keeping the extremes.
    pub fn series(
        &self,
        kind: ReadingKind,
        from: UtcTimestamp,
        to: UtcTimestamp,
        max_points: u32,
    ) -> Result<Vec<SeriesPoint>, CompanionError> {
        Ok(self.lock().series(kind, from, to, max_points as usize)?)
    }

    /// Writes the visit report of `[from, to)` to `path` (HTML), in `language` or the record's.
    pub fn write_report(
        &self,
        path: String,
        from: UtcTimestamp,
        to: UtcTimestamp,
        device_zone: String,
        language: Option<Language>,
    ) -> Result<(), CompanionError> {
        Ok(self
            .lock()
            .write_report(Path::new(&path), from, to, &device_zone, language)?)
    }

    /// Stores a reading; returns the stored id (an earlier import's id for a duplicate import).
    pub fn add_reading(&self, reading: Reading) -> Result<String, CompanionError> {
        Ok(self.lock().add_reading(&reading)?)
    }

    /// Stores many readings in one transaction; all or none.
    pub fn add_readings(&self, readings: Vec<Reading>) -> Result<Vec<String>, CompanionError> {
        Ok(self.lock().add_readings(&readings)?)
    }

    /// Imports samples from the platform's health store, all or nothing: what the record
    /// already holds is counted and not added again; readings taken a day or more ago keep
    /// their alerts as history (they notify no one); `progress` is told as samples are stored.
    pub fn import_readings(
        &self,
        samples: Vec<companion_core::import::Sample>,
        progress: Option<Arc<dyn crate::import::ImportProgress>>,
    ) -> Result<companion_core::import::ImportReport, CompanionError> {
        let total = samples.len() as u64;
        let now = core::clock::now()?;
        let mut tell = |done: u64| {
            if let Some(p) = &progress {
                p.on_progress(done, total);
            }
        };
        Ok(self.lock().import_readings(&samples, now, &mut tell)?)
    }

    /// Corrects a reading.
    pub fn update_reading(&self, reading: Reading) -> Result<(), CompanionError> {
        Ok(self.lock().update_reading(&reading)?)
    }

    /// Deletes a reading.
    pub fn delete_reading(&self, id: String) -> Result<(), CompanionError> {
        Ok(self.lock().delete_reading(&id)?)
    }

    /// The reading `id`.
    pub fn reading(&self, id: String) -> Result<Reading, CompanionError> {
        Ok(self.lock().reading(&id)?)
    }

    /// Readings, newest first, a page at a time.
    pub fn readings(&self, query: ReadingQuery) -> Result<ReadingPage, CompanionError> {
        Ok(self.lock().readings(&query)?)
    }

    /// Adds a journal entry.
    pub fn add_journal_entry(&self, entry: JournalEntry) -> Result<(), CompanionError> {
        Ok(self.lock().add_journal_entry(&entry)?)
    }

    /// Corrects a journal entry.
    pub fn update_journal_entry(&self, entry: JournalEntry) -> Result<(), CompanionError> {
        Ok(self.lock().update_journal_entry(&entry)?)
    }

    /// Deletes a journal entry.
    pub fn delete_journal_entry(&self, id: String) -> Result<(), CompanionError> {
        Ok(self.lock().delete_journal_entry(&id)?)
    }

    /// Journal entries in `[from, to)`, newest first.
    pub fn journal(
        &self,
        from: Option<UtcTimestamp>,
        to: Option<UtcTimestamp>,
    ) -> Result<Vec<JournalEntry>, CompanionError> {
        let range = range(from, to);
        Ok(self.lock().journal(range)?)
    }

    /// Adds an appointment.
    pub fn add_appointment(&self, appointment: Appointment) -> Result<(), CompanionError> {
        Ok(self.lock().add_appointment(&appointment)?)
    }

    /// Changes an appointment.
    pub fn update_appointment(&self, appointment: Appointment) -> Result<(), CompanionError> {
        Ok(self.lock().update_appointment(&appointment)?)
    }

    /// Cancels an appointment.
    pub fn delete_appointment(&self, id: String) -> Result<(), CompanionError> {
        Ok(self.lock().delete_appointment(&id)?)
    }

    /// Appointments in `[from, to)`, newest first.
    pub fn appointments(
        &self,
        from: Option<UtcTimestamp>,
        to: Option<UtcTimestamp>,
    ) -> Result<Vec<Appointment>, CompanionError> {
        let range = range(from, to);
        Ok(self.lock().appointments(range)?)
    }

    /// Adds a measurement plan.
    pub fn add_measurement_plan(&self, plan: MeasurementPlan) -> Result<(), CompanionError> {
        Ok(self.lock().add_measurement_plan(&plan)?)
    }

    /// Every measurement plan.
    pub fn measurement_plans(&self) -> Result<Vec<MeasurementPlan>, CompanionError> {
        Ok(self.lock().measurement_plans()?)
    }

    /// Removes a measurement plan.
    pub fn delete_measurement_plan(&self, id: String) -> Result<(), CompanionError> {
        Ok(self.lock().delete_measurement_plan(&id)?)
    }

    /// Logs a refill of a tracked medication.
    pub fn log_refill(&self, refill: Refill) -> Result<(), CompanionError> {
        Ok(self.lock().log_refill(&refill)?)
    }

    /// This device's choice of notifications for a record shared with it: `grace_minutes` to
    /// be told as a caregiver is (a dose not logged that long after its time, up to 1440, and
    /// safety alerts), none for nothing. Refused on the patient's own device, which always
    /// plans the patient's. `plan_reminders` follows it.
    pub fn set_notifications(&self, grace_minutes: Option<u32>) -> Result<(), CompanionError> {
        Ok(self.lock().set_notifications(grace_minutes)?)
    }

    /// The notifications to schedule at `now` (RFC 3339) for the next `horizon_hours`, soonest
    /// first, at most `max` (64 on iOS), for a phone in `device_zone` (IANA). Call it on every
    /// launch, change and notification action, and replace the pending notifications by id.
    /// On a device the record is shared with, they are that member's: a caregiver's device is
    /// told of doses not logged and of safety alerts, about the patient, never "take your
    /// dose"; a viewer's and a clinician's, nothing unless chosen (`set_notifications`).
    pub fn plan_reminders(
        &self,
        now: UtcTimestamp,
        device_zone: String,
        horizon_hours: u32,
        max: u32,
    ) -> Result<Vec<PlannedNotification>, CompanionError> {
        let plan = self.lock().plan_reminders(
            now,
            &device_zone,
            Duration::hours(i64::from(horizon_hours)),
            max as usize,
        )?;
        Ok(plan)
    }

    /// Records that the patient's phone is in `device_zone` (IANA) from `at` on, unless the
    /// zone history already says so; true when it wrote. Call it at launch and whenever the
    /// system's time zone changes: past doses of local-time medications are then judged in the
    /// zone they were due in. A caregiver's or clinician's device gets `NotPermitted` (its zone
    /// is not the patient's): it need not call this.
    pub fn record_device_zone(
        &self,
        device_zone: String,
        at: UtcTimestamp,
    ) -> Result<bool, CompanionError> {
        Ok(self.lock().record_device_zone(&device_zone, at)?)
    }

    /// The recorded zone changes of the patient's phone, oldest first.
    pub fn zone_history(&self) -> Result<Vec<ZoneChange>, CompanionError> {
        Ok(self.lock().zone_history()?)
    }

    /// What a home screen shows at `now`.
    pub fn today(&self, now: UtcTimestamp, device_zone: String) -> Result<Today, CompanionError> {
        Ok(self.lock().today(now, &device_zone)?)
    }

    /// Doses missed in `[since, now)`: what a caregiver's device alerts about.
    pub fn missed_doses(
        &self,
        since: UtcTimestamp,
        now: UtcTimestamp,
        device_zone: String,
    ) -> Result<Vec<ScheduledDose>, CompanionError> {
        Ok(self.lock().missed_doses(since, now, &device_zone)?)
    }

    /// Adherence per medication over `[from, to)` as it stands at `now`.
    pub fn adherence(
        &self,
        from: UtcTimestamp,
        to: UtcTimestamp,
        now: UtcTimestamp,
        device_zone: String,
    ) -> Result<Vec<Adherence>, CompanionError> {
        Ok(self.lock().adherence(from, to, now, &device_zone)?)
    }

    /// What is on hand of each tracked medication and when it runs out.
    pub fn refill_status(
        &self,
        now: UtcTimestamp,
        device_zone: String,
    ) -> Result<Vec<RefillStatus>, CompanionError> {
        Ok(self.lock().refill_status(now, &device_zone)?)
    }

    /// The scheduled time (RFC 3339) a dose logged at `now` without one answers, if any.
    pub fn dose_to_answer(
        &self,
        medication_id: String,
        now: UtcTimestamp,
        device_zone: String,
    ) -> Result<Option<UtcTimestamp>, CompanionError> {
        Ok(self
            .lock()
            .dose_to_answer(&medication_id, now, &device_zone)?)
    }

    /// Everything the record holds, as JSON.
    pub fn export_json(&self) -> Result<String, CompanionError> {
        let export = self.lock().export()?;
        serde_json::to_string(&export).map_err(|_| CompanionError::Storage {
            kind: companion_core::StorageKind::Other,
            reason: "the export could not be encoded".into(),
        })
    }

    /// Checks the record quickly, changing no entry: the file's quick check and every index
    /// row's checksum (counts only). Damage found refuses writes until a repair.
    pub fn check(&self) -> Result<CheckReport, CompanionError> {
        Ok(self.lock().check()?)
    }

    /// The check in full: also the file's integrity check and that the index equals a
    /// rebuild from the documents.
    pub fn check_full(&self) -> Result<CheckReport, CompanionError> {
        Ok(self.lock().check_full()?)
    }

    /// Rebuilds the index from the documents when only the index is wrong, and checks again;
    /// writes refused since damage was found are allowed once the record checks clean.
    pub fn repair(&self) -> Result<RepairReport, CompanionError> {
        Ok(self.lock().repair()?)
    }

    /// Rebuilds the query index from the documents.
    pub fn rebuild_index(&self) -> Result<(), CompanionError> {
        Ok(self.lock().rebuild_index()?)
    }

    /// Folds document chunks into snapshots; returns how many chunks were removed.
    pub fn compact(&self) -> Result<u64, CompanionError> {
        Ok(self.lock().compact()? as u64)
    }

    /// The names of the record's documents.
    pub fn documents(&self) -> Result<Vec<String>, CompanionError> {
        Ok(self.lock().documents()?)
    }

    /// A whole document as Automerge bytes.
    pub fn export_document(&self, doc: String) -> Result<Vec<u8>, CompanionError> {
        Ok(self.lock().export_document(&doc)?)
    }

    /// The heads of document `doc` (hex change hashes).
    pub fn heads(&self, doc: String) -> Result<Vec<String>, CompanionError> {
        Ok(self.lock().heads(&doc)?)
    }

    /// The changes of document `doc` a peer whose heads are `have` lacks, one change each.
    pub fn changes_since(
        &self,
        doc: String,
        have: Vec<String>,
    ) -> Result<Vec<Vec<u8>>, CompanionError> {
        Ok(self.lock().changes_since(&doc, &have)?)
    }

    /// Applies single changes from another replica to document `doc`, in any order; changes
    /// waiting for their dependencies are stored (`pending`).
    pub fn apply_remote_changes(
        &self,
        doc: String,
        changes: Vec<Vec<u8>>,
    ) -> Result<ApplyReport, CompanionError> {
        Ok(self.lock().apply_remote_changes(&doc, &changes)?)
    }

    /// Every document of the record in one replica export file's bytes (docs/replica-export.md).
    pub fn replica_export(&self) -> Result<Vec<u8>, CompanionError> {
        Ok(self.lock().replica_export()?)
    }

    /// Writes the replica export to `path`, whole or not at all.
    pub fn write_replica_export(&self, path: String) -> Result<(), CompanionError> {
        Ok(self.lock().write_replica_export(Path::new(&path))?)
    }

    /// Merges another replica's export, in one transaction; idempotent. A file of another
    /// record or a damaged one is refused with nothing written.
    pub fn merge_replica(&self, export: Vec<u8>) -> Result<MergeReport, CompanionError> {
        Ok(self.lock().merge_replica(&export)?)
    }

    /// Applies Automerge change bytes from another replica to document `doc`.
    pub fn apply_changes(
        &self,
        doc: String,
        bytes: Vec<u8>,
    ) -> Result<ApplyReport, CompanionError> {
        Ok(self.lock().apply_changes(&doc, &bytes)?)
    }
}

impl HealthRecord {
    pub(crate) fn wrap(inner: core::HealthRecord) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(inner),
        })
    }

    /// The record, even if an earlier call panicked while holding it: every core write is one
    /// transaction, so a panic cannot leave a half-written record behind.
    pub(crate) fn lock(&self) -> MutexGuard<'_, core::HealthRecord> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
