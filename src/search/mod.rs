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
//! - `data/manifest.js`: the index's version, the record count, the
//!   shard keys and the file of each; `data/filters.js`: the records of
//!   each tag and publisher;
//! - `data/i/N.js`: shards of the inverted index (one large one, or a
//!   run of small ones), every word starting with a shard's key and the
//!   records holding it, with weights;
//! - `data/d/N.js`: records 4N to 4N+3 (a few per file, as every file
//!   costs the build time): URL, title, date, tags, summary, sections.
//!
//! Each data file is a script calling `annalistSearch.load(name, data)`,
//! not JSON: browsers load scripts from `file://` where they refuse
//! `fetch`, so search works from a site opened from disk too.
//!
//! Why not Pagefind: its Rust API indexed the 10,000-report benchmark
//! corpus in about 23 s (3.8 GB of memory) against a 1.75 s build; see
//! the README. This index is built in parallel from the model annalist
//! already holds and costs a fraction of the build.

mod eight;
mod index;
mod page;
mod record;
mod text;
mod words;
mod worker;

use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::lock::{self, lock};
use crate::model::{Report, Site};
use crate::render::memo::{self, FastMap, Hashed};
use crate::render::{OutputFile, Sink};
use index::{Part, Postings};
use record::Record;

pub use page::page;
pub use worker::Indexer;

/// The folder of the search page and its index, site-relative.
pub const DIR: &str = "search/";

/// Where the index files go, inside [`DIR`].
const DATA: &str = "search/data/";

/// Records per file in `data/d/`: every file costs the build more than
/// its bytes do, and a reader loads a few more bytes per result shown.
const BUNDLE: usize = 4;

/// The most records one task indexes (see [`write`]).
const MAX_RUN: usize = 512;

/// Bumped when the files' format changes, so browsers drop cached ones.
const FORMAT: u32 = 1;

/// What the index is made from: the model's records, held by `Arc` so a
/// copy can be indexed on another thread while the dev server goes on.
pub struct Corpus {
    records: Vec<Record>,
    /// How many records are dated reports; the rest are standalone pages.
    reports: usize,
    filters: Filters,
    version: u64,
}

/// The tags and the publishers of cited sources readers can filter by.
pub struct Filters {
    /// Tags of reports, by name.
    pub tags: Vec<Filter>,
    /// Publishers, by name.
    pub publishers: Vec<Filter>,
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
        let record = |(report, tags): (&Arc<Report>, Vec<String>)| Record {
            url: site.urls.link(&report.dir),
            report: report.clone(),
            tags,
        };
        let ((records, version), filters) = rayon::join(
            || {
                // Each record's key is made with it, in parallel, while
                // its report is at hand.
                let (records, keys): (Vec<Record>, Vec<u64>) = (site.reports.par_iter())
                    .zip(&site.report_tags)
                    .map(|(r, tags)| record((r, tag_names(tags))))
                    .chain(site.pages.par_iter().map(|p| record((p, Vec::new()))))
                    .map(|r| {
                        let key = memo::key(&(r.report.keys.page, &r.url, &r.tags));
                        (r, key)
                    })
                    .unzip();
                (records, memo::key(&(FORMAT, site.bibliography, keys)))
            },
            || Filters::of(site),
        );
        Corpus {
            filters,
            reports: site.reports.len(),
            records,
            version,
        }
    }

    /// A key that changes whenever the index would.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// What readers can filter the records by.
    pub fn filters(&self) -> &Filters {
        &self.filters
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

impl Filters {
    /// The filters of `site`'s records (its reports, then its pages).
    pub fn of(site: &Site) -> Filters {
        let tags = site
            .tags
            .iter()
            .filter(|t| !t.reports.is_empty())
            .map(|t| filter(t.slug.clone(), t.name.clone(), t.reports.iter()))
            .collect();
        // The publishers are read in parallel: on a big site the records
        // are spread over memory, and one thread reading them waits.
        let records = site.reports.par_iter().chain(site.pages.par_iter());
        let cited: Vec<(Hashed<&str>, usize)> = records
            .enumerate()
            .flat_map_iter(|(i, record)| {
                let names = record.references.iter();
                let names = names.map(|r| r.source.publisher.trim());
                names
                    .filter(|name| !name.is_empty())
                    .map(move |name| (Hashed::new(name), i))
            })
            .collect();
        let mut by_name: FastMap<Hashed<&str>, Vec<usize>> = FastMap::default();
        for (name, i) in cited {
            let list = by_name.entry(name).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
        let mut publishers: Vec<Filter> = by_name
            .into_iter()
            .map(|(name, ids)| {
                let name = name.key().to_string();
                filter(name.clone(), name, ids.iter())
            })
            .collect();
        publishers.sort_by_cached_key(|f| (f.name.to_lowercase(), f.name.clone()));
        Filters { tags, publishers }
    }
}

/// Writes the index of `corpus` through `sink`; returns how many files.
/// Records are read and written in parallel; every failure is returned.
pub fn write(corpus: &Corpus, sink: &Sink) -> Result<usize, Vec<Diagnostic>> {
    let n = corpus.records.len();
    // Runs of at most `MAX_RUN` records: a run's postings are logged in one
    // buffer, and a big site's runs would each log into fresh memory
    // (100,000 reports: 2.4 million postings a run, 1.3 GB touched in all
    // as the logs doubled); short runs' logs are freed and taken again.
    let chunk = n
        .div_ceil(rayon::current_num_threads() * 8)
        .clamp(16, MAX_RUN)
        .next_multiple_of(BUNDLE);
    let (parts, diags): (Vec<Part>, Vec<Vec<Diagnostic>>) = corpus
        .records
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, records)| write_records(records, c * chunk, sink))
        .unzip();
    let mut diags: Vec<Diagnostic> = diags.into_iter().flatten().collect();
    let shards = index::shards(parts);
    let written = shards.files();
    diags.extend(
        (0..written)
            .into_par_iter()
            .filter_map(|i| {
                let mut file = loader(&format!("i/{i}"));
                shards.json(i, &mut file.bytes);
                file.bytes.extend_from_slice(b");\n");
                sink(file).err()
            })
            .collect::<Vec<_>>(),
    );
    let manifest = serde_json::json!({
        "v": format!("{:016x}", corpus.version),
        "n": n,
        "b": BUNDLE,
        "r": corpus.reports,
        "k": shards.keys.iter().map(|(key, _)| key).collect::<Vec<_>>(),
        "f": shards.keys.iter().map(|(_, file)| file).collect::<Vec<_>>(),
    });
    let filters = serde_json::json!({
        "tag": filter_lists(&corpus.filters.tags),
        "publisher": filter_lists(&corpus.filters.publishers),
    });
    for (name, value) in [("manifest", manifest), ("filters", filters)] {
        diags.extend(sink(data_file(name, value.to_string().as_bytes())).err());
    }
    match diags.is_empty() {
        true => Ok(n.div_ceil(BUNDLE) + written + 2),
        false => Err(diags),
    }
}

