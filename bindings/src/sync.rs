//! Sharing through a relay: invites, joining, sync with a progress callback, the membership
//! (docs/sync-protocol.md). Sync blocks until it is done: call it off the main thread.
//!
//! The shell carries the HTTP requests ([`RelayTransport`]: URLSession on iOS, OkHttp or
//! `HttpURLConnection` on Android): the platform's HTTP and TLS stacks cost the app nothing,
//! while reqwest with rustls would add 2.8 MB to the phone library (measured: 8.7 MB stripped
//! with it, against a 6 MB budget). Everything that decides (signatures, encryption, what is
//! applied) stays in the core; the transport only moves bytes.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use companion_core as core;
use companion_core::sync::{
    ChangesBy, InviteInfo, MemberInfo, MembersReport, MissingData, PendingInvite, Phase, Progress,
    QuarantinedItem, Request, Response, Role, SyncReport, Transport,
};

use crate::error::CompanionError;
use crate::record::HealthRecord;

/// A member's role in a shared record.
#[uniffi::remote(Enum)]
pub enum Role {
    /// The patient: writes everything, invites members.
    Owner,
    /// A family caregiver: readings, doses, refills, the journal.
    Caregiver,
    /// The clinic: medication plans, targets, measurement plans, appointments.
    Clinician,
    /// Reads everything, writes nothing.
    Viewer,
}

/// What a sync is doing.
#[uniffi::remote(Enum)]
pub enum Phase {
    /// Sending this device's changes.
    Push,
    /// Loading the record's snapshots (a new device).
    Bootstrap,
    /// Reading the log.
    Pull,
}

/// Progress of a sync: `done` of `total` units of the phase.
#[uniffi::remote(Record)]
pub struct Progress {
    /// The phase.
    pub phase: Phase,
    /// Units done.
    pub done: u64,
    /// Units in all, as far as known.
    pub total: u64,
}

/// What a sync did.
#[uniffi::remote(Record)]
pub struct SyncReport {
    /// Local changes sent.
    pub pushed: u64,
    /// Envelopes of other members applied.
    pub applied: u64,
    /// Membership entries read.
    pub membership: u64,
    /// Items quarantined by this sync (never applied).
    pub quarantined: u64,
    /// Envelopes held for changes not received yet.
    pub held: u64,
    /// Snapshots loaded or uploaded.
    pub snapshots: u64,
    /// Entries new to this replica.
    pub added: u64,
    /// Entries that changed.
    pub updated: u64,
    /// Entries deleted.
    pub deleted: u64,
    /// Alerts the merge rules raised here.
    pub alerts_raised: u64,
    /// The log position read up to.
    pub cursor: u64,
    /// HTTP requests made.
    pub requests: u64,
    /// Request body bytes sent.
    pub bytes_sent: u64,
    /// Response body bytes received.
    pub bytes_received: u64,
    /// The relay was found behind this device (restored from a backup); this sync sent again
    /// what it had lost of this device's writes.
    pub relay_restored: bool,
    /// Whose changes this sync applied, and to which collections: who changed the
    /// medications or the targets, who logged the doses.
    pub changed_by: Vec<ChangesBy>,
}

/// One member's changes applied by a sync.
#[uniffi::remote(Record)]
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

/// A new invite: the code to pass on and the QR payload.
#[uniffi::remote(Record)]
pub struct InviteInfo {
    /// The code (`XXXX-…@relay`).
    pub code: String,
    /// The QR payload (`companion:join?…`), for the shell to render.
    pub qr_payload: String,
    /// The role it grants.
    pub role: Role,
    /// When it expires, Unix milliseconds.
    pub expires_ms: i64,
}

