//! Discovery: which files a scan reads.
//!
//! Directories are walked with the `ignore` crate, with ignore files applied only as git applies
//! them: `.gitignore` files and `.git/info/exclude` inside a git repository, up to its root
//! (the nearest ancestor with `.git`), never `.ignore` files, the global excludes file or a
//! `.gitignore` outside a repository. guardrail does not read git's index, so a file that is
//! tracked although a `.gitignore` matches it is passed over too. `.git/`, `.terraform/` and
//! `node_modules/` are never entered, and symbolic links are not followed, so a link loop
//! cannot hang the walk and a link cannot lead outside the paths given. Files named
//! explicitly (as pre-commit passes them) are always read, whatever their name.
//!
//! Terraform variable definition files are read when Terraform loads them by itself from a
//! module directory (`terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars`,
//! `*.auto.tfvars.json`; see [`auto_var_file_rank`]). Any other `*.tfvars` or `*.tfvars.json`
//! applies only when it is named with `--var-file` or the configuration's `var_files`, so
//! finding it, or being given it as a path to scan, reads nothing: it is listed as passed over.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Severity};
use crate::input::Buffers;

/// Directory names never entered: VCS metadata, Terraform's provider and module cache (it
/// holds copies of remote modules that are not the user's code), JavaScript dependencies.
const SKIPPED_DIRS: &[&str] = &[".git", ".terraform", "node_modules"];

/// A file to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The path to open and to show (relative paths stay relative).
    pub path: PathBuf,
    /// Named on the command line rather than found by walking a directory.
    pub explicit: bool,
    /// Read only as context: a Terraform file of the module of a file named on the command
    /// line (pre-commit passes the changed files; their module's variables, locals and
    /// split resources live in the others). Findings in it are not reported.
    pub context: bool,
}

/// A file or directory entry that discovery passed over, with why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// The path.
    pub path: PathBuf,
    /// Why it was not read.
    pub reason: String,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Files to read, sorted by path, without duplicates.
    pub candidates: Vec<Candidate>,
    /// Entries passed over on purpose (symbolic links, files of other types).
    pub skipped: Vec<Skipped>,
    /// Paths that do not exist, directories that cannot be read.
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether a file name is one guardrail reads when it finds it in a directory.
pub fn is_candidate_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [
        ".tf",
        ".tf.json",
        ".yaml",
        ".yml",
        ".json",
        ".template",
        ".tfvars",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
}

/// Whether a file name is a Terraform variable definitions file: `*.tfvars` or
/// `*.tfvars.json`, in any case (so that `PROD.TFVARS` is not taken for a `.tf` file).
pub fn is_var_file_name(path: &Path) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    name.ends_with(".tfvars") || name.ends_with(".tfvars.json")
}

/// Where a file of this name stands among the variable definitions files Terraform loads by
/// itself from a module directory, lowest precedence first: `terraform.tfvars` (0), then
/// `terraform.tfvars.json` (1), then every `*.auto.tfvars` and `*.auto.tfvars.json` (2) in
/// lexical order of their names (the second part of the key). `None` for any other name.
/// Names are compared as Terraform compares them: case-sensitively.
pub fn auto_var_file_rank(path: &Path) -> Option<(u8, String)> {
    let name = file_name(path);
    let rank = match name.as_str() {
        "terraform.tfvars" => 0,
        "terraform.tfvars.json" => 1,
        n if n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json") => 2,
        _ => return None,
    };
    Some((rank, name))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Why a variable definitions file that Terraform does not load by itself is not read.
const NOT_AUTO_LOADED: &str = "a Terraform var file that Terraform does not load by itself: \
                                name it with --var-file or the configuration's var_files";

/// Finds the files under `paths`, and the `buffers` at or under them (which need not exist on
/// disk: an editor's new, unsaved file).
pub fn discover(paths: &[PathBuf], buffers: &Buffers) -> Discovered {
    let mut out = Discovered::default();
    for path in paths {
        if buffers.get(path).is_some() {
            out.candidates.push(Candidate {
                path: path.clone(),
                explicit: true,
                context: false,
            });
            continue;
        }
        if !buffers.is_empty() && path.is_dir() {
            let base = crate::input::normal(path);
            // Shown as discovery would show the file: under the path as it was given.
            out.candidates.extend(
                buffers
                    .under(&base)
                    .filter(|b| is_candidate_name(b))
                    .filter_map(|b| b.strip_prefix(&base).ok())
                    .map(|relative| Candidate {
                        path: path.join(relative),
                        explicit: false,
                        context: false,
                    }),
            );
        }
        match std::fs::metadata(path) {
            Err(e) => out.diagnostics.push(Diagnostic::error(
                "discover::missing",
                path.clone(),
                format!("cannot read this path: {e}"),
            )),
            Ok(meta) if meta.is_dir() => walk(path, &mut out),
            Ok(_) if is_var_file_name(path) && auto_var_file_rank(path).is_none() => {
                out.skipped.push(Skipped {
                    path: path.clone(),
                    reason: NOT_AUTO_LOADED.into(),
                });
            }
            Ok(_) => {
                out.candidates.push(Candidate {
                    path: path.clone(),
                    explicit: true,
                    context: false,
                });
                if is_terraform_name(path) {
                    module_context(path, &mut out);
                }
            }
        }
    }
    out.candidates.sort();
    // A file found more than once is read once: as explicit if it was named, and as
    // context only if it was never found otherwise.
    out.candidates.dedup_by(|later, earlier| {
        let same = later.path == earlier.path;
        if same {
            earlier.explicit |= later.explicit;
            earlier.context &= later.context;
        }
        same
    });
    out.skipped.sort();
    out
}

fn walk(root: &Path, out: &mut Discovered) {
    // Ignore files count only as git applies them: a file guardrail passes over unread must
    // be one git would not track either. So no `.ignore` files, no global excludes file, and
    // `.gitignore` and `.git/info/exclude` only inside a repository, up to its root (the
    // `ignore` crate stops at the nearest ancestor with `.git` when `require_git` is set).
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        .ignore(false)
        .git_global(false)
        .git_ignore(true)
        .git_exclude(true)
        .parents(true)
        .require_git(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && entry.depth() > 0 && SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = error_path(&e).unwrap_or_else(|| root.to_path_buf());
                out.diagnostics.push(Diagnostic::new(
                    Severity::Error,
                    "discover::unreadable",
                    path,
                    format!("cannot walk this path: {e}"),
                ));
                continue;
            }
        };
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if file_type.is_symlink() {
            if is_candidate_name(path) || std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
                out.skipped.push(Skipped {
                    path: path.to_path_buf(),
                    reason: "symbolic link: not followed (name the target to scan it)".into(),
                });
            }
        } else if file_type.is_file()
            && is_var_file_name(path)
            && auto_var_file_rank(path).is_none()
        {
            out.skipped.push(Skipped {
                path: path.to_path_buf(),
                reason: NOT_AUTO_LOADED.into(),
            });
        } else if file_type.is_file() && is_candidate_name(path) {
            out.candidates.push(Candidate {
                path: path.to_path_buf(),
                explicit: false,
                context: false,
            });
        }
    }
}

