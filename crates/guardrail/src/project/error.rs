//! Why a [`Project`](super::Project) could not scan: each is the user's to fix before a scan
//! means anything (the CLI exits 2), and each carries its located diagnostics.

use std::fmt;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFiles;

/// Located problems in one of guardrail's own inputs, with the files they point into.
pub struct Problems {
    /// The problems, each at its line where it has one.
    pub diagnostics: Vec<Diagnostic>,
    /// The files the diagnostics' spans point into.
    pub files: SourceFiles,
    /// The diagnostics as miette reports, for [`miette::Diagnostic::related`].
    reports: Vec<miette::Report>,
}

impl Problems {
    /// Problems in `files`.
    pub fn new(diagnostics: Vec<Diagnostic>, files: SourceFiles) -> Problems {
        let reports = diagnostics.iter().map(|d| d.to_report(&files)).collect();
        Problems {
            diagnostics,
            files,
            reports,
        }
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

impl fmt::Debug for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Problems")
            .field("diagnostics", &self.diagnostics)
            .finish_non_exhaustive()
    }
}

/// Why a project could not be scanned (or its rules listed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectError {
    /// A setting the caller gave is wrong (a glob that does not parse).
    #[error("{} problem(s) in the settings", .0.len())]
    Settings(Problems),
    /// The configuration file is broken or names what it may not.
    #[error("{} problem(s) in the configuration", .0.len())]
    Config(Problems),
    /// Rule files (`--rules`, the configuration's `rules`) do not load.
    #[error("{} problem(s) in rule files", .0.len())]
    Rules(Problems),
    /// Guard rule or mapping files do not load.
    #[error("{} problem(s) in Guard rule or mapping files", .0.len())]
    Guard(Problems),
    /// The baseline cannot be read, or names rules that do not exist.
    #[error("the baseline is not usable")]
    Baseline(Problems),
    /// A selector or rule id names no rule.
    #[error("{} rule name(s) match no rule", .0.len())]
    Selection(Problems),
    /// Selection leaves no rule to run: the scan would check nothing.
    #[error(
        "no rule would run: --select and --ignore (or the configuration's select and ignore) leave none"
    )]
    NoRules,
}

impl ProjectError {
    /// The located problems, if the error has any.
    pub fn problems(&self) -> Option<&Problems> {
        match self {
            ProjectError::Config(p)
            | ProjectError::Settings(p)
            | ProjectError::Rules(p)
            | ProjectError::Guard(p)
            | ProjectError::Baseline(p)
            | ProjectError::Selection(p) => Some(p),
            ProjectError::NoRules => None,
        }
    }
}

impl miette::Diagnostic for ProjectError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = match self {
            ProjectError::Config(_) => "guardrail::config",
            ProjectError::Settings(_) => "guardrail::settings",
            ProjectError::Rules(_) => "guardrail::rules",
            ProjectError::Guard(_) => "guardrail::guard",
            ProjectError::Baseline(_) => "guardrail::baseline",
            ProjectError::Selection(_) => "guardrail::select",
            ProjectError::NoRules => "guardrail::no-rules",
        };
        Some(Box::new(code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            ProjectError::NoRules => Some(Box::new("`guardrail rules` lists the rule ids")),
            _ => None,
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        let problems = self.problems()?;
        Some(Box::new(
            problems
                .reports
                .iter()
                .map(|r| -> &dyn miette::Diagnostic { r.as_ref() }),
        ))
    }
}
