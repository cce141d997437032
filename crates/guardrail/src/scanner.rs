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

use crate::diagnostic::Diagnostic;
use crate::evaluate::{Finding, RulePack};
use crate::progress::Stage;
use crate::report::{Report, suppress};
use crate::rules::builtin::builtin;
use crate::rules::load::LoadedRules;
use crate::rules::model::Rule;
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

/// Scans paths with a rule pack compiled once.
#[derive(Debug)]
pub struct Scanner {
    pack: RulePack,
    options: ScanOptions,
    #[cfg(feature = "guard")]
    guard: Option<crate::guard::GuardRules>,
}

impl Scanner {
    /// A scanner with these rules. The built-in rules include the suppression audit's
    /// ([`suppress::meta_rules`]): leave those out to have wrong suppressions (without a
    /// reason, or silencing nothing) not reported.
    pub fn new(rules: Vec<Rule>) -> Self {
        Scanner {
            pack: RulePack::new(rules),
            options: ScanOptions::default(),
            #[cfg(feature = "guard")]
            guard: None,
        }
    }

    /// A scanner with the built-in rules, the suppression audit's included.
    pub fn builtin() -> Result<Self, RuleErrors> {
        let loaded = builtin();
        if let Some(errors) = rule_errors(loaded) {
            return Err(errors);
        }
        Ok(Scanner::new(loaded.rules.clone()))
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
        let mut rules = self.pack.rules().to_vec();
        rules.extend(guard.rules.iter().cloned());
        self.pack = RulePack::new(rules);
        self.guard = Some(guard);
        self
    }

    /// The rules this scanner runs.
    pub fn rules(&self) -> &[Rule] {
        self.pack.rules()
    }

    /// Reads `paths` and checks every resource.
    pub fn scan(&self, paths: &[PathBuf]) -> ScanOutcome {
        #[cfg(feature = "guard")]
        // Guard rules all deselected: cfn-guard would run for nothing.
        if let Some(guard) = self.guard.as_ref().filter(|g| !g.rules.is_empty()) {
            let mut options = self.options.clone();
            options.keep_documents = true;
            let mut input = build_graph(paths, &options);
            let mut findings = self.evaluate(&input);
            // cfn-guard evaluates each worker's share of the documents in one run, so the
            // stage has no per-document steps: it shows that it runs, and on how many.
            let documents: usize = input.documents.values().map(Vec::len).sum();
            let progress = &self.options.progress;
            progress.start(Stage::Guard, Some(documents));
            let guarded = crate::guard::evaluate(guard, &input, &self.pack);
            progress.finish(Stage::Guard, documents);
            findings.extend(guarded.findings);
            input.diagnostics.extend(guarded.diagnostics);
            let mut outcome = self.report(input, &findings);
            outcome.report.guard = guarded.verdicts;
            return outcome;
        }
        let input = build_graph(paths, &self.options);
        let findings = self.evaluate(&input);
        self.report(input, &findings)
    }

    fn evaluate(&self, input: &GraphScan) -> Vec<Finding> {
        let progress = &self.options.progress;
        let resources = input.graph.len();
        progress.start(Stage::Evaluate, Some(resources));
        let findings = self.pack.evaluate_with_progress(&input.graph, progress);
        progress.finish(Stage::Evaluate, resources);
        findings
    }

    fn report(&self, input: GraphScan, findings: &[Finding]) -> ScanOutcome {
        let mut report = Report::new(&input, &self.pack, findings);
        suppress::apply(&mut report, &input, &self.pack);
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
