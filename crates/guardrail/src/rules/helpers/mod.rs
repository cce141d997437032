//! Helpers: the checks written in Rust that rule conditions call by name, for what data
//! cannot express well (IAM policy documents, CIDR ranges, port ranges, secret-looking
//! values). Each is documented here, listed in [`HELPERS`] (so the rule loader can reject
//! unknown names and wrong arities at load time) and unit-tested in its module.

pub mod iam;
pub mod net;
pub mod secrets;

use std::borrow::Cow;

use crate::graph::{ResourceGraph, ResourceId};
use crate::source::Span;
use crate::value::Node;

/// Three-valued truth: a value that depends on input not in the files is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided from the files.
    Unknown,
}

impl Truth {
    /// `true` → `True`, `false` → `False`.
    pub fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    /// Kleene negation.
    pub fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// Where and why a verdict was reached: the place a finding points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blame {
    /// The value (or, for an absent attribute, the resource) that decided.
    pub span: Span,
    /// The attribute path as the rule wrote it, or a helper's description of the place
    /// (`Statement[0]`).
    pub path: String,
    /// What was seen there, for the message: `false`, `"0.0.0.0/0"`, `absent`, `Action "*"
    /// on Resource "*"`.
    pub seen: String,
}

/// A verdict with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The truth.
    pub truth: Truth,
    /// The deciding place, when there is one.
    pub blame: Option<Blame>,
}

impl Verdict {
    /// A verdict without a place.
    pub fn of(truth: Truth) -> Verdict {
        Verdict { truth, blame: None }
    }

    /// A verdict that blames `node`.
    pub fn at(truth: Truth, node: &Node, path: impl Into<String>, seen: impl Into<String>) -> Verdict {
        Verdict {
            truth,
            blame: Some(Blame {
                span: node.span,
                path: path.into(),
                seen: seen.into(),
            }),
        }
    }
}

/// One value an argument evaluated to: a node of the resource's tree (or a literal from the
/// rule, as a node spanning the resource) with the path it was found at.
#[derive(Debug, Clone)]
pub struct ArgValue<'a> {
    /// The value.
    pub node: Cow<'a, Node>,
    /// The path as the rule wrote it.
    pub path: &'a str,
}

/// What a helper is called with.
pub struct HelperCall<'a> {
    /// Each argument's values: none when the path is absent, several for a wildcard path.
    pub args: Vec<Vec<ArgValue<'a>>>,
    /// The graph, for helpers that follow references (a Terraform policy built by a
    /// `data "aws_iam_policy_document"`).
    pub graph: &'a ResourceGraph,
    /// The resource being checked.
    pub resource: ResourceId,
}

/// A helper's signature in the registry.
pub struct Helper {
    /// The name conditions call it by: `iam.public_principal`.
    pub name: &'static str,
    /// How many arguments it takes.
    pub arity: usize,
    /// One paragraph for `docs/rules.md` and rule authors: what is true when.
    pub doc: &'static str,
    /// The check.
    pub check: fn(&HelperCall<'_>) -> Verdict,
}

/// Every helper, by name.
pub static HELPERS: &[Helper] = &[];

/// The helper called `name`.
pub fn helper(name: &str) -> Option<&'static Helper> {
    HELPERS.iter().find(|h| h.name == name)
}
