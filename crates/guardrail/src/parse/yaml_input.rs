//! The text saphyr's scanner reads, as a [`saphyr_parser::Input`] that also notes where the
//! scanner skips a comment. The scanner decides what is a comment (not a `#` inside a quoted
//! or block scalar, nor one glued to a plain scalar); this input only records the byte
//! range of each, so comments come out of the one parse of the file.

use std::cell::RefCell;

use saphyr_parser::Input;
use saphyr_parser::input::SkipTabs;

/// Chunk of characters the scanner may look ahead at once (the value `StrInput` uses).
const BUFFER_LEN: usize = 128;

/// A `&str` input that records the byte ranges (`#` to the end of the line) of the comments
/// the scanner skips.
pub(crate) struct CommentInput<'a, 'c> {
    /// The whole text.
    text: &'a str,
    /// What is still to be read.
    rest: &'a str,
    /// How far the scanner asked to look ahead.
    lookahead: usize,
    /// Where the comments are, in the order skipped.
    comments: &'c RefCell<Vec<(usize, usize)>>,
}

impl<'a, 'c> CommentInput<'a, 'c> {
    pub(crate) fn new(text: &'a str, comments: &'c RefCell<Vec<(usize, usize)>>) -> Self {
        CommentInput {
            text,
            rest: text,
            lookahead: 0,
            comments,
        }
    }

    fn offset(&self) -> usize {
        self.text.len() - self.rest.len()
    }

    /// Skips the comment starting here (at `#`), recording it; returns its length in
    /// characters.
    fn skip_comment(&mut self) -> usize {
        let start = self.offset();
        let mut chars = 0;
        let mut len = 0;
        for c in self.rest.chars() {
            if !is_yaml_non_break(c) {
                break;
            }
            chars += 1;
            len += c.len_utf8();
        }
        self.rest = self.rest.get(len..).unwrap_or("");
        if let Ok(mut comments) = self.comments.try_borrow_mut() {
            comments.push((start, start + len));
        }
        chars
    }
}

/// Not a line break, the end of the input, or a byte order mark (YAML's `nb-char`, as saphyr
/// has it).
fn is_yaml_non_break(c: char) -> bool {
    !matches!(c, '\n' | '\r' | '\0' | '\u{FEFF}')
}

impl Input for CommentInput<'_, '_> {
    fn lookahead(&mut self, count: usize) {
        self.lookahead = self.lookahead.max(count);
    }

    fn buflen(&self) -> usize {
        self.lookahead
    }

    fn bufmaxlen(&self) -> usize {
        BUFFER_LEN
    }

    fn buf_is_empty(&self) -> bool {
        self.buflen() == 0
    }

    fn raw_read_ch(&mut self) -> char {
        let mut chars = self.rest.chars();
        match chars.next() {
            Some(c) => {
                self.rest = chars.as_str();
                c
            }
            None => '\0',
        }
    }

    fn raw_read_non_breakz_ch(&mut self) -> Option<char> {
        let mut chars = self.rest.chars();
        let c = chars.next().filter(|&c| is_yaml_non_break(c))?;
        self.rest = chars.as_str();
        Some(c)
    }

    fn skip(&mut self) {
        let mut chars = self.rest.chars();
        chars.next();
        self.rest = chars.as_str();
    }

    fn skip_n(&mut self, count: usize) {
        let mut chars = self.rest.chars();
        for _ in 0..count {
            if chars.next().is_none() {
                break;
            }
        }
        self.rest = chars.as_str();
    }

    fn peek(&self) -> char {
        self.rest.chars().next().unwrap_or('\0')
    }

    fn peek_nth(&self, n: usize) -> char {
        self.rest.chars().nth(n).unwrap_or('\0')
    }

    fn peek_opt(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn look_ch(&mut self) -> char {
        self.lookahead(1);
        self.peek()
    }

    fn next_char_is(&self, c: char) -> bool {
        self.peek() == c
    }

    fn skip_ws_to_eol(&mut self, skip_tabs: SkipTabs) -> (usize, Result<SkipTabs, &'static str>) {
        let mut has_yaml_ws = false;
        let mut encountered_tab = false;
        let mut consumed = 0;
        loop {
            match self.rest.as_bytes().first() {
                Some(b' ') => has_yaml_ws = true,
                Some(b'\t') if skip_tabs == SkipTabs::Yes => encountered_tab = true,
                _ => break,
            }
            self.rest = self.rest.get(1..).unwrap_or("");
            consumed += 1;
        }
        if self.rest.starts_with('#') {
            if !encountered_tab && !has_yaml_ws {
                return (
                    consumed,
                    Err("comments must be separated from other tokens by whitespace"),
                );
            }
            consumed += self.skip_comment();
        }
        (consumed, Ok(SkipTabs::Result(encountered_tab, has_yaml_ws)))
    }

    fn skip_while_non_breakz(&mut self) -> usize {
        // The scanner calls this only at a `#` that starts a comment.
        if self.rest.starts_with('#') {
            return self.skip_comment();
        }
        let mut count = 0;
        while let Some(c) = self.raw_read_non_breakz_ch() {
            let _ = c;
            count += 1;
        }
        count
    }
}
