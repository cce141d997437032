//! Auditing suppressions: a suppression is a decision someone must be able to review, so a
//! wrong one becomes an info finding of a rule the audit reports, located at the suppression:
//! [`NO_REASON`] when it gives no reason, [`SUPPRESSES_NOTHING`] when it silences nothing
//! (no finding of the rule where it applies, an id that is not a rule, no id, no line below
//! it, a Metadata entry or annotation of the wrong shape). Those rules are ordinary rule
//! files (`rules/gen/suppress/`) that declare `reported_by: suppression-audit`; leaving one
//! out of the rules that run turns its check off.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use crate::evaluate::Status;
use crate::graph::Framework;
use crate::report::{ReportFinding, SuppressionKind, fingerprint};
use crate::rules::builtin::LazyPack;
use crate::rules::model::Rule;
use crate::scan::GraphScan;
use crate::suppress::apply::Applied;
use crate::suppress::place::{Found, Place, Places};

/// The rule for a suppression that gives no reason.
pub const NO_REASON: &str = "GEN-SUPPRESS-001";
/// The rule for a suppression that silences nothing: no finding of the rule where it is
/// written, or a rule id guardrail does not know.
pub const SUPPRESSES_NOTHING: &str = "GEN-SUPPRESS-002";
/// Every rule the audit reports.
pub const RULES: [&str; 2] = [NO_REASON, SUPPRESSES_NOTHING];

/// Whether `id` names a rule the audit reports (any case).
pub fn is_audit_rule(id: &str) -> bool {
    RULES.iter().any(|r| r.eq_ignore_ascii_case(id))
}

/// The findings about the wrong ones among `found`, given what applying them did; only for
/// the audit rules among `rules` (the rules that ran, by upper-case id).
pub(crate) fn audit(
    scan: &GraphScan,
    places: &Places<'_>,
    rules: &HashMap<String, &Rule>,
    found: &[Found],
    applied: &Applied,
) -> Vec<ReportFinding> {
    let mut judge = Judge {
        scan,
        places,
        rules,
        known: OnceCell::new(),
        out: Vec::new(),
    };
    for ((s, used), silenced) in found.iter().zip(&applied.used).zip(&applied.silenced) {
        judge.suppression(s, used, silenced);
    }
    judge.out
}

/// Turns wrong suppressions into findings of the meta rules.
struct Judge<'a> {
    scan: &'a GraphScan,
    places: &'a Places<'a>,
    /// The rules that ran, by upper-case id.
    rules: &'a HashMap<String, &'a Rule>,
    /// Every rule id guardrail knows (built in, loaded), upper case; built when first
    /// needed, as most scans have no suppression naming an id that did not run.
    known: OnceCell<HashSet<String>>,
    out: Vec<ReportFinding>,
}

