//! What the store knows about each kind of entry: its collection name, the document it lives in,
//! and the columns of its index row.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

use crate::crdt::DocId;
use crate::model::{
    Alert, Appointment, ClinicalTargets, DoseEvent, JournalEntry, Journey, JourneyStep,
    MeasurementPlan, Medication, Profile, QuestionnaireResponse, Reading, ReadingBlock, Refill,
    StoredTemplate, Validate, ZoneChange,
};

/// A collection of entries inside a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Collection {
    Profile,
    Medications,
    Appointments,
    MeasurementPlans,
    Targets,
    Readings,
    ReadingBlocks,
    Alerts,
    Doses,
    Journal,
    Refills,
    Zones,
    Journeys,
    JourneySteps,
    Responses,
    Templates,
}

impl Collection {
    /// The collections stored in the document `doc`.
    pub(crate) fn in_doc(doc: DocId) -> &'static [Collection] {
        if let DocId::Medication { .. } = doc {
            &[Self::Medications]
        } else if let DocId::Imports { .. } = doc {
            &[Self::ReadingBlocks]
        } else if doc == DocId::Zones {
            &[Self::Zones]
        } else if doc == DocId::Journeys {
            &[
                Self::Journeys,
                Self::JourneySteps,
                Self::Responses,
                Self::Templates,
            ]
        } else if doc.is_record() {
            &[
                Self::Profile,
                Self::Medications,
                Self::Appointments,
                Self::MeasurementPlans,
                Self::Targets,
            ]
        } else {
            &[
                Self::Readings,
                Self::Doses,
                Self::Journal,
                Self::Refills,
                Self::Alerts,
            ]
        }
    }

    /// The collection's name, in the documents and in the index.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Medications => "medications",
            Self::Appointments => "appointments",
            Self::MeasurementPlans => "measurement_plans",
            Self::Refills => "refills",
            Self::Targets => "targets",
            Self::Alerts => "alerts",
            Self::Readings => "readings",
            Self::ReadingBlocks => "reading_blocks",
            Self::Doses => "doses",
            Self::Journal => "journal",
            Self::Zones => "zones",
            Self::Journeys => "journeys",
            Self::JourneySteps => "journey_steps",
            Self::Responses => "responses",
            Self::Templates => "templates",
        }
    }

    /// Fields written whole when they change, so that concurrent edits keep one of the values
    /// entire (last writer wins) rather than a mix nobody entered: a schedule, a dose, a
    /// measurement (142/91 corrected to 142/85 on one device and 135/91 on another must not
    /// become 135/85), a count with the time it was taken. docs/storage.md lists them.
    pub(crate) fn atomic_fields(self) -> &'static [&'static str] {
        match self {
            Self::Medications => &["dose", "schedule", "time_zone", "late_dose", "inventory"],
            Self::Readings => &["measurement", "source"],
            Self::Doses | Self::Refills => &["amount"],
            Self::Responses => &["answers"],
            Self::Templates => &["json"],
            Self::Targets => &["bp_target", "glucose"],
            Self::Profile
            | Self::ReadingBlocks
            | Self::Appointments
            | Self::MeasurementPlans
            | Self::Alerts
            | Self::Journal
            | Self::Zones
            | Self::Journeys
            | Self::JourneySteps => &[],
        }
    }

    /// Lists an entry holds from its creation on, empty or not: no replica ever creates one
    /// inside an entry that exists (two such creations would conflict, one list hidden).
    pub(crate) fn containers(self) -> &'static [&'static str] {
        match self {
            Self::Medications => &["pauses", "history"],
            Self::Journal => &["symptoms"],
            _ => &[],
        }
    }

    /// What the genesis of document `doc` creates: its collections, and the profile and
    /// targets entries of the record document.
    pub(crate) fn shape(doc: DocId) -> crate::crdt::Shape {
        let collections: Vec<&'static str> = Self::in_doc(doc).iter().map(|c| c.name()).collect();
        let fixed = [(Self::Profile, PROFILE_ID), (Self::Targets, TARGETS_ID)]
            .into_iter()
            .filter(|(c, _)| Self::in_doc(doc).contains(c))
            .map(|(c, id)| (c.name(), id))
            .collect();
        crate::crdt::Shape { collections, fixed }
    }

    /// Turns stored fields into an index row, or `None` when they do not decode into a valid
    /// entry (which only a foreign or damaged replica can produce; such entries are not indexed).
    pub(crate) fn index_row(self, id: &str, fields: &Json) -> Option<IndexRow> {
        match self {
            Self::Profile => row_of::<Profile>(id, fields),
            Self::Medications => row_of::<Medication>(id, fields),
            Self::Appointments => row_of::<Appointment>(id, fields),
            Self::MeasurementPlans => row_of::<MeasurementPlan>(id, fields),
            Self::Refills => row_of::<Refill>(id, fields),
            Self::Targets => row_of::<ClinicalTargets>(id, fields),
            Self::Alerts => row_of::<Alert>(id, fields),
            Self::Readings => row_of::<Reading>(id, fields),
            // A block is read only if every reading in it is one a block may hold.
            Self::ReadingBlocks => {
                row_of::<ReadingBlock>(id, fields).filter(|row| block_readings(&row.body).is_some())
            }
            Self::Doses => row_of::<DoseEvent>(id, fields),
            Self::Journal => row_of::<JournalEntry>(id, fields),
            Self::Zones => row_of::<ZoneChange>(id, fields),
            Self::Journeys => row_of::<Journey>(id, fields),
            Self::JourneySteps => row_of::<JourneyStep>(id, fields),
            Self::Responses => row_of::<QuestionnaireResponse>(id, fields),
            Self::Templates => row_of::<StoredTemplate>(id, fields),
        }
    }
}

