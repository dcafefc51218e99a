//! `companion replica export|join|merge`: a record on several devices with no network (a new
//! phone, a clinic), through replica export files (docs/replica-export.md).

use std::io::Write;
use std::path::Path;

use companion_core::i18n::Texts;
use companion_core::{HealthRecord, MergeReport};

use crate::ReplicaCommand;
use crate::error::{CliError, record_file};

/// Reads a replica export given on the command line.
fn read_export(file: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(file).map_err(|e| {
        CliError::Failed(format!(
            "cannot read the replica export {}: {}",
            file.display(),
            match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => "it could not be read".to_string(),
            }
        ))
    })
}

/// `companion --db NEW replica join FILE`: runs before any record is opened.
pub fn join(db: &Path, file: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let bytes = read_export(file)?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let record =
        HealthRecord::join(db, &crate::context::record_keys(db)?, &bytes).map_err(|e| match e {
            companion_core::Error::RecordExists => CliError::Failed(format!(
                "a record already exists at {}: join makes a new replica, so give --db a new file",
                db.display()
            )),
            other => record_file(db, other),
        })?;
    let line = words_of(&record).get(
        "replica-joined",
        &[
            ("id", record.id().to_string()),
            ("db", db.display().to_string()),
            ("docs", record.documents()?.len().to_string()),
        ],
    );
    writeln!(out, "{line}")?;
    Ok(())
}

/// `companion replica export|merge` on an open record.
pub fn run(
    record: &mut HealthRecord,
    cmd: ReplicaCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match cmd {
        ReplicaCommand::Export { out: path, follow } => {
            record.write_replica_export(&crate::context::out_path(path.clone(), follow))?;
            let line = words_of(record).get(
                "replica-exported",
                &[
                    ("id", record.id().to_string()),
                    ("docs", record.documents()?.len().to_string()),
                    ("path", path.display().to_string()),
                ],
            );
            writeln!(out, "{line}")?;
        }
        ReplicaCommand::Merge { file, json } => {
            let bytes = read_export(&file)?;
            let w = words_of(record);
            let report = record.merge_replica(&bytes).map_err(|e| match e {
                companion_core::Error::OtherRecord { .. } => CliError::Failed(w.get(
                    "replica-other-record",
                    &[("path", file.display().to_string())],
                )),
                other => other.into(),
            })?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &report)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{}", describe(&report, &file, w))?;
            }
        }
        ReplicaCommand::Join { .. } => {}
    }
    Ok(())
}

/// What a merge changed, in one line.
fn describe(r: &MergeReport, file: &Path, w: &Texts) -> String {
    let path = file.display().to_string();
    if r.documents == 0 {
        return w.get("replica-nothing-new", &[("path", path)]);
    }
    let count = |n: u64, one: &str, many: &str| {
        w.get(if n == 1 { one } else { many }, &[("n", n.to_string())])
    };
    w.get(
        "replica-merged",
        &[
            ("path", path),
            ("added", count(r.added, "replica-entry", "replica-entries")),
            ("updated", r.updated.to_string()),
            ("deleted", r.deleted.to_string()),
            (
                "alerts",
                count(r.alerts_raised, "replica-alert", "replica-alerts"),
            ),
        ],
    )
}

/// The record's words (English before its profile has arrived).
fn words_of(record: &HealthRecord) -> &'static Texts {
    crate::words::words(
        record
            .profile()
            .map_or(companion_core::model::Language::English, |p| p.language),
    )
}
