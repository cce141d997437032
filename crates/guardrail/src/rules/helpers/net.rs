//! Network helpers: internet-wide CIDR ranges and the ports a security group rule admits.
//!
//! Security group semantics follow the EC2 API (`AuthorizeSecurityGroupIngress`), which both
//! CloudFormation (`IpProtocol`, `FromPort`, `ToPort`) and Terraform (`protocol`,
//! `from_port`, `to_port`) pass through:
//!
//! - protocol `-1` (number or string; `all` is accepted too) is every protocol on every port,
//!   whatever the ports say (Terraform writes `from_port = 0, to_port = 0` with it);
//! - `tcp`/`6` and `udp`/`17` (any case, string or number) admit `from ≤ port ≤ to`;
//! - for TCP and UDP, a port of `-1` is taken as the open end of the range: `-1`/`-1` is every
//!   port. EC2 reads it so: the AWS CLI sends `--protocol tcp --port all` as `FromPort: -1,
//!   ToPort: -1`;
//! - `icmp`/`1`, `icmpv6`/`58` and every other protocol carry no TCP or UDP ports: a rule
//!   for them never covers a TCP/UDP port (EC2 opens all "ports" of other protocols, but those
//!   are not TCP or UDP traffic);
//! - an absent protocol is not "all": the property is required, so a rule without one does
//!   not deploy and admits nothing. An absent port on a TCP/UDP rule likewise admits nothing.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{
    ArgValue, HelperCall, Truth, Verdict, and, any_verdict, arg, declare_helper, shown_expression,
};
use crate::source::Span;
use crate::value::{Node, Value};

declare_helper!(
    CIDR_IS_PUBLIC,
    "cidr.is_public",
    1,
    cidr_is_public,
    "True when the value is an internet-wide range: a CIDR string with prefix length 0 \
(`0.0.0.0/0`, `::/0`, and other spellings such as `0::/0`, parsed as addresses rather than \
compared as text), or a list with such an item. Absent values and strings that are not CIDR \
blocks are false; an unknown value is unknown. Other wide ranges (`0.0.0.0/1`) are not \
internet-wide and are false.\n\nExample: \
`not any(Properties.SecurityGroupIngress, cidr.is_public(CidrIp) or cidr.is_public(CidrIpv6))`",
);

declare_helper!(
    PORTS_COVERS,
    "ports.covers",
    4,
    ports_covers,
    "`ports.covers(from, to, protocol, port)`: true when a security group rule admits TCP or \
UDP traffic to `port`. Protocol `-1` (or `all`) admits every port whatever `from` and `to` \
say; `tcp`/`6` and `udp`/`17` (string or number, any case) admit `from ≤ port ≤ to`, where \
ports may be numbers or numeric strings and `-1` is the open end of the range (EC2 reads \
`tcp` with `-1`/`-1` as every port); ICMP and other protocols never do. An absent protocol \
is false (it is required), an unknown protocol or port is unknown.\n\nExample: \
`not any(Properties.SecurityGroupIngress, cidr.is_public(CidrIp) and \
ports.covers(FromPort, ToPort, IpProtocol, 22))`",
);

declare_helper!(
    PORTS_ALL_PORTS,
    "ports.all_ports",
    3,
    ports_all_ports,
    "`ports.all_ports(from, to, protocol)`: true when a security group rule admits every \
protocol (`-1`, `all`), or TCP or UDP on a range from 0 or 1 up to 65535 (`-1` at either end \
is that end's limit). ICMP and other protocols are false; an absent protocol is false, an \
unknown one (or an unknown port deciding the answer) is unknown.\n\nExample: \
`none(ingress, ports.all_ports(from_port, to_port, protocol))`",
);

/// Whether a CIDR string is internet-wide: an address and a prefix length of 0.
pub fn is_internet_wide(text: &str) -> bool {
    let Some((addr, prefix)) = text.trim().split_once('/') else {
        return false;
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b == b'0') {
        return false;
    }
    addr.parse::<Ipv4Addr>().is_ok() || addr.parse::<Ipv6Addr>().is_ok()
}

