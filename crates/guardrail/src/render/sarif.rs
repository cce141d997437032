//! The report as SARIF 2.1.0, ready for GitHub code scanning (`docs/ci-outputs.md`).
//!
//! One run whose driver lists every rule that ran, with its documentation as rule help,
//! a `security-severity` GitHub can rank by and tags for STRIDE, NIST and framework; one
//! result per finding at the offending attribute, with the resource as a logical location,
//! the report's fingerprint as a partial fingerprint (it survives line shifts), and
//! suppressions for silenced findings. Input problems are tool execution notifications, and
//! an incomplete scan is an unsuccessful invocation.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::RenderOptions;
use crate::diagnostic::{Diagnostic, Severity as DiagnosticSeverity};
use crate::evaluate::Status;
use crate::render::rules::{documentation, documentation_markdown};
use crate::report::{Report, ReportFinding, Suppression, SuppressionKind};
use crate::rules::model::{Rule, Severity};
use crate::source::{LineCol, SourceFiles, Span, display_path};

/// The schema the output declares and is tested against (OASIS, errata 01).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base every relative artifact URI is resolved against: the directory guardrail ran in.
pub const SRCROOT: &str = "%SRCROOT%";

/// The partial fingerprint key: the report's fingerprint (rule, resource, attribute), which
/// stays the same when lines move.
pub const FINGERPRINT_KEY: &str = "guardrailFingerprint/v1";

/// The report as a pretty-printed SARIF log, ending in a newline.
pub fn render(report: &Report, files: &SourceFiles, _options: &RenderOptions) -> String {
    let mut text = serde_json::to_string_pretty(&value(report, files)).unwrap_or_default();
    text.push('\n');
    text
}

/// The report as a SARIF log value (what [`render`] prints). The driver lists the report's
/// rules (those that ran), in pack order; a finding of a rule missing from them still gets
/// a descriptor, built from the finding.
pub fn value(report: &Report, files: &SourceFiles) -> Json {
    let rules: &[Rule] = &report.rules;
    let mut descriptors: Vec<Json> = rules.iter().map(descriptor).collect();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, rule) in rules.iter().enumerate() {
        index.entry(rule.id.as_str()).or_insert(i);
    }
    for f in &report.findings {
        if !index.contains_key(f.rule_id.as_str()) {
            index.insert(&f.rule_id, descriptors.len());
            descriptors.push(descriptor_of_finding(f));
        }
    }
    let results: Vec<Json> = report
        .findings
        .iter()
        .map(|f| result(f, index.get(f.rule_id.as_str()).copied(), files))
        .collect();
    let notifications: Vec<Json> = report
        .diagnostics
        .iter()
        .map(|d| notification(d, files))
        .collect();
    let mut driver = json!({
        "name": "guardrail",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
    });
    let information_uri = env!("CARGO_PKG_REPOSITORY");
    if !information_uri.is_empty() {
        driver["informationUri"] = json!(information_uri);
    }
    driver["rules"] = Json::Array(descriptors);
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": !report.incomplete(),
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": {
                SRCROOT: {
                    "description": {
                        "text": "The directory guardrail was run in: relative paths on its command line are relative to it."
                    }
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    })
}

/// The SARIF level of a finding: `error` for critical and high, `warning` for medium and
/// low, `note` for info; and `note` for every unknown finding, which is not a known failure.
pub fn level(severity: Severity, status: Status) -> &'static str {
    if status == Status::Unknown {
        return "note";
    }
    severity_level(severity)
}

fn severity_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score as a string): critical 9.5, high 8.0,
/// medium 5.5, low 3.0, each in the middle of the band GitHub maps to that name. Info has
/// none: 0.0 falls in no band, and without a score GitHub shows the level (`note`).
pub fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

fn descriptor(rule: &Rule) -> Json {
    let mut tags = vec!["security".to_owned()];
    tags.extend(rule.stride.iter().map(|s| s.name().to_owned()));
    tags.extend(rule.nist.iter().map(|c| format!("NIST-{c}")));
    tags.extend(rule.bindings.iter().map(|b| b.framework.name().to_owned()));
    json!({
        "id": rule.id,
        "name": pascal_case(&rule.title),
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": rule.rationale.trim() },
        "help": {
            "text": documentation(rule),
            "markdown": documentation_markdown(rule),
        },
        "defaultConfiguration": { "level": severity_level(rule.severity) },
        "properties": properties(rule.severity, tags),
    })
}

