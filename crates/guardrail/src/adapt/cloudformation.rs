//! CloudFormation (and SAM) templates into graph nodes and the references between them.
//!
//! # Nodes
//!
//! Every entry of `Resources`, `Parameters`, `Conditions`, `Mappings` and `Outputs` becomes
//! a node whose attributes are the entry's whole value (for a resource: `Type`,
//! `Properties`, `DependsOn`, `Condition`, `Metadata`, …), whose span is the entry from its
//! key to the end of its value and whose name span is the key. All nodes of a template share
//! the scope `cfn:<path>`; names and addresses keep CloudFormation's namespaces apart:
//!
//! | section | kind | type | local name | address |
//! |---|---|---|---|---|
//! | `Resources` | `resource` | its `Type` (`AWS::S3::Bucket`, `AWS::Serverless::Function`) | `Id` | `<path>#Id` |
//! | `Parameters` | `parameter` | `parameter` | `Id` | `<path>#Parameters/Id` |
//! | `Conditions` | `condition` | `condition` | `Condition:Id` | `<path>#Conditions/Id` |
//! | `Mappings` | `mapping` | `mapping` | `Mapping:Id` | `<path>#Mappings/Id` |
//! | `Outputs` | `output` | `output` | `Output:Id` | `<path>#Outputs/Id` |
//!
//! Resources and parameters share one namespace, as `Ref` sees them; conditions, mappings
//! and outputs each have their own. Nodes are emitted in source order.
//!
//! # Edges
//!
//! References from resources, outputs and conditions, each with the span of the name as
//! written (for `Fn::Sub`, of the `${…}` placeholder):
//!
//! - `Ref`, `Fn::GetAtt` (`[Id, Attribute]` or `"Id.Attribute"`) and every `${Id}` or
//!   `${Id.Attribute}` of `Fn::Sub` (not `${!Escaped}`, not the variables the call defines
//!   in its list form, whose values are walked like any value) are `reference` edges to the
//!   resource or parameter. Pseudo parameters (`AWS::Region`, …) are not edges.
//! - `DependsOn` (one id or a list) gives a `depends-on` edge per name.
//! - A resource's or output's `Condition`, the first argument of `Fn::If` and
//!   `{Condition: Id}` inside `Fn::And` / `Fn::Or` / `Fn::Not` and in `Conditions` are
//!   `reference` edges to the condition; both branches of `Fn::If` are walked.
//! - `Fn::FindInMap` with a literal map name is a `reference` edge to the mapping.
//!
//! A name the template does not define becomes a dangling edge, shown as `Id`, or as
//! `Conditions/Id` and `Mappings/Id` for conditions and mappings.
//!
//! # Transforms
//!
//! `AWS::Serverless-2016-10-31` (SAM) is understood: `AWS::Serverless::*` resources are kept
//! with their own types, which is what rules bind to. SAM's `Globals` are applied as SAM
//! applies them: each section (`Function`, `Api`, `HttpApi`, `SimpleTable`, `StateMachine`,
//! `LayerVersion`, `CapacityProvider`) is merged into the `Properties` of every resource of its
//! type (the resource's own scalar or intrinsic wins, maps merge key by key, a global list's
//! items come before the resource's), so a rule sees the environment, URL configuration or
//! tracing a function inherits, at its place in `Globals`; references written in `Globals` are
//! links of each resource that inherits them. `AWS::LanguageExtensions` is accepted;
//! the `Fn::ForEach` loops it allows are not expanded: a loop in `Resources` makes resources
//! the scan never sees, a `cloudformation::foreach` error (the scan is incomplete); a loop
//! elsewhere is a warning. Any other transform (`AWS::Include`, a custom macro)
//! and every `Fn::Transform` get a `cloudformation::transform` warning: the deployed
//! template differs from the scanned one.
//!
//! # Diagnostics
//!
//! Input is never trusted. Errors (the template could not be fully read):
//! `cloudformation::template` (not a map), `cloudformation::no-resources`,
//! `cloudformation::section` (a section that is not a map; it is skipped),
//! `cloudformation::resource` (a resource that is not a map or has no string `Type`; it is
//! skipped, so references to it dangle), `cloudformation::rain-module` (a resource typed
//! `!Rain::Module`, which AWS Rain expands before deploying), `cloudformation::foreach` (a
//! loop of resources), `cloudformation::multi-document` (a YAML stream with more documents
//! than its template, each reported at its start). Warnings (read, but CloudFormation would reject
//! or change it): `cloudformation::intrinsic` (an intrinsic function of the wrong shape;
//! its arguments are still walked), `cloudformation::transform`, `cloudformation::foreach`
//! outside `Resources`,
//! `cloudformation::sam` (a SAM resource without the SAM transform),
//! `cloudformation::logical-id`, `cloudformation::duplicate-id`,
//! `cloudformation::parameter`, `cloudformation::output`, `cloudformation::unknown-section`.

