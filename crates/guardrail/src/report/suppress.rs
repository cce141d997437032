//! Suppressions: the stage between evaluation and rendering that marks the findings the input
//! itself silences, and reports the suppressions that are wrong (`docs/suppressions.md`).
//!
//! What silences a finding, written in the scanned files:
//!
//! - a comment `# guardrail:ignore ID[, ID…] -- reason` (HCL also `// …`). On the line above a
//!   resource's first line, or at the end of that line, it silences those rules for every
//!   finding on the resource; above or at the end of any other line, only for the findings
//!   located at that line;
//! - CloudFormation `Metadata: { guardrail: { ignore: [ { id: ID, reason: … } ] } }` on a
//!   resource (JSON templates have no comments);
//! - the Kubernetes annotation `guardrail.dev/ignore: "ID[, ID…] -- reason"` on an object;
//! - Checkov's own forms (`# checkov:skip=CKV_AWS_20:reason` comments, `Metadata.checkov.skip`,
//!   `checkov.io/skipN: CKV_K8S_20=reason` annotations): they silence every rule whose
//!   `references.checkov` lists that id.
//!
//! Suppressed findings stay in the report with [`ReportFinding::suppression`] set; they never
//! fail the gate. A suppression without a reason ([`NO_REASON`]) and one that silences nothing
//! ([`SUPPRESSES_NOTHING`]: no such finding there, or an unknown rule id) each become an
//! info-level finding of a built-in meta rule ([`meta_rules`]), located at the suppression.
//!
//! Comments are not in the value tree, so they are found in the file text by a small
//! tokenizer per format that follows quoted strings, YAML block scalars and flow
//! collections, and HCL heredocs, template interpolations and block comments. Its limits:
//! YAML block scalars are recognised by their `|`/`>` header and end at the first line
//! indented no deeper than their parent key; a `#` inside a construct the tokenizer does not
//! follow (an HCL string broken over lines inside `${…}`) may be taken for a comment.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use crate::evaluate::{RulePack, Status};
use crate::graph::{Framework, ResourceId};
use crate::report::{Report, ReportFinding, Suppression, SuppressionKind, fingerprint};
use crate::rules::builtin::LazyPack;
#[cfg(test)]
use crate::rules::builtin::builtin;
use crate::rules::catalog::Stride;
use crate::rules::model::{Rule, Severity};
use crate::scan::GraphScan;
use crate::source::{FileId, Format, SourceFile, Span};
use crate::value::Node;

/// The meta rule for a suppression that gives no reason.
pub const NO_REASON: &str = "GEN-SUPPRESS-001";
/// The meta rule for a suppression that silences nothing: no finding of the rule where it is
/// written, or a rule id guardrail does not know.
pub const SUPPRESSES_NOTHING: &str = "GEN-SUPPRESS-002";
/// The Kubernetes annotation that suppresses findings on its object.
pub const ANNOTATION: &str = "guardrail.dev/ignore";

/// The built-in meta rules about suppressions. They have no bindings: the suppression stage
/// produces their findings, not the evaluator. Add them to a [`crate::Scanner`]'s rules to get
/// those findings (`Scanner::builtin` does); leaving one out, or `--ignore`-ing it, turns its
/// check off.
pub fn meta_rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        vec![
            meta_rule(
                NO_REASON,
                "A suppression says why the finding is accepted",
                &["CM-6", "CM-3"],
                "A suppression is a decision to accept a risk. Written without a reason it \
                 cannot be reviewed, audited or revisited: nobody can tell later whether the \
                 exception was deliberate, who took it, or whether it still holds, which is \
                 the repudiation STRIDE names. NIST SP 800-53 asks that deviations from \
                 configuration settings be documented and approved (CM-6) and that change \
                 decisions be recorded (CM-3).",
                "Give the reason after ` -- ` in a comment or annotation \
                 (`# guardrail:ignore AWS-S3-001 -- public website assets, reviewed by \
                 security`), as `reason:` in CloudFormation Metadata, or after `:` in a \
                 `checkov:skip=` comment.",
            ),
            meta_rule(
                SUPPRESSES_NOTHING,
                "A suppression names a rule that has a finding where it is written",
                &["CM-6", "CA-7"],
                "A suppression that silences nothing is stale (the problem was fixed, the \
                 resource moved or was renamed), misplaced (above the wrong line), or names a \
                 rule id that does not exist (a typo, `all`). Each hides a future finding or \
                 gives false assurance that an exception is in force, and undermines the \
                 record of accepted deviations (CM-6) that continuous monitoring relies on \
                 (CA-7).",
                "Remove the suppression, move it to the line above the resource (every \
                 finding on it) or above the attribute the finding points at (that line only), \
                 or correct the rule id (`guardrail rules` lists them). A suppression names \
                 each rule it silences: there is no `all`.",
            ),
        ]
    })
}

fn meta_rule(id: &str, title: &str, nist: &[&str], rationale: &str, remediation: &str) -> Rule {
    Rule {
        id: id.to_owned(),
        title: title.to_owned(),
        severity: Severity::Info,
        stride: vec![Stride::Repudiation],
        nist: nist.iter().map(|&n| n.to_owned()).collect(),
        rationale: rationale.to_owned(),
        remediation: remediation.to_owned(),
        references: BTreeMap::new(),
        bindings: Vec::new(),
        path: "built in (docs/suppressions.md)".to_owned(),
    }
}

/// Whether `id` names one of the [`meta_rules`].
pub fn is_meta_rule(id: &str) -> bool {
    meta_rules().iter().any(|r| r.id.eq_ignore_ascii_case(id))
}

