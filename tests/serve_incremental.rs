//! The dev server's incremental rebuilds must always produce exactly what
//! a clean build of the same files produces. Random edit sequences (fixed
//! seeds, so failures reproduce) are applied to a fixture site; after each
//! edit the in-memory site is compared with `annalist build` run afresh.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use annalist::search;
use annalist::serve::session::Session;
use annalist::serve::watch;

/// xorshift64*: enough randomness for choosing edits, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TAGS: [&str; 6] = [
    "China",
    "Russia",
    "Trade",
    "Україна",
    "Dual-use goods",
    "china",
];

fn report(rng: &mut Rng, title: &str) -> String {
    let year = 2020 + rng.below(5);
    let month = 1 + rng.below(12);
    let tags: Vec<&str> = (0..1 + rng.below(3)).map(|_| *rng.pick(&TAGS)).collect();
    let event = if rng.below(2) == 0 {
        format!(
            "events:\n  - date: {year}-{month:02}\n    title: Event of {title}\n    sources: [shared]\n    tags: [Timeline-only]\n"
        )
    } else {
        String::new()
    };
    let cite = if rng.below(2) == 0 {
        "[@own; @shared]"
    } else {
        "[see @own, p. 2]"
    };
    format!(
        "---\ntitle: \"{title}\"\ndate: {year}-{month:02}-{:02}\nsummary: Summary {}\ntags: [{}]\nsources:\n  - id: own\n    title: Own source of {title}\n    url: https://example.com/{}\n{event}---\n\n## Section\n\nClaim {cite} and more text {}.\n",
        1 + rng.below(28),
        rng.next() % 1000,
        tags.join(", "),
        rng.next() % 100,
        rng.next() % 1000,
    )
}

fn write(root: &Path, rel: &str, text: &str) -> PathBuf {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

fn fixture(rng: &mut Rng) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site.yaml",
        "title: Test\nper_page: 2\ntimeline_per_page: 3\n",
    );
    write(
        root,
        "sources.yaml",
        "- id: shared\n  title: Shared source\n  publisher: Pub\n  date: 2024-04\n",
    );
    write(root, "content/_index.md", "Intro text.\n");
    write(
        root,
        "content/about.md",
        "---\ntitle: About\nstandalone: true\n---\nAbout us.\n",
    );
    for i in 0..5 {
        write(
            root,
            &format!("content/reports/r{i}.md"),
            &report(rng, &format!("Report {i}")),
        );
    }
    dir
}

