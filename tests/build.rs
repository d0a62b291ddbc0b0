//! Integration tests of `annalist build`: each test makes its own small
//! site (inline, or copied from `tests/fixtures/<case>/site/`), runs the
//! real binary and checks the built pages against SPEC.md sections 1-3.
//!
//! Most tests make targeted assertions. A few compare the `<main>` region
//! of a whole page with a golden file, `tests/fixtures/<case>/expected/
//! <page>.html`, exactly. After a reviewed change of the output, rewrite
//! the golden files with
//!
//! ```sh
//! ANNALIST_BLESS=1 cargo test --test build
//! ```
//!
//! and read the diff before committing it.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use common::{
    Site, assert_golden, attr_values, citations, hrefs_of, links, main_region, previews, reference,
    reference_ids, report, snapshot,
};
use serde_json::Value;

/// A source block for front matter: id, title, publisher, date.
fn source(id: &str, title: &str) -> String {
    format!("  - id: {id}\n    title: \"{title}\"\n    publisher: Pub\n    date: 2024-04-06\n")
}

/// A report with `title`, `date`, the given extra front matter lines and
/// body.
fn dated(title: &str, date: &str, extra: &str, body: &str) -> String {
    report(&format!("title: \"{title}\"\ndate: {date}\n{extra}"), body)
}

/// The titles of the timeline page's events, in order.
fn timeline_titles(html: &str) -> Vec<String> {
    let open = "<h3 class=\"tl-title\">";
    html.match_indices(open)
        .map(|(i, _)| {
            let from = i + open.len();
            let len = html[from..].find("</h3>").expect("closed title");
            html[from..from + len].to_string()
        })
        .collect()
}

/// The titles of the reports listed on a listing page, in order.
fn listed_titles(html: &str) -> Vec<String> {
    let main = main_region(html);
    main.match_indices("class=\"report-item-title\"><a href=\"")
        .map(|(i, m)| {
            let from = i + m.len();
            let from = from + main[from..].find('>').expect("link end") + 1;
            let len = main[from..].find("</a>").expect("closed link");
            main[from..from + len].to_string()
        })
        .collect()
}

fn json(site: &Site, path: &str) -> Value {
    serde_json::from_str(&site.read(path)).expect("valid JSON")
}

fn json_titles(site: &Site) -> Vec<String> {
    json(site, "timeline.json")
        .as_array()
        .expect("an array of events")
        .iter()
        .map(|e| e["title"].as_str().expect("a title").to_string())
        .collect()
}

/// Every HTML page of the built site, by path relative to `public/`.
fn html_pages(site: &Site) -> Vec<(String, String)> {
    snapshot(&site.path().join("public"))
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).expect("UTF-8 page")))
        .collect()
}

// ---------------------------------------------------------------------
// Citations
// ---------------------------------------------------------------------

#[test]
fn citations_are_numbered_in_order_of_first_citation() {
    let sources = [source("a", "A"), source("b", "B"), source("c", "C")].concat();
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "2024-04-07",
            &format!("sources:\n{sources}"),
            "First [@c]. Then [@a]. Again [@c]. Last [@b].",
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    assert_eq!(citations(&html), ["[1]", "[2]", "[1]", "[3]"]);
    assert_eq!(reference_ids(&html), ["c", "a", "b"]);
}

#[test]
fn several_keys_in_one_bracket_share_one_citation() {
    let sources = [source("a", "A"), source("b", "B")].concat();
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "2024-04-07",
            &format!("sources:\n{sources}"),
            "Both [@a; @b]. Reversed [@b;@a].",
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    assert_eq!(citations(&html), ["[1, 2]", "[2, 1]"]);
}

#[test]
fn prefixes_and_locators_stay_inside_the_brackets() {
    let sources = [source("a", "A"), source("b", "B")].concat();
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "2024-04-07",
            &format!("sources:\n{sources}"),
            "One [see @a, p. 4; @b, ch. 2]. Two [@a, p. 4]. Three [see @b].",
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    assert_eq!(
        citations(&html),
        ["[see 1, p. 4; 2, ch. 2]", "[1, p. 4]", "[see 2]"]
    );
}

#[test]
fn keys_may_hold_internal_punctuation() {
    let sources = [
        source("\"doi:10.1000/xyz.42\"", "DOI"),
        source("bloomberg-2024-04-06", "Bloomberg"),
        source("_x1", "Underscore"),
    ]
    .concat();
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "2024-04-07",
            &format!("sources:\n{sources}"),
            "A [@doi:10.1000/xyz.42]. B [@bloomberg-2024-04-06]. C [@_x1].",
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    assert_eq!(citations(&html), ["[1]", "[2]", "[3]"]);
    assert_eq!(
        reference_ids(&html),
        ["doi:10.1000/xyz.42", "bloomberg-2024-04-06", "_x1"]
    );
}

#[test]
fn references_list_every_detail_of_a_source() {
    let front = "sources:
  - id: full
    title: \"Full title\"
    publisher: \"Full Publisher\"
    author: \"Jane Doe\"
    date: 2024-04-06
    url: https://example.com/full
    accessed: 2024-04-07
    archive: https://web.archive.org/web/2024/https://example.com/full
    note: \"Anonymous officials cited.\"
  - id: bare
    title: \"Bare title\"
";
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-04-07", front, "Full [@full]. Bare [@bare]."),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    let full = reference(&html, "full");
    for part in [
        "<a href=\"https://example.com/full\">Full title</a>",
        "Jane Doe",
        "Full Publisher",
        "<time datetime=\"2024-04-06\">6 April 2024</time>",
        "href=\"https://web.archive.org/web/2024/https://example.com/full\"",
        "accessed <time datetime=\"2024-04-07\">7 April 2024</time>",
        "Anonymous officials cited.",
    ] {
        assert!(full.contains(part), "{part:?} missing from:\n{full}");
    }
    let bare = reference(&html, "bare");
    assert!(bare.contains("Bare title"), "{bare}");
    assert!(!bare.contains("accessed"), "{bare}");
    assert!(!bare.contains("archive"), "{bare}");
}

#[test]
fn every_reference_links_back_to_each_of_its_citations() {
    let front = format!(
        "sources:\n{}{}events:\n  - date: 2023-01\n    title: E\n    sources: [a]\n",
        source("a", "A"),
        source("b", "B")
    );
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "2024-04-07",
            &front,
            "One [@a]. Two [@b]. Three [@a; @b].",
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    let backlinks = |id: &str| -> Vec<String> {
        attr_values(reference(&html, id), "href")
            .into_iter()
            .filter(|h| h.starts_with("#cite-"))
            .map(str::to_string)
            .collect()
    };
    // cite-1: [@a], cite-2: [@b], cite-3 and cite-4: [@a; @b], cite-5: the event.
    assert_eq!(backlinks("a"), ["#cite-1", "#cite-3", "#cite-5"]);
    assert_eq!(backlinks("b"), ["#cite-2", "#cite-4"]);
    let ids: HashSet<&str> = attr_values(&html, "id").into_iter().collect();
    for n in 1..=5 {
        assert!(ids.contains(format!("cite-{n}").as_str()), "no cite-{n}");
    }
}

