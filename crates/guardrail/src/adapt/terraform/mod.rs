//! Terraform: module directories (each all its `.tf` and `.tf.json` files together) into graph
//! nodes and the references between them, instantiated as Terraform evaluates them.
//!
//! The frontend ([`Terraform`]) claims `.tf`, `.tf.json` and auto-loaded var files by name,
//! and asks the scan for the modules its configurations call from outside the scanned paths
//! (inside the repository). Each file is first lowered into one form whatever its syntax
//! (`syntax`: blocks with labels, attributes as expressions with their spans); each module
//! directory's declarations are read once from that form (`module::Module`); then every root
//! module is instantiated with the modules it calls (`module`), one unit of work per root:
//! module calls, `count` and `for_each` expand into instances (`instances`), variables take
//! the caller's arguments converted to their `type` (`types`), and attribute trees and links
//! are built (`body`) with the evaluator (`expr`) as context.
//!
//! # Nodes
//!
//! | block | kind | type | local name |
//! |---|---|---|---|
//! | `resource "T" "N"` | resource | `T` | `T.N` |
//! | `data "T" "N"` | data | `T` | `data.T.N` |
//! | `module "M"` | module | `module` | `module.M` |
//! | `variable "V"` | variable | `variable` | `var.V` |
//! | each `locals` entry `L` | local | `local` | `local.L` |
//! | `output "O"` | output | `output` | `output.O` |
//! | `provider "P"` | provider | `P` | `provider.P`, or `provider.P.A` with `alias = "A"` |
//! | `terraform { backend "B" {…} }` | backend | `B` | `terraform.backend.B` |
//! | `terraform { cloud {…} }` | backend | `cloud` | `terraform.cloud` |
//!
//! A node's address is its local name with its instance key (`T.N[0]`, `T.N["prod"]`) and,
//! inside a called module, the calls that reach it (`module.site["prod"].module.logs.T.N`);
//! links name the unkeyed local name and reach every instance. A root's scope is
//! `tf:<module dir>` (`tf:.` for the scan root); a called module instance's is
//! `tf:<root dir>#<calls>` (see [`module`]). The rest of the
//! `terraform` block (`required_version`, `required_providers`, …) is not kept: no node kind
//! fits it and no rule needs it yet. `moved`, `import`, `removed`, `check` and `ephemeral`
//! blocks are valid Terraform that guardrail does not model; they are skipped silently. Any
//! other top-level block is a warning.
//!
//! # Attribute trees
//!
//! A node's attributes are a map of its block's attributes and nested blocks, in source order.
//! A nested block is always a **list** of maps under its block type, however many there are:
//! `versioning { enabled = true }` is `versioning: [{enabled: true}]`, and repeated `ingress`
//! blocks append to one list. A labelled nested block carries its labels as `__labels`. A
//! `dynamic "ingress"` block becomes one more entry of the `ingress` list, built from its
//! `content` body, with `__dynamic: true` as its first key: rules see that the block may be
//! repeated any number of times, and its values that depend on the iterator are unknown. A
//! `dynamic` block whose `for_each` is known to be empty (`[]`, or a variable default or
//! conditional that comes to it) makes no entry, as Terraform makes no block.
//! A local's attributes are `{value: …}`.
//!
//! Meta-arguments are kept: `count`, `for_each` and `lifecycle` like any attribute and block.
//! `depends_on`, `provider` and a module's `providers` name objects rather than compute
//! values, so they are kept as the text of the names (`["aws_iam_role.r"]`, `"aws.west"`),
//! and so are a variable's `type` (`"list(string)"`) and `lifecycle.ignore_changes`.
//!
//! Values are evaluated as far as the configuration allows (see [`expr`]): literals, lists
//! and objects; `var.X` with the caller's argument, a var file's value or its default, and
//! `local.L`, which keep the span of the use and record the chain back to the literal's
//! definition as [`Provenance::Resolved`](crate::value::Provenance::Resolved); module outputs;
//! `count.index`, `each.*` and `dynamic` iterators of known collections; templates, heredocs,
//! conditionals, operators, `for` expressions, splats and the functions in `functions` whose
//! inputs are known. An attribute set to `null` is not set (the provider's default applies).
//! Everything else (resource attributes, inputs without a value, functions guardrail does not
//! evaluate) is [`Value::Unknown`] with the expression's source text and what it waits for:
//! never absent, never guessed.
//!
//! # Variable values
//!
//! A variable's value is, lowest precedence first as in Terraform: its `default`; then the
//! environment's `TF_VAR_name` ([`ScanOptions::tf_vars`](crate::scan::ScanOptions::tf_vars),
//! as text for a primitive or absent `type`, else read as an expression of literals; never
//! for a `sensitive` variable or one whose name says it holds a secret, so that guardrail
//! never shows such a value; its provenance names the environment variable); then the
//! module directory's own `terraform.tfvars`, `terraform.tfvars.json`, and its `*.auto.tfvars`
//! and `*.auto.tfvars.json` in lexical order of their names; then the var files the user names
//! (`--var-file`, the configuration's `var_files`), in the order given. Each value replaces the
//! one before it, and a use of the variable resolves to the value in force, with the var file's
//! value as its definition ([`ModuleVars`], [`VarFile`]). `-var` arguments are not read.
//!
//! # Files the configuration reads
//!
//! `file(path)` and `templatefile(path, vars)` read a file relative to the root module's
//! directory (where Terraform runs; `path.module` is the module's directory relative to it,
//! as in Terraform) when it is inside the repository, a regular UTF-8 file of at most 1 MiB
//! ([`files`]); a path that is absolute, leaves the repository, or leads out of it through a
//! symbolic link is never opened (`terraform::file-not-read`, a warning, and the value is
//! unknown). A template's `${…}`, `%{if}` and `%{for}` render with the variables passed to it;
//! `yamldecode` reads its text with the scanner's YAML reader and its bounds.
//!
//! As in Terraform, var files apply to root modules only (a scan may hold several roots:
//! `envs/prod`, `envs/dev`, each example of a module repository); a called module's variables
//! take its caller's arguments, then their defaults, and a caller passing `null` to a variable
//! with `nullable = false` gets the default. A value for a variable its module does not
//! declare is a warning, as in Terraform (for named files: when no root declares it). Values
//! are converted to the variable's `type` where Terraform converts them (`"true"` for a
//! `bool`), and `optional(type, default)` attributes are filled in.
//!
//! # Links
//!
//! Every reference in every expression is a [`EdgeKind::Reference`] link to the local name it
//! names (`aws_s3_bucket.b.id` → `aws_s3_bucket.b`), and a reference to a local is also one
//! to every resource, data source or module the local refers to through chains of locals
//! (`vpc_id = local.vpc_id` → `aws_vpc.this`), at the place the local is used, as graph
//! predicates need for modules that name resources through locals; `depends_on` entries are
//! [`EdgeKind::DependsOn`]; `provider = aws.west` refers to `provider.aws.west`. Each
//! instance of a module call whose `source` is a local path contains the module instance it
//! makes ([`EdgeKind::Contains`] to that instance's scope). Remote sources are not fetched
//! (an info diagnostic says so; their outputs are unknown). A declaration referring to itself
//! (a variable's `validation`) makes no link.
//!
//! # `.tf.json`
//!
//! Terraform's JSON syntax is read with the same model: `resource: {T: {N: {…}}}`, where every
//! level may also be an array of objects and a body array declares one block per element;
//! `"//"` keys are comments. Strings are templates: `${…}` is parsed with hcl-edit, evaluated
//! and searched for references like native syntax. Spans inside a string are exact when the
//! string has no escape sequences, and the whole string's span otherwise. Without a schema a
//! nested block cannot be told from an object attribute, so nested blocks stay as written,
//! an object or a list of objects: rules must accept both shapes. `dynamic` blocks in a
//! body are recognised and become list entries as in native syntax.
//!
//! # Diagnostics
//!
//! Never a panic: `terraform::duplicate` (error) for a second declaration of an address or a
//! repeated attribute, `terraform::labels` (error) for a block with the wrong number of labels,
//! `terraform::cycle` (error) for locals that refer to themselves, `terraform::module-source`
//! (error) for a module without a literal `source`, `terraform::remote-module` (info),
//! `terraform::module-not-scanned` (info) for a local source outside the repository or
//! otherwise not read, `terraform::module-cycle` (error), `terraform::module-depth`,
//! `terraform::too-many-instances` and `terraform::too-complex` (warnings) for the bounds of
//! [`module`], [`instances`] and [`expr`], `terraform::module-input` (warning) for an argument
//! the module does not declare,
//! `terraform::override` (info) for an override file (`override.tf`, `*_override.tf`), whose
//! blocks are kept as separate nodes rather than merged (no duplicate is reported for them),
//! `terraform::unknown-block` (warning), `terraform::json-structure` (error) for `.tf.json`
//! shapes that are not Terraform's, `terraform::template` (error) for a `${…}` that does not
//! parse.

