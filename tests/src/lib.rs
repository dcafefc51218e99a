//! Helpers of the cross-crate scenario tests in `tests/`.
//!
//! [`RelayProcess`] starts a real relay process on loopback: the test binary itself, run again
//! with `COMPANION_SCENARIO_RELAY_DB` set, so that no helper binary has to be built. A test
//! file that starts relays has a test calling [`relay_child`] (a no-op in a normal run).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DB_VAR: &str = "COMPANION_SCENARIO_RELAY_DB";

/// When this process was started as a relay: serves until killed, never returns. Otherwise
/// returns at once.
pub fn relay_child() {
    let Ok(db) = std::env::var(DB_VAR) else {
        return;
    };
    let result = companion_server::serve("127.0.0.1:0", Path::new(&db));
    eprintln!("relay ended: {result:?}");
    std::process::exit(1);
}

/// A relay process on loopback, killed when dropped.
pub struct RelayProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The relay's database file.
    pub db: PathBuf,
    /// Where its standard error (the request log) goes.
    pub log: PathBuf,
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
        let db = dir.join("relay.db");
        let log = dir.join("relay.log");
        let exe = std::env::current_exe().expect("test binary");
        let mut child = Command::new(exe)
            .args([child_test, "--exact", "--nocapture", "--test-threads=1"])
            .env(DB_VAR, &db)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start the relay");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut url = None;
        while Instant::now() < deadline {
            match lines.next() {
                Some(Ok(line)) => {
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
            db,
            log,
        }
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
