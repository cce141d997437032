//! The Terraform adapter through the whole pipeline: graph snapshots of the fixtures under
//! `fixtures/terraform/`, with attribute trees where they show what was resolved and what is
//! unknown.
// A test that cannot set up its input has failed: panicking is how it says so.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use guardrail::graph::EdgeKind;
use guardrail::render::graph::{JsonOptions, json};
use guardrail::scan::{GraphScan, ScanOptions, build_graph};
use guardrail::value::Node;
use serde_json::Value as Json;

const FIXTURES: &str = "../../fixtures/terraform";

fn scan(name: &str) -> GraphScan {
    build_graph(
        &[PathBuf::from(format!("{FIXTURES}/{name}"))],
        &ScanOptions::default(),
    )
}

/// The attribute trees of the named resources only, to keep the snapshot readable.
fn attributes_of(scan: &GraphScan, addresses: &[&str]) -> Json {
    let full = json(scan, &JsonOptions { attributes: true });
    let resources = full["resources"].as_array().cloned().unwrap_or_default();
    let picked: serde_json::Map<String, Json> = addresses
        .iter()
        .map(|address| {
            let found = resources
                .iter()
                .find(|r| {
                    r["address"] == *address
                        && r["file"].as_str().is_some_and(|f| !f.contains("/modules/"))
                })
                .map(|r| r["attributes"].clone())
                .unwrap_or(Json::Null);
            ((*address).to_owned(), found)
        })
        .collect();
    Json::Object(picked)
}

#[test]
fn basic_module_graph() {
    let scan = scan("basic");
    insta::assert_json_snapshot!(json(&scan, &JsonOptions { attributes: false }));
}

#[test]
fn basic_module_attributes() {
    let scan = scan("basic");
    insta::assert_json_snapshot!(attributes_of(
        &scan,
        &[
            "local.bucket_name",
            "aws_kms_key.logs",
            "aws_s3_bucket.logs",
            "aws_s3_bucket_versioning.logs",
            "aws_s3_bucket_policy.logs",
            "aws_security_group.web",
            "aws_instance.web",
            "aws_cloudwatch_log_group.app",
            "aws_iam_role_policy.app",
            "data.aws_iam_policy_document.read",
            "module.net",
            "provider.aws.replica",
            "terraform.backend.s3",
        ],
    ));
}

#[test]
fn basic_module_links_resolve_across_files_and_into_the_local_module() {
    let scan = scan("basic");
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    let graph = &scan.graph;
    let address = |id| graph.resource(id).map_or("?", |r| r.address.as_str());
    let edges: Vec<String> = graph
        .edges()
        .iter()
        .map(|e| match e.to {
            Some(to) => format!("{} -{:?}-> {}", address(e.from), e.kind, address(to)),
            None => format!(
                "{} -{:?}-> dangling {}",
                address(e.from),
                e.kind,
                e.dangling
            ),
        })
        .collect();
    for expected in [
        // locals.tf → variables.tf
        "local.name_prefix -Reference-> var.region",
        // main.tf → locals.tf, and between resources
        "aws_s3_bucket.logs -Reference-> local.bucket_name",
        "aws_s3_bucket_versioning.logs -Reference-> aws_s3_bucket.logs",
        "aws_instance.web[0] -DependsOn-> aws_s3_bucket_policy.logs",
        "aws_instance.web[0] -Reference-> provider.aws.replica",
        "aws_instance.web[0] -Reference-> data.aws_ami.ubuntu",
        "aws_instance.web[0] -Reference-> dangling aws_iam_instance_profile.shared",
        "aws_iam_policy.read -Reference-> data.aws_iam_policy_document.read",
        "data.aws_iam_policy_document.read -Reference-> data.aws_caller_identity.current",
        // the module call contains the instance of what its directory declares
        "module.net -Contains-> module.net.aws_vpc.main",
        "module.net -Contains-> module.net.aws_subnet.private[0]",
    ] {
        assert!(
            edges.iter().any(|e| e == expected),
            "missing {expected} in {edges:#?}"
        );
    }
    // Iterators, count/each and variable validations make no edges.
    assert!(!edges.iter().any(|e| {
        e.contains("-> dangling ingress")
            || e.contains("-> dangling count")
            || e.contains("-> dangling each")
    }));
    assert!(!edges.iter().any(|e| e.starts_with("var.enable_versioning")));
    let contains = graph
        .edges()
        .iter()
        .filter(|e| e.kind == EdgeKind::Contains)
        .count();
    // The net module declares 2 variables, 2 resources (one with count = 2) and 2 outputs.
    assert_eq!(contains, 7);
}

