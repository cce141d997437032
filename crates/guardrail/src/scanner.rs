//! The facade for other Rust tools: a [`Scanner`] holds a compiled rule pack and scans paths
//! into a [`Report`].
//!
//! ```no_run
//! use guardrail::Scanner;
//!
//! let scanner = Scanner::builtin().expect("the built-in rules load");
//! let outcome = scanner.scan(&["infra".into()]);
//! for finding in &outcome.report.findings {
//!     println!("{}:{} {} {}", finding.file, finding.start, finding.rule_id, finding.message);
//! }
//! ```

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::diagnostic::Diagnostic;
use crate::evaluate::{RulePack, Verdict};
use crate::progress::Stage;
use crate::report::{Report, suppress};
use crate::rules::load::LoadedRules;
use crate::rules::model::Rule;
use crate::rules::set::RuleSet;
use crate::scan::{GraphScan, ScanOptions, build_graph};
use crate::source::SourceFiles;

/// Rule files that did not load, with the files so their diagnostics can be shown.
#[derive(Debug)]
pub struct RuleErrors {
    /// The problems, each at its line in a rule file.
    pub diagnostics: Vec<Diagnostic>,
    /// The rule files.
    pub files: SourceFiles,
}

/// What one scan produced.
#[derive(Debug)]
pub struct ScanOutcome {
    /// Everything read: files, the resource graph, input diagnostics.
    pub input: GraphScan,
    /// The findings.
    pub report: Report,
}

/// Scans paths with a rule pack compiled once: each scan checks and compiles the rules its
/// resources need that are not yet (built-in rules, see [`crate::rules::builtin`]).
#[derive(Debug)]
pub struct Scanner {
    rules: RuleSet,
    /// Every rule in full, for [`Scanner::rules`]; checked when first asked for.
    all: OnceLock<Vec<Rule>>,
    options: ScanOptions,
    #[cfg(feature = "guard")]
    guard: Option<crate::guard::GuardRules>,
}

impl Scanner {
    /// A scanner with these rules. The built-in rules include the suppression audit's
    /// ([`suppress::meta_rules`]): leave those out to have wrong suppressions (without a
    /// reason, or silencing nothing) not reported.
    pub fn new(rules: Vec<Rule>) -> Self {
        Scanner::from_rule_set(rules.into())
    }

    /// A scanner with these rules, whose lazily checked ones (the built-in rules of
    /// [`RuleSet::builtin`]) are checked when a scan needs them.
    pub fn from_rule_set(rules: RuleSet) -> Self {
        Scanner {
            rules,
            all: OnceLock::new(),
            options: ScanOptions::default(),
            #[cfg(feature = "guard")]
            guard: None,
        }
    }

    /// A scanner with the built-in rules, the suppression audit's included. The built-in rules
    /// are checked when a scan needs them (a broken one is then an error diagnostic of the
    /// scan), so this does not fail today; the `Result` is kept for callers.
    pub fn builtin() -> Result<Self, RuleErrors> {
        Ok(Scanner::from_rule_set(RuleSet::builtin()))
    }

    /// The same scanner, reading input with these options (a project configuration).
    pub fn with_options(mut self, options: ScanOptions) -> Self {
        self.options = options;
        self
    }

    /// The same scanner, also running these AWS CloudFormation Guard rules on every
    /// CloudFormation template and Kubernetes document. Their [`GuardRules::rules`] join the
    /// scanner's rules, so reports, suppressions and `--select` treat them like any other;
    /// a Guard rule left out of that list (deselected) is evaluated but not reported.
    ///
    /// [`GuardRules::rules`]: crate::guard::GuardRules::rules
    #[cfg(feature = "guard")]
    pub fn with_guard(mut self, guard: crate::guard::GuardRules) -> Self {
        self.rules.extend(guard.rules.iter().cloned());
        self.all = OnceLock::new();
        self.guard = Some(guard);
        self
    }

    /// The rules this scanner runs, in full (this checks every built-in rule, once per
    /// process; a rule that does not load is left out, and a scan that needs it says why).
    pub fn rules(&self) -> &[Rule] {
        self.all.get_or_init(|| self.rules.loaded())
    }

    /// Gives `report` every rule it ran in full, for outputs that describe each one (SARIF's
    /// rule descriptors, JUnit's suites): a scan's report carries in full only the rules its
    /// resources needed, the others by id and severity. This checks every rule once per
    /// process (see [`Scanner::rules`]).
    pub fn describe_every_rule(&self, report: &mut Report) {
        let all = self.rules();
        let same = all.len() == report.rules.len()
            && all
                .iter()
                .zip(report.rules.iter())
                .all(|(a, b)| a.id == b.id);
        if same {
            report.rules = all.to_vec().into();
        }
    }

    /// The pack for one scan: see [`RuleSet::for_graph`]. Rules that do not load are error
    /// diagnostics of the scan.
    fn pack(&self, input: &mut GraphScan) -> RulePack {
        let (rules, problems) = self.rules.for_graph(&input.graph);
        input.diagnostics.extend(problems);
        RulePack::new(rules)
    }

    /// Reads `paths` and checks every resource.
    pub fn scan(&self, paths: &[PathBuf]) -> ScanOutcome {
        #[cfg(feature = "guard")]
        // Guard rules all deselected (or none usable): cfn-guard would run for nothing.
        if let Some(guard) = self.guard.as_ref().filter(|g| !g.rules.is_empty()) {
            let mut options = self.options.clone();
            options.keep_documents = true;
            let mut input = build_graph(paths, &options);
            guard.report_problems(&mut input);
            let pack = self.pack(&mut input);
            let mut verdicts = self.evaluate(&input, &pack);
            // cfn-guard evaluates each worker's share of the documents in one run, so the
            // stage has no per-document steps: it shows that it runs, and on how many.
            let documents: usize = input.documents.values().map(Vec::len).sum();
            let progress = &self.options.progress;
            progress.start(Stage::Guard, Some(documents));
            let guarded = crate::guard::evaluate(guard, &input, &pack);
            progress.finish(Stage::Guard, documents);
            // Both engines record their verdicts alike; the report sorts them together.
            verdicts.extend(guarded.verdicts);
            input.diagnostics.extend(guarded.diagnostics);
            return Self::report(input, &pack, verdicts);
        }
        let mut input = build_graph(paths, &self.options);
        #[cfg(feature = "guard")]
        if let Some(guard) = &self.guard {
            guard.report_problems(&mut input);
        }
        let pack = self.pack(&mut input);
        let verdicts = self.evaluate(&input, &pack);
        Self::report(input, &pack, verdicts)
    }

    fn evaluate(&self, input: &GraphScan, pack: &RulePack) -> Vec<Verdict> {
        let progress = &self.options.progress;
        let resources = input.graph.len();
        progress.start(Stage::Evaluate, Some(resources));
        let findings = pack.evaluate_with_progress(&input.graph, progress);
        progress.finish(Stage::Evaluate, resources);
        findings
    }

    fn report(input: GraphScan, pack: &RulePack, verdicts: Vec<Verdict>) -> ScanOutcome {
        let mut report = Report::new(&input, pack, verdicts);
        suppress::apply(&mut report, &input, pack);
        ScanOutcome { input, report }
    }
}

/// The errors of a set of loaded rules, if any.
pub fn rule_errors(loaded: &LoadedRules) -> Option<RuleErrors> {
    let errors: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .cloned()
        .collect();
    (!errors.is_empty()).then(|| RuleErrors {
        diagnostics: errors,
        files: loaded.files.clone(),
    })
}
