//! Declarations out of a lowered file, and their bodies into attribute trees with links: one
//! walk for both syntaxes, over the form [`super::syntax`] lowers them into.

use super::entries::Entries;
use super::expr::{Bound, Definition, Evaluator, Named};
use super::syntax::{Block, Body, Expr, File, Item, NamePart, Value as Syntax};
use super::types::VarType;
use super::{Ctx, Decl, DeclBody, SKIPPED_BLOCKS, expect_labels, label_rule, unknown_block};
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::NodeKind;
use crate::source::Span;
use crate::value::{Node, Value};

/// Finds the declarations of a file and tells the evaluator its variables and locals.
pub(super) fn declarations<'l, 'a>(
    lowered: &'l File<'a>,
    decls: &mut Vec<Decl<'l, 'a>>,
    ev: &mut Evaluator<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let file = lowered.file;
    for item in &lowered.items {
        let block = match item {
            Item::Block(block) => block,
            Item::Attribute(attr) => {
                diagnostics.push(
                    Diagnostic::new(
                        Severity::Warning,
                        "terraform::unknown-block",
                        file.path.clone(),
                        format!(
                            "`{}` is an attribute outside any block, which Terraform does not \
                             allow; it is ignored",
                            attr.key
                        ),
                    )
                    .at(attr.span),
                );
                continue;
            }
        };
        let ident = block.ident;
        let ident_span = block.ident_span;
        if SKIPPED_BLOCKS.contains(&ident) {
            continue;
        }
        let Some((expected, what)) = label_rule(ident) else {
            unknown_block(file, ident, ident_span, diagnostics);
            continue;
        };
        let Some(labels) = expect_labels(
            file,
            ident,
            ident_span,
            &block.labels,
            expected,
            what,
            diagnostics,
        ) else {
            continue;
        };
        let decl = |kind, type_name: &str, address: String, name_span| Decl {
            kind,
            type_name: type_name.to_owned(),
            address,
            span: block.span,
            name_span,
            file,
            body: DeclBody::Block(&block.body),
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
                ev.define(
                    Named::Var,
                    v,
                    Definition {
                        value: block.body.expr("default").map(Bound::Expr),
                        var_type: var_type(&block.body).map(std::sync::Arc::new),
                        nullable: nullable(&block.body),
                        sensitive: flag(&block.body, "sensitive"),
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
            ("locals", []) => locals(block, decls, ev, diagnostics),
            ("terraform", []) => terraform(block, decls, diagnostics),
            _ => {}
        }
    }
}

/// A variable block's `type`, parsed.
fn var_type(body: &Body<'_>) -> Option<VarType> {
    body.attributes().find_map(|a| match (&a.key, &a.value) {
        (&"type", Syntax::Names { written, .. }) => VarType::parse(written.as_str()?, written.span),
        _ => None,
    })
}

/// A variable block's `nullable` (true unless it says `false`).
/// Whether a boolean argument of a block (`sensitive = true`) is written as true.
fn flag(body: &Body<'_>, name: &str) -> bool {
    body.expr(name)
        .is_some_and(|expr| Evaluator::new().eval_expr(expr).as_bool() == Some(true))
}

fn nullable(body: &Body<'_>) -> bool {
    let Some(expr) = body.expr("nullable") else {
        return true;
    };
    Evaluator::new().eval_expr(expr).as_bool() != Some(false)
}

fn locals<'l, 'a>(
    block: &'l Block<'a>,
    decls: &mut Vec<Decl<'l, 'a>>,
    ev: &mut Evaluator<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let file = block.body.file;
    for item in &block.body.items {
        match item {
            Item::Attribute(attr) => {
                let Syntax::Expr(value) = attr.value else {
                    continue;
                };
                ev.define(
                    Named::Local,
                    attr.key,
                    Definition {
                        value: Some(Bound::Expr(value)),
                        var_type: None,
                        nullable: true,
                        sensitive: false,
                        span: attr.key_span,
                        file,
                    },
                );
                decls.push(Decl {
                    kind: NodeKind::Local,
                    type_name: "local".into(),
                    address: format!("local.{}", attr.key),
                    span: attr.span,
                    name_span: attr.key_span,
                    file,
                    body: DeclBody::Local(value),
                });
            }
            Item::Block(inner) => unknown_block(file, inner.ident, inner.ident_span, diagnostics),
        }
    }
}

/// The backend and cloud blocks of a `terraform` block; its other settings are not kept.
fn terraform<'l, 'a>(
    block: &'l Block<'a>,
    decls: &mut Vec<Decl<'l, 'a>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let file = block.body.file;
    for inner in block.body.blocks() {
        let ident_span = inner.ident_span;
        let (expected, what) = match inner.ident {
            "backend" => (1, "one label (the backend type)"),
            "cloud" => (0, "no labels"),
            _ => continue,
        };
        let Some(labels) = expect_labels(
            file,
            inner.ident,
            ident_span,
            &inner.labels,
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
            span: inner.span,
            name_span,
            file,
            body: DeclBody::Block(&inner.body),
        });
    }
}

/// The attribute tree of a declaration's block.
pub(super) fn block_body(ctx: &mut Ctx<'_, '_>, decl: &Decl<'_, '_>, body: &Body<'_>) -> Node {
    convert(ctx, body, decl.span, &mut Vec::new())
}

/// The attribute tree of a local: `{value: …}`.
pub(super) fn local_body(ctx: &mut Ctx<'_, '_>, decl: &Decl<'_, '_>, value: Expr<'_>) -> Node {
    references(ctx, value, &[]);
    ctx.local_node(decl, |ev| ev.eval_expr(value))
}

/// A body as a map spanning `span`.
fn convert(ctx: &mut Ctx<'_, '_>, body: &Body<'_>, span: Span, bound: &mut Vec<String>) -> Node {
    let mut entries = entries_for(body);
    fill(ctx, &mut entries, body, bound);
    entries.into_node(span)
}

fn entries_for(body: &Body<'_>) -> Entries {
    if body.json {
        Entries::json()
    } else {
        Entries::native()
    }
}

/// Converts the attributes and blocks of `body` into `entries`; `bound` holds the iterator
/// names of enclosing `dynamic` blocks.
fn fill(ctx: &mut Ctx<'_, '_>, entries: &mut Entries, body: &Body<'_>, bound: &mut Vec<String>) {
    for item in &body.items {
        match item {
            Item::Attribute(attr) => {
                let value = not_set_if_null(attribute(ctx, &attr.value, bound));
                if !entries.value(attr.key, attr.key_span, value) {
                    ctx.duplicate_key(body.file, attr.key, attr.key_span);
                }
            }
            Item::Block(block) if block.ident == "dynamic" => {
                for (key, key_span, node) in dynamic(ctx, block, bound) {
                    if !entries.block(&key, key_span, node) {
                        ctx.duplicate_key(body.file, &key, key_span);
                    }
                }
            }
            Item::Block(block) => {
                let (key, key_span, node) = {
                    let mut inner = entries_for(&block.body);
                    if !block.labels.is_empty() {
                        let covered = block
                            .labels
                            .iter()
                            .map(|(_, s)| *s)
                            .reduce(Span::cover)
                            .unwrap_or(block.ident_span);
                        let items = block
                            .labels
                            .iter()
                            .map(|(l, s)| Node::new(Value::String(l.clone()), *s))
                            .collect();
                        inner.value("__labels", covered, Node::new(Value::Seq(items), covered));
                    }
                    fill(ctx, &mut inner, &block.body, bound);
                    (
                        block.ident.to_owned(),
                        block.ident_span,
                        inner.into_node(block.span),
                    )
                };
                if !entries.block(&key, key_span, node) {
                    ctx.duplicate_key(body.file, &key, key_span);
                }
            }
        }
    }
}

/// A `dynamic "X" { for_each = …, iterator = …, content { … } }` block as entries of the `X`
/// list. With a known `for_each`, one block per element, in Terraform's order (a list by
/// index, a map or set by key), its content evaluated with the iterator's `key` and `value`:
/// the blocks Terraform makes, none for an empty collection. Otherwise one entry
/// `{__dynamic: true, …content}`, whose values that depend on the iterator are unknown: rules
/// see that the block may be repeated any number of times. Its references are links either way.
fn dynamic(
    ctx: &mut Ctx<'_, '_>,
    block: &Block<'_>,
    bound: &mut Vec<String>,
) -> Vec<(String, Span, Node)> {
    let Some([(label, label_span)]) = expect_labels(
        block.body.file,
        "dynamic",
        block.ident_span,
        &block.labels,
        1,
        "one label (the type of the blocks it makes)",
        ctx.diagnostics,
    ) else {
        return Vec::new();
    };
    let mut iterator = label.clone();
    let mut elements = None;
    for attr in block.body.attributes() {
        let Syntax::Expr(expr) = attr.value else {
            continue;
        };
        if attr.key == "iterator" {
            if let Some(name) = expr.as_name() {
                iterator = name.to_owned();
            }
            continue;
        }
        // `for_each` and `labels` are evaluated outside the iterator's scope.
        references(ctx, expr, bound);
        if attr.key == "for_each" {
            ctx.ev.set_iterators(bound);
            elements = super::instances::elements(&ctx.ev.eval_expr(expr), true);
        }
    }
    let contents: Vec<&Block<'_>> = block
        .body
        .blocks()
        .filter(|b| b.ident == "content")
        .collect();
    let Some(elements) = elements else {
        let mut entries = entries_for(&block.body);
        entries.value(
            "__dynamic",
            block.ident_span,
            Node::new(Value::Bool(true), block.ident_span),
        );
        bound.push(iterator);
        for content in &contents {
            fill(ctx, &mut entries, &content.body, bound);
        }
        bound.pop();
        return vec![(label.clone(), *label_span, entries.into_node(block.span))];
    };
    if elements.is_empty() {
        // No block is made, but what the content refers to is still a link.
        let mut discarded = entries_for(&block.body);
        bound.push(iterator);
        for content in &contents {
            fill(ctx, &mut discarded, &content.body, bound);
        }
        bound.pop();
        return Vec::new();
    }
    let mut out = Vec::with_capacity(elements.len());
    for element in elements {
        let mut entries = entries_for(&block.body);
        ctx.ev.bind(&iterator, element.key, element.value);
        bound.push(iterator.clone());
        for content in &contents {
            fill(ctx, &mut entries, &content.body, bound);
        }
        bound.pop();
        ctx.ev.unbind();
        out.push((label.clone(), *label_span, entries.into_node(block.span)));
    }
    out
}

/// An attribute set to `null` is not set, as Terraform reads it: the provider's default
/// applies. It stays in the tree as a removed value (see [`Node::is_removed`]), judged as
/// absent; so does a `null` alternative of a conditional.
fn not_set_if_null(mut node: Node) -> Node {
    node.null_as_unset();
    if let Value::OneOf(alternatives) = &mut node.value {
        alternatives.iter_mut().for_each(Node::null_as_unset);
    }
    node
}

/// One attribute's value.
fn attribute(ctx: &mut Ctx<'_, '_>, value: &Syntax<'_>, bound: &mut Vec<String>) -> Node {
    match value {
        Syntax::Expr(expr) => generic(ctx, *expr, bound),
        Syntax::Names { written, parts } => {
            for part in parts {
                match part {
                    NamePart::Link(kind, name, span) => ctx.link(*kind, name.clone(), *span),
                    NamePart::Expr(expr) => references(ctx, *expr, bound),
                }
            }
            written.clone()
        }
        Syntax::Bodies { written, bodies } => {
            let mut convert_one =
                |ctx: &mut Ctx<'_, '_>, body: &Result<Body<'_>, Expr<'_>>, span| match body {
                    Ok(body) => convert(ctx, body, span, bound),
                    Err(expr) => generic(ctx, *expr, bound),
                };
            match &written.value {
                Value::Seq(items) => Node {
                    value: Value::Seq(
                        items
                            .iter()
                            .zip(bodies)
                            .map(|(item, body)| convert_one(ctx, body, item.span))
                            .collect(),
                    ),
                    span: written.span,
                    provenance: written.provenance.clone(),
                },
                _ => match bodies.first() {
                    Some(body) => convert_one(ctx, body, written.span),
                    None => (*written).clone(),
                },
            }
        }
    }
}

/// An ordinary value: evaluated, and searched for references.
fn generic(ctx: &mut Ctx<'_, '_>, expr: Expr<'_>, bound: &[String]) -> Node {
    references(ctx, expr, bound);
    ctx.ev.set_iterators(bound);
    ctx.ev.eval_expr(expr)
}

/// Collects the references of an expression as links, and reports its templates that do not
/// parse.
fn references(ctx: &mut Ctx<'_, '_>, expr: Expr<'_>, bound: &[String]) {
    let (found, mut errors) = expr.references(bound);
    ctx.references(found);
    ctx.diagnostics.append(&mut errors);
}
