//! Kubernetes helpers: what a manifest leaves to the moment it is applied.

use super::{Blame, HelperCall, Truth, Verdict, arg, declare_helper};
use crate::value::Value;

declare_helper!(
    DEFAULT_NAMESPACE,
    "k8s.default_namespace",
    1,
    default_namespace,
    "`k8s.default_namespace(metadata.namespace)`: true when the manifest places a namespaced \
object in the `default` namespace (`metadata.namespace: default`). Unknown when the field is \
absent, null or empty: `kubectl apply` then puts the object in the namespace of its command \
line (`-n`) or of the kubeconfig context, and kustomize or Helm may set one, none of which \
the files say; also unknown for a value known only at deployment. False for any other \
namespace.\n\nExample: `not k8s.default_namespace(metadata.namespace)`",
);

/// What an absent namespace is shown as.
const CHOSEN_AT_APPLY: &str = "absent (the namespace is chosen when the manifest is applied)";

fn default_namespace(call: &HelperCall<'_>) -> Verdict {
    let Some(first) = arg(call, 0).first() else {
        return chosen_at_apply(call);
    };
    match &first.node.value {
        Value::Null => chosen_at_apply(call),
        Value::String(name) if name.is_empty() => chosen_at_apply(call),
        // The evaluator blames the argument itself: the namespace as written.
        Value::String(name) => Verdict::of(Truth::from_bool(name == "default")),
        Value::Unknown(_) | Value::OneOf(_) => Verdict::of(Truth::Unknown),
        // Not a namespace name: the API server rejects the object.
        _ => Verdict::of(Truth::False),
    }
}

/// Unknown, at the object's name: the manifest does not say where it goes.
fn chosen_at_apply(call: &HelperCall<'_>) -> Verdict {
    Verdict {
        truth: Truth::Unknown,
        blame: call.graph.resource(call.resource).map(|r| Blame {
            span: r.name_span,
            path: "metadata.namespace".into(),
            seen: CHOSEN_AT_APPLY.into(),
            default: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{call, int, node, s, unknown};
    use super::*;

    fn check(values: Vec<crate::value::Node>) -> Verdict {
        (DEFAULT_NAMESPACE.check)(&call(vec![values]))
    }

    #[test]
    fn default_is_true_and_other_namespaces_are_false() {
        assert_eq!(check(vec![s("default")]).truth, Truth::True);
        assert_eq!(check(vec![s("shop")]).truth, Truth::False);
        assert_eq!(check(vec![s("kube-system")]).truth, Truth::False);
        // Names are case-sensitive; `Default` is not a valid name, nor the default namespace.
        assert_eq!(check(vec![s("Default")]).truth, Truth::False);
        assert_eq!(check(vec![int(3)]).truth, Truth::False);
    }

    #[test]
    fn an_absent_or_empty_namespace_is_chosen_at_apply_time() {
        assert_eq!(check(vec![]).truth, Truth::Unknown);
        assert_eq!(check(vec![s("")]).truth, Truth::Unknown);
        assert_eq!(check(vec![node(Value::Null)]).truth, Truth::Unknown);
    }

    #[test]
    fn a_namespace_known_only_at_deployment_is_unknown() {
        assert_eq!(check(vec![unknown("var.namespace")]).truth, Truth::Unknown);
    }
}
