//! The pipeline from paths to one [`ResourceGraph`]: discover, load, parse, adapt, graph.
//!
//! Loading, parsing and adapting run in parallel; everything that reaches the output is put
//! back in path order, so the result is the same byte for byte on every run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::adapt::terraform::{ModuleVars, TerraformFile, VarFile};
use crate::adapt::{self, Adapted};
use crate::diagnostic::{Diagnostic, Severity, has_errors};
pub use crate::discover::Skipped;
use crate::discover::{self, Candidate};
use crate::graph::{Framework, GraphBuilder, ResourceGraph};
use crate::load::{self, Loaded};
use crate::parse::comment::Comment;
use crate::parse::{hcl, yaml};
use crate::progress::{Progress, ProgressEvent, Stage};
use crate::source::{FileId, Format, SourceFile, SourceFiles, Span, display_path};
use crate::value::Node;

/// Settings of a scan.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ScanOptions {
    /// The project configuration: its `include`/`exclude` globs choose the files found by
    /// walking (files named explicitly are always read), its `frameworks` switch readers
    /// off, and its `var_files` set Terraform variables.
    pub config: crate::config::Config,
    /// Keep the parsed CloudFormation and Kubernetes documents in
    /// [`GraphScan::documents`] (Guard rules read whole documents, not resources).
    pub keep_documents: bool,
    /// Terraform variable definitions files to read (the command line's `--var-file`), in
    /// increasing precedence, after the configuration's `var_files`. Each applies to every
    /// scanned module that declares the variable it sets (see
    /// [`adapt::terraform`](crate::adapt::terraform#variable-values)). A file that cannot be
    /// read or parsed is an error diagnostic.
    pub var_files: Vec<PathBuf>,
    /// Who hears how far the scan is (nobody by default). See [`crate::progress`].
    pub progress: Progress,
}

impl ScanOptions {
    /// Options that follow `config`.
    pub fn with_config(config: crate::config::Config) -> Self {
        ScanOptions {
            config,
            ..ScanOptions::default()
        }
    }

    /// The same options, with these Terraform var files read after the configuration's.
    pub fn with_var_files(mut self, var_files: Vec<PathBuf>) -> Self {
        self.var_files = var_files;
        self
    }

    /// The same options, reporting the scan's progress to `listener` (from several threads
    /// at once; see [`crate::progress`]).
    pub fn with_progress(
        mut self,
        listener: impl Fn(ProgressEvent) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Progress::new(listener);
        self
    }
}

/// Everything a scan read and understood.
#[derive(Debug, Default)]
pub struct GraphScan {
    /// Every file that was read, by id.
    pub files: SourceFiles,
    /// The framework each file was adapted as; files not listed were not ours.
    pub frameworks: BTreeMap<FileId, Framework>,
    /// The resource graph over all files.
    pub graph: ResourceGraph,
    /// Problems, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Files passed over on purpose, sorted by path.
    pub skipped: Vec<Skipped>,
    /// Files read only as context for files named on the command line (the rest of a
    /// Terraform module): their resources are in the graph, but findings in them are not
    /// reported.
    pub context_only: std::collections::BTreeSet<FileId>,
    /// The parsed documents of every CloudFormation and Kubernetes file, when
    /// [`ScanOptions::keep_documents`] asked for them (empty otherwise).
    pub documents: BTreeMap<FileId, Vec<Node>>,
    /// The comments of every YAML and HCL file that was adapted, in source order, as the
    /// parsers found them (suppressions are written in comments).
    pub comments: BTreeMap<FileId, Vec<Comment>>,
}

impl GraphScan {
    /// Whether any input could not be read: the scan is incomplete and a gate must fail.
    pub fn has_errors(&self) -> bool {
        crate::diagnostic::has_errors(&self.diagnostics)
    }
}

/// The comments of a file, as its parser found them.
type FileComments = (FileId, Vec<Comment>);

/// A file after parsing, before adapting.
enum Parsed {
    /// YAML or JSON documents with what parsing reported.
    Data(yaml::Parsed),
    /// A `.tf` file.
    Hcl(Result<hcl_edit::structure::Body, Box<Diagnostic>>),
}

