//! The sync client: push this replica's changes, pull the log after the cursor, judge each
//! item against the membership at its position, and apply it through the store's
//! remote-change path with the cursor advanced in the same transaction.
//!
//! - `report`: what a sync, an invite and the membership report return.
//! - `state`: the sharing state in the record's database and its secrets in the key store.
//! - `caller`: signed requests to the relay, retried, its refusals read.
//! - `watch`: long polls.
//! - `members`: sharing, invites, joining, removal, departure, the membership report.
//! - `judge`: judging and opening pulled envelopes, quarantine.
//! - `snapshots`: uploading and loading snapshots.
//! - here: the client itself, its push and its pull.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::crdt::DocId;
use crate::crypto::{self, DeviceKeys, KEY_LEN};
use crate::error::{Error, Result};
use crate::store::{AfterApply, Policy, Store, SyncConn};

use super::invite::{Bundle, Invite};
use super::membership::{self, Body, DeviceCard, Entry, Membership, b64, unb64};
use super::wire::{self, Envelope, ItemKind};
use super::{Request, Response, Role, SyncError, Transport};

mod caller;
mod judge;
mod members;
mod report;
mod snapshots;
mod state;
mod watch;

use caller::*;
use judge::*;
use state::*;

pub use caller::split_relay_token;
pub(crate) use members::{fetch_invite, join_entry, join_state, post_join};
pub use report::{
    ChangesBy, InviteInfo, MemberInfo, MembersReport, MissingData, PendingInvite, Phase, Progress,
    QuarantinedItem, SyncReport,
};
pub(crate) use state::{
    State, last_synced, missing_data, note_no_longer_member, note_synced, notify_choice, own_role,
    secret_names, set_notify_choice, stored_membership, stored_relay,
};
pub use watch::{MOST_WAIT_SECONDS, Watch};

/// Most plaintext bytes one envelope carries; more changes go into further envelopes.
const ENVELOPE_PAYLOAD: usize = 1 << 20;

/// Most items asked for in one log page.
const PAGE_ITEMS: usize = 1000;

/// The owner uploads fresh snapshots once the log has grown this much since the last ones.
const SNAPSHOT_EVERY: u64 = 256;

/// ... or once the envelopes since the last snapshots hold more than this share of the
/// snapshots' bytes (1/4): a new device's bootstrap then stays within about 1.25x of the
/// documents' saved size however long the record lives.
const SNAPSHOT_GROWTH: u64 = 4;

/// ... and never for less than 64 KiB of envelopes (a small record is cheap to bootstrap from
/// its log; re-uploading its snapshots at every sync is not).
const SNAPSHOT_GROWTH_FLOOR: u64 = 64 << 10;

/// Most envelope bytes in one push request (the relay takes 64 MiB).
const PUSH_BYTES: usize = 16 << 20;

/// How long acknowledged envelopes are kept to send again to a relay found behind the device.
const SENT_KEPT_DAYS: i64 = 90;

/// The sync client of one record.
pub(crate) struct Client<'a> {
    store: &'a mut Store,
    caller: Caller<'a>,
    report: SyncReport,
    /// Bytes of the envelopes pushed and pulled in this sync (the owner's snapshot counter).
    envelope_bytes: u64,
    /// Whether this sync already recovered from a relay found behind the device.
    recovered: bool,
}

/// How many envelopes wait for changes not received yet.
/// Whether a log page shows the relay behind this device: its log ends before the cursor, or
/// its running digest at the cursor is not the one this device read there (some item up to
/// the cursor differs).
fn relay_behind(store: &Store, resp: &Response, cursor: u64) -> Result<bool> {
    if cursor == 0 {
        return Ok(false);
    }
    let tip: Option<u64> = resp.header(wire::headers::TIP).and_then(|t| t.parse().ok());
    if tip.is_some_and(|t| t < cursor) {
        return Ok(true);
    }
    let (at, digest) = store.sync_read(|c| Ok((get(c, Key::DigestAt)?, get(c, Key::Digest)?)))?;
    let checked = at.and_then(|a| a.parse::<u64>().ok()) == Some(cursor);
    Ok(match (digest, resp.header(wire::headers::AT_DIGEST)) {
        (Some(mine), Some(theirs)) => checked && mine != theirs,
        _ => false,
    })
}

