//! Finds where a value sits in a YAML document, for diagnostics about
//! values that parsed fine but are wrong together (an unknown source id, an
//! `end` before its `date`). serde_yaml keeps no positions in its values but
//! does stamp every error with the position of the node being read, so the
//! locator walks to the node along a path and stops there with an error
//! whose position is the answer. It runs only when there is an error to
//! report.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One step of a path into a YAML document.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// A key of a mapping.
    Key(&'a str),
    /// An index of a sequence.
    Index(usize),
}

const FOUND: &str = "annalist-locate-found";

/// The 1-based line and column of the node at `path` in `yaml`, if any.
/// Block-style YAML (the usual front matter) is scanned line by line; any
/// other layout is walked with serde_yaml, which is exact but slower.
pub fn locate(yaml: &str, path: &[Step]) -> Option<(usize, usize)> {
    scan_block(yaml, path).or_else(|| walk(yaml, path))
}

/// Follows `path` through block mappings (`key: value`) and block
/// sequences (`- item`) by indentation. Gives up (None) on anything else:
/// flow collections, multi-line scalars, anchors, quoted keys.
fn scan_block(yaml: &str, path: &[Step]) -> Option<(usize, usize)> {
    let lines: Vec<&str> = yaml.lines().collect();
    // The current node: its first line, the column its content starts at,
    // and the range of lines it may span.
    let (mut line, mut col, mut end) = (0usize, 0usize, lines.len());
    let mut inline = false;
    for step in path {
        let (at, at_col) = match *step {
            Step::Key(key) => find_key(&lines, line, end, col, inline, key)?,
            Step::Index(i) => find_item(&lines, line, end, col, inline, i)?,
        };
        let text = lines[at];
        let rest = text[at_col..].trim_end();
        let value_col = at_col + rest.find(':').map_or(0, |i| i + 1);
        let value = match *step {
            Step::Key(_) => &text[value_col..],
            Step::Index(_) => &text[at_col + 1..],
        };
        let value_start = value.len() - value.trim_start().len();
        let value = value.trim();
        if value.starts_with(['[', '{', '&', '*', '|', '>', '!', '"', '\'']) && value.len() > 1 {
            if value.starts_with(['"', '\'']) {
                let c = match *step {
                    Step::Key(_) => value_col + value_start,
                    Step::Index(_) => at_col + 1 + value_start,
                };
                return Some((at + 1, c + 1));
            }
            return None;
        }
        end = block_end(&lines, at, at_col, matches!(step, Step::Index(_)));
        if value.is_empty() {
            (line, col, inline) = (at + 1, at_col + 1, false);
        } else {
            let c = match *step {
                Step::Key(_) => value_col + value_start,
                Step::Index(_) => at_col + 1 + value_start,
            };
            (line, col, inline) = (at, c, true);
        }
    }
    if line >= lines.len() {
        return None;
    }
    if inline {
        return Some((line + 1, col + 1));
    }
    let first = (line..end).find(|&l| !lines[l].trim().is_empty())?;
    let text = lines[first];
    Some((first + 1, text.len() - text.trim_start().len() + 1))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The line after the block that starts at line `at`, column `col`: the
/// next line indented less, or as much (for a key, unless that line is an
/// item of the key's own sequence, which may sit at the key's indent).
fn block_end(lines: &[&str], at: usize, col: usize, is_item: bool) -> usize {
    (at + 1..lines.len())
        .find(|&l| {
            let t = lines[l];
            let trimmed = t.trim();
            let level = indent(t);
            !trimmed.is_empty()
                && !trimmed.starts_with('#')
                && (level < col || (level == col && (is_item || !trimmed.starts_with('-'))))
        })
        .unwrap_or(lines.len())
}

/// The lines from `start` to `end` that hold content at or right of
/// `min_col`: `(line, column, text from the column)`. With `inline`, the
/// first line's content starts at `min_col` (a value after `key:` or `-`).
fn content_lines<'a>(
    lines: &'a [&'a str],
    (start, end): (usize, usize),
    min_col: usize,
    inline: bool,
) -> impl Iterator<Item = (usize, usize, &'a str)> {
    lines
        .iter()
        .enumerate()
        .take(end)
        .skip(start)
        .map(move |(l, text)| {
            if inline && l == start {
                (l, min_col, &text[min_col.min(text.len())..])
            } else {
                let c = indent(text);
                (l, c, &text[c..])
            }
        })
        .filter(move |(_, col, body)| {
            !body.trim().is_empty() && !body.starts_with('#') && *col >= min_col
        })
}

fn find_key(
    lines: &[&str],
    start: usize,
    end: usize,
    min_col: usize,
    inline: bool,
    key: &str,
) -> Option<(usize, usize)> {
    let mut level = None;
    for (l, col, body) in content_lines(lines, (start, end), min_col, inline) {
        if col != *level.get_or_insert(col) {
            continue;
        }
        if let Some(rest) = body.strip_prefix(key)
            && (rest.starts_with(':') && (rest.len() == 1 || rest[1..].starts_with([' ', '\t'])))
        {
            return Some((l, col));
        }
    }
    None
}

