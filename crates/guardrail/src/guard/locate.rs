//! From cfn-guard's report to places in guardrail's spanned tree.
//!
//! cfn-guard's own locations are 0-based and only inside message strings, so they are not
//! used. Each failed check carries the path of the value it judged (`/Resources/Db/Properties/
//! StorageEncrypted`), or of the deepest value that exists and the query that found nothing
//! below it; that path is resolved in the document guardrail parsed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::source::Span;
use crate::value::{Node, Value};

/// One failed check of one rule on one document.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Failure {
    /// The rule that failed (for a rule that failed because a rule it names did, the
    /// outer rule, located where the inner one failed).
    pub rule: String,
    /// cfn-guard's path of the value the check failed on; empty for the document itself.
    pub path: String,
    /// When the value is missing: the part of the query that found nothing below `path`.
    pub missing: Option<String>,
    /// The value judged, when there is one.
    pub seen: Option<Json>,
    /// The check's custom message (`<< … >>`), if it has one.
    pub message: Option<String>,
}

/// cfn-guard's verdict on a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Fail,
    Pass,
    Skip,
}

/// The rules of one document's report with this verdict, sorted, without repeats.
pub(super) fn verdicts(report: &Json, verdict: Verdict) -> Vec<String> {
    let names = |key: &str| -> Vec<String> {
        report
            .get(key)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|entry| match verdict {
                Verdict::Fail => entry.get("Rule")?.get("name")?.as_str(),
                _ => entry.as_str(),
            })
            .map(str::to_owned)
            .collect()
    };
    let mut out = names(match verdict {
        Verdict::Fail => "not_compliant",
        Verdict::Pass => "compliant",
        Verdict::Skip => "not_applicable",
    });
    out.sort();
    out.dedup();
    out
}

/// What one check of a failed rule points at.
enum Leaf {
    At(Failure),
    /// The check is another rule by name, which failed.
    Rule(String),
}

/// The failures in one document's report, by rule, in report order.
pub(super) fn failures(report: &Json) -> Vec<Failure> {
    let mut direct: BTreeMap<String, Vec<Leaf>> = BTreeMap::new();
    let mut order = Vec::new();
    for entry in report
        .get("not_compliant")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let Some(rule) = entry.get("Rule") else {
            continue;
        };
        let Some(name) = rule.get("name").and_then(Json::as_str) else {
            continue;
        };
        let mut leaves = Vec::new();
        collect(rule, name, &mut leaves);
        order.push(name.to_owned());
        direct.entry(name.to_owned()).or_default().extend(leaves);
    }
    let mut out = Vec::new();
    for name in &order {
        let mut located = Vec::new();
        expand(name, name, &direct, &mut BTreeSet::new(), &mut located);
        if located.is_empty() {
            // Failed, but nothing in the report says where: the document as a whole.
            located.push(Failure {
                rule: name.clone(),
                path: String::new(),
                missing: None,
                seen: None,
                message: None,
            });
        }
        out.extend(located);
    }
    out
}

/// The located failures of `name`, following rules it names, reported as `outer`'s.
fn expand(
    outer: &str,
    name: &str,
    direct: &BTreeMap<String, Vec<Leaf>>,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<Failure>,
) {
    if !seen.insert(name.to_owned()) {
        return;
    }
    for leaf in direct.get(name).into_iter().flatten() {
        match leaf {
            Leaf::At(f) => out.push(Failure {
                rule: outer.to_owned(),
                ..f.clone()
            }),
            Leaf::Rule(inner) => expand(outer, inner, direct, seen, out),
        }
    }
}

/// Walks a rule's checks down to its clauses. The report nests as deep as the rule's
/// conditions (a handful of levels), not as deep as the data.
fn collect(rule: &Json, name: &str, out: &mut Vec<Leaf>) {
    for check in rule
        .get("checks")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(inner) = check.get("Rule") {
            collect(inner, name, out);
        } else if let Some(disjunction) = check.get("Disjunctions") {
            collect(disjunction, name, out);
        } else if let Some(block) = check.get("Block") {
            let message = custom_message(block);
            if let Some(unresolved) = block.get("unresolved").filter(|u| !u.is_null()) {
                out.push(Leaf::At(unresolved_failure(name, unresolved, message)));
            }
        } else if let Some(clause) = check.get("Clause") {
            if let Some(leaf) = clause_leaf(name, clause) {
                out.push(leaf);
            }
        }
    }
}

fn clause_leaf(name: &str, clause: &Json) -> Option<Leaf> {
    let (report, value_key) = match (clause.get("Unary"), clause.get("Binary")) {
        (Some(unary), _) => (unary, "value"),
        (_, Some(binary)) => (binary, "from"),
        _ => return None,
    };
    let message = custom_message(report);
    let check = report.get("check")?;
    if let Some(resolved) = check.get("Resolved").or_else(|| check.get("InResolved")) {
        let value = resolved.get(value_key)?;
        return Some(Leaf::At(Failure {
            rule: name.to_owned(),
            path: value.get("path")?.as_str()?.to_owned(),
            missing: None,
            seen: value.get("value").cloned(),
            message,
        }));
    }
    if let Some(unresolved) = check.get("UnResolved") {
        return Some(Leaf::At(unresolved_failure(
            name,
            unresolved.get("value")?,
            message,
        )));
    }
    // A named rule used as a clause: it failed, and where it failed is where this one did.
    check
        .get("UnResolvedContext")
        .and_then(Json::as_str)
        .map(|inner| Leaf::Rule(inner.to_owned()))
}

