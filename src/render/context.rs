//! Page contexts: the model seen through small serde views, converted to
//! Tera values. Values are reference-counted, so the summary of a report is
//! built once and shared by every listing page that shows it. The shapes
//! are documented in `docs/templates.md`.

use std::borrow::Cow;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use tera::Value;

use crate::content::date::PartialDate;
use crate::content::frontmatter::Source;
use crate::lock::lock;
use crate::markdown::REF_ANCHOR;
use crate::model::{Report, ReportEvent, Site, urls};

/// Fields that serialize as part of a larger view: what
/// `#[serde(flatten)]` does, without its detour through a map grown one
/// field at a time (flattened views cost about twice as much to build,
/// and the sources index and timeline build tens of thousands).
pub trait Fields {
    /// How many fields.
    const COUNT: usize;
    /// Serializes the fields into `out`.
    fn write<S: SerializeStruct>(&self, out: &mut S) -> Result<(), S::Error>;
}

/// The fields of `A`, then those of `B`, as one view.
pub struct Joined<A, B>(pub A, pub B);

impl<A: Fields, B: Fields> Serialize for Joined<A, B> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Joined", A::COUNT + B::COUNT)?;
        self.0.write(&mut out)?;
        self.1.write(&mut out)?;
        out.end()
    }
}

/// Implements [`Fields`] for a view struct with a lifetime, naming its
/// fields.
macro_rules! fields {
    ($view:ident { $($field:ident),* $(,)? }) => {
        impl $crate::render::context::Fields for $view<'_> {
            const COUNT: usize = [$(stringify!($field)),*].len();
            fn write<S: serde::ser::SerializeStruct>(&self, out: &mut S) -> Result<(), S::Error> {
                $(out.serialize_field(stringify!($field), &self.$field)?;)*
                Ok(())
            }
        }
    };
}
pub(crate) use fields;

/// A date at its precision.
#[derive(Serialize)]
pub struct DateView<'a> {
    iso: &'a str,
    display: String,
    year: i32,
}

impl<'a> DateView<'a> {
    /// The view of `date`.
    pub fn of(date: &'a PartialDate) -> Self {
        DateView {
            iso: date.iso(),
            display: date.display(),
            year: date.year,
        }
    }
}

/// A tag link.
#[derive(Serialize)]
pub struct TagView<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
}

/// A report in a listing.
#[derive(Serialize)]
struct SummaryView<'a> {
    title: &'a str,
    url: String,
    date: Option<DateView<'a>>,
    updated: Option<DateView<'a>>,
    summary: &'a str,
    tags: Vec<TagView<'a>>,
    authors: &'a [String],
}

/// What a reference and the sources index show of a source.
pub struct SourceFields<'a> {
    id: &'a str,
    title: &'a str,
    author: &'a str,
    publisher: &'a str,
    date: Option<DateView<'a>>,
    url: Option<Cow<'a, str>>,
    archive: Option<Cow<'a, str>>,
}

fields!(SourceFields {
    id,
    title,
    author,
    publisher,
    date,
    url,
    archive
});

impl<'a> SourceFields<'a> {
    /// The fields of `s`, with a relative `url` or `archive` prefixed by
    /// `prefix()` so it works from the page that shows it (asked for only
    /// then: most sources link elsewhere).
    pub fn at<P: AsRef<str>>(s: &'a Source, prefix: impl Fn() -> P) -> Self {
        let link = |url: &'a str| rebase(url, &prefix);
        SourceFields {
            id: &s.id,
            title: &s.title,
            author: &s.author,
            publisher: &s.publisher,
            date: s.date.as_ref().map(|d| DateView::of(&d.0)),
            url: s.url.as_ref().map(|u| link(&u.0)),
            archive: s.archive.as_ref().map(|u| link(&u.0)),
        }
    }
}

/// The folder, in the built site, that report `r`'s relative source links
/// are written from: as for links in its body, the page's own folder for
/// a bundle (`x/index.md`), and the folder above for a flat file (`x.md`,
/// whose page is one folder further down than the file).
pub fn source_folder(r: &Report) -> &str {
    let bundle = r.path.file_name().is_some_and(|n| n == "index.md")
        && r.path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n != "content");
    if bundle {
        return &r.dir;
    }
    let dir = r.dir.trim_end_matches('/');
    dir.rfind('/').map_or("", |i| &r.dir[..=i])
}

