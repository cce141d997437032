//! Terraform native syntax: declarations out of a `.tf` body, and their bodies into attribute
//! trees with links.

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use super::entries::Entries;
use super::expr::{Def, Definition, Evaluator, Named, Source};
use super::refs::{Collector, bare_reference, provider_reference};
use super::{
    BodyKind, Ctx, Decl, DeclBody, SKIPPED_BLOCKS, expect_labels, label_rule, unknown_block,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{EdgeKind, NodeKind};
use crate::source::{SourceFile, Span};
use crate::value::{Entry, Map, Node, Value};

/// Finds the declarations of a `.tf` file and tells the evaluator its variables and locals.
pub(super) fn declarations<'a>(
    file: &'a SourceFile,
    body: &'a Body,
    decls: &mut Vec<Decl<'a>>,
    ev: &mut Evaluator<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let src = Source::file(file);
    for structure in body.iter() {
        let block = match structure {
            Structure::Block(block) => block,
            Structure::Attribute(attr) => {
                diagnostics.push(
                    Diagnostic::new(
                        Severity::Warning,
                        "terraform::unknown-block",
                        file.path.clone(),
                        format!(
                            "`{}` is an attribute outside any block, which Terraform does not \
                             allow; it is ignored",
                            attr.key.as_str()
                        ),
                    )
                    .at(src.span(attr.span())),
                );
                continue;
            }
        };
        let ident = block.ident.as_str();
        let ident_span = src.span(block.ident.span());
        if SKIPPED_BLOCKS.contains(&ident) {
            continue;
        }
        let Some((expected, what)) = label_rule(ident) else {
            unknown_block(file, ident, ident_span, diagnostics);
            continue;
        };
        let labels = labels(block, &src);
        let Some(labels) = expect_labels(
            file,
            ident,
            ident_span,
            &labels,
            expected,
            what,
            diagnostics,
        ) else {
            continue;
        };
        let span = src.span(block.span());
        let decl = |kind, type_name: &str, address: String, name_span| Decl {
            kind,
            type_name: type_name.to_owned(),
            address,
            span,
            name_span,
            file,
            body: DeclBody::Hcl(&block.body),
        };
        match (ident, labels) {
            ("resource", [(t, _), (n, n_span)]) => {
                decls.push(decl(NodeKind::Resource, t, format!("{t}.{n}"), *n_span));
            }
            ("data", [(t, _), (n, n_span)]) => {
                decls.push(decl(NodeKind::Data, t, format!("data.{t}.{n}"), *n_span));
            }
            ("module", [(m, m_span)]) => {
                decls.push(decl(
                    NodeKind::Module,
                    "module",
                    format!("module.{m}"),
                    *m_span,
                ));
            }
            ("variable", [(v, v_span)]) => {
                let default = block
                    .body
                    .get_attribute("default")
                    .map(|a| Def::Hcl(src, &a.value));
                ev.define(
                    Named::Var,
                    v,
                    Definition {
                        value: default,
                        span: *v_span,
                        file,
                    },
                );
                decls.push(decl(
                    NodeKind::Variable,
                    "variable",
                    format!("var.{v}"),
                    *v_span,
                ));
            }
            ("output", [(o, o_span)]) => {
                decls.push(decl(
                    NodeKind::Output,
                    "output",
                    format!("output.{o}"),
                    *o_span,
                ));
            }
            ("provider", [(p, p_span)]) => {
                decls.push(decl(
                    NodeKind::Provider,
                    p,
                    format!("provider.{p}"),
                    *p_span,
                ));
            }
            ("locals", []) => locals(file, &src, block, decls, ev, diagnostics),
            ("terraform", []) => terraform(file, &src, block, decls, diagnostics),
            _ => {}
        }
    }
}

fn labels(block: &Block, src: &Source<'_>) -> Vec<(String, Span)> {
    block
        .labels
        .iter()
        .map(|l| (l.as_str().to_owned(), src.span(l.span())))
        .collect()
}

fn locals<'a>(
    file: &'a SourceFile,
    src: &Source<'a>,
    block: &'a Block,
    decls: &mut Vec<Decl<'a>>,
    ev: &mut Evaluator<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for structure in block.body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let name = attr.key.as_str();
                let name_span = src.span(attr.key.span());
                ev.define(
                    Named::Local,
                    name,
                    Definition {
                        value: Some(Def::Hcl(*src, &attr.value)),
                        span: name_span,
                        file,
                    },
                );
                decls.push(Decl {
                    kind: NodeKind::Local,
                    type_name: "local".into(),
                    address: format!("local.{name}"),
                    span: src.span(attr.span()),
                    name_span,
                    file,
                    body: DeclBody::HclLocal(&attr.value),
                });
            }
            Structure::Block(inner) => unknown_block(
                file,
                inner.ident.as_str(),
                src.span(inner.ident.span()),
                diagnostics,
            ),
        }
    }
}

