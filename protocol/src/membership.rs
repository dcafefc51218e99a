//! The membership log: signed entries that say who belongs to a record and in which role.
//! Every replica and the relay replay it alike, in the relay's order, and judge each envelope
//! by the membership as it stands at the envelope's position.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::crypto::{self, SigningKey};

use crate::{Role, SyncError};

/// The label every membership signature is made over, before the body.
const LABEL: &[u8] = b"companion-membership-v1\n";

/// A device as the membership log names it: its id and public keys (base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceCard {
    /// The device id (hex of the first 16 bytes of SHA-256 of `sign`).
    pub id: String,
    /// Ed25519 public key.
    pub sign: String,
    /// X25519 public key.
    pub dh: String,
}

impl DeviceCard {
    /// The card of a device with these keys.
    pub fn of(keys: &crypto::DeviceKeys) -> Self {
        Self {
            id: keys.id(),
            sign: b64(&keys.signing.public()),
            dh: b64(&keys.agreement.public()),
        }
    }

    /// The Ed25519 public key, checked against the id.
    pub fn signing_key(&self) -> Result<Vec<u8>, SyncError> {
        let key = unb64(&self.sign)?;
        if crypto::device_id(&key) != self.id {
            return Err(SyncError::Malformed {
                what: "device card",
            });
        }
        Ok(key)
    }
}

/// What a membership entry says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", try_from = "RawBody")]
pub enum Body {
    /// The record is shared; `device` is its owner. Signed by that device.
    Genesis {
        /// The record id.
        record: String,
        /// The owner's device.
        device: DeviceCard,
        /// The owner's display name, sealed ([`seal_name`]): the relay never reads it.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// When the record was shared (Unix milliseconds, the owner's clock).
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<i64>,
    },
    /// The owner `by` offers `role` to whoever holds the invite's secret, until `expires`.
    /// Signed by `by`.
    Invite {
        /// The record id.
        record: String,
        /// The invite's id (derived from its secret).
        invite: String,
        /// The invite's capability key (Ed25519, derived from its secret), base64.
        capability: String,
        /// The role it grants.
        role: Role,
        /// Unix milliseconds after which the relay refuses it.
        expires: i64,
        /// The inviting owner's device id.
        by: String,
        /// Whom the owner invites, as the owner named them, sealed ([`seal_name`]).
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// When the owner issued it, having confirmed what the role may see and do (Unix
        /// milliseconds, the owner's clock).
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<i64>,
    },
    /// `device` takes up the invite. Signed by the invite's capability key, then by the device.
    Join {
        /// The record id.
        record: String,
        /// The invite taken up.
        invite: String,
        /// The joining device.
        device: DeviceCard,
        /// The role (the invite's).
        role: Role,
        /// The joining member's name for themselves, sealed ([`seal_name`]); without it
        /// they are shown by the name the owner gave the invite.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// When the device joined (Unix milliseconds, its clock).
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<i64>,
    },
    /// The owner `by` moves the record to key epoch `epoch` (after a member left on its own),
    /// the key wrapped for every other member. Signed by `by`.
    Rotate {
        /// The record id.
        record: String,
        /// The owner's device id.
        by: String,
        /// The new key epoch.
        epoch: u32,
        /// The new key, wrapped for each member but the owner.
        keys: Vec<WrappedKey>,
    },
    /// The owner `by` removes `device` (or `device` leaves, `by` being itself: then with the
    /// current epoch and no keys) and moves the record to key epoch `epoch` (the next
    /// one), whose key is wrapped for every remaining member in `keys`. Signed by `by`.
    Remove {
        /// The record id.
        record: String,
        /// The device removed.
        device: String,
        /// The removing owner's device id.
        by: String,
        /// The new key epoch.
        epoch: u32,
        /// The new key, wrapped for each remaining member.
        keys: Vec<WrappedKey>,
    },
}

