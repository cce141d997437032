//! The CloudFormation adapter through the whole pipeline: graph snapshots of every fixture
//! under `fixtures/cloudformation/`, and the YAML short forms against the JSON long forms.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use guardrail::render::graph::{JsonOptions, json};
use guardrail::scan::{GraphScan, ScanOptions, build_graph};
use serde_json::Value as Json;

const FIXTURES: &str = "../../fixtures/cloudformation";

fn scan(name: &str) -> GraphScan {
    build_graph(
        &[PathBuf::from(format!("{FIXTURES}/{name}"))],
        &ScanOptions::default(),
    )
}

fn graph_json(name: &str, attributes: bool) -> Json {
    json(&scan(name), &JsonOptions { attributes })
}

#[test]
fn intrinsics_yaml() {
    insta::assert_json_snapshot!(graph_json("intrinsics.yaml", false));
}

#[test]
fn intrinsics_json() {
    insta::assert_json_snapshot!(graph_json("intrinsics.json", false));
}

#[test]
fn sam() {
    insta::assert_json_snapshot!(graph_json("sam.yaml", true));
}

#[test]
fn include() {
    insta::assert_json_snapshot!(graph_json("include.yaml", false));
}

#[test]
fn dangling() {
    insta::assert_json_snapshot!(graph_json("dangling.yaml", false));
}

#[test]
fn malformed_bad_resources() {
    insta::assert_json_snapshot!(graph_json("malformed/bad-resources.yaml", false));
}

#[test]
fn malformed_resources_not_a_map() {
    insta::assert_json_snapshot!(graph_json("malformed/resources-not-a-map.yaml", false));
}

#[test]
fn malformed_no_resources() {
    insta::assert_json_snapshot!(graph_json("malformed/no-resources.yaml", false));
}

/// What a graph says without positions or file names: nodes with their attribute values,
/// edges by address.
fn without_spans(scan: &GraphScan) -> (Vec<Json>, Vec<Json>) {
    let graph = &scan.graph;
    let local = |address: &str| {
        address
            .split_once('#')
            .map_or(address, |(_, id)| id)
            .to_owned()
    };
    let nodes = graph
        .resources()
        .iter()
        .map(|r| {
            serde_json::json!({
                "address": local(&r.address),
                "type": r.type_name,
                "kind": r.kind,
                "attributes": r.attributes.to_json(),
            })
        })
        .collect();
    let mut edges: Vec<Json> = graph
        .edges()
        .iter()
        .map(|e| {
            let address = |id| graph.resource(id).map(|r| local(&r.address));
            serde_json::json!({
                "kind": e.kind,
                "from": address(e.from),
                "to": e.to.and_then(address),
                "dangling": e.dangling,
            })
        })
        .collect();
    // Edges are sorted by position, which differs between the two layouts.
    edges.sort_by_key(|e| e.to_string());
    (nodes, edges)
}

#[test]
fn short_forms_equal_long_forms() {
    let yaml = scan("intrinsics.yaml");
    let json = scan("intrinsics.json");
    let (yaml_nodes, yaml_edges) = without_spans(&yaml);
    let (json_nodes, json_edges) = without_spans(&json);
    assert_eq!(yaml_nodes.len(), 17);
    assert_eq!(yaml_nodes, json_nodes);
    assert_eq!(yaml_edges.len(), 30);
    assert_eq!(yaml_edges, json_edges);
    let codes = |s: &GraphScan| s.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>();
    // The `Fn::Transform` in Topic's properties, in both.
    assert_eq!(codes(&yaml), vec!["cloudformation::transform"]);
    assert_eq!(codes(&json), codes(&yaml));
}

/// SAM `Globals` merged into the resources of each section's type, at their place in
/// `Globals`; references written there are links of each inheriting resource. Found on
/// aws-samples SAM applications, whose functions take their runtime, tracing, layers and
/// environment from `Globals`.
#[test]
fn sam_globals() {
    let scan = scan("sam-globals.yaml");
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    insta::assert_json_snapshot!(json(&scan, &JsonOptions { attributes: true }));
}
