//! `--statistics`: the findings counted per rule, most first (like ruff's `--statistics`),
//! then the summary ([`render`]); or the same counts as JSON ([`json`]).

use std::fmt::Write as _;

use super::RenderOptions;
use super::text::summary;
use crate::report::Report;
use crate::source::SourceFiles;

/// One line per rule with findings: failed count, unknown count, rule id, severity and
/// headline; then the summary. Suppressed findings are not counted.
pub fn render(report: &Report, _files: &SourceFiles, options: &RenderOptions) -> String {
    let rows = report.statistics();
    let mut out = String::new();
    if !rows.is_empty() {
        let id_width = rows.iter().map(|r| r.rule_id.len()).max().unwrap_or(0);
        let _ = writeln!(
            out,
            "{:>6} {:>7}  {:<id_width$}  {:<8}  HEADLINE",
            "FAILED", "UNKNOWN", "RULE", "SEVERITY"
        );
        for r in &rows {
            let _ = writeln!(
                out,
                "{:>6} {:>7}  {:<id_width$}  {:<8}  {}",
                r.failed,
                r.unknown,
                r.rule_id,
                r.severity.name(),
                r.headline
            );
        }
        out.push('\n');
    }
    out.push_str(&summary(report, &options.gate));
    out
}

/// The counts as a pretty-printed JSON array, ending in a newline: per rule `rule`,
/// `severity`, `headline`, `failed`, `unknown`, most findings first.
pub fn json(report: &Report, _files: &SourceFiles, _options: &RenderOptions) -> String {
    let rows: Vec<serde_json::Value> = report
        .statistics()
        .iter()
        .map(|r| {
            serde_json::json!({
                "rule": r.rule_id,
                "severity": r.severity,
                "headline": r.headline,
                "failed": r.failed,
                "unknown": r.unknown,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rows)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot render JSON: {e}\"}}"));
    text.push('\n');
    text
}
