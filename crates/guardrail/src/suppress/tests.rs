//! The suppression stage end to end, and the comments it reads as the parsers find them.

use super::*;
use crate::Scanner;
use crate::parse::comment::{Comment, CommentKind};
use crate::parse::{hcl, yaml};
use crate::source::{Format, SourceFiles};
use crate::suppress::place::{LineKind, Lines};

/// A line comment as the stage sees it.
struct Seen<'t> {
    /// 0-based line index.
    line: usize,
    /// The text after the marker.
    body: &'t str,
    /// Whether code precedes it on its line.
    trailing: bool,
}

/// Every line's kind and every line comment of `text`, parsed as `format`.
fn comments(text: &str, format: Format) -> (Vec<LineKind>, Vec<Seen<'_>>) {
    let mut files = SourceFiles::default();
    let id = files.add("test".into(), text.to_owned(), format);
    let file = files.get(id).expect("file");
    let parsed: Vec<Comment> = match format {
        Format::Hcl => hcl::comments(file, &hcl::parse(file).expect("HCL parses")),
        _ => {
            let parsed = yaml::parse(file);
            assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
            parsed.comments
        }
    };
    let lines = Lines {
        file,
        comments: &parsed,
    };
    let kinds = (1..=file.lines.line_count() as u32)
        .map(|l| lines.kind(l))
        .collect();
    let seen = parsed
        .iter()
        .filter(|c| c.kind == CommentKind::Line)
        .map(|c| {
            let (start, end) = (c.span.start as usize, c.span.end as usize);
            Seen {
                line: file.line_col(c.span.start).line as usize - 1,
                body: text.get(end - c.text.len()..end).unwrap_or(""),
                trailing: lines.code_before(start),
            }
        })
        .collect();
    (kinds, seen)
}

/// `(line, body, trailing)` of every comment.
fn found(text: &str, format: Format) -> Vec<(usize, &str, bool)> {
    comments(text, format)
        .1
        .into_iter()
        .map(|c| (c.line + 1, c.body.trim(), c.trailing))
        .collect()
}

#[test]
fn yaml_comments_skip_quotes_and_block_scalars() {
    let text = r#"# top
a: "x # not" # one
b: 'it''s # not' # two
c: http://host/#frag
d: |
  # not: block scalar content
    # still content
e: x # three
list:
  - |-
    # content
  - key: >
      # content
    other: 1 # four
  - k: [a, "b # not", 'c'] # five
f: !Sub "${A} # not" # six
g: "multi
  line # not
  end" # seven
--- # eight
"#;
    assert_eq!(
        found(text, Format::Yaml),
        [
            (1, "top", false),
            (2, "one", true),
            (3, "two", true),
            (8, "three", true),
            (14, "four", true),
            (15, "five", true),
            (16, "six", true),
            (19, "seven", true),
            (20, "eight", false),
        ]
    );
    let (kinds, _) = comments(text, Format::Yaml);
    assert_eq!(kinds.first(), Some(&LineKind::Comment));
    assert_eq!(kinds.get(5), Some(&LineKind::Code)); // block scalar content
    assert_eq!(kinds.get(19), Some(&LineKind::Comment)); // `---`
}

#[test]
fn hcl_comments_skip_strings_templates_and_heredocs() {
    let text = r##"# one
// two
a = "x # not" # three
b = "${lookup(var.m, "#")} // not" // four
c = "$${not} # not" /* not */ # five
policy = <<-EOT
  # not: heredoc
  EOT
d = 1 /* # not
  # not either
*/ # six
e = "\" # not" # seven
"##;
    assert_eq!(
        found(text, Format::Hcl),
        [
            (1, "one", false),
            (2, "two", false),
            (3, "three", true),
            (4, "four", true),
            (5, "five", true),
            (11, "six", false),
            (12, "seven", true),
        ]
    );
    let (kinds, _) = comments(text, Format::Hcl);
    assert_eq!(kinds.get(6), Some(&LineKind::Code)); // heredoc content
    assert_eq!(kinds.get(9), Some(&LineKind::Comment)); // inside /* */
    assert!(found("{\"a\": \"# x\"}", Format::Json).is_empty());
}

