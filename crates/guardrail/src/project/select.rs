//! Which rules a scan runs: `--select`, `--ignore`, and the configuration's `select`,
//! `ignore` and `[severity]` keys, checked against the rules that exist.
//!
//! A selector is a rule id (`AWS-S3-001`), a prefix of whole id parts (`AWS-S3`, `K8S`), or
//! another tool's id that rules reference (`CKV_AWS_20`, for users coming from Checkov), in
//! any case; lists may be comma-separated (`--select AWS-S3,AWS-RDS`). A selector that
//! matches no rule fails the scan with a "did you mean": a gate that silently checks
//! nothing (`--select S3`) is worse than no gate.
//!
//! An opt-in rule (`opt_in: true`: a control that is right only where the user's policy
//! asks for it, such as S3 Object Lock) runs only when a selector names it: by its id or an
//! id it references, never by a prefix and never by default. A user who asks for
//! `CKV_AWS_143` gets the rule; a scan of `AWS` does not fail every bucket without it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::config::RuleName;
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Where a selector was written, for its diagnostic.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A command-line option, such as `--select`.
    Flag(&'static str),
    /// The configuration file, at its place.
    Config { path: PathBuf, span: Span },
}

/// A rule name as the user wrote it (one item of a comma-separated list).
#[derive(Debug, Clone)]
pub(crate) struct Selector {
    text: String,
    origin: Origin,
}

impl Selector {
    /// The selectors of command-line `values` of `flag`, comma-separated lists split.
    pub(crate) fn from_flag(flag: &'static str, values: &[String]) -> Vec<Selector> {
        values
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|text| Selector {
                text: text.to_owned(),
                origin: Origin::Flag(flag),
            })
            .collect()
    }

    /// The selectors the configuration writes under `key` (`select`, `ignore`, `severity`).
    pub(crate) fn from_config(key: &str, path: PathBuf, names: &[RuleName]) -> Vec<Selector> {
        names
            .iter()
            .filter(|n| n.key == key)
            .flat_map(|n| {
                n.text.split(',').map(str::trim).map(|text| Selector {
                    text: text.to_owned(),
                    origin: Origin::Config {
                        path: path.clone(),
                        span: n.span,
                    },
                })
            })
            .filter(|s| !s.text.is_empty())
            .collect()
    }

    /// The diagnostic for a selector that names nothing, with the nearest names as help.
    fn unknown(&self, what: &str, catalog: &Catalog) -> Diagnostic {
        let message = format!("`{}` {what}", self.text);
        let mut diagnostic = match &self.origin {
            Origin::Flag(flag) => Diagnostic::error("select::unknown", *flag, message),
            Origin::Config { path, span } => {
                Diagnostic::error("select::unknown", path.clone(), message).at(*span)
            }
        };
        diagnostic.help = Some(match catalog.suggest(&self.text) {
            Some(names) => format!("did you mean {names}? (`guardrail rules` lists every rule)"),
            None => "`guardrail rules` lists every rule id".into(),
        });
        diagnostic
    }
}

/// A rule as selection sees it.
#[derive(Debug)]
struct Named {
    /// The id, upper case.
    id: String,
    /// Other tools' ids for it, upper case.
    references: Vec<String>,
    /// Whether it runs only when named (see the module documentation).
    opt_in: bool,
}

/// The rules that exist: ids with other tools' ids for them.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    rules: Vec<Named>,
}

impl Catalog {
    /// Adds a rule.
    pub(crate) fn add(
        &mut self,
        id: &str,
        references: impl IntoIterator<Item = impl AsRef<str>>,
        opt_in: bool,
    ) {
        self.rules.push(Named {
            id: id.to_ascii_uppercase(),
            references: references
                .into_iter()
                .map(|r| r.as_ref().to_ascii_uppercase())
                .collect(),
            opt_in,
        });
    }

