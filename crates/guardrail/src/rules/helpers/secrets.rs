//! Secret helpers: values shaped like well-known credentials, names that say "secret", and
//! values written literally in a file.
//!
//! Messages never repeat a secret: they name the kind of credential and show at most its
//! first four characters.

use std::sync::LazyLock;

use regex::Regex;

use super::{HelperCall, Truth, Verdict, any_verdict, arg, declare_helper};
use crate::value::{Node, Provenance, Value};

declare_helper!(
    KNOWN_FORMAT,
    "secrets.known_format",
    1,
    known_format,
    "True when a string contains a well-known credential format: an AWS access key id \
(`AKIA`/`ASIA` and 16 upper-case letters or digits; AWS's documentation examples ending in \
`EXAMPLE` excepted), a PEM private key header (`-----BEGIN … PRIVATE KEY-----`), a GitHub \
token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), a Slack token \
(`xoxa-`/`xoxb-`/`xoxp-`/`xoxr-`/`xoxs-` followed by a numeric id), a Stripe live secret or \
restricted key (`sk_live_`, `rk_live_`), a Google API key (`AIza` and 35 characters), or a \
JSON Web Token (three base64url parts, the first starting `eyJ`). Lists and maps (a \
`jsonencode`d container definition) count when any string in them does. An unknown value is true when the credential is written in its expression's own text \
(a Terraform template around a token), unknown otherwise.\n\nExample: \
`not any(Properties.Environment.Variables.*, secrets.known_format(@))`",
);

declare_helper!(
    SENSITIVE_NAME,
    "secrets.sensitive_name",
    1,
    sensitive_name,
    "True when a string (an environment variable name, a key) names a secret: one of its \
words (split at `_`, `-`, `.`, spaces and camelCase boundaries, any case) is password, \
passwd, pwd, secret, token, credential(s), auth, apikey or privatekey, or two adjacent words \
are api key, private key or access key. Names whose last word marks a pointer or a setting \
rather than the secret itself are not sensitive: FILE, PATH, DIR, ARN, NAME, ID, URL, URI, \
REF, ENABLED, DISABLED, TTL, LENGTH, TYPE, MODE, METHOD, VERSION, POLICY, TIMEOUT, EXPIRY, \
EXPIRATION, ROTATION, ENDPOINT, HOST, PORT, HEADER — except ACCESS_KEY_ID, which is. The \
name `PWD` alone (the shell's working directory) is not sensitive. Non-strings are false; \
an unknown value is unknown.\n\nExample: \
`not any(env[*], secrets.sensitive_name(name) and secrets.literal(value))`",
);

declare_helper!(
    LITERAL,
    "secrets.literal",
    1,
    literal,
    "True when the value is written literally in the scanned files: a non-empty string or a \
number, explicit or from a Terraform variable default or CloudFormation parameter default \
(a default password is a hard-coded password). False for an absent or empty value, a value \
known only at deployment (a reference, a function call, a variable without a default: \
unknown values are not literals), a provider default, and a string carrying a \
CloudFormation dynamic reference (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm-secure:…}}`, \
`{{resolve:ssm:…}}`). Placeholders such as `changeme` are hard-coded secrets too.\n\n\
Example: `not secrets.literal(Properties.MasterUserPassword)`",
);

/// The credential formats `secrets.known_format` recognises, by name. Each is compiled once
/// per process.
static FORMATS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    const SOURCES: &[(&str, &str)] = &[
        (
            "AWS access key id",
            r"(?:^|[^0-9A-Za-z])((?:AKIA|ASIA)[0-9A-Z]{16})(?:$|[^0-9A-Za-z])",
        ),
        (
            "private key",
            r"(-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)",
        ),
        (
            "GitHub token",
            r"(?:^|[^0-9A-Za-z_])((?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{36,251})(?:$|[^0-9A-Za-z_])",
        ),
        (
            "GitHub token",
            r"(?:^|[^0-9A-Za-z_])(github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59,})(?:$|[^0-9A-Za-z_])",
        ),
        ("Slack token", r"(xox[abprs]-[0-9]{6,}-[0-9A-Za-z-]{8,})"),
        ("Stripe live key", r"((?:sk|rk)_live_[0-9A-Za-z]{20,})"),
        (
            "Google API key",
            r"(?:^|[^0-9A-Za-z_-])(AIza[0-9A-Za-z_-]{35})(?:$|[^0-9A-Za-z_-])",
        ),
        (
            "JSON Web Token",
            r"(?:^|[^0-9A-Za-z_-])(eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,})",
        ),
    ];
    SOURCES
        .iter()
        .filter_map(|&(name, source)| Regex::new(source).ok().map(|re| (name, re)))
        .collect()
});

