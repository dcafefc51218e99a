//! Readings as people type them on the command line (`142/91`, `81.5kg`, `7,2 mmol/L`,
//! `98.6F`), in an English and a Chinese record, with and without `--unit`; and the other
//! values the CLI reads (numbers, doses, times of day, dates, weekdays, `21/7`). The CLI's own
//! parser (cli/src/parse.rs) over a minimal error type of the same shape.
#![no_main]

use companion_core::model::{Language, Profile, ReadingKind};
use libfuzzer_sys::fuzz_target;

#[path = "../../cli/src/parse.rs"]
#[allow(dead_code)]
mod parse;

/// The CLI's error, as parse.rs builds it.
mod error {
    #[derive(Debug)]
    #[allow(dead_code)]
    pub enum CliError {
        Said {
            id: &'static str,
            args: Vec<(&'static str, String)>,
            usage: bool,
        },
        Core(companion_core::Error),
    }

    impl From<companion_core::model::ValidationError> for CliError {
        fn from(e: companion_core::model::ValidationError) -> Self {
            Self::Core(e.into())
        }
    }

    pub fn usage_said<T>(
        id: &'static str,
        args: Vec<(&'static str, String)>,
    ) -> Result<T, CliError> {
        Err(CliError::Said {
            id,
            args,
            usage: true,
        })
    }
}

const KINDS: [&str; 7] = [
    "bp",
    "glucose",
    "weight",
    "heart_rate",
    "spo2",
    "temperature",
    "hba1c",
];
const UNITS: [Option<&str>; 6] = [None, Some("mg/dL"), Some("mmol/L"), Some("lb"), Some("F"), Some("mmol/mol")];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(kind) = KINDS[usize::from(pick) % KINDS.len()].parse::<ReadingKind>() else {
        return;
    };
    let unit = UNITS[usize::from(pick / 7) % UNITS.len()];
    for (language, zone) in [
        (Language::English, "Europe/Berlin"),
        (Language::SimplifiedChinese, "Asia/Shanghai"),
    ] {
        let mut profile = Profile::new("Ana", zone).expect("profile");
        profile.language = language;
        if let Ok((m, _)) = parse::measurement(kind, text, unit, None, None, &profile) {
            // What parses is a measurement a record may hold.
            assert_eq!(m.kind(), kind);
        }
        if let Ok(n) = parse::number(text) {
            let _ = n.value(&profile);
        }
        let _ = parse::dose(text, &profile);
    }
    let _ = parse::time_of_day(text);
    let _ = parse::date(text);
    let _ = parse::weekday(text);
    let _ = parse::pair("--cycle", text);
});