/// `url` with `prefix()` before it when it is a relative path.
fn rebase<'a, P: AsRef<str>>(url: &'a str, prefix: impl Fn() -> P) -> Cow<'a, str> {
    let absolute = url.starts_with(['/', '#', '?'])
        || url
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains('/'));
    if absolute {
        return Cow::Borrowed(url);
    }
    match prefix().as_ref() {
        "" => Cow::Borrowed(url),
        prefix => Cow::Owned([prefix, url].concat()),
    }
}

/// A reference on a report page: its source's fields and these.
struct ReferenceFields<'a> {
    number: usize,
    anchor: String,
    accessed: Option<DateView<'a>>,
    note: &'a str,
    backlinks: Vec<BacklinkView>,
}

fields!(ReferenceFields {
    number,
    anchor,
    accessed,
    note,
    backlinks
});

#[derive(Serialize)]
struct BacklinkView {
    anchor: String,
    label: String,
}

/// What the report page and the timeline both show of an event.
pub struct EventFields<'a> {
    date: DateView<'a>,
    end: Option<DateView<'a>>,
    title: &'a str,
    tags: Vec<TagView<'a>>,
}

fields!(EventFields {
    date,
    end,
    title,
    tags
});

impl<'a> EventFields<'a> {
    /// The fields of `event`, with the given tags.
    pub fn of(event: &'a ReportEvent, tags: Vec<TagView<'a>>) -> Self {
        EventFields {
            date: DateView::of(&event.date),
            end: event.end.as_ref().map(DateView::of),
            title: &event.title,
            tags,
        }
    }
}

/// An event on its report's page: its fields and its citations.
struct EventCites<'a> {
    cites: &'a str,
}

fields!(EventCites { cites });

/// A report or standalone page, in full.
#[derive(Serialize)]
struct ReportView<'a> {
    title: &'a str,
    summary: &'a str,
    url: String,
    date: Option<DateView<'a>>,
    updated: Option<DateView<'a>>,
    authors: &'a [String],
    tags: Vec<TagView<'a>>,
    content: &'a str,
    events: Vec<Joined<EventFields<'a>, EventCites<'a>>>,
    references: Vec<Joined<SourceFields<'a>, ReferenceFields<'a>>>,
    extra: &'a serde_yaml::Mapping,
}

/// Converts a view; only user-written `extra:` maps can fail (keys that
/// are not scalars), and the message says so.
pub fn value<T: Serialize>(view: &T) -> Result<Value, String> {
    Value::try_from_serializable(view).map_err(|e| format!("cannot hand `extra` to templates: {e}"))
}

/// Backlink labels: a, b, ..., z, aa, ab, ...
fn label(i: usize) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    if i < 26 {
        (letters[i] as char).to_string()
    } else {
        format!("{}{}", label(i / 26 - 1), letters[i % 26] as char)
    }
}

