//! guardrail: policy-as-code for CloudFormation, Terraform and Kubernetes.
//!
//! The library reads infrastructure-as-code into one spanned [`graph::ResourceGraph`] and
//! evaluates security rules, mapped to STRIDE and NIST SP 800-53 rev5, over it. Its modules
//! follow the pipeline:
//!
//! ```text
//! paths ─discover─► files ─load─► SourceFile ─parse─► syntax tree ─adapt─► resources + links
//!       ─graph─► ResourceGraph ─evaluate (rules, Guard)─► verdicts ─report─► Report ─render─► text, JSON…
//! ```
//!
//! [`Project`] runs all of it as the command line does (configuration, settings, rule
//! selection, baseline, gate; unsaved editor buffers through [`input::Buffers`]), and
//! [`Project::graph`] stops at the graph. [`Scanner`] runs a rule pack a caller assembles;
//! each stage is public for tools that need only part of it. The library never prints: problems are
//! [`diagnostic::Diagnostic`]s and output is rendered to strings. A caller that shows
//! progress passes a listener in [`scan::ScanOptions::with_progress`] (see [`progress`]).
//!
//! # Cargo features
//!
//! Both are on by default; `default-features = false` leaves the reading pipeline, the rules
//! and their evaluation, suppressions, baselines and [`diagnostic::Diagnostic::to_report`].
//!
//! - `guard`: the `guard` module and `Scanner::with_guard`, which run AWS CloudFormation
//!   Guard rule files through the `cfn-guard` crate (its parser and evaluator, and their
//!   dependencies).
//! - `render`: the `render` module, the text, JSON, SARIF, JUnit, GitHub annotations and
//!   Markdown reports, the graph as JSON, DOT and Mermaid, and rule documentation; it also
//!   turns on miette's graphical handler (`fancy-no-backtrace`), which the text report uses.
#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub(crate) mod adapt;
pub mod compliance;
pub mod config;
pub mod diagnostic;
pub(crate) mod discover;
pub mod evaluate;
pub mod graph;
#[cfg(feature = "guard")]
pub mod guard;
pub mod input;
pub(crate) mod load;
pub(crate) mod parse;
pub mod progress;
pub mod project;
#[cfg(feature = "render")]
pub mod render;
pub mod report;
pub mod rules;
pub mod scan;
pub mod scanner;
pub mod source;
pub mod suppress;
#[cfg(test)]
mod testing;
pub mod threat;
pub mod value;

pub use project::{Problems, Project, ProjectError, ProjectScan, Settings};
pub use scan::GraphScan;
pub use scanner::{ScanOutcome, Scanner};
