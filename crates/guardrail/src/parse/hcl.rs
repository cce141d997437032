//! Terraform native syntax (HCL) through `hcl-edit`, which keeps byte spans on every node and
//! bounds nesting depth itself (so hostile input is an error, not a stack overflow).

use hcl_edit::expr::{
    Array, BinaryOp, BinaryOperator, Expression, ForCond, ForIntro, FuncCall, Object, ObjectKey,
    Traversal,
};
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use hcl_edit::visit::{self, Visit};
use hcl_edit::{Decorate, Decorated, Ident, RawString, Span as _};

use crate::diagnostic::Diagnostic;
use crate::parse::comment::{self, Comment};
use crate::source::{SourceFile, Span};

/// Most keys (items) one object expression may have. hcl-edit builds objects in time
/// quadratic in their keys (300,000 keys take minutes), so larger objects are refused by
/// [`check_object_sizes`] before it sees the text. Real Terraform objects have tens of keys;
/// block bodies (`locals { … }`) are not objects and are not limited.
pub const MAX_OBJECT_KEYS: usize = 5_000;

/// Parses a `.tf` file into an `hcl_edit` body, or a diagnostic at the error's position.
pub fn parse(file: &SourceFile) -> Result<Body, Box<Diagnostic>> {
    if let Err(at) = check_object_sizes(&file.text) {
        return Err(Box::new(
            Diagnostic::error(
                "parse::too-many-keys",
                file.path.clone(),
                format!("an object with more than {MAX_OBJECT_KEYS} keys; refusing to parse it"),
            )
            .at(Span::new(file.id, at as u32, at as u32 + 1))
            .with_help("split the object, or move the data to a JSON file read with jsondecode"),
        ));
    }
    hcl_edit::parser::parse_body(&file.text).map_err(|e| {
        let at = e.location().offset().min(file.text.len()) as u32;
        Box::new(
            Diagnostic::error("parse::syntax", file.path.clone(), e.message().to_owned())
                .at(Span::new(file.id, at, at)),
        )
    })
}

/// What the object-size scan is inside of.
enum Frame {
    /// An object expression: items counted so far, whether the current item has content,
    /// and where its `{` is.
    Object {
        items: usize,
        open_item: bool,
        at: usize,
    },
    /// A block body (`resource "a" "b" { … }`), which hcl-edit reads in linear time.
    Block,
    /// `( … )` or `[ … ]`.
    Group,
    /// A quoted string (template).
    Str,
    /// `${ … }` or `%{ … }` inside a string.
    Interpolation,
}

