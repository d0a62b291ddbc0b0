//! CLI tests: the real binary on small sites, asserting the whole of
//! stderr (message, `path:line:col`, the offending line, the caret) and the
//! exit code for every kind of bad input in SPEC.md section 5, plus the
//! `check`, `new` and `init` commands and usage errors.

mod common;

use std::fs;

use common::{Run, Site, report, run_in, snapshot};

/// The closing lines of a failed build.
const BUILD_FAILED: &str = "build failed; the previous output is untouched\n";

/// The stderr of a failed `build` reporting exactly `diagnostics`.
fn failed_build(diagnostics: &[&str]) -> String {
    format!("{}{BUILD_FAILED}", listing(diagnostics))
}

/// The diagnostics as annalist prints them, with their count line.
fn listing(diagnostics: &[&str]) -> String {
    let mut text = String::new();
    for d in diagnostics {
        text.push_str(d);
        text.push_str("\n\n");
    }
    text.push_str(&format!("{} error(s), 0 warning(s)\n", diagnostics.len()));
    text
}

/// Asserts a run's exit code and whole stderr.
fn assert_fails(run: &Run, stderr: &str) {
    assert_eq!(
        run.stderr, stderr,
        "\n--- stderr as printed\n{}\n--- expected\n{stderr}",
        run.stderr
    );
    run.expect_code(1);
}

/// Builds `site` and asserts it fails with exactly `diagnostics`, and
/// writes nothing.
fn assert_build_fails(site: &Site, diagnostics: &[&str]) {
    let run = site.run(&["build"]);
    assert_fails(&run, &failed_build(diagnostics));
    assert!(
        !site.path().join("public").exists(),
        "a failed build wrote public/"
    );
}

fn dated(title: &str, extra: &str, body: &str) -> String {
    report(&format!("title: {title}\ndate: 2024-01-01\n{extra}"), body)
}

// ---------------------------------------------------------------------
// Bad input: one test per kind of error in SPEC.md section 5
// ---------------------------------------------------------------------

#[test]
fn malformed_yaml() {
    let site = Site::new(&[(
        "content/reports/r.md",
        "---\ntitle: a: b\ndate: 2024-01-01\n---\nBody.\n",
    )]);
    assert_build_fails(
        &site,
        &[
            "content/reports/r.md:2:9: error: mapping values are not allowed in this context
  |
2 | title: a: b
  |         ^",
        ],
    );
}

/// The YAML parser reports positions inside the front matter, which
/// starts on the file's second line. The diagnostic's `line:col` is
/// translated to the file; a position left inside the message is not, and
/// contradicts it (`...:4:1: error: found unexpected end of stream at line
/// 3 column 1, ...`).
#[test]
fn yaml_error_messages_carry_no_front_matter_relative_positions() {
    let site = Site::new(&[
        (
            "content/reports/quote.md",
            "---\ntitle: \"Broken\ndate: 2024-01-01\n---\nBody.\n",
        ),
        (
            "content/reports/flow.md",
            "---\ntitle: Flow\ntags: [a, b\ndate: 2024-01-01\n---\nBody.\n",
        ),
    ]);
    let run = site.run(&["build"]);
    run.expect_code(1);
    let heads: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(heads.len(), 2, "{}", run.stderr);
    assert!(
        heads[0].starts_with("content/reports/flow.md:"),
        "{}",
        heads[0]
    );
    assert!(
        heads[1].starts_with("content/reports/quote.md:"),
        "{}",
        heads[1]
    );
    for head in heads {
        assert!(
            !head.contains(" at line "),
            "the message repeats a position relative to the front matter: {head}"
        );
    }
}

#[test]
fn missing_title() {
    let site = Site::new(&[(
        "content/reports/r.md",
        "---\ndate: 2024-01-01\n---\nBody.\n",
    )]);
    assert_build_fails(
        &site,
        &[
            "content/reports/r.md:1:1: error: missing `title`: every report and page needs one
  |
1 | ---
  | ^",
        ],
    );
}

#[test]
fn missing_date() {
    let site = Site::new(&[("content/reports/r.md", "---\ntitle: R\n---\nBody.\n")]);
    assert_build_fails(
        &site,
        &["content/reports/r.md:1:1: error: missing `date`: reports need one (a page without a date sets `standalone: true`)
  |
1 | ---
  | ^"],
    );
}

#[test]
fn unknown_citation_id_in_the_body() {
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated(
            "R",
            "",
            "First line.\nA claim [@ghost], and [see @ghost2, p. 4].",
        ),
    )]);
    assert_build_fails(
        &site,
        &[
            "content/reports/r.md:7:10: error: unknown source `ghost`: it is neither in this report's `sources:` nor in sources.yaml
  |
7 | A claim [@ghost], and [see @ghost2, p. 4].
  |          ^",
            "content/reports/r.md:7:28: error: unknown source `ghost2`: it is neither in this report's `sources:` nor in sources.yaml
  |
7 | A claim [@ghost], and [see @ghost2, p. 4].
  |                            ^",
        ],
    );
}

