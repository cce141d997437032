//! The report as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` and pull request
//! comments (`docs/ci-outputs.md`): the gate's verdict, counts by severity, by STRIDE
//! category and by NIST SP 800-53 family, then one table row per finding. Suppressed
//! findings are counted and listed apart, folded away.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::RenderOptions;
use crate::diagnostic::Severity as DiagnosticSeverity;
use crate::evaluate::Status;
use crate::report::{Report, ReportFinding, Summary};
use crate::rules::catalog::{Stride, control};
use crate::rules::model::Severity;
use crate::source::{SourceFiles, display_path};

/// The Markdown summary.
pub fn render(report: &Report, files: &SourceFiles, options: &RenderOptions) -> String {
    let gate = &options.gate;
    let outcome = report.gate(gate);
    let active: Vec<&ReportFinding> = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .collect();
    let suppressed: Vec<&ReportFinding> = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .collect();
    let failing = outcome.failing;
    let s = report.summary();
    let mut out = String::new();

    // Incomplete input is said even when the gate allows it (`--allow-parse-errors`).
    let verdict = if outcome.incomplete {
        "incomplete"
    } else if failing > 0 {
        "failed"
    } else {
        "passed"
    };
    let _ = writeln!(out, "## guardrail: gate {verdict}\n");
    let failed = active.iter().filter(|f| f.status == Status::Fail).count();
    let unknown = active.len() - failed;
    let _ = writeln!(
        out,
        "**{failed} failed**, {unknown} unknown, {} suppressed · {failing} fail the gate \
         (fail on {}{}) · {} files, {} resources, {} rules\n",
        suppressed.len(),
        gate.fail_on.name(),
        if gate.strict { ", strict" } else { "" },
        s.files,
        s.resources,
        s.rules,
    );

    let errors: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == DiagnosticSeverity::Error)
        .map(|d| {
            let path = display_path(&d.path);
            let place = match d.span {
                Some(span) => format!("{path}:{}", files.start_of(span)),
                None => path,
            };
            format!("- {}: {}", code_span(&place), plain(&inline(&d.message)))
        })
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> The scan is incomplete: {} input problem(s) could not be read.\n",
            errors.len()
        );
        for e in &errors {
            let _ = writeln!(out, "{e}");
        }
        out.push('\n');
    }

    if active.is_empty() {
        out.push_str("No findings.\n");
    } else {
        out.push_str("| severity | failed | unknown |\n|---|---:|---:|\n");
        for severity in Severity::ALL.iter().rev() {
            let (fail, unknown) = counts(active.iter().filter(|f| f.severity == *severity));
            let _ = writeln!(out, "| {} | {fail} | {unknown} |", severity.name());
        }

        out.push_str("\n| STRIDE category | failed | unknown |\n|---|---:|---:|\n");
        for category in Stride::ALL {
            let (fail, unknown) = counts(active.iter().filter(|f| f.stride.contains(&category)));
            let _ = writeln!(out, "| {} | {fail} | {unknown} |", category.name());
        }

        out.push_str(
            "\n| NIST SP 800-53 family | controls | failed | unknown |\n|---|---|---:|---:|\n",
        );
        for (family, (title, controls, findings)) in families(&active) {
            let (fail, unknown) = counts(findings.into_iter());
            let mut controls: Vec<&str> = controls.into_iter().collect();
            controls.sort_by_key(|c| control_order(c));
            let _ = writeln!(
                out,
                "| {family} {} | {} | {fail} | {unknown} |",
                cell(&plain(title)),
                cell(&controls.join(", ")),
            );
        }

        out.push_str(
            "\n### Findings\n\n| rule | severity | resource | file:line | message |\n\
             |---|---|---|---|---|\n",
        );
        for f in &active {
            let status = match f.status {
                Status::Unknown => " (unknown)",
                _ => "",
            };
            let _ = writeln!(
                out,
                "| {}: {} | {}{status} | {} | {} | {} |",
                cell(&f.rule_id),
                cell(&plain(&f.headline)),
                f.severity.name(),
                cell(&code_span(&f.resource)),
                cell(&code_span(&format!("{}:{}", f.file, f.start))),
                cell(&plain(&f.message)),
            );
        }
    }

    if !suppressed.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>{} suppressed finding(s)</summary>\n\n\
             | rule | resource | file:line | suppressed by | reason |\n|---|---|---|---|---|",
            suppressed.len()
        );
        for f in &suppressed {
            let (kind, reason) = f.suppression.as_ref().map_or(("", ""), |s| {
                (s.kind.name(), s.reason.as_deref().unwrap_or(""))
            });
            let _ = writeln!(
                out,
                "| {} | {} | {} | {kind} | {} |",
                cell(&f.rule_id),
                cell(&code_span(&f.resource)),
                cell(&code_span(&format!("{}:{}", f.file, f.start))),
                cell(&plain(reason)),
            );
        }
        out.push_str("\n</details>\n");
    }
    guard_verdicts(&mut out, report);
    not_checked(&mut out, &s);
    out
}

