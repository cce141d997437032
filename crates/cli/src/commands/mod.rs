//! One module per subcommand.

pub mod controls;
pub mod graph;
#[cfg(feature = "guard")]
pub mod guard;
pub mod output;
pub mod rules;
pub mod scan;
pub mod threats;

use guardrail::GraphScan;
use guardrail::ProjectError;
use guardrail::diagnostic::Severity;

/// Prints why the project could not be scanned (every located problem, then the summary)
/// and returns the exit code for it.
pub fn usage_error(error: ProjectError) -> u8 {
    eprintln!("{:?}", miette::Report::new(error));
    crate::EXIT_INCOMPLETE
}

/// Prints the scan's diagnostics (and, with `verbose`, the files passed over) to stderr,
/// and returns whether the scan must fail closed.
pub fn report_input_problems(scan: &GraphScan, verbose: bool, allow_parse_errors: bool) -> bool {
    for diagnostic in &scan.diagnostics {
        if diagnostic.severity == Severity::Info && !verbose {
            continue;
        }
        eprintln!("{:?}", diagnostic.to_report(&scan.files));
    }
    if verbose {
        for skipped in &scan.skipped {
            eprintln!(
                "skipped {}: {}",
                guardrail::source::display_path(&skipped.path),
                skipped.reason
            );
        }
    }
    let errors = scan
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        eprintln!(
            "guardrail: {errors} input problem(s): the scan is incomplete{}",
            if allow_parse_errors {
                " (--allow-parse-errors: not failing)"
            } else {
                ""
            }
        );
    }
    errors > 0 && !allow_parse_errors
}

/// Writes `text` to `path` (and says so on stderr), or to stdout when there is none. A
/// reader that stops early (`guardrail scan | head`) is not an error: the rest is dropped.
pub fn write_output(path: Option<&std::path::Path>, text: &str) -> miette::Result<()> {
    use std::io::Write as _;
    match path {
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(miette::miette!("cannot write to stdout: {e}"))
                }
                _ => Ok(()),
            }
        }
    }
}
