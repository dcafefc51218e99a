//! `companion serve` as a family or a clinic runs it: closed by default (new records only
//! with the creation token it prints), `--open` for anyone.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::*;

/// A relay serving on a free port: the process, its address and its printed token.
fn serve(dir: &tempfile::TempDir, open: bool) -> (Child, String, Option<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_companion"));
    cmd.arg("--db")
        .arg(dir.path().join("relay.db"))
        .args(["serve", "--listen", "127.0.0.1:0"]);
    if open {
        cmd.arg("--open");
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut token = None;
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(t) = line.strip_prefix("creation token: ") {
            token = Some(t.to_string());
        }
        if let Some(addr) = line.strip_prefix("listening on ") {
            std::thread::spawn(move || for _ in lines {});
            return (child, format!("http://{addr}"), token);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the relay printed no address");
}

#[test]
fn a_closed_relay_shares_a_record_only_with_its_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut relay, url, token) = serve(&dir, false);
    let token = token.expect("a closed relay prints its token");
    let db = init(&dir);
    refused(
        &db,
        &["invite", "--yes", "--role", "caregiver", "--relay", &url],
        1,
        "--relay-token",
    );
    let out = ok(
        &db,
        &[
            "invite",
            "--yes",
            "--role",
            "caregiver",
            "--relay",
            &url,
            "--relay-token",
            &token,
        ],
    );
    assert!(out.contains("Code:") && !out.contains(&token), "{out}");
    let members = ok(&db, &["members"]);
    assert!(
        members.contains(&url) && !members.contains(&token),
        "{members}"
    );
    relay.kill().expect("kill");
    relay.wait().expect("wait");
    // Restarted, the relay keeps its token.
    let (mut again, _, second) = serve(&dir, false);
    assert_eq!(second.as_deref(), Some(token.as_str()));
    again.kill().expect("kill");
    again.wait().expect("wait");
}

#[test]
fn an_open_relay_prints_no_token_and_takes_any_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut relay, url, token) = serve(&dir, true);
    assert_eq!(token, None);
    let db = init(&dir);
    ok(
        &db,
        &["invite", "--yes", "--role", "viewer", "--relay", &url],
    );
    relay.kill().expect("kill");
    relay.wait().expect("wait");
}

/// Runs `companion --db DB ARGS` with the device's clock moved by `offset` (faketime's
/// relative form, `+10m`).
fn with_clock(db: &std::path::Path, offset: &str, args: &[&str]) -> std::process::Output {
    Command::new("faketime")
        .arg("-f")
        .arg(offset)
        .arg(env!("CARGO_BIN_EXE_companion"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("COMPANION_DB")
        .env("COMPANION_HOME", home_of(db))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .output()
        .expect("run")
}

#[test]
fn a_device_clock_far_off_says_by_how_much_and_what_to_do() {
    if !faketime_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut relay, url, _) = serve(&dir, true);
    let db = init(&dir);
    ok(
        &db,
        &["invite", "--yes", "--role", "caregiver", "--relay", &url],
    );
    for (offset, words) in [("+12m", "12 minutes ahead"), ("-20m", "20 minutes behind")] {
        let out = with_clock(&db, offset, &["sync"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "this device's clock is {words}; set the date and time"
            )),
            "{offset}: {stderr}"
        );
        assert!(!stderr.contains("401"), "{stderr}");
    }
    // Within the relay's tolerance, it syncs.
    let out = with_clock(&db, "+2m", &["sync"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    relay.kill().expect("kill");
    relay.wait().expect("wait");
}

#[test]
fn sync_all_syncs_every_record_of_a_caregivers_device_and_names_the_urgent_alert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut relay, url, _) = serve(&dir, true);
    let (mum, dad, carer) = (
        dir.path().join("mum"),
        dir.path().join("dad"),
        dir.path().join("carer"),
    );
    on_device_ok(&mum, &["init", "--name", "Mei", "--tz", "Asia/Shanghai"]);
    on_device_ok(&dad, &["init", "--name", "Wei", "--tz", "Asia/Shanghai"]);
    for parent in [&mum, &dad] {
        on_device_ok(&carer, &["join", &invite_code(parent, "caregiver", &url)]);
    }
    let records = on_device_ok(&carer, &["records"]);
    assert!(
        records.contains("Mei  caregiver") && records.contains("Wei  caregiver"),
        "{records}"
    );
    on_device_ok(&mum, &["reading", "add", "bp", "186/122"]);
    on_device_ok(&mum, &["sync"]);
    let synced = on_device_ok(&carer, &["sync", "--all"]);
    let lines: Vec<&str> = synced.lines().collect();
    assert_eq!(lines.len(), 3, "{synced}");
    assert!(
        lines[0].starts_with("Mei: Synced: 0 change(s) sent, 1 envelope(s) applied"),
        "{synced}"
    );
    assert_eq!(
        lines[1], "  Very high blood pressure (186/122 mmHg)",
        "{synced}"
    );
    assert!(
        lines[2].starts_with("Wei: Synced: 0 change(s) sent, 0 envelope(s) applied"),
        "{synced}"
    );
    // Nothing new: no alert line again.
    let again = on_device_ok(&carer, &["sync", "--all"]);
    assert_eq!(again.lines().count(), 2, "{again}");
    relay.kill().expect("kill");
    relay.wait().expect("wait");
}

