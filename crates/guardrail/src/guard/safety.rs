//! What cfn-guard cannot survive, refused before it sees it.
//!
//! cfn-guard recurses without bounds while parsing and evaluating: two `let` variables that
//! refer to each other, or a rule that calls itself, overflow its stack when evaluated, which
//! aborts the process (no `catch_unwind` can stop a stack overflow); so do 20,000 nested
//! blocks while parsing. Each rule file is therefore checked in three steps:
//!
//! 1. its size ([`MAX_RULE_FILE_BYTES`]) and its nesting of `{ [ (` ([`MAX_RULE_DEPTH`]), on
//!    the text, before any parser runs;
//! 2. cfn-guard's own parser, on a worker thread with a large stack ([`super::run`]);
//! 3. the parsed rules, walked as cfn-guard's own AST (its `RulesFile`, through serde): no
//!    cycle among `let` variables ([`variable_cycle`]) and none among rules calling rules
//!    ([`rule_cycle`]).
//!
//! Each refusal is an error diagnostic at the place in the rule file; the file is then not
//! used, and the scan goes on without it and exits 2. The limits are in `docs/limits.md`.

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// Largest Guard rule file read, in bytes. The largest rule file of the Guard registry is
/// about 140 KB.
pub const MAX_RULE_FILE_BYTES: usize = 1 << 20;

/// Deepest nesting of braces, brackets and parentheses in a Guard rule file. Real rules nest
/// a few levels; cfn-guard's recursive parser and evaluator are safe far beyond this.
pub const MAX_RULE_DEPTH: usize = 64;

/// Checks `file`'s size and nesting before cfn-guard parses it.
pub(super) fn precheck(file: &SourceFile) -> Option<Diagnostic> {
    if file.text.len() > MAX_RULE_FILE_BYTES {
        return Some(
            Diagnostic::error(
                "guard::too-large",
                file.path.clone(),
                format!(
                    "Guard rule file of {} bytes is over the limit of {MAX_RULE_FILE_BYTES}",
                    file.text.len()
                ),
            )
            .at(Span::new(file.id, 0, 0)),
        );
    }
    let at = too_deep(&file.text)?;
    Some(
        Diagnostic::error(
            "guard::too-deep",
            file.path.clone(),
            format!("Guard rule nests deeper than {MAX_RULE_DEPTH} levels"),
        )
        .at(Span::new(file.id, at as u32, at as u32 + 1)),
    )
}

/// The offset of the first bracket that opens level [`MAX_RULE_DEPTH`] + 1, if any.
/// Comments (`#`), strings (`"…"`, `'…'`), custom messages (`<< … >>`) and regular
/// expressions (`/…/` on one line) are skipped: their brackets are text.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i = find_byte(bytes, i + 1, b'\n'),
            quote @ (b'"' | b'\'') => i = closing(bytes, i + 1, quote, true),
            b'/' => {
                let end = closing(bytes, i + 1, b'/', false);
                // Not a regular expression when it does not close on its line.
                if bytes.get(end.saturating_sub(1)) == Some(&b'/') && end > i + 1 {
                    i = end;
                } else {
                    i += 1;
                }
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                i = text
                    .get(i + 2..)
                    .and_then(|rest| rest.find(">>"))
                    .map_or(bytes.len(), |at| i + 2 + at + 2);
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_RULE_DEPTH {
                    return Some(i);
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// The offset of `needle` at or after `from`, or the end.
fn find_byte(bytes: &[u8], from: usize, needle: u8) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == needle))
        .map_or(bytes.len(), |at| from + at)
}

/// Just past the `close` that ends a literal whose content starts at `from` (backslash
/// escapes skipped); when `multiline` is false a line break ends the search (returned as is).
fn closing(bytes: &[u8], from: usize, close: u8, multiline: bool) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if !multiline => return i,
            b if b == close => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Checks cfn-guard's parsed rules (its `RulesFile` as JSON) for the cycles it would recurse
/// on forever.
pub(super) fn check_cycles(file: &SourceFile, rules: &Json) -> Option<Diagnostic> {
    variable_cycle(file, rules).or_else(|| rule_cycle(file, rules))
}

