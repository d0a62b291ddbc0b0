//! The link checker, run by `check` and before every `publish`: every
//! internal link, anchor and asset of the built site must resolve. It is a
//! pure function of the built files: pages are scanned as they stream out
//! of the render stage ([`Links::add`], keeping only their ids and links),
//! copied files are named ([`Links::add_path`]), and [`Links::check`]
//! resolves every link against that set.
//!
//! A link is resolved the way a browser would from the page's URL:
//! relative links against the page's folder (or its `<base href>`),
//! root-relative ones against the site root, and absolute ones under
//! `base_url` as paths of the site; any other absolute URL is external and
//! is not fetched. A folder link (`reports/x/`) means its `index.html`, and
//! a link without the slash (`reports/x`) is accepted when the folder has
//! one (hosts redirect it). A `#fragment` must be the `id` of an element
//! (or an `<a name>`) of the target page; `#` and `#top` always are.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use super::html::{self, Found};
use crate::content::Asset;
use crate::diagnostic::{self, Diagnostic};
use crate::model::{Site, urls};

/// The built site as the link checker sees it.
#[derive(Debug, Default)]
pub struct Links {
    files: Mutex<BTreeMap<String, Option<Page>>>,
}

/// What a page holds: its anchors and its links.
#[derive(Debug)]
struct Page {
    ids: HashSet<String>,
    links: Vec<Found>,
    base: Option<String>,
}

impl Links {
    /// Adds a built file; HTML pages are scanned. Safe to call from
    /// several threads.
    pub fn add(&self, path: &str, bytes: &[u8]) {
        let page = is_html(path).then(|| {
            let scan = html::scan(&String::from_utf8_lossy(bytes));
            Page {
                ids: scan.ids.into_iter().collect(),
                links: scan.links,
                base: scan.base,
            }
        });
        self.lock().insert(path.to_string(), page);
    }

    /// Adds a file that is copied rather than rendered: a link target whose
    /// own links and anchors are not looked at.
    pub fn add_path(&self, path: &str) {
        self.lock().entry(path.to_string()).or_insert(None);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Option<Page>>> {
        crate::lock::lock(&self.files)
    }

    /// Every broken link, as an error naming the page (its path in the
    /// built site, with line and column) and the link. `base_url` is the
    /// site's, if it has one.
    pub fn check(self, base_url: Option<&str>) -> Vec<Diagnostic> {
        let files = crate::lock::into_inner(self.files);
        let base = base_url.and_then(Origin::parse);
        let mut diags: Vec<Diagnostic> = files
            .par_iter()
            .filter_map(|(path, page)| Some((path, page.as_ref()?)))
            .flat_map_iter(|(path, page)| broken(&files, path, page, &base))
            .collect();
        diagnostic::sort(&mut diags);
        diags
    }
}

/// Checks the links of a whole built site: `links` holds its rendered
/// files, `assets` are the files copied into it. Errors on a report's or
/// standalone page's page also name the Markdown file it comes from.
pub fn check_site(links: Links, site: &Site, assets: &[Asset]) -> Vec<Diagnostic> {
    for asset in assets {
        links.add_path(&asset.dest);
    }
    let mut diags = links.check(site.config.base_url.as_deref());
    let sources: HashMap<String, &Path> = site
        .reports
        .iter()
        .chain(&site.pages)
        .map(|r| (urls::file_of(&r.dir), r.path.as_path()))
        .collect();
    for d in &mut diags {
        if let Some(source) = sources.get(d.path.to_string_lossy().as_ref()) {
            d.message
                .push_str(&format!(" (on the page of {})", source.display()));
        }
    }
    diags
}

/// The broken links of the page at `path`.
fn broken(
    files: &BTreeMap<String, Option<Page>>,
    path: &str,
    page: &Page,
    base: &Option<Origin>,
) -> Vec<Diagnostic> {
    let page_base = page.base.as_deref().map(|b| resolve_base(path, b, base));
    let from = page_base.as_deref().unwrap_or(path);
    page.links
        .iter()
        .filter_map(|link| {
            let problem = problem(files, path, from, &link.url, base)?;
            let what = match link.attr {
                "href" | "xlink:href" => "broken link",
                _ => "missing asset",
            };
            let message = format!("{what} `{}`: {problem}", link.url);
            Some(Diagnostic::error(
                Path::new(path),
                link.line,
                link.col,
                message,
            ))
        })
        .collect()
}

fn is_html(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".htm")
}

/// Where a `<base href>` points, as a site path to resolve links from
/// (outside the site: the page's own path, so its links are only
/// checked if they are absolute).
fn resolve_base(page: &str, href: &str, base: &Option<Origin>) -> String {
    match resolve(page, href, base) {
        Target::Internal { path, .. } => path,
        _ => page.to_string(),
    }
}

