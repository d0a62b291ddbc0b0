//! A report's rendered body as plain text, cut into sections at its
//! headings: the search index reads words from these, and search results
//! quote them. Citation markers (`[1]` with their hidden previews),
//! footnote markers, scripts and styles are left out; entities are
//! decoded; whitespace is folded.
//!
//! The body is HTML annalist rendered itself, but raw HTML written in a
//! report passes through it, so nothing here assumes well-formed markup:
//! an unclosed tag or comment ends the text, never the program. It runs
//! over every body of the site, so it reads tags in place, without
//! allocating for them.

use std::borrow::Cow;
use std::ops::Range;

use super::eight::{splat, zero};
use crate::publish::html::reference;

/// A part of a body: the text before the first heading (no anchor, no
/// title), or a heading with an `id` and the text up to the next one; each
/// part a range of the text [`sections`] appended to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading's `id`, empty for the text before the first heading.
    pub anchor: Range<usize>,
    /// The heading's text.
    pub title: Range<usize>,
    /// The section's text.
    pub text: Range<usize>,
}

/// Elements whose tags do not separate words (`un<em>usual</em>`).
fn is_inline(name: &[u8]) -> bool {
    matches!(
        name,
        b"a" | b"abbr"
            | b"b"
            | b"bdi"
            | b"bdo"
            | b"cite"
            | b"code"
            | b"data"
            | b"del"
            | b"dfn"
            | b"em"
            | b"i"
            | b"ins"
            | b"kbd"
            | b"mark"
            | b"q"
            | b"s"
            | b"samp"
            | b"small"
            | b"span"
            | b"strong"
            | b"sub"
            | b"sup"
            | b"time"
            | b"u"
            | b"var"
    )
}

/// Elements skipped with everything inside them.
fn is_skipped(name: &[u8]) -> bool {
    matches!(name, b"script" | b"style" | b"template" | b"svg")
}

/// Appends the plain text of `html` to `buf`; returns its sections.
pub fn sections(html: &str, buf: &mut String) -> Vec<Section> {
    let from = buf.len();
    let mut text = Text {
        buf,
        out: vec![Section {
            anchor: from..from,
            title: from..from,
            text: from..from,
        }],
        heading: None,
        from,
    };
    let mut at = 0;
    loop {
        at += push_text(text.buf, text.from, &html[at..], true);
        if at == html.len() {
            return text.finish();
        }
        let Some(tag) = Tag::parse(&html[at..]) else {
            return text.finish();
        };
        at += tag.len;
        if tag.closing {
            text.close(&tag);
        } else if is_skipped(&tag.lower) {
            at = skip_element(html, at, tag.name);
        } else if tag.is_marker() {
            at = skip_element(html, at, tag.name);
            // `claim [1].` reads `claim.` once the marker is gone.
            text.trim_end();
        } else {
            text.open(&tag);
        }
    }
}

/// The sections read so far.
struct Text<'a> {
    buf: &'a mut String,
    /// Never empty; the last one's title (while a heading is read) or text
    /// runs to the end of `buf`.
    out: Vec<Section>,
    /// The level of the heading whose title is being read, if any.
    heading: Option<u8>,
    /// Where the title or text being read starts in `buf`.
    from: usize,
}

impl Text<'_> {
    fn open(&mut self, tag: &Tag) {
        if !is_inline(&tag.lower) {
            space(self.buf, self.from);
        }
        if let (Some(level), None) = (tag.heading(), self.heading)
            && let Some(id) = attribute(tag.attrs, "id").filter(|id| !id.is_empty())
        {
            self.end();
            let anchor = self.buf.len();
            self.buf.push_str(&id);
            self.from = self.buf.len();
            self.out.push(Section {
                anchor: anchor..self.from,
                title: self.from..self.from,
                text: self.from..self.from,
            });
            self.heading = Some(level);
        }
    }

    fn close(&mut self, tag: &Tag) {
        if !is_inline(&tag.lower) {
            space(self.buf, self.from);
        }
        if tag.heading().is_some() && tag.heading() == self.heading {
            self.end();
            self.heading = None;
            self.from = self.buf.len();
            if let Some(section) = self.out.last_mut() {
                section.text = self.from..self.from;
            }
        }
    }

    /// Ends the title or text being read where `buf` ends.
    fn end(&mut self) {
        let end = self.buf.len();
        if let Some(section) = self.out.last_mut() {
            match self.heading {
                Some(_) => section.title.end = end,
                None => section.text.end = end,
            }
        }
    }

    fn trim_end(&mut self) {
        let len = self.buf[self.from..].trim_end().len();
        self.buf.truncate(self.from + len);
    }

    fn finish(mut self) -> Vec<Section> {
        self.end();
        for section in &mut self.out {
            for range in [&mut section.title, &mut section.text] {
                range.end = range.start + self.buf[range.clone()].trim_end().len();
            }
        }
        self.out
    }
}

