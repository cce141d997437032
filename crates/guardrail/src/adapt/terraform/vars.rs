//! Terraform variable definitions files (`.tfvars`, `.tfvars.json`): the values they assign,
//! read once and applied to the modules they concern.
//!
//! A native-syntax file is a body of `name = value` attributes; a JSON file is one object of
//! `"name": value` members (`"//"` members are comments, as in `.tf.json`). Values are read with
//! the module's evaluator, like a variable's `default`: in native syntax literals, lists,
//! objects, heredocs and templates and operators over them evaluate, and anything that refers
//! to something (Terraform allows no references there) is unknown; JSON strings are literal,
//! as Terraform reads them. A value replaces the variable's default, and a use of the variable
//! resolves to it with [`Provenance::Resolved`](crate::value::Provenance::Resolved) pointing
//! at the value in the var file.
//!
//! Which files apply to which module is the caller's choice (see [`ModuleVars`]); this module
//! only reads them and says what they assign.
//!
//! # Diagnostics
//!
//! `terraform::var-file` (error) for what Terraform rejects in a var file: a block, JSON that
//! is not one object (a name set twice is a syntax error of the parsers); `terraform::undeclared-variable` (warning, as Terraform warns) for a value
//! no variable takes; `terraform::var-file-unused` (info) for an auto-loaded file in a
//! directory without Terraform files.

use std::collections::HashSet;

use super::TerraformFile;
use super::syntax::{self, Attribute, Expr, Item, Value};
use crate::adapt::Adapted;
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{Framework, NodeKind};
use crate::source::{SourceFile, Span};

/// The values one variable definitions file assigns, in source order.
#[derive(Clone)]
pub struct VarFile<'a> {
    file: &'a SourceFile,
    assignments: Vec<Assignment<'a>>,
}

/// One `name = value` of a var file.
#[derive(Clone, Copy)]
pub(super) struct Assignment<'a> {
    /// The variable's name.
    pub name: &'a str,
    /// Where the name is written.
    pub name_span: Span,
    /// The value, read like a variable default.
    pub value: Expr<'a>,
}

/// The variable definitions files that set one module's variables, each list lowest
/// precedence first; `explicit` files come after `auto` ones, as in Terraform.
#[derive(Clone, Copy, Default)]
pub struct ModuleVars<'v, 'a> {
    /// The module directory's own auto-loaded files (`terraform.tfvars`,
    /// `terraform.tfvars.json`, then `*.auto.tfvars` and `*.auto.tfvars.json` by name). A
    /// value for a variable the module does not declare is a warning.
    pub auto: &'v [VarFile<'a>],
    /// Files the user named (`--var-file`, the configuration's `var_files`), applied to every
    /// module that declares the variable; a value no module declares is reported by
    /// [`undeclared_anywhere`], once, not by each module.
    pub explicit: &'v [VarFile<'a>],
    /// The `TF_VAR_name` values of the environment, by name: below every file, above the
    /// defaults. A name no variable of the module declares is ignored, as Terraform does.
    pub environment: Option<&'v std::collections::BTreeMap<String, String>>,
}

impl<'a> VarFile<'a> {
    /// Reads the assignments of a parsed var file. What Terraform would reject in it is
    /// reported to `diagnostics` and left out; the rest is kept.
    pub fn read(parsed: TerraformFile<'a>, diagnostics: &mut Vec<Diagnostic>) -> Self {
        let mut assignments = Vec::new();
        let lowered = syntax::lower_var_file(parsed, diagnostics);
        let file = lowered.file;
        for item in lowered.items {
            match item {
                Item::Attribute(Attribute {
                    key,
                    key_span,
                    value: Value::Expr(value),
                    ..
                }) => assignments.push(Assignment {
                    name: key,
                    name_span: key_span,
                    value,
                }),
                Item::Attribute(_) => {}
                Item::Block(block) => diagnostics.push(
                    Diagnostic::error(
                        "terraform::var-file",
                        file.path.clone(),
                        format!(
                            "a var file holds only `name = value` assignments; this `{}` block \
                             is ignored",
                            block.ident
                        ),
                    )
                    .at(block.ident_span)
                    .with_help(
                        "Terraform rejects blocks in a var file; write an object value \
                         instead: `name = { key = value }`",
                    ),
                ),
            }
        }
        VarFile { file, assignments }
    }

