//! A parsed document written back as the data cfn-guard reads, typed the way cfn-guard's own
//! loader would have typed the original text.
//!
//! cfn-guard is given text, not a tree, so guardrail writes each document it has already
//! parsed (and bounded: depth, alias budget, duplicate keys) as one flow-style YAML document.
//! Two readers disagree on what a plain scalar is, and a verdict can hang on it:
//!
//! - guardrail reads YAML 1.1 as CloudFormation and Kubernetes do (`Yes` and `0x1F` are a
//!   boolean and a number);
//! - cfn-guard's loader tries `i64`, then `f64`, then the lower-case words `true yes on y` /
//!   `false no off n`, then `~`/`null`, else a string; quoted and block scalars are strings.
//!
//! Rules written for cfn-guard expect its reading, so every scalar is re-typed from its source
//! text by cfn-guard's rules. Short-form intrinsics follow cfn-guard too: `!GetAtt A.B` stays the
//! string `A.B`, and a tag cfn-guard does not know as an intrinsic is dropped (`!Cidr [..]` is
//! the bare list), because that is the data its rules were written against.

use std::fmt::Write as _;

use crate::source::SourceFile;
use crate::value::{Map, Node, Value};

/// Short forms whose scalar argument cfn-guard keeps as `{Long: "text"}`.
const SCALAR_INTRINSICS: &[&str] = &[
    "Ref",
    "Base64",
    "Sub",
    "GetAZs",
    "ImportValue",
    "GetAtt",
    "Condition",
];

/// Short forms whose list argument cfn-guard keeps as `{Long: [..]}`.
const LIST_INTRINSICS: &[&str] = &[
    "GetAtt",
    "Sub",
    "Select",
    "Split",
    "Join",
    "FindInMap",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
];

/// `root`, a document parsed from `file`, as cfn-guard input text.
pub(super) fn guard_input(root: &Node, file: &SourceFile) -> String {
    let mut out = String::with_capacity(root.span.range().len() + 64);
    write_node(&mut out, root, file);
    out.push('\n');
    out
}

/// Writes one node. Depth is bounded by the parser's nesting limit, so the recursion is too.
fn write_node(out: &mut String, node: &Node, file: &SourceFile) {
    match &node.value {
        Value::Map(map) => match short_form(map, file) {
            Some((tag, long, argument)) => write_short_form(out, tag, long, argument, file),
            None => write_map(out, map, file),
        },
        Value::Seq(items) => write_seq(out, items, file),
        _ => write_scalar(out, &guard_scalar(node, file)),
    }
}

fn write_map(out: &mut String, map: &Map, file: &SourceFile) {
    out.push('{');
    for (i, entry) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_string(out, &entry.key);
        out.push_str(": ");
        write_node(out, &entry.value, file);
    }
    out.push('}');
}

fn write_seq(out: &mut String, items: &[Node], file: &SourceFile) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_node(out, item, file);
    }
    out.push(']');
}

/// The tag, long name and argument of a short-form intrinsic as written (`!Ref X`):
/// guardrail's parser made it a one-key map (`{Ref: X}`) whose key span covers the tag.
fn short_form<'n>(map: &'n Map, file: &'n SourceFile) -> Option<(&'n str, &'n str, &'n Node)> {
    let mut entries = map.iter();
    let entry = entries.next()?;
    if entries.next().is_some() {
        return None;
    }
    let tag = file.slice(entry.key_span).strip_prefix('!')?;
    Some((tag, &entry.key, &entry.value))
}

fn write_short_form(out: &mut String, tag: &str, long: &str, argument: &Node, file: &SourceFile) {
    // The parser splits `!GetAtt A.B` into a list whose items all have the scalar's span.
    let written_as_scalar = match &argument.value {
        Value::Map(_) => false,
        Value::Seq(parts) => tag == "GetAtt" && parts.iter().all(|p| p.span == argument.span),
        _ => true,
    };
    if written_as_scalar {
        let text = match &argument.value {
            Value::Seq(parts) => parts
                .iter()
                .filter_map(|p| p.value.scalar_text())
                .collect::<Vec<_>>()
                .join("."),
            _ => match guard_scalar(argument, file) {
                GuardScalar::Str(s) => s,
                GuardScalar::Number(raw) => raw,
                GuardScalar::Bool(b) => b.to_string(),
                GuardScalar::Null => plain_text(argument, file),
            },
        };
        if SCALAR_INTRINSICS.contains(&tag) {
            out.push('{');
            write_string(out, long);
            out.push_str(": ");
            write_string(out, &text);
            out.push('}');
        } else {
            write_string(out, &text);
        }
        return;
    }
    match &argument.value {
        Value::Seq(items) if LIST_INTRINSICS.contains(&tag) => {
            out.push('{');
            write_string(out, long);
            out.push_str(": ");
            write_seq(out, items, file);
            out.push('}');
        }
        // cfn-guard drops tags on mappings, and on lists of intrinsics it does not know.
        _ => write_node(out, argument, file),
    }
}

/// A scalar as cfn-guard types it.
#[derive(Debug, Clone, PartialEq)]
enum GuardScalar {
    Str(String),
    /// An `i64` or `f64` as written, so that cfn-guard reads the same number kind back.
    Number(String),
    Bool(bool),
    Null,
}

fn write_scalar(out: &mut String, scalar: &GuardScalar) {
    match scalar {
        GuardScalar::Str(s) => write_string(out, s),
        GuardScalar::Number(raw) => out.push_str(raw),
        GuardScalar::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        GuardScalar::Null => out.push_str("null"),
    }
}

