//! `guardrail rules` and `guardrail explain`: the rule pack and its documentation.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guardrail::rules::model::Rule;
use guardrail::{Project, ProjectError, Settings};

use crate::EXIT_OK;

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

/// Every rule: built-in, of `rule_dirs` and of the Guard files named, with the rule
/// directories and Guard files of the configuration found from the working directory.
fn all_rules(
    rule_dirs: &[PathBuf],
    #[cfg(feature = "guard")] guard: &super::guard::GuardArgs,
) -> Result<Vec<Rule>, ProjectError> {
    let mut settings = Settings::default();
    settings.rule_dirs = rule_dirs.to_vec();
    #[cfg(feature = "guard")]
    {
        settings.guard_files = guard.rule_files.clone();
        settings.guard_mappings = guard.mapping_files.clone();
    }
    Project::discover(["."])?.with_settings(settings).rules()
}

/// Runs `guardrail rules`.
pub fn list(args: &RulesArgs) -> miette::Result<u8> {
    if args.helpers {
        super::write_output(None, &guardrail::render::rules::helpers())?;
        return Ok(EXIT_OK);
    }
    let rules = match all_rules(
        &args.rule_dirs,
        #[cfg(feature = "guard")]
        &args.guard,
    ) {
        Ok(rules) => rules,
        Err(error) => return Ok(super::usage_error(error)),
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
    let rules = match all_rules(
        &args.rule_dirs,
        #[cfg(feature = "guard")]
        &args.guard,
    ) {
        Ok(rules) => rules,
        Err(error) => return Ok(super::usage_error(error)),
    };
    let wanted = args.id.to_ascii_uppercase();
    match rules.iter().find(|r| r.id.eq_ignore_ascii_case(&wanted)) {
        Some(rule) => {
            super::write_output(None, &guardrail::render::rules::explain(rule))?;
            Ok(EXIT_OK)
        }
        None => {
            // Suggest the rules of the same family: AWS-RDS-999 → AWS-RDS-*.
            let family = wanted.rsplit_once('-').map_or(wanted.as_str(), |(f, _)| f);
            let close: Vec<&str> = rules
                .iter()
                .map(|r| r.id.as_str())
                .filter(|id| id.starts_with(&format!("{family}-")))
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
