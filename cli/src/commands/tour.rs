//! `companion tour`: a scripted walk through the features on a record in a temporary directory.
//! Each step is a real command line, parsed and run exactly as if typed.

use std::io::Write;

use crate::error::CliError;

/// The steps: what the step shows, and the command line.
const STEPS: &[(&str, &[&str])] = &[
    (
        "Create a record for a patient living in Berlin",
        &["init", "--name", "Ana", "--tz", "Europe/Berlin"],
    ),
    (
        "Add her conditions",
        &[
            "profile",
            "set",
            "--condition",
            "hypertension",
            "--condition",
            "type 2 diabetes",
            "--height-cm",
            "168",
        ],
    ),
    (
        "Add metformin twice a day",
        &[
            "med",
            "add",
            "Metformin",
            "--dose",
            "500 mg",
            "--at",
            "08:00,20:00",
            "--instructions",
            "with food",
            "--inventory",
            "60",
        ],
    ),
    (
        "Add ramipril every morning, kept on Berlin time when travelling",
        &[
            "med",
            "add",
            "Ramipril",
            "--dose",
            "5 mg",
            "--at",
            "08:00",
            "--fixed-zone",
            "Europe/Berlin",
        ],
    ),
    (
        "Add paracetamol as needed: at most 4 a day, 6 hours apart",
        &[
            "med",
            "add",
            "Paracetamol",
            "--dose",
            "500 mg",
            "--as-needed",
            "--max-per-day",
            "4",
            "--min-interval-min",
            "360",
        ],
    ),
    ("List the medications", &["med", "list"]),
    (
        "Log a metformin dose as taken",
        &["dose", "take", "metformin", "--by", "Ana"],
    ),
    ("See what is due now and next", &["today"]),
    (
        "Plan the next 24 hours of notifications, as the phone does on every launch",
        &["reminders", "--hours", "24"],
    ),
    (
        "A paracetamol for a headache",
        &["dose", "take", "paracetamol"],
    ),
    (
        "Another one straight after is refused: the minimum interval is 6 hours",
        &["dose", "take", "paracetamol"],
    ),
    ("How long the metformin lasts", &["med", "supply"]),
    (
        "Adherence over the last 7 days, scheduled against actual times",
        &["adherence", "--days", "7"],
    ),
    (
        "Record a blood pressure reading the way people say it",
        &["reading", "add", "bp", "142/91", "--pulse", "72"],
    ),
    (
        "A fasting glucose in mmol/L (stored in mg/dL at full precision)",
        &[
            "reading",
            "add",
            "glucose",
            "6.2",
            "--unit",
            "mmol/L",
            "--context",
            "fasting",
        ],
    ),
    (
        "A weight in kilograms",
        &["reading", "add", "weight", "81.5kg"],
    ),
    (
        "A reading taken earlier",
        &[
            "reading",
            "add",
            "bp",
            "128/82",
            "--at",
            "2026-01-15T07:30:00+01:00",
        ],
    ),
    (
        "A typing error is refused, and nothing is stored",
        &["reading", "add", "bp", "400/91"],
    ),
    (
        "A weight with a decimal comma, as most of Europe types it",
        &["reading", "add", "weight", "81,4kg"],
    ),
    (
        "A glucose without a unit that only makes sense in the other unit is asked about, not guessed",
        &["reading", "add", "glucose", "6.2"],
    ),
    (
        "An office reading taken by the clinician, classified by the office thresholds (ESH grades)",
        &["reading", "add", "bp", "162/101", "--setting", "office"],
    ),
    (
        "A low oxygen saturation: a NEWS2 red flag, with its advice",
        &["reading", "add", "spo2", "89"],
    ),
    (
        "Half a tablet, as prescribed",
        &[
            "med",
            "add",
            "Amlodipine",
            "--dose",
            "½ tablet",
            "--at",
            "20:00",
        ],
    ),
    (
        "The targets her readings are judged by, and the guideline they come from",
        &["targets", "show"],
    ),
    (
        "List the blood pressure readings",
        &["reading", "list", "--kind", "bp"],
    ),
    (
        "Write in the journal",
        &[
            "journal",
            "add",
            "Walked 30 minutes, felt fine",
            "--mood",
            "4",
        ],
    ),
    (
        "The care journeys she can start, each a template of stages, tasks and sourced cards",
        &["journey", "list"],
    ),
    (
        "Start the 12-week blood-pressure journey",
        &["journey", "start", "hypertension-12w"],
    ),
    (
        "Read one of its education cards (each names its source)",
        &["journey", "read", "salt"],
    ),
    (
        "The diabetes risk test (FINDRISC) screens people without diabetes: hers is diagnosed, so it says so and stores nothing",
        &[
            "ask",
            "findrisc",
            "--age",
            "55-64",
            "--bmi",
            "25-30",
            "--waist",
            "middle",
            "--active",
            "yes",
            "--vegetables",
            "every-day",
            "--bp-medication",
            "yes",
            "--high-glucose",
            "no",
            "--family",
            "second-degree",
        ],
    ),
    (
        "A two-question mood screen (PHQ-2), answers given as flags, scored on the phone",
        &["ask", "phq2", "q1=1", "q2=0"],
    ),
    (
        "Book the check-up the journey asks for",
        &[
            "appointment",
            "add",
            "GP check-up",
            "--at",
            "{visit} 09:30",
            "--clinician",
            "Dr. Weber",
        ],
    ),
    (
        "Plan the home blood-pressure week before it (ESH protocol)",
        &["plan", "home-bp", "--before", "{visit}"],
    ),
    (
        "The whole day at a glance: doses, measurements, the journey's stage and tasks",
        &["today"],
    ),
    ("Where the journey stands", &["journey", "status"]),
    (
        "A dangerously high reading: the guideline's advice is shown at once and kept in the record",
        &["reading", "add", "bp", "185/121"],
    ),
    ("Statistics of the last 30 days", &["stats", "--days", "30"]),
    (
        "The urgent alerts, each with the value that raised it",
        &["alerts", "list"],
    ),
    (
        "The visit report for the doctor, in Simplified Chinese (it stays after the tour: open it in a browser)",
        &[
            "report", "--days", "30", "--out", "{report}", "--lang", "zh-Hans",
        ],
    ),
    ("Pause a medication", &["med", "pause", "paracetamol"]),
    (
        "Export everything as JSON (first lines)",
        &["export", "--json"],
    ),
];