/// A scope of `let` variables: the file, a rule's block, a nested block; parameterised rules
/// add a scope of their parameters.
struct Scope {
    parent: Option<usize>,
    /// Each name defined here: the variable's node, or `None` for a rule parameter.
    names: HashMap<String, Option<usize>>,
}

/// The `let` variables of a rules file and which refer to which.
#[derive(Default)]
struct Variables {
    scopes: Vec<Scope>,
    /// Name of each variable node.
    names: Vec<String>,
    /// The variables each one's value refers to.
    refers_to: Vec<Vec<usize>>,
}

impl Variables {
    fn scope(&mut self, parent: Option<usize>) -> usize {
        self.scopes.push(Scope {
            parent,
            names: HashMap::new(),
        });
        self.scopes.len() - 1
    }

    /// The variable `name` means in `scope`: the nearest definition outward.
    fn resolve(&self, mut scope: usize, name: &str) -> Option<usize> {
        loop {
            let s = self.scopes.get(scope)?;
            if let Some(found) = s.names.get(name) {
                return *found;
            }
            scope = s.parent?;
        }
    }

    /// Walks `value` in `scope`; references found are those of variable `current`, if any.
    fn walk(&mut self, value: &Json, scope: usize, current: Option<usize>) {
        match value {
            Json::Array(items) => items.iter().for_each(|i| self.walk(i, scope, current)),
            Json::Object(map) => {
                if let Some(Json::Array(parameters)) = map.get("parameter_names") {
                    let inner = self.scope(Some(scope));
                    for p in parameters.iter().filter_map(Json::as_str) {
                        self.scopes[inner].names.insert(p.to_owned(), None);
                    }
                    let rest = map.iter().filter(|(k, _)| *k != "parameter_names");
                    rest.for_each(|(_, v)| self.walk(v, inner, current));
                } else if let Some(Json::Array(assignments)) = map.get("assignments") {
                    let inner = self.scope(Some(scope));
                    let mut lets = Vec::new();
                    for a in assignments {
                        let Some(name) = a.get("var").and_then(Json::as_str) else {
                            continue;
                        };
                        let node = self.names.len();
                        self.names.push(name.to_owned());
                        self.refers_to.push(Vec::new());
                        self.scopes[inner].names.insert(name.to_owned(), Some(node));
                        lets.push((node, a.get("value")));
                    }
                    for (node, value) in lets {
                        if let Some(value) = value {
                            self.walk(value, inner, Some(node));
                        }
                    }
                    let rest = map.iter().filter(|(k, _)| *k != "assignments");
                    rest.for_each(|(_, v)| self.walk(v, inner, current));
                } else {
                    let variable = map
                        .get("Key")
                        .and_then(Json::as_str)
                        .and_then(|k| k.strip_prefix('%'));
                    if let (Some(name), Some(from)) = (variable, current) {
                        if let Some(to) = self.resolve(scope, name) {
                            self.refers_to[from].push(to);
                        }
                    }
                    map.values().for_each(|v| self.walk(v, scope, current));
                }
            }
            _ => {}
        }
    }
}

/// A cycle in a graph given as adjacency lists, as the nodes on it in order (the first
/// repeated at the end), found by an iterative depth-first search (no recursion: the graph
/// can be as large as the file).
fn find_cycle(edges: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; edges.len()];
    for root in 0..edges.len() {
        if mark[root] != Mark::New {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::Open;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let Some(&to) = edges[node].get(*next) else {
                mark[node] = Mark::Done;
                path.pop();
                continue;
            };
            *next += 1;
            match mark.get(to) {
                Some(Mark::New) => {
                    mark[to] = Mark::Open;
                    path.push((to, 0));
                }
                Some(Mark::Open) => {
                    let from = path.iter().position(|&(n, _)| n == to).unwrap_or(0);
                    let mut cycle: Vec<usize> = path[from..].iter().map(|&(n, _)| n).collect();
                    cycle.push(to);
                    return Some(cycle);
                }
                _ => {}
            }
        }
    }
    None
}

