//! The NIST SP 800-53 rev5 control catalog and the STRIDE categories: the vocabularies every
//! rule's mappings are checked against when the rule pack loads.

/// One control or control enhancement of NIST SP 800-53 rev5 (provenance of the embedded
/// catalog: `data/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    /// The label as NIST writes it: `AC-6`, `SC-28(1)`.
    pub label: &'static str,
    /// The control's title.
    pub title: &'static str,
    /// The family's two-letter id in upper case: `AC`.
    pub family: &'static str,
    /// The family's title: `Access Control`.
    pub family_title: &'static str,
    /// Whether the control was withdrawn (incorporated into another).
    pub withdrawn: bool,
    /// Baselines that select the control: `low`, `moderate`, `high`, `privacy`.
    pub baselines: &'static [&'static str],
}

// The catalog, generated at build time as a table sorted by label: no start-up cost.
include!(concat!(env!("OUT_DIR"), "/nist_catalog.rs"));

/// Every control of the catalog, sorted by label.
pub fn controls() -> &'static [Control] {
    CONTROLS
}

/// The control with this label (`SC-28(1)`), if the catalog has it.
pub fn control(label: &str) -> Option<&'static Control> {
    CONTROLS
        .binary_search_by(|c| c.label.cmp(label))
        .ok()
        .and_then(|i| CONTROLS.get(i))
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
        assert_eq!(controls().len(), 1193);
        let sc28 = control("SC-28(1)").expect("SC-28(1)");
        assert_eq!(sc28.title, "Cryptographic Protection");
        assert_eq!(sc28.family, "SC");
        assert_eq!(sc28.family_title, "System and Communications Protection");
        assert!(sc28.baselines.contains(&"moderate"));
        assert!(control("AC-2(10)").expect("AC-2(10)").withdrawn);
        assert!(control("AC-99").is_none());
        // Every label is findable: the table is sorted the way the search expects.
        assert!(controls().iter().all(|c| control(c.label) == Some(c)));
    }

    #[test]
    fn stride_names_round_trip() {
        for s in Stride::ALL {
            assert_eq!(Stride::parse(s.name()), Some(s));
        }
        assert_eq!(Stride::parse("info-disclosure"), None);
    }
}