fn cidr_is_public(call: &HelperCall<'_>) -> Verdict {
    any_verdict(arg(call, 0).iter().map(|a| cidr_value(&a.node, a.path, 0)))
}

/// Lists nest at most this deep before a value is given up as not a CIDR.
const MAX_LIST_DEPTH: usize = 4;

fn cidr_value(node: &Node, path: &str, depth: usize) -> Verdict {
    match &node.value {
        Value::String(s) if is_internet_wide(s) => {
            Verdict::at(Truth::True, node, path, format!("{s:?}"))
        }
        Value::String(s) => Verdict::at(Truth::False, node, path, format!("{s:?}")),
        Value::Seq(items) if depth < MAX_LIST_DEPTH => {
            any_verdict(items.iter().map(|n| cidr_value(n, path, depth + 1)))
        }
        Value::Unknown(u) => {
            Verdict::at(Truth::Unknown, node, path, shown_expression(&u.expression))
        }
        _ => Verdict::of(Truth::False),
    }
}

/// The protocol of a security group rule, as EC2 reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// `-1`: every protocol and port.
    All,
    /// TCP or UDP, named for messages.
    Ported(&'static str),
    /// ICMP, ICMPv6 or another protocol number: no TCP/UDP ports.
    Other,
    /// Known only at deployment.
    Unknown,
}

fn protocol(node: &Node) -> Option<Protocol> {
    let number = |n: i64| match n {
        -1 => Protocol::All,
        6 => Protocol::Ported("tcp"),
        17 => Protocol::Ported("udp"),
        _ => Protocol::Other,
    };
    Some(match &node.value {
        Value::Null => return None,
        Value::Int(n) => number(*n),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e6 => number(*f as i64),
        Value::String(s) => {
            let s = s.trim().to_ascii_lowercase();
            match s.as_str() {
                "all" => Protocol::All,
                "tcp" => Protocol::Ported("tcp"),
                "udp" => Protocol::Ported("udp"),
                _ => s.parse::<i64>().map_or(Protocol::Other, number),
            }
        }
        Value::Unknown(_) => Protocol::Unknown,
        _ => Protocol::Other,
    })
}

/// A port number, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Port {
    Number(i64),
    Unknown,
    /// Absent, or not a number.
    Missing,
}

fn port(node: Option<&Node>) -> Port {
    let Some(node) = node else {
        return Port::Missing;
    };
    match &node.value {
        Value::Int(n) => Port::Number(*n),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e6 => Port::Number(*f as i64),
        Value::String(s) => s.trim().parse().map_or(Port::Missing, Port::Number),
        Value::Unknown(_) => Port::Unknown,
        _ => Port::Missing,
    }
}

/// The first value of argument `i`.
fn first<'c>(call: &'c HelperCall<'_>, i: usize) -> Option<&'c ArgValue<'c>> {
    arg(call, i).first()
}

/// A TCP/UDP rule's range with `-1` read as the open end.
struct Range {
    low: Port,
    high: Port,
}

impl Range {
    fn of(from: Option<&ArgValue<'_>>, to: Option<&ArgValue<'_>>) -> Range {
        let open = |p: Port, end: i64| match p {
            Port::Number(-1) => Port::Number(end),
            p => p,
        };
        Range {
            low: open(port(from.map(|a| &*a.node)), 0),
            high: open(port(to.map(|a| &*a.node)), 65535),
        }
    }

    /// Whether `test` holds of both ends, three-valued.
    fn check(&self, low: impl Fn(i64) -> bool, high: impl Fn(i64) -> bool) -> Truth {
        let end = |p: Port, test: &dyn Fn(i64) -> bool| match p {
            Port::Number(n) => Truth::from_bool(test(n)),
            Port::Unknown => Truth::Unknown,
            Port::Missing => Truth::False,
        };
        and(end(self.low, &low), end(self.high, &high))
    }

