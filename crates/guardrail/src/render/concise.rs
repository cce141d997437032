//! One line per finding, like ruff's concise output: `file:line:col: RULE [severity]
//! headline: message`, then the summary. For terminals and editors that jump to `file:line:col`,
//! and for reading a thousand findings on a few screens.

use std::fmt::Write as _;

use super::RenderOptions;
use super::text::summary;
use crate::evaluate::Status;
use crate::report::Report;
use crate::source::SourceFiles;

/// Every finding on one line (suppressed ones only with [`RenderOptions::show_suppressed`],
/// marked), then the summary. An unknown finding's severity reads `[SEVERITY if it fails]`
/// (its headline says it is unknown until deployment).
pub fn render(report: &Report, _files: &SourceFiles, options: &RenderOptions) -> String {
    let mut out = String::new();
    for f in &report.findings {
        if f.suppression.is_some() && !options.show_suppressed {
            continue;
        }
        let tag = match f.status {
            Status::Unknown => format!("{} if it fails", f.severity.name()),
            _ => f.severity.name().to_owned(),
        };
        let suppressed = match &f.suppression {
            Some(s) => format!(" (suppressed: {})", s.kind.name()),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{}:{}: {} [{tag}] {}: {} ({}){suppressed}",
            f.file, f.start, f.rule_id, f.headline, f.message, f.resource
        );
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary(report, &options.gate));
    out
}
