//! Reading what a rule file says about itself without checking it: its id, its metadata
//! and, per binding, the framework and the resource types it applies to. This is what rule
//! dispatch, `--select` / `--ignore` and report metadata need; the conditions are parsed and
//! the whole rule is checked (`rules::load`) only when a scan has a resource the rule binds.
//!
//! This file is compiled twice: into the library, and into `build.rs` (through `#[path]`),
//! which indexes the built-in pack at build time. So it uses nothing but `std` and
//! saphyr-parser, and a built-in rule whose index cannot be read fails the build.

use saphyr_parser::{Event, Parser};

/// What a rule file says about itself, its texts as written (not trimmed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// `id`.
    pub id: String,
    /// `title`.
    pub title: String,
    /// `problem`: the title's violation phrasing (optional in the index; the built-in pack
    /// requires it, checked by `build.rs`).
    pub problem: Option<String>,
    /// `severity`, as written.
    pub severity: String,
    /// `stride`, as written.
    pub stride: Vec<String>,
    /// `nist`.
    pub nist: Vec<String>,
    /// `rationale`.
    pub rationale: String,
    /// `remediation`.
    pub remediation: String,
    /// `references`: tool name and its rule ids, in file order.
    pub references: Vec<(String, Vec<String>)>,
    /// `bindings`: framework name and its `types`, in file order.
    pub bindings: Vec<(String, Vec<String>)>,
    /// `opt_in: true`: the rule runs only when selected by its id or a referenced id.
    pub opt_in: bool,
}

/// A YAML value as far as an index needs it.
enum Yaml {
    Scalar(String),
    Seq(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self, key: &str) -> Result<String, String> {
        match self.get(key) {
            Some(Yaml::Scalar(s)) => Ok(s.clone()),
            Some(_) => Err(format!("`{key}` is not text")),
            None => Err(format!("missing field `{key}`")),
        }
    }

    fn texts(&self, what: &str) -> Result<Vec<String>, String> {
        match self {
            Yaml::Seq(items) => items
                .iter()
                .map(|item| match item {
                    Yaml::Scalar(s) => Ok(s.clone()),
                    _ => Err(format!("`{what}` items must be text")),
                })
                .collect(),
            _ => Err(format!("`{what}` must be a list")),
        }
    }

    fn list(&self, key: &str) -> Result<Vec<String>, String> {
        self.get(key)
            .ok_or_else(|| format!("missing field `{key}`"))?
            .texts(key)
    }

    fn entries(&self, key: &str) -> Result<&[(String, Yaml)], String> {
        match self.get(key) {
            Some(Yaml::Map(entries)) => Ok(entries),
            Some(_) => Err(format!("`{key}` must be a map")),
            None => Ok(&[]),
        }
    }
}

/// Reads the index of one rule file; `Err` says what is missing or malformed (the full
/// check in `rules::load` says it better, at its line).
pub fn read(text: &str) -> Result<Entry, String> {
    let doc = parse(text)?;
    let bindings = doc
        .entries("bindings")?
        .iter()
        .map(|(framework, binding)| {
            let types = binding
                .list("types")
                .map_err(|e| format!("binding `{framework}`: {e}"))?;
            Ok((framework.clone(), types))
        })
        .collect::<Result<Vec<_>, String>>()?;
    // A rule without bindings is reported by another stage, which it must name (the full
    // check in `rules::load` knows which stages there are).
    if bindings.is_empty() && doc.get("reported_by").is_none() {
        return Err("missing field `bindings`".to_owned());
    }
    let references = doc
        .entries("references")?
        .iter()
        .map(|(tool, ids)| Ok((tool.clone(), ids.texts(tool)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let opt_in = match doc.get("opt_in") {
        None => false,
        Some(Yaml::Scalar(s)) if s == "true" => true,
        Some(Yaml::Scalar(s)) if s == "false" => false,
        Some(_) => return Err("`opt_in` must be true or false".to_owned()),
    };
    Ok(Entry {
        id: doc.text("id")?,
        title: doc.text("title")?,
        problem: doc.text("problem").ok(),
        severity: doc.text("severity")?,
        stride: doc.list("stride")?,
        nist: doc.list("nist")?,
        rationale: doc.text("rationale")?,
        remediation: doc.text("remediation")?,
        references,
        bindings,
        opt_in,
    })
}

/// The one document of `text`. Anchors and aliases are not followed (rule files have no
/// use for them): an alias is an error.
fn parse(text: &str) -> Result<Yaml, String> {
    /// An open collection; a map remembers the key waiting for its value.
    enum Open {
        Seq(Vec<Yaml>),
        Map(Vec<(String, Yaml)>, Option<String>),
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut done: Option<Yaml> = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            format!(
                "YAML syntax error at line {}: {}",
                e.marker().line(),
                e.info()
            )
        })?;
        let value = match event {
            Event::Scalar(s, ..) => Yaml::Scalar(s.into_owned()),
            Event::SequenceStart(..) => {
                stack.push(Open::Seq(Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Open::Map(Vec::new(), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(items)) => Yaml::Seq(items),
                Some(Open::Map(entries, _)) => Yaml::Map(entries),
                None => return Err("unbalanced YAML".to_owned()),
            },
            Event::Alias(_) => {
                return Err(format!(
                    "line {}: aliases are not supported in rule files",
                    span.start.line()
                ));
            }
            Event::DocumentStart(_) if done.is_some() => {
                return Err("a rule file holds exactly one rule (one YAML document)".to_owned());
            }
            _ => continue,
        };
        match stack.last_mut() {
            None => done = Some(value),
            Some(Open::Seq(items)) => items.push(value),
            Some(Open::Map(entries, key)) => match (key.take(), value) {
                (None, Yaml::Scalar(k)) => *key = Some(k),
                (None, _) => return Err("map keys must be text".to_owned()),
                (Some(k), v) => entries.push((k, v)),
            },
        }
    }
    match done {
        Some(doc @ Yaml::Map(_)) => Ok(doc),
        _ => Err("a rule is a map of fields (id, title, …)".to_owned()),
    }
}