impl<'a> Client<'a> {
    /// A client for `store`, talking to `relay` through `transport`.
    pub(crate) fn new(store: &'a mut Store, transport: &'a mut dyn Transport, relay: &str) -> Self {
        Self {
            store,
            caller: Caller::new(transport, relay),
            report: SyncReport::default(),
            envelope_bytes: 0,
            recovered: false,
        }
    }

    fn finish(mut self) -> SyncReport {
        self.report.requests = self.caller.requests;
        self.report.bytes_sent = self.caller.sent;
        self.report.bytes_received = self.caller.received;
        self.report
    }

    /// Pushes local changes, pulls and applies the log after the cursor (a new device first
    /// loads the snapshots), retries held envelopes, and lets the owner refresh snapshots.
    pub(crate) fn sync(
        mut self,
        after: AfterApply<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SyncReport> {
        let record = self.store.record_id().to_string();
        let mut state = self.store.sync_read(|c| State::load(c, &record))?;
        // Envelopes sealed under an epoch the relay has moved past (a member was removed
        // since) are sealed again under the new key once the pull has brought it.
        let reseal = match self.push(&state, progress) {
            Err(Error::Sync(SyncError::Relay { code, .. })) if code == "stale_epoch" => true,
            other => {
                other?;
                false
            }
        };
        let mut membership = self.membership()?;
        let mut cursor = state.cursor;
        let mut fetched = cursor == 0;
        let mut snapshots = if fetched {
            self.fetch_snapshots(&state)?
        } else {
            Vec::new()
        };
        let mut covered = snapshots.iter().filter_map(|s| s.covers).min().unwrap_or(0);
        let mut first = true;
        let tip_known;
        loop {
            let mut path = format!("/v1/records/{record}/log?after={cursor}&limit={PAGE_ITEMS}");
            if covered > cursor {
                path.push_str(&format!("&envelopes_after={covered}"));
            }
            let resp = match self.caller.call(
                Some(&state.keys.signing),
                "GET",
                &path,
                Vec::new(),
                "application/octet-stream",
            ) {
                // The envelopes after the cursor were compacted into the snapshots while this
                // device was away: it loads them (merging what it has) and reads on after them.
                Err(Error::Sync(SyncError::Relay { code, .. }))
                    if code == "compacted" && !fetched =>
                {
                    fetched = true;
                    snapshots = self.fetch_snapshots(&state)?;
                    covered = snapshots.iter().filter_map(|s| s.covers).min().unwrap_or(0);
                    continue;
                }
                other => other?,
            };
            if first && !self.recovered && relay_behind(self.store, &resp, cursor)? {
                // The relay lost what this device read (restored from a backup): send again
                // what it lost of ours, and read its log afresh.
                self.recover(&state)?;
                self.recovered = true;
                return self.sync(after, progress);
            }
            first = false;
            let more = resp.header(wire::headers::MORE) == Some("true");
            let tip: u64 = resp
                .header(wire::headers::TIP)
                .and_then(|t| t.parse().ok())
                .unwrap_or(cursor);
            let last_digest = resp.header(wire::headers::LAST_DIGEST).map(str::to_string);
            let items = wire::decode_items(&resp.body)?;
            let page_last = items.last().map(|i| i.seq);
            for item in items {
                if item.seq <= cursor {
                    continue;
                }
                if !snapshots.is_empty() && item.seq > covered {
                    self.load_snapshots(&mut snapshots, &membership, after, progress)?;
                }
                self.item(&mut state, &mut membership, &item, after)?;
                cursor = item.seq;
                progress(Progress {
                    phase: Phase::Pull,
                    done: cursor,
                    total: tip.max(cursor),
                });
            }
            // Past the envelopes the page left out (the snapshots cover them, loaded first),
            // with the log's running digest there.
            let through = resp
                .header(wire::headers::THROUGH)
                .and_then(|t| t.parse::<u64>().ok())
                .filter(|t| *t >= cursor && *t <= tip.max(page_last.unwrap_or(0)))
                .unwrap_or(cursor);
            if !snapshots.is_empty() && through > covered {
                self.load_snapshots(&mut snapshots, &membership, after, progress)?;
            }
            if through > cursor || last_digest.is_some() {
                let digest = last_digest.clone();
                cursor = through;
                self.store.sync_tx(|tx| {
                    set(tx, Key::Cursor, &through.to_string())?;
                    if let Some(d) = &digest {
                        set(tx, Key::DigestAt, &through.to_string())?;
                        set(tx, Key::Digest, d)?;
                    }
                    Ok(())
                })?;
            }
            if !more {
                tip_known = tip;
                break;
            }
        }
        if !snapshots.is_empty() {
            self.load_snapshots(&mut snapshots, &membership, after, progress)?;
        }
        self.retry_held(&state, after)?;
        self.report.cursor = cursor;
        if state.role == Role::Owner && membership.needs_rotation() {
            // A member left on its own since the last key: nothing sealed from now on is
            // readable with the key it holds. Another owner device may have rotated first:
            // then the relay refuses this one and the next pull brings that one.
            let epoch = match self.new_epoch(&state, &membership, None) {
                Err(Error::Sync(SyncError::Relay { status: 403, .. })) => state.epoch,
                other => other?,
            };
            let key = self
                .store
                .sync_read(|c| key32(c, &format!("epoch/{epoch}")))?
                .ok_or(Error::Corrupt {
                    detail: "the record key is missing",
                })?;
            state.epoch_keys.insert(epoch, key);
            state.epoch = epoch;
        }
        if reseal {
            self.reseal(&state)?;
            self.push(&state, progress)?;
        }
        if state.role == Role::Owner {
            self.refresh_snapshots(&state, cursor, tip_known)?;
        }
        // Who made what arrived, by the names the log gives them.
        if let Some(naming) = self.store.sync_read(|c| key32(c, "naming"))? {
            for c in &mut self.report.changed_by {
                c.name = membership
                    .members()
                    .find(|m| m.device.id == c.device)
                    .and_then(|m| m.name.as_deref())
                    .and_then(|n| membership::open_name(&naming, &record, n));
            }
        }
        Ok(self.finish())
    }

    /// After finding the relay behind this device (restored from a backup): posts again the
    /// membership entries this device signed that the relay lost (a removal above all), puts
    /// the envelopes it acknowledged in the last [`SENT_KEPT_DAYS`] back to be sent (the relay
    /// keeps the ones it still has at their positions), and forgets the log it read, so that
    /// the sync reads the relay's log afresh from its snapshots (the changes merge with what
    /// the device has; nothing is applied twice).
    fn recover(&mut self, state: &State) -> Result<()> {
        let me = state.keys.id();
        let entries: Vec<Vec<u8>> = self.store.sync_read(|c| {
            let mut stmt =
                c.prepare("SELECT bytes FROM sync_log WHERE status = 'membership' ORDER BY seq")?;
            let rows = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        for bytes in entries {
            let Ok((_, body)) = Entry::parse(&bytes) else {
                continue;
            };
            let mine =
                matches!(&body, Body::Remove { by, .. } | Body::Rotate { by, .. } if *by == me);
            if !mine {
                continue;
            }
            match self.caller.call(
                Some(&state.keys.signing),
                "POST",
                &format!("/v1/records/{}/membership", state.record),
                bytes,
                "application/json",
            ) {
                Ok(_) => self.report.membership += 1,
                // No longer valid where it would stand (the relay's membership moved on).
                Err(Error::Sync(SyncError::Relay { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        self.store.sync_tx(|tx| {
            tx.execute(
                "INSERT INTO sync_sending (envelope) SELECT envelope FROM sync_sent ORDER BY id",
                [],
            )?;
            tx.execute("DELETE FROM sync_sent", [])?;
            tx.execute("DELETE FROM sync_log", [])?;
            for key in ["digest_at", "digest", "snapshot_at", "snapshot_since_bytes"] {
                tx.execute("DELETE FROM sync_state WHERE key = ?1", [key])?;
            }
            set(tx, Key::Cursor, "0")
        })?;
        self.report.relay_restored = true;
        Ok(())
    }

    /// Seals the unacknowledged envelopes again under the current epoch's key.
    fn reseal(&mut self, state: &State) -> Result<()> {
        let key = state.epoch_key(state.epoch).ok_or(Error::Corrupt {
            detail: "the record key is missing",
        })?;
        let sending = self.store.sync_read(|c| sending(c))?;
        let mut resealed = Vec::with_capacity(sending.len());
        for (id, bytes) in sending {
            let env = Envelope::parse(state.record_bytes, &bytes)?;
            let old = state.epoch_key(env.epoch).ok_or(Error::Corrupt {
                detail: "the key of an unsent envelope is missing",
            })?;
            let payload = env.open(&old)?;
            let env = Envelope::seal(
                state.record_bytes,
                &state.keys.signing,
                state.epoch,
                &key,
                None,
                &payload,
            )?;
            resealed.push((id, env.bytes));
        }
        self.store.sync_tx(|tx| {
            for (id, bytes) in &resealed {
                tx.execute(
                    "UPDATE sync_sending SET envelope = ?2 WHERE id = ?1",
                    rusqlite::params![id, bytes],
                )?;
            }
            Ok(())
        })
    }

    /// Sends every unacknowledged local change, sealed in envelopes, in one request.
    fn push(&mut self, state: &State, progress: &mut dyn FnMut(Progress)) -> Result<()> {
        let key = self
            .store
            .sync_read(|c| key32(c, &format!("epoch/{}", state.epoch)))?
            .ok_or(Error::Corrupt {
                detail: "the record key is missing",
            })?;
        // Seal what the outbox holds into envelopes kept until the relay acknowledges them,
        // in the transaction that empties the outbox: a crash then resends the same bytes.
        let pushed = self.store.sync_tx(|tx| {
            let rows: Vec<(i64, String, Vec<u8>)> = {
                let mut stmt = tx.prepare("SELECT id, doc, bytes FROM sync_outbox ORDER BY id")?;
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<_>>()?
            };
            let count = rows.len() as u64;
            let mut payload: wire::Payload = Vec::new();
            let mut size = 0;
            let seal = |payload: &mut wire::Payload| -> Result<()> {
                if payload.is_empty() {
                    return Ok(());
                }
                let env = Envelope::seal(
                    state.record_bytes,
                    &state.keys.signing,
                    state.epoch,
                    &key,
                    None,
                    &wire::encode_payload(payload),
                )?;
                tx.execute(
                    "INSERT INTO sync_sending (envelope) VALUES (?1)",
                    [env.bytes],
                )?;
                payload.clear();
                Ok(())
            };
            for (_, doc, bytes) in rows {
                size += bytes.len() + 8;
                match payload.last_mut() {
                    Some((d, changes)) if *d == doc => changes.push(bytes),
                    _ => payload.push((doc, vec![bytes])),
                }
                if size >= ENVELOPE_PAYLOAD {
                    seal(&mut payload)?;
                    size = 0;
                }
            }
            seal(&mut payload)?;
            tx.execute("DELETE FROM sync_outbox", [])?;
            Ok(count)
        })?;
        let sending = self.store.sync_read(|c| sending(c))?;
        let total = sending.len() as u64;
        let mut done = 0;
        let mut rest = &sending[..];
        while !rest.is_empty() {
            // Requests of at most PUSH_BYTES (and at least one envelope).
            let mut size = 0;
            let n = rest
                .iter()
                .take_while(|(_, b)| {
                    size += b.len();
                    size <= PUSH_BYTES
                })
                .count()
                .max(1);
            let (batch, later) = rest.split_at(n);
            rest = later;
            let blobs: Vec<Vec<u8>> = batch.iter().map(|(_, b)| b.clone()).collect();
            self.envelope_bytes += blobs.iter().map(|b| b.len() as u64).sum::<u64>();
            let resp = self.caller.call(
                Some(&state.keys.signing),
                "POST",
                &format!("/v1/records/{}/envelopes", state.record),
                wire::encode_blobs(&blobs),
                "application/octet-stream",
            )?;
            let _: serde_json::Value = json(&resp, "relay response")?;
            let last = batch.last().map(|(id, _)| *id).unwrap_or(0);
            let now = now_ms()?;
            // Acknowledged: kept SENT_KEPT_DAYS more, for a relay restored from a backup.
            self.store.sync_tx(|tx| {
                tx.execute(
                    "INSERT INTO sync_sent (envelope, sent_ms)
                     SELECT envelope, ?2 FROM sync_sending WHERE id <= ?1 ORDER BY id",
                    [last, now],
                )?;
                tx.execute("DELETE FROM sync_sending WHERE id <= ?1", [last])?;
                tx.execute(
                    "DELETE FROM sync_sent WHERE sent_ms < ?1",
                    [now - SENT_KEPT_DAYS * 86_400_000],
                )?;
                Ok(())
            })?;
            done += n as u64;
            progress(Progress {
                phase: Phase::Push,
                done,
                total,
            });
        }
        self.report.pushed += pushed;
        Ok(())
    }

    /// Judges and applies one log item, advancing the cursor in the same transaction.
    fn item(
        &mut self,
        state: &mut State,
        membership: &mut Membership,
        item: &wire::Item,
        after: AfterApply<'_>,
    ) -> Result<()> {
        let seq = item.seq;
        match item.kind {
            ItemKind::Own => self
                .store
                .sync_tx(|tx| set(tx, Key::Cursor, &seq.to_string())),
            ItemKind::Membership => {
                let verdict = membership.apply(seq, &item.bytes);
                if verdict.is_ok() {
                    self.report.membership += 1;
                } else {
                    self.report.quarantined += 1;
                }
                // A removal moves to a new key epoch: this device takes its new key in the
                // transaction that moves the cursor past the entry.
                let mut new_key = None;
                if let Ok(
                    Body::Remove {
                        epoch, keys, by, ..
                    }
                    | Body::Rotate {
                        epoch, keys, by, ..
                    },
                ) = &verdict
                {
                    let me = state.keys.id();
                    if let (Some(w), Some(owner)) =
                        (keys.iter().find(|k| k.device == me), membership.member(by))
                    {
                        let key = super::membership::unwrap_key(
                            &state.keys,
                            &owner.device,
                            &state.record,
                            *epoch,
                            w,
                        )?;
                        new_key = Some((*epoch, key));
                    }
                }
                // The epoch never goes back: replaying the log again (after a relay restored
                // from a backup) must not seal new writes under a key a removed member holds.
                let newer = new_key.filter(|(epoch, _)| *epoch > state.epoch);
                if let Some((epoch, key)) = &new_key {
                    state.epoch_keys.insert(*epoch, *key);
                }
                if let Some((epoch, _)) = &newer {
                    state.epoch = *epoch;
                }
                self.store.sync_tx(|tx| {
                    if let Some((epoch, key)) = &new_key {
                        put_secret(tx, &format!("epoch/{epoch}"), key)?;
                    }
                    if let Some((epoch, _)) = &newer {
                        set(tx, Key::Epoch, &epoch.to_string())?;
                    }
                    match &verdict {
                        Ok(_) => tx.execute(
                            "INSERT OR REPLACE INTO sync_log (seq, status, bytes) VALUES (?1, 'membership', ?2)",
                            rusqlite::params![seq as i64, item.bytes],
                        )?,
                        Err(e) => quarantine(tx, seq, None, &e.to_string(), &item.bytes)?,
                    };
                    set(tx, Key::Cursor, &seq.to_string())
                })
            }
            ItemKind::Envelope => {
                self.envelope_bytes += item.bytes.len() as u64;
                let judged = judge(state, membership, &item.bytes);
                match judged {
                    Err((author, reason)) => {
                        self.report.quarantined += 1;
                        self.store.sync_tx(|tx| {
                            quarantine(tx, seq, author.as_deref(), &reason, &item.bytes)?;
                            set(tx, Key::Cursor, &seq.to_string())
                        })
                    }
                    Ok((author, role, docs)) => {
                        self.apply_envelope(seq, &author, role, docs, &item.bytes, after, true)
                    }
                }
            }
        }
    }

    /// Applies an envelope judged valid, checking what its changes write against `role`;
    /// quarantines or holds it when they break the rules or wait for others.
    #[allow(clippy::too_many_arguments)]
    fn apply_envelope(
        &mut self,
        seq: u64,
        author: &str,
        role: Role,
        docs: Vec<(DocId, Vec<automerge::Change>)>,
        bytes: &[u8],
        after: AfterApply<'_>,
        advance: bool,
    ) -> Result<()> {
        // The collections the changes touch, as the gate is asked about them.
        let touched = std::cell::RefCell::new(std::collections::BTreeSet::new());
        let allow = |c: &str| {
            touched.borrow_mut().insert(c.to_string());
            role.may_write(c)
        };
        let entry =
            |c: &str, before: Option<&serde_json::Value>, after: Option<&serde_json::Value>| {
                touched.borrow_mut().insert(c.to_string());
                role.may_change(c, before, after)
            };
        let policy = Policy {
            allow: &allow,
            entry: &entry,
            forward: false,
        };
        // What the changes depend on that they do not bring: named if the envelope is held.
        let needs: Vec<(DocId, Vec<automerge::ChangeHash>)> = docs
            .iter()
            .map(|(doc, changes)| {
                let brought: std::collections::HashSet<_> =
                    changes.iter().map(|c| c.hash()).collect();
                let mut deps: Vec<_> = changes
                    .iter()
                    .flat_map(|c| c.deps().iter().copied())
                    .filter(|d| !brought.contains(d))
                    .collect();
                deps.sort_unstable();
                deps.dedup();
                (*doc, deps)
            })
            .collect();
        let mut then = |tx: &Connection| -> Result<()> {
            if advance {
                set(tx, Key::Cursor, &seq.to_string())?;
            } else {
                tx.execute("DELETE FROM sync_log WHERE seq = ?1", [seq as i64])?;
            }
            Ok(())
        };
        match self
            .store
            .apply_documents_with(docs, after, Some(&policy), &mut then)
        {
            Ok((reports, raised)) => {
                self.report.applied += 1;
                self.report.alerts_raised += raised;
                self.report.changed(author, role, touched.take());
                for r in reports {
                    self.report.added += r.added;
                    self.report.updated += r.updated;
                    self.report.deleted += r.deleted;
                }
                Ok(())
            }
            Err(Error::ChangesWaiting { .. }) => {
                let mut waits = Vec::new();
                for (doc, deps) in &needs {
                    for h in self.store.absent_changes(*doc, deps)? {
                        waits.push(h.to_string());
                    }
                }
                let waits_for = waits.join(",");
                if advance {
                    self.report.held += 1;
                    self.store.sync_tx(|tx| {
                        tx.execute(
                            "INSERT OR REPLACE INTO sync_log (seq, status, author, role, bytes, at_ms, waits_for) VALUES (?1, 'held', ?2, ?3, ?4, ?5, ?6)",
                            rusqlite::params![seq as i64, author, role.as_str(), bytes, now_ms()?, waits_for],
                        )?;
                        set(tx, Key::Cursor, &seq.to_string())
                    })?;
                } else {
                    // Retried and still held: what it waits for may have changed.
                    self.store.sync_tx(|tx| {
                        tx.execute(
                            "UPDATE sync_log SET waits_for = ?2 WHERE seq = ?1 AND status = 'held'",
                            rusqlite::params![seq as i64, waits_for],
                        )?;
                        Ok(())
                    })?;
                }
                Ok(())
            }
            Err(
                e @ (Error::NotPermitted { .. }
                | Error::OtherRecord { .. }
                | Error::InvalidChanges { .. }
                | Error::ReplicaClash { .. }),
            ) => {
                self.report.quarantined += 1;
                let reason = match &e {
                    Error::NotPermitted { collection } => {
                        format!("a {role} may not write {collection}")
                    }
                    other => other.to_string(),
                };
                self.store.sync_tx(|tx| {
                    quarantine(tx, seq, Some(author), &reason, bytes)?;
                    if advance {
                        set(tx, Key::Cursor, &seq.to_string())?;
                    }
                    Ok(())
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Tries the held envelopes again, oldest first, until none more applies.
    fn retry_held(&mut self, state: &State, after: AfterApply<'_>) -> Result<()> {
        loop {
            let held: Vec<(i64, String, String, Vec<u8>)> = self.store.sync_read(|c| {
                let mut stmt = c.prepare(
                    "SELECT seq, author, role, bytes FROM sync_log WHERE status = 'held' ORDER BY seq",
                )?;
                let rows = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })?;
            let before = held.len();
            for (seq, author, role, bytes) in held {
                let Some(role) = Role::parse(&role) else {
                    continue;
                };
                let Ok(env) = Envelope::parse(state.record_bytes, &bytes) else {
                    continue;
                };
                let Ok(docs) = open_docs(state, &env) else {
                    continue;
                };
                self.apply_envelope(
                    u64::try_from(seq).unwrap_or(0),
                    &author,
                    role,
                    docs,
                    &bytes,
                    after,
                    false,
                )?;
            }
            let after_count = self.store.sync_read(|c| held_count(c))?;
            if after_count as usize >= before {
                self.report.held = after_count;
                return Ok(());
            }
        }
    }
}
