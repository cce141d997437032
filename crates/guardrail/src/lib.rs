//! guardrail: policy-as-code for CloudFormation, Terraform and Kubernetes.
//!
//! The library reads infrastructure-as-code into one spanned [`graph::ResourceGraph`] and
//! evaluates security rules, mapped to STRIDE and NIST SP 800-53 rev5, over it. Its modules
//! follow the pipeline:
//!
//! ```text
//! paths ─discover─► files ─load─► SourceFile ─parse─► syntax tree ─adapt─► resources + links
//!       ─graph─► ResourceGraph ─evaluate (rules)─► findings ─report─► Report ─render─► text, JSON…
//! ```
//!
//! [`Scanner`] runs all of it; [`scan::build_graph`] stops at the graph; each stage is public
//! for tools that need only part of it. The library never prints: problems are
//! [`diagnostic::Diagnostic`]s and output is rendered to strings.
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod adapt;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod evaluate;
pub mod graph;
#[cfg(feature = "guard")]
pub mod guard;
pub mod load;
pub mod parse;
pub mod render;
pub mod report;
pub mod rules;
pub mod scan;
pub mod scanner;
pub mod source;
pub mod value;

pub use scanner::{ScanOutcome, Scanner};
