//! The threat model: a data-flow model of the scanned infrastructure with a STRIDE state for
//! every threat on every element, derived from the resource graph and the scan's verdicts.
//!
//! - **Elements** come from resources by class ([`catalog`], `threats/elements.toml`).
//!   Supporting resources (IAM, security groups, keys, log groups, public access blocks,
//!   NetworkPolicies, RBAC) are attached to the elements they are linked with, through at
//!   most [`ATTACH_DEPTH`] links of other supporting resources, instead of being drawn.
//! - **Trust boundaries**: the internet, the AWS account, each VPC (elements linked with it
//!   directly or through supporting resources such as subnets and security groups), the
//!   Kubernetes cluster and its namespaces, and the CI system.
//! - **Data flows** are the graph's edges between elements (a reference, a route, a
//!   selector, a mount, a use), from the element that calls or uses to the one used; and
//!   the internet to every element that takes requests from it by design.
//! - **Threats** come from the library (`threats/library.toml`). A threat applies to an
//!   element when the element or something attached to it is of a class the threat names;
//!   its [`ThreatState`] is decided by its rules' verdicts on the element and what is
//!   attached: [`ThreatState::Exposed`] when one fails, [`ThreatState::Mitigated`] when those
//!   that apply all pass, [`ThreatState::Unverified`] when a value is known only at
//!   deployment or no rule decides it there. Verdicts of rules no applicable threat lists
//!   become an "other weaknesses" threat per STRIDE category, so none is lost.

pub mod catalog;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

pub use catalog::{ClassRole, ElementClass, ElementKind, LibraryThreat, ThreatCatalog};

use crate::evaluate::Status;
use crate::graph::{EdgeKind, Framework, NodeKind, ResourceGraph, ResourceId};
use crate::report::{Report, ReportVerdict};
use crate::rules::catalog::Stride;
use crate::rules::model::Severity;
use crate::scan::GraphScan;
use crate::source::LineCol;
use crate::value::Node;

/// How many links of supporting resources may lie between a supporting resource and the
/// element it protects (a policy attachment → role → function is two).
pub const ATTACH_DEPTH: usize = 3;

/// One element of the model.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Element {
    /// Unique, stable id: the resource's address (with its file when two share one), or
    /// `internet` / `ci` for the external entities guardrail adds.
    pub id: String,
    /// What it is called: the resource's address.
    pub name: String,
    /// Its class's id (`s3`), or `internet`.
    pub class: String,
    /// Its class's name (`S3 bucket`).
    pub class_name: String,
    /// What it is in the diagram.
    pub kind: ElementKind,
    /// The file it is declared in, and where (none for the internet).
    pub location: Option<(String, LineCol)>,
    /// The framework it was written in (none for the internet).
    pub framework: Option<Framework>,
    /// The innermost trust boundary it is in, by index into [`ThreatModel::boundaries`].
    pub boundary: usize,
    /// Takes requests from the internet by design.
    pub internet_facing: bool,
    /// The addresses of the supporting resources attached to it, sorted.
    pub attached: Vec<String>,
    /// Its resource and the attached ones (empty for the internet).
    resources: Vec<ResourceId>,
}

/// A trust boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Boundary {
    /// Unique id (`aws-account`, `vpc:aws_vpc.main`, `namespace:orders`).
    pub id: String,
    /// What it is called.
    pub name: String,
    /// The boundary it is inside, by index.
    pub parent: Option<usize>,
}

/// A data flow between two elements.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct Flow {
    /// The element that calls or uses, by index into [`ThreatModel::elements`].
    pub from: usize,
    /// The element used.
    pub to: usize,
    /// What the link means (`reference`, `routes`, `selects`, `mounts`, `uses`, `binds`,
    /// or `requests` from the internet).
    pub label: &'static str,
}

/// Whether the code mitigates a threat on an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThreatState {
    /// A mitigating rule fails: the finding is the evidence.
    Exposed,
    /// A value it depends on is known only at deployment, or no rule decides it here: what a
    /// reviewer must check.
    Unverified,
    /// Every mitigating rule that applies passes: the passing lines are the evidence.
    Mitigated,
}

