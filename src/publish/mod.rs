//! Deploying a built site: where it goes ([`Target`]), what a deploy
//! changes ([`Changes`]), the two targets ([`dir`]: a folder replaced
//! whole; [`git`]: a branch of the site's repository, committed without
//! touching the working tree), and the link checker that every publish
//! and every `check` runs first ([`links`]).

pub mod dir;
pub mod git;
pub(crate) mod html;
pub mod links;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where `publish` puts the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `dir:PATH`: the folder is replaced whole.
    Dir(PathBuf),
    /// `git:BRANCH`: the branch of the site's repository.
    Git(String),
}

impl Target {
    /// Parses `dir:PATH` or `git:BRANCH`; the message says what is wrong.
    pub fn parse(text: &str) -> Result<Target, String> {
        match text.split_once(':') {
            Some(("dir", path)) if !path.is_empty() => Ok(Target::Dir(PathBuf::from(path))),
            Some(("git", branch)) => check_branch(branch).map(|()| Target::Git(branch.to_string())),
            _ => Err(format!(
                "`{text}` is not a target: use dir:PATH (a folder) or git:BRANCH (a branch of the site's repository)"
            )),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Dir(path) => write!(f, "dir:{}", path.display()),
            Target::Git(branch) => write!(f, "git:{branch}"),
        }
    }
}

/// Git's rules for a branch name (`git check-ref-format --branch`), so a
/// bad one is a usage error before anything is built.
fn check_branch(name: &str) -> Result<(), String> {
    let bad = name.is_empty()
        || name.starts_with(['-', '/', '.'])
        || name.ends_with(['/', '.'])
        || name.ends_with(".lock")
        || name == "@"
        || name.contains("..")
        || name.contains("//")
        || name.contains("@{")
        || name.contains("/.")
        || name.contains(".lock/")
        || name
            .chars()
            .any(|c| c.is_ascii_control() || " ~^:?*[\\".contains(c));
    if bad {
        Err(format!("`{name}` is not a valid git branch name"))
    } else {
        Ok(())
    }
}

/// What a deploy changes, by path in the site.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files that are new.
    pub added: Vec<String>,
    /// Files whose content differs.
    pub changed: Vec<String>,
    /// Files that go away.
    pub removed: Vec<String>,
}

impl Changes {
    /// Compares the deployed files `old` with the new ones `new`, each a
    /// map from path to something that is equal when the content is.
    pub fn between<T: PartialEq>(old: &BTreeMap<String, T>, new: &BTreeMap<String, T>) -> Self {
        Changes::between_by(old, new, |a, b| a == b)
    }

    /// Like [`Changes::between`], with `same` telling whether a file
    /// present in both is unchanged.
    pub fn between_by<A, B>(
        old: &BTreeMap<String, A>,
        new: &BTreeMap<String, B>,
        mut same: impl FnMut(&A, &B) -> bool,
    ) -> Self {
        let mut changes = Changes::default();
        for (path, id) in new {
            match old.get(path) {
                None => changes.added.push(path.clone()),
                Some(before) if !same(before, id) => changes.changed.push(path.clone()),
                Some(_) => {}
            }
        }
        changes.removed = old
            .keys()
            .filter(|p| !new.contains_key(*p))
            .cloned()
            .collect();
        changes
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// One `added PATH`, `changed PATH` or `removed PATH` line per file,
    /// sorted by path.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<(&str, &str)> = self
            .added
            .iter()
            .map(|p| (p.as_str(), "added  "))
            .chain(self.changed.iter().map(|p| (p.as_str(), "changed")))
            .chain(self.removed.iter().map(|p| (p.as_str(), "removed")))
            .collect();
        lines.sort();
        lines
            .into_iter()
            .map(|(path, what)| format!("{what} {path}"))
            .collect()
    }

    /// `2 added, 1 changed, 0 removed`.
    pub fn counts(&self) -> String {
        format!(
            "{} added, {} changed, {} removed",
            self.added.len(),
            self.changed.len(),
            self.removed.len()
        )
    }
}

/// Every file under `dir`, as `/`-separated relative paths with their
/// full paths, sorted. A missing folder has none.
pub fn files_under(dir: &Path) -> std::io::Result<BTreeMap<String, PathBuf>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        files.insert(rel.join("/"), entry.path().to_path_buf());
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("dir:out/site"),
            Ok(Target::Dir("out/site".into()))
        );
        assert_eq!(
            Target::parse("git:gh-pages"),
            Ok(Target::Git("gh-pages".into()))
        );
        assert_eq!(Target::parse("dir:C:/x"), Ok(Target::Dir("C:/x".into())));
        for bad in [
            "gh-pages",
            "dir:",
            "git:",
            "s3:bucket",
            "git:a b",
            "git:a..b",
            "git:-x",
            "git:x.lock",
            "git:x/",
            "git:a:b",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn changes_between_two_sites() {
        let old: BTreeMap<String, u8> = [("a", 1), ("b", 1), ("c", 1)]
            .into_iter()
            .map(|(p, v)| (p.to_string(), v))
            .collect();
        let new: BTreeMap<String, u8> = [("b", 2), ("c", 1), ("d", 1)]
            .into_iter()
            .map(|(p, v)| (p.to_string(), v))
            .collect();
        let changes = Changes::between(&old, &new);
        assert_eq!(changes.lines(), ["removed a", "changed b", "added   d"]);
        assert_eq!(changes.counts(), "1 added, 1 changed, 1 removed");
        assert!(Changes::between(&new, &new).is_empty());
    }
}
