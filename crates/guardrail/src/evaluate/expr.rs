//! Evaluating a condition on one resource, with Kleene three-valued logic and blame: every
//! verdict remembers the value that decided it, so a finding points at the attribute.
//!
//! Semantics (the user guide is `docs/rules.md`):
//! - a comparison over several values (a wildcard path, a list) holds when it holds for every
//!   value; over none (an absent attribute) only `!=` holds;
//! - a comparison with an unknown value is unknown, unless another value already decides it;
//! - `and` is false when any part is false, `or` true when any part is true; otherwise
//!   unknown wins over the remaining truth value.

use std::borrow::Cow;

use crate::graph::{EdgeKind, ResourceGraph, ResourceId};
use crate::rules::helpers::{
    self, ArgValue, AttrPath, Blame, HelperCall, PathStep, Truth, Verdict,
};
use crate::rules::lang::{CompareOp, Expr, ExprKind, Literal, Path, Quantifier, Relation, Root};
use crate::rules::model::Binding;
use crate::source::Span;
use crate::value::{Node, Provenance, Value};

use super::values::Reader;

/// The place of a value that no path names (a literal, a condition's truth).
static NOWHERE: std::sync::LazyLock<AttrPath> = std::sync::LazyLock::new(AttrPath::new);

/// Everything a condition is evaluated against.
pub(crate) struct Ctx<'a> {
    pub graph: &'a ResourceGraph,
    pub id: ResourceId,
    pub reader: Reader<'a>,
    /// Defaults of the binding, for paths from the resource root; none for neighbours.
    pub defaults: &'a [(String, Literal)],
    /// The values of enclosing quantifiers, innermost last.
    pub current: Vec<Cow<'a, Node>>,
}

/// The values an operand stands for, with the path that found them.
struct Values<'a> {
    nodes: Vec<Cow<'a, Node>>,
    path: &'a str,
    /// The same path, structured (read when the rule was loaded).
    place: &'a AttrPath,
    /// Where to point when there are none: the quantifier's current item for relative
    /// paths, the resource's name otherwise.
    anchor: Span,
}

impl<'a> Ctx<'a> {
    pub fn new(
        graph: &'a ResourceGraph,
        id: ResourceId,
        binding: Option<&'a Binding>,
    ) -> Option<Self> {
        let resource = graph.resource(id)?;
        Some(Ctx {
            graph,
            id,
            reader: Reader { resource },
            defaults: binding.map_or(&[], |b| b.defaults.as_slice()),
            current: Vec::new(),
        })
    }

    fn resource_span(&self) -> Span {
        self.reader.resource.name_span
    }

    fn synthetic(&self, value: Value) -> Node {
        Node::new(value, self.resource_span())
    }

