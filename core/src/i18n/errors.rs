//! The core's errors in the reader's language: a Chinese record reads its refusals in
//! Chinese, through every shell (the command line, the apps through the FFI).
//!
//! English is the errors' own `Display` text. Other languages word each variant with a
//! message `error-…` of `locales/errors-*.ftl`, and the fixed English parts an error carries
//! (a field's name, a reason, a detail) with a message whose id is that English made into a
//! slug ([`slug`]): `field "dose unit"` is `f-dose-unit`, a reason `r-…`, a detail `d-…`. A
//! test finds every such literal in the core's sources and checks that each language has it;
//! a part a catalogue lacks is shown in English rather than not at all.

use super::Texts;
use crate::Error;
use crate::crypto::CryptoError;
use crate::journey::{AnswerError, TemplateError};
use crate::model::{Language, ValidationError};
use crate::sync::SyncError;

impl Texts {
    /// `e` in this language: what was refused or failed and, where it says, what to do. Like
    /// the `Display` text it never holds a value a person entered.
    pub fn error(&self, e: &Error) -> String {
        if self.language == Language::English {
            return e.to_string();
        }
        use Error as E;
        match e {
            E::Invalid(v) => self.error_get("error-invalid", &[("why", self.validation(v))]),
            E::NotFound { entity } => {
                self.error_get("error-not-found", &[("what", self.part("w", entity))])
            }
            E::AlreadyExists { entity } => {
                self.error_get("error-already-exists", &[("what", self.part("w", entity))])
            }
            E::DoseLimit { .. } => self.error_get("error-dose-limit", &[]),
            E::DoseAlreadyTaken { .. } => self.error_get("error-dose-already-taken", &[]),
            E::NameTaken { entity } => {
                self.error_get("error-name-taken", &[("what", self.part("w", entity))])
            }
            E::NoDosePending => self.error_get("error-no-dose-pending", &[]),
            E::NotAnOccurrence { .. } => self.error_get("error-not-an-occurrence", &[]),
            E::SnoozePastNextDose { .. } => self.error_get("error-snooze-past-next-dose", &[]),
            E::NotARecord => self.error_get("error-not-a-record", &[]),
            E::NoRecord => self.error_get("error-no-record", &[]),
            E::NoKeyForRecord => self.error_get("error-no-key-for-record", &[]),
            E::WhichRecord { matching } => {
                self.error_get("error-which-record", &[("matching", matching.to_string())])
            }
            E::KeyStore(k) => self.key_store(k),
            E::RecordExists => self.error_get("error-record-exists", &[]),
            E::RecordNotEmpty => self.error_get("error-record-not-empty", &[]),
            E::QuestionnaireDeclined { questionnaire } => self.error_get(
                "error-questionnaire-declined",
                &[("questionnaire", questionnaire.clone())],
            ),
            E::SchemaTooNew { found, supported } => self.error_get(
                "error-schema-too-new",
                &[
                    ("found", found.to_string()),
                    ("supported", supported.to_string()),
                ],
            ),
            E::Storage { kind, .. } => self.error_get(
                "error-storage",
                &[(
                    "kind",
                    self.error_get(&format!("storage-{kind:?}").to_lowercase(), &[]),
                )],
            ),
            E::Migration(_) => self.error_get("error-migration", &[]),
            E::Document { doc, .. } => self.error_get("error-document", &[("doc", doc.clone())]),
            E::InvalidChanges { doc, .. } => {
                self.error_get("error-invalid-changes", &[("doc", doc.clone())])
            }
            E::OtherRecord { doc } => self.error_get("error-other-record", &[("doc", doc.clone())]),
            E::ReplicaClash { doc } => {
                self.error_get("error-replica-clash", &[("doc", doc.clone())])
            }
            E::InvalidReplicaFile { detail } => self.error_get(
                "error-invalid-replica-file",
                &[("detail", self.part("d", detail))],
            ),
            E::Io { detail, .. } => self.part("d", detail),
            E::NotPermitted { collection } => self.error_get(
                "error-not-permitted",
                &[("what", self.part("c", collection))],
            ),
            E::ChangesWaiting { doc } => {
                self.error_get("error-changes-waiting", &[("doc", doc.clone())])
            }
            E::Sync(s) => self.sync(s),
            E::InvalidDocumentId => self.error_get("error-invalid-document-id", &[]),
            E::Batch { index, source } => self.error_get(
                "error-batch",
                &[("index", index.to_string()), ("why", self.error(source))],
            ),
            E::Template(t) => self.template(t),
            E::Answer(a) => self.answer(a),
            E::Corrupt { detail } => {
                self.error_get("error-corrupt", &[("detail", self.part("d", detail))])
            }
        }
    }

