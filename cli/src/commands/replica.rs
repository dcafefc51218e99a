//! `companion replica export|join|merge`: a record on several devices with no network (a new
//! phone, a clinic), through replica export files (docs/replica-export.md).

use std::io::Write;
use std::path::Path;

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
    let record = HealthRecord::join(db, &bytes).map_err(|e| match e {
        companion_core::Error::RecordExists => CliError::Failed(format!(
            "a record already exists at {}: join makes a new replica, so give --db a new file",
            db.display()
        )),
        other => record_file(db, other),
    })?;
    writeln!(
        out,
        "Joined record {} at {}: a new replica with {} document(s) and an identity of its own",
        record.id(),
        db.display(),
        record.documents()?.len()
    )?;
    Ok(())
}

/// `companion replica export|merge` on an open record.
pub fn run(
    record: &mut HealthRecord,
    cmd: ReplicaCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match cmd {
        ReplicaCommand::Export { out: path } => {
            record.write_replica_export(&path)?;
            writeln!(
                out,
                "Exported record {} ({} document(s)) to {}",
                record.id(),
                record.documents()?.len(),
                path.display()
            )?;
        }
        ReplicaCommand::Merge { file, json } => {
            let bytes = read_export(&file)?;
            let report = record.merge_replica(&bytes).map_err(|e| match e {
                companion_core::Error::OtherRecord { .. } => CliError::Failed(format!(
                    "{} holds another record (not this patient's, or not this record's \
                     documents): nothing was written",
                    file.display()
                )),
                other => other.into(),
            })?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &report)?;
                writeln!(out)?;
            } else {
                writeln!(out, "{}", describe(&report, &file))?;
            }
        }
        ReplicaCommand::Join { .. } => {}
    }
    Ok(())
}

/// What a merge changed, in one line.
fn describe(r: &MergeReport, file: &Path) -> String {
    if r.documents == 0 {
        return format!(
            "Nothing new in {}: this record already had all of it",
            file.display()
        );
    }
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "Merged {}: {} added, {} updated, {} deleted; {} raised",
        file.display(),
        plural(r.added, "entry", "entries"),
        r.updated,
        r.deleted,
        plural(r.alerts_raised, "alert", "alerts"),
    )
}
