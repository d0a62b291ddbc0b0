//! Markdown to HTML with pulldown-cmark (tables, footnotes, strikethrough,
//! task lists, heading ids), plus two passes over the event stream:
//! citations (text runs only: never in code, link text or image alt text)
//! and heading anchors.

pub mod citations;
pub mod references;

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::model::slug::slugify;
pub use references::REF_ANCHOR;
use references::{References, Unknown};

/// A rendered body.
#[derive(Debug, Default)]
pub struct Body {
    /// The HTML.
    pub html: String,
    /// Citation keys that resolved to no source (offsets into the body).
    pub unknown: Vec<Unknown>,
}

/// How relative links in a body are adjusted for the page's URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Leave links as written.
    AsWritten,
    /// The page sits one folder below its source file (`x.md` -> `x/`):
    /// prefix relative links with `../` so they reach the same files.
    OneUp,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `body`, numbering its citations in `refs`.
pub fn render(body: &str, refs: &mut References, links: Links) -> Body {
    let mut unknown = Vec::new();
    let mut events = cite_pass(body, refs, links, &mut unknown);
    heading_pass(&mut events);
    // Room for the markup and the citations' previews, so the text is
    // rarely moved while it grows.
    let mut html = String::with_capacity(body.len() * 2 + 256);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // Bodies are kept until their page is written: no slack.
    html.shrink_to_fit();
    Body { html, unknown }
}

/// Renders Markdown that cites nothing (the home page intro).
pub fn render_plain(body: &str) -> String {
    let mut refs = References::new(|_| None);
    render(body, &mut refs, Links::AsWritten).html
}

fn rewrite_dest<'a>(dest: CowStr<'a>, links: Links) -> CowStr<'a> {
    let is_relative = !dest.is_empty()
        && !dest.starts_with(['/', '#', '?'])
        && !dest.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
    if links == Links::OneUp && is_relative {
        CowStr::from(format!("../{dest}"))
    } else {
        dest
    }
}

/// A run of adjacent text events, merged so a citation split across
/// several events (the parser hands brackets over separately) is seen whole.
struct TextRun<'a> {
    parts: Vec<(CowStr<'a>, Range<usize>)>,
}

impl<'a> TextRun<'a> {
    fn flush(
        &mut self,
        body: &str,
        out: &mut Vec<Event<'a>>,
        refs: &mut References,
        unknown: &mut Vec<Unknown>,
    ) {
        if self.parts.is_empty() {
            return;
        }
        let parts = std::mem::take(&mut self.parts);
        if !parts.iter().any(|(t, _)| t.contains('@')) {
            out.extend(parts.into_iter().map(|(t, _)| text_event(t)));
            return;
        }
        let mut merged = String::new();
        let mut starts = Vec::with_capacity(parts.len());
        for (text, _) in &parts {
            starts.push(merged.len());
            merged.push_str(text);
        }
        let source_of = |i: usize| -> usize {
            let k = starts.partition_point(|&s| s <= i) - 1;
            let (text, range) = &parts[k];
            if body.get(range.clone()) == Some(text.as_ref()) {
                range.start + (i - starts[k])
            } else {
                range.start
            }
        };
        let escaped = |i: usize| {
            let at = source_of(i);
            let before = &body.as_bytes()[..at];
            before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
                || body.as_bytes().get(at) == Some(&b'\\')
        };
        let groups = citations::scan(&merged, escaped);
        if groups.is_empty() {
            out.extend(parts.into_iter().map(|(t, _)| text_event(t)));
            return;
        }
        let mut at = 0;
        for group in groups {
            if group.start > at {
                out.push(text_event(CowStr::from(
                    merged[at..group.start].to_string(),
                )));
            }
            let mut found = Vec::new();
            out.push(Event::InlineHtml(CowStr::from(
                refs.render_group(&group.items, &mut found),
            )));
            unknown.extend(found.into_iter().map(|u| Unknown {
                offset: source_of(u.offset),
                key: u.key,
            }));
            at = group.end;
        }
        if at < merged.len() {
            out.push(text_event(CowStr::from(merged[at..].to_string())));
        }
    }
}

