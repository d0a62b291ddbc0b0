//! One content file turned into a report or standalone page: front matter
//! checked as a whole (required fields, slug, source ids, event dates),
//! body rendered with its citations numbered, references collected.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use crate::render::memo::{FastMap, KeyHasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::content::Document;
use crate::content::date::PartialDate;
use crate::content::frontmatter::Source;
use crate::content::locate::Step::{self, Index, Key};
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, Links, citations::Item, references::References};

use super::slug::{is_safe_segment, is_windows_reserved, slugify};

/// A report or a standalone page, ready for the site model.
#[derive(Debug)]
pub struct Report {
    /// The source file, relative to the site root.
    pub path: PathBuf,
    /// Whether this is a standalone page (About), kept out of listings.
    pub standalone: bool,
    /// The title.
    pub title: String,
    /// The page's folder, site-relative (`reports/x/`).
    pub dir: String,
    /// Publication date (none only for standalone pages).
    pub date: Option<PartialDate>,
    /// Last revision.
    pub updated: Option<PartialDate>,
    /// Summary for listings.
    pub summary: String,
    /// Authors.
    pub authors: Vec<String>,
    /// Tags as written.
    pub tags: Vec<String>,
    /// Whether it is a draft.
    pub draft: bool,
    /// Rendered body; emptied by a build once the page is written (see
    /// `render`), hence the lock.
    pub content: Mutex<String>,
    /// Cited sources in citation order.
    pub references: Vec<Reference>,
    /// Dated events, in date order.
    pub events: Vec<ReportEvent>,
    /// Front matter `extra:`.
    pub extra: serde_yaml::Mapping,
    /// Hashes of what each kind of page shows of this report.
    pub keys: Keys,
    /// What decides the output path, for errors about it: the `slug:`
    /// value if set, else the start of the file.
    pub origin: Diagnostic,
}

/// One entry of a report's References.
#[derive(Debug, Clone)]
pub struct Reference {
    /// Its number in the report.
    pub number: usize,
    /// The source.
    pub source: Arc<Source>,
    /// Whether the source comes from `sources.yaml`.
    pub global: bool,
    /// Anchors (`cite-N`) of every citation of it.
    pub backlinks: Vec<usize>,
}

/// An event of a report.
#[derive(Debug, Clone)]
pub struct ReportEvent {
    /// When.
    pub date: PartialDate,
    /// Until when.
    pub end: Option<PartialDate>,
    /// What.
    pub title: String,
    /// The event's own tags.
    pub tags: Vec<String>,
    /// Its citations, rendered like those in the body.
    pub cites: String,
    /// Numbers of its sources in the report's References.
    pub source_numbers: Vec<usize>,
}

/// Turns `doc` into a report; `None` when it has errors (all reported).
pub fn assemble(
    doc: &Document,
    globals: &FastMap<&str, &Arc<Source>>,
) -> (Option<Report>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let fm = &doc.front;
    let title = required_fields(doc, &mut diags);
    let dir = page_dir(doc, &mut diags);
    check_tags(doc, &fm.tags, &[Key("tags")], &mut diags);
    let locals = local_sources(doc, &mut diags);
    let lookup = |key: &str| {
        locals
            .get(key)
            .copied()
            .or_else(|| globals.get(key).copied())
    };
    let mut refs = References::new(lookup);
    let links = if doc.is_bundle {
        Links::AsWritten
    } else {
        Links::OneUp
    };
    let body = markdown::render(doc.body(), &mut refs, links);
    for unknown in &body.unknown {
        let (line, col) = doc.position_in_body(unknown.offset);
        diags.push(
            Diagnostic::error(&doc.path, line, col, unknown_message(&unknown.key))
                .with_source(&doc.text),
        );
    }
    let events = events(doc, &mut refs, &lookup, &mut diags);
    warn_uncited(doc, &refs, &mut diags);
    let references = refs
        .cited
        .iter()
        .zip(&refs.backlinks)
        .enumerate()
        .map(|(i, (source, backlinks))| Reference {
            number: i + 1,
            source: (*source).clone(),
            global: !locals.contains_key(source.id.as_str()),
            backlinks: backlinks.clone(),
        })
        .collect();
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let report = Report {
        path: doc.path.clone(),
        standalone: fm.standalone,
        title: title.unwrap_or_default(),
        dir,
        date: fm.date.as_ref().map(|d| d.0.clone()),
        updated: fm.updated.as_ref().map(|d| d.0.clone()),
        summary: fm.summary.clone(),
        authors: fm.authors.clone(),
        tags: fm.tags.clone(),
        draft: fm.draft,
        content: Mutex::new(body.html),
        references,
        events,
        extra: fm.extra.clone(),
        keys: Keys::default(),
        origin: origin(doc),
    };
    let report = Report {
        keys: Keys::of(&report, doc),
        ..report
    };
    (Some(report), diags)
}

