//! The CI renderers (SARIF, JUnit, GitHub annotations, Markdown) over a real scan and over a
//! report bent to hold everything awkward: unknown and suppressed findings, a rule missing
//! from the rule list, absolute paths, markup, line breaks, pipes and control characters.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use guardrail::evaluate::Status;
use guardrail::render::{RenderOptions, github, junit, markdown, sarif};
use guardrail::report::{Gate, Report, ReportFinding, Suppression, SuppressionKind};
use guardrail::rules::model::Severity;
use guardrail::{ScanOutcome, Scanner};
use serde_json::Value as Json;

fn scan(path: &str) -> (Scanner, ScanOutcome) {
    let scanner = Scanner::builtin().expect("built-in rules");
    let outcome = scanner.scan(&[path.into()]);
    (scanner, outcome)
}

/// Validates against the bundled official schema; the messages name each violation.
fn assert_valid_sarif(log: &Json) {
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").expect("schema"),
    )
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

/// A report holding every awkward case, built from a real one so that it follows the
/// report's shape as it grows.
fn awkward() -> (Scanner, ScanOutcome) {
    let (scanner, mut outcome) = scan("../../fixtures/rules/AWS-RDS-001/terraform/fail");
    let template = outcome
        .report
        .findings
        .iter()
        .find(|f| f.rule_id == "AWS-RDS-001" && f.status == Status::Fail)
        .expect("an AWS-RDS-001 failure")
        .clone();
    let span = template.span;
    let variant = |change: &dyn Fn(&mut ReportFinding)| {
        let mut f = template.clone();
        change(&mut f);
        f
    };
    outcome.report = Report {
        findings: vec![
            variant(&|f| {
                f.message = "`a|b` is \"<x & y>\"\r\nnext: 50%, done\u{7}".into();
            }),
            variant(&|f| {
                f.status = Status::Unknown;
                f.message = "`storage_encrypted` is unknown until deployment".into();
            }),
            variant(&|f| {
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::Comment,
                    reason: Some("dev database, no data".into()),
                    span,
                });
            }),
            variant(&|f| {
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::Baseline,
                    reason: None,
                    span,
                });
            }),
            variant(&|f| {
                f.rule_id = "ORG-TEST-001".into();
                f.title = "A user rule | not in the list".into();
                f.headline = "A user rule | not in the list".into();
                f.severity = Severity::Info;
                f.file = "/srv/my infra/main.tf".into();
                f.fingerprint = "0123456789abcdef".into();
            }),
        ],
        ..outcome.report.clone()
    };
    (scanner, outcome)
}

#[test]
fn sarif_of_the_demo_is_valid_and_code_scanning_ready() {
    let (scanner, outcome) = scan("../../fixtures/demo");
    let log: Json = serde_json::from_str(&sarif::render(
        &outcome.report,
        &outcome.input.files,
        &RenderOptions::default(),
    ))
    .expect("SARIF is JSON");
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), scanner.rules().len());
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), outcome.report.findings.len());
    for r in results {
        let rule = &rules[r["ruleIndex"].as_u64().expect("ruleIndex") as usize];
        assert_eq!(rule["id"], r["ruleId"]);
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(uri.starts_with("../../fixtures/demo/"), "{uri}");
        assert!(r["partialFingerprints"][sarif::FINGERPRINT_KEY].is_string());
    }
    let rds = rules
        .iter()
        .find(|r| r["id"] == "AWS-RDS-001")
        .expect("AWS-RDS-001 listed");
    assert_eq!(rds["properties"]["security-severity"], "8.0");
    let markdown = rds["help"]["markdown"].as_str().expect("markdown help");
    assert!(
        markdown.contains("`SC-28(1)` Cryptographic Protection"),
        "{markdown}"
    );
    assert!(markdown.contains("### How to fix it"), "{markdown}");
}

