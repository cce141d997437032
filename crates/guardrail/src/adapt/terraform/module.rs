//! Module instances: a module directory read once ([`Module`]) and instantiated as Terraform
//! would (an [`Instantiation`] per root module): its variables take the caller's arguments,
//! the modules it calls are instantiated in turn with their outputs flowing back, and each
//! resource, data source and module call is expanded by its `count` or `for_each`.
//!
//! # Roots
//!
//! A module directory of the scan that another scanned directory calls with a local source
//! (`./modules/x`, `../..`) is evaluated only through its calls, with the values they pass;
//! every other directory is a root, evaluated with its defaults and var files. A repository
//! of modules with `examples/` that call them is judged as its examples deploy it; a
//! directory scanned on its own (nothing calls it) is judged with its defaults. Directories
//! that call each other in a cycle with no root above them get one of them, the first by
//! path, as their root.
//!
//! # Addresses and scopes
//!
//! A root's declarations keep their own addresses (`aws_s3_bucket.b`, `aws_s3_bucket.b[0]`,
//! `aws_s3_bucket.b["prod"]`); a called module's are prefixed with the calls that reach them
//! (`module.site["prod"].module.logs.aws_s3_bucket.this[0]`). Each instance is its own scope
//! (`tf:<root dir>` for the root, `tf:<root dir>#module.site["prod"]` below it), in which
//! links resolve by the unkeyed name (`aws_s3_bucket.b` refers to every instance of it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::expr::{Evaluator, Iteration};
use super::files::RepositoryFiles;
use super::instances::Expansion;
use super::syntax::{self, Item, Value as Syntax};
use super::{Ctx, Decl, DeclBody, ModuleVars, RawLink, body, normalize_dir, vars};
use crate::adapt::Adapted;
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{EdgeKind, Framework, Link, NodeKind, Resource, Target};
use crate::source::Span;
use crate::value::{Entry, Map, Node, Value};

/// Deepest chain of module calls followed from a root.
pub(super) const MAX_MODULE_DEPTH: usize = 16;

/// Most declarations one root may expand into (through module calls, `count` and
/// `for_each`); past it, expansions are judged as one instance each, with a warning.
pub(super) const MAX_NODES_PER_ROOT: usize = 50_000;

/// Arguments of a module call that are Terraform's, not the module's variables.
const META_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// Where a module call's `source` leads.
#[derive(Debug, Clone)]
enum CallSource {
    /// A local path: the module directory, as shown.
    Local(String),
    /// A registry, git or other remote source: read only where `terraform init` installed
    /// it.
    Remote {
        /// The source as written.
        source: String,
        /// Where it is written.
        span: Span,
    },
    /// No literal source: reported when the module is read.
    Invalid,
}

/// A module directory's declarations, read once however many times it is instantiated.
pub(super) struct Module<'l, 'a> {
    /// The directory, as shown.
    pub dir: String,
    decls: Vec<Decl<'l, 'a>>,
    /// An evaluator that knows the module's variables and locals and has evaluated nothing:
    /// each instance starts from a clone.
    template: Evaluator<'a>,
    /// The module calls (indexes into `decls`) in the order their arguments need them: a
    /// call whose arguments read another's outputs comes after it.
    call_order: Vec<usize>,
    /// Where each module call leads, by index into `decls`.
    sources: HashMap<usize, CallSource>,
    /// What reading the module found wrong, reported once however many instances it has.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'l, 'a> Module<'l, 'a> {
    /// Reads the declarations of a module directory's lowered files.
    pub fn read(dir: &str, files: &'l [syntax::File<'a>]) -> Self {
        let mut diagnostics = Vec::new();
        let mut decls = Vec::new();
        let mut template = Evaluator::new();
        for file in files {
            body::declarations(file, &mut decls, &mut template, &mut diagnostics);
        }
        duplicates(&decls, &mut diagnostics);
        let mut sources = HashMap::new();
        for (i, decl) in decls.iter().enumerate() {
            if decl.kind == NodeKind::Module {
                sources.insert(i, call_source(decl, dir, &mut diagnostics));
            }
        }
        let call_order = call_order(&decls);
        Module {
            dir: dir.to_owned(),
            decls,
            template,
            call_order,
            sources,
            diagnostics,
        }
    }

    /// The module directories this one calls with local sources.
    fn callees(&self) -> impl Iterator<Item = &str> {
        self.sources.values().filter_map(|s| match s {
            CallSource::Local(dir) => Some(dir.as_str()),
            _ => None,
        })
    }
}

