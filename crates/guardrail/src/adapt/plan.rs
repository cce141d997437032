//! Terraform plan JSON (`terraform show -json plan.out`), recognised by its content: the
//! resources Terraform plans, with their real addresses and planned values.
//!
//! Resources come from `planned_values`: the root module's and every child module's
//! (`module.net`, `module.site["a"]`), each with its address (`module.net.aws_vpc.this[0]`),
//! type and planned `values`, whose nested blocks are lists of objects as in `.tf` files, so
//! every Terraform rule applies unchanged. A value Terraform knows only after apply (its
//! `resource_changes[].change.after_unknown`) is unknown and says so; `null` is not set.
//! References come from the plan's `configuration` (each expression's `references`), so graph
//! predicates (a versioning resource for this bucket) work as for `.tf` files; they resolve
//! within one module instance. Each resource is placed at its object in the plan file, or,
//! when the plan sits in the root module's directory and that directory's `.tf` files are
//! scanned too, at its configuration block ([`place_at_configuration`]).
//!
//! Registry modules are in the plan already: no `terraform init` is needed in the scanner.

use std::collections::HashMap;

use crate::adapt::Adapted;
use crate::graph::{EdgeKind, Framework, Link, NodeKind, Resource, Target};
use crate::source::{SourceFile, Span};
use crate::value::{Dependency, DependsOn, Entry, Map, Node, Provenance, Unknown, Value};

/// The plan frontend: a JSON document with `format_version`, `terraform_version` and
/// `planned_values`.
pub struct TerraformPlan;

impl super::Frontend for TerraformPlan {
    fn framework(&self) -> Framework {
        Framework::Terraform
    }

    fn recognises(&self, documents: &[Node]) -> bool {
        matches!(documents, [doc] if is_plan(doc))
    }

    fn looks_like(&self, text: &str) -> bool {
        text.contains("\"planned_values\"") && text.contains("\"terraform_version\"")
    }

    fn adapt_file(&self, input: super::Input<'_>) -> Adapted {
        match input.parsed.documents().unwrap_or_default() {
            [plan] if is_plan(plan) => adapt(input.file, plan),
            _ => Adapted::default(),
        }
    }
}

/// Whether a document is a plan in Terraform's JSON output format.
fn is_plan(doc: &Node) -> bool {
    doc.get("format_version").is_some()
        && doc.get("terraform_version").is_some()
        && doc.get("planned_values").and_then(Node::as_map).is_some()
}

/// Deepest module nesting followed in a plan.
const MAX_DEPTH: usize = 64;

/// Adapts one plan.
pub fn adapt(file: &SourceFile, plan: &Node) -> Adapted {
    let unknown_after: HashMap<&str, &Node> = plan
        .get("resource_changes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            let address = c.get("address")?.as_str()?;
            Some((address, c.at(&["change", "after_unknown"])?))
        })
        .collect();
    let mut references = HashMap::new();
    if let Some(root) = plan.at(&["configuration", "root_module"]) {
        configured_references(root, "", &mut references, 0);
    }
    let mut out = Adapted::default();
    if let Some(root) = plan.at(&["planned_values", "root_module"]) {
        let context = Context {
            file,
            unknown_after: &unknown_after,
            references: &references,
        };
        module(&context, root, "", &mut out, 0);
    }
    out
}

/// What every module of a plan is read with.
struct Context<'p> {
    file: &'p SourceFile,
    /// `after_unknown` by resource address.
    unknown_after: &'p HashMap<&'p str, &'p Node>,
    /// The declarations each configured resource refers to, by `(module path without
    /// instance keys, local name)`.
    references: &'p HashMap<(String, String), Vec<String>>,
}

/// The resources of one planned module (`address` is `""` for the root) and its children.
fn module(context: &Context<'_>, node: &Node, address: &str, out: &mut Adapted, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let scope = format!("plan:{}#{address}", context.file.display_path());
    let config_path = without_keys(address);
    for r in node
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let (Some(full), Some(type_name), Some(name)) = (
            r.get("address").and_then(Node::as_str),
            r.get("type").and_then(Node::as_str),
            r.get("name").and_then(Node::as_str),
        ) else {
            continue;
        };
        let data = r.get("mode").and_then(Node::as_str) == Some("data");
        let local_name = if data {
            format!("data.{type_name}.{name}")
        } else {
            format!("{type_name}.{name}")
        };
        let mut attributes = r
            .get("values")
            .cloned()
            .unwrap_or_else(|| Node::new(Value::Map(Map::new()), r.span));
        if let Some(after) = context.unknown_after.get(full) {
            known_after_apply(&mut attributes, after);
        }
        not_set_if_null(&mut attributes);
        let links = context
            .references
            .get(&(config_path.clone(), local_name.clone()))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|target| **target != local_name)
            .map(|target| Link {
                kind: EdgeKind::Reference,
                target: Target::Name {
                    scope: scope.clone(),
                    name: target.clone(),
                    display: target.clone(),
                },
                span: r.span,
            })
            .collect();
        let resource = Resource {
            address: full.to_owned(),
            type_keys: vec![if data {
                format!("data.{type_name}")
            } else {
                type_name.to_owned()
            }],
            views: Default::default(),
            type_name: type_name.to_owned(),
            kind: if data {
                NodeKind::Data
            } else {
                NodeKind::Resource
            },
            framework: Framework::Terraform,
            span: r.span,
            name_span: r.get("address").map_or(r.span, |a| a.span),
            attributes,
            scope: scope.clone(),
            local_name,
            labels: None,
            suppressions: Vec::new(),
        };
        out.resources.push((resource, links));
    }
    for child in node
        .get("child_modules")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let child_address = child.get("address").and_then(Node::as_str).unwrap_or("");
        module(context, child, child_address, out, depth + 1);
    }
}

