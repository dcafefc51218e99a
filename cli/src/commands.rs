//! What each command does.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use companion_core::model::{
    DoseEvent, DoseStatus, JournalEntry, Medication, MedicationStatus, Profile, Reading,
};
use companion_core::{Error, HealthRecord, PageCursor, ReadingQuery, TimeRange};
use serde_json::json;

use crate::error::{CliError, usage};
use crate::{
    Cli, Command, DoseArgs, DoseCommand, JournalCommand, MedCommand, MedDetails, ProfileCommand,
    ProfileSet, ReadingCommand, output, parse,
};

/// Runs one parsed command line, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<(), CliError> {
    if let Command::Tour = cli.command {
        return crate::tour::run(out);
    }
    let db = db_path(cli.db)?;
    if let Command::Demo { days } = cli.command {
        let record = crate::demo::create(&db, days)?;
        writeln!(
            out,
            "Created a demo record with {days} days of data at {} (id {})",
            db.display(),
            record.id()
        )?;
        return Ok(());
    }
    if let Command::Init { name, tz, lang } = cli.command {
        let mut profile = Profile::new(&name, &tz)?;
        profile.language = lang;
        if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let record = HealthRecord::create(&db, &profile)?;
        writeln!(
            out,
            "Created a record for {} at {} (id {})",
            profile.name,
            db.display(),
            record.id()
        )?;
        return Ok(());
    }
    let mut record = match HealthRecord::open(&db) {
        Err(Error::NoRecord) => {
            return usage(format!(
                "no record at {}: create one with companion init --name NAME --tz Area/City",
                db.display()
            ));
        }
        other => other?,
    };
    let profile = record.profile()?;
    let ctx = Ctx { profile, out };
    match cli.command {
        Command::Profile(cmd) => profile_cmd(&mut record, cmd, ctx),
        Command::Med(cmd) => med_cmd(&mut record, cmd, ctx),
        Command::Dose(cmd) => dose_cmd(&mut record, cmd, ctx),
        Command::Reading(cmd) => reading_cmd(&mut record, cmd, ctx),
        Command::Journal(cmd) => journal_cmd(&mut record, cmd, ctx),
        Command::Reminders {
            from,
            hours,
            tz,
            max,
            json,
        } => crate::reminders::plan(&record, ctx, from, hours, tz, max, json),
        Command::Today { tz, json } => crate::reminders::today(&record, ctx, tz, json),
        Command::Adherence { days, tz, json } => {
            crate::reminders::adherence(&record, ctx, days, tz, json)
        }
        Command::Export { .. } => {
            serde_json::to_writer_pretty(&mut *ctx.out, &record.export()?)?;
            writeln!(ctx.out)?;
            Ok(())
        }
        Command::Stats { days, json } => crate::clinical::stats(&record, ctx, days, json),
        Command::Report { days, out, lang } => {
            crate::clinical::report(&record, ctx, days, &out, lang)
        }
        Command::Targets(cmd) => crate::clinical::targets(&mut record, ctx, cmd),
        Command::Alerts(cmd) => crate::clinical::alerts(&mut record, ctx, cmd),
        Command::Init { .. } | Command::Tour | Command::Demo { .. } => Ok(()),
    }
}

/// What every command needs besides the record.
pub struct Ctx<'a> {
    pub profile: Profile,
    pub out: &'a mut dyn Write,
}

impl Ctx<'_> {
    /// Now, with the UTC offset of the patient's home zone.
    pub fn now(&self) -> DateTime<FixedOffset> {
        let now = Utc::now();
        match self
            .profile
            .home_time_zone
            .parse::<companion_core::zone::Zone>()
        {
            Ok(tz) => now.with_timezone(&tz).fixed_offset(),
            Err(_) => now.fixed_offset(),
        }
    }

    pub fn last_days(&self, days: Option<u32>) -> TimeRange {
        match days {
            Some(days) => TimeRange {
                from: Some(Utc::now() - Duration::days(i64::from(days))),
                to: None,
            },
            None => TimeRange::ALL,
        }
    }

    pub fn json(&mut self, value: &impl serde::Serialize) -> Result<(), CliError> {
        serde_json::to_writer_pretty(&mut *self.out, value)?;
        writeln!(self.out)?;
        Ok(())
    }
}

fn db_path(given: Option<PathBuf>) -> Result<PathBuf, CliError> {
    if let Some(path) = given.or_else(|| std::env::var_os("COMPANION_DB").map(PathBuf::from)) {
        return Ok(path);
    }
    match directories::ProjectDirs::from("org", "Companion", "companion") {
        Some(dirs) => Ok(dirs.data_dir().join("record.db")),
        None => usage("no data directory on this system: pass --db PATH"),
    }
}

