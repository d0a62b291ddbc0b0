//! What counts as a word, for the index and for the search page alike: a
//! run of letters and digits (Unicode `Alphabetic` or `Numeric`), lower
//! cased, of two characters or more (a lone digit counts), at most
//! [`MAX_CHARS`] long. The search page's script splits queries by the same
//! rule (`/[\p{Alphabetic}\p{N}]+/gu`), so a word found in a report is
//! found by typing it. There is no stemming: the script matches the start
//! of words instead (`sanction` finds `sanctions`).
//!
//! This runs over every word of the site, so it reads ASCII a byte at a
//! time through a table, decodes only other characters, and hands short
//! ASCII words over as a number too (a cheaper key than their text).

/// Longer runs (hashes, base64) are not words anyone types.
pub const MAX_CHARS: usize = 40;

/// Calls `f` with each word of `text`, lower cased (in `buf` when it was
/// not already), and, for a word of up to 8 ASCII bytes, those bytes as a
/// number (no two words give the same one: words hold no NUL).
pub fn each(text: &str, buf: &mut String, mut f: impl FnMut(&str, Option<u64>)) {
    let mut words = Words { text, at: 0 };
    while let Some((word, scan)) = words.next_word() {
        let key = (scan.ascii && word.len() <= 8).then_some(scan.key);
        if scan.ascii && !scan.upper {
            f(word, key);
            continue;
        }
        buf.clear();
        if scan.ascii {
            buf.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            // Whole-word lower casing knows a final sigma (`ΣΟΦΟΣ`: `σοφος`).
            buf.push_str(&word.to_lowercase());
        }
        f(buf, key);
    }
}

/// What was seen of a word while reading it.
struct Scan {
    /// Its bytes, lower cased, as a little-endian number (for ASCII words
    /// of up to 8 bytes; 0 for others).
    key: u64,
    /// Whether it is all ASCII.
    ascii: bool,
    /// Whether it has an upper-case ASCII letter.
    upper: bool,
}

/// The words of a text, as written.
struct Words<'a> {
    text: &'a str,
    at: usize,
}

/// What each byte is, as bits: [`ALNUM`] for an ASCII letter or digit,
/// with [`UPPER`] for an upper-case one; [`WIDE`] for a byte of a
/// character beyond ASCII; none for anything else.
static CLASS: [u8; 256] = {
    let mut class = [0; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        class[b] = if b >= 0x80 {
            WIDE
        } else if byte.is_ascii_uppercase() {
            ALNUM | UPPER
        } else if byte.is_ascii_alphanumeric() {
            ALNUM
        } else {
            0
        };
        b += 1;
    }
    class
};
const ALNUM: u8 = 1;
const UPPER: u8 = 2;
const WIDE: u8 = 4;

impl<'a> Words<'a> {
    /// The next word and what was seen of it.
    fn next_word(&mut self) -> Option<(&'a str, Scan)> {
        loop {
            self.skip_other();
            let start = self.at;
            let scan = self.read_word();
            if start == self.at {
                return None;
            }
            let word = &self.text[start..self.at];
            if is_word(word, scan.ascii) {
                return Some((word, scan));
            }
        }
    }

    /// The character at `at`, when it is beyond ASCII and a letter or
    /// digit exactly when `alphanumeric` says so, and its length.
    fn wide(&self, at: usize, alphanumeric: bool) -> Option<usize> {
        let c = self.text.get(at..)?.chars().next()?;
        (c.is_alphanumeric() == alphanumeric).then(|| c.len_utf8())
    }

    /// Moves past characters that are not letters or digits.
    fn skip_other(&mut self) {
        let bytes = self.text.as_bytes();
        let mut at = self.at;
        while at < bytes.len() {
            match CLASS[usize::from(bytes[at])] {
                0 => at += 1,
                WIDE => match self.wide(at, false) {
                    Some(len) => at += len,
                    None => break,
                },
                _ => break,
            }
        }
        self.at = at;
    }

    /// Moves past letters and digits.
    fn read_word(&mut self) -> Scan {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut at = start;
        let mut seen = 0;
        while at < bytes.len() {
            let class = CLASS[usize::from(bytes[at])];
            if class & ALNUM != 0 {
                seen |= class;
                at += 1;
                continue;
            }
            match (class, self.wide(at, true)) {
                (WIDE, Some(len)) => {
                    seen |= WIDE;
                    at += len;
                }
                _ => break,
            }
        }
        self.at = at;
        let word = &bytes[start..at];
        let ascii = seen & WIDE == 0;
        // Setting bit 5 lower-cases an ASCII letter and leaves a digit.
        let key = match ascii && word.len() <= 8 {
            true => word
                .iter()
                .rev()
                .fold(0, |key, &b| (key << 8) | u64::from(b | 0x20)),
            false => 0,
        };
        Scan {
            key,
            ascii,
            upper: seen & UPPER != 0,
        }
    }
}

fn is_word(w: &str, ascii: bool) -> bool {
    if ascii {
        return (2..=MAX_CHARS).contains(&w.len())
            || (w.len() == 1 && w.as_bytes()[0].is_ascii_digit());
    }
    let mut chars = w.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_numeric(),
        (Some(_), Some(_)) => w.chars().count() <= MAX_CHARS,
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

    fn words(text: &str) -> Vec<(String, Option<u64>)> {
        let mut found = Vec::new();
        each(text, &mut String::new(), |w, key| {
            found.push((w.to_string(), key))
        });
        found
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
        assert_eq!(
            words("Ab abcdefgh abcdefghi é9"),
            [
                (
                    "ab".to_string(),
                    Some(u64::from_le_bytes(*b"ab\0\0\0\0\0\0"))
                ),
                (
                    "abcdefgh".to_string(),
                    Some(u64::from_le_bytes(*b"abcdefgh"))
                ),
                ("abcdefghi".to_string(), None),
                ("é9".to_string(), None),
            ]
        );
    }
}