impl ThreatState {
    /// Its name in output.
    pub fn name(self) -> &'static str {
        match self {
            ThreatState::Exposed => "exposed",
            ThreatState::Unverified => "unverified",
            ThreatState::Mitigated => "mitigated",
        }
    }
}

/// One verdict that decided a threat's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Evidence {
    /// The rule.
    pub rule: String,
    /// What it concluded.
    pub status: Status,
    /// The resource it judged.
    pub resource: String,
    /// The file, as shown.
    pub file: String,
    /// Where: the deciding attribute, or the resource's name when it is absent.
    pub start: LineCol,
    /// The attribute (empty for the resource as a whole).
    pub attribute: String,
    /// What was seen there.
    pub seen: String,
}

/// A threat on an element, with its state.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ElementThreat {
    /// The element, by index.
    pub element: usize,
    /// The threat's id: the library's, or `OTHER-<STRIDE>` for verdicts of rules no
    /// applicable threat lists.
    pub id: String,
    /// The STRIDE category.
    pub stride: Stride,
    /// The threat.
    pub title: String,
    /// What happens if it is not mitigated.
    pub risk: String,
    /// What mitigates it.
    pub mitigation: String,
    /// Its rules (those of the library entry, or those whose verdicts made it).
    pub rules: Vec<String>,
    /// The state.
    pub state: ThreatState,
    /// The verdicts that decided it: the failing ones when exposed, the unknown ones when
    /// unverified by a value, the passing ones when mitigated. Sorted.
    pub evidence: Vec<Evidence>,
}

/// The model of one scan.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ThreatModel {
    /// Elements, sorted: external entities, processes, data stores, boundaries, supporting
    /// resources linked with nothing; then by file and address.
    pub elements: Vec<Element>,
    /// Trust boundaries, outermost first.
    pub boundaries: Vec<Boundary>,
    /// Data flows, sorted, without duplicates.
    pub flows: Vec<Flow>,
    /// Threats on elements, by element then STRIDE order then id.
    pub threats: Vec<ElementThreat>,
    /// Resources of types no element class lists (not modelled).
    pub unmodelled: usize,
    /// Title and severity of every rule a threat names that ran, by id.
    pub rules: BTreeMap<String, (String, Severity)>,
}

impl ThreatModel {
    /// The model of `input` with the verdicts of `report` (both from the same scan).
    pub fn build(input: &GraphScan, report: &Report, catalog: &ThreatCatalog) -> ThreatModel {
        Builder::new(input, catalog).model(report)
    }

    /// How many threats are in `state`.
    pub fn count(&self, state: ThreatState) -> usize {
        self.threats.iter().filter(|t| t.state == state).count()
    }
}

/// The element of a classified resource, before ids and boundaries are settled.
struct Draft {
    resource: Option<ResourceId>,
    class: usize,
    attached: BTreeSet<ResourceId>,
}

struct Builder<'a> {
    input: &'a GraphScan,
    graph: &'a ResourceGraph,
    catalog: &'a ThreatCatalog,
    /// The class of every classified resource.
    class_of: HashMap<ResourceId, usize>,
    /// Links between classified resources, both ways: the other end, and whether the link
    /// goes from this resource to it.
    neighbours: HashMap<ResourceId, Vec<(ResourceId, bool)>>,
}

impl<'a> Builder<'a> {
    fn new(input: &'a GraphScan, catalog: &'a ThreatCatalog) -> Self {
        let graph = &input.graph;
        let class_of: HashMap<ResourceId, usize> = graph
            .iter()
            .filter(|(_, r)| matches!(r.kind, NodeKind::Resource | NodeKind::Backend))
            .filter(|(id, _)| !input.context_only.contains(&file_of(graph, *id)))
            .filter_map(|(id, r)| {
                catalog
                    .class_of(r.type_keys.iter().map(String::as_str))
                    .map(|c| (id, c))
            })
            .collect();
        let mut neighbours: HashMap<ResourceId, Vec<(ResourceId, bool)>> = HashMap::new();
        for edge in graph.edges() {
            let Some(to) = edge.to else { continue };
            if edge.from != to && class_of.contains_key(&edge.from) && class_of.contains_key(&to) {
                neighbours.entry(edge.from).or_default().push((to, true));
                neighbours.entry(to).or_default().push((edge.from, false));
            }
        }
        Builder {
            input,
            graph,
            catalog,
            class_of,
            neighbours,
        }
    }

