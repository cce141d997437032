//! `guardrail scan`: check infrastructure code against the rules; the CI gate.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guardrail::graph::Framework;
use guardrail::render::RenderOptions;
use guardrail::report::Decision;
use guardrail::report::baseline::Baseline;
use guardrail::rules::model::Severity;
use guardrail::{Project, ProjectError, Settings};

use super::output::{
    Outputs, ReportTarget, ScanFormat, Views, check_destinations, parse_report_target,
};
use crate::{EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, progress};

/// Arguments of `guardrail scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to check (directories are walked; .gitignore is honoured)
    /// [default: .].
    paths: Vec<PathBuf>,
    /// Output format (written to stdout, or to --output).
    #[arg(long, short, value_enum, default_value_t = ScanFormat::Text)]
    format: ScanFormat,
    /// Write the output to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Also write FORMAT to PATH, from the same scan (repeatable): `--report sarif=results.sarif
    /// --report junit=junit.xml`. Formats: text, concise, json, sarif, junit, github, markdown.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_target)]
    reports: Vec<ReportTarget>,
    /// Fail (exit 1) on findings of this severity or higher [default: the configuration's
    /// `fail_on`, else low].
    #[arg(long, value_enum, ignore_case = true)]
    fail_on: Option<FailOn>,
    /// Print the number of findings per rule (most first) instead of the findings (as JSON
    /// with --format json).
    #[arg(long)]
    statistics: bool,
    /// Exit 0 even when findings fail the gate (input that could not be read still exits 2).
    #[arg(long)]
    exit_zero: bool,
    /// Unknown findings (values known only at deployment) fail the gate too.
    #[arg(long)]
    strict: bool,
    /// Also load the rules in this directory (same format as the built-in ones; repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    #[cfg(feature = "guard")]
    #[command(flatten)]
    guard: super::guard::GuardArgs,
    /// Run only these rules: an id (`K8S-POD-001`), a prefix of whole id parts (`AWS-S3`,
    /// `K8S`) or a Checkov id that rules reference (`CKV_AWS_20`), any case; comma-separated
    /// or repeated. One that matches no rule is an error. Opt-in rules (marked in `guardrail
    /// rules`) run only when named by their id or a Checkov id [default: the configuration's
    /// `select`, else every rule but the opt-in ones].
    #[arg(long, value_name = "ID")]
    select: Vec<String>,
    /// Skip these rules, named as for --select (added to the configuration's `ignore`).
    #[arg(long, value_name = "ID")]
    ignore: Vec<String>,
    /// Read only these frameworks (repeatable) [default: those the configuration leaves on].
    #[arg(
        long = "framework",
        value_enum,
        ignore_case = true,
        value_name = "FRAMEWORK"
    )]
    frameworks: Vec<FrameworkArg>,
    /// Never read files matching this glob, relative to the current directory (repeatable;
    /// added to the configuration's `exclude`). Files named explicitly are still read.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Also show suppressed findings, and list the files passed over, and why.
    #[arg(long, short)]
    verbose: bool,
    /// Leave passing and not-applicable verdicts out of JSON output (by default it lists
    /// them, with their evidence, under `passed` and `not_applicable`).
    #[arg(long, short)]
    quiet: bool,
    /// Do not fail closed when some input cannot be read or parsed.
    #[arg(long)]
    allow_parse_errors: bool,
    /// Read this configuration file instead of looking for guardrail.toml or
    /// .guardrail.toml in the scanned directory and its parents.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Fail only on findings whose fingerprint is not in this baseline file [default: the
    /// configuration's `baseline`].
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Read Terraform variable values from FILE, as `terraform -var-file` does (repeatable;
    /// later files win, and they come after the configuration's `var_files`). Each file
    /// applies to every scanned module that declares the variable. terraform.tfvars,
    /// terraform.tfvars.json and *.auto.tfvars(.json) are read from each module directory
    /// without it. TF_VAR_* environment variables and -var values are not read.
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// Never draw the progress bar. It is drawn on stderr only when stderr is a terminal
    /// (not TERM=dumb), for scans that take longer than 300 ms, and cleared before the
    /// findings are printed.
    #[arg(long)]
    no_progress: bool,
    /// Record the current findings in FILE as a baseline (and exit 0 unless input could not
    /// be read).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

/// A framework `--framework` names.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FrameworkArg {
    Cloudformation,
    Terraform,
    Kubernetes,
}