fn find_item(
    lines: &[&str],
    start: usize,
    end: usize,
    min_col: usize,
    inline: bool,
    index: usize,
) -> Option<(usize, usize)> {
    let mut level = None;
    let mut seen = 0;
    for (l, col, body) in content_lines(lines, (start, end), min_col, inline) {
        if col == *level.get_or_insert(col) && (body.starts_with("- ") || body == "-") {
            if seen == index {
                return Some((l, col));
            }
            seen += 1;
        }
    }
    None
}

/// The exact, slower locator: walks the document with serde_yaml.
fn walk(yaml: &str, path: &[Step]) -> Option<(usize, usize)> {
    let de = serde_yaml::Deserializer::from_str(yaml);
    match (Seek { path }).deserialize(de) {
        Err(e) if e.to_string().contains(FOUND) => e.location().map(|l| (l.line(), l.column())),
        _ => None,
    }
}

struct Seek<'p, 'a> {
    path: &'p [Step<'a>],
}

impl<'de> DeserializeSeed<'de> for Seek<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(want), rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        while let Some(key) = map.next_key::<serde_yaml::Value>()? {
            if key.as_str() == Some(want) {
                return map.next_value_seed(Seek { path: rest });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Step::Index(want), rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        for _ in 0..*want {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Seek { path: rest }).map(|_| ())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(FOUND))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "title: x\nevents:\n  - date: 2023\n    title: a\n  - date: 2024\n    end: 2023\n    sources: [a, b]\n";

    /// The line scanner must agree with the exact walk wherever it answers.
    #[test]
    fn scanner_agrees_with_walk() {
        use Step::*;
        let docs = [
            DOC,
            "title: x\nsources:\n  - id: a\n    title: A\n  - id: \"b\"\n    url: https://x\nevents:\n- date: 2023\n  sources: [a]\n- date: 2024\n  end: 2023\n",
            "sources:\n- {id: a}\n- id: b\n",
            "title: >\n  folded\nsources:\n  # comment\n\n  - id: a\n",
            "a:\n  b:\n    c: 1\n  d: 2\n",
        ];
        let paths: Vec<Vec<Step>> = vec![
            vec![Key("title")],
            vec![Key("sources"), Index(0), Key("id")],
            vec![Key("sources"), Index(1), Key("id")],
            vec![Key("sources"), Index(1), Key("url")],
            vec![Key("events"), Index(1), Key("end")],
            vec![Key("events"), Index(0), Key("sources"), Index(0)],
            vec![Key("events"), Index(1), Key("sources"), Index(1)],
            vec![Key("a"), Key("d")],
            vec![Key("a"), Key("b"), Key("c")],
        ];
        for doc in docs {
            for path in &paths {
                if let Some(found) = scan_block(doc, path) {
                    assert_eq!(Some(found), walk(doc, path), "{doc:?} {path:?}");
                }
            }
        }
        assert!(scan_block(docs[1], &paths[1]).is_some());
        assert!(scan_block(docs[4], &paths[8]).is_some());
    }

    /// Every source, event and tag position in the example site's front
    /// matter: the scanner answers, and agrees with the walk.
    #[test]
    fn scanner_agrees_on_example_content() {
        use Step::*;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/reports");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let yaml = text.split("---\n").nth(1).unwrap();
            let mut paths = vec![vec![Key("title")], vec![Key("date")]];
            for i in 0..8 {
                paths.push(vec![Key("sources"), Index(i), Key("id")]);
                paths.push(vec![Key("sources"), Index(i), Key("url")]);
                paths.push(vec![Key("events"), Index(i), Key("date")]);
                paths.push(vec![Key("events"), Index(i), Key("end")]);
                paths.push(vec![Key("events"), Index(i), Key("sources"), Index(0)]);
                paths.push(vec![Key("tags"), Index(i)]);
            }
            for path in &paths {
                let exact = walk(yaml, path);
                if let Some(found) = scan_block(yaml, path) {
                    assert_eq!(Some(found), exact, "{path:?} in {yaml}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "the scanner answered only {checked} times");
    }

    #[test]
    fn finds_keys_and_indexes() {
        use Step::*;
        assert_eq!(locate(DOC, &[Key("title")]), Some((1, 8)));
        assert_eq!(
            locate(DOC, &[Key("events"), Index(1), Key("end")]),
            Some((6, 10))
        );
        assert_eq!(
            locate(DOC, &[Key("events"), Index(1), Key("sources"), Index(1)]),
            Some((7, 18))
        );
        assert_eq!(locate(DOC, &[Key("missing")]), None);
    }
}
