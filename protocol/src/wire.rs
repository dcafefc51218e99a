//! The bytes that travel: envelopes, snapshots, log pages and request signatures, exactly as
//! docs/sync-protocol.md specifies them. Shared by the sync client and the relay, so that the
//! two cannot drift apart.

use crate::crypto::{self, KEY_LEN, SIGNATURE_LEN, SigningKey};

use crate::SyncError;

/// The first bytes of an envelope.
pub const ENVELOPE_MAGIC: &[u8; 4] = b"CMPE";
/// The first bytes of a snapshot.
pub const SNAPSHOT_MAGIC: &[u8; 4] = b"CMPS";
/// The format version both carry.
pub const VERSION: u8 = 1;
/// Bytes of an envelope before its sealed payload: magic, version, author, epoch.
pub const ENVELOPE_HEADER: usize = 4 + 1 + 16 + 4;
/// Bytes of a snapshot before its sealed payload: the envelope header, then the log position
/// it covers.
pub const SNAPSHOT_HEADER: usize = ENVELOPE_HEADER + 8;

/// A signed, encrypted unit of the log: Automerge changes of one author, for one or more
/// documents. The relay can check who signed it; only members can read it. The record id is
/// not sent (the log it is in names it) but is bound into the additional data and the
/// signature, so an envelope moved to another record's log fails both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The record (a UUID), from the context it was read in.
    pub record: [u8; 16],
    /// The author's device id (16 bytes).
    pub author: [u8; 16],
    /// The record key's epoch it is sealed under.
    pub epoch: u32,
    /// For a snapshot: the last log position it includes.
    pub covers: Option<u64>,
    /// Nonce, ciphertext and tag ([`crypto::seal`]).
    pub sealed: Vec<u8>,
    /// Ed25519 signature by the author over the record id and every byte before it.
    pub signature: [u8; SIGNATURE_LEN],
    /// The encoding as sent.
    pub bytes: Vec<u8>,
}

impl Envelope {
    fn header(author: [u8; 16], epoch: u32, covers: Option<u64>) -> Vec<u8> {
        let mut out = Vec::with_capacity(SNAPSHOT_HEADER);
        out.extend_from_slice(if covers.is_some() {
            SNAPSHOT_MAGIC
        } else {
            ENVELOPE_MAGIC
        });
        out.push(VERSION);
        out.extend_from_slice(&author);
        out.extend_from_slice(&epoch.to_be_bytes());
        if let Some(c) = covers {
            out.extend_from_slice(&c.to_be_bytes());
        }
        out
    }

    /// Seals `payload` under `key` (epoch `epoch`) and signs the result with `signer`. A
    /// snapshot carries `covers`, the last log position it includes.
    pub fn seal(
        record: [u8; 16],
        signer: &SigningKey,
        epoch: u32,
        key: &[u8; KEY_LEN],
        covers: Option<u64>,
        payload: &[u8],
    ) -> Result<Self, SyncError> {
        let author = device_bytes(&crypto::device_id(&signer.public()))?;
        let mut bytes = Self::header(author, epoch, covers);
        let sealed = crypto::seal(key, &[&record[..], &bytes].concat(), payload)
            .map_err(SyncError::Crypto)?;
        bytes.extend_from_slice(&sealed);
        let signature = signer.sign(&[&record[..], &bytes].concat());
        bytes.extend_from_slice(&signature);
        Ok(Self {
            record,
            author,
            epoch,
            covers,
            sealed,
            signature,
            bytes,
        })
    }

