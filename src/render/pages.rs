//! Which pages a site has, and rendering each through its template. Pages
//! render in parallel; every failure is collected.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use super::runs::List;
use super::templates::Templates;

use super::context::{EventFields, Joined, SourceFields, fields, pagination, tag_dir};
use std::hash::{Hash, Hasher};

use super::feed::FEED_ENTRIES;
use super::memo::{self, FastMap, key};
use super::{OutputFile, Sink, TIMELINE_DIR};
use crate::ahead::{read_ahead, touch};
use crate::content::frontmatter::Source;
use crate::diagnostic::Diagnostic;
use crate::lock::lock;
use crate::markdown::REF_ANCHOR;
use crate::model::{Report, Site, TimelineEvent, urls};

/// One HTML page to render.
#[derive(Debug, Clone, Copy)]
pub enum Job {
    Report(usize),
    Page(usize),
    Home(usize),
    Tags,
    Tag(usize, usize),
    Timeline(Option<i32>),
    TimelineYears,
    Sources,
    NotFound,
}

/// Facts about the site that many pages need, cheap to compute; the
/// template values built from them are made on first use, so a rebuild that
/// renders three pages does not build values for ten thousand.
pub struct Shared {
    summary_keys: OnceLock<Vec<u64>>,
    summaries: Vec<OnceLock<Value>>,
    years: Vec<(i32, usize)>,
    split: bool,
    global: u64,
}

impl Shared {
    /// `global` is the key of everything every page shows (settings,
    /// navigation, templates).
    pub fn new(site: &Site, global: u64) -> Self {
        let mut years: Vec<(i32, usize)> = Vec::new();
        for e in &site.timeline {
            let year = e.year;
            match years.last_mut() {
                Some((y, n)) if *y == year => *n += 1,
                _ => years.push((year, 1)),
            }
        }
        Shared {
            summary_keys: OnceLock::new(),
            summaries: (0..site.reports.len()).map(|_| OnceLock::new()).collect(),
            split: site.timeline.len() > site.config.timeline_per_page,
            years,
            global,
        }
    }

    /// The keys of the reports' summaries, made when a page's key is first
    /// asked for: a one-shot build asks for none.
    fn summary_keys(&self, site: &Site) -> &[u64] {
        self.summary_keys.get_or_init(|| {
            (0..site.reports.len())
                .map(|i| {
                    key(&(
                        site.reports[i].keys.summary,
                        tag_names(site, &site.report_tags[i]),
                    ))
                })
                .collect()
        })
    }

    fn summary(&self, site: &Site, i: usize) -> Value {
        self.summaries[i]
            .get_or_init(|| site.summary_value(i))
            .clone()
    }

    /// Where the timeline's events in `year` (all for `None`) are.
    fn events(&self, site: &Site, year: Option<i32>) -> Range<usize> {
        let mut start = 0;
        let mut range = 0..site.timeline.len();
        for &(y, count) in &self.years {
            if Some(y) == year {
                range = start..start + count;
            }
            start += count;
        }
        range
    }
}

fn tag_names<'a>(site: &'a Site, ids: &[usize]) -> Vec<(&'a str, &'a str)> {
    ids.iter()
        .map(|&id| (site.tags[id].name.as_str(), site.tags[id].slug.as_str()))
        .collect()
}

fn pages_of(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page).max(1)
}

/// Every page of the site: reports first, then the listings, largest first
/// so the single big pages (sources, timeline) overlap with the many small
/// ones instead of ending the run.
pub fn jobs(site: &Site, shared: &Shared) -> Vec<Job> {
    let per = site.config.per_page;
    let mut jobs: Vec<Job> = (0..site.reports.len()).map(Job::Report).collect();
    jobs.push(Job::Sources);
    if shared.split {
        jobs.extend(shared.years.iter().map(|(y, _)| Job::Timeline(Some(*y))));
        jobs.push(Job::TimelineYears);
    } else {
        jobs.push(Job::Timeline(None));
    }
    jobs.push(Job::Tags);
    jobs.extend((1..=pages_of(site.reports.len(), per)).map(Job::Home));
    jobs.extend((0..site.pages.len()).map(Job::Page));
    for (t, tag) in site.tags.iter().enumerate() {
        if !tag.reports.is_empty() {
            jobs.extend((1..=pages_of(tag.reports.len(), per)).map(|n| Job::Tag(t, n)));
        }
    }
    jobs.push(Job::NotFound);
    jobs
}