mod body;
mod entries;
pub(crate) mod expr;
mod files;
mod frontend;
mod functions;
mod instances;
mod kubernetes;
mod module;
mod refs;
mod syntax;
mod types;
mod vars;

pub use self::frontend::Terraform;
pub use self::vars::{ModuleVars, VarFile, undeclared_anywhere};

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::adapt::Adapted;
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{EdgeKind, NodeKind, Resource};
use crate::source::{SourceFile, Span};
use crate::value::{Entry, Map, Node, Value};

use self::expr::Evaluator;
use self::module::{Instantiation, Module};
use self::refs::Reference;

/// One parsed file of a Terraform module.
#[derive(Debug, Clone, Copy)]
pub enum TerraformFile<'a> {
    /// A `.tf` file in native syntax.
    Hcl {
        /// The file.
        file: &'a SourceFile,
        /// Its parsed body.
        body: &'a hcl_edit::structure::Body,
    },
    /// A `.tf.json` file.
    Json {
        /// The file.
        file: &'a SourceFile,
        /// Its root value.
        root: &'a Node,
    },
}

/// Adapts the files of one module directory as a root module, alone. `module_dir` is the
/// directory as displayed (`""` or `"."` for the scan root); it names the module's scope,
/// `tf:<module_dir>`. `var_files` are the variable definitions files that set its variables.
#[cfg(test)]
pub(super) fn adapt_module<'a>(
    module_dir: &str,
    files: &[TerraformFile<'a>],
    var_files: ModuleVars<'_, 'a>,
) -> Adapted {
    let dir = normalize_dir(module_dir);
    let mut diagnostics = Vec::new();
    let lowered = lower_module(files, &mut diagnostics);
    let module = Module::read(&dir, &lowered);
    diagnostics.extend(module.diagnostics.iter().cloned());
    let modules = BTreeMap::from([(dir.clone(), module)]);
    let files = std::sync::Arc::new(files::RepositoryFiles::default());
    let mut adapted = Instantiation::root(&modules, &dir, var_files, None, &files);
    diagnostics.append(&mut adapted.diagnostics);
    adapted.diagnostics = diagnostics;
    adapted
}

