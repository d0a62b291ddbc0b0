//! One record of the index: a report or page cut into sections (its
//! body's, then one per event and per source), its words added to the
//! postings, and what the search page shows of it, written as JSON by
//! hand: the record files hold the whole text of the site, and a plain
//! run of text is copied as it is.

use std::ops::Range;
use std::sync::Arc;

use super::index::Postings;
use super::text;
use super::words::Field;
use crate::lock::lock;
use crate::markdown::REF_ANCHOR;
use crate::model::Report;

/// A report or page to index.
pub struct Record {
    /// The report.
    pub report: Arc<Report>,
    /// Its URL, site-relative.
    pub url: String,
    /// Its tags' names.
    pub tags: Vec<String>,
}

/// A section: anchor, kind (`h` heading, `e` event, `s` source, empty for
/// the text before the first heading), title, text; the anchor, title
/// and text as ranges of [`Fragment::text`].
type Section = (Range<usize>, &'static str, Range<usize>, Range<usize>);

/// What the search page shows of a record.
pub struct Fragment<'a> {
    record: &'a Record,
    date: String,
    /// The sections' anchors, titles and texts, one after the other.
    text: String,
    sections: Vec<Section>,
}

/// Adds record `id`'s words to `postings`; returns what the search page
/// shows of it.
pub fn add<'a>(record: &'a Record, id: u32, postings: &mut Postings) -> Fragment<'a> {
    let r = &record.report;
    let (text, sections) = sections(r);
    postings.add(id, &r.title, Field::Title.weight());
    postings.add(id, &r.summary, Field::Summary.weight());
    for tag in &record.tags {
        postings.add(id, tag, Field::Tag.weight());
    }
    for (_, kind, title, body) in &sections {
        let field = match *kind {
            "h" => Field::Heading,
            _ => Field::Text,
        };
        postings.add(id, &text[title.clone()], field.weight());
        postings.add(id, &text[body.clone()], Field::Text.weight());
    }
    Fragment {
        record,
        date: r.date.as_ref().map(|d| d.display()).unwrap_or_default(),
        text,
        sections,
    }
}

/// The body's sections, then the events', then the sources', and the text
/// they are ranges of.
fn sections(r: &Report) -> (String, Vec<Section>) {
    let mut text = String::new();
    let mut sections: Vec<Section> = {
        let body = lock(&r.content);
        // The body's text is never longer than its HTML.
        text.reserve(body.len() + 256 * (r.events.len() + r.references.len()));
        text::sections(&body, &mut text)
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s.anchor, if i == 0 { "" } else { "h" }, s.title, s.text))
            .collect()
    };
    // Appends each of `parts` to `text`; returns the range it takes.
    let mut push = |parts: &[&str]| {
        let start = text.len();
        for part in parts {
            text.push_str(part);
        }
        start..text.len()
    };
    for (i, e) in r.events.iter().enumerate() {
        let anchor = push(&["event-", &(i + 1).to_string()]);
        let title = push(&[&e.title]);
        let when = match &e.end {
            Some(end) => push(&[&e.date.display(), " – ", &end.display()]),
            None => push(&[&e.date.display()]),
        };
        sections.push((anchor, "e", title, when));
    }
    for reference in &r.references {
        let s = &reference.source;
        let anchor = push(&[REF_ANCHOR, &s.id]);
        let title = push(&[if s.title.is_empty() { &s.id } else { &s.title }]);
        let date = s.date.as_ref().map(|d| d.0.display()).unwrap_or_default();
        let about: Vec<&str> = [s.author.as_str(), &s.publisher, &date, &s.note]
            .into_iter()
            .filter(|p| !p.is_empty())
            .flat_map(|p| [". ", p])
            .skip(1)
            .collect();
        let about = push(&about);
        sections.push((anchor, "s", title, about));
    }
    (text, sections)
}

impl Fragment<'_> {
    /// About how many bytes [`write_json`](Self::write_json) appends, to
    /// size its buffer once.
    pub fn len_hint(&self) -> usize {
        let r = &self.record.report;
        let tags: usize = self.record.tags.iter().map(|t| t.len() + 3).sum();
        self.record.url.len()
            + r.title.len()
            + r.summary.len()
            + tags
            + self.text.len()
            + 16 * self.sections.len()
            + 96
    }

    /// Appends the fragment as a JSON object with short keys: `u` URL, `t`
    /// title, `d` date as shown, `i` date as ISO 8601, `g` tag names, `s`
    /// summary, `x` sections as `[anchor, kind, title, text]`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let r = &self.record.report;
        let iso = r.date.as_ref().map_or("", |d| d.iso());
        for (key, value) in [
            ("{\"u\":", self.record.url.as_str()),
            (",\"t\":", &r.title),
            (",\"d\":", &self.date),
            (",\"i\":", iso),
            (",\"s\":", &r.summary),
        ] {
            out.extend_from_slice(key.as_bytes());
            string(out, value);
        }
        out.extend_from_slice(b",\"g\":[");
        for (i, tag) in self.record.tags.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string(out, tag);
        }
        out.extend_from_slice(b"],\"x\":[");
        for (i, (anchor, kind, title, text)) in self.sections.iter().enumerate() {
            out.extend_from_slice(if i > 0 { b",[" } else { b"[" });
            string(out, &self.text[anchor.clone()]);
            out.extend_from_slice(b",\"");
            out.extend_from_slice(kind.as_bytes());
            out.extend_from_slice(b"\",");
            string(out, &self.text[title.clone()]);
            out.push(b',');
            string(out, &self.text[text.clone()]);
            out.push(b']');
        }
        out.extend_from_slice(b"]}");
    }
}

/// Appends `s` as a JSON string: as it is when nothing in it needs an
/// escape (found in a quick pass), else byte by byte.
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.push(b'"');
    // A fold, not a search that stops early: the compiler makes it vector
    // code, several bytes per step.
    let escapes = bytes.iter().fold(0u8, |seen, &b| {
        seen | u8::from(b < 0x20 || b == b'"' || b == b'\\')
    });
    if escapes == 0 {
        out.extend_from_slice(bytes);
    } else {
        for &b in bytes {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                0..0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[usize::from(b >> 4)]);
                    out.push(HEX[usize::from(b & 15)]);
                }
                _ => out.push(b),
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_json_reads_them() {
        for s in [
            "plain text",
            "a \"quote\"",
            "back\\slash",
            "tab\there\u{1}",
            "Україна ’",
            "",
        ] {
            let mut out = Vec::new();
            string(&mut out, s);
            let back: String = serde_json::from_slice(&out).expect("valid JSON");
            assert_eq!(back, s);
        }
    }
}
