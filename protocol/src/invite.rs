//! Invites: a random secret, shown as a code or a QR payload, from which the invitee derives
//! the invite's id, the key of its bundle and its capability key.

use serde::{Deserialize, Serialize};

use crate::crypto::{self, KEY_LEN, SigningKey};

use crate::{Role, SyncError};

/// Invite codes are RFC 4648 base32 without padding (read in either case).
const BASE32: base32::Alphabet = base32::Alphabet::Rfc4648 { padding: false };

/// Bytes of an invite's secret: 160 bits, all of them in both the code and the QR payload.
pub const SECRET_LEN: usize = 20;

/// What the inviter seals for the invitee: all a new device needs to join and read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// The record id.
    pub record: String,
    /// The relay's address.
    pub relay: String,
    /// The role offered.
    pub role: Role,
    /// The current key epoch.
    pub epoch: u32,
    /// The record key of every epoch so far (base64), so the new member reads the whole log.
    pub keys: std::collections::BTreeMap<u32, String>,
    /// The record's naming key (snapshot slots), base64.
    pub naming: String,
}

/// An invite's secret and what derives from it.
pub struct Invite {
    secret: [u8; SECRET_LEN],
    /// The relay's address.
    pub relay: String,
}

impl Invite {
    /// A new invite to the relay at `relay`.
    pub fn generate(relay: &str) -> Result<Self, SyncError> {
        Ok(Self {
            secret: crypto::random().map_err(SyncError::Crypto)?,
            relay: relay.trim_end_matches('/').to_string(),
        })
    }

    /// The invite's id at the relay: 16 bytes derived from the secret, in hex. Knowing it
    /// reveals nothing of the bundle key or the capability.
    pub fn id(&self) -> String {
        crypto::hex(&self.derive("companion-invite-id")[..16])
    }

    /// The key the bundle is sealed under.
    pub fn bundle_key(&self) -> [u8; KEY_LEN] {
        self.derive("companion-invite-bundle")
    }

    /// The capability key: the owner's invite entry names its public half; the joining device
    /// signs its join entry with it.
    pub fn capability(&self) -> Result<SigningKey, SyncError> {
        SigningKey::from_seed(&self.derive("companion-invite-capability"))
            .map_err(SyncError::Crypto)
    }

    fn derive(&self, label: &str) -> [u8; KEY_LEN] {
        crypto::derive(&self.secret, b"companion-invite-v1", label)
    }

    /// The code a person passes on: the secret in base32, in groups of four, `@` the relay.
    pub fn code(&self) -> String {
        let b32 = base32::encode(BASE32, &self.secret);
        let groups: Vec<String> = b32
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        format!("{}@{}", groups.join("-"), self.relay)
    }

    /// The QR payload: a `companion:` URI with the relay and the secret.
    pub fn qr_payload(&self) -> String {
        format!(
            "companion:join?relay={}&secret={}",
            percent_encode(&self.relay),
            base32::encode(BASE32, &self.secret)
        )
    }