/// The sharing steps, on a relay the tour starts on loopback: the device (`tour` is the
/// patient's record, `carer` and `clinic` the others), what the step shows, the command line.
/// `{relay}` is the relay's address, `{code}` the code the last invite printed.
const SHARING: &[(&str, &str, &[&str])] = &[
    (
        "tour",
        "Invite a family caregiver (the first invite shares the record through the relay)",
        &[
            "invite",
            "--yes",
            "--role",
            "caregiver",
            "--name",
            "Bo (son)",
            "--relay",
            "{relay}",
        ],
    ),
    (
        "carer",
        "On the caregiver's phone: join with the code (no member has to be online)",
        &["join", "{code}"],
    ),
    (
        "tour",
        "Invite the clinic",
        &[
            "invite",
            "--yes",
            "--role",
            "clinician",
            "--name",
            "Riverside Clinic",
        ],
    ),
    (
        "clinic",
        "On the clinic's machine: join",
        &["join", "{code}"],
    ),
    (
        "carer",
        "The caregiver sees the urgent reading the patient logged",
        &["alerts", "list"],
    ),
    (
        "carer",
        "The caregiver logs a reading for the patient, offline",
        &["reading", "add", "bp", "128/82", "--by", "Bo"],
    ),
    (
        "clinic",
        "The clinician moves ramipril to 07:30, offline",
        &["med", "edit", "ramipril", "--at", "07:30"],
    ),
    (
        "clinic",
        "A clinician may not write the patient's journal: refused on the device",
        &["journal", "add", "a note"],
    ),
    ("carer", "The caregiver syncs", &["sync"]),
    ("clinic", "The clinic syncs", &["sync"]),
    ("tour", "The patient's phone syncs", &["sync"]),
    (
        "tour",
        "The patient's medications, with the clinician's new time",
        &["med", "list"],
    ),
    ("carer", "The caregiver syncs again", &["sync"]),
    ("clinic", "The clinic syncs again", &["sync"]),
    (
        "clinic",
        "Every device holds the same readings",
        &["reading", "list"],
    ),
    ("tour", "The members and their roles", &["members"]),
];

