//! Reading every form of policy document into the [model](super::model).
//!
//! Documents arrive as finished values: CloudFormation intrinsics resolved by the adapter
//! (`Fn::If` as [`Value::OneOf`], `Fn::Sub`/`Fn::Join` as strings or as unknown strings of
//! known text and unknown pieces), Terraform expressions evaluated (a heredoc or template with
//! interpolations as an unknown string of pieces, a reference to a data source as an unknown
//! that names it). Nothing here parses expression text.

use super::model::{Condition, Gap, Part, Policy, Principal, Statement, Term, normalized};
use crate::graph::{Framework, NodeKind, ResourceGraph, ResourceId};
use crate::rules::helpers::shown_expression;
use crate::value::{Dependency, DependsOn, Map, Node, Piece, Unknown, Value};

/// Reads the policy document `node` of `resource` into the normalized model, following
/// Terraform `aws_iam_policy_document` data sources through `graph`.
pub fn statements(node: &Node, path: &str, graph: &ResourceGraph, resource: ResourceId) -> Policy {
    let framework = graph.resource(resource).map(|r| r.framework);
    let reader = Reader {
        graph,
        cloudformation: framework == Some(Framework::CloudFormation),
        holes: Vec::new(),
    };
    let mut visiting = Vec::new();
    reader.document(node, path, resource, 0, &mut visiting)
}

// ---------------------------------------------------------------------------------------
// Reading documents
// ---------------------------------------------------------------------------------------

/// Deepest nesting of data sources and documents followed.
const MAX_DEPTH: usize = 16;

/// The statement elements whose alternatives (`Fn::If` branches, a conditional) make
/// separate statement variants; the others are lists, where the alternatives simply add
/// possible items.
const VARIANT_FIELDS: [&str; 4] = ["Effect", "Principal", "NotPrincipal", "Condition"];

/// Most variants one statement is expanded into.
const MAX_VARIANTS: usize = 16;

/// Marks an unknown piece in a policy text being parsed as JSON: `OPEN index CLOSE`.
/// Private-use characters, so they cannot clash with the policy's own text.
pub(super) const OPEN: char = '\u{E000}';
pub(super) const CLOSE: char = '\u{E001}';

/// An unknown piece of a policy text: how to show it and what it may be.
#[derive(Debug, Clone)]
pub(super) struct Hole {
    shown: String,
    parts: Vec<Part>,
}

struct Reader<'g> {
    graph: &'g ResourceGraph,
    /// Whether the document is read from a CloudFormation template, where every
    /// `Fn::GetAtt` names something.
    cloudformation: bool,
    /// The unknown pieces of the policy text being read.
    holes: Vec<Hole>,
}

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

/// A policy text of known text and unknown pieces, with each unknown piece replaced by a
/// marker, and the pieces; `None` when a piece is not a string part (a list, a map).
pub(super) fn mark_holes(pieces: &[Piece], cloudformation: bool) -> Option<(String, Vec<Hole>)> {
    let mut out = String::new();
    let mut holes = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Value(node) => {
                out.push(OPEN);
                out.push_str(&holes.len().to_string());
                out.push(CLOSE);
                holes.push(Hole {
                    shown: shown_of(node),
                    parts: node_parts(node, cloudformation)?,
                });
            }
        }
    }
    Some((out, holes))
}

/// How an unknown piece is shown: `${aws_s3_bucket.b.arn}`.
fn shown_of(node: &Node) -> String {
    match &node.value {
        Value::Unknown(u) if !u.expression.is_empty() => format!("${{{}}}", u.expression),
        _ => "${…}".to_owned(),
    }
}

/// What a value known only in part may be, as string parts; `None` for values that are not
/// strings (lists, maps).
fn node_parts(node: &Node, cloudformation: bool) -> Option<Vec<Part>> {
    match &node.value {
        Value::Unknown(u) => Some(unknown_parts(u, cloudformation)),
        Value::OneOf(alternatives) => {
            // Text only when every alternative is the same text; otherwise anything they
            // may be is as good as unknown text for matching.
            let texts: Option<Vec<String>> =
                alternatives.iter().map(|a| a.value.scalar_text()).collect();
            match texts.as_deref() {
                Some([first, rest @ ..]) if rest.iter().all(|t| t == first) => {
                    Some(vec![Part::Text(first.clone())])
                }
                _ => Some(vec![Part::Any]),
            }
        }
        Value::Seq(_) | Value::Map(_) => None,
        other => Some(vec![Part::Text(other.scalar_text().unwrap_or_default())]),
    }
}

