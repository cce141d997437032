//! Reporting: verdicts joined with what a reader needs (rule metadata, resource, position,
//! message, fingerprint) into one [`Report`] that every renderer reads and none recomputes.
//! Every verdict is kept ([`Report::verdicts`], compact: indices, a span, a path); the failed
//! and unknown ones are also [`ReportFinding`]s, ready to show. The summary
//! ([`Report::summary`]) and the gate ([`Report::gate`]) are derived, once, here.

pub mod baseline;
pub mod suppress;

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::evaluate::{Engine, RulePack, Status, Verdict};
use crate::graph::{Framework, NodeKind, ResourceId};
use crate::rules::catalog::Stride;
use crate::rules::model::{Rule, Severity};
use crate::scan::GraphScan;
use crate::source::{FileId, LineCol, SourceFile, Span};

/// Version of the report's JSON layout (`docs/report-json.md`). 2: passing and
/// not-applicable verdicts (`passed`, `not_applicable`), Guard verdicts among them instead of
/// the `guard` list, `summary.passed`, `summary.not_applicable`, `gate.decision`. 3:
/// `summary.resources` counts resources only (not variables, locals, outputs…),
/// `summary.unchecked` and `summary.skipped` say what was not checked, findings carry a
/// `headline`.
pub const REPORT_JSON_VERSION: u32 = 3;

/// One finding, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFinding {
    /// The rule's id.
    pub rule_id: String,
    /// The rule's title: its pass condition (shared by all findings of the rule).
    pub title: Arc<str>,
    /// The finding's headline, what every format leads with: for a failed finding what is
    /// wrong, in the rule's words ([`Rule::problem`], shared); for an unknown one, that the
    /// rule's condition (its title) is not known until deployment.
    pub headline: Arc<str>,
    /// The rule's severity.
    pub severity: Severity,
    /// Fail, or unknown (depends on values known only at deployment).
    pub status: Status,
    /// STRIDE categories the failure leaves open (shared by all findings of the rule).
    pub stride: Arc<[Stride]>,
    /// NIST SP 800-53 rev5 controls it concerns (shared by all findings of the rule).
    pub nist: Arc<[String]>,
    /// The resource's address.
    pub resource: String,
    /// The resource's type.
    pub resource_type: String,
    /// The resource's framework.
    pub framework: Framework,
    /// The file, as shown.
    pub file: String,
    /// The span of the offending attribute (or of the resource's name when it is absent).
    pub span: Span,
    /// Where the span starts.
    pub start: LineCol,
    /// Where it ends.
    pub end: LineCol,
    /// The attribute path the finding is about (empty for the resource as a whole).
    pub attribute: String,
    /// What is wrong, naming the attribute and the value seen.
    pub message: String,
    /// How to fix it (the rule's remediation, shared by all findings of the rule).
    pub remediation: Arc<str>,
    /// Stable identity across line shifts: rule, resource and attribute, hashed.
    pub fingerprint: String,
    /// The Guard rule file the rule comes from, for a finding of a Guard rule (`--guard`):
    /// `explain` needs it to find the rule.
    pub guard_file: Option<String>,
    /// Set when a suppression or the baseline silences this finding: it is still reported
    /// (SARIF and JSON carry it) but never fails the gate.
    pub suppression: Option<Suppression>,
    /// Where the judged value came from and what placed the resource, nearest first: the
    /// references it passed through (a local, a module call's argument), the literal that
    /// defines it (a default, a var file's value), then the module calls that instantiate
    /// the resource up to the root module. Empty when the value is written where it is
    /// judged in a root module.
    pub origin: Vec<Origin>,
}

/// One step of a finding's [`ReportFinding::origin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// What this place is to the finding: `passed through here`, `defined here`,
    /// `in module.eks (examples/complete/main.tf)`.
    pub role: String,
    /// The file, as shown.
    pub file: String,
    /// The place.
    pub span: Span,
    /// Where it starts.
    pub start: LineCol,
}

impl ReportFinding {
    /// The command that explains the finding's rule: `guardrail explain AWS-S3-001`, with
    /// `--guard FILE` for a Guard rule.
    pub fn explain_command(&self) -> String {
        match &self.guard_file {
            Some(file) => format!("guardrail explain {} --guard {file}", self.rule_id),
            None => format!("guardrail explain {}", self.rule_id),
        }
    }
}