/// A membership entry's body as JSON holds it: its type and every type's fields, flat. Read
/// this way rather than as an internally tagged enum, whose reading buffers every value first
/// and costs the phone library a copy of serde's buffering code (docs/storage.md, "Size").
/// `device` is a device card (genesis, join) or a device id (remove), so it is read per type.
#[derive(Deserialize)]
struct RawBody {
    #[serde(rename = "type")]
    kind: BodyType,
    record: String,
    device: Option<serde_json::Value>,
    invite: Option<String>,
    capability: Option<String>,
    role: Option<Role>,
    expires: Option<i64>,
    by: Option<String>,
    epoch: Option<u32>,
    keys: Option<Vec<WrappedKey>>,
    name: Option<String>,
    at: Option<i64>,
}

/// The name of a body's type.
#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum BodyType {
    Genesis,
    Invite,
    Join,
    Rotate,
    Remove,
}

impl TryFrom<RawBody> for Body {
    type Error = &'static str;

    fn try_from(raw: RawBody) -> Result<Self, Self::Error> {
        fn device<T: serde::de::DeserializeOwned>(
            v: Option<serde_json::Value>,
        ) -> Result<T, &'static str> {
            per_type(v, "missing field `device`", "invalid value for `device`")
        }
        let record = raw.record;
        Ok(match raw.kind {
            BodyType::Genesis => Self::Genesis {
                record,
                device: device(raw.device)?,
                name: raw.name,
                at: raw.at,
            },
            BodyType::Invite => Self::Invite {
                record,
                invite: raw.invite.ok_or("missing field `invite`")?,
                capability: raw.capability.ok_or("missing field `capability`")?,
                role: raw.role.ok_or("missing field `role`")?,
                expires: raw.expires.ok_or("missing field `expires`")?,
                by: raw.by.ok_or("missing field `by`")?,
                name: raw.name,
                at: raw.at,
            },
            BodyType::Join => Self::Join {
                record,
                invite: raw.invite.ok_or("missing field `invite`")?,
                device: device(raw.device)?,
                role: raw.role.ok_or("missing field `role`")?,
                name: raw.name,
                at: raw.at,
            },
            BodyType::Rotate => Self::Rotate {
                record,
                by: raw.by.ok_or("missing field `by`")?,
                epoch: raw.epoch.ok_or("missing field `epoch`")?,
                keys: raw.keys.ok_or("missing field `keys`")?,
            },
            BodyType::Remove => Self::Remove {
                record,
                device: device(raw.device)?,
                by: raw.by.ok_or("missing field `by`")?,
                epoch: raw.epoch.ok_or("missing field `epoch`")?,
                keys: raw.keys.ok_or("missing field `keys`")?,
            },
        })
    }
}

/// A field whose type depends on the body's type (`device`: a card or an id), kept as JSON
/// while reading, then read as that type. A missing (`missing`) or ill-typed (`invalid`)
/// field is refused.
fn per_type<T: serde::de::DeserializeOwned>(
    value: Option<serde_json::Value>,
    missing: &'static str,
    invalid: &'static str,
) -> Result<T, &'static str> {
    serde_json::from_value(value.ok_or(missing)?).map_err(|_| invalid)
}

/// A record key wrapped for one device: sealed under a key agreed between the owner's and the
/// device's static X25519 keys (docs/sync-protocol.md, "Key rotation").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    /// The device it is for.
    pub device: String,
    /// The sealed key, base64.
    pub sealed: String,
}

/// The label of the key agreed for wrapping a record key.
const WRAP_LABEL: &str = "companion-epoch-key-v1";

fn wrap_aad(record: &str, epoch: u32, device: &str) -> Vec<u8> {
    format!("{record}\n{epoch}\n{device}").into_bytes()
}

