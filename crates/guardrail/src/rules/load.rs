//! Loading rule files: YAML through guardrail's own spanned parser, so that every mistake in
//! a rule file (a missing field, an unknown STRIDE category or NIST control, a condition that
//! does not parse, an unknown helper) is a diagnostic at its line and column, at load time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::graph::Framework;
use crate::parse::yaml;
use crate::rules::catalog::{Stride, control};
use crate::rules::helpers;
use crate::rules::lang::{self, Expr, ExprKind, Literal, Root};
use crate::rules::model::{Binding, Condition, ReportedBy, Rule, Severity, TypePattern};
use crate::source::{FileId, Format, SourceFile, SourceFiles, Span};

use crate::value::{Node, Value};
use rayon::prelude::*;

/// Rules with the rule files they came from (for diagnostics), or the problems found.
#[derive(Debug, Default)]
pub struct LoadedRules {
    /// The rules, in load order.
    pub rules: Vec<Rule>,
    /// The rule files, so diagnostics can show their lines.
    pub files: SourceFiles,
    /// Problems; any error means the pack must not be used.
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadedRules {
    /// Loads one rule file's text, shown as `path`.
    pub fn add_text(&mut self, path: &str, text: String) {
        self.add_texts(vec![(path.to_owned(), text)]);
    }

    /// Loads rule files, `(shown path, text)`, checking them in parallel. Rules keep the
    /// order of `texts`; an id seen before is a `rule::duplicate-id` error.
    pub fn add_texts(&mut self, texts: Vec<(String, String)>) {
        let ids: Vec<FileId> = texts
            .into_iter()
            .map(|(path, text)| self.files.add(PathBuf::from(path), text, Format::Yaml))
            .collect();
        let files = &self.files;
        let checked: Vec<(Option<Rule>, Vec<Diagnostic>)> = ids
            .par_iter()
            .filter_map(|&id| files.get(id))
            .map(|file| {
                let mut checker = Checker {
                    file,
                    diagnostics: Vec::new(),
                };
                let rule = checker.rule();
                (rule, checker.diagnostics)
            })
            .collect();
        for ((rule, diagnostics), id) in checked.into_iter().zip(ids) {
            self.diagnostics.extend(diagnostics);
            let Some(rule) = rule else { continue };
            if self.rules.iter().any(|r| r.id == rule.id) {
                self.diagnostics.push(
                    Diagnostic::error(
                        "rule::duplicate-id",
                        rule.path.clone(),
                        format!("rule id `{}` is already defined", rule.id),
                    )
                    .at(Span::new(id, 0, 0)),
                );
            } else {
                self.rules.push(rule);
            }
        }
    }

    /// Loads every `*.yaml` / `*.yml` file under `dir` (sorted, recursively).
    pub fn add_dir(&mut self, dir: &Path) {
        let paths = files_with_extensions(
            dir,
            &["yaml", "yml"],
            "rule::unreadable",
            &mut self.diagnostics,
        );
        let mut texts = Vec::new();
        for path in paths {
            match crate::input::read_text(&path) {
                Ok(text) => texts.push((crate::source::display_path(&path), text)),
                Err(e) => self.diagnostics.push(Diagnostic::error(
                    "rule::unreadable",
                    path,
                    format!("cannot read rule file: {e}"),
                )),
            }
        }
        self.add_texts(texts);
    }
}

/// The files under `dir` whose extension is one of `extensions`, sorted by name, recursively;
/// symbolic links are not followed. An unreadable directory, or one without such files, is a
/// `code` error.
pub(crate) fn files_with_extensions(
    dir: &Path,
    extensions: &[&str],
    code: &'static str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let mut failed = false;
    for entry in ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build()
    {
        match entry {
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                let p = e.path();
                if p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| extensions.contains(&x))
                {
                    paths.push(p.to_path_buf());
                }
            }
            Ok(_) => {}
            Err(e) => {
                failed = true;
                diagnostics.push(Diagnostic::error(
                    code,
                    dir,
                    format!("cannot read rule directory: {e}"),
                ));
            }
        }
    }
    if paths.is_empty() && !failed {
        let wanted: Vec<String> = extensions.iter().map(|x| format!("*.{x}")).collect();
        diagnostics.push(Diagnostic::error(
            code,
            dir,
            format!("no rule files ({}) in this directory", wanted.join(", ")),
        ));
    }
    paths
}