    /// Where a path with this root starts.
    fn start(&self, root: Root) -> Vec<Cow<'a, Node>> {
        let resource = self.reader.resource;
        match root {
            Root::Resource => vec![Cow::Borrowed(&resource.attributes)],
            Root::Current => self.current.last().cloned().into_iter().collect(),
            Root::PodSpec => (resource.views.pod_spec.as_deref())
                .and_then(|steps| resource.views.base(&resource.attributes).at_steps(steps))
                .map(Cow::Borrowed)
                .into_iter()
                .collect(),
            Root::Containers => (resource.views.containers.iter())
                .filter_map(|steps| resource.views.base(&resource.attributes).at_steps(steps))
                .map(Cow::Borrowed)
                .collect(),
            Root::Flags => (resource.views.flags.as_ref())
                .map(Cow::Borrowed)
                .into_iter()
                .collect(),
        }
    }

    /// The values at `path`, a provider default standing in for an absent attribute.
    fn resolve(&self, path: &'a Path) -> Values<'a> {
        let mut nodes = self.reader.follow(self.start(path.root), path);
        // A program's documented default stands in for an absent flag as a provider's does
        // for an absent attribute.
        let default = matches!(path.root, Root::Resource | Root::Flags)
            .then(|| self.defaults.iter().find(|(p, _)| *p == path.text))
            .flatten();
        if let Some((_, literal)) = default {
            if nodes.is_empty() {
                let mut node = self.synthetic(literal_value(literal, self.resource_span()));
                node.provenance = Provenance::Default;
                nodes.push(Cow::Owned(node));
            }
            // A branch that removes the property (`!Ref AWS::NoValue`) gets the default too.
            for node in &mut nodes {
                if node.is_removed() {
                    let span = node.span;
                    *node = Cow::Owned(Node {
                        value: literal_value(literal, span),
                        span,
                        provenance: Provenance::Default,
                    });
                }
            }
        }
        let anchor = match (path.root, self.current.last()) {
            (Root::Current, Some(item)) => item.span,
            _ => self.resource_span(),
        };
        Values {
            nodes,
            path: &path.text,
            place: &path.place,
            anchor,
        }
    }

    /// An operand's values: a path's, a literal, a count, or a condition's truth.
    fn operand(&mut self, expr: &'a Expr) -> Values<'a> {
        match &expr.kind {
            ExprKind::Path(path) => self.resolve(path),
            ExprKind::Literal(literal) => Values {
                nodes: vec![Cow::Owned(
                    self.synthetic(literal_value(literal, self.resource_span())),
                )],
                path: "",
                place: &NOWHERE,
                anchor: self.resource_span(),
            },
            ExprKind::Count(path) => {
                let values = self.resolve(path);
                let items = flatten(values.nodes);
                let value = if items.iter().any(|n| n.is_unknown()) {
                    let waits = items.iter().flat_map(|n| n.dependencies()).collect();
                    Value::Unknown(crate::value::Unknown::new(
                        format!("count({})", path.text),
                        waits,
                    ))
                } else {
                    Value::Int(items.len() as i64)
                };
                Values {
                    nodes: vec![Cow::Owned(self.synthetic(value))],
                    path: &path.text,
                    place: &path.place,
                    anchor: self.resource_span(),
                }
            }
            _ => {
                let verdict = self.eval(expr);
                let value = match verdict.truth {
                    Truth::True => Value::Bool(true),
                    Truth::False => Value::Bool(false),
                    Truth::Unknown => Value::Unknown(crate::value::Unknown::default()),
                };
                Values {
                    nodes: vec![Cow::Owned(self.synthetic(value))],
                    path: "",
                    place: &NOWHERE,
                    anchor: self.resource_span(),
                }
            }
        }
    }

    fn absent(&self, values: &Values<'_>) -> Blame {
        Blame {
            span: values.anchor,
            path: values.place.clone(),
            seen: "absent".into(),
            default: false,
        }
    }

    fn blame(&self, node: &Node, path: &AttrPath) -> Blame {
        Blame {
            span: node.span,
            path: path.clone(),
            seen: seen(node),
            default: node.provenance == Provenance::Default,
        }
    }

    /// Evaluates a condition.
    pub fn eval(&mut self, expr: &'a Expr) -> Verdict {
        match &expr.kind {
            ExprKind::Literal(Literal::Bool(b)) => Verdict::of(Truth::from_bool(*b)),
            ExprKind::Literal(_) => Verdict::of(Truth::False),
            ExprKind::Path(path) => {
                let values = self.resolve(path);
                let anchor = values.anchor;
                self.every(flatten(values.nodes), values.place, anchor, |n| {
                    truth_of(matches!(n.value, Value::Bool(true)) || is_text_true(n))
                })
            }
            ExprKind::Compare { op, left, right } => self.compare(op, left, right),
            ExprKind::And(items) => {
                let verdicts = items.iter().map(|e| self.eval(e)).collect::<Vec<_>>();
                combine(verdicts, Truth::False, Truth::True)
            }
            ExprKind::Or(items) => {
                let verdicts = items.iter().map(|e| self.eval(e)).collect::<Vec<_>>();
                combine(verdicts, Truth::True, Truth::False)
            }
            ExprKind::Not(inner) => {
                let v = self.eval(inner);
                Verdict {
                    truth: v.truth.not(),
                    blame: v.blame,
                }
            }
            ExprKind::Exists(path) => {
                let values = self.resolve(path);
                match values
                    .nodes
                    .iter()
                    .find(|n| !matches!(n.value, Value::Null))
                {
                    Some(n) => Verdict {
                        truth: Truth::True,
                        blame: Some(self.blame(n, values.place)),
                    },
                    None => Verdict {
                        truth: Truth::False,
                        blame: Some(self.absent(&values)),
                    },
                }
            }
            ExprKind::Empty(path) => {
                let values = self.resolve(path);
                if values.nodes.is_empty() {
                    return Verdict {
                        truth: Truth::True,
                        blame: Some(self.absent(&values)),
                    };
                }
                let anchor = values.anchor;
                self.every(values.nodes, values.place, anchor, |n| match &n.value {
                    Value::Null => Truth::True,
                    Value::String(s) => truth_of(s.is_empty()),
                    Value::Seq(s) => truth_of(s.is_empty()),
                    Value::Map(m) => truth_of(m.is_empty()),
                    Value::Unknown(_) => Truth::Unknown,
                    _ => Truth::False,
                })
            }
            ExprKind::Count(_) => Verdict::of(Truth::False),
            ExprKind::Quantifier {
                quantifier,
                over,
                entries,
                condition,
            } => self.quantify(*quantifier, over, *entries, condition),
            ExprKind::Related {
                relation,
                types,
                condition,
            } => self.related(*relation, types, condition.as_deref()),
            ExprKind::Helper { name, args } => {
                let Some(helper) = helpers::helper(name) else {
                    return Verdict::of(Truth::Unknown);
                };
                let mut first_place: Option<&'a AttrPath> = None;
                let mut first_anchor: Option<Span> = None;
                let args: Vec<Vec<ArgValue<'a>>> = args
                    .iter()
                    .map(|a| {
                        let values = self.operand(a);
                        first_place.get_or_insert(values.place);
                        first_anchor.get_or_insert(values.anchor);
                        values
                            .nodes
                            .into_iter()
                            .map(|node| ArgValue {
                                node,
                                path: values.path,
                            })
                            .collect()
                    })
                    .collect();
                let call = HelperCall {
                    args,
                    graph: self.graph,
                    resource: self.id,
                };
                let mut verdict = (helper.check)(&call);
                let first = call.args.first().and_then(|a| a.first());
                let Some(argument) = first_place else {
                    return verdict;
                };
                let Some(first) = first else {
                    // A helper that blames the absence of its first argument
                    // (`kms.customer_managed` on an absent key) points where an absent
                    // attribute does.
                    if let (Some(blame), Some(anchor)) = (&mut verdict.blame, first_anchor)
                        && blame.path.is_empty()
                        && blame.seen == helpers::ABSENT
                    {
                        blame.span = anchor;
                        blame.path = argument.clone();
                    }
                    return verdict;
                };
                match &mut verdict.blame {
                    // A helper that names no place (nothing in the policy matched) rests on
                    // its first argument: the evidence of a pass such as
                    // `not iam.full_admin(Properties.PolicyDocument)`.
                    None => verdict.blame = Some(self.blame(&first.node, argument)),
                    // Helpers name places relative to their argument (`Statement[0]`).
                    Some(blame) => {
                        let span = first.node.span;
                        let inside = blame.span.start >= span.start && blame.span.end <= span.end;
                        if inside
                            && !argument.is_empty()
                            && !blame.path.starts_with(argument)
                            && !blame.path.is_absolute()
                        {
                            blame.path = argument.join(&blame.path.steps);
                        }
                    }
                }
                verdict
            }
        }
    }

    /// ∀ over values with blame: the first false, else the first unknown, else the first.
    fn every(
        &self,
        nodes: Vec<Cow<'a, Node>>,
        path: &AttrPath,
        anchor: Span,
        test: impl Fn(&Node) -> Truth,
    ) -> Verdict {
        if nodes.is_empty() {
            return Verdict {
                truth: Truth::False,
                blame: Some(Blame {
                    span: anchor,
                    path: path.clone(),
                    seen: "absent".into(),
                    default: false,
                }),
            };
        }
        let mut unknown = None;
        for node in &nodes {
            let truth = if node.is_unknown() {
                Truth::Unknown
            } else {
                test(node)
            };
            match truth {
                Truth::False => {
                    return Verdict {
                        truth,
                        blame: Some(self.blame(node, path)),
                    };
                }
                Truth::Unknown if unknown.is_none() => unknown = Some(self.blame(node, path)),
                _ => {}
            }
        }
        match unknown {
            Some(blame) => Verdict {
                truth: Truth::Unknown,
                blame: Some(blame),
            },
            None => Verdict {
                truth: Truth::True,
                blame: nodes.first().map(|n| self.blame(n, path)),
            },
        }
    }

    fn compare(&mut self, op: &CompareOp, left: &'a Expr, right: &'a Expr) -> Verdict {
        let left = self.operand(left);
        let right = self.operand(right);
        let Some(expected) = right.nodes.first().map(|n| n.clone().into_owned()) else {
            return Verdict {
                truth: Truth::False,
                blame: Some(self.absent(&right)),
            };
        };
        if expected.is_unknown() {
            return Verdict {
                truth: Truth::Unknown,
                blame: Some(self.blame(&expected, right.place)),
            };
        }
        let anchor = left.anchor;
        if let CompareOp::Contains = op {
            return self.every(left.nodes, left.place, anchor, |n| contains(n, &expected));
        }
        let absent = self.absent(&left);
        let nodes = flatten(left.nodes);
        if nodes.is_empty() {
            let truth = truth_of(
                matches!(op, CompareOp::Ne) && !matches!(expected.value, Value::Null)
                    || matches!(op, CompareOp::Eq) && matches!(expected.value, Value::Null),
            );
            return Verdict {
                truth,
                blame: Some(absent),
            };
        }
        self.every(nodes, left.place, anchor, |n| match op {
            CompareOp::Eq => truth_of(equal(n, &expected)),
            CompareOp::Ne => truth_of(!equal(n, &expected)),
            CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => {
                match (number(n), number(&expected)) {
                    (Some(a), Some(b)) => truth_of(match op {
                        CompareOp::Lt => a < b,
                        CompareOp::Le => a <= b,
                        CompareOp::Gt => a > b,
                        _ => a >= b,
                    }),
                    _ => Truth::False,
                }
            }
            CompareOp::In => truth_of(
                expected
                    .as_seq()
                    .is_some_and(|items| items.iter().any(|item| equal(n, item))),
            ),
            CompareOp::Matches(regex) => {
                truth_of(n.value.scalar_text().is_some_and(|t| regex.is_match(&t)))
            }
            CompareOp::Contains => Truth::False,
        })
    }

    fn quantify(
        &mut self,
        quantifier: Quantifier,
        over: &'a Path,
        entries: bool,
        condition: &'a Expr,
    ) -> Verdict {
        let values = self.resolve(over);
        let absent = self.absent(&values);
        let over_path = values.place.clone();
        let items: Vec<(Cow<'a, Node>, AttrPath)> = if entries {
            map_entries(values.nodes, &over_path)
        } else if let Some(parent) = map_parent(over) {
            // `Variables.*`: each value, named by its key rather than a position.
            let maps = self.reader.follow(self.start(over.root), &parent);
            map_values(maps, &parent.place)
        } else {
            flatten(values.nodes)
                .into_iter()
                .enumerate()
                .map(|(i, n)| (n, over_path.child(PathStep::Index(i))))
                .collect()
        };
        let mut unknown = None;
        let mut witness = None;
        // What a pass rests on when no item decides: the first (known) item's verdict.
        let mut evidence = None;
        // Unknown items are evaluated too: a condition may be decided without the value
        // (`secrets.literal(@)` is false for a value known only at deployment).
        for (item, label) in items {
            let item_span = item.span;
            self.current.push(item);
            let mut verdict = self.eval(condition);
            self.current.pop();
            if let Some(blame) = &mut verdict.blame {
                locate_in_item(blame, &label, item_span);
            }
            let decisive = match quantifier {
                Quantifier::All => verdict.truth == Truth::False,
                Quantifier::Any | Quantifier::None => verdict.truth == Truth::True,
            };
            if decisive {
                witness = Some(verdict.blame);
                break;
            }
            if verdict.truth == Truth::Unknown {
                if unknown.is_none() {
                    unknown = verdict.blame;
                }
            } else if evidence.is_none() {
                evidence = verdict.blame;
            }
        }
        let found = witness.is_some();
        let truth = match (quantifier, found, unknown.is_some()) {
            (Quantifier::All, true, _) => Truth::False,
            (Quantifier::Any, true, _) => Truth::True,
            (Quantifier::None, true, _) => Truth::False,
            (_, false, true) => Truth::Unknown,
            (Quantifier::All | Quantifier::None, false, false) => Truth::True,
            (Quantifier::Any, false, false) => Truth::False,
        };
        let blame = match (witness, unknown) {
            (Some(witness), _) => witness.or(Some(absent)),
            (None, Some(unknown)) => Some(unknown),
            // Every item satisfies `all` (or none matches `none`): the first item's verdict is
            // the evidence.
            (None, None) if truth == Truth::True => evidence.or(Some(absent)),
            (None, None) => Some(absent),
        };
        Verdict { truth, blame }
    }

    fn related(
        &mut self,
        relation: Relation,
        types: &'a [String],
        condition: Option<&'a Expr>,
    ) -> Verdict {
        let graph = self.graph;
        let neighbours: Vec<ResourceId> = match relation {
            Relation::References => graph
                .edges_from(self.id)
                .iter()
                .filter_map(|e| e.to)
                .collect(),
            Relation::ReferencedBy => graph.edges_to(self.id).map(|e| e.from).collect(),
            Relation::SelectedBy => graph
                .edges_to(self.id)
                .filter(|e| e.kind == EdgeKind::Selects)
                .map(|e| e.from)
                .collect(),
        };
        let mut unknown = None;
        let mut failing = None;
        for id in neighbours {
            let Some(neighbour) = graph.resource(id) else {
                continue;
            };
            if !types.iter().any(|t| neighbour.type_keys.contains(t)) {
                continue;
            }
            let verdict = match condition {
                None => Verdict::of(Truth::True),
                Some(c) => match Ctx::new(graph, id, None) {
                    Some(mut ctx) => ctx.eval(c),
                    None => continue,
                },
            };
            match verdict.truth {
                Truth::True => {
                    return Verdict {
                        truth: Truth::True,
                        blame: Some(Blame {
                            span: neighbour.name_span,
                            path: AttrPath::on(&neighbour.address, &AttrPath::new()),
                            seen: "present".into(),
                            default: false,
                        }),
                    };
                }
                Truth::Unknown => unknown = unknown.or(verdict.blame),
                Truth::False => {
                    // A neighbour of the right type that fails the condition is the place to
                    // fix: point at its offending attribute.
                    if failing.is_none() {
                        failing = verdict.blame.map(|b| Blame {
                            path: AttrPath::on(&neighbour.address, &b.path),
                            ..b
                        });
                    }
                }
            }
        }
        let what = match relation {
            Relation::References => "this resource refers to no",
            Relation::ReferencedBy => "no",
            Relation::SelectedBy => "no",
        };
        let how = match relation {
            Relation::References => "",
            Relation::ReferencedBy => " refers to this resource",
            Relation::SelectedBy => " selects this resource",
        };
        let qualifier = if condition.is_some() {
            " that satisfies the rule"
        } else {
            ""
        };
        match (unknown, failing) {
            (Some(blame), _) => Verdict {
                truth: Truth::Unknown,
                blame: Some(blame),
            },
            (None, Some(blame)) => Verdict {
                truth: Truth::False,
                blame: Some(blame),
            },
            (None, None) => Verdict {
                truth: Truth::False,
                blame: Some(Blame {
                    seen: format!("{what} {}{qualifier}{how}", types.join(" / ")),
                    ..Blame::at(self.resource_span())
                }),
            },
        }
    }
}

/// A blame found inside a quantifier's item names its place from the item's label:
/// `cidr_blocks` in the second `ingress` block becomes `ingress[1].cidr_blocks`, `value` of
/// the entry `DB_PASSWORD` becomes `Variables.DB_PASSWORD`. Blames elsewhere (an absolute
/// `$…` path, a neighbour) keep their path.
fn locate_in_item(blame: &mut Blame, label: &AttrPath, item: Span) {
    let inside = blame.span.file == item.file
        && blame.span.start >= item.start
        && blame.span.end <= item.end;
    if blame.path.is_absolute() || !inside && !blame.path.is_current_item() {
        return;
    }
    let mut rest: &[PathStep] = &blame.path.steps;
    // For map entries the label already names the value; `key` and `value` add nothing.
    let by_position = matches!(
        label.steps.last(),
        Some(PathStep::Index(_) | PathStep::AnyItem)
    );
    if !by_position {
        if let Some((PathStep::Key(first), after)) = rest.split_first() {
            if first == "value" || first == "key" {
                rest = after;
            }
        }
    }
    blame.path = label.join(rest);
}

/// For a path ending in `.*`, the path of the maps whose values it ranges over.
fn map_parent(path: &Path) -> Option<Path> {
    let (last, parent) = path.segments.split_last()?;
    (*last == crate::rules::lang::Segment::AnyValue).then(|| {
        let text = path.text.strip_suffix(".*").unwrap_or(&path.text);
        Path {
            root: path.root,
            segments: parent.to_vec(),
            place: AttrPath::parse(text),
            text: text.to_owned(),
        }
    })
}

/// The values of the maps among `nodes`, each labelled `path.key`.
fn map_values<'a>(nodes: Vec<Cow<'a, Node>>, path: &AttrPath) -> Vec<(Cow<'a, Node>, AttrPath)> {
    let mut out = Vec::new();
    for node in nodes {
        match node {
            Cow::Borrowed(n) => match &n.value {
                Value::Map(map) => out.extend(map.iter().map(|e| {
                    (
                        Cow::Borrowed(&e.value),
                        path.child(PathStep::Key(e.key.clone())),
                    )
                })),
                Value::Unknown(_) => out.push((Cow::Borrowed(n), path.clone())),
                _ => {}
            },
            Cow::Owned(n) => match n.value {
                Value::Map(ref map) => out.extend(map.iter().map(|e| {
                    (
                        Cow::Owned(e.value.clone()),
                        path.child(PathStep::Key(e.key.clone())),
                    )
                })),
                Value::Unknown(_) => out.push((Cow::Owned(n), path.clone())),
                _ => {}
            },
        }
    }
    out
}

