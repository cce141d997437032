//! Human output: findings grouped by file, each a miette diagnostic with the source line under
//! it, each rule's help once (after its first finding), then the summary. Rendered to a
//! string; the CLI decides where it goes, its width and whether it has colour.
//!
//! The cost is linear in the findings: miette is never handed a whole file. Each finding gets
//! an `Excerpt` of the lines around it, found through the file's line index, with long lines
//! cut to a window around the finding's column (so minified JSON, with columns past 65,535,
//! renders like any other file); the header keeps the true `file:line:col`.

use std::collections::HashSet;
use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::RenderOptions;
use crate::evaluate::Status;
use crate::report::{Gate, Report, ReportFinding, SuppressionKind};
use crate::rules::model::Severity;
use crate::source::{SourceFile, SourceFiles};

/// Characters of a long line shown around a finding's column.
const WINDOW: usize = 120;
/// Lines of context above and below the finding's line: none, so that a thousand findings
/// stay readable (the label names the attribute and the value seen).
const CONTEXT: u32 = 0;

/// The findings (suppressed ones only with [`RenderOptions::show_suppressed`]) grouped by
/// file, each rule's help after its first finding, then the summary.
pub fn render(report: &Report, files: &SourceFiles, options: &RenderOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        // Ids, paths and attribute names stay whole: wrap between words only.
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        // miette widens a span to whole lines only with context; the excerpt holds just the
        // lines to show, so this shows them whole and no more.
        .with_context_lines(1);
    let mut out = String::new();
    let mut helped: HashSet<&str> = HashSet::new();
    let mut current: Option<&str> = None;
    for finding in &report.findings {
        if finding.suppression.is_some() && !options.show_suppressed {
            continue;
        }
        if current != Some(finding.file.as_str()) {
            let _ = writeln!(out, "── {} ──\n", finding.file);
            current = Some(finding.file.as_str());
        }
        let help = helped.insert(finding.rule_id.as_str());
        let source = files.get(finding.span.file);
        let rendered = {
            let mut s = String::new();
            match source.map(|file| Excerpt::new(file, finding)) {
                Some(excerpt) => {
                    let diagnostic = diagnostic(finding, help, Some(&excerpt));
                    let report = miette::Report::new(diagnostic).with_source_code(excerpt);
                    handler.render_report(&mut s, report.as_ref()).map(|()| s)
                }
                None => handler
                    .render_report(&mut s, &diagnostic(finding, help, None))
                    .map(|()| s),
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

/// The lines around one finding, as miette reads them: offsets are the excerpt's own, line
/// numbers and the primary column are the file's.
#[derive(Debug)]
struct Excerpt {
    name: String,
    /// The shown lines, each ending in `\n`.
    text: String,
    /// The file's line number (1-based) of the excerpt's first line.
    first_line: u32,
    /// The finding's span within `text`.
    label: std::ops::Range<usize>,
    /// The finding's true 0-based column, reported for spans that start at `label.start`.
    column: usize,
}

impl Excerpt {
    /// The finding's line with one line of context on each side; a span over several lines
    /// is shown on its first line only (a missing attribute of a Kubernetes container points
    /// at the container, not at its whole body).
    fn new(file: &SourceFile, f: &ReportFinding) -> Excerpt {
        let line = f.start.line.max(1);
        let last = u32::try_from(file.lines.line_count()).unwrap_or(u32::MAX);
        let first = line.saturating_sub(CONTEXT).max(1);
        let end = line.saturating_add(CONTEXT).min(last);
        let mut text = String::new();
        let mut label = 0..0;
        for n in first..=end {
            let range = file.lines.line_range(&file.text, n);
            let content = file.text.get(range.clone()).unwrap_or_default();
            if n == line {
                let start = within(f.span.start as usize, &range) - range.start;
                let stop = within(f.span.end as usize, &range) - range.start;
                let (shown, a, b) = window(content, start, stop.max(start));
                label = text.len() + a..text.len() + b;
                text.push_str(&shown);
            } else {
                text.push_str(&window(content, 0, 0).0);
            }
            text.push('\n');
        }
        Excerpt {
            name: f.file.clone(),
            text,
            first_line: first,
            label,
            column: f.start.column.saturating_sub(1) as usize,
        }
    }
}

/// `line` cut to at most [`WINDOW`] bytes around bytes `start..end` (an ellipsis marks each
/// cut), and where `start..end` is in the result. A span reaching past the window is cut at
/// its edge. Costs the window, not the line: nothing is counted from the line's start.
fn window(line: &str, start: usize, end: usize) -> (String, usize, usize) {
    if line.len() <= WINDOW {
        return (line.to_owned(), start, end);
    }
    let start = floor_boundary(line, start.min(line.len()));
    let from_b = floor_boundary(line, start.saturating_sub(WINDOW / 4));
    let to_b = floor_boundary(line, (from_b + WINDOW).min(line.len()));
    let mut shown = String::new();
    if from_b > 0 {
        shown.push('…');
    }
    let offset = shown.len();
    shown.push_str(line.get(from_b..to_b).unwrap_or_default());
    if to_b < line.len() {
        shown.push('…');
    }
    let a = offset + within(start, &(from_b..to_b)) - from_b;
    let b = offset + within(end, &(from_b..to_b)) - from_b;
    (shown, a, b.max(a))
}

/// `at` moved into `range` (never below its start, even for an empty or reversed range).
fn within(at: usize, range: &std::ops::Range<usize>) -> usize {
    at.min(range.end).max(range.start)
}

/// The nearest character boundary of `text` at or before byte `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        let line = inner.line() + self.first_line.saturating_sub(1) as usize;
        // The finding's own span reports its true column; other spans the excerpt's.
        let column = if inner.span().offset() == self.label.start {
            self.column
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

fn diagnostic(f: &ReportFinding, help: bool, excerpt: Option<&Excerpt>) -> MietteDiagnostic {
    let suppressed = match &f.suppression {
        Some(s) => format!(
            "\nsuppressed by {}: {}",
            suppression_kind(s.kind),
            s.reason.as_deref().unwrap_or("no reason given")
        ),
        None => String::new(),
    };
    // An unknown finding is not a failure: an advice, its severity said as what a failure
    // would be (its headline says the condition is not known until deployment).
    let (severity, headline) = match f.status {
        Status::Unknown => (
            miette::Severity::Advice,
            format!(
                "{} [{} if it fails] {}",
                f.rule_id,
                f.severity.name(),
                f.headline
            ),
        ),
        _ => (
            match f.severity {
                Severity::Critical | Severity::High => miette::Severity::Error,
                Severity::Medium | Severity::Low => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            format!("{} [{}] {}", f.rule_id, f.severity.name(), f.headline),
        ),
    };
    // Where the value came from and the module calls that placed the resource.
    let origin: String = f
        .origin
        .iter()
        .map(|o| format!("\n  ↳ {}: {}:{}", o.role, o.file, o.start))
        .collect();
    let mut d = MietteDiagnostic::new(format!(
        "{headline}\n{} ({}){origin}{suppressed}",
        f.resource, f.resource_type
    ))
    .with_severity(if f.suppression.is_some() {
        miette::Severity::Advice
    } else {
        severity
    });
    if let Some(excerpt) = excerpt {
        d = d.with_label(LabeledSpan::at(excerpt.label.clone(), f.message.clone()));
    } else {
        d = d.with_help(format!("at {}:{}: {}", f.file, f.start, f.message));
    }
    if help {
        let stride: Vec<&str> = f.stride.iter().map(|s| s.name()).collect();
        let more = format!(
            "{}\nSTRIDE: {} · NIST 800-53: {}\nmore: {}",
            f.remediation,
            or_none(&stride.join(", ")),
            or_none(&f.nist.join(", ")),
            f.explain_command()
        );
        d.help = Some(match d.help.take() {
            Some(at) => format!("{at}\n{more}"),
            None => more,
        });
    }
    d
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

/// Types listed per provider in the summary before "and N more".
const TYPES_SHOWN: usize = 6;
/// Skipped files listed in the summary before "and N more".
const SKIPPED_SHOWN: usize = 5;

/// The summary: what was not checked (resources no rule binds, by provider; Helm templates
/// passed over; no infrastructure files at all), then the counts by severity, unknowns,
/// suppressed findings, what was read, and whether the gate fails.
pub fn summary(report: &Report, gate: &Gate) -> String {
    let s = report.summary();
    let outcome = report.gate(gate);
    let mut out = String::new();
    if s.files == 0 {
        out.push_str("no infrastructure files found (CloudFormation, Terraform or Kubernetes)\n");
    }
    if !s.unchecked.is_empty() {
        let total: usize = s.unchecked.iter().map(|u| u.resources).sum();
        let _ = writeln!(
            out,
            "not checked: {total} resources of types no rule covers"
        );
        for u in &s.unchecked {
            let mut types: Vec<String> = u
                .types
                .iter()
                .take(TYPES_SHOWN)
                .map(|(t, n)| {
                    if *n > 1 {
                        format!("{t} ×{n}")
                    } else {
                        t.clone()
                    }
                })
                .collect();
            if u.types.len() > TYPES_SHOWN {
                types.push(format!("and {} more types", u.types.len() - TYPES_SHOWN));
            }
            // Kubernetes has one provider: its name is the framework's.
            let provider = if u.provider == u.framework.name() {
                String::new()
            } else {
                format!(" {}", u.provider)
            };
            let _ = writeln!(
                out,
                "  {}{provider}: {} ({})",
                u.framework.name(),
                u.resources,
                types.join(", ")
            );
        }
    }
    if !s.skipped.is_empty() {
        let mut shown: Vec<&str> = s
            .skipped
            .iter()
            .take(SKIPPED_SHOWN)
            .map(String::as_str)
            .collect();
        let more = format!("and {} more", s.skipped.len().saturating_sub(SKIPPED_SHOWN));
        if s.skipped.len() > SKIPPED_SHOWN {
            shown.push(&more);
        }
        let _ = writeln!(
            out,
            "not checked: {} Helm chart templates (not rendered): {}",
            s.skipped.len(),
            shown.join(", ")
        );
    }
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
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_line_is_shown_whole() {
        assert_eq!(window("abc", 1, 2), ("abc".to_owned(), 1, 2));
    }

    #[test]
    fn a_long_line_is_cut_around_the_span() {
        let line = format!("{}XY{}", "a".repeat(100_000), "b".repeat(100_000));
        let (shown, a, b) = window(&line, 100_000, 100_002);
        assert!(shown.len() <= WINDOW + 2 * '…'.len_utf8());
        assert_eq!(shown.get(a..b), Some("XY"));
        assert!(shown.starts_with('…') && shown.ends_with('…'));
    }

    #[test]
    fn a_span_past_the_window_is_cut_at_its_edge() {
        let line = "x".repeat(1000);
        let (shown, a, b) = window(&line, 10, 900);
        assert_eq!(a, 10);
        assert_eq!(b, shown.len() - '…'.len_utf8());
    }
}