#[test]
fn citation_preview_shows_title_publisher_and_date_escaped() {
    let front = "sources:
  - id: tanks
    title: \"Tanks & trucks <2024>\"
    publisher: \"Smith & Sons\"
    date: 2024-04-06
  - id: month
    title: \"Monthly\"
    publisher: \"FT\"
    date: 2023-07
";
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-04-07", front, "One [@tanks]. Two [@month]."),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    assert_eq!(
        previews(&html),
        [
            "Tanks &amp; trucks &lt;2024&gt;. Smith &amp; Sons, 6 April 2024.",
            "Monthly. FT, July 2023."
        ]
    );
    // The number is a focusable link described by its preview.
    assert!(html.contains(
        "<a class=\"cite\" id=\"cite-1\" href=\"#ref-tanks\" aria-describedby=\"cite-1-tip\">1</a>\
         <span class=\"cite-tip\" id=\"cite-1-tip\" role=\"tooltip\">"
    ));
}

#[test]
fn nothing_inside_code_is_a_citation() {
    // `ghost` is declared nowhere: were any of these read as a citation,
    // the build would fail.
    let body = "Cited [@a].

Inline `[@ghost]` and `[@a]` code.

```
[@ghost] in a fenced block
```

    [@ghost] in an indented block
";
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "2024-04-07",
            &format!("sources:\n{}", source("a", "A")),
            body,
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    assert_eq!(citations(&html), ["[1]"]);
    assert!(html.contains("<code>[@ghost]</code>"));
    assert!(html.contains("<code>[@a]</code>"));
    assert!(html.contains("<pre><code>[@ghost] in a fenced block\n</code></pre>"));
    assert!(html.contains("<pre><code>[@ghost] in an indented block\n</code></pre>"));
}

#[test]
fn escaped_brackets_email_addresses_and_bare_keys_are_text() {
    let body = "Escaped \\[@ghost] stays.

Write to desk@ghost.org or [desk@ghost.org] today.

A bare @ghost is text, and so is @a.

Cited once [@a].";
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "2024-04-07",
            &format!("sources:\n{}", source("a", "A")),
            body,
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    assert_eq!(citations(&html), ["[1]"]);
    assert!(html.contains("Escaped [@ghost] stays."), "{html}");
    assert!(html.contains("Write to desk@ghost.org or [desk@ghost.org] today."));
    assert!(html.contains("A bare @ghost is text, and so is @a."));
}

#[test]
fn link_reference_definition_cannot_hijack_a_citation() {
    let body = "Claim [@a]. Again [@a][].

[@a]: javascript:alert(1)
";
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "2024-04-07",
            &format!("sources:\n{}", source("a", "A")),
            body,
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    assert_eq!(citations(&html), ["[1]", "[1]"]);
    assert!(!html.contains("javascript:"), "{html}");
}

#[test]
fn keys_resolve_against_the_report_then_sources_yaml() {
    let sources_yaml = "- id: shared
  title: \"Global version\"
  url: https://example.com/global
- id: global-only
  title: \"Only global\"
";
    let local = dated(
        "Local",
        "2024-04-07",
        "sources:\n  - id: shared\n    title: \"Local version\"\n",
        "Shared [@shared]. Global [@global-only].",
    );
    let other = dated("Other", "2024-04-06", "", "Shared [@shared].");
    let site = Site::new(&[
        ("sources.yaml", sources_yaml),
        ("content/reports/local.md", &local),
        ("content/reports/other.md", &other),
    ]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/local/index.html");
    assert!(reference(&html, "shared").contains("Local version"));
    assert!(!html.contains("Global version"));
    assert!(reference(&html, "global-only").contains("Only global"));
    let other = site.read("reports/other/index.html");
    assert!(reference(&other, "shared").contains("Global version"));
}

#[test]
fn event_sources_are_numbered_after_the_body() {
    let front = format!(
        "sources:\n{}{}{}events:
  - date: 2023-01
    title: \"First event\"
    sources: [c, a]
  - date: 2023-02
    title: \"Second event\"
    sources: [b]
",
        source("a", "A"),
        source("b", "B"),
        source("c", "C")
    );
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-04-07", &front, "Body cites [@a]."),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/r/index.html");
    assert_eq!(reference_ids(&html), ["a", "c", "b"]);
    assert_eq!(citations(&html), ["[1]", "[2, 1]", "[3]"]);
}

#[test]
fn an_uncited_source_is_a_warning_only() {
    let front = format!("sources:\n{}{}", source("a", "A"), source("unused", "U"));
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-04-07", &front, "Cites [@a]."),
    )]);
    let run = site.build(&[]);
    let expected = "content/reports/r.md:9:9: warning: source `unused` is declared but never cited in the body or an event
  |
9 |   - id: unused
  |         ^

0 error(s), 1 warning(s)
";
    assert!(
        run.stderr.starts_with(expected),
        "stderr:\n{}\nexpected it to start with:\n{expected}",
        run.stderr
    );
    let html = site.read("reports/r/index.html");
    assert_eq!(reference_ids(&html), ["a"]);
    assert!(!site.read("sources/index.html").contains("\"U\""));
}

// ---------------------------------------------------------------------
// Dates and the timeline
// ---------------------------------------------------------------------

fn event(date: &str, title: &str) -> String {
    format!("  - date: {date}\n    title: \"{title}\"\n")
}

#[test]
fn partial_dates_sort_before_fuller_dates_inside_them() {
    let events = [
        event("2023-07-01", "Day"),
        event("2023-07-02", "Next day"),
        event("2023", "Year"),
        event("2022-12-31", "Year before"),
        event("2023-07", "Month"),
    ]
    .concat();
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-04-07", &format!("events:\n{events}"), "Body."),
    )]);
    site.build(&[]).expect_clean();
    let order = ["Year before", "Year", "Month", "Day", "Next day"];
    assert_eq!(timeline_titles(&site.read("timeline/index.html")), order);
    assert_eq!(json_titles(&site), order);
    let page = site.read("reports/r/index.html");
    let positions: Vec<usize> = order
        .iter()
        .map(|t| {
            page.find(&format!("<p class=\"event-title\">{t}"))
                .expect(t)
        })
        .collect();
    assert!(positions.is_sorted(), "report events out of order");
}

#[test]
fn timeline_ties_are_ordered_by_report_date_then_event_title() {
    let older = dated(
        "Older report",
        "2024-01-01",
        &format!(
            "events:\n{}{}",
            event("2023-05", "Zulu"),
            event("2023-05", "Alpha")
        ),
        "Body.",
    );
    let newer = dated(
        "Newer report",
        "2024-02-01",
        &format!("events:\n{}", event("2023-05", "Beta")),
        "Body.",
    );
    let site = Site::new(&[
        ("content/reports/newer.md", &newer),
        ("content/reports/older.md", &older),
    ]);
    site.build(&[]).expect_clean();
    let order = ["Alpha", "Zulu", "Beta"];
    assert_eq!(timeline_titles(&site.read("timeline/index.html")), order);
    assert_eq!(json_titles(&site), order);
}

