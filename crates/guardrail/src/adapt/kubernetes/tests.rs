use std::path::PathBuf;

use super::*;
use crate::graph::{GraphBuilder, ResourceGraph};
use crate::parse::yaml;
use crate::source::{Format, SourceFiles};

struct Scanned {
    files: SourceFiles,
    adapted: Adapted,
}

fn adapt_text(text: &str) -> Scanned {
    let mut files = SourceFiles::default();
    let id = files.add(PathBuf::from("k8s.yaml"), text.to_owned(), Format::Yaml);
    let file = files.get(id).expect("file was just added");
    let parsed = yaml::parse(file);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let adapted = adapt(file, &parsed.documents);
    Scanned { files, adapted }
}

impl Scanned {
    fn graph(&self) -> ResourceGraph {
        let mut builder = GraphBuilder::new();
        for (resource, links) in &self.adapted.resources {
            builder.add(resource.clone(), links.clone());
        }
        builder.build()
    }

    fn addresses(&self) -> Vec<&str> {
        self.adapted
            .resources
            .iter()
            .map(|(r, _)| r.address.as_str())
            .collect()
    }

    fn resource(&self, address: &str) -> &Resource {
        self.adapted
            .resources
            .iter()
            .map(|(r, _)| r)
            .find(|r| r.address == address)
            .unwrap_or_else(|| panic!("no resource {address} in {:?}", self.addresses()))
    }

    /// Every edge as `from -kind-> to` (`!display` for dangling ones), with the text of
    /// its span, in the order the references are written.
    fn edges(&self) -> Vec<String> {
        let graph = self.graph();
        let file = self.files.get(crate::source::FileId(0)).expect("one file");
        let mut edges: Vec<_> = graph.edges().iter().collect();
        edges.sort_by_key(|e| (e.span.start, e.to));
        edges
            .into_iter()
            .map(|e| {
                let from = &graph.resource(e.from).expect("from").address;
                let to = match e.to {
                    Some(to) => graph.resource(to).expect("to").address.clone(),
                    None => format!("!{}", e.dangling),
                };
                let kind = serde_json::to_value(e.kind).expect("kind");
                let at = file.slice(e.span).lines().next().unwrap_or("").trim();
                format!("{from} -{}-> {to} @ {at}", kind.as_str().unwrap_or("?"))
            })
            .collect()
    }

    /// Edges of one kind, without their span text.
    fn edges_of(&self, kind: &str) -> Vec<String> {
        let marker = format!(" -{kind}-> ");
        self.edges()
            .into_iter()
            .filter(|e| e.contains(&marker))
            .map(|e| e.split(" @ ").next().unwrap_or("").to_owned())
            .collect()
    }

    fn diagnostics(&self) -> Vec<String> {
        self.adapted
            .diagnostics
            .iter()
            .map(|d| {
                let file = self.files.get(crate::source::FileId(0)).expect("one file");
                let (at, text) = d.span.map_or((String::new(), ""), |s| {
                    let text = file.slice(s).lines().next().unwrap_or("");
                    (self.files.start_of(s).to_string(), text)
                });
                let text: String = text.chars().take(24).collect();
                format!("{:?} {} {at} `{text}`: {}", d.severity, d.code, d.message)
            })
            .collect()
    }
}

const POD_TEMPLATE: &str = "
      metadata:
        labels: {app: web, tier: front}
      spec:
        containers: [{name: c, image: nginx}]";

fn workload(api: &str, kind: &str) -> String {
    let template = POD_TEMPLATE.replace('\n', "\n    ");
    match kind {
        "Pod" => {
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web, tier: front}\n\
                  spec:\n  containers: [{name: c, image: nginx}]\n"
                .to_owned()
        }
        "CronJob" => format!(
            "apiVersion: {api}\nkind: CronJob\nmetadata: {{name: w}}\nspec:\n  schedule: '* * * * *'\n  \
             jobTemplate:\n    spec:\n      template:{}\n",
            POD_TEMPLATE.replace('\n', "\n      ")
        ),
        "PodTemplate" => format!(
            "apiVersion: v1\nkind: PodTemplate\nmetadata: {{name: w}}\ntemplate:{}\n",
            POD_TEMPLATE.replace("\n      ", "\n  ")
        ),
        _ => format!(
            "apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w, labels: {{owner: team}}}}\n\
             spec:\n  template:{template}\n"
        ),
    }
}

