//! The adversarial corpus: one case per class of hostile input that once crashed guardrail,
//! hung it or made it print without bound (issue 16). Big inputs are generated; each case
//! checks the exit code, the diagnostic code and that nothing panicked. The limits are in
//! docs/limits.md; the library's unit tests check each at the limit and one past it.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes `text` to `name` in `dir`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write input");
    path
}

/// Runs `scan --format json ARGS…`: exit code, the JSON report, stderr. The JSON must parse
/// and nothing may have panicked.
fn scan(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["scan", "--format", "json"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run guardrail");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().expect("exit code"), json, stderr)
}

/// A minified CloudFormation template of `n` S3 buckets, every one failing some rule.
fn minified_template(n: usize, extra: &str) -> String {
    let resources: Vec<String> = (0..n)
        .map(|i| {
            format!(r#""B{i}":{{"Type":"AWS::S3::Bucket","Properties":{{"BucketName":"b-{i}"}}}}"#)
        })
        .collect();
    format!(
        r#"{{"AWSTemplateFormatVersion":"2010-09-09",{extra}"Resources":{{{}}}}}"#,
        resources.join(",")
    )
}

#[test]
fn a_diagnostic_past_column_65535_is_printed_with_its_true_position() {
    let dir = tempfile::tempdir().unwrap();
    let pad = "x".repeat(70_000);
    let extra = format!(r#""Description":"{pad}","Metadata":{{"K":1,"K":2}},"#);
    let path = write(dir.path(), "long.json", &minified_template(3, &extra));
    let (code, json, stderr) = scan(&[path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(json["findings"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(stderr.contains("long.json:1:70077"), "{stderr}");
    assert!(stderr.contains("parse::duplicate-key"), "{stderr}");
    // The excerpt, not the 70 KB line.
    assert!(stderr.len() < 4_000, "{} bytes of stderr", stderr.len());
}

#[test]
fn thousands_of_repeated_diagnostics_print_a_bounded_count() {
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..4_000).map(|i| format!(r#""K":{i}"#)).collect();
    let extra = format!(r#""Metadata":{{{}}},"#, keys.join(","));
    let path = write(dir.path(), "dups.json", &minified_template(1, &extra));
    let (code, _, stderr) = scan(&[path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("(and 3,989 more like it in this file)"),
        "{stderr}"
    );
    assert!(stderr.len() < 20_000, "{} bytes of stderr", stderr.len());
}

#[test]
fn a_minified_template_with_many_resources_is_read_completely() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "min.json", &minified_template(2_000, ""));
    let (code, json, stderr) = scan(&[path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    let findings = json["findings"].as_array().expect("findings");
    assert!(findings.len() >= 2_000);
    // The last resource's column is far along the one line.
    let last = findings
        .iter()
        .filter_map(|f| f["column"].as_u64().or(f["start"]["column"].as_u64()))
        .max();
    assert!(last.is_some_and(|c| c > 100_000), "{last:?}");
}

#[test]
fn an_alias_of_a_large_string_is_an_alias_bomb() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(1 << 20);
    let mut text = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  Big: &big {big}\n  Copies:\n"
    );
    text.push_str(&"    - *big\n".repeat(17));
    text.push_str("Resources:\n  B:\n    Type: AWS::S3::Bucket\n");
    let path = write(dir.path(), "bomb.yaml", &text);
    let (code, _, stderr) = scan(&[path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("parse::alias-bomb"), "{stderr}");
    assert!(stderr.contains("bomb.yaml:21:7"), "{stderr}");
}

#[test]
fn an_hcl_object_with_too_many_keys_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let keys: String = (0..5_001).map(|i| format!("    k{i} = {i}\n")).collect();
    let text = format!("locals {{\n  big = {{\n{keys}  }}\n}}\n");
    let path = write(dir.path(), "main.tf", &text);
    let (code, _, stderr) = scan(&[path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("parse::too-many-keys"), "{stderr}");
    assert!(stderr.contains("main.tf:2:9"), "{stderr}");
}

/// Runs a scan of a small template with the Guard rule file `rules`; returns exit code and
/// stderr.
fn guard_case(rules: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let template = write(dir.path(), "t.json", &minified_template(1, ""));
    let rules = write(dir.path(), "r.guard", rules);
    let (code, _, stderr) = scan(&[
        template.to_str().unwrap(),
        "--guard",
        rules.to_str().unwrap(),
    ]);
    (code, stderr)
}

#[test]
fn guard_rule_files_that_would_overflow_cfn_guard_are_refused() {
    let nested_blocks = {
        let mut text = String::from("rule A {\n");
        text.push_str(&"Resources.* {\n".repeat(20_000));
        text.push_str("Type == 'x'\n");
        text.push_str(&"}\n".repeat(20_001));
        text
    };
    let deep_list = format!(
        "rule A {{ Resources.*.X in {}1{} }}\n",
        "[".repeat(2_000),
        "]".repeat(2_000)
    );
    let cases = [
        (
            "let a = %b\nlet b = %a\nrule r { %a EXISTS }\n".to_owned(),
            "guard::cyclic-variable",
            "r.guard:1:5",
        ),
        (
            "rule p(x) {\n  p(%x)\n}\nrule r { p(1) }\n".to_owned(),
            "guard::recursive-rule",
            "r.guard:2:3",
        ),
        (nested_blocks, "guard::too-deep", "r.guard:65:13"),
        (deep_list, "guard::too-deep", "r.guard:1:"),
    ];
    for (rules, want, at) in cases {
        let (code, stderr) = guard_case(&rules);
        assert_eq!(code, 2, "{want}: {stderr}");
        assert!(stderr.contains(want), "{want}: {stderr}");
        assert!(stderr.contains(at), "{want} at {at}: {stderr}");
    }
}

#[test]
fn a_file_over_the_size_limit_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("locals {\n  a = 1\n}\n");
    let limit = guardrail::input::MAX_FILE_BYTES as usize;
    text.push_str(&"#".repeat(limit + 1 - text.len()));
    let path = write(dir.path(), "big.tf", &text);
    let (code, _, stderr) = scan(&[path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("load::too-large"), "{stderr}");
}

#[test]
fn thousands_of_duplicate_terraform_locals_print_a_bounded_count() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..20_000)
        .map(|i| format!("locals {{\n  a = {i}\n}}\n"))
        .collect();
    write(dir.path(), "main.tf", &text);
    let (code, _, stderr) = scan(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("terraform::duplicate"), "{stderr}");
    assert!(
        stderr.contains("(and 19,989 more like it in this file)"),
        "{stderr}"
    );
    assert!(stderr.len() < 20_000, "{} bytes of stderr", stderr.len());
}

#[test]
fn an_error_at_the_end_of_a_file_whose_only_line_is_a_carriage_return_is_printed() {
    // Found by the config_file fuzz target: a guardrail.toml of one `\r` has its error past
    // the end of the (empty) line shown, where miette's reader panicked.
    let dir = tempfile::tempdir().unwrap();
    let template = write(dir.path(), "t.json", &minified_template(1, ""));
    let config = write(dir.path(), "guardrail.toml", "\r");
    let (code, _, stderr) = scan(&[
        template.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("guardrail.toml:1:2"), "{stderr}");
    let yaml = write(dir.path(), "cr.yaml", "\r");
    let (code, _, stderr) = scan(&[yaml.to_str().unwrap()]);
    assert!(code == 0 || code == 2, "{code}: {stderr}");
}
