//! Views of a [`ComplianceView`]: text for a terminal, Markdown for a pull request or an
//! audit folder, JSON for tools (layout in docs/controls.md).

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::compliance::{ComplianceView, ControlAssessment, ControlState};
use crate::evaluate::Status;

/// Version of the JSON layout.
pub const CONTROLS_JSON_VERSION: u32 = 1;

/// States in the order views list them.
const STATES: [ControlState; 4] = [
    ControlState::NotSatisfied,
    ControlState::Unverified,
    ControlState::Satisfied,
    ControlState::NotAssessed,
];

/// How many failing observations a control shows in text and Markdown.
const FAILURES_SHOWN: usize = 5;

fn headline(view: &ComplianceView) -> String {
    let scope = match view.baseline {
        Some(b) => format!("the {} baseline", b.name()),
        None => "controls the rules assess".into(),
    };
    let counts: Vec<String> = STATES
        .iter()
        .map(|s| format!("{} {}", view.count(*s), s.name()))
        .collect();
    format!(
        "NIST SP 800-53 rev5, {scope}: {} controls · {}",
        view.controls.len(),
        counts.join(" · ")
    )
}

/// Listed controls: all but the unassessed ones, which only a baseline lists (and only by
/// label, they are many).
fn assessed(view: &ComplianceView) -> impl Iterator<Item = &ControlAssessment> {
    view.controls
        .iter()
        .filter(|c| c.state != ControlState::NotAssessed || !c.rules.is_empty())
}

fn unassessed_labels(view: &ComplianceView) -> Vec<&'static str> {
    view.controls
        .iter()
        .filter(|c| c.state == ControlState::NotAssessed && c.rules.is_empty())
        .map(|c| c.control.label)
        .collect()
}

fn failures(c: &ControlAssessment) -> impl Iterator<Item = String> + '_ {
    c.observations
        .iter()
        .filter(|o| o.status == Status::Fail)
        .take(FAILURES_SHOWN)
        .map(|o| {
            format!(
                "{} {} {}:{}:{}",
                o.rule, o.resource, o.file, o.line, o.column
            )
        })
}

/// The view as text: the headline, a table per family, then each assessed control with its
/// failing observations.
pub fn text(view: &ComplianceView) -> String {
    let mut out = headline(view);
    out.push_str("\n\nFAMILY  NOT-SATISFIED  UNVERIFIED  SATISFIED  NOT-ASSESSED  TITLE\n");
    for f in view.families() {
        let n = |s| f.states.get(&s).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "{:<6}  {:<13}  {:<10}  {:<9}  {:<12}  {}",
            f.family,
            n(ControlState::NotSatisfied),
            n(ControlState::Unverified),
            n(ControlState::Satisfied),
            n(ControlState::NotAssessed),
            f.title
        );
    }
    out.push_str("\nCONTROL    STATE          FAIL  UNKNOWN  PASS  TITLE\n");
    for c in assessed(view) {
        let _ = writeln!(
            out,
            "{:<9}  {:<13}  {:<4}  {:<7}  {:<4}  {}",
            c.control.label,
            c.state.name(),
            c.count(Status::Fail),
            c.count(Status::Unknown),
            c.count(Status::Pass),
            c.control.title
        );
        let _ = writeln!(out, "           rules: {}", c.rules.join(", "));
        for failure in failures(c) {
            let _ = writeln!(out, "           fail: {failure}");
        }
    }
    let unassessed = unassessed_labels(view);
    if !unassessed.is_empty() {
        let _ = writeln!(
            out,
            "\nNeed evidence from elsewhere (no rule assesses them): {}",
            unassessed.join(", ")
        );
    }
    out
}

/// The view as Markdown.
pub fn markdown(view: &ComplianceView) -> String {
    let mut out = format!("# {}\n\n", headline(view));
    out.push_str("| Family | Not satisfied | Unverified | Satisfied | Not assessed |\n|---|---|---|---|---|\n");
    for f in view.families() {
        let n = |s| f.states.get(&s).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "| {} {} | {} | {} | {} | {} |",
            f.family,
            f.title,
            n(ControlState::NotSatisfied),
            n(ControlState::Unverified),
            n(ControlState::Satisfied),
            n(ControlState::NotAssessed)
        );
    }
    out.push_str("\n| Control | State | Fail | Unknown | Pass | Rules | Failing |\n|---|---|---|---|---|---|---|\n");
    for c in assessed(view) {
        let failing: Vec<String> = failures(c).collect();
        let _ = writeln!(
            out,
            "| {} {} | {} | {} | {} | {} | {} | {} |",
            c.control.label,
            c.control.title,
            match c.state {
                ControlState::NotSatisfied => "**not satisfied**",
                other => other.name(),
            },
            c.count(Status::Fail),
            c.count(Status::Unknown),
            c.count(Status::Pass),
            c.rules.join(", "),
            failing.join("<br>")
        );
    }
    let unassessed = unassessed_labels(view);
    if !unassessed.is_empty() {
        let _ = writeln!(
            out,
            "\n**Need evidence from elsewhere** (no rule assesses them): {}",
            unassessed.join(", ")
        );
    }
    out
}

/// The view as JSON (docs/controls.md).
pub fn json(view: &ComplianceView) -> Json {
    json!({
        "version": CONTROLS_JSON_VERSION,
        "baseline": view.baseline.map(|b| b.name()),
        "summary": STATES.iter().map(|s| (s.name().to_owned(), json!(view.count(*s)))).collect::<serde_json::Map<_, _>>(),
        "families": view.families().iter().map(|f| json!({
            "family": f.family,
            "title": f.title,
            "states": f.states.iter().map(|(s, n)| (s.name().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "controls": view.controls.iter().map(|c| json!({
            "control": c.control.label,
            "title": c.control.title,
            "family": c.control.family,
            "state": c.state.name(),
            "rules": c.rules,
            "observations": c.observations.iter().map(|o| json!({
                "rule": o.rule,
                "resource": o.resource,
                "file": o.file,
                "line": o.line,
                "column": o.column,
                "status": o.status.name(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