#[test]
fn pod_spec_and_pod_labels_on_every_workload_kind() {
    let kinds = [
        ("v1", "Pod"),
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "ReplicaSet"),
        ("v1", "ReplicationController"),
        ("batch/v1", "Job"),
        ("batch/v1", "CronJob"),
        ("v1", "PodTemplate"),
    ];
    for (api, kind) in kinds {
        let text = workload(api, kind);
        let scanned = adapt_text(&text);
        assert!(
            scanned.adapted.diagnostics.is_empty(),
            "{kind}: {:?}",
            scanned.diagnostics()
        );
        let [(resource, _)] = scanned.adapted.resources.as_slice() else {
            panic!("{kind}: one resource expected");
        };
        let spec = pod_spec(kind, &resource.attributes).unwrap_or_else(|| panic!("{kind}"));
        // The views the adapter computed point at the same pod spec and its containers.
        let view = |steps: &[crate::value::Step]| resource.attributes.at_steps(steps);
        assert_eq!(
            resource.views.pod_spec.as_deref().and_then(view),
            Some(spec),
            "{kind}"
        );
        let images: Vec<_> = resource
            .views
            .containers
            .iter()
            .filter_map(|steps| view(steps))
            .filter_map(|c| c.get("image").and_then(Node::as_str))
            .collect();
        assert_eq!(images, ["nginx"], "{kind}");
        let expected = (kind != "PodTemplate").then(|| {
            vec![
                ("app".into(), "web".into()),
                ("tier".into(), "front".into()),
            ]
        });
        assert_eq!(resource.labels, expected, "{kind}");
        assert!(resource.type_keys.iter().any(|k| k == kind), "{kind}");
    }
}

#[test]
fn pod_spec_is_none_for_other_kinds_and_unknown_for_malformed_specs() {
    let scanned = adapt_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {}\n");
    let (service, _) = &scanned.adapted.resources[0];
    assert_eq!(service.views.pod_spec, None);
    assert_eq!(service.labels, None);
    assert!(!is_workload("PodTemplate") && is_workload("CronJob"));

    let scanned = adapt_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template: oops\n",
    );
    let (deployment, _) = &scanned.adapted.resources[0];
    // Its pod view is one unknown value, so pod rules give unknown verdicts, not passes.
    assert_eq!(deployment.views.pod_spec, Some(vec![]));
    assert!(
        (deployment.views.tree.as_ref()).is_some_and(crate::value::Node::is_unknown),
        "{:?}",
        deployment.views
    );
    assert_eq!(deployment.labels, Some(vec![]));
    assert_eq!(
        scanned.diagnostics(),
        [
            "Error kubernetes::malformed 5:13 `oops`: `spec.template` of this Deployment is a string; \
          expected a map, so its pods cannot be checked"
        ]
    );
}

#[test]
fn objects_are_addressed_by_kind_namespace_and_name() {
    let scanned = adapt_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: prod}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n\
         metadata: {name: reader, namespace: ignored}\n---\n\
         just: some other yaml\n---\n\
         apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n",
    );
    assert!(
        scanned.adapted.diagnostics.is_empty(),
        "{:?}",
        scanned.diagnostics()
    );
    assert_eq!(
        scanned.addresses(),
        [
            "Deployment/prod/api",
            "ConfigMap/default/settings",
            "ClusterRole/reader",
            "Namespace/prod"
        ]
    );
    let api = scanned.resource("Deployment/prod/api");
    assert_eq!(api.type_name, "apps/v1/Deployment");
    assert_eq!(api.scope, "k8s:prod");
    assert_eq!(api.local_name, "Deployment/api");
    assert_eq!(api.kind, NodeKind::Resource);
    assert_eq!(api.framework, Framework::Kubernetes);
    let file = scanned.files.get(api.span.file).expect("file");
    assert_eq!(file.slice(api.name_span), "api");
    assert!(file.slice(api.span).starts_with("apiVersion: apps/v1"));
    assert_eq!(
        api.attributes
            .at(&["metadata", "namespace"])
            .and_then(Node::as_str),
        Some("prod")
    );

    let settings = scanned.resource("ConfigMap/default/settings");
    assert_eq!(
        (settings.scope.as_str(), settings.type_name.as_str()),
        ("k8s:default", "v1/ConfigMap")
    );
    let reader = scanned.resource("ClusterRole/reader");
    assert_eq!(
        (reader.scope.as_str(), reader.local_name.as_str()),
        ("k8s:", "ClusterRole/reader")
    );
}

