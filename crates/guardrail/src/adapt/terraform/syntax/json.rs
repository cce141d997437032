//! JSON syntax (`.tf.json`) into the one form. Terraform's JSON syntax has no way to tell a
//! nested block from an object attribute without the provider's schema: the label levels of
//! top-level blocks, `dynamic` blocks and their `content`, and the `terraform` block's
//! `backend` and `cloud` become blocks; every other key is an attribute, its value written as
//! the JSON says. Every level that holds blocks may also be an array of objects; `"//"` keys
//! are comments.

use super::{Attribute, Block, Body, Expr, File, Item, NamePart, Source, Value, top_kind};
use crate::adapt::terraform::refs::{bare_reference, provider_reference};
use crate::adapt::terraform::{BodyKind, SKIPPED_BLOCKS, label_rule};
use crate::diagnostic::Diagnostic;
use crate::graph::EdgeKind;
use crate::source::{SourceFile, Span};
use crate::value::{Entry, Node, Value as Data};

/// Lowers a `.tf.json` file: one object of top-level block types.
pub(super) fn file<'a>(
    file: &'a SourceFile,
    root: &'a Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> File<'a> {
    let mut blocks = Vec::new();
    let Some(map) = root.as_map() else {
        diagnostics.push(structure_error(
            file,
            root.span,
            "a Terraform JSON file must hold one object",
        ));
        return File {
            file,
            items: Vec::new(),
        };
    };
    let mut cx = Cx { file, diagnostics };
    for top in map {
        let ident = top.key.as_str();
        if ident == "//" || SKIPPED_BLOCKS.contains(&ident) {
            continue;
        }
        let Some((labels, _)) = label_rule(ident) else {
            // Reported as an unknown block type where declarations are read.
            blocks.push(Block {
                ident,
                ident_span: top.key_span,
                labels: Vec::new(),
                span: top.key_span,
                body: cx.body_of(Vec::new()),
            });
            continue;
        };
        match ident {
            "locals" => {
                let items = cx
                    .labelled(&top.value)
                    .into_iter()
                    .map(|local| {
                        Item::Attribute(Attribute {
                            key: &local.key,
                            key_span: local.key_span,
                            span: local.key_span.cover(local.value.span),
                            value: Value::Expr(Expr::Json(file, &local.value)),
                        })
                    })
                    .collect();
                let body = cx.body_of(items);
                blocks.push(Block {
                    ident,
                    ident_span: top.key_span,
                    labels: Vec::new(),
                    span: top.key_span.cover(top.value.span),
                    body,
                });
            }
            "terraform" => {
                for settings in cx.objects(&top.value) {
                    let body = cx.settings(settings);
                    blocks.push(Block {
                        ident,
                        ident_span: top.key_span,
                        labels: Vec::new(),
                        span: top.key_span.cover(settings.span),
                        body,
                    });
                }
            }
            _ => {
                let opening = Opening {
                    ident,
                    ident_span: top.key_span,
                    kind: top_kind(ident),
                };
                cx.labelled_blocks(opening, &top.value, labels, &mut Vec::new(), &mut blocks);
            }
        }
    }
    File {
        file,
        items: blocks.into_iter().map(Item::Block).collect(),
    }
}

/// Lowers a `.tfvars.json` file: one object of literal variable values.
pub(super) fn var_file<'a>(
    file: &'a SourceFile,
    root: &'a Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> File<'a> {
    let Some(map) = root.as_map() else {
        diagnostics.push(
            Diagnostic::error(
                "terraform::var-file",
                file.path.clone(),
                format!(
                    "a JSON var file must hold one object of variable values; this is a {}",
                    root.value.kind_name()
                ),
            )
            .at(root.span),
        );
        return File {
            file,
            items: Vec::new(),
        };
    };
    let items = map
        .iter()
        .filter(|e| e.key != "//")
        .map(|entry| {
            Item::Attribute(Attribute {
                key: &entry.key,
                key_span: entry.key_span,
                span: entry.key_span.cover(entry.value.span),
                value: Value::Expr(Expr::Literal(&entry.value)),
            })
        })
        .collect();
    File { file, items }
}

/// The type of the blocks a label level opens: its name, where it is written, and the kind of
/// their bodies.
#[derive(Clone, Copy)]
struct Opening<'a> {
    ident: &'a str,
    ident_span: Span,
    kind: BodyKind,
}

