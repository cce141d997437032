//! A variable's `type` applied to the value it gets, as Terraform converts it: primitive
//! strings to the `bool` or `number` the type asks for, and object attributes declared
//! `optional(type, default)` filled in with their default when the value leaves them out (or
//! sets them to `null`), and attributes left out without a default set to `null`, as
//! Terraform does. Everything else passes through unchanged: guardrail does not reject
//! values Terraform would, it reads them.
//!
//! The type is read from its expression (`object({ a = optional(string, "x") })`,
//! `map(object({…}))`, `list(…)`, `set(…)`, `tuple([…])`); a default filled in takes the
//! span of the `type` attribute and is marked as resolved from there, so a finding on it
//! points at the variable declaration.

use hcl_edit::expr::{Expression, ObjectKey};

use crate::source::Span;
use crate::value::{Entry, Map, Node, Provenance, Value};

/// A variable's parsed `type` and where it is written.
#[derive(Debug)]
pub(super) struct VarType {
    /// The type expression, parsed from its text.
    pub expr: Expression,
    /// The `type` attribute's value, in its file.
    pub span: Span,
}

impl VarType {
    /// Parses a type written as `text` at `span`; `None` when it does not parse (Terraform
    /// would reject it; the value is then used as it is).
    pub fn parse(text: &str, span: Span) -> Option<VarType> {
        let expr = hcl_edit::parser::parse_expr(text).ok()?;
        Some(VarType { expr, span })
    }
}

/// Deepest type nesting followed; past it values pass unchanged.
const MAX_DEPTH: usize = 32;

/// `value` converted to `var_type`.
pub(super) fn convert(var_type: &VarType, value: Node) -> Node {
    apply(&var_type.expr, var_type.span, value, 0)
}

fn apply(ty: &Expression, at: Span, value: Node, depth: usize) -> Node {
    if depth > MAX_DEPTH {
        return value;
    }
    match ty {
        Expression::Variable(name) => primitive(name.as_str(), value),
        Expression::FuncCall(call) => {
            let args: Vec<&Expression> = call.args.iter().collect();
            match (call.name.name.as_str(), args.as_slice()) {
                ("object", [Expression::Object(attributes)]) => {
                    object(attributes, at, value, depth)
                }
                ("map" | "list" | "set", [element]) => {
                    each_child(value, |child| apply(element, at, child, depth + 1))
                }
                ("tuple", [Expression::Array(elements)]) => match value.value {
                    Value::Seq(items) => {
                        let items = items
                            .into_iter()
                            .enumerate()
                            .map(|(i, item)| match elements.get(i) {
                                Some(t) => apply(t, at, item, depth + 1),
                                None => item,
                            })
                            .collect();
                        Node {
                            value: Value::Seq(items),
                            ..value
                        }
                    }
                    _ => value,
                },
                _ => value,
            }
        }
        _ => value,
    }
}