#[test]
fn dates_are_displayed_at_their_precision() {
    let front = format!(
        "updated: 2024-05\nsources:\n  - id: s\n    title: S\n    date: 2023\nevents:\n{}{}  - date: 2023-07-01\n    end: 2023-08\n    title: \"Range\"\n    sources: [s]\n",
        event("2023", "Year"),
        event("2023-07", "Month"),
    );
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-04-07", &front, "Body."),
    )]);
    site.build(&[]).expect_clean();
    let timeline = site.read("timeline/index.html");
    for shown in [
        "<time datetime=\"2023\">2023</time>",
        "<time datetime=\"2023-07\">July 2023</time>",
        "<time datetime=\"2023-07-01\">1 July 2023</time>",
        "<time datetime=\"2023-08\">August 2023</time>",
    ] {
        assert!(timeline.contains(shown), "timeline lacks {shown}");
    }
    let page = site.read("reports/r/index.html");
    for shown in [
        "<time datetime=\"2024-04-07\">7 April 2024</time>",
        "<time datetime=\"2024-05\">May 2024</time>",
        "<time datetime=\"2023-07-01\">1 July 2023</time>",
    ] {
        assert!(page.contains(shown), "report lacks {shown}");
    }
    assert!(reference(&page, "s").contains("<time datetime=\"2023\">2023</time>"));
    assert!(
        site.read("index.html")
            .contains("<time datetime=\"2024-04-07\">7 April 2024</time>")
    );
}

#[test]
fn rfc3339_report_dates_are_accepted_and_shown_as_a_day() {
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-04-07T16:10:00+02:00", "", "Body."),
    )]);
    site.build(&[]).expect_clean();
    let page = site.read("reports/r/index.html");
    assert!(
        page.contains("<time datetime=\"2024-04-07T16:10:00+02:00\">7 April 2024</time>"),
        "{}",
        main_region(&page)
    );
}

