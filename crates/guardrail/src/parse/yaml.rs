//! YAML (and JSON, which goes through the same parser) into the spanned value tree.
//!
//! Built on saphyr-parser's event stream, consumed iteratively with an explicit stack so that
//! deep nesting is an error, never a stack overflow. What the loader does beyond the events:
//!
//! - aliases are expanded by copying the anchored node, within a budget of copied nodes so an
//!   alias bomb is an error, not an out-of-memory;
//! - merge keys (`<<: *base`, `<<: [*a, *b]`) are applied: keys written in the map win over
//!   merged ones, earlier merged maps over later ones;
//! - duplicate keys are errors (the deployer and guardrail could see different values); the
//!   last value is kept so the rest of the file can still be checked;
//! - CloudFormation short-form tags become their long form (`!Ref X` is `{Ref: X}`,
//!   `!GetAtt A.B` is `{Fn::GetAtt: [A, B]}`), so the tree has one shape whatever the
//!   author wrote;
//! - plain scalars are typed the way the consumers of these files type them: Kubernetes
//!   (go-yaml) and CloudFormation both follow YAML 1.1, so `yes`/`no`/`on`/`off` are booleans
//!   and `0644` is octal.

use std::borrow::Cow;
use std::collections::HashMap;

use std::cell::RefCell;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::diagnostic::Diagnostic;
use crate::parse::comment::{Comment, CommentKind};
use crate::parse::yaml_input::CommentInput;
use crate::source::{Format, SourceFile, Span};
use crate::value::{Entry, Map, Node, Provenance, Value};

/// Deepest nesting of maps and lists accepted. Real manifests stay under 20; the limit exists
/// so that hostile input is rejected before any recursive walk of the tree could overflow.
pub const MAX_DEPTH: usize = 200;

/// How many nodes alias expansion may copy in one file before the file is rejected.
pub const MAX_ALIAS_NODES: usize = 200_000;

/// The CloudFormation intrinsic functions that have a YAML short form, with their long name.
const CFN_SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("If", "Fn::If"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("FindInMap", "Fn::FindInMap"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("ImportValue", "Fn::ImportValue"),
    ("GetAZs", "Fn::GetAZs"),
    ("Transform", "Fn::Transform"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Length", "Fn::Length"),
    ("ForEach", "Fn::ForEach"),
    // Not CloudFormation's but AWS Rain's: read as its long form, so that a module written
    // `!Rain::Module path` is judged as `{Rain::Module: path}` in JSON is.
    ("Rain::Module", "Rain::Module"),
];

/// The result of parsing one YAML stream.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The documents, in order. Empty documents are left out.
    pub documents: Vec<Node>,
    /// Problems. An error means the stream was not fully read; documents before it are kept.
    pub diagnostics: Vec<Diagnostic>,
    /// The comments of a YAML file, in source order, as far as the stream was read (JSON
    /// has no comments: empty).
    pub comments: Vec<Comment>,
}

/// Parses `file` as a YAML stream (a JSON file is one YAML document).
pub fn parse(file: &SourceFile) -> Parsed {
    let comments = RefCell::new(Vec::new());
    let mut loader = Loader::new(file);
    if let Err(diag) = loader.run(&comments) {
        loader.out.diagnostics.push(*diag);
    }
    if file.format == Format::Yaml {
        let mut ranges = comments.into_inner();
        // In the order skipped, which is source order; a scanner that looked twice would
        // report one twice.
        ranges.sort_unstable();
        ranges.dedup();
        loader.out.comments = ranges
            .into_iter()
            .filter_map(|(start, end)| {
                Comment::new(file.id, &file.text, start, end, 1, CommentKind::Line)
            })
            .collect();
    }
    loader.out
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: u32,
        anchor: usize,
        tag: Option<Tag>,
    },
    Map {
        map: Map,
        start: u32,
        anchor: usize,
        tag: Option<Tag>,
        /// The key read, waiting for its value, and whether it was a plain `<<`.
        key: Option<(String, Span, bool)>,
        merges: Vec<Node>,
        /// Finds keys already in `map`, to report duplicates.
        keys: KeyIndex,
    },
}

