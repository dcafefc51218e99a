//! Snapshots: the owner's fresh ones uploaded as the log grows, a new device's loaded first.

use super::*;

impl Client<'_> {
    /// Seals a snapshot of every document and uploads it, covering log position `covers`.
    /// The owner's snapshot rule: new snapshots once the log has grown by [`SNAPSHOT_EVERY`]
    /// positions or the envelopes since the last ones exceed 1/[`SNAPSHOT_GROWTH`] of their
    /// bytes, with nothing held and the device at the tip (so they cover every valid change
    /// up to `cursor`).
    pub(super) fn refresh_snapshots(&mut self, state: &State, cursor: u64, tip: u64) -> Result<()> {
        let bytes = self.envelope_bytes;
        let (last, since, size, held) = self.store.sync_tx(|tx| {
            let since = number(tx, Key::SnapshotSinceBytes)? + bytes;
            set(tx, Key::SnapshotSinceBytes, &since.to_string())?;
            Ok((
                number(tx, Key::SnapshotAt)?,
                since,
                number(tx, Key::SnapshotBytes)?,
                held_count(tx)?,
            ))
        })?;
        let grown = tip >= last + SNAPSHOT_EVERY
            || (tip > last && since > (size / SNAPSHOT_GROWTH).max(SNAPSHOT_GROWTH_FLOOR));
        if grown && held == 0 && cursor == tip {
            let size = self.upload_snapshots(state, cursor)?;
            self.store.sync_tx(|tx| {
                set(tx, Key::SnapshotAt, &cursor.to_string())?;
                set(tx, Key::SnapshotBytes, &size.to_string())?;
                set(tx, Key::SnapshotSinceBytes, "0")
            })?;
        }
        Ok(())
    }

    /// Uploads one snapshot per document covering the log up to `covers`; returns their bytes.
    pub(super) fn upload_snapshots(&mut self, state: &State, covers: u64) -> Result<u64> {
        let (key, naming) = self.store.sync_read(|c| record_keys(c, state.epoch))?;
        let mut size = 0;
        for doc in self.store.documents()? {
            let name = doc.to_string();
            let saved = self.store.export_document(doc)?;
            let env = Envelope::seal(
                state.record_bytes,
                &state.keys.signing,
                state.epoch,
                &key,
                Some(covers),
                &wire::encode_payload(&vec![(name.clone(), vec![saved])]),
            )?;
            let slot = crypto::hex(
                &crypto::derive(&naming, name.as_bytes(), "companion-snapshot-slot")[..16],
            );
            size += env.bytes.len() as u64;
            self.caller.call(
                Some(&state.keys.signing),
                "PUT",
                &format!("/v1/records/{}/snapshots/{slot}", state.record),
                env.bytes,
                "application/octet-stream",
            )?;
            self.report.snapshots += 1;
        }
        Ok(size)
    }

    /// The record's snapshots, as the relay serves them (one request).
    pub(super) fn fetch_snapshots(&mut self, state: &State) -> Result<Vec<Envelope>> {
        // Page by page, each within the relay's page limit (a relay of an earlier version
        // answers every snapshot at once, and says no more follow).
        let mut snapshots = Vec::new();
        let mut after = String::new();
        loop {
            let resp = self.caller.call(
                Some(&state.keys.signing),
                "GET",
                &format!("/v1/records/{}/snapshots?after={after}", state.record),
                Vec::new(),
                "application/octet-stream",
            )?;
            for b in wire::decode_blobs(&resp.body)? {
                snapshots.push(Envelope::parse(state.record_bytes, &b)?);
            }
            if resp.header(wire::headers::MORE) != Some("true") {
                return Ok(snapshots);
            }
            // The next page starts after this one's last slot, which must move forward.
            match resp.header(wire::headers::LAST_SLOT) {
                Some(last) if last > after.as_str() => after = last.to_string(),
                _ => {
                    return Err(SyncError::Malformed {
                        what: "snapshot page",
                    }
                    .into());
                }
            }
        }
    }

    /// Applies the snapshots, each checked to be signed by a current owner; a snapshot that is
    /// not is ignored (the log still brings its changes).
    pub(super) fn load_snapshots(
        &mut self,
        snapshots: &mut Vec<Envelope>,
        membership: &Membership,
        after: AfterApply<'_>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<()> {
        let record = self.store.record_id().to_string();
        let state = self.store.sync_read(|c| State::load(c, &record))?;
        let total = snapshots.len() as u64;
        let mut docs = Vec::new();
        for env in snapshots.drain(..) {
            let by_owner = membership
                .member(&env.author_id())
                .filter(|m| m.role == Role::Owner)
                .and_then(|m| m.device.signing_key().ok())
                .is_some_and(|k| env.verify(&k));
            if !by_owner {
                continue;
            }
            let Ok(payload) = open_payload(&state, &env) else {
                continue;
            };
            for (name, blobs) in payload {
                let Some(doc) = DocId::parse(&name) else {
                    continue;
                };
                for blob in blobs {
                    let Ok(loaded) = automerge::Automerge::load(&blob) else {
                        continue;
                    };
                    docs.push((doc, loaded.get_changes(&[]).into_iter().collect::<Vec<_>>()));
                }
            }
        }
        let n = docs.len() as u64;
        if !docs.is_empty() {
            let (reports, raised) = self.store.apply_documents(docs, after)?;
            self.report.alerts_raised += raised;
            for r in reports {
                self.report.added += r.added;
            }
        }
        self.report.snapshots += n;
        progress(Progress {
            phase: Phase::Bootstrap,
            done: total,
            total,
        });
        Ok(())
    }
}