#[test]
fn quoted_and_unquoted_yaml_dates_mean_the_same() {
    let front = |q: &str| {
        format!(
            "updated: {q}2024-04-09{q}
sources:
  - id: s
    title: S
    date: {q}2023-07{q}
    accessed: {q}2024-04-08{q}
events:
  - date: {q}2023{q}
    end: {q}2023-08-01{q}
    title: \"Event\"
    sources: [s]
"
        )
    };
    let site = Site::new(&[
        (
            "content/reports/plain.md",
            &dated("Same", "2024-04-07", &front(""), "Body."),
        ),
        (
            "content/reports/quoted.md",
            &dated("Same", "\"2024-04-07\"", &front("\""), "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    let plain = site.main("reports/plain/index.html");
    assert!(plain.contains("<time datetime=\"2023\">2023</time>"));
    assert!(plain.contains("<time datetime=\"2024-04-07\">7 April 2024</time>"));
    assert_eq!(plain, site.main("reports/quoted/index.html"));
    let events = json(&site, "timeline.json");
    for e in events.as_array().expect("events") {
        assert_eq!(e["date"], Value::String("2023".into()), "{e}");
        assert_eq!(e["end"], Value::String("2023-08-01".into()), "{e}");
    }
}

// ---------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------

#[test]
fn tags_merge_by_their_unicode_aware_slug() {
    let site = Site::new(&[
        (
            "content/reports/one.md",
            &dated(
                "One",
                "2024-01-01",
                "tags: [China, Dual-use goods, Україна]",
                "Body.",
            ),
        ),
        (
            "content/reports/two.md",
            &dated("Two", "2024-01-02", "tags: [china, україна]", "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    for page in [
        "tags/china/index.html",
        "tags/dual-use-goods/index.html",
        "tags/україна/index.html",
    ] {
        assert!(site.exists(page), "{page} missing");
    }
    let tag_dirs: Vec<String> = snapshot(&site.path().join("public/tags"))
        .keys()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(tag_dirs.len(), 4, "{tag_dirs:?}");
    // Which spelling names a merged tag is not specified: compare in
    // lower case.
    let index = site.main("tags/index.html").to_lowercase();
    assert_eq!(index.matches("<li>").count(), 3, "{index}");
    assert!(index.contains(">china</a> <span class=\"count\">2 reports</span>"));
    assert!(index.contains(">dual-use goods</a> <span class=\"count\">1 report</span>"));
    assert!(index.contains(">україна</a> <span class=\"count\">2 reports</span>"));
    assert_eq!(
        listed_titles(&site.read("tags/china/index.html")),
        ["Two", "One"]
    );
}

#[test]
fn tag_pages_link_to_the_timeline_filtered_by_their_tag() {
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "2024-01-01",
            &format!("tags: [Sanctions]\nevents:\n{}", event("2023", "E")),
            "Body.",
        ),
    )]);
    site.build(&[]).expect_clean();
    let tag = site.main("tags/sanctions/index.html");
    let timeline_links: Vec<&str> = links(&tag)
        .into_iter()
        .filter(|l| l.contains("timeline/"))
        .collect();
    assert_eq!(timeline_links.len(), 1, "{tag}");
    assert!(
        timeline_links[0].contains("sanctions"),
        "{timeline_links:?}"
    );
}

#[test]
fn events_carry_their_own_tags_and_their_report_tags() {
    let front = "tags: [China]
events:
  - date: 2023-07
    title: \"Tools\"
    tags: [CNC machine tools]
";
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-01-01", front, "Body."),
    )]);
    site.build(&[]).expect_clean();
    let timeline = site.read("timeline/index.html");
    assert!(
        timeline.contains("data-tags=\"china cnc-machine-tools\""),
        "{}",
        main_region(&timeline)
    );
    let events = json(&site, "timeline.json");
    let tags: BTreeSet<&str> = events[0]["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t.as_str().expect("a tag name"))
        .collect();
    assert_eq!(tags, BTreeSet::from(["China", "CNC machine tools"]));
}

#[test]
fn tag_slugs_never_leave_the_output_folder() {
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-01-01", "tags: [\"../../escape\"]", "Body."),
    )]);
    site.build(&[]).expect_clean();
    assert!(site.exists("tags/escape/index.html"));
    let outside = snapshot(site.path());
    assert!(
        outside
            .keys()
            .all(|k| k.starts_with("public/") || k.starts_with("content/")),
        "{:?}",
        outside.keys().collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------
// Drafts and standalone pages
// ---------------------------------------------------------------------

fn drafts_site() -> Site {
    let draft = dated(
        "Draft report",
        "2024-03-01",
        "draft: true
tags: [Secret tag]
summary: \"Draft summary\"
sources:
  - id: draft-src
    title: \"Draft source\"
events:
  - date: 2023-03
    title: \"Draft event\"
    sources: [draft-src]
",
        "Draft body.",
    );
    let published = dated(
        "Published report",
        "2024-02-01",
        &format!(
            "tags: [Open]\nevents:\n{}",
            event("2023-02", "Public event")
        ),
        "Public body.",
    );
    Site::new(&[
        ("content/reports/draft.md", &draft),
        ("content/reports/published.md", &published),
    ])
}

#[test]
fn drafts_are_left_out_by_default() {
    let site = drafts_site();
    site.build(&[]).expect_clean();
    assert!(!site.exists("reports/draft/index.html"));
    assert!(!site.exists("tags/secret-tag/index.html"));
    assert!(site.exists("reports/published/index.html"));
    for page in [
        "index.html",
        "tags/index.html",
        "timeline/index.html",
        "timeline.json",
        "sources/index.html",
        "feed.xml",
        "sitemap.xml",
    ] {
        let text = site.read(page);
        for leak in [
            "Draft report",
            "Draft event",
            "Draft source",
            "reports/draft",
        ] {
            assert!(!text.contains(leak), "{page} mentions {leak:?}");
        }
    }
    assert_eq!(json_titles(&site), ["Public event"]);
}

#[test]
fn drafts_are_included_with_the_drafts_flag() {
    let site = drafts_site();
    site.build(&["--drafts"]).expect_clean();
    assert!(site.exists("reports/draft/index.html"));
    assert!(site.exists("tags/secret-tag/index.html"));
    assert_eq!(
        listed_titles(&site.read("index.html")),
        ["Draft report", "Published report"]
    );
    assert_eq!(json_titles(&site), ["Public event", "Draft event"]);
    assert!(site.read("feed.xml").contains("Draft report"));
    assert!(site.read("sources/index.html").contains("Draft source"));
}

#[test]
fn standalone_pages_are_reachable_but_not_listed() {
    let about = report(
        "title: \"About us\"\nstandalone: true\ntags: [Methods]",
        "We are a desk.",
    );
    let site = Site::new(&[
        ("content/about.md", &about),
        (
            "content/reports/r.md",
            &dated(
                "A report",
                "2024-01-01",
                &format!("events:\n{}", event("2023", "E")),
                "Body.",
            ),
        ),
    ]);
    site.build(&[]).expect_clean();
    let page = site.main("about/index.html");
    assert!(page.contains("<h1>About us</h1>"), "{page}");
    assert!(page.contains("We are a desk."), "{page}");
    // In the navigation of every page.
    for (path, html) in html_pages(&site) {
        assert_eq!(
            hrefs_of(&html, "About us").len(),
            1,
            "{path} has no single nav link to the About page"
        );
    }
    // Out of the listings, feed and timeline.
    assert_eq!(listed_titles(&site.read("index.html")), ["A report"]);
    assert!(!site.read("feed.xml").contains("About us"));
    assert!(!site.read("timeline.json").contains("About us"));
    assert!(!site.main("timeline/index.html").contains("About us"));
    assert!(!site.exists("tags/methods/index.html"));
}

// ---------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------

#[test]
fn front_matter_and_source_text_is_escaped_everywhere() {
    let front = "summary: \"<img src=x onerror=alert(2)>\"
authors: [\"<b>Bob</b>\"]
tags: [\"<i>Tag</i>\"]
sources:
  - id: s
    title: \"<script>alert(3)</script>\"
    publisher: \"<b>Pub</b>\"
    author: \"<b>Author</b>\"
    note: \"<u>note</u>\"
    url: https://example.com/?a=1&b=<2>
events:
  - date: 2023
    title: \"<script>alert(4)</script>\"
    sources: [s]
";
    let site = Site::new(&[(
        "content/reports/evil.md",
        &dated(
            "Evil <script>alert(1)</script> & co",
            "2024-01-01",
            front,
            "Cited [@s].",
        ),
    )]);
    site.build(&[]).expect_clean();
    let raw = [
        "<script>alert",
        "<img src=x",
        "<b>Bob",
        "<b>Pub",
        "<b>Author",
        "<u>note",
        "<i>Tag",
        "b=<2>",
    ];
    let pages = [
        (
            "reports/evil/index.html",
            "Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; co",
        ),
        (
            "index.html",
            "Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; co",
        ),
        (
            "tags/i-tag-i/index.html",
            "Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; co",
        ),
        ("tags/index.html", "&lt;i&gt;Tag&lt;/i&gt;"),
        (
            "timeline/index.html",
            "&lt;script&gt;alert(4)&lt;/script&gt;",
        ),
        (
            "sources/index.html",
            "&lt;script&gt;alert(3)&lt;/script&gt;",
        ),
        (
            "feed.xml",
            "Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; co",
        ),
    ];
    for (page, escaped) in pages {
        let text = site.read(page);
        for bad in raw {
            assert!(!text.contains(bad), "{page} holds unescaped {bad:?}");
        }
        assert!(text.contains(escaped), "{page} lacks {escaped:?}");
    }
    let report = site.read("reports/evil/index.html");
    for escaped in [
        "&lt;img src=x onerror=alert(2)&gt;",
        "&lt;b&gt;Bob&lt;/b&gt;",
        "&lt;b&gt;Pub&lt;/b&gt;",
        "&lt;u&gt;note&lt;/u&gt;",
        "&lt;script&gt;alert(4)&lt;/script&gt;",
    ] {
        assert!(report.contains(escaped), "report page lacks {escaped:?}");
    }
    let sources = site.read("sources/index.html");
    assert!(sources.contains("&lt;b&gt;Pub&lt;/b&gt;"));
}

// ---------------------------------------------------------------------
// Listings: pagination, feed, sitemap, sources, timeline
// ---------------------------------------------------------------------

fn numbered_reports(count: usize, extra: &str) -> Vec<(String, String)> {
    (1..=count)
        .map(|i| {
            (
                format!("content/reports/r{i}.md"),
                dated(
                    &format!("Report {i}"),
                    &format!("2024-01-{i:02}"),
                    extra,
                    "Body.",
                ),
            )
        })
        .collect()
}

fn site_of(files: &[(String, String)]) -> Site {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    Site::new(&refs)
}

#[test]
fn home_and_tag_pages_are_paginated_newest_first() {
    let mut files = numbered_reports(5, "tags: [Sanctions]");
    files.push(("site.yaml".into(), "per_page: 2\n".into()));
    let site = site_of(&files);
    site.build(&[]).expect_clean();
    let pages = [
        ("", vec!["Report 5", "Report 4"]),
        ("page/2/", vec!["Report 3", "Report 2"]),
        ("page/3/", vec!["Report 1"]),
    ];
    for (dir, titles) in &pages {
        assert_eq!(
            listed_titles(&site.read(&format!("{dir}index.html"))),
            *titles,
            "home {dir}"
        );
        assert_eq!(
            listed_titles(&site.read(&format!("tags/sanctions/{dir}index.html"))),
            *titles,
            "tag {dir}"
        );
    }
    assert!(!site.exists("page/4/index.html"));
    assert!(!site.exists("page/1/index.html"));
    assert!(!site.exists("tags/sanctions/page/4/index.html"));
    let second = site.main("page/2/index.html");
    assert!(second.contains("rel=\"prev\""), "{second}");
    assert!(second.contains("rel=\"next\""), "{second}");
}

#[test]
fn per_page_may_be_grouped_under_options() {
    let mut files = numbered_reports(3, "");
    files.push((
        "site.yaml".into(),
        "options:\n  per_page: 2\n  timeline_per_page: 10\n".into(),
    ));
    let site = site_of(&files);
    site.build(&[]).expect_clean();
    assert_eq!(listed_titles(&site.read("index.html")).len(), 2);
    assert_eq!(listed_titles(&site.read("page/2/index.html")), ["Report 1"]);
}

#[test]
fn a_short_timeline_is_one_page() {
    let events = [event("2022-05", "A"), event("2023-01", "B")].concat();
    let site = Site::new(&[
        ("site.yaml", "timeline_per_page: 2\n"),
        (
            "content/reports/r.md",
            &dated("R", "2024-01-01", &format!("events:\n{events}"), "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    assert_eq!(
        timeline_titles(&site.read("timeline/index.html")),
        ["A", "B"]
    );
    assert!(!site.exists("timeline/2022/index.html"));
    assert!(!site.exists("timeline/2023/index.html"));
}

#[test]
fn a_long_timeline_is_split_by_year() {
    let events = [
        event("2022-05", "A"),
        event("2023-01", "B"),
        event("2023-02", "C"),
    ]
    .concat();
    let site = Site::new(&[
        ("site.yaml", "timeline_per_page: 2\n"),
        (
            "content/reports/r.md",
            &dated("R", "2024-01-01", &format!("events:\n{events}"), "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    assert_eq!(
        timeline_titles(&site.read("timeline/2022/index.html")),
        ["A"]
    );
    assert_eq!(
        timeline_titles(&site.read("timeline/2023/index.html")),
        ["B", "C"]
    );
    let overview = site.main("timeline/index.html");
    assert!(timeline_titles(&overview).is_empty(), "{overview}");
    let text = common::strip_tags(&overview);
    assert!(text.contains("2022 1 event"), "{text}");
    assert!(text.contains("2023 2 events"), "{text}");
    let year_links: Vec<&str> = links(&overview)
        .into_iter()
        .filter(|l| l.contains("timeline/202"))
        .collect();
    assert_eq!(year_links.len(), 2, "{overview}");
    // The data file still holds every event.
    assert_eq!(json_titles(&site), ["A", "B", "C"]);
}

#[test]
fn timeline_json_holds_every_field() {
    let front = "tags: [China]
sources:
  - id: ft
    title: \"FT story\"
    url: https://example.com/ft
  - id: memo
    title: \"A memo\"
events:
  - date: 2023-07
    end: 2023-08
    title: \"Tools arrive\"
    tags: [CNC]
    sources: [ft, memo]
  - date: 2024
    title: \"Open-ended\"
";
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("The report", "2024-04-07", front, "Body."),
    )]);
    site.build(&[]).expect_clean();
    let data = json(&site, "timeline.json");
    let events = data.as_array().expect("an array");
    assert_eq!(events.len(), 2);
    let e = &events[0];
    assert_eq!(e["date"], "2023-07");
    assert_eq!(e["end"], "2023-08");
    assert_eq!(e["title"], "Tools arrive");
    assert_eq!(e["tags"], serde_json::json!(["China", "CNC"]));
    assert_eq!(e["report"]["title"], "The report");
    let url = e["report"]["url"].as_str().expect("a report URL");
    assert!(url.contains("reports/r/"), "{url}");
    assert_eq!(
        e["sources"],
        serde_json::json!([
            {"id": "ft", "title": "FT story", "url": "https://example.com/ft"},
            {"id": "memo", "title": "A memo", "url": null},
        ])
    );
    assert_eq!(events[1]["end"], Value::Null);
    assert_eq!(events[1]["sources"], serde_json::json!([]));
}

#[test]
fn timeline_events_link_to_their_report_and_sources() {
    let front = "sources:
  - id: ft
    title: \"FT story\"
events:
  - date: 2023-07
    title: \"Tools arrive\"
    sources: [ft]
";
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("The report", "2024-04-07", front, "Body."),
    )]);
    site.build(&[]).expect_clean();
    let timeline = site.main("timeline/index.html");
    assert_eq!(
        hrefs_of(&timeline, "The report"),
        ["../reports/r/index.html"]
    );
    assert_eq!(
        hrefs_of(&timeline, "FT story"),
        ["../reports/r/index.html#ref-ft"]
    );
}

#[test]
fn sources_index_lists_each_cited_source_with_its_reports() {
    let sources_yaml = "- id: shared
  title: \"Shared source\"
  url: https://example.com/shared
- id: never
  title: \"Never cited\"
";
    let one = dated(
        "Report one",
        "2024-01-01",
        "sources:\n  - id: own\n    title: \"Own source\"\n",
        "Shared [@shared]. Own [@own].",
    );
    let two = dated("Report two", "2024-01-02", "", "Shared [@shared].");
    let site = Site::new(&[
        ("sources.yaml", sources_yaml),
        ("content/reports/one.md", &one),
        ("content/reports/two.md", &two),
    ]);
    site.build(&[]).expect_clean();
    let html = site.main("sources/index.html");
    assert!(!html.contains("Never cited"));
    let item = |title: &str| -> String {
        let start = html
            .find(title)
            .unwrap_or_else(|| panic!("{title} missing"));
        let end = start + html[start..].find("</li>\n").expect("end of item");
        html[start..end].to_string()
    };
    let shared = item("Shared source");
    assert!(
        shared.contains("../reports/one/index.html#ref-shared"),
        "{shared}"
    );
    assert!(
        shared.contains("../reports/two/index.html#ref-shared"),
        "{shared}"
    );
    let own = item("Own source");
    assert!(own.contains("../reports/one/index.html#ref-own"), "{own}");
    assert!(!own.contains("reports/two"), "{own}");
    assert_eq!(html.matches("class=\"source\"").count(), 2);
}

#[test]
fn a_large_sources_index_keeps_every_source_in_title_order() {
    // More sources than one parallel run of `source_list.html` renders.
    let count = 700;
    let yaml: String = (0..count)
        .map(|i| format!("- id: s{i}\n  title: \"Source {i:04}\"\n"))
        .collect();
    let body: String = (0..count).map(|i| format!("[@s{i}] ")).collect();
    let one = dated("Report one", "2024-01-01", "", &body);
    let site = Site::new(&[
        ("sources.yaml", yaml.as_str()),
        ("content/reports/one.md", &one),
    ]);
    site.build(&[]).expect_clean();
    let html = site.main("sources/index.html");
    assert!(html.contains("700 sources cited"), "{html:.400}");
    let titles: Vec<&str> = html
        .split("<h2 class=\"source-title\">")
        .skip(1)
        .map(|item| &item[..item.find("</h2>").expect("title end")])
        .collect();
    let expected: Vec<String> = (0..count).map(|i| format!("Source {i:04}")).collect();
    assert_eq!(titles, expected);
    let ids = attr_values(&html, "id");
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "ids repeat"
    );
    assert_eq!(html.matches("<ul class=\"source-list\">").count(), 1);
    let last = html.rfind("</li>").expect("an entry") + "</li>".len();
    assert!(
        html[last..].trim_start().starts_with("</ul>"),
        "{}",
        &html[last..]
    );
}

#[test]
fn a_long_timeline_page_keeps_every_event_in_order_and_each_year_in_one_section() {
    // More events than one parallel run of `timeline_events.html` renders,
    // on one page, with years that change inside and between runs.
    let years = [2021, 2022, 2023];
    let per_year = 300;
    let mut events = String::new();
    let mut expected = Vec::new();
    for year in years {
        for n in 0..per_year {
            let (month, day) = (1 + n / 28, 1 + n % 28);
            let title = format!("Event {year} {n:03}");
            events.push_str(&format!(
                "  - date: {year}-{month:02}-{day:02}\n    title: \"{title}\"\n    sources: [s]\n"
            ));
            expected.push(title);
        }
    }
    let front = format!("sources:\n  - id: s\n    title: S\nevents:\n{events}");
    let site = Site::new(&[
        ("site.yaml", "timeline_per_page: 5000\n"),
        (
            "content/reports/r.md",
            &dated("R", "2024-01-01", &front, "[@s]"),
        ),
    ]);
    site.build(&[]).expect_clean();
    let html = site.main("timeline/index.html");
    assert!(html.contains("900 events, oldest first"), "{html:.600}");
    assert_eq!(timeline_titles(&html), expected);
    let sections: Vec<&str> = html.split("<section class=\"tl-year\"").skip(1).collect();
    assert_eq!(sections.len(), years.len());
    for (section, year) in sections.iter().zip(years) {
        let body = &section[..section.find("</section>").expect("closed section")];
        assert!(body.contains(&format!(">{year}</h2>")), "{body:.300}");
        assert_eq!(body.matches("<li class=\"tl-event\"").count(), per_year);
        assert_eq!(
            body.matches(&format!("data-year=\"{year}\"")).count(),
            per_year + 1
        );
        assert_eq!(body.matches("<ol class=\"tl-events\">").count(), 1);
        assert_eq!(body.matches("</ol>").count(), 1);
    }
    assert_eq!(html.matches("</section>").count(), years.len());
    let ids = attr_values(&html, "id");
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "ids repeat"
    );
    assert!(ids.contains(&"src-900"), "the last event's sources label");
}

#[test]
fn a_sites_own_timeline_template_gets_the_whole_list() {
    let events = [event("2022-05", "A"), event("2023-01", "B")].concat();
    let template = "{% extends \"base.html\" %}{% block main %}<ol>{% for e in events %}\
                    <li>{{ e.title }} ({{ e.date.year }})</li>{% endfor %}</ol>\
                    <p>{{ event_count }}</p>{% endblock main %}";
    let site = Site::new(&[
        (
            "content/reports/r.md",
            &dated("R", "2024-01-01", &format!("events:\n{events}"), "Body."),
        ),
        ("templates/timeline.html", template),
    ]);
    site.build(&[]).expect_clean();
    let html = site.main("timeline/index.html");
    assert!(
        html.contains("<ol><li>A (2022)</li><li>B (2023)</li></ol><p>2</p>"),
        "{html}"
    );
}

#[test]
fn a_sites_own_sources_template_gets_the_whole_list() {
    let one = dated(
        "Report one",
        "2024-01-01",
        "sources:\n  - id: b\n    title: \"Beta\"\n  - id: a\n    title: \"Alpha\"\n",
        "[@a] [@b]",
    );
    let template = "{% extends \"base.html\" %}{% block main %}<ol>{% for s in sources %}\
                    <li>{{ s.title }} ({{ s.anchor }})</li>{% endfor %}</ol>{% endblock main %}";
    let site = Site::new(&[
        ("content/reports/one.md", &one),
        ("templates/sources.html", template),
    ]);
    site.build(&[]).expect_clean();
    let html = site.main("sources/index.html");
    assert!(
        html.contains("<ol><li>Alpha (source-a)</li><li>Beta (source-b)</li></ol>"),
        "{html}"
    );
}

#[test]
fn feed_is_atom_and_lists_reports_newest_first() {
    let mut files = numbered_reports(3, "summary: \"A summary\"");
    files.push((
        "site.yaml".into(),
        "title: \"Desk\"\nbase_url: https://host/sub/\n".into(),
    ));
    let site = site_of(&files);
    site.build(&[]).expect_clean();
    let feed = site.read("feed.xml");
    assert!(feed.starts_with("<?xml"), "{feed}");
    assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert!(feed.contains("<title>Desk</title>"));
    assert_eq!(feed.matches("<entry>").count(), 3);
    let positions: Vec<usize> = ["Report 3", "Report 2", "Report 1"]
        .iter()
        .map(|t| feed.find(&format!("<title>{t}</title>")).expect(t))
        .collect();
    assert!(positions.is_sorted(), "entries not newest first");
    assert!(feed.contains("href=\"https://host/sub/reports/r1/\""));
    assert!(feed.contains("<summary>A summary</summary>"));
    assert!(feed.contains("<updated>2024-01-03T00:00:00+00:00</updated>"));
}

#[test]
fn sitemap_lists_the_pages() {
    let mut files = numbered_reports(2, "tags: [T]");
    files.push(("site.yaml".into(), "base_url: https://host/sub/\n".into()));
    files.push((
        "content/about.md".into(),
        report("title: About\nstandalone: true", "Text."),
    ));
    let site = site_of(&files);
    site.build(&[]).expect_clean();
    let map = site.read("sitemap.xml");
    assert!(map.starts_with("<?xml"));
    assert!(map.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    for loc in [
        "https://host/sub/",
        "https://host/sub/reports/r1/",
        "https://host/sub/reports/r2/",
        "https://host/sub/about/",
        "https://host/sub/tags/t/",
        "https://host/sub/timeline/",
    ] {
        assert!(map.contains(&format!("<loc>{loc}</loc>")), "no {loc}");
    }
}

#[test]
fn not_found_page_exists_and_links_home() {
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-01-01", "", "Body."),
    )]);
    site.build(&["--base-url", "https://host/sub/"])
        .expect_clean();
    let page = site.read("404.html");
    assert!(page.contains("<main"), "{page}");
    assert!(links(main_region(&page)).contains(&"https://host/sub/"));
}