/// Why a finding is silenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Where the decision is recorded.
    pub kind: SuppressionKind,
    /// The reason given (`# guardrail:ignore ID -- reason`), if any.
    pub reason: Option<String>,
    /// Where the suppression is written (for the baseline: the finding's own span).
    pub span: Span,
}

/// Where a suppression is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionKind {
    /// A `# guardrail:ignore` comment in YAML or HCL.
    Comment,
    /// CloudFormation `Metadata.guardrail.ignore`.
    Metadata,
    /// Kubernetes annotation `guardrail.dev/ignore`.
    Annotation,
    /// A `checkov:skip=CKV_…` comment naming a peer id the rule references.
    Checkov,
    /// CloudFormation `Metadata.guard.SuppressedRules` naming a Guard rule: that rule (run
    /// with `--guard`) or a built-in rule that references it.
    Guard,
    /// The baseline file lists the finding's fingerprint.
    Baseline,
}

impl SuppressionKind {
    /// Its short name in reports: `comment`, `metadata`, `annotation`, `checkov`, `guard`,
    /// `baseline`.
    pub fn name(self) -> &'static str {
        match self {
            SuppressionKind::Comment => "comment",
            SuppressionKind::Metadata => "metadata",
            SuppressionKind::Annotation => "annotation",
            SuppressionKind::Checkov => "checkov",
            SuppressionKind::Guard => "guard",
            SuppressionKind::Baseline => "baseline",
        }
    }
}

/// Counts for the summary line, derived from the report by [`Report::summary`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Files read as infrastructure code.
    pub files: usize,
    /// Resources read (not variables, locals, outputs…: see [`Scope::resources`]).
    pub resources: usize,
    /// Resources no rule checked, by framework and provider ([`Scope::unchecked`]).
    pub unchecked: Vec<Unchecked>,
    /// Files passed over that users should know about without `--verbose` (Helm chart
    /// templates, which are not rendered), sorted.
    pub skipped: Vec<String>,
    /// Rules in the pack that ran.
    pub rules: usize,
    /// Failed findings, suppressed ones excepted.
    pub failed: usize,
    /// Unknown findings, suppressed ones excepted.
    pub unknown: usize,
    /// Suppressed findings (failed or unknown).
    pub suppressed: usize,
    /// Passing verdicts (rule × resource, or × document for Guard).
    pub passed: usize,
    /// Not-applicable verdicts (a binding's `when` is false; cfn-guard's SKIP).
    pub not_applicable: usize,
}

/// What a scan read, for the summary: facts of the input, not counts of verdicts. Computed
/// once by [`Report::new`] from the graph and the rules that ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scope {
    /// Files read as infrastructure code.
    pub files: usize,
    /// Resources read (CloudFormation `Resources` entries, Terraform `resource` blocks,
    /// Kubernetes objects); variables, locals, outputs, data sources, parameters and the
    /// like are not counted. Resources of files read only as context are left out.
    pub resources: usize,
    /// Resources of types no rule of the scan binds, by framework and provider, sorted: what
    /// was read but not checked. A resource with a verdict is checked, and so is every
    /// resource of a document Guard rules were evaluated on (Guard rules query whole
    /// documents, not types).
    pub unchecked: Vec<Unchecked>,
}

/// Resources of one provider that no rule of the scan checks (see [`Scope::unchecked`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unchecked {
    /// The framework.
    pub framework: Framework,
    /// The provider: a Terraform type's prefix (`azurerm`, `google`), a CloudFormation
    /// type's namespace (`AWS`, `Custom`), `kubernetes` for Kubernetes objects.
    pub provider: String,
    /// How many resources.
    pub resources: usize,
    /// Each type with its number of resources, sorted by type.
    pub types: Vec<(String, usize)>,
}

/// The provider a resource type belongs to, for [`Unchecked::provider`].
pub fn provider_of(framework: Framework, type_name: &str) -> String {
    match framework {
        Framework::Terraform => type_name
            .split_once('_')
            .map_or(type_name, |(p, _)| p)
            .to_owned(),
        Framework::CloudFormation => type_name
            .split_once("::")
            .map_or(type_name, |(p, _)| p)
            .to_owned(),
        Framework::Kubernetes => "kubernetes".to_owned(),
    }
}

