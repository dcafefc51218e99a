//! `companion check` and `companion repair`.

use std::io::Write;

use companion_core::{CheckReport, HealthRecord};

use crate::error::CliError;

/// The findings in words, one line each; nothing of what the record holds.
fn describe(out: &mut dyn Write, r: &CheckReport) -> std::io::Result<()> {
    if r.is_ok() {
        return writeln!(
            out,
            "  nothing wrong: the file is sound and the index equals the documents"
        );
    }
    for line in &r.integrity {
        writeln!(out, "  the file: {line}")?;
    }
    let counts = [
        (r.unreadable_documents, "document(s) could not be read"),
        (r.bad_checksums, "index row(s) do not match their checksum"),
        (r.differing_rows, "index row(s) differ from the documents"),
        (
            r.missing_rows,
            "entry(ies) of the documents have no index row",
        ),
        (r.extra_rows, "index row(s) have no entry in the documents"),
    ];
    for (n, what) in counts {
        if n > 0 {
            writeln!(out, "  {n} {what}")?;
        }
    }
    if !r.collections.is_empty() {
        writeln!(out, "  in: {}", r.collections.join(", "))?;
    }
    Ok(())
}

/// `companion check`.
pub fn check(record: &HealthRecord, out: &mut dyn Write, json: bool) -> Result<(), CliError> {
    let report = record.check()?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(out, "Check of record {}:", record.id())?;
        describe(out, &report)?;
        if !report.is_ok() {
            if report.index_only() {
                writeln!(
                    out,
                    "Only the index is wrong: `companion repair` rebuilds it from the documents."
                )?;
            } else {
                writeln!(
                    out,
                    "The file itself is damaged: restore it from another replica or a backup."
                )?;
            }
        }
    }
    if report.is_ok() {
        Ok(())
    } else {
        Err(CliError::Failed(
            "the record has problems (see above)".into(),
        ))
    }
}

/// `companion repair`.
pub fn repair(record: &mut HealthRecord, out: &mut dyn Write, json: bool) -> Result<(), CliError> {
    let report = record.repair()?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(out, "Before the repair:")?;
        describe(out, &report.before)?;
        if report.rebuilt {
            writeln!(out, "Rebuilt the index from the documents.")?;
        }
        writeln!(out, "After it:")?;
        describe(out, &report.after)?;
    }
    if report.after.is_ok() {
        Ok(())
    } else {
        Err(CliError::Failed(
            "the file itself is damaged: restore it from another replica or a backup".into(),
        ))
    }
}
