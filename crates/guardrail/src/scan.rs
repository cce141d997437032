//! The pipeline from paths to one [`ResourceGraph`]: discover, load, parse, adapt, graph.
//!
//! Loading, parsing and adapting run in parallel; everything that reaches the output is put
//! back in path order, so the result is the same byte for byte on every run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::adapt::{self, Adapted, FRONTENDS, Frontend, Input, Parsed};
use crate::diagnostic::{Diagnostic, Severity, has_errors};
pub use crate::discover::Skipped;
use crate::discover::{self, Candidate};
use crate::graph::{Framework, GraphBuilder, ResourceGraph};
use crate::load::{self, Loaded};
use crate::parse::comment::Comment;
use crate::progress::{Progress, ProgressEvent, Stage};
use crate::source::{FileId, Format, SourceFile, SourceFiles, display_path};
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
    /// scanned module that declares the variable it sets (as Terraform's own precedence
    /// says, README "Terraform variables"). A file that cannot be
    /// read or parsed is an error diagnostic.
    pub var_files: Vec<PathBuf>,
    /// Terraform variables the environment sets (`TF_VAR_region=…` as `region` → `…`), which
    /// take precedence over defaults and come before every var file, as in Terraform (see
    /// [`tf_vars_from_environment`]). Empty by default: the library reads no environment.
    pub tf_vars: BTreeMap<String, String>,
    /// Who hears how far the scan is (nobody by default). See [`crate::progress`].
    pub progress: Progress,
    /// In-memory texts that stand for files (an editor's unsaved buffers): discovered and
    /// read in place of the file at their path, which need not exist on disk.
    pub buffers: crate::input::Buffers,
    /// Files found by walking that match this are not read (the command line's
    /// `--exclude`), matched against the path as discovered, without a leading `./`. Files
    /// named explicitly are always read.
    pub exclude: Option<globset::GlobSet>,
}

impl ScanOptions {
    /// Whether a file found by walking is to be read under the configuration's `include` and
    /// `exclude` and [`ScanOptions::exclude`].
    fn admits(&self, path: &std::path::Path) -> bool {
        let excluded = self
            .exclude
            .as_ref()
            .is_some_and(|set| set.is_match(path.strip_prefix(".").unwrap_or(path)));
        !excluded && self.config.admits(path)
    }
}

