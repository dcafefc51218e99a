//! `companion invite|join|sync|members`: sharing the record through a relay
//! (docs/sync-protocol.md).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use companion_core::HealthRecord;
use companion_core::sync::{HttpTransport, MembersReport, Role, SyncError, SyncReport};

use companion_core::i18n::Texts;

use crate::error::{CliError, record_file, usage_said};

fn transport() -> Result<HttpTransport, CliError> {
    HttpTransport::new().map_err(|_| CliError::Said {
        id: "share-no-http",
        args: vec![],
        usage: false,
    })
}

/// The words of the record's language (English when the record has no profile yet).
fn words_of(record: &HealthRecord) -> &'static Texts {
    crate::words::words(
        record
            .profile()
            .map_or(companion_core::model::Language::English, |p| p.language),
    )
}

/// Says a sharing failure in the command line's words, in `w`'s language.
fn explain(e: companion_core::Error, w: &Texts) -> CliError {
    let said = |id: &str, args: &[(&str, String)]| CliError::Failed(w.get(id, args));
    match e {
        companion_core::Error::Sync(SyncError::Invite(what)) => {
            said("share-invite-bad", &[("what", what.to_string())])
        }
        companion_core::Error::Sync(SyncError::Malformed {
            what: "invite code",
        }) => said("share-not-a-code", &[]),
        companion_core::Error::Sync(SyncError::Relay { code, .. }) if code == "not_member" => {
            said("share-not-member", &[])
        }
        companion_core::Error::Sync(SyncError::Relay { code, .. }) if code == "creation_token" => {
            said("share-needs-token", &[])
        }
        companion_core::Error::Sync(SyncError::Relay { code, .. }) if code == "record_quota" => {
            said("share-quota", &[])
        }
        companion_core::Error::Sync(SyncError::NotShared) => said("share-not-shared", &[]),
        companion_core::Error::Sync(SyncError::Unreachable { detail }) => {
            said("share-unreachable", &[("detail", detail)])
        }
        other => other.into(),
    }
}

/// The relay's address `relay` carrying its creation token (`http://TOKEN@HOST:PORT`), as the
/// core reads it; the core keeps the address without it.
pub fn with_token(relay: &str, token: &str) -> String {
    match relay.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}@{rest}", token.trim()),
        None => relay.to_string(),
    }
}

/// What `companion invite` was asked.
pub struct InviteArgs<'a> {
    /// The role's name as typed.
    pub role: &'a str,
    /// Whom it is for.
    pub name: Option<&'a str>,
    /// `--yes`: issue it without asking.
    pub confirmed: bool,
    /// The relay, for the first invite (with its token).
    pub relay: Option<&'a str>,
    /// Hours it stays valid.
    pub hours: u32,
    /// As JSON.
    pub json: bool,
}

