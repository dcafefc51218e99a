//! A device's own keys, and where they are kept.

use super::{CryptoError, DhSecret, KEY_LEN, SigningKey, sha256};

/// A device's long-lived keys: Ed25519 to sign what it writes and every request it makes, a
/// static X25519 key to receive record keys wrapped to it. Its id is derived from the signing
/// key, so no device can claim another's id.
#[derive(Debug)]
pub struct DeviceKeys {
    /// Signs envelopes, membership entries and requests.
    pub signing: SigningKey,
    /// Receives record keys wrapped to this device.
    pub agreement: DhSecret,
}

impl DeviceKeys {
    /// New random keys.
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(Self {
            signing: SigningKey::generate()?,
            agreement: DhSecret::generate()?,
        })
    }

    /// The device id: the first 16 bytes of SHA-256 of the Ed25519 public key, in hex.
    pub fn id(&self) -> String {
        device_id(&self.signing.public())
    }

    /// The 64 bytes to keep: the signing seed, then the X25519 secret.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 * KEY_LEN);
        out.extend_from_slice(self.signing.seed());
        out.extend_from_slice(&self.agreement.to_bytes());
        out
    }

    /// The keys [`DeviceKeys::to_bytes`] gave.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != 2 * KEY_LEN {
            return Err(CryptoError::BadKey);
        }
        let mut seed = [0u8; KEY_LEN];
        seed.copy_from_slice(&bytes[..KEY_LEN]);
        let mut dh = [0u8; KEY_LEN];
        dh.copy_from_slice(&bytes[KEY_LEN..]);
        Ok(Self {
            signing: SigningKey::from_seed(&seed)?,
            agreement: DhSecret::from_bytes(dh),
        })
    }
}

/// The device id of an Ed25519 public key (see [`DeviceKeys::id`]).
pub fn device_id(signing_public: &[u8]) -> String {
    super::hex(&sha256(signing_public)[..16])
}