#[test]
fn sarif_carries_unknown_suppressed_and_unlisted_findings() {
    let (scanner, outcome) = awkward();
    let log: Json = serde_json::from_str(&sarif::render(
        &outcome.report,
        &outcome.input.files,
        &RenderOptions::default(),
    ))
    .expect("SARIF is JSON");
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[1]["level"], "note");
    assert_eq!(results[1]["properties"]["status"], "unknown");
    assert_eq!(results[2]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        results[2]["suppressions"][0]["justification"],
        "dev database, no data"
    );
    assert_eq!(results[3]["suppressions"][0]["kind"], "external");
    // The rule missing from the list is described after the listed ones.
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let index = results[4]["ruleIndex"].as_u64().expect("index") as usize;
    assert_eq!(index, scanner.rules().len());
    assert_eq!(rules[index]["id"], "ORG-TEST-001");
    assert!(rules[index]["properties"]["security-severity"].is_null());
    assert_eq!(
        results[4]["locations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({ "uri": "file:///srv/my%20infra/main.tf" })
    );
}

#[test]
fn junit_parses_and_its_failures_are_the_gate_failures() {
    let (scanner, outcome) = awkward();
    let gate = Gate::default();
    let xml = junit::render(
        &outcome.report,
        &outcome.input.files,
        &RenderOptions::with_gate(gate),
    );
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let count = |name: &str| {
        root.descendants()
            .filter(|n| n.has_tag_name(name))
            .count()
            .to_string()
    };
    assert_eq!(root.attribute("failures"), Some(count("failure").as_str()));
    assert_eq!(root.attribute("skipped"), Some(count("skipped").as_str()));
    assert_eq!(root.attribute("tests"), Some(count("testcase").as_str()));
    // One finding fails the gate; the unknown, the two suppressed and the info one do not.
    assert_eq!(root.attribute("failures"), Some("1"));
    assert_eq!(root.attribute("skipped"), Some("4"));
    // The message survives escaping, control character aside.
    let failure = root
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("failure");
    assert!(
        failure
            .attribute("message")
            .expect("message")
            .ends_with("`a|b` is \"<x & y>\"\r\nnext: 50%, done\u{FFFD}"),
        "{:?}",
        failure.attribute("message")
    );
    assert_eq!(failure.attribute("type"), Some("high"));
    // Every rule that ran is a suite; the user rule's findings get one too.
    let suites = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .count();
    assert_eq!(suites, scanner.rules().len() + 1);
    let strict = junit::render(
        &outcome.report,
        &outcome.input.files,
        &RenderOptions::with_gate(gate.strict(true)),
    );
    let doc = roxmltree::Document::parse(&strict).expect("well-formed XML");
    assert_eq!(doc.root_element().attribute("failures"), Some("2"));
}

#[test]
fn github_annotations_escape_data_and_properties() {
    let (_, outcome) = awkward();
    let text = github::render(
        &outcome.report,
        &outcome.input.files,
        &RenderOptions::default(),
    );
    let lines: Vec<&str> = text.lines().collect();
    // Suppressed findings are not annotated.
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with(
            "::error file=../../fixtures/rules/AWS-RDS-001/terraform/fail/main.tf,line="
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains(
            ",title=AWS-RDS-001 (high)%3A RDS database storage is not encrypted at rest::"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("`a|b` is \"<x & y>\"%0D%0Anext: 50%25, done"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("::notice "), "{}", lines[1]);
    assert!(
        lines[2].starts_with("::notice file=/srv/my infra/main.tf,"),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains("title=ORG-TEST-001 (info)%3A A user rule | not in the list::"));
}

#[test]
fn markdown_tables_keep_their_columns() {
    let (_, outcome) = awkward();
    let text = markdown::render(
        &outcome.report,
        &outcome.input.files,
        &RenderOptions::default(),
    );
    // Each row of a table has as many unescaped pipes as its header.
    let mut width = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            width = None;
            continue;
        }
        let pipes = line.replace("\\|", "").matches('|').count();
        match width {
            None => width = Some(pipes),
            Some(w) => assert_eq!(pipes, w, "{line}"),
        }
    }
    assert!(
        text.contains(r#"`a\|b` is "\<x & y\>"<br>next: 50%, done"#),
        "{text}"
    );
    assert!(text.contains("2 suppressed"), "{text}");
    assert!(text.contains("dev database, no data"), "{text}");
    assert!(
        text.contains("| SC System and Communications Protection | SC-28, SC-28(1) | 2 | 1 |"),
        "{text}"
    );
}
