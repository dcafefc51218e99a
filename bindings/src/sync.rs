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
    InviteInfo, MemberInfo, MembersReport, Phase, Progress, QuarantinedItem, Request, Response,
    Role, SyncReport, Transport,
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
    /// Items quarantined, oldest first.
    pub quarantined: Vec<QuarantinedItem>,
    /// Envelopes held for missing changes.
    pub held: u64,
    /// The log position read up to.
    pub cursor: u64,
    /// Local changes not yet acknowledged by the relay.
    pub unsent: u64,
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
struct Shell(Arc<dyn RelayTransport>);

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

fn report_to(progress: Option<Arc<dyn SyncProgress>>) -> impl FnMut(Progress) {
    move |p| {
        if let Some(cb) = &progress {
            cb.on_progress(p);
        }
    }
}

#[uniffi::export]
impl HealthRecord {
    /// Joins a shared record with an invite code or QR payload: creates the replica at
    /// `path` (which must not hold a record), then syncs. A refused invite leaves no file.
    #[uniffi::constructor]
    pub fn join_invite(
        path: String,
        code: String,
        transport: Arc<dyn RelayTransport>,
        progress: Option<Arc<dyn SyncProgress>>,
    ) -> Result<Arc<Self>, CompanionError> {
        let (record, _) = core::HealthRecord::join_invite(
            Path::new(&path),
            &code,
            &mut Shell(transport),
            &mut report_to(progress),
        )?;
        Ok(Self::wrap(record))
    }

    /// Whether the record is shared through a relay.
    pub fn is_shared(&self) -> Result<bool, CompanionError> {
        Ok(self.lock().is_shared()?)
    }

    /// Invites a member with `role` for `valid_hours`; the first invite shares the record
    /// through `relay`. Only the owner may.
    pub fn invite(
        &self,
        role: Role,
        valid_hours: u32,
        relay: Option<String>,
        transport: Arc<dyn RelayTransport>,
    ) -> Result<InviteInfo, CompanionError> {
        if valid_hours == 0 || valid_hours > 24 * 30 {
            return Err(CompanionError::invalid("valid_hours", "between 1 and 720"));
        }
        Ok(self.lock().invite(
            role,
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