/// RFC 4287, 4.1.1: a feed must name an author unless every entry does.
#[test]
fn feed_names_an_author_as_atom_requires() {
    let site = Site::new(&[
        (
            "content/reports/anonymous.md",
            &dated("Anonymous", "2024-01-01", "", "Body."),
        ),
        (
            "content/reports/signed.md",
            &dated("Signed", "2024-01-02", "authors: [Desk Analyst]", "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    let feed = site.read("feed.xml");
    let first_entry = feed.find("<entry>").expect("entries");
    let feed_author = feed[..first_entry].contains("<author>");
    let every_entry = feed
        .split("<entry>")
        .skip(1)
        .all(|entry| entry.contains("<author>"));
    assert!(
        feed_author || every_entry,
        "no feed-level author and an entry without one:\n{feed}"
    );
    assert!(feed.contains("<name>Desk Analyst</name>"), "{feed}");
}

#[test]
fn stylesheet_shows_previews_on_hover_and_focus_and_prints_urls() {
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "2024-01-01", "", "Body."),
    )]);
    site.build(&[]).expect_clean();
    let css = site.read("style.css");
    for rule in [
        ".cite-tip",
        "a.cite:hover + .cite-tip",
        "a.cite:focus + .cite-tip",
        ":focus-visible",
        "@media print",
        "attr(href)",
    ] {
        assert!(css.contains(rule), "style.css lacks {rule:?}");
    }
    let page = site.read("reports/r/index.html");
    assert!(page.contains("href=\"../../style.css\""));
}