/// What an unknown string may be: its known text around its unknown pieces, or what the
/// one thing it waits for may be.
pub(super) fn unknown_parts(unknown: &Unknown, cloudformation: bool) -> Vec<Part> {
    if !unknown.pieces.is_empty() {
        let mut parts = Vec::new();
        for piece in &unknown.pieces {
            match piece {
                Piece::Text(text) => parts.push(Part::Text(text.clone())),
                Piece::Value(node) => match node_parts(node, cloudformation) {
                    Some(p) => parts.extend(p),
                    None => return vec![Part::Any],
                },
            }
        }
        return normalized(parts);
    }
    match unknown.depends_on.as_slice() {
        [only] => dependency_parts(only, cloudformation),
        _ => vec![Part::Any],
    }
}

/// What a value that is exactly one dependency may be: the ARN, id or name of a resource
/// never holds a wildcard; an input or an expression may hold anything.
fn dependency_parts(dependency: &Dependency, cloudformation: bool) -> Vec<Part> {
    let names = |attribute: &Option<String>| match attribute {
        // CloudFormation: `Ref` to a resource is its name or id, and `Fn::GetAtt` an ARN,
        // id or name.
        _ if cloudformation => true,
        Some(a) => NAME_ATTRIBUTES.contains(&a.as_str()),
        None => false,
    };
    let name = match &dependency.on {
        DependsOn::Resource { attribute, .. } | DependsOn::DataSource { attribute, .. } => {
            names(attribute)
        }
        // Pseudo parameters: the account id, region, partition, stack name.
        DependsOn::Context { name } => name.starts_with("AWS::"),
        _ => false,
    };
    if name {
        vec![Part::Name]
    } else {
        vec![Part::Any]
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

impl Reader<'_> {
    /// A string, with the policy text's unknown-piece markers read as unknown parts.
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
                    shown.push_str(&h.shown);
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
    fn term(&self, node: &Node) -> Option<Term> {
        match &node.value {
            Value::String(s) => Some(self.string_term(s)),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                node.value.scalar_text().map(|t| Term::literal(&t))
            }
            Value::Unknown(u) => Some(Term::unknown(
                &u.expression,
                unknown_parts(u, self.cloudformation),
            )),
            Value::OneOf(_) => Some(Term::unknown("one of several values", vec![Part::Any])),
            _ => None,
        }
    }

    /// A string-or-list element (`Action`, `Resource`, `identifiers`); `None` when absent.
    /// `Fn::If` branches, of the element or of an item, are all possible items.
    fn terms(&self, node: &Node) -> Option<Vec<Term>> {
        let mut out: Option<Vec<Term>> = None;
        for alternative in alternatives(node).into_iter().flatten() {
            match &alternative.value {
                Value::Null => {}
                Value::Seq(items) => {
                    let terms = out.get_or_insert_with(Vec::new);
                    for item in items {
                        for option in alternatives(item).into_iter().flatten() {
                            terms.extend(self.term(option));
                        }
                    }
                }
                _ => out
                    .get_or_insert_with(Vec::new)
                    .extend(self.term(alternative)),
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
            // AWS rejects a document that is not a JSON object: nothing can be said about
            // what it grants, so it is a gap (an unknown verdict), never an empty policy.
            Value::String(text) => self
                .json_text(text, node, Vec::new())
                .unwrap_or_else(|why| gap(format!("a policy that is not valid JSON ({why})"))),
            Value::OneOf(alternatives) => {
                let mut policy = Policy::default();
                for alternative in alternatives {
                    let p = self.document(alternative, path, origin, depth + 1, visiting);
                    merge(&mut policy, p);
                }
                policy
            }
            Value::Map(map) if is_terraform_document(map) => {
                // Rules on the data source itself (called with its root, `$`): its
                // statements are its own attributes, `statement[0]`.
                let own = self.graph.resource(origin).filter(|r| {
                    r.kind == NodeKind::Data && r.type_name == "aws_iam_policy_document"
                });
                let address = match own {
                    Some(_) if path == "$" => "",
                    Some(r) => r.address.as_str(),
                    None => path,
                };
                self.tf_document(node, address, origin, depth, visiting)
            }
            Value::Map(map) => {
                let mut policy = Policy::default();
                if let Some(statement) = get_ci(map, "Statement") {
                    self.json_statements(statement, "Statement", 0, &mut policy);
                }
                policy
            }
            Value::Unknown(u) => {
                if let Some(policy) = self.follow(u, origin, depth, visiting) {
                    return policy;
                }
                let text = (!u.pieces.is_empty())
                    .then(|| mark_holes(&u.pieces, self.cloudformation))
                    .flatten();
                if let Some(Ok(policy)) =
                    text.map(|(text, holes)| self.json_text(&text, node, holes))
                {
                    return policy;
                }
                gap(shown_expression(&u.expression))
            }
            _ => Policy::default(),
        }
    }

    /// A JSON policy in a string; why not when the text is not a JSON object.
    fn json_text(&self, text: &str, at: &Node, holes: Vec<Hole>) -> Result<Policy, String> {
        let json =
            serde_json::from_str::<serde_json::Value>(text.trim()).map_err(|e| e.to_string())?;
        if !json.is_object() {
            return Err("not a JSON object".to_owned());
        }
        let node = Node::from_json(&json, at.span, &at.provenance);
        let reader = Reader {
            graph: self.graph,
            cloudformation: self.cloudformation,
            holes,
        };
        let mut policy = Policy::default();
        if let Some(statement) = node.as_map().and_then(|m| get_ci(m, "Statement")) {
            reader.json_statements(statement, "Statement", 0, &mut policy);
        }
        Ok(policy)
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
            Value::Map(_) => policy
                .statements
                .extend(self.json_statement_variants(node, path)),
            Value::OneOf(alternatives) => {
                for alternative in alternatives {
                    self.json_statements(alternative, path, depth + 1, policy);
                }
            }
            Value::Unknown(u) => policy.gaps.push(Gap {
                span: node.span,
                path: path.to_owned(),
                seen: shown_expression(&u.expression),
            }),
            _ => {}
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
            .map(|field| get_ci(map, field).map_or_else(|| vec![None], alternatives))
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
            effect: pick(0).and_then(|n| self.term(n)),
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
            Value::Map(map) => Some(
                map.iter()
                    .map(|e| Principal {
                        kind: self.string_term(&e.key),
                        ids: self.terms(&e.value).unwrap_or_default(),
                        conditional: false,
                    })
                    .collect(),
            ),
            Value::Unknown(_) | Value::OneOf(_) => Some(vec![unknown(self.term(node)?)]),
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
            Value::Map(map) => {
                let mut out = Vec::new();
                for op in map {
                    let operator = self.string_term(&op.key);
                    match &op.value.value {
                        Value::Map(keys) => {
                            out.extend(keys.iter().map(|k| Condition {
                                operator: operator.clone(),
                                key: self.string_term(&k.key),
                                values: self.terms(&k.value).unwrap_or_default(),
                                conditional: false,
                            }));
                        }
                        Value::Null => {}
                        _ => {
                            let any = self
                                .term(&op.value)
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
            Value::Unknown(_) | Value::OneOf(_) => self
                .term(node)
                .map(|t| vec![unknown(t, true)])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    // ---- Terraform data sources ---------------------------------------------------------

    /// Follows a value that is `data.aws_iam_policy_document.NAME.json` (or
    /// `minified_json`) from `origin` to the data source.
    fn follow(
        &self,
        unknown: &Unknown,
        origin: ResourceId,
        depth: usize,
        visiting: &mut Vec<ResourceId>,
    ) -> Option<Policy> {
        if !unknown.pieces.is_empty() {
            return None;
        }
        let [dependency] = unknown.depends_on.as_slice() else {
            return None;
        };
        let DependsOn::DataSource { name, .. } = &dependency.on else {
            return None;
        };
        if !dependency.on.is_policy_document_json() {
            return None;
        }
        let address = name.clone();
        let mut targets: Vec<ResourceId> = self
            .graph
            .edges_from(origin)
            .iter()
            .filter_map(|e| e.to)
            .filter(|&id| {
                self.graph.resource(id).is_some_and(|r| {
                    r.kind == NodeKind::Data
                        && r.type_name == "aws_iam_policy_document"
                        && r.local_name == address
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
            cloudformation: false,
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
        let path = joined(address, key);
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
            let path = joined(address, &format!("statement[{i}]"));
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
                    Some(n) => self.term(n),
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
                        .and_then(|n| self.term(n))
                        .unwrap_or_else(|| Term::literal("")),
                    ids: map
                        .get("identifiers")
                        .and_then(|n| self.terms(n))
                        .unwrap_or_default(),
                    conditional: is_dynamic(block),
                }),
                Value::Unknown(_) => self.term(block).map(|t| Principal {
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
                            .and_then(|n| self.term(n))
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
                Value::Unknown(_) => self.term(block).map(|t| Condition {
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

/// `address.step`, or `step` alone when there is no address.
fn joined(address: &str, step: &str) -> String {
    if address.is_empty() {
        step.to_owned()
    } else {
        format!("{address}.{step}")
    }
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

/// The values an element may take: each alternative of one of several values, `None` for a
/// property CloudFormation removes (`AWS::NoValue`).
fn alternatives(node: &Node) -> Vec<Option<&Node>> {
    node.alternatives()
        .iter()
        .map(|n| (!n.is_removed()).then_some(n))
        .collect()
}