/// What the scan read, from the graph, the rules that ran and their verdicts.
fn scope(scan: &GraphScan, pack: &RulePack, verdicts: &[Verdict]) -> Scope {
    use std::collections::{BTreeMap, HashSet};
    let judged: HashSet<ResourceId> = verdicts.iter().filter_map(|v| v.resource).collect();
    let guarded: HashSet<FileId> = verdicts
        .iter()
        .filter(|v| matches!(v.engine, Engine::Guard { .. }))
        .map(|v| v.span.file)
        .collect();
    let mut resources = 0;
    let mut unchecked: BTreeMap<(Framework, String), BTreeMap<&str, usize>> = BTreeMap::new();
    for (id, r) in scan.graph.iter() {
        if r.kind != NodeKind::Resource || scan.context_only.contains(&r.span.file) {
            continue;
        }
        resources += 1;
        if !pack.binds(r) && !judged.contains(&id) && !guarded.contains(&r.span.file) {
            *unchecked
                .entry((r.framework, provider_of(r.framework, &r.type_name)))
                .or_default()
                .entry(r.type_name.as_str())
                .or_default() += 1;
        }
    }
    Scope {
        files: scan.frameworks.len(),
        resources,
        unchecked: unchecked
            .into_iter()
            .map(|((framework, provider), types)| Unchecked {
                framework,
                provider,
                resources: types.values().sum(),
                types: types.into_iter().map(|(t, n)| (t.to_owned(), n)).collect(),
            })
            .collect(),
    }
}

/// What verdicts are about: a resource, or a whole document (a Guard verdict on a
/// template). Verdicts name it by index into [`Report::subjects`], so the strings exist once
/// per resource, not once per verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subject {
    /// The resource's address, or the document's file.
    pub address: String,
    /// The resource's type (`template` or `document` for a whole document).
    pub resource_type: String,
    /// The framework.
    pub framework: Framework,
    /// The file, as shown.
    pub file: String,
    /// The resource's scope (see [`crate::graph::Resource::scope`]; `file:<path>` for a
    /// document), part of the fingerprint.
    pub scope: String,
}

/// One rule's verdict on one subject, as the report keeps it: the engine's [`Verdict`] (rule
/// index into [`Report::rules`], status, span, path, what was seen) and the index of its
/// subject; text is built when rendering. Every rule × resource it applies to has one
/// (cfn-guard's rules: one per document, or one per located failure).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportVerdict {
    /// Index of the subject in [`Report::subjects`].
    pub subject: u32,
    /// The verdict.
    pub verdict: Verdict,
}

/// Everything a scan found, sorted by file, position and rule.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The failed and unknown verdicts, ready to show (message, fingerprint, suppression),
    /// plus findings about suppressions themselves (`GEN-SUPPRESS-*`).
    pub findings: Vec<ReportFinding>,
    /// Every verdict: pass, fail, unknown and not applicable, sorted by file, position, rule
    /// and subject.
    pub verdicts: Vec<ReportVerdict>,
    /// What verdicts are about, by [`ReportVerdict::subject`].
    pub subjects: Vec<Subject>,
    /// The rules that ran, by [`Verdict::rule`] (the scanner's pack, shared).
    pub rules: Arc<[Rule]>,
    /// Problems reading the input (the scan is incomplete when any is an error).
    pub diagnostics: Vec<Diagnostic>,
    /// What was read.
    pub scope: Scope,
}

/// The diagnostic code of a file passed over that users hear about (a Helm template).
const SKIPPED_CODE: &str = "load::skipped";

/// One rule's findings, from [`Report::statistics`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleStatistics {
    /// The rule's id.
    pub rule_id: String,
    /// What its failed findings say is wrong (the rule's [`Rule::problem`]).
    pub headline: String,
    /// Its severity.
    pub severity: Severity,
    /// Failed findings, suppressed ones excepted.
    pub failed: usize,
    /// Unknown findings, suppressed ones excepted.
    pub unknown: usize,
}

/// cfn-guard's verdicts per Guard rule, counted in documents (from [`Report::guard_tally`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GuardTally {
    /// Documents cfn-guard evaluated.
    pub documents: usize,
    /// Per Guard rule id, sorted: documents it failed, passed and skipped.
    pub rules: Vec<(String, [usize; 3])>,
}

/// When a report fails a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Gate {
    /// Findings at or above this severity fail the gate.
    pub fail_on: Severity,
    /// Unknown findings fail too.
    pub strict: bool,
    /// Input that could not be read does not fail the gate (`--allow-parse-errors`).
    pub allow_incomplete: bool,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            fail_on: Severity::Low,
            strict: false,
            allow_incomplete: false,
        }
    }
}