    /// Parses an envelope or a snapshot read from the log of `record`; checks its form only
    /// (see [`Envelope::verify`]).
    pub fn parse(record: [u8; 16], bytes: &[u8]) -> Result<Self, SyncError> {
        let bad = SyncError::Malformed { what: "envelope" };
        if bytes.len() < ENVELOPE_HEADER + crypto::SEAL_OVERHEAD + SIGNATURE_LEN {
            return Err(bad);
        }
        let covers = match &bytes[..4] {
            m if m == ENVELOPE_MAGIC => false,
            m if m == SNAPSHOT_MAGIC => true,
            _ => return Err(bad),
        };
        if bytes[4] != VERSION {
            return Err(SyncError::Malformed {
                what: "envelope version",
            });
        }
        let header = if covers {
            SNAPSHOT_HEADER
        } else {
            ENVELOPE_HEADER
        };
        if bytes.len() < header + crypto::SEAL_OVERHEAD + SIGNATURE_LEN {
            return Err(bad);
        }
        let mut author = [0u8; 16];
        author.copy_from_slice(&bytes[5..21]);
        let mut epoch = [0u8; 4];
        epoch.copy_from_slice(&bytes[21..25]);
        let covers = covers.then(|| {
            let mut c = [0u8; 8];
            c.copy_from_slice(&bytes[25..33]);
            u64::from_be_bytes(c)
        });
        let sig_at = bytes.len() - SIGNATURE_LEN;
        let mut signature = [0u8; SIGNATURE_LEN];
        signature.copy_from_slice(&bytes[sig_at..]);
        Ok(Self {
            record,
            author,
            epoch: u32::from_be_bytes(epoch),
            covers,
            sealed: bytes[header..sig_at].to_vec(),
            signature,
            bytes: bytes.to_vec(),
        })
    }

    /// The author's device id, in hex.
    pub fn author_id(&self) -> String {
        crypto::hex(&self.author)
    }

    /// Whether `signing_public` signed this envelope, for its record, and is its author's key.
    pub fn verify(&self, signing_public: &[u8]) -> bool {
        let signed = [
            &self.record[..],
            &self.bytes[..self.bytes.len() - SIGNATURE_LEN],
        ]
        .concat();
        crypto::device_id(signing_public) == self.author_id()
            && crypto::verify(signing_public, &signed, &self.signature)
    }

    /// The payload, opened with the epoch's `key`; fails if anything was altered, or the
    /// envelope was sealed for another record.
    pub fn open(&self, key: &[u8; KEY_LEN]) -> Result<Vec<u8>, SyncError> {
        let header = self.bytes.len() - SIGNATURE_LEN - self.sealed.len();
        let aad = [&self.record[..], &self.bytes[..header]].concat();
        crypto::open(key, &aad, &self.sealed).map_err(SyncError::Crypto)
    }
}

/// The 16 bytes of a hex device id.
pub fn device_bytes(id: &str) -> Result<[u8; 16], SyncError> {
    let v = hex::decode(id).map_err(|_| SyncError::Malformed { what: "device id" })?;
    v.try_into()
        .map_err(|_| SyncError::Malformed { what: "device id" })
}

/// The 16 bytes of a record id (a UUID).
pub fn record_bytes(id: &str) -> Result<[u8; 16], SyncError> {
    uuid::Uuid::parse_str(id)
        .map(|u| *u.as_bytes())
        .map_err(|_| SyncError::Malformed { what: "record id" })
}

/// An envelope's payload: per document, its Automerge changes.
pub type Payload = Vec<(String, Vec<Vec<u8>>)>;

/// Encodes a payload: per document `u16 name length, name, u32 change count`, then per change
/// `u32 length, bytes` (all big-endian).
pub fn encode_payload(docs: &Payload) -> Vec<u8> {
    let mut out = Vec::new();
    for (doc, changes) in docs {
        out.extend_from_slice(&(doc.len() as u16).to_be_bytes());
        out.extend_from_slice(doc.as_bytes());
        out.extend_from_slice(&(changes.len() as u32).to_be_bytes());
        for c in changes {
            out.extend_from_slice(&(c.len() as u32).to_be_bytes());
            out.extend_from_slice(c);
        }
    }
    out
}

/// Decodes what [`encode_payload`] made.
pub fn decode_payload(mut bytes: &[u8]) -> Result<Payload, SyncError> {
    let bad = SyncError::Malformed { what: "payload" };
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = usize::from(u16::from_be_bytes(
            take::<2>(&mut bytes).ok_or(bad.clone())?,
        ));
        let name = take_n(&mut bytes, len).ok_or(bad.clone())?;
        let name = String::from_utf8(name.to_vec()).map_err(|_| bad.clone())?;
        let count = u32::from_be_bytes(take::<4>(&mut bytes).ok_or(bad.clone())?);
        let mut changes = Vec::new();
        for _ in 0..count {
            let len = u32::from_be_bytes(take::<4>(&mut bytes).ok_or(bad.clone())?) as usize;
            changes.push(take_n(&mut bytes, len).ok_or(bad.clone())?.to_vec());
        }
        out.push((name, changes));
    }
    Ok(out)
}

