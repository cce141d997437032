//! The references one object makes: by name (a Secret a pod mounts, the Role a binding
//! grants), by label selector (the pods a Service sends traffic to) or by namespace.
//!
//! Each link's span is where the reference is written, so a dangling reference can be shown
//! at its line. A reference the API server would reject (an unknown selector operator, a
//! roleRef of the wrong kind) is reported and not followed.

use super::{Cx, Object, code, is_cluster_scoped, namespace_scope, pod};
use crate::graph::{EdgeKind, LabelSelector, Link, Operator, Requirement, Target};
use crate::source::Span;
use crate::value::{Node, Value};

/// The links `object` makes, in source order within each kind of reference.
pub(super) fn collect(cx: &mut Cx<'_>, object: &Object<'_>) -> Vec<Link> {
    let mut links = Links {
        cx,
        object,
        out: Vec::new(),
    };
    let spec = object.node.get("spec").filter(|s| s.as_map().is_some());
    match object.kind {
        "Service" => links.service(spec),
        "NetworkPolicy" => links.network_policy(spec),
        "PodDisruptionBudget" => links.disruption_budget(spec),
        "RoleBinding" | "ClusterRoleBinding" => links.binding(),
        "Ingress" => links.ingress(spec),
        "HorizontalPodAutoscaler" => links.autoscaler(spec),
        "Namespace" => links.namespace(),
        kind => {
            if let Some(pod_spec) = pod::pod_spec(kind, object.node) {
                links.pod(pod_spec);
            }
        }
    }
    links.out
}

struct Links<'c, 'f, 'o, 'a> {
    cx: &'c mut Cx<'f>,
    object: &'o Object<'a>,
    out: Vec<Link>,
}

