//! Building a block's attribute map, where nested blocks of one type gather into one list.

use crate::source::Span;
use crate::value::{Entry, Map, Node, Value};

enum Slot {
    Value(Node),
    Blocks(Vec<Node>),
}

/// The entries of one body, in source order; a block type's list sits where its first block
/// is written.
pub(super) struct Entries {
    items: Vec<(String, Span, Slot)>,
    /// `.tf.json`: a `dynamic` block and an attribute of the same name (an object or a list of
    /// objects, which is how JSON writes nested blocks) merge into one list.
    merge: bool,
}

impl Entries {
    /// Entries of a native-syntax body, where a name is either an attribute or a block type.
    pub fn native() -> Self {
        Entries {
            items: Vec::new(),
            merge: false,
        }
    }

    /// Entries of a `.tf.json` body.
    pub fn json() -> Self {
        Entries {
            items: Vec::new(),
            merge: true,
        }
    }

    fn find(&mut self, key: &str) -> Option<&mut Slot> {
        self.items
            .iter_mut()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, slot)| slot)
    }

    /// Adds an attribute. Returns false (and keeps the first) when the name is taken.
    pub fn value(&mut self, key: &str, key_span: Span, node: Node) -> bool {
        let merge = self.merge;
        match self.find(key) {
            None => {
                self.items
                    .push((key.to_owned(), key_span, Slot::Value(node)));
                true
            }
            Some(Slot::Blocks(blocks)) if merge => match node.value {
                Value::Seq(items) => {
                    blocks.splice(0..0, items);
                    true
                }
                Value::Map(_) => {
                    blocks.insert(0, node);
                    true
                }
                _ => false,
            },
            Some(_) => false,
        }
    }

    /// Adds one nested block of type `key`. Returns false when `key` is an attribute that
    /// cannot take it.
    pub fn block(&mut self, key: &str, key_span: Span, node: Node) -> bool {
        let merge = self.merge;
        match self.find(key) {
            None => {
                self.items
                    .push((key.to_owned(), key_span, Slot::Blocks(vec![node])));
                true
            }
            Some(Slot::Blocks(blocks)) => {
                blocks.push(node);
                true
            }
            Some(slot @ Slot::Value(_)) if merge => {
                let Slot::Value(existing) = std::mem::replace(slot, Slot::Blocks(Vec::new()))
                else {
                    return false;
                };
                let mut blocks = match existing.value {
                    Value::Seq(items) => items,
                    Value::Map(_) => vec![existing],
                    _ => {
                        *slot = Slot::Value(existing);
                        return false;
                    }
                };
                blocks.push(node);
                *slot = Slot::Blocks(blocks);
                true
            }
            Some(_) => false,
        }
    }

    /// The map node, spanning `span`.
    pub fn into_node(self, span: Span) -> Node {
        let mut map = Map::new();
        for (key, key_span, slot) in self.items {
            let value = match slot {
                Slot::Value(node) => node,
                Slot::Blocks(blocks) => {
                    let covered = blocks
                        .iter()
                        .map(|n| n.span)
                        .reduce(Span::cover)
                        .unwrap_or(key_span);
                    Node::new(Value::Seq(blocks), covered)
                }
            };
            map.push_unchecked(Entry {
                key,
                key_span,
                value,
            });
        }
        Node::new(Value::Map(map), span)
    }
}
