//! What counts as a word, for the index and for the search page alike: a
//! run of letters and digits (Unicode `Alphabetic` or `Numeric`), lower
//! cased, of two characters or more (a lone digit counts), at most
//! [`MAX_CHARS`] long. The search page's script splits queries by the same
//! rule (`/[\p{Alphabetic}\p{N}]+/gu`), so a word found in a report is
//! found by typing it. There is no stemming: the script matches the start
//! of words instead (`sanction` finds `sanctions`).
//!
//! This runs over every word of the site, so it skips to a word a byte
//! at a time through a table, reads the word eight bytes at a time (as
//! one number, bit tricks telling ASCII letters and digits from the rest),
//! decodes only characters beyond ASCII, and hands ASCII words of up to 16
//! bytes over as two numbers (a cheaper key than their text, and already
//! lower cased).

use super::eight::{HIGH, between, splat};

/// Longer runs (hashes, base64) are not words anyone types.
pub const MAX_CHARS: usize = 40;

/// The words of a text, in order.
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

/// A word of up to 16 ASCII bytes, lower cased, as two little-endian
/// numbers (no two words give the same: words hold no NUL).
pub type Key = [u64; 2];

/// A word that [`Words`] found.
pub enum Word<'a> {
    /// A word of up to 16 ASCII bytes (nearly all), by its key.
    Short(Key),
    /// Another word, as written.
    Long(Long<'a>),
}

/// A word longer than 16 bytes or with characters beyond ASCII, as
/// written.
pub struct Long<'a> {
    word: &'a str,
    ascii: bool,
}

impl<'a> Words<'a> {
    pub fn new(text: &'a str) -> Words<'a> {
        Words { text, at: 0 }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    #[inline]
    fn next(&mut self) -> Option<Word<'a>> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        loop {
            // To the next letter or digit.
            let mut at = self.at;
            loop {
                match CLASS[usize::from(*bytes.get(at)?)] {
                    0 => at += 1,
                    WIDE => match wide(text, at) {
                        (_, true) => break,
                        (len, false) => at += len,
                    },
                    _ => break,
                }
            }
            let start = at;
            let mut eight = Eight::at(bytes, at);
            // The word's first 16 bytes (for its key).
            let (head, mut next) = (eight.bytes, 0);
            let mut ascii = true;
            loop {
                let stop = !eight.alnum & HIGH;
                let len = stop.trailing_zeros() as usize / 8;
                at += len;
                if len < 8 {
                    match bytes.get(at) {
                        Some(&b) if b >= 0x80 => match wide(text, at) {
                            (len, true) => {
                                ascii = false;
                                at += len;
                            }
                            (_, false) => break,
                        },
                        _ => break,
                    }
                }
                eight = Eight::at(bytes, at);
                if at == start + 8 {
                    next = eight.bytes;
                }
            }
            self.at = at;
            let len = at - start;
            let word = ascii && (2..=MAX_CHARS).contains(&len)
                || ascii && len == 1 && bytes[start].is_ascii_digit()
                || !ascii && is_wide_word(&text[start..at]);
            if !word {
                continue;
            }
            // Setting bit 5 lower-cases an ASCII letter and leaves a digit.
            return Some(if ascii && len <= 8 {
                Word::Short([(head | splat(0x20)) & (u64::MAX >> (64 - 8 * len)), 0])
            } else if ascii && len <= 16 {
                let mask = u64::MAX >> (128 - 8 * len);
                Word::Short([head | splat(0x20), (next | splat(0x20)) & mask])
            } else {
                Word::Long(Long {
                    word: &text[start..at],
                    ascii,
                })
            });
        }
    }
}

impl Long<'_> {
    /// The word lower cased, in `buf`.
    pub fn lower<'b>(&self, buf: &'b mut String) -> &'b str {
        let word = self.word;
        buf.clear();
        if self.ascii {
            buf.push_str(word);
            buf.make_ascii_lowercase();
        } else {
            // Whole-word lower casing knows a final sigma (`ΣΟΦΟΣ`: `σοφος`).
            buf.push_str(&word.to_lowercase());
        }
        buf
    }
}