#[test]
fn json_syntax() {
    let scan = scan("json");
    insta::assert_json_snapshot!(json(&scan, &JsonOptions { attributes: true }));
}

#[test]
fn malformed_input_is_diagnosed() {
    let scan = scan("malformed");
    assert!(scan.has_errors());
    insta::assert_json_snapshot!(json(&scan, &JsonOptions { attributes: false }));
}

/// A `dynamic` block whose `for_each` is known to be empty (a literal, a variable default, a
/// conditional on them) makes no block; a known collection makes one block per element, with
/// the iterator's values filled in (an inner `dynamic` can depend on the outer iterator); one
/// whose `for_each` is unknown stays one `__dynamic` entry. References are links either way. Found on terraform-aws-modules' flow-log module, where empty optional statements read
/// as unknown IAM statements.
#[test]
fn empty_dynamic_blocks_make_no_block() {
    let scan = scan("dynamic");
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    insta::assert_json_snapshot!(attributes_of(
        &scan,
        &[
            "aws_security_group.web",
            "data.aws_iam_policy_document.trust",
            "aws_security_group.json",
        ],
    ));
    let graph = &scan.graph;
    let address = |id| graph.resource(id).map_or("?", |r| r.address.as_str());
    let web_links: Vec<&str> = graph
        .edges()
        .iter()
        .filter(|e| address(e.from) == "aws_security_group.web")
        .filter_map(|e| e.to.map(address))
        .collect();
    assert!(web_links.contains(&"aws_vpc.main"), "{web_links:?}");
}

/// Quoted `depends_on` items (Terraform 0.11 syntax, still accepted) are depends-on edges
/// like bare ones; a string that is no reference is none. Found on terragoat's eks.tf.
#[test]
fn quoted_depends_on_items_are_edges() {
    let scan = scan("legacy");
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    let graph = &scan.graph;
    let address = |id| graph.resource(id).map_or("?", |r| r.address.as_str());
    let depends: Vec<(&str, &str, u32)> = graph
        .edges()
        .iter()
        .filter(|e| e.kind == EdgeKind::DependsOn)
        .map(|e| {
            let line = scan
                .files
                .get(e.span.file)
                .map_or(0, |f| f.line_col(e.span.start).line);
            (address(e.from), e.to.map_or("?", address), line)
        })
        .collect();
    assert_eq!(
        depends,
        [
            (
                "aws_eks_cluster.main",
                "aws_iam_role_policy_attachment.cluster",
                22
            ),
            ("aws_eks_cluster.main", "aws_iam_role.eks", 23),
        ]
    );
}

