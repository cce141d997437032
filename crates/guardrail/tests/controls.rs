//! The compliance view through the whole pipeline: NIST SP 800-53 rev5 controls assessed by
//! the verdicts of a scan, on the static site's insecure and secure variants and the demo.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use guardrail::compliance::{ComplianceView, ControlState, NistBaseline};
use guardrail::render::controls;
use guardrail::{Project, Settings};

const FIXTURES: &str = "../../fixtures";

fn view(path: &str, baseline: Option<NistBaseline>) -> ComplianceView {
    let mut settings = Settings::default();
    settings.describe_every_rule = true;
    let scan = Project::new([format!("{FIXTURES}/{path}")])
        .with_settings(settings)
        .scan()
        .expect("scans");
    ComplianceView::build(&scan.report, &scan.input.files, baseline)
}

fn state(view: &ComplianceView, label: &str) -> (ControlState, Vec<String>) {
    let control = view
        .controls
        .iter()
        .find(|c| c.control.label == label)
        .unwrap_or_else(|| panic!("{label} listed"));
    let failing = control
        .observations
        .iter()
        .filter(|o| o.status == guardrail::evaluate::Status::Fail)
        .map(|o| format!("{}@{}", o.rule, o.line))
        .collect();
    (control.state, failing)
}

#[test]
fn failing_rules_leave_their_controls_not_satisfied_and_passing_ones_satisfy_them() {
    let insecure = view("threats/static-site/insecure", None);
    let (ac3, failing) = state(&insecure, "AC-3");
    assert_eq!(ac3, ControlState::NotSatisfied);
    assert!(failing.contains(&"AWS-S3-001@13".to_owned()), "{failing:?}");
    assert_eq!(
        state(&insecure, "SC-5").0,
        ControlState::NotSatisfied,
        "no WAF"
    );

    let secure = view("threats/static-site/secure", None);
    for label in ["AC-3", "AC-6", "SC-5", "SC-8", "SC-28"] {
        assert_eq!(
            state(&secure, label),
            (ControlState::Satisfied, vec![]),
            "{label}"
        );
    }
}

#[test]
fn a_baseline_lists_the_controls_no_rule_assesses() {
    let view = view("demo", Some(NistBaseline::Moderate));
    let (state, _) = state(&view, "AC-1");
    assert_eq!(
        state,
        ControlState::NotAssessed,
        "policy and procedures: not in code"
    );
    let labels: Vec<&str> = view.controls.iter().map(|c| c.control.label).collect();
    let ac = |l: &str| labels.iter().position(|x| *x == l).expect("listed");
    assert!(ac("AC-3") < ac("AC-17"), "NIST order, not text order");
    assert!(ac("AC-6") < ac("AC-6(10)"));
}

#[test]
fn the_demo_controls_as_text() {
    insta::assert_snapshot!("demo_controls_text", controls::text(&view("demo", None)));
    let json = controls::json(&view("demo", None));
    assert_eq!(json["version"], 1);
    assert!(json["controls"].as_array().is_some_and(|c| !c.is_empty()));
}

#[test]
fn oscal_assessment_results_are_valid_and_the_same_on_every_run() {
    use guardrail::render::oscal::{OscalOptions, assessment_results};
    let schema: serde_json::Value = serde_json::from_str(include_str!(
        "data/oscal-1.2.3-assessment-results.schema.json"
    ))
    .expect("schema parses");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let options = OscalOptions::new("demo assessment", "2026-12-03T12:00:00Z");
    for path in [
        "demo",
        "threats/static-site/insecure",
        "threats/static-site/secure",
    ] {
        let document = assessment_results(&view(path, Some(NistBaseline::Low)), &options);
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{path}: invalid OSCAL:\n{}",
            errors.join("\n")
        );
        let mut broken = document.clone();
        broken["assessment-results"]["results"][0]["start"] = serde_json::json!("yesterday");
        assert!(!validator.is_valid(&broken), "the schema is really checked");
        let again = assessment_results(&view(path, Some(NistBaseline::Low)), &options);
        assert_eq!(document, again, "{path}: deterministic");
    }
    let document = assessment_results(&view("threats/static-site/insecure", None), &options);
    let result = &document["assessment-results"]["results"][0];
    let ac3 = result["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["target"]["target-id"] == "ac-3_obj")
        .expect("AC-3 finding");
    assert_eq!(ac3["target"]["status"]["state"], "not-satisfied");
    let observations = result["observations"].as_array().expect("observations");
    let related = ac3["related-observations"].as_array().expect("related");
    for r in related {
        let id = &r["observation-uuid"];
        assert!(
            observations.iter().any(|o| o["uuid"] == *id),
            "{id} defined"
        );
    }
    assert!(
        observations
            .iter()
            .any(|o| o["relevant-evidence"][0]["description"]
                .as_str()
                .is_some_and(|d| d.ends_with("insecure/main.tf:13:12"))),
        "the failing ACL line is the evidence"
    );
}
