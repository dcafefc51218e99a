//! `companion restore FILE`: a backup written by `export --json` put back into a record.

use std::io::Write;
use std::path::Path;

use companion_core::{Error, Export, HealthRecord};

use crate::context::record_keys;
use crate::error::{CliError, record_file};

/// The largest backup read, in bytes (a decade of CGM readings is far below it).
const MAX_BACKUP_BYTES: u64 = 1 << 30;

/// `companion --db DB restore FILE`: into a new record at `db` (made from the backup's
/// profile, and removed again when the restore fails), or into the empty record there.
pub fn restore(db: &Path, file: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let export = read(file)?;
    let existed = db.exists();
    let mut record = if existed {
        HealthRecord::open(db, &record_keys(db)?).map_err(|e| record_file(db, e))?
    } else {
        if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        HealthRecord::create(db, &record_keys(db)?, &export.profile)
            .map_err(|e| record_file(db, e))?
    };
    let restored = record.restore(&export);
    let n = match restored {
        Ok(n) => n,
        Err(e) => {
            drop(record);
            if !existed {
                remove_record_files(db);
            }
            let w = crate::words::words(export.profile.language);
            return Err(match e {
                Error::RecordNotEmpty => CliError::Failed(
                    w.get("restore-not-empty", &[("db", db.display().to_string())]),
                ),
                other => CliError::Failed(w.get(
                    "restore-failed",
                    &[
                        ("file", file.display().to_string()),
                        ("why", w.error(&other)),
                    ],
                )),
            });
        }
    };
    let line = crate::words::words(export.profile.language).get(
        "restore-done",
        &[
            ("n", n.to_string()),
            ("name", export.profile.name.clone()),
            ("file", file.display().to_string()),
            ("db", db.display().to_string()),
            ("id", record.id().to_string()),
        ],
    );
    writeln!(out, "{line}")?;
    Ok(())
}

/// The backup in `file`, or why it cannot be one.
fn read(file: &Path) -> Result<Export, CliError> {
    let failed =
        |why: String| CliError::Failed(format!("cannot restore {}: {why}", file.display()));
    let meta = std::fs::metadata(file).map_err(|e| failed(io_words(&e)))?;
    if meta.len() > MAX_BACKUP_BYTES {
        return Err(failed("the file is larger than any backup (1 GiB)".into()));
    }
    let bytes = std::fs::read(file).map_err(|e| failed(io_words(&e)))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        failed(format!(
            "not a backup written by companion export --json (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => "it could not be read".into(),
    }
}

/// Removes a record file made by a restore that failed, with SQLite's side files.
fn remove_record_files(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
}