/// The backend and cloud blocks of a `terraform` block; its other settings are not kept.
fn terraform<'a>(
    file: &'a SourceFile,
    src: &Source<'a>,
    block: &'a Block,
    decls: &mut Vec<Decl<'a>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for inner in block.body.blocks() {
        let ident = inner.ident.as_str();
        let ident_span = src.span(inner.ident.span());
        let labels = labels(inner, src);
        let (expected, what) = match ident {
            "backend" => (1, "one label (the backend type)"),
            "cloud" => (0, "no labels"),
            _ => continue,
        };
        let Some(labels) = expect_labels(
            file,
            ident,
            ident_span,
            &labels,
            expected,
            what,
            diagnostics,
        ) else {
            continue;
        };
        let (type_name, address, name_span) = match labels {
            [(b, b_span)] => (b.clone(), format!("terraform.backend.{b}"), *b_span),
            _ => ("cloud".into(), "terraform.cloud".into(), ident_span),
        };
        decls.push(Decl {
            kind: NodeKind::Backend,
            type_name,
            address,
            span: src.span(inner.span()),
            name_span,
            file,
            body: DeclBody::Hcl(&inner.body),
        });
    }
}

/// The attribute tree of a declaration's block.
pub(super) fn block_body(ctx: &mut Ctx<'_, '_>, decl: &Decl<'_>, body: &Body) -> Node {
    let src = Source::file(decl.file);
    let mut entries = Entries::native();
    fill(
        ctx,
        &mut entries,
        body,
        &src,
        BodyKind::of(decl.kind),
        &mut Vec::new(),
    );
    entries.into_node(decl.span)
}

/// The attribute tree of a local: `{value: …}`.
pub(super) fn local_body(ctx: &mut Ctx<'_, '_>, decl: &Decl<'_>, value: &Expression) -> Node {
    let src = Source::file(decl.file);
    let mut c = Collector::with_bound(&[]);
    c.expr(value, &src);
    ctx.references(c.found);
    ctx.local_node(decl, |ev| ev.eval(value, &src))
}

/// Converts the attributes and blocks of `body` into `entries`; `bound` holds the iterator
/// names of enclosing `dynamic` blocks.
fn fill(
    ctx: &mut Ctx<'_, '_>,
    entries: &mut Entries,
    body: &Body,
    src: &Source<'_>,
    kind: BodyKind,
    bound: &mut Vec<String>,
) {
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let key = attr.key.as_str();
                let key_span = src.span(attr.key.span());
                let value = attribute(ctx, key, &attr.value, src, kind, bound);
                if !entries.value(key, key_span, value) {
                    ctx.duplicate_key(src.file, key, key_span);
                }
            }
            Structure::Block(block) => {
                let ident = block.ident.as_str();
                let ident_span = src.span(block.ident.span());
                let (key, key_span, node) = if ident == "dynamic" {
                    match dynamic(ctx, block, src, bound) {
                        Some(found) => found,
                        None => continue,
                    }
                } else {
                    let nested = if kind.is_top() && ident == "lifecycle" {
                        BodyKind::Lifecycle
                    } else {
                        BodyKind::Nested
                    };
                    let mut inner = Entries::native();
                    let labels = labels(block, src);
                    if !labels.is_empty() {
                        let covered = labels
                            .iter()
                            .map(|(_, s)| *s)
                            .reduce(Span::cover)
                            .unwrap_or(ident_span);
                        let items = labels
                            .into_iter()
                            .map(|(l, s)| Node::new(Value::String(l), s))
                            .collect();
                        inner.value("__labels", covered, Node::new(Value::Seq(items), covered));
                    }
                    fill(ctx, &mut inner, &block.body, src, nested, bound);
                    (
                        ident.to_owned(),
                        ident_span,
                        inner.into_node(src.span(block.span())),
                    )
                };
                if !entries.block(&key, key_span, node) {
                    ctx.duplicate_key(src.file, &key, key_span);
                }
            }
        }
    }
}