/// Reports a second declaration of an address (override files excepted: their blocks
/// replace, they do not duplicate).
fn duplicates(decls: &[Decl<'_, '_>], diagnostics: &mut Vec<Diagnostic>) {
    let mut first_seen: HashMap<String, (String, crate::source::LineCol)> = HashMap::new();
    for decl in decls {
        if super::is_override(decl.file) {
            continue;
        }
        let mut address = decl.address.clone();
        if let (NodeKind::Provider, DeclBody::Block(body)) = (decl.kind, &decl.body) {
            if let Some(alias) = body.expr("alias") {
                if let Some(alias) = Evaluator::new().eval_expr(alias).as_str() {
                    address = format!("provider.{}.{alias}", decl.type_name);
                }
            }
        }
        if let Some((path, at)) = first_seen.get(&address) {
            diagnostics.push(
                Diagnostic::error(
                    "terraform::duplicate",
                    decl.file.path.clone(),
                    format!("`{address}` is declared more than once (first at {path}:{at})"),
                )
                .at(decl.name_span)
                .with_help("Terraform rejects duplicate declarations; rename or remove one"),
            );
        } else {
            let here = (
                decl.file.display_path(),
                decl.file.line_col(decl.name_span.start),
            );
            first_seen.insert(address, here);
        }
    }
}

/// The module directories to instantiate as roots, in path order (see the module docs).
pub(super) fn roots(modules: &BTreeMap<String, Module<'_, '_>>) -> Vec<String> {
    let called: HashSet<&str> = modules
        .values()
        .flat_map(|m| m.callees().filter(move |c| *c != m.dir))
        .filter(|c| modules.contains_key(*c))
        .collect();
    // A module `terraform init` installed is only ever called.
    let installed = |d: &str| d.contains(".terraform/modules");
    let mut roots: Vec<String> = modules
        .keys()
        .filter(|d| !called.contains(d.as_str()) && !installed(d))
        .cloned()
        .collect();
    let mut reached: HashSet<String> = HashSet::new();
    let reach = |from: &str, reached: &mut HashSet<String>| {
        let mut stack = vec![from.to_owned()];
        while let Some(dir) = stack.pop() {
            let Some(module) = modules.get(&dir) else {
                continue;
            };
            if reached.insert(dir) {
                stack.extend(module.callees().map(str::to_owned));
            }
        }
    };
    for root in &roots {
        reach(root, &mut reached);
    }
    for dir in modules.keys() {
        if !reached.contains(dir) && !installed(dir) {
            roots.push(dir.clone());
            reach(dir, &mut reached);
        }
    }
    roots.sort();
    roots
}

/// One instance of a module: where it sits and what its caller gives it.
struct Instance<'v, 'a> {
    /// The module directory.
    dir: String,
    /// The address prefix of its declarations: `""` for a root, `module.a["k"].` below.
    prefix: String,
    /// Its scope.
    scope: String,
    /// The root's scope, which every scope below it extends.
    root_scope: String,
    /// The values its call passes: name, where the argument is written, value.
    inputs: Vec<(String, Span, Node)>,
    /// The file of the call, for diagnostics about its arguments.
    call_file: Option<&'a crate::source::SourceFile>,
    /// Var files (roots only).
    var_files: ModuleVars<'v, 'a>,
    /// The directories of the instances above it, to stop cycles.
    stack: Vec<String>,
    /// The names of the calls that lead to it, dotted (`eks.kms`): how `terraform init`'s
    /// manifest keys installed modules; empty for a root.
    call_path: String,
}

/// Instantiates one root module and everything it calls.
pub(super) struct Instantiation<'m, 'l, 'a> {
    modules: &'m BTreeMap<String, Module<'l, 'a>>,
    /// The modules `terraform init` installed for the root: call path → directory.
    installed: Option<&'m BTreeMap<String, String>>,
    out: Adapted,
    nodes_left: usize,
    /// Expressions the root's instances may still evaluate, handed from one to the next.
    steps_left: usize,
    /// The root module's directory: where Terraform runs.
    root: &'m str,
    /// What `file()` and `templatefile()` read, shared by every root of the scan.
    files: &'m Arc<RepositoryFiles>,
}

