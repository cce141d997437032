//! Views of the rule pack: the `guardrail rules` table, its JSON, the helper list, and the
//! full documentation of one rule that `guardrail explain` prints.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::render::markdown::{code_span, plain};
use crate::rules::builtin::examples;
use crate::rules::catalog::control;
use crate::rules::helpers::HELPERS;
use crate::rules::lang::Literal;
use crate::rules::model::{Binding, Rule};

/// Rules that `guardrail explain` found for a prefix or another tool's id: a heading, then
/// one line per rule (id, severity, title), then how to see one in full.
pub fn listing(heading: &str, rules: &[Rule]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = format!("{heading}:\n");
    for r in rules {
        let _ = writeln!(
            out,
            "  {:<width$}  {:<8}  {}",
            r.id,
            r.severity.name(),
            marked_title(r)
        );
    }
    out.push_str("\nguardrail explain <ID> for one in full\n");
    out.push_str(opt_in_footer(rules));
    out
}

/// The title, marked `(opt-in) ` when the rule is opt-in: how every list of rules (the CLI's,
/// the coverage page) shows that a default scan does not run it.
pub fn marked_title(rule: &Rule) -> String {
    if rule.opt_in {
        format!("(opt-in) {}", rule.title)
    } else {
        rule.title.clone()
    }
}

/// What the `(opt-in)` mark means, for a list that shows it (empty for one that does not).
fn opt_in_footer(rules: &[Rule]) -> &'static str {
    if rules.iter().any(|r| r.opt_in) {
        "(opt-in) rules run only when --select or `select` names them by id\n"
    } else {
        ""
    }
}

/// One line per rule: id, severity, frameworks, STRIDE, NIST, title.
pub fn table(rules: &[Rule]) -> String {
    let rows: Vec<[String; 6]> = rules
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
                marked_title(r),
            ]
        })
        .collect();
    let header = ["ID", "SEVERITY", "FRAMEWORKS", "STRIDE", "NIST", "TITLE"];
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
    out.push_str(opt_in_footer(rules));
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
                    "problem": r.problem,
                    "severity": r.severity,
                    "opt_in": r.opt_in,
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

/// Every framework's name, as bindings and fixture folders use it.
const FRAMEWORKS: [&str; 3] = ["cloudformation", "terraform", "kubernetes"];

