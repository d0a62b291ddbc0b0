//! The render stage: the site model through the templates into output
//! files (pages, `timeline.json`, the Atom feed, the sitemap and the
//! built-in static files). Pure: it returns files and writes nothing.

mod assets;
mod context;
mod data;
mod feed;
pub mod memo;
mod pages;
mod runs;
pub mod templates;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

pub use assets::{NAMED_BY_CONTENT, Profile, content_name};
use memo::Memo;
use pages::Job;
use templates::Templates;

use crate::diagnostic::Diagnostic;
use crate::model::Site;

/// A file of the built site, path relative to the output root.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// `/`-separated path (`reports/x/index.html`).
    pub path: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// The timeline's folder.
pub const TIMELINE_DIR: &str = "timeline/";

/// The built-in static files: stylesheet and script.
pub const STATIC: [(&str, &[u8]); 2] = [
    ("style.css", include_bytes!("../../static/style.css")),
    ("annalist.js", include_bytes!("../../static/annalist.js")),
];

/// Where rendered files go: the output stage, or nowhere for `check`.
pub type Sink<'a> = dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync + 'a;

/// What a render did.
#[derive(Debug, Default)]
pub struct Rendered {
    /// How many files were rendered (the rest were unchanged).
    pub written: usize,
    /// How many files the site has.
    pub total: usize,
}

/// Renders the site, handing to `sink` every file whose inputs changed
/// since the render recorded in `memo` (all of them for an empty memo).
/// `site_static` names the files the site's own `static/` provides;
/// built-in ones with those names are left out.
///
/// Report pages come first, and each report's body is released once its
/// page is written (but for the newest, which the feed carries): listings
/// need only summaries, and a large site need not hold every body at once.
pub fn render(
    site: &Site,
    templates: &mut Templates,
    site_static: &[String],
    memo: &mut Memo,
    sink: &Sink,
) -> Result<Rendered, Vec<Diagnostic>> {
    render_as(&Profile::Standard, site, templates, site_static, memo, sink)
}

/// [`render`] for a build of the given profile (production builds name
/// the built-in assets by their content).
pub fn render_as(
    profile: &Profile,
    site: &Site,
    templates: &mut Templates,
    site_static: &[String],
    memo: &mut Memo,
    sink: &Sink,
) -> Result<Rendered, Vec<Diagnostic>> {
    let global = prepare(profile, site, templates, site_static);
    let shared = pages::Shared::new(site, global);
    let mut keys = memo::FastMap::default();
    let mut todo = Vec::new();
    let jobs = pages::jobs(site, &shared);
    let mut data = data_files(site, templates, site_static, profile);
    if memo.records() {
        let keyed: Vec<(Job, String, u64)> = jobs
            .into_par_iter()
            .map(|job| (job, job.path(site), job.key(site, &shared)))
            .collect();
        for (job, path, key) in keyed {
            if memo.changed(&path, key) {
                todo.push(job);
            }
            keys.insert(path, key);
        }
        data.retain(|(path, key, _)| {
            keys.insert(path.clone(), *key);
            memo.changed(path, *key)
        });
    } else {
        todo = jobs;
    }
    let (ordered, rest) = pages::order(site, todo);
    let written = ordered.len() + rest.len() + data.len();
    let templates = &*templates;
    let ((mut diags, listing_diags), data_diags) = rayon::join(
        || {
            rayon::join(
                || pages::render_jobs(site, templates, &shared, &ordered, pages::RUN, sink),
                // One job per task: a page of a big site's timeline or
                // sources takes a thread for a while, and the other
                // threads must be able to take every job after it rather
                // than wait for it.
                || pages::render_jobs(site, templates, &shared, &rest, 1, sink),
            )
        },
        || {
            data.into_par_iter()
                .filter_map(|(_, _, make)| make().and_then(sink).err())
                .collect::<Vec<_>>()
        },
    );
    diags.extend(listing_diags);
    diags.extend(data_diags);
    pages::release(shared);
    if !diags.is_empty() {
        return Err(diags);
    }
    // A one-shot memo recorded no keys: the site is what was written.
    let total = if memo.records() { keys.len() } else { written };
    memo.replace(keys);
    Ok(Rendered { written, total })
}