    fn class(&self, id: ResourceId) -> Option<&ElementClass> {
        self.class_of
            .get(&id)
            .and_then(|c| self.catalog.classes.get(*c))
    }

    fn kind(&self, id: ResourceId) -> Option<ElementKind> {
        self.class(id).map(|c| c.kind)
    }

    /// Whether resource `id` is of a class with `role`.
    fn has_role(&self, id: ResourceId, role: ClassRole) -> bool {
        self.class(id).is_some_and(|c| c.role == Some(role))
    }

    /// Whether subnet `id` is public: it gives instances public addresses
    /// (`map_public_ip_on_launch`, `MapPublicIpOnLaunch`), or a route table associated with
    /// it routes to an internet gateway (subnet ← association → route table [← route] →
    /// gateway: at most four links through route tables, routes and associations).
    fn is_public_subnet(&self, id: ResourceId) -> bool {
        let literal_true = |path: &[&str]| {
            self.graph
                .resource(id)
                .and_then(|r| r.attributes.at(path))
                .and_then(Node::as_bool)
                == Some(true)
        };
        if literal_true(&["map_public_ip_on_launch"])
            || literal_true(&["Properties", "MapPublicIpOnLaunch"])
        {
            return true;
        }
        let mut seen = BTreeSet::from([id]);
        let mut queue = VecDeque::from([(id, 0)]);
        while let Some((at, depth)) = queue.pop_front() {
            for &(next, _) in self.neighbours.get(&at).into_iter().flatten() {
                if self.has_role(next, ClassRole::InternetGateway) {
                    return true;
                }
                if self.has_role(next, ClassRole::Route) && depth < 3 && seen.insert(next) {
                    queue.push_back((next, depth + 1));
                }
            }
        }
        false
    }

    /// Whether a link from `from` to a resource of kind `to` is an access grant (an IAM
    /// policy's resource) rather than protection.
    fn grants(&self, from: ResourceId, to: ElementKind) -> bool {
        self.class(from).is_some_and(|c| c.grants)
            && matches!(to, ElementKind::Process | ElementKind::DataStore)
    }

    /// The resources reachable from `start` through at most [`ATTACH_DEPTH`] links whose
    /// inner steps are supporting resources, for which `wanted` holds.
    fn reach(
        &self,
        start: ResourceId,
        wanted: impl Fn(ResourceId, ElementKind) -> bool,
    ) -> BTreeSet<ResourceId> {
        let mut found = BTreeSet::new();
        let mut seen = BTreeSet::from([start]);
        let mut queue = VecDeque::from([(start, 0)]);
        while let Some((at, depth)) = queue.pop_front() {
            if depth == ATTACH_DEPTH {
                continue;
            }
            for &(next, outgoing) in self.neighbours.get(&at).into_iter().flatten() {
                let Some(kind) = self.kind(next) else {
                    continue;
                };
                if outgoing && self.grants(at, kind) {
                    continue;
                }
                if !seen.insert(next) {
                    continue;
                }
                if wanted(next, kind) {
                    found.insert(next);
                } else if kind == ElementKind::Supporting {
                    queue.push_back((next, depth + 1));
                }
            }
        }
        found
    }

