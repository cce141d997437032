//! IAM policy helpers: one normalized statement model ([`Policy`], [`Statement`]) read from
//! every form a policy document takes, and the helpers as queries over it.
//!
//! # Input forms
//!
//! - a map: CloudFormation `PolicyDocument`, `KeyPolicy`, `AssumeRolePolicyDocument`, an
//!   evaluated Terraform `jsonencode({...})`. CloudFormation intrinsics inside it are read as
//!   far as the template allows (`Ref` to a parameter default, `Fn::Sub`/`Fn::Join` text,
//!   `Fn::If` branches as statements that may not apply);
//! - a JSON string (a Terraform heredoc or literal); its nodes have no spans of their own, so
//!   everything in it is blamed on the string;
//! - an unknown Terraform value: `data.aws_iam_policy_document.NAME.json` is followed through
//!   the graph to the data source and its `statement` blocks (with `source_policy_documents`
//!   and `override_policy_documents` merged as Terraform merges them, by `sid`); a heredoc
//!   with `${…}` interpolations is parsed with each interpolation standing for text known
//!   only at deployment; anything else is unknown;
//! - the attributes of an `aws_iam_policy_document` data source itself (a map with
//!   `statement` blocks).
//!
//! # Semantics
//!
//! Element names (`Effect`, `Action`, …) and `Allow` are matched without regard to case.
//! Actions match case-insensitively with IAM's wildcards `*` and `?`, and a statement with
//! `NotAction` grants every action its list does not match. A value known only at deployment
//! is kept as a [`Term`] made of the text around it and placeholders ([`Part`]); a question
//! whose answer such a value could change is unknown, one it cannot change (an ARN from
//! `Fn::GetAtt` is never `*`; `"${aws_s3_bucket.b.arn}/*"` is never `*`) is decided.
//! Statements that may not apply (an `Fn::If` branch, a Terraform `dynamic` block, a
//! statement an unknown override document may replace) never make a helper true, only
//! unknown.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    Blame, HelperCall, Truth, Verdict, and, any_verdict, arg, declare_helper, or, shown_expression,
};
use crate::graph::{Framework, NodeKind, ResourceGraph, ResourceId};
use crate::source::Span;
use crate::value::{Entry, Map, Node, Value};

declare_helper!(
    FULL_ADMIN,
    "iam.full_admin",
    1,
    full_admin,
    "True when the policy document has an Allow statement with Action `*` (or `*:*`) on \
Resource `*`: full administrative access. Conditions on the statement do not change the \
answer. `NotAction` and `NotResource` statements are not counted here (see \
`iam.allow_not_action`).\n\nExample: `not iam.full_admin(Properties.PolicyDocument)`",
);

declare_helper!(
    SERVICE_WILDCARD_ON_ALL_RESOURCES,
    "iam.service_wildcard_on_all_resources",
    1,
    service_wildcard_on_all_resources,
    "True when the policy document has an Allow statement with an action of the form \
`service:*` (every action of one service, such as `s3:*`) on Resource `*`. Statements that \
also allow Action `*` are left to `iam.full_admin`.\n\nExample: \
`not iam.service_wildcard_on_all_resources(Properties.PolicyDocument)`",
);

declare_helper!(
    PASSROLE_ON_ANY_RESOURCE,
    "iam.passrole_on_any_resource",
    1,
    passrole_on_any_resource,
    "True when the policy document has an Allow statement whose actions grant \
`iam:PassRole` (`iam:PassRole` itself, `iam:*`, `iam:Pass*`, `*`, or a `NotAction` list that \
does not exclude it) on Resource `*`: whoever holds it can hand any role to a service and \
act with that role's permissions.\n\nExample: `not iam.passrole_on_any_resource(policy)`",
);

declare_helper!(
    ALLOW_NOT_ACTION,
    "iam.allow_not_action",
    1,
    allow_not_action,
    "True when the policy document has an Allow statement with `NotAction`: it grants every \
action of every service except those listed, almost always far more than intended. Deny \
statements with `NotAction` are a common, safe pattern and are not counted.\n\nExample: \
`not iam.allow_not_action(Properties.PolicyDocument)`",
);

declare_helper!(
    PUBLIC_PRINCIPAL,
    "iam.public_principal",
    1,
    public_principal,
    "True when the policy document has an Allow statement whose principal is anyone \
(`Principal: \"*\"`, `{\"AWS\": \"*\"}`, a list containing `\"*\"`, Terraform `principals` of \
type `*` or `AWS` with identifier `*`), or an Allow statement with `NotPrincipal` (everyone \
but the listed principals), and no `Condition` at all. Any condition (`aws:SourceArn`, \
`aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:SourceVpce`, …) is taken as a deliberate \
restriction; an empty `Condition` map restricts nothing. Deny statements never count.\n\n\
Example: `not iam.public_principal(Properties.PolicyDocument)`",
);

declare_helper!(
    WEB_IDENTITY_WITHOUT_SUBJECT,
    "iam.web_identity_without_subject",
    1,
    web_identity_without_subject,
    "True when a trust policy lets a `Federated` (OIDC) principal call \
`sts:AssumeRoleWithWebIdentity` without pinning the token's subject: no `StringEquals` / \
`StringLike` condition (with or without `ForAnyValue:` / `ForAllValues:` or `IfExists`) on a \
key ending in `:sub` (such as `token.actions.githubusercontent.com:sub`), or one whose values \
under `StringLike` leave the owner open (`*`, `repo:*`, `repo:*/*`, `repo:my-org*/app`: the \
part after the `repo:`-style prefix and before the first `/` or `:` has a wildcard). An \
`aud`-only condition lets any repository of a shared issuer such as GitHub assume the role. \
Under `StringEquals` a `*` is a literal, so it constrains. For Cognito identity pools \
(`cognito-identity.amazonaws.com`) a condition on `cognito-identity.amazonaws.com:aud` \
(the pool id) is the subject constraint. A Deny statement refusing the action when `:sub` is \
`StringNotEquals`/`StringNotLike` a pinned value counts as a constraint; SAML providers are \
not web identities.\n\nExample: \
`not iam.web_identity_without_subject(Properties.AssumeRolePolicyDocument)`",
);

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

/// One piece of a value's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text written in the file.
    Text(String),
    /// Text known only at deployment that may be anything, wildcards included (a variable
    /// without a default).
    Any,
    /// Text known only at deployment that names something and never holds a wildcard (an
    /// ARN from `Fn::GetAtt` or `aws_iam_role.r.arn`, an account id).
    Name,
}

/// One value of a policy element: an action pattern, a resource, a principal, a condition
/// key or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The value as pieces; a literal is one [`Part::Text`] (or none for `""`).
    pub parts: Vec<Part>,
    /// How to show it in a message: the quoted literal, or the expression.
    pub shown: String,
}

/// A statement's principal (or `NotPrincipal`) entry: `{"AWS": [ids]}`, `"*"`, or a
/// Terraform `principals` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for `Principal: "*"`.
    pub kind: Term,
    /// The identifiers.
    pub ids: Vec<Term>,
    /// It may not apply (a Terraform `dynamic` block, an unknown principal).
    pub conditional: bool,
}

/// One condition: `operator: {key: values}`, or a Terraform `condition` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// `StringEquals`, `ForAnyValue:StringLike`, …
    pub operator: Term,
    /// The context key: `aws:SourceArn`, `token.actions.githubusercontent.com:sub`.
    pub key: Term,
    /// The values (any of them matches).
    pub values: Vec<Term>,
    /// It may not apply (a `dynamic` block, a whole `Condition` known only at deployment).
    pub conditional: bool,
}

