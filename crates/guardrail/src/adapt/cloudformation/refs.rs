//! The references a template entry makes: intrinsic functions, `DependsOn`, `Condition`.
//!
//! A [`Refs`] walks one entry (a resource, an output, a condition) and collects its
//! [`Link`]s in source order, plus warnings for intrinsics whose shape CloudFormation would
//! reject. It never fails: a malformed call is reported and its arguments are still walked,
//! so the references inside it are not lost.

use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{EdgeKind, Link, Target};
use crate::source::{SourceFile, Span};
use crate::value::{Entry, Node, Value};

use super::sub;

/// The pseudo parameters: `Ref`s to them name no template entry.
const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// How to see what a transform or loop deploys.
pub(super) const PROCESSED_HELP: &str = "to check what is deployed, scan the processed template \
    (`aws cloudformation get-template --template-stage Processed`)";

/// Whether `name` is a pseudo parameter rather than a logical id.
pub(super) fn is_pseudo_parameter(name: &str) -> bool {
    PSEUDO_PARAMETERS.contains(&name)
}

/// The local name of condition `name` in the graph (conditions have their own namespace).
pub(super) fn condition_local_name(name: &str) -> String {
    format!("Condition:{name}")
}

/// The local name of mapping `name` in the graph (mappings have their own namespace).
pub(super) fn mapping_local_name(name: &str) -> String {
    format!("Mapping:{name}")
}