mod refs;
mod resolve;
pub(crate) mod sub;
mod suppressions;

use std::collections::HashSet;

use crate::adapt::Adapted;
use crate::diagnostic::{Diagnostic, Severity};
use crate::graph::{Framework, NodeKind, Resource};
use crate::source::{SourceFile, Span};
use crate::value::{Entry, Map, Node, Value};

use refs::{PROCESSED_HELP, Refs, condition_local_name, mapping_local_name};
use resolve::{Resolver, Template};

/// The SAM transform: its resource types are what rules bind to, so it hides nothing.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// The language extensions transform: it only adds intrinsics, whose loops are reported
/// where they are used.
const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

/// Top-level keys CloudFormation accepts (and SAM's `Globals`).
const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Globals",
];

/// The CloudFormation frontend: a YAML or JSON stream of one template, recognised by its
/// content.
pub struct CloudFormation;

impl super::Frontend for CloudFormation {
    fn framework(&self) -> Framework {
        Framework::CloudFormation
    }

    /// A single map with `AWSTemplateFormatVersion`, or with a `Resources` map whose entries
    /// have a `Type` such as `AWS::S3::Bucket`.
    fn recognises(&self, documents: &[Node]) -> bool {
        documents.iter().any(is_template)
    }

    fn looks_like(&self, text: &str) -> bool {
        text.contains("AWSTemplateFormatVersion")
            || (text.contains("Resources") && text.contains("AWS::"))
    }

    fn keeps_documents(&self) -> bool {
        true
    }

    /// A stream of several documents is not a template CloudFormation accepts: its first
    /// template is adapted and every other document is an error at its start, so that
    /// nothing in the stream passes unread.
    fn adapt_file(&self, input: super::Input<'_>) -> Adapted {
        let documents = input.parsed.documents().unwrap_or_default();
        let template = documents.iter().position(is_template);
        let mut out = match template.and_then(|i| documents.get(i)) {
            Some(template) => adapt(input.file, template),
            None => Adapted::default(),
        };
        if documents.len() > 1 {
            for (i, doc) in documents.iter().enumerate() {
                if Some(i) == template {
                    continue;
                }
                out.diagnostics.push(
                    Diagnostic::error(
                        "cloudformation::multi-document",
                        input.file.path.clone(),
                        format!(
                            "document {} of this YAML stream is not read: a CloudFormation \
                             template is one document, and this file's template is document {}",
                            i + 1,
                            template.map_or(0, |t| t + 1)
                        ),
                    )
                    .at(Span::new(doc.span.file, doc.span.start, doc.span.start))
                    .with_help("put each template in its own file"),
                );
            }
        }
        out
    }
}

/// The key of a Rain module's `Type` (`Type: !Rain::Module path`).
const RAIN_MODULE: &str = "Rain::Module";

