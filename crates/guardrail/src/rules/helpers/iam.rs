//! IAM policy helpers: one normalized statement model ([`Policy`], [`Statement`]) read from
//! every form a policy document takes, and the helpers as queries over it.
//!
//! # Input forms
//!
//! - a map: CloudFormation `PolicyDocument`, `KeyPolicy`, `AssumeRolePolicyDocument`, an
//!   evaluated Terraform `jsonencode({...})`. CloudFormation intrinsics inside it are read as
//!   far as the template allows (`Ref` to a parameter default, `Fn::Sub`/`Fn::Join` text,
//!   `Fn::If` branches as possible values);
//! - a JSON string (a Terraform heredoc or literal); its nodes have no spans of their own, so
//!   everything in it is blamed on the string;
//! - an unknown Terraform value: `data.aws_iam_policy_document.NAME.json` is followed through
//!   the graph to the data source and its `statement` blocks (with `source_policy_documents`
//!   and `override_policy_documents` merged as Terraform merges them, by `sid`); a heredoc
//!   with `${…}` interpolations is parsed with each interpolation standing for text known
//!   only at deployment; anything else is unknown;
//! - the attributes of an `aws_iam_policy_document` data source itself (a map with
//!   `statement` blocks).
//!
//! # Semantics
//!
//! Element names (`Effect`, `Action`, …) and `Allow` are matched without regard to case.
//! Actions match case-insensitively with IAM's wildcards `*` and `?`, and a statement with
//! `NotAction` grants every action its list does not match. A value known only at deployment
//! is kept as a [`Term`] made of the text around it and placeholders ([`Part`]); a question
//! whose answer such a value could change is unknown, one it cannot change (an ARN from
//! `Fn::GetAtt` is never `*`; `"${aws_s3_bucket.b.arn}/*"` is never `*`) is decided.
//! Both branches of a CloudFormation `Fn::If` are possible values, as everywhere in rule
//! evaluation: a statement in a branch counts like any other, and a statement whose
//! `Effect`, `Principal`, `NotPrincipal` or `Condition` is an `Fn::If` is judged once per
//! combination of branches. Statements that may not exist at all (a Terraform `dynamic`
//! block, which may make none; a statement an unknown override document may replace) never
//! make a helper true, only unknown.

mod actions;
mod model;
mod read;

pub use model::{Condition, Gap, Part, Policy, Principal, Statement, Term, glob_match};
pub use read::statements;

use model::{Found, all_actions_pattern, any_term, list_shown};

use super::{
    AttrPath, Blame, HelperCall, Truth, Verdict, and, any_verdict, arg, declare_helper, or,
};

declare_helper!(
    FULL_ADMIN,
    "iam.full_admin",
    1,
    full_admin,
    "True when the policy document has an Allow statement with Action `*` (or `*:*`) on \
Resource `*`: full administrative access. Conditions on the statement do not change the \
answer. `NotAction` and `NotResource` statements are not counted here (see \
`iam.allow_not_action`).\n\nExample: `not iam.full_admin(Properties.PolicyDocument)`",
);

declare_helper!(
    SERVICE_WILDCARD_ON_ALL_RESOURCES,
    "iam.service_wildcard_on_all_resources",
    1,
    service_wildcard_on_all_resources,
    "True when the policy document has an Allow statement with an action of the form \
`service:*` (every action of one service, such as `s3:*`) on Resource `*`. Statements that \
also allow Action `*` are left to `iam.full_admin`. Meant for identity policies: in a KMS key \
policy Resource `*` is the key itself, and `kms:*` for the account root is AWS's default.\n\nExample: \
`not iam.service_wildcard_on_all_resources(Properties.PolicyDocument)`",
);

declare_helper!(
    WILDCARD_ACTION_ON_ALL_RESOURCES,
    "iam.wildcard_action_on_all_resources",
    1,
    wildcard_action_on_all_resources,
    "True when the policy document has an Allow statement on Resource `*` whose actions \
include a wildcard pattern narrower than every action: `s3:*`, `s3:Get*`, `dynamodb:*Item`, \
`*:Describe*`. Statements that also allow Action `*` are left to `iam.full_admin`. Patterns \
that only match actions which accept no resource but `*` (`ec2:Describe*`, \
`autoscaling:Describe*`, `elasticloadbalancing:Describe*`) are not counted: `*` is the only \
resource they can have. Conditions do not change the answer. Meant for identity policies.\n\n\
Example: `not iam.wildcard_action_on_all_resources(policy)`",
);

declare_helper!(
    ALLOW_ALL_ACTIONS,
    "iam.allow_all_actions",
    1,
    allow_all_actions,
    "True when the policy document has an Allow statement with Action `*` (or `*:*`) that \
does not apply to Resource `*` (specific resources, or `NotResource`): every action of every \
service on those resources. The same on Resource `*` is `iam.full_admin`.\n\nExample: \
`not iam.allow_all_actions(policy)`",
);

declare_helper!(
    PASSROLE_ON_ANY_RESOURCE,
    "iam.passrole_on_any_resource",
    1,
    passrole_on_any_resource,
    "True when the policy document has an Allow statement whose actions grant \
`iam:PassRole` (`iam:PassRole` itself, `iam:*`, `iam:Pass*`, `*`, or a `NotAction` list that \
does not exclude it) on Resource `*`: whoever holds it can hand any role to a service and \
act with that role's permissions.\n\nExample: `not iam.passrole_on_any_resource(policy)`",
);

