//! The output formats of `guardrail scan`, and `--report FORMAT=PATH`: several formats
//! written from one scan.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use guardrail::compliance::ComplianceView;
use guardrail::render::RenderOptions;
use guardrail::report::Report;
use guardrail::source::SourceFiles;
use guardrail::threat::{ThreatCatalog, ThreatModel};

/// What `guardrail scan` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Findings grouped by file with the source line under each, then a summary.
    Text,
    /// One line per finding (`file:line:col: RULE [severity] headline: message`), then a
    /// summary.
    Concise,
    /// The report as JSON (docs/report-json.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: a test suite per rule, a failing test per finding that fails the gate.
    Junit,
    /// GitHub Actions annotations (workflow commands) on the offending lines.
    Github,
    /// A Markdown summary for $GITHUB_STEP_SUMMARY or a pull request comment.
    Markdown,
    /// One self-contained HTML page: summary, data-flow diagram, STRIDE matrix, NIST families
    /// and the findings with their source lines (nothing fetched).
    Html,
}

/// One `--report FORMAT=PATH`.
#[derive(Debug, Clone)]
pub struct ReportTarget {
    /// The format to write.
    pub format: ScanFormat,
    /// The file to write it to.
    pub path: PathBuf,
}

/// Parses `FORMAT=PATH` (`sarif=results.sarif`).
pub fn parse_report_target(arg: &str) -> Result<ReportTarget, String> {
    let names = || {
        ScanFormat::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value())
            .map(|v| v.get_name().to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((format, path)) = arg.split_once('=') else {
        return Err(format!(
            "expected FORMAT=PATH, such as sarif=results.sarif (formats: {})",
            names()
        ));
    };
    let format = ScanFormat::from_str(format.trim(), true)
        .map_err(|_| format!("unknown format `{format}` (formats: {})", names()))?;
    if path.is_empty() {
        return Err("the PATH after `=` is empty".to_owned());
    }
    Ok(ReportTarget {
        format,
        path: PathBuf::from(path),
    })
}

/// Two outputs to one file would leave only the last: a usage error, found before scanning.
pub fn check_destinations(output: Option<&Path>, reports: &[ReportTarget]) -> Result<(), String> {
    let mut seen: Vec<&Path> = output.into_iter().collect();
    for target in reports {
        if seen.contains(&target.path.as_path()) {
            return Err(format!(
                "{} is the destination of two outputs",
                target.path.display()
            ));
        }
        seen.push(&target.path);
    }
    Ok(())
}

/// What every format is rendered from.
#[derive(Debug, Clone)]
pub struct Outputs<'a> {
    /// The verdicts and findings.
    pub report: &'a Report,
    /// The files read, for positions and source lines.
    pub files: &'a SourceFiles,
    /// The gate and how each format is drawn.
    pub options: RenderOptions,
    /// The threat model and the compliance view, computed when HTML is written.
    pub views: Option<&'a Views>,
}

/// The views the HTML page shows besides the report, derived from the same scan.
#[derive(Debug)]
pub struct Views {
    /// The STRIDE threat model.
    pub model: ThreatModel,
    /// NIST SP 800-53 controls as the verdicts assess them.
    pub controls: ComplianceView,
}

impl Views {
    /// The views of `scan` (whose report describes every rule, for the NIST ids).
    pub fn of(scan: &guardrail::ProjectScan) -> miette::Result<Views> {
        let catalog = ThreatCatalog::builtin().map_err(|e| miette::miette!(e))?;
        Ok(Views {
            model: ThreatModel::build(&scan.input, &scan.report, catalog),
            controls: ComplianceView::build(&scan.report, &scan.input.files, None),
        })
    }
}

/// Renders one format.
pub fn render(format: ScanFormat, out: &Outputs<'_>) -> String {
    use guardrail::render::{concise, github, html, json, junit, markdown, sarif, text};
    let render = match format {
        // The scan computes the views whenever HTML is among its outputs.
        ScanFormat::Html => {
            return out.views.map_or_else(String::new, |views| {
                html::render(&html::Page::new(
                    out.report,
                    out.files,
                    &out.options,
                    &views.model,
                    &views.controls,
                ))
            });
        }
        ScanFormat::Text => text::render,
        ScanFormat::Concise => concise::render,
        ScanFormat::Json => json::render,
        ScanFormat::Sarif => sarif::render,
        ScanFormat::Junit => junit::render,
        ScanFormat::Github => github::render,
        ScanFormat::Markdown => markdown::render,
    };
    render(out.report, out.files, &out.options)
}

/// `--statistics`: the findings counted per rule, in place of the format's findings: JSON
/// with `--format json`, else a table and the summary.
pub fn statistics(format: ScanFormat, out: &Outputs<'_>) -> String {
    use guardrail::render::statistics;
    let render = match format {
        ScanFormat::Json => statistics::json,
        _ => statistics::render,
    };
    render(out.report, out.files, &out.options)
}

/// The width text is wrapped at: the terminal's when writing to one, else the fixed default
/// (files, pipes and tests get the same output everywhere).
pub fn text_width(to_terminal: bool) -> usize {
    use terminal_size::{Width, terminal_size};
    match (to_terminal, terminal_size()) {
        (true, Some((Width(w), _))) => usize::from(w),
        _ => guardrail::render::DEFAULT_WIDTH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_targets_parse() {
        let t = parse_report_target("sarif=out/results.sarif").expect("parses");
        assert_eq!(t.format, ScanFormat::Sarif);
        assert_eq!(t.path, PathBuf::from("out/results.sarif"));
        let t = parse_report_target("JUnit=a=b.xml").expect("parses");
        assert_eq!(t.format, ScanFormat::Junit);
        assert_eq!(t.path, PathBuf::from("a=b.xml"));
        assert!(parse_report_target("sarif").is_err());
        assert!(parse_report_target("xml=a.xml").is_err());
        assert!(parse_report_target("json=").is_err());
    }

    #[test]
    fn one_file_takes_one_output() {
        let a = parse_report_target("json=a.json").expect("parses");
        let b = parse_report_target("sarif=a.json").expect("parses");
        assert!(check_destinations(None, std::slice::from_ref(&a)).is_ok());
        assert!(check_destinations(Some(Path::new("a.json")), std::slice::from_ref(&a)).is_err());
        assert!(check_destinations(None, &[a, b]).is_err());
    }
}
