//! Judging a pulled envelope against the membership at its position, opening it, and
//! quarantining what breaks the rules.

use super::*;

/// Keeps a refused item's position, author (when known), reason and the SHA-256 of its bytes,
/// never the bytes: what a member sends that nobody may apply must not fill this device.
pub(crate) fn quarantine(
    tx: &Connection,
    seq: u64,
    author: Option<&str>,
    reason: &str,
    bytes: &[u8],
) -> Result<usize> {
    Ok(tx.execute(
        "INSERT OR REPLACE INTO sync_log (seq, status, author, reason, bytes) VALUES (?1, 'quarantined', ?2, ?3, ?4)",
        rusqlite::params![seq as i64, author, reason, crypto::sha256(bytes).to_vec()],
    )?)
}

/// Checks an envelope against the membership at its position: a current member with a
/// writing role signed it, for this record, under a key this replica holds, and its payload
/// decodes. Returns its author, role and changes, or the author and why it is refused.
#[allow(clippy::type_complexity)]
pub(crate) fn judge(
    state: &State,
    membership: &Membership,
    bytes: &[u8],
) -> std::result::Result<
    (String, Role, Vec<(DocId, Vec<automerge::Change>)>),
    (Option<String>, String),
> {
    let env = Envelope::parse(state.record_bytes, bytes).map_err(|e| (None, e.to_string()))?;
    let author = env.author_id();
    let fail = |why: &str| (Some(author.clone()), why.to_string());
    if env.covers.is_some() {
        return Err(fail("a snapshot where an envelope belongs"));
    }
    let Some(member) = membership.member(&author) else {
        return Err(fail("signed by a device that is not a member"));
    };
    let key = member
        .device
        .signing_key()
        .map_err(|e| fail(&e.to_string()))?;
    if !env.verify(&key) {
        return Err(fail("the signature does not verify"));
    }
    if !member.role.writes() {
        return Err(fail("signed by a viewer, who may not write"));
    }
    let role = member.role;
    if env.epoch != membership.epoch() {
        return Err(fail("sealed under a key epoch other than the current one"));
    }
    let key = state
        .epoch_key(env.epoch)
        .ok_or_else(|| fail("sealed under a key this device does not hold"))?;
    let plain = env
        .open(&key)
        .map_err(|_| fail("the ciphertext does not open"))?;
    let payload = wire::decode_payload(&plain).map_err(|e| fail(&e.to_string()))?;
    let docs = to_docs(payload).map_err(fail)?;
    Ok((author, role, docs))
}

pub(crate) fn to_docs(
    payload: wire::Payload,
) -> std::result::Result<Vec<(DocId, Vec<automerge::Change>)>, &'static str> {
    payload
        .into_iter()
        .map(|(name, changes)| {
            let doc = DocId::parse(&name).ok_or("a document name that is not one")?;
            let changes = changes
                .into_iter()
                .map(|c| automerge::Change::from_bytes(c).map_err(|_| "changes that do not decode"))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok((doc, changes))
        })
        .collect()
}

pub(crate) fn open_payload(state: &State, env: &Envelope) -> Result<wire::Payload> {
    let key = state
        .epoch_key(env.epoch)
        .ok_or(SyncError::Crypto(crypto::CryptoError::BadKey))?;
    Ok(wire::decode_payload(&env.open(&key)?)?)
}

pub(crate) fn open_docs(
    state: &State,
    env: &Envelope,
) -> Result<Vec<(DocId, Vec<automerge::Change>)>> {
    to_docs(open_payload(state, env)?).map_err(|what| SyncError::Malformed { what }.into())
}
