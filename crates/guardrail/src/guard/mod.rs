//! AWS CloudFormation Guard rule files, run through the `cfn-guard` crate, their failures
//! reported as guardrail findings with exact lines.
//!
//! ```text
//! .guard files ─load: cfn-guard's parser checks them once─► GuardRules (one Rule each, for reports)
//! GraphScan.documents ─data: re-typed as cfn-guard reads YAML─► cfn-guard validate (payload,
//!   structured JSON), one run per worker ─locate: report paths in guardrail's tree─► Findings
//! ```
//!
//! Verdicts are cfn-guard's own: a rule fails on a document exactly when `cfn-guard validate`
//! says FAIL for it. What guardrail adds is where: the resource and the line and column of the
//! offending property, found by resolving the path in cfn-guard's report in guardrail's own
//! spanned tree. Every CloudFormation template and every Kubernetes document (as plain data) is
//! evaluated; Terraform is not (Guard's Terraform support reads plan JSON, not source).
//!
//! Where guardrail's reading of a file is more complete than cfn-guard's, guardrail's wins:
//! aliases and merge keys are expanded (cfn-guard rejects aliases), every document of a stream
//! is evaluated (cfn-guard reads only the first), and nesting is bounded before cfn-guard sees
//! anything (its loader has no limit).
//!
//! cfn-guard 3.2.1 can evaluate only rule *text*, so each worker thread parses the rules once
//! for its share of the documents; the check for syntax errors parses each file once more,
//! up front, so that a broken rule file stops the scan instead of silently skipping.

mod data;
mod load;
mod locate;
mod meta;
mod run;
mod safety;

pub use run::MAX_DOCUMENT_BYTES;
pub use safety::{MAX_RULE_DEPTH, MAX_RULE_FILE_BYTES};

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity as DiagnosticSeverity, has_errors};
use crate::evaluate::{Engine, RulePack, Status, Verdict};
use crate::graph::{Framework, NodeKind, ResourceId};
use crate::rules::builtin::{IndexedRule, LazyPack};
use crate::rules::helpers::{AttrPath, PathRoot, PathStep};
use crate::rules::model::{Rule, Severity};
use crate::scan::GraphScan;
use crate::source::{FileId, SourceFile, SourceFiles, Span};
use crate::value::Node;

/// Guard rule files, checked, with a guardrail [`Rule`] describing each named rule in them.
#[derive(Debug, Default)]
pub struct GuardRules {
    /// The rule files and mapping files, so diagnostics can show their lines.
    pub files: SourceFiles,
    /// One rule per named Guard rule, in file order: its id is the Guard rule's name; title
    /// and remediation come from its custom message (`Violation:` / `Fix:`), severity, STRIDE
    /// and NIST from mapping files, else from the built-in rules that reference it, else from
    /// its message's `Controls:` line (registry rule sets) and defaults. It has no bindings:
    /// cfn-guard evaluates it.
    pub rules: Vec<Rule>,
    /// Problems with the rule and mapping files. A rule file with an error is not used (its
    /// rules are not in [`GuardRules::rules`]); the others are. A scan reports these as its
    /// own diagnostics ([`GuardRules::report_problems`]): the scan goes on, incomplete.
    pub diagnostics: Vec<Diagnostic>,
    /// The rule files handed to cfn-guard.
    rule_files: Vec<FileId>,
}

