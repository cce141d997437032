//! The semantics of conditions, each on a small hand-written input.

use std::path::PathBuf;

use crate::evaluate::{RulePack, Status};
use crate::rules::load::LoadedRules;
use crate::scan::{ScanOptions, build_graph};

/// Runs a one-binding rule over `files` (name, text) and returns `status address path: seen`
/// per finding (failed or unknown verdict).
fn run(
    framework: &str,
    types: &str,
    require: &str,
    extra: &str,
    files: &[(&str, &str)],
) -> Vec<String> {
    verdicts(framework, types, require, extra, files)
        .into_iter()
        .filter(|v| v.starts_with("fail ") || v.starts_with("unknown "))
        .collect()
}

/// [`run`], with every verdict: passes (`+` marks evidence from a provider default) and
/// not-applicable ones too.
fn verdicts(
    framework: &str,
    types: &str,
    require: &str,
    extra: &str,
    files: &[(&str, &str)],
) -> Vec<String> {
    let rule = format!(
        "id: TEST-X-001\ntitle: test\nseverity: low\nstride: [tampering]\nnist: [CM-6]\n\
         rationale: r\nremediation: r\nbindings:\n  {framework}:\n    types: [{types}]\n    require: '{require}'\n{extra}"
    );
    let mut loaded = LoadedRules::default();
    loaded.add_text("rules/test/x/TEST-X-001.yaml", rule);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let scan = build_graph(&[PathBuf::from(dir.path())], &ScanOptions::default());
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    let pack = RulePack::new(loaded.rules);
    pack.evaluate(&scan.graph)
        .into_iter()
        .map(|f| {
            let status = match (f.status, f.default) {
                (Status::Pass, true) => "pass+default",
                (status, _) => status.name(),
            };
            let address = scan
                .graph
                .resource(f.resource.expect("built-in rules judge resources"))
                .map(|r| r.address.clone())
                .unwrap_or_default();
            let address = address.rsplit('#').next().unwrap_or("").to_owned();
            format!("{status} {address} {}: {}", f.path, f.seen)
        })
        .collect()
}

const SG: &str = r#"
resource "aws_security_group" "open" {
  ingress {
    cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]
  }
}
resource "aws_security_group" "closed" {
  ingress {
    cidr_blocks = ["10.0.0.0/8"]
  }
  ingress {
    cidr_blocks = ["192.168.0.0/16"]
  }
}
resource "aws_security_group" "none" {}
resource "aws_security_group" "unknown" {
  ingress {
    cidr_blocks = [var.cidr]
  }
}
variable "cidr" {}
"#;

#[test]
fn comparisons_over_several_values_need_every_value() {
    assert_eq!(
        run(
            "terraform",
            "aws_security_group",
            "ingress.cidr_blocks != \"0.0.0.0/0\"",
            "",
            &[("main.tf", SG)]
        ),
        [
            "fail aws_security_group.open ingress.cidr_blocks: \"0.0.0.0/0\"",
            "unknown aws_security_group.unknown ingress.cidr_blocks: unknown until deployment (`var.cidr`: waits for an input without a value)",
        ]
    );
}

#[test]
fn quantifiers_are_vacuous_on_absent_lists_and_unknown_on_unknown_items() {
    assert_eq!(
        run(
            "terraform",
            "aws_security_group",
            "none(ingress, cidr_blocks contains \"0.0.0.0/0\")",
            "",
            &[("main.tf", SG)]
        ),
        [
            "fail aws_security_group.open ingress[0].cidr_blocks: [\"10.0.0.0/8\", \"0.0.0.0/0\"]",
            "unknown aws_security_group.unknown ingress[0].cidr_blocks: [unknown until deployment (`var.cidr`: waits for an input without a value)]",
        ]
    );
    assert_eq!(
        run(
            "terraform",
            "aws_security_group",
            "any(ingress, exists(cidr_blocks))",
            "",
            &[("main.tf", SG)]
        ),
        ["fail aws_security_group.none ingress: absent"]
    );
}

#[test]
fn defaults_stand_in_for_absent_attributes_and_kleene_logic_applies() {
    let cfn = "Resources:\n  A:\n    Type: AWS::X::Y\n    Properties: {}\n  B:\n    Type: AWS::X::Y\n    Properties:\n      On: !GetAtt Other.Value\n      Also: false\n";
    // absent → default false → fail; unknown `and` false → false; unknown `or` true → true
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "Properties.On == true",
            "    defaults:\n      Properties.On: false\n",
            &[("t.yaml", cfn)]
        ),
        [
            "fail A Properties.On: absent (the default is false)",
            "unknown B Properties.On: unknown until deployment (`Fn::GetAtt Other.Value`: waits for an attribute of another resource)",
        ]
    );
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "Properties.On == true and Properties.Also == true",
            "",
            &[("t.yaml", cfn)]
        ),
        [
            "fail A Properties.On: absent",
            "fail B Properties.Also: false"
        ]
    );
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "Properties.On == true or exists(Properties.Also)",
            "",
            &[("t.yaml", cfn)]
        ),
        ["fail A Properties.On: absent"]
    );
}

