//! The inverted index: for every word, the records holding it and how
//! much it weighs in each. Built in pieces (one per run of records, in
//! parallel), merged, then cut into shards by the first letters of their
//! words, so that a query loads only the shards its words can be in.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::words;
use crate::render::memo::FastMap;

/// Words with more postings than this are split by one more letter, so a
/// shard stays small enough to load for one query (about 100 KB).
const SHARD_POSTINGS: usize = 20_000;

/// Shard keys are never longer than this many characters.
const MAX_KEY: usize = 8;

/// Shard keys start at this many characters.
const MIN_KEY: usize = 2;

/// Words and their postings: `(record, weight)` in record order.
#[derive(Default)]
pub struct Postings {
    /// Each word and its postings.
    lists: Vec<(String, Vec<(u32, u32)>)>,
    /// Where each word is in `lists`: short ASCII words (most of them) by
    /// their bytes as a number, the others by their text.
    short: HashMap<u64, usize, BuildHasherDefault<Packed>>,
    long: FastMap<String, usize>,
    /// Room to lower-case a word in.
    buf: String,
}

impl Postings {
    /// Adds the words of `text` to record `id`, each occurrence weighing
    /// `weight`. Records must be added in ascending order within one
    /// `Postings`.
    pub fn add(&mut self, id: u32, text: &str, weight: u32) {
        let Postings {
            lists,
            short,
            long,
            buf,
        } = self;
        words::each(text, buf, |word, key| {
            let at = match key {
                Some(key) => *short.entry(key).or_insert_with(|| new_list(lists, word)),
                None => match long.get(word) {
                    Some(&at) => at,
                    None => {
                        let at = new_list(lists, word);
                        long.insert(word.to_string(), at);
                        at
                    }
                },
            };
            let list = &mut lists[at].1;
            match list.last_mut() {
                Some(last) if last.0 == id => last.1 = last.1.saturating_add(weight),
                _ => list.push((id, weight)),
            }
        });
    }

    /// Both sets of postings in one; `other` holds later records.
    pub fn merge(mut self, other: Postings) -> Postings {
        // `other` holds later records: its postings go after ours.
        for (word, list) in other.lists {
            let at = match packed(&word) {
                Some(key) => self.short.get(&key).copied(),
                None => self.long.get(&word).copied(),
            };
            match at {
                Some(at) => self.lists[at].1.extend(list),
                None => {
                    let at = new_list(&mut self.lists, &word);
                    self.lists[at].1 = list;
                    match packed(&word) {
                        Some(key) => self.short.insert(key, at),
                        None => self.long.insert(word, at),
                    };
                }
            }
        }
        self
    }

    /// The shards: each key with the number of the file holding its
    /// words, and each file as JSON (`{"word":[record, weight, record
    /// delta, weight, ...], ...}`). Small shards next to each other share
    /// a file, so a small site is a few files, not hundreds.
    pub fn into_shards(self) -> Shards {
        let mut words = self.lists;
        words.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        words.par_iter_mut().for_each(|(_, list)| {
            if !list.is_sorted_by_key(|p| p.0) {
                list.sort_unstable_by_key(|p| p.0);
            }
        });
        let mut shards = Vec::new();
        split(&words, 0..words.len(), MIN_KEY, &mut shards);
        // Shards are in word order, so a run of them is a run of words.
        let mut files: Vec<std::ops::Range<usize>> = Vec::new();
        let mut keys = Vec::with_capacity(shards.len());
        let mut in_file = 0;
        for (key, range) in shards {
            let size: usize = words[range.clone()].iter().map(|(_, l)| l.len()).sum();
            match files.last_mut() {
                Some(file) if in_file + size <= SHARD_POSTINGS => {
                    file.end = range.end;
                    in_file += size;
                }
                _ => {
                    files.push(range);
                    in_file = size;
                }
            }
            keys.push((key, files.len() - 1));
        }
        let json = files
            .par_iter()
            .map(|range| shard_json(&words[range.clone()]))
            .collect();
        Shards { keys, files: json }
    }
}

/// The word index cut into files.
pub struct Shards {
    /// Each shard's key (the first letters of its words) and file number.
    pub keys: Vec<(String, usize)>,
    /// Each file as JSON.
    pub files: Vec<Vec<u8>>,
}

/// Adds an empty list for `word`; returns where it is.
fn new_list(lists: &mut Vec<(String, Vec<(u32, u32)>)>, word: &str) -> usize {
    lists.push((word.to_string(), Vec::new()));
    lists.len() - 1
}

/// A word of up to 8 ASCII bytes as a number, as [`words::each`] gives
/// it.
fn packed(word: &str) -> Option<u64> {
    let bytes = word.as_bytes();
    (bytes.len() <= 8 && word.is_ascii()).then(|| {
        bytes
            .iter()
            .rev()
            .fold(0, |key, &b| (key << 8) | u64::from(b))
    })
}