/// Checks, in one pass over the text and before any parser sees it, that no object
/// expression has more than [`MAX_OBJECT_KEYS`] items (separated by commas or line breaks,
/// blank ones not counted); `Err` is the byte offset of the offending object's `{`.
///
/// A light lexer: strings with their interpolations, heredocs and comments are skipped, so
/// their braces and commas do not count. A `{` opens an object where an expression is
/// expected (after `=`, `:`, `(`, `[`, `,`, `?`, `>`), a block body otherwise. It may
/// overcount an object's items (a `for` expression's commas), never undercount them.
pub fn check_object_sizes(text: &str) -> Result<(), usize> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    // The last byte of code that was not whitespace or a comment.
    let mut prev = b'\n';
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        if matches!(stack.last(), Some(Frame::Str)) {
            match (b, next) {
                (b'\\', _) => i += 1,
                (b'"', _) => {
                    stack.pop();
                    prev = b'"';
                }
                (b'$' | b'%', Some(n)) if n == b => i += 1,
                (b'$' | b'%', Some(b'{')) => {
                    stack.push(Frame::Interpolation);
                    prev = b'{';
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, next) {
            (b' ' | b'\t' | b'\r', _) => {
                i += 1;
                continue;
            }
            (b'#', _) | (b'/', Some(b'/')) => {
                i = memchr_from(bytes, i, b'\n');
                continue;
            }
            (b'/', Some(b'*')) => {
                i = text
                    .get(i + 2..)
                    .and_then(|rest| rest.find("*/"))
                    .map_or(bytes.len(), |at| i + 2 + at + 2);
                continue;
            }
            (b'<', Some(b'<')) => {
                if let Some(end) = heredoc_end(text, i) {
                    mark_content(&mut stack);
                    prev = b'"';
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        match b {
            b'\n' | b',' => {
                if let Some(Frame::Object {
                    items, open_item, ..
                }) = stack.last_mut()
                {
                    if *open_item {
                        *items += 1;
                        *open_item = false;
                    }
                }
            }
            b'{' => {
                mark_content(&mut stack);
                if matches!(prev, b'=' | b':' | b'(' | b'[' | b',' | b'?' | b'>') {
                    stack.push(Frame::Object {
                        items: 0,
                        open_item: false,
                        at: i,
                    });
                } else {
                    stack.push(Frame::Block);
                }
            }
            b'}' => {
                if let Some(Frame::Object {
                    items, open_item, ..
                }) = stack.last_mut()
                {
                    *items += usize::from(*open_item);
                    *open_item = false;
                }
                if let Some(Frame::Object { items, at, .. }) = stack.last() {
                    if *items > MAX_OBJECT_KEYS {
                        return Err(*at);
                    }
                }
                stack.pop();
            }
            b'(' | b'[' => {
                mark_content(&mut stack);
                stack.push(Frame::Group);
            }
            b')' | b']' => {
                if matches!(stack.last(), Some(Frame::Group)) {
                    stack.pop();
                }
            }
            b'"' => {
                mark_content(&mut stack);
                stack.push(Frame::Str);
            }
            _ => mark_content(&mut stack),
        }
        if let Some(Frame::Object { items, at, .. }) = stack.last() {
            if *items > MAX_OBJECT_KEYS {
                return Err(*at);
            }
        }
        if b != b'\n' {
            prev = b;
        }
        i += 1;
    }
    Ok(())
}

/// Notes that the current object item, if any, has content.
fn mark_content(stack: &mut [Frame]) {
    if let Some(Frame::Object { open_item, .. }) = stack.last_mut() {
        *open_item = true;
    }
}

/// The offset of the first `needle` at or after `from`, or the end.
fn memchr_from(bytes: &[u8], from: usize, needle: u8) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == needle))
        .map_or(bytes.len(), |at| from + at)
}

/// For a heredoc starting at `at` (`<<EOT` or `<<-EOT` then a line break), the offset just
/// after its closing marker line; `None` if the text there is not a heredoc opener.
fn heredoc_end(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at + 2..)?;
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let marker_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    if marker_len == 0 {
        return None;
    }
    let marker = &rest[..marker_len];
    let body_start = text.len() - rest.len() + marker_len;
    let mut line_start = memchr_from(text.as_bytes(), body_start, b'\n') + 1;
    while line_start < text.len() {
        let line_end = memchr_from(text.as_bytes(), line_start, b'\n');
        if text[line_start..line_end].trim() == marker {
            return Some(line_end);
        }
        line_start = line_end + 1;
    }
    Some(text.len())
}

/// The comments of a parsed `.tf` file, in source order. `hcl-edit` keeps whitespace and
/// comments as the decor around each node (and as the trailing trivia inside brackets); each
/// piece is placed by the span of the node it decorates and checked against the text, then
/// its comments are read off. Comments inside strings, heredocs and templates are text, and
/// never decor.
pub fn comments(file: &SourceFile, body: &Body) -> Vec<Comment> {
    // Most files have no comment: nothing to walk for.
    let bytes = file.text.as_bytes();
    if !bytes.contains(&b'#') && !bytes.windows(2).any(|w| w == b"//" || w == b"/*") {
        return Vec::new();
    }
    let mut collector = Collector {
        file,
        trivia: Vec::new(),
    };
    collector.visit_body(body);
    let mut trivia = collector.trivia;
    trivia.sort_unstable();
    trivia.dedup();
    let mut out = Vec::new();
    let mut covered = 0;
    for (start, end) in trivia {
        // Decor pieces nest (an expression's decor is its value's too): read each byte once.
        let start = start.max(covered);
        if start >= end {
            continue;
        }
        if let Some(text) = file.text.get(start..end) {
            comment::hcl_trivia(file.id, &file.text, start, text, &mut out);
        }
        covered = covered.max(end);
    }
    out
}

