//! End-to-end tests of the `guardrail` binary: exit codes, output formats, and every kind of
//! bad input guardrail must survive and report.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn guardrail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("run guardrail")
}

/// Runs `guardrail <command> --format json ARGS…` and returns the exit code, the JSON on
/// stdout and stderr.
fn json_output(command: &str, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec![command, "--format", "json"];
    all.extend_from_slice(args);
    let out = guardrail(&all);
    let json = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().expect("exit code"), json, stderr)
}

fn graph_json(args: &[&str]) -> (i32, serde_json::Value, String) {
    json_output("graph", args)
}

fn diagnostics(json: &serde_json::Value) -> Vec<String> {
    json["diagnostics"]
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
fn demo_system_graph_is_read_completely() {
    let (code, json, stderr) = graph_json(&["fixtures/demo"]);
    assert_eq!(code, 0, "{stderr}");
    let frameworks: Vec<&str> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["framework"].as_str())
        .collect();
    for framework in ["cloudformation", "terraform", "kubernetes"] {
        assert!(frameworks.contains(&framework), "{framework} missing");
    }
    insta::assert_json_snapshot!("demo_graph", json);
}

#[test]
fn demo_system_as_dot_and_mermaid() {
    let dot = guardrail(&["graph", "fixtures/demo", "--format", "dot"]);
    assert_eq!(dot.status.code(), Some(0));
    insta::assert_snapshot!("demo_dot", String::from_utf8_lossy(&dot.stdout));
    let mermaid = guardrail(&["graph", "fixtures/demo", "--format", "mermaid"]);
    assert_eq!(mermaid.status.code(), Some(0));
    insta::assert_snapshot!("demo_mermaid", String::from_utf8_lossy(&mermaid.stdout));
}