/// Wraps `key` (epoch `epoch` of `record`) from `owner` for `member`.
pub fn wrap_key(
    owner: &crypto::DeviceKeys,
    member: &DeviceCard,
    record: &str,
    epoch: u32,
    key: &[u8; crypto::KEY_LEN],
) -> Result<WrappedKey, SyncError> {
    let member_dh: [u8; crypto::KEY_LEN] =
        unb64(&member.dh)?
            .try_into()
            .map_err(|_| SyncError::Malformed {
                what: "device card",
            })?;
    let owner_dh = owner.agreement.public();
    let kek = owner
        .agreement
        .agree(&member_dh, &owner_dh, &member_dh, WRAP_LABEL)?;
    let sealed = crypto::seal(&kek, &wrap_aad(record, epoch, &member.id), key)?;
    Ok(WrappedKey {
        device: member.id.clone(),
        sealed: b64(&sealed),
    })
}

/// Unwraps the key `wrapped` for this device (`mine`), wrapped by `owner`.
pub fn unwrap_key(
    mine: &crypto::DeviceKeys,
    owner: &DeviceCard,
    record: &str,
    epoch: u32,
    wrapped: &WrappedKey,
) -> Result<[u8; crypto::KEY_LEN], SyncError> {
    let owner_dh: [u8; crypto::KEY_LEN] =
        unb64(&owner.dh)?
            .try_into()
            .map_err(|_| SyncError::Malformed {
                what: "device card",
            })?;
    let my_dh = mine.agreement.public();
    let kek = mine
        .agreement
        .agree(&owner_dh, &owner_dh, &my_dh, WRAP_LABEL)?;
    let key = crypto::open(
        &kek,
        &wrap_aad(record, epoch, &mine.id()),
        &unb64(&wrapped.sealed)?,
    )?;
    key.try_into().map_err(|_| SyncError::Malformed {
        what: "wrapped key",
    })
}

/// A signed membership entry as stored in the log: the body's exact JSON text and its
/// signatures (base64) over [`LABEL`] followed by that text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The body, as JSON text (signatures are over these exact bytes).
    pub body: String,
    /// The signatures, in the order the body's type requires.
    pub sigs: Vec<String>,
}

impl Entry {
    /// Signs `body` with `signers`, in order.
    pub fn sign(body: &Body, signers: &[&SigningKey]) -> Result<Self, SyncError> {
        let text = serde_json::to_string(body).map_err(|_| SyncError::Malformed {
            what: "membership entry",
        })?;
        let msg = [LABEL, text.as_bytes()].concat();
        Ok(Self {
            sigs: signers.iter().map(|k| b64(&k.sign(&msg))).collect(),
            body: text,
        })
    }

    /// The entry's bytes in the log.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses an entry's bytes and its body.
    pub fn parse(bytes: &[u8]) -> Result<(Self, Body), SyncError> {
        let bad = SyncError::Malformed {
            what: "membership entry",
        };
        let entry: Entry = serde_json::from_slice(bytes).map_err(|_| bad.clone())?;
        let body: Body = serde_json::from_str(&entry.body).map_err(|_| bad)?;
        Ok((entry, body))
    }

    fn signed_by(&self, index: usize, public: &[u8]) -> bool {
        let msg = [LABEL, self.body.as_bytes()].concat();
        self.sigs
            .get(index)
            .and_then(|s| unb64(s).ok())
            .is_some_and(|sig| crypto::verify(public, &msg, &sig))
    }
}

/// A member as the log stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The device.
    pub device: DeviceCard,
    /// Its role.
    pub role: Role,
    /// The log position that admitted it.
    pub since: u64,
    /// The log position that removed it, if any.
    pub removed: Option<u64>,
    /// Its display name, sealed ([`open_name`] reads it): its own, else the one the owner
    /// gave its invite.
    pub name: Option<String>,
    /// The owner device that invited it (none for the first owner).
    pub invited_by: Option<String>,
    /// When it was invited (Unix milliseconds, the inviter's clock), if the entry says.
    pub invited_at: Option<i64>,
    /// When it joined, or shared the record for the first owner (its clock), if said.
    pub joined_at: Option<i64>,
}

