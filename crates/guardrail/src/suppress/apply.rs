//! Applying suppressions: each finding that a suppression covers (its place) and names (by
//! rule id, or for Checkov and Guard by a peer id the rule references) is marked suppressed.

use std::collections::HashMap;

use crate::report::{Report, Suppression, SuppressionKind};
use crate::rules::model::Rule;
use crate::scan::GraphScan;
use crate::suppress::place::{Found, Place};

/// What each suppression did: per id it names, whether it silenced a finding; and which
/// rules' findings it silenced.
pub(crate) struct Applied {
    /// Per suppression, per id: whether it silenced anything.
    pub(crate) used: Vec<Vec<bool>>,
    /// Per suppression: the rule ids it silenced, in the order met.
    pub(crate) silenced: Vec<Vec<String>>,
}

/// The `references` key under which rules list the ids a peer tool's suppression names.
fn peer_tool(kind: SuppressionKind) -> &'static str {
    match kind {
        SuppressionKind::Guard => "guard",
        _ => "checkov",
    }
}

/// Marks the findings of `report` that `found` suppress. `found` is sorted so that line
/// suppressions come first: the first one that covers a finding gives it its reason.
/// `rules` are the rules that ran, by upper-case id.
pub(crate) fn apply(
    report: &mut Report,
    scan: &GraphScan,
    found: &[Found],
    rules: &HashMap<String, &Rule>,
) -> Applied {
    let mut used: Vec<Vec<bool>> = found
        .iter()
        .map(|s| vec![false; s.directive.ids.len()])
        .collect();
    let mut silenced: Vec<Vec<String>> = vec![Vec::new(); found.len()];
    for finding in &mut report.findings {
        let rule = rules.get(&finding.rule_id.to_ascii_uppercase());
        for (n, s) in found.iter().enumerate() {
            if !s.place.covers(finding, scan) {
                continue;
            }
            let d = &s.directive;
            for (i, id) in d.ids.iter().enumerate() {
                let hit = match d.kind {
                    SuppressionKind::Checkov | SuppressionKind::Guard => rule
                        .and_then(|r| r.references.get(peer_tool(d.kind)))
                        .is_some_and(|ids| ids.iter().any(|c| c.eq_ignore_ascii_case(id))),
                    _ => finding.rule_id.eq_ignore_ascii_case(id),
                };
                if !hit {
                    continue;
                }
                if let Some(flag) = used.get_mut(n).and_then(|u| u.get_mut(i)) {
                    *flag = true;
                }
                if let Some(list) = silenced.get_mut(n) {
                    if !list.contains(&finding.rule_id) {
                        list.push(finding.rule_id.clone());
                    }
                }
                if finding.suppression.is_none() {
                    finding.suppression = Some(Suppression {
                        kind: d.kind,
                        reason: d.reason.clone(),
                        span: d.span,
                    });
                }
            }
        }
    }
    Applied { used, silenced }
}

/// Line suppressions are more specific than resource ones, so theirs is the reason a finding
/// shows when both apply; then in source order.
pub(crate) fn order(found: &mut [Found]) {
    found.sort_by_key(|s| (!matches!(s.place, Place::Line(..)), s.directive.span));
}