declare_helper!(
    ALLOW_NOT_ACTION,
    "iam.allow_not_action",
    1,
    allow_not_action,
    "True when the policy document has an Allow statement with `NotAction`: it grants every \
action of every service except those listed, almost always far more than intended. Deny \
statements with `NotAction` are a common, safe pattern and are not counted.\n\nExample: \
`not iam.allow_not_action(Properties.PolicyDocument)`",
);

declare_helper!(
    PUBLIC_PRINCIPAL,
    "iam.public_principal",
    1,
    public_principal,
    "True when the policy document has an Allow statement whose principal is anyone \
(`Principal: \"*\"`, `{\"AWS\": \"*\"}`, a list containing `\"*\"`, Terraform `principals` of \
type `*` or `AWS` with identifier `*`), or an Allow statement with `NotPrincipal` (everyone \
but the listed principals), and no condition that restricts who can use it. A condition \
restricts when it pins the caller's account, organisation, network or source to values that \
are not open: `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOwner`, `aws:SourceOrgID`, \
`aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, \
`kms:CallerAccount`, `s3:DataAccessPointAccount`, `aws:SourceVpc`, `aws:SourceVpce`, \
`aws:VpceAccount`, `aws:VpceOrgID`, `aws:VpceOrgPaths` under \
`StringEquals` (where `*` is a literal, so even `*` matches no real caller), or under \
`StringLike` / `ArnLike` / `ArnEquals` with no wildcard in the account (ARNs: the account \
field, or for S3 the bucket name; ids: up to the first `/`); `aws:SourceIp` / \
`aws:VpcSourceIp` under `IpAddress` with no `/0` range. `…IfExists`, `ForAllValues:` and \
negated operators restrict nothing (they hold when the key is absent, or for everyone but \
some), nor do other keys (`aws:SecureTransport`, `aws:PrincipalTag/…`, `sts:ExternalId`). \
Deny statements never count.\n\n\
Example: `not iam.public_principal(Properties.PolicyDocument)`",
);

declare_helper!(
    WEB_IDENTITY_WITHOUT_SUBJECT,
    "iam.web_identity_without_subject",
    1,
    web_identity_without_subject,
    "True when a trust policy lets a `Federated` (OIDC) principal call \
`sts:AssumeRoleWithWebIdentity` without pinning the token's subject: no `StringEquals` / \
`StringLike` condition (with or without `ForAnyValue:` / `ForAllValues:` or `IfExists`) on a \
key ending in `:sub` (such as `token.actions.githubusercontent.com:sub`), or one whose values \
under `StringLike` leave the owner open (`*`, `repo:*`, `repo:*/*`, `repo:my-org*/app`: the \
part after the `repo:`-style prefix and before the first `/` or `:` has a wildcard). An \
`aud`-only condition lets any repository of a shared issuer such as GitHub assume the role. \
For GitHub Actions (`token.actions.githubusercontent.com…:sub`) a value must also start \
with a claim that names the repository or its owner (`repo:`, `repository_owner:`, \
`repository_owner_id:`, `repository_id:`, `job_workflow_ref:`, …): a customised subject \
starting with `environment:`, `ref:`, `workflow:` or `context:` is reproduced by anyone's \
repository, under `StringEquals` too. \
Under `StringEquals` a `*` is a literal, so it constrains. For providers whose tokens name \
the customer's own application (Cognito identity pools, Google, Facebook, Login with \
Amazon), a pinned `cognito-identity.amazonaws.com:aud`, `accounts.google.com:aud`, \
`graph.facebook.com:app_id` or `www.amazon.com:app_id` is the constraint. A Deny statement refusing the action when `:sub` is \
`StringNotEquals`/`StringNotLike` a pinned value counts as a constraint; SAML providers are \
not web identities.\n\nExample: \
`not iam.web_identity_without_subject(Properties.AssumeRolePolicyDocument)`",
);

declare_helper!(
    PRIVILEGE_ESCALATION,
    "iam.privilege_escalation",
    1,
    privilege_escalation,
    "True when the policy document grants, on Resource `*` and without a Condition, every \
action of one privilege-escalation method (Rhino Security Labs' list as cloudsplaining \
keeps it: `iam:CreatePolicyVersion`, `iam:PutRolePolicy`, `iam:AttachUserPolicy`, \
`iam:UpdateAssumeRolePolicy`, `iam:CreateAccessKey`, `iam:PassRole` with `ec2:RunInstances`, \
`lambda:UpdateFunctionCode`, …; the table is in `iam/actions.rs`). The actions may come \
from different Allow statements; an action an unconditional Deny statement refuses on `*` \
is not granted. Statements that allow Action `*` are left to `iam.full_admin`. Meant for \
identity policies.\n\nExample: `not iam.privilege_escalation(policy)`",
);

declare_helper!(
    CREDENTIALS_EXPOSURE,
    "iam.credentials_exposure",
    1,
    credentials_exposure,
    "True when an Allow statement without a Condition grants, on Resource `*`, an action \
whose response carries credentials (`iam:CreateAccessKey`, `sts:GetSessionToken`, \
`redshift:GetClusterCredentials`, `sso:GetRoleCredentials`, … from cloudsplaining's list, \
without `ecr:GetAuthorizationToken`) that no unconditional Deny statement refuses. \
Statements that allow Action `*` are left to `iam.full_admin`.\n\nExample: \
`not iam.credentials_exposure(policy)`",
);