/// Scans files written to a temporary directory; returns `rule line suppression-kind`
/// for the findings of the rules named, and the report.
fn scan(files: &[(&str, &str)], rules: &[&str]) -> (Vec<String>, Report) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
    let scanner = Scanner::builtin().expect("built-in rules");
    let report = scanner.scan(&[dir.path().to_path_buf()]).report;
    let lines = report
        .findings
        .iter()
        .filter(|f| rules.iter().any(|r| f.rule_id.starts_with(r)))
        .map(|f| {
            let kind = f.suppression.as_ref().map_or("-".to_owned(), |s| {
                format!("{:?}:{}", s.kind, s.reason.as_deref().unwrap_or("?"))
            });
            format!("{} {} {} {kind}", f.rule_id, f.resource, f.start.line)
        })
        .collect();
    (lines, report)
}

/// The rules these tests suppress, and the suppression audit (other RDS rules also fail `DB`,
/// but are not what the tests are about).
const SUPPRESSED_RULES: &[&str] = &[
    "AWS-RDS-001",
    "AWS-RDS-002",
    "AWS-RDS-003",
    "AWS-RDS-004",
    "GEN",
];

const DB: &str = r#"resource "aws_db_instance" "db" {
  engine              = "postgres"
  storage_encrypted   = false
  publicly_accessible = true
}
"#;

#[test]
fn a_comment_above_a_resource_covers_it_and_one_above_an_attribute_covers_its_line() {
    let tf = format!(
        "# guardrail:ignore AWS-RDS-001, AWS-RDS-003 -- being migrated\n{}",
        DB.replace(
            "  publicly_accessible",
            "  # guardrail:ignore AWS-RDS-002, AWS-RDS-004 -- behind a proxy\n  publicly_accessible"
        )
    );
    let (lines, report) = scan(&[("main.tf", &tf)], SUPPRESSED_RULES);
    assert_eq!(
        lines,
        [
            "AWS-RDS-003 aws_db_instance.db 2 Comment:being migrated",
            "AWS-RDS-004 aws_db_instance.db 2 -",
            "AWS-RDS-001 aws_db_instance.db 4 Comment:being migrated",
            "GEN-SUPPRESS-002 aws_db_instance.db 5 -",
            "AWS-RDS-002 aws_db_instance.db 6 Comment:behind a proxy",
        ]
    );
    assert!(report.findings.iter().any(|f| f.message
        == "AWS-RDS-004 has no finding at line 6 to suppress (above a resource's first \
                line a suppression covers the whole resource)"));
    assert_eq!(report.summary().suppressed, 3);
    assert!(
        report
            .failing(&crate::report::Gate::default())
            .all(|f| f.suppression.is_none())
    );
}

#[test]
fn trailing_comments_and_stacked_comments_and_blank_lines() {
    let tf = r#"# guardrail:ignore AWS-RDS-004 -- stacked
# another comment
resource "aws_db_instance" "db" { # guardrail:ignore AWS-RDS-003 -- resource line
  engine              = "postgres"
  storage_encrypted   = false # guardrail:ignore AWS-RDS-001 -- attribute line
  # guardrail:ignore AWS-RDS-002 -- too far

  publicly_accessible = true
}
"#;
    let (lines, report) = scan(&[("main.tf", tf)], SUPPRESSED_RULES);
    assert_eq!(
        lines,
        [
            "AWS-RDS-003 aws_db_instance.db 3 Comment:resource line",
            "AWS-RDS-004 aws_db_instance.db 3 Comment:stacked",
            "AWS-RDS-001 aws_db_instance.db 5 Comment:attribute line",
            "GEN-SUPPRESS-002 aws_db_instance.db 6 -",
            "AWS-RDS-002 aws_db_instance.db 8 -",
        ]
    );
    assert!(report.findings.iter().any(|f| f.message
        == "the `guardrail:ignore` comment is not directly above a line (a blank line or \
                the end of the file follows it), so AWS-RDS-002 is suppressed nowhere"));
}

