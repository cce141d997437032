//! One resource graph over every file of a scan.
//!
//! Adapters hand the [`GraphBuilder`] resources together with [`Link`]s: what each resource
//! refers to, by name or by label selector, not yet resolved. [`GraphBuilder::build`] resolves
//! them through hash indexes (by scoped name, by label, by scope), never by comparing pairs of
//! resources, so building is linear in resources plus edges. A link whose target is not in the
//! scan stays in the graph as a dangling edge with its span.

mod selector;

use std::collections::HashMap;

pub(crate) use selector::LabelIndex;
pub use selector::{LabelSelector, Operator, Requirement};

use crate::source::Span;
use crate::value::{Node, Step};

/// The infrastructure-as-code framework a resource was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// AWS CloudFormation (including SAM).
    CloudFormation,
    /// Terraform / OpenTofu.
    Terraform,
    /// Kubernetes manifests.
    Kubernetes,
}

impl Framework {
    /// Every framework.
    pub const ALL: [Framework; 3] = [
        Framework::CloudFormation,
        Framework::Terraform,
        Framework::Kubernetes,
    ];

    /// The framework named `name` as rule bindings and configuration name it.
    pub fn from_name(name: &str) -> Option<Framework> {
        Framework::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The lowercase name used in output and rule bindings.
    pub fn name(self) -> &'static str {
        match self {
            Framework::CloudFormation => "cloudformation",
            Framework::Terraform => "terraform",
            Framework::Kubernetes => "kubernetes",
        }
    }
}

/// What kind of declaration a graph node is. Rules mostly look at [`NodeKind::Resource`];
/// the others are there so references to them resolve and so their values can be followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// A managed resource: CFN `Resources` entry, TF `resource` block, any K8s object.
    Resource,
    /// A Terraform `data` source.
    Data,
    /// A Terraform `module` call.
    Module,
    /// A Terraform `variable`.
    Variable,
    /// A Terraform `locals` entry.
    Local,
    /// A Terraform `output` or CloudFormation `Outputs` entry.
    Output,
    /// A Terraform `provider` block.
    Provider,
    /// A Terraform `terraform { backend … }` block.
    Backend,
    /// A CloudFormation `Parameters` entry.
    Parameter,
    /// A CloudFormation `Conditions` entry.
    Condition,
    /// A CloudFormation `Mappings` entry.
    Mapping,
}

/// Index of a resource in its [`ResourceGraph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ResourceId(pub u32);

/// One node of the graph: a resource or another declaration (see [`NodeKind`]).
#[derive(Debug, Clone)]
pub struct Resource {
    /// Stable address, unique within its scope and shown to users:
    /// `aws_s3_bucket.logs`, `module.net`, `var.region`, `template.yaml#LogsBucket`,
    /// `Deployment/prod/api`.
    pub address: String,
    /// The type: `AWS::S3::Bucket`, `aws_s3_bucket`, `apps/v1/Deployment`. For declarations
    /// that are not resources it names the declaration (`variable`, `local`, `output`, …),
    /// or for backends the backend type (`s3`).
    pub type_name: String,
    /// What kind of declaration this is.
    pub kind: NodeKind,
    /// The framework it was written in.
    pub framework: Framework,
    /// The whole declaration.
    pub span: Span,
    /// Where its name is written: the place to point at when a finding concerns an
    /// attribute that is absent.
    pub name_span: Span,
    /// Its body as a spanned tree (CFN: the resource's map with `Type`, `Properties`, …;
    /// TF: the block's attributes and nested blocks; K8s: the whole object).
    pub attributes: Node,
    /// Where its name is unique: `tf:<module dir>`, `cfn:<file>`, `k8s:<namespace>`
    /// (`k8s:` for cluster-scoped objects).
    pub scope: String,
    /// Its name within the scope, as links name it: `aws_s3_bucket.logs`, `LogsBucket`,
    /// `Secret/db-password`.
    pub local_name: String,
    /// For resources that label selectors can pick (Kubernetes workloads: their pods'
    /// labels, possibly none), the labels; `None` for everything else.
    pub labels: Option<Vec<(String, String)>>,
    /// The type patterns rules bind to, computed by the adapter: the type itself; for
    /// Kubernetes also the kind in any API version and `workloads` for objects with a pod
    /// spec; for Terraform data sources `data.T`, backends `backend.T` and provider blocks
    /// `provider.T`. Declarations that
    /// are not resources (variables, outputs, …) have none. Rule dispatch indexes bindings
    /// by these keys.
    pub type_keys: Vec<String>,
    /// Places in [`attributes`](Self::attributes) that rules reach by a named root.
    pub views: Views,
    /// The suppressions written on it as data (CloudFormation `Metadata`, Kubernetes
    /// annotations), read by its adapter; comments are placed by the suppression stage.
    pub suppressions: Vec<crate::suppress::directive::Directive>,
}