#[test]
fn unknown_citation_id_in_an_event() {
    let front = "sources:
  - id: a
    title: A
events:
  - date: 2023-07
    title: E
    sources: [a, ghost-one]
  - date: 2023-08
    title: F
    sources:
      - ghost-two
";
    let site = Site::new(&[("content/reports/r.md", &dated("R", front, "Cites [@a]."))]);
    assert_build_fails(
        &site,
        &[
            "content/reports/r.md:10:18: error: unknown source `ghost-one`: it is neither in this report's `sources:` nor in sources.yaml
   |
10 |     sources: [a, ghost-one]
   |                  ^",
            "content/reports/r.md:14:9: error: unknown source `ghost-two`: it is neither in this report's `sources:` nor in sources.yaml
   |
14 |       - ghost-two
   |         ^",
        ],
    );
}

#[test]
fn malformed_date() {
    let site = Site::new(&[(
        "content/reports/r.md",
        "---\ntitle: R\ndate: 2024/04/07\n---\nBody.\n",
    )]);
    assert_build_fails(
        &site,
        &["content/reports/r.md:3:7: error: date: `2024/04/07` is not a valid date: expected YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 timestamp
  |
3 | date: 2024/04/07
  |       ^"],
    );
}

#[test]
fn malformed_event_date() {
    let front = "events:\n  - date: July 2023\n    title: E\n";
    let site = Site::new(&[("content/reports/r.md", &dated("R", front, "Body."))]);
    assert_build_fails(
        &site,
        &["content/reports/r.md:5:11: error: events[0].date: `July 2023` is not a valid date: expected YYYY, YYYY-MM or YYYY-MM-DD
  |
5 |   - date: July 2023
  |           ^"],
    );
}

#[test]
fn impossible_date() {
    let site = Site::new(&[(
        "content/reports/r.md",
        "---\ntitle: R\ndate: 2024-02-30\n---\nBody.\n",
    )]);
    assert_build_fails(
        &site,
        &[
            "content/reports/r.md:3:7: error: date: `2024-02-30` is not a date that exists
  |
3 | date: 2024-02-30
  |       ^",
        ],
    );
}

#[test]
fn event_ending_before_it_begins() {
    let front = "events:\n  - date: 2023-07\n    end: 2023-06-30\n    title: E\n";
    let site = Site::new(&[("content/reports/r.md", &dated("R", front, "Body."))]);
    assert_build_fails(
        &site,
        &[
            "content/reports/r.md:6:10: error: event ends (2023-06-30) before it begins (2023-07)
  |
6 |     end: 2023-06-30
  |          ^",
        ],
    );
}

#[test]
fn duplicate_source_id_in_a_report() {
    let front = "sources:\n  - id: a\n    title: A\n  - id: a\n    title: A again\n";
    let site = Site::new(&[("content/reports/r.md", &dated("R", front, "Cites [@a]."))]);
    assert_build_fails(
        &site,
        &[
            "content/reports/r.md:7:9: error: duplicate source id `a` in this report
  |
7 |   - id: a
  |         ^",
        ],
    );
}

#[test]
fn duplicate_source_id_in_sources_yaml() {
    let sources = "- id: g\n  title: G\n- id: h\n  title: H\n- id: g\n  title: G again\n";
    let site = Site::new(&[
        ("sources.yaml", sources),
        (
            "content/reports/r.md",
            &dated("R", "", "Cites [@g] and [@h]."),
        ),
    ]);
    assert_build_fails(
        &site,
        &[
            "sources.yaml:5:7: error: duplicate source id `g` (first declared on line 1)
  |
5 | - id: g
  |       ^",
        ],
    );
}

#[test]
fn two_pages_with_the_same_output_path() {
    let site = Site::new(&[
        ("content/reports/same.md", &dated("File", "", "Body.")),
        (
            "content/reports/same/index.md",
            &dated("Bundle", "", "Body."),
        ),
    ]);
    assert_build_fails(
        &site,
        &["content/reports/same.md:1:1: error: output path /reports/same/ is also the output path of content/reports/same/index.md
  |
1 | ---
  | ^"],
    );
}

#[test]
fn a_slug_that_would_leave_its_folder() {
    let site = Site::new(&[(
        "content/reports/r.md",
        &dated("R", "slug: ../../evil", "Body."),
    )]);
    assert_build_fails(
        &site,
        &["content/reports/r.md:4:7: error: slug `../../evil` must be a single path segment (no `/`, `\\`, `..` or leading `.`)
  |
4 | slug: ../../evil
  |       ^"],
    );
}

#[test]
fn non_utf8_file() {
    let site = Site::new(&[]);
    site.write_bytes(
        "content/reports/latin1.md",
        b"---\ntitle: R\ndate: 2024-01-01\n---\nCaf\xe9 au lait.\n",
    );
    assert_build_fails(
        &site,
        &[
            "content/reports/latin1.md:5:4: error: file is not valid UTF-8 text
  |
5 | Caf\u{fffd} au lait.
  |    ^",
        ],
    );
}

/// Runs `annalist build` in `site` as the unprivileged user `nobody`, for
/// a test running as root, whom file modes do not stop. `None` when that
/// is not possible here.
fn build_as_nobody(site: &Site) -> Option<Run> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // nobody must reach the site, and may write its staging folder there.
    fs::set_permissions(site.path(), fs::Permissions::from_mode(0o777)).ok()?;
    let out = std::process::Command::new(common::BIN)
        .arg("build")
        .current_dir(site.path())
        .uid(65534)
        .gid(65534)
        .output()
        .ok()?;
    Some(Run {
        code: out.status.code()?,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::new(&[
        ("content/reports/locked.md", &dated("Locked", "", "Body.")),
        (
            "content/reports/other.md",
            "---\ntitle: Other\ndate: 2024-13-01\n---\nBody.\n",
        ),
    ]);
    let locked = site.path().join("content/reports/locked.md");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod 000");
    let unreadable =
        "content/reports/locked.md: error: cannot read file: Permission denied (os error 13)";
    let other = "content/reports/other.md:3:7: error: date: `2024-13-01` is not a date that exists
  |
3 | date: 2024-13-01
  |       ^";
    if fs::read(&locked).is_err() {
        assert_build_fails(&site, &[unreadable, other]);
        return;
    }
    // We run as root (as CI does): chmod 000 does not stop root from
    // reading. Build as `nobody` instead, where the system allows it.
    match build_as_nobody(&site) {
        // nobody must at least read the rest of the site for this to count.
        Some(run) if run.stderr.contains("content/reports/other.md:3:7") => {
            assert_fails(&run, &failed_build(&[unreadable, other]));
        }
        other_run => {
            // Neither way can make the file unreadable: only the other
            // file's error can be checked, and this is said out loud.
            eprintln!(
                "NOTE: unreadable_file cannot make a file unreadable here (running as root \
                 and cannot switch to nobody: {other_run:?}); only the other error is checked"
            );
            let run = site.run(&["build"]);
            assert_fails(&run, &failed_build(&[other]));
        }
    }
}

#[test]
fn template_syntax_error() {
    let site = Site::new(&[
        (
            "templates/report.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ report.title }</h1>\n{% endblock main %}\n",
        ),
        ("content/reports/r.md", &dated("R", "", "Body.")),
    ]);
    assert_build_fails(
        &site,
        &[
            "templates/report.html:3:21: error: template error: Found `}` but expected }}.
  |
3 | <h1>{{ report.title }</h1>
  |                     ^",
        ],
    );
}

#[test]
fn template_with_a_missing_variable() {
    let site = Site::new(&[
        (
            "templates/report.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ report.title }}</h1>\n<p>{{ report.subtitle }}</p>\n{% endblock main %}\n",
        ),
        ("content/reports/r.md", &dated("R", "", "Body.")),
    ]);
    assert_build_fails(
        &site,
        &["templates/report.html:4:14: error: template error: Field `subtitle` is not defined. Available fields: authors, content, date, events, extra, references, summary, tags, title, updated, url
  |
4 | <p>{{ report.subtitle }}</p>
  |              ^"],
    );
}

/// A template's syntax does not depend on the content: a run that finds
/// content errors reports the broken template too.
#[test]
fn template_syntax_error_is_reported_with_content_errors() {
    let site = Site::new(&[
        (
            "templates/report.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ report.title }</h1>\n{% endblock main %}\n",
        ),
        ("content/reports/r.md", "---\ntitle: R\n---\nBody.\n"),
    ]);
    assert_build_fails(
        &site,
        &[
            "content/reports/r.md:1:1: error: missing `date`: reports need one (a page without a date sets `standalone: true`)
  |
1 | ---
  | ^",
            "templates/report.html:3:21: error: template error: Found `}` but expected }}.
  |
3 | <h1>{{ report.title }</h1>
  |                     ^",
        ],
    );
}

#[test]
fn unknown_front_matter_key() {
    let site = Site::new(&[(
        "content/reports/r.md",
        "---\ntittle: Typo\ndate: 2024-01-01\n---\nBody.\n",
    )]);
    assert_build_fails(
        &site,
        &["content/reports/r.md:2:1: error: unknown field `tittle`, expected one of `title`, `date`, `updated`, `summary`, `authors`, `tags`, `draft`, `slug`, `standalone`, `sources`, `events`, `extra`
  |
2 | tittle: Typo
  | ^"],
    );
}

#[test]
fn javascript_source_url() {
    let front = "sources:\n  - id: a\n    title: A\n    url: javascript:alert(1)\n";
    let site = Site::new(&[("content/reports/r.md", &dated("R", front, "Cites [@a]."))]);
    assert_build_fails(
        &site,
        &["content/reports/r.md:7:10: error: sources[0].url: `javascript:alert(1)` is not allowed as a source link: only http and https links or relative paths are allowed
  |
7 |     url: javascript:alert(1)
  |          ^"],
    );
}

#[test]
fn unknown_site_yaml_key() {
    let site = Site::new(&[
        ("site.yaml", "title: Site\nper_pag: 3\n"),
        ("content/reports/r.md", &dated("R", "", "Body.")),
    ]);
    assert_build_fails(
        &site,
        &["site.yaml:2:1: error: unknown field `per_pag`, expected one of `title`, `description`, `base_url`, `author`, `language`, `domain`, `per_page`, `timeline_per_page`, `options`, `follow_outside_symlinks`, `search`, `extra`
  |
2 | per_pag: 3
  | ^"],
    );
}

#[test]
fn invalid_base_url_in_site_yaml() {
    let site = Site::new(&[
        ("site.yaml", "title: Site\nbase_url: host/sub\n"),
        ("content/reports/r.md", &dated("R", "", "Body.")),
    ]);
    assert_build_fails(
        &site,
        &[
            "site.yaml:2:11: error: `base_url` must be an absolute http(s) URL such as https://example.com/reports/, not `host/sub`
  |
2 | base_url: host/sub
  |           ^",
        ],
    );
}

/// A bad value given on the command line is a usage error (exit 2) that
/// names the option, not an error in a site.yaml the site may not have.
#[test]
fn invalid_base_url_option_is_a_usage_error() {
    let site = Site::new(&[("content/reports/r.md", &dated("R", "", "Body."))]);
    let run = site.run(&["build", "--base-url", "host/sub"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--base-url"), "{}", run.stderr);
    assert!(!run.stderr.contains("site.yaml"), "{}", run.stderr);
    assert!(!site.path().join("public").exists());
}

// ---------------------------------------------------------------------
// Every error in one run, and the output left alone
// ---------------------------------------------------------------------

/// A site with errors in several files: content, site.yaml, sources.yaml.
fn broken_site() -> Site {
    let report_a = "---
title: A
date: 2024-01-01
sources:
  - id: a
    title: A
  - id: a
    title: A again
events:
  - date: 2023-07
    end: 2023-06
    title: E
    sources: [ghost-event]
---
Claim [@ghost] and [see @a, p. 2].
";
    Site::new(&[
        ("content/reports/a.md", report_a),
        (
            "content/reports/b.md",
            "---\ndate: 2024-01-01\n---\nBody.\n",
        ),
        (
            "content/zz/c.md",
            "---\ntitle: a: b\ndate: 2024-01-01\n---\nBody.\n",
        ),
        ("content/reports/good.md", &dated("Good", "", "Fine.")),
        ("site.yaml", "title: Site\ncolour: red\n"),
        (
            "sources.yaml",
            "- id: ok\n  title: OK\n- id: bad\n  title: Bad\n  url: \"javascript:alert(1)\"\n",
        ),
    ])
}

const BROKEN_SITE_ERRORS: [&str; 8] = [
    "content/reports/a.md:7:9: error: duplicate source id `a` in this report
  |
7 |   - id: a
  |         ^",
    "content/reports/a.md:11:10: error: event ends (2023-06) before it begins (2023-07)
   |
11 |     end: 2023-06
   |          ^",
    "content/reports/a.md:13:15: error: unknown source `ghost-event`: it is neither in this report's `sources:` nor in sources.yaml
   |
13 |     sources: [ghost-event]
   |               ^",
    "content/reports/a.md:15:8: error: unknown source `ghost`: it is neither in this report's `sources:` nor in sources.yaml
   |
15 | Claim [@ghost] and [see @a, p. 2].
   |        ^",
    "content/reports/b.md:1:1: error: missing `title`: every report and page needs one
  |
1 | ---
  | ^",
    "content/zz/c.md:2:9: error: mapping values are not allowed in this context
  |
2 | title: a: b
  |         ^",
    "site.yaml:2:1: error: unknown field `colour`, expected one of `title`, `description`, `base_url`, `author`, `language`, `domain`, `per_page`, `timeline_per_page`, `options`, `follow_outside_symlinks`, `search`, `extra`
  |
2 | colour: red
  | ^",
    "sources.yaml:5:8: error: .[1].url: `javascript:alert(1)` is not allowed as a source link: only http and https links or relative paths are allowed
  |
5 |   url: \"javascript:alert(1)\"
  |        ^",
];

#[test]
fn every_error_of_every_file_is_reported_in_one_run() {
    let site = broken_site();
    assert_build_fails(&site, &BROKEN_SITE_ERRORS);
}

#[test]
fn a_failed_build_leaves_the_previous_output_exactly_as_it_was() {
    let site = Site::new(&[("content/reports/r.md", &dated("R", "", "Body."))]);
    site.build(&[]).expect_clean();
    site.write("public/marker.txt", "left by the previous build\n");
    site.write("public/reports/r/index.html", "edited by hand\n");
    let before = snapshot(&site.path().join("public"));
    let root_before: Vec<_> = fs::read_dir(site.path())
        .expect("site root")
        .map(|e| e.expect("entry").file_name())
        .collect();

    // A content error, found before anything is rendered.
    site.write("content/reports/bad.md", "---\ntitle: Bad\n---\nBody.\n");
    let run = site.run(&["build"]);
    run.expect_code(1);
    assert!(run.stderr.contains("missing `date`"), "{}", run.stderr);
    assert_eq!(snapshot(&site.path().join("public")), before);

    // A template error, found while pages are being written.
    fs::remove_file(site.path().join("content/reports/bad.md")).expect("remove");
    site.write(
        "templates/tag.html",
        "{% extends \"base.html\" %}{% block main %}{{ nothing.here }}{% endblock main %}",
    );
    site.write("content/reports/r.md", &dated("R", "tags: [T]", "Body."));
    let run = site.run(&["build"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("templates/tag.html:1:"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&site.path().join("public")), before);

    let mut root_after: Vec<_> = fs::read_dir(site.path())
        .expect("site root")
        .map(|e| e.expect("entry").file_name())
        .collect();
    root_after.retain(|n| n != "templates");
    let mut root_before = root_before;
    root_before.sort();
    root_after.sort();
    assert_eq!(
        root_after, root_before,
        "a failed build left files beside public/"
    );
}

#[test]
fn a_good_build_replaces_the_previous_output_whole() {
    let site = Site::new(&[("content/reports/r.md", &dated("R", "", "Body."))]);
    site.build(&[]).expect_clean();
    site.write("public/stale.txt", "old");
    fs::rename(
        site.path().join("content/reports/r.md"),
        site.path().join("content/reports/renamed.md"),
    )
    .expect("rename");
    site.build(&[]).expect_clean();
    assert!(!site.exists("stale.txt"));
    assert!(!site.exists("reports/r/index.html"));
    assert!(site.exists("reports/renamed/index.html"));
}

/// A rebuild over an output folder that was tampered with ends as a build
/// into an empty folder would: folders where files go and files where
/// folders go are replaced, stray files and folders (even with names that
/// are not UTF-8) are removed, and links are removed, never followed.
#[cfg(target_os = "linux")]
#[test]
fn a_rebuild_mends_a_tampered_output_and_follows_no_link() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;
    let site = Site::new(&[
        ("content/reports/a.md", &dated("A", "tags: [T]", "Alpha.")),
        ("content/reports/b.md", &dated("B", "", "Beta.")),
        ("static/notes/x.txt", "notes"),
    ]);
    site.build(&["--output", "fresh"]).expect_clean();
    let fresh = snapshot(&site.path().join("fresh"));
    site.build(&[]).expect_clean();
    let public = site.path().join("public");
    let outside = site.path().join("outside");
    site.write("outside/index.html", "not the site's");
    site.write("outside/t/index.html", "not the tag's page");
    site.write("outside-file.txt", "not the site's either");
    let untouched = snapshot(&outside);
    let folder = || std::os::unix::fs::MetadataExt::ino(&fs::metadata(&public).expect("public"));
    let before = folder();

    fs::remove_dir_all(public.join("reports/a")).expect("remove");
    site.write("public/reports/a", "a file where a folder goes");
    fs::remove_file(public.join("reports/b/index.html")).expect("remove");
    site.write(
        "public/reports/b/index.html/inner.html",
        "a folder where a file goes",
    );
    fs::remove_dir_all(public.join("tags")).expect("remove");
    symlink(&outside, public.join("tags")).expect("symlink");
    fs::remove_file(public.join("sitemap.xml")).expect("remove");
    symlink(
        site.path().join("outside-file.txt"),
        public.join("sitemap.xml"),
    )
    .expect("symlink");
    fs::remove_dir_all(public.join("notes")).expect("remove");
    symlink(&outside, public.join("notes")).expect("symlink");
    site.write("public/old/deep/page.html", "stale");
    let odd = std::ffi::OsStr::from_bytes(b"stale-\xff.html");
    fs::write(public.join(odd), "stale").expect("odd name");
    let odd_folder = public.join(std::ffi::OsStr::from_bytes(b"stale-\xfe"));
    fs::create_dir_all(odd_folder.join("index")).expect("odd folder");
    fs::write(odd_folder.join("index.html"), "stale").expect("in odd folder");

    site.build(&[]).expect_clean();
    assert_eq!(folder(), before, "mended in place");
    assert_eq!(snapshot(&public), fresh);
    for link in ["tags", "notes", "sitemap.xml"] {
        let kind = fs::symlink_metadata(public.join(link))
            .expect("entry")
            .file_type();
        assert!(!kind.is_symlink(), "{link} is still a link");
    }
    assert_eq!(snapshot(&outside), untouched);
    assert_eq!(
        fs::read_to_string(site.path().join("outside-file.txt")).expect("outside file"),
        "not the site's either"
    );
}

/// A rebuild that changes most files (here every page, for a new base
/// URL) replaces the output folder whole, still keeping the files that
/// did not change; one that changes few updates the folder in place.
/// Either way the output ends as a build into an empty folder would, and
/// a static file wins over the page at its path (`404.html`, which the
/// new base URL changes while the static file stays the same).
#[cfg(target_os = "linux")]
#[test]
fn a_rebuild_that_changes_most_files_replaces_the_folder_whole() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::new(&[
        ("content/reports/a.md", &dated("A", "tags: [T]", "Alpha.")),
        ("content/reports/b.md", &dated("B", "", "Beta.")),
        ("static/notes.txt", "notes"),
        ("static/404.html", "<p>Our own not-found page.</p>"),
    ]);
    let moved = ["--base-url", "https://example.org/moved/"];
    site.build(&[&["--output", "fresh"][..], &moved[..]].concat())
        .expect_clean();
    let fresh = snapshot(&site.path().join("fresh"));
    site.build(&[]).expect_clean();
    let public = site.path().join("public");
    let inode = |path: &str| fs::metadata(public.join(path)).expect("output").ino();
    let (folder, notes) = (inode(""), inode("notes.txt"));

    site.write("public/stale.txt", "stale");
    site.build(&[]).expect_clean();
    assert_eq!(inode(""), folder, "few changes are made in place");
    assert!(!site.exists("stale.txt"));

    site.write("public/stale.txt", "stale");
    site.build(&moved).expect_clean();
    assert_ne!(inode(""), folder, "many changes replace the folder");
    assert_eq!(snapshot(&public), fresh);
    assert_eq!(site.read("404.html"), "<p>Our own not-found page.</p>");
    assert_eq!(inode("notes.txt"), notes, "an unchanged file is kept");
    let links = fs::metadata(public.join("notes.txt"))
        .expect("notes")
        .nlink();
    assert_eq!(links, 1, "the previous folder is gone");
}

/// A build that fails while moving its changes into the output says so:
/// not that the output is untouched, as some files may already be new;
/// the next build that succeeds mends it. The failure is made by an
/// immutable folder (`chattr +i`, which needs root and a filesystem that
/// has the attribute: the test fails, saying so, where it cannot).
#[cfg(target_os = "linux")]
#[test]
fn a_failure_while_updating_the_output_is_reported_as_such() {
    struct Mutable(std::path::PathBuf);
    impl Drop for Mutable {
        fn drop(&mut self) {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
        }
    }
    let reports: Vec<(String, String)> = (1..=10)
        .map(|i| {
            (
                format!("content/reports/r{i}.md"),
                dated(&format!("R{i}"), "", "Body."),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = reports
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let site = Site::new(&files);
    site.build(&[]).expect_clean();
    site.write("content/reports/r1.md", &dated("R1", "", "Body, revised."));
    let locked = site.path().join("public/reports/r1");
    let chattr = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&locked)
        .status();
    assert!(
        chattr.is_ok_and(|s| s.success()),
        "this test needs `chattr +i` (root, and a filesystem with the attribute) on {}",
        locked.display()
    );
    let guard = Mutable(locked);
    let run = site.run(&["build"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("error: cannot write the site"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("build failed while updating the output: it may hold old and new files until a build succeeds"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("untouched"), "{}", run.stderr);
    drop(guard);
    site.build(&[]).expect_clean();
    site.build(&["--output", "fresh"]).expect_clean();
    assert_eq!(
        snapshot(&site.path().join("public")),
        snapshot(&site.path().join("fresh"))
    );
    assert!(
        site.read("reports/r1/index.html")
            .contains("Body, revised.")
    );
}

/// A page that comes out as the previous build left it keeps its file
/// (the same inode, so its time too); a changed page is written anew; a
/// page linked from elsewhere, changed by hand in its permissions, or
/// reached through a link in the previous output is written anew, so
/// nothing outside the new output shares its files.
#[cfg(target_os = "linux")]
#[test]
fn unchanged_pages_keep_their_files_and_nothing_else_is_shared() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let site = Site::new(&[
        ("content/reports/a.md", &dated("A", "", "Alpha.")),
        ("content/reports/b.md", &dated("B", "", "Beta.")),
        ("content/reports/c.md", &dated("C", "", "Gamma.")),
        ("content/reports/d.md", &dated("D", "", "Delta.")),
        ("content/reports/e.md", &dated("E", "", "Epsilon.")),
    ]);
    site.build(&[]).expect_clean();
    let public = site.path().join("public");
    let meta = |page: &str| fs::metadata(public.join(page)).expect("output file");
    let before = |page: &str| meta(page).ino();
    let (a, b, c, d, e) = (
        before("reports/a/index.html"),
        before("reports/b/index.html"),
        before("reports/c/index.html"),
        before("reports/d/index.html"),
        before("reports/e/index.html"),
    );
    let backup = site.path().join("b-backup.html");
    fs::hard_link(public.join("reports/b/index.html"), &backup).expect("hard link");
    let c_page = public.join("reports/c/index.html");
    fs::set_permissions(&c_page, fs::Permissions::from_mode(0o600)).expect("chmod");
    let moved = site.path().join("d-elsewhere");
    fs::rename(public.join("reports/d"), &moved).expect("move");
    std::os::unix::fs::symlink(&moved, public.join("reports/d")).expect("symlink");
    site.write("content/reports/a.md", &dated("A", "", "Alpha, revised."));

    site.build(&[]).expect_clean();
    assert!(
        site.read("reports/a/index.html")
            .contains("Alpha, revised.")
    );
    assert_ne!(before("reports/a/index.html"), a, "a changed page is new");
    assert_eq!(
        before("reports/e/index.html"),
        e,
        "an unchanged page is kept"
    );
    for (page, old) in [("b", b), ("c", c), ("d", d)] {
        let now = meta(&format!("reports/{page}/index.html"));
        assert_ne!(now.ino(), old, "reports/{page} shares a file it should not");
        assert_eq!(now.nlink(), 1, "reports/{page}");
    }
    assert_eq!(fs::metadata(&backup).expect("backup").nlink(), 1);
    assert!(
        fs::read_to_string(&backup)
            .expect("backup")
            .contains("Beta.")
    );
    assert_ne!(
        meta("reports/c/index.html").permissions().mode() & 0o777,
        0o600
    );
    assert!(
        fs::symlink_metadata(public.join("reports/d"))
            .expect("d")
            .is_dir()
    );
}

/// Pages and static files that did not change keep their files across
/// builds, and the previous site's copy is gone once the new one is in
/// place; a changed static file is copied anew.
#[cfg(target_os = "linux")]
#[test]
fn a_rebuild_of_an_unchanged_site_keeps_every_page() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::new(&[
        ("content/reports/a.md", &dated("A", "tags: [T]", "Alpha.")),
        ("content/reports/b.md", &dated("B", "", "Beta.")),
        ("static/notes.txt", "first"),
    ]);
    site.build(&[]).expect_clean();
    let public = site.path().join("public");
    let before = snapshot(&public);
    let inodes = |pages: &[&str]| -> Vec<u64> {
        let of = |p: &&str| fs::metadata(public.join(p)).expect("output file").ino();
        pages.iter().map(of).collect()
    };
    let pages = [
        "index.html",
        "reports/a/index.html",
        "tags/t/index.html",
        "sources/index.html",
        "notes.txt",
    ];
    let first = inodes(&pages);
    site.build(&[]).expect_clean();
    assert_eq!(inodes(&pages), first);
    assert_eq!(snapshot(&public), before);
    for page in pages {
        assert_eq!(
            fs::metadata(public.join(page)).expect("page").nlink(),
            1,
            "{page}"
        );
    }
    // The old file is the start of the new one.
    site.write("static/notes.txt", "first, then more");
    site.build(&[]).expect_clean();
    assert_ne!(inodes(&["notes.txt"])[0], first[4], "a changed file is new");
    assert_eq!(site.read("notes.txt"), "first, then more");
    assert_eq!(inodes(&pages[..4]), first[..4]);
}

#[test]
fn output_goes_where_asked() {
    let site = Site::new(&[("content/reports/r.md", &dated("R", "", "Body."))]);
    site.run(&["build", "--output", "out/site"]).expect_clean();
    assert!(site.path().join("out/site/reports/r/index.html").is_file());
    assert!(!site.path().join("public").exists());
    let elsewhere = tempfile::tempdir().expect("temporary folder");
    let root = site.path().to_str().expect("UTF-8 path");
    run_in(elsewhere.path(), &["build", "--root", root]).expect_clean();
    assert!(site.exists("reports/r/index.html"));
}

#[test]
fn warnings_alone_exit_zero() {
    let front = "sources:\n  - id: a\n    title: A\n";
    let site = Site::new(&[("content/reports/r.md", &dated("R", front, "Nothing cited."))]);
    let run = site.run(&["build"]);
    run.expect_code(0);
    assert!(
        run.stderr.starts_with(
            "content/reports/r.md:5:9: warning: source `a` is declared but never cited in the body or an event
  |
5 |   - id: a
  |         ^

0 error(s), 1 warning(s)
built 1 reports and 0 pages"
        ),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------
// check, new, init
// ---------------------------------------------------------------------

#[test]
fn check_reports_the_same_errors_and_writes_nothing() {
    let site = broken_site();
    let before = snapshot(site.path());
    let run = site.run(&["check"]);
    assert_fails(&run, &listing(&BROKEN_SITE_ERRORS));
    assert_eq!(snapshot(site.path()), before, "check changed the site");
}

#[test]
fn check_on_a_good_site_succeeds_and_writes_nothing() {
    let site = Site::new(&[("content/reports/r.md", &dated("R", "", "Body."))]);
    let before = snapshot(site.path());
    let run = site.run(&["check"]);
    run.expect_clean();
    assert_eq!(snapshot(site.path()), before, "check changed the site");
    assert!(!site.path().join("public").exists());
}

#[test]
fn new_creates_a_report_that_builds() {
    let site = Site::new(&[]);
    let run = site.run(&[
        "new",
        "content/reports/x.md",
        "--title",
        "Chips: \"quoted\" & more",
    ]);
    run.expect_code(0);
    let text = fs::read_to_string(site.path().join("content/reports/x.md")).expect("created");
    assert!(text.starts_with("---\n"), "{text}");
    site.run(&["check", "--drafts"]).expect_clean();
    site.build(&["--drafts"]).expect_clean();
    let page = site.main("reports/x/index.html");
    assert!(
        page.contains("<h1>Chips: &quot;quoted&quot; &amp; more</h1>"),
        "{page}"
    );
    // Without --drafts the new report builds too (as a draft, unlisted or
    // listed, but without errors).
    site.build(&[]).expect_clean();
}

#[test]
fn new_refuses_to_overwrite() {
    let site = Site::new(&[("content/reports/x.md", "mine\n")]);
    let run = site.run(&["new", "content/reports/x.md", "--title", "T"]);
    assert_fails(
        &run,
        "content/reports/x.md: error: file already exists; not overwriting it\n\n1 error(s), 0 warning(s)\n",
    );
    let text = fs::read_to_string(site.path().join("content/reports/x.md")).expect("kept");
    assert_eq!(text, "mine\n");
}

#[test]
fn init_makes_a_site_that_builds() {
    let parent = tempfile::tempdir().expect("temporary folder");
    run_in(parent.path(), &["init", "mysite"]).expect_code(0);
    let dir = parent.path().join("mysite");
    assert!(dir.join("content").is_dir());
    run_in(&dir, &["build"]).expect_clean();
    assert!(dir.join("public/index.html").is_file());
    let listed = snapshot(&dir.join("public"))
        .keys()
        .filter(|k| k.starts_with("reports/"))
        .count();
    assert!(listed > 0, "the new site has no report page");
}

#[test]
fn init_refuses_an_existing_site() {
    let site = Site::new(&[("site.yaml", "title: Mine\n")]);
    let run = site.run(&["init", "."]);
    run.expect_code(1);
    assert_eq!(
        fs::read_to_string(site.path().join("site.yaml")).expect("kept"),
        "title: Mine\n"
    );
    assert!(!site.path().join("templates").exists());
}

// ---------------------------------------------------------------------
// Usage
// ---------------------------------------------------------------------

#[test]
fn usage_errors_exit_two() {
    let dir = tempfile::tempdir().expect("temporary folder");
    for args in [
        &[][..],
        &["bogus"],
        &["build", "--nope"],
        &["build", "--output"],
        &["new"],
        &["check", "extra-argument"],
    ] {
        let run = run_in(dir.path(), args);
        assert_eq!(run.code, 2, "annalist {args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error:") || run.stderr.contains("Usage:"),
            "annalist {args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(
        fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "a usage error wrote files"
    );
}

#[test]
fn help_of_serve_names_its_options() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let run = run_in(dir.path(), &["serve", "--help"]);
    run.expect_code(0);
    for option in ["--root", "--bind", "--port", "--drafts"] {
        assert!(
            run.stdout.contains(option),
            "`annalist serve --help` does not mention {option}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn help_of_each_command_names_its_options() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let cases: [(&str, &[&str]); 4] = [
        ("build", &["--root", "--output", "--drafts", "--base-url"]),
        ("check", &["--root"]),
        ("new", &["<PATH>", "--title"]),
        ("init", &["[DIR]"]),
    ];
    for (command, options) in cases {
        let run = run_in(dir.path(), &[command, "--help"]);
        run.expect_code(0);
        for option in options {
            assert!(
                run.stdout.contains(option),
                "`annalist {command} --help` does not mention {option}:\n{}",
                run.stdout
            );
        }
    }
    let top = run_in(dir.path(), &["--help"]);
    top.expect_code(0);
    for command in ["build", "check", "new", "init"] {
        assert!(top.stdout.contains(command), "{}", top.stdout);
    }
}
