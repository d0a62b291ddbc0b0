//! The output stage, the only writer of a built site. Files are written
//! into a staging folder beside the target; only when everything is
//! written does the target change, so a failed build leaves the previous
//! site exactly as it was. A build writes only what changed and then
//! updates the target in place; `publish` stages a whole copy that
//! replaces the target at once.

mod folder;

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::content::Asset;
use crate::lock::lock;
use crate::render::OutputFile;
use crate::render::memo::FastMap;
use folder::{Folder, Previous, remove_tree};

/// Refuses output folders that would destroy the site itself: the site
/// root, a parent of it, one of its source folders, or `/`.
pub fn check_target(root: &Path, out: &Path) -> Result<(), String> {
    let root = absolute(root);
    let out = absolute(out);
    if out.parent().is_none() {
        return Err(format!("refusing to write the site to {}", out.display()));
    }
    if root.starts_with(&out) {
        return Err(format!(
            "refusing to write the site to {}: it holds the site's own files",
            out.display()
        ));
    }
    for source in ["content", "templates", "static"] {
        if out.starts_with(root.join(source)) {
            return Err(format!(
                "refusing to write the site into {}: it is the site's {source}/ folder",
                out.display()
            ));
        }
    }
    Ok(())
}

/// An absolute, normalised form of `path` (resolving symlinks of the part
/// that exists).
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    let base = std::env::current_dir().unwrap_or_default().join(path);
    match (base.parent(), base.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => base,
    }
}

/// A site being written: files go into a staging folder beside the
/// target, which replaces the target on [`Stage::commit`]. Dropped without
/// a commit, the staging folder is removed and the target is untouched.
pub struct Stage {
    dir: PathBuf,
    folder: Folder,
    /// The folders made so far, so each is made once.
    made: Mutex<HashSet<String, ahash::RandomState>>,
    replacing: Replacing,
    out: PathBuf,
    committed: bool,
}

/// What the stage does with the previous site's unchanged files.
enum Replacing {
    /// There is no previous site to read: every file is written.
    Nothing,
    /// The stage is a whole copy of the new site: unchanged files are
    /// linked into it from the previous site, which the stage replaces.
    Copy(Previous),
    /// The stage holds only what changed: the commit moves it into the
    /// previous site and removes what the new site no longer has. Each
    /// path of the new site says whether it was written to the stage.
    Update(Previous, Mutex<FastMap<String, bool>>),
}

impl Stage {
    /// Starts writing a whole new copy of the site, to replace `out` at
    /// once when committed (an atomic exchange where the OS has one).
    pub fn create(out: &Path) -> io::Result<Stage> {
        Stage::open(out, Replacing::Copy)
    }

    /// Starts writing the changes to the site in `out`: files the same as
    /// `out`'s are not written, and the commit updates `out` in place.
    /// Where the previous site cannot be read, or its folder ignores case
    /// (a page whose name changed only in case would be found as the old
    /// one, then pruned as stale), this is [`Stage::create`].
    pub fn update(out: &Path) -> io::Result<Stage> {
        Stage::open(out, |previous| match previous.ignores_case() {
            true => Replacing::Copy(previous),
            false => Replacing::Update(previous, Mutex::default()),
        })
    }