/// One statement in the normalized model. `None` fields are absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Sid` / `sid`.
    pub sid: Option<String>,
    /// `Effect` (Terraform's default `Allow` filled in).
    pub effect: Option<Term>,
    /// `Action`.
    pub actions: Option<Vec<Term>>,
    /// `NotAction`.
    pub not_actions: Option<Vec<Term>>,
    /// `Resource`.
    pub resources: Option<Vec<Term>>,
    /// `NotResource`.
    pub not_resources: Option<Vec<Term>>,
    /// `Principal`.
    pub principal: Option<Vec<Principal>>,
    /// `NotPrincipal`.
    pub not_principal: Option<Vec<Principal>>,
    /// `Condition`, flattened to one entry per operator and key.
    pub conditions: Vec<Condition>,
    /// The node to blame: the statement, or the string or data source block it came from.
    pub span: Span,
    /// Where it is, for messages: `Statement[1]`, `data.aws_iam_policy_document.x.statement[0]`.
    pub path: String,
    /// It may not apply (an `Fn::If` branch, a `dynamic` block, replaceable by an unknown
    /// override document).
    pub conditional: bool,
}

/// Part of a document that could not be read: statements may be missing from the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Where.
    pub span: Span,
    /// The path, for messages.
    pub path: String,
    /// What is unknown.
    pub seen: String,
}

/// A policy document in the normalized model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The statements, in document order (Terraform: after merging source and override
    /// documents).
    pub statements: Vec<Statement>,
    /// Parts that could not be read; when there are any, the document may have more
    /// statements than [`Policy::statements`].
    pub gaps: Vec<Gap>,
}

/// Reads the policy document `node` of `resource` into the normalized model, following
/// Terraform `aws_iam_policy_document` data sources through `graph`.
pub fn statements(node: &Node, path: &str, graph: &ResourceGraph, resource: ResourceId) -> Policy {
    let cfn_scope = graph
        .resource(resource)
        .filter(|r| r.framework == Framework::CloudFormation)
        .map(|r| r.scope.as_str());
    let reader = Reader {
        graph,
        cfn_scope,
        holes: Vec::new(),
    };
    let mut visiting = Vec::new();
    reader.document(node, path, resource, 0, &mut visiting)
}

// ---------------------------------------------------------------------------------------
// Terms
// ---------------------------------------------------------------------------------------

/// Joins adjacent text, drops empty text, and collapses runs of [`Part::Any`].
fn normalized(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for part in parts {
        match (out.last_mut(), part) {
            (_, Part::Text(t)) if t.is_empty() => {}
            (Some(Part::Text(prev)), Part::Text(t)) => prev.push_str(&t),
            (Some(Part::Any), Part::Any) => {}
            (_, part) => out.push(part),
        }
    }
    out
}

impl Term {
    /// A literal.
    pub fn literal(text: &str) -> Term {
        Term {
            parts: normalized(vec![Part::Text(text.to_owned())]),
            shown: format!("{text:?}"),
        }
    }

    /// A value known only at deployment, shown as `expression`.
    pub fn unknown(expression: &str, parts: Vec<Part>) -> Term {
        Term {
            parts: normalized(parts),
            shown: shown_expression(expression),
        }
    }

    /// The literal text, when the whole value is known.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Text(t)] => Some(t),
            _ => None,
        }
    }

    fn has_name(&self) -> bool {
        self.parts.contains(&Part::Name)
    }

    fn texts(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Text(t) => Some(t.as_str()),
            _ => None,
        })
    }

    /// The value as an IAM wildcard pattern covering every value it may take.
    fn glob(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Any | Part::Name => "*",
            })
            .collect()
    }

    /// Whether this action pattern grants `action` (IAM wildcards, any case).
    pub fn grants(&self, action: &str) -> Truth {
        match self.as_literal() {
            Some(pattern) => Truth::from_bool(glob_match(pattern, action)),
            None if glob_match(&self.glob(), action) => Truth::Unknown,
            None => Truth::False,
        }
    }

    /// Whether the value is `*` (or `**`…): every resource, or anyone.
    pub fn is_star(&self) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(!t.is_empty() && t.chars().all(|c| c == '*')),
            None if self.has_name() || self.texts().any(|t| t.chars().any(|c| c != '*')) => {
                Truth::False
            }
            None => Truth::Unknown,
        }
    }

    /// Whether this action pattern is every action: `*`, `*:*`.
    pub fn is_all_actions(&self) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(all_actions_pattern(t)),
            None => {
                let colons: usize = self.texts().map(|t| t.matches(':').count()).sum();
                let only_stars = self
                    .texts()
                    .all(|t| t.chars().all(|c| c == '*' || c == ':'));
                if self.has_name() || !only_stars || colons > 1 {
                    Truth::False
                } else {
                    Truth::Unknown
                }
            }
        }
    }

    /// Whether this action pattern is every action of one service: `s3:*`.
    pub fn is_service_wildcard(&self) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(t.split_once(':').is_some_and(|(service, action)| {
                !service.is_empty()
                    && !service.contains(['*', '?'])
                    && !action.is_empty()
                    && action.chars().all(|c| c == '*')
            })),
            None => match self.parts.last() {
                Some(Part::Text(t)) if !t.ends_with('*') => Truth::False,
                Some(Part::Name) => Truth::False,
                _ => Truth::Unknown,
            },
        }
    }

    /// Whether the value is `target`, ignoring ASCII case.
    pub fn equals_ignore_case(&self, target: &str) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(t.eq_ignore_ascii_case(target)),
            None if could_spell(&self.parts, &target.to_ascii_lowercase()) => Truth::Unknown,
            None => Truth::False,
        }
    }

    /// Whether the value ends with `suffix` (lower-case), ignoring ASCII case.
    pub fn ends_with_ignore_case(&self, suffix: &str) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(t.to_ascii_lowercase().ends_with(suffix)),
            None => match self.parts.last() {
                Some(Part::Text(t)) => {
                    let t = t.to_ascii_lowercase();
                    if t.ends_with(suffix) {
                        Truth::True
                    } else if suffix.ends_with(&t) {
                        Truth::Unknown
                    } else {
                        Truth::False
                    }
                }
                _ => Truth::Unknown,
            },
        }
    }
}

/// Whether an action pattern matches every action: only `*`s, or `*…:*…` (every action
/// name has exactly one colon).
fn all_actions_pattern(pattern: &str) -> bool {
    let stars = |s: &str| !s.is_empty() && s.chars().all(|c| c == '*');
    match pattern.split_once(':') {
        None => stars(pattern),
        Some((service, action)) => stars(service) && stars(action),
    }
}

/// IAM wildcard matching: `*` any run of characters, `?` any one; ASCII case ignored.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let t: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// Most parts a value may have before [`could_spell`] gives up and says "maybe".
const MAX_SPELL_PARTS: usize = 12;