    /// The ids `selector` selects (see the module documentation).
    fn selected<'a>(&'a self, selector: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let wanted = selector.to_ascii_uppercase();
        self.rules
            .iter()
            .filter(move |r| {
                let by_id = if r.opt_in {
                    r.id == wanted
                } else {
                    is_prefix(&r.id, &wanted)
                };
                by_id || r.references.contains(&wanted)
            })
            .map(|r| r.id.as_str())
    }

    /// The opt-in rules under the prefix `selector`, which it does not select.
    fn opt_in_under(&self, selector: &str) -> Vec<&str> {
        let wanted = selector.to_ascii_uppercase();
        self.rules
            .iter()
            .filter(|r| r.opt_in && is_prefix(&r.id, &wanted))
            .map(|r| r.id.as_str())
            .collect()
    }

    /// Up to three names close to `text`, quoted and joined: the prefixes whose last part it
    /// is (`S3` → `AWS-S3`), else the ids, prefixes and references at the smallest edit
    /// distance within a third of its length (`AWS-S4` → `AWS-S3`).
    fn suggest(&self, text: &str) -> Option<String> {
        let wanted = text.to_ascii_uppercase();
        let mut names: BTreeSet<&str> = BTreeSet::new();
        for rule in &self.rules {
            names.extend(prefixes(&rule.id));
            names.extend(rule.references.iter().map(String::as_str));
        }
        let tail = format!("-{wanted}");
        let mut close: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| n.ends_with(&tail))
            .collect();
        if close.is_empty() {
            let limit = (wanted.chars().count() / 3).max(1);
            let scored: Vec<(usize, &str)> = names
                .iter()
                .map(|n| (strsim::levenshtein(n, &wanted), *n))
                .filter(|(d, _)| *d <= limit)
                .collect();
            let best = scored.iter().map(|(d, _)| *d).min()?;
            close = scored
                .into_iter()
                .filter(|(d, _)| *d == best)
                .map(|(_, n)| n)
                .collect();
        }
        let quoted: Vec<String> = close.iter().take(3).map(|n| format!("`{n}`")).collect();
        (!quoted.is_empty()).then(|| quoted.join(", "))
    }
}