#[test]
fn bad_files_are_each_reported_with_position_and_fail_closed() {
    let (code, json, _) = graph_json(&["fixtures/input/bad"]);
    assert_eq!(code, 2);
    insta::assert_debug_snapshot!("bad_input_diagnostics", diagnostics(&json));
    // The valid resource of the broken Terraform file's module is not lost, and neither is
    // the template whose only problem is a duplicate key.
    let addresses: Vec<&str> = json["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["address"].as_str())
        .collect();
    assert!(
        addresses.contains(&"fixtures/input/bad/duplicate-keys.yaml#Bucket"),
        "{addresses:?}"
    );
}

#[test]
fn a_diagnostic_shows_file_line_column_and_the_source_line() {
    let out = guardrail(&["graph", "fixtures/input/bad/syntax.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fixtures/input/bad/syntax.yaml:7:11"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  selector:"),
        "source line missing: {stderr}"
    );
}

#[test]
fn allow_parse_errors_exits_zero_but_still_reports() {
    let out = guardrail(&[
        "graph",
        "fixtures/input/bad/syntax.yaml",
        "--allow-parse-errors",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("syntax.yaml"));
}

#[test]
fn other_yaml_and_helm_templates_are_not_errors() {
    let (code, json, stderr) = graph_json(&["fixtures/input/not-ours", "--verbose"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["resources"].as_array().map(Vec::len), Some(0));
    insta::assert_json_snapshot!("not_ours_skipped", json["skipped"]);
    insta::assert_debug_snapshot!("not_ours_diagnostics", diagnostics(&json));
    assert!(stderr.contains("Helm chart template"), "{stderr}");
}

#[test]
fn anchors_merge_keys_and_empty_files_are_read() {
    let (code, json, stderr) = graph_json(&["fixtures/input/ok", "--attributes"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_json_snapshot!("anchors_graph", json);
}

#[test]
fn missing_paths_and_usage_errors_exit_2() {
    let out = guardrail(&["graph", "fixtures/does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fixtures/does-not-exist"));
    let out = guardrail(&["graph", "--format", "xml", "fixtures/demo"]);
    assert_eq!(out.status.code(), Some(2));
    let out = guardrail(&["graph"]);
    assert_eq!(out.status.code(), Some(2));
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Deep nesting in every format: an error at the right place, never a stack overflow.
#[test]
fn hundred_thousand_deep_nesting_is_an_error_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = 100_000;
    let yaml = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  x: {}{}\n",
        "[".repeat(deep),
        "]".repeat(deep)
    );
    let json = format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {}1{}}}",
        "{\"a\":".repeat(deep),
        "}".repeat(deep)
    );
    let hcl = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(deep),
        "]".repeat(deep)
    );
    write(&dir.path().join("deep.yaml"), &yaml);
    write(&dir.path().join("deep.json"), &json);
    write(&dir.path().join("deep.tf"), &hcl);
    let root = dir.path().to_str().expect("utf-8 temp path");
    let (code, json, _) = graph_json(&[root]);
    assert_eq!(code, 2);
    let diags = diagnostics(&json);
    assert_eq!(diags.len(), 3, "{diags:?}");
    for (diag, name) in diags.iter().zip(["deep.json", "deep.tf", "deep.yaml"]) {
        assert!(diag.starts_with("error "), "{diag}");
        assert!(diag.contains(name), "{diag}");
        assert!(
            diag.contains(":1:") || diag.contains(":4:") || diag.contains(":2:"),
            "{diag}"
        );
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_tree_are_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    write(
        &root.join("k8s/pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n",
    );
    std::os::unix::fs::symlink(&root, root.join("k8s/loop")).expect("symlink");
    let outside = dir.path().join("outside.yaml");
    write(
        &outside,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n",
    );
    std::os::unix::fs::symlink(&outside, root.join("k8s/outside.yaml")).expect("symlink");
    let (code, json, _) = graph_json(&[root.to_str().expect("utf-8"), "--verbose"]);
    assert_eq!(code, 0);
    let addresses: Vec<&str> = json["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["address"].as_str())
        .collect();
    assert_eq!(addresses, ["Pod/default/p"]);
    assert_eq!(json["skipped"].as_array().map(Vec::len), Some(2));
}

#[cfg(unix)]
#[test]
fn unreadable_inputs_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A FIFO named on the command line would block a naive reader forever.
    let fifo = dir.path().join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let out = guardrail(&["graph", fifo.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    }
    // A link to nothing, named explicitly.
    let dangling = dir.path().join("gone.yaml");
    std::os::unix::fs::symlink(dir.path().join("missing"), &dangling).expect("symlink");
    let out = guardrail(&["graph", dangling.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    // A file without read permission (root can read it anyway, and then it must scan).
    use std::os::unix::fs::PermissionsExt as _;
    let locked = dir.path().join("locked.yaml");
    write(&locked, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let readable = std::fs::read(&locked).is_ok();
    let out = guardrail(&["graph", locked.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(if readable { 0 } else { 2 }));
}

fn scan_json(args: &[&str]) -> (i32, serde_json::Value, String) {
    json_output("scan", args)
}

/// `rule file:line:col resource attribute: message`, one line per finding.
fn finding_lines(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} [{}/{}] {}:{}:{} {} — {}",
                f["rule"].as_str().unwrap_or(""),
                f["severity"].as_str().unwrap_or(""),
                f["status"].as_str().unwrap_or(""),
                f["file"].as_str().unwrap_or(""),
                f["line"],
                f["column"],
                f["resource"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn scanning_the_demo_finds_its_planted_problems_and_fails_the_gate() {
    let (code, report, stderr) = scan_json(&["fixtures/demo"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["version"], 3);
    assert_eq!(report["summary"]["gate"]["incomplete"], false);
    assert_eq!(report["summary"]["gate"]["decision"], "failed");
    let lines = finding_lines(&report);
    // A few of the problems the demo plants, one per framework, each at its line.
    for expected in [
        "AWS-S3-006 [high/fail] fixtures/demo/cloudformation/uploads.yaml:55:13",
        "AWS-SECRETS-002 [high/fail] fixtures/demo/cloudformation/uploads.yaml:97:22",
        "AWS-EC2-005 [high/fail] fixtures/demo/terraform/main.tf:42:20",
        "K8S-RBAC-001",
        "K8S-POD-014",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(expected)),
            "{expected} missing from:\n{}",
            lines.join("\n")
        );
    }
    insta::assert_snapshot!("demo_scan_findings", lines.join("\n"));
    insta::assert_json_snapshot!("demo_scan_summary", report["summary"]);
}

#[test]
fn text_output_shows_the_source_line_under_each_finding() {
    let out = guardrail(&["scan", "fixtures/rules/AWS-RDS-001/terraform/fail"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    insta::assert_snapshot!("rds_fail_text", text);
}

#[test]
fn fail_on_sets_the_gate_threshold() {
    let dir = "fixtures/rules/AWS-RDS-001/terraform/fail";
    assert_eq!(
        guardrail(&["scan", dir, "--fail-on", "high"]).status.code(),
        Some(1)
    );
    assert_eq!(
        guardrail(&["scan", dir, "--fail-on", "critical"])
            .status
            .code(),
        Some(0)
    );
    let pass = "fixtures/rules/AWS-RDS-001/terraform/pass";
    assert_eq!(
        guardrail(&["scan", pass, "--select", "AWS-RDS-001"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn unknown_findings_fail_only_with_strict() {
    let (code, report, _) = scan_json(&["fixtures/input/unknown", "--select", "AWS-RDS-001"]);
    assert_eq!(code, 0);
    assert_eq!(
        finding_lines(&report),
        [
            "AWS-RDS-001 [high/unknown] fixtures/input/unknown/main.tf:9:23 aws_db_instance.orders — `storage_encrypted` is unknown until deployment (`var.encrypt`: waits for an input without a value)"
        ]
    );
    let (code, _, _) = scan_json(&[
        "fixtures/input/unknown",
        "--select",
        "AWS-RDS-001",
        "--strict",
    ]);
    assert_eq!(code, 1);
}

#[test]
fn select_and_ignore_take_ids_and_prefixes() {
    let rules = |report: &serde_json::Value| -> std::collections::BTreeSet<String> {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["rule"].as_str().map(str::to_owned))
            .collect()
    };
    let (_, report, _) = scan_json(&["fixtures/demo", "--select", "K8S-POD"]);
    let selected = rules(&report);
    assert!(!selected.is_empty());
    assert!(
        selected.iter().all(|r| r.starts_with("K8S-POD-")),
        "{selected:?}"
    );
    let (_, report, _) = scan_json(&[
        "fixtures/demo",
        "--select",
        "K8S",
        "--ignore",
        "K8S-POD",
        "--ignore",
        "K8S-RBAC-001",
    ]);
    let selected = rules(&report);
    assert!(!selected.is_empty());
    assert!(
        selected
            .iter()
            .all(|r| r.starts_with("K8S-") && !r.starts_with("K8S-POD") && r != "K8S-RBAC-001"),
        "{selected:?}"
    );
    // A prefix matches whole id parts only: K8S-POD-01 is not a prefix of K8S-POD-014, so
    // it selects nothing, which is an error rather than a gate that checks nothing.
    let out = guardrail(&["scan", "fixtures/demo", "--select", "K8S-POD-01"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`K8S-POD-01` matches no rule"), "{stderr}");
    assert!(stderr.contains("did you mean `K8S-POD-001`"), "{stderr}");
}

#[test]
fn opt_in_rules_run_only_when_named_by_id() {
    let object_lock = |report: &serde_json::Value| -> usize {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"] == "AWS-S3-014")
            .count()
    };
    // The demo's buckets have no Object Lock; a default scan and a prefix do not ask.
    let (_, report, _) = scan_json(&["fixtures/demo"]);
    assert_eq!(object_lock(&report), 0);
    let (_, report, _) = scan_json(&["fixtures/demo", "--select", "AWS-S3"]);
    assert_eq!(object_lock(&report), 0);
    // Named by its id or by the Checkov id it references, it runs.
    let (_, by_id, _) = scan_json(&["fixtures/demo", "--select", "AWS-S3,AWS-S3-014"]);
    let (_, by_checkov, _) = scan_json(&["fixtures/demo", "--select", "CKV_AWS_143"]);
    assert!(object_lock(&by_id) > 0);
    assert_eq!(object_lock(&by_id), object_lock(&by_checkov));
    let rules = guardrail(&["rules"]);
    let table = String::from_utf8_lossy(&rules.stdout);
    assert!(
        table.contains("(opt-in) S3 bucket has Object Lock enabled"),
        "{table}"
    );
}

#[test]
fn input_problems_outrank_findings_in_the_exit_code() {
    let out = guardrail(&["scan", "fixtures/demo", "fixtures/input/bad/syntax.yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn user_rules_run_beside_the_built_in_ones() {
    let (code, report, stderr) = scan_json(&[
        "fixtures/demo",
        "--rules",
        "fixtures/input/user-rules",
        "--select",
        "ORG",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        finding_lines(&report),
        [
            "ORG-TAGS-001 [low/fail] fixtures/demo/cloudformation/uploads.yaml:32:3 fixtures/demo/cloudformation/uploads.yaml#UploadsBucket — `Properties.Tags` is absent",
            "ORG-TAGS-001 [low/fail] fixtures/demo/terraform/main.tf:80:26 aws_s3_bucket.exports — `tags.owner` is absent",
        ]
    );
}

#[test]
fn a_wrong_rule_file_is_reported_at_each_mistake_and_exits_2() {
    let out = guardrail(&[
        "scan",
        "fixtures/demo",
        "--rules",
        "fixtures/input/broken-rules",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let locations: Vec<&str> = stderr
        .lines()
        .filter_map(|l| {
            l.split_once("fixtures/input/broken-rules/TEST-BAD-001.yaml:")
                .map(|(_, rest)| rest)
        })
        .filter_map(|rest| rest.split_once(": ").map(|(at, _)| at))
        .collect();
    insta::assert_debug_snapshot!("broken_rule_locations", locations);
    assert!(stderr.contains("AC-99"), "{stderr}");
    assert!(stderr.contains("withdrawn"), "{stderr}");
    assert!(stderr.contains("iam.no_such_helper"), "{stderr}");
}

#[test]
fn rules_lists_the_pack_and_explain_documents_a_rule() {
    let out = guardrail(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    for id in ["AWS-RDS-001", "K8S-POD-001", "TF-STATE-001", "AWS-IAM-005"] {
        assert!(table.contains(id), "{id} missing");
    }
    let out = guardrail(&["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).expect("rules JSON");
    let count = rules.as_array().map_or(0, Vec::len);
    assert!(count >= 60, "{count} rules");
    assert!(table.contains(&format!("{count} rules")));

    let out = guardrail(&["explain", "aws-rds-001"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("explain_aws_rds_001", String::from_utf8_lossy(&out.stdout));

    let out = guardrail(&["explain", "AWS-RDS-999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AWS-RDS-001"));

    let out = guardrail(&["rules", "--helpers"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("iam.web_identity_without_subject(arg1)")
    );
}

#[test]
fn shell_completions_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = guardrail(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for command in ["scan", "rules", "explain", "graph"] {
            assert!(
                script.contains(command),
                "{shell} completion lacks {command}"
            );
        }
    }
    assert_eq!(guardrail(&["completions", "tcsh"]).status.code(), Some(2));
}

// CI outputs: SARIF, JUnit, GitHub annotations, Markdown, and several from one run.

const SARIF_SCHEMA: &str = "crates/guardrail/tests/data/sarif-schema-2.1.0.json";

fn scan_output(args: &[&str]) -> (i32, String) {
    let mut all = vec!["scan"];
    all.extend_from_slice(args);
    let out = guardrail(&all);
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
    )
}

/// Validates a SARIF log against the official schema (bundled; nothing is fetched).
fn assert_valid_sarif(log: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SARIF_SCHEMA).expect("schema"))
            .expect("schema JSON");
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn sarif_of_the_demo_is_valid_and_ready_for_code_scanning() {
    let (code, text) = scan_output(&["fixtures/demo", "--format", "sarif"]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_valid_sarif(&log);
    assert!(
        !text.contains("/work/") && !text.contains("file://"),
        "absolute path in output"
    );
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    // One line per result: what GitHub keys an alert on.
    let lines: Vec<String> = results
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            let region = &location["region"];
            let rule = &rules[r["ruleIndex"].as_u64().expect("ruleIndex") as usize];
            assert_eq!(rule["id"], r["ruleId"]);
            format!(
                "{} {} {} {}:{}:{}-{}:{} {} {}",
                r["ruleId"].as_str().unwrap_or(""),
                r["level"].as_str().unwrap_or(""),
                rule["properties"]["security-severity"]
                    .as_str()
                    .unwrap_or("-"),
                location["artifactLocation"]["uri"].as_str().unwrap_or(""),
                region["startLine"],
                region["startColumn"],
                region["endLine"],
                region["endColumn"],
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap_or(""),
                r["partialFingerprints"]["guardrailFingerprint/v1"]
                    .as_str()
                    .unwrap_or(""),
            )
        })
        .collect();
    insta::assert_snapshot!("demo_sarif_results", lines.join("\n"));
    // The rest of the run, with one rule and one result in full.
    let mut shape = run.clone();
    // Every rule that ran is listed (counted apart so that a new rule does not churn this).
    let (_, report, _) = scan_json(&["fixtures/demo"]);
    assert_eq!(
        Some(rules.len() as u64),
        report["summary"]["rules"].as_u64()
    );
    shape["tool"]["driver"]["rules"] = serde_json::json!({
        "AWS-EC2-005": rules.iter().find(|r| r["id"] == "AWS-EC2-005").expect("listed"),
    });
    shape["results"] = serde_json::json!({
        "count": results.len(),
        "AWS-EC2-005": results.iter().find(|r| r["ruleId"] == "AWS-EC2-005").expect("found"),
    });
    insta::assert_json_snapshot!("demo_sarif_shape", shape);
}

#[test]
fn sarif_marks_unknown_findings_as_notes() {
    let (code, text) = scan_output(&[
        "fixtures/input/unknown",
        "--select",
        "AWS-RDS-001",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 0);
    let log: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_valid_sarif(&log);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["level"], "note");
    assert_eq!(result["properties"]["status"], "unknown");
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[test]
fn junit_of_the_demo_parses_and_counts_rules_and_findings() {
    let (code, xml) = scan_output(&["fixtures/demo", "--format", "junit"]);
    assert_eq!(code, 1);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    let count = |name: &str| root.descendants().filter(|n| n.has_tag_name(name)).count();
    let (_, report, _) = scan_json(&["fixtures/demo"]);
    let failing = report["summary"]["gate"]["failing"]
        .as_u64()
        .expect("failing") as usize;
    assert_eq!(count("failure"), failing);
    assert_eq!(
        root.attribute("failures"),
        Some(failing.to_string().as_str())
    );
    assert_eq!(
        root.attribute("tests"),
        Some(count("testcase").to_string().as_str())
    );
    let rules = report["summary"]["rules"].as_u64().expect("rules") as usize;
    assert_eq!(count("testsuite"), rules);
    // A smaller selection in full: passing suites, failing ones, escaping.
    let (_, xml) = scan_output(&["fixtures/demo", "--select", "AWS-S3", "--format", "junit"]);
    roxmltree::Document::parse(&xml).expect("well-formed XML");
    insta::assert_snapshot!("demo_junit_s3", xml);
}

#[test]
fn github_annotations_point_at_each_finding() {
    let (code, text) = scan_output(&["fixtures/demo", "--format", "github"]);
    assert_eq!(code, 1);
    let line = text
        .lines()
        .find(|l| l.contains("title=AWS-EC2-005"))
        .expect("AWS-EC2-005 annotated");
    assert!(
        line.starts_with(
            "::error file=fixtures/demo/terraform/main.tf,line=42,col=20,endLine=42,endColumn="
        ),
        "{line}"
    );
    assert!(
        line.contains(
            "::aws_security_group.db: `ingress[0].cidr_blocks` is \"0.0.0.0/0\"%0AHow to fix: "
        ),
        "{line}"
    );
    assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
    insta::assert_snapshot!("demo_github", text);
}

#[test]
fn markdown_summarises_the_demo() {
    let (code, text) = scan_output(&["fixtures/demo", "--format", "markdown"]);
    assert_eq!(code, 1);
    // The size of the rule pack is checked here, not snapshotted: a new rule is no change.
    let (_, report, _) = scan_json(&["fixtures/demo"]);
    let rules = format!(" {} rules\n", report["summary"]["rules"]);
    assert!(text.contains(&rules), "{text}");
    insta::assert_snapshot!("demo_markdown", text.replacen(&rules, " [n] rules\n", 1));
}

#[test]
fn report_writes_several_formats_from_one_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("results.sarif");
    let junit = dir.path().join("junit.xml");
    let markdown = dir.path().join("summary.md");
    let arg = |format: &str, path: &Path| format!("{format}={}", path.display());
    let (code, report, stderr) = scan_json(&[
        "fixtures/demo",
        "--report",
        &arg("sarif", &sarif),
        "--report",
        &arg("junit", &junit),
        "--report",
        &arg("markdown", &markdown),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let failing = report["summary"]["gate"]["failing"]
        .as_u64()
        .expect("failing");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("SARIF written"))
            .expect("SARIF is JSON");
    assert_valid_sarif(&log);
    assert_eq!(
        log["runs"][0]["results"].as_array().map(Vec::len),
        report["findings"].as_array().map(Vec::len)
    );
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert_eq!(
        doc.root_element().attribute("failures"),
        Some(failing.to_string().as_str())
    );
    // The same bytes as asking for the format on stdout.
    let (_, stdout) = scan_output(&["fixtures/demo", "--format", "markdown"]);
    assert_eq!(
        std::fs::read_to_string(&markdown).expect("Markdown written"),
        stdout
    );

    // One file cannot take two outputs; an unknown format is a usage error.
    let same = arg("json", &sarif);
    let out = guardrail(&[
        "scan",
        "fixtures/demo",
        "--output",
        &sarif.display().to_string(),
        "--report",
        &same,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("two outputs"));
    let out = guardrail(&["scan", "fixtures/demo", "--report", "xml=out.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sarif, junit"));
}

// Suppressions: comments, CloudFormation Metadata, Kubernetes annotations, Checkov's forms,
// and the info findings about wrong suppressions.

/// Each finding with what decides whether it is suppressed, and by what.
fn suppression_view(report: &serde_json::Value) -> serde_json::Value {
    let findings = report["findings"].as_array().expect("findings");
    serde_json::Value::Array(
        findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "rule": f["rule"],
                    "severity": f["severity"],
                    "at": format!(
                        "{}:{}:{}",
                        f["file"].as_str().unwrap_or(""),
                        f["line"],
                        f["column"]
                    ),
                    "resource": f["resource"],
                    "message": f["message"],
                    "suppressed": f["suppressed"],
                })
            })
            .collect(),
    )
}

#[test]
fn suppressions_in_every_framework_are_marked_and_wrong_ones_reported() {
    for framework in ["cloudformation", "kubernetes", "terraform"] {
        let dir = format!("fixtures/suppressions/{framework}");
        let (code, report, stderr) = scan_json(&[&dir]);
        assert_eq!(code, 1, "{framework}: {stderr}");
        let findings = report["findings"].as_array().expect("findings");
        let suppressed = findings
            .iter()
            .filter(|f| !f["suppressed"].is_null())
            .count();
        assert!(suppressed >= 3, "{framework}: {suppressed} suppressed");
        assert_eq!(report["summary"]["suppressed"], suppressed, "{framework}");
        // Each fixture has a suppression without a reason, one that silences nothing and one
        // naming an unknown rule id.
        let messages = |rule: &str| -> Vec<&str> {
            findings
                .iter()
                .filter(|f| f["rule"] == rule)
                .filter_map(|f| f["message"].as_str())
                .collect()
        };
        assert!(
            messages("GEN-SUPPRESS-001")
                .iter()
                .any(|m| m.contains("gives no reason")),
            "{framework}"
        );
        let nothing = messages("GEN-SUPPRESS-002");
        assert!(
            nothing.iter().any(|m| m.contains("has no finding")),
            "{framework}: {nothing:?}"
        );
        assert!(
            nothing.iter().any(|m| m.contains("is not a known rule id")),
            "{framework}: {nothing:?}"
        );
        for meta in findings.iter().filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("GEN-SUPPRESS"))
        }) {
            assert_eq!(meta["severity"], "info");
            assert_eq!(meta["stride"], serde_json::json!(["repudiation"]));
            assert!(meta["suppressed"].is_null());
        }
        insta::assert_json_snapshot!(
            format!("suppressions_{framework}"),
            suppression_view(&report)
        );
    }
}

#[test]
fn a_suppression_above_the_resource_takes_exactly_its_findings_out_of_the_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("main.tf");
    let db = "resource \"aws_db_instance\" \"orders\" {\n  engine                  = \"postgres\"\n  \
              instance_class          = \"db.t4g.micro\"\n  storage_encrypted       = false\n  \
              backup_retention_period = 7\n  deletion_protection     = true\n  \
              multi_az                = true\n  monitoring_interval     = 60\n  \
              copy_tags_to_snapshot   = true\n  performance_insights_enabled = true\n  \
              performance_insights_kms_key_id = \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"\n  \
              iam_database_authentication_enabled = true\n  \
              enabled_cloudwatch_logs_exports     = [\"postgresql\"]\n  \
              parameter_group_name = aws_db_parameter_group.orders.name\n}\n";
    // Statement logging (AWS-RDS-020) is on, so that AWS-RDS-001 is the only failure. The
    // group is written after the instance and outside `db`, which the test edits.
    let pg = "\nresource \"aws_db_parameter_group\" \"orders\" {\n  family = \"postgres16\"\n  \
              parameter {\n    name  = \"log_statement\"\n    value = \"ddl\"\n  }\n}\n";
    write(&file, &format!("{db}{pg}"));
    let path = dir.path().to_str().expect("utf-8 temp path");
    let (code, report, _) = scan_json(&[path]);
    assert_eq!(code, 1);
    let failing: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(failing, ["AWS-RDS-001"]);

    write(
        &file,
        &format!(
            "# guardrail:ignore AWS-RDS-001 -- restored from an encrypted copy in CHG-1234\n{db}{pg}"
        ),
    );
    let (code, report, stderr) = scan_json(&[path]);
    assert_eq!(code, 0, "{stderr}");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "AWS-RDS-001");
    assert_eq!(
        findings[0]["suppressed"],
        serde_json::json!({
            "kind": "comment",
            "reason": "restored from an encrypted copy in CHG-1234",
            "file": format!("{path}/main.tf"),
            "line": 1,
            "column": 1,
        })
    );
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(report["summary"]["gate"]["failing"], 0);

    // Text hides suppressed findings but counts them; --verbose shows them, marked.
    let out = guardrail(&["scan", path]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("AWS-RDS-001"), "{text}");
    assert!(text.contains("0 failed, 0 unknown, 1 suppressed"), "{text}");
    let out = guardrail(&["scan", path, "--verbose"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("AWS-RDS-001"), "{text}");
    assert!(
        text.contains("suppressed by a guardrail:ignore comment"),
        "{text}"
    );

    // Another rule's id suppresses nothing: the finding fails again, and the stale suppression
    // is an info finding that fails only `--fail-on info`.
    write(
        &file,
        &format!("# guardrail:ignore AWS-RDS-002 -- not public\n{db}{pg}"),
    );
    let (code, report, _) = scan_json(&[path]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["suppressed"], 0);
    write(
        &file,
        &format!(
            "{}{pg}",
            db.replace("false", "true")
                .replace("resource", "# guardrail:ignore AWS-RDS-001\nresource")
        ),
    );
    let (code, report, _) = scan_json(&[path]);
    assert_eq!(code, 0);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(rules, ["GEN-SUPPRESS-001", "GEN-SUPPRESS-002"]);
    let (code, _, _) = scan_json(&[path, "--fail-on", "info"]);
    assert_eq!(code, 1);
    let (code, report, _) = scan_json(&[path, "--fail-on", "info", "--ignore", "GEN-SUPPRESS"]);
    assert_eq!(code, 0);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn the_suppression_meta_rules_are_listed_and_explained() {
    let out = guardrail(&["rules"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("GEN-SUPPRESS-001"), "{table}");
    assert!(table.contains("GEN-SUPPRESS-002"), "{table}");
    let out = guardrail(&["explain", "gen-suppress-001"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("GEN-SUPPRESS-001: A suppression says why"),
        "{text}"
    );
    assert!(text.contains("CM-6"), "{text}");
    assert!(text.contains("repudiation"), "{text}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn a_baseline_passes_known_findings_survives_line_shifts_and_fails_new_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo");
    copy_dir(Path::new("fixtures/demo"), &demo);
    let demo_arg = demo.to_str().expect("utf-8");
    let baseline = dir.path().join("baseline.json");
    let baseline_arg = baseline.to_str().expect("utf-8");

    let out = guardrail(&["scan", demo_arg, "--write-baseline", baseline_arg]);
    assert_eq!(out.status.code(), Some(0));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("baseline")).expect("JSON");
    assert!(written["findings"].as_array().is_some_and(|f| f.len() > 20));

    let (code, report, _) = scan_json(&[demo_arg, "--baseline", baseline_arg]);
    assert_eq!(code, 0);
    assert_eq!(
        report["summary"]["failed"], 0,
        "the summary counts what the baseline silenced"
    );
    assert!(
        report["summary"]["suppressed"]
            .as_u64()
            .is_some_and(|n| n > 20)
    );

    // Lines move: fingerprints do not.
    let main_tf = demo.join("terraform/main.tf");
    let text = std::fs::read_to_string(&main_tf).expect("read");
    std::fs::write(&main_tf, format!("\n\n# moved down\n\n{text}")).expect("write");
    assert_eq!(
        guardrail(&["scan", demo_arg, "--baseline", baseline_arg])
            .status
            .code(),
        Some(0)
    );

    // A new insecure resource fails, and is the only failure.
    std::fs::write(
        demo.join("terraform/new.tf"),
        "resource \"aws_db_instance\" \"new\" {\n  engine = \"mysql\"\n  instance_class = \"db.t4g.micro\"\n  storage_encrypted = false\n}\n",
    )
    .expect("write");
    let (code, report, _) = scan_json(&[demo_arg, "--baseline", baseline_arg]);
    assert_eq!(code, 1);
    let open: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .filter_map(|f| f["resource"].as_str())
        .collect();
    assert!(
        !open.is_empty() && open.iter().all(|r| *r == "aws_db_instance.new"),
        "{open:?}"
    );
}

#[test]
fn the_configuration_file_is_found_upward_and_its_mistakes_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("infra");
    copy_dir(Path::new("fixtures/demo"), &demo);
    let demo_arg = demo.to_str().expect("utf-8");
    let config = dir.path().join("guardrail.toml");

    std::fs::write(
        &config,
        "fail_on = \"critical\"\n[frameworks]\nkubernetes = false\n",
    )
    .expect("write");
    let (code, report, _) = scan_json(&[demo_arg]);
    assert_eq!(code, 0, "no critical findings in the demo");
    let frameworks: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["framework"].as_str())
        .collect();
    assert!(!frameworks.contains("kubernetes"), "{frameworks:?}");
    assert_eq!(report["summary"]["gate"]["fail_on"], "critical");

    std::fs::write(
        &config,
        "exclude = [\"**/terraform/**\"]\nignore = [\"K8S\"]\n",
    )
    .expect("write");
    let (_, report, _) = scan_json(&[demo_arg]);
    let files: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["framework"].as_str())
        .collect();
    assert_eq!(files.into_iter().collect::<Vec<_>>(), ["cloudformation"]);

    std::fs::write(&config, "fail_on = \"hgih\"\n").expect("write");
    let out = guardrail(&["scan", demo_arg]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("guardrail.toml:1:11"), "{stderr}");

    // `--config` names another file; `init` writes a starter that loads.
    let other = dir.path().join("custom");
    std::fs::create_dir_all(&other).expect("mkdir");
    let out = guardrail(&["init", other.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        guardrail(&["init", other.to_str().expect("utf-8")])
            .status
            .code(),
        Some(2)
    );
    let starter = other.join("guardrail.toml");
    let out = guardrail(&[
        "scan",
        demo_arg,
        "--config",
        starter.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_named_terraform_file_is_read_with_its_module_but_only_it_is_reported() {
    let (code, report, stderr) = scan_json(&["fixtures/demo/terraform/main.tf"]);
    assert_eq!(code, 1, "{stderr}");
    let lines = finding_lines(&report);
    assert!(
        lines
            .iter()
            .all(|l| l.contains("fixtures/demo/terraform/main.tf:")),
        "{lines:#?}"
    );
    // The open CIDR comes from a variable default in variables.tf: only the module context
    // makes it known.
    assert!(
        lines.iter().any(|l| l.starts_with("AWS-EC2-005 [high/fail] fixtures/demo/terraform/main.tf:42:20")),
        "{lines:#?}"
    );
}

#[test]
fn var_files_from_the_command_line_and_the_configuration_set_terraform_variables() {
    let rds = ["fixtures/tfvars/rds", "--select", "AWS-RDS-002"];
    let (code, report, stderr) = scan_json(&rds);
    assert_eq!(code, 0, "private by default: {stderr}");
    assert!(finding_lines(&report).is_empty());

    let mut prod = rds.to_vec();
    prod.extend(["--var-file", "fixtures/tfvars/rds/env/prod.tfvars"]);
    let (code, report, stderr) = scan_json(&prod);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        finding_lines(&report),
        [
            "AWS-RDS-002 [high/fail] fixtures/tfvars/rds/main.tf:15:25 aws_db_instance.app — \
          `publicly_accessible` is true (the value of the variable, local or parameter it \
          refers to)"
        ]
    );
    // Later files win.
    prod.extend(["--var-file", "fixtures/tfvars/rds/env/staging.tfvars.json"]);
    let (code, _, stderr) = scan_json(&prod);
    assert_eq!(code, 0, "{stderr}");

    // guardrail.toml's var_files make it public; --var-file comes after them.
    let (code, report, stderr) = scan_json(&["fixtures/tfvars/configured"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(finding_lines(&report).len(), 1);
    let (code, _, stderr) = scan_json(&[
        "fixtures/tfvars/configured",
        "--var-file",
        "fixtures/tfvars/configured/env/private.tfvars",
    ]);
    assert_eq!(code, 0, "{stderr}");

    // `graph` reads them too: the value shows where it came from. A file named alone (as
    // pre-commit passes it) is read with its module's terraform.tfvars.
    let (code, graph, stderr) = graph_json(&[
        "fixtures/tfvars/rds/main.tf",
        "--attributes",
        "--var-file",
        "fixtures/tfvars/rds/env/prod.tfvars",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let db = graph["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["address"] == "aws_db_instance.app")
        .expect("the database");
    assert_eq!(
        db["attributes"]["value"]["publicly_accessible"]["from"],
        "fixtures/tfvars/rds/env/prod.tfvars:2:10"
    );
    assert_eq!(
        db["attributes"]["value"]["engine"]["from"],
        "fixtures/tfvars/rds/terraform.tfvars:1:10"
    );

    let help = guardrail(&["scan", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--var-file <FILE>"), "{help}");
}

#[test]
fn a_var_file_that_cannot_be_read_fails_closed_with_its_position() {
    let out = guardrail(&["scan", "fixtures/tfvars/broken", "--select", "AWS-RDS-002"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for at in [
        "fixtures/tfvars/broken/terraform.tfvars:2:1",
        "fixtures/tfvars/broken/blocks.auto.tfvars:3:1",
        "fixtures/tfvars/broken/unclosed.auto.tfvars.json:3:1",
    ] {
        assert!(stderr.contains(at), "{at} missing: {stderr}");
    }
    let out = guardrail(&[
        "scan",
        "fixtures/tfvars/rds",
        "--var-file",
        "fixtures/tfvars/rds/env/missing.tfvars",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fixtures/tfvars/rds/env/missing.tfvars: this var file does not exist"),
        "{stderr}"
    );

    // A var_files entry that does not exist is a mistake in the configuration, at its line.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("guardrail.toml");
    std::fs::write(&config, "strict = true\nvar_files = [\"prod.tfvars\"]\n").expect("write");
    let out = guardrail(&[
        "scan",
        "fixtures/tfvars/rds",
        "--config",
        config.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("guardrail.toml:2:14") && stderr.contains("does not exist"),
        "{stderr}"
    );
}

#[test]
fn json_lists_passing_verdicts_with_their_evidence_unless_quiet() {
    let secure = "fixtures/rules/AWS-S3-002/terraform/pass";
    let (code, report, stderr) = scan_json(&[secure, "--select", "AWS-S3-002"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
    let passed: Vec<String> = report["passed"]
        .as_array()
        .expect("passed")
        .iter()
        .map(|v| {
            format!(
                "{} {} {}:{}:{} {} — {}",
                v["rule"].as_str().unwrap_or(""),
                v["status"].as_str().unwrap_or(""),
                v["file"].as_str().unwrap_or(""),
                v["line"],
                v["column"],
                v["resource"].as_str().unwrap_or(""),
                v["evidence"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        passed,
        [
            format!(
                "AWS-S3-002 pass {secure}/main.tf:14:29 aws_s3_bucket_public_access_block.all_on — `block_public_acls` is true"
            ),
            format!(
                "AWS-S3-002 pass {secure}/main.tf:28:29 aws_s3_bucket_public_access_block.only_this_one — `block_public_acls` is true"
            ),
        ]
    );
    assert_eq!(report["summary"]["passed"], 2);
    assert!(report["not_applicable"].is_array());

    let (code, quiet, _) = scan_json(&[secure, "--select", "AWS-S3-002", "--quiet"]);
    assert_eq!(code, 0);
    assert!(quiet.get("passed").is_none(), "{quiet}");
    assert!(quiet.get("not_applicable").is_none());
    // The summary still counts them.
    assert_eq!(quiet["summary"]["passed"], 2);
}

#[test]
fn guard_rules_fail_the_gate_with_exact_lines_and_broken_ones_leave_the_scan_incomplete() {
    let rules = "fixtures/guard/architecture/rules.guard";
    let only_guard = ["--ignore", "AWS", "--ignore", "GEN"];
    let mut args = vec![
        "fixtures/guard/architecture/insecure.yaml",
        "--guard",
        rules,
    ];
    args.extend(only_guard);
    let (code, json, _) = scan_json(&args);
    assert_eq!(code, 1);
    let file = "fixtures/guard/architecture/insecure.yaml";
    assert_eq!(
        finding_lines(&json),
        [
            format!(
                "VPC_TAGGED [medium/fail] {file}:6:5 {file}#Network — `Properties.Tags` is absent"
            ),
            format!(
                "RDS_STORAGE_ENCRYPTED [high/fail] {file}:10:5 {file}#Database — `Properties.StorageEncrypted` is absent"
            ),
            format!(
                "RDS_NOT_PUBLIC [medium/fail] {file}:16:27 {file}#Database — `Properties.PubliclyAccessible` is true"
            ),
        ]
    );
    assert_eq!(json["summary"]["failed"], 3);
    assert!(json.get("guard").is_none(), "the Guard-only list is gone");
    let mut args = vec!["fixtures/guard/architecture/secure.yaml", "--guard", rules];
    args.extend(only_guard);
    let (code, json, _) = scan_json(&args);
    assert_eq!(code, 0);
    // cfn-guard's PASS on the template, recorded like any other pass.
    let passed: Vec<String> = json["passed"]
        .as_array()
        .expect("passed")
        .iter()
        .map(|v| format!("{} {} {}", v["rule"], v["engine"], v["document"]))
        .collect();
    assert_eq!(
        passed,
        [
            "\"RDS_NOT_PUBLIC\" \"guard\" 0",
            "\"RDS_STORAGE_ENCRYPTED\" \"guard\" 0",
            "\"VPC_TAGGED\" \"guard\" 0",
        ]
    );

    // `explain` and `rules` know the Guard rules named.
    let out = guardrail(&["explain", "RDS_STORAGE_ENCRYPTED", "--guard", rules]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("RDS_STORAGE_ENCRYPTED: RDS instances must have encrypted storage.")
            && text.contains("guardrail: AWS-RDS-001")
            && text.contains("Set StorageEncrypted to true."),
        "{text}"
    );
    let out = guardrail(&["rules", "--guard", rules]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("VPC_TAGGED"));

    // A rule file that does not parse: its line, exit 2 (incomplete), and the rest of the
    // scan goes on without it: the built-in rules still report.
    let out = guardrail(&[
        "scan",
        "fixtures/guard/architecture/secure.yaml",
        "--guard",
        "fixtures/guard/cases/broken.guard",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fixtures/guard/cases/broken.guard:6:38"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("AWS-RDS-003") && stdout.contains("INCOMPLETE"),
        "{stdout}"
    );

    // cfn-guard 3.2.1 panics on this rule: an error for each document, exit 2, and none of
    // cfn-guard's panic output on the terminal.
    let out = guardrail(&[
        "scan",
        "fixtures/guard/cases/k8s.yaml",
        "--guard",
        "fixtures/guard/cases/panic.guard",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cfn-guard panicked"), "{stderr}");
    assert!(
        !stderr.contains("panicked at") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}
