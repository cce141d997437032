//! The built-in rule pack, embedded at build time from `rules/` and loaded once per process.

use std::sync::OnceLock;

use crate::rules::load::LoadedRules;

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The built-in rules, loaded and checked once per process. A broken built-in rule is a
/// bug in guardrail; its diagnostics are in the result like any rule file's.
pub fn builtin() -> &'static LoadedRules {
    static PACK: OnceLock<LoadedRules> = OnceLock::new();
    PACK.get_or_init(|| {
        let mut loaded = LoadedRules::default();
        loaded.add_texts(
            RULE_FILES
                .iter()
                .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
                .collect(),
        );
        loaded
    })
}

/// An embedded file: its path from the repository root and its text.
pub type EmbeddedFile = (&'static str, &'static str);

/// A rule's example files for one framework.
#[derive(Debug, Default)]
pub struct Examples {
    /// Files the rule fails on (`fixtures/rules/<ID>/<framework>/fail/…`).
    pub failing: Vec<EmbeddedFile>,
    /// Files the rule passes (`…/pass/…`).
    pub passing: Vec<EmbeddedFile>,
}

/// The embedded example files of a rule for one framework.
pub fn examples(id: &str, framework: &str) -> Examples {
    let prefix = format!("fixtures/rules/{id}/{framework}/");
    let pick = |kind: &str| {
        let prefix = format!("{prefix}{kind}/");
        RULE_FIXTURES
            .iter()
            .filter(|(path, _)| path.starts_with(&prefix))
            .copied()
            .collect()
    };
    Examples {
        failing: pick("fail"),
        passing: pick("pass"),
    }
}
