//! `guardrail graph`: what guardrail understood of the input.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guardrail::render::graph::{self, JsonOptions};
use guardrail::{Project, Settings};

use crate::{EXIT_INCOMPLETE, EXIT_OK};

/// Arguments of `guardrail graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Files and directories to read (directories are walked; .gitignore is honoured)
    /// [default: .].
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = GraphFormat::Json)]
    format: GraphFormat,
    /// Include every resource's attribute tree with positions (JSON only).
    #[arg(long)]
    attributes: bool,
    /// Write the output to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Also list the files passed over, and why.
    #[arg(long, short)]
    verbose: bool,
    /// Exit 0 even when some input could not be read or parsed.
    #[arg(long)]
    allow_parse_errors: bool,
    /// Read Terraform variable values from FILE, as `guardrail scan --var-file` does
    /// (repeatable; later files win).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Resources, edges and diagnostics as JSON (documented in docs/graph-json.md).
    Json,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// Runs the command and returns the exit code.
pub fn run(args: &GraphArgs) -> miette::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut settings = Settings::default();
    settings.var_files = args.var_files.clone();
    settings.tf_vars = guardrail::scan::tf_vars_from_environment();
    let scan = match Project::discover(paths).and_then(|p| p.with_settings(settings).graph()) {
        Ok(scan) => scan,
        Err(error) => return Ok(super::usage_error(error)),
    };
    let text = match args.format {
        GraphFormat::Json => {
            let value = graph::json(
                &scan,
                &JsonOptions {
                    attributes: args.attributes,
                },
            );
            let mut text = serde_json::to_string_pretty(&value)
                .map_err(|e| miette::miette!("cannot render JSON: {e}"))?;
            text.push('\n');
            text
        }
        GraphFormat::Dot => graph::dot(&scan),
        GraphFormat::Mermaid => graph::mermaid(&scan),
    };
    super::write_output(args.output.as_deref(), &text)?;
    let incomplete = super::report_input_problems(&scan, args.verbose, args.allow_parse_errors);
    Ok(if incomplete { EXIT_INCOMPLETE } else { EXIT_OK })
}
