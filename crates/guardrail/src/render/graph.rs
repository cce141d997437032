//! Views of a [`GraphScan`]: what guardrail understood of the input.
//!
//! The JSON view is a stable, versioned contract, documented in `docs/graph-json.md`. DOT
//! and Mermaid are for looking at: they show resources and edges, not attributes.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::scan::GraphScan;
use crate::source::{SourceFiles, Span, display_path};
use crate::value::{Dependency, DependsOn, Node, Piece, Provenance, Value};

/// Version of the graph JSON layout; it changes only when existing fields change meaning.
pub const GRAPH_JSON_VERSION: u32 = 2;

/// What the JSON view includes.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOptions {
    /// Include each resource's attribute tree, with the position and provenance of every
    /// value. Large; off by default.
    pub attributes: bool,
}

/// The graph as JSON (see `docs/graph-json.md`).
pub fn json(scan: &GraphScan, options: &JsonOptions) -> Json {
    let files = &scan.files;
    let resources: Vec<Json> = scan
        .graph
        .iter()
        .map(|(id, r)| {
            let start = files.start_of(r.span);
            let end = files.end_of(r.span);
            let mut obj = json!({
                "id": id.0,
                "address": r.address,
                "type": r.type_name,
                "kind": r.kind,
                "framework": r.framework,
                "file": file_path(files, r.span),
                "line": start.line,
                "column": start.column,
                "end_line": end.line,
                "end_column": end.column,
            });
            if let (Some(labels), Some(map)) = (&r.labels, obj.as_object_mut()) {
                let labels: serde_json::Map<String, Json> = labels
                    .iter()
                    .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                    .collect();
                map.insert("pod_labels".into(), Json::Object(labels));
            }
            if let (true, Some(map)) = (options.attributes, obj.as_object_mut()) {
                map.insert("attributes".into(), attribute_json(files, &r.attributes));
            }
            obj
        })
        .collect();
    let edges: Vec<Json> = scan
        .graph
        .edges()
        .iter()
        .map(|e| {
            let at = files.start_of(e.span);
            let from = scan.graph.resource(e.from);
            let to = e.to.and_then(|id| scan.graph.resource(id));
            json!({
                "kind": e.kind,
                "from": e.from.0,
                "from_address": from.map(|r| r.address.as_str()),
                "to": e.to.map(|id| id.0),
                "to_address": to.map(|r| r.address.as_str()),
                "dangling": e.to.is_none().then_some(e.dangling.as_str()),
                "file": file_path(files, e.span),
                "line": at.line,
                "column": at.column,
            })
        })
        .collect();
    let diagnostics: Vec<Json> = scan
        .diagnostics
        .iter()
        .map(|d| super::json::diagnostic(d, files))
        .collect();
    let file_list: Vec<Json> = scan
        .frameworks
        .iter()
        .filter_map(|(id, framework)| {
            files
                .get(*id)
                .map(|f| json!({ "path": f.display_path(), "framework": framework }))
        })
        .collect();
    let skipped: Vec<Json> = scan
        .skipped
        .iter()
        .map(|s| json!({ "path": display_path(&s.path), "reason": s.reason }))
        .collect();
    json!({
        "version": GRAPH_JSON_VERSION,
        "files": file_list,
        "resources": resources,
        "edges": edges,
        "diagnostics": diagnostics,
        "skipped": skipped,
    })
}

/// `file:line:column` of a span.
fn place(files: &SourceFiles, span: Span) -> String {
    format!("{}:{}", file_path(files, span), files.start_of(span))
}

/// What an unknown value waits for: `{"kind": "resource", "name": "aws_kms_key.k",
/// "attribute": "arn", "at": "15:12"}`.
fn dependency_json(files: &SourceFiles, dependency: &Dependency) -> Json {
    let (kind, name, attribute) = match &dependency.on {
        DependsOn::Input { name } => ("input", Some(name), None),
        DependsOn::Resource { name, attribute } => ("resource", Some(name), attribute.as_ref()),
        DependsOn::DataSource { name, attribute } => ("data", Some(name), attribute.as_ref()),
        DependsOn::Module { name, output } => ("module", Some(name), output.as_ref()),
        DependsOn::Context { name } => ("context", Some(name), None),
        DependsOn::Function { name } => ("function", Some(name), None),
        _ => ("expression", None, None),
    };
    let mut obj = serde_json::Map::new();
    obj.insert("kind".into(), Json::String(kind.into()));
    if let Some(name) = name {
        obj.insert("name".into(), Json::String(name.clone()));
    }
    if let Some(attribute) = attribute {
        obj.insert("attribute".into(), Json::String(attribute.clone()));
    }
    obj.insert(
        "at".into(),
        Json::String(files.start_of(dependency.span).to_string()),
    );
    Json::Object(obj)
}

