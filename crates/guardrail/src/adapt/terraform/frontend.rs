//! The Terraform frontend: which files are Terraform's, the var files the options name, and
//! one unit of work per module directory.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::{TerraformFile, VarFile, adapt_modules, undeclared_anywhere};
use crate::adapt::{Frontend, Input, Output, Parsed};
use crate::diagnostic::{Diagnostic, has_errors};
use crate::discover::{self, Candidate};
use crate::graph::Framework;
use crate::load::{self, Loaded};
use crate::scan::ScanOptions;
use crate::source::{FileId, Format, SourceFile, SourceFiles, Span, display_path};

/// The Terraform frontend: `.tf` and `.tf.json` files by name, grouped by module directory,
/// with the var files that set their variables.
pub struct Terraform;

impl Frontend for Terraform {
    fn framework(&self) -> Framework {
        Framework::Terraform
    }

    fn read_inputs(
        &self,
        options: &ScanOptions,
        files: &mut SourceFiles,
        diagnostics: &mut Vec<Diagnostic>,
        unparseable: &mut HashSet<FileId>,
    ) -> Vec<FileId> {
        let paths = options.config.var_files.iter().chain(&options.var_files);
        load_var_files(paths, files, diagnostics, unparseable)
    }

    /// The module directories that scanned `.tf` and `.tf.json` files call with a local
    /// source (`../..`, `../modules/x`) outside the scanned paths, when they are inside the
    /// repository: their Terraform files. Absolute sources and sources that leave the
    /// repository are never read (the adapter says so where the call is).
    fn more_inputs(&self, parsed: &[(&SourceFile, &Parsed)], roots: &[PathBuf]) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut dirs = HashSet::new();
        for (file, parsed) in parsed {
            if !is_configuration(&file.path) {
                continue;
            }
            let base = file.path.parent().unwrap_or(Path::new(""));
            // What `terraform init` installed for this directory as a root module: the
            // manifest, and every module directory it lists.
            let manifest = base.join(".terraform/modules/modules.json");
            if dirs.insert(manifest.clone()) && inside(roots, &manifest) && manifest.is_file() {
                for dir in installed_dirs(&manifest) {
                    let dir = lexical(&base.join(dir));
                    if dirs.insert(dir.clone()) && inside(roots, &dir) {
                        out.extend(configuration_files(&dir));
                    }
                }
                out.push(manifest);
            }
            for source in local_module_sources(parsed) {
                let dir = lexical(&base.join(source));
                if dirs.insert(dir.clone()) && inside(roots, &dir) {
                    out.extend(configuration_files(&dir));
                }
            }
        }
        out
    }

    /// Native syntax (`.tf`, and the `.tfvars` it shares), `.tf.json`, and the var files
    /// Terraform loads by themselves (`terraform.tfvars.json`, `*.auto.tfvars.json`).
    fn claims(&self, file: &SourceFile, discovered: bool) -> bool {
        matches!(file.format, Format::Hcl | Format::TerraformJson)
            || (discovered && discover::auto_var_file_rank(&file.path).is_some())
            || is_installed_manifest(&file.path)
    }

    fn units(&self, inputs: &[Input<'_>], extra: &[FileId]) -> usize {
        Plan::new(inputs, extra, &mut Vec::new()).modules.len()
    }

    fn adapt(&self, inputs: &[Input<'_>], extra: &[FileId], options: &ScanOptions) -> Output {
        let mut diagnostics = Vec::new();
        let plan = Plan::new(inputs, extra, &mut diagnostics);
        let mut auto_var_files: BTreeMap<String, Vec<VarFile<'_>>> = BTreeMap::new();
        for (dir, mut files) in plan.auto_vars {
            files.sort_by_cached_key(|f| discover::auto_var_file_rank(&f.file().path));
            let files: Vec<VarFile<'_>> = files
                .into_iter()
                .map(|f| VarFile::read(f, &mut diagnostics))
                .collect();
            if !plan.modules.contains_key(&dir) {
                diagnostics.extend(files.iter().map(VarFile::unused));
            }
            auto_var_files.insert(dir, files);
        }
        let named_var_files: Vec<VarFile<'_>> = extra
            .iter()
            .filter_map(|id| plan.named_vars.get(id))
            .map(|f| VarFile::read(*f, &mut diagnostics))
            .collect();
        let adapted = adapt_modules(
            plan.modules,
            &plan.installed,
            &auto_var_files,
            &named_var_files,
            &options.tf_vars,
            &options.progress,
        );
        diagnostics.extend(undeclared_anywhere(&named_var_files, &adapted));
        Output {
            adapted,
            diagnostics,
        }
    }
}

/// The files of a scan sorted into module directories and var files.
struct Plan<'a> {
    modules: BTreeMap<String, Vec<TerraformFile<'a>>>,
    /// Auto-loaded var files by module directory.
    auto_vars: BTreeMap<String, Vec<TerraformFile<'a>>>,
    /// Var files the options name, by id.
    named_vars: BTreeMap<FileId, TerraformFile<'a>>,
    /// What `terraform init` installed, by root module directory: call path (`eks`,
    /// `eks.kms`) → module directory.
    installed: BTreeMap<String, BTreeMap<String, String>>,
}

