//! Finding the references in Terraform expressions.
//!
//! A reference is a traversal whose root names something declared in the module:
//! `aws_s3_bucket.b.id` refers to `aws_s3_bucket.b`, `data.T.N.x` to `data.T.N`,
//! `module.M.out` to `module.M`, `var.V` to `var.V`, `local.L` to `local.L`. The local name is
//! what the graph resolves against; the span is the whole traversal.
//!
//! Not references: `count.*`, `each.*`, `path.*`, `terraform.*`, `self.*`, and the names that
//! `for` expressions, template `for` directives and `dynamic` blocks bind (the collector keeps
//! them on a stack while it is inside their scope). Function names are not traversals at all.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::{Decorated, Ident};

use super::syntax::Source;
use crate::source::Span;

/// One reference found in an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reference {
    /// The local name referred to: `aws_s3_bucket.b`, `var.region`.
    pub name: String,
    /// The traversal that refers.
    pub span: Span,
}

/// Roots that never name a declaration: Terraform's own values.
const BUILTIN_ROOTS: &[&str] = &["count", "each", "path", "terraform", "self"];

/// Collects references, knowing which names enclosing scopes bind.
#[derive(Debug, Default)]
pub(super) struct Collector {
    bound: Vec<String>,
    /// What was found, in source order.
    pub found: Vec<Reference>,
}

impl Collector {
    /// A collector inside the scope of `bound` (the iterator names of enclosing `dynamic`
    /// blocks).
    pub fn with_bound(bound: &[String]) -> Self {
        Collector {
            bound: bound.to_vec(),
            found: Vec::new(),
        }
    }

    /// Collects the references in `expr`.
    pub fn expr(&mut self, expr: &Expression, src: &Source<'_>) {
        match expr {
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_)
            | Expression::Variable(_) => {}
            Expression::Array(items) => items.iter().for_each(|e| self.expr(e, src)),
            Expression::Object(object) => {
                for (key, value) in object.iter() {
                    if let ObjectKey::Expression(key) = key {
                        self.expr(key, src);
                    }
                    self.expr(value.expr(), src);
                }
            }
            Expression::StringTemplate(t) => self.template(t, src),
            Expression::HeredocTemplate(h) => self.template(&h.template, src),
            Expression::Parenthesis(p) => self.expr(p.inner(), src),
            Expression::Conditional(c) => {
                self.expr(&c.cond_expr, src);
                self.expr(&c.true_expr, src);
                self.expr(&c.false_expr, src);
            }
            Expression::FuncCall(call) => call.args.iter().for_each(|e| self.expr(e, src)),
            Expression::Traversal(t) => {
                match &t.expr {
                    Expression::Variable(root) => {
                        let operators: Vec<&TraversalOperator> =
                            t.operators.iter().map(|o| o.value()).collect();
                        if let Some(name) = self.reference_name(root.as_str(), &operators) {
                            self.found.push(Reference {
                                name,
                                span: src.span(t.span()),
                            });
                        }
                    }
                    other => self.expr(other, src),
                }
                for op in &t.operators {
                    if let TraversalOperator::Index(index) = op.value() {
                        self.expr(index, src);
                    }
                }
            }
            Expression::UnaryOp(op) => self.expr(&op.expr, src),
            Expression::BinaryOp(op) => {
                self.expr(&op.lhs_expr, src);
                self.expr(&op.rhs_expr, src);
            }
            Expression::ForExpr(f) => {
                self.expr(&f.intro.collection_expr, src);
                let n = self.bind(f.intro.key_var.as_ref(), &f.intro.value_var);
                if let Some(key) = &f.key_expr {
                    self.expr(key, src);
                }
                self.expr(&f.value_expr, src);
                if let Some(cond) = &f.cond {
                    self.expr(&cond.expr, src);
                }
                self.unbind(n);
            }
        }
    }

    /// Collects the references in the interpolations and directives of a template.
    pub fn template(&mut self, template: &Template, src: &Source<'_>) {
        for element in template.iter() {
            match element {
                Element::Literal(_) => {}
                Element::Interpolation(i) => self.expr(&i.expr, src),
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        self.expr(&d.if_expr.cond_expr, src);
                        self.template(&d.if_expr.template, src);
                        if let Some(e) = &d.else_expr {
                            self.template(&e.template, src);
                        }
                    }
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        self.expr(&f.collection_expr, src);
                        let n = self.bind(f.key_var.as_ref(), &f.value_var);
                        self.template(&f.template, src);
                        self.unbind(n);
                    }
                },
            }
        }
    }

    fn bind(&mut self, key: Option<&Decorated<Ident>>, value: &Decorated<Ident>) -> usize {
        let before = self.bound.len();
        self.bound.extend(key.map(|k| k.as_str().to_owned()));
        self.bound.push(value.as_str().to_owned());
        self.bound.len() - before
    }

    fn unbind(&mut self, n: usize) {
        self.bound.truncate(self.bound.len().saturating_sub(n));
    }

    /// The local name a traversal from `root` through `operators` refers to, if any.
    pub fn reference_name(&self, root: &str, operators: &[&TraversalOperator]) -> Option<String> {
        if self.bound.iter().any(|b| b == root) {
            return None;
        }
        reference_name(root, operators)
    }
}