fn take<const N: usize>(bytes: &mut &[u8]) -> Option<[u8; N]> {
    let head = take_n(bytes, N)?;
    let mut o = [0u8; N];
    o.copy_from_slice(head);
    Some(o)
}

fn take_n<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Some(head)
}

/// What a log item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A membership entry (signed JSON).
    Membership = 1,
    /// An envelope.
    Envelope = 2,
    /// An envelope the requesting device wrote itself, sent without its bytes.
    Own = 3,
}

impl ItemKind {
    /// The kind of code `b`.
    pub fn from_code(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Membership),
            2 => Some(Self::Envelope),
            3 => Some(Self::Own),
            _ => None,
        }
    }
}

/// One position of a record's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its position (1, 2, …), the one order every replica sees.
    pub seq: u64,
    /// What it is.
    pub kind: ItemKind,
    /// Its bytes (empty for [`ItemKind::Own`]).
    pub bytes: Vec<u8>,
}

/// Frames log items: per item `u64 seq, u8 kind, u32 length, bytes`.
pub fn encode_items(items: &[Item]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in items {
        out.extend_from_slice(&i.seq.to_be_bytes());
        out.push(i.kind as u8);
        out.extend_from_slice(&(i.bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(&i.bytes);
    }
    out
}

/// Reads what [`encode_items`] made.
pub fn decode_items(mut bytes: &[u8]) -> Result<Vec<Item>, SyncError> {
    let bad = SyncError::Malformed { what: "log page" };
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let seq = u64::from_be_bytes(take::<8>(&mut bytes).ok_or(bad.clone())?);
        let kind =
            ItemKind::from_code(take::<1>(&mut bytes).ok_or(bad.clone())?[0]).ok_or(bad.clone())?;
        let len = u32::from_be_bytes(take::<4>(&mut bytes).ok_or(bad.clone())?) as usize;
        let body = take_n(&mut bytes, len).ok_or(bad.clone())?.to_vec();
        out.push(Item {
            seq,
            kind,
            bytes: body,
        });
    }
    Ok(out)
}

/// Frames blobs (envelopes pushed in one request, snapshots served in one response): per blob
/// `u32 length, bytes`.
pub fn encode_blobs(blobs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for b in blobs {
        out.extend_from_slice(&(b.len() as u32).to_be_bytes());
        out.extend_from_slice(b);
    }
    out
}

/// Reads what [`encode_blobs`] made.
pub fn decode_blobs(mut bytes: &[u8]) -> Result<Vec<Vec<u8>>, SyncError> {
    let bad = SyncError::Malformed { what: "blob list" };
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = u32::from_be_bytes(take::<4>(&mut bytes).ok_or(bad.clone())?) as usize;
        out.push(take_n(&mut bytes, len).ok_or(bad.clone())?.to_vec());
    }
    Ok(out)
}

/// Request headers: the device, the time (Unix milliseconds), a random nonce, the signature.
pub mod headers {
    /// The signing device's id.
    pub const DEVICE: &str = "companion-device";
    /// Unix time in milliseconds when the request was signed.
    pub const TIME: &str = "companion-time";
    /// 16 random bytes in hex, never used twice.
    pub const NONCE: &str = "companion-nonce";
    /// Ed25519 signature of [`super::request_message`], base64.
    pub const SIGNATURE: &str = "companion-signature";
    /// On a log page: `true` when more items follow the page.
    pub const MORE: &str = "companion-more";
    /// On a log page: the log's last position.
    pub const TIP: &str = "companion-tip";
    /// On a log page: the compaction point (envelopes at or before it are only in the
    /// snapshots).
    pub const COMPACTED: &str = "companion-compacted";
    /// On a log page: the log's running digest at the `after` position (hex SHA-256 chained
    /// over every item up to it; docs/sync-protocol.md), absent when the log has none there.
    pub const AT_DIGEST: &str = "companion-at-digest";
    /// On a log page: the position the page accounts for (its last item; on the last page the
    /// tip, the envelopes the reader asked to leave out being accounted for too).
    pub const THROUGH: &str = "companion-through";
    /// On a log page: the log's running digest at the `companion-through` position.
    pub const LAST_DIGEST: &str = "companion-last-digest";
    /// On a record's creation: the relay's creation token (a relay takes new records only
    /// from devices that present it, unless it runs open).
    pub const RELAY_TOKEN: &str = "companion-relay-token";
    /// On a page of snapshots: the slot of its last one (ask `?after=` it for the next page).
    pub const LAST_SLOT: &str = "companion-last-slot";
}

