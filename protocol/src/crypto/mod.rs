//! The cryptography of sharing, as thin wrappers over ring (AEAD, HKDF, Ed25519, randomness)
//! and x25519-dalek (static X25519, which ring does not offer). No primitive is written here;
//! each construction (labels, nonces, what is signed) is written down in docs/sync-protocol.md.
//!
//! - [`seal`] / [`open`]: ChaCha20-Poly1305 under a 256-bit key, a fresh random 96-bit nonce
//!   per message, sent in front of the ciphertext; additional data binds the header it travels
//!   with.
//! - [`derive`]: HKDF-SHA256 with a label per use.
//! - [`SigningKey`] / [`verify`]: Ed25519 (RFC 8032).
//! - [`DhSecret`]: a static X25519 key, for wrapping a record key to one device.

mod keys;

pub use keys::{DeviceKeys, device_id};

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

/// Length of a symmetric key, an Ed25519 public key or an X25519 public key, in bytes.
pub const KEY_LEN: usize = 32;
/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;
/// What [`seal`] adds to a plaintext: the nonce in front and the tag behind.
pub const SEAL_OVERHEAD: usize = NONCE_LEN + 16;

/// What a cryptographic operation failed with. The texts say what failed, never with what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The system's random number generator failed.
    #[error("the system's random number generator failed")]
    Random,
    /// A ciphertext did not open: altered, truncated, or sealed under another key or header.
    #[error("a ciphertext failed authentication (altered, or sealed under another key)")]
    Open,
    /// A key had the wrong length or form.
    #[error("a key is malformed")]
    BadKey,
}

/// `N` bytes from the operating system's secure random number generator.
pub fn random<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| CryptoError::Random)?;
    Ok(out)
}

/// Encrypts `plaintext` under `key`, binding `aad`: `nonce (12) || ciphertext || tag (16)`.
/// Every call draws a fresh random nonce, so the same key may seal up to 2^32 messages safely.
pub fn seal(key: &[u8; KEY_LEN], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let nonce_bytes: [u8; NONCE_LEN] = random()?;
    let key = aead_key(key)?;
    let mut out = Vec::with_capacity(plaintext.len() + SEAL_OVERHEAD);
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(plaintext);
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce_bytes),
            Aad::from(aad),
            &mut out[NONCE_LEN..],
        )
        .map_err(|_| CryptoError::Random)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Decrypts what [`seal`] made under the same `key` and `aad`; anything altered fails with
/// [`CryptoError::Open`].
pub fn open(key: &[u8; KEY_LEN], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < SEAL_OVERHEAD {
        return Err(CryptoError::Open);
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::Open)?;
    let mut body = body.to_vec();
    let plain = aead_key(key)?
        .open_in_place(nonce, Aad::from(aad), &mut body)
        .map_err(|_| CryptoError::Open)?;
    let len = plain.len();
    body.truncate(len);
    Ok(body)
}

fn aead_key(key: &[u8; KEY_LEN]) -> Result<LessSafeKey, CryptoError> {
    UnboundKey::new(&CHACHA20_POLY1305, key)
        .map(LessSafeKey::new)
        .map_err(|_| CryptoError::BadKey)
}

/// HKDF-SHA256: a 256-bit key for the use named by `label`, from input keying material `ikm`
/// and `salt`.
pub fn derive(ikm: &[u8], salt: &[u8], label: &str) -> [u8; KEY_LEN] {
    struct Len;
    impl ring::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            KEY_LEN
        }
    }
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(ikm);
    let info = [label.as_bytes()];
    let mut out = [0u8; KEY_LEN];
    // Expanding 32 bytes with SHA-256 cannot fail (the limit is 255 * 32).
    if let Ok(okm) = prk.expand(&info, Len) {
        let _ = okm.fill(&mut out);
    }
    out
}

/// An Ed25519 signing key, kept as its 32-byte seed.
pub struct SigningKey {
    seed: [u8; KEY_LEN],
    pair: Ed25519KeyPair,
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Result<Self, CryptoError> {
        Self::from_seed(&random()?)
    }

    /// The key whose seed is `seed` (as [`SigningKey::seed`] returned it, or derived).
    pub fn from_seed(seed: &[u8; KEY_LEN]) -> Result<Self, CryptoError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| CryptoError::BadKey)?;
        Ok(Self { seed: *seed, pair })
    }

    /// The seed, to store the key.
    pub fn seed(&self) -> &[u8; KEY_LEN] {
        &self.seed
    }

    /// The public key.
    pub fn public(&self) -> [u8; KEY_LEN] {
        let mut out = [0u8; KEY_LEN];
        out.copy_from_slice(self.pair.public_key().as_ref());
        out
    }

    /// The signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out.copy_from_slice(self.pair.sign(message).as_ref());
        out
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &hex(&self.public()))
            .finish_non_exhaustive()
    }
}

