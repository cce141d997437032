//! The condition language of rule bindings: a small expression language over a resource's
//! attribute tree and its neighbours in the graph. `docs/rules.md` is its user guide.
//!
//! ```text
//! Properties.StorageEncrypted == true
//! all($containers, securityContext.privileged != true)
//! not any(Properties.SecurityGroupIngress, cidr.is_public(CidrIp) and ports.covers(FromPort, ToPort, IpProtocol, 22))
//! referenced_by(aws_s3_bucket_public_access_block, block_public_acls == true)
//! ```
//!
//! Conditions are parsed once, when the rule pack loads; every error carries the byte offset
//! in the condition text so the rule loader can point at the exact column of the rule file.

mod lexer;
mod parser;

pub use parser::parse;

use regex::Regex;

/// A byte range within the condition text.
pub type TextRange = std::ops::Range<usize>;

/// A parse error in a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where in the condition text.
    pub range: TextRange,
    /// What is wrong.
    pub message: String,
}

/// A parsed condition.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is written in the condition text.
    pub range: TextRange,
}

/// The forms of [`Expr`].
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A literal value.
    Literal(Literal),
    /// The values at a path.
    Path(Path),
    /// `left op right`.
    Compare {
        /// The operator.
        op: CompareOp,
        /// Left operand (usually a path).
        left: Box<Expr>,
        /// Right operand (usually a literal).
        right: Box<Expr>,
    },
    /// `a and b and …`
    And(Vec<Expr>),
    /// `a or b or …`
    Or(Vec<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// `all(path, cond)`, `any(path, cond)`, `none(path, cond)`: `cond` is evaluated with
    /// each value at `path` as the current value `@`.
    Quantifier {
        /// Which quantifier.
        quantifier: Quantifier,
        /// The values to range over (a list's items, or a single value).
        over: Path,
        /// `entries(path)`: range over the entries of the maps at `over` instead, each seen as
        /// a map `{key, value}`, so conditions can look at keys (environment variable names).
        entries: bool,
        /// The condition each must satisfy.
        condition: Box<Expr>,
    },
    /// `exists(path)`: the path has a value that is not null.
    Exists(Path),
    /// `empty(path)`: the path is absent, null, `""`, `[]` or `{}`.
    Empty(Path),
    /// `count(path)`: how many values the path has (list items count one by one).
    Count(Path),
    /// A graph predicate: `references(T…, cond)`, `referenced_by(T…, cond)`,
    /// `selected_by(T…, cond)`. True when a neighbour of one of the types satisfies `cond`
    /// (evaluated on the neighbour).
    Related {
        /// Which neighbours.
        relation: Relation,
        /// Type patterns the neighbour must match.
        types: Vec<String>,
        /// What the neighbour must satisfy (`true` when omitted).
        condition: Option<Box<Expr>>,
    },
    /// A call of a helper written in Rust, such as `iam.public_principal(Policy)`.
    Helper {
        /// The helper's name.
        name: String,
        /// Its arguments.
        args: Vec<Expr>,
    },
}

/// A literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Number(f64),
    /// A quoted string.
    String(String),
    /// `[a, b, …]`
    List(Vec<Literal>),
}

/// Comparison operators.
#[derive(Debug, Clone)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`: the value is one of the list's items.
    In,
    /// `contains`: a list has the item, or a string has the substring.
    Contains,
    /// `matches`: the string matches the regular expression (compiled at load time).
    Matches(Box<Regex>),
}

/// Quantifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// Every value satisfies the condition (true for none at all).
    All,
    /// Some value does.
    Any,
    /// No value does.
    None,
}

/// Graph relations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// This resource refers to the neighbour (any edge kind from this one).
    References,
    /// The neighbour refers to this resource (any edge kind to this one).
    ReferencedBy,
    /// The neighbour selects this resource with a label selector.
    SelectedBy,
}

/// Where a path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// The resource's attribute tree (`$`, or a path with no prefix outside quantifiers).
    Resource,
    /// The current value of the innermost quantifier (`@`, or a path with no prefix inside
    /// a quantifier).
    Current,
    /// Kubernetes: the pod spec of a workload (`$pod`).
    PodSpec,
    /// Kubernetes: every container of a workload's pod spec, init and ephemeral included
    /// (`$containers`).
    Containers,
    /// Kubernetes: the command-line flags of a workload's programs, by program
    /// (`$flags.kube-apiserver.anonymous-auth`).
    Flags,
}

/// A path into the attribute tree: `Properties.Tags[*].Key`, `spec.containers[0]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// Where it starts.
    pub root: Root,
    /// The steps.
    pub segments: Vec<Segment>,
    /// The path as written, for messages and defaults.
    pub text: String,
    /// The same, as the structured path verdicts name (read once, at load time).
    pub place: crate::rules::helpers::AttrPath,
}

/// One step of a [`Path`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A map key. On a list, the key is looked up in every item (Terraform blocks are lists).
    Key(String),
    /// `[N]`: one list item.
    Index(usize),
    /// `[*]`: every list item.
    AnyItem,
    /// `.*`: every value of a map.
    AnyValue,
}
