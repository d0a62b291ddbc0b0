//! Writing and deleting below one folder through a handle on it: each
//! file's path is looked up from that folder, not from `/` again, which
//! counts when a site is tens of thousands of files. Elsewhere than Unix
//! the same calls go through paths.
//!
//! A file that comes out of a build exactly as the previous build left it
//! is linked from the previous site instead of being written again
//! ([`Folder::keep`], Linux only): it keeps its inode and time, so tools
//! that compare times (rsync) see it unchanged, and replacing the previous
//! site frees no pages for it.

use std::io;
use std::path::Path;

use rayon::prelude::*;

#[cfg(unix)]
pub use unix::{Folder, Previous, remove_tree};

#[cfg(not(unix))]
pub use portable::{Folder, Previous, remove_tree};

#[cfg(unix)]
mod unix {
    use std::ffi::OsStr;
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;

    use rustix::fd::{AsFd, OwnedFd};
    use rustix::fs::{
        AtFlags, CWD, Dir, FileType, Mode, OFlags, fstat, linkat, mkdirat, openat, unlinkat,
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
        /// link to the previous site's copy ([`keep`](Self::keep)).
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

        /// Links the file `path` of the previous site here if it holds
        /// exactly `bytes` and looks as a file written here would (same
        /// owner and permissions, no other link to it); says whether it
        /// did. Anything unexpected is a plain no, and the caller writes.
        pub fn keep(&self, previous: &Previous, path: &str, bytes: &[u8]) -> bool {
            let size = bytes.len() as u64;
            self.link_if(previous, path, previous.mode, size, |old| {
                reads_as(old, bytes)
            })
        }

        /// [`keep`](Self::keep) for a copy of the file `source`: the
        /// previous site's file must hold its bytes and, as a copy does,
        /// its permissions.
        pub fn keep_copy(&self, previous: &Previous, path: &str, source: &Path) -> bool {
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
            self.link_if(previous, path, mode, size, |old| same_reads(old, new))
        }

        /// Links the previous site's file `path` here if it is a plain
        /// file of ours (one link, our owner) with permission bits `mode`,
        /// `size` bytes long, and `same` says its contents are right.
        fn link_if(
            &self,
            previous: &Previous,
            path: &str,
            mode: u32,
            size: u64,
            same: impl FnOnce(std::fs::File) -> bool,
        ) -> bool {
            let Some(file) = open_beneath(&previous.dir, path) else {
                return false;
            };
            let Ok(stat) = fstat(&file) else {
                return false;
            };
            let plain = FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile
                && stat.st_nlink == 1
                && stat.st_uid == previous.owner
                && stat.st_mode & 0o7777 == mode
                && u64::try_from(stat.st_size).is_ok_and(|n| n == size);
            plain
                && same(std::fs::File::from(file))
                && linkat(&previous.dir, path, &self.0, path, AtFlags::empty()).is_ok()
        }
    }

    /// The site a build replaces, open so its unchanged files can be kept.
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
    }

    /// Opens the file `path` below `dir` for reading, refusing links on
    /// the way and any way out of `dir`.
    #[cfg(target_os = "linux")]
    fn open_beneath(dir: &OwnedFd, path: &str) -> Option<OwnedFd> {
        use rustix::fs::{ResolveFlags, openat2};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS;
        openat2(dir, path, flags, Mode::empty(), resolve).ok()
    }

    /// Without `openat2` the previous site's files are not opened: every
    /// file is written.
    #[cfg(not(target_os = "linux"))]
    fn open_beneath(_: &OwnedFd, _: &str) -> Option<OwnedFd> {
        None
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
            if kind == FileType::Directory {
                folders.push(name.to_owned());
            } else {
                unlinkat(dir, name, AtFlags::empty())?;
            }
        }
        let dir = entries.fd()?;
        folders.par_iter().try_for_each(|name| {
            empty(open_dir(dir, OsStr::from_bytes(name.to_bytes()))?)?;
            Ok(unlinkat(dir, name.as_c_str(), AtFlags::REMOVEDIR)?)
        })
    }
}

#[cfg(not(unix))]
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

        /// Never keeps a file of the previous site here: every file is
        /// written.
        pub fn keep(&self, _: &Previous, _: &str, _: &[u8]) -> bool {
            false
        }

        /// Never keeps a file of the previous site here: every file is
        /// copied.
        pub fn keep_copy(&self, _: &Previous, _: &str, _: &Path) -> bool {
            false
        }
    }

    /// The site a build replaces; not opened here.
    pub struct Previous;

    impl Previous {
        /// Nothing to open here.
        pub fn open(_: &Path, _: &Folder) -> Option<Previous> {
            None
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