impl Job {
    /// The folder of the page (the 404 page has none).
    fn dir(self, site: &Site) -> String {
        match self {
            Job::Report(i) => site.reports[i].dir.clone(),
            Job::Page(i) => site.pages[i].dir.clone(),
            Job::Home(n) => urls::paginated("", n),
            Job::Tags => "tags/".to_string(),
            Job::Tag(t, n) => urls::paginated(&tag_dir(&site.tags[t].slug), n),
            Job::Timeline(Some(y)) => format!("{TIMELINE_DIR}{y}/"),
            Job::Timeline(None) | Job::TimelineYears => TIMELINE_DIR.to_string(),
            Job::Sources => "sources/".to_string(),
            Job::NotFound => String::new(),
        }
    }

    /// The output file of the page.
    pub fn path(self, site: &Site) -> String {
        match self {
            Job::NotFound => "404.html".to_string(),
            _ => urls::file_of(&self.dir(site)),
        }
    }

    /// The hash of everything the page shows.
    pub fn key(self, site: &Site, shared: &Shared) -> u64 {
        let per = site.config.per_page;
        let g = shared.global;
        match self {
            Job::Report(i) => {
                let r = &site.reports[i];
                key(&(
                    g,
                    r.keys.page,
                    tag_names(site, &site.report_tags[i]),
                    event_tags(site, r),
                ))
            }
            Job::Page(i) => key(&(g, site.pages[i].keys.page)),
            Job::Home(n) => {
                let items = page_slice(shared.summary_keys(site), n, per);
                let total = pages_of(site.reports.len(), per);
                key(&(g, n, total, items, (n == 1).then_some(&site.intro)))
            }
            Job::Tags => key(&(g, tag_counts(site))),
            Job::Tag(t, n) => {
                let tag = &site.tags[t];
                let keys = shared.summary_keys(site);
                let items: Vec<u64> = page_slice(&tag.reports, n, per)
                    .iter()
                    .map(|&i| keys[i])
                    .collect();
                key(&(g, &tag.name, &tag.slug, tag.reports.len(), n, items))
            }
            Job::Timeline(year) => {
                let mut h = memo::hasher();
                (g, year, &shared.years, shared.split, tag_counts(site)).hash(&mut h);
                let in_year = |e: &&TimelineEvent| year.is_none_or(|y| e.year == y);
                for e in site.timeline.iter().filter(in_year) {
                    (site.reports[e.report].keys.events, e.event, &e.tags).hash(&mut h);
                }
                h.finish()
            }
            Job::TimelineYears => key(&(g, &shared.years, tag_counts(site))),
            Job::Sources => {
                let mut h = memo::hasher();
                g.hash(&mut h);
                for e in &site.sources {
                    (&e.source.id, &e.source.title).hash(&mut h);
                    for &(ri, n) in &e.citing {
                        (site.reports[ri].keys.references, n).hash(&mut h);
                    }
                }
                h.finish()
            }
            Job::NotFound => key(&g),
        }
    }
}

fn event_tags<'a>(site: &'a Site, r: &'a Report) -> Vec<Option<usize>> {
    r.events
        .iter()
        .flat_map(|e| e.tags.iter())
        .map(|name| {
            site.tag_ids
                .get(&crate::model::slug::slugify(name))
                .copied()
        })
        .collect()
}

fn tag_counts(site: &Site) -> Vec<(&str, &str, usize, usize)> {
    site.tags
        .iter()
        .map(|t| (t.name.as_str(), t.slug.as_str(), t.reports.len(), t.events))
        .collect()
}

/// How many report and listing pages a thread takes at a time: short
/// runs, so a thread done with other work can take part of them.
pub const RUN: usize = 16;

/// Renders `jobs` in parallel, handing each page to `sink` as soon as it
/// is ready; a thread takes at most `grain` jobs at a time.
pub fn render_jobs(
    site: &Site,
    tera: &Templates,
    shared: &Shared,
    jobs: &[Job],
    grain: usize,
    sink: &Sink,
) -> Vec<Diagnostic> {
    jobs.par_iter()
        .with_max_len(grain)
        .filter_map(|&job| render_job(site, tera, shared, job).and_then(sink).err())
        .collect()
}

