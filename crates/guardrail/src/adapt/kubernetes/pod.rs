//! One view of the pod every workload runs, so that a rule about pods is written once.
//!
//! Eight kinds run pods and PodTemplate describes one; each keeps its pod template at a
//! different depth. [`TEMPLATES`] is the only place that knows where.

use crate::graph::Views;
use crate::source::Span;
use crate::value::{Node, Step, Unknown, Value};

/// Where each kind keeps its pod template: the map with the pod's `metadata` and `spec`.
/// A Pod is its own template.
const TEMPLATES: &[(&str, &[&str])] = &[
    ("Pod", &[]),
    ("Deployment", &["spec", "template"]),
    ("StatefulSet", &["spec", "template"]),
    ("DaemonSet", &["spec", "template"]),
    ("ReplicaSet", &["spec", "template"]),
    ("ReplicationController", &["spec", "template"]),
    ("Job", &["spec", "template"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template"]),
    // OpenShift's DeploymentConfig (apps.openshift.io/v1) keeps its template where a
    // Deployment does.
    ("DeploymentConfig", &["spec", "template"]),
    ("PodTemplate", &["template"]),
];

/// The path from the object to its pod template, for kinds that have one.
pub(super) fn template_path(kind: &str) -> Option<&'static [&'static str]> {
    TEMPLATES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, path)| *path)
}

/// Whether objects of `kind` run pods, so label selectors (Service, NetworkPolicy,
/// PodDisruptionBudget) pick them by their pods' labels. PodTemplate has a pod spec but runs
/// nothing, so it is not a workload.
pub fn is_workload(kind: &str) -> bool {
    kind != "PodTemplate" && template_path(kind).is_some()
}

/// The pod spec of an object of `kind`: `spec` for a Pod, `spec.template.spec` for
/// Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job and
/// DeploymentConfig,
/// `spec.jobTemplate.spec.template.spec` for CronJob, `template.spec` for PodTemplate.
///
/// `None` for other kinds, and when the spec is absent or not a map (the adapter reports
/// the latter). The kind is passed rather than read from `object` because items of a typed
/// list (`DeploymentList`) may leave their `kind` out.
pub fn pod_spec<'a>(kind: &str, object: &'a Node) -> Option<&'a Node> {
    template(kind, object)?
        .get("spec")
        .filter(|n| n.as_map().is_some())
}

/// The keys from an object of `kind` to its pod spec, for kinds that have one.
pub(crate) fn spec_path(kind: &str) -> Option<Vec<&'static str>> {
    template_path(kind).map(|path| path.iter().copied().chain(["spec"]).collect())
}

/// The rule views of an object of `kind`: its pod spec and containers, when it has them.
/// The Terraform adapter calls it too, on a provider workload rewritten into this shape.
pub(crate) fn views(kind: &str, object: &Node) -> Views {
    let mut views = Views::default();
    let Some(path) = template_path(kind) else {
        return views;
    };
    if pod_spec(kind, object).is_none() {
        if let Some((what, span)) = unreadable(path, object) {
            return unknown_views(kind, &what, span);
        }
        return views;
    }
    let spec: Vec<Step> = path
        .iter()
        .chain(&["spec"])
        .map(|k| Step::Key((*k).to_owned()))
        .collect();
    if let Some(spec_node) = object.at_steps(&spec) {
        for key in CONTAINER_LISTS {
            let Some(items) = spec_node.get(key).and_then(Node::as_seq) else {
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                if item.as_map().is_some() {
                    let mut place = spec.clone();
                    place.extend([Step::Key(key.to_owned()), Step::Index(i)]);
                    views.containers.push(place);
                }
            }
        }
    }
    views.flags = super::flags::parse(object, &views.containers);
    views.pod_spec = Some(spec);
    views
}

/// The type keys rules bind to: the type, the kind in any API version, and `workloads` for
/// kinds that run pods.
pub(super) fn type_keys(type_name: &str, kind: &str) -> Vec<String> {
    let mut keys = vec![type_name.to_owned(), kind.to_owned()];
    if is_workload(kind) {
        keys.push("workloads".into());
    }
    keys
}

/// The lists of containers in a pod spec, in the order Kubernetes starts them.
const CONTAINER_LISTS: [&str; 3] = ["initContainers", "containers", "ephemeralContainers"];

fn template<'a>(kind: &str, object: &'a Node) -> Option<&'a Node> {
    object
        .at(template_path(kind)?)
        .filter(|n| n.as_map().is_some())
}

/// The path (`spec.template`) of the first step towards the pod spec that is present but not
/// a map, when there is one: the pod spec cannot be read.
fn unreadable(path: &[&str], object: &Node) -> Option<(String, Span)> {
    let mut node = object;
    let mut walked = Vec::new();
    for key in path.iter().copied().chain(["spec"]) {
        walked.push(key);
        let next = node.get(key)?;
        match &next.value {
            Value::Map(_) => node = next,
            // Null is the same as absent to the API server.
            Value::Null => return None,
            _ => return Some((walked.join("."), next.span)),
        }
    }
    None
}

/// Views of a workload whose pod spec cannot be read: `$pod` and one container stand for a
/// value that is unknown, so every pod rule gives an unknown verdict rather than a pass (no
/// containers to fail) or a failure (nothing set). The adapter reports why.
fn unknown_views(kind: &str, what: &str, span: Span) -> Views {
    let unknown = Node::new(
        Value::Unknown(Unknown::new(
            format!("the pod spec of this {kind} (`{what}` is not a map)"),
            Vec::new(),
        )),
        span,
    );
    Views {
        pod_spec: Some(Vec::new()),
        containers: vec![Vec::new()],
        tree: Some(unknown),
        ..Views::default()
    }
}