/// Marks the findings of `report` that the scanned files suppress, adds a finding for each
/// wrong suppression (when its meta rule is in `pack`).
pub fn apply(report: &mut Report, scan: &GraphScan, pack: &RulePack) {
    let mut found = Vec::new();
    let places = Places::new(scan);
    for file in scan.files.iter() {
        if scan.frameworks.contains_key(&file.id) && has_comment_directive(file) {
            found.extend(from_comments(file, &places));
        }
    }
    for (id, resource) in scan.graph.iter() {
        match resource.framework {
            Framework::CloudFormation => found.extend(from_metadata(id, &resource.attributes)),
            Framework::Kubernetes => found.extend(from_annotations(id, &resource.attributes)),
            Framework::Terraform => {}
        }
    }
    if found.is_empty() {
        return;
    }
    // Line suppressions are more specific than resource ones, so theirs is the reason a
    // finding shows when both apply; all of them count as used.
    found.sort_by_key(|s| (!matches!(s.place, Place::Line(..)), s.span));

    let rules: HashMap<String, &Rule> = pack
        .rules()
        .iter()
        .map(|r| (r.id.to_ascii_uppercase(), r))
        .collect();
    let mut used: Vec<Vec<bool>> = found.iter().map(|s| vec![false; s.ids.len()]).collect();
    let mut silenced: Vec<Vec<String>> = vec![Vec::new(); found.len()];
    for finding in &mut report.findings {
        for (n, s) in found.iter().enumerate() {
            if !s.place.covers(finding, scan) {
                continue;
            }
            for (i, id) in s.ids.iter().enumerate() {
                let hit = match s.kind {
                    SuppressionKind::Checkov | SuppressionKind::Guard => rules
                        .get(&finding.rule_id.to_ascii_uppercase())
                        .and_then(|r| r.references.get(peer_tool(s.kind)))
                        .is_some_and(|ids| ids.iter().any(|c| c.eq_ignore_ascii_case(id))),
                    _ => finding.rule_id.eq_ignore_ascii_case(id),
                };
                if !hit {
                    continue;
                }
                if let Some(flag) = used.get_mut(n).and_then(|u| u.get_mut(i)) {
                    *flag = true;
                }
                if let Some(list) = silenced.get_mut(n) {
                    if !list.contains(&finding.rule_id) {
                        list.push(finding.rule_id.clone());
                    }
                }
                if finding.suppression.is_none() {
                    finding.suppression = Some(Suppression {
                        kind: s.kind,
                        reason: s.reason.clone(),
                        span: s.span,
                    });
                }
            }
        }
    }

    let mut judge = Judge {
        scan,
        places: &places,
        rules: &rules,
        known: OnceCell::new(),
        out: Vec::new(),
    };
    for ((s, used), silenced) in found.iter().zip(&used).zip(&silenced) {
        judge.suppression(s, used, silenced);
    }
    report.findings.extend(judge.out);
    report.findings.sort_by(|a, b| {
        (&a.file, a.start, &a.rule_id, &a.resource).cmp(&(
            &b.file,
            b.start,
            &b.rule_id,
            &b.resource,
        ))
    });
}

/// One suppression found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    kind: SuppressionKind,
    /// Guardrail rule ids, or for Checkov the one Checkov id; as written.
    ids: Vec<String>,
    reason: Option<String>,
    /// Where it is written.
    span: Span,
    /// What it applies to.
    place: Place,
    /// Why it is malformed and silences nothing.
    problem: Option<String>,
    /// How messages name it: "the `guardrail:ignore` comment".
    label: String,
    /// How to give it a reason.
    hint: &'static str,
}

/// How to give a reason in a `guardrail:ignore` comment or annotation.
const DASHES: &str = "add ` -- why this is accepted`";

/// What a suppression applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// Every finding on these resources.
    Resources(Vec<ResourceId>),
    /// The findings located at this line (1-based) of this file.
    Line(FileId, u32),
    /// Nothing: a comment neither on nor directly above a line of code.
    Nowhere,
}

impl Place {
    fn covers(&self, finding: &ReportFinding, scan: &GraphScan) -> bool {
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
struct Places<'s> {
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
    fn new(scan: &'s GraphScan) -> Self {
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
    fn containing(&self, file: FileId, offset: u32) -> Option<ResourceId> {
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
    fn containing_line(&self, file: &SourceFile, line: u32) -> Option<ResourceId> {
        let range = file.lines.line_range(&file.text, line);
        let text = file.text.get(range.clone())?;
        let start = range.start + (text.len() - text.trim_start().len());
        self.containing(file.id, start as u32)
    }
}

// ---------------------------------------------------------------------------------------
// Comments

/// What a line holds, for finding the line a comment is above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    /// Only whitespace.
    Blank,
    /// Only a comment, or a YAML document marker (`---`): skipped when looking for the line
    /// a comment is above, so comments can be stacked.
    Comment,
    /// Anything else, including the content of block scalars and heredocs.
    Code,
}

/// A comment: where its marker is, where it ends, what follows the marker.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Comment<'t> {
    /// 0-based line index.
    line: usize,
    /// Byte offset of the marker (`#`, `//`) in the text.
    start: usize,
    /// Byte offset of its end, trailing whitespace excluded.
    end: usize,
    /// The text after the marker.
    body: &'t str,
    /// Whether code precedes it on its line.
    trailing: bool,
}

/// Every line's kind and every line comment of a text.
fn comments(text: &str, format: Format) -> (Vec<LineKind>, Vec<Comment<'_>>) {
    let mut kinds = Vec::new();
    let mut found = Vec::new();
    let mut yaml = YamlState::default();
    let mut hcl = HclState::default();
    let mut offset = 0;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let scanned = match format {
            Format::Yaml => yaml.line(line),
            Format::Hcl => hcl.line(line),
            Format::Json | Format::TerraformJson => Scanned {
                kind: if line.trim().is_empty() {
                    LineKind::Blank
                } else {
                    LineKind::Code
                },
                comment: None,
            },
        };
        kinds.push(scanned.kind);
        if let Some((at, marker)) = scanned.comment {
            let body = line.get(at + marker..).unwrap_or("");
            found.push(Comment {
                line: index,
                start: offset + at,
                end: offset + line.trim_end().len(),
                body,
                trailing: scanned.kind == LineKind::Code,
            });
        }
        offset += raw.len() + 1;
    }
    (kinds, found)
}

/// One line, tokenized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scanned {
    kind: LineKind,
    /// Byte offset of a line comment's marker in the line, and the marker's length.
    comment: Option<(usize, usize)>,
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// YAML tokenizer state carried from line to line.
#[derive(Debug, Default)]
struct YamlState {
    /// Inside a block scalar whose parent node starts at this column: blank lines and lines
    /// indented deeper are its content.
    block: Option<usize>,
    /// Inside a quoted scalar (`"` or `'`) that continues on the next line.
    quote: Option<u8>,
    /// Depth of open flow collections (`[`, `{`).
    flow: usize,
}

