//! Scan a directory with the built-in rules and walk the findings: the library's front door.
//!
//! ```sh
//! cargo run -p guardrail-iac --example scan_directory -- fixtures/demo
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use guardrail::Scanner;
use guardrail::report::{Decision, Gate};

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: scan_directory PATH...");
        return ExitCode::from(2);
    }
    let scanner = match Scanner::builtin() {
        Ok(scanner) => scanner,
        Err(errors) => {
            for d in &errors.diagnostics {
                eprintln!("{:?}", d.to_report(&errors.files));
            }
            return ExitCode::from(2);
        }
    };
    let outcome = scanner.scan(&paths);

    // Input that could not be read: a gate must not pass on it.
    for problem in &outcome.report.diagnostics {
        eprintln!(
            "{}: {}",
            problem.location(&outcome.input.files),
            problem.message
        );
    }

    // Findings, grouped by the STRIDE category they leave open.
    for finding in &outcome.report.findings {
        let stride: Vec<&str> = finding.stride.iter().map(|s| s.name()).collect();
        println!(
            "{}:{} {} [{}] {} — {} (STRIDE: {}; NIST: {})",
            finding.file,
            finding.start,
            finding.rule_id,
            finding.severity.name(),
            finding.resource,
            finding.message,
            stride.join(", "),
            finding.nist.join(", "),
        );
    }

    // The same graph the rules ran on is there for other questions.
    let dangling = outcome
        .input
        .graph
        .edges()
        .iter()
        .filter(|e| e.to.is_none())
        .count();
    println!(
        "{} resources, {} edges ({dangling} to things outside the scan)",
        outcome.input.graph.len(),
        outcome.input.graph.edges().len()
    );

    // Passes are recorded with their evidence, as carefully as failures.
    for passed in outcome.report.passed().take(3) {
        if let (Some(rule), Some(subject)) = (
            outcome.report.rule_of(passed),
            outcome.report.subject_of(passed),
        ) {
            let v = &passed.verdict;
            println!(
                "passed {} on {}: `{}` is {} at {}",
                rule.id,
                subject.address,
                v.path,
                v.seen,
                outcome.input.files.start_of(v.span)
            );
        }
    }

    // The library decides the gate; a tool only maps the decision to its exit code.
    match outcome.report.gate(&Gate::default()).decision {
        Decision::Pass => ExitCode::SUCCESS,
        Decision::Fail => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}