    fn model(self, report: &Report) -> ThreatModel {
        let mut drafts: BTreeMap<ResourceId, Draft> = BTreeMap::new();
        let mut supporting = Vec::new();
        let mut ids: Vec<ResourceId> = self.class_of.keys().copied().collect();
        ids.sort_unstable();
        for &id in &ids {
            match self.kind(id) {
                Some(ElementKind::Supporting) => supporting.push(id),
                Some(_) => {
                    drafts.insert(
                        id,
                        Draft {
                            resource: Some(id),
                            class: self.class_of[&id],
                            attached: BTreeSet::new(),
                        },
                    );
                }
                None => {}
            }
        }
        // Supporting resources protect the processes and stores they are linked with; a
        // boundary (a VPC) takes them only when there is nothing else.
        for id in supporting {
            let mut owners = self.reach(id, |_, k| {
                matches!(
                    k,
                    ElementKind::Process | ElementKind::DataStore | ElementKind::ExternalEntity
                )
            });
            if owners.is_empty() {
                owners = self.reach(id, |_, k| k == ElementKind::Boundary);
            }
            if owners.is_empty() {
                drafts.insert(
                    id,
                    Draft {
                        resource: Some(id),
                        class: self.class_of[&id],
                        attached: BTreeSet::new(),
                    },
                );
            }
            for owner in owners {
                if let Some(draft) = drafts.get_mut(&owner) {
                    draft.attached.insert(id);
                }
            }
        }
        let mut model = ThreatModel {
            unmodelled: self
                .graph
                .iter()
                .filter(|(id, r)| r.kind == NodeKind::Resource && !self.class_of.contains_key(id))
                .count(),
            ..ThreatModel::default()
        };
        let boundaries = Boundaries::new(&self, &drafts);
        let mut elements: Vec<(Element, Option<ResourceId>)> = drafts
            .values()
            .map(|d| (self.element(d, &boundaries), d.resource))
            .collect();
        model.boundaries = boundaries.list.clone();
        model.boundaries.extend(boundaries.added.take());
        let internet_needed = elements.iter().any(|(e, _)| e.internet_facing);
        if internet_needed {
            elements.push((external("internet", "Internet", boundaries.internet), None));
        }
        elements.sort_by(|(a, _), (b, _)| {
            (a.kind, &a.location, &a.name).cmp(&(b.kind, &b.location, &b.name))
        });
        disambiguate(&mut elements);
        model.flows = self.flows(&elements);
        model.elements = elements.into_iter().map(|(e, _)| e).collect();
        model.threats = threats(&model.elements, self.input, report, self.catalog);
        let named: BTreeSet<&str> = model
            .threats
            .iter()
            .flat_map(|t| t.rules.iter().map(String::as_str))
            .collect();
        model.rules = report
            .rules
            .iter()
            .filter(|r| named.contains(r.id.as_str()))
            .map(|r| (r.id.clone(), (r.title.clone(), r.severity)))
            .collect();
        model
    }

    fn element(&self, draft: &Draft, boundaries: &Boundaries) -> Element {
        let class = &self.catalog.classes[draft.class];
        let resource = draft.resource.and_then(|r| self.graph.resource(r));
        let location = resource.and_then(|r| {
            let file = self.input.files.get(r.span.file)?;
            Some((file.display_path(), file.line_col(r.name_span.start)))
        });
        let mut attached: Vec<String> = draft
            .attached
            .iter()
            .filter_map(|a| self.graph.resource(*a))
            .map(|r| r.address.clone())
            .collect();
        attached.sort();
        Element {
            id: resource.map(|r| r.address.clone()).unwrap_or_default(),
            name: resource.map(|r| r.address.clone()).unwrap_or_default(),
            class: class.id.clone(),
            class_name: class.name.clone(),
            kind: class.kind,
            location,
            framework: resource.map(|r| r.framework),
            boundary: draft
                .resource
                .map_or(0, |r| boundaries.of(self, r, class.kind)),
            internet_facing: class.internet_facing,
            attached,
            resources: draft
                .resource
                .into_iter()
                .chain(draft.attached.iter().copied())
                .collect(),
        }
    }

