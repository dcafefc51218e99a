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

pub use companion_protocol::{ProtocolError, Role, invite, membership, wire};

pub use client::{
    ChangesBy, InviteInfo, MOST_WAIT_SECONDS, MemberInfo, MembersReport, MissingData, Phase,
    Progress, QuarantinedItem, SyncReport, Watch, split_relay_token,
};
pub(crate) use client::{
    Client, fetch_invite, join_entry, join_state, last_synced, missing_data, note_no_longer_member,
    note_synced, notify_choice, post_join, secret_names, set_notify_choice, stored_relay,
};
#[cfg(feature = "http")]
pub use http::HttpTransport;

use crate::crypto::CryptoError;

/// What sharing can fail with. The texts say what failed, never a value from the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// Bytes from the relay or another member are not in the protocol's form.
    #[error("malformed {what}")]
    Malformed {
        /// What was being read.
        what: &'static str,
    },
    /// A cryptographic operation failed (a ciphertext that does not open, bad randomness).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A membership entry is not valid where it stands in the log.
    #[error("membership entry refused: {why}")]
    MembershipRefused {
        /// Why.
        why: &'static str,
    },
    /// The relay refused the request (`status`, and its error `code`, such as
    /// `invite_used`, `invite_expired`, `not_member`, `forbidden`, `replay`).
    #[error("the relay refused the request ({status} {code})")]
    Relay {
        /// The HTTP status.
        status: u16,
        /// The relay's error code.
        code: String,
    },
    /// The relay refused the request because this device's clock is far from the relay's:
    /// `minutes` off, `ahead` or behind. Nothing can sync until the date and time are set.
    #[error("this device's clock is {minutes} minutes {}; set the date and time", if *ahead { "ahead" } else { "behind" })]
    ClockOff {
        /// How far off, in whole minutes (rounded).
        minutes: u64,
        /// Whether the device's clock is ahead of the relay's (else behind).
        ahead: bool,
    },
    /// The relay could not be reached, after retries.
    #[error("the relay could not be reached: {detail}")]
    Unreachable {
        /// What the transport said (no record data in it).
        detail: String,
    },
    /// The record is not shared yet (invite someone first, or join with an invite).
    #[error("this record is not shared through a relay")]
    NotShared,
    /// The record is already shared through a relay.
    #[error("this record is already shared through a relay")]
    AlreadyShared,
    /// Only the record's owner may do this (invite or remove members).
    #[error("only the record's owner may do this")]
    NotOwner,
    /// The invite is unknown to the relay, already used, or expired.
    #[error("the invite is {0}")]
    Invite(&'static str),
    /// A replica file that a shared record cannot take: not signed by one of its current
    /// members' devices (`why`). Nothing was merged.
    #[error("the replica file cannot be merged into this shared record: {why}; nothing was merged")]
    ReplicaRefused {
        /// Why.
        why: &'static str,
    },
    /// A replica file whose changes write `collection`, which its author's role or this
    /// device's may not (what this device merges it passes on to the others under its own
    /// name). Nothing was merged.
    #[error(
        "the replica file writes {collection}, which its author (a {role}) or this device may not; nothing was merged"
    )]
    ReplicaNotPermitted {
        /// The author's role.
        role: Role,
        /// The collection written.
        collection: String,
    },
}

impl From<ProtocolError> for SyncError {
    fn from(e: ProtocolError) -> Self {
        match e {
            ProtocolError::Malformed { what } => Self::Malformed { what },
            ProtocolError::Crypto(c) => Self::Crypto(c),
            ProtocolError::MembershipRefused { why } => Self::MembershipRefused { why },
        }
    }
}

impl From<ProtocolError> for crate::Error {
    fn from(e: ProtocolError) -> Self {
        Self::Sync(e.into())
    }
}

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
