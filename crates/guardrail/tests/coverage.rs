//! `docs/coverage.md`: which Checkov checks the built-in rules cover, generated and checked.
//!
//! The page is generated from three sources and nothing else:
//! - the built-in rules' `references` (`checkov`, `trivy`, `guard`), read through the
//!   library ([`guardrail::rules::builtin::builtin`]);
//! - the coverage decisions in `rules/decisions/*.toml`: the Checkov ids that no rule
//!   references, each with why (obsolete, a duplicate of another id, not a security property,
//!   not decidable from source);
//! - Checkov's list of checks, `crates/guardrail/data/checkov-checks.csv` (Checkov 3.3.30).
//!
//! The test fails when the committed page differs from the generated one, and says how to
//! refresh it: `GUARDRAIL_UPDATE_COVERAGE=1 cargo test -p guardrail-iac --test coverage`. It
//! also fails on a decision about an id that is not in Checkov's list, a decision about an id
//! that a rule references (the rule decides it), the same id decided twice, and a rule that
//! references a Checkov id that is not in the list (a typo, or a check Checkov removed).
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use guardrail::render::rules::marked_title;
use guardrail::rules::builtin::builtin;
use guardrail::rules::model::Rule;

const ROOT: &str = "../..";
const PAGE: &str = "docs/coverage.md";
const CSV: &str = "crates/guardrail/data/checkov-checks.csv";
const DECISIONS: &str = "rules/decisions";
const REFRESH: &str = "GUARDRAIL_UPDATE_COVERAGE=1 cargo test -p guardrail-iac --test coverage";

/// One Checkov id, merged over its rows (one per framework).
#[derive(Debug, Default)]
struct Check {
    provider: String,
    title: String,
    frameworks: BTreeSet<String>,
    /// Resource types, in Checkov's order, without repeats.
    entities: Vec<String>,
}

/// One decision of `rules/decisions/*.toml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    checkov: String,
    decision: String,
    #[serde(default)]
    of: Option<String>,
    reason: String,
    /// The file it came from (set after reading).
    #[serde(skip)]
    file: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionFile {
    #[serde(default)]
    decision: Vec<Decision>,
}

const KINDS: [&str; 4] = ["obsolete", "duplicate", "not-security", "undecidable"];

/// The providers the page covers: Checkov's provider name, the heading, the rule-id prefix.
const PROVIDERS: [(&str, &str, &str); 2] = [("aws", "AWS", "AWS-"), ("k8s", "Kubernetes", "K8S-")];

/// AWS pack 2 (issue 13): data stores, identity, keys and secrets, logging and monitoring,
/// messaging, and the provider block. Terraform resource-type prefixes.
const PACK2_TERRAFORM: &[&str] = &[
    "aws_s3_",
    "aws_s3control_",
    "aws_s3outposts_",
    "aws_db_",
    "aws_rds_",
    "aws_docdb",
    "aws_neptune_",
    "aws_redshift",
    "aws_elasticache_",
    "aws_memorydb_",
    "aws_dax_",
    "aws_dynamodb_",
    "aws_keyspaces_",
    "aws_qldb_",
    "aws_timestream",
    "aws_elasticsearch_",
    "aws_opensearch",
    "aws_cloudsearch_",
    "aws_efs_",
    "aws_fsx_",
    "aws_ebs_",
    "aws_snapshot_create_volume_permission",
    "aws_dlm_",
    "aws_backup_",
    "aws_glacier_",
    "aws_glue_",
    "aws_athena_",
    "aws_kinesis",
    "aws_msk_",
    "aws_mskconnect_",
    "aws_mq_",
    "aws_sqs_",
    "aws_sns_",
    "aws_ses_",
    "aws_sesv2_",
    "aws_iam_",
    "aws_ssoadmin_",
    "aws_kms_",
    "aws_acm_",
    "aws_secretsmanager_",
    "aws_ssm_",
    "aws_cognito_",
    "aws_cloudtrail",
    "aws_cloudwatch_log_",
    "aws_cloudwatch_metric_",
    "aws_cloudwatch_composite_alarm",
    "aws_config_",
    "aws_guardduty_",
    "aws_cloudformation_",
    "data.aws_iam_",
];

/// The same for CloudFormation: `AWS::<service>::` names.
const PACK2_CLOUDFORMATION: &[&str] = &[
    "S3",
    "S3Express",
    "S3ObjectLambda",
    "RDS",
    "DocDB",
    "DocDBElastic",
    "Neptune",
    "Redshift",
    "RedshiftServerless",
    "ElastiCache",
    "MemoryDB",
    "DAX",
    "DynamoDB",
    "Cassandra",
    "QLDB",
    "Timestream",
    "Elasticsearch",
    "OpenSearchService",
    "CloudSearch",
    "EFS",
    "FSx",
    "DLM",
    "Backup",
    "Glacier",
    "Glue",
    "Athena",
    "Kinesis",
    "KinesisFirehose",
    "KinesisVideo",
    "MSK",
    "AmazonMQ",
    "SQS",
    "SNS",
    "SES",
    "IAM",
    "SSO",
    "KMS",
    "CertificateManager",
    "SecretsManager",
    "SSM",
    "Cognito",
    "CloudTrail",
    "CloudWatch",
    "Logs",
    "Config",
    "GuardDuty",
    "CloudFormation",
];

