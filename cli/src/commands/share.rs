//! `companion invite|join|sync|members`: sharing the record through a relay
//! (docs/sync-protocol.md).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use companion_core::HealthRecord;
use companion_core::sync::{HttpTransport, MembersReport, Role, SyncError, SyncReport};

use crate::error::{CliError, record_file, usage};

fn transport() -> Result<HttpTransport, CliError> {
    HttpTransport::new().map_err(|e| CliError::Failed(format!("no HTTP client: {e}")))
}

/// Says a sharing failure in the command line's words.
fn explain(e: companion_core::Error) -> CliError {
    match e {
        companion_core::Error::Sync(SyncError::Invite(what)) => CliError::Failed(format!(
            "the invite is {what}: ask the patient for a new invite"
        )),
        companion_core::Error::Sync(SyncError::Malformed {
            what: "invite code",
        }) => CliError::Failed(
            "that is not an invite code: give the code the patient's device printed \
             (XXXX-XXXX-...@https://relay) or its QR payload (companion:join?...)"
                .into(),
        ),
        companion_core::Error::Sync(SyncError::Relay { code, .. }) if code == "not_member" => {
            CliError::Failed(
                "this device is no longer a member of the shared record (removed, or it left): \
                 its copy stays here, and nothing is sent or received"
                    .into(),
            )
        }
        companion_core::Error::Sync(SyncError::NotShared) => CliError::Failed(
            "this record is not shared yet: the patient shares it with companion invite --role ROLE --relay URL, \
             another device joins with companion join CODE"
                .into(),
        ),
        companion_core::Error::Sync(SyncError::Unreachable { detail }) => CliError::Failed(format!(
            "the relay could not be reached ({detail}); nothing was lost: your changes wait and go with the next sync"
        )),
        other => other.into(),
    }
}

/// `companion invite --role ROLE [--relay URL]`.
pub fn invite(
    record: &mut HealthRecord,
    role: &str,
    relay: Option<&str>,
    hours: u32,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let role = match Role::parse(role) {
        Some(r) => r,
        _ => {
            return usage(format!(
                "--role must be caregiver, clinician, viewer or owner (another device of the patient's), not {role:?}"
            ));
        }
    };
    if hours == 0 || hours > 24 * 30 {
        return usage("--hours must be between 1 and 720");
    }
    if let Some(r) = relay
        && !(r.starts_with("http://") || r.starts_with("https://"))
    {
        return usage(format!(
            "--relay must be an http:// or https:// address, not {r:?}"
        ));
    }
    let info = record
        .invite(
            role,
            Duration::from_secs(u64::from(hours) * 3600),
            relay,
            &mut transport()?,
        )
        .map_err(explain)?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &info)?;
        writeln!(out)?;
        return Ok(());
    }
    let expires = chrono::DateTime::from_timestamp_millis(info.expires_ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let article = if role == Role::Owner { "an" } else { "a" };
    writeln!(
        out,
        "Invite for {article} {role}, single use, valid until {expires}"
    )?;
    writeln!(out, "Code: {}", info.code)?;
    writeln!(out, "QR payload: {}", info.qr_payload)?;
    let qr = qrcode::QrCode::new(info.qr_payload.as_bytes())
        .map_err(|_| CliError::Failed("the QR code could not be made".into()))?;
    let text = qr
        .render::<qrcode::render::unicode::Dense1x2>()
        .quiet_zone(true)
        .build();
    writeln!(out, "{text}")?;
    writeln!(out, "On the other device: companion --db NEW.db join CODE")?;
    Ok(())
}

/// `companion --db NEW join CODE`: runs before any record is opened.
pub fn join(db: &Path, code: &str, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let (record, report) = HealthRecord::join_invite(db, code, &mut transport()?, &mut |_| {})
        .map_err(|e| match e {
            companion_core::Error::RecordExists => CliError::Failed(format!(
                "a record already exists at {}: join makes a new replica, so give --db a new file",
                db.display()
            )),
            e @ (companion_core::Error::Sync(_) | companion_core::Error::NotPermitted { .. }) => {
                explain(e)
            }
            other => record_file(db, other),
        })?;
    let members = record.members()?;
    if json {
        serde_json::to_writer_pretty(
            &mut *out,
            &serde_json::json!({"record": record.id(), "role": members.role, "sync": report}),
        )?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Joined record {} as {} at {}",
        record.id(),
        members.role,
        db.display()
    )?;
    writeln!(out, "{}", describe(&report))?;
    Ok(())
}

/// `companion sync`.
pub fn sync(record: &mut HealthRecord, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let report = record
        .sync(&mut transport()?, &mut |_| {})
        .map_err(explain)?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}", describe(&report))?;
    if report.quarantined > 0 {
        writeln!(
            out,
            "{} item(s) from the relay were refused and kept apart: see companion members",
            report.quarantined
        )?;
    }
    Ok(())
}

