//! KMS helpers: whether a key setting names a customer managed key, rather than an AWS
//! managed one (`alias/aws/s3`) or none.
//!
//! A key id or key ARN cannot be told apart statically (AWS managed keys have ids and ARNs
//! too), so they count as customer managed; only the AWS managed aliases, which every account
//! has and no one can create, are told apart.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    ABSENT, AttrPath, Blame, HelperCall, Truth, Verdict, arg, declare_helper, shown_expression,
};
use crate::graph::NodeKind;
use crate::value::{DependsOn, Node, Piece, Unknown, Value};

declare_helper!(
    CUSTOMER_MANAGED,
    "kms.customer_managed",
    1,
    customer_managed,
    "`kms.customer_managed(v)`: true when `v` names a customer managed KMS key: a key id (a \
UUID or a multi-Region `mrk-…` id), a key ARN (`arn:<partition>:kms:<region>:<account>:key/…`), \
an alias other than `alias/aws/…` (plain or as an alias ARN), or a value known only at \
deployment that refers to a key or alias resource of the same scan (`aws_kms_key.app.arn`, \
`aws_kms_alias.app.name`, `Fn::GetAtt Key.Arn`, `Ref Key`; also `Fn::Sub` / a template whose \
written tail is a customer alias or key ARN). A Terraform `data \"aws_kms_alias\"` or `data \
\"aws_kms_key\"` is followed to the name it looks up. False when `v` is absent, null or \
empty, or names an AWS managed key (`alias/aws/<service>`, `aws/<service>`, or the alias ARN \
of one, also inside a template). Unknown for text that is no KMS key identifier AWS accepts \
(`my-key`) and for any other value known only at deployment (a variable without a default, \
a module output). A key \
id or key ARN may still belong to an AWS managed key: only aliases tell them apart \
statically. Several values (a wildcard path) must all name a customer managed key.\n\n\
Example: `kms.customer_managed(Properties.KmsKeyId)`",
);

/// Terraform and CloudFormation resources that create a customer managed key, or an alias
/// (which cannot be created under `alias/aws/`).
const KEY_RESOURCES: &[&str] = &[
    "aws_kms_key",
    "aws_kms_replica_key",
    "aws_kms_external_key",
    "aws_kms_replica_external_key",
    "aws_kms_alias",
    "AWS::KMS::Key",
    "AWS::KMS::ReplicaKey",
    "AWS::KMS::Alias",
];

/// A KMS ARN: its resource part (`key/…`, `alias/…`).
static ARN: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^arn:[a-z-]+:kms:[a-z0-9-]*:[0-9]*:(.+)$").ok());

/// A key id: a UUID, or a multi-Region key id.
static KEY_ID: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(?i:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$",
    )
    .ok()
});

/// What a written key identifier names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    /// A customer managed key (or a key id/ARN, which may be either).
    Customer,
    /// An AWS managed key, by the alias it is shown as (`alias/aws/s3`).
    AwsManaged(String),
    /// Nothing: empty text.
    Empty,
    /// Text that is not a key id, key ARN or alias (AWS refuses it): unknown.
    Unrecognised,
}

/// What `text`, written in full, names.
fn classify(text: &str) -> Key {
    let text = text.trim();
    if text.is_empty() {
        return Key::Empty;
    }
    let (resource, arn) = match ARN.as_ref().and_then(|re| re.captures(text)) {
        Some(c) => (c.get(1).map_or("", |m| m.as_str()), true),
        None => (text, false),
    };
    if let Some(name) = resource.strip_prefix("alias/") {
        return match name.strip_prefix("aws/") {
            Some(_) => Key::AwsManaged(resource.to_owned()),
            None if !name.is_empty() => Key::Customer,
            None => Key::Unrecognised,
        };
    }
    if !arn
        && let Some(service) = resource.strip_prefix("aws/")
        && !service.is_empty()
    {
        return Key::AwsManaged(format!("alias/{resource}"));
    }
    // A key ARN names a key whatever its id looks like (AWS managed keys have key ARNs too,
    // which is the limit the helper's documentation states).
    if arn {
        return match resource.strip_prefix("key/") {
            Some(id) if !id.is_empty() => Key::Customer,
            _ => Key::Unrecognised,
        };
    }
    match KEY_ID.as_ref().is_some_and(|re| re.is_match(resource)) {
        true => Key::Customer,
        false => Key::Unrecognised,
    }
}

