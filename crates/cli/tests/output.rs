//! End-to-end tests of how `guardrail scan`, `rules` and `explain` read (issue 11): headlines
//! that name the problem, concise output and statistics, help once per rule, findings grouped
//! by file, unknown findings that do not read as failures, what was not checked, `explain` by
//! prefix and by other tools' ids, and text that survives minified templates (issue 16).
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn guardrail(args: &[&str]) -> Output {
    guardrail_in(Path::new("."), args)
}

fn guardrail_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run guardrail")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create directory");
    }
    std::fs::write(path, text).expect("write file");
}

#[test]
fn concise_output_is_one_line_per_finding_with_a_headline_naming_the_problem() {
    let out = guardrail(&["scan", "fixtures/demo", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let findings: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(findings.len(), 54, "{text}");
    for line in &findings {
        // file:line:col: RULE [severity] …
        let (place, rest) = line.split_once(": ").expect("file:line:col: first");
        assert_eq!(place.split(':').count(), 3, "{line}");
        assert!(rest.contains(" ["), "{line}");
    }
    assert!(
        text.contains(
            "fixtures/demo/terraform/main.tf:22:20: AWS-VPC-001 [medium] VPC has no flow logs: "
        ),
        "{text}"
    );
    insta::assert_snapshot!("demo_concise", text);
}

#[test]
fn statistics_count_findings_per_rule_most_first() {
    let out = guardrail(&["scan", "fixtures/demo", "--statistics"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let first = text.lines().nth(1).expect("a row");
    assert!(
        first.contains("AWS-S3-007"),
        "the first of the rules with two findings first: {text}"
    );
    insta::assert_snapshot!("demo_statistics", text);
    let out = guardrail(&["scan", "fixtures/demo", "--statistics", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json[0]["rule"], "AWS-S3-007");
    assert_eq!(json[0]["failed"], 2);
    assert_eq!(json.as_array().map(Vec::len), Some(52));
}

#[test]
fn text_groups_findings_by_file_and_shows_each_rules_help_once() {
    let out = guardrail(&["scan", "fixtures/demo"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    // AWS-S3-007 fails twice (CloudFormation and Terraform): its help is shown once.
    assert_eq!(
        text.matches("AWS-S3-007 [low] S3 bucket versioning is not enabled")
            .count(),
        2
    );
    assert_eq!(
        text.matches("more: guardrail explain AWS-S3-007").count(),
        1,
        "{text}"
    );
    // One header per file, in order.
    let headers: Vec<&str> = text.lines().filter(|l| l.starts_with("── ")).collect();
    assert_eq!(
        headers,
        [
            "── fixtures/demo/cloudformation/uploads.yaml ──",
            "── fixtures/demo/kubernetes/orders.yaml ──",
            "── fixtures/demo/terraform/main.tf ──",
        ]
    );
    // Headlines name the problem, not the pass condition.
    assert!(!text.contains("S3 bucket versioning is enabled"), "{text}");
    // Ids and paths are never split across lines by wrapping.
    for line in text.lines() {
        assert!(!line.trim_end().ends_with("AWS-"), "{line}");
    }
    // A missing attribute of a container underlines the container's first line only.
    let orders = text
        .split("── fixtures/demo/kubernetes/orders.yaml ──")
        .nth(1)
        .expect("orders.yaml section");
    let frame = orders
        .split("K8S-POD-005")
        .nth(1)
        .expect("K8S-POD-005 finding");
    let shown: Vec<&str> = frame
        .lines()
        .skip_while(|l| !l.contains("╭─"))
        .take_while(|l| !l.contains("╰────"))
        .collect();
    insta::assert_snapshot!("container_underline", shown.join("\n"));
}

#[test]
fn unknown_findings_do_not_read_as_failures_and_say_what_they_wait_for() {
    let out = guardrail(&["scan", "fixtures/input/unknown", "--select", "AWS-RDS-001"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(!text.contains('×'), "{text}");
    assert!(!text.contains("[high]"), "{text}");
    assert!(
        text.contains(
            "☞ AWS-RDS-001 [high if it fails] Unknown until deployment: RDS database storage"
        ),
        "{text}"
    );
    assert!(
        text.contains("waits for an input without a value"),
        "{text}"
    );
    let concise = stdout(&guardrail(&[
        "scan",
        "fixtures/input/unknown",
        "--select",
        "AWS-RDS-001",
        "--format",
        "concise",
    ]));
    assert!(
        concise.starts_with(
            "fixtures/input/unknown/main.tf:9:23: AWS-RDS-001 [high if it fails] Unknown until deployment: RDS database storage is encrypted at rest: "
        ),
        "{concise}"
    );
}

#[test]
fn the_summary_says_what_was_not_checked() {
    let dir = tempfile::tempdir().expect("temporary directory");
    write(
        &dir.path().join("infra/main.tf"),
        r#"
variable "region" { default = "westeurope" }
locals { name = "x" }
output "id" { value = azurerm_storage_account.a.id }

resource "azurerm_storage_account" "a" { name = local.name }
resource "azurerm_storage_account" "b" { name = "b" }
resource "azurerm_key_vault" "v" { name = "v" }
resource "google_storage_bucket" "g" { name = "g" }
resource "aws_s3_bucket" "s" { bucket = "s" }
"#,
    );
    write(
        &dir.path().join("infra/chart/Chart.yaml"),
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(
        &dir.path().join("infra/chart/templates/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    let out = guardrail_in(dir.path(), &["scan", "infra", "--select", "AWS-S3-007"]);
    let text = stdout(&out);
    let summary: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("not checked"))
        .collect();
    insta::assert_snapshot!("not_checked_text", summary.join("\n"));

    let out = guardrail_in(
        dir.path(),
        &[
            "scan",
            "infra",
            "--select",
            "AWS-S3-007",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let summary = &json["summary"];
    // Five resources: the variable, the local and the output are not counted.
    assert_eq!(summary["resources"], 5);
    insta::assert_json_snapshot!(
        "not_checked_json",
        serde_json::json!({ "unchecked": summary["unchecked"], "skipped": summary["skipped"] })
    );

    // Nothing to scan at all.
    write(&dir.path().join("empty/notes.txt"), "nothing here\n");
    let out = guardrail_in(dir.path(), &["scan", "empty"]);
    assert!(
        stdout(&out).starts_with("no infrastructure files found"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn explain_takes_prefixes_and_other_tools_ids_and_rules_shows_titles() {
    let out = guardrail(&["explain", "AWS-S3"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("16 rules under AWS-S3:\n"), "{text}");
    assert!(
        text.contains("AWS-S3-014  low       (opt-in) S3 bucket has Object Lock"),
        "{text}"
    );
    assert!(!text.contains("AWS-SECRETS"), "{text}");
    insta::assert_snapshot!("explain_prefix", text);

    // Checkov's id, in any case: the one rule that references it, in full.
    let out = guardrail(&["explain", "ckv_aws_20"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).starts_with("AWS-S3-001: S3 bucket ACL does not grant access"),
        "{}",
        stdout(&out)
    );

    let out = guardrail(&["explain", "AWS-S3-099"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did you mean one of AWS-S3-001"),
        "{stderr}"
    );

    let out = guardrail(&["rules"]);
    let text = stdout(&out);
    assert!(
        text.lines().next().is_some_and(|l| l.ends_with("TITLE")),
        "{text}"
    );
    assert!(text.contains("S3 bucket versioning is enabled"), "{text}");
}

#[test]
fn the_explain_hint_of_a_guard_finding_names_its_rule_file() {
    let rules = "fixtures/guard/architecture/rules.guard";
    let out = guardrail(&[
        "scan",
        "fixtures/guard/architecture/insecure.yaml",
        "--guard",
        rules,
        "--ignore",
        "AWS",
        "--ignore",
        "GEN",
    ]);
    // The hint may be wrapped between words.
    let text = stdout(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let hint = format!("more: guardrail explain RDS_STORAGE_ENCRYPTED --guard {rules}");
    assert!(text.contains(&hint), "{text}");
    let out = guardrail(&["explain", "RDS_STORAGE_ENCRYPTED", "--guard", rules]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).starts_with("RDS_STORAGE_ENCRYPTED: "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_minified_template_with_a_finding_past_column_65535_renders_in_text() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let padding = "x".repeat(72_000);
    let template = format!(
        r#"{{"AWSTemplateFormatVersion":"2010-09-09","Description":"{padding}","Resources":{{"Db":{{"Type":"AWS::RDS::DBInstance","Properties":{{"Engine":"mysql","StorageEncrypted":false}}}}}}}}"#
    );
    assert!(template.len() > 70_000 && !template.contains('\n'));
    let column = template.find("false").expect("the value") + 1;
    assert!(column > 65_535);
    write(&dir.path().join("minified.json"), &template);
    let out = guardrail_in(
        dir.path(),
        &["scan", "minified.json", "--select", "AWS-RDS-001"],
    );
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("[minified.json:1:{column}]")),
        "{text}"
    );
    assert!(
        text.contains("`Properties.StorageEncrypted` is false"),
        "{text}"
    );
    // The line is cut to a window around the finding.
    assert!(text.lines().all(|l| l.chars().count() < 400), "{text}");
    insta::assert_snapshot!("minified_text", text);
}

/// A finding on a module instance names where its value came from and the module calls that
/// placed it, in every format that can carry it: text under the finding, JSON `origin`,
/// SARIF `relatedLocations`.
#[test]
fn module_findings_name_the_chain_back_to_the_caller() {
    let dir = "fixtures/terraform/modules";
    let out = guardrail(&["scan", dir, "--format", "json", "--select", "AWS-LOGS-002"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{json:#}");
    let origin: Vec<String> = findings[0]["origin"]
        .as_array()
        .expect("origin")
        .iter()
        .map(|o| {
            format!(
                "{} {}:{}",
                o["role"].as_str().unwrap_or(""),
                o["file"].as_str().unwrap_or(""),
                o["line"]
            )
        })
        .collect();
    assert_eq!(
        origin,
        [
            "passed through here fixtures/terraform/modules/modules/site/main.tf:20",
            "passed through here fixtures/terraform/modules/main.tf:32",
            "passed through here fixtures/terraform/modules/main.tf:29",
            "defined here fixtures/terraform/modules/main.tf:17",
            "in module.site[\"blog\"].module.bucket fixtures/terraform/modules/modules/site/main.tf:16",
            "in module.site[\"blog\"] fixtures/terraform/modules/main.tf:27",
        ]
    );
    let out = guardrail(&["scan", dir, "--format", "sarif", "--select", "AWS-LOGS-002"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    let related = sarif["runs"][0]["results"][0]["relatedLocations"]
        .as_array()
        .expect("relatedLocations");
    assert_eq!(related.len(), 6);
    assert_eq!(related[3]["message"]["text"], "defined here");
    let out = guardrail(&["scan", dir, "--select", "AWS-LOGS-002"]);
    let text = stdout(&out);
    assert!(
        text.contains("↳ in module.site[\"blog\"]: fixtures/terraform/modules/main.tf:27:8"),
        "{text}"
    );
}
