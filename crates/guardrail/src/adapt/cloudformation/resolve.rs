//! CloudFormation intrinsic functions resolved once, at adapt time, into finished values.
//!
//! A resource's attributes leave the adapter as the values CloudFormation would deploy, as far
//! as the template decides them:
//!
//! | written | finished value |
//! |---|---|
//! | `Ref` to a parameter with a `Default` | the default (a list for `CommaDelimitedList` and `List<…>` parameters), provenance [`Provenance::Resolved`] at the default |
//! | `Ref` to a parameter without one | unknown, waiting for the input |
//! | `Ref` to `AWS::NoValue` | `null` with provenance [`Provenance::Default`]: the property is absent, and a rule's default applies |
//! | `Ref` to a pseudo parameter (`AWS::Region`) | unknown, waiting for the deployment context |
//! | `Ref` to a resource, `Fn::GetAtt` | unknown, waiting for that resource's attribute |
//! | `Fn::If` | the branch its condition picks when the condition is decided by the template's literals alone, otherwise [`Value::OneOf`] both branches |
//! | `Fn::Sub`, `Fn::Join` | the string, or an unknown string of known text and unknown [`Piece`]s |
//! | `Fn::Select`, `Fn::FindInMap`, `Fn::Split`, `Fn::Length`, `Fn::ToJsonString` | the value selected or computed, when its arguments are known |
//! | `Fn::Base64` | its argument, unencoded: rules read what user data says, as they do Terraform's |
//! | `Fn::ImportValue`, `Fn::GetAZs`, `Fn::Cidr`, `Fn::Transform`, anything else | unknown |
//!
//! Conditions are decided only from literals: a parameter's default is what the template
//! deploys when nobody overrides it, which is a fair reading of a property, but taking it for a
//! condition would hide the branch every other deployment takes. Nesting is bounded, so a
//! hostile template (conditions that name each other) ends in unknown values, not recursion.

use std::collections::HashMap;

use super::sub::placeholders;
use super::{intrinsic_call, refs::is_pseudo_parameter};
use crate::value::{Dependency, DependsOn, Map, Node, Piece, Provenance, Unknown, Value};

/// Deepest nesting of intrinsic functions (and conditions naming conditions) followed.
const MAX_DEPTH: usize = 32;

/// Most alternatives one value is expanded into (`Fn::FindInMap` over keys that are each
/// one of several values).
const MAX_ALTERNATIVES: usize = 16;

/// The template's sections that intrinsics read.
pub(super) struct Template<'a> {
    /// `Parameters`, by logical id.
    pub parameters: Option<&'a Map>,
    /// `Conditions`, by name.
    pub conditions: Option<&'a Map>,
    /// `Mappings`, by name.
    pub mappings: Option<&'a Map>,
}

/// Resolves the intrinsics of one template's values.
pub(super) struct Resolver<'a> {
    template: Template<'a>,
    /// Conditions decided so far (`None`: not decidable from literals).
    decided: HashMap<String, Option<bool>>,
    /// Whether parameters read as unknown (while deciding a condition).
    in_condition: bool,
}

impl<'a> Resolver<'a> {
    pub(super) fn new(template: Template<'a>) -> Self {
        Resolver {
            template,
            decided: HashMap::new(),
            in_condition: false,
        }
    }

    /// `node` with every intrinsic function below it resolved.
    pub(super) fn resolve(&mut self, node: &Node) -> Node {
        self.value(node, 0)
    }

    fn value(&mut self, node: &Node, depth: usize) -> Node {
        if let Some((function, argument)) = intrinsic_call(node) {
            if depth >= MAX_DEPTH {
                return unknown(node, describe(function, argument), DependsOn::Expression);
            }
            return self.call(node, function, argument, depth + 1);
        }
        node.map_children(|child| self.value(child, depth))
    }