fn origin(doc: &Document) -> Diagnostic {
    let (line, col) = match doc.front.slug {
        Some(_) => doc.position_of(&[Key("slug")]),
        None => (1, 1),
    };
    Diagnostic::error(&doc.path, line, col, "").with_source(&doc.text)
}

/// Hashes of what each kind of page shows of a report: equal hashes, equal
/// pages (given the same `sources.yaml` and templates), so a rebuild after
/// an edit to a report's body re-renders its page and not every listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Keys {
    /// Everything: the source file.
    pub page: u64,
    /// What listings, the feed's order and the sitemap show.
    pub summary: u64,
    /// What the timeline shows of its events.
    pub events: u64,
    /// What the sources index shows of its references.
    pub references: u64,
}

impl Keys {
    fn of(r: &Report, doc: &Document) -> Keys {
        let hash = |f: &dyn Fn(&mut KeyHasher)| {
            let mut h = crate::render::memo::hasher();
            f(&mut h);
            h.finish()
        };
        let dates = |h: &mut KeyHasher| {
            r.date.as_ref().map(|d| d.iso()).hash(h);
            r.updated.as_ref().map(|d| d.iso()).hash(h);
        };
        Keys {
            page: hash(&|h| {
                doc.path.hash(h);
                doc.text.hash(h);
            }),
            summary: hash(&|h| {
                (&r.title, &r.dir, &r.summary, &r.authors, &r.tags, r.draft).hash(h);
                dates(h);
            }),
            events: hash(&|h| {
                (&r.title, &r.dir).hash(h);
                dates(h);
                for e in &r.events {
                    (
                        e.date.iso(),
                        e.end.as_ref().map(|d| d.iso()),
                        &e.title,
                        &e.tags,
                    )
                        .hash(h);
                    for &n in &e.source_numbers {
                        hash_source(&r.references[n - 1].source, h);
                    }
                }
            }),
            references: hash(&|h| {
                (&r.title, &r.dir).hash(h);
                for reference in &r.references {
                    (reference.number, reference.global).hash(h);
                    hash_source(&reference.source, h);
                }
            }),
        }
    }
}

fn hash_source(s: &Source, h: &mut KeyHasher) {
    (&s.id, &s.title, &s.publisher, &s.author, &s.note).hash(h);
    (
        s.date.as_ref().map(|d| d.0.iso()),
        s.accessed.as_ref().map(|d| d.0.iso()),
    )
        .hash(h);
    (
        s.url.as_ref().map(|u| &u.0),
        s.archive.as_ref().map(|u| &u.0),
    )
        .hash(h);
}

fn unknown_message(key: &str) -> String {
    format!("unknown source `{key}`: it is neither in this report's `sources:` nor in sources.yaml")
}

fn required_fields(doc: &Document, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let fm = &doc.front;
    if !doc.has_front_matter {
        diags.push(
            Diagnostic::error(
                &doc.path,
                1,
                1,
                "missing front matter: a report starts with a `---` block holding at least `title` and `date`",
            )
            .with_source(&doc.text),
        );
        return None;
    }
    let title = fm.title.clone().filter(|t| !t.trim().is_empty());
    if title.is_none() {
        let msg = "missing `title`: every report and page needs one";
        diags.push(Diagnostic::error(&doc.path, 1, 1, msg).with_source(&doc.text));
    }
    if fm.date.is_none() && !fm.standalone {
        let msg =
            "missing `date`: reports need one (a page without a date sets `standalone: true`)";
        diags.push(Diagnostic::error(&doc.path, 1, 1, msg).with_source(&doc.text));
    }
    if fm.standalone && !fm.events.is_empty() {
        diags.push(doc.error_at(
            &[Key("events")],
            "standalone pages cannot have events: they stay out of the timeline",
        ));
    }
    title
}

