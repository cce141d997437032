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
        for (path, text) in RULE_FILES {
            loaded.add_text(path, (*text).to_owned());
        }
        loaded
    })
}

/// The embedded example files of a rule for one framework: `(path, text)` of its failing and
/// passing fixtures (`fixtures/rules/<ID>/<framework>/{fail,pass}/…`).
pub fn examples(id: &str, framework: &str) -> (Vec<(&'static str, &'static str)>, Vec<(&'static str, &'static str)>) {
    let prefix = format!("fixtures/rules/{id}/{framework}/");
    let pick = |kind: &str| {
        let prefix = format!("{prefix}{kind}/");
        RULE_FIXTURES
            .iter()
            .filter(|(path, _)| path.starts_with(&prefix))
            .copied()
            .collect()
    };
    (pick("fail"), pick("pass"))
}
