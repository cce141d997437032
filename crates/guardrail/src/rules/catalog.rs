//! The NIST SP 800-53 rev5 control catalog and the STRIDE categories: the vocabularies every
//! rule's mappings are checked against when the rule pack loads.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The compact NIST SP 800-53 rev5 catalog, embedded (provenance: `data/README.md`).
const NIST_CSV: &str = include_str!("../../data/nist-800-53r5-controls.csv");

/// One control or control enhancement of NIST SP 800-53 rev5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// The label as NIST writes it: `AC-6`, `SC-28(1)`.
    pub label: String,
    /// The control's title.
    pub title: String,
    /// The family's two-letter id in upper case: `AC`.
    pub family: String,
    /// The family's title: `Access Control`.
    pub family_title: String,
    /// Whether the control was withdrawn (incorporated into another).
    pub withdrawn: bool,
    /// Baselines that select the control: `low`, `moderate`, `high`, `privacy`.
    pub baselines: Vec<&'static str>,
}

/// The catalog, indexed by label. Parsed once per process.
pub fn nist() -> &'static HashMap<String, Control> {
    static CATALOG: OnceLock<HashMap<String, Control>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        NIST_CSV
            .lines()
            .skip(1)
            .filter_map(|line| {
                let cols = split_csv(line);
                let col = |i: usize| cols.get(i).map(String::as_str).unwrap_or("");
                let label = col(1).to_owned();
                if label.is_empty() {
                    return None;
                }
                let baselines = [(7, "low"), (8, "moderate"), (9, "high"), (10, "privacy")]
                    .into_iter()
                    .filter(|(i, _)| col(*i) == "x")
                    .map(|(_, name)| name)
                    .collect();
                let control = Control {
                    label: label.clone(),
                    title: col(2).to_owned(),
                    family: col(3).to_ascii_uppercase(),
                    family_title: col(4).to_owned(),
                    withdrawn: col(6) == "withdrawn",
                    baselines,
                };
                Some((label, control))
            })
            .collect()
    })
}

/// Splits one CSV line, honouring double-quoted fields (titles contain commas).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// The STRIDE threat categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stride {
    /// Pretending to be someone or something else.
    Spoofing,
    /// Changing data or code without authorisation.
    Tampering,
    /// Acting without leaving evidence.
    Repudiation,
    /// Exposing information to those not allowed to see it.
    InformationDisclosure,
    /// Making a service unavailable.
    DenialOfService,
    /// Gaining capabilities without authorisation.
    ElevationOfPrivilege,
}

impl Stride {
    /// Every category, in the STRIDE order.
    pub const ALL: [Stride; 6] = [
        Stride::Spoofing,
        Stride::Tampering,
        Stride::Repudiation,
        Stride::InformationDisclosure,
        Stride::DenialOfService,
        Stride::ElevationOfPrivilege,
    ];

    /// The name rule files use: `information-disclosure`.
    pub fn name(self) -> &'static str {
        match self {
            Stride::Spoofing => "spoofing",
            Stride::Tampering => "tampering",
            Stride::Repudiation => "repudiation",
            Stride::InformationDisclosure => "information-disclosure",
            Stride::DenialOfService => "denial-of-service",
            Stride::ElevationOfPrivilege => "elevation-of-privilege",
        }
    }

    /// Parses a rule file's name for a category.
    pub fn parse(name: &str) -> Option<Stride> {
        Stride::ALL.into_iter().find(|s| s.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_controls_enhancements_and_withdrawn_ones() {
        let nist = nist();
        assert_eq!(nist.len(), 1193);
        let sc28 = &nist["SC-28(1)"];
        assert_eq!(sc28.title, "Cryptographic Protection");
        assert_eq!(sc28.family, "SC");
        assert!(sc28.baselines.contains(&"moderate"));
        assert!(nist["AC-2(10)"].withdrawn);
        assert!(!nist.contains_key("AC-99"));
    }

    #[test]
    fn stride_names_round_trip() {
        for s in Stride::ALL {
            assert_eq!(Stride::parse(s.name()), Some(s));
        }
        assert_eq!(Stride::parse("info-disclosure"), None);
    }
}
