//! [`HealthRecord`]: the facade over one patient's record, the only type the bindings and the
//! command line talk to.

use std::path::Path;

mod clinical;
mod import;
mod journeys;
mod reminders;
mod replica;
mod share;

use chrono::{DateTime, Duration, Utc};

pub use clinical::{ReadingOutcome, Stats};
pub use journeys::JourneyDecision;
pub use replica::MergeReport;

use crate::crdt::DocId;
use crate::error::{Error, Result};
use crate::keystore::RecordKeys;
use crate::model::{
    Alert, Appointment, DoseEvent, DoseStatus, JournalEntry, MeasurementPlan, Medication,
    MedicationStatus, Pause, Profile, Reading, Refill, Schedule, ScheduleVersion, Validate,
};
use crate::query::{Export, PageCursor, ReadingPage, ReadingQuery, TimeRange};
use crate::store::{ApplyReport, Collection, Entity, Filter, PROFILE_ID, Store};

/// One patient's health record, kept in one SQLite file on the device.
///
/// Every method that writes either stores everything it was given or nothing (one transaction),
/// and returns only once the write is durable. Every value is validated before it is stored.
pub struct HealthRecord {
    store: Store,
}

impl HealthRecord {
    /// Creates a record for `profile` in a new file at `path`, encrypted under a new key kept
    /// in `keys` (the device's key store) before the file is written.
    ///
    /// Errors: [`Error::RecordExists`] if the file already holds a record, [`Error::Invalid`]
    /// for an invalid profile (no file is created then).
    pub fn create(path: &Path, keys: &RecordKeys, profile: &Profile) -> Result<Self> {
        profile.validate()?;
        // A record begun with a clock in 1970 would date everything after it wrongly.
        crate::clock::now()?;
        // The record's identity and its profile land in one transaction.
        let store = Store::create(path, keys, |w| w.insert(profile))?;
        Ok(Self { store })
    }

    /// Opens the record at `path` with its key from `keys`. Reads SQLite only: no document is
    /// loaded. A plaintext record (written by an earlier version) is encrypted in place first:
    /// a crash at any instant leaves it whole, encrypted or not.
    ///
    /// Errors: [`Error::NoRecord`] when there is none, [`Error::NoKeyForRecord`] when the
    /// file is encrypted and `keys` cannot open it (a file copied from another device),
    /// [`Error::SchemaTooNew`] when a newer version of Companion wrote it (the file is left
    /// untouched).
    pub fn open(path: &Path, keys: &RecordKeys) -> Result<Self> {
        Ok(Self {
            store: Store::open(path, keys)?,
        })
    }

    /// Re-encrypts the record file at `path` under a new random key, kept in `keys`' store
    /// (after a key may have leaked, or on a schedule): a copy of the file made under the old
    /// key no longer opens with what the key store holds. Every entry and the sharing keys
    /// stay. The file must not be open (close the record first): another connection on it is
    /// refused as busy. A crash at any instant leaves the file under the old key or the new
    /// one, and it opens either way.
    pub fn rekey(path: &Path, keys: &RecordKeys) -> Result<()> {
        Store::rekey(path, keys, crate::sync::secret_names)
    }

    /// Deletes this device's copy of the record at `path`: the file, then every key `keys`
    /// holds for it. Other devices that share the record keep theirs (a member leaves the
    /// shared record with [`HealthRecord::leave`] first). The file must not be open (close
    /// the record first: another connection on it is refused as busy); a file that is not a
    /// record is refused and left as it is.
    pub fn remove(path: &Path, keys: &RecordKeys) -> Result<()> {
        Store::remove(path, keys, crate::sync::secret_names)
    }

    /// Writes everything the record holds, as the JSON of [`HealthRecord::export`], to `path`:
    /// whole or not at all (a partial file is never left under that name). An output onto the
    /// record itself is refused (see [`HealthRecord::refuse_own_file`]).
    pub fn write_export(&self, path: &Path) -> Result<()> {
        self.refuse_own_file(path)?;
        let json = serde_json::to_vec_pretty(&self.export()?).map_err(|_| Error::Corrupt {
            detail: "the export could not be encoded",
        })?;
        write_output(path, &json, "the export could not be written")
    }

    /// Refuses `path` as a place to write an output (a report, an export) when it is the record
    /// itself or its `-wal`/`-shm` file, by whatever name.
    pub fn refuse_own_file(&self, path: &Path) -> Result<()> {
        if self.store.is_own_file(path) {
            return Err(crate::model::ValidationError::Invalid {
                field: "output path",
                reason: "is the record itself (or its -wal or -shm file): choose another file",
            }
            .into());
        }
        Ok(())
    }

    /// The record's id (a UUID), the same on every replica.
    pub fn id(&self) -> &str {
        self.store.record_id()
    }

    /// The patient's profile.
    pub fn profile(&self) -> Result<Profile> {
        profile_in(&self.store)
    }

    /// Replaces the profile; only the fields that differ from the stored profile are written.
    /// Every field of `profile` wins over a concurrent edit: to keep another writer's edits of
    /// other fields, use [`HealthRecord::edit_profile`] or [`HealthRecord::modify_profile`].
    pub fn set_profile(&mut self, profile: &Profile) -> Result<()> {
        self.store.write(|w| {
            let before = profile_in(w)?;
            w.put(profile)?;
            record_home_move(w, &before, profile)
        })
    }