#[test]
fn list_items_become_resources_and_typed_lists_lend_their_kind() {
    let scanned = adapt_text(
        "apiVersion: v1\nkind: List\nitems:\n\
         - {apiVersion: v1, kind: Secret, metadata: {name: a}}\n\
         - {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Secret, metadata: {name: nested}}]}\n\
         - just a string\n\
         ---\n\
         apiVersion: apps/v1\nkind: DeploymentList\nitems:\n\
         - metadata: {name: typed, namespace: prod}\n\
         - {apiVersion: apps/v1, kind: Deployment, metadata: {name: explicit}}\n\
         ---\n\
         apiVersion: v1\nkind: List\nitems: []\n\
         ---\n\
         apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: custom}\n",
    );
    assert_eq!(
        scanned.addresses(),
        [
            "Secret/default/a",
            "Secret/default/nested",
            "Deployment/prod/typed",
            "Deployment/default/explicit",
            "AllowList/default/custom"
        ]
    );
    assert_eq!(
        scanned.resource("Deployment/prod/typed").type_name,
        "apps/v1/Deployment"
    );
    assert_eq!(
        scanned.diagnostics(),
        [
            "Warning kubernetes::not-an-object 6:3 `just a string`: list item is not a Kubernetes object (it needs \
          `apiVersion` and `kind`)"
        ]
    );
    let a = scanned.resource("Secret/default/a");
    let file = scanned.files.get(a.span.file).expect("file");
    assert!(
        file.slice(a.span)
            .starts_with("{apiVersion: v1, kind: Secret")
    );

    let scanned = adapt_text("apiVersion: v1\nkind: List\nitems: {a: b}\n");
    assert!(scanned.adapted.resources.is_empty());
    assert_eq!(
        scanned.diagnostics(),
        [
            "Error kubernetes::malformed 3:8 `{a: b}`: `items` of this List is a map; expected a list, so \
          its objects were not read"
        ]
    );
}

#[test]
fn objects_without_a_name_are_kept_and_reported() {
    let scanned = adapt_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-}\n---\n\
         apiVersion: v1\nkind: Pod\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata: {name: 42, namespace: [x]}\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata: oops\n",
    );
    assert_eq!(
        scanned.addresses(),
        [
            "Job/default/migrate-",
            "Pod/default/<unnamed>",
            "Secret/default/<unnamed>",
            "Secret/default/<unnamed>"
        ]
    );
    assert_eq!(
        scanned.diagnostics(),
        [
            "Warning kubernetes::unnamed 3:26 `migrate-`: this Job has no `metadata.name`; it is shown under \
             its generateName `migrate-`, and references to it cannot be followed",
            "Warning kubernetes::unnamed 5:1 `apiVersion: v1`: this Pod has no `metadata.name`; it is shown as \
             `<unnamed>`",
            "Warning kubernetes::malformed 10:18 `42`: `metadata.name` is a number; expected a string",
            "Warning kubernetes::unnamed 8:1 `apiVersion: v1`: this Secret has no `metadata.name`; it is shown as \
             `<unnamed>`",
            "Warning kubernetes::malformed 10:33 `[x]`: `metadata.namespace` is a list; expected a string",
            "Warning kubernetes::malformed 14:11 `oops`: `metadata` is a string; expected a map",
            "Warning kubernetes::unnamed 12:1 `apiVersion: v1`: this Secret has no `metadata.name`; it is shown as \
             `<unnamed>`",
        ]
    );
    let pod = scanned.resource("Pod/default/<unnamed>");
    assert_eq!(pod.name_span, pod.span);
}

#[test]
fn duplicates_in_one_stream_are_reported() {
    let doc = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n";
    let scanned = adapt_text(&format!("{doc}---\n{doc}"));
    assert_eq!(scanned.addresses().len(), 2);
    assert_eq!(
        scanned.diagnostics(),
        [
            "Warning kubernetes::duplicate-object 7:18 `s`: Secret/default/s is defined more than once \
          in this file; the last one wins"
        ]
    );
}