impl<'m, 'l, 'a> Instantiation<'m, 'l, 'a> {
    /// Instantiates the root module in `dir` with its var files.
    pub fn root(
        modules: &'m BTreeMap<String, Module<'l, 'a>>,
        dir: &str,
        var_files: ModuleVars<'_, 'a>,
        installed: Option<&'m BTreeMap<String, String>>,
        files: &'m Arc<RepositoryFiles>,
    ) -> Adapted {
        let scope = format!("tf:{dir}");
        let mut this = Instantiation {
            modules,
            installed,
            out: Adapted::default(),
            nodes_left: MAX_NODES_PER_ROOT,
            steps_left: super::expr::MAX_STEPS,
            root: dir,
            files,
        };
        this.run(Instance {
            dir: dir.to_owned(),
            prefix: String::new(),
            root_scope: scope.clone(),
            scope,
            inputs: Vec::new(),
            call_file: None,
            var_files,
            stack: Vec::new(),
            call_path: String::new(),
        });
        this.out
    }

    /// Evaluates one instance into `self.out`; returns its outputs as an object.
    fn run(&mut self, inst: Instance<'_, 'a>) -> Node {
        let modules = self.modules;
        let Some(module) = modules.get(&inst.dir) else {
            return Node::new(
                Value::Map(Map::new()),
                Span::new(crate::source::FileId(0), 0, 0),
            );
        };
        let mut ev = module.template.clone();
        ev.set_paths(self.root, &relative_dir(self.root, &inst.dir));
        ev.set_files(Arc::clone(self.files));
        ev.set_steps_left(self.steps_left);
        self.assign_var_files(&mut ev, inst.var_files);
        for (name, span, value) in &inst.inputs {
            if !ev.pass(name, value.clone()) {
                if let Some(file) = inst.call_file {
                    self.out.diagnostics.push(
                        Diagnostic::new(
                            Severity::Warning,
                            "terraform::module-input",
                            file.path.clone(),
                            format!(
                                "the module in `{}` declares no variable `{name}`; the argument \
                                 is ignored",
                                inst.dir
                            ),
                        )
                        .at(*span)
                        .with_help("Terraform rejects an argument the module does not declare"),
                    );
                }
            }
        }

        // Each declaration's nodes with its index, put back in source order at the end.
        let mut produced: Vec<(usize, Resource, Vec<RawLink>)> = Vec::new();
        let mut outputs = Map::new();
        for &i in &module.call_order {
            self.call(&mut ev, module, i, &inst, &mut produced);
        }
        for (index, decl) in module.decls.iter().enumerate() {
            if decl.kind == NodeKind::Module {
                continue;
            }
            for (key, iteration) in self.instances(&mut ev, decl) {
                ev.set_iteration(iteration);
                let (resource, links) = node(&mut ev, decl, &key, &inst.prefix, &inst.scope);
                if decl.kind == NodeKind::Output {
                    if let Some(value) = resource.attributes.get("value") {
                        outputs.insert(Entry {
                            key: decl.address.trim_start_matches("output.").to_owned(),
                            key_span: decl.name_span,
                            value: value.clone(),
                        });
                    }
                }
                produced.push((index, resource, links));
            }
            ev.set_iteration(Iteration::default());
        }
        produced.sort_by_key(|(index, ..)| *index);
        let produced = produced.into_iter().map(|(_, r, l)| (r, l)).collect();
        self.steps_left = ev.steps_left();
        self.finish(produced, &inst.scope);
        self.out.diagnostics.append(&mut ev.diagnostics);
        Node::new(
            Value::Map(outputs),
            Span::new(crate::source::FileId(0), 0, 0),
        )
    }

