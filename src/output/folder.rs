//! Writing and deleting below one folder through a handle on it: each
//! file's path is looked up from that folder, not from `/` again, which
//! counts when a site is tens of thousands of files, and never through a
//! link in the previous site. Elsewhere than Linux the same calls go
//! through paths.
//!
//! On Linux a build reads the previous site ([`Previous`]): a file that
//! comes out exactly as the previous build left it is not written again
//! but kept, its inode and time untouched, so tools that compare times
//! (rsync) see it unchanged. Elsewhere there is no previous site to read,
//! and every file is written.

use std::io;
use std::path::Path;

use rayon::prelude::*;

/// Says whether the new site has a file at a path.
pub type Wanted<'a> = dyn Fn(&str) -> bool + Sync + 'a;

#[cfg(target_os = "linux")]
pub use linux::{Folder, Previous, remove_tree};

#[cfg(not(target_os = "linux"))]
pub use portable::{Folder, Previous, remove_tree};

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::{CStr, OsStr};
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;

    use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
    use rustix::fs::{
        AtFlags, CWD, Dir, FileType, Mode, OFlags, ResolveFlags, fstat, linkat, mkdirat, openat,
        openat2, renameat, unlinkat,
    };
    use rustix::io::Errno;

    use super::*;

    /// An open folder.
    pub struct Folder(OwnedFd);

    impl Folder {
        /// Opens the folder at `path`.
        pub fn open(path: &Path) -> io::Result<Folder> {
            Ok(Folder(open_dir(CWD, path.as_os_str())?))
        }

        /// Makes the folder `dir` (relative, `/`-separated) and any missing
        /// parents.
        pub fn create_dirs(&self, dir: &str) -> io::Result<()> {
            // A folder that is already there (made by another thread too)
            // is as good as one made.
            let make = || match mkdirat(&self.0, dir, Mode::from_raw_mode(0o777)) {
                Ok(()) | Err(Errno::EXIST) => Ok(()),
                Err(e) => Err(e),
            };
            match (make(), dir.rsplit_once('/')) {
                (Err(Errno::NOENT), Some((parent, _))) => {
                    self.create_dirs(parent)?;
                    Ok(make()?)
                }
                (made, _) => Ok(made?),
            }
        }

        /// Writes `bytes` to a new file `path` (relative). A file already
        /// there is unlinked first, never written through: it may be a
        /// link to the previous site's copy ([`link`](Self::link)).
        pub fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
            let mode = Mode::from_raw_mode(0o666);
            let fd = match openat(&self.0, path, flags, mode) {
                Err(Errno::EXIST) => {
                    unlinkat(&self.0, path, AtFlags::empty())?;
                    openat(&self.0, path, flags, mode)?
                }
                fd => fd?,
            };
            std::fs::File::from(fd).write_all(bytes)
        }

        /// Links the previous site's file `path` here; says whether it
        /// did. Only for a file [`Previous::holds`] (or `holds_copy`) said
        /// is the same.
        pub fn link(&self, previous: &Previous, path: &str) -> bool {
            linkat(&previous.dir, path, &self.0, path, AtFlags::empty()).is_ok()
        }
    }

    /// The site a build replaces, open so its unchanged files can be kept
    /// (linked into a new copy, or left in place by an update).
    pub struct Previous {
        dir: OwnedFd,
        /// The owner and permissions of a file the build writes.
        owner: u32,
        mode: u32,
    }

    impl Previous {
        /// Opens the site at `path` (not through a link) for a build
        /// writing into `stage`, if there is one.
        pub fn open(path: &Path, stage: &Folder) -> Option<Previous> {
            let dir = open_dir(CWD, path.as_os_str()).ok()?;
            // The stage was made as folders are (0o777 less the umask);
            // files are made 0o666 less the same umask.
            let made = fstat(&stage.0).ok()?;
            Some(Previous {
                dir,
                owner: made.st_uid,
                mode: made.st_mode & 0o666,
            })
        }

        /// Whether the site's folder ignores the case of names (as on
        /// vfat, or ext4 with casefold): a name of its own, its letters'
        /// case swapped, leads to the same entry.
        pub fn ignores_case(&self) -> bool {
            let Ok(mut entries) = Dir::read_from(&self.dir) else {
                return false;
            };
            while let Some(Ok(entry)) = entries.read() {
                let name = entry.file_name().to_bytes();
                if !name.iter().any(u8::is_ascii_alphabetic) {
                    continue;
                }
                let swapped: Vec<u8> = name
                    .iter()
                    .map(|b| match b.is_ascii_uppercase() {
                        true => b.to_ascii_lowercase(),
                        false => b.to_ascii_uppercase(),
                    })
                    .collect();
                let at = |name: &[u8]| {
                    let stat = rustix::fs::statat(&self.dir, name, AtFlags::SYMLINK_NOFOLLOW);
                    stat.map(|s| (s.st_dev, s.st_ino)).ok()
                };
                let other = at(&swapped);
                return other.is_some() && other == at(name);
            }
            false
        }

        /// Whether the file `path` holds exactly `bytes` and looks as a
        /// file written by the build would (same owner and permissions,
        /// no other link to it). Anything unexpected is a plain no, and
        /// the caller writes.
        pub fn holds(&self, path: &str, bytes: &[u8]) -> bool {
            let size = bytes.len() as u64;
            self.matches(path, self.mode, size, |old| reads_as(old, bytes))
        }

        /// [`holds`](Self::holds) for a copy of the file `source`: the
        /// file must hold its bytes and, as a copy does, its permissions.
        pub fn holds_copy(&self, path: &str, source: &Path) -> bool {
            let Ok(new) = std::fs::File::open(source) else {
                return false;
            };
            let Ok(stat) = fstat(&new) else {
                return false;
            };
            let Ok(size) = u64::try_from(stat.st_size) else {
                return false;
            };
            let mode = stat.st_mode & 0o7777;
            self.matches(path, mode, size, |old| same_reads(old, new))
        }

        /// Whether the file `path` is a plain file of ours (one link, our
        /// owner) with permission bits `mode`, `size` bytes long, and
        /// `same` says its contents are right.
        fn matches(
            &self,
            path: &str,
            mode: u32,
            size: u64,
            same: impl FnOnce(std::fs::File) -> bool,
        ) -> bool {
            let Some(file) = open_beneath(&self.dir, path) else {
                return false;
            };
            let Ok(stat) = fstat(&file) else {
                return false;
            };
            let plain = FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile
                && stat.st_nlink == 1
                && stat.st_uid == self.owner
                && stat.st_mode & 0o7777 == mode
                && u64::try_from(stat.st_size).is_ok_and(|n| n == size);
            plain && same(std::fs::File::from(file))
        }

        /// Moves the file `path` of `stage` to the same place in this
        /// site, making its folders; a file, link or folder in the way is
        /// removed first, and nothing is reached through a link.
        pub fn take(&self, stage: &Folder, path: &str) -> io::Result<()> {
            let (dir, name) = match path.rsplit_once('/') {
                Some((dir, name)) => (Some(self.folder(dir)?), name),
                None => (None, path),
            };
            let dir = dir.as_ref().map_or(self.dir.as_fd(), AsFd::as_fd);
            match renameat(&stage.0, path, dir, name) {
                Err(Errno::ISDIR | Errno::NOTEMPTY | Errno::EXIST) => {
                    empty(open_dir(dir, OsStr::new(name))?)?;
                    unlinkat(dir, name, AtFlags::REMOVEDIR)?;
                    Ok(renameat(&stage.0, path, dir, name)?)
                }
                moved => Ok(moved?),
            }
        }

        /// Opens the folder `dir` (relative) of this site, making what is
        /// missing and replacing what is not a folder on the way.
        fn folder(&self, dir: &str) -> io::Result<OwnedFd> {
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS;
            if let Ok(fd) = openat2(&self.dir, dir, flags, Mode::empty(), resolve) {
                return Ok(fd);
            }
            let mut at: Option<OwnedFd> = None;
            for name in dir.split('/') {
                let parent = at.as_ref().map_or(self.dir.as_fd(), AsFd::as_fd);
                let open = || openat(parent, name, flags, Mode::empty());
                let make = || match mkdirat(parent, name, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(Errno::EXIST) => open(),
                    Err(e) => Err(e),
                };
                let next = match open() {
                    Err(Errno::NOENT) => make(),
                    // A file, or a link, where a folder goes (unless another
                    // thread has just removed it, or made the folder).
                    Err(Errno::NOTDIR | Errno::LOOP) => {
                        match unlinkat(parent, name, AtFlags::empty()) {
                            Ok(()) | Err(Errno::NOENT | Errno::ISDIR) => make(),
                            Err(e) => Err(e),
                        }
                    }
                    opened => opened,
                }?;
                at = Some(next);
            }
            at.ok_or_else(|| io::Error::other("empty folder path"))
        }

        /// Removes every file of this site that is not in the new site
        /// (not a path `is_file` says it has), and the folders left empty.
        pub fn prune(&self, is_file: &Wanted<'_>) -> io::Result<()> {
            prune(Dir::read_from(&self.dir)?, "", is_file).map(|_| ())
        }
    }

    /// Opens the file `path` below `dir` for reading, refusing links on
    /// the way and any way out of `dir`.
    fn open_beneath(dir: &OwnedFd, path: &str) -> Option<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS;
        openat2(dir, path, flags, Mode::empty(), resolve).ok()
    }

    /// Whether two files of the same size read the same.
    fn same_reads(mut a: std::fs::File, mut b: std::fs::File) -> bool {
        use std::io::Read;
        const CHUNK: usize = 16 << 10;
        let mut buf = vec![0u8; CHUNK];
        loop {
            match a.read(&mut buf) {
                Ok(0) => return true,
                Ok(n) if reads_as(Read::by_ref(&mut b).take(n as u64), &buf[..n]) => {}
                _ => return false,
            }
        }
    }

    /// Whether `file` reads as `bytes`, its size already known to match.
    fn reads_as(mut file: impl std::io::Read, bytes: &[u8]) -> bool {
        const CHUNK: usize = 16 << 10;
        let mut buf = [0u8; CHUNK];
        let mut rest = bytes;
        while !rest.is_empty() {
            match file.read(&mut buf[..rest.len().min(CHUNK)]) {
                Ok(0) | Err(_) => return false,
                Ok(n) if buf[..n] != rest[..n] => return false,
                Ok(n) => rest = &rest[n..],
            }
        }
        true
    }

    fn open_dir<Fd: AsFd>(parent: Fd, name: &OsStr) -> io::Result<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        Ok(openat(parent, name, flags, Mode::empty())?)
    }

    /// Removes what `entries`' folder (the site's folder `prefix`) holds
    /// that the new site does not, looking into its folders in parallel.
    /// A folder left empty is removed: the new site has no file in it.
    /// Says whether this folder is left empty.
    fn prune(mut entries: Dir, prefix: &str, is_file: &Wanted<'_>) -> io::Result<bool> {
        let mut folders = Vec::new();
        let mut files = 0;
        each_entry(&mut entries, |dir, name, kind| {
            let path = name.to_str().ok().map(|n| format!("{prefix}{n}"));
            match kind {
                FileType::Directory => match path {
                    Some(path) => folders.push(path),
                    // Not a name the new site can have.
                    None => {
                        empty(open_dir(dir, OsStr::from_bytes(name.to_bytes()))?)?;
                        unlinkat(dir, name, AtFlags::REMOVEDIR)?;
                    }
                },
                _ if path.as_deref().is_some_and(is_file) => files += 1,
                _ => unlinkat(dir, name, AtFlags::empty())?,
            }
            Ok(())
        })?;
        let dir = entries.fd()?;
        let removed = folders.par_iter().map(|path| -> io::Result<usize> {
            let name = path.rsplit('/').next().unwrap_or(path);
            let entries = Dir::new(open_dir(dir, OsStr::new(name))?)?;
            if !prune(entries, &format!("{path}/"), is_file)? {
                return Ok(0);
            }
            unlinkat(dir, name, AtFlags::REMOVEDIR)?;
            Ok(1)
        });
        let removed = removed.sum::<io::Result<usize>>()?;
        Ok(files == 0 && removed == folders.len())
    }

    /// Deletes the folder `path` and everything in it, folders in
    /// parallel. A link to a folder is removed as a link, not followed.
    pub fn remove_tree(path: &Path) -> io::Result<()> {
        empty(open_dir(CWD, path.as_os_str())?)?;
        std::fs::remove_dir(path)
    }

    /// Deletes everything in the open folder `dir`.
    fn empty(dir: OwnedFd) -> io::Result<()> {
        let mut folders = Vec::new();
        let mut entries = Dir::new(dir)?;
        each_entry(&mut entries, |dir, name, kind| {
            if kind == FileType::Directory {
                folders.push(name.to_owned());
                Ok(())
            } else {
                Ok(unlinkat(dir, name, AtFlags::empty())?)
            }
        })?;
        let dir = entries.fd()?;
        folders.par_iter().try_for_each(|name| {
            empty(open_dir(dir, OsStr::from_bytes(name.to_bytes()))?)?;
            Ok(unlinkat(dir, name.as_c_str(), AtFlags::REMOVEDIR)?)
        })
    }

    /// Calls `visit` with the open folder, the name and the kind of each
    /// entry of `entries` but `.` and `..` (a link's kind is link).
    fn each_entry(
        entries: &mut Dir,
        mut visit: impl FnMut(BorrowedFd<'_>, &CStr, FileType) -> io::Result<()>,
    ) -> io::Result<()> {
        while let Some(entry) = entries.read() {
            let dir = entries.fd()?;
            let entry = entry?;
            let name = entry.file_name();
            if matches!(name.to_bytes(), b"." | b"..") {
                continue;
            }
            let kind = match entry.file_type() {
                FileType::Unknown => rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
                    .map(|s| FileType::from_raw_mode(s.st_mode))?,
                kind => kind,
            };
            visit(dir, name, kind)?;
        }
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod portable {
    use std::fs;
    use std::path::PathBuf;

    use super::*;

    /// A folder, by path.
    pub struct Folder(PathBuf);

    impl Folder {
        /// Opens the folder at `path`.
        pub fn open(path: &Path) -> io::Result<Folder> {
            Ok(Folder(path.to_path_buf()))
        }

        /// Makes the folder `dir` (relative) and any missing parents.
        pub fn create_dirs(&self, dir: &str) -> io::Result<()> {
            fs::create_dir_all(self.0.join(dir))
        }

        /// Writes `bytes` to the file `path` (relative), replacing it.
        pub fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
            fs::write(self.0.join(path), bytes)
        }
    }

    /// The site a build replaces: never read here, so there is none.
    pub enum Previous {}

    impl Previous {
        /// Nothing to open here.
        pub fn open(_: &Path, _: &Folder) -> Option<Previous> {
            None
        }

        /// Unreachable: there is no previous site.
        pub fn ignores_case(&self) -> bool {
            match *self {}
        }

        /// Unreachable: there is no previous site.
        pub fn holds(&self, _: &str, _: &[u8]) -> bool {
            match *self {}
        }

        /// Unreachable: there is no previous site.
        pub fn holds_copy(&self, _: &str, _: &Path) -> bool {
            match *self {}
        }

        /// Unreachable: there is no previous site.
        pub fn take(&self, _: &Folder, _: &str) -> io::Result<()> {
            match *self {}
        }

        /// Unreachable: there is no previous site.
        pub fn prune(&self, _: &Wanted<'_>) -> io::Result<()> {
            match *self {}
        }
    }

    impl Folder {
        /// Unreachable: there is no previous site.
        pub fn link(&self, previous: &Previous, _: &str) -> bool {
            match *previous {}
        }
    }

    /// Deletes the folder `path` and everything in it, in parallel.
    pub fn remove_tree(path: &Path) -> io::Result<()> {
        let entries = fs::read_dir(path)?.collect::<io::Result<Vec<_>>>()?;
        entries.par_iter().try_for_each(|entry| {
            if entry.file_type()?.is_dir() {
                remove_tree(&entry.path())
            } else {
                fs::remove_file(entry.path())
            }
        })?;
        fs::remove_dir(path)
    }
}
