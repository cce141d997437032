//! `guardrail rules` and `guardrail explain`: the rule pack and its documentation.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use guardrail::rules::load::matches_selector;
use guardrail::rules::model::Rule;
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
    /// A rule id (AWS-RDS-001: that rule in full), a prefix of whole id parts (AWS-S3: the
    /// rules it names, listed), or another tool's id that rules reference (CKV_AWS_20,
    /// AVD-AWS-0088, a Guard registry rule name), any case.
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
    let wanted = args.id.trim().to_ascii_uppercase();
    let matched = match lookup(&rules, &wanted) {
        Lookup::One(id) => id,
        Lookup::Many(how, found) => {
            let heading = match how {
                How::Prefix => format!("{} rules under {wanted}", found.len()),
                How::Reference => format!("{} rules reference {wanted}", found.len()),
            };
            super::write_output(None, &guardrail::render::rules::listing(&heading, &found))?;
            return Ok(EXIT_OK);
        }
        Lookup::None => {
            return Err(miette::miette!(
                help = suggestion(&rules, &wanted),
                "no rule matches `{}` (as an id, an id prefix or another tool's id)",
                args.id
            ));
        }
    };
    match rules.find(&matched) {
        Some(Ok(rule)) => {
            super::write_output(None, &guardrail::render::rules::explain(&rule))?;
            Ok(EXIT_OK)
        }
        Some(Err(errors)) => {
            super::scan::print_rule_errors(&errors);
            Ok(EXIT_INCOMPLETE)
        }
        None => Err(miette::miette!("no rule `{}`", args.id)),
    }
}

/// How `explain` found several rules.
enum How {
    /// The argument is a prefix of whole id parts (`AWS-S3`).
    Prefix,
    /// Rules reference it (`CKV_AWS_20`).
    Reference,
}

/// What `explain`'s argument names.
enum Lookup {
    /// One rule, by its id.
    One(String),
    /// Several rules (their metadata), sorted by id.
    Many(How, Vec<Rule>),
    /// Nothing.
    None,
}

/// A rule id, else a prefix of whole id parts, else another tool's id that rules reference;
/// a prefix or reference that names one rule names it.
fn lookup(rules: &RuleSet, wanted: &str) -> Lookup {
    if rules.ids().any(|id| id.eq_ignore_ascii_case(wanted)) {
        return Lookup::One(wanted.to_owned());
    }
    let summaries = rules.summaries();
    let pick = |how: How, mut found: Vec<Rule>| {
        found.sort_by(|a, b| a.id.cmp(&b.id));
        match found.as_slice() {
            [] => None,
            [one] => Some(Lookup::One(one.id.clone())),
            _ => Some(Lookup::Many(how, found)),
        }
    };
    let prefixed: Vec<Rule> = summaries
        .iter()
        .filter(|r| matches_selector(&r.id, &[wanted.to_owned()]))
        .cloned()
        .collect();
    if let Some(found) = pick(How::Prefix, prefixed) {
        return found;
    }
    let referencing: Vec<Rule> = summaries
        .into_iter()
        .filter(|r| {
            r.references
                .values()
                .flatten()
                .any(|id| id.eq_ignore_ascii_case(wanted))
        })
        .collect();
    pick(How::Reference, referencing).unwrap_or(Lookup::None)
}

/// What to try instead of an id that names nothing: the rules of the nearest family that has
/// some (AWS-RDS-999 → AWS-RDS-…), else the list.
fn suggestion(rules: &RuleSet, wanted: &str) -> String {
    let mut family = wanted;
    while let Some((shorter, _)) = family.rsplit_once('-') {
        family = shorter;
        let close: Vec<&str> = rules
            .ids()
            .filter(|id| matches_selector(id, &[family.to_owned()]))
            .take(12)
            .collect();
        if !close.is_empty() {
            return format!("did you mean one of {}?", close.join(", "));
        }
    }
    "guardrail rules lists every rule".to_owned()
}
