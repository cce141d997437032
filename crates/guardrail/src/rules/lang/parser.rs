//! Recursive-descent parser for conditions. Conditions are short, written by rule authors,
//! and bounded in nesting (see [`MAX_NESTING`]), so recursion is safe here.

use regex::Regex;

use super::lexer::{Token, tokenize};
use super::{
    CompareOp, Expr, ExprKind, Literal, Path, Quantifier, Relation, Root, Segment, SyntaxError,
    TextRange,
};

/// Deepest nesting of parentheses and calls accepted in one condition.
const MAX_NESTING: usize = 64;

/// Parses a condition.
pub fn parse(text: &str) -> std::result::Result<Expr, SyntaxError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        scopes: vec![Scope::Resource],
    };
    let expr = parser.expr()?;
    match parser.tokens.get(parser.pos) {
        None => Ok(expr),
        Some((_, range)) => Err(SyntaxError {
            range: range.clone(),
            message: "expected `and`, `or` or the end of the condition".into(),
        }),
    }
}

/// What a path without a prefix is relative to.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Resource,
    Quantifier,
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<(Token, TextRange)>,
    pos: usize,
    scopes: Vec<Scope>,
}

type Result<T> = std::result::Result<T, SyntaxError>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn peek_at(&self, n: usize) -> Option<&Token> {
        self.tokens.get(self.pos + n).map(|(t, _)| t)
    }

    fn here(&self) -> TextRange {
        self.tokens
            .get(self.pos)
            .map(|(_, r)| r.clone())
            .unwrap_or(self.text.len()..self.text.len())
    }

    fn end_of_previous(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|p| self.tokens.get(p))
            .map_or(0, |(_, r)| r.end)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T> {
        Err(SyntaxError {
            range: self.here(),
            message: message.into(),
        })
    }

    fn bump(&mut self) -> Option<(Token, TextRange)> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &Token, what: &str) -> Result<()> {
        if self.eat(token) {
            Ok(())
        } else {
            self.error(format!("expected {what}"))
        }
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(w)) if w == word)
    }

    fn nest(&self) -> Result<()> {
        if self.scopes.len() > MAX_NESTING {
            return self.error("condition nested too deeply");
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr> {
        self.nest()?;
        self.scopes
            .push(*self.scopes.last().unwrap_or(&Scope::Resource));
        let result = self.or();
        self.scopes.pop();
        result
    }

    fn or(&mut self) -> Result<Expr> {
        let first = self.and()?;
        self.chain(first, "or", Self::and, ExprKind::Or)
    }

    fn and(&mut self) -> Result<Expr> {
        let first = self.unary()?;
        self.chain(first, "and", Self::unary, ExprKind::And)
    }

    fn chain(
        &mut self,
        first: Expr,
        word: &str,
        next: fn(&mut Self) -> Result<Expr>,
        make: fn(Vec<Expr>) -> ExprKind,
    ) -> Result<Expr> {
        if !self.is_keyword(word) {
            return Ok(first);
        }
        let start = first.range.start;
        let mut items = vec![first];
        while self.is_keyword(word) {
            self.pos += 1;
            items.push(next(self)?);
        }
        Ok(Expr {
            kind: make(items),
            range: start..self.end_of_previous(),
        })
    }

    /// `not not … comparison`: the `not`s are counted in a loop, not by recursion, so a
    /// hostile rule file cannot overflow the stack.
    fn unary(&mut self) -> Result<Expr> {
        let mut starts = Vec::new();
        while self.is_keyword("not") {
            starts.push(self.here().start);
            self.pos += 1;
        }
        let expr = self.comparison()?;
        // `not not x` is `x` in three-valued logic too, so only the parity of the `not`s is
        // kept: the tree stays shallow for the evaluator and for dropping it.
        match starts.first() {
            Some(&start) if starts.len() % 2 == 1 => Ok(Expr {
                range: start..self.end_of_previous(),
                kind: ExprKind::Not(Box::new(expr)),
            }),
            _ => Ok(expr),
        }
    }

    fn comparison(&mut self) -> Result<Expr> {
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Token::Op(op)) => match *op {
                "==" => CompareOp::Eq,
                "!=" => CompareOp::Ne,
                "<" => CompareOp::Lt,
                "<=" => CompareOp::Le,
                ">" => CompareOp::Gt,
                _ => CompareOp::Ge,
            },
            Some(Token::Ident(w)) if w == "in" => CompareOp::In,
            Some(Token::Ident(w)) if w == "contains" => CompareOp::Contains,
            Some(Token::Ident(w)) if w == "matches" => CompareOp::Eq, // replaced below
            _ => return Ok(left),
        };
        let is_matches = self.is_keyword("matches");
        self.pos += 1;
        let right = self.operand()?;
        let op = if is_matches {
            let ExprKind::Literal(Literal::String(pattern)) = &right.kind else {
                return Err(SyntaxError {
                    range: right.range,
                    message: "`matches` needs a quoted regular expression".into(),
                });
            };
            let regex = Regex::new(pattern).map_err(|e| SyntaxError {
                range: right.range.clone(),
                message: format!("invalid regular expression: {e}"),
            })?;
            CompareOp::Matches(Box::new(regex))
        } else {
            op
        };
        if matches!(op, CompareOp::In) && !matches!(right.kind, ExprKind::Literal(Literal::List(_)))
        {
            return Err(SyntaxError {
                range: right.range,
                message: "`in` needs a list, such as [\"a\", \"b\"]".into(),
            });
        }
        let range = left.range.start..right.range.end;
        Ok(Expr {
            kind: ExprKind::Compare {
                op,
                left: Box::new(left),
                right: Box::new(right),
            },
            range,
        })
    }

    fn operand(&mut self) -> Result<Expr> {
        let start = self.here().start;
        let kind = match self.peek().cloned() {
            None => return self.error("expected a value, a path or a condition"),
            Some(Token::LParen) => {
                self.pos += 1;
                let inner = self.expr()?;
                self.expect(&Token::RParen, "`)`")?;
                return Ok(Expr {
                    kind: inner.kind,
                    range: start..self.end_of_previous(),
                });
            }
            Some(Token::Str(s)) => {
                self.pos += 1;
                ExprKind::Literal(Literal::String(s))
            }
            Some(Token::Number(n)) => {
                self.pos += 1;
                ExprKind::Literal(Literal::Number(n))
            }
            Some(Token::LBracket) => ExprKind::Literal(self.list()?),
            Some(Token::Ident(word)) => match word.as_str() {
                "true" | "false" => {
                    self.pos += 1;
                    ExprKind::Literal(Literal::Bool(word == "true"))
                }
                "null" => {
                    self.pos += 1;
                    ExprKind::Literal(Literal::Null)
                }
                "and" | "or" | "in" | "contains" | "matches" => {
                    return self.error(format!("expected a value before `{word}`"));
                }
                _ => return self.path_or_call(start),
            },
            Some(Token::Root(_) | Token::At) => return self.path_or_call(start),
            Some(_) => return self.error("expected a value, a path or a condition"),
        };
        Ok(Expr {
            kind,
            range: start..self.end_of_previous(),
        })
    }

    fn list(&mut self) -> Result<Literal> {
        self.expect(&Token::LBracket, "`[`")?;
        let mut items = Vec::new();
        while !self.eat(&Token::RBracket) {
            let item = match self.bump() {
                Some((Token::Str(s), _)) => Literal::String(s),
                Some((Token::Number(n), _)) => Literal::Number(n),
                Some((Token::Ident(w), _)) if w == "true" || w == "false" => {
                    Literal::Bool(w == "true")
                }
                Some((Token::Ident(w), _)) if w == "null" => Literal::Null,
                _ => {
                    self.pos -= 1;
                    return self
                        .error("list items must be quoted strings, numbers, booleans or null");
                }
            };
            items.push(item);
            if !self.eat(&Token::Comma) {
                self.expect(&Token::RBracket, "`,` or `]`")?;
                break;
            }
        }
        Ok(Literal::List(items))
    }

    fn path_or_call(&mut self, start: usize) -> Result<Expr> {
        let path = self.path()?;
        if self.peek() == Some(&Token::LParen) {
            let is_name = path.segments.iter().all(|s| matches!(s, Segment::Key(_)))
                && path
                    .text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            if !is_name {
                return self.error("only functions and helpers can be called");
            }
            return self.call(path.text, start);
        }
        Ok(Expr {
            kind: ExprKind::Path(path),
            range: start..self.end_of_previous(),
        })
    }

    fn path(&mut self) -> Result<Path> {
        let start = self.here().start;
        let mut segments = Vec::new();
        let root = match self.bump() {
            Some((Token::Root(r), range)) => match r.as_str() {
                "$" => Root::Resource,
                "$pod" => Root::PodSpec,
                "$containers" => Root::Containers,
                "$flags" => Root::Flags,
                _ => {
                    return Err(SyntaxError {
                        range,
                        message: format!(
                            "unknown root `{r}`: use `$` (the resource), `$pod`, `$containers` \
                             or `$flags`"
                        ),
                    });
                }
            },
            Some((Token::At, _)) => Root::Current,
            Some((Token::Ident(key), _)) => {
                segments.push(Segment::Key(key));
                match self.scopes.last() {
                    Some(Scope::Quantifier) => Root::Current,
                    _ => Root::Resource,
                }
            }
            _ => {
                self.pos = self.pos.saturating_sub(1);
                return self.error("expected a path");
            }
        };
        loop {
            match self.peek() {
                Some(Token::Dot) => {
                    self.pos += 1;
                    match self.bump() {
                        Some((Token::Ident(k) | Token::Str(k), _)) => {
                            segments.push(Segment::Key(k))
                        }
                        Some((Token::Star, _)) => segments.push(Segment::AnyValue),
                        _ => {
                            self.pos -= 1;
                            return self.error("expected a key, a quoted key or `*` after `.`");
                        }
                    }
                }
                Some(Token::LBracket) => {
                    self.pos += 1;
                    match self.bump() {
                        Some((Token::Star, _)) => segments.push(Segment::AnyItem),
                        Some((Token::Number(n), range)) => {
                            if n < 0.0 || n.fract() != 0.0 {
                                return Err(SyntaxError {
                                    range,
                                    message: "a list index is a whole number from 0".into(),
                                });
                            }
                            segments.push(Segment::Index(n as usize));
                        }
                        Some((Token::Str(k), _)) => segments.push(Segment::Key(k)),
                        _ => {
                            self.pos -= 1;
                            return self.error("expected `*`, an index or a quoted key in `[…]`");
                        }
                    }
                    self.expect(&Token::RBracket, "`]`")?;
                }
                _ => break,
            }
        }
        let text = self.text[start..self.end_of_previous()].to_owned();
        Ok(Path {
            root,
            segments,
            place: crate::rules::helpers::AttrPath::parse(&text),
            text,
        })
    }

    fn call(&mut self, name: String, start: usize) -> Result<Expr> {
        self.expect(&Token::LParen, "`(`")?;
        let kind = match name.as_str() {
            "all" | "any" | "none" => {
                let quantifier = match name.as_str() {
                    "all" => Quantifier::All,
                    "any" => Quantifier::Any,
                    _ => Quantifier::None,
                };
                let entries = matches!(self.peek(), Some(Token::Ident(w)) if w == "entries")
                    && self.peek_at(1) == Some(&Token::LParen);
                if entries {
                    self.pos += 2;
                }
                let over = self.path()?;
                if entries {
                    self.expect(&Token::RParen, "`)` after the path of `entries(`")?;
                }
                self.expect(&Token::Comma, "`,` and a condition")?;
                self.scopes.push(Scope::Quantifier);
                let condition = self.expr();
                self.scopes.pop();
                ExprKind::Quantifier {
                    quantifier,
                    over,
                    entries,
                    condition: Box::new(condition?),
                }
            }
            "exists" => ExprKind::Exists(self.path()?),
            "empty" => ExprKind::Empty(self.path()?),
            "count" => ExprKind::Count(self.path()?),
            "references" | "referenced_by" | "selected_by" => {
                let relation = match name.as_str() {
                    "references" => Relation::References,
                    "referenced_by" => Relation::ReferencedBy,
                    _ => Relation::SelectedBy,
                };
                self.related(relation)?
            }
            _ => {
                let mut args = Vec::new();
                if self.peek() != Some(&Token::RParen) {
                    loop {
                        args.push(self.expr()?);
                        if !self.eat(&Token::Comma) {
                            break;
                        }
                    }
                }
                ExprKind::Helper { name, args }
            }
        };
        self.expect(&Token::RParen, "`)`")?;
        Ok(Expr {
            kind,
            range: start..self.end_of_previous(),
        })
    }

    /// `relation(Type, "Type", …, condition?)`: leading bare names are types.
    fn related(&mut self, relation: Relation) -> Result<ExprKind> {
        let mut types = Vec::new();
        loop {
            let is_type = matches!(self.peek(), Some(Token::Ident(_) | Token::Str(_)))
                && matches!(self.peek_at(1), Some(Token::Comma | Token::RParen));
            if !is_type {
                break;
            }
            if let Some((Token::Ident(t) | Token::Str(t), _)) = self.bump() {
                types.push(t);
            }
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        if types.is_empty() {
            return self.error("expected the type of the related resource");
        }
        let condition = if self.peek() == Some(&Token::RParen) {
            None
        } else {
            // The condition is about the neighbour: bare paths start at its attributes.
            self.scopes.push(Scope::Resource);
            let condition = self.or();
            self.scopes.pop();
            Some(Box::new(condition?))
        };
        Ok(ExprKind::Related {
            relation,
            types,
            condition,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> String {
        fn show(e: &Expr) -> String {
            match &e.kind {
                ExprKind::Literal(l) => format!("{l:?}"),
                ExprKind::Path(p) => format!("{:?}{:?}", p.root, p.segments),
                ExprKind::Compare { op, left, right } => {
                    let op = match op {
                        CompareOp::Matches(r) => format!("matches /{}/", r.as_str()),
                        other => format!("{other:?}"),
                    };
                    format!("({} {op} {})", show(left), show(right))
                }
                ExprKind::And(items) => {
                    format!(
                        "and[{}]",
                        items.iter().map(show).collect::<Vec<_>>().join(", ")
                    )
                }
                ExprKind::Or(items) => {
                    format!(
                        "or[{}]",
                        items.iter().map(show).collect::<Vec<_>>().join(", ")
                    )
                }
                ExprKind::Not(inner) => format!("not {}", show(inner)),
                ExprKind::Quantifier {
                    quantifier,
                    over,
                    entries,
                    condition,
                } => format!(
                    "{quantifier:?}({}{:?}{:?}, {})",
                    if *entries { "entries " } else { "" },
                    over.root,
                    over.segments,
                    show(condition)
                ),
                ExprKind::Exists(p) => format!("exists({})", p.text),
                ExprKind::Empty(p) => format!("empty({})", p.text),
                ExprKind::Count(p) => format!("count({})", p.text),
                ExprKind::Related {
                    relation,
                    types,
                    condition,
                } => format!(
                    "{relation:?}({types:?}, {})",
                    condition.as_deref().map(show).unwrap_or_default()
                ),
                ExprKind::Helper { name, args } => format!(
                    "{name}({})",
                    args.iter().map(show).collect::<Vec<_>>().join(", ")
                ),
            }
        }
        match parse(text) {
            Ok(e) => show(&e),
            Err(e) => format!("error at {:?}: {}", e.range, e.message),
        }
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        assert_eq!(
            shape("a == 1 or not b and c != 'x'"),
            "or[(Resource[Key(\"a\")] Eq Number(1.0)), and[not Resource[Key(\"b\")], (Resource[Key(\"c\")] Ne String(\"x\"))]]"
        );
    }

    #[test]
    fn paths_have_wildcards_indexes_and_quoted_keys() {
        assert_eq!(
            shape(r#"metadata.annotations."seccomp.io/x"[*].y[2].* == true"#),
            "(Resource[Key(\"metadata\"), Key(\"annotations\"), Key(\"seccomp.io/x\"), AnyItem, Key(\"y\"), Index(2), AnyValue] Eq Bool(true))"
        );
    }

    #[test]
    fn bare_paths_in_quantifiers_are_relative_to_the_item() {
        assert_eq!(
            shape("all($containers, securityContext.privileged != true and $pod.hostPID != true)"),
            "All(Containers[], and[(Current[Key(\"securityContext\"), Key(\"privileged\")] Ne Bool(true)), (PodSpec[Key(\"hostPID\")] Ne Bool(true))])"
        );
        assert_eq!(
            shape("any(Actions, @ == '*')"),
            "Any(Resource[Key(\"Actions\")], (Current[] Eq String(\"*\")))"
        );
        assert_eq!(
            shape("none(entries(Env.Variables), key == 'X')"),
            "None(entries Resource[Key(\"Env\"), Key(\"Variables\")], (Current[Key(\"key\")] Eq String(\"X\")))"
        );
    }

    #[test]
    fn graph_predicates_take_types_then_a_condition_about_the_neighbour() {
        assert_eq!(
            shape(
                "referenced_by(aws_s3_bucket_public_access_block, \"AWS::S3::Bucket\", block_public_acls == true)"
            ),
            "ReferencedBy([\"aws_s3_bucket_public_access_block\", \"AWS::S3::Bucket\"], (Resource[Key(\"block_public_acls\")] Eq Bool(true)))"
        );
        assert_eq!(
            shape("selected_by(NetworkPolicy)"),
            "SelectedBy([\"NetworkPolicy\"], )"
        );
        assert_eq!(
            shape("references(AWS::KMS::Key)"),
            "References([\"AWS::KMS::Key\"], )"
        );
    }

    #[test]
    fn helpers_in_and_matches() {
        assert_eq!(
            shape("iam.public_principal(Policy) or x in ['a', 1] or image matches ':latest$'"),
            "or[iam.public_principal(Resource[Key(\"Policy\")]), (Resource[Key(\"x\")] In List([String(\"a\"), Number(1.0)])), (Resource[Key(\"image\")] matches /:latest$/ String(\":latest$\"))]"
        );
    }

    #[test]
    fn long_chains_of_not_do_not_recurse() {
        let text = format!("{}a == 1", "not ".repeat(200_000));
        assert_eq!(shape(&text), "(Resource[Key(\"a\")] Eq Number(1.0))");
        let text = format!("{}a == 1", "not ".repeat(200_001));
        assert_eq!(shape(&text), "not (Resource[Key(\"a\")] Eq Number(1.0))");
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        assert_eq!(
            shape("a == "),
            "error at 5..5: expected a value, a path or a condition"
        );
        assert_eq!(
            shape("a == 1 b"),
            "error at 7..8: expected `and`, `or` or the end of the condition"
        );
        assert_eq!(
            shape("x matches '('"),
            "error at 10..13: invalid regular expression: regex parse error:\n    (\n    ^\nerror: unclosed group"
        );
        assert_eq!(
            shape("a in 'x'"),
            "error at 5..8: `in` needs a list, such as [\"a\", \"b\"]"
        );
        assert_eq!(
            shape("$foo.x"),
            "error at 0..4: unknown root `$foo`: use `$` (the resource), `$pod`, `$containers` or `$flags`"
        );
        assert_eq!(
            shape("all(a b)"),
            "error at 6..7: expected `,` and a condition"
        );
        assert_eq!(shape("'abc"), "error at 0..4: string is not closed");
        assert_eq!(shape("a ~ b"), "error at 2..3: unexpected character `~`");
    }
}