impl YamlState {
    fn line(&mut self, line: &str) -> Scanned {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let blank = line.trim().is_empty();
        if let Some(parent) = self.block {
            if blank || indent > parent {
                return Scanned {
                    kind: if blank {
                        LineKind::Blank
                    } else {
                        LineKind::Code
                    },
                    comment: None,
                };
            }
            self.block = None;
        }
        let mut i = 0;
        let mut code = false;
        let mut comment = None;
        // Whether a scalar may start here: at the start of a line, after `key: `, `- `, `? `,
        // a tag or anchor, or inside a flow collection after `[`, `{` or `,`.
        let mut scalar_start = true;
        // The column of the node a block scalar would belong to, and of the current token.
        let mut node_col = indent;
        let mut token_col: Option<usize> = None;
        let mut pending_block = None;
        while let Some(&c) = bytes.get(i) {
            if let Some(q) = self.quote {
                code = true;
                match closing_quote(bytes, i, q) {
                    Some(end) => {
                        self.quote = None;
                        scalar_start = false;
                        i = end + 1;
                    }
                    None => i = bytes.len(),
                }
                continue;
            }
            if is_space(c) {
                i += 1;
                continue;
            }
            if c == b'#' && (i == 0 || bytes.get(i - 1).copied().is_some_and(is_space)) {
                comment = Some((i, 1));
                break;
            }
            code = true;
            let next = bytes.get(i + 1).copied();
            let ends_token = next.is_none_or(is_space);
            if scalar_start {
                match c {
                    b'"' | b'\'' => {
                        token_col = Some(i);
                        self.quote = Some(c);
                        i += 1;
                        continue;
                    }
                    b'-' | b'?' if ends_token => {
                        node_col = i;
                        i += 1;
                        continue;
                    }
                    b'!' | b'&' => {
                        while bytes.get(i).is_some_and(|&b| !is_space(b)) {
                            i += 1;
                        }
                        continue;
                    }
                    b'|' | b'>' if self.flow == 0 => {
                        let mut j = i + 1;
                        while bytes
                            .get(j)
                            .is_some_and(|&b| b.is_ascii_digit() || b == b'+' || b == b'-')
                        {
                            j += 1;
                        }
                        if bytes.get(j).is_none_or(|&b| is_space(b)) {
                            pending_block = Some(node_col);
                            scalar_start = false;
                            i = j;
                            continue;
                        }
                    }
                    b'[' | b'{' => {
                        self.flow += 1;
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
                token_col = Some(i);
                scalar_start = false;
            }
            match c {
                b':' if ends_token
                    || (self.flow > 0 && matches!(next, Some(b',' | b']' | b'}'))) =>
                {
                    if let Some(t) = token_col.take() {
                        node_col = t;
                    }
                    scalar_start = true;
                }
                b',' if self.flow > 0 => {
                    token_col = None;
                    scalar_start = true;
                }
                b'[' | b'{' if self.flow > 0 => {
                    self.flow += 1;
                    scalar_start = true;
                }
                b']' | b'}' if self.flow > 0 => self.flow -= 1,
                _ => {}
            }
            i += 1;
        }
        if pending_block.is_some() {
            self.block = pending_block;
        }
        let code_text = comment
            .and_then(|(at, _)| line.get(..at))
            .unwrap_or(line)
            .trim();
        let kind = if code_text == "---" || code_text == "..." {
            LineKind::Comment
        } else if code {
            LineKind::Code
        } else if comment.is_some() {
            LineKind::Comment
        } else {
            LineKind::Blank
        };
        Scanned { kind, comment }
    }
}

/// The index of the quote that closes a YAML quoted scalar, searching from `from`.
fn closing_quote(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        if quote == b'"' && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote {
            // `''` is an escaped quote inside a single-quoted scalar.
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// HCL tokenizer state carried from line to line.
#[derive(Debug, Default)]
struct HclState {
    /// Inside a heredoc ending at a line holding only this marker.
    heredoc: Option<String>,
    /// Inside a `/* … */` comment.
    block_comment: bool,
    /// Open strings and `${…}` / `%{…}` interpolations (with their brace depth).
    stack: Vec<HclContext>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HclContext {
    String,
    Template(u32),
}

impl HclState {
    fn line(&mut self, line: &str) -> Scanned {
        if let Some(marker) = &self.heredoc {
            if line.trim() == marker {
                self.heredoc = None;
            }
            return Scanned {
                kind: LineKind::Code,
                comment: None,
            };
        }
        let bytes = line.as_bytes();
        let mut i = 0;
        let mut code = false;
        let mut in_comment = false;
        let mut comment = None;
        while let Some(&c) = bytes.get(i) {
            let next = bytes.get(i + 1).copied();
            if self.block_comment {
                in_comment = true;
                match line.get(i..).and_then(|rest| rest.find("*/")) {
                    Some(end) => {
                        self.block_comment = false;
                        i += end + 2;
                    }
                    None => i = bytes.len(),
                }
                continue;
            }
            match self.stack.last_mut() {
                Some(HclContext::String) => {
                    code = true;
                    match (c, next) {
                        (b'\\', _) => i += 1,
                        (b'"', _) => {
                            self.stack.pop();
                        }
                        // `$${` and `%%{` are literal.
                        (b'$', Some(b'$')) | (b'%', Some(b'%')) => i += 1,
                        (b'$' | b'%', Some(b'{')) => {
                            self.stack.push(HclContext::Template(0));
                            i += 1;
                        }
                        _ => {}
                    }
                }
                Some(HclContext::Template(depth)) => {
                    code = true;
                    match c {
                        b'"' => self.stack.push(HclContext::String),
                        b'{' => *depth += 1,
                        b'}' if *depth == 0 => {
                            self.stack.pop();
                        }
                        b'}' => *depth -= 1,
                        _ => {}
                    }
                }
                None => match (c, next) {
                    (b' ' | b'\t', _) => {}
                    (b'#', _) => {
                        comment = Some((i, 1));
                        break;
                    }
                    (b'/', Some(b'/')) => {
                        comment = Some((i, 2));
                        break;
                    }
                    (b'/', Some(b'*')) => {
                        self.block_comment = true;
                        i += 1;
                    }
                    (b'"', _) => {
                        code = true;
                        self.stack.push(HclContext::String);
                    }
                    (b'<', Some(b'<')) => {
                        code = true;
                        let rest = line.get(i + 2..).unwrap_or("");
                        let rest = rest.strip_prefix('-').unwrap_or(rest);
                        let marker: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                            .collect();
                        if !marker.is_empty()
                            && rest
                                .get(marker.len()..)
                                .is_some_and(|r| r.trim().is_empty())
                        {
                            self.heredoc = Some(marker);
                            break;
                        }
                        i += 1;
                    }
                    _ => code = true,
                },
            }
            i += 1;
        }
        // A quoted string cannot span lines: an unterminated one is a syntax error the parser
        // reports; starting afresh keeps the next line's comments visible.
        if self.stack.last() == Some(&HclContext::String) {
            self.stack.clear();
        }
        let kind = if code {
            LineKind::Code
        } else if comment.is_some() || in_comment {
            LineKind::Comment
        } else {
            LineKind::Blank
        };
        Scanned { kind, comment }
    }
}

/// A suppression written in a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Directive {
    /// `guardrail:ignore ID[, ID…] -- reason`.
    Ignore {
        ids: Vec<String>,
        reason: Option<String>,
    },
    /// `checkov:skip=CKV_ID:reason`.
    Checkov { id: String, reason: Option<String> },
}

/// The directive in a comment's text (after `#` or `//`), if it holds one.
fn parse_comment(body: &str) -> Option<Directive> {
    let body = body.trim();
    if let Some(rest) = body.strip_prefix("guardrail:ignore") {
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let (ids, reason) = parse_ignore(rest);
        return Some(Directive::Ignore { ids, reason });
    }
    // Checkov's own syntax: `checkov:skip=<id>` with an optional `:<comment>`.
    let rest = body.strip_prefix("checkov:skip=")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (id, after) = rest.split_at(end);
    if id.is_empty() {
        return None;
    }
    let reason = after.strip_prefix(':').and_then(non_empty);
    Some(Directive::Checkov {
        id: id.to_owned(),
        reason,
    })
}

/// `ID[, ID…] -- reason` (the text after `guardrail:ignore`, or the annotation's value):
/// the ids, split at commas and whitespace, and the reason after the first `--`.
fn parse_ignore(text: &str) -> (Vec<String>, Option<String>) {
    let (ids, reason) = match text.split_once("--") {
        Some((ids, reason)) => (ids, non_empty(reason)),
        None => (text, None),
    };
    let mut out: Vec<String> = Vec::new();
    for id in ids.split(|c: char| c == ',' || c.is_whitespace()) {
        if !id.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(id)) {
            out.push(id.to_owned());
        }
    }
    (out, reason)
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Whether `file` may hold a suppression comment: most files have none, and are not
/// tokenized.
fn has_comment_directive(file: &SourceFile) -> bool {
    matches!(file.format, Format::Yaml | Format::Hcl)
        && (file.text.contains("guardrail:ignore") || file.text.contains("checkov:skip="))
}

/// The suppressions written as comments in `file`.
fn from_comments(file: &SourceFile, places: &Places<'_>) -> Vec<Found> {
    let (kinds, comments) = comments(&file.text, file.format);
    let mut out = Vec::new();
    for comment in comments {
        let Some(directive) = parse_comment(comment.body) else {
            continue;
        };
        let span = Span::new(file.id, comment.start as u32, comment.end as u32);
        // The line the comment is about: its own when it follows code, else the next line of
        // code below it, across other comments but not across blank lines.
        let target = if comment.trailing {
            Some(comment.line)
        } else {
            kinds
                .iter()
                .enumerate()
                .skip(comment.line + 1)
                .find(|(_, k)| **k != LineKind::Comment)
                .filter(|(_, k)| **k == LineKind::Code)
                .map(|(i, _)| i)
        }
        .map(|i| i as u32 + 1);
        let anchored = target.and_then(|line| places.anchored(file.id, line));
        match directive {
            Directive::Ignore { ids, reason } => {
                let place = match (anchored, target) {
                    (Some(resources), _) => Place::Resources(resources.clone()),
                    (None, Some(line)) => Place::Line(file.id, line),
                    (None, None) => Place::Nowhere,
                };
                out.push(Found {
                    kind: SuppressionKind::Comment,
                    ids,
                    reason,
                    span,
                    place,
                    problem: None,
                    label: "the `guardrail:ignore` comment".into(),
                    hint: DASHES,
                });
            }
            Directive::Checkov { id, reason } => {
                // Checkov reads a skip comment anywhere inside the resource it applies to.
                let resources = anchored.cloned().or_else(|| {
                    places
                        .containing(file.id, comment.start as u32)
                        .map(|r| vec![r])
                });
                if let Some(resources) = resources {
                    out.push(Found {
                        kind: SuppressionKind::Checkov,
                        label: format!("`checkov:skip={id}`"),
                        ids: vec![id],
                        reason,
                        span,
                        place: Place::Resources(resources),
                        problem: None,
                        hint: "write it after `:` (`checkov:skip=ID:reason`)",
                    });
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// CloudFormation Metadata and Kubernetes annotations

/// How to give a reason in CloudFormation Metadata.
const METADATA_REASON: &str = "add `reason: …` to the entry";

/// The `references` key under which rules list the ids a peer tool's suppression names.
fn peer_tool(kind: SuppressionKind) -> &'static str {
    match kind {
        SuppressionKind::Guard => "guard",
        _ => "checkov",
    }
}

/// `Metadata.guardrail.ignore`, `Metadata.checkov.skip` and `Metadata.guard.SuppressedRules`
/// of a CloudFormation resource.
fn from_metadata(resource: ResourceId, attributes: &Node) -> Vec<Found> {
    let mut out = Vec::new();
    let Some(metadata) = attributes.get("Metadata") else {
        return out;
    };
    let place = || Place::Resources(vec![resource]);
    if let Some(guardrail) = metadata.get("guardrail") {
        let malformed = |node: &Node, problem: &str| Found {
            kind: SuppressionKind::Metadata,
            ids: Vec::new(),
            reason: None,
            span: node.span,
            place: place(),
            problem: Some(format!(
                "{problem}: write `guardrail: {{ ignore: [ {{ id: RULE-ID, reason: why }} ] }}`"
            )),
            label: "`Metadata.guardrail`".into(),
            hint: METADATA_REASON,
        };
        match guardrail.get("ignore").map(|i| (i, i.as_seq())) {
            None => out.push(malformed(
                guardrail,
                "`Metadata.guardrail` has no `ignore` list",
            )),
            Some((node, None)) => {
                out.push(malformed(node, "`Metadata.guardrail.ignore` is not a list"))
            }
            Some((_, Some(items))) => {
                for item in items {
                    let entry = match (item.as_str(), item.get("id").and_then(Node::as_str)) {
                        // A bare id is understood, but it has no reason.
                        (Some(id), _) => Some((id, None)),
                        (None, Some(id)) => Some((
                            id,
                            item.get("reason")
                                .and_then(Node::as_str)
                                .and_then(non_empty),
                        )),
                        (None, None) => None,
                    };
                    match entry {
                        Some((id, reason)) => out.push(Found {
                            kind: SuppressionKind::Metadata,
                            ids: vec![id.trim().to_owned()],
                            reason,
                            span: item.span,
                            place: place(),
                            problem: None,
                            label: "this `Metadata.guardrail.ignore` entry".into(),
                            hint: METADATA_REASON,
                        }),
                        None => out.push(malformed(
                            item,
                            "this `Metadata.guardrail.ignore` entry has no `id` string",
                        )),
                    }
                }
            }
        }
    }
    // cfn-guard's form: rule names, with no place for a reason.
    let guard = metadata
        .at(&["guard", "SuppressedRules"])
        .and_then(Node::as_seq);
    for item in guard.unwrap_or_default() {
        if let Some(name) = item.as_str() {
            out.push(Found {
                kind: SuppressionKind::Guard,
                ids: vec![name.trim().to_owned()],
                reason: None,
                span: item.span,
                place: place(),
                problem: None,
                label: format!("the `Metadata.guard.SuppressedRules` entry {}", name.trim()),
                hint: "Guard's form has no reason; record one in `Metadata.guardrail.ignore` instead",
            });
        }
    }
    // Checkov's form; shapes Checkov would not read are its business, not ours.
    let skips = metadata.at(&["checkov", "skip"]).and_then(Node::as_seq);
    for item in skips.unwrap_or_default() {
        if let Some(id) = item.get("id").and_then(Node::as_str) {
            out.push(Found {
                kind: SuppressionKind::Checkov,
                ids: vec![id.trim().to_owned()],
                reason: item
                    .get("comment")
                    .and_then(Node::as_str)
                    .and_then(non_empty),
                span: item.span,
                place: place(),
                problem: None,
                label: format!("the `Metadata.checkov.skip` entry for {}", id.trim()),
                hint: "add `comment: …` to the entry",
            });
        }
    }
    out
}

/// The `guardrail.dev/ignore` and `checkov.io/skipN` annotations of a Kubernetes object.
fn from_annotations(resource: ResourceId, attributes: &Node) -> Vec<Found> {
    let mut out = Vec::new();
    let Some(annotations) = attributes
        .at(&["metadata", "annotations"])
        .and_then(Node::as_map)
    else {
        return out;
    };
    for entry in annotations {
        let value = &entry.value;
        if entry.key == ANNOTATION {
            let (ids, reason, problem) = match value.as_str() {
                Some(text) => {
                    let (ids, reason) = parse_ignore(text);
                    (ids, reason, None)
                }
                None => (
                    Vec::new(),
                    None,
                    Some(format!(
                        "the `{ANNOTATION}` annotation is a {}, not a string \
                         `RULE-ID[, RULE-ID…] -- reason`",
                        value.value.kind_name()
                    )),
                ),
            };
            out.push(Found {
                kind: SuppressionKind::Annotation,
                ids,
                reason,
                span: value.span,
                place: Place::Resources(vec![resource]),
                problem,
                label: format!("the `{ANNOTATION}` annotation"),
                hint: DASHES,
            });
        } else if entry.key.starts_with("checkov.io/skip") {
            // `checkov.io/skip1: CKV_K8S_20=reason`
            let Some(text) = value.as_str() else {
                continue;
            };
            let (id, reason) = match text.split_once('=') {
                Some((id, reason)) => (id, non_empty(reason)),
                None => (text, None),
            };
            out.push(Found {
                kind: SuppressionKind::Checkov,
                ids: vec![id.trim().to_owned()],
                reason,
                span: value.span,
                place: Place::Resources(vec![resource]),
                problem: None,
                label: format!("the `{}` annotation", entry.key),
                hint: "write it after `=` (`ID=reason`)",
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Judging suppressions

/// Turns wrong suppressions into findings of the meta rules.
struct Judge<'a> {
    scan: &'a GraphScan,
    places: &'a Places<'a>,
    /// The rules that ran, by upper-case id.
    rules: &'a HashMap<String, &'a Rule>,
    /// Every rule id guardrail knows (built in, loaded, meta), upper case; built when first
    /// needed, as most scans have no suppression naming an id that did not run.
    known: OnceCell<HashSet<String>>,
    out: Vec<ReportFinding>,
}

impl Judge<'_> {
    fn suppression(&mut self, s: &Found, used: &[bool], silenced: &[String]) {
        let label = &s.label;
        if matches!(s.kind, SuppressionKind::Checkov | SuppressionKind::Guard) {
            // Another tool's skips are judged only as far as they affect guardrail: one that
            // silences nothing here may still be needed by that tool itself.
            if s.reason.is_none() && !silenced.is_empty() {
                self.emit(
                    NO_REASON,
                    s,
                    &s.ids.join(","),
                    format!(
                        "{label} gives no reason, yet it silences {} here: {}",
                        silenced.join(", "),
                        s.hint
                    ),
                );
            }
            return;
        }
        if let Some(problem) = &s.problem {
            self.emit(SUPPRESSES_NOTHING, s, "", problem.clone());
            return;
        }
        if s.ids.is_empty() {
            self.emit(
                SUPPRESSES_NOTHING,
                s,
                "",
                format!("{label} names no rule, so it suppresses nothing"),
            );
        }
        if s.reason.is_none() {
            let what = if s.ids.is_empty() {
                String::new()
            } else {
                format!(" silencing {}", s.ids.join(", "))
            };
            self.emit(
                NO_REASON,
                s,
                &s.ids.join(","),
                format!("{label}{what} gives no reason: {}", s.hint),
            );
        }
        for (id, &used) in s.ids.iter().zip(used) {
            if used {
                continue;
            }
            let upper = id.to_ascii_uppercase();
            let message = if is_meta_rule(id) {
                format!(
                    "findings of {upper} cannot be suppressed in the files they are about; \
                     run with `--ignore {upper}` to turn the check off"
                )
            } else if upper == "ALL" || id.contains('*') {
                format!(
                    "`{id}` is not a rule id: a suppression names each rule it silences, so it \
                     suppresses nothing"
                )
            } else if !self.rules.contains_key(&upper) && !self.known().contains(&upper) {
                format!("`{id}` is not a known rule id, so it suppresses nothing")
            } else if !self.rules.contains_key(&upper) {
                // The rule did not run (`--select`, `--ignore`): nothing can be said.
                continue;
            } else {
                match &s.place {
                    Place::Resources(ids) => format!(
                        "{upper} has no finding on {} to suppress",
                        ids.iter()
                            .filter_map(|&r| self.scan.graph.resource(r))
                            .map(|r| format!("`{}`", r.address))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Place::Line(_, line) => format!(
                        "{upper} has no finding at line {line} to suppress (above a resource's \
                         first line a suppression covers the whole resource)"
                    ),
                    Place::Nowhere => format!(
                        "{label} is not directly above a line (a blank line or the end of the \
                         file follows it), so {upper} is suppressed nowhere"
                    ),
                }
            };
            self.emit(SUPPRESSES_NOTHING, s, &upper, message);
        }
    }

    fn known(&self) -> &HashSet<String> {
        self.known.get_or_init(|| {
            LazyPack::builtin()
                .rules()
                .iter()
                .map(|r| r.id())
                .chain(self.rules.values().map(|r| r.id.as_str()))
                .chain(meta_rules().iter().map(|r| r.id.as_str()))
                .map(str::to_ascii_uppercase)
                .collect()
        })
    }

    /// Adds a finding of meta rule `rule_id` about suppression `s`; `subject` tells it apart
    /// from other findings of the same suppression in the fingerprint.
    fn emit(&mut self, rule_id: &str, s: &Found, subject: &str, message: String) {
        let Some(rule) = self.rules.get(rule_id) else {
            return;
        };
        let Some(file) = self.scan.files.get(s.span.file) else {
            return;
        };
        let resource = match &s.place {
            Place::Resources(ids) => ids.first().copied(),
            Place::Line(_, line) => self.places.containing_line(file, *line),
            Place::Nowhere => None,
        }
        .or_else(|| self.places.containing(file.id, s.span.start))
        .and_then(|id| self.scan.graph.resource(id));
        let path = file.display_path();
        let (address, type_name, framework, scope) = match resource {
            Some(r) => (
                r.address.clone(),
                r.type_name.clone(),
                r.framework,
                r.scope.clone(),
            ),
            None => (
                path.clone(),
                "file".to_owned(),
                self.scan
                    .frameworks
                    .get(&file.id)
                    .copied()
                    .unwrap_or(Framework::Terraform),
                format!("file:{path}"),
            ),
        };
        let kind = serde_json::to_value(s.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.out.push(ReportFinding {
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            status: Status::Fail,
            stride: rule.stride.clone(),
            nist: rule.nist.clone(),
            resource: address.clone(),
            resource_type: type_name,
            framework,
            file: path,
            span: s.span,
            start: file.line_col(s.span.start),
            end: file.line_col(s.span.end),
            attribute: String::new(),
            message,
            remediation: rule.remediation.clone(),
            fingerprint: fingerprint(&[
                &rule.id,
                &scope,
                &address,
                &format!("suppression:{kind}:{subject}"),
            ]),
            suppression: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scanner;

    fn ignore(ids: &[&str], reason: Option<&str>) -> Option<Directive> {
        Some(Directive::Ignore {
            ids: ids.iter().map(|&i| i.to_owned()).collect(),
            reason: reason.map(str::to_owned),
        })
    }

    fn checkov(id: &str, reason: Option<&str>) -> Option<Directive> {
        Some(Directive::Checkov {
            id: id.to_owned(),
            reason: reason.map(str::to_owned),
        })
    }

    #[test]
    fn directives_name_ids_and_a_reason() {
        assert_eq!(
            parse_comment(" guardrail:ignore AWS-S3-001 -- public website"),
            ignore(&["AWS-S3-001"], Some("public website"))
        );
        assert_eq!(
            parse_comment(
                "guardrail:ignore AWS-S3-001, AWS-S3-002 AWS-EC2-003,AWS-S3-001 -- a -- b"
            ),
            ignore(&["AWS-S3-001", "AWS-S3-002", "AWS-EC2-003"], Some("a -- b"))
        );
        assert_eq!(
            parse_comment("guardrail:ignore AWS-S3-001"),
            ignore(&["AWS-S3-001"], None)
        );
        assert_eq!(
            parse_comment("guardrail:ignore AWS-S3-001 --   "),
            ignore(&["AWS-S3-001"], None)
        );
        assert_eq!(
            parse_comment("guardrail:ignore -- why"),
            ignore(&[], Some("why"))
        );
        assert_eq!(parse_comment("guardrail:ignore"), ignore(&[], None));
        assert_eq!(parse_comment("guardrail:ignored AWS-S3-001 -- x"), None);
        assert_eq!(parse_comment("see guardrail:ignore AWS-S3-001 -- x"), None);
        assert_eq!(parse_comment("just a comment"), None);
    }

    #[test]
    fn checkov_skips_in_both_spellings() {
        assert_eq!(
            parse_comment(" checkov:skip=CKV_AWS_20: public website"),
            checkov("CKV_AWS_20", Some("public website"))
        );
        assert_eq!(
            parse_comment("checkov:skip=CKV_AWS_20:reason"),
            checkov("CKV_AWS_20", Some("reason"))
        );
        assert_eq!(
            parse_comment("checkov:skip=CKV_AWS_20"),
            checkov("CKV_AWS_20", None)
        );
        assert_eq!(
            parse_comment("checkov:skip=CKV_AWS_20:  "),
            checkov("CKV_AWS_20", None)
        );
        assert_eq!(parse_comment("checkov:skip="), None);
    }

    /// `(line, body, trailing)` of every comment.
    fn found(text: &str, format: Format) -> Vec<(usize, &str, bool)> {
        comments(text, format)
            .1
            .into_iter()
            .map(|c| (c.line + 1, c.body.trim(), c.trailing))
            .collect()
    }

    #[test]
    fn yaml_comments_skip_quotes_and_block_scalars() {
        let text = r#"# top
a: "x # not" # one
b: 'it''s # not' # two
c: http://host/#frag
d: |
  # not: block scalar content
    # still content
e: x # three
list:
  - |-
    # content
  - key: >
      # content
    other: 1 # four
  - k: [a, "b # not", 'c'] # five
f: !Sub "${A} # not" # six
g: "multi
  line # not
  end" # seven
--- # eight
"#;
        assert_eq!(
            found(text, Format::Yaml),
            [
                (1, "top", false),
                (2, "one", true),
                (3, "two", true),
                (8, "three", true),
                (14, "four", true),
                (15, "five", true),
                (16, "six", true),
                (19, "seven", true),
                (20, "eight", false),
            ]
        );
        let (kinds, _) = comments(text, Format::Yaml);
        assert_eq!(kinds.first(), Some(&LineKind::Comment));
        assert_eq!(kinds.get(5), Some(&LineKind::Code)); // block scalar content
        assert_eq!(kinds.get(19), Some(&LineKind::Comment)); // `---`
    }

    #[test]
    fn hcl_comments_skip_strings_templates_and_heredocs() {
        let text = r##"# one
// two
a = "x # not" # three
b = "${lookup(var.m, "#")} // not" // four
c = "$${not} # not" /* not */ # five
policy = <<-EOT
  # not: heredoc
  EOT
d = 1 /* # not
  # not either
*/ # six
e = "\" # not" # seven
"##;
        assert_eq!(
            found(text, Format::Hcl),
            [
                (1, "one", false),
                (2, "two", false),
                (3, "three", true),
                (4, "four", true),
                (5, "five", true),
                (11, "six", false),
                (12, "seven", true),
            ]
        );
        let (kinds, _) = comments(text, Format::Hcl);
        assert_eq!(kinds.get(6), Some(&LineKind::Code)); // heredoc content
        assert_eq!(kinds.get(9), Some(&LineKind::Comment)); // inside /* */
        assert!(found("{\"a\": \"# x\"}", Format::Json).is_empty());
    }

    /// Scans files written to a temporary directory; returns `rule line suppression-kind`
    /// for the findings of the rules named, and the report.
    fn scan(files: &[(&str, &str)], rules: &[&str]) -> (Vec<String>, Report) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
        }
        let scanner = Scanner::builtin().expect("built-in rules");
        let report = scanner.scan(&[dir.path().to_path_buf()]).report;
        let lines = report
            .findings
            .iter()
            .filter(|f| rules.iter().any(|r| f.rule_id.starts_with(r)))
            .map(|f| {
                let kind = f.suppression.as_ref().map_or("-".to_owned(), |s| {
                    format!("{:?}:{}", s.kind, s.reason.as_deref().unwrap_or("?"))
                });
                format!("{} {} {} {kind}", f.rule_id, f.resource, f.start.line)
            })
            .collect();
        (lines, report)
    }

    const DB: &str = r#"resource "aws_db_instance" "db" {
  engine              = "postgres"
  storage_encrypted   = false
  publicly_accessible = true
}
"#;

    #[test]
    fn a_comment_above_a_resource_covers_it_and_one_above_an_attribute_covers_its_line() {
        let tf = format!(
            "# guardrail:ignore AWS-RDS-001, AWS-RDS-003 -- being migrated\n{}",
            DB.replace(
                "  publicly_accessible",
                "  # guardrail:ignore AWS-RDS-002, AWS-RDS-004 -- behind a proxy\n  publicly_accessible"
            )
        );
        let (lines, report) = scan(&[("main.tf", &tf)], &["AWS-RDS", "GEN"]);
        assert_eq!(
            lines,
            [
                "AWS-RDS-003 aws_db_instance.db 2 Comment:being migrated",
                "AWS-RDS-004 aws_db_instance.db 2 -",
                "AWS-RDS-001 aws_db_instance.db 4 Comment:being migrated",
                "GEN-SUPPRESS-002 aws_db_instance.db 5 -",
                "AWS-RDS-002 aws_db_instance.db 6 Comment:behind a proxy",
            ]
        );
        assert!(report.findings.iter().any(|f| f.message
            == "AWS-RDS-004 has no finding at line 6 to suppress (above a resource's first \
                line a suppression covers the whole resource)"));
        assert_eq!(report.summary().suppressed, 3);
        assert!(
            report
                .failing(&crate::report::Gate::default())
                .all(|f| f.suppression.is_none())
        );
    }

    #[test]
    fn trailing_comments_and_stacked_comments_and_blank_lines() {
        let tf = r#"# guardrail:ignore AWS-RDS-004 -- stacked
# another comment
resource "aws_db_instance" "db" { # guardrail:ignore AWS-RDS-003 -- resource line
  engine              = "postgres"
  storage_encrypted   = false # guardrail:ignore AWS-RDS-001 -- attribute line
  # guardrail:ignore AWS-RDS-002 -- too far

  publicly_accessible = true
}
"#;
        let (lines, report) = scan(&[("main.tf", tf)], &["AWS-RDS", "GEN"]);
        assert_eq!(
            lines,
            [
                "AWS-RDS-003 aws_db_instance.db 3 Comment:resource line",
                "AWS-RDS-004 aws_db_instance.db 3 Comment:stacked",
                "AWS-RDS-001 aws_db_instance.db 5 Comment:attribute line",
                "GEN-SUPPRESS-002 aws_db_instance.db 6 -",
                "AWS-RDS-002 aws_db_instance.db 8 -",
            ]
        );
        assert!(report.findings.iter().any(|f| f.message
            == "the `guardrail:ignore` comment is not directly above a line (a blank line or \
                the end of the file follows it), so AWS-RDS-002 is suppressed nowhere"));
    }

    #[test]
    fn the_same_address_in_two_modules_is_two_resources() {
        let suppressed = format!("# guardrail:ignore AWS-RDS-001 -- module a only\n{DB}");
        let (lines, _) = scan(
            &[("a/main.tf", &suppressed), ("b/main.tf", DB)],
            &["AWS-RDS-001"],
        );
        assert_eq!(
            lines,
            [
                "AWS-RDS-001 aws_db_instance.db 4 Comment:module a only",
                "AWS-RDS-001 aws_db_instance.db 3 -",
            ]
        );
    }

    #[test]
    fn checkov_skips_cover_the_resource_they_are_in_and_map_through_references() {
        let tf = DB.replace(
            "  engine",
            "  #checkov:skip=CKV_AWS_16:encrypted by the storage layer\n  \
                 # checkov:skip=CKV_AWS_17\n  # checkov:skip=CKV_AWS_999:not ours\n  engine",
        );
        let (lines, report) = scan(&[("main.tf", &tf)], &["AWS-RDS-001", "AWS-RDS-002", "GEN"]);
        assert_eq!(
            lines,
            [
                "GEN-SUPPRESS-001 aws_db_instance.db 3 -",
                "AWS-RDS-001 aws_db_instance.db 6 Checkov:encrypted by the storage layer",
                "AWS-RDS-002 aws_db_instance.db 7 Checkov:?",
            ]
        );
        let no_reason = report
            .findings
            .iter()
            .find(|f| f.rule_id == NO_REASON)
            .map(|f| f.message.as_str());
        assert_eq!(
            no_reason,
            Some(
                "`checkov:skip=CKV_AWS_17` gives no reason, yet it silences AWS-RDS-002 here: \
                 write it after `:` (`checkov:skip=ID:reason`)"
            )
        );
    }

    #[test]
    fn cloudformation_comments_and_metadata() {
        let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # guardrail:ignore AWS-S3-007 -- a cache
  Cache:
    Type: AWS::S3::Bucket
  Logs:
    # guardrail:ignore AWS-S3-008 -- between the id and Type
    Type: AWS::S3::Bucket
    Metadata:
      guardrail:
        ignore:
          - id: AWS-S3-007
            reason: write-once logs
          - AWS-S3-999
  Bad:
    Type: AWS::S3::Bucket
    Metadata:
      guardrail:
        ignore: AWS-S3-007
"#;
        let (lines, report) = scan(
            &[("template.yaml", template)],
            &["AWS-S3-007", "AWS-S3-008", "GEN"],
        );
        let lines: Vec<String> = lines
            .iter()
            .map(|l| {
                l.split_once('#')
                    .map_or(l.clone(), |(_, rest)| rest.to_owned())
            })
            .collect();
        assert_eq!(
            lines,
            [
                "Cache 4 Comment:a cache",
                "Cache 4 -",
                "Logs 6 Metadata:write-once logs",
                "Logs 6 Comment:between the id and Type",
                "Logs 14 -",
                "Logs 14 -",
                "Bad 15 -",
                "Bad 15 -",
                "Bad 19 -",
            ]
        );
        let messages: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.rule_id.starts_with("GEN-"))
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "this `Metadata.guardrail.ignore` entry silencing AWS-S3-999 gives no reason: \
                 add `reason: …` to the entry",
                "`AWS-S3-999` is not a known rule id, so it suppresses nothing",
                "`Metadata.guardrail.ignore` is not a list: write \
                 `guardrail: { ignore: [ { id: RULE-ID, reason: why } ] }`",
            ]
        );
    }

    #[test]
    fn kubernetes_annotations_and_comments_above_documents() {
        let manifests = r#"apiVersion: v1
kind: Pod
metadata:
  name: a
  annotations:
    guardrail.dev/ignore: "K8S-POD-003, K8S-POD-016 -- vendor image"
spec:
  containers: [{name: a, image: "nginx:1.25"}]
---
# guardrail:ignore K8S-POD-003 -- stacked above a document
apiVersion: v1
kind: Pod
metadata:
  name: b
  annotations:
    guardrail.dev/ignore: ["K8S-POD-016"]
spec:
  containers: [{name: b, image: "nginx:1.25"}]
"#;
        let (lines, report) = scan(
            &[("pods.yaml", manifests)],
            &["K8S-POD-003", "K8S-POD-016", "GEN"],
        );
        assert_eq!(
            lines,
            [
                "K8S-POD-003 Pod/default/a 4 Annotation:vendor image",
                "K8S-POD-016 Pod/default/a 4 Annotation:vendor image",
                "K8S-POD-003 Pod/default/b 14 Comment:stacked above a document",
                "K8S-POD-016 Pod/default/b 14 -",
                "GEN-SUPPRESS-002 Pod/default/b 16 -",
            ]
        );
        assert!(report.findings.iter().any(|f| {
            f.message
                .starts_with("the `guardrail.dev/ignore` annotation is a list, not a string")
        }));
    }

    #[test]
    fn without_the_meta_rules_wrong_suppressions_are_not_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("main.tf");
        std::fs::write(
            &path,
            format!("# guardrail:ignore AWS-RDS-001, NOPE-001\n{DB}"),
        )
        .expect("write");
        let rules = builtin().rules.clone();
        let report = Scanner::new(rules).scan(&[path]).report;
        assert!(
            report
                .findings
                .iter()
                .all(|f| !f.rule_id.starts_with("GEN-SUPPRESS"))
        );
        assert_eq!(report.summary().suppressed, 1);
    }

    #[test]
    fn meta_rules_name_controls_of_the_catalog() {
        for rule in meta_rules() {
            assert!(rule.bindings.is_empty());
            for id in &rule.nist {
                let control = crate::rules::catalog::control(id);
                assert!(control.is_some_and(|c| !c.withdrawn), "{}: {id}", rule.id);
            }
            assert!(!builtin().rules.iter().any(|r| r.id == rule.id));
        }
        assert!(is_meta_rule("gen-suppress-001"));
    }
}