    /// The file.
    pub fn file(&self) -> &'a SourceFile {
        self.file
    }

    /// The names it sets, with where each is written, in source order.
    pub fn names(&self) -> impl Iterator<Item = (&'a str, Span)> + '_ {
        self.assignments.iter().map(|a| (a.name, a.name_span))
    }

    pub(super) fn assignments(&self) -> &[Assignment<'a>] {
        &self.assignments
    }

    /// The note for an auto-loaded var file in a directory that has no Terraform files, so
    /// no module whose variables it could set.
    pub fn unused(&self) -> Diagnostic {
        Diagnostic::new(
            Severity::Info,
            "terraform::var-file-unused",
            self.file.path.clone(),
            "no Terraform files were read in this directory, so the values of this var file \
             set nothing",
        )
    }
}

/// The warning for a value of an auto-loaded var file that its module takes no variable for.
pub(super) fn undeclared_here(file: &SourceFile, name: &str, span: Span) -> Diagnostic {
    undeclared(file, name, span, "this module declares no")
}

/// The warning for a value no variable takes; `declarers` says where none was found
/// ("this module declares no").
fn undeclared(file: &SourceFile, name: &str, span: Span, declarers: &str) -> Diagnostic {
    Diagnostic::new(
        Severity::Warning,
        "terraform::undeclared-variable",
        file.path.clone(),
        format!(
            "a value is set for `{name}`, but {declarers} `variable \"{name}\"`; it is not used"
        ),
    )
    .at(span)
    .with_help("Terraform warns about it too: declare the variable, or remove the value")
}