impl FrameworkArg {
    fn framework(self) -> Framework {
        match self {
            FrameworkArg::Cloudformation => Framework::CloudFormation,
            FrameworkArg::Terraform => Framework::Terraform,
            FrameworkArg::Kubernetes => Framework::Kubernetes,
        }
    }
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
            FailOn::Info => Severity::Info,
        }
    }
}

/// The project the arguments name: the paths (`.` when none), the configuration
/// (`--config`, else found upward from the first path) and the settings of the flags.
fn project(args: &ScanArgs) -> Result<Project, ProjectError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let project = match &args.config {
        Some(file) => Project::new(paths).with_config_file(file)?,
        None => Project::discover(paths)?,
    };
    let mut settings = Settings::default();
    settings.select = args.select.clone();
    settings.ignore = args.ignore.clone();
    settings.fail_on = args.fail_on.map(Severity::from);
    settings.strict = args.strict;
    settings.allow_incomplete = args.allow_parse_errors;
    settings.rule_dirs = args.rule_dirs.clone();
    settings.baseline = args.baseline.clone();
    settings.var_files = args.var_files.clone();
    settings.tf_vars = guardrail::scan::tf_vars_from_environment();
    settings.frameworks = args.frameworks.iter().map(|f| f.framework()).collect();
    settings.exclude = args.exclude.clone();
    #[cfg(feature = "guard")]
    {
        settings.guard_files = args.guard.rule_files.clone();
        settings.guard_mappings = args.guard.mapping_files.clone();
    }
    // Only these formats describe every rule, which checks the whole pack (HTML for the
    // NIST controls of every rule).
    settings.describe_every_rule = formats(args)
        .any(|f| matches!(f, ScanFormat::Sarif | ScanFormat::Junit | ScanFormat::Html));
    Ok(project.with_settings(settings))
}

/// Every format the command writes: `--format`, then each `--report`'s.
fn formats(args: &ScanArgs) -> impl Iterator<Item = ScanFormat> + '_ {
    std::iter::once(args.format).chain(args.reports.iter().map(|t| t.format))
}

/// Runs the command and returns the exit code.
pub fn run(args: &ScanArgs) -> miette::Result<u8> {
    check_destinations(args.output.as_deref(), &args.reports).map_err(|e| miette::miette!(e))?;
    let mut project = match project(args) {
        Ok(project) => project,
        Err(error) => return Ok(super::usage_error(error)),
    };
    let term = std::env::var("TERM").ok();
    let bar = progress::wanted(
        args.no_progress,
        std::io::stderr().is_terminal(),
        term.as_deref(),
    )
    .then(|| {
        let delay = std::env::var(progress::DELAY_VAR).ok();
        progress::Bar::start(progress::delay(delay.as_deref()))
    });
    if let Some(bar) = &bar {
        project = project.on_progress(bar.listener());
    }
    let scan = project.scan();
    // Cleared before anything else is printed.
    drop(bar);
    let scan = match scan {
        Ok(scan) => scan,
        Err(error) => return Ok(super::usage_error(error)),
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let views = if formats(args).any(|f| f == ScanFormat::Html) {
        Some(Views::of(&scan)?)
    } else {
        None
    };
    let mut outputs = Outputs {
        report: &scan.report,
        files: &scan.input.files,
        options: RenderOptions::with_gate(scan.gate.gate)
            .color(to_terminal && std::env::var_os("NO_COLOR").is_none())
            .width(super::output::text_width(to_terminal))
            .show_suppressed(args.verbose)
            .quiet(args.quiet),
        views: views.as_ref(),
    };
    let rendered = if args.statistics {
        super::output::statistics(args.format, &outputs)
    } else {
        super::output::render(args.format, &outputs)
    };
    super::write_output(args.output.as_deref(), &rendered)?;
    // Files never get colour, and have the fixed width.
    outputs.options = outputs
        .options
        .color(false)
        .width(super::output::text_width(false));
    for target in &args.reports {
        let rendered = super::output::render(target.format, &outputs);
        super::write_output(Some(&target.path), &rendered)?;
    }
    super::report_input_problems(&scan.input, args.verbose, args.allow_parse_errors);
    let decision = scan.decision();
    if let Some(path) = &args.write_baseline {
        super::write_output(Some(path), &Baseline::render(&scan.report))?;
        // Recording a baseline accepts the findings; only unreadable input fails.
        return Ok(match decision {
            Decision::Incomplete => EXIT_INCOMPLETE,
            _ => EXIT_OK,
        });
    }
    Ok(match decision {
        Decision::Pass => EXIT_OK,
        Decision::Fail if args.exit_zero => EXIT_OK,
        Decision::Fail => EXIT_FINDINGS,
        _ => EXIT_INCOMPLETE,
    })
}