/// Whether some value of `parts` is exactly `target` (lower-case; text compared without
/// regard to ASCII case).
fn could_spell(parts: &[Part], target: &str) -> bool {
    if parts.len() > MAX_SPELL_PARTS {
        return true;
    }
    let Some((first, rest)) = parts.split_first() else {
        return target.is_empty();
    };
    match first {
        Part::Text(t) => {
            let t = t.to_ascii_lowercase();
            target
                .strip_prefix(t.as_str())
                .is_some_and(|after| could_spell(rest, after))
        }
        Part::Any => target
            .char_indices()
            .map(|(i, _)| i)
            .chain([target.len()])
            .any(|i| {
                target
                    .get(i..)
                    .is_some_and(|after| could_spell(rest, after))
            }),
        Part::Name => target
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain([target.len()])
            .filter(|&i| i > 0)
            .take_while(|&i| {
                target
                    .get(..i)
                    .is_some_and(|name| !name.contains(['*', '?']))
            })
            .any(|i| {
                target
                    .get(i..)
                    .is_some_and(|after| could_spell(rest, after))
            }),
    }
}

// ---------------------------------------------------------------------------------------
// Reading documents
// ---------------------------------------------------------------------------------------

/// Deepest nesting of data sources, `Fn::If` and intrinsics followed.
const MAX_DEPTH: usize = 16;

/// Marks an interpolation in a heredoc being parsed as JSON: `OPEN index CLOSE`. Private-use
/// characters, so they cannot clash with the policy's own text.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// A `${…}` interpolation of a heredoc: its source text and what it may be.
#[derive(Debug, Clone)]
struct Hole {
    text: String,
    parts: Vec<Part>,
}

struct Reader<'g> {
    graph: &'g ResourceGraph,
    /// The scope of the CloudFormation template being read; `None` for other frameworks,
    /// where maps such as `{"Ref": …}` are not intrinsics.
    cfn_scope: Option<&'g str>,
    /// The interpolations of the heredoc being read.
    holes: Vec<Hole>,
}

static DATA_REFERENCE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^data\.aws_iam_policy_document\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[[^\]]*\])?\.(?:json|minified_json)$",
    )
    .ok()
});

static TRAVERSAL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\[\]]*\])*(?:\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\[\]]*\])*)+$",
    )
    .ok()
});

/// Attributes of Terraform resources and data sources that name something and never hold a
/// wildcard.
const NAME_ATTRIBUTES: &[&str] = &[
    "arn",
    "id",
    "name",
    "account_id",
    "partition",
    "unique_id",
    "url",
    "bucket",
    "dns_suffix",
];

/// Roots of Terraform references whose values may be anything.
const OPEN_ROOTS: &[&str] = &[
    "var",
    "local",
    "module",
    "each",
    "count",
    "path",
    "self",
    "terraform",
];

/// What a Terraform reference (`aws_iam_role.r.arn`) may be.
fn tf_reference_parts(expr: &str) -> Vec<Part> {
    let expr = expr.trim();
    if !TRAVERSAL.as_ref().is_some_and(|re| re.is_match(expr)) {
        return vec![Part::Any];
    }
    let segments: Vec<&str> = expr
        .split('.')
        .map(|s| s.split('[').next().unwrap_or(s))
        .collect();
    let root = segments.first().copied().unwrap_or("");
    let attribute = segments.last().copied().unwrap_or("");
    let long_enough = segments.len() >= if root == "data" { 4 } else { 3 };
    if long_enough && !OPEN_ROOTS.contains(&root) && NAME_ATTRIBUTES.contains(&attribute) {
        vec![Part::Name]
    } else {
        vec![Part::Any]
    }
}

/// Splits a template's `${…}` interpolations out of `text`, asking `hole` what each may be.
/// `None` when a `${` is not closed.
fn template_parts(text: &str, mut hole: impl FnMut(&str) -> Vec<Part>) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        parts.push(Part::Text(rest.get(..start)?.to_owned()));
        let after = rest.get(start + 2..)?;
        let end = closing_brace(after)?;
        parts.extend(hole(after.get(..end)?));
        rest = after.get(end + 1..)?;
    }
    parts.push(Part::Text(rest.to_owned()));
    Some(normalized(parts))
}

/// The index of the `}` closing an interpolation whose body starts `text`.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// What a Terraform expression known only at deployment may be: a template's text around
/// its interpolations, or a reference.
fn tf_parts(expr: &str) -> Vec<Part> {
    let expr = expr.trim();
    if let Some(inner) = expr.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        // Escapes and directives change the text; such a template is taken as unknown text.
        if inner.contains(['\\']) || inner.contains("$${") || inner.contains("%{") {
            return vec![Part::Any];
        }
        return template_parts(inner, tf_reference_parts).unwrap_or_else(|| vec![Part::Any]);
    }
    tf_reference_parts(expr)
}

/// The body of a Terraform heredoc expression (`<<EOF … EOF`, `<<-EOF … EOF`).
fn heredoc_body(expr: &str) -> Option<&str> {
    let rest = expr.trim_start().strip_prefix("<<")?;
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let (marker, body) = rest.split_once('\n')?;
    let marker = marker.trim();
    if marker.is_empty() {
        return None;
    }
    let body = body.trim_end();
    let end = body.rfind('\n').map_or(0, |i| i + 1);
    if body.get(end..)?.trim() != marker {
        return None;
    }
    body.get(..end)
}

/// A heredoc body with each `${…}` replaced by a marker, and the interpolations; `None` when
/// it has template directives (`%{…}`) or an unclosed interpolation.
fn mark_holes(body: &str) -> Option<(String, Vec<Hole>)> {
    if body.replace("%%{", "").contains("%{") {
        return None;
    }
    let mut out = String::with_capacity(body.len());
    let mut holes = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("${") {
        let before = rest.get(..start)?;
        if before.ends_with('$') {
            // `$${` is a literal `${`.
            out.push_str(before.get(..before.len() - 1)?);
            out.push_str("${");
            rest = rest.get(start + 2..)?;
            continue;
        }
        out.push_str(before);
        let after = rest.get(start + 2..)?;
        let end = closing_brace(after)?;
        let text = after.get(..end)?;
        out.push(OPEN);
        out.push_str(&holes.len().to_string());
        out.push(CLOSE);
        holes.push(Hole {
            text: text.to_owned(),
            parts: tf_parts(text),
        });
        rest = after.get(end + 1..)?;
    }
    out.push_str(rest);
    Some((out.replace("%%{", "%{"), holes))
}

/// A parsed JSON value as a node tree, every node at `at`'s span and provenance.
fn json_node(value: &serde_json::Value, at: &Node) -> Node {
    use serde_json::Value as J;
    let value = match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => Value::Seq(items.iter().map(|v| json_node(v, at)).collect()),
        J::Object(object) => {
            let mut map = Map::new();
            for (key, v) in object {
                map.insert(Entry {
                    key: key.clone(),
                    key_span: at.span,
                    value: json_node(v, at),
                });
            }
            Value::Map(map)
        }
    };
    Node {
        value,
        span: at.span,
        provenance: at.provenance,
    }
}

/// `map[key]`, the exact key first, then without regard to ASCII case.
fn get_ci<'n>(map: &'n Map, key: &str) -> Option<&'n Node> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|e| e.key.eq_ignore_ascii_case(key))
            .map(|e| &e.value)
    })
}

/// A scalar as text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A CloudFormation intrinsic read as a value.
enum Intrinsic {
    /// `Ref: AWS::NoValue`: the element is absent.
    NoValue,
    /// `Fn::If`: one of these, depending on a condition.
    If(Vec<Node>),
    /// Any other: a value of this shape.
    Value(Term),
}