struct Checker<'a> {
    file: &'a SourceFile,
    diagnostics: Vec<Diagnostic>,
}

const RULE_KEYS: &[&str] = &[
    "id",
    "title",
    "problem",
    "severity",
    "stride",
    "nist",
    "rationale",
    "remediation",
    "references",
    "bindings",
    "reported_by",
    "opt_in",
];
const BINDING_KEYS: &[&str] = &["types", "when", "require", "defaults"];

impl Checker<'_> {
    fn error(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, self.file.path.clone(), message).at(span));
    }

    fn whole_file(&self) -> Span {
        Span::new(self.file.id, 0, 0)
    }

    fn rule(&mut self) -> Option<Rule> {
        let parsed = yaml::parse(self.file);
        let failed = !parsed.diagnostics.is_empty();
        self.diagnostics.extend(parsed.diagnostics);
        if failed {
            return None;
        }
        let [doc] = parsed.documents.as_slice() else {
            self.error(
                "rule::shape",
                self.whole_file(),
                "a rule file holds exactly one rule (one YAML document)",
            );
            return None;
        };
        let Some(map) = doc.as_map() else {
            self.error(
                "rule::shape",
                doc.span,
                "a rule is a map of fields (id, title, …)",
            );
            return None;
        };
        for entry in map {
            if !RULE_KEYS.contains(&entry.key.as_str()) {
                self.error(
                    "rule::unknown-field",
                    entry.key_span,
                    format!(
                        "unknown field `{}`; rule fields are {}",
                        entry.key,
                        RULE_KEYS.join(", ")
                    ),
                );
            }
        }
        let id = self.text(doc, "id")?;
        self.check_id(doc, &id);
        let title = self.text(doc, "title");
        // Optional for user rules: without it a failure reads "Not met: <title>".
        let problem = match doc.get("problem") {
            Some(_) => self.text(doc, "problem").map(Some),
            None => Some(None),
        };
        let severity = self.severity(doc);
        let stride = self.stride(doc);
        let nist = self.nist(doc);
        let rationale = self.text(doc, "rationale");
        let remediation = self.text(doc, "remediation");
        let references = self.references(doc);
        let opt_in = self.opt_in(doc);
        let reported_by = self.reported_by(doc, &id);
        let bindings = match reported_by {
            Some(Some(_)) => self.no_bindings(doc),
            Some(None) => None,
            None => self.bindings(doc),
        };
        let title = title?;
        Some(Rule {
            id,
            problem: crate::rules::model::problem_or_title(
                problem?.as_deref().unwrap_or_default(),
                &title,
            ),
            title,
            severity: severity?,
            stride: stride?,
            nist: nist?,
            rationale: rationale?,
            remediation: remediation?,
            references,
            bindings: bindings?,
            reported_by: reported_by.flatten(),
            opt_in: opt_in?,
            path: self.file.display_path(),
        })
    }

    fn required<'n>(&mut self, node: &'n Node, key: &str) -> Option<&'n Node> {
        let found = node.get(key);
        if found.is_none() {
            self.error(
                "rule::missing-field",
                node.span,
                format!("missing field `{key}`"),
            );
        }
        found
    }

    fn text(&mut self, node: &Node, key: &str) -> Option<String> {
        let value = self.required(node, key)?;
        match value.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            _ => {
                self.error(
                    "rule::field-type",
                    value.span,
                    format!("`{key}` must be non-empty text"),
                );
                None
            }
        }
    }

    fn check_id(&mut self, doc: &Node, id: &str) {
        let Some(span) = doc.get("id").map(|n| n.span) else {
            return;
        };
        let well_formed = id.rsplit_once('-').is_some_and(|(prefix, number)| {
            number.len() == 3
                && number.bytes().all(|b| b.is_ascii_digit())
                && !prefix.is_empty()
                && prefix.split('-').all(|p| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                })
        });
        if !well_formed {
            self.error(
                "rule::id",
                span,
                format!("rule id `{id}` must look like AWS-S3-001: upper-case words and a three-digit number"),
            );
        }
        let stem = self
            .file
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem != id {
            self.error(
                "rule::id",
                span,
                format!("rule id `{id}` must match its file name `{stem}.yaml`"),
            );
        }
    }

    fn severity(&mut self, doc: &Node) -> Option<Severity> {
        let node = self.required(doc, "severity")?;
        let parsed = node.as_str().and_then(Severity::parse);
        if parsed.is_none() {
            self.error(
                "rule::severity",
                node.span,
                "severity must be one of critical, high, medium, low, info",
            );
        }
        parsed
    }

    fn list_of_text<'n>(&mut self, node: &'n Node, what: &str) -> Option<Vec<(&'n str, Span)>> {
        let Some(items) = node.as_seq() else {
            self.error(
                "rule::field-type",
                node.span,
                format!("`{what}` must be a list"),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            match item.as_str() {
                Some(s) => out.push((s, item.span)),
                None => {
                    self.error(
                        "rule::field-type",
                        item.span,
                        format!("`{what}` items must be text"),
                    );
                    ok = false;
                }
            }
        }
        (ok && !out.is_empty()).then_some(out).or_else(|| {
            if ok {
                self.error(
                    "rule::field-type",
                    node.span,
                    format!("`{what}` must not be empty"),
                );
            }
            None
        })
    }

    fn stride(&mut self, doc: &Node) -> Option<Vec<Stride>> {
        let node = self.required(doc, "stride")?;
        let items = self.list_of_text(node, "stride")?;
        let mut out = Vec::new();
        for (name, span) in items {
            match Stride::parse(name) {
                Some(s) if !out.contains(&s) => out.push(s),
                Some(_) => self.error("rule::stride", span, format!("`{name}` is listed twice")),
                None => self.error(
                    "rule::stride",
                    span,
                    format!(
                        "`{name}` is not a STRIDE category; use {}",
                        Stride::ALL.map(Stride::name).join(", ")
                    ),
                ),
            }
        }
        (out.len() == node.as_seq().map_or(0, <[Node]>::len)).then_some(out)
    }

    fn nist(&mut self, doc: &Node) -> Option<Vec<String>> {
        let node = self.required(doc, "nist")?;
        let items = self.list_of_text(node, "nist")?;
        let mut out = Vec::new();
        let mut ok = true;
        for (label, span) in items {
            match control(label) {
                Some(c) if c.withdrawn => {
                    ok = false;
                    self.error("rule::nist", span, format!("NIST control {label} is withdrawn in SP 800-53 rev5; map to the control that incorporates it"));
                }
                Some(_) => out.push(label.to_owned()),
                None => {
                    ok = false;
                    self.error("rule::nist", span, format!("`{label}` is not a NIST SP 800-53 rev5 control (write AC-6 or SC-28(1))"));
                }
            }
        }
        ok.then_some(out)
    }

    fn references(&mut self, doc: &Node) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        let Some(node) = doc.get("references") else {
            return out;
        };
        let Some(map) = node.as_map() else {
            self.error(
                "rule::field-type",
                node.span,
                "`references` maps a tool name to a list of its rule ids",
            );
            return out;
        };
        for entry in map {
            if let Some(ids) = self.list_of_text(&entry.value, &entry.key) {
                out.insert(
                    entry.key.clone(),
                    ids.into_iter().map(|(s, _)| s.to_owned()).collect(),
                );
            }
        }
        out
    }

    /// `opt_in`: false when absent; `None` when it is not a boolean (reported).
    fn opt_in(&mut self, doc: &Node) -> Option<bool> {
        let Some(node) = doc.get("opt_in") else {
            return Some(false);
        };
        let value = node.as_bool();
        if value.is_none() {
            self.error(
                "rule::field-type",
                node.span,
                "`opt_in` must be true or false",
            );
        }
        value
    }

    /// `reported_by`: `None` when absent, `Some(None)` when wrong (reported).
    fn reported_by(&mut self, doc: &Node, id: &str) -> Option<Option<ReportedBy>> {
        let node = doc.get("reported_by")?;
        let reporter = match node.as_str() {
            Some("suppression-audit") => ReportedBy::SuppressionAudit,
            _ => {
                self.error(
                    "rule::reported-by",
                    node.span,
                    "`reported_by` names the stage that reports a rule without bindings: \
                     suppression-audit",
                );
                return Some(None);
            }
        };
        if !crate::suppress::audit::is_audit_rule(id) {
            self.error(
                "rule::reported-by",
                node.span,
                format!(
                    "the suppression audit reports only {}; `{id}` needs bindings",
                    crate::suppress::audit::RULES.join(", ")
                ),
            );
            return Some(None);
        }
        Some(Some(reporter))
    }

    /// A rule that another stage reports has no bindings.
    fn no_bindings(&mut self, doc: &Node) -> Option<Vec<Binding>> {
        if let Some(node) = doc.get("bindings") {
            self.error(
                "rule::bindings",
                node.span,
                "a rule with `reported_by` has no bindings: that stage reports it, not the \
                 evaluator",
            );
            return None;
        }
        Some(Vec::new())
    }

    fn bindings(&mut self, doc: &Node) -> Option<Vec<Binding>> {
        let node = self.required(doc, "bindings")?;
        let Some(map) = node.as_map().filter(|m| !m.is_empty()) else {
            self.error(
                "rule::bindings",
                node.span,
                "`bindings` maps cloudformation, terraform or kubernetes to a binding",
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for entry in map {
            let framework = match Framework::from_name(&entry.key) {
                Some(framework) => framework,
                None => {
                    let other = &entry.key;
                    ok = false;
                    self.error("rule::bindings", entry.key_span, format!("unknown framework `{other}`; use cloudformation, terraform or kubernetes"));
                    continue;
                }
            };
            match self.binding(framework, &entry.value) {
                Some(b) => out.push(b),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn binding(&mut self, framework: Framework, node: &Node) -> Option<Binding> {
        let Some(map) = node.as_map() else {
            self.error(
                "rule::bindings",
                node.span,
                "a binding is a map with `types` and `require`",
            );
            return None;
        };
        for entry in map {
            if !BINDING_KEYS.contains(&entry.key.as_str()) {
                self.error(
                    "rule::unknown-field",
                    entry.key_span,
                    format!(
                        "unknown binding field `{}`; binding fields are {}",
                        entry.key,
                        BINDING_KEYS.join(", ")
                    ),
                );
            }
        }
        let types = self
            .required(node, "types")
            .and_then(|t| self.list_of_text(t, "types"))
            .map(|items| {
                items
                    .into_iter()
                    .map(|(t, _)| TypePattern(t.to_owned()))
                    .collect()
            });
        let require = self
            .required(node, "require")
            .and_then(|n| self.condition(framework, n));
        let when = match node.get("when") {
            Some(n) => Some(self.condition(framework, n)?),
            None => None,
        };
        let defaults = self.defaults(node);
        Some(Binding {
            framework,
            types: types?,
            when,
            require: require?,
            defaults: defaults?,
        })
    }

    fn defaults(&mut self, binding: &Node) -> Option<Vec<(String, Literal)>> {
        let Some(node) = binding.get("defaults") else {
            return Some(Vec::new());
        };
        let Some(map) = node.as_map() else {
            self.error(
                "rule::defaults",
                node.span,
                "`defaults` maps an attribute path to the provider's default value",
            );
            return None;
        };
        let mut out = Vec::new();
        for entry in map {
            if let Err(e) = lang::parse(&entry.key) {
                self.error(
                    "rule::defaults",
                    entry.key_span,
                    format!("`{}` is not a path: {}", entry.key, e.message),
                );
                return None;
            }
            let literal = match &entry.value.value {
                Value::Null => Literal::Null,
                Value::Bool(b) => Literal::Bool(*b),
                Value::Int(i) => Literal::Number(*i as f64),
                Value::Float(f) => Literal::Number(*f),
                Value::String(s) => Literal::String(s.clone()),
                _ => {
                    self.error(
                        "rule::defaults",
                        entry.value.span,
                        "a default is a single value",
                    );
                    return None;
                }
            };
            out.push((entry.key.clone(), literal));
        }
        Some(out)
    }

    fn condition(&mut self, framework: Framework, node: &Node) -> Option<Condition> {
        let Some(text) = node.as_str() else {
            self.error(
                "rule::condition",
                node.span,
                "a condition is text, such as `Properties.StorageEncrypted == true`",
            );
            return None;
        };
        match lang::parse(text) {
            Ok(expr) => {
                let before = self.diagnostics.len();
                self.check_expr(framework, node, text, &expr);
                (self.diagnostics.len() == before).then(|| Condition {
                    expr,
                    text: text.to_owned(),
                    span: node.span,
                })
            }
            Err(e) => {
                let span = self.span_in(node, text, e.range);
                self.error("rule::condition", span, e.message);
                None
            }
        }
    }

    /// Checks what the parser cannot know: helper names and arities, roots that only exist
    /// for Kubernetes.
    fn check_expr(&mut self, framework: Framework, node: &Node, text: &str, expr: &Expr) {
        let mut problems = Vec::new();
        visit(expr, &mut |e| match &e.kind {
            ExprKind::Helper { name, args } => match helpers::helper(name) {
                None => problems.push((
                    e.range.clone(),
                    format!(
                        "unknown function `{name}`; see docs/rules.md for the functions and helpers"
                    ),
                )),
                Some(h) if h.arity != args.len() => problems.push((
                    e.range.clone(),
                    format!("`{name}` takes {} argument(s), not {}", h.arity, args.len()),
                )),
                Some(_) => {}
            },
            ExprKind::Path(p)
            | ExprKind::Exists(p)
            | ExprKind::Empty(p)
            | ExprKind::Count(p)
            | ExprKind::Quantifier { over: p, .. }
                if matches!(p.root, Root::PodSpec | Root::Containers | Root::Flags)
                    && !matches!(framework, Framework::Kubernetes | Framework::Terraform) =>
            {
                problems.push((
                    e.range.clone(),
                    "`$pod`, `$containers` and `$flags` exist only in kubernetes and terraform \
                     bindings"
                        .into(),
                ));
            }
            _ => {}
        });
        for (range, message) in problems {
            let span = self.span_in(node, text, range);
            self.error("rule::condition", span, message);
        }
    }

    /// The span in the rule file of `range` within a condition, when the condition is
    /// written on one line as a plain or quoted scalar; otherwise the condition's start.
    fn span_in(&self, node: &Node, text: &str, range: std::ops::Range<usize>) -> Span {
        let source = self.file.slice(node.span);
        match source.find(text) {
            Some(offset) => {
                let start = node.span.start + (offset + range.start) as u32;
                Span::new(
                    node.span.file,
                    start,
                    start + (range.end - range.start) as u32,
                )
            }
            None => Span::new(node.span.file, node.span.start, node.span.start),
        }
    }
}

/// Calls `f` on `expr` and every expression inside it.
pub(crate) fn visit(expr: &Expr, f: &mut impl FnMut(&Expr)) {
    f(expr);
    match &expr.kind {
        ExprKind::Compare { left, right, .. } => {
            visit(left, f);
            visit(right, f);
        }
        ExprKind::And(items) | ExprKind::Or(items) => items.iter().for_each(|e| visit(e, f)),
        ExprKind::Not(inner) => visit(inner, f),
        ExprKind::Quantifier { condition, .. } => visit(condition, f),
        ExprKind::Related { condition, .. } => {
            if let Some(c) = condition {
                visit(c, f);
            }
        }
        ExprKind::Helper { args, .. } => args.iter().for_each(|e| visit(e, f)),
        ExprKind::Literal(_)
        | ExprKind::Path(_)
        | ExprKind::Exists(_)
        | ExprKind::Empty(_)
        | ExprKind::Count(_) => {}
    }
}