/// An invite the log holds that no device has taken up yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvite {
    /// The invite's id.
    pub id: String,
    /// The role it offers.
    pub role: Role,
    /// When it expires (Unix milliseconds, the inviter's clock).
    pub expires: i64,
    /// The owner device that issued it.
    pub by: String,
    /// Whom it is for, sealed ([`open_name`] reads it).
    pub name: Option<String>,
    /// When it was issued, if the entry says.
    pub at: Option<i64>,
}

#[derive(Debug, Clone)]
struct Offer {
    capability: Vec<u8>,
    role: Role,
    expires: i64,
    used: bool,
    by: String,
    name: Option<String>,
    at: Option<i64>,
}

/// The most characters of a sealed display name: a name of at most
/// 500 characters (the longest short text the model takes), sealed, fits.
const MAX_SEALED_NAME: usize = 3_000;

/// The membership of one record, replayed from its log.
#[derive(Debug, Clone, Default)]
pub struct Membership {
    record: Option<String>,
    epoch: u32,
    unrotated: bool,
    members: BTreeMap<String, Member>,
    invites: BTreeMap<String, Offer>,
}

impl Membership {
    /// The record this membership is of, once its genesis is applied.
    pub fn record(&self) -> Option<&str> {
        self.record.as_deref()
    }

    /// The current key epoch: envelopes at this position must be sealed under it.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Every device ever admitted, removed ones included, by id.
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    /// The current (not removed) member `device`.
    pub fn member(&self, device: &str) -> Option<&Member> {
        self.members.get(device).filter(|m| m.removed.is_none())
    }

    /// Whether invite `id` is known and not yet taken up, and when it expires.
    pub fn open_invite(&self, id: &str) -> Option<(Role, i64)> {
        self.invites
            .get(id)
            .filter(|o| !o.used)
            .map(|o| (o.role, o.expires))
    }

    /// The invites not taken up yet, oldest first, with their ids (expired ones included: the
    /// caller knows the time).
    pub fn open_invites(&self) -> Vec<OpenInvite> {
        let mut open: Vec<OpenInvite> = self
            .invites
            .iter()
            .filter(|(_, o)| !o.used)
            .map(|(id, o)| OpenInvite {
                id: id.clone(),
                role: o.role,
                expires: o.expires,
                by: o.by.clone(),
                name: o.name.clone(),
                at: o.at,
            })
            .collect();
        open.sort_by_key(|o| (o.at, o.expires));
        open
    }