/// The local name a traversal from `root` through `operators` refers to, ignoring bound
/// names; `None` for Terraform's own values and incomplete traversals.
pub(super) fn reference_name(root: &str, operators: &[&TraversalOperator]) -> Option<String> {
    let attr = |i: usize| match operators.get(i) {
        Some(TraversalOperator::GetAttr(name)) => Some(name.as_str()),
        _ => None,
    };
    match root {
        _ if BUILTIN_ROOTS.contains(&root) => None,
        "data" => Some(format!("data.{}.{}", attr(0)?, attr(1)?)),
        _ => Some(format!("{root}.{}", attr(0)?)),
    }
}

/// The local name an expression written as a bare reference names (`depends_on` items,
/// `aws_iam_role.r` or `module.m`); `None` for anything else.
pub(super) fn bare_reference(expr: &Expression) -> Option<String> {
    match expr {
        Expression::Traversal(t) => match &t.expr {
            Expression::Variable(root) => {
                let operators: Vec<&TraversalOperator> =
                    t.operators.iter().map(|o| o.value()).collect();
                reference_name(root.as_str(), &operators)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The provider configuration a `provider = aws.west` meta-argument names, as the local
/// name of its provider node (`provider.aws.west`); `None` for other shapes.
pub(super) fn provider_reference(expr: &Expression) -> Option<String> {
    match expr {
        Expression::Variable(name) => Some(format!("provider.{}", name.as_str())),
        Expression::Traversal(t) => match (&t.expr, t.operators.as_slice()) {
            (Expression::Variable(name), [alias]) => match alias.value() {
                TraversalOperator::GetAttr(alias) => {
                    Some(format!("provider.{}.{}", name.as_str(), alias.as_str()))
                }
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Format, SourceFiles};

    fn refs(expr: &str) -> Vec<(String, String)> {
        refs_bound(expr, &[])
    }

    fn refs_bound(expr: &str, bound: &[&str]) -> Vec<(String, String)> {
        let text = format!("x = {expr}\n");
        let mut files = SourceFiles::default();
        let id = files.add("t.tf".into(), text, Format::Hcl);
        let Some(file) = files.get(id) else {
            return Vec::new();
        };
        let body = match hcl_edit::parser::parse_body(&file.text) {
            Ok(body) => body,
            Err(e) => return vec![("parse error".into(), e.to_string())],
        };
        let Some(attr) = body.get_attribute("x") else {
            return Vec::new();
        };
        let bound: Vec<String> = bound.iter().map(|s| (*s).to_owned()).collect();
        let mut c = Collector::with_bound(&bound);
        c.expr(&attr.value, &Source::file(file));
        c.found
            .into_iter()
            .map(|r| (r.name, file.slice(r.span).to_owned()))
            .collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn each_root_kind_names_its_declaration() {
        assert_eq!(
            refs("aws_s3_bucket.b.id"),
            pairs(&[("aws_s3_bucket.b", "aws_s3_bucket.b.id")])
        );
        assert_eq!(
            refs("data.aws_iam_policy_document.p.json"),
            pairs(&[(
                "data.aws_iam_policy_document.p",
                "data.aws_iam_policy_document.p.json"
            )])
        );
        assert_eq!(
            refs("module.net.vpc_id"),
            pairs(&[("module.net", "module.net.vpc_id")])
        );
        assert_eq!(refs("var.region"), pairs(&[("var.region", "var.region")]));
        assert_eq!(
            refs("local.tags[\"env\"]"),
            pairs(&[("local.tags", "local.tags[\"env\"]")])
        );
        assert_eq!(
            refs("aws_instance.web[0].id"),
            pairs(&[("aws_instance.web", "aws_instance.web[0].id")])
        );
        assert_eq!(
            refs("aws_instance.web[*].id"),
            pairs(&[("aws_instance.web", "aws_instance.web[*].id")])
        );
        // A whole resource, used as an object.
        assert_eq!(
            refs("aws_kms_key.k"),
            pairs(&[("aws_kms_key.k", "aws_kms_key.k")])
        );
    }

    #[test]
    fn terraform_values_iterators_and_functions_are_not_references() {
        for expr in [
            "count.index",
            "each.key",
            "each.value.name",
            "path.module",
            "terraform.workspace",
            "self.private_ip",
            "length(\"abc\")",
            "data.incomplete",
            "just_a_name",
            "[for s in [\"a\"] : s.id]",
            "{for k, v in {} : k => v.x}",
            "\"%{for x in [1]}${x.y}%{endfor}\"",
        ] {
            assert_eq!(refs(expr), Vec::new(), "{expr}");
        }
        assert_eq!(refs_bound("ingress.value.port", &["ingress"]), Vec::new());
        assert_eq!(refs_bound("rule.value", &["rule"]), Vec::new());
    }

    #[test]
    fn references_are_found_inside_every_construct() {
        let found = refs(
            "merge(var.a, { k = local.b, (local.c) = 1 }, [for s in var.d : s.id if s.x == \
             local.e], var.f ? aws_x.g.id : \"${aws_y.h.arn}/${module.i.o}\", -var.j, \
             jsonencode({ Resource = aws_s3_bucket.k.arn }), aws_l.m[local.n].id)",
        );
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "var.a",
                "local.b",
                "local.c",
                "var.d",
                "local.e",
                "var.f",
                "aws_x.g",
                "aws_y.h",
                "module.i",
                "var.j",
                "aws_s3_bucket.k",
                "aws_l.m",
                "local.n",
            ]
        );
    }

    #[test]
    fn heredocs_and_template_directives_are_searched() {
        let found = refs(
            "<<EOT\n${aws_s3_bucket.b.arn}\n%{if var.on}${local.x}%{else}${local.y}%{endif}\n\
             %{for r in var.rs}${r}${data.a.b.c}%{endfor}\nEOT",
        );
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "aws_s3_bucket.b",
                "var.on",
                "local.x",
                "local.y",
                "var.rs",
                "data.a.b"
            ]
        );
    }

    #[test]
    fn a_for_variable_shadows_only_inside_its_scope() {
        let found = refs("[[for s in s.list : s], s.outer]");
        assert_eq!(
            found,
            pairs(&[("s.list", "s.list"), ("s.outer", "s.outer")])
        );
    }

    #[test]
    fn provider_meta_argument_names_a_provider_configuration() {
        let parse = |s: &str| hcl_edit::parser::parse_expr(s).ok();
        assert_eq!(
            parse("aws.west").as_ref().and_then(provider_reference),
            Some("provider.aws.west".into())
        );
        assert_eq!(
            parse("google").as_ref().and_then(provider_reference),
            Some("provider.google".into())
        );
        assert_eq!(
            parse("aws_iam_role.r").as_ref().and_then(bare_reference),
            Some("aws_iam_role.r".into())
        );
    }
}