/// One step of the path from the walked entry to a value, for messages.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Collects the links of one template entry.
pub(super) struct Refs<'a> {
    file: &'a SourceFile,
    scope: &'a str,
    /// The entry, as messages name it: "resource `Bucket`".
    owner: String,
    path: Vec<Step<'a>>,
    /// The references found, in source order.
    pub(super) links: Vec<Link>,
    /// Malformed intrinsics and transforms found on the way.
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl<'a> Refs<'a> {
    /// A walker for the entry that messages call `owner`, whose links resolve in `scope`.
    pub(super) fn new(file: &'a SourceFile, scope: &'a str, owner: String) -> Self {
        Refs {
            file,
            scope,
            owner,
            path: Vec::new(),
            links: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Walks the value of `entry` of the walked entry's map (`Properties`, `Value`, …).
    pub(super) fn entry(&mut self, entry: &'a Entry) {
        self.path.push(Step::Key(&entry.key));
        self.value(&entry.value);
        self.path.pop();
    }

    /// Walks a value: every intrinsic function in it, at any depth.
    pub(super) fn value(&mut self, node: &'a Node) {
        match &node.value {
            Value::Map(map) => {
                if let (1, Some(call)) = (map.len(), map.iter().next()) {
                    if self.intrinsic(call, node) {
                        return;
                    }
                }
                for entry in map {
                    let span = entry.key_span.cover(entry.value.span);
                    if entry.key == "Fn::Transform" {
                        self.transform(&entry.value, span);
                    } else if let Some(name) = entry.key.strip_prefix("Fn::ForEach::") {
                        self.for_each(name, span, false);
                    }
                    self.entry(entry);
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Step::Index(i));
                    self.value(item);
                    self.path.pop();
                }
            }
            _ => {}
        }
    }

    /// Walks a condition expression, where `{Condition: Name}` names another condition.
    pub(super) fn condition(&mut self, node: &'a Node) {
        if let Some(map) = node.as_map() {
            if let (1, Some(entry)) = (map.len(), map.iter().next()) {
                if entry.key == "Condition" {
                    self.condition_name(&entry.value);
                    return;
                }
            }
        }
        self.value(node);
    }

    /// A condition named by a string: a resource's or output's `Condition`, the first
    /// argument of `Fn::If`, `{Condition: Name}` in a condition expression.
    pub(super) fn condition_name(&mut self, node: &'a Node) {
        match node.as_str() {
            Some(name) => self.link(
                EdgeKind::Reference,
                condition_local_name(name),
                format!("Conditions/{name}"),
                node.span,
            ),
            None => {
                self.warn(
                    node.span,
                    format!(
                        "a condition is named by a string, not a {}",
                        node.value.kind_name()
                    ),
                );
                self.value(node);
            }
        }
    }

    /// `DependsOn`: one logical id or a list of them.
    pub(super) fn depends_on(&mut self, node: &'a Node) {
        match &node.value {
            Value::String(name) => self.depends_on_name(name, node.span),
            Value::Seq(items) => {
                for item in items {
                    match item.as_str() {
                        Some(name) => self.depends_on_name(name, item.span),
                        None => self.warn(
                            item.span,
                            format!(
                                "`DependsOn` lists logical ids; this item is a {}",
                                item.value.kind_name()
                            ),
                        ),
                    }
                }
            }
            other => self.warn(
                node.span,
                format!(
                    "`DependsOn` takes a logical id or a list of them, not a {}",
                    other.kind_name()
                ),
            ),
        }
    }

    fn depends_on_name(&mut self, name: &str, span: Span) {
        self.link(EdgeKind::DependsOn, name.to_owned(), name.to_owned(), span);
    }

    /// Handles `{name: argument}` if `name` is an intrinsic function whose arguments need
    /// more than a plain walk; returns whether it did.
    fn intrinsic(&mut self, call: &'a Entry, whole: &'a Node) -> bool {
        let argument = &call.value;
        match call.key.as_str() {
            "Ref" => self.ref_(argument),
            "Fn::GetAtt" => self.get_att(argument),
            "Fn::Sub" => self.sub(argument),
            "Fn::If" => self.if_(argument),
            "Fn::FindInMap" => self.find_in_map(argument),
            "Fn::And" | "Fn::Or" | "Fn::Not" => self.boolean(&call.key, argument),
            "Fn::Transform" => {
                self.transform(argument, whole.span);
                self.entry(call);
            }
            _ => return false,
        }
        true
    }

    fn ref_(&mut self, argument: &'a Node) {
        match argument.as_str() {
            Some(name) => self.reference(name, argument.span),
            None => {
                self.warn(
                    argument.span,
                    format!(
                        "`Ref` takes a logical id or pseudo parameter as a string, not a {}",
                        argument.value.kind_name()
                    ),
                );
                self.value(argument);
            }
        }
    }

    /// `[Resource, Attribute]`, or `"Resource.Attribute"` (the long form accepts a string
    /// too). The attribute may be a `Ref`, so it is walked.
    fn get_att(&mut self, argument: &'a Node) {
        match &argument.value {
            Value::Seq(items) => match items.as_slice() {
                [resource, attribute] if resource.as_str().is_some() => {
                    if let Some(name) = resource.as_str() {
                        self.reference(name, resource.span);
                    }
                    self.value(attribute);
                }
                _ => {
                    self.warn(
                        argument.span,
                        "`Fn::GetAtt` takes `[LogicalId, Attribute]` with a literal logical id",
                    );
                    self.value(argument);
                }
            },
            Value::String(text) => match text.split_once('.') {
                Some((name, attribute)) if !name.is_empty() && !attribute.is_empty() => {
                    self.reference(name, argument.span);
                }
                _ => self.warn(
                    argument.span,
                    format!("`Fn::GetAtt` needs `LogicalId.Attribute`; `{text}` has no attribute"),
                ),
            },
            other => {
                self.warn(
                    argument.span,
                    format!(
                        "`Fn::GetAtt` takes `[LogicalId, Attribute]` or `LogicalId.Attribute`, not a {}",
                        other.kind_name()
                    ),
                );
                self.value(argument);
            }
        }
    }

    /// A string with placeholders, or `[string, {Variable: value}]`: the variables are
    /// names local to the call, and their values are walked like any other value.
    fn sub(&mut self, argument: &'a Node) {
        match &argument.value {
            Value::String(text) => self.sub_string(text, argument.span, &[]),
            Value::Seq(items) => match items.as_slice() {
                [template] if template.as_str().is_some() => self.value_sub(template, None),
                [template, variables] if template.as_str().is_some() => match variables.as_map() {
                    Some(_) => self.value_sub(template, Some(variables)),
                    None => {
                        self.warn(
                            variables.span,
                            format!(
                                "the variables of `Fn::Sub` are a map, not a {}",
                                variables.value.kind_name()
                            ),
                        );
                        self.value_sub(template, None);
                        self.value(variables);
                    }
                },
                _ => {
                    self.warn(
                        argument.span,
                        "`Fn::Sub` takes a string or `[string, {Variable: value}]`",
                    );
                    self.value(argument);
                }
            },
            other => {
                self.warn(
                    argument.span,
                    format!(
                        "`Fn::Sub` takes a string or `[string, {{Variable: value}}]`, not a {}",
                        other.kind_name()
                    ),
                );
                self.value(argument);
            }
        }
    }

    fn value_sub(&mut self, template: &'a Node, variables: Option<&'a Node>) {
        let names: Vec<&str> = variables
            .and_then(Node::as_map)
            .map(|m| m.iter().map(|e| e.key.as_str()).collect())
            .unwrap_or_default();
        if let Some(text) = template.as_str() {
            self.sub_string(text, template.span, &names);
        }
        if let Some(variables) = variables {
            self.value(variables);
        }
    }

    /// The placeholders of a `Fn::Sub` string, each a reference unless it names a variable
    /// of the call or a pseudo parameter. A link's span is the placeholder's own text when
    /// it can be found in the source (it cannot when the scalar is escaped or folded so that
    /// the text differs); otherwise the whole string.
    fn sub_string(&mut self, text: &str, span: Span, variables: &[&str]) {
        let source = self.file.slice(span);
        let base = span.start as usize;
        // Where to look for the next occurrence of each placeholder text in the source.
        let mut cursor = 0;
        for placeholder in sub::placeholders(text) {
            if variables.contains(&placeholder.name) {
                continue;
            }
            let found = source
                .get(cursor..)
                .and_then(|rest| rest.find(placeholder.text))
                .map(|at| cursor + at);
            let at = match found {
                Some(at) => {
                    cursor = at + placeholder.text.len();
                    let start = (base + at) as u32;
                    Span::new(span.file, start, start + placeholder.text.len() as u32)
                }
                None => span,
            };
            self.reference(placeholder.name, at);
        }
    }

    /// `[Condition, ValueIfTrue, ValueIfFalse]`: both values are possible, so both are
    /// walked.
    fn if_(&mut self, argument: &'a Node) {
        match argument.as_seq() {
            Some([condition, when_true, when_false]) if condition.as_str().is_some() => {
                self.condition_name(condition);
                self.value(when_true);
                self.value(when_false);
            }
            _ => {
                self.warn(
                    argument.span,
                    "`Fn::If` takes `[ConditionName, ValueIfTrue, ValueIfFalse]`",
                );
                self.value(argument);
            }
        }
    }

    /// `[MapName, TopLevelKey, SecondLevelKey]` (plus a `DefaultValue` map with the language
    /// extensions). Only a literal map name is a reference; the keys may be intrinsics.
    fn find_in_map(&mut self, argument: &'a Node) {
        match argument.as_seq() {
            Some(items @ [map, _, _, ..]) if items.len() <= 4 => {
                if let Some(name) = map.as_str() {
                    self.link(
                        EdgeKind::Reference,
                        mapping_local_name(name),
                        format!("Mappings/{name}"),
                        map.span,
                    );
                }
                self.value(argument);
            }
            _ => {
                self.warn(
                    argument.span,
                    "`Fn::FindInMap` takes `[MapName, TopLevelKey, SecondLevelKey]`",
                );
                self.value(argument);
            }
        }
    }

    /// `Fn::And`, `Fn::Or`, `Fn::Not`: lists of conditions.
    fn boolean(&mut self, function: &str, argument: &'a Node) {
        match argument.as_seq() {
            Some(items) => {
                for item in items {
                    self.condition(item);
                }
            }
            None => {
                self.warn(
                    argument.span,
                    format!(
                        "`{function}` takes a list of conditions, not a {}",
                        argument.value.kind_name()
                    ),
                );
                self.value(argument);
            }
        }
    }

    /// A `Fn::ForEach` loop (language extensions): what it generates is not expanded. A loop
    /// that makes resources is an error (the scan is incomplete); elsewhere a warning.
    pub(super) fn for_each(&mut self, loop_name: &str, span: Span, makes_resources: bool) {
        let place = match self.path_text() {
            Some(path) => format!("`{path}` of {}", self.owner),
            None => self.owner.clone(),
        };
        let (severity, what) = match makes_resources {
            true => (
                Severity::Error,
                "the resources it generates are not checked",
            ),
            false => (Severity::Warning, "what it generates is not checked"),
        };
        self.diagnostics.push(
            Diagnostic::new(
                severity,
                "cloudformation::foreach",
                self.file.path.clone(),
                format!(
                    "`Fn::ForEach::{loop_name}` in {place} is expanded at deploy time; guardrail does not expand it, so {what}"
                ),
            )
            .at(span)
            .with_help(PROCESSED_HELP),
        );
    }

    /// A macro rewrites this value at deploy time: what guardrail checks is not what is
    /// deployed.
    pub(super) fn transform(&mut self, argument: &Node, span: Span) {
        let name = argument.get("Name").and_then(Node::as_str);
        let location = argument
            .at(&["Parameters", "Location"])
            .and_then(Node::as_str);
        let what = match (name, location) {
            (Some(name), Some(location)) => format!("`{name}` (from `{location}`)"),
            (Some(name), None) => format!("`{name}`"),
            (None, _) => "a macro".to_owned(),
        };
        let place = match self.path_text() {
            Some(path) => format!("`{path}` of {}", self.owner),
            None => self.owner.clone(),
        };
        self.diagnostics.push(
            Diagnostic::new(
                Severity::Warning,
                "cloudformation::transform",
                self.file.path.clone(),
                format!(
                    "`Fn::Transform` runs {what} on {place} at deploy time; guardrail checks the value as written and cannot see what the transform adds or changes"
                ),
            )
            .at(span)
            .with_help(PROCESSED_HELP),
        );
    }

    /// The path from the walked entry to where the walk is, `Properties.Tags[0]`.
    fn path_text(&self) -> Option<String> {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// A `Ref`, `Fn::GetAtt` or `Fn::Sub` name: a parameter or resource unless it is a
    /// pseudo parameter.
    fn reference(&mut self, name: &str, span: Span) {
        if !is_pseudo_parameter(name) {
            self.link(EdgeKind::Reference, name.to_owned(), name.to_owned(), span);
        }
    }

    fn link(&mut self, kind: EdgeKind, name: String, display: String, span: Span) {
        self.links.push(Link {
            kind,
            target: Target::Name {
                scope: self.scope.to_owned(),
                name,
                display,
            },
            span,
        });
    }

    fn warn(&mut self, span: Span, message: impl Into<String>) {
        let message = format!("{} (in {})", message.into(), self.owner);
        self.diagnostics.push(
            Diagnostic::new(
                Severity::Warning,
                "cloudformation::intrinsic",
                self.file.path.clone(),
                message,
            )
            .at(span),
        );
    }
}
