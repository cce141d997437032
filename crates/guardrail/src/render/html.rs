//! One self-contained HTML report: the summary and gate, the data-flow diagram as inline SVG,
//! the STRIDE matrix (elements × categories, the worst state of each), the NIST SP 800-53
//! family coverage, and the findings grouped by file and rule with their source lines.
//!
//! Nothing is fetched: the style is inline, the diagram is SVG drawn here (no script, no font,
//! no image), and a Content-Security-Policy of `default-src 'none'` says so to the browser.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::compliance::{ComplianceView, ControlState};
use crate::report::{Report, ReportFinding};
use crate::rules::catalog::Stride;
use crate::source::SourceFiles;
use crate::threat::{ElementKind, ThreatModel, ThreatState};

use super::RenderOptions;

/// What the page is made of: one scan's report, its files, and the threat model and
/// compliance view derived from the same scan.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Page<'a> {
    /// The findings and verdicts.
    pub report: &'a Report,
    /// The files read, for source lines.
    pub files: &'a SourceFiles,
    /// The gate shown.
    pub options: &'a RenderOptions,
    /// The threat model.
    pub model: &'a ThreatModel,
    /// The compliance view.
    pub controls: &'a ComplianceView,
}

impl<'a> Page<'a> {
    /// A page of these parts.
    pub fn new(
        report: &'a Report,
        files: &'a SourceFiles,
        options: &'a RenderOptions,
        model: &'a ThreatModel,
        controls: &'a ComplianceView,
    ) -> Self {
        Page {
            report,
            files,
            options,
            model,
            controls,
        }
    }
}

