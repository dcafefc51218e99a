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
            {
                let what = output::journal(&entry, ctx.words());
                ctx.say("said-wrote", &[("what", what)])?;
            }
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
            {
                let what = output::journal(&after, ctx.words());
                ctx.say("said-changed", &[("what", what)])?;
            }
        }
        JournalCommand::Delete { id } => {
            let entry = find(record, &id)?;
            record.delete_journal_entry(&entry.id)?;
            {
                let what = output::journal(&entry, ctx.words());
                ctx.say("said-deleted", &[("what", what)])?;
            }
        }
        JournalCommand::List { days, json } => {
            let entries = record.journal(ctx.last_days(days)?)?;
            if json {
                return ctx.json(&entries);
            }
            if entries.is_empty() {
                ctx.say("none-journal", &[])?;
            }
            for e in &entries {
                writeln!(ctx.out, "{}", output::journal(e, ctx.words()))?;
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
