use chrono::{DateTime, Datelike, Utc};

/// Names one Automerge document of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocId {
    /// The record document: profile, targets, appointments, measurement plans (and the
    /// medications of records made before they had documents of their own).
    Record,
    /// One medication, its schedule history and pauses: each in its own small document, so
    /// that adding or editing one never loads the others.
    Medication {
        /// The medication's id (a UUID), as a number.
        id: u128,
    },
    /// Where the patient's device was: its time-zone changes.
    Zones,
    /// Care journeys: the journeys started, their steps, questionnaire responses and the
    /// clinic's templates.
    Journeys,
    /// The log of one calendar month (UTC): readings, doses, journal.
    Log {
        /// The year.
        year: i32,
        /// The month, 1 to 12.
        month: u32,
    },
    /// The blocks of readings imported for one calendar month (UTC): a document of its own,
    /// not a collection of the month's log, because a document's genesis is frozen.
    Imports {
        /// The year.
        year: i32,
        /// The month, 1 to 12.
        month: u32,
    },
}

impl DocId {
    /// The log document an event at `at` belongs to.
    pub fn log_for(at: DateTime<Utc>) -> Self {
        Self::Log {
            year: at.year(),
            month: at.month(),
        }
    }

    /// The import document of the month of `at`.
    pub fn imports_for(at: DateTime<Utc>) -> Self {
        Self::Imports {
            year: at.year(),
            month: at.month(),
        }
    }

    /// The document of the medication `id`: its own when the id is a UUID (as `new_id` makes
    /// them), else the record document.
    pub fn medication(id: &str) -> Self {
        match uuid::Uuid::try_parse(id) {
            Ok(uuid) => Self::Medication { id: uuid.as_u128() },
            Err(_) => Self::Record,
        }
    }

    /// Parses the stored name (`record`, `medication/<uuid>`, `log/2026-11`,
    /// `imports/2026-11`); `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        if name == "record" {
            return Some(Self::Record);
        }
        if name == "zones" {
            return Some(Self::Zones);
        }
        if name == "journeys" {
            return Some(Self::Journeys);
        }
        if let Some(id) = name.strip_prefix("medication/") {
            let uuid = uuid::Uuid::try_parse(id).ok()?;
            // Only the canonical form, so that one document has one name.
            return (uuid.hyphenated().to_string() == id)
                .then_some(Self::Medication { id: uuid.as_u128() });
        }
        let (imports, rest) = match name.strip_prefix("imports/") {
            Some(rest) => (true, rest),
            None => (false, name.strip_prefix("log/")?),
        };
        let (year, month) = rest.split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month: u32 = month.parse().ok()?;
        if !((1..=12).contains(&month) && (1..=9999).contains(&year)) {
            return None;
        }
        Some(if imports {
            Self::Imports { year, month }
        } else {
            Self::Log { year, month }
        })
    }

    /// True for the record document.
    pub fn is_record(self) -> bool {
        self == Self::Record
    }
}

impl std::fmt::Display for DocId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Record => f.write_str("record"),
            Self::Zones => f.write_str("zones"),
            Self::Journeys => f.write_str("journeys"),
            Self::Medication { id } => {
                write!(f, "medication/{}", uuid::Uuid::from_u128(*id).hyphenated())
            }
            Self::Log { year, month } => write!(f, "log/{year:04}-{month:02}"),
            Self::Imports { year, month } => write!(f, "imports/{year:04}-{month:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_junk_is_refused() {
        for id in [
            DocId::Record,
            DocId::medication("01a23347-687d-77c7-b1fa-07ccc7b216e5"),
            DocId::Log {
                year: 2026,
                month: 3,
            },
            DocId::Imports {
                year: 2021,
                month: 12,
            },
        ] {
            assert_eq!(DocId::parse(&id.to_string()), Some(id));
        }
        assert_eq!(
            DocId::Log {
                year: 2026,
                month: 3
            }
            .to_string(),
            "log/2026-03"
        );
        for bad in [
            "",
            "log/2026-13",
            "log/26-01",
            "log/2026-1",
            "logs/2026-01",
            "../x",
        ] {
            assert_eq!(DocId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn events_go_to_their_utc_month() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T00:30:00+01:00").expect("time");
        assert_eq!(
            DocId::log_for(at.to_utc()),
            DocId::Log {
                year: 2026,
                month: 2
            }
        );
    }
}
