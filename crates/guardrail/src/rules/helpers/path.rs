//! The place a verdict rests on, as data: where the path starts (the resource, `$pod`,
//! `$containers`, a quantifier's current item, another resource) and its steps (keys,
//! indices, wildcards). A finding's attribute text and fingerprint are its [`Display`], so
//! they cannot drift from each other; relabelling (a quantifier's item, a helper's place
//! inside its argument, a neighbour's attribute) works on steps, not on strings.
//!
//! [`Display`]: std::fmt::Display

use std::fmt;
use std::sync::Arc;

/// Where an [`AttrPath`] starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum PathRoot {
    /// Written without a prefix: the resource's attributes, or inside a quantifier its
    /// current item (`Properties.Tags`, `securityContext.privileged`).
    #[default]
    Implicit,
    /// `$`: the resource's attributes, written explicitly.
    Resource,
    /// `@`: the current item of the innermost quantifier.
    Current,
    /// `$pod`: a Kubernetes workload's pod spec.
    PodSpec,
    /// `$containers`: every container of a Kubernetes workload.
    Containers,
    /// `$flags`: the command-line flags of a Kubernetes workload's programs.
    Flags,
    /// Another resource, by address: a related resource (`aws_s3_bucket_versioning.logs`) or
    /// a policy document's data source.
    Neighbour(String),
}

impl PathRoot {
    /// How the root is written at the start of the path.
    fn written(&self) -> &str {
        match self {
            PathRoot::Implicit => "",
            PathRoot::Resource => "$",
            PathRoot::Current => "@",
            PathRoot::PodSpec => "$pod",
            PathRoot::Containers => "$containers",
            PathRoot::Flags => "$flags",
            PathRoot::Neighbour(address) => address,
        }
    }
}

/// One step of an [`AttrPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PathStep {
    /// A map key (any text: a map entry's key may hold dots).
    Key(String),
    /// `[N]`: one list item.
    Index(usize),
    /// `[*]`: every list item (as a rule writes it).
    AnyItem,
    /// `.*`: every value of a map (as a rule writes it).
    AnyValue,
    /// Text that is not a plain step (`module.a["k"]` in an address): kept as written.
    Text(String),
}

/// A structured attribute path: a root and steps. Cloning is cheap (the steps are shared),
/// so a rule's paths are read once, when the rule is loaded, and every verdict on them
/// shares them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AttrPath {
    /// Where it starts.
    pub root: PathRoot,
    /// The steps from there.
    pub steps: Arc<[PathStep]>,
}

impl AttrPath {
    /// The empty path: the resource (or document) as a whole.
    pub fn new() -> AttrPath {
        AttrPath::default()
    }

    /// Reads a path as rules and helpers write it: `Properties.Tags[0].Key`,
    /// `$containers[*].securityContext`, `@.value`, `Statement[0]`. Text that does not read
    /// back to itself is kept as one [`PathStep::Text`], so [`Display`](fmt::Display) always
    /// gives the text back.
    pub fn parse(text: &str) -> AttrPath {
        let parsed = parse(text);
        match parsed {
            Some(path) if path.to_string() == text => path,
            _ if text.is_empty() => AttrPath::new(),
            _ => AttrPath {
                root: PathRoot::Implicit,
                steps: Arc::from([PathStep::Text(text.to_owned())]),
            },
        }
    }

    /// The path of a related resource, `address`, and `inner` inside it
    /// (`aws_s3_bucket_versioning.logs.versioning_configuration.status`).
    pub fn on(address: &str, inner: &AttrPath) -> AttrPath {
        let mut steps = Vec::with_capacity(inner.steps.len() + 1);
        let written = inner.root.written();
        if !written.is_empty() {
            steps.push(PathStep::Text(written.to_owned()));
        }
        steps.extend(inner.steps.iter().cloned());
        AttrPath {
            root: PathRoot::Neighbour(address.to_owned()),
            steps: steps.into(),
        }
    }

    /// Whether it is empty: the resource as a whole.
    pub fn is_empty(&self) -> bool {
        self.root == PathRoot::Implicit && self.steps.is_empty()
    }

    /// Whether it starts at a fixed place (`$`, `$pod`, `$containers`, another resource)
    /// rather than where it is evaluated: such a path names its place on its own.
    pub fn is_absolute(&self) -> bool {
        match &self.root {
            PathRoot::Implicit => {
                matches!(self.steps.first(), Some(PathStep::Text(t)) if t.starts_with('$'))
            }
            PathRoot::Current => false,
            _ => true,
        }
    }

    /// Whether it is `@`, the current item itself.
    pub fn is_current_item(&self) -> bool {
        self.root == PathRoot::Current && self.steps.is_empty()
    }

    /// Whether `prefix` is where it starts (same root, and its steps first).
    pub fn starts_with(&self, prefix: &AttrPath) -> bool {
        self.root == prefix.root && self.steps.starts_with(&prefix.steps)
    }