    fn open(out: &Path, replacing: impl FnOnce(Previous) -> Replacing) -> io::Result<Stage> {
        let out = absolute(out);
        let parent = out
            .parent()
            .ok_or_else(|| io::Error::other("output folder has no parent"))?;
        fs::create_dir_all(parent)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "public".to_string());
        remove_stale_stages(parent, &name);
        let dir = parent.join(format!(".{name}.annalist-stage-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir)?;
        let folder = Folder::open(&dir)?;
        Ok(Stage {
            replacing: Previous::open(&out, &folder).map_or(Replacing::Nothing, replacing),
            folder,
            made: Mutex::default(),
            dir,
            out,
            committed: false,
        })
    }

    /// The staging folder: for [`Stage::create`], the site as it will be
    /// once committed (for `publish` to compare with what is deployed, or
    /// to hand to git).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file (its folders are made as needed), unless the
    /// previous site's copy is the same. Safe to call from several
    /// threads.
    pub fn write(&self, file: &OutputFile) -> io::Result<()> {
        let path = &file.path;
        self.put(
            path,
            |previous| previous.holds(path, &file.bytes),
            || self.folder.write(path, &file.bytes),
        )
    }

    /// Copies the assets (in parallel), unless the previous site's copy
    /// of one is the same. An asset replaces a page at the same path.
    pub fn copy(&self, assets: &[Asset]) -> io::Result<()> {
        assets.par_iter().try_for_each(|a| {
            self.put(
                &a.dest,
                |previous| previous.holds_copy(&a.dest, &a.source),
                || {
                    // A page at the same path may be a link to the previous
                    // site's copy: replace it, never write through it.
                    let dest = self.dir.join(&a.dest);
                    remove_if_there(&dest)?;
                    fs::copy(&a.source, dest).map(|_| ())
                },
            )
        })
    }

    /// Puts the file `path` in the new site: kept where the previous
    /// site's copy is `same`, else written to the stage by `write`.
    fn put(
        &self,
        path: &str,
        same: impl Fn(&Previous) -> bool,
        write: impl FnOnce() -> io::Result<()>,
    ) -> io::Result<()> {
        if let Replacing::Update(previous, paths) = &self.replacing {
            let kept = same(previous);
            let before = lock(paths).insert(path.to_string(), !kept);
            if kept {
                // An asset kept where a changed page was staged: the page
                // must not stay in the stage (a whole copy would not take
                // the asset's link over it).
                return match before {
                    Some(true) => remove_if_there(&self.dir.join(path)),
                    _ => Ok(()),
                };
            }
        }
        self.make_parent(path)?;
        if let Replacing::Copy(previous) = &self.replacing
            && same(previous)
            && self.folder.link(previous, path)
        {
            return Ok(());
        }
        write()
    }

    /// Puts the finished site in place of the target, after which the
    /// target holds exactly the new site. A whole copy replaces it at
    /// once. Changes to fewer than half the files are moved in one by one
    /// and what the new site no longer has is removed: not atomic, so a
    /// failure or a kill meanwhile leaves old and new files, which the
    /// next build mends. Changes to more are made a whole copy first.
    pub fn commit(mut self) -> Result<(), CommitError> {
        if let Replacing::Update(previous, paths) = &self.replacing {
            let paths = lock(paths);
            let (staged, kept): (Vec<_>, Vec<_>) = paths.iter().partition(|(_, staged)| **staged);
            if staged.len() < kept.len() {
                let is_file = |path: &str| paths.contains_key(path);
                staged
                    .par_iter()
                    .try_for_each(|(path, _)| previous.take(&self.folder, path))
                    .and_then(|()| previous.prune(&is_file))
                    .map_err(CommitError::During)?;
                drop(paths);
                self.committed = true;
                return remove_tree(&self.dir).map_err(CommitError::After);
            }
            kept.par_iter()
                .try_for_each(|(path, _)| {
                    self.make_parent(path)?;
                    match self.folder.link(previous, path) {
                        true => Ok(()),
                        false => Err(io::Error::other(format!(
                            "{path} changed in the previous site during the build"
                        ))),
                    }
                })
                .map_err(CommitError::Before)?;
        }
        self.committed = true;
        swap(&self.dir, &self.out)
    }

    /// Makes the folders of the file `path` in the stage, once.
    fn make_parent(&self, path: &str) -> io::Result<()> {
        if let Some((dir, _)) = path.rsplit_once('/')
            && !lock(&self.made).contains(dir)
        {
            self.folder.create_dirs(dir)?;
            lock(&self.made).insert(dir.to_string());
        }
        Ok(())
    }
}

/// Removes the file at `path`, if there is one.
fn remove_if_there(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Puts `stage` in place of `out`.
fn swap(stage: &Path, out: &Path) -> Result<(), CommitError> {
    if !out.exists() {
        return fs::rename(stage, out).map_err(CommitError::Before);
    }
    if exchange(stage, out).is_ok() {
        return remove_tree(stage).map_err(CommitError::After);
    }
    let old = stage.with_extension("old");
    fs::rename(out, &old).map_err(CommitError::Before)?;
    fs::rename(stage, out).map_err(CommitError::During)?;
    remove_tree(&old).map_err(CommitError::After)
}

/// Why a commit failed, by how far it had got.
#[derive(Debug)]
pub enum CommitError {
    /// Nothing in the target changed.
    Before(io::Error),
    /// The target may hold old and new files (or be missing).
    During(io::Error),
    /// The new site is in place, but the previous copy (or the staging
    /// folder) beside it could not be removed; the next build removes it.
    After(io::Error),
}

impl std::fmt::Display for CommitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommitError::Before(e) | CommitError::During(e) => write!(f, "{e}"),
            CommitError::After(e) => write!(f, "cannot remove the previous copy of the site: {e}"),
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::other("no atomic exchange here"))
}

/// Removes staging folders left by builds that were killed.
fn remove_stale_stages(parent: &Path, name: &str) {
    let prefix = format!(".{name}.annalist-stage-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Updates a site in place for `build --watch`: writes `changed` files,
/// deletes `removed` ones, and copies assets whose size or time differs.
/// Only a successful rebuild reaches here, so a failed one writes nothing.
pub fn sync<'a>(
    out: &Path,
    changed: impl Iterator<Item = (&'a str, &'a [u8])>,
    removed: impl Iterator<Item = &'a str>,
    assets: impl Iterator<Item = (&'a str, &'a Path)>,
) -> io::Result<usize> {
    let mut written = 0;
    for (path, bytes) in changed {
        let target = out.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(target, bytes)?;
        written += 1;
    }
    for path in removed {
        let target = out.join(path);
        match fs::remove_file(&target) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        // Folders left empty go too; a folder still holding files stays.
        for dir in target.ancestors().skip(1).take_while(|d| *d != out) {
            if fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
    for (dest, source) in assets {
        let target = out.join(dest);
        let same = match (fs::metadata(source), fs::metadata(&target)) {
            (Ok(a), Ok(b)) => a.len() == b.len() && a.modified().ok() <= b.modified().ok(),
            _ => false,
        };
        if !same {
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::copy(source, &target)?;
            written += 1;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_targets() {
        let root = std::env::temp_dir().join("annalist-target-test");
        assert!(check_target(&root, &root).is_err());
        assert!(check_target(&root, root.parent().unwrap()).is_err());
        assert!(check_target(&root, &root.join("content")).is_err());
        assert!(check_target(&root, &root.join("content/x")).is_err());
        assert!(check_target(&root, Path::new("/")).is_err());
        assert!(check_target(&root, &root.join("public")).is_ok());
    }
}