impl Judge<'_> {
    fn suppression(&mut self, found: &Found, used: &[bool], silenced: &[String]) {
        let s = &found.directive;
        let label = &s.label;
        if matches!(s.kind, SuppressionKind::Checkov | SuppressionKind::Guard) {
            // Another tool's skips are judged only as far as they affect guardrail: one that
            // silences nothing here may still be needed by that tool itself.
            if s.reason.is_none() && !silenced.is_empty() {
                self.emit(
                    NO_REASON,
                    found,
                    &s.ids.join(","),
                    format!(
                        "{label} gives no reason, yet it silences {} here: {}",
                        silenced.join(", "),
                        s.hint
                    ),
                );
            }
            return;
        }
        if let Some(problem) = &s.problem {
            self.emit(SUPPRESSES_NOTHING, found, "", problem.clone());
            return;
        }
        if s.ids.is_empty() {
            self.emit(
                SUPPRESSES_NOTHING,
                found,
                "",
                format!("{label} names no rule, so it suppresses nothing"),
            );
        }
        if s.reason.is_none() {
            let what = if s.ids.is_empty() {
                String::new()
            } else {
                format!(" silencing {}", s.ids.join(", "))
            };
            self.emit(
                NO_REASON,
                found,
                &s.ids.join(","),
                format!("{label}{what} gives no reason: {}", s.hint),
            );
        }
        for (id, &used) in s.ids.iter().zip(used) {
            if used {
                continue;
            }
            let upper = id.to_ascii_uppercase();
            let message = if is_audit_rule(id) {
                format!(
                    "findings of {upper} cannot be suppressed in the files they are about; \
                     run with `--ignore {upper}` to turn the check off"
                )
            } else if upper == "ALL" || id.contains('*') {
                format!(
                    "`{id}` is not a rule id: a suppression names each rule it silences, so it \
                     suppresses nothing"
                )
            } else if !self.rules.contains_key(&upper) && !self.known().contains(&upper) {
                format!("`{id}` is not a known rule id, so it suppresses nothing")
            } else if !self.rules.contains_key(&upper) {
                // The rule did not run (`--select`, `--ignore`): nothing can be said.
                continue;
            } else {
                match &found.place {
                    Place::Resources(ids) => format!(
                        "{upper} has no finding on {} to suppress",
                        ids.iter()
                            .filter_map(|&r| self.scan.graph.resource(r))
                            .map(|r| format!("`{}`", r.address))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Place::Line(_, line) => format!(
                        "{upper} has no finding at line {line} to suppress (above a resource's \
                         first line a suppression covers the whole resource)"
                    ),
                    Place::Nowhere => format!(
                        "{label} is not directly above a line (a blank line or the end of the \
                         file follows it), so {upper} is suppressed nowhere"
                    ),
                }
            };
            self.emit(SUPPRESSES_NOTHING, found, &upper, message);
        }
    }

    fn known(&self) -> &HashSet<String> {
        self.known.get_or_init(|| {
            LazyPack::builtin()
                .rules()
                .iter()
                .map(|r| r.id())
                .chain(self.rules.values().map(|r| r.id.as_str()))
                .map(str::to_ascii_uppercase)
                .collect()
        })
    }

    /// Adds a finding of audit rule `rule_id` about suppression `found`; `subject` tells it apart
    /// from other findings of the same suppression in the fingerprint.
    fn emit(&mut self, rule_id: &str, found: &Found, subject: &str, message: String) {
        let s = &found.directive;
        let Some(rule) = self.rules.get(rule_id) else {
            return;
        };
        let Some(file) = self.scan.files.get(s.span.file) else {
            return;
        };
        let resource = match &found.place {
            Place::Resources(ids) => ids.first().copied(),
            Place::Line(_, line) => self.places.containing_line(file, *line),
            Place::Nowhere => None,
        }
        .or_else(|| self.places.containing(file.id, s.span.start))
        .and_then(|id| self.scan.graph.resource(id));
        let path = file.display_path();
        let (address, type_name, framework, scope) = match resource {
            Some(r) => (
                r.address.clone(),
                r.type_name.clone(),
                r.framework,
                r.scope.clone(),
            ),
            None => (
                path.clone(),
                "file".to_owned(),
                self.scan
                    .frameworks
                    .get(&file.id)
                    .copied()
                    .unwrap_or(Framework::Terraform),
                format!("file:{path}"),
            ),
        };
        let kind = serde_json::to_value(s.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let text = crate::report::RuleText::of(rule);
        self.out.push(ReportFinding {
            rule_id: rule.id.clone(),
            headline: text.problem,
            title: text.title,
            guard_file: None,
            severity: rule.severity,
            status: Status::Fail,
            stride: text.stride,
            nist: text.nist,
            resource: address.clone(),
            resource_type: type_name,
            framework,
            file: path,
            span: s.span,
            start: file.line_col(s.span.start),
            end: file.line_col(s.span.end),
            attribute: String::new(),
            message,
            remediation: text.remediation,
            fingerprint: fingerprint(&[
                &rule.id,
                &scope,
                &address,
                &format!("suppression:{kind}:{subject}"),
            ]),
            suppression: None,
            origin: Vec::new(),
        });
    }
}