/// The entries of the maps among `nodes`, each as a map `{key, value}` labelled
/// `path.key`. The key keeps the span of where it is written.
fn map_entries<'a>(nodes: Vec<Cow<'a, Node>>, path: &AttrPath) -> Vec<(Cow<'a, Node>, AttrPath)> {
    let mut out = Vec::new();
    for node in nodes {
        match &node.value {
            Value::Map(map) => {
                for entry in map {
                    let mut pair = crate::value::Map::new();
                    pair.insert(crate::value::Entry {
                        key: "key".into(),
                        key_span: entry.key_span,
                        value: Node::new(Value::String(entry.key.clone()), entry.key_span),
                    });
                    pair.insert(crate::value::Entry {
                        key: "value".into(),
                        key_span: entry.key_span,
                        value: entry.value.clone(),
                    });
                    let span = entry.key_span.cover(entry.value.span);
                    out.push((
                        Cow::Owned(Node::new(Value::Map(pair), span)),
                        path.child(PathStep::Key(entry.key.clone())),
                    ));
                }
            }
            // A map known only at deployment: its entries are unknown.
            Value::Unknown(_) => out.push((node.clone(), path.clone())),
            _ => {}
        }
    }
    out
}

/// Combines `and` (decisive = False) or `or` (decisive = True) verdicts. When no part
/// decides, the blame is the first part's: rule authors put the attribute that names the
/// problem first (`cidr.is_public(CidrIp) and ports.covers(…)`).
fn combine(mut verdicts: Vec<Verdict>, decisive: Truth, otherwise: Truth) -> Verdict {
    if let Some(i) = verdicts.iter().position(|v| v.truth == decisive) {
        return verdicts.swap_remove(i);
    }
    if let Some(i) = verdicts.iter().position(|v| v.truth == Truth::Unknown) {
        return verdicts.swap_remove(i);
    }
    let blame = verdicts.into_iter().find_map(|v| v.blame);
    Verdict {
        truth: otherwise,
        blame,
    }
}

