//! The `${…}` placeholders of an `Fn::Sub` string.
//!
//! CloudFormation replaces `${Name}` with the value of a parameter, resource or variable and
//! `${Name.Attribute}` with a resource attribute; `${!Text}` is the escape that renders the
//! literal `${Text}`. Only the placeholders matter for the graph, so this is a scanner, not
//! a template engine.

/// One `${…}` placeholder of a `Fn::Sub` string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder<'s> {
    /// The whole placeholder as written, `${` and `}` included.
    pub(crate) text: &'s str,
    /// The logical id, parameter or variable named (the part before the first `.`).
    pub(crate) name: &'s str,
    /// The attribute after the first `.`, for `${Resource.Attribute}`.
    pub(crate) attribute: Option<&'s str>,
    /// Where the placeholder is in the string, in bytes.
    pub(crate) range: std::ops::Range<usize>,
}

/// The placeholders of `text`, in order. Escapes (`${!Literal}`) and `${` without a closing
/// `}` are literal text, as CloudFormation treats them; so is an empty `${}`.
pub(crate) fn placeholders(text: &str) -> Vec<Placeholder<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|rest| rest.find("${")) {
        let start = from + found;
        let body_start = start + 2;
        let Some(len) = text.get(body_start..).and_then(|rest| rest.find('}')) else {
            break;
        };
        let end = body_start + len + 1;
        from = end;
        let body = text.get(body_start..end - 1).unwrap_or("");
        // An escape renders as literal text, and its `}` closes nothing else.
        if body.starts_with('!') {
            continue;
        }
        let body = body.trim();
        if body.is_empty() {
            continue;
        }
        let (name, attribute) = match body.split_once('.') {
            Some((name, attribute)) => (name, Some(attribute)),
            None => (body, None),
        };
        out.push(Placeholder {
            text: text.get(start..end).unwrap_or(""),
            name,
            attribute,
            range: start..end,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(&str, Option<&str>)> {
        placeholders(text)
            .into_iter()
            .map(|p| (p.name, p.attribute))
            .collect()
    }

    #[test]
    fn names_and_attributes() {
        assert_eq!(
            names("arn:${AWS::Partition}:s3:::${Bucket}/${Db.Endpoint.Address}"),
            vec![
                ("AWS::Partition", None),
                ("Bucket", None),
                ("Db", Some("Endpoint.Address")),
            ]
        );
    }

    #[test]
    fn escapes_are_literal() {
        assert_eq!(
            names("${!Literal} and ${!Other.Attr}-${Real}"),
            vec![("Real", None)]
        );
        assert!(placeholders("${!}").is_empty());
    }

    #[test]
    fn unterminated_and_empty_placeholders_are_literal() {
        assert!(placeholders("cost: ${").is_empty());
        assert!(placeholders("${Open and more").is_empty());
        assert!(placeholders("${}").is_empty());
        assert!(placeholders("$ {A} $A {A}").is_empty());
    }

    #[test]
    fn placeholder_text_is_as_written() {
        let found = placeholders("x-${A}${ B.C }é${D}");
        let texts: Vec<&str> = found.iter().map(|p| p.text).collect();
        assert_eq!(texts, vec!["${A}", "${ B.C }", "${D}"]);
        assert_eq!((found[1].name, found[1].attribute), ("B", Some("C")));
    }

    #[test]
    fn adjacent_and_nested_dollars() {
        assert_eq!(names("$${A}"), vec![("A", None)]);
        // The first `}` closes the placeholder, as in CloudFormation.
        assert_eq!(names("${A${B}}"), vec![("A${B", None)]);
    }
}
