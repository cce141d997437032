//! The report as JUnit XML, for CI systems that show test results (`docs/ci-outputs.md`).
//!
//! One `<testsuite>` per rule that ran, named by the rule id: one `<testcase>` per finding
//! (per resource and attribute), and a single passing `no findings` testcase for a rule
//! without any, so that totals read as "rules checked". A finding that fails the gate is a
//! `<failure>`; one that does not (suppressed, unknown without `--strict`, below
//! `--fail-on`) is `<skipped>` with the reason, so the failure count agrees with the exit
//! code. Input that could not be read is an `<error>` in a first suite named `input`.
//! No timestamps or durations: the same scan gives the same bytes.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use super::RenderOptions;
use crate::diagnostic::Severity as DiagnosticSeverity;
use crate::evaluate::Status;
use crate::report::{Gate, Report, ReportFinding};
use crate::rules::model::Rule;
use crate::source::{SourceFiles, display_path};

/// The report as a JUnit XML document. The report's rules (those that ran) have one suite
/// each, in pack order; findings of a rule missing from them get a suite after them.
pub fn render(report: &Report, files: &SourceFiles, options: &RenderOptions) -> String {
    let gate = &options.gate;
    let rules: &[Rule] = &report.rules;
    let failing: HashSet<*const ReportFinding> = report
        .failing(gate)
        .map(|f| f as *const ReportFinding)
        .collect();
    let mut suites: Vec<Suite> = Vec::new();

    let errors: Vec<Case> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == DiagnosticSeverity::Error)
        .map(|d| {
            let path = display_path(&d.path);
            let at = d.span.map(|s| files.start_of(s));
            let place = match at {
                Some(at) => format!("{path}:{at}"),
                None => path.clone(),
            };
            let mut body = format!("{place}: {}", d.message);
            if let Some(help) = &d.help {
                let _ = write!(body, "\n{help}");
            }
            Case {
                name: place.clone(),
                classname: "input".to_owned(),
                file: Some(path),
                line: at.map(|a| a.line),
                outcome: Outcome::Error {
                    message: format!("{place}: {}", d.message),
                    kind: d.code.to_owned(),
                    body,
                },
            }
        })
        .collect();
    if !errors.is_empty() {
        suites.push(Suite {
            name: "input".to_owned(),
            properties: vec![(
                "description",
                "files guardrail could not read: the scan is incomplete".to_owned(),
            )],
            cases: errors,
        });
    }

    let mut by_rule: BTreeMap<&str, Vec<&ReportFinding>> = BTreeMap::new();
    for f in &report.findings {
        by_rule.entry(f.rule_id.as_str()).or_default().push(f);
    }
    let mut order: Vec<(&str, Vec<(&'static str, String)>)> = rules
        .iter()
        .map(|r| (r.id.as_str(), rule_properties(r)))
        .collect();
    let mut known: HashSet<&str> = order.iter().map(|(id, _)| *id).collect();
    for f in &report.findings {
        if known.insert(f.rule_id.as_str()) {
            order.push((f.rule_id.as_str(), finding_properties(f)));
        }
    }
    for (id, properties) in order {
        let findings = by_rule.remove(id).unwrap_or_default();
        let cases = if findings.is_empty() {
            vec![Case {
                name: "no findings".to_owned(),
                classname: id.to_owned(),
                file: None,
                line: None,
                outcome: Outcome::Passed,
            }]
        } else {
            findings
                .into_iter()
                .map(|f| case(f, failing.contains(&(f as *const ReportFinding)), gate))
                .collect()
        };
        suites.push(Suite {
            name: id.to_owned(),
            properties,
            cases,
        });
    }

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total = Counts::of(suites.iter().flat_map(|s| &s.cases));
    let _ = writeln!(out, "<testsuites name=\"guardrail\"{}>", total.attributes());
    for suite in &suites {
        suite.write(&mut out);
    }
    out.push_str("</testsuites>\n");
    out
}

struct Suite {
    name: String,
    properties: Vec<(&'static str, String)>,
    cases: Vec<Case>,
}

struct Case {
    name: String,
    classname: String,
    file: Option<String>,
    line: Option<u32>,
    outcome: Outcome,
}

enum Outcome {
    Passed,
    Failure {
        message: String,
        kind: String,
        body: String,
    },
    Error {
        message: String,
        kind: String,
        body: String,
    },
    Skipped {
        message: String,
    },
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of<'a>(cases: impl Iterator<Item = &'a Case>) -> Counts {
        let mut c = Counts::default();
        for case in cases {
            c.tests += 1;
            match case.outcome {
                Outcome::Passed => {}
                Outcome::Failure { .. } => c.failures += 1,
                Outcome::Error { .. } => c.errors += 1,
                Outcome::Skipped { .. } => c.skipped += 1,
            }
        }
        c
    }

    fn attributes(&self) -> String {
        format!(
            " tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

impl Suite {
    fn write(&self, out: &mut String) {
        let counts = Counts::of(self.cases.iter());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\"{}>",
            escape(&self.name),
            counts.attributes()
        );
        if !self.properties.is_empty() {
            out.push_str("    <properties>\n");
            for (name, value) in &self.properties {
                let _ = writeln!(
                    out,
                    "      <property name=\"{}\" value=\"{}\"/>",
                    escape(name),
                    escape(value)
                );
            }
            out.push_str("    </properties>\n");
        }
        for case in &self.cases {
            case.write(out);
        }
        out.push_str("  </testsuite>\n");
    }
}

impl Case {
    fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\"",
            escape(&self.name),
            escape(&self.classname)
        );
        if let Some(file) = &self.file {
            let _ = write!(out, " file=\"{}\"", escape(file));
        }
        if let Some(line) = self.line {
            let _ = write!(out, " line=\"{line}\"");
        }
        match &self.outcome {
            Outcome::Passed => out.push_str("/>\n"),
            Outcome::Failure {
                message,
                kind,
                body,
            }
            | Outcome::Error {
                message,
                kind,
                body,
            } => {
                let element = if matches!(self.outcome, Outcome::Failure { .. }) {
                    "failure"
                } else {
                    "error"
                };
                let _ = writeln!(
                    out,
                    ">\n      <{element} message=\"{}\" type=\"{}\">{}</{element}>\n    </testcase>",
                    escape(message),
                    escape(kind),
                    escape_text(body)
                );
            }
            Outcome::Skipped { message } => {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    escape(message)
                );
            }
        }
    }
}

