//! Evaluation: every rule binding on every resource it applies to, in parallel.
//!
//! [`RulePack::new`] indexes bindings by the type keys a resource can have, once per
//! process; [`RulePack::evaluate`] then looks each resource's bindings up by hash instead of
//! testing every rule. The result is sorted, so it is the same byte for byte on every run.

mod expr;
mod values;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::graph::{Framework, Resource, ResourceGraph, ResourceId};
use crate::progress::{Progress, Stage};
use crate::rules::helpers::{Blame, Truth};
use crate::rules::model::{Binding, Rule};
use crate::source::Span;

/// Whether a resource fails a rule or cannot be judged from the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The condition does not hold.
    Fail,
    /// The condition depends on values known only at deployment.
    Unknown,
}

/// One rule failed (or undecidable) on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Index of the rule in the pack.
    pub rule: usize,
    /// The resource; `None` for a finding about a document as a whole (a Guard rule on a
    /// template's top-level keys).
    pub resource: Option<ResourceId>,
    /// Fail or unknown.
    pub status: Status,
    /// Where to point: the offending attribute, or the resource's name when it is absent.
    pub span: Span,
    /// The attribute path the verdict rests on (empty when it is about the whole resource).
    pub path: String,
    /// What was seen there.
    pub seen: String,
}

/// A rule pack ready to run: rules with their bindings indexed by type key.
#[derive(Debug)]
pub struct RulePack {
    rules: Vec<Rule>,
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
        RulePack { rules, dispatch }
    }

    /// The rules, in pack order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this index.
    pub fn rule(&self, index: usize) -> Option<&Rule> {
        self.rules.get(index)
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

    /// Runs every applicable binding on every resource.
    pub fn evaluate(&self, graph: &ResourceGraph) -> Vec<Finding> {
        self.evaluate_with_progress(graph, &Progress::default())
    }

    /// [`evaluate`](Self::evaluate), reporting each resource checked as a
    /// [`Stage::Evaluate`] item (the caller announces the stage's start and finish).
    pub fn evaluate_with_progress(
        &self,
        graph: &ResourceGraph,
        progress: &Progress,
    ) -> Vec<Finding> {
        let ids: Vec<ResourceId> = graph.iter().map(|(id, _)| id).collect();
        let mut findings: Vec<Finding> = ids
            .par_iter()
            .flat_map_iter(|&id| {
                let bindings = graph
                    .resource(id)
                    .map(|r| self.bindings_for(r))
                    .unwrap_or_default();
                let found: Vec<Finding> = bindings
                    .into_iter()
                    .filter_map(|(r, b)| {
                        let binding = self.rules.get(r)?.bindings.get(b)?;
                        check(graph, id, binding).map(|(status, blame)| Finding {
                            rule: r,
                            resource: Some(id),
                            status,
                            span: blame.span,
                            path: blame.path,
                            seen: blame.seen,
                        })
                    })
                    .collect();
                progress.advance(Stage::Evaluate);
                found
            })
            .collect();
        findings.sort_by(|a, b| {
            (a.span.file, a.span.start, a.rule, a.resource).cmp(&(
                b.span.file,
                b.span.start,
                b.rule,
                b.resource,
            ))
        });
        findings
    }
}

/// One binding on one resource: `None` when it passes or does not apply.
fn check(graph: &ResourceGraph, id: ResourceId, binding: &Binding) -> Option<(Status, Blame)> {
    let resource = graph.resource(id)?;
    let mut ctx = expr::Ctx::new(graph, id, Some(binding))?;
    let applicable = match &binding.when {
        Some(when) => ctx.eval(&when.expr).truth,
        None => Truth::True,
    };
    if applicable == Truth::False {
        return None;
    }
    let verdict = ctx.eval(&binding.require.expr);
    let status = match (verdict.truth, applicable) {
        (Truth::True, _) => return None,
        (Truth::False, Truth::True) => Status::Fail,
        _ => Status::Unknown,
    };
    let blame = verdict.blame.unwrap_or_else(|| Blame {
        span: resource.name_span,
        path: String::new(),
        seen: String::new(),
    });
    Some((status, blame))
}