fn is_terraform_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// The other Terraform files of `file`'s directory (not below it: a module is one
/// directory), its auto-loaded var files included, as context candidates. Links are not
/// followed, as when walking.
fn module_context(file: &Path, out: &mut Discovered) {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut siblings: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            (is_terraform_name(p) || auto_var_file_rank(p).is_some())
                && p.file_name() != file.file_name()
        })
        .collect();
    siblings.sort();
    // Shown like the file that was named: `infra/main.tf` brings `infra/variables.tf`.
    for sibling in siblings {
        let path = match (file.parent(), sibling.file_name()) {
            (Some(parent), Some(name)) => parent.join(name),
            _ => sibling,
        };
        out.candidates.push(Candidate {
            path,
            explicit: false,
            context: true,
        });
    }
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_loaded_var_files_rank_as_terraform_loads_them() {
        let rank = |name: &str| auto_var_file_rank(Path::new("infra").join(name).as_path());
        assert_eq!(
            rank("terraform.tfvars"),
            Some((0, "terraform.tfvars".into()))
        );
        assert_eq!(
            rank("terraform.tfvars.json"),
            Some((1, "terraform.tfvars.json".into()))
        );
        assert_eq!(rank("a.auto.tfvars"), Some((2, "a.auto.tfvars".into())));
        assert_eq!(
            rank("b.auto.tfvars.json"),
            Some((2, "b.auto.tfvars.json".into()))
        );
        // Sorting by the key puts auto files after terraform.tfvars.json whatever their names.
        let mut names = [
            "b.auto.tfvars.json",
            "terraform.tfvars.json",
            "a.auto.tfvars",
            "terraform.tfvars",
            "c.auto.tfvars",
        ];
        names.sort_by_key(|n| rank(n));
        assert_eq!(
            names,
            [
                "terraform.tfvars",
                "terraform.tfvars.json",
                "a.auto.tfvars",
                "b.auto.tfvars.json",
                "c.auto.tfvars"
            ]
        );
        for other in [
            "prod.tfvars",
            "prod.tfvars.json",
            "Terraform.tfvars",
            "x.auto.tfvars.bak",
            "main.tf",
        ] {
            assert_eq!(rank(other), None, "{other}");
        }
        assert!(is_var_file_name(Path::new("env/prod.tfvars")));
        assert!(is_var_file_name(Path::new("prod.tfvars.json")));
        assert!(is_var_file_name(Path::new("PROD.TFVARS")));
        assert!(!is_var_file_name(Path::new("main.tf.json")));
    }

    /// Regression (issue 16): `.ignore` files, a `.gitignore` above the repository root and
    /// a `.gitignore` outside any repository made files disappear unread and unlisted.
    #[test]
    fn ignore_files_count_only_as_git_applies_them() {
        let found = |root: &Path| -> Vec<String> {
            discover(&[root.to_path_buf()], &Buffers::default())
                .candidates
                .iter()
                .filter_map(|c| c.path.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect()
        };
        let Ok(outer) = tempfile::tempdir() else {
            return;
        };
        let write = |path: &Path, text: &str| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).ok();
            }
            std::fs::write(path, text).ok();
        };
        let repo = outer.path().join("repo");
        std::fs::create_dir_all(repo.join(".git").join("info")).ok();
        write(&outer.path().join(".gitignore"), "above.yaml\n");
        write(&repo.join(".gitignore"), "ignored.yaml\n");
        write(&repo.join(".git/info/exclude"), "excluded.yaml\n");
        write(&repo.join(".ignore"), "dot-ignore.yaml\n");
        for name in [
            "above.yaml",
            "ignored.yaml",
            "excluded.yaml",
            "dot-ignore.yaml",
            "kept.yaml",
        ] {
            write(&repo.join("sub").join(name), "a: 1\n");
        }
        assert_eq!(
            found(&repo.join("sub")),
            ["above.yaml", "dot-ignore.yaml", "kept.yaml"]
        );

        // Outside a repository git applies no ignore file at all.
        let loose = outer.path().join("loose");
        write(&loose.join(".gitignore"), "*.yaml\n");
        write(&loose.join("template.yaml"), "a: 1\n");
        assert_eq!(found(&loose), ["template.yaml"]);
    }
}
