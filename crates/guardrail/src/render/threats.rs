//! Views of a [`ThreatModel`]: Markdown for a pull request or design document (a Mermaid
//! diagram with trust boundaries as subgraphs, then a STRIDE table per element), JSON
//! (docs/threats.md), the Open Threat Model format, and the diagram alone.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::rules::model::Severity;
use crate::threat::{Element, ElementKind, ElementThreat, Evidence, ThreatModel, ThreatState};

/// Version of the JSON layout.
pub const THREATS_JSON_VERSION: u32 = 1;

/// The OTM version written.
pub const OTM_VERSION: &str = "0.2.0";

/// How many pieces of evidence a Markdown cell shows before "and N more".
const EVIDENCE_SHOWN: usize = 4;

/// Whether an element is drawn in the diagram (supporting resources and boundaries are
/// not: they are attached to elements, or are the subgraphs).
fn drawn(element: &Element) -> bool {
    !matches!(
        element.kind,
        ElementKind::Supporting | ElementKind::Boundary
    )
}

/// The worst state of the threats on element `index`, if any.
fn worst(model: &ThreatModel, index: usize) -> Option<ThreatState> {
    model
        .threats
        .iter()
        .filter(|t| t.element == index)
        .map(|t| t.state)
        .min()
}

/// Text safe inside a Mermaid label.
fn mermaid_label(text: &str) -> String {
    text.replace('"', "#quot;")
}

/// What the diagram shows: which elements and which boundaries.
struct Drawing<'a> {
    model: &'a ThreatModel,
    shown: &'a [bool],
    used: &'a [bool],
}

/// Writes boundary `b` as a subgraph: its elements, then the boundaries inside it.
fn subgraph(drawing: &Drawing<'_>, b: usize, depth: usize, out: &mut String) {
    let model = drawing.model;
    let indent = "  ".repeat(depth);
    let Some(boundary) = model.boundaries.get(b) else {
        return;
    };
    let _ = writeln!(
        out,
        "{indent}subgraph b{b}[\"{}\"]",
        mermaid_label(&boundary.name)
    );
    for (i, element) in model.elements.iter().enumerate() {
        if drawing.shown[i] && element.boundary == b {
            let label = mermaid_label(&element.name);
            let node = match element.kind {
                ElementKind::ExternalEntity => format!("e{i}[\"{label}\"]"),
                ElementKind::DataStore => format!("e{i}[(\"{label}\")]"),
                _ => format!("e{i}([\"{label}\"])"),
            };
            let _ = writeln!(out, "{indent}  {node}");
        }
    }
    for (inner, candidate) in model.boundaries.iter().enumerate() {
        if candidate.parent == Some(b) && drawing.used[inner] {
            subgraph(drawing, inner, depth + 1, out);
        }
    }
    let _ = writeln!(out, "{indent}end");
}

/// The data-flow diagram as a Mermaid flowchart: trust boundaries as nested subgraphs,
/// external entities as boxes, processes as rounded shapes, data stores as cylinders, and
/// elements with an exposed threat outlined in red.
pub fn mermaid(model: &ThreatModel) -> String {
    let mut out = String::from("flowchart LR\n");
    let shown: Vec<bool> = model.elements.iter().map(drawn).collect();
    // A boundary is drawn when it or one inside it holds a drawn element.
    let used = used_boundaries(model, &shown);
    for (b, candidate) in model.boundaries.iter().enumerate() {
        if candidate.parent.is_none() && used[b] {
            subgraph(
                &Drawing {
                    model,
                    shown: &shown,
                    used: &used,
                },
                b,
                1,
                &mut out,
            );
        }
    }
    for flow in &model.flows {
        let _ = writeln!(out, "  e{} -->|{}| e{}", flow.from, flow.label, flow.to);
    }
    let exposed: Vec<String> = (0..model.elements.len())
        .filter(|i| shown[*i] && worst(model, *i) == Some(ThreatState::Exposed))
        .map(|i| format!("e{i}"))
        .collect();
    if !exposed.is_empty() {
        out.push_str("  classDef exposed stroke:#c00,stroke-width:3px\n");
        let _ = writeln!(out, "  class {} exposed", exposed.join(","));
    }
    out
}

