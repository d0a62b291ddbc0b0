//! The whole site as plain data: listed reports newest first, standalone
//! pages, tags merged by slug, the timeline and the sources index. Built
//! once from the assembled reports; no I/O.

use crate::render::memo::{FastMap as HashMap, Hashed};

use crate::config::SiteConfig;
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::date::PartialDate;
use crate::content::frontmatter::Source;
use crate::diagnostic::Diagnostic;

use super::report::Report;
use super::slug::slugify;
use super::urls::Urls;
use crate::ahead::{self, RUN, read_ahead, touch};

/// The site model every page is rendered from.
#[derive(Debug)]
pub struct Site {
    /// Site settings.
    pub config: SiteConfig,
    /// How links are written.
    pub urls: Urls,
    /// The home page intro, rendered.
    pub intro: String,
    /// Listed reports, newest first.
    pub reports: Vec<Arc<Report>>,
    /// Tag indexes (into `tags`) of each report, parallel to `reports`.
    pub report_tags: Vec<Vec<usize>>,
    /// Standalone pages, by title.
    pub pages: Vec<Arc<Report>>,
    /// Every tag, by name.
    pub tags: Vec<Tag>,
    /// Index into `tags` of each tag slug.
    pub tag_ids: HashMap<String, usize>,
    /// Every event of every listed report, in timeline order.
    pub timeline: Vec<TimelineEvent>,
    /// Every cited source, by title.
    pub sources: Vec<SourceEntry>,
    /// A hash of `sources.yaml`: pages citing its sources change with it.
    pub bibliography: u64,
}

/// A tag, merged by slug.
#[derive(Debug, Clone)]
pub struct Tag {
    /// The name as first written.
    pub name: String,
    /// The URL slug.
    pub slug: String,
    /// Reports with the tag (indexes into `Site::reports`), newest first.
    pub reports: Vec<usize>,
    /// How many timeline events carry it.
    pub events: usize,
}

/// An event on the timeline.
#[derive(Debug, Clone)]
pub struct TimelineEvent {
    /// Its report (index into `Site::reports`).
    pub report: usize,
    /// The event (index into that report's `events`).
    pub event: usize,
    /// The year it happened (or began): the timeline's pages are by year.
    pub year: i32,
    /// Its tags and its report's (indexes into `Site::tags`), by name.
    pub tags: Vec<usize>,
}

/// A source on the sources index, with the reports citing it.
#[derive(Debug, Clone)]
pub struct SourceEntry {
    /// The source.
    pub source: Arc<Source>,
    /// `(report index, reference number)` of each report citing it.
    pub citing: Vec<(usize, usize)>,
}

/// Assembles the site from its reports; drafts are left out unless
/// `drafts`. Two pages with the same output path are errors.
pub fn build(
    config: SiteConfig,
    intro: String,
    all: Vec<Arc<Report>>,
    drafts: bool,
    bibliography: u64,
) -> (Site, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let all: Vec<Arc<Report>> = all.into_iter().filter(|r| drafts || !r.draft).collect();
    let (mut pages, reports): (Vec<Arc<Report>>, Vec<Arc<Report>>) =
        all.iter().cloned().partition(|r| r.standalone);
    // The paths are checked in the order of the content walk (the first of
    // two pages with one path is the one named), on one thread beside the
    // rest of the model, which runs on the other and in parallel.
    let ((), (reports, sources, (tag_list, report_tags, timeline))) = rayon::join(
        || check_paths(&all, &mut diags),
        || {
            let reports = newest_first(reports);
            let (sources, tags) =
                rayon::join(|| sources_index(&reports), || tags_and_timeline(&reports));
            (reports, sources, tags)
        },
    );
    drop(all);
    pages.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.path.cmp(&b.path)));
    let site = Site {
        urls: Urls::new(config.base_url.clone()),
        config,
        intro,
        reports,
        report_tags,
        pages,
        tag_ids: tag_list
            .iter()
            .enumerate()
            .map(|(i, t)| (t.slug.clone(), i))
            .collect(),
        tags: tag_list,
        timeline,
        sources,
        bibliography,
    };
    (site, diags)
}

/// Reports newest first, then by title and path. The order is read into
/// one list first, so sorting a big site compares entries side by side
/// instead of reaching each report through memory at every comparison.
/// Titles are compared by their [`head`] first.
fn newest_first(reports: Vec<Arc<Report>>) -> Vec<Arc<Report>> {
    let mut order: Vec<_> = reports
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let date = std::cmp::Reverse(r.date.as_ref().map(PartialDate::sort_key));
            (date, head(&r.title), r.title.as_str(), r.path.as_path(), i)
        })
        .collect();
    // Paths are unique, so no two entries are equal and the order is
    // the same as a stable sort's.
    order.par_sort_unstable();
    order
        .iter()
        .map(|&(.., i)| Arc::clone(&reports[i]))
        .collect()
}