    /// Applies to the stored profile the fields in which `after` differs from `before` (the
    /// copy the caller read and the copy it edited), inside one transaction: a field another
    /// writer changed meanwhile, and the caller did not, keeps that writer's value.
    pub fn edit_profile(&mut self, before: &Profile, after: &Profile) -> Result<Profile> {
        self.modify_profile(|p| crate::store::apply_edit(p, before, after))
    }

    /// Reads the profile inside a write transaction, lets `edit` change it, and writes the
    /// fields that changed; returns the profile as stored. Nothing another process writes can
    /// come between the read and the write.
    pub fn modify_profile(
        &mut self,
        edit: impl FnOnce(&mut Profile) -> Result<()>,
    ) -> Result<Profile> {
        self.store.write(|w| {
            let before = profile_in(w)?;
            let after = w.modify(PROFILE_ID, edit)?;
            record_home_move(w, &before, &after)?;
            Ok(after)
        })
    }

    /// Records that the patient has none of `item` (no known allergies, no medications, no
    /// conditions), so that the home screen stops asking for it; what is entered later wins
    /// over it. Returns the profile as stored.
    pub fn report_none_known(&mut self, item: crate::today::ProfilePrompt) -> Result<Profile> {
        self.modify_profile(|p| {
            p.say_none(item.as_str());
            Ok(())
        })
    }

    /// Adds a medication. Errors: [`Error::AlreadyExists`] for a reused id.
    pub fn add_medication(&mut self, medication: &Medication) -> Result<()> {
        self.store.insert(std::slice::from_ref(medication))
    }

    /// Adds a medication as [`HealthRecord::add_medication`] does, refusing a name another
    /// medication not stopped has (in any case) with [`Error::NameTaken`] unless
    /// `same_name_ok`: a medication entered twice doubles its reminders and its doses. Decided
    /// inside the write.
    pub fn add_medication_checked(
        &mut self,
        medication: &Medication,
        same_name_ok: bool,
    ) -> Result<()> {
        self.store.write(|w| {
            if !same_name_ok {
                name_free(w, &medication.name, &medication.id)?;
            }
            w.insert(medication)
        })
    }

    /// Replaces an existing medication's fields (a clinician's or the patient's edit), now.
    /// See [`HealthRecord::update_medication_at`].
    pub fn update_medication(&mut self, medication: &Medication) -> Result<()> {
        self.update_medication_at(medication, crate::clock::now()?)
    }

    /// Replaces an existing medication's fields as of `at`. The record keeps its schedule
    /// history and pauses itself (the caller's `history` and `pauses` are ignored): when the
    /// schedule, dose or time-zone policy changes, the old one is kept as applying until `at`,
    /// so the doses of the day of an edit are neither lost nor doubled; a status change opens
    /// or closes a pause.
    pub fn update_medication_at(
        &mut self,
        medication: &Medication,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.modify_medication_at(&medication.id, at, |m| {
            *m = medication.clone();
            Ok(())
        })
        .map(|_| ())
    }

    /// Applies to the stored medication the fields in which `after` differs from `before` (the
    /// copy the caller read and the copy it edited), now, in one transaction: a clinician's dose
    /// change and the patient's note made at the same time both stay. Returns it as stored.
    pub fn edit_medication(
        &mut self,
        before: &Medication,
        after: &Medication,
    ) -> Result<Medication> {
        self.modify_medication_at(&before.id, crate::clock::now()?, |m| {
            crate::store::apply_edit(m, before, after)
        })
    }

    /// Reads medication `id` inside a write transaction, lets `edit` change it, and writes the
    /// fields that changed, as of `at`; returns it as stored. The record keeps the schedule
    /// history and the pauses itself: when the schedule, dose or time-zone policy changes, the
    /// old one is kept as applying until `at`; a status change opens or closes a pause.
    pub fn modify_medication_at(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        edit: impl FnOnce(&mut Medication) -> Result<()>,
    ) -> Result<Medication> {
        self.modify_medication_checked_at(id, at, true, edit)
    }

    /// Changes medication `id` as [`HealthRecord::modify_medication_at`] does; a rename onto a
    /// name another medication not stopped has is refused with [`Error::NameTaken`] unless
    /// `same_name_ok`, decided inside the write.
    pub fn modify_medication_checked_at(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        same_name_ok: bool,
        edit: impl FnOnce(&mut Medication) -> Result<()>,
    ) -> Result<Medication> {
        self.store.write(|w| {
            let others = if same_name_ok {
                Vec::new()
            } else {
                medications_in(w, false)?
            };
            w.modify::<Medication>(id, |m| {
                let stored = m.clone();
                edit(m)?;
                m.id = stored.id.clone();
                m.history = stored.history.clone();
                m.pauses = stored.pauses.clone();
                m.recorded_at = stored.recorded_at;
                if (&stored.schedule, &stored.time_zone, &stored.dose)
                    != (&m.schedule, &m.time_zone, &m.dose)
                {
                    m.history.push(ScheduleVersion {
                        until: at,
                        schedule: stored.schedule,
                        time_zone: stored.time_zone,
                        dose: stored.dose,
                    });
                }
                track_pauses(&mut m.pauses, stored.status, m.status, at);
                if m.name != stored.name && same_name(&others, &m.name, &m.id) {
                    return Err(Error::NameTaken {
                        entity: "medication",
                    });
                }
                Ok(())
            })
        })
    }

    /// Pauses, resumes or stops a medication now and returns it as stored. A paused medication
    /// never replays the doses it skipped.
    pub fn set_medication_status(
        &mut self,
        id: &str,
        status: MedicationStatus,
    ) -> Result<Medication> {
        self.set_medication_status_at(id, status, crate::clock::now()?)
    }

