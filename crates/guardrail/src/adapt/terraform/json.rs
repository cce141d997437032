//! Terraform JSON syntax (`.tf.json`): declarations out of the root object, and their bodies
//! into attribute trees with links, reading `${…}` templates in strings.

use super::entries::Entries;
use super::expr::{Def, Definition, Evaluator, Named, Source, is_template};
use super::refs::{Collector, bare_reference, provider_reference};
use super::{BodyKind, Ctx, Decl, DeclBody, SKIPPED_BLOCKS, label_rule, unknown_block};
use crate::diagnostic::Diagnostic;
use crate::graph::{EdgeKind, NodeKind};
use crate::source::{SourceFile, Span};
use crate::value::{Entry, Node, Value};

/// A `.tf.json` structure that is not Terraform's.
fn structure_error(file: &SourceFile, span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error("terraform::json-structure", file.path.clone(), message).at(span)
}

/// The objects of a value that must be an object or an array of objects.
fn objects<'n>(
    file: &SourceFile,
    node: &'n Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<&'n Node> {
    match &node.value {
        Value::Map(_) => vec![node],
        Value::Seq(items) => items
            .iter()
            .filter(|item| {
                let ok = item.as_map().is_some();
                if !ok {
                    diagnostics.push(structure_error(file, item.span, "expected an object"));
                }
                ok
            })
            .collect(),
        _ => {
            diagnostics.push(structure_error(
                file,
                node.span,
                "expected an object or an array of objects",
            ));
            Vec::new()
        }
    }
}

/// The `label: value` pairs of a label level (`{T: …}` or `[{T: …}, …]`), comments left out.
fn labelled<'n>(
    file: &SourceFile,
    node: &'n Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<&'n Entry> {
    objects(file, node, diagnostics)
        .into_iter()
        .filter_map(Node::as_map)
        .flat_map(|m| m.iter())
        .filter(|e| e.key != "//")
        .collect()
}

/// Finds the declarations of a `.tf.json` file and tells the evaluator its variables and
/// locals.
pub(super) fn declarations<'a>(
    file: &'a SourceFile,
    root: &'a Node,
    decls: &mut Vec<Decl<'a>>,
    ev: &mut Evaluator<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(map) = root.as_map() else {
        diagnostics.push(structure_error(
            file,
            root.span,
            "a Terraform JSON file must hold one object",
        ));
        return;
    };
    for top in map {
        let block = top.key.as_str();
        if block == "//" || SKIPPED_BLOCKS.contains(&block) {
            continue;
        }
        let Some((labels, _)) = label_rule(block) else {
            unknown_block(file, block, top.key_span, diagnostics);
            continue;
        };
        let decl = |kind, type_name: &str, address: String, name: &Entry, body: &'a Node| Decl {
            kind,
            type_name: type_name.to_owned(),
            address,
            span: name.key_span.cover(body.span),
            name_span: name.key_span,
            file,
            body: DeclBody::Json(body),
        };
        match (block, labels) {
            ("resource" | "data", _) => {
                for t in labelled(file, &top.value, diagnostics) {
                    for n in labelled(file, &t.value, diagnostics) {
                        for body in objects(file, &n.value, diagnostics) {
                            let (kind, address) = if block == "data" {
                                (NodeKind::Data, format!("data.{}.{}", t.key, n.key))
                            } else {
                                (NodeKind::Resource, format!("{}.{}", t.key, n.key))
                            };
                            decls.push(decl(kind, &t.key, address, n, body));
                        }
                    }
                }
            }
            (_, 1) => {
                for n in labelled(file, &top.value, diagnostics) {
                    for body in objects(file, &n.value, diagnostics) {
                        let name = &n.key;
                        let d = match block {
                            "module" => decl(
                                NodeKind::Module,
                                "module",
                                format!("module.{name}"),
                                n,
                                body,
                            ),
                            "output" => decl(
                                NodeKind::Output,
                                "output",
                                format!("output.{name}"),
                                n,
                                body,
                            ),
                            "provider" => decl(
                                NodeKind::Provider,
                                name,
                                format!("provider.{name}"),
                                n,
                                body,
                            ),
                            _ => {
                                ev.define(
                                    Named::Var,
                                    name,
                                    Definition {
                                        value: body.get("default").map(Def::Literal),
                                        span: n.key_span,
                                        file,
                                    },
                                );
                                decl(
                                    NodeKind::Variable,
                                    "variable",
                                    format!("var.{name}"),
                                    n,
                                    body,
                                )
                            }
                        };
                        decls.push(d);
                    }
                }
            }
            ("locals", _) => {
                for local in labelled(file, &top.value, diagnostics) {
                    let name = &local.key;
                    ev.define(
                        Named::Local,
                        name,
                        Definition {
                            value: Some(Def::Json(file, &local.value)),
                            span: local.key_span,
                            file,
                        },
                    );
                    decls.push(Decl {
                        kind: NodeKind::Local,
                        type_name: "local".into(),
                        address: format!("local.{name}"),
                        span: local.key_span.cover(local.value.span),
                        name_span: local.key_span,
                        file,
                        body: DeclBody::JsonLocal(&local.value),
                    });
                }
            }
            _ => {
                // `terraform`: its backend and cloud blocks.
                for settings in objects(file, &top.value, diagnostics) {
                    let Some(settings) = settings.as_map() else {
                        continue;
                    };
                    if let Some(backend) = settings.get("backend") {
                        for b in labelled(file, backend, diagnostics) {
                            for body in objects(file, &b.value, diagnostics) {
                                let address = format!("terraform.backend.{}", b.key);
                                decls.push(decl(NodeKind::Backend, &b.key, address, b, body));
                            }
                        }
                    }
                    if let Some(cloud) = settings.entry("cloud") {
                        for body in objects(file, &cloud.value, diagnostics) {
                            let address = "terraform.cloud".to_owned();
                            decls.push(decl(NodeKind::Backend, "cloud", address, cloud, body));
                        }
                    }
                }
            }
        }
    }
}

