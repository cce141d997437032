//! Kubernetes manifests into graph resources and the references between them.
//!
//! Every object of a YAML stream becomes a [`Resource`], and so does every item of a list
//! kind (`kind: List`, `DeploymentList`, …). Objects are named the way the API server names
//! them: by kind, namespace and name, so a reference written in one file finds its target in
//! another. Scopes are `k8s:<namespace>` for namespaced kinds and `k8s:` for cluster-scoped
//! ones (see [`CLUSTER_SCOPED_KINDS`]); a namespaced object without a namespace is in
//! `default`, as `kubectl apply` without `-n` would put it.
//!
//! Workloads carry their pods' labels so label selectors find them; `pod::pod_spec` gives rules
//! one view of the pod whatever the workload kind.

mod flags;
mod links;
mod pod;
mod suppressions;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

pub use pod::is_workload;
#[cfg(test)]
use pod::pod_spec;
pub(crate) use pod::{spec_path as pod_spec_path, views as pod_views};

use super::{Adapted, is_kubernetes_object};
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{Framework, NodeKind, Resource};
use crate::source::{SourceFile, Span};
use crate::value::{Node, Value};

/// Built-in kinds whose objects belong to no namespace. Any other kind, custom resources
/// included, is taken to be namespaced: a CRD's scope is declared in the CRD, which the scan
/// may not include.
pub const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// Whether objects of `kind` are cluster-scoped (see [`CLUSTER_SCOPED_KINDS`]).
pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED_KINDS.contains(&kind)
}

/// The graph scope of objects in `namespace` (`None`: cluster-scoped).
fn namespace_scope(namespace: Option<&str>) -> String {
    format!("k8s:{}", namespace.unwrap_or(""))
}

/// The Kubernetes frontend: YAML streams of manifests, recognised by their content.
pub struct Kubernetes;

impl super::Frontend for Kubernetes {
    fn framework(&self) -> Framework {
        Framework::Kubernetes
    }

    /// Any document with string `apiVersion` and `kind`.
    fn recognises(&self, documents: &[Node]) -> bool {
        documents.iter().any(is_kubernetes_object)
    }

    fn looks_like(&self, text: &str) -> bool {
        text.contains("apiVersion") && text.contains("kind")
    }

    fn keeps_documents(&self) -> bool {
        true
    }

    fn adapt_file(&self, input: super::Input<'_>) -> Adapted {
        adapt(input.file, input.parsed.documents().unwrap_or_default())
    }
}

/// Adapts every Kubernetes object of a YAML stream, and every item of its lists.
///
/// Documents that are not objects (no `apiVersion` and `kind`) are passed over silently: a
/// stream may mix in other YAML. Malformed objects are reported as diagnostics and adapted
/// as far as they can be.
pub fn adapt(file: &SourceFile, documents: &[Node]) -> Adapted {
    let mut cx = Cx {
        file,
        out: Adapted::default(),
        seen: HashSet::new(),
    };
    for doc in documents.iter().filter(|d| is_kubernetes_object(d)) {
        cx.object_or_list(doc, None);
    }
    cx.out
}

/// Diagnostic codes, one per kind of problem.
mod code {
    pub const MALFORMED: &str = "kubernetes::malformed";
    pub const UNNAMED: &str = "kubernetes::unnamed";
    pub const DUPLICATE: &str = "kubernetes::duplicate-object";
    pub const NOT_AN_OBJECT: &str = "kubernetes::not-an-object";
    pub const SELECTOR: &str = "kubernetes::invalid-selector";
    pub const REFERENCE: &str = "kubernetes::invalid-reference";
}

/// What the adapter knows of one object while it builds its resource and links.
struct Object<'a> {
    node: &'a Node,
    api_version: &'a str,
    kind: &'a str,
    /// `None` for cluster-scoped objects.
    namespace: Option<String>,
    name: String,
    /// Whether `name` is the object's `metadata.name` (not a generateName or a placeholder).
    named: bool,
    name_span: Span,
}

struct Cx<'f> {
    file: &'f SourceFile,
    out: Adapted,
    /// (scope, local name) of the named objects adapted so far, to report duplicates.
    seen: HashSet<(String, String)>,
}