/// Text safe inside a DOT quoted string.
fn dot_label(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Writes boundary `b` as a DOT cluster: its elements, then the boundaries inside it.
fn cluster(drawing: &Drawing<'_>, b: usize, depth: usize, out: &mut String) {
    let model = drawing.model;
    let indent = "  ".repeat(depth);
    let Some(boundary) = model.boundaries.get(b) else {
        return;
    };
    let _ = writeln!(
        out,
        "{indent}subgraph cluster_b{b} {{\n{indent}  label=\"{}\"; style=dashed;",
        dot_label(&boundary.name)
    );
    for (i, element) in model.elements.iter().enumerate() {
        if drawing.shown[i] && element.boundary == b {
            let shape = match element.kind {
                ElementKind::ExternalEntity => "box",
                ElementKind::DataStore => "cylinder",
                _ => "ellipse",
            };
            let color = match worst(model, i) {
                Some(ThreatState::Exposed) => "red",
                Some(ThreatState::Unverified) => "orange",
                Some(ThreatState::Mitigated) => "darkgreen",
                None => "gray",
            };
            let _ = writeln!(
                out,
                "{indent}  e{i} [label=\"{}\", shape={shape}, color={color}];",
                dot_label(&element.name)
            );
        }
    }
    for (inner, candidate) in model.boundaries.iter().enumerate() {
        if candidate.parent == Some(b) && drawing.used[inner] {
            cluster(drawing, inner, depth + 1, out);
        }
    }
    let _ = writeln!(out, "{indent}}}");
}

/// The data-flow diagram as Graphviz DOT (`dot -Tsvg` draws it): trust boundaries as
/// clusters, shapes by kind, outlines red, orange or green by the worst threat state.
pub fn dot(model: &ThreatModel) -> String {
    let shown: Vec<bool> = model.elements.iter().map(drawn).collect();
    let used = used_boundaries(model, &shown);
    let drawing = Drawing {
        model,
        shown: &shown,
        used: &used,
    };
    let mut out =
        String::from("digraph threats {\n  rankdir=LR;\n  node [fontname=\"sans-serif\"];\n");
    for (b, candidate) in model.boundaries.iter().enumerate() {
        if candidate.parent.is_none() && used[b] {
            cluster(&drawing, b, 1, &mut out);
        }
    }
    for flow in &model.flows {
        let _ = writeln!(
            out,
            "  e{} -> e{} [label=\"{}\"];",
            flow.from, flow.to, flow.label
        );
    }
    out.push_str("}\n");
    out
}

/// Which boundaries hold a drawn element, themselves or through one inside them.
fn used_boundaries(model: &ThreatModel, shown: &[bool]) -> Vec<bool> {
    let mut used = vec![false; model.boundaries.len()];
    for (element, _) in model.elements.iter().zip(shown).filter(|(_, s)| **s) {
        let mut at = Some(element.boundary);
        while let Some(b) = at {
            if let Some(slot) = used.get_mut(b) {
                *slot = true;
            }
            at = model.boundaries.get(b).and_then(|b| b.parent);
        }
    }
    used
}

/// A STRIDE category as a table shows it: `Information disclosure`.
fn category(threat: &ElementThreat) -> String {
    let name = threat.stride.name().replace('-', " ");
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn evidence_line(e: &Evidence) -> String {
    let attribute = if e.attribute.is_empty() {
        String::new()
    } else {
        format!(" `{}`", e.attribute.replace('|', "\\|"))
    };
    format!("{} {}:{}{}", e.rule, e.file, e.start, attribute)
}

/// Markdown table cell text: no pipes or line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The model as Markdown: summary, diagram, then a STRIDE table per element (threat, risk,
/// mitigation, state and evidence), elements with exposed threats first.
pub fn markdown(model: &ThreatModel) -> String {
    let mut out = String::from("# Threat model\n\n");
    let _ = writeln!(
        out,
        "{} elements · {} data flows · {} threats: **{} exposed**, {} unverified, {} mitigated{}\n",
        model.elements.len(),
        model.flows.len(),
        model.threats.len(),
        model.count(ThreatState::Exposed),
        model.count(ThreatState::Unverified),
        model.count(ThreatState::Mitigated),
        if model.unmodelled > 0 {
            format!(
                " · {} resources of types no element class lists are not modelled",
                model.unmodelled
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "```mermaid\n{}```\n", mermaid(model));
    let mut order: Vec<usize> = (0..model.elements.len()).collect();
    order.sort_by_key(|i| worst(model, *i).unwrap_or(ThreatState::Mitigated));
    for i in order {
        let element = &model.elements[i];
        let threats: Vec<&ElementThreat> =
            model.threats.iter().filter(|t| t.element == i).collect();
        if threats.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "## {} — {} ({})\n",
            element.name,
            element.class_name,
            element.kind.name()
        );
        let mut facts = Vec::new();
        if let Some((file, at)) = &element.location {
            facts.push(format!("`{file}:{at}`"));
        }
        if let Some(boundary) = model.boundaries.get(element.boundary) {
            facts.push(format!("in {}", boundary.name));
        }
        if !element.attached.is_empty() {
            facts.push(format!("with {}", element.attached.join(", ")));
        }
        let _ = writeln!(out, "{}\n", facts.join(" · "));
        out.push_str("| STRIDE | Threat | Risk | Mitigation | State | Evidence |\n|---|---|---|---|---|---|\n");
        for threat in threats {
            let mut evidence: Vec<String> = threat
                .evidence
                .iter()
                .take(EVIDENCE_SHOWN)
                .map(evidence_line)
                .collect();
            if threat.evidence.len() > EVIDENCE_SHOWN {
                evidence.push(format!(
                    "and {} more",
                    threat.evidence.len() - EVIDENCE_SHOWN
                ));
            }
            if evidence.is_empty() {
                evidence.push(format!(
                    "no rule decides it here ({})",
                    threat.rules.join(", ")
                ));
            }
            let state = match threat.state {
                ThreatState::Exposed => "**exposed**",
                other => other.name(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                category(threat),
                cell(&threat.title),
                cell(&threat.risk),
                cell(&threat.mitigation),
                state,
                cell(&evidence.join("<br>"))
            );
        }
        out.push('\n');
    }
    out
}

fn evidence_json(e: &Evidence) -> Json {
    json!({
        "rule": e.rule,
        "status": e.status.name(),
        "resource": e.resource,
        "file": e.file,
        "line": e.start.line,
        "column": e.start.column,
        "attribute": e.attribute,
        "seen": e.seen,
    })
}

/// The model as JSON (layout in docs/threats.md, versioned by [`THREATS_JSON_VERSION`]).
pub fn json(model: &ThreatModel) -> Json {
    let id = |i: usize| model.elements.get(i).map(|e| e.id.clone());
    let boundary_id = |b: usize| model.boundaries.get(b).map(|b| b.id.clone());
    json!({
        "version": THREATS_JSON_VERSION,
        "summary": {
            "elements": model.elements.len(),
            "flows": model.flows.len(),
            "threats": model.threats.len(),
            "exposed": model.count(ThreatState::Exposed),
            "unverified": model.count(ThreatState::Unverified),
            "mitigated": model.count(ThreatState::Mitigated),
            "unmodelled_resources": model.unmodelled,
        },
        "boundaries": model.boundaries.iter().map(|b| json!({
            "id": b.id,
            "name": b.name,
            "parent": b.parent.and_then(boundary_id),
        })).collect::<Vec<_>>(),
        "elements": model.elements.iter().map(|e| json!({
            "id": e.id,
            "name": e.name,
            "class": e.class,
            "class_name": e.class_name,
            "kind": e.kind.name(),
            "framework": e.framework.map(|f| f.name()),
            "file": e.location.as_ref().map(|(f, _)| f),
            "line": e.location.as_ref().map(|(_, at)| at.line),
            "column": e.location.as_ref().map(|(_, at)| at.column),
            "boundary": boundary_id(e.boundary),
            "internet_facing": e.internet_facing,
            "attached": e.attached,
        })).collect::<Vec<_>>(),
        "flows": model.flows.iter().map(|f| json!({
            "from": id(f.from),
            "to": id(f.to),
            "label": f.label,
        })).collect::<Vec<_>>(),
        "threats": model.threats.iter().map(|t| json!({
            "element": id(t.element),
            "id": t.id,
            "stride": t.stride.name(),
            "title": t.title,
            "risk": t.risk,
            "mitigation": t.mitigation,
            "rules": t.rules,
            "state": t.state.name(),
            "evidence": t.evidence.iter().map(evidence_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// OTM's impact score of a severity (0–100).
fn impact(severity: Severity) -> u32 {
    match severity {
        Severity::Critical => 100,
        Severity::High => 75,
        Severity::Medium => 50,
        Severity::Low => 25,
        Severity::Info => 10,
    }
}

/// How far a trust zone is trusted (OTM's `trustRating`, 0–100).
fn trust_rating(id: &str) -> u32 {
    match id.split(':').next().unwrap_or_default() {
        "internet" => 0,
        "ci" => 50,
        "vpc" | "namespace" => 80,
        _ => 70,
    }
}

/// The model in the Open Threat Model format (version [`OTM_VERSION`]): trust zones,
/// components with their threat instances (state `exposed`, `unverified` or `mitigated`,
/// the rules as mitigations: `required` when failing, `implemented` when the threat is
/// mitigated, `recommended` otherwise), data flows, and the threat and mitigation
/// definitions. `project` names the OTM project.
pub fn otm(model: &ThreatModel, project: &str) -> Json {
    let zone = |b: usize| {
        model
            .boundaries
            .get(b)
            .map(|b| b.id.clone())
            .unwrap_or_default()
    };
    let instance = |t: &ElementThreat| {
        // An exposed threat's evidence is its failing verdicts.
        let failing: Vec<&str> = match t.state {
            ThreatState::Exposed => t.evidence.iter().map(|e| e.rule.as_str()).collect(),
            _ => Vec::new(),
        };
        json!({
            "threat": t.id,
            "state": t.state.name(),
            "mitigations": t.rules.iter().map(|r| json!({
                "mitigation": r,
                "state": if failing.contains(&r.as_str()) {
                    "required"
                } else if t.state == ThreatState::Mitigated {
                    "implemented"
                } else {
                    "recommended"
                },
            })).collect::<Vec<_>>(),
        })
    };
    let components: Vec<Json> = model
        .elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut tags = vec![e.kind.name().to_owned()];
            tags.extend(e.framework.map(|f| f.name().to_owned()));
            let mut component = json!({
                "id": e.id,
                "name": e.name,
                "type": e.class,
                "parent": { "trustZone": zone(e.boundary) },
                "tags": tags,
                "threats": model.threats.iter().filter(|t| t.element == i).map(instance).collect::<Vec<_>>(),
            });
            if let Some((file, at)) = &e.location {
                component["description"] = json!(format!("{} at {file}:{at}", e.class_name));
            }
            component
        })
        .collect();
    // Definitions: one per threat id, with the worst impact among its rules.
    let mut threats: std::collections::BTreeMap<&str, (&ElementThreat, u32)> = Default::default();
    for t in &model.threats {
        let worst = t
            .rules
            .iter()
            .filter_map(|r| model.rules.get(r))
            .map(|(_, severity)| impact(*severity))
            .max()
            .unwrap_or(0);
        let entry = threats.entry(t.id.as_str()).or_insert((t, worst));
        entry.1 = entry.1.max(worst);
    }
    let mitigations: std::collections::BTreeSet<&str> = model
        .threats
        .iter()
        .flat_map(|t| t.rules.iter().map(String::as_str))
        .collect();
    json!({
        "otmVersion": OTM_VERSION,
        "project": { "name": project, "id": project },
        "representations": [{ "name": "guardrail", "id": "guardrail", "type": "code" }],
        "trustZones": model.boundaries.iter().map(|b| {
            let mut zone = json!({
                "id": b.id,
                "name": b.name,
                "risk": { "trustRating": trust_rating(&b.id) },
            });
            if let Some(parent) = b.parent.and_then(|p| model.boundaries.get(p)) {
                zone["parent"] = json!({ "trustZone": parent.id });
            }
            zone
        }).collect::<Vec<_>>(),
        "components": components,
        "dataflows": model.flows.iter().enumerate().map(|(i, f)| json!({
            "id": format!("flow-{i}"),
            "name": f.label,
            "source": model.elements.get(f.from).map(|e| e.id.clone()),
            "destination": model.elements.get(f.to).map(|e| e.id.clone()),
        })).collect::<Vec<_>>(),
        "threats": threats.values().map(|(t, impact)| json!({
            "id": t.id,
            "name": t.title,
            "description": t.risk,
            "categories": [t.stride.name()],
            "risk": {
                "likelihood": null,
                "likelihoodComment": "not assessed: depends on exposure guardrail does not see",
                "impact": impact,
                "impactComment": "the highest severity among the rules that mitigate it",
            },
        })).collect::<Vec<_>>(),
        "mitigations": mitigations.iter().map(|r| json!({
            "id": r,
            "name": model.rules.get(*r).map_or(r.to_string(), |(title, _)| if title.is_empty() { r.to_string() } else { title.clone() }),
            "riskReduction": 100,
        })).collect::<Vec<_>>(),
    })
}
