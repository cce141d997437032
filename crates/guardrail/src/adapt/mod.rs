//! Frontends: one per input format, each recognising its files, parsing them and adapting
//! them into graph resources and the links between them.
//!
//! A frontend is a folder (`cloudformation`, `kubernetes`, `terraform`) with a type that
//! implements [`Frontend`]; [`FRONTENDS`] lists them, and detection (in `scan`, and
//! [`looks_like_ours`]) asks them in that order and nowhere else. The scan
//! ([`crate::scan::build_graph`]) drives discover, load, parse, adapt and graph without knowing
//! any format: adding one (Terraform plan JSON, Helm, Azure) is one more folder and one more
//! entry in [`FRONTENDS`].
//!
//! Each adapter turns what the parser produced into [`Resource`]s with a stable address, a
//! type and a spanned attribute tree, plus unresolved [`Link`]s that the graph builder resolves
//! across every file of the scan.

pub mod cloudformation;
pub mod kubernetes;
pub mod plan;
pub mod terraform;

use std::collections::HashSet;

use crate::diagnostic::Diagnostic;
use crate::graph::{Framework, Link, Resource};
pub use crate::parse::Parsed;
use crate::parse::comment::Comment;
use crate::progress::{Progress, Stage};
use crate::scan::ScanOptions;
use crate::source::{FileId, SourceFile, SourceFiles};
use crate::value::{Node, Value};

/// What an adapter produced from its input.
#[derive(Debug, Default)]
pub struct Adapted {
    /// Resources in source order, each with the links it makes.
    pub resources: Vec<(Resource, Vec<Link>)>,
    /// Problems found while adapting (an unsupported construct, a malformed resource).
    pub diagnostics: Vec<Diagnostic>,
}

/// One parsed file handed to the frontend that took it.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The file.
    pub file: &'a SourceFile,
    /// Its syntax tree.
    pub parsed: &'a Parsed,
    /// Whether discovery found it (rather than only a frontend's own extra inputs).
    pub discovered: bool,
}

/// What a frontend made of all its files.
#[derive(Debug, Default)]
pub struct Output {
    /// One result per unit of work (a file, a Terraform module).
    pub adapted: Vec<Adapted>,
    /// Problems found outside any unit (a var file no module reads).
    pub diagnostics: Vec<Diagnostic>,
}

/// One input format: how its files are recognised, parsed and adapted.
///
/// Recognition happens before parsing by name ([`Frontend::claims`]: a `.tf` file is
/// Terraform whatever it holds) or after parsing YAML/JSON by content
/// ([`Frontend::recognises`]); a file no frontend takes is not ours.
pub trait Frontend: Sync {
    /// The framework of the resources it makes.
    fn framework(&self) -> Framework;

    /// Reads the inputs the options name besides the scanned paths (Terraform's var files)
    /// into `files`, and returns their ids in the order given; they are this frontend's.
    /// Files that cannot be read are diagnostics, and ids in `unparseable` are not parsed.
    fn read_inputs(
        &self,
        _options: &ScanOptions,
        _files: &mut SourceFiles,
        _diagnostics: &mut Vec<Diagnostic>,
        _unparseable: &mut HashSet<FileId>,
    ) -> Vec<FileId> {
        Vec::new()
    }

    /// Files to read besides the scanned paths, now that `parsed` (every parsed file of the
    /// scan) is known: Terraform's module sources outside the scanned paths. Only paths inside
    /// one of `roots` (the repositories of the scanned paths) may be asked for. The scan reads
    /// and parses them and asks again, until nothing new is asked for.
    fn more_inputs(
        &self,
        _parsed: &[(&SourceFile, &Parsed)],
        _roots: &[std::path::PathBuf],
    ) -> Vec<std::path::PathBuf> {
        Vec::new()
    }

    /// Whether a discovered file is this frontend's by its name alone.
    fn claims(&self, _file: &SourceFile, _discovered: bool) -> bool {
        false
    }

    /// Parses a file it claimed by name or read itself.
    fn parse(&self, file: &SourceFile) -> (Parsed, Vec<Comment>) {
        Parsed::parse(file)
    }