/// Whether a document is a CloudFormation template: it has `AWSTemplateFormatVersion`, or a
/// `Resources` map with a resource typed like `AWS::S3::Bucket`, a `Fn::ForEach` loop of
/// resources, or a Rain module.
fn is_template(doc: &Node) -> bool {
    if doc.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    doc.get("Resources")
        .and_then(Node::as_map)
        .is_some_and(|resources| {
            resources.iter().any(|e| {
                let typed = e.value.get("Type");
                e.key.starts_with("Fn::ForEach::")
                    || typed
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.contains("::"))
                    || typed.is_some_and(|t| t.get(RAIN_MODULE).is_some())
            })
        })
}

/// Turns one parsed template into graph nodes and links (see the module documentation).
pub fn adapt(file: &SourceFile, template: &Node) -> Adapted {
    let scope = format!("cfn:{}", file.display_path());
    let mut adapter = Adapter {
        file,
        path: file.display_path(),
        scope: &scope,
        sam: false,
        globals: None,
        resolver: Resolver::new(Template {
            parameters: None,
            conditions: None,
            mappings: None,
        }),
        out: Adapted::default(),
    };
    adapter.template(template);
    adapter.out
}

struct Adapter<'a> {
    file: &'a SourceFile,
    /// The file's display path, the first part of every address.
    path: String,
    scope: &'a str,
    /// Whether the template declares the SAM transform.
    sam: bool,
    /// SAM's `Globals` section, when the template declares the SAM transform and has one.
    globals: Option<&'a Map>,
    /// Resolves the intrinsic functions of resources and outputs into finished values.
    resolver: Resolver<'a>,
    out: Adapted,
}

impl<'a> Adapter<'a> {
    fn template(&mut self, template: &'a Node) {
        let Some(root) = template.as_map() else {
            self.error(
                "cloudformation::template",
                template.span,
                format!(
                    "a CloudFormation template is a map of sections, not a {}",
                    template.value.kind_name()
                ),
            );
            return;
        };
        // Read before the sections, which may come in any order.
        if let Some(transform) = root.get("Transform") {
            self.transforms(transform);
        }
        if self.sam {
            self.globals = root.get("Globals").and_then(Node::as_map);
        }
        let section = |name: &str| root.get(name).and_then(Node::as_map);
        self.resolver = Resolver::new(Template {
            parameters: section("Parameters"),
            conditions: section("Conditions"),
            mappings: section("Mappings"),
        });
        let parameters: HashSet<&str> = root
            .get("Parameters")
            .and_then(Node::as_map)
            .map(|m| m.iter().map(|e| e.key.as_str()).collect())
            .unwrap_or_default();

        let empty = |n: &Node| n.value == Value::Null || n.as_map().is_some_and(Map::is_empty);
        match root.entry("Resources") {
            None => self.error(
                "cloudformation::no-resources",
                Span::new(self.file.id, template.span.start, template.span.start),
                "the template has no `Resources` section; CloudFormation requires one",
            ),
            Some(e) if empty(&e.value) => self.error(
                "cloudformation::no-resources",
                e.key_span,
                "the `Resources` section is empty; CloudFormation requires at least one resource",
            ),
            Some(_) => {}
        }

        for section in root {
            match section.key.as_str() {
                "Resources" => {
                    self.section(section, |a, e| a.resource(e, &parameters));
                }
                "Parameters" => self.section(section, Self::parameter),
                "Conditions" => self.section(section, Self::condition),
                "Mappings" => self.section(section, Self::mapping),
                "Outputs" => self.section(section, Self::output),
                "Fn::Transform" => {
                    let span = section.key_span.cover(section.value.span);
                    self.whole_section_transform(&section.value, span, "the template");
                }
                known if SECTIONS.contains(&known) => {}
                other => self.warn(
                    "cloudformation::unknown-section",
                    section.key_span,
                    format!(
                        "`{other}` is not a template section; CloudFormation rejects the template"
                    ),
                ),
            }
        }
    }