    /// Pauses, resumes or stops a medication as of `at`.
    pub fn set_medication_status_at(
        &mut self,
        id: &str,
        status: MedicationStatus,
        at: DateTime<Utc>,
    ) -> Result<Medication> {
        self.modify_medication_at(id, at, |m| {
            m.status = status;
            Ok(())
        })
    }

    /// The medication `id`.
    pub fn medication(&self, id: &str) -> Result<Medication> {
        self.get(id)
    }

    /// Medications by name; stopped ones only when `include_stopped`.
    pub fn medications(&self, include_stopped: bool) -> Result<Vec<Medication>> {
        medications_in(&self.store, include_stopped)
    }

    /// Logs a dose taken, skipped or snoozed. Errors: [`Error::NotFound`] if the medication
    /// does not exist; [`Error::DoseLimit`] for an as-needed dose beyond the daily maximum (in
    /// the calendar day of the dose's own UTC offset) or inside the minimum interval, unless the
    /// event is marked `confirmed_over_limit`; refuses a scheduled dose already logged as taken
    /// ([`Error::DoseAlreadyTaken`]) unless it is marked `confirmed_double`. On the patient's
    /// own device a dose that names no one is logged in the profile's name, so that a second
    /// take on another device names who took the first.
    pub fn log_dose(&mut self, dose: &DoseEvent) -> Result<()> {
        self.store.write(|w| {
            let dose = with_logger(w, dose)?;
            let med: Medication = w.get(&dose.medication_id)?.ok_or(Error::NotFound {
                entity: "medication",
            })?;
            log_dose_in(w, &med, &dose)
        })
    }

    /// Imports past dose events in one transaction (from another app or a backup): all or
    /// none. Each medication must exist; as-needed limits are not checked (what happened,
    /// happened).
    pub fn import_doses(&mut self, doses: &[DoseEvent]) -> Result<()> {
        self.store.write(|w| {
            let mut known = std::collections::HashSet::new();
            for (index, d) in doses.iter().enumerate() {
                if known.insert(d.medication_id.as_str())
                    && w.get::<Medication>(&d.medication_id)?.is_none()
                {
                    return Err(Error::NotFound {
                        entity: "medication",
                    }
                    .in_batch(index));
                }
                w.insert(d).map_err(|e| e.in_batch(index))?;
            }
            Ok(())
        })
    }

    /// Logs a refill of a tracked medication. Errors: [`Error::NotFound`] for an unknown
    /// medication, [`Error::Invalid`] when its supply is not tracked (no inventory count), both
    /// decided on what is committed.
    pub fn log_refill(&mut self, refill: &Refill) -> Result<()> {
        self.store.write(|w| {
            let med: Medication = w.get(&refill.medication_id)?.ok_or(Error::NotFound {
                entity: "medication",
            })?;
            if med.inventory.is_none() {
                return Err(crate::model::ValidationError::Invalid {
                    field: "refill",
                    reason: "the medication's supply is not tracked: give it an inventory count first",
                }
                .into());
            }
            w.insert(refill)
        })
    }

    /// Refills logged in `range`, newest first, of one medication or of all.
    pub fn refills(&self, medication_id: Option<&str>, range: TimeRange) -> Result<Vec<Refill>> {
        self.in_range(medication_id, range)
    }

    /// Adds a measurement plan (the home blood-pressure week before a visit).
    pub fn add_measurement_plan(&mut self, plan: &MeasurementPlan) -> Result<()> {
        self.store.insert(std::slice::from_ref(plan))
    }

    /// Removes a measurement plan.
    pub fn delete_measurement_plan(&mut self, id: &str) -> Result<()> {
        self.store
            .delete::<MeasurementPlan>(id, crate::clock::now()?)
    }

    /// Every measurement plan.
    pub fn measurement_plans(&self) -> Result<Vec<MeasurementPlan>> {
        self.all(&Filter::default())
    }

    /// Corrects a logged dose.
    pub fn update_dose(&mut self, dose: &DoseEvent) -> Result<()> {
        self.store.update(dose)
    }

    /// Deletes a dose logged by mistake (kept as a tombstone in the document).
    pub fn delete_dose(&mut self, id: &str) -> Result<()> {
        self.store.delete::<DoseEvent>(id, crate::clock::now()?)
    }

    /// Dose events in `range` (by scheduled time, or time taken for as-needed doses), newest
    /// first, of one medication or of all.
    pub fn doses(&self, medication_id: Option<&str>, range: TimeRange) -> Result<Vec<DoseEvent>> {
        self.in_range(medication_id, range)
    }

    /// Stores a reading and returns its id. An imported reading whose `(system, external_id)`
    /// is already stored is not stored again: the id of the stored one is returned. An imported
    /// reading is stored under an id derived from `(system, external_id)` (the same on every
    /// device), not the one it came with. Urgent
    /// findings raise alerts stored with it (see [`HealthRecord::record_reading`]).
    pub fn add_reading(&mut self, reading: &Reading) -> Result<String> {
        Ok(self.record_reading(reading)?.id)
    }