/// How cfn-guard's loader types the scalar written at `node`'s span.
fn guard_scalar(node: &Node, file: &SourceFile) -> GuardScalar {
    let (tag, written) = tag_and_text(file.slice(node.span));
    let quoted_or_block = matches!(written.as_bytes().first(), Some(b'"' | b'\'' | b'|' | b'>'));
    let text = || {
        if quoted_or_block {
            node.value.scalar_text().unwrap_or_default()
        } else {
            plain_text(node, file)
        }
    };
    match tag {
        // A core-schema tag types the text itself; what does not parse stays a string.
        Some(t) if t.starts_with("!!") => {
            let text = text();
            match &t[2..] {
                "bool" if text == "true" || text == "false" => GuardScalar::Bool(text == "true"),
                "int" if text.parse::<i64>().is_ok() => GuardScalar::Number(text),
                "float" if text.parse::<f64>().is_ok() => GuardScalar::Number(text),
                "null" => GuardScalar::Null,
                _ => GuardScalar::Str(text),
            }
        }
        // Any other tag on a scalar (intrinsics are handled as maps before this): a string.
        Some(_) => GuardScalar::Str(text()),
        None if quoted_or_block => GuardScalar::Str(text()),
        None => type_plain(&text()),
    }
}

/// The text of a plain scalar: the folded text the parser kept when it is a string, the
/// source otherwise (a number or boolean is written on one line).
fn plain_text(node: &Node, file: &SourceFile) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        _ => tag_and_text(file.slice(node.span)).1.trim().to_owned(),
    }
}

/// cfn-guard's typing of a plain scalar.
fn type_plain(text: &str) -> GuardScalar {
    if text.parse::<i64>().is_ok() || text.parse::<f64>().is_ok() {
        return GuardScalar::Number(text.to_owned());
    }
    match text {
        "true" | "yes" | "on" | "y" => GuardScalar::Bool(true),
        "false" | "no" | "off" | "n" => GuardScalar::Bool(false),
        _ if text == "~" || text.eq_ignore_ascii_case("null") => GuardScalar::Null,
        _ => GuardScalar::Str(text.to_owned()),
    }
}

/// A scalar's tag (`!!str`, `!Foo`), if written, and its source after the anchor (`&a`) and
/// the tag.
fn tag_and_text(mut text: &str) -> (Option<&str>, &str) {
    let mut tag = None;
    loop {
        text = text.trim_start();
        match text.as_bytes().first() {
            Some(b'&' | b'!') => {
                let end = text.find(|c: char| c.is_whitespace()).unwrap_or(text.len());
                if text.starts_with('!') {
                    tag = Some(&text[..end]);
                }
                text = &text[end..];
            }
            _ => return (tag, text),
        }
    }
}

/// A YAML double-quoted string. Everything outside printable ASCII is escaped, so the
/// document is plain ASCII and no character can be one that libyaml refuses in a stream.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;
    use crate::source::{FileId, Format, LineIndex};

    fn convert(text: &str, format: Format) -> String {
        let file = SourceFile {
            id: FileId(0),
            path: "t.yaml".into(),
            text: text.to_owned(),
            format,
            lines: LineIndex::new(text),
        };
        let parsed = yaml::parse(&file);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        guard_input(&parsed.documents[0], &file)
    }

    #[test]
    fn plain_scalars_are_typed_as_cfn_guard_types_them() {
        let out = convert(
            "a: Yes\nb: yes\nc: y\nd: 0x1F\ne: 007\nf: 1.50\ng: '5'\nh: ~\ni: NULL\nj: .inf\nk: inf\nl:\nm: |\n  x\n",
            Format::Yaml,
        );
        assert_eq!(
            out,
            "{\"a\": \"Yes\", \"b\": true, \"c\": true, \"d\": \"0x1F\", \"e\": 007, \
             \"f\": 1.50, \"g\": \"5\", \"h\": null, \"i\": null, \"j\": \".inf\", \"k\": inf, \
             \"l\": \"\", \"m\": \"x\\n\"}\n"
        );
    }

    #[test]
    fn short_forms_follow_cfn_guard() {
        let out = convert(
            "a: !GetAtt Db.Endpoint.Address\nb: !Ref 80\nc: !If [C, 1, 2]\nd: !Join ['', [x, !Ref Y]]\ne: !Sub 'x-${A}'\nf: !Select [0, !GetAZs '']\n",
            Format::Yaml,
        );
        assert_eq!(
            out,
            "{\"a\": {\"Fn::GetAtt\": \"Db.Endpoint.Address\"}, \"b\": {\"Ref\": \"80\"}, \
             \"c\": {\"Fn::If\": [\"C\", 1, 2]}, \
             \"d\": {\"Fn::Join\": [\"\", [\"x\", {\"Ref\": \"Y\"}]]}, \
             \"e\": {\"Fn::Sub\": \"x-${A}\"}, \
             \"f\": {\"Fn::Select\": [0, {\"Fn::GetAZs\": \"\"}]}}\n"
        );
    }

    #[test]
    fn long_forms_and_json_are_kept() {
        let out = convert(
            r#"{"Ref": "X", "n": 1.0, "s": "tr\"ue", "u": "é😀", "b": false}"#,
            Format::Json,
        );
        assert_eq!(
            out,
            "{\"Ref\": \"X\", \"n\": 1.0, \"s\": \"tr\\\"ue\", \"u\": \"\\u00E9\\U0001F600\", \"b\": false}\n"
        );
    }
}
