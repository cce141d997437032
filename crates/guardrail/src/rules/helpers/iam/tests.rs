use super::model::all_actions_pattern;
use super::read::{CLOSE, OPEN, mark_holes, unknown_parts};
use super::*;
use crate::graph::{
    EdgeKind, Framework, GraphBuilder, Link, NodeKind, Resource, ResourceGraph, ResourceId, Target,
};
use crate::rules::helpers::Helper;
use crate::rules::helpers::tests::{call, call_in, int, list, map, node, s, span, strs, unknown};
use crate::source::FileId;
use crate::source::Span;
use crate::value::{Node, Value};

fn run(h: &Helper, doc: Node) -> Verdict {
    (h.check)(&call(vec![vec![doc]]))
}

fn truth(h: &Helper, doc: Node) -> Truth {
    run(h, doc).truth
}

fn seen(v: &Verdict) -> (String, String) {
    let blame = v.blame.clone().unwrap_or(Blame {
        span: span(),
        path: "<none>".into(),
        seen: "<none>".into(),
        default: false,
    });
    (blame.path.to_string(), blame.seen)
}

/// A policy with these statements.
fn doc(statements: Vec<Node>) -> Node {
    map(vec![
        ("Version", s("2012-10-17")),
        ("Statement", list(statements)),
    ])
}

/// A statement from key/value pairs.
fn st(entries: Vec<(&str, Node)>) -> Node {
    map(entries)
}

fn allow(action: Node, resource: Node) -> Node {
    st(vec![
        ("Effect", s("Allow")),
        ("Action", action),
        ("Resource", resource),
    ])
}

// ---- pieces --------------------------------------------------------------------------

#[test]
fn glob_matching() {
    assert!(glob_match("*", "iam:PassRole"));
    assert!(glob_match("iam:Pass*", "iam:PassRole"));
    assert!(glob_match("IAM:passrole", "iam:PassRole"));
    assert!(glob_match("iam:P?ssRole", "iam:PassRole"));
    assert!(glob_match("*:*", "iam:PassRole"));
    assert!(glob_match("i*R*e", "iam:PassRole"));
    assert!(!glob_match("iam:Get*", "iam:PassRole"));
    assert!(!glob_match("iam:PassRol", "iam:PassRole"));
    assert!(!glob_match("iam:PassRole?", "iam:PassRole"));
    assert!(!glob_match("", "x"));
    assert!(glob_match("", ""));
    assert!(glob_match("**", ""));
}

#[test]
fn term_shapes() {
    let t = Term::unknown(
        "x",
        vec![
            Part::Text("arn:aws:s3:::".into()),
            Part::Name,
            Part::Text("/*".into()),
        ],
    );
    assert_eq!(t.is_star(), Truth::False);
    assert_eq!(t.equals_ignore_case("*"), Truth::False);
    let any = Term::unknown("var.x", vec![Part::Any]);
    assert_eq!(any.is_star(), Truth::Unknown);
    assert_eq!(any.is_all_actions(), Truth::Unknown);
    assert_eq!(any.grants("iam:PassRole"), Truth::Unknown);
    let s3 = Term::unknown("x", vec![Part::Text("s3:".into()), Part::Any]);
    assert_eq!(s3.grants("iam:PassRole"), Truth::False);
    assert_eq!(s3.grants("s3:GetObject"), Truth::Unknown);
    assert_eq!(s3.is_service_wildcard(), Truth::Unknown);
    assert_eq!(s3.is_all_actions(), Truth::False);
    let name = Term::unknown("aws_iam_role.r.arn", vec![Part::Name]);
    assert_eq!(name.is_star(), Truth::False);
    assert_eq!(name.equals_ignore_case("Federated"), Truth::Unknown);
    assert_eq!(name.equals_ignore_case("*"), Truth::False);
    let sub = Term::unknown("x", vec![Part::Name, Part::Text(":sub".into())]);
    assert_eq!(sub.ends_with_ignore_case(":sub"), Truth::True);
    let aud = Term::unknown("x", vec![Part::Any, Part::Text(":aud".into())]);
    assert_eq!(aud.ends_with_ignore_case(":sub"), Truth::False);
    assert!(all_actions_pattern("*"));
    assert!(all_actions_pattern("*:*"));
    assert!(all_actions_pattern("**"));
    assert!(!all_actions_pattern("*:"));
    assert!(!all_actions_pattern("s3:*"));
}

/// What a Terraform expression, finished by the adapter, may be as policy text.
fn tf_parts(expression: &str) -> Vec<Part> {
    match unknown(expression).value {
        Value::Unknown(u) => unknown_parts(&u, false),
        other => panic!("{expression} is not unknown: {other:?}"),
    }
}

#[test]
fn terraform_expression_shapes() {
    assert_eq!(tf_parts("aws_iam_role.r.arn"), vec![Part::Name]);
    assert_eq!(tf_parts("aws_iam_role.r[0].arn"), vec![Part::Name]);
    assert_eq!(
        tf_parts("data.aws_caller_identity.me.account_id"),
        vec![Part::Name]
    );
    assert_eq!(tf_parts("var.arn"), vec![Part::Any]);
    assert_eq!(tf_parts("local.role.arn"), vec![Part::Any]);
    assert_eq!(tf_parts("module.x.arn"), vec![Part::Any]);
    assert_eq!(tf_parts("aws_iam_policy.p.policy"), vec![Part::Any]);
    assert_eq!(tf_parts("concat(var.a, var.b)"), vec![Part::Any]);
    assert_eq!(
        tf_parts("\"${aws_s3_bucket.b.arn}/*\""),
        vec![Part::Name, Part::Text("/*".into())]
    );
    assert_eq!(
        tf_parts("\"repo:${var.org}/*\""),
        vec![
            Part::Text("repo:".into()),
            Part::Any,
            Part::Text("/*".into())
        ]
    );
    // Escapes are decoded by the parser, not taken for unknown text.
    assert_eq!(
        tf_parts("\"a\\\"${var.x}\""),
        vec![Part::Text("a\"".into()), Part::Any]
    );
    // A template directive is not evaluated: anything.
    assert_eq!(tf_parts("\"%{ if var.x }a%{ endif }\""), vec![Part::Any]);
}

#[test]
fn policy_text_holes() {
    let Value::Unknown(u) = unknown("\"{\\\"a\\\": \\\"${x.y.arn}/$${z}\\\"}\"").value else {
        panic!("known")
    };
    let (text, holes) = mark_holes(&u.pieces, false).unwrap();
    assert_eq!(holes.len(), 1);
    assert_eq!(text, format!("{{\"a\": \"{OPEN}0{CLOSE}/${{z}}\"}}"));
    // A piece that is a list cannot be spliced into text.
    let list_piece = vec![crate::value::Piece::Value(list(vec![s("a")]))];
    assert!(mark_holes(&list_piece, false).is_none());
}

#[test]
fn subjects() {
    for open in [
        "*",
        "repo:*",
        "repo:*/*",
        "repo:*:ref:refs/heads/main",
        "*:*",
        "repo:my-org*/app",
        "repo:?/x",
    ] {
        assert!(opens_any_subject(open), "{open}");
    }
    for pinned in [
        "repo:octo-org/octo-repo:ref:refs/heads/main",
        "repo:octo-org/*",
        "system:serviceaccount:ns:sa",
        "system:serviceaccount:*:*",
        "project_path:group/project:ref_type:branch:ref:main",
        "organization:acme:project:*:workspace:*:run_phase:*",
        "123456",
    ] {
        assert!(!opens_any_subject(pinned), "{pinned}");
    }
    let t = |parts| Term::unknown("x", parts);
    assert_eq!(
        term_opens_any_subject(&t(vec![
            Part::Text("repo:".into()),
            Part::Any,
            Part::Text("/*".into())
        ])),
        Truth::Unknown
    );
    assert_eq!(
        term_opens_any_subject(&t(vec![Part::Text("repo:org/".into()), Part::Any])),
        Truth::False
    );
    assert_eq!(
        term_opens_any_subject(&t(vec![Part::Text("repo:*/".into()), Part::Any])),
        Truth::True
    );
    assert_eq!(
        term_opens_any_subject(&t(vec![
            Part::Text("repo:".into()),
            Part::Name,
            Part::Text("/*".into())
        ])),
        Truth::False
    );
    assert_eq!(term_opens_any_subject(&t(vec![Part::Any])), Truth::Unknown);
}

// ---- full_admin ----------------------------------------------------------------------

#[test]
fn full_admin_true() {
    let single = map(vec![("Statement", allow(s("*"), s("*")))]);
    let v = run(&FULL_ADMIN, single);
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v),
        ("Statement".into(), "Allow \"*\" on \"*\"".into())
    );

    let v = run(
        &FULL_ADMIN,
        doc(vec![
            allow(s("s3:GetObject"), s("*")),
            allow(strs(&["s3:*", "*:*"]), strs(&["arn:aws:s3:::b", "*"])),
        ]),
    );
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v),
        ("Statement[1]".into(), "Allow \"*:*\" on \"*\"".into())
    );

    // Element names and Allow in any case.
    let lower = doc(vec![st(vec![
        ("effect", s("allow")),
        ("action", s("*")),
        ("resource", s("*")),
    ])]);
    assert_eq!(truth(&FULL_ADMIN, lower), Truth::True);
}

