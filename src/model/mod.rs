//! The site model: reports assembled from documents, then tags, timeline
//! and sources index built over them. Plain data; only [`load`] reads
//! files.

pub mod load;
pub mod report;
pub mod site;
pub mod slug;
pub mod urls;

pub use report::{Reference, Report, ReportEvent};
pub use site::{Site, SourceEntry, Tag, TimelineEvent};