/// Puts `jobs` in the order that reads memory best, split into the pages
/// of reports and listings, and the rest (the sources index, timeline and
/// other single pages). Report pages come first, in the order their
/// reports sit in memory (as they were loaded, thread by thread): site
/// order jumps across the whole model from one page to the next, and at
/// 100,000 reports, 1.5 GB of it, that made each page fetch its report
/// from memory afresh. Home and tag pages follow, each placed by the last
/// report it shows, so the summaries one listing makes are still in the
/// cache for the next listings that show the same reports.
pub fn order(site: &Site, jobs: Vec<Job>) -> (Vec<Job>, Vec<Job>) {
    let per = site.config.per_page;
    // The position, in a list of `len`, of the last item on page `n`.
    let last = |len: usize, n: usize| (n * per).min(len).saturating_sub(1);
    let mut ordered = Vec::with_capacity(jobs.len());
    let mut rest = Vec::new();
    for job in jobs {
        let key = match job {
            Job::Report(i) => (false, Arc::as_ptr(&site.reports[i]) as usize),
            Job::Home(n) => (true, last(site.reports.len(), n)),
            Job::Tag(t, n) => {
                let reports = &site.tags[t].reports;
                (
                    true,
                    reports.get(last(reports.len(), n)).copied().unwrap_or(0),
                )
            }
            _ => {
                rest.push(job);
                continue;
            }
        };
        ordered.push((key, job));
    }
    ordered.sort_by_key(|&(key, _)| key);
    (ordered.into_iter().map(|(_, job)| job).collect(), rest)
}

fn render_job(
    site: &Site,
    tera: &Templates,
    shared: &Shared,
    job: Job,
) -> Result<OutputFile, Diagnostic> {
    let per = site.config.per_page;
    let mut ctx = Context::new();
    let (dir, template) = match job {
        Job::Report(i) => return report_job(site, tera, i),
        Job::Home(n) => {
            let total = pages_of(site.reports.len(), per);
            let slice: Vec<Value> = (0..site.reports.len())
                .skip((n - 1) * per)
                .take(per)
                .map(|i| shared.summary(site, i))
                .collect();
            ctx.insert_value("reports", Value::from(slice));
            ctx.insert_value("pagination", pagination(site, "", n, total));
            let intro = if n == 1 { site.intro.as_str() } else { "" };
            ctx.insert("intro", intro);
            (urls::paginated("", n), "index.html")
        }
        Job::Page(i) => {
            let p = &site.pages[i];
            let value = site
                .report_value(p, &[])
                .map_err(|m| Diagnostic::error(&p.path, 0, 0, m))?;
            ctx.insert_value("page", value);
            (p.dir.clone(), "page.html")
        }
        Job::Tags => {
            ctx.insert_value("tags", tags_value(site));
            ("tags/".to_string(), "tags.html")
        }
        Job::Tag(t, n) => {
            let tag = &site.tags[t];
            let dir = tag_dir(&tag.slug);
            let total = pages_of(tag.reports.len(), per);
            let ids = page_slice(&tag.reports, n, per);
            let reports: Vec<Value> = ids.iter().map(|&i| shared.summary(site, i)).collect();
            ctx.insert_value("reports", Value::from(reports));
            ctx.insert_value("pagination", pagination(site, &dir, n, total));
            ctx.insert(
                "tag",
                &TagPage {
                    name: &tag.name,
                    slug: &tag.slug,
                    url: site.urls.link(&dir),
                    count: tag.reports.len(),
                    timeline_url: format!("{}?tag={}", site.urls.link(TIMELINE_DIR), tag.slug),
                },
            );
            (urls::paginated(&dir, n), "tag.html")
        }
        Job::Timeline(year) => return timeline_page(site, tera, shared, ctx, year),
        Job::TimelineYears => {
            timeline_lists(site, shared, &mut ctx);
            (TIMELINE_DIR.to_string(), "timeline_years.html")
        }
        Job::Sources => return sources_page(site, tera, ctx),
        Job::NotFound => (String::new(), "404.html"),
    };
    finish(site, tera, ctx, &dir, template, PAGE)
}

