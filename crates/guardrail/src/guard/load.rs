//! Reading Guard rule files: every `.guard` / `.ruleset` file named or under a named
//! directory, checked with cfn-guard's own parser (once per process), and the named rules in
//! each, with what their text says about them (custom message, description).

use std::path::PathBuf;
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Format, SourceFile, SourceFiles, Span};

/// File name endings cfn-guard reads as rule files in a directory.
const RULE_FILE_EXTENSIONS: &[&str] = &["guard", "ruleset"];

/// One named rule as its file writes it.
#[derive(Debug, Clone)]
pub(super) struct WrittenRule {
    pub name: String,
    /// Where the name is written (after `rule`).
    pub name_span: Span,
    /// The first custom message (`<< … >>`) in the rule's body, trimmed.
    pub message: Option<String>,
    /// The `Description:` of the comment block above the rule (the registry's header), if any.
    pub description: Option<String>,
}

/// Loads the rule files at `paths` into `files`; returns their ids, in the order named (files
/// under a directory sorted by name), with the problems found.
pub(super) fn load_files(
    paths: &[PathBuf],
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<FileId> {
    let mut ids = Vec::new();
    // The configuration and the command line may name the same file, or a directory and a
    // file in it: each is read once.
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        let found = if path.is_dir() {
            crate::rules::load::files_with_extensions(
                path,
                RULE_FILE_EXTENSIONS,
                "guard::unreadable",
                diagnostics,
            )
        } else {
            vec![path.clone()]
        };
        for file in found {
            if !seen.insert(std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone())) {
                continue;
            }
            match std::fs::read_to_string(&file) {
                // Rule files are never scan input; their format is not looked at.
                Ok(text) => ids.push(files.add(file, text, Format::Yaml)),
                Err(e) => diagnostics.push(Diagnostic::error(
                    "guard::unreadable",
                    file.as_path(),
                    format!("cannot read Guard rule file: {e}"),
                )),
            }
        }
    }
    ids
}

/// Checks `file` before it is used: `None` when cfn-guard can run it safely, else the error
/// at its line. Size and nesting are checked on the text first, then cfn-guard's parser runs
/// isolated (a panic in it is an error about the file, not a crash), then its parsed rules
/// are checked for cycles it would recurse on forever (see [`super::safety`]).
pub(super) fn syntax_error(file: &SourceFile) -> Option<Diagnostic> {
    if let Some(refused) = super::safety::precheck(file) {
        return Some(refused);
    }
    let name = file.display_path();
    let parsed = super::run::isolated(|| {
        match cfn_guard::commands::validate::parse_rules(&file.text, &name) {
            Err(e) => Err(e.to_string()),
            // The AST's own serde form is the public way to read it (its fields are private).
            Ok(Some(rules)) => Ok(serde_json::to_value(&rules)
                .ok()
                .and_then(|ast| super::safety::check_cycles(file, &ast))),
            Ok(None) => Ok(None),
        }
    });
    match parsed {
        Ok(Ok(refused)) => refused,
        Ok(Err(error)) => Some(parse_error_diagnostic(file, &error)),
        Err(e) => Some(Diagnostic::error(
            "guard::syntax",
            file.path.clone(),
            format!("cfn-guard could not check this rule file: {e}"),
        )),
    }
}

/// cfn-guard reports `… at line L at column C, when handling WHAT, fragment REST`; the place
/// becomes the diagnostic's span and WHAT its message.
fn parse_error_diagnostic(file: &SourceFile, error: &str) -> Diagnostic {
    static PLACE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"(?s)at line (\d+) at column (\d+)(?:, when handling (.*?), fragment)?").ok()
    });
    let place = PLACE.as_ref().and_then(|re| re.captures(error));
    let (at, what) = match &place {
        Some(c) => {
            let line = c.get(1).and_then(|m| m.as_str().parse::<u32>().ok());
            let column = c.get(2).and_then(|m| m.as_str().parse::<u32>().ok());
            let what = c.get(3).map(|m| m.as_str().trim()).unwrap_or_default();
            (line.zip(column), what)
        }
        None => (None, ""),
    };
    let message = if what.is_empty() {
        "Guard rule file does not parse".to_owned()
    } else {
        format!("Guard rule file does not parse: {what}")
    };
    let mut diagnostic = Diagnostic::error("guard::syntax", file.path.clone(), message);
    match at {
        Some((line, column)) => {
            let offset = file.offset_at(line, column);
            diagnostic = diagnostic.at(Span::new(file.id, offset, offset));
        }
        // Without a place, cfn-guard's first line says what it could; the rest quotes the file.
        None => {
            let first = error.lines().next().unwrap_or_default();
            diagnostic = diagnostic.with_help(first.chars().take(200).collect::<String>());
        }
    }
    diagnostic
}