/// The tags (by name) with their reports, each report's tags, and the
/// timeline (in order) with each event's tags.
fn tags_and_timeline(reports: &[Arc<Report>]) -> (Vec<Tag>, Vec<Vec<usize>>, Vec<TimelineEvent>) {
    let mut tags = TagTable::default();
    let names = |names: &[String]| names.iter().map(|n| touch(n)).sum::<usize>();
    let read =
        |r: &Arc<Report>| names(&r.tags) + r.events.iter().map(|e| names(&e.tags)).sum::<usize>();
    let report_tags: Vec<Vec<usize>> = ahead::in_runs(reports, read)
        .enumerate()
        .map(|(i, r)| tags.add_report(i, &r.tags))
        .collect();
    // Every buffer that grows with the site is made at its full size: a
    // big one grown by doubling is copied into fresh memory over and over.
    let events = reports.iter().map(|r| r.events.len()).sum();
    let mut timeline = Vec::with_capacity(events);
    for (ri, report) in reports.iter().enumerate() {
        for (ei, event) in report.events.iter().enumerate() {
            let mut ids = report_tags[ri].clone();
            for name in &event.tags {
                let id = tags.id(name);
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            for &id in &ids {
                tags.list[id].events += 1;
            }
            timeline.push(TimelineEvent {
                report: ri,
                event: ei,
                year: event.date.year,
                tags: ids,
            });
        }
    }
    // Keys made once, not looked up through two reports per comparison.
    timeline.par_sort_by_cached_key(|e| {
        let report = &reports[e.report];
        let event = &report.events[e.event];
        (
            event.date.sort_key(),
            report.date.as_ref().map(PartialDate::sort_key),
            event.title.as_str(),
            e.report,
        )
    });
    let order = tags.sorted_order();
    let mut remap = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old] = new;
    }
    let tag_list: Vec<Tag> = order.iter().map(|&old| tags.list[old].clone()).collect();
    let report_tags: Vec<Vec<usize>> = report_tags
        .into_iter()
        .map(|ids| ids.into_iter().map(|id| remap[id]).collect())
        .collect();
    for event in &mut timeline {
        for id in &mut event.tags {
            *id = remap[*id];
        }
        event.tags.sort_unstable();
    }
    (tag_list, report_tags, timeline)
}

/// Tags merged by slug, in order of first appearance.
#[derive(Default)]
struct TagTable {
    list: Vec<Tag>,
    by_slug: HashMap<String, usize>,
    /// Spellings already seen: most tags repeat, and slugs cost.
    by_name: HashMap<String, usize>,
}

impl TagTable {
    fn id(&mut self, name: &str) -> usize {
        if let Some(&id) = self.by_name.get(name) {
            return id;
        }
        let slug = slugify(name);
        if let Some(&id) = self.by_slug.get(&slug) {
            self.by_name.insert(name.to_string(), id);
            return id;
        }
        self.by_name.insert(name.to_string(), self.list.len());
        self.list.push(Tag {
            name: name.trim().to_string(),
            slug: slug.clone(),
            reports: Vec::new(),
            events: 0,
        });
        self.by_slug.insert(slug, self.list.len() - 1);
        self.list.len() - 1
    }

    fn add_report(&mut self, report: usize, names: &[String]) -> Vec<usize> {
        let mut ids = Vec::with_capacity(names.len());
        for name in names {
            let id = self.id(name);
            if !ids.contains(&id) {
                ids.push(id);
                self.list[id].reports.push(report);
            }
        }
        ids
    }

    fn sorted_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.list.len()).collect();
        order
            .sort_by_cached_key(|&i| (self.list[i].name.to_lowercase(), self.list[i].slug.clone()));
        order
    }
}

/// Paths the site's own pages use; no report may take them.
const RESERVED: [&str; 4] = ["tags/", "timeline/", "sources/", "page/"];

fn check_paths(reports: &[Arc<Report>], diags: &mut Vec<Diagnostic>) {
    let n = reports.len();
    let mut seen: HashMap<&str, &Report> = HashMap::with_capacity_and_hasher(n, Default::default());
    let mut folded: HashMap<String, &Report> =
        HashMap::with_capacity_and_hasher(n, Default::default());
    let at = |report: &Report, message: String| Diagnostic {
        message,
        ..report.origin.clone()
    };
    for report in reports {
        if let Some(reserved) = RESERVED.iter().find(|r| report.dir.starts_with(*r)) {
            diags.push(at(
                report,
                format!(
                    "output path /{} is reserved for the site's own /{reserved} pages",
                    report.dir
                ),
            ));
        }
        if let Some(bad) = report
            .dir
            .split('/')
            .find(|s| super::slug::is_windows_reserved(s))
        {
            diags.push(Diagnostic {
                severity: crate::diagnostic::Severity::Warning,
                ..at(
                    report,
                    format!(
                        "output path /{} uses `{bad}`, a name Windows reserves: the site cannot be copied to Windows",
                        report.dir
                    ),
                )
            });
        }
        if let Some(first) = seen.insert(&report.dir, report) {
            diags.push(at(
                report,
                format!(
                    "output path /{} is also the output path of {}",
                    report.dir,
                    first.path.display()
                ),
            ));
        } else if let Some(first) = folded.insert(report.dir.to_lowercase(), report) {
            diags.push(Diagnostic {
                severity: crate::diagnostic::Severity::Warning,
                ..at(
                    report,
                    format!(
                        "output path /{} differs only in case from that of {}: they clash on case-insensitive hosts",
                        report.dir,
                        first.path.display()
                    ),
                )
            });
        }
    }
}

