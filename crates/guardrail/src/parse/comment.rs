//! Comments, as the parsers see them. YAML and HCL keep comments out of the value tree, but
//! suppressions are written in them, so each parser also hands back the comments of its file
//! ([`crate::parse::yaml::Parsed::comments`], [`crate::parse::hcl::comments`]). JSON has none.

use crate::source::{FileId, Span};

/// One comment of a parsed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// From its marker (`#`, `//`, `/*`) to its last character, trailing whitespace excluded.
    pub span: Span,
    /// What follows the marker (for a block comment, up to `*/`), trailing whitespace
    /// excluded.
    pub text: String,
    /// A line comment or a `/* … */` block comment.
    pub kind: CommentKind,
}

/// The two kinds of comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentKind {
    /// `# …` (YAML, HCL) or `// …` (HCL), to the end of the line.
    Line,
    /// `/* … */` (HCL), possibly over several lines.
    Block,
}

impl Comment {
    /// A comment of `file` at `start..end` whose text starts `marker` bytes after `start`.
    pub(crate) fn new(
        file: FileId,
        source: &str,
        start: usize,
        end: usize,
        marker: usize,
        kind: CommentKind,
    ) -> Option<Comment> {
        let whole = source.get(start..end)?.trim_end();
        let inner = match kind {
            CommentKind::Line => whole.get(marker..)?,
            CommentKind::Block => whole.get(marker..whole.len().checked_sub(2)?)?,
        };
        Some(Comment {
            span: Span::new(file, start as u32, (start + whole.len()) as u32),
            text: inner.trim_end().to_owned(),
            kind,
        })
    }
}

/// The comments in `trivia`, HCL whitespace and comments only (what `hcl-edit` keeps as a
/// node's decor), which starts at byte `offset` of the file: the parser has told apart
/// comments from code, so this only finds where each comment ends.
pub(crate) fn hcl_trivia(
    file: FileId,
    source: &str,
    offset: usize,
    trivia: &str,
    out: &mut Vec<Comment>,
) {
    let bytes = trivia.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        let (end, marker, kind) = match (b, next) {
            (b'#', _) => (line_end(trivia, i), 1, CommentKind::Line),
            (b'/', Some(b'/')) => (line_end(trivia, i), 2, CommentKind::Line),
            (b'/', Some(b'*')) => {
                let end = trivia
                    .get(i + 2..)
                    .and_then(|rest| rest.find("*/"))
                    .map_or(trivia.len(), |at| i + 2 + at + 2);
                (end, 2, CommentKind::Block)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend(Comment::new(
            file,
            source,
            offset + i,
            offset + end,
            marker,
            kind,
        ));
        i = end.max(i + 1);
    }
}

/// The end of the line that `from` is on (before `\n`, and before `\r\n`).
fn line_end(text: &str, from: usize) -> usize {
    let end = text
        .get(from..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |at| from + at);
    if text.as_bytes().get(end.wrapping_sub(1)) == Some(&b'\r') && end > from {
        end - 1
    } else {
        end
    }
}