impl GuardRules {
    /// Loads the Guard rule files at `rule_paths` (files, or directories searched for
    /// `*.guard` and `*.ruleset`) and the mapping files at `mapping_paths` (see the module
    /// docs of `meta` in the source, or `docs/guard.md`).
    pub fn load(rule_paths: &[PathBuf], mapping_paths: &[PathBuf]) -> GuardRules {
        let mut guard = GuardRules::default();
        let ids = load::load_files(rule_paths, &mut guard.files, &mut guard.diagnostics);
        let checked: Vec<(FileId, Option<Diagnostic>)> = ids
            .iter()
            .map(|&id| (id, guard.files.get(id).and_then(load::syntax_error)))
            .collect();
        for (id, error) in checked {
            match error {
                Some(error) => guard.diagnostics.push(error),
                None => guard.rule_files.push(id),
            }
        }
        let mut mappings = meta::Mappings::default();
        for path in mapping_paths {
            mappings.load(path, &mut guard.files, &mut guard.diagnostics);
        }
        let mut defined: BTreeMap<String, Span> = BTreeMap::new();
        for &id in &guard.rule_files {
            let Some(file) = guard.files.get(id) else {
                continue;
            };
            for written in load::written_rules(file) {
                // Ids are matched in any case (`--select`, suppressions, `explain`).
                let key = written.name.to_ascii_uppercase();
                if let Some(first) = defined.get(&key) {
                    let first = format!(
                        "{}:{}",
                        guard
                            .files
                            .get(first.file)
                            .map(SourceFile::display_path)
                            .unwrap_or_default(),
                        guard.files.start_of(*first)
                    );
                    guard.diagnostics.push(
                        Diagnostic::error(
                            "guard::duplicate-rule",
                            file.path.clone(),
                            format!(
                                "Guard rule `{}` is also defined at {first}; findings would \
                                 be ambiguous",
                                written.name
                            ),
                        )
                        .at(written.name_span),
                    );
                    continue;
                }
                defined.insert(key, written.name_span);
                guard.rules.push(describe(&written, file, &mappings));
            }
        }
        guard
    }

    /// Adds the problems with the rule and mapping files to a scan's diagnostics, with the
    /// files they point into added to the scan's files, so that they print with their lines
    /// like any input's and an error makes the scan incomplete.
    pub fn report_problems(&self, scan: &mut crate::scan::GraphScan) {
        let mut added: BTreeMap<FileId, FileId> = BTreeMap::new();
        for diagnostic in &self.diagnostics {
            let mut diagnostic = diagnostic.clone();
            if let Some(span) = diagnostic.span {
                let id = match added.get(&span.file) {
                    Some(&id) => Some(id),
                    None => self.files.get(span.file).map(|file| {
                        let id = scan
                            .files
                            .add(file.path.clone(), file.text.clone(), file.format);
                        added.insert(span.file, id);
                        id
                    }),
                };
                diagnostic.span = id.map(|id| Span::new(id, span.start, span.end));
            }
            scan.diagnostics.push(diagnostic);
        }
    }

    /// Whether any rule or mapping file has an error.
    pub fn has_errors(&self) -> bool {
        has_errors(&self.diagnostics)
    }
}

/// The guardrail rule that stands for a Guard rule in reports, `explain` and `rules`.
fn describe(written: &load::WrittenRule, file: &SourceFile, mappings: &meta::Mappings) -> Rule {
    let shown = file.display_path();
    let message = written.message.as_deref().unwrap_or_default();
    let mapped = mappings.for_rule(&written.name, &shown);
    // From the built-in pack's index: no built-in rule is checked for this.
    let referencing: Vec<Rule> = LazyPack::builtin()
        .rules()
        .iter()
        .filter(|r| r.references("guard").iter().any(|n| *n == written.name))
        .filter_map(IndexedRule::summary)
        .collect();
    let mut nist = mapped.nist.clone();
    if nist.is_empty() {
        nist = referencing.iter().flat_map(|r| r.nist.clone()).collect();
    }
    if nist.is_empty() {
        nist = load::message_line(message, "Controls")
            .map(meta::controls_in_message)
            .unwrap_or_default();
    }
    nist.sort();
    nist.dedup();
    let mut stride = mapped.stride.clone();
    if stride.is_empty() {
        stride = referencing.iter().flat_map(|r| r.stride.clone()).collect();
    }
    if stride.is_empty() {
        stride = meta::stride_of_controls(&nist);
    }
    stride.sort();
    stride.dedup();
    let severity = mapped
        .severity
        .or_else(|| referencing.iter().map(|r| r.severity).max())
        .unwrap_or(Severity::Medium);
    let at = format!("{shown}:{}", file.line_col(written.name_span.start));
    let title = load::message_line(message, "Violation")
        .map(str::to_owned)
        .or_else(|| written.description.clone())
        .unwrap_or_else(|| format!("Guard rule {}", written.name));
    let mut references = BTreeMap::new();
    references.insert("guard".to_owned(), vec![written.name.clone()]);
    if !referencing.is_empty() {
        references.insert(
            "guardrail".to_owned(),
            referencing.iter().map(|r| r.id.clone()).collect(),
        );
    }
    Rule {
        id: written.name.clone(),
        // cfn-guard's `Violation:` line is already phrased as the problem; otherwise the
        // rule's name says which rule is not satisfied.
        problem: load::message_line(message, "Violation")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("Guard rule {} is not satisfied", written.name)),
        title,
        severity,
        stride,
        nist,
        rationale: match &written.description {
            Some(d) => format!(
                "{d} (AWS CloudFormation Guard rule `{}`, {at}.)",
                written.name
            ),
            None => format!("AWS CloudFormation Guard rule `{}`, {at}.", written.name),
        },
        remediation: load::message_line(message, "Fix")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("Make the resource satisfy the Guard rule at {at}.")),
        references,
        bindings: Vec::new(),
        reported_by: None,
        opt_in: false,
        path: shown,
    }
}

