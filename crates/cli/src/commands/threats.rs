//! `guardrail threats`: the STRIDE threat model of the scanned infrastructure.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guardrail::render::threats;
use guardrail::threat::{ThreatCatalog, ThreatModel};
use guardrail::{Project, Settings};

use crate::{EXIT_INCOMPLETE, EXIT_OK};

/// Arguments of `guardrail threats`.
#[derive(Debug, Args)]
pub struct ThreatsArgs {
    /// Files and directories to model (as `guardrail scan` reads them) [default: .].
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ThreatsFormat::Markdown)]
    format: ThreatsFormat,
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
    /// The project name written in OTM output [default: the first path's directory name].
    #[arg(long)]
    project: Option<String>,
    /// Exit 0 even when some input could not be read or parsed.
    #[arg(long)]
    allow_parse_errors: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ThreatsFormat {
    /// The diagram (Mermaid) and a STRIDE table per element, for a pull request or a design
    /// document.
    Markdown,
    /// Elements, boundaries, flows and threats with their evidence (docs/threats.md).
    Json,
    /// Open Threat Model 0.2.0, for IriusRisk and other OTM tools.
    Otm,
    /// The data-flow diagram alone, as a Mermaid flowchart.
    Mermaid,
    /// The data-flow diagram as Graphviz DOT (`| dot -Tsvg > model.svg` for a picture).
    Dot,
}

/// Runs the command and returns the exit code.
pub fn run(args: &ThreatsArgs) -> miette::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let project_name = args.project.clone().unwrap_or_else(|| {
        std::path::absolute(&paths[0])
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "guardrail".into())
    });
    let mut settings = Settings::default();
    settings.var_files = args.var_files.clone();
    settings.tf_vars = guardrail::scan::tf_vars_from_environment();
    settings.rule_dirs = args.rule_dirs.clone();
    settings.allow_incomplete = args.allow_parse_errors;
    let project = match &args.config {
        Some(file) => Project::new(paths).with_config_file(file),
        None => Project::discover(paths),
    };
    let scan = match project.and_then(|p| p.with_settings(settings).scan()) {
        Ok(scan) => scan,
        Err(error) => return Ok(super::usage_error(error)),
    };
    let catalog = ThreatCatalog::builtin().map_err(|e| miette::miette!(e))?;
    let model = ThreatModel::build(&scan.input, &scan.report, catalog);
    let text = match args.format {
        ThreatsFormat::Markdown => threats::markdown(&model),
        ThreatsFormat::Mermaid => threats::mermaid(&model),
        ThreatsFormat::Dot => threats::dot(&model),
        ThreatsFormat::Json | ThreatsFormat::Otm => {
            let value = match args.format {
                ThreatsFormat::Otm => threats::otm(&model, &project_name),
                _ => threats::json(&model),
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