/// `companion invite --role ROLE [--name NAME] [--yes] [--relay URL [--relay-token TOKEN]]`:
/// says what the role may see and do, and issues the invite once the owner confirms (a `y`
/// on standard input, or `--yes`); anything else issues nothing.
pub fn invite(
    record: &mut HealthRecord,
    args: &InviteArgs<'_>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let InviteArgs {
        role,
        name,
        confirmed,
        relay,
        hours,
        json,
    } = *args;
    let role = match Role::parse(role) {
        Some(r) => r,
        _ => {
            return usage_said("err-role", vec![("role", format!("{role:?}"))]);
        }
    };
    if let Some(r) = relay
        && !(r.starts_with("http://") || r.starts_with("https://"))
    {
        return usage_said("err-relay", vec![("relay", format!("{r:?}"))]);
    }
    let name = name
        .map(|n| companion_core::model::display_name("member name", n))
        .transpose()
        .map_err(|e| CliError::from(companion_core::Error::Invalid(e)))?;
    if record.role()?.is_some_and(|r| r != Role::Owner) {
        return Err(explain(SyncError::NotOwner.into(), words_of(record)));
    }
    let statement = record.invite_statement(role)?;
    if !confirmed {
        // Asked on the terminal (or whatever feeds standard input): only a yes issues it.
        let ask = format!("{statement}\n{}", words_of(record).text("share-confirm"));
        if json {
            eprintln!("{ask}");
        } else {
            writeln!(out, "{ask}")?;
            out.flush()?;
        }
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut line);
        if !is_yes(&line) {
            return Err(CliError::Said {
                id: "share-not-confirmed",
                args: vec![],
                usage: false,
            });
        }
    }
    let w = words_of(record);
    let was_shared = record.is_shared()?;
    let invited = record.invite(
        role,
        name.as_deref(),
        Duration::from_secs(u64::from(hours) * 3600),
        relay,
        &mut transport()?,
    );
    let info = match invited {
        Ok(info) => info,
        // The first share failed: nothing was written, nothing waits.
        Err(companion_core::Error::Sync(SyncError::Unreachable { detail }))
            if !was_shared && !record.is_shared()? =>
        {
            return Err(CliError::Failed(
                w.get("share-not-started", &[("detail", detail)]),
            ));
        }
        Err(e) => return Err(explain(e, w)),
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &info)?;
        writeln!(out)?;
        return Ok(());
    }
    let expires = chrono::DateTime::from_timestamp_millis(info.expires_ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let for_whom = if role == Role::Owner {
        "share-invite-owner"
    } else {
        "share-invite"
    };
    let line = w.get(
        for_whom,
        &[
            ("role", w.text(&format!("role-{role}"))),
            ("expires", expires),
        ],
    );
    if confirmed {
        writeln!(out, "{statement}")?;
    }
    if let Some(name) = &name {
        writeln!(
            out,
            "{}",
            w.get("share-invite-for", &[("name", name.clone())])
        )?;
    }
    writeln!(out, "{line}")?;
    writeln!(
        out,
        "{}",
        w.get("share-code", &[("code", info.code.clone())])
    )?;
    writeln!(
        out,
        "{}",
        w.get("share-qr", &[("payload", info.qr_payload.clone())])
    )?;
    let qr = qrcode::QrCode::new(info.qr_payload.as_bytes())
        .map_err(|_| CliError::Failed(w.text("share-no-qr")))?;
    let text = qr
        .render::<qrcode::render::unicode::Dense1x2>()
        .quiet_zone(true)
        .build();
    writeln!(out, "{text}")?;
    writeln!(out, "{}", w.text("share-other-device"))?;
    Ok(())
}

/// Whether an answer to "Share? [y/N]" is a yes (in English or Chinese).
pub(crate) fn is_yes(answer: &str) -> bool {
    matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes" | "是" | "好" | "确认"
    )
}