/// Adds the per-page values every template gets and renders the page.
fn finish(
    site: &Site,
    tera: &Templates,
    mut ctx: Context,
    dir: &str,
    template: &str,
    hint: usize,
) -> Result<OutputFile, Diagnostic> {
    let not_found = template == "404.html";
    let root = if not_found {
        site.urls.base().unwrap_or("/").to_string()
    } else {
        site.urls.root(dir)
    };
    ctx.insert("root", &root);
    ctx.insert("page_url", &site.urls.link(dir));
    ctx.insert("canonical", &site.urls.absolute(dir));
    let path = if not_found {
        "404.html".to_string()
    } else {
        urls::file_of(dir)
    };
    let html = tera.render_sized(template, &ctx, hint);
    if hint > PAGE {
        release(ctx);
    }
    Ok(OutputFile { path, bytes: html? })
}

/// The usual size of a page.
const PAGE: usize = 16 << 10;

/// About how much an event adds to a timeline page (a thousand bytes in
/// the built-in template): the timeline of a big site is tens of
/// megabytes a year.
const EVENT: usize = 1536;

/// Stands for the events of a timeline page while its frame is rendered;
/// the events, rendered in parallel runs, replace it after.
const EVENT_LIST: &str = "\u{1}annalist:event_list\u{1}";

/// How many events one run of `timeline_events.html` renders.
const EVENT_RUN: usize = 256;

/// A page of the timeline (`year`'s, or the whole timeline's for `None`):
/// `timeline.html` with `event_list` and `event_count`, the events
/// rendered by `timeline_events.html` in runs. A site's own
/// `timeline.html` also gets the whole list as `events`, as it may not use
/// `event_list`.
fn timeline_page(
    site: &Site,
    tera: &Templates,
    shared: &Shared,
    mut ctx: Context,
    year: Option<i32>,
) -> Result<OutputFile, Diagnostic> {
    let events = &site.timeline[shared.events(site, year)];
    let dir = Job::Timeline(year).dir(site);
    let mut hint = PAGE;
    if !tera.is_built_in("timeline.html") {
        let all: Vec<Value> = events.par_iter().map(|e| event_value(site, e)).collect();
        hint += EVENT * all.len();
        ctx.insert_value("events", Value::from(all));
    }
    ctx.insert("event_count", &events.len());
    ctx.insert("event_list", EVENT_LIST);
    ctx.insert_value("year", year.map_or(Value::none(), Value::from));
    timeline_lists(site, shared, &mut ctx);
    let frame = finish(site, tera, ctx, &dir, "timeline.html", hint)?;
    let root = site.urls.root(&dir);
    let list = List {
        placeholder: EVENT_LIST,
        len: events.len(),
        run: EVENT_RUN,
        entry_size: EVENT,
        render: |range: Range<usize>| {
            let mut run = Context::new();
            let previous = range.start.checked_sub(1).map(|i| events[i].year);
            run.insert_value("previous_year", previous.map_or(Value::none(), Value::from));
            run.insert("offset", &range.start);
            run.insert("last", &(range.end == events.len()));
            read_ahead(&events[range.clone()], |e| event_reads(site, e));
            let values = events[range].iter().map(|e| event_value(site, e));
            run.insert_value("events", Value::from(values.collect::<Vec<_>>()));
            run.insert("root", &root);
            tera.render_sized("timeline_events.html", &run, EVENT_RUN * EVENT)
        },
    };
    list.splice(frame)
}

/// Renders the page of report `i` and releases its body unless the feed
/// needs it, or someone else, such as the dev server's cache, holds the
/// report and will need its body again.
fn report_job(site: &Site, tera: &Templates, i: usize) -> Result<OutputFile, Diagnostic> {
    let report = &site.reports[i];
    let page = report_page(site, tera, report, &site.report_tags[i]);
    if i >= FEED_ENTRIES && Arc::strong_count(report) == 1 {
        *lock(&report.content) = String::new();
    }
    page
}

/// Renders the page of report `r` (whose tag ids are `tags`).
pub fn report_page(
    site: &Site,
    tera: &Templates,
    r: &Report,
    tags: &[usize],
) -> Result<OutputFile, Diagnostic> {
    let value = site
        .report_value(r, tags)
        .map_err(|m| Diagnostic::error(&r.path, 0, 0, m))?;
    let mut ctx = Context::new();
    ctx.insert_value("report", value);
    finish(site, tera, ctx, &r.dir, "report.html", PAGE)
}