/// Text made safe inside HTML (and SVG) text and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#1b1f24;padding:0 1em}\
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#f6f8fa}.exposed,.fail,.not-satisfied{background:#ffebe9}.unverified,.unknown{background:#fff8c5}\
.mitigated,.satisfied{background:#dafbe1}.none{color:#8c959f}\
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;margin:.3em 0}.finding{margin:.8em 0}\
.badge{display:inline-block;padding:0 .5em;border-radius:1em;font-weight:600}\
.decision-failed,.decision-incomplete{background:#cf222e;color:#fff}.decision-passed{background:#1a7f37;color:#fff}\
svg text{font:12px system-ui,sans-serif}";

/// The page.
pub fn render(page: &Page<'_>) -> String {
    let summary = page.report.summary();
    let gate = page.report.gate(&page.options.gate);
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    let _ = writeln!(
        out,
        "<title>guardrail report</title>\n<style>{STYLE}</style>\n</head>\n<body>"
    );
    let _ = writeln!(
        out,
        "<h1>guardrail report <span class=\"badge decision-{0}\" id=\"decision\">{0}</span></h1>",
        gate.decision.name()
    );
    let _ = writeln!(
        out,
        "<p id=\"summary\">{} files · {} resources · {} rules · <strong>{} failed</strong> · {} unknown · {} suppressed · {} passed · gate: fail on {} and above{}</p>",
        summary.files,
        summary.resources,
        summary.rules,
        summary.failed,
        summary.unknown,
        summary.suppressed,
        summary.passed,
        gate.gate.fail_on.name(),
        if gate.gate.strict {
            ", unknown fails"
        } else {
            ""
        }
    );
    out.push_str("<h2>Data flow</h2>\n");
    out.push_str(&diagram(page.model));
    out.push_str(&stride_matrix(page.model));
    out.push_str(&families(page.controls));
    out.push_str(&findings(page));
    out.push_str("</body>\n</html>\n");
    out
}

/// The worst state of each element, by element index.
fn worst_states(model: &ThreatModel) -> Vec<Option<ThreatState>> {
    let mut out = vec![None; model.elements.len()];
    for t in &model.threats {
        if let Some(slot) = out.get_mut(t.element) {
            *slot = Some(slot.map_or(t.state, |s: ThreatState| s.min(t.state)));
        }
    }
    out
}

const NODE_W: usize = 240;
const NODE_H: usize = 34;
const GAP: usize = 14;
const COLUMN_GAP: usize = 90;
const HEADER: usize = 26;

/// The diagram: a column per outermost trust boundary, its elements stacked and grouped by
/// their innermost boundary, the flows as arrows; borders red, amber or green by the worst
/// threat state.
fn diagram(model: &ThreatModel) -> String {
    let worst = worst_states(model);
    let drawn: Vec<usize> = (0..model.elements.len())
        .filter(|i| {
            !matches!(
                model.elements[*i].kind,
                ElementKind::Supporting | ElementKind::Boundary
            )
        })
        .collect();
    if drawn.is_empty() {
        return "<p class=\"none\">No element to draw.</p>\n".into();
    }
    let outermost = |mut b: usize| {
        while let Some(parent) = model.boundaries.get(b).and_then(|x| x.parent) {
            b = parent;
        }
        b
    };
    // Column → inner boundary → elements.
    let mut columns: BTreeMap<usize, BTreeMap<usize, Vec<usize>>> = BTreeMap::new();
    for &i in &drawn {
        let b = model.elements[i].boundary;
        columns
            .entry(outermost(b))
            .or_default()
            .entry(b)
            .or_default()
            .push(i);
    }
    let mut place: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    let mut body = String::new();
    let mut height = 0;
    for (column, (top, groups)) in columns.iter().enumerate() {
        let x = GAP + column * (NODE_W + 2 * GAP + COLUMN_GAP);
        let mut y = GAP;
        let top_name = model.boundaries.get(*top).map_or("", |b| b.name.as_str());
        let column_start = y;
        y += HEADER;
        for (inner, elements) in groups {
            let group_start = y;
            if inner != top {
                y += HEADER;
            }
            for &i in elements {
                place.insert(i, (x + GAP, y));
                let class = worst[i].map_or("none", ThreatState::name);
                let color = match worst[i] {
                    Some(ThreatState::Exposed) => "#cf222e",
                    Some(ThreatState::Unverified) => "#bf8700",
                    Some(ThreatState::Mitigated) => "#1a7f37",
                    None => "#8c959f",
                };
                let rx = match model.elements[i].kind {
                    ElementKind::Process => 16,
                    ElementKind::DataStore => 2,
                    _ => 0,
                };
                let name = &model.elements[i].name;
                let short: String = if name.chars().count() > 34 {
                    let tail: String = name
                        .chars()
                        .rev()
                        .take(33)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    format!("…{tail}")
                } else {
                    name.clone()
                };
                let _ = writeln!(
                    body,
                    "<g class=\"element {class}\"><title>{} ({}, {})</title><rect x=\"{}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"{rx}\" fill=\"#fff\" stroke=\"{color}\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
                    esc(name),
                    esc(&model.elements[i].class_name),
                    class,
                    x + GAP,
                    x + GAP + 8,
                    y + 21,
                    esc(&short)
                );
                y += NODE_H + GAP;
            }
            if inner != top {
                let name = model.boundaries.get(*inner).map_or("", |b| b.name.as_str());
                let _ = writeln!(
                    body,
                    "<rect x=\"{}\" y=\"{group_start}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#8c959f\" stroke-dasharray=\"4 3\"/><text x=\"{}\" y=\"{}\">{}</text>",
                    x + GAP / 2,
                    NODE_W + GAP,
                    y - group_start,
                    x + GAP,
                    group_start + 17,
                    esc(name)
                );
                y += GAP;
            }
        }
        let _ = writeln!(
            body,
            "<rect x=\"{x}\" y=\"{column_start}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#57606a\" stroke-width=\"1.5\"/><text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>",
            NODE_W + 2 * GAP,
            y - column_start,
            x + 6,
            column_start + 18,
            esc(top_name)
        );
        height = height.max(y + GAP);
    }
    for flow in &model.flows {
        let (Some(&(fx, fy)), Some(&(tx, ty))) = (place.get(&flow.from), place.get(&flow.to))
        else {
            continue;
        };
        let (x1, x2) = if fx < tx {
            (fx + NODE_W, tx)
        } else if fx > tx {
            (fx, tx + NODE_W)
        } else {
            (fx + NODE_W, tx + NODE_W)
        };
        let (y1, y2) = (fy + NODE_H / 2, ty + NODE_H / 2);
        let path = if fx == tx {
            format!("M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}", x1 + 40, x2 + 40)
        } else {
            format!("M{x1},{y1} L{x2},{y2}")
        };
        let _ = writeln!(
            body,
            "<path class=\"flow\" d=\"{path}\" fill=\"none\" stroke=\"#57606a\" marker-end=\"url(#arrow)\"><title>{}</title></path>",
            esc(flow.label)
        );
    }
    let width = columns.len() * (NODE_W + 2 * GAP + COLUMN_GAP) + 2 * GAP;
    format!(
        "<svg id=\"diagram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"data-flow diagram\">\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#57606a\"/></marker></defs>\n{body}</svg>\n"
    )
}

/// Elements × STRIDE categories: the worst state of the threats of each category.
fn stride_matrix(model: &ThreatModel) -> String {
    let mut out = String::from("<h2>STRIDE</h2>\n<table id=\"stride\">\n<tr><th>Element</th>");
    for s in Stride::ALL {
        let _ = write!(out, "<th>{}</th>", esc(s.name()));
    }
    out.push_str("</tr>\n");
    for (i, element) in model.elements.iter().enumerate() {
        let threats: Vec<_> = model.threats.iter().filter(|t| t.element == i).collect();
        if threats.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<tr><td>{} <span class=\"none\">{}</span></td>",
            esc(&element.name),
            esc(&element.class_name)
        );
        for s in Stride::ALL {
            let of: Vec<_> = threats.iter().filter(|t| t.stride == s).collect();
            match of.iter().map(|t| t.state).min() {
                Some(state) => {
                    let titles: Vec<String> = of
                        .iter()
                        .map(|t| format!("{} ({})", t.title, t.state.name()))
                        .collect();
                    let _ = write!(
                        out,
                        "<td class=\"{0}\" title=\"{1}\">{0}</td>",
                        state.name(),
                        esc(&titles.join("; "))
                    );
                }
                None => out.push_str("<td class=\"none\">—</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// NIST SP 800-53 families: controls per state.
fn families(view: &ComplianceView) -> String {
    let states = [
        ControlState::NotSatisfied,
        ControlState::Unverified,
        ControlState::Satisfied,
        ControlState::NotAssessed,
    ];
    let mut out =
        String::from("<h2>NIST SP 800-53 rev5</h2>\n<table id=\"nist\">\n<tr><th>Family</th>");
    for s in states {
        let _ = write!(out, "<th>{}</th>", s.name());
    }
    out.push_str("</tr>\n");
    for f in view.families() {
        let _ = write!(out, "<tr><td>{} {}</td>", esc(f.family), esc(f.title));
        for s in states {
            let n = f.states.get(&s).copied().unwrap_or(0);
            let class = if n == 0 { "none" } else { s.name() };
            let _ = write!(out, "<td class=\"{class}\">{n}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// How many characters of a line a finding shows, around its column.
const LINE_WINDOW: usize = 160;

/// The finding's line, cut to [`LINE_WINDOW`] characters around `column` when longer (a
/// minified template is one line).
fn source_line(file: &crate::source::SourceFile, line: u32, column: u32) -> String {
    let range = file.lines.line_range(&file.text, line);
    let text = file.text.get(range).unwrap_or_default().trim_end();
    let count = text.chars().count();
    if count <= LINE_WINDOW {
        return text.to_owned();
    }
    let start = (column as usize)
        .saturating_sub(LINE_WINDOW / 2)
        .min(count - LINE_WINDOW);
    let window: String = text.chars().skip(start).take(LINE_WINDOW).collect();
    format!("…{window}…")
}

/// Findings grouped by file, then rule, each with its source line.
fn findings(page: &Page<'_>) -> String {
    let mut by_file: BTreeMap<&str, BTreeMap<&str, Vec<&ReportFinding>>> = BTreeMap::new();
    for f in page
        .report
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
    {
        by_file
            .entry(f.file.as_str())
            .or_default()
            .entry(f.rule_id.as_str())
            .or_default()
            .push(f);
    }
    let mut out = String::from("<h2>Findings</h2>\n<div id=\"findings\">\n");
    if by_file.is_empty() {
        out.push_str("<p class=\"none\">No findings.</p>\n");
    }
    for (file, rules) in by_file {
        let _ = writeln!(out, "<h3>{}</h3>", esc(file));
        for (rule, findings) in rules {
            // What is wrong (the rule's problem), not the pass condition.
            let title = findings.first().map_or("", |f| &*f.headline);
            let _ = writeln!(out, "<h4>{} — {}</h4>", esc(rule), esc(title));
            for f in findings {
                let line = page
                    .files
                    .get(f.span.file)
                    .map(|source| source_line(source, f.start.line, f.start.column))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<div class=\"finding {}\"><strong>{}:{}</strong> [{}] {} — {}<pre>{}</pre></div>",
                    f.status.name(),
                    f.start.line,
                    f.start.column,
                    f.severity.name(),
                    esc(&f.resource),
                    esc(&f.message),
                    esc(&line)
                );
            }
        }
    }
    out.push_str("</div>\n");
    out
}
