//! Sharing, invites, joining, removal and departure: the membership log's entries this
//! device writes, and the membership report.

use super::*;

/// Writes, inside the transaction that shares the record, what the owner's device keeps:
/// keys, a fresh record key (epoch 0) and naming key. Returns the genesis entry to post.
/// What sharing needs before the relay has taken the record: the device's keys, the first
/// record key and the naming key (those a crashed earlier attempt kept, else new ones, held in
/// memory only), and the signed genesis.
pub(crate) struct ShareKeys {
    pub(crate) device: DeviceKeys,
    epoch0: [u8; KEY_LEN],
    pub(crate) naming: [u8; KEY_LEN],
    pub(crate) genesis: Entry,
}

pub(crate) fn share_keys(
    conn: &SyncConn<'_>,
    record: &str,
    owner: Option<&str>,
) -> Result<ShareKeys> {
    if crate::store::is_shared(conn)? {
        return Err(SyncError::AlreadyShared.into());
    }
    let random = || crypto::random::<KEY_LEN>().map_err(SyncError::Crypto);
    let device = match device_keys(conn)? {
        Some(k) => k,
        None => DeviceKeys::generate().map_err(SyncError::Crypto)?,
    };
    let epoch0 = match key32(conn, "epoch/0")? {
        Some(k) => k,
        None => random()?,
    };
    let naming = match key32(conn, "naming")? {
        Some(k) => k,
        None => random()?,
    };
    let genesis = Entry::sign(
        &Body::Genesis {
            record: record.to_string(),
            device: DeviceCard::of(&device),
            name: owner
                .map(|n| membership::seal_name(&naming, record, n))
                .transpose()?,
            at: Some(now_ms()?),
        },
        &[&device.signing],
    )?;
    Ok(ShareKeys {
        device,
        epoch0,
        naming,
        genesis,
    })
}

/// Writes, inside the transaction that creates a joining device's record file, its keys and
/// its sharing state from the invite's bundle.
pub(crate) fn join_state(conn: &SyncConn<'_>, bundle: &Bundle, keys: &DeviceKeys) -> Result<()> {
    keep_device_keys(conn, keys)?;
    for (epoch, key) in &bundle.keys {
        put_secret(conn, &format!("epoch/{epoch}"), &unb64(key)?)?;
    }
    put_secret(conn, "naming", &unb64(&bundle.naming)?)?;
    set(conn, Key::Relay, &bundle.relay)?;
    set(conn, Key::Role, bundle.role.as_str())?;
    set(conn, Key::Epoch, &bundle.epoch.to_string())?;
    set(conn, Key::Cursor, "0")?;
    Ok(())
}

/// Reads an invite's bundle from its relay (one unsigned request: the invite id is the
/// credential) and opens it.
pub(crate) fn fetch_invite(transport: &mut dyn Transport, invite: &Invite) -> Result<Bundle> {
    #[derive(Deserialize)]
    struct Offer {
        record: String,
        bundle: String,
    }
    let mut caller = Caller::new(transport, &invite.relay);
    let resp = caller.call(
        None,
        "GET",
        &format!("/v1/invites/{}", invite.id()),
        Vec::new(),
        "application/json",
    )?;
    let offer: Offer = json(&resp, "invite")?;
    let bundle = invite.open_bundle(&unb64(&offer.bundle)?)?;
    if bundle.record != offer.record {
        return Err(SyncError::Malformed {
            what: "invite bundle",
        }
        .into());
    }
    Ok(bundle)
}

/// The join entry of a device with `keys` taking up `invite` for `bundle`'s record; `name`
/// is the joining member's name for themselves, if they gave one.
pub(crate) fn join_entry(
    invite: &Invite,
    bundle: &Bundle,
    keys: &DeviceKeys,
    name: Option<&str>,
) -> Result<Entry> {
    let naming: [u8; KEY_LEN] =
        unb64(&bundle.naming)?
            .try_into()
            .map_err(|_| SyncError::Malformed {
                what: "invite bundle",
            })?;
    Ok(Entry::sign(
        &Body::Join {
            record: bundle.record.clone(),
            invite: invite.id(),
            device: DeviceCard::of(keys),
            role: bundle.role,
            name: name
                .map(|n| membership::seal_name(&naming, &bundle.record, n))
                .transpose()?,
            at: Some(now_ms()?),
        },
        &[&invite.capability()?, &keys.signing],
    )?)
}