/// `companion --db NEW join CODE [--name NAME]`: runs before any record is opened.
pub fn join(
    db: &Path,
    code: &str,
    name: Option<&str>,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let (record, report) = HealthRecord::join_invite(
        db,
        &crate::context::record_keys(db)?,
        code,
        name,
        &mut transport()?,
        &mut |_| {},
    )
    .map_err(|e| match e {
        companion_core::Error::RecordExists => CliError::Failed(format!(
            "a record already exists at {}: join makes a new replica, so give --db a new file",
            db.display()
        )),
        e @ (companion_core::Error::Sync(_) | companion_core::Error::NotPermitted { .. }) => {
            explain(
                e,
                crate::words::words(companion_core::model::Language::English),
            )
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
    let w = words_of(&record);
    let line = w.get(
        "share-joined",
        &[
            ("record", record.id().to_string()),
            ("role", w.text(&format!("role-{}", members.role))),
            ("db", db.display().to_string()),
        ],
    );
    writeln!(out, "{line}")?;
    writeln!(out, "{}", describe(&report, w))?;
    Ok(())
}

/// `companion sync`.
pub fn sync(record: &mut HealthRecord, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let w = words_of(record);
    let report = record
        .sync(&mut transport()?, &mut |_| {})
        .map_err(|e| explain(e, w))?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}", describe(&report, w))?;
    if report.quarantined > 0 {
        let line = w.get(
            "share-quarantined",
            &[("count", report.quarantined.to_string())],
        );
        writeln!(out, "{line}")?;
    }
    if report.held > 0 {
        say_missing(&record.missing_data()?, w, out)?;
    }
    Ok(())
}

/// Who changed `collection` in this sync: each author's name (else its device id's first
/// characters) and role.
fn who_changed(report: &SyncReport, collection: &str, w: &Texts) -> String {
    let who: Vec<String> = report
        .changed_by
        .iter()
        .filter(|c| c.collections.iter().any(|n| n == collection))
        .map(|c| {
            let name = c
                .name
                .clone()
                .unwrap_or_else(|| c.device.chars().take(8).collect());
            match c.role {
                Some(role) => format!(
                    "{name} {}",
                    w.get("paren", &[("text", w.text(&format!("role-{role}")))])
                ),
                None => name,
            }
        })
        .collect();
    if who.is_empty() {
        w.text("sync-all-someone")
    } else {
        who.join(&w.text("list-sep"))
    }
}

/// `companion sync --all`: syncs every shared record of the device; per record, one line of
/// what moved and one line per alert that arrived (its title and value), in the record's
/// language. A record that fails to sync is said and the others go on; the exit status is
/// then a failure.
pub fn sync_all(json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let device = crate::context::device()?;
    let synced = device.sync_all(&mut transport()?)?;
    let failed = synced.iter().filter(|s| s.result.is_err()).count();
    if json {
        let list: Vec<serde_json::Value> = synced
            .iter()
            .map(|s| {
                let (report, error) = match &s.result {
                    Ok(r) => (serde_json::to_value(r).unwrap_or_default(), None),
                    Err(e) => (serde_json::Value::Null, Some(e.to_string())),
                };
                let alerts = match &s.profile {
                    Some(p) => crate::output::alerts_json(&s.arrived.alerts, p),
                    None => serde_json::Value::Null,
                };
                serde_json::json!({"record": s.id, "patient": s.patient, "sync": report,
                    "error": error, "new_alerts": alerts})
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &list)?;
        writeln!(out)?;
    } else {
        let system = crate::words::words(crate::words::system_language());
        if synced.is_empty() {
            writeln!(out, "{}", system.text("sync-all-none"))?;
        }
        for s in &synced {
            let w = s
                .profile
                .as_ref()
                .map_or(system, |p| crate::words::words(p.language));
            let patient = ("patient", s.patient.clone());
            let line = match &s.result {
                Ok(report) => w.get("sync-all-record", &[patient, ("line", describe(report, w))]),
                Err(e) => w.get("sync-all-failed", &[patient, ("why", w.error(e))]),
            };
            writeln!(out, "{line}")?;
            let Some(profile) = &s.profile else { continue };
            for alert in &s.arrived.alerts {
                let text = companion_core::clinical::alerts::render(
                    alert,
                    profile.language,
                    &profile.units,
                );
                let value = text
                    .value
                    .map(|v| format!(" {}", w.get("paren", &[("text", v)])))
                    .unwrap_or_default();
                let line = w.get("sync-all-alert", &[("title", text.title), ("value", value)]);
                writeln!(out, "  {line}")?;
            }
            // A plan changed by another member, and by whom.
            let Ok(report) = &s.result else { continue };
            if !s.arrived.medications.is_empty() {
                let names: Vec<&str> = s
                    .arrived
                    .medications
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect();
                let args = [
                    ("who", who_changed(report, "medications", w)),
                    ("names", names.join(&w.text("list-sep"))),
                ];
                writeln!(out, "  {}", w.get("sync-all-medications", &args))?;
            }
            if s.arrived.targets.is_some() {
                let who = who_changed(report, "targets", w);
                writeln!(out, "  {}", w.get("sync-all-targets", &[("who", who)]))?;
            }
        }
    }
    if failed > 0 {
        return Err(CliError::Said {
            id: "sync-all-some-failed",
            args: vec![("n", failed.to_string())],
            usage: false,
        });
    }
    Ok(())
}

/// One line per member whose data is missing here: whose, how much, since when, and why.
fn say_missing(
    missing: &[companion_core::sync::MissingData],
    w: &Texts,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    for missing in missing {
        let since = chrono::DateTime::from_timestamp_millis(missing.since_ms)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        let line = w.get(
            "share-missing",
            &[
                ("device", missing.author.clone()),
                ("count", missing.envelopes.to_string()),
                ("since", since),
            ],
        );
        writeln!(out, "{line}")?;
        if !missing.waiting_for.is_empty() {
            // Short hashes, as git shows them: a member who has them can send them again.
            let hashes: Vec<String> = missing
                .waiting_for
                .iter()
                .map(|h| h.chars().take(12).collect())
                .collect();
            let waits = w.get("share-waiting-for", &[("hashes", hashes.join(", "))]);
            writeln!(out, "  {waits}")?;
        }
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
                        let line = arrived(&report, first, words_of(record));
                        writeln!(out, "{at} {line}")?;
                    }
                    out.flush()?;
                }
                first = false;
            }
            Err(companion_core::Error::Sync(SyncError::Unreachable { .. })) => {
                if !json {
                    let line = words_of(record).get(
                        "watch-unreachable",
                        &[("seconds", pause.as_secs().to_string())],
                    );
                    writeln!(out, "{line}")?;
                    out.flush()?;
                }
                if left(std::time::Instant::now()).is_some_and(|l| l <= pause) {
                    return Ok(());
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(60));
                continue;
            }
            Err(e) => return Err(explain(e, words_of(record))),
        }
        let mut wait = companion_core::sync::MOST_WAIT_SECONDS;
        if let Some(l) = left(std::time::Instant::now()) {
            if l.is_zero() {
                return Ok(());
            }
            wait = wait.min(l.as_secs().max(1));
        }
        let watch = record.watch().map_err(|e| explain(e, words_of(record)))?;
        match watch.wait(&mut transport, wait) {
            Ok(_) | Err(companion_core::Error::Sync(SyncError::Unreachable { .. })) => {}
            Err(e) => return Err(explain(e, words_of(record))),
        }
    }
}