/// What running the Guard rules on a scan produced.
#[derive(Debug, Default)]
pub struct GuardOutcome {
    /// cfn-guard's verdicts, in the records of the built-in rules ([`Verdict`] with
    /// [`Engine::Guard`]), for the rules in the pack: for each document and rule, PASS is a
    /// pass and SKIP not applicable, both on the document (the Kubernetes object it is, or
    /// the template); FAIL is one failed verdict per failed check, placed at the offending
    /// property of its resource.
    pub verdicts: Vec<Verdict>,
    /// Documents cfn-guard could not evaluate (errors: the scan is incomplete).
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs cfn-guard on the documents of `data` that are at most [`run::MAX_DOCUMENT_BYTES`];
/// the others are [`run::RunError::TooLarge`]. One result per document, in order.
fn evaluate_bounded(
    rules: &[&str],
    data: &[String],
) -> Vec<Result<run::DocumentReport, run::RunError>> {
    let fits = |d: &String| d.len() <= run::MAX_DOCUMENT_BYTES;
    if data.iter().all(fits) {
        return run::evaluate(rules, data, rayon::current_num_threads());
    }
    let small: Vec<String> = data.iter().filter(|d| fits(d)).cloned().collect();
    let mut reports = run::evaluate(rules, &small, rayon::current_num_threads()).into_iter();
    data.iter()
        .map(|d| match fits(d) {
            true => reports
                .next()
                .unwrap_or_else(|| Err(run::RunError::Failed("no report".into()))),
            false => Err(run::RunError::TooLarge(d.len())),
        })
        .collect()
}

/// Runs the Guard rules on every document of `scan` (which must have kept its documents:
/// [`crate::scan::ScanOptions::keep_documents`]). Verdicts of rules that are in `pack` (by
/// id) are recorded; documents cfn-guard could not evaluate are error diagnostics.
pub fn evaluate(guard: &GuardRules, scan: &GraphScan, pack: &RulePack) -> GuardOutcome {
    let rule_index: HashMap<&str, usize> = pack
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let documents: Vec<(&SourceFile, usize, &Node)> = scan
        .documents
        .iter()
        .filter_map(|(id, docs)| Some((scan.files.get(*id)?, docs)))
        .flat_map(|(file, docs)| docs.iter().enumerate().map(move |(i, d)| (file, i, d)))
        .collect();
    let texts: Vec<&str> = guard
        .rule_files
        .iter()
        .filter_map(|id| guard.files.get(*id))
        .map(|f| f.text.as_str())
        .collect();
    let mut outcome = GuardOutcome::default();
    if documents.is_empty() || texts.is_empty() {
        return outcome;
    }
    let data: Vec<String> = documents
        .par_iter()
        .map(|(file, _, doc)| data::guard_input(doc, file))
        .collect();
    let reports = evaluate_bounded(&texts, &data);
    let resources = ResourceIndex::new(scan);
    for ((file, index, doc), report) in documents.iter().zip(reports) {
        let report = match report {
            Ok(report) => report,
            Err(why) => {
                let code = match why {
                    run::RunError::TooLarge(_) => "guard::document-too-large",
                    _ => "guard::failed",
                };
                outcome.diagnostics.push(
                    Diagnostic::new(
                        DiagnosticSeverity::Error,
                        code,
                        file.path.clone(),
                        format!("Guard rules could not be evaluated on this document: {why}"),
                    )
                    .at(Span::new(
                        doc.span.file,
                        doc.span.start,
                        doc.span.start,
                    )),
                );
                continue;
            }
        };
        let document = u32::try_from(*index).unwrap_or(u32::MAX);
        let engine = Engine::Guard { document };
        let mut failed: Vec<usize> = Vec::new();
        let mut located: Vec<Verdict> = Vec::new();
        for failure in locate::failures(&report) {
            let Some(&rule) = rule_index.get(failure.rule.as_str()) else {
                continue;
            };
            failed.push(rule);
            let mut verdict = finding(rule, &failure, (file, doc), &resources, pack);
            verdict.engine = engine;
            located.push(verdict);
        }
        outcome.verdicts.extend(one_per_attribute(located));
        // The document itself: the Kubernetes object it is, or the template as a whole.
        let (resource, span) = match resources.owner(file.id, doc, &[]) {
            Some((id, _, name_span)) => (Some(id), name_span),
            None => (
                None,
                Span::new(doc.span.file, doc.span.start, doc.span.start),
            ),
        };
        let on_document = |rule: usize, status: Status, seen: &str| Verdict {
            rule,
            resource,
            status,
            span,
            path: AttrPath::new(),
            seen: seen.to_owned(),
            default: false,
            engine,
        };
        for (verdict, status, seen) in [
            (locate::Verdict::Fail, Status::Fail, "fails"),
            (
                locate::Verdict::Pass,
                Status::Pass,
                "passes (cfn-guard: PASS)",
            ),
            (
                locate::Verdict::Skip,
                Status::NotApplicable,
                "does not apply (cfn-guard: SKIP)",
            ),
        ] {
            for name in locate::verdicts(&report, verdict) {
                let Some(&rule) = rule_index.get(name.as_str()) else {
                    continue;
                };
                // A FAIL is recorded by its located failures; one cfn-guard could not
                // locate is recorded on the document.
                if status == Status::Fail && failed.contains(&rule) {
                    continue;
                }
                outcome.verdicts.push(on_document(rule, status, seen));
            }
        }
    }
    outcome
}

/// cfn-guard reports a rule once per clause that failed, and a rule that names other rules
/// once more for each: one Guard rule on one resource and attribute is one finding, the
/// first in the document.
fn one_per_attribute(verdicts: Vec<Verdict>) -> Vec<Verdict> {
    let mut keyed: Vec<(String, Verdict)> = verdicts
        .into_iter()
        .map(|v| (v.path.to_string(), v))
        .collect();
    keyed.sort_by(|(a, x), (b, y)| {
        (x.rule, x.resource, a, x.span.start, x.span.end, &x.seen).cmp(&(
            y.rule,
            y.resource,
            b,
            y.span.start,
            y.span.end,
            &y.seen,
        ))
    });
    keyed.dedup_by(|(a, x), (b, y)| x.rule == y.rule && x.resource == y.resource && a == b);
    keyed.into_iter().map(|(_, v)| v).collect()
}

/// One failure placed in guardrail's tree.
fn finding(
    rule: usize,
    failure: &locate::Failure,
    (file, doc): (&SourceFile, &Node),
    resources: &ResourceIndex<'_>,
    pack: &RulePack,
) -> Verdict {
    let found = locate::resolve(doc, &failure.path);
    let (resource, root_depth, name_span) = match resources.owner(file.id, doc, &found.keys) {
        Some((id, depth, name_span)) => (Some(id), depth, Some(name_span)),
        None => (None, 0, None),
    };
    // What the report names but guardrail's tree lacks is missing below the deepest node.
    let mut missing: Vec<String> = found.rest.clone();
    missing.extend(failure.missing.clone());
    let mut attribute: Vec<String> = found.keys.iter().skip(root_depth).cloned().collect();
    if !missing.is_empty() {
        attribute.push(missing.join("."));
    }
    let at_root = found.keys.len() <= root_depth;
    let span = if at_root {
        // The whole resource or document: point at its name.
        name_span.unwrap_or(Span::new(doc.span.file, doc.span.start, doc.span.start))
    } else if !missing.is_empty() {
        // Something missing below an attribute that exists: point at that attribute's key.
        found.key_span.unwrap_or(found.node.span)
    } else {
        // The value judged.
        found.node.span
    };
    let seen = if attribute.is_empty() {
        failure
            .message
            .as_deref()
            .and_then(|m| load::message_line(m, "Violation"))
            .map(str::to_owned)
            .or_else(|| pack.rule(rule).map(|r| format!("fails: {}", r.title)))
            .unwrap_or_default()
    } else if !missing.is_empty() {
        "absent".to_owned()
    } else {
        failure.seen.as_ref().map(show_value).unwrap_or_default()
    };
    Verdict {
        rule,
        resource,
        status: Status::Fail,
        span,
        // cfn-guard's keys, as its report names them (list positions are keys too).
        path: AttrPath {
            root: PathRoot::Implicit,
            steps: attribute.into_iter().map(PathStep::Key).collect(),
        },
        seen,
        default: false,
        engine: Engine::Guard { document: 0 },
    }
}

/// A value as a finding shows it: compact JSON, cut short.
fn show_value(value: &serde_json::Value) -> String {
    const LIMIT: usize = 80;
    let text = value.to_string();
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The resources of the scanned documents, found by the path to them (not by span: an alias
/// copies its anchor's spans into another resource).
struct ResourceIndex<'g> {
    /// CloudFormation: `(file, section kind, logical id)`.
    by_name: HashMap<(FileId, NodeKind, &'g str), (ResourceId, Span)>,
    /// Kubernetes objects (documents and list items): `(file, start, end)` of the object.
    by_span: HashMap<(FileId, u32, u32), (ResourceId, Span)>,
}

impl<'g> ResourceIndex<'g> {
    fn new(scan: &'g GraphScan) -> Self {
        let mut index = ResourceIndex {
            by_name: HashMap::new(),
            by_span: HashMap::new(),
        };
        for (id, r) in scan.graph.iter() {
            let file = r.span.file;
            if !scan.documents.contains_key(&file) {
                continue;
            }
            match r.framework {
                Framework::CloudFormation => {
                    index
                        .by_name
                        .insert((file, r.kind, r.local_name.as_str()), (id, r.name_span));
                }
                _ => {
                    index
                        .by_span
                        .insert((file, r.span.start, r.span.end), (id, r.name_span));
                }
            }
        }
        index
    }

    /// The resource a path of `doc` is in: its id, how many keys of the path lead to its body,
    /// and its name's span. `Resources/<id>/…` (or another section) in a template; the
    /// document itself, or `items/<n>` of a Kubernetes list.
    fn owner(
        &self,
        file: FileId,
        doc: &Node,
        keys: &[String],
    ) -> Option<(ResourceId, usize, Span)> {
        if let (Some(section), Some(name)) = (keys.first(), keys.get(1)) {
            let kind = match section.as_str() {
                "Resources" => Some(NodeKind::Resource),
                "Parameters" => Some(NodeKind::Parameter),
                "Outputs" => Some(NodeKind::Output),
                "Conditions" => Some(NodeKind::Condition),
                "Mappings" => Some(NodeKind::Mapping),
                _ => None,
            };
            if let Some(&(id, name_span)) =
                kind.and_then(|k| self.by_name.get(&(file, k, name.as_str())))
            {
                return Some((id, 2, name_span));
            }
            if section == "items" {
                let item = name
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| doc.get("items")?.as_seq()?.get(n));
                if let Some(&(id, name_span)) =
                    item.and_then(|i| self.by_span.get(&(file, i.span.start, i.span.end)))
                {
                    return Some((id, 2, name_span));
                }
            }
        }
        let &(id, name_span) = self.by_span.get(&(file, doc.span.start, doc.span.end))?;
        Some((id, 0, name_span))
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;
    use crate::source::{Format, LineIndex};

    /// Rules whose verdicts hang on how scalars and intrinsics are read.
    const RULES: &str = r#"
rule FLAG_TRUE { Resources.*.Properties.Flag == true }
rule WORD_YES { Resources.*.Properties.Word == "Yes" }
rule COUNT_SEVEN { Resources.*.Properties.Count == 7 }
rule RATIO_FLOAT { Resources.*.Properties.Ratio IS_FLOAT }
rule HEX_STRING { Resources.*.Properties.Hex IS_STRING }
rule GETATT_STRING { Resources.*.Properties.Target.'Fn::GetAtt' IS_STRING }
rule REF_MAP { Resources.*.Properties.Source.Ref EXISTS }
rule IF_KEPT { Resources.*.Properties.Choice.'Fn::If' EXISTS }
rule CIDR_LIST { Resources.*.Properties.Cidr IS_LIST }
rule EMPTY_STRING { Resources.*.Properties.Empty IS_STRING }
rule NOTHING_NULL { Resources.*.Properties.Nothing IS_NULL }
rule QUOTED_STRING { Resources.*.Properties.Quoted == "true" }
rule INT_OCTAL { Resources.*.Properties.Mode == 644 }
rule TAGGED_STRING { Resources.*.Properties.Tagged IS_STRING }
rule TAGGED_BOOL { Resources.*.Properties.Switch == true }
"#;

    /// Each line sets the properties of one template; every other property keeps the value
    /// of the first line, so each template differs from it in one reading.
    const VARIANTS: &[&str] = &[
        "Flag: true, Word: Yes, Count: 7, Ratio: 0.5, Hex: 0x1F, Target: !GetAtt Db.Endpoint.Address, Source: !Ref Bucket, Choice: !If [C, a, b], Cidr: !Cidr [x, 1, 2], Empty: , Nothing: ~, Quoted: 'true', Mode: 0644, Tagged: !!str 5, Switch: !!bool true",
        "Flag: yes, Word: 'Yes', Count: '7', Ratio: 1.0e-1, Hex: 31, Target: !GetAtt [Db, Arn], Source: {Ref: Bucket}, Choice: {'Fn::If': [C, a, b]}, Cidr: [x], Empty: '', Nothing: null, Quoted: true, Mode: 644, Tagged: !!int '3', Switch: !!bool yes",
        "Flag: Yes, Word: yes, Count: 7.0, Ratio: 1, Hex: \"0x1F\", Target: {'Fn::GetAtt': [Db, Arn]}, Source: !Sub x, Choice: [a], Cidr: !Ref Blocks, Empty: x, Nothing: NULL, Quoted: \"true\", Mode: +644, Tagged: !Custom 5, Switch: !!str true",
        "Flag: y, Word: \"Yes\", Count: +7, Ratio: inf, Hex: 0o17, Target: !GetAtt Db.Arn, Source: !Ref 80, Choice: !Not [C], Cidr: !GetAZs '', Empty: |\n, Nothing: Null, Quoted: on, Mode: 0x1A4, Tagged: !!float 1.5, Switch: !!int 1",
        "Flag: on, Word: YES, Count: 007, Ratio: .5, Hex: 1_000, Target: x, Source: !ImportValue Shared, Choice: !Equals [a, b], Cidr: !Split [',', 'a,b'], Empty: !Ref E, Nothing: '~', Quoted: True, Mode: 1e3, Tagged: &a x, Switch: !!null ''",
    ];

    fn template(variant: &str) -> String {
        let mut out = String::from("Resources:\n  R:\n    Type: X::Y::Z\n    Properties:\n");
        // A flow mapping would not allow block scalars; write one property per line.
        for part in split_properties(variant) {
            out.push_str("      ");
            out.push_str(&part);
            out.push('\n');
        }
        out
    }

    /// Splits `k: v, k: v` at the commas that separate properties (not those inside `[...]`).
    fn split_properties(variant: &str) -> Vec<String> {
        let mut parts = vec![String::new()];
        let mut depth = 0i32;
        let mut quote: Option<char> = None;
        for c in variant.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '\'' | '"') => quote = Some(c),
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth -= 1,
                (None, ',') if depth == 0 => {
                    parts.push(String::new());
                    continue;
                }
                _ => {}
            }
            if let Some(last) = parts.last_mut() {
                last.push(c);
            }
        }
        parts
            .iter()
            .map(|p| p.trim().replace("|\\n", "|\n        x"))
            .collect()
    }

