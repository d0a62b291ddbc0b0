//! The search page (`search/index.html`, template `search.html`) and its
//! script (`search/search.js`). The page is a form that works as a plain
//! GET form (`?q=...&tag=...`); the script reads the index written by
//! [`write`](super::write) and shows the results.

use serde::Serialize;
use tera::Context;

use super::{DIR, Filter, Filters};
use crate::diagnostic::Diagnostic;
use crate::model::{Site, urls};
use crate::render::OutputFile;
use crate::render::templates::Templates;

/// The search page's script, compiled into the binary.
const SCRIPT: &[u8] = include_bytes!("search.js");

/// The script's path in the built site.
const SCRIPT_PATH: &str = "search/search.js";

/// What `search.html` is given besides the globals every page has.
#[derive(Serialize)]
struct SearchPage<'a> {
    /// The script's URL, site-relative.
    script: &'a str,
    /// Tags and publishers to filter by.
    tags: &'a [Filter],
    publishers: &'a [Filter],
}

/// Renders the search page, offering `filters`, and its script. The
/// templates must hold the globals of the site's last render (`render`
/// installs them).
pub fn page(
    site: &Site,
    templates: &Templates,
    filters: &Filters,
) -> Result<Vec<OutputFile>, Diagnostic> {
    let mut ctx = Context::new();
    ctx.insert("root", &site.urls.root(DIR));
    ctx.insert("page_url", &site.urls.link(DIR));
    ctx.insert("canonical", &site.urls.absolute(DIR));
    ctx.insert(
        "search",
        &SearchPage {
            script: SCRIPT_PATH,
            tags: &filters.tags,
            publishers: &filters.publishers,
        },
    );
    let html = templates.render("search.html", &ctx)?;
    Ok(vec![
        OutputFile {
            path: urls::file_of(DIR),
            bytes: html,
        },
        OutputFile {
            path: SCRIPT_PATH.to_string(),
            bytes: SCRIPT.to_vec(),
        },
    ])
}
