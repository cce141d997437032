//! `--guard`: AWS CloudFormation Guard rules run through cfn-guard, checked against the real
//! `cfn-guard validate` CLI's verdicts (recorded in `fixtures/guard/nist/expected.json`) and
//! for the places guardrail puts their findings.
#![cfg(feature = "guard")]
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use guardrail::Scanner;
use guardrail::evaluate::{Engine, Status};
use guardrail::guard::GuardRules;
use guardrail::report::Report;
use guardrail::source::SourceFiles;

const FIXTURES: &str = "../../fixtures/guard";

fn fixture(path: &str) -> PathBuf {
    Path::new(FIXTURES).join(path)
}

fn guard(rules: &[&str], mappings: &[&str]) -> GuardRules {
    let rules: Vec<PathBuf> = rules.iter().map(|r| fixture(r)).collect();
    let mappings: Vec<PathBuf> = mappings.iter().map(|m| fixture(m)).collect();
    let loaded = GuardRules::load(&rules, &mappings);
    assert!(
        !loaded.has_errors(),
        "{:?}",
        messages(&loaded.diagnostics, &loaded.files)
    );
    loaded
}

/// Scans `paths` with these Guard rules only (no built-in rules).
fn scan(guard: GuardRules, paths: &[PathBuf]) -> Report {
    let outcome = Scanner::new(Vec::new()).with_guard(guard).scan(paths);
    assert!(
        !outcome.report.incomplete(),
        "{:?}",
        messages(&outcome.report.diagnostics, &outcome.input.files)
    );
    outcome.report
}

fn messages(diagnostics: &[guardrail::diagnostic::Diagnostic], files: &SourceFiles) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| format!("{} {}", d.location(files), d.message))
        .collect()
}

/// cfn-guard's verdicts with this status: (document, rule), each once, sorted.
fn guard_verdicts(report: &Report, status: Status) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = report
        .verdicts
        .iter()
        .filter(|v| v.verdict.status == status)
        .filter_map(|v| match v.verdict.engine {
            Engine::Guard { document } => Some((document, report.rule_of(v)?.id.clone())),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// cfn-guard's verdict per file, document and rule (`FAIL` when any of the rule's verdicts
/// on the document fails, else `PASS` or `SKIP`).
fn per_document(report: &Report) -> BTreeMap<(String, u32), BTreeMap<String, &'static str>> {
    let mut out: BTreeMap<(String, u32), BTreeMap<String, &'static str>> = BTreeMap::new();
    for v in &report.verdicts {
        let Engine::Guard { document } = v.verdict.engine else {
            continue;
        };
        let (Some(rule), Some(subject)) = (report.rule_of(v), report.subject_of(v)) else {
            continue;
        };
        let verdict = match v.verdict.status {
            Status::Fail => "FAIL",
            Status::Pass => "PASS",
            _ => "SKIP",
        };
        let entry = out
            .entry((subject.file.clone(), document))
            .or_default()
            .entry(rule.id.clone())
            .or_insert(verdict);
        assert!(
            *entry == verdict || verdict == "FAIL" && *entry == "FAIL",
            "{} has two verdicts in {}",
            rule.id,
            subject.file
        );
    }
    out
}

/// Findings as one line each: rule, resource, where, message, suppression.
fn lines(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| {
            let suppressed = f
                .suppression
                .as_ref()
                .map(|s| format!(" [suppressed: {}]", s.kind.name()))
                .unwrap_or_default();
            format!(
                "{} {} {}:{} {}{suppressed}",
                f.rule_id, f.resource, f.file, f.start, f.message
            )
        })
        .collect()
}

#[test]
fn the_nist_rule_set_gives_cfn_guards_verdicts_on_every_template() {
    let report = scan(
        guard(
            &["registry/nist80053r5.guard"],
            &["registry/nist80053r5_rule_controls.json"],
        ),
        &[fixture("nist")],
    );
    let expected: BTreeMap<String, BTreeMap<String, String>> = serde_json::from_str(
        &std::fs::read_to_string(fixture("nist/expected.json")).expect("expected.json"),
    )
    .expect("expected.json parses");
    let prefix = format!("{FIXTURES}/nist/");
    let mut got: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for ((file, document), verdicts) in per_document(&report) {
        assert_eq!(document, 0, "a template is one document");
        let file = file
            .strip_prefix(&prefix)
            .expect("under the corpus")
            .to_owned();
        got.entry(file).or_default().extend(
            verdicts
                .into_iter()
                .map(|(rule, verdict)| (rule, verdict.to_owned())),
        );
    }
    assert_eq!(expected.len(), 58);
    assert!(expected.values().all(|rules| rules.len() == 72));
    assert_eq!(
        got, expected,
        "guardrail's verdicts differ from cfn-guard's"
    );

    // A rule fails on a template exactly when it has a finding there, and every finding is
    // on a line of its template.
    let failing: std::collections::BTreeSet<(String, String)> = got
        .iter()
        .flat_map(|(file, rules)| {
            rules
                .iter()
                .filter(|(_, v)| *v == "FAIL")
                .map(move |(rule, _)| (file.clone(), rule.clone()))
        })
        .collect();
    let with_findings: std::collections::BTreeSet<(String, String)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.file.strip_prefix(&prefix).unwrap_or(&f.file).to_owned(),
                f.rule_id.clone(),
            )
        })
        .collect();
    assert_eq!(failing, with_findings);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.start.line >= 1 && f.end >= f.start)
    );
}