    /// Stores many readings in one transaction (an import, a device sync) and returns their ids
    /// in order, de-duplicating imported readings as [`HealthRecord::add_reading`] does, and
    /// storing the alerts they raise. If any reading is invalid, none is stored, and the error is
    /// [`Error::Batch`] with the position of the first invalid one.
    pub fn add_readings(&mut self, readings: &[Reading]) -> Result<Vec<String>> {
        // Say which item is wrong before anything is written.
        for (index, reading) in readings.iter().enumerate() {
            reading
                .validate()
                .map_err(|e| Error::from(e).in_batch(index))?;
        }
        Ok(self
            .store_readings(readings)?
            .into_iter()
            .map(|o| o.id)
            .collect())
    }

    /// Stores readings with their alerts in one transaction; one outcome per reading.
    pub(crate) fn store_readings(&mut self, readings: &[Reading]) -> Result<Vec<ReadingOutcome>> {
        self.store.write(|w| store_readings_in(w, readings))
    }

    /// Imports medications and readings from another system in one transaction, all or
    /// nothing: a medication whose id the record already holds is left as it is (an importer
    /// derives the id from the source's identifier, so a second import adds nothing); readings
    /// are de-duplicated and raise their alerts as [`HealthRecord::add_readings`] does. Returns
    /// how many medications were added, and each reading's outcome.
    pub fn import_entries(
        &mut self,
        medications: &[Medication],
        readings: &[Reading],
    ) -> Result<(usize, Vec<ReadingOutcome>)> {
        for (index, reading) in readings.iter().enumerate() {
            reading
                .validate()
                .map_err(|e| Error::from(e).in_batch(index))?;
        }
        self.store.write(|w| {
            let mut added = 0;
            for medication in medications {
                if w.get::<Medication>(&medication.id)?.is_none() {
                    w.insert(medication)?;
                    added += 1;
                }
            }
            Ok((added, store_readings_in(w, readings)?))
        })
    }
}

/// Stores readings with their alerts inside the write `w`; one outcome per reading.
pub(crate) fn store_readings_in(
    w: &mut crate::store::Writer<'_>,
    readings: &[Reading],
) -> Result<Vec<ReadingOutcome>> {
    let profile = profile_in(w)?;
    let targets = clinical::targets_in(w, &profile)?;
    let mut outcomes = Vec::with_capacity(readings.len());
    let mut seen = std::collections::HashMap::new();
    // The readings stored and the alerts they raise, followed up together once all
    // are known (a batch's later readings follow up its earlier ones' alerts too).
    let mut stored: Vec<Reading> = Vec::new();
    let mut raised: Vec<Alert> = Vec::new();
    for reading in readings {
        reading.validate()?;
        // De-duplication reads what is committed, inside this write.
        let existing = match reading.external_key() {
            Some(key) => match seen.get(&key) {
                Some(id) => Some(String::clone(id)),
                None => {
                    let id = crate::model::imported_reading_id(reading.at.timestamp_millis(), &key);
                    // Imported before (its id comes from its time and key, and it may be kept
                    // in an import block), or under its key at another time.
                    let found = if w.exists::<Reading>(&id)? {
                        Some(id.clone())
                    } else {
                        w.find_external(Collection::Readings, &key)?
                    };
                    seen.insert(key, found.clone().unwrap_or(id));
                    found
                }
            },
            None => None,
        };
        let assessment = crate::clinical::alerts::assess(reading, &targets);
        let outcome = match existing {
            Some(id) => ReadingOutcome {
                id,
                duplicate: true,
                assessment,
                alerts: Vec::new(),
            },
            None => {
                // An imported reading's id comes from its source and external id, so
                // that the same import on two devices is one reading after a merge.
                let imported;
                let reading = match reading.external_key() {
                    Some(key) => {
                        let mut r = reading.clone();
                        r.id = crate::model::imported_reading_id(r.at.timestamp_millis(), &key);
                        imported = r;
                        &imported
                    }
                    None => reading,
                };
                w.insert(reading)?;
                let alerts = crate::clinical::alerts::alerts_for(reading, &targets);
                raised.extend(alerts.iter().cloned());
                stored.push(reading.clone());
                ReadingOutcome {
                    id: reading.id.clone(),
                    duplicate: false,
                    assessment,
                    alerts,
                }
            }
        };
        outcomes.push(outcome);
    }
    let stored: Vec<&Reading> = stored.iter().collect();
    let raised = follow_up_alerts(w, &stored, raised, &targets)?;
    // Each outcome names its alerts as stored.
    for outcome in &mut outcomes {
        for alert in &mut outcome.alerts {
            if let Some(stored) = raised.iter().find(|a| a.id == alert.id) {
                *alert = stored.clone();
            }
        }
    }
    Ok(outcomes)
}

impl HealthRecord {
    /// Corrects a reading: the fields that differ from the stored reading are written (every
    /// field of `reading` wins over a concurrent edit; see [`HealthRecord::edit_reading`]), and
    /// its alerts are judged again on the corrected value.
    pub fn update_reading(&mut self, reading: &Reading) -> Result<()> {
        let new = reading.clone();
        self.modify_reading(&reading.id, move |r| {
            *r = new;
            Ok(())
        })
        .map(|_| ())
    }

    /// Applies to the stored reading the fields in which `after` differs from `before`, in one
    /// transaction (a corrected value and a note added at the same time both stay).
    pub fn edit_reading(&mut self, before: &Reading, after: &Reading) -> Result<Reading> {
        self.modify_reading(&before.id, |r| crate::store::apply_edit(r, before, after))
    }

