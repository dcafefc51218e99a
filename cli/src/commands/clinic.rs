//! `companion clinic serve|user`: the clinic's workspace on this device (docs/clinic.md).

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Duration;

use companion_clinic::{Clinic, ClinicError, Staff};
use companion_core::device::{RecordSync, SyncObserver, SyncService, SyncState};
use companion_core::keystore::{FileKeyStore, KeyStore};
use companion_core::sync::HttpTransport;
use companion_core::zone::Zone;

use crate::ClinicCommand;
use crate::context::{device, home};
use crate::error::CliError;

fn failed(e: ClinicError) -> CliError {
    match e {
        ClinicError::Record(e) => CliError::Core(e),
        e => CliError::Failed(e.to_string()),
    }
}

fn staff() -> Result<Staff, CliError> {
    let home = home()?;
    let keys: Arc<dyn KeyStore> =
        Arc::new(FileKeyStore::open(&home).map_err(companion_core::Error::from)?);
    Staff::open(&home, &keys).map_err(failed)
}

/// Logs each sync pass of the background service on standard error.
struct Log;

impl SyncObserver for Log {
    fn state_changed(&self, state: SyncState) {
        if let SyncState::Offline | SyncState::Error { .. } = state {
            eprintln!("sync: {state:?}");
        }
    }

    fn record_synced(&self, record: &RecordSync) {
        if let Err(e) = &record.result {
            eprintln!("sync: record {}: {e}", record.id);
        }
    }
}

/// Runs `companion clinic ...`.
pub fn run(command: ClinicCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match command {
        ClinicCommand::User(crate::ClinicUserCommand::Add { name }) => {
            // The password is the first line of standard input (a terminal, or a pipe from a
            // password manager): never an argument, which other users of the machine see.
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let password = line.trim_end_matches(['\r', '\n']);
            staff()?
                .set_user(&name, password, companion_core::clock::now()?)
                .map_err(failed)?;
            writeln!(out, "{name} may sign in to the clinic's workspace")?;
            Ok(())
        }
        ClinicCommand::User(crate::ClinicUserCommand::List) => {
            for name in staff()?.users().map_err(failed)? {
                writeln!(out, "{name}")?;
            }
            Ok(())
        }
        ClinicCommand::Log {
            patient,
            limit,
            json,
        } => {
            let views = staff()?.views(patient.as_deref(), limit).map_err(failed)?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &views)?;
                writeln!(out)?;
            } else {
                for v in views {
                    writeln!(
                        out,
                        "{}  {}  {}  {}",
                        v.at.format("%Y-%m-%d %H:%M:%S UTC"),
                        v.name,
                        v.what,
                        v.record
                    )?;
                }
            }
            Ok(())
        }
        ClinicCommand::Serve {
            listen,
            sync_every,
            plain_http,
            tz,
        } => {
            let zone = match tz {
                Some(tz) => Zone::named(&tz).ok_or_else(|| {
                    CliError::Usage(format!("not a time zone this device knows: {tz}"))
                })?,
                None => Zone::utc(),
            };
            let staff = staff()?;
            if staff.users().map_err(failed)?.is_empty() {
                return Err(CliError::Failed(
                    "no one may sign in yet: add a staff member first with \
                     `companion clinic user add NAME` (the password on standard input)"
                        .into(),
                ));
            }
            let device = device()?;
            let service = (sync_every > 0)
                .then(|| -> Result<SyncService, CliError> {
                    let transport = HttpTransport::new().map_err(|_| {
                        CliError::Failed("HTTP could not be set up for syncing".into())
                    })?;
                    let service =
                        SyncService::new(device.clone(), Box::new(transport), Arc::new(Log), None);
                    service.start(Duration::from_secs(sync_every));
                    Ok(service)
                })
                .transpose()?;
            let clinic = Arc::new(Clinic::new(device, staff, zone, !plain_http));
            let served = companion_clinic::serve(clinic, &listen).map_err(CliError::Failed);
            if let Some(service) = service {
                service.stop();
            }
            served
        }
    }
}
