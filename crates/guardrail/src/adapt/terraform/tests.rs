//! Unit tests of the Terraform adapter: declarations, evaluation, links, diagnostics.

use serde_json::json;

use super::*;
use crate::graph::{Link, Target};
use crate::source::{Format, SourceFiles};
use crate::value::Provenance;

/// Parses `files` (`.tf` or `.tf.json` by name) as one module in `dir` and adapts it.
fn adapt(dir: &str, files: &[(&str, &str)]) -> (SourceFiles, Adapted) {
    let mut sources = SourceFiles::default();
    for (name, text) in files {
        let format = if name.ends_with(".tf.json") {
            Format::TerraformJson
        } else {
            Format::Hcl
        };
        sources.add((*name).into(), (*text).to_owned(), format);
    }
    let mut bodies = Vec::new();
    let mut roots = Vec::new();
    for file in sources.iter() {
        match file.format {
            Format::Hcl => match crate::parse::hcl::parse(file) {
                Ok(body) => bodies.push((file, body)),
                Err(e) => panic!("{} does not parse: {}", file.path.display(), e.message),
            },
            _ => {
                let parsed = crate::parse::yaml::parse(file);
                assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
                roots.push((file, parsed.documents));
            }
        }
    }
    let mut tf = Vec::new();
    for (file, body) in &bodies {
        tf.push(TerraformFile::Hcl { file, body });
    }
    for (file, docs) in &roots {
        if let [root] = docs.as_slice() {
            tf.push(TerraformFile::Json { file, root });
        }
    }
    let adapted = adapt_module(dir, &tf, ModuleVars::default());
    (sources, adapted)
}

fn one(text: &str) -> (SourceFiles, Adapted) {
    adapt(".", &[("main.tf", text)])
}

fn resource<'a>(adapted: &'a Adapted, address: &str) -> &'a (Resource, Vec<Link>) {
    match adapted.resources.iter().find(|(r, _)| r.address == address) {
        Some(found) => found,
        None => panic!(
            "no {address} in {:?}",
            adapted
                .resources
                .iter()
                .map(|(r, _)| &r.address)
                .collect::<Vec<_>>()
        ),
    }
}

fn attr<'a>(adapted: &'a Adapted, address: &str, path: &[&str]) -> &'a Node {
    match resource(adapted, address).0.attributes.at(path) {
        Some(node) => node,
        None => panic!("{address} has no {path:?}"),
    }
}

fn text(files: &SourceFiles, span: Span) -> &str {
    files.get(span.file).map_or("", |f| f.slice(span))
}

fn link_names(links: &[Link]) -> Vec<(EdgeKind, String)> {
    links
        .iter()
        .map(|l| {
            let name = match &l.target {
                Target::Name { name, .. } => name.clone(),
                Target::Scope { scope } => scope.clone(),
                Target::Selector { scope, .. } => scope.clone(),
            };
            (l.kind, name)
        })
        .collect()
}

fn codes(adapted: &Adapted) -> Vec<&'static str> {
    adapted.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn every_declaration_kind_becomes_a_node() {
    let (_, a) = one(r#"
resource "aws_s3_bucket" "b" {}
data "aws_caller_identity" "me" {}
module "net" { source = "./net" }
variable "region" {}
locals {
  x = 1
  y = 2
}
output "arn" { value = 1 }
provider "aws" {}
provider "aws" { alias = "west" }
terraform {
  required_version = ">= 1.5"
  backend "s3" { bucket = "state" }
}
"#);
    let got: Vec<(String, &str, NodeKind, &str)> = a
        .resources
        .iter()
        .map(|(r, _)| {
            (
                r.address.clone(),
                r.type_name.as_str(),
                r.kind,
                r.scope.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "aws_s3_bucket.b".into(),
                "aws_s3_bucket",
                NodeKind::Resource,
                "tf:."
            ),
            (
                "data.aws_caller_identity.me".into(),
                "aws_caller_identity",
                NodeKind::Data,
                "tf:."
            ),
            ("module.net".into(), "module", NodeKind::Module, "tf:."),
            ("var.region".into(), "variable", NodeKind::Variable, "tf:."),
            ("local.x".into(), "local", NodeKind::Local, "tf:."),
            ("local.y".into(), "local", NodeKind::Local, "tf:."),
            ("output.arn".into(), "output", NodeKind::Output, "tf:."),
            ("provider.aws".into(), "aws", NodeKind::Provider, "tf:."),
            (
                "provider.aws.west".into(),
                "aws",
                NodeKind::Provider,
                "tf:."
            ),
            (
                "terraform.backend.s3".into(),
                "s3",
                NodeKind::Backend,
                "tf:."
            ),
        ]
    );
    assert!(a.resources.iter().all(|(r, _)| r.local_name == r.address));
    // The module it calls is not part of this one-directory adaptation.
    let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        ["terraform::module-not-scanned"],
        "{:?}",
        a.diagnostics
    );
}