struct Loader<'a> {
    file: &'a SourceFile,
    /// Byte offset of each character, when the text is not ASCII (saphyr counts characters).
    char_to_byte: Option<Vec<u32>>,
    stack: Vec<Frame>,
    /// Anchored nodes with their nesting depth, so an alias cannot nest deeper than
    /// [`MAX_DEPTH`] where it is used.
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    out: Parsed,
}

type Fail = Box<Diagnostic>;

impl<'a> Loader<'a> {
    fn new(file: &'a SourceFile) -> Self {
        let char_to_byte = (!file.text.is_ascii()).then(|| {
            let mut v: Vec<u32> = file.text.char_indices().map(|(i, _)| i as u32).collect();
            v.push(file.text.len() as u32);
            v
        });
        Loader {
            file,
            char_to_byte,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            out: Parsed::default(),
        }
    }

    fn byte(&self, char_index: usize) -> u32 {
        match &self.char_to_byte {
            None => char_index.min(self.file.text.len()) as u32,
            Some(table) => table.get(char_index).or(table.last()).copied().unwrap_or(0),
        }
    }

    fn span(&self, s: &saphyr_parser::Span) -> Span {
        Span::new(
            self.file.id,
            self.byte(s.start.index()),
            self.byte(s.end.index()),
        )
    }

    fn error(&self, code: &'static str, span: Span, message: impl Into<String>) -> Fail {
        Box::new(Diagnostic::error(code, self.file.path.clone(), message).at(span))
    }

