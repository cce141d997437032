//! The pod view of the Terraform kubernetes provider's workloads, so that a Kubernetes rule
//! written once for manifests judges `kubernetes_deployment` and its kin unchanged.
//!
//! The provider's schema says the same things as a manifest in another shape: snake_case
//! names (`run_as_non_root`), nested blocks as lists of maps (`spec: [{template: [{spec:
//! [{container: [...]}]}]}]`), singular block names for lists (`container`, `init_container`,
//! `volume`, `port`) and a few initialisms spelled differently (`host_pid` is `hostPID`).
//! Rather than give every rule a second condition for that shape, [`views`] rewrites the
//! resource **once**, into the manifest's shape, and keeps the rewrite as the views' tree:
//! `$pod` and `$containers` then point into it exactly as they do into a manifest, and the
//! pod view logic of the Kubernetes adapter (`pod::views`) finds them there.
//!
//! Every rewritten value keeps the span and provenance of the Terraform attribute it came
//! from, so a finding points at the `.tf` line; only the path a finding names is spelled the
//! manifest's way (`securityContext.privileged`). Values whose keys are data, not schema
//! (labels, annotations, `node_selector`, resource `limits` and `requests`), keep their keys.
//!
//! Where the provider's default differs from the API server's, the rewrite writes the
//! provider's in, marked as a default: `automount_service_account_token` is `true` when
//! absent (provider 2.0 and later send it explicitly), so a pod's token is mounted whatever
//! its ServiceAccount says, unlike a manifest that leaves the field out.

use crate::graph::{NodeKind, Views};
use crate::value::{Entry, Map, Node, Provenance, Value};

/// The manifest kind whose pod template each provider resource type describes. The `_v1`
/// forms and the older names are the same schema.
const WORKLOADS: &[(&str, &str)] = &[
    ("kubernetes_pod", "Pod"),
    ("kubernetes_pod_v1", "Pod"),
    ("kubernetes_deployment", "Deployment"),
    ("kubernetes_deployment_v1", "Deployment"),
    ("kubernetes_daemonset", "DaemonSet"),
    ("kubernetes_daemon_set", "DaemonSet"),
    ("kubernetes_daemon_set_v1", "DaemonSet"),
    ("kubernetes_stateful_set", "StatefulSet"),
    ("kubernetes_stateful_set_v1", "StatefulSet"),
    ("kubernetes_replication_controller", "ReplicationController"),
    (
        "kubernetes_replication_controller_v1",
        "ReplicationController",
    ),
    ("kubernetes_job", "Job"),
    ("kubernetes_job_v1", "Job"),
    ("kubernetes_cron_job", "CronJob"),
    ("kubernetes_cron_job_v1", "CronJob"),
];

/// The manifest kind a Terraform resource type runs pods as, if it is a provider workload.
pub fn workload_kind(type_name: &str) -> Option<&'static str> {
    WORKLOADS
        .iter()
        .find(|(t, _)| *t == type_name)
        .map(|(_, kind)| *kind)
}

/// The rule views of a Terraform declaration: for a resource of the kubernetes provider that
/// runs pods, its attributes rewritten into the manifest's shape with `$pod` and
/// `$containers` pointing into them; nothing for every other declaration (data sources
/// included: they read a workload, they do not configure one).
pub fn views(kind: NodeKind, type_name: &str, attributes: &Node) -> Views {
    let Some(manifest_kind) = workload_kind(type_name).filter(|_| kind == NodeKind::Resource)
    else {
        return Views::default();
    };
    let mut tree = rewrite_map(attributes);
    write_provider_defaults(manifest_kind, &mut tree);
    let mut views = crate::adapt::kubernetes::pod_views(manifest_kind, &tree);
    // A pod spec that cannot be read comes back with a tree of its own (one unknown value);
    // otherwise the views point into the rewrite.
    if views.pod_spec.is_some() && views.tree.is_none() {
        views.tree = Some(tree);
    }
    views
}

/// Provider names that are not the manifest's name in camelCase.
const RENAMED: &[(&str, &str)] = &[
    ("container", "containers"),
    ("init_container", "initContainers"),
    ("volume", "volumes"),
    ("port", "ports"),
    ("volume_mount", "volumeMounts"),
    ("volume_device", "volumeDevices"),
    ("env_from", "envFrom"),
    ("toleration", "tolerations"),
    ("topology_spread_constraint", "topologySpreadConstraints"),
    ("readiness_gate", "readinessGates"),
    ("sysctl", "sysctls"),
    ("http_header", "httpHeaders"),
    ("option", "options"),
    ("host_pid", "hostPID"),
    ("host_ipc", "hostIPC"),
    ("host_ip", "hostIP"),
    ("pod_ip", "podIP"),
];