    /// Reads a code or a QR payload (what [`Invite::code`] or [`Invite::qr_payload`] made).
    pub fn parse(text: &str) -> Result<Self, SyncError> {
        let bad = SyncError::Malformed {
            what: "invite code",
        };
        let text = text.trim();
        let (secret, relay) = if let Some(query) = text.strip_prefix("companion:join?") {
            let mut relay = None;
            let mut secret = None;
            for pair in query.split('&') {
                match pair.split_once('=') {
                    Some(("relay", v)) => relay = Some(percent_decode(v).ok_or(bad.clone())?),
                    Some(("secret", v)) => secret = Some(v.to_string()),
                    _ => {}
                }
            }
            (secret.ok_or(bad.clone())?, relay.ok_or(bad.clone())?)
        } else {
            let (s, r) = text.split_once('@').ok_or(bad.clone())?;
            (s.replace('-', ""), r.to_string())
        };
        // Only the canonical spelling: base32 decoding drops a stray last character's bits.
        let secret = secret.to_ascii_uppercase();
        let bytes = base32::decode(BASE32, &secret)
            .filter(|b| base32::encode(BASE32, b) == secret)
            .ok_or(bad.clone())?;
        let secret: [u8; SECRET_LEN] = bytes.try_into().map_err(|_| bad.clone())?;
        // An address with a host, nothing invisible in it: what `code` writes must parse.
        let relay = relay.trim_end_matches('/');
        let host = relay
            .strip_prefix("http://")
            .or_else(|| relay.strip_prefix("https://"))
            .ok_or(bad.clone())?;
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad);
        }
        Ok(Self {
            secret,
            relay: relay.to_string(),
        })
    }

    /// Seals `bundle` for whoever holds the secret.
    pub fn seal_bundle(&self, bundle: &Bundle) -> Result<Vec<u8>, SyncError> {
        let plain =
            serde_json::to_vec(bundle).map_err(|_| SyncError::Malformed { what: "bundle" })?;
        crypto::seal(&self.bundle_key(), self.id().as_bytes(), &plain).map_err(SyncError::Crypto)
    }

    /// Opens a bundle sealed for this invite.
    pub fn open_bundle(&self, sealed: &[u8]) -> Result<Bundle, SyncError> {
        let plain = crypto::open(&self.bundle_key(), self.id().as_bytes(), sealed)
            .map_err(SyncError::Crypto)?;
        serde_json::from_slice(&plain).map_err(|_| SyncError::Malformed { what: "bundle" })
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzz target `invite`: a code whose relay is `http://` and a line break
    /// parsed, and its own code then did not.
    #[test]
    fn a_relay_without_a_host_is_refused() {
        for code in [
            "2WO3-3OHE-DD22-H2T6-PPJU-CBHA-ZMWD-KQNX@http://\r\n",
            "2WO3-3OHE-DD22-H2T6-PPJU-CBHA-ZMWD-KQNX@https:///",
            "2WO3-3OHE-DD22-H2T6-PPJU-CBHA-ZMWD-KQNX@http://relay .example",
            "companion:join?relay=http%3A%2F%2F&secret=2WO33OHEDD22H2T6PPJUCBHAZMWDKQNX",
        ] {
            assert!(Invite::parse(code).is_err(), "{code:?}");
        }
        let ok = Invite::parse("2WO3-3OHE-DD22-H2T6-PPJU-CBHA-ZMWD-KQNX@http://127.0.0.1:8080/")
            .expect("a code");
        assert_eq!(Invite::parse(&ok.code()).expect("again").id(), ok.id());
    }

    /// The code is RFC 4648 base32 of the secret (Python's `base64.b32encode` gives the same),
    /// in groups of four, read back in either case.
    #[test]
    fn the_code_is_rfc4648_base32_in_groups() {
        let secret: [u8; SECRET_LEN] = std::array::from_fn(|i| i as u8);
        let invite = Invite {
            secret,
            relay: "https://relay.example".into(),
        };
        let code = invite.code();
        assert_eq!(
            code,
            "AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT@https://relay.example"
        );
        let lower = Invite::parse(&code.to_lowercase()).expect("lower");
        assert_eq!(lower.secret, secret);
        // One character too many or too few, or one outside the alphabet: refused.
        assert!(Invite::parse("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQTA@http://x").is_err());
        assert!(Invite::parse("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQ@http://x").is_err());
        assert!(Invite::parse("AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQ1@http://x").is_err());
    }

    #[test]
    fn code_and_qr_payload_carry_the_whole_secret_and_the_relay() {
        let invite = Invite::generate("http://127.0.0.1:8080/").expect("invite");
        let from_code = Invite::parse(&invite.code()).expect("code");
        let from_qr = Invite::parse(&invite.qr_payload()).expect("qr");
        for other in [&from_code, &from_qr] {
            assert_eq!(other.id(), invite.id());
            assert_eq!(other.relay, "http://127.0.0.1:8080");
            assert_eq!(other.bundle_key(), invite.bundle_key());
        }
        assert!(Invite::parse("ABCD@http://x").is_err());
        assert!(Invite::parse(&invite.code().replace("http://", "ftp://")).is_err());
        let bundle = Bundle {
            record: "r".into(),
            relay: invite.relay.clone(),
            role: Role::Viewer,
            epoch: 0,
            keys: [(0, "k".to_string())].into(),
            naming: "n".into(),
        };
        let sealed = invite.seal_bundle(&bundle).expect("seal");
        assert_eq!(from_qr.open_bundle(&sealed).expect("open"), bundle);
        let stranger = Invite::generate("http://127.0.0.1:8080").expect("invite");
        assert!(stranger.open_bundle(&sealed).is_err());
    }
}
