//! The built-in rule pack, embedded at build time from `rules/`, and lazily checked rule
//! packs in general.
//!
//! # Start-up does not grow with the pack
//!
//! `build.rs` reads every built-in rule file's index (id, metadata, and per binding the
//! framework and resource types: [`IndexedRule`], read by `rules/index.rs`) and embeds it as
//! a static table next to the file's text. At run time nothing is parsed until needed:
//! `--select` / `--ignore` work on the ids, a scan's [`RuleSet::for_graph`] looks at the
//! type keys of the resources it read and checks (parses the YAML, parses the conditions,
//! checks helpers and NIST ids, compiles regexes) only the rules that bind one of them, each
//! once per process ([`LazyPack::load`]). The other rules are in the scan's pack by id and
//! severity only, so reports count them and suppressions naming them are judged as before;
//! they cannot apply to any resource of the scan, and their texts are not even read (copying
//! each rule's metadata alone made a one-file scan 4 ms slower with 1,000 rules).
//!
//! Why not precompile the whole pack (check it at build time and embed it serialized)? The
//! loader (YAML parser, condition language, helpers, catalog) would have to move into a crate
//! `build.rs` can depend on, or a generated file would have to be checked in and kept fresh;
//! and deserializing 1,000 rules with their condition trees is itself thousands of
//! allocations at every start. Indexing at build time and checking lazily keeps one loader,
//! costs nothing per rule that a scan does not need, and keeps every diagnostic of user rule
//! files (`--rules DIR`) exactly as it was: those are still loaded and checked in full.
//!
//! A broken built-in rule is caught at build time when its index cannot be read (YAML
//! syntax, a missing field, an id that is not its file name or is taken, an unknown
//! framework, a NIST id the catalog lacks), and by this module's tests for everything else
//! (conditions, helpers): every built-in rule must load without a diagnostic and its index
//! must agree with the checked rule. Should one still fail at run time, a scan that needs it
//! reports an error diagnostic (the scan is incomplete) instead of skipping it silently.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, OnceLock};

use crate::graph::Framework;
use crate::rules::catalog::Stride;
use crate::rules::index;
use crate::rules::load::LoadedRules;
use crate::rules::model::{Rule, Severity};

pub use crate::rules::set::RuleSet;

/// Text that is static for the built-in pack and owned for packs indexed at run time.
type Text = Cow<'static, str>;
/// A list of [`Text`].
type Texts = Cow<'static, [Text]>;

/// What a rule file says about itself, read without checking it: enough for dispatch,
/// `--select` / `--ignore`, reports and suppressions. Built at build time for the built-in
/// pack, or by [`IndexedRule::read`].
#[derive(Debug, Clone)]
pub struct IndexedRule {
    path: Text,
    text: Text,
    id: Text,
    title: Text,
    problem: Text,
    severity: Text,
    stride: Texts,
    nist: Texts,
    rationale: Text,
    remediation: Text,
    references: Cow<'static, [(Text, Texts)]>,
    bindings: Cow<'static, [(Framework, Texts)]>,
    opt_in: bool,
}

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

fn owned(items: Vec<String>) -> Texts {
    Cow::Owned(items.into_iter().map(Cow::Owned).collect())
}

