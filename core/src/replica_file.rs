//! The replica export file: every document of a record in one versioned, self-describing file,
//! for moving a record to a new phone or handing it to a clinic with no network
//! (docs/replica-export.md).
//!
//! Layout, in order: the 8 bytes `CMPNREPL`; the format version, a little-endian `u16` (2);
//! the length of the header, a little-endian `u32`; the header, JSON
//! (`{"record_id": ..., "documents": [{"name": "log/2026-11", "bytes": 1234}, ...],
//! "author": "<device id>"}`, `author` only in a shared record); each document's Automerge
//! bytes (a whole saved document), in the header's order; the SHA-256 of everything before it
//! (32 bytes); then, from version 2, the author's Ed25519 signature of that digest (64 bytes,
//! none without an author) and one byte giving the signature's length (64 or 0). A file that
//! is truncated, altered or of a newer format is refused before anything is read from it.
//! Version 1 files (no author, no trailer) are still read.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::crdt::DocId;
use crate::error::{Error, Result};

/// The first bytes of every replica export.
const MAGIC: &[u8; 8] = b"CMPNREPL";
/// The format this code writes (it reads 1 as well).
const VERSION: u16 = 2;
/// What the author's signature is made over, before the file's digest.
const LABEL: &[u8] = b"companion-replica-v2\n";
/// The length of an Ed25519 signature.
const SIGNATURE: usize = 64;
/// The size of the trailing checksum.
const SUM: usize = 32;
/// A header larger than this is refused (it lists document names and sizes only).
const MAX_HEADER: usize = 16 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Header {
    record_id: String,
    documents: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    author: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    name: String,
    bytes: u64,
}

/// A decoded replica export: the record's id and its documents.
pub struct ReplicaFile {
    /// The record the documents belong to.
    pub record_id: String,
    /// Each document and its Automerge bytes.
    pub documents: Vec<(DocId, Vec<u8>)>,
    /// The device that wrote the file, and its signature of [`ReplicaFile::signed`], when the
    /// record was shared there.
    pub author: Option<(String, Vec<u8>)>,
    /// What the author signed: the label and the file's SHA-256.
    pub signed: Vec<u8>,
}

fn invalid(detail: &'static str) -> Error {
    Error::InvalidReplicaFile { detail }
}