#[test]
fn nist_controls_and_severity_come_from_the_mapping_and_the_built_in_rules() {
    let guard = guard(
        &["registry/nist80053r5.guard"],
        &["registry/nist80053r5_rule_controls.json"],
    );
    assert_eq!(guard.rules.len(), 72);
    let rule = |id: &str| {
        guard
            .rules
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{id} loaded"))
    };
    let rds = rule("RDS_STORAGE_ENCRYPTED");
    // The registry's statement-level labels, as catalog controls.
    assert_eq!(
        rds.nist,
        [
            "AU-9(3)", "CP-9", "SC-13", "SC-28(1)", "SC-8(3)", "SC-8(4)", "SI-19(4)"
        ]
    );
    // AWS-RDS-001 references this Guard rule: its severity and STRIDE carry over.
    assert_eq!(rds.severity.name(), "high");
    assert_eq!(
        rds.references.get("guardrail"),
        Some(&vec!["AWS-RDS-001".to_owned()])
    );
    assert_eq!(rds.title, "All RDS instances must have encrypted storage.");
    assert_eq!(
        rds.remediation,
        "Set the StorageEncrypted parameter to true."
    );
    // No built-in rule references this one: medium, STRIDE from its controls.
    let sns = rule("SNS_ENCRYPTED_KMS");
    assert_eq!(sns.severity.name(), "medium");
    assert!(!sns.stride.is_empty() && !sns.nist.is_empty());
}

#[test]
fn the_architecture_examples_point_at_the_offending_property() {
    let rules = || guard(&["architecture/rules.guard"], &[]);
    let insecure = scan(rules(), &[fixture("architecture/insecure.yaml")]);
    insta::assert_snapshot!("architecture_insecure", lines(&insecure).join("\n"));
    let secure = scan(rules(), &[fixture("architecture/secure.yaml")]);
    assert!(secure.findings.is_empty(), "{:?}", lines(&secure));
    assert_eq!(
        guard_verdicts(&secure, Status::Pass),
        [
            (0, "RDS_NOT_PUBLIC".to_owned()),
            (0, "RDS_STORAGE_ENCRYPTED".to_owned()),
            (0, "VPC_TAGGED".to_owned()),
        ]
    );
}

#[test]
fn every_kubernetes_document_is_evaluated() {
    // cfn-guard itself reads only the first document of a stream.
    let report = scan(
        guard(&["cases/k8s.guard"], &[]),
        &[fixture("cases/k8s.yaml")],
    );
    assert_eq!(
        guard_verdicts(&report, Status::Pass),
        [(0, "K8S_NO_PRIVILEGED".to_owned())]
    );
    assert_eq!(
        guard_verdicts(&report, Status::Fail),
        [(1, "K8S_NO_PRIVILEGED".to_owned())]
    );
    assert_eq!(report.guard_tally().documents, 2);
    insta::assert_snapshot!("kubernetes", lines(&report).join("\n"));
}

#[test]
fn suppressions_of_both_kinds_and_mapping_files_apply() {
    let report = scan(
        guard(&["cases/suppress.guard"], &["cases/mapping.toml"]),
        &[fixture("cases/suppress.yaml")],
    );
    insta::assert_snapshot!("suppressions", lines(&report).join("\n"));
    let finding = &report.findings[0];
    assert_eq!(finding.severity.name(), "low");
    assert_eq!(finding.nist[..], ["CP-9", "SI-12"]);
    assert_eq!(report.summary().failed, 1);
}

#[test]
fn broken_and_clashing_rule_files_are_errors_at_their_line() {
    let loaded = GuardRules::load(
        &[
            fixture("cases/broken.guard"),
            fixture("architecture/rules.guard"),
            fixture("cases/duplicate.guard"),
        ],
        &[],
    );
    assert!(loaded.has_errors());
    let found = messages(&loaded.diagnostics, &loaded.files);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with(&format!(
            "{FIXTURES}/cases/broken.guard:6:38 Guard rule file does not parse"
        )),
        "{found:?}"
    );
    assert!(
        found[1].starts_with(&format!(
            "{FIXTURES}/cases/duplicate.guard:1:6 Guard rule `VPC_TAGGED` is also defined at {FIXTURES}/architecture/rules.guard:22:6"
        )),
        "{found:?}"
    );
    // The broken file's rules are not used; the others are.
    let ids: Vec<&str> = loaded.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        ["RDS_STORAGE_ENCRYPTED", "RDS_NOT_PUBLIC", "VPC_TAGGED"]
    );
}

