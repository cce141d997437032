//! Suppression directives: what one suppression written in the input says (which rules, why,
//! where it is written), and the parsing of the texts that hold them: comments
//! (`guardrail:ignore …`, `checkov:skip=…`) and annotation values. The adapters read
//! CloudFormation `Metadata` and Kubernetes annotations into directives
//! ([`crate::graph::Resource::suppressions`]); the suppression stage reads comments.

use crate::report::SuppressionKind;
use crate::source::Span;

/// The Kubernetes annotation that suppresses findings on its object.
pub const ANNOTATION: &str = "guardrail.dev/ignore";

/// How to give a reason in a `guardrail:ignore` comment or annotation.
pub const DASHES: &str = "add ` -- why this is accepted`";

/// How to give a reason in CloudFormation `Metadata.guardrail.ignore`.
pub const METADATA_REASON: &str = "add `reason: …` to the entry";

/// One suppression as written: what it names, why, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Where it is written (comment, Metadata, annotation) and whose syntax it has.
    pub kind: SuppressionKind,
    /// Guardrail rule ids, or the one peer-tool id (Checkov, Guard), as written.
    pub ids: Vec<String>,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// Where it is written.
    pub span: Span,
    /// Why it is malformed and silences nothing, when it is.
    pub problem: Option<String>,
    /// How messages name it: "the `guardrail:ignore` comment".
    pub label: String,
    /// How to give it a reason.
    pub hint: &'static str,
}

impl Directive {
    /// A directive with these ids and reason, well formed.
    pub fn new(
        kind: SuppressionKind,
        ids: Vec<String>,
        reason: Option<String>,
        span: Span,
        label: impl Into<String>,
        hint: &'static str,
    ) -> Self {
        Directive {
            kind,
            ids,
            reason,
            span,
            problem: None,
            label: label.into(),
            hint,
        }
    }

    /// A directive of the wrong shape, which silences nothing: `problem` says why.
    pub fn malformed(
        kind: SuppressionKind,
        span: Span,
        problem: String,
        label: impl Into<String>,
        hint: &'static str,
    ) -> Self {
        Directive {
            problem: Some(problem),
            ..Directive::new(kind, Vec::new(), None, span, label, hint)
        }
    }
}

/// A suppression written in a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentDirective {
    /// `guardrail:ignore ID[, ID…] -- reason`.
    Ignore {
        /// The rule ids named, without repeats.
        ids: Vec<String>,
        /// The reason, if any.
        reason: Option<String>,
    },
    /// `checkov:skip=CKV_ID:reason`.
    Checkov {
        /// The Checkov id.
        id: String,
        /// The reason, if any.
        reason: Option<String>,
    },
}

/// The directive in a comment's text (after `#` or `//`), if it holds one.
pub fn parse_comment(body: &str) -> Option<CommentDirective> {
    let body = body.trim();
    if let Some(rest) = body.strip_prefix("guardrail:ignore") {
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let (ids, reason) = parse_ignore(rest);
        return Some(CommentDirective::Ignore { ids, reason });
    }
    // Checkov's own syntax: `checkov:skip=<id>` with an optional `:<comment>`.
    let rest = body.strip_prefix("checkov:skip=")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (id, after) = rest.split_at(end);
    if id.is_empty() {
        return None;
    }
    let reason = after.strip_prefix(':').and_then(non_empty);
    Some(CommentDirective::Checkov {
        id: id.to_owned(),
        reason,
    })
}

/// `ID[, ID…] -- reason` (the text after `guardrail:ignore`, or the annotation's value):
/// the ids, split at commas and whitespace, and the reason after the first `--`.
pub fn parse_ignore(text: &str) -> (Vec<String>, Option<String>) {
    let (ids, reason) = match text.split_once("--") {
        Some((ids, reason)) => (ids, non_empty(reason)),
        None => (text, None),
    };
    let mut out: Vec<String> = Vec::new();
    for id in ids.split(|c: char| c == ',' || c.is_whitespace()) {
        if !id.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(id)) {
            out.push(id.to_owned());
        }
    }
    (out, reason)
}

/// `text` trimmed, unless that leaves nothing.
pub fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(ids: &[&str], reason: Option<&str>) -> Option<CommentDirective> {
        Some(CommentDirective::Ignore {
            ids: ids.iter().map(|&i| i.to_owned()).collect(),
            reason: reason.map(str::to_owned),
        })
    }

    fn checkov(id: &str, reason: Option<&str>) -> Option<CommentDirective> {
        Some(CommentDirective::Checkov {
            id: id.to_owned(),
            reason: reason.map(str::to_owned),
        })
    }

    #[test]
    fn directives_name_ids_and_a_reason() {
        assert_eq!(
            parse_comment(" guardrail:ignore AWS-S3-001 -- public website"),
            ignore(&["AWS-S3-001"], Some("public website"))
        );
        assert_eq!(
            parse_comment(
                "guardrail:ignore AWS-S3-001, AWS-S3-002 AWS-EC2-003,AWS-S3-001 -- a -- b"
            ),
            ignore(&["AWS-S3-001", "AWS-S3-002", "AWS-EC2-003"], Some("a -- b"))
        );
        assert_eq!(
            parse_comment("guardrail:ignore AWS-S3-001"),
            ignore(&["AWS-S3-001"], None)
        );
        assert_eq!(
            parse_comment("guardrail:ignore AWS-S3-001 --   "),
            ignore(&["AWS-S3-001"], None)
        );
        assert_eq!(
            parse_comment("guardrail:ignore -- why"),
            ignore(&[], Some("why"))
        );
        assert_eq!(parse_comment("guardrail:ignore"), ignore(&[], None));
        assert_eq!(parse_comment("guardrail:ignored AWS-S3-001 -- x"), None);
        assert_eq!(parse_comment("see guardrail:ignore AWS-S3-001 -- x"), None);
        assert_eq!(parse_comment("just a comment"), None);
    }

    #[test]
    fn checkov_skips_in_both_spellings() {
        assert_eq!(
            parse_comment(" checkov:skip=CKV_AWS_20: public website"),
            checkov("CKV_AWS_20", Some("public website"))
        );
        assert_eq!(
            parse_comment("checkov:skip=CKV_AWS_20:reason"),
            checkov("CKV_AWS_20", Some("reason"))
        );
        assert_eq!(
            parse_comment("checkov:skip=CKV_AWS_20"),
            checkov("CKV_AWS_20", None)
        );
        assert_eq!(
            parse_comment("checkov:skip=CKV_AWS_20:  "),
            checkov("CKV_AWS_20", None)
        );
        assert_eq!(parse_comment("checkov:skip="), None);
    }
}
