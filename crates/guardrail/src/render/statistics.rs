//! `--statistics`: the findings counted per rule, most first (like ruff's `--statistics`),
//! then the summary.

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
