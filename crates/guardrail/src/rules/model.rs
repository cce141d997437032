//! What a rule is, once loaded and checked.

use std::collections::BTreeMap;

use crate::graph::{Framework, Resource};
use crate::rules::catalog::Stride;
use crate::rules::lang::{Expr, Literal};
use crate::source::Span;

/// How serious a finding of the rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: worth knowing, not a weakness by itself.
    Info,
    /// Defence in depth.
    Low,
    /// A weakness that needs another to be exploited.
    Medium,
    /// Directly exploitable or exposing sensitive data.
    High,
    /// Exploitable from the internet without credentials.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The name rule files and the CLI use.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a severity name.
    pub fn parse(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A loaded rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id: `AWS-S3-001`.
    pub id: String,
    /// One line: what must hold (the pass condition: `rules`, `explain`, SARIF rule
    /// descriptions show it).
    pub title: String,
    /// One line: what a failure means, the headline of its findings ("S3 bucket versioning
    /// is not enabled"). A rule file's `problem`; `Not met: <title>` for a user rule without
    /// one.
    pub problem: String,
    /// How serious a failure is.
    pub severity: Severity,
    /// The STRIDE categories a failure leaves open.
    pub stride: Vec<Stride>,
    /// NIST SP 800-53 rev5 controls a failure concerns (`SC-28(1)`), checked against the
    /// catalog.
    pub nist: Vec<String>,
    /// Why it matters, including the provider default that applies when the attribute is
    /// absent.
    pub rationale: String,
    /// How to fix it.
    pub remediation: String,
    /// Equivalent rules of other tools, by tool: `checkov: [CKV_AWS_16]`.
    pub references: BTreeMap<String, Vec<String>>,
    /// One binding per framework the rule applies to; none when another stage reports it.
    pub bindings: Vec<Binding>,
    /// The stage that reports the rule's findings, for a rule without bindings (the
    /// evaluator reports those of a rule with bindings).
    pub reported_by: Option<ReportedBy>,
    /// Whether the rule runs only when a selection names it by its id or an id it references
    /// (`opt_in: true`): a control that is right only where the user's policy asks for it
    /// (Object Lock, cross-region replication), so it is not part of a default scan.
    pub opt_in: bool,
    /// The rule file, as shown in diagnostics (`rules/aws/rds/AWS-RDS-001.yaml`).
    pub path: String,
}

/// A rule's `problem` as written, or `Not met: <title>` when it has none.
pub fn problem_or_title(problem: &str, title: &str) -> String {
    if problem.trim().is_empty() {
        format!("Not met: {}", title.trim())
    } else {
        problem.trim().to_owned()
    }
}

/// A stage other than the evaluator that reports a rule's findings: a rule file says so with
/// `reported_by:` in place of `bindings:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportedBy {
    /// `suppression-audit`: the suppression stage, about the suppressions written in the
    /// scanned files ([`crate::suppress::audit`]).
    SuppressionAudit,
}

impl ReportedBy {
    /// The name rule files use.
    pub fn name(self) -> &'static str {
        match self {
            ReportedBy::SuppressionAudit => "suppression-audit",
        }
    }

    /// What the stage checks, in words.
    pub fn what(self) -> &'static str {
        match self {
            ReportedBy::SuppressionAudit => {
                "every suppression in the scanned files (comments, CloudFormation Metadata, \
                 Kubernetes annotations), in every framework, by the suppression audit"
            }
        }
    }

    /// Where users read how the stage reports the rule.
    pub fn documentation(self) -> &'static str {
        match self {
            ReportedBy::SuppressionAudit => "docs/suppressions.md",
        }
    }
}

/// How a rule applies to one framework.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The framework.
    pub framework: Framework,
    /// The resource types it applies to.
    pub types: Vec<TypePattern>,
    /// Only resources for which this holds are checked (all when absent).
    pub when: Option<Condition>,
    /// What must hold.
    pub require: Condition,
    /// Values of absent attributes: the provider's documented default, by path.
    pub defaults: Vec<(String, Literal)>,
}

/// A condition with its source, for messages and `explain`.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The parsed condition.
    pub expr: Expr,
    /// The condition as written.
    pub text: String,
    /// Where it is written in the rule file.
    pub span: Span,
}

/// A pattern a resource's type must match.
///
/// `aws_s3_bucket` and `AWS::S3::Bucket` match resources of that type; `data.X` matches
/// Terraform data sources of type `X`; a Kubernetes kind (`Deployment`) matches objects of
/// that kind in any API version; `workloads` matches every kind that has a pod spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypePattern(pub String);

impl TypePattern {
    /// Whether `resource` has a type this pattern names (one of its
    /// [`type_keys`](Resource::type_keys)).
    pub fn matches(&self, resource: &Resource) -> bool {
        resource.type_keys.contains(&self.0)
    }
}