    fn call(&mut self, node: &Node, function: &str, argument: &Node, depth: usize) -> Node {
        let shown = describe(function, argument);
        let resolved = match function {
            "Ref" => return self.reference(node, argument, depth),
            "Fn::GetAtt" => return get_att(node, argument),
            "Fn::If" => self.if_(node, argument, depth),
            "Fn::Sub" => self.sub(node, argument, depth),
            "Fn::Join" => self.join(node, argument, depth),
            "Fn::Select" => self.select(node, argument, depth),
            "Fn::FindInMap" => self.find_in_map(node, argument, depth),
            "Fn::Split" => self.split(node, argument, depth),
            "Fn::Length" => self.length(node, argument, depth),
            "Fn::ToJsonString" => self.json_string(node, argument, depth),
            "Fn::Base64" => Some(self.value(argument, depth)),
            "Fn::ImportValue" => {
                let export = self.value(argument, depth);
                let mut depends_on = vec![Dependency {
                    on: DependsOn::Context {
                        name: "Fn::ImportValue".into(),
                    },
                    span: node.span,
                }];
                depends_on.extend(export.dependencies());
                Some(at(
                    node,
                    Value::Unknown(Unknown::new(shown.clone(), depends_on)),
                ))
            }
            _ => None,
        };
        resolved.unwrap_or_else(|| {
            let on = match function {
                "Fn::If" | "Fn::Sub" | "Fn::Join" | "Fn::Select" | "Fn::FindInMap"
                | "Fn::Split" | "Fn::Length" | "Fn::ToJsonString" => {
                    // Arguments known only at deployment: the call waits for what they wait
                    // for, or (a malformed call) for nothing it can name.
                    let waits = dependencies_deep(&self.value(argument, depth));
                    if !waits.is_empty() {
                        return at(node, Value::Unknown(Unknown::new(shown, waits)));
                    }
                    DependsOn::Expression
                }
                _ => DependsOn::Function {
                    name: function.to_owned(),
                },
            };
            unknown(node, shown, on)
        })
    }

    fn reference(&mut self, node: &Node, argument: &Node, depth: usize) -> Node {
        let Some(name) = argument.as_str() else {
            let shown = describe("Ref", argument);
            return unknown(node, shown, DependsOn::Expression);
        };
        let shown = format!("Ref {name}");
        if name == "AWS::NoValue" {
            return Node {
                value: Value::Null,
                span: node.span,
                provenance: Provenance::Default,
            };
        }
        if is_pseudo_parameter(name) {
            let on = DependsOn::Context { name: name.into() };
            return unknown(node, shown, on);
        }
        let Some(parameter) = self.template.parameters.and_then(|p| p.get(name)) else {
            let on = DependsOn::Resource {
                name: name.into(),
                attribute: None,
            };
            return unknown(node, shown, on);
        };
        let input = DependsOn::Input { name: name.into() };
        let default = parameter.get("Default").filter(|_| !self.in_condition);
        let Some(default) = default.filter(|d| depth < MAX_DEPTH && intrinsic_call(d).is_none())
        else {
            return unknown(node, shown, input);
        };
        let is_list = parameter
            .get("Type")
            .and_then(Node::as_str)
            .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
        let value = match (&default.value, is_list) {
            (Value::String(s), true) => Value::Seq(
                s.split(',')
                    .map(|item| Node {
                        value: Value::String(item.to_owned()),
                        span: node.span,
                        provenance: Provenance::resolved(default.span),
                    })
                    .collect(),
            ),
            (value, _) => value.clone(),
        };
        Node {
            value,
            span: node.span,
            provenance: Provenance::resolved(default.span),
        }
    }

    fn if_(&mut self, node: &Node, argument: &Node, depth: usize) -> Option<Node> {
        let [condition, yes, no] = argument.as_seq()? else {
            return None;
        };
        let decided = condition
            .as_str()
            .and_then(|name| self.condition_named(name, depth));
        Some(match decided {
            Some(true) => self.value(yes, depth),
            Some(false) => self.value(no, depth),
            None => {
                let branches = [self.value(yes, depth), self.value(no, depth)];
                one_of(node, branches.into_iter().collect())
            }
        })
    }