    /// Calls `each` on every entry of a section map, except loops and includes, which
    /// generate entries guardrail cannot see.
    fn section(&mut self, section: &'a Entry, mut each: impl FnMut(&mut Self, &'a Entry)) {
        let Some(entries) = section.value.as_map() else {
            if section.value.value != Value::Null {
                self.error(
                    "cloudformation::section",
                    section.value.span,
                    format!(
                        "`{}` is a map of logical ids, not a {}; the section is skipped",
                        section.key,
                        section.value.value.kind_name()
                    ),
                );
            }
            return;
        };
        let owner = format!("the `{}` section", section.key);
        for entry in entries {
            let span = entry.key_span.cover(entry.value.span);
            if entry.key == "Fn::Transform" {
                self.whole_section_transform(&entry.value, span, &owner);
            } else if let Some(name) = entry.key.strip_prefix("Fn::ForEach::") {
                let mut refs = Refs::new(self.file, self.scope, owner.clone());
                // Resources made only by a loop are resources the scan never sees.
                refs.for_each(name, span, section.key == "Resources");
                self.out.diagnostics.append(&mut refs.diagnostics);
            } else {
                each(self, entry);
            }
        }
    }

    fn whole_section_transform(&mut self, argument: &Node, span: Span, owner: &str) {
        let mut refs = Refs::new(self.file, self.scope, owner.to_owned());
        refs.transform(argument, span);
        self.out.diagnostics.append(&mut refs.diagnostics);
    }

    fn resource(&mut self, entry: &'a Entry, parameters: &HashSet<&str>) {
        let id = entry.key.as_str();
        let Some(body) = entry.value.as_map() else {
            self.error(
                "cloudformation::resource",
                entry.key_span.cover(entry.value.span),
                format!(
                    "resource `{id}` is a {}, not a map with `Type` and `Properties`; it is skipped",
                    entry.value.value.kind_name()
                ),
            );
            return;
        };
        let type_name = match body.entry("Type") {
            None => {
                self.error(
                    "cloudformation::resource",
                    entry.key_span.cover(entry.value.span),
                    format!("resource `{id}` has no `Type`; it is skipped"),
                );
                return;
            }
            Some(t) => match t.value.as_str() {
                Some(name) if !name.trim().is_empty() => name,
                _ if t.value.get(RAIN_MODULE).is_some() => {
                    self.error(
                        "cloudformation::rain-module",
                        t.value.span,
                        format!(
                            "resource `{id}` is a Rain module, which `rain pkg` expands into \
                             resources before deploying; guardrail does not expand it, so what it \
                             makes is not checked"
                        ),
                    );
                    return;
                }
                _ => {
                    self.error(
                        "cloudformation::resource",
                        t.value.span,
                        format!(
                            "the `Type` of resource `{id}` must be a type name such as `AWS::S3::Bucket`, not {}; the resource is skipped",
                            describe(&t.value)
                        ),
                    );
                    return;
                }
            },
        };
        if type_name.starts_with("AWS::Serverless::") && !self.sam {
            if let Some(t) = body.get("Type") {
                self.warn(
                    "cloudformation::sam",
                    t.span,
                    format!(
                        "`{type_name}` is a SAM type, but the template does not declare `Transform: {SAM_TRANSFORM}`; CloudFormation rejects it"
                    ),
                );
            }
        }
        self.check_logical_id(entry, "resource");
        if parameters.contains(id) {
            self.warn(
                "cloudformation::duplicate-id",
                entry.key_span,
                format!(
                    "`{id}` is both a parameter and a resource; logical ids must be unique, and references to it are ambiguous"
                ),
            );
        }

        let mut refs = Refs::new(self.file, self.scope, format!("resource `{id}`"));
        for attribute in body {
            match attribute.key.as_str() {
                "Type" => {}
                "DependsOn" => refs.depends_on(&attribute.value),
                "Condition" => refs.condition_name(&attribute.value),
                _ => refs.entry(attribute),
            }
        }
        let global = self.globals_for(type_name);
        if let Some(global) = global {
            let own = body.get("Properties");
            for g in global.value.as_map().into_iter().flatten() {
                let inherited = own
                    .and_then(|p| p.get(&g.key))
                    .is_none_or(|o| merges(&g.value, o));
                if inherited {
                    refs.entry(g);
                }
            }
        }
        let attributes = match global {
            Some(global) => self
                .resolver
                .resolve(&with_globals(&entry.value, body, global)),
            None => self.resolver.resolve(&entry.value),
        };
        self.push(
            entry,
            NodeKind::Resource,
            type_name.to_owned(),
            (id.to_owned(), id.to_owned()),
            attributes,
            refs,
        );
    }

    /// The `Globals` section (its entry) that applies to resources of `type_name`.
    fn globals_for(&self, type_name: &str) -> Option<&'a Entry> {
        let section = match type_name {
            "AWS::Serverless::Function" => "Function",
            "AWS::Serverless::Api" => "Api",
            "AWS::Serverless::HttpApi" => "HttpApi",
            "AWS::Serverless::SimpleTable" => "SimpleTable",
            "AWS::Serverless::StateMachine" => "StateMachine",
            "AWS::Serverless::LayerVersion" => "LayerVersion",
            "AWS::Serverless::CapacityProvider" => "CapacityProvider",
            _ => return None,
        };
        self.globals?
            .entry(section)
            .filter(|e| e.value.as_map().is_some())
    }

    fn parameter(&mut self, entry: &'a Entry) {
        let id = entry.key.as_str();
        self.check_logical_id(entry, "parameter");
        if entry.value.get("Type").and_then(Node::as_str).is_none() {
            self.warn(
                "cloudformation::parameter",
                entry.key_span,
                format!("parameter `{id}` has no string `Type`; CloudFormation rejects it"),
            );
        }
        let refs = Refs::new(self.file, self.scope, format!("parameter `{id}`"));
        self.push(
            entry,
            NodeKind::Parameter,
            "parameter".into(),
            (id.to_owned(), format!("Parameters/{id}")),
            entry.value.clone(),
            refs,
        );
    }

    fn condition(&mut self, entry: &'a Entry) {
        let id = entry.key.as_str();
        let mut refs = Refs::new(self.file, self.scope, format!("condition `{id}`"));
        refs.condition(&entry.value);
        self.push(
            entry,
            NodeKind::Condition,
            "condition".into(),
            (condition_local_name(id), format!("Conditions/{id}")),
            entry.value.clone(),
            refs,
        );
    }

    fn mapping(&mut self, entry: &'a Entry) {
        let id = entry.key.as_str();
        // Mappings hold literals only; an intrinsic in one is CloudFormation's error to
        // report, and not a reference guardrail should follow.
        let refs = Refs::new(self.file, self.scope, format!("mapping `{id}`"));
        self.push(
            entry,
            NodeKind::Mapping,
            "mapping".into(),
            (mapping_local_name(id), format!("Mappings/{id}")),
            entry.value.clone(),
            refs,
        );
    }

    fn output(&mut self, entry: &'a Entry) {
        let id = entry.key.as_str();
        let mut refs = Refs::new(self.file, self.scope, format!("output `{id}`"));
        match entry.value.as_map() {
            Some(body) => {
                if !body.contains_key("Value") {
                    self.warn(
                        "cloudformation::output",
                        entry.key_span,
                        format!("output `{id}` has no `Value`; CloudFormation rejects it"),
                    );
                }
                for attribute in body {
                    match attribute.key.as_str() {
                        "Condition" => refs.condition_name(&attribute.value),
                        _ => refs.entry(attribute),
                    }
                }
            }
            None => {
                self.warn(
                    "cloudformation::output",
                    entry.key_span,
                    format!(
                        "output `{id}` is a {}, not a map with `Value`; CloudFormation rejects it",
                        entry.value.value.kind_name()
                    ),
                );
                refs.value(&entry.value);
            }
        }
        let attributes = self.resolver.resolve(&entry.value);
        self.push(
            entry,
            NodeKind::Output,
            "output".into(),
            (format!("Output:{id}"), format!("Outputs/{id}")),
            attributes,
            refs,
        );
    }

    /// The top-level `Transform`: a name, `{Name, Parameters}`, or a list of them.
    fn transforms(&mut self, node: &Node) {
        let items = match node.as_seq() {
            Some(items) => items,
            None => std::slice::from_ref(node),
        };
        for item in items {
            let name = item
                .as_str()
                .or_else(|| item.get("Name").and_then(Node::as_str));
            let Some(name) = name else {
                self.warn(
                    "cloudformation::transform",
                    item.span,
                    format!(
                        "a transform is named by a string or `{{Name: …, Parameters: …}}`, not {}; guardrail cannot tell what it changes",
                        describe(item)
                    ),
                );
                continue;
            };
            let message = match name {
                SAM_TRANSFORM => {
                    self.sam = true;
                    continue;
                }
                LANGUAGE_EXTENSIONS => continue,
                "AWS::Include" => {
                    let location = item
                        .at(&["Parameters", "Location"])
                        .and_then(Node::as_str)
                        .map_or_else(String::new, |l| format!(" from `{l}`"));
                    format!(
                        "the `AWS::Include` transform inserts a snippet{location} at deploy time; guardrail cannot see the resources and properties it adds"
                    )
                }
                macro_name => format!(
                    "the `{macro_name}` transform processes the whole template at deploy time; guardrail checks the template as written and cannot see the resources and properties the macro adds or changes"
                ),
            };
            self.out.diagnostics.push(
                Diagnostic::new(
                    Severity::Warning,
                    "cloudformation::transform",
                    self.file.path.clone(),
                    message,
                )
                .at(item.span)
                .with_help(PROCESSED_HELP),
            );
        }
    }

    /// Logical ids are alphanumeric; anything else is rejected by CloudFormation, and could
    /// be confused with the `Condition:`-style names of the other namespaces.
    fn check_logical_id(&mut self, entry: &Entry, what: &str) {
        let id = entry.key.as_str();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            self.warn(
                "cloudformation::logical-id",
                entry.key_span,
                format!(
                    "{what} id `{id}` is not alphanumeric (A-Z, a-z, 0-9); CloudFormation rejects it"
                ),
            );
        }
    }

    /// Adds a node named `(local name, address suffix)` with its finished attributes.
    fn push(
        &mut self,
        entry: &Entry,
        kind: NodeKind,
        type_name: String,
        (local_name, address_suffix): (String, String),
        attributes: Node,
        refs: Refs<'_>,
    ) {
        let Refs {
            links, diagnostics, ..
        } = refs;
        self.out.diagnostics.extend(diagnostics);
        let resource = Resource {
            address: format!("{}#{address_suffix}", self.path),
            type_keys: match kind {
                NodeKind::Resource => vec![type_name.clone()],
                _ => Vec::new(),
            },
            views: Default::default(),
            type_name,
            kind,
            framework: Framework::CloudFormation,
            span: entry.key_span.cover(entry.value.span),
            name_span: entry.key_span,
            attributes,
            scope: self.scope.to_owned(),
            local_name,
            labels: None,
            suppressions: suppressions::from_metadata(&entry.value),
        };
        self.out.resources.push((resource, links));
    }

    fn error(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.out
            .diagnostics
            .push(Diagnostic::error(code, self.file.path.clone(), message).at(span));
    }

    fn warn(&mut self, code: &'static str, span: Span, message: impl Into<String>) {
        self.out.diagnostics.push(
            Diagnostic::new(Severity::Warning, code, self.file.path.clone(), message).at(span),
        );
    }
}

