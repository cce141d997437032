//! Kubernetes label selectors: `matchLabels` and `matchExpressions`, evaluated against an
//! index of labels so that a selector only looks at the resources that can match it.

use std::collections::HashMap;

use super::ResourceId;

/// Resources by (scope, label key, label value).
pub(crate) type LabelIndex<'a> = HashMap<(&'a str, &'a str, &'a str), Vec<ResourceId>>;

/// A label selector. An empty selector matches every selectable resource in its scope (as a
/// NetworkPolicy's `podSelector: {}` does); adapters that give an empty selector another
/// meaning (a Service without `selector` selects nothing) must not emit a link for it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    /// Labels that must all be present with these values (`matchLabels`, or a Service's
    /// `selector` map).
    pub match_labels: Vec<(String, String)>,
    /// Requirements that must all hold (`matchExpressions`).
    pub match_expressions: Vec<Requirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// The operator.
    pub operator: Operator,
    /// The values, for `In` and `NotIn`.
    pub values: Vec<String>,
}

/// A `matchExpressions` operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// The label's value is one of `values`.
    In,
    /// The label is absent or its value is none of `values`.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

impl Operator {
    /// Parses the operator as Kubernetes spells it.
    pub fn parse(text: &str) -> Option<Operator> {
        match text {
            "In" => Some(Operator::In),
            "NotIn" => Some(Operator::NotIn),
            "Exists" => Some(Operator::Exists),
            "DoesNotExist" => Some(Operator::DoesNotExist),
            _ => None,
        }
    }
}

impl LabelSelector {
    /// Whether `labels` satisfy the selector.
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let value = |key: &str| labels.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        self.match_labels.iter().all(|(k, v)| value(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let v = value(&r.key);
                match r.operator {
                    Operator::In => v.is_some_and(|v| r.values.contains(v)),
                    Operator::NotIn => v.is_none_or(|v| !r.values.contains(v)),
                    Operator::Exists => v.is_some(),
                    Operator::DoesNotExist => v.is_none(),
                }
            })
    }

    /// The resources worth checking with [`LabelSelector::matches`]: the smallest posting
    /// list of a required label, or all selectable resources when nothing narrows it down.
    pub(crate) fn candidates(
        &self,
        scope: &str,
        index: &LabelIndex<'_>,
        all: &[ResourceId],
    ) -> Vec<ResourceId> {
        let posting = |k: &str, v: &str| -> Vec<ResourceId> {
            index.get(&(scope, k, v)).cloned().unwrap_or_default()
        };
        let by_label = self.match_labels.iter().map(|(k, v)| posting(k, v));
        let by_in = self
            .match_expressions
            .iter()
            .filter(|r| r.operator == Operator::In)
            .map(|r| {
                let mut ids: Vec<ResourceId> =
                    r.values.iter().flat_map(|v| posting(&r.key, v)).collect();
                ids.sort();
                ids.dedup();
                ids
            });
        by_label
            .chain(by_in)
            .min_by_key(Vec::len)
            .unwrap_or_else(|| all.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn match_labels_and_expressions_all_must_hold() {
        let sel = LabelSelector {
            match_labels: labels(&[("app", "api")]),
            match_expressions: vec![
                Requirement {
                    key: "tier".into(),
                    operator: Operator::In,
                    values: vec!["web".into(), "edge".into()],
                },
                Requirement {
                    key: "canary".into(),
                    operator: Operator::DoesNotExist,
                    values: vec![],
                },
            ],
        };
        assert!(sel.matches(&labels(&[("app", "api"), ("tier", "edge")])));
        assert!(!sel.matches(&labels(&[("app", "api"), ("tier", "db")])));
        assert!(!sel.matches(&labels(&[("app", "api"), ("tier", "web"), ("canary", "1")])));
        assert!(!sel.matches(&labels(&[("tier", "web")])));
    }

    #[test]
    fn empty_selector_matches_everything_and_not_in_matches_absent_labels() {
        assert!(LabelSelector::default().matches(&[]));
        let sel = LabelSelector {
            match_labels: vec![],
            match_expressions: vec![Requirement {
                key: "env".into(),
                operator: Operator::NotIn,
                values: vec!["prod".into()],
            }],
        };
        assert!(sel.matches(&[]));
        assert!(!sel.matches(&labels(&[("env", "prod")])));
    }
}
