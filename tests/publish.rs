//! `annalist publish` end to end, and the link checker that `check` and
//! `publish` run: a fixture site published to a branch of its own git
//! repository (pushed to a local bare repository) and to a folder.

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, Run, Site, snapshot};

const SITE_YAML: &str = "title: Desk
base_url: https://example.org/sub/
domain: reports.example.org
";

fn report(title: &str, date: &str, body: &str) -> String {
    format!(
        "---
title: \"{title}\"
date: {date}
summary: \"What {title} found.\"
tags: [China]
sources:
  - id: src-1
    title: \"A source\"
    url: https://news.example/a
events:
  - date: 2023-07
    title: \"Something happened\"
    sources: [src-1]
---

{body} [@src-1]
"
    )
}

/// A good site: two reports linking to each other, a standalone page
/// and an image next to a report.
fn good_files() -> Vec<(&'static str, String)> {
    vec![
        ("site.yaml", SITE_YAML.to_string()),
        (
            "content/reports/alpha/index.md",
            report(
                "Alpha",
                "2024-01-02",
                "See [beta's sources](../beta/#ref-src-1) and ![a chart](chart.svg).",
            ),
        ),
        ("content/reports/alpha/chart.svg", "<svg/>".to_string()),
        (
            "content/reports/beta.md",
            report("Beta", "2024-02-03", "Beta's body."),
        ),
        (
            "content/about.md",
            "---\ntitle: About\nstandalone: true\n---\n\nAbout us.\n".to_string(),
        ),
    ]
}

fn site_with(files: &[(&str, String)]) -> Site {
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    Site::new(&files)
}

/// Runs git in `dir` with a fixed identity; panics on failure.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Whether `rev` names something in the repository at `dir`.
fn git_has(dir: &Path, rev: &str) -> bool {
    Command::new("git")
        .args(["rev-parse", "--verify", "--quiet", rev])
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .output()
        .expect("run git")
        .status
        .success()
}

/// A site whose sources are committed on `main` of its own repository.
fn repo_site() -> Site {
    let site = site_with(&good_files());
    git(site.path(), &["init", "-q", "-b", "main"]);
    git(site.path(), &["add", "."]);
    git(site.path(), &["commit", "-q", "-m", "The site"]);
    site
}

/// A bare repository to push to, in a temporary folder.
fn bare_remote() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("annalist-remote-")
        .tempdir()
        .expect("temporary folder");
    git(dir.path(), &["init", "-q", "--bare"]);
    dir
}

fn publish(site: &Site, args: &[&str]) -> Run {
    let mut all = vec!["publish"];
    all.extend_from_slice(args);
    site.run(&all)
}

/// What the working tree and checked-out branch look like: every file
/// outside `.git`, `git status`, HEAD and the commit it points at.
fn workspace(site: &Site) -> (Vec<String>, String, String, String) {
    let files = snapshot(site.path())
        .into_keys()
        .filter(|p| !p.starts_with(".git/"))
        .collect();
    let dir = site.path();
    (
        files,
        git(dir, &["status", "--porcelain", "--untracked-files=all"]),
        git(dir, &["symbolic-ref", "HEAD"]),
        git(dir, &["rev-parse", "HEAD"]),
    )
}

fn tree_files(dir: &Path, rev: &str) -> Vec<String> {
    git(dir, &["ls-tree", "-r", "--name-only", "--full-tree", rev])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn publishes_the_site_as_the_whole_tree_of_a_branch_and_pushes_it() {
    let site = repo_site();
    let remote = bare_remote();
    let before = workspace(&site);
    let url = remote.path().to_str().unwrap();
    publish(&site, &["--to", "git:gh-pages", "--push", url]).expect_clean();
    assert_eq!(
        workspace(&site),
        before,
        "the working tree, index or checked-out branch changed"
    );
    let files = tree_files(remote.path(), "gh-pages");
    for wanted in [
        ".nojekyll",
        "CNAME",
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "reports/alpha/index.html",
        "reports/alpha/chart.svg",
        "reports/beta/index.html",
        "about/index.html",
    ] {
        assert!(
            files.iter().any(|f| f == wanted),
            "{wanted} not in {files:?}"
        );
    }
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("content/") || f == "site.yaml"),
        "the branch holds the site's sources: {files:?}"
    );
    assert_eq!(
        git(remote.path(), &["show", "gh-pages:CNAME"]),
        "reports.example.org"
    );
    let local = git(site.path(), &["rev-parse", "gh-pages"]);
    assert_eq!(git(remote.path(), &["rev-parse", "gh-pages"]), local);
    // The branch has only the publish commit: none of main's history.
    assert_eq!(git(site.path(), &["rev-list", "--count", "gh-pages"]), "1");
}

