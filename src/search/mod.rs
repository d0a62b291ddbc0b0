//! The site's own full-text search: an index written with the site, and a
//! search page whose script reads it in the browser. Nothing runs on the
//! host and nothing is fetched from elsewhere.
//!
//! Every report and standalone page is one record, numbered newest first
//! (so record order is date order). A record's text is its title,
//! summary, tags and body, cut into sections at the body's headings, plus
//! one section per event (`#event-N` on the report page) and per source in
//! its References (`#ref-ID`): a search for a source or an event finds the
//! reports that hold it and links to that very entry.
//!
//! What is written under `search/` (see [`DIR`]):
//!
//! - `index.html`, the search page, and `search.js`, its script;
//! - `data/manifest.js`: the index's version, the record count and the
//!   shard keys; `data/filters.js`: the records of each tag and publisher;
//! - `data/i/N.js`: shard N of the inverted index, every word starting
//!   with the shard's key and the records holding it, with weights;
//! - `data/d/N.js`: record N: URL, title, date, tags, summary, sections.
//!
//! Each data file is a script calling `annalistSearch.load(name, data)`,
//! not JSON: browsers load scripts from `file://` where they refuse
//! `fetch`, so search works from a site opened from disk too.
//!
//! Why not Pagefind: its Rust API indexed the 10,000-report benchmark
//! corpus in about 23 s (3.8 GB of memory) against a 1.75 s build; see
//! the README. This index is built in parallel from the model annalist
//! already holds and costs a fraction of the build.

mod index;
mod page;
mod text;
mod words;
mod worker;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::model::{Report, Site};
use crate::render::memo::{self, FastMap};
use crate::render::{OutputFile, Sink};
use index::Postings;
use words::Field;

pub use page::page;
pub use worker::Indexer;

/// The folder of the search page and its index, site-relative.
pub const DIR: &str = "search/";

/// Where the index files go, inside [`DIR`].
const DATA: &str = "search/data/";

/// Bumped when the files' format changes, so browsers drop cached ones.
const FORMAT: u32 = 1;

/// What the index is made from: the model's records, held by `Arc` so a
/// copy can be indexed on another thread while the dev server goes on.
pub struct Corpus {
    records: Vec<Record>,
    /// How many records are dated reports; the rest are standalone pages.
    reports: usize,
    tags: Vec<Filter>,
    publishers: Vec<Filter>,
    version: u64,
}

/// A report or page to index.
struct Record {
    report: Arc<Report>,
    url: String,
    tags: Vec<String>,
}

/// A value to filter results by, and the records that have it.
#[derive(Debug, Clone, Serialize)]
pub struct Filter {
    /// What the search page's URL carries (`?tag=china`).
    pub value: String,
    /// What readers see.
    pub name: String,
    /// The records, in ascending order.
    #[serde(skip)]
    pub records: Vec<u32>,
    /// How many records have it.
    pub count: usize,
}

impl Corpus {
    /// The records of `site`: its reports newest first, then its pages.
    pub fn of(site: &Site) -> Corpus {
        let tag_names = |ids: &[usize]| ids.iter().map(|&t| site.tags[t].name.clone()).collect();
        let records: Vec<Record> = site
            .reports
            .iter()
            .zip(&site.report_tags)
            .map(|(r, tags)| (r, tag_names(tags)))
            .chain(site.pages.iter().map(|p| (p, Vec::new())))
            .map(|(report, tags)| Record {
                url: site.urls.link(&report.dir),
                report: report.clone(),
                tags,
            })
            .collect();
        let tags = site
            .tags
            .iter()
            .filter(|t| !t.reports.is_empty())
            .map(|t| filter(t.slug.clone(), t.name.clone(), t.reports.iter()))
            .collect();
        let version = memo::key(&(
            FORMAT,
            site.bibliography,
            records
                .iter()
                .map(|r| (r.report.keys.page, &r.url, &r.tags))
                .collect::<Vec<_>>(),
        ));
        Corpus {
            publishers: publishers(&records),
            reports: site.reports.len(),
            records,
            tags,
            version,
        }
    }

    /// The tags and publishers readers can filter by.
    pub fn filters(&self) -> (&[Filter], &[Filter]) {
        (&self.tags, &self.publishers)
    }

    /// A key that changes whenever the index would.
    pub fn version(&self) -> u64 {
        self.version
    }
}

fn filter<'a>(value: String, name: String, records: impl Iterator<Item = &'a usize>) -> Filter {
    let records: Vec<u32> = records.map(|&r| r as u32).collect();
    Filter {
        value,
        name,
        count: records.len(),
        records,
    }
}