/// One line for a sync of `sync --watch`.
fn arrived(r: &SyncReport, first: bool, w: &Texts) -> String {
    if first {
        return w.get("watch-start", &[("cursor", r.cursor.to_string())]);
    }
    let n = |v: u64| v.to_string();
    let mut parts = Vec::new();
    if r.applied > 0 {
        parts.push(w.get(
            "watch-arrived",
            &[
                ("applied", n(r.applied)),
                ("added", n(r.added)),
                ("updated", n(r.updated)),
                ("deleted", n(r.deleted)),
            ],
        ));
    }
    if r.alerts_raised > 0 {
        parts.push(w.get("watch-alerts", &[("n", n(r.alerts_raised))]));
    }
    if r.membership > 0 {
        parts.push(w.get("watch-membership", &[("n", n(r.membership))]));
    }
    if r.pushed > 0 {
        parts.push(w.get("watch-pushed", &[("n", n(r.pushed))]));
    }
    if r.quarantined > 0 {
        parts.push(w.get("watch-quarantined", &[("n", n(r.quarantined))]));
    }
    w.get(
        "watch-line",
        &[("parts", parts.join("; ")), ("cursor", n(r.cursor))],
    )
}

fn describe(r: &SyncReport, w: &Texts) -> String {
    let n = |v: u64| v.to_string();
    w.get(
        "share-synced",
        &[
            ("pushed", n(r.pushed)),
            ("applied", n(r.applied)),
            ("snapshots", n(r.snapshots)),
            ("added", n(r.added)),
            ("updated", n(r.updated)),
            ("deleted", n(r.deleted)),
            ("alerts", n(r.alerts_raised)),
            ("quarantined", n(r.quarantined)),
            ("held", n(r.held)),
            ("cursor", n(r.cursor)),
            ("requests", n(r.requests)),
            ("sent", n(r.bytes_sent)),
            ("received", n(r.bytes_received)),
        ],
    )
}

/// `companion remove MEMBER`.
pub fn remove(
    record: &mut HealthRecord,
    member: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if member.len() < 4 {
        return usage_said("err-member-id", vec![]);
    }
    let w = words_of(record);
    record
        .remove_member(member, &mut transport()?)
        .map_err(|e| match e {
            companion_core::Error::Sync(SyncError::MembershipRefused { .. }) => {
                CliError::Failed(w.get("share-remove-unknown", &[("member", member.to_string())]))
            }
            other => explain(other, w),
        })?;
    writeln!(
        out,
        "{}",
        w.get("share-removed", &[("member", member.to_string())])
    )?;
    Ok(())
}

/// `companion leave`.
pub fn leave(record: &mut HealthRecord, out: &mut dyn Write) -> Result<(), CliError> {
    let w = words_of(record);
    record.leave(&mut transport()?).map_err(|e| match e {
        companion_core::Error::Sync(SyncError::MembershipRefused { .. }) => {
            CliError::Failed(w.text("share-last-owner"))
        }
        other => explain(other, w),
    })?;
    writeln!(out, "{}", w.text("share-left"))?;
    Ok(())
}