impl Gate {
    /// A gate failing on findings at or above `fail_on`; not strict, failing closed.
    pub fn new(fail_on: Severity) -> Gate {
        Gate {
            fail_on,
            ..Gate::default()
        }
    }

    /// The same gate, failing on unknown findings too when `strict`.
    pub fn strict(mut self, strict: bool) -> Gate {
        self.strict = strict;
        self
    }

    /// The same gate, passing incomplete input when `allow` (`--allow-parse-errors`).
    pub fn allow_incomplete(mut self, allow: bool) -> Gate {
        self.allow_incomplete = allow;
        self
    }
}

/// What the gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Decision {
    /// Nothing fails the gate.
    Pass,
    /// Findings fail the gate.
    Fail,
    /// Some input could not be read (the scan fails closed); takes precedence over
    /// [`Decision::Fail`].
    Incomplete,
}

impl Decision {
    /// Its name in reports: `passed`, `failed`, `incomplete`.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Pass => "passed",
            Decision::Fail => "failed",
            Decision::Incomplete => "incomplete",
        }
    }
}

/// The gate's verdict on a report, from [`Report::gate`]: the one place it is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GateOutcome {
    /// The gate it was decided with.
    pub gate: Gate,
    /// Findings that fail it.
    pub failing: usize,
    /// Some input could not be read (whether or not the gate allows it).
    pub incomplete: bool,
    /// The decision.
    pub decision: Decision,
}

