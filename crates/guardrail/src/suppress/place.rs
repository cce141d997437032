//! Where a suppression applies: a comment covers the resource whose first line it is above
//! (or at the end of), else the line it is above (or at the end of); a directive on a
//! resource (Metadata, annotations) covers that resource.

use std::cell::OnceCell;
use std::collections::HashMap;

use crate::graph::{Framework, ResourceId};
use crate::parse::comment::Comment;
use crate::report::{ReportFinding, SuppressionKind, fingerprint};
use crate::scan::GraphScan;
use crate::source::{FileId, Format, SourceFile, Span};
use crate::suppress::directive::{CommentDirective, DASHES, Directive, parse_comment};

/// One suppression found in the input, with what it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// What it says.
    pub(crate) directive: Directive,
    /// What it applies to.
    pub(crate) place: Place,
}

/// What a suppression applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    /// Every finding on these resources.
    Resources(Vec<ResourceId>),
    /// The findings located at this line (1-based) of this file.
    Line(FileId, u32),
    /// Nothing: a comment neither on nor directly above a line of code.
    Nowhere,
}

impl Place {
    /// Whether `finding` is one this place covers.
    pub(crate) fn covers(&self, finding: &ReportFinding, scan: &GraphScan) -> bool {
        match self {
            Place::Resources(ids) => ids.iter().any(|&id| {
                scan.graph.resource(id).is_some_and(|r| {
                    // Addresses repeat across Terraform modules; the fingerprint includes the
                    // resource's scope, so it tells which resource the finding is on.
                    finding.resource == r.address
                        && finding.fingerprint
                            == fingerprint(&[
                                &finding.rule_id,
                                &r.scope,
                                &r.address,
                                &finding.attribute,
                            ])
                })
            }),
            Place::Line(file, line) => finding.span.file == *file && finding.start.line == *line,
            Place::Nowhere => false,
        }
    }
}

/// Where resources are, to place comments; indexed when first asked (most scans have no
/// suppression comment).
pub(crate) struct Places<'s> {
    scan: &'s GraphScan,
    index: OnceCell<PlaceIndex>,
}

#[derive(Default)]
struct PlaceIndex {
    /// `(file, line)` → resources whose first line it is.
    anchors: HashMap<(FileId, u32), Vec<ResourceId>>,
    /// Resources by file, in source order.
    by_file: HashMap<FileId, Vec<ResourceId>>,
}

impl<'s> Places<'s> {
    pub(crate) fn new(scan: &'s GraphScan) -> Self {
        Places {
            scan,
            index: OnceCell::new(),
        }
    }

    fn index(&self) -> &PlaceIndex {
        self.index.get_or_init(|| {
            let mut index = PlaceIndex::default();
            for (id, r) in self.scan.graph.iter() {
                index.by_file.entry(r.span.file).or_default().push(id);
                let mut lines = vec![self.scan.files.start_of(r.span).line];
                // A CloudFormation resource's logical id is on its own line; a comment between
                // it and `Type:` is still above the resource.
                if r.framework == Framework::CloudFormation {
                    if let Some(first) = r.attributes.as_map().and_then(|m| m.iter().next()) {
                        lines.push(self.scan.files.start_of(first.key_span).line);
                    }
                }
                lines.dedup();
                for line in lines {
                    index
                        .anchors
                        .entry((r.span.file, line))
                        .or_default()
                        .push(id);
                }
            }
            index
        })
    }

    /// The resources whose first line is `line`.
    fn anchored(&self, file: FileId, line: u32) -> Option<&Vec<ResourceId>> {
        self.index().anchors.get(&(file, line))
    }

    /// The innermost resource whose span contains `offset`.
    pub(crate) fn containing(&self, file: FileId, offset: u32) -> Option<ResourceId> {
        self.index()
            .by_file
            .get(&file)?
            .iter()
            .filter_map(|&id| Some((id, self.scan.graph.resource(id)?)))
            .filter(|(_, r)| r.span.start <= offset && offset <= r.span.end)
            .min_by_key(|(_, r)| r.span.end - r.span.start)
            .map(|(id, _)| id)
    }

    /// The innermost resource that contains `line` of `file`.
    pub(crate) fn containing_line(&self, file: &SourceFile, line: u32) -> Option<ResourceId> {
        let range = file.lines.line_range(&file.text, line);
        let text = file.text.get(range.clone())?;
        let start = range.start + (text.len() - text.trim_start().len());
        self.containing(file.id, start as u32)
    }
}

/// The suppressions written on resources (Metadata, annotations), each covering its resource.
pub(crate) fn on_resources(scan: &GraphScan) -> Vec<Found> {
    let mut out = Vec::new();
    for (id, resource) in scan.graph.iter() {
        out.extend(resource.suppressions.iter().map(|d| Found {
            directive: d.clone(),
            place: Place::Resources(vec![id]),
        }));
    }
    out
}