#[test]
fn full_admin_false() {
    assert_eq!(
        truth(&FULL_ADMIN, doc(vec![allow(s("*"), s("arn:aws:s3:::b"))])),
        Truth::False
    );
    assert_eq!(
        truth(&FULL_ADMIN, doc(vec![allow(s("s3:*"), s("*"))])),
        Truth::False
    );
    assert_eq!(
        truth(&FULL_ADMIN, doc(vec![allow(s("*:Get*"), s("*"))])),
        Truth::False
    );
    let deny = doc(vec![st(vec![
        ("Effect", s("Deny")),
        ("Action", s("*")),
        ("Resource", s("*")),
    ])]);
    assert_eq!(truth(&FULL_ADMIN, deny), Truth::False);
    let no_effect = doc(vec![st(vec![("Action", s("*")), ("Resource", s("*"))])]);
    assert_eq!(truth(&FULL_ADMIN, no_effect), Truth::False);
    let not_action = doc(vec![st(vec![
        ("Effect", s("Allow")),
        ("NotAction", s("iam:*")),
        ("Resource", s("*")),
    ])]);
    assert_eq!(truth(&FULL_ADMIN, not_action), Truth::False);
    let not_resource = doc(vec![st(vec![
        ("Effect", s("Allow")),
        ("Action", s("*")),
        ("NotResource", s("arn:x")),
    ])]);
    assert_eq!(truth(&FULL_ADMIN, not_resource), Truth::False);
    // A resource known only at deployment that is an ARN is never "*".
    assert_eq!(
        truth(
            &FULL_ADMIN,
            doc(vec![allow(s("*"), unknown("aws_s3_bucket.b.arn"))])
        ),
        Truth::False
    );
    let template = unknown("\"${aws_s3_bucket.b.arn}/*\"");
    assert_eq!(
        truth(&FULL_ADMIN, doc(vec![allow(s("*"), template)])),
        Truth::False
    );
    let var_template = unknown("\"arn:aws:s3:::${var.bucket}/*\"");
    assert_eq!(
        truth(&FULL_ADMIN, doc(vec![allow(s("*"), var_template)])),
        Truth::False
    );
}

#[test]
fn full_admin_unknown() {
    let v = run(
        &FULL_ADMIN,
        doc(vec![allow(s("*"), unknown("var.resource"))]),
    );
    assert_eq!(v.truth, Truth::Unknown);
    assert_eq!(
        seen(&v),
        ("Statement[0]".into(), "Allow \"*\" on var.resource".into())
    );
    assert_eq!(
        truth(
            &FULL_ADMIN,
            doc(vec![allow(unknown("var.actions"), s("*"))])
        ),
        Truth::Unknown
    );
    let effect = doc(vec![st(vec![
        ("Effect", unknown("var.effect")),
        ("Action", s("*")),
        ("Resource", s("*")),
    ])]);
    assert_eq!(truth(&FULL_ADMIN, effect), Truth::Unknown);
    let v = run(&FULL_ADMIN, unknown("var.policy"));
    assert_eq!(v.truth, Truth::Unknown);
    assert_eq!(seen(&v), ("value".into(), "var.policy".into()));
    assert_eq!(
        truth(&FULL_ADMIN, doc(vec![unknown("var.statement")])),
        Truth::Unknown
    );
    assert_eq!(
        truth(&FULL_ADMIN, map(vec![("Statement", unknown("var.s"))])),
        Truth::Unknown
    );
    // One known admin statement decides despite unknown parts elsewhere.
    let mixed = doc(vec![unknown("var.statement"), allow(s("*"), s("*"))]);
    assert_eq!(truth(&FULL_ADMIN, mixed), Truth::True);
}

#[test]
fn json_strings_are_parsed_and_blamed_as_the_string() {
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":"*"}]}"#;
    let mut string = s(text);
    string.span = Span::new(FileId(3), 10, 99);
    let v = run(&FULL_ADMIN, string);
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        v.blame.as_ref().map(|b| b.span),
        Some(Span::new(FileId(3), 10, 99))
    );
    let single = r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    assert_eq!(
        truth(&SERVICE_WILDCARD_ON_ALL_RESOURCES, s(single)),
        Truth::True
    );
    assert_eq!(truth(&FULL_ADMIN, s(single)), Truth::False);
    // Text that is not a JSON object says nothing of what it grants: unknown, not a pass.
    assert_eq!(truth(&FULL_ADMIN, s("not json")), Truth::Unknown);
    assert_eq!(truth(&FULL_ADMIN, s("")), Truth::Unknown);
    assert_eq!(truth(&FULL_ADMIN, s("[1,2]")), Truth::Unknown);
}

