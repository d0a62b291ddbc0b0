//! Citation and heading behaviour through the real Markdown parser.

use super::*;
use crate::content::frontmatter::Source;

fn sources() -> Vec<std::sync::Arc<Source>> {
    ["a", "b", "c"]
        .iter()
        .map(|id| serde_yaml::from_str(&format!("{{id: {id}, title: Title {id}}}")).unwrap())
        .collect()
}

fn html_of(md: &str) -> (String, Vec<String>) {
    let sources = sources();
    let mut refs = References::new(|k| sources.iter().find(|s| s.id == k));
    let body = render(md, &mut refs, Links::AsWritten);
    (body.html, body.unknown.into_iter().map(|u| u.key).collect())
}

fn cites(md: &str) -> usize {
    html_of(md).0.matches("class=\"cite\"").count()
}

#[test]
fn citation_contexts_table() {
    let cases = [
        ("Claim [@a].", 1),
        ("Two [@a; @b].", 2),
        ("[see @a, p. 4; @b, ch. 2]", 2),
        ("Escaped \\[@a] stays text.", 0),
        ("Escaped \\@a inside [\\@a] stays text.", 0),
        ("Code `[@a]` stays code.", 0),
        ("```\n[@a]\n```", 0),
        ("    [@a] indented code", 0),
        ("Link [text [@a]](https://x.example) text.", 0),
        ("Image ![alt [@a]](i.png).", 0),
        ("Bare @a and me@example.com.", 0),
        ("## Heading [@a]", 1),
        ("| h |\n|---|\n| cell [@a] |", 1),
        ("Note.[^1]\n\n[^1]: Footnote [@b].", 1),
        ("*Emphasis [@a]* and **[@b]**", 2),
        ("Split over\nlines [see @a,\np. 4]", 1),
    ];
    for (md, expected) in cases {
        assert_eq!(cites(md), expected, "{md}\n{}", html_of(md).0);
    }
}

#[test]
fn link_definition_cannot_hijack_a_citation() {
    let (html, _) = html_of("Claim [@a].\n\n[@a]: javascript:alert(1)\n");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(html.contains("href=\"#ref-a\""), "{html}");
}

#[test]
fn unknown_keys_are_reported_with_offsets() {
    let sources = sources();
    let mut refs = References::new(|k| sources.iter().find(|s| s.id == k));
    let body = render(
        "Line one.\n\nSee [@a; @missing].",
        &mut refs,
        Links::AsWritten,
    );
    assert_eq!(body.unknown.len(), 1);
    assert_eq!(body.unknown[0].key, "missing");
    assert_eq!(
        &"Line one.\n\nSee [@a; @missing]."[body.unknown[0].offset..][..8],
        "@missing"
    );
}

#[test]
fn escaped_bracket_prints_literally() {
    let (html, _) = html_of("\\[@a]");
    assert_eq!(html, "<p>[@a]</p>\n");
}

#[test]
fn headings_get_unique_ids() {
    let (html, _) = html_of("## Trade\n\n## Trade\n\n## Custom {#mine}\n\n## Україна");
    assert!(html.contains("<h2 id=\"trade\">"), "{html}");
    assert!(html.contains("<h2 id=\"trade-1\">"), "{html}");
    assert!(html.contains("<h2 id=\"mine\">"), "{html}");
    assert!(html.contains("<h2 id=\"україна\">"), "{html}");
}

#[test]
fn relative_links_move_one_folder_up_for_flat_files() {
    let sources = sources();
    let mut refs = References::new(|k| sources.iter().find(|s| s.id == k));
    let md = "[a](img.png) [b](https://x.example) [c](#top) [d](/abs) ![e](fig.png)";
    let html = render(md, &mut refs, Links::OneUp).html;
    assert!(html.contains("href=\"../img.png\""), "{html}");
    assert!(html.contains("href=\"https://x.example\""), "{html}");
    assert!(html.contains("href=\"#top\""), "{html}");
    assert!(html.contains("href=\"/abs\""), "{html}");
    assert!(html.contains("src=\"../fig.png\""), "{html}");
}

#[test]
fn markdown_extensions_are_on() {
    let (html, _) = html_of("~~gone~~\n\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
    assert!(html.contains("<del>gone</del>"));
    assert!(html.contains("type=\"checkbox\""));
    assert!(html.contains("<table>"));
}
