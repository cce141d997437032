//! The Kubernetes adapter through the whole pipeline: a graph snapshot of every fixture under
//! `fixtures/kubernetes/`, and the selects edges checked against the pods' labels.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use guardrail::graph::EdgeKind;
use guardrail::render::graph::{JsonOptions, json};
use guardrail::scan::{GraphScan, ScanOptions, build_graph};
use serde_json::Value as Json;

const FIXTURES: &str = "../../fixtures/kubernetes";

fn scan(name: &str) -> GraphScan {
    build_graph(
        &[PathBuf::from(format!("{FIXTURES}/{name}"))],
        &ScanOptions::default(),
    )
}

fn graph_json(name: &str, attributes: bool) -> Json {
    json(&scan(name), &JsonOptions { attributes })
}

/// `from -> to` for every selects edge, sorted.
fn selects(scan: &GraphScan) -> Vec<String> {
    let graph = &scan.graph;
    let address = |id| graph.resource(id).map_or("?", |r| r.address.as_str());
    let mut edges: Vec<String> = graph
        .edges()
        .iter()
        .filter(|e| e.kind == EdgeKind::Selects)
        .map(|e| match e.to {
            Some(to) => format!("{} -> {}", address(e.from), address(to)),
            None => format!("{} -> dangling {}", address(e.from), e.dangling),
        })
        .collect();
    edges.sort();
    edges
}

#[test]
fn workloads() {
    insta::assert_json_snapshot!(graph_json("workloads.yaml", false));
}

#[test]
fn network_policies() {
    insta::assert_json_snapshot!(graph_json("network-policies.yaml", false));
}

#[test]
fn rbac() {
    insta::assert_json_snapshot!(graph_json("rbac.yaml", false));
}

#[test]
fn lists() {
    insta::assert_json_snapshot!(graph_json("lists.yaml", true));
}

#[test]
fn ingress_hpa() {
    insta::assert_json_snapshot!(graph_json("ingress-hpa.yaml", false));
}

#[test]
fn dangling() {
    insta::assert_json_snapshot!(graph_json("dangling.yaml", false));
}

#[test]
fn malformed() {
    insta::assert_json_snapshot!(graph_json("malformed.yaml", false));
}

#[test]
fn cross_file() {
    insta::assert_json_snapshot!(graph_json("cross-file", false));
}

/// Services select by their pods' labels, never by the workload's own `metadata.labels`,
/// and only in their namespace.
#[test]
fn services_select_workloads_by_pod_labels() {
    assert_eq!(
        selects(&scan("workloads.yaml")),
        [
            "Service/shop/backend -> CronJob/shop/nightly-report",
            "Service/shop/backend -> StatefulSet/shop/db",
            "Service/shop/web -> Deployment/shop/web",
        ]
    );
}

#[test]
fn label_selectors_select_what_kubernetes_would() {
    let np = |name: &str, targets: &[&str]| -> Vec<String> {
        targets
            .iter()
            .map(|t| format!("NetworkPolicy/payments/{name} -> {t}"))
            .collect()
    };
    let pdb = |name: &str, targets: &[&str]| -> Vec<String> {
        targets
            .iter()
            .map(|t| format!("PodDisruptionBudget/payments/{name} -> {t}"))
            .collect()
    };
    let (prod, canary, ledger) = (
        "Pod/payments/api-prod",
        "Deployment/payments/api-canary",
        "Deployment/payments/ledger",
    );
    let mut expected = [
        np("default-deny", &[prod, canary, ledger]),
        np("api-only", &[prod, canary]),
        np("prod-or-staging", &[prod, canary]),
        np("not-prod", &[canary, ledger]),
        np("has-track", &[canary]),
        np("untracked-api", &[prod]),
        pdb("ledger", &[ledger]),
        pdb("everything", &[prod, canary, ledger]),
    ]
    .concat();
    expected.sort();
    assert_eq!(selects(&scan("network-policies.yaml")), expected);
}

#[test]
fn every_workload_kind_has_a_pod_spec() {
    let scan = scan("workloads.yaml");
    let mut kinds: Vec<&str> = scan
        .graph
        .resources()
        .iter()
        .filter(|r| {
            r.views
                .pod_spec
                .as_deref()
                .and_then(|steps| r.attributes.at_steps(steps))
                .is_some_and(|spec| spec.get("containers").is_some())
        })
        .map(|r| {
            r.type_name
                .rsplit_once('/')
                .map_or(r.type_name.as_str(), |(_, kind)| kind)
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "CronJob",
            "DaemonSet",
            "Deployment",
            "Job",
            "Pod",
            "ReplicaSet",
            "ReplicationController",
            "StatefulSet"
        ]
    );
}