/// Appends `raw` to `target` with its character references decoded and
/// each run of ASCII whitespace as one space (none at the start of the
/// target, which begins at `from`), up to the first `<` when `to_tag`
/// (else all of it); returns how many bytes it read. Runs of plain text, single spaces between words
/// included, are found eight bytes at a time and copied whole.
fn push_text(target: &mut String, from: usize, raw: &str, to_tag: bool) -> usize {
    let bytes = raw.as_bytes();
    // With `to_tag` off, `<` is plain: look for `&` in its place.
    let stop = splat(if to_tag { b'<' } else { b'&' });
    let (mut start, mut at) = (0, 0);
    // Where this run of text ends, for references: found at the first `&`.
    let mut end = None;
    loop {
        // Whitespace where a run starts is folded (below) at once.
        let mut carry = 0;
        let special = match bytes.get(at) {
            Some(&b) if at == start && b.is_ascii_whitespace() => at,
            _ => loop {
                // `<`, `&`, a control byte or a space after a space; zeros
                // (control bytes) past the end stop it there.
                let rest = bytes.get(at..).unwrap_or_default();
                let n = match rest.first_chunk::<8>() {
                    Some(&eight) => u64::from_le_bytes(eight),
                    None => rest.iter().rev().fold(0, |n, &b| (n << 8) | u64::from(b)),
                };
                let spaces = zero(n ^ splat(b' '));
                let found = zero(n ^ stop)
                    | zero(n ^ splat(b'&'))
                    | zero(n & splat(0xe0))
                    | (spaces & ((spaces << 8) | carry));
                if found != 0 {
                    break at + found.trailing_zeros() as usize / 8;
                }
                carry = spaces >> 56;
                at += 8;
            },
        };
        at = special.min(bytes.len());
        match bytes.get(at) {
            None => break,
            Some(b'<') if to_tag => break,
            Some(b'&') => {
                target.push_str(&raw[start..at]);
                let end = *end.get_or_insert_with(|| match to_tag {
                    true => raw[at..].find('<').map_or(raw.len(), |lt| at + lt),
                    false => raw.len(),
                });
                match reference(&raw[at..end]) {
                    Some((c, len)) => {
                        if c.is_whitespace() {
                            space(target, from);
                        } else {
                            target.push(c);
                        }
                        at += len;
                    }
                    None => {
                        target.push('&');
                        at += 1;
                    }
                }
                start = at;
            }
            Some(b) if b.is_ascii_whitespace() => {
                target.push_str(&raw[start..at]);
                space(target, from);
                while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                    at += 1;
                }
                start = at;
            }
            // Another control byte, kept as it is.
            Some(_) => at += 1,
        }
    }
    target.push_str(&raw[start..at]);
    at
}

/// One space, unless the target (from `from`) is empty or ends in one.
fn space(target: &mut String, from: usize) {
    if target.len() > from && !target.ends_with(' ') {
        target.push(' ');
    }
}

/// An opening or closing tag at the start of a string, read in place.
#[derive(Debug)]
struct Tag<'a> {
    /// The name as written (empty for comments and doctypes).
    name: &'a str,
    /// The name in lower case, for names of up to 8 letters (longer ones
    /// are no element this module looks for).
    lower: Lowered,
    closing: bool,
    /// Everything after the name.
    attrs: &'a str,
    /// Bytes from `<` to `>` inclusive (or to the end of a comment).
    len: usize,
}

impl<'a> Tag<'a> {
    /// Reads the tag at the start of `s` (which starts with `<`); None if
    /// it never ends.
    fn parse(s: &'a str) -> Option<Tag<'a>> {
        if let Some(comment) = s.strip_prefix("<!--") {
            let end = comment.find("-->")?;
            return Some(Tag::nameless(4 + end + 3));
        }
        // Quoted attribute values may hold `>`.
        let bytes = s.as_bytes();
        let mut i = 1;
        let end = loop {
            match *bytes.get(i)? {
                b'>' => break i,
                q @ (b'"' | b'\'') => i += 2 + bytes.get(i + 1..)?.iter().position(|&b| b == q)?,
                _ => i += 1,
            }
        };
        let inner = &s[1..end];
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let name_len = inner
            .bytes()
            .position(|b| b.is_ascii_whitespace() || b == b'/')
            .unwrap_or(inner.len());
        let name = &inner[..name_len];
        if !name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
            return Some(Tag::nameless(end + 1));
        }
        Some(Tag {
            name,
            lower: Lowered::of(name),
            closing,
            attrs: &inner[name_len..],
            len: end + 1,
        })
    }

    fn nameless(len: usize) -> Tag<'a> {
        Tag {
            name: "",
            lower: Lowered::of(""),
            closing: false,
            attrs: "",
            len,
        }
    }

    /// The level of a heading tag (`h2` is 2).
    fn heading(&self) -> Option<u8> {
        match self.name.as_bytes() {
            [b'h' | b'H', d @ b'1'..=b'6'] => Some(d - b'0'),
            _ => None,
        }
    }

    /// A citation or footnote marker: its number and preview are not text
    /// of the report (the sources are indexed as sections of their own).
    fn is_marker(&self) -> bool {
        *self.lower == *b"sup"
            && attribute(self.attrs, "class").is_some_and(|c| {
                c.split_ascii_whitespace()
                    .any(|c| c == "citation" || c == "footnote-reference")
            })
    }
}

