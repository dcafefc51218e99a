//! The command line's words, from its catalogue (`locales/`) beside the core's, in the record's
//! language: a Chinese record reads Chinese throughout.

use companion_core::i18n::Texts;
use companion_core::model::Language;

/// The command line's catalogue: English, Simplified Chinese.
const CATALOGUE: [&str; 2] = [
    include_str!("locales/en.ftl"),
    include_str!("locales/zh-Hans.ftl"),
];

/// The command line's and the core's messages in `language`, parsed once per language (a list
/// of a thousand readings words each line with the same catalogue).
pub fn words(language: Language) -> &'static Texts {
    thread_local! {
        static PARSED: std::cell::RefCell<Vec<(Language, &'static Texts)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    PARSED.with(|parsed| {
        let mut parsed = parsed.borrow_mut();
        if let Some((_, t)) = parsed.iter().find(|(l, _)| *l == language) {
            return *t;
        }
        // At most one per language and thread, kept for the process's life.
        let t: &'static Texts = Box::leak(Box::new(Texts::with(language, Some(CATALOGUE))));
        parsed.push((language, t));
        t
    })
}

/// The system's language (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first one set): for what is
/// said before a record is open. Chinese for `zh…`, English otherwise.
pub fn system_language() -> Language {
    let tag = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    if tag.starts_with("zh") {
        Language::SimplifiedChinese
    } else {
        Language::English
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use companion_core::i18n::message_ids as ids;

    #[test]
    fn both_languages_parse_and_define_the_same_messages() {
        for source in CATALOGUE {
            assert!(fluent_syntax_ok(source));
        }
        assert_eq!(ids(CATALOGUE[0]), ids(CATALOGUE[1]));
        let zh = words(Language::SimplifiedChinese);
        assert_eq!(zh.text("ask-stored"), "已保存到记录中");
        assert_eq!(zh.text("section-bp"), "血压", "the core's messages too");
    }

    /// Every message line of `source` resolves to text (no id echoed back).
    fn fluent_syntax_ok(source: &'static str) -> bool {
        let t = Texts::with(Language::English, Some([source, source]));
        ids(source).iter().all(|id| t.get(id, &[]) != *id)
    }
}
