//! Long polls: waiting at the relay until the log grows past the cursor.

use super::*;

/// Longest wait of one long poll, in seconds (the relay's own limit).
pub const MOST_WAIT_SECONDS: u64 = 25;

/// What a device needs to wait for news at the relay without holding the record open: the
/// relay, the record, this device's signing key and the log position it has read up to.
/// Taken with `HealthRecord::watch` after a sync; stale once the next sync moves on.
pub struct Watch {
    relay: String,
    record: String,
    signing: crypto::SigningKey,
    cursor: u64,
}

impl Watch {
    pub(crate) fn load(conn: &SyncConn<'_>, record: &str) -> Result<Self> {
        let state = State::load(conn, record)?;
        Ok(Self {
            relay: state.relay,
            record: state.record,
            signing: state.keys.signing,
            cursor: state.cursor,
        })
    }

    /// The log position this watch waits past.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Waits up to `seconds` (at most [`MOST_WAIT_SECONDS`]) for the record's log to grow
    /// past the cursor: one long-poll request, answered as soon as anything arrives. True
    /// when there is something to sync (the log grew past the cursor, or is behind it or
    /// compacted past it), false when the wait ended with nothing. A relay that cannot be reached is [`SyncError::Unreachable`] after retries; a
    /// device that is no longer a member gets the relay's refusal.
    pub fn wait(&self, transport: &mut dyn Transport, seconds: u64) -> Result<bool> {
        let seconds = seconds.min(MOST_WAIT_SECONDS);
        let path = format!(
            "/v1/records/{}/log?after={}&limit=1&wait={seconds}",
            self.record, self.cursor
        );
        let resp = match Caller::new(transport, &self.relay).call(
            Some(&self.signing),
            "GET",
            &path,
            Vec::new(),
            "application/octet-stream",
        ) {
            // Compacted past the cursor: a sync loads the snapshots.
            Err(Error::Sync(SyncError::Relay { code, .. })) if code == "compacted" => {
                return Ok(true);
            }
            other => other?,
        };
        let tip: u64 = resp
            .header(wire::headers::TIP)
            .and_then(|t| t.parse().ok())
            .ok_or(SyncError::Malformed { what: "log page" })?;
        // A log shorter than the cursor is news too: the relay was restored from a backup.
        Ok(tip != self.cursor)
    }
}