    fn run(&mut self, comments: &RefCell<Vec<(usize, usize)>>) -> Result<(), Fail> {
        let mut parser = Parser::new(CommentInput::new(&self.file.text, comments));
        for event in &mut parser {
            let (event, marker) = match event {
                Ok(ev) => ev,
                Err(e) => {
                    let at = self.byte(e.marker().index());
                    let span = Span::new(self.file.id, at, at);
                    return Err(self.error("parse::syntax", span, e.info().to_owned()));
                }
            };
            let span = self.span(&marker);
            match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing | Event::DocumentStart(_) => {}
                Event::DocumentEnd => {
                    self.anchors.clear();
                }
                Event::Alias(id) => {
                    let node = self.alias(id, span)?;
                    self.complete(node)?;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let node = self.scalar(text, style, tag.map(Cow::into_owned), span)?;
                    self.remember(anchor, &node);
                    self.complete(node)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    self.open(span)?;
                    self.stack.push(Frame::Seq {
                        items: Vec::new(),
                        start: span.start,
                        anchor,
                        tag: tag.map(Cow::into_owned),
                    });
                }
                Event::MappingStart(anchor, tag) => {
                    self.open(span)?;
                    self.stack.push(Frame::Map {
                        map: Map::new(),
                        start: span.start,
                        anchor,
                        tag: tag.map(Cow::into_owned),
                        key: None,
                        merges: Vec::new(),
                        keys: KeyIndex::default(),
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            }
        }
        Ok(())
    }

    fn open(&self, span: Span) -> Result<(), Fail> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(
                "parse::too-deep",
                span,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), nesting(node)));
        }
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<Node, Fail> {
        let Some((target, depth)) = self.anchors.get(&id) else {
            return Err(self.error("parse::syntax", span, "alias to an unknown anchor"));
        };
        if self.stack.len() + depth > MAX_DEPTH {
            return Err(self.error(
                "parse::too-deep",
                span,
                format!("this alias nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.alias_nodes += target.size();
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(self.error(
                "parse::alias-bomb",
                span,
                format!(
                    "aliases expand to more than {MAX_ALIAS_NODES} nodes; refusing to expand further"
                ),
            ));
        }
        // The copy keeps the spans of the anchored node: that is where its values are written.
        Ok(target.clone())
    }

    fn close(&mut self, end: Span) -> Result<(), Fail> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // A flow collection ends at its closing bracket; a block one at its last item.
        let closing = self
            .file
            .text
            .as_bytes()
            .get(end.start as usize)
            .is_some_and(|b| matches!(b, b']' | b'}'));
        let close_end = if closing { end.end } else { 0 };
        let (value, start, anchor, tag, last_end) = match frame {
            Frame::Seq {
                items,
                start,
                anchor,
                tag,
            } => {
                let last = items.last().map_or(start, |n| n.span.end);
                (Value::Seq(items), start, anchor, tag, last)
            }
            Frame::Map {
                map,
                start,
                anchor,
                tag,
                merges,
                keys,
                ..
            } => {
                let last = map.iter().last().map_or(start, |e| e.value.span.end);
                let map = self.apply_merges(map, merges, keys)?;
                (Value::Map(map), start, anchor, tag, last)
            }
        };
        let span = Span::new(self.file.id, start, last_end.max(close_end));
        let node = self.tagged(Node::new(value, span), tag)?;
        self.remember(anchor, &node);
        self.complete(node)
    }

    /// Adds merged maps' keys that the map does not set itself.
    fn apply_merges(
        &self,
        mut map: Map,
        merges: Vec<Node>,
        mut keys: KeyIndex,
    ) -> Result<Map, Fail> {
        for merged in merges {
            let sources: Vec<Node> = match merged.value {
                Value::Map(_) => vec![merged],
                Value::Seq(items) => items,
                _ => {
                    return Err(self.error(
                        "parse::merge",
                        merged.span,
                        "a merge key (`<<`) needs a map or a list of maps",
                    ));
                }
            };
            for source in sources {
                let Value::Map(source_map) = source.value else {
                    return Err(self.error(
                        "parse::merge",
                        source.span,
                        "a merge key (`<<`) needs a map or a list of maps",
                    ));
                };
                for entry in source_map.iter() {
                    if keys.find(&map, &entry.key).is_none() {
                        map.push_unchecked(entry.clone());
                        keys.added(&map);
                    }
                }
            }
        }
        Ok(map)
    }

    /// Places a finished node: as a document, a list item, a map key or a map value.
    fn complete(&mut self, node: Node) -> Result<(), Fail> {
        let file = self.file;
        match self.stack.last_mut() {
            None => {
                if node.value != Value::Null || node.span.start != node.span.end {
                    self.out.documents.push(node);
                }
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map {
                map,
                key,
                merges,
                keys,
                ..
            }) => match key.take() {
                None => {
                    let is_merge =
                        node.value == Value::String("<<".into()) && file.slice(node.span) == "<<";
                    let text = key_text(file, &node);
                    *key = Some((text, node.span, is_merge));
                    Ok(())
                }
                Some((_, _, true)) => {
                    merges.push(node);
                    Ok(())
                }
                Some((k, key_span, false)) => {
                    let entry = Entry {
                        key: k,
                        key_span,
                        value: node,
                    };
                    let replaced = match keys.find(map, &entry.key) {
                        Some(at) => map.replace_at(at, entry),
                        None => {
                            map.push_unchecked(entry);
                            keys.added(map);
                            None
                        }
                    };
                    match replaced {
                        None => Ok(()),
                        Some(first) => {
                            let at = file.line_col(first.key_span.start);
                            self.out.diagnostics.push(
                                Diagnostic::error(
                                    "parse::duplicate-key",
                                    file.path.clone(),
                                    format!(
                                        "duplicate key `{}` (first set at line {}); the last value is used",
                                        first.key, at.line
                                    ),
                                )
                                .at(key_span)
                                .with_help(
                                    "tools disagree on which value wins; keep one of the two",
                                ),
                            );
                            Ok(())
                        }
                    }
                }
            },
        }
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<Tag>,
        span: Span,
    ) -> Result<Node, Fail> {
        let value = match (&tag, style) {
            (Some(t), _) if t.is_yaml_core_schema() => core_tagged(&t.suffix, &text),
            (_, ScalarStyle::Plain) => plain_scalar(&text),
            _ => Value::String(text.into_owned()),
        };
        // A tagged scalar's span covers its tag (`!Ref X`): the whole intrinsic as written.
        self.tagged(Node::new(value, span), tag)
    }

    /// Turns a CloudFormation short-form tag into its long form; other local tags are kept
    /// out of the tree with a warning.
    fn tagged(&mut self, node: Node, tag: Option<Tag>) -> Result<Node, Fail> {
        let Some(tag) = tag else { return Ok(node) };
        if tag.is_yaml_core_schema() {
            return Ok(node);
        }
        let long = (tag.handle == "!")
            .then(|| {
                CFN_SHORT_FORMS
                    .iter()
                    .find(|(short, _)| *short == tag.suffix)
            })
            .flatten();
        let Some((short, long)) = long else {
            self.out.diagnostics.push(
                Diagnostic::new(
                    crate::diagnostic::Severity::Warning,
                    "parse::unknown-tag",
                    self.file.path.clone(),
                    format!(
                        "unknown tag `{}{}`; its value is read without it",
                        tag.handle, tag.suffix
                    ),
                )
                .at(node.span),
            );
            return Ok(node);
        };
        let tag_len = 1 + short.len() as u32;
        let key_span = Span::new(node.span.file, node.span.start, node.span.start + tag_len);
        let argument = if *short == "GetAtt" {
            split_get_att(node)
        } else {
            node
        };
        let mut map = Map::new();
        let span = key_span.cover(argument.span);
        map.push_unchecked(Entry {
            key: (*long).to_owned(),
            key_span,
            value: argument,
        });
        Ok(Node {
            value: Value::Map(map),
            span,
            provenance: Provenance::Explicit,
        })
    }
}

/// The keys of a map being built: a linear scan while the map is small (almost every map),
/// a hash index from [`KeyIndex::FROM`] keys on, so a map with many keys still loads in
/// linear time without a hash table for every small map.
#[derive(Default)]
struct KeyIndex {
    positions: HashMap<String, usize>,
}

impl KeyIndex {
    /// Maps with this many keys or more are indexed.
    const FROM: usize = 16;

    /// The position of `key` in `map`.
    fn find(&mut self, map: &Map, key: &str) -> Option<usize> {
        if map.len() < Self::FROM {
            return map.iter().position(|e| e.key == key);
        }
        if self.positions.is_empty() {
            self.positions = map
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect();
        }
        self.positions.get(key).copied()
    }

    /// Records the entry just pushed onto `map`.
    fn added(&mut self, map: &Map) {
        if let (false, Some(entry)) = (self.positions.is_empty(), map.iter().last()) {
            self.positions.insert(entry.key.clone(), map.len() - 1);
        }
    }
}

/// How many maps and lists are nested in `node` (0 for a scalar). Bounded by [`MAX_DEPTH`]
/// for every node the loader builds, so the recursion is too.
fn nesting(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
        Value::Map(map) => 1 + map.iter().map(|e| nesting(&e.value)).max().unwrap_or(0),
        _ => 0,
    }
}