/// A resource's attributes with a `Globals` section merged into its `Properties` (which it
/// gets, at the section's place, when it has none).
fn with_globals(resource: &Node, body: &Map, global: &Entry) -> Node {
    let mut merged = body.clone();
    let properties = match body.entry("Properties") {
        Some(own) => Entry {
            key: own.key.clone(),
            key_span: own.key_span,
            value: merge_global(&global.value, &own.value),
        },
        None => Entry {
            key: "Properties".into(),
            key_span: global.key_span,
            value: global.value.clone(),
        },
    };
    merged.insert(properties);
    Node {
        value: Value::Map(merged),
        span: resource.span,
        provenance: resource.provenance.clone(),
    }
}

/// SAM's merge of a global value into a resource's own: maps key by key, lists global items
/// first, and otherwise (scalars, intrinsic functions, different kinds) the resource's own.
fn merge_global(global: &Node, own: &Node) -> Node {
    if !merges(global, own) {
        return own.clone();
    }
    match (&global.value, &own.value) {
        (Value::Map(g), Value::Map(o)) => {
            let mut out = o.clone();
            for entry in g {
                let value = match o.get(&entry.key) {
                    Some(mine) => merge_global(&entry.value, mine),
                    None => entry.value.clone(),
                };
                out.insert(Entry {
                    key: entry.key.clone(),
                    key_span: o.entry(&entry.key).map_or(entry.key_span, |e| e.key_span),
                    value,
                });
            }
            Node {
                value: Value::Map(out),
                ..own.clone()
            }
        }
        (Value::Seq(g), Value::Seq(o)) => Node {
            value: Value::Seq(g.iter().chain(o).cloned().collect()),
            ..own.clone()
        },
        _ => own.clone(),
    }
}