declare_helper!(
    DATA_EXFILTRATION,
    "iam.data_exfiltration",
    1,
    data_exfiltration,
    "True when an Allow statement without a Condition grants, on Resource `*`, a read that \
hands over stored data or secrets (`s3:GetObject`, `ssm:GetParameter(s)`, \
`secretsmanager:GetSecretValue`, `kms:Decrypt`, `rds:CopyDBSnapshot`, …) that no \
unconditional Deny statement refuses. Statements that allow Action `*` are left to \
`iam.full_admin`.\n\nExample: `not iam.data_exfiltration(policy)`",
);

declare_helper!(
    PERMISSIONS_MANAGEMENT,
    "iam.permissions_management",
    1,
    permissions_management,
    "True when an Allow statement without a Condition grants, on Resource `*`, an action \
that changes who may use a resource (identity policies and their attachments, \
resource-based policies, ACLs, KMS grants, RAM shares: `iam:PutRolePolicy`, \
`s3:PutBucketPolicy`, `kms:CreateGrant`, `lambda:AddPermission`, …) that no unconditional \
Deny statement refuses. Statements that allow Action `*` are left to \
`iam.full_admin`.\n\nExample: `not iam.permissions_management(policy)`",
);

declare_helper!(
    WRITE_WITHOUT_CONSTRAINTS,
    "iam.write_without_constraints",
    1,
    write_without_constraints,
    "True when an Allow statement without a Condition grants, on Resource `*`, an action \
that may change something: one whose name does not start with a read verb (`Get`, `List`, \
`Describe`, `Search`, `Query`, `Scan`, …) or a tagging verb (`Tag`, `Untag`), a wildcard \
that may match such a name (`s3:*`, `s3:Put*`), or `NotAction`. Write actions that accept \
no resource but `*` (`xray:PutTraceSegments`, `cloudwatch:PutMetricData`, Session Manager's \
`ssmmessages:*` calls) are not counted. Statements that allow Action `*` are left to \
`iam.full_admin`.\n\nExample: `not iam.write_without_constraints(policy)`",
);

/// Runs `test` on every statement of every value of the call's first argument.
fn query(call: &HelperCall<'_>, test: impl Fn(&Statement, &Policy) -> Found) -> Verdict {
    any_verdict(arg(call, 0).iter().map(|a| {
        let policy = statements(&a.node, a.path, call.graph, call.resource);
        judge(&policy, &test)
    }))
}

/// True at the first statement that holds, else unknown at the first that may (or at the
/// first unreadable part), else false.
fn judge(policy: &Policy, test: &impl Fn(&Statement, &Policy) -> Found) -> Verdict {
    let mut maybe: Option<Verdict> = None;
    for statement in &policy.statements {
        let found = test(statement, policy);
        let (truth, seen) = match (found.truth, statement.conditional) {
            (Truth::True, true) => (
                Truth::Unknown,
                format!("{} (if this statement applies)", found.shown),
            ),
            (truth, _) => (truth, found.shown),
        };
        let verdict = Verdict {
            truth,
            blame: Some(Blame {
                span: statement.span,
                path: AttrPath::parse(&statement.path),
                seen,
                default: false,
            }),
        };
        match truth {
            Truth::True => return verdict,
            Truth::Unknown if maybe.is_none() => maybe = Some(verdict),
            _ => {}
        }
    }
    maybe
        .or_else(|| gap_verdict(policy))
        .unwrap_or_else(|| Verdict::of(Truth::False))
}

/// Unknown at the first unreadable part of the document, if it has one.
fn gap_verdict(policy: &Policy) -> Option<Verdict> {
    policy.gaps.first().map(|g| Verdict {
        truth: Truth::Unknown,
        blame: Some(Blame {
            span: g.span,
            path: AttrPath::parse(&g.path),
            seen: g.seen.clone(),
            default: false,
        }),
    })
}

fn full_admin(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let action = match &s.actions {
            Some(actions) => any_term(actions, Term::is_all_actions),
            None => Found::no(),
        };
        allowed_on_any_resource(s, action, "")
    })
}

/// A statement that allows `action` on any resource; `label` follows the action when shown.
fn allowed_on_any_resource(s: &Statement, action: Found, label: &str) -> Found {
    let resource = s.any_resource();
    Found {
        truth: and(and(s.allows(), action.truth), resource.truth),
        shown: format!(
            "{} {}{label} on {}",
            s.effect_shown(),
            action.shown,
            resource.shown
        ),
    }
}

fn service_wildcard_on_all_resources(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let Some(actions) = &s.actions else {
            return Found::no();
        };
        if actions.iter().any(|t| t.is_all_actions() == Truth::True) {
            return Found::no();
        }
        let action = any_term(actions, Term::is_service_wildcard);
        allowed_on_any_resource(s, action, "")
    })
}

