//! What a Guard rule means to guardrail beyond its verdicts: severity, STRIDE categories and
//! NIST controls, from mapping files, from built-in rules that name it, or from its own text.
//!
//! Mapping files: JSON (`*.json`) in one of the registry's two layouts, or guardrail's TOML:
//!
//! - the Guard Rules Registry's rule-set JSON: `{"mappings": [{"guardFilePath":
//!   "rules/aws/amazon_s3/s3_bucket_ssl_requests_only.guard", "controls": ["AC-17(2)", …]}]}`,
//!   applied to every rule of a loaded file whose path ends with `guardFilePath`;
//! - the per-rule JSON list: `[{"file": "…", "rules": ["S3_BUCKET_SSL_REQUESTS_ONLY"],
//!   "controls": […]}]`, applied by rule name;
//! - guardrail's TOML, one table per rule name:
//!
//!   ```toml
//!   [RDS_STORAGE_ENCRYPTED]
//!   severity = "high"
//!   stride = ["information-disclosure"]
//!   nist = ["SC-28(1)"]
//!   ```
//!
//! Later files add controls and override severity and STRIDE. Controls are given at statement level in the registry (`SC-13a`, `IA-5(1)(c)`); guardrail
//! maps to controls and enhancements, so `SC-13a` counts as `SC-13`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Severity as DiagnosticSeverity};
use crate::rules::catalog::{self, Stride};
use crate::rules::model::Severity;
use crate::source::{Format, SourceFile, SourceFiles, Span};

/// Severity, STRIDE and NIST for one rule, each when known.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct RuleMapping {
    pub severity: Option<Severity>,
    pub stride: Vec<Stride>,
    pub nist: Vec<String>,
}

/// Everything the mapping files say.
#[derive(Debug, Default)]
pub(super) struct Mappings {
    /// By rule name.
    pub by_rule: BTreeMap<String, RuleMapping>,
    /// By the end of a rule file's path (`rules/aws/…/x.guard`): controls.
    pub by_file: Vec<(String, Vec<String>)>,
}

impl Mappings {
    /// What the mappings say about rule `name` of the file shown as `file`.
    pub fn for_rule(&self, name: &str, file: &str) -> RuleMapping {
        let mut mapping = self.by_rule.get(name).cloned().unwrap_or_default();
        let file = file.replace('\\', "/");
        for (suffix, controls) in &self.by_file {
            if file == *suffix || file.ends_with(&format!("/{suffix}")) {
                mapping.nist.extend(controls.iter().cloned());
            }
        }
        mapping.nist.sort();
        mapping.nist.dedup();
        mapping
    }

    /// Reads the mapping file at `path` into these mappings.
    pub fn load(
        &mut self,
        path: &Path,
        files: &mut SourceFiles,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    "guard::mapping",
                    path,
                    format!("cannot read Guard mapping file: {e}"),
                ));
                return;
            }
        };
        // TOML tables start with `[` too, so the name decides.
        let json = path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"));
        let id = files.add(
            path.to_path_buf(),
            text,
            if json { Format::Json } else { Format::Yaml },
        );
        let Some(file) = files.get(id) else { return };
        let mut reader = Reader {
            file,
            diagnostics,
            left_out: BTreeMap::new(),
        };
        if json {
            reader.json(self);
        } else {
            reader.toml(self);
        }
        reader.report_left_out();
    }
}

struct Reader<'a> {
    file: &'a SourceFile,
    diagnostics: &'a mut Vec<Diagnostic>,
    /// Labels left out of JSON mappings, with why and how often: the registry repeats its
    /// labels across rules, and one warning per label is enough.
    left_out: BTreeMap<String, (String, usize)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlRule {
    severity: Option<toml::Spanned<String>>,
    stride: Option<Vec<toml::Spanned<String>>>,
    nist: Option<Vec<toml::Spanned<String>>>,
}

#[derive(Deserialize)]
struct RegistrySet {
    mappings: Vec<RegistryEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegistryEntry {
    guard_file_path: String,
    controls: Vec<String>,
}

#[derive(Deserialize)]
struct RuleControls {
    #[serde(default)]
    rules: Vec<String>,
    controls: Vec<String>,
}

impl Reader<'_> {
    fn problem(&mut self, severity: DiagnosticSeverity, span: Option<Span>, message: String) {
        let mut d = Diagnostic::new(severity, "guard::mapping", self.file.path.clone(), message);
        if let Some(span) = span {
            d = d.at(span);
        }
        self.diagnostics.push(d);
    }

    fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.file.id, range.start as u32, range.end as u32)
    }

    fn json(&mut self, out: &mut Mappings) {
        let text = &self.file.text;
        // The registry's rule-set file is an object, the per-rule list a list.
        let parsed = if text.trim_start().starts_with('{') {
            serde_json::from_str::<RegistrySet>(text).map(|set| {
                for entry in set.mappings {
                    let controls = self.controls(&entry.controls, None);
                    out.by_file.push((entry.guard_file_path, controls));
                }
            })
        } else {
            serde_json::from_str::<Vec<RuleControls>>(text).map(|list| {
                for entry in list {
                    let controls = self.controls(&entry.controls, None);
                    for rule in entry.rules {
                        let mapping = out.by_rule.entry(rule).or_default();
                        mapping.nist.extend(controls.iter().cloned());
                    }
                }
            })
        };
        match parsed {
            Ok(()) => {}
            Err(e) => {
                let offset = self.file.offset_at(e.line() as u32, e.column() as u32);
                let span = Span::new(self.file.id, offset, offset);
                self.problem(
                    DiagnosticSeverity::Error,
                    Some(span),
                    format!(
                        "not a Guard mapping: expected the registry's {{\"mappings\": [{{guardFilePath, \
                         controls}}]}} or a list of {{file, rules, controls}} ({e})"
                    ),
                );
            }
        }
    }

    fn toml(&mut self, out: &mut Mappings) {
        let rules: BTreeMap<String, TomlRule> = match toml::from_str(&self.file.text) {
            Ok(rules) => rules,
            Err(e) => {
                let span = e.span().map(|r| self.span(r));
                self.problem(
                    DiagnosticSeverity::Error,
                    span,
                    format!("not a Guard mapping: {}", e.message()),
                );
                return;
            }
        };
        for (name, rule) in rules {
            let mut mapping = RuleMapping::default();
            if let Some(severity) = rule.severity {
                match Severity::parse(severity.get_ref()) {
                    Some(s) => mapping.severity = Some(s),
                    None => {
                        let span = self.span(severity.span());
                        self.problem(
                            DiagnosticSeverity::Error,
                            Some(span),
                            format!(
                                "unknown severity `{}` (critical, high, medium, low, info)",
                                severity.get_ref()
                            ),
                        );
                    }
                }
            }
            for category in rule.stride.unwrap_or_default() {
                match Stride::parse(category.get_ref()) {
                    Some(s) => mapping.stride.push(s),
                    None => {
                        let span = self.span(category.span());
                        self.problem(
                            DiagnosticSeverity::Error,
                            Some(span),
                            format!("unknown STRIDE category `{}`", category.get_ref()),
                        );
                    }
                }
            }
            for control in rule.nist.unwrap_or_default() {
                let span = self.span(control.span());
                mapping
                    .nist
                    .extend(self.controls(std::slice::from_ref(control.get_ref()), Some(span)));
            }
            // A later file overrides severity and STRIDE, and adds controls.
            let merged = out.by_rule.entry(name).or_default();
            merged.severity = mapping.severity.or(merged.severity);
            if !mapping.stride.is_empty() {
                merged.stride = mapping.stride;
            }
            merged.nist.extend(mapping.nist);
        }
    }

    /// Controls as the catalog labels them; unknown or withdrawn ones are reported and left
    /// out: at `span` when the caller knows it (TOML), else once per label (JSON).
    fn controls(&mut self, written: &[String], span: Option<Span>) -> Vec<String> {
        let mut out = Vec::new();
        for label in written {
            let why = match control_of(label) {
                Some(control) if !control.withdrawn => {
                    out.push(control.label.to_owned());
                    continue;
                }
                Some(control) => format!("NIST control `{}` is withdrawn", control.label),
                None => format!("`{label}` is not a NIST SP 800-53 rev5 control"),
            };
            match span {
                Some(_) => self.problem(
                    DiagnosticSeverity::Warning,
                    span,
                    format!("{why}; left out"),
                ),
                None => self.left_out.entry(label.clone()).or_insert((why, 0)).1 += 1,
            }
        }
        out
    }

    /// One warning per label left out of a JSON mapping, at its first occurrence.
    fn report_left_out(&mut self) {
        for (label, (why, count)) in std::mem::take(&mut self.left_out) {
            let quoted = format!("\"{label}\"");
            let span = self
                .file
                .text
                .find(&quoted)
                .map(|at| self.span(at + 1..at + 1 + label.len()));
            let times = if count > 1 {
                format!(" ({count} times)")
            } else {
                String::new()
            };
            self.problem(
                DiagnosticSeverity::Warning,
                span,
                format!("{why}; left out{times}"),
            );
        }
    }
}

