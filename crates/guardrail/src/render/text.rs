//! Human output: each finding as a miette diagnostic with the source line under it, then a
//! summary. Rendered to a string; the CLI decides where it goes and whether it has colour.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::RenderOptions;
use crate::evaluate::Status;
use crate::report::{Gate, Report, ReportFinding, SuppressionKind};
use crate::rules::model::Severity;
use crate::source::{FileId, SourceFiles};

/// Every finding (suppressed ones only with [`RenderOptions::show_suppressed`]), then the
/// summary line.
pub fn render(report: &Report, files: &SourceFiles, options: &RenderOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(options.width);
    let mut out = String::new();
    // miette wants to own the source it shows: one shared copy per file, not per finding.
    let mut sources: HashMap<FileId, Arc<String>> = HashMap::new();
    for finding in &report.findings {
        if finding.suppression.is_some() && !options.show_suppressed {
            continue;
        }
        let diagnostic = diagnostic(finding);
        let source = files.get(finding.span.file);
        let rendered = match source {
            Some(file) => {
                let text = sources
                    .entry(file.id)
                    .or_insert_with(|| Arc::new(file.text.clone()))
                    .clone();
                let report = miette::Report::new(diagnostic)
                    .with_source_code(NamedSource::new(file.display_path(), text));
                let mut s = String::new();
                handler.render_report(&mut s, report.as_ref()).map(|()| s)
            }
            None => {
                let mut s = String::new();
                handler.render_report(&mut s, &diagnostic).map(|()| s)
            }
        };
        match rendered {
            Ok(text) => out.push_str(&text),
            Err(_) => {
                let _ = writeln!(
                    out,
                    "{}:{} {} {}",
                    finding.file, finding.start, finding.rule_id, finding.message
                );
            }
        }
        out.push('\n');
    }
    out.push_str(&summary(report, &options.gate));
    out
}

fn diagnostic(f: &ReportFinding) -> MietteDiagnostic {
    let severity = match f.severity {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium | Severity::Low => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let status = match f.status {
        Status::Unknown => " (unknown until deployment)",
        _ => "",
    };
    let suppressed = match &f.suppression {
        Some(s) => format!(
            " (suppressed by {}: {})",
            suppression_kind(s.kind),
            s.reason.as_deref().unwrap_or("no reason given")
        ),
        None => String::new(),
    };
    let stride: Vec<&str> = f.stride.iter().map(|s| s.name()).collect();
    let start = f.span.start as usize;
    let len = (f.span.end - f.span.start) as usize;
    MietteDiagnostic::new(format!(
        "[{}] {}{status}{suppressed}\n{} ({}) at {}:{}",
        f.severity.name(),
        f.title,
        f.resource,
        f.resource_type,
        f.file,
        f.start
    ))
    .with_code(f.rule_id.clone())
    .with_severity(if f.suppression.is_some() {
        miette::Severity::Advice
    } else {
        severity
    })
    .with_label(LabeledSpan::at(start..start + len, f.message.clone()))
    .with_help(format!(
        "{}\nSTRIDE: {} · NIST 800-53: {} · more: guardrail explain {}",
        f.remediation,
        or_none(&stride.join(", ")),
        or_none(&f.nist.join(", ")),
        f.rule_id
    ))
}

/// A list as text, `none` when empty (a Guard rule without a mapping has no STRIDE or NIST).
fn or_none(list: &str) -> &str {
    if list.is_empty() { "none" } else { list }
}

/// How a suppression kind is named in text.
fn suppression_kind(kind: SuppressionKind) -> &'static str {
    match kind {
        SuppressionKind::Comment => "a guardrail:ignore comment",
        SuppressionKind::Metadata => "Metadata.guardrail.ignore",
        SuppressionKind::Annotation => "the guardrail.dev/ignore annotation",
        SuppressionKind::Checkov => "a Checkov skip",
        SuppressionKind::Guard => "Metadata.guard.SuppressedRules",
        SuppressionKind::Baseline => "the baseline",
    }
}

/// The last line: counts by severity, unknowns, suppressed findings, what was read, and
/// whether the gate fails.
pub fn summary(report: &Report, gate: &Gate) -> String {
    let s = report.summary();
    let outcome = report.gate(gate);
    let mut by_severity = Vec::new();
    for severity in Severity::ALL.iter().rev() {
        let n = report
            .findings
            .iter()
            .filter(|f| {
                f.status == Status::Fail && f.severity == *severity && f.suppression.is_none()
            })
            .count();
        if n > 0 {
            by_severity.push(format!("{n} {}", severity.name()));
        }
    }
    let mut line = format!(
        "{} failed{}, {} unknown{} · {} files, {} resources, {} rules",
        s.failed,
        if by_severity.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_severity.join(", "))
        },
        s.unknown,
        if s.suppressed > 0 {
            format!(", {} suppressed", s.suppressed)
        } else {
            String::new()
        },
        s.files,
        s.resources,
        s.rules
    );
    let _ = write!(
        line,
        " · gate (fail on {}{}): {}",
        gate.fail_on.name(),
        if gate.strict { ", strict" } else { "" },
        if outcome.failing > 0 {
            "FAILED"
        } else {
            "passed"
        }
    );
    let tally = report.guard_tally();
    if tally.documents > 0 {
        let count = |i: usize| -> usize {
            tally
                .rules
                .iter()
                .filter_map(|(_, n)| n.get(i))
                .sum::<usize>()
        };
        let _ = write!(
            line,
            " · Guard verdicts on {} documents: {} fail, {} pass, {} skip",
            tally.documents,
            count(0),
            count(1),
            count(2),
        );
    }
    if outcome.incomplete {
        line.push_str(" · INCOMPLETE: some input could not be read");
    }
    line.push('\n');
    line
}