#[test]
fn an_unchanged_site_makes_no_new_commit_and_a_changed_one_makes_one() {
    let site = repo_site();
    let remote = bare_remote();
    let url = remote.path().to_str().unwrap();
    publish(&site, &["--to", "git:gh-pages", "--push", url]).expect_clean();
    let first = git(site.path(), &["rev-parse", "gh-pages"]);
    let again = publish(&site, &["--to", "git:gh-pages", "--push", url]);
    again.expect_clean();
    assert!(again.stderr.contains("no new commit"), "{}", again.stderr);
    assert_eq!(git(site.path(), &["rev-parse", "gh-pages"]), first);
    assert_eq!(git(remote.path(), &["rev-parse", "gh-pages"]), first);

    site.write(
        "content/reports/beta.md",
        &report("Beta", "2024-02-03", "A new body."),
    );
    let dry = publish(&site, &["--to", "git:gh-pages", "--dry-run"]);
    dry.expect_clean();
    assert!(
        dry.stdout
            .lines()
            .any(|l| l == "changed reports/beta/index.html"),
        "{}",
        dry.stdout
    );
    assert_eq!(git(site.path(), &["rev-parse", "gh-pages"]), first);

    publish(&site, &["--to", "git:gh-pages", "--push", url]).expect_clean();
    let second = git(site.path(), &["rev-parse", "gh-pages"]);
    assert_ne!(second, first);
    assert_eq!(git(site.path(), &["rev-parse", "gh-pages^"]), first);
    assert_eq!(git(remote.path(), &["rev-parse", "gh-pages"]), second);
}

#[test]
fn a_fresh_clone_continues_the_remote_branch() {
    let site = repo_site();
    let remote = bare_remote();
    let url = remote.path().to_str().unwrap();
    publish(&site, &["--to", "git:gh-pages", "--push", url]).expect_clean();
    git(site.path(), &["push", "-q", url, "main"]);
    let first = git(remote.path(), &["rev-parse", "gh-pages"]);

    let clone = tempfile::Builder::new()
        .prefix("annalist-clone-")
        .tempdir()
        .unwrap();
    git(clone.path(), &["clone", "-q", "-b", "main", url, "."]);
    assert!(!git_has(clone.path(), "refs/heads/gh-pages"));
    let run = common::run_in(
        clone.path(),
        &["publish", "--to", "git:gh-pages", "--push", "origin"],
    );
    run.expect_clean();
    assert!(run.stderr.contains("no new commit"), "{}", run.stderr);
    assert_eq!(git(clone.path(), &["rev-parse", "gh-pages"]), first);

    let text = report("Beta", "2024-02-03", "Edited in the clone.");
    std::fs::write(clone.path().join("content/reports/beta.md"), text).unwrap();
    common::run_in(
        clone.path(),
        &["publish", "--to", "git:gh-pages", "--push", "origin"],
    )
    .expect_clean();
    let second = git(remote.path(), &["rev-parse", "gh-pages"]);
    assert_ne!(second, first);
    assert_eq!(git(remote.path(), &["rev-parse", "gh-pages^"]), first);
}

