//! Hostile and malformed input (issue 6): every case gets its exact
//! behaviour — a clear error with its position, a warning, or safe output —
//! and never a panic or a hang.

mod common;

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, Site, report, snapshot};

const OK_FRONT: &str = "title: Fine\ndate: 2024-01-01";

/// Runs `check` and returns stderr, asserting the exit code.
fn check(site: &Site, code: i32) -> String {
    let run = site.run(&["check"]);
    run.expect_code(code);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.stderr
}

fn assert_has(text: &str, wanted: &str) {
    assert!(text.contains(wanted), "expected {wanted:?} in:\n{text}");
}

#[test]
fn front_matter_without_closing_fence() {
    let site = Site::new(&[("content/reports/a.md", "---\ntitle: x\ndate: 2024\nbody\n")]);
    assert_has(
        &check(&site, 1),
        "content/reports/a.md:1:1: error: front matter opened with `---` is never closed by a `---` line",
    );
}

#[test]
fn tabs_in_front_matter() {
    let site = Site::new(&[(
        "content/reports/a.md",
        "---\ntitle: x\ndate: 2024\ntags:\n\t- a\n---\n",
    )]);
    assert_has(
        &check(&site, 1),
        "content/reports/a.md:5:1: error: found character that cannot start any token",
    );
}

#[test]
fn bom_and_crlf_are_accepted_with_exact_positions() {
    let text = "\u{feff}---\r\ntitle: x\r\ndate: 2024\r\n---\r\n\r\nSee [@missing].\r\n";
    let site = Site::new(&[("content/reports/a.md", text)]);
    let stderr = check(&site, 1);
    assert_has(
        &stderr,
        "content/reports/a.md:6:6: error: unknown source `missing`",
    );
    assert_has(&stderr, "6 | See [@missing].\n");
}

#[test]
fn empty_file_and_front_matter_only() {
    let site = Site::new(&[
        ("content/reports/empty.md", ""),
        (
            "content/reports/only.md",
            &format!("---\n{OK_FRONT}\n---\n"),
        ),
    ]);
    let stderr = check(&site, 1);
    assert_has(
        &stderr,
        "content/reports/empty.md:1:1: error: missing front matter",
    );
    assert!(!stderr.contains("only.md"), "{stderr}");
}

#[test]
fn front_matter_that_is_not_a_mapping() {
    let site = Site::new(&[("content/reports/a.md", "---\n- a\n- b\n---\n")]);
    assert_has(
        &check(&site, 1),
        "content/reports/a.md:2:1: error: invalid type: sequence, expected struct FrontMatter",
    );
}

#[test]
fn duplicate_keys_point_at_the_second() {
    let site = Site::new(&[(
        "content/reports/a.md",
        "---\ntitle: x\ndate: 2024\ntitle: y\n---\n",
    )]);
    assert_has(
        &check(&site, 1),
        "content/reports/a.md:4:1: error: duplicate field `title`",
    );
}

#[test]
fn alias_bombs_are_refused() {
    let mut yaml = String::from("  a: &a [x,x,x,x,x,x,x,x,x]\n");
    for i in 0..8u8 {
        let (name, prev) = ((b'b' + i) as char, (b'a' + i) as char);
        let refs = vec![format!("*{prev}"); 9].join(",");
        yaml.push_str(&format!("  {name}: &{name} [{refs}]\n"));
    }
    let text = format!("---\n{OK_FRONT}\nextra:\n{yaml}---\n");
    let site = Site::new(&[("content/reports/a.md", &text)]);
    let started = Instant::now();
    assert_has(&check(&site, 1), "error: YAML aliases expand too far");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn deep_nesting_is_refused() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = format!("---\n{OK_FRONT}\nextra:\n  a: {deep}\n---\n");
    let site = Site::new(&[("content/reports/a.md", &text)]);
    let stderr = check(&site, 1);
    assert_has(&stderr, "content/reports/a.md:5:");
    assert_has(&stderr, "error: YAML nested too deeply");
    // The 200,000-character line is shown cut around the column.
    assert!(stderr.lines().all(|l| l.chars().count() < 200), "{stderr}");
}

#[test]
fn yaml_scalars_stay_the_strings_typed() {
    let site = Site::new(&[(
        "content/reports/a.md",
        &report(&format!("{OK_FRONT}\ntags: [no, on, 1.0]"), "Body."),
    )]);
    site.build(&[]).expect_clean();
    for tag in ["no", "on", "1-0"] {
        assert!(site.exists(&format!("tags/{tag}/index.html")), "{tag}");
    }
    assert_has(&site.read("tags/1-0/index.html"), ">1.0<");
}