/// Posts a join entry, signed by the joining device; returns its log position.
pub(crate) fn post_join(
    transport: &mut dyn Transport,
    bundle: &Bundle,
    entry: &Entry,
    keys: &DeviceKeys,
) -> Result<u64> {
    let mut caller = Caller::new(transport, &bundle.relay);
    let resp = caller.call(
        Some(&keys.signing),
        "POST",
        &format!("/v1/records/{}/join", bundle.record),
        entry.to_bytes(),
        "application/json",
    )?;
    Ok(json::<Seq>(&resp, "relay response")?.seq)
}

impl Client<'_> {
    /// Shares the record through the relay: posts its genesis (the owner is this device),
    /// then keeps the keys and the sharing state in one transaction, and uploads the first
    /// snapshots. Nothing is written before the relay took the record: a failure leaves the
    /// record as it was, and a retry after an answer that was lost posts a new genesis, which
    /// the relay takes in place of a genesis with nothing after it.
    /// `owner` is the owner's display name (the patient's), kept sealed in the log.
    pub(crate) fn share(mut self, owner: Option<&str>) -> Result<SyncReport> {
        let record = self.store.record_id().to_string();
        let keys = self.store.sync_read(|c| share_keys(c, &record, owner))?;
        let entry = keys.genesis.to_bytes();
        let resp = self.caller.call(
            Some(&keys.device.signing),
            "POST",
            "/v1/records",
            entry.clone(),
            "application/json",
        )?;
        let seq: Seq = json(&resp, "relay response")?;
        let relay = self.caller.relay.clone();
        // Only now that the relay took the record are its keys written, all at once.
        self.store.sync_tx(|tx| {
            if crate::store::is_shared(tx)? {
                return Err(SyncError::AlreadyShared.into());
            }
            keep_device_keys(tx, &keys.device)?;
            put_secret(tx, "epoch/0", &keys.epoch0)?;
            put_secret(tx, "naming", &keys.naming)?;
            set(tx, Key::Relay, &relay)?;
            set(tx, Key::Role, Role::Owner.as_str())?;
            set(tx, Key::Epoch, "0")?;
            set(tx, Key::Cursor, &seq.seq.to_string())?;
            tx.execute(
                "INSERT OR IGNORE INTO sync_log (seq, status, author, bytes) VALUES (?1, 'membership', ?2, ?3)",
                rusqlite::params![seq.seq as i64, keys.device.id(), entry],
            )?;
            Ok(())
        })?;
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        let size = self.upload_snapshots(&state, seq.seq)?;
        self.store.sync_tx(|tx| {
            set(tx, Key::SnapshotAt, &seq.seq.to_string())?;
            set(tx, Key::SnapshotBytes, &size.to_string())
        })?;
        Ok(self.finish())
    }

    /// Creates an invite for `role`, for the person the owner calls `name`, valid for
    /// `valid_for`: posts its membership entry and sealed bundle to the relay. Only the
    /// owner may.
    pub(crate) fn invite(
        mut self,
        role: Role,
        name: Option<&str>,
        valid_for: Duration,
    ) -> Result<InviteInfo> {
        let record = self.store.record_id().to_string();
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        if state.role != Role::Owner {
            return Err(SyncError::NotOwner.into());
        }
        let invite = Invite::generate(&state.relay)?;
        let (_, naming) = self.store.sync_read(|c| record_keys(c, state.epoch))?;
        let now = now_ms()?;
        let expires = now + i64::try_from(valid_for.as_millis()).unwrap_or(i64::MAX / 2);
        let entry = Entry::sign(
            &Body::Invite {
                record: record.clone(),
                invite: invite.id(),
                capability: b64(&invite.capability()?.public()),
                role,
                expires,
                by: state.keys.id(),
                name: name
                    .map(|n| membership::seal_name(&naming, &record, n))
                    .transpose()?,
                at: Some(now),
            },
            &[&state.keys.signing],
        )?;
        let bundle = invite.seal_bundle(&Bundle {
            record: record.clone(),
            relay: state.relay.clone(),
            role,
            epoch: state.epoch,
            keys: state.epoch_keys.iter().map(|(e, k)| (*e, b64(k))).collect(),
            naming: b64(&naming),
        })?;
        let body = serde_json::json!({
            "entry": entry,
            "bundle": b64(&bundle),
            "expires": expires,
        });
        self.caller.call(
            Some(&state.keys.signing),
            "POST",
            &format!("/v1/records/{record}/invites"),
            body.to_string().into_bytes(),
            "application/json",
        )?;
        Ok(InviteInfo {
            code: invite.code(),
            qr_payload: invite.qr_payload(),
            role,
            expires_ms: expires,
        })
    }

    /// Removes the member `device` (owner only): a new key epoch, its key wrapped for every
    /// remaining member, in one signed entry the relay appends. The removed device can read
    /// nothing sealed after it, and what it signs after it is refused everywhere.
    pub(crate) fn remove(mut self, device: &str) -> Result<SyncReport> {
        let record = self.store.record_id().to_string();
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        if state.role != Role::Owner {
            return Err(SyncError::NotOwner.into());
        }
        let membership = self.membership()?;
        if device == state.keys.id() || membership.member(device).is_none() {
            return Err(SyncError::MembershipRefused {
                why: "not a current member other than this device",
            }
            .into());
        }
        self.new_epoch(&state, &membership, Some(device))?;
        Ok(self.finish())
    }

    /// Moves the record to the next key epoch, the key wrapped for every current member but
    /// this owner and `removed`: a `remove` of `removed`, or a `rotate` after a member left.
    pub(super) fn new_epoch(
        &mut self,
        state: &State,
        membership: &Membership,
        removed: Option<&str>,
    ) -> Result<u32> {
        let record = state.record.clone();
        let epoch = membership.epoch() + 1;
        // The new key is kept before it is announced: a crash after the relay took the entry
        // still leaves this device able to read the new epoch.
        let name = format!("epoch/{epoch}");
        let key = match self.store.sync_read(|c| key32(c, &name))? {
            Some(k) => k,
            None => {
                let k = crypto::random::<KEY_LEN>().map_err(SyncError::Crypto)?;
                self.store.sync_tx(|tx| put_secret(tx, &name, &k))?;
                k
            }
        };
        let me = state.keys.id();
        let keys = membership
            .members()
            .filter(|m| {
                m.removed.is_none() && m.device.id != me && Some(m.device.id.as_str()) != removed
            })
            .map(|m| super::membership::wrap_key(&state.keys, &m.device, &record, epoch, &key))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let body = match removed {
            Some(device) => Body::Remove {
                record: record.clone(),
                device: device.to_string(),
                by: me,
                epoch,
                keys,
            },
            None => Body::Rotate {
                record: record.clone(),
                by: me,
                epoch,
                keys,
            },
        };
        self.post_membership(state, &body)?;
        self.store
            .sync_tx(|tx| set(tx, Key::Epoch, &epoch.to_string()))?;
        Ok(epoch)
    }

    /// Leaves the record (a member that is not the owner): a signed departure the relay
    /// appends; the owner's device then moves the record to a new key at its next sync.
    pub(crate) fn leave(mut self) -> Result<SyncReport> {
        let record = self.store.record_id().to_string();
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        let membership = self.membership()?;
        if state.role == Role::Owner && membership.owners() < 2 {
            return Err(SyncError::MembershipRefused {
                why: "the last owner device cannot leave the record",
            }
            .into());
        }
        let me = state.keys.id();
        let body = Body::Remove {
            record,
            device: me.clone(),
            by: me,
            epoch: membership.epoch(),
            keys: Vec::new(),
        };
        self.post_membership(&state, &body)?;
        Ok(self.finish())
    }

    /// Signs `body` with this device's key and posts it to the relay's membership log.
    pub(super) fn post_membership(&mut self, state: &State, body: &Body) -> Result<()> {
        let entry = Entry::sign(body, &[&state.keys.signing])?;
        self.caller.call(
            Some(&state.keys.signing),
            "POST",
            &format!("/v1/records/{}/membership", state.record),
            entry.to_bytes(),
            "application/json",
        )?;
        Ok(())
    }

    /// The membership as this replica's copy of the log has it.
    pub(super) fn membership(&mut self) -> Result<Membership> {
        let rows: Vec<(i64, Vec<u8>)> = self.store.sync_read(|c| {
            let mut stmt = c.prepare(
                "SELECT seq, bytes FROM sync_log WHERE status = 'membership' ORDER BY seq",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        let mut m = Membership::default();
        for (seq, bytes) in rows {
            m.apply(u64::try_from(seq).unwrap_or(0), &bytes)
                .map_err(|_| Error::Corrupt {
                    detail: "a stored membership entry no longer verifies",
                })?;
        }
        Ok(m)
    }

    /// The record's members and what this replica quarantined.
    pub(crate) fn members(store: &Store) -> Result<MembersReport> {
        let record = store.record_id().to_string();
        store.sync_read(|c| {
            let state = State::load(c, &record)?;
            let m = stored_membership(c)?;
            let me = state.keys.id();
            let naming = key32(c, "naming")?;
            let name_of = |device: &str| {
                m.members()
                    .find(|x| x.device.id == device)
                    .and_then(|x| x.name.as_deref())
                    .and_then(|n| membership::open_name(naming.as_ref()?, &record, n))
            };
            let mut admitted: Vec<_> = m.members().collect();
            admitted.sort_by_key(|x| x.since);
            let members = admitted
                .into_iter()
                .map(|x| MemberInfo {
                    device: x.device.id.clone(),
                    role: x.role,
                    since: x.since,
                    removed: x.removed,
                    this_device: x.device.id == me,
                    name: name_of(&x.device.id),
                    invited_by: x.invited_by.clone(),
                    invited_by_name: x.invited_by.as_deref().and_then(name_of),
                    invited_ms: x.invited_at,
                    joined_ms: x.joined_at,
                    may_write: x.role.collections().iter().map(|c| c.to_string()).collect(),
                })
                .collect();
            let mut stmt = c.prepare(
                "SELECT seq, author, reason FROM sync_log WHERE status = 'quarantined' ORDER BY seq",
            )?;
            let quarantined = stmt
                .query_map([], |r| {
                    Ok(QuarantinedItem {
                        seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        author: r.get(1)?,
                        reason: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let count = |sql: &str| -> Result<u64> {
                Ok(u64::try_from(c.query_row(sql, [], |r| r.get::<_, i64>(0))?).unwrap_or(0))
            };
            let now = now_ms()?;
            let pending_invites = m
                .open_invites()
                .into_iter()
                .filter(|o| o.expires > now)
                .map(|o| PendingInvite {
                    role: o.role,
                    name: o
                        .name
                        .as_deref()
                        .and_then(|n| membership::open_name(naming.as_ref()?, &record, n)),
                    invited_by_name: name_of(&o.by),
                    invited_by: o.by,
                    invited_ms: o.at,
                    expires_ms: o.expires,
                })
                .collect();
            Ok(MembersReport {
                relay: state.relay.clone(),
                device: me,
                role: state.role,
                members,
                pending_invites,
                quarantined,
                held: held_count(c)?,
                missing: missing_data(c)?,
                cursor: state.cursor,
                unsent: count("SELECT count(*) FROM sync_outbox")?
                    + count("SELECT count(*) FROM sync_sending")?,
                no_longer_member: get(c, Key::NoLongerMember)?.is_some(),
            })
        })
    }
}
