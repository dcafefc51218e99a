//! `companion fhir export|import`: the record as a FHIR R4 Bundle, and medications and
//! observations from one (docs/clinic.md, "FHIR").

use std::io::Write;
use std::path::Path;

use companion_core::HealthRecord;
use companion_fhir::FhirError;

use crate::FhirCommand;
use crate::error::CliError;

/// A FHIR refusal in the command line's words (the element names are FHIR's own).
fn failed(e: FhirError) -> CliError {
    let said = |id: &'static str, args: Vec<(&'static str, String)>| CliError::Said {
        id,
        args,
        usage: false,
    };
    match e {
        FhirError::Record(e) => CliError::Core(e),
        FhirError::Inexpressible {
            medication,
            schedule,
        } => said(
            "err-fhir-inexpressible",
            vec![
                ("medication", medication),
                ("schedule", schedule.to_string()),
            ],
        ),
        FhirError::NotABundle { element } => said(
            "err-fhir-not-bundle",
            vec![("element", element.to_string())],
        ),
        FhirError::Unsupported { element } => said(
            "err-fhir-unsupported",
            vec![("element", element.to_string())],
        ),
        FhirError::Invalid { element } => {
            said("err-fhir-invalid", vec![("element", element.to_string())])
        }
        e => CliError::Failed(e.to_string()),
    }
}

fn words(record: &HealthRecord) -> Result<&'static companion_core::i18n::Texts, CliError> {
    Ok(crate::words::words(record.profile()?.language))
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
                    let line = words(record)?.get(
                        "said-fhir-exported",
                        &[("n", n.to_string()), ("path", path.display().to_string())],
                    );
                    writeln!(out, "{line}")?;
                }
            }
            Ok(())
        }
        FhirCommand::Import { file } => import(record, &file, out),
    }
}

fn import(record: &mut HealthRecord, file: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let bytes = std::fs::read(file).map_err(|_| CliError::Said {
        id: "err-fhir-unreadable",
        args: vec![("path", file.display().to_string())],
        usage: false,
    })?;
    let now = companion_core::clock::now()?;
    let done = companion_fhir::import(record, &bytes, now).map_err(failed)?;
    let line = words(record)?.get(
        "said-fhir-imported",
        &[
            ("meds", done.medications_added.to_string()),
            ("readings", done.readings_added.to_string()),
            ("meds_known", done.medications_known.to_string()),
            ("readings_known", done.readings_known.to_string()),
        ],
    );
    writeln!(out, "{line}")?;
    Ok(())
}