/// `!GetAtt Resource.Attribute` is `[Resource, Attribute]`; the attribute may itself contain
/// dots (`!GetAtt Db.Endpoint.Address`), so only the first dot splits.
fn split_get_att(node: Node) -> Node {
    let Value::String(text) = &node.value else {
        return node;
    };
    let Some((resource, attribute)) = text.split_once('.') else {
        return node;
    };
    let span = node.span;
    let part = |s: &str| Node::new(Value::String(s.to_owned()), span);
    Node::new(Value::Seq(vec![part(resource), part(attribute)]), span)
}

/// A map key as text: scalars as written, anything else by its source text.
fn key_text(file: &SourceFile, node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        _ => file.slice(node.span).trim().to_owned(),
    }
}

/// A scalar with an explicit core-schema tag (`!!str 1`, `!!int "3"`).
fn core_tagged(suffix: &str, text: &str) -> Value {
    match suffix {
        "bool" | "int" | "float" | "null" => match plain_scalar(text) {
            Value::String(s) => Value::String(s),
            typed => typed,
        },
        _ => Value::String(text.to_owned()),
    }
}

/// Types a plain (unquoted) scalar the YAML 1.1 way that Kubernetes and CloudFormation use.
pub(crate) fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(n) = parse_int(text) {
        return n;
    }
    if is_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::String(text.to_owned())
}

fn parse_int(text: &str) -> Option<Value> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else if digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, radix).ok()?;
    let signed = if negative { -magnitude } else { magnitude };
    Some(match i64::try_from(signed) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(signed as f64),
    })
}

fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(whole)
        && fraction.is_none_or(digits)
        && (!whole.is_empty() || fraction.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok && (fraction.is_some() || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Format, SourceFiles};

    fn parse_str(text: &str) -> (SourceFiles, Parsed) {
        let mut files = SourceFiles::default();
        let id = files.add("t.yaml".into(), text.into(), Format::Yaml);
        let parsed = parse(files.get(id).expect("file"));
        (files, parsed)
    }

    #[test]
    fn plain_scalars_follow_yaml_1_1() {
        assert_eq!(plain_scalar("yes"), Value::Bool(true));
        assert_eq!(plain_scalar("Off"), Value::Bool(false));
        assert_eq!(plain_scalar("0644"), Value::Int(420));
        assert_eq!(plain_scalar("0x1F"), Value::Int(31));
        assert_eq!(plain_scalar("-12"), Value::Int(-12));
        assert_eq!(plain_scalar("1.5e3"), Value::Float(1500.0));
        assert_eq!(plain_scalar("1.2.3"), Value::String("1.2.3".into()));
        assert_eq!(plain_scalar("089"), Value::String("089".into()));
        assert_eq!(plain_scalar("~"), Value::Null);
        assert_eq!(plain_scalar("-"), Value::String("-".into()));
        assert_eq!(plain_scalar("."), Value::String(".".into()));
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_text() {
        let (files, parsed) = parse_str("a: é\nb: x\n");
        let doc = &parsed.documents[0];
        let b = doc.get("b").expect("b");
        let file = files.get(b.span.file).expect("file");
        assert_eq!(file.slice(b.span), "x");
        assert_eq!(file.line_col(b.span.start).to_string(), "2:4");
    }

    #[test]
    fn merge_keys_let_written_keys_win() {
        let (_, parsed) = parse_str("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let m = parsed.documents[0].get("m").expect("m");
        assert_eq!(m.get("x").map(|n| &n.value), Some(&Value::Int(1)));
        assert_eq!(m.get("y").map(|n| &n.value), Some(&Value::Int(3)));
        assert!(m.get("<<").is_none());
    }

    #[test]
    fn short_form_tags_equal_long_forms() {
        let (_, short) = parse_str("a: !GetAtt Db.Endpoint.Address\nb: !Ref X\n");
        let (_, long) = parse_str("a: {'Fn::GetAtt': [Db, Endpoint.Address]}\nb: {Ref: X}\n");
        assert_eq!(short.documents[0].to_json(), long.documents[0].to_json());
    }

    #[test]
    fn duplicate_keys_are_errors_and_the_last_value_is_kept() {
        let (_, parsed) = parse_str("a: 1\na: 2\n");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].code, "parse::duplicate-key");
        assert_eq!(
            parsed.documents[0].get("a").map(|n| &n.value),
            Some(&Value::Int(2))
        );
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let (_, parsed) = parse_str(&text);
        assert_eq!(
            parsed.diagnostics.last().map(|d| d.code),
            Some("parse::alias-bomb")
        );
    }

    #[test]
    fn chained_aliases_cannot_nest_past_the_depth_limit() {
        let mut text = String::from("a0: &a0 [x]\n");
        for i in 1..300 {
            text.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
        }
        let (_, parsed) = parse_str(&text);
        assert_eq!(
            parsed.diagnostics.last().map(|d| d.code),
            Some("parse::too-deep")
        );
    }

    #[test]
    fn duplicates_are_found_in_large_maps_too() {
        // Past KeyIndex::FROM keys the index is used instead of a scan.
        let mut text: String = (0..30).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k3: again\nk25: again\n");
        let (_, parsed) = parse_str(&text);
        let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["parse::duplicate-key", "parse::duplicate-key"]);
        let doc = &parsed.documents[0];
        assert_eq!(doc.get("k25").and_then(Node::as_str), Some("again"));
        assert_eq!(doc.as_map().map(Map::len), Some(30));
    }

    #[test]
    fn maps_with_many_keys_load_in_linear_time() {
        // Quadratic duplicate checks would make this take minutes rather than milliseconds.
        let text: String = (0..60_000).map(|i| format!("k{i}: {i}\n")).collect();
        let (_, parsed) = parse_str(&text);
        assert!(parsed.diagnostics.is_empty());
        assert_eq!(parsed.documents[0].as_map().map(Map::len), Some(60_000));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let (_, parsed) = parse_str(&text);
        assert_eq!(parsed.diagnostics.len(), 1);
        assert!(parsed.documents.is_empty());
    }
}
