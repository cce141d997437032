//! Finding the values a path names in a resource's finished attributes.
//!
//! Paths step through maps by key, through lists by index or `[*]`, and through lists of maps
//! by key implicitly (Terraform nested blocks are lists of maps, so `versioning.enabled` works
//! whether there is one block or several). Stepping into an unknown value yields an unknown
//! value: what is inside something unknown is unknown, not absent. A value that is one of
//! several ([`Value::OneOf`]) stands for each of them: a rule holds only when it holds for
//! every alternative.
//!
//! Values arrive finished from the adapters (CloudFormation intrinsics resolved, Terraform
//! expressions evaluated), so nothing here knows a framework.

use std::borrow::Cow;

use crate::graph::Resource;
use crate::rules::lang::{Path, Segment};
use crate::value::{Node, Value};

/// Reads values of one resource.
pub(crate) struct Reader<'a> {
    pub resource: &'a Resource,
}

impl<'a> Reader<'a> {
    /// The values at `path` below `start`.
    pub fn follow(&self, start: Vec<Cow<'a, Node>>, path: &Path) -> Vec<Cow<'a, Node>> {
        let mut current = alternatives(start);
        for segment in &path.segments {
            let mut next = Vec::new();
            for node in current {
                step(node, segment, &mut next);
            }
            current = alternatives(next);
        }
        current
    }
}

fn step<'a>(node: Cow<'a, Node>, segment: &Segment, out: &mut Vec<Cow<'a, Node>>) {
    if node.is_unknown() {
        out.push(node);
        return;
    }
    match (segment, node) {
        (Segment::Key(key), Cow::Borrowed(n)) => match &n.value {
            Value::Map(m) => out.extend(m.get(key).map(Cow::Borrowed)),
            Value::Seq(items) => {
                for item in alternatives(items.iter().map(Cow::Borrowed).collect()) {
                    step(item, segment, out);
                }
            }
            _ => {}
        },
        (Segment::Index(i), Cow::Borrowed(n)) => {
            out.extend(n.as_seq().and_then(|s| s.get(*i)).map(Cow::Borrowed));
        }
        (Segment::AnyItem, Cow::Borrowed(n)) => {
            out.extend(n.as_seq().into_iter().flatten().map(Cow::Borrowed));
        }
        (Segment::AnyValue, Cow::Borrowed(n)) => {
            out.extend(
                n.as_map()
                    .into_iter()
                    .flat_map(|m| m.iter().map(|e| Cow::Borrowed(&e.value))),
            );
        }
        // Owned nodes are the evaluator's own (a quantifier's synthetic item); their
        // children are copied out.
        (segment, Cow::Owned(n)) => {
            let mut borrowed = Vec::new();
            step(Cow::Borrowed(&n), segment, &mut borrowed);
            out.extend(borrowed.into_iter().map(|c| Cow::Owned(c.into_owned())));
        }
    }
}

/// Each node, or for one that is one of several values, each alternative.
pub(crate) fn alternatives(nodes: Vec<Cow<'_, Node>>) -> Vec<Cow<'_, Node>> {
    if !nodes.iter().any(|n| matches!(n.value, Value::OneOf(_))) {
        return nodes;
    }
    let mut out = Vec::with_capacity(nodes.len() + 1);
    for node in nodes {
        match node {
            Cow::Borrowed(n) => out.extend(n.alternatives().iter().map(Cow::Borrowed)),
            Cow::Owned(n) => match n.value {
                Value::OneOf(items) => out.extend(items.into_iter().map(Cow::Owned)),
                _ => out.push(Cow::Owned(n)),
            },
        }
    }
    out
}