/// Reads `paths` and builds the resource graph.
pub fn build_graph(paths: &[PathBuf], options: &ScanOptions) -> GraphScan {
    let progress = &options.progress;
    progress.start(Stage::Discover, None);
    let mut discovered = discover::discover(paths);
    let config = &options.config;
    let (admitted, excluded): (Vec<Candidate>, Vec<Candidate>) = discovered
        .candidates
        .into_iter()
        .partition(|c| c.explicit || config.admits(&c.path));
    discovered.candidates = admitted;
    discovered
        .skipped
        .extend(excluded.into_iter().map(|c| Skipped {
            path: c.path,
            reason: "excluded by the configuration's include/exclude globs".into(),
        }));
    let mut scan = GraphScan {
        diagnostics: discovered.diagnostics,
        skipped: discovered.skipped,
        ..GraphScan::default()
    };
    let found = discovered.candidates.len();
    progress.finish(Stage::Discover, found);

    progress.start(Stage::Load, Some(found));
    let loaded: Vec<(Candidate, Loaded)> = discovered
        .candidates
        .into_par_iter()
        .map(|c| {
            let loaded = load::load(&c);
            progress.advance(Stage::Load);
            (c, loaded)
        })
        .collect();
    progress.finish(Stage::Load, found);
    let mut unparseable = std::collections::HashSet::new();
    for (candidate, loaded) in loaded {
        match loaded {
            Loaded::Text { text, format } => {
                let context = candidate.context;
                let id = scan.files.add(candidate.path, text, format);
                if context {
                    scan.context_only.insert(id);
                }
            }
            Loaded::Skipped { reason, notable } => {
                if notable {
                    scan.diagnostics.push(Diagnostic::new(
                        Severity::Info,
                        "load::skipped",
                        candidate.path.clone(),
                        reason.clone(),
                    ));
                }
                scan.skipped.push(Skipped {
                    path: candidate.path,
                    reason,
                });
            }
            Loaded::Failed(error) => {
                // The text is kept only so the diagnostic can show its line; it is not parsed.
                let mut diagnostic =
                    Diagnostic::error(error.code, candidate.path.clone(), error.message);
                if let Some(text) = error.lossy_text {
                    let id = scan.files.add(candidate.path, text, Format::Yaml);
                    unparseable.insert(id);
                    diagnostic = diagnostic.at(Span::new(id, error.offset, error.offset));
                }
                scan.diagnostics.push(diagnostic);
            }
        }
    }

    // Files up to here came from discovery; var files named by the user come next (or are
    // the same file, when discovery found it too).
    let discovered = scan.files.len();
    let explicit_vars = load_var_files(
        config.var_files.iter().chain(&options.var_files),
        &mut scan,
        &mut unparseable,
    );

    let to_parse: Vec<&SourceFile> = scan
        .files
        .iter()
        .filter(|f| !unparseable.contains(&f.id))
        .collect();
    progress.start(Stage::Parse, Some(to_parse.len()));
    let (parsed, mut comments): (Vec<(FileId, Parsed)>, Vec<FileComments>) = to_parse
        .into_par_iter()
        .map(|file| {
            let (parsed, comments) = parse(file);
            progress.advance(Stage::Parse);
            ((file.id, parsed), (file.id, comments))
        })
        .unzip();
    progress.finish(Stage::Parse, parsed.len());

    let mut adapted: Vec<Adapted> = Vec::new();
    let mut terraform_modules: BTreeMap<String, Vec<TerraformFile<'_>>> = BTreeMap::new();
    let mut data_files: Vec<(&SourceFile, Framework, &[Node])> = Vec::new();
    // Auto-loaded var files by module directory, and named ones by id.
    let mut auto_vars: BTreeMap<String, Vec<TerraformFile<'_>>> = BTreeMap::new();
    let mut named_vars: BTreeMap<FileId, TerraformFile<'_>> = BTreeMap::new();
    for (id, parsed) in &parsed {
        let Some(file) = scan.files.get(*id) else {
            continue;
        };
        let switched_off = |framework: Framework| config.disabled_frameworks.contains(&framework);
        let auto =
            (id.0 as usize) < discovered && discover::auto_var_file_rank(&file.path).is_some();
        let named = explicit_vars.contains(id);
        if auto || named {
            if switched_off(Framework::Terraform) {
                scan.skipped.push(Skipped {
                    path: file.path.clone(),
                    reason: "its framework is switched off in the configuration".into(),
                });
                continue;
            }
            scan.frameworks.insert(*id, Framework::Terraform);
            let Some(var_file) = var_file(file, parsed, &mut scan.diagnostics) else {
                continue;
            };
            if auto {
                auto_vars
                    .entry(module_dir(&file.path))
                    .or_default()
                    .push(var_file);
            }
            if named {
                named_vars.insert(*id, var_file);
            }
            continue;
        }
        let is_terraform = matches!(parsed, Parsed::Hcl(_)) || file.format == Format::TerraformJson;
        let framework = match parsed {
            Parsed::Data(data) if !is_terraform => adapt::classify(&data.documents),
            _ => Some(Framework::Terraform),
        };
        if framework.is_some_and(switched_off) {
            scan.skipped.push(Skipped {
                path: file.path.clone(),
                reason: "its framework is switched off in the configuration".into(),
            });
            continue;
        }
        match parsed {
            Parsed::Hcl(Ok(body)) => {
                scan.frameworks.insert(*id, Framework::Terraform);
                terraform_modules
                    .entry(module_dir(&file.path))
                    .or_default()
                    .push(TerraformFile::Hcl { file, body });
            }
            Parsed::Hcl(Err(diagnostic)) => {
                scan.frameworks.insert(*id, Framework::Terraform);
                scan.diagnostics.push((**diagnostic).clone());
            }
            Parsed::Data(data) if file.format == Format::TerraformJson => {
                scan.frameworks.insert(*id, Framework::Terraform);
                scan.diagnostics.extend(data.diagnostics.iter().cloned());
                if let [root] = data.documents.as_slice() {
                    terraform_modules
                        .entry(module_dir(&file.path))
                        .or_default()
                        .push(TerraformFile::Json { file, root });
                }
            }
            Parsed::Data(data) => match framework {
                Some(framework) => {
                    scan.frameworks.insert(*id, framework);
                    scan.diagnostics.extend(data.diagnostics.iter().cloned());
                    data_files.push((file, framework, &data.documents));
                }
                None if has_errors(&data.diagnostics) && load::looks_like_ours(&file.text) => {
                    scan.diagnostics.extend(data.diagnostics.iter().cloned());
                }
                None => scan.skipped.push(Skipped {
                    path: file.path.clone(),
                    reason: not_ours_reason(data),
                }),
            },
        }
    }

    // The documents are moved out of `parsed` once adapting no longer borrows them.
    let document_files: std::collections::HashSet<FileId> = match options.keep_documents {
        true => data_files.iter().map(|(file, _, _)| file.id).collect(),
        false => Default::default(),
    };
    let units = data_files.len() + terraform_modules.len();
    progress.start(Stage::Adapt, Some(units));
    adapted.par_extend(data_files.into_par_iter().map(|(file, framework, docs)| {
        let adapted = match framework {
            Framework::CloudFormation => match docs {
                [template] => adapt::cloudformation::adapt(file, template),
                _ => Adapted::default(),
            },
            _ => adapt::kubernetes::adapt(file, docs),
        };
        progress.advance(Stage::Adapt);
        adapted
    }));
    let mut auto_var_files: BTreeMap<String, Vec<VarFile<'_>>> = BTreeMap::new();
    for (dir, mut files) in auto_vars {
        files.sort_by_cached_key(|f| discover::auto_var_file_rank(&f.file().path));
        let files: Vec<VarFile<'_>> = files
            .into_iter()
            .map(|f| VarFile::read(f, &mut scan.diagnostics))
            .collect();
        if !terraform_modules.contains_key(&dir) {
            scan.diagnostics.extend(files.iter().map(VarFile::unused));
        }
        auto_var_files.insert(dir, files);
    }
    let named_var_files: Vec<VarFile<'_>> = explicit_vars
        .iter()
        .filter_map(|id| named_vars.get(id))
        .map(|f| VarFile::read(*f, &mut scan.diagnostics))
        .collect();
    let terraform_start = adapted.len();
    adapted.par_extend(terraform_modules.into_par_iter().map(|(dir, files)| {
        let var_files = ModuleVars {
            auto: auto_var_files.get(&dir).map_or(&[], Vec::as_slice),
            explicit: &named_var_files,
        };
        let adapted = adapt::terraform::adapt_module(&dir, &files, var_files);
        progress.advance(Stage::Adapt);
        adapted
    }));
    progress.finish(Stage::Adapt, units);
    let terraform_adapted = adapted.get(terraform_start..).unwrap_or_default();
    let undeclared = adapt::terraform::undeclared_anywhere(&named_var_files, terraform_adapted);
    scan.diagnostics.extend(undeclared);

    let mut resources = Vec::new();
    for a in adapted {
        scan.diagnostics.extend(a.diagnostics);
        resources.extend(a.resources);
    }
    resources.sort_by_key(|(r, _)| (r.span.file, r.span.start, r.span.end));
    let mut builder = GraphBuilder::new();
    for (resource, links) in resources {
        builder.add(resource, links);
    }
    scan.graph = builder.build();
    comments.retain(|(id, c)| !c.is_empty() && scan.frameworks.contains_key(id));
    scan.comments = comments.into_iter().collect();
    for (id, parsed) in parsed {
        if let (true, Parsed::Data(data)) = (document_files.contains(&id), parsed) {
            scan.documents.insert(id, data.documents);
        }
    }

    scan.diagnostics.sort_by_cached_key(|d| {
        let at = d.span.map(|s| (s.start, s.end));
        (
            display_path(&d.path),
            at,
            d.severity,
            d.code,
            d.message.clone(),
        )
    });
    scan.diagnostics.dedup();
    scan.diagnostics = crate::diagnostic::collapse_repeats(std::mem::take(&mut scan.diagnostics));
    scan.skipped.sort();
    scan
}

