//! Adapting: format-specific documents into graph resources and the links between them.
//!
//! One adapter per framework. Each turns what the parser produced into [`Resource`]s with a
//! stable address, a type and a spanned attribute tree, plus unresolved [`Link`]s that the
//! graph builder resolves across every file of the scan.

pub mod cloudformation;
pub mod kubernetes;
pub mod terraform;

use crate::diagnostic::Diagnostic;
use crate::graph::{Framework, Link, Resource};
use crate::value::{Node, Value};

/// What an adapter produced from its input.
#[derive(Debug, Default)]
pub struct Adapted {
    /// Resources in source order, each with the links it makes.
    pub resources: Vec<(Resource, Vec<Link>)>,
    /// Problems found while adapting (an unsupported construct, a malformed resource).
    pub diagnostics: Vec<Diagnostic>,
}

/// Decides which framework a parsed YAML or JSON stream belongs to, if any.
///
/// CloudFormation: a single map with `AWSTemplateFormatVersion`, or with a `Resources` map
/// whose entries have a `Type` such as `AWS::S3::Bucket`. Kubernetes: any document with
/// string `apiVersion` and `kind`. Anything else (GitHub workflows, docker-compose, Helm
/// values) is not ours.
pub fn classify(documents: &[Node]) -> Option<Framework> {
    if let [doc] = documents {
        if is_cloudformation(doc) {
            return Some(Framework::CloudFormation);
        }
    }
    documents
        .iter()
        .any(is_kubernetes_object)
        .then_some(Framework::Kubernetes)
}

fn is_cloudformation(doc: &Node) -> bool {
    if doc.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    doc.get("Resources")
        .and_then(Node::as_map)
        .is_some_and(|resources| {
            resources.iter().any(|e| {
                e.value
                    .get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.contains("::"))
            })
        })
}

/// Whether a document is a Kubernetes object: a map with string `apiVersion` and `kind`.
pub fn is_kubernetes_object(doc: &Node) -> bool {
    let is_text = |key: &str| {
        doc.get(key)
            .is_some_and(|n| matches!(&n.value, Value::String(s) if !s.is_empty()))
    };
    is_text("apiVersion") && is_text("kind")
}
