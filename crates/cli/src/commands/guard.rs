//! `--guard` and `--guard-mapping`, shared by `scan`, `rules` and `explain`.

use std::path::PathBuf;

use clap::Args;
use guardrail::guard::GuardRules;

/// AWS CloudFormation Guard rule files and their mappings.
#[derive(Debug, Clone, Default, Args)]
pub struct GuardArgs {
    /// Also run the AWS CloudFormation Guard rules in FILE, or in every *.guard / *.ruleset
    /// file under DIR (repeatable), on every CloudFormation template and Kubernetes document.
    /// Their failures are findings like any other, at the offending property's line
    /// (docs/guard.md).
    #[arg(long = "guard", value_name = "FILE|DIR")]
    pub rule_files: Vec<PathBuf>,
    /// Give Guard rules severity, STRIDE categories and NIST controls from FILE: the Guard
    /// Rules Registry's rule-set JSON, its per-rule controls JSON, or guardrail's TOML.
    /// Repeatable.
    #[arg(long = "guard-mapping", value_name = "FILE")]
    pub mapping_files: Vec<PathBuf>,
}

impl GuardArgs {
    /// These files after `config`'s (`guard`, `guard_mappings`).
    pub fn after(&self, config: &guardrail::config::Config) -> GuardArgs {
        GuardArgs {
            rule_files: config
                .guard
                .iter()
                .chain(&self.rule_files)
                .cloned()
                .collect(),
            mapping_files: config
                .guard_mappings
                .iter()
                .chain(&self.mapping_files)
                .cloned()
                .collect(),
        }
    }

    /// The Guard rules, `None` when no file is named; `Err` after printing the problems when
    /// a rule or mapping file has an error (warnings are printed too).
    pub fn load(&self) -> Result<Option<GuardRules>, ()> {
        if self.rule_files.is_empty() {
            return Ok(None);
        }
        let guard = GuardRules::load(&self.rule_files, &self.mapping_files);
        for d in &guard.diagnostics {
            eprintln!("{:?}", d.to_report(&guard.files));
        }
        if guard.has_errors() {
            eprintln!("guardrail: problem(s) in Guard rule or mapping files");
            return Err(());
        }
        Ok(Some(guard))
    }
}
