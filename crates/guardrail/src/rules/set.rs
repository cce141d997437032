//! [`RuleSet`]: the rules a scan may run, the built-in ones still unchecked until a scan has
//! a resource they bind (see [`crate::rules::builtin`] for why).

use std::collections::HashSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::graph::{Framework, ResourceGraph};
use crate::rules::builtin::LazyPack;
use crate::rules::load::LoadedRules;
use crate::rules::model::{Rule, Severity};
use crate::scanner::{RuleErrors, rule_errors};

/// Rules in order: rules loaded in full ([`Rule`]) and rules of a [`LazyPack`], which are
/// checked only when needed. Selecting (`retain`) and severity overrides work on both
/// without checking anything.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    Rule(Box<Rule>),
    Lazy {
        pack: Arc<LazyPack>,
        index: usize,
        severity: Option<Severity>,
    },
}

/// Rule `index` of `pack`, checked, or the errors that keep it out.
fn load(pack: &LazyPack, index: usize) -> Result<Rule, RuleErrors> {
    let loaded: Option<&LoadedRules> = pack.load(index);
    match loaded {
        Some(loaded) => match (rule_errors(loaded), loaded.rules.first()) {
            (None, Some(rule)) => Ok(rule.clone()),
            (errors, _) => Err(errors.unwrap_or_else(|| RuleErrors {
                diagnostics: Vec::new(),
                files: loaded.files.clone(),
            })),
        },
        None => Err(RuleErrors {
            diagnostics: Vec::new(),
            files: Default::default(),
        }),
    }
}

impl Entry {
    fn id(&self) -> &str {
        match self {
            Entry::Rule(rule) => &rule.id,
            Entry::Lazy { pack, index, .. } => pack.rules().get(*index).map_or("", |r| r.id()),
        }
    }

    /// Other tools' ids for the rule (`CKV_AWS_20`), of every tool.
    fn references(&self) -> Vec<&str> {
        match self {
            Entry::Rule(rule) => rule
                .references
                .values()
                .flatten()
                .map(String::as_str)
                .collect(),
            Entry::Lazy { pack, index, .. } => pack
                .rules()
                .get(*index)
                .map(|r| r.all_references().collect())
                .unwrap_or_default(),
        }
    }

    /// Whether the rule runs only when selected by name (`opt_in: true`).
    fn opt_in(&self) -> bool {
        match self {
            Entry::Rule(rule) => rule.opt_in,
            Entry::Lazy { pack, index, .. } => pack.rules().get(*index).is_some_and(|r| r.opt_in()),
        }
    }

    /// The rule in full, checked.
    fn rule(&self) -> Result<Rule, RuleErrors> {
        match self {
            Entry::Rule(rule) => Ok(Rule::clone(rule)),
            Entry::Lazy {
                pack,
                index,
                severity,
            } => {
                let mut rule = load(pack, *index)?;
                rule.severity = severity.unwrap_or(rule.severity);
                Ok(rule)
            }
        }
    }

    /// The rule's metadata without its bindings, when that needs no checking.
    fn summary(&self) -> Option<Rule> {
        match self {
            Entry::Rule(_) => None,
            Entry::Lazy {
                pack,
                index,
                severity,
            } => {
                let mut rule = pack.rules().get(*index)?.summary()?;
                rule.severity = severity.unwrap_or(rule.severity);
                Some(rule)
            }
        }
    }
}

impl Entry {
    /// A rule of a lazy pack as a scan holds it when it binds none of the scan's resource
    /// types: its id and severity, nothing else (no bindings, no metadata), so the report
    /// counts it and suppressions naming it are judged as for any rule that ran, without
    /// reading the rest of its index (copying every rule's texts is what made start-up grow
    /// with the pack). `None` for a full rule, or when the severity does not read.
    fn stub(&self) -> Option<Rule> {
        let Entry::Lazy {
            pack,
            index,
            severity,
        } = self
        else {
            return None;
        };
        let indexed = pack.rules().get(*index)?;
        Some(Rule {
            id: indexed.id().to_owned(),
            title: String::new(),
            problem: String::new(),
            severity: severity.or_else(|| Severity::parse(indexed.severity()))?,
            stride: Vec::new(),
            nist: Vec::new(),
            rationale: String::new(),
            remediation: String::new(),
            references: Default::default(),
            bindings: Vec::new(),
            reported_by: None,
            opt_in: false,
            path: String::new(),
        })
    }
}

