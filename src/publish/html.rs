//! A small HTML scanner for the link checker: it finds, in one pass over a
//! page, every `id` (and `<a name>`) and every URL-bearing attribute
//! (`href`, `src`, `srcset`, `poster`, `xlink:href`) with its line and
//! column, and the `<base href>` if there is one.
//!
//! It follows the HTML tokenizer where that matters for attributes:
//! comments, `<!...>` and `<?...>` are skipped, the text of `script`,
//! `style`, `textarea`, `title`, `xmp`, `noembed` and `noframes` is not
//! markup, attribute values may be double-, single- or un-quoted, names
//! are case-insensitive, the first of two same-named attributes wins, and
//! character references in values are decoded (numeric ones and the named
//! ones a URL or id realistically holds).

/// A URL found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The attribute it came from (`href`, `src`, ...).
    pub attr: &'static str,
    /// The URL, character references decoded.
    pub url: String,
    /// 1-based line of the attribute value.
    pub line: usize,
    /// 1-based column (in characters) of the attribute value.
    pub col: usize,
}

/// What the link checker needs from one page.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Every element id (and `<a name>`), decoded.
    pub ids: Vec<String>,
    /// Every URL, in document order.
    pub links: Vec<Found>,
    /// The first `<base href>`, if any.
    pub base: Option<String>,
}

/// Elements whose content is text, not markup.
const RAW_TEXT: [&str; 7] = [
    "script", "style", "textarea", "title", "xmp", "noembed", "noframes",
];

/// The elements whose attributes mean something special here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// `<a>`: `name` is an anchor.
    A,
    /// `<base>`: `href` changes how links resolve.
    Base,
    Other,
}

impl Tag {
    fn of(name: &str) -> Tag {
        if name.eq_ignore_ascii_case("a") {
            Tag::A
        } else if name.eq_ignore_ascii_case("base") {
            Tag::Base
        } else {
            Tag::Other
        }
    }
}

/// The attributes the link checker reads.
#[derive(Clone, Copy)]
enum Attr {
    /// `id`, or `name` on `<a>`.
    Id,
    /// `href` on `<base>`.
    Base,
    Href,
    Src,
    Srcset,
    Poster,
    XlinkHref,
}

impl Attr {
    fn of(name: &str, tag: Tag) -> Option<Attr> {
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        Some(if is("id") || (tag == Tag::A && is("name")) {
            Attr::Id
        } else if is("href") {
            if tag == Tag::Base {
                Attr::Base
            } else {
                Attr::Href
            }
        } else if is("src") {
            Attr::Src
        } else if is("srcset") {
            Attr::Srcset
        } else if is("poster") {
            Attr::Poster
        } else if is("xlink:href") {
            Attr::XlinkHref
        } else {
            return None;
        })
    }
}

/// Scans one page.
pub fn scan(html: &str) -> Scan {
    let mut scanner = Scanner {
        html,
        pos: 0,
        lines: Lines::default(),
        out: Scan::default(),
    };
    scanner.run();
    scanner.out
}

struct Scanner<'a> {
    html: &'a str,
    pos: usize,
    lines: Lines,
    out: Scan,
}

