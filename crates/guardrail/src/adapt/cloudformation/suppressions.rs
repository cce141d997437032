//! The suppressions a CloudFormation resource carries in its `Metadata`: guardrail's own
//! (`guardrail: { ignore: [ { id, reason } ] }`), cfn-guard's (`guard: { SuppressedRules }`)
//! and Checkov's (`checkov: { skip: [ { id, comment } ] }`). Each applies to the resource.

use crate::report::SuppressionKind;
use crate::suppress::directive::{Directive, METADATA_REASON, non_empty};
use crate::value::Node;

/// The suppression directives in `Metadata` of a resource whose map is `attributes`.
pub(super) fn from_metadata(attributes: &Node) -> Vec<Directive> {
    let mut out = Vec::new();
    let Some(metadata) = attributes.get("Metadata") else {
        return out;
    };
    if let Some(guardrail) = metadata.get("guardrail") {
        guardrail_ignore(guardrail, &mut out);
    }
    // cfn-guard's form: rule names, with no place for a reason.
    let guard = metadata
        .at(&["guard", "SuppressedRules"])
        .and_then(Node::as_seq);
    for item in guard.unwrap_or_default() {
        if let Some(name) = item.as_str() {
            out.push(Directive::new(
                SuppressionKind::Guard,
                vec![name.trim().to_owned()],
                None,
                item.span,
                format!("the `Metadata.guard.SuppressedRules` entry {}", name.trim()),
                "Guard's form has no reason; record one in `Metadata.guardrail.ignore` instead",
            ));
        }
    }
    // Checkov's form; shapes Checkov would not read are its business, not ours.
    let skips = metadata.at(&["checkov", "skip"]).and_then(Node::as_seq);
    for item in skips.unwrap_or_default() {
        if let Some(id) = item.get("id").and_then(Node::as_str) {
            out.push(Directive::new(
                SuppressionKind::Checkov,
                vec![id.trim().to_owned()],
                item.get("comment")
                    .and_then(Node::as_str)
                    .and_then(non_empty),
                item.span,
                format!("the `Metadata.checkov.skip` entry for {}", id.trim()),
                "add `comment: …` to the entry",
            ));
        }
    }
    out
}

/// `Metadata.guardrail`: an `ignore` list of `{ id, reason }` entries or bare ids; any other
/// shape is a malformed directive, reported by the suppression audit.
fn guardrail_ignore(guardrail: &Node, out: &mut Vec<Directive>) {
    let malformed = |node: &Node, problem: &str| {
        Directive::malformed(
            SuppressionKind::Metadata,
            node.span,
            format!(
                "{problem}: write `guardrail: {{ ignore: [ {{ id: RULE-ID, reason: why }} ] }}`"
            ),
            "`Metadata.guardrail`",
            METADATA_REASON,
        )
    };
    let items = match guardrail.get("ignore").map(|i| (i, i.as_seq())) {
        None => {
            out.push(malformed(
                guardrail,
                "`Metadata.guardrail` has no `ignore` list",
            ));
            return;
        }
        Some((node, None)) => {
            out.push(malformed(node, "`Metadata.guardrail.ignore` is not a list"));
            return;
        }
        Some((_, Some(items))) => items,
    };
    for item in items {
        let entry = match (item.as_str(), item.get("id").and_then(Node::as_str)) {
            // A bare id is understood, but it has no reason.
            (Some(id), _) => Some((id, None)),
            (None, Some(id)) => Some((
                id,
                item.get("reason")
                    .and_then(Node::as_str)
                    .and_then(non_empty),
            )),
            (None, None) => None,
        };
        out.push(match entry {
            Some((id, reason)) => Directive::new(
                SuppressionKind::Metadata,
                vec![id.trim().to_owned()],
                reason,
                item.span,
                "this `Metadata.guardrail.ignore` entry",
                METADATA_REASON,
            ),
            None => malformed(
                item,
                "this `Metadata.guardrail.ignore` entry has no `id` string",
            ),
        });
    }
}