impl Report {
    /// Joins raw verdicts with rule and resource data: every verdict is kept (compactly), and
    /// the failed and unknown ones also become [`ReportFinding`]s.
    pub fn new(scan: &GraphScan, pack: &RulePack, verdicts: Vec<Verdict>) -> Report {
        let scope = scope(scan, pack, &verdicts);
        let mut subjects = Subjects::default();
        let mut texts: HashMap<usize, RuleText> = HashMap::new();
        let mut findings: Vec<ReportFinding> = Vec::new();
        let mut kept: Vec<ReportVerdict> = Vec::with_capacity(verdicts.len());
        for v in verdicts {
            let (Some(rule), Some(file)) = (pack.rule(v.rule), scan.files.get(v.span.file)) else {
                continue;
            };
            let Some(subject) = subjects.of(scan, v.resource, file) else {
                continue;
            };
            if v.status.is_finding() {
                if let Some(shown) = subjects.list.get(subject as usize) {
                    let text = texts.entry(v.rule).or_insert_with(|| RuleText::of(rule));
                    let mut found = finding(rule, text, shown, &v, file);
                    found.origin = origin(scan, v.resource, v.span);
                    findings.push(found);
                }
            }
            let record = ReportVerdict {
                subject,
                verdict: v,
            };
            kept.push(record);
        }
        findings.sort_by(|a, b| {
            (
                &a.file,
                a.start,
                &a.rule_id,
                &a.resource,
                &a.attribute,
                &a.message,
            )
                .cmp(&(
                    &b.file,
                    b.start,
                    &b.rule_id,
                    &b.resource,
                    &b.attribute,
                    &b.message,
                ))
        });
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint && a.start == b.start);
        let rules = pack.shared_rules();
        kept.sort_by(|a, b| {
            let key = |r: &ReportVerdict| {
                let v = &r.verdict;
                (
                    v.span.file,
                    v.span.start,
                    rules.get(v.rule).map(|r| r.id.as_str()),
                    subjects.list.get(r.subject as usize).map(|s| &s.address),
                    v.status,
                )
            };
            key(a).cmp(&key(b))
        });
        kept.dedup();
        Report {
            findings,
            verdicts: kept,
            subjects: subjects.list,
            rules,
            diagnostics: scan.diagnostics.clone(),
            scope,
        }
    }

    /// The counts of the summary line, from the findings (failed, unknown, suppressed) and
    /// the verdicts (passed, not applicable).
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            files: self.scope.files,
            resources: self.scope.resources,
            unchecked: self.scope.unchecked.clone(),
            skipped: self.skipped(),
            rules: self.rules.len(),
            ..Summary::default()
        };
        for f in &self.findings {
            match (&f.suppression, f.status) {
                (Some(_), _) => summary.suppressed += 1,
                (None, Status::Fail) => summary.failed += 1,
                (None, Status::Unknown) => summary.unknown += 1,
                (None, _) => {}
            }
        }
        for v in &self.verdicts {
            match v.verdict.status {
                Status::Pass => summary.passed += 1,
                Status::NotApplicable => summary.not_applicable += 1,
                _ => {}
            }
        }
        summary
    }

    /// The files passed over that users hear about without `--verbose` (Helm chart
    /// templates): the scan's `load::skipped` notes, sorted.
    pub fn skipped(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .diagnostics
            .iter()
            .filter(|d| d.code == SKIPPED_CODE)
            .map(|d| crate::source::display_path(&d.path))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Per rule, its findings that are not suppressed (`--statistics`): most first, then
    /// by rule id.
    pub fn statistics(&self) -> Vec<RuleStatistics> {
        let problems: HashMap<&str, &str> = self
            .rules
            .iter()
            .map(|r| (r.id.as_str(), r.problem.as_str()))
            .collect();
        let mut by_rule: HashMap<&str, RuleStatistics> = HashMap::new();
        for f in self.findings.iter().filter(|f| f.suppression.is_none()) {
            let entry = by_rule
                .entry(f.rule_id.as_str())
                .or_insert_with(|| RuleStatistics {
                    rule_id: f.rule_id.clone(),
                    headline: problems
                        .get(f.rule_id.as_str())
                        .map_or_else(|| f.headline.to_string(), |p| (*p).to_owned()),
                    severity: f.severity,
                    failed: 0,
                    unknown: 0,
                });
            match f.status {
                Status::Unknown => entry.unknown += 1,
                _ => entry.failed += 1,
            }
        }
        let mut out: Vec<RuleStatistics> = by_rule.into_values().collect();
        out.sort_by(|a, b| {
            (b.failed + b.unknown, &a.rule_id).cmp(&(a.failed + a.unknown, &b.rule_id))
        });
        out
    }

    /// The findings that fail `gate`: at or above its severity, failed (or unknown when
    /// strict), and not suppressed.
    pub fn failing<'a>(&'a self, gate: &'a Gate) -> impl Iterator<Item = &'a ReportFinding> {
        self.findings.iter().filter(move |f| fails(f, gate))
    }

    /// Whether the input could not be read completely.
    pub fn incomplete(&self) -> bool {
        crate::diagnostic::has_errors(&self.diagnostics)
    }

    /// Decides the gate: incomplete input fails closed (unless the gate allows it), then
    /// any failing finding fails it.
    pub fn gate(&self, gate: &Gate) -> GateOutcome {
        let failing = self.failing(gate).count();
        let incomplete = self.incomplete();
        let decision = if incomplete && !gate.allow_incomplete {
            Decision::Incomplete
        } else if failing > 0 {
            Decision::Fail
        } else {
            Decision::Pass
        };
        GateOutcome {
            gate: *gate,
            failing,
            incomplete,
            decision,
        }
    }

    /// The rule of a verdict.
    pub fn rule_of(&self, verdict: &ReportVerdict) -> Option<&Rule> {
        self.rules.get(verdict.verdict.rule)
    }

    /// The subject of a verdict.
    pub fn subject_of(&self, verdict: &ReportVerdict) -> Option<&Subject> {
        self.subjects.get(verdict.subject as usize)
    }

    /// The verdicts that passed, with their evidence.
    pub fn passed(&self) -> impl Iterator<Item = &ReportVerdict> {
        self.verdicts
            .iter()
            .filter(|v| v.verdict.status == Status::Pass)
    }

    /// cfn-guard's verdicts counted per Guard rule in documents: a rule fails a document when
    /// any of its verdicts there fails, else passes when one passes, else skips.
    pub fn guard_tally(&self) -> GuardTally {
        use std::collections::{BTreeMap, BTreeSet};
        let mut documents = BTreeSet::new();
        let mut worst: BTreeMap<(usize, FileId, u32), usize> = BTreeMap::new();
        for v in self.verdicts.iter().map(|r| &r.verdict) {
            let Engine::Guard { document } = v.engine else {
                continue;
            };
            documents.insert((v.span.file, document));
            let column = match v.status {
                Status::Fail | Status::Unknown => 0,
                Status::Pass => 1,
                _ => 2,
            };
            let entry = worst
                .entry((v.rule, v.span.file, document))
                .or_insert(column);
            *entry = (*entry).min(column);
        }
        let mut rules: BTreeMap<String, [usize; 3]> = BTreeMap::new();
        for ((rule, _, _), column) in worst {
            let Some(rule) = self.rules.get(rule) else {
                continue;
            };
            if let Some(n) = rules.entry(rule.id.clone()).or_default().get_mut(column) {
                *n += 1;
            }
        }
        GuardTally {
            documents: documents.len(),
            rules: rules.into_iter().collect(),
        }
    }
}