/// What makes two cited sources one entry of the sources index: the id of
/// a `sources.yaml` source, the URL of a report's own, or else the report
/// and id.
#[derive(PartialEq, Eq, Hash)]
enum SourceKey<'a> {
    Global(&'a str),
    Url(&'a str),
    Local(&'a std::path::Path, &'a str),
}

fn sources_index(reports: &[Arc<Report>]) -> Vec<SourceEntry> {
    // Every citation's key, read in parallel: on a big site the reports
    // are spread over memory, and one thread reading them in site order
    // waits on most of them.
    let cites: Vec<_> = reports
        .par_chunks(RUN)
        .enumerate()
        .flat_map_iter(|(c, run)| {
            read_ahead(run, |r| {
                let sources = r.references.iter().map(|r| &r.source);
                sources
                    .map(|s| touch(&s.id) + s.url.as_ref().map_or(0, |u| touch(&u.0)))
                    .sum()
            });
            let first = c * RUN;
            run.iter().enumerate().map(move |(j, r)| (first + j, r))
        })
        .flat_map_iter(|(ri, report)| {
            report.references.iter().map(move |reference| {
                let source = &reference.source;
                let key = match (&source.url, reference.global) {
                    (_, true) => SourceKey::Global(&source.id),
                    (Some(url), false) => SourceKey::Url(&url.0),
                    (None, false) => SourceKey::Local(&report.path, &source.id),
                };
                (Hashed::new(key), source, (ri, reference.number))
            })
        })
        .collect();
    // At most one entry per citation: room reserved, not touched.
    let mut entries = Vec::with_capacity(cites.len());
    let mut by_key: HashMap<Hashed<SourceKey>, usize> =
        HashMap::with_capacity_and_hasher(cites.len(), Default::default());
    for (key, source, citing) in cites {
        let at = *by_key.entry(key).or_insert_with(|| {
            entries.push((source, Vec::new()));
            entries.len() - 1
        });
        entries[at].1.push(citing);
    }
    // By title ignoring case, then publisher, then id, then first citation:
    // one sort, each title lowercased once.
    let mut keyed: Vec<(u128, String, usize, SourceEntry)> = entries
        .into_par_iter()
        .enumerate()
        .chunks(RUN)
        .flat_map_iter(|run| {
            read_ahead(&run, |(_, (source, _))| touch(&source.title));
            run.into_iter().map(|(i, (source, citing))| {
                let entry = SourceEntry {
                    source: Arc::clone(source),
                    citing,
                };
                let title = source.title.to_lowercase();
                (head(&title), title, i, entry)
            })
        })
        .collect();
    keyed.par_sort_unstable_by(|(ha, ta, ia, a), (hb, tb, ib, b)| {
        let (a, b) = (&a.source, &b.source);
        (ha, ta, &a.publisher, &a.id, ia).cmp(&(hb, tb, &b.publisher, &b.id, ib))
    });
    keyed.into_iter().map(|(.., e)| e).collect()
}

/// The first 16 bytes of `text` as a number that orders as they do (a
/// shorter text padded with zeros), to sort by before `text` itself: on a
/// big site the texts are spread over memory, and most comparisons are
/// settled without reaching them.
fn head(text: &str) -> u128 {
    let mut bytes = [0; 16];
    let n = text.len().min(16);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// Sources from `sources.yaml`, by id.
pub fn globals(sources: &[(Arc<Source>, (usize, usize))]) -> HashMap<&str, &Arc<Source>> {
    sources.iter().map(|(s, _)| (s.id.as_str(), s)).collect()
}

#[cfg(test)]
mod tests {
    use super::head;

    #[test]
    fn a_head_orders_as_its_text_does_where_heads_differ() {
        let texts = [
            "",
            "a",
            "a\u{1}",
            "ab",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnoq",
            "b",
            "é",
        ];
        for a in texts {
            for b in texts {
                if head(a) != head(b) {
                    assert_eq!(head(a).cmp(&head(b)), a.cmp(b), "{a:?} against {b:?}");
                }
            }
        }
        assert_eq!(head("abcdefghijklmnopq"), head("abcdefghijklmnopz"));
    }
}
