//! Writing and deleting below one folder through a handle on it: each
//! file's path is looked up from that folder, not from `/` again, which
//! counts when a site is tens of thousands of files. Elsewhere than Unix
//! the same calls go through paths.

use std::io;
use std::path::Path;

use rayon::prelude::*;

#[cfg(unix)]
pub use unix::{Folder, remove_tree};

#[cfg(not(unix))]
pub use portable::{Folder, remove_tree};

#[cfg(unix)]
mod unix {
    use std::ffi::OsStr;
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;

    use rustix::fd::{AsFd, OwnedFd};
    use rustix::fs::{AtFlags, CWD, Dir, FileType, Mode, OFlags, mkdirat, openat, unlinkat};
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

        /// Writes `bytes` to the file `path` (relative), replacing it.
        pub fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::CLOEXEC;
            let fd = openat(&self.0, path, flags, Mode::from_raw_mode(0o666))?;
            std::fs::File::from(fd).write_all(bytes)
        }
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