/// Whether a run of letters and digits, some beyond ASCII, is a word:
/// one numeric character, or 2 to [`MAX_CHARS`] characters.
fn is_wide_word(w: &str) -> bool {
    let mut chars = w.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_numeric(),
        (Some(_), Some(_)) => w.chars().count() <= MAX_CHARS,
        _ => false,
    }
}

/// The length of the character beyond ASCII at `at`, and whether it is a
/// letter or digit.
fn wide(text: &str, at: usize) -> (usize, bool) {
    match text.get(at..).and_then(|s| s.chars().next()) {
        Some(c) => (c.len_utf8(), c.is_alphanumeric()),
        None => (1, false),
    }
}

/// What each byte is: [`ALNUM`] for an ASCII letter or digit, [`WIDE`]
/// for a byte of a character beyond ASCII, 0 for anything else.
static CLASS: [u8; 256] = {
    let mut class = [0; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = if b >= 0x80 {
            WIDE
        } else if (b as u8).is_ascii_alphanumeric() {
            ALNUM
        } else {
            0
        };
        b += 1;
    }
    class
};
const ALNUM: u8 = 1;
const WIDE: u8 = 2;

/// Eight bytes of a text as a little-endian number (zeros past its end),
/// and which are ASCII letters and digits, as the high bit of each byte.
struct Eight {
    bytes: u64,
    alnum: u64,
}

impl Eight {
    #[inline]
    fn at(bytes: &[u8], at: usize) -> Eight {
        let rest = bytes.get(at..).unwrap_or_default();
        let n = match rest.first_chunk::<8>() {
            Some(&eight) => u64::from_le_bytes(eight),
            None => rest.iter().rev().fold(0, |n, &b| (n << 8) | u64::from(b)),
        };
        let ascii = !n & HIGH;
        let low = n & !HIGH;
        // Setting bit 5 lower-cases an ASCII letter and leaves a digit.
        let alnum = between(low | splat(0x20), b'a', b'z') | between(low, b'0', b'9');
        Eight {
            bytes: n,
            alnum: alnum & ascii,
        }
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

    fn words(text: &str) -> Vec<(String, Option<Key>)> {
        let mut buf = String::new();
        Words::new(text)
            .map(|w| match w {
                Word::Short(key) => (crate::search::index::unpacked(key), Some(key)),
                Word::Long(w) => (w.lower(&mut buf).to_string(), None),
            })
            .collect()
    }

    #[test]
    fn words_table() {
        let long = "x".repeat(MAX_CHARS + 1);
        let cases: [(&str, &[&str]); 8] = [
            (
                "China's CNC-tools, 2023",
                &["china", "cnc", "tools", "2023"],
            ),
            ("a 5 x", &["5"]),
            ("Україна і Росія", &["україна", "росія"]),
            ("e-mail: a@b.example", &["mail", "example"]),
            ("", &[]),
            (long.as_str(), &[]),
            ("ΣΟΦΟΣ straße", &["σοφος", "straße"]),
            ("café Café x٣", &["café", "café", "x٣"]),
        ];
        for (text, expected) in cases {
            let found: Vec<String> = words(text).into_iter().map(|(w, _)| w).collect();
            assert_eq!(found, expected, "{text}");
        }
    }

    #[test]
    fn short_ascii_words_come_with_their_bytes_as_a_key() {
        let key = |bytes: &[u8; 16]| {
            let (a, b) = bytes.split_at(8);
            Some([a, b].map(|h| u64::from_le_bytes(h.try_into().expect("8 bytes"))))
        };
        assert_eq!(
            words("Ab abcdefgH ABCDEFGHIJKLMNOP abcdefghijklmnopq é9 x"),
            [
                ("ab".to_string(), key(b"ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0")),
                ("abcdefgh".to_string(), key(b"abcdefgh\0\0\0\0\0\0\0\0")),
                ("abcdefghijklmnop".to_string(), key(b"abcdefghijklmnop")),
                ("abcdefghijklmnopq".to_string(), None),
                ("é9".to_string(), None),
            ]
        );
    }
}