/// A reference to a local is also a reference to the resources the local refers to, through
/// chains of locals, at the place the local is used; variables are not followed. Found on
/// terraform-aws-vpc, whose flow log names its VPC as `local.vpc_id`, so that AWS-VPC-001
/// found no flow log for the VPC.
#[test]
fn references_through_locals_reach_the_resources() {
    let scan = scan("locals");
    let graph = &scan.graph;
    let address = |id| graph.resource(id).map_or("?", |r| r.address.as_str());
    let from_flow_log: Vec<(String, String)> = graph
        .edges()
        .iter()
        .filter(|e| address(e.from) == "aws_flow_log.this")
        .map(|e| {
            let text = scan
                .files
                .get(e.span.file)
                .map_or("", |f| f.slice(e.span))
                .to_owned();
            (e.to.map_or("?", address).to_owned(), text)
        })
        .collect();
    assert_eq!(
        from_flow_log,
        [
            ("local.network_id".to_owned(), "local.network_id".to_owned()),
            ("aws_vpc.this".to_owned(), "local.network_id".to_owned()),
            ("local.bucket".to_owned(), "local.bucket".to_owned()),
            ("aws_s3_bucket.logs".to_owned(), "local.bucket".to_owned()),
        ]
    );
    // `local.tags` refers only to a variable: the VPC gets no other edge from it.
    let from_vpc: Vec<&str> = graph
        .edges()
        .iter()
        .filter(|e| address(e.from) == "aws_vpc.this")
        .filter_map(|e| e.to.map(address))
        .collect();
    assert_eq!(from_vpc, ["local.tags"]);
}

/// Every declaration of a scan, as `address  file:line`, in graph order.
fn addresses(scan: &GraphScan) -> Vec<String> {
    scan.graph
        .iter()
        .map(|(_, r)| {
            let file = scan.files.get(r.span.file).expect("a file");
            let at = file.line_col(r.name_span.start);
            format!("{}  {}:{}", r.address, file.display_path(), at.line)
        })
        .collect()
}

#[test]
fn module_instances_take_their_callers_values() {
    let scan = scan("modules");
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    // `module.network` has count = 0: nothing of it exists; the bucket module is called three
    // times (once by the root, once per site), the site module once per `for_each` key.
    insta::assert_snapshot!(addresses(&scan).join("\n"));
    let attributes = json(&scan, &JsonOptions { attributes: true });
    let find = |address: &str| {
        attributes["resources"]
            .as_array()
            .and_then(|all| all.iter().find(|r| r["address"] == address))
            .map(|r| r["attributes"].clone())
            .unwrap_or(Json::Null)
    };
    insta::assert_json_snapshot!(
        "module_instance_attributes",
        serde_json::json!({
            "blog log group": find(r#"module.site["blog"].module.bucket.aws_cloudwatch_log_group.access"#),
            "docs log group": find(r#"module.site["docs"].module.bucket.aws_cloudwatch_log_group.access"#),
            "logs log group": find("module.logs.aws_cloudwatch_log_group.access"),
            "docs logging": find(r#"module.site["docs"].aws_s3_bucket_logging.this"#),
            "docs security group": find(r#"module.site["docs"].aws_security_group.web"#),
        })
    );
}

#[test]
fn module_cycles_and_sources_outside_are_diagnostics() {
    let cycle = scan("module-cycle");
    let codes: Vec<&str> = cycle.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"terraform::module-cycle"), "{codes:?}");
    // The cycle is broken once: `a` is instantiated as a root, `b` inside it.
    assert_eq!(
        addresses(&cycle)
            .iter()
            .filter(|a| a.contains("aws_s3_bucket"))
            .count(),
        1,
        "{:?}",
        addresses(&cycle)
    );
    let outside = scan("module-outside");
    let found: Vec<(&str, String)> = outside
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.clone()))
        .collect();
    insta::assert_debug_snapshot!(found);
    // Nothing outside the fixture was read.
    assert!(
        outside
            .files
            .iter()
            .all(|f| f.path.starts_with(format!("{FIXTURES}/module-outside"))),
        "{:?}",
        outside.files.iter().map(|f| &f.path).collect::<Vec<_>>()
    );
}