impl<'a> Scanner<'a> {
    fn run(&mut self) {
        while let Some(at) = self.html[self.pos..].find('<') {
            self.pos += at;
            let rest = &self.html[self.pos..];
            if rest.starts_with("<!--") {
                self.skip_past(4, "-->");
            } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
                self.skip_past(2, ">");
            } else if rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
                self.pos += 1;
                if let Some(raw) = self.tag() {
                    self.skip_raw_text(raw);
                }
            } else {
                self.pos += 1;
            }
        }
    }

    /// Moves past the first `end` found `from` bytes ahead (or to the end).
    fn skip_past(&mut self, from: usize, end: &str) {
        let start = (self.pos + from).min(self.html.len());
        self.pos = match self.html[start..].find(end) {
            Some(i) => start + i + end.len(),
            None => self.html.len(),
        };
    }

    /// Moves past the end tag of raw-text element `name`.
    fn skip_raw_text(&mut self, name: &str) {
        let bytes = self.html.as_bytes();
        let mut from = self.pos;
        while let Some(i) = self.html[from..].find("</") {
            let at = from + i + 2;
            let end = (at + name.len()).min(bytes.len());
            if bytes[at..end].eq_ignore_ascii_case(name.as_bytes()) {
                self.pos = from + i;
                return;
            }
            from = at;
        }
        self.pos = self.html.len();
    }

    /// Reads a start tag from its name to its `>`, recording what matters;
    /// returns the name of a raw-text element, whose text is to be skipped.
    fn tag(&mut self) -> Option<&'static str> {
        let name = self.word(|c| c.is_ascii_whitespace() || c == '/' || c == '>');
        let tag = Tag::of(name);
        let mut seen = 0u8;
        loop {
            self.skip_while(|c| c.is_ascii_whitespace() || c == '/');
            match self.html.as_bytes().get(self.pos) {
                None => break,
                Some(b'>') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => {}
            }
            let attr =
                self.word_from_one(|c| c.is_ascii_whitespace() || c == '/' || c == '>' || c == '=');
            let kind = Attr::of(attr, tag);
            self.skip_while(|c| c.is_ascii_whitespace());
            let value = if self.html[self.pos..].starts_with('=') {
                self.pos += 1;
                self.skip_while(|c| c.is_ascii_whitespace());
                Some(self.value())
            } else {
                None
            };
            // The first of two same-named attributes wins.
            let Some(kind) = kind else { continue };
            let bit = 1u8 << (kind as u8);
            if seen & bit != 0 {
                continue;
            }
            seen |= bit;
            if let Some((start, raw)) = value {
                self.record(kind, start, raw);
            }
        }
        RAW_TEXT
            .iter()
            .find(|raw| raw.eq_ignore_ascii_case(name))
            .copied()
    }

    fn record(&mut self, kind: Attr, start: usize, raw: &str) {
        let value = decode(raw);
        let attr: &'static str = match kind {
            Attr::Id => return self.out.ids.push(value),
            Attr::Base => {
                self.out.base.get_or_insert(value);
                return;
            }
            Attr::Href => "href",
            Attr::Src => "src",
            Attr::Poster => "poster",
            Attr::XlinkHref => "xlink:href",
            Attr::Srcset => {
                let (line, col) = self.lines.at(self.html, start);
                for url in srcset(&value) {
                    self.out.links.push(Found {
                        attr: "srcset",
                        url,
                        line,
                        col,
                    });
                }
                return;
            }
        };
        let (line, col) = self.lines.at(self.html, start);
        self.out.links.push(Found {
            attr,
            url: value,
            line,
            col,
        });
    }

    /// Reads an attribute value; returns where it starts and its raw text.
    fn value(&mut self) -> (usize, &'a str) {
        let html = self.html;
        let quote = html[self.pos..].chars().next();
        if let Some(q @ ('"' | '\'')) = quote {
            let start = self.pos + 1;
            let end = html[start..].find(q).map_or(html.len(), |i| start + i);
            self.pos = (end + 1).min(html.len());
            (start, &html[start..end])
        } else {
            let start = self.pos;
            let raw = self.word(|c| c.is_ascii_whitespace() || c == '>');
            (start, raw)
        }
    }

    fn word(&mut self, stop: impl Fn(char) -> bool) -> &'a str {
        let html = self.html;
        let start = self.pos;
        let len = html[start..].find(stop).unwrap_or(html.len() - start);
        self.pos += len;
        &html[start..start + len]
    }

    /// Like `word`, but the first character is taken whatever it is (an
    /// attribute name may start with `=`).
    fn word_from_one(&mut self, stop: impl Fn(char) -> bool) -> &'a str {
        let html = self.html;
        let start = self.pos;
        let first = html[start..].chars().next().map_or(0, char::len_utf8);
        self.pos += first;
        self.word(stop);
        &html[start..self.pos]
    }

    fn skip_while(&mut self, keep: impl Fn(char) -> bool) {
        let len = self.html[self.pos..]
            .find(|c| !keep(c))
            .unwrap_or(self.html.len() - self.pos);
        self.pos += len;
    }
}

/// Line and column of byte offsets, which are asked for in increasing
/// order, so the counting resumes where it stopped.
#[derive(Default)]
struct Lines {
    /// The last offset asked for, its 0-based line and its 1-based column.
    offset: usize,
    line: usize,
    col: usize,
}

impl Lines {
    fn at(&mut self, text: &str, offset: usize) -> (usize, usize) {
        let between = &text[self.offset..offset];
        match between.rfind('\n') {
            Some(i) => {
                self.line += between.bytes().filter(|&b| b == b'\n').count();
                self.col = between[i + 1..].chars().count() + 1;
            }
            None if self.offset == 0 && self.col == 0 => self.col = between.chars().count() + 1,
            None => self.col += between.chars().count(),
        }
        self.offset = offset;
        (self.line + 1, self.col)
    }
}