    /// The truth of the condition `name`, when the template's literals decide it.
    fn condition_named(&mut self, name: &str, depth: usize) -> Option<bool> {
        if let Some(known) = self.decided.get(name) {
            return *known;
        }
        // Marked undecided first: a condition that names itself stays undecided.
        self.decided.insert(name.to_owned(), None);
        let definition = self.template.conditions.and_then(|c| c.get(name))?;
        let truth = self.condition(definition, depth + 1);
        self.decided.insert(name.to_owned(), truth);
        truth
    }

    fn condition(&mut self, node: &Node, depth: usize) -> Option<bool> {
        if depth >= MAX_DEPTH {
            return None;
        }
        if let Some(name) = node.get("Condition").and_then(Node::as_str) {
            return self.condition_named(name, depth);
        }
        let (function, argument) = intrinsic_call(node)?;
        let operands = argument.as_seq()?;
        match function {
            "Fn::Equals" => {
                let [a, b] = operands else { return None };
                let outer = std::mem::replace(&mut self.in_condition, true);
                let (a, b) = (self.value(a, depth), self.value(b, depth));
                self.in_condition = outer;
                Some(a.value.scalar_text()? == b.value.scalar_text()?)
            }
            "Fn::Not" => match operands {
                [c] => self.condition(c, depth + 1).map(|b| !b),
                _ => None,
            },
            "Fn::And" | "Fn::Or" => {
                let decisive = function == "Fn::Or";
                let mut all_known = true;
                for c in operands {
                    match self.condition(c, depth + 1) {
                        Some(b) if b == decisive => return Some(decisive),
                        Some(_) => {}
                        None => all_known = false,
                    }
                }
                all_known.then_some(!decisive)
            }
            _ => None,
        }
    }

    fn sub(&mut self, node: &Node, argument: &Node, depth: usize) -> Option<Node> {
        let (template, variables) = match &argument.value {
            Value::String(text) => (text.as_str(), None),
            Value::Seq(items) => match items.as_slice() {
                [text, variables] => (text.as_str()?, Some(variables.as_map()?)),
                _ => return None,
            },
            _ => return None,
        };
        let mut pieces = Vec::new();
        let mut from = 0;
        for placeholder in placeholders(template) {
            let before = template.get(from..placeholder.range.start).unwrap_or("");
            pieces.push(Piece::Text(unescape(before)));
            from = placeholder.range.end;
            let variable = variables
                .filter(|_| placeholder.attribute.is_none())
                .and_then(|v| v.get(placeholder.name));
            let value = match (variable, placeholder.attribute) {
                (Some(variable), _) => self.value(variable, depth),
                (None, Some(attribute)) => unknown(
                    node,
                    format!("Fn::GetAtt {}.{attribute}", placeholder.name),
                    DependsOn::Resource {
                        name: placeholder.name.into(),
                        attribute: Some(attribute.into()),
                    },
                ),
                (None, None) => {
                    let name = Node::new(Value::String(placeholder.name.into()), node.span);
                    self.reference(node, &name, depth)
                }
            };
            pieces.push(Piece::Value(value));
        }
        pieces.push(Piece::Text(unescape(template.get(from..).unwrap_or(""))));
        Some(text_of(node, pieces))
    }

