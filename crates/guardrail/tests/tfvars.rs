//! Terraform variable definitions files through the whole pipeline, with the fixtures under
//! `fixtures/tfvars/`: a value that turns a passing database into a failing one, the order in
//! which auto-loaded files win, var files that cannot be read, and the configuration's
//! `var_files`.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use guardrail::config;
use guardrail::render::graph::{JsonOptions, json};
use guardrail::report::Gate;
use guardrail::rules::model::Severity;
use guardrail::scan::{GraphScan, ScanOptions, build_graph};
use guardrail::source::SourceFiles;
use guardrail::{ScanOutcome, Scanner};
use serde_json::Value as Json;

const FIXTURES: &str = "../../fixtures/tfvars";

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(format!("{FIXTURES}/{path}"))
}

/// A scanner with the one rule the fixtures are about.
fn rds_scanner(options: ScanOptions) -> Scanner {
    let builtin = Scanner::builtin().expect("built-in rules");
    let rules = builtin
        .rules()
        .iter()
        .filter(|r| r.id == "AWS-RDS-002")
        .cloned()
        .collect();
    Scanner::new(rules).with_options(options)
}

/// The findings as the JSON report shows them.
fn findings(outcome: &ScanOutcome) -> Json {
    let options = guardrail::render::RenderOptions::with_gate(Gate::new(Severity::Low));
    let report = guardrail::render::json::value(&outcome.report, &outcome.input.files, &options);
    report["findings"].clone()
}

fn var_files(paths: &[&str]) -> Vec<PathBuf> {
    paths.iter().map(|p| fixture(p)).collect()
}

/// The diagnostics as `severity file:line:col code: message`.
fn diagnostics(scan: &GraphScan) -> Vec<String> {
    let graph = json(scan, &JsonOptions { attributes: false });
    graph["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{} {}: {}",
                d["severity"].as_str().unwrap_or(""),
                d["file"].as_str().unwrap_or(""),
                d["line"],
                d["column"],
                d["code"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn a_database_private_by_default_fails_with_the_prod_var_file() {
    let paths = [fixture("rds")];
    let default = rds_scanner(ScanOptions::default()).scan(&paths);
    assert!(
        !default.input.has_errors(),
        "{:?}",
        default.input.diagnostics
    );
    assert_eq!(findings(&default), Json::Array(Vec::new()));

    let prod =
        rds_scanner(ScanOptions::default().with_var_files(var_files(&["rds/env/prod.tfvars"])))
            .scan(&paths);
    assert!(!prod.input.has_errors(), "{:?}", prod.input.diagnostics);
    insta::assert_json_snapshot!("rds_prod_findings", findings(&prod));

    // Where the value came from: the use in main.tf resolves to `true` in env/prod.tfvars,
    // and `engine`, which has no default, to terraform.tfvars (loaded by itself).
    let graph = json(&prod.input, &JsonOptions { attributes: true });
    let db = graph["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["address"] == "aws_db_instance.app")
        .expect("the database");
    insta::assert_json_snapshot!("rds_prod_attributes", db["attributes"]);

    // A later file wins: staging (JSON) after prod makes it private again.
    let staging = rds_scanner(ScanOptions::default().with_var_files(var_files(&[
        "rds/env/prod.tfvars",
        "rds/env/staging.tfvars.json",
    ])))
    .scan(&paths);
    assert!(
        !staging.input.has_errors(),
        "{:?}",
        staging.input.diagnostics
    );
    assert_eq!(findings(&staging), Json::Array(Vec::new()));
}

#[test]
fn auto_loaded_files_win_in_terraform_order_in_their_own_directory_only() {
    let scan = build_graph(&[fixture("precedence")], &ScanOptions::default());
    let graph = json(&scan, &JsonOptions { attributes: true });
    let picked: serde_json::Map<String, Json> = graph["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["type"] == "aws_s3_bucket")
        .map(|r| {
            let address = r["address"].as_str().unwrap_or_default().to_owned();
            (address, r["attributes"].clone())
        })
        .collect();
    insta::assert_json_snapshot!("precedence_attributes", picked);
    // The files read (var files are Terraform files, not resources), the warning for a value
    // no variable takes, and the var file Terraform does not load by itself.
    let resources = graph["resources"].as_array().expect("resources");
    assert!(
        resources
            .iter()
            .all(|r| r["file"].as_str().is_some_and(|f| f.ends_with(".tf"))),
        "a var file made a node"
    );
    insta::assert_json_snapshot!(
        "precedence_files_and_diagnostics",
        serde_json::json!({
            "files": graph["files"],
            "diagnostics": diagnostics(&scan),
            "skipped": graph["skipped"],
        })
    );
}

#[test]
fn var_files_that_cannot_be_read_fail_closed_at_their_position() {
    let scan = build_graph(
        &[fixture("broken"), fixture("nomodule")],
        &ScanOptions::default().with_var_files(var_files(&["missing.tfvars", "rds/env"])),
    );
    assert!(scan.has_errors());
    insta::assert_json_snapshot!("broken_diagnostics", diagnostics(&scan));
    // What could not be read sets nothing: the database keeps its default.
    let graph = json(&scan, &JsonOptions { attributes: true });
    let public = graph["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["address"] == "aws_db_instance.app")
        .map(|r| r["attributes"]["value"]["publicly_accessible"]["value"].clone());
    assert_eq!(public, Some(Json::Bool(false)));
}

#[test]
fn the_configuration_names_var_files_and_the_command_line_comes_after_them() {
    let path = Path::new(FIXTURES).join("configured/guardrail.toml");
    let mut files = SourceFiles::default();
    let config = config::load(&path, &mut files).expect("the configuration loads");
    assert_eq!(
        config
            .var_files
            .iter()
            .map(|p| guardrail::source::display_path(p))
            .collect::<Vec<_>>(),
        [
            "../../fixtures/tfvars/configured/env/base.tfvars",
            "../../fixtures/tfvars/configured/env/prod.tfvars",
        ]
    );
    let paths = [fixture("configured")];
    let configured = rds_scanner(ScanOptions::with_config(config.clone())).scan(&paths);
    assert!(
        !configured.input.has_errors(),
        "{:?}",
        configured.input.diagnostics
    );
    insta::assert_json_snapshot!("configured_findings", findings(&configured));

    let overridden = rds_scanner(
        ScanOptions::with_config(config)
            .with_var_files(var_files(&["configured/env/private.tfvars"])),
    )
    .scan(&paths);
    assert!(
        !overridden.input.has_errors(),
        "{:?}",
        overridden.input.diagnostics
    );
    assert_eq!(findings(&overridden), Json::Array(Vec::new()));
}