/// Provider blocks that stand for a list in the manifest: their items stay a list even when
/// there is one. Every other block is a single object (`security_context`, `resources`,
/// `liveness_probe`) and its one item becomes a map.
const LISTS: &[&str] = &[
    "container",
    "init_container",
    "volume",
    "port",
    "volume_mount",
    "volume_device",
    "env",
    "env_from",
    "toleration",
    "topology_spread_constraint",
    "readiness_gate",
    "sysctl",
    "http_header",
    "host_aliases",
    "image_pull_secrets",
    "match_expressions",
    "items",
    "option",
];

/// Attributes whose keys are data (label keys, resource names such as `nvidia.com/gpu`):
/// their keys are kept as written.
const DATA: &[&str] = &[
    "labels",
    "annotations",
    "node_selector",
    "limits",
    "requests",
    "match_labels",
    "overhead",
];

/// The manifest's name for a provider attribute or block.
fn manifest_key(key: &str) -> String {
    if let Some((_, renamed)) = RENAMED.iter().find(|(k, _)| *k == key) {
        return (*renamed).to_owned();
    }
    // Guardrail's own markers (`__dynamic`, `__labels`) and keys without `_` stay.
    if key.starts_with("__") || !key.contains('_') {
        return key.to_owned();
    }
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn rewrite_map(node: &Node) -> Node {
    let Value::Map(map) = &node.value else {
        return node.clone();
    };
    let mut out = Map::new();
    for entry in map {
        let value = if DATA.contains(&entry.key.as_str()) {
            single_block(&entry.value).unwrap_or(&entry.value).clone()
        } else {
            rewrite_value(&entry.key, &entry.value)
        };
        out.insert(Entry {
            key: manifest_key(&entry.key),
            key_span: entry.key_span,
            value,
        });
    }
    Node {
        value: Value::Map(out),
        span: node.span,
        provenance: node.provenance.clone(),
    }
}

/// The one map of a list that holds exactly one (a block written once).
fn single_block(node: &Node) -> Option<&Node> {
    match node.as_seq() {
        Some([only]) if only.as_map().is_some() => Some(only),
        _ => None,
    }
}

/// The value of the provider attribute or block `key`, in the manifest's shape.
fn rewrite_value(key: &str, node: &Node) -> Node {
    match &node.value {
        Value::Map(_) => rewrite_map(node),
        Value::Seq(items) => {
            if !LISTS.contains(&key) {
                if let Some(only) = single_block(node) {
                    return rewrite_map(only);
                }
            }
            Node {
                value: Value::Seq(items.iter().map(|i| rewrite_value(key, i)).collect()),
                span: node.span,
                provenance: node.provenance.clone(),
            }
        }
        Value::OneOf(alternatives) => Node::one_of(
            alternatives.iter().map(|a| rewrite_value(key, a)).collect(),
            node.span,
            node.provenance.clone(),
        ),
        _ => node.clone(),
    }
}

/// Writes into the pod spec of `tree` the values the provider sends when the attribute is
/// absent and the API server would otherwise decide differently.
fn write_provider_defaults(kind: &str, tree: &mut Node) {
    let Some(path) = crate::adapt::kubernetes::pod_spec_path(kind) else {
        return;
    };
    let mut node = tree;
    for key in path {
        let Value::Map(map) = &mut node.value else {
            return;
        };
        let Some(next) = map.get_mut(key) else {
            return;
        };
        node = next;
    }
    let span = node.span;
    let Value::Map(spec) = &mut node.value else {
        return;
    };
    // Provider 2.0 and later default this to true and send it, so the ServiceAccount's
    // `automountServiceAccountToken: false` no longer applies (provider docs, `spec`).
    if !spec.contains_key("automountServiceAccountToken") {
        spec.insert(Entry {
            key: "automountServiceAccountToken".into(),
            key_span: span,
            value: Node {
                value: Value::Bool(true),
                span,
                provenance: Provenance::Default,
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};
    use crate::value::Step;

    fn node(json: serde_json::Value) -> Node {
        Node::from_json(&json, Span::new(FileId(0), 0, 1), &Provenance::Explicit)
    }

    fn deployment() -> Node {
        node(serde_json::json!({
            "metadata": [{"name": "api", "labels": {"app.kubernetes.io/name": "api"}}],
            "spec": [{
                "template": [{
                    "metadata": [{"labels": {"app": "api"}}],
                    "spec": [{
                        "host_pid": true,
                        "node_selector": {"kubernetes.io/os": "linux"},
                        "init_container": [{"name": "init", "image": "busybox"}],
                        "container": [{
                            "name": "app",
                            "image": "nginx:1.27",
                            "security_context": [{
                                "allow_privilege_escalation": false,
                                "capabilities": [{"drop": ["ALL"]}]
                            }],
                            "resources": [{"limits": {"cpu": "1", "nvidia.com/gpu": "1"}}],
                            "port": [{"container_port": 80, "host_port": 8080}]
                        }]
                    }]
                }]
            }]
        }))
    }

    fn at<'a>(tree: &'a Node, steps: &[Step]) -> &'a Node {
        tree.at_steps(steps).expect("path exists")
    }

    #[test]
    fn deployment_is_rewritten_into_the_manifest_shape() {
        let views = views(
            NodeKind::Resource,
            "kubernetes_deployment_v1",
            &deployment(),
        );
        let tree = views.tree.as_ref().expect("a tree");
        let pod = at(tree, views.pod_spec.as_deref().expect("a pod spec"));
        assert_eq!(pod.get("hostPID").and_then(Node::as_bool), Some(true));
        // Label keys are data and stay as written.
        assert!(pod.at(&["nodeSelector", "kubernetes.io/os"]).is_some());
        // Init containers come first, as Kubernetes starts them.
        assert_eq!(views.containers.len(), 2);
        let init = at(tree, &views.containers[0]);
        assert_eq!(init.get("name").and_then(Node::as_str), Some("init"));
        let app = at(tree, &views.containers[1]);
        let sc = app.get("securityContext").expect("security context");
        assert_eq!(
            sc.get("allowPrivilegeEscalation").and_then(Node::as_bool),
            Some(false)
        );
        assert!(
            sc.at(&["capabilities", "drop"])
                .and_then(Node::as_seq)
                .is_some()
        );
        assert!(app.at(&["resources", "limits", "nvidia.com/gpu"]).is_some());
        // `port` stays a list of one.
        let ports = app.get("ports").and_then(Node::as_seq).expect("ports");
        assert_eq!(ports.len(), 1);
        assert!(ports[0].get("hostPort").is_some());
    }

    #[test]
    fn absent_automount_is_the_providers_true() {
        let views = views(NodeKind::Resource, "kubernetes_deployment", &deployment());
        let tree = views.tree.as_ref().expect("a tree");
        let pod = at(tree, views.pod_spec.as_deref().expect("a pod spec"));
        let automount = pod.get("automountServiceAccountToken").expect("default");
        assert_eq!(automount.as_bool(), Some(true));
        assert_eq!(automount.provenance, Provenance::Default);
    }

    #[test]
    fn pods_and_cron_jobs_find_their_pod_spec() {
        let pod = node(serde_json::json!({
            "metadata": [{"name": "p"}],
            "spec": [{"container": [{"name": "c"}], "automount_service_account_token": false}]
        }));
        let v = views(NodeKind::Resource, "kubernetes_pod", &pod);
        let tree = v.tree.as_ref().expect("a tree");
        let spec = at(tree, v.pod_spec.as_deref().expect("a pod spec"));
        assert_eq!(
            spec.get("automountServiceAccountToken")
                .map(|n| &n.provenance),
            Some(&Provenance::Explicit)
        );
        assert_eq!(v.containers.len(), 1);

        let cron = node(serde_json::json!({
            "spec": [{"schedule": "* * * * *", "job_template": [{"spec": [{"template": [{
                "spec": [{"container": [{"name": "a"}, {"name": "b"}]}]
            }]}]}]}]
        }));
        let v = views(NodeKind::Resource, "kubernetes_cron_job_v1", &cron);
        assert_eq!(v.containers.len(), 2);
    }

    #[test]
    fn other_declarations_have_no_views() {
        let v = views(NodeKind::Data, "kubernetes_pod", &deployment());
        assert_eq!(v, Views::default());
        let v = views(NodeKind::Resource, "kubernetes_service", &deployment());
        assert_eq!(v, Views::default());
        // A workload without a pod spec has no view, and no tree to carry.
        let empty = node(serde_json::json!({"metadata": [{"name": "x"}]}));
        let v = views(NodeKind::Resource, "kubernetes_deployment", &empty);
        assert_eq!(v, Views::default());
    }

    #[test]
    fn an_unreadable_pod_spec_is_one_unknown_value() {
        let broken = node(serde_json::json!({
            "spec": [{"template": [{"spec": "not a block"}]}]
        }));
        let v = views(NodeKind::Resource, "kubernetes_deployment", &broken);
        assert_eq!(v.pod_spec, Some(vec![]));
        assert!(v.tree.as_ref().is_some_and(Node::is_unknown), "{v:?}");
    }

    #[test]
    fn keys_are_camel_cased_with_the_manifest_spellings() {
        assert_eq!(manifest_key("run_as_non_root"), "runAsNonRoot");
        assert_eq!(manifest_key("host_ipc"), "hostIPC");
        assert_eq!(manifest_key("init_container"), "initContainers");
        assert_eq!(manifest_key("__dynamic"), "__dynamic");
        assert_eq!(manifest_key("image"), "image");
    }
}
