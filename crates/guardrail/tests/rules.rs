//! The built-in rule pack against its fixtures, and the meta-test of the pack's layout.
//!
//! For every rule and every framework it binds, `fixtures/rules/<ID>/<framework>/fail/` must
//! produce at least one failure of that rule and `…/pass/` none (neither fail nor unknown).
//! A rule without bindings that the suppression audit reports (`reported_by:
//! suppression-audit`) is held to the same for every framework, through a whole scan: its
//! failing fixtures hold wrong suppressions, its passing ones right ones. The findings on the
//! failing fixtures are an insta snapshot per rule; the passing verdicts on the passing
//! fixtures, with their evidence, one snapshot for the pack.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use guardrail::Scanner;
use guardrail::evaluate::{RulePack, Status};
use guardrail::rules::builtin::builtin;
use guardrail::rules::model::ReportedBy;
use guardrail::scan::{GraphScan, ScanOptions, build_graph};

const ROOT: &str = "../..";

fn pack() -> &'static guardrail::rules::load::LoadedRules {
    let loaded = builtin();
    let problems: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| format!("{:?}", d.to_report(&loaded.files)))
        .collect();
    assert!(
        problems.is_empty(),
        "built-in rules do not load:\n{}",
        problems.join("\n")
    );
    loaded
}

/// Findings (failed and unknown verdicts) of the one rule `rule` on `dir`, one line each,
/// paths relative to the root.
fn findings(rule: &guardrail::rules::model::Rule, dir: &Path) -> Vec<(Status, String)> {
    verdicts(rule, dir)
        .into_iter()
        .filter(|(s, _)| s.is_finding())
        .collect()
}

/// Every verdict of the one rule `rule` on `dir`, as [`findings`] shows them; a pass judged
/// by a provider default says so.
fn verdicts(rule: &guardrail::rules::model::Rule, dir: &Path) -> Vec<(Status, String)> {
    let scan: GraphScan = build_graph(&[dir.to_path_buf()], &ScanOptions::default());
    assert!(
        !scan.has_errors(),
        "fixture {} does not read cleanly: {:#?}",
        dir.display(),
        scan.diagnostics
    );
    let pack = RulePack::new(vec![rule.clone()]);
    pack.evaluate(&scan.graph)
        .into_iter()
        .map(|f| {
            let resource = f
                .resource
                .and_then(|id| scan.graph.resource(id))
                .expect("resource");
            let at = scan.files.start_of(f.span);
            let file = scan
                .files
                .get(f.span.file)
                .map(|file| file.display_path())
                .unwrap_or_default();
            let file = file.strip_prefix("../../").unwrap_or(&file).to_owned();
            let status = match (f.status, f.default) {
                (Status::Pass, true) => "pass (provider default)",
                (status, _) => status.name(),
            };
            let line = format!(
                "{file}:{at} {status} {} `{}`: {}",
                resource.address, f.path, f.seen
            );
            (f.status, line.replace("../../", ""))
        })
        .collect()
}

/// Findings of the audit rule `rule` on `dir`, through a whole scan with the built-in rules
/// (the suppressions are judged against their findings), one line each.
fn audit_findings(rule: &guardrail::rules::model::Rule, dir: &Path) -> Vec<(Status, String)> {
    let scanner = Scanner::builtin().expect("built-in rules");
    let outcome = scanner.scan(&[dir.to_path_buf()]);
    assert!(
        !outcome.input.has_errors(),
        "fixture {} does not read cleanly: {:#?}",
        dir.display(),
        outcome.input.diagnostics
    );
    outcome
        .report
        .findings
        .iter()
        .filter(|f| f.rule_id == rule.id)
        .map(|f| {
            let status = f.status.name();
            let line = format!(
                "{}:{} {status} {}: {}",
                f.file, f.start, f.resource, f.message
            );
            (f.status, line.replace("../../", ""))
        })
        .collect()
}

/// How to find one rule's findings on a fixture folder.
type Findings = fn(&guardrail::rules::model::Rule, &Path) -> Vec<(Status, String)>;

/// The frameworks a rule's fixtures must cover, each with how to find the rule's findings.
fn cases(rule: &guardrail::rules::model::Rule) -> Vec<(&'static str, Findings)> {
    match rule.reported_by {
        // Suppressions are written in every framework.
        Some(ReportedBy::SuppressionAudit) => ["cloudformation", "terraform", "kubernetes"]
            .into_iter()
            .map(|f| (f, audit_findings as Findings))
            .collect(),
        None => rule
            .bindings
            .iter()
            .map(|b| (b.framework.name(), findings as Findings))
            .collect(),
    }
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}