/// Whether a global value combines with the resource's own (two plain maps, two lists) rather
/// than giving way to it.
fn merges(global: &Node, own: &Node) -> bool {
    match (&global.value, &own.value) {
        (Value::Map(g), Value::Map(o)) => !is_intrinsic(g) && !is_intrinsic(o),
        (Value::Seq(_), Value::Seq(_)) => true,
        _ => false,
    }
}

/// `{Ref: X}` / `{Fn::…: X}`: the function name and its argument, when `node` is one
/// intrinsic function call.
pub(crate) fn intrinsic_call(node: &Node) -> Option<(&str, &Node)> {
    let map = node.as_map()?;
    if map.len() != 1 {
        return None;
    }
    let entry = map.iter().next()?;
    (entry.key == "Ref" || entry.key.starts_with("Fn::"))
        .then_some((entry.key.as_str(), &entry.value))
}

/// A map that is one intrinsic function call (`Ref`, `Fn::…`, `Condition`): a value, not a
/// structure to merge.
fn is_intrinsic(map: &Map) -> bool {
    map.len() == 1
        && map
            .iter()
            .next()
            .is_some_and(|e| e.key == "Ref" || e.key == "Condition" || e.key.starts_with("Fn::"))
}

/// A value for a message: a short scalar as written, anything else by its kind.
fn describe(node: &Node) -> String {
    match &node.value {
        Value::Null => "empty".to_owned(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Int(i) => format!("the number `{i}`"),
        Value::String(s) if s.trim().is_empty() => "an empty string".to_owned(),
        other => format!("a {}", other.kind_name()),
    }
}

#[cfg(test)]
mod tests;

/// `value` finished as the adapter finishes a resource's attributes in `template` (its
/// `Parameters`, `Conditions` and `Mappings`), for tests elsewhere that need finished values.
#[cfg(test)]
pub(crate) fn finish_in(template: &Node, value: &Node) -> Node {
    let section = |name: &str| template.get(name).and_then(Node::as_map);
    Resolver::new(Template {
        parameters: section("Parameters"),
        conditions: section("Conditions"),
        mappings: section("Mappings"),
    })
    .resolve(value)
}
