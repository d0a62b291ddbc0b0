//! The Atom feed of the newest reports, written with atom_syndication.

use atom_syndication::{Content, Entry, Feed, Link, Person, Text};

use super::OutputFile;
use crate::lock::lock;
use crate::model::Site;

/// How many reports the feed carries.
pub const FEED_ENTRIES: usize = 50;

/// `feed.xml`. Links are absolute when the site has a base URL (feed
/// readers need that) and site-relative otherwise.
pub fn atom(site: &Site) -> OutputFile {
    let url = |dir: &str| {
        site.urls
            .absolute(dir)
            .unwrap_or_else(|| site.urls.link(dir))
    };
    let id_of = |dir: &str| {
        site.urls
            .absolute(dir)
            .unwrap_or_else(|| format!("urn:annalist:{dir}"))
    };
    let entries: Vec<Entry> = site
        .reports
        .iter()
        .take(FEED_ENTRIES)
        .map(|r| {
            let published = r.date.as_ref().map(|d| d.to_datetime());
            let updated = r
                .updated
                .as_ref()
                .map(|d| d.to_datetime())
                .or(published)
                .unwrap_or_default();
            Entry {
                title: Text::plain(r.title.clone()),
                id: id_of(&r.dir),
                updated,
                published,
                authors: r
                    .authors
                    .iter()
                    .map(|name| Person {
                        name: name.clone(),
                        ..Default::default()
                    })
                    .collect(),
                links: vec![Link {
                    href: url(&r.dir),
                    rel: "alternate".to_string(),
                    mime_type: Some("text/html".to_string()),
                    ..Default::default()
                }],
                summary: (!r.summary.is_empty()).then(|| Text::plain(r.summary.clone())),
                content: Some(Content {
                    value: Some(lock(&r.content).clone()),
                    content_type: Some("html".to_string()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let c = &site.config;
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_default();
    let feed = Feed {
        title: Text::plain(c.title.clone()),
        id: id_of(""),
        updated,
        // Atom needs an author on the feed or on every entry: the site's
        // author, or else its title.
        authors: vec![Person {
            name: if c.author.is_empty() {
                c.title.clone()
            } else {
                c.author.clone()
            },
            ..Default::default()
        }],
        links: vec![
            Link {
                href: url(""),
                rel: "alternate".to_string(),
                ..Default::default()
            },
            Link {
                href: site
                    .urls
                    .absolute("feed.xml")
                    .unwrap_or_else(|| "feed.xml".to_string()),
                rel: "self".to_string(),
                ..Default::default()
            },
        ],
        subtitle: (!c.description.is_empty()).then(|| Text::plain(c.description.clone())),
        lang: Some(c.language.clone()),
        entries,
        ..Default::default()
    };
    OutputFile {
        path: "feed.xml".to_string(),
        bytes: feed.to_string().into_bytes(),
    }
}
