//! The Terraform functions guardrail evaluates: the ones real code uses to build the values
//! rules look at (policy documents, tags, names). A call is evaluated only when the
//! arguments it needs are known; otherwise it is unknown, like everything else.
//!
//! `jsonencode(x)` is read as `x` itself rather than as a JSON string: rules look at the
//! document inside (an IAM policy), and every value of it keeps its own position, so a
//! finding points at the offending statement instead of at the whole call.

use crate::source::Span;
use crate::value::{Map, Node, Value};

/// The functions [`call`] evaluates: with known arguments, `None` from one of these means
/// Terraform would reject the call.
pub(super) const EVALUATED: &[&str] = &[
    "jsonencode",
    "tolist",
    "toset",
    "tomap",
    "jsondecode",
    "yamldecode",
    "merge",
    "concat",
    "lower",
    "upper",
    "tostring",
    "tobool",
    "tonumber",
    "lookup",
    "length",
    "join",
    "keys",
    "values",
    "flatten",
    "distinct",
    "compact",
    "zipmap",
    "element",
    "slice",
    "one",
    "split",
    "trimspace",
    "startswith",
    "endswith",
    "min",
    "max",
    "abs",
];

/// `yamldecode(s)`: the one YAML document in `s` (`null` when it holds none), every value
/// placed where `s` is, since its text is not a file of the scan. `None` when it is not
/// valid YAML or holds several documents, which Terraform rejects.
fn yaml_decode(s: &Node) -> Option<Node> {
    let mut files = crate::source::SourceFiles::default();
    let id = files.add(
        "yamldecode".into(),
        s.as_str()?.to_owned(),
        crate::source::Format::Yaml,
    );
    let parsed = crate::parse::yaml::parse(files.get(id)?);
    if crate::diagnostic::has_errors(&parsed.diagnostics) {
        return None;
    }
    match parsed.documents.as_slice() {
        [] => Some(Node::new(Value::Null, s.span)),
        [document] => Some(Node::from_json(&document.to_json(), s.span, &s.provenance)),
        _ => None,
    }
}

/// Whether a value known only after apply is sure not to be null or empty: the JSON of an
/// `aws_iam_policy_document` (which `compact` then keeps, so a list of documents built with
/// `compact([cond ? data.x.json : "", …])` stays a list of the documents it holds).
fn never_empty(node: &Node) -> bool {
    let Value::Unknown(unknown) = &node.value else {
        return false;
    };
    unknown.pieces.is_empty()
        && !unknown.depends_on.is_empty()
        && unknown
            .depends_on
            .iter()
            .all(|d| d.on.is_policy_document_json())
}

