//! The compliance view: NIST SP 800-53 rev5 controls as the scan's verdicts assess them.
//!
//! Every rule names the controls a failure of it concerns (`nist:` in its file). A control is
//! **satisfied** when the rules that assess it pass on every resource they apply to, **not
//! satisfied** when one fails, **unverified** when the only verdicts depend on values known at
//! deployment, and **not assessed** when no rule assesses it or none applied to anything
//! scanned. With a baseline (low, moderate, high), every control the baseline selects is
//! listed, so the ones that need evidence from elsewhere (policies, procedures, people) are in
//! plain sight. Verdicts count once per rule and resource; suppressed failures still count as
//! failures (a suppression accepts a finding, it does not make the control hold).

use std::collections::{BTreeMap, BTreeSet};

use crate::evaluate::Status;
use crate::report::Report;
use crate::rules::catalog::{self, Control};
use crate::source::SourceFiles;

/// A NIST SP 800-53 rev5 baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NistBaseline {
    /// The low-impact baseline.
    Low,
    /// The moderate-impact baseline.
    Moderate,
    /// The high-impact baseline.
    High,
}

impl NistBaseline {
    /// Its name in the catalog and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            NistBaseline::Low => "low",
            NistBaseline::Moderate => "moderate",
            NistBaseline::High => "high",
        }
    }
}

/// How the scan's verdicts leave a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ControlState {
    /// A rule assessing it fails on a resource.
    NotSatisfied,
    /// Its rules' verdicts depend on values known only at deployment.
    Unverified,
    /// Its rules pass on every resource they apply to.
    Satisfied,
    /// No rule assesses it, or none applied to anything scanned.
    NotAssessed,
}

impl ControlState {
    /// Its name in output: `not-satisfied`.
    pub fn name(self) -> &'static str {
        match self {
            ControlState::NotSatisfied => "not-satisfied",
            ControlState::Unverified => "unverified",
            ControlState::Satisfied => "satisfied",
            ControlState::NotAssessed => "not-assessed",
        }
    }
}

/// One rule's verdicts on one resource, for a control.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct Observation {
    /// The rule.
    pub rule: String,
    /// The resource (or document) judged.
    pub resource: String,
    /// The file, as shown.
    pub file: String,
    /// Where the deciding verdict points.
    pub line: u32,
    /// Its column.
    pub column: u32,
    /// The worst status among the rule's verdicts on the resource (fail before unknown
    /// before pass).
    pub status: Status,
}

/// One control, assessed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ControlAssessment {
    /// The control, from the catalog.
    pub control: &'static Control,
    /// The rules that assess it (that name it), sorted.
    pub rules: Vec<String>,
    /// What each rule found on each resource, sorted: failures first.
    pub observations: Vec<Observation>,
    /// The state.
    pub state: ControlState,
}

impl ControlAssessment {
    /// How many observations have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.observations
            .iter()
            .filter(|o| o.status == status)
            .count()
    }
}

/// Controls of one family, counted by state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FamilySummary {
    /// The family's id: `AC`.
    pub family: &'static str,
    /// Its title: `Access Control`.
    pub title: &'static str,
    /// Controls listed, by state.
    pub states: BTreeMap<ControlState, usize>,
}

/// The compliance view of one scan.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ComplianceView {
    /// The baseline the controls were chosen by, if any.
    pub baseline: Option<NistBaseline>,
    /// Controls, by label: every control a rule assesses, and with a baseline every control
    /// it selects.
    pub controls: Vec<ControlAssessment>,
}

