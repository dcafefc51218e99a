//! The sync client: push this replica's changes, pull the log after the cursor, judge each
//! item against the membership at its position, and apply it through the store's
//! remote-change path with the cursor advanced in the same transaction.

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
/// How often a request that found no relay is tried, and the first pause between tries
/// (doubled after each).
const ATTEMPTS: u32 = 4;
const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// What a sync is doing, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Sending this replica's changes.
    Push,
    /// Loading the record's snapshots (a new device).
    Bootstrap,
    /// Reading the log.
    Pull,
}

/// Progress of a sync: `done` of `total` units of the phase (envelopes, snapshots, log items).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The phase.
    pub phase: Phase,
    /// Units done.
    pub done: u64,
    /// Units in all (as far as known).
    pub total: u64,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Local changes sent.
    pub pushed: u64,
    /// Envelopes of other members applied.
    pub applied: u64,
    /// Membership entries read.
    pub membership: u64,
    /// Items quarantined by this sync (never applied; see [`MembersReport`]).
    pub quarantined: u64,
    /// Envelopes held because they depend on changes not received yet.
    pub held: u64,
    /// Snapshots loaded (a new device) or uploaded (the owner).
    pub snapshots: u64,
    /// Entries new to this replica.
    pub added: u64,
    /// Entries that changed.
    pub updated: u64,
    /// Entries deleted.
    pub deleted: u64,
    /// Alerts the merge rules raised here.
    pub alerts_raised: u64,
    /// The log position this replica has read up to.
    pub cursor: u64,
    /// HTTP requests made (retries included).
    pub requests: u64,
    /// Request body bytes sent.
    pub bytes_sent: u64,
    /// Response body bytes received.
    pub bytes_received: u64,
    /// The relay was found behind this device (restored from a backup): this sync sent again
    /// what the relay lost of this device's writes and read its log afresh.
    pub relay_restored: bool,
    /// Whose changes this sync applied, and to which collections, by device (in the order
    /// first applied): who changed the medications, the targets, logged the doses.
    pub changed_by: Vec<ChangesBy>,
}

/// One member's changes applied by a sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChangesBy {
    /// The author's device id.
    pub device: String,
    /// The author's display name, as the membership log gives it.
    pub name: Option<String>,
    /// Its role when it wrote them.
    pub role: Option<Role>,
    /// The collections they touched, by name, sorted.
    pub collections: Vec<String>,
}

impl SyncReport {
    /// Notes that `device` (a `role`) changed `collections`.
    fn changed(&mut self, device: &str, role: Role, collections: impl IntoIterator<Item = String>) {
        let i = match self.changed_by.iter().position(|c| c.device == device) {
            Some(i) => i,
            None => {
                self.changed_by.push(ChangesBy {
                    device: device.to_string(),
                    name: None,
                    role: Some(role),
                    collections: Vec::new(),
                });
                self.changed_by.len() - 1
            }
        };
        let entry = &mut self.changed_by[i];
        entry.collections.extend(collections);
        entry.collections.sort_unstable();
        entry.collections.dedup();
    }
}

/// A new invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InviteInfo {
    /// The code to pass on (`XXXX-…@relay`).
    pub code: String,
    /// The QR payload (`companion:join?…`).
    pub qr_payload: String,
    /// The role it grants.
    pub role: Role,
    /// When the relay stops accepting it (Unix milliseconds).
    pub expires_ms: i64,
}

/// A member of the record, as this replica's copy of the log says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberInfo {
    /// The device id.
    pub device: String,
    /// Its role.
    pub role: Role,
    /// The log position that admitted it.
    pub since: u64,
    /// The position that removed it, if removed.
    pub removed: Option<u64>,
    /// Whether it is this device.
    pub this_device: bool,
    /// Its display name: its own, else the one the owner gave its invite, else none.
    pub name: Option<String>,
    /// The owner device that invited it (none for the owner who shared the record).
    pub invited_by: Option<String>,
    /// That owner's display name, if it has one.
    pub invited_by_name: Option<String>,
    /// When it was invited (Unix milliseconds, the inviter's clock), when the log says.
    pub invited_ms: Option<i64>,
    /// When it joined (or shared the record), when the log says.
    pub joined_ms: Option<i64>,
    /// The collections its role may write (the owner: every one); every member reads all.
    pub may_write: Vec<String>,
}

/// A log item this replica refused: stored, never applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantinedItem {
    /// Its log position.
    pub seq: u64,
    /// The device it claims as author, if it names one.
    pub author: Option<String>,
    /// Why it was refused.
    pub reason: String,
}

/// A member whose envelopes this device holds, unapplied, because they depend on changes it
/// has not received (from that member or another): its data is missing here until they come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingData {
    /// The member's device id.
    pub author: String,
    /// How many of its envelopes wait.
    pub envelopes: u64,
    /// When the first of them was held (Unix milliseconds).
    pub since_ms: i64,
}

/// The membership and what was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembersReport {
    /// The relay's address.
    pub relay: String,
    /// This device's id and role.
    pub device: String,
    /// This device's role.
    pub role: Role,
    /// Every member, removed ones included, in the order they were admitted.
    pub members: Vec<MemberInfo>,
    /// Items quarantined, oldest first.
    pub quarantined: Vec<QuarantinedItem>,
    /// Envelopes held for missing changes.
    pub held: u64,
    /// From whom data is missing: members whose envelopes are held, waiting for changes this
    /// device has not received, oldest first.
    pub missing: Vec<MissingData>,
    /// The log position read up to.
    pub cursor: u64,
    /// Local changes not yet acknowledged by the relay.
    pub unsent: u64,
    /// The relay refused this device as no longer a member (it was removed, or it left):
    /// its copy stays, nothing more is sent or received.
    pub no_longer_member: bool,
}

fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)")?
        .execute([key, value])?;
    Ok(())
}

/// The record's sync secret `name` (`naming`, `epoch/3`), from the device's key store.
/// The names of every sync secret the record's file may have in the key store: the device's
/// keys, the naming key, and the record key of every epoch up to the current one.
pub(crate) fn secret_names(c: &Connection) -> Result<Vec<String>> {
    let epoch: u32 = c
        .query_row(
            "SELECT value FROM sync_state WHERE key = 'epoch'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    let mut names = vec!["sync/device".to_string(), "sync/naming".to_string()];
    names.extend((0..=epoch).map(|e| format!("sync/epoch/{e}")));
    Ok(names)
}

fn key32(c: &SyncConn<'_>, name: &str) -> Result<Option<[u8; KEY_LEN]>> {
    c.keys.key32(&format!("sync/{name}"))
}

/// The record key of `epoch` and the naming key.
fn record_keys(c: &SyncConn<'_>, epoch: u32) -> Result<([u8; KEY_LEN], [u8; KEY_LEN])> {
    match (key32(c, &format!("epoch/{epoch}"))?, key32(c, "naming")?) {
        (Some(key), Some(naming)) => Ok((key, naming)),
        _ => Err(Error::Corrupt {
            detail: "the record keys are missing",
        }),
    }
}

/// Keeps the sync secret `name` in the device's key store (before the transaction around it
/// commits).
fn put_secret(c: &SyncConn<'_>, name: &str, bytes: &[u8]) -> Result<()> {
    c.keys.put(&format!("sync/{name}"), bytes)
}

/// This device's keys in the record, if it has any yet.
fn device_keys(c: &SyncConn<'_>) -> Result<Option<DeviceKeys>> {
    c.keys
        .get("sync/device")?
        .map(|b| {
            DeviceKeys::from_bytes(&b).map_err(|_| Error::Corrupt {
                detail: "the stored device keys are malformed",
            })
        })
        .transpose()
}

/// Keeps this device's keys in the record, unless it has some already (they are never
/// replaced: the device's id is derived from them).
fn keep_device_keys(c: &SyncConn<'_>, keys: &DeviceKeys) -> Result<()> {
    if device_keys(c)?.is_none() {
        c.keys.put("sync/device", &keys.to_bytes())?;
    }
    Ok(())
}

fn now_ms() -> Result<i64> {
    Ok(crate::clock::now()?.timestamp_millis())
}

fn relay_error(resp: &Response) -> SyncError {
    #[derive(Deserialize)]
    struct Body {
        error: String,
        /// The relay's clock when it refused a request as stale.
        relay_time_ms: Option<i64>,
    }
    let (code, relay_time) = serde_json::from_slice::<Body>(&resp.body)
        .map(|b| (b.error, b.relay_time_ms))
        .unwrap_or_else(|_| ("unknown".into(), None));
    if let (Some(relay_ms), Ok(here_ms)) = (relay_time.filter(|_| code == "stale"), now_ms()) {
        return clock_off(here_ms, relay_ms);
    }
    match code.as_str() {
        "invite_unknown" => SyncError::Invite("unknown to the relay"),
        "invite_used" => SyncError::Invite("already used"),
        "invite_expired" => SyncError::Invite("expired"),
        _ => SyncError::Relay {
            status: resp.status,
            code,
        },
    }
}

/// How far this device's clock (`here_ms`) is from the relay's (`relay_ms`), in minutes.
fn clock_off(here_ms: i64, relay_ms: i64) -> SyncError {
    let diff = here_ms.saturating_sub(relay_ms);
    SyncError::ClockOff {
        minutes: (diff.unsigned_abs() + 30_000) / 60_000,
        ahead: diff > 0,
    }
}

/// Makes requests for one device: signs them, retries those that found no relay (or a relay
/// error, 5xx) with doubling pauses, counts them.
struct Caller<'a> {
    transport: &'a mut dyn Transport,
    relay: String,
    /// The relay's creation token, from the address it was given in (`http://TOKEN@host`),
    /// sent only with a record's creation.
    creation_token: Option<String>,
    pause: Duration,
    requests: u64,
    sent: u64,
    received: u64,
}

impl<'a> Caller<'a> {
    fn new(transport: &'a mut dyn Transport, relay: &str) -> Self {
        let (relay, creation_token) = split_relay_token(relay);
        Self {
            transport,
            relay,
            creation_token,
            pause: FIRST_PAUSE,
            requests: 0,
            sent: 0,
            received: 0,
        }
    }

    /// Sends a request signed by `signer` (unsigned when `None`), returns a 2xx response.
    fn call(
        &mut self,
        signer: Option<&crypto::SigningKey>,
        method: &'static str,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<Response> {
        let mut pause = self.pause;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(pause);
                pause *= 2;
            }
            let mut headers = vec![("content-type".to_string(), content_type.to_string())];
            if let (Some(token), ("POST", "/v1/records")) = (&self.creation_token, (method, path)) {
                headers.push((wire::headers::RELAY_TOKEN.to_string(), token.clone()));
            }
            if let Some(k) = signer {
                for (name, value) in wire::sign_request(k, method, path, &body, now_ms()?)? {
                    headers.push((name.to_string(), value));
                }
            }
            let request = Request {
                method,
                path: path.to_string(),
                headers,
                body: body.clone(),
            };
            self.requests += 1;
            self.sent += body.len() as u64;
            match self.transport.send(&self.relay, &request) {
                Ok(resp) => {
                    self.received += resp.body.len() as u64;
                    if (200..300).contains(&resp.status) {
                        return Ok(resp);
                    }
                    if resp.status >= 500 || resp.status == 429 {
                        last = format!("status {}", resp.status);
                        continue;
                    }
                    return Err(relay_error(&resp).into());
                }
                Err(e) => last = e,
            }
        }
        Err(SyncError::Unreachable { detail: last }.into())
    }
}