/// Writes the record files of `records` (numbered from `first`, a
/// multiple of [`BUNDLE`]); returns their postings.
fn write_records(records: &[Record], first: usize, sink: &Sink) -> (Part, Vec<Diagnostic>) {
    let mut postings = Postings::default();
    let mut diags = Vec::new();
    for (b, bundle) in records.chunks(BUNDLE).enumerate() {
        let first = first + b * BUNDLE;
        let fragments: Vec<_> = (bundle.iter().enumerate())
            .map(|(j, record)| record::add(record, (first + j) as u32, &mut postings))
            .collect();
        let mut file = loader(&format!("d/{}", first / BUNDLE));
        let size: usize = fragments.iter().map(record::Fragment::len_hint).sum();
        file.bytes.reserve(size + 8);
        file.bytes.push(b'[');
        for (j, fragment) in fragments.iter().enumerate() {
            if j > 0 {
                file.bytes.push(b',');
            }
            fragment.write_json(&mut file.bytes);
        }
        file.bytes.extend_from_slice(b"]);\n");
        diags.extend(sink(file).err());
    }
    (postings.into_part(), diags)
}

/// The index of `corpus` as files, for the dev server.
pub fn files(corpus: &Corpus) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let files = Mutex::new(Vec::new());
    let sink = |file: OutputFile| {
        lock(&files).push(file);
        Ok(())
    };
    write(corpus, &sink)?;
    Ok(lock::into_inner(files))
}

/// Each filter as `[value, [record deltas]]`.
fn filter_lists(filters: &[Filter]) -> Vec<(&str, Vec<u32>)> {
    filters
        .iter()
        .map(|f| (f.value.as_str(), index::deltas(&f.records)))
        .collect()
}

/// A data file: `search/data/NAME.js` calling the page's loader with
/// `json`.
fn data_file(name: &str, json: &[u8]) -> OutputFile {
    let mut file = loader(name);
    file.bytes.extend_from_slice(json);
    file.bytes.extend_from_slice(b");\n");
    file
}

/// The start of data file `name`, up to its data.
fn loader(name: &str) -> OutputFile {
    OutputFile {
        path: format!("{DATA}{name}.js"),
        bytes: format!("annalistSearch.load(\"{name}\",").into_bytes(),
    }
}