/// What no rule looked at: no infrastructure files, resources of types no rule binds (by
/// provider), Helm templates passed over; folded away.
fn not_checked(out: &mut String, s: &Summary) {
    if s.files == 0 {
        out.push_str("\n> [!NOTE]\n> No infrastructure files found (CloudFormation, Terraform or Kubernetes).\n");
    }
    if s.unchecked.is_empty() && s.skipped.is_empty() {
        return;
    }
    let resources: usize = s.unchecked.iter().map(|u| u.resources).sum();
    let _ = writeln!(
        out,
        "\n<details><summary>Not checked: {resources} resource(s) of types no rule covers, {} \
         Helm template(s)</summary>\n",
        s.skipped.len()
    );
    if !s.unchecked.is_empty() {
        out.push_str("| framework | provider | resources | types |\n|---|---|---:|---|\n");
        for u in &s.unchecked {
            let types: Vec<String> = u
                .types
                .iter()
                .map(|(t, n)| format!("{} ×{n}", code_span(t)))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                u.framework.name(),
                cell(&plain(&u.provider)),
                u.resources,
                cell(&types.join(", "))
            );
        }
    }
    if !s.skipped.is_empty() {
        out.push_str("\nHelm chart templates (not rendered, not scanned):\n\n");
        for path in &s.skipped {
            let _ = writeln!(out, "- {}", code_span(path));
        }
    }
    out.push_str("\n</details>\n");
}

/// With Guard rules: how many documents each rule failed, passed and skipped (cfn-guard's
/// verdicts), folded away like the suppressed findings.
fn guard_verdicts(out: &mut String, report: &Report) {
    let tally = report.guard_tally();
    if tally.documents == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "\n<details><summary>Guard verdicts on {} document(s)</summary>\n\n\
         | Guard rule | fail | pass | skip |\n|---|---|---|---|",
        tally.documents
    );
    for (rule, [fail, pass, skip]) in &tally.rules {
        let _ = writeln!(out, "| {} | {fail} | {pass} | {skip} |", cell(rule));
    }
    out.push_str("\n</details>\n");
}

/// Failed and unknown counts.
fn counts<'a>(findings: impl Iterator<Item = &'a &'a ReportFinding>) -> (usize, usize) {
    findings.fold((0, 0), |(fail, unknown), f| match f.status {
        Status::Fail => (fail + 1, unknown),
        Status::Unknown => (fail, unknown + 1),
        _ => (fail, unknown),
    })
}

type Family<'a> = (&'static str, Vec<&'a str>, Vec<&'a &'a ReportFinding>);

