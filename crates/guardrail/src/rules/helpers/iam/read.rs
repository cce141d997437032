//! Reading every form of policy document into the [model](super::model).

use std::sync::LazyLock;

use regex::Regex;

use super::model::{Condition, Gap, Part, Policy, Principal, Statement, Term, normalized};
use crate::graph::{Framework, NodeKind, ResourceGraph, ResourceId};
use crate::rules::helpers::shown_expression;
use crate::value::{Map, Node, Value};

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
// Reading documents
// ---------------------------------------------------------------------------------------

/// Deepest nesting of data sources, `Fn::If` and intrinsics followed.
const MAX_DEPTH: usize = 16;

/// The statement elements whose `Fn::If` branches make separate statement variants; the
/// others are lists, where the branches simply add possible items.
const VARIANT_FIELDS: [&str; 4] = ["Effect", "Principal", "NotPrincipal", "Condition"];

/// Most variants one statement is expanded into.
const MAX_VARIANTS: usize = 16;

/// Marks an interpolation in a heredoc being parsed as JSON: `OPEN index CLOSE`. Private-use
/// characters, so they cannot clash with the policy's own text.
pub(super) const OPEN: char = '\u{E000}';
pub(super) const CLOSE: char = '\u{E001}';

/// A `${…}` interpolation of a heredoc: its source text and what it may be.
#[derive(Debug, Clone)]
pub(super) struct Hole {
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
pub(super) fn tf_parts(expr: &str) -> Vec<Part> {
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
pub(super) fn heredoc_body(expr: &str) -> Option<&str> {
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
pub(super) fn mark_holes(body: &str) -> Option<(String, Vec<Hole>)> {
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

/// `map[key]`, the exact key first, then without regard to ASCII case.
fn get_ci<'n>(map: &'n Map, key: &str) -> Option<&'n Node> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|e| e.key.eq_ignore_ascii_case(key))
            .map(|e| &e.value)
    })
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
        crate::adapt::cloudformation::intrinsic_call(node)
    }

    fn intrinsic(&self, node: &Node, depth: usize) -> Option<Intrinsic> {
        let (function, argument) = self.as_intrinsic(node)?;
        let shown = match argument.value.scalar_text() {
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
                    .and_then(|d| d.value.scalar_text())
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
                None => match item.value.scalar_text() {
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
                node.value.scalar_text().map(|t| Term::literal(&t))
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
    /// `Fn::If` branches, of the element or of an item, are all possible items.
    fn terms(&self, node: &Node) -> Option<Vec<Term>> {
        let mut out: Option<Vec<Term>> = None;
        for alternative in self.alternatives(node, 0).into_iter().flatten() {
            match &alternative.value {
                Value::Null => {}
                Value::Seq(items) => {
                    let terms = out.get_or_insert_with(Vec::new);
                    for item in items {
                        for option in self.alternatives(item, 0).into_iter().flatten() {
                            terms.extend(self.term(option, 0));
                        }
                    }
                }
                _ => out
                    .get_or_insert_with(Vec::new)
                    .extend(self.term(alternative, 0)),
            }
        }
        out
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
                        let p = self.document(branch, path, origin, depth + 1, visiting);
                        merge(&mut policy, p);
                    }
                    policy
                }
                Some(Intrinsic::Value(term)) => gap(term.shown),
                None if is_terraform_document(map) => {
                    // Rules on the data source itself: name its statements by its address.
                    let address = self
                        .graph
                        .resource(origin)
                        .filter(|r| {
                            r.kind == NodeKind::Data && r.type_name == "aws_iam_policy_document"
                        })
                        .map_or(path, |r| r.address.as_str());
                    self.tf_document(node, address, origin, depth, visiting)
                }
                None => {
                    let mut policy = Policy::default();
                    if let Some(statement) = get_ci(map, "Statement") {
                        self.json_statements(statement, "Statement", 0, &mut policy);
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
        let node = Node::from_json(&json, at.span, at.provenance);
        let reader = Reader {
            graph: self.graph,
            cfn_scope: None,
            holes,
        };
        let mut policy = Policy::default();
        if let Some(statement) = node.as_map().and_then(|m| get_ci(m, "Statement")) {
            reader.json_statements(statement, "Statement", 0, &mut policy);
        }
        Some(policy)
    }

    /// The statements of a JSON-shaped `Statement` element (a map, a list, intrinsics).
    /// Both branches of an `Fn::If` are possible statements.
    fn json_statements(&self, node: &Node, path: &str, depth: usize, policy: &mut Policy) {
        if depth >= MAX_DEPTH {
            return;
        }
        match &node.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{path}[{i}]");
                    match &item.value {
                        Value::Seq(_) => {}
                        _ => self.json_statements(item, &path, depth + 1, policy),
                    }
                }
            }
            Value::Map(_) => match self.intrinsic(node, depth) {
                None => policy
                    .statements
                    .extend(self.json_statement_variants(node, path)),
                Some(Intrinsic::NoValue) => {}
                Some(Intrinsic::If(branches)) => {
                    for branch in &branches {
                        self.json_statements(branch, path, depth + 1, policy);
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

    /// The values an element may take: both branches of an `Fn::If` (recursively), `None`
    /// for `AWS::NoValue`.
    fn alternatives<'n>(&self, node: &'n Node, depth: usize) -> Vec<Option<&'n Node>> {
        let Some((function, argument)) = self.as_intrinsic(node) else {
            return vec![Some(node)];
        };
        match (function, argument.as_seq(), argument.as_str()) {
            ("Ref", _, Some("AWS::NoValue")) => vec![None],
            ("Fn::If", Some([_, yes, no]), _) if depth < MAX_DEPTH => {
                let mut out = self.alternatives(yes, depth + 1);
                out.extend(self.alternatives(no, depth + 1));
                out
            }
            _ => vec![Some(node)],
        }
    }

    /// A statement in each combination of the values its `Effect`, `Principal`,
    /// `NotPrincipal` and `Condition` may take (`Fn::If` branches), so that each possible
    /// deployment is judged as a whole. Past [`MAX_VARIANTS`] combinations the choices are
    /// left unknown instead.
    fn json_statement_variants(&self, node: &Node, path: &str) -> Vec<Statement> {
        let empty = Map::new();
        let map = node.as_map().unwrap_or(&empty);
        let choices: Vec<Vec<Option<&Node>>> = VARIANT_FIELDS
            .iter()
            .map(|field| get_ci(map, field).map_or_else(|| vec![None], |n| self.alternatives(n, 0)))
            .collect();
        let count = choices
            .iter()
            .try_fold(1usize, |acc, c| acc.checked_mul(c.len()));
        if count.is_none_or(|n| n > MAX_VARIANTS) {
            let picks: Vec<Option<&Node>> = VARIANT_FIELDS
                .iter()
                .map(|field| get_ci(map, field))
                .collect();
            return vec![self.json_statement(map, node, path, &picks)];
        }
        let mut combinations: Vec<Vec<Option<&Node>>> = vec![Vec::new()];
        for options in &choices {
            combinations = combinations
                .into_iter()
                .flat_map(|prefix| {
                    options.iter().map(move |option| {
                        let mut next = prefix.clone();
                        next.push(*option);
                        next
                    })
                })
                .collect();
        }
        combinations
            .iter()
            .map(|picks| self.json_statement(map, node, path, picks))
            .collect()
    }

    /// One statement; `picks` are the values of [`VARIANT_FIELDS`], in order.
    fn json_statement(
        &self,
        map: &Map,
        node: &Node,
        path: &str,
        picks: &[Option<&Node>],
    ) -> Statement {
        let get = |key: &str| get_ci(map, key);
        let pick = |i: usize| picks.get(i).copied().flatten();
        Statement {
            sid: get("Sid").and_then(Node::as_str).map(str::to_owned),
            effect: pick(0).and_then(|n| self.term(n, 0)),
            actions: get("Action").and_then(|n| self.terms(n)),
            not_actions: get("NotAction").and_then(|n| self.terms(n)),
            resources: get("Resource").and_then(|n| self.terms(n)),
            not_resources: get("NotResource").and_then(|n| self.terms(n)),
            principal: pick(1).and_then(|n| self.json_principal(n)),
            not_principal: pick(2).and_then(|n| self.json_principal(n)),
            conditions: pick(3).map_or_else(Vec::new, |n| self.json_conditions(n)),
            span: node.span,
            path: path.to_owned(),
            conditional: false,
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
                    seen: format!("{address} refers to itself or nests too deeply"),
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

/// Whether a map is the attributes of an `aws_iam_policy_document` (lower-case blocks)
/// rather than a JSON-shaped document.
fn is_terraform_document(map: &Map) -> bool {
    !map.iter().any(|e| e.key == "Statement")
        && [
            "statement",
            "source_policy_documents",
            "override_policy_documents",
        ]
        .iter()
        .any(|key| map.contains_key(key))
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
