//! Calling cfn-guard: one `validate` run per worker over a share of the documents, through the
//! payload path with structured JSON output (the complete report; `run_checks` truncates
//! large ones), on threads with room for deep documents, with panics caught and kept quiet.

use std::cell::Cell;
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use cfn_guard::commands::Executable as _;
use cfn_guard::commands::validate::{OutputFormatType, ShowSummaryType};
use cfn_guard::utils::reader::{ReadBuffer, Reader};
use cfn_guard::utils::writer::{WriteBuffer, Writer};
use cfn_guard::{CommandBuilder as _, ValidateBuilder};
use serde::Deserialize as _;
use serde_json::Value as Json;

/// Stack of each worker: cfn-guard walks values recursively, and the report it writes and
/// guardrail reads back nests deeper than the document. Documents are at most
/// [`crate::parse::yaml::MAX_DEPTH`] deep, far inside this.
const WORKER_STACK: usize = 64 << 20;

/// What cfn-guard said about one document: its `FileReport` as JSON.
pub(super) type DocumentReport = Json;

/// Why a document has no report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RunError {
    /// cfn-guard panicked; the message, if it had one.
    Panicked(String),
    /// cfn-guard returned an error (its message).
    Failed(String),
    /// The document, as cfn-guard input, is this many bytes: over [`MAX_DOCUMENT_BYTES`],
    /// so it was not given to cfn-guard.
    TooLarge(usize),
}

/// Largest document (as the YAML text cfn-guard reads) evaluated by Guard rules. cfn-guard
/// keeps a full path string on every node of a document, so its memory grows much faster
/// than the text; larger documents are an error about the document, not an abort.
pub const MAX_DOCUMENT_BYTES: usize = 4 << 20;

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Panicked(m) if m.is_empty() => f.write_str("cfn-guard panicked"),
            RunError::Panicked(m) => write!(f, "cfn-guard panicked: {m}"),
            RunError::Failed(m) => f.write_str(m),
            RunError::TooLarge(bytes) => write!(
                f,
                "the document is {bytes} bytes as Guard input, over the limit of {MAX_DOCUMENT_BYTES}"
            ),
        }
    }
}

/// Evaluates `rules` (rule file texts) on every document of `data` (cfn-guard input texts):
/// one report or error per document, in order. Documents are shared among `workers` threads,
/// each of which parses the rules once and evaluates its share in one cfn-guard run; a share
/// that fails is re-run one document at a time, so one bad document costs only its own report.
pub(super) fn evaluate(
    rules: &[&str],
    data: &[String],
    workers: usize,
) -> Vec<Result<DocumentReport, RunError>> {
    quiet_panics_once();
    let workers = workers.clamp(1, data.len().max(1));
    // Round-robin shares: documents of one directory tend to be alike in size.
    let shares: Vec<Vec<usize>> = (0..workers)
        .map(|w| (w..data.len()).step_by(workers).collect())
        .collect();
    let mut results: Vec<Option<Result<DocumentReport, RunError>>> = vec![None; data.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .iter()
            .map(|share| {
                let job = move || evaluate_share(rules, data, share);
                let handle = std::thread::Builder::new()
                    .name("guardrail-guard".into())
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, job);
                (share, handle)
            })
            .collect();
        for (share, handle) in handles {
            let outcome = match handle {
                Ok(h) => h.join().unwrap_or_else(|_| {
                    share
                        .iter()
                        .map(|_| Err(RunError::Panicked("worker thread failed".into())))
                        .collect()
                }),
                Err(e) => share
                    .iter()
                    .map(|_| Err(RunError::Failed(format!("cannot start a worker: {e}"))))
                    .collect(),
            };
            for (&i, result) in share.iter().zip(outcome) {
                if let Some(slot) = results.get_mut(i) {
                    *slot = Some(result);
                }
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(RunError::Failed("not evaluated".into()))))
        .collect()
}

/// Runs `f` on a thread of its own with a worker's stack and panics caught and unprinted:
/// for cfn-guard calls outside [`evaluate`] (checking rule files).
pub(super) fn isolated<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, RunError> {
    quiet_panics_once();
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("guardrail-guard".into())
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, || quietly(|| Ok(f())))
            .map_err(|e| RunError::Failed(format!("cannot start a worker: {e}")))?;
        handle
            .join()
            .unwrap_or_else(|_| Err(RunError::Panicked("worker thread failed".into())))
    })
}

/// One worker's documents: all in one run, or one by one when that run fails.
fn evaluate_share(
    rules: &[&str],
    data: &[String],
    share: &[usize],
) -> Vec<Result<DocumentReport, RunError>> {
    let texts: Vec<&str> = share
        .iter()
        .filter_map(|&i| data.get(i).map(String::as_str))
        .collect();
    if texts.is_empty() {
        return Vec::new();
    }
    match validate(rules, &texts) {
        Ok(reports) if reports.len() == texts.len() => reports.into_iter().map(Ok).collect(),
        _ if texts.len() > 1 => texts
            .iter()
            .map(|t| {
                validate(rules, std::slice::from_ref(t))
                    .and_then(|mut r| r.pop().ok_or_else(missing_report))
            })
            .collect(),
        Ok(mut reports) => vec![reports.pop().ok_or_else(missing_report)],
        Err(e) => vec![Err(e)],
    }
}

fn missing_report() -> RunError {
    RunError::Failed("cfn-guard returned no report for the document".into())
}

