//! The commands, one file each; [`run`] sends a parsed command line to its file.

mod adherence;
mod alerts;
mod appointment;
mod ask;
mod backup;
mod check;
mod clinic;
mod demo;
mod dose;
mod fhir;
mod import;
mod journal;
mod journey;
mod med;
mod plan;
mod profile;
mod reading;
mod records;
mod reminders;
mod replica;
mod report;
mod share;
mod stats;
mod targets;
mod today;
mod tour;

use std::io::Write;
use std::time::Duration;

use companion_core::model::Profile;
use companion_core::{Error, HealthRecord};

use crate::context::{Ctx, record_keys, record_path};
use crate::error::{CliError, record_file, usage_said};
use crate::{Cli, Command};

/// Runs one parsed command line, writing its output to `out`; its errors are worded in the
/// record's language, or the system's (`LANG`) before a record is open.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), CliError> {
    let mut language = None;
    run_in(cli, out, &mut language).map_err(|e| {
        e.in_words(crate::words::words(
            language.unwrap_or_else(crate::words::system_language),
        ))
    })
}

/// [`run`], setting `language` once the record's is known.
fn run_in(
    cli: Cli,
    out: &mut dyn Write,
    language: &mut Option<companion_core::model::Language>,
) -> Result<(), CliError> {
    if let Command::Tour = cli.command {
        return tour::run(out);
    }
    if let Command::Serve { listen, open } = &cli.command {
        let Some(db) = &cli.db else {
            return usage_said("err-serve-db", vec![]);
        };
        let Some(db) = db.to_str() else {
            return usage_said("err-serve-db-utf8", vec![]);
        };
        return companion_server::serve(listen, db, *open).map_err(CliError::Failed);
    }
    if let Command::Clinic(command) = cli.command {
        return clinic::run(command, out);
    }
    if let Command::Records { json } = cli.command {
        return records::list(json, out);
    }
    if let Command::Sync {
        all: true, json, ..
    } = cli.command
    {
        return share::sync_all(json, out);
    }
    let creating = matches!(
        cli.command,
        Command::Demo { .. }
            | Command::Init { .. }
            | Command::Restore { .. }
            | Command::Join { .. }
            | Command::Replica(crate::ReplicaCommand::Join { .. })
    );
    let db = record_path(cli.db, cli.record.as_deref(), creating)?;
    if let Command::Demo { days } = cli.command {
        let record = demo::create(&db, days)?;
        let lang = record.profile()?.language;
        *language = Some(lang);
        let line = crate::words::words(lang).get(
            "said-demo",
            &[
                ("days", days.to_string()),
                ("db", db.display().to_string()),
                ("id", record.id().to_string()),
            ],
        );
        writeln!(out, "{line}")?;
        return Ok(());
    }
    if let Command::Init { name, tz, lang } = cli.command {
        *language = Some(lang);
        let mut profile = Profile::new(&name, &tz)?;
        profile.language = lang;
        profile.units.glucose = companion_core::model::units::GlucoseUnit::default_for(lang, &tz);
        // The device directory first (made the owner's only), then the record's folder.
        let keys = record_keys(&db)?;
        if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let record = HealthRecord::create(&db, &keys, &profile).map_err(|e| record_file(&db, e))?;
        let line = crate::words::words(lang).get(
            "said-created",
            &[
                ("name", profile.name.clone()),
                ("db", db.display().to_string()),
                ("id", record.id().to_string()),
            ],
        );
        writeln!(out, "{line}")?;
        return Ok(());
    }
    if let Command::Restore { file } = &cli.command {
        return backup::restore(&db, file, out);
    }
    if let Command::Replica(crate::ReplicaCommand::Join { file }) = &cli.command {
        return replica::join(&db, file, out);
    }
    if let Command::Join { code, name, json } = &cli.command {
        return share::join(&db, code, name.as_deref(), *json, out);
    }
    if let Command::Forget { yes } = &cli.command {
        return records::forget(&db, *yes, out);
    }
    if let Command::Rekey = &cli.command {
        HealthRecord::rekey(&db, &record_keys(&db)?).map_err(|e| match e {
            Error::NoRecord => CliError::Said {
                id: "err-no-record-at",
                args: vec![("path", db.display().to_string())],
                usage: true,
            },
            e => record_file(&db, e),
        })?;
        let lang = HealthRecord::open(&db, &record_keys(&db)?)
            .and_then(|r| r.profile())
            .map_or(crate::words::system_language(), |p| p.language);
        writeln!(out, "{}", crate::words::words(lang).text("said-rekeyed"))?;
        return Ok(());
    }
    let mut record = match HealthRecord::open(&db, &record_keys(&db)?) {
        Err(Error::NoRecord) => {
            return usage_said("err-no-record-at", vec![("path", db.display().to_string())]);
        }
        other => other.map_err(|e| record_file(&db, e))?,
    };
    // A damaged profile leaves the system's language, for check and repair.
    let profile = record.profile();
    *language = profile.as_ref().ok().map(|p| p.language);
    // Checking and repairing must work when the profile's own row is what is damaged, and a
    // replica can be exchanged before its profile has arrived.
    match cli.command {
        Command::Check { full, json } => return check::check(&record, full, out, json),
        Command::Repair { json } => return check::repair(&mut record, out, json),
        Command::Replica(cmd) => return replica::run(&mut record, cmd, out),
        Command::Invite {
            role,
            name,
            yes,
            relay,
            relay_token,
            hours,
            json,
        } => {
            let relay = relay.map(|r| match relay_token {
                Some(token) => share::with_token(&r, &token),
                None => r,
            });
            let invite = share::InviteArgs {
                role: &role,
                name: name.as_deref(),
                confirmed: yes,
                relay: relay.as_deref(),
                hours,
                json,
            };
            return share::invite(&mut record, &invite, out);
        }
        Command::Sync {
            json, watch: false, ..
        } => return share::sync(&mut record, json, out),
        Command::Sync { json, r#for, .. } => {
            return share::watch(&mut record, json, r#for.map(Duration::from_secs), out);
        }
        Command::Members { json } => return share::members(&record, json, out),
        Command::Remove { member } => return share::remove(&mut record, &member, out),
        Command::Leave => return share::leave(&mut record, out),
        _ => {}
    }
    // A phone's zone given with --tz is where the patient is now: the record keeps it, so
    // past doses stay judged in the zone they were due in (a member's device whose role does
    // not write the patient's whereabouts just shows it).
    if let Command::Reminders { tz: Some(tz), .. }
    | Command::Today { tz: Some(tz), .. }
    | Command::Adherence { tz: Some(tz), .. } = &cli.command
    {
        match record.record_device_zone(tz, companion_core::clock::now()?) {
            Ok(_) | Err(companion_core::Error::NotPermitted { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // Recording the phone's zone writes no profile field: the profile read above stands.
    let ctx = Ctx {
        profile: profile?,
        out,
    };
    dispatch(&mut record, cli.command, ctx)
}

/// Runs a command on an open record, its profile read.
fn dispatch(record: &mut HealthRecord, command: Command, ctx: Ctx<'_>) -> Result<(), CliError> {
    match command {
        Command::Profile(cmd) => profile::run(record, cmd, ctx),
        Command::Med(cmd) => med::run(record, cmd, ctx),
        Command::Dose(cmd) => dose::run(record, cmd, ctx),
        Command::Reading(cmd) => reading::run(record, cmd, ctx),
        Command::Journal(cmd) => journal::run(record, cmd, ctx),
        Command::Reminders {
            from,
            hours,
            tz,
            max,
            json,
        } => reminders::run(record, ctx, from, hours, tz, max, json),
        Command::Today { tz, json } => today::run(record, ctx, tz, json),
        Command::Notify { after, off } => reminders::notify(record, ctx, after, off),
        Command::Adherence { days, tz, json } => adherence::run(record, ctx, days, tz, json),
        Command::Journey(cmd) => journey::run(record, cmd, ctx),
        Command::Ask {
            questionnaire,
            answers,
        } => ask::run(record, ctx, &questionnaire, &answers),
        Command::Appointment(cmd) => appointment::run(record, cmd, ctx),
        Command::Plan(cmd) => plan::run(record, cmd, ctx),
        Command::Export { out: None, .. } => {
            serde_json::to_writer_pretty(&mut *ctx.out, &record.export()?)?;
            writeln!(ctx.out)?;
            Ok(())
        }
        Command::Export {
            out: Some(path),
            follow,
            ..
        } => {
            record.write_export(&crate::context::out_path(path.clone(), follow))?;
            let mut ctx = ctx;
            ctx.say("said-exported", &[("path", path.display().to_string())])?;
            Ok(())
        }
        Command::Stats { days, json } => stats::run(record, ctx, days, json),
        Command::Report {
            days,
            out,
            follow,
            lang,
        } => report::run(record, ctx, days, &out, follow, lang),
        Command::Targets(cmd) => targets::run(record, ctx, cmd),
        Command::Fhir(cmd) => fhir::run(record, cmd, ctx.out),
        Command::Import {
            file,
            format,
            skip_bad,
            json,
        } => import::run(
            record,
            &file,
            format.as_deref(),
            skip_bad.as_deref(),
            json,
            ctx.out,
        ),
        Command::Alerts(cmd) => alerts::run(record, ctx, cmd),
        Command::Init { .. }
        | Command::Restore { .. }
        | Command::Tour
        | Command::Demo { .. }
        | Command::Check { .. }
        | Command::Repair { .. }
        | Command::Replica(_)
        | Command::Serve { .. }
        | Command::Invite { .. }
        | Command::Join { .. }
        | Command::Sync { .. }
        | Command::Members { .. }
        | Command::Records { .. }
        | Command::Clinic(_)
        | Command::Remove { .. }
        | Command::Leave
        | Command::Rekey
        | Command::Forget { .. } => Ok(()),
    }
}
