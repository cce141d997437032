//! `guardrail scan`: check infrastructure code against the rules; the CI gate.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guardrail::Scanner;
use guardrail::render::text::TextOptions;
use guardrail::report::Gate;
use guardrail::rules::builtin::builtin;
use guardrail::rules::load::{LoadedRules, matches_selector};
use guardrail::rules::model::Severity;
use guardrail::scanner::rule_errors;

use super::output::{Outputs, ReportTarget, ScanFormat, check_destinations, parse_report_target};
use crate::{EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK};

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
    /// --report junit=junit.xml`. Formats: text, json, sarif, junit, github, markdown.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_target)]
    reports: Vec<ReportTarget>,
    /// Fail (exit 1) on findings of this severity or higher.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    fail_on: FailOn,
    /// Unknown findings (values known only at deployment) fail the gate too.
    #[arg(long)]
    strict: bool,
    /// Also load the rules in this directory (same format as the built-in ones; repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    /// Run only rules whose id is or starts with this (`AWS-S3`, `K8S-POD-001`; repeatable).
    #[arg(long, value_name = "ID")]
    select: Vec<String>,
    /// Skip rules whose id is or starts with this (repeatable).
    #[arg(long, value_name = "ID")]
    ignore: Vec<String>,
    /// Also show suppressed findings, and list the files passed over, and why.
    #[arg(long, short)]
    verbose: bool,
    /// Do not fail closed when some input cannot be read or parsed.
    #[arg(long)]
    allow_parse_errors: bool,
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

/// Loads the built-in rules plus `--rules` directories, selected; or prints why not.
pub fn load_rules(
    dirs: &[PathBuf],
    select: &[String],
    ignore: &[String],
) -> Option<Vec<guardrail::rules::model::Rule>> {
    let mut rules = builtin().rules.clone();
    // The suppression meta rules (GEN-SUPPRESS-*) are listed, explained and selected like
    // any other rule.
    rules.extend(guardrail::report::suppress::meta_rules().iter().cloned());
    let mut failed = report_rule_errors(builtin());
    if !dirs.is_empty() {
        let mut user = LoadedRules::default();
        for rule in &rules {
            // Keeps built-in ids reserved: a user rule reusing one is a duplicate.
            user.rules.push(rule.clone());
        }
        for dir in dirs {
            user.add_dir(dir);
        }
        failed |= report_rule_errors(&user);
        rules = user.rules;
    }
    if failed {
        return None;
    }
    Some(
        rules
            .into_iter()
            .filter(|r| select.is_empty() || matches_selector(&r.id, select))
            .filter(|r| !matches_selector(&r.id, ignore))
            .collect(),
    )
}

fn report_rule_errors(loaded: &LoadedRules) -> bool {
    match rule_errors(loaded) {
        Some(errors) => {
            for d in &errors.diagnostics {
                eprintln!("{:?}", d.to_report(&errors.files));
            }
            eprintln!(
                "guardrail: {} problem(s) in rule files",
                errors.diagnostics.len()
            );
            true
        }
        None => false,
    }
}

/// Runs the command and returns the exit code.
pub fn run(args: &ScanArgs) -> miette::Result<u8> {
    check_destinations(args.output.as_deref(), &args.reports).map_err(|e| miette::miette!(e))?;
    let Some(rules) = load_rules(&args.rule_dirs, &args.select, &args.ignore) else {
        return Ok(EXIT_INCOMPLETE);
    };
    let scanner = Scanner::new(rules);
    let outcome = scanner.scan(&args.paths);
    let gate = Gate {
        fail_on: args.fail_on.into(),
        strict: args.strict,
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let text = TextOptions {
        color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        show_suppressed: args.verbose,
        ..TextOptions::default()
    };
    let mut outputs = Outputs {
        report: &outcome.report,
        files: &outcome.input.files,
        rules: scanner.rules(),
        gate: &gate,
        text,
    };
    let rendered = super::output::render(args.format, &outputs)?;
    super::write_output(args.output.as_deref(), &rendered)?;
    // Files never get colour.
    outputs.text.color = false;
    for target in &args.reports {
        let rendered = super::output::render(target.format, &outputs)?;
        super::write_output(Some(&target.path), &rendered)?;
    }
    let incomplete =
        super::report_input_problems(&outcome.input, args.verbose, args.allow_parse_errors);
    Ok(if incomplete {
        EXIT_INCOMPLETE
    } else if outcome.report.failing(&gate).next().is_some() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