// ---------------------------------------------------------------------
// Links: relative (file://) and absolute (--base-url)
// ---------------------------------------------------------------------

/// A site using most features, for the link checks.
fn linked_site() -> Site {
    let report_front = "tags: [China, Україна]
summary: \"Summary.\"
sources:
  - id: a
    title: \"A\"
    url: https://example.com/a
events:
  - date: 2023-07
    title: \"Event\"
    tags: [CNC machine tools]
    sources: [a]
";
    let mut files: Vec<(String, String)> = numbered_reports(3, "tags: [China]");
    files.extend([
        ("site.yaml".to_string(), "per_page: 2\n".to_string()),
        (
            "content/reports/full.md".to_string(),
            dated(
                "Full",
                "2024-04-07",
                report_front,
                "Claim [@a]. ![chart](chart.png) [the chart](chart.png)",
            ),
        ),
        ("content/reports/chart.png".to_string(), "PNG".to_string()),
        (
            "content/reports/bundle/index.md".to_string(),
            dated("Bundle", "2024-04-01", "", "![photo](photo.png)"),
        ),
        (
            "content/reports/bundle/photo.png".to_string(),
            "PNG".to_string(),
        ),
        (
            "content/about.md".to_string(),
            report("title: About\nstandalone: true", "About."),
        ),
    ]);
    site_of(&files)
}

