//! Clinical knowledge: units and their conversions, and the plausibility limits that separate a
//! value that could be true of a living person from a typing error.
//!
//! Every number here cites its source: `../shared/CLINICAL.md` or the guideline named on the item.

pub mod alerts;
pub mod blood_pressure;
pub mod glucose;
pub mod plausibility;
pub mod stats;
pub mod units;