#[test]
fn heredocs_with_interpolations() {
    let admin = "<<EOF\n{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"${aws_s3_bucket.b.arn}/*\"},\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n  ]\n}\nEOF\n";
    let v = run(&FULL_ADMIN, unknown(admin));
    assert_eq!(v.truth, Truth::True);
    assert_eq!(seen(&v).0, "Statement[1]");
    let scoped = "<<-EOF\n{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"${aws_s3_bucket.b.arn}/*\"}]}\nEOF";
    assert_eq!(truth(&FULL_ADMIN, unknown(scoped)), Truth::False);
    let open = "<<EOF\n{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"${var.resource}\"}]}\nEOF";
    let v = run(&FULL_ADMIN, unknown(open));
    assert_eq!(v.truth, Truth::Unknown);
    assert_eq!(seen(&v).1, "Allow \"*\" on \"${var.resource}\"");
    let empty = "<<EOF\n{\"Version\": \"${var.version}\", \"Statement\": []}\nEOF";
    assert_eq!(truth(&FULL_ADMIN, unknown(empty)), Truth::False);
    // An interpolation outside a string is not JSON: the document is unknown.
    let spliced = "<<EOF\n{\"Statement\": ${jsonencode(local.statements)}}\nEOF";
    assert_eq!(truth(&FULL_ADMIN, unknown(spliced)), Truth::Unknown);
}

#[test]
fn wrong_shapes_are_false_and_never_panic() {
    let shapes = vec![
        node(Value::Null),
        int(3),
        node(Value::Bool(true)),
        list(vec![int(1)]),
        map(vec![]),
        map(vec![("Statement", int(1))]),
        map(vec![(
            "Statement",
            list(vec![int(1), s("x"), list(vec![])]),
        )]),
        doc(vec![st(vec![
            ("Effect", map(vec![])),
            ("Action", map(vec![("a", int(1))])),
            ("Resource", list(vec![list(vec![s("*")])])),
            ("Principal", int(4)),
            ("Condition", list(vec![])),
        ])]),
        doc(vec![st(vec![
            ("Effect", s("Allow")),
            ("Principal", map(vec![("AWS", map(vec![]))])),
            (
                "Condition",
                map(vec![("StringEquals", s("x")), ("Bool", node(Value::Null))]),
            ),
        ])]),
        map(vec![("statement", int(1))]),
        map(vec![(
            "statement",
            list(vec![
                int(1),
                map(vec![("principals", int(2)), ("condition", s("x"))]),
            ]),
        )]),
    ];
    for helper in [
        &FULL_ADMIN,
        &SERVICE_WILDCARD_ON_ALL_RESOURCES,
        &PASSROLE_ON_ANY_RESOURCE,
        &ALLOW_NOT_ACTION,
        &PUBLIC_PRINCIPAL,
        &WEB_IDENTITY_WITHOUT_SUBJECT,
    ] {
        for shape in &shapes {
            assert_eq!(
                truth(helper, shape.clone()),
                Truth::False,
                "{} on {shape:?}",
                helper.name
            );
        }
        assert_eq!((helper.check)(&call(vec![vec![]])).truth, Truth::False);
        assert_eq!((helper.check)(&call(vec![])).truth, Truth::False);
    }
}

// ---- service_wildcard_on_all_resources -----------------------------------------------

#[test]
fn service_wildcard() {
    let h = &SERVICE_WILDCARD_ON_ALL_RESOURCES;
    let v = run(h, doc(vec![allow(s("s3:*"), s("*"))]));
    assert_eq!(v.truth, Truth::True);
    assert_eq!(seen(&v).1, "Allow \"s3:*\" on \"*\"");
    assert_eq!(
        truth(
            h,
            doc(vec![allow(strs(&["s3:GetObject", "KMS:*"]), s("*"))])
        ),
        Truth::True
    );
    assert_eq!(
        truth(h, doc(vec![allow(s("s3:Get*"), s("*"))])),
        Truth::False
    );
    assert_eq!(
        truth(h, doc(vec![allow(s("s3:*"), s("arn:aws:s3:::b/*"))])),
        Truth::False
    );
    assert_eq!(truth(h, doc(vec![allow(s("*"), s("*"))])), Truth::False);
    assert_eq!(
        truth(h, doc(vec![allow(strs(&["*", "s3:*"]), s("*"))])),
        Truth::False
    );
    assert_eq!(truth(h, doc(vec![allow(s("*:*"), s("*"))])), Truth::False);
    assert_eq!(truth(h, doc(vec![allow(s("s*:*"), s("*"))])), Truth::False);
    let deny = doc(vec![st(vec![
        ("Effect", s("Deny")),
        ("Action", s("s3:*")),
        ("Resource", s("*")),
    ])]);
    assert_eq!(truth(h, deny), Truth::False);
    assert_eq!(
        truth(h, doc(vec![allow(unknown("var.action"), s("*"))])),
        Truth::Unknown
    );
    assert_eq!(
        truth(h, doc(vec![allow(unknown("\"s3:${var.verb}\""), s("*"))])),
        Truth::Unknown
    );
    assert_eq!(
        truth(h, doc(vec![allow(unknown("\"${var.svc}:Get\""), s("*"))])),
        Truth::False
    );
    assert_eq!(
        truth(h, doc(vec![allow(s("s3:*"), unknown("var.r"))])),
        Truth::Unknown
    );
}

// ---- passrole_on_any_resource --------------------------------------------------------

#[test]
fn passrole() {
    let h = &PASSROLE_ON_ANY_RESOURCE;
    for action in [
        "iam:PassRole",
        "iam:passrole",
        "IAM:Pass*",
        "iam:*",
        "*",
        "iam:P?ssRole",
        "*:*",
    ] {
        assert_eq!(
            truth(h, doc(vec![allow(s(action), s("*"))])),
            Truth::True,
            "{action}"
        );
    }
    let v = run(h, doc(vec![allow(s("iam:Pass*"), s("*"))]));
    assert_eq!(seen(&v).1, "Allow \"iam:Pass*\" (iam:PassRole) on \"*\"");
    for action in ["iam:GetRole", "iam:PassRoles", "s3:*", "iam:Pass"] {
        assert_eq!(
            truth(h, doc(vec![allow(s(action), s("*"))])),
            Truth::False,
            "{action}"
        );
    }
    let role = "arn:aws:iam::123456789012:role/app";
    assert_eq!(
        truth(h, doc(vec![allow(s("iam:PassRole"), s(role))])),
        Truth::False
    );
    let not_s3 = doc(vec![st(vec![
        ("Effect", s("Allow")),
        ("NotAction", strs(&["s3:*"])),
        ("Resource", s("*")),
    ])]);
    let v = run(h, not_s3);
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v).1,
        "Allow NotAction \"s3:*\" (iam:PassRole) on \"*\""
    );
    let not_iam = doc(vec![st(vec![
        ("Effect", s("Allow")),
        ("NotAction", s("iam:*")),
        ("Resource", s("*")),
    ])]);
    assert_eq!(truth(h, not_iam), Truth::False);
    let deny = doc(vec![st(vec![
        ("Effect", s("Deny")),
        ("Action", s("iam:PassRole")),
        ("Resource", s("*")),
    ])]);
    assert_eq!(truth(h, deny), Truth::False);
    assert_eq!(
        truth(h, doc(vec![allow(unknown("var.action"), s("*"))])),
        Truth::Unknown
    );
    assert_eq!(
        truth(h, doc(vec![allow(s("iam:PassRole"), unknown("var.roles"))])),
        Truth::Unknown
    );
    let not_unknown = doc(vec![st(vec![
        ("Effect", s("Allow")),
        ("NotAction", unknown("var.x")),
        ("Resource", s("*")),
    ])]);
    assert_eq!(truth(h, not_unknown), Truth::Unknown);
}

// ---- allow_not_action ----------------------------------------------------------------

#[test]
fn not_action() {
    let h = &ALLOW_NOT_ACTION;
    let v = run(
        h,
        doc(vec![st(vec![
            ("Effect", s("Allow")),
            ("NotAction", strs(&["iam:*", "sts:*"])),
            ("Resource", s("*")),
        ])]),
    );
    assert_eq!(v.truth, Truth::True);
    assert_eq!(seen(&v).1, "Allow NotAction [\"iam:*\", \"sts:*\"]");
    let deny = doc(vec![st(vec![
        ("Effect", s("Deny")),
        ("NotAction", s("iam:*")),
        ("Resource", s("*")),
    ])]);
    assert_eq!(truth(h, deny), Truth::False);
    assert_eq!(truth(h, doc(vec![allow(s("*"), s("*"))])), Truth::False);
    let unknown_effect = doc(vec![st(vec![
        ("Effect", unknown("var.e")),
        ("NotAction", s("iam:*")),
    ])]);
    assert_eq!(truth(h, unknown_effect), Truth::Unknown);
    let null = doc(vec![st(vec![
        ("Effect", s("Allow")),
        ("NotAction", node(Value::Null)),
    ])]);
    assert_eq!(truth(h, null), Truth::False);
}

// ---- public_principal ----------------------------------------------------------------

fn grant(principal: Node, condition: Option<Node>) -> Node {
    let mut entries = vec![
        ("Effect", s("Allow")),
        ("Principal", principal),
        ("Action", s("s3:GetObject")),
        ("Resource", s("arn:aws:s3:::b/*")),
    ];
    if let Some(c) = condition {
        entries.push(("Condition", c));
    }
    doc(vec![st(entries)])
}

#[test]
fn public_principal_true() {
    let h = &PUBLIC_PRINCIPAL;
    let v = run(h, grant(s("*"), None));
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v),
        (
            "Statement[0]".into(),
            "Allow Principal \"*\" without Condition".into()
        )
    );
    let v = run(h, grant(map(vec![("AWS", s("*"))]), None));
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v).1,
        "Allow Principal {\"AWS\": \"*\"} without Condition"
    );
    let several = map(vec![(
        "AWS",
        strs(&["arn:aws:iam::123456789012:root", "*"]),
    )]);
    assert_eq!(truth(h, grant(several, None)), Truth::True);
    assert_eq!(truth(h, grant(strs(&["*"]), None)), Truth::True);
    // An empty Condition restricts nothing.
    assert_eq!(truth(h, grant(s("*"), Some(map(vec![])))), Truth::True);
    assert_eq!(
        truth(
            h,
            grant(s("*"), Some(map(vec![("StringEquals", map(vec![]))])))
        ),
        Truth::True
    );
    // Allow with NotPrincipal: everyone but the listed.
    let not_principal = doc(vec![st(vec![
        ("Effect", s("Allow")),
        (
            "NotPrincipal",
            map(vec![("AWS", s("arn:aws:iam::123456789012:root"))]),
        ),
        ("Action", s("s3:GetObject")),
    ])]);
    assert_eq!(truth(h, not_principal), Truth::True);
}

#[test]
fn public_principal_false() {
    let h = &PUBLIC_PRINCIPAL;
    let org = map(vec![(
        "StringEquals",
        map(vec![("aws:PrincipalOrgID", s("o-123"))]),
    )]);
    assert_eq!(truth(h, grant(s("*"), Some(org))), Truth::False);
    let vpce = map(vec![(
        "StringEquals",
        map(vec![("aws:SourceVpce", s("vpce-1"))]),
    )]);
    assert_eq!(
        truth(h, grant(map(vec![("AWS", s("*"))]), Some(vpce))),
        Truth::False
    );
    let deny = doc(vec![st(vec![
        ("Effect", s("Deny")),
        ("Principal", s("*")),
        ("Action", s("s3:*")),
    ])]);
    assert_eq!(truth(h, deny), Truth::False);
    let service = map(vec![("Service", s("cloudtrail.amazonaws.com"))]);
    assert_eq!(truth(h, grant(service, None)), Truth::False);
    let account = map(vec![("AWS", s("arn:aws:iam::123456789012:root"))]);
    assert_eq!(truth(h, grant(account, None)), Truth::False);
    let role = map(vec![("AWS", unknown("aws_iam_role.app.arn"))]);
    assert_eq!(truth(h, grant(role, None)), Truth::False);
    let identity_policy = doc(vec![allow(s("s3:*"), s("*"))]);
    assert_eq!(truth(h, identity_policy), Truth::False);
}

#[test]
fn public_principal_unknown() {
    let h = &PUBLIC_PRINCIPAL;
    assert_eq!(
        truth(h, grant(map(vec![("AWS", unknown("var.principal"))]), None)),
        Truth::Unknown
    );
    assert_eq!(
        truth(h, grant(unknown("var.principal"), None)),
        Truth::Unknown
    );
    assert_eq!(
        truth(h, grant(s("*"), Some(unknown("var.condition")))),
        Truth::Unknown
    );
    // A known condition decides even when its value is unknown.
    let c = map(vec![(
        "StringEquals",
        map(vec![("aws:SourceAccount", unknown("var.account"))]),
    )]);
    assert_eq!(truth(h, grant(s("*"), Some(c))), Truth::False);
}

// ---- web_identity_without_subject ----------------------------------------------------

const GITHUB: &str = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

fn trust(principal: Node, action: &str, condition: Option<Node>) -> Node {
    let mut entries = vec![
        ("Effect", s("Allow")),
        ("Principal", principal),
        ("Action", s(action)),
    ];
    if let Some(c) = condition {
        entries.push(("Condition", c));
    }
    doc(vec![st(entries)])
}

fn github(condition: Option<Node>) -> Node {
    trust(
        map(vec![("Federated", s(GITHUB))]),
        "sts:AssumeRoleWithWebIdentity",
        condition,
    )
}

fn cond(operator: &str, key: &str, values: Node) -> Node {
    map(vec![(operator, map(vec![(key, values)]))])
}

const SUB: &str = "token.actions.githubusercontent.com:sub";
const AUD: &str = "token.actions.githubusercontent.com:aud";

#[test]
fn web_identity_true() {
    let h = &WEB_IDENTITY_WITHOUT_SUBJECT;
    let v = run(
        h,
        github(Some(cond("StringEquals", AUD, s("sts.amazonaws.com")))),
    );
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v).1,
        format!(
            "Allow \"sts:AssumeRoleWithWebIdentity\" to Federated \"{GITHUB}\", no condition pins the token's subject (:sub)"
        )
    );
    assert_eq!(truth(h, github(None)), Truth::True);
    let v = run(h, github(Some(cond("StringLike", SUB, s("repo:*")))));
    assert!(
        seen(&v)
            .1
            .ends_with("its :sub condition leaves the subject's owner open")
    );
    assert_eq!(
        truth(h, github(Some(cond("StringLike", SUB, s("*"))))),
        Truth::True
    );
    assert_eq!(
        truth(h, github(Some(cond("StringLike", SUB, s("repo:*"))))),
        Truth::True
    );
    assert_eq!(
        truth(
            h,
            github(Some(cond(
                "StringLike",
                SUB,
                strs(&["repo:org/app:*", "repo:*/*"])
            )))
        ),
        Truth::True
    );
    assert_eq!(
        truth(
            h,
            github(Some(cond("StringNotLike", SUB, s("repo:evil/*"))))
        ),
        Truth::True
    );
    let wide_action = trust(map(vec![("Federated", s(GITHUB))]), "sts:*", None);
    assert_eq!(truth(h, wide_action), Truth::True);
    let prefix = trust(
        map(vec![("Federated", s(GITHUB))]),
        "sts:AssumeRoleWith*",
        None,
    );
    assert_eq!(truth(h, prefix), Truth::True);
    // Cognito without its aud constraint.
    let cognito = trust(
        map(vec![("Federated", s("cognito-identity.amazonaws.com"))]),
        "sts:AssumeRoleWithWebIdentity",
        None,
    );
    assert_eq!(truth(h, cognito), Truth::True);
}

