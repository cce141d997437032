//! The normalized statement model and the questions every helper asks of it.

use super::super::{Truth, or, shown_expression};
use crate::source::Span;

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

/// One piece of a value's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text written in the file.
    Text(String),
    /// Text known only at deployment that may be anything, wildcards included (a variable
    /// without a default).
    Any,
    /// Text known only at deployment that names something and never holds a wildcard (an
    /// ARN from `Fn::GetAtt` or `aws_iam_role.r.arn`, an account id).
    Name,
}

/// One value of a policy element: an action pattern, a resource, a principal, a condition
/// key or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The value as pieces; a literal is one [`Part::Text`] (or none for `""`).
    pub parts: Vec<Part>,
    /// How to show it in a message: the quoted literal, or the expression.
    pub shown: String,
}

/// A statement's principal (or `NotPrincipal`) entry: `{"AWS": [ids]}`, `"*"`, or a
/// Terraform `principals` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for `Principal: "*"`.
    pub kind: Term,
    /// The identifiers.
    pub ids: Vec<Term>,
    /// It may not apply (a Terraform `dynamic` block, an unknown principal).
    pub conditional: bool,
}

/// One condition: `operator: {key: values}`, or a Terraform `condition` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// `StringEquals`, `ForAnyValue:StringLike`, …
    pub operator: Term,
    /// The context key: `aws:SourceArn`, `token.actions.githubusercontent.com:sub`.
    pub key: Term,
    /// The values (any of them matches).
    pub values: Vec<Term>,
    /// It may not apply (a `dynamic` block, a whole `Condition` known only at deployment).
    pub conditional: bool,
}

/// One statement in the normalized model. `None` fields are absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Sid` / `sid`.
    pub sid: Option<String>,
    /// `Effect` (Terraform's default `Allow` filled in).
    pub effect: Option<Term>,
    /// `Action`.
    pub actions: Option<Vec<Term>>,
    /// `NotAction`.
    pub not_actions: Option<Vec<Term>>,
    /// `Resource`.
    pub resources: Option<Vec<Term>>,
    /// `NotResource`.
    pub not_resources: Option<Vec<Term>>,
    /// `Principal`.
    pub principal: Option<Vec<Principal>>,
    /// `NotPrincipal`.
    pub not_principal: Option<Vec<Principal>>,
    /// `Condition`, flattened to one entry per operator and key.
    pub conditions: Vec<Condition>,
    /// The node to blame: the statement, or the string or data source block it came from.
    pub span: Span,
    /// Where it is, for messages: `Statement[1]`, `data.aws_iam_policy_document.x.statement[0]`.
    pub path: String,
    /// It may not exist (a `dynamic` block, which may make none; replaceable by an unknown
    /// override document).
    pub conditional: bool,
}

/// Part of a document that could not be read: statements may be missing from the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Where.
    pub span: Span,
    /// The path, for messages.
    pub path: String,
    /// What is unknown.
    pub seen: String,
}

/// A policy document in the normalized model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The statements, in document order (Terraform: after merging source and override
    /// documents).
    pub statements: Vec<Statement>,
    /// Parts that could not be read; when there are any, the document may have more
    /// statements than [`Policy::statements`].
    pub gaps: Vec<Gap>,
}

// ---------------------------------------------------------------------------------------
// Terms
// ---------------------------------------------------------------------------------------

/// Joins adjacent text, drops empty text, and collapses runs of [`Part::Any`].
pub(super) fn normalized(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    for part in parts {
        match (out.last_mut(), part) {
            (_, Part::Text(t)) if t.is_empty() => {}
            (Some(Part::Text(prev)), Part::Text(t)) => prev.push_str(&t),
            (Some(Part::Any), Part::Any) => {}
            (_, part) => out.push(part),
        }
    }
    out
}

impl Term {
    /// A literal.
    pub fn literal(text: &str) -> Term {
        Term {
            parts: normalized(vec![Part::Text(text.to_owned())]),
            shown: format!("{text:?}"),
        }
    }