fn page_slice<T: Clone>(items: &[T], n: usize, per: usize) -> Vec<T> {
    let start = ((n - 1) * per).min(items.len());
    let end = (start + per).min(items.len());
    items[start..end].to_vec()
}

#[derive(Serialize)]
struct TagPage<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
    timeline_url: String,
}

#[derive(Serialize)]
struct TagCount<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
}

fn tags_value(site: &Site) -> Value {
    let tags: Vec<TagCount> = site
        .tags
        .iter()
        .filter(|t| !t.reports.is_empty())
        .map(|t| TagCount {
            name: &t.name,
            slug: &t.slug,
            url: site.urls.link(&tag_dir(&t.slug)),
            count: t.reports.len(),
        })
        .collect();
    Value::from_serializable(&tags)
}

fn timeline_lists(site: &Site, shared: &Shared, ctx: &mut Context) {
    #[derive(Serialize)]
    struct Year {
        year: i32,
        count: usize,
        url: String,
    }
    let years: Vec<Year> = shared
        .years
        .iter()
        .map(|&(year, count)| Year {
            year,
            count,
            url: if shared.split {
                site.urls.link(&format!("{TIMELINE_DIR}{year}/"))
            } else {
                format!("{}?year={year}", site.urls.link(TIMELINE_DIR))
            },
        })
        .collect();
    let tags: Vec<TagCount> = site
        .tags
        .iter()
        .filter(|t| t.events > 0)
        .map(|t| TagCount {
            name: &t.name,
            slug: &t.slug,
            url: site.urls.link(&tag_dir(&t.slug)),
            count: t.events,
        })
        .collect();
    ctx.insert("years", &years);
    ctx.insert("tags", &tags);
}

fn event_value(site: &Site, e: &TimelineEvent) -> Value {
    #[derive(Serialize)]
    struct ReportLink<'a> {
        title: &'a str,
        url: String,
    }
    #[derive(Serialize)]
    struct SourceLink<'a> {
        id: &'a str,
        title: &'a str,
        url: String,
    }
    struct Links<'a> {
        report: ReportLink<'a>,
        sources: Vec<SourceLink<'a>>,
    }
    fields!(Links { report, sources });
    let report = &site.reports[e.report];
    let event = &report.events[e.event];
    let link = site.urls.link(&report.dir);
    let sources = event
        .source_numbers
        .iter()
        .map(|&n| {
            let s = &report.references[n - 1].source;
            SourceLink {
                id: &s.id,
                title: &s.title,
                url: [&link, "#", REF_ANCHOR, &s.id].concat(),
            }
        })
        .collect();
    let links = Links {
        report: ReportLink {
            title: &report.title,
            url: link.clone(),
        },
        sources,
    };
    Value::from_serializable(&Joined(
        EventFields::of(event, site.tag_views(&e.tags)),
        links,
    ))
}

/// Reads what event `e` shows of its report and sources, for
/// [`read_ahead`].
pub fn event_reads(site: &Site, e: &TimelineEvent) -> usize {
    let r = &site.reports[e.report];
    let event = &r.events[e.event];
    let sources = event.source_numbers.iter();
    let sources = sources.map(|&n| source_reads(&r.references[n - 1].source));
    touch(&r.title) + touch(&r.dir) + touch(&event.title) + sources.sum::<usize>()
}

/// Reads what every link to source `s` shows, for [`read_ahead`].
fn source_reads(s: &Source) -> usize {
    touch(&s.id) + touch(&s.title) + s.url.as_ref().map_or(0, |u| touch(&u.0))
}

/// What makes a relative source link work from the sources index (whose
/// `root` is given): the way from there to the folder of the first report
/// citing the source, whose page the link was written for.
fn source_prefix(site: &Site, root: &str, entry: &crate::model::SourceEntry) -> String {
    match entry.citing.first() {
        Some(&(ri, _)) => [root, super::context::source_folder(&site.reports[ri])].concat(),
        None => String::new(),
    }
}

/// Stands for the entries of the sources index while its frame is
/// rendered; the entries, rendered in parallel runs, replace it after.
const SOURCE_LIST: &str = "\u{1}annalist:source_list\u{1}";