#[test]
fn web_identity_false() {
    let h = &WEB_IDENTITY_WITHOUT_SUBJECT;
    let pinned = map(vec![
        ("StringEquals", map(vec![(AUD, s("sts.amazonaws.com"))])),
        (
            "StringLike",
            map(vec![(SUB, s("repo:octo-org/octo-repo:*"))]),
        ),
    ]);
    assert_eq!(truth(h, github(Some(pinned))), Truth::False);
    let exact = cond(
        "StringEquals",
        SUB,
        s("repo:octo-org/octo-repo:ref:refs/heads/main"),
    );
    assert_eq!(truth(h, github(Some(exact))), Truth::False);
    // Under StringEquals "*" is a literal that no token matches.
    assert_eq!(
        truth(h, github(Some(cond("StringEquals", SUB, s("*"))))),
        Truth::False
    );
    let any_value = cond("ForAnyValue:StringLike", SUB, strs(&["repo:octo-org/*"]));
    assert_eq!(truth(h, github(Some(any_value))), Truth::False);
    let if_exists = cond(
        "StringLikeIfExists",
        "Token.Actions.GithubUserContent.com:SUB",
        s("repo:octo-org/*"),
    );
    assert_eq!(truth(h, github(Some(if_exists))), Truth::False);
    let assume_role = trust(map(vec![("Federated", s(GITHUB))]), "sts:AssumeRole", None);
    assert_eq!(truth(h, assume_role), Truth::False);
    let service = trust(
        map(vec![("Service", s("ec2.amazonaws.com"))]),
        "sts:AssumeRoleWithWebIdentity",
        None,
    );
    assert_eq!(truth(h, service), Truth::False);
    let saml = trust(
        map(vec![(
            "Federated",
            s("arn:aws:iam::123456789012:saml-provider/Okta"),
        )]),
        "sts:*",
        None,
    );
    assert_eq!(truth(h, saml), Truth::False);
    let cognito = trust(
        map(vec![("Federated", s("cognito-identity.amazonaws.com"))]),
        "sts:AssumeRoleWithWebIdentity",
        Some(cond(
            "StringEquals",
            "cognito-identity.amazonaws.com:aud",
            s("us-east-1:pool"),
        )),
    );
    assert_eq!(truth(h, cognito), Truth::False);
    let google = trust(
        map(vec![("Federated", s("accounts.google.com"))]),
        "sts:AssumeRoleWithWebIdentity",
        Some(cond(
            "StringEquals",
            "accounts.google.com:aud",
            s("1234.apps.googleusercontent.com"),
        )),
    );
    assert_eq!(truth(h, google), Truth::False);
    // An app audience key does not pin a shared issuer.
    let github_google_aud = github(Some(cond(
        "StringEquals",
        "accounts.google.com:aud",
        s("x"),
    )));
    assert_eq!(truth(h, github_google_aud), Truth::True);
    // A Deny refusing other subjects constrains the Allow.
    let with_deny = doc(vec![
        st(vec![
            ("Effect", s("Allow")),
            ("Principal", map(vec![("Federated", s(GITHUB))])),
            ("Action", s("sts:AssumeRoleWithWebIdentity")),
            (
                "Condition",
                cond("StringEquals", AUD, s("sts.amazonaws.com")),
            ),
        ]),
        st(vec![
            ("Effect", s("Deny")),
            ("Principal", s("*")),
            ("Action", s("sts:AssumeRoleWithWebIdentity")),
            (
                "Condition",
                cond("StringNotLike", SUB, s("repo:octo-org/*")),
            ),
        ]),
    ]);
    assert_eq!(truth(h, with_deny), Truth::False);
    let deny = doc(vec![st(vec![
        ("Effect", s("Deny")),
        ("Principal", map(vec![("Federated", s(GITHUB))])),
        ("Action", s("sts:AssumeRoleWithWebIdentity")),
    ])]);
    assert_eq!(truth(h, deny), Truth::False);
}

#[test]
fn web_identity_unknown() {
    let h = &WEB_IDENTITY_WITHOUT_SUBJECT;
    assert_eq!(
        truth(
            h,
            github(Some(cond("StringLike", SUB, unknown("var.subject"))))
        ),
        Truth::Unknown
    );
    let template = unknown("\"repo:${var.org}/app:*\"");
    assert_eq!(
        truth(h, github(Some(cond("StringLike", SUB, template)))),
        Truth::Unknown
    );
    let pinned_template = unknown("\"repo:octo-org/${var.repo}:*\"");
    assert_eq!(
        truth(h, github(Some(cond("StringLike", SUB, pinned_template)))),
        Truth::False
    );
    assert_eq!(
        truth(h, github(Some(unknown("local.conditions")))),
        Truth::Unknown
    );
    let provider = trust(
        map(vec![(
            "Federated",
            unknown("aws_iam_openid_connect_provider.gh.arn"),
        )]),
        "sts:AssumeRoleWithWebIdentity",
        None,
    );
    assert_eq!(truth(h, provider), Truth::True);
    let kind = trust(
        unknown("var.principal"),
        "sts:AssumeRoleWithWebIdentity",
        None,
    );
    assert_eq!(truth(h, kind), Truth::Unknown);
}

// ---- Terraform data sources ----------------------------------------------------------

const SCOPE: &str = "tf:.";

fn resource(kind: NodeKind, type_name: &str, address: &str, attributes: Node) -> Resource {
    Resource {
        address: address.to_owned(),
        type_name: type_name.to_owned(),
        kind,
        framework: Framework::Terraform,
        span: span(),
        name_span: span(),
        attributes,
        scope: SCOPE.to_owned(),
        local_name: address.to_owned(),
        labels: None,
        type_keys: vec![type_name.to_owned()],
        views: Default::default(),
        suppressions: Vec::new(),
    }
}

fn link(to: &str) -> Link {
    Link {
        kind: EdgeKind::Reference,
        target: Target::Name {
            scope: SCOPE.to_owned(),
            name: to.to_owned(),
            display: to.to_owned(),
        },
        span: span(),
    }
}

fn data(name: &str, attributes: Node) -> Resource {
    resource(
        NodeKind::Data,
        "aws_iam_policy_document",
        &format!("data.aws_iam_policy_document.{name}"),
        attributes,
    )
}

/// `statement { … }` as the Terraform adapter builds it.
fn block(entries: Vec<(&str, Node)>) -> Node {
    map(entries)
}

fn tf_principal(kind: &str, ids: &[&str]) -> Node {
    list(vec![block(vec![
        ("type", s(kind)),
        ("identifiers", strs(ids)),
    ])])
}

/// A graph with `aws_iam_policy.p` referring to the data sources `refs`, and the data
/// sources themselves (each with its own references); the policy's id is 0.
fn graph(refs: &[&str], sources: Vec<(Resource, Vec<&str>)>) -> ResourceGraph {
    let mut b = GraphBuilder::new();
    let policy = resource(
        NodeKind::Resource,
        "aws_iam_policy",
        "aws_iam_policy.p",
        map(vec![("policy", unknown("x"))]),
    );
    b.add(policy, refs.iter().map(|r| link(r)).collect());
    for (r, links) in sources {
        b.add(r, links.iter().map(|l| link(l)).collect());
    }
    b.build()
}

fn check_in(h: &Helper, g: &ResourceGraph, value: Node) -> Verdict {
    (h.check)(&call_in(g, ResourceId(0), vec![vec![value]]))
}