/// One cfn-guard `validate` run: every rule file on every document, the reports in order.
fn validate(rules: &[&str], data: &[&str]) -> Result<Vec<DocumentReport>, RunError> {
    let payload = serde_json::json!({ "rules": rules, "data": data }).to_string();
    let run = || -> Result<String, RunError> {
        let command = ValidateBuilder::default()
            .payload(true)
            .structured(true)
            .output_format(OutputFormatType::JSON)
            .show_summary(vec![ShowSummaryType::None])
            .try_build()
            .map_err(|e| RunError::Failed(e.to_string()))?;
        let mut reader = Reader::new(ReadBuffer::Cursor(Cursor::new(payload.into_bytes())));
        // Its error stream is captured too, so nothing cfn-guard writes reaches the terminal.
        let mut writer =
            Writer::new_with_err(WriteBuffer::Vec(Vec::new()), WriteBuffer::Vec(Vec::new()))
                .map_err(|e| RunError::Failed(e.to_string()))?;
        command
            .execute(&mut writer, &mut reader)
            .map_err(|e| RunError::Failed(plain_error(&e.to_string())))?;
        writer
            .into_string()
            .map_err(|e| RunError::Failed(e.to_string()))
    };
    let output = quietly(run)?;
    let mut reports = parse_reports(&output)?;
    // The payload names documents `DATA_STDIN[n]`, 1-based; order by that, not by trust.
    reports.sort_by_key(|r| document_number(r).unwrap_or(usize::MAX));
    let in_order = reports
        .iter()
        .enumerate()
        .all(|(i, r)| document_number(r) == Some(i + 1));
    if !in_order {
        return Err(RunError::Failed(
            "cfn-guard's report does not name the documents it was given".into(),
        ));
    }
    Ok(reports)
}

/// The structured report: one `FileReport` per document. It nests as deep as the documents'
/// values, beyond serde_json's default limit, so the limit is lifted; the worker's stack
/// bounds the recursion instead.
fn parse_reports(output: &str) -> Result<Vec<DocumentReport>, RunError> {
    let mut deserializer = serde_json::Deserializer::from_str(output);
    deserializer.disable_recursion_limit();
    let value = Json::deserialize(&mut deserializer)
        .map_err(|e| RunError::Failed(format!("cfn-guard's report is not JSON: {e}")))?;
    match value {
        Json::Array(reports) => Ok(reports),
        _ => Err(RunError::Failed("cfn-guard's report is not a list".into())),
    }
}

/// cfn-guard's error without what would mislead a reader of guardrail's output: the payload's
/// `DATA_STDIN[n]` names and the excerpt of guardrail's re-typed data it quotes.
fn plain_error(message: &str) -> String {
    let message = message
        .split("data beginning with")
        .next()
        .unwrap_or(message)
        .trim()
        .trim_end_matches(',');
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("DATA_STDIN[") {
        out.push_str(&rest[..at]);
        out.push_str("the document");
        rest = rest[at..].split_once(']').map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

fn document_number(report: &Json) -> Option<usize> {
    report
        .get("name")?
        .as_str()?
        .strip_prefix("DATA_STDIN[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

thread_local! {
    /// Set while cfn-guard runs on this thread: a panic there is caught and reported, so the
    /// panic hook must not print it.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Installs, once per process, a panic hook that stays silent on threads running cfn-guard
/// and defers to the previous hook everywhere else.
fn quiet_panics_once() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `f` with panics caught and unprinted.
fn quietly<T>(f: impl FnOnce() -> Result<T, RunError>) -> Result<T, RunError> {
    QUIET.with(|q| q.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    outcome.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(RunError::Panicked(message))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "rule R { Resources.*.Properties.On == true }\n";

    #[test]
    fn reports_come_back_in_document_order() {
        let data: Vec<String> = (0..5)
            .map(|i| {
                format!(
                    "{{\"Resources\": {{\"A\": {{\"Properties\": {{\"On\": {}}}}}}}}}",
                    i % 2 == 0
                )
            })
            .collect();
        let reports = evaluate(&[RULE], &data, 2);
        let statuses: Vec<String> = reports
            .iter()
            .map(|r| match r {
                Ok(r) => r["status"].as_str().unwrap_or("?").to_owned(),
                Err(e) => format!("{e:?}"),
            })
            .collect();
        assert_eq!(statuses, ["PASS", "FAIL", "PASS", "FAIL", "PASS"]);
    }

    #[test]
    fn a_document_cfn_guard_cannot_read_fails_alone() {
        let data = vec![
            "{\"Resources\": {\"A\": {\"Properties\": {\"On\": true}}}}".to_owned(),
            "{\"Resources\": [unclosed".to_owned(),
        ];
        let reports = evaluate(&[RULE], &data, 1);
        assert!(reports[0].is_ok(), "{:?}", reports[0]);
        assert!(
            matches!(reports[1], Err(RunError::Failed(_))),
            "{:?}",
            reports[1]
        );
    }

    #[test]
    fn errors_do_not_name_the_payload_or_quote_the_data() {
        assert_eq!(
            plain_error(
                "Parser Error: Error encountered while parsing data file: DATA_STDIN[2], data beginning with \n{\"a\"\n ..."
            ),
            "Parser Error: Error encountered while parsing data file: the document"
        );
    }

    #[test]
    fn panics_are_caught_and_reported() {
        quiet_panics_once();
        let caught: Result<(), RunError> = quietly(|| panic!("boom"));
        assert_eq!(caught, Err(RunError::Panicked("boom".into())));
    }
}
