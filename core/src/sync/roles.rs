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

/// Collections every writing member may touch: alerts are raised by each replica's own merge
/// rules and acknowledged by whoever reads them.
const SHARED: &[&str] = &["alerts"];

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
        let own: &[&str] = match self {
            Self::Owner => return true,
            Self::Caregiver => &[
                "readings",
                "doses",
                "refills",
                "journal",
                "journey_steps",
                "responses",
            ],
            Self::Clinician => &[
                "medications",
                "targets",
                "measurement_plans",
                "appointments",
                "journeys",
                "templates",
            ],
            Self::Viewer => return false,
        };
        own.contains(&collection) || SHARED.contains(&collection)
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
