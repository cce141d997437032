//! The library's front door: a [`Project`] is what to scan and how (the configuration found
//! for it, the caller's settings, unsaved buffers), and [`Project::scan`] does the whole job
//! the command line does, so an editor integration or another tool gets the same answer.
//!
//! ```no_run
//! use guardrail::{Project, Settings};
//!
//! let mut settings = Settings::default();
//! settings.select = vec!["AWS-S3".into()];
//! let scan = guardrail::Project::discover(["infra"])?
//!     .with_settings(settings)
//!     .with_buffer("infra/main.tf", "resource \"aws_s3_bucket\" \"b\" {}")
//!     .scan()?;
//! for finding in &scan.report.findings {
//!     println!("{}:{} {} {}", finding.file, finding.start, finding.rule_id, finding.message);
//! }
//! println!("{}", scan.gate.decision.name());
//! # Ok::<(), guardrail::ProjectError>(())
//! ```
//!
//! Policy lives here, once: the configuration is read and checked (its paths confined to
//! the repository, see [`crate::config`]); the command line's settings are merged with it
//! (its `select` replaces the file's, everything else adds); the rule pack is assembled
//! (built-in, user rule directories, Guard files) and every rule name a user wrote is
//! checked (`project::select`); the baseline is applied; the gate is decided.

mod error;
mod select;

use std::path::{Path, PathBuf};

pub use error::{Problems, ProjectError};

use crate::config::{self, Config};
use crate::graph::Framework;
use crate::input::Buffers;
use crate::progress::{Progress, ProgressEvent};
use crate::report::baseline::Baseline;
use crate::report::{Decision, Gate, GateOutcome, Report};
use crate::rules::load::LoadedRules;
use crate::rules::model::{Rule, Severity};
use crate::rules::set::RuleSet;
use crate::scan::{GraphScan, ScanOptions};
use crate::scanner::{Scanner, rule_errors};
use crate::source::SourceFiles;
use select::{Catalog, Request, Selector};

/// What the caller (the command line, an editor) asks for on top of the configuration.
/// Lists add to the configuration's, except `select`, which replaces it when not empty.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Settings {
    /// Rules to run: ids, prefixes of whole id parts, or other tools' ids that rules
    /// reference (`CKV_AWS_20`); items may be comma-separated lists. Empty: the
    /// configuration's `select`, else every rule.
    pub select: Vec<String>,
    /// Rules to skip, written as `select`.
    pub ignore: Vec<String>,
    /// Findings at or above this severity fail the gate (default: the configuration's
    /// `fail_on`, else low).
    pub fail_on: Option<Severity>,
    /// Unknown findings fail the gate too (or the configuration says so).
    pub strict: bool,
    /// Input that could not be read does not fail the gate.
    pub allow_incomplete: bool,
    /// Directories of user rule files.
    pub rule_dirs: Vec<PathBuf>,
    /// AWS CloudFormation Guard rule files or directories.
    pub guard_files: Vec<PathBuf>,
    /// Files mapping Guard rules to severity, STRIDE and NIST controls.
    pub guard_mappings: Vec<PathBuf>,
    /// The baseline file (replaces the configuration's).
    pub baseline: Option<PathBuf>,
    /// Terraform variable definitions files, read after the configuration's.
    pub var_files: Vec<PathBuf>,
    /// Terraform variables set by the environment (`TF_VAR_name`), by name; see
    /// [`ScanOptions::tf_vars`].
    pub tf_vars: std::collections::BTreeMap<String, String>,
    /// Read only these frameworks (empty: those the configuration leaves on).
    pub frameworks: Vec<Framework>,
    /// Globs of files not to read when found by walking, relative to the working directory
    /// (added to the configuration's `exclude`).
    pub exclude: Vec<String>,
    /// Give the report every rule in full, for outputs that describe each rule (SARIF's
    /// rule descriptors, JUnit's suites); otherwise it carries in full only the rules the
    /// scanned resources needed.
    pub describe_every_rule: bool,
}