    fn describe(&self) -> String {
        let end = |p: Port| match p {
            Port::Number(n) => n.to_string(),
            Port::Unknown => "?".to_owned(),
            Port::Missing => "absent".to_owned(),
        };
        format!("{}-{}", end(self.low), end(self.high))
    }
}

/// The span covering the port arguments (the from port when they are in different files).
fn ports_span(from: Option<&ArgValue<'_>>, to: Option<&ArgValue<'_>>) -> Option<(Span, String)> {
    let from = from.map(|a| (a.node.span, a.path));
    let to = to.map(|a| (a.node.span, a.path));
    match (from, to) {
        (Some((f, path)), Some((t, _))) if f.file == t.file => Some((f.cover(t), path.to_owned())),
        (Some((s, path)), _) | (None, Some((s, path))) => Some((s, path.to_owned())),
        (None, None) => None,
    }
}

fn blamed(truth: Truth, place: Option<(Span, String)>, seen: String) -> Verdict {
    match place {
        Some((span, path)) => Verdict {
            truth,
            blame: Some(super::Blame {
                span,
                path: path.into(),
                seen,
                default: false,
            }),
        },
        None => Verdict::of(truth),
    }
}

/// The verdict on the protocol alone, when it decides: all protocols (true), absent or
/// without TCP/UDP ports (false), unknown. For TCP and UDP, where the ports decide, the
/// protocol's name.
fn by_protocol(proto: Option<&ArgValue<'_>>) -> Result<&'static str, Verdict> {
    let Some(arg) = proto else {
        return Err(Verdict::of(Truth::False));
    };
    let node = &*arg.node;
    let shown = match &node.value {
        Value::String(s) => format!("protocol {s:?}"),
        Value::Unknown(u) => format!("protocol {}", shown_expression(&u.expression)),
        Value::Int(n) => format!("protocol {n}"),
        other => format!("protocol {}", other.kind_name()),
    };
    match protocol(node) {
        None => Err(Verdict::of(Truth::False)),
        Some(Protocol::All) => Err(Verdict::at(
            Truth::True,
            node,
            arg.path,
            format!("{shown} (all traffic)"),
        )),
        Some(Protocol::Unknown) => Err(Verdict::at(Truth::Unknown, node, arg.path, shown)),
        Some(Protocol::Other) => Err(Verdict::at(Truth::False, node, arg.path, shown)),
        Some(Protocol::Ported(name)) => Ok(name),
    }
}

fn ports_covers(call: &HelperCall<'_>) -> Verdict {
    let (from, to) = (first(call, 0), first(call, 1));
    let name = match by_protocol(first(call, 2)) {
        Ok(name) => name,
        Err(verdict) => return verdict,
    };
    let target = match port(first(call, 3).map(|a| &*a.node)) {
        Port::Number(p) => p,
        Port::Unknown => return Verdict::of(Truth::Unknown),
        Port::Missing => return Verdict::of(Truth::False),
    };
    let range = Range::of(from, to);
    let truth = range.check(|low| low <= target, |high| target <= high);
    let seen = match truth {
        Truth::True => format!("{name} {} includes port {target}", range.describe()),
        Truth::False => format!("{name} {} excludes port {target}", range.describe()),
        Truth::Unknown => format!("{name} {} may include port {target}", range.describe()),
    };
    blamed(truth, ports_span(from, to), seen)
}

fn ports_all_ports(call: &HelperCall<'_>) -> Verdict {
    let (from, to) = (first(call, 0), first(call, 1));
    let name = match by_protocol(first(call, 2)) {
        Ok(name) => name,
        Err(verdict) => return verdict,
    };
    let range = Range::of(from, to);
    let truth = range.check(|low| low <= 1, |high| high >= 65535);
    blamed(
        truth,
        ports_span(from, to),
        format!("{name} {}", range.describe()),
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{call, int, list, node, s, unknown};
    use super::*;

    #[test]
    fn internet_wide_spellings() {
        for yes in [
            "0.0.0.0/0",
            "::/0",
            "0::/0",
            "::0/0",
            "0:0:0:0:0:0:0:0/0",
            " 0.0.0.0/0 ",
            "0.0.0.0/00",
        ] {
            assert!(is_internet_wide(yes), "{yes}");
        }
        for no in [
            "10.0.0.0/8",
            "0.0.0.0/1",
            "0.0.0.0",
            "0.0.0.0/",
            "/0",
            "0.0.0/0",
            "any",
            "0.0.0.0/-0",
            "::/128",
            "",
            "0.0.0.0/0/0",
        ] {
            assert!(!is_internet_wide(no), "{no}");
        }
    }

    #[test]
    fn cidr_is_public_verdicts() {
        let v = CIDR_IS_PUBLIC.check;
        let t = v(&call(vec![vec![s("0.0.0.0/0")]]));
        assert_eq!(t.truth, Truth::True);
        assert_eq!(t.blame.map(|b| b.seen), Some("\"0.0.0.0/0\"".to_owned()));
        assert_eq!(v(&call(vec![vec![s("::/0")]])).truth, Truth::True);
        assert_eq!(v(&call(vec![vec![s("10.0.0.0/16")]])).truth, Truth::False);
        assert_eq!(v(&call(vec![vec![]])).truth, Truth::False);
        assert_eq!(v(&call(vec![])).truth, Truth::False);
        assert_eq!(v(&call(vec![vec![int(0)]])).truth, Truth::False);
        assert_eq!(v(&call(vec![vec![node(Value::Null)]])).truth, Truth::False);
        let l = list(vec![s("10.0.0.0/8"), s("0::/0")]);
        assert_eq!(v(&call(vec![vec![l]])).truth, Truth::True);
        let l = list(vec![s("10.0.0.0/8"), unknown("var.cidrs")]);
        assert_eq!(v(&call(vec![vec![l]])).truth, Truth::Unknown);
        let l = list(vec![unknown("var.cidr"), s("0.0.0.0/0")]);
        assert_eq!(v(&call(vec![vec![l]])).truth, Truth::True);
        assert_eq!(
            v(&call(vec![vec![unknown("var.cidr")]])).truth,
            Truth::Unknown
        );
        // Several values of a wildcard path: any counts.
        assert_eq!(
            v(&call(vec![vec![s("10.0.0.0/8"), s("0.0.0.0/0")]])).truth,
            Truth::True
        );
    }

    fn covers(from: Node, to: Node, proto: Node, port: i64) -> Truth {
        (PORTS_COVERS.check)(&call(vec![
            vec![from],
            vec![to],
            vec![proto],
            vec![int(port)],
        ]))
        .truth
    }

    #[test]
    fn covers_tcp_and_udp_ranges() {
        assert_eq!(covers(int(22), int(22), s("tcp"), 22), Truth::True);
        assert_eq!(covers(int(0), int(65535), s("TCP"), 22), Truth::True);
        assert_eq!(covers(s("20"), s("30"), int(6), 22), Truth::True);
        assert_eq!(covers(int(20), int(30), s("6"), 22), Truth::True);
        assert_eq!(covers(int(53), int(53), s("udp"), 53), Truth::True);
        assert_eq!(covers(int(53), int(53), int(17), 53), Truth::True);
        assert_eq!(covers(int(80), int(443), s("tcp"), 22), Truth::False);
        assert_eq!(covers(int(23), int(21), s("tcp"), 22), Truth::False);
        assert_eq!(covers(int(-1), int(-1), s("tcp"), 22), Truth::True);
        assert_eq!(covers(int(1000), int(-1), s("tcp"), 22), Truth::False);
        assert_eq!(covers(s("x"), int(30), s("tcp"), 22), Truth::False);
    }

    #[test]
    fn covers_all_protocols_and_others() {
        assert_eq!(covers(int(0), int(0), s("-1"), 22), Truth::True);
        assert_eq!(covers(int(0), int(0), int(-1), 22), Truth::True);
        assert_eq!(covers(int(80), int(80), s("all"), 3389), Truth::True);
        assert_eq!(covers(int(-1), int(-1), s("icmp"), 22), Truth::False);
        assert_eq!(covers(int(0), int(65535), s("1"), 22), Truth::False);
        assert_eq!(covers(int(0), int(65535), s("icmpv6"), 22), Truth::False);
        assert_eq!(covers(int(0), int(65535), s("50"), 22), Truth::False);
        assert_eq!(
            covers(int(0), int(65535), node(Value::Null), 22),
            Truth::False
        );
        assert_eq!(
            covers(int(0), int(65535), node(Value::Bool(true)), 22),
            Truth::False
        );
        let absent = (PORTS_COVERS.check)(&call(vec![
            vec![int(0)],
            vec![int(65535)],
            vec![],
            vec![int(22)],
        ]));
        assert_eq!(absent.truth, Truth::False);
    }

    #[test]
    fn covers_unknowns() {
        assert_eq!(
            covers(int(0), int(0), unknown("var.protocol"), 22),
            Truth::Unknown
        );
        assert_eq!(
            covers(unknown("var.from"), int(30), s("tcp"), 22),
            Truth::Unknown
        );
        // An unknown end does not matter when the other already excludes the port.
        assert_eq!(
            covers(unknown("var.from"), int(21), s("tcp"), 22),
            Truth::False
        );
        assert_eq!(
            covers(int(20), unknown("var.to"), s("tcp"), 22),
            Truth::Unknown
        );
        let target_unknown = (PORTS_COVERS.check)(&call(vec![
            vec![int(0)],
            vec![int(100)],
            vec![s("tcp")],
            vec![unknown("x")],
        ]));
        assert_eq!(target_unknown.truth, Truth::Unknown);
    }

    #[test]
    fn covers_blames_the_ports() {
        let v = (PORTS_COVERS.check)(&call(vec![
            vec![int(0)],
            vec![int(65535)],
            vec![s("tcp")],
            vec![int(22)],
        ]));
        let blame = v.blame.unwrap();
        assert_eq!(blame.seen, "tcp 0-65535 includes port 22");
        let v = (PORTS_COVERS.check)(&call(vec![
            vec![int(0)],
            vec![int(0)],
            vec![s("-1")],
            vec![int(22)],
        ]));
        assert_eq!(v.blame.unwrap().seen, "protocol \"-1\" (all traffic)");
    }

    fn all_ports(from: Node, to: Node, proto: Node) -> Truth {
        (PORTS_ALL_PORTS.check)(&call(vec![vec![from], vec![to], vec![proto]])).truth
    }

    #[test]
    fn all_ports_verdicts() {
        assert_eq!(all_ports(int(0), int(0), s("-1")), Truth::True);
        assert_eq!(all_ports(int(0), int(0), s("ALL")), Truth::True);
        assert_eq!(all_ports(int(0), int(65535), s("tcp")), Truth::True);
        assert_eq!(all_ports(int(1), int(65535), s("udp")), Truth::True);
        assert_eq!(all_ports(int(-1), int(-1), s("tcp")), Truth::True);
        assert_eq!(all_ports(s("0"), s("65535"), s("6")), Truth::True);
        assert_eq!(all_ports(int(2), int(65535), s("tcp")), Truth::False);
        assert_eq!(all_ports(int(0), int(65534), s("tcp")), Truth::False);
        assert_eq!(all_ports(int(-1), int(-1), s("icmp")), Truth::False);
        assert_eq!(
            all_ports(int(0), int(65535), node(Value::Null)),
            Truth::False
        );
        assert_eq!(
            all_ports(int(0), unknown("var.to"), s("tcp")),
            Truth::Unknown
        );
        assert_eq!(
            all_ports(int(0), int(65535), unknown("var.p")),
            Truth::Unknown
        );
        assert_eq!(
            all_ports(int(80), unknown("var.to"), s("tcp")),
            Truth::False
        );
    }
}
