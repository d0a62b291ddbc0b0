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
    let bytes = text.as_bytes();
    let mut at = 0;
    loop {
        // To the next letter or digit.
        loop {
            let Some(&b) = bytes.get(at) else {
                return;
            };
            match CLASS[usize::from(b)] {
                0 => at += 1,
                WIDE => match wide(text, at) {
                    (_, true) => break,
                    (len, false) => at += len,
                },
                _ => break,
            }
        }
        let start = at;
        let mut seen = 0;
        loop {
            while let Some(&b) = bytes.get(at) {
                let class = CLASS[usize::from(b)];
                if class & ALNUM == 0 {
                    break;
                }
                seen |= class;
                at += 1;
            }
            match bytes.get(at) {
                Some(&b) if b >= 0x80 => match wide(text, at) {
                    (len, true) => {
                        seen |= WIDE;
                        at += len;
                    }
                    (_, false) => break,
                },
                _ => break,
            }
        }
        let word = &text[start..at];
        let ascii = seen & WIDE == 0;
        if !is_word(word, ascii) {
            continue;
        }
        let key = (ascii && word.len() <= 8).then(|| key(bytes, start, word.len()));
        if ascii && seen & UPPER == 0 {
            f(word, key);
            continue;
        }
        buf.clear();
        if ascii {
            buf.push_str(word);
            buf.make_ascii_lowercase();
        } else {
            // Whole-word lower casing knows a final sigma (`ΣΟΦΟΣ`: `σοφος`).
            buf.push_str(&word.to_lowercase());
        }
        f(buf, key);
    }
}

/// The ASCII letters and digits `bytes[start..start + len]` (`len` 1 to
/// 8), lower cased, as a little-endian number: one load and a mask when
/// 8 bytes are there to read. Setting bit 5 lower-cases an ASCII letter
/// and leaves a digit.
fn key(bytes: &[u8], start: usize, len: usize) -> u64 {
    let lower = match bytes[start..].first_chunk::<8>() {
        Some(&eight) => u64::from_le_bytes(eight),
        None => bytes[start..start + len]
            .iter()
            .rev()
            .fold(0, |key, &b| (key << 8) | u64::from(b)),
    } | 0x2020_2020_2020_2020;
    lower & (u64::MAX >> (64 - 8 * len))
}

/// The length of the character beyond ASCII at `at`, and whether it is a
/// letter or digit.
fn wide(text: &str, at: usize) -> (usize, bool) {
    match text.get(at..).and_then(|s| s.chars().next()) {
        Some(c) => (c.len_utf8(), c.is_alphanumeric()),
        None => (1, false),
    }
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
