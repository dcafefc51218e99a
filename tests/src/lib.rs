//! Helpers of the cross-crate scenario tests in `tests/`.
//!
//! [`RelayProcess`] starts a real relay process on loopback: the test binary itself, run again
//! with `COMPANION_SCENARIO_RELAY_DB` set, so that no helper binary has to be built. A test
//! file that starts relays has a test calling [`relay_child`] (a no-op in a normal run).
//!
//! The relay's backend is SQLite (a file in the test's directory) unless
//! `COMPANION_TEST_RELAY=postgres`: then each relay gets a new database on the PostgreSQL
//! server at `COMPANION_TEST_POSTGRES` (an admin URL such as
//! `postgres://postgres@127.0.0.1:54329/postgres`, which `scripts/postgres.sh start` prints).
//! `scripts/test-all.sh` runs the relay suites once on each.

pub mod proxy;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DB_VAR: &str = "COMPANION_SCENARIO_RELAY_DB";
const LISTEN_VAR: &str = "COMPANION_SCENARIO_RELAY_LISTEN";
/// A program (and its arguments, split on spaces) that the relay process is started under, for
/// a heap profile of a soak: `COMPANION_SCENARIO_RELAY_WRAPPER="heaptrack -o /tmp/relay"`.
/// [`RelayProcess::rss_kb`] and `kill` then reach the wrapper, not the relay under it.
const WRAPPER_VAR: &str = "COMPANION_SCENARIO_RELAY_WRAPPER";
/// Set (to anything) for a relay that takes new records only with its creation token; test
/// relays are open otherwise.
pub const CLOSED_VAR: &str = "COMPANION_SCENARIO_RELAY_CLOSED";

/// When this process was started as a relay: serves until killed, never returns. Otherwise
/// returns at once.
pub fn relay_child() {
    let Ok(db) = std::env::var(DB_VAR) else {
        return;
    };
    let listen = std::env::var(LISTEN_VAR).unwrap_or_else(|_| "127.0.0.1:0".into());
    let open = std::env::var_os(CLOSED_VAR).is_none();
    let result = companion_server::serve(&listen, &db, open);
    eprintln!("relay ended: {result:?}");
    std::process::exit(1);
}

/// Whether the relays of this run use PostgreSQL (`COMPANION_TEST_RELAY=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("COMPANION_TEST_RELAY").as_deref() == Ok("postgres")
}

