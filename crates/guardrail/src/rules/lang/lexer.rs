//! Tokens of the condition language.

use super::{SyntaxError, TextRange};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// A name: path keys, keywords, helper names, type names (`AWS::S3::Bucket` included).
    Ident(String),
    /// `$`, `$pod`, `$containers`.
    Root(String),
    /// `@`
    At,
    Str(String),
    Number(f64),
    Dot,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Star,
    Op(&'static str),
}

pub(super) fn tokenize(text: &str) -> Result<Vec<(Token, TextRange)>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let single = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'.' => Some(Token::Dot),
            b',' => Some(Token::Comma),
            b'(' => Some(Token::LParen),
            b')' => Some(Token::RParen),
            b'[' => Some(Token::LBracket),
            b']' => Some(Token::RBracket),
            b'*' => Some(Token::Star),
            b'@' => Some(Token::At),
            _ => None,
        };
        if let Some(token) = single {
            i += 1;
            tokens.push((token, start..i));
            continue;
        }
        let two = text.get(i..i + 2).unwrap_or("");
        let op = match two {
            "==" => Some("=="),
            "!=" => Some("!="),
            "<=" => Some("<="),
            ">=" => Some(">="),
            _ => match c {
                b'<' => Some("<"),
                b'>' => Some(">"),
                _ => None,
            },
        };
        if let Some(op) = op {
            i += op.len();
            tokens.push((Token::Op(op), start..i));
            continue;
        }
        match c {
            b'"' | b'\'' => {
                let (value, end) = string(text, i)?;
                i = end;
                tokens.push((Token::Str(value), start..i));
            }
            b'$' => {
                i += 1;
                while i < bytes.len() && is_ident_byte(bytes[i]) {
                    i += 1;
                }
                tokens.push((Token::Root(text[start..i].to_owned()), start..i));
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    // A dot followed by a non-digit ends the number (`a[0].b` never lexes
                    // here, but `1.5` does).
                    if bytes[i] == b'.' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                        break;
                    }
                    i += 1;
                }
                let number = text[start..i].parse::<f64>().map_err(|_| SyntaxError {
                    range: start..i,
                    message: format!("`{}` is not a number", &text[start..i]),
                })?;
                tokens.push((Token::Number(number), start..i));
            }
            c if is_ident_start(c) => {
                i += 1;
                loop {
                    if i < bytes.len() && is_ident_byte(bytes[i]) {
                        i += 1;
                    } else if text.get(i..i + 2) == Some("::")
                        && bytes.get(i + 2).is_some_and(|b| is_ident_start(*b))
                    {
                        // CloudFormation type names: AWS::S3::Bucket
                        i += 2;
                    } else {
                        break;
                    }
                }
                tokens.push((Token::Ident(text[start..i].to_owned()), start..i));
            }
            _ => {
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                return Err(SyntaxError {
                    range: i..i + len,
                    message: format!("unexpected character `{}`", &text[i..i + len]),
                });
            }
        }
    }
    Ok(tokens)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// A quoted string starting at `start`; returns its value and the offset after it.
/// Backslash escapes the quote and itself; other backslashes are kept (regexes need them).
fn string(text: &str, start: usize) -> Result<(String, usize), SyntaxError> {
    let quote = text.as_bytes()[start] as char;
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, next)) if next == quote || next == '\\' => value.push(next),
                Some((_, next)) => {
                    value.push('\\');
                    value.push(next);
                }
                None => break,
            },
            c if c == quote => return Ok((value, start + 1 + offset + 1)),
            c => value.push(c),
        }
    }
    Err(SyntaxError {
        range: start..text.len(),
        message: "string is not closed".into(),
    })
}