/// A module address without instance keys (`module.site["a"].module.b` →
/// `module.site.module.b`): how the configuration names the module.
fn without_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Collects, for every configured resource of a module and its calls, the declarations its
/// expressions refer to (`aws_s3_bucket.b.id` → `aws_s3_bucket.b`).
fn configured_references(
    module: &Node,
    path: &str,
    out: &mut HashMap<(String, String), Vec<String>>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for r in module
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(address) = r.get("address").and_then(Node::as_str) else {
            continue;
        };
        let mut found: Vec<String> = Vec::new();
        if let Some(expressions) = r.get("expressions") {
            expressions.walk(&mut |n| {
                let Value::Map(map) = &n.value else { return };
                let Some(list) = map.get("references").and_then(Node::as_seq) else {
                    return;
                };
                for reference in list.iter().filter_map(Node::as_str) {
                    if let Some(name) = declaration(reference) {
                        if !found.contains(&name) {
                            found.push(name);
                        }
                    }
                }
            });
        }
        out.insert((path.to_owned(), address.to_owned()), found);
    }
    for call in module
        .get("module_calls")
        .and_then(Node::as_map)
        .into_iter()
        .flatten()
    {
        if let Some(child) = call.value.get("module") {
            let child_path = if path.is_empty() {
                format!("module.{}", call.key)
            } else {
                format!("{path}.module.{}", call.key)
            };
            configured_references(child, &child_path, out, depth + 1);
        }
    }
}

/// The resource or data source a reference names (`aws_s3_bucket.b.id` and
/// `aws_s3_bucket.b` → `aws_s3_bucket.b`; `data.T.N.json` → `data.T.N`); `None` for
/// variables, locals, module outputs and Terraform's own values.
fn declaration(reference: &str) -> Option<String> {
    let parts: Vec<&str> = reference.split('.').collect();
    let strip = |s: &str| s.split('[').next().unwrap_or(s).to_owned();
    match parts.as_slice() {
        [
            "var" | "local" | "module" | "count" | "each" | "path" | "terraform" | "self",
            ..,
        ] => None,
        ["data", t, n, ..] => Some(format!("data.{t}.{}", strip(n))),
        [t, n, ..] => Some(format!("{t}.{}", strip(n))),
        _ => None,
    }
}

/// Marks every attribute of `values` that `after_unknown` marks `true` unknown until apply,
/// in place (no copy per level, so deep plans stay linear).
fn known_after_apply(values: &mut Node, after: &Node) {
    match (&mut values.value, &after.value) {
        (_, Value::Bool(true)) => {
            values.value = Value::Unknown(Unknown::new(
                "(known after apply)",
                vec![Dependency {
                    on: DependsOn::Context {
                        name: "known after apply".into(),
                    },
                    span: values.span,
                }],
            ));
            values.provenance = Provenance::Explicit;
        }
        (Value::Map(map), Value::Map(marks)) => {
            for mark in marks {
                match map.get_mut(&mark.key) {
                    Some(value) => known_after_apply(value, &mark.value),
                    // An attribute not in `values` yet that will be known after apply.
                    None if mark.value.value == Value::Bool(true) => {
                        let mut placeholder = Node::new(Value::Null, mark.key_span);
                        known_after_apply(&mut placeholder, &mark.value);
                        map.push_unchecked(Entry {
                            key: mark.key.clone(),
                            key_span: mark.key_span,
                            value: placeholder,
                        });
                    }
                    None => {}
                }
            }
        }
        (Value::Seq(items), Value::Seq(marks)) => {
            for (item, mark) in items.iter_mut().zip(marks) {
                known_after_apply(item, mark);
            }
        }
        _ => {}
    }
}

/// `null` is not set (the provider's default applies), at any depth of a plan's values.
fn not_set_if_null(node: &mut Node) {
    node.null_as_unset();
    match &mut node.value {
        Value::Map(map) => map.values_mut().for_each(not_set_if_null),
        Value::Seq(items) => items.iter_mut().for_each(not_set_if_null),
        _ => {}
    }
}