fn text_event(text: CowStr<'_>) -> Event<'_> {
    if text.as_ref() == "\n" {
        Event::SoftBreak
    } else {
        Event::Text(text)
    }
}

fn cite_pass<'a>(
    body: &'a str,
    refs: &mut References,
    links: Links,
    unknown: &mut Vec<Unknown>,
) -> Vec<Event<'a>> {
    // About one event per 16 bytes of Markdown: sized once, not regrown.
    let mut out = Vec::with_capacity(body.len() / 16 + 16);
    let mut run = TextRun { parts: Vec::new() };
    let mut in_code = 0usize;
    let mut in_link = 0usize;
    let mut skip_link = 0usize;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if skip_link > 0 {
            match event {
                Event::Start(Tag::Link { .. }) => skip_link += 1,
                Event::End(TagEnd::Link) => skip_link -= 1,
                _ => {}
            }
            continue;
        }
        let scanning = in_code == 0 && in_link == 0;
        match event {
            Event::Text(text) if scanning => {
                run.parts.push((text, range));
                continue;
            }
            Event::SoftBreak if scanning => {
                run.parts.push((CowStr::Borrowed("\n"), range));
                continue;
            }
            _ => run.flush(body, &mut out, refs, unknown),
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code += 1;
                out.push(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = in_code.saturating_sub(1);
                out.push(event);
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if let Some(html) = reference_link_citation(body, &range, link_type, refs, unknown)
                {
                    out.push(Event::InlineHtml(CowStr::from(html)));
                    skip_link = 1;
                    continue;
                }
                in_link += 1;
                out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: rewrite_dest(dest_url, links),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                in_link += 1;
                out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: rewrite_dest(dest_url, links),
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                in_link = in_link.saturating_sub(1);
                out.push(event);
            }
            other => out.push(other),
        }
    }
    run.flush(body, &mut out, refs, unknown);
    out
}

/// A link reference definition such as `[@key]: javascript:...` turns
/// `[@key]` into a link; it is still a citation, and the definition is
/// ignored, so a definition can never hijack one.
fn reference_link_citation(
    body: &str,
    range: &Range<usize>,
    link_type: LinkType,
    refs: &mut References,
    unknown: &mut Vec<Unknown>,
) -> Option<String> {
    if !matches!(
        link_type,
        LinkType::Shortcut | LinkType::Collapsed | LinkType::Reference
    ) {
        return None;
    }
    let source = body.get(range.clone())?;
    let groups = citations::scan(source, |_| false);
    let group = groups.first()?;
    let whole = group.start == 0 && (group.end == source.len() || source[group.end..] == *"[]");
    if !whole {
        return None;
    }
    let mut found = Vec::new();
    let html = refs.render_group(&group.items, &mut found);
    unknown.extend(found.into_iter().map(|u| Unknown {
        offset: range.start + u.offset,
        key: u.key,
    }));
    Some(html)
}

/// Gives every heading without an explicit `{#id}` an id made from its
/// text, unique within the page.
fn heading_pass(events: &mut [Event<'_>]) {
    let mut used: HashMap<String, usize> = HashMap::new();
    for event in events.iter() {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
            used.insert(id.to_string(), 1);
        }
    }
    let mut pending: Option<(usize, String)> = None;
    for at in 0..events.len() {
        match (&mut pending, &events[at]) {
            (None, Event::Start(Tag::Heading { id: None, .. })) => {
                pending = Some((at, String::new()));
            }
            (Some((_, text)), Event::Text(t) | Event::Code(t)) => text.push_str(t),
            (Some(_), Event::End(TagEnd::Heading(_))) => {
                if let Some((start, text)) = pending.take() {
                    let id = unique_id(&mut used, &text);
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        *slot = Some(CowStr::from(id));
                    }
                }
            }
            _ => {}
        }
    }
}

fn unique_id(used: &mut HashMap<String, usize>, text: &str) -> String {
    let mut base = slugify(text);
    if base.is_empty() {
        base = "section".to_string();
    }
    let count = used.entry(base.clone()).or_insert(0);
    *count += 1;
    if *count == 1 {
        base
    } else {
        let id = format!("{base}-{}", *count - 1);
        used.insert(id.clone(), 1);
        id
    }
}

#[cfg(test)]
mod tests;