impl Reader<'_> {
    /// `{Ref: X}` / `{Fn::…: X}` when reading CloudFormation.
    fn as_intrinsic<'n>(&self, node: &'n Node) -> Option<(&'n str, &'n Node)> {
        self.cfn_scope?;
        let map = node.as_map()?;
        if map.len() != 1 {
            return None;
        }
        let entry = map.iter().next()?;
        (entry.key == "Ref" || entry.key.starts_with("Fn::"))
            .then_some((entry.key.as_str(), &entry.value))
    }

    fn intrinsic(&self, node: &Node, depth: usize) -> Option<Intrinsic> {
        let (function, argument) = self.as_intrinsic(node)?;
        let shown = match scalar_text(&argument.value) {
            Some(text) => format!("{function} {text}"),
            None => function.to_owned(),
        };
        if depth >= MAX_DEPTH {
            return Some(Intrinsic::Value(Term::unknown(&shown, vec![Part::Any])));
        }
        let parts = match function {
            "Ref" => match argument.as_str() {
                Some("AWS::NoValue") => return Some(Intrinsic::NoValue),
                Some(name) => self.reference_parts(name),
                None => vec![Part::Any],
            },
            "Fn::GetAtt" => vec![Part::Name],
            "Fn::If" => {
                return Some(match argument.as_seq() {
                    Some([_, yes, no]) => Intrinsic::If(vec![yes.clone(), no.clone()]),
                    _ => Intrinsic::Value(Term::unknown(&shown, vec![Part::Any])),
                });
            }
            "Fn::Sub" => self.sub_parts(argument, depth),
            "Fn::Join" => self.join_parts(argument, depth),
            _ => vec![Part::Any],
        };
        Some(Intrinsic::Value(Term::unknown(&shown, parts)))
    }

    /// What `Ref name` is: a parameter's default, a pseudo parameter or resource's name.
    fn reference_parts(&self, name: &str) -> Vec<Part> {
        if name.starts_with("AWS::") {
            return vec![Part::Name];
        }
        let Some(scope) = self.cfn_scope else {
            return vec![Part::Any];
        };
        let found: Vec<_> = self
            .graph
            .find(scope, name)
            .iter()
            .filter_map(|&id| self.graph.resource(id))
            .collect();
        match found.first() {
            None => vec![Part::Any],
            Some(r) if r.kind == NodeKind::Parameter => {
                match r
                    .attributes
                    .get("Default")
                    .and_then(|d| scalar_text(&d.value))
                {
                    Some(text) => vec![Part::Text(text)],
                    None => vec![Part::Any],
                }
            }
            Some(_) => vec![Part::Name],
        }
    }

    fn sub_parts(&self, argument: &Node, depth: usize) -> Vec<Part> {
        let (text, variables) = match &argument.value {
            Value::String(s) => (s.as_str(), None),
            Value::Seq(items) => match items.as_slice() {
                [text, vars] => match text.as_str() {
                    Some(t) => (t, vars.as_map()),
                    None => return vec![Part::Any],
                },
                _ => return vec![Part::Any],
            },
            _ => return vec![Part::Any],
        };
        template_parts(text, |name| {
            let name = name.trim();
            if let Some(literal) = name.strip_prefix('!') {
                return vec![Part::Text(format!("${{{literal}}}"))];
            }
            if let Some(value) = variables.and_then(|v| v.get(name)) {
                return match self.term(value, depth + 1) {
                    Some(term) => term.parts,
                    None => Vec::new(),
                };
            }
            if name.contains('.') {
                vec![Part::Name]
            } else {
                self.reference_parts(name)
            }
        })
        .unwrap_or_else(|| vec![Part::Any])
    }

    fn join_parts(&self, argument: &Node, depth: usize) -> Vec<Part> {
        let Some([separator, items]) = argument.as_seq() else {
            return vec![Part::Any];
        };
        let (Some(separator), Some(items)) = (separator.as_str(), items.as_seq()) else {
            return vec![Part::Any];
        };
        let mut parts = Vec::new();
        let mut first = true;
        for item in items {
            let item_parts = match self.intrinsic(item, depth + 1) {
                Some(Intrinsic::NoValue) => continue,
                Some(Intrinsic::If(_)) => vec![Part::Any],
                Some(Intrinsic::Value(term)) => term.parts,
                None => match scalar_text(&item.value) {
                    Some(text) => vec![Part::Text(text)],
                    None => vec![Part::Any],
                },
            };
            if !first {
                parts.push(Part::Text(separator.to_owned()));
            }
            first = false;
            parts.extend(item_parts);
        }
        parts
    }

    /// A string, with the heredoc's interpolation markers read as unknown parts.
    fn string_term(&self, text: &str) -> Term {
        if self.holes.is_empty() || !text.contains(OPEN) {
            return Term::literal(text);
        }
        let mut parts = Vec::new();
        let mut shown = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(OPEN) {
            let before = rest.get(..start).unwrap_or("");
            parts.push(Part::Text(before.to_owned()));
            shown.push_str(before);
            let after = rest.get(start + OPEN.len_utf8()..).unwrap_or("");
            let Some(end) = after.find(CLOSE) else { break };
            let hole = after
                .get(..end)
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| self.holes.get(i));
            match hole {
                Some(h) => {
                    parts.extend(h.parts.iter().cloned());
                    shown.push_str("${");
                    shown.push_str(&h.text);
                    shown.push('}');
                }
                None => parts.push(Part::Any),
            }
            rest = after.get(end + CLOSE.len_utf8()..).unwrap_or("");
        }
        parts.push(Part::Text(rest.to_owned()));
        shown.push_str(rest);
        Term::unknown(&format!("{shown:?}"), parts)
    }

    /// A scalar element value; `None` when absent (`null`, `AWS::NoValue`) or not a scalar.
    fn term(&self, node: &Node, depth: usize) -> Option<Term> {
        match &node.value {
            Value::String(s) => Some(self.string_term(s)),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                scalar_text(&node.value).map(|t| Term::literal(&t))
            }
            Value::Unknown(u) => {
                let parts = match self.cfn_scope {
                    Some(_) => self.cfn_unknown_parts(&u.expression),
                    None => tf_parts(&u.expression),
                };
                Some(Term::unknown(&u.expression, parts))
            }
            Value::Map(_) => match self.intrinsic(node, depth)? {
                Intrinsic::NoValue => None,
                Intrinsic::If(_) => Some(Term::unknown("Fn::If", vec![Part::Any])),
                Intrinsic::Value(term) => Some(term),
            },
            _ => None,
        }
    }

    /// What an unknown value the rule evaluator made from a CloudFormation intrinsic
    /// (`Fn::GetAtt`, `Ref AWS::AccountId`) may be.
    fn cfn_unknown_parts(&self, expression: &str) -> Vec<Part> {
        if expression.starts_with("Fn::GetAtt") {
            return vec![Part::Name];
        }
        match expression.strip_prefix("Ref ") {
            Some(name) => self.reference_parts(name.trim()),
            None => vec![Part::Any],
        }
    }

    /// A string-or-list element (`Action`, `Resource`, `identifiers`); `None` when absent.
    fn terms(&self, node: &Node) -> Option<Vec<Term>> {
        match &node.value {
            Value::Null => None,
            Value::Seq(items) => Some(items.iter().filter_map(|i| self.term(i, 0)).collect()),
            _ => self.term(node, 0).map(|t| vec![t]),
        }
    }

    // ---- whole documents ----------------------------------------------------------------

    fn document(
        &self,
        node: &Node,
        path: &str,
        origin: ResourceId,
        depth: usize,
        visiting: &mut Vec<ResourceId>,
    ) -> Policy {
        let gap = |seen: String| Policy {
            statements: Vec::new(),
            gaps: vec![Gap {
                span: node.span,
                path: path.to_owned(),
                seen,
            }],
        };
        match &node.value {
            Value::String(text) => self.json_text(text, node, Vec::new()).unwrap_or_default(),
            Value::Map(map) => match self.intrinsic(node, depth) {
                Some(Intrinsic::NoValue) => Policy::default(),
                Some(Intrinsic::If(branches)) => {
                    let mut policy = Policy::default();
                    for branch in &branches {
                        let mut p = self.document(branch, path, origin, depth + 1, visiting);
                        p.statements.iter_mut().for_each(|s| s.conditional = true);
                        merge(&mut policy, p);
                    }
                    policy
                }
                Some(Intrinsic::Value(term)) => gap(term.shown),
                None if map.contains_key("statement") && !map.contains_key("Statement") => {
                    self.tf_document(node, path, origin, depth, visiting)
                }
                None => {
                    let mut policy = Policy::default();
                    if let Some(statement) = get_ci(map, "Statement") {
                        self.json_statements(statement, "Statement", false, 0, &mut policy);
                    }
                    policy
                }
            },
            Value::Unknown(u) if self.cfn_scope.is_none() => {
                if let Some(policy) = self.follow(&u.expression, origin, depth, visiting) {
                    return policy;
                }
                let heredoc = heredoc_body(&u.expression).and_then(mark_holes);
                if let Some(policy) =
                    heredoc.and_then(|(text, holes)| self.json_text(&text, node, holes))
                {
                    return policy;
                }
                gap(shown_expression(&u.expression))
            }
            Value::Unknown(u) => gap(shown_expression(&u.expression)),
            _ => Policy::default(),
        }
    }

    /// A JSON policy in a string; `None` when the text is not JSON.
    fn json_text(&self, text: &str, at: &Node, holes: Vec<Hole>) -> Option<Policy> {
        let json = serde_json::from_str::<serde_json::Value>(text.trim()).ok()?;
        let node = json_node(&json, at);
        let reader = Reader {
            graph: self.graph,
            cfn_scope: None,
            holes,
        };
        let mut policy = Policy::default();
        if let Some(statement) = node.as_map().and_then(|m| get_ci(m, "Statement")) {
            reader.json_statements(statement, "Statement", false, 0, &mut policy);
        }
        Some(policy)
    }

    /// The statements of a JSON-shaped `Statement` element (a map, a list, intrinsics).
    fn json_statements(
        &self,
        node: &Node,
        path: &str,
        conditional: bool,
        depth: usize,
        policy: &mut Policy,
    ) {
        match &node.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{path}[{i}]");
                    match &item.value {
                        Value::Seq(_) => {}
                        _ => self.json_statements(item, &path, conditional, depth + 1, policy),
                    }
                }
            }
            Value::Map(_) => match self.intrinsic(node, depth) {
                None => policy
                    .statements
                    .push(self.json_statement(node, path, conditional)),
                Some(Intrinsic::NoValue) => {}
                Some(Intrinsic::If(branches)) => {
                    for branch in &branches {
                        self.json_statements(branch, path, true, depth + 1, policy);
                    }
                }
                Some(Intrinsic::Value(term)) => policy.gaps.push(Gap {
                    span: node.span,
                    path: path.to_owned(),
                    seen: term.shown,
                }),
            },
            Value::Unknown(u) => policy.gaps.push(Gap {
                span: node.span,
                path: path.to_owned(),
                seen: shown_expression(&u.expression),
            }),
            _ => {}
        }
    }

    fn json_statement(&self, node: &Node, path: &str, conditional: bool) -> Statement {
        let empty = Map::new();
        let map = node.as_map().unwrap_or(&empty);
        let get = |key: &str| get_ci(map, key);
        Statement {
            sid: get("Sid").and_then(Node::as_str).map(str::to_owned),
            effect: get("Effect").and_then(|n| self.term(n, 0)),
            actions: get("Action").and_then(|n| self.terms(n)),
            not_actions: get("NotAction").and_then(|n| self.terms(n)),
            resources: get("Resource").and_then(|n| self.terms(n)),
            not_resources: get("NotResource").and_then(|n| self.terms(n)),
            principal: get("Principal").and_then(|n| self.json_principal(n)),
            not_principal: get("NotPrincipal").and_then(|n| self.json_principal(n)),
            conditions: get("Condition").map_or_else(Vec::new, |n| self.json_conditions(n)),
            span: node.span,
            path: path.to_owned(),
            conditional,
        }
    }

    fn json_principal(&self, node: &Node) -> Option<Vec<Principal>> {
        let unknown = |term: Term| Principal {
            kind: term.clone(),
            ids: vec![term],
            conditional: true,
        };
        match &node.value {
            Value::Null => None,
            Value::String(_) | Value::Seq(_) => {
                let ids = self.terms(node)?;
                Some(
                    ids.into_iter()
                        .map(|id| Principal {
                            kind: Term::literal(if id.as_literal() == Some("*") {
                                "*"
                            } else {
                                "AWS"
                            }),
                            ids: vec![id],
                            conditional: false,
                        })
                        .collect(),
                )
            }
            Value::Map(map) => match self.intrinsic(node, 0) {
                Some(Intrinsic::NoValue) => None,
                Some(Intrinsic::If(_)) => {
                    Some(vec![unknown(Term::unknown("Fn::If", vec![Part::Any]))])
                }
                Some(Intrinsic::Value(term)) => Some(vec![unknown(term)]),
                None => Some(
                    map.iter()
                        .map(|e| Principal {
                            kind: self.string_term(&e.key),
                            ids: self.terms(&e.value).unwrap_or_default(),
                            conditional: false,
                        })
                        .collect(),
                ),
            },
            Value::Unknown(_) => Some(vec![unknown(self.term(node, 0)?)]),
            _ => None,
        }
    }

    fn json_conditions(&self, node: &Node) -> Vec<Condition> {
        let unknown = |term: Term, conditional: bool| Condition {
            operator: term.clone(),
            key: term.clone(),
            values: vec![term],
            conditional,
        };
        match &node.value {
            Value::Map(map) => match self.intrinsic(node, 0) {
                Some(Intrinsic::NoValue) => Vec::new(),
                Some(Intrinsic::If(_)) => {
                    vec![unknown(Term::unknown("Fn::If", vec![Part::Any]), true)]
                }
                Some(Intrinsic::Value(term)) => vec![unknown(term, true)],
                None => {
                    let mut out = Vec::new();
                    for op in map {
                        let operator = self.string_term(&op.key);
                        match (&op.value.value, self.intrinsic(&op.value, 0)) {
                            (Value::Map(keys), None) => {
                                out.extend(keys.iter().map(|k| Condition {
                                    operator: operator.clone(),
                                    key: self.string_term(&k.key),
                                    values: self.terms(&k.value).unwrap_or_default(),
                                    conditional: false,
                                }));
                            }
                            (_, Some(Intrinsic::NoValue)) | (Value::Null, _) => {}
                            _ => {
                                let any = self
                                    .term(&op.value, 0)
                                    .unwrap_or_else(|| Term::unknown("unknown", vec![Part::Any]));
                                out.push(Condition {
                                    operator,
                                    key: any.clone(),
                                    values: vec![any],
                                    conditional: false,
                                });
                            }
                        }
                    }
                    out
                }
            },
            Value::Unknown(_) => self
                .term(node, 0)
                .map(|t| vec![unknown(t, true)])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    // ---- Terraform data sources ---------------------------------------------------------

    /// Follows `data.aws_iam_policy_document.NAME.json` from `origin` to the data source.
    fn follow(
        &self,
        expression: &str,
        origin: ResourceId,
        depth: usize,
        visiting: &mut Vec<ResourceId>,
    ) -> Option<Policy> {
        let re = DATA_REFERENCE.as_ref()?;
        let name = re.captures(expression.trim())?.get(1)?.as_str();
        let address = format!("data.aws_iam_policy_document.{name}");
        let mut targets: Vec<ResourceId> = self
            .graph
            .edges_from(origin)
            .iter()
            .filter_map(|e| e.to)
            .filter(|&id| {
                self.graph.resource(id).is_some_and(|r| {
                    r.kind == NodeKind::Data
                        && r.type_name == "aws_iam_policy_document"
                        && r.address == address
                })
            })
            .collect();
        targets.dedup();
        if targets.is_empty() {
            return None;
        }
        let mut policy = Policy::default();
        for id in targets {
            let Some(data) = self.graph.resource(id) else {
                continue;
            };
            if depth >= MAX_DEPTH || visiting.contains(&id) {
                policy.gaps.push(Gap {
                    span: data.name_span,
                    path: address.clone(),
                    seen: format!("{address} refers to itself"),
                });
                continue;
            }
            visiting.push(id);
            let p = self.tf_document(&data.attributes, &address, id, depth + 1, visiting);
            visiting.pop();
            merge(&mut policy, p);
        }
        Some(policy)
    }

    /// An `aws_iam_policy_document`'s attributes as Terraform merges them: source documents,
    /// then its own statements, then override documents, a statement replacing an earlier
    /// one with the same non-empty `sid`.
    fn tf_document(
        &self,
        attributes: &Node,
        address: &str,
        origin: ResourceId,
        depth: usize,
        visiting: &mut Vec<ResourceId>,
    ) -> Policy {
        let reader = Reader {
            graph: self.graph,
            cfn_scope: None,
            holes: Vec::new(),
        };
        let mut policy = Policy::default();
        if let Some(sources) = attributes.get("source_policy_documents") {
            reader.merge_documents(
                sources,
                address,
                origin,
                false,
                depth,
                visiting,
                &mut policy,
            );
        }
        for statement in reader.tf_statements(attributes.get("statement"), address, &mut policy) {
            merge_by_sid(&mut policy.statements, statement);
        }
        if let Some(overrides) = attributes.get("override_policy_documents") {
            reader.merge_documents(
                overrides,
                address,
                origin,
                true,
                depth,
                visiting,
                &mut policy,
            );
        }
        policy
    }

    #[allow(clippy::too_many_arguments)]
    fn merge_documents(
        &self,
        list: &Node,
        address: &str,
        origin: ResourceId,
        overriding: bool,
        depth: usize,
        visiting: &mut Vec<ResourceId>,
        policy: &mut Policy,
    ) {
        let key = if overriding {
            "override_policy_documents"
        } else {
            "source_policy_documents"
        };
        let path = format!("{address}.{key}");
        let documents: Vec<Policy> = match &list.value {
            Value::Null => Vec::new(),
            Value::Seq(items) => items
                .iter()
                .map(|item| self.document(item, &path, origin, depth + 1, visiting))
                .collect(),
            _ => vec![self.document(list, &path, origin, depth + 1, visiting)],
        };
        for document in documents {
            if overriding && !document.gaps.is_empty() {
                // An unknown override may replace any statement with a sid.
                for s in &mut policy.statements {
                    if s.sid.as_deref().is_some_and(|sid| !sid.is_empty()) {
                        s.conditional = true;
                    }
                }
            }
            for statement in document.statements {
                merge_by_sid(&mut policy.statements, statement);
            }
            policy.gaps.extend(document.gaps);
        }
    }

    /// Terraform nested blocks: a list of maps, or one map (`.tf.json`).
    fn blocks(node: Option<&Node>) -> Vec<&Node> {
        match node.map(|n| &n.value) {
            Some(Value::Seq(items)) => items.iter().collect(),
            Some(Value::Map(_) | Value::Unknown(_)) => node.into_iter().collect(),
            _ => Vec::new(),
        }
    }

    fn tf_statements(
        &self,
        node: Option<&Node>,
        address: &str,
        policy: &mut Policy,
    ) -> Vec<Statement> {
        let mut out = Vec::new();
        for (i, block) in Self::blocks(node).into_iter().enumerate() {
            let path = format!("{address}.statement[{i}]");
            let Some(map) = block.as_map() else {
                if let Value::Unknown(u) = &block.value {
                    policy.gaps.push(Gap {
                        span: block.span,
                        path,
                        seen: shown_expression(&u.expression),
                    });
                }
                continue;
            };
            let get = |key: &str| map.get(key).filter(|n| n.value != Value::Null);
            out.push(Statement {
                sid: get("sid").and_then(Node::as_str).map(str::to_owned),
                effect: match get("effect") {
                    None => Some(Term::literal("Allow")),
                    Some(n) => self.term(n, 0),
                },
                actions: get("actions").and_then(|n| self.terms(n)),
                not_actions: get("not_actions").and_then(|n| self.terms(n)),
                resources: get("resources").and_then(|n| self.terms(n)),
                not_resources: get("not_resources").and_then(|n| self.terms(n)),
                principal: get("principals").map(|n| self.tf_principals(n)),
                not_principal: get("not_principals").map(|n| self.tf_principals(n)),
                conditions: get("condition").map_or_else(Vec::new, |n| self.tf_conditions(n)),
                span: block.span,
                path,
                conditional: is_dynamic(block),
            });
        }
        out
    }

    fn tf_principals(&self, node: &Node) -> Vec<Principal> {
        Self::blocks(Some(node))
            .into_iter()
            .filter_map(|block| match &block.value {
                Value::Map(map) => Some(Principal {
                    kind: map
                        .get("type")
                        .and_then(|n| self.term(n, 0))
                        .unwrap_or_else(|| Term::literal("")),
                    ids: map
                        .get("identifiers")
                        .and_then(|n| self.terms(n))
                        .unwrap_or_default(),
                    conditional: is_dynamic(block),
                }),
                Value::Unknown(_) => self.term(block, 0).map(|t| Principal {
                    kind: t.clone(),
                    ids: vec![t],
                    conditional: true,
                }),
                _ => None,
            })
            .collect()
    }

    fn tf_conditions(&self, node: &Node) -> Vec<Condition> {
        Self::blocks(Some(node))
            .into_iter()
            .filter_map(|block| match &block.value {
                Value::Map(map) => {
                    let field = |key: &str| {
                        map.get(key)
                            .and_then(|n| self.term(n, 0))
                            .unwrap_or_else(|| Term::literal(""))
                    };
                    Some(Condition {
                        operator: field("test"),
                        key: field("variable"),
                        values: map
                            .get("values")
                            .and_then(|n| self.terms(n))
                            .unwrap_or_default(),
                        conditional: is_dynamic(block),
                    })
                }
                Value::Unknown(_) => self.term(block, 0).map(|t| Condition {
                    operator: t.clone(),
                    key: t.clone(),
                    values: vec![t],
                    conditional: true,
                }),
                _ => None,
            })
            .collect()
    }
}

/// Whether a Terraform block came from a `dynamic` block (it may be repeated any number of
/// times, including none).
fn is_dynamic(block: &Node) -> bool {
    block.get("__dynamic").and_then(Node::as_bool) == Some(true)
}

fn merge(into: &mut Policy, from: Policy) {
    into.statements.extend(from.statements);
    into.gaps.extend(from.gaps);
}

fn merge_by_sid(statements: &mut Vec<Statement>, statement: Statement) {
    let same = statement
        .sid
        .as_deref()
        .filter(|sid| !sid.is_empty())
        .and_then(|sid| {
            statements
                .iter()
                .position(|s| s.sid.as_deref() == Some(sid))
        });
    match same.and_then(|i| statements.get_mut(i)) {
        Some(slot) => *slot = statement,
        None => statements.push(statement),
    }
}

// ---------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------

/// A three-valued answer with the value that decided it, for the message.
#[derive(Debug, Clone)]
struct Found {
    truth: Truth,
    shown: String,
}

impl Found {
    fn no() -> Found {
        Found {
            truth: Truth::False,
            shown: String::new(),
        }
    }
}

/// The first term for which `test` holds, else the first for which it may.
fn any_term(terms: &[Term], test: impl Fn(&Term) -> Truth) -> Found {
    let mut maybe = None;
    for term in terms {
        match test(term) {
            Truth::True => {
                return Found {
                    truth: Truth::True,
                    shown: term.shown.clone(),
                };
            }
            Truth::Unknown if maybe.is_none() => maybe = Some(term.shown.clone()),
            _ => {}
        }
    }
    match maybe {
        Some(shown) => Found {
            truth: Truth::Unknown,
            shown,
        },
        None => Found::no(),
    }
}

fn list_shown(terms: &[Term]) -> String {
    match terms {
        [one] => one.shown.clone(),
        _ => format!(
            "[{}]",
            terms
                .iter()
                .map(|t| t.shown.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Statement {
    /// Whether the effect is `Allow`.
    pub fn allows(&self) -> Truth {
        self.effect
            .as_ref()
            .map_or(Truth::False, |e| e.equals_ignore_case("Allow"))
    }

    /// Whether the statement's actions grant `action` (through `Action`, or `NotAction`
    /// not excluding it).
    pub fn grants(&self, action: &str) -> Truth {
        self.grants_found(action).truth
    }

    /// Whether the statement applies to every resource (`Resource: "*"`).
    pub fn on_any_resource(&self) -> Truth {
        self.any_resource().truth
    }

    /// Whether the statement has a condition.
    pub fn has_condition(&self) -> Truth {
        self.conditions.iter().fold(Truth::False, |acc, c| {
            or(
                acc,
                if c.conditional {
                    Truth::Unknown
                } else {
                    Truth::True
                },
            )
        })
    }

    fn effect_shown(&self) -> String {
        match (self.allows(), &self.effect) {
            (Truth::True, _) => "Allow".to_owned(),
            (_, Some(e)) => format!("Effect {}", e.shown),
            (_, None) => "no Effect".to_owned(),
        }
    }

    fn grants_found(&self, action: &str) -> Found {
        if let Some(actions) = &self.actions {
            return any_term(actions, |t| t.grants(action));
        }
        if let Some(excluded) = &self.not_actions {
            let hit = any_term(excluded, |t| t.grants(action));
            return Found {
                truth: hit.truth.not(),
                shown: format!("NotAction {}", list_shown(excluded)),
            };
        }
        Found::no()
    }

    fn any_resource(&self) -> Found {
        match &self.resources {
            Some(resources) => any_term(resources, Term::is_star),
            None => Found::no(),
        }
    }
}

/// Runs `test` on every statement of every value of the call's first argument.
fn query(call: &HelperCall<'_>, test: impl Fn(&Statement, &Policy) -> Found) -> Verdict {
    any_verdict(arg(call, 0).iter().map(|a| {
        let policy = statements(&a.node, a.path, call.graph, call.resource);
        judge(&policy, &test)
    }))
}

/// True at the first statement that holds, else unknown at the first that may (or at the
/// first unreadable part), else false.
fn judge(policy: &Policy, test: &impl Fn(&Statement, &Policy) -> Found) -> Verdict {
    let mut maybe: Option<Verdict> = None;
    for statement in &policy.statements {
        let found = test(statement, policy);
        let (truth, seen) = match (found.truth, statement.conditional) {
            (Truth::True, true) => (
                Truth::Unknown,
                format!("{} (if this statement applies)", found.shown),
            ),
            (truth, _) => (truth, found.shown),
        };
        let verdict = Verdict {
            truth,
            blame: Some(Blame {
                span: statement.span,
                path: statement.path.clone(),
                seen,
            }),
        };
        match truth {
            Truth::True => return verdict,
            Truth::Unknown if maybe.is_none() => maybe = Some(verdict),
            _ => {}
        }
    }
    maybe
        .or_else(|| {
            policy.gaps.first().map(|g| Verdict {
                truth: Truth::Unknown,
                blame: Some(Blame {
                    span: g.span,
                    path: g.path.clone(),
                    seen: g.seen.clone(),
                }),
            })
        })
        .unwrap_or_else(|| Verdict::of(Truth::False))
}

fn full_admin(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let action = match &s.actions {
            Some(actions) => any_term(actions, Term::is_all_actions),
            None => Found::no(),
        };
        let resource = s.any_resource();
        Found {
            truth: and(and(s.allows(), action.truth), resource.truth),
            shown: format!(
                "{} {} on {}",
                s.effect_shown(),
                action.shown,
                resource.shown
            ),
        }
    })
}

fn service_wildcard_on_all_resources(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let Some(actions) = &s.actions else {
            return Found::no();
        };
        if actions.iter().any(|t| t.is_all_actions() == Truth::True) {
            return Found::no();
        }
        let action = any_term(actions, Term::is_service_wildcard);
        let resource = s.any_resource();
        Found {
            truth: and(and(s.allows(), action.truth), resource.truth),
            shown: format!(
                "{} {} on {}",
                s.effect_shown(),
                action.shown,
                resource.shown
            ),
        }
    })
}

fn passrole_on_any_resource(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let action = s.grants_found("iam:PassRole");
        let resource = s.any_resource();
        Found {
            truth: and(and(s.allows(), action.truth), resource.truth),
            shown: format!(
                "{} {} (iam:PassRole) on {}",
                s.effect_shown(),
                action.shown,
                resource.shown
            ),
        }
    })
}