/// A member of the record.
#[uniffi::remote(Record)]
pub struct MemberInfo {
    /// The device id.
    pub device: String,
    /// Its role.
    pub role: Role,
    /// The log position that admitted it.
    pub since: u64,
    /// The position that removed it.
    pub removed: Option<u64>,
    /// Whether it is this device.
    pub this_device: bool,
    /// Its display name: its own, else the one the owner gave its invite.
    pub name: Option<String>,
    /// The owner device that invited it (none for the owner who shared the record).
    pub invited_by: Option<String>,
    /// That owner's display name.
    pub invited_by_name: Option<String>,
    /// When it was invited (Unix milliseconds), when the log says.
    pub invited_ms: Option<i64>,
    /// When it joined (or shared the record), when the log says.
    pub joined_ms: Option<i64>,
    /// The collections its role may write (the owner: every one); every member reads all.
    pub may_write: Vec<String>,
}

/// An invite issued and not taken up yet.
#[uniffi::remote(Record)]
pub struct PendingInvite {
    /// The role it offers.
    pub role: Role,
    /// Whom it is for, as the owner named them.
    pub name: Option<String>,
    /// The owner device that issued it.
    pub invited_by: String,
    /// That owner's display name.
    pub invited_by_name: Option<String>,
    /// When it was issued (Unix milliseconds).
    pub invited_ms: Option<i64>,
    /// When the relay stops accepting it (Unix milliseconds).
    pub expires_ms: i64,
}

/// A log item this device refused: kept, never applied.
#[uniffi::remote(Record)]
pub struct QuarantinedItem {
    /// Its log position.
    pub seq: u64,
    /// The device it names as author.
    pub author: Option<String>,
    /// Why it was refused.
    pub reason: String,
}

/// A member whose envelopes wait, unapplied, for changes this device has not received.
#[uniffi::remote(Record)]
pub struct MissingData {
    /// The member's device id.
    pub author: String,
    /// How many of its envelopes wait.
    pub envelopes: u64,
    /// When the first was held (Unix milliseconds).
    pub since_ms: i64,
    /// The changes they wait for (Automerge change hashes, hex).
    pub waiting_for: Vec<String>,
}

/// The membership and what was refused.
#[uniffi::remote(Record)]
pub struct MembersReport {
    /// The relay's address.
    pub relay: String,
    /// This device's id.
    pub device: String,
    /// This device's role.
    pub role: Role,
    /// Every member.
    pub members: Vec<MemberInfo>,
    /// Invites issued and not taken up yet, not expired, oldest first.
    pub pending_invites: Vec<PendingInvite>,
    /// Items quarantined, oldest first.
    pub quarantined: Vec<QuarantinedItem>,
    /// Envelopes held for missing changes.
    pub held: u64,
    /// From whom data is missing, oldest first.
    pub missing: Vec<MissingData>,
    /// The log position read up to.
    pub cursor: u64,
    /// Local changes not yet acknowledged by the relay.
    pub unsent: u64,
    /// The relay refused this device as no longer a member (removed, or it left).
    pub no_longer_member: bool,
}

/// Told how a sync goes (called on the syncing thread).
#[uniffi::export(with_foreign)]
pub trait SyncProgress: Send + Sync {
    /// A phase advanced.
    fn on_progress(&self, progress: Progress);
}

/// One header of an HTTP request or response.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HttpHeader {
    /// Its name (lower case in responses).
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A request for the relay, to send as it is.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HttpRequest {
    /// `GET`, `POST` or `PUT`.
    pub method: String,
    /// The URL: the relay's address followed by the path and query.
    pub url: String,
    /// Headers to send, the signature among them.
    pub headers: Vec<HttpHeader>,
    /// The body (empty for `GET`).
    pub body: Vec<u8>,
}

/// The relay's answer, whatever its status.
#[derive(Debug, Clone, uniffi::Record)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: Vec<HttpHeader>,
    /// The body.
    pub body: Vec<u8>,
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum TransportError {
    /// No answer (no network, refused, timed out); the core retries with backoff.
    #[error("no answer: {reason}")]
    NoAnswer {
        /// What happened, without the URL.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::NoAnswer { reason: e.reason }
    }
}