#[test]
fn data_source_statements() {
    let admin = data(
        "admin",
        map(vec![(
            "statement",
            list(vec![
                block(vec![
                    ("actions", strs(&["s3:GetObject"])),
                    ("resources", strs(&["arn:aws:s3:::b/*"])),
                ]),
                block(vec![("actions", strs(&["*"])), ("resources", strs(&["*"]))]),
            ]),
        )]),
    );
    let g = graph(
        &["data.aws_iam_policy_document.admin"],
        vec![(admin, vec![])],
    );
    let v = check_in(
        &FULL_ADMIN,
        &g,
        unknown("data.aws_iam_policy_document.admin.json"),
    );
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v),
        (
            "data.aws_iam_policy_document.admin.statement[1]".into(),
            "Allow \"*\" on \"*\"".into()
        )
    );
    // Unresolved or other expressions stay unknown.
    let v = check_in(
        &FULL_ADMIN,
        &g,
        unknown("data.aws_iam_policy_document.other.json"),
    );
    assert_eq!(v.truth, Truth::Unknown);
    let v = check_in(&FULL_ADMIN, &g, unknown("aws_iam_policy.q.policy"));
    assert_eq!(v.truth, Truth::Unknown);
    // A rule on the data source itself reads its attributes.
    let root = g
        .resource(ResourceId(1))
        .map(|r| r.attributes.clone())
        .unwrap();
    let v = (FULL_ADMIN.check)(&call_in(&g, ResourceId(1), vec![vec![root.clone()]]));
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v).0,
        "data.aws_iam_policy_document.admin.statement[1]"
    );
    // From elsewhere it is named by the path.
    assert_eq!(
        seen(&check_in(&FULL_ADMIN, &g, root)).0,
        "value.statement[1]"
    );
}

#[test]
fn data_source_effects_principals_and_conditions() {
    let deny = data(
        "deny",
        map(vec![(
            "statement",
            list(vec![block(vec![
                ("effect", s("Deny")),
                ("actions", strs(&["*"])),
                ("resources", strs(&["*"])),
            ])]),
        )]),
    );
    let public = data(
        "public",
        map(vec![(
            "statement",
            list(vec![block(vec![
                ("principals", tf_principal("*", &["*"])),
                ("actions", strs(&["s3:GetObject"])),
            ])]),
        )]),
    );
    let public_aws = data(
        "public_aws",
        map(vec![(
            "statement",
            list(vec![block(vec![
                ("principals", tf_principal("AWS", &["*"])),
                ("actions", strs(&["sqs:*"])),
            ])]),
        )]),
    );
    let conditioned = data(
        "conditioned",
        map(vec![(
            "statement",
            list(vec![block(vec![
                ("principals", tf_principal("AWS", &["*"])),
                (
                    "condition",
                    list(vec![block(vec![
                        ("test", s("StringEquals")),
                        ("variable", s("aws:SourceAccount")),
                        ("values", strs(&["123456789012"])),
                    ])]),
                ),
            ])]),
        )]),
    );
    let service = data(
        "service",
        map(vec![(
            "statement",
            list(vec![block(vec![(
                "principals",
                tf_principal("Service", &["s3.amazonaws.com"]),
            )])]),
        )]),
    );
    let names = ["deny", "public", "public_aws", "conditioned", "service"];
    let refs: Vec<String> = names
        .iter()
        .map(|n| format!("data.aws_iam_policy_document.{n}"))
        .collect();
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    let g = graph(
        &refs,
        vec![
            (deny, vec![]),
            (public, vec![]),
            (public_aws, vec![]),
            (conditioned, vec![]),
            (service, vec![]),
        ],
    );
    let at = |name: &str| unknown(&format!("data.aws_iam_policy_document.{name}.json"));
    assert_eq!(check_in(&FULL_ADMIN, &g, at("deny")).truth, Truth::False);
    assert_eq!(
        check_in(&PUBLIC_PRINCIPAL, &g, at("public")).truth,
        Truth::True
    );
    assert_eq!(
        check_in(&PUBLIC_PRINCIPAL, &g, at("public_aws")).truth,
        Truth::True
    );
    assert_eq!(
        check_in(&PUBLIC_PRINCIPAL, &g, at("conditioned")).truth,
        Truth::False
    );
    assert_eq!(
        check_in(&PUBLIC_PRINCIPAL, &g, at("service")).truth,
        Truth::False
    );
}

#[test]
fn data_source_web_identity() {
    let aud_only = data(
        "aud_only",
        map(vec![(
            "statement",
            list(vec![block(vec![
                ("actions", strs(&["sts:AssumeRoleWithWebIdentity"])),
                (
                    "principals",
                    list(vec![block(vec![
                        ("type", s("Federated")),
                        (
                            "identifiers",
                            list(vec![unknown("aws_iam_openid_connect_provider.gh.arn")]),
                        ),
                    ])]),
                ),
                (
                    "condition",
                    list(vec![block(vec![
                        ("test", s("StringEquals")),
                        ("variable", s(AUD)),
                        ("values", strs(&["sts.amazonaws.com"])),
                    ])]),
                ),
            ])]),
        )]),
    );
    let pinned = data(
        "pinned",
        map(vec![(
            "statement",
            list(vec![block(vec![
                ("actions", strs(&["sts:AssumeRoleWithWebIdentity"])),
                ("principals", tf_principal("Federated", &[GITHUB])),
                (
                    "condition",
                    list(vec![
                        block(vec![
                            ("test", s("StringEquals")),
                            ("variable", s(AUD)),
                            ("values", strs(&["sts.amazonaws.com"])),
                        ]),
                        block(vec![
                            ("test", s("StringLike")),
                            (
                                "variable",
                                unknown("\"${aws_iam_openid_connect_provider.gh.url}:sub\""),
                            ),
                            ("values", strs(&["repo:octo-org/octo-repo:*"])),
                        ]),
                    ]),
                ),
            ])]),
        )]),
    );
    let g = graph(
        &[
            "data.aws_iam_policy_document.aud_only",
            "data.aws_iam_policy_document.pinned",
        ],
        vec![(aud_only, vec![]), (pinned, vec![])],
    );
    let h = &WEB_IDENTITY_WITHOUT_SUBJECT;
    assert_eq!(
        check_in(h, &g, unknown("data.aws_iam_policy_document.aud_only.json")).truth,
        Truth::True
    );
    assert_eq!(
        check_in(h, &g, unknown("data.aws_iam_policy_document.pinned.json")).truth,
        Truth::False
    );
}

#[test]
fn data_source_merging() {
    let base = data(
        "base",
        map(vec![(
            "statement",
            list(vec![block(vec![
                ("sid", s("Admin")),
                ("actions", strs(&["*"])),
                ("resources", strs(&["*"])),
            ])]),
        )]),
    );
    // Sources are merged in.
    let merged = data(
        "merged",
        map(vec![
            (
                "source_policy_documents",
                list(vec![unknown("data.aws_iam_policy_document.base.json")]),
            ),
            (
                "statement",
                list(vec![block(vec![
                    ("actions", strs(&["s3:GetObject"])),
                    ("resources", strs(&["*"])),
                ])]),
            ),
        ]),
    );
    // A statement with the same sid replaces the source's.
    let replaced = data(
        "replaced",
        map(vec![
            (
                "source_policy_documents",
                list(vec![unknown("data.aws_iam_policy_document.base.json")]),
            ),
            (
                "statement",
                list(vec![block(vec![
                    ("sid", s("Admin")),
                    ("actions", strs(&["s3:GetObject"])),
                    ("resources", strs(&["*"])),
                ])]),
            ),
        ]),
    );
    // An override document (JSON text) replaces by sid too.
    let overridden = data(
        "overridden",
        map(vec![
            (
                "source_policy_documents",
                list(vec![unknown("data.aws_iam_policy_document.base.json")]),
            ),
            (
                "override_policy_documents",
                list(vec![s(
                    r#"{"Statement":[{"Sid":"Admin","Effect":"Allow","Action":"s3:List*","Resource":"*"}]}"#,
                )]),
            ),
        ]),
    );
    // An unknown override may replace any statement with a sid.
    let maybe = data(
        "maybe",
        map(vec![
            (
                "source_policy_documents",
                list(vec![unknown("data.aws_iam_policy_document.base.json")]),
            ),
            (
                "override_policy_documents",
                list(vec![unknown("var.overrides")]),
            ),
        ]),
    );
    // A dynamic statement block may be made any number of times.
    let dynamic = data(
        "dynamic",
        map(vec![(
            "statement",
            list(vec![block(vec![
                ("__dynamic", node(Value::Bool(true))),
                ("actions", strs(&["*"])),
                ("resources", strs(&["*"])),
            ])]),
        )]),
    );
    // A cycle is cut, not followed forever.
    let cycle = data(
        "cycle",
        map(vec![(
            "source_policy_documents",
            list(vec![unknown("data.aws_iam_policy_document.cycle.json")]),
        )]),
    );
    let base_ref = "data.aws_iam_policy_document.base";
    let g = graph(
        &[
            "data.aws_iam_policy_document.merged",
            "data.aws_iam_policy_document.replaced",
            "data.aws_iam_policy_document.overridden",
            "data.aws_iam_policy_document.maybe",
            "data.aws_iam_policy_document.dynamic",
            "data.aws_iam_policy_document.cycle",
        ],
        vec![
            (base, vec![]),
            (merged, vec![base_ref]),
            (replaced, vec![base_ref]),
            (overridden, vec![base_ref]),
            (maybe, vec![base_ref]),
            (dynamic, vec![]),
            (cycle, vec!["data.aws_iam_policy_document.cycle"]),
        ],
    );
    let at = |name: &str| unknown(&format!("data.aws_iam_policy_document.{name}.json"));
    let v = check_in(&FULL_ADMIN, &g, at("merged"));
    assert_eq!(v.truth, Truth::True);
    assert_eq!(seen(&v).0, "data.aws_iam_policy_document.base.statement[0]");
    assert_eq!(
        check_in(&FULL_ADMIN, &g, at("replaced")).truth,
        Truth::False
    );
    assert_eq!(
        check_in(&FULL_ADMIN, &g, at("overridden")).truth,
        Truth::False
    );
    let v = check_in(&FULL_ADMIN, &g, at("maybe"));
    assert_eq!(v.truth, Truth::Unknown);
    assert!(seen(&v).1.ends_with("(if this statement applies)"));
    assert_eq!(
        check_in(&FULL_ADMIN, &g, at("dynamic")).truth,
        Truth::Unknown
    );
    assert_eq!(check_in(&FULL_ADMIN, &g, at("cycle")).truth, Truth::Unknown);
}

