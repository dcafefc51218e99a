//! Values as people type them: numbers with either decimal mark, doses ("500 mg", "1/2
//! tablet"), times ("yesterday 20:00", "-1h30m", RFC 3339) read in a zone.
#![no_main]

use companion_core::model::DoseAmount;
use companion_core::model::number::{DecimalMark, parse_number};
use libfuzzer_sys::fuzz_target;

#[path = "../../cli/src/when.rs"]
#[allow(dead_code)]
mod when;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for mark in [None, Some(DecimalMark::Point), Some(DecimalMark::Comma)] {
        if let Ok(n) = parse_number(text, mark) {
            assert!(n.is_finite());
        }
    }
    let _ = companion_core::model::units::parse_decimal(text);
    let _ = DoseAmount::parse(text);
    if let Ok(at) = when::parse(text) {
        let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).expect("now");
        let zone = companion_core::zone::Zone::named("Europe/Berlin").expect("zone");
        let _ = at.resolve(now, &zone);
    }
});
