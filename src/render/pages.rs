//! Which pages a site has, and rendering each through its template. Pages
//! render in parallel; every failure is collected.

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use super::templates::Templates;

use super::context::{DateView, TagView, pagination, tag_dir};
use super::{OutputFile, Sink, TIMELINE_DIR};
use crate::diagnostic::Diagnostic;
use crate::model::{Report, Site, urls};

/// One HTML page to render.
enum Job {
    Home(usize),
    Page(usize),
    Tags,
    Tag(usize, usize),
    Timeline(Option<i32>),
    TimelineYears,
    Sources,
    NotFound,
}

/// Renders every HTML page of the site, handing each to `sink` as soon as
/// it is ready; returns how many pages there were.
pub fn render_all(site: &Site, tera: &Templates, sink: &Sink) -> Result<usize, Vec<Diagnostic>> {
    let shared = Shared::new(site);
    let jobs = jobs(site, &shared);
    let count = jobs.len();
    let diags: Vec<Diagnostic> = jobs
        .into_par_iter()
        .filter_map(|job| render_job(site, tera, &shared, job).and_then(sink).err())
        .collect();
    if diags.is_empty() {
        Ok(count)
    } else {
        Err(diags)
    }
}

/// Values computed once and shared by many pages.
struct Shared {
    summaries: Vec<Value>,
    events: Vec<Value>,
    years: Vec<(i32, usize)>,
    split: bool,
}

impl Shared {
    fn new(site: &Site) -> Self {
        let summaries = (0..site.reports.len())
            .into_par_iter()
            .map(|i| site.summary_value(i))
            .collect();
        let events = site
            .timeline
            .par_iter()
            .map(|e| event_value(site, e))
            .collect();
        let mut years: Vec<(i32, usize)> = Vec::new();
        for e in &site.timeline {
            let year = site.reports[e.report].events[e.event].date.year;
            match years.last_mut() {
                Some((y, n)) if *y == year => *n += 1,
                _ => years.push((year, 1)),
            }
        }
        Shared {
            summaries,
            events,
            split: site.timeline.len() > site.config.timeline_per_page,
            years,
        }
    }
}

fn pages_of(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page).max(1)
}

/// The listing pages, largest first so that the single big pages (sources,
/// timeline) overlap with the many small ones instead of ending the run.
fn jobs(site: &Site, shared: &Shared) -> Vec<Job> {
    let per = site.config.per_page;
    let mut jobs = vec![Job::Sources];
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

fn render_job(
    site: &Site,
    tera: &Templates,
    shared: &Shared,
    job: Job,
) -> Result<OutputFile, Diagnostic> {
    let per = site.config.per_page;
    let mut ctx = Context::new();
    let (dir, template) = match job {
        Job::Home(n) => {
            let total = pages_of(site.reports.len(), per);
            let slice = page_slice(&shared.summaries, n, per);
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
            let reports: Vec<Value> = ids.iter().map(|&i| shared.summaries[i].clone()).collect();
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
        Job::Timeline(year) => {
            let events: Vec<Value> = match year {
                Some(y) => site
                    .timeline
                    .iter()
                    .zip(&shared.events)
                    .filter(|(e, _)| site.reports[e.report].events[e.event].date.year == y)
                    .map(|(_, v)| v.clone())
                    .collect(),
                None => shared.events.clone(),
            };
            ctx.insert_value("events", Value::from(events));
            ctx.insert_value("year", year.map_or(Value::none(), Value::from));
            timeline_lists(site, shared, &mut ctx);
            let dir = match year {
                Some(y) => format!("{TIMELINE_DIR}{y}/"),
                None => TIMELINE_DIR.to_string(),
            };
            (dir, "timeline.html")
        }
        Job::TimelineYears => {
            timeline_lists(site, shared, &mut ctx);
            (TIMELINE_DIR.to_string(), "timeline_years.html")
        }
        Job::Sources => {
            ctx.insert_value("sources", sources_value(site));
            ("sources/".to_string(), "sources.html")
        }
        Job::NotFound => (String::new(), "404.html"),
    };
    finish(site, tera, ctx, &dir, template)
}

/// Adds the per-page values every template gets and renders the page.
fn finish(
    site: &Site,
    tera: &Templates,
    mut ctx: Context,
    dir: &str,
    template: &str,
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
    let html = tera.render(template, &ctx)?;
    Ok(OutputFile {
        path,
        bytes: html.into_bytes(),
    })
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
    finish(site, tera, ctx, &r.dir, "report.html")
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

fn event_value(site: &Site, e: &crate::model::TimelineEvent) -> Value {
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
    #[derive(Serialize)]
    struct EventView<'a> {
        date: DateView<'a>,
        end: Option<DateView<'a>>,
        title: &'a str,
        tags: Vec<TagView<'a>>,
        report: ReportLink<'a>,
        sources: Vec<SourceLink<'a>>,
    }
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
                url: format!("{link}#ref-{}", s.id),
            }
        })
        .collect();
    Value::from_serializable(&EventView {
        date: DateView::of(&event.date),
        end: event.end.as_ref().map(DateView::of),
        title: &event.title,
        tags: site.tag_views(&e.tags),
        report: ReportLink {
            title: &report.title,
            url: link.clone(),
        },
        sources,
    })
}

fn sources_value(site: &Site) -> Value {
    #[derive(Serialize)]
    struct Citing<'a> {
        title: &'a str,
        url: String,
    }
    #[derive(Serialize)]
    struct SourceView<'a> {
        id: &'a str,
        title: &'a str,
        author: &'a str,
        publisher: &'a str,
        date: Option<DateView<'a>>,
        url: Option<&'a str>,
        archive: Option<&'a str>,
        reports: Vec<Citing<'a>>,
    }
    let views: Vec<SourceView> = site
        .sources
        .iter()
        .map(|entry| {
            let s = &entry.source;
            SourceView {
                id: &s.id,
                title: &s.title,
                author: &s.author,
                publisher: &s.publisher,
                date: s.date.as_ref().map(|d| DateView::of(&d.0)),
                url: s.url.as_ref().map(|u| u.0.as_str()),
                archive: s.archive.as_ref().map(|u| u.0.as_str()),
                reports: entry
                    .citing
                    .iter()
                    .map(|&(ri, number)| {
                        let r = &site.reports[ri];
                        let id = &r.references[number - 1].source.id;
                        Citing {
                            title: &r.title,
                            url: format!("{}#ref-{id}", site.urls.link(&r.dir)),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    Value::from_serializable(&views)
}