    fn join(&mut self, node: &Node, argument: &Node, depth: usize) -> Option<Node> {
        let [separator, items] = argument.as_seq()? else {
            return None;
        };
        let separator = self.value(separator, depth).value.scalar_text()?;
        let items = self.value(items, depth);
        let items = items.as_seq()?;
        let mut pieces = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                pieces.push(Piece::Text(separator.clone()));
            }
            pieces.push(Piece::Value(item.clone()));
        }
        Some(text_of(node, pieces))
    }

    fn select(&mut self, node: &Node, argument: &Node, depth: usize) -> Option<Node> {
        let [index, list] = argument.as_seq()? else {
            return None;
        };
        let index = match self.value(index, depth).value {
            Value::Int(i) => usize::try_from(i).ok()?,
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        let list = self.value(list, depth);
        let item = list.as_seq()?.get(index)?;
        Some(Node {
            span: node.span,
            ..item.clone()
        })
    }

    fn find_in_map(&mut self, node: &Node, argument: &Node, depth: usize) -> Option<Node> {
        let arguments = argument.as_seq()?;
        let (keys, fallback) = match arguments {
            [map, top, second] => ([map, top, second], None),
            [map, top, second, options] => ([map, top, second], options.get("DefaultValue")),
            _ => return None,
        };
        let keys: Vec<Node> = keys.iter().map(|k| self.value(k, depth)).collect();
        let mut combinations: Vec<[String; 3]> = vec![Default::default()];
        for (i, key) in keys.iter().enumerate() {
            let mut next = Vec::new();
            for alternative in key.alternatives() {
                let text = alternative.value.scalar_text()?;
                for combination in &combinations {
                    let mut combination = combination.clone();
                    combination[i] = text.clone();
                    next.push(combination);
                }
            }
            if next.len() > MAX_ALTERNATIVES {
                return None;
            }
            combinations = next;
        }
        let mut found = Vec::new();
        for [map, top, second] in combinations {
            let value = self
                .template
                .mappings
                .and_then(|m| m.get(&map))
                .and_then(|m| m.get(&top))
                .and_then(|m| m.get(&second));
            found.push(match (value, fallback) {
                (Some(value), _) => Node {
                    value: value.value.clone(),
                    span: node.span,
                    provenance: Provenance::resolved(value.span),
                },
                (None, Some(fallback)) => self.value(fallback, depth),
                (None, None) => return None,
            });
        }
        Some(match found.len() {
            1 => found.pop()?,
            _ => one_of(node, found),
        })
    }

    fn split(&mut self, node: &Node, argument: &Node, depth: usize) -> Option<Node> {
        let [separator, text] = argument.as_seq()? else {
            return None;
        };
        let separator = self.value(separator, depth).value.scalar_text()?;
        let text = self.value(text, depth);
        let Value::String(s) = &text.value else {
            return None;
        };
        if separator.is_empty() {
            return None;
        }
        let items = s
            .split(separator.as_str())
            .map(|part| Node {
                value: Value::String(part.to_owned()),
                span: node.span,
                provenance: text.provenance.clone(),
            })
            .collect();
        Some(at(node, Value::Seq(items)))
    }

    fn length(&mut self, node: &Node, argument: &Node, depth: usize) -> Option<Node> {
        let list = self.value(argument, depth);
        let len = i64::try_from(list.as_seq()?.len()).ok()?;
        Some(at(node, Value::Int(len)))
    }

    fn json_string(&mut self, node: &Node, argument: &Node, depth: usize) -> Option<Node> {
        let value = self.value(argument, depth);
        let mut settled = true;
        value.walk(&mut |n| {
            settled &= !matches!(n.value, Value::Unknown(_) | Value::OneOf(_));
        });
        if !settled {
            return None;
        }
        Some(at(node, Value::String(value.to_json().to_string())))
    }
}

/// The dependencies of every unknown value in `node`'s subtree (the arguments of a call
/// that cannot be evaluated).
fn dependencies_deep(node: &Node) -> Vec<Dependency> {
    let mut out = Vec::new();
    node.walk(&mut |n| {
        if let Value::Unknown(u) = &n.value {
            out.extend(u.depends_on.iter().cloned());
        }
    });
    out
}