/// A relay's address without the creation token it may carry (`http://TOKEN@host:port`, as
/// an invite gives it to the record's first device), and the token. The address kept and put
/// in invite codes is the one without it. Trailing slashes are dropped.
pub fn split_relay_token(relay: &str) -> (String, Option<String>) {
    let relay = relay.trim().trim_end_matches('/');
    if let Some((scheme, rest)) = relay.split_once("://") {
        let authority_end = rest.find('/').unwrap_or(rest.len());
        if let Some((token, host)) = rest[..authority_end].rsplit_once('@') {
            let token = token.trim();
            let address = format!("{scheme}://{host}{}", &rest[authority_end..]);
            return (address, (!token.is_empty()).then(|| token.to_string()));
        }
    }
    (relay.to_string(), None)
}

fn json<T: for<'de> Deserialize<'de>>(resp: &Response, what: &'static str) -> Result<T> {
    serde_json::from_slice(&resp.body).map_err(|_| SyncError::Malformed { what }.into())
}

#[derive(Deserialize)]
struct Seq {
    seq: u64,
}

/// The record's sharing state, read from its database.
pub(super) struct State {
    relay: String,
    record: String,
    record_bytes: [u8; 16],
    pub(super) keys: DeviceKeys,
    pub(super) role: Role,
    epoch: u32,
    cursor: u64,
    epoch_keys: std::collections::BTreeMap<u32, [u8; KEY_LEN]>,
}

/// This device's role in the shared record.
pub(super) fn own_role(conn: &Connection) -> Result<Role> {
    get(conn, "role")?
        .and_then(|r| Role::parse(&r))
        .ok_or(Error::Corrupt {
            detail: "the record's sync role is missing",
        })
}

impl State {
    fn epoch_key(&self, epoch: u32) -> Option<[u8; KEY_LEN]> {
        self.epoch_keys.get(&epoch).copied()
    }

    pub(super) fn load(conn: &SyncConn<'_>, record: &str) -> Result<Self> {
        let relay = get(conn, "relay")?.ok_or(SyncError::NotShared)?;
        let keys = device_keys(conn)?.ok_or(Error::Corrupt {
            detail: "the record is shared but its device keys are missing",
        })?;
        let number = |k: &str| -> Result<u64> {
            Ok(get(conn, k)?.and_then(|v| v.parse().ok()).unwrap_or(0))
        };
        let role = own_role(conn)?;
        let epoch = u32::try_from(number("epoch")?).unwrap_or(0);
        // Every epoch up to the current one, and the next (kept before it is announced).
        let mut epoch_keys = std::collections::BTreeMap::new();
        for e in 0..=epoch.saturating_add(1) {
            if let Some(k) = key32(conn, &format!("epoch/{e}"))? {
                epoch_keys.insert(e, k);
            }
        }
        Ok(Self {
            epoch_keys,
            relay,
            record: record.to_string(),
            record_bytes: wire::record_bytes(record)?,
            keys,
            role,
            epoch,
            cursor: number("cursor")?,
        })
    }
}

/// Longest wait of one long poll, in seconds (the relay's own limit).
pub const MOST_WAIT_SECONDS: u64 = 25;

/// What a device needs to wait for news at the relay without holding the record open: the
/// relay, the record, this device's signing key and the log position it has read up to.
/// Taken with `HealthRecord::watch` after a sync; stale once the next sync moves on.
pub struct Watch {
    relay: String,
    record: String,
    signing: crypto::SigningKey,
    cursor: u64,
}

impl Watch {
    pub(crate) fn load(conn: &SyncConn<'_>, record: &str) -> Result<Self> {
        let state = State::load(conn, record)?;
        Ok(Self {
            relay: state.relay,
            record: state.record,
            signing: state.keys.signing,
            cursor: state.cursor,
        })
    }

    /// The log position this watch waits past.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Waits up to `seconds` (at most [`MOST_WAIT_SECONDS`]) for the record's log to grow
    /// past the cursor: one long-poll request, answered as soon as anything arrives. True
    /// when there is something to sync (the log grew past the cursor, or is behind it or
    /// compacted past it), false when the wait ended with nothing. A relay that cannot be reached is [`SyncError::Unreachable`] after retries; a
    /// device that is no longer a member gets the relay's refusal.
    pub fn wait(&self, transport: &mut dyn Transport, seconds: u64) -> Result<bool> {
        let seconds = seconds.min(MOST_WAIT_SECONDS);
        let path = format!(
            "/v1/records/{}/log?after={}&limit=1&wait={seconds}",
            self.record, self.cursor
        );
        let resp = match Caller::new(transport, &self.relay).call(
            Some(&self.signing),
            "GET",
            &path,
            Vec::new(),
            "application/octet-stream",
        ) {
            // Compacted past the cursor: a sync loads the snapshots.
            Err(Error::Sync(SyncError::Relay { code, .. })) if code == "compacted" => {
                return Ok(true);
            }
            other => other?,
        };
        let tip: u64 = resp
            .header(wire::headers::TIP)
            .and_then(|t| t.parse().ok())
            .ok_or(SyncError::Malformed { what: "log page" })?;
        // A log shorter than the cursor is news too: the relay was restored from a backup.
        Ok(tip != self.cursor)
    }
}

/// Writes, inside the transaction that shares the record, what the owner's device keeps:
/// keys, a fresh record key (epoch 0) and naming key. Returns the genesis entry to post.
/// What sharing needs before the relay has taken the record: the device's keys, the first
/// record key and the naming key (those a crashed earlier attempt kept, else new ones, held in
/// memory only), and the signed genesis.
struct ShareKeys {
    device: DeviceKeys,
    epoch0: [u8; KEY_LEN],
    naming: [u8; KEY_LEN],
    genesis: Entry,
}

