//! `--guard` and `--guard-mapping`, shared by `scan`, `rules` and `explain`.

use std::path::PathBuf;

use clap::Args;

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