/// The kind of credential `text` contains and the credential itself, if it contains one.
pub fn credential_in(text: &str) -> Option<(&'static str, &str)> {
    FORMATS.iter().find_map(|(name, re)| {
        re.captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str())
            .find(|found| !(name.starts_with("AWS") && found.ends_with("EXAMPLE")))
            .map(|found| (*name, found))
    })
}

/// A credential as a message may show it: its kind and first four characters.
fn redacted(kind: &str, credential: &str) -> String {
    let head: String = credential.chars().take(4).collect();
    format!("{kind} \"{head}…\"")
}

/// Lists and maps nest at most this deep before a value is given up (`secrets.known_format`
/// looks through a whole `jsonencode`d container definition).
const MAX_DEPTH: usize = 32;

fn known_format(call: &HelperCall<'_>) -> Verdict {
    any_verdict(arg(call, 0).iter().map(|a| format_of(&a.node, a.path, 0)))
}

fn format_of(node: &Node, path: &str, depth: usize) -> Verdict {
    match &node.value {
        Value::String(s) => match credential_in(s) {
            Some((kind, found)) => Verdict::at(Truth::True, node, path, redacted(kind, found)),
            None => Verdict::of(Truth::False),
        },
        Value::Unknown(u) => match credential_in(&u.expression) {
            Some((kind, found)) => Verdict::at(Truth::True, node, path, redacted(kind, found)),
            None => Verdict::at(
                Truth::Unknown,
                node,
                path,
                super::shown_expression(&u.expression),
            ),
        },
        Value::Seq(items) if depth < MAX_DEPTH => {
            any_verdict(items.iter().map(|n| format_of(n, path, depth + 1)))
        }
        Value::Map(map) if depth < MAX_DEPTH => {
            any_verdict(map.iter().map(|e| format_of(&e.value, path, depth + 1)))
        }
        _ => Verdict::of(Truth::False),
    }
}

/// The words of a name, lower-cased: split at separators, at lower-to-upper and
/// letter-to-digit changes, and before the last capital of a run followed by a lower-case
/// letter (`APIKey` → `api`, `key`).
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next = chars.get(i + 1).copied();
            let boundary = (prev.is_lowercase() && cur.is_uppercase())
                || (prev.is_alphabetic() != cur.is_alphabetic())
                || (prev.is_uppercase()
                    && cur.is_uppercase()
                    && next.is_some_and(char::is_lowercase));
            if boundary {
                words.push(chars[start..i].iter().collect::<String>().to_lowercase());
                start = i;
            }
        }
        if start < chars.len() {
            words.push(chars[start..].iter().collect::<String>().to_lowercase());
        }
    }
    words
}

/// Words that name a secret on their own.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pwd",
    "secret",
    "secrets",
    "token",
    "tokens",
    "credential",
    "credentials",
    "auth",
    "apikey",
    "privatekey",
    "accesskey",
];

/// Adjacent word pairs that name a secret.
const SECRET_PAIRS: &[(&str, &str)] = &[("api", "key"), ("private", "key"), ("access", "key")];

/// Last words that make a name a pointer to a secret or a setting about it.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "file",
    "path",
    "dir",
    "arn",
    "name",
    "id",
    "url",
    "uri",
    "ref",
    "enabled",
    "disabled",
    "ttl",
    "length",
    "type",
    "mode",
    "method",
    "version",
    "policy",
    "timeout",
    "expiry",
    "expiration",
    "rotation",
    "endpoint",
    "host",
    "port",
    "header",
];

/// The secret word in `name`, if it names a secret (see `secrets.sensitive_name`).
pub fn secret_word(name: &str) -> Option<String> {
    if name.trim().eq_ignore_ascii_case("pwd") {
        return None;
    }
    let words = words(name);
    let last = words.last()?;
    let access_key_id = words.len() >= 3 && words[words.len() - 3..] == ["access", "key", "id"]
        || words.len() >= 2 && words[words.len() - 2..] == ["accesskey", "id"];
    if NOT_SECRET_SUFFIXES.contains(&last.as_str()) && !access_key_id {
        return None;
    }
    if let Some(word) = words.iter().find(|w| SECRET_WORDS.contains(&w.as_str())) {
        return Some(word.clone());
    }
    words.windows(2).find_map(|pair| match pair {
        [a, b] if SECRET_PAIRS.contains(&(a.as_str(), b.as_str())) => Some(format!("{a} {b}")),
        _ => None,
    })
}

fn sensitive_name(call: &HelperCall<'_>) -> Verdict {
    any_verdict(arg(call, 0).iter().map(|a| name_of(&a.node, a.path, 0)))
}