/// One random edit; returns the paths it touched (as a watcher would see).
fn edit(rng: &mut Rng, root: &Path, step: usize) -> Vec<PathBuf> {
    let reports: Vec<PathBuf> = walk(&root.join("content"))
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md")
                && !p.ends_with("_index.md")
                && !p.ends_with("about.md")
        })
        .collect();
    match rng.below(15) {
        12 if !reports.is_empty() => {
            // The body only: listings stay, the report page changes.
            let path = rng.pick(&reports).clone();
            let text = fs::read_to_string(&path).unwrap();
            fs::write(&path, format!("{text}\nMore text {step}.\n")).unwrap();
            vec![path]
        }
        13 if !reports.is_empty() => {
            // A local source's title only: the sources index changes.
            let path = rng.pick(&reports).clone();
            let text = fs::read_to_string(&path).unwrap();
            fs::write(
                &path,
                text.replacen(
                    "title: Own source of",
                    &format!("title: Own source {step} of"),
                    1,
                ),
            )
            .unwrap();
            vec![path]
        }
        14 if !reports.is_empty() => {
            // An event's title only: the timeline changes.
            let path = rng.pick(&reports).clone();
            let text = fs::read_to_string(&path).unwrap();
            fs::write(
                &path,
                text.replacen("title: Event of", &format!("title: Event {step} of"), 1),
            )
            .unwrap();
            vec![path]
        }
        0..=2 if !reports.is_empty() => {
            let path = rng.pick(&reports).clone();
            fs::write(&path, report(rng, &format!("Edited {step}"))).unwrap();
            vec![path]
        }
        3 => vec![write(
            root,
            &format!("content/reports/new{step}.md"),
            &report(rng, &format!("New {step}")),
        )],
        4 if reports.len() > 1 => {
            let path = rng.pick(&reports).clone();
            fs::remove_file(&path).unwrap();
            vec![path]
        }
        5 if !reports.is_empty() => {
            // Rename-save, as vim and JetBrains editors do.
            let path = rng.pick(&reports).clone();
            let tmp = path.with_extension("md~");
            fs::write(&tmp, report(rng, &format!("Renamed {step}"))).unwrap();
            fs::rename(&tmp, &path).unwrap();
            vec![tmp, path]
        }
        6 if !reports.is_empty() => {
            let from = rng.pick(&reports).clone();
            let to = root.join(format!("content/moved/m{step}.md"));
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::rename(&from, &to).unwrap();
            vec![from, to.parent().unwrap().to_path_buf()]
        }
        7 => {
            let dir = root.join("content/moved");
            if dir.exists() {
                fs::remove_dir_all(&dir).unwrap();
            } else {
                write(
                    root,
                    "content/moved/bundle/index.md",
                    &report(rng, "Bundle"),
                );
                write(root, "content/moved/bundle/figure.png", "png");
            }
            vec![dir]
        }
        8 => {
            let path = root.join("templates/report.html");
            if path.exists() && rng.below(2) == 0 {
                fs::remove_file(&path).unwrap();
            } else {
                let text = format!(
                    "{{% extends \"base.html\" %}}{{% block main %}}<h1>{{{{ report.title }}}}</h1>{{{{ report.content | safe }}}}<p>v{}</p>{{% endblock main %}}",
                    rng.next() % 100
                );
                write(root, "templates/report.html", &text);
            }
            vec![path]
        }
        9 => vec![write(
            root,
            "sources.yaml",
            &format!(
                "- id: shared\n  title: Shared source {}\n  publisher: Pub\n",
                rng.next() % 100
            ),
        )],
        10 => vec![write(
            root,
            "content/_index.md",
            &format!("Intro {}.\n", rng.next() % 100),
        )],
        _ => {
            // A broken save, fixed by the next good one.
            let path = root.join("content/reports/broken.md");
            if path.exists() {
                fs::remove_file(&path).unwrap();
            } else {
                fs::write(&path, "---\ntitle: [unclosed\n---\n").unwrap();
            }
            vec![path]
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// Every file of a clean build, or None if the build fails.
fn clean_build(root: &Path) -> Option<BTreeMap<String, Vec<u8>>> {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_annalist"))
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out.path().join("site"))
        .output()
        .unwrap();
    if !status.status.success() {
        return None;
    }
    let base = out.path().join("site");
    Some(
        walk(&base)
            .into_iter()
            .map(|p| {
                let rel = p
                    .strip_prefix(&base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                (rel, fs::read(&p).unwrap())
            })
            .collect(),
    )
}

fn served(session: &Session) -> BTreeMap<String, Vec<u8>> {
    let output = session.output();
    let mut files: BTreeMap<String, Vec<u8>> = output
        .files
        .iter()
        .map(|(k, v)| (k.clone(), v.to_vec()))
        .collect();
    for (dest, source) in &output.assets {
        files.insert(dest.clone(), fs::read(source).unwrap());
    }
    // `serve` indexes for search on a thread of its own, from the session's
    // site: these are the files it serves once that is done.
    if let Some(site) = session.site().filter(|s| s.config.search) {
        for file in search::files(&search::Corpus::of(site)).expect("the search index") {
            files.insert(file.path, file.bytes);
        }
    }
    files
}

fn diff(expected: &BTreeMap<String, Vec<u8>>, actual: &BTreeMap<String, Vec<u8>>) -> String {
    let keys: BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
    keys.into_iter()
        .filter(|k| expected.get(*k) != actual.get(*k))
        .map(|k| match (expected.get(k), actual.get(k)) {
            (Some(_), None) => format!("missing {k}"),
            (None, Some(_)) => format!("stale {k}"),
            _ => format!("differs {k}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn run_sequence(seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let dir = fixture(&mut rng);
    let root = dir.path();
    let mut session = Session::new(root, false, None);
    session.rebuild().expect("the fixture builds");
    assert_eq!(
        Some(served(&session)),
        clean_build(root),
        "seed {seed}: initial build"
    );
    for step in 0..steps {
        let touched = edit(&mut rng, root, step);
        let changes = watch::classify(root, touched.iter().map(PathBuf::as_path));
        let result = session.update(&changes);
        let clean = clean_build(root);
        match (result, clean) {
            (Ok(_), Some(expected)) => {
                let actual = served(&session);
                assert!(
                    actual == expected,
                    "seed {seed}, step {step} ({changes:?}): {}",
                    diff(&expected, &actual)
                );
            }
            (Err(_), None) => {}
            (Ok(_), None) => {
                panic!("seed {seed}, step {step}: serve built a site a clean build refuses")
            }
            (Err(d), Some(_)) => {
                panic!("seed {seed}, step {step}: serve failed where a clean build works: {d:?}")
            }
        }
    }
}

#[test]
fn random_edit_sequences_equal_clean_builds() {
    for seed in [1, 7, 42, 2024, 99991, 314159, 2718281, 1618033] {
        run_sequence(seed, 30);
    }
}