/// Action patterns whose every match accepts no resource but `*` (lower case): a pattern
/// that starts with one of these (no wildcard before its end) is not counted by
/// [`wildcard_action_on_all_resources`].
const ONLY_STAR_RESOURCE_FAMILIES: &[&str] = &[
    "ec2:describe",
    "autoscaling:describe",
    "elasticloadbalancing:describe",
];

/// Whether an action pattern has a wildcard but is not every action, and may match an
/// action that accepts a resource narrower than `*`.
fn is_wildcard_action(term: &Term) -> Truth {
    if term.is_all_actions() == Truth::True {
        return Truth::False;
    }
    match term.as_literal() {
        Some(t) => {
            let lower = t.to_ascii_lowercase();
            let only_star = ONLY_STAR_RESOURCE_FAMILIES
                .iter()
                .any(|family| lower.starts_with(family));
            Truth::from_bool(t.contains(['*', '?']) && !only_star)
        }
        None => {
            let wildcard = term.parts.iter().any(|p| match p {
                Part::Text(t) => t.contains(['*', '?']),
                _ => false,
            });
            if term.parts.contains(&Part::Any) {
                Truth::Unknown
            } else {
                Truth::from_bool(wildcard)
            }
        }
    }
}

fn wildcard_action_on_all_resources(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let Some(actions) = &s.actions else {
            return Found::no();
        };
        if actions.iter().any(|t| t.is_all_actions() == Truth::True) {
            return Found::no();
        }
        let action = any_term(actions, is_wildcard_action);
        allowed_on_any_resource(s, action, "")
    })
}

// ---------------------------------------------------------------------------------------
// Risks of identity policies: actions from the tables in `actions.rs` granted on every
// resource with nothing constraining them.
// ---------------------------------------------------------------------------------------

/// Whether the statement allows Action `*` (judged by `iam.full_admin`, not by the risk
/// helpers).
fn allows_every_action(s: &Statement) -> bool {
    s.actions
        .as_ref()
        .is_some_and(|actions| actions.iter().any(|t| t.is_all_actions() == Truth::True))
}

/// Whether the statement grants `action` on every resource with nothing constraining it:
/// Allow, Resource `*`, no Condition. Any condition counts as a constraint, as in
/// cloudsplaining: tag, region, `iam:PassedToService` and permissions-boundary conditions are
/// how these actions are scoped when their resources cannot be named.
fn unconstrained(s: &Statement, action: &str) -> Found {
    if allows_every_action(s) {
        return Found::no();
    }
    let granted = s.grants_found(action);
    let resource = s.any_resource();
    let mut truth = and(
        and(s.allows(), granted.truth),
        and(resource.truth, s.has_condition().not()),
    );
    if s.conditional && truth == Truth::True {
        truth = Truth::Unknown;
    }
    let named = if granted.shown.contains(action) {
        String::new()
    } else {
        format!(" ({action})")
    };
    Found {
        truth,
        shown: format!(
            "{} {}{named} on {} without Condition",
            s.effect_shown(),
            granted.shown,
            resource.shown
        ),
    }
}

/// Whether an unconditional Deny statement of the document refuses `action` on every
/// resource (then no Allow grants it).
fn denied(policy: &Policy, action: &str) -> bool {
    policy.statements.iter().any(|s| {
        !s.conditional
            && s.conditions.is_empty()
            && s.effect
                .as_ref()
                .is_some_and(|e| e.equals_ignore_case("Deny") == Truth::True)
            && s.grants(action) == Truth::True
            && s.on_any_resource() == Truth::True
    })
}

/// The first action of `list` the statement grants without constraints (and the document
/// does not deny), else the first it may grant.
fn grants_listed(s: &Statement, policy: &Policy, list: &[&str]) -> Found {
    let mut maybe = None;
    for &action in list {
        let found = unconstrained(s, action);
        match found.truth {
            Truth::True if !denied(policy, action) => return found,
            Truth::Unknown if maybe.is_none() && !denied(policy, action) => maybe = Some(found),
            _ => {}
        }
    }
    maybe.unwrap_or_else(Found::no)
}

fn credentials_exposure(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, policy| {
        grants_listed(s, policy, actions::CREDENTIALS_EXPOSURE)
    })
}

fn data_exfiltration(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, policy| {
        grants_listed(s, policy, actions::DATA_EXFILTRATION)
    })
}

fn permissions_management(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, policy| {
        grants_listed(s, policy, actions::PERMISSIONS_MANAGEMENT)
    })
}

/// The statement that best grants `action` without constraints: true, else may.
fn best_grant<'p>(policy: &'p Policy, action: &str) -> Option<(Truth, &'p Statement, Found)> {
    if denied(policy, action) {
        return None;
    }
    let mut maybe = None;
    for s in &policy.statements {
        let found = unconstrained(s, action);
        match found.truth {
            Truth::True => return Some((Truth::True, s, found)),
            Truth::Unknown if maybe.is_none() => maybe = Some((Truth::Unknown, s, found)),
            _ => {}
        }
    }
    maybe
}

fn privilege_escalation(call: &HelperCall<'_>) -> Verdict {
    any_verdict(arg(call, 0).iter().map(|a| {
        let policy = statements(&a.node, a.path, call.graph, call.resource);
        escalation(&policy)
    }))
}