fn truth_of(b: bool) -> Truth {
    Truth::from_bool(b)
}

/// List values count item by item.
fn flatten<'a>(nodes: Vec<Cow<'a, Node>>) -> Vec<Cow<'a, Node>> {
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        match node {
            Cow::Borrowed(n) => match &n.value {
                Value::Seq(items) => out.extend(items.iter().map(Cow::Borrowed)),
                _ => out.push(Cow::Borrowed(n)),
            },
            Cow::Owned(n) => match n.value {
                Value::Seq(items) => out.extend(items.into_iter().map(Cow::Owned)),
                _ => out.push(Cow::Owned(n)),
            },
        }
    }
    out
}

/// A literal from a rule as a value; list items take `span` (the resource's name), like the
/// literal itself, since they are written in the rule, not the scanned file.
fn literal_value(literal: &Literal, span: Span) -> Value {
    match literal {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => Value::Int(*n as i64),
        Literal::Number(n) => Value::Float(*n),
        Literal::String(s) => Value::String(s.clone()),
        Literal::List(items) => Value::Seq(
            items
                .iter()
                .map(|i| Node::new(literal_value(i, span), span))
                .collect(),
        ),
    }
}

/// CloudFormation accepts `"true"` for `true` and `"5432"` for `5432`; so do comparisons.
fn is_text_true(node: &Node) -> bool {
    node.as_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

fn number(node: &Node) -> Option<f64> {
    match &node.value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn equal(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Bool(x), Value::String(s)) | (Value::String(s), Value::Bool(x)) => {
            s.eq_ignore_ascii_case(if *x { "true" } else { "false" })
        }
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Int(_) | Value::Float(_) | Value::String(_), Value::Int(_) | Value::Float(_))
        | (Value::Int(_) | Value::Float(_), Value::String(_)) => {
            matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
        }
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        _ => false,
    }
}

