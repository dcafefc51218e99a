//! What sharing can fail with.

use crate::Role;
use crate::crypto::CryptoError;

/// What sharing can fail with, on a device or at the relay. The texts say what failed, never a
/// value from the record. Not `non_exhaustive`: the core words each one, and a new one must
/// be worded too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