/// True at the statement granting the first action of the first method the document grants
/// whole, else unknown at the first method it may grant, else unknown at a gap, else false.
fn escalation(policy: &Policy) -> Verdict {
    let mut maybe: Option<Verdict> = None;
    for &(method, actions) in actions::PRIVILEGE_ESCALATION {
        let mut truth = Truth::True;
        let mut first = None;
        for &action in actions {
            match best_grant(policy, action) {
                Some((t, s, found)) => {
                    truth = and(truth, t);
                    first.get_or_insert((s, found));
                }
                None => {
                    truth = Truth::False;
                    break;
                }
            }
        }
        let Some((statement, found)) = first else {
            continue;
        };
        if truth == Truth::False {
            continue;
        }
        let others: Vec<&str> = actions.iter().skip(1).copied().collect();
        let with = if others.is_empty() {
            String::new()
        } else {
            format!(" with {}", others.join(", "))
        };
        let verdict = Verdict {
            truth,
            blame: Some(Blame {
                span: statement.span,
                path: AttrPath::parse(&statement.path),
                seen: format!("{}{with}: privilege escalation {method}", found.shown),
                default: false,
            }),
        };
        match truth {
            Truth::True => return verdict,
            _ if maybe.is_none() => maybe = Some(verdict),
            _ => {}
        }
    }
    maybe
        .or_else(|| gap_verdict(policy))
        .unwrap_or_else(|| Verdict::of(Truth::False))
}

/// Whether an action pattern may match an action that changes something (see
/// [`WRITE_WITHOUT_CONSTRAINTS`]).
fn is_write_pattern(term: &Term) -> Truth {
    let Some(pattern) = term.as_literal() else {
        // A service known only at deployment (`"${var.service}:PutObject"`): the action,
        // written out after the last colon, decides.
        return match term.parts.last() {
            Some(Part::Text(t)) => match t.rsplit_once(':') {
                Some((_, name)) => Truth::from_bool(write_name(name, None)),
                None => Truth::Unknown,
            },
            _ => Truth::Unknown,
        };
    };
    if all_actions_pattern(pattern) {
        return Truth::False;
    }
    match pattern.split_once(':') {
        Some((_, name)) => Truth::from_bool(write_name(name, Some(pattern))),
        None => Truth::False,
    }
}

/// Whether an action name (or name pattern) may be a write: it does not start with a read
/// or tagging verb, and is not one of the writes that only take `*` (when `whole`, the
/// literal `service:Action`, is known).
fn write_name(name: &str, whole: Option<&str>) -> bool {
    let lower = name.to_ascii_lowercase();
    let head = lower.split(['*', '?']).next().unwrap_or("");
    let starts = |verbs: &[&str]| verbs.iter().any(|v| head.starts_with(v));
    if starts(actions::READ_VERBS) || starts(actions::TAGGING_VERBS) {
        return false;
    }
    let only_star = whole.is_some_and(|w| {
        actions::WRITE_ONLY_ON_ALL_RESOURCES
            .iter()
            .any(|a| a.eq_ignore_ascii_case(w))
    });
    !only_star
}

fn write_without_constraints(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        if allows_every_action(s) {
            return Found::no();
        }
        let action = match (&s.actions, &s.not_actions) {
            (Some(actions), _) => any_term(actions, is_write_pattern),
            (None, Some(excluded)) => Found {
                truth: any_term(excluded, Term::is_all_actions).truth.not(),
                shown: format!("NotAction {}", list_shown(excluded)),
            },
            (None, None) => Found::no(),
        };
        let resource = s.any_resource();
        Found {
            truth: and(
                and(s.allows(), action.truth),
                and(resource.truth, s.has_condition().not()),
            ),
            shown: format!(
                "{} {} on {} without Condition",
                s.effect_shown(),
                action.shown,
                resource.shown
            ),
        }
    })
}

fn allow_all_actions(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let Some(actions) = &s.actions else {
            return Found::no();
        };
        let action = any_term(actions, Term::is_all_actions);
        let resource = s.any_resource();
        let shown = match (&s.resources, &s.not_resources) {
            (Some(resources), _) => list_shown(resources),
            (None, Some(excluded)) => format!("NotResource {}", list_shown(excluded)),
            (None, None) => "no Resource".to_owned(),
        };
        Found {
            truth: and(and(s.allows(), action.truth), resource.truth.not()),
            shown: format!("{} {} on {shown}", s.effect_shown(), action.shown),
        }
    })
}

fn passrole_on_any_resource(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let action = s.grants_found("iam:PassRole");
        allowed_on_any_resource(s, action, " (iam:PassRole)")
    })
}

fn allow_not_action(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| match &s.not_actions {
        Some(excluded) => Found {
            truth: s.allows(),
            shown: format!("{} NotAction {}", s.effect_shown(), list_shown(excluded)),
        },
        None => Found::no(),
    })
}

/// Whether a principal entry is anyone: `"*"`, `{"AWS": "*"}`.
fn anyone(p: &Principal) -> Found {
    let kind = or(
        p.kind.equals_ignore_case("*"),
        p.kind.equals_ignore_case("AWS"),
    );
    let id = any_term(&p.ids, Term::is_star);
    let mut truth = and(kind, id.truth);
    if p.conditional && truth == Truth::True {
        truth = Truth::Unknown;
    }
    let shown = if p.kind.as_literal() == Some("*") {
        id.shown
    } else {
        format!("{{{}: {}}}", p.kind.shown, id.shown)
    };
    Found { truth, shown }
}

