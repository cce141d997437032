//! The two tables the threat model is made from, as data a security engineer reads and
//! extends: element classes (`threats/elements.toml`: which resource types are which kind
//! of element) and the STRIDE threat library (`threats/library.toml`: which threats each
//! class faces, and which rules mitigate them). Both are embedded at build time and checked
//! by this module's tests (every class and rule a threat names exists).

use std::sync::LazyLock;

use serde::Deserialize;

use crate::rules::catalog::Stride;

/// What an element is in a data-flow diagram.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ElementKind {
    /// Outside the system: the internet, a CI identity provider.
    ExternalEntity,
    /// Runs code or moves requests.
    Process,
    /// Keeps data.
    DataStore,
    /// Protects or configures another element (IAM, security groups, keys, logs); attached
    /// to the elements it is linked with, shown on its own only when it is linked to none.
    Supporting,
    /// A trust boundary the elements linked with it sit inside (a VPC).
    Boundary,
}

impl ElementKind {
    /// The name used in output: `data-store`.
    pub fn name(self) -> &'static str {
        match self {
            ElementKind::ExternalEntity => "external-entity",
            ElementKind::Process => "process",
            ElementKind::DataStore => "data-store",
            ElementKind::Supporting => "supporting",
            ElementKind::Boundary => "boundary",
        }
    }
}

/// One row of `threats/elements.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ElementClass {
    /// Stable id (`s3`), named by threats' `applies_to`.
    pub id: String,
    /// What users call it (`S3 bucket`).
    pub name: String,
    /// What it is in the diagram.
    pub kind: ElementKind,
    /// The resource types (type keys, as rules bind them) of its resources.
    pub types: Vec<String>,
    /// It takes requests from the internet by design.
    #[serde(default)]
    pub internet_facing: bool,
    /// (Supporting classes.) What it refers to among processes and data stores is access it
    /// grants to the elements it is attached to (an IAM policy's `Resource`): a data flow
    /// from them, not an element it protects.
    #[serde(default)]
    pub grants: bool,
    /// What the model needs to know of it to place elements (a subnet, an internet gateway).
    #[serde(default)]
    pub role: Option<ClassRole>,
}

/// A supporting class's part in placing elements inside trust boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClassRole {
    /// Elements linked with it sit in its VPC's public or private subnets.
    Subnet,
    /// Route tables, routes and associations: followed from a subnet to a gateway.
    Route,
    /// A subnet whose route table routes to it is public.
    InternetGateway,
}

/// One row of `threats/library.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LibraryThreat {
    /// Stable id (`I-PUBLIC-DATA`).
    pub id: String,
    /// The STRIDE category.
    #[serde(deserialize_with = "stride")]
    pub stride: Stride,
    /// The threat, as design documents name it.
    pub title: String,
    /// What happens if it is not mitigated.
    pub risk: String,
    /// What mitigates it.
    pub mitigation: String,
    /// Element classes it applies to.
    pub applies_to: Vec<String>,
    /// The rules whose verdicts decide whether it is mitigated.
    pub rules: Vec<String>,
}

fn stride<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Stride, D::Error> {
    let name = String::deserialize(d)?;
    Stride::parse(&name)
        .ok_or_else(|| serde::de::Error::custom(format!("`{name}` is not a STRIDE category")))
}

/// The element classes and the threat library.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ThreatCatalog {
    /// Element classes, in file order (the first class with a resource's type wins).
    pub classes: Vec<ElementClass>,
    /// Threats, in file order.
    pub threats: Vec<LibraryThreat>,
    /// The class of each type: the first class that lists it.
    by_type: std::collections::HashMap<String, usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Classes {
    class: Vec<ElementClass>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Threats {
    threat: Vec<LibraryThreat>,
}

const ELEMENTS: &str = include_str!("../../threats/elements.toml");
const LIBRARY: &str = include_str!("../../threats/library.toml");

static BUILTIN: LazyLock<Result<ThreatCatalog, String>> =
    LazyLock::new(|| ThreatCatalog::parse(ELEMENTS, LIBRARY));

impl ThreatCatalog {
    /// The built-in tables. `Err` says what is wrong with them (the tests keep them right).
    pub fn builtin() -> Result<&'static ThreatCatalog, String> {
        BUILTIN.as_ref().map_err(Clone::clone)
    }

    /// Tables from their TOML texts; `Err` names the first problem.
    pub fn parse(elements: &str, library: &str) -> Result<ThreatCatalog, String> {
        let classes = toml::from_str::<Classes>(elements)
            .map_err(|e| format!("threats/elements.toml: {e}"))?
            .class;
        let threats = toml::from_str::<Threats>(library)
            .map_err(|e| format!("threats/library.toml: {e}"))?
            .threat;
        for threat in &threats {
            if let Some(unknown) = threat
                .applies_to
                .iter()
                .find(|c| !classes.iter().any(|k| k.id == **c))
            {
                return Err(format!(
                    "threats/library.toml: threat {} applies to unknown class `{unknown}`",
                    threat.id
                ));
            }
        }
        let mut by_type = std::collections::HashMap::new();
        for (index, class) in classes.iter().enumerate() {
            for t in &class.types {
                by_type.entry(t.clone()).or_insert(index);
            }
        }
        Ok(ThreatCatalog {
            classes,
            threats,
            by_type,
        })
    }

    /// The class of a resource with these type keys: the first class (in file order) that
    /// lists one of them.
    pub fn class_of<'k>(&self, type_keys: impl IntoIterator<Item = &'k str>) -> Option<usize> {
        type_keys
            .into_iter()
            .filter_map(|k| self.by_type.get(k).copied())
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_tables_load_and_name_only_rules_that_exist() {
        let catalog = ThreatCatalog::builtin().expect("the tables load");
        let rules = crate::rules::set::RuleSet::builtin();
        let ids: Vec<&str> = rules.ids().collect();
        for threat in &catalog.threats {
            for rule in &threat.rules {
                assert!(
                    ids.contains(&rule.as_str()),
                    "{}: no rule {rule}",
                    threat.id
                );
            }
        }
        let mut class_ids: Vec<&str> = catalog.classes.iter().map(|c| c.id.as_str()).collect();
        class_ids.sort_unstable();
        let before = class_ids.len();
        class_ids.dedup();
        assert_eq!(before, class_ids.len(), "class ids are unique");
        let mut threat_ids: Vec<&str> = catalog.threats.iter().map(|t| t.id.as_str()).collect();
        threat_ids.sort_unstable();
        threat_ids.dedup();
        assert_eq!(
            threat_ids.len(),
            catalog.threats.len(),
            "threat ids are unique"
        );
    }

    #[test]
    fn mistakes_in_the_tables_are_named() {
        let elements = "[[class]]\nid = \"s3\"\nname = \"S3\"\nkind = \"data-store\"\ntypes = []\n";
        let threat = |applies: &str, stride: &str| {
            format!(
                "[[threat]]\nid = \"X\"\nstride = \"{stride}\"\ntitle = \"t\"\nrisk = \"r\"\nmitigation = \"m\"\napplies_to = [\"{applies}\"]\nrules = []\n"
            )
        };
        assert!(ThreatCatalog::parse(elements, &threat("s3", "tampering")).is_ok());
        let error = ThreatCatalog::parse(elements, &threat("rds", "tampering")).expect_err("class");
        assert!(error.contains("unknown class `rds`"), "{error}");
        let error = ThreatCatalog::parse(elements, &threat("s3", "tempering")).expect_err("stride");
        assert!(
            error.contains("`tempering` is not a STRIDE category"),
            "{error}"
        );
    }
}