/// A hasher for [`packed`] words: one multiplication, bits folded down.
#[derive(Default)]
struct Packed(u64);

impl Hasher for Packed {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let h = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = h ^ (h >> 29);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The first `n` characters of `word`.
fn prefix(word: &str, n: usize) -> &str {
    word.char_indices().nth(n).map_or(word, |(i, _)| &word[..i])
}

/// Cuts the sorted `words[range]` into shards keyed by their first `len`
/// characters, splitting a large shard by one more character: the words
/// as long as its key stay in it, the longer ones go to longer keys.
fn split(
    words: &[(String, Vec<(u32, u32)>)],
    range: std::ops::Range<usize>,
    len: usize,
    out: &mut Vec<(String, std::ops::Range<usize>)>,
) {
    let mut start = range.start;
    while start < range.end {
        let key = prefix(&words[start].0, len);
        let end = start
            + words[start..range.end]
                .iter()
                .take_while(|(w, _)| w.starts_with(key) && prefix(w, len) == key)
                .count();
        let size: usize = words[start..end].iter().map(|(_, l)| l.len()).sum();
        if size > SHARD_POSTINGS && len < MAX_KEY && end - start > 1 {
            let exact = start
                + words[start..end]
                    .iter()
                    .take_while(|(w, _)| w == key)
                    .count();
            if exact > start {
                out.push((key.to_string(), start..exact));
            }
            split(words, exact..end, len + 1, out);
        } else {
            out.push((key.to_string(), start..end));
        }
        start = end;
    }
}

/// A shard as JSON, record numbers as deltas.
fn shard_json(words: &[(String, Vec<(u32, u32)>)]) -> Vec<u8> {
    let postings: usize = words.iter().map(|(_, l)| l.len()).sum();
    let mut out = String::with_capacity(postings * 6 + words.len() * 12);
    out.push('{');
    for (i, (word, list)) in words.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Words are letters and digits: nothing to escape but quotes, which
        // they cannot hold; serde_json writes them anyway for safety.
        out.push_str(&serde_json::Value::from(word.as_str()).to_string());
        out.push_str(":[");
        let mut last = 0;
        for (j, &(record, weight)) in list.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            push_number(&mut out, record - last);
            out.push(',');
            push_number(&mut out, weight);
            last = record;
        }
        out.push(']');
    }
    out.push('}');
    out.into_bytes()
}

/// Appends `n` in decimal (`write!` costs ten times as much, and shards
/// hold millions of numbers).
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// `ids` (ascending) as the first one and the differences after it.
pub fn deltas(ids: &[u32]) -> Vec<u32> {
    let mut last = 0;
    ids.iter()
        .map(|&id| {
            let d = id - last;
            last = id;
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn postings(words: &[(&str, usize)]) -> Postings {
        let mut p = Postings::default();
        for (i, &(word, count)) in words.iter().enumerate() {
            for r in 0..count {
                p.add((i * 100_000 + r) as u32, word, 1);
            }
        }
        p
    }

    #[test]
    fn small_shards_are_keyed_by_two_letters_and_share_a_file() {
        let shards = postings(&[("china", 2), ("chips", 1), ("russia", 1), ("5", 1)]).into_shards();
        let keys: Vec<(&str, usize)> = shards.keys.iter().map(|(k, f)| (k.as_str(), *f)).collect();
        assert_eq!(keys, [("5", 0), ("ch", 0), ("ru", 0)]);
        assert_eq!(
            String::from_utf8(shards.files[0].clone()).unwrap(),
            r#"{"5":[300000,1],"china":[0,1,1,1],"chips":[100000,1],"russia":[200000,1]}"#
        );
    }

    #[test]
    fn large_shards_split_by_one_more_letter() {
        let big = SHARD_POSTINGS;
        let shards = postings(&[("th", 1), ("the", big), ("this", big), ("to", 1)]).into_shards();
        let keys: Vec<(&str, usize)> = shards.keys.iter().map(|(k, f)| (k.as_str(), *f)).collect();
        assert_eq!(keys, [("th", 0), ("the", 1), ("thi", 2), ("to", 3)]);
    }

    #[test]
    fn merged_postings_stay_in_record_order() {
        let mut a = Postings::default();
        let mut b = Postings::default();
        b.add(5, "x1", 1);
        a.add(1, "X1 x1", 2);
        let shards = b.merge(a).into_shards();
        assert_eq!(shards.files[0], br#"{"x1":[1,4,4,1]}"#);
        assert_eq!(deltas(&[2, 3, 7]), [2, 1, 4]);
    }
}