/// Whether `signature` is `public`'s Ed25519 signature of `message`.
pub fn verify(public: &[u8], message: &[u8], signature: &[u8]) -> bool {
    UnparsedPublicKey::new(&ED25519, public)
        .verify(message, signature)
        .is_ok()
}

/// A static X25519 secret: the device's key for receiving a record key wrapped to it.
pub struct DhSecret(x25519_dalek::StaticSecret);

impl DhSecret {
    /// A new random secret.
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(Self::from_bytes(random()?))
    }

    /// The secret of these bytes (as [`DhSecret::to_bytes`] returned them).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(x25519_dalek::StaticSecret::from(bytes))
    }

    /// The secret's bytes, to store it.
    pub fn to_bytes(&self) -> [u8; KEY_LEN] {
        self.0.to_bytes()
    }

    /// The public key to publish.
    pub fn public(&self) -> [u8; KEY_LEN] {
        x25519_dalek::PublicKey::from(&self.0).to_bytes()
    }

    /// A key shared with the holder of `peer`'s secret, for the use named by `label`: the
    /// X25519 result passed through HKDF with both public keys as salt (sender's first). Fails
    /// on a peer key that yields no contribution (a low-order point).
    pub fn agree(
        &self,
        peer: &[u8; KEY_LEN],
        sender_public: &[u8; KEY_LEN],
        receiver_public: &[u8; KEY_LEN],
        label: &str,
    ) -> Result<[u8; KEY_LEN], CryptoError> {
        let shared = self.0.diffie_hellman(&x25519_dalek::PublicKey::from(*peer));
        if !shared.was_contributory() {
            return Err(CryptoError::BadKey);
        }
        let mut salt = Vec::with_capacity(2 * KEY_LEN);
        salt.extend_from_slice(sender_public);
        salt.extend_from_slice(receiver_public);
        Ok(derive(shared.as_bytes(), &salt, label))
    }
}

impl std::fmt::Debug for DhSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DhSecret").finish_non_exhaustive()
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_header() {
        let key = [7u8; KEY_LEN];
        let sealed = seal(&key, b"header", b"marker-text").expect("seal");
        assert_eq!(sealed.len(), b"marker-text".len() + SEAL_OVERHEAD);
        assert!(!sealed.windows(11).any(|w| w == b"marker-text"));
        assert_eq!(
            open(&key, b"header", &sealed).expect("open"),
            b"marker-text"
        );
        assert_eq!(
            open(&[8u8; KEY_LEN], b"header", &sealed),
            Err(CryptoError::Open)
        );
        assert_eq!(open(&key, b"other", &sealed), Err(CryptoError::Open));
        let mut altered = sealed.clone();
        altered[SEAL_OVERHEAD] ^= 1;
        assert_eq!(open(&key, b"header", &altered), Err(CryptoError::Open));
        assert_eq!(open(&key, b"header", &sealed[..10]), Err(CryptoError::Open));
        // A fresh nonce each time.
        assert_ne!(
            seal(&key, b"header", b"x").expect("seal"),
            seal(&key, b"header", b"x").expect("seal")
        );
    }

    #[test]
    fn signatures_verify_only_for_their_message_and_key() {
        let key = SigningKey::generate().expect("key");
        let sig = key.sign(b"message");
        assert!(verify(&key.public(), b"message", &sig));
        assert!(!verify(&key.public(), b"messagf", &sig));
        let other = SigningKey::generate().expect("key");
        assert!(!verify(&other.public(), b"message", &sig));
        let again = SigningKey::from_seed(key.seed()).expect("key");
        assert_eq!(again.public(), key.public());
    }

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 section 7.1, TEST 1: the empty message.
        let seed = unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        let key = SigningKey::from_seed(&seed.try_into().expect("32")).expect("key");
        assert_eq!(
            hex(&key.public()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex(&key.sign(b"")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn both_sides_of_an_agreement_derive_the_same_key() {
        let a = DhSecret::generate().expect("a");
        let b = DhSecret::generate().expect("b");
        let (pa, pb) = (a.public(), b.public());
        let k1 = a.agree(&pb, &pa, &pb, "wrap").expect("agree");
        let k2 = b.agree(&pa, &pa, &pb, "wrap").expect("agree");
        assert_eq!(k1, k2);
        assert_ne!(k1, a.agree(&pb, &pa, &pb, "other").expect("agree"));
        assert_eq!(
            a.agree(&[0u8; KEY_LEN], &pa, &pb, "wrap"),
            Err(CryptoError::BadKey)
        );
    }

    fn unhex(s: &str) -> Vec<u8> {
        ::hex::decode(s).expect("hex")
    }
}