/// Whether one resource type falls in AWS pack 2.
fn pack2_entity(entity: &str) -> bool {
    if let Some(rest) = entity.strip_prefix("AWS::") {
        let service = rest.split("::").next().unwrap_or("");
        return PACK2_CLOUDFORMATION.contains(&service)
            || matches!(entity, "AWS::EC2::Volume" | "AWS::EC2::Snapshot");
    }
    // `aws` alone is the provider block (hard-coded credentials).
    entity == "aws"
        || entity == "aws_volume_attachment"
        || PACK2_TERRAFORM.iter().any(|p| entity.starts_with(p))
}

/// The scope of an AWS id: the pack most of its resource types fall in (the first one's pack
/// on a tie).
fn aws_scope(check: &Check) -> &'static str {
    let pack2 = check.entities.iter().filter(|e| pack2_entity(e)).count();
    let pack1 = check.entities.len() - pack2;
    let first_is_pack2 = check.entities.first().is_some_and(|e| pack2_entity(e));
    if pack2 > pack1 || (pack2 == pack1 && first_is_pack2) {
        "pack 2"
    } else {
        "pack 1"
    }
}

/// Splits one CSV line into fields (quoted fields with `""` escapes).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

fn checks() -> BTreeMap<String, Check> {
    let text = std::fs::read_to_string(Path::new(ROOT).join(CSV)).expect(CSV);
    let mut checks: BTreeMap<String, Check> = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields = csv_fields(line);
        assert_eq!(fields.len(), 7, "{CSV}: not 7 fields: {line}");
        let check = checks.entry(fields[0].clone()).or_default();
        check.provider.clone_from(&fields[1]);
        if check.title.is_empty() {
            check.title.clone_from(&fields[4]);
        }
        check.frameworks.insert(fields[2].clone());
        for entity in fields[5].split_whitespace() {
            if !check.entities.iter().any(|e| e == entity) {
                check.entities.push(entity.to_owned());
            }
        }
    }
    checks
}

fn decisions() -> Vec<Decision> {
    let dir = Path::new(ROOT).join(DECISIONS);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    let mut all = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("decision file");
        let name = format!(
            "{DECISIONS}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let file: DecisionFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{name} does not read: {e}"));
        for mut d in file.decision {
            d.file.clone_from(&name);
            all.push(d);
        }
    }
    all.sort_by_key(|d| id_order(&d.checkov));
    all
}

/// Checkov ids in numeric order: `CKV_AWS_2` before `CKV_AWS_10`, `CKV_AWS_*` before
/// `CKV2_AWS_*`.
fn id_order(id: &str) -> (String, u64, String) {
    let (prefix, number) = id.rsplit_once('_').unwrap_or((id, ""));
    let prefix = prefix.replace("CKV2", "CKV~");
    (prefix, number.parse().unwrap_or(u64::MAX), id.to_owned())
}

fn sorted_ids<'a>(ids: impl IntoIterator<Item = &'a String>) -> Vec<&'a String> {
    let mut ids: Vec<&String> = ids.into_iter().collect();
    ids.sort_by_key(|id| id_order(id));
    ids.dedup();
    ids
}

fn refs<'a>(rule: &'a Rule, tool: &str) -> Vec<&'a String> {
    sorted_ids(rule.references.get(tool).into_iter().flatten())
}

