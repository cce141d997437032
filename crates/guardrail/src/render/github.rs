//! The report as GitHub Actions workflow commands: one annotation per finding, shown on the
//! pull request's diff at the offending attribute (`docs/ci-outputs.md`).
//!
//! Critical and high findings are `error`s, medium and low `warning`s, info and unknown
//! findings `notice`s. Suppressed findings are left out. Input errors and warnings are
//! annotations too, at the place that could not be read.

use std::fmt::Write as _;

use super::RenderOptions;
use crate::diagnostic::Severity as DiagnosticSeverity;
use crate::evaluate::Status;
use crate::report::{Report, ReportFinding};
use crate::rules::model::Severity;
use crate::source::{SourceFiles, display_path};

/// One workflow command per line.
pub fn render(report: &Report, files: &SourceFiles, _options: &RenderOptions) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let command = match d.severity {
            DiagnosticSeverity::Error => "error",
            DiagnosticSeverity::Warning => "warning",
            DiagnosticSeverity::Info => continue,
        };
        let mut properties = vec![("file", display_path(&d.path))];
        if let Some(span) = d.span {
            let at = files.start_of(span);
            properties.push(("line", at.line.to_string()));
            properties.push(("col", at.column.to_string()));
        }
        properties.push(("title", format!("guardrail: {}", d.code)));
        let message = match &d.help {
            Some(help) => format!("{}\n{help}", d.message),
            None => d.message.clone(),
        };
        line(&mut out, command, &properties, &message);
    }
    for f in report.findings.iter().filter(|f| f.suppression.is_none()) {
        line(&mut out, command(f), &properties(f), &message(f));
    }
    out
}

/// The workflow command for a finding's severity and status.
pub fn command(f: &ReportFinding) -> &'static str {
    if f.status == Status::Unknown {
        return "notice";
    }
    match f.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "notice",
    }
}

fn properties(f: &ReportFinding) -> Vec<(&'static str, String)> {
    let mut p = vec![("file", f.file.clone()), ("line", f.start.line.to_string())];
    // GitHub takes columns only for a range within one line.
    if f.start.line == f.end.line {
        p.push(("col", f.start.column.to_string()));
        p.push(("endLine", f.end.line.to_string()));
        p.push(("endColumn", f.end.column.to_string()));
    } else {
        p.push(("endLine", f.end.line.to_string()));
    }
    let status = match f.status {
        Status::Unknown => ", unknown",
        _ => "",
    };
    p.push((
        "title",
        format!(
            "{} ({}{status}): {}",
            f.rule_id,
            f.severity.name(),
            f.headline
        ),
    ));
    p
}

fn message(f: &ReportFinding) -> String {
    format!(
        "{}: {}\nHow to fix: {}\nMore: {}",
        f.resource,
        f.message,
        f.remediation.trim(),
        f.explain_command()
    )
}

fn line(out: &mut String, command: &str, properties: &[(&str, String)], message: &str) {
    let properties: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    let _ = writeln!(
        out,
        "::{command} {}::{}",
        properties.join(","),
        escape_data(message)
    );
}

/// Escapes a command's message as the Actions runner expects: `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value: as [`escape_data`], and `:` and `,`, which would
/// otherwise end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_reads() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a.yaml#X: 5%,\n"), "a.yaml#X%3A 5%25%2C%0A");
    }
}