    /// Whether YAML or JSON documents that no frontend claimed by name are this frontend's.
    fn recognises(&self, _documents: &[Node]) -> bool {
        false
    }

    /// Whether text that could not be parsed still looks like this frontend's input, so that
    /// failing to parse it must fail the scan.
    fn looks_like(&self, _text: &str) -> bool {
        false
    }

    /// Whether Guard rules read this frontend's parsed documents.
    fn keeps_documents(&self) -> bool {
        false
    }

    /// Adapts one file, for a frontend whose unit of work is a file (the default
    /// [`Frontend::units`] and [`Frontend::adapt`]).
    fn adapt_file(&self, _input: Input<'_>) -> Adapted {
        Adapted::default()
    }

    /// How many units of work [`Frontend::adapt`] will report to `progress`: by default,
    /// one per file.
    fn units(&self, inputs: &[Input<'_>], _extra: &[FileId]) -> usize {
        inputs.len()
    }

    /// Adapts its files; `extra` are the ids [`Frontend::read_inputs`] returned. Advances
    /// the options' `progress` once per unit, in [`Stage::Adapt`]. By default each file is a
    /// unit, adapted by [`Frontend::adapt_file`] in parallel.
    fn adapt(&self, inputs: &[Input<'_>], _extra: &[FileId], options: &ScanOptions) -> Output {
        Output {
            adapted: each_unit(inputs.to_vec(), &options.progress, |input| {
                self.adapt_file(input)
            }),
            diagnostics: Vec::new(),
        }
    }
}

/// Every frontend, in the order detection asks them.
pub static FRONTENDS: [&dyn Frontend; 4] = [
    &terraform::Terraform,
    &plan::TerraformPlan,
    &cloudformation::CloudFormation,
    &kubernetes::Kubernetes,
];

/// Whether text that could not be parsed still looks like some frontend's input (a broken CI
/// workflow does not: it is not ours to judge).
pub fn looks_like_ours(text: &str) -> bool {
    FRONTENDS.iter().any(|f| f.looks_like(text))
}

/// Runs `adapt_one` over `items` in parallel, advancing `progress` once per item.
pub(crate) fn each_unit<T: Send>(
    items: Vec<T>,
    progress: &Progress,
    adapt_one: impl Fn(T) -> Adapted + Sync + Send,
) -> Vec<Adapted> {
    use rayon::prelude::*;
    items
        .into_par_iter()
        .map(|item| {
            let adapted = adapt_one(item);
            progress.advance(Stage::Adapt);
            adapted
        })
        .collect()
}

/// Whether a document is a Kubernetes object: a map with string `apiVersion` and `kind` that
/// is not the configuration of a tool around Kubernetes (see [`TOOL_API_GROUPS`]).
pub fn is_kubernetes_object(doc: &Node) -> bool {
    let text = |key: &str| match doc.get(key).map(|n| &n.value) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
        _ => None,
    };
    match (text("apiVersion"), text("kind")) {
        (Some(api_version), Some(kind)) => !is_tool_config(api_version, kind),
        _ => false,
    }
}

/// API groups of files that look like Kubernetes objects but configure a tool on the
/// developer's machine or in CI, never reach a cluster, and have no security settings
/// guardrail judges: kustomize (`kustomization.yaml`, components), kind, k3d, ctlptl and
/// skaffold cluster configs, kpt and KRM function configs, and the component configuration
/// files of kubeadm, the kubelet and kube-proxy. They are not ours, silently, like a CI
/// workflow.
pub const TOOL_API_GROUPS: &[&str] = &[
    "kustomize.config.k8s.io",
    "kind.x-k8s.io",
    "k3d.io",
    "ctlptl.dev",
    "skaffold",
    "kpt.dev",
    "config.kubernetes.io",
    "fn.kpt.dev",
    "kubeadm.k8s.io",
    "kubelet.config.k8s.io",
    "kubeproxy.config.k8s.io",
];

/// Whether `apiVersion`/`kind` name a tool's configuration rather than a cluster object (a
/// kubeconfig is `v1` `Config`).
fn is_tool_config(api_version: &str, kind: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    TOOL_API_GROUPS.contains(&group) || (api_version == "v1" && kind == "Config")
}
