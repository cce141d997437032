//! The project configuration file, `guardrail.toml` (or `.guardrail.toml`), discovered upward
//! from the scanned path. Every mistake in it (an unknown key, a value of the wrong type, an
//! unknown severity or framework, a glob that does not parse) is a diagnostic at its line
//! and column, and the scan does not run on a configuration it did not understand.
//!
//! ```toml
//! fail_on = "medium"            # critical | high | medium | low | info
//! strict = false                # unknown findings fail the gate too
//! select = ["AWS", "K8S-POD"]   # rule ids or prefixes to run (default: all but opt-in)
//! ignore = ["AWS-S3-007"]       # rule ids or prefixes to skip
//! rules = ["policies"]          # extra rule directories, relative to this file
//! guard = ["guard/nist.guard"]  # AWS CloudFormation Guard rule files or directories
//! guard_mappings = ["guard/map.toml"]  # severity, STRIDE, NIST for Guard rules
//! include = ["infra/**"]        # only files matching these globs (relative to this file)
//! exclude = ["**/testdata/**"]  # never files matching these globs
//! baseline = ".guardrail-baseline.json"
//! var_files = ["env/prod.tfvars"]  # Terraform variable values, relative to this file
//!
//! [frameworks]                  # all on by default
//! kubernetes = false
//!
//! [severity]                    # per-rule severity overrides
//! AWS-S3-007 = "high"
//! ```
//!
//! Paths (`rules`, `guard`, `guard_mappings`, `baseline`, `var_files`) are relative to the
//! file and must stay inside the repository it belongs to (the nearest ancestor with `.git`,
//! else its own directory): the file arrives with the code it configures, so it is not
//! trusted to name `/proc/self/environ` or `../../.env`. Such a path is an error at its line
//! and is never read; every file named is read only if it is a regular file under
//! [`crate::input::MAX_FILE_BYTES`]. Rule names (`select`, `ignore`, `[severity]` keys) are
//! checked against the rules when the scan assembles them ([`crate::project`]).
//!
//! `var_files` are Terraform variable definitions files read as `terraform -var-file` reads
//! them, in order, before those of the command line's `--var-file`; each applies to every
//! scanned module that declares the variable it sets. A file that does not exist is a mistake
//! in the configuration, at its line. `terraform.tfvars` and `*.auto.tfvars` need no entry:
//! they are read from each scanned module directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Diagnostic;
use crate::graph::Framework;
use crate::rules::model::Severity;
use crate::source::{Format, SourceFiles, Span};

/// File names looked for, in this order, in each directory from the scanned path upward.
pub const CONFIG_FILE_NAMES: &[&str] = &["guardrail.toml", ".guardrail.toml"];

/// A configuration as written, before its values are checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    fail_on: Option<toml::Spanned<String>>,
    strict: Option<bool>,
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    rules: Option<Vec<Spanned<String>>>,
    guard: Option<Vec<Spanned<String>>>,
    guard_mappings: Option<Vec<Spanned<String>>>,
    include: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    baseline: Option<Spanned<String>>,
    var_files: Option<Vec<Spanned<String>>>,
    frameworks: Option<BTreeMap<Spanned<String>, bool>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

/// A rule id or selector as the configuration writes it (in `select`, `ignore` or as a
/// `[severity]` key), with its place, so that one naming no rule is an error at its line.
#[derive(Debug, Clone)]
pub struct RuleName {
    /// The key it is written under: `select`, `ignore` or `severity`.
    pub key: &'static str,
    /// As written.
    pub text: String,
    /// Where, in the configuration file.
    pub span: Span,
}

