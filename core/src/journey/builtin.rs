//! The built-in templates and questionnaires, shipped as JSON in the library and checked like
//! any clinic's (a test loads every one).

use std::sync::OnceLock;

use super::questionnaire::Questionnaire;
use super::template::{Template, TemplateError};

const TEMPLATES: &[&str] = &[
    include_str!("templates/hypertension-12w.json"),
    include_str!("templates/type2-diabetes-90d.json"),
    include_str!("templates/surgery-recovery-6w.json"),
];

const QUESTIONNAIRES: &[&str] = &[
    include_str!("questionnaires/findrisc.json"),
    include_str!("questionnaires/pain.json"),
    include_str!("questionnaires/phq2.json"),
];

/// The built-in questionnaires (FINDRISC, a pain score, PHQ-2), parsed once per process.
pub fn questionnaires() -> Result<Vec<Questionnaire>, TemplateError> {
    static PARSED: OnceLock<Result<Vec<Questionnaire>, TemplateError>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            QUESTIONNAIRES
                .iter()
                .map(|q| Questionnaire::from_json(q))
                .collect()
        })
        .clone()
}

/// The ids of the built-in questionnaires: the ones a template may name.
pub fn questionnaire_ids() -> Vec<String> {
    questionnaires()
        .map(|qs| qs.into_iter().map(|q| q.id).collect())
        .unwrap_or_default()
}

/// The built-in templates: hypertension control (12 weeks), type 2 diabetes's first 90 days,
/// recovery after surgery (6 weeks), parsed once per process.
pub fn templates() -> Result<Vec<Template>, TemplateError> {
    static PARSED: OnceLock<Result<Vec<Template>, TemplateError>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let ids = questionnaire_ids();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            TEMPLATES
                .iter()
                .map(|t| Template::from_json(t, &ids))
                .collect()
        })
        .clone()
}