/// `Fn::GetAtt [Id, Attribute]` or `"Id.Attribute"`: unknown until the resource exists.
fn get_att(node: &Node, argument: &Node) -> Node {
    let named = match &argument.value {
        Value::String(s) => s.split_once('.').map(|(a, b)| (a.to_owned(), b.to_owned())),
        Value::Seq(items) => match items.as_slice() {
            [id, attribute] => id
                .as_str()
                .zip(attribute.as_str())
                .map(|(a, b)| (a.to_owned(), b.to_owned())),
            _ => None,
        },
        _ => None,
    };
    match named {
        Some((id, attribute)) => unknown(
            node,
            format!("Fn::GetAtt {id}.{attribute}"),
            DependsOn::Resource {
                name: id,
                attribute: Some(attribute),
            },
        ),
        None => unknown(node, "Fn::GetAtt".into(), DependsOn::Expression),
    }
}

/// A string of pieces: the string itself when every piece is known, otherwise an unknown
/// string that keeps the known text. A piece that is one of several known values makes the
/// string one of several strings.
fn text_of(node: &Node, pieces: Vec<Piece>) -> Node {
    let mut texts = vec![String::new()];
    let mut provenance = node.provenance.clone();
    let mut known = true;
    for piece in &pieces {
        match piece {
            Piece::Text(t) => texts.iter_mut().for_each(|s| s.push_str(t)),
            Piece::Value(v) => {
                let alternatives: Option<Vec<String>> = v
                    .alternatives()
                    .iter()
                    .map(|a| a.value.scalar_text())
                    .collect();
                match alternatives {
                    Some(options) if options.len() * texts.len() <= MAX_ALTERNATIVES => {
                        if v.provenance.is_resolved() && provenance == Provenance::Explicit {
                            provenance = v.provenance.clone();
                        }
                        texts = texts
                            .iter()
                            .flat_map(|s| options.iter().map(move |o| format!("{s}{o}")))
                            .collect();
                    }
                    _ => known = false,
                }
            }
        }
    }
    if !known {
        let pieces = merge_text(pieces);
        return at(node, Value::Unknown(Unknown::template(shown(node), pieces)));
    }
    let mut strings: Vec<Node> = texts
        .into_iter()
        .map(|s| Node {
            value: Value::String(s),
            span: node.span,
            provenance: provenance.clone(),
        })
        .collect();
    match strings.len() {
        1 => strings.pop().unwrap_or_else(|| at(node, Value::Null)),
        _ => one_of(node, strings),
    }
}

/// Pieces with adjacent known text joined, and known scalar values turned into text.
fn merge_text(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for piece in pieces {
        let piece = match piece {
            Piece::Value(v) => match v.value.scalar_text() {
                Some(text) => Piece::Text(text),
                None => Piece::Value(v),
            },
            text => text,
        };
        match (out.last_mut(), piece) {
            (_, Piece::Text(t)) if t.is_empty() => {}
            (Some(Piece::Text(last)), Piece::Text(t)) => last.push_str(&t),
            (_, piece) => out.push(piece),
        }
    }
    out
}

/// `${!Literal}` renders as `${Literal}`.
fn unescape(text: &str) -> String {
    text.replace("${!", "${")
}

/// One of `alternatives`, at `node`.
fn one_of(node: &Node, alternatives: Vec<Node>) -> Node {
    Node::one_of(alternatives, node.span, node.provenance.clone())
}

fn at(node: &Node, value: Value) -> Node {
    Node {
        value,
        span: node.span,
        provenance: node.provenance.clone(),
    }
}

fn unknown(node: &Node, expression: String, on: DependsOn) -> Node {
    let depends_on = vec![Dependency {
        on,
        span: node.span,
    }];
    at(node, Value::Unknown(Unknown::new(expression, depends_on)))
}

/// A call for messages: `Ref AWS::Region`, `Fn::GetAtt`.
fn describe(function: &str, argument: &Node) -> String {
    match argument.as_str() {
        Some(s) => format!("{function} {s}"),
        None => function.to_owned(),
    }
}

/// The intrinsic a node is, for messages.
fn shown(node: &Node) -> String {
    intrinsic_call(node).map_or_else(String::new, |(f, a)| describe(f, a))
}