/// What a device signs for a request: method, path with query, SHA-256 of the body, time
/// and nonce, each on its own line after a label.
pub fn request_message(
    method: &str,
    path: &str,
    body: &[u8],
    time_ms: i64,
    nonce: &str,
) -> Vec<u8> {
    format!(
        "companion-request-v1\n{method}\n{path}\n{}\n{time_ms}\n{nonce}",
        crypto::hex(&crypto::sha256(body))
    )
    .into_bytes()
}

/// The four authentication headers for a request signed by `signer` at `time_ms`.
pub fn sign_request(
    signer: &SigningKey,
    method: &str,
    path: &str,
    body: &[u8],
    time_ms: i64,
) -> Result<Vec<(&'static str, String)>, SyncError> {
    let nonce = crypto::hex(&crypto::random::<16>().map_err(SyncError::Crypto)?);
    let msg = request_message(method, path, body, time_ms, &nonce);
    Ok(vec![
        (headers::DEVICE, crypto::device_id(&signer.public())),
        (headers::TIME, time_ms.to_string()),
        (headers::NONCE, nonce),
        (
            headers::SIGNATURE,
            crate::membership::b64(&signer.sign(&msg)),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_round_trips_and_any_altered_byte_is_caught() {
        let signer = SigningKey::generate().expect("key");
        let key = [3u8; KEY_LEN];
        let payload = encode_payload(&vec![("log/2026-11".into(), vec![vec![1, 2, 3], vec![]])]);
        let env = Envelope::seal([9u8; 16], &signer, 0, &key, None, &payload).expect("seal");
        let parsed = Envelope::parse([9u8; 16], &env.bytes).expect("parse");
        assert_eq!(parsed, env);
        // Read as another record's: neither the signature nor the ciphertext holds.
        let moved = Envelope::parse([8u8; 16], &env.bytes).expect("parse");
        assert!(!moved.verify(&signer.public()) && moved.open(&key).is_err());
        assert!(parsed.verify(&signer.public()));
        assert_eq!(
            decode_payload(&parsed.open(&key).expect("open"))
                .expect("decode")
                .len(),
            1
        );
        for i in 0..env.bytes.len() {
            let mut b = env.bytes.clone();
            b[i] ^= 0x40;
            let ok = Envelope::parse([9u8; 16], &b)
                .map(|e| e.verify(&signer.public()) && e.open(&key).is_ok())
                .unwrap_or(false);
            assert!(!ok, "byte {i} altered went unnoticed");
        }
        let snap = Envelope::seal([9u8; 16], &signer, 2, &key, Some(41), b"x").expect("seal");
        let parsed = Envelope::parse([9u8; 16], &snap.bytes).expect("parse");
        assert_eq!((parsed.covers, parsed.epoch), (Some(41), 2));
        assert!(parsed.verify(&signer.public()));
        assert_eq!(parsed.open(&key).expect("open"), b"x");
    }

    #[test]
    fn truncated_frames_are_refused() {
        let items = vec![Item {
            seq: 7,
            kind: ItemKind::Envelope,
            bytes: vec![1, 2, 3],
        }];
        let enc = encode_items(&items);
        assert_eq!(decode_items(&enc).expect("decode"), items);
        assert!(decode_items(&enc[..enc.len() - 1]).is_err());
        assert!(decode_payload(&[0, 5, b'a']).is_err());
        assert!(decode_blobs(&[0, 0, 0, 9, 1]).is_err());
    }
}
