//! Long lists on one page (the sources index, a year of the timeline),
//! rendered in runs of a small template and spliced into the page. A list
//! of a big site is hundreds of thousands of entries: made as one template
//! value, it would be built, read and freed far out of the cache; a run's
//! values are made, rendered and freed while they are still in it, and
//! the runs render in parallel.

use std::ops::Range;

use rayon::prelude::*;

use super::OutputFile;
use crate::diagnostic::Diagnostic;

/// A list to splice into its page's frame.
pub struct List<'a, F> {
    /// What stands for the list in the frame, each time it appears.
    pub placeholder: &'a str,
    /// How many entries the list has.
    pub len: usize,
    /// How many entries one run renders.
    pub run: usize,
    /// About how many bytes an entry takes: the page is made at its full
    /// size at once (room never written is never touched).
    pub entry_size: usize,
    /// Renders the entries in a range.
    pub render: F,
}

impl<F> List<'_, F>
where
    F: Fn(Range<usize>) -> Result<Vec<u8>, Diagnostic> + Sync,
{
    /// The page `frame` with the list in place of each placeholder. A
    /// frame without a placeholder (a site's own template may lay the
    /// entries out itself) is the page as it is.
    pub fn splice(&self, frame: OutputFile) -> Result<OutputFile, Diagnostic> {
        let text = String::from_utf8_lossy(&frame.bytes);
        if !text.contains(self.placeholder) {
            return Ok(frame);
        }
        let mut parts = text.split(self.placeholder);
        let mut html = Vec::with_capacity(text.len() + self.len * self.entry_size);
        html.extend_from_slice(parts.next().unwrap_or_default().as_bytes());
        let start = html.len();
        let runs: Vec<Range<usize>> = (0..self.len)
            .step_by(self.run.max(1))
            .map(|at| at..(at + self.run).min(self.len))
            .collect();
        // A few runs at a time, each appended as soon as its group is
        // done: the page is never held twice.
        for group in runs.chunks(4 * rayon::current_num_threads()) {
            let rendered: Vec<Vec<u8>> = group
                .par_iter()
                .map(|range| (self.render)(range.clone()))
                .collect::<Result<_, _>>()?;
            rendered.iter().for_each(|run| html.extend_from_slice(run));
        }
        let list = start..html.len();
        for (i, part) in parts.enumerate() {
            if i > 0 {
                html.extend_from_within(list.clone());
            }
            html.extend_from_slice(part.as_bytes());
        }
        Ok(OutputFile {
            path: frame.path,
            bytes: html,
        })
    }
}