/// A descriptor for a finding whose rule was not passed in: what the finding itself knows.
fn descriptor_of_finding(f: &ReportFinding) -> Json {
    let mut tags = vec!["security".to_owned()];
    tags.extend(f.stride.iter().map(|s| s.name().to_owned()));
    tags.extend(f.nist.iter().map(|c| format!("NIST-{c}")));
    tags.push(f.framework.name().to_owned());
    json!({
        "id": f.rule_id,
        "name": pascal_case(&f.title),
        "shortDescription": { "text": f.title },
        "help": { "text": f.remediation },
        "defaultConfiguration": { "level": severity_level(f.severity) },
        "properties": properties(f.severity, tags),
    })
}

fn properties(severity: Severity, mut tags: Vec<String>) -> Json {
    // The schema wants unique tags; keep the first of each, in order.
    let mut seen = std::collections::BTreeSet::new();
    tags.retain(|t| seen.insert(t.clone()));
    let mut properties = json!({ "tags": tags });
    if let Some(score) = security_severity(severity) {
        properties["security-severity"] = json!(score);
    }
    properties
}

fn result(f: &ReportFinding, rule_index: Option<usize>, files: &SourceFiles) -> Json {
    let mut result = json!({
        "ruleId": f.rule_id,
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    result["level"] = json!(level(f.severity, f.status));
    // The headline names the problem; the rule's title (its pass condition) is the rule's
    // short description.
    result["message"] = json!({ "text": format!("{}: {}", f.headline, f.message) });
    result["locations"] = json!([{
        "physicalLocation": physical_location(&f.file, f.span, f.start, f.end, files),
        "logicalLocations": [{
            "name": f.resource,
            "fullyQualifiedName": f.resource,
            "kind": "resource",
        }],
    }]);
    if !f.origin.is_empty() {
        // Where the value came from and the module calls that placed the resource.
        let related: Vec<Json> = f
            .origin
            .iter()
            .enumerate()
            .map(|(i, o)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": physical_location(&o.file, o.span, o.start, files.end_of(o.span), files),
                    "message": { "text": o.role },
                })
            })
            .collect();
        result["relatedLocations"] = json!(related);
    }
    result["partialFingerprints"] = json!({ FINGERPRINT_KEY: f.fingerprint });
    if let Some(s) = &f.suppression {
        result["suppressions"] = json!([suppression(s, files)]);
    }
    let mut properties = json!({
        "status": f.status,
        "severity": f.severity,
        "resourceType": f.resource_type,
        "framework": f.framework,
    });
    if !f.attribute.is_empty() {
        properties["attribute"] = json!(f.attribute);
    }
    result["properties"] = properties;
    result
}

fn suppression(s: &Suppression, files: &SourceFiles) -> Json {
    let (kind, justification) = match s.kind {
        SuppressionKind::Baseline => (
            "external",
            s.reason
                .clone()
                .unwrap_or_else(|| "listed in the baseline file".to_owned()),
        ),
        SuppressionKind::Comment
        | SuppressionKind::Metadata
        | SuppressionKind::Annotation
        | SuppressionKind::Checkov
        | SuppressionKind::Guard => ("inSource", s.reason.clone().unwrap_or_default()),
    };
    let mut out = json!({ "kind": kind, "status": "accepted" });
    if !justification.is_empty() {
        out["justification"] = json!(justification);
    }
    // An in-source suppression points at where it is written; the baseline's span is the
    // finding's own, which says nothing new.
    if kind == "inSource" {
        if let Some(file) = files.get(s.span.file) {
            out["location"] = json!({
                "physicalLocation": physical_location(
                    &file.display_path(),
                    s.span,
                    file.line_col(s.span.start),
                    file.line_col(s.span.end),
                    files,
                ),
            });
        }
    }
    out
}

fn notification(d: &Diagnostic, files: &SourceFiles) -> Json {
    let level = match d.severity {
        DiagnosticSeverity::Error => "error",
        DiagnosticSeverity::Warning => "warning",
        DiagnosticSeverity::Info => "note",
    };
    let text = match &d.help {
        Some(help) => format!("{} ({help})", d.message),
        None => d.message.clone(),
    };
    let path = display_path(&d.path);
    let location = match d.span {
        Some(span) => {
            physical_location(&path, span, files.start_of(span), files.end_of(span), files)
        }
        None => json!({ "artifactLocation": artifact_location(&path) }),
    };
    json!({
        "level": level,
        "message": { "text": text },
        "descriptor": { "id": d.code },
        "locations": [{ "physicalLocation": location }],
    })
}