/// Whether a finding fails a gate.
fn fails(f: &ReportFinding, gate: &Gate) -> bool {
    f.suppression.is_none()
        && f.severity >= gate.fail_on
        && (f.status == Status::Fail || gate.strict && f.status == Status::Unknown)
}

/// What a verdict says, naming the attribute and the value seen: "`x` is false".
pub fn message(path: &str, seen: &str) -> String {
    if path.is_empty() {
        seen.to_owned()
    } else {
        format!("`{path}` is {seen}")
    }
}

/// What every finding of one rule shows of it, allocated once per report and shared: a
/// finding used to copy the rule's title, remediation and controls, most of its memory.
#[derive(Debug, Clone)]
pub struct RuleText {
    /// The rule's title.
    pub title: Arc<str>,
    /// Its STRIDE categories.
    pub stride: Arc<[Stride]>,
    /// Its NIST controls.
    pub nist: Arc<[String]>,
    /// Its remediation.
    pub remediation: Arc<str>,
    /// What a failure of it is ([`Rule::problem`]).
    pub problem: Arc<str>,
}

impl RuleText {
    /// The shared text of `rule`.
    pub fn of(rule: &Rule) -> RuleText {
        RuleText {
            title: rule.title.as_str().into(),
            stride: rule.stride.as_slice().into(),
            nist: rule.nist.as_slice().into(),
            remediation: rule.remediation.as_str().into(),
            problem: rule.problem.as_str().into(),
        }
    }

    /// What a finding of the rule with `status` leads with.
    pub fn headline(&self, status: Status) -> Arc<str> {
        match status {
            Status::Unknown => format!("Unknown until deployment: {}", self.title).into(),
            _ => Arc::clone(&self.problem),
        }
    }
}

/// Most module calls followed up from a resource (more than the adapter nests).
const MAX_ORIGIN_CALLS: usize = 32;

/// Where the value a verdict judged at `span` came from (its resolution chain, found in the
/// resource's attributes), then the module calls that contain the resource, up to the root.
fn origin(scan: &GraphScan, resource: Option<ResourceId>, span: Span) -> Vec<Origin> {
    let Some(id) = resource else {
        return Vec::new();
    };
    let Some(r) = scan.graph.resource(id) else {
        return Vec::new();
    };
    let mut places: Vec<(String, Span)> = Vec::new();
    let mut resolution = None;
    r.attributes.walk(&mut |n| {
        if resolution.is_none() && n.span == span {
            if let crate::value::Provenance::Resolved(res) = &n.provenance {
                resolution = Some(res.clone());
            }
        }
    });
    if let Some(res) = resolution {
        places.extend(
            res.via
                .iter()
                .filter(|s| **s != span)
                .map(|s| ("passed through here".to_owned(), *s)),
        );
        places.push(("defined here".to_owned(), res.definition));
    }
    let mut current = id;
    for _ in 0..MAX_ORIGIN_CALLS {
        let caller = scan.graph.edges_to(current).find_map(|e| {
            let from = scan.graph.resource(e.from)?;
            (e.kind == crate::graph::EdgeKind::Contains && from.kind == NodeKind::Module)
                .then_some((e.from, from))
        });
        let Some((caller_id, caller)) = caller else {
            break;
        };
        places.push((format!("in {}", caller.address), caller.name_span));
        current = caller_id;
    }
    places
        .into_iter()
        .filter_map(|(role, span)| {
            let file = scan.files.get(span.file)?;
            Some(Origin {
                role,
                file: file.display_path(),
                span,
                start: file.line_col(span.start),
            })
        })
        .collect()
}

