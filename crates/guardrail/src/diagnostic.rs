//! Problems found while reading a scan's input: files that cannot be read or parsed, input
//! guardrail deliberately skips, references it could not follow.
//!
//! The library never prints. It returns [`Diagnostic`]s; the CLI renders them with miette
//! through [`Diagnostic::to_report`], which puts the source line under the message.

use std::path::PathBuf;

use crate::source::{SourceFiles, Span, display_path};

/// How much a diagnostic matters to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something guardrail could not read: the scan is incomplete and fails closed.
    Error,
    /// Something suspicious that did not stop guardrail from reading the input.
    Warning,
    /// A note, such as a file skipped on purpose (a Helm template).
    Info,
}

/// Whether any of `diagnostics` is an error: input that could not be read, so whatever
/// relies on it must fail closed.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// How many diagnostics with the same code and severity one file may show before the rest
/// are only counted (see [`collapse_repeats`]).
pub const REPEATS_SHOWN: usize = 10;

/// Bounds what a file with thousands of the same problem prints: of the diagnostics that
/// share a file, code and severity, the first [`REPEATS_SHOWN`] (in the given order) are
/// kept and the last of them says how many more there were ("… (and 3,990 more like it in
/// this file)"). Without it 4,000 duplicate keys print 4,000 reports. Order is kept, so the
/// output stays deterministic when the input is sorted.
pub fn collapse_repeats(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    use std::collections::HashMap;
    let mut seen: HashMap<(PathBuf, &'static str, Severity), (usize, usize)> = HashMap::new();
    let mut kept: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len().min(1024));
    for d in diagnostics {
        let key = (d.path.clone(), d.code, d.severity);
        let entry = seen.entry(key).or_insert((0, 0));
        entry.0 += 1;
        if entry.0 <= REPEATS_SHOWN {
            entry.1 = kept.len();
            kept.push(d);
        }
    }
    let mut more: Vec<(usize, usize)> = seen
        .into_values()
        .filter(|&(count, _)| count > REPEATS_SHOWN)
        .map(|(count, last)| (last, count - REPEATS_SHOWN))
        .collect();
    more.sort_unstable();
    for (last, extra) in more {
        if let Some(d) = kept.get_mut(last) {
            d.message.push_str(&format!(
                " (and {} more like it in this file)",
                thousands(extra)
            ));
        }
    }
    kept
}

/// `3990` as `3,990`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A problem with the input, located at a file and, where known, a span in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How much it matters.
    pub severity: Severity,
    /// A stable, machine-readable code such as `parse::yaml` or `load::invalid-utf8`.
    pub code: &'static str,
    /// What happened, for a person.
    pub message: String,
    /// The file concerned.
    pub path: PathBuf,
    /// Where in the file, when the file was loaded and the place is known.
    pub span: Option<Span>,
    /// What to do about it, when there is something to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic about a whole file.
    pub fn new(
        severity: Severity,
        code: &'static str,
        path: impl Into<PathBuf>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            path: path.into(),
            span: None,
            help: None,
        }
    }

    /// An error about a whole file.
    pub fn error(code: &'static str, path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, path, message)
    }

    /// Places the diagnostic at a span.
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Adds advice.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `path:line:col` (or just the path when no span is known).
    pub fn location(&self, files: &SourceFiles) -> String {
        let path = display_path(&self.path);
        match self.span {
            Some(span) => format!("{path}:{}", files.start_of(span)),
            None => path,
        }
    }

    /// A miette report with the source line under the message, for the CLI to print.
    pub fn to_report(&self, files: &SourceFiles) -> miette::Report {
        let severity = match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        };
        let mut diag =
            miette::MietteDiagnostic::new(format!("{}: {}", self.location(files), self.message))
                .with_code(self.code)
                .with_severity(severity);
        if let Some(help) = &self.help {
            diag = diag.with_help(help.clone());
        }
        let file = self.span.and_then(|s| files.get(s.file).map(|f| (s, f)));
        match file {
            Some((span, file)) => {
                // An excerpt, never the whole file: the cost of a report stays independent of
                // the file's size and of the column (miette panics past column 65,535).
                let excerpt = file.excerpt(span, 1);
                let label = excerpt.label();
                // An empty span still points at a character when there is one to point at.
                let wide = label.start..label.end.max(label.start + 1);
                let label = excerpt.clip(wide).unwrap_or(label);
                diag = diag.with_label(miette::LabeledSpan::at(label, "here"));
                miette::Report::new(diag).with_source_code(excerpt)
            }
            None => miette::Report::new(diag),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_collapse_into_the_last_one_shown_with_a_count() {
        let mut all: Vec<Diagnostic> = (0..4_000)
            .map(|i| Diagnostic::error("parse::duplicate-key", "t.json", format!("dup {i}")))
            .collect();
        all.insert(3, Diagnostic::error("parse::yaml", "t.json", "other"));
        all.push(Diagnostic::error(
            "parse::duplicate-key",
            "u.json",
            "elsewhere",
        ));
        let kept = collapse_repeats(all);
        assert_eq!(kept.len(), REPEATS_SHOWN + 2);
        assert_eq!(kept[3].message, "other");
        let last = kept
            .iter()
            .rfind(|d| d.path.as_os_str() == "t.json")
            .unwrap();
        assert_eq!(last.message, "dup 9 (and 3,990 more like it in this file)");
        assert_eq!(kept.last().unwrap().message, "elsewhere");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