#[test]
fn the_same_address_in_two_modules_is_two_resources() {
    let suppressed = format!("# guardrail:ignore AWS-RDS-001 -- module a only\n{DB}");
    let (lines, _) = scan(
        &[("a/main.tf", &suppressed), ("b/main.tf", DB)],
        &["AWS-RDS-001"],
    );
    assert_eq!(
        lines,
        [
            "AWS-RDS-001 aws_db_instance.db 4 Comment:module a only",
            "AWS-RDS-001 aws_db_instance.db 3 -",
        ]
    );
}

#[test]
fn checkov_skips_cover_the_resource_they_are_in_and_map_through_references() {
    let tf = DB.replace(
        "  engine",
        "  #checkov:skip=CKV_AWS_16:encrypted by the storage layer\n  \
                 # checkov:skip=CKV_AWS_17\n  # checkov:skip=CKV_AWS_999:not ours\n  engine",
    );
    let (lines, report) = scan(&[("main.tf", &tf)], &["AWS-RDS-001", "AWS-RDS-002", "GEN"]);
    assert_eq!(
        lines,
        [
            "GEN-SUPPRESS-001 aws_db_instance.db 3 -",
            "AWS-RDS-001 aws_db_instance.db 6 Checkov:encrypted by the storage layer",
            "AWS-RDS-002 aws_db_instance.db 7 Checkov:?",
        ]
    );
    let no_reason = report
        .findings
        .iter()
        .find(|f| f.rule_id == NO_REASON)
        .map(|f| f.message.as_str());
    assert_eq!(
        no_reason,
        Some(
            "`checkov:skip=CKV_AWS_17` gives no reason, yet it silences AWS-RDS-002 here: \
                 write it after `:` (`checkov:skip=ID:reason`)"
        )
    );
}

#[test]
fn cloudformation_comments_and_metadata() {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # guardrail:ignore AWS-S3-007 -- a cache
  Cache:
    Type: AWS::S3::Bucket
  Logs:
    # guardrail:ignore AWS-S3-008 -- between the id and Type
    Type: AWS::S3::Bucket
    Metadata:
      guardrail:
        ignore:
          - id: AWS-S3-007
            reason: write-once logs
          - AWS-S3-999
  Bad:
    Type: AWS::S3::Bucket
    Metadata:
      guardrail:
        ignore: AWS-S3-007
"#;
    let (lines, report) = scan(
        &[("template.yaml", template)],
        &["AWS-S3-007", "AWS-S3-008", "GEN"],
    );
    let lines: Vec<String> = lines
        .iter()
        .map(|l| {
            l.split_once('#')
                .map_or(l.clone(), |(_, rest)| rest.to_owned())
        })
        .collect();
    assert_eq!(
        lines,
        [
            "Cache 4 Comment:a cache",
            "Cache 4 -",
            "Logs 6 Metadata:write-once logs",
            "Logs 6 Comment:between the id and Type",
            "Logs 14 -",
            "Logs 14 -",
            "Bad 15 -",
            "Bad 15 -",
            "Bad 19 -",
        ]
    );
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule_id.starts_with("GEN-"))
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "this `Metadata.guardrail.ignore` entry silencing AWS-S3-999 gives no reason: \
                 add `reason: …` to the entry",
            "`AWS-S3-999` is not a known rule id, so it suppresses nothing",
            "`Metadata.guardrail.ignore` is not a list: write \
                 `guardrail: { ignore: [ { id: RULE-ID, reason: why } ] }`",
        ]
    );
}

#[test]
fn kubernetes_annotations_and_comments_above_documents() {
    let manifests = r#"apiVersion: v1
kind: Pod
metadata:
  name: a
  annotations:
    guardrail.dev/ignore: "K8S-POD-003, K8S-POD-016 -- vendor image"
spec:
  containers: [{name: a, image: "nginx:1.25"}]
---
# guardrail:ignore K8S-POD-003 -- stacked above a document
apiVersion: v1
kind: Pod
metadata:
  name: b
  annotations:
    guardrail.dev/ignore: ["K8S-POD-016"]
spec:
  containers: [{name: b, image: "nginx:1.25"}]
"#;
    let (lines, report) = scan(
        &[("pods.yaml", manifests)],
        &["K8S-POD-003", "K8S-POD-016", "GEN"],
    );
    assert_eq!(
        lines,
        [
            "K8S-POD-003 Pod/default/a 4 Annotation:vendor image",
            "K8S-POD-016 Pod/default/a 4 Annotation:vendor image",
            "K8S-POD-003 Pod/default/b 14 Comment:stacked above a document",
            "K8S-POD-016 Pod/default/b 14 -",
            "GEN-SUPPRESS-002 Pod/default/b 16 -",
        ]
    );
    assert!(report.findings.iter().any(|f| {
        f.message
            .starts_with("the `guardrail.dev/ignore` annotation is a list, not a string")
    }));
}