fn public_principal(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, _| {
        let mut who = Found::no();
        if let Some(principals) = &s.principal {
            for p in principals {
                let found = anyone(p);
                match found.truth {
                    Truth::True => {
                        who = found;
                        break;
                    }
                    Truth::Unknown if who.truth == Truth::False => who = found,
                    _ => {}
                }
            }
            who.shown = format!("Principal {}", who.shown);
        }
        if who.truth != Truth::True && s.not_principal.is_some() {
            who = Found {
                truth: Truth::True,
                shown: "NotPrincipal (everyone but those listed)".to_owned(),
            };
        }
        let restricted = s
            .conditions
            .iter()
            .fold(Truth::False, |acc, c| or(acc, restricts(c)));
        let why = if s.conditions.is_empty() {
            "without Condition"
        } else {
            "without a Condition that restricts the caller"
        };
        Found {
            truth: and(and(s.allows(), who.truth), restricted.not()),
            shown: format!("{} {} {why}", s.effect_shown(), who.shown),
        }
    })
}

/// Condition keys whose values name an account, organisation or network: a pinned value
/// restricts who can use a statement. Lower case.
const ID_KEYS: &[&str] = &[
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "kms:calleraccount",
    "s3:dataaccesspointaccount",
    "aws:sourcevpc",
    "aws:sourcevpce",
    // The account, organisation or organisational unit that owns the VPC endpoint the request
    // came through: like aws:SourceVpce, only callers on that network path match.
    "aws:vpceaccount",
    "aws:vpceorgid",
    "aws:vpceorgpaths",
];

/// Condition keys whose values are ARNs: pinned when the account (or S3 bucket) is.
const ARN_KEYS: &[&str] = &["aws:sourcearn", "aws:principalarn"];

/// Condition keys whose values are IP ranges.
const IP_KEYS: &[&str] = &["aws:sourceip", "aws:vpcsourceip"];

/// Whether an id pattern (account, organisation, VPC, org path) leaves the owner open: a
/// wildcard before the first `/`.
fn open_id(value: &str) -> bool {
    value
        .split('/')
        .next()
        .unwrap_or(value)
        .contains(['*', '?'])
        || value.is_empty()
}

/// Whether an ARN pattern leaves the owner open: a wildcard in the account field, or, for
/// ARNs without an account (S3), in the bucket name; fewer than six fields with a wildcard
/// anywhere (`arn:aws:iam::*`, `*`).
fn open_arn(value: &str) -> bool {
    let fields: Vec<&str> = value.splitn(6, ':').collect();
    match fields.as_slice() {
        [_, _, _, _, account, resource] => {
            if account.is_empty() {
                resource
                    .split(['/', ':'])
                    .next()
                    .unwrap_or(resource)
                    .contains(['*', '?'])
                    || resource.is_empty()
            } else {
                account.contains(['*', '?'])
            }
        }
        _ => value.contains(['*', '?']) || value.is_empty(),
    }
}

/// Whether an IP range admits every address.
fn open_ip(value: &str) -> bool {
    value.trim().ends_with("/0")
}

/// Whether a condition restricts who can use a statement with a public principal.
fn restricts(c: &Condition) -> Truth {
    let Some(operator) = c.operator.as_literal() else {
        return Truth::Unknown;
    };
    let lower = operator.trim().to_ascii_lowercase();
    if lower.starts_with("forallvalues:") || lower.ends_with("ifexists") {
        // Holds when the key is absent: a caller outside any organisation, a direct call.
        return Truth::False;
    }
    let base = lower.strip_prefix("foranyvalue:").unwrap_or(&lower);
    let comparing = matches!(
        base,
        "stringequals"
            | "stringequalsignorecase"
            | "stringlike"
            | "arnlike"
            | "arnequals"
            | "ipaddress"
    );
    if !comparing {
        // Negations, Bool, Null, numbers and dates pin no caller, whatever the key.
        return Truth::False;
    }
    let Some(key) = c.key.as_literal() else {
        return Truth::Unknown;
    };
    let key = key.to_ascii_lowercase();
    let literal = matches!(base, "stringequals" | "stringequalsignorecase");
    let open: fn(&str) -> bool = match base {
        // Literal comparison: any value pins (`*` included, which no caller has), even one
        // known only at deployment.
        _ if literal && (ID_KEYS.contains(&key.as_str()) || ARN_KEYS.contains(&key.as_str())) => {
            |v: &str| v.is_empty()
        }
        "stringlike" if ID_KEYS.contains(&key.as_str()) => open_id,
        "stringlike" | "arnlike" | "arnequals" if ARN_KEYS.contains(&key.as_str()) => open_arn,
        "ipaddress" if IP_KEYS.contains(&key.as_str()) => open_ip,
        _ => return Truth::False,
    };
    if c.values.is_empty() {
        return Truth::False;
    }
    // Any value matches: one open value opens the condition.
    let truth = c.values.iter().fold(Truth::True, |acc, v| {
        let pinned = match v.as_literal() {
            Some(text) => Truth::from_bool(!open(text)),
            None if literal => Truth::True,
            None if v.parts.contains(&Part::Any) => Truth::Unknown,
            // Names (an account id, an ARN from the template) never hold a wildcard.
            None => {
                let text: String = v
                    .parts
                    .iter()
                    .map(|p| match p {
                        Part::Text(t) => t.as_str(),
                        _ => "name",
                    })
                    .collect();
                Truth::from_bool(!open(&text))
            }
        };
        and(acc, pinned)
    });
    if c.conditional && truth == Truth::True {
        Truth::Unknown
    } else {
        truth
    }
}