/// A checked configuration. Paths in it are resolved against the configuration file's
/// directory.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: Option<PathBuf>,
    /// Gate threshold.
    pub fail_on: Option<Severity>,
    /// Unknown findings fail the gate.
    pub strict: Option<bool>,
    /// Rule ids or prefixes to run (empty: all but the opt-in rules, which run only when
    /// named by id).
    pub select: Vec<String>,
    /// Rule ids or prefixes to skip.
    pub ignore: Vec<String>,
    /// Extra rule directories.
    pub rule_dirs: Vec<PathBuf>,
    /// AWS CloudFormation Guard rule files or directories.
    pub guard: Vec<PathBuf>,
    /// Mapping files that give Guard rules severity, STRIDE and NIST controls.
    pub guard_mappings: Vec<PathBuf>,
    /// Only scan files that match one of these (empty: all).
    pub include: Option<globset::GlobSet>,
    /// Never scan files that match one of these.
    pub exclude: Option<globset::GlobSet>,
    /// The baseline file.
    pub baseline: Option<PathBuf>,
    /// Terraform variable definitions files, in increasing precedence.
    pub var_files: Vec<PathBuf>,
    /// Frameworks switched off.
    pub disabled_frameworks: Vec<Framework>,
    /// Severity per rule id.
    pub severity: BTreeMap<String, Severity>,
    /// Every rule id and selector the file names, with its place (checked against the rules
    /// when they are known).
    pub rule_names: Vec<RuleName>,
    /// The directory its paths must stay in: the repository it belongs to (the nearest
    /// ancestor with `.git`), else its own directory.
    pub root: Option<PathBuf>,
}