fn rule_properties(rule: &Rule) -> Vec<(&'static str, String)> {
    vec![
        ("title", rule.title.clone()),
        ("severity", rule.severity.name().to_owned()),
        (
            "stride",
            rule.stride
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("nist", rule.nist.join(",")),
    ]
}

fn finding_properties(f: &ReportFinding) -> Vec<(&'static str, String)> {
    vec![
        ("title", f.title.to_string()),
        ("severity", f.severity.name().to_owned()),
        (
            "stride",
            f.stride
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(","),
        ),
        ("nist", f.nist.join(",")),
    ]
}

fn case(f: &ReportFinding, fails_gate: bool, gate: &Gate) -> Case {
    let place = format!("{}:{}", f.file, f.start);
    let name = if f.attribute.is_empty() {
        f.resource.clone()
    } else {
        format!("{} [{}]", f.resource, f.attribute)
    };
    let outcome = if fails_gate {
        let stride: Vec<&str> = f.stride.iter().map(|s| s.name()).collect();
        Outcome::Failure {
            message: format!("{place}: {}: {}", f.headline, f.message),
            kind: f.severity.name().to_owned(),
            body: format!(
                "{place}: {} ({})\n{}: {}\nrule {}: {}\nHow to fix: {}\nSTRIDE: {} · NIST 800-53: {}\n",
                f.resource,
                f.resource_type,
                f.headline,
                f.message,
                f.rule_id,
                f.title,
                f.remediation.trim(),
                stride.join(", "),
                f.nist.join(", "),
            ),
        }
    } else {
        let why = if let Some(s) = &f.suppression {
            let kind = s.kind.name();
            match &s.reason {
                Some(reason) => format!("suppressed ({kind}): {reason}"),
                None => format!("suppressed ({kind})"),
            }
        } else if f.status == Status::Unknown && !gate.strict {
            "unknown until deployment: fails the gate only with --strict".to_owned()
        } else {
            format!(
                "{} finding below the gate (--fail-on {})",
                f.severity.name(),
                gate.fail_on.name()
            )
        };
        Outcome::Skipped {
            message: format!("{place}: {} — {why}", f.message),
        }
    };
    Case {
        name,
        classname: f.rule_id.clone(),
        file: Some(f.file.clone()),
        line: Some(f.start.line),
        outcome,
    }
}

/// Escapes text for an XML attribute value: markup characters become references, and so do
/// line breaks and tabs (a parser would otherwise fold them into spaces); characters XML 1.0
/// cannot carry at all become U+FFFD.
pub fn escape(text: &str) -> String {
    escape_with(text, true)
}

/// Escapes text for element content: as [`escape`], but line breaks and tabs stay as they are.
pub fn escape_text(text: &str) -> String {
    escape_with(text, false)
}

fn escape_with(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            // A literal CR would be normalised away by the parser, in content too.
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_text};

    #[test]
    fn escapes_markup_breaks_and_forbidden_characters() {
        assert_eq!(
            escape("a<b>&\"c\"'d'"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
        assert_eq!(escape("x\r\n\ty"), "x&#13;&#10;&#9;y");
        assert_eq!(
            escape("nul\u{0}bell\u{7}\u{FFFF}"),
            "nul\u{FFFD}bell\u{FFFD}\u{FFFD}"
        );
        assert_eq!(escape("ünïcode 😀"), "ünïcode 😀");
        assert_eq!(escape_text("a\n\t\"b\" <c>\r"), "a\n\t\"b\" &lt;c&gt;&#13;");
    }
}