/// A failed or unknown verdict joined with its rule and subject.
fn finding(
    rule: &Rule,
    text: &RuleText,
    subject: &Subject,
    v: &Verdict,
    file: &SourceFile,
) -> ReportFinding {
    // The attribute's text, its message and the fingerprint all come from the one path.
    let attribute = v.path.to_string();
    ReportFinding {
        rule_id: rule.id.clone(),
        title: Arc::clone(&text.title),
        headline: text.headline(v.status),
        severity: rule.severity,
        status: v.status,
        stride: Arc::clone(&text.stride),
        nist: Arc::clone(&text.nist),
        fingerprint: fingerprint(&[&rule.id, &subject.scope, &subject.address, &attribute]),
        resource: subject.address.clone(),
        resource_type: subject.resource_type.clone(),
        framework: subject.framework,
        file: file.display_path(),
        span: v.span,
        start: file.line_col(v.span.start),
        end: file.line_col(v.span.end),
        message: message(&attribute, &v.seen),
        attribute,
        remediation: Arc::clone(&text.remediation),
        guard_file: matches!(v.engine, Engine::Guard { .. }).then(|| rule.path.clone()),
        suppression: None,
        origin: Vec::new(),
    }
}

/// The subjects of a report's verdicts, each once: resources by id, documents by file.
#[derive(Default)]
struct Subjects {
    list: Vec<Subject>,
    resources: HashMap<ResourceId, Option<u32>>,
    documents: HashMap<FileId, Option<u32>>,
}

impl Subjects {
    /// The index of the subject: the resource, or the document of `file` when there is none.
    /// `None` for resources of files read only as context (the rest of a named file's
    /// Terraform module), which are not reported on.
    fn of(
        &mut self,
        scan: &GraphScan,
        resource: Option<ResourceId>,
        file: &SourceFile,
    ) -> Option<u32> {
        let list = &mut self.list;
        match resource {
            Some(id) => *self.resources.entry(id).or_insert_with(|| {
                let resource = scan.graph.resource(id)?;
                if scan.context_only.contains(&resource.span.file) {
                    return None;
                }
                let shown = scan.files.get(resource.span.file).unwrap_or(file);
                push(
                    list,
                    Subject {
                        address: resource.address.clone(),
                        resource_type: resource.type_name.clone(),
                        framework: resource.framework,
                        file: shown.display_path(),
                        scope: resource.scope.clone(),
                    },
                )
            }),
            None => *self.documents.entry(file.id).or_insert_with(|| {
                // A document as a whole: its file stands for it (`template.yaml`, of type
                // `template` for CloudFormation, `document` otherwise).
                let framework = *scan.frameworks.get(&file.id)?;
                let address = file.display_path();
                push(
                    list,
                    Subject {
                        resource_type: match framework {
                            Framework::CloudFormation => "template",
                            _ => "document",
                        }
                        .to_owned(),
                        framework,
                        scope: format!("file:{address}"),
                        file: address.clone(),
                        address,
                    },
                )
            }),
        }
    }
}

/// Appends `subject`, returning its index.
fn push(list: &mut Vec<Subject>, subject: Subject) -> Option<u32> {
    let index = u32::try_from(list.len()).ok()?;
    list.push(subject);
    Some(index)
}

