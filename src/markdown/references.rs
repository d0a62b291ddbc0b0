//! Numbering of citations within one report: sources get numbers in order
//! of first citation, every citation gets an anchor (`cite-N`) for the
//! backlinks, and each group renders as a superscript of numbered links
//! with a preview of the source.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use pulldown_cmark_escape::{escape_href, escape_html};

use super::citations::Item;
use crate::content::frontmatter::Source;

/// What the `id` of a reference in a References list starts with; the id
/// of the source follows (`ref-smith-2024`). Citations, the sources index
/// and the search index link there.
pub const REF_ANCHOR: &str = "ref-";

/// Resolves a citation key to its source.
type Lookup<'s> = Box<dyn Fn(&str) -> Option<&'s Arc<Source>> + 's>;

/// The sources of one report in citation order, with their backlinks.
pub struct References<'s> {
    lookup: Lookup<'s>,
    numbers: HashMap<String, usize>,
    /// Cited sources; the source numbered `n` is at index `n - 1`.
    pub cited: Vec<&'s Arc<Source>>,
    /// For each cited source, the anchors (`cite-N`) of its citations.
    pub backlinks: Vec<Vec<usize>>,
    next_anchor: usize,
}

/// A key that resolves to no source, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// The key as written.
    pub key: String,
    /// Byte offset of its `@` in the text that was scanned.
    pub offset: usize,
}

impl<'s> References<'s> {
    /// Starts numbering; `lookup` resolves an id to its source.
    pub fn new(lookup: impl Fn(&str) -> Option<&'s Arc<Source>> + 's) -> Self {
        References {
            lookup: Box::new(lookup),
            numbers: HashMap::new(),
            cited: Vec::new(),
            backlinks: Vec::new(),
            next_anchor: 1,
        }
    }

    /// The number of `key`, assigning the next one on first citation.
    fn number(&mut self, key: &str) -> Option<usize> {
        if let Some(&n) = self.numbers.get(key) {
            return Some(n);
        }
        let source = (self.lookup)(key)?;
        self.cited.push(source);
        self.backlinks.push(Vec::new());
        let n = self.cited.len();
        self.numbers.insert(key.to_string(), n);
        Some(n)
    }

    /// Renders one citation group as HTML; keys that resolve to nothing are
    /// returned in `unknown` and shown as `?`.
    pub fn render_group(&mut self, items: &[Item], unknown: &mut Vec<Unknown>) -> String {
        let detailed = items
            .iter()
            .any(|i| !i.prefix.is_empty() || !i.locator.is_empty());
        let sep = if detailed { "; " } else { ", " };
        let mut html = String::from("<sup class=\"citation\">[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                html.push_str(sep);
            }
            if !item.prefix.is_empty() {
                escape_html(&mut html, &item.prefix).ok();
                html.push(' ');
            }
            match self.number(&item.key) {
                Some(n) => self.push_link(&mut html, n),
                None => {
                    unknown.push(Unknown {
                        key: item.key.clone(),
                        offset: item.offset,
                    });
                    html.push_str("<span class=\"cite-missing\">?</span>");
                }
            }
            if !item.locator.is_empty() {
                if !item.locator.starts_with(|c: char| c.is_ascii_punctuation()) {
                    html.push_str(", ");
                }
                escape_html(&mut html, &item.locator).ok();
            }
        }
        html.push_str("]</sup>");
        html
    }

    fn push_link(&mut self, html: &mut String, n: usize) {
        let anchor = self.next_anchor;
        self.next_anchor += 1;
        self.backlinks[n - 1].push(anchor);
        let source = self.cited[n - 1];
        html.push_str("<a class=\"cite\" id=\"cite-");
        let _ = write!(html, "{anchor}\" href=\"#{REF_ANCHOR}");
        escape_href(&mut *html, &source.id).ok();
        let _ = write!(
            html,
            "\" aria-describedby=\"cite-{anchor}-tip\">{n}</a><span class=\"cite-tip\" id=\"cite-{anchor}-tip\" role=\"tooltip\">"
        );
        escape_html(&mut *html, &preview(source)).ok();
        html.push_str("</span>");
    }
}

/// One line describing a source: "Title. Publisher, 6 April 2024."
pub fn preview(source: &Source) -> String {
    let mut text = if source.title.is_empty() {
        source.id.clone()
    } else {
        source.title.clone()
    };
    if !text.ends_with(['.', '?', '!']) {
        text.push('.');
    }
    let date = source.date.as_ref().map(|d| d.0.display());
    match (source.publisher.is_empty(), date) {
        (false, Some(d)) => {
            let _ = write!(text, " {}, {d}.", source.publisher);
        }
        (false, None) => {
            let _ = write!(text, " {}.", source.publisher);
        }
        (true, Some(d)) => {
            let _ = write!(text, " {d}.");
        }
        (true, None) => {}
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(id: &str, title: &str) -> Arc<Source> {
        serde_yaml::from_str(&format!(
            "{{id: {id}, title: \"{title}\", publisher: Pub, date: 2024-04-06}}"
        ))
        .unwrap()
    }

    fn item(prefix: &str, key: &str, locator: &str) -> Item {
        Item {
            prefix: prefix.into(),
            key: key.into(),
            locator: locator.into(),
            offset: 0,
        }
    }

    #[test]
    fn numbers_by_first_citation_and_collects_backlinks() {
        let sources = [source("a", "A"), source("b", "B <b>")];
        let mut refs = References::new(|k| sources.iter().find(|s| s.id == k));
        let mut unknown = Vec::new();
        let first = refs.render_group(&[item("", "b", "")], &mut unknown);
        let second =
            refs.render_group(&[item("see", "a", "p. 4"), item("", "b", "")], &mut unknown);
        assert!(first.contains(">1</a>"));
        assert!(first.contains("B &lt;b&gt;. Pub, 6 April 2024."));
        assert!(second.starts_with(
            "<sup class=\"citation\">[see <a class=\"cite\" id=\"cite-2\" href=\"#ref-a\""
        ));
        assert!(second.contains(">2</a>"));
        assert!(second.contains(", p. 4; <a"));
        assert_eq!(refs.backlinks, vec![vec![1, 3], vec![2]]);
        assert!(unknown.is_empty());
    }

    #[test]
    fn unknown_keys_are_reported() {
        let mut refs = References::new(|_| None);
        let mut unknown = Vec::new();
        let html = refs.render_group(&[item("", "nope", "")], &mut unknown);
        assert_eq!(unknown[0].key, "nope");
        assert!(html.contains("cite-missing"));
    }
}