/// The attribute tree of a declaration's body object.
pub(super) fn block_body(ctx: &mut Ctx<'_, '_>, decl: &Decl<'_>, body: &Node) -> Node {
    let mut node = convert_body(
        ctx,
        decl.file,
        body,
        BodyKind::of(decl.kind),
        &mut Vec::new(),
    );
    node.span = decl.span;
    node
}

/// The attribute tree of a local: `{value: …}`.
pub(super) fn local_body(ctx: &mut Ctx<'_, '_>, decl: &Decl<'_>, value: &Node) -> Node {
    references(ctx, decl.file, value, &[]);
    ctx.local_node(decl, |ev| ev.eval_json(value, decl.file))
}

/// Converts a block body object; `bound` holds the iterator names of enclosing `dynamic`
/// blocks.
fn convert_body(
    ctx: &mut Ctx<'_, '_>,
    file: &SourceFile,
    body: &Node,
    kind: BodyKind,
    bound: &mut Vec<String>,
) -> Node {
    if body.as_map().is_none() {
        ctx.diagnostics.push(structure_error(
            file,
            body.span,
            "expected a block body object",
        ));
        return generic(ctx, file, body, bound);
    }
    let mut entries = Entries::json();
    fill(ctx, &mut entries, file, body, kind, bound);
    entries.into_node(body.span)
}

/// Converts the entries of a body object into `entries`.
fn fill(
    ctx: &mut Ctx<'_, '_>,
    entries: &mut Entries,
    file: &SourceFile,
    body: &Node,
    kind: BodyKind,
    bound: &mut Vec<String>,
) {
    let Some(map) = body.as_map() else { return };
    for entry in map {
        let key = entry.key.as_str();
        let value = &entry.value;
        if key == "//" {
            continue;
        }
        if key == "dynamic" && kind != BodyKind::Variable {
            for d in labelled(file, value, ctx.diagnostics) {
                for body in objects(file, &d.value, ctx.diagnostics) {
                    let Some(node) = dynamic(ctx, file, body, &d.key, d.key_span, bound) else {
                        continue;
                    };
                    if !entries.block(&d.key, d.key_span, node) {
                        ctx.duplicate_key(file, &d.key, d.key_span);
                    }
                }
            }
            continue;
        }
        let node = attribute(ctx, file, key, value, kind, bound);
        if !entries.value(key, entry.key_span, node) {
            ctx.duplicate_key(file, key, entry.key_span);
        }
    }
}

/// A `dynamic` block body (`{for_each, iterator, content}`) as one entry of its list; nothing
/// when `for_each` is known to be empty, as in native syntax.
fn dynamic(
    ctx: &mut Ctx<'_, '_>,
    file: &SourceFile,
    body: &Node,
    label: &str,
    label_span: Span,
    bound: &mut Vec<String>,
) -> Option<Node> {
    let mut iterator = label.to_owned();
    let mut content = None;
    let mut never = false;
    if let Some(map) = body.as_map() {
        for entry in map {
            match entry.key.as_str() {
                "iterator" => {
                    if let Some(name) = entry.value.as_str() {
                        iterator = name.to_owned();
                    }
                }
                "content" => content = Some(&entry.value),
                "//" => {}
                key => {
                    references(ctx, file, &entry.value, bound);
                    if key == "for_each" && !mentions_any(file, &entry.value, bound) {
                        never = super::known_empty(&ctx.ev.eval_json(&entry.value, file));
                    }
                }
            }
        }
    }
    let mut entries = Entries::json();
    entries.value(
        "__dynamic",
        label_span,
        Node::new(Value::Bool(true), label_span),
    );
    bound.push(iterator);
    if let Some(content) = content {
        for content in objects(file, content, ctx.diagnostics) {
            fill(ctx, &mut entries, file, content, BodyKind::Nested, bound);
        }
    }
    bound.pop();
    (!never).then(|| entries.into_node(body.span))
}

