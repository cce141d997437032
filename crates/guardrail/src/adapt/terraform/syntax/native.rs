//! Native syntax (`.tf`) into the one form: blocks and attributes as hcl-edit parsed them,
//! with the meta-arguments that name objects read as names.

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body as HclBody, Structure};

use super::{Attribute, Block, Body, Expr, File, Item, NamePart, Source, Value, top_kind};
use crate::adapt::terraform::BodyKind;
use crate::adapt::terraform::refs::{bare_reference, provider_reference};
use crate::graph::EdgeKind;
use crate::source::SourceFile;
use crate::value::{Entry, Map, Node, Value as Data};

/// Lowers a `.tf` file (an attribute outside any block is kept: Terraform rejects it, and
/// the declarations say so).
pub(super) fn file<'a>(file: &'a SourceFile, body: &'a HclBody) -> File<'a> {
    let src = Source::file(file);
    let mut items = Vec::new();
    for structure in body.iter() {
        match structure {
            Structure::Block(block) => {
                let ident = block.ident.as_str();
                // The blocks of a `terraform` block (`backend`, `cloud`) are declarations.
                let (kind, inner) = match ident {
                    "terraform" => (BodyKind::Other, Some(BodyKind::Other)),
                    _ => (top_kind(ident), None),
                };
                items.push(Item::Block(lower_block(&src, block, kind, inner)));
            }
            Structure::Attribute(attr) => items.push(Item::Attribute(Attribute {
                key: attr.key.as_str(),
                key_span: src.span(attr.key.span()),
                span: src.span(attr.span()),
                value: Value::Expr(Expr::Native(src, &attr.value)),
            })),
        }
    }
    File { file, items }
}

/// Lowers a block whose body is of `kind`; its nested blocks are of `inner` when given, else
/// decided by their type (`lifecycle`) and where they sit.
fn lower_block<'a>(
    src: &Source<'a>,
    block: &'a hcl_edit::structure::Block,
    kind: BodyKind,
    inner: Option<BodyKind>,
) -> Block<'a> {
    let mut items = Vec::new();
    for structure in block.body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let key = attr.key.as_str();
                items.push(Item::Attribute(Attribute {
                    key,
                    key_span: src.span(attr.key.span()),
                    span: src.span(attr.span()),
                    value: attribute(src, key, &attr.value, kind),
                }));
            }
            Structure::Block(nested) => {
                let nested_kind =
                    inner.unwrap_or(if kind.is_top() && nested.ident.as_str() == "lifecycle" {
                        BodyKind::Lifecycle
                    } else {
                        BodyKind::Nested
                    });
                items.push(Item::Block(lower_block(src, nested, nested_kind, None)));
            }
        }
    }
    Block {
        ident: block.ident.as_str(),
        ident_span: src.span(block.ident.span()),
        labels: block
            .labels
            .iter()
            .map(|l| (l.as_str().to_owned(), src.span(l.span())))
            .collect(),
        span: src.span(block.span()),
        body: Body {
            file: src.file,
            json: false,
            items,
        },
    }
}

/// One attribute's value, with the meta-arguments that name objects kept as names.
fn attribute<'a>(src: &Source<'a>, key: &str, expr: &'a Expression, kind: BodyKind) -> Value<'a> {
    let span = src.span(expr.span());
    let text = |e: &Expression| {
        Node::new(
            Data::String(src.slice(e.span()).to_owned()),
            src.span(e.span()),
        )
    };
    let names = |written: Node, parts: Vec<NamePart<'a>>| Value::Names { written, parts };
    match (kind, key, expr) {
        (k, "depends_on", Expression::Array(items)) if k.is_top() => {
            let parts = items
                .iter()
                .map(
                    |item| match bare_reference(item).or_else(|| quoted_reference(item)) {
                        Some(name) => {
                            NamePart::Link(EdgeKind::DependsOn, name, src.span(item.span()))
                        }
                        None => NamePart::Expr(Expr::Native(*src, item)),
                    },
                )
                .collect();
            let written = Node::new(Data::Seq(items.iter().map(text).collect()), span);
            names(written, parts)
        }
        (BodyKind::Resource, "provider", _) => match provider_reference(expr) {
            Some(name) => names(
                text(expr),
                vec![NamePart::Link(EdgeKind::Reference, name, span)],
            ),
            None => Value::Expr(Expr::Native(*src, expr)),
        },
        (BodyKind::Module, "providers", Expression::Object(object)) => {
            let mut map = Map::new();
            let mut parts = Vec::new();
            for (k, v) in object.iter() {
                let v = v.expr();
                if let Some(name) = provider_reference(v) {
                    parts.push(NamePart::Link(
                        EdgeKind::Reference,
                        name,
                        src.span(v.span()),
                    ));
                }
                map.insert(Entry {
                    key: src.slice(k.span()).to_owned(),
                    key_span: src.span(k.span()),
                    value: text(v),
                });
            }
            names(Node::new(Data::Map(map), span), parts)
        }
        (BodyKind::Variable, "type", _) => names(text(expr), Vec::new()),
        (BodyKind::Lifecycle, "ignore_changes", Expression::Array(items)) => names(
            Node::new(Data::Seq(items.iter().map(text).collect()), span),
            Vec::new(),
        ),
        (BodyKind::Lifecycle, "ignore_changes", _) => names(text(expr), Vec::new()),
        _ => Value::Expr(Expr::Native(*src, expr)),
    }
}

/// The reference a quoted `depends_on` item names (`"aws_iam_role.r"`): Terraform 0.11's
/// syntax, which later versions still accept with a deprecation warning.
fn quoted_reference(item: &Expression) -> Option<String> {
    let Expression::String(s) = item else {
        return None;
    };
    hcl_edit::parser::parse_expr(s.value())
        .ok()
        .and_then(|expr| bare_reference(&expr))
}