#[test]
fn deep_documents_and_aliases_are_evaluated_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Within guardrail's nesting limit, deep enough to matter to a recursive reader.
    let depth = 180;
    let mut deep = String::from(
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      StorageEncrypted: false\n      Tags: ",
    );
    deep.push_str(&"[".repeat(depth));
    deep.push_str(&"]".repeat(depth));
    deep.push('\n');
    std::fs::write(dir.path().join("deep.yaml"), deep).expect("write");
    // cfn-guard refuses aliases; guardrail has expanded them before cfn-guard sees the data.
    std::fs::write(
        dir.path().join("alias.yaml"),
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: &props\n      StorageEncrypted: false\n      PubliclyAccessible: false\n  Db2:\n    Type: AWS::RDS::DBInstance\n    Properties: *props\n",
    )
    .expect("write");
    let report = scan(
        guard(&["architecture/rules.guard"], &[]),
        &[dir.path().to_path_buf()],
    );
    let summary: Vec<String> = per_document(&report)
        .into_iter()
        .map(|((file, _), verdicts)| {
            let name = Path::new(&file)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_owned();
            let with = |verdict: &str| -> Vec<String> {
                verdicts
                    .iter()
                    .filter(|(_, v)| **v == verdict)
                    .map(|(rule, _)| rule.clone())
                    .collect()
            };
            format!("{name} fail={:?} pass={:?}", with("FAIL"), with("PASS"))
        })
        .collect();
    assert_eq!(
        summary,
        [
            "alias.yaml fail=[\"RDS_STORAGE_ENCRYPTED\"] pass=[\"RDS_NOT_PUBLIC\"]",
            "deep.yaml fail=[\"RDS_NOT_PUBLIC\", \"RDS_STORAGE_ENCRYPTED\"] pass=[]",
        ]
    );
    // The alias shares its anchor's text, but each finding is on its own resource.
    let on_alias: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.file.ends_with("alias.yaml"))
        .map(|f| {
            format!(
                "{} {}",
                f.resource.rsplit('#').next().unwrap_or(""),
                f.start
            )
        })
        .collect();
    assert_eq!(on_alias, ["Db 5:25", "Db2 5:25"]);
}

#[test]
fn a_rule_about_the_whole_template_is_a_finding_on_the_template() {
    let report = scan(
        guard(&["cases/template.guard"], &[]),
        &[fixture("cases/undescribed.yaml")],
    );
    let found: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {}",
                f.rule_id, f.resource, f.resource_type, f.start, f.message
            )
        })
        .collect();
    assert_eq!(
        found,
        [format!(
            "TEMPLATE_DESCRIBED {FIXTURES}/cases/undescribed.yaml template 1:1 `Description` is absent"
        )]
    );
}

#[cfg(feature = "render")]
#[test]
fn markdown_folds_the_guard_verdicts_per_rule() {
    let outcome = Scanner::new(Vec::new())
        .with_guard(guard(&["architecture/rules.guard"], &[]))
        .scan(&[fixture("architecture")]);
    let markdown = guardrail::render::markdown::render(
        &outcome.report,
        &outcome.input.files,
        &guardrail::render::RenderOptions::default(),
    );
    let verdicts = markdown
        .split("<details><summary>Guard verdicts")
        .nth(1)
        .expect("a Guard verdicts section");
    insta::assert_snapshot!("markdown_guard_verdicts", verdicts);
}

#[test]
fn one_guard_rule_on_one_resource_and_attribute_is_one_finding() {
    let report = scan(
        guard(&["cases/repeated.guard"], &[]),
        &[fixture("cases/repeated.yaml")],
    );
    let found: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{} {} {} {}", f.rule_id, f.resource, f.start, f.message))
        .collect();
    // cfn-guard fails three clauses on the one absent attribute.
    assert_eq!(
        found,
        [format!(
            "DB_STORAGE_ENCRYPTED {FIXTURES}/cases/repeated.yaml#Unencrypted 5:5 `Properties.StorageEncrypted` is absent"
        )]
    );
}

#[test]
fn the_registry_rules_give_one_finding_per_rule_resource_and_attribute() {
    let report = scan(
        guard(&["registry/nist80053r5.guard"], &[]),
        &[
            fixture("nist/lambda/fail.yaml"),
            fixture("nist/edge/combined-fail.yaml"),
        ],
    );
    let mut seen = std::collections::BTreeSet::new();
    for f in &report.findings {
        assert!(
            seen.insert((&f.rule_id, &f.resource, &f.attribute)),
            "{} on {} `{}` twice",
            f.rule_id,
            f.resource,
            f.attribute
        );
    }
    // LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED fails two clauses on each of these attributes.
    assert!(seen.iter().any(|(rule, _, attribute)| {
        *rule == "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED"
            && *attribute == "Properties.SourceAccount"
    }));
}