#[test]
fn service_selects_workloads_by_pod_labels_not_object_labels() {
    let scanned = adapt_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: api}}\n\
         spec: {template: {metadata: {labels: {app: web}}}}\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n\
         spec: {template: {metadata: {labels: {app: api, tier: back}}}}\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other-ns, namespace: prod}\n\
         spec: {template: {metadata: {labels: {app: api}}}}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, labels: {app: api}}\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: api}}\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: headless}\nspec: {selector: {}}\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: external}\nspec: {type: ExternalName}\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {selector: {version: 2}}\n",
    );
    assert_eq!(
        scanned.edges(),
        ["Service/default/api -selects-> Deployment/default/api @ {app: api}"]
    );
    assert_eq!(
        scanned.diagnostics(),
        [
            "Warning kubernetes::malformed 38:28 `2`: `spec.selector.version` is a number; Kubernetes \
          rejects values that are not strings (quote it)"
        ]
    );
}

#[test]
fn label_selectors_support_every_operator() {
    let pods = [
        ("a", "{app: web, env: prod}"),
        ("b", "{app: web, env: dev}"),
        ("c", "{app: db}"),
        ("d", "{}"),
    ];
    let mut text = String::new();
    for (name, labels) in pods {
        text += &format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {labels}}}\n---\n"
        );
    }
    let policies = [
        (
            "in",
            "matchExpressions: [{key: env, operator: In, values: [prod, staging]}]",
        ),
        (
            "notin",
            "matchExpressions: [{key: env, operator: NotIn, values: [prod]}]",
        ),
        ("exists", "matchExpressions: [{key: env, operator: Exists}]"),
        (
            "absent",
            "matchExpressions: [{key: app, operator: DoesNotExist}]",
        ),
        (
            "both",
            "matchLabels: {app: web}\n    matchExpressions: [{key: env, operator: NotIn, values: [dev]}]",
        ),
        ("none", "matchLabels: {app: cache}"),
        (
            "bad",
            "matchExpressions: [{key: env, operator: Gt, values: ['1']}]",
        ),
        ("novalues", "matchExpressions: [{key: env, operator: In}]"),
    ];
    for (name, selector) in policies {
        text += &format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}}}\n\
             spec:\n  podSelector:\n    {selector}\n---\n"
        );
    }
    text += "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: all}\n\
             spec: {podSelector: {}}\n";
    let scanned = adapt_text(&text);
    let np = |name: &str, targets: &[&str]| -> Vec<String> {
        targets
            .iter()
            .map(|t| format!("NetworkPolicy/default/{name} -selects-> Pod/default/{t}"))
            .collect()
    };
    let expected: Vec<String> = [
        np("in", &["a"]),
        np("notin", &["b", "c", "d"]),
        np("exists", &["a", "b"]),
        np("absent", &["d"]),
        np("both", &["a"]),
        np("all", &["a", "b", "c", "d"]),
    ]
    .concat();
    assert_eq!(scanned.edges_of("selects"), expected);
    assert_eq!(
        scanned.diagnostics(),
        [
            "Warning kubernetes::invalid-selector 65:45 `Gt`: operator `Gt` is not In, NotIn, Exists \
             or DoesNotExist in `spec.podSelector.matchExpressions`; this selector is not followed",
            "Warning kubernetes::invalid-selector 72:24 `{key: env, operator: In}`: operator In without values in \
             `spec.podSelector.matchExpressions`; this selector is not followed",
        ]
    );
}

#[test]
fn disruption_budgets_select_with_label_selectors() {
    let scanned = adapt_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: web}}\n---\n\
         apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\n\
         spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}\n---\n\
         apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: everything}\n\
         spec: {minAvailable: 1, selector: {}}\n---\n\
         apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: old-empty}\n\
         spec: {minAvailable: 1, selector: {}}\n---\n\
         apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: no-selector}\n\
         spec: {minAvailable: 1}\n",
    );
    assert_eq!(
        scanned.edges(),
        [
            "PodDisruptionBudget/default/web -selects-> Pod/default/p @ {matchLabels: {app: web}}",
            "PodDisruptionBudget/default/everything -selects-> Pod/default/p @ {}",
        ]
    );
}