/// Adapts every module directory of a scan: each read once, each root instantiated with
/// the modules it calls (see [`module`]), in parallel, with its directory's auto-loaded var
/// files (`auto_vars`, by directory), the ones the user named (`named_vars`) and the
/// registry and git modules `terraform init` installed for it (`installed`, by directory).
pub(super) fn adapt_modules<'a>(
    modules: BTreeMap<String, Vec<TerraformFile<'a>>>,
    installed: &BTreeMap<String, BTreeMap<String, String>>,
    auto_vars: &BTreeMap<String, Vec<VarFile<'a>>>,
    named_vars: &[VarFile<'a>],
    tf_vars: &BTreeMap<String, String>,
    progress: &crate::progress::Progress,
) -> Vec<Adapted> {
    use rayon::prelude::*;
    let lowered: Vec<(String, Vec<syntax::File<'a>>, Vec<Diagnostic>)> = modules
        .into_par_iter()
        .map(|(dir, files)| {
            let mut diagnostics = Vec::new();
            let lowered = lower_module(&files, &mut diagnostics);
            (dir, lowered, diagnostics)
        })
        .collect();
    let read: Vec<(String, Module<'_, 'a>)> = lowered
        .par_iter()
        .map(|(dir, files, _)| (dir.clone(), Module::read(dir, files)))
        .collect();
    let mut first = Adapted::default();
    for ((_, _, lowering), (_, module)) in lowered.iter().zip(&read) {
        first.diagnostics.extend(lowering.iter().cloned());
        first.diagnostics.extend(module.diagnostics.iter().cloned());
    }
    let modules: BTreeMap<String, Module<'_, 'a>> = read.into_iter().collect();
    let roots = module::roots(&modules);
    // Progress counts module directories; a called one is done with its callers.
    for _ in roots.len()..modules.len() {
        progress.advance(crate::progress::Stage::Adapt);
    }
    let files = std::sync::Arc::new(files::RepositoryFiles::default());
    let mut adapted = crate::adapt::each_unit(roots, progress, |dir| {
        let var_files = ModuleVars {
            auto: auto_vars.get(&dir).map_or(&[], Vec::as_slice),
            explicit: named_vars,
            environment: Some(tf_vars),
        };
        Instantiation::root(&modules, &dir, var_files, installed.get(&dir), &files)
    });
    adapted.insert(0, first);
    adapted
}

/// Lowers the files of one module directory, override files last (Terraform reads them after
/// all others, whatever their names).
fn lower_module<'a>(
    files: &[TerraformFile<'a>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<syntax::File<'a>> {
    let (overrides, normal): (Vec<&TerraformFile<'_>>, Vec<_>) =
        files.iter().partition(|f| is_override(f.file()));
    for f in &overrides {
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "terraform::override",
            f.file().path.clone(),
            "override files are not merged into the blocks they override yet: their blocks are \
             checked as written, and their variable defaults and locals replace the originals",
        ));
    }
    normal
        .into_iter()
        .chain(overrides)
        .map(|f| syntax::lower(*f, diagnostics))
        .collect()
}

/// For every local of the module, the declarations it refers to other than locals and
/// variables, following chains of locals. Each local is resolved once, after the locals it
/// uses (iteratively: a chain of thousands is no deep recursion); in a cycle, which Terraform
/// rejects, the local being resolved contributes nothing to itself.
fn local_targets(adapted: &[(Resource, Vec<RawLink>)]) -> HashMap<String, Vec<String>> {
    let direct: HashMap<&str, &[RawLink]> = adapted
        .iter()
        .filter(|(r, _)| r.kind == NodeKind::Local)
        .map(|(r, links)| (r.address.as_str(), links.as_slice()))
        .collect();
    let references = |local: &str| {
        direct
            .get(local)
            .copied()
            .unwrap_or_default()
            .iter()
            .filter(|l| l.kind == EdgeKind::Reference)
    };
    let mut memo: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut on_stack: HashSet<&str> = HashSet::new();
    for (resource, _) in adapted {
        let local = resource.address.as_str();
        if !direct.contains_key(local) || memo.contains_key(local) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(local, 0)];
        on_stack.insert(local);
        while let Some(&(node, next)) = stack.last() {
            let pending = references(node)
                .skip(next)
                .position(|l| {
                    let name = l.name.as_str();
                    direct.contains_key(name)
                        && !memo.contains_key(name)
                        && !on_stack.contains(name)
                })
                .map(|i| next + i);
            if let Some(i) = pending {
                if let Some(top) = stack.last_mut() {
                    top.1 = i + 1;
                }
                let child = references(node).nth(i).map_or("", |l| l.name.as_str());
                on_stack.insert(child);
                stack.push((child, 0));
                continue;
            }
            let mut found: Vec<&str> = Vec::new();
            let mut seen: HashSet<&str> = HashSet::new();
            for link in references(node) {
                let name = link.name.as_str();
                let names: Vec<&str> = if direct.contains_key(name) {
                    memo.get(name).cloned().unwrap_or_default()
                } else if name.starts_with("var.") {
                    Vec::new()
                } else {
                    vec![name]
                };
                for n in names {
                    if seen.insert(n) {
                        found.push(n);
                    }
                }
            }
            memo.insert(node, found);
            on_stack.remove(node);
            stack.pop();
        }
    }
    memo.into_iter()
        .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
        .collect()
}

