//! What every command needs besides its arguments: the record's profile, the output, the clock
//! in the patient's zone, and finding a medication by id or name.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset};
use companion_core::device::Device;
use companion_core::keystore::{FileKeyStore, RecordKeys};
use companion_core::model::{Medication, Profile};
use companion_core::{Error, HealthRecord, TimeRange};

use companion_core::clock::now;
use companion_core::zone::Zone;

use crate::error::{CliError, usage_said};
use crate::when::When;

/// What every command needs besides the record.
pub struct Ctx<'a> {
    pub profile: Profile,
    pub out: &'a mut dyn Write,
}

impl Ctx<'_> {
    /// The command line's and the core's words in the record's language.
    pub fn words(&self) -> &'static companion_core::i18n::Texts {
        crate::words::words(self.profile.language)
    }

    /// Writes the catalogue's message `id` with `args` as one line, in the record's language.
    pub fn say(&mut self, id: &str, args: &[(&str, String)]) -> Result<(), CliError> {
        let line = self.words().get(id, args);
        writeln!(self.out, "{line}")?;
        Ok(())
    }

    /// The record's home zone (UTC if the stored name is unknown here).
    pub fn zone(&self) -> Zone {
        Zone::named(&self.profile.home_time_zone).unwrap_or_else(Zone::utc)
    }

    /// Now, with the UTC offset of the patient's home zone; refused when the device's clock
    /// cannot be trusted (before 2000, or 2200 and later).
    pub fn now(&self) -> Result<DateTime<FixedOffset>, CliError> {
        Ok(now()?.with_timezone(&self.zone()).fixed_offset())
    }

    /// The instant a typed time names (now when none was given), read in the home zone.
    pub fn time(&self, when: Option<&When>) -> Result<DateTime<FixedOffset>, CliError> {
        match when {
            None => self.now(),
            Some(when) => when.resolve(now()?, &self.zone()).map_err(CliError::Usage),
        }
    }

    pub fn last_days(&self, days: Option<u32>) -> Result<TimeRange, CliError> {
        Ok(match days {
            Some(days) => TimeRange {
                from: Some(now()? - Duration::days(i64::from(days))),
                to: None,
            },
            None => TimeRange::ALL,
        })
    }

    pub fn json(&mut self, value: &impl serde::Serialize) -> Result<(), CliError> {
        serde_json::to_writer_pretty(&mut *self.out, value)?;
        writeln!(self.out)?;
        Ok(())
    }
}

/// The device directory: `$COMPANION_HOME`, else the platform data directory. It holds the
/// device's key store (`keys.json`) and, unless `--db` names another, the record file.
pub fn home() -> Result<PathBuf, CliError> {
    if let Some(home) = std::env::var_os("COMPANION_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    match directories::ProjectDirs::from("org", "Companion", "companion") {
        Some(dirs) => Ok(dirs.data_dir().to_path_buf()),
        None => usage_said("err-no-data-dir", vec![]),
    }
}

/// The record file: `--db`, else `$COMPANION_DB`, else `record.db` in the device directory.
pub fn db_path(given: Option<PathBuf>) -> Result<PathBuf, CliError> {
    if let Some(path) = given.or_else(|| std::env::var_os("COMPANION_DB").map(PathBuf::from)) {
        if path.as_os_str().is_empty() {
            return usage_said("err-db-empty", vec![]);
        }
        return Ok(path);
    }
    Ok(home()?.join("record.db"))
}

/// The device: the records in `$COMPANION_HOME/records`, their keys in its key store.
pub fn device() -> Result<Device, CliError> {
    let home = home()?;
    let store = FileKeyStore::open(&home).map_err(Error::from)?;
    Ok(Device::open(&home, Arc::new(store))?)
}

/// The keys of the record file at `db`, in the device directory's key store (never beside the
/// file, unless the device directory is there): named by the file for the device's own
/// records, by its path for a file given with `--db`.
pub fn record_keys(db: &Path) -> Result<RecordKeys, CliError> {
    Ok(device()?.keys_of(db))
}