fn allow_not_action(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| match &s.not_actions {
        Some(excluded) => Found {
            truth: s.allows(),
            shown: format!("{} NotAction {}", s.effect_shown(), list_shown(excluded)),
        },
        None => Found::no(),
    })
}

/// Whether a principal entry is anyone: `"*"`, `{"AWS": "*"}`.
fn anyone(p: &Principal) -> Found {
    let kind = or(
        p.kind.equals_ignore_case("*"),
        p.kind.equals_ignore_case("AWS"),
    );
    let id = any_term(&p.ids, Term::is_star);
    let mut truth = and(kind, id.truth);
    if p.conditional && truth == Truth::True {
        truth = Truth::Unknown;
    }
    let shown = if p.kind.as_literal() == Some("*") {
        id.shown
    } else {
        format!("{{{}: {}}}", p.kind.shown, id.shown)
    };
    Found { truth, shown }
}

fn public_principal(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let mut who = Found::no();
        if let Some(principals) = &s.principal {
            for p in principals {
                let found = anyone(p);
                match found.truth {
                    Truth::True => {
                        who = found;
                        break;
                    }
                    Truth::Unknown if who.truth == Truth::False => who = found,
                    _ => {}
                }
            }
            who.shown = format!("Principal {}", who.shown);
        }
        if who.truth != Truth::True && s.not_principal.is_some() {
            who = Found {
                truth: Truth::True,
                shown: "NotPrincipal (everyone but those listed)".to_owned(),
            };
        }
        let unconditioned = s.has_condition().not();
        Found {
            truth: and(and(s.allows(), who.truth), unconditioned),
            shown: format!("{} {} without Condition", s.effect_shown(), who.shown),
        }
    })
}

