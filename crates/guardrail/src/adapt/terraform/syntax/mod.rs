//! Terraform's configuration language as one form, whichever syntax it is written in.
//!
//! Native syntax (`.tf`, read by hcl-edit) and JSON syntax (`.tf.json`, read as a spanned
//! value tree) are lowered here into the same shape: a [`File`] of top-level [`Block`]s with
//! their labels, each with a [`Body`] of [`Attribute`]s and nested blocks in source order.
//! An attribute's value is an [`Expr`]: a handle on the expression as written, with its
//! spans, that the evaluator ([`super::expr`]) and the reference collector read; comments
//! (`#`, `//`, `/* */` in native syntax, `"//"` keys in JSON) are left out here and kept by
//! the parsers for suppressions.
//!
//! Everything that depends on which syntax a file uses is decided while lowering, guided by
//! Terraform's schema as the JSON syntax specification requires: which JSON keys are blocks
//! (`dynamic`, its `content`, the `terraform` block's `backend` and `cloud`, every label
//! level of a top-level block), which values are literal (a JSON variable's `type` and
//! `default`), and the meta-arguments that name objects rather than compute values
//! (`depends_on`, `provider`, `providers`, `type`, `ignore_changes`: [`Value::Names`]). The
//! declarations and their attribute trees are then built once, from this form, in
//! [`super::body`].
//!
//! The form borrows the parsed files and holds no evaluated value: it can be evaluated as
//! many times as a module is instantiated (module calls, `count`, `for_each`), each time
//! with another [`super::expr::Evaluator`] as context.

mod json;
mod native;

use std::ops::Range;

use hcl_edit::expr::Expression;

use super::BodyKind;
use super::TerraformFile;
use super::refs::{Collector, Reference};
use crate::diagnostic::Diagnostic;
use crate::graph::EdgeKind;
use crate::source::{SourceFile, Span};
use crate::value::{Node, Value as Data};

/// Where the text an expression was parsed from sits in its file.
///
/// hcl-edit reports byte ranges into the text it parsed. For a `.tf` file that is the file; for
/// a `${…}` template inside a `.tf.json` string it is the decoded string, which maps back onto
/// the file exactly only when the string has no escape sequences. When it does not, every
/// span falls back to the whole string's span.
#[derive(Clone, Copy)]
pub(super) struct Source<'s> {
    /// The file.
    pub file: &'s SourceFile,
    /// The text the ranges index into.
    pub text: &'s str,
    /// Offset in the file of `text`'s first byte, when ranges map exactly.
    base: Option<u32>,
    /// The span used when they do not.
    whole: Span,
}

impl<'s> Source<'s> {
    /// A `.tf` file: ranges are file offsets.
    pub fn file(file: &'s SourceFile) -> Self {
        Source {
            file,
            text: &file.text,
            base: Some(0),
            whole: Span::new(file.id, 0, 0),
        }
    }

    /// The decoded JSON string `text`, written at `span` (quotes included).
    pub fn json_string(file: &'s SourceFile, text: &'s str, span: Span) -> Self {
        let raw = file.slice(span);
        let exact = raw.len() == text.len() + 2
            && raw.starts_with('"')
            && raw.ends_with('"')
            && raw.get(1..raw.len() - 1) == Some(text);
        Source {
            file,
            text,
            base: exact.then_some(span.start + 1),
            whole: span,
        }
    }

    /// `text` read from elsewhere (a template file), placed as a whole at `span` of `file`.
    pub fn detached(file: &'s SourceFile, text: &'s str, span: Span) -> Self {
        Source {
            file,
            text,
            base: None,
            whole: span,
        }
    }

    /// The file span of a range in `text`.
    pub fn span(&self, range: Option<Range<usize>>) -> Span {
        match (self.base, range) {
            (Some(base), Some(r)) => Span::new(
                self.file.id,
                base.saturating_add(r.start as u32),
                base.saturating_add(r.end as u32),
            ),
            _ => self.whole,
        }
    }

    /// The text of a range, trimmed.
    pub fn slice(&self, range: Option<Range<usize>>) -> &'s str {
        range
            .and_then(|r| self.text.get(r))
            .unwrap_or_default()
            .trim()
    }
}

/// An expression as written, in either syntax.
#[derive(Clone, Copy)]
pub(super) enum Expr<'a> {
    /// An expression in native syntax, with where its text sits.
    Native(Source<'a>, &'a Expression),
    /// A value in JSON syntax, whose strings are templates.
    Json(&'a SourceFile, &'a Node),
    /// A value in JSON syntax read literally (a variable's `type` and `default` in a
    /// `.tf.json` file, a value in a `.tfvars.json` file).
    Literal(&'a Node),
}

impl<'a> Expr<'a> {
    /// The expression's source text, or a JSON string's value.
    pub fn text(&self) -> &'a str {
        match self {
            Expr::Native(src, expr) => src.slice(hcl_edit::Span::span(*expr)),
            Expr::Json(_, node) | Expr::Literal(node) => node.as_str().unwrap_or_default(),
        }
    }

    /// The bare name it is (a `dynamic` block's `iterator`): an identifier in native syntax,
    /// a string in JSON.
    pub fn as_name(&self) -> Option<&'a str> {
        match self {
            Expr::Native(_, Expression::Variable(name)) => Some(name.as_str()),
            Expr::Native(..) => None,
            Expr::Json(_, node) | Expr::Literal(node) => node.as_str(),
        }
    }

    /// The references it makes, outside the iterators `bound` of enclosing `dynamic` blocks,
    /// and the JSON templates that do not parse.
    pub fn references(&self, bound: &[String]) -> (Vec<Reference>, Vec<Diagnostic>) {
        let mut c = Collector::with_bound(bound);
        let mut errors = Vec::new();
        match self {
            Expr::Native(src, expr) => c.expr(expr, src),
            Expr::Json(file, node) => node.walk(&mut |n| {
                let Data::String(s) = &n.value else { return };
                if !super::expr::is_template(s) {
                    return;
                }
                match hcl_edit::parser::parse_template(s) {
                    Ok(template) => c.template(&template, &Source::json_string(file, s, n.span)),
                    Err(e) => errors.push(
                        Diagnostic::error(
                            "terraform::template",
                            file.path.clone(),
                            format!("this string's template does not parse: {}", e.message()),
                        )
                        .at(n.span),
                    ),
                }
            }),
            Expr::Literal(_) => {}
        }
        (c.found, errors)
    }
}