/// Evaluates `name(args…)`; `None` when it cannot be known before apply or is not supported.
pub(super) fn call(name: &str, args: Vec<Node>, span: Span) -> Option<Node> {
    let known = |n: &Node| !n.is_unknown();
    let value = match (name, args.as_slice()) {
        ("jsonencode", [x]) | ("tolist" | "toset" | "tomap", [x]) => return Some(x.clone()),
        ("jsondecode", [s]) => {
            let json: serde_json::Value = serde_json::from_str(s.as_str()?).ok()?;
            return Some(Node::from_json(&json, s.span, &s.provenance));
        }
        ("yamldecode", [s]) => return yaml_decode(s),
        ("merge", maps) if maps.iter().all(known) => {
            let mut out = Map::new();
            // Terraform's merge skips null arguments.
            for m in maps.iter().filter(|m| m.value != Value::Null) {
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
            let parts: Option<Vec<String>> = list
                .as_seq()?
                .iter()
                .map(|n| n.value.scalar_text())
                .collect();
            Value::String(parts?.join(separator.as_str()?))
        }
        ("coalescelist", lists) => {
            for l in lists {
                match &l.value {
                    Value::Seq(items) if items.is_empty() => {}
                    Value::Seq(_) => return Some(l.clone()),
                    _ => return None,
                }
            }
            return None;
        }
        ("keys", [m]) => {
            let mut keys: Vec<&crate::value::Entry> = m.as_map()?.iter().collect();
            keys.sort_by(|a, b| a.key.cmp(&b.key));
            Value::Seq(
                keys.into_iter()
                    .map(|e| Node::new(Value::String(e.key.clone()), e.key_span))
                    .collect(),
            )
        }
        ("values", [m]) => {
            let mut entries: Vec<&crate::value::Entry> = m.as_map()?.iter().collect();
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            Value::Seq(entries.into_iter().map(|e| e.value.clone()).collect())
        }
        ("contains", [list, x]) if known(x) => {
            let items = list.as_seq()?;
            if items.iter().any(|i| i.is_unknown()) {
                return None;
            }
            Value::Bool(items.iter().any(|i| same(i, x)))
        }
        ("flatten", [list]) => Value::Seq(flatten(list, 0)?),
        ("distinct", [list]) => {
            let mut out: Vec<Node> = Vec::new();
            for item in list.as_seq()? {
                if item.is_unknown() {
                    return None;
                }
                if !out.iter().any(|o| same(o, item)) {
                    out.push(item.clone());
                }
            }
            Value::Seq(out)
        }
        ("compact", [list]) => {
            let mut out = Vec::new();
            for item in list.as_seq()? {
                match &item.value {
                    Value::Null => {}
                    Value::String(s) if s.is_empty() => {}
                    Value::String(_) => out.push(item.clone()),
                    _ if never_empty(item) => out.push(item.clone()),
                    _ => return None,
                }
            }
            Value::Seq(out)
        }
        ("zipmap", [keys, values]) => {
            let (keys, values) = (keys.as_seq()?, values.as_seq()?);
            if keys.len() != values.len() {
                return None;
            }
            let mut out = Map::new();
            for (k, v) in keys.iter().zip(values) {
                out.insert(crate::value::Entry {
                    key: k.value.scalar_text()?,
                    key_span: k.span,
                    value: v.clone(),
                });
            }
            Value::Map(out)
        }
        ("element", [list, index]) => {
            let items = list.as_seq()?;
            let i = usize::try_from(int(index)?).ok()?;
            return items.get(i.checked_rem(items.len())?).cloned();
        }
        ("slice", [list, from, to]) => {
            let items = list.as_seq()?;
            let (from, to) = (
                usize::try_from(int(from)?).ok()?,
                usize::try_from(int(to)?).ok()?,
            );
            Value::Seq(items.get(from..to)?.to_vec())
        }
        ("one", [list]) => match list.as_seq()? {
            [] => Value::Null,
            [only] => return Some(only.clone()),
            _ => return None,
        },
        ("split", [separator, s]) => {
            let (separator, s) = (separator.as_str()?, s.as_str()?);
            if separator.is_empty() {
                return None;
            }
            Value::Seq(
                s.split(separator)
                    .map(|p| Node::new(Value::String(p.to_owned()), span))
                    .collect(),
            )
        }
        // Plain substrings only: a `/…/` pattern is a regular expression, left unknown.
        ("replace", [s, from, to]) => {
            let (s, from, to) = (s.as_str()?, from.as_str()?, to.as_str()?);
            if from.is_empty() || (from.len() > 1 && from.starts_with('/') && from.ends_with('/')) {
                return None;
            }
            Value::String(s.replace(from, to))
        }
        ("trimspace", [s]) => Value::String(s.as_str()?.trim().to_owned()),
        ("startswith", [s, prefix]) => Value::Bool(s.as_str()?.starts_with(prefix.as_str()?)),
        ("endswith", [s, suffix]) => Value::Bool(s.as_str()?.ends_with(suffix.as_str()?)),
        ("format", [spec, rest @ ..]) => Value::String(format(spec.as_str()?, rest)?),
        ("min" | "max", numbers) if !numbers.is_empty() => {
            let values: Option<Vec<f64>> = numbers.iter().map(|n| as_f64(&n.value)).collect();
            let values = values?;
            let pick = if name == "min" { f64::min } else { f64::max };
            let x = values.iter().copied().reduce(pick)?;
            number(x)
        }
        ("abs", [n]) => number(as_f64(&n.value)?.abs()),
        ("cidrsubnet", [prefix, newbits, netnum]) => {
            Value::String(cidrsubnet(prefix.as_str()?, int(newbits)?, int(netnum)?)?)
        }
        _ => return None,
    };
    let mut node = Node::new(value, span);
    if let Some(resolved) = args.iter().find(|a| a.provenance.is_resolved()) {
        node.provenance = resolved.provenance.clone();
    }
    Some(node)
}

/// Whether two known values are equal as Terraform compares them: numbers (and numeric
/// strings) by value, everything else as the evaluator's `==` does, whatever the spans.
fn same(a: &Node, b: &Node) -> bool {
    match (as_f64(&a.value), as_f64(&b.value)) {
        (Some(x), Some(y)) => x == y,
        _ => super::expr::same_value(&a.value, &b.value).unwrap_or(false),
    }
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn int(node: &Node) -> Option<i64> {
    match &node.value {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::Int(x as i64)
    } else {
        Value::Float(x)
    }
}

/// Deepest list nesting `flatten` follows.
const MAX_FLATTEN_DEPTH: usize = 32;

fn flatten(list: &Node, depth: usize) -> Option<Vec<Node>> {
    if depth > MAX_FLATTEN_DEPTH {
        return None;
    }
    let mut out = Vec::new();
    for item in list.as_seq()? {
        match &item.value {
            Value::Seq(_) => out.extend(flatten(item, depth + 1)?),
            Value::Unknown(_) | Value::OneOf(_) => return None,
            _ => out.push(item.clone()),
        }
    }
    Some(out)
}

/// `format` with the verbs real code uses: `%s`, `%d`, `%v`, `%%`; anything else is left
/// unknown.
fn format(spec: &str, args: &[Node]) -> Option<String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'v' => out.push_str(&args.next()?.value.scalar_text()?),
            'd' => out.push_str(&int(args.next()?)?.to_string()),
            _ => return None,
        }
    }
    Some(out)
}