impl Site {
    /// The views of tags `ids`. A tag only events carry has no page of
    /// its own; it links to the timeline filtered by it instead.
    pub fn tag_views(&self, ids: &[usize]) -> Vec<TagView<'_>> {
        ids.iter()
            .map(|&id| {
                let tag = &self.tags[id];
                let url = if tag.reports.is_empty() {
                    format!(
                        "{}?tag={}",
                        self.urls.link(crate::render::TIMELINE_DIR),
                        tag.slug
                    )
                } else {
                    self.urls.link(&tag_dir(&tag.slug))
                };
                TagView {
                    name: &tag.name,
                    slug: &tag.slug,
                    url,
                }
            })
            .collect()
    }

    /// The listing summary of report `i`.
    pub fn summary_value(&self, i: usize) -> Value {
        let r = &self.reports[i];
        let view = SummaryView {
            title: &r.title,
            url: self.urls.link(&r.dir),
            date: r.date.as_ref().map(DateView::of),
            updated: r.updated.as_ref().map(DateView::of),
            summary: &r.summary,
            tags: self.tag_views(&self.report_tags[i]),
            authors: &r.authors,
        };
        Value::from_serializable(&view)
    }

    /// The full view of a report (`tags` are its tag ids).
    pub fn report_value(&self, r: &Report, tags: &[usize]) -> Result<Value, String> {
        let up = if source_folder(r) == r.dir { "" } else { "../" };
        let body = lock(&r.content);
        let view = ReportView {
            title: &r.title,
            summary: &r.summary,
            url: self.urls.link(&r.dir),
            date: r.date.as_ref().map(DateView::of),
            updated: r.updated.as_ref().map(DateView::of),
            authors: &r.authors,
            tags: self.tag_views(tags),
            content: &body,
            events: r
                .events
                .iter()
                .map(|e| {
                    let tags = e.tags.iter().filter_map(|name| self.tag_by_name(name));
                    let event = EventFields::of(e, tags.collect());
                    Joined(event, EventCites { cites: &e.cites })
                })
                .collect(),
            references: r
                .references
                .iter()
                .map(|reference| {
                    let s = &reference.source;
                    let fields = ReferenceFields {
                        number: reference.number,
                        anchor: [REF_ANCHOR, &s.id].concat(),
                        accessed: s.accessed.as_ref().map(|d| DateView::of(&d.0)),
                        note: &s.note,
                        backlinks: reference
                            .backlinks
                            .iter()
                            .enumerate()
                            .map(|(i, n)| BacklinkView {
                                anchor: format!("cite-{n}"),
                                label: label(i),
                            })
                            .collect(),
                    };
                    Joined(SourceFields::at(s, || up), fields)
                })
                .collect(),
            extra: &r.extra,
        };
        value(&view)
    }

    fn tag_by_name(&self, name: &str) -> Option<TagView<'_>> {
        let id = *self.tag_ids.get(&crate::model::slug::slugify(name))?;
        self.tag_views(&[id]).pop()
    }
}

/// The folder of a tag's page.
pub fn tag_dir(slug: &str) -> String {
    ["tags/", slug, "/"].concat()
}

/// The pagination value for page `n` of `total` of a listing at `dir`.
pub fn pagination(site: &Site, dir: &str, n: usize, total: usize) -> Value {
    #[derive(Serialize)]
    struct PageLink {
        number: usize,
        url: String,
        gap_before: bool,
    }
    #[derive(Serialize)]
    struct Pagination {
        current: usize,
        total: usize,
        prev_url: Option<String>,
        next_url: Option<String>,
        pages: Vec<PageLink>,
    }
    let link = |k: usize| site.urls.link(&urls::paginated(dir, k));
    Value::from_serializable(&Pagination {
        current: n,
        total,
        prev_url: (n > 1).then(|| link(n - 1)),
        next_url: (n < total).then(|| link(n + 1)),
        pages: window(n, total)
            .iter()
            .scan(0, |prev, &k| {
                let gap_before = k > *prev + 1;
                *prev = k;
                Some(PageLink {
                    number: k,
                    url: link(k),
                    gap_before,
                })
            })
            .collect(),
    })
}

/// The page numbers worth linking from page `n` of `total`: the first,
/// the last, and two either side of the current one.
fn window(n: usize, total: usize) -> Vec<usize> {
    let near = n.saturating_sub(2).max(1)..=(n + 2).min(total);
    let mut pages: Vec<usize> = std::iter::once(1)
        .chain(near)
        .chain(std::iter::once(total))
        .collect();
    pages.dedup();
    pages
}

#[cfg(test)]
mod tests {
    use super::{label, window};

    #[test]
    fn pagination_window() {
        assert_eq!(window(1, 1), [1]);
        assert_eq!(window(1, 3), [1, 2, 3]);
        assert_eq!(window(1, 100), [1, 2, 3, 100]);
        assert_eq!(window(50, 100), [1, 48, 49, 50, 51, 52, 100]);
        assert_eq!(window(100, 100), [1, 98, 99, 100]);
    }

    #[test]
    fn backlink_labels() {
        assert_eq!(label(0), "a");
        assert_eq!(label(25), "z");
        assert_eq!(label(26), "aa");
        assert_eq!(label(27), "ab");
    }
}