/// The action `web_identity_without_subject` is about.
const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// Identity providers whose tokens name the customer's own application or identity pool,
/// with the condition key that pins it. For them an audience condition is what AWS documents
/// as the constraint; shared issuers (GitHub Actions, GitLab, Terraform Cloud, EKS) have a
/// fixed audience, so only the subject pins the caller.
const APP_AUDIENCES: &[(&str, &str)] = &[
    (
        "cognito-identity.amazonaws.com",
        "cognito-identity.amazonaws.com:aud",
    ),
    ("accounts.google.com", "accounts.google.com:aud"),
    ("graph.facebook.com", "graph.facebook.com:app_id"),
    ("www.amazon.com", "www.amazon.com:app_id"),
];

/// Whether the statement's principal is a web identity (OIDC) provider, and the audience key
/// that pins the caller when every such provider is one of [`APP_AUDIENCES`].
fn federated(s: &Statement) -> (Found, Vec<&'static str>) {
    let Some(principals) = &s.principal else {
        return (Found::no(), Vec::new());
    };
    let mut best = Found::no();
    let mut ids_seen = Vec::new();
    for p in principals {
        let kind = p.kind.equals_ignore_case("Federated");
        if kind == Truth::False {
            continue;
        }
        let oidc = any_term(&p.ids, |id| match id.as_literal() {
            Some(arn) => Truth::from_bool(!arn.contains(":saml-provider/")),
            None => Truth::True,
        });
        let mut truth = and(kind, oidc.truth);
        if p.conditional && truth == Truth::True {
            truth = Truth::Unknown;
        }
        ids_seen.extend(p.ids.iter());
        let better = matches!(
            (truth, best.truth),
            (Truth::True, Truth::Unknown | Truth::False) | (Truth::Unknown, Truth::False)
        );
        if better {
            best = Found {
                truth,
                shown: oidc.shown,
            };
        }
    }
    let audience = |id: &Term| {
        id.as_literal().and_then(|issuer| {
            APP_AUDIENCES
                .iter()
                .find(|(known, _)| known.eq_ignore_ascii_case(issuer))
                .map(|&(_, key)| key)
        })
    };
    let keys: Option<Vec<&'static str>> = ids_seen.iter().map(|id| audience(id)).collect();
    (best, keys.unwrap_or_default())
}

/// How a condition operator compares strings, for subject constraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    /// `StringEquals`, `StringEqualsIgnoreCase`: values are literal.
    Equals,
    /// `StringLike`: `*` and `?` are wildcards.
    Like,
    /// `StringNotEquals`, `StringNotLike`.
    Not(bool),
    /// Anything else.
    Other,
}

fn operator_kind(operator: &str) -> Match {
    let lower = operator.trim().to_ascii_lowercase();
    let base = lower
        .strip_prefix("foranyvalue:")
        .or_else(|| lower.strip_prefix("forallvalues:"))
        .unwrap_or(&lower);
    let base = base.strip_suffix("ifexists").unwrap_or(base);
    match base {
        "stringequals" | "stringequalsignorecase" => Match::Equals,
        "stringlike" => Match::Like,
        "stringnotequals" | "stringnotequalsignorecase" => Match::Not(false),
        "stringnotlike" => Match::Not(true),
        _ => Match::Other,
    }
}

/// Whether a subject pattern leaves the owner open: after an optional `word:` prefix
/// (`repo:`, `project_path:`), the text up to the first `/` or `:` has a wildcard.
pub fn opens_any_subject(value: &str) -> bool {
    owner_segment(value).0.contains(['*', '?'])
}

/// The owner segment of a subject pattern, and whether a `/` or `:` ends it in `value`.
fn owner_segment(value: &str) -> (&str, bool) {
    let rest = match value.split_once(':') {
        Some((prefix, rest))
            if !prefix.is_empty()
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')) =>
        {
            rest
        }
        _ => value,
    };
    match rest.find(['/', ':']) {
        Some(end) => (rest.get(..end).unwrap_or(rest), true),
        None => (rest, false),
    }
}

/// [`opens_any_subject`] for a value that may be known only at deployment.
fn term_opens_any_subject(term: &Term) -> Truth {
    if let Some(literal) = term.as_literal() {
        return Truth::from_bool(opens_any_subject(literal));
    }
    let Some((Part::Text(head), rest)) = term.parts.split_first() else {
        return Truth::Unknown;
    };
    let (owner, ended) = owner_segment(head);
    if owner.contains(['*', '?']) {
        return Truth::True;
    }
    if ended {
        return Truth::False;
    }
    // The owner continues into the parts after the head, until a `/` or `:`.
    for part in rest {
        match part {
            Part::Name => {}
            Part::Any => return Truth::Unknown,
            Part::Text(t) => {
                let end = t.find(['/', ':']).unwrap_or(t.len());
                let segment = t.get(..end).unwrap_or(t);
                if segment.contains(['*', '?']) {
                    return Truth::True;
                }
                if end < t.len() {
                    return Truth::False;
                }
            }
        }
    }
    Truth::False
}