/// Places in a resource's attributes that rules reach by a named root, computed once by the
/// adapter so that a rule is written once for every shape that holds the same thing.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Views {
    /// `$pod`: the pod spec of a Kubernetes workload (`spec` of a Pod,
    /// `spec.template.spec` of a Deployment, `spec.jobTemplate.spec.template.spec` of a
    /// CronJob, …).
    pub pod_spec: Option<Vec<Step>>,
    /// `$containers`: every container of that pod spec, in the order Kubernetes starts them
    /// (`initContainers`, `containers`, `ephemeralContainers`).
    pub containers: Vec<Vec<Step>>,
    /// The tree that [`pod_spec`](Self::pod_spec) and [`containers`](Self::containers)
    /// point into when it is not the resource's attributes: for a Terraform
    /// `kubernetes_deployment` and its kin, the pod template rewritten once into the
    /// manifest's shape (camelCase keys, blocks as maps, provider defaults written in), so a
    /// Kubernetes rule's `$pod` and `$containers` conditions judge it unchanged. Every value
    /// keeps the span of the Terraform attribute it came from.
    pub tree: Option<Node>,
    /// `$flags`: the command-line flags of the workload's programs, parsed once from each
    /// container's `command` and `args`: a map from program (`kube-apiserver`) to a map from
    /// flag name without dashes (`anonymous-auth`) to the list of its values (split at
    /// commas). Every value keeps the span of the argument it was read from.
    pub flags: Option<Node>,
}

impl Views {
    /// The tree the view steps of `resource` point into: [`tree`](Self::tree) when the
    /// adapter rewrote one, otherwise the resource's own attributes.
    pub fn base<'a>(&'a self, attributes: &'a Node) -> &'a Node {
        self.tree.as_ref().unwrap_or(attributes)
    }
}

/// What a reference means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// Uses a value of the target (TF expression, CFN `Ref` / `GetAtt` / `Sub`).
    Reference,
    /// Explicit ordering (`depends_on`, `DependsOn`).
    DependsOn,
    /// A label selector picks the target (Service, NetworkPolicy, PodDisruptionBudget).
    Selects,
    /// A binding grants the target role, or grants a role to the target subject.
    Binds,
    /// A workload mounts the target as a volume (Secret, ConfigMap, PVC).
    Mounts,
    /// A workload uses the target otherwise (service account, env from a Secret/ConfigMap,
    /// image pull secret).
    Uses,
    /// The source contains the target (a Namespace its objects).
    Contains,
    /// Traffic is routed to the target (Ingress → Service).
    Routes,
}

impl EdgeKind {
    /// The kebab-case name used in output: `depends-on`, `selects`.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Reference => "reference",
            EdgeKind::DependsOn => "depends-on",
            EdgeKind::Selects => "selects",
            EdgeKind::Binds => "binds",
            EdgeKind::Mounts => "mounts",
            EdgeKind::Uses => "uses",
            EdgeKind::Contains => "contains",
            EdgeKind::Routes => "routes",
        }
    }
}

/// An unresolved reference, as an adapter reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// What the reference means.
    pub kind: EdgeKind,
    /// What it refers to.
    pub target: Target,
    /// Where the reference is written.
    pub span: Span,
}

/// What a [`Link`] refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The resource whose [`Resource::scope`] and [`Resource::local_name`] are these.
    Name {
        /// The scope to look in.
        scope: String,
        /// The local name to find.
        name: String,
        /// How to show the target if it is not found: `aws_kms_key.main`, `Secret/prod/db`.
        display: String,
    },
    /// Every resource in `scope` whose labels the selector matches.
    Selector {
        /// The scope to look in.
        scope: String,
        /// The selector.
        selector: LabelSelector,
    },
    /// Every resource in `scope` (a Namespace contains its objects).
    Scope {
        /// The scope.
        scope: String,
    },
}

/// A resolved edge. Edges order by source resource, then where the reference is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// The resource that refers.
    pub from: ResourceId,
    /// Where the reference is written.
    pub span: Span,
    /// What the reference means.
    pub kind: EdgeKind,
    /// The resource referred to, or `None` when it is not in the scan (a dangling edge).
    pub to: Option<ResourceId>,
    /// The target as written, for dangling edges (empty for resolved ones).
    pub dangling: String,
}

/// Collects the adapters' output; [`GraphBuilder::build`] resolves links into edges.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    resources: Vec<Resource>,
    links: Vec<(ResourceId, Link)>,
}