/// Installs the templates' shared values and returns the key of everything
/// every page shows (settings, navigation, templates, asset names).
fn prepare(
    profile: &Profile,
    site: &Site,
    templates: &mut Templates,
    site_static: &[String],
) -> u64 {
    let asset_names = assets::names(site_static, profile);
    install_globals(&mut templates.tera, site, &asset_names);
    memo::key(&(
        &asset_names,
        templates.generation,
        format!("{:?}", site.config),
        site.bibliography,
        nav(site)
            .iter()
            .map(|n| (n.title, n.url.clone()))
            .collect::<Vec<_>>(),
    ))
}

/// Renders only the pages of the reports at `indices` (and the feed if one
/// of them is in it), for a rebuild after edits that changed nothing that
/// listings, the timeline or the sources index show. What `render` would
/// write and these differ in nothing else; the memo records the new keys.
pub fn render_reports(
    site: &Site,
    templates: &mut Templates,
    site_static: &[String],
    memo: &mut Memo,
    indices: &[usize],
    sink: &Sink,
) -> Result<Rendered, Vec<Diagnostic>> {
    let global = prepare(&Profile::Standard, site, templates, site_static);
    let shared = pages::Shared::new(site, global);
    let mut keys = Vec::new();
    let mut jobs = Vec::new();
    for &i in indices {
        let job = Job::Report(i);
        let (path, key) = (job.path(site), job.key(site, &shared));
        if memo.changed(&path, key) {
            jobs.push(job);
        }
        keys.push((path, key));
    }
    let mut diags = pages::render_jobs(site, templates, &shared, &jobs, pages::RUN, sink);
    let mut written = jobs.len();
    if indices.iter().any(|&i| i < feed::FEED_ENTRIES) {
        let (path, key, make) = feed_file(site);
        if memo.changed(&path, key) {
            written += 1;
            match make().and_then(sink) {
                Ok(()) => keys.push((path, key)),
                Err(d) => diags.push(d),
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    for (path, key) in keys {
        memo.set(path, key);
    }
    Ok(Rendered {
        written,
        total: memo.len(),
    })
}

/// A file other than a page: its path, its key, and how to make it.
type DataFile<'a> = (
    String,
    u64,
    Box<dyn FnOnce() -> Result<OutputFile, Diagnostic> + Send + 'a>,
);

/// What every data file depends on: the settings and `sources.yaml`.
fn settings_key(site: &Site) -> (String, u64) {
    (format!("{:?}", site.config), site.bibliography)
}

/// The feed: it carries the newest reports whole.
fn feed_file(site: &Site) -> DataFile<'_> {
    let newest: Vec<u64> = site
        .reports
        .iter()
        .take(feed::FEED_ENTRIES)
        .map(|r| r.keys.page)
        .collect();
    (
        "feed.xml".to_string(),
        memo::key(&(&settings_key(site), newest)),
        Box::new(|| Ok(feed::atom(site))),
    )
}

fn data_files<'a>(
    site: &'a Site,
    templates: &'a Templates,
    site_static: &[String],
    profile: &Profile,
) -> Vec<DataFile<'a>> {
    let timeline: Vec<(u64, usize, &[usize])> = site
        .timeline
        .iter()
        .map(|e| {
            (
                site.reports[e.report].keys.events,
                e.event,
                e.tags.as_slice(),
            )
        })
        .collect();
    let tags: Vec<&str> = site.tags.iter().map(|t| t.name.as_str()).collect();
    let all: Vec<u64> = site
        .reports
        .iter()
        .chain(&site.pages)
        .map(|r| r.keys.summary)
        .collect();
    let config = settings_key(site);
    let mut files: Vec<DataFile> = vec![
        (
            "timeline.json".to_string(),
            memo::key(&(&config, timeline, &tags)),
            Box::new(|| Ok(data::timeline_json(site))),
        ),
        feed_file(site),
        (
            "sitemap.xml".to_string(),
            memo::key(&(&config, templates.generation, all, &tags)),
            Box::new(|| sitemap(site, templates)),
        ),
    ];
    for (name, bytes) in assets::built_in(site_static, profile) {
        files.push((
            name.clone(),
            memo::key(bytes),
            Box::new(move || {
                Ok(OutputFile {
                    path: name,
                    bytes: bytes.to_vec(),
                })
            }),
        ));
    }
    if !site_static.iter().any(|s| s == assets::ROBOTS) {
        files.push((
            assets::ROBOTS.to_string(),
            memo::key(&site.urls.base()),
            Box::new(|| Ok(assets::robots(site))),
        ));
    }
    files
}

