//! Who may write what (docs/sync-protocol.md, "Roles"): the one table every replica and the
//! relay judge by.

use serde::{Deserialize, Serialize};

/// A member's role in a shared record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The patient: writes everything, invites and removes members.
    Owner,
    /// A family caregiver: readings, doses, refills, the journal, journey steps and
    /// questionnaire answers; not the plan or membership.
    Caregiver,
    /// The clinic: medication plans, targets, measurement plans, appointments, journeys and
    /// their templates; not the patient's journal, readings or doses.
    Clinician,
    /// Reads everything, writes nothing.
    Viewer,
}

/// The collection every writing member may touch: alerts are raised by each replica's own
/// merge rules and acknowledged by whoever reads them.
const SHARED: &str = "alerts";

impl Role {
    /// The role's name as the protocol and the CLI spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Caregiver => "caregiver",
            Self::Clinician => "clinician",
            Self::Viewer => "viewer",
        }
    }

    /// The role named `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "owner" => Some(Self::Owner),
            "caregiver" => Some(Self::Caregiver),
            "clinician" => Some(Self::Clinician),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    /// Whether the role may author envelopes at all (the relay's check: it cannot see inside).
    pub fn writes(self) -> bool {
        self != Self::Viewer
    }

    /// Whether the role may write the collection `name` (every replica's check, on the
    /// decrypted changes). The owner may write anything, including what no collection holds
    /// (the document root).
    pub fn may_write(self, collection: &str) -> bool {
        self == Self::Owner || self.collections().contains(&collection)
    }

    /// The collections the role may write, as the documents name them (the owner: every
    /// one). What `members` shows each member may do.
    pub fn collections(self) -> &'static [&'static str] {
        match self {
            Self::Owner => ALL,
            Self::Caregiver => CAREGIVER,
            Self::Clinician => CLINICIAN,
            Self::Viewer => &[],
        }
    }
}

/// What a caregiver writes: the patient's day ([`SHARED`] among them).
const CAREGIVER: &[&str] = &[
    "readings",
    "reading_blocks",
    "doses",
    "refills",
    "journal",
    "journey_steps",
    "responses",
    SHARED,
];

/// What a clinician writes: the plan ([`SHARED`] among them).
const CLINICIAN: &[&str] = &[
    "medications",
    "targets",
    "measurement_plans",
    "appointments",
    "journeys",
    "templates",
    SHARED,
];

/// What only the owner writes, by decision: who the patient is, and where they are.
#[cfg(test)]
const OWNER_ONLY: &[&str] = &["profile", "zones"];

/// Every collection of a record (the store's test checks it against its own list; this
/// crate's, that each is decided: a caregiver's, a clinician's, or [`OWNER_ONLY`]).
const ALL: &[&str] = &[
    "profile",
    "medications",
    "appointments",
    "measurement_plans",
    "targets",
    "readings",
    "reading_blocks",
    "alerts",
    "doses",
    "journal",
    "refills",
    "zones",
    "journeys",
    "journey_steps",
    "responses",
    "templates",
];

impl Role {
    /// Whether changes to `collection` are judged entry by entry from their fields
    /// ([`Role::may_change`]); every other collection is judged whole ([`Role::may_write`]),
    /// and its entries need not be read to judge them.
    pub fn judges_fields(collection: &str) -> bool {
        collection == "readings"
    }

    /// Whether the role may change an entry of `collection` from `before` to `after` (`None`:
    /// absent; the fields as stored). Readings are split by where they were taken: a clinician
    /// writes only blood pressures taken in the office and named (`setting` `office`,
    /// `logged_by`), adding, correcting or deleting them; a caregiver writes only the others.
    /// Every other collection is [`Role::may_write`]'s.
    pub fn may_change(
        self,
        collection: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> bool {
        let office = |v: Option<&serde_json::Value>| {
            v.and_then(|v| v.get("setting"))
                .and_then(serde_json::Value::as_str)
                == Some("office")
        };
        let named = |v: Option<&serde_json::Value>| {
            v.and_then(|v| v.get("logged_by"))
                .and_then(serde_json::Value::as_str)
                .is_some_and(|s| !s.trim().is_empty())
        };
        match (self, collection) {
            (Self::Clinician, "readings") => {
                (before.is_none() || office(before))
                    && (after.is_none() || office(after) && named(after))
            }
            (Self::Caregiver, "readings") => !office(before) && !office(after),
            _ => self.may_write(collection),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_split_by_where_they_were_taken() {
        use serde_json::json;
        let office = json!({"setting": "office", "logged_by": "Dr. Lee"});
        let unnamed = json!({"setting": "office"});
        let home = json!({"logged_by": "Ana"});
        let c = Role::Clinician;
        assert!(c.may_change("readings", None, Some(&office)));
        assert!(c.may_change("readings", Some(&office), Some(&office)));
        assert!(c.may_change("readings", Some(&office), None));
        assert!(!c.may_change("readings", None, Some(&unnamed)));
        assert!(!c.may_change("readings", None, Some(&home)));
        assert!(!c.may_change("readings", Some(&home), Some(&office)));
        assert!(!c.may_change("readings", Some(&home), None));
        let g = Role::Caregiver;
        assert!(g.may_change("readings", None, Some(&home)));
        assert!(g.may_change("readings", Some(&home), None));
        assert!(!g.may_change("readings", Some(&office), Some(&office)));
        assert!(!g.may_change("readings", Some(&home), Some(&office)));
        assert!(!g.may_change("readings", Some(&office), None));
        assert!(Role::Owner.may_change("readings", Some(&office), None));
        assert!(!Role::Viewer.may_change("readings", None, Some(&home)));
        assert!(c.may_change("medications", None, None));
    }

    /// A collection is owner-only because it is listed so, never because no role names it.
    #[test]
    fn every_collection_is_decided() {
        for c in ALL {
            let decided = [CAREGIVER, CLINICIAN, OWNER_ONLY]
                .iter()
                .filter(|list| list.contains(c))
                .count();
            assert!(decided > 0, "{c} is in no role's list");
            assert!(
                !(OWNER_ONLY.contains(c) && decided > 1),
                "{c} is owner-only and another role's"
            );
        }
        for list in [CAREGIVER, CLINICIAN, OWNER_ONLY] {
            assert!(list.iter().all(|c| ALL.contains(c)), "{list:?}");
        }
    }

    #[test]
    fn the_roles_table() {
        assert!(Role::Owner.may_write("profile"));
        assert!(Role::Caregiver.may_write("readings") && Role::Caregiver.may_write("doses"));
        assert!(Role::Caregiver.may_write("journal"));
        assert!(!Role::Caregiver.may_write("medications") && !Role::Caregiver.may_write("profile"));
        assert!(Role::Clinician.may_write("medications") && Role::Clinician.may_write("targets"));
        assert!(!Role::Clinician.may_write("journal") && !Role::Clinician.may_write("readings"));
        assert!(!Role::Viewer.may_write("alerts") && !Role::Viewer.writes());
        // Journeys: the clinic starts them and authors templates; the patient's side records
        // what happens along them.
        assert!(Role::Clinician.may_write("journeys") && Role::Clinician.may_write("templates"));
        assert!(!Role::Clinician.may_write("journey_steps"));
        assert!(
            Role::Caregiver.may_write("journey_steps") && Role::Caregiver.may_write("responses")
        );
        assert!(!Role::Caregiver.may_write("journeys") && !Role::Caregiver.may_write("templates"));
        for r in [Role::Owner, Role::Caregiver, Role::Clinician, Role::Viewer] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