/// Encodes the documents of record `record_id` as a replica export, signed by `author` (a
/// member device's id and signing key) when given.
pub(crate) fn encode(
    record_id: &str,
    documents: &[(DocId, Vec<u8>)],
    author: Option<(&str, &crate::crypto::SigningKey)>,
) -> Result<Vec<u8>> {
    let header = Header {
        author: author.map(|(id, _)| id.to_string()),
        record_id: record_id.to_string(),
        documents: documents
            .iter()
            .map(|(id, bytes)| Entry {
                name: id.to_string(),
                bytes: bytes.len() as u64,
            })
            .collect(),
    };
    let header = serde_json::to_vec(&header).map_err(|_| Error::Corrupt {
        detail: "the replica export could not be encoded",
    })?;
    let header_len = u32::try_from(header.len()).map_err(|_| Error::Corrupt {
        detail: "the replica export's header is too large",
    })?;
    let total: usize = documents.iter().map(|(_, b)| b.len()).sum();
    let mut out = Vec::with_capacity(MAGIC.len() + 6 + header.len() + total + SUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(&header);
    for (_, bytes) in documents {
        out.extend_from_slice(bytes);
    }
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    match author {
        Some((_, key)) => {
            out.extend_from_slice(&key.sign(&signed_message(&sum)));
            out.push(SIGNATURE as u8);
        }
        None => out.push(0),
    }
    Ok(out)
}

/// What an author signs: the label, then the digest.
fn signed_message(sum: &[u8]) -> Vec<u8> {
    [LABEL, sum].concat()
}

/// Decodes a replica export, checking its magic, version, checksum and lengths; the
/// documents' contents are checked when they are loaded. Any bytes at all give a file or
/// [`Error::InvalidReplicaFile`] (the fuzz target `replica_file` holds it to that).
pub fn decode(bytes: &[u8]) -> Result<ReplicaFile> {
    let body = bytes
        .strip_prefix(MAGIC.as_slice())
        .ok_or(invalid("it does not begin as a replica export"))?;
    let (version, _) = body
        .split_first_chunk::<2>()
        .ok_or(invalid("it is truncated"))?;
    let version = u16::from_le_bytes(*version);
    if !(1..=VERSION).contains(&version) {
        return Err(invalid(
            "it is of a format version this version of Companion does not read",
        ));
    }
    // From version 2: the signature and its length byte after the checksum.
    let (bytes, signature) = if version >= 2 {
        let (n, rest) = bytes.split_last().ok_or(invalid("it is truncated"))?;
        let n = usize::from(*n);
        if n != 0 && n != SIGNATURE || n > rest.len() {
            return Err(invalid("its signature is damaged"));
        }
        let (rest, signature) = rest.split_at(rest.len() - n);
        (rest, (n > 0).then(|| signature.to_vec()))
    } else {
        (bytes, None)
    };
    if bytes.len() < MAGIC.len() + 6 + SUM {
        return Err(invalid("it is truncated"));
    }
    let (signed, sum) = bytes.split_at(bytes.len() - SUM);
    if Sha256::digest(signed).as_slice() != sum {
        return Err(invalid(
            "its checksum does not match: it is truncated, damaged or was altered",
        ));
    }
    let body = &signed[MAGIC.len() + 2..];
    let (len, body) = body
        .split_first_chunk::<4>()
        .ok_or(invalid("it is truncated"))?;
    let len = usize::try_from(u32::from_le_bytes(*len)).map_err(|_| invalid("it is truncated"))?;
    if len > MAX_HEADER || len > body.len() {
        return Err(invalid("its header is damaged"));
    }
    let (header, mut rest) = body.split_at(len);
    let header: Header =
        serde_json::from_slice(header).map_err(|_| invalid("its header is damaged"))?;
    let mut documents: Vec<(DocId, Vec<u8>)> = Vec::with_capacity(header.documents.len());
    for entry in header.documents {
        let id = DocId::parse(&entry.name).ok_or(invalid("it names an unknown document"))?;
        if documents.iter().any(|(d, _)| *d == id) {
            return Err(invalid("it lists a document twice"));
        }
        let n = usize::try_from(entry.bytes).map_err(|_| invalid("its header is damaged"))?;
        if n > rest.len() {
            return Err(invalid("its header is damaged"));
        }
        let (doc, tail) = rest.split_at(n);
        documents.push((id, doc.to_vec()));
        rest = tail;
    }
    if !rest.is_empty() {
        return Err(invalid("its header is damaged"));
    }
    let author = match (header.author, signature) {
        (Some(id), Some(signature)) => Some((id, signature)),
        (None, None) => None,
        _ => return Err(invalid("its signature is damaged")),
    };
    Ok(ReplicaFile {
        record_id: header.record_id,
        documents,
        author,
        signed: signed_message(sum),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        encode(
            "rec",
            &[
                (DocId::Record, vec![1, 2, 3]),
                (
                    DocId::Log {
                        year: 2026,
                        month: 11,
                    },
                    vec![4, 5],
                ),
            ],
            None,
        )
        .expect("encode")
    }

    #[test]
    fn round_trips() {
        let file = decode(&sample()).expect("decode");
        assert_eq!(file.record_id, "rec");
        assert_eq!(file.documents.len(), 2);
        assert_eq!(file.documents[1].1, vec![4, 5]);
    }

    #[test]
    fn a_signed_file_names_its_author_and_carries_a_signature_of_its_digest() {
        let key = crate::crypto::SigningKey::generate().expect("key");
        let bytes =
            encode("rec", &[(DocId::Record, vec![1])], Some(("dev1", &key))).expect("encode");
        let file = decode(&bytes).expect("decode");
        let (author, signature) = file.author.expect("signed");
        assert_eq!(author, "dev1");
        assert!(crate::crypto::verify(
            &key.public(),
            &file.signed,
            &signature
        ));
        // A signature cut off, or an author without one, is damage.
        let cut = [&bytes[..bytes.len() - 65], &[0u8][..]].concat();
        assert!(matches!(
            decode(&cut),
            Err(Error::InvalidReplicaFile { .. })
        ));
    }

    #[test]
    fn a_version_1_file_is_still_read() {
        let v2 = sample();
        // Version 1: no trailer, the version 1, the checksum over that.
        let mut v1 = v2[..v2.len() - 1 - SUM].to_vec();
        v1[8] = 1;
        let sum = Sha256::digest(&v1);
        v1.extend_from_slice(&sum);
        let file = decode(&v1).expect("decode");
        assert_eq!(file.documents.len(), 2);
        assert!(file.author.is_none());
    }

    #[test]
    fn truncated_altered_and_foreign_files_are_refused() {
        let good = sample();
        for cut in [0, 5, 9, 14, good.len() - 1] {
            assert!(
                matches!(decode(&good[..cut]), Err(Error::InvalidReplicaFile { .. })),
                "cut at {cut}"
            );
        }
        let mut altered = good.clone();
        let i = altered.len() - SUM - 1;
        altered[i] ^= 1;
        assert!(matches!(
            decode(&altered),
            Err(Error::InvalidReplicaFile { .. })
        ));
        let mut newer = good;
        newer[8] = 3;
        assert!(matches!(
            decode(&newer),
            Err(Error::InvalidReplicaFile { .. })
        ));
        assert!(matches!(
            decode(b"SQLite format 3\0"),
            Err(Error::InvalidReplicaFile { .. })
        ));
    }
}
