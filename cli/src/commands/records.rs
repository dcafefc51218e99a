//! `companion records`: the records this device holds.

use std::io::Write;

use crate::context::device;
use crate::error::CliError;

/// `companion records [--json]`: one line per record (id, patient, this device's role, last
/// sync), in the system's language (no record is open).
pub fn list(json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let device = device()?;
    let records = device.records()?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &records)?;
        writeln!(out)?;
        return Ok(());
    }
    let w = crate::words::words(crate::words::system_language());
    if records.is_empty() {
        let line = w.get(
            "records-none",
            &[("home", device.dir().display().to_string())],
        );
        writeln!(out, "{line}")?;
    }
    for r in &records {
        if let Some(problem) = &r.problem {
            let line = w.get(
                "records-unreadable",
                &[("file", r.id.clone()), ("why", problem.clone())],
            );
            writeln!(out, "{line}")?;
            continue;
        }
        let role = match r.role {
            Some(role) => w.text(&format!("role-{role}")),
            None => w.text("records-not-shared"),
        };
        let synced = match r.last_sync {
            Some(t) => t
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            None => w.text("records-never"),
        };
        let line = w.get(
            "records-line",
            &[
                ("id", r.id.clone()),
                ("patient", r.patient.clone()),
                ("role", role),
                ("synced", synced),
            ],
        );
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `companion [--record R | --db PATH] forget [--yes]`: deletes this device's copy of the
/// record (its file and its keys), once the person confirms (a `y` on standard input, or
/// `--yes`); other devices that share it keep theirs.
pub fn forget(db: &std::path::Path, yes: bool, out: &mut dyn Write) -> Result<(), CliError> {
    use companion_core::{Error, HealthRecord};
    let keys = crate::context::record_keys(db)?;
    let record = match HealthRecord::open(db, &keys) {
        Err(Error::NoRecord) => {
            return crate::error::usage_said(
                "err-no-record-at",
                vec![("path", db.display().to_string())],
            );
        }
        other => other.map_err(|e| crate::error::record_file(db, e))?,
    };
    let profile = record.profile().ok();
    let w = crate::words::words(
        profile
            .as_ref()
            .map_or(crate::words::system_language(), |p| p.language),
    );
    let patient = profile.map(|p| p.name).unwrap_or_default();
    let shared = record.is_shared()? && !record.members()?.no_longer_member;
    drop(record);
    if !yes {
        writeln!(
            out,
            "{}",
            w.get("forget-ask", &[("patient", patient.clone())])
        )?;
        out.flush()?;
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut line);
        if !crate::commands::share::is_yes(&line) {
            return Err(CliError::Said {
                id: "forget-not-confirmed",
                args: vec![],
                usage: false,
            });
        }
    }
    HealthRecord::remove(db, &keys).map_err(|e| crate::error::record_file(db, e))?;
    writeln!(out, "{}", w.get("said-forgot", &[("patient", patient)]))?;
    if shared {
        writeln!(out, "{}", w.text("forget-still-member"))?;
    }
    Ok(())
}