impl IndexedRule {
    /// Indexes the rule file `text`, shown as `path`, the way `build.rs` indexes the
    /// built-in pack. `Err` says what the index lacks; it does not check the rule (loading
    /// it does: [`LazyPack::load`]).
    pub fn read(path: String, text: String) -> Result<IndexedRule, String> {
        let entry = index::read(&text)?;
        let bindings = entry
            .bindings
            .into_iter()
            .map(|(name, types)| {
                Framework::from_name(&name)
                    .map(|f| (f, owned(types)))
                    .ok_or_else(|| format!("unknown framework `{name}`"))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(IndexedRule {
            path: Cow::Owned(path),
            text: Cow::Owned(text),
            id: Cow::Owned(entry.id),
            problem: Cow::Owned(entry.problem.unwrap_or_default()),
            title: Cow::Owned(entry.title),
            severity: Cow::Owned(entry.severity),
            stride: owned(entry.stride),
            nist: owned(entry.nist),
            rationale: Cow::Owned(entry.rationale),
            remediation: Cow::Owned(entry.remediation),
            references: Cow::Owned(
                entry
                    .references
                    .into_iter()
                    .map(|(tool, ids)| (Cow::Owned(tool), owned(ids)))
                    .collect(),
            ),
            bindings: Cow::Owned(bindings),
            opt_in: entry.opt_in,
        })
    }

    /// The rule id, as written.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The rule file, as shown in diagnostics (`rules/aws/s3/AWS-S3-001.yaml`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the rule runs only when selected by its id or a referenced id
    /// (`opt_in: true`).
    pub fn opt_in(&self) -> bool {
        self.opt_in
    }

    /// The severity, as written.
    pub fn severity(&self) -> &str {
        &self.severity
    }

    /// The rule file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the rule is reported by another stage than evaluation (it has no bindings:
    /// the suppression audit's rules), so every scan needs it.
    pub fn reported_elsewhere(&self) -> bool {
        self.bindings.is_empty()
    }

    /// Whether `applies` holds for one of the rule's bindings' framework and type patterns
    /// (a resource answers to its [`type_keys`](crate::graph::Resource::type_keys)).
    pub fn binds(&self, mut applies: impl FnMut(Framework, &str) -> bool) -> bool {
        self.bindings
            .iter()
            .any(|(f, types)| types.iter().any(|t| applies(*f, t)))
    }

    /// The rule ids `tool` has for this rule (`references: { guard: [...] }`).
    pub fn references(&self, tool: &str) -> &[Text] {
        self.references
            .iter()
            .find(|(t, _)| t == tool)
            .map_or(&[], |(_, ids)| ids)
    }

    /// Every other tool's id for this rule, of every tool.
    pub fn all_references(&self) -> impl Iterator<Item = &str> {
        self.references
            .iter()
            .flat_map(|(_, ids)| ids.iter().map(|id| id.as_ref()))
    }

    /// The rule's metadata as a [`Rule`] without bindings: what reports and suppressions
    /// need of a rule that has nothing to check in a scan. `None` when the severity or a
    /// STRIDE category is not one guardrail knows (loading the rule says where).
    pub fn summary(&self) -> Option<Rule> {
        let stride = self
            .stride
            .iter()
            .map(|s| Stride::parse(s))
            .collect::<Option<Vec<_>>>()?;
        let references: BTreeMap<String, Vec<String>> = self
            .references
            .iter()
            .map(|(tool, ids)| {
                (
                    tool.to_string(),
                    ids.iter().map(ToString::to_string).collect(),
                )
            })
            .collect();
        Some(Rule {
            id: self.id.trim().to_owned(),
            title: self.title.trim().to_owned(),
            problem: crate::rules::model::problem_or_title(self.problem.trim(), self.title.trim()),
            severity: Severity::parse(&self.severity)?,
            stride,
            nist: self.nist.iter().map(ToString::to_string).collect(),
            rationale: self.rationale.trim().to_owned(),
            remediation: self.remediation.trim().to_owned(),
            references,
            bindings: Vec::new(),
            // The only stage that reports rules without bindings.
            reported_by: self
                .reported_elsewhere()
                .then_some(crate::rules::model::ReportedBy::SuppressionAudit),
            opt_in: self.opt_in,
            path: self.path.to_string(),
        })
    }
}

/// A rule pack whose rules are checked one by one, each the first time it is needed.
#[derive(Debug)]
pub struct LazyPack {
    rules: Cow<'static, [IndexedRule]>,
    loaded: Vec<OnceLock<LoadedRules>>,
}

impl LazyPack {
    /// A pack of these indexed rules (see [`IndexedRule::read`]), none checked yet. Ids
    /// are not checked for duplicates here (the built-in pack's are, at build time).
    pub fn new(rules: impl Into<Cow<'static, [IndexedRule]>>) -> Self {
        let rules = rules.into();
        let loaded = rules.iter().map(|_| OnceLock::new()).collect();
        LazyPack { rules, loaded }
    }

    /// The built-in pack, shared by the whole process.
    pub fn builtin() -> Arc<LazyPack> {
        static PACK: LazyLock<Arc<LazyPack>> =
            LazyLock::new(|| Arc::new(LazyPack::new(BUILTIN_RULES)));
        Arc::clone(&PACK)
    }

    /// The rules' index entries, in pack order.
    pub fn rules(&self) -> &[IndexedRule] {
        &self.rules
    }

    /// Rule `index` loaded and checked (once; later calls return the same result). Its
    /// [`LoadedRules::rules`] holds the rule unless a diagnostic says why not.
    pub fn load(&self, index: usize) -> Option<&LoadedRules> {
        let rule = self.rules.get(index)?;
        let cell = self.loaded.get(index)?;
        Some(cell.get_or_init(|| {
            let mut loaded = LoadedRules::default();
            loaded.add_text(rule.path(), rule.text().to_owned());
            loaded
        }))
    }
}

/// The built-in rules, every one loaded and checked, in one [`LoadedRules`] (for listings
/// and tests: a scan checks only the rules it needs, through [`RuleSet::builtin`]). A broken
/// built-in rule is a bug in guardrail; its diagnostics are in the result like any rule
/// file's.
pub fn builtin() -> &'static LoadedRules {
    static PACK: OnceLock<LoadedRules> = OnceLock::new();
    PACK.get_or_init(|| {
        let mut loaded = LoadedRules::default();
        loaded.add_texts(
            BUILTIN_RULES
                .iter()
                .map(|r| (r.path().to_owned(), r.text().to_owned()))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

    use super::*;

    /// The CI gate for the built-in pack: every rule loads without a diagnostic, and what
    /// build.rs indexed is what the checked rule says.
    #[test]
    fn every_builtin_rule_loads_and_matches_its_index() {
        let pack = LazyPack::builtin();
        assert!(pack.rules().len() > 50);
        for (i, indexed) in pack.rules().iter().enumerate() {
            let loaded = pack.load(i).expect("in range");
            // tests/rules.rs shows the whole pack's diagnostics at their lines.
            assert!(loaded.diagnostics.is_empty(), "{}", indexed.path());
            let [rule] = loaded.rules.as_slice() else {
                panic!("{} loads no rule", indexed.path());
            };
            let summary = indexed.summary().expect("metadata parses");
            assert_eq!(summary.id, rule.id);
            assert_eq!(summary.title, rule.title);
            assert_eq!(summary.severity, rule.severity);
            assert_eq!(summary.stride, rule.stride);
            assert_eq!(summary.nist, rule.nist);
            assert_eq!(summary.rationale, rule.rationale);
            assert_eq!(summary.remediation, rule.remediation);
            assert_eq!(summary.references, rule.references);
            assert_eq!(summary.path, rule.path);
            let bound: Vec<(Framework, Vec<String>)> = rule
                .bindings
                .iter()
                .map(|b| (b.framework, b.types.iter().map(|t| t.0.clone()).collect()))
                .collect();
            let indexed_bound: Vec<(Framework, Vec<String>)> = indexed
                .bindings
                .iter()
                .map(|(f, types)| (*f, types.iter().map(ToString::to_string).collect()))
                .collect();
            assert_eq!(indexed_bound, bound, "{}", indexed.path());
        }
    }

    #[test]
    fn the_whole_pack_loads_cleanly_and_ids_are_unique() {
        let loaded = builtin();
        assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
        assert_eq!(loaded.rules.len(), BUILTIN_RULES.len());
    }

    #[test]
    fn a_rule_indexed_at_run_time_is_checked_when_loaded() {
        let text = BUILTIN_RULES[0]
            .text()
            .replace("severity:", "severity: sometimes\nx:");
        let indexed = IndexedRule::read("bad/AWS-X-001.yaml".into(), text).expect("indexes");
        assert_eq!(indexed.summary().map(|r| r.id), None);
        let pack = LazyPack::new(vec![indexed]);
        let loaded = pack.load(0).expect("in range");
        assert!(loaded.rules.is_empty());
        assert!(!loaded.diagnostics.is_empty());
        assert!(std::ptr::eq(loaded, pack.load(0).expect("in range")));
        assert!(pack.load(1).is_none());
    }

    #[test]
    fn an_index_says_what_it_lacks() {
        let missing = IndexedRule::read("x.yaml".into(), "id: A-001\n".into());
        assert_eq!(missing.err().as_deref(), Some("missing field `bindings`"));
        let framework = IndexedRule::read(
            "x.yaml".into(),
            BUILTIN_RULES[0]
                .text()
                .replace("bindings:\n", "bindings:\n  helm:\n    types: [x]\n"),
        );
        assert_eq!(framework.err().as_deref(), Some("unknown framework `helm`"));
        assert!(IndexedRule::read("x.yaml".into(), "a: [".into()).is_err());
    }
}
