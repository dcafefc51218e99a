//! Every format is read as a stream: its samples are handed on as the file is read, before its
//! end, so an import's memory does not grow with the file. Shown with files cut short: the
//! samples before the cut arrive, then the file is refused as unreadable (and the import with
//! it).
#![allow(missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use companion_core::zone::Zone;
use companion_import::{FileError, Format, Item, read_each};

/// Reads the first `cut` bytes of `text` in `format`: how many samples were handed on, and
/// the result.
fn cut_short(text: &str, cut: usize, format: Format) -> (u64, Result<(), FileError>) {
    let zone = Zone::named("Europe/Berlin").expect("zone");
    let seen = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&seen);
    let read = read_each(
        &text.as_bytes()[..cut],
        format,
        &zone,
        Box::new(move |item| {
            if let Item::Sample(..) = item {
                counted.fetch_add(1, Ordering::Relaxed);
            }
        }),
    );
    (seen.load(Ordering::Relaxed), read.map(|_| ()))
}

fn rows(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"time": "2026-11-{:02}T07:{:02}:00+01:00", "kind": "bp", "value": "{}/80"}}"#,
                1 + i / 60,
                i % 60,
                120 + i % 20
            )
        })
        .collect();
    format!("[{}]", items.join(",\n"))
}

fn records(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"type": "BloodPressureRecord", "time": "2026-11-{:02}T06:{:02}:00Z", "zoneOffset": "+01:00",
                     "systolic": {{"inMillimetersOfMercury": {}}}, "diastolic": {{"inMillimetersOfMercury": 80}},
                     "metadata": {{"id": "hc-{i}", "dataOrigin": {{"packageName": "com.omron"}}}}}}"#,
                1 + i / 60,
                i % 60,
                120 + i % 20
            )
        })
        .collect();
    format!(
        r#"{{"exported": "2026-12-01", "records": [{}]}}"#,
        items.join(",\n")
    )
}

#[test]
fn a_json_list_is_read_one_row_at_a_time() {
    let text = rows(1_000);
    let (all, read) = cut_short(&text, text.len(), Format::Json);
    assert_eq!((all, read), (1_000, Ok(())));
    let (before, read) = cut_short(&text, text.len() / 2, Format::Json);
    assert!(
        (400..600).contains(&before),
        "the rows before the cut arrive as they are read: {before}"
    );
    assert_eq!(
        read,
        Err(FileError::Unreadable {
            what: "a JSON list of readings"
        })
    );
}

#[test]
fn health_connect_records_are_read_one_record_at_a_time() {
    let text = records(1_000);
    let (all, read) = cut_short(&text, text.len(), Format::HealthConnect);
    assert_eq!((all, read), (1_000, Ok(())));
    let (before, read) = cut_short(&text, text.len() / 2, Format::HealthConnect);
    assert!(
        (400..600).contains(&before),
        "the records before the cut arrive as they are read: {before}"
    );
    assert_eq!(
        read,
        Err(FileError::Unreadable {
            what: "Health Connect records as JSON"
        })
    );
}