#[test]
fn spans_cover_the_block_and_name_the_label() {
    let (files, a) =
        one("locals {\n  tags = {}\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n");
    let (r, _) = resource(&a, "aws_s3_bucket.b");
    assert_eq!(text(&files, r.name_span), "\"b\"");
    assert!(text(&files, r.span).starts_with("resource \"aws_s3_bucket\""));
    assert!(text(&files, r.span).ends_with('}'));
    let (l, _) = resource(&a, "local.tags");
    assert_eq!(text(&files, l.name_span), "tags");
    assert_eq!(text(&files, l.span), "tags = {}");
    assert_eq!(l.attributes.to_json(), json!({"value": {}}));
}

#[test]
fn nested_blocks_are_lists_and_dynamic_blocks_are_marked() {
    let (files, a) = one(r#"
resource "aws_security_group" "sg" {
  name = "web"
  ingress { from_port = 443 }
  egress { to_port = 0 }
  ingress { from_port = 80 }
  dynamic "ingress" {
    for_each = var.rules
    iterator = rule
    content {
      from_port   = rule.value.port
      cidr_blocks = [var.cidr]
    }
  }
  versioning { enabled = true }
  provisioner "local-exec" { command = "echo" }
}
variable "cidr" { default = "10.0.0.0/8" }
"#);
    let attrs = &resource(&a, "aws_security_group.sg").0.attributes;
    assert_eq!(
        attrs.to_json(),
        json!({
            "name": "web",
            "ingress": [
                {"from_port": 443},
                {"from_port": 80},
                {"__dynamic": true, "from_port": {"$unknown": "rule.value.port"},
                 "cidr_blocks": ["10.0.0.0/8"]},
            ],
            "egress": [{"to_port": 0}],
            "versioning": [{"enabled": true}],
            "provisioner": [{"__labels": ["local-exec"], "command": "echo"}],
        })
    );
    let ingress = attr(&a, "aws_security_group.sg", &["ingress"]);
    assert_eq!(ingress.as_seq().map(<[Node]>::len), Some(3));
    let dynamic = ingress.as_seq().and_then(|s| s.get(2)).map(|n| n.span);
    assert!(dynamic.is_some_and(|s| text(&files, s).starts_with("dynamic \"ingress\"")));
    let (_, links) = resource(&a, "aws_security_group.sg");
    // `rule.value` is the iterator, not a resource.
    assert_eq!(
        link_names(links),
        [
            (EdgeKind::Reference, "var.rules".into()),
            (EdgeKind::Reference, "var.cidr".into())
        ]
    );
}

#[test]
fn a_variable_default_resolves_at_the_place_of_use() {
    let (files, a) = one(
        "variable \"enc\" {\n  default = true\n}\nresource \"aws_ebs_volume\" \"v\" {\n  encrypted = var.enc\n}\n",
    );
    let node = attr(&a, "aws_ebs_volume.v", &["encrypted"]);
    assert_eq!(node.value, Value::Bool(true));
    assert_eq!(text(&files, node.span), "var.enc");
    let Some(definition) = node.provenance.definition() else {
        panic!("not resolved: {:?}", node.provenance)
    };
    assert_eq!(text(&files, definition), "true");
    // The variable node keeps its default as written.
    let default = attr(&a, "var.enc", &["default"]);
    assert_eq!(default.provenance, Provenance::Explicit);
}

#[test]
fn locals_resolve_through_chains_of_locals_and_variables() {
    let (files, a) = adapt(
        ".",
        &[
            (
                "variables.tf",
                "variable \"prefix\" {\n  default = \"acme\"\n}\n",
            ),
            (
                "locals.tf",
                "locals {\n  name = \"${local.base}-logs\"\n  base = var.prefix\n  cfg = { port = 443, tags = { env = \"prod\" } }\n}\n",
            ),
            (
                "main.tf",
                "resource \"x\" \"y\" {\n  bucket = local.name\n  port = local.cfg.port\n  env = local.cfg.tags[\"env\"]\n  all = local.cfg\n  missing = local.cfg.nope\n}\n",
            ),
        ],
    );
    let bucket = attr(&a, "x.y", &["bucket"]);
    assert_eq!(bucket.as_str(), Some("acme-logs"));
    assert_eq!(text(&files, bucket.span), "local.name");
    // The literal that can change is the variable's default.
    assert!(
        matches!(&bucket.provenance, Provenance::Resolved(d) if text(&files, d.definition) == "\"acme\"")
    );
    let port = attr(&a, "x.y", &["port"]);
    assert_eq!(port.value, Value::Int(443));
    assert!(
        matches!(&port.provenance, Provenance::Resolved(d) if text(&files, d.definition) == "443")
    );
    assert_eq!(attr(&a, "x.y", &["env"]).as_str(), Some("prod"));
    let all = attr(&a, "x.y", &["all"]);
    assert_eq!(all.to_json(), json!({"port": 443, "tags": {"env": "prod"}}));
    // Every node of a resolved value sits at the use.
    all.walk(&mut |n| assert_eq!(text(&files, n.span), "local.cfg"));
    assert_eq!(
        attr(&a, "x.y", &["missing"]).to_json(),
        json!({"$unknown": "local.cfg.nope"})
    );
}

#[test]
fn a_cycle_of_locals_is_unknown_and_reported() {
    let (_, a) = one(
        "locals {\n  a = local.b\n  b = \"${local.a}x\"\n  c = local.c\n}\nresource \"x\" \"y\" {\n  v = local.a\n  w = local.c\n}\n",
    );
    assert_eq!(
        attr(&a, "x.y", &["v"]).to_json(),
        json!({"$unknown": "local.a"})
    );
    assert_eq!(
        attr(&a, "x.y", &["w"]).to_json(),
        json!({"$unknown": "local.c"})
    );
    let cycles = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "terraform::cycle")
        .count();
    assert_eq!(cycles, 2, "{:?}", a.diagnostics);
    // A local's self-reference makes no link to itself.
    let (_, links) = resource(&a, "local.c");
    assert!(links.is_empty());
}