/// FNV-1a over the parts, separated so that ("ab", "c") and ("a", "bc") differ. Stable across
/// versions and platforms, which is all a fingerprint needs (it is not a security boundary).
pub(crate) fn fingerprint(parts: &[&str]) -> String {
    let bytes: Vec<u8> = parts
        .iter()
        .flat_map(|p| p.bytes().chain(std::iter::once(0)))
        .collect();
    format!("{:016x}", fnv1a(&bytes))
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

    /// A finding of this severity and status, unsuppressed.
    fn finding(severity: Severity, status: Status) -> ReportFinding {
        let span = Span::new(FileId(0), 0, 0);
        let at = LineCol { line: 1, column: 1 };
        ReportFinding {
            rule_id: "TEST-X-001".into(),
            title: "".into(),
            headline: "".into(),
            severity,
            status,
            stride: Arc::new([]),
            nist: Arc::new([]),
            resource: "r".into(),
            resource_type: "t".into(),
            framework: Framework::Terraform,
            file: "main.tf".into(),
            span,
            start: at,
            end: at,
            attribute: String::new(),
            message: String::new(),
            remediation: "".into(),
            fingerprint: String::new(),
            guard_file: None,
            suppression: None,
            origin: Vec::new(),
        }
    }

    fn report(findings: Vec<ReportFinding>, incomplete: bool) -> Report {
        Report {
            findings,
            diagnostics: if incomplete {
                vec![Diagnostic::error("parse::syntax", "x.yaml", "broken")]
            } else {
                Vec::new()
            },
            ..Report::default()
        }
    }

    #[test]
    fn the_gate_fails_on_findings_at_or_above_its_severity() {
        let r = report(
            vec![
                finding(Severity::Medium, Status::Fail),
                finding(Severity::Low, Status::Fail),
            ],
            false,
        );
        let high = r.gate(&Gate::new(Severity::High));
        assert_eq!((high.decision, high.failing), (Decision::Pass, 0));
        let medium = r.gate(&Gate::new(Severity::Medium));
        assert_eq!((medium.decision, medium.failing), (Decision::Fail, 1));
        let low = r.gate(&Gate::default());
        assert_eq!((low.decision, low.failing), (Decision::Fail, 2));
    }

    #[test]
    fn unknown_findings_fail_only_a_strict_gate_and_suppressed_ones_never() {
        let mut suppressed = finding(Severity::Critical, Status::Fail);
        suppressed.suppression = Some(Suppression {
            kind: SuppressionKind::Baseline,
            reason: None,
            span: suppressed.span,
        });
        let r = report(
            vec![finding(Severity::High, Status::Unknown), suppressed],
            false,
        );
        assert_eq!(r.gate(&Gate::default()).decision, Decision::Pass);
        let strict = r.gate(&Gate::default().strict(true));
        assert_eq!((strict.decision, strict.failing), (Decision::Fail, 1));
        let summary = r.summary();
        assert_eq!(
            (summary.failed, summary.unknown, summary.suppressed),
            (0, 1, 1)
        );
    }

    #[test]
    fn incomplete_input_fails_closed_unless_allowed() {
        let clean = report(Vec::new(), true);
        let closed = clean.gate(&Gate::default());
        assert_eq!(closed.decision, Decision::Incomplete);
        assert!(closed.incomplete);
        let allowed = clean.gate(&Gate::default().allow_incomplete(true));
        assert_eq!(allowed.decision, Decision::Pass);
        assert!(allowed.incomplete, "still said, only not decisive");
        // Findings still fail a gate that allows incomplete input; without it, incomplete
        // input decides first.
        let failing = report(vec![finding(Severity::High, Status::Fail)], true);
        assert_eq!(
            failing.gate(&Gate::default()).decision,
            Decision::Incomplete
        );
        assert_eq!(
            failing
                .gate(&Gate::default().allow_incomplete(true))
                .decision,
            Decision::Fail
        );
    }

    #[test]
    fn providers_are_type_prefixes_and_namespaces() {
        for (framework, type_name, provider) in [
            (Framework::Terraform, "azurerm_key_vault", "azurerm"),
            (Framework::Terraform, "google_storage_bucket", "google"),
            (Framework::CloudFormation, "AWS::S3::Bucket", "AWS"),
            (Framework::CloudFormation, "Custom::Thing", "Custom"),
            (Framework::Kubernetes, "v1/ConfigMap", "kubernetes"),
        ] {
            assert_eq!(provider_of(framework, type_name), provider);
        }
    }

    #[test]
    fn statistics_count_per_rule_most_first_without_suppressed_findings() {
        let mut other = finding(Severity::High, Status::Unknown);
        other.rule_id = "TEST-A-001".into();
        let mut suppressed = finding(Severity::High, Status::Fail);
        suppressed.rule_id = "TEST-A-001".into();
        suppressed.suppression = Some(Suppression {
            kind: SuppressionKind::Comment,
            reason: None,
            span: suppressed.span,
        });
        let r = report(
            vec![
                finding(Severity::Low, Status::Fail),
                other,
                finding(Severity::Low, Status::Unknown),
                suppressed,
            ],
            false,
        );
        let counts: Vec<(String, usize, usize)> = r
            .statistics()
            .into_iter()
            .map(|s| (s.rule_id, s.failed, s.unknown))
            .collect();
        assert_eq!(
            counts,
            [("TEST-X-001".into(), 1, 1), ("TEST-A-001".into(), 0, 1)]
        );
    }

    #[test]
    fn fingerprints_separate_their_parts_and_are_stable() {
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        // The published FNV-1a 64 test vectors; a change here would break every baseline.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(fingerprint(&["a"]), format!("{:016x}", fnv1a(b"a\0")));
    }
}
