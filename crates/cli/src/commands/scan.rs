//! `guardrail scan`: check infrastructure code against the rules; the CI gate.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guardrail::Scanner;
use guardrail::config::{self, Config};
use guardrail::render::RenderOptions;
use guardrail::report::baseline::Baseline;
use guardrail::report::{Decision, Gate};
use guardrail::rules::load::{LoadedRules, matches_selector};
use guardrail::rules::model::Severity;
use guardrail::rules::set::RuleSet;
use guardrail::scan::ScanOptions;
use guardrail::scanner::{RuleErrors, rule_errors};
use guardrail::source::SourceFiles;

use super::output::{Outputs, ReportTarget, ScanFormat, check_destinations, parse_report_target};
use crate::{EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, progress};

/// Arguments of `guardrail scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to check (directories are walked; .gitignore is honoured).
    #[arg(required = true)]
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
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Print the number of findings per rule (most first) instead of the findings (as JSON
    /// with --format json).
    #[arg(long)]
    statistics: bool,
    /// Unknown findings (values known only at deployment) fail the gate too.
    #[arg(long)]
    strict: bool,
    /// Also load the rules in this directory (same format as the built-in ones; repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    #[cfg(feature = "guard")]
    #[command(flatten)]
    guard: super::guard::GuardArgs,
    /// Run only these rules: an id (`K8S-POD-001`) or a prefix of whole id parts (`AWS-S3`,
    /// `K8S`), any case; repeatable.
    #[arg(long, value_name = "ID")]
    select: Vec<String>,
    /// Skip these rules: an id or a prefix of whole id parts, any case; repeatable.
    #[arg(long, value_name = "ID")]
    ignore: Vec<String>,
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

/// The configuration that applies: `--config`, or the one found upward from the first path,
/// or none. Prints its mistakes and returns `Err` when it has any.
fn project_config(args: &ScanArgs) -> Result<Config, ()> {
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => args.paths.first().and_then(|p| config::discover(p)),
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let mut files = SourceFiles::default();
    config::load(&path, &mut files).map_err(|problems| {
        for d in &problems {
            eprintln!("{:?}", d.to_report(&files));
        }
        eprintln!(
            "guardrail: {} problem(s) in {}",
            problems.len(),
            path.display()
        );
    })
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
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

/// The built-in rules (checked when a scan needs them) plus the `--rules` directories
/// (checked now), selected; or prints why not.
pub fn load_rules(dirs: &[PathBuf], select: &[String], ignore: &[String]) -> Option<RuleSet> {
    let mut rules = RuleSet::builtin();
    if !dirs.is_empty() {
        // Keeps built-in ids reserved: a user rule reusing one is a duplicate.
        let mut user = LoadedRules {
            rules: rules.summaries(),
            ..LoadedRules::default()
        };
        let reserved = user.rules.len();
        for dir in dirs {
            user.add_dir(dir);
        }
        if report_rule_errors(&user) {
            return None;
        }
        rules.extend(user.rules.drain(reserved..));
    }
    rules.retain(|id| is_selected(id, select, ignore));
    Some(rules)
}

/// Whether the rule `id` runs under `--select` / `--ignore` (and their configuration keys).
fn is_selected(id: &str, select: &[String], ignore: &[String]) -> bool {
    (select.is_empty() || matches_selector(id, select)) && !matches_selector(id, ignore)
}

/// Applies the configuration's `[severity]` overrides to Guard rules.
#[cfg(feature = "guard")]
fn override_severities(rules: &mut [guardrail::rules::model::Rule], config: &Config) {
    for rule in rules {
        if let Some(severity) = config.severity.get(&rule.id) {
            rule.severity = *severity;
        }
    }
}

fn report_rule_errors(loaded: &LoadedRules) -> bool {
    rule_errors(loaded).is_some_and(|errors| print_rule_errors(&errors))
}

/// Prints rule files' errors; `true`.
pub fn print_rule_errors(errors: &RuleErrors) -> bool {
    for d in &errors.diagnostics {
        eprintln!("{:?}", d.to_report(&errors.files));
    }
    eprintln!(
        "guardrail: {} problem(s) in rule files",
        errors.diagnostics.len()
    );
    true
}

/// The Guard rules of the configuration and `--guard`, selected and with severity overrides;
/// `None` when there are none; `Err` (after printing why) when a file does not load.
#[cfg(feature = "guard")]
fn load_guard(
    args: &ScanArgs,
    config: &Config,
    select: &[String],
    ignore: &[String],
) -> Result<Option<guardrail::guard::GuardRules>, ()> {
    let Some(mut guard) = args.guard.after(config).load()? else {
        return Ok(None);
    };
    guard.rules.retain(|r| is_selected(&r.id, select, ignore));
    override_severities(&mut guard.rules, config);
    Ok(Some(guard))
}

/// Runs the command and returns the exit code.
pub fn run(args: &ScanArgs) -> miette::Result<u8> {
    check_destinations(args.output.as_deref(), &args.reports).map_err(|e| miette::miette!(e))?;
    let Ok(config) = project_config(args) else {
        return Ok(EXIT_INCOMPLETE);
    };
    // The command line adds to the configuration, and its --select replaces the file's.
    let rule_dirs: Vec<PathBuf> = config
        .rule_dirs
        .iter()
        .chain(&args.rule_dirs)
        .cloned()
        .collect();
    let select = if args.select.is_empty() {
        &config.select
    } else {
        &args.select
    };
    let ignore: Vec<String> = config.ignore.iter().chain(&args.ignore).cloned().collect();
    let Some(mut rules) = load_rules(&rule_dirs, select, &ignore) else {
        return Ok(EXIT_INCOMPLETE);
    };
    for (id, severity) in &config.severity {
        rules.set_severity(id, *severity);
    }
    let baseline = match args.baseline.as_ref().or(config.baseline.as_ref()) {
        Some(path) => match Baseline::read(path) {
            Ok(baseline) => Some(baseline),
            Err(problem) => {
                eprintln!("{:?}", problem.to_report(&SourceFiles::default()));
                return Ok(EXIT_INCOMPLETE);
            }
        },
        None => None,
    };
    let gate = Gate::new(
        args.fail_on
            .map(Severity::from)
            .or(config.fail_on)
            .unwrap_or(Severity::Low),
    )
    .strict(args.strict || config.strict.unwrap_or(false))
    .allow_incomplete(args.allow_parse_errors);
    let scanner = Scanner::from_rule_set(rules);
    #[cfg(feature = "guard")]
    let scanner = match load_guard(args, &config, select, &ignore) {
        Ok(Some(guard)) => scanner.with_guard(guard),
        Ok(None) => scanner,
        Err(()) => return Ok(EXIT_INCOMPLETE),
    };
    let mut options = ScanOptions::with_config(config).with_var_files(args.var_files.clone());
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
        options = options.with_progress(bar.listener());
    }
    let scanner = scanner.with_options(options);
    let mut outcome = scanner.scan(&args.paths);
    // Cleared before anything else is printed.
    drop(bar);
    if let Some(baseline) = &baseline {
        baseline.apply(&mut outcome.report);
    }
    let formats = std::iter::once(args.format).chain(args.reports.iter().map(|t| t.format));
    if formats
        .into_iter()
        .any(|f| matches!(f, ScanFormat::Sarif | ScanFormat::Junit))
    {
        scanner.describe_every_rule(&mut outcome.report);
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let mut outputs = Outputs {
        report: &outcome.report,
        files: &outcome.input.files,
        options: RenderOptions::with_gate(gate)
            .color(to_terminal && std::env::var_os("NO_COLOR").is_none())
            .width(super::output::text_width(to_terminal))
            .show_suppressed(args.verbose)
            .quiet(args.quiet),
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
    super::report_input_problems(&outcome.input, args.verbose, args.allow_parse_errors);
    let decision = outcome.report.gate(&gate).decision;
    if let Some(path) = &args.write_baseline {
        super::write_output(Some(path), &Baseline::render(&outcome.report))?;
        // Recording a baseline accepts the findings; only unreadable input fails.
        return Ok(match decision {
            Decision::Incomplete => EXIT_INCOMPLETE,
            _ => EXIT_OK,
        });
    }
    Ok(exit_code(decision))
}

/// The exit code of a gate decision.
fn exit_code(decision: Decision) -> u8 {
    match decision {
        Decision::Pass => EXIT_OK,
        Decision::Fail => EXIT_FINDINGS,
        _ => EXIT_INCOMPLETE,
    }
}