/// Moves one request to the relay and back: the shell's HTTP client. Return every answer the
/// relay gives (4xx and 5xx included) as a response; raise only when there was none.
#[uniffi::export(with_foreign)]
pub trait RelayTransport: Send + Sync {
    /// Sends `request` and waits for the answer.
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// The shell's transport as the core's.
pub(crate) struct Shell(pub(crate) Arc<dyn RelayTransport>);

impl Transport for Shell {
    fn send(&mut self, base: &str, request: &Request) -> Result<Response, String> {
        let header = |(name, value): &(String, String)| HttpHeader {
            name: name.clone(),
            value: value.clone(),
        };
        let answer = self
            .0
            .send(HttpRequest {
                method: request.method.to_string(),
                url: format!("{}{}", base.trim_end_matches('/'), request.path),
                headers: request.headers.iter().map(header).collect(),
                body: request.body.clone(),
            })
            .map_err(|e| e.to_string())?;
        Ok(Response {
            status: answer.status,
            headers: answer
                .headers
                .into_iter()
                .map(|h| (h.name.to_ascii_lowercase(), h.value))
                .collect(),
            body: answer.body,
        })
    }
}

pub(crate) fn report_to(progress: Option<Arc<dyn SyncProgress>>) -> impl FnMut(Progress) {
    move |p| {
        if let Some(cb) = &progress {
            cb.on_progress(p);
        }
    }
}

#[uniffi::export]
impl HealthRecord {
    /// Joins a shared record with an invite code or QR payload: creates the replica at
    /// `path` (which must not hold a record), then syncs; `name` is the member's name for
    /// themselves, as the others see it. A refused invite leaves no file.
    #[uniffi::constructor]
    pub fn join_invite(
        path: String,
        key_store: Arc<dyn crate::keys::KeyStore>,
        code: String,
        name: Option<String>,
        transport: Arc<dyn RelayTransport>,
        progress: Option<Arc<dyn SyncProgress>>,
    ) -> Result<Arc<Self>, CompanionError> {
        let path = Path::new(&path);
        let (record, _) = core::HealthRecord::join_invite(
            path,
            &crate::keys::record_keys(key_store, path),
            &code,
            name.as_deref(),
            &mut Shell(transport),
            &mut report_to(progress),
        )?;
        Ok(Self::wrap(record))
    }

    /// Whether the record is shared through a relay.
    pub fn is_shared(&self) -> Result<bool, CompanionError> {
        Ok(self.lock().is_shared()?)
    }

    /// What a member with `role` may see and do, in plain words in the record's language:
    /// show it, and call `invite` only once the owner confirms.
    pub fn invite_statement(&self, role: Role) -> Result<String, CompanionError> {
        Ok(self.lock().invite_statement(role)?)
    }

    /// Invites a member with `role`, whom the owner calls `name`, for `valid_hours`, once the
    /// owner confirmed `invite_statement`; the first invite shares the record through
    /// `relay`. Only the owner may.
    pub fn invite(
        &self,
        role: Role,
        name: Option<String>,
        valid_hours: u32,
        relay: Option<String>,
        transport: Arc<dyn RelayTransport>,
    ) -> Result<InviteInfo, CompanionError> {
        if valid_hours == 0 || valid_hours > 24 * 30 {
            return Err(CompanionError::invalid("valid_hours", "between 1 and 720"));
        }
        Ok(self.lock().invite(
            role,
            name.as_deref(),
            Duration::from_secs(u64::from(valid_hours) * 3600),
            relay.as_deref(),
            &mut Shell(transport),
        )?)
    }

    /// Sends this device's changes and applies everyone else's; blocks until done.
    pub fn sync(
        &self,
        transport: Arc<dyn RelayTransport>,
        progress: Option<Arc<dyn SyncProgress>>,
    ) -> Result<SyncReport, CompanionError> {
        Ok(self
            .lock()
            .sync(&mut Shell(transport), &mut report_to(progress))?)
    }

    /// Removes the member `device` (its id or a unique prefix; the owner only): the record key
    /// moves to a new epoch wrapped for the remaining members.
    pub fn remove_member(
        &self,
        device: String,
        transport: Arc<dyn RelayTransport>,
    ) -> Result<SyncReport, CompanionError> {
        Ok(self.lock().remove_member(&device, &mut Shell(transport))?)
    }