/// A `dynamic "X" { for_each = …, iterator = …, content { … } }` block as one entry of the
/// `X` list: `{__dynamic: true, …content}`; nothing when `for_each` is known to be empty
/// (`[]`, `{}`, or a variable default or conditional that comes to that), since Terraform then
/// makes no block at all. Its references are links either way.
fn dynamic(
    ctx: &mut Ctx<'_, '_>,
    block: &Block,
    src: &Source<'_>,
    bound: &mut Vec<String>,
) -> Option<(String, Span, Node)> {
    let ident_span = src.span(block.ident.span());
    let labels = labels(block, src);
    let [(label, label_span)] = expect_labels(
        src.file,
        "dynamic",
        ident_span,
        &labels,
        1,
        "one label (the type of the blocks it makes)",
        ctx.diagnostics,
    )?
    else {
        return None;
    };
    let mut iterator = label.clone();
    let mut never = false;
    for attr in block.body.attributes() {
        if attr.key.as_str() == "iterator" {
            if let Expression::Variable(name) = &attr.value {
                iterator = name.as_str().to_owned();
            }
            continue;
        }
        // `for_each` and `labels` are evaluated outside the iterator's scope.
        let mut c = Collector::with_bound(bound);
        c.expr(&attr.value, src);
        ctx.references(c.found);
        if attr.key.as_str() == "for_each" && !mentions_any(&attr.value, src, bound) {
            never = super::known_empty(&ctx.ev.eval(&attr.value, src));
        }
    }
    let mut entries = Entries::native();
    entries.value(
        "__dynamic",
        ident_span,
        Node::new(Value::Bool(true), ident_span),
    );
    bound.push(iterator);
    for content in block.body.get_blocks("content") {
        fill(
            ctx,
            &mut entries,
            &content.body,
            src,
            BodyKind::Nested,
            bound,
        );
    }
    bound.pop();
    if never {
        return None;
    }
    Some((
        label.clone(),
        *label_span,
        entries.into_node(src.span(block.span())),
    ))
}

/// Whether `expr` uses an iterator of an enclosing `dynamic` block, whose value the evaluator
/// does not know (it would read `rule.value` as a resource).
fn mentions_any(expr: &Expression, src: &Source<'_>, bound: &[String]) -> bool {
    let mut c = Collector::with_bound(&[]);
    c.expr(expr, src);
    c.found.iter().any(|r| {
        bound
            .iter()
            .any(|b| r.name.split('.').next() == Some(b.as_str()))
    })
}

/// One attribute's value, with the meta-arguments that name objects kept as names.
fn attribute(
    ctx: &mut Ctx<'_, '_>,
    key: &str,
    expr: &Expression,
    src: &Source<'_>,
    kind: BodyKind,
    bound: &[String],
) -> Node {
    let span = src.span(expr.span());
    let text = |e: &Expression| {
        Node::new(
            Value::String(src.slice(e.span()).to_owned()),
            src.span(e.span()),
        )
    };
    match (kind, key, expr) {
        (k, "depends_on", Expression::Array(items)) if k.is_top() => {
            let mut out = Vec::new();
            for item in items.iter() {
                match bare_reference(item).or_else(|| quoted_reference(item)) {
                    Some(name) => ctx.link(EdgeKind::DependsOn, name, src.span(item.span())),
                    None => {
                        let mut c = Collector::with_bound(bound);
                        c.expr(item, src);
                        ctx.references(c.found);
                    }
                }
                out.push(text(item));
            }
            Node::new(Value::Seq(out), span)
        }
        (BodyKind::Resource, "provider", _) => match provider_reference(expr) {
            Some(name) => {
                ctx.link(EdgeKind::Reference, name, span);
                text(expr)
            }
            None => generic(ctx, expr, src, bound),
        },
        (BodyKind::Module, "providers", Expression::Object(object)) => {
            let mut map = Map::new();
            for (k, v) in object.iter() {
                let v = v.expr();
                if let Some(name) = provider_reference(v) {
                    ctx.link(EdgeKind::Reference, name, src.span(v.span()));
                }
                map.insert(Entry {
                    key: src.slice(k.span()).to_owned(),
                    key_span: src.span(k.span()),
                    value: text(v),
                });
            }
            Node::new(Value::Map(map), span)
        }
        (BodyKind::Variable, "type", _) => text(expr),
        (BodyKind::Lifecycle, "ignore_changes", Expression::Array(items)) => {
            Node::new(Value::Seq(items.iter().map(text).collect()), span)
        }
        (BodyKind::Lifecycle, "ignore_changes", _) => text(expr),
        _ => generic(ctx, expr, src, bound),
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

/// An ordinary attribute value: evaluated, and searched for references.
fn generic(ctx: &mut Ctx<'_, '_>, expr: &Expression, src: &Source<'_>, bound: &[String]) -> Node {
    let mut c = Collector::with_bound(bound);
    c.expr(expr, src);
    ctx.references(c.found);
    ctx.ev.set_iterators(bound);
    ctx.ev.eval(expr, src)
}