    /// The same path, one step further.
    pub fn child(&self, step: PathStep) -> AttrPath {
        self.join(std::slice::from_ref(&step))
    }

    /// This path followed by `steps` (which are relative to it).
    pub fn join(&self, steps: &[PathStep]) -> AttrPath {
        if steps.is_empty() {
            return self.clone();
        }
        AttrPath {
            root: self.root.clone(),
            steps: self.steps.iter().chain(steps).cloned().collect(),
        }
    }
}

impl From<&str> for AttrPath {
    fn from(text: &str) -> AttrPath {
        AttrPath::parse(text)
    }
}

impl From<String> for AttrPath {
    fn from(text: String) -> AttrPath {
        AttrPath::parse(&text)
    }
}

impl From<&String> for AttrPath {
    fn from(text: &String) -> AttrPath {
        AttrPath::parse(text)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let root = self.root.written();
        f.write_str(root)?;
        let mut empty = root.is_empty();
        for step in self.steps.iter() {
            match step {
                PathStep::Key(text) | PathStep::Text(text) => {
                    if !empty {
                        f.write_str(".")?;
                    }
                    f.write_str(text)?;
                }
                PathStep::Index(i) => write!(f, "[{i}]")?,
                PathStep::AnyItem => f.write_str("[*]")?,
                PathStep::AnyValue => f.write_str(if empty { "*" } else { ".*" })?,
            }
            empty = false;
        }
        Ok(())
    }
}

/// Steps as written: keys separated by `.`, `[N]` and `[*]` after them, `*` for any value.
fn parse(text: &str) -> Option<AttrPath> {
    let (root, rest) = [
        ("$containers", PathRoot::Containers),
        ("$flags", PathRoot::Flags),
        ("$pod", PathRoot::PodSpec),
        ("$", PathRoot::Resource),
        ("@", PathRoot::Current),
    ]
    .into_iter()
    .find_map(|(prefix, root)| {
        let rest = text.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with(['.', '['])).then_some((root, rest))
    })
    .unwrap_or((PathRoot::Implicit, text));
    let mut steps = Vec::new();
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if rest.is_empty() {
        return Some(AttrPath {
            root,
            steps: steps.into(),
        });
    }
    for part in rest.split('.') {
        let (key, mut brackets) = match part.find('[') {
            Some(i) => (part.get(..i)?, part.get(i..)?),
            None => (part, ""),
        };
        match key {
            "" if brackets.is_empty() => return None,
            "" => {}
            "*" => steps.push(PathStep::AnyValue),
            key => steps.push(PathStep::Key(key.to_owned())),
        }
        while !brackets.is_empty() {
            let inner = brackets.strip_prefix('[')?;
            let close = inner.find(']')?;
            let index = inner.get(..close)?;
            steps.push(match index {
                "*" => PathStep::AnyItem,
                n => PathStep::Index(n.parse().ok()?),
            });
            brackets = inner.get(close + 1..)?;
        }
    }
    Some(AttrPath {
        root,
        steps: steps.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_back_to_their_text() {
        for text in [
            "",
            "Properties.Tags[0].Key",
            "$containers[*].securityContext.privileged",
            "$pod.hostNetwork",
            "$pod",
            "@",
            "@.value",
            "Variables.*",
            "ingress[1].cidr_blocks",
            "data.aws_iam_policy_document.x.statement[0]",
            "module.a[\"k\"].aws_x.y[0]",
            "$weird",
        ] {
            assert_eq!(AttrPath::parse(text).to_string(), text);
        }
        // What does not parse is kept as written, as one text step.
        for text in ["a..b", "x["] {
            let p = AttrPath::parse(text);
            assert!(
                matches!(&*p.steps, [PathStep::Text(t)] if t == text),
                "{text}"
            );
            assert_eq!(p.to_string(), text);
        }
        let p = AttrPath::parse("$containers[*].securityContext");
        assert_eq!(p.root, PathRoot::Containers);
        assert_eq!(
            &*p.steps,
            [PathStep::AnyItem, PathStep::Key("securityContext".into())]
        );
        assert!(p.is_absolute());
        assert!(!AttrPath::parse("securityContext").is_absolute());
        assert!(AttrPath::parse("@").is_current_item());
    }

    #[test]
    fn keys_with_dots_stay_one_step() {
        let p = AttrPath::parse("Environment.Variables").child(PathStep::Key("a.b".into()));
        assert_eq!(p.to_string(), "Environment.Variables.a.b");
        assert_eq!(p.steps.len(), 3);
        let on = AttrPath::on("aws_flow_log.main", &AttrPath::parse("$pod.x"));
        assert_eq!(on.to_string(), "aws_flow_log.main.$pod.x");
        assert!(on.is_absolute());
    }
}
