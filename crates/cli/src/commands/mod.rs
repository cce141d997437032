//! One module per subcommand.

pub mod graph;
#[cfg(feature = "guard")]
pub mod guard;
pub mod output;
pub mod rules;
pub mod scan;

use guardrail::diagnostic::Severity;
use guardrail::scan::GraphScan;

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

/// Writes `text` to `path`, or to stdout when there is none.
pub fn write_output(path: Option<&std::path::Path>, text: &str) -> miette::Result<()> {
    use std::io::Write as _;
    match path {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| miette::miette!("cannot write {}: {e}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| miette::miette!("cannot write to stdout: {e}"))
        }
    }
}
