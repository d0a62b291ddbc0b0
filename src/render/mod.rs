//! The render stage: the site model through the templates into output
//! files (pages, `timeline.json`, the Atom feed, the sitemap and the
//! built-in static files). Pure: it returns files and writes nothing.

mod context;
mod data;
mod feed;
mod pages;
pub mod templates;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use templates::Templates;

use crate::content::TemplateFile;
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

/// Renders the whole site, handing every file to `sink`; returns how many
/// files there were. `site_static` names the files the site's own
/// `static/` provides; built-in ones with those names are left out.
///
/// Report pages come first, and each report's body is released once its
/// page is written (but for the newest, which the feed carries): listings
/// need only summaries, and a large site need not hold every body at once.
pub fn render(
    site: &mut Site,
    overrides: &[TemplateFile],
    site_static: &[String],
    sink: &Sink,
) -> Result<usize, Vec<Diagnostic>> {
    let mut templates = Templates::compile(overrides)?;
    install_globals(&mut templates.tera, site);
    let reports = report_pages(site, &templates, sink)?;
    let site = &*site;
    let pages = reports + pages::render_all(site, &templates, sink)?;
    let mut files = vec![data::timeline_json(site), feed::atom(site)];
    files.push(sitemap(site, &templates).map_err(|d| vec![d])?);
    for (name, bytes) in STATIC {
        if !site_static.iter().any(|s| s == name) {
            files.push(OutputFile {
                path: name.to_string(),
                bytes: bytes.to_vec(),
            });
        }
    }
    let count = pages + files.len();
    let diags: Vec<Diagnostic> = files.into_iter().filter_map(|f| sink(f).err()).collect();
    if diags.is_empty() {
        Ok(count)
    } else {
        Err(diags)
    }
}

/// Renders every report page, releasing bodies the feed does not need.
fn report_pages(
    site: &mut Site,
    templates: &Templates,
    sink: &Sink,
) -> Result<usize, Vec<Diagnostic>> {
    let mut reports = std::mem::take(&mut site.reports);
    let diags: Vec<Diagnostic> = reports
        .par_iter_mut()
        .enumerate()
        .filter_map(|(i, report)| {
            let page = pages::report_page(site, templates, report, &site.report_tags[i]);
            if i >= feed::FEED_ENTRIES {
                report.content = String::new();
            }
            page.and_then(sink).err()
        })
        .collect();
    let count = reports.len();
    site.reports = reports;
    if diags.is_empty() {
        Ok(count)
    } else {
        Err(diags)
    }
}

fn install_globals(tera: &mut Tera, site: &Site) {
    #[derive(Serialize)]
    struct SiteView<'a> {
        title: &'a str,
        description: &'a str,
        author: &'a str,
        language: &'a str,
        base_url: Option<&'a str>,
        extra: &'a serde_yaml::Mapping,
    }
    #[derive(Serialize)]
    struct NavItem<'a> {
        title: &'a str,
        url: String,
    }
    #[derive(Serialize)]
    struct Assets {
        css: &'static str,
        js: &'static str,
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
    let nav: Vec<NavItem> = site
        .pages
        .iter()
        .map(|p| NavItem {
            title: &p.title,
            url: site.urls.link(&p.dir),
        })
        .collect();
    globals.insert("nav", &nav);
    globals.insert(
        "assets",
        &Assets {
            css: "style.css",
            js: "annalist.js",
        },
    );
    globals.insert("home_url", &site.urls.link(""));
    globals.insert("tags_url", &site.urls.link("tags/"));
    globals.insert("timeline_url", &site.urls.link(TIMELINE_DIR));
    globals.insert("sources_url", &site.urls.link("sources/"));
    globals.insert("feed_url", "feed.xml");
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
        bytes: xml.into_bytes(),
    })
}