/// A declaration's links, with one more reference for each declaration a local it uses
/// refers to, at the place the local is used: `vpc_id = local.vpc_id` with
/// `vpc_id = aws_vpc.this[0].id` in `locals` refers to `aws_vpc.this`, which is what graph
/// predicates (a flow log for this VPC, a versioning resource for this bucket) look for.
fn through_locals(links: Vec<RawLink>, through: &HashMap<String, Vec<String>>) -> Vec<RawLink> {
    let mut out = Vec::with_capacity(links.len());
    for link in links {
        let derived: Vec<RawLink> = match (link.kind, through.get(link.name.as_str())) {
            (EdgeKind::Reference, Some(targets)) => targets
                .iter()
                .map(|t| RawLink {
                    kind: EdgeKind::Reference,
                    name: t.clone(),
                    span: link.span,
                })
                .collect(),
            _ => Vec::new(),
        };
        out.push(link);
        for d in derived {
            let duplicate = out
                .iter()
                .any(|l| l.kind == d.kind && l.name == d.name && l.span == d.span);
            if !duplicate {
                out.push(d);
            }
        }
    }
    out
}

/// Whether a file is an override file (`override.tf`, `*_override.tf`, and their
/// `.tf.json` forms), whose blocks Terraform merges into the blocks of the same address.
fn is_override(file: &SourceFile) -> bool {
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"))
        .unwrap_or_default();
    stem == "override" || stem.ends_with("_override")
}

