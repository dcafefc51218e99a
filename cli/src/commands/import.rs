//! `companion import FILE`: readings from a meter's CSV, a JSON list, Health Connect's records
//! or HealthKit's export.xml (companion-import), all or nothing unless `--skip-bad`.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;

use companion_core::HealthRecord;
use companion_core::import::{Sample, SampleError};
use companion_core::zone::Zone;
use companion_import::{FileError, Format};

use crate::error::CliError;

fn said(id: &'static str, args: Vec<(&'static str, String)>) -> CliError {
    CliError::Said {
        id,
        args,
        usage: false,
    }
}

fn file_error(e: FileError) -> CliError {
    match e {
        FileError::Unreadable { what } => {
            said("err-import-unreadable", vec![("what", what.to_string())])
        }
        FileError::MissingColumn { column } => {
            said("err-import-column", vec![("column", column.to_string())])
        }
        FileError::UnknownFormat | FileError::Undetected => said("err-import-format", vec![]),
        other => CliError::Failed(other.to_string()),
    }
}

fn bad_row(e: &SampleError) -> CliError {
    said(
        "err-import-row",
        vec![
            ("line", e.line.to_string()),
            ("field", e.field.to_string()),
            ("reason", e.reason.to_string()),
        ],
    )
}

/// Imports `file` into `record`; `skip_bad` keeps the good rows and writes the bad ones there.
pub fn run(
    record: &mut HealthRecord,
    file: &Path,
    format: Option<&str>,
    skip_bad: Option<&Path>,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let unreadable = || {
        said(
            "err-import-open",
            vec![("path", file.display().to_string())],
        )
    };
    let opened = std::fs::File::open(file).map_err(|_| unreadable())?;
    let mut input = BufReader::with_capacity(1 << 16, opened);
    let format = match format {
        Some(f) => f.parse::<Format>().map_err(file_error)?,
        None => {
            let head = input.fill_buf().map_err(|_| unreadable())?;
            let name = file.to_string_lossy().to_lowercase();
            companion_import::detect(&name, head).map_err(file_error)?
        }
    };
    let profile = record.profile()?;
    let zone = Zone::named(&profile.home_time_zone).unwrap_or_else(Zone::utc);
    let read = companion_import::read(&mut input, format, &zone).map_err(file_error)?;
    let mut lines = std::collections::BTreeMap::new();
    if !read.bad.is_empty() {
        match skip_bad {
            None => return Err(bad_row(&read.bad[0])),
            Some(path) => {
                let mut text = String::from("line,field,reason\n");
                for e in &read.bad {
                    text.push_str(&format!("{},{},\"{}\"\n", e.line, e.field, e.reason));
                }
                companion_core::write_output(
                    path,
                    text.as_bytes(),
                    "the list of bad rows could not be written",
                )?;
            }
        }
    }
    let samples: Vec<Sample> = read
        .samples
        .into_iter()
        .enumerate()
        .map(|(i, (line, s))| {
            lines.insert(i, line);
            s
        })
        .collect();
    let total = samples.len() as u64;
    let terminal = std::io::stderr().is_terminal();
    let mut progress = |done: u64| {
        if terminal && total > 0 {
            eprint!("\r{done} of {total} ({}%)", done * 100 / total);
        }
    };
    let now = companion_core::clock::now()?;
    let report = record
        .import_readings(&samples, now, &mut progress)
        .map_err(|e| match e {
            companion_core::Error::Batch { index, source } => said(
                "err-import-refused",
                vec![
                    ("line", lines.get(&index).copied().unwrap_or(0).to_string()),
                    (
                        "reason",
                        crate::words::words(profile.language).error(&source),
                    ),
                ],
            ),
            other => CliError::Core(other),
        })?;
    if terminal && total > 0 {
        eprintln!();
    }
    if json {
        serde_json::to_writer_pretty(
            &mut *out,
            &serde_json::json!({
                "added": report.added,
                "duplicates": report.duplicates,
                "alerts": report.alerts,
                "history_alerts": report.history_alerts,
                "bad": read.bad.len(),
                "other": read.other,
            }),
        )?;
        writeln!(out)?;
        return Ok(());
    }
    let words = crate::words::words(profile.language);
    let line = words.get(
        "said-imported",
        &[
            ("added", report.added.to_string()),
            ("duplicates", report.duplicates.to_string()),
            ("history", report.history_alerts.to_string()),
            ("alerts", report.alerts.to_string()),
            ("bad", read.bad.len().to_string()),
            ("other", read.other.to_string()),
        ],
    );
    writeln!(out, "{line}")?;
    Ok(())
}
