//! Evaluation: every rule binding on every resource it applies to, in parallel, each giving a
//! [`Verdict`]: pass, fail, unknown or not applicable, with the place that decided it (for a
//! pass, the evidence). The Guard engine (`crate::guard`, feature `guard`) gives the same
//! records, so reports treat both alike.
//!
//! [`RulePack::new`] indexes bindings by the type keys a resource can have, once per
//! process; [`RulePack::evaluate`] then looks each resource's bindings up by hash instead of
//! testing every rule. The result is sorted, so it is the same byte for byte on every run.

mod expr;
mod values;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::graph::{Framework, Resource, ResourceGraph, ResourceId};
use crate::progress::{Progress, Stage};
use crate::rules::helpers::{AttrPath, Blame, Truth};
use crate::rules::model::{Binding, Rule};
use crate::source::Span;

/// What a rule concluded about one resource (or, for Guard, one document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Status {
    /// The condition does not hold.
    Fail,
    /// The condition depends on values known only at deployment.
    Unknown,
    /// The condition holds: the resource is compliant, and the verdict's place is the
    /// evidence.
    Pass,
    /// The rule does not apply: the binding's `when` is false (or cfn-guard said SKIP).
    NotApplicable,
}

impl Status {
    /// Its name in reports: `fail`, `unknown`, `pass`, `not-applicable`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Pass => "pass",
            Status::NotApplicable => "not-applicable",
        }
    }

    /// Fail or unknown: a verdict that is reported as a finding.
    pub fn is_finding(self) -> bool {
        matches!(self, Status::Fail | Status::Unknown)
    }
}

/// Which engine reached a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Engine {
    /// guardrail's own rules (built in, or from `--rules`).
    Rules,
    /// AWS CloudFormation Guard (cfn-guard), which judges documents: the index of the document
    /// in its file (0 for a template; Kubernetes files hold several).
    Guard {
        /// The document's index in its file.
        document: u32,
    },
}

/// One rule's verdict on one resource: pass, fail, unknown or not applicable, with the place
/// that decided it. For a failure that is the offending attribute; for a pass, the evidence
/// (`block_public_acls = true`); for an absent attribute, the resource's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Index of the rule in the pack.
    pub rule: usize,
    /// The resource; `None` for a verdict about a document as a whole (a Guard rule on a
    /// template's top-level keys, or cfn-guard's PASS and SKIP on a document).
    pub resource: Option<ResourceId>,
    /// What the rule concluded.
    pub status: Status,
    /// Where to point: the deciding attribute, or the resource's name when it is absent.
    pub span: Span,
    /// The attribute path the verdict rests on (empty when it is about the whole resource):
    /// its text is the finding's `attribute` and part of its fingerprint.
    pub path: AttrPath,
    /// What was seen there.
    pub seen: String,
    /// The value judged is a provider default standing in for an absent attribute (the span
    /// is then the resource's name).
    pub default: bool,
    /// The engine that reached it.
    pub engine: Engine,
}

/// A rule pack ready to run: rules with their bindings indexed by type key.
#[derive(Debug)]
pub struct RulePack {
    rules: Arc<[Rule]>,
    /// `(framework, type key)` → `(rule index, binding index)`.
    dispatch: HashMap<(Framework, String), Vec<(usize, usize)>>,
}

impl RulePack {
    /// Indexes the rules' bindings.
    pub fn new(rules: Vec<Rule>) -> Self {
        let mut dispatch: HashMap<(Framework, String), Vec<(usize, usize)>> = HashMap::new();
        for (r, rule) in rules.iter().enumerate() {
            for (b, binding) in rule.bindings.iter().enumerate() {
                for pattern in &binding.types {
                    dispatch
                        .entry((binding.framework, pattern.0.clone()))
                        .or_default()
                        .push((r, b));
                }
            }
        }
        for entries in dispatch.values_mut() {
            entries.sort_unstable();
            entries.dedup();
        }
        RulePack {
            rules: rules.into(),
            dispatch,
        }
    }

    /// The rules, in pack order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules, shared (reports keep them to name what their verdicts are about).
    pub fn shared_rules(&self) -> Arc<[Rule]> {
        Arc::clone(&self.rules)
    }

    /// The rule with this index.
    pub fn rule(&self, index: usize) -> Option<&Rule> {
        self.rules.get(index)
    }

    /// Whether some rule of the pack binds `resource`'s type (it is checked at all).
    pub fn binds(&self, resource: &Resource) -> bool {
        resource.type_keys.iter().any(|key| {
            self.dispatch
                .contains_key(&(resource.framework, key.clone()))
        })
    }

    /// The bindings that apply to `resource`.
    fn bindings_for(&self, resource: &Resource) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for key in &resource.type_keys {
            if let Some(entries) = self.dispatch.get(&(resource.framework, key.clone())) {
                out.extend_from_slice(entries);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Runs every applicable binding on every resource: one verdict per binding and resource
    /// it applies to, sorted by file, position, rule and resource.
    pub fn evaluate(&self, graph: &ResourceGraph) -> Vec<Verdict> {
        self.evaluate_with_progress(graph, &Progress::default())
    }

    /// [`evaluate`](Self::evaluate), reporting each resource checked as a
    /// [`Stage::Evaluate`] item (the caller announces the stage's start and finish).
    pub fn evaluate_with_progress(
        &self,
        graph: &ResourceGraph,
        progress: &Progress,
    ) -> Vec<Verdict> {
        let ids: Vec<ResourceId> = graph.iter().map(|(id, _)| id).collect();
        let mut verdicts: Vec<Verdict> = ids
            .par_iter()
            .flat_map_iter(|&id| {
                let bindings = graph
                    .resource(id)
                    .map(|r| self.bindings_for(r))
                    .unwrap_or_default();
                let found: Vec<Verdict> = bindings
                    .into_iter()
                    .filter_map(|(r, b)| {
                        let binding = self.rules.get(r)?.bindings.get(b)?;
                        check(graph, id, binding).map(|(status, blame)| Verdict {
                            rule: r,
                            resource: Some(id),
                            status,
                            span: blame.span,
                            path: blame.path,
                            seen: blame.seen,
                            default: blame.default,
                            engine: Engine::Rules,
                        })
                    })
                    .collect();
                progress.advance(Stage::Evaluate);
                found
            })
            .collect();
        verdicts.sort_by(|a, b| {
            (a.span.file, a.span.start, a.rule, a.resource).cmp(&(
                b.span.file,
                b.span.start,
                b.rule,
                b.resource,
            ))
        });
        verdicts
    }
}

/// One binding on one resource: its status and the place that decided it (`None` only when
/// the resource is not in the graph).
fn check(graph: &ResourceGraph, id: ResourceId, binding: &Binding) -> Option<(Status, Blame)> {
    let resource = graph.resource(id)?;
    let mut ctx = expr::Ctx::new(graph, id, Some(binding))?;
    let (applicable, when_blame) = match &binding.when {
        Some(when) => {
            let verdict = ctx.eval(&when.expr);
            (verdict.truth, verdict.blame)
        }
        None => (Truth::True, None),
    };
    let (status, blame) = if applicable == Truth::False {
        (Status::NotApplicable, when_blame)
    } else {
        let verdict = ctx.eval(&binding.require.expr);
        let status = match (verdict.truth, applicable) {
            (Truth::True, _) => Status::Pass,
            (Truth::False, Truth::True) => Status::Fail,
            _ => Status::Unknown,
        };
        (status, verdict.blame)
    };
    let blame = blame.unwrap_or_else(|| Blame::at(resource.name_span));
    Some((status, blame))
}
