//! The clinic's staff: who may sign in (names with Argon2id password hashes), their sessions,
//! and the log of who viewed or changed which patient's record.
//!
//! All of it is kept in `clinic.db` in the device directory, encrypted like a record file
//! (SQLite3 Multiple Ciphers) under a key of the device's key store (`clinic/file`): a copy of
//! the file shows neither the staff nor whom they looked at. A session is a random token the
//! browser holds in a cookie; the file keeps only its SHA-256, so a copy of the file signs no
//! one in.

use std::path::Path;
use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use companion_core::keystore::KeyStore;
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};

use crate::error::{ClinicError, Result};

/// The name of the staff file in the device directory.
pub const FILE: &str = "clinic.db";
/// The key store's name for the staff file's key.
const KEY_NAME: &str = "clinic/file";
/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::minutes(30);
/// A session ends this long after sign-in, however busy.
pub const LIFETIME: Duration = Duration::hours(12);
/// The shortest password taken.
pub const PASSWORD_MIN: usize = 10;

const MIGRATIONS: &[M<'static>] = &[M::up(
    "CREATE TABLE staff (
        name TEXT PRIMARY KEY NOT NULL,
        hash TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_sha256 BLOB PRIMARY KEY NOT NULL,
        name TEXT NOT NULL REFERENCES staff(name) ON DELETE CASCADE,
        started_at INTEGER NOT NULL,
        seen_at INTEGER NOT NULL
    );
    CREATE TABLE views (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        name TEXT NOT NULL,
        record TEXT NOT NULL,
        what TEXT NOT NULL
    );",
)];

/// One line of the access log: who did what to which record, when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct View {
    /// When.
    pub at: DateTime<Utc>,
    /// The staff member.
    pub name: String,
    /// The record's id.
    pub record: String,
    /// What they did (`list`, `patient`, `export`, `change medication`...).
    pub what: String,
}

/// The staff file, open.
pub struct Staff {
    conn: Connection,
    random: SystemRandom,
}