    /// A key store's failure in this language.
    fn key_store(&self, k: &crate::keystore::KeyStoreError) -> String {
        use crate::keystore::KeyStoreError as K;
        match k {
            K::Unavailable { .. } => self.error_get("error-key-store-unavailable", &[]),
            K::Io { doing, .. } => self.error_get(
                "error-key-store-io",
                &[("doing", self.error_get(&format!("key-store-{doing}"), &[]))],
            ),
            K::Damaged => self.error_get("error-key-store-damaged", &[]),
        }
    }

    /// A refused value in this language (without the "invalid input" before it).
    pub fn validation(&self, v: &ValidationError) -> String {
        if self.language == Language::English {
            return v.to_string();
        }
        use ValidationError as V;
        match v {
            V::OutOfRange {
                field,
                min,
                max,
                unit,
            } => self.error_get(
                "error-out-of-range",
                &[
                    ("field", self.part("f", field)),
                    ("min", min.to_string()),
                    ("max", max.to_string()),
                    ("unit", (*unit).to_string()),
                ],
            ),
            V::DiastolicNotBelowSystolic => self.error_get("error-diastolic", &[]),
            V::Empty { field } => {
                self.error_get("error-empty", &[("field", self.part("f", field))])
            }
            V::UnknownTimeZone { field } => {
                self.error_get("error-zone", &[("field", self.part("f", field))])
            }
            V::NotOneOf { field, names } => self.error_get(
                "error-not-one-of",
                &[
                    ("field", self.part("f", field)),
                    ("names", names.join(&self.error_get("error-or", &[]))),
                ],
            ),
            V::UntrustedClock => self.error_get("error-untrusted-clock", &[]),
            V::Invalid { field, reason } => self.error_get(
                "error-field",
                &[
                    ("field", self.part("f", field)),
                    ("reason", self.part("r", reason)),
                ],
            ),
        }
    }

    fn sync(&self, s: &SyncError) -> String {
        use SyncError as S;
        match s {
            S::Malformed { what } => {
                self.error_get("error-malformed", &[("what", self.part("w", what))])
            }
            S::Crypto(c) => self.error_get(
                match c {
                    CryptoError::Random => "error-crypto-random",
                    CryptoError::Open => "error-crypto-open",
                    CryptoError::BadKey => "error-crypto-key",
                },
                &[],
            ),
            S::MembershipRefused { why } => {
                self.error_get("error-membership", &[("why", self.part("y", why))])
            }
            S::Relay { status, code } => self.error_get(
                "error-relay",
                &[("status", status.to_string()), ("code", code.clone())],
            ),
            S::ClockOff { minutes, ahead } => self.error_get(
                if *ahead {
                    "error-clock-ahead"
                } else {
                    "error-clock-behind"
                },
                &[("minutes", minutes.to_string())],
            ),
            // What the operating system's network stack said, as it said it.
            S::Unreachable { detail } => {
                self.error_get("error-unreachable", &[("detail", detail.clone())])
            }
            S::NotShared => self.error_get("error-not-shared", &[]),
            S::AlreadyShared => self.error_get("error-already-shared", &[]),
            S::NotOwner => self.error_get("error-not-owner", &[]),
            S::Invite(why) => self.error_get("error-invite", &[("why", self.part("i", why))]),
            S::ReplicaRefused { why } => {
                self.error_get("error-replica-refused", &[("why", self.part("y", why))])
            }
            S::ReplicaNotPermitted { role, collection } => self.error_get(
                "error-replica-not-permitted",
                &[
                    ("role", self.part("w", role.as_str())),
                    ("what", self.part("c", collection)),
                ],
            ),
        }
    }