/// The action `web_identity_without_subject` is about.
const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// The Cognito identity pool issuer, whose subject constraint is its `aud` key.
const COGNITO: &str = "cognito-identity.amazonaws.com";

/// Whether the statement's principal is a web identity (OIDC) provider, and whether every
/// such provider is Cognito's.
fn federated(s: &Statement) -> (Found, bool) {
    let Some(principals) = &s.principal else {
        return (Found::no(), false);
    };
    let mut best = Found::no();
    let mut ids_seen = Vec::new();
    for p in principals {
        let kind = p.kind.equals_ignore_case("Federated");
        if kind == Truth::False {
            continue;
        }
        let oidc = any_term(&p.ids, |id| match id.as_literal() {
            Some(arn) => Truth::from_bool(!arn.contains(":saml-provider/")),
            None => Truth::True,
        });
        let mut truth = and(kind, oidc.truth);
        if p.conditional && truth == Truth::True {
            truth = Truth::Unknown;
        }
        ids_seen.extend(p.ids.iter());
        let better = matches!(
            (truth, best.truth),
            (Truth::True, Truth::Unknown | Truth::False) | (Truth::Unknown, Truth::False)
        );
        if better {
            best = Found {
                truth,
                shown: oidc.shown,
            };
        }
    }
    let cognito_only =
        !ids_seen.is_empty() && ids_seen.iter().all(|id| id.as_literal() == Some(COGNITO));
    (best, cognito_only)
}