/// Finds where the decor of every node is in the file.
struct Collector<'f> {
    file: &'f SourceFile,
    /// Byte ranges of decor, checked against the text.
    trivia: Vec<(usize, usize)>,
}

impl Collector<'_> {
    /// Records `raw` if it is what the file holds at `start`.
    fn place(&mut self, raw: Option<&RawString>, start: Option<usize>) {
        let (Some(raw), Some(start)) = (raw, start) else {
            return;
        };
        let text: &str = raw;
        if text.is_empty() {
            return;
        }
        let end = start + text.len();
        if self.file.text.get(start..end) == Some(text) {
            self.trivia.push((start, end));
        }
    }

    /// The bytes from `start` to `end`, known to hold only trivia.
    fn gap(&mut self, start: usize, end: usize) {
        if start < end && self.file.text.get(start..end).is_some() {
            self.trivia.push((start, end));
        }
    }

    /// The prefix right before a node and the suffix right after it.
    fn decor(&mut self, node: &(impl Decorate + hcl_edit::Span)) {
        let Some(span) = node.span() else { return };
        let decor = node.decor();
        if let Some(prefix) = decor.prefix() {
            self.place(Some(prefix), span.start.checked_sub(prefix.len()));
        }
        self.place(decor.suffix(), Some(span.end));
    }

    /// Trivia right before the closing bracket of a node that ends with one.
    fn trailing(&mut self, node: &impl hcl_edit::Span, trailing: &RawString) {
        let Some(span) = node.span() else { return };
        let start = span
            .end
            .checked_sub(1)
            .and_then(|close| close.checked_sub(trailing.len()));
        self.place(Some(trailing), start);
    }
}