/// The PostgreSQL admin URL of this run (`COMPANION_TEST_POSTGRES`), if one is given.
pub fn postgres_admin() -> Option<String> {
    std::env::var("COMPANION_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A new, empty database on the test PostgreSQL server; its URL.
pub fn new_postgres_database(admin: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "relay_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut client =
        postgres::Client::connect(admin, postgres::NoTls).expect("connect to the test PostgreSQL");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create a test database");
    let (base, _) = admin
        .rsplit_once('/')
        .expect("an admin URL with a database");
    format!("{base}/{name}")
}

/// The relay database for a test in `dir`: a SQLite file there, or a new PostgreSQL database
/// when the run is on PostgreSQL.
pub fn relay_db(dir: &Path) -> String {
    if on_postgres() {
        let admin = postgres_admin()
            .expect("COMPANION_TEST_RELAY=postgres needs COMPANION_TEST_POSTGRES (an admin URL)");
        new_postgres_database(&admin)
    } else {
        dir.join("relay.db").to_string_lossy().into_owned()
    }
}

/// A relay process on loopback, killed when dropped.
pub struct RelayProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The relay's database: a file's path or a `postgres://` URL.
    pub db: String,
    /// Where its standard error (the request log) goes.
    pub log: PathBuf,
    /// Its creation token, when it runs closed ([`CLOSED_VAR`]).
    pub token: Option<String>,
    child_test: String,
}

impl RelayProcess {
    /// Starts the test binary as a relay with its database in `dir`, running only the test
    /// named `child_test` (the one calling [`relay_child`]).
    pub fn start(dir: &Path, child_test: &str) -> Self {
        Self::start_with(dir, child_test, &[])
    }

    /// [`RelayProcess::start`] with environment variables for the relay
    /// (`COMPANION_RELAY_PAGE_ITEMS`).
    pub fn start_with(dir: &Path, child_test: &str, env: &[(&str, &str)]) -> Self {
        Self::start_on(
            &relay_db(dir),
            &dir.join("relay.log"),
            "127.0.0.1:0",
            child_test,
            env,
        )
    }

    /// A relay over the database `db` (another relay's, to run two over one PostgreSQL, or
    /// to restart one), listening on `listen`, logging to `log` (appended to).
    pub fn start_on(
        db: &str,
        log: &Path,
        listen: &str,
        child_test: &str,
        env: &[(&str, &str)],
    ) -> Self {
        let exe = std::env::current_exe().expect("test binary");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let wrapper = std::env::var(WRAPPER_VAR).unwrap_or_default();
        let mut wrapper = wrapper.split_whitespace();
        let mut command = match wrapper.next() {
            Some(program) => {
                let mut c = Command::new(program);
                c.args(wrapper).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        let mut child = command
            .args([child_test, "--exact", "--nocapture", "--test-threads=1"])
            .env(DB_VAR, db)
            .env(LISTEN_VAR, listen)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("start the relay");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut url = None;
        let mut token = None;
        while Instant::now() < deadline {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some((_, t)) = line.split_once("creation token: ") {
                        token = Some(t.trim().to_string());
                    }
                    // The harness may print "test relay_child ... " before it on the line.
                    if let Some((_, addr)) = line.split_once("listening on ") {
                        url = Some(format!("http://{}", addr.trim()));
                        break;
                    }
                }
                _ => break,
            }
        }
        let url = url.expect("the relay printed its address");
        // Keep draining stdout so the relay never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self {
            child,
            url,
            db: db.to_string(),
            log: log.to_path_buf(),
            token,
            child_test: child_test.to_string(),
        }
    }

    /// A second relay process over the same database (logging to `log`), on a port of its
    /// own: two relay processes serving one record.
    pub fn another(&self, log: &Path) -> Self {
        Self::start_on(&self.db, log, "127.0.0.1:0", &self.child_test, &[])
    }

    /// The relay process's resident memory, in kilobytes (Linux's `/proc`), if it can be read.
    pub fn rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// The address the relay listens on (`127.0.0.1:PORT`).
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Kills the relay at once (no graceful shutdown), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the relay again on the same database and address after [`RelayProcess::kill`].
    pub fn restart(&mut self) {
        self.kill();
        let addr = self.addr().to_string();
        // The port may take a moment to be free again.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpListener::bind(&addr).is_err() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut next = Self::start_on(&self.db, &self.log, &addr, &self.child_test, &[]);
        std::mem::swap(self, &mut next);
    }

    /// Opens the relay's storage from this process (to inject or inspect what a test needs).
    pub fn storage(&self) -> Box<dyn companion_server::Storage> {
        companion_server::storage::open(&self.db).expect("open the relay's storage")
    }

    /// The stored item at `seq` of `record`'s log (read past the relay, as a test's
    /// tampering needs).
    pub fn item(&self, record: &str, seq: u64) -> Option<companion_server::storage::StoredItem> {
        let storage = self.storage();
        let mut tx = storage.begin(None).expect("begin");
        let (items, _) = tx.log(record, seq - 1, 1, 0).expect("log");
        items.into_iter().find(|i| i.seq == seq)
    }

    /// The last `n` envelopes of `record`'s log, newest first.
    pub fn last_envelopes(&self, record: &str, n: usize) -> Vec<Vec<u8>> {
        let storage = self.storage();
        let mut tx = storage.begin(None).expect("begin");
        let (items, _) = tx.log(record, 0, usize::MAX >> 1, 0).expect("log");
        items
            .into_iter()
            .rev()
            .filter(|i| i.kind == 2)
            .take(n)
            .map(|i| i.bytes)
            .collect()
    }

    /// Appends `bytes` to `record`'s log past the relay's checks (as a compromised relay
    /// could); returns its position.
    pub fn inject(&self, record: &str, kind: u8, author: &str, bytes: &[u8]) -> u64 {
        let storage = self.storage();
        let mut tx = storage.begin(Some(record)).expect("begin");
        let digest = companion_server::storage::digest(bytes);
        let seq = tx
            .append(record, kind, author, &digest, bytes)
            .expect("inject");
        tx.commit().expect("commit");
        seq
    }

    /// A copy of the relay's database as it is now, taken while the relay runs (SQLite
    /// `VACUUM INTO`; PostgreSQL `pg_dump`), for [`RelayProcess::restore`].
    pub fn backup(&self, to: &Path) -> PathBuf {
        let file = to.to_path_buf();
        if self.db.starts_with("postgres") {
            let out = Command::new("pg_dump")
                .args(["--format=custom", "--file"])
                .arg(&file)
                .arg(&self.db)
                .output()
                .expect("run pg_dump");
            assert!(out.status.success(), "pg_dump failed");
        } else {
            let conn = rusqlite::Connection::open(&self.db).expect("relay db");
            conn.execute("VACUUM INTO ?1", [file.to_string_lossy()])
                .expect("back up the relay");
        }
        file
    }

    /// Stops the relay, puts the database back as `backup` holds it (what was written since
    /// is lost, as in a restore after a disk failure) and starts the relay again on it.
    pub fn restore(&mut self, backup: &Path) {
        self.kill();
        if self.db.starts_with("postgres") {
            let (base, name) = self.db.rsplit_once('/').expect("a database URL");
            let mut admin = postgres::Client::connect(&format!("{base}/postgres"), postgres::NoTls)
                .expect("connect");
            admin
                .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .expect("drop the database");
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create the database");
            let out = Command::new("pg_restore")
                .arg("--dbname")
                .arg(&self.db)
                .arg(backup)
                .output()
                .expect("run pg_restore");
            assert!(out.status.success(), "pg_restore failed");
        } else {
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.db));
            }
            std::fs::copy(backup, &self.db).expect("restore the relay's file");
        }
        self.restart();
    }

    /// The compaction point of `record`'s log (envelopes at or before it are only in the
    /// snapshots).
    pub fn compacted(&self, record: &str) -> u64 {
        let storage = self.storage();
        let mut tx = storage.begin(None).expect("begin");
        tx.compacted(record).expect("compacted")
    }

    /// Deletes the item at `seq` of `record`'s log past the relay (a relay withholding it).
    pub fn withhold(&self, record: &str, seq: u64) {
        let seq = i64::try_from(seq).expect("seq");
        if self.db.starts_with("postgres") {
            let mut client = postgres::Client::connect(&self.db, postgres::NoTls).expect("connect");
            client
                .execute(
                    "DELETE FROM log WHERE record = $1 AND seq = $2",
                    &[&record, &seq],
                )
                .expect("withhold");
        } else {
            let conn = rusqlite::Connection::open(&self.db).expect("relay db");
            conn.execute(
                "DELETE FROM log WHERE record = ?1 AND seq = ?2",
                rusqlite::params![record, seq],
            )
            .expect("withhold");
        }
    }

    /// Every byte the relay stored: its SQLite files; on PostgreSQL, a `pg_dump` of its
    /// database (text columns as they are) followed by every binary column raw (which the
    /// dump shows in hex).
    pub fn stored_bytes(&self) -> Vec<u8> {
        if self.db.starts_with("postgres") {
            let out = Command::new("pg_dump")
                .arg(&self.db)
                .output()
                .expect("run pg_dump");
            assert!(out.status.success(), "pg_dump failed");
            let mut all = out.stdout;
            let mut client = postgres::Client::connect(&self.db, postgres::NoTls).expect("connect");
            let rows = client
                .query(
                    "SELECT bytes FROM log UNION ALL SELECT bundle FROM invites
                     UNION ALL SELECT bytes FROM snapshots",
                    &[],
                )
                .expect("read the binary columns");
            for row in rows {
                all.extend(row.get::<_, Vec<u8>>(0));
            }
            all
        } else {
            let mut all = Vec::new();
            for suffix in ["", "-wal"] {
                if let Ok(bytes) = std::fs::read(format!("{}{suffix}", self.db)) {
                    all.extend(bytes);
                }
            }
            all
        }
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// The record-file helpers (keys, SQLite opened with the key, plaintext of an earlier version)
// are one source shared with the core's own tests.
#[path = "../../core/tests/common/files.rs"]
mod files;
pub use files::*;
