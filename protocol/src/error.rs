//! What reading or judging protocol data can fail with.

use crate::crypto::CryptoError;

/// What reading or judging protocol data can fail with. The texts say what failed, never a
/// value from a record (the core's `SyncError` carries each variant under the same name).
/// Not `non_exhaustive`: the core words each one, and a new one must be worded too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
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
}