/// Every publisher of a cited source, by name, with the records citing it.
fn publishers(records: &[Record]) -> Vec<Filter> {
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, record) in records.iter().enumerate() {
        for reference in &record.report.references {
            let name = reference.source.publisher.trim();
            if name.is_empty() {
                continue;
            }
            let list = by_name.entry(name).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let mut out: Vec<Filter> = by_name
        .into_iter()
        .map(|(name, ids)| filter(name.to_string(), name.to_string(), ids.iter()))
        .collect();
    out.sort_by_cached_key(|f| f.name.to_lowercase());
    out
}

/// Writes the index of `corpus` through `sink`; returns how many files.
/// Records are read and written in parallel; every failure is returned.
pub fn write(corpus: &Corpus, sink: &Sink) -> Result<usize, Vec<Diagnostic>> {
    let n = corpus.records.len();
    let chunk = n.div_ceil(rayon::current_num_threads() * 8).max(16);
    let (postings, mut diags) = corpus
        .records
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, records)| {
            let mut postings = Postings::default();
            let mut diags = Vec::new();
            for (j, record) in records.iter().enumerate() {
                let id = (c * chunk + j) as u32;
                if let Err(d) = add_record(record, id, &mut postings, sink) {
                    diags.push(d);
                }
            }
            (postings, diags)
        })
        .reduce(
            || (Postings::default(), Vec::new()),
            |(a, mut da), (b, db)| {
                da.extend(db);
                (a.merge(b), da)
            },
        );
    let (keys, shards) = postings.into_shards();
    let written = shards.len();
    diags.extend(
        shards
            .into_par_iter()
            .enumerate()
            .filter_map(|(i, bytes)| sink(data_file(&format!("i/{i}"), bytes)).err())
            .collect::<Vec<_>>(),
    );
    let version = format!("{:016x}", corpus.version);
    let manifest = serde_json::json!({
        "v": version,
        "n": n,
        "r": corpus.reports,
        "k": keys,
    });
    let filters = serde_json::json!({
        "tag": filter_lists(&corpus.tags),
        "publisher": filter_lists(&corpus.publishers),
    });
    for (name, value) in [("manifest", manifest), ("filters", filters)] {
        if let Err(d) = sink(data_file(name, value.to_string().into_bytes())) {
            diags.push(d);
        }
    }
    if diags.is_empty() {
        Ok(n + written + 2)
    } else {
        Err(diags)
    }
}

/// The index of `corpus` as files, for the dev server.
pub fn files(corpus: &Corpus) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let files = Mutex::new(Vec::new());
    let sink = |file: OutputFile| {
        files.lock().unwrap_or_else(|e| e.into_inner()).push(file);
        Ok(())
    };
    write(corpus, &sink)?;
    Ok(files.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Each filter as `[value, [record deltas]]`.
fn filter_lists(filters: &[Filter]) -> Vec<(&str, Vec<u32>)> {
    filters
        .iter()
        .map(|f| (f.value.as_str(), index::deltas(&f.records)))
        .collect()
}

/// A data file: `search/data/NAME.js` calling the page's loader.
fn data_file(name: &str, json: Vec<u8>) -> OutputFile {
    let mut bytes = Vec::with_capacity(json.len() + name.len() + 32);
    bytes.extend_from_slice(b"annalistSearch.load(\"");
    bytes.extend_from_slice(name.as_bytes());
    bytes.extend_from_slice(b"\",");
    bytes.extend_from_slice(&json);
    bytes.extend_from_slice(b");\n");
    OutputFile {
        path: format!("{DATA}{name}.js"),
        bytes,
    }
}

/// What the search page shows of a record (short keys: there are
/// thousands of these files).
#[derive(Serialize)]
struct Fragment<'a> {
    /// URL, site-relative.
    u: &'a str,
    /// Title.
    t: &'a str,
    /// Date as shown, and as ISO 8601.
    d: String,
    i: &'a str,
    /// Tag names.
    g: &'a [String],
    /// Summary.
    s: &'a str,
    /// Sections: anchor, kind (`h` heading, `e` event, `s` source, empty
    /// for the text before the first heading), title, text.
    x: Vec<(String, &'static str, String, String)>,
}

/// Writes record `id`'s fragment and adds its words to `postings`.
fn add_record(
    record: &Record,
    id: u32,
    postings: &mut Postings,
    sink: &Sink,
) -> Result<(), Diagnostic> {
    let r = &record.report;
    let mut sections: Vec<(String, &'static str, String, String)> = {
        let body = r.content.lock().unwrap_or_else(|e| e.into_inner());
        text::sections(&body)
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s.anchor, if i == 0 { "" } else { "h" }, s.title, s.text))
            .collect()
    };
    sections.extend(r.events.iter().enumerate().map(|(i, e)| {
        let when = match &e.end {
            Some(end) => format!("{} – {}", e.date.display(), end.display()),
            None => e.date.display(),
        };
        (format!("event-{}", i + 1), "e", e.title.clone(), when)
    }));
    sections.extend(r.references.iter().map(|reference| {
        let s = &reference.source;
        let date = s.date.as_ref().map(|d| d.0.display()).unwrap_or_default();
        let parts = [s.author.as_str(), &s.publisher, &date, &s.note];
        let about: Vec<&str> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        let title = if s.title.is_empty() { &s.id } else { &s.title };
        (
            format!("ref-{}", s.id),
            "s",
            title.clone(),
            about.join(". "),
        )
    }));
    let mut parts: Vec<(String, Field)> = vec![
        (r.title.to_lowercase(), Field::Title),
        (r.summary.to_lowercase(), Field::Summary),
    ];
    parts.extend(record.tags.iter().map(|t| (t.to_lowercase(), Field::Tag)));
    for (_, kind, title, text) in &sections {
        let heading = if *kind == "h" {
            Field::Heading
        } else {
            Field::Text
        };
        parts.push((title.to_lowercase(), heading));
        parts.push((text.to_lowercase(), Field::Text));
    }
    let mut weights: FastMap<&str, u32> =
        FastMap::with_capacity_and_hasher(1024, Default::default());
    for (text, field) in &parts {
        for word in words::words(text) {
            *weights.entry(word).or_default() += field.weight();
        }
    }
    postings.add(id, weights);
    let fragment = Fragment {
        u: &record.url,
        t: &r.title,
        d: r.date.as_ref().map(|d| d.display()).unwrap_or_default(),
        i: r.date.as_ref().map_or("", |d| d.iso()),
        g: &record.tags,
        s: &r.summary,
        x: sections,
    };
    let json = serde_json::to_vec(&fragment)
        .map_err(|e| Diagnostic::error(&r.path, 0, 0, format!("cannot index the report: {e}")))?;
    sink(data_file(&format!("d/{id}"), json))
}