// ---- CloudFormation intrinsics -------------------------------------------------------

fn cfn_graph() -> ResourceGraph {
    let cfn = |kind: NodeKind, type_name: &str, name: &str, attributes: Node| Resource {
        address: format!("t.yaml#{name}"),
        type_name: type_name.to_owned(),
        kind,
        framework: Framework::CloudFormation,
        span: span(),
        name_span: span(),
        attributes,
        scope: "cfn:t.yaml".to_owned(),
        local_name: name.to_owned(),
        labels: None,
        type_keys: vec![type_name.to_owned()],
        views: Default::default(),
        suppressions: Vec::new(),
    };
    let mut b = GraphBuilder::new();
    b.add(
        cfn(
            NodeKind::Resource,
            "AWS::IAM::Policy",
            "Policy",
            map(vec![]),
        ),
        vec![],
    );
    b.add(
        cfn(NodeKind::Resource, "AWS::S3::Bucket", "Bucket", map(vec![])),
        vec![],
    );
    b.add(
        cfn(
            NodeKind::Parameter,
            "parameter",
            "Everything",
            map(vec![("Default", s("*"))]),
        ),
        vec![],
    );
    b.add(
        cfn(
            NodeKind::Parameter,
            "parameter",
            "Open",
            map(vec![("Type", s("String"))]),
        ),
        vec![],
    );
    b.build()
}

fn fun(name: &str, argument: Node) -> Node {
    map(vec![(name, argument)])
}

#[test]
fn cloudformation_intrinsics() {
    let g = cfn_graph();
    // The template the documents are written in: they are read as the adapter finishes them.
    let template = map(vec![(
        "Parameters",
        map(vec![
            ("Everything", map(vec![("Default", s("*"))])),
            ("Open", map(vec![("Type", s("String"))])),
        ]),
    )]);
    let finish = |doc: Node| crate::testing::cloudformation_value(&template, &doc);
    let check = |h: &Helper, doc: Node| check_in(h, &g, finish(doc)).truth;
    let sub = fun("Fn::Sub", s("arn:aws:s3:::${Bucket}/*"));
    assert_eq!(
        check(&FULL_ADMIN, doc(vec![allow(s("*"), sub)])),
        Truth::False
    );
    let get_att = fun("Fn::GetAtt", strs(&["Bucket", "Arn"]));
    assert_eq!(
        check(&FULL_ADMIN, doc(vec![allow(s("*"), get_att)])),
        Truth::False
    );
    let everything = fun("Ref", s("Everything"));
    assert_eq!(
        check(&FULL_ADMIN, doc(vec![allow(s("*"), everything)])),
        Truth::True
    );
    let open = fun("Ref", s("Open"));
    assert_eq!(
        check(&FULL_ADMIN, doc(vec![allow(s("*"), open)])),
        Truth::Unknown
    );
    let joined = fun("Fn::Join", list(vec![s(""), strs(&["iam:", "PassRole"])]));
    assert_eq!(
        check(&PASSROLE_ON_ANY_RESOURCE, doc(vec![allow(joined, s("*"))])),
        Truth::True
    );
    let sub_vars = fun(
        "Fn::Sub",
        list(vec![s("${Svc}:*"), map(vec![("Svc", s("s3"))])]),
    );
    assert_eq!(
        check(
            &SERVICE_WILDCARD_ON_ALL_RESOURCES,
            doc(vec![allow(sub_vars, s("*"))])
        ),
        Truth::True
    );
    // Both branches of Fn::If are possible values: a statement in one counts.
    let maybe = fun(
        "Fn::If",
        list(vec![
            s("IsDev"),
            allow(s("*"), s("*")),
            fun("Ref", s("AWS::NoValue")),
        ]),
    );
    let v = check_in(
        &FULL_ADMIN,
        &g,
        finish(doc(vec![allow(s("s3:GetObject"), s("*")), maybe])),
    );
    assert_eq!(v.truth, Truth::True);
    assert_eq!(seen(&v).0, "Statement[1]");
    let neither = fun(
        "Fn::If",
        list(vec![
            s("IsDev"),
            allow(s("s3:*"), s("arn:aws:s3:::b")),
            fun("Ref", s("AWS::NoValue")),
        ]),
    );
    assert_eq!(check(&FULL_ADMIN, doc(vec![neither])), Truth::False);
    let effect = st(vec![
        (
            "Effect",
            fun("Fn::If", list(vec![s("C"), s("Deny"), s("Allow")])),
        ),
        ("Action", s("*")),
        ("Resource", s("*")),
    ]);
    assert_eq!(check(&FULL_ADMIN, doc(vec![effect])), Truth::True);
    let denied = st(vec![
        (
            "Effect",
            fun("Fn::If", list(vec![s("C"), s("Deny"), s("DENY")])),
        ),
        ("Action", s("*")),
        ("Resource", s("*")),
    ]);
    assert_eq!(check(&FULL_ADMIN, doc(vec![denied])), Truth::False);
    let resource = fun("Fn::If", list(vec![s("C"), s("arn:aws:s3:::b"), s("*")]));
    assert_eq!(
        check(&FULL_ADMIN, doc(vec![allow(s("*"), resource)])),
        Truth::True
    );
    let item = fun(
        "Fn::If",
        list(vec![
            s("C"),
            s("iam:PassRole"),
            fun("Ref", s("AWS::NoValue")),
        ]),
    );
    let actions = list(vec![s("s3:GetObject"), item]);
    assert_eq!(
        check(&PASSROLE_ON_ANY_RESOURCE, doc(vec![allow(actions, s("*"))])),
        Truth::True
    );
    // A condition present in one branch only: the other deploys a public policy.
    let org = map(vec![(
        "StringEquals",
        map(vec![("aws:PrincipalOrgID", s("o-1"))]),
    )]);
    let optional = fun(
        "Fn::If",
        list(vec![
            s("HasOrg"),
            org.clone(),
            fun("Ref", s("AWS::NoValue")),
        ]),
    );
    assert_eq!(
        check(&PUBLIC_PRINCIPAL, grant(s("*"), Some(optional))),
        Truth::True
    );
    let both = fun("Fn::If", list(vec![s("HasOrg"), org.clone(), org]));
    assert_eq!(
        check(&PUBLIC_PRINCIPAL, grant(s("*"), Some(both))),
        Truth::False
    );
    // Too many combinations: the choices are left unknown rather than multiplied out.
    let choice = || {
        fun(
            "Fn::If",
            list(vec![
                s("C"),
                s("Allow"),
                fun("Fn::If", list(vec![s("D"), s("Allow"), s("Deny")])),
            ]),
        )
    };
    let principal = || {
        fun(
            "Fn::If",
            list(vec![
                s("C"),
                s("*"),
                fun(
                    "Fn::If",
                    list(vec![s("D"), s("*"), s("arn:aws:iam::1:root")]),
                ),
            ]),
        )
    };
    let many = doc(vec![st(vec![
        ("Effect", choice()),
        ("Principal", principal()),
        ("NotPrincipal", principal()),
        ("Action", s("s3:GetObject")),
        (
            "Condition",
            fun(
                "Fn::If",
                list(vec![
                    s("C"),
                    map(vec![]),
                    fun("Fn::If", list(vec![s("D"), map(vec![]), map(vec![])])),
                ]),
            ),
        ),
    ])]);
    assert_eq!(check(&PUBLIC_PRINCIPAL, many), Truth::Unknown);
    // An element that is AWS::NoValue is absent.
    let no_condition = doc(vec![st(vec![
        ("Effect", s("Allow")),
        ("Principal", s("*")),
        ("Action", s("s3:GetObject")),
        ("Condition", fun("Ref", s("AWS::NoValue"))),
    ])]);
    assert_eq!(check(&PUBLIC_PRINCIPAL, no_condition), Truth::True);
    let account = map(vec![(
        "AWS",
        fun("Fn::Sub", s("arn:aws:iam::${AWS::AccountId}:root")),
    )]);
    assert_eq!(check(&PUBLIC_PRINCIPAL, grant(account, None)), Truth::False);
    let imported = map(vec![("AWS", fun("Fn::ImportValue", s("Principal")))]);
    assert_eq!(
        check(&PUBLIC_PRINCIPAL, grant(imported, None)),
        Truth::Unknown
    );
    // Outside CloudFormation a map is never an intrinsic.
    assert_eq!(
        truth(
            &FULL_ADMIN,
            doc(vec![allow(s("*"), fun("Ref", s("Everything")))])
        ),
        Truth::False
    );
}