fn customer_managed(call: &HelperCall<'_>) -> Verdict {
    let values = arg(call, 0);
    if values.is_empty() {
        // Blamed on the resource here; the evaluator moves it to where the key is missing.
        return Verdict {
            truth: Truth::False,
            blame: call.graph.resource(call.resource).map(|r| Blame {
                span: r.name_span,
                path: AttrPath::new(),
                seen: ABSENT.to_owned(),
                default: false,
            }),
        };
    }
    let mut verdicts = values
        .iter()
        .map(|a| judge(call, &a.node, a.path, 0))
        .collect::<Vec<_>>();
    // Every value must hold: the first false verdict, else the first unknown, else the first.
    let pick = |t: Truth| verdicts.iter().position(|v| v.truth == t);
    let at = pick(Truth::False)
        .or_else(|| pick(Truth::Unknown))
        .unwrap_or(0);
    verdicts.swap_remove(at)
}

/// Follows at most this many data sources (a `data "aws_kms_key"` looking up an alias).
const MAX_DEPTH: usize = 2;

fn judge(call: &HelperCall<'_>, node: &Node, path: &str, depth: usize) -> Verdict {
    match &node.value {
        Value::String(s) => written(classify(s), node, path, format!("\"{s}\"")),
        // `Ref AWS::NoValue` / Terraform `null` in one branch: the key is absent there.
        Value::Null if node.is_removed() => Verdict::at(Truth::False, node, path, "absent"),
        Value::Null => Verdict::at(Truth::False, node, path, "null"),
        Value::OneOf(alternatives) => {
            let verdicts: Vec<Verdict> = alternatives
                .iter()
                .map(|n| judge(call, n, path, depth))
                .collect();
            let position = |t: Truth| verdicts.iter().position(|v| v.truth == t);
            let at = position(Truth::False)
                .or_else(|| position(Truth::Unknown))
                .unwrap_or(0);
            verdicts
                .into_iter()
                .nth(at)
                .unwrap_or_else(|| Verdict::of(Truth::Unknown))
        }
        Value::Unknown(u) => unknown(call, u, node, path, depth),
        _ => Verdict::at(
            Truth::False,
            node,
            path,
            "a value that is not a KMS key id, key ARN or alias",
        ),
    }
}

/// The verdict on a written identifier, blaming `node` and showing it as `shown`.
fn written(key: Key, node: &Node, path: &str, shown: String) -> Verdict {
    match key {
        Key::Customer => Verdict::at(Truth::True, node, path, shown),
        Key::AwsManaged(alias) => {
            let seen = if shown == format!("\"{alias}\"") {
                format!("the AWS managed key {shown}")
            } else {
                format!("{shown}, the AWS managed key {alias}")
            };
            Verdict::at(Truth::False, node, path, seen)
        }
        Key::Empty => Verdict::at(Truth::False, node, path, "\"\" (no key)"),
        // Not a form AWS accepts, so nothing can be said about the key it would be: the
        // deployment itself is refused.
        Key::Unrecognised => Verdict::at(
            Truth::Unknown,
            node,
            path,
            format!("{shown}, which is not a KMS key id, key ARN or alias"),
        ),
    }
}

