//! The report as JSON (`docs/report-json.md`): versioned, sorted, without timestamps or
//! absolute paths beyond those given on the command line.

use serde_json::{Value as Json, json};

use crate::diagnostic::Diagnostic;
use crate::report::{Gate, REPORT_JSON_VERSION, Report};
use crate::source::{SourceFiles, display_path};

/// The report as a JSON value.
pub fn render(report: &Report, files: &SourceFiles, gate: &Gate) -> Json {
    let findings: Vec<Json> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule_id,
                "title": f.title,
                "severity": f.severity,
                "status": f.status,
                "resource": f.resource,
                "resource_type": f.resource_type,
                "framework": f.framework,
                "file": f.file,
                "line": f.start.line,
                "column": f.start.column,
                "end_line": f.end.line,
                "end_column": f.end.column,
                "attribute": f.attribute,
                "message": f.message,
                "stride": f.stride,
                "nist": f.nist,
                "remediation": f.remediation,
                "fingerprint": f.fingerprint,
                "suppressed": f.suppression.as_ref().map(|s| {
                    let at = files.start_of(s.span);
                    json!({
                        "kind": s.kind,
                        "reason": s.reason,
                        "file": files.get(s.span.file).map(|f| f.display_path()),
                        "line": at.line,
                        "column": at.column,
                    })
                }),
            })
        })
        .collect();
    let s = &report.summary;
    let mut out = json!({
        "version": REPORT_JSON_VERSION,
        "tool": { "name": "guardrail", "version": env!("CARGO_PKG_VERSION") },
        "summary": {
            "files": s.files,
            "resources": s.resources,
            "rules": s.rules,
            "failed": s.failed,
            "unknown": s.unknown,
            "suppressed": s.suppressed,
            "gate": {
                "fail_on": gate.fail_on,
                "strict": gate.strict,
                "failing": report.failing(gate).count(),
                "incomplete": report.incomplete(),
            },
        },
        "findings": findings,
        "diagnostics": report.diagnostics.iter().map(|d| diagnostic(d, files)).collect::<Vec<_>>(),
    });
    // Only scans with Guard rules have the key, so other reports keep their exact shape.
    if let (false, Some(object)) = (report.guard.is_empty(), out.as_object_mut()) {
        let verdicts: Vec<Json> = report
            .guard
            .iter()
            .map(|v| {
                json!({
                    "file": v.file,
                    "document": v.document,
                    "fail": v.fail,
                    "pass": v.pass,
                    "skip": v.skip,
                })
            })
            .collect();
        object.insert("guard".into(), Json::Array(verdicts));
    }
    out
}

/// A diagnostic as JSON: severity, code, message, file, line and column (null when unknown).
pub fn diagnostic(d: &Diagnostic, files: &SourceFiles) -> Json {
    let at = d.span.map(|s| files.start_of(s));
    json!({
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "file": display_path(&d.path),
        "line": at.map(|a| a.line),
        "column": at.map(|a| a.column),
    })
}