fn contains(haystack: &Node, needle: &Node) -> Truth {
    match &haystack.value {
        Value::Seq(items) => {
            if items.iter().any(|i| equal(i, needle)) {
                Truth::True
            } else if items.iter().any(Node::is_unknown) {
                Truth::Unknown
            } else {
                Truth::False
            }
        }
        Value::String(s) => truth_of(needle.as_str().is_some_and(|n| s.contains(n))),
        Value::Map(m) => truth_of(needle.as_str().is_some_and(|k| m.contains_key(k))),
        Value::Unknown(_) => Truth::Unknown,
        _ => Truth::False,
    }
}

/// How a value is shown in a message.
pub(crate) fn seen(node: &Node) -> String {
    let text = plain(node);
    if node.is_removed() {
        return "absent".into();
    }
    match &node.provenance {
        Provenance::Default => format!("absent (the default is {text})"),
        Provenance::Resolved(_) => {
            format!("{text} (the value of the variable, local or parameter it refers to)")
        }
        Provenance::Environment(name) => format!("{text} (set by the environment variable {name})"),
        Provenance::Explicit => text,
    }
}

/// A value as text, without where it came from (said once, by [`seen`]).
fn plain(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => {
            let mut short: String = s.chars().take(80).collect();
            if short.len() < s.len() {
                short.push('…');
            }
            format!("{short:?}")
        }
        Value::Seq(items) => {
            let scalars: Option<Vec<String>> = items
                .iter()
                .take(6)
                .map(|i| match i.value {
                    Value::Seq(_) | Value::Map(_) => None,
                    _ => Some(plain(i)),
                })
                .collect();
            match scalars {
                Some(shown) if items.len() <= 6 => format!("[{}]", shown.join(", ")),
                _ => format!("a list of {}", items.len()),
            }
        }
        Value::Map(_) => "a map".to_owned(),
        Value::OneOf(alternatives) => {
            let shown: Vec<String> = alternatives.iter().take(4).map(plain).collect();
            format!("one of {}", shown.join(", "))
        }
        Value::Unknown(u) => {
            let waits = waits_for(u, u.expression.is_empty());
            match (u.expression.is_empty(), waits.is_empty()) {
                (true, true) => "unknown until deployment".to_owned(),
                (true, false) => format!("unknown until deployment (waits for {waits})"),
                (false, true) => format!("unknown until deployment (`{}`)", u.expression),
                (false, false) => format!(
                    "unknown until deployment (`{}`: waits for {waits})",
                    u.expression
                ),
            }
        }
    }
}