/// What lowering one file needs.
struct Cx<'a, 'd> {
    file: &'a SourceFile,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl<'a> Cx<'a, '_> {
    fn body_of(&self, items: Vec<Item<'a>>) -> Body<'a> {
        Body {
            file: self.file,
            json: true,
            items,
        }
    }

    /// The blocks of type `opening` under `node`, `depth` label levels deep:
    /// `{T: {N: {…}}}`. Each block spans its last label and its body.
    fn labelled_blocks(
        &mut self,
        opening: Opening<'a>,
        node: &'a Node,
        depth: usize,
        labels: &mut Vec<(String, Span)>,
        out: &mut Vec<Block<'a>>,
    ) {
        if depth == 0 {
            let last = labels.last().map_or(opening.ident_span, |(_, s)| *s);
            for body in self.objects(node) {
                let lowered = self.body(body, opening.kind);
                out.push(Block {
                    ident: opening.ident,
                    ident_span: opening.ident_span,
                    labels: labels.clone(),
                    span: last.cover(body.span),
                    body: lowered,
                });
            }
            return;
        }
        for entry in self.labelled(node) {
            labels.push((entry.key.clone(), entry.key_span));
            self.labelled_blocks(opening, &entry.value, depth - 1, labels, out);
            labels.pop();
        }
    }

    /// A `terraform` block's settings: its `backend` and `cloud` blocks (the rest is not
    /// kept).
    fn settings(&mut self, settings: &'a Node) -> Body<'a> {
        let mut blocks = Vec::new();
        if let Some(map) = settings.as_map() {
            if let Some(backend) = map.entry("backend") {
                let opening = Opening {
                    ident: "backend",
                    ident_span: backend.key_span,
                    kind: BodyKind::Other,
                };
                self.labelled_blocks(opening, &backend.value, 1, &mut Vec::new(), &mut blocks);
            }
            if let Some(cloud) = map.entry("cloud") {
                for body in self.objects(&cloud.value) {
                    let lowered = self.body(body, BodyKind::Other);
                    blocks.push(Block {
                        ident: "cloud",
                        ident_span: cloud.key_span,
                        labels: Vec::new(),
                        span: cloud.key_span.cover(body.span),
                        body: lowered,
                    });
                }
            }
        }
        self.body_of(blocks.into_iter().map(Item::Block).collect())
    }

    /// A block body object of `kind`.
    fn body(&mut self, body: &'a Node, kind: BodyKind) -> Body<'a> {
        let mut items = Vec::new();
        for entry in body.as_map().into_iter().flatten() {
            let key = entry.key.as_str();
            if key == "//" {
                continue;
            }
            if key == "dynamic" && kind != BodyKind::Variable {
                for d in self.labelled(&entry.value) {
                    for body in self.objects(&d.value) {
                        let lowered = self.dynamic(body);
                        items.push(Item::Block(Block {
                            ident: "dynamic",
                            ident_span: d.key_span,
                            labels: vec![(d.key.clone(), d.key_span)],
                            span: body.span,
                            body: lowered,
                        }));
                    }
                }
                continue;
            }
            let value = self.attribute(key, &entry.value, kind);
            items.push(Item::Attribute(Attribute {
                key,
                key_span: entry.key_span,
                span: entry.key_span.cover(entry.value.span),
                value,
            }));
        }
        self.body_of(items)
    }

    /// A `dynamic` block's body: `content` objects are blocks, the rest attributes.
    fn dynamic(&mut self, body: &'a Node) -> Body<'a> {
        let mut items = Vec::new();
        for entry in body.as_map().into_iter().flatten() {
            match entry.key.as_str() {
                "//" => {}
                "content" => {
                    for content in self.objects(&entry.value) {
                        let lowered = self.body(content, BodyKind::Nested);
                        items.push(Item::Block(Block {
                            ident: "content",
                            ident_span: entry.key_span,
                            labels: Vec::new(),
                            span: content.span,
                            body: lowered,
                        }));
                    }
                }
                key => items.push(Item::Attribute(Attribute {
                    key,
                    key_span: entry.key_span,
                    span: entry.key_span.cover(entry.value.span),
                    value: Value::Expr(Expr::Json(self.file, &entry.value)),
                })),
            }
        }
        self.body_of(items)
    }

    /// One attribute's value, with the meta-arguments that name objects read as names.
    fn attribute(&mut self, key: &str, value: &'a Node, kind: BodyKind) -> Value<'a> {
        let file = self.file;
        match (kind, key, &value.value) {
            (k, "depends_on", Data::Seq(items)) if k.is_top() => {
                let mut parts = Vec::new();
                for item in items {
                    let parsed = item.as_str().map(|s| (s, self.parse_expr(s, item.span)));
                    let link = match parsed {
                        Some((s, Some(expr))) => bare_reference(&expr).map(|name| {
                            let src = Source::json_string(file, s, item.span);
                            (name, src.span(hcl_edit::Span::span(&expr)))
                        }),
                        _ => None,
                    };
                    parts.push(match link {
                        Some((name, span)) => NamePart::Link(EdgeKind::DependsOn, name, span),
                        None => NamePart::Expr(Expr::Json(file, item)),
                    });
                }
                Value::Names {
                    written: value.clone(),
                    parts,
                }
            }
            (BodyKind::Resource, "provider", Data::String(s)) => {
                let parts = self
                    .provider(s, value.span)
                    .map(|name| NamePart::Link(EdgeKind::Reference, name, value.span))
                    .into_iter()
                    .collect();
                Value::Names {
                    written: value.clone(),
                    parts,
                }
            }
            (BodyKind::Module, "providers", Data::Map(map)) => {
                let mut parts = Vec::new();
                for e in map {
                    if let Some(s) = e.value.as_str() {
                        if let Some(name) = self.provider(s, e.value.span) {
                            parts.push(NamePart::Link(EdgeKind::Reference, name, e.value.span));
                        }
                    }
                }
                Value::Names {
                    written: value.clone(),
                    parts,
                }
            }
            // Literal in JSON syntax: a type expression and a default that allows no
            // references.
            (BodyKind::Variable, "type" | "default", _) => Value::Expr(Expr::Literal(value)),
            (BodyKind::Lifecycle, "ignore_changes", _) => Value::Names {
                written: value.clone(),
                parts: Vec::new(),
            },
            (k, "lifecycle", Data::Map(_)) if k.is_top() => Value::Bodies {
                written: value,
                bodies: vec![Ok(self.body(value, BodyKind::Lifecycle))],
            },
            (k, "lifecycle", Data::Seq(items)) if k.is_top() => {
                let bodies = items
                    .iter()
                    .map(|item| match item.as_map() {
                        Some(_) => Ok(self.body(item, BodyKind::Lifecycle)),
                        None => {
                            self.diagnostics.push(structure_error(
                                file,
                                item.span,
                                "expected a block body object",
                            ));
                            Err(Expr::Json(file, item))
                        }
                    })
                    .collect();
                Value::Bodies {
                    written: value,
                    bodies,
                }
            }
            _ => Value::Expr(Expr::Json(file, value)),
        }
    }

    /// The provider configuration a string names (`"aws.west"`).
    fn provider(&mut self, s: &str, span: Span) -> Option<String> {
        self.parse_expr(s, span)
            .as_ref()
            .and_then(provider_reference)
    }

    /// Parses a string that JSON syntax reads as a bare expression (`depends_on` items,
    /// `provider`); reports it when it does not parse.
    fn parse_expr(&mut self, s: &str, span: Span) -> Option<hcl_edit::expr::Expression> {
        match hcl_edit::parser::parse_expr(s) {
            Ok(expr) => Some(expr),
            Err(e) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "terraform::template",
                        self.file.path.clone(),
                        format!("`{s}` is not a Terraform expression: {}", e.message()),
                    )
                    .at(span),
                );
                None
            }
        }
    }

    /// The objects of a value that must be an object or an array of objects.
    fn objects(&mut self, node: &'a Node) -> Vec<&'a Node> {
        match &node.value {
            Data::Map(_) => vec![node],
            Data::Seq(items) => items
                .iter()
                .filter(|item| {
                    let ok = item.as_map().is_some();
                    if !ok {
                        self.diagnostics.push(structure_error(
                            self.file,
                            item.span,
                            "expected an object",
                        ));
                    }
                    ok
                })
                .collect(),
            _ => {
                self.diagnostics.push(structure_error(
                    self.file,
                    node.span,
                    "expected an object or an array of objects",
                ));
                Vec::new()
            }
        }
    }

    /// The `label: value` pairs of a label level (`{T: …}` or `[{T: …}, …]`), comments left
    /// out.
    fn labelled(&mut self, node: &'a Node) -> Vec<&'a Entry> {
        self.objects(node)
            .into_iter()
            .filter_map(Node::as_map)
            .flat_map(|m| m.iter())
            .filter(|e| e.key != "//")
            .collect()
    }
}

/// A `.tf.json` structure that is not Terraform's.
fn structure_error(file: &SourceFile, span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error("terraform::json-structure", file.path.clone(), message).at(span)
}