#[test]
fn fn_if_must_hold_in_both_branches() {
    let cfn = "Parameters:\n  Env: {Type: String}\nConditions:\n  C: !Equals [!Ref Env, prod]\nResources:\n  A:\n    Type: AWS::X::Y\n    Properties:\n      On: !If [C, true, false]\n  B:\n    Type: AWS::X::Y\n    Properties:\n      On: !If [C, true, \"true\"]\n";
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "Properties.On == true",
            "",
            &[("t.yaml", cfn)]
        ),
        ["fail A Properties.On: false"]
    );
}

#[test]
fn graph_predicates_look_at_neighbours() {
    let tf = r#"
resource "aws_s3_bucket" "blocked" {}
resource "aws_s3_bucket_public_access_block" "blocked" {
  bucket            = aws_s3_bucket.blocked.id
  block_public_acls = true
}
resource "aws_s3_bucket" "half" {}
resource "aws_s3_bucket_public_access_block" "half" {
  bucket            = aws_s3_bucket.half.id
  block_public_acls = false
}
resource "aws_s3_bucket" "bare" {}
"#;
    assert_eq!(
        run(
            "terraform",
            "aws_s3_bucket",
            "referenced_by(aws_s3_bucket_public_access_block, block_public_acls == true)",
            "",
            &[("main.tf", tf)]
        ),
        [
            "fail aws_s3_bucket.half aws_s3_bucket_public_access_block.half.block_public_acls: false",
            "fail aws_s3_bucket.bare : no aws_s3_bucket_public_access_block that satisfies the rule refers to this resource",
        ]
    );
}

#[test]
fn kubernetes_pod_roots_cover_every_workload_kind_and_container() {
    let k8s = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers: [{name: i, image: x, securityContext: {privileged: true}}]\n          containers: [{name: m, image: x}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: m, image: x}]\n";
    assert_eq!(
        run(
            "kubernetes",
            "workloads",
            "all($containers, securityContext.privileged != true)",
            "",
            &[("k.yaml", k8s)]
        ),
        ["fail CronJob/default/c $containers[0].securityContext.privileged: true"]
    );
}

#[test]
fn a_branch_that_removes_the_property_is_judged_by_the_default() {
    let cfn = "Parameters:\n  Env: {Type: String}\nConditions:\n  C: !Equals [!Ref Env, prod]\nResources:\n  A:\n    Type: AWS::X::Y\n    Properties:\n      Days: !If [C, 365, !Ref AWS::NoValue]\n";
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "Properties.Days > 0",
            "    defaults:\n      Properties.Days: 0\n",
            &[("t.yaml", cfn)]
        ),
        ["fail A Properties.Days: absent (the default is 0)"]
    );
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "exists(Properties.Days)",
            "",
            &[("t.yaml", cfn)]
        ),
        [] as [&str; 0],
        "exists holds when some branch sets it"
    );
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "Properties.Days > 0",
            "",
            &[("t.yaml", cfn)]
        ),
        ["fail A Properties.Days: absent"]
    );
}

#[test]
fn a_failing_neighbour_is_blamed_at_its_attribute() {
    let tf = "resource \"aws_s3_bucket\" \"b\" {}\nresource \"aws_s3_bucket_versioning\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = \"Suspended\"\n  }\n}\n";
    assert_eq!(
        run(
            "terraform",
            "aws_s3_bucket",
            "referenced_by(aws_s3_bucket_versioning, versioning_configuration.status == \"Enabled\")",
            "",
            &[("main.tf", tf)]
        ),
        [
            "fail aws_s3_bucket.b aws_s3_bucket_versioning.b.versioning_configuration.status: \"Suspended\""
        ]
    );
}

#[test]
fn entries_expose_map_keys_and_absent_item_values_point_at_the_item() {
    let cfn = "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          TABLE: orders\n          DB_PASSWORD: hunter2\n          API_KEY: !GetAtt Key.Arn\n";
    assert_eq!(
        run(
            "cloudformation",
            "AWS::Lambda::Function",
            "none(entries(Properties.Environment.Variables), value != \"\" and key contains \"PASSWORD\")",
            "",
            &[("t.yaml", cfn)]
        ),
        ["fail F Properties.Environment.Variables.DB_PASSWORD: \"hunter2\""]
    );
    let tf =
        "resource \"aws_security_group\" \"s\" {\n  ingress {\n    description = \"x\"\n  }\n}\n";
    assert_eq!(
        run(
            "terraform",
            "aws_security_group",
            "all(ingress, exists(cidr_blocks))",
            "",
            &[("main.tf", tf)]
        ),
        ["fail aws_security_group.s ingress[0].cidr_blocks: absent"]
    );
}

