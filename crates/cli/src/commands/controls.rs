//! `guardrail controls`: NIST SP 800-53 rev5 controls as the scan's verdicts assess them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guardrail::compliance::{ComplianceView, NistBaseline};
use guardrail::render::controls;
use guardrail::render::oscal::{self, OscalOptions};
use guardrail::{Project, Settings};

use crate::{EXIT_INCOMPLETE, EXIT_OK};

/// Arguments of `guardrail controls`.
#[derive(Debug, Args)]
pub struct ControlsArgs {
    /// Files and directories to assess (as `guardrail scan` reads them) [default: .].
    paths: Vec<PathBuf>,
    /// Also list every control of this baseline, assessed or not.
    #[arg(long, value_enum, ignore_case = true)]
    baseline: Option<BaselineArg>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ControlsFormat::Text)]
    format: ControlsFormat,
    /// Write the output to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Read this configuration file instead of looking for guardrail.toml upward.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Read Terraform variable values from FILE (repeatable; later files win).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// Also load the rules in this directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    /// Exit 0 even when some input could not be read or parsed.
    #[arg(long)]
    allow_parse_errors: bool,
    /// When the assessment ran, for OSCAL output (RFC 3339, such as 2026-12-03T12:00:00Z)
    /// [default: SOURCE_DATE_EPOCH when set, else the newest modification time of the files
    /// read, so that the same input gives the same document].
    #[arg(long, value_parser = parse_timestamp)]
    timestamp: Option<String>,
}

/// Checks an RFC 3339 timestamp.
fn parse_timestamp(text: &str) -> Result<String, String> {
    humantime::parse_rfc3339_weak(text)
        .map(|_| text.to_owned())
        .map_err(|e| format!("not an RFC 3339 timestamp: {e}"))
}

/// The OSCAL timestamp: `--timestamp`, else SOURCE_DATE_EPOCH, else the newest modification
/// time among `files` (the Unix epoch when none can be read).
fn timestamp(given: Option<&String>, files: &guardrail::source::SourceFiles) -> String {
    if let Some(given) = given {
        return given.clone();
    }
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|s| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s));
    let newest = || {
        files
            .iter()
            .filter_map(|f| std::fs::metadata(&f.path).and_then(|m| m.modified()).ok())
            .max()
    };
    let at = epoch.or_else(newest).unwrap_or(std::time::UNIX_EPOCH);
    humantime::format_rfc3339_seconds(at).to_string()
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BaselineArg {
    Low,
    Moderate,
    High,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ControlsFormat {
    /// Families, then each assessed control with its failures.
    Text,
    /// The same as Markdown tables.
    Markdown,
    /// Every control with its observations (docs/controls.md).
    Json,
    /// OSCAL 1.2.3 assessment results: observations per rule and resource with file:line
    /// evidence, findings per control, content-derived UUIDs.
    Oscal,
}

/// Runs the command and returns the exit code.
pub fn run(args: &ControlsArgs) -> miette::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut settings = Settings::default();
    settings.var_files = args.var_files.clone();
    settings.tf_vars = guardrail::scan::tf_vars_from_environment();
    settings.rule_dirs = args.rule_dirs.clone();
    settings.allow_incomplete = args.allow_parse_errors;
    // Every rule's NIST ids, not only those of the rules the resources needed.
    settings.describe_every_rule = true;
    let project = match &args.config {
        Some(file) => Project::new(paths).with_config_file(file),
        None => Project::discover(paths),
    };
    let scan = match project.and_then(|p| p.with_settings(settings).scan()) {
        Ok(scan) => scan,
        Err(error) => return Ok(super::usage_error(error)),
    };
    let baseline = args.baseline.map(|b| match b {
        BaselineArg::Low => NistBaseline::Low,
        BaselineArg::Moderate => NistBaseline::Moderate,
        BaselineArg::High => NistBaseline::High,
    });
    let view = ComplianceView::build(&scan.report, &scan.input.files, baseline);
    let text = match args.format {
        ControlsFormat::Text => controls::text(&view),
        ControlsFormat::Markdown => controls::markdown(&view),
        ControlsFormat::Json | ControlsFormat::Oscal => {
            let value = match args.format {
                ControlsFormat::Oscal => {
                    let at = timestamp(args.timestamp.as_ref(), &scan.input.files);
                    let options = OscalOptions::new("guardrail assessment results", at);
                    oscal::assessment_results(&view, &options)
                }
                _ => controls::json(&view),
            };
            let mut text = serde_json::to_string_pretty(&value)
                .map_err(|e| miette::miette!("cannot render JSON: {e}"))?;
            text.push('\n');
            text
        }
    };
    super::write_output(args.output.as_deref(), &text)?;
    let incomplete = super::report_input_problems(&scan.input, false, args.allow_parse_errors);
    Ok(if incomplete { EXIT_INCOMPLETE } else { EXIT_OK })
}