fn unknown(call: &HelperCall<'_>, u: &Unknown, node: &Node, path: &str, depth: usize) -> Verdict {
    let shown = shown_expression(&u.expression);
    if !u.pieces.is_empty() {
        return template(u, node, path, shown);
    }
    let [dependency] = u.depends_on.as_slice() else {
        return Verdict::at(Truth::Unknown, node, path, shown);
    };
    match &dependency.on {
        DependsOn::Resource { name, .. } if key_resource(call, name) => Verdict::at(
            Truth::True,
            node,
            path,
            format!("{shown}, a customer managed key"),
        ),
        DependsOn::DataSource { name, .. } if depth < MAX_DEPTH => {
            match looked_up(call, name, depth) {
                Some(v) if v.truth == Truth::False => {
                    let seen = v.blame.map(|b| b.seen).unwrap_or_default();
                    Verdict::at(
                        Truth::False,
                        node,
                        path,
                        format!("{shown}, which looks up {seen}"),
                    )
                }
                Some(v) if v.truth == Truth::True => Verdict::at(Truth::True, node, path, shown),
                _ => Verdict::at(Truth::Unknown, node, path, shown),
            }
        }
        _ => Verdict::at(Truth::Unknown, node, path, shown),
    }
}

/// A string built from known text and parts known only at deployment: an AWS managed alias
/// written in it decides, and so does a customer alias or key ARN written in full at its end.
fn template(u: &Unknown, node: &Node, path: &str, shown: String) -> Verdict {
    let text: String = u
        .pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Value(_) => "\u{0}",
        })
        .collect();
    if let Some(i) = text.find("alias/aws/") {
        let alias: String = text[i..].chars().take_while(|&c| c != '\u{0}').collect();
        let alias = if alias.len() > "alias/aws/".len() {
            alias
        } else {
            "alias/aws/…".to_owned()
        };
        return Verdict::at(
            Truth::False,
            node,
            path,
            format!("{shown}, the AWS managed key {alias}"),
        );
    }
    if let Some(Piece::Text(tail)) = u.pieces.last() {
        let named = [":alias/", ":key/"].iter().any(|marker| {
            tail.rfind(marker).is_some_and(|i| {
                let name = &tail[i + marker.len()..];
                !name.is_empty() && !"aws/".starts_with(name)
            })
        });
        if named {
            return Verdict::at(Truth::True, node, path, shown);
        }
    }
    Verdict::at(Truth::Unknown, node, path, shown)
}

/// The resource named `name` in the checked resource's scope is a KMS key or alias.
fn key_resource(call: &HelperCall<'_>, name: &str) -> bool {
    let found = call
        .graph
        .resource(call.resource)
        .map_or(&[][..], |this| call.graph.find(&this.scope, name));
    if found.is_empty() {
        // Terraform names a resource by its type: `aws_kms_key.app`.
        return name
            .split_once('.')
            .is_some_and(|(kind, _)| KEY_RESOURCES.contains(&kind));
    }
    found.iter().all(|&id| {
        call.graph.resource(id).is_some_and(|r| {
            r.kind == NodeKind::Resource && KEY_RESOURCES.contains(&r.type_name.as_str())
        })
    })
}