impl Visit for Collector<'_> {
    fn visit_body(&mut self, node: &Body) {
        self.decor(node);
        // A block's body ends with its trailing trivia; the file's body is followed by it.
        if let (Some(span), Some(suffix)) = (node.span(), node.decor().suffix()) {
            self.place(Some(suffix), span.end.checked_sub(suffix.len()));
        }
        visit::visit_body(self, node);
    }

    fn visit_structure(&mut self, node: &Structure) {
        self.decor(node);
        visit::visit_structure(self, node);
    }

    fn visit_block_label(&mut self, node: &BlockLabel) {
        self.decor(node);
        visit::visit_block_label(self, node);
    }

    fn visit_ident(&mut self, node: &Decorated<Ident>) {
        self.decor(node);
    }

    fn visit_string(&mut self, node: &Decorated<String>) {
        self.decor(node);
    }

    fn visit_expr(&mut self, node: &Expression) {
        self.decor(node);
        visit::visit_expr(self, node);
    }

    fn visit_array(&mut self, node: &Array) {
        self.trailing(node, node.trailing());
        visit::visit_array(self, node);
    }

    fn visit_object(&mut self, node: &Object) {
        self.trailing(node, node.trailing());
        visit::visit_object(self, node);
    }

    fn visit_object_key(&mut self, node: &ObjectKey) {
        self.decor(node);
        visit::visit_object_key(self, node);
    }

    fn visit_func_call(&mut self, node: &FuncCall) {
        // The arguments have no span of their own: their trailing trivia is before the
        // call's closing parenthesis.
        self.trailing(node, node.args.trailing());
        visit::visit_func_call(self, node);
    }

    fn visit_block(&mut self, node: &Block) {
        // A one-line block's body has no span: its trivia is before the block's brace.
        if node.body.span().is_none() {
            if let Some(suffix) = node.body.decor().suffix() {
                self.trailing(node, suffix);
            }
        }
        visit::visit_block(self, node);
    }

    fn visit_binary_op(&mut self, node: &BinaryOp) {
        // Only trivia lies between an operator and its operands (its decor is not always
        // kept as text).
        let (lhs, op, rhs) = (
            node.lhs_expr.span(),
            node.operator.span(),
            node.rhs_expr.span(),
        );
        if let (Some(lhs), Some(op), Some(rhs)) = (lhs, op, rhs) {
            self.gap(lhs.end, op.start);
            self.gap(op.end, rhs.start);
        }
        visit::visit_binary_op(self, node);
    }

    fn visit_traversal(&mut self, node: &Traversal) {
        for operator in &node.operators {
            self.decor(operator);
        }
        visit::visit_traversal(self, node);
    }

    fn visit_binary_operator(&mut self, node: &Decorated<BinaryOperator>) {
        self.decor(node);
    }

    fn visit_for_intro(&mut self, node: &ForIntro) {
        self.decor(node);
        visit::visit_for_intro(self, node);
    }

    fn visit_for_cond(&mut self, node: &ForCond) {
        self.decor(node);
        visit::visit_for_cond(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Format, SourceFiles};

    /// `(line, text)` of every comment of `text`.
    fn comments_of(text: &str) -> Vec<(u32, String)> {
        let mut files = SourceFiles::default();
        let id = files.add("main.tf".into(), text.to_owned(), Format::Hcl);
        let Some(file) = files.get(id) else {
            return Vec::new();
        };
        let Ok(body) = parse(file) else {
            return vec![(0, "does not parse".into())];
        };
        comments(file, &body)
            .into_iter()
            .map(|c| {
                assert_eq!(
                    file.text.get(c.span.range()).map(|t| t.contains(&c.text)),
                    Some(true)
                );
                (file.line_col(c.span.start).line, c.text)
            })
            .collect()
    }

    #[test]
    fn comments_are_found_in_every_kind_of_decor() {
        let text = r#"# 1 file
resource "a" "b" { # 2 block line
  // 3 before an attribute
  x = 1 # 4 after it
  tags = { # 5 object
    k = "v" # 6 item
    # 7 before the brace
  }
  list = [ # 8 array
    "a", # 9 item
    /* 10 block */ "b",
    # 11 trailing
  ]
  f = merge( # 12 call
    {}, # 13 argument
  )
  n = var.a /* 14 inline */ + 1
  nested { /* 15 one line */ }
  /* 16 over
     two lines */
} # 17 after the block
# 18 end of file
"#;
        let numbers: Vec<u32> = comments_of(text)
            .iter()
            .filter_map(|(_, t)| t.split_whitespace().next()?.parse().ok())
            .collect();
        assert_eq!(numbers, (1..=18).collect::<Vec<_>>());
        // Strings, heredocs and templates hold no comments.
        let text = "a = \"x # not\"\nb = <<EOT\n# not\nEOT\nc = \"${d} // not\"\n";
        assert!(comments_of(text).is_empty());
    }

    fn object(keys: usize) -> String {
        let mut text = String::from("locals {\n  # { not an object, \"nor\" this\n  x = {\n");
        for i in 0..keys {
            text.push_str(&format!("    k{i} = \"a, {{b}}\"\n\n"));
        }
        text.push_str("  }\n  y = <<EOT\n{ , , }\nEOT\n}\n");
        text
    }

    #[test]
    fn objects_are_bounded_by_keys_before_hcl_edit_sees_them() {
        assert_eq!(check_object_sizes(&object(MAX_OBJECT_KEYS)), Ok(()));
        let text = object(MAX_OBJECT_KEYS + 1);
        let at = text.find("x = {").unwrap() + 4;
        assert_eq!(check_object_sizes(&text), Err(at));
        let mut files = crate::source::SourceFiles::default();
        let id = files.add("big.tf".into(), text, crate::source::Format::Hcl);
        let error = parse(files.get(id).unwrap()).unwrap_err();
        assert_eq!(error.code, "parse::too-many-keys");
        assert_eq!(files.start_of(error.span.unwrap()).to_string(), "3:7");
    }

    #[test]
    fn block_bodies_and_one_line_objects_count_right() {
        let mut body = String::from("locals {\n");
        for i in 0..MAX_OBJECT_KEYS + 10 {
            body.push_str(&format!("  k{i} = {{ a = 1, b = [1, 2] }}\n"));
        }
        body.push_str("}\n");
        assert_eq!(check_object_sizes(&body), Ok(()));
        let keys: Vec<String> = (0..=MAX_OBJECT_KEYS).map(|i| format!("k{i} = 1")).collect();
        let one_line = format!("x = {{{}}}\n", keys.join(", "));
        assert_eq!(check_object_sizes(&one_line), Err(4));
        let template = format!("x = \"${{{{{}}}}}\"\n", keys.join(", "));
        assert_eq!(check_object_sizes(&template), Ok(()));
    }
}
