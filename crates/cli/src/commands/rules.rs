//! `guardrail rules` and `guardrail explain`: the rule pack and its documentation.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guardrail::rules::load::matches_selector;
use guardrail::rules::set::RuleSet;

use crate::{EXIT_INCOMPLETE, EXIT_OK};

/// Arguments of `guardrail rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = RulesFormat::Table)]
    format: RulesFormat,
    /// Also load the rules in this directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    /// List the helper functions rule conditions can call, with their documentation.
    #[arg(long)]
    helpers: bool,
    #[cfg(feature = "guard")]
    #[command(flatten)]
    guard: super::guard::GuardArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RulesFormat {
    /// One line per rule.
    Table,
    /// Metadata of every rule as JSON.
    Json,
}

/// Arguments of `guardrail explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, such as AWS-S3-001.
    id: String,
    /// Also look in the rules in this directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    #[cfg(feature = "guard")]
    #[command(flatten)]
    guard: super::guard::GuardArgs,
}

/// The built-in rules, those of `rule_dirs` and, with the `guard` feature, the Guard rules
/// named (the built-in ones not checked yet); `None` after printing why when some do not
/// load.
fn all_rules(
    rule_dirs: &[PathBuf],
    #[cfg(feature = "guard")] guard: &super::guard::GuardArgs,
) -> Option<RuleSet> {
    #[allow(unused_mut)]
    let mut rules = super::scan::load_rules(rule_dirs, &[], &[])?;
    #[cfg(feature = "guard")]
    if let Some(guard) = guard.load().ok()? {
        rules.extend(guard.rules);
    }
    Some(rules)
}

/// Runs `guardrail rules`.
pub fn list(args: &RulesArgs) -> miette::Result<u8> {
    if args.helpers {
        super::write_output(None, &guardrail::render::rules::helpers())?;
        return Ok(EXIT_OK);
    }
    let Some(rules) = all_rules(
        &args.rule_dirs,
        #[cfg(feature = "guard")]
        &args.guard,
    ) else {
        return Ok(EXIT_INCOMPLETE);
    };
    let rules = match rules.to_rules() {
        Ok(rules) => rules,
        Err(errors) => {
            super::scan::print_rule_errors(&errors);
            return Ok(EXIT_INCOMPLETE);
        }
    };
    let text = match args.format {
        RulesFormat::Table => guardrail::render::rules::table(&rules),
        RulesFormat::Json => {
            let mut text = serde_json::to_string_pretty(&guardrail::render::rules::json(&rules))
                .map_err(|e| miette::miette!("cannot render JSON: {e}"))?;
            text.push('\n');
            text
        }
    };
    super::write_output(None, &text)?;
    Ok(EXIT_OK)
}

/// Runs `guardrail explain`.
pub fn explain(args: &ExplainArgs) -> miette::Result<u8> {
    let Some(rules) = all_rules(
        &args.rule_dirs,
        #[cfg(feature = "guard")]
        &args.guard,
    ) else {
        return Ok(EXIT_INCOMPLETE);
    };
    let wanted = args.id.to_ascii_uppercase();
    match rules.find(&wanted) {
        Some(Ok(rule)) => {
            super::write_output(None, &guardrail::render::rules::explain(&rule))?;
            Ok(EXIT_OK)
        }
        Some(Err(errors)) => {
            super::scan::print_rule_errors(&errors);
            Ok(EXIT_INCOMPLETE)
        }
        None => {
            // Suggest the rules of the same family: AWS-RDS-999 → AWS-RDS-*.
            let family = wanted.rsplit_once('-').map_or(wanted.as_str(), |(f, _)| f);
            let close: Vec<&str> = rules
                .ids()
                .filter(|id| matches_selector(id, &[family.to_owned()]))
                .collect();
            Err(miette::miette!(
                help = if close.is_empty() {
                    "guardrail rules lists every rule".to_owned()
                } else {
                    format!("rules with that prefix: {}", close.join(", "))
                },
                "no rule `{}`",
                args.id
            ))
        }
    }
}