#[test]
fn what_cannot_be_known_is_unknown_with_its_source_text() {
    let (_, a) = one(r#"
variable "nodefault" {}
variable "on" { default = true }
variable "list" { default = ["a", "b"] }
resource "x" "y" {
  a = var.nodefault
  b = aws_kms_key.k.arn
  c = data.aws_caller_identity.me.account_id
  d = timestamp()
  e = [for s in var.list : upper(s)]
  f = aws_instance.web[*].id
  g = var.nodefault ? 1 : 2
  h = var.on ? "yes" : var.nodefault
  i = "arn:${aws_kms_key.k.arn}:x"
  j = "%{if var.on}x%{endif}"
  k = count.index
  l = each.value
  m = path.module
  n = var.list[1]
  o = var.list[5]
  p = !var.on
  q = -3
  r = 1 + 2 * 3
  s = "n=${1 + 1}"
  t = null
  u = 1.5
  v = "${var.list}"
  w = "%{if var.nodefault}x%{endif}"
  z = "%{for s in var.list}${s}-%{endfor}"
}
"#);
    let attrs = &resource(&a, "x.y").0.attributes;
    assert_eq!(
        attrs.to_json(),
        json!({
            "a": {"$unknown": "var.nodefault"},
            "b": {"$unknown": "aws_kms_key.k.arn"},
            "c": {"$unknown": "data.aws_caller_identity.me.account_id"},
            "d": {"$unknown": "timestamp()"},
            "e": ["A", "B"],
            "f": {"$unknown": "aws_instance.web[*].id"},
            "g": {"$one_of": [1, 2]},
            "h": "yes",
            "i": {"$unknown": "\"arn:${aws_kms_key.k.arn}:x\""},
            "j": "x",
            "k": {"$unknown": "count.index"},
            "l": {"$unknown": "each.value"},
            "m": ".",
            "n": "b",
            "o": {"$unknown": "var.list[5]"},
            "p": false,
            "q": -3,
            "r": 7,
            "s": "n=2",
            "t": null,
            "u": 1.5,
            "v": ["a", "b"],
            "w": {"$unknown": "\"%{if var.nodefault}x%{endif}\""},
            "z": "a-b-",
        })
    );
}

#[test]
fn heredocs_are_strings_when_their_interpolations_resolve() {
    let (_, a) = one(
        "variable \"bucket\" {\n  default = \"logs\"\n}\nresource \"aws_iam_policy\" \"p\" {\n  policy = <<-EOT\n    {\"Resource\": \"arn:aws:s3:::${var.bucket}/*\"}\n    EOT\n  other = <<EOT\n${aws_s3_bucket.b.arn}\nEOT\n}\n",
    );
    assert_eq!(
        attr(&a, "aws_iam_policy.p", &["policy"]).as_str(),
        Some("{\"Resource\": \"arn:aws:s3:::logs/*\"}\n")
    );
    assert!(attr(&a, "aws_iam_policy.p", &["other"]).is_unknown());
}

#[test]
fn variable_defaults_allow_no_references() {
    let (_, a) = one(
        "variable \"a\" { default = \"x\" }\nvariable \"b\" { default = var.a }\nresource \"x\" \"y\" { v = var.b }\n",
    );
    assert!(attr(&a, "x.y", &["v"]).is_unknown());
}

#[test]
fn references_become_links_and_meta_arguments_keep_names() {
    let (files, a) = one(r#"
resource "aws_s3_bucket" "b" {
  provider   = aws.west
  bucket     = "${var.name}-${local.suffix}"
  policy     = jsonencode({ Resource = aws_kms_key.k.arn })
  depends_on = [aws_iam_role.r, module.m]
  lifecycle {
    ignore_changes = [tags]
    replace_triggered_by = [aws_instance.i.id]
  }
}
module "m" {
  source    = "./modules/m"
  providers = { aws = aws.west }
  vpc       = data.aws_vpc.v.id
}
"#);
    let (_, links) = resource(&a, "aws_s3_bucket.b");
    assert_eq!(
        link_names(links),
        [
            (EdgeKind::Reference, "provider.aws.west".into()),
            (EdgeKind::Reference, "var.name".into()),
            (EdgeKind::Reference, "local.suffix".into()),
            (EdgeKind::Reference, "aws_kms_key.k".into()),
            (EdgeKind::DependsOn, "aws_iam_role.r".into()),
            (EdgeKind::DependsOn, "module.m".into()),
            (EdgeKind::Reference, "aws_instance.i".into()),
        ]
    );
    assert!(links.iter().all(|l| matches!(&l.target,
        Target::Name { scope, name, display } if scope == "tf:." && name == display)));
    let spans: Vec<&str> = links.iter().map(|l| text(&files, l.span)).collect();
    assert_eq!(
        spans,
        [
            "aws.west",
            "var.name",
            "local.suffix",
            "aws_kms_key.k.arn",
            "aws_iam_role.r",
            "module.m",
            "aws_instance.i.id"
        ]
    );
    assert_eq!(
        attr(&a, "aws_s3_bucket.b", &["depends_on"]).to_json(),
        json!(["aws_iam_role.r", "module.m"])
    );
    assert_eq!(
        attr(&a, "aws_s3_bucket.b", &["provider"]).to_json(),
        json!("aws.west")
    );
    assert_eq!(
        attr(&a, "aws_s3_bucket.b", &["lifecycle"]).to_json(),
        json!([{"ignore_changes": ["tags"], "replace_triggered_by": [{"$unknown": "aws_instance.i.id"}]}])
    );
    let (_, links) = resource(&a, "module.m");
    assert_eq!(
        link_names(links),
        [
            (EdgeKind::Reference, "provider.aws.west".into()),
            (EdgeKind::Reference, "data.aws_vpc.v".into()),
        ]
    );
}

#[test]
fn module_sources_link_local_directories_and_report_remote_ones() {
    let (_, a) = adapt(
        "infra/./live/",
        &[(
            "infra/live/main.tf",
            "module \"a\" { source = \"../modules/a\" }\nmodule \"b\" { source = \"terraform-aws-modules/vpc/aws\" }\nmodule \"c\" {}\nmodule \"d\" { source = var.s }\n",
        )],
    );
    // `../modules/a` is outside this one-directory adaptation: said, not linked (the scan
    // instantiates it when it reads that directory too; tests/terraform.rs).
    assert!(resource(&a, "module.a").1.is_empty());
    assert_eq!(resource(&a, "module.a").0.scope, "tf:infra/live");
    assert!(resource(&a, "module.b").1.is_empty());
    let found: Vec<(&str, Severity)> = a.diagnostics.iter().map(|d| (d.code, d.severity)).collect();
    assert_eq!(
        found,
        [
            ("terraform::module-source", Severity::Error),
            ("terraform::module-source", Severity::Error),
            ("terraform::module-not-scanned", Severity::Info),
            ("terraform::remote-module", Severity::Info),
        ]
    );
    assert!(
        a.diagnostics[2].message.contains("infra/modules/a"),
        "{:?}",
        a.diagnostics[2]
    );
}

#[test]
fn malformed_declarations_are_diagnostics() {
    let (files, a) = adapt(
        ".",
        &[
            (
                "a.tf",
                "resource \"aws_s3_bucket\" \"b\" {}\nresource \"only_type\" {}\nvariable {}\nlocals \"x\" {}\nwhatever \"x\" {}\nstray = 1\nmoved {\n  from = a.b\n  to = a.c\n}\n",
            ),
            (
                "b.tf",
                "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"private\"\n  acl { grant = \"public-read\" }\n}\n",
            ),
        ],
    );
    assert_eq!(
        codes(&a),
        [
            "terraform::labels",
            "terraform::labels",
            "terraform::labels",
            "terraform::unknown-block",
            "terraform::unknown-block",
            "terraform::duplicate",
            "terraform::duplicate",
        ]
    );
    let duplicate = a
        .diagnostics
        .iter()
        .find(|d| d.message.contains("declared more than once"));
    assert!(duplicate.is_some_and(|d| d.message.contains("first at a.tf:1:")));
    // Both declarations stay in the graph: each is checked.
    let count = a
        .resources
        .iter()
        .filter(|(r, _)| r.address == "aws_s3_bucket.b")
        .count();
    assert_eq!(count, 2);
    let second = a
        .resources
        .iter()
        .filter(|(r, _)| r.address == "aws_s3_bucket.b")
        .nth(1);
    let acl = second.and_then(|(r, _)| r.attributes.get("acl"));
    assert_eq!(acl.and_then(Node::as_str), Some("private"));
    assert!(acl.is_some_and(|n| text(&files, n.span) == "\"private\""));
}

#[test]
fn json_syntax_reads_like_native_syntax() {
    let json = r#"{
  "//": "a comment",
  "variable": {"kms": {"default": "alias/logs"}, "open": {}},
  "locals": {"name": "${var.kms}-x"},
  "resource": {
    "aws_s3_bucket": {
      "b": {
        "bucket": "${local.name}",
        "kms": "arn:${aws_kms_key.k.arn}",
        "escaped": "say \"${var.open}\"",
        "versioning": {"enabled": true},
        "rule": [{"id": 1}, {"id": 2}],
        "depends_on": ["aws_iam_role.r"],
        "provider": "aws.west",
        "dynamic": {"ingress": {"for_each": "${var.rules}", "content": {"port": "${ingress.value}"}}}
      }
    }
  },
  "provider": {"aws": [{"region": "us-east-1"}, {"alias": "west", "region": "us-west-2"}]},
  "terraform": {"backend": {"s3": {"encrypt": true}}},
  "bogus": {}
}"#;
    let (files, a) = adapt("env", &[("env/main.tf.json", json)]);
    let addresses: Vec<&str> = a
        .resources
        .iter()
        .map(|(r, _)| r.address.as_str())
        .collect();
    assert_eq!(
        addresses,
        [
            "var.kms",
            "var.open",
            "local.name",
            "aws_s3_bucket.b",
            "provider.aws",
            "provider.aws.west",
            "terraform.backend.s3"
        ]
    );
    let (bucket, links) = resource(&a, "aws_s3_bucket.b");
    assert_eq!(bucket.scope, "tf:env");
    assert_eq!(text(&files, bucket.name_span), "\"b\"");
    assert_eq!(
        bucket.attributes.to_json(),
        json!({
            "bucket": "alias/logs-x",
            "kms": {"$unknown": "arn:${aws_kms_key.k.arn}"},
            "escaped": {"$unknown": "say \"${var.open}\""},
            "versioning": {"enabled": true},
            "rule": [{"id": 1}, {"id": 2}],
            "depends_on": ["aws_iam_role.r"],
            "provider": "aws.west",
            "ingress": [{"__dynamic": true, "port": {"$unknown": "ingress.value"}}],
        })
    );
    assert_eq!(
        link_names(links),
        [
            (EdgeKind::Reference, "local.name".into()),
            (EdgeKind::Reference, "aws_kms_key.k".into()),
            (EdgeKind::Reference, "var.open".into()),
            (EdgeKind::DependsOn, "aws_iam_role.r".into()),
            (EdgeKind::Reference, "provider.aws.west".into()),
            (EdgeKind::Reference, "var.rules".into()),
        ]
    );
    // Exact spans inside strings without escapes; the whole string otherwise.
    let spans: Vec<&str> = links.iter().map(|l| text(&files, l.span)).collect();
    assert_eq!(
        spans,
        [
            "local.name",
            "aws_kms_key.k.arn",
            "\"say \\\"${var.open}\\\"\"",
            "aws_iam_role.r",
            "\"aws.west\"",
            "var.rules"
        ]
    );
    assert_eq!(codes(&a), ["terraform::unknown-block"]);
}

#[test]
fn json_structure_errors_are_reported_not_panicked() {
    let (_, a) = adapt(
        ".",
        &[
            (
                "a.tf.json",
                r#"{"resource": {"aws_s3_bucket": ["nope"]}, "locals": 3}"#,
            ),
            ("b.tf.json", r#"["not", "an", "object"]"#),
            (
                "c.tf.json",
                r#"{"resource": {"x": {"y": {"v": "${unclosed"}}}}"#,
            ),
        ],
    );
    assert_eq!(
        codes(&a),
        [
            "terraform::json-structure",
            "terraform::json-structure",
            "terraform::json-structure",
            "terraform::template",
        ]
    );
    assert!(attr(&a, "x.y", &["v"]).is_unknown());
}

#[test]
fn module_directories_are_normalised() {
    assert_eq!(normalize_dir(""), ".");
    assert_eq!(normalize_dir("."), ".");
    assert_eq!(normalize_dir("./"), ".");
    assert_eq!(normalize_dir("a/./b/"), "a/b");
    assert_eq!(normalize_dir("a\\b"), "a/b");
    assert_eq!(normalize_dir("./modules/../net"), "net");
    assert_eq!(normalize_dir("../../fixtures/x/./m"), "../../fixtures/x/m");
    assert_eq!(normalize_dir("a/../../b"), "../b");
    assert_eq!(normalize_dir("/abs/../x"), "/x");
}

#[test]
fn hostile_locals_stay_bounded() {
    // A long chain and an exponential fan-out: both finish quickly, neither panics.
    let mut text = String::from("locals {\n  l0 = \"x\"\n");
    for i in 1..60 {
        text.push_str(&format!(
            "  l{i} = [local.l{p}, local.l{p}, \"${{local.l{p}}}${{local.l{p}}}\"]\n",
            p = i - 1
        ));
    }
    text.push_str("}\nresource \"x\" \"y\" {\n  v = local.l59\n  w = local.l3\n}\n");
    let (_, a) = one(&text);
    // Too big to copy: unknown, with the expression that makes it.
    let big = attr(&a, "local.l13", &["value"]);
    assert_eq!(
        big.to_json(),
        json!({"$unknown": "[local.l12, local.l12, \"${local.l12}${local.l12}\"]"})
    );
    assert_eq!(attr(&a, "x.y", &["w"]).as_seq().map(<[Node]>::len), Some(3));

    // Chains longer than the lookup limit are unknown, never a stack overflow.
    let mut text = String::from("locals {\n");
    for i in 0..5000 {
        text.push_str(&format!("  l{i} = local.l{}\n", i + 1));
    }
    text.push_str("  l5000 = true\n}\nresource \"x\" \"y\" {\n  v = local.l0\n}\n");
    let (_, a) = one(&text);
    assert!(attr(&a, "x.y", &["v"]).is_unknown());
    // Short chains resolve whatever their order.
    let (_, a) = one(
        "locals {\n  a = local.b\n  b = local.c\n  c = 1\n}\nresource \"x\" \"y\" {\n  v = local.a\n}\n",
    );
    assert_eq!(attr(&a, "x.y", &["v"]).value, Value::Int(1));
}

#[test]
fn a_branch_chosen_by_a_variable_default_is_resolved_from_it() {
    let (files, a) = one(
        "variable \"on\" {\n  default = false\n}\nresource \"x\" \"y\" {\n  v = var.on ? \"Enabled\" : \"Suspended\"\n  w = true ? 1 : 2\n}\n",
    );
    let v = attr(&a, "x.y", &["v"]);
    assert_eq!(v.as_str(), Some("Suspended"));
    assert_eq!(text(&files, v.span), "\"Suspended\"");
    assert!(
        matches!(&v.provenance, Provenance::Resolved(d) if text(&files, d.definition) == "false")
    );
    assert_eq!(attr(&a, "x.y", &["w"]).provenance, Provenance::Explicit);
}

#[test]
fn override_files_are_no_duplicates_and_override_values() {
    let (_, a) = adapt(
        ".",
        &[
            (
                "main.tf",
                "variable \"v\" {\n  default = 1\n}\nresource \"x\" \"y\" {\n  v = var.v\n}\n",
            ),
            (
                "main_override.tf",
                "variable \"v\" {\n  default = 2\n}\nresource \"x\" \"y\" {\n  w = 1\n}\n",
            ),
        ],
    );
    assert_eq!(codes(&a), ["terraform::override"]);
    assert_eq!(attr(&a, "x.y", &["v"]).value, Value::Int(2));
}

#[test]
fn count_and_for_each_make_instances_and_zero_makes_none() {
    let (_, a) = one(r#"
variable "create" { default = false }
variable "buckets" {
  default = { logs = { versioned = false }, site = { versioned = true } }
}
resource "aws_s3_bucket" "off" {
  count  = var.create ? 1 : 0
  bucket = "never"
}
resource "aws_s3_bucket" "two" {
  count  = 2
  bucket = "b-${count.index}"
}
resource "aws_s3_bucket" "each" {
  for_each = var.buckets
  bucket   = each.key
  tags     = { versioned = each.value.versioned }
}
resource "aws_s3_bucket" "set" {
  for_each = toset(["b", "a", "b"])
  bucket   = each.value
}
resource "aws_s3_bucket" "unknown" {
  count  = length(aws_instance.web)
  bucket = "u-${count.index}"
}
"#);
    let addresses: Vec<&str> = a
        .resources
        .iter()
        .filter(|(r, _)| r.kind == NodeKind::Resource)
        .map(|(r, _)| r.address.as_str())
        .collect();
    assert_eq!(
        addresses,
        [
            "aws_s3_bucket.two[0]",
            "aws_s3_bucket.two[1]",
            r#"aws_s3_bucket.each["logs"]"#,
            r#"aws_s3_bucket.each["site"]"#,
            r#"aws_s3_bucket.set["a"]"#,
            r#"aws_s3_bucket.set["b"]"#,
            "aws_s3_bucket.unknown",
        ]
    );
    assert_eq!(
        attr(&a, "aws_s3_bucket.two[1]", &["bucket"]).as_str(),
        Some("b-1")
    );
    assert_eq!(
        attr(&a, r#"aws_s3_bucket.each["site"]"#, &["tags", "versioned"]).as_bool(),
        Some(true)
    );
    // Every instance is found by the name links use.
    assert!(a.resources.iter().all(|(r, _)| !r.local_name.contains('[')));
    let unknown = attr(&a, "aws_s3_bucket.unknown", &["bucket"]);
    assert!(unknown.is_unknown());
    assert!(unknown.dependencies().iter().any(
        |d| matches!(&d.on, crate::value::DependsOn::Context { name } if name == "count.index")
    ));
}

#[test]
fn dynamic_blocks_with_known_for_each_make_their_blocks() {
    let (_, a) = one(r#"
locals { ports = { https = 443, ssh = 22 } }
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = local.ports
    iterator = rule
    content {
      description = rule.key
      from_port   = rule.value
      cidr_blocks = rule.key == "ssh" ? ["10.0.0.0/8"] : ["0.0.0.0/0"]
    }
  }
  dynamic "egress" {
    for_each = [{ port = 0 }]
    content { from_port = egress.value.port }
  }
}
"#);
    assert_eq!(
        attr(&a, "aws_security_group.sg", &["ingress"]).to_json(),
        json!([
            {"description": "https", "from_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
            {"description": "ssh", "from_port": 22, "cidr_blocks": ["10.0.0.0/8"]},
        ])
    );
    assert_eq!(
        attr(&a, "aws_security_group.sg", &["egress"]).to_json(),
        json!([{"from_port": 0}])
    );
}

#[test]
fn null_is_not_set_and_functions_try_can_for_evaluate() {
    let (_, a) = one(r#"
variable "retention" { default = null }
variable "cfg" { default = { a = { port = 1 }, b = { port = 2 } } }
resource "aws_cloudwatch_log_group" "g" {
  retention_in_days = var.retention
  kms_key_id        = null
  name              = try(var.cfg.missing.name, "fallback")
  tags = {
    can_missing = can(var.cfg.missing)
    can_there   = can(var.cfg.a)
    ports       = join(",", [for k, v in var.cfg : v.port if k != "b"])
    by_port     = { for k, v in var.cfg : v.port => k }
    cidr        = cidrsubnet("10.0.0.0/16", 8, 3)
    first       = element(keys(var.cfg), 0)
  }
}
"#);
    let retention = attr(&a, "aws_cloudwatch_log_group.g", &["retention_in_days"]);
    assert!(
        retention.is_removed(),
        "null reads as not set: {retention:?}"
    );
    assert!(attr(&a, "aws_cloudwatch_log_group.g", &["kms_key_id"]).is_removed());
    assert_eq!(
        attr(&a, "aws_cloudwatch_log_group.g", &["name"]).as_str(),
        Some("fallback")
    );
    assert_eq!(
        attr(&a, "aws_cloudwatch_log_group.g", &["tags"]).to_json(),
        json!({
            "can_missing": false,
            "can_there": true,
            "ports": "1",
            "by_port": {"1": "a", "2": "b"},
            "cidr": "10.0.3.0/24",
            "first": "a",
        })
    );
}

#[test]
fn the_partition_is_one_of_the_aws_partitions_and_templates_over_it_expand() {
    let (_, a) = one(r#"
data "aws_partition" "current" {}
locals {
  prefix = "arn:${data.aws_partition.current.partition}:iam::aws:policy"
}
resource "x" "y" {
  admin   = "${local.prefix}/AdministratorAccess"
  region  = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket}"
  account = data.aws_partition.current.dns_suffix
}
"#);
    let attrs = &resource(&a, "x.y").0.attributes;
    let admin = attrs.get("admin").expect("admin");
    let alternatives: Vec<String> = admin
        .alternatives()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    assert_eq!(alternatives.len(), 8, "{alternatives:?}");
    assert!(alternatives.contains(&"arn:aws:iam::aws:policy/AdministratorAccess".to_owned()));
    assert!(
        alternatives.contains(&"arn:aws-us-gov:iam::aws:policy/AdministratorAccess".to_owned())
    );
    // With a part that is truly unknown the template stays unknown, and so does an attribute
    // of the partition that is not one of a few values.
    assert!(attrs.get("region").is_some_and(Node::is_unknown));
    assert!(attrs.get("account").is_some_and(Node::is_unknown));
}
