//! Regression cases of issue 16 ("never pass what it did not read"): every file guardrail
//! passes over is one it may pass over, and every file it cannot read is an error with a
//! line and column, so that the gate fails.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use guardrail::diagnostic::Severity;
use guardrail::scan::{GraphScan, ScanOptions, build_graph};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn scan(root: &Path) -> GraphScan {
    build_graph(&[root.to_path_buf()], &ScanOptions::default())
}

/// `code file:line:col` of every error.
fn errors(scan: &GraphScan) -> Vec<String> {
    scan.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let name = d.path.file_name().unwrap_or_default().to_string_lossy();
            match d.span {
                Some(span) => format!("{} {name}:{}", d.code, scan.files.start_of(span)),
                None => format!("{} {name}", d.code),
            }
        })
        .collect()
}

fn skipped(scan: &GraphScan, root: &Path) -> Vec<(PathBuf, String)> {
    scan.skipped
        .iter()
        .map(|s| {
            let path = s.path.strip_prefix(root).unwrap_or(&s.path).to_path_buf();
            (path, s.reason.clone())
        })
        .collect()
}

const SSM_TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUserPassword: '{{resolve:ssm-secure:/db/password}}'\n";

#[test]
fn a_template_under_templates_without_a_chart_is_read_despite_dynamic_references() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("templates/db.yaml"), SSM_TEMPLATE);
    let scan = scan(dir.path());
    assert_eq!(scan.graph.len(), 1, "{:?}", scan.skipped);
    assert!(skipped(&scan, dir.path()).is_empty());
}

#[test]
fn helm_templates_are_known_by_their_chart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = dir.path().join("chart");
    write(
        &chart.join("Chart.yaml"),
        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    );
    write(
        &chart.join("templates/sub/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    // Plain YAML in a chart's templates is a manifest like any other.
    write(
        &chart.join("templates/namespace.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: plain\n",
    );
    let scan = scan(dir.path());
    assert_eq!(scan.graph.len(), 1);
    let helm: Vec<PathBuf> = skipped(&scan, dir.path())
        .into_iter()
        .filter(|(_, reason)| reason.contains("Helm"))
        .map(|(path, _)| path)
        .collect();
    assert_eq!(helm, [PathBuf::from("chart/templates/sub/deployment.yaml")]);
    assert!(!scan.has_errors());
}

#[test]
fn an_oversize_tf_json_found_by_walking_is_an_error_at_its_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let limit = usize::try_from(guardrail::input::MAX_FILE_BYTES).expect("fits");
    // Its head does not look like anything: the name alone makes it Terraform.
    let text = format!("{{\"locals\": {{\"pad\": \"{}\"}}}}", "x".repeat(limit));
    write(&dir.path().join("big.tf.json"), &text);
    let scan = scan(dir.path());
    assert_eq!(errors(&scan), ["load::too-large big.tf.json:1:1"]);
}

#[test]
fn an_empty_json_var_file_is_an_error_at_its_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("main.tf"), "variable \"x\" {}\n");
    write(&dir.path().join("terraform.tfvars.json"), "");
    let scan = scan(dir.path());
    assert_eq!(
        errors(&scan),
        ["terraform::var-file terraform.tfvars.json:1:1"]
    );
}

/// `code line:col` of every diagnostic of a scan of one file written with `text`.
fn diagnostics_of(name: &str, text: &str) -> (Vec<String>, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join(name), text);
    let scan = scan(dir.path());
    let found = scan
        .diagnostics
        .iter()
        .map(|d| {
            let at = d.span.map(|s| scan.files.start_of(s).to_string());
            format!("{:?} {} {}", d.severity, d.code, at.unwrap_or_default())
        })
        .collect();
    (found, scan.graph.len())
}

#[test]
fn a_second_document_after_a_template_is_an_error_at_its_start() {
    let (found, resources) = diagnostics_of(
        "stack.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n---\nResources:\n  C:\n    Type: AWS::S3::Bucket\n",
    );
    assert_eq!(found, ["Error cloudformation::multi-document 6:1"]);
    assert_eq!(resources, 1);
    // A template after something else is found all the same.
    let (found, resources) = diagnostics_of(
        "stack.yaml",
        "note: first\n---\nResources:\n  B:\n    Type: AWS::S3::Bucket\n",
    );
    assert_eq!(found, ["Error cloudformation::multi-document 1:1"]);
    assert_eq!(resources, 1);
}

#[test]
fn resources_only_inside_fn_for_each_make_the_scan_incomplete() {
    let (found, resources) = diagnostics_of(
        "loop.yaml",
        "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Topics:\n    - Name\n    - [a, b]\n    - Topic${Name}:\n        Type: AWS::SNS::Topic\n",
    );
    assert_eq!(found, ["Error cloudformation::foreach 3:3"]);
    assert_eq!(resources, 0);
}

#[test]
fn a_rain_module_is_the_same_error_in_yaml_and_json() {
    let (yaml, _) = diagnostics_of(
        "a.yaml",
        "Resources:\n  Bucket:\n    Type: !Rain::Module ./bucket.yaml\n",
    );
    let (json, _) = diagnostics_of(
        "a.json",
        "{\"Resources\": {\"Bucket\": {\"Type\": {\"Rain::Module\": \"./bucket.yaml\"}}}}",
    );
    assert_eq!(yaml, ["Error cloudformation::rain-module 3:11"]);
    assert_eq!(json, ["Error cloudformation::rain-module 1:35"]);
}

#[test]
fn tool_configurations_are_not_ours_and_say_nothing() {
    for (name, text) in [
        (
            "kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
        ),
        (
            "kind.yaml",
            "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes: [{role: control-plane}]\n",
        ),
        (
            "kubeconfig.yaml",
            "apiVersion: v1\nkind: Config\nclusters: []\n",
        ),
    ] {
        let (found, resources) = diagnostics_of(name, text);
        assert_eq!((found, resources), (Vec::new(), 0), "{name}");
    }
}