fn profile_cmd(
    record: &mut HealthRecord,
    cmd: ProfileCommand,
    mut ctx: Ctx<'_>,
) -> Result<(), CliError> {
    match cmd {
        ProfileCommand::Show { json } => {
            let p = &ctx.profile;
            if json {
                return ctx.json(&ctx.profile.clone());
            }
            writeln!(ctx.out, "Name:        {}", p.name)?;
            if let Some(born) = p.birth_date {
                writeln!(ctx.out, "Born:        {born}")?;
            }
            if let Some(h) = p.height_cm {
                writeln!(ctx.out, "Height:      {h} cm")?;
            }
            writeln!(ctx.out, "Conditions:  {}", p.conditions.join(", "))?;
            writeln!(ctx.out, "Allergies:   {}", p.allergies.join(", "))?;
            writeln!(ctx.out, "Time zone:   {}", p.home_time_zone)?;
            writeln!(
                ctx.out,
                "Units:       glucose {}, weight {}",
                p.units.glucose.symbol(),
                p.units.weight.symbol()
            )?;
            writeln!(ctx.out, "Record id:   {}", record.id())?;
            Ok(())
        }
        ProfileCommand::Set(set) => {
            let p = apply_profile(ctx.profile.clone(), set)?;
            record.set_profile(&p)?;
            writeln!(ctx.out, "Profile updated")?;
            Ok(())
        }
    }
}

fn apply_profile(mut p: Profile, set: ProfileSet) -> Result<Profile, CliError> {
    if let Some(name) = set.name {
        p.name = name;
    }
    if let Some(tz) = set.tz {
        p.home_time_zone = tz;
    }
    if let Some(born) = set.birth_date {
        p.birth_date = Some(born);
    }
    if let Some(sex) = set.sex {
        p.sex = Some(sex);
    }
    if let Some(h) = set.height_cm {
        p.height_cm = Some(h);
    }
    p.conditions.extend(set.condition);
    p.allergies.extend(set.allergy);
    if let Some(lang) = set.lang {
        p.language = lang;
    }
    if let Some(u) = set.glucose_unit {
        p.units.glucose = u;
    }
    if let Some(u) = set.weight_unit {
        p.units.weight = u;
    }
    Ok(p)
}