    /// A value known only at deployment, shown as `expression`.
    pub fn unknown(expression: &str, parts: Vec<Part>) -> Term {
        Term {
            parts: normalized(parts),
            shown: shown_expression(expression),
        }
    }

    /// The literal text, when the whole value is known.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Text(t)] => Some(t),
            _ => None,
        }
    }

    fn has_name(&self) -> bool {
        self.parts.contains(&Part::Name)
    }

    fn texts(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Text(t) => Some(t.as_str()),
            _ => None,
        })
    }

    /// The value as an IAM wildcard pattern covering every value it may take.
    fn glob(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Any | Part::Name => "*",
            })
            .collect()
    }

    /// Whether this action pattern grants `action` (IAM wildcards, any case).
    pub fn grants(&self, action: &str) -> Truth {
        match self.as_literal() {
            Some(pattern) => Truth::from_bool(glob_match(pattern, action)),
            None if glob_match(&self.glob(), action) => Truth::Unknown,
            None => Truth::False,
        }
    }

    /// Whether the value is `*` (or `**`…): every resource, or anyone.
    pub fn is_star(&self) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(!t.is_empty() && t.chars().all(|c| c == '*')),
            None if self.has_name() || self.texts().any(|t| t.chars().any(|c| c != '*')) => {
                Truth::False
            }
            None => Truth::Unknown,
        }
    }

    /// Whether this action pattern is every action: `*`, `*:*`.
    pub fn is_all_actions(&self) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(all_actions_pattern(t)),
            None => {
                let colons: usize = self.texts().map(|t| t.matches(':').count()).sum();
                let only_stars = self
                    .texts()
                    .all(|t| t.chars().all(|c| c == '*' || c == ':'));
                if self.has_name() || !only_stars || colons > 1 {
                    Truth::False
                } else {
                    Truth::Unknown
                }
            }
        }
    }

    /// Whether this action pattern is every action of one service: `s3:*`.
    pub fn is_service_wildcard(&self) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(t.split_once(':').is_some_and(|(service, action)| {
                !service.is_empty()
                    && !service.contains(['*', '?'])
                    && !action.is_empty()
                    && action.chars().all(|c| c == '*')
            })),
            None => match self.parts.last() {
                Some(Part::Text(t)) if !t.ends_with('*') => Truth::False,
                Some(Part::Name) => Truth::False,
                _ => Truth::Unknown,
            },
        }
    }

    /// Whether the value is `target`, ignoring ASCII case.
    pub fn equals_ignore_case(&self, target: &str) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(t.eq_ignore_ascii_case(target)),
            None if could_spell(&self.parts, &target.to_ascii_lowercase()) => Truth::Unknown,
            None => Truth::False,
        }
    }

    /// Whether the value ends with `suffix` (lower-case), ignoring ASCII case.
    pub fn ends_with_ignore_case(&self, suffix: &str) -> Truth {
        match self.as_literal() {
            Some(t) => Truth::from_bool(t.to_ascii_lowercase().ends_with(suffix)),
            None => match self.parts.last() {
                Some(Part::Text(t)) => {
                    let t = t.to_ascii_lowercase();
                    if t.ends_with(suffix) {
                        Truth::True
                    } else if suffix.ends_with(&t) {
                        Truth::Unknown
                    } else {
                        Truth::False
                    }
                }
                _ => Truth::Unknown,
            },
        }
    }
}

/// Whether an action pattern matches every action: only `*`s, or `*…:*…` (every action
/// name has exactly one colon).
pub(super) fn all_actions_pattern(pattern: &str) -> bool {
    let stars = |s: &str| !s.is_empty() && s.chars().all(|c| c == '*');
    match pattern.split_once(':') {
        None => stars(pattern),
        Some((service, action)) => stars(service) && stars(action),
    }
}

/// IAM wildcard matching: `*` any run of characters, `?` any one; ASCII case ignored.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let t: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// Most parts a value may have before [`could_spell`] gives up and says "maybe".
const MAX_SPELL_PARTS: usize = 12;