    fn template(&self, t: &TemplateError) -> String {
        use TemplateError as T;
        let (path, text) = match t {
            // What the JSON parser said, as it said it.
            T::Shape { path, message } => (path, message.clone()),
            T::Empty { path } => (path, self.error_get("error-template-empty", &[])),
            T::MissingLanguage { path, language } => (
                path,
                self.error_get(
                    "error-template-language",
                    &[("language", (*language).to_string())],
                ),
            ),
            T::NoSource { path } => (path, self.error_get("error-template-source", &[])),
            T::DuplicateId { path, id } => (
                path,
                self.error_get("error-template-twice", &[("id", id.clone())]),
            ),
            T::UnknownReference { path, what, id } => (
                path,
                self.error_get(
                    "error-template-reference",
                    &[("what", self.part("w", what)), ("id", id.clone())],
                ),
            ),
            T::OutOfRange { path, reason } | T::Structure { path, reason } => {
                (path, self.part("r", reason))
            }
        };
        self.error_get("error-template", &[("path", path.clone()), ("why", text)])
    }

    fn answer(&self, a: &AnswerError) -> String {
        use AnswerError as A;
        match a {
            A::Missing {
                questionnaire,
                item,
            } => self.error_get(
                "error-answer-missing",
                &[
                    ("questionnaire", questionnaire.clone()),
                    ("item", item.clone()),
                ],
            ),
            A::Invalid {
                questionnaire,
                item,
                expected,
            } => self.error_get(
                "error-answer-invalid",
                &[
                    ("questionnaire", questionnaire.clone()),
                    ("item", item.clone()),
                    ("expected", expected.clone()),
                ],
            ),
            A::NoBands { questionnaire } => self.error_get(
                "error-answer-no-bands",
                &[("questionnaire", questionnaire.clone())],
            ),
            A::Unknown {
                questionnaire,
                item,
            } => self.error_get(
                "error-answer-unknown",
                &[
                    ("questionnaire", questionnaire.clone()),
                    ("item", item.clone()),
                ],
            ),
        }
    }

    /// A field as the core names it in English (`systolic`, `dose unit`), in this language;
    /// the name itself where the catalogue has none (a flag such as `--cycle`).
    pub fn field(&self, name: &str) -> String {
        self.part("f", name)
    }

    /// The fixed English `text` of a kind (`f` field, `r` reason, `d` detail, `w` thing,
    /// `y` why, `i` invite, `c` collection) in this language; itself when the catalogue has
    /// none.
    fn part(&self, kind: &str, text: &str) -> String {
        let id = format!("{kind}-{}", slug(text));
        let said = self.error_get(&id, &[]);
        if said == id { text.to_string() } else { said }
    }
}