/// The columns of one row of the `entries` table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IndexRow {
    pub id: String,
    pub tag: Option<String>,
    pub at_ms: Option<i64>,
    /// The end of the span an entry covers, for an entry that holds many (an import block).
    pub until_ms: Option<i64>,
    pub ext_key: Option<String>,
    pub deleted: bool,
    pub body: String,
}

/// The index columns an entry provides.
#[derive(Debug, Default)]
pub(crate) struct IndexFields {
    /// What queries filter on: the reading kind, the medication of a dose, a status.
    pub tag: Option<String>,
    /// The instant it is ordered by.
    pub at: Option<DateTime<FixedOffset>>,
    /// De-duplication key of imported entries.
    pub ext_key: Option<String>,
    /// The end of the span of an entry that holds many (an import block); `at` is its start.
    pub until: Option<DateTime<FixedOffset>>,
}

/// An entry the store can keep.
pub(crate) trait Entity: Serialize + DeserializeOwned + Validate {
    /// Its collection.
    const COLLECTION: Collection;
    /// Its name in error messages.
    const NAME: &'static str;
    /// Its id within the collection.
    fn entry_id(&self) -> &str;
    /// The document a new entry is written to.
    fn home_doc(&self) -> DocId;
    /// Its index columns.
    fn index_fields(&self) -> IndexFields;
    /// The body of its index row: its JSON form unless it says otherwise.
    fn index_body(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }
    /// It, when it is what an import block's reading is (a reading); `None` for the others.
    fn from_block(_reading: Reading) -> Option<Self> {
        None
    }
    /// Puts in order what a merge may leave out of order (items two replicas appended to one
    /// list land in an order of Automerge's choosing). Nothing by default.
    fn normalize(&mut self) {}
    /// The rules every local write of it obeys beyond its validation, on what the write's
    /// transaction reads (`store::rules`); `fields` is it in its JSON form. Nothing by default.
    fn check_write(
        &self,
        _w: &super::Writer<'_>,
        _fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        Ok(())
    }
}

impl Entity for Profile {
    fn check_write(
        &self,
        _w: &super::Writer<'_>,
        fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        super::rules::profile(self, fields)
    }
    const COLLECTION: Collection = Collection::Profile;
    const NAME: &'static str = "profile";
    fn entry_id(&self) -> &str {
        PROFILE_ID
    }
    fn home_doc(&self) -> DocId {
        DocId::Record
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields::default()
    }
}