/// The NIST families the findings concern, by family id: the family's title, the controls
/// named (in order of first appearance), and each finding once.
fn families<'a>(findings: &'a [&'a ReportFinding]) -> BTreeMap<&'static str, Family<'a>> {
    let mut out: BTreeMap<&'static str, Family<'a>> = BTreeMap::new();
    for f in findings {
        for id in f.nist.iter() {
            // Rule loading rejects controls the catalog lacks; a user rule's unknown id is
            // left out rather than invented a family.
            let Some(c) = control(id) else { continue };
            let entry = out
                .entry(c.family)
                .or_insert_with(|| (c.family_title, Vec::new(), Vec::new()));
            if !entry.1.contains(&id.as_str()) {
                entry.1.push(id);
            }
            if !entry.2.iter().any(|g| std::ptr::eq(**g, *f)) {
                entry.2.push(f);
            }
        }
    }
    out
}

/// Text for a table cell: `|` escaped (also inside code spans, as GFM tables require) and
/// line breaks as `<br>`.
fn cell(text: &str) -> String {
    text.replace('\r', "")
        .replace('|', "\\|")
        .replace('\n', "<br>")
}

/// Text for a list item: on one line.
fn inline(text: &str) -> String {
    text.replace('\r', "").replace('\n', " ")
}

/// Text that shows as written: outside code spans, the characters that would start
/// emphasis, strikethrough, links or HTML are backslash-escaped (`aws_s3_bucket.<name>.id`
/// would otherwise lose `<name>` as an HTML tag, and `"s3:*" on "*"` turn italic); code spans
/// are kept as they are.
pub(crate) fn plain(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            let end = closing_run(&chars, i + run, run).unwrap_or(i + run);
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        let alnum = |at: Option<&char>| at.is_some_and(|c| c.is_alphanumeric());
        let escape = match c {
            '\\' | '*' | '<' | '>' | '[' | ']' | '~' => true,
            // Only an underscore at a word boundary can open or close emphasis.
            '_' => !(alnum(i.checked_sub(1).and_then(|p| chars.get(p))) && alnum(chars.get(i + 1))),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Where a code span opened by `run` backticks ends: just after the next run of exactly as
/// many backticks at or after `from`.
fn closing_run(chars: &[char], from: usize, run: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '`' {
            let n = chars[i..].iter().take_while(|&&c| c == '`').count();
            if n == run {
                return Some(i + n);
            }
            i += n;
        } else {
            i += 1;
        }
    }
    None
}

/// A NIST label's place in catalog order: family, control number, enhancement number
/// (`AC-6(5)` before `AC-6(10)`).
fn control_order(label: &str) -> (&str, u32, u32) {
    let (family, rest) = label.split_once('-').unwrap_or((label, ""));
    let (number, enhancement) = rest.split_once('(').unwrap_or((rest, ""));
    let enhancement = enhancement.trim_end_matches(')');
    (
        family,
        number.parse().unwrap_or(u32::MAX),
        enhancement.parse().unwrap_or(0),
    )
}

/// `text` as a Markdown code span whose fence is longer than any run of backticks inside.
pub(crate) fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{text}{fence}")
    } else {
        format!("{fence} {text} {fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_escapes_markup_outside_code_spans() {
        assert_eq!(
            plain("aws_s3_bucket.<name>.id and `a_<b>*` and _x_"),
            "aws_s3_bucket.\\<name\\>.id and `a_<b>*` and \\_x\\_"
        );
        assert_eq!(plain(r#"Allow "s3:*" on "*""#), r#"Allow "s3:\*" on "\*""#);
        assert_eq!(
            plain("``a`b`` [c](d) ~e~ \\"),
            "``a`b`` \\[c\\](d) \\~e\\~ \\\\"
        );
        // An unclosed backtick is literal text, and what follows it is still escaped.
        assert_eq!(plain("`x *y*"), "`x \\*y\\*");
        assert_eq!(control_order("AC-6(10)"), ("AC", 6, 10));
        assert!(control_order("AC-6(5)") < control_order("AC-6(10)"));
        assert!(control_order("AC-6") < control_order("AC-6(1)"));
    }

    #[test]
    fn cells_escape_pipes_and_line_breaks() {
        assert_eq!(cell("a|b\r\nc"), "a\\|b<br>c");
        assert_eq!(code_span("x"), "`x`");
        assert_eq!(code_span("a`b"), "`` a`b ``");
    }
}
