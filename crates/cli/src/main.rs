//! The `guardrail` command line: argument parsing, output choice and exit codes. Everything
//! else is the `guardrail` library.

mod commands;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code when nothing is wrong.
const EXIT_OK: u8 = 0;
/// Exit code when findings fail the gate.
const EXIT_FINDINGS: u8 = 1;
/// Exit code for usage errors and for input that could not be read (the scan is incomplete).
const EXIT_INCOMPLETE: u8 = 2;

/// guardrail: policy-as-code for CloudFormation, Terraform and Kubernetes.
///
/// Reads infrastructure code into one resource graph (references between resources across
/// files and frameworks) and checks it against security rules mapped to STRIDE and
/// NIST SP 800-53 rev5.
///
/// Exit codes: 0 nothing at or above the --fail-on severity; 1 findings at or above it;
/// 2 a usage or rule error, or input that could not be read or parsed (guardrail fails
/// closed: every such file is named with line and column).
///
/// Start with `guardrail scan .`; `guardrail explain <RULE>` tells what a rule checks and why.
#[derive(Debug, Parser)]
#[command(name = "guardrail", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check files and directories against the rules (the CI gate).
    Scan(Box<commands::scan::ScanArgs>),
    /// List the rules: id, severity, frameworks, STRIDE categories, NIST controls.
    Rules(commands::rules::RulesArgs),
    /// Show everything about one rule: why, how to fix, what is checked, examples.
    Explain(commands::rules::ExplainArgs),
    /// Show the resource graph guardrail builds from the given files and directories.
    Graph(commands::graph::GraphArgs),
    /// Model the threats: data-flow diagram, trust boundaries and a STRIDE state per element
    /// (exposed, unverified, mitigated) with the lines that prove it.
    Threats(commands::threats::ThreatsArgs),
    /// Assess NIST SP 800-53 rev5 controls: per control and family, the rules that assess
    /// it, what passes and fails, and its state; --baseline lists the controls that need
    /// evidence from elsewhere.
    Controls(commands::controls::ControlsArgs),
    /// Write a commented starter configuration, guardrail.toml, in DIR (default: here).
    Init {
        /// Where to write it.
        #[arg(default_value = ".")]
        dir: std::path::PathBuf,
    },
    /// Print a shell completion script: `guardrail completions bash > /etc/bash_completion.d/guardrail`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => commands::scan::run(&args),
        Command::Rules(args) => commands::rules::list(&args),
        Command::Explain(args) => commands::rules::explain(&args),
        Command::Graph(args) => commands::graph::run(&args),
        Command::Threats(args) => commands::threats::run(&args),
        Command::Controls(args) => commands::controls::run(&args),
        Command::Init { dir } => {
            let path = dir.join("guardrail.toml");
            if path.exists() {
                Err(miette::miette!(
                    help = "edit it, or remove it first",
                    "{} already exists",
                    path.display()
                ))
            } else {
                commands::write_output(Some(&path), guardrail::config::STARTER).map(|()| EXIT_OK)
            }
        }
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            // Rendered whole first: clap_complete panics when stdout closes early
            // (`guardrail completions bash | head`); write_output does not.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "guardrail", &mut script);
            commands::write_output(None, &String::from_utf8_lossy(&script)).map(|()| EXIT_OK)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_INCOMPLETE)
        }
    }
}
