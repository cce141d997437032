//! Reporting: findings joined with what a reader needs (rule metadata, resource, position,
//! message, fingerprint) into one [`Report`] that every renderer reads and none recomputes.

pub mod baseline;
pub mod suppress;

use std::borrow::Cow;

use crate::diagnostic::Diagnostic;
use crate::evaluate::{Finding, RulePack, Status};
use crate::graph::Framework;
use crate::rules::catalog::Stride;
use crate::rules::model::Severity;
use crate::scan::GraphScan;
use crate::source::{LineCol, Span};

/// Version of the report's JSON layout (`docs/report-json.md`).
pub const REPORT_JSON_VERSION: u32 = 1;

/// One finding, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFinding {
    /// The rule's id.
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// The rule's severity.
    pub severity: Severity,
    /// Fail, or unknown (depends on values known only at deployment).
    pub status: Status,
    /// STRIDE categories the failure leaves open.
    pub stride: Vec<Stride>,
    /// NIST SP 800-53 rev5 controls it concerns.
    pub nist: Vec<String>,
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
    /// How to fix it (the rule's remediation).
    pub remediation: String,
    /// Stable identity across line shifts: rule, resource and attribute, hashed.
    pub fingerprint: String,
    /// Set when a suppression or the baseline silences this finding: it is still reported
    /// (SARIF and JSON carry it) but never fails the gate.
    pub suppression: Option<Suppression>,
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

/// Counts for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files read as infrastructure code.
    pub files: usize,
    /// Resources (all graph nodes) checked.
    pub resources: usize,
    /// Rules in the pack that ran.
    pub rules: usize,
    /// Failed findings, suppressed ones excepted.
    pub failed: usize,
    /// Unknown findings, suppressed ones excepted.
    pub unknown: usize,
    /// Suppressed findings (failed or unknown).
    pub suppressed: usize,
}

/// Everything a scan found, sorted by file, position and rule.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The findings.
    pub findings: Vec<ReportFinding>,
    /// Problems reading the input (the scan is incomplete when any is an error).
    pub diagnostics: Vec<Diagnostic>,
    /// Counts.
    pub summary: Summary,
    /// cfn-guard's verdict for every Guard rule on every document (empty without `--guard`).
    pub guard: Vec<GuardVerdicts>,
}

/// cfn-guard's verdicts on one document: every Guard rule of the scan (that was selected) is in
/// exactly one list. A rule fails exactly when it has findings on the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuardVerdicts {
    /// The file, as shown.
    pub file: String,
    /// The document's index in the file (0 for a template; Kubernetes files hold several).
    pub document: usize,
    /// Rules that failed (`FAIL`), sorted.
    pub fail: Vec<String>,
    /// Rules that passed (`PASS`), sorted.
    pub pass: Vec<String>,
    /// Rules that did not apply (`SKIP`: nothing they select is in the document), sorted.
    pub skip: Vec<String>,
}

/// When a report fails a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    /// Findings at or above this severity fail the gate.
    pub fail_on: Severity,
    /// Unknown findings fail too.
    pub strict: bool,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            fail_on: Severity::Low,
            strict: false,
        }
    }
}

impl Report {
    /// Joins raw findings with rule and resource data.
    pub fn new(scan: &GraphScan, pack: &RulePack, findings: &[Finding]) -> Report {
        let mut out: Vec<ReportFinding> = findings
            .iter()
            .filter_map(|f| {
                let rule = pack.rule(f.rule)?;
                let file = scan.files.get(f.span.file)?;
                let subject = match f.resource {
                    Some(id) => {
                        let resource = scan.graph.resource(id)?;
                        // Resources of files read only as context (the rest of a named
                        // file's Terraform module) are not reported on.
                        if scan.context_only.contains(&resource.span.file) {
                            return None;
                        }
                        Subject {
                            address: Cow::Borrowed(&resource.address),
                            type_name: Cow::Borrowed(&resource.type_name),
                            framework: resource.framework,
                            scope: Cow::Borrowed(&resource.scope),
                        }
                    }
                    None => Subject::document(scan, file)?,
                };
                let message = if f.path.is_empty() {
                    f.seen.clone()
                } else {
                    format!("`{}` is {}", f.path, f.seen)
                };
                Some(ReportFinding {
                    rule_id: rule.id.clone(),
                    title: rule.title.clone(),
                    severity: rule.severity,
                    status: f.status,
                    stride: rule.stride.clone(),
                    nist: rule.nist.clone(),
                    fingerprint: fingerprint(&[
                        &rule.id,
                        &subject.scope,
                        &subject.address,
                        &f.path,
                    ]),
                    resource: subject.address.into_owned(),
                    resource_type: subject.type_name.into_owned(),
                    framework: subject.framework,
                    file: file.display_path(),
                    span: f.span,
                    start: file.line_col(f.span.start),
                    end: file.line_col(f.span.end),
                    attribute: f.path.clone(),
                    message,
                    remediation: rule.remediation.clone(),
                    suppression: None,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.file, a.start, &a.rule_id, &a.resource).cmp(&(
                &b.file,
                b.start,
                &b.rule_id,
                &b.resource,
            ))
        });
        out.dedup_by(|a, b| a.fingerprint == b.fingerprint && a.start == b.start);
        let summary = Summary {
            files: scan.frameworks.len(),
            resources: scan.graph.len(),
            rules: pack.rules().len(),
            ..Summary::default()
        };
        let mut report = Report {
            findings: out,
            diagnostics: scan.diagnostics.clone(),
            summary,
            guard: Vec::new(),
        };
        report.recount();
        report
    }

    /// Recounts failed, unknown and suppressed findings; call it after marking suppressions.
    pub fn recount(&mut self) {
        let count = |status: Status| {
            self.findings
                .iter()
                .filter(|f| f.suppression.is_none() && f.status == status)
                .count()
        };
        self.summary.failed = count(Status::Fail);
        self.summary.unknown = count(Status::Unknown);
        self.summary.suppressed = self
            .findings
            .iter()
            .filter(|f| f.suppression.is_some())
            .count();
    }

    /// The findings that fail `gate`: at or above its severity, failed (or unknown when
    /// strict), and not suppressed.
    pub fn failing<'a>(&'a self, gate: &'a Gate) -> impl Iterator<Item = &'a ReportFinding> {
        self.findings.iter().filter(move |f| {
            f.suppression.is_none()
                && f.severity >= gate.fail_on
                && (f.status == Status::Fail || gate.strict)
        })
    }

    /// Whether the input could not be read completely.
    pub fn incomplete(&self) -> bool {
        crate::diagnostic::has_errors(&self.diagnostics)
    }
}

/// What a finding is about: a resource, or a whole document.
struct Subject<'a> {
    address: Cow<'a, str>,
    type_name: Cow<'a, str>,
    framework: Framework,
    scope: Cow<'a, str>,
}

impl Subject<'_> {
    /// A document as a whole: its file stands for it (`template.yaml`, of type `template`
    /// for CloudFormation, `document` otherwise).
    fn document(scan: &GraphScan, file: &crate::source::SourceFile) -> Option<Self> {
        let framework = *scan.frameworks.get(&file.id)?;
        let address = file.display_path();
        Some(Subject {
            type_name: Cow::Borrowed(match framework {
                Framework::CloudFormation => "template",
                _ => "document",
            }),
            framework,
            scope: Cow::Owned(format!("file:{address}")),
            address: Cow::Owned(address),
        })
    }
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
    use super::{fingerprint, fnv1a};

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
