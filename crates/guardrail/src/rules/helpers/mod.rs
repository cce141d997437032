//! Helpers: the checks written in Rust that rule conditions call by name, for what data
//! cannot express well (IAM policy documents, CIDR ranges, port ranges, secret-looking
//! values, Kubernetes namespaces left to apply time). Each is documented here, listed in
//! [`HELPERS`] (so the rule loader can reject unknown names and wrong arities at load time)
//! and unit-tested in its module.

pub mod iam;
pub mod k8s;
pub mod kms;
pub mod net;
pub mod path;
pub mod scan;
pub mod secrets;
pub mod url;

pub use path::{AttrPath, PathRoot, PathStep};

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
    #[allow(clippy::should_implement_trait)]
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
    /// (`Statement[0]`), as data.
    pub path: AttrPath,
    /// What was seen there, for the message: `false`, `"0.0.0.0/0"`, `absent`, `Action "*"
    /// on Resource "*"`.
    pub seen: String,
    /// The value judged is a provider default standing in for an absent attribute; the span
    /// is the resource's.
    pub default: bool,
}

impl Blame {
    /// The resource (or document) as a whole, at `span`: no attribute, nothing seen.
    pub fn at(span: Span) -> Blame {
        Blame {
            span,
            path: AttrPath::new(),
            seen: String::new(),
            default: false,
        }
    }
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
    pub fn at(
        truth: Truth,
        node: &Node,
        path: impl Into<AttrPath>,
        seen: impl Into<String>,
    ) -> Verdict {
        Verdict {
            truth,
            blame: Some(Blame {
                span: node.span,
                path: path.into(),
                seen: seen.into(),
                default: node.provenance == crate::value::Provenance::Default,
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

/// Declares a helper's registry entry: the same paragraph is its rustdoc and its [`Helper::doc`],
/// so the generated rule docs and the API docs cannot drift apart.
macro_rules! declare_helper {
    ($id:ident, $name:literal, $arity:literal, $check:path, $doc:literal $(,)?) => {
        #[doc = $doc]
        pub const $id: $crate::rules::helpers::Helper = $crate::rules::helpers::Helper {
            name: $name,
            arity: $arity,
            doc: $doc,
            check: $check,
        };
    };
}
use declare_helper;

/// Every helper, by name.
pub static HELPERS: &[Helper] = &[
    iam::FULL_ADMIN,
    iam::SERVICE_WILDCARD_ON_ALL_RESOURCES,
    iam::WILDCARD_ACTION_ON_ALL_RESOURCES,
    iam::ALLOW_ALL_ACTIONS,
    iam::PASSROLE_ON_ANY_RESOURCE,
    iam::ALLOW_NOT_ACTION,
    iam::PUBLIC_PRINCIPAL,
    iam::WEB_IDENTITY_WITHOUT_SUBJECT,
    iam::PRIVILEGE_ESCALATION,
    iam::CREDENTIALS_EXPOSURE,
    iam::DATA_EXFILTRATION,
    iam::PERMISSIONS_MANAGEMENT,
    iam::WRITE_WITHOUT_CONSTRAINTS,
    net::CIDR_IS_PUBLIC,
    net::PORTS_COVERS,
    net::PORTS_ALL_PORTS,
    secrets::KNOWN_FORMAT,
    secrets::SENSITIVE_NAME,
    secrets::LITERAL,
    k8s::DEFAULT_NAMESPACE,
    kms::CUSTOMER_MANAGED,
    scan::OUTSIDE,
    url::PLAIN_HTTP,
];

/// What a helper's blame shows when its verdict rests on its first argument being absent;
/// the evaluator then points the blame where an absent attribute is pointed at.
pub(crate) const ABSENT: &str = "absent";

/// The helper called `name`.
pub fn helper(name: &str) -> Option<&'static Helper> {
    HELPERS.iter().find(|h| h.name == name)
}

/// Kleene conjunction: false wins, then unknown.
pub(crate) fn and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::False, _) | (_, Truth::False) => Truth::False,
        (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
        _ => Truth::True,
    }
}

/// Kleene disjunction: true wins, then unknown.
pub(crate) fn or(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::True, _) | (_, Truth::True) => Truth::True,
        (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
        _ => Truth::False,
    }
}

/// The values of argument `i` (none when it is absent or the call has fewer arguments).
pub(crate) fn arg<'c, 'a>(call: &'c HelperCall<'a>, i: usize) -> &'c [ArgValue<'a>] {
    call.args.get(i).map_or(&[], Vec::as_slice)
}

