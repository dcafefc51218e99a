//! Sharing the record through a relay: invites, joining, sync and the membership
//! (docs/sync-protocol.md). The protocol lives in `crate::sync`; this gathers its inputs.

use std::path::Path;
use std::time::Duration;

use super::{HealthRecord, replica};
use crate::crypto::DeviceKeys;
use crate::error::{Error, Result};
use crate::keystore::RecordKeys;
use crate::store::Store;
use crate::sync::invite::Invite;
use crate::sync::{
    self, Client, InviteInfo, MembersReport, Progress, Role, SyncError, SyncReport, Transport,
};

impl HealthRecord {
    /// Whether the record is shared through a relay.
    pub fn is_shared(&self) -> Result<bool> {
        self.store.sync_read(|c| crate::store::is_shared(c))
    }

    /// This device's role in the shared record; `None` when the record is not shared (the
    /// patient's own record, on the patient's device).
    pub fn role(&self) -> Result<Option<Role>> {
        self.store.sync_read(|c| crate::store::local_role(c))
    }

    /// When this device last synced the record to the end of the relay's log; `None` if never.
    pub fn last_sync(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let ms = self.store.sync_read(|c| sync::last_synced(c))?;
        Ok(ms.and_then(chrono::DateTime::from_timestamp_millis))
    }

    /// This device is the patient's own: the record is not shared, or this device owns it.
    pub fn on_patients_device(&self) -> Result<bool> {
        self.store.sync_read(|c| {
            Ok(crate::store::local_role(c)?.is_none_or(|r| r == crate::sync::Role::Owner))
        })
    }

    /// Shares the record through the relay at `relay`, this device being its owner: posts
    /// the membership log's genesis and uploads the first encrypted snapshots. From then on
    /// every local write is also queued for the next [`HealthRecord::sync`], in its own
    /// transaction. Refused with [`SyncError::AlreadyShared`] when already shared.
    pub fn share(&mut self, relay: &str, transport: &mut dyn Transport) -> Result<SyncReport> {
        // The patient's name, sealed in the log's genesis, names the owner to the others.
        let owner = self.profile().ok().map(|p| p.name);
        Client::new(&mut self.store, transport, relay).share(owner.as_deref())
    }

    /// What a member with `role` may see and do, in plain words in the record's language,
    /// named for the patient: what the owner reads, and confirms, before an invite is issued
    /// (the shell shows it; the command line asks, or takes `--yes`).
    pub fn invite_statement(&self, role: Role) -> Result<String> {
        let profile = self.profile().ok();
        let language = profile
            .as_ref()
            .map_or(crate::model::Language::English, |p| p.language);
        let texts = crate::i18n::Texts::new(language);
        let patient = profile.map_or_else(|| texts.text("consent-unnamed"), |p| p.name);
        let what = texts.get(&format!("consent-{role}"), &[("patient", patient)]);
        Ok(texts.get(
            "consent-statement",
            &[("what", what), ("revoke", texts.text("consent-revoke"))],
        ))
    }

    /// Invites a member with `role`, whom the owner calls `name` ("Ana (daughter)"; sealed
    /// in the membership log, which records who invited whom, with which role, when), valid
    /// for `valid_for`, single use: posts the invite's membership entry and its sealed bundle,
    /// and returns the code and QR payload to pass on. Call it once the owner has confirmed
    /// [`HealthRecord::invite_statement`]. A record not yet shared is shared first through
    /// `relay` (required then). Only the owner may invite ([`SyncError::NotOwner`]); a name
    /// that is blank or not one line is refused before anything is sent.
    pub fn invite(
        &mut self,
        role: Role,
        name: Option<&str>,
        valid_for: Duration,
        relay: Option<&str>,
        transport: &mut dyn Transport,
    ) -> Result<InviteInfo> {
        let name = name
            .map(|n| crate::model::display_name("member name", n))
            .transpose()?;
        let stored = self.relay()?;
        let relay = match (stored, relay) {
            (Some(s), Some(r)) if s != sync::split_relay_token(r).0 => {
                return Err(SyncError::AlreadyShared.into());
            }
            (Some(s), _) => s,
            (None, Some(r)) => {
                self.share(r, transport)?;
                sync::split_relay_token(r).0
            }
            (None, None) => return Err(SyncError::NotShared.into()),
        };
        Client::new(&mut self.store, transport, &relay).invite(role, name.as_deref(), valid_for)
    }

