//! Texts in English and Simplified Chinese, with Project Fluent (`fluent-bundle`).
//! The message files are in `locales/`; both must define every message (a test checks).

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

use crate::model::{Language, Measurement, UnitPreferences};

mod errors;

pub use errors::slug;

const EN: &str = include_str!("locales/en.ftl");
const ZH_HANS: &str = include_str!("locales/zh-Hans.ftl");
/// The errors in Chinese (in English they are the errors' own texts).
const ERRORS_ZH_HANS: &str = include_str!("locales/errors-zh-Hans.ftl");

/// A message catalogue, parsed once per process: the catalogues ship with the code, and
/// parsing one on every plan or report was 7% of planning the reminders.
type Catalogue = &'static FluentResource;

/// The bundle of the catalogue `source` (and a shell's `extra`, overriding), built once per
/// thread: gathering a catalogue's messages into a bundle was a twentieth of planning.
fn bundle(
    tag: &str,
    source: &'static str,
    extra: Option<&'static str>,
) -> std::rc::Rc<FluentBundle<Catalogue>> {
    type Built = Vec<((usize, usize), std::rc::Rc<FluentBundle<Catalogue>>)>;
    thread_local! {
        static BUILT: std::cell::RefCell<Built> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let key = (
        source.as_ptr() as usize,
        extra.map_or(0, |e| e.as_ptr() as usize),
    );
    BUILT.with_borrow_mut(|built| {
        if let Some((_, bundle)) = built.iter().find(|(k, _)| *k == key) {
            return bundle.clone();
        }
        let mut bundle = FluentBundle::new(vec![tag.parse().unwrap_or_default()]);
        let _ = bundle.add_resource(parsed(source));
        if let Some(extra) = extra {
            bundle.add_resource_overriding(parsed(extra));
        }
        bundle.set_use_isolating(false);
        let bundle = std::rc::Rc::new(bundle);
        built.push((key, bundle.clone()));
        bundle
    })
}

/// The catalogue `source`, parsed the first time it is asked for.
fn parsed(source: &'static str) -> Catalogue {
    type Parsed = Vec<((usize, usize), Catalogue)>;
    static PARSED: std::sync::Mutex<Parsed> = std::sync::Mutex::new(Vec::new());
    let key = (source.as_ptr() as usize, source.len());
    let mut all = PARSED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, catalogue)) = all.iter().find(|(k, _)| *k == key) {
        return catalogue;
    }
    // The messages ship with the code: a syntax error is caught by the tests, and a bad
    // message then shows its id rather than failing the report.
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(res, _)| res);
    // Kept for the process's life: one per catalogue the code holds.
    let catalogue: Catalogue = Box::leak(Box::new(resource));
    all.push((key, catalogue));
    catalogue
}

/// The texts of one language.
pub struct Texts {
    bundle: std::rc::Rc<FluentBundle<Catalogue>>,
    language: Language,
    /// The errors' messages, gathered the first time an error is worded (most texts never
    /// word one: a reminder plan, an alert, a report).
    errors: std::cell::OnceCell<FluentBundle<Catalogue>>,
}

impl Texts {
    /// The texts for `language`.
    pub fn new(language: Language) -> Self {
        Self::with(language, None)
    }