fn share_keys(conn: &SyncConn<'_>, record: &str, owner: Option<&str>) -> Result<ShareKeys> {
    if crate::store::is_shared(conn)? {
        return Err(SyncError::AlreadyShared.into());
    }
    let random = || crypto::random::<KEY_LEN>().map_err(SyncError::Crypto);
    let device = match device_keys(conn)? {
        Some(k) => k,
        None => DeviceKeys::generate().map_err(SyncError::Crypto)?,
    };
    let epoch0 = match key32(conn, "epoch/0")? {
        Some(k) => k,
        None => random()?,
    };
    let naming = match key32(conn, "naming")? {
        Some(k) => k,
        None => random()?,
    };
    let genesis = Entry::sign(
        &Body::Genesis {
            record: record.to_string(),
            device: DeviceCard::of(&device),
            name: owner
                .map(|n| membership::seal_name(&naming, record, n))
                .transpose()?,
            at: Some(now_ms()?),
        },
        &[&device.signing],
    )?;
    Ok(ShareKeys {
        device,
        epoch0,
        naming,
        genesis,
    })
}

/// Writes, inside the transaction that creates a joining device's record file, its keys and
/// its sharing state from the invite's bundle.
pub(crate) fn join_state(conn: &SyncConn<'_>, bundle: &Bundle, keys: &DeviceKeys) -> Result<()> {
    keep_device_keys(conn, keys)?;
    for (epoch, key) in &bundle.keys {
        put_secret(conn, &format!("epoch/{epoch}"), &unb64(key)?)?;
    }
    put_secret(conn, "naming", &unb64(&bundle.naming)?)?;
    set(conn, "relay", &bundle.relay)?;
    set(conn, "role", bundle.role.as_str())?;
    set(conn, "epoch", &bundle.epoch.to_string())?;
    set(conn, "cursor", "0")?;
    Ok(())
}

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

    /// Shares the record through the relay: posts its genesis (the owner is this device),
    /// then keeps the keys and the sharing state in one transaction, and uploads the first
    /// snapshots. Nothing is written before the relay took the record: a failure leaves the
    /// record as it was, and a retry after an answer that was lost posts a new genesis, which
    /// the relay takes in place of a genesis with nothing after it.
    /// `owner` is the owner's display name (the patient's), kept sealed in the log.
    pub(crate) fn share(mut self, owner: Option<&str>) -> Result<SyncReport> {
        let record = self.store.record_id().to_string();
        let keys = self.store.sync_read(|c| share_keys(c, &record, owner))?;
        let entry = keys.genesis.to_bytes();
        let resp = self.caller.call(
            Some(&keys.device.signing),
            "POST",
            "/v1/records",
            entry.clone(),
            "application/json",
        )?;
        let seq: Seq = json(&resp, "relay response")?;
        let relay = self.caller.relay.clone();
        // Only now that the relay took the record are its keys written, all at once.
        self.store.sync_tx(|tx| {
            if crate::store::is_shared(tx)? {
                return Err(SyncError::AlreadyShared.into());
            }
            keep_device_keys(tx, &keys.device)?;
            put_secret(tx, "epoch/0", &keys.epoch0)?;
            put_secret(tx, "naming", &keys.naming)?;
            set(tx, "relay", &relay)?;
            set(tx, "role", Role::Owner.as_str())?;
            set(tx, "epoch", "0")?;
            set(tx, "cursor", &seq.seq.to_string())?;
            tx.execute(
                "INSERT OR IGNORE INTO sync_log (seq, status, author, bytes) VALUES (?1, 'membership', ?2, ?3)",
                rusqlite::params![seq.seq as i64, keys.device.id(), entry],
            )?;
            Ok(())
        })?;
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        let size = self.upload_snapshots(&state, seq.seq)?;
        self.store.sync_tx(|tx| {
            set(tx, "snapshot_at", &seq.seq.to_string())?;
            set(tx, "snapshot_bytes", &size.to_string())
        })?;
        Ok(self.finish())
    }

    /// Creates an invite for `role`, for the person the owner calls `name`, valid for
    /// `valid_for`: posts its membership entry and sealed bundle to the relay. Only the
    /// owner may.
    pub(crate) fn invite(
        mut self,
        role: Role,
        name: Option<&str>,
        valid_for: Duration,
    ) -> Result<InviteInfo> {
        let record = self.store.record_id().to_string();
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        if state.role != Role::Owner {
            return Err(SyncError::NotOwner.into());
        }
        let invite = Invite::generate(&state.relay)?;
        let (_, naming) = self.store.sync_read(|c| record_keys(c, state.epoch))?;
        let now = now_ms()?;
        let expires = now + i64::try_from(valid_for.as_millis()).unwrap_or(i64::MAX / 2);
        let entry = Entry::sign(
            &Body::Invite {
                record: record.clone(),
                invite: invite.id(),
                capability: b64(&invite.capability()?.public()),
                role,
                expires,
                by: state.keys.id(),
                name: name
                    .map(|n| membership::seal_name(&naming, &record, n))
                    .transpose()?,
                at: Some(now),
            },
            &[&state.keys.signing],
        )?;
        let bundle = invite.seal_bundle(&Bundle {
            record: record.clone(),
            relay: state.relay.clone(),
            role,
            epoch: state.epoch,
            keys: state.epoch_keys.iter().map(|(e, k)| (*e, b64(k))).collect(),
            naming: b64(&naming),
        })?;
        let body = serde_json::json!({
            "entry": entry,
            "bundle": b64(&bundle),
            "expires": expires,
        });
        self.caller.call(
            Some(&state.keys.signing),
            "POST",
            &format!("/v1/records/{record}/invites"),
            body.to_string().into_bytes(),
            "application/json",
        )?;
        Ok(InviteInfo {
            code: invite.code(),
            qr_payload: invite.qr_payload(),
            role,
            expires_ms: expires,
        })
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
                    set(tx, "cursor", &through.to_string())?;
                    if let Some(d) = &digest {
                        set(tx, "digest_at", &through.to_string())?;
                        set(tx, "digest", d)?;
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
            set(tx, "cursor", "0")
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

    /// Removes the member `device` (owner only): a new key epoch, its key wrapped for every
    /// remaining member, in one signed entry the relay appends. The removed device can read
    /// nothing sealed after it, and what it signs after it is refused everywhere.
    pub(crate) fn remove(mut self, device: &str) -> Result<SyncReport> {
        let record = self.store.record_id().to_string();
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        if state.role != Role::Owner {
            return Err(SyncError::NotOwner.into());
        }
        let membership = self.membership()?;
        if device == state.keys.id() || membership.member(device).is_none() {
            return Err(SyncError::MembershipRefused {
                why: "not a current member other than this device",
            }
            .into());
        }
        self.new_epoch(&state, &membership, Some(device))?;
        Ok(self.finish())
    }

    /// Moves the record to the next key epoch, the key wrapped for every current member but
    /// this owner and `removed`: a `remove` of `removed`, or a `rotate` after a member left.
    fn new_epoch(
        &mut self,
        state: &State,
        membership: &Membership,
        removed: Option<&str>,
    ) -> Result<u32> {
        let record = state.record.clone();
        let epoch = membership.epoch() + 1;
        // The new key is kept before it is announced: a crash after the relay took the entry
        // still leaves this device able to read the new epoch.
        let name = format!("epoch/{epoch}");
        let key = match self.store.sync_read(|c| key32(c, &name))? {
            Some(k) => k,
            None => {
                let k = crypto::random::<KEY_LEN>().map_err(SyncError::Crypto)?;
                self.store.sync_tx(|tx| put_secret(tx, &name, &k))?;
                k
            }
        };
        let me = state.keys.id();
        let keys = membership
            .members()
            .filter(|m| {
                m.removed.is_none() && m.device.id != me && Some(m.device.id.as_str()) != removed
            })
            .map(|m| super::membership::wrap_key(&state.keys, &m.device, &record, epoch, &key))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let body = match removed {
            Some(device) => Body::Remove {
                record: record.clone(),
                device: device.to_string(),
                by: me,
                epoch,
                keys,
            },
            None => Body::Rotate {
                record: record.clone(),
                by: me,
                epoch,
                keys,
            },
        };
        self.post_membership(state, &body)?;
        self.store
            .sync_tx(|tx| set(tx, "epoch", &epoch.to_string()))?;
        Ok(epoch)
    }

    /// Leaves the record (a member that is not the owner): a signed departure the relay
    /// appends; the owner's device then moves the record to a new key at its next sync.
    pub(crate) fn leave(mut self) -> Result<SyncReport> {
        let record = self.store.record_id().to_string();
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        let membership = self.membership()?;
        if state.role == Role::Owner && membership.owners() < 2 {
            return Err(SyncError::MembershipRefused {
                why: "the last owner device cannot leave the record",
            }
            .into());
        }
        let me = state.keys.id();
        let body = Body::Remove {
            record,
            device: me.clone(),
            by: me,
            epoch: membership.epoch(),
            keys: Vec::new(),
        };
        self.post_membership(&state, &body)?;
        Ok(self.finish())
    }

    /// Signs `body` with this device's key and posts it to the relay's membership log.
    fn post_membership(&mut self, state: &State, body: &Body) -> Result<()> {
        let entry = Entry::sign(body, &[&state.keys.signing])?;
        self.caller.call(
            Some(&state.keys.signing),
            "POST",
            &format!("/v1/records/{}/membership", state.record),
            entry.to_bytes(),
            "application/json",
        )?;
        Ok(())
    }

    /// The membership as this replica's copy of the log has it.
    fn membership(&mut self) -> Result<Membership> {
        let rows: Vec<(i64, Vec<u8>)> = self.store.sync_read(|c| {
            let mut stmt = c.prepare(
                "SELECT seq, bytes FROM sync_log WHERE status = 'membership' ORDER BY seq",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        let mut m = Membership::default();
        for (seq, bytes) in rows {
            m.apply(u64::try_from(seq).unwrap_or(0), &bytes)
                .map_err(|_| Error::Corrupt {
                    detail: "a stored membership entry no longer verifies",
                })?;
        }
        Ok(m)
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
            ItemKind::Own => self.store.sync_tx(|tx| set(tx, "cursor", &seq.to_string())),
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
                        set(tx, "epoch", &epoch.to_string())?;
                    }
                    match &verdict {
                        Ok(_) => tx.execute(
                            "INSERT OR REPLACE INTO sync_log (seq, status, bytes) VALUES (?1, 'membership', ?2)",
                            rusqlite::params![seq as i64, item.bytes],
                        )?,
                        Err(e) => quarantine(tx, seq, None, &e.to_string(), &item.bytes)?,
                    };
                    set(tx, "cursor", &seq.to_string())
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
                            set(tx, "cursor", &seq.to_string())
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
        let mut then = |tx: &Connection| -> Result<()> {
            if advance {
                set(tx, "cursor", &seq.to_string())?;
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
                if advance {
                    self.report.held += 1;
                    self.store.sync_tx(|tx| {
                        tx.execute(
                            "INSERT OR REPLACE INTO sync_log (seq, status, author, role, bytes, at_ms) VALUES (?1, 'held', ?2, ?3, ?4, ?5)",
                            rusqlite::params![seq as i64, author, role.as_str(), bytes, now_ms()?],
                        )?;
                        set(tx, "cursor", &seq.to_string())
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
                        set(tx, "cursor", &seq.to_string())?;
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

    /// Seals a snapshot of every document and uploads it, covering log position `covers`.
    /// The owner's snapshot rule: new snapshots once the log has grown by [`SNAPSHOT_EVERY`]
    /// positions or the envelopes since the last ones exceed 1/[`SNAPSHOT_GROWTH`] of their
    /// bytes, with nothing held and the device at the tip (so they cover every valid change
    /// up to `cursor`).
    fn refresh_snapshots(&mut self, state: &State, cursor: u64, tip: u64) -> Result<()> {
        let bytes = self.envelope_bytes;
        let (last, since, size, held) = self.store.sync_tx(|tx| {
            let number = |k: &str| -> Result<u64> {
                Ok(get(tx, k)?.and_then(|v| v.parse().ok()).unwrap_or(0))
            };
            let since = number("snapshot_since_bytes")? + bytes;
            set(tx, "snapshot_since_bytes", &since.to_string())?;
            Ok((
                number("snapshot_at")?,
                since,
                number("snapshot_bytes")?,
                held_count(tx)?,
            ))
        })?;
        let grown = tip >= last + SNAPSHOT_EVERY
            || (tip > last && since > (size / SNAPSHOT_GROWTH).max(SNAPSHOT_GROWTH_FLOOR));
        if grown && held == 0 && cursor == tip {
            let size = self.upload_snapshots(state, cursor)?;
            self.store.sync_tx(|tx| {
                set(tx, "snapshot_at", &cursor.to_string())?;
                set(tx, "snapshot_bytes", &size.to_string())?;
                set(tx, "snapshot_since_bytes", "0")
            })?;
        }
        Ok(())
    }

    /// Uploads one snapshot per document covering the log up to `covers`; returns their bytes.
    fn upload_snapshots(&mut self, state: &State, covers: u64) -> Result<u64> {
        let (key, naming) = self.store.sync_read(|c| record_keys(c, state.epoch))?;
        let mut size = 0;
        for doc in self.store.documents()? {
            let name = doc.to_string();
            let saved = self.store.export_document(doc)?;
            let env = Envelope::seal(
                state.record_bytes,
                &state.keys.signing,
                state.epoch,
                &key,
                Some(covers),
                &wire::encode_payload(&vec![(name.clone(), vec![saved])]),
            )?;
            let slot = crypto::hex(
                &crypto::derive(&naming, name.as_bytes(), "companion-snapshot-slot")[..16],
            );
            size += env.bytes.len() as u64;
            self.caller.call(
                Some(&state.keys.signing),
                "PUT",
                &format!("/v1/records/{}/snapshots/{slot}", state.record),
                env.bytes,
                "application/octet-stream",
            )?;
            self.report.snapshots += 1;
        }
        Ok(size)
    }

    /// The record's snapshots, as the relay serves them (one request).
    fn fetch_snapshots(&mut self, state: &State) -> Result<Vec<Envelope>> {
        let resp = self.caller.call(
            Some(&state.keys.signing),
            "GET",
            &format!("/v1/records/{}/snapshots", state.record),
            Vec::new(),
            "application/octet-stream",
        )?;
        wire::decode_blobs(&resp.body)?
            .iter()
            .map(|b| Envelope::parse(state.record_bytes, b).map_err(Error::from))
            .collect()
    }

    /// Applies the snapshots, each checked to be signed by a current owner; a snapshot that is
    /// not is ignored (the log still brings its changes).
    fn load_snapshots(
        &mut self,
        snapshots: &mut Vec<Envelope>,
        membership: &Membership,
        after: AfterApply<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<()> {
        let record = self.store.record_id().to_string();
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        let total = snapshots.len() as u64;
        let mut docs = Vec::new();
        for env in snapshots.drain(..) {
            let by_owner = membership
                .member(&env.author_id())
                .filter(|m| m.role == Role::Owner)
                .and_then(|m| m.device.signing_key().ok())
                .is_some_and(|k| env.verify(&k));
            if !by_owner {
                continue;
            }
            let Ok(payload) = open_payload(&state, &env) else {
                continue;
            };
            for (name, blobs) in payload {
                let Some(doc) = DocId::parse(&name) else {
                    continue;
                };
                for blob in blobs {
                    let Ok(loaded) = automerge::Automerge::load(&blob) else {
                        continue;
                    };
                    docs.push((doc, loaded.get_changes(&[]).into_iter().collect::<Vec<_>>()));
                }
            }
        }
        let n = docs.len() as u64;
        if !docs.is_empty() {
            let (reports, raised) = self.store.apply_documents(docs, after)?;
            self.report.alerts_raised += raised;
            for r in reports {
                self.report.added += r.added;
            }
        }
        self.report.snapshots += n;
        progress(Progress {
            phase: Phase::Bootstrap,
            done: total,
            total,
        });
        Ok(())
    }

    /// The record's members and what this replica quarantined.
    pub(crate) fn members(store: &Store) -> Result<MembersReport> {
        let record = store.record_id().to_string();
        store.sync_read(|c| {
            let state = State::load(c, &record)?;
            let m = stored_membership(c)?;
            let me = state.keys.id();
            let naming = key32(c, "naming")?;
            let name_of = |device: &str| {
                m.members()
                    .find(|x| x.device.id == device)
                    .and_then(|x| x.name.as_deref())
                    .and_then(|n| membership::open_name(naming.as_ref()?, &record, n))
            };
            let mut admitted: Vec<_> = m.members().collect();
            admitted.sort_by_key(|x| x.since);
            let members = admitted
                .into_iter()
                .map(|x| MemberInfo {
                    device: x.device.id.clone(),
                    role: x.role,
                    since: x.since,
                    removed: x.removed,
                    this_device: x.device.id == me,
                    name: name_of(&x.device.id),
                    invited_by: x.invited_by.clone(),
                    invited_by_name: x.invited_by.as_deref().and_then(name_of),
                    invited_ms: x.invited_at,
                    joined_ms: x.joined_at,
                    may_write: x.role.collections().iter().map(|c| c.to_string()).collect(),
                })
                .collect();
            let mut stmt = c.prepare(
                "SELECT seq, author, reason FROM sync_log WHERE status = 'quarantined' ORDER BY seq",
            )?;
            let quarantined = stmt
                .query_map([], |r| {
                    Ok(QuarantinedItem {
                        seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        author: r.get(1)?,
                        reason: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let count = |sql: &str| -> Result<u64> {
                Ok(u64::try_from(c.query_row(sql, [], |r| r.get::<_, i64>(0))?).unwrap_or(0))
            };
            Ok(MembersReport {
                relay: state.relay.clone(),
                device: me,
                role: state.role,
                members,
                quarantined,
                held: held_count(c)?,
                missing: missing_data(c)?,
                cursor: state.cursor,
                unsent: count("SELECT count(*) FROM sync_outbox")?
                    + count("SELECT count(*) FROM sync_sending")?,
                no_longer_member: get(c, "no_longer_member")?.is_some(),
            })
        })
    }
}

/// The membership as this device last replayed it, from the entries it stored.
pub(super) fn stored_membership(c: &Connection) -> Result<Membership> {
    let mut m = Membership::default();
    let mut stmt =
        c.prepare("SELECT seq, bytes FROM sync_log WHERE status = 'membership' ORDER BY seq")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (seq, bytes) in rows {
        let _ = m.apply(u64::try_from(seq).unwrap_or(0), &bytes);
    }
    Ok(m)
}

/// From whom data is missing: the members whose envelopes are held, oldest first. One query
/// of the held rows, cheap enough for a home screen.
pub(crate) fn missing_data(c: &Connection) -> Result<Vec<MissingData>> {
    let mut stmt = c.prepare_cached(
        "SELECT author, count(*), min(coalesce(at_ms, 0)) FROM sync_log
         WHERE status = 'held' GROUP BY author ORDER BY 3, 1",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(MissingData {
                author: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                envelopes: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                since_ms: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
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
    let (at, digest) = store.sync_read(|c| Ok((get(c, "digest_at")?, get(c, "digest")?)))?;
    let checked = at.and_then(|a| a.parse::<u64>().ok()) == Some(cursor);
    Ok(match (digest, resp.header(wire::headers::AT_DIGEST)) {
        (Some(mine), Some(theirs)) => checked && mine != theirs,
        _ => false,
    })
}

fn held_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sync_log WHERE status = 'held'",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The sealed envelopes the relay has not acknowledged yet, oldest first.
fn sending(conn: &Connection) -> Result<Vec<(i64, Vec<u8>)>> {
    let mut stmt = conn.prepare("SELECT id, envelope FROM sync_sending ORDER BY id")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// This device's own choice of notifications for the record, if it made one: `Some(None)`
/// none, `Some(Some(minutes))` a caregiver's, told `minutes` after a dose's time.
pub(crate) fn notify_choice(conn: &Connection) -> Result<Option<Option<u32>>> {
    Ok(get(conn, "notify")?.map(|v| v.parse().ok()))
}

/// Keeps this device's choice of notifications (see [`notify_choice`]); it is the device's
/// own, never synced.
pub(crate) fn set_notify_choice(conn: &Connection, grace_minutes: Option<u32>) -> Result<()> {
    let value = grace_minutes.map_or_else(|| "off".to_string(), |m| m.to_string());
    set(conn, "notify", &value)
}

/// Notes when this device last synced the record whole (pushed and pulled to the log's end).
pub(crate) fn note_synced(conn: &Connection) -> Result<()> {
    set(conn, "last_sync_ms", &now_ms()?.to_string())
}

/// When this device last synced the record, in Unix milliseconds.
pub(crate) fn last_synced(conn: &Connection) -> Result<Option<i64>> {
    Ok(get(conn, "last_sync_ms")?.and_then(|v| v.parse().ok()))
}

/// Notes that the relay refused this device as no longer a member, for
/// [`MembersReport::no_longer_member`].
pub(crate) fn note_no_longer_member(conn: &Connection) -> Result<()> {
    set(conn, "no_longer_member", &now_ms()?.to_string())
}

/// Keeps a refused item's position, author (when known), reason and the SHA-256 of its bytes,
/// never the bytes: what a member sends that nobody may apply must not fill this device.
fn quarantine(
    tx: &Connection,
    seq: u64,
    author: Option<&str>,
    reason: &str,
    bytes: &[u8],
) -> Result<usize> {
    Ok(tx.execute(
        "INSERT OR REPLACE INTO sync_log (seq, status, author, reason, bytes) VALUES (?1, 'quarantined', ?2, ?3, ?4)",
        rusqlite::params![seq as i64, author, reason, crypto::sha256(bytes).to_vec()],
    )?)
}

/// Checks an envelope against the membership at its position: a current member with a
/// writing role signed it, for this record, under a key this replica holds, and its payload
/// decodes. Returns its author, role and changes, or the author and why it is refused.
#[allow(clippy::type_complexity)]
fn judge(
    state: &State,
    membership: &Membership,
    bytes: &[u8],
) -> std::result::Result<
    (String, Role, Vec<(DocId, Vec<automerge::Change>)>),
    (Option<String>, String),
> {
    let env = Envelope::parse(state.record_bytes, bytes).map_err(|e| (None, e.to_string()))?;
    let author = env.author_id();
    let fail = |why: &str| (Some(author.clone()), why.to_string());
    if env.covers.is_some() {
        return Err(fail("a snapshot where an envelope belongs"));
    }
    let Some(member) = membership.member(&author) else {
        return Err(fail("signed by a device that is not a member"));
    };
    let key = member
        .device
        .signing_key()
        .map_err(|e| fail(&e.to_string()))?;
    if !env.verify(&key) {
        return Err(fail("the signature does not verify"));
    }
    if !member.role.writes() {
        return Err(fail("signed by a viewer, who may not write"));
    }
    let role = member.role;
    if env.epoch != membership.epoch() {
        return Err(fail("sealed under a key epoch other than the current one"));
    }
    let key = state
        .epoch_key(env.epoch)
        .ok_or_else(|| fail("sealed under a key this device does not hold"))?;
    let plain = env
        .open(&key)
        .map_err(|_| fail("the ciphertext does not open"))?;
    let payload = wire::decode_payload(&plain).map_err(|e| fail(&e.to_string()))?;
    let docs = to_docs(payload).map_err(fail)?;
    Ok((author, role, docs))
}

fn to_docs(
    payload: wire::Payload,
) -> std::result::Result<Vec<(DocId, Vec<automerge::Change>)>, &'static str> {
    payload
        .into_iter()
        .map(|(name, changes)| {
            let doc = DocId::parse(&name).ok_or("a document name that is not one")?;
            let changes = changes
                .into_iter()
                .map(|c| automerge::Change::from_bytes(c).map_err(|_| "changes that do not decode"))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok((doc, changes))
        })
        .collect()
}

fn open_payload(state: &State, env: &Envelope) -> Result<wire::Payload> {
    let key = state
        .epoch_key(env.epoch)
        .ok_or(SyncError::Crypto(crypto::CryptoError::BadKey))?;
    Ok(wire::decode_payload(&env.open(&key)?)?)
}

fn open_docs(state: &State, env: &Envelope) -> Result<Vec<(DocId, Vec<automerge::Change>)>> {
    to_docs(open_payload(state, env)?).map_err(|what| SyncError::Malformed { what }.into())
}

/// Reads an invite's bundle from its relay (one unsigned request: the invite id is the
/// credential) and opens it.
pub(crate) fn fetch_invite(transport: &mut dyn Transport, invite: &Invite) -> Result<Bundle> {
    #[derive(Deserialize)]
    struct Offer {
        record: String,
        bundle: String,
    }
    let mut caller = Caller::new(transport, &invite.relay);
    let resp = caller.call(
        None,
        "GET",
        &format!("/v1/invites/{}", invite.id()),
        Vec::new(),
        "application/json",
    )?;
    let offer: Offer = json(&resp, "invite")?;
    let bundle = invite.open_bundle(&unb64(&offer.bundle)?)?;
    if bundle.record != offer.record {
        return Err(SyncError::Malformed {
            what: "invite bundle",
        }
        .into());
    }
    Ok(bundle)
}

/// The join entry of a device with `keys` taking up `invite` for `bundle`'s record; `name`
/// is the joining member's name for themselves, if they gave one.
pub(crate) fn join_entry(
    invite: &Invite,
    bundle: &Bundle,
    keys: &DeviceKeys,
    name: Option<&str>,
) -> Result<Entry> {
    let naming: [u8; KEY_LEN] =
        unb64(&bundle.naming)?
            .try_into()
            .map_err(|_| SyncError::Malformed {
                what: "invite bundle",
            })?;
    Ok(Entry::sign(
        &Body::Join {
            record: bundle.record.clone(),
            invite: invite.id(),
            device: DeviceCard::of(keys),
            role: bundle.role,
            name: name
                .map(|n| membership::seal_name(&naming, &bundle.record, n))
                .transpose()?,
            at: Some(now_ms()?),
        },
        &[&invite.capability()?, &keys.signing],
    )?)
}

/// Posts a join entry, signed by the joining device; returns its log position.
pub(crate) fn post_join(
    transport: &mut dyn Transport,
    bundle: &Bundle,
    entry: &Entry,
    keys: &DeviceKeys,
) -> Result<u64> {
    let mut caller = Caller::new(transport, &bundle.relay);
    let resp = caller.call(
        Some(&keys.signing),
        "POST",
        &format!("/v1/records/{}/join", bundle.record),
        entry.to_bytes(),
        "application/json",
    )?;
    Ok(json::<Seq>(&resp, "relay response")?.seq)
}

#[cfg(test)]
mod relay_address_tests {
    use super::split_relay_token;

    #[test]
    fn the_token_is_taken_out_of_the_address() {
        let cases = [
            ("http://127.0.0.1:8080", ("http://127.0.0.1:8080", None)),
            (
                "http://ab12@127.0.0.1:8080/",
                ("http://127.0.0.1:8080", Some("ab12")),
            ),
            (
                "https://tok@relay.example.org/base",
                ("https://relay.example.org/base", Some("tok")),
            ),
            (
                "https://relay.example.org/a@b",
                ("https://relay.example.org/a@b", None),
            ),
            ("http://@host", ("http://host", None)),
        ];
        for (given, (address, token)) in cases {
            assert_eq!(
                split_relay_token(given),
                (address.to_string(), token.map(str::to_string)),
                "{given}"
            );
        }
    }
}

#[cfg(test)]
mod clock_tests {
    use super::{SyncError, clock_off};

    #[test]
    fn a_clock_off_is_told_in_whole_minutes_and_which_way() {
        let minute = 60_000;
        assert_eq!(
            clock_off(10 * minute + 29_000, 0),
            SyncError::ClockOff {
                minutes: 10,
                ahead: true
            }
        );
        assert_eq!(
            clock_off(0, 5 * minute + 31_000),
            SyncError::ClockOff {
                minutes: 6,
                ahead: false
            }
        );
        assert_eq!(
            clock_off(0, 20 * minute).to_string(),
            "this device's clock is 20 minutes behind; set the date and time"
        );
    }
}
