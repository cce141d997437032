//! Loading: a discovered file's bytes into checked text with a format.
//!
//! A file is rejected here, with a diagnostic at its line and column, when it cannot be
//! read, holds NUL bytes (a binary file under a YAML or JSON name), is not UTF-8, or is larger
//! than [`MAX_FILE_BYTES`] while being infrastructure code by name (`.tf`, `.tf.json`) or
//! looking like it. Helm chart templates (Go template actions under a chart's `templates/`,
//! the chart known by its `Chart.yaml`) are passed over with a note: they are not YAML until
//! Helm renders them.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::discover::Candidate;
pub use crate::input::MAX_FILE_BYTES;
use crate::input::{Buffers, ReadError};
use crate::source::{Format, SourceFiles, Span};

/// The outcome of loading one file.
#[derive(Debug)]
pub enum Loaded {
    /// The file's text, ready to parse.
    Text {
        /// The text (a leading byte-order mark removed).
        text: String,
        /// Its format by name.
        format: Format,
    },
    /// Passed over on purpose, with the reason (shown with `--verbose`, or as a note).
    Skipped {
        /// Why.
        reason: String,
        /// Whether users should hear about it without `--verbose` (a Helm template).
        notable: bool,
    },
    /// Could not be used; the scan is incomplete.
    Failed(LoadError),
}

/// Why a file could not be loaded.
#[derive(Debug)]
pub struct LoadError {
    /// Stable code, such as `load::invalid-utf8`.
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// The text as far as it could be decoded (invalid bytes replaced), so the diagnostic
    /// can show the line; `None` when nothing could be read.
    pub lossy_text: Option<String>,
    /// Byte offset in `lossy_text` of the problem.
    pub offset: u32,
}

/// The format a file name implies. Files named explicitly with other names are tried as
/// YAML (which also reads JSON) and kept only if their content is ours.
pub fn format_by_name(path: &Path) -> Format {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".tf.json") {
        Format::TerraformJson
    } else if name.ends_with(".tf") || name.ends_with(".tfvars") {
        Format::Hcl
    } else if name.ends_with(".json") {
        Format::Json
    } else {
        Format::Yaml
    }
}

/// The format of a Terraform variable definitions file, which Terraform decides by name
/// alone: JSON when it ends in `.json`, native syntax otherwise (`--var-file prod.vars`).
pub fn var_file_format(path: &Path) -> Format {
    let json = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".json"));
    if json { Format::Json } else { Format::Hcl }
}

/// The diagnostic of a file that could not be loaded, located in `files`: at the problem in
/// the text as far as it could be decoded (kept only so the diagnostic can show its line; it
/// is not parsed), or at 1:1 of an empty text when nothing could be read.
pub fn located(
    error: LoadError,
    path: &Path,
    files: &mut SourceFiles,
    format: Format,
) -> Diagnostic {
    let text = error.lossy_text.unwrap_or_default();
    let offset = error
        .offset
        .min(u32::try_from(text.len()).unwrap_or(u32::MAX));
    let id = files.add(path.to_path_buf(), text, format);
    Diagnostic::error(error.code, path.to_path_buf(), error.message)
        .at(Span::new(id, offset, offset))
}

/// Reads and checks one file: its buffer when `buffers` has one, else the file on disk.
pub fn load(candidate: &Candidate, buffers: &Buffers) -> Loaded {
    let path = &candidate.path;
    let format = format_by_name(path);
    let failed = |code, message: String| {
        Loaded::Failed(LoadError {
            code,
            message,
            lossy_text: None,
            offset: 0,
        })
    };
    let bytes = match buffers.read_bytes(path) {
        Ok(bytes) => bytes,
        Err(e @ ReadError::NotAFile) => return failed("load::not-a-file", e.to_string()),
        Err(e) => return failed("load::unreadable", e.to_string()),
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
        // Terraform files are infrastructure by name, whatever their head looks like.
        if matches!(format, Format::Hcl | Format::TerraformJson)
            || crate::adapt::looks_like_ours(&head)
        {
            return failed(
                "load::too-large",
                format!(
                    "larger than {} MiB; not read",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            );
        }
        return Loaded::Skipped {
            reason: "larger than the file size limit and not infrastructure code".into(),
            notable: false,
        };
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Loaded::Failed(LoadError {
            code: "load::binary",
            message: "binary content (a NUL byte); not a text file".into(),
            lossy_text: Some(String::from_utf8_lossy(&bytes[..nul]).into_owned()),
            offset: u32::try_from(nul).unwrap_or(u32::MAX),
        });
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            return Loaded::Failed(LoadError {
                code: "load::invalid-utf8",
                message: "not valid UTF-8".into(),
                // Offsets before the first invalid byte are the same in the lossy text.
                lossy_text: Some(lossy),
                offset: u32::try_from(valid).unwrap_or(u32::MAX),
            });
        }
    };
    if is_helm_template(path, &text) {
        return Loaded::Skipped {
            reason: "Helm chart template: not rendered, so not scanned".into(),
            notable: true,
        };
    }
    Loaded::Text { text, format }
}

/// A file with Go template actions under the `templates/` directory of a Helm chart (a
/// `templates` directory next to a `Chart.yaml`, at any depth below it) is a Helm template.
/// `{{` alone proves nothing: CloudFormation writes dynamic references as
/// `{{resolve:ssm:…}}`, and a template under a `templates/` folder that is no chart is read.
fn is_helm_template(path: &Path, text: &str) -> bool {
    text.contains("{{") && in_chart_templates(path)
}

/// Whether `path` lies below a chart's `templates/` directory.
fn in_chart_templates(path: &Path) -> bool {
    path.ancestors().skip(1).any(|dir| {
        dir.file_name().is_some_and(|n| n == "templates")
            && dir
                .parent()
                .is_some_and(|chart| chart.join("Chart.yaml").is_file())
    })
}
