//! Where bytes come from: the disk, with in-memory buffers shadowing it, and nothing but
//! regular files under a size cap.
//!
//! Every file guardrail reads goes through here: scanned files (`load`), the
//! configuration, baselines, rule files, Guard rule and mapping files, Terraform var files.
//! So a named path that is a FIFO (which would block), a device such as `/dev/zero` (which
//! never ends) or a file of gigabytes is refused before a byte is read, in one place.
//!
//! [`Buffers`] are what an editor integration passes: the unsaved text of open files. A
//! buffer takes the place of the file at its path (which need not exist on disk), for
//! discovery and for reading alike, so a scan sees what the user sees.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The largest file read. Real templates, manifests, rule files and configurations are far
/// smaller; anything bigger is generated data, and reading it would break the memory budget.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A directory, FIFO, socket or device.
    #[error("not a regular file")]
    NotAFile,
    /// Over [`MAX_FILE_BYTES`]; nothing is kept.
    #[error("larger than {} MiB; not read", MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge,
    /// The system refused.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
}

/// In-memory contents that shadow files on disk, by path.
///
/// Paths are compared in absolute, lexically normal form (`./a/../b.tf` is `b.tf` under the
/// working directory), so a buffer registered with any spelling of a path shadows it.
#[derive(Debug, Clone, Default)]
pub struct Buffers {
    texts: BTreeMap<PathBuf, Arc<str>>,
}

impl Buffers {
    /// The same buffers, with `text` standing for the file at `path`.
    pub fn with(mut self, path: impl AsRef<Path>, text: impl Into<Arc<str>>) -> Self {
        self.insert(path, text);
        self
    }

    /// Makes `text` stand for the file at `path` (replacing an earlier buffer for it).
    pub fn insert(&mut self, path: impl AsRef<Path>, text: impl Into<Arc<str>>) {
        self.texts.insert(normal(path.as_ref()), text.into());
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The buffer standing for `path`, if any.
    pub fn get(&self, path: &Path) -> Option<&Arc<str>> {
        if self.texts.is_empty() {
            return None;
        }
        self.texts.get(&normal(path))
    }

    /// The buffers at `dir` or under it (in absolute form), for discovery: a buffer need
    /// not exist on disk to be scanned.
    pub fn under(&self, dir: &Path) -> impl Iterator<Item = &Path> {
        let dir = normal(dir);
        self.texts
            .keys()
            .filter(move |path| path.starts_with(&dir))
            .map(PathBuf::as_path)
    }

    /// The bytes of `path`: its buffer, or the regular file on disk, at most
    /// [`MAX_FILE_BYTES`] of it plus one (so a caller can tell that the file is larger and
    /// what it starts with). Never opens anything but a regular file.
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, ReadError> {
        match self.get(path) {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => read_capped(path),
        }
    }
}

/// Up to [`MAX_FILE_BYTES`] + 1 bytes of the regular file at `path`.
fn read_capped(path: &Path) -> Result<Vec<u8>, ReadError> {
    // Opening a FIFO or a device would block or never end: look before opening.
    if !std::fs::metadata(path)?.is_file() {
        return Err(ReadError::NotAFile);
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of the regular file at `path`, for guardrail's own inputs (configuration,
/// baselines, rule and mapping files, var files): refused when it is not a regular file,
/// is over [`MAX_FILE_BYTES`] or is not UTF-8 (a leading byte-order mark is dropped).
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = read_capped(path)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not valid UTF-8",
        ))
    })
}

/// `path` made absolute against the working directory, with `.` and `..` resolved
/// lexically (symbolic links are not looked at).
pub fn normal(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_shadows_any_spelling_of_its_path() {
        let buffers = Buffers::default().with("infra/main.tf", "resource {}");
        let text = buffers
            .read_bytes(Path::new("./infra/../infra/main.tf"))
            .expect("buffered");
        assert_eq!(text, b"resource {}");
        assert!(buffers.get(Path::new("infra/other.tf")).is_none());
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(buffers.under(&cwd.join("infra")).count(), 1);
        assert_eq!(buffers.under(&cwd.join("inf")).count(), 0);
    }

    #[test]
    fn only_regular_files_under_the_cap_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(read_text(dir.path()), Err(ReadError::NotAFile)));
        assert!(matches!(
            read_text(&dir.path().join("missing")),
            Err(ReadError::Io(_))
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_text(Path::new("/dev/zero")),
            Err(ReadError::NotAFile)
        ));
        let big = dir.path().join("big");
        let file = std::fs::File::create(&big).expect("create");
        file.set_len(MAX_FILE_BYTES + 1).expect("sparse file");
        assert!(matches!(read_text(&big), Err(ReadError::TooLarge)));
        let ok = dir.path().join("ok");
        std::fs::write(&ok, "\u{feff}x = 1").expect("write");
        assert_eq!(read_text(&ok).expect("reads"), "x = 1");
    }
}
