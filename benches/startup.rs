//! Start-up cost against the size of the rule pack: the built-in pack, and a generated pack
//! of 1,000 rules (the built-in rules plus variations of them that bind other resource
//! types, as a larger pack would), both through the lazily checked path the built-in pack
//! takes (`IndexedRule` → `LazyPack` → `RuleSet`), each measured from a pack nothing of which
//! is checked yet, as at process start.
//!
//! - `prepare`: the rule set a scan starts from (built-in rules, suppression meta rules);
//! - `one_file_scan`: that, then a scan of one small Terraform file (the rules its resources
//!   need are checked then);
//! - `check_all`: for comparison, what start-up cost before the pack was lazy: every rule
//!   loaded and checked (`LoadedRules::add_texts`).
//!
//! `prepare` and `one_file_scan` should not grow from the built-in pack to 1,000 rules by
//! more than the index walk; `check_all` grows with the pack.

// A bench that cannot set up its input has nothing to measure: stopping is right.
#![allow(clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use guardrail::Scanner;
use guardrail::report::suppress::meta_rules;
use guardrail::rules::builtin::{IndexedRule, LazyPack};
use guardrail::rules::load::LoadedRules;
use guardrail::rules::set::RuleSet;

const LARGE: usize = 1_000;

/// `text` with its id changed to `id` and every type its bindings name suffixed with
/// `suffix`, so the variation applies to resources of other types.
fn variation(text: &str, old_id: &str, id: &str, suffix: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        let trimmed = line.trim_start();
        if line == format!("id: {old_id}") {
            out.push_str(&format!("id: {id}"));
        } else if let Some(list) = trimmed
            .strip_prefix("types: [")
            .and_then(|l| l.strip_suffix(']'))
        {
            let indent = &line[..line.len() - trimmed.len()];
            let types: Vec<String> = list
                .split(',')
                .map(|t| format!("{}{suffix}", t.trim()))
                .collect();
            out.push_str(&format!("{indent}types: [{}]", types.join(", ")));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The built-in rules and variations of them, `n` in all, indexed.
fn pack_of(n: usize) -> Vec<IndexedRule> {
    let builtin = LazyPack::builtin();
    let base = builtin.rules();
    let mut rules: Vec<IndexedRule> = base.to_vec();
    let mut round = 1;
    // Rules reported by another stage (the suppression audit's) have one fixed id each.
    let varied: Vec<&IndexedRule> = base.iter().filter(|r| !r.reported_elsewhere()).collect();
    while rules.len() < n {
        for rule in varied.iter().take(n - rules.len()) {
            let (prefix, number) = rule.id().rsplit_once('-').expect("ids end in a number");
            let id = format!("{prefix}-V{round}-{number}");
            let text = variation(rule.text(), rule.id(), &id, &format!("V{round}"));
            let path = format!("bench/{id}.yaml");
            rules.push(IndexedRule::read(path, text).expect("a variation indexes"));
        }
        round += 1;
    }
    rules
}

fn rule_set(rules: Vec<IndexedRule>) -> RuleSet {
    let mut set = RuleSet::lazy(Arc::new(LazyPack::new(rules)));
    set.extend(meta_rules().iter().cloned());
    set
}

fn startup(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("main.tf");
    std::fs::write(
        &file,
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n\n\
         resource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
    )
    .expect("write the scanned file");
    let paths: Vec<PathBuf> = vec![file];
    let builtin = LazyPack::builtin().rules().len();
    let packs = [(builtin, pack_of(builtin)), (LARGE, pack_of(LARGE))];
    for (_, pack) in &packs {
        // Every generated rule is a valid rule.
        let mut loaded = LoadedRules::default();
        loaded.add_texts(
            pack.iter()
                .map(|r| (r.path().to_owned(), r.text().to_owned()))
                .collect(),
        );
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    }

    let mut group = c.benchmark_group("startup");
    for (n, pack) in &packs {
        group.bench_with_input(BenchmarkId::new("prepare", n), pack, |b, pack| {
            b.iter_batched(|| pack.clone(), rule_set, BatchSize::SmallInput);
        });
        group.bench_with_input(BenchmarkId::new("one_file_scan", n), pack, |b, pack| {
            b.iter_batched(
                || pack.clone(),
                |rules| {
                    let scanner = Scanner::from_rule_set(rule_set(rules));
                    let outcome = scanner.scan(&paths);
                    assert!(!outcome.report.findings.is_empty());
                    // Dropped after timing: freeing a pack indexed at run time is not start-up.
                    (outcome, scanner)
                },
                BatchSize::SmallInput,
            );
        });
        group.bench_with_input(BenchmarkId::new("check_all", n), pack, |b, pack| {
            b.iter_batched(
                || {
                    pack.iter()
                        .map(|r| (r.path().to_owned(), r.text().to_owned()))
                        .collect::<Vec<_>>()
                },
                |texts| {
                    let mut loaded = LoadedRules::default();
                    loaded.add_texts(texts);
                    loaded
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = startup
}
criterion_main!(benches);
