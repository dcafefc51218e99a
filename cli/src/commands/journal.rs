//! `companion journal add|list`.

use companion_core::HealthRecord;
use companion_core::model::JournalEntry;

use crate::context::Ctx;
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
        } => {
            let mut entry = JournalEntry::new(ctx.time(at.as_ref())?, &text, mood, symptom)?;
            entry.highlight = highlight;
            record.add_journal_entry(&entry)?;
            writeln!(ctx.out, "Wrote {}", output::journal(&entry))?;
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
