//! Scan helpers: verdicts that depend on a resource the scan did not read.

use super::{Blame, HelperCall, Truth, Verdict, arg, declare_helper};
use crate::value::Value;

declare_helper!(
    OUTSIDE,
    "scan.outside",
    1,
    outside,
    "`scan.outside(attr)`: always unknown, at the value of `attr`: the verdict depends on a \
resource that `attr` names (by a literal name, a variable, a data source or a module output) \
and that is not in the scan, so its settings are not known. It stands after a graph \
predicate for the case that finds no neighbour, so that a setting decided by another \
resource is unknown rather than failed when that resource is elsewhere. Unknown at the \
resource's name when `attr` is absent.\n\nExample: `references(aws_rds_cluster, \
storage_encrypted == true) or (not references(aws_rds_cluster) and \
scan.outside(db_cluster_identifier))`",
);

/// What the finding says was seen.
const NOT_IN_SCAN: &str = "which names a resource that is not in the scan: its settings decide";

fn outside(call: &HelperCall<'_>) -> Verdict {
    match arg(call, 0).first() {
        Some(first) if !matches!(first.node.value, Value::Null) => Verdict::at(
            Truth::Unknown,
            &first.node,
            first.path,
            format!("{}, {NOT_IN_SCAN}", shown(&first.node.value)),
        ),
        _ => Verdict {
            truth: Truth::Unknown,
            blame: call.graph.resource(call.resource).map(|r| Blame {
                span: r.name_span,
                path: arg(call, 0)
                    .first()
                    .map(|a| a.path)
                    .unwrap_or_default()
                    .into(),
                seen: "absent, so the resource that decides is not in the scan".into(),
                default: false,
            }),
        },
    }
}

/// The value as a finding shows it: a string quoted, anything else by kind.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Unknown(_) => "a value known only at deployment".into(),
        _ => "its value".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{call, s, unknown};
    use super::*;

    #[test]
    fn always_unknown() {
        let check = |values| (OUTSIDE.check)(&call(vec![values])).truth;
        assert_eq!(check(vec![s("prod-cluster")]), Truth::Unknown);
        assert_eq!(check(vec![unknown("var.cluster")]), Truth::Unknown);
        assert_eq!(check(vec![]), Truth::Unknown);
    }
}