impl TerraformFile<'_> {
    /// The file.
    pub fn file(&self) -> &SourceFile {
        match self {
            TerraformFile::Hcl { file, .. } | TerraformFile::Json { file, .. } => file,
        }
    }
}

/// A declaration found in a module, before its body is converted: `'l` is the lowered
/// form's lifetime, `'a` the parsed files'.
struct Decl<'l, 'a> {
    kind: NodeKind,
    type_name: String,
    address: String,
    /// The whole block (for a local, its attribute).
    span: Span,
    /// The name label (for a local, its key).
    name_span: Span,
    file: &'a SourceFile,
    body: DeclBody<'l, 'a>,
}

enum DeclBody<'l, 'a> {
    /// A block's body.
    Block(&'l syntax::Body<'a>),
    /// A local's expression.
    Local(syntax::Expr<'a>),
}

/// Where a body sits, for the meta-arguments whose meaning depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// A `resource` or `data` block: `provider = aws.west`.
    Resource,
    /// A `module` block: `providers = {…}`.
    Module,
    /// A `variable` block: `type = …`.
    Variable,
    /// Another top-level declaration.
    Other,
    /// A `lifecycle` block: `ignore_changes = […]`.
    Lifecycle,
    /// Any other nested block.
    Nested,
}

impl BodyKind {
    /// Whether this is the body of a declaration itself, where meta-arguments live.
    fn is_top(self) -> bool {
        !matches!(self, BodyKind::Lifecycle | BodyKind::Nested)
    }
}