/// Mei's device at `dir/mum`, taking Metformin 500 mg at `times` (`08:00,20:00`).
fn mei_taking_metformin(dir: &tempfile::TempDir, times: &str) -> std::path::PathBuf {
    let mum = dir.path().join("mum");
    on_device_ok(&mum, &["init", "--name", "Mei", "--tz", "Asia/Shanghai"]);
    on_device_ok(
        &mum,
        &["med", "add", "Metformin", "--dose", "500 mg", "--at", times],
    );
    mum
}

/// The code of a new invite for `role` from the device at `home` (confirmed with `--yes`;
/// the first invite shares the record through `url`).
fn invite_code(home: &std::path::Path, role: &str, url: &str) -> String {
    let invite = on_device_ok(
        home,
        &["invite", "--yes", "--role", role, "--relay", url, "--json"],
    );
    let invite: serde_json::Value = serde_json::from_str(&invite).expect("json");
    invite["code"].as_str().expect("code").to_string()
}

#[test]
fn a_caregiver_chooses_what_their_device_is_told_and_the_patients_device_plans_the_patients() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut relay, url, _) = serve(&dir, true);
    let mum = mei_taking_metformin(&dir, "08:00,20:00");
    let carer = dir.path().join("carer");
    on_device_ok(&carer, &["join", &invite_code(&mum, "caregiver", &url)]);
    assert!(on_device_ok(&mum, &["notify"]).contains("the patient's own device"));
    assert!(
        on_device_ok(&carer, &["notify"])
            .contains("when a dose of Mei's is not logged 30 minutes after its time")
    );
    let reminders = on_device_ok(&carer, &["reminders", "--hours", "30"]);
    assert!(
        reminders.contains("Mei's") && reminders.contains("Metformin is not logged yet"),
        "{reminders}"
    );
    assert!(!reminders.contains("Time for Metformin"), "{reminders}");
    assert!(on_device_ok(&carer, &["notify", "--after", "45"]).contains("45 minutes"));
    assert!(on_device_ok(&carer, &["notify", "--off"]).contains("no notification"));
    let none = on_device_ok(&carer, &["reminders", "--hours", "30"]);
    assert!(!none.contains("Metformin"), "{none}");
    let out = on_device(&mum, &["notify", "--off"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    relay.kill().expect("kill");
    relay.wait().expect("wait");
}

/// Runs `companion ARGS` on the device at `home` with `answer` on standard input.
fn answering(home: &std::path::Path, args: &[&str], answer: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = device_command(home, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run companion");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(answer.as_bytes())
        .expect("answer");
    child.wait_with_output().expect("wait")
}

#[test]
fn an_invite_says_what_the_role_may_do_and_is_issued_only_on_a_yes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut relay, url, _) = serve(&dir, true);
    let (mum, carer) = (dir.path().join("mum"), dir.path().join("carer"));
    on_device_ok(&mum, &["init", "--name", "Mei", "--tz", "Asia/Shanghai"]);
    let args = [
        "invite",
        "--role",
        "caregiver",
        "--name",
        "Ana (daughter)",
        "--relay",
        &url,
    ];
    for answer in ["n\n", ""] {
        let out = answering(&mum, &args, answer);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
        assert!(
            stdout.contains("A caregiver sees everything in Mei's record")
                && stdout.contains("may not change medications"),
            "{stdout}"
        );
        assert!(stderr.contains("no invite was issued"), "{stderr}");
        assert!(!stdout.contains("Code:"), "{stdout}");
    }
    // Nothing was shared by the refusals.
    assert!(!on_device(&mum, &["members"]).status.success());
    let out = answering(&mum, &args, "y\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("For Ana (daughter)"), "{stdout}");
    let code = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Code: "))
        .expect("the code")
        .trim()
        .to_string();
    // Issued, not taken up yet: once its device has read the log back, the owner sees who
    // may still join.
    on_device_ok(&mum, &["sync"]);
    let pending = on_device_ok(&mum, &["members"]);
    assert!(
        pending.contains(
            "Invited, not joined yet: Ana (daughter) · caregiver · by Mei, valid until 20"
        ),
        "{pending}"
    );
    on_device_ok(&carer, &["join", &code, "--name", "Ana"]);
    on_device_ok(&mum, &["sync"]);
    let members = on_device_ok(&mum, &["members"]);
    assert!(!members.contains("Invited, not joined yet"), "{members}");
    assert!(members.contains("Mei · owner · device"), "{members}");
    assert!(members.contains("Ana · caregiver · device"), "{members}");
    assert!(members.contains("invited by Mei on 20"), "{members}");
    assert!(members.contains("joined on 20"), "{members}");
    assert!(
        members.contains("may: sees everything; logs readings, doses, refills"),
        "{members}"
    );
    // A name over two lines is refused before anything is sent.
    let out = on_device(
        &mum,
        &["invite", "--yes", "--role", "viewer", "--name", "A\nB"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("member name: must be one line"));
    relay.kill().expect("kill");
    relay.wait().expect("wait");
}

#[test]
fn sync_all_says_who_changed_the_medications_and_the_targets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut relay, url, _) = serve(&dir, true);
    let mum = mei_taking_metformin(&dir, "08:00");
    let clinic = dir.path().join("clinic");
    let code = invite_code(&mum, "clinician", &url);
    on_device_ok(&clinic, &["join", &code, "--name", "Dr. Lee"]);
    on_device_ok(&mum, &["sync", "--all"]);
    on_device_ok(&clinic, &["med", "edit", "Metformin", "--dose", "1000 mg"]);
    on_device_ok(
        &clinic,
        &["targets", "set", "--by", "Dr. Lee", "--bp", "130/80"],
    );
    on_device_ok(&clinic, &["sync"]);
    let synced = on_device_ok(&mum, &["sync", "--all"]);
    assert!(
        synced.contains("Medications changed by Dr. Lee (clinician): Metformin"),
        "{synced}"
    );
    assert!(
        synced.contains("Targets changed by Dr. Lee (clinician)"),
        "{synced}"
    );
    let again = on_device_ok(&mum, &["sync", "--all"]);
    assert!(!again.contains("changed by"), "{again}");
    relay.kill().expect("kill");
    relay.wait().expect("wait");
}