/// Warnings for the values of `var_files` (the ones the user named) that no Terraform module
/// in `adapted` declares a variable for.
pub fn undeclared_anywhere(var_files: &[VarFile<'_>], adapted: &[Adapted]) -> Vec<Diagnostic> {
    if var_files.is_empty() {
        return Vec::new();
    }
    let declared: HashSet<&str> = adapted
        .iter()
        .flat_map(|a| &a.resources)
        .filter(|(r, _)| r.framework == Framework::Terraform && r.kind == NodeKind::Variable)
        .filter_map(|(r, _)| r.address.strip_prefix("var."))
        .collect();
    let mut out = Vec::new();
    for var_file in var_files {
        for (name, span) in var_file.names() {
            if declared.contains(name) {
                continue;
            }
            out.push(undeclared(
                var_file.file,
                name,
                span,
                "no scanned module declares",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::parse;
    use crate::source::{Format, SourceFiles};
    use crate::value::{Node, Provenance, Value};

    /// Parsed files: `.tf` and `.tfvars` as HCL, `.json` names as JSON.
    struct Parsed {
        files: SourceFiles,
        bodies: Vec<(usize, hcl_edit::structure::Body)>,
        roots: Vec<(usize, Node)>,
    }

    fn parse_all(files: &[(&str, &str)]) -> Parsed {
        let mut sources = SourceFiles::default();
        for (name, text) in files {
            let format = if name.ends_with(".json") {
                Format::Json
            } else {
                Format::Hcl
            };
            sources.add((*name).into(), (*text).to_owned(), format);
        }
        let mut bodies = Vec::new();
        let mut roots = Vec::new();
        for (i, file) in sources.iter().enumerate() {
            if file.format == Format::Hcl {
                match parse::hcl::parse(file) {
                    Ok(body) => bodies.push((i, body)),
                    Err(e) => panic!("{} does not parse: {}", file.path.display(), e.message),
                }
            } else {
                let parsed = parse::yaml::parse(file);
                assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
                let [root] = parsed.documents.as_slice() else {
                    panic!("one document expected")
                };
                roots.push((i, root.clone()));
            }
        }
        Parsed {
            files: sources,
            bodies,
            roots,
        }
    }

    impl Parsed {
        fn tf(&self, name: &str) -> TerraformFile<'_> {
            let i = self
                .files
                .iter()
                .position(|f| f.path.to_str() == Some(name))
                .expect("file");
            let file = self.files.iter().nth(i).expect("file");
            if let Some((_, body)) = self.bodies.iter().find(|(j, _)| *j == i) {
                return TerraformFile::Hcl { file, body };
            }
            let (_, root) = self.roots.iter().find(|(j, _)| *j == i).expect("parsed");
            TerraformFile::Json { file, root }
        }

        fn text(&self, span: Span) -> &str {
            self.files.get(span.file).map_or("", |f| f.slice(span))
        }
    }

    /// Adapts `main.tf` with the auto and named var files given by name.
    fn adapt_with(parsed: &Parsed, auto: &[&str], named: &[&str]) -> (Adapted, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut read = |names: &[&str]| -> Vec<VarFile<'_>> {
            names
                .iter()
                .map(|n| VarFile::read(parsed.tf(n), &mut diagnostics))
                .collect()
        };
        let auto = read(auto);
        let named = read(named);
        let adapted = super::super::adapt_module(
            ".",
            &[parsed.tf("main.tf")],
            ModuleVars {
                auto: &auto,
                explicit: &named,
                environment: None,
            },
        );
        diagnostics.extend(undeclared_anywhere(&named, std::slice::from_ref(&adapted)));
        (adapted, diagnostics)
    }

    fn attr<'a>(adapted: &'a Adapted, address: &str, name: &str) -> &'a Node {
        adapted
            .resources
            .iter()
            .find(|(r, _)| r.address == address)
            .and_then(|(r, _)| r.attributes.get(name))
            .unwrap_or_else(|| panic!("no {address}.{name}"))
    }

    const MAIN: &str = r#"variable "public" {
  default = false
}
variable "engine" {}
variable "tags" {
  default = {}
}
resource "aws_db_instance" "db" {
  publicly_accessible = var.public
  engine              = var.engine
  tags                = var.tags
}
"#;

    #[test]
    fn a_var_file_value_replaces_the_default_and_points_at_the_var_file() {
        let parsed = parse_all(&[
            ("main.tf", MAIN),
            (
                "prod.tfvars",
                "public = true\nengine = \"postgres\"\ntags = {\n  env = \"prod\"\n}\n",
            ),
        ]);
        let (a, diagnostics) = adapt_with(&parsed, &[], &["prod.tfvars"]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        let public = attr(&a, "aws_db_instance.db", "publicly_accessible");
        assert_eq!(public.value, Value::Bool(true));
        // The finding points at the use; the value's definition is in the var file.
        assert_eq!(parsed.text(public.span), "var.public");
        let Some(from) = public.provenance.definition() else {
            panic!("not resolved: {:?}", public.provenance)
        };
        assert_eq!(
            parsed.files.get(from.file).map(|f| f.display_path()),
            Some("prod.tfvars".to_owned())
        );
        assert_eq!(parsed.text(from), "true");
        // A variable without a default gets its value too.
        let engine = attr(&a, "aws_db_instance.db", "engine");
        assert_eq!(engine.as_str(), Some("postgres"));
        let tags = attr(&a, "aws_db_instance.db", "tags");
        assert_eq!(tags.to_json(), json!({"env": "prod"}));
        // The variable node keeps its declaration as written.
        let default = a
            .resources
            .iter()
            .find(|(r, _)| r.address == "var.public")
            .and_then(|(r, _)| r.attributes.get("default"))
            .expect("default");
        assert_eq!(default.value, Value::Bool(false));
    }

    #[test]
    fn later_files_win_and_named_files_come_after_auto_ones() {
        let parsed = parse_all(&[
            ("main.tf", MAIN),
            ("terraform.tfvars", "public = true\nengine = \"a\"\n"),
            ("x.auto.tfvars.json", "{\"engine\": \"b\"}"),
            ("named.tfvars", "public = false\n"),
        ]);
        let (a, diagnostics) = adapt_with(
            &parsed,
            &["terraform.tfvars", "x.auto.tfvars.json"],
            &["named.tfvars"],
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            attr(&a, "aws_db_instance.db", "publicly_accessible").value,
            Value::Bool(false)
        );
        let engine = attr(&a, "aws_db_instance.db", "engine");
        assert_eq!(engine.as_str(), Some("b"));
        assert!(
            matches!(&engine.provenance, Provenance::Resolved(d) if parsed.text(d.definition) == "\"b\"")
        );
    }

    #[test]
    fn json_strings_are_literal_and_references_are_unknown() {
        let parsed = parse_all(&[
            ("main.tf", MAIN),
            (
                "a.auto.tfvars.json",
                "{\"engine\": \"${var.x}\", \"//\": \"note\"}",
            ),
            (
                "b.auto.tfvars",
                "public = var.other\ntags = { n = 1 + 2 }\n",
            ),
        ]);
        let (a, diagnostics) = adapt_with(&parsed, &["a.auto.tfvars.json", "b.auto.tfvars"], &[]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
        assert_eq!(
            attr(&a, "aws_db_instance.db", "engine").as_str(),
            Some("${var.x}")
        );
        // Terraform allows no references in a var file; guardrail cannot know the value.
        assert_eq!(
            attr(&a, "aws_db_instance.db", "publicly_accessible").to_json(),
            json!({"$unknown": "var.public"})
        );
        assert_eq!(
            attr(&a, "aws_db_instance.db", "tags").to_json(),
            json!({"n": 3})
        );
    }

    #[test]
    fn undeclared_values_are_warnings_where_they_are_written() {
        let parsed = parse_all(&[
            ("main.tf", MAIN),
            ("terraform.tfvars", "public = true\nregion = \"eu\"\n"),
            ("named.tfvars", "zone = \"a\"\npublic = false\n"),
        ]);
        let (a, diagnostics) = adapt_with(&parsed, &["terraform.tfvars"], &["named.tfvars"]);
        let shown = |d: &Diagnostic| {
            let at = d
                .span
                .map(|s| parsed.files.start_of(s).to_string())
                .unwrap_or_default();
            format!("{:?} {} {}:{at}", d.severity, d.code, d.path.display())
        };
        assert_eq!(
            a.diagnostics.iter().map(shown).collect::<Vec<_>>(),
            ["Warning terraform::undeclared-variable terraform.tfvars:2:1"]
        );
        assert_eq!(
            diagnostics.iter().map(shown).collect::<Vec<_>>(),
            ["Warning terraform::undeclared-variable named.tfvars:1:1"]
        );
        // The declared values still apply.
        assert_eq!(
            attr(&a, "aws_db_instance.db", "publicly_accessible").value,
            Value::Bool(false)
        );
    }

    #[test]
    fn what_terraform_rejects_in_a_var_file_is_an_error_at_its_place() {
        let parsed = parse_all(&[
            ("main.tf", MAIN),
            (
                "blocks.tfvars",
                "public = true\n\nsettings {\n  on = true\n}\n",
            ),
            ("list.tfvars.json", "[1, 2]"),
        ]);
        let mut diagnostics = Vec::new();
        let blocks = VarFile::read(parsed.tf("blocks.tfvars"), &mut diagnostics);
        let list = VarFile::read(parsed.tf("list.tfvars.json"), &mut diagnostics);
        assert_eq!(
            blocks.names().map(|(n, _)| n).collect::<Vec<_>>(),
            ["public"]
        );
        assert_eq!(list.names().count(), 0);
        let shown: Vec<String> = diagnostics
            .iter()
            .map(|d| {
                let at = d.span.map(|s| parsed.files.start_of(s).to_string());
                format!("{} {} {}", d.code, at.unwrap_or_default(), d.message)
            })
            .collect();
        assert_eq!(
            shown,
            [
                "terraform::var-file 3:1 a var file holds only `name = value` assignments; \
                 this `settings` block is ignored",
                "terraform::var-file 1:1 a JSON var file must hold one object of variable \
                 values; this is a list",
            ]
        );
        assert!(diagnostics.iter().all(|d| d.severity == Severity::Error));
    }
}
