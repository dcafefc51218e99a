//! Readings from the platform's health store (Health Connect, HealthKit) into a record: the
//! shell reads the platform's records and hands typed samples over; the mapping of the
//! platform's codes and the import's rules are the core's (`companion_core::import`).

use companion_core::import::{ImportReport, Sample};
use companion_core::model::{MealContext, Measurement};

use crate::types::Timestamp;

/// One reading from another source, in canonical units.
#[uniffi::remote(Record)]
pub struct Sample {
    /// What was measured, in canonical units.
    pub measurement: Measurement,
    /// When, with the offset of the place it was measured in.
    pub at: Timestamp,
    /// The unit it was recorded in, when not canonical (`mmol/L`, `lb`).
    #[uniffi(default)]
    pub entered_unit: Option<String>,
    /// The source (`health-connect:com.omron.app`, `healthkit:Omron Connect`).
    pub system: String,
    /// The source's own id for it (Health Connect's `metadata.id`, HealthKit's UUID).
    #[uniffi(default)]
    pub external_id: Option<String>,
    /// A note.
    #[uniffi(default)]
    pub note: Option<String>,
    /// For sensor glucose: the sensor's interval in minutes.
    #[uniffi(default)]
    pub sensor_interval_minutes: Option<u16>,
}

/// What an import did.
#[uniffi::remote(Record)]
pub struct ImportReport {
    /// Readings added.
    pub added: u64,
    /// Samples the record already held.
    pub duplicates: u64,
    /// Alerts raised by recent readings (these notify).
    pub alerts: u64,
    /// Alerts of readings taken a day or more before the import, stored as already seen.
    pub history_alerts: u64,
}

/// Told how an import goes (on the importing thread): `done` of `total` samples stored.
#[uniffi::export(with_foreign)]
pub trait ImportProgress: Send + Sync {
    /// More samples were stored.
    fn on_progress(&self, done: u64, total: u64);
}

/// The meal context of a Health Connect glucose record's `relationToMeal`.
#[uniffi::export]
pub fn health_connect_meal_context(relation_to_meal: i32) -> MealContext {
    companion_core::import::health_connect_meal_context(relation_to_meal)
}

/// Whether a Health Connect glucose record's `specimenSource` is a continuous sensor's.
#[uniffi::export]
pub fn health_connect_is_sensor(specimen_source: i32) -> bool {
    companion_core::import::health_connect_is_sensor(specimen_source)
}

/// The meal context of a HealthKit glucose sample's `HKMetadataKeyBloodGlucoseMealTime`.
#[uniffi::export]
pub fn healthkit_meal_context(meal_time: Option<i32>) -> MealContext {
    companion_core::import::healthkit_meal_context(meal_time)
}
