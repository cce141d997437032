//! `count` and `for_each`: how many instances a resource, data source or module call has, and
//! what `count.index` / `each.key` / `each.value` are in each, as Terraform expands them.
//!
//! - No meta-argument: one instance, addressed without a key.
//! - `count = n` known: instances `[0]` … `[n-1]`; `count = 0` none: the resource does not
//!   exist, so nothing is judged. A count that is one of several known numbers (a
//!   conditional on an input without a value, `var.create ? 1 : 0`) has as many instances as
//!   the largest: each may exist, and is judged.
//! - `for_each` over a known map or set of strings: one instance per key, `["key"]`, in
//!   lexical order of the keys (Terraform's); an empty collection none.
//! - Anything else unknown: one instance addressed without a key, whose `count.index` or
//!   `each.*` are unknown and say so.
//!
//! The same reading of a collection serves `dynamic` blocks, which also iterate lists (by
//! index).

use crate::source::Span;
use crate::value::{Dependency, DependsOn, Node, Unknown, Value};

use super::expr::Iteration;

/// Most instances one block may expand into; a bigger `count` or `for_each` is treated as
/// unknown (one instance), with a warning.
pub(super) const MAX_INSTANCES: usize = 1_000;

/// The instances of one block.
pub(super) enum Expansion {
    /// No `count` or `for_each`: one instance, no key.
    Single,
    /// Known instances, each with its key (`[0]`, `["a"]`) and iteration values; empty when
    /// the block makes nothing.
    Keyed(Vec<(String, Iteration)>),
    /// `count` or `for_each` not known here: one instance, no key, whose iteration values
    /// are unknown; `count` says which meta-argument it is.
    Unknown {
        /// `count` (true) or `for_each` (false).
        count: bool,
        /// Where the meta-argument's value is written.
        span: Span,
    },
    /// More instances than [`MAX_INSTANCES`]: judged as one, like an unknown.
    TooMany {
        /// `count` (true) or `for_each` (false).
        count: bool,
        /// Where the meta-argument's value is written.
        span: Span,
    },
}

impl Expansion {
    /// The expansion a `count` value gives.
    pub fn count(value: &Node) -> Expansion {
        let numbers: Option<Vec<i64>> = value
            .alternatives()
            .iter()
            .map(|a| match &a.value {
                Value::Int(i) => Some(*i),
                Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
                Value::String(s) => s.parse().ok(),
                _ => None,
            })
            .collect();
        let Some(n) = numbers.and_then(|n| n.into_iter().max()) else {
            return Expansion::Unknown {
                count: true,
                span: value.span,
            };
        };
        let n = usize::try_from(n).unwrap_or(0);
        if n > MAX_INSTANCES {
            return Expansion::TooMany {
                count: true,
                span: value.span,
            };
        }
        let index = |i: usize| Node {
            value: Value::Int(i as i64),
            span: value.span,
            provenance: value.provenance.clone(),
        };
        Expansion::Keyed(
            (0..n)
                .map(|i| {
                    let iteration = Iteration {
                        count_index: Some(index(i)),
                        each: None,
                    };
                    (format!("[{i}]"), iteration)
                })
                .collect(),
        )
    }

    /// The expansion a `for_each` value gives.
    pub fn for_each(value: &Node) -> Expansion {
        let Some(elements) = elements(value, false) else {
            return Expansion::Unknown {
                count: false,
                span: value.span,
            };
        };
        if elements.len() > MAX_INSTANCES {
            return Expansion::TooMany {
                count: false,
                span: value.span,
            };
        }
        Expansion::Keyed(
            elements
                .into_iter()
                .map(|e| {
                    let key = e.key.value.scalar_text().unwrap_or_default();
                    let address = format!("[{}]", quote(&key));
                    let iteration = Iteration {
                        count_index: None,
                        each: Some((e.key, e.value)),
                    };
                    (address, iteration)
                })
                .collect(),
        )
    }

    /// The iteration values of an instance that is not known: `count.index` or `each.*`
    /// unknown, waiting for the deployment's context.
    pub fn unknown_iteration(count: bool, span: Span) -> Iteration {
        let context = |name: &str| {
            Node::new(
                Value::Unknown(Unknown::new(
                    name,
                    vec![Dependency {
                        on: DependsOn::Context { name: name.into() },
                        span,
                    }],
                )),
                span,
            )
        };
        if count {
            Iteration {
                count_index: Some(context("count.index")),
                each: None,
            }
        } else {
            Iteration {
                count_index: None,
                each: Some((context("each.key"), context("each.value"))),
            }
        }
    }
}