/// One file, lowered.
pub(super) struct File<'a> {
    /// The file.
    pub file: &'a SourceFile,
    /// Its top-level blocks (and, in native syntax, attributes outside any block, which
    /// Terraform rejects), in source order.
    pub items: Vec<Item<'a>>,
}

/// A block: `resource "aws_s3_bucket" "b" { … }`, or its JSON form.
pub(super) struct Block<'a> {
    /// The block type (`resource`, `dynamic`, `ingress`).
    pub ident: &'a str,
    /// Where the block type is written (in JSON, the key that opens the block).
    pub ident_span: Span,
    /// Its labels, with their spans.
    pub labels: Vec<(String, Span)>,
    /// The whole block (in JSON, from its last label to the end of its body).
    pub span: Span,
    /// Its contents.
    pub body: Body<'a>,
}

/// A block's contents, in source order.
pub(super) struct Body<'a> {
    /// The file it is written in.
    pub file: &'a SourceFile,
    /// Whether it is written in JSON syntax, where an object attribute and a nested block
    /// of the same name cannot be told apart (they merge into one list).
    pub json: bool,
    /// Its attributes and nested blocks.
    pub items: Vec<Item<'a>>,
}

/// One attribute or nested block of a body.
pub(super) enum Item<'a> {
    /// `key = value`.
    Attribute(Attribute<'a>),
    /// A nested block.
    Block(Block<'a>),
}

/// `key = value`.
pub(super) struct Attribute<'a> {
    /// The name.
    pub key: &'a str,
    /// Where the name is written.
    pub key_span: Span,
    /// The whole attribute.
    pub span: Span,
    /// The value.
    pub value: Value<'a>,
}

/// What an attribute holds.
pub(super) enum Value<'a> {
    /// An expression, evaluated and searched for references.
    Expr(Expr<'a>),
    /// A meta-argument that names objects (`depends_on`, `provider`) or a type: kept as the
    /// text of the names, with the links they make.
    Names {
        /// The value as the attribute tree shows it.
        written: Node,
        /// Its links and the expressions searched for references, in source order.
        parts: Vec<NamePart<'a>>,
    },
    /// JSON syntax: block bodies written as an attribute's object or array of objects (a
    /// `lifecycle`), kept in their written shape.
    Bodies {
        /// The value as written.
        written: &'a Node,
        /// For each object (one for an object, one per item of an array), its body; an item
        /// that is not an object is an ordinary value.
        bodies: Vec<Result<Body<'a>, Expr<'a>>>,
    },
}

/// A piece of a meta-argument that names objects.
pub(super) enum NamePart<'a> {
    /// A link to a named object.
    Link(EdgeKind, String, Span),
    /// An expression that names nothing directly, searched for references.
    Expr(Expr<'a>),
}

impl<'a> Body<'a> {
    /// The attributes, in source order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute<'a>> {
        self.items.iter().filter_map(|i| match i {
            Item::Attribute(a) => Some(a),
            Item::Block(_) => None,
        })
    }

    /// The nested blocks, in source order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block<'a>> {
        self.items.iter().filter_map(|i| match i {
            Item::Block(b) => Some(b),
            Item::Attribute(_) => None,
        })
    }

    /// The expression of the first attribute named `key`.
    pub fn expr(&self, key: &str) -> Option<Expr<'a>> {
        self.attributes()
            .find(|a| a.key == key)
            .and_then(|a| match a.value {
                Value::Expr(e) => Some(e),
                _ => None,
            })
    }
}

/// Lowers one parsed file; what its syntax gets wrong is reported to `diagnostics`.
pub(super) fn lower<'a>(parsed: TerraformFile<'a>, diagnostics: &mut Vec<Diagnostic>) -> File<'a> {
    match parsed {
        TerraformFile::Hcl { file, body } => native::file(file, body),
        TerraformFile::Json { file, root } => json::file(file, root, diagnostics),
    }
}

/// Lowers a parsed variable definitions file: a body of `name = value` attributes, whose
/// JSON values are literal (Terraform reads no templates there). A JSON file that is not one
/// object is reported and lowered to nothing.
pub(super) fn lower_var_file<'a>(
    parsed: TerraformFile<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) -> File<'a> {
    match parsed {
        TerraformFile::Hcl { file, body } => native::file(file, body),
        TerraformFile::Json { file, root } => json::var_file(file, root, diagnostics),
    }
}

/// The body kind of a top-level block's body, which decides its meta-arguments.
fn top_kind(ident: &str) -> BodyKind {
    match ident {
        "resource" | "data" => BodyKind::Resource,
        "module" => BodyKind::Module,
        "variable" => BodyKind::Variable,
        // A local's name is not a meta-argument.
        "locals" => BodyKind::Nested,
        _ => BodyKind::Other,
    }
}