/// Everything about one rule, with failing and passing examples from its fixtures.
pub fn explain(rule: &Rule) -> String {
    let mut out = documentation(rule);
    // A rule that another stage reports has examples for every framework.
    let frameworks: Vec<&str> = match rule.reported_by {
        Some(_) => FRAMEWORKS.to_vec(),
        None => rule.bindings.iter().map(|b| b.framework.name()).collect(),
    };
    for framework in frameworks {
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

/// A rule's own documentation as plain text: title, severity, STRIDE, NIST controls with
/// their titles, why it matters, how to fix it, what is checked per framework, and the same
/// check in other tools. `explain` prints it before the examples; SARIF rule help carries it.
pub fn documentation(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", rule.id, rule.title);
    let _ = writeln!(
        out,
        "severity: {} · STRIDE: {}",
        rule.severity.name(),
        stride(rule)
    );
    if rule.opt_in {
        let _ = writeln!(out, "{}", opt_in_note(rule));
    }
    out.push_str("NIST SP 800-53 rev5:\n");
    for (id, title, family) in controls(rule) {
        let _ = writeln!(out, "  {id:<10} {title} ({family})");
    }
    let _ = writeln!(out, "\nWhy it matters\n{}", indent(&rule.rationale, 2));
    let _ = writeln!(out, "\nHow to fix it\n{}", indent(&rule.remediation, 2));
    if !rule.bindings.is_empty() {
        out.push_str("\nWhat is checked\n");
    }
    if let Some(stage) = rule.reported_by {
        let _ = writeln!(
            out,
            "\nWhat is checked\n  {} (reported_by: {}, see {})",
            stage.what(),
            stage.name(),
            stage.documentation()
        );
    }
    for b in &rule.bindings {
        let _ = writeln!(out, "  {}: {}", b.framework.name(), types(b).join(", "));
        for (label, text) in checks(b) {
            let _ = writeln!(out, "    {:<13} {text}", format!("{label}:"));
        }
    }
    if !rule.references.is_empty() {
        out.push_str("\nThe same check elsewhere\n");
        for (tool, ids) in &rule.references {
            let _ = writeln!(out, "  {tool}: {}", ids.join(", "));
        }
    }
    out
}

/// What an opt-in rule's documentation says about when it runs.
fn opt_in_note(rule: &Rule) -> String {
    let mut names = vec![rule.id.as_str()];
    names.extend(rule.references.values().flatten().map(String::as_str));
    format!(
        "opt-in: runs only when selected by name ({}, with --select or the configuration's \
         `select`), never by default or by a prefix",
        names.join(", ")
    )
}

/// The same facts as [`documentation`], as Markdown (SARIF `help.markdown`, which GitHub
/// code scanning shows beside an alert). The title is left out: viewers show it already.
pub fn documentation_markdown(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**Severity:** {} · **STRIDE:** {}\n",
        rule.severity.name(),
        stride(rule)
    );
    if rule.opt_in {
        let _ = writeln!(out, "{}\n", plain(&opt_in_note(rule)));
    }
    out.push_str("**NIST SP 800-53 rev5:**\n\n");
    for (id, title, family) in controls(rule) {
        let _ = writeln!(out, "- {} {title} ({family})", code(id));
    }
    let _ = writeln!(
        out,
        "\n### Why it matters\n\n{}",
        plain(rule.rationale.trim_end())
    );
    let _ = writeln!(
        out,
        "\n### How to fix it\n\n{}",
        plain(rule.remediation.trim_end())
    );
    if !rule.bindings.is_empty() {
        out.push_str("\n### What is checked\n\n");
    }
    if let Some(stage) = rule.reported_by {
        let _ = writeln!(
            out,
            "\n### What is checked\n\n{} (`reported_by: {}`, see {}).",
            plain(stage.what()),
            stage.name(),
            code(stage.documentation())
        );
    }
    for b in &rule.bindings {
        let types: Vec<String> = types(b).into_iter().map(code).collect();
        let _ = writeln!(out, "- **{}**: {}", b.framework.name(), types.join(", "));
        for (label, text) in checks(b) {
            if text.contains('\n') {
                // A condition written over several lines keeps its layout in a code block
                // inside the list item.
                let fence = "`".repeat(longest_backtick_run(&text).max(2) + 1);
                let _ = writeln!(
                    out,
                    "  - {label}:\n\n    {fence}\n{}\n    {fence}",
                    indent(&text, 4)
                );
            } else {
                let _ = writeln!(out, "  - {label}: {}", code(&text));
            }
        }
    }
    if !rule.references.is_empty() {
        out.push_str("\n### The same check elsewhere\n\n");
        for (tool, ids) in &rule.references {
            let ids: Vec<String> = ids.iter().map(|id| code(id)).collect();
            let _ = writeln!(out, "- {tool}: {}", ids.join(", "));
        }
    }
    out
}

/// The rule's STRIDE categories, comma-separated.
fn stride(rule: &Rule) -> String {
    rule.stride
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each NIST control of the rule with its title and family title from the catalog (empty
/// when the catalog lacks it, which the rule loader already reports).
fn controls(rule: &Rule) -> impl Iterator<Item = (&str, &'static str, &'static str)> {
    rule.nist.iter().map(|id| {
        let c = control(id);
        (
            id.as_str(),
            c.map_or("", |c| c.title),
            c.map_or("", |c| c.family_title),
        )
    })
}

fn types(b: &Binding) -> Vec<&str> {
    b.types.iter().map(|t| t.0.as_str()).collect()
}

/// What a binding checks, as labelled lines: its filter, its requirement, its defaults.
fn checks(b: &Binding) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(when) = &b.when {
        out.push(("applies when", when.text.trim().to_owned()));
    }
    out.push(("requires", b.require.text.trim().to_owned()));
    for (path, value) in &b.defaults {
        out.push(("when absent", format!("{path} = {}", literal(value))));
    }
    out
}

/// `text` as one Markdown code span; line breaks become spaces (a span cannot hold them).
fn code(text: &str) -> String {
    let text = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    code_span(&text)
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
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