/// The catalog control a registry label names: `SC-13a` → `SC-13`, `IA-5(1)(c)` → `IA-5(1)`,
/// `SI-1a.2` → `SI-1`.
pub(super) fn control_of(label: &str) -> Option<&'static catalog::Control> {
    static CONTROL: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"^([A-Z]{2}-\d+(?:\(\d+\))?)").ok());
    let caps = CONTROL.as_ref()?.captures(label.trim())?;
    catalog::control(caps.get(1)?.as_str())
}

/// The controls a `Controls:` line of a custom message names (the registry's built rule
/// sets write one into every message), as catalog labels.
pub(super) fn controls_in_message(line: &str) -> Vec<String> {
    let mut out: Vec<String> = line
        .split(',')
        .filter_map(control_of)
        .filter(|c| !c.withdrawn)
        .map(|c| c.label.to_owned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// STRIDE categories implied by NIST controls, for rules no mapping gives categories: what a
/// failure of the control family chiefly opens.
pub(super) fn stride_of_controls(controls: &[String]) -> Vec<Stride> {
    let mut out: Vec<Stride> = controls
        .iter()
        .filter_map(|label| {
            let base = label.split('(').next().unwrap_or(label);
            let family = base.split('-').next().unwrap_or(base);
            Some(match (family, base) {
                ("AU", _) | (_, "SI-4") => Stride::Repudiation,
                ("IA", _) => Stride::Spoofing,
                (_, "AC-2" | "AC-3" | "AC-5" | "AC-6") => Stride::ElevationOfPrivilege,
                ("CP", _) | (_, "SC-5" | "SC-6" | "SC-36") => Stride::DenialOfService,
                ("CM", _) | (_, "SI-7") => Stride::Tampering,
                ("AC" | "MP", _) | (_, "SC-7" | "SC-8" | "SC-12" | "SC-13" | "SC-23" | "SC-28") => {
                    Stride::InformationDisclosure
                }
                _ => return None,
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_labels_become_catalog_controls() {
        let labels = |l: &str| control_of(l).map(|c| c.label);
        assert_eq!(labels("SC-13a"), Some("SC-13"));
        assert_eq!(labels("IA-5(1)(c)"), Some("IA-5(1)"));
        assert_eq!(labels("SI-1a.2"), Some("SI-1"));
        assert_eq!(labels("SC-7(4)(b)"), Some("SC-7(4)"));
        assert_eq!(labels("XX-1"), None);
        assert_eq!(
            controls_in_message("AU-9(3),CP-9d,SC-13a,SC-28(1) "),
            ["AU-9(3)", "CP-9", "SC-13", "SC-28(1)"]
        );
        assert_eq!(
            stride_of_controls(&["AU-9(3)".into(), "SC-28(1)".into(), "CP-9".into()]),
            [
                Stride::Repudiation,
                Stride::InformationDisclosure,
                Stride::DenialOfService
            ]
        );
    }

    #[test]
    fn the_three_mapping_formats_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write");
            p
        };
        let registry = write(
            "set.json",
            r#"{"ruleSetName": "x", "mappings": [{"guardFilePath": "rules/aws/s3/a.guard", "controls": ["SC-13a", "AC-4"]}]}"#,
        );
        let per_rule = write(
            "rules.json",
            r#"[{"file": "rules/aws/s3/a.guard", "rules": ["A"], "controls": ["SC-28(1)"]}]"#,
        );
        let own = write(
            "map.toml",
            "[A]\nseverity = \"high\"\nstride = [\"tampering\"]\nnist = [\"ZZ-9\"]\n[B]\nseverity = \"huge\"\n",
        );
        let mut mappings = Mappings::default();
        let mut files = SourceFiles::default();
        let mut diagnostics = Vec::new();
        for p in [&registry, &per_rule, &own] {
            mappings.load(p, &mut files, &mut diagnostics);
        }
        let a = mappings.for_rule("A", "policies/rules/aws/s3/a.guard");
        assert_eq!(a.severity, Some(Severity::High), "{diagnostics:?}");
        assert_eq!(a.stride, [Stride::Tampering]);
        assert_eq!(a.nist, ["AC-4", "SC-13", "SC-28(1)"]);
        let messages: Vec<String> = diagnostics
            .iter()
            .map(|d| format!("{} {}", d.location(&files), d.message))
            .collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0]
                .ends_with("map.toml:4:9 `ZZ-9` is not a NIST SP 800-53 rev5 control; left out"),
            "{messages:?}"
        );
        assert!(
            messages[1].contains("map.toml:6:12 unknown severity `huge`"),
            "{messages:?}"
        );
    }
}
