//! Scan cost on a generated mixed corpus of 100, 1,000 and 10,000 resources: a third
//! CloudFormation, a third Terraform, a third Kubernetes, 50 resources a file, with
//! references between them so link resolution is exercised too.
//!
//! Four groups: `parse_and_graph` (discover → graph), `evaluate` (the built-in rule pack
//! over a graph built beforehand), `scan` (both), so evaluation's share of a scan can be
//! read off directly, and `threat_model` (the STRIDE model and the NIST view derived from a
//! scan done beforehand). A fifth, `terraform_modules`, scans a root module making 10 and
//! 100 calls of local modules whose resources have `count = 10` (graph, and whole scan), so
//! module instantiation can be seen to stay linear in the instances it makes.

// A bench that cannot set up its corpus has nothing to measure: stopping is right.
#![allow(clippy::expect_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use guardrail::Scanner;
use guardrail::evaluate::RulePack;
use guardrail::rules::builtin::builtin;
use guardrail::scan::{ScanOptions, build_graph};

const PER_FILE: usize = 50;

fn cloudformation(n: usize) -> String {
    let mut t = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for i in 0..n {
        let _ = write!(
            t,
            "  Key{i}:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: true\n\
             \x20 Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub bucket-${{AWS::AccountId}}-{i}\n\
             \x20     BucketEncryption:\n        ServerSideEncryptionConfiguration:\n          - ServerSideEncryptionByDefault:\n\
             \x20             SSEAlgorithm: aws:kms\n              KMSMasterKeyID: !GetAtt Key{i}.Arn\n"
        );
    }
    t
}

fn terraform(n: usize) -> String {
    let mut t = String::from("variable \"env\" {\n  default = \"prod\"\n}\n");
    for i in 0..n {
        let _ = write!(
            t,
            "resource \"aws_kms_key\" \"k{i}\" {{\n  enable_key_rotation = true\n}}\n\
             resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"b-${{var.env}}-{i}\"\n  tags = {{ key = aws_kms_key.k{i}.arn }}\n\
             \x20 versioning {{\n    enabled = true\n  }}\n}}\n"
        );
    }
    t
}

fn kubernetes(n: usize) -> String {
    let mut t = String::new();
    for i in 0..n {
        let _ = write!(
            t,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: bench\n\
             spec:\n  selector:\n    matchLabels: {{app: app{i}}}\n  template:\n    metadata:\n      labels: {{app: app{i}}}\n\
             \x20   spec:\n      serviceAccountName: sa\n      containers:\n        - name: c\n          image: nginx:1.27\n\
             \x20         envFrom: [{{secretRef: {{name: s{i}}}}}]\n\
             ---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc{i}\n  namespace: bench\nspec:\n  selector: {{app: app{i}}}\n"
        );
    }
    t
}

/// Writes a corpus of about `resources` resources under `dir`.
fn write_corpus(dir: &Path, resources: usize) -> std::io::Result<()> {
    // Each generator emits two resources per step.
    let steps_per_file = PER_FILE / 2;
    let files_per_framework = (resources / 3).div_ceil(PER_FILE).max(1);
    for f in 0..files_per_framework {
        std::fs::write(
            dir.join(format!("cfn{f}.yaml")),
            cloudformation(steps_per_file),
        )?;
        let module = dir.join(format!("tf{f}"));
        std::fs::create_dir_all(&module)?;
        std::fs::write(module.join("main.tf"), terraform(steps_per_file))?;
        std::fs::write(dir.join(format!("k8s{f}.yaml")), kubernetes(steps_per_file))?;
    }
    Ok(())
}