#[test]
fn huge_front_matter_is_refused() {
    let text = format!(
        "---\n{OK_FRONT}\nsummary: \"{}\"\n---\n",
        "x".repeat(2 << 20)
    );
    let site = Site::new(&[("content/reports/a.md", &text)]);
    assert_has(
        &check(&site, 1),
        "content/reports/a.md:1:1: error: front matter is larger than 1048576 bytes",
    );
}

#[test]
fn report_larger_than_the_limit_is_refused() {
    let site = Site::new(&[]);
    let body = "a".repeat(65 << 20);
    site.write("content/reports/big.md", &report(OK_FRONT, &body));
    assert_has(
        &check(&site, 1),
        "content/reports/big.md: error: file is 68157478 bytes, larger than the limit of 67108864 bytes",
    );
}

#[test]
fn malformed_citations_print_literally() {
    let body = "A [@] B [@@x] C [@x;] D [@x E \\[@x] F me@example.com";
    let site = Site::new(&[(
        "content/reports/a.md",
        &report(
            &format!("{OK_FRONT}\nsources:\n  - id: x\n    title: X"),
            &format!("{body} [@x]."),
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/a/index.html");
    assert_has(&html, "A [@] B [@@x] C [@x;] D [@x E [@x] F me@example.com");
    assert_eq!(html.matches("class=\"cite\"").count(), 1);
}

#[test]
fn ten_thousand_citations_in_one_paragraph() {
    let body = "[@x] ".repeat(10_000);
    let site = Site::new(&[(
        "content/reports/a.md",
        &report(
            &format!("{OK_FRONT}\nsources:\n  - id: x\n    title: X"),
            &body,
        ),
    )]);
    let started = Instant::now();
    site.build(&[]).expect_clean();
    assert!(started.elapsed() < Duration::from_secs(60));
    let html = site.read("reports/a/index.html");
    assert_eq!(html.matches("class=\"cite\"").count(), 10_000);
    assert_has(&html, "href=\"#cite-10000\"");
}

#[test]
fn unicode_citation_keys() {
    let site = Site::new(&[(
        "content/reports/a.md",
        &report(
            &format!("{OK_FRONT}\nsources:\n  - id: Україна-2024\n    title: U"),
            "See [@Україна-2024].",
        ),
    )]);
    site.build(&[]).expect_clean();
    assert_has(
        &site.read("reports/a/index.html"),
        "id=\"ref-Україна-2024\"",
    );
}

#[test]
fn content_never_passes_through_the_template_engine() {
    let site = Site::new(&[(
        "content/reports/a.md",
        &report(
            &format!("{OK_FRONT}\nsummary: \"{{{{ site.title }}}}\""),
            "Literal {{ site.title }} and {% if x %}.",
        ),
    )]);
    site.build(&[]).expect_clean();
    let html = site.read("reports/a/index.html");
    assert_has(&html, "Literal {{ site.title }} and {% if x %}.");
    assert_has(&html, "{{ site.title }}");
}

#[test]
fn unsafe_slugs_are_errors() {
    let site = Site::new(&[
        (
            "content/reports/a.md",
            &report(&format!("{OK_FRONT}\nslug: ../../x"), ""),
        ),
        (
            "content/reports/b.md",
            &report(&format!("{OK_FRONT}\nslug: /etc"), ""),
        ),
        (
            "content/reports/c.md",
            &report(&format!("{OK_FRONT}\nslug: \"..\""), ""),
        ),
    ]);
    let stderr = check(&site, 1);
    assert_has(
        &stderr,
        "content/reports/a.md:4:7: error: slug `../../x` must be a single path segment",
    );
    assert_has(
        &stderr,
        "content/reports/b.md:4:7: error: slug `/etc` must be a single path segment",
    );
    assert_has(
        &stderr,
        "content/reports/c.md:4:7: error: slug `..` must be a single path segment",
    );
}

#[test]
fn tags_without_letters_are_errors() {
    let site = Site::new(&[(
        "content/reports/a.md",
        &report(&format!("{OK_FRONT}\ntags: [\"???\"]"), ""),
    )]);
    assert_has(
        &check(&site, 1),
        "content/reports/a.md:4:8: error: tag `???` has no letter or digit to make its URL from",
    );
}

#[test]
fn windows_reserved_names_and_case_collisions_are_warnings() {
    let site = Site::new(&[
        ("content/reports/con.md", &report(OK_FRONT, "")),
        (
            "content/reports/Case.md",
            &report(&format!("{OK_FRONT}\nslug: Case"), ""),
        ),
        ("content/reports/case.md", &report(OK_FRONT, "")),
        (
            "content/reports/t.md",
            &report(&format!("{OK_FRONT}\ntags: [NUL]"), ""),
        ),
    ]);
    let stderr = check(&site, 0);
    assert_has(
        &stderr,
        "content/reports/con.md:1:1: warning: output path /reports/con/ uses `con`, a name Windows reserves",
    );
    assert_has(&stderr, "differs only in case from that of");
    assert_has(
        &stderr,
        "content/reports/t.md:4:8: warning: tag `NUL` makes the page tags/nul/, a name Windows reserves",
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_site() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.md"), report(OK_FRONT, "secret")).unwrap();
    let site = Site::new(&[("content/reports/a.md", &report(OK_FRONT, ""))]);
    symlink(
        site.path().join("content"),
        site.path().join("content/reports/loop"),
    )
    .unwrap();
    symlink(outside.path(), site.path().join("content/outside")).unwrap();
    let stderr = check(&site, 1);
    assert_has(&stderr, "content/reports/loop: error: symbolic link loop");
    assert_has(
        &stderr,
        "content/outside: error: symbolic link points outside the site",
    );
    // A site can opt in to links that lead out of it.
    fs::remove_file(site.path().join("content/reports/loop")).unwrap();
    site.write("site.yaml", "follow_outside_symlinks: true\n");
    site.build(&[]).expect_clean();
    assert_has(&site.read("outside/secret/index.html"), "secret");
}

#[test]
fn many_small_files() {
    let site = Site::new(&[("content/reports/a.md", &report(OK_FRONT, ""))]);
    let dir = site.path().join("content/data");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..100_000 {
        fs::write(dir.join(format!("{i}.txt")), b"x").unwrap();
    }
    let started = Instant::now();
    site.build(&[]).expect_clean();
    assert!(started.elapsed() < Duration::from_secs(120));
    assert!(site.exists("data/99999.txt"));
}

#[test]
fn infinite_include_is_a_template_error() {
    let site = Site::new(&[
        ("content/reports/a.md", &report(OK_FRONT, "")),
        ("templates/report.html", "{% include \"loop.html\" %}"),
        ("templates/loop.html", "{% include \"report.html\" %}"),
    ]);
    let stderr = check(&site, 1);
    assert_has(&stderr, "error: template error:");
    assert_has(&stderr, "loop.html");
}

#[test]
fn dangerous_source_links_are_errors() {
    for url in [
        "data:text/html,x",
        "\" javascript:alert(1)\"",
        "\"java\\tscript:alert(1)\"",
        "vbscript:x",
        "//evil.example/x",
    ] {
        let front = format!("{OK_FRONT}\nsources:\n  - id: s\n    url: {url}");
        let site = Site::new(&[("content/reports/a.md", &report(&front, "[@s]"))]);
        assert_has(&check(&site, 1), "is not allowed as a source link");
    }
}

#[test]
fn output_folders_that_would_destroy_the_site_are_refused() {
    let site = Site::new(&[("content/reports/a.md", &report(OK_FRONT, ""))]);
    let root = site.path().to_str().unwrap().to_string();
    let parent = site.path().parent().unwrap().to_str().unwrap().to_string();
    for out in [
        root.clone(),
        parent,
        format!("{root}/content"),
        format!("{root}/content/x"),
        "/".to_string(),
    ] {
        let run = site.run(&["build", "--output", &out]);
        run.expect_code(1);
        assert_has(&run.stderr, "refusing to write the site");
    }
    assert!(site.path().join("content/reports/a.md").exists());
}

#[test]
fn killing_a_build_leaves_the_previous_site_complete() {
    let site = Site::new(&[]);
    for i in 0..3000 {
        site.write(
            &format!("content/reports/r{i}.md"),
            &report(
                &format!("title: Report {i}\ndate: 2024-01-01\ntags: [t{}]", i % 50),
                &"Some text. ".repeat(200),
            ),
        );
    }
    site.build(&[]).expect_clean();
    let before = snapshot(&site.path().join("public"));
    site.write(
        "content/reports/r0.md",
        &report("title: Changed\ndate: 2024-01-01", "New."),
    );
    for delay_ms in [30, 120, 400] {
        let mut child = Command::new(BIN)
            .args(["build", "--root"])
            .arg(site.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let after = snapshot(&site.path().join("public"));
        // Either the old site whole, or (if the build won the race) the new
        // one whole: never a mix.
        if after != before {
            assert_has(
                &String::from_utf8_lossy(&after["reports/r0/index.html"]),
                "Changed",
            );
            assert_eq!(after.len(), before.len());
        }
    }
}

#[test]
fn templates_cannot_read_the_environment() {
    let site = Site::new(&[
        ("content/reports/a.md", &report(OK_FRONT, "")),
        (
            "templates/report.html",
            "{% extends \"base.html\" %}{% block main %}{{ get_env(name=\"HOME\") }}{% endblock main %}",
        ),
    ]);
    let stderr = check(&site, 1);
    assert_has(&stderr, "templates/report.html:1:");
    assert_has(&stderr, "error: template error:");
    assert_has(&stderr, "get_env");
}