fn name_of(node: &Node, path: &str, depth: usize) -> Verdict {
    match &node.value {
        Value::String(s) => match secret_word(s) {
            Some(word) => Verdict::at(Truth::True, node, path, format!("name {s:?} ({word})")),
            None => Verdict::of(Truth::False),
        },
        Value::Unknown(u) => Verdict::at(
            Truth::Unknown,
            node,
            path,
            super::shown_expression(&u.expression),
        ),
        Value::Seq(items) if depth < MAX_DEPTH => {
            any_verdict(items.iter().map(|n| name_of(n, path, depth + 1)))
        }
        _ => Verdict::of(Truth::False),
    }
}

fn literal(call: &HelperCall<'_>) -> Verdict {
    any_verdict(arg(call, 0).iter().map(|a| literal_of(&a.node, a.path)))
}

fn literal_of(node: &Node, path: &str) -> Verdict {
    let what = match &node.value {
        Value::String(s) if s.is_empty() || s.contains("{{resolve:") => {
            return Verdict::of(Truth::False);
        }
        Value::String(s) => format!("a literal string ({} characters)", s.chars().count()),
        Value::Int(_) | Value::Float(_) => "a literal number".to_owned(),
        _ => return Verdict::of(Truth::False),
    };
    let seen = match node.provenance {
        // Not written in the files: a secret passed in from outside, as it should be.
        Provenance::Default | Provenance::Environment(_) => return Verdict::of(Truth::False),
        Provenance::Explicit => what,
        Provenance::Resolved(_) => format!("{what} from a default in the files"),
    };
    Verdict::at(Truth::True, node, path, seen)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{call, int, list, map, node, s, span, unknown};
    use super::*;

    fn check(h: &super::super::Helper, n: Node) -> Verdict {
        (h.check)(&call(vec![vec![n]]))
    }

    #[test]
    fn every_format_compiles() {
        assert_eq!(FORMATS.len(), 8);
    }

    #[test]
    fn known_formats_are_found() {
        let cases = [
            ("AKIAZ7Q3RXKD2LMNOP4W", "AWS access key id"),
            ("key=ASIAZ7Q3RXKD2LMNOP4W;", "AWS access key id"),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "private key"),
            ("-----BEGIN PRIVATE KEY-----", "private key"),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
            ("-----BEGIN PGP PRIVATE KEY BLOCK-----", "private key"),
            ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "GitHub token"),
            (
                "token ghs_0123456789abcdefghijABCDEFGHIJ012345",
                "GitHub token",
            ),
            (
                "github_pat_11ABCDEFG0123456789abc_0123456789abcdefghijABCDEFGHIJ0123456789abcdefghijABCDEFGHI",
                "GitHub token",
            ),
            (
                "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp",
                "Slack token",
            ),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe live key"),
            ("rk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe live key"),
            ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "Google API key"),
            (
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "JSON Web Token",
            ),
        ];
        for (text, kind) in cases {
            assert_eq!(credential_in(text).map(|(k, _)| k), Some(kind), "{text}");
            let v = check(&KNOWN_FORMAT, s(text));
            assert_eq!(v.truth, Truth::True, "{text}");
        }
    }

    #[test]
    fn look_alikes_are_not_credentials() {
        for text in [
            "",
            "hello",
            "AKIAIOSFODNN7EXAMPLE",
            "AKIA1234",
            "akiaz7q3rxkd2lmnop4w",
            "XAKIAZ7Q3RXKD2LMNOP4W",
            "ghp_short",
            "xoxb-your-slack-token",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "AIza-too-short",
            "eyJhbGciOiJIUzI1NiJ9",
            "-----BEGIN CERTIFICATE-----",
            "-----BEGIN PUBLIC KEY-----",
            "arn:aws:iam::123456789012:role/ghp_role",
        ] {
            assert_eq!(credential_in(text), None, "{text}");
            assert_eq!(check(&KNOWN_FORMAT, s(text)).truth, Truth::False, "{text}");
        }
    }

    #[test]
    fn known_format_redacts_and_handles_shapes() {
        let v = check(&KNOWN_FORMAT, s("AKIAZ7Q3RXKD2LMNOP4W"));
        assert_eq!(
            v.blame.map(|b| b.seen),
            Some("AWS access key id \"AKIA…\"".to_owned())
        );
        assert_eq!(check(&KNOWN_FORMAT, int(1)).truth, Truth::False);
        assert_eq!(check(&KNOWN_FORMAT, node(Value::Null)).truth, Truth::False);
        assert_eq!(
            check(&KNOWN_FORMAT, unknown("var.token")).truth,
            Truth::Unknown
        );
        let written = unknown("\"Bearer ghp_0123456789abcdefghijABCDEFGHIJ012345${var.x}\"");
        assert_eq!(check(&KNOWN_FORMAT, written).truth, Truth::True);
        let l = list(vec![s("a"), s("AKIAZ7Q3RXKD2LMNOP4W")]);
        assert_eq!(check(&KNOWN_FORMAT, l).truth, Truth::True);
        assert_eq!(
            (KNOWN_FORMAT.check)(&call(vec![vec![]])).truth,
            Truth::False
        );
        let container = list(vec![map(vec![
            ("name", s("app")),
            (
                "environment",
                list(vec![map(vec![
                    ("name", s("TOKEN")),
                    ("value", s("ghp_0123456789abcdefghijABCDEFGHIJ012345")),
                ])]),
            ),
        ])]);
        assert_eq!(check(&KNOWN_FORMAT, container).truth, Truth::True);
        let clean = map(vec![
            ("image", unknown("aws_ecr_repository.r.repository_url")),
            ("name", s("app")),
        ]);
        assert_eq!(check(&KNOWN_FORMAT, clean).truth, Truth::Unknown);
        assert_eq!(
            check(&KNOWN_FORMAT, map(vec![("name", s("app"))])).truth,
            Truth::False
        );
    }

    #[test]
    fn word_splitting() {
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("MasterUserPassword"), ["master", "user", "password"]);
        assert_eq!(words("aws.secret-key2"), ["aws", "secret", "key", "2"]);
        assert_eq!(words(""), Vec::<String>::new());
    }

    #[test]
    fn sensitive_names() {
        for name in [
            "DB_PASSWORD",
            "db_passwd",
            "DB_PWD",
            "client_secret",
            "GITHUB_TOKEN",
            "apiKey",
            "API_KEY",
            "APIKEY",
            "private_key",
            "PrivateKey",
            "AWS_ACCESS_KEY_ID",
            "awsAccessKeyId",
            "AWS_SECRET_ACCESS_KEY",
            "GOOGLE_CREDENTIALS",
            "credential",
            "BASIC_AUTH",
            "x-auth-token",
            "MasterUserPassword",
            "SECRET_KEY_BASE",
        ] {
            assert!(secret_word(name).is_some(), "{name}");
            assert_eq!(check(&SENSITIVE_NAME, s(name)).truth, Truth::True, "{name}");
        }
    }

    #[test]
    fn pointers_settings_and_look_alikes_are_not_sensitive() {
        for name in [
            "PASSWORD_FILE",
            "DB_PASSWORD_PATH",
            "SECRET_ARN",
            "SECRET_NAME",
            "TOKEN_URL",
            "SECRET_REF",
            "AUTH_ENABLED",
            "TOKEN_TTL",
            "PASSWORD_MIN_LENGTH",
            "AUTH_TYPE",
            "CLIENT_ID",
            "TOKEN_ENDPOINT",
            "PWD",
            "AUTHOR",
            "TOKENIZER",
            "PASSPORT",
            "KEY",
            "API_URL",
            "HOSTNAME",
            "",
        ] {
            assert_eq!(secret_word(name), None, "{name}");
            assert_eq!(
                check(&SENSITIVE_NAME, s(name)).truth,
                Truth::False,
                "{name}"
            );
        }
        assert_eq!(check(&SENSITIVE_NAME, int(3)).truth, Truth::False);
        assert_eq!(
            check(&SENSITIVE_NAME, unknown("each.key")).truth,
            Truth::Unknown
        );
    }

    #[test]
    fn literals() {
        let v = check(&LITERAL, s("changeme"));
        assert_eq!(v.truth, Truth::True);
        assert_eq!(
            v.blame.map(|b| b.seen),
            Some("a literal string (8 characters)".to_owned())
        );
        assert_eq!(check(&LITERAL, int(12345678)).truth, Truth::True);
        let mut resolved = s("hunter2");
        resolved.provenance = Provenance::resolved(span());
        assert_eq!(check(&LITERAL, resolved).truth, Truth::True);
        assert_eq!(check(&LITERAL, s("")).truth, Truth::False);
        assert_eq!(
            check(&LITERAL, unknown("random_password.db.result")).truth,
            Truth::False
        );
        assert_eq!(
            check(&LITERAL, unknown("var.db_password")).truth,
            Truth::False
        );
        for dynamic in [
            "{{resolve:secretsmanager:MySecret:SecretString:password}}",
            "{{resolve:ssm-secure:/db/password:1}}",
            "{{resolve:ssm:/db/password}}",
        ] {
            assert_eq!(check(&LITERAL, s(dynamic)).truth, Truth::False, "{dynamic}");
        }
        let mut default = s("x");
        default.provenance = Provenance::Default;
        assert_eq!(check(&LITERAL, default).truth, Truth::False);
        assert_eq!(check(&LITERAL, node(Value::Null)).truth, Truth::False);
        assert_eq!(check(&LITERAL, node(Value::Bool(true))).truth, Truth::False);
        assert_eq!(check(&LITERAL, list(vec![s("a")])).truth, Truth::False);
        assert_eq!((LITERAL.check)(&call(vec![vec![]])).truth, Truth::False);
    }
}