/// The URLs of a `srcset` value (descriptors dropped).
fn srcset(value: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let url = &rest[..end];
        rest = &rest[end..];
        if let Some(trimmed) = url.strip_suffix(',') {
            urls.push(trimmed.trim_end_matches(',').to_string());
            continue;
        }
        urls.push(url.to_string());
        rest = rest.find(',').map_or("", |i| &rest[i..]);
    }
}

/// Decodes character references: numeric ones, and the named ones that
/// turn up in URLs and ids. Anything else is left as written.
pub fn decode(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match reference(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character a reference at the start of `s` stands for, and its
/// length. (The search index reads text with it too.)
pub(crate) fn reference(s: &str) -> Option<(char, usize)> {
    let end = s[1..].find(';')? + 1;
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(n)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{FFFD}')
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{A0}',
            "sol" => '/',
            "num" => '#',
            "quest" => '?',
            "percnt" => '%',
            "equals" => '=',
            "colon" => ':',
            "period" => '.',
            "comma" => ',',
            "lowbar" => '_',
            "hyphen" | "dash" => '‐',
            "ndash" => '–',
            "mdash" => '—',
            "hellip" => '…',
            "lsquo" => '‘',
            "rsquo" => '’',
            "ldquo" => '“',
            "rdquo" => '”',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(html: &str) -> Vec<String> {
        scan(html).links.into_iter().map(|l| l.url).collect()
    }

    #[test]
    fn finds_links_ids_and_positions() {
        let s = scan("<p id=top>\n  <a href=\"x/index.html\" id='a'>x</a>\n<img src=i.png>");
        assert_eq!(s.ids, ["top", "a"]);
        assert_eq!(
            s.links[0],
            Found {
                attr: "href",
                url: "x/index.html".into(),
                line: 2,
                col: 12
            }
        );
        assert_eq!((s.links[1].attr, s.links[1].line), ("src", 3));
    }

    #[test]
    fn quoting_and_case() {
        assert_eq!(
            urls("<A HREF='a b'><a\nhref = \"c\"><a href=d>"),
            ["a b", "c", "d"]
        );
        assert_eq!(urls("<a title=\"<a href=x>\" href=y>"), ["y"]);
        assert_eq!(urls("<a href=one href=two>"), ["one"]);
        assert_eq!(urls("<img/src=a.png>"), ["a.png"]);
    }

    #[test]
    fn skips_comments_scripts_and_end_tags() {
        let html = "<!-- <a href=c> --><!DOCTYPE html><script>var s = '<a href=\"j\">';</script>\
                    <style>a[href=s]{}</style></a href=e><title><a href=t></title><a href=ok>";
        assert_eq!(urls(html), ["ok"]);
    }

    #[test]
    fn decodes_references() {
        assert_eq!(
            decode("a&amp;b&#47;c&#x2F;d&lt;&unknown;&"),
            "a&b/c/d<&unknown;&"
        );
        assert_eq!(urls("<a href=\"?a=1&amp;b=2\">"), ["?a=1&b=2"]);
        assert_eq!(scan("<li id=\"ref-a&amp;b\">").ids, ["ref-a&b"]);
    }

    #[test]
    fn srcset_urls() {
        assert_eq!(srcset("a.png 1x, b.png 2x"), ["a.png", "b.png"]);
        assert_eq!(srcset("a.png,b.png"), ["a.png,b.png"]);
        assert_eq!(srcset("a.png, b.png"), ["a.png", "b.png"]);
        assert_eq!(srcset(" a.png 100w ,b.png 200w"), ["a.png", "b.png"]);
    }

    #[test]
    fn base_and_names() {
        let s = scan("<base href=\"https://h/\"><a name=n><div name=no>");
        assert_eq!(s.base.as_deref(), Some("https://h/"));
        assert_eq!(s.ids, ["n"]);
    }

    #[test]
    fn unterminated_markup_ends_quietly() {
        assert_eq!(urls("<a href=\"x"), ["x"]);
        assert!(urls("<!-- never closed <a href=x>").is_empty());
        assert!(urls("<script><a href=x>").is_empty());
        assert_eq!(urls("a < b <a href=y"), ["y"]);
    }
}
