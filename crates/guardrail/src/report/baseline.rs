//! Baselines: a file of finding fingerprints, so that a gate fails only on findings that are
//! new. Fingerprints hash rule, resource scope, address and attribute, not lines, so moving
//! code or editing unrelated resources does not make old findings look new.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value as Json, json};

use crate::diagnostic::Diagnostic;
use crate::report::{Report, Suppression, SuppressionKind};

/// Version of the baseline file's layout.
pub const BASELINE_VERSION: u32 = 1;

/// The fingerprints recorded in a baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    fingerprints: BTreeSet<String>,
    /// The rule ids its entries name (each entry records its rule, for review and so that
    /// a baseline naming a rule that does not exist is caught).
    rules: BTreeSet<String>,
}

impl Baseline {
    /// The baseline of a report: every finding that is not suppressed in the code (findings
    /// silenced by an earlier baseline stay, so rewriting a baseline keeps them).
    pub fn of(report: &Report) -> Baseline {
        Baseline {
            fingerprints: report
                .findings
                .iter()
                .filter(|f| {
                    f.suppression
                        .as_ref()
                        .is_none_or(|s| s.kind == SuppressionKind::Baseline)
                })
                .map(|f| f.fingerprint.clone())
                .collect(),
            rules: BTreeSet::new(),
        }
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, Diagnostic> {
        let bad = |message: String| Diagnostic::error("baseline::invalid", path, message);
        let text = crate::input::read_text(path)
            .map_err(|e| bad(format!("cannot read the baseline: {e}")))?;
        let json: Json =
            serde_json::from_str(&text).map_err(|e| bad(format!("not a baseline file: {e}")))?;
        if json["version"] != BASELINE_VERSION {
            return Err(bad(format!(
                "unsupported baseline version {}",
                json["version"]
            )));
        }
        let findings = json["findings"]
            .as_array()
            .ok_or_else(|| bad("`findings` must be a list".into()))?;
        let fingerprints = findings
            .iter()
            .map(|f| f["fingerprint"].as_str().map(str::to_owned))
            .collect::<Option<BTreeSet<String>>>()
            .ok_or_else(|| bad("every finding needs a `fingerprint`".into()))?;
        let rules = findings
            .iter()
            .filter_map(|f| f["rule"].as_str().map(str::to_owned))
            .collect();
        Ok(Baseline {
            fingerprints,
            rules,
        })
    }

    /// The rule ids its entries name, sorted.
    pub fn rules(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(String::as_str)
    }

    /// The baseline file for `report`: sorted, with enough context to review it by eye.
    pub fn render(report: &Report) -> String {
        let baseline = Baseline::of(report);
        let mut entries: Vec<Json> = report
            .findings
            .iter()
            .filter(|f| baseline.fingerprints.contains(&f.fingerprint))
            .map(|f| json!({ "fingerprint": f.fingerprint, "rule": f.rule_id, "resource": f.resource, "file": f.file }))
            .collect();
        entries.sort_by(|a, b| a["fingerprint"].as_str().cmp(&b["fingerprint"].as_str()));
        entries.dedup();
        let value =
            json!({ "version": BASELINE_VERSION, "tool": "guardrail", "findings": entries });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Marks the report's findings that are in the baseline as suppressed.
    pub fn apply(&self, report: &mut Report) {
        for finding in &mut report.findings {
            if finding.suppression.is_none() && self.fingerprints.contains(&finding.fingerprint) {
                finding.suppression = Some(Suppression {
                    kind: SuppressionKind::Baseline,
                    reason: Some("in the baseline".into()),
                    span: finding.span,
                });
            }
        }
    }

    /// How many fingerprints it holds.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}
