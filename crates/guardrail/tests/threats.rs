//! The threat model through the whole pipeline: a static site behind CloudFront, deployed from
//! GitHub Actions, in an insecure and a secure variant (the threats its STRIDE table names are
//! exposed on the right components with the failing line, then mitigated with the passing
//! one), the demo's model as Markdown and JSON snapshots, and OTM output checked against the
//! OTM 0.2.0 schema.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use guardrail::Project;
use guardrail::render::threats;
use guardrail::threat::{ThreatCatalog, ThreatModel, ThreatState};

const FIXTURES: &str = "../../fixtures";

fn model(path: &str) -> ThreatModel {
    let scan = Project::new([format!("{FIXTURES}/{path}")])
        .scan()
        .expect("scans");
    ThreatModel::build(
        &scan.input,
        &scan.report,
        ThreatCatalog::builtin().expect("tables"),
    )
}

/// `element threat state rule@line…` for every threat.
fn states(model: &ThreatModel) -> Vec<String> {
    model
        .threats
        .iter()
        .map(|t| {
            let evidence: Vec<String> = t
                .evidence
                .iter()
                .map(|e| format!("{}@{}", e.rule, e.start.line))
                .collect();
            format!(
                "{} {} {} {}",
                model.elements[t.element].id,
                t.id,
                t.state.name(),
                evidence.join(",")
            )
        })
        .collect()
}

#[test]
fn the_insecure_site_exposes_the_threats_its_stride_table_names() {
    let model = model("threats/static-site/insecure");
    let states = states(&model);
    for expected in [
        // Spoofing: unauthorized CI/CD access — the OIDC trust does not pin the repository.
        "aws_iam_openid_connect_provider.github S-ROLE-ASSUMPTION exposed AWS-IAM-005@66",
        // Tampering: state corruption — no state locking.
        "terraform.backend.s3 T-STATE-CORRUPTION exposed TF-STATE-002@4",
        // Information disclosure: public S3 access.
        "aws_s3_bucket.site I-PUBLIC-DATA exposed AWS-S3-001@13,AWS-S3-002@18,AWS-S3-004@19,AWS-S3-003@20,AWS-S3-005@21",
        // Denial of service: traffic floods — no WAF in front of CloudFront.
        "aws_cloudfront_distribution.site D-TRAFFIC-FLOOD exposed AWS-CLOUDFRONT-002@24",
        // Elevation of privilege: over-permissive IAM.
        "aws_iam_openid_connect_provider.github E-OVER-PERMISSIVE-IAM exposed AWS-IAM-001@81,AWS-IAM-003@81",
    ] {
        assert!(
            states.iter().any(|s| s == expected),
            "{expected}\nnot in\n{states:#?}"
        );
    }
    assert_eq!(model.count(ThreatState::Mitigated), 0, "{states:#?}");
}

#[test]
fn the_secure_site_mitigates_the_same_threats_with_the_passing_lines() {
    let model = model("threats/static-site/secure");
    let states = states(&model);
    for expected in [
        "aws_iam_openid_connect_provider.github S-ROLE-ASSUMPTION mitigated AWS-IAM-005@110,AWS-IAM-006@110",
        "terraform.backend.s3 T-STATE-CORRUPTION mitigated TF-STATE-002@9",
        "aws_cloudfront_distribution.site D-TRAFFIC-FLOOD mitigated AWS-CLOUDFRONT-002@69",
    ] {
        assert!(
            states.iter().any(|s| s == expected),
            "{expected}\nnot in\n{states:#?}"
        );
    }
    let public = states
        .iter()
        .find(|s| s.starts_with("aws_s3_bucket.site I-PUBLIC-DATA mitigated "))
        .expect("public access mitigated");
    assert!(public.contains("AWS-S3-002@41"), "{public}");
    assert_eq!(model.count(ThreatState::Exposed), 0, "{states:#?}");
    // The deployment role's policy grants the CI system access to the bucket: a flow, not
    // protection of the bucket.
    let flows: Vec<String> = model
        .flows
        .iter()
        .map(|f| {
            format!(
                "{} -{}-> {}",
                model.elements[f.from].id, f.label, model.elements[f.to].id
            )
        })
        .collect();
    assert_eq!(
        flows,
        [
            "internet -requests-> aws_cloudfront_distribution.site",
            "aws_iam_openid_connect_provider.github -grants access-> aws_s3_bucket.site",
            "aws_cloudfront_distribution.site -reference-> aws_s3_bucket.site",
        ]
    );
}