/// How many sources one run of `source_list.html` renders.
const SOURCE_RUN: usize = 256;

/// About how much an entry adds to the sources index.
const SOURCE: usize = 1024;

/// The sources index: `sources.html` with `source_list` and `source_count`,
/// the entries rendered by `source_list.html` in parallel runs (one page
/// can list hundreds of thousands). A site's own `sources.html` also gets
/// the whole list as `sources`, as it may not use `source_list`.
fn sources_page(site: &Site, tera: &Templates, mut ctx: Context) -> Result<OutputFile, Diagnostic> {
    let dir = "sources/";
    let anchors = source_anchors(site);
    let root = site.urls.root(dir);
    if !tera.is_built_in("sources.html") {
        let all = site.sources.par_iter().zip(anchors.par_iter());
        let all: Vec<Value> = all.map(|(e, a)| source_value(site, &root, e, a)).collect();
        ctx.insert_value("sources", Value::from(all));
    }
    ctx.insert("source_count", &site.sources.len());
    ctx.insert("source_list", SOURCE_LIST);
    let frame = finish(site, tera, ctx, dir, "sources.html", PAGE)?;
    let list = List {
        placeholder: SOURCE_LIST,
        len: site.sources.len(),
        run: SOURCE_RUN,
        entry_size: SOURCE,
        render: |range: Range<usize>| {
            read_ahead(&site.sources[range.clone()], |e| {
                let s = &e.source;
                let citing = e.citing.iter().map(|&(ri, number)| {
                    let r = &site.reports[ri];
                    touch(&r.title) + touch(&r.dir) + r.references[number - 1].number
                });
                source_reads(s) + touch(&s.publisher) + touch(&s.author) + citing.sum::<usize>()
            });
            let entries = site.sources[range.clone()].iter().zip(&anchors[range]);
            let values = entries.map(|(e, a)| source_value(site, &root, e, a));
            let mut run = Context::new();
            run.insert_value("sources", Value::from(values.collect::<Vec<_>>()));
            run.insert("root", &root);
            tera.render_sized("source_list.html", &run, SOURCE_RUN * SOURCE)
        },
    };
    list.splice(frame)
}

/// The element id of each entry of the sources index: `source-<id>`, with
/// a number after the first when two entries share an id.
fn source_anchors(site: &Site) -> Vec<String> {
    // Only the counting goes in order; the ids (spread over the model) are
    // gathered, and the anchors made, in parallel.
    let ids: Vec<&str> = site
        .sources
        .par_iter()
        .map(|e| e.source.id.as_str())
        .collect();
    let mut seen: FastMap<&str, u32> = FastMap::default();
    seen.reserve(ids.len());
    let nth: Vec<u32> = ids
        .iter()
        .map(|id| {
            let n = seen.entry(id).or_insert(0);
            *n += 1;
            *n
        })
        .collect();
    ids.par_iter()
        .zip(nth)
        .map(|(id, n)| match n {
            1 => ["source-", id].concat(),
            n => ["source-", id, "-", itoa::Buffer::new().format(n)].concat(),
        })
        .collect()
}

/// One entry of the sources index.
fn source_value(site: &Site, root: &str, entry: &crate::model::SourceEntry, anchor: &str) -> Value {
    #[derive(Serialize)]
    struct Citing<'a> {
        title: &'a str,
        url: String,
    }
    struct Entry<'a> {
        anchor: &'a str,
        reports: Vec<Citing<'a>>,
    }
    fields!(Entry { anchor, reports });
    let source = SourceFields::at(&entry.source, || source_prefix(site, root, entry));
    let entry = Entry {
        anchor,
        reports: entry
            .citing
            .iter()
            .map(|&(ri, number)| {
                let r = &site.reports[ri];
                let id = &r.references[number - 1].source.id;
                Citing {
                    title: &r.title,
                    url: [&site.urls.link(&r.dir), "#", REF_ANCHOR, id].concat(),
                }
            })
            .collect(),
    };
    Value::from_serializable(&Joined(source, entry))
}

/// Frees `value` on a thread of its own: a page's values can be a hundred
/// thousand allocations, and the pages after it need not wait for them
/// (nor for a busy worker of the pool to free them).
pub fn release<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}