/// The record file a command works on: `--db` (or `$COMPANION_DB`); else, for a command that
/// makes a record, a new file of the device; else the record `--record` names, the device
/// directory's `record.db` of earlier versions, or the device's only record.
pub fn record_path(
    given: Option<PathBuf>,
    which: Option<&str>,
    creating: bool,
) -> Result<PathBuf, CliError> {
    if given.is_some() || std::env::var_os("COMPANION_DB").is_some() {
        return db_path(given);
    }
    let device = device()?;
    if creating {
        return Ok(device.new_record_path());
    }
    let legacy = home()?.join("record.db");
    if which.is_none() && legacy.exists() {
        return Ok(legacy);
    }
    match device.find(which) {
        Err(Error::NoRecord) if which.is_none() => usage_said(
            "err-no-record-on-device",
            vec![("home", device.dir().display().to_string())],
        ),
        Err(Error::NoRecord) => usage_said(
            "err-no-such-record",
            vec![("which", which.unwrap_or_default().to_string())],
        ),
        Err(Error::WhichRecord { matching }) => {
            usage_said("err-which-record", vec![("n", matching.to_string())])
        }
        other => Ok(other?),
    }
}

/// Where `--out` writes: `path` itself, or with `follow` the file a symbolic link there points
/// to (the core refuses to write over a link, a device or a pipe).
pub fn out_path(path: PathBuf, follow: bool) -> PathBuf {
    if !follow {
        return path;
    }
    // A link to a file not yet there is written where it points, as `cp` would.
    std::fs::canonicalize(&path).unwrap_or_else(|_| match std::fs::read_link(&path) {
        Ok(to) => path.parent().map_or(to.clone(), |dir| dir.join(to)),
        Err(_) => path,
    })
}

/// The medication with this id (or a unique start of it), or the one medication with this
/// name.
pub fn find_med(record: &HealthRecord, key: &str) -> Result<Medication, CliError> {
    match record.medication(key) {
        Ok(m) => return Ok(m),
        Err(Error::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let all = record.medications(true)?;
    let mut found: Vec<Medication> = all
        .iter()
        .filter(|m| m.name.eq_ignore_ascii_case(key.trim()))
        .cloned()
        .collect();
    if found.is_empty() && key.trim().len() >= MIN_PREFIX {
        found = all
            .into_iter()
            .filter(|m| m.id.starts_with(key.trim()))
            .collect();
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => usage_said("ref-no-med", vec![]),
        _ => usage_said("ref-several-meds", vec![]),
    }
}

pub fn zone_or_home(tz: Option<String>, ctx: &Ctx<'_>) -> String {
    tz.unwrap_or_else(|| ctx.profile.home_time_zone.clone())
}

pub fn names(record: &HealthRecord) -> Result<HashMap<String, String>, CliError> {
    Ok(record
        .medications(true)?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect())
}

/// The fewest characters an id's start must have to name an entry.
pub const MIN_PREFIX: usize = 4;

/// The one entry of `items` whose id is `key` or starts with it (at least [`MIN_PREFIX`]
/// characters), as `companion remove` takes a member's id; `what` names the kind in the refusal.
pub fn by_id<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    key: &str,
    what: &str,
) -> Result<T, CliError> {
    let key = key.trim();
    let mut items = items;
    if let Some(pos) = items.iter().position(|i| id(i) == key) {
        return Ok(items.swap_remove(pos));
    }
    if key.len() < MIN_PREFIX {
        return usage_said(
            "ref-prefix-short",
            vec![("n", MIN_PREFIX.to_string()), ("what", what.to_string())],
        );
    }
    let mut found: Vec<T> = items
        .into_iter()
        .filter(|i| id(i).starts_with(key))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(CliError::Said {
            id: "ref-no-id",
            args: vec![("what", what.to_string()), ("key", key.to_string())],
            usage: false,
        }),
        _ => usage_said(
            "ref-several-ids",
            vec![("what", what.to_string()), ("key", key.to_string())],
        ),
    }
}