#[test]
fn entry_paths_keep_keys_that_merely_start_with_key_or_value() {
    let cfn = "Resources:\n  F:\n    Type: AWS::X::Y\n    Properties:\n      M:\n        one: {keyName: bad}\n";
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "none(entries(Properties.M), value.keyName == \"bad\")",
            "",
            &[("t.yaml", cfn)]
        ),
        ["fail F Properties.M.one.keyName: \"bad\""]
    );
    // Regression (paths as data): over a map's values, a first key that merely starts with
    // `key` or `value` was cut by string trimming (`Properties.M.one.Name`).
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "none(Properties.M.*, keyName == \"bad\")",
            "",
            &[("t.yaml", cfn)]
        ),
        ["fail F Properties.M.one.keyName: \"bad\""]
    );
}

#[test]
fn every_verdict_is_recorded_with_its_evidence() {
    let bucket = r#"
resource "aws_s3_bucket_public_access_block" "on" {
  block_public_acls  = true
  ignore_public_acls = true
}
resource "aws_s3_bucket_public_access_block" "half" {
  block_public_acls = true
}
resource "aws_s3_bucket_public_access_block" "skipped" {
  skip = true
}
"#;
    assert_eq!(
        verdicts(
            "terraform",
            "aws_s3_bucket_public_access_block",
            "block_public_acls == true and ignore_public_acls == true",
            "    when: 'not skip == true'\n    defaults:\n      ignore_public_acls: false\n",
            &[("main.tf", bucket)],
        ),
        [
            // `and` of passes: the first attribute is the evidence.
            "pass aws_s3_bucket_public_access_block.on block_public_acls: true",
            // A default decides the failure; the span is the resource's.
            "fail aws_s3_bucket_public_access_block.half ignore_public_acls: absent (the default is false)",
            // `when` is false: not applicable, at the attribute that says so.
            "not-applicable aws_s3_bucket_public_access_block.skipped skip: true",
        ]
    );
    assert_eq!(
        verdicts(
            "terraform",
            "aws_s3_bucket_public_access_block",
            "not block_public_policy == true",
            "    defaults:\n      block_public_policy: false\n",
            &[("main.tf", bucket)],
        )[0],
        "pass+default aws_s3_bucket_public_access_block.on block_public_policy: absent (the default is false)"
    );
}

#[test]
fn a_condition_the_template_decides_picks_its_branch() {
    // `!Equals [a, b]` is false wherever the stack is deployed: only the second branch
    // is ever the value.
    let cfn = "Conditions:\n  Never: !Equals [a, b]\n  Always: !Not [{Condition: Never}]\nResources:\n  A:\n    Type: AWS::X::Y\n    Properties:\n      On: !If [Never, false, true]\n      Off: !If [Always, false, true]\n";
    assert_eq!(
        run(
            "cloudformation",
            "AWS::X::Y",
            "Properties.On == true and Properties.Off == true",
            "",
            &[("t.yaml", cfn)]
        ),
        ["fail A Properties.Off: false"]
    );
}

#[test]
fn text_inside_base64_and_sub_is_read() {
    // Regression: the evaluator once stopped at `Fn::Base64` (unknown); the adapter now hands
    // out its argument, and `Fn::Sub` keeps its known text around the pseudo parameter.
    let cfn = "Resources:\n  A:\n    Type: AWS::X::Y\n    Properties:\n      UserData: !Base64\n        Fn::Sub: \"export KEY=AKIA2E0A8F3B244C9986 REGION=${AWS::Region}\"\n  B:\n    Type: AWS::X::Y\n    Properties:\n      UserData: !Base64 \"echo hello\"\n";
    let found = run(
        "cloudformation",
        "AWS::X::Y",
        "not secrets.known_format(Properties.UserData)",
        "",
        &[("t.yaml", cfn)],
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("fail A Properties.UserData"),
        "{found:?}"
    );
}

#[test]
fn a_workload_whose_pod_spec_cannot_be_read_is_unknown_not_passed() {
    let k8s = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec: \"{{ .Values.podSpec }}\"\n";
    let rule = "id: TEST-X-001\ntitle: test\nseverity: low\nstride: [tampering]\nnist: [CM-6]\n\
        rationale: r\nremediation: r\nbindings:\n  kubernetes:\n    types: [workloads]\n    \
        require: 'all($containers, securityContext.privileged != true) and $pod.hostPID != true'\n";
    let mut loaded = LoadedRules::default();
    loaded.add_text("rules/test/x/TEST-X-001.yaml", rule.to_owned());
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("k.yaml"), k8s).expect("write");
    let scan = build_graph(&[PathBuf::from(dir.path())], &ScanOptions::default());
    // The adapter says why.
    assert!(
        scan.diagnostics
            .iter()
            .any(|d| d.message.contains("its pods cannot be checked")),
        "{:?}",
        scan.diagnostics
    );
    let statuses: Vec<Status> = RulePack::new(loaded.rules)
        .evaluate(&scan.graph)
        .into_iter()
        .map(|f| f.status)
        .collect();
    assert_eq!(statuses, [Status::Unknown]);
}