/// The medication with this id, or the one medication with this name.
fn find_med(record: &HealthRecord, key: &str) -> Result<Medication, CliError> {
    match record.medication(key) {
        Ok(m) => return Ok(m),
        Err(Error::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let mut found: Vec<Medication> = record
        .medications(true)?
        .into_iter()
        .filter(|m| m.name.eq_ignore_ascii_case(key.trim()))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => usage("no medication with that id or name (see companion med list)"),
        _ => usage("several medications have that name: use the id"),
    }
}

fn apply_details(
    m: &mut Medication,
    d: MedDetails,
    now: DateTime<FixedOffset>,
) -> Result<(), CliError> {
    if let Some(s) = d.strength {
        m.strength = Some(s);
    }
    if let Some(form) = d.form {
        m.form = form;
    }
    if let Some(i) = d.instructions {
        m.instructions = Some(i);
    }
    if let Some(p) = d.prescriber {
        m.prescriber = Some(p);
    }
    if let Some(start) = d.start {
        m.start = start;
    }
    if let Some(end) = d.end {
        m.end = Some(end);
    }
    if let Some(count) = d.inventory {
        m.inventory = Some(companion_core::model::Inventory {
            count,
            counted_at: now,
            per_dose: d.units_per_dose.unwrap_or(1.0),
        });
    } else if let (Some(per_dose), Some(inv)) = (d.units_per_dose, m.inventory.as_mut()) {
        inv.per_dose = per_dose;
    }
    if let Some(days) = d.refill_days {
        m.refill_days_ahead = days;
    }
    if let Some(g) = d.grace_min {
        m.grace_minutes = g;
    }
    Ok(())
}

fn med_cmd(record: &mut HealthRecord, cmd: MedCommand, mut ctx: Ctx<'_>) -> Result<(), CliError> {
    match cmd {
        MedCommand::Add(add) => {
            let Some(schedule) = add.schedule.schedule()? else {
                return usage(
                    "give a schedule: --at 08:00,20:00, --every-hours 8, --weekdays, --every-days, --cycle, --taper, --as-needed or --meals",
                );
            };
            let dose = companion_core::model::DoseAmount::parse(&add.dose)?;
            let mut m = Medication::new(&add.name, dose, schedule, ctx.now().date_naive())?;
            apply_details(&mut m, add.details, ctx.now())?;
            if let Some(policy) = add.schedule.zone_policy() {
                m.time_zone = policy;
            }
            record.add_medication(&m)?;
            writeln!(ctx.out, "Added {}", output::medication(&m))?;
        }
        MedCommand::List { all, json } => {
            let meds = record.medications(all)?;
            if json {
                return ctx.json(&meds);
            }
            if meds.is_empty() {
                writeln!(ctx.out, "No medications")?;
            }
            for m in &meds {
                writeln!(ctx.out, "{}", output::medication(m))?;
            }
        }
        MedCommand::Edit(edit) => {
            let mut m = find_med(record, &edit.med)?;
            if let Some(name) = edit.name {
                m.name = name;
            }
            if let Some(dose) = edit.dose {
                m.dose = companion_core::model::DoseAmount::parse(&dose)?;
            }
            apply_details(&mut m, edit.details, ctx.now())?;
            if let Some(schedule) = edit.schedule.schedule()? {
                m.schedule = schedule;
            }
            if let Some(policy) = edit.schedule.zone_policy() {
                m.time_zone = policy;
            }
            record.update_medication(&m)?;
            writeln!(ctx.out, "Changed {}", output::medication(&m))?;
        }
        MedCommand::Pause { med } => status(record, &med, MedicationStatus::Paused, ctx)?,
        MedCommand::Resume { med } => status(record, &med, MedicationStatus::Active, ctx)?,
        MedCommand::Stop { med } => status(record, &med, MedicationStatus::Stopped, ctx)?,
        MedCommand::Refill { med, amount } => {
            let m = find_med(record, &med)?;
            if m.inventory.is_none() {
                return usage(
                    "this medication's supply is not tracked: set it with med edit --inventory N",
                );
            }
            let refill = companion_core::model::Refill::new(&m.id, ctx.now(), amount)?;
            record.log_refill(&refill)?;
            writeln!(ctx.out, "Logged a refill of {amount} for {}", m.name)?;
        }
        MedCommand::Supply { json } => {
            let tz = ctx.profile.home_time_zone.clone();
            let list = record.refill_status(Utc::now(), &tz)?;
            if json {
                return ctx.json(&list);
            }
            if list.is_empty() {
                writeln!(ctx.out, "No medication's supply is tracked")?;
            }
            for r in &list {
                writeln!(ctx.out, "{}", output::supply(r))?;
            }
        }
    }
    Ok(())
}

fn status(
    record: &mut HealthRecord,
    med: &str,
    status: MedicationStatus,
    ctx: Ctx<'_>,
) -> Result<(), CliError> {
    let m = find_med(record, med)?;
    let m = record.set_medication_status(&m.id, status)?;
    writeln!(ctx.out, "{}", output::medication(&m))?;
    Ok(())
}

fn dose_cmd(record: &mut HealthRecord, cmd: DoseCommand, mut ctx: Ctx<'_>) -> Result<(), CliError> {
    let (args, status): (DoseArgs, DoseStatus) = match cmd {
        DoseCommand::Take(a) => (a, DoseStatus::Taken),
        DoseCommand::Skip(a) => (a, DoseStatus::Skipped),
        DoseCommand::Snooze {
            med,
            scheduled,
            minutes,
        } => {
            let med = find_med(record, &med)?;
            let now = ctx.now();
            let until = now.max(scheduled) + Duration::minutes(i64::from(minutes));
            let event = DoseEvent::snooze(&med.id, now, scheduled, until)?;
            record.log_dose(&event)?;
            writeln!(
                ctx.out,
                "Snoozed {} until {}",
                med.name,
                output::when(&until)
            )?;
            return Ok(());
        }
        DoseCommand::List { med, days, json } => {
            let med = med.map(|m| find_med(record, &m)).transpose()?;
            let doses = record.doses(
                med.as_ref().map(|m| m.id.as_str()),
                ctx.last_days(Some(days)),
            )?;
            if json {
                return ctx.json(&doses);
            }
            let names: std::collections::HashMap<String, String> = record
                .medications(true)?
                .into_iter()
                .map(|m| (m.id, m.name))
                .collect();
            for d in &doses {
                let name = names.get(&d.medication_id).map_or("?", String::as_str);
                writeln!(ctx.out, "{}", output::dose(d, name))?;
            }
            return Ok(());
        }
    };
    let med = find_med(record, &args.med)?;
    let at = args.at.unwrap_or_else(|| ctx.now());
    // Without --scheduled, the dose answers the one due (or nearest) at that time.
    let scheduled = match args.scheduled {
        Some(s) => Some(s),
        None => record
            .dose_to_answer(&med.id, at.to_utc(), &ctx.profile.home_time_zone)?
            .map(|s| s.with_timezone(at.offset())),
    };
    let mut event = DoseEvent::new(&med.id, status, at, scheduled)?;
    event.logged_by = args.by;
    event.note = args.note;
    event.confirmed_over_limit = args.confirm;
    record.log_dose(&event)?;
    writeln!(ctx.out, "Logged {}", output::dose(&event, &med.name))?;
    Ok(())
}

fn reading_cmd(
    record: &mut HealthRecord,
    cmd: ReadingCommand,
    mut ctx: Ctx<'_>,
) -> Result<(), CliError> {
    match cmd {
        ReadingCommand::Add(add) => {
            let kind = add.kind;
            let v = &add.value_args;
            let (m, unit) = parse::measurement(
                kind,
                &add.value,
                v.unit.as_deref(),
                v.context,
                v.pulse,
                &ctx.profile,
            )?;
            let mut reading = Reading::new(m, add.at.unwrap_or_else(|| ctx.now()))?;
            reading.entered_unit = unit;
            reading.note = add.note;
            reading.logged_by = add.by;
            let outcome = record.record_reading(&reading)?;
            writeln!(
                ctx.out,
                "Stored {} {} at {}  [{}]",
                output::kind_words(&reading.measurement),
                output::value(&reading.measurement, &ctx.profile),
                output::when(&reading.at),
                outcome.id
            )?;
            if let Some(line) = output::assessment(&outcome.assessment) {
                writeln!(ctx.out, "{line}")?;
            }
            for alert in &outcome.alerts {
                writeln!(ctx.out, "{}", output::alert(alert))?;
            }
        }
        ReadingCommand::List {
            kind,
            days,
            limit,
            after,
            json,
        } => {
            let query = ReadingQuery {
                kind,
                range: ctx.last_days(days),
                limit,
                after: after.as_deref().map(PageCursor::parse).transpose()?,
            };
            let page = record.readings(&query)?;
            let next = page.next.as_ref().map(|c| c.as_str().to_string());
            if json {
                return ctx.json(&json!({ "readings": page.readings, "next": next }));
            }
            if page.readings.is_empty() {
                writeln!(ctx.out, "No readings")?;
            }
            for r in &page.readings {
                writeln!(ctx.out, "{}", output::reading(r, &ctx.profile))?;
            }
            if let Some(next) = next {
                writeln!(ctx.out, "More: --after {next}")?;
            }
        }
        ReadingCommand::Edit {
            id,
            value,
            value_args,
            at,
            note,
        } => {
            let mut reading = record.reading(&id)?;
            if let Some(value) = value {
                let v = &value_args;
                let (m, unit) = parse::measurement(
                    reading.measurement.kind(),
                    &value,
                    v.unit.as_deref(),
                    v.context,
                    v.pulse,
                    &ctx.profile,
                )?;
                reading.measurement = m;
                reading.entered_unit = unit;
            } else if value_args.unit.is_some()
                || value_args.context.is_some()
                || value_args.pulse.is_some()
            {
                return usage("give the value again with --unit, --context or --pulse");
            }
            if let Some(at) = at {
                reading.at = at;
            }
            if let Some(note) = note {
                reading.note = Some(note);
            }
            record.update_reading(&reading)?;
            writeln!(
                ctx.out,
                "Corrected {}",
                output::reading(&reading, &ctx.profile)
            )?;
        }
        ReadingCommand::Delete { id } => {
            record.delete_reading(&id)?;
            writeln!(ctx.out, "Deleted reading {id}")?;
        }
    }
    Ok(())
}

fn journal_cmd(
    record: &mut HealthRecord,
    cmd: JournalCommand,
    mut ctx: Ctx<'_>,
) -> Result<(), CliError> {
    match cmd {
        JournalCommand::Add {
            text,
            mood,
            symptom,
            at,
            highlight,
        } => {
            let mut entry =
                JournalEntry::new(at.unwrap_or_else(|| ctx.now()), &text, mood, symptom)?;
            entry.highlight = highlight;
            record.add_journal_entry(&entry)?;
            writeln!(ctx.out, "Wrote {}", output::journal(&entry))?;
        }
        JournalCommand::List { days, json } => {
            let entries = record.journal(ctx.last_days(days))?;
            if json {
                return ctx.json(&entries);
            }
            if entries.is_empty() {
                writeln!(ctx.out, "No journal entries")?;
            }
            for e in &entries {
                writeln!(ctx.out, "{}", output::journal(e))?;
            }
        }
    }
    Ok(())
}
