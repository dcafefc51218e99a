//! Vital-sign red flags: the NEWS2 single-parameter bands (Royal College of Physicians, National
//! Early Warning Score 2, 2017; docs/clinical.md). Each vital sign scores 0 to 3; a single
//! parameter scoring 3 calls for urgent clinical review. Home readings are taken at rest.

/// The score of a single parameter that calls for urgent review.
pub const RED_FLAG: u8 = 3;

/// SpO2 (%) on scale 1, or on scale 2 (hypercapnic respiratory failure such as COPD, a
/// per-patient setting; on air): scale 1 <= 91 -> 3, 92-93 -> 2, 94-95 -> 1, >= 96 -> 0;
/// scale 2 <= 83 -> 3, 84-85 -> 2, 86-87 -> 1, >= 88 -> 0.
pub fn spo2_score(percent: f64, scale2: bool) -> u8 {
    let [three, two, one] = if scale2 {
        [84.0, 86.0, 88.0]
    } else {
        [92.0, 94.0, 96.0]
    };
    if percent < three {
        3
    } else if percent < two {
        2
    } else if percent < one {
        1
    } else {
        0
    }
}

/// Systolic blood pressure (mmHg): <= 90 -> 3, 91-100 -> 2, 101-110 -> 1, 111-219 -> 0,
/// >= 220 -> 3.
pub fn systolic_score(mmhg: u16) -> u8 {
    match mmhg {
        0..=90 => 3,
        91..=100 => 2,
        101..=110 => 1,
        111..=219 => 0,
        _ => 3,
    }
}

/// Pulse (per minute): <= 40 -> 3, 41-50 -> 1, 51-90 -> 0, 91-110 -> 1, 111-130 -> 2,
/// >= 131 -> 3.
pub fn pulse_score(bpm: u16) -> u8 {
    match bpm {
        0..=40 => 3,
        41..=50 => 1,
        51..=90 => 0,
        91..=110 => 1,
        111..=130 => 2,
        _ => 3,
    }
}

/// The temperature (°C) at or below which NEWS2 scores 3.
pub const LOW_TEMPERATURE_C: f64 = 35.0;

/// Temperature (°C): <= 35.0 -> 3, 35.1-36.0 -> 1, 36.1-38.0 -> 0, 38.1-39.0 -> 1,
/// >= 39.1 -> 2.
pub fn temperature_score(celsius: f64) -> u8 {
    if celsius <= LOW_TEMPERATURE_C {
        3
    } else if celsius <= 36.0 {
        1
    } else if celsius <= 38.0 {
        0
    } else if celsius <= 39.0 {
        1
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each side of each band edge of the NEWS2 table.
    #[test]
    fn news2_single_parameter_bands_at_their_edges() {
        for (v, s) in [
            (91.0, 3),
            (92.0, 2),
            (93.0, 2),
            (94.0, 1),
            (95.0, 1),
            (96.0, 0),
        ] {
            assert_eq!(spo2_score(v, false), s, "scale 1, {v}");
        }
        for (v, s) in [
            (83.0, 3),
            (84.0, 2),
            (85.0, 2),
            (86.0, 1),
            (87.0, 1),
            (88.0, 0),
            (93.0, 0),
        ] {
            assert_eq!(spo2_score(v, true), s, "scale 2, {v}");
        }
        for (v, s) in [
            (90, 3),
            (91, 2),
            (100, 2),
            (101, 1),
            (110, 1),
            (111, 0),
            (219, 0),
            (220, 3),
        ] {
            assert_eq!(systolic_score(v), s, "systolic {v}");
        }
        for (v, s) in [
            (40, 3),
            (41, 1),
            (50, 1),
            (51, 0),
            (90, 0),
            (91, 1),
            (110, 1),
            (111, 2),
            (130, 2),
            (131, 3),
        ] {
            assert_eq!(pulse_score(v), s, "pulse {v}");
        }
        for (v, s) in [
            (35.0, 3),
            (35.1, 1),
            (36.0, 1),
            (36.1, 0),
            (38.0, 0),
            (38.1, 1),
            (39.0, 1),
            (39.1, 2),
        ] {
            assert_eq!(temperature_score(v), s, "temperature {v}");
        }
    }
}