impl ComplianceView {
    /// The view of `report`, whose [`Report::rules`] must be the whole pack in full (the
    /// rules a scan did not need carry no NIST ids: see `Settings::describe_every_rule`).
    /// `files` are the scan's (for the verdicts' lines).
    pub fn build(
        report: &Report,
        files: &SourceFiles,
        baseline: Option<NistBaseline>,
    ) -> ComplianceView {
        let mut rules_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for rule in report.rules.iter() {
            for label in &rule.nist {
                rules_of
                    .entry(label.as_str())
                    .or_default()
                    .insert(rule.id.as_str());
            }
        }
        // The worst status of each rule on each subject.
        let mut worst: BTreeMap<(&str, u32), (Status, &crate::report::ReportVerdict)> =
            BTreeMap::new();
        for v in &report.verdicts {
            let Some(rule) = report.rule_of(v) else {
                continue;
            };
            if v.verdict.status == Status::NotApplicable {
                continue;
            }
            let slot = worst
                .entry((rule.id.as_str(), v.subject))
                .or_insert((v.verdict.status, v));
            if v.verdict.status < slot.0 {
                *slot = (v.verdict.status, v);
            }
        }
        let mut observations_of: BTreeMap<&str, Vec<Observation>> = BTreeMap::new();
        for ((rule, _), (status, v)) in &worst {
            let Some(subject) = report.subject_of(v) else {
                continue;
            };
            let at = files.start_of(v.verdict.span);
            observations_of.entry(rule).or_default().push(Observation {
                rule: (*rule).to_owned(),
                resource: subject.address.clone(),
                file: subject.file.clone(),
                line: at.line,
                column: at.column,
                status: *status,
            });
        }
        let wanted: BTreeSet<&str> = rules_of
            .keys()
            .copied()
            .chain(
                baseline
                    .into_iter()
                    .flat_map(|b| {
                        catalog::controls()
                            .iter()
                            .filter(move |c| !c.withdrawn && c.baselines.contains(&b.name()))
                    })
                    .map(|c| c.label),
            )
            .collect();
        let mut wanted: Vec<&str> = wanted.into_iter().collect();
        wanted.sort_by_key(|label| natural(label));
        let controls = wanted
            .into_iter()
            .filter_map(catalog::control)
            .map(|control| {
                let rules: Vec<String> = rules_of
                    .get(control.label)
                    .into_iter()
                    .flatten()
                    .map(|r| (*r).to_owned())
                    .collect();
                let mut observations: Vec<Observation> = rules
                    .iter()
                    .flat_map(|r| {
                        observations_of
                            .get(r.as_str())
                            .into_iter()
                            .flatten()
                            .cloned()
                    })
                    .collect();
                observations.sort_by(|a, b| {
                    (a.status, &a.file, a.line, &a.rule).cmp(&(b.status, &b.file, b.line, &b.rule))
                });
                let state = match observations.iter().map(|o| o.status).min() {
                    Some(Status::Fail) => ControlState::NotSatisfied,
                    Some(Status::Unknown) => ControlState::Unverified,
                    Some(_) => ControlState::Satisfied,
                    None => ControlState::NotAssessed,
                };
                ControlAssessment {
                    control,
                    rules,
                    observations,
                    state,
                }
            })
            .collect();
        ComplianceView { baseline, controls }
    }

    /// The controls of each family, counted by state, in family order.
    pub fn families(&self) -> Vec<FamilySummary> {
        let mut out: BTreeMap<&str, FamilySummary> = BTreeMap::new();
        for c in &self.controls {
            let family = out
                .entry(c.control.family)
                .or_insert_with(|| FamilySummary {
                    family: c.control.family,
                    title: c.control.family_title,
                    states: BTreeMap::new(),
                });
            *family.states.entry(c.state).or_default() += 1;
        }
        out.into_values().collect()
    }

    /// How many controls are in `state`.
    pub fn count(&self, state: ControlState) -> usize {
        self.controls.iter().filter(|c| c.state == state).count()
    }
}

/// The order NIST lists controls in: family, then number, then enhancement (`AC-3` before
/// `AC-17`, `AC-6` before `AC-6(10)`).
fn natural(label: &str) -> (&str, u32, u32) {
    let (family, rest) = label.split_once('-').unwrap_or((label, ""));
    let (number, enhancement) = match rest.split_once('(') {
        Some((n, e)) => (n, e.trim_end_matches(')')),
        None => (rest, ""),
    };
    (
        family,
        number.parse().unwrap_or(u32::MAX),
        enhancement.parse().unwrap_or(0),
    )
}