    /// Checks `bytes`, the entry at log position `seq`, against the membership as it stands
    /// and, if valid, applies it. A refused entry changes nothing.
    pub fn apply(&mut self, seq: u64, bytes: &[u8]) -> Result<Body, SyncError> {
        let (entry, body) = Entry::parse(bytes)?;
        let refuse = |why: &'static str| Err(SyncError::MembershipRefused { why });
        let record = match &body {
            Body::Genesis { record, .. }
            | Body::Invite { record, .. }
            | Body::Join { record, .. }
            | Body::Remove { record, .. }
            | Body::Rotate { record, .. } => record.clone(),
        };
        match (&self.record, &body) {
            (None, Body::Genesis { .. }) => {}
            (None, _) => return refuse("the log does not begin with a genesis"),
            (Some(_), Body::Genesis { .. }) => return refuse("a second genesis"),
            (Some(r), _) if *r != record => return refuse("an entry of another record"),
            _ => {}
        }
        if let Body::Genesis { name, .. } | Body::Invite { name, .. } | Body::Join { name, .. } =
            &body
            && name.as_ref().is_some_and(|n| n.len() > MAX_SEALED_NAME)
        {
            return refuse("a member name longer than a name");
        }
        match &body {
            Body::Genesis {
                device, name, at, ..
            } => {
                if !entry.signed_by(0, &device.signing_key()?) {
                    return refuse("the genesis is not signed by its device");
                }
                self.record = Some(record);
                self.members.insert(
                    device.id.clone(),
                    Member {
                        device: device.clone(),
                        role: Role::Owner,
                        since: seq,
                        removed: None,
                        name: name.clone(),
                        invited_by: None,
                        invited_at: None,
                        joined_at: *at,
                    },
                );
            }
            Body::Invite {
                invite,
                capability,
                role,
                expires,
                by,
                name,
                at,
                ..
            } => {
                // An invite may be for another owner device (the patient's second phone, or
                // the new phone that replaces a lost one).
                self.owner_signed(&entry, by)?;
                if self.invites.contains_key(invite) {
                    return refuse("an invite id used twice");
                }
                self.invites.insert(
                    invite.clone(),
                    Offer {
                        capability: unb64(capability)?,
                        role: *role,
                        expires: *expires,
                        used: false,
                        by: by.clone(),
                        name: name.clone(),
                        at: *at,
                    },
                );
            }
            Body::Join {
                invite,
                device,
                role,
                name,
                at,
                ..
            } => {
                let Some(offer) = self.invites.get(invite) else {
                    return refuse("a join on an unknown invite");
                };
                if offer.used {
                    return refuse("a join on an invite already used");
                }
                if offer.role != *role {
                    return refuse("a join with another role than its invite");
                }
                if !entry.signed_by(0, &offer.capability) {
                    return refuse("a join not signed by its invite");
                }
                if !entry.signed_by(1, &device.signing_key()?) {
                    return refuse("a join not signed by its device");
                }
                if self.members.contains_key(&device.id) {
                    return refuse("a device that is already a member");
                }
                let offer = offer.clone();
                if let Some(o) = self.invites.get_mut(invite) {
                    o.used = true;
                }
                self.members.insert(
                    device.id.clone(),
                    Member {
                        device: device.clone(),
                        role: *role,
                        since: seq,
                        removed: None,
                        name: name.clone().or(offer.name),
                        invited_by: Some(offer.by),
                        invited_at: offer.at,
                        joined_at: *at,
                    },
                );
            }
            Body::Remove {
                device,
                by,
                epoch,
                keys,
                ..
            } if device == by => {
                // A member leaving on its own: signed by itself, no new key (it would know it);
                // the owner rotates next ([`Membership::needs_rotation`]).
                let Some(m) = self.member(device) else {
                    return refuse("a removal of a device that is not a member");
                };
                if m.role == Role::Owner && self.owners() < 2 {
                    return refuse("the last owner device leaving");
                }
                if !entry.signed_by(0, &m.device.signing_key()?) {
                    return refuse("a departure not signed by the departing device");
                }
                if *epoch != self.epoch || !keys.is_empty() {
                    return refuse("a departure that changes the key");
                }
                if let Some(m) = self.members.get_mut(device) {
                    m.removed = Some(seq);
                }
                self.unrotated = true;
            }
            Body::Rotate {
                by, epoch, keys, ..
            } => {
                self.owner_signed(&entry, by)?;
                if *epoch != self.epoch + 1 {
                    return refuse("a rotation that does not move to the next key epoch");
                }
                if !self.wrapped_for_remaining(keys, by, None) {
                    return refuse(
                        "a rotation whose key is not wrapped for exactly the remaining members",
                    );
                }
                self.epoch = *epoch;
                self.unrotated = false;
            }
            Body::Remove {
                device,
                by,
                epoch,
                keys,
                ..
            } => {
                self.owner_signed(&entry, by)?;
                if *epoch != self.epoch + 1 {
                    return refuse("a removal that does not move to the next key epoch");
                }
                if self.member(device).is_none() {
                    return refuse("a removal of a device that is not a member");
                }
                if !self.wrapped_for_remaining(keys, by, Some(device)) {
                    return refuse(
                        "a removal whose new key is not wrapped for exactly the remaining members",
                    );
                }
                if let Some(m) = self.members.get_mut(device) {
                    m.removed = Some(seq);
                }
                self.epoch = *epoch;
                self.unrotated = false;
            }
        }
        Ok(body)
    }