    /// Applies a root's var files: auto-loaded ones first, then the ones the user named.
    fn assign_var_files(&mut self, ev: &mut Evaluator<'a>, var_files: ModuleVars<'_, 'a>) {
        for (name, text) in var_files.environment.into_iter().flatten() {
            if let Some(problem) = ev.set_from_environment(name, text) {
                self.out.diagnostics.push(problem);
            }
        }
        for var_file in var_files.auto {
            for a in var_file.assignments() {
                if !ev.assign(a.name, a.value) {
                    self.out.diagnostics.push(vars::undeclared_here(
                        var_file.file(),
                        a.name,
                        a.name_span,
                    ));
                }
            }
        }
        for var_file in var_files.explicit {
            for a in var_file.assignments() {
                // `undeclared_anywhere` reports a value that no root takes.
                ev.assign(a.name, a.value);
            }
        }
    }

    /// The instances of a resource, data source or module call, by its `count` or
    /// `for_each`, within what the root may still expand into.
    fn instances(
        &mut self,
        ev: &mut Evaluator<'a>,
        decl: &Decl<'l, 'a>,
    ) -> Vec<(String, Iteration)> {
        let expansion = match (&decl.kind, &decl.body) {
            (NodeKind::Resource | NodeKind::Data | NodeKind::Module, DeclBody::Block(body)) => {
                ev.set_iteration(Iteration::default());
                match (body.expr("count"), body.expr("for_each")) {
                    (Some(count), _) => Expansion::count(&ev.eval_expr(count)),
                    (None, Some(for_each)) => Expansion::for_each(&ev.eval_expr(for_each)),
                    (None, None) => Expansion::Single,
                }
            }
            _ => Expansion::Single,
        };
        let expansion = match expansion {
            Expansion::Keyed(keys) if keys.len() > self.nodes_left => {
                let span = decl.name_span;
                self.too_many(decl, keys.len());
                Expansion::TooMany {
                    count: keys.first().is_some_and(|(_, i)| i.count_index.is_some()),
                    span,
                }
            }
            Expansion::TooMany { count, span } => {
                self.too_many(decl, super::instances::MAX_INSTANCES + 1);
                Expansion::TooMany { count, span }
            }
            other => other,
        };
        let instances = match expansion {
            Expansion::Single => vec![(String::new(), Iteration::default())],
            Expansion::Keyed(keys) => keys,
            Expansion::Unknown { count, span } | Expansion::TooMany { count, span } => {
                vec![(String::new(), Expansion::unknown_iteration(count, span))]
            }
        };
        self.nodes_left = self.nodes_left.saturating_sub(instances.len());
        instances
    }

    fn too_many(&mut self, decl: &Decl<'_, '_>, n: usize) {
        self.out.diagnostics.push(
            Diagnostic::new(
                Severity::Warning,
                "terraform::too-many-instances",
                decl.file.path.clone(),
                format!(
                    "`{}` expands into {n} or more instances, more than guardrail judges \
                     one by one; it is judged as one instance whose index or key is unknown",
                    decl.address
                ),
            )
            .at(decl.name_span),
        );
    }

    /// Evaluates the module call `decls[index]`: its instances, the child module instance
    /// each makes, and the value `module.<name>` then has for the rest of the caller.
    fn call(
        &mut self,
        ev: &mut Evaluator<'a>,
        module: &Module<'l, 'a>,
        index: usize,
        inst: &Instance<'_, 'a>,
        produced: &mut Vec<(usize, Resource, Vec<RawLink>)>,
    ) {
        let Some(decl) = module.decls.get(index) else {
            return;
        };
        let name = decl.address.trim_start_matches("module.");
        let target = self.target(module.sources.get(&index), decl, inst);
        let instances = self.instances(ev, decl);
        let mut values: Vec<(Iteration, Node)> = Vec::new();
        let mut known = true;
        for (key, iteration) in instances {
            known &= !key.is_empty() || iteration.count_index.is_none() && iteration.each.is_none();
            ev.set_iteration(iteration.clone());
            let (resource, mut links) = node(ev, decl, &key, &inst.prefix, &inst.scope);
            let outputs = match target.as_deref() {
                Some(dir) => {
                    self.steps_left = ev.steps_left();
                    let outputs = self.child(decl, dir, &key, &resource, inst, &mut links);
                    ev.set_steps_left(self.steps_left);
                    outputs
                }
                _ => None,
            };
            match outputs {
                Some(outputs) => values.push((iteration, outputs)),
                None => known = false,
            }
            produced.push((index, resource, links));
        }
        ev.set_iteration(Iteration::default());
        if !known {
            return;
        }
        let value = match values.as_slice() {
            [
                (
                    Iteration {
                        count_index: None,
                        each: None,
                    },
                    outputs,
                ),
            ] => outputs.clone(),
            [(first, _), ..] if first.each.is_some() => {
                let mut map = Map::new();
                for (iteration, outputs) in values {
                    if let Some((key, _)) = iteration.each {
                        map.insert(Entry {
                            key: key.value.scalar_text().unwrap_or_default(),
                            key_span: key.span,
                            value: outputs,
                        });
                    }
                }
                Node::new(Value::Map(map), decl.name_span)
            }
            _ => Node::new(
                Value::Seq(values.into_iter().map(|(_, o)| o).collect()),
                decl.name_span,
            ),
        };
        ev.set_module(name, value);
    }

