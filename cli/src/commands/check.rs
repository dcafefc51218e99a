//! `companion check` and `companion repair`.

use std::io::Write;

use companion_core::i18n::Texts;
use companion_core::{CheckReport, HealthRecord};

use crate::error::CliError;

/// The record's words; English when its profile cannot be read (a damaged profile row is one of
/// the things these commands find).
fn words_of(record: &HealthRecord) -> &'static Texts {
    crate::words::words(
        record
            .profile()
            .map_or(companion_core::model::Language::English, |p| p.language),
    )
}

/// The findings in words, one line each; nothing of what the record holds.
fn describe(out: &mut dyn Write, r: &CheckReport, w: &Texts, full: bool) -> std::io::Result<()> {
    if r.is_ok() {
        let ok = if full { "check-ok" } else { "check-ok-quick" };
        return writeln!(out, "  {}", w.text(ok));
    }
    for line in &r.integrity {
        writeln!(out, "  {}", w.get("check-file", &[("line", line.clone())]))?;
    }
    let counts = [
        (r.unreadable_documents, "check-unreadable"),
        (r.bad_checksums, "check-checksums"),
        (r.differing_rows, "check-differing"),
        (r.missing_rows, "check-missing"),
        (r.extra_rows, "check-extra"),
    ];
    for (n, id) in counts {
        if n > 0 {
            writeln!(out, "  {}", w.get(id, &[("n", n.to_string())]))?;
        }
    }
    if !r.collections.is_empty() {
        let line = w.get("check-in", &[("collections", r.collections.join(", "))]);
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

/// `companion check`.
pub fn check(
    record: &HealthRecord,
    full: bool,
    out: &mut dyn Write,
    json: bool,
) -> Result<(), CliError> {
    let report = if full {
        record.check_full()?
    } else {
        record.check()?
    };
    let w = words_of(record);
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        let title = w.get("check-title", &[("id", record.id().to_string())]);
        writeln!(out, "{title}")?;
        describe(out, &report, w, full)?;
        if !report.is_ok() {
            let advice = if report.index_only() {
                "check-index-only"
            } else {
                "check-damaged"
            };
            writeln!(out, "{}", w.text(advice))?;
        }
    }
    if report.is_ok() {
        Ok(())
    } else {
        Err(CliError::Failed(w.text("check-problems")))
    }
}

/// `companion repair`.
pub fn repair(record: &mut HealthRecord, out: &mut dyn Write, json: bool) -> Result<(), CliError> {
    let report = record.repair()?;
    let w = words_of(record);
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", w.text("repair-before"))?;
        describe(out, &report.before, w, true)?;
        if report.rebuilt {
            writeln!(out, "{}", w.text("repair-rebuilt"))?;
        }
        writeln!(out, "{}", w.text("repair-after"))?;
        describe(out, &report.after, w, true)?;
    }
    if report.after.is_ok() {
        Ok(())
    } else {
        Err(CliError::Failed(w.text("repair-damaged")))
    }
}