    /// Leaves the shared record (any member but the owner); the owner's device changes the
    /// key at its next sync.
    pub fn leave(&self, transport: Arc<dyn RelayTransport>) -> Result<SyncReport, CompanionError> {
        Ok(self.lock().leave(&mut Shell(transport))?)
    }

    /// The members, this device's role, and what was quarantined.
    pub fn members(&self) -> Result<MembersReport, CompanionError> {
        Ok(self.lock().members()?)
    }
}

/// Told what a live subscription ([`HealthRecord::subscribe`]) does, on its own thread.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// A sync ran: the first one, and then each that moved anything (changes that arrived or
    /// were sent, membership news).
    fn on_sync(&self, report: SyncReport);
    /// The relay could not be reached; the subscription keeps trying (nothing is lost).
    fn on_unreachable(&self);
    /// The subscription stopped for good: `reason` says why (the relay refused this device,
    /// say, `not_member`); after [`Subscription::cancel`] it is `cancelled`.
    fn on_stopped(&self, reason: String);
}

/// A live subscription to the record's relay: while it runs, the device waits at the relay
/// for news (long polls of up to 25 seconds) and syncs as soon as any arrives, and at least
/// once per wait for its own changes. The record is locked only while a sync runs.
#[derive(uniffi::Object)]
pub struct Subscription {
    stop: Arc<std::sync::atomic::AtomicBool>,
}

#[uniffi::export]
impl Subscription {
    /// Stops the subscription after the wait under way (at most 25 seconds; the listener
    /// hears `on_stopped("cancelled")`). Returns at once.
    pub fn cancel(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[uniffi::export]
impl HealthRecord {
    /// Starts a live subscription (a thread of its own): sync, then wait at the relay for
    /// news and sync when it comes, until cancelled or refused. `wait_seconds` (1 to 25) is
    /// the longest wait of one long poll. The record must be shared.
    pub fn subscribe(
        self: Arc<Self>,
        transport: Arc<dyn RelayTransport>,
        listener: Arc<dyn SyncListener>,
        wait_seconds: u32,
    ) -> Result<Arc<Subscription>, CompanionError> {
        if !(1..=25).contains(&wait_seconds) {
            return Err(CompanionError::invalid("wait_seconds", "between 1 and 25"));
        }
        if !self.lock().is_shared()? {
            return Err(core::Error::Sync(core::sync::SyncError::NotShared).into());
        }
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("companion-subscription".into())
            .spawn(move || {
                let reason = follow(&self, transport, &*listener, &flag, wait_seconds);
                listener.on_stopped(reason);
            })
            .map_err(|_| CompanionError::invalid("subscribe", "no thread could be started"))?;
        Ok(Arc::new(Subscription { stop }))
    }
}

/// The subscription's loop; returns why it stopped.
fn follow(
    record: &HealthRecord,
    transport: Arc<dyn RelayTransport>,
    listener: &dyn SyncListener,
    stop: &std::sync::atomic::AtomicBool,
    wait_seconds: u32,
) -> String {
    use core::sync::SyncError;
    let mut shell = Shell(transport);
    let mut first = true;
    let mut pause = Duration::from_secs(1);
    loop {
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            return "cancelled".into();
        }
        // Locked for the sync only: other calls run while the subscription waits.
        let synced = {
            let mut r = record.lock();
            r.sync(&mut shell, &mut |_| {})
                .and_then(|report| Ok((report, r.watch()?)))
        };
        let watch = match synced {
            Ok((report, watch)) => {
                pause = Duration::from_secs(1);
                if first || report.pushed + report.applied + report.membership > 0 {
                    listener.on_sync(report);
                }
                first = false;
                watch
            }
            Err(core::Error::Sync(SyncError::Unreachable { .. })) => {
                listener.on_unreachable();
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(60));
                continue;
            }
            Err(e) => return CompanionError::from(e).to_string(),
        };
        match watch.wait(&mut shell, u64::from(wait_seconds)) {
            Ok(_) | Err(core::Error::Sync(SyncError::Unreachable { .. })) => {}
            Err(e) => return CompanionError::from(e).to_string(),
        }
    }
}