/// The `TF_VAR_name` variables of this process's environment, by name (without the prefix):
/// what the command line passes as [`ScanOptions::tf_vars`]. Names and values that are not
/// valid Unicode are left out, as are empty names.
pub fn tf_vars_from_environment() -> BTreeMap<String, String> {
    std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.into_string().ok()?;
            let name = name.strip_prefix("TF_VAR_")?;
            (!name.is_empty()).then(|| Some((name.to_owned(), value.into_string().ok()?)))?
        })
        .collect()
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

    /// The same options, with these Terraform variables set as by the environment.
    pub fn with_tf_vars(mut self, tf_vars: BTreeMap<String, String>) -> Self {
        self.tf_vars = tf_vars;
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

/// A parsed file, with the index in [`FRONTENDS`] of the frontend that claimed it before
/// parsing (by name, or as an input the options name).
type ParsedFile = (FileId, Option<usize>, Parsed);

/// Reads `paths` and builds the resource graph.
pub fn build_graph(paths: &[PathBuf], options: &ScanOptions) -> GraphScan {
    let progress = &options.progress;
    progress.start(Stage::Discover, None);
    let mut discovered = discover::discover(paths, &options.buffers);
    let config = &options.config;
    let (admitted, excluded): (Vec<Candidate>, Vec<Candidate>) = discovered
        .candidates
        .into_iter()
        .partition(|c| c.explicit || options.admits(&c.path));
    discovered.candidates = admitted;
    discovered
        .skipped
        .extend(excluded.into_iter().map(|c| Skipped {
            path: c.path,
            reason: "excluded by --exclude or the configuration's include/exclude globs".into(),
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
            let loaded = load::load(&c, &options.buffers);
            progress.advance(Stage::Load);
            (c, loaded)
        })
        .collect();
    progress.finish(Stage::Load, found);
    let mut unparseable = HashSet::new();
    for (candidate, loaded) in loaded {
        add_loaded(&mut scan, &mut unparseable, candidate, loaded);
    }

    // Files up to here came from discovery; inputs the options name (Terraform's var files)
    // come next, or are the same file when discovery found it too.
    let discovered = scan.files.len();
    let extra: Vec<Vec<FileId>> = FRONTENDS
        .iter()
        .map(|f| {
            f.read_inputs(
                options,
                &mut scan.files,
                &mut scan.diagnostics,
                &mut unparseable,
            )
        })
        .collect();
    let owner_of_extra: HashMap<FileId, usize> = extra
        .iter()
        .enumerate()
        .flat_map(|(i, ids)| ids.iter().map(move |id| (*id, i)))
        .collect();
    let claimant = |file: &SourceFile| -> Option<usize> {
        owner_of_extra.get(&file.id).copied().or_else(|| {
            let discovered = (file.id.0 as usize) < discovered;
            FRONTENDS.iter().position(|f| f.claims(file, discovered))
        })
    };

    let to_parse: Vec<&SourceFile> = scan
        .files
        .iter()
        .filter(|f| !unparseable.contains(&f.id))
        .collect();
    progress.start(Stage::Parse, Some(to_parse.len()));
    let (parsed, comments): (Vec<ParsedFile>, Vec<FileComments>) = to_parse
        .into_par_iter()
        .map(|file| {
            let owner = claimant(file);
            let (parsed, comments) = match owner.and_then(|i| FRONTENDS.get(i)) {
                Some(frontend) => frontend.parse(file),
                None => Parsed::parse(file),
            };
            progress.advance(Stage::Parse);
            ((file.id, owner, parsed), (file.id, comments))
        })
        .unzip();
    progress.finish(Stage::Parse, parsed.len());
    let (parsed, comments) = read_more_inputs(
        paths,
        options,
        &mut scan,
        &mut unparseable,
        parsed,
        comments,
    );
    let mut comments = comments;

    let inputs = detect(
        &parsed,
        &scan.files,
        discovered,
        config,
        Passed {
            diagnostics: &mut scan.diagnostics,
            skipped: &mut scan.skipped,
            frameworks: &mut scan.frameworks,
        },
    );

    let document_files: HashSet<FileId> = match options.keep_documents {
        true => FRONTENDS
            .iter()
            .zip(&inputs)
            .filter(|(f, _)| f.keeps_documents())
            .flat_map(|(_, inputs)| inputs.iter().map(|input| input.file.id))
            .collect(),
        false => HashSet::new(),
    };
    let work: Vec<(&dyn Frontend, &[Input<'_>], &[FileId])> = FRONTENDS
        .iter()
        .zip(&inputs)
        .zip(&extra)
        .map(|((f, inputs), extra)| (*f, inputs.as_slice(), extra.as_slice()))
        .collect();
    let units = work
        .iter()
        .map(|(f, inputs, extra)| f.units(inputs, extra))
        .sum();
    progress.start(Stage::Adapt, Some(units));
    let mut adapted: Vec<Adapted> = Vec::new();
    for (frontend, inputs, extra) in work {
        let output = frontend.adapt(inputs, extra, options);
        scan.diagnostics.extend(output.diagnostics);
        adapted.extend(output.adapted);
    }
    progress.finish(Stage::Adapt, units);
    drop(inputs);

    let mut resources = Vec::new();
    for a in adapted {
        scan.diagnostics.extend(a.diagnostics);
        resources.extend(a.resources);
    }
    crate::adapt::plan::place_at_configuration(&mut resources, &scan.files);
    resources.sort_by_key(|(r, _)| (r.span.file, r.span.start, r.span.end));
    let mut builder = GraphBuilder::new();
    for (resource, links) in resources {
        builder.add(resource, links);
    }
    scan.graph = builder.build();
    comments.retain(|(id, c)| !c.is_empty() && scan.frameworks.contains_key(id));
    scan.comments = comments.into_iter().collect();
    for (id, _, parsed) in parsed {
        if let (true, Parsed::Data(data)) = (document_files.contains(&id), parsed) {
            scan.documents.insert(id, data.documents);
        }
    }

    sort(&mut scan);
    scan
}

/// Where detection records what it decided about files that are not adapted.
struct Passed<'s> {
    diagnostics: &'s mut Vec<Diagnostic>,
    skipped: &'s mut Vec<Skipped>,
    frameworks: &'s mut BTreeMap<FileId, Framework>,
}

/// Detection: hands each parsed file to its frontend (by [`FRONTENDS`] index). A file claimed
/// before parsing is its claimant's; any other is judged by content; one no frontend takes is
/// not ours, unless it failed to parse and looks like some frontend's input (then its parse
/// errors fail the scan). Files of frameworks the configuration switches off are skipped.
fn detect<'a>(
    parsed: &'a [ParsedFile],
    files: &'a SourceFiles,
    discovered: usize,
    config: &crate::config::Config,
    passed: Passed<'_>,
) -> Vec<Vec<Input<'a>>> {
    let mut inputs: Vec<Vec<Input<'a>>> = FRONTENDS.iter().map(|_| Vec::new()).collect();
    for (id, owner, parsed) in parsed {
        let Some(file) = files.get(*id) else {
            continue;
        };
        let owner = owner.or_else(|| {
            let documents = parsed.documents().unwrap_or_default();
            FRONTENDS.iter().position(|f| f.recognises(documents))
        });
        let (Some(i), Some(frontend)) = (owner, owner.and_then(|i| FRONTENDS.get(i))) else {
            match parsed {
                Parsed::Data(data)
                    if has_errors(&data.diagnostics) && adapt::looks_like_ours(&file.text) =>
                {
                    passed.diagnostics.extend(data.diagnostics.iter().cloned());
                }
                _ => passed.skipped.push(Skipped {
                    path: file.path.clone(),
                    reason: not_ours_reason(parsed),
                }),
            }
            continue;
        };
        if config.disabled_frameworks.contains(&frontend.framework()) {
            passed.skipped.push(Skipped {
                path: file.path.clone(),
                reason: "its framework is switched off in the configuration".into(),
            });
            continue;
        }
        passed.frameworks.insert(*id, frontend.framework());
        passed.diagnostics.extend(parsed.diagnostics());
        if let Some(list) = inputs.get_mut(i) {
            list.push(Input {
                file,
                parsed,
                discovered: (id.0 as usize) < discovered,
            });
        }
    }
    inputs
}

/// Puts what reaches the output in a stable order: diagnostics by file and position (and
/// without repeats), skipped files by path.
fn sort(scan: &mut GraphScan) {
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
}

/// Puts one loaded file into the scan: its text, or why it was passed over or failed.
/// Most rounds of [`Frontend::more_inputs`] (each a level of module calls).
const MAX_MORE_INPUT_ROUNDS: usize = 16;

/// Reads and parses what the frontends ask for besides the scanned paths (modules called
/// from outside them), round after round, and returns every parsed file.
fn read_more_inputs(
    paths: &[PathBuf],
    options: &ScanOptions,
    scan: &mut GraphScan,
    unparseable: &mut HashSet<FileId>,
    mut parsed: Vec<ParsedFile>,
    mut comments: Vec<FileComments>,
) -> (Vec<ParsedFile>, Vec<FileComments>) {
    let roots: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            let dir = if p.is_dir() {
                p.as_path()
            } else {
                p.parent().unwrap_or(std::path::Path::new("."))
            };
            crate::config::repository_root(dir)
        })
        .collect();
    let mut seen: HashSet<PathBuf> = scan
        .files
        .iter()
        .map(|f| crate::input::normal(&f.path))
        .collect();
    for _ in 0..MAX_MORE_INPUT_ROUNDS {
        let wanted: Vec<PathBuf> = {
            let view: Vec<(&SourceFile, &Parsed)> = parsed
                .iter()
                .filter_map(|(id, _, p)| scan.files.get(*id).map(|f| (f, p)))
                .collect();
            FRONTENDS
                .iter()
                .flat_map(|f| f.more_inputs(&view, &roots))
                .filter(|path| seen.insert(crate::input::normal(path)))
                .collect()
        };
        if wanted.is_empty() {
            break;
        }
        let before = scan.files.len();
        for path in wanted {
            let candidate = Candidate {
                path,
                explicit: true,
                context: false,
            };
            let loaded = load::load(&candidate, &options.buffers);
            add_loaded(scan, unparseable, candidate, loaded);
        }
        for file in scan.files.iter().skip(before) {
            if unparseable.contains(&file.id) {
                continue;
            }
            let owner = FRONTENDS.iter().position(|f| f.claims(file, false));
            let (p, c) = match owner.and_then(|i| FRONTENDS.get(i)) {
                Some(frontend) => frontend.parse(file),
                None => Parsed::parse(file),
            };
            parsed.push((file.id, owner, p));
            comments.push((file.id, c));
        }
    }
    (parsed, comments)
}

fn add_loaded(
    scan: &mut GraphScan,
    unparseable: &mut HashSet<FileId>,
    candidate: Candidate,
    loaded: Loaded,
) {
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
            let diagnostic = load::located(error, &candidate.path, &mut scan.files, Format::Yaml);
            if let Some(span) = diagnostic.span {
                unparseable.insert(span.file);
            }
            scan.diagnostics.push(diagnostic);
        }
    }
}

fn not_ours_reason(parsed: &Parsed) -> String {
    match parsed {
        Parsed::Data(data) if has_errors(&data.diagnostics) => {
            "could not be parsed and does not look like CloudFormation or Kubernetes".into()
        }
        Parsed::Data(data) if data.documents.is_empty() => "empty".into(),
        _ => "not CloudFormation or Kubernetes".into(),
    }
}