#[test]
fn a_dry_run_to_git_lists_the_files_and_commits_nothing() {
    let site = repo_site();
    let run = publish(&site, &["--to", "git:gh-pages", "--dry-run"]);
    run.expect_clean();
    assert!(
        run.stdout.lines().any(|l| l == "added   index.html"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.lines().any(|l| l == "added   .nojekyll"),
        "{}",
        run.stdout
    );
    assert!(!git_has(site.path(), "refs/heads/gh-pages"));
}

#[test]
fn a_site_with_errors_is_never_deployed() {
    let site = repo_site();
    let out = site.path().join("out");
    publish(&site, &["--to", "git:gh-pages"]).expect_clean();
    publish(&site, &["--to", "dir:out"]).expect_clean();
    let tip = git(site.path(), &["rev-parse", "gh-pages"]);
    let deployed = snapshot(&out);
    site.write("content/reports/broken.md", "---\ntitle: [unclosed\n---\n");
    for target in ["git:gh-pages", "dir:out"] {
        let run = publish(&site, &["--to", target]);
        run.expect_code(1);
        assert!(
            run.stderr.contains("content/reports/broken.md"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("nothing was published"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(git(site.path(), &["rev-parse", "gh-pages"]), tip);
    assert_eq!(snapshot(&out), deployed, "the folder changed");
}

#[test]
fn a_broken_link_is_an_error_that_stops_the_publish() {
    let mut files = good_files();
    files[1].1 = report("Alpha", "2024-01-02", "See [nowhere](#ref-nobody).");
    let site = site_with(&files);
    git(site.path(), &["init", "-q", "-b", "main"]);
    let run = publish(&site, &["--to", "git:gh-pages"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains(
            "reports/alpha/index.html:"
        ) && run.stderr.contains(
            "error: broken link `#ref-nobody`: this page has no element with id `ref-nobody` (on the page of content/reports/alpha/index.md)"
        ),
        "{}",
        run.stderr
    );
    assert!(!git_has(site.path(), "refs/heads/gh-pages"));
    let run = publish(&site, &["--to", "dir:out"]);
    run.expect_code(1);
    assert!(
        !site.path().join("out").exists(),
        "a broken site was deployed"
    );
}

/// A dry run leaves the folder exactly as it was, even when a file of
/// `static/` replaces a page the previous site holds unchanged (the page
/// is linked from the previous site, then replaced, never written
/// through).
#[test]
fn a_dry_run_never_changes_the_folder_target() {
    let site = site_with(&good_files());
    publish(&site, &["--to", "dir:out"]).expect_clean();
    let deployed = snapshot(&site.path().join("out"));
    site.write("static/sitemap.xml", "<urlset/>\n");
    publish(&site, &["--to", "dir:out", "--dry-run"]).expect_clean();
    assert_eq!(snapshot(&site.path().join("out")), deployed);
    publish(&site, &["--to", "dir:out"]).expect_clean();
    let sitemap = std::fs::read_to_string(site.path().join("out/sitemap.xml")).expect("sitemap");
    assert_eq!(sitemap, "<urlset/>\n");
}

#[test]
fn the_folder_target_is_replaced_whole() {
    let site = site_with(&good_files());
    site.write("out/stale.html", "old");
    site.write("out/reports/gone/index.html", "old");
    let run = publish(&site, &["--to", "dir:out", "--dry-run"]);
    run.expect_clean();
    for line in [
        "removed stale.html",
        "removed reports/gone/index.html",
        "added   reports/beta/index.html",
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "{line}:\n{}",
            run.stdout
        );
    }
    assert!(
        site.path().join("out/stale.html").exists(),
        "the dry run deployed"
    );

    publish(&site, &["--to", "dir:out"]).expect_clean();
    let out = site.path().join("out");
    assert!(!out.join("stale.html").exists());
    assert!(!out.join("reports/gone").exists());
    assert!(out.join("reports/beta/index.html").exists());
    assert!(
        !out.join(".nojekyll").exists(),
        "only branches get .nojekyll"
    );

    std::fs::remove_file(site.path().join("content/reports/beta.md")).unwrap();
    let mut files = good_files();
    files[1].1 = report("Alpha", "2024-01-02", "Alone now.");
    site.write("content/reports/alpha/index.md", &files[1].1);
    publish(&site, &["--to", "dir:out"]).expect_clean();
    assert!(
        !out.join("reports/beta").exists(),
        "a stale report survived"
    );
    let leftovers: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("annalist-stage"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
}

#[test]
fn a_production_build_has_absolute_links_fingerprints_robots_and_cards() {
    let site = site_with(&good_files());
    publish(&site, &["--to", "dir:out"]).expect_clean();
    let out = site.path().join("out");
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let css = names
        .iter()
        .find(|n| n.starts_with("style.") && n.ends_with(".css") && n.len() == 18)
        .unwrap_or_else(|| panic!("no fingerprinted stylesheet in {names:?}"));
    assert!(!names.iter().any(|n| n == "style.css" || n == "annalist.js"));
    let page = common::read_output(&out, "reports/alpha/index.html");
    for wanted in [
        format!("<link rel=\"stylesheet\" href=\"https://example.org/sub/{css}\">"),
        "<link rel=\"canonical\" href=\"https://example.org/sub/reports/alpha/\">".to_string(),
        "<meta property=\"og:title\" content=\"Alpha\">".to_string(),
        "<meta property=\"og:description\" content=\"What Alpha found.\">".to_string(),
        "<meta property=\"og:type\" content=\"article\">".to_string(),
        "<meta property=\"og:url\" content=\"https://example.org/sub/reports/alpha/\">".to_string(),
        "<meta property=\"article:published_time\" content=\"2024-01-02\">".to_string(),
        "<meta name=\"twitter:card\" content=\"summary\">".to_string(),
        "href=\"https://example.org/sub/tags/china/\"".to_string(),
    ] {
        assert!(page.contains(&wanted), "the page lacks {wanted}");
    }
    assert_eq!(
        common::read_output(&out, "robots.txt"),
        "User-agent: *\nDisallow:\n\nSitemap: https://example.org/sub/sitemap.xml\n"
    );
}

#[test]
fn publish_needs_a_base_url() {
    let mut files = good_files();
    files[0].1 = "title: Desk\n".to_string();
    let site = site_with(&files);
    let run = publish(&site, &["--to", "dir:out"]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("site.yaml: error: publish needs `base_url`"),
        "{}",
        run.stderr
    );
    assert!(!site.path().join("out").exists());
}

#[test]
fn bad_targets_are_usage_errors() {
    let site = site_with(&good_files());
    for args in [
        &["--to", "s3:bucket"][..],
        &["--to", "out"],
        &["--to", "git:bad..name"],
        &["--to", "dir:out", "--push", "origin"],
        &[],
    ] {
        let run = publish(&site, args);
        run.expect_code(2);
    }
}

#[test]
fn the_checked_out_branch_is_refused() {
    let site = repo_site();
    let before = workspace(&site);
    let run = publish(&site, &["--to", "git:main"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("`main` is checked out"),
        "{}",
        run.stderr
    );
    assert_eq!(workspace(&site), before);
}

#[test]
fn a_site_outside_any_repository_cannot_publish_to_a_branch() {
    let site = site_with(&good_files());
    let run = publish(&site, &["--to", "git:gh-pages"]);
    if git_has(site.path(), "HEAD") {
        return; // the temporary folder is inside someone's repository
    }
    run.expect_code(1);
    assert!(
        run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_catches_a_broken_anchor_and_a_missing_asset() {
    let mut files = good_files();
    files[1].1 = report(
        "Alpha",
        "2024-01-02",
        "See [beta](../beta/#ref-nobody), ![lost](lost.png) and [home](../../).",
    );
    let site = site_with(&files);
    let run = site.run(&["check"]);
    run.expect_code(1);
    for wanted in [
        "error: broken link `../beta/#ref-nobody`: `reports/beta/index.html` has no element with id `ref-nobody`",
        "error: missing asset `lost.png`: `reports/alpha/lost.png` is not in the built site",
    ] {
        assert!(
            run.stderr.contains(wanted),
            "lacks {wanted}:\n{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("reports/alpha/index.html:"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches(": error:").count(), 2, "{}", run.stderr);
}

#[test]
fn check_follows_links_of_a_site_template() {
    let site = site_with(&good_files());
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}<a href=\"{{ root }}missing/\">x</a>{% endblock main %}",
    );
    let run = site.run(&["check"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("404.html:")
            && run
                .stderr
                .contains("`missing/index.html` is not in the built site"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_example_site_passes_the_link_checker_with_and_without_base_url() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::run_in(root, &["check", "--root", root.to_str().unwrap()]).expect_clean();
    let site = Site::new(&[]);
    for part in ["content", "static", "templates"] {
        if root.join(part).is_dir() {
            std::fs::create_dir_all(site.path().join(part)).unwrap();
            common::copy_tree(&root.join(part), &site.path().join(part));
        }
    }
    std::fs::copy(root.join("sources.yaml"), site.path().join("sources.yaml")).unwrap();
    let yaml = std::fs::read_to_string(root.join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!("{yaml}\nbase_url: https://host.example/reports-site/\n"),
    );
    publish(&site, &["--to", "dir:out"]).expect_clean();
    let run = Command::new(BIN)
        .args(["check"])
        .current_dir(site.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn relative_source_links_resolve_on_report_and_sources_pages() {
    // Found by the link checker: a relative source `url` (allowed by the
    // SPEC) was written unchanged on the sources index, and unadjusted on
    // the page of a flat file, whose page is one folder further down.
    let source = |url: &str| {
        format!(
            "---\ntitle: R\ndate: 2024-01-01\nsources:\n  - id: doc\n    title: Doc\n    url: {url}\n---\n\nClaim [@doc].\n"
        )
    };
    let site = Site::new(&[
        ("site.yaml", SITE_YAML),
        ("content/reports/flat.md", &source("flat.pdf")),
        ("content/reports/flat.pdf", "pdf"),
        ("content/reports/bundle/index.md", &source("bundle.pdf")),
        ("content/reports/bundle/bundle.pdf", "pdf"),
    ]);
    site.run(&["check"]).expect_clean();
    publish(&site, &["--to", "dir:out"]).expect_clean();
    let out = site.path().join("out");
    let sources = common::read_output(&out, "sources/index.html");
    assert!(sources.contains("href=\"https://example.org/sub/reports/flat.pdf\""));
    assert!(sources.contains("href=\"https://example.org/sub/reports/bundle/bundle.pdf\""));
    let flat = common::read_output(&out, "reports/flat/index.html");
    assert!(flat.contains("href=\"../flat.pdf\""), "{flat}");
}