/// `cidrsubnet` for IPv4 prefixes.
fn cidrsubnet(prefix: &str, newbits: i64, netnum: i64) -> Option<String> {
    let (address, length) = prefix.split_once('/')?;
    let address: std::net::Ipv4Addr = address.parse().ok()?;
    let length: u32 = length.parse().ok()?;
    let new_length = length.checked_add(u32::try_from(newbits).ok()?)?;
    if new_length > 32 || netnum < 0 || (newbits < 32 && netnum >= (1i64 << newbits)) {
        return None;
    }
    let base = u32::from(address) & u32::MAX.checked_shl(32 - length).unwrap_or(0);
    let shift = 32 - new_length;
    let subnet = base | u32::try_from(netnum).ok()?.checked_shl(shift).unwrap_or(0);
    Some(format!("{}/{new_length}", std::net::Ipv4Addr::from(subnet)))
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
        assert_eq!(
            call("cidrsubnet", vec![s("10.1.0.0/16"), s("8"), s("2")], span).map(|n| n.value),
            Some(Value::String("10.1.2.0/24".into()))
        );
        assert_eq!(
            call("format", vec![s("%s-%d"), s("a"), s("7")], span).map(|n| n.value),
            Some(Value::String("a-7".into()))
        );
    }

    #[test]
    fn compact_keeps_policy_documents_and_waits_for_other_unknowns() {
        use crate::value::{Dependency, DependsOn, Unknown};
        let span = Span::new(FileId(0), 0, 0);
        let waiting = |name: &str, attribute: &str| {
            let on = DependsOn::DataSource {
                name: name.into(),
                attribute: Some(attribute.into()),
            };
            let unknown = Unknown::new(name, vec![Dependency { on, span }]);
            Node::new(Value::Unknown(unknown), span)
        };
        let document = waiting("data.aws_iam_policy_document.a", "json");
        let list = Node::new(Value::Seq(vec![document.clone(), s("")]), span);
        let kept = call("compact", vec![list], span).map(|n| n.value);
        assert_eq!(kept, Some(Value::Seq(vec![document])));
        let other = waiting("data.aws_ssm_parameter.p", "value");
        let list = Node::new(Value::Seq(vec![other, s("x")]), span);
        assert!(call("compact", vec![list], span).is_none());
    }
}
