//! Source files, byte spans and the line index that turns a span into line and column.
//!
//! Every value guardrail reads carries a [`Span`]: the file it came from and a byte range in
//! that file. Line and column are derived from the file's [`LineIndex`] only when something
//! is shown to a person, so spans stay small and cheap to copy.

use std::fmt;
use std::path::{Path, PathBuf};

/// Identifies one file of a scan: an index into [`SourceFiles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct FileId(pub u32);

/// A byte range in one file. `start..end` is half-open, as in Rust slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span over `start..end` in `file`.
    pub fn new(file: FileId, start: u32, end: u32) -> Self {
        Span {
            file,
            start,
            end: end.max(start),
        }
    }

    /// The smallest span that covers both `self` and `other` (which must be in the same file).
    pub fn cover(self, other: Span) -> Span {
        Span::new(
            self.file,
            self.start.min(other.start),
            self.end.max(other.end),
        )
    }

    /// The byte range as `usize`, for slicing the file's text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number in characters, starting at 1.
    pub column: u32,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Byte offsets at which each line of a text starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Indexes `text`. A line ends at `\n`; a preceding `\r` belongs to the line it ends.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| (i + 1) as u32),
        );
        LineIndex { line_starts }
    }

    /// Line and column of byte `offset` in `text` (the text this index was built from).
    /// Offsets past the end clamp to the end; offsets inside a UTF-8 sequence count the
    /// character they are in.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(text.len() as u32);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line] as usize;
        let column = text
            .get(start..)
            .unwrap_or("")
            .char_indices()
            .take_while(|&(i, _)| start + i < offset as usize)
            .count();
        LineCol {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }

    /// Byte range of line `line` (1-based) without its line break.
    pub fn line_range(&self, text: &str, line: u32) -> std::ops::Range<usize> {
        let idx = (line.max(1) - 1) as usize;
        let start = self.line_starts.get(idx).copied().unwrap_or(0) as usize;
        let mut end = self
            .line_starts
            .get(idx + 1)
            .map(|&e| e as usize - 1)
            .unwrap_or(text.len());
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start.min(text.len())..end.min(text.len())
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// The input format of a file, decided by [`crate::load`] from its name and content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// YAML text (CloudFormation or Kubernetes; decided after parsing).
    Yaml,
    /// JSON text (CloudFormation; decided after parsing).
    Json,
    /// Terraform native syntax (`.tf`, and `.tfvars` variable definitions files).
    Hcl,
    /// Terraform JSON syntax (`.tf.json`).
    TerraformJson,
}

/// One file read for a scan.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Its id within the scan.
    pub id: FileId,
    /// The path as it should be shown: the directory given on the command line joined with
    /// the file's path below it (`infra/main.tf` for `guardrail scan infra`), or the file as
    /// given. Relative stays relative.
    pub path: PathBuf,
    /// The text, valid UTF-8 (files that are not are rejected at load time).
    pub text: String,
    /// The format it was detected as.
    pub format: Format,
    /// Where its lines start.
    pub lines: LineIndex,
}

impl SourceFile {
    /// Line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }

    /// Byte offset of 1-based `line` and character `column` (as other tools report them),
    /// clamped to the text.
    pub fn offset_at(&self, line: u32, column: u32) -> u32 {
        let range = self.lines.line_range(&self.text, line);
        let text = self.text.get(range.clone()).unwrap_or_default();
        let within = text
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(text.len(), |(i, _)| i);
        (range.start + within) as u32
    }

    /// The text of a span.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The path with forward slashes, as it appears in every output.
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }
}

/// A path with `/` separators and no leading `./`, so output is the same on every OS.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// All files of one scan, addressed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct SourceFiles {
    files: Vec<SourceFile>,
}

impl SourceFiles {
    /// Adds a file and returns its id.
    pub fn add(&mut self, path: PathBuf, text: String, format: Format) -> FileId {
        let id = FileId(self.files.len() as u32);
        let lines = LineIndex::new(&text);
        self.files.push(SourceFile {
            id,
            path,
            text,
            format,
            lines,
        });
        id
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Every file, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Line and column where `span` starts, or 1:1 if its file is unknown.
    pub fn start_of(&self, span: Span) -> LineCol {
        self.get(span.file)
            .map(|f| f.line_col(span.start))
            .unwrap_or(LineCol { line: 1, column: 1 })
    }

    /// Line and column where `span` ends.
    pub fn end_of(&self, span: Span) -> LineCol {
        self.get(span.file)
            .map(|f| f.line_col(span.end))
            .unwrap_or(LineCol { line: 1, column: 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_lines_from_one() {
        let text = "ab\nçd\r\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 2, column: 1 });
        // 'd' is after the two-byte 'ç'
        assert_eq!(idx.line_col(text, 5), LineCol { line: 2, column: 2 });
        assert_eq!(idx.line_col(text, 8), LineCol { line: 3, column: 1 });
        assert_eq!(idx.line_col(text, 99), LineCol { line: 3, column: 2 });
        assert_eq!(&text[idx.line_range(text, 2)], "çd");
    }
}