fn bench_scan(c: &mut Criterion) {
    let pack = RulePack::new(builtin().rules.clone());
    let scanner = Scanner::new(builtin().rules.clone());
    let sizes = [100usize, 1_000, 10_000];
    let corpora: Vec<(usize, tempfile::TempDir)> = sizes
        .iter()
        .map(|&n| {
            let dir = tempfile::tempdir().expect("temp dir");
            write_corpus(dir.path(), n).expect("corpus");
            (n, dir)
        })
        .collect();
    for (group_name, sample) in [("parse_and_graph", 10), ("evaluate", 10), ("scan", 10)] {
        let mut group = c.benchmark_group(group_name);
        group.sample_size(sample);
        for (n, dir) in &corpora {
            let paths: Vec<PathBuf> = vec![dir.path().to_path_buf()];
            let scan = build_graph(&paths, &ScanOptions::default());
            assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
            group.throughput(Throughput::Elements(scan.graph.len() as u64));
            let id = BenchmarkId::from_parameter(n);
            match group_name {
                "parse_and_graph" => group.bench_with_input(id, &paths, |b, paths| {
                    b.iter(|| build_graph(paths, &ScanOptions::default()));
                }),
                "evaluate" => group.bench_with_input(id, &scan, |b, scan| {
                    b.iter(|| pack.evaluate(&scan.graph));
                }),
                _ => group.bench_with_input(id, &paths, |b, paths| {
                    b.iter(|| scanner.scan(paths));
                }),
            };
        }
        group.finish();
    }
}

fn bench_views(c: &mut Criterion) {
    let catalog = guardrail::threat::ThreatCatalog::builtin().expect("threat tables");
    let mut group = c.benchmark_group("threat_model");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        let dir = tempfile::tempdir().expect("temp dir");
        write_corpus(dir.path(), n).expect("corpus");
        let mut settings = guardrail::Settings::default();
        settings.describe_every_rule = true;
        let scan = guardrail::Project::new([dir.path()])
            .with_settings(settings)
            .scan()
            .expect("scans");
        group.throughput(Throughput::Elements(scan.input.graph.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &scan, |b, scan| {
            b.iter(|| {
                let model =
                    guardrail::threat::ThreatModel::build(&scan.input, &scan.report, catalog);
                let view = guardrail::compliance::ComplianceView::build(
                    &scan.report,
                    &scan.input.files,
                    None,
                );
                (model.threats.len(), view.controls.len())
            });
        });
    }
    group.finish();
}

/// A root module with `calls` module calls, each of a local module (five modules, used in
/// turn) with two resources of `count = 10` reading the call's arguments.
fn write_module_tree(dir: &Path, calls: usize) -> std::io::Result<()> {
    let mut root = String::new();
    for i in 0..calls {
        let _ = writeln!(
            root,
            "module \"m{i}\" {{\n  source = \"./modules/m{}\"\n  name   = \"app-{i}\"\n  retention = {}\n}}\n",
            i % 5,
            30 * (i % 3)
        );
    }
    std::fs::write(dir.join("main.tf"), root)?;
    for m in 0..5 {
        let module = dir.join(format!("modules/m{m}"));
        std::fs::create_dir_all(&module)?;
        std::fs::write(
            module.join("main.tf"),
            "variable \"name\" {}\nvariable \"retention\" { default = null }\n\
             resource \"aws_s3_bucket\" \"b\" {\n  count  = 10\n  bucket = \"${var.name}-${count.index}\"\n}\n\
             resource \"aws_cloudwatch_log_group\" \"g\" {\n  count = 10\n  name = \"/app/${var.name}/${count.index}\"\n  retention_in_days = var.retention\n}\n\
             output \"ids\" { value = aws_s3_bucket.b[*].id }\n",
        )?;
    }
    Ok(())
}

fn bench_modules(c: &mut Criterion) {
    let scanner = Scanner::new(builtin().rules.clone());
    let mut group = c.benchmark_group("terraform_modules");
    group.sample_size(10);
    for calls in [10usize, 100] {
        let dir = tempfile::tempdir().expect("temp dir");
        write_module_tree(dir.path(), calls).expect("module tree");
        let paths = vec![dir.path().to_path_buf()];
        let scan = build_graph(&paths, &ScanOptions::default());
        assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
        let instances = scan
            .graph
            .iter()
            .filter(|(_, r)| r.address.contains("[9]"))
            .count();
        assert_eq!(instances, calls * 2, "every call expands its counts");
        group.throughput(Throughput::Elements(scan.graph.len() as u64));
        group.bench_with_input(BenchmarkId::new("graph", calls), &paths, |b, paths| {
            b.iter(|| build_graph(paths, &ScanOptions::default()));
        });
        group.bench_with_input(BenchmarkId::new("scan", calls), &paths, |b, paths| {
            b.iter(|| scanner.scan(paths));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_scan, bench_views, bench_modules);
criterion_main!(benches);