/// The configuration file that applies to `start` (a file or directory): the first of
/// [`CONFIG_FILE_NAMES`] found in its directory or an ancestor.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(start).ok()?;
    let first = if absolute.is_dir() {
        Some(absolute.as_path())
    } else {
        absolute.parent()
    };
    first?.ancestors().find_map(|dir| {
        CONFIG_FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Reads and checks a configuration file. On failure, the diagnostics point into `files`.
///
/// The file is untrusted (it arrives with the repository it configures): every path it names
/// must stay inside that repository ([`Config::root`]) once `.` and `..` and symbolic links
/// are resolved, or it is refused with a diagnostic at the configuration's own line, without
/// reading or quoting the target.
pub fn load(path: &Path, files: &mut SourceFiles) -> Result<Config, Vec<Diagnostic>> {
    let text = crate::input::read_text(path).map_err(|e| {
        vec![Diagnostic::error(
            "config::unreadable",
            path,
            format!("cannot read the configuration: {e}"),
        )]
    })?;
    let id = files.add(path.to_path_buf(), text, Format::Yaml);
    let text = files.get(id).map_or("", |f| f.text.as_str());
    let span = |range: std::ops::Range<usize>| Span::new(id, range.start as u32, range.end as u32);
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let at = e.span().unwrap_or(0..0);
        vec![Diagnostic::error("config::invalid", path, e.message().to_owned()).at(span(at))]
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let root = repository_root(base);
    let mut problems = Vec::new();
    let inside = |key: &str, value: &Spanned<String>| -> Result<PathBuf, Diagnostic> {
        confine(&root, base, value.get_ref()).map_err(|why| {
            Diagnostic::error(
                "config::outside-repository",
                path,
                format!("`{key}` names a path {why}; it is not read"),
            )
            .at(span(value.span()))
            .with_help(format!(
                "paths in the configuration are relative to it and must stay inside {}; \
                 name other files on the command line",
                crate::source::display_path(&root)
            ))
        })
    };
    let mut paths = |key: &str, values: Option<Vec<Spanned<String>>>| -> Vec<PathBuf> {
        let mut out = Vec::new();
        for value in values.unwrap_or_default() {
            match inside(key, &value) {
                Ok(path) => out.push(path),
                Err(problem) => problems.push(problem),
            }
        }
        out
    };
    let rule_dirs = paths("rules", raw.rules);
    let guard = paths("guard", raw.guard);
    let guard_mappings = paths("guard_mappings", raw.guard_mappings);
    let baseline = paths("baseline", raw.baseline.map(|b| vec![b])).pop();
    let mut rule_names = Vec::new();
    let mut names = |key: &'static str, values: Option<Vec<Spanned<String>>>| -> Vec<String> {
        let values = values.unwrap_or_default();
        rule_names.extend(values.iter().map(|v| RuleName {
            key,
            text: v.get_ref().clone(),
            span: span(v.span()),
        }));
        values.into_iter().map(Spanned::into_inner).collect()
    };
    let select = names("select", raw.select);
    let ignore = names("ignore", raw.ignore);
    let mut config = Config {
        path: Some(path.to_path_buf()),
        strict: raw.strict,
        select,
        ignore,
        rule_dirs,
        guard,
        guard_mappings,
        baseline,
        root: Some(root.clone()),
        rule_names,
        ..Config::default()
    };
    if let Some(fail_on) = raw.fail_on {
        match Severity::parse(fail_on.get_ref()) {
            Some(s) => config.fail_on = Some(s),
            None => problems.push(
                Diagnostic::error("config::invalid", path, severity_message(fail_on.get_ref()))
                    .at(span(fail_on.span())),
            ),
        }
    }
    for (id, severity) in raw.severity.unwrap_or_default() {
        config.rule_names.push(RuleName {
            key: "severity",
            text: id.get_ref().clone(),
            span: span(id.span()),
        });
        match Severity::parse(severity.get_ref()) {
            Some(s) => {
                config.severity.insert(id.into_inner(), s);
            }
            None => problems.push(
                Diagnostic::error(
                    "config::invalid",
                    path,
                    severity_message(severity.get_ref()),
                )
                .at(span(severity.span())),
            ),
        }
    }
    for (name, enabled) in raw.frameworks.unwrap_or_default() {
        let framework = match Framework::from_name(name.get_ref()) {
            Some(framework) => framework,
            None => {
                let other = name.get_ref();
                problems.push(
                    Diagnostic::error(
                        "config::invalid",
                        path,
                        format!("unknown framework `{other}`; use cloudformation, terraform or kubernetes"),
                    )
                    .at(span(name.span())),
                );
                continue;
            }
        };
        if !enabled {
            config.disabled_frameworks.push(framework);
        }
    }
    for var_file in raw.var_files.unwrap_or_default() {
        let resolved = match inside("var_files", &var_file) {
            Ok(resolved) => resolved,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        if resolved.is_file() {
            config.var_files.push(resolved);
        } else {
            problems.push(
                Diagnostic::error(
                    "config::invalid",
                    path,
                    format!(
                        "var file `{}` does not exist (looked for {})",
                        var_file.get_ref(),
                        resolved.display()
                    ),
                )
                .at(span(var_file.span()))
                .with_help("var_files are relative to the configuration file"),
            );
        }
    }
    for (globs, slot) in [
        (raw.include, &mut config.include),
        (raw.exclude, &mut config.exclude),
    ] {
        let Some(globs) = globs else { continue };
        let mut builder = globset::GlobSetBuilder::new();
        for glob in globs {
            match globset::Glob::new(glob.get_ref()) {
                Ok(g) => {
                    builder.add(g);
                }
                Err(e) => problems.push(
                    Diagnostic::error(
                        "config::invalid",
                        path,
                        format!("invalid glob: {}", e.kind()),
                    )
                    .at(span(glob.span())),
                ),
            }
        }
        match builder.build() {
            Ok(set) => *slot = Some(set),
            Err(e) => problems.push(Diagnostic::error("config::invalid", path, e.to_string())),
        }
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems)
    }
}

/// The repository `dir` belongs to: its nearest ancestor (itself included) with a `.git`
/// entry (a directory, or a file in a worktree), else `dir` itself; in absolute form.
pub fn repository_root(dir: &Path) -> PathBuf {
    let dir = crate::input::normal(dir);
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&dir)
        .to_path_buf()
}

