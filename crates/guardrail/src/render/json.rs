//! The report as JSON (`docs/report-json.md`): versioned, sorted, without timestamps or
//! absolute paths beyond those given on the command line.

use serde_json::{Value as Json, json};

use super::RenderOptions;
use crate::diagnostic::Diagnostic;
use crate::evaluate::{Engine, Status};
use crate::report::{REPORT_JSON_VERSION, Report, ReportVerdict, message};
use crate::source::{SourceFiles, display_path};

/// The report as pretty-printed JSON, ending in a newline.
pub fn render(report: &Report, files: &SourceFiles, options: &RenderOptions) -> String {
    let mut text = serde_json::to_string_pretty(&value(report, files, options))
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot render JSON: {e}\"}}"));
    text.push('\n');
    text
}

/// The report as a JSON value (what [`render`] prints).
pub fn value(report: &Report, files: &SourceFiles, options: &RenderOptions) -> Json {
    let gate = &options.gate;
    let findings: Vec<Json> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule_id,
                "title": f.title,
                "headline": f.headline,
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
                "origin": f.origin.iter().map(|o| json!({
                    "role": o.role,
                    "file": o.file,
                    "line": o.start.line,
                    "column": o.start.column,
                })).collect::<Vec<_>>(),
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
    let s = report.summary();
    let outcome = report.gate(gate);
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
            "passed": s.passed,
            "not_applicable": s.not_applicable,
            "unchecked": s.unchecked.iter().map(|u| json!({
                "framework": u.framework,
                "provider": u.provider,
                "resources": u.resources,
                "types": u.types.iter().map(|(t, n)| json!({ "type": t, "resources": n })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "skipped": s.skipped,
            "gate": {
                "fail_on": gate.fail_on,
                "strict": gate.strict,
                "failing": outcome.failing,
                "incomplete": outcome.incomplete,
                "decision": outcome.decision.name(),
            },
        },
        "findings": findings,
        "diagnostics": report.diagnostics.iter().map(|d| diagnostic(d, files)).collect::<Vec<_>>(),
    });
    if let (false, Some(object)) = (options.quiet, out.as_object_mut()) {
        let listed = |status: Status| -> Vec<Json> {
            report
                .verdicts
                .iter()
                .filter(|v| v.verdict.status == status)
                .filter_map(|v| verdict(report, v, files))
                .collect()
        };
        object.insert("passed".into(), Json::Array(listed(Status::Pass)));
        object.insert(
            "not_applicable".into(),
            Json::Array(listed(Status::NotApplicable)),
        );
    }
    out
}

/// A passing or not-applicable verdict as JSON: rule, resource, where, and the evidence.
fn verdict(report: &Report, record: &ReportVerdict, files: &SourceFiles) -> Option<Json> {
    let rule = report.rule_of(record)?;
    let subject = report.subject_of(record)?;
    let v = &record.verdict;
    let file = files.get(v.span.file)?;
    let (start, end) = (file.line_col(v.span.start), file.line_col(v.span.end));
    Some(json!({
        "rule": rule.id,
        "title": rule.title,
        "severity": rule.severity,
        "status": v.status,
        "resource": subject.address,
        "resource_type": subject.resource_type,
        "framework": subject.framework,
        "file": file.display_path(),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "attribute": v.path.to_string(),
        "evidence": message(&v.path.to_string(), &v.seen),
        "default": v.default,
        "engine": match v.engine {
            Engine::Guard { .. } => "guard",
            _ => "rules",
        },
        "document": match v.engine {
            Engine::Guard { document } => Some(document),
            _ => None,
        },
        "stride": rule.stride,
        "nist": rule.nist,
    }))
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