    /// Joins a shared record with an invite `code` (or QR payload): reads and opens the
    /// invite's bundle at the relay the code names, creates the replica at `path` (which must
    /// not hold a record) with keys of its own, posts its signed join entry, then syncs (the
    /// snapshots, then the log). `name` is the joining member's name for themselves (the
    /// others see it in `members`; without it, the name the owner gave the invite). A code the
    /// relay does not know, already used or expired, is refused with [`SyncError::Invite`]
    /// and no file is left at `path`.
    pub fn join_invite(
        path: &Path,
        keys: &RecordKeys,
        code: &str,
        name: Option<&str>,
        transport: &mut dyn Transport,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(Self, SyncReport)> {
        let name = name
            .map(|n| crate::model::display_name("member name", n))
            .transpose()?;
        let invite = Invite::parse(code)?;
        if path.exists() {
            return Err(Error::RecordExists);
        }
        let bundle = sync::fetch_invite(transport, &invite)?;
        let device = DeviceKeys::generate().map_err(SyncError::Crypto)?;
        let entry = sync::join_entry(&invite, &bundle, &device, name.as_deref())?;
        let store = Store::join_empty(path, keys, &bundle.record, |tx| {
            sync::join_state(tx, &bundle, &device)
        })?;
        if let Err(e) = sync::post_join(transport, &bundle, &entry, &device) {
            drop(store);
            remove_record_file(path);
            return Err(e);
        }
        let mut record = Self { store };
        let report = record.sync(transport, progress)?;
        Ok((record, report))
    }

    /// Syncs with the relay: pushes this device's changes since the last acknowledged ones
    /// (one request), pulls the log after the cursor (one request per page), and applies each
    /// envelope through the remote-change path, judged by its author's role at its position
    /// (quarantining what breaks the rules), with the cursor advanced in the same
    /// transaction. A crash at any point resumes where it stopped; re-deliveries are harmless.
    pub fn sync(
        &mut self,
        transport: &mut dyn Transport,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SyncReport> {
        let relay = self.relay()?.ok_or(SyncError::NotShared)?;
        let synced = Client::new(&mut self.store, transport, &relay)
            .sync(&replica::apply_merge_rules, progress);
        match &synced {
            Err(Error::Sync(SyncError::Relay { code, .. })) if code == "not_member" => {
                self.store.sync_tx(|c| sync::note_no_longer_member(c))?;
            }
            Ok(_) => self.store.sync_tx(|c| sync::note_synced(c))?,
            Err(_) => {}
        }
        synced
    }

    /// Removes the member `device` (a device id, or a prefix of one that names one member):
    /// the owner only. The record key moves to a new epoch wrapped for every remaining member,
    /// so the removed device reads nothing written after, and whatever it signs after is
    /// refused by the relay and quarantined by every replica. It syncs first, so that the new
    /// key is wrapped for the membership as the relay has it, and after, so that this device
    /// knows of the removal at once.
    pub fn remove_member(
        &mut self,
        device: &str,
        transport: &mut dyn Transport,
    ) -> Result<SyncReport> {
        self.sync(transport, &mut |_| {})?;
        let members = self.members()?;
        let found: Vec<&sync::MemberInfo> = members
            .members
            .iter()
            .filter(|m| m.removed.is_none() && !device.is_empty() && m.device.starts_with(device))
            .collect();
        let [one] = found.as_slice() else {
            return Err(SyncError::MembershipRefused {
                why: "the device names no current member, or more than one",
            }
            .into());
        };
        let id = one.device.clone();
        let report = Client::new(&mut self.store, transport, &members.relay).remove(&id)?;
        // The removal applied here at once (its files are refused from now on); a network
        // failure now leaves that to the next sync, the removal itself stands.
        let _ = self.sync(transport, &mut |_| {});
        Ok(report)
    }

    /// Leaves the shared record (any member but the owner): the relay refuses this device from
    /// then on, and the owner's device moves the record to a new key at its next sync. The
    /// local file stays as it is.
    pub fn leave(&mut self, transport: &mut dyn Transport) -> Result<SyncReport> {
        let relay = self.relay()?.ok_or(SyncError::NotShared)?;
        self.sync(transport, &mut |_| {})?;
        let report = Client::new(&mut self.store, transport, &relay).leave()?;
        self.store.sync_tx(|c| sync::note_no_longer_member(c))?;
        Ok(report)
    }

    /// What waiting for news at the relay needs ([`sync::Watch::wait`]), taken now: wait
    /// with it without holding the record, then sync when it says something arrived (live
    /// updates: `companion sync --watch`, the FFI's subscription).
    pub fn watch(&self) -> Result<sync::Watch> {
        let record = self.id().to_string();
        self.store.sync_read(|c| sync::Watch::load(c, &record))
    }

    /// From whom data is missing here ([`MembersReport::missing`]), without replaying the
    /// membership: empty for a record not shared.
    pub fn missing_data(&self) -> Result<Vec<sync::MissingData>> {
        self.store.sync_read(|c| sync::missing_data(c))
    }

    /// The record's members, this device's role, and what was quarantined.
    pub fn members(&self) -> Result<MembersReport> {
        Client::members(&self.store)
    }

    fn relay(&self) -> Result<Option<String>> {
        self.store.sync_read(|c| sync::stored_relay(c))
    }
}

/// Removes a record file that a failed join created, with its SQLite companions.
fn remove_record_file(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}