/// The named rules of `file`, in order. Parameterised rules (`rule name(args)`) are helpers
/// that only other rules call; cfn-guard never reports them, so they are not listed.
pub(super) fn written_rules(file: &SourceFile) -> Vec<WrittenRule> {
    static RULE: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"(?m)^[ \t]*rule[ \t]+([A-Za-z0-9_]+)[ \t]*(\()?").ok());
    let Some(re) = RULE.as_ref() else {
        return Vec::new();
    };
    let text = &file.text;
    let starts: Vec<(usize, regex::Captures<'_>)> = re
        .captures_iter(text)
        .filter_map(|c| Some((c.get(0)?.start(), c)))
        .collect();
    let mut rules = Vec::new();
    for (i, (start, caps)) in starts.iter().enumerate() {
        let Some(name) = caps.get(1) else { continue };
        let end = starts.get(i + 1).map_or(text.len(), |(s, _)| *s);
        let previous_end = i
            .checked_sub(1)
            .and_then(|p| starts.get(p))
            .map_or(0, |(s, _)| *s);
        if caps.get(2).is_some() {
            continue;
        }
        rules.push(WrittenRule {
            name: name.as_str().to_owned(),
            name_span: Span::new(file.id, name.start() as u32, name.end() as u32),
            message: first_message(text.get(*start..end).unwrap_or_default()),
            description: description(text.get(previous_end..*start).unwrap_or_default()),
        });
    }
    rules
}

/// The text of the first `<< … >>` in `body`, lines trimmed.
fn first_message(body: &str) -> Option<String> {
    let open = body.find("<<")?;
    let rest = body.get(open + 2..)?;
    let close = rest.find(">>")?;
    message_text(rest.get(..close)?)
}

/// A custom message as written between `<<` and `>>`, or as cfn-guard reports it: its lines
/// trimmed, blank ones dropped; `None` when nothing is left.
pub(super) fn message_text(raw: &str) -> Option<String> {
    let lines: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The registry's header comment: the lines after `# Description:` up to an empty comment.
fn description(before: &str) -> Option<String> {
    let mut lines = before.lines().map(str::trim);
    lines.find(|l| l.trim_start_matches('#').trim() == "Description:")?;
    let text: Vec<&str> = lines
        .map(|l| l.trim_start_matches('#').trim())
        .take_while(|l| !l.is_empty())
        .collect();
    (!text.is_empty()).then(|| text.join(" "))
}

/// The line of a custom message that starts with `label:` (`Violation`, `Fix`, `Controls`).
pub(super) fn message_line<'m>(message: &'m str, label: &str) -> Option<&'m str> {
    message.lines().find_map(|l| {
        let rest = l.trim().strip_prefix(label)?.strip_prefix(':')?;
        Some(rest.trim()).filter(|r| !r.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineIndex;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            id: FileId(0),
            path: "p.guard".into(),
            text: text.to_owned(),
            format: Format::Yaml,
            lines: LineIndex::new(text),
        }
    }

    #[test]
    fn syntax_errors_point_at_cfn_guards_line_and_column() {
        let f = file(
            "rule A {\n  Resources.*.Properties.X == true\n}\nrule B {\n  Resources.*.Properties.Y == \n}\n",
        );
        let d = syntax_error(&f).expect("a syntax error");
        let at = d.span.map(|s| f.line_col(s.start));
        assert_eq!(at.map(|p| (p.line, p.column)), Some((5, 30)));
        assert!(d.message.contains("property access"), "{}", d.message);
        assert!(syntax_error(&file("rule A { Resources EXISTS }\n")).is_none());
    }

    #[test]
    fn named_rules_with_their_message_and_description() {
        let f = file(
            "# Description:\n#    Checks things.\n#\nlet x = Resources.*\nrule A when %x !empty {\n  %x.P == 1\n  <<\n    Violation: bad\n    Fix: good\n  >>\n}\nrule helper(v) { %v == 1 }\n  rule B { Resources EXISTS }\n",
        );
        let rules = written_rules(&f);
        let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(
            rules[0].message.as_deref(),
            Some("Violation: bad\nFix: good")
        );
        assert_eq!(rules[0].description.as_deref(), Some("Checks things."));
        assert_eq!(f.slice(rules[1].name_span), "B");
        assert_eq!(rules[1].message, None);
        let message = rules[0].message.as_deref().unwrap_or_default();
        assert_eq!(message_line(message, "Fix"), Some("good"));
        assert_eq!(message_line(message, "Controls"), None);
    }
}
