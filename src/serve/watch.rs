//! Raw file-system events turned into what they mean for the site: a
//! small set of change kinds, decided from paths alone so it is tested
//! without a real watcher. Editors' temporary files (`.swp`, `~`, `4913`,
//! `.#x`) and anything outside the site's inputs mean nothing.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::content::is_editor_temp;

/// What an event under the site root means.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// `site.yaml` or `sources.yaml`: everything depends on them.
    Config,
    /// Something under `templates/`.
    Templates,
    /// A file or folder under `content/` (path relative to the root).
    Content(PathBuf),
    /// A file or folder under `static/` (path relative to the root).
    Static(PathBuf),
}

/// The changes meant by events on `paths` (absolute, under `root`).
pub fn classify<'a>(root: &Path, paths: impl IntoIterator<Item = &'a Path>) -> BTreeSet<Change> {
    paths
        .into_iter()
        .filter_map(|p| classify_one(root, p))
        .collect()
}

fn classify_one(root: &Path, path: &Path) -> Option<Change> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components().filter_map(|c| match c {
        Component::Normal(s) => Some(s.to_string_lossy()),
        _ => None,
    });
    let first = parts.next()?;
    if rel
        .components()
        .skip(1)
        .any(|c| is_editor_temp(&c.as_os_str().to_string_lossy()))
    {
        return None;
    }
    match first.as_ref() {
        "site.yaml" | "sources.yaml" if rel.components().count() == 1 => Some(Change::Config),
        "templates" => Some(Change::Templates),
        "static" => Some(Change::Static(rel.to_path_buf())),
        "content" => Some(Change::Content(rel.to_path_buf())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(paths: &[&str]) -> Vec<Change> {
        let root = Path::new("/site");
        let full: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
        classify(root, full.iter().map(PathBuf::as_path))
            .into_iter()
            .collect()
    }

    #[test]
    fn change_kinds_table() {
        let cases: &[(&[&str], Vec<Change>)] = &[
            (&["site.yaml"], vec![Change::Config]),
            (&["sources.yaml"], vec![Change::Config]),
            (&["templates/report.html"], vec![Change::Templates]),
            (
                &["static/style.css"],
                vec![Change::Static("static/style.css".into())],
            ),
            (
                &["content/reports/a.md"],
                vec![Change::Content("content/reports/a.md".into())],
            ),
            (
                &["content/reports"],
                vec![Change::Content("content/reports".into())],
            ),
            (&["public/index.html", "target/x", "README.md"], vec![]),
            (
                &["content/reports/.a.md.swp", "content/reports/a.md~"],
                vec![],
            ),
            (
                &["content/reports/4913", "content/.#a.md", "content/x.tmp"],
                vec![],
            ),
            (&["templates/.report.html.swp"], vec![]),
            (
                &["content/sub/site.yaml"],
                vec![Change::Content("content/sub/site.yaml".into())],
            ),
            (
                &["templates/a.html", "templates/b.html", "site.yaml"],
                vec![Change::Config, Change::Templates],
            ),
        ];
        for (paths, expected) in cases {
            assert_eq!(&kinds(paths), expected, "{paths:?}");
        }
    }

    #[test]
    fn paths_outside_the_root_mean_nothing() {
        let changes = classify(Path::new("/site"), [Path::new("/elsewhere/site.yaml")]);
        assert!(changes.is_empty());
    }
}
