//! `companion journal add|edit|delete|list`.

use companion_core::HealthRecord;
use companion_core::model::JournalEntry;

use crate::context::{Ctx, by_id};
use crate::error::CliError;
use crate::{JournalCommand, output};

pub fn run(
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
            by,
        } => {
            let mut entry = JournalEntry::new(ctx.time(at.as_ref())?, &text, mood, symptom)?;
            entry.highlight = highlight;
            entry.logged_by = by;
            record.add_journal_entry(&entry)?;
            // As stored: with its author.
            let entry = record
                .journal(companion_core::TimeRange::ALL)?
                .into_iter()
                .find(|e| e.id == entry.id)
                .unwrap_or(entry);
            writeln!(ctx.out, "Wrote {}", output::journal(&entry))?;
        }
        JournalCommand::Edit { id, text, mood, at } => {
            let entry = find(record, &id)?;
            let mut after = entry.clone();
            if let Some(text) = text {
                after.text = text;
            }
            if mood.is_some() {
                after.mood = mood;
            }
            if at.is_some() {
                after.at = ctx.time(at.as_ref())?;
            }
            record.update_journal_entry(&after)?;
            writeln!(ctx.out, "Changed {}", output::journal(&after))?;
        }
        JournalCommand::Delete { id } => {
            let entry = find(record, &id)?;
            record.delete_journal_entry(&entry.id)?;
            writeln!(ctx.out, "Deleted {}", output::journal(&entry))?;
        }
        JournalCommand::List { days, json } => {
            let entries = record.journal(ctx.last_days(days)?)?;
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

/// The journal entry whose id is `key` or starts with it.
fn find(record: &HealthRecord, key: &str) -> Result<JournalEntry, CliError> {
    let all = record.journal(companion_core::TimeRange::ALL)?;
    by_id(all, |e| e.id.as_str(), key, "journal entry")
}