#[test]
fn every_rule_fails_its_failing_fixtures_and_passes_its_passing_ones() {
    let loaded = pack();
    let mut problems = Vec::new();
    let mut passes = Vec::new();
    for rule in &loaded.rules {
        let mut snapshot = Vec::new();
        assert!(
            !rule.bindings.is_empty() || rule.reported_by.is_some(),
            "{}: neither bindings nor another stage that reports it",
            rule.id
        );
        for (framework, findings) in cases(rule) {
            let base = PathBuf::from(ROOT)
                .join("fixtures/rules")
                .join(&rule.id)
                .join(framework);
            let (fail, pass) = (base.join("fail"), base.join("pass"));
            if files_in(&fail) == 0 || files_in(&pass) == 0 {
                problems.push(format!(
                    "{}: binds {framework} but fixtures/rules/{}/{framework}/fail/ and pass/ are not both there",
                    rule.id, rule.id
                ));
                continue;
            }
            let failing = findings(rule, &fail);
            if !failing.iter().any(|(s, _)| *s == Status::Fail) {
                problems.push(format!(
                    "{}: no failure on its {framework} failing fixture",
                    rule.id
                ));
            }
            let passing = findings(rule, &pass);
            if !passing.is_empty() {
                problems.push(format!(
                    "{}: findings on its {framework} passing fixture:\n  {}",
                    rule.id,
                    passing
                        .iter()
                        .map(|(_, l)| l.as_str())
                        .collect::<Vec<_>>()
                        .join("\n  ")
                ));
            }
            snapshot.push(format!("# {framework}"));
            snapshot.extend(failing.into_iter().map(|(_, l)| l));
            if rule.reported_by.is_some() {
                // The audit reports wrong suppressions; it records no passes.
                continue;
            }
            let evidence = verdicts(rule, &pass);
            if !evidence.iter().any(|(s, _)| *s == Status::Pass) {
                problems.push(format!(
                    "{}: no passing verdict on its {framework} passing fixture",
                    rule.id
                ));
            }
            passes.push(format!("# {} {framework}", rule.id));
            passes.extend(evidence.into_iter().map(|(_, l)| l));
        }
        insta::with_settings!({ snapshot_path => "snapshots/rules", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(rule.id.clone(), snapshot.join("\n"));
        });
    }
    // Passes are recorded with their evidence: the attribute that satisfies the rule, or the
    // resource when a provider default (or the attribute's absence) does.
    insta::assert_snapshot!("passing_fixture_evidence", passes.join("\n"));
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn rule_pack_layout_and_documentation() {
    let loaded = pack();
    assert!(!loaded.rules.is_empty());
    let ids: BTreeSet<&str> = loaded.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), loaded.rules.len(), "duplicate rule ids");
    for rule in &loaded.rules {
        // rules/<provider>/<service>/<ID>.yaml
        let parts: Vec<&str> = rule.path.split('/').collect();
        assert!(
            parts.len() == 4 && parts[0] == "rules" && parts[3] == format!("{}.yaml", rule.id),
            "{} is not at rules/<provider>/<service>/{}.yaml",
            rule.path,
            rule.id
        );
        let provider = rule.id.split('-').next().unwrap_or("").to_ascii_lowercase();
        assert_eq!(
            parts[1], provider,
            "{}: provider folder must be `{provider}`",
            rule.id
        );
        assert!(
            rule.rationale.len() >= 80,
            "{}: rationale too short to explain why",
            rule.id
        );
        assert!(
            rule.remediation.len() >= 40,
            "{}: remediation too short to act on",
            rule.id
        );
        assert!(
            !rule.references.is_empty(),
            "{}: no peer references",
            rule.id
        );
        // scripts/new-rule leaves TODO marks where the author must write.
        for (field, text) in [
            ("title", &rule.title),
            ("problem", &rule.problem),
            ("rationale", &rule.rationale),
            ("remediation", &rule.remediation),
        ] {
            assert!(
                !text.contains("TODO"),
                "{}: {field} still has the scaffold's TODO",
                rule.id
            );
        }
    }
    // Every fixture folder belongs to a rule.
    let fixtures = PathBuf::from(ROOT).join("fixtures/rules");
    for entry in std::fs::read_dir(&fixtures).expect("fixtures/rules") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            ids.contains(name.as_str()),
            "fixtures/rules/{name} has no rule"
        );
    }
}
