//! annalist: a static site generator for annotated reports. Markdown
//! reports with YAML front matter become an HTML site with numbered source
//! citations, reference lists, a timeline, a tag index and a sources index.
//!
//! The build is a list of stages, each in its own module: [`content`]
//! reads the site, [`markdown`] renders bodies and citations, [`model`]
//! assembles the site, [`render`] turns it into pages through Tera
//! templates, [`search`] indexes it for the site's own search page, and
//! [`output`] writes them, changing the previous site only once the new one
//! is complete; [`publish`] checks
//! the built site's links and deploys it to a folder or a git branch.

pub mod ahead;
pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod lock;
pub mod markdown;
pub mod model;
pub mod output;
pub mod publish;
pub mod render;
pub mod search;
pub mod serve;