impl<'a> Plan<'a> {
    /// Sorts `inputs`; `named` are the ids of the var files the options name. A var file
    /// that cannot be read as one is reported to `diagnostics`.
    fn new(inputs: &[Input<'a>], named: &[FileId], diagnostics: &mut Vec<Diagnostic>) -> Self {
        let mut plan = Plan {
            modules: BTreeMap::new(),
            auto_vars: BTreeMap::new(),
            named_vars: BTreeMap::new(),
            installed: BTreeMap::new(),
        };
        for input in inputs {
            let file = input.file;
            if is_installed_manifest(&file.path) {
                if let Parsed::Data(data) = input.parsed {
                    // The manifest's directory is `<root>/.terraform/modules`.
                    let root = module_dir(&file.path);
                    let root = super::normalize_dir(&format!("{root}/../.."));
                    let installed = data
                        .documents
                        .first()
                        .map(|m| installed_modules(m, &root))
                        .unwrap_or_default();
                    plan.installed.insert(root, installed);
                }
                continue;
            }
            let auto = input.discovered && discover::auto_var_file_rank(&file.path).is_some();
            let is_named = named.contains(&file.id);
            if auto || is_named {
                let Some(var_file) = var_file(file, input.parsed, diagnostics) else {
                    continue;
                };
                if auto {
                    plan.auto_vars
                        .entry(module_dir(&file.path))
                        .or_default()
                        .push(var_file);
                }
                if is_named {
                    plan.named_vars.insert(file.id, var_file);
                }
                continue;
            }
            let parsed = match input.parsed {
                Parsed::Hcl(Ok(body)) => TerraformFile::Hcl { file, body },
                Parsed::Data(data) => match data.documents.as_slice() {
                    [root] => TerraformFile::Json { file, root },
                    _ => continue,
                },
                Parsed::Hcl(Err(_)) => continue,
            };
            plan.modules
                .entry(module_dir(&file.path))
                .or_default()
                .push(parsed);
        }
        plan
    }
}

/// Loads the var files the user named (in order, repeats kept) into `files`, reusing an
/// auto-loaded var file that discovery loaded already, and returns their ids. A file that
/// cannot be used is an error diagnostic: its values would be missing from every check.
fn load_var_files<'p>(
    paths: impl Iterator<Item = &'p PathBuf>,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
    unparseable: &mut HashSet<FileId>,
) -> Vec<FileId> {
    let mut ids = Vec::new();
    for path in paths {
        let found = files
            .iter()
            .find(|f| f.path == *path && discover::auto_var_file_rank(path).is_some());
        if let Some(file) = found {
            ids.push(file.id);
            continue;
        }
        if !path.is_file() {
            let what = if path.exists() {
                "is not a file"
            } else {
                "does not exist"
            };
            diagnostics.push(Diagnostic::error(
                "terraform::var-file",
                path.clone(),
                format!("this var file {what}"),
            ));
            continue;
        }
        let candidate = Candidate {
            path: path.clone(),
            explicit: true,
            context: false,
        };
        match load::load(&candidate, &crate::input::Buffers::default()) {
            Loaded::Text { text, .. } => {
                let format = load::var_file_format(path);
                ids.push(files.add(path.clone(), text, format));
            }
            Loaded::Skipped { reason, .. } => diagnostics.push(Diagnostic::error(
                "terraform::var-file",
                path.clone(),
                format!("this var file is not read: {reason}"),
            )),
            Loaded::Failed(error) => {
                let diagnostic = load::located(error, path, files, Format::Hcl);
                if let Some(span) = diagnostic.span {
                    unparseable.insert(span.file);
                }
                diagnostics.push(diagnostic);
            }
        }
    }
    ids
}

/// A parsed var file ready to read, or `None` after reporting why it cannot be (its parse
/// errors are reported with every file's).
fn var_file<'a>(
    file: &'a SourceFile,
    parsed: &'a Parsed,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<TerraformFile<'a>> {
    match parsed {
        Parsed::Hcl(Ok(body)) => Some(TerraformFile::Hcl { file, body }),
        Parsed::Hcl(Err(_)) => None,
        Parsed::Data(data) => match data.documents.as_slice() {
            [root] => Some(TerraformFile::Json { file, root }),
            _ => {
                if !has_errors(&data.diagnostics) {
                    // An empty file has no better place than its start.
                    diagnostics.push(
                        Diagnostic::error(
                            "terraform::var-file",
                            file.path.clone(),
                            "a JSON var file must hold one object of variable values",
                        )
                        .at(Span::new(file.id, 0, 0)),
                    );
                }
                None
            }
        },
    }
}

