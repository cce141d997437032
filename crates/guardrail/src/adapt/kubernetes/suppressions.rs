//! The suppressions a Kubernetes object carries in its annotations: guardrail's own
//! (`guardrail.dev/ignore: "ID[, ID…] -- reason"`) and Checkov's (`checkov.io/skipN:
//! CKV_K8S_20=reason`). Each applies to the object.
//!
//! Checkov reads every annotation whose key *contains* `checkov.io/skip` or, from its
//! Bridgecrew days, `bridgecrew.io/skip` (`checkov.io/skip`, `checkov.io/skip7`,
//! `bridgecrew.io/skip1`), so a manifest written for any of its versions is honoured here
//! the same way.

use crate::report::SuppressionKind;
use crate::suppress::directive::{ANNOTATION, DASHES, Directive, non_empty, parse_ignore};
use crate::value::Node;

/// The suppression directives in the annotations of the object `object`.
pub(super) fn from_annotations(object: &Node) -> Vec<Directive> {
    let mut out = Vec::new();
    let Some(annotations) = object
        .at(&["metadata", "annotations"])
        .and_then(Node::as_map)
    else {
        return out;
    };
    for entry in annotations {
        let value = &entry.value;
        if entry.key == ANNOTATION {
            let label = format!("the `{ANNOTATION}` annotation");
            out.push(match value.as_str() {
                Some(text) => {
                    let (ids, reason) = parse_ignore(text);
                    Directive::new(
                        SuppressionKind::Annotation,
                        ids,
                        reason,
                        value.span,
                        label,
                        DASHES,
                    )
                }
                None => Directive::malformed(
                    SuppressionKind::Annotation,
                    value.span,
                    format!(
                        "the `{ANNOTATION}` annotation is a {}, not a string \
                         `RULE-ID[, RULE-ID…] -- reason`",
                        value.value.kind_name()
                    ),
                    label,
                    DASHES,
                ),
            });
        } else if is_checkov_skip(&entry.key) {
            // `checkov.io/skip1: CKV_K8S_20=reason`
            let Some(text) = value.as_str() else {
                continue;
            };
            let (id, reason) = match text.split_once('=') {
                Some((id, reason)) => (id, non_empty(reason)),
                None => (text, None),
            };
            out.push(Directive::new(
                SuppressionKind::Checkov,
                vec![id.trim().to_owned()],
                reason,
                value.span,
                format!("the `{}` annotation", entry.key),
                "write it after `=` (`ID=reason`)",
            ));
        }
    }
    out
}

/// Whether an annotation key is one of Checkov's skip annotations, current or older.
fn is_checkov_skip(key: &str) -> bool {
    key.contains("checkov.io/skip") || key.contains("bridgecrew.io/skip")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};
    use crate::value::Provenance;

    #[test]
    fn checkov_skips_in_current_and_older_forms() {
        let object = Node::from_json(
            &serde_json::json!({"metadata": {"annotations": {
                "checkov.io/skip1": "CKV_K8S_20=escalation checked by admission",
                "checkov.io/skip": "CKV_K8S_14",
                "bridgecrew.io/skip2": "CKV_K8S_11=BestEffort QoS",
                "example.com/other": "CKV_K8S_8=not a skip"
            }}}),
            Span::new(FileId(0), 0, 1),
            &Provenance::Explicit,
        );
        let found: Vec<(Vec<String>, Option<String>)> = from_annotations(&object)
            .into_iter()
            .map(|d| (d.ids, d.reason))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    vec!["CKV_K8S_20".to_owned()],
                    Some("escalation checked by admission".to_owned())
                ),
                (vec!["CKV_K8S_14".to_owned()], None),
                (
                    vec!["CKV_K8S_11".to_owned()],
                    Some("BestEffort QoS".to_owned())
                ),
            ]
        );
    }
}
