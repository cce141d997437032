//! The spanned value tree: the common currency of CloudFormation, Terraform and Kubernetes.
//!
//! Every [`Node`] knows where it came from ([`Span`]) and how it came to be ([`Provenance`]):
//! written in the file, filled in from a provider default, or resolved from a variable,
//! local or parameter defined elsewhere.
//!
//! Values leave the adapters *finished*: what the framework lets a reader compute from the
//! files is computed (CloudFormation intrinsics, Terraform variables, locals and functions),
//! so the evaluator and the rules know no framework. What is left is said in the value itself:
//!
//! - [`Value::OneOf`]: one of several values, depending on something decided at deployment
//!   (both branches of `Fn::If`; a Terraform conditional whose condition is unknown);
//! - [`Value::Unknown`]: a value that cannot be known before deployment, never silently
//!   absent, carrying what it waits for ([`Dependency`]) and, for strings built around unknown
//!   pieces (`Fn::Sub`, `Fn::Join`, Terraform templates), the known text around them
//!   ([`Piece`]), so no later stage parses expression text again.

use crate::source::Span;

/// How a node's value came to be.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provenance {
    /// Written in the file at the node's span.
    Explicit,
    /// Not written; the provider's documented default for an absent attribute. The span is
    /// that of the enclosing resource.
    Default,
    /// Written as a reference (a Terraform variable or local, a CloudFormation `Ref` to a
    /// parameter) whose literal definition is elsewhere; the node's own span is where the
    /// reference is used.
    Resolved(Resolution),
    /// Set outside the files by this environment variable (`TF_VAR_region`, which Terraform
    /// reads for the variable `region`); the node's span is where the variable is declared.
    Environment(String),
}

/// Where a resolved value was defined, and the places it passed through on the way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Resolution {
    /// Where the literal is written (a variable's default, a var file's value, a parameter's
    /// `Default`).
    pub definition: Span,
    /// The references it was reached through between the use and the definition, nearest
    /// the use first (a local that names a variable; a module argument). Empty when the use
    /// names the definition directly.
    pub via: Vec<Span>,
}

impl Provenance {
    /// Resolved from the literal at `definition`, named directly by the use.
    pub fn resolved(definition: Span) -> Provenance {
        Provenance::Resolved(Resolution {
            definition,
            via: Vec::new(),
        })
    }

    /// Where the value's literal is defined, when it was resolved from elsewhere.
    pub fn definition(&self) -> Option<Span> {
        match self {
            Provenance::Resolved(r) => Some(r.definition),
            _ => None,
        }
    }

    /// Whether the value was resolved from a definition elsewhere.
    pub fn is_resolved(&self) -> bool {
        matches!(self, Provenance::Resolved(_))
    }
}

/// A value with its span and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value is written (for maps and lists, the whole collection).
    pub span: Span,
    /// How the value came to be.
    pub provenance: Provenance,
}

/// A value in the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~`, an empty YAML value.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number with a fraction or exponent, or an integer too large for `i64`.
    Float(f64),
    /// A string.
    String(String),
    /// A list.
    Seq(Vec<Node>),
    /// A map that keeps its keys in source order.
    Map(Map),
    /// One of these values, depending on something decided at deployment (both branches of
    /// CloudFormation's `Fn::If`, a Terraform conditional whose condition is unknown). Rules
    /// judge every alternative; an alternative may itself be unknown. Never nested: an
    /// alternative that is a `OneOf` is flattened into its parent.
    OneOf(Vec<Node>),
    /// A value that depends on input not in the scanned files (a resource attribute known only
    /// after apply, a variable without a default, a function guardrail does not evaluate).
    Unknown(Unknown),
}

/// Why a value is unknown, and what is known about it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unknown {
    /// The expression as written, for messages (`aws_iam_role.app.arn`, `Fn::GetAtt
    /// Role.Arn`, `Ref AWS::Region`); may be empty for values made by the evaluator.
    pub expression: String,
    /// What the value waits for, in source order.
    pub depends_on: Vec<Dependency>,
    /// For a string built from known text and unknown parts (`Fn::Sub`, `Fn::Join`, a
    /// Terraform template or heredoc), its pieces in order; empty otherwise.
    pub pieces: Vec<Piece>,
}

impl Unknown {
    /// An unknown value of `expression`, waiting for `depends_on`.
    pub fn new(expression: impl Into<String>, depends_on: Vec<Dependency>) -> Unknown {
        Unknown {
            expression: expression.into(),
            depends_on,
            pieces: Vec::new(),
        }
    }

    /// A string of known text and unknown parts; its dependencies are its parts'.
    pub fn template(expression: impl Into<String>, pieces: Vec<Piece>) -> Unknown {
        let depends_on = pieces
            .iter()
            .flat_map(|p| match p {
                Piece::Text(_) => Vec::new(),
                Piece::Value(node) => node.dependencies(),
            })
            .collect();
        Unknown {
            expression: expression.into(),
            depends_on,
            pieces,
        }
    }
}