/// A link before it is scoped.
struct RawLink {
    kind: EdgeKind,
    /// The local name; for [`EdgeKind::Contains`], the module directory.
    name: String,
    span: Span,
}

/// What converting one declaration's body needs and produces.
struct Ctx<'c, 'a> {
    ev: &'c mut Evaluator<'a>,
    links: Vec<RawLink>,
    diagnostics: &'c mut Vec<Diagnostic>,
}

impl Ctx<'_, '_> {
    /// A local's node, `{value: …}`: the value evaluated once for the module (and shared
    /// with every use), or by `evaluate` when the definition is not the one in force.
    fn local_node(
        &mut self,
        decl: &Decl<'_, '_>,
        evaluate: impl FnOnce(&mut Evaluator<'_>) -> Node,
    ) -> Node {
        let name = decl.address.trim_start_matches("local.");
        let value = match self.ev.local_value(name, decl.name_span) {
            Some(node) => node,
            None => evaluate(self.ev),
        };
        let mut map = Map::new();
        map.push_unchecked(Entry {
            key: "value".into(),
            key_span: decl.name_span,
            value,
        });
        Node::new(Value::Map(map), decl.span)
    }

    fn references(&mut self, found: Vec<Reference>) {
        self.links.extend(found.into_iter().map(|r| RawLink {
            kind: EdgeKind::Reference,
            name: r.name,
            span: r.span,
        }));
    }

    fn link(&mut self, kind: EdgeKind, name: String, span: Span) {
        self.links.push(RawLink { kind, name, span });
    }

    fn duplicate_key(&mut self, file: &SourceFile, key: &str, span: Span) {
        self.diagnostics.push(
            Diagnostic::error(
                "terraform::duplicate",
                file.path.clone(),
                format!("`{key}` is set more than once in this block; the first is kept"),
            )
            .at(span),
        );
    }
}

/// A directory path with `/` separators, no `.` segments, `..` applied where it can be, and
/// `.` for the root.
pub(crate) fn normalize_dir(dir: &str) -> String {
    let dir = dir.replace('\\', "/");
    let absolute = dir.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// Checks a block's label count; reports and returns `None` when it is wrong.
fn expect_labels<'l>(
    file: &SourceFile,
    block: &str,
    at: Span,
    labels: &'l [(String, Span)],
    expected: usize,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'l [(String, Span)]> {
    if labels.len() == expected {
        return Some(labels);
    }
    diagnostics.push(
        Diagnostic::error(
            "terraform::labels",
            file.path.clone(),
            format!(
                "a `{block}` block takes {what}, but has {} label{}; it is skipped",
                labels.len(),
                if labels.len() == 1 { "" } else { "s" }
            ),
        )
        .at(at),
    );
    None
}

/// The labels each top-level block type takes: how many, and how to say it.
fn label_rule(block: &str) -> Option<(usize, &'static str)> {
    Some(match block {
        "resource" | "data" => (2, "two labels (a type and a name)"),
        "module" | "variable" | "output" | "provider" => (1, "one label (a name)"),
        "locals" | "terraform" => (0, "no labels"),
        _ => return None,
    })
}

/// Valid Terraform blocks that guardrail does not model.
const SKIPPED_BLOCKS: &[&str] = &["moved", "import", "removed", "check", "ephemeral"];

/// Reports a top-level block type Terraform does not know.
fn unknown_block(file: &SourceFile, name: &str, span: Span, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.push(
        Diagnostic::new(
            Severity::Warning,
            "terraform::unknown-block",
            file.path.clone(),
            format!("`{name}` is not a Terraform block type; it is ignored"),
        )
        .at(span),
    );
}

#[cfg(test)]
mod tests;