/// Whether the templates of `node` use an iterator of an enclosing `dynamic` block, whose
/// value the evaluator does not know.
fn mentions_any(file: &SourceFile, node: &Node, bound: &[String]) -> bool {
    let mut c = Collector::with_bound(&[]);
    node.walk(&mut |n| {
        let Value::String(s) = &n.value else { return };
        if !is_template(s) {
            return;
        }
        if let Ok(template) = hcl_edit::parser::parse_template(s) {
            c.template(&template, &Source::json_string(file, s, n.span));
        }
    });
    c.found.iter().any(|r| {
        bound
            .iter()
            .any(|b| r.name.split('.').next() == Some(b.as_str()))
    })
}

/// One attribute's value, with the meta-arguments that name objects kept as names.
fn attribute(
    ctx: &mut Ctx<'_, '_>,
    file: &SourceFile,
    key: &str,
    value: &Node,
    kind: BodyKind,
    bound: &mut Vec<String>,
) -> Node {
    match (kind, key, &value.value) {
        (k, "depends_on", Value::Seq(items)) if k.is_top() => {
            for item in items {
                match item
                    .as_str()
                    .map(|s| (s, parse_expr(ctx, file, s, item.span)))
                {
                    Some((s, Some(expr))) => match bare_reference(&expr) {
                        Some(name) => {
                            let src = Source::json_string(file, s, item.span);
                            ctx.link(
                                EdgeKind::DependsOn,
                                name,
                                src.span(hcl_edit::Span::span(&expr)),
                            );
                        }
                        None => references(ctx, file, item, bound),
                    },
                    _ => references(ctx, file, item, bound),
                }
            }
            value.clone()
        }
        (BodyKind::Resource, "provider", Value::String(s)) => {
            if let Some(name) = parse_expr(ctx, file, s, value.span)
                .as_ref()
                .and_then(provider_reference)
            {
                ctx.link(EdgeKind::Reference, name, value.span);
            }
            value.clone()
        }
        (BodyKind::Module, "providers", Value::Map(map)) => {
            for e in map {
                if let Some(s) = e.value.as_str() {
                    if let Some(name) = parse_expr(ctx, file, s, e.value.span)
                        .as_ref()
                        .and_then(provider_reference)
                    {
                        ctx.link(EdgeKind::Reference, name, e.value.span);
                    }
                }
            }
            value.clone()
        }
        // Literal in JSON syntax: a type expression and a default that allows no references.
        (BodyKind::Variable, "type" | "default", _) => value.clone(),
        (BodyKind::Lifecycle, "ignore_changes", _) => value.clone(),
        (k, "lifecycle", _) if k.is_top() => match &value.value {
            Value::Map(_) => convert_body(ctx, file, value, BodyKind::Lifecycle, bound),
            Value::Seq(items) => Node {
                value: Value::Seq(
                    items
                        .iter()
                        .map(|i| convert_body(ctx, file, i, BodyKind::Lifecycle, bound))
                        .collect(),
                ),
                span: value.span,
                provenance: value.provenance.clone(),
            },
            _ => generic(ctx, file, value, bound),
        },
        _ => generic(ctx, file, value, bound),
    }
}

/// Parses a string that JSON syntax reads as a bare expression (`depends_on` items,
/// `provider`); reports it when it does not parse.
fn parse_expr(
    ctx: &mut Ctx<'_, '_>,
    file: &SourceFile,
    s: &str,
    span: Span,
) -> Option<hcl_edit::expr::Expression> {
    match hcl_edit::parser::parse_expr(s) {
        Ok(expr) => Some(expr),
        Err(e) => {
            ctx.diagnostics.push(
                Diagnostic::error(
                    "terraform::template",
                    file.path.clone(),
                    format!("`{s}` is not a Terraform expression: {}", e.message()),
                )
                .at(span),
            );
            None
        }
    }
}

/// An ordinary value: evaluated, and searched for references.
fn generic(ctx: &mut Ctx<'_, '_>, file: &SourceFile, value: &Node, bound: &[String]) -> Node {
    references(ctx, file, value, bound);
    ctx.ev.set_iterators(bound);
    ctx.ev.eval_json(value, file)
}

/// Collects the references in the templates of a JSON value.
fn references(ctx: &mut Ctx<'_, '_>, file: &SourceFile, node: &Node, bound: &[String]) {
    let mut c = Collector::with_bound(bound);
    let mut errors = Vec::new();
    node.walk(&mut |n| {
        let Value::String(s) = &n.value else { return };
        if !is_template(s) {
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
    });
    ctx.references(c.found);
    ctx.diagnostics.append(&mut errors);
}