/// `written` (a path in the configuration at `base`) joined to `base`, when it stays inside `root`;
/// else why not. Checked lexically first, then through symbolic links for what exists.
pub(crate) fn confine(root: &Path, base: &Path, written: &str) -> Result<PathBuf, &'static str> {
    let written = Path::new(written);
    if written.is_absolute() || written.has_root() {
        return Err("by absolute path");
    }
    let joined = base.join(written);
    let resolved = crate::input::normal(&joined);
    if !resolved.starts_with(root) {
        return Err("outside the repository");
    }
    // A link inside the repository may still lead out of it.
    if let (Ok(real), Ok(real_root)) = (resolved.canonicalize(), root.canonicalize()) {
        if !real.starts_with(&real_root) {
            return Err("through a symbolic link to outside the repository");
        }
    }
    // As written (relative paths stay relative), for messages.
    Ok(joined)
}

fn severity_message(value: &str) -> String {
    format!("`{value}` is not a severity; use critical, high, medium, low or info")
}

impl Config {
    /// Whether a file (as discovered, relative to the working directory) is to be scanned
    /// under `include` and `exclude`, which are relative to the configuration's directory.
    pub fn admits(&self, file: &Path) -> bool {
        let relative = self.relative(file);
        let included = self
            .include
            .as_ref()
            .is_none_or(|set| set.is_match(&relative));
        let excluded = self
            .exclude
            .as_ref()
            .is_some_and(|set| set.is_match(&relative));
        included && !excluded
    }

    fn relative(&self, file: &Path) -> PathBuf {
        let base = self
            .path
            .as_deref()
            .and_then(Path::parent)
            .and_then(|b| std::path::absolute(b).ok());
        let absolute = std::path::absolute(file).ok();
        match (base, absolute) {
            (Some(base), Some(file)) => file
                .strip_prefix(&base)
                .map(Path::to_path_buf)
                .unwrap_or(file),
            _ => file.to_path_buf(),
        }
    }
}

/// The starter configuration `guardrail init` writes: every key, commented.
pub const STARTER: &str = r#"# guardrail configuration. guardrail finds this file by looking in the scanned directory
# and its parents; `guardrail scan --config FILE` names another. Every key is optional.

# Findings at or above this severity fail the gate (exit code 1):
# critical | high | medium | low | info
fail_on = "low"

# Findings whose value is only known at deployment ("unknown") fail the gate too.
strict = false

# Rules to run and to skip, by id or id prefix (AWS, AWS-S3, AWS-S3-001) or by a Checkov id
# that rules reference (CKV_AWS_20). A name that matches no rule is an error. Opt-in rules
# (`guardrail rules` marks them) run only when named by id: select = ["AWS", "AWS-S3-014"].
# select = ["AWS", "K8S"]
# ignore = ["AWS-S3-007"]

# Directories of your own rules (docs/rules.md), relative to this file.
# rules = ["policies"]

# AWS CloudFormation Guard rule files or directories (docs/guard.md), run on every
# CloudFormation template and Kubernetes document; and files that map their rules to
# severity, STRIDE and NIST controls.
# guard = ["guard/nist80053r5.guard"]
# guard_mappings = ["guard/mapping.toml"]

# Which files to scan, as globs relative to this file.
# include = ["infra/**", "k8s/**"]
# exclude = ["**/testdata/**"]

# Fail only on findings that are not in this baseline (guardrail scan --write-baseline FILE).
# baseline = ".guardrail-baseline.json"

# Terraform variable values, as `terraform -var-file` reads them, relative to this file; later
# files win, and `guardrail scan --var-file` comes after them. Each applies to every scanned
# module that declares the variable. terraform.tfvars and *.auto.tfvars are read without this.
# var_files = ["env/prod.tfvars"]

# Frameworks to read (all on by default).
# [frameworks]
# cloudformation = true
# terraform = true
# kubernetes = true