/// How a condition operator compares strings, for subject constraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    /// `StringEquals`, `StringEqualsIgnoreCase`: values are literal.
    Equals,
    /// `StringLike`: `*` and `?` are wildcards.
    Like,
    /// `StringNotEquals`, `StringNotLike`.
    Not(bool),
    /// Anything else.
    Other,
}

fn operator_kind(operator: &str) -> Match {
    let lower = operator.trim().to_ascii_lowercase();
    let base = lower
        .strip_prefix("foranyvalue:")
        .or_else(|| lower.strip_prefix("forallvalues:"))
        .unwrap_or(&lower);
    let base = base.strip_suffix("ifexists").unwrap_or(base);
    match base {
        "stringequals" | "stringequalsignorecase" => Match::Equals,
        "stringlike" => Match::Like,
        "stringnotequals" | "stringnotequalsignorecase" => Match::Not(false),
        "stringnotlike" => Match::Not(true),
        _ => Match::Other,
    }
}

/// Whether a subject pattern leaves the owner open: after an optional `word:` prefix
/// (`repo:`, `project_path:`), the text up to the first `/` or `:` has a wildcard.
pub fn opens_any_subject(value: &str) -> bool {
    owner_segment(value).0.contains(['*', '?'])
}

/// The owner segment of a subject pattern, and whether a `/` or `:` ends it in `value`.
fn owner_segment(value: &str) -> (&str, bool) {
    let rest = match value.split_once(':') {
        Some((prefix, rest))
            if !prefix.is_empty()
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) =>
        {
            rest
        }
        _ => value,
    };
    match rest.find(['/', ':']) {
        Some(end) => (rest.get(..end).unwrap_or(rest), true),
        None => (rest, false),
    }
}