/// Whether `selector` is `id` or a prefix of it ending at a part boundary (`AWS-S3` of
/// `AWS-S3-001`, not `AWS-S` of it). Both upper case.
fn is_prefix(id: &str, selector: &str) -> bool {
    id.strip_prefix(selector)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// The prefixes of whole parts of `id`, itself included: `AWS`, `AWS-S3`, `AWS-S3-001`.
fn prefixes(id: &str) -> impl Iterator<Item = &str> {
    id.match_indices('-')
        .map(|(at, _)| &id[..at])
        .chain(std::iter::once(id))
}

/// The outcome of selection: the ids (upper case) that run.
#[derive(Debug)]
pub(crate) struct Selection {
    running: BTreeSet<String>,
}

impl Selection {
    /// Whether rule `id` runs.
    pub(crate) fn runs(&self, id: &str) -> bool {
        self.running.contains(&id.to_ascii_uppercase())
    }

    /// Whether no rule runs.
    pub(crate) fn is_empty(&self) -> bool {
        self.running.is_empty()
    }
}

/// What the user asked for, checked against `catalog`.
#[derive(Debug, Default)]
pub(crate) struct Request {
    /// Rules to run (all when empty).
    pub select: Vec<Selector>,
    /// Rules to skip.
    pub ignore: Vec<Selector>,
    /// Selectors written elsewhere that must name a rule but select nothing: the
    /// configuration's `select` when the command line replaces it.
    pub unused: Vec<Selector>,
    /// Exact rule ids (`[severity]` keys).
    pub exact: Vec<Selector>,
    /// Rule ids a baseline names, with the baseline.
    pub baseline: Option<(PathBuf, Vec<String>)>,
}

impl Request {
    /// The rules that run; every selector and name that matches no rule is an error.
    pub(crate) fn resolve(&self, catalog: &Catalog) -> Result<Selection, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let mut pick = |selectors: &[Selector]| -> BTreeSet<String> {
            let mut out = BTreeSet::new();
            for selector in selectors {
                let mut any = false;
                for id in catalog.selected(&selector.text) {
                    any = true;
                    out.insert(id.to_owned());
                }
                let opt_in = catalog.opt_in_under(&selector.text);
                if !any && !opt_in.is_empty() {
                    problems.push(selector.unknown(
                        &format!(
                            "names only opt-in rules ({}), which a prefix does not select: \
                             name each by its id",
                            opt_in.join(", ")
                        ),
                        catalog,
                    ));
                } else if !any {
                    problems.push(selector.unknown(
                        "matches no rule id, id prefix or referenced id (such as CKV_AWS_20)",
                        catalog,
                    ));
                }
            }
            out
        };
        let selected = pick(&self.select);
        let ignored = pick(&self.ignore);
        pick(&self.unused);
        for name in &self.exact {
            let exists = catalog.rules.iter().any(|r| r.id == name.text);
            if !exists {
                problems.push(name.unknown("is not a rule id (ids are exact here)", catalog));
            }
        }
        if let Some((path, ids)) = &self.baseline {
            for id in ids {
                let upper = id.to_ascii_uppercase();
                if !catalog.rules.iter().any(|r| r.id == upper) {
                    problems.push(
                        Diagnostic::error(
                            "baseline::unknown-rule",
                            path.clone(),
                            format!("the baseline names rule `{id}`, which does not exist"),
                        )
                        .with_help(
                            "a baseline written by another guardrail version or with other \
                             --rules: write it again with --write-baseline",
                        ),
                    );
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let running = catalog
            .rules
            .iter()
            .filter(|r| {
                if self.select.is_empty() {
                    !r.opt_in
                } else {
                    selected.contains(&r.id)
                }
            })
            .filter(|r| !ignored.contains(&r.id))
            .map(|r| r.id.clone())
            .collect();
        Ok(Selection { running })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        catalog.add("AWS-S3-001", ["CKV_AWS_20", "CKV_AWS_57"], false);
        catalog.add("AWS-S3-002", ["CKV_AWS_53"], false);
        catalog.add("AWS-RDS-001", ["CKV_AWS_16"], false);
        catalog.add("K8S-POD-001", Vec::<String>::new(), false);
        catalog.add("AWS-GLACIER-001", ["CKV_AWS_900"], true);
        catalog
    }

    fn running(select: &[&str], ignore: &[&str]) -> Result<Vec<String>, Vec<String>> {
        let flag = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        let request = Request {
            select: Selector::from_flag("--select", &flag(select)),
            ignore: Selector::from_flag("--ignore", &flag(ignore)),
            ..Request::default()
        };
        request
            .resolve(&catalog())
            .map(|s| s.running.into_iter().collect())
            .map_err(|ds| {
                ds.into_iter()
                    .map(|d| {
                        format!(
                            "{}: {} ({})",
                            d.path.display(),
                            d.message,
                            d.help.unwrap_or_default()
                        )
                    })
                    .collect()
            })
    }

    #[test]
    fn ids_prefixes_lists_and_checkov_ids_select() {
        assert_eq!(
            running(&["aws-s3"], &[]).expect("ok"),
            ["AWS-S3-001", "AWS-S3-002"]
        );
        assert_eq!(
            running(&["AWS-S3-002,AWS-RDS"], &[]).expect("ok"),
            ["AWS-RDS-001", "AWS-S3-002"]
        );
        assert_eq!(running(&["ckv_aws_57"], &[]).expect("ok"), ["AWS-S3-001"]);
        assert_eq!(
            running(&[], &["AWS-S3", "K8S"]).expect("ok"),
            ["AWS-RDS-001"]
        );
        assert_eq!(running(&["AWS"], &["CKV_AWS_16"]).expect("ok").len(), 2);
    }

    #[test]
    fn opt_in_rules_run_only_when_named() {
        let all = running(&[], &[]).expect("ok");
        assert_eq!(
            all,
            ["AWS-RDS-001", "AWS-S3-001", "AWS-S3-002", "K8S-POD-001"]
        );
        assert_eq!(running(&["AWS"], &[]).expect("ok").len(), 3);
        assert_eq!(
            running(&["AWS-S3", "aws-glacier-001"], &[]).expect("ok"),
            ["AWS-GLACIER-001", "AWS-S3-001", "AWS-S3-002"]
        );
        assert_eq!(
            running(&["CKV_AWS_900"], &[]).expect("ok"),
            ["AWS-GLACIER-001"]
        );
        let errors = running(&["AWS-GLACIER"], &[]).expect_err("a prefix of opt-in rules only");
        assert!(
            errors[0].contains("names only opt-in rules (AWS-GLACIER-001)"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_selector_that_matches_nothing_is_an_error_with_a_suggestion() {
        let errors = running(&["S3"], &[]).expect_err("S3 is not a prefix");
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("--select: `S3` matches no rule"),
            "{errors:?}"
        );
        assert!(errors[0].contains("did you mean `AWS-S3`?"), "{errors:?}");
        let errors = running(&["AWS-S4", "AWS-S"], &["AWS-S3-01"]).expect_err("typos");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("did you mean `AWS-S3`"), "{errors:?}");
        assert!(errors[2].starts_with("--ignore: `AWS-S3-01`"), "{errors:?}");
        assert!(errors[2].contains("`AWS-S3-001`"), "{errors:?}");
        let errors = running(&["CKV_AWS_99999"], &[]).expect_err("unknown checkov id");
        assert!(errors[0].contains("`guardrail rules` lists"), "{errors:?}");
    }

    #[test]
    fn exact_names_and_baseline_rules_must_exist() {
        let request = Request {
            exact: Selector::from_flag("severity", &["AWS-S3".into(), "AWS-S3-001".into()]),
            baseline: Some((PathBuf::from("b.json"), vec!["AWS-GONE-001".into()])),
            ..Request::default()
        };
        let errors = request.resolve(&catalog()).expect_err("unknown names");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].code, "select::unknown");
        assert_eq!(errors[1].code, "baseline::unknown-rule");
    }
}
