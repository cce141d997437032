//! Finding the values a path names in a resource, the way each framework means them.
//!
//! Paths step through maps by key, through lists by index or `[*]`, and through lists of maps
//! by key implicitly (Terraform nested blocks are lists of maps, so `versioning.enabled` works
//! whether there is one block or several). Stepping into an unknown value yields an unknown
//! value: what is inside something unknown is unknown, not absent.
//!
//! CloudFormation intrinsics are read as the values they stand for before each step:
//! `Ref` to a parameter with a `Default` is that default (provenance: resolved), `Fn::If`
//! is both branches, `Fn::Sub` and `Fn::Join` of literals are the string they build, a
//! `Ref` to `AWS::NoValue` is absent, anything else (pseudo parameters, `Fn::GetAtt`,
//! `Fn::ImportValue`, …) is unknown.

use std::borrow::Cow;

use crate::adapt::cloudformation::intrinsic_call;
use crate::graph::{Framework, NodeKind, Resource, ResourceGraph};
use crate::rules::lang::{Path, Segment};
use crate::value::{Node, Provenance, Unknown, Value};

/// How deep `Fn::If` / `Ref` chains are followed (they cannot nest deeper in a valid
/// template; the bound protects against hostile input).
const MAX_INTRINSIC_DEPTH: usize = 16;

/// Reads values of one resource.
pub(crate) struct Reader<'a> {
    pub graph: &'a ResourceGraph,
    pub resource: &'a Resource,
}

impl<'a> Reader<'a> {
    /// The values at `segments` below `start`.
    pub fn follow(&self, start: Vec<Cow<'a, Node>>, path: &Path) -> Vec<Cow<'a, Node>> {
        let mut current = self.expand_all(start);
        for segment in &path.segments {
            let mut next = Vec::new();
            for node in current {
                self.step(node, segment, &mut next);
            }
            current = self.expand_all(next);
        }
        current
    }

    fn step(&self, node: Cow<'a, Node>, segment: &Segment, out: &mut Vec<Cow<'a, Node>>) {
        if node.is_unknown() {
            out.push(node);
            return;
        }
        match (segment, node) {
            (Segment::Key(key), Cow::Borrowed(n)) => match &n.value {
                Value::Map(m) => out.extend(m.get(key).map(Cow::Borrowed)),
                Value::Seq(items) => {
                    for item in items {
                        for item in self.expand(Cow::Borrowed(item)) {
                            self.step(item, segment, out);
                        }
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
            // Owned nodes come from resolved intrinsics; their children are copied out.
            (segment, Cow::Owned(n)) => {
                let mut borrowed = Vec::new();
                self.step(Cow::Borrowed(&n), segment, &mut borrowed);
                out.extend(borrowed.into_iter().map(|c| Cow::Owned(c.into_owned())));
            }
        }
    }

    fn expand_all(&self, nodes: Vec<Cow<'a, Node>>) -> Vec<Cow<'a, Node>> {
        if self.resource.framework != Framework::CloudFormation {
            return nodes;
        }
        nodes.into_iter().flat_map(|n| self.expand(n)).collect()
    }

    /// A node as the value it stands for (CloudFormation intrinsics resolved).
    pub fn expand(&self, node: Cow<'a, Node>) -> Vec<Cow<'a, Node>> {
        if self.resource.framework != Framework::CloudFormation {
            return vec![node];
        }
        let mut out = Vec::new();
        self.intrinsic(node, 0, &mut out);
        out
    }

    fn intrinsic(&self, node: Cow<'a, Node>, depth: usize, out: &mut Vec<Cow<'a, Node>>) {
        let Some((function, argument)) = intrinsic_call(&node) else {
            out.push(node);
            return;
        };
        let unknown = |out: &mut Vec<Cow<'a, Node>>| {
            out.push(Cow::Owned(unknown_at(&node, describe(&node))));
        };
        if depth >= MAX_INTRINSIC_DEPTH {
            unknown(out);
            return;
        }
        match function {
            "Ref" => match argument.as_str() {
                Some("AWS::NoValue") => out.push(Cow::Owned(Node {
                    value: Value::Null,
                    span: node.span,
                    provenance: Provenance::Default,
                })),
                Some(name) => match self.parameter_default(name) {
                    Some(default) => out.push(Cow::Owned(Node {
                        value: default.value.clone(),
                        span: node.span,
                        provenance: Provenance::Resolved(default.span),
                    })),
                    None => unknown(out),
                },
                None => unknown(out),
            },
            "Fn::If" => match argument.as_seq() {
                Some([_, yes, no]) => {
                    for branch in [yes, no] {
                        self.intrinsic(Cow::Owned(branch.clone()), depth + 1, out);
                    }
                }
                _ => unknown(out),
            },
            "Fn::Sub" => match argument.as_str() {
                // No placeholders (escapes such as `${!Literal}` are literal text): the
                // string is known.
                Some(text) if crate::adapt::cloudformation::sub::placeholders(text).is_empty() => {
                    out.push(Cow::Owned(Node {
                        value: Value::String(text.replace("${!", "${")),
                        span: node.span,
                        provenance: node.provenance,
                    }));
                }
                _ => unknown(out),
            },
            "Fn::Join" => match self.join(argument, depth) {
                Some(text) => out.push(Cow::Owned(Node {
                    value: Value::String(text),
                    span: node.span,
                    provenance: node.provenance,
                })),
                None => unknown(out),
            },
            _ => unknown(out),
        }
    }

    fn join(&self, argument: &Node, depth: usize) -> Option<String> {
        let [separator, items] = argument.as_seq()? else {
            return None;
        };
        let separator = separator.as_str()?;
        let mut parts = Vec::new();
        for item in items.as_seq()? {
            let mut values = Vec::new();
            self.intrinsic(Cow::Borrowed(item), depth + 1, &mut values);
            let [value] = values.as_slice() else {
                return None;
            };
            parts.push(value.value.scalar_text()?);
        }
        Some(parts.join(separator))
    }

    /// The `Default` of the template parameter `name`, if it is one and has one.
    fn parameter_default(&self, name: &str) -> Option<&'a Node> {
        self.graph
            .find(&self.resource.scope, name)
            .iter()
            .filter_map(|&id| self.graph.resource(id))
            .find(|r| r.kind == NodeKind::Parameter)
            .and_then(|p| p.attributes.get("Default"))
    }
}

/// A short description of an intrinsic for "unknown" messages: `Ref AWS::Region`,
/// `Fn::GetAtt`.
fn describe(node: &Node) -> String {
    match intrinsic_call(node) {
        Some((function, argument)) => match argument.as_str() {
            Some(s) => format!("{function} {s}"),
            None => function.to_owned(),
        },
        None => String::new(),
    }
}

fn unknown_at(node: &Node, expression: String) -> Node {
    Node {
        value: Value::Unknown(Unknown { expression }),
        span: node.span,
        provenance: node.provenance,
    }
}
