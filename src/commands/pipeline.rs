//! The build pipeline shared by `build` and `check`: load, assemble,
//! model, render. Every stage runs as far as it can so one run reports
//! every error.

use std::path::Path;
use std::sync::Mutex;

use rayon::slice::ParallelSliceMut;

use crate::content::{self, Asset, SiteInput};
use crate::diagnostic::{self, Diagnostic};
use crate::lock::{self, lock};
use crate::model::load::{self, Loaded};
use crate::model::{Site, site};
use crate::render::memo::{self, Memo};
use crate::render::templates::Templates;
use crate::render::{self, NAMED_BY_CONTENT, Profile, Sink};
use crate::search;

/// A built site.
pub struct Built {
    /// How many files were rendered.
    pub files: usize,
    /// Files to copy.
    pub assets: Vec<Asset>,
    /// The model (for summaries).
    pub site: Site,
}

/// What to build besides the pages.
#[derive(Debug, Clone, Copy)]
pub struct Extras {
    /// Include drafts.
    pub drafts: bool,
    /// Build the search index and page, unless `site.yaml` says not to.
    pub search: bool,
}

/// Runs the whole pipeline, handing rendered files to `sink`; the
/// diagnostics include warnings either way.
pub fn run(
    root: &Path,
    base_url: Option<&str>,
    extras: Extras,
    sink: &Sink,
) -> (Option<Built>, Vec<Diagnostic>) {
    run_as(Profile::Standard, root, base_url, extras, sink)
}

/// [`run`] for a build of the given profile.
pub fn run_as(
    profile: Profile,
    root: &Path,
    base_url: Option<&str>,
    extras: Extras,
    sink: &Sink,
) -> (Option<Built>, Vec<Diagnostic>) {
    let Extras { drafts, search } = extras;
    let (input, mut diags) = content::load_settings(root, base_url);
    let SiteInput {
        mut config,
        sources,
        sources_text,
        mut assets,
        templates,
        ..
    } = input;
    config.search &= search;
    let mut templates = Templates::compile(&templates)
        .map_err(|found| diags.extend(found))
        .ok();
    let content = root.join("content");
    let outside = config.follow_outside_symlinks;
    let globals = site::globals(&sources);
    // Pages are read as the walk finds them; their order is restored after.
    let loaded = Mutex::new(Vec::new());
    let content_assets = rayon::scope(|scope| {
        content::content_files(root, &content, outside, &mut diags, |page| {
            let (loaded, globals) = (&loaded, &globals);
            scope.spawn(move |_| {
                let (path, page) = load::load(root, page, globals, drafts);
                lock(loaded).push((content::walk_order(&path), page));
            });
        })
    });
    assets.extend(content_assets);
    let mut loaded = lock::into_inner(loaded);
    loaded.par_sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    let mut reports = Vec::with_capacity(loaded.len());
    let mut intro = String::new();
    for (_, loaded) in loaded {
        match loaded {
            Loaded::Intro(html) => intro = html,
            Loaded::Report(report, _, found) => {
                diags.extend(found);
                reports.extend(report);
            }
            Loaded::Draft => {}
            Loaded::Failed(d) => diags.push(d),
        }
    }
    let bibliography = memo::key(&sources_text);
    let (site, found) = site::build(config, intro, reports, drafts, bibliography);
    diags.extend(found);
    let site_static: Vec<String> = assets
        .iter()
        .filter(|a| a.source.starts_with(root.join("static")))
        .map(|a| a.dest.clone())
        .collect();
    let profile = name_by_content(profile, &mut assets, &site_static, &mut diags);
    if let Some(templates) = templates.as_mut()
        && !diags.iter().any(Diagnostic::is_error)
    {
        // The corpus holds the reports, so rendering leaves their bodies
        // for the index, which is made alongside the pages.
        let corpus = site.config.search.then(|| search::Corpus::of(&site));
        let mut memo = Memo::one_shot();
        let (indexed, rendered) = rayon::join(
            || corpus.as_ref().map_or(Ok(0), |c| search::write(c, sink)),
            || render::render_as(&profile, &site, templates, &site_static, &mut memo, sink),
        );
        let page = match (&rendered, &corpus) {
            (Ok(_), Some(corpus)) => search_page(&site, templates, corpus.filters(), sink),
            _ => Ok(0),
        };
        match (rendered, indexed, page) {
            (Ok(rendered), Ok(indexed), Ok(page)) => {
                diagnostic::sort(&mut diags);
                let files = rendered.total + indexed + page;
                return (
                    Some(Built {
                        files,
                        assets,
                        site,
                    }),
                    diags,
                );
            }
            (rendered, indexed, page) => {
                for found in [rendered.err(), indexed.err(), page.err()] {
                    diags.extend(found.into_iter().flatten());
                }
            }
        }
    }
    diagnostic::sort(&mut diags);
    (None, diags)
}

/// Renders the search page, offering `filters`, and its script.
fn search_page(
    site: &Site,
    templates: &Templates,
    filters: &search::Filters,
    sink: &Sink,
) -> Result<usize, Vec<Diagnostic>> {
    let files = search::page(site, templates, filters).map_err(|d| vec![d])?;
    let count = files.len();
    let failed: Vec<Diagnostic> = files.into_iter().filter_map(|f| sink(f).err()).collect();
    if failed.is_empty() {
        Ok(count)
    } else {
        Err(failed)
    }
}

/// In a production build, the site's own files that replace the built-in
/// stylesheet and script are named by their content too: their output
/// names go into the profile for the templates' `assets` map.
fn name_by_content(
    profile: Profile,
    assets: &mut [Asset],
    site_static: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Profile {
    let Profile::Production { mut site } = profile else {
        return profile;
    };
    for asset in assets.iter_mut() {
        let plain = asset.dest.clone();
        if !NAMED_BY_CONTENT.contains(&plain.as_str()) || !site_static.contains(&plain) {
            continue;
        }
        match std::fs::read(&asset.source) {
            Ok(bytes) => {
                asset.dest = render::content_name(&plain, &bytes);
                site.push((plain, asset.dest.clone()));
            }
            Err(e) => diags.push(Diagnostic::error(
                &asset.source,
                0,
                0,
                format!("cannot read the file: {e}"),
            )),
        }
    }
    Profile::Production { site }
}