/// The first error of a rule that did not load, as one diagnostic without a span (the
/// rule file is not among a scan's files): where it is, in the message.
fn unspanned(errors: &RuleErrors, id: &str) -> Diagnostic {
    let mut out = match errors.diagnostics.first() {
        Some(first) => first.clone(),
        None => Diagnostic::error("rule::unreadable", id, format!("rule {id} does not load")),
    };
    if let Some(span) = out.span.take() {
        let at = errors.files.start_of(span);
        out.message = format!("{} (line {}, column {})", out.message, at.line, at.column);
    }
    out
}

impl RuleSet {
    /// The built-in rules, none checked yet.
    pub fn builtin() -> Self {
        Self::lazy(LazyPack::builtin())
    }

    /// Every rule of `pack`, in its order, none checked yet.
    pub fn lazy(pack: Arc<LazyPack>) -> Self {
        let entries = (0..pack.rules().len())
            .map(|index| Entry::Lazy {
                pack: Arc::clone(&pack),
                index,
                severity: None,
            })
            .collect();
        RuleSet { entries }
    }

    /// Adds a rule loaded in full.
    pub fn push(&mut self, rule: Rule) {
        self.entries.push(Entry::Rule(Box::new(rule)));
    }

    /// How many rules there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The rule ids, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(Entry::id)
    }

    /// Each rule's id with other tools' ids for it (`references:`) and whether it is opt-in,
    /// in order, without checking any rule: what `--select CKV_AWS_20` is matched against.
    pub fn names(&self) -> impl Iterator<Item = (&str, Vec<&str>, bool)> {
        self.entries
            .iter()
            .map(|e| (e.id(), e.references(), e.opt_in()))
    }

    /// Keeps the rules whose id `keep` accepts (`--select`, `--ignore`).
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.entries.retain(|e| keep(e.id()));
    }

    /// Gives rule `id` (exactly as written) this severity.
    pub fn set_severity(&mut self, id: &str, new: Severity) {
        for entry in self.entries.iter_mut().filter(|e| e.id() == id) {
            match entry {
                Entry::Rule(rule) => rule.severity = new,
                Entry::Lazy { severity, .. } => *severity = Some(new),
            }
        }
    }

    /// Every rule's metadata, without bindings for the rules not checked yet (in full for
    /// those whose metadata does not read): enough to reserve their ids, as
    /// [`LoadedRules::rules`] does before user rules load.
    pub fn summaries(&self) -> Vec<Rule> {
        self.entries
            .iter()
            .filter_map(|e| e.summary().or_else(|| e.rule().ok()))
            .collect()
    }

    /// Every rule, checked (in parallel); the errors of the first that does not load.
    pub fn to_rules(&self) -> Result<Vec<Rule>, RuleErrors> {
        self.entries.par_iter().map(Entry::rule).collect()
    }

    /// Every rule that loads, checked (in parallel); those that do not are left out.
    pub fn loaded(&self) -> Vec<Rule> {
        self.entries
            .par_iter()
            .filter_map(|e| e.rule().ok())
            .collect()
    }

    /// The rules as a scan of `graph` needs them, in order: in full (checked now, once per
    /// process) those that bind a type key of one of its resources; of the lazy rules that
    /// bind none, which cannot apply, only the id and severity (no metadata, no bindings).
    /// A rule that is needed but does not load is left out with an error diagnostic.
    pub fn for_graph(&self, graph: &ResourceGraph) -> (Vec<Rule>, Vec<Diagnostic>) {
        let keys: HashSet<(Framework, &str)> = graph
            .iter()
            .flat_map(|(_, r)| r.type_keys.iter().map(|k| (r.framework, k.as_str())))
            .collect();
        let needed = |entry: &Entry| match entry {
            Entry::Rule(_) => true,
            Entry::Lazy { pack, index, .. } => pack.rules().get(*index).is_some_and(|r| {
                r.reported_elsewhere()
                    || r.binds(|framework, pattern| keys.contains(&(framework, pattern)))
            }),
        };
        let needed: Vec<bool> = self.entries.iter().map(needed).collect();
        // Checks the needed rules in parallel (each once per process) ...
        self.entries
            .par_iter()
            .zip(&needed)
            .filter(|(_, needed)| **needed)
            .for_each(|(entry, _)| {
                if let Entry::Lazy { pack, index, .. } = entry {
                    pack.load(*index);
                }
            });
        // ... then takes them in order, without a buffer per rule of the pack.
        let mut rules = Vec::with_capacity(self.entries.len());
        let mut diagnostics = Vec::new();
        for (entry, needed) in self.entries.iter().zip(needed) {
            match (needed, entry.stub()) {
                (false, Some(stub)) => rules.push(stub),
                _ => match entry.rule() {
                    Ok(rule) => rules.push(rule),
                    Err(e) => diagnostics.push(unspanned(&e, entry.id())),
                },
            }
        }
        (rules, diagnostics)
    }
}