impl Staff {
    /// Opens (or creates) the staff file in `dir`, its key in `keys` (made on first use).
    pub fn open(dir: &Path, keys: &Arc<dyn KeyStore>) -> Result<Self> {
        let random = SystemRandom::new();
        let key = match keys.get(KEY_NAME)? {
            Some(key) if key.len() == 32 => key,
            Some(_) => return Err(ClinicError::StaffFile { reason: "bad key" }),
            None => {
                if dir.join(FILE).exists() {
                    return Err(ClinicError::StaffFile {
                        reason: "no key for the staff file",
                    });
                }
                let mut key = vec![0u8; 32];
                random.fill(&mut key).map_err(|_| ClinicError::Random)?;
                keys.put(KEY_NAME, &key)?;
                key
            }
        };
        let mut conn = Connection::open(dir.join(FILE))?;
        conn.pragma_update(None, "key", format!("x'{}'", hex::encode(&key)))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|_| ClinicError::StaffFile {
            reason: "the staff file does not open with its key",
        })?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut conn)
            .map_err(|_| ClinicError::StaffFile {
                reason: "the staff file's schema could not be brought up to date",
            })?;
        Ok(Self { conn, random })
    }

    /// Adds a staff member, or sets the password of one who exists. Refused: an empty or
    /// over-long name, a password shorter than [`PASSWORD_MIN`].
    pub fn set_user(&self, name: &str, password: &str, now: DateTime<Utc>) -> Result<()> {
        let name = checked_name(name)?;
        if password.chars().count() < PASSWORD_MIN {
            return Err(ClinicError::WeakPassword { min: PASSWORD_MIN });
        }
        let hash = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|_| ClinicError::Random)?
            .to_string();
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO staff (name, hash, added_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET hash = excluded.hash",
            params![name, hash, now.to_rfc3339()],
        )?;
        // A new password ends the sessions the old one began.
        tx.execute("DELETE FROM sessions WHERE name = ?1", [name])?;
        tx.commit()?;
        Ok(())
    }

    /// The staff members' names, sorted.
    pub fn users(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT name FROM staff ORDER BY name")?;
        let names = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(names)
    }

    /// Checks `password` and, when it is right, starts a session: returns its token (for the
    /// cookie). A wrong name and a wrong password are the same refusal, and cost the same.
    pub fn sign_in(&self, name: &str, password: &str, now: DateTime<Utc>) -> Result<String> {
        let stored: Option<String> = self
            .conn
            .query_row("SELECT hash FROM staff WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?;
        // With no such member, a hash is still checked so the answer takes as long.
        let hash = stored.clone().unwrap_or_else(|| DUMMY_HASH.to_string());
        let parsed = PasswordHash::new(&hash).map_err(|_| ClinicError::StaffFile {
            reason: "a stored password hash does not parse",
        })?;
        let good = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        if !good || stored.is_none() {
            return Err(ClinicError::SignInRefused);
        }
        let mut token = [0u8; 32];
        self.random
            .fill(&mut token)
            .map_err(|_| ClinicError::Random)?;
        let token = hex::encode(token);
        self.conn.execute(
            "INSERT INTO sessions (token_sha256, name, started_at, seen_at) VALUES (?1, ?2, ?3, ?3)",
            params![digest(&token), name, now.timestamp()],
        )?;
        Ok(token)
    }

    /// The staff member a session token belongs to, when the session is still open at `now`
    /// (and marks it seen). An expired session is deleted.
    pub fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        let tx = self.conn.unchecked_transaction()?;
        let found: Option<(String, i64, i64)> = tx
            .query_row(
                "SELECT name, started_at, seen_at FROM sessions WHERE token_sha256 = ?1",
                [digest(token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((name, started, seen)) = found else {
            return Ok(None);
        };
        let now_s = now.timestamp();
        let open = now_s - seen < IDLE.num_seconds() && now_s - started < LIFETIME.num_seconds();
        if open {
            tx.execute(
                "UPDATE sessions SET seen_at = ?2 WHERE token_sha256 = ?1",
                params![digest(token), now_s],
            )?;
        } else {
            tx.execute(
                "DELETE FROM sessions WHERE token_sha256 = ?1",
                [digest(token)],
            )?;
        }
        tx.commit()?;
        Ok(open.then_some(name))
    }

    /// Ends a session (signing out).
    pub fn sign_out(&self, token: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM sessions WHERE token_sha256 = ?1",
            [digest(token)],
        )?;
        Ok(())
    }

    /// Writes one line of the access log.
    pub fn log(&self, name: &str, record: &str, what: &str, now: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO views (at, name, record, what) VALUES (?1, ?2, ?3, ?4)",
            params![now.to_rfc3339(), name, record, what],
        )?;
        Ok(())
    }

    /// Writes one line of the access log per record of `records`, in one transaction (the
    /// list shows hundreds at once).
    pub fn log_all<'a>(
        &self,
        name: &str,
        records: impl IntoIterator<Item = &'a str>,
        what: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO views (at, name, record, what) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let at = now.to_rfc3339();
            for record in records {
                insert.execute(params![at, name, record, what])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The access log, newest first, at most `limit` lines; of one record when `record` is
    /// given.
    pub fn views(&self, record: Option<&str>, limit: u32) -> Result<Vec<View>> {
        let mut stmt = self.conn.prepare(
            "SELECT at, name, record, what FROM views
             WHERE ?1 IS NULL OR record = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![record, limit], |r| {
            let at: String = r.get(0)?;
            Ok(View {
                at: DateTime::parse_from_rfc3339(&at)
                    .map(|t| t.to_utc())
                    .unwrap_or_default(),
                name: r.get(1)?,
                record: r.get(2)?,
                what: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// An Argon2id hash of a password no one knows, checked when a name is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8tGvqO1qnfEWoRHRQwJY0DsWYk2I0Yry3bRMpIWC/3M";

fn digest(token: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

fn checked_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ClinicError::BadUserName);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use companion_core::keystore::MemoryKeyStore;

    fn staff(dir: &Path) -> (Staff, Arc<dyn KeyStore>) {
        let keys: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
        (Staff::open(dir, &keys).expect("open"), keys)
    }

    #[test]
    fn a_right_password_signs_in_and_a_wrong_one_does_not() {
        let dir = tempfile::tempdir().expect("dir");
        let (staff, _) = staff(dir.path());
        let now = Utc::now();
        staff
            .set_user("dr.lee", "correct horse battery", now)
            .expect("add");
        let token = staff
            .sign_in("dr.lee", "correct horse battery", now)
            .expect("in");
        assert_eq!(
            staff.session(&token, now).expect("s").as_deref(),
            Some("dr.lee")
        );
        assert!(matches!(
            staff.sign_in("dr.lee", "wrong horse battery", now),
            Err(ClinicError::SignInRefused)
        ));
        assert!(matches!(
            staff.sign_in("nobody", "correct horse battery", now),
            Err(ClinicError::SignInRefused)
        ));
        assert!(matches!(
            staff.set_user("nurse", "short", now),
            Err(ClinicError::WeakPassword { .. })
        ));
        assert_eq!(staff.users().expect("users"), vec!["dr.lee".to_string()]);
    }

    #[test]
    fn a_session_ends_when_idle_too_long_or_too_old_or_signed_out() {
        let dir = tempfile::tempdir().expect("dir");
        let (staff, _) = staff(dir.path());
        let t0 = Utc::now();
        staff
            .set_user("dr.lee", "correct horse battery", t0)
            .expect("add");
        let token = staff
            .sign_in("dr.lee", "correct horse battery", t0)
            .expect("in");
        // Busy every 20 minutes: open until its lifetime ends.
        let mut t = t0;
        while t - t0 < LIFETIME - Duration::minutes(20) {
            t += Duration::minutes(20);
            assert!(staff.session(&token, t).expect("s").is_some(), "at {t}");
        }
        assert!(staff.session(&token, t0 + LIFETIME).expect("s").is_none());
        let idle = staff
            .sign_in("dr.lee", "correct horse battery", t0)
            .expect("in");
        assert!(staff.session(&idle, t0 + IDLE).expect("s").is_none());
        let out = staff
            .sign_in("dr.lee", "correct horse battery", t0)
            .expect("in");
        staff.sign_out(&out).expect("out");
        assert!(staff.session(&out, t0).expect("s").is_none());
        assert!(staff.session("not a token", t0).expect("s").is_none());
    }

    #[test]
    fn the_file_holds_no_name_and_no_token_and_opens_only_with_its_key() {
        let dir = tempfile::tempdir().expect("dir");
        let (staff, keys) = staff(dir.path());
        let now = Utc::now();
        staff
            .set_user("dr.marker", "correct horse battery", now)
            .expect("add");
        let token = staff
            .sign_in("dr.marker", "correct horse battery", now)
            .expect("in");
        staff
            .log("dr.marker", "record-marker", "patient", now)
            .expect("log");
        drop(staff);
        let bytes = std::fs::read(dir.path().join(FILE)).expect("read");
        for marker in ["dr.marker", "record-marker", token.as_str(), "argon2"] {
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{marker} in the file"
            );
        }
        let reopened = Staff::open(dir.path(), &keys).expect("reopen");
        assert_eq!(reopened.views(None, 10).expect("views").len(), 1);
        let other: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::default());
        assert!(matches!(
            Staff::open(dir.path(), &other),
            Err(ClinicError::StaffFile { .. })
        ));
    }
}
