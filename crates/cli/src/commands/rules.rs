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
    let wanted = args.id.trim().to_ascii_uppercase();
    match lookup(&rules, &wanted) {
        Lookup::One(rule) => {
            super::write_output(None, &guardrail::render::rules::explain(rule))?;
            Ok(EXIT_OK)
        }
        Lookup::Many(how, found) => {
            let heading = match how {
                How::Prefix => format!("{} rules under {wanted}", found.len()),
                How::Reference => format!("{} rules reference {wanted}", found.len()),
            };
            super::write_output(None, &guardrail::render::rules::listing(&heading, &found))?;
            Ok(EXIT_OK)
        }
        Lookup::None => Err(miette::miette!(
            help = suggestion(&rules, &wanted),
            "no rule matches `{}` (as an id, an id prefix or another tool's id)",
            args.id
        )),
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
enum Lookup<'r> {
    /// One rule.
    One(&'r Rule),
    /// Several rules, sorted by id.
    Many(How, Vec<Rule>),
    /// Nothing.
    None,
}

/// A rule id, else a prefix of whole id parts, else another tool's id that rules reference;
/// a prefix or reference that names one rule names it.
fn lookup<'r>(rules: &'r [Rule], wanted: &str) -> Lookup<'r> {
    if let Some(rule) = rules.iter().find(|r| r.id.eq_ignore_ascii_case(wanted)) {
        return Lookup::One(rule);
    }
    let pick = |how: How, mut found: Vec<&'r Rule>| {
        found.sort_by(|a, b| a.id.cmp(&b.id));
        match found.as_slice() {
            [] => None,
            [one] => Some(Lookup::One(one)),
            _ => Some(Lookup::Many(how, found.into_iter().cloned().collect())),
        }
    };
    let prefixed: Vec<&Rule> = rules.iter().filter(|r| under(&r.id, wanted)).collect();
    if let Some(found) = pick(How::Prefix, prefixed) {
        return found;
    }
    let referencing: Vec<&Rule> = rules
        .iter()
        .filter(|r| {
            r.references
                .values()
                .flatten()
                .any(|id| id.eq_ignore_ascii_case(wanted))
        })
        .collect();
    pick(How::Reference, referencing).unwrap_or(Lookup::None)
}

/// Whether `id` is under `prefix`, a prefix of whole id parts (`AWS-S3` for `AWS-S3-001`,
/// not for `AWS-S3X-001`), any case.
fn under(id: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('-');
    !prefix.is_empty()
        && id
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        && id.as_bytes().get(prefix.len()) == Some(&b'-')
}

/// What to try instead of an id that names nothing: the rules of the nearest family that has
/// some (AWS-RDS-999 → AWS-RDS-…), else the list.
fn suggestion(rules: &[Rule], wanted: &str) -> String {
    let mut family = wanted;
    while let Some((shorter, _)) = family.rsplit_once('-') {
        family = shorter;
        let close: Vec<&str> = rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| under(id, family))
            .take(12)
            .collect();
        if !close.is_empty() {
            return format!("did you mean one of {}?", close.join(", "));
        }
    }
    "guardrail rules lists every rule".to_owned()
}