/// Splits a link into its path and fragment, dropping any query.
fn split_link(link: &str) -> (&str, Option<&str>) {
    let (path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link, None),
    };
    (path.split('?').next().unwrap_or(path), fragment)
}

fn has_id(html: &str, id: &str) -> bool {
    html.contains(&format!(" id=\"{id}\""))
}

/// Resolves `path` against the folder `dir` of the output, `..` included.
fn resolve(dir: &Path, path: &str) -> std::path::PathBuf {
    let mut out = dir.to_path_buf();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out
}

#[test]
fn without_base_url_every_internal_link_is_relative_and_resolves() {
    let site = linked_site();
    site.build(&[]).expect_clean();
    let public = site.path().join("public");
    for (page, html) in html_pages(&site) {
        if page == "404.html" {
            // Served for any missing path, it cannot use relative links.
            continue;
        }
        let dir = public.join(&page);
        let dir = dir.parent().expect("a folder");
        for link in links(&html) {
            if link.starts_with("https://") || link.starts_with("http://") {
                continue;
            }
            assert!(!link.starts_with('/'), "{page}: root-relative link {link}");
            let (path, fragment) = split_link(link);
            let target_html = if path.is_empty() {
                html.clone()
            } else {
                let target = resolve(dir, path);
                assert!(
                    target.is_file(),
                    "{page}: link {link} leads to {}, which is not a file",
                    target.display()
                );
                if !path.ends_with(".html") {
                    continue;
                }
                std::fs::read_to_string(&target).expect("target page")
            };
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                assert!(
                    has_id(&target_html, fragment),
                    "{page}: link {link} names a missing #{fragment}"
                );
            }
        }
    }
}

#[test]
fn with_base_url_every_internal_link_is_absolute_under_the_sub_path() {
    let site = linked_site();
    site.build(&["--base-url", "https://host/sub/"])
        .expect_clean();
    let public = site.path().join("public");
    for (page, html) in html_pages(&site) {
        for link in links(&html) {
            if link.starts_with('#') || link.starts_with("https://example.com/") {
                continue;
            }
            assert!(!link.starts_with('/'), "{page}: root-relative link {link}");
            let (path, _) = split_link(link);
            let target = match path.strip_prefix("https://host/sub/") {
                Some(rest) => public.join(rest),
                // Links written in a report's Markdown stay relative; they
                // must still reach their file from the page's URL.
                None if !path.contains("://") => {
                    let page_dir = public.join(&page);
                    resolve(page_dir.parent().expect("a folder"), path)
                }
                None => panic!("{page}: {link} is not under https://host/sub/"),
            };
            let file = if path.is_empty() || path.ends_with('/') {
                target.join("index.html")
            } else {
                target
            };
            assert!(
                file.is_file(),
                "{page}: {link} leads to a missing {}",
                file.display()
            );
        }
    }
    let report = site.read("reports/full/index.html");
    assert!(report.contains("href=\"https://host/sub/tags/china/\""));
    assert!(report.contains("<link rel=\"canonical\" href=\"https://host/sub/reports/full/\">"));
}