fn joined(ids: &[&String]) -> String {
    if ids.is_empty() {
        "—".to_owned()
    } else {
        ids.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn percent(part: usize, whole: usize) -> String {
    // One decimal, rounded half up, in integers so the page is the same everywhere.
    match (part * 1000 + whole / 2).checked_div(whole) {
        Some(tenths) => format!("{}.{}%", tenths / 10, tenths % 10),
        None => "—".to_owned(),
    }
}

/// The page, and the problems that make the inputs inconsistent.
fn generate() -> (String, Vec<String>) {
    let loaded = builtin();
    assert!(loaded.diagnostics.is_empty(), "built-in rules do not load");
    let mut rules: Vec<&Rule> = loaded.rules.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let checks = checks();
    let decisions = decisions();
    let mut problems = Vec::new();

    // Checkov id → the rules that reference it.
    let mut referenced: BTreeMap<&String, Vec<&str>> = BTreeMap::new();
    // Checkov id → whether every rule that references it is opt-in.
    let mut only_opt_in: BTreeMap<&String, bool> = BTreeMap::new();
    for rule in &rules {
        for id in refs(rule, "checkov") {
            *only_opt_in.entry(id).or_insert(true) &= rule.opt_in;
        }
        for id in refs(rule, "checkov") {
            referenced.entry(id).or_default().push(&rule.id);
            let family = |id: &str| id.rsplit_once('_').map(|(f, _)| f.to_owned());
            // Only the families of the providers the page covers (Checkov 3.3.30 has
            // `CKV_TF_1` and `CKV_TF_2`, not the newer `CKV_TF_3`).
            let listed_family = checks.iter().any(|(k, c)| {
                PROVIDERS.iter().any(|(p, _, _)| *p == c.provider) && family(k) == family(id)
            });
            if listed_family && !checks.contains_key(id) {
                problems.push(format!(
                    "{}: references {id}, which is not in Checkov's list ({CSV})",
                    rule.id
                ));
            }
        }
    }
    let mut decided: BTreeMap<&String, &Decision> = BTreeMap::new();
    for d in &decisions {
        if !checks.contains_key(&d.checkov) {
            problems.push(format!(
                "{}: a decision about {}, which is not in Checkov's list ({CSV})",
                d.file, d.checkov
            ));
        }
        if let Some(by) = referenced.get(&d.checkov) {
            problems.push(format!(
                "{}: a decision about {}, which {} references: drop the decision",
                d.file,
                d.checkov,
                by.join(", ")
            ));
        }
        if !KINDS.contains(&d.decision.as_str()) {
            problems.push(format!(
                "{}: {}: decision `{}` is none of {}",
                d.file,
                d.checkov,
                d.decision,
                KINDS.join(", ")
            ));
        }
        match (&d.of, d.decision == "duplicate") {
            (None, true) => problems.push(format!(
                "{}: {}: a duplicate says `of` which id it duplicates",
                d.file, d.checkov
            )),
            (Some(_), false) => problems.push(format!(
                "{}: {}: `of` is only for a duplicate",
                d.file, d.checkov
            )),
            (Some(of), true) if !checks.contains_key(of) => problems.push(format!(
                "{}: {}: duplicate of {of}, which is not in Checkov's list",
                d.file, d.checkov
            )),
            _ => {}
        }
        if d.reason.trim().len() < 10 {
            problems.push(format!("{}: {}: no reason", d.file, d.checkov));
        }
        if let Some(previous) = decided.insert(&d.checkov, d) {
            problems.push(format!(
                "{} decided twice ({} and {})",
                d.checkov, previous.file, d.file
            ));
        }
    }

    let mut page = String::new();
    let w = &mut page;
    writeln!(w, "# Coverage of Checkov's checks\n").unwrap();
    writeln!(
        w,
        "<!-- Generated by crates/guardrail/tests/coverage.rs: do not edit. Refresh with\n     {REFRESH} -->\n"
    )
    .unwrap();
    writeln!(
        w,
        "Which of Checkov's check ids (Checkov 3.3.30, `{CSV}`) the built-in rules cover. An id is\n\
         **referenced** when a rule's `references.checkov` names it: the rule judges the same risk\n\
         (its rationale says where it deliberately judges differently). An id no rule references\n\
         is **decided** when `{DECISIONS}/*.toml` says why it has no rule (obsolete since an AWS\n\
         default changed, a duplicate of another id, not a security property, not decidable from\n\
         source), and **open** otherwise. An **opt-in** rule (marked so) runs only when a scan\n\
         names it by its id or a Checkov id it references: a sound control that is a policy\n\
         choice, such as S3 Object Lock; the summary counts the ids only such rules reference.\n\
         The rule tables also list each rule's Trivy (AVD) ids and AWS Guard registry rules.\n\
         AWS ids are split by the rule pack whose services most of their resource types belong\n\
         to (pack 1: networking, edge, compute, containers, serverless, ML, delivery; pack 2:\n\
         data stores, identity, keys and secrets, logging and monitoring, messaging, the\n\
         provider block).\n"
    )
    .unwrap();

    // Summary.
    writeln!(w, "## Summary\n").unwrap();
    writeln!(
        w,
        "| provider | scope | Checkov ids | referenced by rules | decided | open |\n|---|---|---:|---:|---:|---:|"
    )
    .unwrap();
    let scope_of = |check: &Check| -> &'static str {
        if check.provider == "aws" {
            aws_scope(check)
        } else {
            "all"
        }
    };
    for (provider, heading, _) in PROVIDERS {
        let ids: Vec<(&String, &Check)> = checks
            .iter()
            .filter(|(_, c)| c.provider == provider)
            .collect();
        let mut scopes: Vec<&str> = ids.iter().map(|(_, c)| scope_of(c)).collect();
        scopes.sort_unstable();
        scopes.dedup();
        if scopes.len() > 1 {
            scopes.push("all");
        }
        for scope in scopes {
            let in_scope: Vec<&String> = ids
                .iter()
                .filter(|(_, c)| scope == "all" || scope_of(c) == scope)
                .map(|(id, _)| *id)
                .collect();
            let total = in_scope.len();
            let by_rules = in_scope
                .iter()
                .filter(|id| referenced.contains_key(*id))
                .count();
            let by_decision = in_scope
                .iter()
                .filter(|id| decided.contains_key(*id))
                .count();
            let by_opt_in = in_scope
                .iter()
                .filter(|id| only_opt_in.get(*id) == Some(&true))
                .count();
            let open = total - by_rules - by_decision;
            let opt_in_note = if by_opt_in > 0 {
                format!(", {by_opt_in} opt-in")
            } else {
                String::new()
            };
            writeln!(
                w,
                "| {heading} | {scope} | {total} | {by_rules} ({}{opt_in_note}) | {by_decision} ({}) | {open} ({}) |",
                percent(by_rules, total),
                percent(by_decision, total),
                percent(open, total)
            )
            .unwrap();
        }
    }
    writeln!(w).unwrap();

    for (provider, heading, prefix) in PROVIDERS {
        let is_provider = |id: &String| checks.get(id).is_some_and(|c| c.provider == provider);
        writeln!(w, "## {heading}\n").unwrap();

        writeln!(w, "### Rules\n").unwrap();
        writeln!(
            w,
            "| rule | severity | title | Checkov | Trivy | Guard |\n|---|---|---|---|---|---|"
        )
        .unwrap();
        for rule in rules
            .iter()
            .filter(|r| r.id.starts_with(prefix) || refs(r, "checkov").into_iter().any(is_provider))
        {
            writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} |",
                rule.id,
                rule.severity.name(),
                cell(&marked_title(rule)),
                joined(&refs(rule, "checkov")),
                joined(&refs(rule, "trivy")),
                joined(&refs(rule, "guard")),
            )
            .unwrap();
        }
        writeln!(w).unwrap();

        writeln!(w, "### Decisions\n").unwrap();
        let mine: Vec<&&Decision> = decided
            .values()
            .filter(|d| is_provider(&d.checkov))
            .collect();
        if mine.is_empty() {
            writeln!(w, "None yet.\n").unwrap();
        } else {
            writeln!(
                w,
                "| Checkov id | Checkov title | decision | reason |\n|---|---|---|---|"
            )
            .unwrap();
            let mut mine = mine;
            mine.sort_by_key(|d| id_order(&d.checkov));
            for d in mine {
                let title = checks.get(&d.checkov).map_or("", |c| c.title.as_str());
                let decision = match &d.of {
                    Some(of) => format!("{} of `{of}`", d.decision),
                    None => d.decision.clone(),
                };
                writeln!(
                    w,
                    "| `{}` | {} | {decision} | {} |",
                    d.checkov,
                    cell(title),
                    cell(&d.reason)
                )
                .unwrap();
            }
            writeln!(w).unwrap();
        }

        writeln!(w, "### Open\n").unwrap();
        let open: Vec<&String> = sorted_ids(
            checks
                .iter()
                .filter(|(id, c)| {
                    c.provider == provider
                        && !referenced.contains_key(id)
                        && !decided.contains_key(id)
                })
                .map(|(id, _)| id),
        );
        if open.is_empty() {
            writeln!(w, "None.\n").unwrap();
        } else {
            writeln!(
                w,
                "Neither referenced by a rule nor decided.\n\n| Checkov id | scope | Checkov title | resource types |\n|---|---|---|---|"
            )
            .unwrap();
            for id in open {
                let check = &checks[id];
                let types: Vec<&str> = check.entities.iter().map(String::as_str).take(4).collect();
                let more = check.entities.len().saturating_sub(4);
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                writeln!(
                    w,
                    "| `{id}` | {} | {} | {}{more} |",
                    scope_of(check),
                    cell(&check.title),
                    types
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
                .unwrap();
            }
            writeln!(w).unwrap();
        }
    }
    (page, problems)
}

#[test]
fn coverage_page_is_current_and_decisions_are_consistent() {
    let (page, problems) = generate();
    let path = Path::new(ROOT).join(PAGE);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let update = std::env::var_os("GUARDRAIL_UPDATE_COVERAGE").is_some();
    if update && committed != page {
        std::fs::write(&path, &page).expect(PAGE);
    }
    assert!(
        problems.is_empty(),
        "coverage decisions or references are inconsistent:\n  {}",
        problems.join("\n  ")
    );
    assert!(
        update || committed == page,
        "{PAGE} is stale: the rules' references, {DECISIONS}/*.toml or {CSV} changed. Refresh it with\n  {REFRESH}\nand commit the result."
    );
}
