//! Clinical rules over the model: blood-pressure categories, glucose levels, urgent alerts and
//! statistics. Pure functions of readings and targets; the model (units, plausibility limits,
//! targets) knows nothing of them.
//!
//! Every number here cites its source: docs/clinical.md or the guideline named on the item.

pub mod alerts;
pub mod blood_pressure;
pub mod cgm;
pub mod fingersticks;
pub mod glucose;
pub mod stats;
pub mod vitals;
