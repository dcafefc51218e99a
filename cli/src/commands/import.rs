//! `companion import FILE`: readings from a meter's CSV, a JSON list, Health Connect's records
//! or HealthKit's export.xml (companion-import), all or nothing unless `--skip-bad`.

use std::cell::Cell;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use companion_core::HealthRecord;
use companion_core::import::SampleError;
use companion_core::zone::Zone;
use companion_import::{FileError, Format, Item};
use indicatif::{ProgressBar, ProgressStyle};

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

/// A reader that counts the bytes read through it, for the progress bar.
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A progress bar on standard error when it is a terminal (over the file's bytes, with the
/// readings read so far), else nothing.
fn bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {percent:>3}% {msg}") {
        bar.set_style(style);
    }
    bar
}

/// Imports `file` into `record`; `skip_bad` keeps the good rows and writes the bad ones there.
/// The file is read on a thread of its own and handed to the record as it is read, a bounded
/// queue between them, so memory does not grow with the file.
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
    let total = opened.metadata().map(|m| m.len()).unwrap_or(0);
    let done = Arc::new(AtomicU64::new(0));
    let mut input = BufReader::with_capacity(
        1 << 16,
        Counted {
            inner: opened,
            read: Arc::clone(&done),
        },
    );
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
    // The file's items, then, if it cannot be read to its end, why.
    let (send, receive) = std::sync::mpsc::sync_channel::<Result<Item, FileError>>(4_096);
    let failed = send.clone();
    let reader = std::thread::spawn(move || {
        let read = companion_import::read_each(
            input,
            format,
            &zone,
            Box::new(move |item| {
                // The import stopped (a bad row refused it): the rest is not wanted.
                let _ = send.send(Ok(item));
            }),
        );
        if let Err(e) = &read {
            let _ = failed.send(Err(e.clone()));
        }
        read
    });
    // The line of the sample handed on last, and why the import is refused when the file is.
    let line = Cell::new(0u64);
    let refused: Cell<Option<CliError>> = Cell::new(None);
    let stop = |why: CliError| {
        refused.set(Some(why));
        Some(Err(companion_core::Error::from(
            companion_core::model::ValidationError::Invalid {
                field: "row",
                reason: "cannot be read",
            },
        )))
    };
    let mut samples = receive.iter().filter_map(|item| match item {
        Ok(Item::Sample(at, s)) => {
            line.set(at);
            Some(Ok(s))
        }
        Ok(Item::Bad(_)) if skip_bad.is_some() => None,
        Ok(Item::Bad(e)) => stop(bad_row(&e)),
        Err(e) => stop(file_error(e)),
    });
    let bar = bar(total);
    let words = crate::words::words(profile.language);
    let mut progress = |n: u64| {
        bar.set_position(done.load(Ordering::Relaxed));
        bar.set_message(words.get("said-import-progress", &[("read", n.to_string())]));
    };
    let now = companion_core::clock::now()?;
    let imported = record.import_from(&mut samples, now, &mut progress);
    bar.finish_and_clear();
    if let Some(why) = refused.take() {
        return Err(why);
    }
    let report = imported.map_err(|e| match e {
        companion_core::Error::Batch { source, .. } => said(
            "err-import-refused",
            vec![
                ("line", line.get().to_string()),
                ("reason", words.error(&source)),
            ],
        ),
        other => CliError::Core(other),
    })?;
    drop(samples);
    let read = match reader.join() {
        Ok(read) => read.map_err(file_error)?,
        Err(_) => return Err(CliError::Failed("the file could not be read".into())),
    };
    if let (false, Some(path)) = (read.bad.is_empty(), skip_bad) {
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
