//! The file watcher: notify with a short debouncer over the site's inputs,
//! delivering batches of changes. Editors that save by renaming, bursts
//! of saves and folders created, deleted or recreated all arrive as paths
//! that `watch::classify` understands.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use super::watch::{self, Change};

/// How long the debouncer waits for a burst of events to settle.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// The folders watched recursively.
const FOLDERS: [&str; 3] = ["content", "templates", "static"];

/// Batches of changes, one per settled burst of events.
pub struct Watcher {
    root: PathBuf,
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    events: Receiver<DebounceEventResult>,
    watched: Vec<PathBuf>,
}

impl Watcher {
    /// Starts watching the site at `root`.
    pub fn start(root: &Path) -> Result<Self, String> {
        let (tx, events) = channel();
        let debouncer =
            new_debouncer(DEBOUNCE, None, tx).map_err(|e| format!("cannot watch files: {e}"))?;
        let mut watcher = Watcher {
            root: root.to_path_buf(),
            debouncer,
            events,
            watched: Vec::new(),
        };
        watcher
            .debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        watcher.watch_folders(&[]);
        Ok(watcher)
    }

    /// Watches the input folders that exist and are not watched yet. A
    /// folder whose own path is in `touched` was deleted or created (maybe
    /// deleted and made again, as a branch switch does): its old watch is
    /// dropped and it is watched afresh.
    fn watch_folders(&mut self, touched: &[PathBuf]) {
        for path in touched {
            if let Some(at) = self.watched.iter().position(|p| p == path) {
                let _ = self.debouncer.unwatch(path);
                self.watched.remove(at);
            }
        }
        for name in FOLDERS {
            let path = self.root.join(name);
            if path.is_dir()
                && !self.watched.contains(&path)
                && self
                    .debouncer
                    .watch(&path, RecursiveMode::Recursive)
                    .is_ok()
            {
                self.watched.push(path);
            }
        }
    }
}

impl Iterator for Watcher {
    type Item = BTreeSet<Change>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let first = self.events.recv().ok()?;
            let mut paths: Vec<PathBuf> = Vec::new();
            for events in std::iter::once(first)
                .chain(self.events.try_iter())
                .flatten()
            {
                // Reads (our own rebuild's included) are not changes.
                let changes = events
                    .into_iter()
                    .filter(|e| !matches!(e.event.kind, EventKind::Access(_) | EventKind::Other));
                paths.extend(changes.flat_map(|e| e.event.paths));
            }
            let touched: Vec<PathBuf> = FOLDERS
                .iter()
                .map(|f| self.root.join(f))
                .filter(|f| paths.contains(f))
                .collect();
            self.watch_folders(&touched);
            let changes = watch::classify(&self.root, paths.iter().map(PathBuf::as_path));
            if !changes.is_empty() {
                return Some(changes);
            }
        }
    }
}