impl Entity for ZoneChange {
    const COLLECTION: Collection = Collection::Zones;
    const NAME: &'static str = "zone change";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::Zones
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            at: Some(self.at),
            ..IndexFields::default()
        }
    }
}

impl Entity for Journey {
    const COLLECTION: Collection = Collection::Journeys;
    const NAME: &'static str = "journey";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::Journeys
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.template_id.clone()),
            at: Some(self.started_at),
            ..IndexFields::default()
        }
    }
}

impl Entity for JourneyStep {
    const COLLECTION: Collection = Collection::JourneySteps;
    const NAME: &'static str = "journey step";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::Journeys
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.journey_id.clone()),
            at: Some(self.at),
            ..IndexFields::default()
        }
    }
}

impl Entity for QuestionnaireResponse {
    const COLLECTION: Collection = Collection::Responses;
    const NAME: &'static str = "questionnaire response";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::Journeys
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.questionnaire_id.clone()),
            at: Some(self.at),
            ..IndexFields::default()
        }
    }
}

impl Entity for StoredTemplate {
    const COLLECTION: Collection = Collection::Templates;
    const NAME: &'static str = "journey template";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::Journeys
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields::default()
    }
}

/// The id of the one profile entry.
pub(crate) const PROFILE_ID: &str = "profile";

impl Entity for Medication {
    fn check_write(
        &self,
        _w: &super::Writer<'_>,
        fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        super::rules::medication(fields)
    }
    fn normalize(&mut self) {
        crate::sorting::sort_by_key(&mut self.history, |v| v.until);
        crate::sorting::sort_by_key(&mut self.pauses, |p| p.from);
    }
    const COLLECTION: Collection = Collection::Medications;
    const NAME: &'static str = "medication";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::medication(&self.id)
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.status.as_str().to_string()),
            ..IndexFields::default()
        }
    }
}

impl Entity for Appointment {
    fn check_write(
        &self,
        _w: &super::Writer<'_>,
        fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        super::rules::appointment(self, fields)
    }
    const COLLECTION: Collection = Collection::Appointments;
    const NAME: &'static str = "appointment";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::Record
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            at: Some(self.at),
            ..IndexFields::default()
        }
    }
}

impl Entity for Reading {
    fn from_block(reading: Reading) -> Option<Self> {
        Some(reading)
    }
    fn check_write(
        &self,
        _w: &super::Writer<'_>,
        fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        super::rules::reading(self, fields)
    }
    const COLLECTION: Collection = Collection::Readings;
    const NAME: &'static str = "reading";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::log_for(self.at.to_utc())
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.measurement.kind().as_str().to_string()),
            at: Some(self.at),
            ext_key: self.external_key(),
            until: None,
        }
    }
}

impl Entity for ReadingBlock {
    fn check_write(
        &self,
        _w: &super::Writer<'_>,
        _fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        super::rules::reading_block(self)
    }
    const COLLECTION: Collection = Collection::ReadingBlocks;
    const NAME: &'static str = "reading block";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::imports_for(self.first.to_utc())
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.kind.as_str().to_string()),
            at: Some(self.first),
            until: Some(self.last),
            ext_key: None,
        }
    }
    /// The block with its rows as a JSON list, not a string holding one: read in place,
    /// nothing to unescape.
    fn index_body(&self) -> serde_json::Result<String> {
        let rows: &serde_json::value::RawValue = serde_json::from_str(&self.rows)?;
        serde_json::to_string(&BlockBody {
            id: &self.id,
            kind: self.kind,
            system: &self.system,
            first: self.first,
            last: self.last,
            count: self.count,
            rows,
        })
    }
}

/// The index body of an import block ([`ReadingBlock`]'s `index_body`), read in place.
#[derive(Serialize, serde::Deserialize)]
pub(crate) struct BlockBody<'a> {
    #[serde(borrow)]
    id: &'a str,
    kind: crate::model::ReadingKind,
    #[serde(borrow)]
    system: &'a str,
    #[serde(deserialize_with = "crate::model::rfc3339_deserialize")]
    first: DateTime<FixedOffset>,
    #[serde(deserialize_with = "crate::model::rfc3339_deserialize")]
    last: DateTime<FixedOffset>,
    count: u32,
    #[serde(borrow)]
    rows: &'a serde_json::value::RawValue,
}