#[test]
fn bindings_bind_roles_and_service_accounts() {
    let scanned = adapt_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader, namespace: prod}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: admin}\n---\n\
         apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci, namespace: prod}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: prod}\n\
         roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\n\
         subjects:\n\
         - {kind: ServiceAccount, name: ci}\n\
         - {kind: ServiceAccount, name: deployer, namespace: tools}\n\
         - {kind: User, name: alice}\n\
         - {kind: Group, name: devs}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb-cluster, namespace: prod}\n\
         roleRef: {kind: ClusterRole, name: admin}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: crb}\n\
         roleRef: {kind: ClusterRole, name: missing}\n\
         subjects:\n\
         - {kind: ServiceAccount, name: ci, namespace: prod}\n\
         - {kind: ServiceAccount, name: nowhere}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: wrong}\n\
         roleRef: {kind: Role, name: reader}\n",
    );
    assert_eq!(
        scanned.edges_of("binds"),
        [
            "RoleBinding/prod/rb -binds-> Role/prod/reader",
            "RoleBinding/prod/rb -binds-> ServiceAccount/prod/ci",
            "RoleBinding/prod/rb -binds-> !ServiceAccount/tools/deployer",
            "RoleBinding/prod/rb-cluster -binds-> ClusterRole/admin",
            "ClusterRoleBinding/crb -binds-> !ClusterRole/missing",
            "ClusterRoleBinding/crb -binds-> ServiceAccount/prod/ci",
        ]
    );
    assert_eq!(
        scanned.diagnostics(),
        [
            "Warning kubernetes::invalid-reference 34:3 `{kind: ServiceAccount, n`: a ServiceAccount subject of a \
             ClusterRoleBinding needs a `namespace`",
            "Warning kubernetes::invalid-reference 39:17 `Role`: `roleRef.kind` is `Role`; a \
             ClusterRoleBinding grants a ClusterRole",
        ]
    );
}

#[test]
fn pods_use_and_mount_what_they_reference() {
    let scanned = adapt_text(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: data}\nspec:\n  \
         volumeClaimTemplates: [{metadata: {name: pgdata}}]\n  template:\n    spec:\n      \
         serviceAccount: old-name\n      \
         serviceAccountName: db\n      \
         imagePullSecrets: [{name: registry}]\n      \
         volumes:\n      \
         - {name: a, secret: {secretName: tls}}\n      \
         - {name: b, configMap: {name: conf}}\n      \
         - {name: c, persistentVolumeClaim: {claimName: shared}}\n      \
         - {name: d, projected: {sources: [{secret: {name: p-secret}}, {configMap: {name: p-conf}}, {serviceAccountToken: {path: t}}]}}\n      \
         - {name: e, emptyDir: {}}\n      \
         initContainers:\n      \
         - {name: init, envFrom: [{configMapRef: {name: init-env}}]}\n      \
         containers:\n      \
         - name: main\n        \
           env:\n        \
           - {name: A, value: plain}\n        \
           - {name: B, valueFrom: {secretKeyRef: {name: creds, key: password}}}\n        \
           - {name: C, valueFrom: {configMapKeyRef: {name: conf, key: level}}}\n        \
           - {name: D, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n        \
           envFrom: [{secretRef: {name: env-secret}}]\n      \
         ephemeralContainers:\n      \
         - {name: debug, env: [{name: E, valueFrom: {secretKeyRef: {name: debug-creds, key: k}}}]}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf, namespace: data}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata: {name: implicit-sa}\nspec: {containers: [{name: c}]}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata: {name: deprecated-sa}\nspec: {serviceAccount: legacy}\n",
    );
    assert!(
        scanned.adapted.diagnostics.is_empty(),
        "{:?}",
        scanned.diagnostics()
    );
    assert_eq!(
        scanned.edges(),
        [
            "StatefulSet/data/db -uses-> !ServiceAccount/data/db @ db",
            "StatefulSet/data/db -uses-> !Secret/data/registry @ registry",
            "StatefulSet/data/db -mounts-> !Secret/data/tls @ tls",
            "StatefulSet/data/db -mounts-> ConfigMap/data/conf @ conf",
            "StatefulSet/data/db -mounts-> !PersistentVolumeClaim/data/shared @ shared",
            "StatefulSet/data/db -mounts-> !Secret/data/p-secret @ p-secret",
            "StatefulSet/data/db -mounts-> !ConfigMap/data/p-conf @ p-conf",
            "StatefulSet/data/db -uses-> !ConfigMap/data/init-env @ init-env",
            "StatefulSet/data/db -uses-> !Secret/data/creds @ creds",
            "StatefulSet/data/db -uses-> ConfigMap/data/conf @ conf",
            "StatefulSet/data/db -uses-> !Secret/data/env-secret @ env-secret",
            "StatefulSet/data/db -uses-> !Secret/data/debug-creds @ debug-creds",
            "Pod/default/deprecated-sa -uses-> !ServiceAccount/default/legacy @ legacy",
        ]
    );
}