/// "Any value counts": the first true verdict, else the first unknown one, else false (with
/// the first false verdict's blame, if any).
pub(crate) fn any_verdict(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut unknown = None;
    let mut first_false = None;
    for v in verdicts {
        match v.truth {
            Truth::True => return v,
            Truth::Unknown if unknown.is_none() => unknown = Some(v),
            Truth::False if first_false.is_none() => first_false = Some(v),
            _ => {}
        }
    }
    unknown
        .or(first_false)
        .unwrap_or_else(|| Verdict::of(Truth::False))
}

/// An unknown value's expression, shortened for a message.
pub(crate) fn shown_expression(expression: &str) -> String {
    const MAX: usize = 60;
    let one_line = expression.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "a value known only at deployment".to_owned();
    }
    match one_line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", one_line.get(..cut).unwrap_or(&one_line)),
        None => one_line,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! Builders for hand-made nodes and calls, shared by the helpers' tests.

    use std::borrow::Cow;
    use std::sync::LazyLock;

    use super::*;
    use crate::graph::GraphBuilder;
    use crate::source::FileId;
    use crate::value::{Entry, Map, Value};

    static EMPTY: LazyLock<ResourceGraph> = LazyLock::new(|| GraphBuilder::new().build());

    pub(crate) fn span() -> Span {
        Span::new(FileId(0), 0, 0)
    }

    pub(crate) fn node(value: Value) -> Node {
        Node::new(value, span())
    }

    pub(crate) fn s(text: &str) -> Node {
        node(Value::String(text.to_owned()))
    }

    pub(crate) fn int(n: i64) -> Node {
        node(Value::Int(n))
    }

    pub(crate) fn list(items: Vec<Node>) -> Node {
        node(Value::Seq(items))
    }

    pub(crate) fn strs(items: &[&str]) -> Node {
        list(items.iter().map(|t| s(t)).collect())
    }

    pub(crate) fn map(entries: Vec<(&str, Node)>) -> Node {
        let mut m = Map::new();
        for (key, value) in entries {
            m.insert(Entry {
                key: key.to_owned(),
                key_span: span(),
                value,
            });
        }
        node(Value::Map(m))
    }

    /// The value of a Terraform expression that is unknown before deployment, as the
    /// Terraform adapter finishes it (with what it waits for, and the known text of a
    /// template), at the test span.
    pub(crate) fn unknown(expression: &str) -> Node {
        let node = crate::testing::terraform_value(expression);
        assert!(
            matches!(node.value, Value::Unknown(_) | Value::OneOf(_)),
            "{expression} is known: {:?}",
            node.value
        );
        node
    }

    /// A call on resource 0 of an empty graph: each argument's values.
    pub(crate) fn call(args: Vec<Vec<Node>>) -> HelperCall<'static> {
        call_in(&EMPTY, ResourceId(0), args)
    }

    /// A call on `resource` of `graph`.
    pub(crate) fn call_in(
        graph: &ResourceGraph,
        resource: ResourceId,
        args: Vec<Vec<Node>>,
    ) -> HelperCall<'_> {
        HelperCall {
            args: args
                .into_iter()
                .map(|values| {
                    values
                        .into_iter()
                        .map(|n| ArgValue {
                            node: Cow::Owned(n),
                            path: "value",
                        })
                        .collect()
                })
                .collect(),
            graph,
            resource,
        }
    }

    #[test]
    fn registry_names_are_unique_and_documented() {
        for (i, h) in HELPERS.iter().enumerate() {
            assert!(
                helper(h.name).is_some_and(|found| std::ptr::eq(found, h)),
                "{}",
                h.name
            );
            assert!(h.doc.contains("Example:"), "{} has no example", h.name);
            assert!(h.arity >= 1);
            assert!(HELPERS.iter().skip(i + 1).all(|other| other.name != h.name));
        }
        assert!(helper("iam.nope").is_none());
    }

    #[test]
    fn kleene() {
        use Truth::*;
        assert_eq!(and(True, Unknown), Unknown);
        assert_eq!(and(False, Unknown), False);
        assert_eq!(or(True, Unknown), True);
        assert_eq!(or(False, Unknown), Unknown);
        assert_eq!(or(False, False), False);
    }
}