/// `companion sync --watch [--for SECONDS]`: syncs, then long-polls the relay and syncs
/// whenever something arrives (or the wait ends, to send this device's own changes), printing
/// a line for each sync that moved anything. An unreachable relay is said once and retried
/// with a growing pause; any other failure ends the watch.
pub fn watch(
    record: &mut HealthRecord,
    json: bool,
    run_for: Option<Duration>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let left = |now: std::time::Instant| run_for.map(|d| d.saturating_sub(now - started));
    let mut transport = transport()?;
    let mut pause = Duration::from_secs(1);
    let mut first = true;
    loop {
        match record.sync(&mut transport, &mut |_| {}) {
            Ok(report) => {
                pause = Duration::from_secs(1);
                if first || report.pushed + report.applied + report.membership > 0 {
                    if json {
                        serde_json::to_writer(&mut *out, &report)?;
                        writeln!(out)?;
                    } else {
                        let at = chrono::Local::now().format("%H:%M:%S");
                        writeln!(out, "{at} {}", arrived(&report, first))?;
                    }
                    out.flush()?;
                }
                first = false;
            }
            Err(companion_core::Error::Sync(SyncError::Unreachable { .. })) => {
                if !json {
                    writeln!(
                        out,
                        "the relay could not be reached; trying again in {} s (nothing is lost)",
                        pause.as_secs()
                    )?;
                    out.flush()?;
                }
                if left(std::time::Instant::now()).is_some_and(|l| l <= pause) {
                    return Ok(());
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(60));
                continue;
            }
            Err(e) => return Err(explain(e)),
        }
        let mut wait = companion_core::sync::MOST_WAIT_SECONDS;
        if let Some(l) = left(std::time::Instant::now()) {
            if l.is_zero() {
                return Ok(());
            }
            wait = wait.min(l.as_secs().max(1));
        }
        let watch = record.watch().map_err(explain)?;
        match watch.wait(&mut transport, wait) {
            Ok(_) | Err(companion_core::Error::Sync(SyncError::Unreachable { .. })) => {}
            Err(e) => return Err(explain(e)),
        }
    }
}

/// One line for a sync of `sync --watch`.
fn arrived(r: &SyncReport, first: bool) -> String {
    if first {
        return format!("watching the relay from log position {}", r.cursor);
    }
    let mut parts = Vec::new();
    if r.applied > 0 {
        parts.push(format!(
            "{} change set(s) arrived: {} added, {} updated, {} deleted",
            r.applied, r.added, r.updated, r.deleted
        ));
    }
    if r.alerts_raised > 0 {
        parts.push(format!("{} alert(s) raised", r.alerts_raised));
    }
    if r.membership > 0 {
        parts.push(format!("{} membership change(s)", r.membership));
    }
    if r.pushed > 0 {
        parts.push(format!("{} of this device's change(s) sent", r.pushed));
    }
    if r.quarantined > 0 {
        parts.push(format!(
            "{} item(s) refused and kept apart (companion members)",
            r.quarantined
        ));
    }
    format!("{}; at log position {}", parts.join("; "), r.cursor)
}

fn describe(r: &SyncReport) -> String {
    format!(
        "Synced: {} change(s) sent, {} envelope(s) applied ({} added, {} updated, {} deleted), \
         {} alert(s) raised, {} quarantined, {} held; at log position {} ({} request(s), {} bytes sent, {} received)",
        r.pushed,
        r.applied,
        r.added,
        r.updated,
        r.deleted,
        r.alerts_raised,
        r.quarantined,
        r.held,
        r.cursor,
        r.requests,
        r.bytes_sent,
        r.bytes_received
    )
}

/// `companion remove MEMBER`.
pub fn remove(
    record: &mut HealthRecord,
    member: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if member.len() < 4 {
        return usage(
            "give the member's device id, or at least its first 4 characters (companion members lists them)",
        );
    }
    record
        .remove_member(member, &mut transport()?)
        .map_err(|e| match e {
            companion_core::Error::Sync(SyncError::MembershipRefused { .. }) => CliError::Failed(format!(
                "{member} names no current member other than this device, or more than one: see companion members"
            )),
            other => explain(other),
        })?;
    writeln!(
        out,
        "Removed {member}: the record key changed; that device reads nothing written from now on"
    )?;
    Ok(())
}

/// `companion leave`.
pub fn leave(record: &mut HealthRecord, out: &mut dyn Write) -> Result<(), CliError> {
    record.leave(&mut transport()?).map_err(|e| match e {
        companion_core::Error::Sync(SyncError::MembershipRefused { .. }) => CliError::Failed(
            "the last owner device cannot leave the record (it is the patient's)".into(),
        ),
        other => explain(other),
    })?;
    writeln!(
        out,
        "Left the shared record: this device keeps its copy but gets nothing new"
    )?;
    Ok(())
}

/// `companion members`.
pub fn members(record: &HealthRecord, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let m: MembersReport = record.members().map_err(explain)?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &m)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Shared through {}; this device's role: {}",
        m.relay, m.role
    )?;
    for member in &m.members {
        writeln!(
            out,
            "  {}  {:<9}  since log position {}{}{}",
            member.device,
            member.role.as_str(),
            member.since,
            member
                .removed
                .map(|r| format!(", removed at {r}"))
                .unwrap_or_default(),
            if member.this_device {
                "  (this device)"
            } else {
                ""
            }
        )?;
    }
    if m.quarantined.is_empty() {
        writeln!(out, "Nothing quarantined")?;
    } else {
        writeln!(out, "Quarantined (never applied):")?;
        for q in &m.quarantined {
            writeln!(
                out,
                "  log position {}: {}{}",
                q.seq,
                q.reason,
                q.author
                    .as_deref()
                    .map(|a| format!(" (from device {a})"))
                    .unwrap_or_default()
            )?;
        }
    }
    if m.held > 0 {
        writeln!(
            out,
            "{} envelope(s) wait for changes not received yet",
            m.held
        )?;
    }
    writeln!(
        out,
        "{} local change(s) not yet acknowledged by the relay",
        m.unsent
    )?;
    Ok(())
}