#[test]
fn ingresses_route_to_services_and_use_tls_secrets() {
    let scanned = adapt_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\n\
         apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: v1}\nspec:\n  \
         defaultBackend: {service: {name: fallback, port: {number: 80}}}\n  \
         tls: [{hosts: [a.example], secretName: a-tls}]\n  \
         rules:\n  \
         - host: a.example\n    \
           http:\n      \
             paths:\n      \
             - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n      \
             - {path: /r, pathType: Prefix, backend: {resource: {kind: Bucket, name: b}}}\n---\n\
         apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old}\nspec:\n  \
         backend: {serviceName: web, servicePort: 80}\n  \
         rules: [{http: {paths: [{backend: {serviceName: legacy, servicePort: 80}}]}}]\n",
    );
    assert!(
        scanned.adapted.diagnostics.is_empty(),
        "{:?}",
        scanned.diagnostics()
    );
    assert_eq!(
        scanned.edges(),
        [
            "Ingress/default/v1 -routes-> !Service/default/fallback @ fallback",
            "Ingress/default/v1 -uses-> !Secret/default/a-tls @ a-tls",
            "Ingress/default/v1 -routes-> Service/default/web @ web",
            "Ingress/default/old -routes-> Service/default/web @ web",
            "Ingress/default/old -routes-> !Service/default/legacy @ legacy",
        ]
    );
}

#[test]
fn autoscalers_reference_their_target_and_namespaces_contain_their_objects() {
    let scanned = adapt_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: prod}\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: prod}\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata: {name: elsewhere}\n---\n\
         apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api, namespace: prod}\n\
         spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}, maxReplicas: 3}\n---\n\
         apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: gone, namespace: prod}\n\
         spec: {scaleTargetRef: {kind: StatefulSet, name: gone}, maxReplicas: 3}\n",
    );
    assert_eq!(
        scanned.edges(),
        [
            "Namespace/prod -contains-> Deployment/prod/api @ prod",
            "Namespace/prod -contains-> Secret/prod/s @ prod",
            "Namespace/prod -contains-> HorizontalPodAutoscaler/prod/api @ prod",
            "Namespace/prod -contains-> HorizontalPodAutoscaler/prod/gone @ prod",
            "HorizontalPodAutoscaler/prod/api -reference-> Deployment/prod/api @ api",
            "HorizontalPodAutoscaler/prod/gone -reference-> !StatefulSet/prod/gone @ gone",
        ]
    );
}

#[test]
fn malformed_shapes_are_diagnostics_not_panics() {
    let scanned = adapt_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: [1]\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: 3\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata: {name: q, labels: [a]}\n\
         spec: {volumes: {a: b}, containers: [{env: 3}, 7], imagePullSecrets: [{name: [x]}]}\n---\n\
         apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n}\n\
         spec: {podSelector: [x]}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n\
         roleRef: nope\nsubjects: {kind: ServiceAccount}\n",
    );
    assert_eq!(scanned.addresses().len(), 5);
    assert!(scanned.edges().is_empty(), "{:?}", scanned.edges());
    assert_eq!(
        scanned.diagnostics(),
        [
            "Error kubernetes::malformed 4:7 `[1]`: `spec` of this Pod is a list; expected a map, so its \
             pods cannot be checked",
            "Warning kubernetes::malformed 9:7 `3`: `spec` is a number; expected a map",
            "Warning kubernetes::malformed 13:29 `[a]`: `metadata.labels` is a list; expected a map",
            "Warning kubernetes::malformed 14:17 `{a: b}`: `volumes` is a map; expected a list",
            "Warning kubernetes::malformed 14:44 `3`: `containers[].env` is a number; expected a list",
            "Warning kubernetes::malformed 14:78 `[x]`: `imagePullSecrets[].name` is a list; expected a \
             string",
            "Warning kubernetes::malformed 19:21 `[x]`: `spec.podSelector` is a list; expected a label \
             selector map",
            "Warning kubernetes::malformed 24:10 `nope`: `roleRef` is a string; expected a map",
            "Warning kubernetes::malformed 25:11 `{kind: ServiceAccount}`: `subjects` is a map; expected a list",
        ]
    );
}
