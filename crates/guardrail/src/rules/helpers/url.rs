//! URL helpers: what a URL's scheme says about the transport, read from the part of the URL
//! that is written in the file.

use super::{HelperCall, Truth, Verdict, arg, declare_helper};
use crate::value::{Piece, Value};

declare_helper!(
    PLAIN_HTTP,
    "url.plain_http",
    1,
    plain_http,
    "`url.plain_http(url)`: true when the URL's scheme is `http://` (any case), so what is sent \
travels unencrypted. The scheme is read from the text the URL starts with, also when the rest \
is known only at deployment (`\"http://hooks.example.com/?token=${var.token}\"`). False for \
any other scheme (`https://`) and for an absent value; unknown when the start of the URL is \
itself unknown (`\"${var.base_url}/notify\"`).\n\nExample: \
`not (url.plain_http(url) and references(aws_ssm_parameter))`",
);

fn plain_http(call: &HelperCall<'_>) -> Verdict {
    let Some(first) = arg(call, 0).first() else {
        return Verdict::of(Truth::False);
    };
    let leading: Option<&str> = match &first.node.value {
        Value::String(s) => Some(s),
        Value::Unknown(u) => match u.pieces.first() {
            Some(Piece::Text(text)) => Some(text),
            _ => None,
        },
        Value::Null => return Verdict::of(Truth::False),
        _ => return Verdict::of(Truth::False),
    };
    match leading {
        Some(text) => {
            let text = text.trim_start();
            let scheme_known = text.contains("://");
            let is_http = text.len() >= 7 && text[..7].eq_ignore_ascii_case("http://");
            if is_http {
                match &first.node.value {
                    // A template: show it as written, and why it counts.
                    Value::Unknown(u) => Verdict::at(
                        Truth::True,
                        &first.node,
                        first.path,
                        format!("{}, which starts with http://", u.expression),
                    ),
                    _ => Verdict::of(Truth::True),
                }
            } else if scheme_known || matches!(first.node.value, Value::String(_)) {
                Verdict::of(Truth::False)
            } else {
                // "htt" + "${var.rest}": the scheme is not written in full.
                Verdict::of(Truth::Unknown)
            }
        }
        None => Verdict::of(Truth::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{call, s, unknown};
    use super::*;
    use crate::value::Node;

    fn template(text: &str) -> Node {
        unknown(&format!("\"{text}${{var.x}}\""))
    }

    fn check(values: Vec<Node>) -> Truth {
        (PLAIN_HTTP.check)(&call(vec![values])).truth
    }

    #[test]
    fn the_scheme_decides() {
        assert_eq!(check(vec![s("http://example.com/x")]), Truth::True);
        assert_eq!(check(vec![s("HTTP://example.com/x")]), Truth::True);
        assert_eq!(check(vec![s("https://example.com/x")]), Truth::False);
        assert_eq!(check(vec![]), Truth::False);
    }

    #[test]
    fn a_template_is_read_from_its_written_start() {
        assert_eq!(
            check(vec![template("http://hooks.example.com/?t=")]),
            Truth::True
        );
        assert_eq!(
            check(vec![template("https://hooks.example.com/?t=")]),
            Truth::False
        );
        assert_eq!(check(vec![template("htt")]), Truth::Unknown);
        assert_eq!(check(vec![unknown("var.url")]), Truth::Unknown);
    }
}