/// A relay process for the tour: this same binary, `serve` on a free loopback port.
struct TourRelay {
    child: std::process::Child,
    url: String,
}

impl TourRelay {
    fn start(dir: &std::path::Path) -> Result<Self, CliError> {
        use std::io::BufRead;
        let exe = std::env::current_exe()?;
        let mut child = std::process::Command::new(exe)
            .arg("--db")
            .arg(dir.join("relay.db"))
            .args(["serve", "--listen", "127.0.0.1:0", "--open"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            std::io::BufReader::new(stdout).read_line(&mut line)?;
        }
        let Some(addr) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            return Err(CliError::Failed("the tour's relay did not start".into()));
        };
        Ok(Self {
            url: format!("http://{addr}"),
            child,
        })
    }
}

impl Drop for TourRelay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one command line on record `db`, printing it and what it printed; returns the output.
fn step(
    out: &mut dyn Write,
    n: usize,
    what: &str,
    db: &str,
    args: &[String],
) -> Result<String, CliError> {
    writeln!(out, "{n}. {what}")?;
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains(' ') {
                format!("\"{a}\"")
            } else {
                a.to_string()
            }
        })
        .collect();
    writeln!(out, "   $ companion {}", shown.join(" "))?;
    let mut argv = vec!["companion".to_string(), "--db".to_string(), db.to_string()];
    argv.extend(args.iter().cloned());
    let cli = crate::parse(argv).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut buf = Vec::new();
    let result = crate::commands::run(cli, &mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let shown = if args[0] == "export" {
        &lines[..lines.len().min(12)]
    } else {
        &lines[..]
    };
    for line in shown {
        writeln!(out, "   {line}")?;
    }
    if shown.len() < lines.len() {
        writeln!(out, "   ... ({} more lines)", lines.len() - shown.len())?;
    }
    if let Err(e) = result {
        writeln!(out, "   error: {e}")?;
    }
    writeln!(out)?;
    Ok(text)
}

/// Runs the tour, printing each step, its command line and what it printed.
pub fn run(out: &mut dyn Write) -> Result<(), CliError> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("tour.db");
    let db = db.to_string_lossy().to_string();
    writeln!(
        out,
        "Companion tour: a record in a temporary directory, removed at the end.\n"
    )?;
    // The report is written where it outlives the tour's directory.
    let report = std::env::temp_dir()
        .join("companion-tour-report.html")
        .to_string_lossy()
        .to_string();
    // The check-up two weeks ahead, so that the home week before it is still to come.
    let visit = (companion_core::clock::now()? + chrono::Duration::days(14))
        .date_naive()
        .to_string();
    for (i, (what, args)) in STEPS.iter().enumerate() {
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{report}", &report).replace("{visit}", &visit))
            .collect();
        step(out, i + 1, what, &db, &args)?;
    }
    let relay = TourRelay::start(dir.path())?;
    writeln!(
        out,
        "Sharing: a relay runs on loopback at {} (it stores only ciphertext).\n   $ companion --db relay.db serve --listen 127.0.0.1:0\n",
        relay.url
    )?;
    let mut code = String::new();
    for (i, (device, what, args)) in SHARING.iter().enumerate() {
        let path = dir.path().join(format!("{device}.db"));
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{relay}", &relay.url).replace("{code}", &code))
            .collect();
        let text = step(
            out,
            STEPS.len() + i + 1,
            what,
            &path.to_string_lossy(),
            &args,
        )?;
        if let Some(c) = text.lines().find_map(|l| l.strip_prefix("Code: ")) {
            code = c.trim().to_string();
        }
    }
    writeln!(out, "Done. Run `companion --help` for every command.")?;
    Ok(())
}
