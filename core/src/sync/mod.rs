//! Sharing a record through a relay that cannot read it (docs/sync-protocol.md).
//!
//! The protocol itself is the `companion-protocol` crate (shared with the relay), re-exported
//! here:
//! - [`wire`]: envelopes, snapshots, log pages, request signatures.
//! - [`membership`]: the signed membership log and its replay.
//! - [`invite`]: invite secrets, codes and bundles.
//! - [`Role`]: who may write what.
//!
//! This module holds
//! - the client (`client`), which pushes this replica's changes, pulls the log and applies
//!   it through the store's remote-change path, over any [`Transport`] (so that tests can
//!   drive it through a faulty one); [`HttpTransport`] is the real one.

mod client;
#[cfg(feature = "http")]
mod http;
pub(crate) mod replica;

pub use companion_protocol::{Role, SyncError, invite, membership, wire};

pub use client::{
    ChangesBy, InviteInfo, MOST_WAIT_SECONDS, MemberInfo, MembersReport, MissingData,
    PendingInvite, Phase, Progress, QuarantinedItem, SyncReport, Watch, split_relay_token,
};
pub(crate) use client::{
    Client, fetch_invite, join_entry, join_state, last_synced, missing_data, note_no_longer_member,
    note_synced, notify_choice, post_join, secret_names, set_notify_choice, stored_relay,
};
#[cfg(feature = "http")]
pub use http::HttpTransport;

/// One HTTP request, as the client makes it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST` or `PUT`.
    pub method: &'static str,
    /// Path and query, from the relay's root (`/v1/records/…`).
    pub path: String,
    /// Headers (the authentication headers among them).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// One HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Moves requests to a relay and back. The sync client needs nothing else of the network;
/// tests drive it through transports that fail, drop or duplicate.
pub trait Transport {
    /// Sends `request` to the relay at `base` (`http://127.0.0.1:8080`). An `Err` is a
    /// failure to get any response (refused connection, timeout); the client retries those.
    fn send(&mut self, base: &str, request: &Request) -> Result<Response, String>;
}
