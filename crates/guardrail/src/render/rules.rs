//! Views of the rule pack: the `guardrail rules` table, its JSON, the helper list, and the
//! full documentation of one rule that `guardrail explain` prints.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::rules::builtin::examples;
use crate::rules::catalog::control;
use crate::rules::helpers::HELPERS;
use crate::rules::lang::Literal;
use crate::rules::model::Rule;

/// One line per rule: id, severity, frameworks, STRIDE, NIST.
pub fn table(rules: &[Rule]) -> String {
    let rows: Vec<[String; 5]> = rules
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                r.severity.name().to_owned(),
                r.bindings
                    .iter()
                    .map(|b| b.framework.name())
                    .collect::<Vec<_>>()
                    .join(","),
                r.stride
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(","),
                r.nist.join(","),
            ]
        })
        .collect();
    let header = ["ID", "SEVERITY", "FRAMEWORKS", "STRIDE", "NIST"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<w$}  ");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &rows {
        line(&row.each_ref().map(String::as_str));
    }
    let _ = writeln!(
        out,
        "\n{} rules · guardrail explain <ID> for one in full",
        rules.len()
    );
    out
}

/// The rules as JSON: metadata and bindings.
pub fn json(rules: &[Rule]) -> Json {
    Json::Array(
        rules
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "title": r.title,
                    "severity": r.severity,
                    "stride": r.stride,
                    "nist": r.nist,
                    "frameworks": r.bindings.iter().map(|b| b.framework.name()).collect::<Vec<_>>(),
                    "references": r.references,
                    "rationale": r.rationale,
                    "remediation": r.remediation,
                    "path": r.path,
                })
            })
            .collect(),
    )
}

/// The helpers rule conditions can call, with their documentation.
pub fn helpers() -> String {
    let mut out = String::new();
    for h in HELPERS {
        let args = (0..h.arity)
            .map(|i| format!("arg{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "{}({args})\n{}\n", h.name, indent(h.doc, 4));
    }
    out
}

/// Everything about one rule, with failing and passing examples from its fixtures.
pub fn explain(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", rule.id, rule.title);
    let stride: Vec<&str> = rule.stride.iter().map(|s| s.name()).collect();
    let _ = writeln!(
        out,
        "severity: {} · STRIDE: {}",
        rule.severity.name(),
        stride.join(", ")
    );
    out.push_str("NIST SP 800-53 rev5:\n");
    for id in &rule.nist {
        let title = control(id).map_or("", |c| c.title);
        let family = control(id).map_or("", |c| c.family_title);
        let _ = writeln!(out, "  {id:<10} {title} ({family})");
    }
    let _ = writeln!(out, "\nWhy it matters\n{}", indent(&rule.rationale, 2));
    let _ = writeln!(out, "\nHow to fix it\n{}", indent(&rule.remediation, 2));
    out.push_str("\nWhat is checked\n");
    for b in &rule.bindings {
        let types: Vec<&str> = b.types.iter().map(|t| t.0.as_str()).collect();
        let _ = writeln!(out, "  {}: {}", b.framework.name(), types.join(", "));
        if let Some(when) = &b.when {
            let _ = writeln!(out, "    applies when: {}", when.text.trim());
        }
        let _ = writeln!(out, "    requires:     {}", b.require.text.trim());
        for (path, value) in &b.defaults {
            let _ = writeln!(out, "    when absent:  {path} = {}", literal(value));
        }
    }
    if !rule.references.is_empty() {
        out.push_str("\nThe same check elsewhere\n");
        for (tool, ids) in &rule.references {
            let _ = writeln!(out, "  {tool}: {}", ids.join(", "));
        }
    }
    for b in &rule.bindings {
        let framework = b.framework.name();
        let examples = examples(&rule.id, framework);
        for (label, files) in [("fails", examples.failing), ("passes", examples.passing)] {
            for (path, text) in files {
                let _ = writeln!(
                    out,
                    "\nExample that {label} ({framework}: {path})\n{}",
                    indent(text.trim_end(), 2)
                );
            }
        }
    }
    let _ = writeln!(out, "\nRule file: {}", rule.path);
    out
}

fn literal(value: &Literal) -> String {
    match value {
        Literal::Null => "null".into(),
        Literal::Bool(b) => b.to_string(),
        Literal::Number(n) => n.to_string(),
        Literal::String(s) => format!("{s:?}"),
        Literal::List(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
