//! One report through the whole pipeline: parse, assemble against a small
//! `sources.yaml`, build a one-report site, and render every page, the
//! feed, the sitemap and `timeline.json`. Checks that nothing panics or
//! hangs, and that front matter cannot put script into a page: when the
//! body has no `<` (so no raw HTML), every `<script` in the output is the
//! templates' own, and when it also has no `:` or `&` (so no link of its
//! own to a scheme), no `href` or `src` leads to `javascript:`,
//! `vbscript:` or `data:`. Raw HTML and links in the body are allowed by
//! design, hence the conditions.

#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use annalist::config::SiteConfig;
use annalist::content::Document;
use annalist::content::frontmatter::{Source, parse_yaml};
use annalist::model::{report, site};
use annalist::render::memo::Memo;
use annalist::render::templates::Templates;
use annalist::render::{self, OutputFile};
use libfuzzer_sys::fuzz_target;

/// Stands in for `sources.yaml` (the positions are unused here).
static GLOBALS: LazyLock<Vec<(Arc<Source>, (usize, usize))>> = LazyLock::new(|| {
    parse_yaml::<Vec<Arc<Source>>>(
        "- id: sipri-2024\n  title: \"Trends in arms transfers\"\n  publisher: SIPRI\n  date: 2024-03\n  url: https://example.com/sipri\n\
         - id: g\n  title: G\n  archive: archive/g.html\n",
    )
    .map_err(|e| e.message)
    .unwrap()
    .into_iter()
    .map(|s| (s, (1, 1)))
    .collect()
});

/// Compiled once: compiling is far slower than one render.
static TEMPLATES: LazyLock<Mutex<Templates>> = LazyLock::new(|| {
    // One worker: the machine is shared, and one thread is enough here.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    Mutex::new(
        Templates::compile(&[])
            .map_err(|d| format!("{d:?}"))
            .unwrap(),
    )
});

fn config() -> SiteConfig {
    let config = SiteConfig {
        // Three events already split the timeline into years.
        timeline_per_page: 2,
        ..SiteConfig::default()
    };
    config.finish(Some("https://example.com/sub/")).unwrap()
}

/// The value of every `href="..."` and `src="..."` attribute, entity-decoded
/// as a browser would for the common entities.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\"", "\nhref=\"", "\nsrc=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let value = &rest[..rest.find('"').unwrap_or(rest.len())];
            out.push(
                value
                    .replace("&quot;", "\"")
                    .replace("&#x27;", "'")
                    .replace("&#39;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&#x2F;", "/")
                    .replace("&amp;", "&"),
            );
        }
    }
    out
}

fn dangerous(url: &str) -> bool {
    // Browsers drop tabs and newlines anywhere in a URL and leading
    // controls and spaces.
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| url.starts_with(s))
}

fn check_output(file: &OutputFile, body: &str) {
    if !(file.path.ends_with(".html") || file.path.ends_with(".xml")) {
        return;
    }
    let Ok(text) = std::str::from_utf8(&file.bytes) else {
        panic!("{} is not UTF-8", file.path);
    };
    if !body.contains('<') {
        let lower = text.to_ascii_lowercase();
        for (i, _) in lower.match_indices("<script") {
            let tag = &lower[i..lower[i..].find('>').map_or(lower.len(), |e| i + e + 1)];
            assert!(
                tag.starts_with("<script src=\"") && tag.ends_with("annalist.js\" defer>"),
                "{}: script not from the templates: {tag}",
                file.path
            );
        }
    }
    if !body.contains([':', '&', '<']) {
        for link in links(text) {
            assert!(
                !dangerous(&link),
                "{}: front matter made a dangerous link: {link}",
                file.path
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc = match Document::parse(
        PathBuf::from("content/reports/fuzz.md"),
        "reports".to_string(),
        "fuzz".to_string(),
        false,
        text.to_string(),
    ) {
        Ok(doc) => doc,
        Err(diag) => {
            let _ = diag.to_string();
            return;
        }
    };
    let globals = site::globals(&GLOBALS);
    let (report, diags) = report::assemble(&doc, &globals);
    for d in &diags {
        let _ = d.to_string();
    }
    let Some(report) = report else {
        return;
    };
    let (site, diags) = site::build(config(), String::new(), vec![Arc::new(report)], true, 0);
    for d in &diags {
        let _ = d.to_string();
    }
    if diags.iter().any(|d| d.is_error()) {
        return;
    }
    let mut templates = TEMPLATES.lock().unwrap_or_else(|e| e.into_inner());
    let body = doc.body();
    let sink = |file: OutputFile| {
        check_output(&file, body);
        Ok(())
    };
    if let Err(diags) = render::render(&site, &mut templates, &[], &mut Memo::default(), &sink) {
        for d in &diags {
            let _ = d.to_string();
        }
    }
});
