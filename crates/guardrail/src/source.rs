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

/// How many bytes of text one character checkpoint covers. A column is found by counting the
/// characters between a checkpoint and an offset, so this bounds the work of one lookup
/// whatever the length of the line (a minified template is one line of a megabyte).
const CHECKPOINT_STRIDE: usize = 1024;

/// Where each line of a text starts, and enough about its characters to turn a byte offset
/// into a column without re-reading the line.
///
/// A lookup is a binary search over the line starts (O(log lines)) plus, for text that is not
/// ASCII, a count of at most 1 KiB from the nearest checkpoint: it costs
/// the same at column 10 as at column 1,000,000 and the same on the 1st call as on the 10,000th.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    /// Empty when the text is ASCII (a column is then a byte distance). Otherwise entry `k` is
    /// the number of characters that start before byte `k * CHECKPOINT_STRIDE`.
    char_checkpoints: Vec<u32>,
    /// Empty when the text has no character outside the Basic Multilingual Plane (four
    /// UTF-8 bytes, two UTF-16 units). Otherwise entry `k` is the number of such characters
    /// that start before byte `k * CHECKPOINT_STRIDE`.
    astral_checkpoints: Vec<u32>,
}

/// Whether `b` starts a character outside the Basic Multilingual Plane.
fn starts_astral(b: u8) -> bool {
    b >= 0xF0
}

/// Running counts of the bytes of `text` that satisfy `counted`, at every checkpoint: one
/// entry per [`CHECKPOINT_STRIDE`] bytes plus the total.
fn checkpoints(text: &[u8], counted: fn(u8) -> bool) -> Vec<u32> {
    let mut seen = 0u32;
    let mut points = Vec::with_capacity(text.len() / CHECKPOINT_STRIDE + 2);
    for block in text.chunks(CHECKPOINT_STRIDE) {
        points.push(seen);
        seen += block.iter().filter(|&&b| counted(b)).count() as u32;
    }
    points.push(seen);
    points
}

/// Bytes satisfying `counted` in `text[..offset]`, from the checkpoint table `points`.
fn counted_before(points: &[u32], text: &[u8], offset: usize, counted: fn(u8) -> bool) -> usize {
    let block = offset / CHECKPOINT_STRIDE;
    let from = block * CHECKPOINT_STRIDE;
    let rest = text.get(from..offset).unwrap_or_default();
    points.get(block).copied().unwrap_or(0) as usize + rest.iter().filter(|&&b| counted(b)).count()
}

/// Whether `b` starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    b & 0xC0 != 0x80
}

