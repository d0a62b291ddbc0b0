//! The inverted index: for every word, the records holding it and how
//! much it weighs in each. Built in pieces (one per run of records, in
//! parallel), put together, then cut into shards by the first letters of
//! their words, so that a query loads only the shards its words can be in.

use std::ops::Range;

use rayon::prelude::*;

use super::words::{Key, Word, Words};
use crate::render::memo::FastMap;

/// Words with more postings than this are split by one more letter, so a
/// shard stays small enough to load for one query (about 100 KB).
const SHARD_POSTINGS: usize = 20_000;

/// Shard keys are never longer than this many characters.
const MAX_KEY: usize = 8;

/// Shard keys start at this many characters.
const MIN_KEY: usize = 2;

/// The postings, `(record, weight)`, of a run of records: appended to one
/// log as they are made, not to a list per word, and sorted by word once,
/// by [`into_part`](Self::into_part).
#[derive(Default)]
pub struct Postings {
    /// The words, numbered as they were first seen.
    words: Vec<String>,
    ids: Ids,
    /// Each word's posting in the latest record it was seen in (weight 0
    /// for none yet): a word repeated in a record adds to it here.
    latest: Vec<(u32, u32)>,
    /// The postings before those; each word's in record order.
    log: Log,
    /// Room to lower-case a word in.
    buf: String,
}

impl Postings {
    /// Adds the words of `text` to record `id`, each occurrence weighing
    /// `weight`. Records must be added in ascending order within one
    /// `Postings`.
    pub fn add(&mut self, id: u32, text: &str, weight: u32) {
        for word in Words::new(text) {
            let n = match word {
                Word::Short(key) => match self.ids.short.entry(key) {
                    (slot, false) => slot.word,
                    (slot, true) => {
                        slot.word = self.words.len() as u32;
                        self.new_word(unpacked(key))
                    }
                },
                Word::Long(word) => {
                    let text = word.lower(&mut self.buf);
                    match self.ids.long.get(text) {
                        Some(&n) => n,
                        None => {
                            let n = self.words.len() as u32;
                            self.ids.long.insert(text.to_string(), n);
                            let text = text.to_string();
                            self.new_word(text)
                        }
                    }
                }
            };
            let latest = &mut self.latest[n as usize];
            if latest.0 == id && latest.1 != 0 {
                latest.1 = latest.1.saturating_add(weight);
            } else {
                if latest.1 != 0 {
                    self.log.push((n, latest.0, latest.1));
                }
                *latest = (id, weight);
            }
        }
    }

    /// Numbers `word`; returns its number.
    fn new_word(&mut self, word: String) -> u32 {
        self.words.push(word);
        self.latest.push((0, 0));
        self.words.len() as u32 - 1
    }

    /// The postings as a [`Part`]: the log with every word's latest
    /// posting in it, sorted by word (keeping each word's in record
    /// order).
    pub fn into_part(mut self) -> Part {
        let latest = self.latest.iter().enumerate();
        self.log.extend(
            latest
                .filter(|(_, p)| p.1 != 0)
                .map(|(n, &(record, weight))| (n as u32, record, weight)),
        );
        let mut starts = vec![0; self.words.len() + 1];
        for &(n, _, _) in &self.log {
            starts[n as usize + 1] += 1;
        }
        for n in 1..starts.len() {
            starts[n] += starts[n - 1];
        }
        let mut next = starts.clone();
        let mut postings = vec![(0, 0); self.log.len()];
        for (n, record, weight) in self.log {
            postings[next[n as usize]] = (record, weight);
            next[n as usize] += 1;
        }
        Part {
            words: self.words,
            starts,
            postings,
        }
    }
}

/// The postings of a run of records, each word's together and in record
/// order.
pub struct Part {
    /// The words, by number.
    words: Vec<String>,
    /// Where each word's postings start in `postings` (and, last, where
    /// they end).
    starts: Vec<usize>,
    postings: Vec<(u32, u32)>,
}

impl Part {
    /// The postings of word `n`.
    fn of(&self, n: usize) -> &[(u32, u32)] {
        &self.postings[self.starts[n]..self.starts[n + 1]]
    }
}

/// Postings as `(word, record, weight)`.
type Log = Vec<(u32, u32, u32)>;

/// Word numbers by word.
#[derive(Default)]
struct Ids {
    /// ASCII words of up to 16 bytes (nearly all), by their [`Key`].
    short: Short,
    /// The other words, by their text.
    long: FastMap<String, u32>,
}

impl Ids {
    /// The number of `word`, given `next` (and remembered) if it had none.
    fn get_or(&mut self, word: &str, next: u32) -> u32 {
        match packed(word) {
            Some(key) => match self.short.entry(key) {
                (slot, false) => slot.word,
                (slot, true) => {
                    slot.word = next;
                    next
                }
            },
            None => *self.long.entry(word.to_string()).or_insert(next),
        }
    }
}