    /// The texts for `language`, with a shell's own catalogue (`[English, Simplified
    /// Chinese]`: the command line's words) beside the core's; a shell's message of the same
    /// id wins.
    pub fn with(language: Language, shell: Option<[&'static str; 2]>) -> Self {
        let (source, tag) = match language {
            Language::English => (EN, "en"),
            Language::SimplifiedChinese => (ZH_HANS, "zh-Hans"),
        };
        let extra = shell.map(|[en, zh]| match language {
            Language::English => en,
            Language::SimplifiedChinese => zh,
        });
        Self {
            bundle: bundle(tag, source, extra),
            language,
            errors: std::cell::OnceCell::new(),
        }
    }

    /// The language these texts are in (for texts that carry their own translations, such as
    /// a journey template's).
    pub fn language(&self) -> Language {
        self.language
    }

    /// The message `id` with `args` (`[("count", "3")]`); the id itself when missing.
    pub fn get(&self, id: &str, args: &[(&str, String)]) -> String {
        format(&self.bundle, id, args)
    }

    /// An error's message `id` (`locales/errors-*.ftl`) with `args`; the id itself when
    /// missing. English has none: an error's English is its own text.
    fn error_get(&self, id: &str, args: &[(&str, String)]) -> String {
        let bundle = self.errors.get_or_init(|| {
            let tag = match self.language {
                Language::English => "en",
                Language::SimplifiedChinese => "zh-Hans",
            };
            let mut bundle = FluentBundle::new(vec![tag.parse().unwrap_or_default()]);
            if self.language == Language::SimplifiedChinese {
                let _ = bundle.add_resource(parsed(ERRORS_ZH_HANS));
            }
            bundle.set_use_isolating(false);
            bundle
        });
        format(bundle, id, args)
    }

    /// The message `id` without arguments.
    pub fn text(&self, id: &str) -> String {
        self.get(id, &[])
    }

    /// A profile's condition as a reader of this language reads it: a coded one by its
    /// localized name, free text as typed.
    pub fn condition_name(&self, text: &str) -> String {
        match crate::model::condition::Condition::of(text) {
            Some(c) => self.text(&format!("condition-{}", c.as_str())),
            None => text.to_string(),
        }
    }

    /// What a measurement plan tells the patient: the care team's own words as typed, else its
    /// protocol's instructions in this language (empty when it has neither).
    pub fn plan_instructions(&self, plan: &crate::model::MeasurementPlan) -> String {
        match (&plan.instructions, plan.protocol) {
            (Some(own), _) => own.clone(),
            (None, Some(crate::model::MeasurementProtocol::HomeBloodPressure)) => {
                self.text("protocol-home-bp")
            }
            (None, None) => String::new(),
        }
    }

    /// A measurement plan in words: what, from when to when, at which times, and what to do.
    pub fn plan_line(&self, plan: &crate::model::MeasurementPlan) -> String {
        let last = plan.start + chrono::Days::new(u64::from(plan.days.saturating_sub(1)));
        let times: Vec<String> = plan
            .times
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect();
        let line = self.get(
            "plan-line",
            &[
                ("kind", self.text(&format!("kind-{}", plan.kind.as_str()))),
                ("from", plan.start.to_string()),
                ("to", last.to_string()),
                ("times", times.join(&self.text("plan-and"))),
            ],
        );
        let instructions = self.plan_instructions(plan);
        if instructions.is_empty() {
            line
        } else {
            self.get(
                "plan-with-instructions",
                &[("plan", line), ("instructions", instructions)],
            )
        }
    }

    /// A measurement as a reader of this language reads it, in `units`, rounded only here:
    /// `142/91 mmHg, pulse 72/min` (`142/91 mmHg，脉搏 72 次/分`), `6.2 mmol/L, fasting`.
    pub fn measurement(&self, m: &Measurement, units: &UnitPreferences) -> String {
        match *m {
            Measurement::BloodPressure {
                systolic,
                diastolic,
                pulse,
            } => {
                let mut args = vec![
                    ("sys", systolic.to_string()),
                    ("dia", diastolic.to_string()),
                ];
                match pulse {
                    Some(p) => {
                        args.push(("pulse", p.to_string()));
                        self.get("value-bp-pulse", &args)
                    }
                    None => self.get("value-bp", &args),
                }
            }
            Measurement::Glucose { mg_dl, context } => self.get(
                "value-with-context",
                &[
                    ("value", units.glucose.format(mg_dl)),
                    (
                        "context",
                        self.text(&format!("context-{}", context.as_str())),
                    ),
                ],
            ),
            Measurement::HeartRate { bpm } => self.get("value-pulse", &[("bpm", bpm.to_string())]),
            _ => m.format_in(units),
        }
    }
}

/// The message `id` of `bundle` with `args`; the id itself when missing.
fn format(bundle: &FluentBundle<Catalogue>, id: &str, args: &[(&str, String)]) -> String {
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_string();
    };
    let mut fluent_args = FluentArgs::new();
    for (k, v) in args {
        fluent_args.set(*k, FluentValue::from(v.clone()));
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&fluent_args), &mut errors)
        .into_owned()
}

/// The ids of the messages a catalogue's `source` defines, in order: a shell checks with it
/// that its catalogue says the same things in both languages.
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(id, _)| id.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coded_conditions_read_in_both_languages_and_free_text_stays() {
        use crate::model::condition::Condition;
        let zh = Texts::new(Language::SimplifiedChinese);
        let en = Texts::new(Language::English);
        assert_eq!(zh.condition_name("Type 2 diabetes"), "2型糖尿病");
        assert_eq!(zh.condition_name("hypertension"), "高血压");
        assert_eq!(en.condition_name("HTN"), "Hypertension");
        assert_eq!(zh.condition_name("gout since 2019"), "gout since 2019");
        for c in Condition::ALL {
            let id = format!("condition-{}", c.as_str());
            assert_ne!(en.text(&id), id, "{c:?} has an English name");
            assert_ne!(zh.text(&id), en.text(&id), "{c:?} is translated");
        }
    }

    fn ids(source: &str) -> Vec<String> {
        message_ids(source)
    }

    #[test]
    fn both_languages_parse_and_define_the_same_messages() {
        for source in [EN, ZH_HANS] {
            assert!(FluentResource::try_new(source.to_string()).is_ok());
        }
        assert_eq!(ids(EN), ids(ZH_HANS));
        let zh = Texts::new(Language::SimplifiedChinese);
        assert_eq!(zh.text("section-bp"), "血压");
        let en = Texts::new(Language::English);
        assert_eq!(
            en.get(
                "period-range",
                &[
                    ("from", "2026-01-01".into()),
                    ("to", "2026-03-31".into()),
                    ("days", "90".into())
                ]
            ),
            "2026-01-01 to 2026-03-31 (90 days)"
        );
        assert_eq!(en.text("no-such-message"), "no-such-message");
    }
}