/// The readings of an import block's index body, checked ([`ReadingBlock::decode`]); `None`
/// when it does not decode or holds a reading a block may not.
pub(crate) fn block_readings(body: &str) -> Option<Vec<Reading>> {
    let b: BlockBody<'_> = serde_json::from_str(body).ok()?;
    let block = ReadingBlock {
        id: b.id.to_string(),
        kind: b.kind,
        system: b.system.to_string(),
        first: b.first,
        last: b.last,
        count: b.count,
        rows: String::new(),
    };
    crate::model::decode_rows(&block, b.rows.get()).ok()
}

impl Entity for DoseEvent {
    fn check_write(
        &self,
        w: &super::Writer<'_>,
        fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        super::rules::dose(w, self, fields)
    }
    const COLLECTION: Collection = Collection::Doses;
    const NAME: &'static str = "dose";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::log_for(self.filed_at().to_utc())
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.medication_id.clone()),
            at: Some(self.filed_at()),
            ..IndexFields::default()
        }
    }
}

impl Entity for JournalEntry {
    fn check_write(
        &self,
        _w: &super::Writer<'_>,
        fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        super::rules::journal(self, fields)
    }
    const COLLECTION: Collection = Collection::Journal;
    const NAME: &'static str = "journal entry";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::log_for(self.at.to_utc())
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            at: Some(self.at),
            ..IndexFields::default()
        }
    }
}

impl Entity for MeasurementPlan {
    const COLLECTION: Collection = Collection::MeasurementPlans;
    const NAME: &'static str = "measurement plan";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::Record
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.kind.as_str().to_string()),
            ..IndexFields::default()
        }
    }
}

impl Entity for Refill {
    fn check_write(
        &self,
        _w: &super::Writer<'_>,
        fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        super::rules::refill(self, fields)
    }
    const COLLECTION: Collection = Collection::Refills;
    const NAME: &'static str = "refill";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::log_for(self.at.to_utc())
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.medication_id.clone()),
            at: Some(self.at),
            ..IndexFields::default()
        }
    }
}

/// The id of the one targets entry.
pub(crate) const TARGETS_ID: &str = "targets";

impl Entity for ClinicalTargets {
    fn check_write(
        &self,
        _w: &super::Writer<'_>,
        fields: &Map<String, Json>,
    ) -> crate::error::Result<()> {
        super::rules::targets(fields)
    }
    const COLLECTION: Collection = Collection::Targets;
    const NAME: &'static str = "targets";
    fn entry_id(&self) -> &str {
        TARGETS_ID
    }
    fn home_doc(&self) -> DocId {
        DocId::Record
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields::default()
    }
}

impl Entity for Alert {
    const COLLECTION: Collection = Collection::Alerts;
    const NAME: &'static str = "alert";
    fn entry_id(&self) -> &str {
        &self.id
    }
    fn home_doc(&self) -> DocId {
        DocId::log_for(self.at.to_utc())
    }
    fn index_fields(&self) -> IndexFields {
        IndexFields {
            tag: Some(self.kind.as_str().to_string()),
            at: Some(self.at),
            ext_key: Some(self.reading_id.clone()),
            until: None,
        }
    }
}

/// The entry's fields as a JSON map, the form written to documents.
pub(crate) fn to_fields<E: Entity>(entity: &E) -> serde_json::Result<Map<String, Json>> {
    match serde_json::to_value(entity)? {
        Json::Object(mut map) => {
            for &list in E::COLLECTION.containers() {
                map.entry(list).or_insert_with(|| Json::Array(Vec::new()));
            }
            Ok(map)
        }
        _ => Err(serde::ser::Error::custom(
            "an entry must serialize to a map",
        )),
    }
}

