//! The record's sharing state in its database (`sync_state`, `sync_log`) and its secrets in
//! the key store: typed reads of what a sync needs, and the writes that keep it.

use super::*;

/// What `sync_state` keeps, one row each: a new piece of state is a new key here, and no
/// other code names a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// The relay's address.
    Relay,
    /// This device's role.
    Role,
    /// The current key epoch.
    Epoch,
    /// The log position read up to.
    Cursor,
    /// The log position the owner's last snapshots cover.
    SnapshotAt,
    /// Those snapshots' bytes.
    SnapshotBytes,
    /// Envelope bytes since them.
    SnapshotSinceBytes,
    /// The relay's log digest, and the position it is at (a relay restored from a backup
    /// is found by it).
    Digest,
    /// See [`Key::Digest`].
    DigestAt,
    /// When this device last synced to the end of the log (Unix milliseconds).
    LastSyncMs,
    /// Set once the relay refused this device as no longer a member.
    NoLongerMember,
    /// The notifications a member's device chose.
    Notify,
}

impl Key {
    /// The row's key.
    fn name(self) -> &'static str {
        match self {
            Self::Relay => "relay",
            Self::Role => "role",
            Self::Epoch => "epoch",
            Self::Cursor => "cursor",
            Self::SnapshotAt => "snapshot_at",
            Self::SnapshotBytes => "snapshot_bytes",
            Self::SnapshotSinceBytes => "snapshot_since_bytes",
            Self::Digest => "digest",
            Self::DigestAt => "digest_at",
            Self::LastSyncMs => "last_sync_ms",
            Self::NoLongerMember => "no_longer_member",
            Self::Notify => "notify",
        }
    }
}

/// The state `key` holds, if any.
pub(crate) fn get(conn: &Connection, key: Key) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key.name()], |r| r.get(0))
        .optional()?)
}

/// The relay's address, when the record is shared.
pub(crate) fn stored_relay(conn: &Connection) -> Result<Option<String>> {
    get(conn, Key::Relay)
}