/// One part of a string that is known only in part.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Known text.
    Text(String),
    /// A part known only at deployment (or one of several values), where it is written.
    Value(Node),
}

/// Something an unknown value waits for, and where the expression names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// What it is.
    pub on: DependsOn,
    /// Where it is named.
    pub span: Span,
}

/// What an unknown value depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DependsOn {
    /// An input without a value in the files: a Terraform variable without default or
    /// value, a CloudFormation parameter without `Default`.
    Input {
        /// Its name (`region`, `Environment`).
        name: String,
    },
    /// An attribute of another resource, known after it is created (Terraform
    /// `aws_iam_role.app.arn`; CloudFormation `Fn::GetAtt Role.Arn`, or `Ref Role` with no
    /// attribute).
    Resource {
        /// The resource as references name it in its scope (`aws_iam_role.app`, `Role`).
        name: String,
        /// The attribute (`arn`, `Arn`), if one is named.
        attribute: Option<String>,
    },
    /// An attribute of a Terraform data source (`data.aws_iam_policy_document.p.json`).
    DataSource {
        /// The data source as references name it (`data.aws_iam_policy_document.p`).
        name: String,
        /// The attribute (`json`).
        attribute: Option<String>,
    },
    /// An output of a Terraform module call (`module.vpc.vpc_id`).
    Module {
        /// The call (`module.vpc`).
        name: String,
        /// The output.
        output: Option<String>,
    },
    /// The deployment's context: a CloudFormation pseudo parameter (`AWS::Region`), an
    /// export of another stack (`Fn::ImportValue`), Terraform's `count.index`, `each.key`,
    /// `path.module`, `terraform.workspace`, `self`.
    Context {
        /// What is named (`AWS::AccountId`, `each.value`, `Fn::ImportValue`).
        name: String,
    },
    /// A function guardrail does not evaluate, or does not with these arguments.
    Function {
        /// Its name (`cidrsubnet`, `Fn::GetAZs`).
        name: String,
    },
    /// An expression guardrail does not evaluate (`for`, a splat, a template directive, an
    /// operator on values of the wrong type, a budget exhausted).
    Expression,
}

impl DependsOn {
    /// The policy JSON of a Terraform `aws_iam_policy_document` data source
    /// (`data.aws_iam_policy_document.x.json` or `.minified_json`): what IAM rules follow to
    /// the document, and a value known never to be empty.
    pub fn is_policy_document_json(&self) -> bool {
        matches!(self, DependsOn::DataSource { name, attribute }
            if name.starts_with("data.aws_iam_policy_document.")
                && matches!(attribute.as_deref(), Some("json" | "minified_json")))
    }
}

/// One step from a node to one of its children.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// The value of a map's key.
    Key(String),
    /// A list's item.
    Index(usize),
}

/// One key of a [`Map`] with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as text (YAML scalar keys are kept as written).
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// A map with keys in source order. Keys are unique: parsers report duplicates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    entries: Vec<Entry>,
}

impl Map {
    /// An empty map.
    pub fn new() -> Self {
        Map::default()
    }

    /// Adds an entry, replacing the value of an existing key (keeping its position).
    /// Returns the replaced entry, so a parser can report the duplicate.
    pub fn insert(&mut self, entry: Entry) -> Option<Entry> {
        match self.entries.iter_mut().find(|e| e.key == entry.key) {
            Some(existing) => Some(std::mem::replace(existing, entry)),
            None => {
                self.entries.push(entry);
                None
            }
        }
    }

    /// Replaces the entry at `index` (a position the caller knows), returning the old one.
    pub(crate) fn replace_at(&mut self, index: usize, entry: Entry) -> Option<Entry> {
        self.entries
            .get_mut(index)
            .map(|slot| std::mem::replace(slot, entry))
    }

