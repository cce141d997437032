//! A [`ComplianceView`] as OSCAL assessment results (OSCAL 1.2.3): one result with the
//! reviewed controls, an observation per rule and resource (with its file:line:col as
//! evidence), and a finding per assessed control whose target status is satisfied or not.
//!
//! Every UUID is derived from content (a version 5 UUID of what it identifies), and the only
//! time in the document is the one the caller passes, so two runs on the same input are the
//! same byte for byte.

use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::compliance::{ComplianceView, ControlAssessment, ControlState, Observation};
use crate::evaluate::Status;

/// The OSCAL version the output conforms to.
pub const OSCAL_VERSION: &str = "1.2.3";

/// guardrail's namespace for v5 UUIDs (itself a v5 UUID of "guardrail" in the URL namespace).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"guardrail")
}

fn uuid(name: &str) -> String {
    Uuid::new_v5(&namespace(), name.as_bytes()).to_string()
}

/// What the document says about itself.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OscalOptions {
    /// The document's title.
    pub title: String,
    /// When the assessment ran (RFC 3339 with a time zone): the document's last-modified,
    /// the result's start and end, each observation's collection time.
    pub timestamp: String,
}

impl OscalOptions {
    /// Options with this title and timestamp.
    pub fn new(title: impl Into<String>, timestamp: impl Into<String>) -> Self {
        OscalOptions {
            title: title.into(),
            timestamp: timestamp.into(),
        }
    }
}

/// An observation's identity: what it observed.
fn observation_key(o: &Observation) -> String {
    format!("observation/{}/{}/{}", o.rule, o.file, o.resource)
}

fn observation(o: &Observation, timestamp: &str) -> Json {
    let verdict = match o.status {
        Status::Fail => "fails",
        Status::Unknown => "cannot be decided (a value known only at deployment)",
        _ => "passes",
    };
    json!({
        "uuid": uuid(&observation_key(o)),
        "title": format!("{} on {}", o.rule, o.resource),
        "description": format!("Rule {} {verdict} on {} ({}:{}:{}).", o.rule, o.resource, o.file, o.line, o.column),
        "methods": ["TEST"],
        "types": [if o.status == Status::Fail { "finding" } else { "control-objective" }],
        "relevant-evidence": [{
            "description": format!("{}:{}:{}", o.file, o.line, o.column),
        }],
        "collected": timestamp,
    })
}

fn finding(c: &ControlAssessment) -> Json {
    let label = c.control.label;
    let id = control_id(label);
    let (state, reason) = match c.state {
        ControlState::Satisfied => ("satisfied", "pass"),
        ControlState::NotSatisfied => ("not-satisfied", "fail"),
        _ => ("not-satisfied", "other"),
    };
    let mut finding = json!({
        "uuid": uuid(&format!("finding/{label}")),
        "title": format!("{label} {}", c.control.title),
        "description": format!(
            "{} of {} rule verdicts fail, {} cannot be decided, {} pass (rules: {}).",
            c.count(Status::Fail),
            c.observations.len(),
            c.count(Status::Unknown),
            c.count(Status::Pass),
            c.rules.join(", ")
        ),
        "target": {
            "type": "objective-id",
            "target-id": format!("{id}_obj"),
            "status": { "state": state, "reason": reason },
        },
    });
    if c.state == ControlState::Unverified {
        finding["target"]["status"]["remarks"] =
            json!("Values known only at deployment decide it; review them.");
    }
    let related: Vec<Json> = c
        .observations
        .iter()
        .map(|o| json!({ "observation-uuid": uuid(&observation_key(o)) }))
        .collect();
    if !related.is_empty() {
        finding["related-observations"] = json!(related);
    }
    finding
}

/// The OSCAL control id of a label: `AC-6(10)` is `ac-6.10`.
fn control_id(label: &str) -> String {
    label
        .to_ascii_lowercase()
        .replace('(', ".")
        .replace(')', "")
}

/// The view as an OSCAL assessment-results document.
pub fn assessment_results(view: &ComplianceView, options: &OscalOptions) -> Json {
    let assessed: Vec<&ControlAssessment> = view
        .controls
        .iter()
        .filter(|c| c.state != ControlState::NotAssessed)
        .collect();
    let mut observations: Vec<&Observation> =
        view.controls.iter().flat_map(|c| &c.observations).collect();
    observations.sort_by_key(|o| observation_key(o));
    observations.dedup_by_key(|o| observation_key(o));
    let content: Vec<String> = observations
        .iter()
        .map(|o| format!("{} {}", observation_key(o), o.status.name()))
        .collect();
    let mut result = json!({
        "uuid": uuid(&format!("result/{}", content.join("\n"))),
        "title": options.title,
        "description": "Infrastructure code checked by guardrail's rules; each rule names the NIST SP 800-53 rev5 controls it assesses.",
        "start": options.timestamp,
        "end": options.timestamp,
        "reviewed-controls": {
            "control-selections": [{
                "include-controls": view
                    .controls
                    .iter()
                    .map(|c| json!({ "control-id": control_id(c.control.label) }))
                    .collect::<Vec<_>>(),
            }],
        },
    });
    if !observations.is_empty() {
        result["observations"] = json!(
            observations
                .iter()
                .map(|o| observation(o, &options.timestamp))
                .collect::<Vec<_>>()
        );
    }
    if !assessed.is_empty() {
        result["findings"] = json!(assessed.iter().map(|c| finding(c)).collect::<Vec<_>>());
    }
    json!({
        "assessment-results": {
            "uuid": uuid(&format!("assessment-results/{}/{}", options.title, content.join("\n"))),
            "metadata": {
                "title": options.title,
                "last-modified": options.timestamp,
                "version": env!("CARGO_PKG_VERSION"),
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": { "href": "#guardrail-rules" },
            "results": [result],
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_follow_oscal() {
        assert_eq!(control_id("AC-6(10)"), "ac-6.10");
        assert_eq!(control_id("SC-28"), "sc-28");
    }

    #[test]
    fn uuids_are_derived_from_content() {
        assert_eq!(uuid("finding/AC-3"), uuid("finding/AC-3"));
        assert_ne!(uuid("finding/AC-3"), uuid("finding/AC-4"));
        assert_eq!(
            Uuid::parse_str(&uuid("x")).map(|u| u.get_version_num()),
            Ok(5)
        );
    }
}