/// The number the state `key` holds (0 when none, or not a number).
pub(crate) fn number(conn: &Connection, key: Key) -> Result<u64> {
    Ok(get(conn, key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Keeps `value` as the state `key`, inside the caller's transaction.
pub(crate) fn set(conn: &Connection, key: Key, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)")?
        .execute([key.name(), value])?;
    Ok(())
}

/// The names of every sync secret the record's file may have in the key store: the device's
/// keys, the naming key, and the record key of every epoch up to the current one.
pub(crate) fn secret_names(c: &Connection) -> Result<Vec<String>> {
    let epoch = u32::try_from(number(c, Key::Epoch)?).unwrap_or(0);
    let mut names = vec!["sync/device".to_string(), "sync/naming".to_string()];
    names.extend((0..=epoch).map(|e| format!("sync/epoch/{e}")));
    Ok(names)
}

/// The record's sync secret `name` (`naming`, `epoch/3`), from the device's key store.
pub(crate) fn key32(c: &SyncConn<'_>, name: &str) -> Result<Option<[u8; KEY_LEN]>> {
    c.keys.key32(&format!("sync/{name}"))
}

/// The record key of `epoch` and the naming key.
pub(crate) fn record_keys(c: &SyncConn<'_>, epoch: u32) -> Result<([u8; KEY_LEN], [u8; KEY_LEN])> {
    match (key32(c, &format!("epoch/{epoch}"))?, key32(c, "naming")?) {
        (Some(key), Some(naming)) => Ok((key, naming)),
        _ => Err(Error::Corrupt {
            detail: "the record keys are missing",
        }),
    }
}

/// Keeps the sync secret `name` in the device's key store (before the transaction around it
/// commits).
pub(crate) fn put_secret(c: &SyncConn<'_>, name: &str, bytes: &[u8]) -> Result<()> {
    c.keys.put(&format!("sync/{name}"), bytes)
}

/// This device's keys in the record, if it has any yet.
pub(crate) fn device_keys(c: &SyncConn<'_>) -> Result<Option<DeviceKeys>> {
    c.keys
        .get("sync/device")?
        .map(|b| {
            DeviceKeys::from_bytes(&b).map_err(|_| Error::Corrupt {
                detail: "the stored device keys are malformed",
            })
        })
        .transpose()
}

/// Keeps this device's keys in the record, unless it has some already (they are never
/// replaced: the device's id is derived from them).
pub(crate) fn keep_device_keys(c: &SyncConn<'_>, keys: &DeviceKeys) -> Result<()> {
    if device_keys(c)?.is_none() {
        c.keys.put("sync/device", &keys.to_bytes())?;
    }
    Ok(())
}

/// The record's sharing state, read from its database.
pub(crate) struct State {
    pub(crate) relay: String,
    pub(crate) record: String,
    pub(crate) record_bytes: [u8; 16],
    pub(crate) keys: DeviceKeys,
    pub(crate) role: Role,
    pub(crate) epoch: u32,
    pub(crate) cursor: u64,
    pub(crate) epoch_keys: std::collections::BTreeMap<u32, [u8; KEY_LEN]>,
}

/// This device's role in the shared record.
pub(crate) fn own_role(conn: &Connection) -> Result<Role> {
    get(conn, Key::Role)?
        .and_then(|r| Role::parse(&r))
        .ok_or(Error::Corrupt {
            detail: "the record's sync role is missing",
        })
}

impl State {
    pub(crate) fn epoch_key(&self, epoch: u32) -> Option<[u8; KEY_LEN]> {
        self.epoch_keys.get(&epoch).copied()
    }

    pub(crate) fn load(conn: &SyncConn<'_>, record: &str) -> Result<Self> {
        let relay = get(conn, Key::Relay)?.ok_or(SyncError::NotShared)?;
        let keys = device_keys(conn)?.ok_or(Error::Corrupt {
            detail: "the record is shared but its device keys are missing",
        })?;
        let role = own_role(conn)?;
        let epoch = u32::try_from(number(conn, Key::Epoch)?).unwrap_or(0);
        // Every epoch up to the current one, and the next (kept before it is announced).
        let mut epoch_keys = std::collections::BTreeMap::new();
        for e in 0..=epoch.saturating_add(1) {
            if let Some(k) = key32(conn, &format!("epoch/{e}"))? {
                epoch_keys.insert(e, k);
            }
        }
        Ok(Self {
            epoch_keys,
            relay,
            record: record.to_string(),
            record_bytes: wire::record_bytes(record)?,
            keys,
            role,
            epoch,
            cursor: number(conn, Key::Cursor)?,
        })
    }
}

/// The membership as this device last replayed it, from the entries it stored.
pub(crate) fn stored_membership(c: &Connection) -> Result<Membership> {
    let mut m = Membership::default();
    let mut stmt =
        c.prepare("SELECT seq, bytes FROM sync_log WHERE status = 'membership' ORDER BY seq")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (seq, bytes) in rows {
        let _ = m.apply(u64::try_from(seq).unwrap_or(0), &bytes);
    }
    Ok(m)
}

/// From whom data is missing: the members whose envelopes are held, oldest first. One query
/// of the held rows, cheap enough for a home screen.
pub(crate) fn missing_data(c: &Connection) -> Result<Vec<MissingData>> {
    let mut stmt = c.prepare_cached(
        "SELECT author, count(*), min(coalesce(at_ms, 0)), group_concat(coalesce(waits_for, ''), ',')
         FROM sync_log WHERE status = 'held' GROUP BY author ORDER BY 3, 1",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let waits: Option<String> = r.get(3)?;
            let mut waiting_for: Vec<String> = waits
                .unwrap_or_default()
                .split(',')
                .filter(|h| !h.is_empty())
                .map(str::to_string)
                .collect();
            waiting_for.sort_unstable();
            waiting_for.dedup();
            Ok(MissingData {
                author: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                envelopes: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                since_ms: r.get(2)?,
                waiting_for,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub(crate) fn held_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sync_log WHERE status = 'held'",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The sealed envelopes the relay has not acknowledged yet, oldest first.
pub(crate) fn sending(conn: &Connection) -> Result<Vec<(i64, Vec<u8>)>> {
    let mut stmt = conn.prepare("SELECT id, envelope FROM sync_sending ORDER BY id")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// This device's own choice of notifications for the record, if it made one: `Some(None)`
/// none, `Some(Some(minutes))` a caregiver's, told `minutes` after a dose's time.
pub(crate) fn notify_choice(conn: &Connection) -> Result<Option<Option<u32>>> {
    Ok(get(conn, Key::Notify)?.map(|v| v.parse().ok()))
}

/// Keeps this device's choice of notifications (see [`notify_choice`]); it is the device's
/// own, never synced.
pub(crate) fn set_notify_choice(conn: &Connection, grace_minutes: Option<u32>) -> Result<()> {
    let value = grace_minutes.map_or_else(|| "off".to_string(), |m| m.to_string());
    set(conn, Key::Notify, &value)
}

/// Notes when this device last synced the record whole (pushed and pulled to the log's end).
pub(crate) fn note_synced(conn: &Connection) -> Result<()> {
    set(conn, Key::LastSyncMs, &now_ms()?.to_string())
}

/// When this device last synced the record, in Unix milliseconds.
pub(crate) fn last_synced(conn: &Connection) -> Result<Option<i64>> {
    Ok(get(conn, Key::LastSyncMs)?.and_then(|v| v.parse().ok()))
}

/// Notes that the relay refused this device as no longer a member, for
/// [`MembersReport::no_longer_member`].
pub(crate) fn note_no_longer_member(conn: &Connection) -> Result<()> {
    set(conn, Key::NoLongerMember, &now_ms()?.to_string())
}