/// The Terraform module a file belongs to: its directory, as shown.
fn module_dir(path: &Path) -> String {
    let dir = display_path(path.parent().unwrap_or(Path::new("")));
    if dir.is_empty() { ".".into() } else { dir }
}

/// Whether a path names a configuration file (`.tf`, `.tf.json`), not a var file.
fn is_configuration(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// The local sources (`./…`, `../…`) of the module calls in a parsed configuration file.
fn local_module_sources(parsed: &Parsed) -> Vec<String> {
    let mut sources = Vec::new();
    match parsed {
        Parsed::Hcl(Ok(body)) => {
            for block in body.blocks().filter(|b| b.ident.as_str() == "module") {
                if let Some(attr) = block.body.get_attribute("source") {
                    if let hcl_edit::expr::Expression::String(s) = &attr.value {
                        sources.push(s.value().to_string());
                    }
                }
            }
        }
        Parsed::Data(data) => {
            let calls = data.documents.first().and_then(|root| root.get("module"));
            // `module` is an object of calls, or an array of such objects.
            let objects: Vec<&crate::value::Node> = match calls {
                Some(n) if n.as_seq().is_some() => n.as_seq().unwrap_or_default().iter().collect(),
                Some(n) => vec![n],
                None => Vec::new(),
            };
            for object in objects {
                for call in object.as_map().into_iter().flatten() {
                    let bodies: Vec<&crate::value::Node> = match call.value.as_seq() {
                        Some(items) => items.iter().collect(),
                        None => vec![&call.value],
                    };
                    for body in bodies {
                        if let Some(s) = body.get("source").and_then(|s| s.as_str()) {
                            sources.push(s.to_owned());
                        }
                    }
                }
            }
        }
        Parsed::Hcl(Err(_)) => {}
    }
    sources.retain(|s| {
        ["./", "../", ".\\", "..\\"]
            .iter()
            .any(|p| s.starts_with(p))
            || s == "."
            || s == ".."
    });
    sources
}

/// `path` with `.` removed and `dir/..` collapsed, relative paths staying relative (so the
/// files read show as the adapter names their module directory).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::ParentDir if matches!(out.last(), Some(Component::RootDir)) => {}
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// Whether `dir` is inside one of `roots`, as written and through symbolic links.
fn inside(roots: &[PathBuf], dir: &Path) -> bool {
    let dir = or_here(dir);
    let absolute = crate::input::normal(dir);
    let real = dir.canonicalize().ok();
    roots.iter().any(|root| {
        let real_root = root.canonicalize().ok();
        absolute.starts_with(root)
            && match (&real, &real_root) {
                (Some(real), Some(real_root)) => real.starts_with(real_root),
                _ => false,
            }
    })
}

/// The Terraform configuration files directly in `dir`, by name (`dir` empty for the working
/// directory, whose files are named without a prefix).
fn configuration_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(or_here(dir)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| dir.join(e.file_name()))
        .filter(|p| is_configuration(p))
        .collect();
    files.sort();
    files
}

/// `dir`, or `.` when it is empty.
fn or_here(dir: &Path) -> &Path {
    if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }
}

/// Whether a path is the manifest `terraform init` writes of the modules it installed
/// (`.terraform/modules/modules.json`).
fn is_installed_manifest(path: &Path) -> bool {
    path.ends_with(".terraform/modules/modules.json")
}

/// Most modules read from one manifest.
const MAX_INSTALLED: usize = 1_000;

/// The module directories a manifest lists (relative to its root module), read from the
/// file directly: the scan asks for their files before the manifest itself is parsed.
fn installed_dirs(manifest: &Path) -> Vec<String> {
    let Ok(text) = crate::input::read_text(manifest) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    json["Modules"]
        .as_array()
        .into_iter()
        .flatten()
        .take(MAX_INSTALLED)
        .filter_map(|m| m["Dir"].as_str())
        .filter(|d| !Path::new(d).is_absolute() && *d != ".")
        .map(str::to_owned)
        .collect()
}

/// A parsed manifest as call path → module directory (as shown, like the adapter names
/// module directories): `{"Key": "eks.kms", "Dir": ".terraform/modules/eks.kms"}` under root
/// `examples/complete` is `eks.kms` → `examples/complete/.terraform/modules/eks.kms`.
fn installed_modules(manifest: &crate::value::Node, root: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(modules) = manifest.get("Modules").and_then(|m| m.as_seq()) else {
        return out;
    };
    for m in modules.iter().take(MAX_INSTALLED) {
        let (Some(key), Some(dir)) = (
            m.get("Key").and_then(|k| k.as_str()),
            m.get("Dir").and_then(|d| d.as_str()),
        ) else {
            continue;
        };
        if key.is_empty() || Path::new(dir).is_absolute() {
            continue;
        }
        out.insert(
            key.to_owned(),
            super::normalize_dir(&format!("{root}/{dir}")),
        );
    }
    out
}
