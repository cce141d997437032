//! Suppressions: the stage between evaluation and rendering that marks the findings the input
//! itself silences, and reports the suppressions that are wrong (`docs/suppressions.md`).
//!
//! What silences a finding, written in the scanned files:
//!
//! - a comment `# guardrail:ignore ID[, ID…] -- reason` (HCL also `// …`). On the line above a
//!   resource's first line, or at the end of that line, it silences those rules for every
//!   finding on the resource; above or at the end of any other line, only for the findings
//!   located at that line;
//! - CloudFormation `Metadata: { guardrail: { ignore: [ { id: ID, reason: … } ] } }` on a
//!   resource (JSON templates have no comments);
//! - the Kubernetes annotation `guardrail.dev/ignore: "ID[, ID…] -- reason"` on an object;
//! - Checkov's own forms (`# checkov:skip=CKV_AWS_20:reason` comments, `Metadata.checkov.skip`,
//!   `checkov.io/skipN: CKV_K8S_20=reason` annotations): they silence every rule whose
//!   `references.checkov` lists that id; cfn-guard's `Metadata.guard.SuppressedRules`, every
//!   rule whose `references.guard` lists it.
//!
//! The work is split by job, each reading what an earlier stage produced:
//!
//! - the parsers hand back every comment of a YAML or HCL file
//!   ([`crate::scan::GraphScan::comments`]), and the adapters read `Metadata` and annotations
//!   into each resource's [`crate::graph::Resource::suppressions`];
//! - [`directive`]: what a suppression says, and the parsing of comment and annotation texts;
//! - `place`: what a comment applies to (a resource, a line, nothing);
//! - [`apply`]: marking the findings a suppression covers and names;
//! - [`audit`]: a finding of [`NO_REASON`] or [`SUPPRESSES_NOTHING`] for each wrong one.
//!
//! Suppressed findings stay in the report with [`ReportFinding::suppression`] set; they never
//! fail the gate.
//!
//! [`ReportFinding::suppression`]: crate::report::ReportFinding::suppression

mod apply;
pub mod audit;
pub mod directive;
mod place;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::evaluate::RulePack;
use crate::report::Report;
use crate::rules::builtin::builtin;
use crate::rules::model::Rule;
use crate::scan::GraphScan;

pub use audit::{NO_REASON, SUPPRESSES_NOTHING};
pub use directive::ANNOTATION;

/// The built-in rules the suppression audit reports (`GEN-SUPPRESS-*`, rule files with
/// `reported_by: suppression-audit`). They are part of the built-in pack
/// ([`crate::rules::builtin::builtin`]); leaving one out of a scanner's rules, or
/// `--ignore`-ing it, turns its check off.
pub fn meta_rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        builtin()
            .rules
            .iter()
            .filter(|r| r.reported_by == Some(crate::rules::model::ReportedBy::SuppressionAudit))
            .cloned()
            .collect()
    })
}

/// Whether `id` names one of the rules the suppression audit reports (any case).
pub fn is_meta_rule(id: &str) -> bool {
    audit::is_audit_rule(id)
}

/// Marks the findings of `report` that the scanned files suppress, adds a finding for each
/// wrong suppression (when its audit rule is in `pack`).
pub fn apply(report: &mut Report, scan: &GraphScan, pack: &RulePack) {
    let places = place::Places::new(scan);
    let mut found = Vec::new();
    for (id, comments) in &scan.comments {
        if let Some(file) = scan.files.get(*id) {
            found.extend(place::in_comments(file, comments, &places));
        }
    }
    found.extend(place::on_resources(scan));
    if found.is_empty() {
        return;
    }
    apply::order(&mut found);

    let rules: HashMap<String, &Rule> = pack
        .rules()
        .iter()
        .map(|r| (r.id.to_ascii_uppercase(), r))
        .collect();
    let applied = apply::apply(report, scan, &found, &rules);
    let wrong = audit::audit(scan, &places, &rules, &found, &applied);
    report.findings.extend(wrong);
    report.findings.sort_by(|a, b| {
        (&a.file, a.start, &a.rule_id, &a.resource).cmp(&(
            &b.file,
            b.start,
            &b.rule_id,
            &b.resource,
        ))
    });
}