#[test]
fn the_demo_model_as_markdown_and_json() {
    let model = model("demo");
    insta::assert_snapshot!("demo_threats_markdown", threats::markdown(&model));
    insta::assert_json_snapshot!("demo_threats_json", threats::json(&model));
}

#[test]
fn otm_output_is_valid_open_threat_model() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/otm-0.2.0.schema.json")).expect("schema parses");
    let validator = jsonschema::draft7::new(&schema).expect("schema compiles");
    for path in [
        "demo",
        "threats/static-site/insecure",
        "threats/static-site/secure",
    ] {
        let otm = threats::otm(&model(path), "site");
        let errors: Vec<String> = validator
            .iter_errors(&otm)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{path}: invalid OTM:\n{}",
            errors.join("\n")
        );
        // Every data flow and component threat refers to something defined.
        let ids = |key: &str| -> Vec<String> {
            otm[key]
                .as_array()
                .expect("list")
                .iter()
                .filter_map(|v| v["id"].as_str().map(str::to_owned))
                .collect()
        };
        let components = ids("components");
        for flow in otm["dataflows"].as_array().expect("flows") {
            for end in ["source", "destination"] {
                let id = flow[end].as_str().expect("id");
                assert!(components.iter().any(|c| c == id), "{path}: {id}");
            }
        }
        let defined = ids("threats");
        for component in otm["components"].as_array().expect("components") {
            for instance in component["threats"].as_array().expect("threats") {
                let id = instance["threat"].as_str().expect("id");
                assert!(defined.iter().any(|d| d == id), "{path}: {id}");
            }
        }
    }
}

#[test]
fn the_html_report_is_one_self_contained_page() {
    use guardrail::compliance::ComplianceView;
    use guardrail::render::RenderOptions;
    use guardrail::render::html::{Page, render};
    let mut settings = guardrail::Settings::default();
    settings.describe_every_rule = true;
    let scan = Project::new([format!("{FIXTURES}/threats/static-site/insecure")])
        .with_settings(settings)
        .scan()
        .expect("scans");
    let model = ThreatModel::build(
        &scan.input,
        &scan.report,
        ThreatCatalog::builtin().expect("tables"),
    );
    let controls = ComplianceView::build(&scan.report, &scan.input.files, None);
    let options = RenderOptions::with_gate(scan.gate.gate);
    let html = render(&Page::new(
        &scan.report,
        &scan.input.files,
        &options,
        &model,
        &controls,
    ));
    for part in [
        "<!DOCTYPE html>",
        "content=\"default-src 'none'; style-src 'unsafe-inline'\"",
        "<span class=\"badge decision-failed\" id=\"decision\">failed</span>",
        "<svg id=\"diagram\"",
        "<table id=\"stride\">",
        "<table id=\"nist\">",
        "<div id=\"findings\">",
        // The public ACL, with its source line.
        "<pre>  acl    = &quot;public-read&quot;</pre>",
    ] {
        assert!(html.contains(part), "{part} missing");
    }
    // Exposed elements are drawn red; the flow from the internet is an arrow.
    assert!(html.contains("<g class=\"element exposed\"><title>aws_s3_bucket.site"));
    assert!(html.contains("<title>requests</title>"));
    // Nothing to fetch: no external reference but the SVG namespace.
    for attribute in ["src=", "href=", "url(http", "@import"] {
        assert!(!html.contains(attribute), "{attribute} in the page");
    }
    // (URLs in the scanned code are text; in an attribute only the SVG namespace.)
    assert_eq!(
        html.matches("=\"http").count(),
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
}

#[test]
fn the_diagram_as_dot() {
    let model = model("threats/static-site/secure");
    insta::assert_snapshot!("static_site_secure_dot", threats::dot(&model));
}

#[test]
fn subnets_routed_to_an_internet_gateway_are_the_public_tier() {
    let model = model("threats/vpc-tiers");
    let boundary = |id: &str| {
        let element = model.elements.iter().find(|e| e.id == id).expect("element");
        model.boundaries[element.boundary].id.clone()
    };
    assert_eq!(boundary("aws_lb.web"), "public-subnets:vpc:aws_vpc.main");
    assert_eq!(
        boundary("aws_db_instance.db"),
        "private-subnets:vpc:aws_vpc.main"
    );
    let parents: Vec<Option<&str>> = model
        .boundaries
        .iter()
        .filter(|b| b.id.contains("subnets:"))
        .map(|b| b.parent.map(|p| model.boundaries[p].id.as_str()))
        .collect();
    assert_eq!(parents, [Some("vpc:aws_vpc.main"); 2]);
}