/// `let` variables whose values refer to each other in a cycle (`let a = %b`, `let b = %a`,
/// or `let a = %a`), which cfn-guard would resolve forever.
fn variable_cycle(file: &SourceFile, rules: &Json) -> Option<Diagnostic> {
    let mut vars = Variables::default();
    let root = vars.scope(None);
    vars.walk(rules, root, None);
    let cycle = find_cycle(&vars.refers_to)?;
    let names: Vec<&str> = cycle.iter().map(|&n| vars.names[n].as_str()).collect();
    let first = names.first().copied().unwrap_or_default();
    let at = let_position(&file.text, first).unwrap_or(0);
    Some(
        Diagnostic::error(
            "guard::cyclic-variable",
            file.path.clone(),
            format!(
                "Guard variables refer to each other in a cycle: {}",
                names
                    .iter()
                    .map(|n| format!("%{n}"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            ),
        )
        .at(Span::new(file.id, at as u32, (at + first.len()) as u32)),
    )
}

/// Where `let name` is first written: the offset of the name.
fn let_position(text: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text.get(from..)?.find("let") {
        let at = from + found;
        let rest = &text[at + 3..];
        let trimmed = rest.trim_start();
        let before_ok = at == 0 || !text.as_bytes()[at - 1].is_ascii_alphanumeric();
        if before_ok && trimmed.len() < rest.len() && trimmed.starts_with(name) {
            let after = trimmed.as_bytes().get(name.len());
            if after.is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_')) {
                return Some(at + 3 + (rest.len() - trimmed.len()));
            }
        }
        from = at + 3;
    }
    None
}

/// A call of a rule: the callee's index and, when cfn-guard knows it, the line and column
/// of the call.
type Call = (usize, Option<(u32, u32)>);

/// Rules that call each other in a cycle (a parameterised rule that calls itself, directly
/// or through others; named rules that depend on each other), which cfn-guard would
/// evaluate forever.
fn rule_cycle(file: &SourceFile, rules: &Json) -> Option<Diagnostic> {
    let mut defined: Vec<(&str, &Json)> = Vec::new();
    if let Some(Json::Array(named)) = rules.get("guard_rules") {
        defined.extend(
            named
                .iter()
                .filter_map(|r| Some((r.get("rule_name")?.as_str()?, r))),
        );
    }
    if let Some(Json::Array(parameterized)) = rules.get("parameterized_rules") {
        defined.extend(parameterized.iter().filter_map(|p| {
            let rule = p.get("rule")?;
            Some((rule.get("rule_name")?.as_str()?, rule))
        }));
    }
    let index: HashMap<&str, usize> = defined
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (*name, i))
        .collect();
    // For each rule, the rules it calls with where each call is written.
    let mut calls: Vec<Vec<Call>> = vec![Vec::new(); defined.len()];
    for (i, (_, rule)) in defined.iter().enumerate() {
        let mut stack = vec![*rule];
        while let Some(value) = stack.pop() {
            match value {
                Json::Array(items) => stack.extend(items),
                Json::Object(map) => {
                    let callee = map.get("dependent_rule").and_then(Json::as_str);
                    if let Some(&to) = callee.and_then(|c| index.get(c)) {
                        let location = map.get("location").and_then(|l| {
                            let line = l.get("line")?.as_u64()?;
                            let column = l.get("column")?.as_u64()?;
                            Some((line as u32, column as u32))
                        });
                        calls[i].push((to, location));
                    }
                    stack.extend(map.values());
                }
                _ => {}
            }
        }
    }
    let edges: Vec<Vec<usize>> = calls
        .iter()
        .map(|c| c.iter().map(|&(to, _)| to).collect())
        .collect();
    let cycle = find_cycle(&edges)?;
    let names: Vec<&str> = cycle.iter().map(|&n| defined[n].0).collect();
    // Point at the call that closes the cycle back to where it started.
    let (caller, callee) = (cycle[cycle.len() - 2], cycle[cycle.len() - 1]);
    let at = calls[caller]
        .iter()
        .find(|(to, _)| *to == callee)
        .and_then(|(_, location)| *location)
        .map_or(0, |(line, column)| file.offset_at(line, column));
    let message = if names.len() == 2 {
        format!("Guard rule `{}` calls itself", names[0])
    } else {
        format!(
            "Guard rules call each other in a cycle: {}",
            names.join(" → ")
        )
    };
    Some(
        Diagnostic::error("guard::recursive-rule", file.path.clone(), message)
            .at(Span::new(
                file.id,
                at,
                at + names[names.len() - 1].len() as u32,
            ))
            .with_help("cfn-guard would evaluate it forever; break the cycle"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Format, LineIndex};

    fn file(text: &str) -> SourceFile {
        SourceFile {
            id: FileId(0),
            path: "r.guard".into(),
            text: text.to_owned(),
            format: Format::Yaml,
            lines: LineIndex::new(text),
        }
    }

    /// The code and `line:col` of what [`super::super::load::syntax_error`] says.
    fn verdict(text: &str) -> Option<(&'static str, String)> {
        let f = file(text);
        let d = super::super::load::syntax_error(&f)?;
        let at = d.span.map(|s| f.line_col(s.start).to_string());
        Some((d.code, at.unwrap_or_default()))
    }

    #[test]
    fn variables_that_refer_to_each_other_are_refused_at_the_let() {
        let text = "let a = %b\nlet b = Resources.*[ Type == %a ]\nrule r { %a EXISTS }\n";
        assert_eq!(
            verdict(text),
            Some(("guard::cyclic-variable", "1:5".to_owned()))
        );
        let itself = "rule r {\n  let self = %self.X\n  %self EXISTS\n}\n";
        assert_eq!(
            verdict(itself),
            Some(("guard::cyclic-variable", "2:7".to_owned()))
        );
        // The same names in two rules are two scopes: no cycle.
        let scoped = "rule a {\n let x = %y\n let y = Resources\n %x EXISTS\n}\nrule b {\n let y = %x\n let x = Resources\n %y EXISTS\n}\n";
        assert_eq!(verdict(scoped), None);
    }

    #[test]
    fn rules_that_call_themselves_are_refused_at_the_call() {
        let direct = "rule p(x) {\n  p(%x)\n}\nrule r { p(1) }\n";
        assert_eq!(
            verdict(direct),
            Some(("guard::recursive-rule", "2:3".to_owned()))
        );
        let mutual = "rule a {\n  b\n}\nrule b {\n  a\n}\nrule c {\n  a\n}\n";
        assert_eq!(
            verdict(mutual),
            Some(("guard::recursive-rule", "5:3".to_owned()))
        );
        let fine = "rule p(x) { %x == 1 }\nrule a { p(1) }\nrule b {\n  a\n}\n";
        assert_eq!(verdict(fine), None);
    }

    fn nested(depth: usize) -> String {
        let mut text = String::from("# { [ ( not counted\nrule A {\n");
        for _ in 1..depth {
            text.push_str("Resources.* {\n");
        }
        text.push_str("Type == /[(]/ <<\n{{{ >>\n");
        for _ in 1..depth {
            text.push_str("}\n");
        }
        text.push_str("}\n");
        text
    }

    #[test]
    fn nesting_is_bounded_at_the_limit() {
        assert_eq!(verdict(&nested(MAX_RULE_DEPTH)), None);
        let past = nested(MAX_RULE_DEPTH + 1);
        let line = MAX_RULE_DEPTH + 2;
        assert_eq!(
            verdict(&past),
            Some(("guard::too-deep", format!("{line}:13")))
        );
        let list = format!(
            "rule A {{ Resources.*.X in {}1{} }}\n",
            "[".repeat(20_000),
            "]".repeat(20_000)
        );
        assert_eq!(verdict(&list).map(|v| v.0), Some("guard::too-deep"));
    }

    #[test]
    fn size_is_bounded_at_the_limit() {
        let head = "rule A { Resources EXISTS }\n";
        let at_limit = format!("{head}{}", "#".repeat(MAX_RULE_FILE_BYTES - head.len()));
        assert_eq!(verdict(&at_limit), None);
        let past = format!("{at_limit}#");
        assert_eq!(verdict(&past), Some(("guard::too-large", "1:1".to_owned())));
    }
}