impl From<Vec<Rule>> for RuleSet {
    fn from(rules: Vec<Rule>) -> Self {
        RuleSet {
            entries: rules
                .into_iter()
                .map(|r| Entry::Rule(Box::new(r)))
                .collect(),
        }
    }
}

impl Extend<Rule> for RuleSet {
    fn extend<T: IntoIterator<Item = Rule>>(&mut self, rules: T) {
        self.entries
            .extend(rules.into_iter().map(|r| Entry::Rule(Box::new(r))));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

    use std::path::PathBuf;

    use super::*;
    use crate::Scanner;
    use crate::diagnostic::Severity as DiagnosticSeverity;
    use crate::rules::builtin::{IndexedRule, builtin};
    use crate::scan::{ScanOptions, build_graph};

    fn demo() -> Vec<PathBuf> {
        vec![PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/demo"
        ))]
    }

    /// A Terraform file with one S3 bucket, read.
    fn one_bucket() -> crate::scan::GraphScan {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n",
        )
        .unwrap();
        build_graph(&[dir.path().to_path_buf()], &ScanOptions::default())
    }

    /// The lazy built-in set finds exactly what the whole pack, checked up front, finds.
    #[test]
    fn lazy_and_eager_scans_agree() {
        let lazy = Scanner::builtin().unwrap().scan(&demo());
        let rules = builtin().rules.clone();
        let eager = Scanner::new(rules).scan(&demo());
        assert!(!eager.report.findings.is_empty());
        assert_eq!(lazy.report.findings, eager.report.findings);
        assert_eq!(lazy.report.summary(), eager.report.summary());
        assert_eq!(lazy.input.diagnostics, eager.input.diagnostics);
    }

    #[test]
    fn a_scan_checks_only_the_rules_its_resources_need() {
        let scan = one_bucket();
        let set = RuleSet::builtin();
        let (rules, problems) = set.for_graph(&scan.graph);
        assert!(problems.is_empty());
        assert_eq!(rules.len(), set.len());
        for (rule, indexed) in rules.iter().zip(LazyPack::builtin().rules()) {
            let needed = indexed.binds(|f, t| f == Framework::Terraform && t == "aws_s3_bucket");
            assert_eq!(!rule.bindings.is_empty(), needed, "{}", rule.id);
            assert_eq!(rule.id, indexed.id());
        }
        assert!(rules.iter().any(|r| !r.bindings.is_empty()));
    }

    #[test]
    fn selection_and_severities_need_no_checking() {
        let mut set = RuleSet::builtin();
        set.retain(|id| id.starts_with("AWS-S3-") || id.starts_with("GEN-"));
        assert!(
            set.ids()
                .all(|id| id.starts_with("AWS-S3-") || id.starts_with("GEN-"))
        );
        set.set_severity("AWS-S3-001", Severity::Info);
        let all = set.to_rules().unwrap();
        let rule = all.iter().find(|r| r.id == "AWS-S3-001").unwrap();
        assert_eq!(rule.severity, Severity::Info);
        assert!(!rule.bindings.is_empty());
        assert_eq!(all.len(), set.len());
        assert_eq!(set.loaded().len(), set.len());
        assert!(
            all.iter()
                .all(|r| r.id != "AWS-S3-001" || r.severity == Severity::Info)
        );
    }

    #[test]
    fn a_needed_rule_that_does_not_load_is_an_error_of_the_scan() {
        let good = LazyPack::builtin()
            .rules()
            .iter()
            .find(|r| r.id() == "AWS-S3-001")
            .unwrap()
            .clone();
        let broken = good
            .text()
            .replacen("require: >-", "require: >-\n      acl ==", 1);
        let broken = IndexedRule::read(good.path().to_owned(), broken).unwrap();
        let set = RuleSet::lazy(Arc::new(LazyPack::new(vec![broken])));
        // Not needed: its id stands in, nothing is checked.
        let (rules, problems) = set.for_graph(&ResourceGraph::default());
        assert_eq!((rules.len(), problems.len()), (1, 0));
        let (rules, problems) = set.for_graph(&one_bucket().graph);
        assert!(rules.is_empty());
        let [problem] = problems.as_slice() else {
            panic!("{problems:#?}");
        };
        assert_eq!(problem.severity, DiagnosticSeverity::Error);
        assert!(problem.span.is_none());
        assert!(problem.message.contains("(line "), "{}", problem.message);
        assert!(set.to_rules().is_err());
        assert!(set.loaded().is_empty());
    }
}