    /// Reads reading `id` inside a write transaction, lets `edit` change it, and writes the
    /// fields that changed; returns it as stored.
    pub fn modify_reading(
        &mut self,
        id: &str,
        edit: impl FnOnce(&mut Reading) -> Result<()>,
    ) -> Result<Reading> {
        self.store.write(|w| {
            let stored = w.modify::<Reading>(id, |r| {
                let id = r.id.clone();
                edit(r)?;
                r.id = id;
                Ok(())
            })?;
            reassess(w, &stored)?;
            Ok(stored)
        })
    }

    /// Deletes a reading (kept as a tombstone in the document, hidden from queries).
    pub fn delete_reading(&mut self, id: &str) -> Result<()> {
        self.store.delete::<Reading>(id, crate::clock::now()?)
    }

    /// The reading `id`.
    pub fn reading(&self, id: &str) -> Result<Reading> {
        self.get(id)
    }

    /// Readings matching `query`, newest first, one page at a time.
    pub fn readings(&self, query: &ReadingQuery) -> Result<ReadingPage> {
        let (from_ms, to_ms) = query.range.millis();
        let kind = query.kind.map(|k| k.as_str());
        let after = query.after.as_ref().map(PageCursor::position).transpose()?;
        let page = self.store.list::<Reading>(&Filter {
            tag: kind,
            from_ms,
            to_ms,
            before: after,
            limit: query.limit,
            oldest_first: false,
        })?;
        let next = match (query.limit, page.last()) {
            (Some(limit), Some((at, last))) if page.len() == limit as usize => {
                Some(PageCursor::new(*at, &last.id))
            }
            _ => None,
        };
        Ok(ReadingPage {
            readings: page.into_iter().map(|(_, r)| r).collect(),
            next,
        })
    }

    /// Adds a journal entry, stamped with its author from this device's role: the patient's
    /// own device (the owner's, or a record not shared) writes as the patient, named by the
    /// profile unless `logged_by` says otherwise; a caregiver's device writes as a caregiver.
    pub fn add_journal_entry(&mut self, entry: &JournalEntry) -> Result<()> {
        self.store.write(|w| {
            let mut entry = entry.clone();
            if w.on_patients_device()? {
                entry.author = Some(crate::model::Author::Patient);
                if entry.logged_by.is_none() {
                    entry.logged_by = Some(profile_in(w)?.name);
                }
            } else {
                entry.author = Some(crate::model::Author::Caregiver);
            }
            w.insert(&entry)
        })
    }

    /// Corrects a journal entry.
    pub fn update_journal_entry(&mut self, entry: &JournalEntry) -> Result<()> {
        self.store.update(entry)
    }

    /// Deletes a journal entry (kept as a tombstone).
    pub fn delete_journal_entry(&mut self, id: &str) -> Result<()> {
        self.store.delete::<JournalEntry>(id, crate::clock::now()?)
    }

    /// Journal entries written in `range`, newest first.
    pub fn journal(&self, range: TimeRange) -> Result<Vec<JournalEntry>> {
        self.in_range(None, range)
    }

    /// Adds an appointment.
    pub fn add_appointment(&mut self, appointment: &Appointment) -> Result<()> {
        self.store.insert(std::slice::from_ref(appointment))
    }

    /// Changes an appointment.
    pub fn update_appointment(&mut self, appointment: &Appointment) -> Result<()> {
        self.store.update(appointment)
    }

    /// Cancels an appointment (kept as a tombstone).
    pub fn delete_appointment(&mut self, id: &str) -> Result<()> {
        self.store.delete::<Appointment>(id, crate::clock::now()?)
    }

    /// Appointments in `range`, newest first.
    pub fn appointments(&self, range: TimeRange) -> Result<Vec<Appointment>> {
        self.in_range(None, range)
    }

    /// Everything the record holds, for export.
    pub fn export(&self) -> Result<Export> {
        Ok(Export {
            record_id: self.id().to_string(),
            profile: self.profile()?,
            medications: self.medications(true)?,
            appointments: self.appointments(TimeRange::ALL)?,
            readings: self.readings(&ReadingQuery::default())?.readings,
            doses: self.doses(None, TimeRange::ALL)?,
            journal: self.journal(TimeRange::ALL)?,
            journeys: self.journeys(true)?,
            journey_steps: self.all(&Filter::default())?,
            questionnaire_responses: self.responses(None)?,
            journey_templates: self.all(&Filter::default())?,
            targets: self.all(&Filter::default())?.into_iter().next(),
            measurement_plans: self.all(&Filter::default())?,
            refills: self.all(&Filter::default())?,
            alerts: self.alerts(TimeRange::ALL)?,
            zones: self.all(&Filter::default())?,
        })
    }

    /// Puts `export` (of [`HealthRecord::export`]) into this record, which must be empty: a
    /// profile and nothing else, live or deleted ([`Error::RecordNotEmpty`] otherwise). Every
    /// entry lands exactly as exported, ids included, in one transaction: all or nothing. The
    /// record keeps its own id (a restored copy is a new record, not a replica of the old
    /// one). Returns how many entries were restored, the profile included.
    pub fn restore(&mut self, export: &Export) -> Result<u64> {
        self.store.write(|w| {
            if w.holds_more_than_profile()? {
                return Err(Error::RecordNotEmpty);
            }
            w.put(&export.profile)?;
            let e = export;
            // Each kind before the ones that name it: medications before their doses.
            Ok(1 + restore_all(w, &e.zones)?
                + restore_all(w, e.targets.as_slice())?
                + restore_all(w, &e.medications)?
                + restore_all(w, &e.measurement_plans)?
                + restore_all(w, &e.appointments)?
                + restore_all(w, &e.journey_templates)?
                + restore_all(w, &e.journeys)?
                + restore_all(w, &e.journey_steps)?
                + restore_all(w, &e.questionnaire_responses)?
                + restore_all(w, &e.readings)?
                + restore_all(w, &e.alerts)?
                + restore_all(w, &e.doses)?
                + restore_all(w, &e.refills)?
                + restore_all(w, &e.journal)?)
        })
    }