/// The suppressions written as comments in `file`, whose comments the parser found.
pub(crate) fn in_comments(
    file: &SourceFile,
    comments: &[Comment],
    places: &Places<'_>,
) -> Vec<Found> {
    let lines = Lines { file, comments };
    let count = file.lines.line_count() as u32;
    // The last search for the line below a comment: lines `from..stop` are comments, `stop`
    // is not (or is past the end), and `target` is `stop` if it is code. Stacked comments
    // share it, so each line is looked at once.
    let mut last: Option<(u32, u32, Option<u32>)> = None;
    let mut out = Vec::new();
    for comment in comments {
        let Some(directive) = parse_comment(&comment.text) else {
            continue;
        };
        let span = comment.span;
        let line = file.line_col(span.start).line;
        // The line the comment is about: its own when it follows code, else the next line of
        // code below it, across other comments but not across blank lines.
        let target = if lines.code_before(span.start as usize) {
            Some(line)
        } else {
            let below = line + 1;
            match last {
                Some((from, stop, target)) if from <= below && below <= stop => target,
                _ => {
                    let mut stop = below;
                    let mut kind = None;
                    while stop <= count {
                        match lines.kind(stop) {
                            LineKind::Comment => stop += 1,
                            other => {
                                kind = Some(other);
                                break;
                            }
                        }
                    }
                    let target = (kind == Some(LineKind::Code)).then_some(stop);
                    last = Some((below, stop, target));
                    target
                }
            }
        };
        let anchored = target.and_then(|line| places.anchored(file.id, line));
        match directive {
            CommentDirective::Ignore { ids, reason } => {
                let place = match (anchored, target) {
                    (Some(resources), _) => Place::Resources(resources.clone()),
                    (None, Some(line)) => Place::Line(file.id, line),
                    (None, None) => Place::Nowhere,
                };
                out.push(Found {
                    directive: Directive::new(
                        SuppressionKind::Comment,
                        ids,
                        reason,
                        span,
                        "the `guardrail:ignore` comment",
                        DASHES,
                    ),
                    place,
                });
            }
            CommentDirective::Checkov { id, reason } => {
                // Checkov reads a skip comment anywhere inside the resource it applies to.
                let resources = anchored
                    .cloned()
                    .or_else(|| places.containing(file.id, span.start).map(|r| vec![r]));
                if let Some(resources) = resources {
                    out.push(Found {
                        directive: Directive::new(
                            SuppressionKind::Checkov,
                            vec![id.clone()],
                            reason,
                            span,
                            format!("`checkov:skip={id}`"),
                            "write it after `:` (`checkov:skip=ID:reason`)",
                        ),
                        place: Place::Resources(resources),
                    });
                }
            }
        }
    }
    out
}

/// What a line holds, for finding the line a comment is above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// Only whitespace.
    Blank,
    /// Only comments, or a YAML document marker (`---`, `...`): skipped when looking for the
    /// line a comment is above, so comments can be stacked.
    Comment,
    /// Anything else, including the content of block scalars and heredocs.
    Code,
}

/// The lines of a file, told apart by where its comments are.
pub(crate) struct Lines<'a> {
    pub(crate) file: &'a SourceFile,
    /// The file's comments, in source order.
    pub(crate) comments: &'a [Comment],
}

impl Lines<'_> {
    /// The kind of line `line` (1-based).
    pub(crate) fn kind(&self, line: u32) -> LineKind {
        let range = self.file.lines.line_range(&self.file.text, line);
        let Some(first) = self.first_code(range.start, range.end) else {
            let text = self.file.text.get(range).unwrap_or("");
            return if text.trim().is_empty() {
                LineKind::Blank
            } else {
                LineKind::Comment
            };
        };
        if self.is_marker(first, range.start, range.end) {
            LineKind::Comment
        } else {
            LineKind::Code
        }
    }

    /// Whether code precedes byte `offset` on its line (a YAML document marker is not code).
    pub(crate) fn code_before(&self, offset: usize) -> bool {
        let line = self.file.line_col(offset as u32).line;
        let start = self.file.lines.line_range(&self.file.text, line).start;
        self.first_code(start, offset)
            .is_some_and(|first| !self.is_marker(first, start, offset))
    }

    /// Whether the code from `first` to `end` on a line starting at `line_start` is only a
    /// YAML document marker: `---` or `...` at the start of the line, with nothing but a
    /// comment after it.
    fn is_marker(&self, first: usize, line_start: usize, end: usize) -> bool {
        self.file.format == Format::Yaml
            && first == line_start
            && ["---", "..."].iter().any(|m| {
                self.file.text.get(first..first + 3) == Some(m)
                    && self.first_code(first + 3, end).is_none()
            })
    }

    /// The first byte in `from..to` that is neither whitespace nor inside a comment.
    fn first_code(&self, from: usize, to: usize) -> Option<usize> {
        let bytes = self.file.text.as_bytes();
        let mut comments = self
            .comments
            .get(
                self.comments
                    .partition_point(|c| (c.span.end as usize) <= from)..,
            )
            .unwrap_or_default()
            .iter()
            .map(|c| c.span)
            .peekable();
        let mut i = from;
        while i < to {
            while comments.next_if(|c: &Span| (c.end as usize) <= i).is_some() {}
            if let Some(c) = comments.peek().filter(|c| (c.start as usize) <= i) {
                i = c.end as usize;
                continue;
            }
            match bytes.get(i) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
                Some(_) => return Some(i),
                None => return None,
            }
        }
        None
    }
}