/// A link in the header navigation.
#[derive(Serialize)]
struct NavItem<'a> {
    title: &'a str,
    url: String,
}

/// The standalone pages, for the header navigation.
fn nav(site: &Site) -> Vec<NavItem<'_>> {
    site.pages
        .iter()
        .map(|p| NavItem {
            title: &p.title,
            url: site.urls.link(&p.dir),
        })
        .collect()
}

fn install_globals(tera: &mut Tera, site: &Site, asset_names: &assets::AssetNames) {
    #[derive(Serialize)]
    struct SiteView<'a> {
        title: &'a str,
        description: &'a str,
        author: &'a str,
        language: &'a str,
        base_url: Option<&'a str>,
        extra: &'a serde_yaml::Mapping,
    }
    let c = &site.config;
    let globals = tera.global_context();
    let site_view = SiteView {
        title: &c.title,
        description: &c.description,
        author: &c.author,
        language: &c.language,
        base_url: c.base_url.as_deref(),
        extra: &c.extra,
    };
    match context::value(&site_view) {
        Ok(v) => globals.insert_value("site", v),
        Err(_) => globals.insert(
            "site",
            &SiteView {
                extra: &serde_yaml::Mapping::new(),
                ..site_view
            },
        ),
    }
    globals.insert("nav", &nav(site));
    globals.insert("assets", asset_names);
    globals.insert("home_url", &site.urls.link(""));
    globals.insert("tags_url", &site.urls.link("tags/"));
    globals.insert("timeline_url", &site.urls.link(TIMELINE_DIR));
    globals.insert("sources_url", &site.urls.link("sources/"));
    globals.insert("feed_url", "feed.xml");
    let search = c.search.then(|| site.urls.link(crate::search::DIR));
    globals.insert("search_url", &search);
}

fn sitemap(site: &Site, templates: &Templates) -> Result<OutputFile, Diagnostic> {
    #[derive(Serialize)]
    struct Entry {
        loc: String,
        lastmod: Option<String>,
    }
    let loc = |dir: &str| {
        site.urls
            .absolute(dir)
            .unwrap_or_else(|| site.urls.link(dir))
    };
    let mut entries = vec![Entry {
        loc: loc(""),
        lastmod: None,
    }];
    for r in site.reports.iter().chain(&site.pages) {
        entries.push(Entry {
            loc: loc(&r.dir),
            lastmod: r
                .updated
                .as_ref()
                .or(r.date.as_ref())
                .map(|d| d.to_rfc3339()),
        });
    }
    for dir in ["tags/", TIMELINE_DIR, "sources/"] {
        entries.push(Entry {
            loc: loc(dir),
            lastmod: None,
        });
    }
    for tag in site.tags.iter().filter(|t| !t.reports.is_empty()) {
        entries.push(Entry {
            loc: loc(&context::tag_dir(&tag.slug)),
            lastmod: None,
        });
    }
    let mut ctx = Context::new();
    ctx.insert("entries", &entries);
    let xml = templates.render("sitemap.xml", &ctx)?;
    Ok(OutputFile {
        path: "sitemap.xml".to_string(),
        bytes: xml,
    })
}
