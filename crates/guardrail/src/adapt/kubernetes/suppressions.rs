//! The suppressions a Kubernetes object carries in its annotations: guardrail's own
//! (`guardrail.dev/ignore: "ID[, ID…] -- reason"`) and Checkov's (`checkov.io/skipN:
//! CKV_K8S_20=reason`). Each applies to the object.

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
        } else if entry.key.starts_with("checkov.io/skip") {
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
