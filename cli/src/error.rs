//! The command line's errors: each prints as one line on stderr.

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// The arguments were wrong; nothing was written.
    Usage(String),
    /// The core refused or failed.
    Core(companion_core::Error),
    /// A failure explained in the command line's words (which file, what to do).
    Failed(String),
    /// A message of the CLI's catalogue (`id` with `args`), worded in the record's language
    /// once it is known ([`CliError::in_words`]), in English otherwise; `usage` when the
    /// arguments were wrong (exit code 2).
    Said {
        /// The message's id.
        id: &'static str,
        /// Its arguments.
        args: Vec<(&'static str, String)>,
        /// The arguments were wrong.
        usage: bool,
    },
    /// Writing the output failed.
    Io(std::io::Error),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Usage(text) => f.write_str(text),
            // Worded for the reader by `CliError::in_words`.
            Self::Core(e) => write!(f, "{e}"),
            Self::Failed(text) => f.write_str(text),
            Self::Said { id, args, .. } => f.write_str(
                &crate::words::words(companion_core::model::Language::English).get(id, args),
            ),
            Self::Io(e) => write!(f, "output failed: {e}"),
        }
    }
}

impl CliError {
    /// The error in `w`'s language: the catalogue's messages, the refusals a patient meets
    /// most in the command line's own words (which flag to add), the core's other errors as
    /// the core words them in that language; a write failure of the output as it is.
    pub fn in_words(self, w: &companion_core::i18n::Texts) -> Self {
        use companion_core::Error as E;
        let said = |id: &str, args: &[(&str, String)]| Self::Failed(w.get(id, args));
        match self {
            Self::Said {
                id,
                mut args,
                usage,
            } => {
                for (name, value) in &mut args {
                    if *name == "field" {
                        *value = w.field(value);
                    } else if *name == "what" {
                        // What a file should have been (`companion_import::FileError`).
                        let id = format!("import-what-{}", companion_core::i18n::slug(value));
                        let said = w.get(&id, &[]);
                        if said != id {
                            *value = said;
                        }
                    }
                }
                let text = w.get(id, &args);
                if usage {
                    Self::Usage(text)
                } else {
                    Self::Failed(text)
                }
            }
            Self::Core(E::DoseLimit {
                limit,
                next_allowed,
            }) => {
                let limit = match limit {
                    companion_core::DoseLimit::DailyMaximum { max } => {
                        w.get("err-limit-daily", &[("max", max.to_string())])
                    }
                    companion_core::DoseLimit::MinimumInterval { minutes } => {
                        w.get("err-limit-interval", &[("minutes", minutes.to_string())])
                    }
                };
                said(
                    "err-dose-limit",
                    &[
                        ("limit", limit),
                        ("next", crate::output::when(&next_allowed)),
                    ],
                )
            }
            Self::Core(E::NameTaken { .. }) => said("err-name-taken", &[]),
            Self::Core(E::NoDosePending) => said("err-no-dose-pending", &[]),
            Self::Core(E::DoseAlreadyTaken { logged_by, at }) => {
                let at = crate::output::when(&at);
                match logged_by {
                    Some(by) => said("err-already-taken-by", &[("by", by), ("at", at)]),
                    None => said("err-already-taken", &[("at", at)]),
                }
            }
            Self::Core(E::NotPermitted { collection }) => said(
                "err-not-permitted",
                &[("what", collection.replace('_', " "))],
            ),
            // Not an input the person typed wrong: what to do about the clock, alone.
            Self::Core(E::Invalid(v @ companion_core::model::ValidationError::UntrustedClock)) => {
                Self::Failed(w.validation(&v))
            }
            Self::Core(e) => Self::Failed(w.error(&e)),
            other => other,
        }
    }
}

impl From<companion_core::Error> for CliError {
    fn from(e: companion_core::Error) -> Self {
        Self::Core(e)
    }
}

impl From<companion_core::model::ValidationError> for CliError {
    fn from(e: companion_core::model::ValidationError) -> Self {
        Self::Core(e.into())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        Self::Io(e.into())
    }
}

/// A refusal of the arguments, the catalogue's message `id` with `args`.
pub fn usage_said<T>(id: &'static str, args: Vec<(&'static str, String)>) -> Result<T, CliError> {
    Err(CliError::Said {
        id,
        args,
        usage: true,
    })
}

/// A failure to open or create the record at `path`, said with the path and what to do.
pub fn record_file(path: &std::path::Path, e: companion_core::Error) -> CliError {
    use companion_core::StorageKind as K;
    let id = match e.storage_kind() {
        Some(K::ReadOnly) => "err-record-read-only",
        Some(K::CannotOpen) => "err-record-cannot-open",
        Some(K::Busy) => "err-record-busy",
        _ => return CliError::Core(e),
    };
    CliError::Said {
        id,
        args: vec![("path", path.display().to_string())],
        usage: false,
    }
}
