//! What counts as a word, for the index and for the search page alike: a
//! run of letters and digits (Unicode `Alphabetic` or `Numeric`), lower
//! cased, of two characters or more (a lone digit counts), at most
//! [`MAX_CHARS`] long. The search page's script splits queries by the same
//! rule (`/[\p{Alphabetic}\p{N}]+/gu`), so a word found in a report is
//! found by typing it. There is no stemming: the script matches the start
//! of words instead (`sanction` finds `sanctions`).

/// Longer runs (hashes, base64) are not words anyone types.
pub const MAX_CHARS: usize = 40;

/// The words of `lower`, which must already be lower case.
pub fn words(lower: &str) -> Words<'_> {
    Words { text: lower, at: 0 }
}

/// The iterator of [`words`]: it steps over ASCII byte by byte and
/// decodes only other characters, as most text is ASCII.
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            self.skip(false);
            let start = self.at;
            self.skip(true);
            let end = self.at;
            if start == end {
                return None;
            }
            let word = &self.text[start..end];
            if is_word(word) {
                return Some(word);
            }
        }
    }
}

impl Words<'_> {
    /// Moves past the characters that are (or are not) letters or digits.
    fn skip(&mut self, alphanumeric: bool) {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.at) {
            let (is, len) = if b.is_ascii() {
                (b.is_ascii_alphanumeric(), 1)
            } else {
                match self.text[self.at..].chars().next() {
                    Some(c) => (c.is_alphanumeric(), c.len_utf8()),
                    None => return,
                }
            };
            if is != alphanumeric {
                return;
            }
            self.at += len;
        }
    }
}

fn is_word(w: &str) -> bool {
    let mut chars = w.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_numeric(),
        (Some(_), Some(_)) => w.len() <= MAX_CHARS || w.chars().count() <= MAX_CHARS,
        _ => false,
    }
}

/// How much a word weighs in each part of a report: a word of the title
/// says more about the report than one in a footnote.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    /// The report's title.
    Title,
    /// Its summary.
    Summary,
    /// Its tags.
    Tag,
    /// A heading of its body.
    Heading,
    /// Its body, events and sources.
    Text,
}

impl Field {
    /// The weight of one occurrence.
    pub fn weight(self) -> u32 {
        match self {
            Field::Title => 12,
            Field::Summary => 4,
            Field::Tag | Field::Heading => 3,
            Field::Text => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_table() {
        let long = "x".repeat(MAX_CHARS + 1);
        let cases: [(&str, &[&str]); 6] = [
            (
                "china's cnc-tools, 2023",
                &["china", "cnc", "tools", "2023"],
            ),
            ("a 5 x", &["5"]),
            ("україна і росія", &["україна", "росія"]),
            ("e-mail: a@b.example", &["mail", "example"]),
            ("", &[]),
            (long.as_str(), &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(words(text).collect::<Vec<_>>(), expected, "{text}");
        }
    }
}
