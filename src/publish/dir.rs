//! The `dir:PATH` target: the built site, staged beside PATH by the output
//! stage, replaces PATH whole when it is complete (see [`crate::output`]),
//! so no stale file survives and a half-written site is never in place.
//! This module decides whether PATH may be replaced and what replacing it
//! changes.

use std::fs;
use std::io;
use std::path::Path;

use super::{Changes, files_under};
use crate::output;

/// Refuses folders that must not be replaced: those `build` refuses (the
/// site itself, its sources, `/`), and a folder holding a git repository,
/// whose history would go with it.
pub fn check_target(root: &Path, path: &Path) -> Result<(), String> {
    output::check_target(root, path)?;
    if path.join(".git").exists() {
        return Err(format!(
            "refusing to replace {}: it holds a git repository (.git) that would be lost; \
             publish to a branch with --to git:BRANCH, or to another folder",
            path.display()
        ));
    }
    if path.exists() && !path.is_dir() {
        return Err(format!("{} is a file, not a folder", path.display()));
    }
    Ok(())
}

/// What replacing `target` with the staged site in `stage` changes.
pub fn changes(stage: &Path, target: &Path) -> io::Result<Changes> {
    let old = files_under(target)?;
    let new = files_under(stage)?;
    let mut error = None;
    let changes = Changes::between_by(&old, &new, |a, b| match same_content(a, b) {
        Ok(same) => same,
        Err(e) => {
            error.get_or_insert(e);
            false
        }
    });
    match error {
        Some(e) => Err(e),
        None => Ok(changes),
    }
}

fn same_content(a: &Path, b: &Path) -> io::Result<bool> {
    if fs::metadata(a)?.len() != fs::metadata(b)?.len() {
        return Ok(false);
    }
    Ok(fs::read(a)? == fs::read(b)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_two_folders() {
        let base = std::env::temp_dir().join(format!("annalist-dir-test-{}", std::process::id()));
        let (old, new) = (base.join("old"), base.join("new"));
        for (dir, files) in [
            (&old, [("a.html", "a"), ("sub/b.html", "b")]),
            (&new, [("sub/b.html", "B"), ("c.html", "c")]),
        ] {
            for (path, text) in files {
                let full = dir.join(path);
                fs::create_dir_all(full.parent().unwrap()).unwrap();
                fs::write(full, text).unwrap();
            }
        }
        let changes = changes(&new, &old).unwrap();
        let _ = fs::remove_dir_all(&base);
        assert_eq!(
            changes.lines(),
            ["removed a.html", "added   c.html", "changed sub/b.html"]
        );
        let missing = changes_or_empty(&base.join("nothing"));
        assert!(missing.is_empty());
    }

    fn changes_or_empty(dir: &Path) -> Changes {
        changes(dir, dir).unwrap()
    }
}