    /// Checks the record quickly, changing no entry: SQLite's quick check and every index
    /// row's checksum. The report holds counts and SQLite's messages, never a stored value.
    /// Damage found refuses writes, in every process, until [`HealthRecord::repair`].
    pub fn check(&self) -> Result<crate::store::CheckReport> {
        self.store.check(false)
    }

    /// [`HealthRecord::check`] in full: SQLite's integrity check, every index row's checksum,
    /// and that the index equals a rebuild from the documents (every document is loaded).
    pub fn check_full(&self) -> Result<crate::store::CheckReport> {
        self.store.check(true)
    }

    /// Rebuilds the index from the documents when only the index is wrong (a row edited behind
    /// the record's back, a damaged index page), and checks again. Once the record checks
    /// clean, writes, refused since the damage was found, are allowed again. Damage to the file
    /// beyond the index is reported, not repaired: restore from another replica.
    pub fn repair(&mut self) -> Result<crate::store::RepairReport> {
        self.store.repair()
    }

    /// Rebuilds every materialized table from the documents. Query answers afterwards equal
    /// those before (a property the tests check).
    pub fn rebuild_index(&mut self) -> Result<()> {
        self.store.rebuild_index()
    }

    /// Folds each document's incremental chunks into one snapshot; returns how many chunks were
    /// removed. Nothing a query returns changes.
    pub fn compact(&mut self) -> Result<usize> {
        self.store.compact()
    }

    /// The names of the record's documents (`record`, `log/2026-11`).
    pub fn documents(&self) -> Result<Vec<String>> {
        Ok(self
            .store
            .documents()?
            .into_iter()
            .map(|d| d.to_string())
            .collect())
    }

    /// The whole document `doc` as Automerge bytes, for a replica that lacks it.
    pub fn export_document(&mut self, doc: &str) -> Result<Vec<u8>> {
        let doc = DocId::parse(doc).ok_or(Error::InvalidDocumentId)?;
        self.store.export_document(doc)
    }

    /// Applies Automerge change bytes from another replica to document `doc` and updates the
    /// index, in one transaction. Applying the same bytes twice changes nothing; malformed bytes
    /// or an unknown document name are refused with nothing written. Entries that do not decode
    /// into valid values are kept in the document but left out of the index (`skipped`).
    pub fn apply_changes(&mut self, doc: &str, bytes: &[u8]) -> Result<ApplyReport> {
        let doc = DocId::parse(doc).ok_or(Error::InvalidDocumentId)?;
        self.store
            .apply_changes(doc, bytes, &replica::apply_merge_rules)
    }

    /// The heads of document `doc` (hex change hashes): what a peer sends to say what it has.
    /// Empty for a document this record does not hold yet.
    pub fn heads(&mut self, doc: &str) -> Result<Vec<String>> {
        let doc = DocId::parse(doc).ok_or(Error::InvalidDocumentId)?;
        Ok(self
            .store
            .heads(doc)?
            .iter()
            .map(ToString::to_string)
            .collect())
    }