    /// The graph's edges between elements, and the internet's requests.
    fn flows(&self, elements: &[(Element, Option<ResourceId>)]) -> Vec<Flow> {
        // A supporting resource stands for the elements it is attached to.
        let mut stands_for: HashMap<ResourceId, Vec<usize>> = HashMap::new();
        for (i, (element, _)) in elements.iter().enumerate() {
            for &r in &element.resources {
                stands_for.entry(r).or_default().push(i);
            }
        }
        // The element whose own resource this is.
        let own: HashMap<ResourceId, usize> = elements
            .iter()
            .enumerate()
            .filter_map(|(i, (_, r))| r.map(|r| (r, i)))
            .collect();
        let drawn = |i: &usize| {
            elements.get(*i).is_some_and(|(e, _)| {
                !matches!(e.kind, ElementKind::Supporting | ElementKind::Boundary)
            })
        };
        let mut flows = BTreeSet::new();
        for edge in self.graph.edges() {
            let Some(to) = edge.to else { continue };
            let label = match edge.kind {
                EdgeKind::DependsOn | EdgeKind::Contains => continue,
                _ if self.kind(to).is_some_and(|k| self.grants(edge.from, k)) => "grants access",
                kind => kind.name(),
            };
            // A link into a supporting resource attaches it; only a link to an element is
            // a flow (from the element, or from the elements a supporting resource is on).
            let (Some(froms), Some(&target)) = (stands_for.get(&edge.from), own.get(&to)) else {
                continue;
            };
            if !drawn(&target) {
                continue;
            }
            for &from in froms.iter().filter(|i| drawn(i)) {
                if from != target {
                    flows.insert(Flow {
                        from,
                        to: target,
                        label,
                    });
                }
            }
        }
        if let Some(internet) = elements.iter().position(|(e, _)| e.class == "internet") {
            for (i, (element, _)) in elements.iter().enumerate() {
                if element.internet_facing {
                    flows.insert(Flow {
                        from: internet,
                        to: i,
                        label: "requests",
                    });
                }
            }
        }
        flows.into_iter().collect()
    }
}

/// The file a resource is declared in.
fn file_of(graph: &ResourceGraph, id: ResourceId) -> crate::source::FileId {
    graph
        .resource(id)
        .map_or(crate::source::FileId(u32::MAX), |r| r.span.file)
}

/// An external entity guardrail adds (the internet).
fn external(id: &str, name: &str, boundary: usize) -> Element {
    Element {
        id: id.into(),
        name: name.into(),
        class: id.into(),
        class_name: name.into(),
        kind: ElementKind::ExternalEntity,
        location: None,
        framework: None,
        boundary,
        internet_facing: false,
        attached: Vec::new(),
        resources: Vec::new(),
    }
}

/// Gives elements that share an address (two files, two modules) their file in the id.
fn disambiguate(elements: &mut [(Element, Option<ResourceId>)]) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for (e, _) in elements.iter() {
        *count.entry(e.id.clone()).or_default() += 1;
    }
    for (e, _) in elements.iter_mut() {
        if count.get(&e.id).is_some_and(|n| *n > 1) {
            if let Some((file, _)) = &e.location {
                e.id = format!("{}@{file}", e.id);
            }
        }
    }
}

/// The trust boundaries and which one each element is in.
struct Boundaries {
    list: Vec<Boundary>,
    internet: usize,
    account: usize,
    cluster: usize,
    ci: usize,
    /// VPC boundaries by the VPC resource.
    vpcs: HashMap<ResourceId, usize>,
    /// The public and the private subnets of each VPC, by VPC boundary: created when an
    /// element sits in one.
    subnets: std::cell::RefCell<BTreeMap<(usize, bool), usize>>,
    /// Boundaries added while placing elements (the subnet groups).
    added: std::cell::RefCell<Vec<Boundary>>,
    /// Namespace boundaries by namespace.
    namespaces: HashMap<String, usize>,
}

impl Boundaries {
    fn new(builder: &Builder<'_>, drafts: &BTreeMap<ResourceId, Draft>) -> Self {
        let mut list = Vec::new();
        let mut add = |id: String, name: String, parent: Option<usize>| {
            list.push(Boundary { id, name, parent });
            list.len() - 1
        };
        let internet = add("internet".into(), "Internet".into(), None);
        let account = add("aws-account".into(), "AWS account".into(), None);
        let cluster = add(
            "kubernetes-cluster".into(),
            "Kubernetes cluster".into(),
            None,
        );
        let ci = add("ci".into(), "CI system".into(), None);
        let mut vpcs = HashMap::new();
        for (&id, draft) in drafts {
            let Some(resource) = builder.graph.resource(id) else {
                continue;
            };
            // Kubernetes objects are in their namespace by name (below), not by links.
            if builder.catalog.classes[draft.class].kind == ElementKind::Boundary
                && resource.framework != Framework::Kubernetes
            {
                let name = resource.address.clone();
                vpcs.insert(
                    id,
                    add(format!("vpc:{name}"), format!("VPC {name}"), Some(account)),
                );
            }
        }
        let mut namespaces = HashMap::new();
        let mut names: BTreeSet<&str> = BTreeSet::new();
        for id in drafts.keys() {
            if let Some(r) = builder.graph.resource(*id) {
                if let Some(ns) = r.scope.strip_prefix("k8s:").filter(|ns| !ns.is_empty()) {
                    names.insert(ns);
                }
            }
        }
        for ns in names {
            namespaces.insert(
                ns.to_owned(),
                add(
                    format!("namespace:{ns}"),
                    format!("namespace {ns}"),
                    Some(cluster),
                ),
            );
        }
        Boundaries {
            list,
            internet,
            account,
            cluster,
            ci,
            vpcs,
            namespaces,
            subnets: Default::default(),
            added: Default::default(),
        }
    }