/// What is wrong with `url` on page `page` (resolved from `from`), if
/// anything.
fn problem(
    files: &BTreeMap<String, Option<Page>>,
    page: &str,
    from: &str,
    url: &str,
    base: &Option<Origin>,
) -> Option<String> {
    let (path, fragment) = match resolve(from, url, base) {
        Target::External => return None,
        Target::Outside => return Some("it leads outside the site".to_string()),
        Target::Internal { path, fragment } => (path, fragment),
    };
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else if !files.contains_key(&path) && files.contains_key(&format!("{path}/index.html")) {
        format!("{path}/index.html")
    } else {
        path
    };
    let Some(target) = files.get(&file) else {
        return Some(format!("`{file}` is not in the built site"));
    };
    let (Some(fragment), Some(target)) = (fragment, target) else {
        return None;
    };
    if fragment.is_empty() || fragment.eq_ignore_ascii_case("top") {
        return None;
    }
    let decoded = percent_decode_str(&fragment).decode_utf8_lossy();
    if target.ids.contains(&fragment) || target.ids.contains(decoded.as_ref()) {
        return None;
    }
    let place = if file == page {
        "this page".to_string()
    } else {
        format!("`{file}`")
    };
    Some(format!("{place} has no element with id `{decoded}`"))
}

/// Where a link leads.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// A path of the site (decoded, no leading `/`), and the fragment.
    Internal {
        path: String,
        fragment: Option<String>,
    },
    /// Another site, or a scheme other than http(s): not checked.
    External,
    /// A relative path climbing above the site's root.
    Outside,
}

/// The scheme-less origin and path of `base_url`: `host/sub/` is
/// `("host", "/sub/")`. Links under it, by http or https, are the site's.
#[derive(Debug, Clone)]
struct Origin {
    host: String,
    path: String,
}

impl Origin {
    fn parse(url: &str) -> Option<Origin> {
        let (host, path) = split_absolute(url)?;
        let mut path = path.to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        Some(Origin {
            host: host.to_ascii_lowercase(),
            path,
        })
    }
}

/// `http(s)://host/path` or `//host/path` -> `(host, /path)`.
fn split_absolute(url: &str) -> Option<(&str, &str)> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        url.strip_prefix("//")?
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let path = if end == rest.len() { "/" } else { &rest[end..] };
    Some((&rest[..end], path))
}

/// Resolves `url` found on the page at site path `page`.
fn resolve(page: &str, url: &str, base: &Option<Origin>) -> Target {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control());
    let url: Cow<str> = if url.contains(['\t', '\n', '\r']) {
        url.chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect::<String>()
            .into()
    } else {
        url.into()
    };
    let (before, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f.to_string())),
        None => (url.as_ref(), None),
    };
    let path = if let Some((host, path)) = split_absolute(before) {
        match base {
            Some(o) if o.host == host.to_ascii_lowercase() => match under(o, strip_query(path)) {
                Some(rest) => format!("/{rest}"),
                None => return Target::External,
            },
            _ => return Target::External,
        }
    } else if has_scheme(before) {
        return Target::External;
    } else {
        let before = strip_query(before);
        if let Some(rooted) = before.strip_prefix('/') {
            match base {
                Some(o) => match under(o, before) {
                    Some(rest) => format!("/{rest}"),
                    None => return Target::External,
                },
                None => format!("/{rooted}"),
            }
        } else if before.is_empty() {
            format!("/{page}")
        } else {
            let dir = page.rfind('/').map_or("", |i| &page[..=i]);
            format!("/{dir}{before}")
        }
    };
    match normalise(&path) {
        Some(path) => Target::Internal {
            path: percent_decode_str(&path).decode_utf8_lossy().into_owned(),
            fragment,
        },
        None => Target::Outside,
    }
}

/// The part of the absolute path `path` under the site's base path.
fn under<'a>(origin: &Origin, path: &'a str) -> Option<&'a str> {
    if let Some(rest) = path.strip_prefix(origin.path.as_str()) {
        return Some(rest);
    }
    // `https://host/sub` is the home page of `https://host/sub/`.
    (format!("{path}/") == origin.path).then_some("")
}

fn strip_query(s: &str) -> &str {
    s.split_once('?').map_or(s, |(p, _)| p)
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            let scheme = &s[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !scheme.contains('/')
        }
        None => false,
    }
}

