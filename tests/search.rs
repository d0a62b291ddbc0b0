//! The search index written with the site (issue #8): the example site's
//! index covers every report and page, their sections, events and sources;
//! `--no-search` and `search: false` leave it out along with the search box
//! in page headers. The search page itself is tested in a real browser by
//! `tests/browser/search.test.mjs`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{Site, read_output, report, run_in};
use serde_json::Value;

/// The example site of this repository, built into a temporary folder.
struct Example {
    _dir: tempfile::TempDir,
    out: PathBuf,
}

fn example(args: &[&str]) -> Example {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("public");
    let root = env!("CARGO_MANIFEST_DIR");
    let mut all = vec!["build", "--root", root, "--output"];
    let out_arg = out.to_string_lossy().into_owned();
    all.push(&out_arg);
    all.extend_from_slice(args);
    run_in(dir.path(), &all).expect_code(0);
    Example { _dir: dir, out }
}

/// A data file of the index: the JSON inside `annalistSearch.load(...)`.
fn data(out: &Path, name: &str) -> Value {
    let text = read_output(out, &format!("search/data/{name}.js"));
    let prefix = format!("annalistSearch.load(\"{name}\",");
    let json = text
        .strip_prefix(&prefix)
        .and_then(|t| t.strip_suffix(");\n"))
        .unwrap_or_else(|| panic!("search/data/{name}.js is not a load() call: {text:.80}"));
    serde_json::from_str(json).expect("valid JSON")
}

/// Record `id` of the index (records come four to a file).
fn record(out: &Path, id: u64) -> Value {
    let bundle = data(out, &format!("d/{}", id / 4));
    bundle[(id % 4) as usize].clone()
}

/// Every word of the index with the records holding it; each word is in
/// the file of a shard whose key begins it.
fn postings(out: &Path, manifest: &Value) -> BTreeMap<String, BTreeSet<u64>> {
    let keys = manifest["k"].as_array().expect("shard keys");
    let files = manifest["f"].as_array().expect("shard files");
    assert_eq!(keys.len(), files.len());
    let mut keys_of: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for (key, file) in keys.iter().zip(files) {
        let file = file.as_u64().expect("a file number");
        keys_of
            .entry(file)
            .or_default()
            .push(key.as_str().expect("a key"));
    }
    let mut words = BTreeMap::new();
    for (file, keys) in keys_of {
        let shard = data(out, &format!("i/{file}"));
        for (word, list) in shard.as_object().expect("a shard is an object") {
            assert!(
                keys.iter().any(|k| word.starts_with(k)),
                "{word} is in file {file} of {keys:?}"
            );
            let list = list.as_array().expect("postings");
            let mut record = 0;
            let records: BTreeSet<u64> = list
                .chunks(2)
                .map(|p| {
                    record += p[0].as_u64().expect("a record delta");
                    record
                })
                .collect();
            words.insert(word.clone(), records);
        }
    }
    words
}

/// The site-relative URLs of the reports and pages, from the sitemap
/// (which, without `base_url`, lists them as `reports/x/index.html`).
fn report_urls(out: &Path) -> BTreeSet<String> {
    let sitemap = read_output(out, "sitemap.xml");
    sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .filter(|l| {
            *l != "index.html"
                && !["tags/", "timeline/", "sources/"]
                    .iter()
                    .any(|p| l.starts_with(p))
        })
        .map(str::to_string)
        .collect()
}

fn words_of(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1)
        .map(str::to_string)
        .collect()
}

#[test]
fn the_example_site_index_covers_every_report_and_page() {
    let site = example(&[]);
    let out = &site.out;
    for file in ["search/index.html", "search/search.js"] {
        assert!(out.join(file).is_file(), "{file} is missing");
    }
    let manifest = data(out, "manifest");
    let n = manifest["n"].as_u64().expect("a record count");
    let urls = report_urls(out);
    assert_eq!(n as usize, urls.len(), "one record per report and page");
    assert_eq!(manifest["b"], 4, "records per file");
    let files = std::fs::read_dir(out.join("search/data/d"))
        .unwrap()
        .count();
    assert_eq!(files as u64, n.div_ceil(4));
    let words = postings(out, &manifest);
    let mut indexed = BTreeSet::new();
    for id in 0..n {
        let record = record(out, id);
        let url = record["u"].as_str().expect("a URL").to_string();
        let page = read_output(out, &url);
        assert!(
            page.contains(&format!(
                "<title>{}",
                record["t"]
                    .as_str()
                    .unwrap()
                    .replace('\'', "&#39;")
                    .replace('"', "&quot;")
            )),
            "{url}: wrong title"
        );
        for word in words_of(record["t"].as_str().unwrap()) {
            let holding = words.get(&word).is_some_and(|r| r.contains(&id));
            assert!(holding, "{url}: title word {word:?} does not find it");
        }
        for section in record["x"].as_array().expect("sections") {
            let anchor = section[0].as_str().unwrap();
            if !anchor.is_empty() {
                assert!(
                    page.contains(&format!("id=\"{anchor}\"")),
                    "{url}: no #{anchor}"
                );
            }
        }
        indexed.insert(url);
    }
    assert_eq!(
        indexed, urls,
        "the records are the site's reports and pages"
    );
}