/// The index of `parts` (each the postings of a run of records, the runs
/// in record order), cut into shards.
pub fn shards(mut parts: Vec<Part>) -> Shards {
    let mut ids = Ids::default();
    let mut texts: Vec<String> = Vec::new();
    // Each part's word numbers across parts.
    let numbers: Vec<Vec<u32>> = parts
        .iter_mut()
        .map(|part| {
            let words = std::mem::take(&mut part.words);
            words
                .into_iter()
                .map(|word| {
                    let n = ids.get_or(&word, texts.len() as u32);
                    if n as usize == texts.len() {
                        texts.push(word);
                    }
                    n
                })
                .collect()
        })
        .collect();
    // Each word's number in each part (`u32::MAX` where it is not).
    let width = parts.len();
    let mut local = vec![u32::MAX; texts.len() * width];
    let mut sizes = vec![0; texts.len()];
    for (p, (part, numbers)) in parts.iter().zip(&numbers).enumerate() {
        for (i, &n) in numbers.iter().enumerate() {
            local[n as usize * width + p] = i as u32;
            sizes[n as usize] += part.of(i).len();
        }
    }
    let mut words: Vec<(usize, usize)> = sizes.into_iter().enumerate().collect();
    words.par_sort_unstable_by(|a, b| texts[a.0].cmp(&texts[b.0]));
    let sorted: Vec<(&str, usize)> = words
        .iter()
        .map(|&(n, size)| (texts[n].as_str(), size))
        .collect();
    let mut shards = Vec::new();
    split(&sorted, 0..words.len(), MIN_KEY, &mut shards);
    // Shards are in word order, so a run of them is a run of words.
    let mut files: Vec<Range<usize>> = Vec::new();
    let mut keys = Vec::with_capacity(shards.len());
    let mut in_file = 0;
    for (key, range) in shards {
        let size: usize = words[range.clone()].iter().map(|w| w.1).sum();
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
    Shards {
        keys,
        files,
        words,
        texts,
        parts,
        local,
    }
}

/// The word index cut into shards by the first letters of their words,
/// each file written when asked for (so that its memory is used again for
/// the next).
pub struct Shards {
    /// Each shard's key (the first letters of its words) and file number.
    pub keys: Vec<(String, usize)>,
    /// The words of each file, as ranges of `words`.
    files: Vec<Range<usize>>,
    /// Each word's number and postings count, in word order.
    words: Vec<(usize, usize)>,
    /// Each word's text, by number.
    texts: Vec<String>,
    parts: Vec<Part>,
    /// Each word's number in each part, `parts.len()` a word (`u32::MAX`
    /// where the part has no such word).
    local: Vec<u32>,
}

impl Shards {
    /// How many files the shards take.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// Appends file `i` to `out` as JSON, its words with their postings,
    /// record numbers as deltas: `{"word":[record, weight, record delta,
    /// weight, ...], ...}`. Small shards next to each other share a file,
    /// so a small site is a few files, not hundreds.
    pub fn json(&self, i: usize, out: &mut Vec<u8>) {
        let words = &self.words[self.files[i].clone()];
        let size: usize = words.iter().map(|w| w.1).sum();
        out.reserve(size * 6 + words.len() * 12 + 4);
        out.push(b'{');
        for (i, &(n, _)) in words.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // Words are letters and digits: nothing to escape but quotes,
            // which they cannot hold; serde_json writes them anyway for
            // safety.
            out.extend_from_slice(
                serde_json::Value::from(self.texts[n].as_str())
                    .to_string()
                    .as_bytes(),
            );
            out.extend_from_slice(b":[");
            // Parts in record order, each word's postings in record order
            // within a part: they come out in record order.
            let width = self.parts.len();
            let local = &self.local[n * width..(n + 1) * width];
            let mut last = 0;
            for (part, &i) in self.parts.iter().zip(local) {
                if i == u32::MAX {
                    continue;
                }
                for &(record, weight) in part.of(i as usize) {
                    let delta = record - last;
                    if delta < 10 && weight < 10 {
                        // Most postings: a frequent word's next record, a
                        // low weight.
                        out.extend_from_slice(&[
                            b'0' + delta as u8,
                            b',',
                            b'0' + weight as u8,
                            b',',
                        ]);
                    } else {
                        push_number(out, delta);
                        out.push(b',');
                        push_number(out, weight);
                        out.push(b',');
                    }
                    last = record;
                }
            }
            match out.last_mut() {
                Some(end @ b',') => *end = b']',
                _ => out.push(b']'),
            }
        }
        out.push(b'}');
    }
}

/// The key of a (lower-case) word of up to 16 ASCII bytes, as
/// [`Words`] gives it.
fn packed(word: &str) -> Option<Key> {
    let bytes = word.as_bytes();
    (bytes.len() <= 16 && word.is_ascii()).then(|| {
        let mut key = [0; 2];
        for (i, &b) in bytes.iter().enumerate() {
            key[i / 8] |= u64::from(b) << (8 * (i % 8));
        }
        key
    })
}

/// The word whose key is `key` (the inverse of [`packed`]).
pub(super) fn unpacked(key: Key) -> String {
    key.iter()
        .flat_map(|n| n.to_le_bytes())
        .take_while(|&b| b != 0)
        .map(char::from)
        .collect()
}