/// `companion members`.
pub fn members(record: &HealthRecord, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let w = words_of(record);
    let m: MembersReport = record.members().map_err(|e| explain(e, w))?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &m)?;
        writeln!(out)?;
        return Ok(());
    }
    if m.no_longer_member {
        // What it last knew of the others stays below; nothing of it is sent or received.
        writeln!(out, "{}", w.text("share-not-member"))?;
    } else {
        let line = w.get(
            "share-through",
            &[
                ("relay", m.relay.clone()),
                ("role", w.text(&format!("role-{}", m.role))),
            ],
        );
        writeln!(out, "{line}")?;
    }
    let zone = record
        .profile()
        .ok()
        .and_then(|p| companion_core::zone::Zone::named(&p.home_time_zone))
        .unwrap_or_else(companion_core::zone::Zone::utc);
    let at = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| crate::output::when(&t.with_timezone(&zone).fixed_offset()))
    };
    for member in &m.members {
        let name = member
            .name
            .clone()
            .unwrap_or_else(|| w.text("share-member-unnamed"));
        writeln!(
            out,
            "  {}{}",
            w.get(
                "share-member",
                &[
                    ("name", name),
                    ("role", w.text(&format!("role-{}", member.role))),
                    ("device", member.device.clone()),
                ],
            ),
            if member.this_device {
                w.text("share-this-device")
            } else {
                String::new()
            }
        )?;
        // Who invited them and when, as the membership log records it (entries from before
        // names and times were kept say only their log position).
        let mut how = Vec::new();
        match (&member.invited_by, at(member.invited_ms)) {
            (None, _) => {
                if let Some(t) = at(member.joined_ms) {
                    how.push(w.get("share-shared-on", &[("at", t)]));
                }
            }
            (Some(by), when) => {
                let by = member
                    .invited_by_name
                    .clone()
                    .unwrap_or_else(|| by.chars().take(8).collect());
                how.push(match when {
                    Some(t) => w.get("share-invited-on", &[("by", by), ("at", t)]),
                    None => w.get("share-invited", &[("by", by)]),
                });
                if let Some(t) = at(member.joined_ms) {
                    how.push(w.get("share-joined-on", &[("at", t)]));
                }
            }
        }
        how.push(w.get("share-since", &[("at", member.since.to_string())]));
        if let Some(r) = member.removed {
            how.push(w.get("share-removed-at", &[("at", r.to_string())]));
        }
        writeln!(out, "      {}", how.join(&w.text("share-sep")))?;
        if member.removed.is_none() {
            let may = w.text(&format!("may-{}", member.role));
            writeln!(out, "      {}", w.get("share-may", &[("may", may)]))?;
        }
    }
    // Who may still join: invites issued and not taken up.
    for invite in &m.pending_invites {
        let args = [
            (
                "name",
                invite
                    .name
                    .clone()
                    .unwrap_or_else(|| w.text("share-member-unnamed")),
            ),
            ("role", w.text(&format!("role-{}", invite.role))),
            (
                "by",
                invite
                    .invited_by_name
                    .clone()
                    .unwrap_or_else(|| invite.invited_by.chars().take(8).collect()),
            ),
            ("until", at(Some(invite.expires_ms)).unwrap_or_default()),
        ];
        writeln!(out, "  {}", w.get("share-pending-invite", &args))?;
    }
    if m.quarantined.is_empty() {
        writeln!(out, "{}", w.text("share-none-quarantined"))?;
    } else {
        writeln!(out, "{}", w.text("share-quarantined-title"))?;
        for q in &m.quarantined {
            let from = q
                .author
                .as_deref()
                .map(|a| w.get("share-from-device", &[("device", a.to_string())]))
                .unwrap_or_default();
            let line = w.get(
                "share-quarantined-item",
                &[("at", q.seq.to_string()), ("reason", q.reason.clone())],
            );
            writeln!(out, "  {line}{from}")?;
        }
    }
    if m.held > 0 {
        writeln!(
            out,
            "{}",
            w.get("share-held", &[("count", m.held.to_string())])
        )?;
        say_missing(&m.missing, w, out)?;
    }
    if !m.no_longer_member {
        writeln!(
            out,
            "{}",
            w.get("share-unsent", &[("count", m.unsent.to_string())])
        )?;
    }
    Ok(())
}