/// GitHub Actions' token issuer: its claim keys start with this (lower case), also with an
/// enterprise's own issuer path (`token.actions.githubusercontent.com/my-enterprise:sub`).
const GITHUB_ISSUER: &str = "token.actions.githubusercontent.com";

/// The claims a GitHub Actions subject may start with that name the repository or its owner.
/// A subject template the owner of a repository customises may start with any claim; one
/// starting with a claim anyone can reproduce in a repository of their own (`environment`,
/// `ref`, `workflow`, `context`, `job_workflow_sha`, `actor`, …) lets that repository's
/// workflows assume the role: Checkov's CKV_AWS_393 / CKV_AWS_358 name `workflow`,
/// `environment`, `ref`, `context`, `head_ref` and `base_ref`.
const GITHUB_OWNER_CLAIMS: &[&str] = &[
    "repo",
    "repository",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "job_workflow_ref",
    "enterprise",
    "enterprise_id",
];

/// Whether a GitHub Actions subject value starts with a claim that names the repository or
/// its owner (see [`GITHUB_OWNER_CLAIMS`]). A value without a claim (no `:`) matches no
/// subject GitHub issues, so it lets no one in.
fn github_names_owner(value: &Term) -> Truth {
    let head = match value.parts.first() {
        Some(Part::Text(t)) => t.as_str(),
        _ => return Truth::True,
    };
    match head.split_once(':') {
        Some((claim, _)) => Truth::from_bool(
            GITHUB_OWNER_CLAIMS
                .iter()
                .any(|c| c.eq_ignore_ascii_case(claim)),
        ),
        None => Truth::True,
    }
}

/// Whether a condition pins the web identity's subject.
fn pins_subject(c: &Condition, audiences: &[&str]) -> Truth {
    let kind = match c.operator.as_literal() {
        Some(op) => operator_kind(op),
        None => return Truth::Unknown,
    };
    let key = audiences
        .iter()
        .fold(c.key.ends_with_ignore_case(":sub"), |acc, audience| {
            or(acc, c.key.equals_ignore_case(audience))
        });
    let github = c
        .key
        .as_literal()
        .is_some_and(|k| k.to_ascii_lowercase().starts_with(GITHUB_ISSUER));
    let names_owner = |v: &Term| {
        if github {
            github_names_owner(v)
        } else {
            Truth::True
        }
    };
    let values = match kind {
        Match::Equals => c
            .values
            .iter()
            .fold(Truth::True, |acc, v| and(acc, names_owner(v))),
        Match::Like => c.values.iter().fold(Truth::True, |acc, v| {
            and(acc, and(term_opens_any_subject(v).not(), names_owner(v)))
        }),
        Match::Not(_) | Match::Other => Truth::False,
    };
    let truth = and(key, values);
    if c.conditional && truth == Truth::True {
        Truth::Unknown
    } else {
        truth
    }
}

/// Whether a Deny statement refuses web identities whose subject is not a pinned value: a
/// `StringNotEquals`/`StringNotLike` on `:sub` as its only conditions.
fn denies_other_subjects(s: &Statement) -> bool {
    s.effect
        .as_ref()
        .is_some_and(|e| e.equals_ignore_case("Deny") == Truth::True)
        && !s.conditional
        && s.grants(WEB_IDENTITY) == Truth::True
        && s.principal.as_ref().is_none_or(|principals| {
            principals.iter().any(|p| {
                anyone(p).truth == Truth::True
                    || p.kind.equals_ignore_case("Federated") == Truth::True
            })
        })
        && !s.conditions.is_empty()
        && s.conditions.iter().all(|c| {
            !c.conditional
                && c.operator
                    .as_literal()
                    .is_some_and(|op| matches!(operator_kind(op), Match::Not(_)))
                && c.key.ends_with_ignore_case(":sub") == Truth::True
                && !c.values.is_empty()
                && c.values
                    .iter()
                    .all(|v| term_opens_any_subject(v) == Truth::False)
        })
}

fn web_identity_without_subject(call: &HelperCall<'_>) -> Verdict {
    query(call, |s, policy| {
        let action = s.grants_found(WEB_IDENTITY);
        let (provider, audiences) = federated(s);
        let pinned = s
            .conditions
            .iter()
            .fold(Truth::False, |acc, c| or(acc, pins_subject(c, &audiences)));
        let pinned = if policy.statements.iter().any(denies_other_subjects) {
            Truth::True
        } else {
            pinned
        };
        let has_sub = s
            .conditions
            .iter()
            .any(|c| c.key.ends_with_ignore_case(":sub") == Truth::True);
        let why = match pinned {
            Truth::False if s.conditions.is_empty() => "no Condition",
            Truth::False if has_sub => "its :sub condition leaves the subject's owner open",
            Truth::False => "no condition pins the token's subject (:sub)",
            _ => "the subject condition is known only at deployment",
        };
        Found {
            truth: and(
                and(s.allows(), action.truth),
                and(provider.truth, pinned.not()),
            ),
            shown: format!(
                "{} {} to Federated {}, {why}",
                s.effect_shown(),
                action.shown,
                provider.shown
            ),
        }
    })
}

#[cfg(test)]
mod tests;