#[test]
fn base_url_in_site_yaml_works_like_the_flag() {
    let site = Site::new(&[
        ("site.yaml", "base_url: https://host/reports-site\n"),
        (
            "content/reports/r.md",
            &dated("R", "2024-01-01", "", "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    let home = site.read("index.html");
    assert!(home.contains("href=\"https://host/reports-site/reports/r/\""));
}

#[test]
fn ids_are_unique_on_every_page() {
    let one = dated(
        "One",
        "2024-01-01",
        "sources:\n  - id: x\n    title: \"First X\"\n    url: https://example.com/1\nevents:\n  - date: 2023\n    title: E1\n    sources: [x]\n",
        "Cite [@x].",
    );
    let two = dated(
        "Two",
        "2024-01-02",
        "sources:\n  - id: x\n    title: \"Second X\"\n    url: https://example.com/2\nevents:\n  - date: 2023\n    title: E2\n    sources: [x]\n",
        "Cite [@x] and [@x].\n\n## Notes\n\n## Notes\n",
    );
    let site = Site::new(&[
        ("content/reports/one.md", &one),
        ("content/reports/two.md", &two),
    ]);
    site.build(&[]).expect_clean();
    for (page, html) in html_pages(&site) {
        let mut seen = HashSet::new();
        for id in attr_values(&html, "id") {
            assert!(seen.insert(id), "{page}: id {id:?} is used twice");
        }
    }
}

#[test]
fn pages_have_landmarks_a_skip_link_and_a_language() {
    let site = Site::new(&[
        ("site.yaml", "language: uk\n"),
        (
            "content/reports/r.md",
            &dated("R", "2024-01-01", "", "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    for (page, html) in html_pages(&site) {
        assert!(html.starts_with("<!DOCTYPE html>"), "{page}");
        assert!(html.contains("<html lang=\"uk\">"), "{page}");
        assert!(html.contains("href=\"#main\""), "{page}: no skip link");
        assert!(html.contains("<main id=\"main\""), "{page}");
        assert!(html.contains("<header"), "{page}");
        assert!(html.contains("<nav"), "{page}");
        assert!(html.contains("<footer"), "{page}");
    }
}

// ---------------------------------------------------------------------
// Files: assets, static, templates, intro, slugs, bundles
// ---------------------------------------------------------------------

#[test]
fn assets_are_copied_beside_their_reports() {
    let site = Site::new(&[
        (
            "content/reports/r.md",
            &dated(
                "R",
                "2024-01-01",
                "",
                "![A chart](img.png)\n\n[The PDF](docs/memo.pdf)",
            ),
        ),
        ("content/reports/img.png", "PNG bytes"),
        ("content/reports/docs/memo.pdf", "PDF bytes"),
        (
            "content/reports/bundle/index.md",
            &dated("Bundle", "2024-01-02", "", "![A photo](photo.jpg)"),
        ),
        ("content/reports/bundle/photo.jpg", "JPG bytes"),
    ]);
    site.build(&[]).expect_clean();
    assert_eq!(site.read("reports/img.png"), "PNG bytes");
    assert_eq!(site.read("reports/docs/memo.pdf"), "PDF bytes");
    assert_eq!(site.read("reports/bundle/photo.jpg"), "JPG bytes");
    let page = site.read("reports/r/index.html");
    assert!(
        page.contains("src=\"../img.png\""),
        "{}",
        main_region(&page)
    );
    assert!(page.contains("href=\"../docs/memo.pdf\""));
    let bundle = site.read("reports/bundle/index.html");
    assert!(
        bundle.contains("src=\"photo.jpg\""),
        "{}",
        main_region(&bundle)
    );
}

#[test]
fn underscore_and_dot_files_are_not_pages() {
    let site = Site::new(&[
        ("content/_index.md", "Intro."),
        ("content/reports/_notes.md", "not a page"),
        ("content/reports/.hidden.md", "not a page"),
        ("content/reports/_scratch.txt", "not copied"),
        (
            "content/reports/r.md",
            &dated("R", "2024-01-01", "", "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    let files: Vec<String> = snapshot(&site.path().join("public")).into_keys().collect();
    for file in &files {
        assert!(
            !file.contains("_index") && !file.contains("_notes") && !file.contains("hidden"),
            "{file} should not be in the output"
        );
        assert!(!file.contains("_scratch"), "{file} should not be copied");
    }
}

#[test]
fn static_files_are_copied_to_the_root() {
    let site = Site::new(&[
        ("static/robots.txt", "User-agent: *\n"),
        ("static/img/logo.svg", "<svg/>"),
        ("static/style.css", "/* mine */"),
        (
            "content/reports/r.md",
            &dated("R", "2024-01-01", "", "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    assert_eq!(site.read("robots.txt"), "User-agent: *\n");
    assert_eq!(site.read("img/logo.svg"), "<svg/>");
    assert_eq!(site.read("style.css"), "/* mine */");
    assert!(site.exists("annalist.js"), "built-in script missing");
}

#[test]
fn a_site_template_overrides_the_built_in_one() {
    let template = "{% extends \"base.html\" %}
{% block main %}<p class=\"custom\">{{ report.title }} / {{ report.extra.desk }}</p>{% endblock main %}
";
    let site = Site::new(&[
        ("templates/report.html", template),
        (
            "content/reports/r.md",
            &dated(
                "R & D",
                "2024-01-01",
                "extra:\n  desk: \"Asia <desk>\"",
                "Body.",
            ),
        ),
    ]);
    site.build(&[]).expect_clean();
    let main = site.main("reports/r/index.html");
    assert!(
        main.contains("<p class=\"custom\">R &amp; D / Asia &lt;desk&gt;</p>"),
        "{main}"
    );
    assert!(!main.contains("report-body"));
    // The other built-in templates still apply.
    assert!(site.read("index.html").contains("report-list"));
}

#[test]
fn the_intro_opens_the_home_page() {
    let site = Site::new(&[
        ("site.yaml", "per_page: 1\n"),
        ("content/_index.md", "Welcome to **the desk**.\n"),
        (
            "content/reports/a.md",
            &dated("A", "2024-01-01", "", "Body."),
        ),
        (
            "content/reports/b.md",
            &dated("B", "2024-01-02", "", "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    let home = site.main("index.html");
    let intro = home
        .find("Welcome to <strong>the desk</strong>.")
        .expect("intro on the home page");
    let listing = home.find("report-list").expect("a listing");
    assert!(intro < listing, "the intro comes before the reports");
    assert!(!site.main("page/2/index.html").contains("Welcome"));
}

#[test]
fn slug_overrides_the_file_name() {
    let site = Site::new(&[(
        "content/reports/long-file-name.md",
        &dated("R", "2024-01-01", "slug: short", "Body."),
    )]);
    site.build(&[]).expect_clean();
    assert!(site.exists("reports/short/index.html"));
    assert!(!site.exists("reports/long-file-name/index.html"));
}

#[test]
fn default_slugs_come_from_the_file_stem() {
    let site = Site::new(&[
        (
            "content/reports/China CNC Tools.md",
            &dated("R", "2024-01-01", "", "Body."),
        ),
        (
            "content/analysis/deep/nested.md",
            &dated("N", "2024-01-02", "", "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    assert!(site.exists("reports/china-cnc-tools/index.html"));
    assert!(site.exists("analysis/deep/nested/index.html"));
}

#[test]
fn index_md_bundles_take_their_folder_name() {
    let site = Site::new(&[(
        "content/reports/x/index.md",
        &dated("Bundled", "2024-01-01", "", "Body."),
    )]);
    site.build(&[]).expect_clean();
    assert!(
        site.main("reports/x/index.html")
            .contains("<h1>Bundled</h1>")
    );
    assert!(!site.exists("reports/x/index/index.html"));
}

#[test]
fn the_body_supports_commonmark_extensions() {
    let body = "| a | b |
|---|---|
| 1 | 2 |

Text~~gone~~ and a note[^n].

- [x] done
- [ ] open

## A heading

[^n]: The note.
";
    let site = Site::new(&[("content/reports/r.md", &dated("R", "2024-01-01", "", body))]);
    site.build(&[]).expect_clean();
    let main = site.main("reports/r/index.html");
    assert!(main.contains("<table>"), "{main}");
    assert!(main.contains("<del>gone</del>"), "{main}");
    assert!(main.contains("type=\"checkbox\" checked"), "{main}");
    assert!(
        main.contains("<h2 id=\"a-heading\">A heading</h2>"),
        "{main}"
    );
    assert!(main.contains("The note."), "{main}");
}

#[test]
fn standalone_page_citations_link_to_references() {
    let page = report(
        "title: Methodology\nstandalone: true\nsources:\n  - id: m\n    title: \"Method source\"",
        "We follow [@m].",
    );
    let site = Site::new(&[("content/methodology.md", &page)]);
    site.build(&[]).expect_clean();
    let html = site.read("methodology/index.html");
    assert_eq!(citations(&html), ["[1]"]);
    assert!(reference(&html, "m").contains("Method source"));
}

// ---------------------------------------------------------------------
// Golden pages
// ---------------------------------------------------------------------

#[test]
fn golden_report_page() {
    let site = Site::fixture("report_page");
    site.build(&[]).expect_clean();
    let page = site.read("reports/china-support/index.html");
    assert_golden("report_page", "report.html", main_region(&page));
}

#[test]
fn golden_timeline_and_home() {
    let site = Site::fixture("timeline");
    site.build(&[]).expect_clean();
    assert_golden(
        "timeline",
        "timeline.html",
        main_region(&site.read("timeline/index.html")),
    );
    assert_golden(
        "timeline",
        "index.html",
        main_region(&site.read("index.html")),
    );
}