/// What an unknown value waits for, in words, each once, in source order, at most three:
/// with `named`, naming each thing ("input `region`", "resource attribute `Role.Arn`"), else
/// (the expression is shown beside it) only its kind ("an input without a value", "an
/// attribute of another resource"). Empty when it is only an expression guardrail does not
/// evaluate.
fn waits_for(u: &crate::value::Unknown, named: bool) -> String {
    use crate::value::DependsOn;
    let dotted = |name: &str, part: &Option<String>| match part {
        Some(p) => format!("`{name}.{p}`"),
        None => format!("`{name}`"),
    };
    let mut said: Vec<String> = Vec::new();
    for d in &u.depends_on {
        let text = match &d.on {
            DependsOn::Input { .. } if !named => "an input without a value".to_owned(),
            DependsOn::Resource { .. } if !named => "an attribute of another resource".to_owned(),
            DependsOn::DataSource { .. } if !named => "a data source".to_owned(),
            DependsOn::Module { .. } if !named => "a module output".to_owned(),
            DependsOn::Context { .. } if !named => "the deployment context".to_owned(),
            DependsOn::Input { name } => format!("input `{name}`"),
            DependsOn::Resource { name, attribute } => {
                format!("resource attribute {}", dotted(name, attribute))
            }
            DependsOn::DataSource { name, attribute } => {
                format!("data source {}", dotted(name, attribute))
            }
            DependsOn::Module { name, output } => format!("module output {}", dotted(name, output)),
            DependsOn::Context { name } => format!("deployment context `{name}`"),
            DependsOn::Function { name } => format!("function `{name}`"),
            _ => continue,
        };
        if !said.contains(&text) {
            said.push(text);
        }
    }
    let more = said.len().saturating_sub(3);
    said.truncate(3);
    let mut out = said.join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}
