//! The files Terraform's `file` and `templatefile` read: inside the repository only, regular
//! files only, at most [`MAX_FILE_FUNCTION_BYTES`], each read once per scan.
//!
//! Reading here, in the adapter, rather than in the load stage is deliberate: the path is a
//! value (`"${path.module}/policy.json"`) known only once the expression is evaluated. What
//! keeps it safe is the same confinement the configuration's paths get: a path that is
//! absolute, climbs out of the repository, or leads out of it through a symbolic link is
//! never opened, and neither is anything under `.git`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The largest file `file()` or `templatefile()` reads: policy documents, user data and
/// templates are small, and the text is copied into every instance that reads it.
pub(super) const MAX_FILE_FUNCTION_BYTES: u64 = 1024 * 1024;

/// The files read for `file()` and `templatefile()` in one scan, shared by every module
/// instance: the text, or why it was not read.
#[derive(Debug, Default)]
pub(super) struct RepositoryFiles {
    read: Mutex<HashMap<PathBuf, Result<Arc<str>, NotRead>>>,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NotRead {
    /// It does not exist: Terraform's own error (which `try` catches), not guardrail's limit.
    Missing,
    /// guardrail may not or will not read it, for this reason.
    Refused(String),
}

impl RepositoryFiles {
    /// The text of `written`, a path as `file()` got it, relative to `cwd` (the root module's
    /// directory, where Terraform runs) unless it starts with a directory that is itself
    /// relative to the working directory (`path.module` gives one). Refused, with the reason,
    /// when it is absolute or outside the repository of `cwd`, is not a regular file, is
    /// larger than [`MAX_FILE_FUNCTION_BYTES`] or is not UTF-8.
    pub fn read(&self, cwd: &str, written: &str) -> Result<Arc<str>, NotRead> {
        let root = crate::config::repository_root(Path::new(cwd));
        let path = crate::config::confine(&root, Path::new(cwd), written)
            .map_err(|why| NotRead::Refused(format!("`{written}` is not read ({why})")))?;
        // Git's own files are not the configuration's, and a CI checkout keeps its token in
        // `.git/config`: never read, whatever the configuration asks.
        let in_git = |p: &Path| p.components().any(|c| c.as_os_str() == ".git");
        if in_git(&path) || path.canonicalize().is_ok_and(|real| in_git(&real)) {
            return Err(NotRead::Refused(format!(
                "`{written}` is not read (inside `.git`)"
            )));
        }
        let key = crate::input::normal(&path);
        let mut read = match self.read.lock() {
            Ok(read) => read,
            // A panic elsewhere while holding the lock: the map is still valid.
            Err(poisoned) => poisoned.into_inner(),
        };
        read.entry(key)
            .or_insert_with(|| read_text(&path).map(Arc::from))
            .clone()
    }
}

fn read_text(path: &Path) -> Result<String, NotRead> {
    let shown = crate::source::display_path(path);
    let refused = |why: String| NotRead::Refused(format!("`{shown}` {why}"));
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(NotRead::Missing),
        Err(e) => return Err(refused(format!("cannot be read: {e}"))),
    };
    if !meta.is_file() {
        return Err(refused("is not a regular file".into()));
    }
    if meta.len() > MAX_FILE_FUNCTION_BYTES {
        let kib = MAX_FILE_FUNCTION_BYTES / 1024;
        return Err(refused(format!("is larger than {kib} KiB")));
    }
    let bytes = std::fs::read(path).map_err(|e| refused(format!("cannot be read: {e}")))?;
    String::from_utf8(bytes).map_err(|_| refused("is not UTF-8 text".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inside_the_repository_and_refuses_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("git");
        std::fs::create_dir_all(repo.join("infra/policies")).expect("dirs");
        std::fs::write(repo.join("infra/policies/p.json"), "{}").expect("write");
        std::fs::write(dir.path().join("secret"), "s").expect("write");
        let files = RepositoryFiles::default();
        let cwd = repo.join("infra");
        let cwd = cwd.to_str().expect("utf-8");
        let text = |written: &str| files.read(cwd, written).map(|t| t.to_string());
        let refused = |written: &str| match files.read(cwd, written) {
            Err(NotRead::Refused(why)) => why,
            other => panic!("{written}: {other:?}"),
        };
        assert_eq!(text("policies/p.json").as_deref(), Ok("{}"));
        // `path.module` of a module elsewhere in the repository, relative to the root's.
        assert_eq!(
            text("../infra/policies/../policies/p.json").as_deref(),
            Ok("{}")
        );
        assert!(refused("../../secret").contains("outside the repository"));
        assert!(refused("/etc/passwd").contains("absolute"));
        assert!(refused("policies").contains("not a regular file"));
        std::fs::write(repo.join(".git/config"), "token").expect("write");
        assert!(refused("../.git/config").contains("inside `.git`"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../.git/config", repo.join("infra/innocent"))
                .expect("link");
            assert!(refused("innocent").contains("inside `.git`"));
        }
        assert_eq!(text("policies/none.json"), Err(NotRead::Missing));
    }
}