/// A short tag name in lower case (empty when it was too long).
#[derive(Debug)]
struct Lowered {
    bytes: [u8; 8],
    len: usize,
}

impl Lowered {
    fn of(name: &str) -> Lowered {
        let mut bytes = [0; 8];
        if name.len() > bytes.len() {
            return Lowered { bytes, len: 0 };
        }
        for (to, b) in bytes.iter_mut().zip(name.bytes()) {
            *to = b.to_ascii_lowercase();
        }
        Lowered {
            bytes,
            len: name.len(),
        }
    }
}

impl std::ops::Deref for Lowered {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// The value of attribute `name` in a tag's attribute text, entities
/// decoded (and whitespace folded).
fn attribute<'a>(attrs: &'a str, name: &str) -> Option<Cow<'a, str>> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let key_len = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        rest = rest[key_len..].trim_start();
        let mut value = "";
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (v, tail) = match after.as_bytes().first() {
                Some(&q @ (b'"' | b'\'')) => {
                    let body = &after[1..];
                    let close = body.find(char::from(q)).unwrap_or(body.len());
                    (&body[..close], body.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let stop = after
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    (&after[..stop], &after[stop..])
                }
            };
            value = v;
            rest = tail;
        }
        if key.eq_ignore_ascii_case(name) {
            if !value.bytes().any(|b| b == b'&' || b.is_ascii_whitespace()) {
                return Some(Cow::Borrowed(value));
            }
            let mut decoded = String::new();
            push_text(&mut decoded, 0, value, false);
            return Some(Cow::Owned(decoded));
        }
    }
}

/// The position after the end of the element `name` whose opening tag
/// ends at `at`, or the end of `html`. Closing tags are matched without
/// regard to case: annalist writes lower-case tags, raw HTML in a report
/// may not.
fn skip_element(html: &str, at: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut from = at;
    while let Some(lt) = html[from..].find('<') {
        let close = from + lt;
        let after = &bytes[close + 1..];
        if after.first() == Some(&b'/')
            && (after.get(1..=name.len())).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
        {
            return html[close..]
                .find('>')
                .map_or(html.len(), |e| close + e + 1);
        }
        from = close + 1;
    }
    html.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str) -> Vec<(String, String, String)> {
        let mut buf = "before".to_string();
        let sections = sections(html, &mut buf);
        let part = |r: Range<usize>| buf[r].to_string();
        sections
            .into_iter()
            .map(|s| (part(s.anchor), part(s.title), part(s.text)))
            .collect()
    }

    fn one(anchor: &str, title: &str, text: &str) -> (String, String, String) {
        (anchor.into(), title.into(), text.into())
    }

    #[test]
    fn headings_with_ids_start_sections() {
        let html = "<p>Lead <em>text</em>.</p>\n<h2 id=\"why\">Why <code>it</code></h2>\n<p>Because.</p><h3>No id</h3><p>More</p>";
        assert_eq!(
            texts(html),
            [
                one("", "", "Lead text."),
                one("why", "Why it", "Because. No id More"),
            ]
        );
    }

    #[test]
    fn inline_elements_do_not_split_words() {
        let html = "<p>un<strong>usual</strong> H<sub>2</sub>O x<sup>2</sup> <u>a</u>b <time>20</time>24</p>";
        assert_eq!(texts(html), [one("", "", "unusual H2O x2 ab 2024")]);
    }

    #[test]
    fn markers_entities_and_hidden_elements_are_not_text() {
        let html = "<p>A claim <sup class=\"citation\">[<a class=\"cite\" href=\"#ref-a\">1</a><span class=\"cite-tip\">Title</span>]</sup>. Q&amp;A &#39;x&#x27; &nbsp;&unknown; &</p><script>var x = '<p>';</script><!-- note --><style>p{}</style><p>end<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup></p>";
        assert_eq!(
            texts(html),
            [one("", "", "A claim. Q&A 'x' &unknown; & end")]
        );
    }

    #[test]
    fn broken_markup_ends_the_text() {
        for html in [
            "<p>a <b",
            "<p>a <!-- b",
            "<p>a</p><script>x",
            "<h2 id='x'>T",
            "<<>>",
            "&#xFFFFFFFF; &#0;",
        ] {
            let _ = sections(html, &mut String::new());
        }
        assert_eq!(texts("<p>a <b"), [one("", "", "a")]);
        assert_eq!(texts("<h2 id='x'>T"), [one("", "", ""), one("x", "T", "")]);
        assert_eq!(
            texts("<P>Up<H2 ID=up>Case</H2>"),
            [one("", "", "Up"), one("up", "Case", "")]
        );
    }

    #[test]
    fn whitespace_folds_around_entities_quotes_and_skipped_elements() {
        let html = "<p>\n  a &nbsp; b\t\r\n c&amp;d  e </p><a title=\"x > y\" href='q'>f</a>g<SUP Class=\"citation\">[<b>1</b>]</Sup>. <h2 id=\"a&amp;b\">H  i</h2>";
        assert_eq!(
            texts(html),
            [one("", "", "a b c&d e fg."), one("a&b", "H i", "")]
        );
    }
}