    /// The innermost boundary of the element of resource `id`.
    fn of(&self, builder: &Builder<'_>, id: ResourceId, kind: ElementKind) -> usize {
        let Some(resource) = builder.graph.resource(id) else {
            return self.account;
        };
        if resource.framework == Framework::Kubernetes {
            let ns = resource.scope.strip_prefix("k8s:").unwrap_or_default();
            return self.namespaces.get(ns).copied().unwrap_or(self.cluster);
        }
        if kind == ElementKind::ExternalEntity {
            return self.ci;
        }
        if let Some(own) = self.vpcs.get(&id) {
            return *own;
        }
        // In a subnet: its VPC's public subnets if any of its subnets is public.
        let subnets = builder.reach(id, |r, _| builder.has_role(r, ClassRole::Subnet));
        let vpc_of = |r: ResourceId| {
            builder
                .reach(r, |_, k| k == ElementKind::Boundary)
                .iter()
                .find_map(|v| self.vpcs.get(v).copied())
        };
        let placed = subnets
            .iter()
            .filter_map(|s| vpc_of(*s).map(|vpc| (vpc, builder.is_public_subnet(*s))))
            .max_by_key(|(_, public)| *public);
        if let Some((vpc, public)) = placed {
            return self.subnet_group(vpc, public);
        }
        vpc_of(id).unwrap_or(self.account)
    }

    /// The boundary of the public or private subnets of VPC boundary `vpc`, made once.
    fn subnet_group(&self, vpc: usize, public: bool) -> usize {
        let mut subnets = self.subnets.borrow_mut();
        if let Some(b) = subnets.get(&(vpc, public)) {
            return *b;
        }
        let mut added = self.added.borrow_mut();
        let index = self.list.len() + added.len();
        let (vpc_id, vpc_name) = self
            .list
            .get(vpc)
            .map(|b| (b.id.clone(), b.name.clone()))
            .unwrap_or_default();
        let which = if public { "public" } else { "private" };
        added.push(Boundary {
            id: format!("{which}-subnets:{vpc_id}"),
            name: format!("{which} subnets of {vpc_name}"),
            parent: Some(vpc),
        });
        subnets.insert((vpc, public), index);
        index
    }
}

