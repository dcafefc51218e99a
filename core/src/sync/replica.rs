//! Replica files in a shared record: which device wrote one, and what its changes may write
//! here. A file merged into a shared record must be signed by a current member's device; its
//! new changes may write only what both that member's role and this device's role may write,
//! because this device passes them on to the others under its own name (its later changes
//! depend on them, and the others must be able to apply those).

use rusqlite::Connection;

use super::client::{State, own_role, stored_membership};
use super::{Role, SyncError};
use crate::crypto::{self, SigningKey};
use crate::error::Result;
use crate::replica_file::ReplicaFile;
use crate::store::SyncConn;

/// This device's id and signing key, to sign a replica export, when the record is shared.
pub(crate) fn signer(conn: &SyncConn<'_>, record: &str) -> Result<Option<(String, SigningKey)>> {
    if !crate::store::is_shared(conn)? {
        return Ok(None);
    }
    let state = State::load(conn, record)?;
    let key = SigningKey::from_seed(state.keys.signing.seed()).map_err(SyncError::from)?;
    Ok(Some((state.keys.id(), key)))
}

/// The roles a replica file is judged by in this record: its author's current role and this
/// device's. `None` when the record is not shared (a file may bring anything). Refuses a file
/// without an author, with a signature that does not verify, or by a device that is not a
/// current member.
pub(crate) fn roles(conn: &Connection, file: &ReplicaFile) -> Result<Option<(Role, Role)>> {
    if !crate::store::is_shared(conn)? {
        return Ok(None);
    }
    let refused = |why| SyncError::ReplicaRefused { why };
    let own = own_role(conn)?;
    let (author, signature) = file
        .author
        .as_ref()
        .ok_or(refused("it is not signed by a member's device (it was written before the record was shared, or by another program)"))?;
    let membership = stored_membership(conn)?;
    let member = membership
        .member(author)
        .filter(|m| m.removed.is_none())
        .ok_or(refused("its author is not a current member of the record"))?;
    let public = member.device.signing_key()?;
    if !crypto::verify(&public, &file.signed, signature) {
        return Err(refused("its signature does not verify (the file was altered)").into());
    }
    Ok(Some((member.role, own)))
}