#[test]
fn statements_model_is_public() {
    let g = cfn_graph();
    let policy = statements(
        &doc(vec![allow(
            strs(&["s3:GetObject", "s3:PutObject"]),
            s("arn:aws:s3:::b/*"),
        )]),
        "PolicyDocument",
        &g,
        ResourceId(0),
    );
    assert!(policy.gaps.is_empty());
    let [statement] = policy.statements.as_slice() else {
        panic!("one statement expected: {policy:?}");
    };
    assert_eq!(statement.allows(), Truth::True);
    assert_eq!(statement.grants("s3:putobject"), Truth::True);
    assert_eq!(statement.grants("s3:DeleteObject"), Truth::False);
    assert_eq!(statement.on_any_resource(), Truth::False);
    assert_eq!(statement.has_condition(), Truth::False);
    assert_eq!(statement.path, "Statement[0]");
}

// ---- conditions that restrict a public principal --------------------------------------

#[test]
fn public_principal_conditions_must_restrict() {
    let h = &PUBLIC_PRINCIPAL;
    let with = |operator: &str, key: &str, value: Node| {
        grant(s("*"), Some(map(vec![(operator, map(vec![(key, value)]))])))
    };
    // Open values, operators that hold when the key is absent, keys that restrict nobody.
    for open in [
        with("StringLike", "aws:PrincipalArn", s("arn:aws:iam::*")),
        with(
            "ArnLike",
            "aws:PrincipalArn",
            s("arn:aws:iam::*:role/admin"),
        ),
        with("ArnEquals", "aws:SourceArn", s("arn:aws:sns:*:*:topic")),
        with("StringLike", "aws:SourceAccount", s("*")),
        with("StringLike", "aws:PrincipalOrgID", s("o-*")),
        with("StringLike", "aws:SourceArn", s("arn:aws:s3:::*")),
        // Anyone can create a bucket whose name matches `logs-*`.
        with("StringLike", "aws:SourceArn", s("arn:aws:s3:::logs-*/*")),
        with(
            "StringLike",
            "aws:SourceAccount",
            strs(&["111122223333", "*"]),
        ),
        with(
            "StringEqualsIfExists",
            "aws:SourceAccount",
            s("111122223333"),
        ),
        with("ForAllValues:StringEquals", "aws:PrincipalOrgID", s("o-1")),
        with("StringNotEquals", "aws:PrincipalAccount", s("111122223333")),
        with("IpAddress", "aws:SourceIp", s("0.0.0.0/0")),
        with("Bool", "aws:SecureTransport", s("true")),
        with("StringEquals", "sts:ExternalId", s("secret")),
        with("StringEquals", "aws:PrincipalTag/team", s("ops")),
    ] {
        assert_eq!(truth(h, open), Truth::True);
    }
    let v = run(h, with("StringLike", "aws:SourceAccount", s("*")));
    assert_eq!(
        seen(&v).1,
        "Allow Principal \"*\" without a Condition that restricts the caller"
    );
    // Pinned values; under StringEquals `*` is a literal that no caller has.
    for pinned in [
        with("StringEquals", "aws:SourceAccount", s("*")),
        with("StringEquals", "aws:PrincipalArn", s("arn:aws:iam::*")),
        with(
            "StringLike",
            "aws:PrincipalArn",
            s("arn:aws:iam::111122223333:role/*"),
        ),
        with(
            "ArnLike",
            "aws:SourceArn",
            s("arn:aws:sns:*:111122223333:*"),
        ),
        with(
            "StringLike",
            "aws:SourceArn",
            s("arn:aws:s3:::logs-bucket/*"),
        ),
        with(
            "ForAnyValue:StringLike",
            "aws:PrincipalOrgPaths",
            s("o-1/r-1/*"),
        ),
        with("StringEquals", "kms:CallerAccount", s("111122223333")),
        with("IpAddress", "aws:SourceIp", s("203.0.113.0/24")),
        with("StringEquals", "aws:SourceVpce", s("vpce-1")),
        with("ArnLike", "aws:SourceArn", unknown("aws_sns_topic.t.arn")),
    ] {
        assert_eq!(truth(h, pinned), Truth::False);
    }
    // One restricting condition among others is enough.
    let both = grant(
        s("*"),
        Some(map(vec![
            ("Bool", map(vec![("aws:SecureTransport", s("true"))])),
            ("StringEquals", map(vec![("aws:PrincipalOrgID", s("o-1"))])),
        ])),
    );
    assert_eq!(truth(h, both), Truth::False);
    // An operator that pins nobody does not, whatever its value.
    let bool_unknown_key = grant(
        s("*"),
        Some(map(vec![(
            "Bool",
            map(vec![("aws:SecureTransport", unknown("var.flag"))]),
        )])),
    );
    assert_eq!(truth(h, bool_unknown_key), Truth::True);
    // A pattern known only at deployment may be open.
    assert_eq!(
        truth(h, with("StringLike", "aws:SourceArn", unknown("var.arn"))),
        Truth::Unknown
    );
}

#[test]
fn public_principal_vpc_endpoint_owner_keys() {
    let h = &PUBLIC_PRINCIPAL;
    let with = |operator: &str, key: &str, value: Node| {
        grant(s("*"), Some(map(vec![(operator, map(vec![(key, value)]))])))
    };
    // The account, organisation or OU owning the VPC endpoint pins the network path.
    for pinned in [
        with("StringEquals", "aws:VpceAccount", s("111122223333")),
        with("StringEquals", "aws:VpceOrgID", s("o-1")),
        with("ForAnyValue:StringLike", "aws:VpceOrgPaths", s("o-1/r-1/*")),
    ] {
        assert_eq!(truth(h, pinned), Truth::False);
    }
    // Open patterns, or an IfExists operator, pin nobody.
    for open in [
        with("StringLike", "aws:VpceAccount", s("*")),
        with("StringLike", "aws:VpceOrgPaths", s("*/r-1/*")),
        with("StringEqualsIfExists", "aws:VpceOrgID", s("o-1")),
    ] {
        assert_eq!(truth(h, open), Truth::True);
    }
}

#[test]
fn wildcard_actions_and_all_actions() {
    let h = &WILDCARD_ACTION_ON_ALL_RESOURCES;
    for action in [
        "s3:*",
        "s3:Get*",
        "dynamodb:*Item",
        "*:Describe*",
        "iam:P?ssRole",
    ] {
        assert_eq!(truth(h, doc(vec![allow(s(action), s("*"))])), Truth::True);
    }
    for (action, resource) in [
        ("ec2:Describe*", "*"),
        ("autoscaling:Describe*", "*"),
        ("s3:GetObject", "*"),
        ("*", "*"),
        ("s3:*", "arn:aws:s3:::b/*"),
    ] {
        assert_eq!(
            truth(h, doc(vec![allow(s(action), s(resource))])),
            Truth::False,
            "{action} on {resource}"
        );
    }
    assert_eq!(
        truth(h, doc(vec![allow(unknown("var.action"), s("*"))])),
        Truth::Unknown
    );

    let h = &ALLOW_ALL_ACTIONS;
    let v = run(h, doc(vec![allow(s("*"), s("arn:aws:s3:::b"))]));
    assert_eq!(v.truth, Truth::True);
    assert_eq!(seen(&v).1, "Allow \"*\" on \"arn:aws:s3:::b\"");
    let not_resource = doc(vec![st(vec![
        ("Effect", s("Allow")),
        ("Action", s("*:*")),
        ("NotResource", s("arn:aws:s3:::b")),
    ])]);
    assert_eq!(truth(h, not_resource), Truth::True);
    // On every resource it is full administrative access, another helper's.
    assert_eq!(truth(h, doc(vec![allow(s("*"), s("*"))])), Truth::False);
    assert_eq!(
        truth(h, doc(vec![allow(s("s3:*"), s("arn:aws:s3:::b"))])),
        Truth::False
    );
    let deny = doc(vec![st(vec![
        ("Effect", s("Deny")),
        ("Action", s("*")),
        ("Resource", s("arn:aws:s3:::b")),
    ])]);
    assert_eq!(truth(h, deny), Truth::False);
}

#[test]
fn policy_text_that_is_not_json_is_unknown() {
    for text in ["{\"Statement\": [", "not json", "[]", ""] {
        let v = run(&FULL_ADMIN, s(text));
        assert_eq!(v.truth, Truth::Unknown, "{text:?}");
        assert!(seen(&v).1.starts_with("a policy that is not valid JSON"));
    }
}

// ---- risk helpers (actions.rs tables) ------------------------------------------------