    /// The module directory a call leads to: its local source, or where `terraform init`
    /// installed its remote one (an info diagnostic when it did not).
    fn target(
        &mut self,
        source: Option<&CallSource>,
        decl: &Decl<'_, 'a>,
        inst: &Instance<'_, 'a>,
    ) -> Option<String> {
        match source? {
            CallSource::Local(dir) => Some(dir.clone()),
            CallSource::Invalid => None,
            CallSource::Remote { source, span } => {
                let name = decl.address.trim_start_matches("module.");
                let found = self
                    .installed
                    .and_then(|i| i.get(&format!("{}{name}", inst.call_path)))
                    .cloned();
                if found.is_none() {
                    self.out.diagnostics.push(
                        Diagnostic::new(
                            Severity::Info,
                            "terraform::remote-module",
                            decl.file.path.clone(),
                            format!(
                                "`{}` comes from `{source}`, which is not fetched (run \
                                 `terraform init` to have guardrail read it from \
                                 .terraform/modules): the resources inside it are not checked \
                                 and its outputs are unknown",
                                decl.address
                            ),
                        )
                        .at(*span),
                    );
                }
                found
            }
        }
    }

    /// Instantiates the module in `dir` for one instance of a call; its outputs, or `None`
    /// when it cannot be (not in the scan, a cycle, too deep).
    fn child(
        &mut self,
        decl: &Decl<'_, 'a>,
        dir: &str,
        key: &str,
        call: &Resource,
        inst: &Instance<'_, 'a>,
        links: &mut Vec<RawLink>,
    ) -> Option<Node> {
        let source_span = call
            .attributes
            .get("source")
            .map_or(decl.name_span, |s| s.span);
        let problem = if inst.stack.iter().any(|d| d == dir) || dir == inst.dir {
            Some((
                Severity::Error,
                "terraform::module-cycle",
                format!(
                    "`{}` calls the module in `{dir}`, which is already being instantiated \
                     above it: the calls form a cycle, which Terraform rejects; it is not \
                     expanded again",
                    decl.address
                ),
            ))
        } else if inst.stack.len() >= MAX_MODULE_DEPTH {
            Some((
                Severity::Warning,
                "terraform::module-depth",
                format!(
                    "`{}` is nested {MAX_MODULE_DEPTH} module calls deep; guardrail does not \
                     expand deeper calls, so the resources of `{dir}` are not checked here",
                    decl.address
                ),
            ))
        } else if !self.modules.contains_key(dir) {
            Some((
                Severity::Info,
                "terraform::module-not-scanned",
                format!(
                    "`{}` calls the module in `{dir}`, which is not read (it is not in the \
                     repository, or not there): its resources are not checked and its outputs \
                     are unknown",
                    decl.address
                ),
            ))
        } else {
            None
        };
        if let Some((severity, code, message)) = problem {
            self.out.diagnostics.push(
                Diagnostic::new(severity, code, decl.file.path.clone(), message).at(source_span),
            );
            return None;
        }
        let prefix = format!(
            "{}module.{}{key}.",
            inst.prefix,
            decl.address.trim_start_matches("module.")
        );
        let scope = format!("{}#{}", inst.root_scope, prefix.trim_end_matches('.'));
        links.push(RawLink {
            kind: EdgeKind::Contains,
            name: scope.clone(),
            span: source_span,
        });
        let inputs = call
            .attributes
            .as_map()
            .map(|map| {
                map.iter()
                    .filter(|e| !META_ARGUMENTS.contains(&e.key.as_str()))
                    .map(|e| (e.key.clone(), e.key_span, e.value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let mut stack = inst.stack.clone();
        stack.push(inst.dir.clone());
        Some(self.run(Instance {
            dir: dir.to_owned(),
            prefix,
            scope,
            root_scope: inst.root_scope.clone(),
            inputs,
            call_file: Some(decl.file),
            var_files: ModuleVars::default(),
            stack,
            call_path: format!(
                "{}{}.",
                inst.call_path,
                decl.address.trim_start_matches("module.")
            ),
        }))
    }

    /// Resolves an instance's links in its scope and adds its declarations to the output.
    fn finish(&mut self, produced: Vec<(Resource, Vec<RawLink>)>, scope: &str) {
        let through = super::local_targets(&produced);
        for (resource, links) in produced {
            let links = super::through_locals(links, &through);
            let mut seen = HashSet::new();
            let links = links
                .into_iter()
                .filter(|l| seen.insert((l.kind, l.name.clone(), l.span)))
                .filter_map(|l| {
                    let target = match l.kind {
                        EdgeKind::Contains => Target::Scope { scope: l.name },
                        _ if l.name == resource.local_name => return None,
                        _ => Target::Name {
                            scope: scope.to_owned(),
                            name: l.name.clone(),
                            display: l.name,
                        },
                    };
                    Some(Link {
                        kind: l.kind,
                        target,
                        span: l.span,
                    })
                })
                .collect();
            self.out.resources.push((resource, links));
        }
    }
}

/// One instance of a declaration as a graph node, with its links (scoped later).
fn node<'a>(
    ev: &mut Evaluator<'a>,
    decl: &Decl<'_, 'a>,
    key: &str,
    prefix: &str,
    scope: &str,
) -> (Resource, Vec<RawLink>) {
    let mut diagnostics = Vec::new();
    let mut ctx = Ctx {
        ev,
        links: Vec::new(),
        diagnostics: &mut diagnostics,
    };
    let attributes = match decl.body {
        DeclBody::Block(body) => body::block_body(&mut ctx, decl, body),
        DeclBody::Local(value) => body::local_body(&mut ctx, decl, value),
    };
    let links = std::mem::take(&mut ctx.links);
    ev.diagnostics.append(&mut diagnostics);

    let mut local_name = decl.address.clone();
    if decl.kind == NodeKind::Provider {
        if let Some(alias) = attributes.get("alias").and_then(Node::as_str) {
            local_name = format!("provider.{}.{alias}", decl.type_name);
        }
    }
    let type_keys = match decl.kind {
        NodeKind::Resource => vec![decl.type_name.clone()],
        NodeKind::Data => vec![format!("data.{}", decl.type_name)],
        NodeKind::Backend => vec![format!("backend.{}", decl.type_name)],
        NodeKind::Provider => vec![format!("provider.{}", decl.type_name)],
        _ => Vec::new(),
    };
    let views = super::kubernetes::views(decl.kind, &decl.type_name, &attributes);
    let resource = Resource {
        address: format!("{prefix}{local_name}{key}"),
        local_name,
        type_keys,
        views,
        type_name: decl.type_name.clone(),
        kind: decl.kind,
        framework: Framework::Terraform,
        span: decl.span,
        name_span: decl.name_span,
        attributes,
        scope: scope.to_owned(),
        labels: None,
        suppressions: Vec::new(),
    };
    (resource, links)
}

/// Reads a module call's `source`: a local path leads to a directory; a remote source is not
/// fetched (an info diagnostic says so); a missing or computed one is an error.
fn call_source(decl: &Decl<'_, '_>, dir: &str, diagnostics: &mut Vec<Diagnostic>) -> CallSource {
    let path = decl.file.path.clone();
    let DeclBody::Block(body) = decl.body else {
        return CallSource::Invalid;
    };
    let Some(expr) = body.expr("source") else {
        diagnostics.push(
            Diagnostic::error(
                "terraform::module-source",
                path,
                format!("`{}` has no `source`", decl.address),
            )
            .at(decl.name_span),
        );
        return CallSource::Invalid;
    };
    let source = Evaluator::new().eval_expr(expr);
    let Value::String(s) = &source.value else {
        diagnostics.push(
            Diagnostic::error(
                "terraform::module-source",
                path,
                format!("the `source` of `{}` is not a literal string", decl.address),
            )
            .at(source.span)
            .with_help("Terraform requires a literal module source"),
        );
        return CallSource::Invalid;
    };
    if ["./", "../", ".\\", "..\\"]
        .iter()
        .any(|p| s.starts_with(p))
        || s == "."
        || s == ".."
    {
        return CallSource::Local(normalize_dir(&format!("{dir}/{s}")));
    }
    if s.starts_with('/') || s.starts_with('\\') || s.get(1..3) == Some(":\\") {
        diagnostics.push(
            Diagnostic::new(
                Severity::Info,
                "terraform::module-not-scanned",
                path,
                format!(
                    "`{}` names the absolute path `{s}`: guardrail reads module sources only \
                     inside the repository, so its resources are not checked and its outputs \
                     are unknown",
                    decl.address
                ),
            )
            .at(source.span),
        );
        return CallSource::Invalid;
    }
    CallSource::Remote {
        source: s.clone(),
        span: source.span,
    }
}

/// The module calls of a module in the order their arguments need each other's outputs
/// (directly or through locals); calls in a cycle, which Terraform rejects, keep source
/// order after the rest.
fn call_order(decls: &[Decl<'_, '_>]) -> Vec<usize> {
    let references = |decl: &Decl<'_, '_>| -> Vec<String> {
        let mut names = Vec::new();
        match decl.body {
            DeclBody::Block(body) => {
                for item in &body.items {
                    if let Item::Attribute(attr) = item {
                        if let Syntax::Expr(expr) = attr.value {
                            names.extend(expr.references(&[]).0.into_iter().map(|r| r.name));
                        }
                    }
                }
            }
            DeclBody::Local(expr) => {
                names.extend(expr.references(&[]).0.into_iter().map(|r| r.name));
            }
        }
        names
    };
    let locals: HashMap<&str, Vec<String>> = decls
        .iter()
        .filter(|d| d.kind == NodeKind::Local)
        .map(|d| (d.address.as_str(), references(d)))
        .collect();
    let calls: Vec<(usize, &str)> = decls
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == NodeKind::Module)
        .map(|(i, d)| (i, d.address.as_str()))
        .collect();
    // The module calls each call needs, through any chain of locals.
    let needs: Vec<HashSet<String>> = calls
        .iter()
        .map(|&(i, _)| {
            let mut found = HashSet::new();
            let mut seen = HashSet::new();
            let mut stack = references(&decls[i]);
            while let Some(name) = stack.pop() {
                if !seen.insert(name.clone()) {
                    continue;
                }
                if name.starts_with("module.") {
                    found.insert(name);
                } else if let Some(more) = locals.get(name.as_str()) {
                    stack.extend(more.iter().cloned());
                }
            }
            found
        })
        .collect();
    let mut done: HashSet<&str> = HashSet::new();
    let mut order = Vec::with_capacity(calls.len());
    loop {
        let ready: Vec<usize> = calls
            .iter()
            .enumerate()
            .filter(|(k, (_, address))| {
                !done.contains(address)
                    && needs[*k].iter().all(|n| {
                        n == address
                            || done.contains(n.as_str())
                            || !calls.iter().any(|(_, a)| a == n)
                    })
            })
            .map(|(k, _)| k)
            .collect();
        if ready.is_empty() {
            break;
        }
        for k in ready {
            done.insert(calls[k].1);
            order.push(calls[k].0);
        }
    }
    for &(i, address) in &calls {
        if !done.contains(address) {
            order.push(i);
        }
    }
    order
}

/// `dir` relative to `root` (both directories as shown, relative to the same working
/// directory): `path.module` as Terraform gives it.
fn relative_dir(root: &str, dir: &str) -> String {
    let (root, dir) = (
        crate::input::normal(Path::new(root)),
        crate::input::normal(Path::new(dir)),
    );
    let shared = root
        .components()
        .zip(dir.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = root.components().count().saturating_sub(shared);
    let parts: Vec<String> = std::iter::repeat_n("..".to_owned(), ups)
        .chain(
            dir.components()
                .skip(shared)
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        )
        .collect();
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}