/// The threats on every element, with their states.
fn threats(
    elements: &[Element],
    input: &GraphScan,
    report: &Report,
    catalog: &ThreatCatalog,
) -> Vec<ElementThreat> {
    let mut by_resource: HashMap<ResourceId, Vec<&ReportVerdict>> = HashMap::new();
    for v in &report.verdicts {
        if let Some(r) = v.verdict.resource {
            by_resource.entry(r).or_default().push(v);
        }
    }
    let class_index: HashMap<&str, usize> = catalog
        .classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut out = Vec::new();
    for (index, element) in elements.iter().enumerate() {
        let verdicts: Vec<&ReportVerdict> = element
            .resources
            .iter()
            .flat_map(|r| by_resource.get(r).into_iter().flatten().copied())
            .filter(|v| v.verdict.status != Status::NotApplicable)
            .collect();
        // The classes of the element and of what is attached to it.
        let mut classes: BTreeSet<usize> = class_index
            .get(element.class.as_str())
            .into_iter()
            .copied()
            .collect();
        for r in &element.resources {
            if let Some(resource) = input.graph.resource(*r) {
                if let Some(c) = catalog.class_of(resource.type_keys.iter().map(String::as_str)) {
                    classes.insert(c);
                }
            }
        }
        let mut covered: BTreeSet<&str> = BTreeSet::new();
        let mut found = Vec::new();
        for threat in &catalog.threats {
            let applies = threat.applies_to.iter().any(|c| {
                class_index
                    .get(c.as_str())
                    .is_some_and(|i| classes.contains(i))
            });
            if !applies {
                continue;
            }
            covered.extend(threat.rules.iter().map(String::as_str));
            let mine: Vec<&ReportVerdict> = verdicts
                .iter()
                .copied()
                .filter(|v| {
                    rule_id(report, v).is_some_and(|id| threat.rules.iter().any(|r| r == id))
                })
                .collect();
            let (state, evidence) = decide(&mine, input, report);
            found.push(ElementThreat {
                element: index,
                id: threat.id.clone(),
                stride: threat.stride,
                title: threat.title.clone(),
                risk: threat.risk.clone(),
                mitigation: threat.mitigation.clone(),
                rules: threat.rules.clone(),
                state,
                evidence,
            });
        }
        // Rules no applicable threat lists: one "other weaknesses" threat per category.
        let mut other: BTreeMap<Stride, Vec<&ReportVerdict>> = BTreeMap::new();
        for v in &verdicts {
            let Some(rule) = report.rule_of(v) else {
                continue;
            };
            if covered.contains(rule.id.as_str()) {
                continue;
            }
            if let Some(stride) = rule.stride.first() {
                other.entry(*stride).or_default().push(v);
            }
        }
        for (stride, mine) in other {
            let mut rules: Vec<String> = mine
                .iter()
                .filter_map(|v| rule_id(report, v).map(str::to_owned))
                .collect();
            rules.sort();
            rules.dedup();
            let (state, evidence) = decide(&mine, input, report);
            found.push(ElementThreat {
                element: index,
                id: format!("OTHER-{}", stride.name().to_ascii_uppercase()),
                stride,
                title: format!("Other {} weaknesses", stride.name().replace('-', " ")),
                risk: "What the rules below guard against.".into(),
                mitigation: "See each rule: guardrail explain RULE.".into(),
                rules,
                state,
                evidence,
            });
        }
        found.sort_by(|a, b| (a.stride, &a.id).cmp(&(b.stride, &b.id)));
        out.extend(found);
    }
    out
}

fn rule_id<'r>(report: &'r Report, verdict: &ReportVerdict) -> Option<&'r str> {
    report.rule_of(verdict).map(|r| r.id.as_str())
}

/// The state the verdicts of a threat's rules give it, with the verdicts that decided it.
fn decide(
    verdicts: &[&ReportVerdict],
    input: &GraphScan,
    report: &Report,
) -> (ThreatState, Vec<Evidence>) {
    let with = |status: Status| -> Vec<Evidence> {
        let mut out: Vec<Evidence> = verdicts
            .iter()
            .filter(|v| v.verdict.status == status)
            .filter_map(|v| evidence(v, input, report))
            .collect();
        out.sort_by(|a, b| (&a.file, a.start, &a.rule).cmp(&(&b.file, b.start, &b.rule)));
        out.dedup();
        out
    };
    let failed = with(Status::Fail);
    if !failed.is_empty() {
        return (ThreatState::Exposed, failed);
    }
    let unknown = with(Status::Unknown);
    if !unknown.is_empty() {
        return (ThreatState::Unverified, unknown);
    }
    let passed = with(Status::Pass);
    if passed.is_empty() {
        (ThreatState::Unverified, Vec::new())
    } else {
        (ThreatState::Mitigated, passed)
    }
}

fn evidence(v: &ReportVerdict, input: &GraphScan, report: &Report) -> Option<Evidence> {
    let subject = report.subject_of(v)?;
    Some(Evidence {
        rule: rule_id(report, v)?.to_owned(),
        status: v.verdict.status,
        resource: subject.address.clone(),
        file: subject.file.clone(),
        start: input.files.start_of(v.verdict.span),
        attribute: v.verdict.path.to_string(),
        seen: v.verdict.seen.clone(),
    })
}
