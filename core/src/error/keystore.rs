//! Why a key store could not answer: the error of the `KeyStore` trait a shell implements.

/// Why a key store could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyStoreError {
    /// The key store cannot be used now (the phone is locked, the user refused, the hardware
    /// key was invalidated).
    #[error("the key store is unavailable: {detail}")]
    Unavailable {
        /// What the platform said, with no secret and no patient value in it.
        detail: String,
    },
    /// The key store's file could not be read or written.
    #[error("the key store file could not be {doing}")]
    Io {
        /// `read` or `written`.
        doing: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The key store's file is not one this code wrote.
    #[error("the key store file is damaged")]
    Damaged,
}