/// A directory scanned alone that calls a module outside it (an `examples/x` calling `../..`)
/// reads that module, inside the repository, and instantiates it with its arguments.
#[test]
fn modules_called_from_outside_the_scanned_directory_are_read() {
    let scan = scan("modules/modules/site");
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    let found = addresses(&scan);
    assert!(
        found.iter().any(|a| a
            == "module.bucket.aws_s3_bucket.this  ../../fixtures/terraform/modules/modules/bucket/main.tf:15"),
        "{found:#?}"
    );
    // Without a caller's value, `name` is an input without a value: the bucket is unknown.
    let bucket = scan
        .graph
        .iter()
        .find(|(_, r)| r.address == "module.bucket.aws_s3_bucket.this")
        .map(|(_, r)| r.attributes.get("bucket").cloned());
    assert!(bucket.flatten().is_some_and(|b| b.is_unknown()));
}

/// After `terraform init`, a registry module is read from where `.terraform/modules/
/// modules.json` says it was installed (and its own local submodules with it); a registry
/// module that was not installed is an info diagnostic.
#[test]
fn modules_installed_by_terraform_init_are_read_from_its_manifest() {
    let scan = scan("installed");
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    let found: Vec<String> = addresses(&scan)
        .into_iter()
        .filter(|a| a.contains("aws_s3"))
        .collect();
    insta::assert_snapshot!(found.join("\n"), @r"
    module.bucket.aws_s3_bucket.this  ../../fixtures/terraform/installed/.terraform/modules/bucket/main.tf:10
    module.bucket.module.policy.aws_s3_bucket_public_access_block.this  ../../fixtures/terraform/installed/.terraform/modules/bucket/modules/policy/main.tf:5
    ");
    let codes: Vec<(&str, &str)> = scan
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.split(' ').next().unwrap_or("")))
        .collect();
    assert_eq!(
        codes,
        [("terraform::remote-module", "`module.not_installed`")]
    );
}