# Severity overrides for individual rules.
# [severity]
# AWS-S3-007 = "high"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Config, Vec<String>> {
        load_with(text, &[])
    }

    /// Like [`load_text`], with these files next to the configuration.
    fn load_with(text: &str, files: &[&str]) -> Result<Config, Vec<String>> {
        let dir = tempfile::tempdir().expect("tempdir");
        for f in files {
            let path = dir.path().join(f);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, "").expect("write");
        }
        let path = dir.path().join("guardrail.toml");
        std::fs::write(&path, text).expect("write");
        let mut sources = SourceFiles::default();
        load(&path, &mut sources).map_err(|ds| {
            ds.iter()
                .map(|d| {
                    let at = d.span.map(|s| sources.start_of(s).to_string());
                    format!("{} {}", at.unwrap_or_default(), d.message)
                })
                .collect()
        })
    }

    #[test]
    fn the_starter_configuration_is_valid() {
        let config = load_text(STARTER).expect("starter loads");
        assert_eq!(config.fail_on, Some(Severity::Low));
        assert_eq!(config.strict, Some(false));
    }

    #[test]
    fn every_key_is_read() {
        let config = load_with(
            "fail_on = \"high\"\nselect = [\"AWS\"]\nignore = [\"AWS-S3-007\"]\nrules = [\"p\"]\nguard = [\"g.guard\"]\nguard_mappings = [\"m.json\"]\ninclude = [\"infra/**\"]\nexclude = [\"**/test/**\"]\nbaseline = \"b.json\"\nvar_files = [\"env/prod.tfvars\", \"extra.tfvars.json\"]\n[frameworks]\nkubernetes = false\n[severity]\nAWS-S3-007 = \"critical\"\n",
            &["env/prod.tfvars", "extra.tfvars.json"],
        )
        .expect("loads");
        assert_eq!(config.var_files.len(), 2);
        assert!(config.var_files[0].ends_with("env/prod.tfvars"));
        assert!(config.var_files[1].ends_with("extra.tfvars.json"));
        assert_eq!(config.fail_on, Some(Severity::High));
        assert_eq!(config.disabled_frameworks, [Framework::Kubernetes]);
        assert_eq!(config.severity.get("AWS-S3-007"), Some(&Severity::Critical));
        assert!(config.rule_dirs[0].ends_with("p"));
        assert!(config.guard[0].ends_with("g.guard"));
        assert!(config.guard_mappings[0].ends_with("m.json"));
        assert!(
            config
                .baseline
                .as_deref()
                .is_some_and(|b| b.ends_with("b.json"))
        );
        let base = config
            .path
            .as_deref()
            .and_then(Path::parent)
            .expect("dir")
            .to_path_buf();
        assert!(config.admits(&base.join("infra/main.tf")));
        assert!(!config.admits(&base.join("infra/test/main.tf")));
        assert!(!config.admits(&base.join("other/main.tf")));
    }

    #[test]
    fn mistakes_are_reported_at_their_position() {
        assert_eq!(
            load_text("fail_on = \"high\"\nfial_on = 1\n")
                .err()
                .map(|e| e.len()),
            Some(1)
        );
        let errors = load_text(
            "fail_on = \"hgih\"\n[frameworks]\nansible = true\n[severity]\nX-001 = \"big\"\n",
        )
        .expect_err("invalid");
        assert_eq!(
            errors,
            [
                "1:11 `hgih` is not a severity; use critical, high, medium, low or info",
                "5:9 `big` is not a severity; use critical, high, medium, low or info",
                "3:1 unknown framework `ansible`; use cloudformation, terraform or kubernetes",
            ]
        );
        let errors = load_text("strict = \"yes\"\n").expect_err("wrong type");
        assert!(errors[0].starts_with("1:10 "), "{errors:?}");
        let errors = load_with(
            "var_files = [\"there.tfvars\", \"missing.tfvars\"]\n",
            &["there.tfvars"],
        )
        .expect_err("missing var file");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("1:30 var file `missing.tfvars` does not exist"),
            "{errors:?}"
        );
        let errors = load_text("fial_on = 1\n").expect_err("unknown key");
        assert!(
            errors[0].starts_with("1:1 unknown field `fial_on`"),
            "{errors:?}"
        );
    }
}