fn file_path(files: &SourceFiles, span: Span) -> String {
    files
        .get(span.file)
        .map(|f| f.display_path())
        .unwrap_or_default()
}

/// A node as `{"at": "line:col", "value": …}`; unknown values as `{"unknown": "<expr>"}`,
/// values resolved from a variable or local with `"from": "line:col"` of the definition.
fn attribute_json(files: &SourceFiles, node: &Node) -> Json {
    let value = match &node.value {
        Value::Seq(items) => Json::Array(items.iter().map(|n| attribute_json(files, n)).collect()),
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|e| (e.key.clone(), attribute_json(files, &e.value)))
                .collect(),
        ),
        Value::OneOf(alternatives) => json!({
            "one_of": alternatives.iter().map(|n| attribute_json(files, n)).collect::<Vec<_>>()
        }),
        Value::Unknown(u) => {
            let mut unknown = serde_json::Map::new();
            unknown.insert("unknown".into(), Json::String(u.expression.clone()));
            let depends_on: Vec<Json> = u
                .depends_on
                .iter()
                .map(|d| dependency_json(files, d))
                .collect();
            unknown.insert("depends_on".into(), Json::Array(depends_on));
            if !u.pieces.is_empty() {
                let pieces = u.pieces.iter().map(|p| match p {
                    Piece::Text(text) => Json::String(text.clone()),
                    Piece::Value(node) => attribute_json(files, node),
                });
                unknown.insert("pieces".into(), Json::Array(pieces.collect()));
            }
            Json::Object(unknown)
        }
        _ => node.to_json(),
    };
    let mut obj = serde_json::Map::new();
    obj.insert(
        "at".into(),
        Json::String(files.start_of(node.span).to_string()),
    );
    match &node.provenance {
        Provenance::Explicit => {}
        Provenance::Default => {
            obj.insert("provenance".into(), Json::String("default".into()));
        }
        Provenance::Environment(name) => {
            obj.insert("from".into(), Json::String(name.clone()));
        }
        Provenance::Resolved(resolution) => {
            obj.insert(
                "from".into(),
                Json::String(place(files, resolution.definition)),
            );
            if !resolution.via.is_empty() {
                let via = resolution
                    .via
                    .iter()
                    .map(|s| Json::String(place(files, *s)));
                obj.insert("via".into(), Json::Array(via.collect()));
            }
        }
    }
    obj.insert("value".into(), value);
    Json::Object(obj)
}

/// The graph in Graphviz DOT. Dangling targets are dashed boxes.
pub fn dot(scan: &GraphScan) -> String {
    let mut out = String::from(
        "digraph guardrail {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for (id, r) in scan.graph.iter() {
        let _ = writeln!(
            out,
            "  n{} [label=\"{}\\n{}\"];",
            id.0,
            dot_escape(&r.address),
            dot_escape(&r.type_name)
        );
    }
    for (i, e) in scan.graph.edges().iter().enumerate() {
        match e.to {
            Some(to) => {
                let _ = writeln!(
                    out,
                    "  n{} -> n{} [label=\"{}\"];",
                    e.from.0,
                    to.0,
                    e.kind.name()
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  d{i} [label=\"{}\\n(not in scan)\", style=dashed];\n  n{} -> d{i} [label=\"{}\", style=dashed];",
                    dot_escape(&e.dangling),
                    e.from.0,
                    e.kind.name()
                );
            }
        }
    }
    out.push_str("}\n");
    out
}

/// The graph as a Mermaid flowchart. Dangling targets are drawn with dotted arrows.
pub fn mermaid(scan: &GraphScan) -> String {
    let mut out = String::from("flowchart LR\n");
    for (id, r) in scan.graph.iter() {
        let _ = writeln!(
            out,
            "  n{}[\"{}<br/>{}\"]",
            id.0,
            mermaid_escape(&r.address),
            mermaid_escape(&r.type_name)
        );
    }
    for (i, e) in scan.graph.edges().iter().enumerate() {
        match e.to {
            Some(to) => {
                let _ = writeln!(out, "  n{} -->|{}| n{}", e.from.0, e.kind.name(), to.0);
            }
            None => {
                let _ = writeln!(
                    out,
                    "  d{i}[\"{} (not in scan)\"]\n  n{} -.->|{}| d{i}",
                    mermaid_escape(&e.dangling),
                    e.from.0,
                    e.kind.name()
                );
            }
        }
    }
    out
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}
