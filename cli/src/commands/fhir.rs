//! `companion fhir export|import`: the record as a FHIR R4 Bundle, and medications and
//! observations from one (docs/clinic.md, "FHIR").

use std::io::Write;
use std::path::Path;

use companion_core::HealthRecord;
use companion_fhir::FhirError;

use crate::FhirCommand;
use crate::error::CliError;

fn failed(e: FhirError) -> CliError {
    match e {
        FhirError::Record(e) => CliError::Core(e),
        e => CliError::Failed(e.to_string()),
    }
}

/// Runs `companion fhir ...` on the open record.
pub fn run(
    record: &mut HealthRecord,
    command: FhirCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        FhirCommand::Export { out: path, follow } => {
            let now = companion_core::clock::now()?;
            let bundle = companion_fhir::export(record, now).map_err(failed)?;
            let mut bytes = serde_json::to_vec_pretty(&bundle)?;
            bytes.push(b'\n');
            match path {
                None => out.write_all(&bytes)?,
                Some(path) => {
                    let target = crate::context::out_path(path.clone(), follow);
                    companion_core::write_output(
                        &target,
                        &bytes,
                        "the FHIR bundle could not be written",
                    )?;
                    let n = bundle["entry"].as_array().map_or(0, Vec::len);
                    writeln!(
                        out,
                        "Wrote a FHIR R4 bundle of {n} resources to {}",
                        path.display()
                    )?;
                }
            }
            Ok(())
        }
        FhirCommand::Import { file } => import(record, &file, out),
    }
}

fn import(record: &mut HealthRecord, file: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::Failed(format!("{}: could not be read ({e})", file.display())))?;
    let now = companion_core::clock::now()?;
    let done = companion_fhir::import(record, &bytes, now).map_err(failed)?;
    writeln!(
        out,
        "Imported {} medication(s) and {} reading(s); {} medication(s) and {} reading(s) were already in the record",
        done.medications_added, done.readings_added, done.medications_known, done.readings_known
    )?;
    Ok(())
}