#[test]
fn github_subject_must_start_with_an_owner_claim() {
    let h = &WEB_IDENTITY_WITHOUT_SUBJECT;
    for (operator, value) in [
        ("StringEquals", "environment:prod"),
        ("StringEquals", "ref:refs/heads/main"),
        ("StringLike", "workflow:deploy"),
        ("StringLike", "context:*"),
        ("StringEquals", "job_workflow_sha:abc"),
    ] {
        assert_eq!(
            truth(h, github(Some(cond(operator, SUB, s(value))))),
            Truth::True,
            "{operator} {value}"
        );
    }
    // One abusable value among pinned ones opens the condition.
    assert_eq!(
        truth(
            h,
            github(Some(cond(
                "StringEquals",
                SUB,
                strs(&["repo:org/app:ref:refs/heads/main", "environment:prod"])
            )))
        ),
        Truth::True
    );
    for (operator, value) in [
        ("StringEquals", "repo:org/app:environment:prod"),
        ("StringLike", "repo:org/*"),
        ("StringEquals", "repository_owner_id:1234567"),
        ("StringLike", "repository_id:42:*"),
        (
            "StringEquals",
            "job_workflow_ref:org/ci/.github/workflows/d.yml@refs/heads/main",
        ),
        ("StringEquals", "repo:org@123/app@456:ref:refs/heads/main"),
    ] {
        assert_eq!(
            truth(h, github(Some(cond(operator, SUB, s(value))))),
            Truth::False,
            "{operator} {value}"
        );
    }
    // Other issuers keep their own subject shapes.
    let eks = trust(
        map(vec![(
            "Federated",
            s("arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
        )]),
        "sts:AssumeRoleWithWebIdentity",
        Some(cond(
            "StringEquals",
            "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub",
            s("system:serviceaccount:app:web"),
        )),
    );
    assert_eq!(truth(h, eks), Truth::False);
}

fn with_condition(action: &str) -> Node {
    st(vec![
        ("Effect", s("Allow")),
        ("Action", s(action)),
        ("Resource", s("*")),
        (
            "Condition",
            map(vec![(
                "StringEquals",
                map(vec![("aws:ResourceTag/team", s("payments"))]),
            )]),
        ),
    ])
}

fn deny(action: &str) -> Node {
    st(vec![
        ("Effect", s("Deny")),
        ("Action", s(action)),
        ("Resource", s("*")),
    ])
}

#[test]
fn listed_risks() {
    let cases: [(&Helper, &str, &str); 4] = [
        (
            &CREDENTIALS_EXPOSURE,
            "sts:GetSessionToken",
            "ecr:GetAuthorizationToken",
        ),
        (
            &DATA_EXFILTRATION,
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        ),
        (
            &PERMISSIONS_MANAGEMENT,
            "s3:PutBucketPolicy",
            "s3:PutObject",
        ),
        (
            &PRIVILEGE_ESCALATION,
            "iam:CreatePolicyVersion",
            "iam:GetPolicyVersion",
        ),
    ];
    for (h, risky, harmless) in cases {
        let name = h.name;
        assert_eq!(
            truth(h, doc(vec![allow(s(risky), s("*"))])),
            Truth::True,
            "{name}"
        );
        // Any case, any wildcard that covers it.
        let lower = risky.to_ascii_lowercase();
        assert_eq!(
            truth(h, doc(vec![allow(s(&lower), s("*"))])),
            Truth::True,
            "{name}"
        );
        let service = risky.split(':').next().unwrap_or_default();
        let wide = format!("{service}:*");
        assert_eq!(
            truth(h, doc(vec![allow(s(&wide), s("*"))])),
            Truth::True,
            "{name}"
        );
        // Through NotAction that does not exclude it.
        let not_action = doc(vec![st(vec![
            ("Effect", s("Allow")),
            ("NotAction", s("ec2:*")),
            ("Resource", s("*")),
        ])]);
        assert_eq!(truth(h, not_action), Truth::True, "{name}");
        // Not: another action, specific resources, NotResource, a condition, Deny, Action *.
        assert_eq!(
            truth(h, doc(vec![allow(s(harmless), s("*"))])),
            Truth::False,
            "{name}"
        );
        let arn = "arn:aws:s3:::bucket/*";
        assert_eq!(
            truth(h, doc(vec![allow(s(risky), s(arn))])),
            Truth::False,
            "{name}"
        );
        let not_resource = doc(vec![st(vec![
            ("Effect", s("Allow")),
            ("Action", s(risky)),
            ("NotResource", s(arn)),
        ])]);
        assert_eq!(truth(h, not_resource), Truth::False, "{name}");
        assert_eq!(
            truth(h, doc(vec![with_condition(risky)])),
            Truth::False,
            "{name}"
        );
        let denied = doc(vec![allow(s(risky), s("*")), deny(&wide)]);
        assert_eq!(truth(h, denied), Truth::False, "{name}");
        let refused = doc(vec![st(vec![
            ("Effect", s("Deny")),
            ("Action", s(risky)),
            ("Resource", s("*")),
        ])]);
        assert_eq!(truth(h, refused), Truth::False, "{name}");
        assert_eq!(
            truth(h, doc(vec![allow(s("*"), s("*"))])),
            Truth::False,
            "{name}"
        );
    }
    let v = run(&DATA_EXFILTRATION, doc(vec![allow(s("s3:Get*"), s("*"))]));
    assert_eq!(
        seen(&v).1,
        "Allow \"s3:Get*\" (s3:GetObject) on \"*\" without Condition"
    );
    // A Deny with a condition refuses only sometimes: the Allow still counts.
    let mut conditional_deny = deny("s3:GetObject");
    if let Value::Map(m) = &mut conditional_deny.value {
        m.insert(crate::value::Entry {
            key: "Condition".to_owned(),
            key_span: span(),
            value: map(vec![(
                "Bool",
                map(vec![("aws:SecureTransport", s("false"))]),
            )]),
        });
    }
    let policy = doc(vec![allow(s("s3:GetObject"), s("*")), conditional_deny]);
    assert_eq!(truth(&DATA_EXFILTRATION, policy), Truth::True);
}

#[test]
fn privilege_escalation_methods() {
    let h = &PRIVILEGE_ESCALATION;
    // iam:PassRole alone is no method here (AWS-IAM-003 judges it); with ec2:RunInstances it is,
    // across statements.
    assert_eq!(
        truth(h, doc(vec![allow(s("iam:PassRole"), s("*"))])),
        Truth::False
    );
    let pass_and_run = doc(vec![
        allow(s("iam:PassRole"), s("*")),
        allow(s("ec2:RunInstances"), s("*")),
    ]);
    let v = run(h, pass_and_run);
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v).1,
        "Allow \"iam:PassRole\" on \"*\" without Condition with ec2:RunInstances: privilege escalation CreateEC2WithExistingIP"
    );
    let scoped_pass = doc(vec![
        allow(s("iam:PassRole"), s("arn:aws:iam::123456789012:role/app")),
        allow(s("ec2:RunInstances"), s("*")),
    ]);
    assert_eq!(truth(h, scoped_pass), Truth::False);
    let v = run(h, doc(vec![allow(s("iam:Put*"), s("*"))]));
    assert_eq!(v.truth, Truth::True);
    assert_eq!(
        seen(&v).1,
        "Allow \"iam:Put*\" (iam:PutUserPolicy) on \"*\" without Condition: privilege escalation PutUserPolicy"
    );
    assert_eq!(truth(h, doc(vec![allow(s("iam:*"), s("*"))])), Truth::True);
    assert_eq!(
        truth(h, doc(vec![allow(s("lambda:UpdateFunctionCode"), s("*"))])),
        Truth::True
    );
    assert_eq!(
        truth(
            h,
            doc(vec![allow(
                strs(&["iam:Get*", "iam:List*", "iam:PassRole"]),
                s("*")
            )])
        ),
        Truth::False
    );
}

#[test]
fn write_access() {
    let h = &WRITE_WITHOUT_CONSTRAINTS;
    for action in [
        "s3:PutObject",
        "s3:*",
        "s3:Put*",
        "dynamodb:*Item",
        "kms:Decrypt",
        "logs:CreateLogStream",
        "ec2:G*",
        "xray:Put*",
    ] {
        assert_eq!(
            truth(h, doc(vec![allow(s(action), s("*"))])),
            Truth::True,
            "{action}"
        );
    }
    for action in [
        "s3:GetObject",
        "s3:Get*",
        "s3:List*",
        "ec2:Describe*",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "ecr:BatchCheckLayerAvailability",
        "ec2:Tag*",
        "ec2:CreateTags",
        "elasticloadbalancing:AddTags",
        "rds:RemoveTagsFromResource",
        "xray:PutTraceSegments",
        "cloudwatch:putmetricdata",
        "ssmmessages:CreateControlChannel",
        "*",
    ] {
        assert_eq!(
            truth(h, doc(vec![allow(s(action), s("*"))])),
            Truth::False,
            "{action}"
        );
    }
    assert_eq!(
        truth(
            h,
            doc(vec![allow(s("s3:PutObject"), s("arn:aws:s3:::b/*"))])
        ),
        Truth::False
    );
    assert_eq!(
        truth(h, doc(vec![with_condition("s3:PutObject")])),
        Truth::False
    );
    let not_action = doc(vec![st(vec![
        ("Effect", s("Allow")),
        ("NotAction", s("iam:*")),
        ("Resource", s("*")),
    ])]);
    assert_eq!(truth(h, not_action), Truth::True);
    let v = run(
        h,
        doc(vec![allow(
            strs(&["s3:GetObject", "s3:DeleteObject"]),
            s("*"),
        )]),
    );
    assert_eq!(
        seen(&v).1,
        "Allow \"s3:DeleteObject\" on \"*\" without Condition"
    );
}