    /// The values, in source order, to change in place.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Node> {
        self.entries.iter_mut().map(|e| &mut e.value)
    }

    /// Adds an entry without checking for duplicates; for builders that checked already.
    pub(crate) fn push_unchecked(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// The entry for `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The value of `key`, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    /// Entries in source order.
    pub fn iter(&self) -> std::slice::Iter<'_, Entry> {
        self.entries.iter()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl Node {
    /// An explicit node.
    pub fn new(value: Value, span: Span) -> Self {
        Node {
            value,
            span,
            provenance: Provenance::Explicit,
        }
    }

    /// The map, if this is one.
    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The list, if this is one.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// `self[key]` when this is a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Follows a path of map keys and list indexes.
    pub fn at_steps(&self, steps: &[Step]) -> Option<&Node> {
        steps.iter().try_fold(self, |node, step| match step {
            Step::Key(key) => node.get(key),
            Step::Index(i) => node.as_seq().and_then(|s| s.get(*i)),
        })
    }

    /// Follows a path of map keys: `node.at(&["spec", "template", "spec"])`.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Whether the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self.value, Value::Unknown(_))
    }

    /// One of `alternatives`, at `span`: an alternative that is itself one of several values
    /// adds its own, so a [`Value::OneOf`] is never nested.
    pub fn one_of(alternatives: Vec<Node>, span: Span, provenance: Provenance) -> Node {
        let mut flat = Vec::with_capacity(alternatives.len());
        for alternative in alternatives {
            match alternative.value {
                Value::OneOf(inner) => flat.extend(inner),
                _ => flat.push(alternative),
            }
        }
        Node {
            value: Value::OneOf(flat),
            span,
            provenance,
        }
    }

    /// Marks a `null` as not set (Terraform's `null`): removed, so it is judged as absent
    /// (see [`Node::is_removed`]). Any other value is left alone.
    pub(crate) fn null_as_unset(&mut self) {
        if self.value == Value::Null {
            self.provenance = Provenance::Default;
        }
    }

    /// A property the adapter removed (CloudFormation's `Ref: AWS::NoValue`): `null` with
    /// [`Provenance::Default`], judged as absent.
    pub fn is_removed(&self) -> bool {
        self.value == Value::Null && self.provenance == Provenance::Default
    }

    /// What this value waits for: an unknown's dependencies, or those of every unknown
    /// alternative of a [`Value::OneOf`]; empty for a known value.
    pub fn dependencies(&self) -> Vec<Dependency> {
        match &self.value {
            Value::Unknown(u) => u.depends_on.clone(),
            Value::OneOf(alternatives) => {
                alternatives.iter().flat_map(Node::dependencies).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The values this node may be: its alternatives for a [`Value::OneOf`], itself
    /// otherwise.
    pub fn alternatives(&self) -> &[Node] {
        match &self.value {
            Value::OneOf(alternatives) => alternatives,
            _ => std::slice::from_ref(self),
        }
    }

    /// This node with every child (a map's values, a list's items) replaced by `f(child)`,
    /// keys, span and provenance kept; other values are copied.
    pub fn map_children(&self, mut f: impl FnMut(&Node) -> Node) -> Node {
        let value = match &self.value {
            Value::Map(map) => {
                let mut out = Map::new();
                for entry in map {
                    out.push_unchecked(Entry {
                        key: entry.key.clone(),
                        key_span: entry.key_span,
                        value: f(&entry.value),
                    });
                }
                Value::Map(out)
            }
            Value::Seq(items) => Value::Seq(items.iter().map(f).collect()),
            other => other.clone(),
        };
        Node {
            value,
            span: self.span,
            provenance: self.provenance.clone(),
        }
    }

    /// Calls `f` on this node and every node below it, parents first, map entries and list
    /// items in source order.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        match &self.value {
            Value::Seq(items) | Value::OneOf(items) => items.iter().for_each(|n| n.walk(f)),
            Value::Map(map) => map.iter().for_each(|e| e.value.walk(f)),
            Value::Unknown(u) => u.pieces.iter().for_each(|p| {
                if let Piece::Value(node) = p {
                    node.walk(f);
                }
            }),
            _ => {}
        }
    }

    /// The value as plain JSON, without spans. An unknown value becomes
    /// `{"$unknown": "<expression>"}` and one of several values `{"$one_of": [...]}`, so
    /// neither can be mistaken for a literal.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(map) => J::Object(
                map.iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
            Value::OneOf(alternatives) => {
                serde_json::json!({ "$one_of": alternatives.iter().map(Node::to_json).collect::<Vec<_>>() })
            }
            Value::Unknown(u) => serde_json::json!({ "$unknown": u.expression }),
        }
    }

    /// The number of nodes in this subtree, including itself.
    pub fn size(&self) -> usize {
        let mut n = 0;
        self.walk(&mut |_| n += 1);
        n
    }
}

impl Node {
    /// A JSON value (a decoded policy string, `jsondecode`) as a tree whose every node has
    /// `span` and `provenance`: the place of the string it was decoded from.
    pub fn from_json(json: &serde_json::Value, span: Span, provenance: &Provenance) -> Node {
        use serde_json::Value as J;
        let value = match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::Seq(
                items
                    .iter()
                    .map(|i| Node::from_json(i, span, provenance))
                    .collect(),
            ),
            J::Object(object) => {
                let mut map = Map::new();
                // JSON objects as serde_json holds them have unique keys already.
                for (key, v) in object {
                    map.push_unchecked(Entry {
                        key: key.clone(),
                        key_span: span,
                        value: Node::from_json(v, span, provenance),
                    });
                }
                Value::Map(map)
            }
        };
        Node {
            value,
            span,
            provenance: provenance.clone(),
        }
    }
}

impl Value {
    /// A scalar as text, the way string contexts read it (`Fn::Join`, HCL templates, map
    /// keys, regex matching): strings as they are, numbers and booleans printed; `None` for
    /// null, collections and unknown values.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A short name of the value's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "map",
            Value::OneOf(_) => "one of several values",
            Value::Unknown(_) => "unknown",
        }
    }
}