impl<'a> Links<'_, '_, '_, 'a> {
    /// The namespace references from this object are resolved in. Only namespaced objects
    /// make namespaced references without naming the namespace, so `default` is never used
    /// in practice.
    fn namespace_of_object(&self) -> &str {
        self.object.namespace.as_deref().unwrap_or("default")
    }

    /// A link to the `target_kind` object named by `parent[key]`, in `namespace` unless the
    /// kind is cluster-scoped. Nothing when the name is absent or empty.
    fn by_name(
        &mut self,
        edge: EdgeKind,
        target_kind: &str,
        parent: &Node,
        key: &str,
        what: &str,
        namespace: &str,
    ) {
        let Some(name) = self.cx.text(parent, key, what) else {
            return;
        };
        let text = name.as_str().unwrap_or_default();
        let (scope, display) = if is_cluster_scoped(target_kind) {
            (namespace_scope(None), format!("{target_kind}/{text}"))
        } else {
            (
                namespace_scope(Some(namespace)),
                format!("{target_kind}/{namespace}/{text}"),
            )
        };
        self.out.push(Link {
            kind: edge,
            target: Target::Name {
                scope,
                name: format!("{target_kind}/{text}"),
                display,
            },
            span: name.span,
        });
    }

    /// Same-namespace [`Links::by_name`].
    fn local(&mut self, edge: EdgeKind, target_kind: &str, parent: &Node, key: &str, what: &str) {
        let namespace = self.namespace_of_object().to_owned();
        self.by_name(edge, target_kind, parent, key, what, &namespace);
    }

    fn selects(&mut self, selector: LabelSelector, span: Span) {
        let scope = namespace_scope(Some(self.namespace_of_object()));
        self.out.push(Link {
            kind: EdgeKind::Selects,
            target: Target::Selector { scope, selector },
            span,
        });
    }

    /// `spec.selector` is a plain map of labels. Unlike a LabelSelector, an absent or empty
    /// one selects nothing: the Service's endpoints are managed by hand.
    fn service(&mut self, spec: Option<&Node>) {
        let Some(node) = spec.and_then(|s| s.get("selector")) else {
            return;
        };
        let (match_labels, clean) = self.cx.string_map(node, "spec.selector");
        if clean && !match_labels.is_empty() {
            let selector = LabelSelector {
                match_labels,
                match_expressions: Vec::new(),
            };
            self.selects(selector, node.span);
        }
    }

    /// `spec.podSelector`: absent or `{}` selects every pod of the namespace, as the API
    /// server reads an absent selector as the empty one.
    fn network_policy(&mut self, spec: Option<&Node>) {
        let node = selector_node(spec, "podSelector");
        let selector = match node {
            Some(n) => self.label_selector(n, "spec.podSelector"),
            None => Some(LabelSelector::default()),
        };
        let span = node.or(spec).map_or(self.object.name_span, |n| n.span);
        if let Some(selector) = selector {
            self.selects(selector, span);
        }
    }

    /// `spec.selector`: absent selects nothing; `{}` selects every pod of the namespace in
    /// `policy/v1`, and nothing in `policy/v1beta1`.
    fn disruption_budget(&mut self, spec: Option<&Node>) {
        let Some(node) = selector_node(spec, "selector") else {
            return;
        };
        let Some(selector) = self.label_selector(node, "spec.selector") else {
            return;
        };
        let empty = selector.match_labels.is_empty() && selector.match_expressions.is_empty();
        if empty && self.object.api_version == "policy/v1beta1" {
            return;
        }
        self.selects(selector, node.span);
    }

    /// A `metav1.LabelSelector`, or `None` (reported) when the API server would reject it.
    fn label_selector(&mut self, node: &Node, what: &str) -> Option<LabelSelector> {
        if node.value == Value::Null {
            return Some(LabelSelector::default());
        }
        if node.as_map().is_none() {
            self.cx.wrong_type(node, what, "a label selector map");
            return None;
        }
        let mut selector = LabelSelector::default();
        let mut valid = true;
        if let Some(labels) = node.get("matchLabels") {
            let (pairs, clean) = self.cx.string_map(labels, &format!("{what}.matchLabels"));
            selector.match_labels = pairs;
            valid &= clean;
        }
        match node.get("matchExpressions").map(|n| (n, &n.value)) {
            None | Some((_, Value::Null)) => {}
            Some((_, Value::Seq(items))) => {
                for item in items {
                    match self.requirement(item, what) {
                        Some(r) => selector.match_expressions.push(r),
                        None => valid = false,
                    }
                }
            }
            Some((n, _)) => {
                self.cx
                    .wrong_type(n, &format!("{what}.matchExpressions"), "a list");
                valid = false;
            }
        }
        valid.then_some(selector)
    }

    fn requirement(&mut self, item: &Node, what: &str) -> Option<Requirement> {
        let invalid = |cx: &mut Cx<'_>, span: Span, problem: String| {
            cx.warn(
                code::SELECTOR,
                span,
                format!("{problem} in `{what}.matchExpressions`; this selector is not followed"),
            );
        };
        let Some(key) = item
            .get("key")
            .and_then(Node::as_str)
            .filter(|k| !k.is_empty())
        else {
            invalid(self.cx, item.span, "an expression without a `key`".into());
            return None;
        };
        let operator_node = item.get("operator");
        let operator_text = operator_node.and_then(Node::as_str).unwrap_or_default();
        let Some(operator) = Operator::parse(operator_text) else {
            invalid(
                self.cx,
                operator_node.map_or(item.span, |n| n.span),
                format!("operator `{operator_text}` is not In, NotIn, Exists or DoesNotExist"),
            );
            return None;
        };
        let mut values = Vec::new();
        let values_node = item.get("values");
        match values_node.map(|n| &n.value) {
            None | Some(Value::Null) => {}
            Some(Value::Seq(items)) => {
                for v in items {
                    match v.as_str() {
                        Some(s) => values.push(s.to_owned()),
                        None => {
                            invalid(
                                self.cx,
                                v.span,
                                format!("a {} value (values must be strings)", v.value.kind_name()),
                            );
                            return None;
                        }
                    }
                }
            }
            Some(other) => {
                invalid(
                    self.cx,
                    values_node.map_or(item.span, |n| n.span),
                    format!("`values` is a {}, not a list", other.kind_name()),
                );
                return None;
            }
        }
        let needs_values = matches!(operator, Operator::In | Operator::NotIn);
        if needs_values == values.is_empty() {
            let problem = if needs_values {
                format!("operator {operator_text} without values")
            } else {
                format!("operator {operator_text} with values")
            };
            invalid(self.cx, item.span, problem);
            return None;
        }
        Some(Requirement {
            key: key.to_owned(),
            operator,
            values,
        })
    }

    /// `roleRef` binds the role; ServiceAccount `subjects` are bound to it. User and Group
    /// subjects are not objects, so they make no link.
    fn binding(&mut self) {
        let node = self.object.node;
        let binding_kind = self.object.kind;
        if let Some(role_ref) = self.cx.map(node, "roleRef", "roleRef") {
            match role_ref.get("kind").and_then(Node::as_str) {
                Some("ClusterRole") => {
                    self.local(
                        EdgeKind::Binds,
                        "ClusterRole",
                        role_ref,
                        "name",
                        "roleRef.name",
                    );
                }
                Some("Role") if binding_kind == "RoleBinding" => {
                    self.local(EdgeKind::Binds, "Role", role_ref, "name", "roleRef.name");
                }
                other => {
                    let allowed = match binding_kind {
                        "RoleBinding" => "Role or ClusterRole",
                        _ => "ClusterRole",
                    };
                    self.cx.warn(
                        code::REFERENCE,
                        role_ref.get("kind").map_or(role_ref.span, |k| k.span),
                        format!(
                            "`roleRef.kind` is {}; a {binding_kind} grants a {allowed}",
                            other.map_or("missing".into(), |k| format!("`{k}`"))
                        ),
                    );
                }
            }
        }
        for subject in self.cx.seq(node, "subjects", "subjects") {
            if subject.get("kind").and_then(Node::as_str) != Some("ServiceAccount") {
                continue;
            }
            let own = self
                .cx
                .text(subject, "namespace", "subjects[].namespace")
                .and_then(Node::as_str);
            // The RBAC authorizer reads a ServiceAccount subject without a namespace as one in
            // the binding's namespace; a ClusterRoleBinding has none to lend.
            match own.or(self.object.namespace.as_deref()) {
                Some(namespace) => {
                    let namespace = namespace.to_owned();
                    self.by_name(
                        EdgeKind::Binds,
                        "ServiceAccount",
                        subject,
                        "name",
                        "subjects[].name",
                        &namespace,
                    );
                }
                None => self.cx.warn(
                    code::REFERENCE,
                    subject.span,
                    "a ServiceAccount subject of a ClusterRoleBinding needs a `namespace`".into(),
                ),
            }
        }
    }

    /// What a pod uses: its service account, the Secrets, ConfigMaps and claims it mounts,
    /// the Secrets and ConfigMaps its containers read, its image pull secrets.
    ///
    /// A pod without `serviceAccountName` runs as the namespace's `default` service
    /// account. No link is made for that implicit account: it is not written anywhere, and
    /// the API server creates it in every namespace.
    fn pod(&mut self, spec: &'a Node) {
        // `serviceAccount` is the deprecated spelling; `serviceAccountName` wins over it.
        let account_key = ["serviceAccountName", "serviceAccount"]
            .into_iter()
            .find(|k| spec.get(k).is_some_and(|n| n.value != Value::Null));
        if let Some(key) = account_key {
            self.local(EdgeKind::Uses, "ServiceAccount", spec, key, key);
        }

        for volume in self.cx.seq(spec, "volumes", "volumes") {
            if let Some(secret) = self.cx.map(volume, "secret", "volumes[].secret") {
                let what = "volumes[].secret.secretName";
                self.local(EdgeKind::Mounts, "Secret", secret, "secretName", what);
            }
            if let Some(config_map) = self.cx.map(volume, "configMap", "volumes[].configMap") {
                let what = "volumes[].configMap.name";
                self.local(EdgeKind::Mounts, "ConfigMap", config_map, "name", what);
            }
            let pvc = "volumes[].persistentVolumeClaim";
            if let Some(claim) = self.cx.map(volume, "persistentVolumeClaim", pvc) {
                let what = "volumes[].persistentVolumeClaim.claimName";
                let kind = "PersistentVolumeClaim";
                self.local(EdgeKind::Mounts, kind, claim, "claimName", what);
            }
            let Some(projected) = self.cx.map(volume, "projected", "volumes[].projected") else {
                continue;
            };
            let sources = self
                .cx
                .seq(projected, "sources", "volumes[].projected.sources");
            for source in sources {
                let what = "volumes[].projected.sources[].secret";
                if let Some(secret) = self.cx.map(source, "secret", what) {
                    self.local(EdgeKind::Mounts, "Secret", secret, "name", what);
                }
                let what = "volumes[].projected.sources[].configMap";
                if let Some(config_map) = self.cx.map(source, "configMap", what) {
                    self.local(EdgeKind::Mounts, "ConfigMap", config_map, "name", what);
                }
            }
        }

        for list in ["initContainers", "containers", "ephemeralContainers"] {
            for container in self.cx.seq(spec, list, list) {
                self.container(container, list);
            }
        }

        for secret in self.cx.seq(spec, "imagePullSecrets", "imagePullSecrets") {
            let what = "imagePullSecrets[].name";
            self.local(EdgeKind::Uses, "Secret", secret, "name", what);
        }
    }

    fn container(&mut self, container: &Node, list: &str) {
        for env in self.cx.seq(container, "env", &format!("{list}[].env")) {
            let Some(from) = self.cx.map(env, "valueFrom", "env[].valueFrom") else {
                continue;
            };
            let what = "env[].valueFrom.secretKeyRef";
            if let Some(secret) = self.cx.map(from, "secretKeyRef", what) {
                self.local(EdgeKind::Uses, "Secret", secret, "name", what);
            }
            let what = "env[].valueFrom.configMapKeyRef";
            if let Some(config_map) = self.cx.map(from, "configMapKeyRef", what) {
                self.local(EdgeKind::Uses, "ConfigMap", config_map, "name", what);
            }
        }
        for source in self
            .cx
            .seq(container, "envFrom", &format!("{list}[].envFrom"))
        {
            let what = "envFrom[].secretRef";
            if let Some(secret) = self.cx.map(source, "secretRef", what) {
                self.local(EdgeKind::Uses, "Secret", secret, "name", what);
            }
            let what = "envFrom[].configMapRef";
            if let Some(config_map) = self.cx.map(source, "configMapRef", what) {
                self.local(EdgeKind::Uses, "ConfigMap", config_map, "name", what);
            }
        }
    }

    /// Backends route to Services: `networking.k8s.io/v1` writes `service.name`,
    /// `extensions/v1beta1` and `networking.k8s.io/v1beta1` wrote `serviceName` (and
    /// `backend` for the default one). TLS certificates are Secrets.
    fn ingress(&mut self, spec: Option<&Node>) {
        let Some(spec) = spec else { return };
        for key in ["defaultBackend", "backend"] {
            if let Some(backend) = self.cx.map(spec, key, &format!("spec.{key}")) {
                self.backend(backend);
            }
        }
        for rule in self.cx.seq(spec, "rules", "spec.rules") {
            let Some(http) = self.cx.map(rule, "http", "spec.rules[].http") else {
                continue;
            };
            for path in self.cx.seq(http, "paths", "spec.rules[].http.paths") {
                let what = "spec.rules[].http.paths[].backend";
                if let Some(backend) = self.cx.map(path, "backend", what) {
                    self.backend(backend);
                }
            }
        }
        for tls in self.cx.seq(spec, "tls", "spec.tls") {
            self.local(
                EdgeKind::Uses,
                "Secret",
                tls,
                "secretName",
                "spec.tls[].secretName",
            );
        }
    }

    fn backend(&mut self, backend: &Node) {
        if let Some(service) = self.cx.map(backend, "service", "backend.service") {
            let what = "backend.service.name";
            self.local(EdgeKind::Routes, "Service", service, "name", what);
        } else {
            let what = "backend.serviceName";
            self.local(EdgeKind::Routes, "Service", backend, "serviceName", what);
        }
    }

    /// `spec.scaleTargetRef` names the workload the autoscaler scales, by kind and name.
    fn autoscaler(&mut self, spec: Option<&Node>) {
        let Some(spec) = spec else { return };
        let Some(target) = self.cx.map(spec, "scaleTargetRef", "spec.scaleTargetRef") else {
            return;
        };
        let what = "spec.scaleTargetRef.kind";
        let Some(kind) = self.cx.text(target, "kind", what).and_then(Node::as_str) else {
            return;
        };
        let what = "spec.scaleTargetRef.name";
        self.local(EdgeKind::Reference, kind, target, "name", what);
    }

    /// A Namespace contains every object of the scan in it.
    fn namespace(&mut self) {
        if !self.object.named {
            return;
        }
        self.out.push(Link {
            kind: EdgeKind::Contains,
            target: Target::Scope {
                scope: namespace_scope(Some(&self.object.name)),
            },
            span: self.object.name_span,
        });
    }
}

/// `spec[key]` unless absent or null.
fn selector_node<'n>(spec: Option<&'n Node>, key: &str) -> Option<&'n Node> {
    spec?.get(key).filter(|n| n.value != Value::Null)
}
