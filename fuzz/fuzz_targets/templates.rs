//! Journey templates and questionnaires as a clinic writes them (JSON).
#![no_main]

use companion_core::journey::{Questionnaire, Template};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Template::from_json(text, &[]);
    let _ = Questionnaire::from_json(text);
});
