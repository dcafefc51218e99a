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
