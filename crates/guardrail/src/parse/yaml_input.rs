//! The text saphyr's scanner reads, as a [`saphyr_parser::Input`] that also notes where the
//! scanner skips a comment. The scanner decides what is a comment (not a `#` inside a quoted
//! or block scalar, nor one glued to a plain scalar); this input only records the byte
//! range of each, so comments come out of the one parse of the file.

use std::cell::RefCell;

use saphyr_parser::input::SkipTabs;
use saphyr_parser::{Input, StrInput};

/// saphyr's own `&str` input, which does the reading, and the byte offset it has reached,
/// kept up to date by every method that consumes text; the comments it skips are recorded.
pub(crate) struct CommentInput<'a, 'c> {
    /// The reader.
    inner: StrInput<'a>,
    /// The whole text.
    text: &'a str,
    /// Byte offset of what `inner` reads next.
    pos: usize,
    /// Where the comments are (`#` to the end of the line), in the order skipped.
    comments: &'c RefCell<Vec<(usize, usize)>>,
}

impl<'a, 'c> CommentInput<'a, 'c> {
    pub(crate) fn new(text: &'a str, comments: &'c RefCell<Vec<(usize, usize)>>) -> Self {
        CommentInput {
            inner: StrInput::new(text),
            text,
            pos: 0,
            comments,
        }
    }

    /// The bytes that the next `chars` characters take.
    fn bytes_of(&self, chars: usize) -> usize {
        let rest = self.text.get(self.pos..).unwrap_or("");
        rest.char_indices()
            .nth(chars)
            .map_or(rest.len(), |(at, _)| at)
    }

    /// Moves on by `chars` characters, recording the comment among them, if any: the scanner
    /// skips a comment only after whitespace, to the end of the line.
    fn consumed(&mut self, chars: usize) {
        let bytes = self.bytes_of(chars);
        let skipped = self.text.get(self.pos..self.pos + bytes).unwrap_or("");
        if let Some(at) = skipped.find('#') {
            if let Ok(mut comments) = self.comments.try_borrow_mut() {
                comments.push((self.pos + at, self.pos + bytes));
            }
        }
        self.pos += bytes;
    }
}

impl Input for CommentInput<'_, '_> {
    fn lookahead(&mut self, count: usize) {
        self.inner.lookahead(count);
    }

    fn buflen(&self) -> usize {
        self.inner.buflen()
    }

    fn bufmaxlen(&self) -> usize {
        self.inner.bufmaxlen()
    }

    fn buf_is_empty(&self) -> bool {
        self.inner.buf_is_empty()
    }

    fn raw_read_ch(&mut self) -> char {
        let at_end = self.pos >= self.text.len();
        let c = self.inner.raw_read_ch();
        if !at_end {
            self.pos += c.len_utf8();
        }
        c
    }

    fn raw_read_non_breakz_ch(&mut self) -> Option<char> {
        let c = self.inner.raw_read_non_breakz_ch()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip(&mut self) {
        if let Some(c) = self.inner.peek_opt() {
            self.pos += c.len_utf8();
        }
        self.inner.skip();
    }

    fn skip_n(&mut self, count: usize) {
        self.pos += self.bytes_of(count);
        self.inner.skip_n(count);
    }

    fn peek(&self) -> char {
        self.inner.peek()
    }

    fn peek_nth(&self, n: usize) -> char {
        self.inner.peek_nth(n)
    }

    fn peek_opt(&self) -> Option<char> {
        self.inner.peek_opt()
    }

    fn look_ch(&mut self) -> char {
        self.inner.look_ch()
    }

    fn next_char_is(&self, c: char) -> bool {
        self.inner.next_char_is(c)
    }

    fn nth_char_is(&self, n: usize, c: char) -> bool {
        self.inner.nth_char_is(n, c)
    }

    fn next_2_are(&self, c1: char, c2: char) -> bool {
        self.inner.next_2_are(c1, c2)
    }

    fn next_3_are(&self, c1: char, c2: char, c3: char) -> bool {
        self.inner.next_3_are(c1, c2, c3)
    }

    fn next_is_document_indicator(&self) -> bool {
        self.inner.next_is_document_indicator()
    }

    fn next_is_document_start(&self) -> bool {
        self.inner.next_is_document_start()
    }

    fn next_is_document_end(&self) -> bool {
        self.inner.next_is_document_end()
    }

    fn skip_ws_to_eol(&mut self, skip_tabs: SkipTabs) -> (usize, Result<SkipTabs, &'static str>) {
        let (chars, result) = self.inner.skip_ws_to_eol(skip_tabs);
        self.consumed(chars);
        (chars, result)
    }

    fn next_can_be_plain_scalar(&self, in_flow: bool) -> bool {
        self.inner.next_can_be_plain_scalar(in_flow)
    }

    fn next_is_blank_or_break(&self) -> bool {
        self.inner.next_is_blank_or_break()
    }

    fn next_is_blank_or_breakz(&self) -> bool {
        self.inner.next_is_blank_or_breakz()
    }

    fn next_is_blank(&self) -> bool {
        self.inner.next_is_blank()
    }

    fn next_is_break(&self) -> bool {
        self.inner.next_is_break()
    }

    fn next_is_breakz(&self) -> bool {
        self.inner.next_is_breakz()
    }

    fn next_is_z(&self) -> bool {
        self.inner.next_is_z()
    }

    fn next_is_flow(&self) -> bool {
        self.inner.next_is_flow()
    }

    fn next_is_digit(&self) -> bool {
        self.inner.next_is_digit()
    }

    fn next_is_alpha(&self) -> bool {
        self.inner.next_is_alpha()
    }

    fn skip_while_non_breakz(&mut self) -> usize {
        // The scanner calls this only at a `#` that starts a comment.
        let chars = self.inner.skip_while_non_breakz();
        self.consumed(chars);
        chars
    }

    fn skip_while_blank(&mut self) -> usize {
        // Blanks are spaces and tabs: one byte each.
        let chars = self.inner.skip_while_blank();
        self.pos += chars;
        chars
    }

    fn fetch_while_is_alpha(&mut self, out: &mut String) -> usize {
        let before = out.len();
        let chars = self.inner.fetch_while_is_alpha(out);
        self.pos += out.len().saturating_sub(before);
        chars
    }

    fn fetch_while_is_yaml_non_space(&mut self, out: &mut String) -> usize {
        let before = out.len();
        let chars = self.inner.fetch_while_is_yaml_non_space(out);
        self.pos += out.len().saturating_sub(before);
        chars
    }
}