/// The verdict on what a Terraform `data "aws_kms_alias"` (its `name`) or `data "aws_kms_key"`
/// (its `key_id`) looks up; `None` for any other data source or one not in the scan.
fn looked_up(call: &HelperCall<'_>, name: &str, depth: usize) -> Option<Verdict> {
    let this = call.graph.resource(call.resource)?;
    let attribute = if name.starts_with("data.aws_kms_alias.") {
        "name"
    } else if name.starts_with("data.aws_kms_key.") {
        "key_id"
    } else {
        return None;
    };
    let [id] = call.graph.find(&this.scope, name) else {
        return None;
    };
    let data = call.graph.resource(*id)?;
    let Value::Map(attributes) = &data.attributes.value else {
        return None;
    };
    let value = attributes.get(attribute)?;
    Some(judge(call, value, attribute, depth + 1))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{call, node, s, unknown};
    use super::*;

    fn check(values: Vec<Node>) -> Verdict {
        (CUSTOMER_MANAGED.check)(&call(vec![values]))
    }

    fn truth(text: &str) -> Truth {
        check(vec![s(text)]).truth
    }

    #[test]
    fn written_keys() {
        assert_eq!(truth("1234abcd-12ab-34cd-56ef-1234567890ab"), Truth::True);
        assert_eq!(truth("mrk-1234abcd12ab34cd56ef1234567890ab"), Truth::True);
        assert_eq!(
            truth("arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            Truth::True
        );
        assert_eq!(truth("alias/app-data"), Truth::True);
        assert_eq!(
            truth("arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/app-data"),
            Truth::True
        );
        // An alias whose name merely starts with "aws" is a customer's.
        assert_eq!(truth("alias/aws-backups"), Truth::True);
    }

    #[test]
    fn aws_managed_keys_and_nothing_are_false() {
        for text in [
            "alias/aws/s3",
            "aws/secretsmanager",
            "arn:aws:kms:eu-west-1:111122223333:alias/aws/secretsmanager",
            "",
        ] {
            assert_eq!(truth(text), Truth::False, "{text}");
        }
        // Text that is no key identifier AWS accepts: nothing to say about the key.
        for text in [
            "alias/",
            "my-key",
            "arn:aws:kms:us-east-1:111122223333:key/",
        ] {
            assert_eq!(truth(text), Truth::Unknown, "{text}");
        }
        assert_eq!(
            truth("arn:aws:kms:us-west-2:123456789012:key/my-existing-kms-key-id"),
            Truth::True
        );
        assert_eq!(check(vec![]).truth, Truth::False);
        assert_eq!(check(vec![node(Value::Null)]).truth, Truth::False);
        let managed = check(vec![s("alias/aws/s3")]);
        let seen = managed.blame.map(|b| b.seen).unwrap_or_default();
        assert_eq!(seen, "the AWS managed key \"alias/aws/s3\"");
        assert!(
            check(vec![s("aws/ebs")])
                .blame
                .is_some_and(|b| b.seen.contains("alias/aws/ebs"))
        );
    }

    #[test]
    fn references_to_key_resources_are_customer_managed() {
        assert_eq!(
            check(vec![unknown("aws_kms_key.app.arn")]).truth,
            Truth::True
        );
        assert_eq!(
            check(vec![unknown("aws_kms_alias.app.name")]).truth,
            Truth::True
        );
        assert_eq!(check(vec![unknown("var.key_arn")]).truth, Truth::Unknown);
        assert_eq!(
            check(vec![unknown("aws_s3_bucket.logs.arn")]).truth,
            Truth::Unknown
        );
        assert_eq!(check(vec![unknown("module.kms.arn")]).truth, Truth::Unknown);
    }

    #[test]
    fn templates_are_read_from_their_written_text() {
        assert_eq!(
            check(vec![unknown(
                "\"arn:aws:kms:${var.region}:${var.account}:alias/aws/s3\""
            )])
            .truth,
            Truth::False
        );
        assert_eq!(
            check(vec![unknown(
                "\"arn:aws:kms:${var.region}:${var.account}:alias/app\""
            )])
            .truth,
            Truth::True
        );
        assert_eq!(
            check(vec![unknown("\"alias/${var.name}\"")]).truth,
            Truth::Unknown
        );
        assert_eq!(
            check(vec![unknown(
                "\"arn:aws:kms:${var.region}:${var.account}:alias/${var.name}\""
            )])
            .truth,
            Truth::Unknown
        );
    }

    #[test]
    fn every_value_must_name_a_customer_key() {
        assert_eq!(
            check(vec![s("alias/app"), s("alias/aws/s3")]).truth,
            Truth::False
        );
        assert_eq!(
            check(vec![s("alias/app"), unknown("var.key")]).truth,
            Truth::Unknown
        );
        assert_eq!(check(vec![s("alias/app"), s("alias/b")]).truth, Truth::True);
    }
}
