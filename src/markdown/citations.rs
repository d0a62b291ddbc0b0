//! The citation scanner: finds Pandoc-style bracketed citations
//! (`[@a]`, `[@a; @b]`, `[see @a, p. 4]`) in plain text. It knows only the
//! syntax; numbering and rendering live in `references`.

/// One cited source inside a bracket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Text before the key (`see`), trimmed.
    pub prefix: String,
    /// The source id.
    pub key: String,
    /// Text after the key (`p. 4`), trimmed, leading comma removed.
    pub locator: String,
    /// Byte offset of the `@` in the scanned text.
    pub offset: usize,
}

/// A bracketed citation found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Byte range of the whole bracket, `[` to `]` inclusive.
    pub start: usize,
    /// End of the range (exclusive).
    pub end: usize,
    /// The items in order.
    pub items: Vec<Item>,
}

const INTERNAL: &str = ":.#$%&-+?<>~/";

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Length in bytes of the key at the start of `s`, if one starts there.
/// Internal punctuation is part of a key; trailing punctuation is not.
pub fn key_len(s: &str) -> Option<usize> {
    let first = s.chars().next()?;
    if !is_key_char(first) {
        return None;
    }
    let mut end = 0;
    let mut scanned = 0;
    for c in s.chars() {
        if is_key_char(c) {
            scanned += c.len_utf8();
            end = scanned;
        } else if INTERNAL.contains(c) {
            scanned += c.len_utf8();
        } else {
            break;
        }
    }
    Some(end)
}

/// Parses the inside of a bracket (without `[` and `]`) starting at byte
/// `base` of the scanned text. Every `;`-separated part must hold exactly
/// one key, otherwise the bracket is not a citation.
fn parse_inside(inner: &str, base: usize) -> Option<Vec<Item>> {
    let mut items = Vec::new();
    let mut part_start = 0;
    for part in inner.split(';') {
        let at = find_key_marker(part)?;
        let key_start = at + 1;
        let len = key_len(&part[key_start..])?;
        let rest = &part[key_start + len..];
        if find_key_marker(rest).is_some() {
            return None;
        }
        let locator = rest.trim();
        let locator = locator.strip_prefix(',').unwrap_or(locator).trim();
        items.push(Item {
            prefix: part[..at].trim().to_string(),
            key: part[key_start..key_start + len].to_string(),
            locator: locator.to_string(),
            offset: base + part_start + at,
        });
        part_start += part.len() + 1;
    }
    Some(items)
}

/// Position of an `@` that starts a key: at the start of the text or after
/// white space or `-` (so `a@b.com` is not a citation).
fn find_key_marker(part: &str) -> Option<usize> {
    let mut prev: Option<char> = None;
    for (i, c) in part.char_indices() {
        if c == '@' && prev.is_none_or(|p| p.is_whitespace() || p == '-') {
            return Some(i);
        }
        prev = Some(c);
    }
    None
}

/// Finds every citation group in `text`. `escaped(i)` says whether the
/// byte at `i` was backslash-escaped in the source (`\[@a]` is plain text).
pub fn scan(text: &str, escaped: impl Fn(usize) -> bool) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find('[') {
        let start = from + rel;
        from = start + 1;
        if escaped(start) {
            continue;
        }
        let Some(close_rel) = text[start + 1..].find([']', '[']) else {
            break;
        };
        let close = start + 1 + close_rel;
        if text.as_bytes()[close] == b'[' {
            continue;
        }
        let inner = &text[start + 1..close];
        if !inner.contains('@') {
            continue;
        }
        if let Some(items) = parse_inside(inner, start + 1) {
            if items.iter().any(|item| escaped(item.offset)) {
                continue;
            }
            groups.push(Group {
                start,
                end: close + 1,
                items,
            });
            from = close + 1;
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parsed = Vec<Vec<(String, String, String)>>;

    fn keys(text: &str) -> Parsed {
        scan(text, |_| false)
            .into_iter()
            .map(|g| {
                g.items
                    .into_iter()
                    .map(|i| (i.prefix, i.key, i.locator))
                    .collect()
            })
            .collect()
    }

    fn one(prefix: &str, key: &str, locator: &str) -> (String, String, String) {
        (prefix.into(), key.into(), locator.into())
    }

    #[test]
    fn citation_syntax_table() {
        let cases: Vec<(&str, Parsed)> = vec![
            ("Claim [@a].", vec![vec![one("", "a", "")]]),
            ("[@a; @b]", vec![vec![one("", "a", ""), one("", "b", "")]]),
            (
                "[see @a, p. 4; @b, ch. 2]",
                vec![vec![one("see", "a", "p. 4"), one("", "b", "ch. 2")]],
            ),
            (
                "[@bloomberg-2024-04-06]",
                vec![vec![one("", "bloomberg-2024-04-06", "")]],
            ),
            ("[@doi:10.1/x.y]", vec![vec![one("", "doi:10.1/x.y", "")]]),
            ("[@a.]", vec![vec![one("", "a", ".")]]),
            ("[@a:]", vec![vec![one("", "a", ":")]]),
            ("[@_x1]", vec![vec![one("", "_x1", "")]]),
            ("[@Україна-2024]", vec![vec![one("", "Україна-2024", "")]]),
            (
                "two [@a] and [@b]",
                vec![vec![one("", "a", "")], vec![one("", "b", "")]],
            ),
            ("bare @a is text", vec![]),
            ("mail me@example.com", vec![]),
            ("[mail me@example.com]", vec![]),
            ("[@]", vec![]),
            ("[@@x]", vec![]),
            ("[@x;]", vec![]),
            ("[@x", vec![]),
            ("[@a @b]", vec![]),
            ("[no key here]", vec![]),
            ("[[@a]]", vec![vec![one("", "a", "")]]),
        ];
        for (text, expected) in cases {
            assert_eq!(keys(text), expected, "{text}");
        }
    }

    #[test]
    fn escaped_bracket_is_text() {
        let text = "[@a]";
        assert!(scan(text, |i| i == 0).is_empty());
    }

    #[test]
    fn group_ranges_cover_the_brackets() {
        let g = &scan("x [@a] y", |_| false)[0];
        assert_eq!((g.start, g.end), (2, 6));
        assert_eq!(g.items[0].offset, 3);
    }

    #[test]
    fn many_citations_in_one_paragraph() {
        let text = "[@a] ".repeat(10_000);
        assert_eq!(scan(&text, |_| false).len(), 10_000);
    }
}