    /// Whether `keys` are wrapped for exactly the current members other than `by` and
    /// `removed`.
    fn wrapped_for_remaining(&self, keys: &[WrappedKey], by: &str, removed: Option<&str>) -> bool {
        let mut remaining: Vec<&str> = self
            .members
            .values()
            .filter(|m| {
                m.removed.is_none() && m.device.id != by && Some(m.device.id.as_str()) != removed
            })
            .map(|m| m.device.id.as_str())
            .collect();
        let mut wrapped: Vec<&str> = keys.iter().map(|k| k.device.as_str()).collect();
        remaining.sort_unstable();
        wrapped.sort_unstable();
        remaining == wrapped
    }

    /// How many current members are owner devices.
    pub fn owners(&self) -> usize {
        self.members
            .values()
            .filter(|m| m.removed.is_none() && m.role == Role::Owner)
            .count()
    }

    /// Whether a member left on its own since the last new key: the owner should rotate.
    pub fn needs_rotation(&self) -> bool {
        self.unrotated
    }

    /// Checks that `by` is a current owner and signed `entry` first.
    fn owner_signed(&self, entry: &Entry, by: &str) -> Result<(), SyncError> {
        let owner = self.member(by).filter(|m| m.role == Role::Owner).ok_or(
            SyncError::MembershipRefused {
                why: "an owner's entry by a device that is not an owner",
            },
        )?;
        if !entry.signed_by(0, &owner.device.signing_key()?) {
            return Err(SyncError::MembershipRefused {
                why: "an owner's entry not signed by that owner",
            });
        }
        Ok(())
    }
}

/// The associated data a display name is sealed with: the label and the record.
fn name_aad(record: &str) -> Vec<u8> {
    format!("companion-member-name-v1\n{record}").into_bytes()
}

/// A member's display name sealed under the record's naming key, which every member holds
/// and the relay does not, for a membership entry of `record` (base64).
pub fn seal_name(
    naming: &[u8; crypto::KEY_LEN],
    record: &str,
    name: &str,
) -> Result<String, SyncError> {
    Ok(b64(&crypto::seal(
        naming,
        &name_aad(record),
        name.as_bytes(),
    )?))
}

/// A display name [`seal_name`] sealed; `None` when it does not open (another record's, or
/// not a name): the member is then shown without one.
pub fn open_name(naming: &[u8; crypto::KEY_LEN], record: &str, sealed: &str) -> Option<String> {
    let plain = crypto::open(naming, &name_aad(record), &unb64(sealed).ok()?).ok()?;
    String::from_utf8(plain)
        .ok()
        .filter(|n| !n.chars().any(char::is_control))
}

