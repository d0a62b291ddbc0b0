//! The inverted index: for every word, the records holding it and how
//! much it weighs in each. Built in pieces (one per run of records, in
//! parallel), merged, then cut into shards by the first letters of their
//! words, so that a query loads only the shards its words can be in.

use std::fmt::Write as _;

use rayon::prelude::*;

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
    words: FastMap<String, Vec<(u32, u32)>>,
}

impl Postings {
    /// Adds record `id`, whose words weigh `weights`. Records must be
    /// added in ascending order within one `Postings`.
    pub fn add(&mut self, id: u32, weights: FastMap<&str, u32>) {
        for (word, weight) in weights {
            match self.words.get_mut(word) {
                Some(list) => list.push((id, weight)),
                None => {
                    self.words.insert(word.to_string(), vec![(id, weight)]);
                }
            }
        }
    }

    /// Both sets of postings in one.
    pub fn merge(mut self, mut other: Postings) -> Postings {
        if self.words.len() < other.words.len() {
            std::mem::swap(&mut self, &mut other);
        }
        for (word, list) in other.words {
            match self.words.get_mut(&word) {
                Some(mine) => mine.extend(list),
                None => {
                    self.words.insert(word, list);
                }
            }
        }
        self
    }

    /// The shard keys, and each shard as JSON (`{"word":[record, weight,
    /// record delta, weight, ...], ...}`).
    pub fn into_shards(self) -> (Vec<String>, Vec<Vec<u8>>) {
        let mut words: Vec<(String, Vec<(u32, u32)>)> = self.words.into_iter().collect();
        words.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        words.par_iter_mut().for_each(|(_, list)| {
            if !list.is_sorted_by_key(|p| p.0) {
                list.sort_unstable_by_key(|p| p.0);
            }
        });
        let mut shards = Vec::new();
        split(&words, 0..words.len(), MIN_KEY, &mut shards);
        let json = shards
            .par_iter()
            .map(|(_, range)| shard_json(&words[range.clone()]))
            .collect();
        (shards.into_iter().map(|(key, _)| key).collect(), json)
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
            let _ = write!(out, "{},{weight}", record - last);
            last = record;
        }
        out.push(']');
    }
    out.push('}');
    out.into_bytes()
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
                let mut w = FastMap::default();
                w.insert(word, 1);
                p.add((i * 100_000 + r) as u32, w);
            }
        }
        p
    }

    #[test]
    fn small_shards_are_keyed_by_two_letters() {
        let (keys, shards) =
            postings(&[("china", 2), ("chips", 1), ("russia", 1), ("5", 1)]).into_shards();
        assert_eq!(keys, ["5", "ch", "ru"]);
        assert_eq!(
            String::from_utf8(shards[1].clone()).unwrap(),
            r#"{"china":[0,1,1,1],"chips":[100000,1]}"#
        );
    }

    #[test]
    fn large_shards_split_by_one_more_letter() {
        let big = SHARD_POSTINGS;
        let (keys, _) =
            postings(&[("th", 1), ("the", big), ("this", big), ("to", 1)]).into_shards();
        assert_eq!(keys, ["th", "the", "thi", "to"]);
    }

    #[test]
    fn merged_postings_stay_in_record_order() {
        let mut a = Postings::default();
        let mut b = Postings::default();
        let w = |word| [(word, 1u32)].into_iter().collect::<FastMap<&str, u32>>();
        b.add(5, w("x1"));
        a.add(1, w("x1"));
        let (_, shards) = b.merge(a).into_shards();
        assert_eq!(shards[0], br#"{"x1":[1,1,4,1]}"#);
        assert_eq!(deltas(&[2, 3, 7]), [2, 1, 4]);
    }
}
