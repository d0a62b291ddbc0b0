//! Shared helpers for the integration and CLI tests: a throw-away site on
//! disk made from inline files (or a fixture folder), the real `annalist`
//! binary run against it, and small readers for what it wrote.
//!
//! Golden files (`tests/fixtures/<case>/expected/<page>.html`) hold only
//! the `<main>` region of a page and are compared exactly; run the tests
//! with `ANNALIST_BLESS=1` to rewrite them after a reviewed change.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_annalist");

/// Where the fixture folders live.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// What one run of the binary left behind.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Panics with the whole output unless the run exited with `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Panics unless the run succeeded without any warning or error.
    pub fn expect_clean(&self) -> &Self {
        self.expect_code(0);
        assert!(
            !self.stderr.contains(": warning") && !self.stderr.contains(": error"),
            "unexpected diagnostics:\n{}",
            self.stderr
        );
        self
    }
}

/// A site in a temporary folder, removed when dropped.
pub struct Site {
    dir: TempDir,
}

impl Site {
    /// A site made of `files`, each a path relative to the site root and
    /// its text.
    pub fn new(files: &[(&str, &str)]) -> Site {
        let site = Site {
            dir: tempfile::Builder::new()
                .prefix("annalist-test-")
                .tempdir()
                .expect("temporary folder"),
        };
        for (path, text) in files {
            site.write(path, text);
        }
        site
    }

    /// A copy of `tests/fixtures/<case>/site/`.
    pub fn fixture(case: &str) -> Site {
        let site = Site::new(&[]);
        copy_tree(&fixtures().join(case).join("site"), site.path());
        site
    }

    /// The site's root folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes (or replaces) a file of the site, making its folders.
    pub fn write(&self, path: &str, text: &str) {
        self.write_bytes(path, text.as_bytes());
    }

    /// Writes raw bytes to a file of the site, making its folders.
    pub fn write_bytes(&self, path: &str, bytes: &[u8]) {
        let full = self.path().join(path);
        fs::create_dir_all(full.parent().expect("a parent")).expect("create folders");
        fs::write(&full, bytes).expect("write fixture file");
    }

    /// Runs the binary with `args`, in the site's root folder.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.path(), args)
    }

    /// `annalist build` plus `args`, which must succeed (warnings allowed).
    pub fn build(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        run.expect_code(0);
        run
    }

    /// A file of the built site (`public/<path>`), as text.
    pub fn read(&self, path: &str) -> String {
        read_output(&self.path().join("public"), path)
    }

    /// Whether `public/<path>` exists.
    pub fn exists(&self, path: &str) -> bool {
        self.path().join("public").join(path).exists()
    }

    /// The `<main>` region of `public/<path>`.
    pub fn main(&self, path: &str) -> String {
        main_region(&self.read(path)).to_string()
    }
}

/// Runs the binary with `args` in folder `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run annalist");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Reads `out/<path>` as text, naming the file when it is missing.
pub fn read_output(out: &Path, path: &str) -> String {
    let full = out.join(path);
    fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
}

/// The `<main ...>...</main>` region of a page, tags included.
pub fn main_region(html: &str) -> &str {
    let start = html.find("<main").expect("the page has a <main>");
    let end = html[start..]
        .find("</main>")
        .map(|i| start + i + "</main>".len())
        .expect("the <main> is closed");
    &html[start..end]
}

/// Compares `actual` with `tests/fixtures/<case>/expected/<name>`, or
/// rewrites that file when `ANNALIST_BLESS=1`.
pub fn assert_golden(case: &str, name: &str, actual: &str) {
    let path = fixtures().join(case).join("expected").join(name);
    if std::env::var_os("ANNALIST_BLESS").is_some_and(|v| v == "1") {
        fs::create_dir_all(path.parent().expect("a parent")).expect("create expected/");
        fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read golden file {}: {e}; run with ANNALIST_BLESS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output, first at line {}:\n expected: {:?}\n   actual: {:?}\n\
             --- whole output\n{actual}\n(run with ANNALIST_BLESS=1 to accept it after review)",
            path.display(),
            line + 1,
            expected.lines().nth(line).unwrap_or("<end of file>"),
            actual.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

/// Copies the folder `from` into `to`, recursively.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            fs::create_dir_all(&target).expect("create folder");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Every file under `dir`, by `/`-separated relative path, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    collect(dir, dir, &mut files);
    files
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let rel = path.strip_prefix(root).expect("inside root");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(rel, fs::read(&path).expect("read file"));
        }
    }
}

/// The value of every `attr="..."` in `html`, in order.
pub fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        let from = i + needle.len();
        let len = rest[from..].find('"').expect("closed attribute");
        values.push(&rest[from..from + len]);
        rest = &rest[from + len..];
    }
    values
}

/// Every `href` and `src` of `html`.
pub fn links(html: &str) -> Vec<&str> {
    let mut all = attr_values(html, "href");
    all.extend(attr_values(html, "src"));
    all
}

/// `html` without its tags, entities left as written.
pub fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// The visible text of each citation (`<sup class="citation">`) of `html`,
/// without the hover previews: `[1]`, `[1, 2]`, `[see 2, p. 4]`.
pub fn citations(html: &str) -> Vec<String> {
    let open = "<sup class=\"citation\">";
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(open) {
        let from = i + open.len();
        let len = rest[from..].find("</sup>").expect("closed citation");
        let mut inner = rest[from..from + len].to_string();
        while let Some(tip) = inner.find("<span class=\"cite-tip\"") {
            let end = tip + inner[tip..].find("</span>").expect("closed preview") + 7;
            inner.replace_range(tip..end, "");
        }
        found.push(strip_tags(&inner));
        rest = &rest[from + len..];
    }
    found
}

/// The hover/focus previews (`<span class="cite-tip">`) of `html`, as
/// written (escaped).
pub fn previews(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<span class=\"cite-tip\"") {
        let from = i + rest[i..].find('>').expect("tag end") + 1;
        let len = rest[from..].find("</span>").expect("closed preview");
        found.push(&rest[from..from + len]);
        rest = &rest[from + len..];
    }
    found
}

/// The `<li>` of the reference list whose `id` is `ref-<id>`.
pub fn reference<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("<li id=\"ref-{id}\"");
    let start = html
        .find(&open)
        .unwrap_or_else(|| panic!("no reference item {open} in:\n{html}"));
    let len = html[start..].find("</li>").expect("closed reference item");
    &html[start..start + len]
}

/// The ids of the reference items of a report page, in order.
pub fn reference_ids(html: &str) -> Vec<&str> {
    attr_values(html, "id")
        .into_iter()
        .filter_map(|id| id.strip_prefix("ref-"))
        .collect()
}

/// The `href`s of links whose text is exactly `text`.
pub fn hrefs_of<'a>(html: &'a str, text: &str) -> Vec<&'a str> {
    let close = format!(">{text}</a>");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&close) {
        let tag_start = rest[..i].rfind("<a ").expect("an <a> tag");
        if let Some(href) = attr_values(&rest[tag_start..=i], "href").first() {
            found.push(*href);
        }
        rest = &rest[i + close.len()..];
    }
    found
}

/// A report's front matter and body, for inline sites.
pub fn report(front: &str, body: &str) -> String {
    format!("---\n{front}\n---\n{body}\n")
}
