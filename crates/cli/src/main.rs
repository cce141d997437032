//! The `guardrail` command line: argument parsing, output choice and exit codes. Everything
//! else is the `guardrail` library.

mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code when nothing is wrong.
const EXIT_OK: u8 = 0;
/// Exit code for usage errors and for input that could not be read (the scan is incomplete).
const EXIT_INCOMPLETE: u8 = 2;

/// guardrail: policy-as-code for CloudFormation, Terraform and Kubernetes.
///
/// Reads infrastructure code into one resource graph (references between resources across
/// files and frameworks) and checks it against security rules mapped to STRIDE and
/// NIST SP 800-53 rev5.
///
/// Exit codes: 0 success; 2 usage error or input that could not be read or parsed (guardrail
/// fails closed: every such file is named with line and column).
#[derive(Debug, Parser)]
#[command(name = "guardrail", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the resource graph guardrail builds from the given files and directories.
    Graph(commands::graph::GraphArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Graph(args) => commands::graph::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(EXIT_INCOMPLETE)
        }
    }
}
