//! The dev server's search index, rebuilt on a thread of its own. Saving
//! a report re-renders its page in milliseconds; indexing a large site
//! takes longer (about a quarter of a second at 10,000 reports), so
//! `serve` never waits for it: each successful rebuild hands a [`Corpus`]
//! to the worker, which indexes the newest one it has (a burst of saves is
//! indexed once) and hands the files to the server. Until then the last
//! index is served.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use super::{Corpus, files};
use crate::render::OutputFile;

/// Indexes on its own thread; see the module documentation.
pub struct Indexer {
    to_worker: Sender<Option<Corpus>>,
}

impl Indexer {
    /// Starts the worker; `publish` receives each new index (no files when
    /// search is off).
    pub fn start(publish: impl Fn(Vec<OutputFile>) + Send + 'static) -> Indexer {
        let (to_worker, from_server) = mpsc::channel();
        thread::spawn(move || work(&from_server, &publish));
        Indexer { to_worker }
    }

    /// Asks for the index of `corpus`, or for none.
    pub fn update(&self, corpus: Option<Corpus>) {
        // The worker only stops when this sender is dropped.
        let _ = self.to_worker.send(corpus);
    }
}

fn work(from_server: &Receiver<Option<Corpus>>, publish: &dyn Fn(Vec<OutputFile>)) {
    let mut last: Option<Option<u64>> = None;
    while let Ok(mut corpus) = from_server.recv() {
        while let Ok(newer) = from_server.try_recv() {
            corpus = newer;
        }
        let version = corpus.as_ref().map(Corpus::version);
        if last == Some(version) {
            continue;
        }
        match corpus.as_ref().map_or(Ok(Vec::new()), files) {
            Ok(files) => {
                publish(files);
                last = Some(version);
            }
            Err(diagnostics) => {
                for d in diagnostics {
                    eprintln!("search index: {d}");
                }
            }
        }
    }
}