/// [`opens_any_subject`] for a value that may be known only at deployment.
fn term_opens_any_subject(term: &Term) -> Truth {
    if let Some(literal) = term.as_literal() {
        return Truth::from_bool(opens_any_subject(literal));
    }
    let Some((Part::Text(head), rest)) = term.parts.split_first() else {
        return Truth::Unknown;
    };
    let (owner, ended) = owner_segment(head);
    if owner.contains(['*', '?']) {
        return Truth::True;
    }
    if ended {
        return Truth::False;
    }
    // The owner continues into the parts after the head, until a `/` or `:`.
    for part in rest {
        match part {
            Part::Name => {}
            Part::Any => return Truth::Unknown,
            Part::Text(t) => {
                let end = t.find(['/', ':']).unwrap_or(t.len());
                let segment = t.get(..end).unwrap_or(t);
                if segment.contains(['*', '?']) {
                    return Truth::True;
                }
                if end < t.len() {
                    return Truth::False;
                }
            }
        }
    }
    Truth::False
}

/// Whether a condition pins the web identity's subject.
fn pins_subject(c: &Condition, cognito: bool) -> Truth {
    let kind = match c.operator.as_literal() {
        Some(op) => operator_kind(op),
        None => return Truth::Unknown,
    };
    let key = if cognito {
        or(
            c.key.ends_with_ignore_case(":sub"),
            c.key
                .equals_ignore_case("cognito-identity.amazonaws.com:aud"),
        )
    } else {
        c.key.ends_with_ignore_case(":sub")
    };
    let values = match kind {
        Match::Equals => Truth::True,
        Match::Like => c.values.iter().fold(Truth::True, |acc, v| {
            and(acc, term_opens_any_subject(v).not())
        }),
        Match::Not(_) | Match::Other => Truth::False,
    };
    let truth = and(key, values);
    if c.conditional && truth == Truth::True {
        Truth::Unknown
    } else {
        truth
    }
}

/// Whether a Deny statement refuses web identities whose subject is not a pinned value: a
/// `StringNotEquals`/`StringNotLike` on `:sub` as its only conditions.
fn denies_other_subjects(s: &Statement) -> bool {
    s.effect
        .as_ref()
        .is_some_and(|e| e.equals_ignore_case("Deny") == Truth::True)
        && !s.conditional
        && s.grants(WEB_IDENTITY) == Truth::True
        && s.principal.as_ref().is_none_or(|principals| {
            principals.iter().any(|p| {
                anyone(p).truth == Truth::True
                    || p.kind.equals_ignore_case("Federated") == Truth::True
            })
        })
        && !s.conditions.is_empty()
        && s.conditions.iter().all(|c| {
            !c.conditional
                && c.operator
                    .as_literal()
                    .is_some_and(|op| matches!(operator_kind(op), Match::Not(_)))
                && c.key.ends_with_ignore_case(":sub") == Truth::True
                && !c.values.is_empty()
                && c.values
                    .iter()
                    .all(|v| term_opens_any_subject(v) == Truth::False)
        })
}

fn web_identity_without_subject(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, policy| {
        let action = s.grants_found(WEB_IDENTITY);
        let (provider, cognito) = federated(s);
        let pinned = s
            .conditions
            .iter()
            .fold(Truth::False, |acc, c| or(acc, pins_subject(c, cognito)));
        let pinned = if policy.statements.iter().any(denies_other_subjects) {
            Truth::True
        } else {
            pinned
        };
        let why = match pinned {
            Truth::False if s.conditions.is_empty() => "no Condition",
            Truth::False => "no condition pins the token's subject (:sub)",
            _ => "the subject condition is known only at deployment",
        };
        Found {
            truth: and(
                and(s.allows(), action.truth),
                and(provider.truth, pinned.not()),
            ),
            shown: format!(
                "{} {} to Federated {}, {why}",
                s.effect_shown(),
                action.shown,
                provider.shown
            ),
        }
    })
}

#[cfg(test)]
mod tests;
