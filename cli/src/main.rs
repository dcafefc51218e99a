//! `companion`: the command-line Companion. Keeps a patient's record in one SQLite file.
//!
//! Bad input prints one line on stderr and exits with status 2 (usage) or 1 (refused or failed),
//! with nothing written.
#![cfg_attr(not(test), warn(clippy::unwrap_used))]
// The command enums are built once per run; boxing their variants would only add noise.
#![allow(clippy::large_enum_variant)]

mod commands;
mod context;
mod error;
mod output;
mod parse;
mod schedule_args;
mod when;
mod words;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use companion_core::model::units::{GlucoseUnit, WeightUnit};
use companion_core::model::{BpSetting, Language, MealContext, MedicationForm, ReadingKind, Sex};

use error::CliError;
use schedule_args::ScheduleArgs;
use when::When;

/// The longest span a `--days` looks back over: a hundred years (a record reaches back to 1900
/// at most, and a span beyond the calendar would overflow).
const DAYS_MAX: i64 = 36_500;
/// The longest span of hours looked ahead (`reminders --hours`, an invite's life): 30 days.
const HOURS_MAX: i64 = 720;

/// Companion: a patient's health record, medications and readings, offline.
#[derive(Debug, Parser)]
#[command(name = "companion", version, about)]
pub struct Cli {
    /// The record file (default: $COMPANION_DB, else the device's record: see --record).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Which of the device's records ($COMPANION_HOME/records): the patient's name, or the
    /// record's id or a prefix of it. Not needed when the device holds one record.
    #[arg(long, global = true, value_name = "NAME-OR-ID", conflicts_with = "db")]
    record: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new record.
    Init {
        /// The patient's name.
        #[arg(long)]
        name: String,
        /// The home time zone (IANA Area/City, e.g. Europe/Berlin).
        #[arg(long)]
        tz: String,
        /// Language of texts: en or zh-Hans.
        #[arg(value_parser = parse::named::<Language>, long, default_value = "en")]
        lang: Language,
    },
    /// Show or change the patient's profile.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Medications and their schedules.
    #[command(subcommand)]
    Med(MedCommand),
    /// Log a dose taken or skipped.
    #[command(subcommand)]
    Dose(DoseCommand),
    /// Blood pressure, glucose, weight and other readings.
    #[command(subcommand)]
    Reading(ReadingCommand),
    /// The journal.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// The notifications to schedule: what the phone shell asks for on every launch.
    Reminders {
        /// From this instant (20:00, "yesterday 20:00", -2h or RFC 3339; default now).
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        from: Option<When>,
        /// For this many hours.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=HOURS_MAX), default_value_t = 48)]
        hours: u32,
        /// The phone's time zone (default: the home zone).
        #[arg(long)]
        tz: Option<String>,
        /// At most this many (the iOS limit is 64).
        #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000), default_value_t = 64)]
        max: usize,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// What this device is told about a record shared with it: with --after MINUTES, a dose
    /// not logged that long after its time and safety alerts (a caregiver's default: 30);
    /// with --off, nothing. Without either, says what it is told now.
    Notify {
        /// Be told of a dose not logged this many minutes after its time.
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=1440), conflicts_with = "off")]
        after: Option<u32>,
        /// Be told nothing about this record.
        #[arg(long)]
        off: bool,
    },
    /// The whole day at a glance: doses (taken, due, upcoming, missed), measurements due, the
    /// journeys' stage, tasks and cards, open alerts, refills, the next appointment.
    Today {
        /// The phone's time zone (default: the home zone).
        #[arg(long)]
        tz: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Care journeys: the templates, the journeys that run, their stage and tasks.
    #[command(subcommand)]
    Journey(JourneyCommand),
    /// Answer a questionnaire (findrisc, pain, phq2): interactively, or with the answers as
    /// flags (`--age 55-64 --bmi 25-30 ...`, or `age=55-64`). Scored on this device and
    /// stored in the record.
    Ask {
        /// The questionnaire.
        questionnaire: String,
        /// The answers: `--ITEM VALUE`, `--ITEM=VALUE` or `ITEM=VALUE`; `--json` for JSON.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "ANSWERS"
        )]
        answers: Vec<String>,
    },
    /// Appointments: the check-ups and tests the care team booked.
    #[command(subcommand)]
    Appointment(AppointmentCommand),
    /// Measurement plans (the home blood-pressure week before a visit).
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Adherence per medication over the last N days.
    Adherence {
        /// The last N days.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=DAYS_MAX), default_value_t = 30)]
        days: u32,
        /// The phone's time zone (default: the home zone).
        #[arg(long)]
        tz: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Statistics of the last N days: averages, trends, the home blood-pressure protocol,
    /// time in range.
    Stats {
        /// The last N days.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=DAYS_MAX), default_value_t = 30)]
        days: u32,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the visit report (one HTML file; a browser prints it to PDF).
    Report {
        /// The last N days.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=DAYS_MAX), default_value_t = 90)]
        days: u32,
        /// The file to write (a new path or a regular file).
        #[arg(long)]
        out: PathBuf,
        /// When --out is a symbolic link, write the file it points to (a link is refused
        /// otherwise).
        #[arg(long)]
        follow: bool,
        /// Language: en or zh-Hans (default: the record's).
        #[arg(value_parser = parse::named::<Language>, long)]
        lang: Option<Language>,
    },
    /// The clinical targets (set by a clinician).
    #[command(subcommand)]
    Targets(TargetsCommand),
    /// Urgent alerts raised by readings.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Create a record with realistic demo data at --db (for trying the report).
    Demo {
        /// Days of data.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3_650), default_value_t = 90)]
        days: u32,
    },
    /// Put a backup written by `export --json` into a new record at --db (created from the
    /// backup's profile), or into an empty one (refused when it holds anything but its
    /// profile). Every entry lands as it was, all or nothing. `import` is for readings from
    /// other sources.
    Restore {
        /// The backup: a file written by `companion export --json --out FILE`.
        file: PathBuf,
    },
    /// Print the whole record: everything it holds, as a backup `restore` reads.
    Export {
        /// As JSON (the only format for now).
        #[arg(long, required = true)]
        json: bool,
        /// Write it to this file instead of standard output (a new path or a regular file).
        #[arg(long)]
        out: Option<PathBuf>,
        /// When --out is a symbolic link, write the file it points to (a link is refused
        /// otherwise).
        #[arg(long, requires = "out")]
        follow: bool,
    },
    /// Check the record: the file's integrity and every index row's checksum (--full: also
    /// that the index equals a rebuild from the documents). Changes no entry; damage found
    /// stops writes until `repair`. Exits 1 when something is wrong.
    Check {
        /// Also SQLite's full integrity check and a comparison of the index with a rebuild from
        /// the documents (slower: every document is loaded).
        #[arg(long)]
        full: bool,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the index from the documents when only the index is wrong, and say what changed.
    Repair {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// A scripted walk through the features, on a record in a temporary directory.
    Tour,
    /// Replicas of the record without a network: export it, join it on a new device, merge
    /// another device's export.
    #[command(subcommand)]
    Replica(ReplicaCommand),
    /// Run a relay: it stores the shared records' encrypted logs and cannot read them. The
    /// relay's database is --db (one SQLite file, created if missing).
    Serve {
        /// The address to listen on (port 0 picks a free one; the bound address is printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Take new records from any device that reaches the relay (a family's own relay);
        /// without it, only from devices that present the creation token printed at start.
        #[arg(long)]
        open: bool,
    },
    /// Invite a caregiver, a clinician or a viewer to share this record: says what the role
    /// may see and do and asks you to confirm (or --yes), then prints the code to pass on,
    /// the QR payload, and the QR code. The first invite shares the record through --relay.
    Invite {
        /// caregiver, clinician or viewer (owner: another device of the patient's).
        #[arg(long)]
        role: String,
        /// Whom the invite is for, as the others will see them ("Ana (daughter)").
        #[arg(long)]
        name: Option<String>,
        /// Issue it without asking: you have read what the role may see and do.
        #[arg(long)]
        yes: bool,
        /// The relay's address (needed for the first invite), like http://127.0.0.1:8080.
        #[arg(long)]
        relay: Option<String>,
        /// The relay's creation token, which its operator got when it started (needed for
        /// the first invite, unless the relay runs --open; http://TOKEN@HOST:PORT works too).
        #[arg(long, requires = "relay")]
        relay_token: Option<String>,
        /// Hours the invite stays valid.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=HOURS_MAX), default_value_t = 72)]
        hours: u32,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Join a shared record with an invite code (or QR payload): --db is the new replica's
    /// file and must not hold a record; the relay's address comes from the code.
    Join {
        /// The invite code or QR payload.
        code: String,
        /// Your name, as the record's other members will see it (else the invite's).
        #[arg(long)]
        name: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Send this device's changes to the relay and apply everyone else's.
    Sync {
        /// As JSON (with --watch: one JSON object per line, one per sync).
        #[arg(long)]
        json: bool,
        /// Keep syncing: wait at the relay for news (a long poll), sync as soon as anything
        /// arrives (and every 25 seconds for this device's own changes), print what arrived.
        /// Runs until interrupted.
        #[arg(long)]
        watch: bool,
        /// With --watch: stop after this many seconds.
        #[arg(long, value_name = "SECONDS", requires = "watch")]
        r#for: Option<u64>,
        /// Sync every record of the device, and say per record what arrived (an urgent
        /// alert with its title and value).
        #[arg(long, conflicts_with_all = ["watch", "db", "record"])]
        all: bool,
    },
    /// Remove a member (the owner only): the record key changes, so the removed device reads
    /// nothing written after, and what it writes after is refused everywhere.
    Remove {
        /// The member's device id (as `companion members` prints it), or its first characters.
        member: String,
    },
    /// Leave a shared record (any member but the owner): this device gets nothing new after,
    /// and the owner's device changes the record key at its next sync.
    Leave,
    /// Encrypt the record file under a new key (kept in the device's key store): a copy of
    /// the file taken before no longer opens here. Close the app's record first.
    Rekey,
    /// Delete this device's copy of the record (its file and its keys), after asking (or
    /// --yes). Other devices that share it keep theirs; a member leaves first with `leave`.
    Forget {
        /// Delete it without asking.
        #[arg(long)]
        yes: bool,
    },
    /// The record's members and roles, and what this device quarantined.
    Members {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// The records this device holds ($COMPANION_HOME/records): id, patient, role, last sync.
    Records {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// The clinic's workspace: serve this device's records (a clinician's) to the clinic's
    /// staff in the browser, and the staff who may sign in.
    #[command(subcommand)]
    Clinic(ClinicCommand),
    /// Import readings from a file: a CSV with a header (time, kind, value, unit, context,
    /// note, id), a JSON list of the same rows, Health Connect's records as JSON, or HealthKit's
    /// export.xml (import/src/rows.rs documents the columns; import/samples/ has examples). All
    /// or nothing: a bad row is named by its line and nothing is written, unless --skip-bad.
    /// What the record already holds is not added again.
    Import {
        /// The file.
        file: PathBuf,
        /// csv, json, health-connect or healthkit (default: told from the file).
        #[arg(long)]
        format: Option<String>,
        /// Keep the good rows and write the bad ones (line, field, reason) to this file.
        #[arg(long, value_name = "FILE")]
        skip_bad: Option<PathBuf>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// FHIR R4: the record as a Bundle, or medications and readings from one.
    #[command(subcommand)]
    Fhir(FhirCommand),
}

#[derive(Debug, Subcommand)]
enum FhirCommand {
    /// Write the record as a FHIR R4 Bundle (Patient, Observations, MedicationRequests,
    /// MedicationAdministrations, AllergyIntolerances, Conditions, Appointments,
    /// QuestionnaireResponses, CarePlans) to standard output or --out.
    Export {
        /// The file to write (a new path or a regular file).
        #[arg(long)]
        out: Option<PathBuf>,
        /// When --out is a symbolic link, write the file it points to (a link is refused
        /// otherwise).
        #[arg(long, requires = "out")]
        follow: bool,
    },
    /// Read the MedicationRequests and Observations of a FHIR R4 Bundle into the record, all
    /// or nothing: anything this import does not take refuses the whole file, naming the
    /// element. What the record already holds (by identifier) is not added again.
    Import {
        /// The Bundle (JSON).
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ClinicCommand {
    /// Serve the workspace (sign-in, the patient list, patient pages, the clinician's
    /// changes) and sync the device's records in the background. Put a TLS proxy in front.
    Serve {
        /// The address to listen on (port 0 picks a free one; the bound address is printed).
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// Seconds between background syncs of every record (0: no background sync).
        #[arg(long, default_value_t = 60)]
        sync_every: u64,
        /// Mark the session cookie for plain HTTP too (trying it on this machine, without
        /// the TLS proxy): without it the browser sends the cookie over HTTPS only.
        #[arg(long)]
        plain_http: bool,
        /// The zone the list shows times in (IANA name; default UTC).
        #[arg(long)]
        tz: Option<String>,
    },
    /// The staff who may sign in.
    #[command(subcommand)]
    User(ClinicUserCommand),
    /// The access log: who viewed or changed which patient's record, newest first.
    Log {
        /// Only this record (its id, as the workspace shows it).
        #[arg(long)]
        patient: Option<String>,
        /// At most this many lines.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000), default_value_t = 100)]
        limit: u32,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ClinicUserCommand {
    /// Add a staff member, or set their password: the password is read from the first line of
    /// standard input (at least 10 characters), and is kept only as an Argon2id hash.
    Add {
        /// Their sign-in name.
        name: String,
    },
    /// The staff who may sign in.
    List,
}

#[derive(Debug, Subcommand)]
enum ReplicaCommand {
    /// Write every document of the record to one file (for a new phone, or a clinic).
    Export {
        /// The file to write (a new path or a regular file).
        #[arg(long)]
        out: PathBuf,
        /// When --out is a symbolic link, write the file it points to (a link is refused
        /// otherwise).
        #[arg(long)]
        follow: bool,
    },
    /// Make --db a new replica of the record in FILE (--db must not hold a record).
    Join {
        /// Another replica's export.
        file: PathBuf,
    },
    /// Merge another replica's export into this record; says what changed. Idempotent.
    Merge {
        /// Another replica's export.
        file: PathBuf,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TargetsCommand {
    /// Show the targets and who set them.
    Show {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change targets (a clinician's setting).
    Set {
        /// Who sets them (shown to the patient).
        #[arg(long)]
        by: String,
        /// Blood-pressure guideline: acc-aha or esh.
        #[arg(long)]
        guideline: Option<String>,
        /// Blood-pressure target, like 130/80.
        #[arg(long)]
        bp: Option<String>,
        /// Fasting and pre-meal glucose target in the record's glucose unit, like 80-130 or
        /// 4,4-7,2.
        #[arg(long)]
        pre_meal: Option<String>,
        /// Post-meal glucose: below this, in the record's glucose unit.
        #[arg(long, value_parser = parse::number)]
        post_meal: Option<parse::Number>,
        /// Fever threshold after surgery, in the record's temperature unit.
        #[arg(long, value_parser = parse::number)]
        fever: Option<parse::Number>,
        /// The NEWS2 SpO2 scale: 1, or 2 for a patient with hypercapnic respiratory failure
        /// (COPD) whose target the clinician set at 88-92 %.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
        spo2_scale: Option<u8>,
    },
}

#[derive(Debug, Subcommand)]
enum AlertsCommand {
    /// List alerts of the last N days, newest first.
    List {
        /// The last N days.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=DAYS_MAX), default_value_t = 30)]
        days: u32,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Mark an alert as seen.
    Ack {
        /// The alert's id.
        id: String,
        /// Who saw it.
        #[arg(long)]
        by: String,
    },
}

#[derive(Debug, Subcommand)]
enum ProfileCommand {
    /// Show the profile.
    Show {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change fields of the profile.
    Set(ProfileSet),
}

#[derive(Debug, Args)]
struct ProfileSet {
    /// Name.
    #[arg(long)]
    name: Option<String>,
    /// Home time zone (IANA Area/City).
    #[arg(long)]
    tz: Option<String>,
    /// Date of birth (YYYY-MM-DD).
    #[arg(long, value_parser = parse::date)]
    birth_date: Option<chrono::NaiveDate>,
    /// Sex: female, male or other.
    #[arg(value_parser = parse::named::<Sex>, long)]
    sex: Option<Sex>,
    /// Height in cm.
    #[arg(long, value_parser = parse::number)]
    height_cm: Option<parse::Number>,
    /// Add a condition (repeatable).
    #[arg(long)]
    condition: Vec<String>,
    /// Add an allergy (repeatable).
    #[arg(long)]
    allergy: Vec<String>,
    /// There are none of these: allergies, medications or conditions (repeatable; what is
    /// added later wins).
    #[arg(long, value_parser = ["allergies", "medications", "conditions"])]
    none: Vec<String>,
    /// Language: en or zh-Hans.
    #[arg(value_parser = parse::named::<Language>, long)]
    lang: Option<Language>,
    /// Glucose unit: mg/dL or mmol/L.
    #[arg(value_parser = parse::named::<GlucoseUnit>, long)]
    glucose_unit: Option<GlucoseUnit>,
    /// Weight unit: kg or lb.
    #[arg(value_parser = parse::named::<WeightUnit>, long)]
    weight_unit: Option<WeightUnit>,
}

#[derive(Debug, Subcommand)]
enum MedCommand {
    /// Add a medication with its schedule.
    Add(MedAdd),
    /// List medications.
    List {
        /// Include stopped medications.
        #[arg(long)]
        all: bool,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change a medication (its dose, schedule, instructions...).
    Edit(MedEdit),
    /// Pause a medication (no reminders until resumed).
    Pause {
        /// Medication id or name.
        med: String,
    },
    /// Resume a paused medication.
    Resume {
        /// Medication id or name.
        med: String,
    },
    /// Stop a medication for good.
    Stop {
        /// Medication id or name.
        med: String,
    },
    /// Log a refill: units added to what is on hand.
    Refill {
        /// Medication id or name.
        med: String,
        /// Units added (tablets, ml).
        #[arg(long, value_parser = parse::number)]
        amount: parse::Number,
    },
    /// What is on hand of each tracked medication and when it runs out.
    Supply {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct MedAdd {
    /// The name on the pack.
    name: String,
    /// The dose at each time, like "500 mg" or "1 tablet".
    #[arg(long)]
    dose: String,
    /// Add it although a medication of that name is in the record (a second one, really).
    #[arg(long)]
    confirm: bool,
    #[command(flatten)]
    details: MedDetails,
    #[command(flatten)]
    schedule: ScheduleArgs,
}

#[derive(Debug, Args)]
struct MedEdit {
    /// Medication id or name.
    med: String,
    /// A new name.
    #[arg(long)]
    name: Option<String>,
    /// A new dose.
    #[arg(long)]
    dose: Option<String>,
    /// Rename it although another medication has that name.
    #[arg(long)]
    confirm: bool,
    #[command(flatten)]
    details: MedDetails,
    #[command(flatten)]
    schedule: ScheduleArgs,
}

#[derive(Debug, Args)]
struct MedDetails {
    /// Strength of one unit, like "500 mg".
    #[arg(long)]
    strength: Option<String>,
    /// Form: tablet, capsule, liquid, injection, inhaler, patch, drops, topical, other.
    #[arg(value_parser = parse::named::<MedicationForm>, long)]
    form: Option<MedicationForm>,
    /// Instructions, like "with food".
    #[arg(long)]
    instructions: Option<String>,
    /// Who prescribed it.
    #[arg(long)]
    prescriber: Option<String>,
    /// First day (YYYY-MM-DD; default today).
    #[arg(long, value_parser = parse::date)]
    start: Option<chrono::NaiveDate>,
    /// Last day (YYYY-MM-DD).
    #[arg(long, value_parser = parse::date)]
    end: Option<chrono::NaiveDate>,
    /// Units on hand now (starts tracking the supply).
    #[arg(long, value_parser = parse::number)]
    inventory: Option<parse::Number>,
    /// Units one dose uses (default 1).
    #[arg(long, value_parser = parse::number)]
    units_per_dose: Option<parse::Number>,
    /// Days before running out to remind about a refill (default 3).
    #[arg(long)]
    refill_days: Option<u32>,
    /// Minutes after the scheduled time before a dose counts as missed.
    #[arg(long)]
    grace_min: Option<u32>,
}

#[derive(Debug, Subcommand)]
enum DoseCommand {
    /// Log a dose as taken.
    Take(DoseArgs),
    /// Log a dose as skipped.
    Skip(DoseArgs),
    /// Put a scheduled dose off for some minutes.
    Snooze {
        /// Medication id or name.
        med: String,
        /// The scheduled time of the dose (20:00, "yesterday 20:00", -2h or RFC 3339).
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        scheduled: When,
        /// For how many minutes.
        #[arg(long, default_value_t = 10)]
        minutes: u32,
    },
    /// Correct a logged dose: its time or its note.
    Edit {
        /// The dose's id (as `dose list` prints it), or its first characters.
        id: String,
        /// When it was really taken (20:00, "yesterday 20:00", -2h or RFC 3339).
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        at: Option<When>,
        /// A new note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Delete a dose logged by mistake.
    Delete {
        /// The dose's id (as `dose list` prints it), or its first characters.
        id: String,
    },
    /// List logged doses.
    List {
        /// Only this medication (id or name).
        med: Option<String>,
        /// The last N days.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=DAYS_MAX), default_value_t = 7)]
        days: u32,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct DoseArgs {
    /// Medication id or name.
    med: String,
    /// When (20:00, "yesterday 20:00", -2h or RFC 3339; default now).
    #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
    at: Option<When>,
    /// The scheduled time this dose answers (20:00, "yesterday 20:00", -2h or RFC 3339).
    #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
    scheduled: Option<When>,
    /// Who logged it.
    #[arg(long)]
    by: Option<String>,
    /// A note.
    #[arg(long)]
    note: Option<String>,
    /// Log it anyway: an as-needed dose beyond its limits, or a second take of a dose already
    /// logged as taken (the confirmation is recorded).
    #[arg(long)]
    confirm: bool,
    /// An extra dose, answering no scheduled time (without it, a take answers the dose due).
    #[arg(long, conflicts_with = "scheduled")]
    extra: bool,
}

#[derive(Debug, Subcommand)]
enum ReadingCommand {
    /// Store a reading: `bp 142/91 --pulse 72`, `glucose 6.2 --unit mmol/L --context fasting`,
    /// `weight 81.5kg`.
    Add(ReadingAdd),
    /// List readings, newest first.
    List {
        /// Only this kind (bp, glucose, weight, hr, spo2, temp, hba1c).
        #[arg(value_parser = parse::named::<ReadingKind>, long)]
        kind: Option<ReadingKind>,
        /// Only the last N days.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=DAYS_MAX))]
        days: Option<u32>,
        /// At most N readings (then a cursor for the next page is printed).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        limit: Option<u32>,
        /// Continue after this cursor.
        #[arg(long)]
        after: Option<String>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Correct a reading.
    Edit {
        /// The reading's id.
        id: String,
        /// A new value, typed as for `add`.
        value: Option<String>,
        #[command(flatten)]
        value_args: ValueArgs,
        /// A new time (20:00, "yesterday 20:00", -2h or RFC 3339).
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        at: Option<When>,
        /// A new note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Delete a reading (kept in the history, hidden everywhere).
    Delete {
        /// The reading's id.
        id: String,
    },
}

#[derive(Debug, Args)]
struct ReadingAdd {
    /// bp, glucose, weight, hr, spo2, temp or hba1c.
    #[arg(value_parser = parse::named::<ReadingKind>)]
    kind: ReadingKind,
    /// The value: 142/91, 6.2, 81.5kg, 180lb, 38.2, 100.4F, 97, 6.5.
    value: String,
    #[command(flatten)]
    value_args: ValueArgs,
    /// When it was taken (20:00, "yesterday 20:00", -2h or RFC 3339; default now).
    #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
    at: Option<When>,
    /// A note.
    #[arg(long)]
    note: Option<String>,
    /// Who logged it.
    #[arg(long)]
    by: Option<String>,
    /// Where a blood pressure was taken: home (default) or office (by a clinician; the
    /// office thresholds classify it).
    #[arg(long, value_parser = parse::named::<BpSetting>)]
    setting: Option<BpSetting>,
    /// A glucose from a continuous sensor reading every N minutes (5 or 15 for most).
    #[arg(long, value_name = "MINUTES")]
    sensor_minutes: Option<u16>,
}

#[derive(Debug, Args)]
struct ValueArgs {
    /// The unit of the value (mg/dL, mmol/L, kg, lb, C, F, %, mmol/mol).
    #[arg(long)]
    unit: Option<String>,
    /// Glucose meal context: fasting, before-meal, after-meal, bedtime, random.
    #[arg(long, value_parser = parse::named::<MealContext>)]
    context: Option<MealContext>,
    /// Pulse with a blood pressure reading.
    #[arg(long)]
    pulse: Option<u16>,
}

#[derive(Debug, Subcommand)]
enum JourneyCommand {
    /// The journey templates, and the journeys that run.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Start a journey on a template (`companion journey list` shows them).
    Start {
        /// The template's id (hypertension-12w, type2-diabetes-90d, surgery-recovery-6w).
        template: String,
        /// When it starts (default now).
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        at: Option<When>,
    },
    /// Where each journey stands: stage, progress, today's tasks, cards to read, milestones.
    Status {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop a journey (its history stays in the record).
    Stop {
        /// The journey's template id, or the journey's id.
        journey: String,
    },
    /// Read an education card of a journey: prints it with its source, and marks it read.
    Read {
        /// The card's id (`journey status` lists the unread ones).
        card: String,
    },
    /// Mark a task of today done (a wound check, a walk).
    Done {
        /// The task's id (`journey status` lists them).
        task: String,
        /// When (default now).
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        at: Option<When>,
    },
    /// Store a clinic's template (JSON, docs/journeys.md): checked, then shared with the record.
    Import {
        /// The template file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AppointmentCommand {
    /// Book an appointment.
    Add {
        /// What it is (`GP check-up`, `HbA1c test`).
        title: String,
        /// When (`2026-12-10 09:30`, `tomorrow 08:00`, RFC 3339).
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        at: When,
        /// With whom.
        #[arg(long)]
        clinician: Option<String>,
        /// Where.
        #[arg(long)]
        location: Option<String>,
        /// A note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Change an appointment: its time, title, clinician, place or note.
    Edit {
        /// The appointment's id (as `appointment list --json` prints it), or its first
        /// characters.
        id: String,
        /// A new time.
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        at: Option<When>,
        /// A new title.
        #[arg(long)]
        title: Option<String>,
        /// With whom.
        #[arg(long)]
        clinician: Option<String>,
        /// Where.
        #[arg(long)]
        location: Option<String>,
        /// A note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Cancel an appointment.
    Cancel {
        /// The appointment's id, or its first characters.
        id: String,
    },
    /// List appointments, soonest first (upcoming ones; --all for past ones too).
    List {
        /// Past appointments too.
        #[arg(long)]
        all: bool,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum PlanCommand {
    /// The ESH home blood-pressure week before a visit: 7 days, morning and evening, two
    /// readings each time.
    HomeBp {
        /// The visit's date (YYYY-MM-DD); the week ends the day before.
        #[arg(long, value_parser = parse::date)]
        before: chrono::NaiveDate,
    },
    /// List measurement plans.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum JournalCommand {
    /// Write an entry.
    Add {
        /// The text.
        text: String,
        /// Mood from 1 (very bad) to 5 (very good).
        #[arg(long)]
        mood: Option<u8>,
        /// A symptom (repeatable).
        #[arg(long)]
        symptom: Vec<String>,
        /// When (20:00, "yesterday 20:00", -2h or RFC 3339; default now).
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        at: Option<When>,
        /// Include it in the visit report.
        #[arg(long)]
        highlight: bool,
        /// Who writes it (default on the patient's own device: the patient's name). On a
        /// caregiver's device the entry is a caregiver's, and its mood is not the patient's.
        #[arg(long)]
        by: Option<String>,
    },
    /// Correct an entry: its text, mood or time.
    Edit {
        /// The entry's id (as `journal list` prints it), or its first characters.
        id: String,
        /// A new text.
        #[arg(long)]
        text: Option<String>,
        /// A new mood from 1 to 5.
        #[arg(long)]
        mood: Option<u8>,
        /// A new time.
        #[arg(long, value_parser = when::parse, allow_hyphen_values = true)]
        at: Option<When>,
    },
    /// Delete an entry.
    Delete {
        /// The entry's id, or its first characters.
        id: String,
    },
    /// List entries, newest first.
    List {
        /// Only the last N days.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=DAYS_MAX))]
        days: Option<u32>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = match parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{}", one_line(&e.to_string()));
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match commands::run(cli, &mut out) {
        Ok(()) => {
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        // The reader of the output went away (`companion ... | head`): the command stopped at
        // that write, what it had stored stands, and there is nobody left to tell.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = out.flush();
            eprintln!("error: {e}");
            match e {
                CliError::Usage(_) | CliError::Said { usage: true, .. } => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// The command line `args` (the program's name first), parsed. A value may be a negative
/// number (`--inventory -5`, `reading add weight -5`): it reaches the value's own check and
/// is refused for what it is, rather than taken for an unknown flag.
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    fn negatives(cmd: clap::Command) -> clap::Command {
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        names
            .into_iter()
            .fold(cmd.allow_negative_numbers(true), |cmd, name| {
                cmd.mut_subcommand(name, negatives)
            })
    }
    let matches = negatives(Cli::command()).try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// clap's message on one line: what is wrong (every argument it names) and the usage line.
fn one_line(text: &str) -> String {
    let mut what = Vec::new();
    let mut usage = None;
    for line in text.lines().map(str::trim) {
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u);
        } else if !line.is_empty() && !line.starts_with("For more information") && usage.is_none() {
            what.push(line);
        }
    }
    let what = if what.is_empty() {
        "error: invalid arguments".to_string()
    } else {
        what.join(" ")
    };
    match usage {
        Some(usage) => format!("{what} (usage: {usage}; see --help)"),
        None => format!("{what} (see companion --help)"),
    }
}