impl Cx<'_> {
    fn report(&mut self, severity: Severity, code: &'static str, span: Span, message: String) {
        self.out
            .diagnostics
            .push(Diagnostic::new(severity, code, self.file.path.clone(), message).at(span));
    }

    fn warn(&mut self, code: &'static str, span: Span, message: String) {
        self.report(Severity::Warning, code, span, message);
    }

    /// Reports a value of the wrong type at `what`.
    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.warn(
            code::MALFORMED,
            node.span,
            format!(
                "`{what}` is a {}; expected {expected}",
                node.value.kind_name()
            ),
        );
    }

    /// `node[key]` when it is a non-empty string. Warns when it is there with another type;
    /// an absent, null or empty value is `None` without a word.
    fn text<'n>(&mut self, node: &'n Node, key: &str, what: &str) -> Option<&'n Node> {
        let value = node.get(key)?;
        match &value.value {
            Value::String(s) if !s.is_empty() => Some(value),
            Value::String(_) | Value::Null => None,
            _ => {
                self.wrong_type(value, what, "a string");
                None
            }
        }
    }

    /// `node[key]` as a list; warns when it is there with another type. Null is empty.
    fn seq<'n>(&mut self, node: &'n Node, key: &str, what: &str) -> &'n [Node] {
        match node.get(key) {
            None => &[],
            Some(value) => match &value.value {
                Value::Seq(items) => items,
                Value::Null => &[],
                _ => {
                    self.wrong_type(value, what, "a list");
                    &[]
                }
            },
        }
    }

    /// `node[key]` when it is a map; warns when it is there with another type.
    fn map<'n>(&mut self, node: &'n Node, key: &str, what: &str) -> Option<&'n Node> {
        let value = node.get(key)?;
        match &value.value {
            Value::Map(_) => Some(value),
            Value::Null => None,
            _ => {
                self.wrong_type(value, what, "a map");
                None
            }
        }
    }

    /// A map of strings (labels, a Service selector), in source order. A null value is the
    /// empty string, as the API server reads it. Other values are reported and left out;
    /// the flag says whether every entry was a string.
    fn string_map(&mut self, node: &Node, what: &str) -> (Vec<(String, String)>, bool) {
        let Some(map) = node.as_map() else {
            if node.value != Value::Null {
                self.wrong_type(node, what, "a map");
                return (Vec::new(), false);
            }
            return (Vec::new(), true);
        };
        let mut pairs = Vec::with_capacity(map.len());
        let mut clean = true;
        for entry in map {
            match &entry.value.value {
                Value::String(s) => pairs.push((entry.key.clone(), s.clone())),
                Value::Null => pairs.push((entry.key.clone(), String::new())),
                other => {
                    clean = false;
                    self.warn(
                        code::MALFORMED,
                        entry.value.span,
                        format!(
                            "`{what}.{}` is a {}; Kubernetes rejects values that are not \
                             strings (quote it)",
                            entry.key,
                            other.kind_name()
                        ),
                    );
                }
            }
        }
        (pairs, clean)
    }

    /// Adapts a document or list item: an object, or a list whose items are adapted in turn.
    /// `element` is the apiVersion and kind that items of a typed list (`DeploymentList`)
    /// may leave out.
    fn object_or_list(&mut self, node: &Node, element: Option<(&str, &str)>) {
        let own = |key: &str| {
            node.get(key)
                .and_then(Node::as_str)
                .filter(|s| !s.is_empty())
        };
        let api_version = own("apiVersion").or(element.map(|e| e.0));
        let kind = own("kind").or(element.map(|e| e.1));
        let (Some(api_version), Some(kind), Some(_)) = (api_version, kind, node.as_map()) else {
            self.warn(
                code::NOT_AN_OBJECT,
                node.span,
                "list item is not a Kubernetes object (it needs `apiVersion` and `kind`)".into(),
            );
            return;
        };
        // Nested lists recurse; the parser's depth limit bounds how deep.
        if let Some(item_kind) = kind.strip_suffix("List") {
            match node.get("items") {
                Some(items) => {
                    match &items.value {
                        Value::Seq(list) => {
                            let element =
                                (!item_kind.is_empty()).then_some((api_version, item_kind));
                            for item in list {
                                self.object_or_list(item, element);
                            }
                        }
                        Value::Null => {}
                        other => self.report(
                            Severity::Error,
                            code::MALFORMED,
                            items.span,
                            format!(
                                "`items` of this {kind} is a {}; expected a list, so its \
                                 objects were not read",
                                other.kind_name()
                            ),
                        ),
                    }
                    return;
                }
                // `kind: List` without items is an empty list; a custom kind that merely ends
                // in `List` is an ordinary object.
                None if item_kind.is_empty() => return,
                None => {}
            }
        }
        self.object(node, api_version, kind);
    }

    fn object(&mut self, node: &Node, api_version: &str, kind: &str) {
        let metadata = self.map(node, "metadata", "metadata");
        let (name, name_span, named) = self.name(node, metadata, kind);
        let namespace = (!is_cluster_scoped(kind)).then(|| self.namespace(metadata));
        let object = Object {
            node,
            api_version,
            kind,
            namespace,
            name,
            named,
            name_span,
        };
        self.check_shape(&object);

        let scope = namespace_scope(object.namespace.as_deref());
        let local_name = format!("{kind}/{}", object.name);
        let address = match &object.namespace {
            Some(ns) => format!("{kind}/{ns}/{}", object.name),
            None => local_name.clone(),
        };
        if object.named && !self.seen.insert((scope.clone(), local_name.clone())) {
            self.warn(
                code::DUPLICATE,
                object.name_span,
                format!("{address} is defined more than once in this file; the last one wins"),
            );
        }
        let labels = is_workload(kind).then(|| self.workload_labels(&object));
        let links = links::collect(self, &object);
        let type_name = format!("{api_version}/{kind}");
        let resource = Resource {
            address,
            type_keys: pod::type_keys(&type_name, kind),
            views: pod::views(kind, node),
            type_name,
            kind: NodeKind::Resource,
            framework: Framework::Kubernetes,
            span: node.span,
            name_span: object.name_span,
            attributes: node.clone(),
            scope,
            local_name,
            labels,
            suppressions: suppressions::from_annotations(node),
        };
        self.out.resources.push((resource, links));
    }

    /// The object's name, its span and whether it is a real `metadata.name`. An object
    /// without one is still adapted, under its generateName or `<unnamed>`, so rules check
    /// it; the warning says why its address looks odd.
    fn name(&mut self, node: &Node, metadata: Option<&Node>, kind: &str) -> (String, Span, bool) {
        if let Some(name) = metadata.and_then(|m| self.text(m, "name", "metadata.name")) {
            return (
                name.as_str().unwrap_or_default().to_owned(),
                name.span,
                true,
            );
        }
        let generate = metadata.and_then(|m| self.text(m, "generateName", "metadata.generateName"));
        match generate {
            Some(prefix) => {
                let prefix_text = prefix.as_str().unwrap_or_default().to_owned();
                self.warn(
                    code::UNNAMED,
                    prefix.span,
                    format!(
                        "this {kind} has no `metadata.name`; it is shown under its \
                         generateName `{prefix_text}`, and references to it cannot be followed"
                    ),
                );
                (prefix_text, prefix.span, false)
            }
            None => {
                self.warn(
                    code::UNNAMED,
                    node.span,
                    format!("this {kind} has no `metadata.name`; it is shown as `<unnamed>`"),
                );
                ("<unnamed>".into(), node.span, false)
            }
        }
    }

    fn namespace(&mut self, metadata: Option<&Node>) -> String {
        metadata
            .and_then(|m| self.text(m, "namespace", "metadata.namespace"))
            .and_then(Node::as_str)
            .unwrap_or("default")
            .to_owned()
    }

    /// Reports a `spec`, or a step towards the pod spec, that is not a map. For a workload
    /// that is an error: its pods cannot be checked.
    fn check_shape(&mut self, object: &Object<'_>) {
        let Some(path) = pod::template_path(object.kind) else {
            self.map(object.node, "spec", "spec");
            return;
        };
        let mut node = object.node;
        let steps = path.iter().copied().chain(["spec"]);
        for (depth, key) in steps.enumerate() {
            let Some(next) = node.get(key) else { return };
            if next.as_map().is_none() {
                let what = path
                    .iter()
                    .copied()
                    .chain(["spec"])
                    .take(depth + 1)
                    .collect::<Vec<_>>()
                    .join(".");
                self.report(
                    Severity::Error,
                    code::MALFORMED,
                    next.span,
                    format!(
                        "`{what}` of this {} is a {}; expected a map, so its pods cannot be \
                         checked",
                        object.kind,
                        next.value.kind_name()
                    ),
                );
                return;
            }
            node = next;
        }
    }

    /// The labels of a workload's pods. Absent labels are none: a selector can still pick the
    /// workload with `DoesNotExist` or an empty selector.
    fn workload_labels(&mut self, object: &Object<'_>) -> Vec<(String, String)> {
        let Some(path) = pod::template_path(object.kind) else {
            return Vec::new();
        };
        let Some(template) = object.node.at(path) else {
            return Vec::new();
        };
        match template.at(&["metadata", "labels"]) {
            None => Vec::new(),
            Some(labels) => {
                let what = path
                    .iter()
                    .copied()
                    .chain(["metadata", "labels"])
                    .collect::<Vec<_>>()
                    .join(".");
                self.string_map(labels, &what).0
            }
        }
    }
}
