//! Plausibility limits: the widest values a living person can present, in canonical units.
//!
//! These are not clinical thresholds. They catch typing and device errors (docs/clinical-sources.md, "Safety
//! principles": implausible values such as systolic 400 or glucose 0 are rejected, not stored),
//! and they are deliberately wide so that a real but alarming value is always stored and flagged,
//! never refused. Each limit sits beyond the extremes reported in the clinical literature or the
//! measuring range of home devices (glucose meters read about 20-600 mg/dL).

/// Systolic pressure, mmHg.
pub const SYSTOLIC_MMHG: (f64, f64) = (50.0, 300.0);
/// Diastolic pressure, mmHg (and always below the systolic of the same reading).
pub const DIASTOLIC_MMHG: (f64, f64) = (20.0, 200.0);
/// Heart rate or pulse, beats per minute.
pub const HEART_RATE_BPM: (f64, f64) = (20.0, 300.0);
/// Blood or interstitial glucose, mg/dL.
pub const GLUCOSE_MG_DL: (f64, f64) = (10.0, 1500.0);
/// Body weight, kg.
pub const WEIGHT_KG: (f64, f64) = (0.5, 500.0);
/// Oxygen saturation, percent.
pub const SPO2_PERCENT: (f64, f64) = (50.0, 100.0);
/// Body temperature, degrees Celsius.
pub const TEMPERATURE_C: (f64, f64) = (25.0, 45.0);
/// HbA1c, NGSP percent.
pub const HBA1C_PERCENT: (f64, f64) = (3.0, 20.0);
/// Height, cm.
pub const HEIGHT_CM: (f64, f64) = (30.0, 272.0);