/// The index row of a valid entry.
pub(crate) fn row_for<E: Entity>(entity: &E, deleted: bool) -> serde_json::Result<IndexRow> {
    let f = entity.index_fields();
    Ok(IndexRow {
        id: entity.entry_id().to_string(),
        tag: f.tag,
        at_ms: f.at.map(|at| at.timestamp_millis()),
        until_ms: f.until.map(|at| at.timestamp_millis()),
        ext_key: f.ext_key,
        deleted,
        body: entity.index_body()?,
    })
}

fn row_of<E: Entity>(id: &str, fields: &Json) -> Option<IndexRow> {
    let mut fields = fields.clone();
    let deleted = fields
        .as_object_mut()?
        .remove(crate::crdt::TOMBSTONE_FIELD)
        .is_some();
    let mut entity: E = serde_json::from_value(fields).ok()?;
    entity.normalize();
    if entity.entry_id() != id || entity.validate().is_err() {
        return None;
    }
    row_for(&entity, deleted).ok()
}

#[cfg(test)]
mod tests {
    use super::Collection as C;
    use companion_protocol::Role;

    /// The roles table names collections by their names: the owner's list is every
    /// collection, and no role names one that does not exist (a renamed collection would
    /// silently become owner-only). A new collection fails to compile here until it is
    /// listed, and then this test until the roles table lists it (and the protocol's test
    /// until a role's list decides it).
    #[test]
    fn the_roles_table_names_every_collection_and_only_real_ones() {
        let listed = |c: C| match c {
            C::Profile
            | C::Medications
            | C::Appointments
            | C::MeasurementPlans
            | C::Targets
            | C::Readings
            | C::ReadingBlocks
            | C::Alerts
            | C::Doses
            | C::Journal
            | C::Refills
            | C::Zones
            | C::Journeys
            | C::JourneySteps
            | C::Responses
            | C::Templates => c,
        };
        let all = [
            C::Profile,
            C::Medications,
            C::Appointments,
            C::MeasurementPlans,
            C::Targets,
            C::Readings,
            C::ReadingBlocks,
            C::Alerts,
            C::Doses,
            C::Journal,
            C::Refills,
            C::Zones,
            C::Journeys,
            C::JourneySteps,
            C::Responses,
            C::Templates,
        ];
        let mut names: Vec<&str> = all.iter().map(|c| listed(*c).name()).collect();
        names.sort_unstable();
        let mut owner = Role::Owner.collections().to_vec();
        owner.sort_unstable();
        assert_eq!(owner, names);
        for role in [Role::Caregiver, Role::Clinician, Role::Viewer] {
            for c in role.collections() {
                assert!(names.contains(c), "{role}: {c}");
            }
        }
    }

    /// A block from another replica is indexed only if every reading in it is one a block may
    /// hold: a forged count, a reading outside its span or one of another kind leaves it out.
    #[test]
    fn a_block_that_does_not_hold_what_it_says_is_not_indexed() {
        use crate::model::{Measurement, ReadingBlock, ReadingKind};
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-02T08:00:00+01:00").expect("t");
        let reading = |kg: f64| {
            let sample = crate::import::Sample {
                measurement: Measurement::Weight { kg },
                at,
                entered_unit: None,
                system: "csv".into(),
                external_id: None,
                note: None,
                sensor_interval_minutes: None,
            };
            (crate::import::reading(&sample).expect("reading"), false)
        };
        let mut readings = vec![reading(80.0)];
        let good = ReadingBlock::of(ReadingKind::Weight, "csv", &mut readings).expect("block");
        let fields = |b: &ReadingBlock| serde_json::to_value(b).expect("fields");
        let row = C::ReadingBlocks
            .index_row(&good.id, &fields(&good))
            .expect("indexed");
        assert_eq!(row.until_ms, Some(at.timestamp_millis()));
        assert_eq!(row.tag.as_deref(), Some("weight"));

        let mut count = good.clone();
        count.count = 2;
        let mut kind = good.clone();
        kind.kind = ReadingKind::Glucose;
        let mut span = good.clone();
        span.first += chrono::Duration::seconds(1);
        span.last += chrono::Duration::seconds(1);
        for bad in [count, kind, span] {
            assert!(C::ReadingBlocks.index_row(&bad.id, &fields(&bad)).is_none());
        }
    }
}