/// A key as Terraform writes it in an instance address: a quoted string.
fn quote(key: &str) -> String {
    serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\""))
}

/// One element of a collection being iterated.
pub(super) struct Element {
    /// `each.key` / the iterator's `key`.
    pub key: Node,
    /// `each.value` / the iterator's `value`.
    pub value: Node,
}

/// The elements of a known collection, in the order Terraform iterates them; `None` when the
/// collection or any key is not known. A map by its keys in lexical order; a list of strings
/// (a set, after `toset`) by value, sorted and without repeats, each element its own key;
/// for a `dynamic` block (`by_index`), a list by position, the index its key.
pub(super) fn elements(value: &Node, by_index: bool) -> Option<Vec<Element>> {
    match &value.value {
        Value::Map(map) => {
            let mut entries: Vec<&crate::value::Entry> = map.iter().collect();
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            Some(
                entries
                    .into_iter()
                    .map(|e| Element {
                        key: Node {
                            value: Value::String(e.key.clone()),
                            span: e.key_span,
                            provenance: value.provenance.clone(),
                        },
                        value: e.value.clone(),
                    })
                    .collect(),
            )
        }
        Value::Seq(items) if by_index => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| Element {
                    key: Node::new(Value::Int(i as i64), item.span),
                    value: item.clone(),
                })
                .collect(),
        ),
        Value::Seq(items) => {
            let mut keyed: Vec<(String, &Node)> = Vec::with_capacity(items.len());
            for item in items {
                // A set of anything but known strings cannot key instances.
                match &item.value {
                    Value::String(s) => keyed.push((s.clone(), item)),
                    _ => return None,
                }
            }
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            keyed.dedup_by(|a, b| a.0 == b.0);
            Some(
                keyed
                    .into_iter()
                    .map(|(_, item)| Element {
                        key: item.clone(),
                        value: item.clone(),
                    })
                    .collect(),
            )
        }
        // `for_each = null` is an error in Terraform; nothing is made.
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn span() -> Span {
        Span::new(FileId(0), 0, 0)
    }

    fn n(value: Value) -> Node {
        Node::new(value, span())
    }

    fn keys(e: &Expansion) -> Vec<String> {
        match e {
            Expansion::Keyed(k) => k.iter().map(|(a, _)| a.clone()).collect(),
            _ => vec!["?".into()],
        }
    }

    #[test]
    fn count_expands_to_indexes_and_zero_to_nothing() {
        assert_eq!(keys(&Expansion::count(&n(Value::Int(2)))), ["[0]", "[1]"]);
        assert!(keys(&Expansion::count(&n(Value::Int(0)))).is_empty());
        let either = Node::one_of(
            vec![n(Value::Int(1)), n(Value::Int(0))],
            span(),
            crate::value::Provenance::Explicit,
        );
        assert_eq!(keys(&Expansion::count(&either)), ["[0]"]);
        let unknown = n(Value::Unknown(Unknown::new("var.n", Vec::new())));
        assert!(matches!(
            Expansion::count(&unknown),
            Expansion::Unknown { count: true, .. }
        ));
        assert!(matches!(
            Expansion::count(&n(Value::Int(1_000_000))),
            Expansion::TooMany { .. }
        ));
    }

    #[test]
    fn for_each_keys_sort_and_sets_dedupe() {
        let set = n(Value::Seq(vec![
            n(Value::String("b".into())),
            n(Value::String("a".into())),
            n(Value::String("b".into())),
        ]));
        assert_eq!(keys(&Expansion::for_each(&set)), [r#"["a"]"#, r#"["b"]"#]);
        let list_of_maps = n(Value::Seq(vec![n(Value::Map(Default::default()))]));
        assert!(matches!(
            Expansion::for_each(&list_of_maps),
            Expansion::Unknown { count: false, .. }
        ));
        let by_index = elements(&list_of_maps, true).expect("a list by index");
        assert_eq!(by_index.len(), 1);
    }
}