/// A plan (`terraform show -json plan.out`) is recognised by its content: its resources keep
/// Terraform's addresses (child modules and instance keys included), values known only after
/// apply are unknown, and the configuration's references are edges within a module instance.
#[test]
fn plan_json_resources_keep_their_addresses_and_references() {
    let scan = scan("plan");
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    insta::assert_snapshot!(addresses(&scan).join("\n"), @r"
    aws_s3_bucket.logs  ../../fixtures/terraform/plan/plan.json:8
    aws_s3_bucket.site  ../../fixtures/terraform/plan/plan.json:23
    aws_s3_bucket_versioning.site  ../../fixtures/terraform/plan/plan.json:37
    module.db.aws_db_instance.this[0]  ../../fixtures/terraform/plan/plan.json:65
    ");
    let graph = &scan.graph;
    let address = |id| graph.resource(id).map_or("?", |r| r.address.as_str());
    let edges: Vec<String> = graph
        .edges()
        .iter()
        .map(|e| format!("{} -> {}", address(e.from), e.to.map_or("?", address)))
        .collect();
    assert_eq!(
        edges,
        ["aws_s3_bucket_versioning.site -> aws_s3_bucket.site"]
    );
    let logs = graph
        .iter()
        .find(|(_, r)| r.address == "aws_s3_bucket.logs")
        .map(|(_, r)| r.attributes.clone())
        .expect("the logs bucket");
    assert!(logs.get("arn").is_some_and(Node::is_unknown), "{logs:?}");
    assert!(
        logs.get("tags").is_some_and(Node::is_removed),
        "null is not set"
    );
}

#[test]
fn plan_resources_are_placed_at_their_configuration_when_it_is_scanned() {
    let scan = scan("plan-config");
    assert!(!scan.has_errors(), "{:?}", scan.diagnostics);
    // Each planned resource whose block is in main.tf is placed there (and judged once); the
    // registry module's resource has no block in the scan and stays in the plan.
    insta::assert_snapshot!(addresses(&scan).join("\n"), @r"
    var.logs_bucket  ../../fixtures/terraform/plan-config/main.tf:4
    aws_s3_bucket.logs  ../../fixtures/terraform/plan-config/main.tf:8
    aws_s3_bucket.site  ../../fixtures/terraform/plan-config/main.tf:12
    aws_s3_bucket_versioning.site  ../../fixtures/terraform/plan-config/main.tf:16
    module.db  ../../fixtures/terraform/plan-config/main.tf:24
    module.db.aws_db_instance.this[0]  ../../fixtures/terraform/plan-config/plan.json:65
    ");
    // The planned value, at the attribute that sets it, with the variable it came from.
    insta::assert_json_snapshot!(
        "plan_placed_attributes",
        attributes_of(
            &scan,
            &["aws_s3_bucket.logs", "aws_s3_bucket_versioning.site"]
        )
    );
}

#[test]
fn file_templatefile_and_yamldecode_read_files_inside_the_repository() {
    let scan = scan("files");
    // `/etc/passwd` is refused with a warning; the missing file inside `try` is Terraform's
    // own error, which `try` catches, and says nothing.
    let diagnostics: Vec<String> = scan
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert_eq!(
        diagnostics,
        [
            "terraform::file-not-read `file` is not evaluated: `/etc/passwd` is not read (by absolute path)"
        ]
    );
    let attributes = json(&scan, &JsonOptions { attributes: true });
    let policy = |address: &str| {
        attributes["resources"]
            .as_array()
            .and_then(|all| all.iter().find(|r| r["address"] == address))
            .map(|r| r["attributes"]["value"]["policy"]["value"].clone())
            .unwrap_or(Json::Null)
    };
    // The template's `for` and `if` directives render with the variables passed to it.
    insta::assert_snapshot!(
        "templatefile_rendered",
        policy("aws_iam_policy.rendered")
            .as_str()
            .unwrap_or_default()
    );
    assert_eq!(
        policy("aws_iam_policy.static"),
        policy("aws_iam_policy.fallback")
    );
    assert!(
        policy("aws_iam_policy.static")
            .as_str()
            .is_some_and(|p| p.contains("s3:GetObject"))
    );
    // `path.module` is relative to the root module: the module's own file is read.
    assert!(
        policy("module.queue.aws_sqs_queue_policy.this")
            .as_str()
            .is_some_and(|p| p.contains("sqs:SendMessage"))
    );
    assert!(policy("aws_iam_policy.outside")["unknown"].is_string());
    insta::assert_json_snapshot!(
        "yamldecode_values",
        attributes_of(&scan, &["aws_cloudwatch_log_group.app"])
    );
}

#[test]
fn tf_var_environment_variables_set_variables_below_the_files() {
    let options = ScanOptions::default().with_tf_vars(
        [
            ("retention", "0"),
            ("public", "true"),
            ("cidrs", r#"["0.0.0.0/0"]"#),
            ("name", "from-environment"),
            ("token", "secret-1"),
            ("db_password", "secret-2"),
            ("undeclared", "x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    );
    let scan = build_graph(
        &[PathBuf::from(format!("{FIXTURES}/environment"))],
        &options,
    );
    assert!(scan.diagnostics.is_empty(), "{:?}", scan.diagnostics);
    // Numbers and booleans convert by the variable's type, a list is read as an expression,
    // the tfvars file wins over the environment, and the sensitive or secret-named variables
    // keep their defaults: guardrail never shows what the environment holds for them.
    insta::assert_json_snapshot!(
        "environment_values",
        attributes_of(
            &scan,
            &[
                "aws_cloudwatch_log_group.app",
                "aws_db_instance.db",
                "aws_security_group.web"
            ]
        )
    );
    let bad =
        ScanOptions::default().with_tf_vars([("cidrs".to_owned(), "[unclosed".to_owned())].into());
    let scan = build_graph(&[PathBuf::from(format!("{FIXTURES}/environment"))], &bad);
    let codes: Vec<&str> = scan.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["terraform::environment-variable"]);
}