/// Whether some value of `parts` is exactly `target` (lower-case; text compared without
/// regard to ASCII case).
fn could_spell(parts: &[Part], target: &str) -> bool {
    if parts.len() > MAX_SPELL_PARTS {
        return true;
    }
    let Some((first, rest)) = parts.split_first() else {
        return target.is_empty();
    };
    match first {
        Part::Text(t) => {
            let t = t.to_ascii_lowercase();
            target
                .strip_prefix(t.as_str())
                .is_some_and(|after| could_spell(rest, after))
        }
        Part::Any => target
            .char_indices()
            .map(|(i, _)| i)
            .chain([target.len()])
            .any(|i| {
                target
                    .get(i..)
                    .is_some_and(|after| could_spell(rest, after))
            }),
        Part::Name => target
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain([target.len()])
            .filter(|&i| i > 0)
            .take_while(|&i| {
                target
                    .get(..i)
                    .is_some_and(|name| !name.contains(['*', '?']))
            })
            .any(|i| {
                target
                    .get(i..)
                    .is_some_and(|after| could_spell(rest, after))
            }),
    }
}

// ---------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------

/// A three-valued answer with the value that decided it, for the message.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) truth: Truth,
    pub(super) shown: String,
}

impl Found {
    pub(super) fn no() -> Found {
        Found {
            truth: Truth::False,
            shown: String::new(),
        }
    }
}

/// The first term for which `test` holds, else the first for which it may.
pub(super) fn any_term(terms: &[Term], test: impl Fn(&Term) -> Truth) -> Found {
    let mut maybe = None;
    for term in terms {
        match test(term) {
            Truth::True => {
                return Found {
                    truth: Truth::True,
                    shown: term.shown.clone(),
                };
            }
            Truth::Unknown if maybe.is_none() => maybe = Some(term.shown.clone()),
            _ => {}
        }
    }
    match maybe {
        Some(shown) => Found {
            truth: Truth::Unknown,
            shown,
        },
        None => Found::no(),
    }
}

pub(super) fn list_shown(terms: &[Term]) -> String {
    match terms {
        [one] => one.shown.clone(),
        _ => format!(
            "[{}]",
            terms
                .iter()
                .map(|t| t.shown.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Statement {
    /// Whether the effect is `Allow`.
    pub fn allows(&self) -> Truth {
        self.effect
            .as_ref()
            .map_or(Truth::False, |e| e.equals_ignore_case("Allow"))
    }

    /// Whether the statement's actions grant `action` (through `Action`, or `NotAction`
    /// not excluding it).
    pub fn grants(&self, action: &str) -> Truth {
        self.grants_found(action).truth
    }

    /// Whether the statement applies to every resource (`Resource: "*"`).
    pub fn on_any_resource(&self) -> Truth {
        self.any_resource().truth
    }

    /// Whether the statement has a condition.
    pub fn has_condition(&self) -> Truth {
        self.conditions.iter().fold(Truth::False, |acc, c| {
            or(
                acc,
                if c.conditional {
                    Truth::Unknown
                } else {
                    Truth::True
                },
            )
        })
    }

    pub(super) fn effect_shown(&self) -> String {
        match (self.allows(), &self.effect) {
            (Truth::True, _) => "Allow".to_owned(),
            (_, Some(e)) => format!("Effect {}", e.shown),
            (_, None) => "no Effect".to_owned(),
        }
    }

    pub(super) fn grants_found(&self, action: &str) -> Found {
        if let Some(actions) = &self.actions {
            return any_term(actions, |t| t.grants(action));
        }
        if let Some(excluded) = &self.not_actions {
            let hit = any_term(excluded, |t| t.grants(action));
            return Found {
                truth: hit.truth.not(),
                shown: format!("NotAction {}", list_shown(excluded)),
            };
        }
        Found::no()
    }

    pub(super) fn any_resource(&self) -> Found {
        match &self.resources {
            Some(resources) => any_term(resources, Term::is_star),
            None => Found::no(),
        }
    }
}
