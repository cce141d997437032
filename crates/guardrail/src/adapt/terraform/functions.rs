//! The Terraform functions guardrail evaluates: the ones real code uses to build the values
//! rules look at (policy documents, tags, names). A call is evaluated only when the
//! arguments it needs are known; otherwise it is unknown, like everything else.
//!
//! `jsonencode(x)` is read as `x` itself rather than as a JSON string: rules look at the
//! document inside (an IAM policy), and every value of it keeps its own position, so a
//! finding points at the offending statement instead of at the whole call.

use crate::source::Span;
use crate::value::{Map, Node, Value};

/// Evaluates `name(args…)`; `None` when it cannot be known before apply or is not supported.
pub(super) fn call(name: &str, args: Vec<Node>, span: Span) -> Option<Node> {
    let known = |n: &Node| !n.is_unknown();
    let value = match (name, args.as_slice()) {
        ("jsonencode", [x]) | ("tolist" | "toset" | "tomap", [x]) => return Some(x.clone()),
        ("jsondecode", [s]) => {
            let json: serde_json::Value = serde_json::from_str(s.as_str()?).ok()?;
            return Some(Node::from_json(&json, s.span, &s.provenance));
        }
        ("merge", maps) if maps.iter().all(known) => {
            let mut out = Map::new();
            for m in maps {
                for e in m.as_map()? {
                    out.insert(e.clone());
                }
            }
            Value::Map(out)
        }
        ("concat", lists) if lists.iter().all(known) => {
            let mut out = Vec::new();
            for l in lists {
                out.extend(l.as_seq()?.iter().cloned());
            }
            Value::Seq(out)
        }
        ("lower", [s]) => Value::String(s.as_str()?.to_lowercase()),
        ("upper", [s]) => Value::String(s.as_str()?.to_uppercase()),
        ("tostring", [x]) => Value::String(match &x.value {
            Value::String(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        }),
        ("tobool", [x]) => match &x.value {
            Value::Bool(b) => Value::Bool(*b),
            Value::String(s) if s == "true" || s == "false" => Value::Bool(s == "true"),
            _ => return None,
        },
        ("tonumber", [x]) => match &x.value {
            Value::Int(_) | Value::Float(_) => x.value.clone(),
            Value::String(s) => match (s.parse::<i64>(), s.parse::<f64>()) {
                (Ok(i), _) => Value::Int(i),
                (_, Ok(f)) => Value::Float(f),
                _ => return None,
            },
            _ => return None,
        },
        ("coalesce", values) => {
            // The first non-null, non-empty value; an unknown before it makes it unknown.
            for v in values {
                match &v.value {
                    Value::Unknown(_) => return None,
                    Value::Null => {}
                    Value::String(s) if s.is_empty() => {}
                    _ => return Some(v.clone()),
                }
            }
            return None;
        }
        ("lookup", [map, key, rest @ ..]) if rest.len() <= 1 => {
            let key = key.as_str()?;
            match map.as_map()?.get(key) {
                Some(v) => return Some(v.clone()),
                None => return rest.first().cloned(),
            }
        }
        ("length", [x]) => Value::Int(match &x.value {
            Value::Seq(s) => s.len(),
            Value::Map(m) => m.len(),
            Value::String(s) => s.chars().count(),
            _ => return None,
        } as i64),
        ("join", [separator, list]) => {
            let parts: Option<Vec<&str>> = list.as_seq()?.iter().map(Node::as_str).collect();
            Value::String(parts?.join(separator.as_str()?))
        }
        _ => return None,
    };
    let mut node = Node::new(value, span);
    if let Some(resolved) = args.iter().find(|a| a.provenance.is_resolved()) {
        node.provenance = resolved.provenance.clone();
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn s(text: &str) -> Node {
        Node::new(Value::String(text.into()), Span::new(FileId(0), 0, 0))
    }

    #[test]
    fn known_arguments_evaluate_and_unknown_ones_do_not() {
        let span = Span::new(FileId(0), 0, 0);
        assert_eq!(
            call("lower", vec![s("ABC")], span).map(|n| n.value),
            Some(Value::String("abc".into()))
        );
        let decoded = call(
            "jsondecode",
            vec![s(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}"#,
            )],
            span,
        )
        .expect("decoded");
        assert_eq!(
            decoded.at(&["Version"]).and_then(Node::as_str),
            Some("2012-10-17")
        );
        let unknown = Node::new(
            Value::Unknown(crate::value::Unknown::new("x", Vec::new())),
            span,
        );
        assert!(call("coalesce", vec![unknown.clone(), s("a")], span).is_none());
        assert!(call("merge", vec![unknown], span).is_none());
        assert_eq!(
            call("coalesce", vec![s(""), s("b")], span).map(|n| n.value),
            Some(Value::String("b".into()))
        );
        assert!(call("file", vec![s("x")], span).is_none());
    }
}