/// Characters that start in `bytes`.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| starts_char(b)).count()
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
        let bytes = text.as_bytes();
        let char_checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            checkpoints(bytes, starts_char)
        };
        let astral_checkpoints = if bytes.iter().any(|&b| starts_astral(b)) {
            checkpoints(bytes, starts_astral)
        } else {
            Vec::new()
        };
        LineIndex {
            line_starts,
            char_checkpoints,
            astral_checkpoints,
        }
    }

    /// The number of characters that start before byte `offset` (at most the text's length).
    fn chars_before(&self, text: &[u8], offset: usize) -> usize {
        if self.char_checkpoints.is_empty() {
            return offset;
        }
        counted_before(&self.char_checkpoints, text, offset, starts_char)
    }

    /// The 1-based column of byte `offset` in UTF-16 code units (SARIF's unit): its character
    /// column plus one for every character outside the Basic Multilingual Plane before it on
    /// its line. Same cost as [`LineIndex::line_col`].
    pub fn utf16_column(&self, text: &str, offset: u32) -> u32 {
        let at = self.line_col(text, offset);
        if self.astral_checkpoints.is_empty() {
            return at.column;
        }
        let offset = (offset as usize).min(text.len());
        let start = self.line_starts[self.line_of(offset as u32)] as usize;
        let bytes = text.as_bytes();
        let astral = counted_before(&self.astral_checkpoints, bytes, offset, starts_astral)
            - counted_before(&self.astral_checkpoints, bytes, start, starts_astral);
        at.column + astral as u32
    }

    /// Characters that start in `start..end`, `start <= end`: a direct count when the range
    /// is short, two checkpoint lookups when it is long.
    fn chars_between(&self, text: &[u8], start: usize, end: usize) -> usize {
        if self.char_checkpoints.is_empty() {
            end - start
        } else if end - start <= CHECKPOINT_STRIDE {
            count_chars(text.get(start..end).unwrap_or_default())
        } else {
            self.chars_before(text, end) - self.chars_before(text, start)
        }
    }

    /// 0-based index of the line that byte `offset` is on.
    fn line_of(&self, offset: u32) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Line and column of byte `offset` in `text` (the text this index was built from).
    /// Offsets past the end clamp to the end; offsets inside a UTF-8 sequence count the
    /// character they are in.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(text.len() as u32);
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let column = self.chars_between(text.as_bytes(), start, offset as usize);
        LineCol {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }

    /// Byte offset of 1-based `line` and character `column` in `text`, clamped to the line.
    pub fn offset_at(&self, text: &str, line: u32, column: u32) -> u32 {
        let range = self.line_range(text, line);
        let want = column.saturating_sub(1) as usize;
        let bytes = text.as_bytes();
        if self.char_checkpoints.is_empty() {
            return (range.start + want.min(range.len())) as u32;
        }
        // The wanted character is the `target`-th of the text; start counting at the last
        // checkpoint before it (or at the line start), so the walk is at most one stride.
        let target = self.chars_before(bytes, range.start) + want;
        let block = self
            .char_checkpoints
            .partition_point(|&c| c as usize <= target)
            .saturating_sub(1);
        let mut at = (block * CHECKPOINT_STRIDE).max(range.start);
        let mut seen = self.chars_before(bytes, at);
        while at < range.end {
            if starts_char(bytes[at]) {
                if seen == target {
                    return at as u32;
                }
                seen += 1;
            }
            at += 1;
        }
        range.end as u32
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

/// The input format of a file, decided when a file is loaded, from its name and content.
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

    /// The 1-based UTF-16 column of a byte offset (see [`LineIndex::utf16_column`]).
    pub fn utf16_column(&self, offset: u32) -> u32 {
        self.lines.utf16_column(&self.text, offset)
    }

    /// Byte offset of 1-based `line` and character `column` (as other tools report them),
    /// clamped to the text.
    pub fn offset_at(&self, line: u32, column: u32) -> u32 {
        self.lines.offset_at(&self.text, line, column)
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

/// Bytes of a long line an [`Excerpt`] keeps before the start of its span.
pub const EXCERPT_BEFORE: usize = 60;
/// Bytes of a long line an [`Excerpt`] keeps from the start of its span on.
pub const EXCERPT_AFTER: usize = 120;
/// A line longer than this many bytes is cut to a window around the span.
pub const EXCERPT_LONG_LINE: usize = EXCERPT_BEFORE + EXCERPT_AFTER + 20;
/// Lines a multi-line span may cover and still be shown whole; a longer span is shown by
/// its first line.
pub const EXCERPT_MAX_LINES: usize = 30;
/// What marks text an excerpt left out of a cut line.
const ELLIPSIS: &str = "…";

/// A short piece of a file around a span, to put under a message: the only source text a
/// miette report should be given.
///
/// A report built on the whole file costs time proportional to the file for every
/// diagnostic, and miette's graphical handler panics at columns past 65,535 (a minified
/// template). An excerpt is at most [`EXCERPT_MAX_LINES`] lines plus context, and a line
/// longer than [`EXCERPT_LONG_LINE`] bytes is cut to a window of about [`EXCERPT_BEFORE`] +
/// [`EXCERPT_AFTER`] bytes around the span, marked with `…` where text was left out.
///
/// It implements [`miette::SourceCode`] in the file's own byte offsets and reports the true
/// line and column of what it holds, so labels are given as file offsets (clip them with
/// [`Excerpt::clip`]) and miette prints the real `file:line:col` and line numbers.
#[derive(Debug, Clone)]
pub struct Excerpt {
    name: String,
    text: String,
    /// File offset that `text[0]` stands for (a leading ellipsis stands just before the cut).
    base: usize,
    /// 0-based line of `text[0]` in the file.
    line: usize,
    /// 0-based column of `text[0]` in its line.
    column: usize,
    /// The file bytes the excerpt shows, `base + ellipsis..`.
    shown: std::ops::Range<usize>,
    /// The span, clipped to what is shown.
    label: std::ops::Range<usize>,
}

impl Excerpt {
    /// The span the excerpt was made for, in file offsets, clipped to the text it shows.
    pub fn label(&self) -> std::ops::Range<usize> {
        self.label.clone()
    }

    /// `range` (file offsets) clipped to the text the excerpt shows, or `None` when it
    /// starts outside it. Use it for any further label put on the same report.
    pub fn clip(&self, range: std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
        (self.shown.contains(&range.start) || range.start == self.shown.end)
            .then(|| range.start..range.end.clamp(range.start, self.shown.end))
    }

    /// The text shown, with `…` where a long line was cut.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let local = span
            .offset()
            .checked_sub(self.base)
            .ok_or(miette::MietteError::OutOfBounds)?;
        // A span at or past the end of what is shown (a lone `\r`, whose line the excerpt
        // shows empty) is read at the end: miette's own reader panics past it.
        let local = local.min(self.text.len());
        let len = span.len().min(self.text.len() - local);
        let inner = self.text.as_str().read_span(
            &miette::SourceSpan::new(local.into(), len),
            context_lines_before,
            context_lines_after,
        )?;
        // miette counts columns in bytes; count characters, as every other output does.
        // Only the excerpt's first line can start mid-line in the file.
        let data = (inner.span().offset()).min(self.text.len());
        let before = &self.text.as_bytes()[..data];
        let column = match before.iter().rposition(|&b| b == b'\n') {
            Some(newline) => count_chars(&before[newline + 1..]),
            None => self.column + count_chars(before),
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            miette::SourceSpan::new(
                (inner.span().offset() + self.base).into(),
                inner.span().len(),
            ),
            self.line + inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// The largest char boundary of `text` at or before `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `text` at or after `at`.
fn ceil_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

impl SourceFile {
    /// The piece of this file to show under a message about `span`, with up to
    /// `context_lines` short lines before and after it. Costs O(log n) plus the size of the
    /// excerpt, whatever the file.
    pub fn excerpt(&self, span: Span, context_lines: usize) -> Excerpt {
        let text = self.text.as_str();
        let start = floor_boundary(text, span.start as usize);
        let end = (span.end as usize).clamp(start, text.len());
        let first = self.lines.line_of(start as u32);
        let line = |i: usize| self.lines.line_range(text, i as u32 + 1);
        let short = |i: usize| line(i).len() <= EXCERPT_LONG_LINE;
        let name = self.display_path();
        if !short(first) {
            return self.cut_line(name, start, end, line(first), first);
        }
        // Whole short lines: the span's own (up to the first long one or the line cap), then
        // the context lines that are short too.
        let span_last = self.lines.line_of(end as u32);
        let mut last = first;
        while last < span_last && last + 1 < first + EXCERPT_MAX_LINES && short(last + 1) {
            last += 1;
        }
        let mut top = first;
        while top > 0 && first - top < context_lines && short(top - 1) {
            top -= 1;
        }
        if last == span_last {
            while last + 1 < self.lines.line_count()
                && last - span_last < context_lines
                && short(last + 1)
            {
                last += 1;
            }
        }
        let shown = line(top).start..line(last).end;
        Excerpt {
            name,
            text: text[shown.clone()].to_owned(),
            base: shown.start,
            line: top,
            column: 0,
            label: start..end.min(shown.end),
            shown,
        }
    }

    /// An excerpt of one long line: a window around `start`, ellipses where it was cut.
    fn cut_line(
        &self,
        name: String,
        start: usize,
        end: usize,
        line: std::ops::Range<usize>,
        index: usize,
    ) -> Excerpt {
        let text = self.text.as_str();
        // Cut in front only when it saves more than the ellipsis costs; then `from` is well
        // past the line start, so the ellipsis can stand on the bytes just before it.
        let cut_front = start - line.start > EXCERPT_BEFORE + 2 * ELLIPSIS.len();
        let from = if cut_front {
            floor_boundary(text, start - EXCERPT_BEFORE)
        } else {
            line.start
        };
        let to = ceil_boundary(text, (start + EXCERPT_AFTER).min(line.end));
        let mut shown_text = String::with_capacity(to - from + 2 * ELLIPSIS.len());
        let (base, column) = if cut_front {
            shown_text.push_str(ELLIPSIS);
            let column = self.line_col(from as u32).column as usize - 1;
            (from - ELLIPSIS.len(), column.saturating_sub(1))
        } else {
            (from, 0)
        };
        shown_text.push_str(&text[from..to]);
        if to < line.end {
            shown_text.push_str(ELLIPSIS);
        }
        Excerpt {
            name,
            text: shown_text,
            base,
            line: index,
            column,
            label: start..end.min(to),
            shown: from..to,
        }
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

    /// The definition the index must agree with: count characters from the line start.
    fn naive(text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let start = text[..floor_boundary(text, offset)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = text.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let column = count_chars(&text.as_bytes()[start..offset]);
        LineCol {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }

    fn long_mixed_text() -> String {
        let mut text = String::new();
        for i in 0..3_000 {
            text.push_str(if i % 7 == 0 { "é€" } else { "ab" });
            if i % 1_000 == 999 {
                text.push('\n');
            }
        }
        text
    }

    #[test]
    fn checkpoints_agree_with_counting_on_long_non_ascii_lines() {
        let text = long_mixed_text();
        let idx = LineIndex::new(&text);
        for offset in (0..=text.len() + 3).step_by(37) {
            assert_eq!(
                idx.line_col(&text, offset as u32),
                naive(&text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn utf16_columns_count_astral_characters_twice() {
        let mut text = "😀a".repeat(2_000);
        text.push_str("\n😀😀x");
        let idx = LineIndex::new(&text);
        for offset in (0..text.len())
            .filter(|&o| text.is_char_boundary(o))
            .step_by(97)
        {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let want = text[start..offset].encode_utf16().count() as u32 + 1;
            assert_eq!(idx.utf16_column(&text, offset as u32), want, "{offset}");
        }
        let x = text.rfind('x').unwrap() as u32;
        assert_eq!(idx.utf16_column(&text, x), 5);
        assert_eq!(idx.utf16_column("abc", 2), 3);
    }

    #[test]
    fn offset_at_inverts_line_col() {
        let text = long_mixed_text();
        let idx = LineIndex::new(&text);
        for offset in (0..text.len())
            .filter(|&o| text.is_char_boundary(o))
            .step_by(41)
        {
            let at = idx.line_col(&text, offset as u32);
            assert_eq!(idx.offset_at(&text, at.line, at.column) as usize, offset);
        }
        // Past the end of a line clamps to its end.
        let line = idx.line_range(&text, 1);
        assert_eq!(idx.offset_at(&text, 1, 1_000_000) as usize, line.end);
    }

    fn file(text: &str) -> SourceFile {
        SourceFile {
            id: FileId(0),
            path: PathBuf::from("t.json"),
            text: text.to_owned(),
            format: Format::Json,
            lines: LineIndex::new(text),
        }
    }

    #[test]
    fn an_excerpt_of_a_long_line_is_a_window_that_keeps_the_true_position() {
        let pad = "é".repeat(40_000);
        let text = format!("{{\n\"a\": \"{pad}\", \"key\": 1\n}}\n");
        let file = file(&text);
        let at = text.find("\"key\"").unwrap();
        let excerpt = file.excerpt(Span::new(FileId(0), at as u32, at as u32 + 5), 1);
        assert!(excerpt.text().starts_with('…'), "{}", excerpt.text());
        assert!(excerpt.text().len() < EXCERPT_LONG_LINE + 10);
        assert_eq!(&text[excerpt.label()], "\"key\"");
        let contents =
            miette::SourceCode::read_span(&excerpt, &miette::SourceSpan::new(at.into(), 5), 0, 0)
                .unwrap();
        let want = file.line_col(at as u32);
        assert_eq!(contents.line() + 1, want.line as usize);
        assert_eq!(contents.column() + 1, want.column as usize);
        assert_eq!(contents.data(), b"\"key\"");
    }

    #[test]
    fn an_excerpt_of_short_lines_is_whole_lines_with_context() {
        let text = "one\ntwo\nthree\nfour\n";
        let file = file(text);
        let excerpt = file.excerpt(Span::new(FileId(0), 8, 13), 1);
        assert_eq!(excerpt.text(), "two\nthree\nfour");
        assert_eq!(&text[excerpt.label()], "three");
        assert_eq!(excerpt.clip(0..2), None);
        assert_eq!(excerpt.clip(8..100), Some(8..18));
    }

    // miette's graphical handler, the one that overflowed, comes with the `render` feature.
    #[cfg(feature = "render")]
    #[test]
    fn a_diagnostic_past_column_65535_renders() {
        let text = format!("{{\"a\":\"{}\",\"b\":1}}", "x".repeat(70_000));
        let mut files = SourceFiles::default();
        let id = files.add("t.json".into(), text.clone(), Format::Json);
        let at = text.find("\"b\"").unwrap() as u32;
        let d = crate::diagnostic::Diagnostic::error("parse::test", "t.json", "boom")
            .at(Span::new(id, at, at + 3));
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, d.to_report(&files).as_ref())
            .unwrap();
        assert!(out.contains("t.json:1:70009"), "{out}");
        assert!(out.contains(" 1 │ …xxx"), "{out}");
        assert!(out.len() < 2_000, "{out}");
    }

    #[cfg(feature = "render")]
    #[test]
    fn every_span_of_a_hostile_text_renders() {
        let text = format!(
            "a\r\n{}\n\n{}\r\nz😀\n{}",
            "é€".repeat(300),
            "x".repeat(70_000),
            "short"
        );
        let mut files = SourceFiles::default();
        let id = files.add("t.yaml".into(), text.clone(), Format::Yaml);
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        let len = text.len() as u32;
        for start in (0..len + 2).step_by(997) {
            for width in [0, 1, 7, 5_000, len] {
                let span = Span::new(id, start, start.saturating_add(width));
                let d = crate::diagnostic::Diagnostic::error("t", "t.yaml", "m").at(span);
                let mut out = String::new();
                handler
                    .render_report(&mut out, d.to_report(&files).as_ref())
                    .unwrap();
                assert!(out.len() < 20_000, "{start}+{width}: {} bytes", out.len());
                assert!(!out.contains("Failed to read contents"), "{out}");
            }
        }
    }
}