/// The numbers of short words: an open-addressing table keyed by
/// [`packed`] words, probed linearly from a multiplicative hash,
/// at most half full; cheaper per occurrence than a general hash map.
#[derive(Default)]
struct Short {
    /// A power of two of them once the first word is in.
    slots: Vec<Slot>,
    /// How many are taken.
    len: usize,
    /// 64 less log2 of the number of slots: a hash shifted right by it
    /// is a slot.
    shift: u32,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    /// The word's key ([`packed`]; `[0, 0]` for an empty slot).
    key: Key,
    /// Its number.
    word: u32,
}

impl Short {
    /// The slot of `key`, and whether it was empty (it is now `key`'s).
    #[inline(always)]
    fn entry(&mut self, key: Key) -> (&mut Slot, bool) {
        if !self.slots.is_empty() {
            let i = self.slot(key);
            // `slot` stops at `key` or at an empty slot.
            if self.slots[i].key[0] != 0 {
                return (&mut self.slots[i], false);
            }
        }
        self.insert(key)
    }

    /// The slot `key` goes in, the table grown first if need be.
    #[cold]
    fn insert(&mut self, key: Key) -> (&mut Slot, bool) {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let i = self.slot(key);
        self.len += 1;
        let slot = &mut self.slots[i];
        slot.key = key;
        (slot, true)
    }

    /// Where `key` is, or the empty slot where it would go.
    #[inline(always)]
    fn slot(&self, key: Key) -> usize {
        let mask = self.slots.len() - 1;
        let hash = (key[0] ^ key[1].rotate_left(31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut i = (hash >> self.shift) as usize;
        loop {
            let k = self.slots[i].key;
            if k == key || k[0] == 0 {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the table (from 1,024 slots).
    #[cold]
    fn grow(&mut self) {
        let size = (2 * self.slots.len()).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        self.shift = 64 - size.trailing_zeros();
        for slot in old.into_iter().filter(|s| s.key[0] != 0) {
            let i = self.slot(slot.key);
            self.slots[i] = slot;
        }
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
    words: &[(&str, usize)],
    range: Range<usize>,
    len: usize,
    out: &mut Vec<(String, Range<usize>)>,
) {
    let mut start = range.start;
    while start < range.end {
        let key = prefix(words[start].0, len);
        let end = start
            + words[start..range.end]
                .iter()
                .take_while(|(w, _)| w.starts_with(key) && prefix(w, len) == key)
                .count();
        let size: usize = words[start..end].iter().map(|w| w.1).sum();
        if size > SHARD_POSTINGS && len < MAX_KEY && end - start > 1 {
            let exact = start
                + words[start..end]
                    .iter()
                    .take_while(|(w, _)| *w == key)
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

/// Appends `n` in decimal (`write!` costs ten times as much, and shards
/// hold millions of numbers, most of them one digit).
fn push_number(out: &mut Vec<u8>, mut n: u32) {
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    while n > 0 {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&digits[at..]);
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

    fn postings(words: &[(&str, usize)]) -> Shards {
        let mut p = Postings::default();
        for (i, &(word, count)) in words.iter().enumerate() {
            for r in 0..count {
                p.add((i * 100_000 + r) as u32, word, 1);
            }
        }
        shards(vec![p.into_part()])
    }

    fn json(shards: &Shards, i: usize) -> String {
        let mut out = Vec::new();
        shards.json(i, &mut out);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn small_shards_are_keyed_by_two_letters_and_share_a_file() {
        let shards = postings(&[("china", 2), ("chips", 1), ("russia", 1), ("5", 1)]);
        let keys: Vec<(&str, usize)> = shards.keys.iter().map(|(k, f)| (k.as_str(), *f)).collect();
        assert_eq!(keys, [("5", 0), ("ch", 0), ("ru", 0)]);
        assert_eq!(
            json(&shards, 0),
            r#"{"5":[300000,1],"china":[0,1,1,1],"chips":[100000,1],"russia":[200000,1]}"#
        );
    }

    #[test]
    fn large_shards_split_by_one_more_letter() {
        let big = SHARD_POSTINGS;
        let shards = postings(&[("th", 1), ("the", big), ("this", big), ("to", 1)]);
        let keys: Vec<(&str, usize)> = shards.keys.iter().map(|(k, f)| (k.as_str(), *f)).collect();
        assert_eq!(keys, [("th", 0), ("the", 1), ("thi", 2), ("to", 3)]);
    }

    #[test]
    fn postings_of_runs_of_records_come_out_in_record_order() {
        let mut a = Postings::default();
        let mut b = Postings::default();
        a.add(1, "X1 x1 yy", 2);
        a.add(1, "x1", 1);
        a.add(3, "x1", 1);
        b.add(5, "x1", 1);
        b.add(6, "yy", 4);
        let shards = shards(vec![a.into_part(), b.into_part()]);
        assert_eq!(json(&shards, 0), r#"{"x1":[1,5,2,1,2,1],"yy":[1,2,5,4]}"#);
        assert_eq!(deltas(&[2, 3, 7]), [2, 1, 4]);
    }
}
