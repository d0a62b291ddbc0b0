//! The build pipeline shared by `build` and `check`: load, assemble,
//! model, render. Every stage runs as far as it can so one run reports
//! every error.

use std::path::Path;

use rayon::prelude::*;

use std::sync::Arc;

use crate::content::{self, Asset, SiteInput};
use crate::diagnostic::{self, Diagnostic};
use crate::markdown;
use crate::model::{Site, report, site};
use crate::render::memo::{self, Memo};
use crate::render::templates::Templates;
use crate::render::{self, Sink};

/// A built site.
pub struct Built {
    /// How many files were rendered.
    pub files: usize,
    /// Files to copy.
    pub assets: Vec<Asset>,
    /// The model (for summaries).
    pub site: Site,
}

/// Runs the whole pipeline, handing rendered files to `sink`; the
/// diagnostics include warnings either way.
pub fn run(
    root: &Path,
    base_url: Option<&str>,
    drafts: bool,
    sink: &Sink,
) -> (Option<Built>, Vec<Diagnostic>) {
    let (input, mut diags) = content::load(root, base_url);
    let SiteInput {
        config,
        sources,
        sources_text,
        documents,
        intro,
        assets,
        templates,
        ..
    } = input;
    let mut templates = Templates::compile(&templates)
        .map_err(|found| diags.extend(found))
        .ok();
    let globals = site::globals(&sources);
    let assembled: Vec<_> = documents
        .into_par_iter()
        .filter(|d| drafts || !d.front.draft)
        .map(|d| report::assemble(&d, &globals))
        .collect();
    let mut reports = Vec::with_capacity(assembled.len());
    for (report, found) in assembled {
        diags.extend(found);
        reports.extend(report.map(Arc::new));
    }
    let intro = intro.map_or_else(String::new, |d| markdown::render_plain(d.body()));
    let bibliography = memo::key(&sources_text);
    let (site, found) = site::build(config, intro, reports, drafts, bibliography);
    diags.extend(found);
    let site_static: Vec<String> = assets
        .iter()
        .filter(|a| a.source.starts_with(root.join("static")))
        .map(|a| a.dest.clone())
        .collect();
    if let Some(templates) = templates.as_mut()
        && !diags.iter().any(Diagnostic::is_error)
    {
        let mut memo = Memo::default();
        match render::render(&site, templates, &site_static, &mut memo, sink) {
            Ok(rendered) => {
                diagnostic::sort(&mut diags);
                return (
                    Some(Built {
                        files: rendered.total,
                        assets,
                        site,
                    }),
                    diags,
                );
            }
            Err(found) => diags.extend(found),
        }
    }
    diagnostic::sort(&mut diags);
    (None, diags)
}
