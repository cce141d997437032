//! guardrail: policy-as-code for CloudFormation, Terraform and Kubernetes.
//!
//! The library reads infrastructure-as-code into one spanned [`graph::ResourceGraph`].
//! Its modules follow the pipeline:
//!
//! ```text
//! paths ─discover─► files ─load─► SourceFile ─parse─► syntax tree ─adapt─► resources + links
//!       ─graph─► ResourceGraph
//! ```
//!
//! [`scan::build_graph`] runs the whole pipeline; each stage is public for tools that need
//! only part of it. The library never prints: problems are [`diagnostic::Diagnostic`]s.
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod adapt;
pub mod diagnostic;
pub mod discover;
pub mod evaluate;
pub mod graph;
pub mod load;
pub mod parse;
pub mod render;
pub mod rules;
pub mod scan;
pub mod source;
pub mod value;
