//! Rendering: views of scan results for people and machines. Renderers read what the
//! earlier stages produced and compute nothing of their own: counts come from
//! [`Report::summary`](crate::report::Report::summary), the gate's decision from
//! [`Report::gate`](crate::report::Report::gate).
//!
//! Every report format has the same entry point, `render(report, files, options) -> String`
//! ([`text::render`], [`concise::render`], [`statistics::render`], [`json::render`],
//! [`sarif::render`], [`junit::render`], [`github::render`], [`markdown::render`]), with the
//! options of all formats in one [`RenderOptions`].
//!
//! A finding's headline names the problem ([`ReportFinding::headline`](crate::report::ReportFinding::headline),
//! the rule's `problem`); the rule's title, its pass condition, describes the rule (`rules`,
//! `explain`, SARIF rule descriptions).

pub mod concise;
pub mod controls;
pub mod github;
pub mod graph;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod oscal;
pub mod rules;
pub mod sarif;
pub mod statistics;
pub mod text;
pub mod threats;

use crate::report::Gate;

/// The text width when the output is not a terminal.
pub const DEFAULT_WIDTH: usize = 100;

/// How to render a report; each format reads the options that concern it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RenderOptions {
    /// The gate shown (text, JSON, Markdown) and that JUnit fails tests on.
    pub gate: Gate,
    /// Text: ANSI colours.
    pub color: bool,
    /// Text: line width to wrap messages at: the terminal's, or [`DEFAULT_WIDTH`] when the
    /// output is not a terminal (stable for files and snapshots).
    pub width: usize,
    /// Text: also show suppressed findings (marked as such); they are always counted.
    pub show_suppressed: bool,
    /// JSON: leave the passing and not-applicable verdicts out (`--quiet`).
    pub quiet: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            gate: Gate::default(),
            color: false,
            width: DEFAULT_WIDTH,
            show_suppressed: false,
            quiet: false,
        }
    }
}

impl RenderOptions {
    /// Default options with this gate.
    pub fn with_gate(gate: Gate) -> Self {
        RenderOptions {
            gate,
            ..RenderOptions::default()
        }
    }

    /// The same options, with colour on or off.
    pub fn color(mut self, color: bool) -> Self {
        self.color = color;
        self
    }

    /// The same options, wrapping text at `width` columns (at least 40).
    pub fn width(mut self, width: usize) -> Self {
        self.width = width.max(40);
        self
    }

    /// The same options, showing suppressed findings in text or not.
    pub fn show_suppressed(mut self, show: bool) -> Self {
        self.show_suppressed = show;
        self
    }

    /// The same options, leaving passing verdicts out of JSON or not.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }
}
