//! Replicas of one record: the offline exchange of whole records (a new phone, a clinic with no
//! network) through replica export files (docs/replica-export.md).

use std::path::Path;

use automerge::{Automerge, LoadOptions, OnPartialLoad};

use super::{HealthRecord, write_output};
use crate::crdt::DocId;
use crate::error::{Error, Result};
use crate::keystore::RecordKeys;
use crate::model::{Alert, DoseEvent, Medication};
use crate::query::TimeRange;
use crate::replica_file;
use crate::store::{Store, Writer};

/// What merging another replica's export changed here.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
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

/// The merge rules that need more than Automerge's merge, run inside the transaction that
/// applied another replica's changes to the documents `changed`: a scheduled dose now logged
/// as taken twice raises one `DoseLoggedTwice` alert, unless one is already in the record (on
/// every replica the alert has the same id, so replicas that find the same double make one
/// alert, and a later merge raises none). Returns how many it raised.
pub(crate) fn apply_merge_rules(w: &mut Writer<'_>, changed: &[DocId]) -> Result<u64> {
    let mut raised = 0;
    for doc in changed {
        let DocId::Log { year, month } = *doc else {
            continue;
        };
        // Doses are filed in the month of their scheduled time (UTC); a margin of two days
        // on each side costs little and needs no calendar arithmetic at the edges.
        let Some(first) = chrono::NaiveDate::from_ymd_opt(year, month, 1) else {
            continue;
        };
        let from = first.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::days(2);
        let range = TimeRange::between(from, from + chrono::Duration::days(35));
        let doses: Vec<DoseEvent> = crate::store::in_range(w, None, range)?;
        let doubles = crate::reminders::logged_twice(&doses);
        if doubles.is_empty() {
            continue;
        }
        for double in doubles {
            if w.exists::<Alert>(&double.alert_id())? {
                continue;
            }
            let name = w
                .get::<Medication>(&double.medication_id)?
                .map_or_else(String::new, |m| m.name);
            let alert = crate::clinical::alerts::dose_logged_twice(&double, &name);
            w.insert(&alert)?;
            raised += 1;
        }
    }
    Ok(raised)
}

/// Loads the documents of a decoded export, refusing one that is damaged or of another record.
fn load_documents(
    file: &replica_file::ReplicaFile,
) -> Result<Vec<(crate::crdt::DocId, Automerge)>> {
    file.documents
        .iter()
        .map(|(id, bytes)| {
            let doc = Automerge::load_with_options(
                bytes,
                LoadOptions::new().on_partial_load(OnPartialLoad::Error),
            )
            .map_err(|_| Error::InvalidReplicaFile {
                detail: "a document in it does not load",
            })?;
            match crate::crdt::identity(&doc) {
                Some((record, name)) if record == file.record_id && name == id.to_string() => {
                    Ok((*id, doc))
                }
                _ => Err(Error::OtherRecord {
                    doc: id.to_string(),
                }),
            }
        })
        .collect()
}

impl HealthRecord {
    /// Every document of the record in one replica export (the format in
    /// docs/replica-export.md): what [`HealthRecord::join`] and
    /// [`HealthRecord::merge_replica`] read on another device.
    pub fn replica_export(&mut self) -> Result<Vec<u8>> {
        let mut documents = Vec::new();
        for doc in self.store.documents()? {
            documents.push((doc, self.store.export_document(doc)?));
        }
        let record = self.store.record_id().to_string();
        let signer = self
            .store
            .sync_read(|c| crate::sync::replica::signer(c, &record))?;
        replica_file::encode(
            &record,
            &documents,
            signer.as_ref().map(|(id, key)| (id.as_str(), key)),
        )
    }

    /// Writes [`HealthRecord::replica_export`] to `path`, whole or not at all; the record's
    /// own file is refused.
    pub fn write_replica_export(&mut self, path: &Path) -> Result<()> {
        self.refuse_own_file(path)?;
        let bytes = self.replica_export()?;
        write_output(path, &bytes, "the replica export could not be written")
    }

    /// Creates at `path` a new replica of the record in `export` (another replica's
    /// [`HealthRecord::replica_export`]): the same record id and entries, its own Automerge
    /// actor, no profile of its own. A damaged, truncated or altered file, or one whose
    /// documents belong to another record, is refused and no file is created.
    pub fn join(path: &Path, keys: &RecordKeys, export: &[u8]) -> Result<Self> {
        let file = replica_file::decode(export)?;
        let documents = load_documents(&file)?;
        let store = Store::join(path, keys, &file.record_id, &documents)?;
        Ok(Self { store })
    }

    /// Merges another replica's export into this record, in one transaction: idempotent, and
    /// a file of another record, or a damaged one, is refused with nothing written. Says what
    /// changed.
    ///
    /// In a shared record the file must be signed by a current member's device, and its new
    /// changes may write only what that member's role and this device's role both may (the
    /// same judgement as changes from the relay); they are then passed on at the next sync.
    /// A file that fails is refused whole ([`crate::sync::SyncError::ReplicaRefused`],
    /// [`crate::sync::SyncError::ReplicaNotPermitted`]).
    pub fn merge_replica(&mut self, export: &[u8]) -> Result<MergeReport> {
        let file = replica_file::decode(export)?;
        if file.record_id != self.id() {
            return Err(Error::OtherRecord {
                doc: "record".to_string(),
            });
        }
        let documents = load_documents(&file)?
            .into_iter()
            .map(|(id, doc)| (id, doc.get_changes(&[])))
            .collect();
        let judged = self
            .store
            .sync_read(|c| crate::sync::replica::roles(c, &file))?;
        let (reports, raised) = match judged {
            None => self.store.apply_documents(documents, &apply_merge_rules)?,
            Some((author, own)) => {
                let allow = |c: &str| author.may_write(c) && own.may_write(c);
                let entry =
                    |c: &str, b: Option<&serde_json::Value>, a: Option<&serde_json::Value>| {
                        author.may_change(c, b, a) && own.may_change(c, b, a)
                    };
                let policy = crate::store::Policy {
                    allow: &allow,
                    entry: &entry,
                    forward: own.writes(),
                };
                // The membership read again inside the write: a removal in between refuses.
                let mut then = |tx: &rusqlite::Connection| -> Result<()> {
                    match crate::sync::replica::roles(tx, &file)? {
                        Some(roles) if roles == (author, own) => Ok(()),
                        _ => Err(crate::sync::SyncError::ReplicaRefused {
                            why: "the record's membership changed while it was merged",
                        }
                        .into()),
                    }
                };
                self.store
                    .apply_documents_with(documents, &apply_merge_rules, Some(&policy), &mut then)
                    .map_err(|e| match e {
                        Error::NotPermitted { collection } => {
                            crate::sync::SyncError::ReplicaNotPermitted {
                                role: author,
                                collection,
                            }
                            .into()
                        }
                        other => other,
                    })?
            }
        };
        let mut out = MergeReport {
            alerts_raised: raised,
            ..MergeReport::default()
        };
        for r in reports {
            out.documents += u64::from(r.changed);
            out.added += r.added;
            out.updated += r.updated;
            out.deleted += r.deleted;
        }
        Ok(out)
    }
}