/// `string`, `number` and `bool` convert strings as Terraform does; `any` and the rest keep
/// the value.
fn primitive(name: &str, value: Node) -> Node {
    let converted = match (name, &value.value) {
        ("bool", Value::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
        ("number", Value::String(s)) => match (s.parse::<i64>(), s.parse::<f64>()) {
            (Ok(i), _) => Value::Int(i),
            (_, Ok(f)) if f.is_finite() => Value::Float(f),
            _ => return value,
        },
        ("string", Value::Int(i)) => Value::String(i.to_string()),
        ("string", Value::Bool(b)) => Value::String(b.to_string()),
        _ => return value,
    };
    Node {
        value: converted,
        ..value
    }
}

/// An object value with its declared attributes converted and optional ones defaulted.
fn object(attributes: &hcl_edit::expr::Object, at: Span, value: Node, depth: usize) -> Node {
    let Value::Map(map) = &value.value else {
        return value;
    };
    let mut out = Map::new();
    for entry in map {
        out.push_unchecked(entry.clone());
    }
    for (key, attr_type) in attributes.iter() {
        let name = match key {
            ObjectKey::Ident(ident) => ident.as_str().to_owned(),
            ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
            ObjectKey::Expression(_) => continue,
        };
        let (inner, default) = match attr_type.expr() {
            Expression::FuncCall(call) if call.name.name.as_str() == "optional" => {
                let args: Vec<&Expression> = call.args.iter().collect();
                (args.first().copied(), args.get(1).copied())
            }
            other => (Some(other), None),
        };
        let present = map
            .get(&name)
            .filter(|v| !matches!(v.value, Value::Null))
            .cloned();
        let filled = match (present, default) {
            (Some(v), _) => Some(match inner {
                Some(t) => apply(t, at, v, depth + 1),
                None => v,
            }),
            (None, Some(default)) => literal(default, at).map(|d| match inner {
                Some(t) => apply(t, at, d, depth + 1),
                None => d,
            }),
            // Terraform sets an attribute left out to null (an `optional` without a default,
            // or a required one, which it would reject).
            (None, None) => Some(Node {
                value: Value::Null,
                span: at,
                provenance: Provenance::resolved(at),
            }),
        };
        if let Some(v) = filled {
            out.insert(Entry {
                key: name,
                key_span: at,
                value: v,
            });
        }
    }
    Node {
        value: Value::Map(out),
        ..value
    }
}

/// The children of a list or map, each replaced by `f(child)`.
fn each_child(value: Node, mut f: impl FnMut(Node) -> Node) -> Node {
    let converted = match value.value {
        Value::Seq(items) => Value::Seq(items.into_iter().map(&mut f).collect()),
        Value::Map(map) => {
            let mut out = Map::new();
            for entry in &map {
                out.push_unchecked(Entry {
                    key: entry.key.clone(),
                    key_span: entry.key_span,
                    value: f(entry.value.clone()),
                });
            }
            Value::Map(out)
        }
        other => other,
    };
    Node {
        value: converted,
        span: value.span,
        provenance: value.provenance,
    }
}

/// A default written in a type: a literal (no references are allowed there), resolved from
/// the type's declaration.
fn literal(expr: &Expression, at: Span) -> Option<Node> {
    let value = match expr {
        Expression::Null(_) => return None,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => match (n.value().as_i64(), n.value().as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(f)) => Value::Float(f),
            _ => return None,
        },
        Expression::String(s) => Value::String(s.value().to_string()),
        Expression::Array(items) => {
            Value::Seq(items.iter().filter_map(|i| literal(i, at)).collect())
        }
        Expression::Object(object) => {
            let mut map = Map::new();
            for (key, value) in object.iter() {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                    ObjectKey::Expression(_) => return None,
                };
                if let Some(value) = literal(value.expr(), at) {
                    map.insert(Entry {
                        key,
                        key_span: at,
                        value,
                    });
                }
            }
            Value::Map(map)
        }
        Expression::Parenthesis(p) => return literal(p.inner(), at),
        _ => return None,
    };
    Some(Node {
        value,
        span: at,
        provenance: Provenance::resolved(at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn at() -> Span {
        Span::new(FileId(0), 0, 0)
    }

    fn map(entries: &[(&str, Value)]) -> Node {
        let mut m = Map::new();
        for (k, v) in entries {
            m.insert(Entry {
                key: (*k).into(),
                key_span: at(),
                value: Node::new(v.clone(), at()),
            });
        }
        Node::new(Value::Map(m), at())
    }

    #[test]
    fn optional_attributes_take_their_defaults_and_set_ones_are_kept() {
        let ty = VarType::parse(
            r#"map(object({ enabled = optional(bool, true), days = optional(number), name = string }))"#,
            at(),
        )
        .expect("parses");
        let mut outer = Map::new();
        outer.insert(Entry {
            key: "a".into(),
            key_span: at(),
            value: map(&[
                ("name", Value::String("x".into())),
                ("enabled", Value::Null),
            ]),
        });
        outer.insert(Entry {
            key: "b".into(),
            key_span: at(),
            value: map(&[("enabled", Value::String("false".into()))]),
        });
        let out = convert(&ty, Node::new(Value::Map(outer), at()));
        let a = out.get("a").expect("a");
        assert_eq!(a.get("enabled").map(|n| &n.value), Some(&Value::Bool(true)));
        assert!(a.get("enabled").is_some_and(|n| n.provenance.is_resolved()));
        assert_eq!(
            a.get("days").map(|n| &n.value),
            Some(&Value::Null),
            "optional without default is null"
        );
        let b = out.get("b").expect("b");
        assert_eq!(
            b.get("enabled").map(|n| &n.value),
            Some(&Value::Bool(false))
        );
    }

    #[test]
    fn primitives_convert_and_other_values_pass() {
        let ty = VarType::parse("number", at()).expect("parses");
        let out = convert(&ty, Node::new(Value::String("30".into()), at()));
        assert_eq!(out.value, Value::Int(30));
        let ty = VarType::parse("any", at()).expect("parses");
        let out = convert(&ty, Node::new(Value::String("30".into()), at()));
        assert_eq!(out.value, Value::String("30".into()));
    }
}
