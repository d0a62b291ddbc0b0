//! The step from a content file to a report: read, parse and assemble in
//! one go, so a build holds each file's text only while it is assembled.
//! Shared by builds and the dev server.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::content::frontmatter::Source;
use crate::content::{self, PageFile};
use crate::diagnostic::Diagnostic;
use crate::markdown;
use crate::render::memo::FastMap;

use super::report::{self, Report};

/// What a content file became.
pub enum Loaded {
    /// `content/_index.md`, the home page intro, rendered.
    Intro(String),
    /// A report or standalone page (`None` when it has errors), whether it
    /// is a draft, and what assembling it found.
    Report(Option<Arc<Report>>, bool, Vec<Diagnostic>),
    /// A draft, left unassembled.
    Draft,
    /// The file could not be read or its front matter parsed.
    Failed(Diagnostic),
}

/// Reads and assembles `page` (the file at `path`, relative to `root`);
/// drafts are assembled only if `drafts`.
pub fn load(
    root: &Path,
    page: PageFile,
    globals: &FastMap<&str, &Arc<Source>>,
    drafts: bool,
) -> (PathBuf, Loaded) {
    let doc = match content::read_page(root, page) {
        Ok(doc) => doc,
        Err(d) => return (d.path.clone(), Loaded::Failed(d)),
    };
    let draft = doc.front.draft;
    let loaded = if doc.is_intro() {
        Loaded::Intro(markdown::render_plain(doc.body()))
    } else if draft && !drafts {
        Loaded::Draft
    } else {
        let (report, found) = report::assemble(&doc, globals);
        Loaded::Report(report.map(Arc::new), draft, found)
    };
    (doc.path, loaded)
}
