//! The content stage: the only reader of a site's files. It loads
//! `site.yaml`, `sources.yaml`, the reports under `content/`, the site's
//! template overrides and the files to copy, and parses front matter.
//! Every problem becomes a [`Diagnostic`](crate::diagnostic::Diagnostic); one bad file never stops the run.

pub mod date;
pub mod frontmatter;
pub mod locate;
pub mod url;

mod document;
mod load;

pub use document::Document;
pub use load::{
    Asset, PageFile, SiteInput, TemplateFile, content_files, is_editor_temp, load_settings,
    load_templates, read_page, walk_order, walk_static,
};