/// `text` as a message id: lower-case ASCII letters and digits, every other run of characters
/// one `-`, at most 48 characters (`"dated before 1900"` is `dated-before-1900`).
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(48);
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ValidationError as V;

    /// The string literals that follow `marker` in `source` (`field: "dose unit"`).
    fn literals_after<'a>(source: &'a str, marker: &str) -> Vec<&'a str> {
        source
            .match_indices(marker)
            .filter_map(|(at, _)| {
                let rest = source[at + marker.len()..].trim_start();
                let rest = rest.strip_prefix('"')?;
                let mut escaped = false;
                let end = rest.char_indices().find(|&(_, c)| {
                    let end = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    end
                })?;
                Some(&rest[..end.0])
            })
            .collect()
    }

    /// Every fixed English part an error of the core can carry, with its kind: the literals
    /// the core's sources, and the protocol crate's, give as a field, reason, detail, thing or
    /// why (outside tests).
    fn parts() -> Vec<(&'static str, String)> {
        const MARKERS: [(&str, &str); 15] = [
            ("f", "field: "),
            ("f", "check_range("),
            ("f", "check_not_empty("),
            ("f", "check_present("),
            ("f", "parse_time_zone("),
            ("r", "reason: "),
            ("d", "detail: "),
            ("w", "what: "),
            ("w", "entity: "),
            ("y", "why: "),
            ("i", "Invite("),
            ("c", "collection: "),
            ("w", "Malformed { what: "),
            ("d", "invalid("),
            ("y", "refused("),
        ];
        let mut found = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![root.join("src"), root.join("../protocol/src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("the sources are readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("a source file");
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for (kind, marker) in MARKERS {
                    for lit in literals_after(code, marker) {
                        found.push((kind, lit.replace("\\\"", "\"")));
                    }
                }
            }
        }
        found.sort();
        found.dedup();
        found
    }

    #[test]
    fn every_fixed_part_of_an_error_is_in_the_chinese_catalogue() {
        let zh = Texts::new(Language::SimplifiedChinese);
        let parts = parts();
        assert!(
            parts.len() > 150,
            "the scan finds the literals: {}",
            parts.len()
        );
        let missing: Vec<String> = parts
            .iter()
            .map(|(kind, en)| format!("{kind}-{}", slug(en)))
            .filter(|id| zh.error_get(id, &[]) == *id)
            .collect();
        assert!(
            missing.is_empty(),
            "missing in errors-zh-Hans.ftl: {missing:#?}"
        );
    }

    #[test]
    fn a_chinese_reader_reads_no_english_words_in_an_error() {
        let zh = Texts::new(Language::SimplifiedChinese);
        let errors = [
            Error::Invalid(V::Invalid {
                field: "journal entry",
                reason: "needs a text, a mood or a symptom",
            }),
            Error::Invalid(V::Empty { field: "dose unit" }),
            Error::NotFound {
                entity: "medication",
            },
            Error::NotPermitted {
                collection: "medications".into(),
            },
            Error::Sync(SyncError::Invite("expired")),
            Error::Corrupt {
                detail: "the record key is missing",
            },
            Error::NoRecord,
            Error::NoKeyForRecord,
            Error::KeyStore(crate::keystore::KeyStoreError::Damaged),
            Error::Batch {
                index: 3,
                source: Box::new(Error::Invalid(V::DiastolicNotBelowSystolic)),
            },
        ];
        for e in &errors {
            let said = zh.error(e);
            assert!(
                !said.chars().any(|c| c.is_ascii_alphabetic()),
                "English in {said:?} for {e:?}"
            );
        }
        assert_eq!(
            zh.error(&errors[0]),
            "输入无效：日记条目：需要文字、情绪或症状"
        );
    }

    #[test]
    fn english_is_the_errors_own_text_and_a_missing_part_stays_english() {
        let en = Texts::new(Language::English);
        let e = Error::Invalid(V::Empty { field: "dose unit" });
        assert_eq!(en.error(&e), e.to_string());
        let zh = Texts::new(Language::SimplifiedChinese);
        let e = Error::Invalid(V::Empty {
            field: "a field no catalogue has",
        });
        assert_eq!(zh.error(&e), "输入无效：a field no catalogue has不能为空");
        assert_eq!(slug("dated before 1900"), "dated-before-1900");
        assert_eq!(
            slug("a fever threshold is between 37 and 40 °C"),
            "a-fever-threshold-is-between-37-and-40-c"
        );
    }
}