fn page_dir(doc: &Document, diags: &mut Vec<Diagnostic>) -> String {
    let slug = match &doc.front.slug {
        Some(slug) => {
            if !is_safe_segment(slug) {
                diags.push(doc.error_at(
                    &[Key("slug")],
                    format!("slug `{slug}` must be a single path segment (no `/`, `\\`, `..` or leading `.`)"),
                ));
            }
            slug.clone()
        }
        None => {
            let slug = slugify(&doc.stem);
            if slug.is_empty() {
                diags.push(Diagnostic::error(
                    &doc.path,
                    0,
                    0,
                    "file name has no letter or digit to make a URL from: set `slug`",
                ));
            }
            slug
        }
    };
    if doc.dir.is_empty() {
        format!("{slug}/")
    } else {
        format!("{}/{slug}/", doc.dir)
    }
}

fn check_tags(doc: &Document, tags: &[String], at: &[Step], diags: &mut Vec<Diagnostic>) {
    for (i, tag) in tags.iter().enumerate() {
        let slug = slugify(tag);
        let mut path = at.to_vec();
        path.push(Index(i));
        if slug.is_empty() {
            diags.push(doc.error_at(
                &path,
                format!("tag `{tag}` has no letter or digit to make its URL from"),
            ));
        } else if is_windows_reserved(&slug) {
            diags.push(doc.warning_at(
                &path,
                format!("tag `{tag}` makes the page tags/{slug}/, a name Windows reserves: the site cannot be copied to Windows"),
            ));
        }
    }
}

fn local_sources<'d>(
    doc: &'d Document,
    diags: &mut Vec<Diagnostic>,
) -> HashMap<&'d str, &'d Arc<Source>> {
    let mut locals = HashMap::new();
    for (i, source) in doc.front.sources.iter().enumerate() {
        if locals.insert(source.id.as_str(), source).is_some() {
            diags.push(doc.error_at(
                &[Key("sources"), Index(i), Key("id")],
                format!("duplicate source id `{}` in this report", source.id),
            ));
        }
    }
    locals
}

fn events<'s>(
    doc: &Document,
    refs: &mut References<'s>,
    lookup: &dyn Fn(&str) -> Option<&'s Arc<Source>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ReportEvent> {
    let mut events = Vec::new();
    for (i, event) in doc.front.events.iter().enumerate() {
        if let Some(end) = &event.end
            && end.0.ends_before(&event.date.0)
        {
            diags.push(doc.error_at(
                &[Key("events"), Index(i), Key("end")],
                format!(
                    "event ends ({}) before it begins ({})",
                    end.0.iso(),
                    event.date.0.iso()
                ),
            ));
        }
        check_tags(
            doc,
            &event.tags,
            &[Key("events"), Index(i), Key("tags")],
            diags,
        );
        let mut items = Vec::new();
        for (j, id) in event.sources.iter().enumerate() {
            if lookup(id).is_none() {
                diags.push(doc.error_at(
                    &[Key("events"), Index(i), Key("sources"), Index(j)],
                    unknown_message(id),
                ));
            } else {
                items.push(Item {
                    prefix: String::new(),
                    key: id.clone(),
                    locator: String::new(),
                    offset: 0,
                });
            }
        }
        let cites = if items.is_empty() {
            String::new()
        } else {
            refs.render_group(&items, &mut Vec::new())
        };
        let source_numbers = event
            .sources
            .iter()
            .filter_map(|id| refs.cited.iter().position(|s| &s.id == id).map(|n| n + 1))
            .collect();
        events.push(ReportEvent {
            date: event.date.0.clone(),
            end: event.end.as_ref().map(|e| e.0.clone()),
            title: event.title.clone(),
            tags: event.tags.clone(),
            cites,
            source_numbers,
        });
    }
    events.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.title.cmp(&b.title)));
    events
}

fn warn_uncited(doc: &Document, refs: &References, diags: &mut Vec<Diagnostic>) {
    let cited: HashSet<&str> = refs.cited.iter().map(|s| s.id.as_str()).collect();
    for (i, source) in doc.front.sources.iter().enumerate() {
        if !cited.contains(source.id.as_str()) {
            diags.push(doc.warning_at(
                &[Key("sources"), Index(i), Key("id")],
                format!(
                    "source `{}` is declared but never cited in the body or an event",
                    source.id
                ),
            ));
        }
    }
}