/// Removes `.` and `..` segments from an absolute path; `None` when `..`
/// climbs above the root. The result has no leading `/` and keeps a
/// trailing one.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
        if i == last && matches!(*seg, "." | "..") {
            parts.push("");
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn internal(path: &str, fragment: Option<&str>) -> Target {
        Target::Internal {
            path: path.to_string(),
            fragment: fragment.map(str::to_string),
        }
    }

    #[test]
    fn resolves_like_a_browser() {
        let none = None;
        let page = "reports/x/index.html";
        let table = [
            ("../../tags/index.html", internal("tags/index.html", None)),
            ("#ref-a", internal(page, Some("ref-a"))),
            ("", internal(page, None)),
            ("?tag=a", internal(page, None)),
            ("img/a%20b.png", internal("reports/x/img/a b.png", None)),
            ("./", internal("reports/x/", None)),
            ("..", internal("reports/", None)),
            ("/feed.xml", internal("feed.xml", None)),
            (
                "../../timeline/index.html?tag=x#y",
                internal("timeline/index.html", Some("y")),
            ),
            ("../../../x", Target::Outside),
            ("https://example.com/", Target::External),
            ("mailto:a@b.c", Target::External),
            ("javascript:void(0)", Target::External),
            ("//cdn.example/x.js", Target::External),
        ];
        for (url, expected) in table {
            assert_eq!(resolve(page, url, &none), expected, "{url}");
        }
    }

    #[test]
    fn absolute_urls_under_base_url_are_the_sites() {
        let base = Origin::parse("https://Host/sub/");
        let page = "reports/x/index.html";
        let table = [
            ("https://host/sub/tags/", internal("tags/", None)),
            ("http://host/sub/", internal("", None)),
            ("https://host/sub", internal("", None)),
            ("//host/sub/a.css", internal("a.css", None)),
            ("/sub/reports/y/#z", internal("reports/y/", Some("z"))),
            ("/elsewhere/", Target::External),
            ("https://host/other/", Target::External),
            ("https://other/sub/", Target::External),
            ("../../style.css", internal("style.css", None)),
        ];
        for (url, expected) in table {
            assert_eq!(resolve(page, url, &base), expected, "{url}");
        }
    }

    fn site(pages: &[(&str, &str)]) -> Links {
        let links = Links::default();
        for (path, html) in pages {
            links.add(path, html.as_bytes());
        }
        links
    }

    fn messages(links: Links, base: Option<&str>) -> Vec<String> {
        links.check(base).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_whole_site_resolves() {
        let links = site(&[
            (
                "index.html",
                "<link href=style.css><a href=\"reports/x/index.html#ref-a\">x</a><a href=reports/x>",
            ),
            (
                "reports/x/index.html",
                "<a href=\"#ref-a\">1</a><a href=#top></a><li id=ref-a><img src=\"i.png\" srcset=\"i.png 1x, i.png 2x\"><a href=\"https://elsewhere/\">",
            ),
            ("404.html", "<a href=\"/index.html\">home</a>"),
        ]);
        links.add_path("style.css");
        links.add_path("reports/x/i.png");
        assert_eq!(messages(links, None), Vec::<String>::new());
    }

    #[test]
    fn broken_anchors_files_and_assets_are_errors() {
        let links = site(&[
            (
                "index.html",
                "<a href=\"reports/x/index.html#ref-b\">x</a>\n<a href=\"gone/index.html\">",
            ),
            (
                "reports/x/index.html",
                "<img src=\"missing.png\"><a href=\"#nowhere\"><a href=\"../../../up\">",
            ),
        ]);
        assert_eq!(
            messages(links, None),
            [
                "index.html:1:10: error: broken link `reports/x/index.html#ref-b`: `reports/x/index.html` has no element with id `ref-b`",
                "index.html:2:10: error: broken link `gone/index.html`: `gone/index.html` is not in the built site",
                "reports/x/index.html:1:11: error: missing asset `missing.png`: `reports/x/missing.png` is not in the built site",
                "reports/x/index.html:1:33: error: broken link `#nowhere`: this page has no element with id `nowhere`",
                "reports/x/index.html:1:52: error: broken link `../../../up`: it leads outside the site",
            ]
        );
    }

    #[test]
    fn percent_encoded_fragments_match_their_ids() {
        let links = site(&[(
            "index.html",
            "<a href=\"#ref-a%3Cb\"></a><li id=\"ref-a&lt;b\">",
        )]);
        assert!(links.check(None).is_empty());
    }

    #[test]
    fn base_url_links_are_checked_under_a_sub_path() {
        let links = site(&[(
            "reports/x/index.html",
            "<link rel=canonical href=\"https://host/sub/reports/x/\"><a href=\"https://host/sub/tags/\">",
        )]);
        let found = messages(links, Some("https://host/sub/"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("`tags/index.html` is not in the built site"));
    }

    #[test]
    fn base_href_changes_resolution() {
        let links = site(&[
            ("a/index.html", "<base href=\"../\"><a href=\"b.html\">"),
            ("b.html", ""),
        ]);
        assert!(links.check(None).is_empty());
    }
}