fn physical_location(
    path: &str,
    span: Span,
    start: LineCol,
    end: LineCol,
    files: &SourceFiles,
) -> Json {
    let file = files.get(span.file);
    let column = |offset: u32, at: LineCol| match file {
        // SARIF's default unit is UTF-16 code units (the report counts characters; they
        // differ only after characters outside the BMP).
        Some(file) => file.utf16_column(offset),
        None => at.column,
    };
    json!({
        "artifactLocation": artifact_location(path),
        "region": {
            "startLine": start.line,
            "startColumn": column(span.start, start),
            "endLine": end.line,
            "endColumn": column(span.end, end),
        },
    })
}

fn artifact_location(path: &str) -> Json {
    match file_uri(path) {
        Some(uri) => json!({ "uri": uri }),
        None => json!({ "uri": relative_uri(path), "uriBaseId": SRCROOT }),
    }
}

/// A relative path as a relative URI reference: `./` prefixes dropped, every byte other than
/// an unreserved character or `/` percent-encoded (so `:` cannot pass for a scheme).
pub fn relative_uri(path: &str) -> String {
    let mut path = path;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    percent_encode(path, |_| false)
}

/// An absolute path (`/srv/infra/main.tf`, `C:/infra/main.tf`) as a `file:` URI; `None` for
/// a relative one.
pub fn file_uri(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    if path.starts_with('/') {
        return Some(format!("file://{}", percent_encode(path, |_| false)));
    }
    let drive = bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.get(1) == Some(&b':')
        && bytes.get(2) == Some(&b'/');
    drive.then(|| format!("file:///{}", percent_encode(path, |i| i == 1)))
}

fn percent_encode(text: &str, keep: impl Fn(usize) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, b) in text.bytes().enumerate() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') || keep(i) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A rule's title as a PascalCase name (`RdsDatabaseStorageIsEncryptedAtRest` is what
/// SARIF viewers expect of `name`): words of letters and digits, each capitalised.
fn pascal_case(title: &str) -> String {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_or_file_uris() {
        assert_eq!(relative_uri("./././infra/main.tf"), "infra/main.tf");
        assert_eq!(relative_uri("a b/c#d%e:f.yaml"), "a%20b/c%23d%25e%3Af.yaml");
        assert_eq!(relative_uri("../x/é.tf"), "../x/%C3%A9.tf");
        assert_eq!(file_uri("infra/main.tf"), None);
        assert_eq!(
            file_uri("/srv/my infra/main.tf").as_deref(),
            Some("file:///srv/my%20infra/main.tf")
        );
        assert_eq!(
            file_uri("C:/infra/main.tf").as_deref(),
            Some("file:///C:/infra/main.tf")
        );
        assert_eq!(
            artifact_location("./main.tf"),
            json!({ "uri": "main.tf", "uriBaseId": "%SRCROOT%" })
        );
    }

    #[test]
    fn levels_and_scores_follow_severity() {
        assert_eq!(level(Severity::Critical, Status::Fail), "error");
        assert_eq!(level(Severity::High, Status::Fail), "error");
        assert_eq!(level(Severity::Medium, Status::Fail), "warning");
        assert_eq!(level(Severity::Low, Status::Fail), "warning");
        assert_eq!(level(Severity::Info, Status::Fail), "note");
        assert_eq!(level(Severity::Critical, Status::Unknown), "note");
        // Each score sits inside the band GitHub names the same way.
        let band = |s: &str| match s.parse::<f64>().unwrap_or(-1.0) {
            x if x >= 9.0 => "critical",
            x if x >= 7.0 => "high",
            x if x >= 4.0 => "medium",
            x if x >= 0.1 => "low",
            _ => "none",
        };
        for s in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ] {
            assert_eq!(security_severity(s).map(band), Some(s.name()));
        }
        assert_eq!(security_severity(Severity::Info), None);
    }

    #[test]
    fn columns_count_utf16_units() {
        let mut files = SourceFiles::default();
        let text = "a: \"😀é\" x\n".to_owned();
        let id = files.add("t.yaml".into(), text.clone(), crate::source::Format::Yaml);
        let x = text.find('x').expect("x") as u32;
        let file = files.get(id).expect("file");
        let at = file.line_col(x);
        // a : space " 😀(2 units) é " space → x is the 10th unit, the 9th character.
        assert_eq!(at.column, 9);
        assert_eq!(file.utf16_column(x), 10);
    }

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(
            pascal_case("RDS database storage is encrypted at rest"),
            "RDSDatabaseStorageIsEncryptedAtRest"
        );
        assert_eq!(
            pascal_case("S3 bucket (RestrictPublicBuckets) is set"),
            "S3BucketRestrictPublicBucketsIsSet"
        );
    }
}