    fn verdicts(report: &Result<run::DocumentReport, run::RunError>) -> [Vec<String>; 3] {
        let report = report.as_ref().expect("cfn-guard evaluates the template");
        [
            locate::verdicts(report, locate::Verdict::Fail),
            locate::verdicts(report, locate::Verdict::Pass),
            locate::verdicts(report, locate::Verdict::Skip),
        ]
    }

    #[test]
    fn cfn_guard_judges_guardrails_data_as_it_judges_the_original_text() {
        assert!(
            load::syntax_error(&SourceFile {
                id: FileId(0),
                path: "t.guard".into(),
                text: RULES.to_owned(),
                format: Format::Yaml,
                lines: LineIndex::new(RULES),
            })
            .is_none()
        );
        let mut seen_differing = std::collections::BTreeSet::new();
        for variant in VARIANTS {
            let text = template(variant);
            let file = SourceFile {
                id: FileId(0),
                path: "t.yaml".into(),
                text: text.clone(),
                format: Format::Yaml,
                lines: LineIndex::new(&text),
            };
            let parsed = yaml::parse(&file);
            assert!(
                !has_errors(&parsed.diagnostics),
                "{text}\n{:?}",
                parsed.diagnostics
            );
            let ours = data::guard_input(&parsed.documents[0], &file);
            let reports = run::evaluate(&[RULES], &[text.clone(), ours.clone()], 1);
            let (original, converted) = (verdicts(&reports[0]), verdicts(&reports[1]));
            assert_eq!(original, converted, "\n{text}\nbecame\n{ours}");
            seen_differing.extend(original[0].iter().cloned());
        }
        // The variants do exercise the rules: each fails on at least one template.
        let names: Vec<&str> = RULES
            .lines()
            .filter_map(|l| l.strip_prefix("rule ")?.split_whitespace().next())
            .collect();
        let never_failed: Vec<&&str> = names
            .iter()
            .filter(|n| !seen_differing.contains(**n))
            .collect();
        assert!(never_failed.is_empty(), "never failed: {never_failed:?}");
    }

    #[test]
    fn documents_are_bounded_in_size_at_the_limit() {
        let doc = "Resources: {B: {Type: T, Properties: {Flag: true}}}\n";
        let pad = |n: usize| format!("{doc}#{}\n", "x".repeat(n - doc.len() - 2));
        let data = [
            pad(run::MAX_DOCUMENT_BYTES),
            pad(run::MAX_DOCUMENT_BYTES + 1),
        ];
        assert_eq!(data[0].len(), run::MAX_DOCUMENT_BYTES);
        let reports = evaluate_bounded(
            &["rule FLAG_TRUE { Resources.*.Properties.Flag == true }\n"],
            &data,
        );
        assert!(reports[0].is_ok(), "{:?}", reports[0]);
        assert_eq!(
            reports[1],
            Err(run::RunError::TooLarge(run::MAX_DOCUMENT_BYTES + 1))
        );
    }
}
