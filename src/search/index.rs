//! The inverted index: for every word, the records holding it and how
//! much it weighs in each. Built in pieces (one per run of records, in
//! parallel), merged, then cut into shards by the first letters of their
//! words, so that a query loads only the shards its words can be in.

use rayon::prelude::*;

use super::words::Words;
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
    /// Each word and its postings (short words' latest one is in `short`
    /// until [`flush`](Self::flush)).
    lists: Vec<(String, Vec<(u32, u32)>)>,
    /// Short ASCII words (most of them), by their bytes as a number.
    short: Short,
    /// The other words, by their text.
    long: FastMap<String, usize>,
    /// Room to lower-case a word in.
    buf: String,
}

impl Postings {
    /// Adds the words of `text` to record `id`, each occurrence weighing
    /// `weight`. Records must be added in ascending order within one
    /// `Postings`.
    pub fn add(&mut self, id: u32, text: &str, weight: u32) {
        for word in Words::new(text) {
            let at = match word.key {
                Some(key) => {
                    let (slot, new) = self.short.entry(key);
                    if new {
                        slot.list = new_list(&mut self.lists, word.lower(&mut self.buf)) as u32;
                    } else if slot.weight != 0 && slot.record == id {
                        slot.weight = slot.weight.saturating_add(weight);
                        continue;
                    } else if slot.weight != 0 {
                        self.lists[slot.list as usize]
                            .1
                            .push((slot.record, slot.weight));
                    }
                    (slot.record, slot.weight) = (id, weight);
                    continue;
                }
                None => {
                    let word = word.lower(&mut self.buf);
                    match self.long.get(word) {
                        Some(&at) => at,
                        None => {
                            let at = new_list(&mut self.lists, word);
                            self.long.insert(word.to_string(), at);
                            at
                        }
                    }
                }
            };
            let list = &mut self.lists[at].1;
            match list.last_mut() {
                Some(last) if last.0 == id => last.1 = last.1.saturating_add(weight),
                _ => list.push((id, weight)),
            }
        }
    }

    /// Moves the short words' latest postings to their lists.
    fn flush(&mut self) {
        for slot in &mut self.short.slots {
            if slot.key != 0 && slot.weight != 0 {
                self.lists[slot.list as usize]
                    .1
                    .push((slot.record, slot.weight));
                slot.weight = 0;
            }
        }
    }

    /// Both sets of postings in one; `other` holds later records.
    pub fn merge(mut self, mut other: Postings) -> Postings {
        self.flush();
        other.flush();
        // `other` holds later records: its postings go after ours.
        for (word, list) in other.lists {
            let at = match packed(&word) {
                Some(key) => self.short.find(key),
                None => self.long.get(&word).copied(),
            };
            match at {
                Some(at) => self.lists[at].1.extend(list),
                None => {
                    let at = new_list(&mut self.lists, &word);
                    self.lists[at].1 = list;
                    match packed(&word) {
                        Some(key) => self.short.insert(key, at),
                        None => {
                            self.long.insert(word, at);
                        }
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
    pub fn into_shards(mut self) -> Shards {
        self.flush();
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

/// A word of up to 8 ASCII bytes as a number, as [`Words`] gives
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

/// Where short words' lists are, and each one's latest posting: an
/// open-addressing table keyed by [`packed`] words (never 0), probed
/// linearly from a multiplicative hash, at most half full. Cheaper per
/// occurrence than a general hash map, and a word repeated in a record
/// adds to its posting here without touching its list.
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
    /// The word's bytes, or 0 for an empty slot.
    key: u64,
    /// Its list in [`Postings::lists`].
    list: u32,
    /// Its latest posting, not yet in its list (none when `weight` is 0).
    record: u32,
    weight: u32,
}

impl Short {
    /// Where `key` is, or the empty slot where it would go.
    #[inline]
    fn slot(&self, key: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize;
        loop {
            let k = self.slots[i].key;
            if k == key || k == 0 {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot of `key`, and whether it was empty (it is now `key`'s).
    #[inline]
    fn entry(&mut self, key: u64) -> (&mut Slot, bool) {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let i = self.slot(key);
        let new = self.slots[i].key == 0;
        self.len += usize::from(new);
        let slot = &mut self.slots[i];
        slot.key = key;
        (slot, new)
    }

    /// Where the list of `key` is, if it has one.
    fn find(&self, key: u64) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = self.slots[self.slot(key)];
        (slot.key != 0).then_some(slot.list as usize)
    }

    /// Records that `key`'s list is `list`.
    fn insert(&mut self, key: u64, list: usize) {
        self.entry(key).0.list = list as u32;
    }

    /// Doubles the table (from 1,024 slots).
    #[cold]
    fn grow(&mut self) {
        let size = (2 * self.slots.len()).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        self.shift = 64 - size.trailing_zeros();
        for slot in old.into_iter().filter(|s| s.key != 0) {
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
    let mut out = Vec::with_capacity(postings * 6 + words.len() * 12);
    out.push(b'{');
    for (i, (word, list)) in words.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Words are letters and digits: nothing to escape but quotes, which
        // they cannot hold; serde_json writes them anyway for safety.
        out.extend_from_slice(
            serde_json::Value::from(word.as_str())
                .to_string()
                .as_bytes(),
        );
        out.extend_from_slice(b":[");
        let mut last = 0;
        for &(record, weight) in list {
            push_number(&mut out, record - last);
            out.push(b',');
            push_number(&mut out, weight);
            out.push(b',');
            last = record;
        }
        match out.last_mut() {
            Some(end @ b',') => *end = b']',
            _ => out.push(b']'),
        }
    }
    out.push(b'}');
    out
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