/// Paths to scan with the configuration that applies to them, the caller's settings and
/// unsaved buffers.
#[derive(Debug)]
pub struct Project {
    paths: Vec<PathBuf>,
    config: Config,
    /// The configuration file, which its diagnostics (and those of its rule names) point into.
    config_files: SourceFiles,
    settings: Settings,
    buffers: Buffers,
    progress: Progress,
}

/// What [`Project::scan`] produced.
#[derive(Debug)]
#[non_exhaustive]
pub struct ProjectScan {
    /// Everything read: files, the resource graph, input diagnostics.
    pub input: GraphScan,
    /// Findings and every verdict, with the baseline applied.
    pub report: Report,
    /// The gate's decision on the report.
    pub gate: GateOutcome,
}

impl ProjectScan {
    /// The gate's decision.
    pub fn decision(&self) -> Decision {
        self.gate.decision
    }
}

impl Project {
    /// `paths` without a configuration file.
    pub fn new<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>) -> Project {
        Project {
            paths: paths.into_iter().map(Into::into).collect(),
            config: Config::default(),
            config_files: SourceFiles::default(),
            settings: Settings::default(),
            buffers: Buffers::default(),
            progress: Progress::default(),
        }
    }

    /// `paths` with the configuration that applies to them: `guardrail.toml` (or
    /// `.guardrail.toml`) in the first path's directory or the nearest ancestor that has
    /// one. `Err` when that file is broken.
    pub fn discover<P: Into<PathBuf>>(
        paths: impl IntoIterator<Item = P>,
    ) -> Result<Project, ProjectError> {
        let project = Project::new(paths);
        match project.paths.first().and_then(|p| config::discover(p)) {
            Some(file) => project.with_config_file(&file),
            None => Ok(project),
        }
    }

    /// The same project with the configuration in `file` (the command line's `--config`).
    pub fn with_config_file(mut self, file: &Path) -> Result<Project, ProjectError> {
        let mut files = SourceFiles::default();
        match config::load(file, &mut files) {
            Ok(config) => {
                self.config = config;
                self.config_files = files;
                Ok(self)
            }
            Err(problems) => Err(ProjectError::Config(Problems::new(problems, files))),
        }
    }

    /// The same project with these settings.
    pub fn with_settings(mut self, settings: Settings) -> Project {
        self.settings = settings;
        self
    }

    /// The same project, with `text` standing for the file at `path` (an editor's unsaved
    /// buffer; the file need not exist on disk). It is scanned if `path` is one of the
    /// project's paths or under one of its directories.
    pub fn with_buffer(mut self, path: impl AsRef<Path>, text: impl Into<String>) -> Project {
        self.buffers.insert(path, text.into());
        self
    }

    /// The same project, telling `listener` how far a scan is (see [`crate::progress`]).
    pub fn on_progress(mut self, listener: impl Fn(ProgressEvent) + Send + Sync + 'static) -> Self {
        self.progress = Progress::new(listener);
        self
    }

    /// The configuration that applies (empty when there is no file).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The gate the settings and the configuration make.
    pub fn gate(&self) -> Gate {
        let fail_on = self
            .settings
            .fail_on
            .or(self.config.fail_on)
            .unwrap_or(Severity::Low);
        Gate::new(fail_on)
            .strict(self.settings.strict || self.config.strict.unwrap_or(false))
            .allow_incomplete(self.settings.allow_incomplete)
    }

    /// Reads the paths into the resource graph, without evaluating any rule. `Err` when a
    /// setting is wrong (an `exclude` glob that does not parse).
    pub fn graph(&self) -> Result<GraphScan, ProjectError> {
        Ok(crate::scan::build_graph(&self.paths, &self.scan_options()?))
    }

    /// Every rule there is for this project (built-in, rule directories, Guard files), each
    /// checked, selection not applied: what `guardrail rules` lists and `explain` explains.
    pub fn rules(&self) -> Result<Vec<Rule>, ProjectError> {
        let pack = self.pack()?;
        let rules = pack
            .rules
            .to_rules()
            .map_err(|e| ProjectError::Rules(Problems::new(e.diagnostics, e.files)))?;
        #[cfg(feature = "guard")]
        let rules = {
            // Listing or explaining rules with a broken Guard file says so (a scan goes on
            // without it, reporting the same problems).
            if let Some(guard) = pack.guard.as_ref().filter(|g| g.has_errors()) {
                return Err(ProjectError::Guard(Problems::new(
                    guard.diagnostics.clone(),
                    guard.files.clone(),
                )));
            }
            let mut rules = rules;
            rules.extend(pack.guard.into_iter().flat_map(|g| g.rules));
            rules
        };
        Ok(rules)
    }

    /// Scans the paths: reads them, evaluates the selected rules, applies suppressions and
    /// the baseline, and decides the gate. `Err` when guardrail's own inputs (configuration,
    /// rule files, Guard files, baseline, rule names) are wrong; problems in the scanned
    /// files are diagnostics of the scan, which the gate's decision accounts for.
    pub fn scan(&self) -> Result<ProjectScan, ProjectError> {
        let mut pack = self.pack()?;
        let baseline = self.baseline()?;
        let selection = self.request(baseline.as_ref()).resolve(&pack.catalog());
        let selection = selection.map_err(|problems| {
            ProjectError::Selection(Problems::new(problems, self.config_files.clone()))
        })?;
        pack.rules.retain(|id| selection.runs(id));
        #[cfg(feature = "guard")]
        if let Some(guard) = &mut pack.guard {
            guard.rules.retain(|r| selection.runs(&r.id));
        }
        if selection.is_empty() {
            return Err(ProjectError::NoRules);
        }
        for (id, severity) in &self.config.severity {
            pack.rules.set_severity(id, *severity);
        }
        let scanner = Scanner::from_rule_set(pack.rules);
        #[cfg(feature = "guard")]
        let scanner = match pack.guard {
            Some(mut guard) => {
                for rule in &mut guard.rules {
                    if let Some(severity) = self.config.severity.get(&rule.id) {
                        rule.severity = *severity;
                    }
                }
                scanner.with_guard(guard)
            }
            None => scanner,
        };
        let scanner = scanner.with_options(self.scan_options()?);
        let mut outcome = scanner.scan(&self.paths);
        if let Some((_, baseline)) = &baseline {
            baseline.apply(&mut outcome.report);
        }
        if self.settings.describe_every_rule {
            scanner.describe_every_rule(&mut outcome.report);
        }
        let gate = outcome.report.gate(&self.gate());
        Ok(ProjectScan {
            input: outcome.input,
            report: outcome.report,
            gate,
        })
    }

    /// How the paths are read.
    fn scan_options(&self) -> Result<ScanOptions, ProjectError> {
        let mut config = self.config.clone();
        if !self.settings.frameworks.is_empty() {
            config.disabled_frameworks = Framework::ALL
                .into_iter()
                .filter(|f| !self.settings.frameworks.contains(f))
                .collect();
        }
        Ok(ScanOptions {
            config,
            var_files: self.settings.var_files.clone(),
            tf_vars: self.settings.tf_vars.clone(),
            progress: self.progress.clone(),
            buffers: self.buffers.clone(),
            exclude: self.exclude()?,
            ..ScanOptions::default()
        })
    }

    /// The settings' `exclude` globs, compiled.
    fn exclude(&self) -> Result<Option<globset::GlobSet>, ProjectError> {
        if self.settings.exclude.is_empty() {
            return Ok(None);
        }
        let mut builder = globset::GlobSetBuilder::new();
        let mut problems = Vec::new();
        for glob in &self.settings.exclude {
            match globset::Glob::new(glob) {
                Ok(glob) => {
                    builder.add(glob);
                }
                Err(e) => problems.push(crate::diagnostic::Diagnostic::error(
                    "settings::invalid",
                    "--exclude",
                    format!("`{glob}` is not a glob: {}", e.kind()),
                )),
            }
        }
        let set = builder.build().map_err(|e| {
            crate::diagnostic::Diagnostic::error("settings::invalid", "--exclude", e.to_string())
        });
        match set {
            Ok(set) if problems.is_empty() => Ok(Some(set)),
            Ok(_) => Err(ProjectError::Settings(Problems::new(
                problems,
                SourceFiles::default(),
            ))),
            Err(problem) => Err(ProjectError::Settings(Problems::new(
                vec![problem],
                SourceFiles::default(),
            ))),
        }
    }

    /// The rules before selection: built-in, the rule directories' (checked now) and the
    /// Guard files'.
    fn pack(&self) -> Result<Pack, ProjectError> {
        let mut rules = RuleSet::builtin();
        let dirs: Vec<&PathBuf> = self
            .config
            .rule_dirs
            .iter()
            .chain(&self.settings.rule_dirs)
            .collect();
        if !dirs.is_empty() {
            // Keeps built-in ids reserved: a user rule reusing one is a duplicate.
            let mut user = LoadedRules {
                rules: rules.summaries(),
                ..LoadedRules::default()
            };
            let reserved = user.rules.len();
            for dir in dirs {
                user.add_dir(dir);
            }
            if let Some(errors) = rule_errors(&user) {
                return Err(ProjectError::Rules(Problems::new(
                    errors.diagnostics,
                    errors.files,
                )));
            }
            rules.extend(user.rules.drain(reserved..));
        }
        Ok(Pack {
            rules,
            #[cfg(feature = "guard")]
            guard: self.guard()?,
        })
    }

    /// The Guard rules of the configuration and the settings; `None` when no file is named.
    #[cfg(feature = "guard")]
    fn guard(&self) -> Result<Option<crate::guard::GuardRules>, ProjectError> {
        let files: Vec<PathBuf> = self
            .config
            .guard
            .iter()
            .chain(&self.settings.guard_files)
            .cloned()
            .collect();
        if files.is_empty() {
            return Ok(None);
        }
        let mappings: Vec<PathBuf> = self
            .config
            .guard_mappings
            .iter()
            .chain(&self.settings.guard_mappings)
            .cloned()
            .collect();
        // A rule file with an error is left out and its problems become the scan's (located
        // errors: the scan goes on, and is incomplete).
        Ok(Some(crate::guard::GuardRules::load(&files, &mappings)))
    }

    /// The baseline of the settings, else of the configuration, with its path.
    fn baseline(&self) -> Result<Option<(PathBuf, Baseline)>, ProjectError> {
        let Some(path) = self
            .settings
            .baseline
            .as_ref()
            .or(self.config.baseline.as_ref())
        else {
            return Ok(None);
        };
        Baseline::read(path)
            .map(|b| Some((path.clone(), b)))
            .map_err(|d| ProjectError::Baseline(Problems::new(vec![d], SourceFiles::default())))
    }

    /// Every rule name the user wrote, for checking.
    fn request(&self, baseline: Option<&(PathBuf, Baseline)>) -> Request {
        let config_path = self.config.path.clone().unwrap_or_default();
        let from_config =
            |key| Selector::from_config(key, config_path.clone(), &self.config.rule_names);
        let command_line = Selector::from_flag("--select", &self.settings.select);
        // The command line's --select replaces the file's, whose names must still exist.
        let (select, unused) = if command_line.is_empty() {
            (from_config("select"), Vec::new())
        } else {
            (command_line, from_config("select"))
        };
        let mut ignore = from_config("ignore");
        ignore.extend(Selector::from_flag("--ignore", &self.settings.ignore));
        Request {
            select,
            ignore,
            unused,
            exact: from_config("severity"),
            baseline: baseline
                .map(|(path, b)| (path.clone(), b.rules().map(str::to_owned).collect())),
        }
    }
}

/// The rules of a project before selection.
struct Pack {
    rules: RuleSet,
    #[cfg(feature = "guard")]
    guard: Option<crate::guard::GuardRules>,
}

impl Pack {
    /// Every rule's names, for checking what users wrote.
    fn catalog(&self) -> Catalog {
        let mut catalog = Catalog::default();
        for (id, references, opt_in) in self.rules.names() {
            catalog.add(id, references, opt_in);
        }
        #[cfg(feature = "guard")]
        for rule in self.guard.iter().flat_map(|g| &g.rules) {
            catalog.add(&rule.id, rule.references.values().flatten(), false);
        }
        catalog
    }
}