fn unresolved_failure(name: &str, unresolved: &Json, message: Option<String>) -> Failure {
    let traversed = unresolved.get("traversed_to");
    Failure {
        rule: name.to_owned(),
        path: traversed
            .and_then(|t| t.get("path"))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned(),
        missing: unresolved
            .get("remaining_query")
            .and_then(Json::as_str)
            .map(str::to_owned),
        seen: None,
        message,
    }
}

fn custom_message(report: &Json) -> Option<String> {
    let text = report.get("messages")?.get("custom_message")?.as_str()?;
    super::load::message_text(text)
}

/// The deepest node a cfn-guard path reaches in guardrail's tree.
pub(super) struct Found<'n> {
    pub node: &'n Node,
    /// The span of the map key `node` is under, if any.
    pub key_span: Option<Span>,
    /// The keys followed, as guardrail's tree has them.
    pub keys: Vec<String>,
    /// The segments below `node` that guardrail's tree does not have (empty when the whole
    /// path resolved). A tag cfn-guard drops (`!Cidr [..]`) leaves guardrail an extra
    /// `Fn::Cidr` level, so a path can stop short; the finding then points at the deepest
    /// node reached.
    pub rest: Vec<String>,
}

/// Resolves a cfn-guard path in `root` as far as guardrail's tree goes. Keys may contain `/`
/// themselves (Kubernetes labels and annotations such as `app.kubernetes.io/name`), so at
/// each map the shortest run of segments that names a key is taken.
pub(super) fn resolve<'n>(root: &'n Node, path: &str) -> Found<'n> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut found = Found {
        node: root,
        key_span: None,
        keys: Vec::new(),
        rest: Vec::new(),
    };
    let mut i = 0;
    while i < segments.len() {
        let step = match &found.node.value {
            Value::Map(map) => (1..=segments.len() - i).find_map(|n| {
                let key = segments.get(i..i + n)?.join("/");
                map.entry(&key)
                    .map(|e| (n, &e.value, Some(e.key_span), e.key.clone()))
            }),
            Value::Seq(items) => segments
                .get(i)
                .and_then(|s| Some((s, items.get(s.parse::<usize>().ok()?)?)))
                .map(|(s, item)| (1, item, None, (*s).to_owned())),
            _ => None,
        };
        let Some((taken, node, key_span, key)) = step else {
            found.rest = segments
                .get(i..)
                .unwrap_or_default()
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            break;
        };
        found.node = node;
        if key_span.is_some() {
            found.key_span = key_span;
        }
        found.keys.push(key);
        i += taken;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;
    use crate::source::{FileId, Format, LineIndex, SourceFile};

    #[test]
    fn paths_resolve_through_keys_with_slashes_and_list_indexes() {
        let text = "metadata:\n  labels:\n    app.kubernetes.io/name: web\nspec:\n  ports:\n  - port: 80\n";
        let file = SourceFile {
            id: FileId(0),
            path: "k.yaml".into(),
            text: text.to_owned(),
            format: Format::Yaml,
            lines: LineIndex::new(text),
        };
        let doc = &yaml::parse(&file).documents[0];
        let found = resolve(doc, "/metadata/labels/app.kubernetes.io/name");
        assert_eq!(found.node.as_str(), Some("web"));
        assert_eq!(found.keys, ["metadata", "labels", "app.kubernetes.io/name"]);
        assert!(found.rest.is_empty());
        let port = resolve(doc, "/spec/ports/0/port");
        assert_eq!(file.slice(port.node.span), "80");
        assert_eq!(port.key_span.map(|s| file.slice(s)), Some("port"));
        assert!(resolve(doc, "").keys.is_empty());
        let short = resolve(doc, "/spec/ports/7/port");
        assert_eq!(short.keys, ["spec", "ports"]);
        assert_eq!(short.rest, ["7", "port"]);
    }

    #[test]
    fn a_rule_that_fails_through_another_is_located_where_that_one_failed() {
        let report = serde_json::json!({"not_compliant": [
            {"Rule": {"name": "V", "checks": [{"Clause": {"Unary": {
                "check": {"Resolved": {"value": {"path": "/Resources/Db", "value": {}}}},
                "messages": {"custom_message": "\n  Violation: enc\n"}}}}]}},
            {"Rule": {"name": "X", "checks": [{"Clause": {"Unary": {
                "check": {"UnResolvedContext": "V"}, "messages": {}}}}]}},
            {"Rule": {"name": "T", "checks": [{"Clause": {"Unary": {
                "check": {"UnResolved": {"value": {"traversed_to": {"path": "", "value": {}},
                    "remaining_query": "AWSTemplateFormatVersion"}}}, "messages": {}}}}]}}
        ]});
        let found: Vec<(String, String, Option<String>, Option<String>)> = failures(&report)
            .into_iter()
            .map(|f| (f.rule, f.path, f.missing, f.message))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "V".into(),
                    "/Resources/Db".into(),
                    None,
                    Some("Violation: enc".into())
                ),
                (
                    "X".into(),
                    "/Resources/Db".into(),
                    None,
                    Some("Violation: enc".into())
                ),
                (
                    "T".into(),
                    String::new(),
                    Some("AWSTemplateFormatVersion".into()),
                    None
                ),
            ]
        );
    }
}