/// Standard base64 with padding.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes [`b64`].
pub fn unb64(text: &str) -> Result<Vec<u8>, SyncError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| SyncError::Malformed { what: "base64" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::DeviceKeys;

    const RID: &str = "0193a5a0-0000-7000-8000-000000000001";

    /// Keys and signatures are standard base64 with padding (RFC 4648 section 10 vectors);
    /// a wrong padding or a character outside the alphabet is refused.
    #[test]
    fn base64_is_rfc4648_with_padding() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(b64(plain.as_bytes()), coded);
            assert_eq!(unb64(coded).expect(coded), plain.as_bytes());
        }
        for bad in ["Zg", "Zg=", "Zm9vYmF", "Zm9v_mFy", "Zm9vYmFy\n"] {
            assert!(unb64(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn owner_invites_and_a_device_joins_once() {
        let owner = DeviceKeys::generate().expect("keys");
        let mut m = Membership::default();
        let genesis = Entry::sign(
            &Body::Genesis {
                record: RID.into(),
                device: DeviceCard::of(&owner),
                name: None,
                at: None,
            },
            &[&owner.signing],
        )
        .expect("sign");
        m.apply(1, &genesis.to_bytes()).expect("genesis");
        let cap = SigningKey::generate().expect("cap");
        let invite = Entry::sign(
            &Body::Invite {
                record: RID.into(),
                invite: "i1".into(),
                capability: b64(&cap.public()),
                role: Role::Caregiver,
                expires: 10,
                by: owner.id(),
                name: None,
                at: None,
            },
            &[&owner.signing],
        )
        .expect("sign");
        m.apply(2, &invite.to_bytes()).expect("invite");
        let joiner = DeviceKeys::generate().expect("keys");
        let join = |role| {
            Entry::sign(
                &Body::Join {
                    record: RID.into(),
                    invite: "i1".into(),
                    device: DeviceCard::of(&joiner),
                    role,
                    name: None,
                    at: None,
                },
                &[&cap, &joiner.signing],
            )
            .expect("sign")
        };
        assert!(
            m.apply(3, &join(Role::Clinician).to_bytes()).is_err(),
            "role of another invite"
        );
        m.apply(3, &join(Role::Caregiver).to_bytes()).expect("join");
        assert_eq!(
            m.member(&joiner.id()).map(|x| x.role),
            Some(Role::Caregiver)
        );
        assert!(
            m.apply(4, &join(Role::Caregiver).to_bytes()).is_err(),
            "single use"
        );
        // A caregiver cannot invite; a second genesis is refused.
        let forged = Entry::sign(
            &Body::Invite {
                record: RID.into(),
                invite: "i2".into(),
                capability: b64(&cap.public()),
                role: Role::Clinician,
                expires: 10,
                by: joiner.id(),
                name: None,
                at: None,
            },
            &[&joiner.signing],
        )
        .expect("sign");
        assert!(m.apply(4, &forged.to_bytes()).is_err());
        assert!(m.apply(4, &genesis.to_bytes()).is_err());
        // A removal moves to the next epoch, its key wrapped for exactly the remaining members.
        let key = [5u8; crypto::KEY_LEN];
        let remove = |epoch, keys| {
            Entry::sign(
                &Body::Remove {
                    record: RID.into(),
                    device: joiner.id(),
                    by: owner.id(),
                    epoch,
                    keys,
                },
                &[&owner.signing],
            )
            .expect("sign")
        };
        let for_joiner = wrap_key(&owner, &DeviceCard::of(&joiner), RID, 1, &key).expect("wrap");
        assert!(
            m.apply(5, &remove(1, vec![for_joiner]).to_bytes()).is_err(),
            "not for the removed"
        );
        assert!(
            m.apply(5, &remove(2, vec![]).to_bytes()).is_err(),
            "the next epoch only"
        );
        m.apply(5, &remove(1, vec![]).to_bytes()).expect("remove");
        assert_eq!(m.epoch(), 1);
        assert!(m.member(&joiner.id()).is_none());
        // Wrapping and unwrapping agree; another device cannot unwrap.
        let third = DeviceKeys::generate().expect("keys");
        let w = wrap_key(&owner, &DeviceCard::of(&third), RID, 1, &key).expect("wrap");
        assert_eq!(
            unwrap_key(&third, &DeviceCard::of(&owner), RID, 1, &w).expect("unwrap"),
            key
        );
        assert!(unwrap_key(&joiner, &DeviceCard::of(&owner), RID, 1, &w).is_err());
        assert!(unwrap_key(&third, &DeviceCard::of(&owner), RID, 2, &w).is_err());
        // The only owner cannot leave; a departure brings no key; a rotation follows it.
        let leave = |who: &DeviceKeys, keys: Vec<WrappedKey>| {
            Entry::sign(
                &Body::Remove {
                    record: RID.into(),
                    device: who.id(),
                    by: who.id(),
                    epoch: 1,
                    keys,
                },
                &[&who.signing],
            )
            .expect("sign")
        };
        assert!(m.apply(6, &leave(&owner, vec![]).to_bytes()).is_err());
        assert!(!m.needs_rotation());
        // A tampered body fails its signature.
        let mut tampered = invite.clone();
        tampered.body = tampered
            .body
            .replace("caregiver", "clinician")
            .replace("i1", "i3");
        assert!(m.apply(4, &tampered.to_bytes()).is_err());
    }
}