    /// The changes of document `doc` a peer whose heads are `have` lacks, oldest first, one
    /// Automerge change each (a new reading is one change of a few hundred bytes). Malformed
    /// heads are refused with [`Error::InvalidChanges`].
    pub fn changes_since(&mut self, doc: &str, have: &[String]) -> Result<Vec<Vec<u8>>> {
        let doc_id = DocId::parse(doc).ok_or(Error::InvalidDocumentId)?;
        let have = have
            .iter()
            .map(|h| {
                h.parse::<automerge::ChangeHash>()
                    .map_err(|e| Error::InvalidChanges {
                        doc: doc.to_string(),
                        source: Box::new(e),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        self.store.changes_since(doc_id, &have)
    }

    /// Applies single changes from another replica to document `doc` in one transaction: in
    /// any order, duplicated or not. Changes whose dependencies have not arrived are stored and
    /// applied when they do, also after a restart (`pending` counts them). Malformed bytes are
    /// refused with nothing written.
    pub fn apply_remote_changes(&mut self, doc: &str, changes: &[Vec<u8>]) -> Result<ApplyReport> {
        let doc = DocId::parse(doc).ok_or(Error::InvalidDocumentId)?;
        self.store
            .apply_remote(doc, changes, &replica::apply_merge_rules)
    }

    /// The number of stored chunks (diagnostics: compaction lowers it).
    pub fn chunk_count(&self) -> Result<i64> {
        self.store.chunk_count()
    }

    pub(crate) fn get<E: Entity>(&self, id: &str) -> Result<E> {
        self.store
            .get(id)?
            .ok_or(Error::NotFound { entity: E::NAME })
    }

    /// Live entries of one kind in `range`, newest first, with `tag` if given.
    pub(crate) fn in_range<E: Entity>(
        &self,
        tag: Option<&str>,
        range: TimeRange,
    ) -> Result<Vec<E>> {
        crate::store::in_range(&self.store, tag, range)
    }

    pub(crate) fn all<E: Entity>(&self, filter: &Filter<'_>) -> Result<Vec<E>> {
        crate::store::all(&self.store, filter)
    }
}

/// `dose` as it is stored: logged in the profile's name when it names no one and `w` writes on
/// the patient's own device, so that a second take on another device names who took the first.
/// Read inside the write.
pub(crate) fn with_logger(w: &crate::store::Writer<'_>, dose: &DoseEvent) -> Result<DoseEvent> {
    let mut dose = dose.clone();
    if dose.logged_by.is_none() && w.on_patients_device()? {
        dose.logged_by = Some(profile_in(w)?.name);
    }
    Ok(dose)
}

/// Restores `items` as they were exported ([`crate::store::Writer::restore`]); returns how many.
fn restore_all<E: Entity>(w: &mut crate::store::Writer<'_>, items: &[E]) -> Result<u64> {
    for item in items {
        w.restore(item)?;
    }
    Ok(items.len() as u64)
}

/// Checks an as-needed dose against its limits (unless confirmed) on what `w` reads, and adds it.
pub(crate) fn log_dose_in(
    w: &mut crate::store::Writer<'_>,
    med: &Medication,
    dose: &DoseEvent,
) -> Result<()> {
    if let (Schedule::AsNeeded(limits), DoseStatus::Taken, false) =
        (&med.schedule, dose.status, dose.confirmed_over_limit)
    {
        let (from, to) = crate::reminders::as_needed_span(limits, dose.at);
        let taken: Vec<chrono::DateTime<chrono::FixedOffset>> =
            entries_in::<DoseEvent>(w, Some(&med.id), TimeRange::between(from, to))?
                .into_iter()
                .filter(|d| d.status == DoseStatus::Taken)
                .map(|d| d.at)
                .collect();
        if let Err(limit) = crate::reminders::check_as_needed(limits, dose.at, &taken) {
            // The doses after the span count too when saying when the next one is allowed.
            let after = TimeRange::between(to, to + Duration::days(3));
            let mut all = taken;
            all.extend(
                entries_in::<DoseEvent>(w, Some(&med.id), after)?
                    .into_iter()
                    .filter(|d| d.status == DoseStatus::Taken)
                    .map(|d| d.at),
            );
            return Err(Error::DoseLimit {
                limit,
                next_allowed: crate::reminders::next_allowed(limits, dose.at, &all),
            });
        }
    }
    w.insert(dose)
}

/// What this device may write of a journey's event (beyond its own validation): a time
/// neither before 1900 nor ahead of the clock, and texts without control characters.
pub(crate) fn check_local(
    entry: &impl serde::Serialize,
    at: chrono::DateTime<chrono::FixedOffset>,
) -> Result<()> {
    crate::model::bounds::check_event_time("time", at, crate::clock::now()?)?;
    crate::model::bounds::check_text(entry)?;
    Ok(())
}

/// When an edit moves the record's home zone, keeps the past in the zone it had: the zone before
/// the move is recorded as applying since the record began (once, under one id on every
/// device), and the new zone as applying from now. Occurrences before the move keep their
/// times, so adherence, missed doses and the report of the past do not change (issue 27).
fn record_home_move(
    w: &mut crate::store::Writer<'_>,
    before: &Profile,
    after: &Profile,
) -> Result<()> {
    if before.home_time_zone == after.home_time_zone {
        return Ok(());
    }
    let since_start = crate::model::derived_id(&["zone", "home since the record began"]);
    if !w.exists::<crate::model::ZoneChange>(&since_start)? {
        let mut first = crate::model::ZoneChange::new(&before.home_time_zone, BEGINNING)?;
        first.id = since_start;
        w.insert(&first)?;
    }
    let now = crate::clock::now()?;
    let zone = crate::model::parse_time_zone("time zone", &after.home_time_zone)?;
    let moved =
        crate::model::ZoneChange::new(zone.name(), now.with_timezone(&zone).fixed_offset())?;
    w.insert(&moved)
}

/// The instant a zone that applied "since the record began" is dated at (1900-01-01 UTC, the
/// earliest any event may be dated).
const BEGINNING: chrono::DateTime<chrono::FixedOffset> =
    chrono::DateTime::from_naive_utc_and_offset(
        chrono::NaiveDate::from_ymd_opt(1900, 1, 1)
            .expect("a valid date")
            .and_time(chrono::NaiveTime::MIN),
        chrono::FixedOffset::east_opt(0).expect("a valid offset"),
    );

/// Stores the alerts `raised` by the `readings` of one write, and follows up with those
/// readings the alerts still open ([`crate::clinical::alerts::follow_up`]): the ones committed
/// before it, read once, and the ones raised in it. Returns `raised` as stored.
fn follow_up_alerts(
    w: &mut crate::store::Writer<'_>,
    readings: &[&Reading],
    raised: Vec<Alert>,
    targets: &crate::model::ClinicalTargets,
) -> Result<Vec<Alert>> {
    let Some(last) = readings.iter().map(|r| r.at.to_utc()).max() else {
        return Ok(raised);
    };
    let span = TimeRange {
        from: None,
        to: Some(last),
    };
    let mut alerts: Vec<Alert> = entries_in::<Alert>(w, None, span)?
        .into_iter()
        .filter(|a| a.acknowledged_at.is_none() && a.resolved_at.is_none())
        .collect();
    let committed = alerts.len();
    alerts.extend(raised);
    let changed = crate::clinical::alerts::follow_up(&mut alerts, readings, targets);
    for i in changed.into_iter().filter(|i| *i < committed) {
        w.update(&alerts[i])?;
    }
    let raised = alerts.split_off(committed);
    for alert in &raised {
        w.insert(alert)?;
    }
    Ok(raised)
}

/// Judges a corrected reading's alerts again: the ones its new value no longer raises are
/// resolved (`corrected`), the ones it now raises are stored. Inside the write that corrects it.
fn reassess(w: &mut crate::store::Writer<'_>, reading: &Reading) -> Result<()> {
    let profile = profile_in(w)?;
    let targets = clinical::targets_in(w, &profile)?;
    let now_raised = crate::clinical::alerts::alerts_for(reading, &targets);
    for kind in crate::model::AlertKind::ALL {
        let id = crate::model::derived_id(&["alert", kind.as_str(), &reading.id]);
        let stored = w.get::<Alert>(&id)?;
        let wanted = now_raised.iter().find(|a| a.kind == *kind);
        match (stored, wanted) {
            (Some(a), None) if a.resolved_at.is_none() => {
                let at = crate::clock::now()?.fixed_offset();
                w.modify::<Alert>(&id, |a| {
                    a.resolved_at = Some(at);
                    a.resolved_by = Some(crate::model::CORRECTED.to_string());
                    Ok(())
                })?;
            }
            (None, Some(a)) => w.insert(a)?,
            // Still raised: it shows the corrected value.
            (Some(_), Some(a)) => {
                let value = a.value.clone();
                w.modify::<Alert>(&id, |stored| {
                    stored.value = value;
                    Ok(())
                })?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The entries of type `T` with `tag` (any, when none) whose instant falls in `span`, as `w`
/// reads them.
fn entries_in<T: Entity>(
    w: &crate::store::Writer<'_>,
    tag: Option<&str>,
    span: TimeRange,
) -> Result<Vec<T>> {
    let (from_ms, to_ms) = span.millis();
    Ok(w.list::<T>(&Filter {
        tag,
        from_ms,
        to_ms,
        ..Filter::default()
    })?
    .into_iter()
    .map(|(_, e)| e)
    .collect())
}

/// Refuses `name` with [`Error::NameTaken`] when a medication not stopped other than `except`
/// has it, as `r` reads the record.
fn name_free(r: &impl crate::store::Read, name: &str, except: &str) -> Result<()> {
    if same_name(&medications_in(r, false)?, name, except) {
        return Err(Error::NameTaken {
            entity: "medication",
        });
    }
    Ok(())
}

/// Whether a medication of `meds` other than `except` has `name`, in any case.
fn same_name(meds: &[Medication], name: &str, except: &str) -> bool {
    meds.iter()
        .any(|m| m.id != except && m.name.trim().to_lowercase() == name.trim().to_lowercase())
}

/// Medications by name (stopped ones only when `include_stopped`), as `r` reads them.
pub(crate) fn medications_in(
    r: &impl crate::store::Read,
    include_stopped: bool,
) -> Result<Vec<Medication>> {
    let mut all: Vec<Medication> = crate::store::all(r, &Filter::default())?;
    all.retain(|m| include_stopped || m.status != MedicationStatus::Stopped);
    crate::sorting::sort_by(&mut all, |a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Ok(all)
}

/// The profile, as `r` reads it.
pub(crate) fn profile_in(r: &impl crate::store::Read) -> Result<Profile> {
    r.get::<Profile>(PROFILE_ID)?
        .ok_or(Error::NotFound { entity: "profile" })
}

/// Writes `bytes` to `path` whole or not at all: into `<path>.partial` (created afresh, never
/// through a link left there) first, then renamed over `path`; the partial file is removed when
/// anything fails. Only a new path or a regular file is written: a symbolic link, a device, a
/// pipe or a folder at `path` is refused and left as it is (a shell resolves a link itself when
/// its user asks to write through it).
pub fn write_output(path: &Path, bytes: &[u8], detail: &'static str) -> Result<()> {
    use std::io::Write;
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => {
            return Err(crate::model::ValidationError::Invalid {
                field: "output path",
                reason: "is not a regular file (a link, a device, a pipe or a folder): choose another path",
            }
            .into());
        }
        _ => {}
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = std::path::PathBuf::from(tmp);
    let create = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
    };
    // A partial file left by a crash (or a link put in its place) is removed, not written.
    let file = create().or_else(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            std::fs::remove_file(&tmp).and_then(|()| create())
        } else {
            Err(e)
        }
    });
    file.and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            Error::Io { detail, source }
        })
}

/// Opens a pause when a medication leaves the active state, and closes it when it returns.
fn track_pauses(
    pauses: &mut Vec<Pause>,
    old: MedicationStatus,
    new: MedicationStatus,
    at: DateTime<Utc>,
) {
    let active = |s| s == MedicationStatus::Active;
    if active(old) && !active(new) {
        pauses.push(Pause {
            from: at,
            until: None,
        });
    } else if !active(old) && active(new) {
        // Every open pause ends: after a merge, two devices may each have opened one.
        for open in pauses.iter_mut().filter(|p| p.until.is_none()) {
            open.until = Some(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_left_at_the_partial_name_is_replaced_not_written_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("elsewhere.txt");
        std::fs::write(&target, "keep me").expect("write");
        let out = dir.path().join("report.html");
        std::os::unix::fs::symlink(&target, dir.path().join("report.html.partial"))
            .expect("symlink");
        write_output(&out, b"<html>", "test").expect("written");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep me");
        assert_eq!(std::fs::read_to_string(&out).expect("read"), "<html>");
        assert!(!dir.path().join("report.html.partial").exists());
    }
}