/// Places each plan resource whose configuration block is in the scan at that block: a plan
/// in the directory of the root module it was made from (`terraform show -json` run where
/// `terraform plan` was) whose `.tf` files are scanned too. The resource keeps its planned
/// values; its positions become the block's (each value at the attribute that sets it, values
/// the configuration does not write at the nearest enclosing block), with the provenance the
/// configuration gives them, so a finding points at the line to change and names where a
/// variable's value came from. The `.tf` resource it replaces is dropped: the plan is what
/// will be applied, and one resource judged twice would report everything twice. A resource
/// the configuration makes with an unknown `count` or `for_each` (addressed without a key)
/// is replaced by every planned instance of it.
pub fn place_at_configuration(
    resources: &mut Vec<(Resource, Vec<Link>)>,
    files: &crate::source::SourceFiles,
) {
    let mut configured: HashMap<(String, &str), usize> = HashMap::new();
    for (i, (r, _)) in resources.iter().enumerate() {
        let Some(scope) = r.scope.strip_prefix("tf:") else {
            continue;
        };
        if matches!(r.kind, NodeKind::Resource | NodeKind::Data) {
            let root = scope.split_once('#').map_or(scope, |(root, _)| root);
            configured.insert((root.to_owned(), r.address.as_str()), i);
        }
    }
    if configured.is_empty() {
        return;
    }
    let mut placements: Vec<(usize, usize)> = Vec::new();
    for (i, (r, _)) in resources.iter().enumerate() {
        if !r.scope.starts_with("plan:") {
            continue;
        }
        let Some(file) = files.get(r.span.file) else {
            continue;
        };
        let dir = file.path.parent().map_or_else(
            || ".".to_owned(),
            |p| super::terraform::normalize_dir(&crate::source::display_path(p)),
        );
        let unkeyed = without_last_key(&r.address);
        let found = configured
            .get(&(dir.clone(), r.address.as_str()))
            .or_else(|| configured.get(&(dir, unkeyed)));
        if let Some(&j) = found {
            placements.push((i, j));
        }
    }
    let mut replaced = std::collections::HashSet::new();
    for (i, j) in placements {
        // Only the block's positions and attribute tree are needed (one block may place
        // several planned instances, so it is read, not taken).
        let Some((span, name_span, configured)) = resources
            .get(j)
            .map(|(r, _)| (r.span, r.name_span, r.attributes.clone()))
        else {
            continue;
        };
        if let Some((plan, _)) = resources.get_mut(i) {
            plan.attributes = overlay(&plan.attributes, Some(&configured), span);
            plan.span = span;
            plan.name_span = name_span;
            replaced.insert(j);
        }
    }
    let mut index = 0;
    resources.retain(|_| {
        let keep = !replaced.contains(&index);
        index += 1;
        keep
    });
}

/// `address` without the instance key of its last part (`aws_s3_bucket.b[0]` →
/// `aws_s3_bucket.b`); itself when it has none.
fn without_last_key(address: &str) -> &str {
    match address.strip_suffix(']') {
        Some(_) => address.rfind('[').map_or(address, |i| &address[..i]),
        None => address,
    }
}

/// `planned` with the positions and provenance of `configured`, the same value as written in
/// the configuration, where it has a node at the same place; else at `fallback`, the nearest
/// enclosing configured node.
fn overlay(planned: &Node, configured: Option<&Node>, fallback: Span) -> Node {
    let (span, provenance) = match configured {
        Some(c) => (c.span, c.provenance.clone()),
        None => (fallback, planned.provenance.clone()),
    };
    let value = match &planned.value {
        Value::Map(map) => {
            let inner = configured.and_then(Node::as_map);
            let mut out = Map::new();
            for entry in map {
                let written = inner.and_then(|m| m.entry(&entry.key));
                out.push_unchecked(Entry {
                    key: entry.key.clone(),
                    key_span: written.map_or(span, |w| w.key_span),
                    value: overlay(&entry.value, written.map(|w| &w.value), span),
                });
            }
            Value::Map(out)
        }
        Value::Seq(items) => {
            let inner = configured.and_then(Node::as_seq);
            Value::Seq(
                items
                    .iter()
                    .enumerate()
                    .map(|(k, item)| overlay(item, inner.and_then(|s| s.get(k)), span))
                    .collect(),
            )
        }
        // Known after apply: it waits where it is now placed, not at a line of the plan.
        Value::Unknown(unknown) => {
            let mut unknown = unknown.clone();
            for dependency in &mut unknown.depends_on {
                dependency.span = span;
            }
            Value::Unknown(unknown)
        }
        other => other.clone(),
    };
    Node {
        value,
        span,
        provenance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_addresses_lose_their_keys_and_references_name_declarations() {
        assert_eq!(
            without_keys(r#"module.site["a]b"].module.b[0]"#),
            "module.site.module.b"
        );
        assert_eq!(
            declaration("aws_s3_bucket.b.id").as_deref(),
            Some("aws_s3_bucket.b")
        );
        assert_eq!(
            declaration("data.aws_iam_policy_document.p.json").as_deref(),
            Some("data.aws_iam_policy_document.p")
        );
        assert_eq!(
            declaration("aws_subnet.a[0]").as_deref(),
            Some("aws_subnet.a")
        );
        assert_eq!(declaration("var.name"), None);
        assert_eq!(declaration("module.net.vpc_id"), None);
    }
}
