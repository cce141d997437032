//! The command line as a Unix tool and a CI gate: rule selection that fails closed, pipes
//! that close early, defaults and confirmations.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::Read as _;
use std::process::{Command, Output, Stdio};

fn guardrail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run guardrail")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that the run was refused as a usage error (exit 2) that says `expected`.
fn assert_refused(out: &Output, expected: &str) {
    let stderr = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");
}

/// The ids of the rules that judged something in a JSON scan (failed, unknown or passed).
fn rules(out: &Output) -> std::collections::BTreeSet<String> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    ["findings", "passed"]
        .iter()
        .flat_map(|key| report[key].as_array().expect("verdicts"))
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn selectors_that_match_nothing_fail_with_a_suggestion() {
    for (flag, value, suggestion) in [
        ("--select", "S3", "did you mean `AWS-S3`?"),
        ("--select", "AWS-S4", "did you mean `AWS-S3`?"),
        ("--ignore", "K8S-PD", "did you mean `K8S-POD`?"),
    ] {
        let out = guardrail(&["scan", "fixtures/demo", flag, value]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {value}: {}",
            stderr(&out)
        );
        let stderr = stderr(&out);
        assert!(
            stderr.contains(&format!("{flag}: `{value}` matches no rule")),
            "{stderr}"
        );
        assert!(stderr.contains(suggestion), "{stderr}");
        assert!(
            out.stdout.is_empty(),
            "no report for a scan that did not run"
        );
    }
}

#[test]
fn comma_lists_and_checkov_ids_select() {
    let out = guardrail(&[
        "scan",
        "fixtures/demo",
        "-f",
        "json",
        "--select",
        "AWS-S3,AWS-RDS",
    ]);
    let selected = rules(&out);
    assert!(!selected.is_empty());
    assert!(
        selected
            .iter()
            .all(|r| r.starts_with("AWS-S3-") || r.starts_with("AWS-RDS-")),
        "{selected:?}"
    );
    assert!(
        selected.iter().any(|r| r.starts_with("AWS-RDS-")),
        "{selected:?}"
    );
    // CKV_AWS_16 (RDS storage encryption) is referenced by AWS-RDS-001.
    let out = guardrail(&[
        "scan",
        "fixtures/demo",
        "-f",
        "json",
        "--select",
        "ckv_aws_16",
    ]);
    assert_eq!(rules(&out).into_iter().collect::<Vec<_>>(), ["AWS-RDS-001"]);
}

#[test]
fn a_scan_with_no_rule_left_is_an_error() {
    let out = guardrail(&[
        "scan",
        "fixtures/demo",
        "--select",
        "AWS-S3-001",
        "--ignore",
        "AWS-S3",
    ]);
    assert_refused(&out, "no rule would run");
}

#[test]
fn the_configuration_names_rules_that_exist() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("guardrail.toml"), "select = [\"AWS-S4\"]\n").expect("write");
    std::fs::write(dir.path().join("main.tf"), "").expect("write");
    let out = guardrail(&["scan", dir.path().to_str().expect("utf-8")]);
    assert_refused(&out, "guardrail.toml:1:11: `AWS-S4` matches no rule");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    for args in [
        &["scan", "fixtures/demo", "--format", "json"][..],
        &["completions", "bash"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guardrail"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // `| head -c 0`: the reader goes away before the output is written.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr)
            .expect("read stderr");
        let status = child.wait().expect("wait");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        let expected = if args[0] == "scan" { 1 } else { 0 };
        assert_eq!(status.code(), Some(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn scan_without_a_path_scans_the_working_directory() {
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["scan", "--format", "json", "--select", "AWS-RDS-001"])
        .current_dir("fixtures/demo")
        .output()
        .expect("run");
    assert_eq!(rules(&out).into_iter().collect::<Vec<_>>(), ["AWS-RDS-001"]);
}

#[test]
fn exit_zero_fail_on_in_any_case_frameworks_and_excludes() {
    let out = guardrail(&["scan", "fixtures/demo", "--exit-zero", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        report["findings"].as_array().is_some_and(|f| !f.is_empty()),
        "findings are still reported"
    );
    let out = guardrail(&[
        "scan",
        "fixtures/demo",
        "--fail-on",
        "CRITICAL",
        "-f",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let frameworks = |out: &Output| -> std::collections::BTreeSet<String> {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["framework"].as_str().map(str::to_owned))
            .collect()
    };
    let out = guardrail(&[
        "scan",
        "fixtures/demo",
        "-f",
        "json",
        "--framework",
        "Terraform",
    ]);
    assert_eq!(
        frameworks(&out).into_iter().collect::<Vec<_>>(),
        ["terraform"]
    );
    let out = guardrail(&[
        "scan",
        "fixtures/demo",
        "-f",
        "json",
        "--exclude",
        "**/terraform/**",
    ]);
    let left = frameworks(&out);
    assert!(!left.contains("terraform") && !left.is_empty(), "{left:?}");
    let out = guardrail(&["scan", "fixtures/demo", "--exclude", "[", "-f", "json"]);
    assert_refused(&out, "--exclude: `[` is not a glob");
}

#[test]
fn written_files_are_confirmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let baseline = dir.path().join("baseline.json");
    let out = guardrail(&[
        "scan",
        "fixtures/demo",
        "-f",
        "json",
        "-o",
        report.to_str().expect("utf-8"),
        "--write-baseline",
        baseline.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stderr = stderr(&out);
    assert!(
        stderr.contains(&format!("wrote {}", report.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("wrote {}", baseline.display())),
        "{stderr}"
    );
}

#[test]
fn configuration_paths_outside_the_repository_leak_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    std::fs::write(
        dir.path().join("guardrail.toml"),
        "guard = [\"/proc/self/environ\"]\nvar_files = [\"../../etc/passwd\"]\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("main.tf"), "").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["scan", dir.path().to_str().expect("utf-8")])
        .env("GUARDRAIL_TEST_SECRET", "do-not-print-me")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr(&out);
    assert!(stderr.contains("config::outside-repository"), "{stderr}");
    assert!(!stderr.contains("do-not-print-me"), "{stderr}");
    assert!(!stderr.contains("root:"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn special_files_named_as_configuration_or_baseline_are_refused() {
    for flag in ["--config", "--baseline"] {
        let out = guardrail(&["scan", "fixtures/demo", flag, "/dev/zero"]);
        assert_refused(&out, "not a regular file");
    }
}

#[test]
fn threats_models_the_demo() {
    let out = guardrail(&["threats", "fixtures/demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let markdown = String::from_utf8_lossy(&out.stdout);
    assert!(markdown.starts_with("# Threat model\n"), "{markdown}");
    assert!(
        markdown.contains("```mermaid\nflowchart LR\n"),
        "{markdown}"
    );
    assert!(markdown.contains("| **exposed** |"), "{markdown}");
    let out = guardrail(&["threats", "fixtures/demo", "-f", "otm", "--project", "demo"]);
    let otm: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(otm["project"]["id"], "demo");
    let out = guardrail(&["threats", "fixtures/input/bad/syntax.yaml"]);
    assert_eq!(out.status.code(), Some(2), "unreadable input fails closed");
}