/// Loads the var files the user named (in order, repeats kept) into `scan.files`, reusing an
/// auto-loaded var file that discovery loaded already, and returns their ids. A file that
/// cannot be used is an error diagnostic: its values would be missing from every check.
fn load_var_files<'p>(
    paths: impl Iterator<Item = &'p PathBuf>,
    scan: &mut GraphScan,
    unparseable: &mut std::collections::HashSet<FileId>,
) -> Vec<FileId> {
    let mut ids = Vec::new();
    for path in paths {
        let found = scan
            .files
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
            scan.diagnostics.push(Diagnostic::error(
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
        match load::load(&candidate) {
            Loaded::Text { text, .. } => {
                let format = load::var_file_format(path);
                ids.push(scan.files.add(path.clone(), text, format));
            }
            Loaded::Skipped { reason, .. } => scan.diagnostics.push(Diagnostic::error(
                "terraform::var-file",
                path.clone(),
                format!("this var file is not read: {reason}"),
            )),
            Loaded::Failed(error) => {
                let mut diagnostic = Diagnostic::error(error.code, path.clone(), error.message);
                if let Some(text) = error.lossy_text {
                    let id = scan.files.add(path.clone(), text, Format::Hcl);
                    unparseable.insert(id);
                    diagnostic = diagnostic.at(Span::new(id, error.offset, error.offset));
                }
                scan.diagnostics.push(diagnostic);
            }
        }
    }
    ids
}

/// A parsed var file ready to read, or `None` after reporting why it cannot be.
fn var_file<'a>(
    file: &'a SourceFile,
    parsed: &'a Parsed,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<TerraformFile<'a>> {
    match parsed {
        Parsed::Hcl(Ok(body)) => Some(TerraformFile::Hcl { file, body }),
        Parsed::Hcl(Err(diagnostic)) => {
            diagnostics.push((**diagnostic).clone());
            None
        }
        Parsed::Data(data) => {
            diagnostics.extend(data.diagnostics.iter().cloned());
            match data.documents.as_slice() {
                [root] => Some(TerraformFile::Json { file, root }),
                _ => {
                    if !has_errors(&data.diagnostics) {
                        diagnostics.push(Diagnostic::error(
                            "terraform::var-file",
                            file.path.clone(),
                            "a JSON var file must hold one object of variable values",
                        ));
                    }
                    None
                }
            }
        }
    }
}

/// Parses a file, and hands back its comments.
fn parse(file: &SourceFile) -> (Parsed, Vec<Comment>) {
    match file.format {
        Format::Hcl => {
            let body = hcl::parse(file);
            let comments = body
                .as_ref()
                .map(|body| hcl::comments(file, body))
                .unwrap_or_default();
            (Parsed::Hcl(body), comments)
        }
        Format::Yaml | Format::Json | Format::TerraformJson => {
            let mut data = yaml::parse(file);
            let comments = std::mem::take(&mut data.comments);
            (Parsed::Data(data), comments)
        }
    }
}

fn not_ours_reason(data: &yaml::Parsed) -> String {
    if has_errors(&data.diagnostics) {
        "could not be parsed and does not look like CloudFormation or Kubernetes".into()
    } else if data.documents.is_empty() {
        "empty".into()
    } else {
        "not CloudFormation or Kubernetes".into()
    }
}

/// The Terraform module a file belongs to: its directory, as shown.
fn module_dir(path: &Path) -> String {
    let dir = display_path(path.parent().unwrap_or(Path::new("")));
    if dir.is_empty() { ".".into() } else { dir }
}