impl GraphBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a resource with its outgoing links and returns its id.
    pub fn add(&mut self, resource: Resource, links: Vec<Link>) -> ResourceId {
        let id = ResourceId(self.resources.len() as u32);
        self.resources.push(resource);
        self.links.extend(links.into_iter().map(|l| (id, l)));
        id
    }

    /// Resolves every link and freezes the graph.
    pub fn build(self) -> ResourceGraph {
        let GraphBuilder { resources, links } = self;
        let mut by_name: HashMap<(&str, &str), Vec<ResourceId>> = HashMap::new();
        let mut by_scope: HashMap<&str, Vec<ResourceId>> = HashMap::new();
        let mut by_label: LabelIndex<'_> = HashMap::new();
        let mut selectable_by_scope: HashMap<&str, Vec<ResourceId>> = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            let id = ResourceId(i as u32);
            by_name
                .entry((r.scope.as_str(), r.local_name.as_str()))
                .or_default()
                .push(id);
            by_scope.entry(r.scope.as_str()).or_default().push(id);
            let Some(labels) = &r.labels else { continue };
            selectable_by_scope
                .entry(r.scope.as_str())
                .or_default()
                .push(id);
            for (k, v) in labels {
                by_label
                    .entry((r.scope.as_str(), k.as_str(), v.as_str()))
                    .or_default()
                    .push(id);
            }
        }

        let mut edges = Vec::with_capacity(links.len());
        for (from, link) in links {
            let Link { kind, target, span } = link;
            let edge = |to: Option<ResourceId>, dangling: String| Edge {
                from,
                to,
                kind,
                span,
                dangling,
            };
            match target {
                Target::Name {
                    scope,
                    name,
                    display,
                } => match by_name.get(&(scope.as_str(), name.as_str())) {
                    Some(ids) => edges.extend(ids.iter().map(|&to| edge(Some(to), String::new()))),
                    None => edges.push(edge(None, display)),
                },
                Target::Selector { scope, selector } => {
                    let candidates = selector.candidates(
                        &scope,
                        &by_label,
                        selectable_by_scope
                            .get(scope.as_str())
                            .map_or(&[][..], Vec::as_slice),
                    );
                    edges.extend(
                        candidates
                            .into_iter()
                            .filter(|&to| to != from)
                            .filter(|&to| {
                                resources[to.0 as usize]
                                    .labels
                                    .as_deref()
                                    .is_some_and(|labels| selector.matches(labels))
                            })
                            .map(|to| edge(Some(to), String::new())),
                    );
                }
                Target::Scope { scope } => edges.extend(
                    by_scope
                        .get(scope.as_str())
                        .map_or(&[][..], Vec::as_slice)
                        .iter()
                        .filter(|&&to| to != from)
                        .map(|&to| edge(Some(to), String::new())),
                ),
            }
        }
        edges.sort();
        edges.dedup();

        let mut incoming = vec![Vec::new(); resources.len()];
        let mut outgoing = vec![0..0; resources.len()];
        for (i, e) in edges.iter().enumerate() {
            if let Some(to) = e.to {
                incoming[to.0 as usize].push(i as u32);
            }
            let range = &mut outgoing[e.from.0 as usize];
            if range.start == range.end {
                *range = i..i + 1;
            } else {
                range.end = i + 1;
            }
        }
        let names = by_name
            .into_iter()
            .map(|((scope, name), ids)| ((scope.to_owned(), name.to_owned()), ids))
            .collect();
        ResourceGraph {
            resources,
            edges,
            outgoing,
            incoming,
            names,
        }
    }
}

/// Every resource of a scan and the edges between them. Resources are in file order, then
/// source order; edges are sorted by source resource, then position.
#[derive(Debug, Default)]
pub struct ResourceGraph {
    resources: Vec<Resource>,
    edges: Vec<Edge>,
    outgoing: Vec<std::ops::Range<usize>>,
    incoming: Vec<Vec<u32>>,
    names: HashMap<(String, String), Vec<ResourceId>>,
}

impl ResourceGraph {
    /// Every resource, in id order.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// The resource with this id.
    pub fn resource(&self, id: ResourceId) -> Option<&Resource> {
        self.resources.get(id.0 as usize)
    }

    /// Every resource with its id.
    pub fn iter(&self) -> impl Iterator<Item = (ResourceId, &Resource)> {
        self.resources
            .iter()
            .enumerate()
            .map(|(i, r)| (ResourceId(i as u32), r))
    }

    /// Every edge, sorted.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Edges that start at `id` (references it makes), dangling ones included.
    pub fn edges_from(&self, id: ResourceId) -> &[Edge] {
        self.outgoing
            .get(id.0 as usize)
            .and_then(|r| self.edges.get(r.clone()))
            .unwrap_or(&[])
    }

    /// Edges that end at `id` (references made to it).
    pub fn edges_to(&self, id: ResourceId) -> impl Iterator<Item = &Edge> {
        self.incoming
            .get(id.0 as usize)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.edges.get(i as usize))
    }

    /// The resources named `local_name` in `scope` (usually one; several when the input
    /// declares the same name twice).
    pub fn find(&self, scope: &str, local_name: &str) -> &[ResourceId] {
        self.names
            .get(&(scope.to_owned(), local_name.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// Whether the graph has no resources.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }
}