#[test]
fn without_the_meta_rules_wrong_suppressions_are_not_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("main.tf");
    std::fs::write(
        &path,
        format!("# guardrail:ignore AWS-RDS-001, NOPE-001\n{DB}"),
    )
    .expect("write");
    // The audit's rules are built-in rule files now: leave them out.
    let rules = builtin()
        .rules
        .iter()
        .filter(|r| !is_meta_rule(&r.id))
        .cloned()
        .collect();
    let report = Scanner::new(rules).scan(&[path]).report;
    assert!(
        report
            .findings
            .iter()
            .all(|f| !f.rule_id.starts_with("GEN-SUPPRESS"))
    );
    assert_eq!(report.summary().suppressed, 1);
}

#[test]
fn meta_rules_name_controls_of_the_catalog() {
    assert_eq!(meta_rules().len(), audit::RULES.len());
    for rule in meta_rules() {
        assert!(rule.bindings.is_empty());
        assert_eq!(
            rule.reported_by,
            Some(crate::rules::model::ReportedBy::SuppressionAudit)
        );
        for id in &rule.nist {
            let control = crate::rules::catalog::control(id);
            assert!(control.is_some_and(|c| !c.withdrawn), "{}: {id}", rule.id);
        }
    }
    assert!(is_meta_rule("gen-suppress-001"));
}

/// Regression: the old line tokenizer took every line indented deeper than a block scalar's
/// key for its content, so a comment indented less than the content (which YAML ends the
/// scalar at) was not read, and suppressed nothing. The parser reads it as a comment.
#[test]
fn a_comment_after_a_block_scalar_indented_less_than_its_content_is_a_comment() {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Notes:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: |
          kept as written
        # guardrail:ignore AWS-S3-007 -- a cache, contents are reproducible
  Cache:
    Type: AWS::S3::Bucket
"#;
    let (lines, _) = scan(&[("template.yaml", template)], &["AWS-S3-007", "GEN"]);
    let lines = by_logical_id(&lines);
    assert_eq!(
        lines,
        ["Cache 10 Comment:a cache, contents are reproducible"]
    );
    let (kinds, comments) = comments(template, Format::Yaml);
    assert_eq!(kinds.get(8), Some(&LineKind::Comment));
    assert_eq!(
        comments
            .iter()
            .map(|c| (c.line + 1, c.trailing))
            .collect::<Vec<_>>(),
        [(9, false)]
    );
}

/// Regression: the old line tokenizer took a quote that starts a plain scalar's continuation
/// line for an opening quote, and read every comment after it, up to the next quote in the
/// file, as string content. In YAML that line continues the plain scalar.
#[test]
fn a_quote_in_a_plain_scalar_continuation_does_not_hide_comments() {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: the cache of the reports service;
  'tis rebuilt every night
Resources:
  # guardrail:ignore AWS-S3-007 -- a cache, contents are reproducible
  Cache:
    Type: AWS::S3::Bucket
"#;
    let (lines, _) = scan(&[("template.yaml", template)], &["AWS-S3-007", "GEN"]);
    let lines = by_logical_id(&lines);
    assert_eq!(
        lines,
        ["Cache 6 Comment:a cache, contents are reproducible"]
    );
}

/// The lines of [`scan`] from the CloudFormation logical id on (the address before it names
/// the temporary directory).
fn by_logical_id(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .filter_map(|l| l.split_once('#').map(|(_, rest)| rest))
        .collect()
}