#[test]
fn sources_and_events_are_sections_of_their_reports() {
    let site = example(&[]);
    let cnc = (0..)
        .map(|id| record(&site.out, id))
        .find(|r| r["u"] == "reports/china-cnc-machine-tools/index.html")
        .expect("the CNC report is indexed");
    let kinds = |kind: &str| -> Vec<(String, String)> {
        cnc["x"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s[1] == kind)
            .map(|s| {
                (
                    s[0].as_str().unwrap().to_string(),
                    s[2].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let sources = kinds("s");
    assert!(
        sources
            .iter()
            .any(|(anchor, title)| anchor == "ref-ft-2023-cnc"
                && title == "China becomes Russia's main supplier of advanced machine tools")
    );
    let events = kinds("e");
    assert!(
        !events.is_empty()
            && events
                .iter()
                .enumerate()
                .all(|(i, (a, _))| *a == format!("event-{}", i + 1))
    );
    let headings = kinds("h");
    assert!(headings.contains(&(
        "why-machine-tools-matter".into(),
        "Why machine tools matter".into()
    )));
    // Body text reads as text: no citation numbers or previews in it.
    let lead_and_body: String = cnc["x"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s[1] == "h")
        .map(|s| s[3].as_str().unwrap())
        .collect();
    assert!(
        lead_and_body.contains("cannot reliably reach. Shells"),
        "{lead_and_body:.300}"
    );
}

#[test]
fn tags_and_publishers_filter_records() {
    let site = example(&[]);
    let filters = data(&site.out, "filters");
    let manifest = data(&site.out, "manifest");
    let records: Vec<Value> = (0..manifest["n"].as_u64().unwrap())
        .map(|id| record(&site.out, id))
        .collect();
    let decode = |list: &Value| -> BTreeSet<usize> {
        let mut r = 0;
        list.as_array()
            .unwrap()
            .iter()
            .map(|d| {
                r += d.as_u64().unwrap() as usize;
                r
            })
            .collect()
    };
    let tags: BTreeMap<String, BTreeSet<usize>> = filters["tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t[0].as_str().unwrap().to_string(), decode(&t[1])))
        .collect();
    let with_china: BTreeSet<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| r["g"].as_array().unwrap().iter().any(|g| g == "China"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(tags["china"], with_china);
    let publishers: BTreeMap<String, BTreeSet<usize>> = filters["publisher"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t[0].as_str().unwrap().to_string(), decode(&t[1])))
        .collect();
    let bloomberg = &publishers["Bloomberg"];
    assert!(!bloomberg.is_empty());
    for &i in bloomberg {
        let cites = records[i]["x"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s[1] == "s" && s[3].as_str().unwrap().contains("Bloomberg"));
        assert!(cites, "record {i} does not cite Bloomberg");
    }
    // Records are numbered newest first: the dated reports come first.
    let dates: Vec<&str> = records
        .iter()
        .map(|r| r["i"].as_str().unwrap())
        .filter(|d| !d.is_empty())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    assert_eq!(manifest["r"].as_u64().unwrap() as usize, dates.len());
}

#[test]
fn every_page_has_a_search_box_that_submits_to_the_search_page() {
    let site = example(&[]);
    let report = read_output(&site.out, "reports/china-cnc-machine-tools/index.html");
    assert!(report.contains(
        "<form class=\"site-search\" role=\"search\" action=\"../../search/index.html\" method=\"get\">"
    ));
    assert!(report.contains("<label class=\"visually-hidden\" for=\"site-search-q\">"));
    let home = read_output(&site.out, "index.html");
    assert!(home.contains("action=\"search/index.html\""));
    // The search page has its own form instead.
    let search = read_output(&site.out, "search/index.html");
    assert_eq!(search.matches("role=\"search\"").count(), 1);
    assert!(search.contains("<option value=\"china\" data-name=\"China\">China ("));

    let hosted = example(&["--base-url", "https://host/sub/"]);
    let report = read_output(&hosted.out, "reports/china-cnc-machine-tools/index.html");
    assert!(report.contains("action=\"https://host/sub/search/\""));
    assert_eq!(
        record(&hosted.out, 0)["u"]
            .as_str()
            .map(|u| u.ends_with('/')),
        Some(true)
    );
}

fn no_search_anywhere(out: &Path) {
    assert!(!out.join("search").exists(), "a search folder was written");
    for entry in walkdir(out) {
        if entry.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&entry).unwrap();
            assert!(
                !html.contains("role=\"search\""),
                "{} has a search box",
                entry.display()
            );
        }
    }
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_search_builds_no_index_and_no_search_box() {
    let site = example(&["--no-search"]);
    no_search_anywhere(&site.out);
}

#[test]
fn search_false_in_site_yaml_turns_search_off() {
    let site = Site::new(&[
        ("site.yaml", "title: T\nsearch: false\n"),
        (
            "content/reports/r.md",
            &report("title: R\ndate: 2024-01-02", "Body."),
        ),
    ]);
    site.build(&[]).expect_clean();
    no_search_anywhere(&site.path().join("public"));
}

#[test]
fn raw_html_in_a_report_is_indexed_as_text() {
    let body = "Before <script>var secret = 1;</script> <b>bold</b>ly &amp; <unclosed\n\n## Next {#next}\n\nAfter.";
    let site = Site::new(&[(
        "content/reports/r.md",
        &report("title: R\ndate: 2024-01-02", body),
    )]);
    site.build(&[]).expect_clean();
    let out = site.path().join("public");
    let text = record(&out, 0)["x"].to_string();
    assert!(!text.contains("secret"), "{text}");
    assert!(text.contains("boldly &"), "{text}");
}
