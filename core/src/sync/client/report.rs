//! What a sync, an invite and the membership report: the types the client returns.

use super::*;

/// What a sync is doing, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Sending this replica's changes.
    Push,
    /// Loading the record's snapshots (a new device).
    Bootstrap,
    /// Reading the log.
    Pull,
}

/// Progress of a sync: `done` of `total` units of the phase (envelopes, snapshots, log items).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The phase.
    pub phase: Phase,
    /// Units done.
    pub done: u64,
    /// Units in all (as far as known).
    pub total: u64,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Local changes sent.
    pub pushed: u64,
    /// Envelopes of other members applied.
    pub applied: u64,
    /// Membership entries read.
    pub membership: u64,
    /// Items quarantined by this sync (never applied; see [`MembersReport`]).
    pub quarantined: u64,
    /// Envelopes held because they depend on changes not received yet.
    pub held: u64,
    /// Snapshots loaded (a new device) or uploaded (the owner).
    pub snapshots: u64,
    /// Entries new to this replica.
    pub added: u64,
    /// Entries that changed.
    pub updated: u64,
    /// Entries deleted.
    pub deleted: u64,
    /// Alerts the merge rules raised here.
    pub alerts_raised: u64,
    /// The log position this replica has read up to.
    pub cursor: u64,
    /// HTTP requests made (retries included).
    pub requests: u64,
    /// Request body bytes sent.
    pub bytes_sent: u64,
    /// Response body bytes received.
    pub bytes_received: u64,
    /// The relay was found behind this device (restored from a backup): this sync sent again
    /// what the relay lost of this device's writes and read its log afresh.
    pub relay_restored: bool,
    /// Whose changes this sync applied, and to which collections, by device (in the order
    /// first applied): who changed the medications, the targets, logged the doses.
    pub changed_by: Vec<ChangesBy>,
}

/// One member's changes applied by a sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChangesBy {
    /// The author's device id.
    pub device: String,
    /// The author's display name, as the membership log gives it.
    pub name: Option<String>,
    /// Its role when it wrote them.
    pub role: Option<Role>,
    /// The collections they touched, by name, sorted.
    pub collections: Vec<String>,
}

impl SyncReport {
    /// Notes that `device` (a `role`) changed `collections`.
    pub(crate) fn changed(
        &mut self,
        device: &str,
        role: Role,
        collections: impl IntoIterator<Item = String>,
    ) {
        let i = match self.changed_by.iter().position(|c| c.device == device) {
            Some(i) => i,
            None => {
                self.changed_by.push(ChangesBy {
                    device: device.to_string(),
                    name: None,
                    role: Some(role),
                    collections: Vec::new(),
                });
                self.changed_by.len() - 1
            }
        };
        let entry = &mut self.changed_by[i];
        entry.collections.extend(collections);
        entry.collections.sort_unstable();
        entry.collections.dedup();
    }
}

/// A new invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InviteInfo {
    /// The code to pass on (`XXXX-…@relay`).
    pub code: String,
    /// The QR payload (`companion:join?…`).
    pub qr_payload: String,
    /// The role it grants.
    pub role: Role,
    /// When the relay stops accepting it (Unix milliseconds).
    pub expires_ms: i64,
}

/// A member of the record, as this replica's copy of the log says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberInfo {
    /// The device id.
    pub device: String,
    /// Its role.
    pub role: Role,
    /// The log position that admitted it.
    pub since: u64,
    /// The position that removed it, if removed.
    pub removed: Option<u64>,
    /// Whether it is this device.
    pub this_device: bool,
    /// Its display name: its own, else the one the owner gave its invite, else none.
    pub name: Option<String>,
    /// The owner device that invited it (none for the owner who shared the record).
    pub invited_by: Option<String>,
    /// That owner's display name, if it has one.
    pub invited_by_name: Option<String>,
    /// When it was invited (Unix milliseconds, the inviter's clock), when the log says.
    pub invited_ms: Option<i64>,
    /// When it joined (or shared the record), when the log says.
    pub joined_ms: Option<i64>,
    /// The collections its role may write (the owner: every one); every member reads all.
    pub may_write: Vec<String>,
}

/// An invite issued and not taken up yet: someone who may still join, with the role offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingInvite {
    /// The role it offers.
    pub role: Role,
    /// Whom it is for, as the owner named them.
    pub name: Option<String>,
    /// The owner device that issued it.
    pub invited_by: String,
    /// That owner's display name.
    pub invited_by_name: Option<String>,
    /// When it was issued (Unix milliseconds), when the log says.
    pub invited_ms: Option<i64>,
    /// When the relay stops accepting it (Unix milliseconds).
    pub expires_ms: i64,
}

/// A log item this replica refused: stored, never applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantinedItem {
    /// Its log position.
    pub seq: u64,
    /// The device it claims as author, if it names one.
    pub author: Option<String>,
    /// Why it was refused.
    pub reason: String,
}

/// A member whose envelopes this device holds, unapplied, because they depend on changes it
/// has not received (from that member or another): its data is missing here until they come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingData {
    /// The member's device id.
    pub author: String,
    /// How many of its envelopes wait.
    pub envelopes: u64,
    /// When the first of them was held (Unix milliseconds).
    pub since_ms: i64,
    /// The changes they wait for (Automerge change hashes, hex), as far as this device can
    /// tell: a member who has them can send them again.
    pub waiting_for: Vec<String>,
}

/// The membership and what was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembersReport {
    /// The relay's address.
    pub relay: String,
    /// This device's id and role.
    pub device: String,
    /// This device's role.
    pub role: Role,
    /// Every member, removed ones included, in the order they were admitted.
    pub members: Vec<MemberInfo>,
    /// Invites issued and not taken up yet, that have not expired, oldest first.
    pub pending_invites: Vec<PendingInvite>,
    /// Items quarantined, oldest first.
    pub quarantined: Vec<QuarantinedItem>,
    /// Envelopes held for missing changes.
    pub held: u64,
    /// From whom data is missing: members whose envelopes are held, waiting for changes this
    /// device has not received, oldest first.
    pub missing: Vec<MissingData>,
    /// The log position read up to.
    pub cursor: u64,
    /// Local changes not yet acknowledged by the relay.
    pub unsent: u64,
    /// The relay refused this device as no longer a member (it was removed, or it left):
    /// its copy stays, nothing more is sent or received.
    pub no_longer_member: bool,
}
